// constraints.ts - torch.distributions.constraints: what a parameter or a value must satisfy (check(value) is a bool
// tensor, reduced over the constraint's event dimensions); the names and reprs are PyTorch 1.13's.
import { Tensor } from '../tensor';
import * as torch from '../index';

export abstract class Constraint {
  isDiscrete = false;
  eventDim = 0;
  abstract check(value: Tensor): Tensor;
  toString(): string { return `${this.constructor.name.replace(/^_/, '')}()`; }
}
const fmt = (v: number | Tensor): string => (typeof v === 'number' ? (Number.isInteger(v) ? v.toFixed(1) : String(v)) : v.toString());

class _Real extends Constraint { override check(v: Tensor): Tensor { return v.eq(v); } override toString(): string { return 'Real()'; } }
class _Boolean extends Constraint {
  override isDiscrete = true;
  override check(v: Tensor): Tensor { return v.eq(0).logicalOr(v.eq(1)); } override toString(): string { return 'Boolean()'; }
}
class _GreaterThan extends Constraint {
  constructor(public lowerBound: number | Tensor) { super(); }
  override check(v: Tensor): Tensor { return v.gt(this.lowerBound as never); }
  override toString(): string { return `GreaterThan(lower_bound=${fmt(this.lowerBound)})`; }
}
class _GreaterThanEq extends Constraint {
  constructor(public lowerBound: number | Tensor) { super(); }
  override check(v: Tensor): Tensor { return v.ge(this.lowerBound as never); }
  override toString(): string { return `GreaterThanEq(lower_bound=${fmt(this.lowerBound)})`; }
}
class _Interval extends Constraint {
  constructor(public lowerBound: number | Tensor, public upperBound: number | Tensor) { super(); }
  override check(v: Tensor): Tensor { return v.ge(this.lowerBound as never).logicalAnd(v.le(this.upperBound as never)); }
  override toString(): string { return `Interval(lower_bound=${fmt(this.lowerBound)}, upper_bound=${fmt(this.upperBound)})`; }
}
class _HalfOpenInterval extends Constraint {
  constructor(public lowerBound: number | Tensor, public upperBound: number | Tensor) { super(); }
  override check(v: Tensor): Tensor { return v.ge(this.lowerBound as never).logicalAnd(v.lt(this.upperBound as never)); }
  override toString(): string { return `HalfOpenInterval(lower_bound=${fmt(this.lowerBound)}, upper_bound=${fmt(this.upperBound)})`; }
}
class _IntegerInterval extends Constraint {
  override isDiscrete = true;
  constructor(public lowerBound: number | Tensor, public upperBound: number | Tensor) { super(); }
  override check(v: Tensor): Tensor {
    return v.remainder(1).eq(0).logicalAnd(v.ge(this.lowerBound as never)).logicalAnd(v.le(this.upperBound as never));
  }
  override toString(): string { return `IntegerInterval(lower_bound=${this.lowerBound}, upper_bound=${this.upperBound})`; }
}
class _IntegerGreaterThan extends Constraint {
  override isDiscrete = true;
  constructor(public lowerBound: number) { super(); }
  override check(v: Tensor): Tensor { return v.remainder(1).eq(0).logicalAnd(v.ge(this.lowerBound)); }
  override toString(): string { return `IntegerGreaterThan(lower_bound=${this.lowerBound})`; }
}
class _Simplex extends Constraint {
  override eventDim = 1;
  override check(v: Tensor): Tensor { return v.ge(0).all(-1).logicalAnd(v.sum(-1).sub(1).abs().lt(1e-6)); }
  override toString(): string { return 'Simplex()'; }
}
class _Independent extends Constraint {
  constructor(public baseConstraint: Constraint, public reinterpretedBatchNdims: number) {
    super(); this.isDiscrete = baseConstraint.isDiscrete; this.eventDim = baseConstraint.eventDim + reinterpretedBatchNdims;
  }
  override check(v: Tensor): Tensor {
    let r = this.baseConstraint.check(v);
    for (let i = 0; i < this.reinterpretedBatchNdims; i++) r = r.all(-1);
    return r;
  }
  override toString(): string { return `IndependentConstraint(${this.baseConstraint}, ${this.reinterpretedBatchNdims})`; }
}
class _LowerCholesky extends Constraint {
  override eventDim = 2;
  override check(v: Tensor): Tensor {
    const lower = v.tril().eq(v).all(-1).all(-1);
    return lower.logicalAnd(v.diagonal(0, -2, -1).gt(0).all(-1));
  }
  override toString(): string { return 'LowerCholesky()'; }
}
class _PositiveDefinite extends Constraint {
  override eventDim = 2;
  override check(v: Tensor): Tensor {
    const sym = v.sub(v.mT).abs().le(v.abs().mul(1e-6).add(1e-8)).all(-1).all(-1);
    // a Cholesky factorisation succeeds (no NaN, positive diagonal) exactly when the matrix is positive definite
    const L = torch.noGrad(() => choleskyNoCheck(v.detach()));
    const d = L.diagonal(0, -2, -1);
    return sym.logicalAnd(d.gt(0).all(-1));
  }
  override toString(): string { return 'PositiveDefinite()'; }
}
class _Dependent extends Constraint {
  override check(_v: Tensor): Tensor { throw new torch.TorchError('Cannot determine validity of dependent constraint'); }
  override toString(): string { return 'Dependent()'; }
}

/** Cholesky over tensor ops (differentiable; NaN on the diagonal where the matrix is not positive definite). */
export function choleskyNoCheck(A0: Tensor): Tensor {
  // the symmetric part, as PyTorch's cholesky_backward: the gradient w.r.t. A is symmetric
  const A = A0.add(A0.mT).mul(0.5);
  const n = A.shape[A.ndim - 1];
  const L: Tensor[][] = [];
  for (let i = 0; i < n; i++) {
    L.push([]);
    for (let j = 0; j <= i; j++) {
      let s = A.select(-2, i).select(-1, j);
      for (let k = 0; k < j; k++) s = s.sub(L[i][k].mul(L[j][k]));
      L[i].push(i === j ? s.sqrt() : s.div(L[j][j]));
    }
  }
  const zero = torch.zerosLike(A.select(-2, 0).select(-1, 0));
  const rows = L.map((r) => torch.stack([...r, ...Array(n - r.length).fill(zero)], -1));
  return torch.stack(rows, -2);
}

export const real = new _Real();
export const boolean = new _Boolean();
export const positive = new _GreaterThan(0);
export const nonnegative = new _GreaterThanEq(0);
export const unitInterval = new _Interval(0, 1);
export const nonnegativeInteger = new _IntegerGreaterThan(0);
export const positiveInteger = new _IntegerGreaterThan(1);
export const simplex = new _Simplex();
export const realVector = new _Independent(real, 1);
export const lowerCholesky = new _LowerCholesky();
export const positiveDefinite = new _PositiveDefinite();
export const dependent = new _Dependent();
export const greaterThan = (lb: number | Tensor): Constraint => new _GreaterThan(lb);
export const greaterThanEq = (lb: number | Tensor): Constraint => new _GreaterThanEq(lb);
export const interval = (lb: number | Tensor, ub: number | Tensor): Constraint => new _Interval(lb, ub);
export const halfOpenInterval = (lb: number | Tensor, ub: number | Tensor): Constraint => new _HalfOpenInterval(lb, ub);
export const integerInterval = (lb: number | Tensor, ub: number | Tensor): Constraint => new _IntegerInterval(lb, ub);
export const independent = (c: Constraint, n: number): Constraint => new _Independent(c, n);
