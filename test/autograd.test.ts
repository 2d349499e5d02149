// autograd.test.ts - the autograd engine's behaviour as PyTorch's: leaves, accumulation, retainGrad, graph
// freeing, grad modes, version counters, custom Functions, higher-order gradients, and gradcheck over the ops.
import * as torch from '../lib/index';
type T = torch.Tensor;
const f64 = (v: unknown, rg = true): T => torch.tensor(v, { dtype: 'float64', requiresGrad: rg });

describe('engine', () => {
  test('leaf / non-leaf, accumulation across backward calls', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x).sum();
    expect(x.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.name).toBe('SumBackward0');
    y.backward({ retainGraph: true });
    y.backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
  });
  test('non-scalar backward needs a gradient', () => {
    const x = f64([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(/grad can be implicitly created only for scalar outputs/);
  });
  test('second backward through a freed graph', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });
  test('retainGrad on non-leaf', () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    y.retainGrad();
    y.pow(2).sum().backward();
    expect(y.grad!.tolist()).toEqual([6, 12]);
    expect(x.grad!.tolist()).toEqual([18, 36]);
  });
  test('noGrad / enableGrad / inferenceMode as functions and guards', () => {
    const x = f64([1]);
    expect(torch.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    {
      using _g = torch.noGrad();
      expect(torch.isGradEnabled()).toBe(false);
      expect(x.mul(2).requiresGrad).toBe(false);
      expect(torch.enableGrad(() => x.mul(2)).requiresGrad).toBe(true);
    }
    expect(torch.isGradEnabled()).toBe(true);
    const inf = torch.inferenceMode(() => torch.ones(2));
    expect(() => inf.requiresGrad_()).toThrow(/inference tensor/);
  });
  test('in-place on a leaf that requires grad', () => {
    const x = f64([1, 2]);
    expect(() => x.add_(1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    torch.noGrad(() => x.add_(1));
    expect(x.tolist()).toEqual([2, 3]);
  });
  test('modified saved tensor is detected', () => {
    const x = f64([1, 2]);
    const y = x.exp();
    const z = y.mul(2);
    void z;
    const w = y.exp();
    y.add_(1);
    expect(() => w.sum().backward()).toThrow(/modified by an inplace operation/);
  });
  test('in-place on an intermediate keeps gradients right', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    y.mul_(x);  // y = 2x^2
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
  });
  test('broadcast gradients reduce to the input shape', () => {
    const a = f64([[1], [2]]);
    const b = f64([1, 2, 3]);
    a.mul(b).sum().backward();
    expect(a.grad!.shape).toEqual([2, 1]);
    expect(a.grad!.tolist()).toEqual([[6], [6]]);
    expect(b.grad!.tolist()).toEqual([3, 3, 3]);
  });
  test('integer tensors cannot require grad', () => {
    expect(() => torch.tensor([1, 2], { requiresGrad: true })).toThrow(/floating point/);
  });
  test('autograd.grad with createGraph gives second derivatives', () => {
    const x = f64([0.5, -1, 2]);
    const [g] = torch.autograd.grad(x.pow(3).sum(), [x], { createGraph: true });
    expect(g!.tolist()).toEqual([0.75, 3, 12]);
    const [h] = torch.autograd.grad(g!.sum(), [x]);
    expect(h!.tolist()).toEqual([3, -6, 12]);
  });
  test('gradient penalty (grad of grad norm)', () => {
    const x = f64([0.3, -0.7]);
    const y = x.sin().sum();
    const [g] = torch.autograd.grad(y, [x], { createGraph: true });
    g!.pow(2).sum().backward();
    // d/dx cos(x)^2 = -2 sin(x) cos(x)
    const want = [0.3, -0.7].map((v) => -2 * Math.sin(v) * Math.cos(v));
    (x.grad!.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
  });
  test('allowUnused', () => {
    const x = f64([1]), y = f64([2]);
    expect(() => torch.autograd.grad(x.mul(2).sum(), [x, y])).toThrow(/not have been used/);
    const r = torch.autograd.grad(x.mul(2).sum(), [x, y], { allowUnused: true });
    expect(r[1]).toBeNull();
  });
  test('custom Function', () => {
    class Cube extends torch.autograd.Function {
      static override forward(ctx: torch.autograd.FunctionCtx, x: T): T { ctx.saveForBackward(x); return x.pow(3); }
      static override backward(ctx: torch.autograd.FunctionCtx, g: T): T { const [x] = ctx.savedTensors; return g.mul(x.pow(2)).mul(3); }
    }
    const x = f64([1, 2]);
    Cube.apply(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 12]);
  });
  test('saved tensors are released after backward', () => {
    const x = f64(Array.from({ length: 100000 }, (_, i) => i / 1e5));
    const before = torch.memory().bytes;
    let y: T | null = x.exp().sin().mul(2).sum();
    const during = torch.memory().bytes;
    expect(during - before).toBeGreaterThan(1e6);
    y.backward();
    y = null;
    if (global.gc) global.gc();
    expect(x.grad!.shape).toEqual([100000]);
  });
});

