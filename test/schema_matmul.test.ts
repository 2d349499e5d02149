// schema_matmul.test.ts - the ops of issue 11's last migration (the matmul family, norm and the small Tensor ops) as
// rows of lib/ops/ops.schema: PyTorch's keyword arguments by their camelCase names, out=, the in-place variants and
// their gradients give PyTorch's numbers (test/ref/schema_matmul.json, from test/ref/gen_schema_matmul.py with
// PyTorch's own keyword calls); the one parser's TypeErrors; the rows' autocast column.
import * as torch from '../lib/index';
import { autocastPolicy } from '../lib/amp/autocast';
import { expectTensor } from './helpers';

type T = torch.Tensor;
interface Ref { dtype: string; shape: number[]; data: (number | boolean | string)[] }
const REF = require('./ref/schema_matmul.json') as { inputs: Record<string, number[] | number[][] | number[][][]>; cases: Record<string, Ref | Ref[] | boolean>; errors: Record<string, string> };
const ref = (name: string): Ref => {
  const c = REF.cases[name];
  if (!c || Array.isArray(c) || typeof c === 'boolean') throw new Error(`no single reference ${name}`);
  return c;
};
const refs = (name: string): Ref[] => REF.cases[name] as Ref[];
const inp = (k: string): T => torch.tensor(REF.inputs[k] as number[][]);
const A = (): T => inp('A'), B = (): T => inp('B'), C = (): T => inp('C'), V = (): T => inp('V'), W = (): T => inp('W'), B1 = (): T => inp('B1');
const B2 = (): T => B().expand(2, 3, 4).clone();
const CB = (): T => C().unsqueeze(0).expand(2, 2, 4).clone();
const out = (): T => torch.empty([0]);

