// transforms.ts - torch.distributions.transforms (ExpTransform, AffineTransform, SigmoidTransform, TanhTransform,
// AbsTransform, ComposeTransform and .inv), and TransformedDistribution / LogNormal over them.
import { Tensor } from '../tensor';
import * as torch from '../index';
import { TorchError } from '../errors';
import * as C from './constraints';
import { Constraint } from './constraints';
import { Distribution, Param, Shape, broadcastAll, finfo, sumRightmost } from './distribution';
import { Normal, Exponential } from './dists';
import { lgamma } from './special';
import { softplus } from './special';

export abstract class Transform {
  bijective = true;
  get sign(): number { throw new TorchError(`${this.constructor.name}.sign is not implemented`); }
  get domain(): Constraint { return C.real; }
  get codomain(): Constraint { return C.real; }
  get inv(): Transform { return new InverseTransform(this); }
  call(x: Tensor): Tensor { return this._call(x); }
  abstract _call(x: Tensor): Tensor;
  abstract _inverse(y: Tensor): Tensor;
  abstract logAbsDetJacobian(x: Tensor, y: Tensor): Tensor;
  equals(other: Transform): boolean { return other.constructor === this.constructor; }
  toString(): string { return `${this.constructor.name}()`; }
}
export class InverseTransform extends Transform {
  constructor(public base: Transform) { super(); }
  override get sign(): number { return this.base.sign; }
  override get domain(): Constraint { return this.base.codomain; }
  override get codomain(): Constraint { return this.base.domain; }
  override get inv(): Transform { return this.base; }
  _call(x: Tensor): Tensor { return this.base._inverse(x); }
  _inverse(y: Tensor): Tensor { return this.base._call(y); }
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor { return this.base.logAbsDetJacobian(y, x).neg(); }
  override equals(o: Transform): boolean { return o instanceof InverseTransform && this.base.equals(o.base); }
  override toString(): string { return `_InverseTransform(${this.base})`; }
}
export class ExpTransform extends Transform {
  override get sign(): number { return 1; }
  override get codomain(): Constraint { return C.positive; }
  _call(x: Tensor): Tensor { return x.exp(); }
  _inverse(y: Tensor): Tensor { return y.log(); }
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor { return x; }
}
export class SigmoidTransform extends Transform {
  override get sign(): number { return 1; }
  override get codomain(): Constraint { return C.unitInterval; }
  _call(x: Tensor): Tensor { const f = finfo(x.dtype); return x.sigmoid().clamp(f.tiny, 1 - f.eps); }
  _inverse(y: Tensor): Tensor { const f = finfo(y.dtype); const c = y.clamp(f.tiny, 1 - f.eps); return c.log().sub(c.neg().log1p()); }
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor { return softplus(x.neg()).neg().sub(softplus(x)); }
}
export class TanhTransform extends Transform {
  override get sign(): number { return 1; }
  override get codomain(): Constraint { return C.interval(-1, 1); }
  _call(x: Tensor): Tensor { return x.tanh(); }
  _inverse(y: Tensor): Tensor { return y.add(1).div(y.neg().add(1)).log().mul(0.5); }
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor { return x.neg().sub(softplus(x.mul(-2))).add(Math.LN2).mul(2); }
}
export class AbsTransform extends Transform {
  override bijective = false;
  override get codomain(): Constraint { return C.positive; }
  _call(x: Tensor): Tensor { return x.abs(); }
  _inverse(y: Tensor): Tensor { return y; }
  logAbsDetJacobian(_x: Tensor, _y: Tensor): Tensor { throw new TorchError('AbsTransform is not bijective'); }
}
export class AffineTransform extends Transform {
  loc: Tensor | number; scale: Tensor | number; eventDim: number;
  constructor(loc: Param, scale: Param, opts: { eventDim?: number } = {}) { super(); this.loc = loc; this.scale = scale; this.eventDim = opts.eventDim ?? 0; }
  override get sign(): number {
    if (typeof this.scale === 'number') return this.scale > 0 ? 1 : this.scale < 0 ? -1 : 0;
    const s = this.scale.sign();
    if (s.numel() !== 1 && !s.eq(s.flatten().select(0, 0)).all().item()) throw new TorchError('AffineTransform.sign: the scale has mixed signs');
    return s.flatten().select(0, 0).item() as number;
  }
  _call(x: Tensor): Tensor { return x.mul(this.scale as never).add(this.loc as never); }
  _inverse(y: Tensor): Tensor { return y.sub(this.loc as never).div(this.scale as never); }
  logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    let r = typeof this.scale === 'number' ? torch.fullLike(x, Math.log(Math.abs(this.scale))) : this.scale.abs().log().expand(x.shape.slice());
    if (this.eventDim) r = sumRightmost(r, this.eventDim);
    return r;
  }
  override equals(o: Transform): boolean {
    if (!(o instanceof AffineTransform)) return false;
    const eq = (a: Tensor | number, b: Tensor | number): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b
      : !!torch.eq(a instanceof Tensor ? a : torch.tensor(a), b as never).all().item());
    return eq(this.loc, o.loc) && eq(this.scale, o.scale);
  }
}
export class ComposeTransform extends Transform {
  constructor(public parts: Transform[]) { super(); }
  override get sign(): number { return this.parts.reduce((s, p) => s * p.sign, 1); }
  override get domain(): Constraint { return this.parts.length ? this.parts[0].domain : C.real; }
  override get codomain(): Constraint { return this.parts.length ? this.parts[this.parts.length - 1].codomain : C.real; }
  _call(x: Tensor): Tensor { return this.parts.reduce((v, p) => p.call(v), x); }
  _inverse(y: Tensor): Tensor { return this.parts.reduceRight((v, p) => p.inv.call(v), y); }
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    if (!this.parts.length) return torch.zerosLike(x);
    let total: Tensor | null = null;
    for (const p of this.parts) {
      const yp = p.call(x);
      const term = p.logAbsDetJacobian(x, yp);
      total = total ? total.add(term) : term;
      x = yp;
    }
    void y;
    return total as Tensor;
  }
  override equals(o: Transform): boolean { return o instanceof ComposeTransform && o.parts.length === this.parts.length && o.parts.every((p, i) => p.equals(this.parts[i])); }
}

