// ops_more.test.ts - the ops a PyTorch user reaches for that nodetorch lacked (opsA): tensor gradient hooks, the new_*
// factories, dtype predicates, finfo/iinfo, in-place random fills, elementwise math, reductions and statistics; values,
// gradients and messages against PyTorch 1.13 (test/ref/gen_ops_more.py -> test/ref/ops_more.json).
import * as torch from '../lib/index';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/ops_more.json');

type T = torch.Tensor;
const f32 = (d: number[]): T => torch.tensor(d, { dtype: 'float32' });

describe('Tensor.registerHook', () => {
  test('non-leaf hooks run in order, retainGrad among them, leaf hooks on the summed gradient', () => {
    const r = REF.hooks.order;
    const x = f32([1, 2]).requiresGrad_();
    const y = x.mul(2);
    const order: [string, number[]][] = [];
    y.retainGrad();
    y.registerHook((g) => { order.push(['h1', g.tolist() as number[]]); return g.mul(10); });
    y.registerHook((g) => { order.push(['h2', g.tolist() as number[]]); });
    x.registerHook((g) => { order.push(['xh', g.tolist() as number[]]); return g.add(1); });
    y.mul(y).sum().add(x.mul(3).sum()).backward();
    expect(order).toEqual(r.order);
    expect((y.grad as T).tolist()).toEqual(r.ygrad);
    expect((x.grad as T).tolist()).toEqual(r.xgrad);
  });
  test('a hook registered before retainGrad changes what .grad keeps', () => {
    const r = REF.hooks.retain_after;
    const x = f32([1, 2]).requiresGrad_();
    const y = x.mul(2);
    y.registerHook((g) => g.mul(10));
    y.retainGrad();
    y.mul(y).sum().backward();
    expect((y.grad as T).tolist()).toEqual(r.ygrad);
    expect((x.grad as T).tolist()).toEqual(r.xgrad);
  });
  test('a leaf hook sees the gradient summed over its uses, once', () => {
    const x = f32([1, 2]).requiresGrad_();
    let calls = 0;
    x.registerHook((g) => { calls++; return g.mul(0).add(7); });
    x.mul(1).add(x.mul(2)).sum().backward();
    expect(calls).toBe(1);
    expect((x.grad as T).tolist()).toEqual(REF.hooks.leaf_sum.xgrad);
    const x2 = f32([1]).requiresGrad_();
    const y2 = x2.mul(1);
    const c: number[] = [];
    y2.registerHook((g) => { c.push(g.item() as number); });
    y2.mul(2).add(y2.mul(3)).sum().backward();
    expect(c).toEqual(REF.hooks.nonleaf_once.calls);
  });
  test('autograd.grad returns the gradient before the input\'s hooks (PyTorch 1.13); remove() unregisters', () => {
    const r = REF.hooks.autograd_grad;
    const x = f32([1, 2]).requiresGrad_();
    const c: unknown[] = [];
    x.registerHook((g) => { c.push(g.tolist()); });
    const [g] = torch.autograd.grad(x.mul(x).sum(), [x]);
    expect((g as T).tolist()).toEqual(r.grad);
    expect(c).toEqual(r.calls);
    const x3 = f32([1, 2]).requiresGrad_();
    const h = x3.registerHook((gg) => gg.mul(100));
    expect(typeof h.id).toBe('number');
    h.remove();
    h.remove();
    const h2 = x3.registerHook({ hook: (gg) => gg.mul(100) });
    h2.remove();
    expect(() => x3.registerHook({ hook: (gg: T) => gg, fn: 1 } as never)).toThrow("register_hook(): unexpected option 'fn'");
    x3.mul(3).sum().backward();
    expect((x3.grad as T).tolist()).toEqual(REF.hooks.removed.xgrad);
  });
  test('errors: no grad, a changed size or dtype, a non-tensor result', () => {
    expect(() => f32([1]).registerHook((g) => g)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
    expect(() => f32([1]).requiresGrad_().registerHook(5 as never)).toThrow(TypeError);
    const a = f32([1]).requiresGrad_();
    a.registerHook(function grow() { return torch.ones(3); });
    expect(() => a.mul(1).sum().backward()).toThrow("hook 'grow' has changed the size of value");
    const b = f32([1]).requiresGrad_();
    b.registerHook((g) => g.double());
    expect(() => b.mul(1).sum().backward()).toThrow('has changed the type of value');
    const c = f32([1]).requiresGrad_();
    c.registerHook((() => 5) as never);
    expect(() => c.mul(1).sum().backward()).toThrow(TypeError);
  });
});

// ---- factories, predicates, finfo/iinfo -------------------------------------------------------------------------
import { expectTensor, Ref } from './helpers';
const F = REF.factories;
const fromRef = (r: Ref): T => {
  const dec = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
  return torch.tensor(r.data.map(dec) as number[], { dtype: r.dtype as torch.DType }).reshape(r.shape);
};
const DTS = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'] as const;

describe('new_* factories, typeAs, dtype predicates', () => {
  const x = torch.tensor([1.5, 2.5], { dtype: 'float64' });
  test('dtype and device from self unless given', () => {
    expectTensor(x.newZeros(2, 3), F.new_zeros);
    expectTensor(x.newZeros([2, 3]), F.new_zeros);
    expectTensor(x.newZeros({ size: [2, 3] }), F.new_zeros);
    expectTensor(x.newOnes([2], { dtype: 'int32' }), F.new_ones_dtype);
    expectTensor(x.newFull([2, 2], 7), F.new_full);
    expectTensor(x.newTensor([1, 2]), F.new_tensor);
    expectTensor(torch.tensor([1, 2]).newTensor([1.5, 2.5]), F.new_tensor_int_self);
    expect(x.newEmpty(4, 1).shape).toEqual(F.new_empty_shape);
    expect(x.newEmpty([1]).dtype).toBe('float64');
    const r = x.newOnes([2], { requiresGrad: true });
    expect(r.requiresGrad).toBe(true);
    // new_tensor copies a tensor's data (no view), in self's dtype
    const src = torch.tensor([1, 2], { dtype: 'float32' });
    const c = x.newTensor(src);
    expect(c.dtype).toBe('float64');
    src.add_(10);
    expect(c.tolist()).toEqual([1, 2]);
    expectTensor(torch.tensor([1.7, -2.2]).typeAs(torch.tensor([1])), F.type_as);
  });
  test('isFloatingPoint / isComplex / isSigned for every dtype; isNonzero; isSameSize', () => {
    for (const d of DTS) {
      const t = torch.zeros([1], { dtype: d });
      expect([d, torch.isFloatingPoint(t), torch.isComplex(t), t.isSigned()]).toEqual([d, ...F.is[d]]);
      expect([d, t.isFloatingPoint(), t.isComplex(), torch.isSigned(t)]).toEqual([d, ...F.is[d]]);
    }
    expect([torch.tensor([0.0]).isNonzero(), torch.tensor([[3]]).isNonzero(), torch.isNonzero(torch.tensor(true))]).toEqual(F.is_nonzero);
    expect(() => torch.tensor([1, 2]).isNonzero()).toThrow(REF.errors.nonzero_many);
    expect(() => torch.tensor([]).isNonzero()).toThrow(REF.errors.nonzero_none);
    expect([torch.zeros(2, 3).isSameSize(torch.ones(2, 3)), torch.isSameSize(torch.zeros(2, 3), torch.ones(3, 2))]).toEqual(F.is_same_size);
    expect(() => torch.isSameSize(torch.zeros(2), 3 as never)).toThrow(TypeError);
  });
  test('finfo and iinfo for every dtype', () => {
    for (const d of ['float32', 'float64', 'float16', 'bfloat16'] as const) {
      const f = torch.finfo(d), r = F.finfo[d];
      expect([d, f.bits, f.eps, f.max, f.min, f.tiny, f.smallestNormal, f.resolution, f.dtype]).toEqual([d, r.bits, r.eps, r.max, r.min, r.tiny, r.smallest_normal, r.resolution, d]);
    }
    expect(torch.finfo().dtype).toBe('float32');
    expect(torch.finfo(torch.tensor([1], { dtype: 'float64' })).eps).toBe(F.finfo.float64.eps);
    for (const d of ['int64', 'int32', 'int16', 'int8', 'uint8'] as const) {
      const f = torch.iinfo(d), r = F.iinfo[d];
      expect([d, f.bits, String(f.max), String(f.min), f.dtype]).toEqual([d, r.bits, r.max, r.min, d]);
    }
    const big: bigint = torch.iinfo('int64').max;
    expect(big).toBe(2n ** 63n - 1n);
    expect(() => torch.iinfo('bool')).toThrow(REF.errors.iinfo_bool);
    expect(() => torch.iinfo('float32')).toThrow('torch.iinfo() requires an integer input type');
    expect(() => torch.finfo('int32')).toThrow('torch.finfo() requires a floating point input type');
    expect(() => torch.finfo('flaot32' as never)).toThrow();
  });
});

// ---- in-place random fills ----------------------------------------------------------------------------------------
describe('in-place random fills', () => {
  const N = 200000;
  const stats = (t: T): [number, number] => {
    const x = t.to('float64');
    return [x.mean().item() as number, x.var().item() as number];
  };
  test('moments of each distribution (200000 draws) within 5 standard errors', () => {
    torch.manualSeed(1);
    const near = (got: number, want: number, se: number): void => { if (Math.abs(got - want) > 5 * se) throw new Error(`${got} vs ${want} (se ${se})`); };
    let [m, v] = stats(torch.empty(N).uniform_(-2, 3));
    near(m, 0.5, Math.sqrt(25 / 12 / N)); near(v, 25 / 12, 0.02);
    [m, v] = stats(torch.empty(N, { dtype: 'float64' }).normal_(1.5, 2));
    near(m, 1.5, 2 / Math.sqrt(N)); near(v, 4, 0.06);
    [m, v] = stats(torch.empty(N).exponential_(2));
    near(m, 0.5, 0.5 / Math.sqrt(N)); near(v, 0.25, 0.01);
    [m, v] = stats(torch.empty(N).geometric_(0.25));
    near(m, 4, Math.sqrt(12 / N)); near(v, 12, 0.6);
    expect(torch.empty(N).geometric_(0.25).min().item()).toBe(1);
    [m, v] = stats(torch.empty(N, { dtype: 'float64' }).logNormal_(0.2, 0.5));
    near(m, Math.exp(0.2 + 0.125), 0.01); near(v, (Math.exp(0.25) - 1) * Math.exp(0.4 + 0.25), 0.02);
    // cauchy: no moments; its median and quartiles are median -+ sigma
    const c = torch.empty(N, { dtype: 'float64' }).cauchy_(1, 2);
    const q = (p: number): number => c.sort().values.select(0, Math.floor(p * N)).item() as number;
    near(q(0.5), 1, 0.03); near(q(0.25), -1, 0.05); near(q(0.75), 3, 0.05);
    [m, v] = stats(torch.empty(N).bernoulli_(0.3));
    near(m, 0.3, Math.sqrt(0.21 / N));
    const p = torch.tensor([0, 1, 0.5]).expand([N / 2, 3]).contiguous();
    const b = torch.empty([N / 2, 3], { dtype: 'int64' }).bernoulli_(p);
    expect(b.dtype).toBe('int64');
    expect((b.mean(0, false, { dtype: 'float64' }).tolist() as number[]).map((x) => Math.round(x * 100) / 100)).toEqual([0, 1, 0.5]);
    // random_: integers in the range, every value hit, mean in the middle
    const r = torch.empty([N], { dtype: 'int64' }).random_(3, 9);
    expect([r.min().item(), r.max().item()]).toEqual([3, 8]);
    near(r.to('float64').mean().item() as number, 5.5, Math.sqrt(35 / 12 / N));
    const r2 = torch.empty([N]).random_(5);
    expect([r2.min().item(), r2.max().item()]).toEqual([0, 4]);
    const u8 = torch.empty([N], { dtype: 'uint8' }).random_();
    expect([u8.min().item(), u8.max().item()]).toEqual([0, 255]);
    const i64 = torch.empty([N], { dtype: 'int64' }).random_();
    near(i64.to('float64').mean().item() as number, 2 ** 62, 2 ** 63 / Math.sqrt(12 * N));
    expect(i64.min().item() as number).toBeGreaterThanOrEqual(0);
    const f = torch.empty([N]).random_();
    expect(f.max().item() as number).toBeLessThanOrEqual(2 ** 24);
    expect(f.frac().abs().max().item()).toBe(0);
    const fr = torch.empty([N], { dtype: 'int32' }).random_({ from: -5, to: null });
    expect(fr.min().item() as number).toBeGreaterThanOrEqual(-5);
    expect(fr.min().item() as number).toBeLessThan(2 ** 31 / 1000);
    const small = torch.empty([N], { dtype: 'int8' }).random_({ from: -5 });
    expect([small.min().item(), small.max().item()]).toEqual([-5, 127]);
    expect(fr.max().item() as number).toBeGreaterThan(2 ** 30);
  });
  test('torch.manualSeed and a generator make the draws repeat', () => {
    const draw = (): number[][] => [
      torch.empty(5).uniform_() , torch.empty(5).normal_(), torch.empty(5).exponential_(), torch.empty(5).cauchy_(),
      torch.empty(5).logNormal_(), torch.empty(5).geometric_(0.5), torch.empty(5).bernoulli_(0.5), torch.empty([5], { dtype: 'int64' }).random_(100),
    ].map((t) => t.tolist() as number[]);
    torch.manualSeed(42);
    const a = draw();
    torch.manualSeed(42);
    expect(draw()).toEqual(a);
    const g = new torch.Generator().manualSeed(7);
    const x1 = torch.empty(6).uniform_(0, 1, { generator: g }).tolist();
    const x2 = torch.empty(6).normal_({ generator: g }).tolist();
    g.manualSeed(7);
    expect(torch.empty(6).uniform_({ generator: g }).tolist()).toEqual(x1);
    expect(torch.empty(6).normal_(0, 1, { generator: g }).tolist()).toEqual(x2);
    // uniform_ draws as torch.rand does
    torch.manualSeed(3);
    const u = torch.rand(4).tolist();
    torch.manualSeed(3);
    expect(torch.empty(4).uniform_().tolist()).toEqual(u);
  });
  test('autograd: the fill cuts the history with a zero gradient; a leaf that requires grad is refused; errors', () => {
    const nodes = REF.random_nodes as Record<string, string>;
    const x = torch.ones(3).requiresGrad_();
    const cases: [string, (t: T) => T][] = [['uniform_', (t) => t.uniform_()], ['normal_', (t) => t.normal_()], ['exponential_', (t) => t.exponential_()],
      ['cauchy_', (t) => t.cauchy_()], ['log_normal_', (t) => t.logNormal_()], ['geometric_', (t) => t.geometric_(0.5)], ['bernoulli_', (t) => t.bernoulli_(0.5)],
      ['random_', (t) => t.random_(5)]];
    for (const [n, f] of cases) {
      const y = f(x.mul(1));
      expect([n, y.gradFn?.name]).toEqual([n, nodes[n]]);
      y.sum().backward();
      expect((x.grad as T).tolist()).toEqual([0, 0, 0]);
      x.grad = null;
    }
    expect(() => x.uniform_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation');
    expect(() => torch.zeros([2], { dtype: 'int64' }).uniform_()).toThrow(REF.errors.uniform_int);
    expect(() => torch.zeros(2).uniform_(2, 1)).toThrow(REF.errors.uniform_range);
    expect(() => torch.zeros(2).normal_(0, -1)).toThrow(REF.errors.normal_std);
    expect(() => torch.zeros(2).random_(5, 5)).toThrow(REF.errors.random_range);
    expect(() => torch.zeros(2).bernoulli_(1.5)).toThrow(REF.errors.bernoulli_p);
    expect(() => torch.zeros(2).uniform_({ form: 1 } as never)).toThrow(TypeError);
  });
});

// ---- elementwise math against PyTorch (values, float64 gradients) -------------------------------------------------
type Fn = (...a: T[]) => T | T[];
const MATH: Record<string, Fn> = {
  asinh: (x) => torch.asinh(x), acosh: (x) => x.acosh(), atanh: (x) => torch.atanh(x), arcsinh: (x) => torch.arcsinh(x),
  arccos: (x) => x.arccos(), arcsin: (x) => torch.arcsin(x), arctan: (x) => torch.arctan(x), arctan2: (a, b) => torch.arctan2(a, b),
  erfc: (x) => torch.erfc(x), erfinv: (x) => x.erfinv(), lgamma: (x) => torch.lgamma(x), digamma: (x) => x.digamma(),
  polygamma1: (x) => torch.polygamma(1, x), polygamma2: (x) => x.polygamma(2), polygamma3: (x) => torch.polygamma({ n: 3, input: x }),
  mvlgamma: (x) => torch.mvlgamma(x, 3), i0: (x) => torch.i0(x), sinc: (x) => torch.sinc(x), logit: (x) => x.logit(),
  logit_eps: (x) => torch.logit(x, { eps: 0.2 }), exp2: (x) => torch.exp2(x), hypot: (a, b) => torch.hypot(a, b),
  logaddexp: (a, b) => torch.logaddexp(a, b), logaddexp2: (a, b) => a.logaddexp2(b), logaddexp_inf: (a, b) => torch.logaddexp(a, b),
  logaddexp2_inf: (a, b) => torch.logaddexp2(a, b), copysign: (a, b) => torch.copysign(a, b),
  nextafter: (a, b) => torch.nextafter(a, b), nextafter32: (a, b) => a.nextafter(b), ldexp: (a, b) => torch.ldexp(a, b),
  heaviside: (a, b) => torch.heaviside(a, b), gcd: (a, b) => torch.gcd(a, b), lcm: (a, b) => a.lcm(b),
  float_power: (a, b) => torch.floatPower(a, b), float_power_int: (a) => a.floatPower(2), frexp: (x) => torch.frexp(x),
  frexp32: (x) => x.frexp(), deg2rad: (x) => torch.deg2rad(x), rad2deg: (x) => x.rad2deg(), deg2rad_int: (x) => torch.deg2rad(x),
  fix: (x) => torch.fix(x), rsub: (a, b) => torch.rsub(a, b, { alpha: 2 }),
  addcmul: (a, b, c) => torch.addcmul(a, b, c, { value: 0.5 }), addcdiv: (a, b, c) => a.addcdiv(b, c, { value: -2 }),
  addr: (a, b, c) => torch.addr(a, b, c, { beta: 0.5, alpha: 2 }), addr_beta0: (a, b, c) => a.addr(b, c, { beta: 0 }),
  addbmm: (a, b, c) => torch.addbmm(a, b, c, { beta: 2, alpha: 0.5 }),
  float32_special: (x) => torch.stack([torch.lgamma(x), torch.digamma(x), torch.erfinv(x.div(5)), torch.i0(x), torch.erfc(x)]),
};
// the ops whose node is PyTorch's (a kernel of their own); the composed ones record their parts' nodes
const SAME_NODE = new Set(['asinh', 'acosh', 'atanh', 'arcsinh', 'arccos', 'arcsin', 'arctan', 'arctan2', 'erfc', 'erfinv', 'lgamma', 'digamma',
  'polygamma1', 'polygamma2', 'i0', 'hypot', 'copysign', 'fix']);
interface MathCase { name: string; inputs: Ref[]; out: Ref | Ref[]; w?: Ref; grads?: (Ref | null)[]; grad_fn?: string }

describe('elementwise math vs PyTorch 1.13', () => {
  for (const c of REF.math as MathCase[]) {
    test(c.name, () => {
      const ins = c.inputs.map((r) => { const t = fromRef(r); return torch.isFloatingPoint(t) && c.grads ? t.requiresGrad_() : t; });
      const out = MATH[c.name](...ins);
      // (PyTorch's trigamma series is good to ~3e-10 relative: polygamma(1, 0.5) is pi^2/2 = 4.934802200544679 here,
      // 4.934802202073678 in PyTorch)
      const tol = c.out && !Array.isArray(c.out) && c.out.dtype === 'float64' ? { rtol: c.name.startsWith('polygamma') || c.name === 'digamma' ? 1e-9 : 1e-10, atol: 1e-12 } : undefined;
      if (Array.isArray(c.out)) (c.out as Ref[]).forEach((r, i) => expectTensor((out as T[])[i], r, tol));
      else expectTensor(out as T, c.out, tol);
      if (!c.grads) return;
      const o = out as T;
      if (SAME_NODE.has(c.name)) expect(o.gradFn?.name).toBe(c.grad_fn);
      const gs = torch.autograd.grad(o.mul(fromRef(c.w as Ref)).sum(), ins.filter((t) => t.requiresGrad), { allowUnused: true });
      c.grads.forEach((r, i) => { if (r) expectTensor(gs[i] as T, r, { rtol: 1e-8, atol: 1e-10 }); });
    });
  }
  test('in-place and out= forms write self / out', () => {
    const x = torch.tensor([0.5, 1.5, 2.5], { dtype: 'float64' });
    const want = torch.lgamma(x);
    const y = x.clone();
    expect(y.lgamma_()).toBe(y);
    expect(y.tolist()).toEqual(want.tolist());
    const out = torch.empty([3], { dtype: 'float64' });
    expect(torch.digamma(x, { out })).toBe(out);
    expect(out.tolist()).toEqual(torch.digamma(x).tolist());
    const a = torch.tensor([1, 2, 3], { dtype: 'float64' });
    a.addcmul_(a, a, { value: 2 });
    expect(a.tolist()).toEqual([3, 10, 21]);
    const h = torch.tensor([3, 5], { dtype: 'float32' });
    h.hypot_(torch.tensor([4, 12], { dtype: 'float32' }));
    expect(h.tolist()).toEqual([5, 13]);
    const ar = torch.tensor([0.5], { dtype: 'float32' });
    ar.arccos_();
    expect(ar.item()).toBeCloseTo(Math.acos(0.5), 6);
    expect(() => torch.ones(2).floatPower_(2)).toThrow(REF.errors.float_power_);
    const fp = torch.ones([2], { dtype: 'float64' }).mul(3);
    fp.floatPower_(2);
    expect(fp.tolist()).toEqual([9, 9]);
    const g = torch.tensor([12, 18]);
    g.gcd_(torch.tensor([8, 27]));
    expect(g.tolist()).toEqual([4, 9]);
  });
  test('errors name the op and the dtypes', () => {
    const E = REF.errors;
    expect(() => torch.hypot(torch.tensor([1]), torch.tensor([2]))).toThrow(E.hypot_int);
    expect(() => torch.gcd(torch.ones(1), torch.ones(1))).toThrow(E.gcd_float);
    expect(() => torch.heaviside(torch.ones(1), torch.tensor([1]))).toThrow(E.heaviside_dtypes);
    expect(() => torch.addcdiv(torch.tensor([1]), torch.tensor([1]), torch.tensor([1]))).toThrow('Integer division with addcdiv is no longer supported');
    expect(() => torch.positive(torch.tensor([true]))).toThrow(E.positive_bool);
    expect(() => torch.polygamma(-1, torch.ones(2))).toThrow(E.polygamma_neg);
    expect(() => torch.hypot(torch.ones(2), 3 as never)).toThrow(TypeError);
    expect(() => torch.addr(torch.ones(2, 2), torch.ones(2, 2), torch.ones(2))).toThrow('addr: Expected 1-D argument vec1, but got 2-D');
    expect(() => torch.addbmm(torch.ones(2, 2), torch.ones(2, 2, 3), torch.ones(3, 2, 2))).toThrow('batch1 and batch2 must have same number of batches');
    const x = torch.ones(1).requiresGrad_();
    const n = torch.nextafter(x, torch.ones(1).mul(2));
    expect(() => n.sum().backward()).toThrow("the derivative for 'nextafter' is not implemented");
  });
  test('second-order gradients through the special functions (lgamma -> digamma -> polygamma)', () => {
    const x = torch.tensor([0.5, 2.5], { dtype: 'float64', requiresGrad: true });
    const [g1] = torch.autograd.grad(torch.lgamma(x).sum(), [x], { createGraph: true });
    expect((g1 as T).tolist()).toEqual(torch.digamma(x.detach()).tolist());
    const [g2] = torch.autograd.grad((g1 as T).sum(), [x]);
    expect((g2 as T).tolist()).toEqual(torch.polygamma(1, x.detach()).tolist());
  });
});

// ---- reductions and statistics ------------------------------------------------------------------------------------
const STATS: Record<string, (...a: T[]) => T | T[]> = {
  std_mean: (x) => torch.stdMean(x, 1), std_mean_all: (x) => torch.stdMean(x, false),
  std_mean_corr: (x) => torch.stdMean(x, [0, 1], { correction: 0, keepdim: true }), var_mean: (x) => torch.varMean(x, 0, true, true),
  var_mean_all: (x) => torch.varMean(x), logcumsumexp: (x) => torch.logcumsumexp(x, 1), logcumsumexp0: (x) => x.logcumsumexp(0), logcumsumexp_long: (x) => torch.logcumsumexp(x, { dim: 0 }),
  quantile_all: (x) => torch.quantile(x, 0.3), quantile_all_keep: (x) => x.quantile(0.3, { keepdim: true }),
  quantile_nan: (x) => torch.quantile(x, 0.5, { dim: 1 }),
  nanquantile: (x) => torch.nanquantile(x, torch.tensor([0.2, 0.5], { dtype: 'float64' }), 1), nanquantile_dim0: (x) => x.nanquantile(0.75, 0),
  cov: (x) => torch.cov(x), cov_corr0: (x) => x.cov({ correction: 0 }), cov_1d: (x) => torch.cov(x),
  cov_fw: (x) => torch.cov(x, { fweights: torch.tensor([1, 2, 0, 3, 1]) }),
  cov_aw: (x) => torch.cov(x, { aweights: torch.tensor([0.5, 1, 2, 0.25, 1], { dtype: 'float64' }) }),
  cov_both: (x) => torch.cov(x, { correction: 2, fweights: torch.tensor([1, 2, 1, 3, 1]), aweights: torch.tensor([0.5, 1, 2, 0.25, 1], { dtype: 'float64' }) }),
  corrcoef: (x) => x.corrcoef(), cdist: (a, b) => torch.cdist(a, b), cdist_p1: (a, b) => torch.cdist(a, b, 1), cdist_p3: (a, b) => torch.cdist(a, b, { p: 3 }),
  cdist_inf: (a, b) => torch.cdist(a, b, Infinity), cdist_mm: (a, b) => torch.cdist(a, b),
  cdist_mm_forced: (a, b) => torch.cdist(a, b, { computeMode: 'use_mm_for_euclid_dist' }), cdist_no_mm: (a, b) => torch.cdist(a, b, 2, 'donot_use_mm_for_euclid_dist'), cdist_batch: (a, b) => torch.cdist(a, b), dist: (a, b) => torch.dist(a, b),
  dist_p3: (a, b) => a.dist(b, 3), renorm: (x) => torch.renorm(x, 2, 0, 1.5), renorm_p1_dim1: (x) => x.renorm({ p: 1, dim: 1, maxnorm: 1 }),
};
for (const i of ['linear', 'lower', 'higher', 'midpoint', 'nearest'] as const) {
  STATS[`quantile_${i}`] = (x) => torch.quantile(x, torch.tensor([0, 0.25, 0.5, 0.9, 1], { dtype: 'float64' }), 1, true, { interpolation: i });
}
interface StatCase { name: string; inputs: Ref[]; outs: Ref[]; grads?: (Ref | null)[] }
describe('reductions and statistics vs PyTorch 1.13', () => {
  for (const c of REF.stats as StatCase[]) {
    test(c.name, () => {
      const ins = c.inputs.map((r) => { const t = fromRef(r); return c.grads && torch.isFloatingPoint(t) ? t.requiresGrad_() : t; });
      const out = STATS[c.name](...ins);
      const outs = Array.isArray(out) ? out : [out];
      expect(outs.length).toBe(c.outs.length);
      c.outs.forEach((r, i) => expectTensor(outs[i], r, { rtol: 1e-9, atol: 1e-11 }));
      if (!c.grads) return;
      const loss = outs.map((o) => o.mul(torch.linspace(0.5, 1.5, o.numel(), { dtype: o.dtype }).reshape(o.shape)).sum()).reduce((a, b) => a.add(b));
      const gs = torch.autograd.grad(loss, ins.filter((t) => t.requiresGrad), { allowUnused: true });
      c.grads.forEach((r, i) => { if (r) expectTensor(gs[i] as T, r, { rtol: 1e-8, atol: 1e-10 }); });
    });
  }
  test('errors', () => {
    const E = REF.stat_errors;
    const A = torch.randn([3, 5], { dtype: 'float64' });
    expect(() => torch.quantile(A, 1.5)).toThrow(E.quantile_q);
    expect(() => torch.quantile(torch.tensor([1, 2]), 0.5)).toThrow(E.quantile_int);
    expect(() => torch.quantile(torch.tensor([], { dtype: 'float64' }), 0.5)).toThrow(E.quantile_empty);
    expect(() => torch.quantile(A, 0.5, { interpolation: 'foo' as never })).toThrow(E.quantile_interp);
    expect(() => torch.quantile(A, torch.tensor([0.5]))).toThrow(E.quantile_qdtype);
    expect(() => torch.cov(torch.ones(2, 2, 2))).toThrow(E.cov_3d);
    expect(() => torch.cov(A, { fweights: torch.ones(5) })).toThrow(E.cov_fw_float);
    expect(() => torch.cov(A, { fweights: torch.tensor([1, -1, 1, 1, 1]) })).toThrow(E.cov_fw_neg);
    expect(() => torch.cov(A, { aweights: torch.ones([5], { dtype: 'int64' }) })).toThrow(E.cov_aw_int);
    expect(() => torch.cov(A, { fweights: torch.ones([4], { dtype: 'int64' }) })).toThrow(E.cov_fw_numel);
    expect(() => torch.cdist(A, torch.ones([2, 4], { dtype: 'float64' }))).toThrow(E.cdist_cols);
    expect(() => torch.cdist(A.select(0, 0), A)).toThrow(E.cdist_1d);
    expect(() => torch.cdist(A, A, -1)).toThrow(E.cdist_p);
    expect(() => torch.cdist(torch.ones([2, 5], { dtype: 'int64' }), A)).toThrow('cdist only supports floating-point dtypes, X1 got: Long');
  });
});

// ---- CUDA: the new kernels (native/kernels/functors.h) run on the device and agree with the CPU (the emulator runs the
// translated CUDA sources: NODETORCH_ADDON=build-emu/Release/nodetorch.node; skipped without a CUDA build) ----------
const CUDA = torch.cuda.isAvailable();
(CUDA ? describe : describe.skip)('CUDA', () => {
  const close = (a: T, b: T, rtol: number): void => {
    const x = a.cpu().tolist() as number[], y = b.tolist() as number[];
    x.forEach((v, i) => {
      const w = y[i];
      if (Number.isNaN(w)) { expect(Number.isNaN(v)).toBe(true); return; }
      if (!Number.isFinite(w)) { expect(v).toBe(w); return; }
      if (Math.abs(v - w) > rtol * Math.max(1, Math.abs(w))) throw new Error(`element ${i}: cuda ${v}, cpu ${w}`);
    });
  };
  test('special functions, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const rtol = dtype === 'float64' ? 1e-12 : 1e-6;
      const x = torch.linspace(-4.5, 40, 97, { dtype });
      const u = torch.linspace(-0.999, 0.999, 97, { dtype });
      const ops: [string, (t: T) => T, T][] = [
        ['asinh', (t) => t.asinh(), x], ['acosh', (t) => t.abs().add(1).acosh(), x], ['atanh', (t) => t.atanh(), u], ['erfc', (t) => t.erfc(), x],
        ['erfinv', (t) => t.erfinv(), u], ['lgamma', (t) => t.lgamma(), x], ['digamma', (t) => t.digamma(), x], ['polygamma', (t) => t.polygamma(2), x],
        ['i0', (t) => t.i0(), x], ['sinc', (t) => t.sinc(), x], ['logaddexp', (t) => t.logaddexp(t.flip(0)), x],
        ['hypot', (t) => t.hypot(t.flip(0)), x], ['copysign', (t) => t.copysign(t.flip(0)), x], ['nextafter', (t) => t.nextafter(t.flip(0)), x],
      ];
      for (const [name, f, inp] of ops) {
        const want = f(inp);
        const got = f(inp.cuda());
        expect([name, got.device.type, got.dtype]).toEqual([name, 'cuda', want.dtype]);
        close(got, want, rtol);
      }
    }
    const a = torch.tensor([12, -18, 0, 7, 270]), b = torch.tensor([8, 12, 5, 0, 192]);
    expect(torch.gcd(a.cuda(), b.cuda()).cpu().tolist()).toEqual(torch.gcd(a, b).tolist());
    expect(torch.lcm(a.cuda(), b.cuda()).cpu().tolist()).toEqual(torch.lcm(a, b).tolist());
    // gradients on the device (i0's is i1: its kernel too)
    const x = torch.linspace(-3, 3, 13, { dtype: 'float64' });
    const xc = x.cuda().requiresGrad_(), xh = x.clone().requiresGrad_();
    const [gc] = torch.autograd.grad(xc.i0().add(xc.lgamma()).sum(), [xc]);
    const [gh] = torch.autograd.grad(xh.i0().add(xh.lgamma()).sum(), [xh]);
    close(gc as T, gh as T, 1e-12);
  });
  test('in-place random fills draw on the device, seeded', () => {
    torch.manualSeed(5);
    const a = torch.empty([1000], { device: 'cuda' }).uniform_(-1, 1);
    const b = torch.empty([1000], { device: 'cuda' }).exponential_();
    const c = torch.empty([1000], { device: 'cuda', dtype: 'int64' }).random_(3, 7);
    expect([a.device.type, b.device.type, c.device.type]).toEqual(['cuda', 'cuda', 'cuda']);
    expect([a.min().item() as number >= -1, a.max().item() as number < 1, b.min().item() as number >= 0]).toEqual([true, true, true]);
    expect([c.min().item(), c.max().item()]).toEqual([3, 6]);
    torch.manualSeed(5);
    expect(torch.empty([1000], { device: 'cuda' }).uniform_(-1, 1).cpu().tolist()).toEqual(a.cpu().tolist());
  });
});
