// cuda_gemm.test.ts - CUDA matmul and convolution on tensor cores (cuda/matmul.cu, cuda/conv.cu), run under the CUDA
// emulator in CI (its stand-in libcublas has cublasGemmEx / cublasGemmStridedBatchedEx with float16/bfloat16/TF32):
//   - float16/bfloat16 mm, bmm, matmul, addmm, baddbmm, linear, conv1d/2d, convTranspose2d forward and backward stay
//     16-bit on CUDA and agree with PyTorch 1.13's float32 results on the same rounded inputs
//     (test/ref/gen_cuda_gemm.py) and with the CPU's float32 results, within one 16-bit rounding (float32
//     accumulation; a few where 16-bit partial results are summed: col2im, broadcast reductions);
//   - each GEMM path (cuBLAS Ex, our tiled kernel, the naive reference) accumulates 16-bit operands in float32;
//   - float32 takes TF32 only when torch.backends.cuda.matmul.allowTf32 / setFloat32MatmulPrecision (matmul, linear)
//     or torch.backends.cudnn.allowTf32 (conv2d) say so at the time of the call, and is exact float32 otherwise;
//   - the precision switches read back as PyTorch's (CPU-side, always run), and bad values are TorchErrors;
//   - bench/cuda.js --small runs.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib/index';
import { TorchError } from '../lib/errors';
import { OP } from '../lib/ops/ids';
import { runKernel } from '../lib/tensor';
import { Ref } from './helpers';

type T = torch.Tensor;
const F = torch.nn.functional;
interface Case { name: string; op: string; dtype: 'float16' | 'bfloat16'; opts: Record<string, number>; inputs: Ref[]; out: Ref; g: Ref; grads: Ref[] }
interface PrecStep { set: 'precision' | 'allowTf32' | 'cudnn' | null; value: string | boolean | null; precision: string; allowTf32: boolean; cudnn: boolean }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/cuda_gemm.json') as { precision: PrecStep[]; cases: Case[] };

const cudaOk = torch.cuda.isAvailable();
if (!cudaOk) {
  console.warn('cuda_gemm.test.ts: *** NO CUDA DEVICE: the CUDA GEMM tests are SKIPPED here; run them under the emulator: ' +
    'NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node npx jest test/cuda_gemm.test.ts ***');
}
const itCuda = cudaOk ? test : test.skip;

// the flags back to PyTorch's defaults after every test
afterEach(() => {
  torch.setFloat32MatmulPrecision('highest');
  torch.backends.cudnn.allowTf32 = true;
});

