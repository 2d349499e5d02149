// dists.ts - the distributions of torch.distributions (PyTorch 1.13 formulas; mode as PyTorch 2.x).
import { Tensor } from '../tensor';
import * as torch from '../index';
import { TorchError } from '../errors';
import * as C from './constraints';
import { Constraint } from './constraints';
import { Distribution, Param, Shape, broadcastAll, broadcastShapes, finfo, sameShape, sumRightmost } from './distribution';
import { lgamma, digamma, erfinv, lgammaScalar, softplus } from './special';
import { rsampleStandardGamma, poissonSample, binomialSample } from './sampling';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EULER = 0.57721566490153286060;
const nanLike = (t: Tensor, shape?: Shape): Tensor => torch.full((shape ?? t.shape).slice(), NaN, { dtype: t.dtype, device: t.device });
const infLike = (t: Tensor, shape?: Shape): Tensor => torch.full((shape ?? t.shape).slice(), Infinity, { dtype: t.dtype, device: t.device });
const expandTo = (t: Tensor, shape: Shape): Tensor => (sameShape(t.shape, shape) ? t : t.expand(shape.slice()));
const asFloat = (v: Tensor, like: Tensor): Tensor => (v.dtype === like.dtype ? v : v.to(like.dtype));
// binary_cross_entropy_with_logits(logits, target, reduction='none') = softplus(logits) - logits * target
const bce = (logits: Tensor, target: Tensor): Tensor => softplus(logits).sub(logits.mul(target));
export const probsToLogits = (probs: Tensor, isBinary = false): Tensor => {
  const eps = finfo(probs.dtype).eps;
  const p = probs.clamp(eps, 1 - eps);
  return isBinary ? p.log().sub(p.neg().log1p()) : p.log();
};
export const logitsToProbs = (logits: Tensor, isBinary = false): Tensor => (isBinary ? logits.sigmoid() : logits.softmax(-1));
function oneOf(name: string, probs: unknown, logits: unknown): void {
  if ((probs == null) === (logits == null)) throw new TorchError('Either `probs` or `logits` must be specified, but not both.');
  void name;
}
interface ProbsOrLogits { probs?: Param; logits?: Param; validateArgs?: boolean }

// ------------------------------------------------------------------------------------------------------------ Normal
export class Normal extends Distribution {
  override get hasRsample(): boolean { return true; }
  loc: Tensor; scale: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.real; }
  constructor(loc: Param, scale: Param, opts: { validateArgs?: boolean } = {}) {
    super();
    [this.loc, this.scale] = broadcastAll(loc, scale);
    this.init(this.loc.shape, [], opts.validateArgs);
  }
  override expand(batchShape: Shape): Normal { return new Normal(this.loc.expand(batchShape.slice()), this.scale.expand(batchShape.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.loc; }
  override get mode(): Tensor { return this.loc; }
  override get stddev(): Tensor { return this.scale; }
  override get variance(): Tensor { return this.scale.pow(2); }
  override sample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return torch.noGrad(() => torch.normal(expandTo(this.loc, shape).detach(), expandTo(this.scale, shape).detach()));
  }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const eps = torch.randn(shape, { dtype: this.loc.dtype, device: this.loc.device });
    return this.loc.add(eps.mul(this.scale));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const v = this.scale.pow(2);
    return value.sub(this.loc).pow(2).neg().div(v.mul(2)).sub(this.scale.log()).sub(LOG_SQRT_2PI);
  }
  override cdf(value: Tensor): Tensor {
    this.maybeValidate(value);
    return value.sub(this.loc).mul(this.scale.reciprocal()).div(Math.SQRT2).erf().add(1).mul(0.5);
  }
  override icdf(value: Tensor): Tensor { return this.loc.add(this.scale.mul(erfinv(value.mul(2).sub(1))).mul(Math.SQRT2)); }
  override entropy(): Tensor { return this.scale.log().add(0.5 + LOG_SQRT_2PI); }
}

// --------------------------------------------------------------------------------------------------------- Bernoulli
export class Bernoulli extends Distribution {
  override get hasEnumerateSupport(): boolean { return true; }
  private _probs?: Tensor; private _logits?: Tensor;
  protected _probsGiven: boolean; protected _logitsGiven: boolean;
  override get argConstraints(): Record<string, Constraint> { return { probs: C.unitInterval, logits: C.real }; }
  override get support(): Constraint { return C.boolean; }
  constructor(opts: ProbsOrLogits);
  constructor(probs: Param | null | undefined, logits?: Param | null, opts?: { validateArgs?: boolean });
  constructor(a?: Param | ProbsOrLogits | null, b?: Param | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts: ProbsOrLogits = a != null && !(a instanceof Tensor) && typeof a === 'object' ? a as ProbsOrLogits : { probs: a as Param | undefined, logits: b ?? undefined, ...o };
    oneOf('Bernoulli', opts.probs, opts.logits);
    this._probsGiven = opts.probs != null; this._logitsGiven = !this._probsGiven;
    if (opts.probs != null) [this._probs] = broadcastAll(opts.probs); else [this._logits] = broadcastAll(opts.logits as Param);
    this.init(this.param.shape, [], opts.validateArgs);
  }
  get param(): Tensor { return (this._probsGiven ? this._probs : this._logits) as Tensor; }
  get probs(): Tensor { return this._probs ??= logitsToProbs(this._logits as Tensor, true); }
  get logits(): Tensor { return this._logits ??= probsToLogits(this._probs as Tensor, true); }
  override expand(batchShape: Shape): Bernoulli {
    const s = batchShape.slice();
    return this._probsGiven ? new Bernoulli({ probs: this.probs.expand(s), validateArgs: false }) : new Bernoulli({ logits: this.logits.expand(s), validateArgs: false });
  }
  override get mean(): Tensor { return this.probs; }
  override get mode(): Tensor { const m = this.probs.ge(0.5).to(this.probs.dtype); return torch.where(this.probs.eq(0.5), nanLike(m), m); }
  override get variance(): Tensor { return this.probs.mul(this.probs.neg().add(1)); }
  override sample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return torch.noGrad(() => torch.bernoulli(expandTo(this.probs.detach(), shape).contiguous()));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const [logits, v] = broadcastAll(this.logits, value);
    return bce(logits, v).neg();
  }
  override entropy(): Tensor { return bce(this.logits, this.probs); }
  override enumerateSupport(expand = true): Tensor {
    let values = torch.arange(2, { dtype: this.param.dtype, device: this.param.device });
    values = values.view([-1, ...this.batchShape.map(() => 1)]);
    return expand ? values.expand([-1, ...this.batchShape]) : values;
  }
}

