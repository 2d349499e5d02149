// batchnorm_fused.test.ts - the fused batch norm (OP(batch_norm) / OP(batch_norm_backward), lib/nn/batchnorm.ts) and
// the truly in-place activations, against PyTorch 1.13 values recorded by test/ref/gen_bn.py: BatchNorm1d/2d/3d in
// training and evaluation (affine on/off, running stats on/off, momentum 0.1 / 0.3 / null), float32 and float64,
// outputs, input/weight/bias gradients, running statistics; double backward; the fused path against the composite
// (non-contiguous input); in-place activations' values, gradients, node names, version counters and refusals.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

const nn = torch.nn;
const F = torch.nn.functional;
type T = torch.Tensor;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/bn.json') as Any;

const dec = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
function mk(r: Ref, dtype?: string, requiresGrad = false): T {
  const t = torch.tensor((r.data as (number | string)[]).map(dec), { dtype: 'float64' }).reshape(r.shape);
  return torch.noGrad(() => t.to((dtype ?? r.dtype) as torch.DType)).detach().requiresGrad_(requiresGrad);
}
const tol = (dt: string) => (dt === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 2e-5, atol: 2e-5 });
const CLS: Record<number, Any> = { 1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d };

describe('fused batch norm vs PyTorch', () => {
  for (const c of REF.cases as Any[]) {
    const label = `BatchNorm${c.dim}d ${c.key} ${c.dtype} affine=${c.affine} track=${c.track} momentum=${c.momentum}`;
    test(label, () => {
      const inp = REF.inputs[c.key];
      const C = inp.x1.shape[1];
      const m = new CLS[c.dim](C, { affine: c.affine, trackRunningStats: c.track, momentum: c.momentum, dtype: c.dtype });
      if (c.affine) torch.noGrad(() => { m.weight.copy_(mk(inp.w, c.dtype)); m.bias.copy_(mk(inp.b, c.dtype)); });
      const x1 = mk(inp.x1, c.dtype), gout = mk(inp.gout, c.dtype);
      m.train();
      m.forward(x1);
      const xa = mk(inp.x2, c.dtype, true);
      const y = m.forward(xa);
      expect(y.gradFn!.name).toBe('NativeBatchNormBackward0');
      y.mul(gout).sum().backward();
      const t = tol(c.dtype);
      expectTensor(y, c.train.y, t);
      expectTensor(xa.grad!, c.train.gx, t);
      if (c.affine) { expectTensor(m.weight.grad, c.train.gw, t); expectTensor(m.bias.grad, c.train.gb, t); }
      if (c.track) {
        expectTensor(m.runningMean, c.train.rm, t);
        expectTensor(m.runningVar, c.train.rv, t);
        expect(Number(m.numBatchesTracked.item())).toBe(c.train.nbt);
      }
      m.eval();
      if (c.affine) { m.weight.grad = null; m.bias.grad = null; }
      const xb = mk(inp.x1, c.dtype, true);
      const y2 = m.forward(xb);
      y2.mul(gout).sum().backward();
      expectTensor(y2, c.eval.y, t);
      expectTensor(xb.grad!, c.eval.gx, t);
      if (c.affine) { expectTensor(m.weight.grad, c.eval.gw, t); expectTensor(m.bias.grad, c.eval.gb, t); }
    });
  }

  test('double backward (createGraph) through the fused batch norm, training and evaluation', () => {
    const d = REF.double;
    for (const mode of ['train', 'eval']) {
      const x = mk(d.x, undefined, true), w = mk(d.w, undefined, true), b = mk(d.b, undefined, true);
      const y = F.batchNorm(x, mk(d.rm), mk(d.rv), w, b, { training: mode === 'train' });
      expect(y.gradFn!.name).toBe('NativeBatchNormBackward0');
      const [gx, gw] = torch.autograd.grad(y.pow(3).mul(mk(d.gout)).sum(), [x, w], { createGraph: true });
      const r = d.cases[mode];
      expectTensor(gx!, r.gx); expectTensor(gw!, r.gw);
      const s = gx!.mul(gx!).sum().add(gw!.mul(gw!).sum());
      const [hx, hw, hb] = torch.autograd.grad(s, [x, w, b], { allowUnused: true });
      expectTensor(hx!, r.hx, { rtol: 1e-9, atol: 1e-10 });
      expectTensor(hw!, r.hw, { rtol: 1e-9, atol: 1e-10 });
      if (r.hb) expectTensor(hb!, r.hb, { rtol: 1e-9, atol: 1e-10 });
      else expect(hb === null || Math.abs(Number(hb.abs().max().item())) === 0).toBe(true);
    }
  });

  test('fused path equals the composite (non-contiguous input) in values, gradients and running stats', () => {
    torch.manualSeed(3);
    for (const dtype of ['float32', 'float64'] as const) {
      for (const training of [true, false]) {
        const base = torch.randn([5, 7, 3, 6], { dtype }).mul(3).add(1);
        const xc = base.clone().requiresGrad_();
        const xn = base.permute([1, 0, 2, 3]).contiguous().permute([1, 0, 2, 3]).detach().requiresGrad_();  // same values, not contiguous
        expect(xn.isContiguous()).toBe(false);
        const w = torch.rand([7], { dtype }).add(0.5), b = torch.randn([7], { dtype });
        const rm1 = torch.randn([7], { dtype }), rv1 = torch.rand([7], { dtype }).add(0.5);
        const rm2 = rm1.clone(), rv2 = rv1.clone();
        const wc = w.clone().requiresGrad_(), wn = w.clone().requiresGrad_();
        const g = torch.randn([5, 7, 3, 6], { dtype });
        const yc = F.batchNorm(xc, rm1, rv1, wc, b, { training, momentum: 0.2, eps: 1e-3 });
        const yn = F.batchNorm(xn, rm2, rv2, wn, b, { training, momentum: 0.2, eps: 1e-3 });
        expect(yc.gradFn!.name).toBe('NativeBatchNormBackward0');
        expect(yn.gradFn!.name).not.toBe('NativeBatchNormBackward0');
        yc.mul(g).sum().backward(); yn.mul(g).sum().backward();
        const t = dtype === 'float64' ? 1e-12 : 2e-5;
        const close = (a: T, e: T): void => { expect(Number(a.sub(e).abs().max().item())).toBeLessThan(t * (1 + Number(e.abs().max().item()))); };
        close(yc, yn); close(xc.grad!, xn.grad!); close(wc.grad!, wn.grad!); close(rm1, rm2); close(rv1, rv2);
      }
    }
  });

  test('running statistics move their version counters; errors as PyTorch', () => {
    const m = new nn.BatchNorm2d(3);
    const v0 = m.runningMean._version;
    m.forward(torch.randn([2, 3, 4, 4]));
    expect(m.runningMean._version).toBeGreaterThan(v0);
    expect(() => F.batchNorm(torch.randn([1, 3]), torch.zeros([3]), torch.ones([3]), { training: true })).toThrow(/Expected more than 1 value per channel when training/);
    expect(() => F.batchNorm(torch.randn([4, 3]), null, null, { training: false })).toThrow(/running_mean and running_var must be defined/);
    expect(() => F.batchNorm(torch.randn([4, 3]), torch.zeros([4]), torch.ones([3]))).toThrow(/running_mean should contain 3 elements not 4/);
    expect(() => new nn.BatchNorm3d(3).forward(torch.randn([2, 3, 4]))).toThrow(/expected 5D input \(got 3D input\)/);
    // an empty batch in evaluation mode gives an empty output
    const e = new nn.BatchNorm2d(3); e.eval();
    expect(e.forward(torch.zeros([0, 3, 2, 2])).shape).toEqual([0, 3, 2, 2]);
  });
});

