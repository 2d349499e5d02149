// more.ts - the ops a PyTorch user reaches for that nodetorch lacked (ops.schema's "opsA" section; bound by name in
// impls.ts): the new_* factories and dtype predicates, the in-place random fills, elementwise math (special functions
// on new kernels of native/kernels/unary.def and binary.def, the rest composed of differentiable ops, which is exact),
// and statistics. PyTorch 1.13's signatures, dtype rules and messages; the values and gradients are checked against
// PyTorch by test/ops_more.test.ts.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { isFloating, getDefaultDtype, toDType, describeValue, promoteTypes } from '../dtype';
import type { DType, DTypeName } from '../dtype';
import { toDevice } from '../device';
import type { Device, DeviceName } from '../device';
import { noGrad } from '../autograd/mode';
import { record, needsGrad } from '../autograd/engine';
import { inplaceKernel } from '../autograd/inplace';
import * as E from './elementwise';
import * as C from './creation';
import * as Sh from './shape';

type T = Tensor;
type S = Tensor | number | boolean;
type DT = DTypeName | null;
type Dev = DeviceName | Device | null;
type Gen = C.Generator | null;
type UnaryDef = Parameters<typeof E.unaryOp>[0];
type BinaryDef = Parameters<typeof E.binaryOp>[0];

