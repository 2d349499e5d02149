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
