// core.test.ts - creation, elementwise (with PyTorch's type promotion), shape ops and gradients, compared with
// values recorded from PyTorch by test/ref/gen_core.py.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/core.json') as { cases: { name: string; expected: Ref }[]; grads: { name: string; inputs: unknown[]; out: Ref; grads: Ref[] }[] };

type T = torch.Tensor;
const A = (): T => torch.tensor([[-1.5, 0.25, 2.0], [3.5, -0.75, 0.0]]);
const B = (): T => torch.tensor([0.5, -2.0, 4.0]);
const I = (): T => torch.tensor([[3, -7, 2], [0, 5, -1]]);
const J = (): T => torch.tensor([2, -3, 4]);
const U8 = (): T => torch.tensor([200, 3, 17], { dtype: 'uint8' });
const I8 = (): T => torch.tensor([-5, 3, 100], { dtype: 'int8' });
const BO = (): T => torch.tensor([true, false, true]);
const D = (): T => torch.tensor([1.25, -2.5, 3.0], { dtype: 'float64' });
const H = (): T => torch.tensor([1.5, -2.25, 0.1], { dtype: 'float16' });
const P = (): T => torch.tensor([0.3, 1.7, 4.2]);
const X = (): T => torch.arange(24, { dtype: 'float32' }).reshape(2, 3, 4);
const call = (name: string, ...a: unknown[]): T => (torch as unknown as Record<string, (...x: unknown[]) => T>)[name](...a);

