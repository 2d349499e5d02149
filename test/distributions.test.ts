// distributions.test.ts - torch.distributions vs PyTorch 1.13 (test/ref/gen_distributions.py -> distributions.json):
// logProb, entropy, cdf, icdf, mean, variance and their gradients w.r.t. the parameters (float64), KL divergences and
// their gradients, validation messages; sample shapes and moments (fixed seed, tolerances from the standard error);
// rsample gradients; torch.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) values.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib/index';

const D = torch.distributions;
type Enc = { shape: number[]; data: (number | string)[] } | null;
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'distributions.json'), 'utf8'));
const dec = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const f64 = (x: unknown, grad = false): torch.Tensor => torch.tensor(x as number[], { dtype: 'float64', requiresGrad: grad });

function expectClose(t: torch.Tensor | null | undefined, e: Enc, rtol = 1e-6, atol = 1e-8): void {
  expect(e).not.toBeNull();
  if (!e) return;
  expect(t).toBeInstanceOf(torch.Tensor);
  const tt = t as torch.Tensor;
  expect(tt.shape).toEqual(e.shape);
  const got = Array.from(tt.detach().to('float64').contiguous().toTypedArray() as Float64Array);
  e.data.forEach((v0, i) => {
    const v = dec(v0), g = got[i];
    if (Number.isNaN(v)) { expect(g).toBeNaN(); return; }
    if (!Number.isFinite(v)) { expect(g).toBe(v); return; }
    if (Math.abs(g - v) > atol + rtol * Math.abs(v)) throw new Error(`element ${i}: got ${g}, expected ${v} (shape [${e.shape}])`);
  });
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function build(name: string, params: Record<string, unknown>): { d: torch.distributions.Distribution; leaves: Record<string, torch.Tensor> } {
  const leaves: Record<string, torch.Tensor> = {};
  const p: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'total_count' && typeof v === 'number') { p.totalCount = v; continue; }
    const t = f64(v, k !== 'total_count');
    if (k !== 'total_count') leaves[k] = t;
    p[camel(k)] = t;
  }
  const P = p as Record<string, torch.Tensor>;
  if (name === 'MixtureSameFamily') {
    for (const k of Object.keys(params)) leaves[k] = f64(params[k], true);
    return { d: new D.MixtureSameFamily(new D.Categorical({ logits: leaves.mix_logits }), new D.Normal(leaves.loc, leaves.scale)), leaves };
  }
  const ctor: Record<string, () => torch.distributions.Distribution> = {
    Normal: () => new D.Normal(P.loc, P.scale),
    Bernoulli: () => new D.Bernoulli({ probs: P.probs, logits: P.logits }),
    Categorical: () => new D.Categorical({ probs: P.probs, logits: P.logits }),
    OneHotCategorical: () => new D.OneHotCategorical({ probs: P.probs, logits: P.logits }),
    Uniform: () => new D.Uniform(P.low, P.high),
    Exponential: () => new D.Exponential(P.rate),
    Laplace: () => new D.Laplace(P.loc, P.scale),
    Cauchy: () => new D.Cauchy(P.loc, P.scale),
    Gumbel: () => new D.Gumbel(P.loc, P.scale),
    HalfNormal: () => new D.HalfNormal(P.scale),
    LogNormal: () => new D.LogNormal(P.loc, P.scale),
    Poisson: () => new D.Poisson(P.rate),
    Pareto: () => new D.Pareto(P.scale, P.alpha),
    Weibull: () => new D.Weibull(P.scale, P.concentration),
    Geometric: () => new D.Geometric({ probs: P.probs, logits: P.logits }),
    Beta: () => new D.Beta(P.concentration1, P.concentration0),
    Gamma: () => new D.Gamma(P.concentration, P.rate),
    Chi2: () => new D.Chi2(P.df),
    Dirichlet: () => new D.Dirichlet(P.concentration),
    StudentT: () => new D.StudentT(P.df, P.loc, P.scale),
    Binomial: () => new D.Binomial({ totalCount: P.totalCount, probs: P.probs, logits: P.logits }),
    NegativeBinomial: () => new D.NegativeBinomial({ totalCount: P.totalCount, probs: P.probs, logits: P.logits }),
    Multinomial: () => new D.Multinomial({ totalCount: p.totalCount as number, probs: P.probs, logits: P.logits }),
    MultivariateNormal: () => new D.MultivariateNormal(P.loc, { covarianceMatrix: P.covarianceMatrix, precisionMatrix: P.precisionMatrix, scaleTril: P.scaleTril }),
  };
  return { d: ctor[name](), leaves };
}

