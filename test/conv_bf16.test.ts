// conv_bf16.test.ts - CPU bfloat16 convolution on the CPU's own bfloat16 instructions (AMX / AVX512-BF16 through
// native/cpu/conv_bf16.cc: bfloat16 im2col, float32 sums, one rounding to bfloat16): conv2d, conv1d and
// convTranspose2d forward and both gradients (and the bias's) against PyTorch 1.13's CPU bfloat16 convolution
// (oneDNN; test/ref/gen_conv_bf16.py), and against exact float64 sums of the same bfloat16 values within one
// rounding. On a CPU without those instructions bfloat16 convolution runs in float32 temporaries instead (amp and
// conv tests cover that): these tests say so loudly and skip.
import * as torch from '../lib/index';
import { native } from '../lib/native';
import { OP } from '../lib/ops/ids';
import { Ref } from './helpers';

type T = torch.Tensor;
const F = torch.nn.functional;
interface Case {
  name: string; op: 'conv2d' | 'conv1d' | 'conv_transpose2d'; ref: 'bfloat16' | 'float32'; opts: Record<string, unknown>;
  x: Ref; w: Ref; b: Ref | null; y: Ref; gy: Ref; gx: Ref; gw: Ref; gb: Ref | null;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/conv_bf16.json') as { torch: string; cases: Case[] };

const fromRef = (r: Ref, dtype: torch.DType = 'bfloat16'): T => torch.tensor(r.data as number[], { dtype: 'float32' }).reshape(r.shape).to(dtype);
const vals = (t: T): Float64Array => Float64Array.from(t.to('float64').contiguous().toTypedArray() as Float64Array);

// |got - want| <= rel * |want| + abs * (the largest |want|): rel = 2^-7 for PyTorch's bfloat16 results (both round one
// float32 sum once, summed in different orders: neighbouring bfloat16 values at worst), 2^-8 against exact sums (half
// an ulp of one rounding, plus float32 summation slack)
function expectClose(got: T, want: Float64Array | number[], rel: number, what: string): void {
  const g = vals(got);
  expect(g.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0, at = -1;
  for (let i = 0; i < g.length; i++) {
    const d = Math.abs(g[i] - want[i]), tol = rel * Math.abs(want[i]) + 2 ** -16 * scale + 1e-30;
    if (!(d <= tol) && d / tol > worst) { worst = d / tol; at = i; }
  }
  if (at >= 0) throw new Error(`${what}: element ${at} got ${g[at]}, want ${want[at]} (${worst.toFixed(2)}x the tolerance)`);
}

function run(c: Case, dtype: torch.DType): { y: T; gx: T; gw: T; gb: T | null } {
  const x = fromRef(c.x, dtype).requiresGrad_(true), w = fromRef(c.w, dtype).requiresGrad_(true);
  const b = c.b ? fromRef(c.b, dtype).requiresGrad_(true) : null;
  const o = c.opts as Record<string, number | number[]>;
  const y = c.op === 'conv2d' ? F.conv2d(x, w, b, o) : c.op === 'conv1d' ? F.conv1d(x, w, b, o) : F.convTranspose2d(x, w, b, o);
  y.backward(fromRef(c.gy, dtype));
  return { y, gx: x.grad as T, gw: w.grad as T, gb: b ? (b.grad as T) : null };
}

const cpuBf16 = native.info().cpuBf16;
const has = cpuBf16 === 'amx_bf16';  // lib/nn/convolution.ts cpuBf16Conv: AMX only
if (!has) {
  // eslint-disable-next-line no-console
  console.warn(`conv_bf16.test.ts: SKIPPED: this CPU has no AMX (torch.config().cpuBf16 = '${cpuBf16}'), bfloat16 convolution runs in float32 temporaries here`);
}
const bf16Test = has ? test : test.skip;

describe(`CPU bfloat16 convolution on ${cpuBf16}`, () => {
  bf16Test('the native bfloat16 kernels run (forward, input and weight gradients), not float32 temporaries', () => {
    const spy = jest.spyOn(native, 'run');
    try {
      // stride 1: the input gradient is a forward convolution (flipped, transposed weight)
      run(REF.cases.find((c) => c.name === '3x3 pad 1 bias') as Case, 'bfloat16');
      const calls = (op: number): number => spy.mock.calls.filter((x) => x[0] === op).length;
      expect(calls(OP.conv2d_bf16)).toBe(2);
      expect(calls(OP.conv2d_bf16_backward_weight)).toBe(1);
      expect(calls(OP.conv2d_bf16_backward_input)).toBe(0);
      // stride 2: column sums
      spy.mockClear();
      run(REF.cases.find((c) => c.name === 'stride 2 no bias') as Case, 'bfloat16');
      expect(calls(OP.conv2d_bf16)).toBe(1);
      expect(calls(OP.conv2d_bf16_backward_input)).toBe(1);
      expect(calls(OP.conv2d_bf16_backward_weight)).toBe(1);
      expect(calls(OP.conv2d) + calls(OP.im2col) + calls(OP.conv2d_backward_input)).toBe(0);
    } finally { spy.mockRestore(); }
  });
  for (const c of REF.cases) {
    bf16Test(`${c.op} ${c.name}: output and gradients as PyTorch${c.ref === 'float32' ? ' (float32 reference, one rounding)' : ''}, and within one rounding of the exact sums`, () => {
      const r = run(c, 'bfloat16');
      expect(r.y.dtype).toBe('bfloat16');
      expect(r.gx.dtype).toBe('bfloat16');
      expect(r.gw.dtype).toBe('bfloat16');
      const rel = c.ref === 'bfloat16' ? 2 ** -7 : 2 ** -8;
      expectClose(r.y, c.y.data as number[], rel, 'output');
      expectClose(r.gx, c.gx.data as number[], rel, 'input gradient');
      expectClose(r.gw, c.gw.data as number[], rel, 'weight gradient');
      if (c.gb) expectClose(r.gb as T, c.gb.data as number[], rel, 'bias gradient');
      // exact: the same bfloat16 values in float64
      const e = run(c, 'float64');
      expectClose(r.y, vals(e.y), 2 ** -8, 'output vs float64');
      expectClose(r.gx, vals(e.gx), 2 ** -8, 'input gradient vs float64');
      expectClose(r.gw, vals(e.gw), 2 ** -8, 'weight gradient vs float64');
    });
  }
  bf16Test('a non-contiguous input, a batch of one and a batch of many samples give the same values per sample', () => {
    torch.manualSeed(2);
    const x = torch.randn([5, 9, 9, 6]).to('bfloat16').permute([0, 3, 1, 2]); // [5, 6, 9, 9], channels last in memory
    const w = torch.randn([8, 6, 3, 3]).to('bfloat16'), b = torch.randn([8]).to('bfloat16');
    const all = F.conv2d(x, w, b, { padding: 1, stride: [2, 1] });
    for (let n = 0; n < 5; n++) {
      const one = F.conv2d(x.narrow(0, n, 1).contiguous(), w, b, { padding: 1, stride: [2, 1] });
      expect(one.to('float32').tolist()).toEqual(all.narrow(0, n, 1).to('float32').tolist());
    }
  });
  bf16Test('under torch.autocast(\'cpu\'): a float32 model\'s convolution runs in bfloat16 on the native kernel', () => {
    const conv = new torch.nn.Conv2d(4, 6, 3, { padding: 1 });
    const x = torch.randn([2, 4, 8, 8]);
    const spy = jest.spyOn(native, 'run');
    try {
      const y = torch.autocast('cpu', () => conv.call(x));
      expect(y.dtype).toBe('bfloat16');
      expect(spy.mock.calls.some((c) => c[0] === OP.conv2d_bf16)).toBe(true);
      const ref = conv.call(x);
      const d = y.to('float32').sub(ref).abs().max().item() as number;
      expect(d).toBeLessThan(0.05 * (ref.abs().max().item() as number));
    } finally { spy.mockRestore(); }
  });
  bf16Test('bad operands are TorchErrors naming the op, not native crashes', () => {
    const x = torch.randn([1, 3, 5, 5]).to('bfloat16');
    expect(() => F.conv2d(x, torch.randn([4, 2, 3, 3]).to('bfloat16'))).toThrow(torch.TorchError);
    expect(() => F.conv2d(x, torch.randn([4, 3, 3, 3]))).toThrow(/Input type \(bfloat16\) and weight type \(float\) should be the same/);
  });
});