describe('gradcheck over differentiable ops (float64, incl. broadcasting and non-contiguous inputs)', () => {
  const x = (): T => f64([[0.3, -1.2, 0.7], [1.1, 0.4, -0.6]]);
  const pos = (): T => f64([[0.3, 1.2, 0.7], [1.1, 0.4, 2.6]]);
  const y = (): T => f64([0.5, -2.0, 1.5]);
  const nc = (): T => f64([[0.3, 1.1], [-1.2, 0.4], [0.7, -0.6]]); // transposed below -> non-contiguous [2, 3]
  const UN: Record<string, (a: T) => T> = {
    neg: (a) => a.neg(), abs: (a) => a.abs(), exp: (a) => a.exp(), expm1: (a) => a.expm1(), sin: (a) => a.sin(), cos: (a) => a.cos(),
    tan: (a) => a.tan(), atan: (a) => a.atan(), sinh: (a) => a.sinh(), cosh: (a) => a.cosh(), tanh: (a) => a.tanh(),
    sigmoid: (a) => a.sigmoid(), relu: (a) => a.relu(), erf: (a) => a.erf(), square: (a) => a.square(), pow3: (a) => a.pow(3),
    powFrac: (a) => a.abs().add(0.1).pow(1.5), clamp: (a) => a.clamp(-0.5, 0.5), lerp: (a) => torch.lerp(a, a.mul(3), 0.25),
    permute: (a) => a.t().mul(a.t()), reshape: (a) => a.reshape(3, 2).mul(2), expand: (a) => a.unsqueeze(0).expand(2, 2, 3).mul(1.5),
    flip: (a) => a.flip([0, 1]).mul(a), roll: (a) => a.roll(1, 1).mul(a), repeat: (a) => a.repeat(2, 1), tril: (a) => a.tril(),
    triu: (a) => a.triu(1), diagonal: (a) => a.diagonal().mul(2), catStack: (a) => torch.cat([a, torch.stack([a.select(0, 1), a.select(0, 0)])], 0),
    split: (a) => a.split(2, 1)[1].mul(3), narrowSlice: (a) => a.slice(1, 0, 3, 2).mul(a.narrow(1, 1, 2)),
    where: (a) => torch.where(a.gt(0), a, a.mul(a)), maximum: (a) => torch.maximum(a, a.flip([1])),
    chain: (a) => a.mul(2).sin().exp().div(a.pow(2).add(1)),
  };
  for (const [name, f] of Object.entries(UN)) {
    test(name, () => { expect(torch.autograd.gradcheck(f, [x()])).toBe(true); });
  }
  for (const name of ['log', 'sqrt', 'rsqrt', 'reciprocal', 'log1p', 'log2', 'log10']) {
    test(name, () => { expect(torch.autograd.gradcheck((a: T) => (a as unknown as Record<string, () => T>)[name](), [pos()])).toBe(true); });
  }
  const BIN: Record<string, (a: T, b: T) => T> = {
    add: (a, b) => a.add(b, { alpha: 2 }), sub: (a, b) => a.sub(b), mul: (a, b) => a.mul(b), div: (a, b) => a.div(b),
    atan2: (a, b) => torch.atan2(a, b), pow: (a, b) => a.abs().add(0.5).pow(b), minimum: (a, b) => torch.minimum(a, b),
  };
  for (const [name, f] of Object.entries(BIN)) {
    test(name + ' (broadcast)', () => { expect(torch.autograd.gradcheck(f, [x(), y()])).toBe(true); });
    test(name + ' (non-contiguous)', () => { expect(torch.autograd.gradcheck((a: T, b: T) => f(a.t(), b), [nc(), y()])).toBe(true); });
  }
});