const un = (name: string, x: T): T => E.unaryOp(E.UNARY_DEFS[name], x);
function tensorArg(x: unknown, op: string, name: string): T {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${describeValue(x)}`);
  x._check();
  return x;
}

// ---- factories from self: dtype and device are self's unless given (PyTorch's Tensor.new_*) -------------------------
function newOpts(self: T, dtype: DT, device: Dev, requiresGrad: boolean): C.CreateOpts {
  return { dtype: dtype ?? self.dtype, device: device ?? self.device, requiresGrad };
}
const sizeList = (size: number | readonly number[]): number[] => (typeof size === 'number' ? [size] : size.slice());
export function newEmpty(input: T, size: number | readonly number[], dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.empty(sizeList(size), newOpts(input, dtype, device, requiresGrad));
}
export function newZeros(input: T, size: number | readonly number[], dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.zeros(sizeList(size), newOpts(input, dtype, device, requiresGrad));
}
export function newOnes(input: T, size: number | readonly number[], dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.ones(sizeList(size), newOpts(input, dtype, device, requiresGrad));
}
export function newFull(input: T, size: readonly number[], fillValue: S, dtype: DT, device: Dev, requiresGrad: boolean): T {
  const v = fillValue instanceof Tensor ? (fillValue.item() as number | boolean) : fillValue;
  return C.full(size.slice(), v, newOpts(input, dtype, device, requiresGrad));
}
/** new_tensor(data): a copy of data (never a view, even of a tensor) in self's dtype and on self's device unless given */
export function newTensor(input: T, data: C.TensorData, dtype: DT, device: Dev, requiresGrad: boolean): T {
  const o = newOpts(input, dtype, device, requiresGrad);
  if (data instanceof Tensor) {
    const r = noGrad(() => data.detach().to({ dtype: toDType(o.dtype), device: o.device as Device, copy: true } as never) as T);
    return requiresGrad ? r.requiresGrad_(true) : r;
  }
  return C.tensor(data, o);
}
/** type_as(other): self in other's dtype (and on other's device type, as PyTorch's self.type(other.type())) */
export function typeAs(input: T, other: T): T {
  tensorArg(other, 'type_as', 'other');
  if (input.device.type !== other.device.type) return input.to({ device: other.device, dtype: other.dtype } as never) as T;
  return input.to(other.dtype);
}

// ---- dtype and value predicates --------------------------------------------------------------------------------
export function isFloatingPoint(input: T): boolean { return isFloating(tensorArg(input, 'is_floating_point', 'input').dtype); }
/** nodetorch has no complex dtypes: always false */
export function isComplex(input: T): boolean { tensorArg(input, 'is_complex', 'input'); return false; }
export function isSigned(input: T): boolean { const d = tensorArg(input, 'is_signed', 'input').dtype; return d !== 'uint8' && d !== 'bool'; }
export function isNonzero(input: T): boolean {
  tensorArg(input, 'is_nonzero', 'input');
  const n = input.numel();
  if (n === 0) throw new TorchError('Boolean value of Tensor with no values is ambiguous');
  if (n > 1) throw new TorchError('Boolean value of Tensor with more than one value is ambiguous');
  const v = input.item();
  return typeof v === 'boolean' ? v : v !== 0;
}
export function isSameSize(input: T, other: T): boolean {
  tensorArg(other, 'is_same_size', 'other');
  return input.shape.length === other.shape.length && input.shape.every((d, i) => d === other.shape[i]);
}

// ---- finfo / iinfo: the numerical properties of a dtype (PyTorch's torch.finfo / torch.iinfo) ------------------
export class FInfo {
  readonly bits: number;
  readonly eps: number;
  readonly max: number;
  readonly min: number;
  /** the smallest positive normal number (PyTorch's tiny, an alias of smallest_normal) */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** 10^-(decimal digits of precision) */
  readonly resolution: number;
  readonly dtype: DType;
  constructor(dtype: DType, bits: number, eps: number, max: number, tiny: number, resolution: number) {
    this.dtype = dtype; this.bits = bits; this.eps = eps; this.max = max; this.min = -max; this.tiny = tiny;
    this.smallestNormal = tiny; this.resolution = resolution;
  }
  toString(): string {
    const g = (v: number): string => Number(v.toPrecision(6)).toString().replace(/e\+?/, 'e+').replace('e+-', 'e-');
    return `finfo(resolution=${g(this.resolution)}, min=${g(this.min)}, max=${g(this.max)}, eps=${g(this.eps)}, smallest_normal=${g(this.tiny)}, tiny=${g(this.tiny)}, dtype=${this.dtype})`;
  }
}
/** iinfo's bounds: numbers, except int64's, which are bigints (2^63 - 1 is not a double) */
export class IInfo<V extends number | bigint = number | bigint> {
  readonly bits: number;
  readonly max: V;
  readonly min: V;
  readonly dtype: DType;
  constructor(dtype: DType, bits: number, min: V, max: V) { this.dtype = dtype; this.bits = bits; this.min = min; this.max = max; }
  toString(): string { return `iinfo(min=${this.min}, max=${this.max}, dtype=${this.dtype})`; }
}
const FINFO: Partial<Record<DType, FInfo>> = {
  float32: new FInfo('float32', 32, 2 ** -23, (2 - 2 ** -23) * 2 ** 127, 2 ** -126, 1e-6),
  float64: new FInfo('float64', 64, Number.EPSILON, Number.MAX_VALUE, 2 ** -1022, 1e-15),
  float16: new FInfo('float16', 16, 2 ** -10, 65504, 2 ** -14, 1e-3),
  bfloat16: new FInfo('bfloat16', 16, 2 ** -7, (2 - 2 ** -7) * 2 ** 127, 2 ** -126, 1e-2),
};
const IINFO: Partial<Record<DType, IInfo>> = {
  int64: new IInfo<bigint>('int64', 64, -(2n ** 63n), 2n ** 63n - 1n),
  int32: new IInfo<number>('int32', 32, -(2 ** 31), 2 ** 31 - 1),
  int16: new IInfo<number>('int16', 16, -(2 ** 15), 2 ** 15 - 1),
  int8: new IInfo<number>('int8', 8, -128, 127),
  uint8: new IInfo<number>('uint8', 8, 0, 255),
};
const dtypeOfArg = (d: unknown, what: string): DType => (d instanceof Tensor ? d.dtype : toDType(d, what));
/** torch.finfo(dtype = the default float dtype) */
export function finfo(dtype?: DTypeName | Tensor): FInfo {
  const d = dtype === undefined ? getDefaultDtype() : dtypeOfArg(dtype, 'finfo(): argument \'type\'');
  const r = FINFO[d];
  if (!r) throw new TorchError(`torch.finfo() requires a floating point input type, got ${d}. Use torch.iinfo to handle '${d}'`);
  return r;
}
/** torch.iinfo(dtype): int64's bounds are bigints */
export function iinfo(dtype: 'int64' | 'long' | 'torch.int64' | 'torch.long'): IInfo<bigint>;
export function iinfo(dtype: DTypeName | Tensor): IInfo<number>;
export function iinfo(dtype: DTypeName | Tensor): IInfo {
  const d = dtypeOfArg(dtype, 'iinfo(): argument \'type\'');
  if (d === 'bool') throw new TorchError('torch.bool is not supported by torch.iinfo');
  const r = IINFO[d];
  if (!r) throw new TorchError(`torch.iinfo() requires an integer input type, got ${d}. Use torch.finfo to handle '${d}'`);
  return r;
}

// ---- in-place random fills (Tensor methods; PyTorch 1.13's distributions, checks and messages) --------------------
// Each draws from the generator given, else the default one of self's device (torch.manualSeed seeds it), writes
// self's storage, and records a node that gives self's previous history a zero gradient, as PyTorch's.
function fillWith(self: T, op: string, node: string, make: () => T): T {
  return inplaceKernel(self, op, (t) => {
    const v = noGrad(make);
    E.copy_(t, v.dtype === t.dtype ? v : E.toDtype(v, t.dtype));
  }, { name: node, uses: 'none', f: (g) => E.mulScalar(g, 0) });
}
const genOpt = (g: Gen): { generator?: C.Generator } => (g === null ? {} : { generator: g });
/** uniform draws in [0, 1) as float64 (float32 for a float32 self, so that its draws match torch.rand's) of self's shape */
function u01(self: T, g: Gen): T {
  const dt: DType = self.dtype === 'float64' ? 'float64' : 'float32';
  return C.rand(self.shape.slice(), { dtype: dt, device: self.device, ...genOpt(g) });
}
const floatOnly = (self: T, kernel: string): void => {
  if (!isFloating(self.dtype)) throw new TorchError(`"${kernel}_${self.device.type}" not implemented for '${E.typeName(self.dtype)}'`);
};
export function uniformInplace(self: T, from: number, to: number, generator: Gen): T {
  self._check();
  if (!isFloating(self.dtype)) throw new TorchError(`"check_uniform_bounds" not implemented for '${E.typeName(self.dtype)}'`);
  if (from > to) throw new TorchError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  return inplaceKernel(self, 'uniform_', (t) => { if (t.numel()) C.randomFill(t, 0, from, to, generator ?? undefined); },
    { name: 'UniformBackward0', uses: 'none', f: (g) => E.mulScalar(g, 0) });
}
export function normalInplace(self: T, mean: number, std: number, generator: Gen): T {
  self._check();
  floatOnly(self, 'normal_kernel');
  if (!(std >= 0)) throw new TorchError(`normal expects std >= 0.0, but found std ${std}`);
  return inplaceKernel(self, 'normal_', (t) => { if (t.numel()) C.randomFill(t, 1, mean, std, generator ?? undefined); },
    { name: 'NormalBackward0', uses: 'none', f: (g) => E.mulScalar(g, 0) });
}
// random_: integers drawn uniformly from [from, to) in self's dtype; the default range is [0, 2^digits] for a float
// dtype (every integer it holds exactly) and [0, max] for an integer one
const DIGITS: Partial<Record<DType, number>> = { float32: 24, float64: 53, float16: 11, bfloat16: 8 };
function maxOf(d: DType): number | bigint {
  if (d === 'bool') return 1;
  const f = DIGITS[d];
  if (f !== undefined) return 2 ** f;
  return (IINFO[d] as IInfo).max;
}
function drawIntegers(self: T, from: number, to: number | bigint, g: Gen): T {
  // [from, to) as int64 draws; a range wider than 2^53 (int64's full range) is two draws, a high and a low word
  const span = typeof to === 'bigint' ? to - BigInt(from) : BigInt(to - from);
  if (span <= 2n ** 53n) {
    return C.randint(from, Number(BigInt(from) + span), self.shape.slice(), { device: self.device, ...genOpt(g) });
  }
  // 63 random bits, reduced modulo the span (a bias below 2^-10 for spans above 2^53), shifted to from
  const hi = C.randint(0, 2 ** 31, self.shape.slice(), { device: self.device, ...genOpt(g) });
  const lo = C.randint(0, 2 ** 32, self.shape.slice(), { device: self.device, ...genOpt(g) });
  let v = E.add(E.mulScalar(hi, 2 ** 32), lo, { alpha: 1 });
  if (Number(span) < 2 ** 63) v = E.remainder(v, E.scalarTensor(Number(span), 'int64', self.device));
  return from === 0 ? v : E.add(v, from, { alpha: 1 });
}
function checkRandomRange(self: T, from: number, to: number | bigint): void {
  if (!Number.isInteger(from)) throw new TypeError(`random_(): argument 'from' must be int, not ${describeValue(from)}`);
  if (typeof to === 'number' && !Number.isInteger(to)) throw new TypeError(`random_(): argument 'to' must be int, not ${describeValue(to)}`);
  if (BigInt(from) >= BigInt(to)) throw new TorchError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
  const mx = maxOf(self.dtype);
  const lo = isFloating(self.dtype) ? -Number(mx) : self.dtype === 'bool' ? 0 : -Number(mx) - 1;
  if (self.dtype !== 'int64' && self.dtype !== 'float64' && (from < lo || BigInt(to) - 1n > BigInt(mx))) {
    throw new TorchError(`random_ expects 'from' and 'to - 1' to be within the range of ${self.dtype}: [${lo}, ${mx}], got from=${from}, to=${to}`);
  }
}
export function randomAll(self: T, generator: Gen): T {
  self._check();
  const mx = maxOf(self.dtype);
  const to = typeof mx === 'bigint' ? mx : mx + 1;
  return fillWith(self, 'random_', 'RandomBackward2', () => drawIntegers(self, 0, to, generator));
}
export function randomTo(self: T, to: number, generator: Gen): T {
  self._check();
  checkRandomRange(self, 0, to);
  return fillWith(self, 'random_', 'RandomBackward1', () => drawIntegers(self, 0, to, generator));
}
export function randomFromTo(self: T, from: number, to: number | null, generator: Gen): T {
  self._check();
  let hi: number | bigint;
  if (to === null) { const mx = maxOf(self.dtype); hi = typeof mx === 'bigint' ? mx : mx + 1; } else hi = to;
  checkRandomRange(self, from, hi);
  return fillWith(self, 'random_', 'RandomBackward0', () => drawIntegers(self, from, hi, generator));
}
export function exponentialInplace(self: T, lambd: number, generator: Gen): T {
  self._check();
  floatOnly(self, 'exponential');
  if (!(lambd >= 0)) throw new TorchError(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  // -log(1 - u) / lambda, u in [0, 1)
  return fillWith(self, 'exponential_', 'ExponentialBackward0', () => E.mulScalar(un('log1p', E.neg(u01(self, generator))), -1 / lambd));
}
export function geometricInplace(self: T, p: number, generator: Gen): T {
  self._check();
  if (self.dtype === 'bool') throw new TorchError(`"geometric_${self.device.type}" not implemented for 'Bool'`);
  if (!(p > 0 && p < 1)) throw new TorchError(`geometric_ expects p to be in (0, 1), got p = ${p}`);
  // the number of Bernoulli(p) trials up to the first success: ceil(log(1 - u) / log(1 - p)), at least 1
  return fillWith(self, 'geometric_', 'GeometricBackward0', () => {
    const k = E.unaryOp(E.UNARY_DEFS.ceil, E.mulScalar(un('log1p', E.neg(E.toDtype(u01(self, generator), 'float64'))), 1 / Math.log1p(-p)));
    return E.clamp(k, 1, null);
  });
}
export function cauchyInplace(self: T, median: number, sigma: number, generator: Gen): T {
  self._check();
  floatOnly(self, 'cauchy');
  if (!(sigma > 0)) throw new TorchError(`cauchy_ expects sigma > 0.0, but found sigma=${sigma}`);
  // median + sigma * tan(pi * (u - 1/2))
  return fillWith(self, 'cauchy_', 'CauchyBackward0', () => {
    const u = E.toDtype(u01(self, generator), 'float64');
    return E.add(E.mulScalar(E.unaryOp(E.UNARY_DEFS.tan, E.mulScalar(E.add(u, -0.5, { alpha: 1 }), Math.PI)), sigma), median, { alpha: 1 });
  });
}
export function logNormalInplace(self: T, mean: number, std: number, generator: Gen): T {
  self._check();
  floatOnly(self, 'log_normal');
  if (!(std > 0)) throw new TorchError(`log_normal_ expects std > 0.0, but found std=${std}`);
  return fillWith(self, 'log_normal_', 'LogNormalBackward0', () => {
    const dt: DType = self.dtype === 'float64' ? 'float64' : 'float32';
    return E.exp(C.normal(mean, std, self.shape.slice(), { dtype: dt, device: self.device, ...genOpt(generator) }));
  });
}
export function bernoulliInplaceTensor(self: T, p: T, generator: Gen): T {
  self._check();
  tensorArg(p, 'bernoulli_', 'p');
  return fillWith(self, 'bernoulli_', 'BernoulliBackward1', () => {
    const pp = isFloating(p.dtype) ? p.detach() : E.toDtype(p.detach(), 'float64');
    const u = C.rand(self.shape.slice(), { dtype: pp.dtype === 'float64' ? 'float64' : 'float32', device: self.device, ...genOpt(generator) });
    return E.lt(u, pp);
  });
}
export function bernoulliInplaceFloat(self: T, p: number, generator: Gen): T {
  self._check();
  if (!(p >= 0 && p <= 1)) throw new TorchError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  return fillWith(self, 'bernoulli_', 'BernoulliBackward2', () => E.lt(u01(self, generator), p));
}

// ---- elementwise math: special functions on new kernels (functors.h, computed in double), with their gradients ----
const sq = (x: T): T => E.mul(x, x);
// gradients are built of differentiable ops, so double backward works through them
const MORE_UNARY: Record<string, UnaryDef> = {
  asinh: { name: 'asinh', grad: 'AsinhBackward0', float: true, savesIn: true, formula: (g, x) => E.div(g, E.sqrt(E.add(sq(x), 1))) },
  acosh: { name: 'acosh', grad: 'AcoshBackward0', float: true, savesIn: true, formula: (g, x) => E.div(g, E.sqrt(E.sub(sq(x), 1))) },
  atanh: { name: 'atanh', grad: 'AtanhBackward0', float: true, savesIn: true, formula: (g, x) => E.div(g, E.rsub(sq(x), 1)) },
  erfc: { name: 'erfc', grad: 'ErfcBackward0', float: true, savesIn: true, formula: (g, x) => E.mul(g, E.mulScalar(E.exp(E.neg(sq(x))), -2 / Math.sqrt(Math.PI))) },
  erfinv: { name: 'erfinv', grad: 'ErfinvBackward0', float: true, savesOut: true, formula: (g, _x, y) => E.mul(g, E.mulScalar(E.exp(sq(y)), Math.sqrt(Math.PI) / 2)) },
  lgamma: { name: 'lgamma', grad: 'LgammaBackward0', float: true, savesIn: true, formula: (g, x) => E.mul(g, E.unaryOp(MORE_UNARY.digamma, x)) },
  digamma: { name: 'digamma', grad: 'DigammaBackward0', float: true, savesIn: true, formula: (g, x) => E.mul(g, E.unaryOp(MORE_UNARY.polygamma, x, [1])) },
  polygamma: { name: 'polygamma', grad: 'PolygammaBackward0', float: true, savesIn: true, formula: (g, x, _y, p) => E.mul(g, E.unaryOp(MORE_UNARY.polygamma, x, [p[0] + 1])) },
  i0: { name: 'i0', grad: 'I0Backward0', float: true, savesIn: true, formula: (g, x) => E.mul(g, E.unaryOp(MORE_UNARY.i1, x)) },
  // i1' = i0 - i1 / x (1/2 at 0)
  i1: { name: 'i1', grad: 'SpecialI1Backward0', float: true, savesIn: true, formula: (g, x) => {
    const z = E.eq(x, 0), xs = E.where(z, 1, x);
    return E.mul(g, E.where(z, 0.5, E.sub(E.unaryOp(MORE_UNARY.i0, xs), E.div(E.unaryOp(MORE_UNARY.i1, xs), xs))));
  } },
};
/** the unary kernels by schema name, the arc* aliases and fix included (impls.ts's unary/unary_ look names up here) */
export const UNARY_ALIASES: Record<string, UnaryDef> = {
  ...MORE_UNARY,
  arccos: E.UNARY_DEFS.acos, arcsin: E.UNARY_DEFS.asin, arctan: E.UNARY_DEFS.atan,
  arccosh: MORE_UNARY.acosh, arcsinh: MORE_UNARY.asinh, arctanh: MORE_UNARY.atanh, fix: E.UNARY_DEFS.trunc,
};
export const BINARY_ALIASES: Record<string, BinaryDef> = { arctan2: E.BINARY_DEFS.atan2 };

function floatOperands(a: T, b: S, op: string): void {
  const bt = b instanceof Tensor ? b.dtype : typeof b === 'boolean' ? 'bool' : Number.isInteger(b) ? 'int64' : getDefaultDtype();
  const rt = b instanceof Tensor ? promoteTypes(a.dtype, bt) : isFloating(a.dtype) ? a.dtype : isFloating(bt) ? getDefaultDtype() : a.dtype;
  if (!isFloating(rt)) throw new TorchError(`"${op}_${a.device.type}" not implemented for '${E.typeName(rt)}'`);
}
const HYPOT: BinaryDef = { name: 'hypot', op: 'hypot', grad: 'HypotBackward0', saves: 'abo', formula: (g, a, b, o) => [E.mul(g, E.div(a, o)), E.mul(g, E.div(b, o))] };
export function hypot(input: T, other: T): T {
  tensorArg(input, 'hypot', 'input');
  floatOperands(input, tensorArg(other, 'hypot', 'other'), 'hypot');
  return E.binaryOp(HYPOT, input, other);
}
// copysign: |input| with other's sign bit (so -0 counts as negative); integers give the default float dtype
const COPYSIGN: BinaryDef = { name: 'copysign', op: 'copysign', float: true, grad: 'CopysignBackward0', saves: 'abo', formula: (g, a, _b, o) => {
  const z = E.eq(a, 0);
  return [E.mul(g, E.where(z, 0, E.div(o, E.where(z, 1, a)))), E.mulScalar(g, 0)];
} };
export function copysign(input: T, other: S): T { tensorArg(input, 'copysign', 'input'); return E.binaryOp(COPYSIGN, input, other); }
const NEXTAFTER: BinaryDef = { name: 'nextafter', op: 'nextafter' };
export function nextafter(input: T, other: T): T {
  tensorArg(input, 'nextafter', 'input');
  tensorArg(other, 'nextafter', 'other');
  const rt = promoteTypes(input.dtype, other.dtype);
  if (rt !== 'float32' && rt !== 'float64') throw new TorchError(`"nextafter_${input.device.type}" not implemented for '${E.typeName(rt)}'`);
  const r = E.binaryOp(NEXTAFTER, input.detach(), other.detach());
  if (!needsGrad([input, other])) return r;
  return record('NextafterBackward0', [input, other], r, () => { throw new TorchError("the derivative for 'nextafter' is not implemented."); });
}
const GCD: BinaryDef = { name: 'gcd', op: 'gcd', intOnly: true };
const LCM: BinaryDef = { name: 'lcm', op: 'lcm', intOnly: true };
export function gcd(input: T, other: T): T { tensorArg(input, 'gcd', 'input'); tensorArg(other, 'gcd', 'other'); return E.binaryOp(GCD, input, other); }
export function lcm(input: T, other: T): T { tensorArg(input, 'lcm', 'input'); tensorArg(other, 'lcm', 'other'); return E.binaryOp(LCM, input, other); }

export function polygamma(n: number, input: T): T {
  tensorArg(input, 'polygamma', 'input');
  if (!Number.isInteger(n)) throw new TypeError(`polygamma(): argument 'n' must be int, not ${describeValue(n)}`);
  if (n < 0) throw new TorchError('polygamma(n, x) does not support negative n.');
  return E.unaryOp(MORE_UNARY.polygamma, input, [n]);
}
/** mvlgamma(x, p): the multivariate log-gamma, sum_i lgamma(x - i/2) + p(p-1)/4 log(pi) (NaN or inf where x <= (p-1)/2) */
export function mvlgamma(input: T, p: number): T {
  tensorArg(input, 'mvlgamma', 'input');
  if (!Number.isInteger(p) || p < 1) throw new TorchError(`p has to be greater than or equal to 1`);
  if (!isFloating(input.dtype)) throw new TorchError(`mvlgamma is not implemented for ${E.typeName(input.dtype)}`);
  const offs = C.arange(0, -p / 2, -0.5, { dtype: input.dtype, device: input.device });
  const x = input.unsqueeze(-1).add(offs);
  return E.unaryOp(MORE_UNARY.lgamma, x).sum(-1).add(p * (p - 1) / 4 * Math.log(Math.PI));
}

// ---- composed elementwise ops (differentiable ops throughout: the gradients are exact) -----------------------------
const asFloat = (x: T): T => (isFloating(x.dtype) ? x : E.toDtype(x, getDefaultDtype()));
/** sinc(x) = sin(pi x) / (pi x), 1 at 0 (its gradient 0 there) */
export function sinc(input: T): T {
  const x = asFloat(tensorArg(input, 'sinc', 'input'));
  const z = E.eq(x, 0);
  const px = E.mulScalar(E.where(z, 1, x), Math.PI);
  return E.where(z, 1, E.div(E.sin(px), px));
}
/** logit(x, eps) = log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given */
export function logit(input: T, eps: number | null): T {
  let x = asFloat(tensorArg(input, 'logit', 'input'));
  if (eps !== null) x = E.clamp(x, eps, 1 - eps);
  return E.log(E.div(x, E.rsub(x, 1)));
}
export function exp2(input: T): T {
  const x = asFloat(tensorArg(input, 'exp2', 'input'));
  return E.pow(E.scalarTensor(2, x.dtype, x.device), x);
}
/** logaddexp(a, b) = max + log1p(exp(-|a - b|)); equal infinities give themselves */
function logaddexpWith(a0: T, b0: T, op: string, base2: boolean): T {
  tensorArg(a0, op, 'input');
  tensorArg(b0, op, 'other');
  floatOperands(a0, b0, op);
  const m = E.maximum(a0, b0);
  const d = E.neg(E.sub(a0, b0, { alpha: 1 }).abs());
  const inf = E.logicalAnd(E.unaryOp(E.UNARY_DEFS.isinf, m), E.eq(a0, b0));
  const dd = E.where(inf, 0, d);
  const r = base2 ? E.add(m, E.mulScalar(un('log1p', E.pow(E.scalarTensor(2, dd.dtype, dd.device), dd)), 1 / Math.LN2), { alpha: 1 }) : E.add(m, un('log1p', E.exp(dd)), { alpha: 1 });
  return E.where(inf, m, r);
}
export function logaddexp(input: T, other: T): T { return logaddexpWith(input, other, 'logaddexp', false); }
export function logaddexp2(input: T, other: T): T { return logaddexpWith(input, other, 'logaddexp2', true); }
/** ldexp(x, e) = x * 2^e (a float result) */
export function ldexp(input: T, other: T): T {
  tensorArg(input, 'ldexp', 'input');
  tensorArg(other, 'ldexp', 'other');
  const x = asFloat(input);
  const dt = promoteTypes(x.dtype, isFloating(other.dtype) ? other.dtype : x.dtype);
  return E.mul(x, E.pow(E.scalarTensor(2, dt, x.device), other));
}
/** heaviside(x, values): 0 below 0, values at 0, 1 above (not differentiable, as PyTorch's) */
export function heaviside(input: T, values: T): T {
  tensorArg(input, 'heaviside', 'input');
  tensorArg(values, 'heaviside', 'values');
  if (input.dtype !== values.dtype) throw new TorchError('heaviside is not yet implemented for tensors with different dtypes.');
  const r = noGrad(() => E.where(E.eq(input, 0), values, E.toDtype(E.gt(input, 0), input.dtype)));
  if (!needsGrad([input, values])) return r;
  return record('HeavisideBackward0', [input, values], r, () => { throw new TorchError("the derivative for 'heaviside' is not implemented."); });
}
/** float_power: pow in float64 */
export function floatPower(input: S, exponent: S): T {
  const a = input instanceof Tensor ? E.toDtype(input, 'float64') : input;
  const b = exponent instanceof Tensor ? E.toDtype(exponent, 'float64') : exponent;
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new TypeError('float_power(): expected at least one Tensor argument');
  return E.pow(a instanceof Tensor ? a : E.scalarTensor(a as number, 'float64', (b as T).device), b);
}
export function floatPower_(self: T, exponent: S): T {
  if (self.dtype !== 'float64') throw new TorchError(`the base given to float_power_ has dtype ${E.typeName(self.dtype)} but the operation's result requires dtype Double`);
  return E.binaryInplace(self, E.BINARY_DEFS.pow, exponent instanceof Tensor ? E.toDtype(exponent, 'float64') : exponent);
}
/** frexp(x) = (mantissa, exponent): x = mantissa * 2^exponent, |mantissa| in [0.5, 1) (0, inf and NaN: exponent 0) */
export function frexp(input: T): [T, T] {
  tensorArg(input, 'frexp', 'input');
  if (!isFloating(input.dtype)) throw new TorchError('torch.frexp() only supports floating-point dtypes');
  return noGrad(() => {
    const x = E.toDtype(input, 'float64');
    const a = x.abs();
    const ok = E.logicalAnd(E.ne(a, 0), E.unaryOp(E.UNARY_DEFS.isfinite, a));
    let e = E.where(ok, E.add(E.unaryOp(E.UNARY_DEFS.floor, E.unaryOp(E.UNARY_DEFS.log2, E.where(ok, a, 1))), 1, { alpha: 1 }), 0);
    let m = E.mul(x, E.pow(E.scalarTensor(2, 'float64', x.device), E.neg(e)));
    // log2's rounding near a power of two: one step either way
    const hi = E.logicalAnd(ok, E.ge(m.abs(), 1)), lo = E.logicalAnd(ok, E.lt(m.abs(), 0.5));
    e = E.add(e, E.sub(E.toDtype(hi, 'float64'), E.toDtype(lo, 'float64'), { alpha: 1 }), { alpha: 1 });
    m = E.where(hi, E.mulScalar(m, 0.5), E.where(lo, E.mulScalar(m, 2), m));
    return [E.toDtype(m, input.dtype), E.toDtype(e, 'int32')];
  });
}
export function deg2rad(input: T): T {
  tensorArg(input, 'deg2rad', 'input');
  if (input.dtype === 'bool') throw new TorchError('deg2rad is not supported for bool tensors.');
  return E.mulScalar(asFloat(input), Math.PI / 180);
}
export function rad2deg(input: T): T {
  tensorArg(input, 'rad2deg', 'input');
  if (input.dtype === 'bool') throw new TorchError('rad2deg is not supported for bool tensors.');
  return E.mulScalar(asFloat(input), 180 / Math.PI);
}
/** positive(x) is x itself */
export function positive(input: T): T {
  tensorArg(input, 'positive', 'input');
  if (input.dtype === 'bool') throw new TorchError('The `+` operator, on a bool tensor is not supported.');
  return input;
}
/** rsub(input, other, alpha) = other - alpha * input */
export function rsub(input: T, other: S, alpha: number): T {
  tensorArg(input, 'rsub', 'input');
  return E.sub(other instanceof Tensor ? other : E.scalarTensor(other, typeof other === 'boolean' ? 'bool' : Number.isInteger(other) && !isFloating(input.dtype) ? 'int64' : input.dtype, input.device), input, { alpha });
}

