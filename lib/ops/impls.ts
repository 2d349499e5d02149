// impls.ts - the implementations behind the schema's rows (lib/ops/ops.schema): each takes the row's parameters in
// the row's order, parsed and with the defaults filled in (lib/ops/args.ts), and returns the result. Argument
// structure is never handled here; value checks (PyTorch's messages) and the kernels live in the family files.
// A name ending in `_` is a row's `inplace!` variant: it writes self's storage itself, through the in-place protocol
// (lib/autograd/inplace.ts) as its family's helpers do.
import { Tensor } from '../tensor';
import * as E from './elementwise';
import * as R from './reduce';
import * as O from './order';
import * as M from './matmul';
import { TorchError } from '../errors';
import { isFloating, resultType, describeValue } from '../dtype';
import type { DTypeName } from '../dtype';
import { toDevice } from '../device';
import type { Device, DeviceName } from '../device';
import { record, needsGrad } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import { inplaceResult } from '../autograd/inplace';
import * as Sh from './shape';
import { checkTensor } from './util';
import * as C from './creation';
import * as X from './indexing';
import { cloneAs, contiguousAs } from '../memory_format_api';
import { toMemoryFormat, MemoryFormat } from '../memory_format';
import * as More from './more';

type T = Tensor;
type S = Tensor | number | boolean;
// (with opsA's kernels and aliases: arccos is acos's kernel and node, fix trunc's, ...; lib/ops/more.ts)
const U = { ...E.UNARY_DEFS, ...More.UNARY_ALIASES }, B = { ...E.BINARY_DEFS, ...More.BINARY_ALIASES };

// ---- elementwise unary: one kernel each (native/kernels/unary.def) ----
export function unary(op: string, input: T): T { return E.unaryOp(U[op], input); }
export function unary_(op: string, self: T): T { return E.unaryInplace(self, U[op]); }
export function logicalNot(input: T): T { return E.unaryOp(U.logical_not, input); }
export function logicalNot_(self: T): T { return E.copy_(self, E.unaryOp(U.logical_not, self)); }
export function bitwiseNot(input: T): T {
  input._check();
  if (isFloating(input.dtype)) throw new TorchError(`"bitwise_not_cpu" not implemented for '${E.typeName(input.dtype)}'`);
  return input.dtype === 'bool' ? E.unaryOp(U.logical_not, input) : E.unaryOp(U.bitwise_not, input);
}
export function bitwiseNot_(self: T): T { return E.copy_(self, bitwiseNot(self)); }

// round(decimals=): PyTorch's round_decimals kernel, nearbyint(x * 10^d) / 10^d (d < 0: nearbyint(x / 10^-d) * 10^-d),
// halves rounding to even after the scaling as PyTorch's do. On the CPU each step is in the tensor's dtype (PyTorch's
// CPU kernel works in scalar_t: a bfloat16 product is rounded to bfloat16 before nearbyint); the CUDA kernel works in
// the math type (float32 for bfloat16/float16). A zero gradient (RoundBackward1). Integer tensors (and float16 on the
// CPU) refuse it, as PyTorch.
export function round(input: T, decimals: number): T {
  if (decimals === 0) return E.unaryOp(U.round, input);
  input._check();
  if (!Number.isInteger(decimals)) throw new TypeError(`round(): argument 'decimals' must be int, not ${decimals}`);
  if (!isFloating(input.dtype) || (input.dtype === 'float16' && input.device.type === 'cpu')) {
    throw new TorchError(`"round_${input.device.type}" not implemented for '${E.typeName(input.dtype)}'`);
  }
  const r = noGrad(() => {
    const low = (input.dtype === 'float16' || input.dtype === 'bfloat16') && input.device.type === 'cuda';
    const x = low ? E.toDtype(input, 'float32') : input;
    const p = 10 ** Math.abs(decimals);
    const y = decimals > 0 ? E.div(E.unaryOp(U.round, E.mulScalar(x, p)), p) : E.mulScalar(E.unaryOp(U.round, E.div(x, p)), p);
    return low ? E.toDtype(y, input.dtype) : y;
  });
  return record('RoundBackward1', [input], r, (g) => [E.mulScalar(g, 0)]);
}
export function round_(self: T, decimals: number): T {
  if (decimals === 0) return E.unaryInplace(self, U.round);
  return inplaceResult(self, 'round_', (src) => round(src, decimals));
}

