// memory_rss.test.ts - resident memory follows live bytes (issue 14): freed large blocks beyond the allocator's
// bounded cache go back to the OS (Note [large blocks] in native/core/device.cc), a loop of tensors of several sizes
// left to the garbage collector stays flat, and the AVX2 / portable kernels (NODETORCH_CPU_ISA) give the default
// path's matmul and sum up to float32 rounding. RSS is measured in child processes (node --expose-gc, fresh heap),
// so the figures do not depend on what other tests in this worker allocated.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as torch from '../lib/index';

const dist = path.join(__dirname, '..', 'dist');
function child(code: string, env: Record<string, string> = {}): Record<string, number> {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', `
    const torch = require(${JSON.stringify(dist)});
    const { native } = require(${JSON.stringify(path.join(dist, 'native.js'))});
    const rssMiB = () => Number(/^VmRSS:\\s*(\\d+) kB/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const out = {};
    ${code}
    console.log(JSON.stringify(out));`], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

const linux = process.platform === 'linux';

(linux ? test : test.skip)('disposed large tensors beyond the bounded cache go back to the OS', () => {
  const o = child(`
    const sizes = [1 << 16, 1 << 18, 1 << 20, 9 << 18, 3 << 20];  // 256 KiB .. 12 MiB of float32
    out.rss0 = rssMiB();
    // twice: glibc's malloc, once such blocks have been freed, raises its mmap threshold and carves the next ones
    // from its heap, which it seldom gives back; the second round is the one that tells
    for (let round = 0; round < 2; round++) {
      const held = [];
      let bytes = 0;
      for (let i = 0; bytes < 800 * 2 ** 20; i++) { const t = torch.ones([sizes[i % sizes.length]]); held.push(t); bytes += t.numel() * 4; }
      out.live = torch.memory().bytes / 2 ** 20;
      out.rssHeld = rssMiB();
      for (const t of held) t.dispose();
      out.rssFreed = rssMiB();
    }
    out.cached = native.memStats()[6] / 2 ** 20;
    native.memStats(true);  // empty the cache
    out.cachedAfterEmpty = native.memStats()[6] / 2 ** 20;
    out.rssEmptied = rssMiB();`);
  expect(o.live).toBeGreaterThan(790);
  expect(o.rssHeld - o.rss0).toBeGreaterThan(700);  // ones() touched every page
  // what stays resident after dispose is at most the cache's cap (128 MiB) plus slack
  expect(o.cached).toBeLessThanOrEqual(128);
  expect(o.rssFreed - o.rss0).toBeLessThan(128 + 60);
  expect(o.cachedAfterEmpty).toBeLessThan(2);
  expect(o.rssEmptied - o.rss0).toBeLessThan(60);
});

(linux ? test : test.skip)('a loop of tensors of several sizes left to the GC keeps RSS bounded; the cap is configurable', () => {
  const loop = `
    const sizes = [7, 1000, 20000, 70000, 1 << 18, 5 << 17, 1 << 20, 3 << 20];
    const run = (n) => { for (let i = 0; i < n; i++) { const t = torch.ones([sizes[i % sizes.length]]); t.mul(2); if (i % 50 === 49) global.gc(); } };
    run(400);
    global.gc();
    out.rssWarm = rssMiB();
    run(1600);  // ~5 GiB allocated in all
    global.gc();
    out.rssEnd = rssMiB();
    out.cached = native.memStats()[6] / 2 ** 20;
    out.live = torch.memory().bytes / 2 ** 20;`;
  // (memStats' cached bytes count the large-block cache, which the cap bounds, and the small-block free lists, which
  // keep at most ~1 MiB per size class, 10 MiB in all: native/core/device.cc)
  const SMALL = 10;
  const a = child(loop);
  expect(a.live).toBeLessThan(1);
  expect(a.cached).toBeLessThanOrEqual(128 + SMALL);
  expect(a.rssEnd - a.rssWarm).toBeLessThan(100);
  const b = child(loop, { NODETORCH_CPU_CACHE_MB: '16' });
  expect(b.cached).toBeLessThanOrEqual(16 + SMALL);
  expect(b.rssEnd - b.rssWarm).toBeLessThan(100);
});

test('a reused large block is handed out again whole and correct', () => {
  // the cache returns blocks of the same rounded size: contents of a dead tensor must not leak into zeros()
  for (let i = 0; i < 3; i++) {
    const a = torch.full([1 << 20], 7);
    a.dispose();
    const z = torch.zeros([1 << 20]);
    expect(z.abs().sum().item()).toBe(0);
    const e = torch.ones([(1 << 20) + 5]);  // same rounded size class, different length
    expect(e.sum().item()).toBe((1 << 20) + 5);
    z.dispose();
    e.dispose();
  }
});

// the ISA override: every kernel choice gives the default path's numbers up to float32 rounding
test('NODETORCH_CPU_ISA=avx2 / generic: matmul and sum agree with the default path', () => {
  const code = `
    torch.manualSeed(3);
    out.simd = torch.config().simd === 'avx512' ? 2 : torch.config().simd === 'avx2' ? 1 : 0;
    const shapes = [[256, 256, 256], [1, 300, 517], [37, 129, 65], [300, 5, 211], [513, 700, 96]];
    let i = 0;
    for (const [m, k, n] of shapes) {
      const a = torch.randn([m, k]), b = torch.randn([k, n]);
      const c = torch.matmul(a, b), ct = torch.matmul(b.t(), a.t());  // transposed operands too
      const ref = torch.matmul(a.double(), b.double());
      out['mm' + i] = c.double().sub(ref).abs().max().item() / ref.abs().max().item();
      out['mmt' + i] = ct.t().double().sub(ref).abs().max().item() / ref.abs().max().item();
      out['cs' + i] = c.double().sum().item();
      i++;
    }
    const x = torch.randn([10000003]);
    out.sum = x.sum().item();
    out.sumRef = x.double().sum().item();
    out.rowsum = torch.randn([1000, 777]).sum(1).double().sub(0).abs().sum().item();`;
  const def = child(code), avx2 = child(code, { NODETORCH_CPU_ISA: 'avx2' }), gen = child(code, { NODETORCH_CPU_ISA: 'generic' });
  expect(avx2.simd).toBeLessThanOrEqual(1);
  expect(gen.simd).toBe(0);
  for (const r of [def, avx2, gen]) {
    for (let i = 0; i < 5; i++) {
      expect(r['mm' + i]).toBeLessThan(1e-5);  // k <= 700: float32 accumulation error relative to the largest entry
      expect(r['mmt' + i]).toBeLessThan(1e-5);
      expect(Math.abs(r['cs' + i] - def['cs' + i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(def['cs' + i])) + 1e-2);
    }
    expect(Math.abs(r.sum - r.sumRef)).toBeLessThan(0.05);  // sum of 10M N(0,1) floats: |sum| ~ 3000
    expect(Math.abs(r.rowsum - def.rowsum)).toBeLessThan(1e-3 * def.rowsum);
  }
  expect(torch.config().simd).toMatch(/^(avx512|avx2|generic)$/);
});