describe('in-place activations', () => {
  const A = REF.acts;
  const ACTS: Record<string, (y: T) => T> = {
    relu: (y) => F.relu(y, { inplace: true }), relu_: (y) => y.relu_(),
    leakyRelu: (y) => F.leakyRelu(y, { negativeSlope: 0.2, inplace: true }), elu: (y) => F.elu(y, { alpha: 0.7, inplace: true }),
    hardtanh: (y) => F.hardtanh(y, { minVal: -2, maxVal: 3, inplace: true }), relu6: (y) => F.relu6(y, { inplace: true }),
    silu: (y) => F.silu(y, { inplace: true }), hardswish: (y) => F.hardswish(y, { inplace: true }),
    hardsigmoid: (y) => F.hardsigmoid(y, { inplace: true }), selu: (y) => F.selu(y, { inplace: true }),
    celu: (y) => F.celu(y, { alpha: 0.8, inplace: true }), threshold: (y) => F.threshold(y, 0.5, -2, { inplace: true }),
    dropoutEval: (y) => F.dropout(y, { p: 0.5, training: false, inplace: true }),
  };
  // every one runs on self's storage with its own node, as PyTorch's in-place forms (node names recorded from PyTorch)
  const TRUE_INPLACE = Object.keys(ACTS);
  for (const [k, f] of Object.entries(ACTS)) {
    for (const dt of ['float32', 'float64']) {
      test(`${k} ${dt}: values, gradient, same tensor${TRUE_INPLACE.includes(k) ? ', node name, version +1' : ''}`, () => {
        const r = A.cases[`${k}_${dt}`];
        const x = mk(A.x, dt, true);
        const y = x.mul(1.5);
        const v0 = y._version, st = (y as Any)._st;
        const out = f(y);
        expect(out).toBe(y);
        expect((y as Any)._st).toBe(st);
        if (TRUE_INPLACE.includes(k)) {
          expect(y._version - v0).toBe(r.bump);
          expect(y.gradFn!.name).toBe(r.name);
        }
        y.mul(mk(A.gout, dt)).sum().backward();
        expectTensor(y, r.y, tol(dt));
        // PyTorch's float64 hardsigmoid/celu backward kernels round 1/6 and 1/alpha to float32 (about 1e-8 relative)
        expectTensor(x.grad!, r.gx, dt === 'float64' && (k === 'hardsigmoid' || k === 'celu') ? { rtol: 1e-7, atol: 1e-9 } : tol(dt));
      });
    }
  }

  test('the refusals and the version-counter errors of PyTorch', () => {
    const E = REF.errors;
    const esc = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('torch.FloatTensor', '.*'));
    expect(() => F.relu(torch.randn([3], { requiresGrad: true }), { inplace: true })).toThrow(esc(E.leaf));
    expect(() => { const x = torch.randn([3, 4], { requiresGrad: true }); F.relu(x.select(0, 0), { inplace: true }); }).toThrow(esc(E.viewOfLeaf));
    expect(() => { const x = torch.randn([3], { requiresGrad: true }); const y = x.mul(2); const p = y.mul(y); F.relu(y, { inplace: true }); p.sum().backward(); })
      .toThrow(/one of the variables needed for gradient computation has been modified by an inplace operation: .*which is output 0 of ReluBackward0, is at version 1; expected version 0 instead/);
    expect(() => { const x = torch.randn([3], { requiresGrad: true }); const y = x.sigmoid(); F.relu(y, { inplace: true }); y.sum().backward(); })
      .toThrow(/modified by an inplace operation: .*which is output 0 of ReluBackward0|modified by an inplace operation: .*SigmoidBackward0/);
    // relu_ twice: the first node's saved result has moved on
    expect(() => { const x = torch.randn([3], { requiresGrad: true }); const y = x.mul(2); y.relu_(); y.relu_(); y.sum().backward(); }).toThrow(/modified by an inplace operation/);
    // a negative slope cannot be differentiated in place
    expect(() => { const x = torch.randn([3], { requiresGrad: true }); const y = x.mul(2); F.leakyRelu(y, { negativeSlope: -0.5, inplace: true }); y.sum().backward(); }).toThrow(/In-place leakyReLu backward/);
    // without grad mode a leaf that requires grad may be modified
    const leaf = torch.tensor([-1.5, 2], { requiresGrad: true });
    torch.noGrad(() => F.relu(leaf, { inplace: true }));
    expect(leaf.tolist()).toEqual([0, 2]);
  });

  test('relu in place on a view of a non-leaf: the base gets the view\'s gradient (CopySlices)', () => {
    const x = mk(A.x, 'float64', true);
    const base = x.mul(1);
    F.relu(base.narrow(0, 1, 2), { inplace: true });
    base.mul(mk(A.gout)).sum().backward();
    expectTensor(base, REF.view.base);
    expectTensor(x.grad!, REF.view.gx);
  });

  test('nn.ReLU({ inplace: true }) writes into its input, in eval and in training', () => {
    const m = new nn.ReLU({ inplace: true });
    const x = torch.tensor([-1, 0.5, -3, 2]);
    const y = torch.noGrad(() => m.forward(x));
    expect(y).toBe(x);
    expect(x.tolist()).toEqual([0, 0.5, 0, 2]);
    const w = torch.tensor([-1, 0.5, -3, 2], { requiresGrad: true });
    const h = w.mul(2);
    expect(m.forward(h)).toBe(h);
    h.sum().backward();
    expect(w.grad!.tolist()).toEqual([0, 2, 0, 2]);
    // relu_ in place keeps double backward (createGraph)
    const z = torch.tensor([-1, 0.5, 2], { dtype: 'float64', requiresGrad: true });
    const q = z.mul(1); q.relu_();
    const [g] = torch.autograd.grad(q.pow(3).sum(), [z], { createGraph: true });
    const [gg] = torch.autograd.grad(g!.sum(), [z]);
    expect(gg!.tolist()).toEqual([0, 3, 12]);
  });
});