describe('distributions vs PyTorch 1.13: values and parameter gradients (float64)', () => {
  for (const c of ref.cases) {
    const label = `${c.dist}(${Object.keys(c.params).join(', ')})`;
    test(label, () => {
      const { d, leaves } = build(c.dist, c.params);
      expect(d.batchShape).toEqual(c.batchShape);
      expect(d.eventShape).toEqual(c.eventShape);
      const v = c.dist === 'Categorical' ? torch.tensor(c.value) : f64(c.value);
      const lp = d.logProb(v);
      expectClose(lp, c.logProb);
      let L = lp.sum();
      if (c.entropy) { const H = d.entropy(); expectClose(H, c.entropy); L = L.add(H.sum()); }
      if (c.mean) expectClose(d.mean, c.mean);
      if (c.variance) expectClose(d.variance, c.variance);
      if (c.cdf) expectClose(d.cdf(v), c.cdf);
      if (c.icdf) expectClose(d.icdf(f64(c.q)), c.icdf);
      const names = Object.keys(leaves);
      const gs = torch.autograd.grad(L, names.map((k) => leaves[k]), { allowUnused: true });
      names.forEach((k, i) => {
        const e = c.grads[k] as Enc;
        if (e === null) expect(gs[i]).toBeNull(); else expectClose(gs[i], e, 1e-5, 1e-7);
      });
    });
  }
});

describe('kl.klDivergence vs PyTorch 1.13 (values and gradients)', () => {
  for (const c of ref.kl) {
    test(`KL(${c.p[0]} || ${c.q[0]})`, () => {
      const p = build(c.p[0], c.p[1]), q = build(c.q[0], c.q[1]);
      const kl = D.kl.klDivergence(p.d, q.d);
      expectClose(kl, c.kl);
      const names = [...Object.keys(p.leaves).map((k) => 'p.' + k), ...Object.keys(q.leaves).map((k) => 'q.' + k)];
      const leaves = [...Object.values(p.leaves), ...Object.values(q.leaves)];
      if (Object.values(c.grads).every((g) => g === null)) { expect(kl.requiresGrad).toBe(false); return; }
      const gs = torch.autograd.grad(kl.sum(), leaves, { allowUnused: true });
      names.forEach((n, i) => { const e = c.grads[n] as Enc; if (e === null) expect(gs[i]).toBeNull(); else expectClose(gs[i], e, 1e-5, 1e-7); });
    });
  }
  test('no registered pair: a TorchError naming both types; registerKl adds one', () => {
    const p = new D.Normal(0, 1), q = new D.Cauchy(0, 1);
    expect(() => D.kl.klDivergence(p, q)).toThrow(/No KL\(p \|\| q\) is implemented for p of type Normal and q of type Cauchy/);
    D.kl.registerKl(D.Normal, D.Cauchy)((a, b) => a.loc.sub(b.loc).abs());
    expect(D.kl.klDivergence(new D.Normal(2, 1), new D.Cauchy(0.5, 1)).item()).toBeCloseTo(1.5, 6);
  });
});

