// accumulate_grad.test.ts - a leaf's first gradient: the engine hands the tensor a backward function made over to
// .grad without a copy only when nothing else can hold it (Note [stealing a leaf's first gradient] in
// lib/autograd/engine.ts); in every aliasing case (the same tensor passed to two edges, views and expands of another
// gradient, the user's `gradient`, retainGrad, custom Functions' results, saved tensors) .grad gets its own storage.
import * as torch from '../lib/index';
type T = torch.Tensor;
const f32 = (v: unknown, rg = true): T => torch.tensor(v, { dtype: 'float32', requiresGrad: rg });

// wraps a node's backward function to record what it returns (and what it received)
function spy(t: T): { outs: (T | null | undefined)[]; inc: T[] } {
  const node = t.gradFn as unknown as { fn: (g: T) => (T | null | undefined)[] };
  const rec = { outs: [] as (T | null | undefined)[], inc: [] as T[] };
  const fn = node.fn;
  node.fn = (g: T) => { const r = fn(g); rec.inc.push(g); rec.outs.push(...r); return r; };
  return rec;
}
const shares = (a: T, b: T): boolean => a._st === b._st;

describe('a leaf\'s first gradient', () => {
  test('a fresh gradient from a backward function becomes .grad without a copy, and accumulates correctly after', () => {
    const x = f32([[1, 2], [3, 4]], false);
    const w = f32([[1, 0], [0.5, 2]]);
    const y = x.mm(w);
    const rec = spy(y);
    y.sum().backward({ retainGraph: true });
    const gw = rec.outs[1] as T;
    expect(w.grad).toBe(gw);                        // taken over, not cloned
    expect(w.grad!.tolist()).toEqual([[4, 4], [6, 6]]);
    y.sum().backward();                              // second pass: accumulated in place into the stolen tensor
    expect(w.grad!.tolist()).toEqual([[8, 8], [12, 12]]);
    expect(rec.outs[3]).not.toBe(w.grad);            // the second pass's gradient was added, not taken
    expect(rec.outs[1]).toBe(w.grad);
  });

  test('add\'s backward hands the same tensor to two leaves: each gets its own storage', () => {
    const a = f32([1, 2, 3]);
    const b = f32([4, 5, 6]);
    const c = a.mul(2).add(b);   // AddBackward passes its incoming gradient to both edges
    const rec = spy(c);
    const m = c.mul(f32([1, 2, 3], false));
    m.sum().backward();
    const inc = rec.inc[0];
    expect(shares(b.grad!, inc)).toBe(false);
    expect(b.grad!.tolist()).toEqual([1, 2, 3]);
    expect(a.grad!.tolist()).toEqual([2, 4, 6]);
    inc.fill_(100);                                   // the engine's tensor changing later leaves .grad alone
    expect(b.grad!.tolist()).toEqual([1, 2, 3]);
    const a2 = f32([1, 2]);
    const b2 = f32([3, 4]);
    a2.add(b2).sum().backward();
    expect(shares(a2.grad!, b2.grad!)).toBe(false);
    a2.grad!.add_(1);
    expect(b2.grad!.tolist()).toEqual([1, 1]);
  });

  test('the same tensor returned to two edges (x + x) and several contributions to one leaf are summed', () => {
    const x = f32([1, 2]);
    x.add(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2]);
    const y = f32([1, 2]);
    y.mul(f32([3, 4], false)).add(y.mul(2)).sum().backward();
    expect(y.grad!.tolist()).toEqual([5, 6]);
  });

  test('expand / sum / view backward: a gradient that is a view of another is copied', () => {
    const x = f32([1, 2, 3]);
    x.sum().backward();                                // SumBackward: an expand of the scalar gradient
    expect(x.grad!.stride()).toEqual([1]);
    x.grad!.add_(1);
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
    const a = f32([[1, 2], [3, 4]]);
    const v = a.reshape([4]);
    const z = v.mul(f32([1, 2, 3, 4], false));
    const rec = spy(z);
    z.sum().backward();
    expect(shares(a.grad!, rec.outs[0] as T)).toBe(false);  // ViewBackward's result is a view of MulBackward's
    expect(a.grad!.tolist()).toEqual([[1, 2], [3, 4]]);
    const e = f32([[1], [2]]);
    e.expand([2, 3]).mul(f32([[1, 1, 1], [2, 2, 2]], false)).sum().backward();
    expect(e.grad!.tolist()).toEqual([[3], [6]]);
  });

  test('the user\'s gradient argument is never taken', () => {
    const g = torch.tensor([1, 2, 3]);
    const x = f32([0, 0, 0]);
    x.backward(g);                                    // a leaf as root
    expect(shares(x.grad!, g)).toBe(false);
    const y = f32([0, 0, 0]);
    y.clone().backward(g);                            // a pass-through node hands the user's tensor on
    expect(shares(y.grad!, g)).toBe(false);
    y.grad!.add_(10);
    x.grad!.add_(10);
    expect(g.tolist()).toEqual([1, 2, 3]);
  });

  test('retainGrad and post-accumulate hooks: the non-leaf\'s .grad and the leaf\'s are separate', () => {
    const a = f32([1, 2]);
    const y = a.clone();
    y.retainGrad();
    let seen: T | null = null;
    const h = a.registerPostAccumulateGradHook((t: T) => { seen = t.grad; });
    y.mul(f32([3, 4], false)).sum().backward();
    expect(shares(a.grad!, y.grad!)).toBe(false);
    expect(seen).toBe(a.grad);
    a.grad!.add_(1);
    expect(y.grad!.tolist()).toEqual([3, 4]);
    expect(a.grad!.tolist()).toEqual([4, 5]);
    h.remove();
  });

  test('a custom Function\'s backward result (user code, may be held elsewhere) is copied', () => {
    const K = torch.tensor([7, 8]);
    class Const extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: T): T { return x.mul(1); }
      static override backward(): T { return K; }
    }
    const x = f32([1, 2]);
    (Const.apply(x) as T).sum().backward();
    expect(shares(x.grad!, K)).toBe(false);
    x.grad!.add_(1);
    expect(K.tolist()).toEqual([7, 8]);
  });

  test('createGraph, dtype conversion and non-contiguous leaves keep their copies and values', () => {
    const x = f32([1, 2]);
    const y = x.mul(x).sum();
    y.backward({ createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    expect(x.grad!.tolist()).toEqual([2, 4]);
    const w = f32([[1, 2], [3, 4]]).detach().t().requiresGrad_();
    const z = w.mul(f32([[1, 2], [3, 4]], false));
    const rec = spy(z);
    z.sum().backward();
    expect(w.grad).not.toBe(rec.outs[0]);            // not the leaf's layout: copied
    expect(w.grad!.tolist()).toEqual([[1, 2], [3, 4]]);
    w.grad!.add_(1);
    expect((rec.outs[0] as T).tolist()).toEqual([[1, 2], [3, 4]]);
    const h = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const hz = h.to('float32').mul(f32([3, 4], false));
    hz.sum().backward();
    expect(h.grad!.dtype).toBe('float64');
    expect(h.grad!.tolist()).toEqual([3, 4]);
  });
});