const CASES: Record<string, () => T> = {};
for (const op of ['neg', 'abs', 'sign', 'exp', 'expm1', 'sin', 'cos', 'tan', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'round', 'trunc', 'square']) CASES[`${op}_f32`] = () => call(op, A());
for (const op of ['log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'reciprocal']) CASES[`${op}_pos`] = () => call(op, P());
for (const op of ['asin', 'acos']) CASES[op] = () => call(op, torch.tensor([-0.9, 0.1, 0.7]));
for (const op of ['neg', 'abs', 'sign', 'square', 'relu']) CASES[`${op}_int`] = () => call(op, I());
for (const op of ['exp', 'sin', 'sqrt', 'sigmoid']) CASES[`${op}_int_to_float`] = () => call(op, J());
CASES.round_half_even = () => torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5]));
for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2', 'remainder', 'fmod', 'pow']) CASES[`${op}_bcast`] = () => call(op, A(), B());
for (const op of ['add', 'sub', 'mul', 'div', 'remainder', 'fmod']) CASES[`${op}_int`] = () => call(op, I(), J());
CASES.floor_divide_int = () => torch.floorDivide(I(), J());
CASES.div_trunc_int = () => torch.div(I(), J(), { roundingMode: 'trunc' });
CASES.div_floor_int = () => torch.div(I(), J(), { roundingMode: 'floor' });
CASES.div_floor_f = () => torch.div(A(), B(), { roundingMode: 'floor' });
CASES.pow_int = () => torch.pow(J(), 3);
CASES.pow_int_tensor = () => torch.pow(torch.tensor([2, 3, 4]), torch.tensor([3, 0, 2]));
CASES.pow_scalar_base = () => torch.pow(2, A());
CASES.pow_frac = () => torch.pow(P(), 0.5);
CASES.prom_int_float_scalar = () => I().mul(2.5);
CASES.prom_int_int_scalar = () => I().mul(2);
CASES.prom_f32_f64_0d = () => A().add(torch.tensor(1.0, { dtype: 'float64' }));
CASES.prom_f32_f64_1d = () => B().add(D());
CASES.prom_u8_i8 = () => U8().add(I8());
CASES.prom_u8_scalar = () => U8().add(100);
CASES.prom_bool_int = () => BO().add(J());
CASES.prom_bool_bool = () => BO().add(BO());
CASES.prom_bool_float_scalar = () => BO().mul(1.5);
CASES.prom_half_float = () => H().add(B());
CASES.prom_half_scalar = () => H().mul(2.5);
CASES.prom_int_0d_float = () => J().add(torch.tensor(1.5));
CASES.prom_i8_0d_i64 = () => I8().add(torch.tensor(5));
CASES.prom_f16_0d_f64 = () => H().add(torch.tensor(1.0, { dtype: 'float64' }));
CASES.cmp_int_float = () => J().lt(torch.tensor([2.5, -3.5, 4.0]));
CASES.eq_bool = () => BO().eq(torch.tensor([true, true, false]));
CASES.bitwise_and_bool = () => BO().bitwiseAnd(torch.tensor([true, true, false]));
CASES.bitwise_xor_int = () => torch.bitwiseXor(J(), torch.tensor([7, 7, 7]));
CASES.bitwise_not_int = () => torch.bitwiseNot(J());
CASES.logical_not_float = () => torch.logicalNot(A());
CASES.where_scalar = () => torch.where(A().gt(0), A(), 0.0);
CASES.where_int_float = () => torch.where(BO(), J(), B());
CASES.clamp_int = () => torch.clamp(I(), -2, 3);
CASES.clamp_tensor = () => torch.clamp(A(), { min: torch.tensor([-1.0, 0.0, 1.0]) } as never);
CASES.lerp_tensor_w = () => torch.lerp(A(), torch.zeros(2, 3), torch.tensor([0.0, 0.5, 1.0]));
CASES.nan_to_num = () => torch.nanToNum(torch.tensor([NaN, Infinity, -Infinity, 1.0]));
CASES.isnan = () => torch.isnan(torch.tensor([NaN, 1.0]));
CASES.maximum_nan = () => torch.maximum(torch.tensor([NaN, 1.0, 2.0]), torch.tensor([0.0, NaN, 3.0]));
CASES.to_half_round = () => torch.tensor([0.1, 1e-5, 65519.0, 70000.0, -3.3333]).half();
CASES.to_bf16_round = () => torch.tensor([0.1, 1e-5, 3.3333, 1e30]).bfloat16();
CASES.float_to_int_cast = () => torch.tensor([-1.7, 2.9, 0.5]).long();
CASES.float_to_u8_cast = () => torch.tensor([3.7, 250.2]).to('uint8');
CASES.int_to_bool = () => torch.tensor([0, 3, -1]).bool();
CASES.half_math = () => H().mul(H()).add(H());
CASES.bf16_add = () => torch.tensor([1.5, 2.5], { dtype: 'bfloat16' }).add(torch.tensor([0.01, 100.0], { dtype: 'bfloat16' }));
CASES.arange_float = () => torch.arange(0, 1, 0.25);
CASES.arange_neg = () => torch.arange(5, 0, -2);
CASES.linspace = () => torch.linspace(-1, 1, 7);
CASES.linspace_int = () => torch.linspace(0, 10, 4, { dtype: 'int64' });
CASES.eye_rect = () => torch.eye(3, 5);
CASES.full_bool = () => torch.full([2], true);
CASES.full_int = () => torch.full([2, 2], 7);
CASES.permute = () => X().permute(2, 0, 1).contiguous();
CASES.transpose_reshape = () => X().transpose(0, 2).reshape(4, 6);
CASES.flip = () => X().flip([0, 2]);
CASES.roll = () => X().roll(1, 1);
CASES.roll_flat = () => X().roll(5);
CASES.tril = () => X().tril(-1);
CASES.triu = () => X().triu(1);
CASES.repeat = () => X().index(':', ':2', ':1').repeat(2, 1, 3);
CASES.tile = () => torch.tensor([1, 2]).tile([2, 2]);
CASES.cat_promote = () => torch.cat([torch.tensor([1, 2]), torch.tensor([0.5])]);
CASES.stack_neg = () => torch.stack([B(), B().mul(2)], -1);
CASES.diagonal = () => X().diagonal(0, 1, 2);
CASES.diagonal_off = () => X().diagonal(1, 1, 2);
CASES.narrow = () => X().narrow(2, 1, 2);
CASES.select_neg = () => X().select(-1, -2);
CASES.slice_step = () => X().slice(1, null, null, 2).slice(2, 1);
CASES.expand = () => B().unsqueeze(0).expand(3, 3);
CASES.movedim = () => X().movedim(0, -1).contiguous();
CASES.chunk = () => torch.cat(torch.arange(10).chunk(4));
CASES.split_sizes = () => torch.stack(torch.arange(10).split([3, 7]).map((t) => t.sum()));
CASES.unflatten = () => X().reshape(2, 12).unflatten(1, [3, -1]);

describe('values match PyTorch', () => {
  for (const c of REF.cases) {
    test(c.name, () => {
      const f = CASES[c.name];
      expect(f).toBeDefined();
      expectTensor(f(), c.expected);
    });
  }
});