export class TransformedDistribution extends Distribution {
  baseDist: Distribution; transforms: Transform[];
  override get hasRsample(): boolean { return this.baseDist.hasRsample; }
  override get support(): Constraint { return this.transforms.length ? this.transforms[this.transforms.length - 1].codomain : this.baseDist.support; }
  constructor(baseDistribution: Distribution, transforms: Transform | Transform[], opts: { validateArgs?: boolean } = {}) {
    super();
    this.baseDist = baseDistribution;
    this.transforms = Array.isArray(transforms) ? transforms : [transforms];
    for (const t of this.transforms) if (!(t instanceof Transform)) throw new TorchError('transforms must be a Transform or a list of Transforms');
    this.init(baseDistribution.batchShape, baseDistribution.eventShape, opts.validateArgs);
  }
  override repr(): string { return `${this.constructor.name}()`; }
  override expand(b: Shape): TransformedDistribution { return new TransformedDistribution(this.baseDist.expand(b), this.transforms, { validateArgs: false }); }
  override sample(s: Shape = []): Tensor { return torch.noGrad(() => this.transforms.reduce((x, t) => t.call(x), this.baseDist.sample(s))); }
  override rsample(s: Shape = []): Tensor { return this.transforms.reduce((x, t) => t.call(x), this.baseDist.rsample(s)); }
  override logProb(value: Tensor): Tensor {
    this.maybeValidate(value);
    let lp: Tensor | null = null;
    let y = value;
    for (let i = this.transforms.length - 1; i >= 0; i--) {
      const t = this.transforms[i];
      const x = t.inv.call(y);
      const term = t.logAbsDetJacobian(x, y);
      lp = lp ? lp.sub(term) : term.neg();
      y = x;
    }
    const base = this.baseDist.logProb(y);
    return lp ? base.add(lp) : base;
  }
  private monotonize(v: Tensor): Tensor {
    const sign = this.transforms.reduce((s, t) => s * t.sign, 1);
    return sign === 1 ? v : v.neg().add(1);
  }
  override cdf(value: Tensor): Tensor {
    let v = value;
    for (let i = this.transforms.length - 1; i >= 0; i--) v = this.transforms[i].inv.call(v);
    return this.monotonize(this.baseDist.cdf(v));
  }
  override icdf(value: Tensor): Tensor {
    let v = this.baseDist.icdf(this.monotonize(value));
    for (const t of this.transforms) v = t.call(v);
    return v;
  }
}