// ---- elementwise binary ----
const BINARY: Record<string, (a: T, b: S) => T> = {
  mul: E.mul, pow: E.pow, remainder: E.remainder, fmod: E.fmod, floor_divide: E.floorDivide, maximum: E.maximum,
  minimum: E.minimum, fmax: E.fmax, fmin: E.fmin, eq: E.eq, ne: E.ne, lt: E.lt, le: E.le, gt: E.gt, ge: E.ge,
  logical_and: E.logicalAnd, logical_or: E.logicalOr,
};
// the ops with a Scalar-self form in PyTorch (scalar_self in ops.schema); the others refuse a number as their input
const SCALAR_SELF = new Set(['mul', 'pow', 'remainder', 'floor_divide', 'xlogy', 'bitwise_and', 'bitwise_or', 'bitwise_xor']);
export function binary(op: string, input: S, other: S): T {
  if (!(input instanceof Tensor)) {
    if (!SCALAR_SELF.has(op)) throw new TypeError(`${op}() received an invalid combination of arguments - got (${describeValue(input)}, ${describeValue(other)}): its input must be a Tensor`);
    return scalarSelf(op, input, other);
  }
  const f = BINARY[op];
  return f ? f(input, other) : E.binaryOp(B[op], input, other);
}
// PyTorch's Scalar-self overloads (a number as the input, scalar_self in ops.schema): their own gradient nodes
// (pow.Scalar: PowBackward2, xlogy.Scalar_Self: XlogyBackward1; remainder.Scalar_Tensor has no derivative: its node
// refuses to run, as PyTorch's NotImplemented node)
function scalarSelf(op: string, input: S, other: S): T {
  const both = !(other instanceof Tensor);
  const a = both ? numberTensor(input) : input;  // (scalar_self=any: torch.mul(2, 3) is tensor(6))
  if (op === 'pow') return E.pow(a, other);
  if (op === 'xlogy') return E.binaryOp({ ...B.xlogy, grad: 'XlogyBackward1' }, a, other);
  if (op === 'remainder' && needsGrad([other as T])) {
    const r = E.remainder(a, (other as T).detach());
    return record('NotImplemented', [other as T], r, () => { throw new TorchError('derivative for aten::remainder is not implemented'); });
  }
  const f = BINARY[op];
  return f ? f(a as T, other) : E.binaryOp(B[op], a, other);
}
/** a number as a 0-d tensor of its default dtype (int64, the default float dtype, bool), as PyTorch wraps one */
function numberTensor(x: S): S {
  if (x instanceof Tensor || (typeof x !== 'number' && typeof x !== 'boolean')) return x;
  return E.scalarTensor(x, resultType([], [], [x]), toDevice('cpu'));
}
// the kernels of the in-place forms (floor_divide_ runs the div_floor kernel)
export function binary_(op: string, self: T, other: S): T { return E.binaryInplace(self, B[op], other); }

export function add(input: S, other: S, alpha: number): T { return E.add(numbersAsTensor(input, other), other, { alpha }); }
/** scalar_self=any: two numbers make the first a 0-d tensor */
function numbersAsTensor(input: S, other: S): S { return input instanceof Tensor || other instanceof Tensor ? input : numberTensor(input); }
export function add_(self: T, other: S, alpha: number): T { return E.binaryInplace(self, B.add, other, [alpha]); }
export function sub(input: S, other: S, alpha: number): T { return E.sub(numbersAsTensor(input, other), other, { alpha }); }
export function sub_(self: T, other: S, alpha: number): T { return E.binaryInplace(self, B.sub, other, [alpha]); }
export function div(input: S, other: S, roundingMode: 'trunc' | 'floor' | null): T { return E.div(numbersAsTensor(input, other), other, { roundingMode }); }
export function div_(self: T, other: S, roundingMode: 'trunc' | 'floor' | null): T {
  if (roundingMode !== null && roundingMode !== 'trunc' && roundingMode !== 'floor') E.div(self, other, { roundingMode });  // PyTorch's message
  return E.binaryInplace(self, B[roundingMode === 'trunc' ? 'div_trunc' : roundingMode === 'floor' ? 'div_floor' : 'div'], other);
}