// ------------------------------------------------------------------------------------------------------- Categorical
export class Categorical extends Distribution {
  override get hasEnumerateSupport(): boolean { return true; }
  protected _probs?: Tensor; protected _logits?: Tensor;
  protected _probsGiven: boolean; protected _logitsGiven: boolean;
  numEvents: number;
  override get argConstraints(): Record<string, Constraint> { return { probs: C.simplex, logits: C.independent(C.real, 1) }; }
  override get support(): Constraint { return C.integerInterval(0, this.numEvents - 1); }
  constructor(opts: ProbsOrLogits);
  constructor(probs: Tensor | null | undefined, logits?: Tensor | null, opts?: { validateArgs?: boolean });
  constructor(a?: Tensor | ProbsOrLogits | null, b?: Tensor | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts: ProbsOrLogits = a != null && !(a instanceof Tensor) ? a : { probs: a ?? undefined, logits: b ?? undefined, ...o };
    oneOf('Categorical', opts.probs, opts.logits);
    this._probsGiven = opts.probs != null; this._logitsGiven = !this._probsGiven;
    const p = (opts.probs ?? opts.logits) as Tensor;
    if (!(p instanceof Tensor) || p.ndim < 1) throw new TorchError('`probs` parameter must be at least one-dimensional.'.replace('probs', this._probsGiven ? 'probs' : 'logits'));
    if (this._probsGiven) this._probs = p.div(p.sum(-1, { keepdim: true }));
    else this._logits = p.sub(p.logsumexp(-1, { keepdim: true }));
    this.numEvents = p.shape[p.ndim - 1];
    this.init(p.ndim > 1 ? p.shape.slice(0, -1) : [], [], opts.validateArgs);
  }
  get param(): Tensor { return (this._probsGiven ? this._probs : this._logits) as Tensor; }
  get probs(): Tensor { return this._probs ??= logitsToProbs(this._logits as Tensor); }
  get logits(): Tensor { return this._logits ??= probsToLogits(this._probs as Tensor); }
  override expand(batchShape: Shape): Categorical {
    const s = [...batchShape, this.numEvents];
    return this._probsGiven ? new Categorical({ probs: this.probs.expand(s), validateArgs: false }) : new Categorical({ logits: this.logits.expand(s), validateArgs: false });
  }
  override get mean(): Tensor { return nanLike(this.param, this.batchShape); }
  override get mode(): Tensor { return this.probs.argmax(-1); }
  override get variance(): Tensor { return nanLike(this.param, this.batchShape); }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => {
      const n = sampleShape.reduce((a, b) => a * b, 1);
      const probs2d = this.probs.detach().reshape([-1, this.numEvents]);
      const s = torch.multinomial(probs2d, n, { replacement: true }).t();
      return s.reshape(this.extendedShape(sampleShape));
    });
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    let v = value.long().unsqueeze(-1);
    const shape = broadcastShapes(v.shape, this.logits.shape.slice(0, -1).concat([1]));
    v = expandTo(v, shape);
    const lp = expandTo(this.logits, [...shape.slice(0, -1), this.numEvents]);
    return lp.gather(-1, v.slice(-1, 0, 1)).squeeze(-1);
  }
  override entropy(): Tensor {
    const minReal = finfo(this.logits.dtype).min;
    return this.logits.clamp(minReal, null).mul(this.probs).sum(-1).neg();
  }
  override enumerateSupport(expand = true): Tensor {
    let values = torch.arange(this.numEvents, { dtype: 'int64', device: this.param.device });
    values = values.view([-1, ...this.batchShape.map(() => 1)]);
    return expand ? values.expand([-1, ...this.batchShape]) : values;
  }
}

// ------------------------------------------------------------------------------------------------ OneHotCategorical
export class OneHotCategorical extends Distribution {
  override get hasEnumerateSupport(): boolean { return true; }
  categorical: Categorical;
  override get argConstraints(): Record<string, Constraint> { return { probs: C.simplex, logits: C.independent(C.real, 1) }; }
  override get support(): Constraint { return oneHotConstraint; }
  constructor(opts: ProbsOrLogits);
  constructor(probs: Tensor | null | undefined, logits?: Tensor | null, opts?: { validateArgs?: boolean });
  constructor(a?: Tensor | ProbsOrLogits | null, b?: Tensor | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts: ProbsOrLogits = a != null && !(a instanceof Tensor) ? a : { probs: a ?? undefined, logits: b ?? undefined, ...o };
    this.categorical = new Categorical(opts);
    (this as unknown as Record<string, boolean>)._probsGiven = opts.probs != null;
    (this as unknown as Record<string, boolean>)._logitsGiven = opts.probs == null;
    this.init(this.categorical.batchShape, [this.categorical.numEvents], opts.validateArgs);
  }
  get probs(): Tensor { return this.categorical.probs; }
  get logits(): Tensor { return this.categorical.logits; }
  override expand(batchShape: Shape): OneHotCategorical { const d = new OneHotCategorical({ logits: this.logits.expand([...batchShape, this.eventShape[0]]), validateArgs: false }); return d; }
  override get mean(): Tensor { return this.probs; }
  override get mode(): Tensor { return oneHot(this.probs.argmax(-1), this.eventShape[0]).to(this.probs.dtype); }
  override get variance(): Tensor { return this.probs.mul(this.probs.neg().add(1)); }
  override sample(sampleShape: Shape = []): Tensor {
    const idx = this.categorical.sample(sampleShape);
    return oneHot(idx, this.eventShape[0]).to(this.probs.dtype);
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    return this.categorical.logProb(value.argmax(-1));
  }
  override entropy(): Tensor { return this.categorical.entropy(); }
  override enumerateSupport(expand = true): Tensor {
    const n = this.eventShape[0];
    let values = torch.eye(n, { dtype: this.probs.dtype, device: this.probs.device });
    values = values.view([n, ...this.batchShape.map(() => 1), n]);
    return expand ? values.expand([n, ...this.batchShape, n]) : values;
  }
}
function oneHot(idx: Tensor, n: number): Tensor {
  return torch.zeros([...idx.shape, n], { dtype: 'int64', device: idx.device }).scatter(-1, idx.unsqueeze(-1), 1);
}
const oneHotConstraint = new (class extends Constraint {
  override isDiscrete = true; override eventDim = 1;
  override check(v: Tensor): Tensor { return v.eq(0).logicalOr(v.eq(1)).all(-1).logicalAnd(v.sum(-1).eq(1)); }
  override toString(): string { return 'OneHot()'; }
})();

// ----------------------------------------------------------------------------------------------------------- Uniform
export class Uniform extends Distribution {
  override get hasRsample(): boolean { return true; }
  low: Tensor; high: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { low: C.dependent, high: C.dependent }; }
  override get support(): Constraint { return C.interval(this.low, this.high); }
  constructor(low: Param, high: Param, opts: { validateArgs?: boolean } = {}) {
    super();
    [this.low, this.high] = broadcastAll(low, high);
    if ((opts.validateArgs ?? Distribution._defaultValidateArgs) && !this.low.lt(this.high).all().item()) throw new TorchError('Uniform is not defined when low>= high');
    this.init(this.low.shape, [], opts.validateArgs);
  }
  protected override paramNames(): string[] { return ['low', 'high']; }
  override expand(b: Shape): Uniform { return new Uniform(this.low.expand(b.slice()), this.high.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.high.add(this.low).div(2); }
  override get mode(): Tensor { return this.high.mul(NaN); }
  override get stddev(): Tensor { return this.high.sub(this.low).div(Math.sqrt(12)); }
  override get variance(): Tensor { return this.high.sub(this.low).pow(2).div(12); }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const r = torch.rand(shape, { dtype: this.low.dtype, device: this.low.device });
    return this.low.add(r.mul(this.high.sub(this.low)));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const lb = this.low.le(value).to(this.low.dtype), ub = this.high.gt(value).to(this.low.dtype);
    return lb.mul(ub).log().sub(this.high.sub(this.low).log());
  }
  override cdf(value: Tensor): Tensor { this.maybeValidate(value); return value.sub(this.low).div(this.high.sub(this.low)).clamp(0, 1); }
  override icdf(value: Tensor): Tensor { return value.mul(this.high.sub(this.low)).add(this.low); }
  override entropy(): Tensor { return this.high.sub(this.low).log(); }
}

