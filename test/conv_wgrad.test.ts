// conv_wgrad.test.ts - float32 conv2d weight gradients (and sampled forward values) against PyTorch 1.13
// (test/ref/gen_conv_wgrad.py): shapes large enough that native/cpu/conv_direct.cc transposes the output gradient in
// several L2-sized pixel blocks (edges inside a sample), tap counts that end in a short tap tile (K % 14, K % 6),
// ragged channel counts, 1 and 3 input channels, stride 2, padding 0/1/3, dilation; at 1 and 2 threads, and in
// child processes with NODETORCH_CPU_ISA=avx2 and generic (over dist/), so an AVX-512 machine checks the AVX2 code.
// The inputs are built from a formula on both sides, so the fixture holds results only.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as torch from '../lib/index';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const REF = require('./ref/conv_wgrad.json') as Any; // eslint-disable-line @typescript-eslint/no-var-requires
const TOL = 1e-4; // relative to the reference's largest magnitude: float32 sums of up to 5400 products (with cancellation)

// float32(f(a * i + b)), i < n: the same values as gen_conv_wgrad.py's vals()
function vals(t: typeof torch, n: number, f: (v: number) => number, a: number, b: number): torch.Tensor {
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = f(a * i + b);
  return t.tensor(Array.from(d), { dtype: 'float32' });
}

/** the largest error of gw and of the sampled forward values, relative to each reference's largest magnitude */
function errors(t: typeof torch, c: Any, channelsLast = false): [number, number] {
  const F = t.nn.functional;
  const xs = c.x as number[], fan = xs[1] * c.k[0] * c.k[1];
  let x = vals(t, xs.reduce((a, b) => a * b, 1), Math.sin, 0.731, 0.3).reshape(xs);
  if (channelsLast) x = x.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]); // a strided view: another copy path
  const w = vals(t, c.oc * fan, Math.cos, 0.419, 0.2).div(Math.fround(Math.sqrt(fan))).reshape([c.oc, xs[1], ...c.k]).requiresGrad_(true);
  const y = F.conv2d(x, w, null, { stride: c.stride, padding: c.padding, dilation: c.dilation });
  const gout = vals(t, y.numel(), Math.sin, 0.173, 1.1).reshape(y.shape);
  const [gw] = t.autograd.grad([y], [w], { gradOutputs: [gout] });
  const rel = (got: number[], ref: number[]) => {
    const m = Math.max(...ref.map(Math.abs));
    return Math.max(...got.map((v, i) => Math.abs(v - ref[i]))) / m;
  };
  const yf = Array.from(y.detach().reshape([-1]).toTypedArray() as Float32Array);
  return [rel(Array.from(gw.reshape([-1]).toTypedArray() as Float32Array), c.gw), rel((c.y_at as number[]).map((i) => yf[i]), c.y)];
}

function check(name: string, e: [number, number]): void {
  if (!(e[0] <= TOL)) throw new Error(`${name}: weight gradient relative error ${e[0]} > ${TOL}`);
  if (!(e[1] <= TOL)) throw new Error(`${name}: forward relative error ${e[1]} > ${TOL}`);
}

describe('conv2d float32 weight gradient vs PyTorch (blocked output-gradient transpose, short tap tiles)', () => {
  const threads0 = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(threads0));
  for (const threads of [1, 2]) {
    for (const c of REF.cases as Any[]) {
      test(`${c.name}, ${threads} thread${threads > 1 ? 's' : ''} (${torch.config().simd})`, () => {
        torch.setNumThreads(threads);
        check(c.name, errors(torch, c));
      });
    }
  }
  test('inference with a Parameter\'s cached packed weights over grouped input copies agrees with the float64 path', () => {
    torch.manualSeed(5);
    const F = torch.nn.functional;
    const conv = new torch.nn.Conv2d(16, 20, 3, { padding: 1 });
    const x = torch.randn([11, 16, 40, 40]); // 1.2 MB of zero-bordered copy: groups of samples
    const ref = F.conv2d(x.double(), conv.weight.detach().double(), conv.bias!.detach().double(), { padding: 1 });
    for (let i = 0; i < 2; i++) { // the first call packs and caches, the second reads the cache
      const y = torch.noGrad(() => conv.forward(x));
      expect(y.double().sub(ref).abs().max().item() / ref.abs().max().item()).toBeLessThan(1e-5);
    }
  });

  test('every case with a channels-last view of the input (1 thread)', () => {
    torch.setNumThreads(1);
    for (const c of REF.cases as Any[]) check(`${c.name}, channels-last`, errors(torch, c, true));
  });

  const root = path.join(__dirname, '..');
  const built = fs.existsSync(path.join(root, 'dist', 'index.js'));
  for (const isa of ['avx2', 'generic']) {
    (built ? test : test.skip)(`NODETORCH_CPU_ISA=${isa}: every case (child process over dist/, 1 and 2 threads)`, () => {
      const script = `
        const t = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
        const REF = require(${JSON.stringify(path.join(__dirname, 'ref', 'conv_wgrad.json'))});
        ${errors.toString()}
        ${vals.toString()}
        const out = {};
        for (const th of [1, 2]) { t.setNumThreads(th); for (const c of REF.cases) out[c.name + ' / ' + th] = errors(t, c); }
        console.log(JSON.stringify({ simd: t.config().simd, out }));`;
      const res = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODETORCH_CPU_ISA: isa }, encoding: 'utf8' });
      const r = JSON.parse(res.trim().split('\n').pop()!) as { simd: string; out: Record<string, [number, number]> };
      if (isa === 'generic') expect(r.simd).toBe('generic');
      else if (/\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'))) expect(r.simd).toBe('avx2');
      expect(Object.keys(r.out).length).toBe(2 * REF.cases.length);
      for (const [name, e] of Object.entries(r.out)) check(name, e);
    });
  }
});
