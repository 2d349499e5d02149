// kl.ts - torch.distributions.kl: klDivergence(p, q) dispatched on the pair of classes (the most specific registered
// pair along both prototype chains, as PyTorch's _dispatch_kl), and registerKl(P, Q)(fn) to add a pair.
import { Tensor } from '../tensor';
import * as torch from '../index';
import { TorchError } from '../errors';
import { Distribution, broadcastShapes, sumRightmost } from './distribution';
import * as D from './dists';
import { TransformedDistribution } from './transforms';
import { lgamma, digamma, softplus } from './special';

type Ctor = abstract new (...args: never[]) => Distribution;
type KlFn = (p: never, q: never) => Tensor;
const registry: Array<[Ctor, Ctor, KlFn]> = [];

/** registerKl(P, Q)(fn): fn(p, q) computes KL(p || q) for p instanceof P, q instanceof Q. */
export function registerKl<P extends Distribution, Q extends Distribution>(typeP: abstract new (...a: never[]) => P, typeQ: abstract new (...a: never[]) => Q): (fn: (p: P, q: Q) => Tensor) => (p: P, q: Q) => Tensor {
  if (typeof typeP !== 'function' || typeof typeQ !== 'function' || !(typeP.prototype instanceof Distribution || typeP === Distribution as unknown) || !(typeQ.prototype instanceof Distribution || typeQ === Distribution as unknown)) {
    throw new TorchError(`Expected type_p and type_q to be subclasses of Distribution`);
  }
  return (fn) => { registry.push([typeP, typeQ, fn as KlFn]); return fn; };
}
function depth(obj: object, ctor: Ctor): number {
  let d = 0;
  for (let p = Object.getPrototypeOf(obj); p; p = Object.getPrototypeOf(p), d++) if (p === ctor.prototype) return d;
  return -1;
}
/** kl_divergence(p, q) */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  let best: KlFn | null = null, bestKey: [number, number] = [Infinity, Infinity];
  for (const [P, Q, fn] of registry) {
    const dp = depth(p, P), dq = depth(q, Q);
    if (dp < 0 || dq < 0) continue;
    if (dp < bestKey[0] || (dp === bestKey[0] && dq < bestKey[1])) { best = fn; bestKey = [dp, dq]; }
  }
  if (!best) throw new TorchError(`No KL(p || q) is implemented for p of type ${p.constructor.name} and q of type ${q.constructor.name}`);
  return best(p as never, q as never);
}

const infWhere = (cond: Tensor, t: Tensor): Tensor => torch.where(cond, torch.fullLike(t, Infinity), t);
const zeroWhere = (cond: Tensor, t: Tensor): Tensor => torch.where(cond, torch.zerosLike(t), t);