// ------------------------------------------------------------------------------------------------------- Exponential
export class Exponential extends Distribution {
  override get hasRsample(): boolean { return true; }
  rate: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { rate: C.positive }; }
  override get support(): Constraint { return C.nonnegative; }
  constructor(rate: Param, opts: { validateArgs?: boolean } = {}) { super(); [this.rate] = broadcastAll(rate); this.init(this.rate.shape, [], opts.validateArgs); }
  override expand(b: Shape): Exponential { return new Exponential(this.rate.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.rate.reciprocal(); }
  override get mode(): Tensor { return torch.zerosLike(this.rate); }
  override get stddev(): Tensor { return this.rate.reciprocal(); }
  override get variance(): Tensor { return this.rate.pow(-2); }
  override rsample(sampleShape: Shape = []): Tensor {
    const u = torch.rand(this.extendedShape(sampleShape), { dtype: this.rate.dtype, device: this.rate.device });
    return u.neg().log1p().neg().div(this.rate);
  }
  override logProb(value: Tensor): Tensor { this.maybeValidate(value); return this.rate.log().sub(this.rate.mul(value)); }
  override cdf(value: Tensor): Tensor { this.maybeValidate(value); return this.rate.neg().mul(value).exp().neg().add(1); }
  override icdf(value: Tensor): Tensor { return value.neg().log1p().neg().div(this.rate); }
  override entropy(): Tensor { return this.rate.log().neg().add(1); }
}

// ----------------------------------------------------------------------------------------------------------- Laplace
export class Laplace extends Distribution {
  override get hasRsample(): boolean { return true; }
  loc: Tensor; scale: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.real; }
  constructor(loc: Param, scale: Param, opts: { validateArgs?: boolean } = {}) { super(); [this.loc, this.scale] = broadcastAll(loc, scale); this.init(this.loc.shape, [], opts.validateArgs); }
  override expand(b: Shape): Laplace { return new Laplace(this.loc.expand(b.slice()), this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.loc; }
  override get mode(): Tensor { return this.loc; }
  override get variance(): Tensor { return this.scale.pow(2).mul(2); }
  override get stddev(): Tensor { return this.scale.mul(Math.SQRT2); }
  override rsample(sampleShape: Shape = []): Tensor {
    const eps = finfo(this.loc.dtype).eps;
    const u = torch.rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: this.loc.device }).mul(2 - eps).add(eps - 1);
    return this.loc.sub(this.scale.mul(u.sign()).mul(u.abs().neg().log1p()));
  }
  override logProb(value: Tensor): Tensor { this.maybeValidate(value); return this.scale.mul(2).log().neg().sub(value.sub(this.loc).abs().div(this.scale)); }
  override cdf(value: Tensor): Tensor {
    this.maybeValidate(value);
    const d = value.sub(this.loc);
    return d.sign().mul(d.abs().neg().div(this.scale).expm1()).mul(-0.5).add(0.5);
  }
  override icdf(value: Tensor): Tensor { const term = value.sub(0.5); return this.loc.sub(this.scale.mul(term.sign()).mul(term.abs().mul(-2).log1p())); }
  override entropy(): Tensor { return this.scale.mul(2).log().add(1); }
}

// ------------------------------------------------------------------------------------------------------------ Cauchy
export class Cauchy extends Distribution {
  override get hasRsample(): boolean { return true; }
  loc: Tensor; scale: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.real; }
  constructor(loc: Param, scale: Param, opts: { validateArgs?: boolean } = {}) { super(); [this.loc, this.scale] = broadcastAll(loc, scale); this.init(this.loc.shape, [], opts.validateArgs); }
  override expand(b: Shape): Cauchy { return new Cauchy(this.loc.expand(b.slice()), this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return nanLike(this.loc); }
  override get mode(): Tensor { return this.loc; }
  override get variance(): Tensor { return infLike(this.loc); }
  override rsample(sampleShape: Shape = []): Tensor {
    const u = torch.rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: this.loc.device });
    return this.loc.add(u.sub(0.5).mul(Math.PI).tan().mul(this.scale));
  }
  override logProb(value: Tensor): Tensor { this.maybeValidate(value); return value.sub(this.loc).div(this.scale).pow(2).log1p().neg().sub(this.scale.log()).sub(Math.log(Math.PI)); }
  override cdf(value: Tensor): Tensor { this.maybeValidate(value); return value.sub(this.loc).div(this.scale).atan().div(Math.PI).add(0.5); }
  override icdf(value: Tensor): Tensor { return value.sub(0.5).mul(Math.PI).tan().mul(this.scale).add(this.loc); }
  override entropy(): Tensor { return this.scale.log().add(Math.log(4 * Math.PI)); }
}

// ------------------------------------------------------------------------------------------------------------ Gumbel
export class Gumbel extends Distribution {
  override get hasRsample(): boolean { return true; }
  loc: Tensor; scale: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.real; }
  constructor(loc: Param, scale: Param, opts: { validateArgs?: boolean } = {}) { super(); [this.loc, this.scale] = broadcastAll(loc, scale); this.init(this.loc.shape, [], opts.validateArgs); }
  override expand(b: Shape): Gumbel { return new Gumbel(this.loc.expand(b.slice()), this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.loc.add(this.scale.mul(EULER)); }
  override get mode(): Tensor { return this.loc; }
  override get stddev(): Tensor { return this.scale.mul(Math.PI / Math.sqrt(6)); }
  override get variance(): Tensor { return this.stddev.pow(2); }
  override rsample(sampleShape: Shape = []): Tensor {
    const f = finfo(this.loc.dtype);
    const u = torch.rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: this.loc.device }).mul(1 - f.eps - f.tiny).add(f.tiny);
    return this.loc.sub(this.scale.mul(u.log().neg().log()));
  }
  override logProb(value: Tensor): Tensor { this.maybeValidate(value); const y = this.loc.sub(value).div(this.scale); return y.sub(y.exp()).sub(this.scale.log()); }
  override cdf(value: Tensor): Tensor { this.maybeValidate(value); return value.sub(this.loc).div(this.scale).neg().exp().neg().exp(); }
  override icdf(value: Tensor): Tensor { return this.loc.sub(this.scale.mul(value.log().neg().log())); }
  override entropy(): Tensor { return this.scale.log().add(1 + EULER); }
}