describe('argument validation (PyTorch ValueError messages as TorchErrors)', () => {
  for (const [name, params, msg] of ref.errors) {
    test(`${name} rejects ${JSON.stringify(params)}`, () => {
      const P: Record<string, torch.Tensor> = {};
      for (const [k, v] of Object.entries(params)) P[k] = torch.tensor(v as number[], { dtype: 'float32' });
      const mk = (): unknown => (name === 'Normal' ? new D.Normal(P.loc, P.scale) : name === 'Bernoulli' ? new D.Bernoulli({ probs: P.probs })
        : name === 'Gamma' ? new D.Gamma(P.concentration, P.rate) : new D.Exponential(P.rate));
      let err: unknown = null;
      try { mk(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(torch.TorchError);
      expect((err as Error).message).toBe(msg);
    });
  }
  test('samples outside the support, and shapes that do not broadcast', () => {
    const n = new D.Exponential(torch.tensor([1, 2], { dtype: 'float32' }));
    expect(() => n.logProb(torch.tensor([-1, 1], { dtype: 'float32' }))).toThrow(/Expected value argument \(Tensor of shape \(2,\)\) to be within the support \(GreaterThanEq\(lower_bound=0.0\)\) of the distribution Exponential\(rate: torch.Size\(\[2\]\)\), but found invalid values/);
    expect(() => n.logProb(torch.ones([3]))).toThrow(/Value is not broadcastable with batch_shape\+event_shape/);
    const mvn = new D.MultivariateNormal(torch.zeros([2]), { covarianceMatrix: torch.eye(2) });
    expect(() => mvn.logProb(torch.zeros([3]))).toThrow(/The right-most size of value must match event_shape: \[3\] vs \[2\]/);
    expect(() => new D.MultivariateNormal(torch.zeros([2]), { covarianceMatrix: torch.tensor([[1, 2], [2, 1]], { dtype: 'float32' }) })).toThrow(/to satisfy the constraint PositiveDefinite\(\)/);
    expect(() => new D.Categorical({})).toThrow(/Either `probs` or `logits` must be specified, but not both/);
    expect(() => new D.Uniform(1, 0)).toThrow(/Uniform is not defined when low>= high/);
    // validateArgs: false and setDefaultValidateArgs(false) turn the checks off
    expect(() => new D.Normal(0, -1, { validateArgs: false })).not.toThrow();
    D.Distribution.setDefaultValidateArgs(false);
    try { expect(new D.Normal(0, -1).logProb(torch.tensor(0.5)).item()).toBeNaN(); } finally { D.Distribution.setDefaultValidateArgs(true); }
    expect(() => new D.Normal(0, -1)).toThrow(torch.TorchError);
  });
});

describe('sampling: shapes (sampleShape x batchShape x eventShape) and moments (fixed seed)', () => {
  // |sample mean - mean| < 5 standard errors, sample variance within 5 standard errors of the variance
  const N = 20000;
  function checkMoments(d: torch.distributions.Distribution, n = N): void {
    torch.manualSeed(1234);
    const s = d.sample([n]).to('float64');
    expect(s.shape).toEqual([n, ...d.batchShape, ...d.eventShape]);
    const mean = d.mean.to('float64'), variance = d.variance.to('float64');
    const m = s.mean(0), sv = s.var(0);
    const se = variance.div(n).sqrt();
    const z = m.sub(mean).abs().div(se);
    expect(z.max().item() as number).toBeLessThan(5);
    // the standard error of the sample variance: sqrt((mu4 - sigma^4) / n), mu4 the sample's fourth central moment
    const fourth = s.sub(mean).pow(4).mean(0);
    // (a one-hot coordinate with p = 1/2 has a sample variance that is almost exact: mu4 = sigma^4, hence the floor)
    const seVar = fourth.sub(variance.pow(2)).clamp(0, null).div(n).sqrt().add(variance.mul(1e-3));
    expect(sv.sub(variance).abs().div(seVar).max().item() as number).toBeLessThan(5);
  }
  const cases: [string, () => torch.distributions.Distribution][] = [
    ['Normal', () => new D.Normal(torch.tensor([0, 3], { dtype: 'float32' }), torch.tensor([1, 0.5], { dtype: 'float32' }))],
    ['Bernoulli', () => new D.Bernoulli({ probs: torch.tensor([0.2, 0.7], { dtype: 'float32' }) })],
    ['OneHotCategorical', () => new D.OneHotCategorical({ probs: torch.tensor([0.2, 0.3, 0.5], { dtype: 'float32' }) })],
    ['Uniform', () => new D.Uniform(-1, 3)],
    ['Exponential', () => new D.Exponential(torch.tensor([0.5, 4], { dtype: 'float32' }))],
    ['Laplace', () => new D.Laplace(1, 2)],
    ['Gumbel', () => new D.Gumbel(1, 2)],
    ['HalfNormal', () => new D.HalfNormal(2)],
    ['LogNormal', () => new D.LogNormal(0, 0.5)],
    ['Pareto', () => new D.Pareto(torch.tensor([1, 2], { dtype: 'float32' }), torch.tensor([5, 6], { dtype: 'float32' }))],
    ['Weibull', () => new D.Weibull(torch.tensor([1, 2], { dtype: 'float32' }), torch.tensor([1.5, 0.8], { dtype: 'float32' }))],
    ['Poisson', () => new D.Poisson(torch.tensor([0.3, 4, 60], { dtype: 'float32' }))],
    ['Geometric', () => new D.Geometric({ probs: torch.tensor([0.3, 0.8], { dtype: 'float32' }) })],
    ['Gamma', () => new D.Gamma(torch.tensor([0.4, 1, 7.5], { dtype: 'float32' }), torch.tensor([1, 2, 0.5], { dtype: 'float32' }))],
    ['Chi2', () => new D.Chi2(torch.tensor([3], { dtype: 'float32' }))],
    ['Beta', () => new D.Beta(torch.tensor([0.5, 2], { dtype: 'float32' }), torch.tensor([0.5, 5], { dtype: 'float32' }))],
    ['Dirichlet', () => new D.Dirichlet(torch.tensor([[1.5, 2, 0.7]], { dtype: 'float32' }))],
    ['StudentT', () => new D.StudentT(torch.tensor([6], { dtype: 'float32' }), 1, 2)],
    ['Binomial', () => new D.Binomial({ totalCount: torch.tensor([10, 25], { dtype: 'float32' }), probs: torch.tensor([0.3, 0.9], { dtype: 'float32' }) })],
    ['Multinomial', () => new D.Multinomial({ totalCount: 7, probs: torch.tensor([0.2, 0.3, 0.5], { dtype: 'float32' }) })],
    ['NegativeBinomial', () => new D.NegativeBinomial({ totalCount: torch.tensor([3, 0.7], { dtype: 'float32' }), probs: torch.tensor([0.4, 0.2], { dtype: 'float32' }) })],
    ['MixtureSameFamily', () => new D.MixtureSameFamily(new D.Categorical({ probs: torch.tensor([[0.3, 0.7], [0.5, 0.5]], { dtype: 'float32' }) }),
      new D.Normal(torch.tensor([[-2, 1], [0, 4]], { dtype: 'float32' }), torch.tensor([[1, 0.5], [2, 1]], { dtype: 'float32' })))],
    ['MultivariateNormal', () => new D.MultivariateNormal(torch.tensor([1, -1], { dtype: 'float32' }), { covarianceMatrix: torch.tensor([[2, 0.5], [0.5, 1]], { dtype: 'float32' }) })],
  ];
  for (const [name, mk] of cases) test(name, () => checkMoments(mk(), name === 'Multinomial' || name === 'Binomial' ? 4000 : N));

  test('Categorical frequencies and shapes; sample([2, 3]) of a batch', () => {
    torch.manualSeed(7);
    const probs = torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], { dtype: 'float32' });
    const c = new D.Categorical({ probs });
    expect(c.sample([2, 3]).shape).toEqual([2, 3, 2]);
    const n = 20000;
    const s = c.sample([n]);
    expect(s.dtype).toBe('int64');
    for (let b = 0; b < 2; b++) for (let k = 0; k < 3; k++) {
      const p = probs.select(0, b).select(0, k).item() as number;
      const freq = (s.select(1, b).eq(k).sum().item() as number) / n;
      expect(Math.abs(freq - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / n));
    }
    expect(c.enumerateSupport().shape).toEqual([3, 2]);
    expect(c.enumerateSupport(false).shape).toEqual([3, 1]);
  });
  test('MultivariateNormal sample covariance', () => {
    torch.manualSeed(3);
    const cov = torch.tensor([[2, 0.5], [0.5, 1]], { dtype: 'float64' });
    const s = new D.MultivariateNormal(torch.zeros([2], { dtype: 'float64' }), { covarianceMatrix: cov }).sample([20000]);
    const emp = s.mT.matmul(s).div(20000);
    expect(emp.sub(cov).abs().max().item() as number).toBeLessThan(0.08);
  });
  test('expand, Independent and batch shapes', () => {
    const n = new D.Normal(torch.zeros([3]), torch.ones([3]));
    const e = n.expand([4, 3]);
    expect(e.batchShape).toEqual([4, 3]);
    expect(e.sample([2]).shape).toEqual([2, 4, 3]);
    const ind = new D.Independent(n, 1);
    expect(ind.batchShape).toEqual([]); expect(ind.eventShape).toEqual([3]);
    const v = torch.tensor([0.1, -0.2, 0.3], { dtype: 'float32' });
    expect(ind.logProb(v).item()).toBeCloseTo(n.logProb(v).sum().item() as number, 5);
    expect(ind.sample([5]).shape).toEqual([5, 3]);
    expect(() => new D.Independent(n, 2)).toThrow(/reinterpreted_batch_ndims <= len\(base_distribution.batch_shape\)/);
  });
});

