// matmul_bf16.test.ts - the bfloat16 matmul kernel on the CPU's own bfloat16 instruction (AVX512-BF16 vdpbf16ps,
// native/cpu/gemm_bf16.cc): against PyTorch 1.13's CPU bfloat16 results (test/ref/gen_matmul_bf16.py) through the
// public API, and against the float32-temporary path of the same kernel on shapes that cross every block edge
// (register tile 14x32, k blocks of 512, row blocks of 112), layouts, alpha/beta and thread counts.
// On a CPU without AVX512-BF16 the kernel cannot run: these tests say so loudly and skip (the float32 path, which such
// a CPU takes, is covered by matmul.test.ts and amp.test.ts).
import * as torch from '../lib/index';
import { lcg } from './helpers';
import { runKernel } from '../lib/tensor';
import { OP } from '../lib/ops/ids';
import { native } from '../lib/native';

type T = torch.Tensor;
interface Case { name: string; inputs: { shape: number[]; seed: number }[]; kw: { alpha?: number; beta?: number }; shape: number[]; values: number[] }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/matmul_bf16.json') as { torch: string; cases: Case[] };

function make(shape: number[], seed: number, scale = 4): T {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.tensor(new Float32Array(lcg(seed, n).map((v) => v * scale))).reshape(shape).to('bfloat16');
}
const f32 = (t: T): Float32Array => t.to('float32').contiguous().toTypedArray() as Float32Array;

// |x - y| within one bfloat16 ulp of the result (2^-7 relative: the float32 sums differ in order, and one
// rounding of two nearly equal sums can land on neighbouring bfloat16 values) plus float32 accumulation-order slack scaled by
// the sum of |products| (both sides accumulate in float32, in different orders)
function expectClose(got: Float32Array, want: Float32Array | number[], absScale: Float32Array | null, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0, at = -1;
  for (let i = 0; i < got.length; i++) {
    const w = want[i], d = Math.abs(got[i] - w);
    const tol = Math.abs(w) * 2 ** -7 + (absScale ? absScale[i] * 2 ** -20 : 0) + 1e-30;
    if (!(d <= tol) && d / tol > worst) { worst = d / tol; at = i; }
  }
  if (at >= 0) throw new Error(`${what}: element ${at} got ${got[at]}, want ${want[at]} (${worst.toFixed(2)}x the tolerance)`);
}

const cpuBf16 = native.info().cpuBf16;
const has = cpuBf16 !== 'none';
if (!has) {
  // eslint-disable-next-line no-console
  console.warn('matmul_bf16.test.ts: SKIPPED: this CPU has no AVX512-BF16 (or NODETORCH_NO_AVX512BF16 is set); the bfloat16 kernel is not tested here');
}
const maybe = has ? describe : describe.skip;

describe('CPU bfloat16 instruction', () => {
  test(`reported: cpuBf16 = ${cpuBf16}`, () => {
    expect(['amx_bf16', 'avx512_bf16', 'none']).toContain(cpuBf16);
    expect(torch.config().cpuBf16).toBe(cpuBf16);
  });
});

maybe(`bfloat16 matmul on AVX512-BF16 vs PyTorch ${REF.torch}`, () => {
  for (const c of REF.cases) {
    test(c.name, () => {
      const op = (xs: T[]): T => {
        if (c.name.startsWith('mm transposed')) return torch.mm(xs[0].t(), xs[1].t());
        if (c.name.startsWith('addmm')) return torch.addmm(xs[0], xs[1], xs[2], { beta: c.kw.beta, alpha: c.kw.alpha });
        if (c.name.startsWith('linear')) return torch.nn.functional.linear(xs[0], xs[1], xs[2]);
        if (c.name.startsWith('bmm')) return torch.bmm(xs[0], xs[1]);
        if (c.name.startsWith('matmul')) return torch.matmul(xs[0], xs[1]);
        return torch.mm(xs[0], xs[1]);
      };
      const xs = c.inputs.map((s) => make(s.shape, s.seed));
      const out = op(xs);
      expect(out.dtype).toBe('bfloat16');
      expect(out.shape).toEqual(c.shape);
      // the same op on |inputs| in float32 bounds the accumulation-order difference
      const scale = f32(op(xs.map((x) => x.to('float32').abs())).reshape([-1]));
      expectClose(f32(out), c.values, scale, c.name);
    });
  }
});

// the raw kernel: attrs [alpha, beta, path, micro-kernel]; 4 = vdpbf16ps, 5 = AMX tiles, 0 with path 2 = the
// float32-temporary path
function gemm(out: T, a: T, b: T, attrs: number[]): T { runKernel(OP.matmul, [out, a, b], attrs); return out; }