// ---- pointwise and matrix accumulations ---------------------------------------------------------------------------
function checkValue(value: number, ts: T[], op: string): void {
  if (!ts.some((t) => isFloating(t.dtype)) && !Number.isInteger(value)) {
    throw new TorchError(`For integral input tensors, argument ${op === 'addr' ? 'alpha' : 'value'} must not be a floating point number.`);
  }
}
/** addcmul(input, t1, t2, value) = input + value * t1 * t2 */
export function addcmul(input: T, tensor1: T, tensor2: T, value: number): T {
  [input, tensor1, tensor2].forEach((t, i) => tensorArg(t, 'addcmul', ['input', 'tensor1', 'tensor2'][i]));
  checkValue(value, [input, tensor1, tensor2], 'addcmul');
  const p = E.mul(tensor1, tensor2);
  return E.add(input, value === 1 ? p : E.mulScalar(p, value), { alpha: 1 });
}
/** addcdiv(input, t1, t2, value) = input + value * t1 / t2 (integer tensor1 and tensor2 are refused, as PyTorch) */
export function addcdiv(input: T, tensor1: T, tensor2: T, value: number): T {
  [input, tensor1, tensor2].forEach((t, i) => tensorArg(t, 'addcdiv', ['input', 'tensor1', 'tensor2'][i]));
  if (!isFloating(tensor1.dtype) && !isFloating(tensor2.dtype)) {
    throw new TorchError('Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.');
  }
  const q = E.div(tensor1, tensor2);
  return E.add(input, value === 1 ? q : E.mulScalar(q, value), { alpha: 1 });
}
/** beta * input + alpha * product; beta = 0 ignores input (NaN in it included), as PyTorch's */
function betaAlpha(input: T, prod: T, beta: number, alpha: number, op: string): T {
  if (!isFloating(prod.dtype) && (!Number.isInteger(beta) || !Number.isInteger(alpha))) {
    throw new TorchError(`For integral input tensors, argument ${!Number.isInteger(beta) ? 'beta' : 'alpha'} must not be a floating point number.`);
  }
  void op;
  const p = alpha === 1 ? prod : E.mulScalar(prod, alpha);
  // (input's non-finite values are zeroed before the product with 0: its gradient is 0, its NaNs do not reach the result)
  if (beta === 0) return E.add(p, E.mulScalar(E.where(E.unaryOp(E.UNARY_DEFS.isfinite, input), input, 0), 0), { alpha: 1 });
  return E.add(beta === 1 ? input : E.mulScalar(input, beta), p, { alpha: 1 });
}
/** addr(input, vec1, vec2, beta, alpha) = beta * input + alpha * outer(vec1, vec2) */
export function addr(input: T, vec1: T, vec2: T, beta: number, alpha: number): T {
  [input, vec1, vec2].forEach((t, i) => tensorArg(t, 'addr', ['input', 'vec1', 'vec2'][i]));
  if (vec1.ndim !== 1) throw new TorchError(`addr: Expected 1-D argument vec1, but got ${vec1.ndim}-D`);
  if (vec2.ndim !== 1) throw new TorchError(`addr: Expected 1-D argument vec2, but got ${vec2.ndim}-D`);
  const o = E.mul(vec1.unsqueeze(1), vec2.unsqueeze(0));
  return betaAlpha(input, o, beta, alpha, 'addr');
}
/** addbmm(input, batch1, batch2, beta, alpha) = beta * input + alpha * sum_b batch1[b] @ batch2[b] */
export function addbmm(input: T, batch1: T, batch2: T, beta: number, alpha: number): T {
  [input, batch1, batch2].forEach((t, i) => tensorArg(t, 'addbmm', ['input', 'batch1', 'batch2'][i]));
  if (batch1.ndim !== 3) throw new TorchError(`batch1 must be a 3D tensor`);
  if (batch2.ndim !== 3) throw new TorchError(`batch2 must be a 3D tensor`);
  if (batch1.shape[0] !== batch2.shape[0]) throw new TorchError(`batch1 and batch2 must have same number of batches, got ${batch1.shape[0]} and ${batch2.shape[0]}`);
  if (batch1.shape[2] !== batch2.shape[1]) throw new TorchError(`Incompatible matrix sizes for bmm (${batch1.shape[1]}x${batch1.shape[2]} and ${batch2.shape[1]}x${batch2.shape[2]})`);
  const prod = batch1.shape[0] === 0 ? C.zeros([batch1.shape[1], batch2.shape[2]], { dtype: batch1.dtype, device: batch1.device }) : batch1.bmm(batch2).sum(0);
  return betaAlpha(input, prod, beta, alpha, 'addbmm');
}