// In-place ops on views rewrite the base's history (PyTorch's CopySlices), and view backwards are differentiable
// (double backward); references from test/ref/gen_copyslices.py
describe('in-place on views (CopySlices)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const REF = require('./ref/copyslices.json') as { input: number[][]; cases: Record<string, { out: number; grad: number[][]; gradgrad: number[][] }> };
  const d = (v: unknown): T => torch.tensor(v, { dtype: 'float64' });
  const cases: Record<string, (a: T) => T> = {
    narrow_mul_: (a) => { const y = a.mul(2); y.narrow(0, 0, 2).mul_(3); return y.mul(y).sum(); },
    select_copy_const: (a) => { const z = a.mul(1); z.select(0, 1).copy_(d([5, 6, 7, 8])); return z.mul(a).sum(); },
    two_views_transposed: (a) => {
      const b = a.mul(2);
      b.index(':', 1).add_(1.5);
      b.t().index(2).mul_(torch.arange(4, { dtype: 'float64' }));
      return b.pow(2).sum();
    },
    view_of_view_add_: (a) => {
      const c = a.mul(1);
      c.narrow(0, 1, 2).narrow(1, 0, 2).add_(a.narrow(0, 0, 2).narrow(1, 0, 2).mul(a.narrow(0, 2, 2).narrow(1, 2, 2)));
      return c.exp().sum();
    },
    copy_into_constant_base: (a) => { const q = torch.zeros([4, 4], { dtype: 'float64' }); q.narrow(0, 1, 2).copy_(a.narrow(0, 0, 2).mul(3)); return q.mul(q.sin()).sum(); },
    masked_fill_index_fill_on_views: (a) => {
      const c = a.mul(1);
      c.narrow(0, 0, 3).maskedFill_(a.narrow(0, 0, 3).gt(1), 0);
      c.select(1, 2).indexFill_(0, torch.tensor([0, 3]), 2.5);
      return c.mul(c).sum();
    },
    copy_const_whole: (a) => { const z = a.mul(1); z.copy_(torch.zeros([4, 4], { dtype: 'float64' })); return z.add(a).sum(); },
    stale_overlapping_view: (a) => { const h = a.mul(1); const v = h.narrow(0, 0, 2); h.narrow(0, 1, 2).mul_(3); return v.mul(v).sum().add(h.sum()); },
    stale_view_after_base_inplace: (a) => { const h = a.mul(1); const v = h.index(':', 1); h.add_(a.mul(a)); return v.exp().sum(); },
    // view ops and asStrided (their backward is differentiable too: see the gradgrad check below)
    view_narrow_select_step: (a) => a.narrow(0, 1, 2).pow(3).sum().add(a.select(1, 2).mul(a.select(0, 0)).sum()).add(a.index('::2', '1::2').pow(2).exp().sum()),
    view_diagonal_offset: (a) => a.diagonal(1).pow(3).sum().add(a.t().diagonal(-1).mul(a.diagonal().narrow(0, 1, 3)).sum()),
    as_strided_overlapping: (a) => a.asStrided([3, 3], [1, 1], 2).pow(3).sum(),
    as_strided_of_transposed: (a) => a.t().asStrided([2, 3], [1, 4], 1).sin().mul(a.select(0, 0).narrow(0, 0, 3)).sum(),
    gradient_penalty_through_slices: (a) => {
      const h = a.mul(a.sin()).sum(1);
      const [g] = torch.autograd.grad(h.narrow(0, 1, 3).sum().add(h.select(0, 0).mul(0.5)), a, { createGraph: true });
      return g.index(':', '1:').norm(2, 1).sub(1).pow(2).sum();
    },
  };
  const close = (got: number[][], want: number[][]): void => got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 8)));
  for (const [name, f] of Object.entries(cases)) {
    test(name, () => {
      const a = torch.tensor(REF.input, { dtype: 'float64', requiresGrad: true });
      const out = f(a);
      out.backward();
      expect(out.item()).toBeCloseTo(REF.cases[name].out, 9);
      close(a.grad!.tolist() as number[][], REF.cases[name].grad);
    });
    test(`${name}: double backward`, () => {
      const a = torch.tensor(REF.input, { dtype: 'float64', requiresGrad: true });
      const [g] = torch.autograd.grad(f(a), a, { createGraph: true });
      const gg = g.requiresGrad ? torch.autograd.grad(g.mul(g).sum(), a, { allowUnused: true })[0] : null;
      close((gg ?? torch.zerosLike(a)).tolist() as number[][], REF.cases[name].gradgrad);
    });
  }
  test('the base and the view report PyTorch\'s node names; a view of a leaf is refused', () => {
    const h = torch.ones([4], { requiresGrad: true }).mul(1);
    const early = h.narrow(0, 0, 2);
    h.narrow(0, 1, 2).mul_(3);
    expect(early.gradFn!.name).toBe('AsStridedBackward0');  // regenerated: its base changed after it was taken
    const a = torch.ones([3], { requiresGrad: true });
    const y = a.mul(2);
    y.narrow(0, 0, 2).mul_(3);
    expect(y.gradFn!.name).toBe('CopySlices');
    const z = a.mul(1);
    z.copy_(torch.zeros(3));
    expect(z.gradFn!.name).toBe('CopyBackwards');
    expect(() => a.narrow(0, 0, 1).mul_(2)).toThrow(/a view of a leaf Variable that requires grad is being used in an in-place operation/);
    expect(() => a.index(0).fill_(1)).toThrow(torch.TorchError);
    // under noGrad the same write is allowed (an optimizer's update of a parameter slice)
    torch.noGrad(() => a.narrow(0, 0, 1).mul_(2));
    expect(a.tolist()).toEqual([2, 1, 1]);
  });
});