// -------------------------------------------------------------------------------------------------------- HalfNormal
export class HalfNormal extends Distribution {
  override get hasRsample(): boolean { return true; }
  scale: Tensor; baseDist: Normal;
  override get argConstraints(): Record<string, Constraint> { return { scale: C.positive }; }
  override get support(): Constraint { return C.nonnegative; }
  constructor(scale: Param, opts: { validateArgs?: boolean } = {}) {
    super();
    [this.scale] = broadcastAll(scale);
    this.baseDist = new Normal(torch.zerosLike(this.scale), this.scale, { validateArgs: false });
    this.init(this.scale.shape, [], opts.validateArgs);
  }
  override expand(b: Shape): HalfNormal { return new HalfNormal(this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.scale.mul(Math.sqrt(2 / Math.PI)); }
  override get mode(): Tensor { return torch.zerosLike(this.scale); }
  override get variance(): Tensor { return this.scale.pow(2).mul(1 - 2 / Math.PI); }
  override rsample(sampleShape: Shape = []): Tensor { return this.baseDist.rsample(sampleShape).abs(); }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const lp = this.baseDist.logProb(value).add(Math.LN2);
    return torch.where(value.ge(0), lp, torch.fullLike(lp, -Infinity));
  }
  override cdf(value: Tensor): Tensor { this.maybeValidate(value); return this.baseDist.cdf(value).mul(2).sub(1); }
  override icdf(value: Tensor): Tensor { return this.baseDist.icdf(value.add(1).div(2)); }
  override entropy(): Tensor { return this.baseDist.entropy().sub(Math.LN2); }
}

// ----------------------------------------------------------------------------------------------------------- Poisson
export class Poisson extends Distribution {
  rate: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { rate: C.nonnegative }; }
  override get support(): Constraint { return C.nonnegativeInteger; }
  constructor(rate: Param, opts: { validateArgs?: boolean } = {}) { super(); [this.rate] = broadcastAll(rate); this.init(this.rate.shape, [], opts.validateArgs); }
  override expand(b: Shape): Poisson { return new Poisson(this.rate.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.rate; }
  override get mode(): Tensor { return this.rate.floor(); }
  override get variance(): Tensor { return this.rate; }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => poissonSample(expandTo(this.rate.detach(), this.extendedShape(sampleShape)).contiguous()));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const [rate, v] = broadcastAll(this.rate, value);
    return torch.xlogy(v, rate).sub(rate).sub(lgamma(v.add(1)));
  }
}

// --------------------------------------------------------------------------------------------------------- Geometric
export class Geometric extends Distribution {
  private _probs?: Tensor; private _logits?: Tensor;
  protected _probsGiven: boolean; protected _logitsGiven: boolean;
  override get argConstraints(): Record<string, Constraint> { return { probs: C.unitInterval, logits: C.real }; }
  override get support(): Constraint { return C.nonnegativeInteger; }
  constructor(opts: ProbsOrLogits);
  constructor(probs: Param | null | undefined, logits?: Param | null, opts?: { validateArgs?: boolean });
  constructor(a?: Param | ProbsOrLogits | null, b?: Param | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts: ProbsOrLogits = a != null && !(a instanceof Tensor) && typeof a === 'object' ? a as ProbsOrLogits : { probs: a as Param | undefined, logits: b ?? undefined, ...o };
    oneOf('Geometric', opts.probs, opts.logits);
    this._probsGiven = opts.probs != null; this._logitsGiven = !this._probsGiven;
    if (opts.probs != null) [this._probs] = broadcastAll(opts.probs); else [this._logits] = broadcastAll(opts.logits as Param);
    const p = (this._probs ?? this._logits) as Tensor;
    this.init(p.shape, [], opts.validateArgs);
    if (this._validateArgs && this._probs && !this._probs.gt(0).all().item()) {
      throw new TorchError(`Expected parameter probs (Tensor of shape (${this._probs.shape.join(', ')}${this._probs.ndim === 1 ? ',' : ''})) of distribution ${this.repr()} to be positive but found invalid values:\n${this._probs}`);
    }
  }
  get probs(): Tensor { return this._probs ??= logitsToProbs(this._logits as Tensor, true); }
  get logits(): Tensor { return this._logits ??= probsToLogits(this._probs as Tensor, true); }
  override expand(b: Shape): Geometric { return this._probsGiven ? new Geometric({ probs: this.probs.expand(b.slice()), validateArgs: false }) : new Geometric({ logits: this.logits.expand(b.slice()), validateArgs: false }); }
  override get mean(): Tensor { return this.probs.reciprocal().sub(1); }
  override get mode(): Tensor { return torch.zerosLike(this.probs); }
  override get variance(): Tensor { return this.probs.reciprocal().sub(1).div(this.probs); }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => {
      const tiny = finfo(this.probs.dtype).tiny;
      const u = torch.rand(this.extendedShape(sampleShape), { dtype: this.probs.dtype, device: this.probs.device }).clamp(tiny, null);
      return u.log().div(this.probs.detach().neg().log1p()).floor();
    });
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const [v, probs] = broadcastAll(value, this.probs);
    const p = torch.where(probs.eq(1).logicalAnd(v.eq(0)), torch.zerosLike(probs), probs);
    return v.mul(p.neg().log1p()).add(this.probs.log());
  }
  override entropy(): Tensor { return bce(this.logits, this.probs).div(this.probs); }
}

// -------------------------------------------------------------------------------------------------------- Dirichlet
export class Dirichlet extends Distribution {
  override get hasRsample(): boolean { return true; }
  concentration: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { concentration: C.independent(C.positive, 1) }; }
  override get support(): Constraint { return C.simplex; }
  constructor(concentration: Tensor, opts: { validateArgs?: boolean } = {}) {
    super();
    if (!(concentration instanceof Tensor) || concentration.ndim < 1) throw new TorchError('`concentration` parameter must be at least one-dimensional.');
    this.concentration = concentration;
    this.init(concentration.shape.slice(0, -1), concentration.shape.slice(-1), opts.validateArgs);
  }
  override expand(b: Shape): Dirichlet { return new Dirichlet(this.concentration.expand([...b, ...this.eventShape]), { validateArgs: false }); }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const g = rsampleStandardGamma(expandTo(this.concentration, shape));
    const tiny = finfo(g.dtype).tiny;
    const gc = g.clamp(tiny, null);
    return gc.div(gc.sum(-1, { keepdim: true }));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const c = this.concentration;
    return torch.xlogy(c.sub(1), value).sum(-1).add(lgamma(c.sum(-1))).sub(lgamma(c).sum(-1));
  }
  override get mean(): Tensor { return this.concentration.div(this.concentration.sum(-1, { keepdim: true })); }
  override get mode(): Tensor {
    const cm1 = this.concentration.sub(1).clamp(0, null);
    const mode = cm1.div(cm1.sum(-1, { keepdim: true }));
    const mask = this.concentration.lt(1).all(-1, { keepdim: true });
    const am = oneHot(this.concentration.argmax(-1), this.concentration.shape[this.concentration.ndim - 1]).to(mode.dtype);
    return torch.where(mask.expand(mode.shape.slice()), am, mode);
  }
  override get variance(): Tensor {
    const c0 = this.concentration.sum(-1, { keepdim: true });
    return this.concentration.mul(c0.sub(this.concentration)).div(c0.pow(2).mul(c0.add(1)));
  }
  override entropy(): Tensor {
    const c = this.concentration;
    const k = c.shape[c.ndim - 1];
    const a0 = c.sum(-1);
    return lgamma(c).sum(-1).sub(lgamma(a0)).sub(a0.neg().add(k).mul(digamma(a0))).sub(c.sub(1).mul(digamma(c)).sum(-1));
  }
}