export const klNormalNormal = (p: D.Normal, q: D.Normal): Tensor => {
  const varRatio = p.scale.div(q.scale).pow(2);
  const t1 = p.loc.sub(q.loc).div(q.scale).pow(2);
  return varRatio.add(t1).sub(1).sub(varRatio.log()).mul(0.5);
};
registerKl(D.Normal, D.Normal)(klNormalNormal);
registerKl(D.Bernoulli, D.Bernoulli)((p, q) => {
  let t1 = p.probs.mul(softplus(q.logits.neg()).sub(softplus(p.logits.neg())));
  t1 = zeroWhere(p.probs.eq(0), infWhere(q.probs.eq(0), t1));
  let t2 = p.probs.neg().add(1).mul(softplus(q.logits).sub(softplus(p.logits)));
  t2 = zeroWhere(p.probs.eq(1), infWhere(q.probs.eq(1), t2));
  return t1.add(t2);
});
const klCat = (p: D.Categorical, q: D.Categorical): Tensor => {
  let t = p.probs.mul(p.logits.sub(q.logits));
  const shape = broadcastShapes(t.shape, q.probs.shape, p.probs.shape);
  t = t.expand(shape);
  t = zeroWhere(p.probs.eq(0).expand(shape), infWhere(q.probs.eq(0).expand(shape), t));
  return t.sum(-1);
};
registerKl(D.Categorical, D.Categorical)(klCat);
registerKl(D.OneHotCategorical, D.OneHotCategorical)((p, q) => klCat(p.categorical, q.categorical));
registerKl(D.Beta, D.Beta)((p, q) => {
  const sp = p.concentration1.add(p.concentration0), sq = q.concentration1.add(q.concentration0);
  const t1 = lgamma(q.concentration1).add(lgamma(q.concentration0)).add(lgamma(sp));
  const t2 = lgamma(p.concentration1).add(lgamma(p.concentration0)).add(lgamma(sq));
  const t3 = p.concentration1.sub(q.concentration1).mul(digamma(p.concentration1));
  const t4 = p.concentration0.sub(q.concentration0).mul(digamma(p.concentration0));
  const t5 = sq.sub(sp).mul(digamma(sp));
  return t1.sub(t2).add(t3).add(t4).add(t5);
});
registerKl(D.Gamma, D.Gamma)((p, q) => {
  const t1 = q.concentration.mul(p.rate.div(q.rate).log());
  const t2 = lgamma(q.concentration).sub(lgamma(p.concentration));
  const t3 = p.concentration.sub(q.concentration).mul(digamma(p.concentration));
  const t4 = q.rate.sub(p.rate).mul(p.concentration.div(p.rate));
  return t1.add(t2).add(t3).add(t4);
});
registerKl(D.Uniform, D.Uniform)((p, q) => {
  const r = q.high.sub(q.low).div(p.high.sub(p.low)).log();
  return infWhere(q.low.gt(p.low).logicalOr(q.high.lt(p.high)), r);
});
registerKl(D.Exponential, D.Exponential)((p, q) => { const rr = q.rate.div(p.rate); return rr.log().neg().add(rr).sub(1); });
registerKl(D.Laplace, D.Laplace)((p, q) => {
  const sr = p.scale.div(q.scale), d = p.loc.sub(q.loc).abs();
  return sr.log().neg().add(d.div(q.scale)).add(sr.mul(d.div(p.scale).neg().exp())).sub(1);
});
registerKl(D.Poisson, D.Poisson)((p, q) => p.rate.mul(p.rate.log().sub(q.rate.log())).sub(p.rate.sub(q.rate)));
registerKl(D.Geometric, D.Geometric)((p, q) => p.entropy().neg().sub(q.probs.neg().log1p().div(p.probs)).sub(q.logits));
registerKl(D.Dirichlet, D.Dirichlet)((p, q) => {
  const sp = p.concentration.sum(-1), sq = q.concentration.sum(-1);
  const t1 = lgamma(sp).sub(lgamma(sq));
  const t2 = lgamma(p.concentration).sub(lgamma(q.concentration)).sum(-1);
  const t3 = p.concentration.sub(q.concentration);
  const t4 = digamma(p.concentration).sub(digamma(sp).unsqueeze(-1));
  return t1.sub(t2).add(t3.mul(t4).sum(-1));
});
registerKl(D.Gumbel, D.Gumbel)((p, q) => {
  const EULER = 0.57721566490153286060;
  const ct1 = p.scale.div(q.scale), ct2 = q.loc.div(q.scale), ct3 = p.loc.div(q.scale);
  const t1 = ct1.log().neg().sub(ct2).add(ct3);
  const t2 = ct1.mul(EULER);
  const t3 = ct2.add(lgamma(ct1.add(1))).sub(ct3).exp();
  return t1.add(t2).add(t3).sub(1 + EULER);
});
registerKl(D.HalfNormal, D.HalfNormal)((p, q) => klNormalNormal(p.baseDist, q.baseDist));
registerKl(D.Binomial, D.Binomial)((p, q) => {
  if (p.totalCount.lt(q.totalCount).any().item()) throw new TorchError('KL between Binomials where q.total_count > p.total_count is not implemented');
  const kl = p.totalCount.mul(p.probs.mul(p.logits.sub(q.logits)).add(p.probs.neg().log1p()).sub(q.probs.neg().log1p()));
  return infWhere(p.totalCount.gt(q.totalCount), kl);
});
registerKl(D.MultivariateNormal, D.MultivariateNormal)((p, q) => {
  if (p.eventShape[0] !== q.eventShape[0]) throw new TorchError('KL-divergence between two Multivariate Normals with different event shapes cannot be computed');
  const Lp = p.unbroadcastedScaleTril, Lq = q.unbroadcastedScaleTril;
  const half1 = Lq.diagonal(0, -2, -1).log().sum(-1).sub(Lp.diagonal(0, -2, -1).log().sum(-1));
  const batch = broadcastShapes(Lq.shape.slice(0, -2), Lp.shape.slice(0, -2));
  const n = p.eventShape[0];
  const LqE = Lq.expand([...batch, n, n]), LpE = Lp.expand([...batch, n, n]);
  // Lq^-1 Lp column by column: the rows of Lp^T are Lp's columns
  const X = D.solveLowerVec(LqE.unsqueeze(-3), LpE.mT);
  const term2 = X.pow(2).sum([-2, -1]);
  const term3 = D.batchMahalanobis(Lq, q.loc.sub(p.loc));
  return half1.add(term2.add(term3).sub(n).mul(0.5));
});
registerKl(D.Independent, D.Independent)((p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims) throw new TorchError('KL between Independents with different reinterpreted_batch_ndims is not implemented');
  return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.reinterpretedBatchNdims);
});
registerKl(TransformedDistribution, TransformedDistribution)((p, q) => {
  if (p.transforms.length !== q.transforms.length || !p.transforms.every((t, i) => t.equals(q.transforms[i]))) {
    throw new TorchError('KL between TransformedDistributions with different transforms is not implemented');
  }
  if (p.eventShape.length !== q.eventShape.length || !p.eventShape.every((v, i) => v === q.eventShape[i])) {
    throw new TorchError('KL between TransformedDistributions with different event shapes is not implemented');
  }
  return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.eventShape.length - p.baseDist.eventShape.length);
});