describe('rsample: reparameterised gradients', () => {
  test('Normal: d sample / d loc = 1, d sample / d scale = eps', () => {
    torch.manualSeed(0);
    const loc = torch.tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
    const scale = torch.tensor([2, 0.5], { dtype: 'float64', requiresGrad: true });
    const s = new D.Normal(loc, scale).rsample([5]);
    const [gl, gs] = torch.autograd.grad(s.sum(), [loc, scale]);
    expect(gl!.tolist()).toEqual([5, 5]);
    const eps = s.detach().sub(loc.detach()).div(scale.detach()).sum(0);
    expect(gs!.sub(eps).abs().max().item() as number).toBeLessThan(1e-12);
  });
  test('Exponential, Uniform, Laplace: the sample is an affine/scale function of the parameter', () => {
    torch.manualSeed(0);
    const rate = torch.tensor([2], { dtype: 'float64', requiresGrad: true });
    const s = new D.Exponential(rate).rsample([10]);
    const [g] = torch.autograd.grad(s.sum(), [rate]);
    expect(g!.item()).toBeCloseTo(-(s.detach().sum().item() as number) / 2, 10);
    const lo = torch.tensor([1], { dtype: 'float64', requiresGrad: true });
    const u = new D.Uniform(lo, 5).rsample([7]);
    expect(torch.autograd.grad(u.sum(), [lo])[0]!.item()).toBeCloseTo(7 - (u.detach().sub(1).div(4).sum().item() as number), 10);
  });
  test('Gamma: implicit reparameterisation, d E[x] / d alpha = 1 / rate (and Beta, Dirichlet through it)', () => {
    torch.manualSeed(11);
    const a = torch.tensor([0.6, 3], { dtype: 'float64', requiresGrad: true });
    const n = 20000;
    const s = new D.Gamma(a, torch.tensor([2, 2], { dtype: 'float64' })).rsample([n]);
    const [g] = torch.autograd.grad(s.mean(0).sum(), [a]);
    // pathwise estimate of d/d alpha E[x] = 1/rate; its standard error from the per-sample derivatives x'(alpha)
    for (const v of g!.tolist() as number[]) expect(Math.abs(v - 0.5)).toBeLessThan(0.03);
    const c1 = torch.tensor(2, { dtype: 'float64', requiresGrad: true });
    const b = new D.Beta(c1, torch.tensor(3, { dtype: 'float64' })).rsample([n]);
    const [gb] = torch.autograd.grad(b.mean(), [c1]);
    // d/d c1 of c1 / (c1 + c0) = c0 / (c1 + c0)^2 = 0.12
    expect(Math.abs((gb!.item() as number) - 0.12)).toBeLessThan(0.01);
  });
  test('non-reparameterisable distributions throw on rsample', () => {
    expect(() => new D.Bernoulli({ probs: torch.tensor([0.5], { dtype: 'float32' }) }).rsample()).toThrow(/does not implement rsample/);
    expect(new D.Poisson(1).hasRsample).toBe(false);
    expect(new D.Normal(0, 1).hasRsample).toBe(true);
  });
});

