// impls.ts - the implementations behind the schema's rows (lib/ops/ops.schema): each takes the row's parameters in
// the row's order, parsed and with the defaults filled in (lib/ops/args.ts), and returns the result. Argument
// structure is never handled here; value checks (PyTorch's messages) and the kernels live in the family files.
// A name ending in `_` is a row's `inplace!` variant: it writes self's storage itself, through the in-place protocol
// (lib/autograd/inplace.ts) as its family's helpers do.
import { Tensor } from '../tensor';
import * as E from './elementwise';
import * as R from './reduce';
import * as O from './order';
import { TorchError } from '../errors';
import { isFloating } from '../dtype';
import type { DTypeName } from '../dtype';
import { toDevice } from '../device';
import type { Device, DeviceName } from '../device';
import type { MemoryFormat } from '../memory_format';
import * as C from './creation';

type T = Tensor;
type S = Tensor | number | boolean;
const U = E.UNARY_DEFS, B = E.BINARY_DEFS;

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

// ---- elementwise binary ----
const BINARY: Record<string, (a: T, b: S) => T> = {
  mul: E.mul, pow: E.pow, remainder: E.remainder, fmod: E.fmod, floor_divide: E.floorDivide, maximum: E.maximum,
  minimum: E.minimum, fmax: E.fmax, fmin: E.fmin, eq: E.eq, ne: E.ne, lt: E.lt, le: E.le, gt: E.gt, ge: E.ge,
  logical_and: E.logicalAnd, logical_or: E.logicalOr,
};
export function binary(op: string, input: T, other: S): T {
  const f = BINARY[op];
  return f ? f(input, other) : E.binaryOp(B[op], input, other);
}
// the kernels of the in-place forms (floor_divide_ runs the div_floor kernel)
export function binary_(op: string, self: T, other: S): T { return E.binaryInplace(self, B[op], other); }

export function add(input: T, other: S, alpha: number): T { return E.add(input, other, { alpha }); }
export function add_(self: T, other: S, alpha: number): T { return E.binaryInplace(self, B.add, other, [alpha]); }
export function sub(input: T, other: S, alpha: number): T { return E.sub(input, other, { alpha }); }
export function sub_(self: T, other: S, alpha: number): T { return E.binaryInplace(self, B.sub, other, [alpha]); }
export function div(input: T, other: S, roundingMode: 'trunc' | 'floor' | null): T { return E.div(input, other, { roundingMode }); }
export function div_(self: T, other: S, roundingMode: 'trunc' | 'floor' | null): T {
  if (roundingMode !== null && roundingMode !== 'trunc' && roundingMode !== 'floor') E.div(self, other, { roundingMode });  // PyTorch's message
  return E.binaryInplace(self, B[roundingMode === 'trunc' ? 'div_trunc' : roundingMode === 'floor' ? 'div_floor' : 'div'], other);
}

export function clamp(input: T, min: S | null, max: S | null): T { return E.clamp(input, min, max); }
export function clamp_(self: T, min: S | null, max: S | null): T { return E.clampInplace(self, min, max); }
export function clampMin(input: T, min: S): T { return E.clamp(input, min, null, 'Min'); }
export function clampMax(input: T, max: S): T { return E.clamp(input, null, max, 'Max'); }
export function lerp(input: T, end: T, weight: S): T { return E.lerp(input, end, weight); }

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
export { sum, nansum, mean, prod, amax, amin, argmax, argmin, all, any, countNonzero, logsumexp, cumsum, cumprod, softmax, logSoftmax } from './reduce';
export { nanmean } from './order';

// ---- shape and views: lib/ops/shape.ts's functions take the rows' parameters as they are ----
export { flatten, unflatten, squeeze, unsqueeze, transpose, t, adjoint, movedim, narrow, slice, select, diagonal, expandAs, broadcastTo,
  cat, stack, hstack, vstack, split, chunk, tensorSplit, unbind, flip, fliplr, flipud, roll, tril, triu } from './shape';
export { transpose as swapaxes, transpose as swapdims, movedim as moveaxis, cat as concat, cat as concatenate } from './shape';

// ---- indexing: lib/ops/indexing.ts's functions take the rows' parameters as they are ----
export { gather, scatter, scatter_, indexAdd, indexAdd_, put, put_, scatterAdd, scatterAdd_, indexSelect, indexCopy, indexCopy_, indexFill,
  indexFill_, maskedFill, maskedFill_, maskedSelect, take } from './indexing';

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