export function clamp(input: T, min: S | null, max: S | null): T { return E.clamp(input, min, max); }
export function clamp_(self: T, min: S | null, max: S | null): T { return E.clampInplace(self, min, max); }
export function clampMin(input: T, min: S): T { return E.clamp(input, min, null, 'Min'); }
export function clampMax(input: T, max: S): T { return E.clamp(input, null, max, 'Max'); }
export function lerp(input: T, end: T, weight: S): T { return E.lerp(input, end, weight); }

/** torch.where(condition) alone: torch.nonzero(condition, as_tuple=True) */
export function whereCondition(condition: T): T[] {
  if (!(condition instanceof Tensor)) throw new TypeError(`where(): argument 'condition' must be Tensor, not ${describeValue(condition)}`);
  return X.nonzeroTuple(condition);
}

// ---- max/min: three overloads each (rows of one name), one implementation (reduce.ts's maxMin) ----
export function max(input: T): T { return R.max(input); }
export function maxDim(input: T, dim: number, keepdim: boolean): R.ValuesIndices { return R.max(input, dim, keepdim); }
export function maxOther(input: T, other: T): T { return R.max(input, other); }
export function min(input: T): T { return R.min(input); }
export function minDim(input: T, dim: number, keepdim: boolean): R.ValuesIndices { return R.min(input, dim, keepdim); }
export function minOther(input: T, other: T): T { return R.min(input, other); }
// std/var: reduce.ts's varCore, called positionally (correction through its options)
type D = number | number[] | null;
export function stdDim(input: T, dim: D, unbiased: boolean, keepdim: boolean): T { return R.std(input, dim, unbiased, keepdim); }
export function stdUnbiased(input: T, unbiased: boolean): T { return R.std(input, unbiased); }
export function stdCorrection(input: T, dim: D, correction: number | null, keepdim: boolean): T {
  return R.std(input, dim, correction === null ? { keepdim } : { correction, keepdim });
}
export function varDim(input: T, dim: D, unbiased: boolean, keepdim: boolean): T { return R.var_(input, dim, unbiased, keepdim); }
export function varUnbiased(input: T, unbiased: boolean): T { return R.var_(input, unbiased); }
export function varCorrection(input: T, dim: D, correction: number | null, keepdim: boolean): T {
  return R.var_(input, dim, correction === null ? { keepdim } : { correction, keepdim });
}
// sorting and order statistics: reduce.ts's and order.ts's implementations, called positionally
export function sortRow(input: T, dim: number, descending: boolean, stable: boolean | null): R.ValuesIndices {
  return stable === null ? R.sort(input, dim, descending) : R.sort(input, { stable, dim, descending });  // (stable=: SortBackward1)
}
export function argsortRow(input: T, dim: number, descending: boolean, stable: boolean): T { return R.argsort(input, { stable, dim, descending }); }
export function msortRow(input: T): T { return R.msort(input); }
export function topkRow(input: T, k: number, dim: number, largest: boolean, sorted: boolean): R.ValuesIndices { return R.topk(input, k, dim, largest, sorted); }
export function kthvalueRow(input: T, k: number, dim: number, keepdim: boolean): R.ValuesIndices { return O.kthvalue(input, k, dim, keepdim); }
export function modeRow(input: T, dim: number, keepdim: boolean): R.ValuesIndices { return O.mode(input, dim, keepdim); }
export function medianAll(input: T): T { return O.median(input) as T; }
export function medianDim(input: T, dim: number, keepdim: boolean): R.ValuesIndices { return O.median(input, dim, keepdim) as R.ValuesIndices; }
export function nanmedianAll(input: T): T { return O.nanmedian(input) as T; }
export function nanmedianDim(input: T, dim: number, keepdim: boolean): R.ValuesIndices { return O.nanmedian(input, dim, keepdim) as R.ValuesIndices; }
export function cummaxRow(input: T, dim: number): R.ValuesIndices { return O.cummax(input, dim); }
export function cumminRow(input: T, dim: number): R.ValuesIndices { return O.cummin(input, dim); }
export function nanToNumRow(input: T, nan: number | null, posinf: number | null, neginf: number | null): T { return E.nanToNum(input, nan, posinf, neginf); }
// where: the method's self is the second parameter (x.where(condition, other)): the row's self=input
export function where(condition: T, input: S, other: S): T { return E.where(condition, input, other); }