const KERNELS: [string, number][] = cpuBf16 === 'amx_bf16' ? [['avx512_bf16', 4], ['amx_bf16', 5]] : [['avx512_bf16', 4]];
if (has && cpuBf16 !== 'amx_bf16') {
  // eslint-disable-next-line no-console
  console.warn('matmul_bf16.test.ts: the AMX kernel is SKIPPED: this CPU (or NODETORCH_NO_AMX) gives AVX512-BF16 only');
}
for (const [kname, kcode] of KERNELS) maybe(`bfloat16 kernel (${kname}) vs the float32 path of the same kernel`, () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 33, 2], [14, 32, 2], [15, 33, 3], [13, 31, 511], [14, 32, 512],
    [29, 65, 513], [113, 40, 100], [33, 31, 17], [64, 64, 32], [225, 97, 1025], [7, 300, 64], [300, 7, 64]];
  for (const [m, n, k] of shapes) {
    test(`${m}x${k} @ ${k}x${n}: layouts, alpha/beta, batch`, () => {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a0 = make(ta ? [k, m] : [m, k], m * 7 + k), b0 = make(tb ? [n, k] : [k, n], n * 13 + k);
        const a = (ta ? a0.t() : a0).unsqueeze(0), b = (tb ? b0.t() : b0).unsqueeze(0);
        for (const [alpha, beta] of [[1, 0], [2, 0.5], [-0.5, 1]]) {
          const c0 = make([1, m, n], 99);
          const got = gemm(c0.clone(), a, b, [alpha, beta, 0, kcode]);
          const want = gemm(c0.clone(), a, b, [alpha, beta, 2, 0]);
          const scale = f32(torch.matmul(a.to('float32').abs(), b.to('float32').abs()).mul(Math.abs(alpha)).reshape([-1]));
          expectClose(f32(got), f32(want), scale, `ta=${ta} tb=${tb} alpha=${alpha} beta=${beta}`);
        }
      }
    });
  }
  test('batch with a broadcast operand, strided output', () => {
    const a = make([3, 20, 70], 5), b = make([70, 45], 6).unsqueeze(0).expand([3, 70, 45]);
    const outBase = torch.zeros([3, 45, 20], { dtype: 'bfloat16' });
    const got = gemm(outBase.transpose(1, 2), a, b, [1, 0, 0, kcode]);
    const want = gemm(torch.zeros([3, 20, 45], { dtype: 'bfloat16' }), a, b, [1, 0, 2, 0]);
    const scale = f32(torch.matmul(a.to('float32').abs(), b.to('float32').abs()).reshape([-1]));
    expectClose(f32(got), f32(want), scale, 'broadcast batch');
  });
  test('NaN and inf propagate; beta = 0 never reads the output', () => {
    const a = make([20, 40], 1), b = make([40, 36], 2);
    const aa = torch.where(torch.arange(800).reshape([20, 40]).eq(125), torch.tensor(NaN, { dtype: 'bfloat16' }), a);
    const bb = torch.where(torch.arange(1440).reshape([40, 36]).eq(7), torch.tensor(Infinity, { dtype: 'bfloat16' }), b);
    const got = f32(gemm(torch.full([1, 20, 36], NaN, { dtype: 'bfloat16' }), aa.unsqueeze(0), bb.unsqueeze(0), [1, 0, 0, kcode]));
    const want = f32(gemm(torch.zeros([1, 20, 36], { dtype: 'bfloat16' }), aa.unsqueeze(0), bb.unsqueeze(0), [1, 0, 2, 0]));
    for (let i = 0; i < got.length; i++) {
      if (Number.isNaN(want[i])) expect(Number.isNaN(got[i])).toBe(true);
      else if (!Number.isFinite(want[i])) expect(got[i]).toBe(want[i]);
      else expect(Number.isFinite(got[i])).toBe(true);
    }
    expect(want.some((v) => Number.isNaN(v))).toBe(true);
    expect(want.some((v) => v === Infinity || v === -Infinity)).toBe(true);
  });
  test('results do not depend on the thread count', () => {
    const a = make([1, 230, 700], 3), b = make([1, 700, 90], 4);
    const before = torch.getNumThreads();
    try {
      torch.setNumThreads(1);
      const one = f32(gemm(torch.zeros([1, 230, 90], { dtype: 'bfloat16' }), a, b, [1, 0, 0, kcode]));
      torch.setNumThreads(2);
      const two = f32(gemm(torch.zeros([1, 230, 90], { dtype: 'bfloat16' }), a, b, [1, 0, 0, kcode]));
      expect(Array.from(two)).toEqual(Array.from(one));
    } finally { torch.setNumThreads(before); }
  });
});