describe('the matmul family by PyTorch keyword (vs PyTorch 1.13)', () => {
  const cases: [string, () => T][] = [
    ['mm_kw', () => torch.mm({ input: A(), mat2: B() })],
    ['mm_out', () => torch.mm(A(), B(), { out: out() })],
    ['mm_method_kw', () => A().mm({ mat2: B() })],
    ['bmm_kw', () => torch.bmm(B1(), { mat2: B2() })],
    ['bmm_out', () => torch.bmm(B1(), B2(), { out: out() })],
    ['matmul_kw', () => torch.matmul({ input: B1(), other: B() })],
    ['matmul_out', () => torch.matmul(A(), V(), { out: out() })],
    ['matmul_method_kw', () => A().matmul({ other: B() })],
    ['dot_kw', () => torch.dot(V(), { tensor: V().mul(2) })],
    ['dot_out', () => torch.dot(V(), V(), { out: out() })],
    ['dot_method_kw', () => V().dot({ tensor: V() })],
    ['mv_kw', () => torch.mv({ input: A(), vec: V() })],
    ['mv_out', () => torch.mv(A(), V(), { out: out() })],
    ['addmm_kw', () => torch.addmm(C(), A(), B(), { beta: 0.5, alpha: 2 })],
    ['addmm_named', () => torch.addmm({ input: C(), mat1: A(), mat2: B() })],
    ['addmm_out', () => torch.addmm(C(), A(), B(), { alpha: -1, out: out() })],
    ['addmm_method', () => C().addmm(A(), { mat2: B(), beta: 0 })],
    ['addmm_inplace', () => { const x = C(); const r = x.addmm_(A(), B(), { beta: 0.5, alpha: -1 }); expect(r).toBe(x); return x; }],
    ['addmm_broadcast', () => torch.addmm(torch.tensor([1, 2, 3, 4], { dtype: 'float32' }), A(), B(), { beta: 2 })],
    ['addmv_kw', () => torch.addmv(W(), A(), V(), { beta: 2, alpha: 0.5 })],
    ['addmv_inplace', () => { const x = W(); x.addmv_({ mat: A(), vec: V(), alpha: 3 }); return x; }],
    ['addmv_out', () => torch.addmv(W(), A(), V(), { out: out() })],
    ['baddbmm_kw', () => torch.baddbmm(CB(), B1(), B2(), { beta: -1, alpha: 0.25 })],
    ['baddbmm_inplace', () => { const x = CB(); x.baddbmm_(B1(), { batch2: B2(), beta: 0.5 }); return x; }],
    ['baddbmm_out', () => torch.baddbmm(CB(), B1(), B2(), { out: out() })],
    ['outer_kw', () => torch.outer({ input: V(), vec2: W() })],
    ['outer_promote', () => torch.outer(torch.tensor([1, 2, 3]), W())],
    ['ger_kw', () => torch.ger(V(), { vec2: W() })],
    ['outer_out', () => torch.outer(V(), W(), { out: out() })],
  ];
  test.each(cases)('%s', (name, f) => expectTensor(f(), ref(name)));

  test('out= is the tensor written, resized from empty; the result of a keyword call equals the positional one', () => {
    const o = out();
    expect(torch.addmm(C(), A(), B(), { out: o, beta: 0.5 })).toBe(o);
    expect(o.shape).toEqual([2, 4]);
    const t = torch.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    expect(torch.matmul(t, { other: t }).tolist()).toEqual(torch.matmul(t, t).tolist());
  });

  test('addmm_ through the in-place protocol: gradients of input, mat1 and mat2 (beta 0.5, alpha 2)', () => {
    const am = A().requiresGrad_(), bm = B().requiresGrad_(), cm = C().requiresGrad_();
    const y = cm.mul(1);
    y.addmm_(am, bm, { beta: 0.5, alpha: 2 });
    expect(y.gradFn?.name).toBe('AddmmBackward0');
    y.mul(C()).sum().backward();
    const [gc, ga, gb] = refs('addmm_inplace_grads');
    expectTensor(cm.grad as T, gc);
    expectTensor(am.grad as T, ga);
    expectTensor(bm.grad as T, gb);
  });

  test("errors: PyTorch's shape message; an in-place result that does not fit self (the in-place protocol's message)", () => {
    expect(() => torch.mm(A(), A())).toThrow(REF.errors.mm_shapes);
    expect(() => torch.tensor([1, 2, 3, 4], { dtype: 'float32' }).addmm_(A(), B())).toThrow(/addmm_: output with shape \[4\] doesn't match the broadcast shape \[2, 4\]/);
  });

  test("the parser's TypeErrors: beta/alpha are keyword-only, unknown and duplicate names, methods take no out=", () => {
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.addmm, C(), A(), B(), 0.5)).toThrow(TypeError);
    expect(() => call(torch.addmm, C(), A(), B(), 0.5)).toThrow(/addmm\(\) takes \(input, mat1, mat2\) positionally/);
    expect(() => call(torch.mm, A(), { other: B() })).toThrow(/mm\(\): unexpected option 'other' \(expected input, mat2, out\)/);
    expect(() => call(torch.mm, A(), B(), { mat2: B() })).toThrow(/mm\(\): got multiple values for argument 'mat2'/);
    expect(() => call(torch.dot, V())).toThrow(/dot\(\): missing required argument 'tensor'/);
    const m = A() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => m.mm(B(), { out: out() })).toThrow(/mm\(\): unexpected option 'out' \(expected mat2\)/);
    expect(() => (C() as unknown as Record<string, (...a: unknown[]) => unknown>).addmm_(A(), B(), { out: out() })).toThrow(TypeError);
  });

  test('out= refuses arguments that require grad (grad mode), as PyTorch', () => {
    expect(() => torch.mm(A().requiresGrad_(), B(), { out: out() })).toThrow(/functions with out=\.\.\. arguments don't support automatic differentiation/);
  });

  test("autocast=: the rows' categories (PyTorch 1.13's autocast_mode.cpp) are what amp dispatches on", () => {
    for (const op of ['mm', 'bmm', 'matmul', 'addmm', 'baddbmm']) expect([op, autocastPolicy(op, 'cpu'), autocastPolicy(op, 'cuda')]).toEqual([op, 'lower', 'lower']);
    for (const op of ['mv', 'addmv']) expect([op, autocastPolicy(op, 'cpu'), autocastPolicy(op, 'cuda')]).toEqual([op, null, 'lower']);
    expect([autocastPolicy('dot', 'cpu'), autocastPolicy('dot', 'cuda')]).toEqual([null, 'promote']);
    // under CPU autocast (bfloat16), mm runs in bfloat16
    torch.autocast('cpu', () => expect(torch.mm(A(), B()).dtype).toBe('bfloat16'));
  });
});