describe('transforms and TransformedDistribution', () => {
  test('TransformedDistribution(Normal, [ExpTransform]) equals LogNormal; Affine, Sigmoid, Tanh round trips', () => {
    const base = new D.Normal(torch.tensor([0.2], { dtype: 'float64' }), torch.tensor([0.7], { dtype: 'float64' }));
    const td = new D.TransformedDistribution(base, [new D.ExpTransform()]);
    const ln = new D.LogNormal(torch.tensor([0.2], { dtype: 'float64' }), torch.tensor([0.7], { dtype: 'float64' }));
    const v = torch.tensor([1.7], { dtype: 'float64' });
    expect(td.logProb(v).item()).toBeCloseTo(ln.logProb(v).item() as number, 12);
    // y = 2 x + 1 of a standard normal is Normal(1, 2)
    const aff = new D.TransformedDistribution(new D.Normal(0, 1), new D.AffineTransform(1, 2));
    expect(aff.logProb(torch.tensor(0.3)).item()).toBeCloseTo(new D.Normal(1, 2).logProb(torch.tensor(0.3)).item() as number, 5);
    expect(aff.cdf(torch.tensor(0.3)).item()).toBeCloseTo(new D.Normal(1, 2).cdf(torch.tensor(0.3)).item() as number, 5);
    const neg = new D.TransformedDistribution(new D.Normal(0, 1), new D.AffineTransform(0, -1));
    // P(-X <= 0.5) = 1 - P(X < -0.5)
    expect(neg.cdf(torch.tensor(0.5)).item()).toBeCloseTo(1 - (new D.Normal(0, 1).cdf(torch.tensor(-0.5)).item() as number), 5);
    for (const t of [new D.SigmoidTransform(), new D.TanhTransform(), new D.ExpTransform()]) {
      const x = torch.tensor([-1.5, 0.2, 0.9], { dtype: 'float64', requiresGrad: true });
      const y = t.call(x);
      expect(t.inv.call(y).sub(x).abs().max().item() as number).toBeLessThan(1e-9);
      // log|dy/dx| against autograd's derivative of the elementwise map
      const [dy] = torch.autograd.grad(y.sum(), [x]);
      expect(t.logAbsDetJacobian(x, y).sub(dy!.abs().log()).abs().max().item() as number).toBeLessThan(1e-9);
    }
  });
});