// Double backward (createGraph) through common ops: the gradient of sum(grad^2) against PyTorch's
// (test/ref/gen_gradgrad.py; the same programs)
describe('double backward through common ops', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const REF = require('./ref/gradgrad.json') as { A: number[][]; W: number[][]; cases: Record<string, number[][]> };
  const F = torch.nn.functional;
  const W = torch.tensor(REF.W, { dtype: 'float64' });
  const cases: Record<string, (a: T) => T> = {
    softmax: (a) => F.softmax(a, 1).pow(2).sum(), logSoftmax: (a) => F.logSoftmax(a, 1).pow(2).sum(),
    crossEntropy: (a) => F.crossEntropy(a, torch.tensor([0, 3, 1])), relu: (a) => F.relu(a).pow(3).sum(),
    sigmoid: (a) => a.sigmoid().sum(), tanh: (a) => a.tanh().sum(), gelu: (a) => F.gelu(a).sum(), silu: (a) => F.silu(a).sum(),
    matmul: (a) => a.matmul(W).pow(2).sum(), mean: (a) => a.mean(1).pow(3).sum(), var: (a) => a.var(1).sum(), std: (a) => a.std(0).sum(),
    norm: (a) => a.norm(), layerNorm: (a) => F.layerNorm(a, [4]).pow(3).sum(), max: (a) => a.max(1).values.pow(3).sum(),
    amax: (a) => a.amax(1).pow(3).sum(), logsumexp: (a) => a.logsumexp(1).sum(),
    gather: (a) => a.gather(1, torch.tensor([[0], [2], [3]])).pow(3).sum(), indexT: (a) => a.index(torch.tensor([2, 0])).pow(3).sum(),
    maskedFill: (a) => a.maskedFill(a.gt(0), 0).pow(3).sum(), where: (a) => torch.where(a.gt(0), a, a.mul(2)).pow(3).sum(),
    cumsum: (a) => a.cumsum(1).pow(2).sum(), prod: (a) => a.prod(1).sum(), sort: (a) => a.sort(1).values.pow(3).sum(),
    cat: (a) => torch.cat([a, a.mul(2)], 0).pow(3).sum(), stack: (a) => torch.stack([a, a]).pow(3).sum(),
    conv2d: (a) => F.conv2d(a.reshape([1, 1, 3, 4]), W.narrow(0, 0, 2).narrow(1, 0, 2).reshape([1, 1, 2, 2])).pow(2).sum(),
    maxPool: (a) => F.maxPool2d(a.reshape([1, 1, 3, 4]), 2).pow(3).sum(), avgPool: (a) => F.avgPool2d(a.reshape([1, 1, 3, 4]), 2).pow(3).sum(),
    mse: (a) => F.mseLoss(a, W.narrow(0, 0, 3)), bce: (a) => F.binaryCrossEntropyWithLogits(a, a.detach().sigmoid()),
    linear: (a) => F.linear(a, W, W.select(0, 0)).pow(2).sum(), dropoutEval: (a) => F.dropout(a, 0.5, false).pow(3).sum(), padNeg: (a) => F.pad(a, [-1, 2, 1, -1]).pow(3).sum(), pad2: (a) => F.pad(a, [1, 1, 2, 0], { value: 0.5 }).pow(3).sum(),
    embeddingLike: (a) => a.indexSelect(0, torch.tensor([1, 1, 2])).pow(3).sum(), clamp: (a) => a.clamp(-0.5, 0.5).pow(3).sum(),
    abs: (a) => a.abs().pow(3).sum(), expSum: (a) => a.exp().sum(), pad: (a) => F.pad(a, [1, 1]).pow(3).sum(),
  };
  test('every reference case has a program here', () => expect(Object.keys(cases).sort()).toEqual(Object.keys(REF.cases).sort()));
  for (const [name, f] of Object.entries(cases)) {
    test(name, () => {
      const a = torch.tensor(REF.A, { dtype: 'float64', requiresGrad: true });
      const [g] = torch.autograd.grad(f(a), a, { createGraph: true });
      const gg = g.requiresGrad ? torch.autograd.grad(g.mul(g).sum(), a, { allowUnused: true })[0] : null;
      const got = (gg ?? torch.zerosLike(a)).tolist() as number[][];
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(REF.cases[name][i][j], 7)));
    });
  }
  test('F.dropout takes PyTorch\'s positional (p, training, inplace) as well as options; dropout1d drops channels', () => {
    const x = torch.ones([2, 3, 40]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout(x, { p: 0.5, training: false })).toBe(x);
    const d1 = F.dropout1d(x, 0.5);
    expect(d1.amax(2).eq(d1.amin(2)).all().item()).toBe(true); // each channel kept or dropped whole
    expect(() => F.dropout(x, 0.5, 'yes' as unknown as boolean)).toThrow(/argument 'training' must be bool/);
    expect(() => F.dropout(x, '0.5' as unknown as number)).toThrow(/dropout\(\): argument 'p' must be float, not string/);
    expect(() => F.dropout1d(torch.ones([2, 2, 2, 2]), 0.5)).toThrow(/Expected 2D or 3D input/);
  });
});

describe('in-place ops leave the grad mode as they found it', () => {
  it('clamp_ and friends under noGrad keep grad mode off (an in-place clamp once switched it on for the rest of the process)', () => {
    torch.noGrad(() => {
      const x = torch.randn([4]);
      x.clamp_(-0.5, 0.5); expect(torch.isGradEnabled()).toBe(false);
      x.clamp_({ min: 0 }); expect(torch.isGradEnabled()).toBe(false);
      x.maskedFill_(x.gt(0.2), 1); expect(torch.isGradEnabled()).toBe(false);
      x.fill_(2).mul_(3).add_(1); expect(torch.isGradEnabled()).toBe(false);
    });
    expect(torch.isGradEnabled()).toBe(true);
    const p = new torch.nn.Parameter(torch.ones([3]));
    p.grad = torch.full([3], 5, { dtype: 'float32' });
    torch.nn.utils.clipGradValue_([p], 1);
    expect(torch.isGradEnabled()).toBe(true);
    expect(p.grad?.tolist()).toEqual([1, 1, 1]);
  });
});