describe('norm by PyTorch keyword (vs PyTorch 1.13)', () => {
  const cases: [string, () => T][] = [
    ['norm_fro_dims', () => torch.norm(A(), { p: 'fro', dim: [0, 1] })],
    ['norm_fro_dim', () => torch.norm(A(), 'fro', 1)],
    ['norm_none', () => torch.norm(A(), { p: null })],
    ['norm_p3_dtype', () => torch.norm(A(), 3, 1, true, { dtype: 'float64' })],
    ['norm_out', () => torch.norm(A(), 1, { out: out() })],
    ['norm_method_inf', () => A().norm({ p: Infinity, dim: 0, keepdim: true })],
    ['norm_method_kw', () => A().norm({ dim: 1 })],
    ['norm_named', () => torch.norm({ input: A(), p: 0.5, keepdim: true })],
  ];
  test.each(cases)('%s', (name, f) => expectTensor(f(), ref(name)));

  test('the gradient (NormBackward1) of a p=3 norm over a dim', () => {
    const x = A().requiresGrad_();
    const n = torch.norm(x, 3, { dim: 1 });
    expect(n.gradFn?.name).toBe('NormBackward1');
    n.sum().backward();
    expectTensor(x.grad as T, ref('norm_p3_grad'));
  });

  test("the parser's and norm's errors: dtype is keyword-only, unknown options, a bad p", () => {
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    // (torch.norm's fifth positional parameter is out, as PyTorch's: a dtype there is PyTorch's TypeError too)
    expect(() => call(torch.norm, A(), 2, 1, false, 'float64')).toThrow(/norm\(\): argument 'out' \(position 5\) must be Tensor or null, not string float64/);
    expect(() => call(torch.norm, A(), 2, 1, false, null, 'float64', 1)).toThrow(/norm\(\) takes \(input, p\?, dim\?, keepdim\?, dtype\?\) positionally/);
    expect(() => call(torch.norm, A(), { ord: 2 })).toThrow(/norm\(\): unexpected option 'ord'/);
    expect(() => call(torch.norm, A(), 2, { p: 1 })).toThrow(/got multiple values for argument 'p'/);
    expect(() => call(torch.norm, A(), 2, 'x')).toThrow(/norm\(\): argument 'dim' must be int or tuple of ints/);
    expect(() => call(torch.norm, A(), 'max')).toThrow(/norm: invalid p "max"/);
    expect(() => torch.norm(A(), 'nuc')).toThrow(/nuclear norm/);
    expect(() => torch.norm(torch.tensor([1, 2]))).toThrow(/input dtype should be either floating point or complex/);
  });

  test('autocast=cuda:fp32opt: the row is what amp dispatches on; not listed on the CPU', () => {
    expect([autocastPolicy('norm', 'cpu'), autocastPolicy('norm', 'cuda')]).toEqual([null, 'fp32opt']);
  });
});