describe('torch.autograd.functional vs PyTorch 1.13', () => {
  const F = torch.autograd.functional;
  const R = ref.functional;
  const x = (): torch.Tensor => f64([0.3, -1.2]);
  const y = (): torch.Tensor => f64([0.5, 2.0, -0.7]);
  const f1 = (a: torch.Tensor): torch.Tensor => a.sin().mul(a.pow(2)).cumsum(0);
  const f2 = (a: torch.Tensor, b: torch.Tensor): torch.Tensor[] => [a.mul(b.sum()), a.exp().add(b.slice(0, 0, 2))];
  const fs_ = (a: torch.Tensor, b: torch.Tensor): torch.Tensor => a.pow(3).sum().mul(b.sin().sum()).add(a.mul(b.slice(0, 0, 2)).sum());
  test('jacobian: single, tuple x tuple, tuple in / single out', () => {
    expectClose(F.jacobian(f1, x()) as torch.Tensor, R.jacobian_single);
    const J = F.jacobian(f2, [x(), y()]) as torch.Tensor[][];
    expect(J.length).toBe(2); expect(J[0].length).toBe(2);
    J.forEach((row, i) => row.forEach((j, k) => expectClose(j, R.jacobian_tuple[i][k])));
    const J2 = F.jacobian(fs_, [x(), y()]) as torch.Tensor[];
    J2.forEach((j, k) => expectClose(j, R.jacobian_tuple_in_single_out[k]));
    expect((F.jacobian(f1, x()) as torch.Tensor).requiresGrad).toBe(false);
    expect((F.jacobian(f1, x(), { createGraph: true }) as torch.Tensor).requiresGrad).toBe(true);
  });
  test('hessian: single and tuple', () => {
    expectClose(F.hessian((a) => a.pow(3).mul(a.flip(0)).sum(), x()) as torch.Tensor, R.hessian_single);
    const H = F.hessian(fs_, [x(), y()]) as torch.Tensor[][];
    H.forEach((row, i) => row.forEach((h, k) => expectClose(h, R.hessian_tuple[i][k])));
    expect(() => F.hessian((a) => a.pow(2), x())).toThrow(/should contain a single element/);
  });
  test('vjp, jvp, hvp, vhp', () => {
    const [o, g] = F.vjp(f1, x(), f64([1, -2]));
    expectClose(o as torch.Tensor, R.vjp[0]); expectClose(g as torch.Tensor, R.vjp[1]);
    const [o2, g2] = F.jvp(f1, x(), f64([0.7, 0.1]));
    expectClose(o2 as torch.Tensor, R.jvp[0]); expectClose(g2 as torch.Tensor, R.jvp[1]);
    const v = [f64([1, 0.5]), f64([0.2, -0.3, 0.4])];
    const [o3, hv] = F.hvp(fs_, [x(), y()], v);
    expectClose(o3, R.hvp[0]); (hv as torch.Tensor[]).forEach((t, i) => expectClose(t, R.hvp[1][i]));
    const [o4, vh] = F.vhp(fs_, [x(), y()], v);
    expectClose(o4, R.vhp[0]); (vh as torch.Tensor[]).forEach((t, i) => expectClose(t, R.vhp[1][i]));
  });
  test('strict mode and argument errors', () => {
    expect(() => F.jacobian((a: torch.Tensor, b: torch.Tensor) => a.mul(2), [x(), y()], { strict: true })).toThrow(/is independent of input 1/);
    const J = F.jacobian((a: torch.Tensor, b: torch.Tensor) => a.mul(2), [x(), y()]) as torch.Tensor[];
    expect(J[1].shape).toEqual([2, 3]); expect(J[1].abs().sum().item()).toBe(0);
    expect(() => F.vjp(f1, x(), f64([1, 2, 3]))).toThrow(/v has invalid size: should be \[2\] but got \[3\]/);
    expect(() => F.vjp(f1, x())).toThrow(/v can only be None/);
    expect(() => F.jacobian(f1, 3 as unknown as torch.Tensor)).toThrow(TypeError);
  });
});