const F2: Record<string, (x: T, y: T) => T> = {};
for (const op of ['exp', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'neg', 'erf', 'atan', 'sinh', 'cosh', 'square', 'expm1', 'relu', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'log1p', 'log2', 'log10']) F2[op] = (x) => call(op, x);
for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'atan2']) F2[op + '_bcast'] = (x, y) => call(op, x, y);
Object.assign(F2, {
  pow_tt: (x: T, y: T) => torch.pow(x, y),
  pow_scalar: (x: T) => x.pow(3),
  add_alpha: (x: T, y: T) => torch.add(x, y, { alpha: -2.5 }),
  where: (x: T, y: T) => torch.where(x.gt(0), x, y),
  clamp: (x: T) => x.clamp(-1, 1),
  lerp: (x: T, y: T) => torch.lerp(x, y, 0.3),
  permute_view: (x: T) => x.t().reshape(-1).slice(0, 1, 5),
  expand: (_x: T, y: T) => y.expand(4, 3),
  cat: (x: T, y: T) => torch.cat([x, y.unsqueeze(0)], 0),
  stack: (x: T, y: T) => torch.stack([x.select(0, 0), y], 1),
  flip_roll: (x: T) => x.flip([1]).roll(1, 0),
  repeat: (x: T) => x.repeat(2, 2),
  tril: (x: T) => x.tril(),
  diagonal: (x: T) => x.diagonal(),
  select_narrow: (x: T) => x.select(1, 2).mul(x.narrow(1, 0, 1).squeeze(1)),
  chain: (x: T, y: T) => x.mul(y).sin().mul(x).exp().sum(1),
  inplace_chain: (x: T, y: T) => x.mul(2).add_(y).mul_(x),
});

describe('gradients match PyTorch (float64)', () => {
  for (const g of REF.grads) {
    test(g.name, () => {
      const ins = g.inputs.map((v) => torch.tensor(v, { dtype: 'float64', requiresGrad: true }));
      const out = F2[g.name](ins[0], ins[1] ?? ins[0].detach());
      expectTensor(out, g.out);
      const w = torch.linspace(-1, 1, out.numel(), { dtype: 'float64' }).reshape(out.shape);
      out.mul(w).sum().backward();
      g.grads.forEach((r, i) => (r === null ? expect(ins[i].grad).toBeNull() : expectTensor(ins[i].grad as T, r)));
    });
  }
});