// ---- pairs across families (PyTorch 1.13 registers these too; each is E_p[log p] - E_p[log q] in closed form) ----
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EULER_GAMMA = 0.57721566490153286060;
registerKl(D.Bernoulli, D.Poisson)((p, q) => {
  const xlogx = (t: Tensor): Tensor => torch.xlogy(t, t);
  return xlogx(p.probs).add(xlogx(p.probs.neg().add(1))).add(q.rate).sub(p.probs.mul(q.rate.log()));
});
registerKl(D.Exponential, D.Gamma)((p, q) => {
  // E_p[log x] = -gamma - log(rate_p), E_p[x] = 1 / rate_p
  const elog = p.rate.log().neg().sub(EULER_GAMMA);
  return p.rate.log().sub(1).sub(q.concentration.mul(q.rate.log())).add(lgamma(q.concentration))
    .sub(q.concentration.sub(1).mul(elog)).add(q.rate.div(p.rate));
});
registerKl(D.Exponential, D.Normal)((p, q) => {
  const e2 = p.rate.pow(-2).mul(2).sub(q.loc.mul(2).div(p.rate)).add(q.loc.pow(2));
  return p.rate.log().sub(1).add(q.scale.log()).add(LOG_SQRT_2PI).add(e2.div(q.scale.pow(2).mul(2)));
});
registerKl(D.Gamma, D.Exponential)((p, q) => p.entropy().neg().sub(q.rate.log()).add(q.rate.mul(p.concentration).div(p.rate)));
registerKl(D.Laplace, D.Normal)((p, q) => {
  const e2 = p.scale.pow(2).mul(2).add(p.loc.sub(q.loc).pow(2));
  return p.scale.mul(2).log().neg().sub(1).add(q.scale.log()).add(LOG_SQRT_2PI).add(e2.div(q.scale.pow(2).mul(2)));
});
registerKl(D.Normal, D.Gumbel)((p, q) => {
  // log q(x) = -log b + y - e^y with y = (loc_q - x) / b; E_p[e^y] = exp((loc_q - loc_p) / b + scale_p^2 / (2 b^2))
  const m = q.loc.sub(p.loc).div(q.scale);
  const eexp = m.add(p.scale.div(q.scale).pow(2).mul(0.5)).exp();
  return p.scale.log().neg().sub(0.5 + LOG_SQRT_2PI).add(q.scale.log()).sub(m).add(eexp);
});
registerKl(D.Uniform, D.Normal)((p, q) => {
  const width = p.high.sub(p.low);
  const e2 = width.pow(2).div(12).add(p.high.add(p.low).div(2).sub(q.loc).pow(2));
  return width.log().neg().add(q.scale.log()).add(LOG_SQRT_2PI).add(e2.div(q.scale.pow(2).mul(2)));
});
// a distribution on the whole real line against one on a half line or an interval: +inf
const infiniteLike = (t: Tensor): Tensor => torch.fullLike(t, Infinity);
for (const P of [D.Normal, D.Laplace]) {
  for (const Q of [D.Beta, D.Exponential, D.Gamma, D.Uniform]) {
    registerKl(P as unknown as typeof D.Normal, Q as unknown as typeof D.Beta)((p) => infiniteLike(p.loc));
  }
}