// ---- reductions and statistics (composed of differentiable ops) ------------------------------------------------
type D = number | number[] | null;
type Pair = [T, T];
/** std_mean / var_mean: (std or var, mean) over dim, PyTorch's three forms each */
export function stdMeanDim(input: T, dim: D, unbiased: boolean, keepdim: boolean): Pair { return [input.std(dim, unbiased, keepdim), input.mean(dim, keepdim)]; }
export function stdMeanUnbiased(input: T, unbiased: boolean): Pair { return [input.std(unbiased), input.mean()]; }
export function stdMeanCorrection(input: T, dim: D, correction: number | null, keepdim: boolean): Pair {
  return [input.std(dim, { correction: correction ?? 1, keepdim }), input.mean(dim, keepdim)];
}
export function varMeanDim(input: T, dim: D, unbiased: boolean, keepdim: boolean): Pair { return [input.var(dim, unbiased, keepdim), input.mean(dim, keepdim)]; }
export function varMeanUnbiased(input: T, unbiased: boolean): Pair { return [input.var(unbiased), input.mean()]; }
export function varMeanCorrection(input: T, dim: D, correction: number | null, keepdim: boolean): Pair {
  return [input.var(dim, { correction: correction ?? 1, keepdim }), input.mean(dim, keepdim)];
}