describe('second derivatives, the Gamma reparameterisation gradient, and mode', () => {
  const F = torch.autograd.functional;
  test('hessian of a Gamma log-likelihood and of a Beta entropy (through lgamma/digamma/trigamma) vs PyTorch', () => {
    const data = f64([0.4, 1.3, 2.2]);
    const H = F.hessian((c, r) => new D.Gamma(c, r).logProb(data).sum(), [f64([1.7]), f64([0.9])]) as torch.Tensor[][];
    H.forEach((row, i) => row.forEach((h, k) => expectClose(h, ref.functional.hessian_gamma_loglik[i][k], 1e-6)));
    const Hb = F.hessian((a, b) => new D.Beta(a, b).entropy().sum(), [f64([1.7]), f64([2.9])]) as torch.Tensor[][];
    // trigamma's own derivative is a central difference: 1e-5 relative
    Hb.forEach((row, i) => row.forEach((h, k) => expectClose(h, ref.functional.hessian_beta_entropy[i][k], 1e-5)));
  });
  test('dx/dalpha of a Gamma(alpha, 1) sample vs torch._standard_gamma_grad', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { standardGammaGrad } = require('../lib/distributions/sampling') as typeof import('../lib/distributions/sampling');
    const R = ref.standardGammaGrad;
    const g = standardGammaGrad(f64(R.alpha), f64(R.x));
    // PyTorch's is itself an approximation (series / asymptotic fits, about 1e-3 relative in places)
    expectClose(g, { shape: [R.alpha.length], data: R.grad }, 5e-3, 1e-6);
  });
  test('mode (PyTorch 2.x property)', () => {
    expect(new D.Gamma(f64([3, 0.5]), f64([2, 2])).mode.tolist()).toEqual([1, 0]);
    expect(new D.Beta(f64([2]), f64([3])).mode.tolist()[0]).toBeCloseTo(1 / 3, 12);
    expect(new D.Dirichlet(f64([[2, 3, 4]])).mode.sub(f64([[1 / 6, 2 / 6, 3 / 6]])).abs().max().item()).toBeLessThan(1e-12);
    expect(new D.Poisson(f64([2.7])).mode.tolist()).toEqual([2]);
    expect(new D.Categorical({ probs: f64([0.1, 0.6, 0.3]) }).mode.item()).toBe(1);
    expect(new D.OneHotCategorical({ probs: f64([0.1, 0.6, 0.3]) }).mode.tolist()).toEqual([0, 1, 0]);
    expect(new D.LogNormal(f64([0.5]), f64([1])).mode.item()).toBeCloseTo(Math.exp(-0.5), 12);
    expect(new D.Binomial({ totalCount: f64([10]), probs: f64([0.35]) }).mode.tolist()).toEqual([3]);
    const b = new D.Bernoulli({ probs: f64([0.2, 0.5, 0.9]) }).mode.tolist() as number[];
    expect(b[0]).toBe(0); expect(b[1]).toBeNaN(); expect(b[2]).toBe(1);
  });
});