// ------------------------------------------------------------------------------------------------------------- Gamma
export class Gamma extends Distribution {
  override get hasRsample(): boolean { return true; }
  concentration: Tensor; rate: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { concentration: C.positive, rate: C.positive }; }
  override get support(): Constraint { return C.nonnegative; }
  constructor(concentration: Param, rate: Param, opts: { validateArgs?: boolean } = {}) {
    super(); [this.concentration, this.rate] = broadcastAll(concentration, rate); this.init(this.rate.shape, [], opts.validateArgs);
  }
  override expand(b: Shape): Gamma { return new Gamma(this.concentration.expand(b.slice()), this.rate.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.concentration.div(this.rate); }
  override get mode(): Tensor { return this.concentration.sub(1).div(this.rate).clamp(0, null); }
  override get variance(): Tensor { return this.concentration.div(this.rate.pow(2)); }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const v = rsampleStandardGamma(expandTo(this.concentration, shape)).div(expandTo(this.rate, shape));
    const tiny = finfo(v.dtype).tiny;
    return torch.noGrad(() => v.detach().lt(tiny).any().item()) ? v.clamp(tiny, null) : v;
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const v = asFloat(value, this.rate);
    return torch.xlogy(this.concentration, this.rate).add(torch.xlogy(this.concentration.sub(1), v)).sub(this.rate.mul(v)).sub(lgamma(this.concentration));
  }
  override entropy(): Tensor {
    const c = this.concentration;
    return c.sub(this.rate.log()).add(lgamma(c)).add(c.neg().add(1).mul(digamma(c)));
  }
}

export class Chi2 extends Gamma {
  override get argConstraints(): Record<string, Constraint> { return { df: C.positive }; }
  constructor(df: Param, opts: { validateArgs?: boolean } = {}) {
    const [d] = broadcastAll(df);
    super(d.mul(0.5), 0.5, opts);
  }
  get df(): Tensor { return this.concentration.mul(2); }
  override expand(b: Shape): Chi2 { return new Chi2(this.df.expand(b.slice()), { validateArgs: false }); }
}

// -------------------------------------------------------------------------------------------------------------- Beta
export class Beta extends Distribution {
  override get hasRsample(): boolean { return true; }
  dirichlet: Dirichlet;
  concentration1: Tensor; concentration0: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { concentration1: C.positive, concentration0: C.positive }; }
  override get support(): Constraint { return C.unitInterval; }
  constructor(concentration1: Param, concentration0: Param, opts: { validateArgs?: boolean } = {}) {
    super();
    [this.concentration1, this.concentration0] = broadcastAll(concentration1, concentration0);
    this.dirichlet = new Dirichlet(torch.stack([this.concentration1, this.concentration0], -1), { validateArgs: false });
    this.init(this.dirichlet.batchShape, [], opts.validateArgs);
  }
  override expand(b: Shape): Beta { return new Beta(this.concentration1.expand(b.slice()), this.concentration0.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.concentration1.div(this.concentration1.add(this.concentration0)); }
  override get mode(): Tensor { return this.dirichlet.mode.select(-1, 0); }
  override get variance(): Tensor {
    const total = this.concentration1.add(this.concentration0);
    return this.concentration1.mul(this.concentration0).div(total.pow(2).mul(total.add(1)));
  }
  override rsample(sampleShape: Shape = []): Tensor { return this.dirichlet.rsample(sampleShape).select(-1, 0); }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const v = asFloat(value, this.concentration1);
    return this.dirichlet.logProb(torch.stack([v, v.neg().add(1)], -1));
  }
  override entropy(): Tensor { return this.dirichlet.entropy(); }
}

// ---------------------------------------------------------------------------------------------------------- StudentT
export class StudentT extends Distribution {
  override get hasRsample(): boolean { return true; }
  df: Tensor; loc: Tensor; scale: Tensor; private chi2: Chi2;
  override get argConstraints(): Record<string, Constraint> { return { df: C.positive, loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.real; }
  constructor(df: Param, loc: Param = 0, scale: Param = 1, opts: { validateArgs?: boolean } = {}) {
    super();
    [this.df, this.loc, this.scale] = broadcastAll(df, loc, scale);
    this.chi2 = new Chi2(this.df, { validateArgs: false });
    this.init(this.df.shape, [], opts.validateArgs);
  }
  override expand(b: Shape): StudentT { return new StudentT(this.df.expand(b.slice()), this.loc.expand(b.slice()), this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return torch.where(this.df.le(1), nanLike(this.loc), this.loc); }
  override get mode(): Tensor { return this.loc; }
  override get variance(): Tensor {
    const m = this.scale.pow(2).mul(this.df).div(this.df.sub(2));
    return torch.where(this.df.gt(2), m, torch.where(this.df.gt(1), infLike(m), nanLike(m)));
  }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const X = torch.randn(shape, { dtype: this.df.dtype, device: this.df.device });
    const Z = this.chi2.rsample(sampleShape);
    const Y = X.mul(Z.div(this.df).rsqrt());
    return this.loc.add(this.scale.mul(Y));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const y = value.sub(this.loc).div(this.scale);
    const Z = this.scale.log().add(this.df.log().mul(0.5)).add(0.5 * Math.log(Math.PI)).add(lgamma(this.df.mul(0.5))).sub(lgamma(this.df.add(1).mul(0.5)));
    return this.df.add(1).mul(-0.5).mul(y.pow(2).div(this.df).log1p()).sub(Z);
  }
  override entropy(): Tensor {
    const lbeta = lgamma(this.df.mul(0.5)).add(lgamma(torch.fullLike(this.df, 0.5))).sub(lgamma(this.df.add(1).mul(0.5)));
    return this.scale.log().add(this.df.add(1).mul(0.5).mul(digamma(this.df.add(1).mul(0.5)).sub(digamma(this.df.mul(0.5)))))
      .add(this.df.log().mul(0.5)).add(lbeta);
  }
}

// ---------------------------------------------------------------------------------------------------------- Binomial
export class Binomial extends Distribution {
  override get hasEnumerateSupport(): boolean { return true; }
  totalCount: Tensor; private _probs?: Tensor; private _logits?: Tensor;
  protected _probsGiven: boolean; protected _logitsGiven: boolean;
  override get argConstraints(): Record<string, Constraint> { return { totalCount: C.nonnegativeInteger, probs: C.unitInterval, logits: C.real }; }
  override get support(): Constraint { return C.integerInterval(0, this.totalCount); }
  constructor(opts: ProbsOrLogits & { totalCount?: Param });
  constructor(totalCount: Param, probs?: Param | null, logits?: Param | null, opts?: { validateArgs?: boolean });
  constructor(a: Param | (ProbsOrLogits & { totalCount?: Param }), b?: Param | null, c?: Param | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts = a != null && !(a instanceof Tensor) && typeof a === 'object' ? a : { totalCount: a as Param, probs: b ?? undefined, logits: c ?? undefined, ...o };
    oneOf('Binomial', opts.probs, opts.logits);
    this._probsGiven = opts.probs != null; this._logitsGiven = !this._probsGiven;
    const tc = opts.totalCount ?? 1;
    let p: Tensor;
    [this.totalCount, p] = broadcastAll(tc, (opts.probs ?? opts.logits) as Param);
    if (this._probsGiven) this._probs = p; else this._logits = p;
    this.init(p.shape, [], opts.validateArgs);
  }
  get probs(): Tensor { return this._probs ??= logitsToProbs(this._logits as Tensor, true); }
  get logits(): Tensor { return this._logits ??= probsToLogits(this._probs as Tensor, true); }
  override expand(b: Shape): Binomial {
    const s = b.slice();
    return this._probsGiven ? new Binomial({ totalCount: this.totalCount.expand(s), probs: this.probs.expand(s), validateArgs: false })
      : new Binomial({ totalCount: this.totalCount.expand(s), logits: this.logits.expand(s), validateArgs: false });
  }
  override get mean(): Tensor { return this.totalCount.mul(this.probs); }
  override get mode(): Tensor { return this.totalCount.add(1).mul(this.probs).floor().clamp(null, this.totalCount); }
  override get variance(): Tensor { return this.totalCount.mul(this.probs).mul(this.probs.neg().add(1)); }
  override sample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return torch.noGrad(() => binomialSample(expandTo(this.totalCount.detach(), shape).contiguous(), expandTo(this.probs.detach(), shape).contiguous()));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const n = this.totalCount, l = this.logits;
    const clampByZero = (x: Tensor): Tensor => x.clamp(0, null).add(x).sub(x.clamp(null, 0)).div(2);
    const lfn = lgamma(n.add(1)), lfk = lgamma(value.add(1)), lfnmk = lgamma(n.sub(value).add(1));
    const norm = n.mul(clampByZero(l)).add(n.mul(l.abs().neg().exp().log1p())).sub(lfn);
    return value.mul(l).sub(lfk).sub(lfnmk).sub(norm);
  }
  override entropy(): Tensor {
    const n = this.totalCount.max().item() as number;
    if (!this.totalCount.eq(n).all().item()) throw new TorchError('Inhomogeneous total count not supported by `entropy`.');
    const lp = this.logProb(this.enumerateSupport(false));
    return lp.exp().mul(lp).sum(0).neg();
  }
  override enumerateSupport(expand = true): Tensor {
    const n = this.totalCount.max().item() as number;
    if (!this.totalCount.eq(n).all().item()) throw new TorchError('Inhomogeneous total count not supported by `enumerate_support`.');
    let values = torch.arange(n + 1, { dtype: this.probs.dtype, device: this.probs.device });
    values = values.view([-1, ...this.batchShape.map(() => 1)]);
    return expand ? values.expand([-1, ...this.batchShape]) : values;
  }
}