const flat = (t: T): number[] => Array.from(t.detach().to('cpu').to('float64').contiguous().reshape([-1]).tolist() as number[]);
// unit roundoff of the 16-bit types: float16 keeps 11 significant bits, bfloat16 8
const U: Record<string, number> = { float16: 2 ** -11, bfloat16: 2 ** -8 };
const maxAbs = (v: number[]): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
// |got - want| <= rtol |want| + atol elementwise, with a readable first failure
function near(got: number[], want: number[], rtol: number, atol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rtol * Math.abs(want[i]) + atol)) {
      throw new Error(`${what}: element ${i}: got ${got[i]}, expected ${want[i]} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// the precision switches (CPU-side: the state and its checks need no device)
// ------------------------------------------------------------------------------------------------------------
describe('float32 matmul precision switches', () => {
  test('setFloat32MatmulPrecision, backends.cuda.matmul.allowTf32 and backends.cudnn.allowTf32 read back as PyTorch 1.13', () => {
    for (const s of REF.precision) {
      if (s.set === 'precision') torch.setFloat32MatmulPrecision(s.value as 'high');
      else if (s.set === 'allowTf32') torch.backends.cuda.matmul.allowTf32 = s.value as boolean;
      else if (s.set === 'cudnn') torch.backends.cudnn.allowTf32 = s.value as boolean;
      expect([s.set, s.value, torch.getFloat32MatmulPrecision(), torch.backends.cuda.matmul.allowTf32, torch.backends.cudnn.allowTf32])
        .toEqual([s.set, s.value, s.precision, s.allowTf32, s.cudnn]);
    }
  });

  test('bad values are TorchErrors that leave the state as it was', () => {
    torch.setFloat32MatmulPrecision('medium');
    for (const bad of ['HIGH', 'foo', '', 1, null, undefined, true]) {
      expect(() => torch.setFloat32MatmulPrecision(bad as unknown as 'high')).toThrow(TorchError);
    }
    expect(() => torch.setFloat32MatmulPrecision('fast' as unknown as 'high')).toThrow(/setFloat32MatmulPrecision: 'fast' is not one of 'highest', 'high', or 'medium'/);
    expect(torch.getFloat32MatmulPrecision()).toBe('medium');
    for (const bad of [1, 'yes', null]) {
      expect(() => { torch.backends.cuda.matmul.allowTf32 = bad as unknown as boolean; }).toThrow(/allowTf32 must be a boolean/);
      expect(() => { torch.backends.cudnn.allowTf32 = bad as unknown as boolean; }).toThrow(TorchError);
    }
    expect([torch.getFloat32MatmulPrecision(), torch.backends.cuda.matmul.allowTf32, torch.backends.cudnn.allowTf32]).toEqual(['medium', true, true]);
  });
});

// ------------------------------------------------------------------------------------------------------------
// float16 / bfloat16 GEMMs on CUDA against PyTorch and the CPU's float32
// ------------------------------------------------------------------------------------------------------------
function callOp(c: Case, xs: T[]): T {
  const o = c.opts;
  switch (c.op) {
    case 'mm': return torch.mm(xs[0], xs[1]);
    case 'mm_t': return torch.mm(xs[0].t(), xs[1].t());
    case 'bmm': return torch.bmm(xs[0], xs[1]);
    case 'matmul': return torch.matmul(xs[0], xs[1]);
    case 'addmm': return torch.addmm(xs[0], xs[1], xs[2], { alpha: o.alpha, beta: o.beta });
    case 'baddbmm': return torch.baddbmm(xs[0], xs[1], xs[2], { alpha: o.alpha, beta: o.beta });
    case 'linear': return F.linear(xs[0], xs[1], xs[2]);
    case 'conv2d': return F.conv2d(xs[0], xs[1], xs[2], { stride: o.stride, padding: o.padding, groups: o.groups });
    case 'conv1d': return F.conv1d(xs[0], xs[1], xs[2], { stride: o.stride, padding: o.padding, groups: o.groups });
    case 'conv_transpose2d': return F.convTranspose2d(xs[0], xs[1], xs[2], { stride: o.stride, padding: o.padding, groups: o.groups });
    default: throw new Error(`unknown op ${c.op}`);
  }
}
// out and the gradients of sum(out * g) with the inputs as leaves of `dtype` on `device`
function runCase(c: Case, dtype: torch.DType, device: string): { out: T; grads: T[] } {
  const xs = c.inputs.map((r) => torch.tensor(r.data as number[]).reshape(r.shape).to(device).to(dtype).requiresGrad_(true));
  const out = callOp(c, xs);
  const g = torch.tensor(c.g.data as number[]).reshape(c.g.shape).to(device).to(dtype);
  out.mul(g).sum().backward();
  return { out, grads: xs.map((x) => x.grad as T) };
}

describe('float16/bfloat16 matmul family and conv2d on CUDA (tensor-core GEMMs, float32 accumulation)', () => {
  for (const c of REF.cases) {
    itCuda(`${c.dtype} ${c.name}: forward and backward stay ${c.dtype} and agree with PyTorch and the CPU's float32`, () => {
      const u = U[c.dtype];
      const gpu = runCase(c, c.dtype, 'cuda');
      const cpu = runCase(c, 'float32', 'cpu');
      expect([gpu.out.dtype, gpu.out.device.type, gpu.out.shape]).toEqual([c.dtype, 'cuda', c.out.shape]);
      // computed in 16 bits, not through float32 copies (whose last node would be the cast back)
      expect(gpu.out.gradFn?.name).not.toBe('ToCopyBackward0');
      // forward: one rounding of a float32 accumulation (a 16-bit accumulation would be off by many units); except
      // convTranspose2d, whose GEMM writes 16-bit columns that col2im sums (in float32) and the bias is added to
      // after, as PyTorch's own col2im-based CUDA kernel does: a few roundings, as for the gradients below
      const want = c.out.data as number[];
      const got = flat(gpu.out);
      const [fr, fa] = c.op === 'conv_transpose2d' ? [2 * u, 4 * u * maxAbs(want)] : [u, 2e-5 * maxAbs(want)];
      near(got, want, fr, fa, `${c.name} forward vs PyTorch`);
      near(got, flat(cpu.out), fr, fa, `${c.name} forward vs CPU float32`);
      // backward: the GEMMs round once; col2im / broadcast reductions sum a few rounded 16-bit terms
      c.grads.forEach((r, i) => {
        const gg = gpu.grads[i];
        expect([gg.dtype, gg.device.type, gg.shape]).toEqual([c.dtype, 'cuda', r.shape]);
        const w = r.data as number[];
        near(flat(gg), w, 2 * u, 4 * u * maxAbs(w), `${c.name} grad ${i} vs PyTorch`);
        near(flat(gg), flat(cpu.grads[i]), 2 * u, 4 * u * maxAbs(w), `${c.name} grad ${i} vs CPU float32`);
      });
    });
  }

  itCuda('every GEMM path (cuBLAS Ex, tiled, naive) accumulates float16/bfloat16 in float32, transposed operands included', () => {
    torch.manualSeed(3);
    for (const dt of ['float16', 'bfloat16'] as const) {
      const u = U[dt];
      const a = torch.randn([70, 33]).to(dt), b = torch.randn([19, 70]).to(dt);  // used as a^T [33, 70], b^T [70, 19]
      const exact = flat(torch.mm(a.to('float64').t(), b.to('float64').t()));
      const ag = a.to('cuda'), bg = b.to('cuda');
      for (const p of [0, 1, 2]) {  // a2: 0 auto (cuBLAS), 1 naive, 2 tiled
        const out = torch.empty([33, 19], { dtype: dt, device: 'cuda' });
        runKernel(OP.matmul, [out, ag.t(), bg.t()], [1, 0, p], 'matmul');
        near(flat(out), exact, u, 1e-5 * maxAbs(exact), `${dt} path ${p}`);
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------------------
// TF32 for float32: selected by the flags at each call, exact float32 otherwise
// ------------------------------------------------------------------------------------------------------------
const f32b = new Float32Array(1), u32b = new Uint32Array(f32b.buffer);
// float32 -> TF32 (10 explicit mantissa bits), round to nearest even, as a tensor core's input conversion
function tf32(x: number): number {
  f32b[0] = x;
  let v = u32b[0];
  if ((v & 0x7f800000) === 0x7f800000) return f32b[0];
  v = (v + 0xfff + ((v >>> 13) & 1)) >>> 0;
  u32b[0] = (v & ~0x1fff) >>> 0;
  return f32b[0];
}
// a [m,k] @ b [k,n] in float64 from row-major values, optionally TF32-rounded first; also sum |a||b| per output
function refMM(a: number[], b: number[], m: number, k: number, n: number, round: boolean): { c: number[]; mag: number[] } {
  const r = round ? tf32 : (x: number): number => x;
  const c: number[] = [], mag: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, g = 0;
      for (let p = 0; p < k; p++) { const x = r(a[i * k + p]) * r(b[p * n + j]); s += x; g += Math.abs(x); }
      c.push(s); mag.push(g);
    }
  }
  return { c, mag };
}
// the largest |got - want| relative to the sum of |terms| of each output
const relErr = (got: number[], want: number[], mag: number[]): number => got.reduce((m, x, i) => Math.max(m, Math.abs(x - want[i]) / mag[i]), 0);

describe('TF32 for float32 matmul and convolution', () => {
  const M = 24, K = 300, N = 16;
  torch.manualSeed(7);
  const A = torch.randn([M, K]), B = torch.randn([K, N]);
  const av = flat(A), bv = flat(B);
  const exact = refMM(av, bv, M, K, N, false), rounded = refMM(av, bv, M, K, N, true);
  // float32 accumulation over 300 terms: ~1e-7 of sum|terms|; TF32 inputs: ~2^-11 / sqrt(300) ~ 3e-5 of it
  const EXACT = 3e-6, TF32_MIN = 1e-5;
  const mmErrs = (run: () => T): [number, number] => { const g = flat(run()); return [relErr(g, exact.c, exact.mag), relErr(g, rounded.c, exact.mag)]; };

  itCuda('matmul/mm/linear are exact float32 by default and with precision "highest"; TF32 with allowTf32 or "high"/"medium"', () => {
    const Ag = A.to('cuda'), Bg = B.to('cuda'), Bt = B.t().contiguous().to('cuda');
    const runs: [string, () => T][] = [
      ['matmul', () => Ag.matmul(Bg)], ['mm', () => torch.mm(Ag, Bg)],
      ['linear', () => F.linear(Ag, Bt)], ['bmm', () => torch.bmm(Ag.unsqueeze(0), Bg.unsqueeze(0)).squeeze(0)],
    ];
    for (const [name, run] of runs) {
      torch.setFloat32MatmulPrecision('highest');
      const [e0] = mmErrs(run);
      expect([name, 'exact', e0 < EXACT]).toEqual([name, 'exact', true]);
      torch.backends.cuda.matmul.allowTf32 = true;
      const [e1, r1] = mmErrs(run);
      // the TF32 product is the float64 product of the TF32-rounded inputs (to float32 accumulation), not the exact one
      expect([name, 'tf32', r1 < EXACT, e1 > TF32_MIN, e1 < 2e-3]).toEqual([name, 'tf32', true, true, true]);
      for (const p of ['high', 'medium'] as const) {
        torch.setFloat32MatmulPrecision(p);
        const [e2, r2] = mmErrs(run);
        expect([name, p, r2 < EXACT, e2 > TF32_MIN]).toEqual([name, p, true, true]);
      }
      torch.backends.cuda.matmul.allowTf32 = false;  // back to exact at the very next call
      expect([name, 'off again', mmErrs(run)[0] < EXACT]).toEqual([name, 'off again', true]);
      // cudnn's flag does not reach matmuls
      torch.backends.cudnn.allowTf32 = true;
      expect(mmErrs(run)[0] < EXACT).toBe(true);
    }
    // CPU: float32 is always exact (the flags are CUDA's)
    torch.backends.cuda.matmul.allowTf32 = true;
    expect(relErr(flat(A.matmul(B)), exact.c, exact.mag) < EXACT).toBe(true);
    // float64 and the 16-bit types ignore the flag: float64 on CUDA stays float64-exact
    const d = flat(A.to('float64').to('cuda').matmul(B.to('float64').to('cuda')));
    expect(relErr(d, exact.c, exact.mag) < 1e-12).toBe(true);
  });

  itCuda('the tiled fallback (no cuBLAS) stays exact float32 even with TF32 allowed', () => {
    const out = torch.empty([M, N], { device: 'cuda' });
    runKernel(OP.matmul, [out, A.to('cuda'), B.to('cuda')], [1, 0, 2, 1], 'matmul');
    expect(relErr(flat(out), exact.c, exact.mag) < EXACT).toBe(true);
  });

  itCuda('float32 conv2d (forward and both backwards) follows backends.cudnn.allowTf32 (default true), not the matmul flag', () => {
    torch.manualSeed(11);
    const x = torch.randn([2, 16, 9, 9]), w = torch.randn([8, 16, 3, 3]), g = torch.randn([2, 8, 9, 9]);
    const run = (dev: string): number[][] => {
      const xs = x.clone().to(dev).requiresGrad_(true), ws = w.clone().to(dev).requiresGrad_(true);
      const out = F.conv2d(xs, ws, null, { padding: 1 });
      out.mul(g.to(dev)).sum().backward();
      return [flat(out), flat(xs.grad as T), flat(ws.grad as T)];
    };
    const cpu = run('cpu');
    // per result: the largest difference from the CPU's exact float32, relative to the result's largest magnitude
    const diffs = (r: number[][]): number[] => r.map((v, i) => v.reduce((m, a, j) => Math.max(m, Math.abs(a - cpu[i][j])), 0) / maxAbs(cpu[i]));
    const on = diffs(run('cuda'));  // default: TF32
    torch.backends.cudnn.allowTf32 = false;
    torch.backends.cuda.matmul.allowTf32 = true;  // does not reach convolutions
    const off = diffs(run('cuda'));
    for (let i = 0; i < 3; i++) {
      expect([i, off[i] < 1e-6]).toEqual([i, true]);
      expect([i, on[i] > 1e-5, on[i] < 3e-3]).toEqual([i, true, true]);
    }
  });
});

// ------------------------------------------------------------------------------------------------------------
// child processes (need dist/): NVIDIA_TF32_OVERRIDE=0, and bench/cuda.js (tiny sizes under the emulator)
// ------------------------------------------------------------------------------------------------------------
const dist = path.join(__dirname, '..', 'dist', 'index.js');
const haveDist = fs.existsSync(dist);
if (cudaOk && !haveDist) console.warn('cuda_gemm.test.ts: *** dist/ is not built: the child-process tests (NVIDIA_TF32_OVERRIDE, bench/cuda.js --small) are SKIPPED (npx tsc -p tsconfig.json) ***');

(cudaOk && haveDist ? test : test.skip)('NVIDIA_TF32_OVERRIDE=0 (the library-wide switch) keeps float32 exact whatever the flags say', () => {
  // the largest |cuda - cpu| of a float32 matmul and conv2d with TF32 allowed, relative to the largest |cpu| value
  const script = `
    const torch = require(${JSON.stringify(dist)});
    torch.manualSeed(5);
    torch.backends.cuda.matmul.allowTf32 = true;
    const a = torch.randn([20, 200]), b = torch.randn([200, 12]), x = torch.randn([2, 16, 8, 8]), w = torch.randn([4, 16, 3, 3]);
    const d = (g, c) => g.to('cpu').sub(c).abs().max().item() / c.abs().max().item();
    const F = torch.nn.functional;
    console.log(JSON.stringify([d(a.to('cuda').matmul(b.to('cuda')), a.matmul(b)),
      d(F.conv2d(x.to('cuda'), w.to('cuda'), null, { padding: 1 }), F.conv2d(x, w, null, { padding: 1 }))]));`;
  const run = (env: Record<string, string>): number[] => {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
    expect([r.status, r.stderr.slice(0, 500)]).toEqual([0, '']);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as number[];
  };
  const [mmOn, convOn] = run({});
  const [mmOff, convOff] = run({ NVIDIA_TF32_OVERRIDE: '0' });
  expect([mmOn > 1e-5, convOn > 1e-5]).toEqual([true, true]);
  expect([mmOff < 1e-6, convOff < 1e-6]).toEqual([true, true]);
}, 240000);
// only under the emulator: its cuBLAS can play an older library (CUEMU_CUBLAS_EX=0: no cublas*GemmEx) or a GPU without
// bfloat16 GEMMs (CUEMU_CUBLAS_BF16=0: CUBLAS_STATUS_NOT_SUPPORTED), which matmul.cu must survive with the tiled kernel
const emulated = cudaOk && /nodetorch CUDA emulator/.test(torch.cuda.diagnose());
(emulated && haveDist ? test : test.skip)('without cublas*GemmEx, or when it answers NOT_SUPPORTED, 16-bit matmuls fall back to the tiled kernel and TF32 to exact float32', () => {
  // per dtype: the largest |cuda - exact| of [33 x 70] @ [70 x 19], relative to the largest |exact|
  const script = `
    const torch = require(${JSON.stringify(dist)});
    torch.manualSeed(9);
    torch.backends.cuda.matmul.allowTf32 = true;
    const a = torch.randn([33, 70]), b = torch.randn([70, 19]);
    const r = {};
    for (const dt of ['float16', 'bfloat16', 'float32']) {
      const x = a.to(dt), y = b.to(dt);
      const exact = x.to('float64').matmul(y.to('float64'));
      const got = x.to('cuda').matmul(y.to('cuda')).to('cpu').to('float64');
      r[dt] = got.sub(exact).abs().max().item() / exact.abs().max().item();
    }
    console.log(JSON.stringify(r));`;
  const run = (env: Record<string, string>): Record<string, number> => {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
    expect([r.status, r.stderr.slice(0, 500)]).toEqual([0, '']);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, number>;
  };
  for (const env of [{}, { CUEMU_CUBLAS_BF16: '0' }, { CUEMU_CUBLAS_EX: '0' }]) {
    const e = run(env);
    const tf32Used = !('CUEMU_CUBLAS_EX' in env);  // without the Ex entry points float32 stays exact (Sgemm)
    expect([env, e.float16 < 2 ** -11, e.bfloat16 < 2 ** -8, tf32Used ? e.float32 > 1e-5 : e.float32 < 1e-6])
      .toEqual([env, true, true, true]);
  }
}, 240000);

(cudaOk && haveDist ? test : test.skip)('bench/cuda.js --small runs every row (float32, TF32, bfloat16, float16, add, sum, MLP, CNN)', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bench', 'cuda.js'), '--small', '--rounds', '1', '--no-torch'], { encoding: 'utf8', timeout: 240000 });
  expect([r.status, r.stderr.slice(0, 800)]).toEqual([0, '']);
  const rows = r.stdout.split('\n').filter((l) => /TFLOP\/s|GB\/s|steps\/s/.test(l));
  expect(rows.length).toBe(10);
  for (const l of rows) {
    const v = Number(l.slice(46).trim().split(/\s+/)[0]);
    expect([l, Number.isFinite(v) && v > 0]).toEqual([l, true]);
  }
}, 300000);