// on a CUDA device (a GPU, or the CUDA emulator's addon via NODETORCH_ADDON): the same values as on the CPU
(torch.cuda.isAvailable() ? describe : describe.skip)('on CUDA: values equal the CPU ones, samples stay on the device', () => {
  test('Normal, Gamma, Categorical, MultivariateNormal, Poisson', () => {
    const mk = (dev: string): torch.distributions.Distribution[] => [
      new D.Normal(torch.tensor([0.5, -1], { dtype: 'float64', device: dev }), torch.tensor([2, 0.5], { dtype: 'float64', device: dev })),
      new D.Gamma(torch.tensor([0.5, 3], { dtype: 'float64', device: dev }), torch.tensor([2, 0.5], { dtype: 'float64', device: dev })),
      new D.Categorical({ logits: torch.tensor([[0.1, 2, -1], [0, 0, 1]], { dtype: 'float64', device: dev }) }),
      new D.Poisson(torch.tensor([0.5, 3], { dtype: 'float64', device: dev })),
    ];
    const vals = [[0.3, 0.2], [0.3, 0.2], [2, 0], [1, 4]];
    const cpu = mk('cpu'), gpu = mk('cuda');
    cpu.forEach((c, i) => {
      const g = gpu[i];
      const vc = i === 2 ? torch.tensor(vals[i]) : f64(vals[i]);
      const lc = c.logProb(vc), lg = g.logProb(vc.to('cuda'));
      expect(lg.device.type).toBe('cuda');
      expect(lg.cpu().sub(lc).abs().max().item() as number).toBeLessThan(1e-9);
      const s = g.sample([4]);
      expect(s.device.type).toBe('cuda');
      expect(s.shape).toEqual([4, ...g.batchShape]);
    });
  });
});