describe('the small Tensor ops by PyTorch keyword (vs PyTorch 1.13)', () => {
  const Z = (): T => torch.tensor([[-1.5, 0, 2.25], [Infinity, -0, -Infinity]], { dtype: 'float32' });
  const N1 = (): T => torch.tensor([1, NaN, 3], { dtype: 'float32' }), N2 = (): T => torch.tensor([1.001, NaN, 3.5], { dtype: 'float32' });
  const cases: [string, () => T][] = [
    ['sgn_kw', () => torch.sgn({ input: Z() })],
    ['sgn_inplace', () => { const x = Z(); expect(x.sgn_()).toBe(x); return x; }],
    ['signbit_kw', () => torch.signbit({ input: Z() })],
    ['signbit_out', () => torch.signbit(Z(), { out: torch.empty([0], { dtype: 'bool' }) })],
    ['isposinf_kw', () => torch.isposinf({ input: Z() })],
    ['isneginf_method', () => Z().isneginf()],
    ['frac_kw', () => torch.frac({ input: A().mul(1.75) })],
    ['frac_inplace', () => { const x = A().mul(1.75); x.frac_(); return x; }],
    ['frac_out', () => torch.frac(A().mul(1.75), { out: out() })],
    ['isclose_pos', () => torch.isclose(N1(), N2(), 1e-2, 0, true)],
    ['isclose_kw', () => torch.isclose(N1(), { other: N2(), atol: 0.6, equalNan: true })],
    ['isclose_method', () => N1().isclose(N2(), { rtol: 0.2 })],
    ['argwhere_kw', () => torch.argwhere({ input: Z() })],
    ['argwhere_method', () => torch.tensor([[0, 1], [2, 0]]).argwhere()],
  ];
  test.each(cases)('%s', (name, f) => expectTensor(f(), ref(name)));

  test('the boolean results: allclose and equal', () => {
    expect(torch.allclose(N1(), N2(), 0.2, 0, true)).toBe(REF.cases.allclose_pos);
    expect(torch.allclose({ input: N1(), other: N2(), rtol: 0.2 })).toBe(REF.cases.allclose_kw);
    expect(N1().allclose(N2(), { atol: 1, equalNan: true })).toBe(REF.cases.allclose_method);
    expect(torch.equal({ input: A(), other: A().clone() })).toBe(REF.cases.equal_kw);
    expect(A().equal({ other: B() })).toBe(REF.cases.equal_method);
  });

  test("the parser's TypeErrors: a flag that is not a bool, unknown names, too many arguments", () => {
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.isclose, N1(), N2(), { equalNan: 1 })).toThrow(/isclose\(\): argument 'equalNan' must be bool/);
    expect(() => call(torch.allclose, N1(), N2(), { tol: 1 })).toThrow(/allclose\(\): unexpected option 'tol'/);
    expect(() => call(torch.sgn, Z(), 1)).toThrow(/sgn\(\) takes \(input\) positionally/);
    expect(() => call(torch.equal, A())).toThrow(/equal\(\): missing required argument 'other'/);
    expect(() => call(torch.isclose, N1(), N2(), 'x')).toThrow(/isclose\(\): argument 'rtol' must be float/);
  });

  test('frac_: the gradient passes through the in-place protocol (FracBackward0)', () => {
    const x = A().requiresGrad_();
    const y = x.mul(1.75);
    y.frac_();
    expect(y.gradFn?.name).toBe('FracBackward0');
    y.sum().backward();
    expect((x.grad as T).tolist()).toEqual([[1.75, 1.75, 1.75], [1.75, 1.75, 1.75]]);
  });
});

describe('as_strided, as_strided_scatter, aminmax, detach by PyTorch keyword (vs PyTorch 1.13)', () => {
  const cases: [string, () => T][] = [
    ['as_strided_kw', () => torch.asStrided(A(), { size: [2, 2], stride: [1, 2], storageOffset: 1 })],
    ['as_strided_method', () => A().asStrided([3], { stride: [2] })],
    ['as_strided_scatter_kw', () => torch.asStridedScatter(A(), { src: torch.tensor([9, 8], { dtype: 'float32' }), size: [2], stride: [3], storageOffset: 1 })],
    ['detach_kw', () => torch.detach({ input: A() })],
  ];
  test.each(cases)('%s', (name, f) => expectTensor(f(), ref(name)));

  test('aminmax: dim and keepdim keyword-only, the (min, max) pair', () => {
    const r = torch.aminmax(A(), { dim: 1, keepdim: true });
    const [lo, hi] = refs('aminmax_kw');
    expectTensor(r.min, lo);
    expectTensor(r.max, hi);
    const [m, M] = A().aminmax();
    const [lo2, hi2] = refs('aminmax_all');
    expectTensor(m, lo2);
    expectTensor(M, hi2);
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.aminmax, A(), 1)).toThrow(/aminmax\(\) takes \(input\) positionally/);
    expect(() => call(torch.aminmax, A(), { keepdim: 1 })).toThrow(/argument 'keepdim' must be bool/);
  });

  test('detach shares storage and records no gradient; as_strided records AsStridedBackward0', () => {
    const x = A().requiresGrad_();
    const d = torch.detach(x);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBe(null);
    d.fill_(0);
    expect(x.sum().item()).toBe(0);
    const y = A().requiresGrad_();
    expect(torch.asStrided(y, [2], [1]).gradFn?.name).toBe('AsStridedBackward0');
    expect(() => torch.asStridedScatter(A(), torch.ones([3]), [2], [1])).toThrow(/expected src to have a size equal to the slice of self/);
  });
});