// ------------------------------------------------------------------------------------------------------- Multinomial
export class Multinomial extends Distribution {
  totalCount: number; categorical: Categorical;
  override get argConstraints(): Record<string, Constraint> { return { probs: C.simplex, logits: C.independent(C.real, 1) }; }
  override get support(): Constraint {
    const n = this.totalCount;
    return new (class extends Constraint {
      override isDiscrete = true; override eventDim = 1;
      override check(v: Tensor): Tensor { return v.ge(0).logicalAnd(v.le(n)).logicalAnd(v.remainder(1).eq(0)).all(-1).logicalAnd(v.sum(-1).le(n)); }
      override toString(): string { return `Multinomial(upper_bound=${n})`; }
    })();
  }
  constructor(opts: ProbsOrLogits & { totalCount?: number });
  constructor(totalCount: number, probs?: Tensor | null, logits?: Tensor | null, opts?: { validateArgs?: boolean });
  constructor(a: number | (ProbsOrLogits & { totalCount?: number }) = 1, b?: Tensor | null, c?: Tensor | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts = typeof a === 'object' ? a : { totalCount: a, probs: b ?? undefined, logits: c ?? undefined, ...o };
    const tc = opts.totalCount ?? 1;
    if (!Number.isInteger(tc)) throw new TorchError('inhomogeneous total_count is not supported');
    this.totalCount = tc;
    this.categorical = new Categorical({ probs: opts.probs, logits: opts.logits, validateArgs: opts.validateArgs });
    (this as unknown as Record<string, boolean>)._probsGiven = opts.probs != null;
    (this as unknown as Record<string, boolean>)._logitsGiven = opts.probs == null;
    this.init(this.categorical.batchShape, [this.categorical.numEvents], opts.validateArgs);
  }
  get probs(): Tensor { return this.categorical.probs; }
  get logits(): Tensor { return this.categorical.logits; }
  override expand(b: Shape): Multinomial { return new Multinomial({ totalCount: this.totalCount, logits: this.logits.expand([...b, ...this.eventShape]), validateArgs: false }); }
  override get mean(): Tensor { return this.probs.mul(this.totalCount); }
  override get variance(): Tensor { return this.probs.mul(this.probs.neg().add(1)).mul(this.totalCount); }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => {
      const s = this.categorical.sample([this.totalCount, ...sampleShape]); // [n, ...sample, ...batch]
      const perm = [...Array(s.ndim).keys()].slice(1).concat([0]);
      const idx = s.permute(perm);
      const counts = torch.zeros([...idx.shape.slice(0, -1), this.eventShape[0]], { dtype: this.probs.dtype, device: idx.device });
      return counts.scatterAdd(-1, idx, torch.onesLike(idx, { dtype: this.probs.dtype }));
    });
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const [logits0, v] = broadcastAll(this.logits, value);
    const logits = torch.where(v.eq(0).logicalAnd(logits0.eq(-Infinity)), torch.zerosLike(logits0), logits0);
    const lfn = lgamma(v.sum(-1).add(1));
    const lfx = lgamma(v.add(1)).sum(-1);
    return lfn.sub(lfx).add(logits.mul(v).sum(-1));
  }
  override entropy(): Tensor {
    const n = this.totalCount;
    const term1 = this.categorical.entropy().mul(n).sub(lgammaNumber(n + 1));
    const binomial = new Binomial({ totalCount: n, probs: this.probs, validateArgs: false });
    const support = binomial.enumerateSupport(false).slice(0, 1, null as unknown as number);
    const binomialProbs = binomial.logProb(support).exp();
    const weights = lgamma(support.add(1));
    return term1.add(binomialProbs.mul(weights).sum([0, -1]));
  }
}
const lgammaNumber = (x: number): number => lgammaScalar(x);

// ------------------------------------------------------------------------------------------------ MultivariateNormal
/** Solves L x = b for lower-triangular L [..., n, n] and b [..., n] by forward substitution over tensor ops. */
export function solveLowerVec(L: Tensor, b: Tensor): Tensor {
  const n = L.shape[L.ndim - 1];
  const xs: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    let s = b.select(-1, i);
    if (i > 0) s = s.sub(L.select(-2, i).slice(-1, 0, i).mul(torch.stack(xs, -1)).sum(-1));
    xs.push(s.div(L.select(-2, i).select(-1, i)));
  }
  return torch.stack(xs, -1);
}
/** L^-1 for lower-triangular L: columns by forward substitution against the identity. */
export function invLower(L: Tensor): Tensor {
  const n = L.shape[L.ndim - 1];
  const I = torch.eye(n, { dtype: L.dtype, device: L.device });
  // rows of I^T are the columns e_j; solving against each gives the columns of L^-1
  const cols = solveLowerVec(L.unsqueeze(-3), I.expand([...L.shape.slice(0, -2), n, n]));
  return cols.mT;
}
export const cholesky = (A: Tensor): Tensor => C.choleskyNoCheck(A);
export const batchMahalanobis = (L: Tensor, x: Tensor): Tensor => solveLowerVec(L, x).pow(2).sum(-1);

