// methods.ts - Tensor methods and torch.* functions of the Arithmetic and Casting sections, wired to
// lib/ops/elementwise.ts. (Each op family file does the same for its own ops.)
import { Tensor } from '../tensor';
import { DType, DTypeName, DTYPES, toDType, isFloating, describeValue, isDTypeName } from '../dtype';
import { Device, DeviceName, toDevice, devicesHere } from '../device';
import { TorchError, checkKeys } from '../errors';
import * as E from './elementwise';
import { isOptions, TensorOrScalar } from './util';
import { UNARY_DEFS as U, BINARY_DEFS as B } from './elementwise';

type T = Tensor;
type S = TensorOrScalar;
export const UNARY_NAMES = ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square',
  'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil',
  'round', 'trunc'] as const;

declare module '../tensor' {
  interface Tensor {
    neg(): T; abs(): T; sign(): T; exp(): T; expm1(): T; log(): T; log1p(): T; log2(): T; log10(): T; sqrt(): T; rsqrt(): T;
    square(): T; reciprocal(): T; sin(): T; cos(): T; tan(): T; asin(): T; acos(): T; atan(): T; sinh(): T; cosh(): T;
    tanh(): T; sigmoid(): T; relu(): T; erf(): T; floor(): T; ceil(): T; round(): T; trunc(): T;
    neg_(): T; abs_(): T; sign_(): T; exp_(): T; expm1_(): T; log_(): T; log1p_(): T; log2_(): T; log10_(): T; sqrt_(): T; rsqrt_(): T;
    square_(): T; reciprocal_(): T; sin_(): T; cos_(): T; tan_(): T; asin_(): T; acos_(): T; atan_(): T; sinh_(): T; cosh_(): T;
    tanh_(): T; sigmoid_(): T; relu_(): T; erf_(): T; floor_(): T; ceil_(): T; round_(): T; trunc_(): T;
    negative(): T; absolute(): T;
    add(o: S, opts?: { alpha?: number }): T; sub(o: S, opts?: { alpha?: number }): T; mul(o: S): T;
    div(o: S, opts?: { roundingMode?: 'trunc' | 'floor' | null }): T; pow(o: S): T; remainder(o: S): T; fmod(o: S): T;
    floorDivide(o: S): T; atan2(o: T): T; maximum(o: T): T; minimum(o: T): T; xlogy(o: S): T;
    true_divide(o: S): T; multiply(o: S): T; subtract(o: S, opts?: { alpha?: number }): T; divide(o: S, opts?: { roundingMode?: 'trunc' | 'floor' | null }): T;
    add_(o: S, opts?: { alpha?: number }): T; sub_(o: S, opts?: { alpha?: number }): T; mul_(o: S): T;
    div_(o: S, opts?: { roundingMode?: 'trunc' | 'floor' | null }): T; pow_(o: S): T; remainder_(o: S): T; fmod_(o: S): T;
    floorDivide_(o: S): T; atan2_(o: T): T;
    eq(o: S): T; ne(o: S): T; lt(o: S): T; le(o: S): T; gt(o: S): T; ge(o: S): T;
    greater(o: S): T; less(o: S): T; greaterEqual(o: S): T; lessEqual(o: S): T; notEqual(o: S): T;
    eq_(o: S): T; ne_(o: S): T; lt_(o: S): T; le_(o: S): T; gt_(o: S): T; ge_(o: S): T;
    logicalAnd(o: S): T; logicalOr(o: S): T; logicalXor(o: S): T; logicalNot(): T;
    logicalAnd_(o: S): T; logicalOr_(o: S): T; logicalXor_(o: S): T; logicalNot_(): T;
    bitwiseAnd(o: S): T; bitwiseOr(o: S): T; bitwiseXor(o: S): T; bitwiseNot(): T;
    bitwiseAnd_(o: S): T; bitwiseOr_(o: S): T; bitwiseXor_(o: S): T; bitwiseNot_(): T;
    isnan(): T; isinf(): T; isfinite(): T; nanToNum(opts?: { nan?: number; posinf?: number; neginf?: number }): T;
    nanToNum_(opts?: { nan?: number; posinf?: number; neginf?: number }): T;
    clamp(min?: S | null | { min?: S; max?: S }, max?: S | null): T; clamp_(min?: S | null, max?: S | null): T;
    clip(min?: S | null, max?: S | null): T; clip_(min?: S | null, max?: S | null): T;
    clampMin(min: S): T; clampMax(max: S): T;
    lerp(end: T, weight: S): T; lerp_(end: T, weight: S): T;
    where(cond: T, other: S): T;
    allclose(o: T, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean;
    isclose(o: T, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): T;
    equal(o: T): boolean;
    fill_(v: number | boolean | T): T; zero_(): T; copy_(src: T): T;
    clone(): T; contiguous(): T; detach(): T; detach_(): T;
    to(target: DTypeName | DeviceName | Device | T | { dtype?: DTypeName; device?: string | Device; copy?: boolean; nonBlocking?: boolean }, second?: DTypeName | DeviceName | Device | { copy?: boolean; nonBlocking?: boolean }, opts?: { copy?: boolean; nonBlocking?: boolean }): T;
    type(): string;
    type(dtype: DTypeName): T;
    float(): T; double(): T; half(): T; bfloat16(): T; long(): T; int(): T; short(): T; char(): T; byte(): T; bool(): T;
    cpu(): T; cuda(index?: number): T;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
for (const n of UNARY_NAMES) {
  P[n] = function (this: T): T { return E.unaryOp(U[n], this); };
  P[n + '_'] = function (this: T): T { return E.unaryInplace(this, U[n]); };
}
P.negative = P.neg;
P.absolute = P.abs;

const BIN: [string, (a: T, b: S, o?: never) => T, string][] = [
  ['add', E.add as never, 'add'], ['sub', E.sub as never, 'sub'], ['mul', E.mul, 'mul'], ['div', E.div as never, 'div'],
  ['pow', E.pow, 'pow'], ['remainder', E.remainder, 'remainder'], ['fmod', E.fmod, 'fmod'], ['floorDivide', E.floorDivide, 'floor_divide'],
  ['atan2', (a, b) => E.binaryOp(B.atan2, a, b), 'atan2'], ['maximum', E.maximum, ''], ['minimum', E.minimum, ''],
  ['xlogy', (a, b) => E.binaryOp(B.xlogy, a, b), ''],
  ['eq', E.eq, 'eq'], ['ne', E.ne, 'ne'], ['lt', E.lt, 'lt'], ['le', E.le, 'le'], ['gt', E.gt, 'gt'], ['ge', E.ge, 'ge'],
  ['logicalAnd', (a, b) => E.binaryOp(B.logical_and, a, b), 'logical_and'], ['logicalOr', (a, b) => E.binaryOp(B.logical_or, a, b), 'logical_or'],
  ['logicalXor', (a, b) => E.binaryOp(B.logical_xor, a, b), 'logical_xor'],
  ['bitwiseAnd', (a, b) => E.binaryOp(B.bitwise_and, a, b), 'bitwise_and'], ['bitwiseOr', (a, b) => E.binaryOp(B.bitwise_or, a, b), 'bitwise_or'],
  ['bitwiseXor', (a, b) => E.binaryOp(B.bitwise_xor, a, b), 'bitwise_xor'],
];
for (const [name, f, inplaceDef] of BIN) {
  P[name] = function (this: T, o: S, opts?: never): T { this._check(); return f(this, o, opts); };
  if (inplaceDef) {
    P[name + '_'] = function (this: T, o: S, opts?: Record<string, unknown>): T {
      let def = B[inplaceDef];
      let params: number[] = [];
      if (name === 'add' || name === 'sub') params = [opts && typeof opts.alpha === 'number' ? opts.alpha : 1];
      if (name === 'div' && opts && opts.roundingMode) def = B[opts.roundingMode === 'trunc' ? 'div_trunc' : opts.roundingMode === 'floor' ? 'div_floor' : 'div'];
      if (name === 'div' && opts && opts.roundingMode && !['trunc', 'floor'].includes(String(opts.roundingMode))) throw new TorchError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(opts.roundingMode)}'`);
      return E.binaryInplace(this, def, o, params);
    };
  }
}
P.true_divide = P.div; P.multiply = P.mul; P.subtract = P.sub; P.divide = P.div;
P.greater = P.gt; P.less = P.lt; P.greaterEqual = P.ge; P.lessEqual = P.le; P.notEqual = P.ne;
P.logicalNot = function (this: T): T { return E.unaryOp(U.logical_not, this); };
P.logicalNot_ = function (this: T): T { return E.copy_(this, E.unaryOp(U.logical_not, this)); };
P.bitwiseNot = function (this: T): T {
  if (isFloating(this.dtype)) throw new TorchError(`"bitwise_not_cpu" not implemented for '${E.typeName(this.dtype)}'`);
  return this.dtype === 'bool' ? E.unaryOp(U.logical_not, this) : E.unaryOp(U.bitwise_not, this);
};
P.bitwiseNot_ = function (this: T): T { return E.copy_(this, this.bitwiseNot()); };
P.isnan = function (this: T): T { return E.unaryOp(U.isnan, this); };
P.isinf = function (this: T): T { return E.unaryOp(U.isinf, this); };
P.isfinite = function (this: T): T { return E.unaryOp(U.isfinite, this); };
P.nanToNum = function (this: T, o?: Record<string, number>): T { return E.nanToNum(this, o); };
P.nanToNum_ = function (this: T, o?: Record<string, number>): T { return E.copy_(this, E.nanToNum(this, o)); };
P.clamp = function (this: T, lo?: unknown, hi?: unknown): T { return E.clamp(this, lo, hi); };
P.clip = P.clamp;
P.clamp_ = function (this: T, lo?: unknown, hi?: unknown): T { return E.clampInplace(this, lo, hi); };
P.clip_ = P.clamp_;
P.clampMin = function (this: T, lo: unknown): T { return E.clamp(this, lo, null); };
P.clampMax = function (this: T, hi: unknown): T { return E.clamp(this, null, hi); };
P.lerp = function (this: T, end: T, w: S): T { return E.lerp(this, end, w); };
P.lerp_ = function (this: T, end: T, w: S): T { return E.copy_(this, E.lerp(this, end, w)); };
P.where = function (this: T, cond: T, other: S): T { return E.where(cond, this, other); };
P.allclose = function (this: T, o: T, opts?: Record<string, never>): boolean { return E.allclose(this, o, opts); };
P.isclose = function (this: T, o: T, opts?: Record<string, never>): T { return E.isclose(this, o, opts); };
P.equal = function (this: T, o: T): boolean { return E.equal(this, o); };
P.fill_ = function (this: T, v: unknown): T { return E.fillInplace(this, v); };
P.zero_ = function (this: T): T { return E.fillInplace(this, 0); };
P.copy_ = function (this: T, src: T): T { return E.copy_(this, src); };
P.clone = function (this: T): T { this._check(); return E.clone(this); };
P.contiguous = function (this: T): T { this._check(); return E.contiguous(this); };
P.detach = function (this: T): T {
  this._check();
  const d = new Tensor(this._st, this.shape.slice(), this._strides.slice(), this._offset, this.dtype);
  return d;
};
P.detach_ = function (this: T): T {
  if (this.gradFn === null && !this._rg) return this;
  this.gradFn = null;
  this._rg = false;
  return this;
};

// to(device | dtype | tensor | { dtype, device, copy, nonBlocking }), also PyTorch's to(device, dtype) and a trailing
// { copy, nonBlocking } (nonBlocking: a copy from pinned memory to CUDA is asynchronous on the current stream, as
// PyTorch's; other copies are synchronous)
function toImpl(this: T, target: unknown, ...rest: unknown[]): T {
  this._check();
  let dt: DType | undefined, dev: Device | undefined, copy = false, nonBlocking = false;
  const take = (v: unknown, where: string): void => {
    if (v instanceof Tensor) { dt = v.dtype; dev = v.device; }
    else if (v instanceof Device) dev = v;
    else if (typeof v === 'string') {
      if (/^(cpu|cuda)(:\d+)?$/.test(v)) dev = toDevice(v);
      else if (isDTypeName(v)) dt = toDType(v, 'to');
      else throw new TorchError(`to(): '${v}' is neither a device nor a dtype; ${devicesHere()}; dtypes: ${DTYPES.join(', ')}`);
    } else if (isOptions(v)) {
      checkKeys('to', v, ['dtype', 'device', 'copy', 'nonBlocking']);
      const o = v as { dtype?: string; device?: string | Device; copy?: boolean; nonBlocking?: boolean };
      if (o.nonBlocking) nonBlocking = true;
      if (o.dtype !== undefined) dt = toDType(o.dtype, 'to');
      if (o.device !== undefined) dev = toDevice(o.device);
      if (o.copy) copy = true;
    } else throw new TypeError(`to() received an invalid combination of arguments: ${where} ${describeValue(v)}`);
  };
  take(target, 'argument 1');
  if (rest.length > 2 || (rest.length === 2 && !isOptions(rest[1]))) throw new TypeError('to() received too many arguments: to(device?, dtype?, { copy, nonBlocking }?)');
  if (rest.length >= 1 && rest[0] !== undefined) {
    if (isOptions(rest[0]) && rest.length === 1) take(rest[0], 'argument 2');
    else if (typeof rest[0] === 'string' || rest[0] instanceof Device) take(rest[0], 'argument 2');
    else throw new TypeError(`to() received an invalid combination of arguments: argument 2 ${describeValue(rest[0])}`);
  }
  if (rest.length === 2) take(rest[1], 'argument 3');
  let r: T = this;
  if (dev && !dev.equals(r.device)) r = E.toDeviceCopy(r, dev, nonBlocking);
  if (dt && dt !== r.dtype) r = E.toDtype(r, dt);
  if (copy && r === this) r = E.clone(this);
  return r;
}
P.to = toImpl;
P.type = function (this: T, dt?: string): T | string {
  if (dt === undefined) {
    const m: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };
    return `torch.${this.device.type === 'cuda' ? 'cuda.' : ''}${m[this.dtype]}Tensor`;
  }
  return E.toDtype(this, toDType(dt, 'type'));
};
const CASTS: [string, DType][] = [['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'],
  ['long', 'int64'], ['int', 'int32'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8'], ['bool', 'bool']];
for (const [n, d] of CASTS) P[n] = function (this: T): T { this._check(); return E.toDtype(this, d); };
P.cpu = function (this: T): T { return toImpl.call(this, 'cpu'); };
P.cuda = function (this: T, index?: number): T { return toImpl.call(this, index === undefined ? 'cuda' : `cuda:${index}`); };

// NaN / inf predicates and the NaN-aware binary ops
declare module '../tensor' {
  interface Tensor {
    fmax(o: T): T; fmin(o: T): T; sgn(): T; signbit(): T; isposinf(): T; isneginf(): T; frac(): T;
  }
}
P.fmax = function (this: T, o: T): T { return E.fmax(this, o); };
P.fmin = function (this: T, o: T): T { return E.fmin(this, o); };
P.sgn = function (this: T): T { return E.sgn(this); };
P.signbit = function (this: T): T { return E.signbit(this); };
P.isposinf = function (this: T): T { return E.isposinf(this); };
P.isneginf = function (this: T): T { return E.isneginf(this); };
P.frac = function (this: T): T { return E.frac(this); };