describe('errors', () => {
  test('broadcast mismatch names the sizes', () => {
    expect(() => torch.add(torch.zeros(2, 3), torch.zeros(4))).toThrow(/size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/);
  });
  test('TorchError class', () => {
    try { torch.zeros(2).view(3); } catch (e) { expect(e).toBeInstanceOf(torch.TorchError); return; }
    throw new Error('no error');
  });
  test('integer division by zero', () => {
    expect(() => torch.div(torch.tensor([1]), torch.tensor([0]), { roundingMode: 'floor' })).toThrow(torch.TorchError);
  });
  test('in-place type promotion', () => {
    expect(() => torch.tensor([1, 2]).add_(1.5)).toThrow(/result type Float can't be cast to the desired output type Long/);
  });
  test('view of non-contiguous', () => {
    expect(() => torch.zeros(4, 3).t().view(-1)).toThrow(/view size is not compatible/);
  });
  test('disposed tensor', () => {
    const t = torch.ones(3);
    t.dispose();
    expect(() => t.add(1)).toThrow(/disposed/);
  });
  test('negative size', () => { expect(() => torch.zeros(-1)).toThrow(torch.TorchError); });
  test('arange with an integer dtype casts start and step first (PyTorch 1.13)', () => {
    expect(torch.arange(-3, 3, 2.5, { dtype: 'int64' }).tolist()).toEqual([-3, -1, 1]);
    expect(torch.arange(0.5, 4, { dtype: 'int64' }).tolist()).toEqual([0, 1, 2, 3]);
    expect(() => torch.arange(0, 3, 0.5, { dtype: 'int32' })).toThrow(/step must be nonzero/);
    expect(torch.arange(0, 1, 0.25, { dtype: 'float16' }).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    const big = torch.arange(3_000_000);
    expect(big.dtype).toBe('int64');
    expect(big.index(2_999_999).item()).toBe(2_999_999);
  });
  test('bool subtraction', () => { expect(() => torch.tensor([true]).sub(torch.tensor([true]))).toThrow(/Subtraction/); });
});

describe('tensor basics', () => {
  test('views share storage', () => {
    const x = torch.zeros(3, 4);
    const v = x.t();
    expect(v.dataPtr().split(':')[0]).toBe(x.dataPtr().split(':')[0]);
    v.select(0, 1).fill_(5);
    expect(x.tolist()).toEqual([[0, 5, 0, 0], [0, 5, 0, 0], [0, 5, 0, 0]]);
    expect(x.contiguous()).toBe(x);
    expect(v.isContiguous()).toBe(false);
  });
  test('frombuffer shares memory', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const t = torch.frombuffer(a).view(2, 2);
    a[0] = 10;
    expect(t.tolist()).toEqual([[10, 2], [3, 4]]);
    t.mul_(2);
    expect(Array.from(a)).toEqual([20, 4, 6, 8]);
  });
  test('toTypedArray classes', () => {
    expect(torch.tensor([1, 2]).toTypedArray()).toBeInstanceOf(BigInt64Array);
    expect(torch.tensor([1.5]).toTypedArray()).toBeInstanceOf(Float32Array);
    expect(torch.tensor([true]).toTypedArray()).toBeInstanceOf(Uint8Array);
    expect(torch.tensor([1.5], { dtype: 'float16' }).toTypedArray()).toBeInstanceOf(Float32Array);
  });
  test('printing', () => {
    expect(torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(torch.tensor([1.5], { dtype: 'float64' }).toString()).toBe('tensor([1.5000], dtype=torch.float64)');
    expect(torch.tensor(2.5).toString()).toBe('tensor(2.5000)');
    expect(torch.tensor([1e-5, 1]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
  });
  test('manualSeed reproducible', () => {
    torch.manualSeed(42);
    const a = torch.randn(5).tolist();
    const b = torch.rand(3).tolist();
    torch.manualSeed(42);
    expect(torch.randn(5).tolist()).toEqual(a);
    expect(torch.rand(3).tolist()).toEqual(b);
    const p = torch.randperm(10).tolist() as number[];
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
  });
  test('random statistics', () => {
    torch.manualSeed(1);
    const n = torch.randn(100000);
    expect(Math.abs(n.mean().item() as number)).toBeLessThan(0.02);
    expect(Math.abs((n.std().item() as number) - 1)).toBeLessThan(0.02);
    const u = torch.rand(100000);
    expect(Math.abs((u.mean().item() as number) - 0.5)).toBeLessThan(0.01);
    const r = torch.randint(3, 7, [10000]);
    expect(r.min().item()).toBe(3);
    expect(r.max().item()).toBe(6);
  });
  test('to() returns self when nothing changes', () => {
    const x = torch.ones(2);
    expect(x.to('float32')).toBe(x);
    expect(x.to('cpu')).toBe(x);
    expect(x.to({ dtype: 'float64' }).dtype).toBe('float64');
  });
  test('int64 exactness', () => {
    expect(torch.tensor([2 ** 53]).add(0).item()).toBe(2 ** 53);
    expect(torch.full([1], 2 ** 40 + 3, { dtype: 'int64' }).item()).toBe(2 ** 40 + 3);
  });
});

describe('unknown options are TypeErrors in factories and reductions (as Python\'s unexpected keyword arguments)', () => {
  const opts = (o: Record<string, unknown>): never => o as never;
  test('factories', () => {
    expect(() => torch.zeros([2], opts({ dtyp: 'float64' }))).toThrow(/zeros\(\): unexpected option 'dtyp' \(expected size, dtype, layout, device, pinMemory, requiresGrad, out\)/);
    expect(() => torch.full([2], 1, opts({ requires_grad: true }))).toThrow(/full\(\): unexpected option 'requires_grad'/);
    expect(() => torch.arange(0, 3, 1, opts({ dtpye: 'int32' }))).toThrow(/arange\(\): unexpected option 'dtpye'/);
    expect(torch.randn([2], { generator: new torch.Generator().manualSeed(1) }).shape).toEqual([2]);
    expect(() => torch.zeros([2], opts({ generator: null }))).toThrow(/unexpected option 'generator'/);
    expect(torch.logspace(0, 2, 3, { base: 2 }).tolist()).toEqual([1, 2, 4]);
  });
  test('reductions', () => {
    const x = torch.ones([2, 3]);
    expect(() => x.sum(1, opts({ keepDim: true }))).toThrow(/sum\(\): unexpected option 'keepDim' \(expected dim, keepdim, dtype\)/);
    expect(() => x.max(1, opts({ keep_dim: true }))).toThrow(/unexpected option 'keep_dim'/);
    expect(() => x.var(1, opts({ ddof: 0 }))).toThrow(/var\(\): unexpected option 'ddof'/);
    expect(x.sum(1, { keepdim: true, dtype: 'float64' }).dtype).toBe('float64');
    expect(x.std(1, { correction: 0 }).tolist()).toEqual([0, 0]);
  });
  test('autograd, to(), shape and index ops; the vision and data options', () => {
    const x = torch.randn([3], { requiresGrad: true });
    expect(() => x.mul(2).sum().backward(opts({ retain_graph: true }))).toThrow(/backward\(\): unexpected option 'retain_graph' \(expected retainGraph, createGraph, inputs\)/);
    expect(() => torch.autograd.grad(x.mul(2).sum(), x, opts({ create_graph: true }))).toThrow(/autograd.grad\(\): unexpected option 'create_graph'/);
    expect(() => x.to(opts({ dtyp: 'float64' }))).toThrow(/to\(\): unexpected option 'dtyp'/);
    expect(x.to('cpu', 'float64').dtype).toBe('float64'); // PyTorch's to(device, dtype)
    expect(x.to('float16', { nonBlocking: true }).dtype).toBe('float16');
    expect(() => torch.cat([x, x], opts({ axis: 0 }))).toThrow(/cat\(\): unexpected option 'axis'/);
    expect(() => x.detach().sort(opts({ descendng: true }))).toThrow(/sort\(\): unexpected option 'descendng'/);
    expect(() => x.detach().topk(2, opts({ sortd: false }))).toThrow(/topk\(\): unexpected option 'sortd'/);
    expect(() => torch.unique(x.detach(), opts({ return_counts: true }))).toThrow(/unique\(\): unexpected option 'return_counts'/);
    expect(() => torch.nn.utils.clipGradNorm_([x], 1, opts({ norm_type: 1 }))).toThrow(/clip_grad_norm_\(\): unexpected option 'norm_type'/);
    expect(() => new torch.nn.Linear(2, 2).to(opts({ dtyp: 'float64' }))).toThrow(/Module.to\(\): unexpected option 'dtyp'/);
    expect(() => torch.utils.data.randomSplit([1, 2, 3], [1, 2], opts({ gen: 1 }))).toThrow(/randomSplit\(\): unexpected option 'gen'/);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const vision = require('../lib/vision') as typeof import('../lib/vision');
    expect(() => new vision.transforms.Normalize([0.5], [0.5], opts({ inplac: true }))).toThrow(/Normalize\(\): unexpected option 'inplac'/);
    expect(() => new vision.transforms.Resize(8, opts({ antialis: true }))).toThrow(/Resize\(\): unexpected option 'antialis'/);
    expect(() => new vision.transforms.RandomCrop(8, opts({ pad: 2 }))).toThrow(/RandomCrop\(\): unexpected option 'pad'/);
    expect(() => new vision.datasets.MNISTSample(opts({ trian: false }))).toThrow(/MNISTSample\(\): unexpected option 'trian'/);
    expect(() => vision.utils.makeGrid(torch.rand([2, 3, 4, 4]), opts({ n_row: 2 }))).toThrow(/makeGrid\(\): unexpected option 'n_row'/);
    expect(() => vision.io.encodePng(torch.zeros([1, 2, 2], { dtype: 'uint8' }), opts({ level: 2 }))).toThrow(/encodePng\(\): unexpected option 'level'/);
  });
  test('elementwise and index ops: PyTorch positional accumulate / rounding mode; unknown options', () => {
    const z = torch.zeros([4]);
    z.indexPut_([torch.tensor([1, 1])], torch.tensor(2.5), true);  // PyTorch's index_put_(indices, values, accumulate)
    expect(z.tolist()).toEqual([0, 5, 0, 0]);
    expect(torch.div(torch.tensor([7, -7]), 2, 'floor').tolist()).toEqual([3, -4]);
    expect(() => torch.div(torch.tensor([7]), 2, opts({ rounding_mode: 'floor' }))).toThrow(/div\(\): unexpected option 'rounding_mode'/);
    expect(() => z.clamp(opts({ min: 0, mx: 1 }))).toThrow(/clamp\(\): unexpected option 'mx'/);
    expect(() => z.add(1, opts({ alhpa: 2 }))).toThrow(/unexpected option 'alhpa'/);
    expect(() => z.indexPut_([torch.tensor([1])], torch.tensor(1.5), 'yes' as never)).toThrow(/argument 'accumulate' must be bool/);
    expect(() => torch.addmm(torch.zeros([2, 2]), torch.ones([2, 2]), torch.ones([2, 2]), opts({ beat: 0 }))).toThrow(/unexpected option 'beat'/);
    expect(() => z.nonzero(opts({ as_tuple: true }))).toThrow(/nonzero\(\): unexpected option 'as_tuple'/);
  });
});