export class MultivariateNormal extends Distribution {
  override get hasRsample(): boolean { return true; }
  loc: Tensor; private _scaleTril: Tensor; private _cov?: Tensor; private _prec?: Tensor;
  protected _covarianceMatrixGiven: boolean; protected _precisionMatrixGiven: boolean; protected _scaleTrilGiven: boolean;
  override get argConstraints(): Record<string, Constraint> {
    return { loc: C.realVector, covarianceMatrix: C.positiveDefinite, precisionMatrix: C.positiveDefinite, scaleTril: C.lowerCholesky };
  }
  override get support(): Constraint { return C.realVector; }
  constructor(loc: Tensor, opts: { covarianceMatrix?: Tensor; precisionMatrix?: Tensor; scaleTril?: Tensor; validateArgs?: boolean } = {}) {
    super();
    if (!(loc instanceof Tensor) || loc.ndim < 1) throw new TorchError('loc must be at least one-dimensional.');
    const given = [opts.covarianceMatrix, opts.precisionMatrix, opts.scaleTril].filter((x) => x != null).length;
    if (given !== 1) throw new TorchError('Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.');
    const m = (opts.scaleTril ?? opts.covarianceMatrix ?? opts.precisionMatrix) as Tensor;
    const name = opts.scaleTril ? 'scale_tril' : opts.covarianceMatrix ? 'covariance_matrix' : 'precision_matrix';
    if (m.ndim < 2) throw new TorchError(`${name} matrix must be at least two-dimensional, with optional leading batch dimensions`);
    this._scaleTrilGiven = !!opts.scaleTril; this._covarianceMatrixGiven = !!opts.covarianceMatrix; this._precisionMatrixGiven = !!opts.precisionMatrix;
    const batchShape = broadcastShapes(m.shape.slice(0, -2), loc.shape.slice(0, -1));
    const n = loc.shape[loc.ndim - 1];
    const ev = [n];
    this.loc = loc.expand([...batchShape, n]);
    this._cov = opts.covarianceMatrix; this._prec = opts.precisionMatrix;
    // the given matrix is validated (init) before it is factorised
    this._scaleTril = opts.scaleTril ?? loc;
    this.init(batchShape, ev, opts.validateArgs);
    if (opts.scaleTril) this._scaleTril = opts.scaleTril;
    else if (opts.covarianceMatrix) this._scaleTril = cholesky(opts.covarianceMatrix);
    else {
      // precision P = Lp Lp^T  ->  covariance = Lp^-T Lp^-1, whose Cholesky factor is the scale_tril
      const Li = invLower(cholesky(opts.precisionMatrix as Tensor));
      this._scaleTril = cholesky(Li.mT.matmul(Li));
    }
  }
  get scaleTril(): Tensor { return this._scaleTril.expand([...this.batchShape, ...this.eventShape, ...this.eventShape]); }
  get covarianceMatrix(): Tensor { return (this._cov ?? this._scaleTril.matmul(this._scaleTril.mT)).expand([...this.batchShape, ...this.eventShape, ...this.eventShape]); }
  get precisionMatrix(): Tensor {
    if (this._prec) return this._prec.expand([...this.batchShape, ...this.eventShape, ...this.eventShape]);
    const Li = invLower(this._scaleTril);
    return Li.mT.matmul(Li).expand([...this.batchShape, ...this.eventShape, ...this.eventShape]);
  }
  get unbroadcastedScaleTril(): Tensor { return this._scaleTril; }
  override expand(b: Shape): MultivariateNormal {
    const n = this.eventShape[0];
    return new MultivariateNormal(this.loc.expand([...b, n]), { scaleTril: this._scaleTril.expand([...b, n, n]), validateArgs: false });
  }
  override get mean(): Tensor { return this.loc; }
  override get mode(): Tensor { return this.loc; }
  override get variance(): Tensor { return this._scaleTril.pow(2).sum(-1).expand([...this.batchShape, ...this.eventShape]); }
  override rsample(sampleShape: Shape = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const eps = torch.randn(shape, { dtype: this.loc.dtype, device: this.loc.device });
    return this.loc.add(this._scaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const diff = value.sub(this.loc);
    const M = batchMahalanobis(this._scaleTril, diff);
    const halfLogDet = this._scaleTril.diagonal(0, -2, -1).log().sum(-1);
    return M.add(this.eventShape[0] * Math.log(2 * Math.PI)).mul(-0.5).sub(halfLogDet);
  }
  override entropy(): Tensor {
    const halfLogDet = this._scaleTril.diagonal(0, -2, -1).log().sum(-1);
    const H = halfLogDet.add(0.5 * this.eventShape[0] * (1 + Math.log(2 * Math.PI)));
    return this.batchShape.length === 0 ? H : H.expand(this.batchShape);
  }
  protected override paramNames(): string[] { return ['loc', this._scaleTrilGiven ? 'scaleTril' : this._covarianceMatrixGiven ? 'covarianceMatrix' : 'precisionMatrix']; }
}

// ------------------------------------------------------------------------------------------------------- Independent
export class Independent extends Distribution {
  baseDist: Distribution; reinterpretedBatchNdims: number;
  override get hasRsample(): boolean { return this.baseDist.hasRsample; }
  override get hasEnumerateSupport(): boolean { return this.reinterpretedBatchNdims > 0 ? false : this.baseDist.hasEnumerateSupport; }
  override get support(): Constraint { const s = this.baseDist.support; return this.reinterpretedBatchNdims ? C.independent(s, this.reinterpretedBatchNdims) : s; }
  constructor(baseDistribution: Distribution, reinterpretedBatchNdims: number, opts: { validateArgs?: boolean } = {}) {
    super();
    if (reinterpretedBatchNdims > baseDistribution.batchShape.length) {
      throw new TorchError(`Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual ${reinterpretedBatchNdims} vs ${baseDistribution.batchShape.length}`);
    }
    this.baseDist = baseDistribution; this.reinterpretedBatchNdims = reinterpretedBatchNdims;
    const shape = [...baseDistribution.batchShape, ...baseDistribution.eventShape];
    const eventDim = reinterpretedBatchNdims + baseDistribution.eventShape.length;
    this.init(shape.slice(0, shape.length - eventDim), shape.slice(shape.length - eventDim), opts.validateArgs);
  }
  override repr(): string { return `Independent(${this.baseDist.repr()}, ${this.reinterpretedBatchNdims})`; }
  override expand(b: Shape): Independent {
    return new Independent(this.baseDist.expand([...b, ...this.eventShape.slice(0, this.reinterpretedBatchNdims)]), this.reinterpretedBatchNdims, { validateArgs: false });
  }
  override get mean(): Tensor { return this.baseDist.mean; }
  override get mode(): Tensor { return this.baseDist.mode; }
  override get variance(): Tensor { return this.baseDist.variance; }
  override sample(s: Shape = []): Tensor { return this.baseDist.sample(s); }
  override rsample(s: Shape = []): Tensor { return this.baseDist.rsample(s); }
  override logProb(value: Tensor): Tensor { return sumRightmost(this.baseDist.logProb(value), this.reinterpretedBatchNdims); }
  override entropy(): Tensor { return sumRightmost(this.baseDist.entropy(), this.reinterpretedBatchNdims); }
  override enumerateSupport(expand = true): Tensor {
    if (this.reinterpretedBatchNdims > 0) throw new TorchError('Enumeration over cartesian product is not implemented');
    return this.baseDist.enumerateSupport(expand);
  }
}

// -------------------------------------------------------------------------------------------------- NegativeBinomial
export class NegativeBinomial extends Distribution {
  totalCount: Tensor; private _probs?: Tensor; private _logits?: Tensor;
  protected _probsGiven: boolean; protected _logitsGiven: boolean;
  override get argConstraints(): Record<string, Constraint> { return { totalCount: C.greaterThanEq(0), probs: C.halfOpenInterval(0, 1), logits: C.real }; }
  override get support(): Constraint { return C.nonnegativeInteger; }
  constructor(opts: ProbsOrLogits & { totalCount: Param });
  constructor(totalCount: Param, probs?: Param | null, logits?: Param | null, opts?: { validateArgs?: boolean });
  constructor(a: Param | (ProbsOrLogits & { totalCount: Param }), b?: Param | null, c?: Param | null, o: { validateArgs?: boolean } = {}) {
    super();
    const opts = a != null && !(a instanceof Tensor) && typeof a === 'object' ? a : { totalCount: a as Param, probs: b ?? undefined, logits: c ?? undefined, ...o };
    oneOf('NegativeBinomial', opts.probs, opts.logits);
    this._probsGiven = opts.probs != null; this._logitsGiven = !this._probsGiven;
    let p: Tensor;
    [this.totalCount, p] = broadcastAll(opts.totalCount, (opts.probs ?? opts.logits) as Param);
    if (this._probsGiven) this._probs = p; else this._logits = p;
    this.init(p.shape, [], opts.validateArgs);
  }
  get probs(): Tensor { return this._probs ??= logitsToProbs(this._logits as Tensor, true); }
  get logits(): Tensor { return this._logits ??= probsToLogits(this._probs as Tensor, true); }
  override expand(b: Shape): NegativeBinomial {
    const s = b.slice();
    return this._probsGiven ? new NegativeBinomial({ totalCount: this.totalCount.expand(s), probs: this.probs.expand(s), validateArgs: false })
      : new NegativeBinomial({ totalCount: this.totalCount.expand(s), logits: this.logits.expand(s), validateArgs: false });
  }
  override get mean(): Tensor { return this.totalCount.mul(this.logits.exp()); }
  override get mode(): Tensor { return this.totalCount.sub(1).mul(this.logits.exp()).floor().clamp(0, null); }
  override get variance(): Tensor { return this.mean.div(this.logits.neg().sigmoid()); }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => {
      const rate = new Gamma(this.totalCount.detach(), this.logits.detach().neg().exp(), { validateArgs: false }).sample(sampleShape);
      return poissonSample(rate.contiguous());
    });
  }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    const logsig = (x: Tensor): Tensor => softplus(x.neg()).neg();
    const lup = this.totalCount.mul(logsig(this.logits.neg())).add(value.mul(logsig(this.logits)));
    const ln = lgamma(this.totalCount.add(value)).neg().add(lgamma(value.add(1))).add(lgamma(this.totalCount));
    return lup.sub(zeroIf(this.totalCount.add(value).eq(0), ln));
  }
}
const zeroIf = (cond: Tensor, t: Tensor): Tensor => torch.where(cond, torch.zerosLike(t), t);

