// threads.test.ts - the CPU thread pool (native/cpu/pool.cc): results that do not depend on which thread ran which
// chunk, thread counts, errors raised by multi-threaded kernels, and several JS threads (worker_threads) running
// large kernels at once (one of them gets the pool; the others run serially on their own thread).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as torch from '../lib/index';

const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');
const N = 3_000_000; // well above the parallel grain (32,768 elements)

// the raw bits of a float32 result, compared element by element (a mismatch reports its first index)
const bits = (t: torch.Tensor): Uint32Array => new Uint32Array(t.contiguous().toTypedArray().slice().buffer);
function firstDiff(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('thread pool', () => {
  const threads0 = torch.getNumThreads();
  afterEach(() => torch.setNumThreads(threads0));

  test('setNumThreads / getNumThreads, and bad counts refused', () => {
    torch.setNumThreads(3);
    expect(torch.getNumThreads()).toBe(3);
    expect(torch.config().threads).toBe(3);
    expect(() => torch.setNumThreads(0)).toThrow(torch.TorchError);
    expect(() => torch.setNumThreads(1.5)).toThrow(torch.TorchError);
    expect(torch.getNumThreads()).toBe(3);
  });

  test('repeated parallel sums are bitwise identical (chunk edges do not depend on which thread runs them)', () => {
    torch.manualSeed(3);
    const x = torch.randn(N);
    for (const th of [1, 2, 4]) {
      torch.setNumThreads(th);
      const first = x.sum().item();
      for (let r = 0; r < 5; r++) expect(x.sum().item()).toBe(first);
      const m = x.reshape(1000, 3000);
      const c0 = bits(m.sum(0)), r0 = bits(m.sum(1));
      expect(firstDiff(bits(m.sum(0)), c0)).toBe(-1);
      expect(firstDiff(bits(m.sum(1)), r0)).toBe(-1);
    }
  });

  test('thread count changes a float sum only within rounding; exact sums stay exact', () => {
    torch.manualSeed(4);
    const x = torch.randn(N, { dtype: 'float64' });
    const ref = x.sum().item();
    torch.setNumThreads(1);
    const one = x.sum().item();
    torch.setNumThreads(4);
    const four = x.sum().item();
    expect(Math.abs(one - ref)).toBeLessThan(1e-9);
    expect(Math.abs(four - ref)).toBeLessThan(1e-9);
    expect(torch.ones(N).sum().item()).toBe(N);
    const ints = torch.arange(N, { dtype: 'int64' });
    expect(ints.sum().item()).toBe((N * (N - 1)) / 2);
  });

  test('elementwise results are the same on 1 and several threads', () => {
    torch.manualSeed(5);
    const a = torch.randn(N), b = torch.randn(N);
    torch.setNumThreads(1);
    const r1 = bits(torch.add(a.mul(b), a.exp()));
    torch.setNumThreads(2);
    expect(firstDiff(bits(torch.add(a.mul(b), a.exp())), r1)).toBe(-1);
    torch.setNumThreads(5); // more threads than cores: the extra workers only join when they get a core
    expect(firstDiff(bits(torch.add(a.mul(b), a.exp())), r1)).toBe(-1);
  });

  test('randn: four normals per generator block, the same values whatever the size, chunking or thread count', () => {
    torch.manualSeed(1);
    const a = torch.randn(1003);
    torch.manualSeed(1);
    const b = torch.randn(N + 1);
    expect(firstDiff(bits(a.narrow(0, 0, 1000)), bits(b.narrow(0, 0, 1000)))).toBe(-1);
    torch.setNumThreads(1);
    torch.manualSeed(2);
    const c1 = torch.randn(N + 3, { dtype: 'float64' });
    torch.setNumThreads(3);
    torch.manualSeed(2);
    const c2 = torch.randn(N + 3, { dtype: 'float64' });
    expect(torch.equal(c1, c2)).toBe(true);
    // moments of N(0, 1), and the cos/sin draws of one pair uncorrelated
    expect(Math.abs(c1.mean().item())).toBeLessThan(3e-3);
    expect(Math.abs(c1.std().item() - 1)).toBeLessThan(3e-3);
    expect(Math.abs(c1.pow(4).mean().item() - 3)).toBeLessThan(0.03);
    const q = c1.narrow(0, 0, N).reshape(-1, 4);
    for (const [i, j] of [[0, 1], [0, 2], [1, 3]]) expect(Math.abs(q.index(':', i).mul(q.index(':', j)).mean().item())).toBeLessThan(5e-3);
  });

  test('errors found by multi-threaded kernels surface as TorchError and the pool keeps working', () => {
    torch.setNumThreads(2);
    const src = torch.arange(N, { dtype: 'float32' });
    const idx = torch.zeros([N], { dtype: 'int64' });
    const bad = torch.cat([idx.narrow(0, 0, N - 1), torch.tensor([N + 5])]);
    expect(() => torch.gather(src, 0, bad)).toThrow(torch.TorchError);
    expect(() => torch.indexSelect(src, 0, bad)).toThrow(/index out of range in self/);
    // the next parallel calls are fine
    expect(torch.gather(src, 0, idx).sum().item()).toBe(0);
    const mask = torch.arange(N).remainder(7).eq(0);
    expect(torch.nonzero(mask).shape).toEqual([Math.ceil(N / 7), 1]);
    expect(torch.ones(N).sum().item()).toBe(N);
  });
});

const haveDist = fs.existsSync(DIST);
(haveDist ? describe : describe.skip)('several JS threads at once', () => {
  test('worker_threads and the main thread run large kernels concurrently with correct results', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-pool-'));
    const file = path.join(dir, 'w.js');
    fs.writeFileSync(file, `
const { parentPort, workerData } = require('worker_threads');
const torch = require(${JSON.stringify(DIST)});
const n = workerData.n, k = workerData.k;
const out = [];
for (let r = 0; r < 4; r++) {
  const x = torch.arange(n, { dtype: 'float64' }).mul(k);
  out.push(x.sum().item(), torch.matmul(torch.ones(256, 256), torch.ones(256, 256)).sum().item(), x.reshape(1000, -1).amax(1).sum().item());
}
parentPort.postMessage(out);
`);
    const n = 2_000_000;
    const expected = (k: number): number[] => {
      const s = (k * n * (n - 1)) / 2;
      const rows = n / 1000;
      let am = 0;
      for (let i = 0; i < 1000; i++) am += k * (i * rows + rows - 1);
      return [s, 256 * 256 * 256, am];
    };
    const workers = [1, 2, 3].map((k) => new Promise<number[]>((resolve, reject) => {
      const w = new Worker(file, { workerData: { n, k } });
      w.once('message', resolve);
      w.once('error', reject);
    }));
    // the main thread works at the same time (the JS copy under test is lib/, the workers load dist/)
    for (let r = 0; r < 4; r++) {
      const x = torch.arange(n, { dtype: 'float64' });
      expect(x.sum().item()).toBe((n * (n - 1)) / 2);
    }
    const res = await Promise.all(workers);
    res.forEach((out, i) => {
      const e = expected(i + 1);
      for (let r = 0; r < 4; r++) {
        expect(out[3 * r]).toBe(e[0]);
        expect(out[3 * r + 1]).toBe(e[1]);
        expect(out[3 * r + 2]).toBe(e[2]);
      }
    });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60000);
});

(haveDist ? describe : describe.skip)('thread counts are per JS thread', () => {
  test('a worker_thread that sets 1 thread (as DataLoader workers do) leaves the main thread its own count', async () => {
    torch.setNumThreads(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-threads-'));
    const file = path.join(dir, 'w.js');
    fs.writeFileSync(file, `
const { parentPort } = require('worker_threads');
const torch = require(${JSON.stringify(DIST)});
torch.setNumThreads(1);
parentPort.postMessage([torch.getNumThreads(), torch.ones(100000).sum().item()]);
`);
    const got = await new Promise<number[]>((resolve, reject) => {
      const w = new Worker(file);
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(got).toEqual([1, 100000]);
    expect(torch.getNumThreads()).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30000);
});