describe('clone, copy_, fill_, bernoulli', () => {
  test('by keyword, vs PyTorch 1.13', () => {
    const x = A();
    expect(x.copy_({ src: torch.tensor([1, 2, 3]), nonBlocking: true })).toBe(x);
    expectTensor(x, ref('copy_kw'));
    const y = A();
    expect(y.fill_({ value: torch.tensor(2.5) })).toBe(y);
    expectTensor(y, ref('fill_kw'));
    expectTensor(torch.clone({ input: A(), memoryFormat: torch.contiguousFormat }), ref('clone_kw'));
  });

  test('clone: memoryFormat keyword-only, CloneBackward0, channels-last preserved', () => {
    const x = torch.randn([2, 3, 4, 5]).contiguous({ memoryFormat: torch.channelsLast });
    expect(torch.clone(x).stride()).toEqual(x.stride());
    expect(x.clone({ memoryFormat: torch.contiguousFormat }).isContiguous()).toBe(true);
    expect(A().requiresGrad_().clone().gradFn?.name).toBe('CloneBackward0');
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.clone, A(), torch.channelsLast)).toThrow(/clone\(\) takes \(input\) positionally/);
    expect(() => call(torch.clone, A(), { memoryFormat: 'rowMajor' })).toThrow(/memory/i);
  });

  test('copy_ and fill_: value checks and the in-place protocol (version counter, leaf refusal)', () => {
    const m = A() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => m.fill_(torch.ones([2]))).toThrow(/fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions/);
    expect(() => m.fill_('x')).toThrow(/fill_\(\): argument 'value' must be Number/);
    expect(() => m.copy_(B())).toThrow(/copy_/);
    expect(() => m.copy_(V(), { nonBlocking: 1 })).toThrow(/argument 'nonBlocking' must be bool/);
    const leaf = A().requiresGrad_();
    expect(() => leaf.fill_(1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    const t = A(), v0 = t._version;
    t.copy_(V());
    expect(t._version).toBe(v0 + 1);
  });

  test('bernoulli: three overloads (probabilities from input, a tensor p, a float p); the generator reproduces draws', () => {
    const g = new torch.Generator();
    g.manualSeed(7);
    const p = torch.full([2000], 0.25);
    const a1 = torch.bernoulli(p, { generator: g });
    g.manualSeed(7);
    const a2 = p.bernoulli({ generator: g });
    expect(a1.tolist()).toEqual(a2.tolist());
    expect(a1.dtype).toBe('float32');
    const m1 = a1.mean().item() as number;
    expect(Math.abs(m1 - 0.25)).toBeLessThan(0.05);  // 2000 draws: 5 standard deviations
    const z = torch.zeros([2000], { dtype: 'float64' });
    const b = torch.bernoulli(z, 0.75);
    expect(b.dtype).toBe('float64');
    expect(Math.abs((b.mean().item() as number) - 0.75)).toBeLessThan(0.05);
    expect(torch.bernoulli(z, { p: 0 }).sum().item()).toBe(0);
    expect(z.bernoulli(1).sum().item()).toBe(2000);
    const pt = torch.tensor([0, 1, 0, 1], { dtype: 'float32' });
    expect(torch.bernoulli(torch.zeros([4]), pt).tolist()).toEqual([0, 1, 0, 1]);
    expect(() => torch.bernoulli(z, 1.5)).toThrow(/bernoulli_ expects p to be in \[0, 1\], but got p=1.5/);
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.bernoulli, z, { q: 1 })).toThrow(/unexpected option 'q'/);
  });
});