// ------------------------------------------------------------------------------------------------ MixtureSameFamily
export class MixtureSameFamily extends Distribution {
  mixtureDistribution: Categorical; componentDistribution: Distribution;
  override get support(): Constraint { return this.componentDistribution.support; }
  constructor(mixtureDistribution: Categorical, componentDistribution: Distribution, opts: { validateArgs?: boolean } = {}) {
    super();
    if (!(mixtureDistribution instanceof Categorical)) throw new TorchError(' The Mixture distribution needs to be an  instance of torch.distributions.Categorical');
    if (!(componentDistribution instanceof Distribution)) throw new TorchError('The Component distribution need to be an instance of torch.distributions.Distribution');
    this.mixtureDistribution = mixtureDistribution; this.componentDistribution = componentDistribution;
    const mdbs = mixtureDistribution.batchShape, cdbs = componentDistribution.batchShape.slice(0, -1);
    for (let i = 1; i <= Math.min(mdbs.length, cdbs.length); i++) {
      const s1 = mdbs[mdbs.length - i], s2 = cdbs[cdbs.length - i];
      if (s1 !== 1 && s2 !== 1 && s1 !== s2) throw new TorchError(`\`mixture_distribution.batch_shape\` (torch.Size([${mdbs.join(', ')}])) is not compatible with \`component_distribution.batch_shape\`(torch.Size([${cdbs.join(', ')}]))`);
    }
    const km = mixtureDistribution.numEvents, kc = componentDistribution.batchShape[componentDistribution.batchShape.length - 1];
    if (km !== kc) throw new TorchError(`\`mixture_distribution component\` (${km}) does not equal \`component_distribution.batch_shape[-1]\` (${kc})`);
    this.init(cdbs, componentDistribution.eventShape, opts.validateArgs);
  }
  override repr(): string { return `MixtureSameFamily(\n  ${this.mixtureDistribution.repr()},\n  ${this.componentDistribution.repr()})`; }
  private get eventNdims(): number { return this.eventShape.length; }
  private pad(x: Tensor): Tensor { return x.unsqueeze(-1 - this.eventNdims); }
  private padMixture(x: Tensor): Tensor {
    let r = x;
    for (let i = 0; i < this.eventNdims; i++) r = r.unsqueeze(-1);
    return r;
  }
  override expand(b: Shape): MixtureSameFamily {
    return new MixtureSameFamily(this.mixtureDistribution.expand(b), this.componentDistribution.expand([...b, this.mixtureDistribution.numEvents]), { validateArgs: false });
  }
  override get mean(): Tensor {
    const probs = this.padMixture(this.mixtureDistribution.probs);
    return probs.mul(this.componentDistribution.mean).sum(-1 - this.eventNdims);
  }
  override get variance(): Tensor {
    const probs = this.padMixture(this.mixtureDistribution.probs);
    const d = -1 - this.eventNdims;
    const meanCondVar = probs.mul(this.componentDistribution.variance).sum(d);
    const varCondMean = probs.mul(this.componentDistribution.mean.sub(this.pad(this.mean)).pow(2)).sum(d);
    return meanCondVar.add(varCondMean);
  }
  override cdf(x: Tensor): Tensor {
    return this.componentDistribution.cdf(this.pad(x)).mul(this.mixtureDistribution.probs).sum(-1);
  }
  override logProb(x: Tensor): Tensor {
    this.maybeValidate(x);
    const lpx = this.componentDistribution.logProb(this.pad(x));
    const lmix = this.mixtureDistribution.logits.logSoftmax(-1);
    return lpx.add(lmix).logsumexp(-1);
  }
  override sample(sampleShape: Shape = []): Tensor {
    return torch.noGrad(() => {
      const sampleLen = sampleShape.length, batchLen = this.batchShape.length;
      const gatherDim = sampleLen + batchLen;
      const es = this.eventShape;
      const mix = this.mixtureDistribution.sample(sampleShape);
      const mixShape = mix.shape.slice();
      const comp = this.componentDistribution.sample(sampleShape);
      let idx = mix.reshape([...mixShape, 1, ...es.map(() => 1)]);
      idx = idx.expand([...mixShape, 1, ...es]);
      const full = comp.shape.slice(0, gatherDim);
      idx = idx.expand([...full, 1, ...es]);
      return comp.gather(gatherDim, idx).squeeze(gatherDim);
    });
  }
}