export class LogNormal extends TransformedDistribution {
  override get hasRsample(): boolean { return true; }
  override get argConstraints(): Record<string, Constraint> { return { loc: C.real, scale: C.positive }; }
  override get support(): Constraint { return C.positive; }
  constructor(loc: Param, scale: Param, opts: { validateArgs?: boolean } = {}) {
    const [l, s] = broadcastAll(loc, scale);
    super(new Normal(l, s, opts), new ExpTransform(), opts);
  }
  get loc(): Tensor { return (this.baseDist as Normal).loc; }
  get scale(): Tensor { return (this.baseDist as Normal).scale; }
  override repr(): string { return `LogNormal()`; }
  override expand(b: Shape): LogNormal { return new LogNormal(this.loc.expand(b.slice()), this.scale.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.loc.add(this.scale.pow(2).div(2)).exp(); }
  override get mode(): Tensor { return this.loc.sub(this.scale.square()).exp(); }
  override get variance(): Tensor { const s2 = this.scale.pow(2); return s2.expm1().mul(this.loc.mul(2).add(s2).exp()); }
  override entropy(): Tensor { return this.baseDist.entropy().add(this.loc); }
}

/** y = x ** exponent (on the positive reals). */
export class PowerTransform extends Transform {
  constructor(public exponent: Tensor | number) { super(); }
  override get sign(): number {
    if (typeof this.exponent === 'number') return Math.sign(this.exponent);
    const s = this.exponent.sign();
    if (s.numel() !== 1 && !s.eq(s.flatten().select(0, 0)).all().item()) throw new TorchError('PowerTransform.sign: the exponent has mixed signs');
    return s.flatten().select(0, 0).item() as number;
  }
  override get domain(): Constraint { return C.positive; }
  override get codomain(): Constraint { return C.positive; }
  _call(x: Tensor): Tensor { return x.pow(this.exponent as never); }
  _inverse(y: Tensor): Tensor { return typeof this.exponent === 'number' ? y.pow(1 / this.exponent) : y.pow(this.exponent.reciprocal()); }
  logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const e = typeof this.exponent === 'number' ? torch.fullLike(x, this.exponent) : this.exponent;
    return e.mul(y).div(x).abs().log();
  }
  override equals(o: Transform): boolean {
    if (!(o instanceof PowerTransform)) return false;
    const a = this.exponent, b = o.exponent;
    return typeof a === 'number' && typeof b === 'number' ? a === b : !!torch.eq(a instanceof Tensor ? a : torch.tensor(a), b as never).all().item();
  }
}

/** Pareto(scale, alpha): Exponential(alpha) through exp, then scaled. */
export class Pareto extends TransformedDistribution {
  scale: Tensor; alpha: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { alpha: C.positive, scale: C.positive }; }
  override get support(): Constraint { return C.greaterThanEq(this.scale); }
  constructor(scale: Param, alpha: Param, opts: { validateArgs?: boolean } = {}) {
    const [s, a] = broadcastAll(scale, alpha);
    super(new Exponential(a, opts), [new ExpTransform(), new AffineTransform(0, s)], opts);
    this.scale = s; this.alpha = a;
  }
  override repr(): string { return 'Pareto()'; }
  override expand(b: Shape): Pareto { return new Pareto(this.scale.expand(b.slice()), this.alpha.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { const a = this.alpha.clamp(1, null); return a.mul(this.scale).div(a.sub(1)); }
  override get mode(): Tensor { return this.scale; }
  override get variance(): Tensor { const a = this.alpha.clamp(2, null); return this.scale.pow(2).mul(a).div(a.sub(1).pow(2).mul(a.sub(2))); }
  override entropy(): Tensor { return this.scale.div(this.alpha).log().add(this.alpha.reciprocal()).add(1); }
}

/** Weibull(scale, concentration): Exponential(1) through x ** (1 / concentration), then scaled. */
export class Weibull extends TransformedDistribution {
  scale: Tensor; concentration: Tensor;
  override get argConstraints(): Record<string, Constraint> { return { scale: C.positive, concentration: C.positive }; }
  override get support(): Constraint { return C.positive; }
  constructor(scale: Param, concentration: Param, opts: { validateArgs?: boolean } = {}) {
    const [s, k] = broadcastAll(scale, concentration);
    super(new Exponential(torch.onesLike(s), opts), [new PowerTransform(k.reciprocal()), new AffineTransform(0, s)], opts);
    this.scale = s; this.concentration = k;
    if (this._validateArgs) {
      for (const [name, v] of [['scale', s], ['concentration', k]] as const) {
        if (!v.gt(0).all().item()) throw new TorchError(`Expected parameter ${name} (Tensor of shape (${v.shape.join(', ')}${v.ndim === 1 ? ',' : ''})) of distribution Weibull(scale: ${s.numel() === 1 ? s : `torch.Size([${s.shape}])`}, concentration: ${k.numel() === 1 ? k : `torch.Size([${k.shape}])`}) to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n${v}`);
      }
    }
  }
  override repr(): string { return 'Weibull()'; }
  override expand(b: Shape): Weibull { return new Weibull(this.scale.expand(b.slice()), this.concentration.expand(b.slice()), { validateArgs: false }); }
  override get mean(): Tensor { return this.scale.mul(lgamma(this.concentration.reciprocal().add(1)).exp()); }
  override get mode(): Tensor {
    const k = this.concentration;
    return this.scale.mul(k.sub(1).div(k).pow(k.reciprocal()));
  }
  override get variance(): Tensor {
    const k = this.concentration;
    return this.scale.pow(2).mul(lgamma(k.reciprocal().mul(2).add(1)).exp().sub(lgamma(k.reciprocal().add(1)).mul(2).exp()));
  }
  override entropy(): Tensor {
    const k = this.concentration;
    return k.reciprocal().neg().add(1).mul(EULER).add(this.scale.div(k).log()).add(1);
  }
}
const EULER = 0.57721566490153286060;