describe('nonzero (two rows by asTuple) and numel', () => {
  const Z = (): T => torch.tensor([[-1.5, 0, 2.25], [Infinity, -0, -Infinity]], { dtype: 'float32' });
  test('vs PyTorch 1.13', () => {
    expectTensor(torch.nonzero({ input: Z() }), ref('nonzero_kw'));
    expectTensor(torch.nonzero(Z(), { asTuple: false }), ref('nonzero_false'));
    const tup = torch.nonzero(Z(), { asTuple: true });
    refs('nonzero_tuple').forEach((r, i) => expectTensor(tup[i], r));
    const mt = torch.tensor([[0, 1], [2, 0]]).nonzero({ asTuple: true });
    refs('nonzero_method_tuple').forEach((r, i) => expectTensor(mt[i], r));
    const flag = [true, false][0];
    expect(Array.isArray(torch.nonzero(Z(), { asTuple: flag }))).toBe(true);
    expect(torch.numel({ input: B1() })).toBe(REF.cases.numel_kw);
    expect(torch.numel(B1())).toBe(REF.cases.numel_kw);
  });
  test("the parser's errors: asTuple is keyword-only and a bool", () => {
    const call = (f: (...a: unknown[]) => unknown, ...a: unknown[]): unknown => f(...a);
    expect(() => call(torch.nonzero, Z(), true)).toThrow(TypeError);
    expect(() => call(torch.nonzero, Z(), { asTuple: 1 })).toThrow(/nonzero\(\) received an invalid combination of arguments/);
    expect(() => call(torch.nonzero, Z(), { asTupel: true })).toThrow(/nonzero\(\): unexpected option 'asTupel'/);
    expect(() => call(torch.numel, 3)).toThrow(/numel\(\): argument 'input' must be Tensor/);
  });
});

// the generated entry points on CUDA (the real device, or the CUDA emulator: NODETORCH_ADDON=$PWD/build-emu/Release/
// nodetorch.node npx jest test/schema_matmul.test.ts)
const cudaOk = torch.cuda.isAvailable();
if (!cudaOk) console.warn('schema_matmul.test.ts: no CUDA device: the CUDA cases are SKIPPED (run them under the CUDA emulator)');
const itCuda = cudaOk ? test : test.skip;
describe('on CUDA', () => {
  itCuda('out=, the in-place forms and keywords on the device give the CPU numbers; autocast lowers mm and promotes dot', () => {
    const d = (t: T): T => t.to('cuda');
    const o = d(out());
    expectTensor(torch.addmm(d(C()), d(A()), d(B()), { alpha: -1, out: o }).cpu(), ref('addmm_out'));
    expect(o.device.type).toBe('cuda');
    const x = d(CB());
    x.baddbmm_(d(B1()), { batch2: d(B2()), beta: 0.5 });
    expectTensor(x.cpu(), ref('baddbmm_inplace'));
    expectTensor(torch.norm(d(A()), 3, 1, true, { dtype: 'float64' }).cpu(), ref('norm_p3_dtype'));
    expectTensor(d(V()).dot({ tensor: d(V()) }).cpu(), ref('dot_method_kw'));
    torch.autocast('cuda', () => {
      expect(torch.mm(d(A()), d(B())).dtype).toBe('float16');
      expect(torch.addmm(d(C()), d(A()), d(B())).dtype).toBe('float16');
      expect(torch.dot(d(V()).half(), d(V())).dtype).toBe('float32');
      expect(torch.norm(d(A()).half()).dtype).toBe('float32');
    });
    expect(() => torch.mm(d(A()), B())).toThrow(/device/);
  });
});