// ---- reductions: lib/ops/reduce.ts's functions take the rows' parameters as they are ----
export { norm } from './reduce';
export { sum, nansum, mean, prod, amax, amin, argmax, argmin, all, any, countNonzero, logsumexp, cumsum, cumprod, softmax, logSoftmax } from './reduce';
export { nanmean } from './order';

// ---- shape and views: lib/ops/shape.ts's functions take the rows' parameters as they are ----
export { flatten, unflatten, squeeze, unsqueeze, transpose, t, adjoint, movedim, narrow, slice, select, diagonal, expandAs, broadcastTo,
  cat, stack, hstack, vstack, split, chunk, tensorSplit, unbind, flip, fliplr, flipud, roll, tril, triu } from './shape';
export { transpose as swapaxes, transpose as swapdims, movedim as moveaxis, cat as concat, cat as concatenate } from './shape';

// the varargs shapes (ops.schema's `int...` after the input, the parser's folded list); view_as/reshape_as take
// other's shape (a non-tensor other: a TorchError naming the op)
type Ints = number | readonly number[];
const ints = (s: Ints): number | number[] => (typeof s === 'number' ? s : s.slice());
export function reshapeRow(input: T, shape: Ints): T { return Sh.reshape(input, ints(shape)); }
export function permuteRow(input: T, dims: Ints): T { return Sh.permute(input, ints(dims)); }
export function expandRow(input: T, size: Ints, implicit: boolean): T { void implicit; return Sh.expand(input, ints(size)); }
export function repeatRow(input: T, repeats: Ints): T { return Sh.repeat(input, ints(repeats)); }
export function tileRow(input: T, dims: Ints): T { return Sh.tile(input, ints(dims)); }
export function viewRow(input: T, size: Ints): T { return Sh.view(input, ints(size)); }
export function viewDtype(input: T, dtype: DTypeName): T { return Sh.view(input, dtype); }
export function viewAs(input: T, other: T): T { return Sh.view(input, checkTensor(other, 'view_as', 'other').shape.slice()); }
export function reshapeAs(input: T, other: T): T { return Sh.reshape(input, checkTensor(other, 'reshape_as', 'other').shape.slice()); }

// index_put(_): indexing.ts's indexPut(_) take accumulate in an options object
export function indexPut(input: T, indices: X.IndexSpec[] | X.IndexSpec, values: T | number | boolean, accumulate: boolean): T { return X.indexPut(input, indices, values, { accumulate }); }
export function indexPut_(input: T, indices: X.IndexSpec[] | X.IndexSpec, values: T | number | boolean, accumulate: boolean): T { return X.indexPut_(input, indices, values, { accumulate }); }

// ---- indexing: lib/ops/indexing.ts's functions take the rows' parameters as they are ----
export { gather, scatter, scatter_, indexAdd, indexAdd_, put, put_, scatterAdd, scatterAdd_, indexSelect, indexCopy, indexCopy_, indexFill,
  indexFill_, maskedFill, maskedFill_, maskedSelect, take } from './indexing';

// ---- matrix products: lib/ops/matmul.ts's functions; addmm/addmv/baddbmm take beta/alpha (keyword-only in the rows)
// through their options object, whose checks (a number; an integer for integer operands) are PyTorch's messages ----
export { mm, bmm, matmul, dot, mv, outer } from './matmul';
export function addmmRow(input: T, mat1: T, mat2: T, beta: number, alpha: number): T { return M.addmm(input, mat1, mat2, { beta, alpha }); }
export function addmvRow(input: T, mat: T, vec: T, beta: number, alpha: number): T { return M.addmv(input, mat, vec, { beta, alpha }); }
export function baddbmmRow(input: T, batch1: T, batch2: T, beta: number, alpha: number): T { return M.baddbmm(input, batch1, batch2, { beta, alpha }); }