// Note [freeing a dropped gradient] (lib/tensor.ts): a gradient the library made and never handed to user code is
// freed as soon as zeroGrad() (setToNone) or an assignment drops it; one user code has read lives on as in PyTorch.
describe('a dropped gradient', () => {
  const live = (): number => torch.memory().tensors;
  const model = (): [torch.nn.Linear, torch.optim.SGD, T] => {
    torch.manualSeed(1);
    const m = new torch.nn.Linear(30, 20);
    return [m, new torch.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), torch.randn([8, 30])];
  };

  test('zeroGrad() frees the gradients nobody read, at once, in optimizer and module alike', () => {
    const [m, opt, x] = model();
    for (const zero of [() => opt.zeroGrad(), () => m.zeroGrad(), () => opt.zeroGrad({ setToNone: true })]) {
      torch.tidy(() => { m.call(x).square().sum().backward(); opt.step(); });
      const before = live();
      zero();
      expect(live()).toBe(before - 2);                  // weight's and bias's gradients, without waiting for the GC
      expect(m.weight.grad).toBeNull();
    }
  });

  test('a gradient user code read survives zeroGrad() and keeps its values; so does one assigned by the user', () => {
    const [m, opt, x] = model();
    m.call(x).square().sum().backward();
    const g = m.weight.grad as T;
    const want = g.clone();
    const mine = torch.ones([20]);
    m.bias.grad = mine;
    opt.zeroGrad();
    expect(g.isDisposed).toBe(false);
    expect(mine.isDisposed).toBe(false);
    expect(g.equal(want)).toBe(true);
    // a gradient read through a post-accumulate hook is read too
    let seen: T | null = null;
    const h = m.weight.registerPostAccumulateGradHook((p) => { seen = p.grad; });
    m.call(x).square().sum().backward();
    h.remove();
    opt.zeroGrad();
    expect((seen as unknown as T).isDisposed).toBe(false);
  });

  test('training with and without the freeing gives the same parameters (the optimizer reads .grad as before)', () => {
    const run = (read: boolean): number[] => {
      const [m, opt, x] = model();
      for (let s = 0; s < 4; s++) {
        opt.zeroGrad();
        m.call(x).square().mean().backward();
        if (read) void m.weight.grad;                  // read: left to the GC instead of freed
        torch.nn.utils.clipGradNorm_(m.parameters(), 1.0);
        opt.step();
      }
      return m.weight.flatten().tolist() as number[];
    };
    expect(run(false)).toEqual(run(true));
  });

  test('assigning a new .grad frees the library\'s unread one; a freed gradient is never handed out', () => {
    const [m, , x] = model();
    m.call(x).sum().backward();
    const before = live();
    m.weight.grad = torch.zeros([20, 30]);
    expect(live()).toBe(before);                       // one made, one freed
    expect((m.weight.grad as T).sum().item()).toBe(0);
  });
});