/** logcumsumexp(x, dim): log(cumsum(exp(x))) without overflow: a prefix scan of logaddexp along dim (Hillis-Steele:
 *  ceil(log2 n) whole-tensor steps, each element combined with the one k before it, k = 1, 2, 4, ...; every step is
 *  differentiable, so the gradient is exact) */
export function logcumsumexp(input: T, dim: number): T {
  tensorArg(input, 'logcumsumexp', 'input');
  if (!isFloating(input.dtype)) throw new TorchError(`"logcumsumexp_out_${input.device.type}" not implemented for '${E.typeName(input.dtype)}'`);
  if (input.ndim === 0) return E.clone(input);
  const d = normDim(dim, input.ndim, 'logcumsumexp');
  const n = input.shape[d];
  let r = E.clone(input);
  for (let k = 1; k < n; k *= 2) {
    const tail = logaddexpWith(r.narrow(d, k, n - k), r.narrow(d, 0, n - k), 'logcumsumexp', false);
    r = Sh.cat([r.narrow(d, 0, k), tail], d);
  }
  return r;
}
function normDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) throw new TorchError(`${op}(): Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}
const torchStack = (ts: T[], dim: number): T => Sh.stack(ts, dim);

// quantile / nanquantile: the input sorted along dim (flattened when dim is None), each q's rank q (n - 1) among the n
// values (nanquantile: the non-NaN ones) and the values at floor/ceil of it interpolated as `interpolation` says
type Interp = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
function quantileCore(op: string, input: T, q: T | number, dim: number | null, keepdim: boolean, interpolation: Interp, ignoreNan: boolean): T {
  tensorArg(input, op, 'input');
  if (!['linear', 'lower', 'higher', 'midpoint', 'nearest'].includes(interpolation)) {
    throw new TorchError(`${op}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${interpolation}`);
  }
  if (input.numel() === 0) throw new TorchError(`${op}() input tensor must be non-empty`);
  if (input.dtype !== 'float32' && input.dtype !== 'float64') throw new TorchError(`${op}() input tensor must be either float or double dtype`);
  let qs: number[];
  let qTensor = false;
  if (q instanceof Tensor) {
    if (q.ndim > 1) throw new TorchError(`${op}() q must be a scalar or 1D tensor`);
    if (q.dtype !== input.dtype) throw new TorchError(`${op}() q tensor must be same dtype as the input tensor`);
    qTensor = q.ndim === 1;
    qs = q.ndim === 0 ? [q.item() as number] : (q.tolist() as number[]);
  } else {
    if (typeof q !== 'number') throw new TypeError(`${op}(): argument 'q' must be float or Tensor, not ${describeValue(q)}`);
    qs = [q];
  }
  for (const v of qs) {
    if (!(v >= 0 && v <= 1)) throw new TorchError(q instanceof Tensor ? `${op}() q values must be in the range [0, 1]` : `${op}() q must be in the range [0, 1] but got ${v}`);
  }
  const d = dim === null ? 0 : normDim(dim, input.ndim, op);
  const x = dim === null ? input.flatten() : input.ndim === 0 ? input.reshape([1]) : input;
  const sorted = x.sort(d).values.movedim(d, -1);  // NaNs last
  const n = sorted.shape[sorted.ndim - 1];
  const nanMask = noGrad(() => E.unaryOp(E.UNARY_DEFS.isnan, sorted.detach()));
  // the count of values ranked: n, or the non-NaN ones; a row with a NaN (quantile) or with none left (nanquantile): NaN
  const count = ignoreNan ? noGrad(() => E.toDtype(E.unaryOp(E.UNARY_DEFS.logical_not, nanMask), 'float64').sum(-1, true)) : null;
  const nanRow = noGrad(() => (ignoreNan ? E.eq(count as T, 0) : nanMask.any(-1, true)));
  const results = qs.map((qv) => {
    const last = count === null ? C.full([...sorted.shape.slice(0, -1), 1], n - 1, { dtype: 'float64', device: input.device }) : E.clamp(E.sub(count, 1, { alpha: 1 }), 0, null);
    const rank = noGrad(() => E.mulScalar(last, qv));
    const lo = noGrad(() => E.toDtype(E.unaryOp(E.UNARY_DEFS.floor, rank), 'int64'));
    const hi = noGrad(() => E.toDtype(E.unaryOp(E.UNARY_DEFS.ceil, rank), 'int64'));
    const at = (idx: T): T => sorted.gather(-1, idx);
    let v: T;
    if (interpolation === 'lower') v = at(lo);
    else if (interpolation === 'higher') v = at(hi);
    else if (interpolation === 'nearest') v = at(noGrad(() => E.toDtype(E.unaryOp(E.UNARY_DEFS.round, rank), 'int64')));
    else if (interpolation === 'midpoint') v = E.lerp(at(lo), at(hi), 0.5);
    else v = E.lerp(at(lo), at(hi), noGrad(() => E.toDtype(E.sub(rank, E.toDtype(lo, 'float64'), { alpha: 1 }), input.dtype)));
    v = E.where(nanRow, NaN, v);
    // keepdim: dim (or every dim when dim is None) kept as 1
    let r = v.squeeze(-1);
    if (keepdim) r = dim === null ? r.reshape(input.shape.map(() => 1)) : input.ndim === 0 ? r : r.unsqueeze(d);
    else if (dim === null || input.ndim === 0) r = r.reshape([]);
    return r;
  });
  return qTensor ? torchStack(results, 0) : results[0];
}
export function quantile(input: T, q: T | number, dim: number | null, keepdim: boolean, interpolation: Interp): T {
  return quantileCore('quantile', input, q, dim, keepdim, interpolation, false);
}
export function nanquantile(input: T, q: T | number, dim: number | null, keepdim: boolean, interpolation: Interp): T {
  return quantileCore('nanquantile', input, q, dim, keepdim, interpolation, true);
}

/** cov(input, correction, fweights, aweights): the covariance of the rows (variables) over the columns (observations) */
export function cov(input: T, correction: number, fweights: T | null, aweights: T | null): T {
  tensorArg(input, 'cov', 'input');
  if (input.ndim > 2) throw new TorchError(`cov(): expected input to have two or fewer dimensions but got an input with ${input.ndim} dimensions`);
  const x0 = input.ndim < 2 ? input.reshape([1, -1]) : input;
  const x = asFloat(x0);
  const nObs = x.shape[1];
  let w: T | null = null;
  if (fweights !== null) {
    tensorArg(fweights, 'cov', 'fweights');
    if (fweights.ndim > 1) throw new TorchError(`cov(): expected fweights to have one or fewer dimensions but got fweights with ${fweights.ndim} dimensions`);
    if (isFloating(fweights.dtype) || fweights.dtype === 'bool') throw new TorchError(`cov(): expected fweights to have integral dtype but got fweights with ${E.typeName(fweights.dtype)} dtype`);
    if (fweights.numel() !== nObs) throw new TorchError(`cov(): expected fweights to have the same numel as there are observations in the input but got ${fweights.numel()} != ${nObs}`);
    if (fweights.numel() && (fweights.min().item() as number) < 0) throw new TorchError('cov(): fweights cannot be negative');
    w = fweights;
  }
  if (aweights !== null) {
    tensorArg(aweights, 'cov', 'aweights');
    if (aweights.ndim > 1) throw new TorchError(`cov(): expected aweights to have one or fewer dimensions but got aweights with ${aweights.ndim} dimensions`);
    if (!isFloating(aweights.dtype)) throw new TorchError(`cov(): expected aweights to have floating point dtype but got aweights with ${E.typeName(aweights.dtype)} dtype`);
    if (aweights.numel() !== nObs) throw new TorchError(`cov(): expected aweights to have the same numel as there are observations in the input but got ${aweights.numel()} != ${nObs}`);
    if (aweights.numel() && (aweights.min().item() as number) < 0) throw new TorchError('cov(): aweights cannot be negative');
    w = w === null ? aweights : E.mul(w, aweights);
  }
  let avg: T, wSum: T | null = null;
  if (w === null) avg = x.mean(1);
  else {
    wSum = w.sum();
    avg = E.div(E.mul(x, w).sum(1), wSum);
  }
  let normFactor: T | number;
  if (w === null) normFactor = nObs - correction;
  else if (correction === 0) normFactor = wSum as T;
  else if (aweights === null) normFactor = E.sub(wSum as T, correction, { alpha: 1 });
  else normFactor = E.sub(wSum as T, E.div(E.mul(w, aweights).sum(), wSum as T).mul(correction), { alpha: 1 });
  const nf = typeof normFactor === 'number' ? normFactor : (normFactor.item() as number);
  if (nf <= 0) {
    process.emitWarning('cov(): degrees of freedom is <= 0');
    normFactor = typeof normFactor === 'number' ? 0 : E.mulScalar(normFactor, 0);
  }
  const xm = E.sub(x, avg.unsqueeze(1), { alpha: 1 });
  const c = E.div((w === null ? xm : E.mul(xm, w)).mm(xm.t()), normFactor);
  return c.squeeze();
}
/** corrcoef(input): cov scaled by the standard deviations, clipped to [-1, 1] */
export function corrcoef(input: T): T {
  tensorArg(input, 'corrcoef', 'input');
  if (input.ndim > 2) throw new TorchError(`corrcoef(): expected input to have two or fewer dimensions but got an input with ${input.ndim} dimensions`);
  const c = cov(input, 1, null, null);
  if (c.ndim === 0) return E.div(c, c);
  const sd = E.sqrt(c.diagonal());
  const r = E.div(E.div(c, sd.unsqueeze(1)), sd.unsqueeze(0));
  return E.clamp(r, -1, 1);
}
/** cdist(x1, x2, p): the p-norm distance between each row of x1 and each row of x2 ([B,] P, M and [B,] R, M -> [B,] P, R) */
export function cdist(x1: T, x2: T, p: number, computeMode: string | null): T {
  tensorArg(x1, 'cdist', 'x1');
  tensorArg(x2, 'cdist', 'x2');
  if (computeMode !== null && !['use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist'].includes(computeMode)) {
    throw new TorchError(`${computeMode} is not a valid value for compute_mode`);
  }
  if (x1.ndim < 2) throw new TorchError(`cdist only supports at least 2D tensors, X1 got: ${x1.ndim}D`);
  if (x2.ndim < 2) throw new TorchError(`cdist only supports at least 2D tensors, X2 got: ${x2.ndim}D`);
  if (x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1]) {
    throw new TorchError(`X1 and X2 must have the same number of columns. X1: ${x1.shape[x1.ndim - 1]} X2: ${x2.shape[x2.ndim - 1]}`);
  }
  if (!isFloating(x1.dtype)) throw new TorchError(`cdist only supports floating-point dtypes, X1 got: ${E.typeName(x1.dtype)}`);
  if (!isFloating(x2.dtype)) throw new TorchError(`cdist only supports floating-point dtypes, X2 got: ${E.typeName(x2.dtype)}`);
  if (!(p >= 0)) throw new TorchError('cdist only supports non-negative p values');
  const P = x1.shape[x1.ndim - 2], R = x2.shape[x2.ndim - 2];
  if (p === 2 && (computeMode === 'use_mm_for_euclid_dist' || ((computeMode ?? 'use_mm_for_euclid_dist_if_necessary') === 'use_mm_for_euclid_dist_if_necessary' && (P > 25 || R > 25)))) {
    // PyTorch's _euclidean_dist: [-2 x1, |x1|^2, 1] @ [x2, 1, |x2|^2]^T = |x1 - x2|^2 by one matrix product, clamped
    // at 1e-30 before the square root
    const n1 = E.mul(x1, x1).sum(-1, true), n2 = E.mul(x2, x2).sum(-1, true);
    const a = Sh.cat([E.mulScalar(x1, -2), n1, C.onesLike(n1)], -1);
    const b = Sh.cat([x2, C.onesLike(n2), n2], -1);
    return E.sqrt(E.clamp(a.matmul(b.transpose(-1, -2)), 1e-30, null));
  }
  const diff = E.sub(x1.unsqueeze(-2), x2.unsqueeze(-3), { alpha: 1 });
  return diff.norm(p, -1);
}
/** dist(input, other, p) = norm(input - other, p) */
export function dist(input: T, other: T, p: number): T {
  tensorArg(input, 'dist', 'input');
  tensorArg(other, 'dist', 'other');
  return E.sub(input, other, { alpha: 1 }).norm(p);
}
/** renorm(input, p, dim, maxnorm): each slice along dim whose p-norm exceeds maxnorm scaled to norm maxnorm */
export function renorm(input: T, p: number, dim: number, maxnorm: number): T {
  tensorArg(input, 'renorm', 'input');
  if (!(p > 0)) throw new TorchError(`renorm: non-positive-norm not supported`);
  if (!(maxnorm >= 0)) throw new TorchError(`renorm: expected maxnorm to be >= 0 but got ${maxnorm}`);
  if (!isFloating(input.dtype)) throw new TorchError(`"renorm_out" not implemented for '${E.typeName(input.dtype)}'`);
  const d = normDim(dim, input.ndim, 'renorm');
  const others = input.shape.map((_, i) => i).filter((i) => i !== d);
  const norms = others.length ? input.norm(p, others, true) : input.abs();
  const factor = E.where(E.gt(norms, maxnorm), E.div(maxnorm, E.add(norms, 1e-7, { alpha: 1 })), 1);
  return E.mul(input, factor);
}