// ---- small Tensor ops: elementwise.ts's and indexing.ts's functions take the rows' parameters as they are ----
export { sgn, signbit, isposinf, isneginf, frac, equal, isclose, allclose } from './elementwise';
export { argwhere } from './indexing';
export function asStridedRow(input: T, size: number[], stride: number[], storageOffset: number | null): T {
  return Sh.asStrided(input, size, stride, storageOffset ?? undefined);
}
/** torch.as_strided_scatter(input, src, size, stride, storageOffset): input with src written into the strided view */
export function asStridedScatterRow(input: T, src: T, size: number[], stride: number[], storageOffset: number | null): T {
  if (!(input instanceof Tensor)) throw new TypeError(`as_strided_scatter(): argument 'input' must be Tensor, not ${input === null ? 'null' : typeof input}`);
  if (!(src instanceof Tensor)) throw new TypeError(`as_strided_scatter(): argument 'src' must be Tensor, not ${src === null ? 'null' : typeof src}`);
  const out = E.clone(input);
  const view = Sh.asStrided(out, size, stride, storageOffset ?? undefined);
  if (view.shape.length !== src.shape.length || view.shape.some((s, i) => s !== src.shape[i])) {
    throw new TorchError(`expected src to have a size equal to the slice of self. src size = [${src.shape.join(', ')}], slice size = [${view.shape.join(', ')}]`);
  }
  E.copy_(view, src);
  return out;
}
export function aminmaxRow(input: T, dim: number | null, keepdim: boolean): O.MinMax { return O.aminmax(input, dim === null ? { keepdim } : { dim, keepdim }); }
export function detach(input: T): T {
  input._check();
  return new Tensor(input._st, input.shape.slice(), input._strides.slice(), input._offset, input.dtype);
}
export function cloneRow(input: T, memoryFormat: MemoryFormat | null): T {
  if (!(input instanceof Tensor)) throw new TypeError(`clone(): argument 'input' must be Tensor, not ${describeValue(input)}`);
  input._check();
  return memoryFormat === null ? E.clone(input) : cloneAs(input, toMemoryFormat(memoryFormat, 'clone'));
}
export function copyRow(self: T, src: T, nonBlocking: boolean): T { void nonBlocking; return E.copy_(self, src); }
export function fillRow(self: T, value: S): T { return E.fillInplace(self, value); }
export function zeroRow(self: T): T { return E.fillInplace(self, 0); }
export function detachInplaceRow(self: T): T {
  self._check();
  if (self.gradFn === null && !self._rg) return self;
  self.gradFn = null;
  self._rg = false;
  return self;
}
export function contiguousRow(input: T, memoryFormat: MemoryFormat | null): T {
  input._check();
  return memoryFormat === null ? E.contiguous(input) : contiguousAs(input, toMemoryFormat(memoryFormat, 'contiguous'));
}
// bernoulli: uniform draws of the generator compared with the probabilities (each element 1 with its probability)
export function bernoulliRow(input: T, generator: C.Generator | null): T { return C.bernoulli(input, generator === null ? {} : { generator }); }
function drawBelow(input: T, p: T | number, generator: C.Generator | null): T {
  const u = C.rand(input.shape.slice(), generator === null ? { device: input.device } : { device: input.device, generator });
  return E.toDtype(E.lt(u, p), input.dtype);
}
export function bernoulliTensor(input: T, p: T, generator: C.Generator | null): T {
  input._check();
  p._check();
  return drawBelow(input, E.toDtype(p, 'float32'), generator);
}
export function bernoulliScalar(input: T, p: number, generator: C.Generator | null): T {
  input._check();
  if (typeof p !== 'number') throw new TypeError(`bernoulli(): argument 'p' must be float, not ${describeValue(p)}`);
  if (!(p >= 0 && p <= 1)) throw new TorchError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  return drawBelow(input, p, generator);
}
export function nonzeroRow(input: T, asTuple: false | null): T { void asTuple; return X.nonzero(input); }
export function nonzeroTuple(input: T, asTuple: true): T[] { void asTuple; return X.nonzeroTuple(input); }
export function numel(input: T): number {
  if (!(input instanceof Tensor)) throw new TypeError(`numel(): argument 'input' must be Tensor, not ${describeValue(input)}`);
  return input.numel();
}

// ---- creation and random: lib/ops/creation.ts's functions (kernels, messages), given the rows' keyword-only options
// as one options object of the non-null ones (creation.ts reads a left-out option as its default) ----
type DT = DTypeName | null;
type Dev = DeviceName | Device | null;
type Gen = C.Generator | null;
type MF = MemoryFormat | null;
type Size = number | readonly number[];
type Fill = Tensor | number | boolean;
function factory(dtype: DT, device: Dev, requiresGrad: boolean, more: { generator?: Gen; memoryFormat?: MF } = {}): C.RandOpts & { memoryFormat?: MemoryFormat } {
  const o: C.RandOpts & { memoryFormat?: MemoryFormat } = { requiresGrad };
  if (dtype !== null) o.dtype = dtype;
  if (device !== null) o.device = device;
  if (more.generator !== undefined && more.generator !== null) o.generator = more.generator;
  if (more.memoryFormat !== undefined && more.memoryFormat !== null) o.memoryFormat = more.memoryFormat;
  return o;
}
const sizeArg = (size: Size): readonly number[] => (typeof size === 'number' ? [size] : size);
const fillArg = (v: Fill): number | boolean => (v instanceof Tensor ? (v.item() as number | boolean) : v);
export function emptyRow(size: Size, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.empty(sizeArg(size), factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function zerosRow(size: Size, dtype: DT, device: Dev, requiresGrad: boolean): T { return C.zeros(sizeArg(size), factory(dtype, device, requiresGrad)); }
export function onesRow(size: Size, dtype: DT, device: Dev, requiresGrad: boolean): T { return C.ones(sizeArg(size), factory(dtype, device, requiresGrad)); }
export function randRow(size: Size, generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.rand(sizeArg(size), factory(dtype, device, requiresGrad, { generator }));
}
export function randnRow(size: Size, generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.randn(sizeArg(size), factory(dtype, device, requiresGrad, { generator }));
}
export function fullRow(size: readonly number[], fillValue: Fill, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.full(size, fillValue, factory(dtype, device, requiresGrad));
}
export function eyeRow(n: number, m: number | null, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.eye(n, m === null ? undefined : m, factory(dtype, device, requiresGrad));
}
export function arangeEnd(end: Tensor | number, dtype: DT, device: Dev, requiresGrad: boolean): T { return C.arange(end, factory(dtype, device, requiresGrad)); }
export function arangeRange(start: Tensor | number, end: Tensor | number, step: Tensor | number, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.arange(start, end, step, factory(dtype, device, requiresGrad));
}
export function linspaceRow(start: number, end: number, steps: number, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.linspace(start, end, steps, factory(dtype, device, requiresGrad));
}
export function logspaceRow(start: number, end: number, steps: number, base: number, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.logspace(start, end, steps, { ...factory(dtype, device, requiresGrad), base });
}
export function randintHigh(high: number, size: readonly number[], generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.randint(high, size, factory(dtype, device, requiresGrad, { generator }));
}
export function randintRange(low: number, high: number, size: readonly number[], generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.randint(low, high, size, factory(dtype, device, requiresGrad, { generator }));
}
export function randpermRow(n: number, generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.randperm(n, factory(dtype, device, requiresGrad, { generator }));
}
export function normalTensorFloat(mean: T, std: number, generator: Gen): T { return C.normalTensor(mean, std, generator); }
export function normalFloatTensor(mean: number, std: T, generator: Gen): T { return C.normalTensor(mean, std, generator); }
export function normalTensorTensor(mean: T, std: T, generator: Gen): T { return C.normalTensor(mean, std, generator); }
export function normalFloats(mean: number, std: number, size: readonly number[], generator: Gen, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.normal(mean, std, size, factory(dtype, device, requiresGrad, { generator }));
}
export function emptyLikeRow(input: T, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.emptyLike(input, factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function zerosLikeRow(input: T, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.zerosLike(input, factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function onesLikeRow(input: T, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.onesLike(input, factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function fullLikeRow(input: T, fillValue: Fill, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.fullLike(input, fillArg(fillValue), factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function randLikeRow(input: T, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.randLike(input, factory(dtype, device, requiresGrad, { memoryFormat }));
}
export function tensorRow(data: C.TensorData, dtype: DT, device: Dev, requiresGrad: boolean): T {
  return C.tensor(data, factory(dtype, device, requiresGrad));
}
/** as_tensor: a tensor already of the dtype and on the device asked for (or not asked) is returned itself, as PyTorch's */
export function asTensorRow(data: C.TensorData, dtype: DT, device: Dev): T {
  if (data instanceof Tensor && (dtype === null || data.dtype === dtype) && (device === null || data.device.equals(toDevice(device)))) return data;
  return C.tensor(data, factory(dtype, device, false));
}
export function frombufferRow(buffer: ArrayBufferView | ArrayBuffer, dtype: DT, count: number, offset: number, requiresGrad: boolean): T {
  return C.frombuffer(buffer, { ...(dtype !== null && { dtype }), count, offset, requiresGrad });
}
export function randnLikeRow(input: T, dtype: DT, device: Dev, requiresGrad: boolean, memoryFormat: MF): T {
  return C.randnLike(input, factory(dtype, device, requiresGrad, { memoryFormat }));
}

// ---- shape, indexing and linear-algebra-lite ops (ops.schema's last section): lib/ops/shape_more.ts's functions take
// the rows' parameters as they are ----
export { trilIndicesRow, triuIndicesRow, cross, inner, vdot, tensordot, rot90, diff, repeatInterleave, repeatInterleaveIndex, takeAlongDim,
  unfold, ravel, dstack, columnStack, rowStack, hsplit, vsplit, dsplit, splitWithSizes, unsafeChunk, unsafeSplit, sumToSizeRow, selectScatter,
  sliceScatter, diagonalScatter, narrowCopy, viewCopyRow, viewCopyDtype, permuteCopy, transposeCopy, tCopy, diagonalCopy, expandCopy, selectCopy, sliceCopy,
  squeezeCopy, unsqueezeCopy, unfoldCopy, aliasCopy, detachCopy, asStridedCopy, splitCopy, splitWithSizesCopy, unbindCopy } from './shape_more';
export { scatterReduce, scatterReduce_, indexReduce, indexReduce_, maskedScatter, maskedScatter_, fillDiagonalRow, multinomial, isin, histogram,
  vander } from './index_more';
export { hannWindow, hammingWindow, blackmanWindow, bartlettWindow, kaiserWindow, rangeRow, scalarTensorRow, emptyStridedRow, asarrayRow,
  randintLikeHigh, randintLikeRange } from './creation_more';
// ---- the shape sweep's ops (ops.schema's last section): lib/ops/shape.ts's and indexing.ts's functions take the rows'
// parameters as they are ----
export { diag, diagEmbed, diagflat, kron, combinations } from './shape';
export { trace } from '../linalg';  // (TraceBackward0, as PyTorch; the sweep's shape.ts trace is its plain-sum twin)
export { searchsorted, bucketize, histc, bincount } from './indexing';
// ---- opsA (ops.schema's last section): lib/ops/more.ts's functions take the rows' parameters as they are ----
export { newEmpty, newZeros, newOnes, newFull, newTensor, typeAs, isFloatingPoint, isComplex, isSigned, isNonzero, isSameSize,
  uniformInplace, normalInplace, randomAll, randomTo, randomFromTo, exponentialInplace, geometricInplace, cauchyInplace, logNormalInplace,
  bernoulliInplaceTensor, bernoulliInplaceFloat, hypot, copysign, nextafter, gcd, lcm, polygamma, mvlgamma, sinc, logit, exp2,
  logaddexp, logaddexp2, ldexp, heaviside, floatPower, floatPower_, frexp, deg2rad, rad2deg, positive, rsub, addcmul, addcdiv, addr,
  addbmm, stdMeanDim, stdMeanUnbiased, stdMeanCorrection, varMeanDim, varMeanUnbiased, varMeanCorrection, logcumsumexp, quantile,
  nanquantile, cov, corrcoef, cdist, dist, renorm } from './more';
// torch.det / logdet / inverse / pinverse / matrix_power / cholesky_solve (ops.schema's linalg section): lib/linalg.ts
export { det, logdet, inverse, pinverse, matrixPower, choleskySolve } from '../linalg';
