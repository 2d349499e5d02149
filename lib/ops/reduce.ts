// reduce.ts - API.md's Reductions section: sum, mean, prod, std/var, max/min, amax/amin, argmax/argmin,
// logsumexp, norm, cumsum/cumprod, all/any, sort/argsort/topk, unique, softmax/logSoftmax (and nansum,
// countNonzero). Argument parsing, dtype rules and PyTorch's error messages are decided here; the work runs in the
// native kernels of native/cpu/reduce.cc, which always reduce over trailing dims, so each wrapper first permutes
// the reduced dims (or the scanned/sorted dim) to the end as a view. Each op's gradient formula sits beside it and
// is built from differentiable ops, so createGraph gives higher-order gradients; the fused native softmax
// backward is used only when no graph is being recorded.
import { Tensor, Operand, empty_, runKernel, rawView, viewOf, numelOf, normDim, computeContiguousStrides } from '../tensor';
import { DType, DTypeName, DTYPE_CODE, isFloating, toDType, describeValue, getDefaultDtype, computeDtype } from '../dtype';
import { OP, UNARY } from './ids';
import { TorchError, checkKeys, intFromNumbersHint } from '../errors';
import { record, needsGrad } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import * as E from './elementwise';
import * as Sh from './shape';
import { normDims, isOptions, checkTensor, posOpts } from './util';
import { arange, zeros, ones } from './creation';
import { scatter } from './indexing';
import { acState, autocastListed, autocastCall } from '../amp/autocast';
import { preserveStrides, restrideFresh } from '../memory_format';

type T = Tensor;
type Dim = number | number[];
export interface ReduceOptions { keepdim?: boolean; dtype?: DTypeName; dim?: Dim | null }
export interface VarOptions { keepdim?: boolean; correction?: number; unbiased?: boolean; dim?: Dim | null }
type ReduceArgs = [] | [ReduceOptions] | [Dim | null | undefined] | [Dim | null | undefined, ReduceOptions | boolean | undefined] | [Dim | null | undefined, boolean, ReduceOptions];

// op codes of the native reduce kernel (native/kernels/reduce.h ReduceCode)
const RC = { sum: 0, prod: 1, max: 2, min: 3, all: 4, any: 5, nansum: 6, mean: 7, sumabs: 8, sumsq: 9 } as const;

// ------------------------------------------------------------------------------------------------------------
// (values, indices) results: an object that is also iterable and indexable as [values, indices]
// ------------------------------------------------------------------------------------------------------------
// The named pair results (ValuesIndices here, MinMax of aminmax in order.ts): indexable, iterable, printed by name.
export abstract class TensorPair {
  readonly length = 2;
  protected abstract pair(): [string, T, string, T];
  get 0(): T { return this.pair()[1]; }
  get 1(): T { return this.pair()[3]; }
  *[Symbol.iterator](): Iterator<T> { const p = this.pair(); yield p[1]; yield p[3]; }
  toString(): string { const [a, x, b, y] = this.pair(); return `(${a}=${x.toString()},\n${b}=${y.toString()})`; }
}
export class ValuesIndices extends TensorPair {
  readonly values: T;
  readonly indices: T;
  constructor(values: T, indices: T) { super(); this.values = values; this.indices = indices; }
  protected pair(): [string, T, string, T] { return ['values', this.values, 'indices', this.indices]; }
}

// ------------------------------------------------------------------------------------------------------------
// argument handling
// ------------------------------------------------------------------------------------------------------------
const typeName = E.typeName;

// (dim?, keepdim?, opts?) in any of PyTorch's call forms; a plain object last is the options object
// (dim?, keepdim?, options?); `keys`: the options this op takes (an unknown one is a TypeError, as in Python)
function parseArgs<O extends { keepdim?: boolean; dim?: Dim | null }>(op: string, args: unknown[], keys: readonly string[] = ['dim', 'keepdim']): { dim: Dim | null | undefined; keepdim: boolean; opts: O } {
  let pos = args;
  let opts = {} as O;
  if (pos.length && isOptions(pos[pos.length - 1])) { opts = pos[pos.length - 1] as O; pos = pos.slice(0, -1); }
  checkKeys(op, opts, keys);
  if (pos.length > 2) throw new TypeError(`${op}() received too many positional arguments (${args.length})`);
  let dim = pos[0] as Dim | null | undefined;
  if (dim === undefined && opts.dim !== undefined) dim = opts.dim;
  if (dim !== undefined && dim !== null && typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TypeError(`${op}(): argument 'dim' must be int or tuple of ints, not ${describeValue(dim)}`);
  }
  let keepdim = opts.keepdim;
  if (pos.length > 1) {
    if (typeof pos[1] !== 'boolean') throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${describeValue(pos[1])}`);
    keepdim = pos[1];
  }
  if (keepdim !== undefined && typeof keepdim !== 'boolean') throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${describeValue(keepdim)}`);
  return { dim, keepdim: !!keepdim, opts };
}

// The schema's reductions (lib/ops/ops.schema) take their parameters parsed and type-checked (lib/ops/args.ts).

// reduced dims (sorted ascending); no dim (or an empty list) means every dim, as PyTorch's sum(dim=[])
function reducedDims(x: T, dim: Dim | null | undefined, op: string): { dims: number[]; all: boolean } {
  if (dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0)) return { dims: [...Array(x.ndim).keys()], all: true };
  const dims = normDims(dim, x.ndim, op).sort((a, b) => a - b);
  return { dims, all: false };
}

function checkDim(d: unknown, ndim: number, op: string): number {
  if (typeof d !== 'number' || !Number.isInteger(d)) throw new TypeError(`${op}(): argument 'dim' must be int, not ${describeValue(d)}`);
  return normDim(d, ndim, op);
}

function optDtype(o: { dtype?: DTypeName | null }, op: string): DType | null {
  if (o.dtype === undefined || o.dtype === null) return null;
  return toDType(o.dtype, op);
}

function noGradDo<R>(fn: () => R): R {
  const prev = gradState.enabled;
  gradState.enabled = false;
  try { return fn(); } finally { gradState.enabled = prev; }
}

// shape with size-1 dims at `dims` (the keepdim shape)
function keptShape(shape: readonly number[], dims: number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}
// a fresh contiguous result viewed with size-1 dims re-inserted (no copy, no autograd: it is not yet recorded)
function withKeepdim(out: T, fullShape: readonly number[], dims: number[], keepdim: boolean): T {
  if (!keepdim || dims.length === 0) return out;
  const ks = keptShape(fullShape, dims);
  return viewOf(out, ks, computeContiguousStrides(ks), out._offset);
}

// x viewed as [kept..., reduced...]: the native kernels reduce over trailing dims. Reduced dims are ordered by
// decreasing stride so the innermost reduced dim is the one that is contiguous in memory.
function permutedForReduce(x: T, dims: number[]): Operand {
  const red = dims.length > 1 ? dims.slice().sort((a, b) => Math.abs(x._strides[b]) - Math.abs(x._strides[a]) || a - b) : dims;
  const order: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (!dims.includes(d)) order.push(d);
  for (const d of red) order.push(d);
  let identity = true;
  for (let i = 0; i < order.length; i++) if (order[i] !== i) { identity = false; break; }
  if (identity) return x;
  return rawView(x, order.map((d) => x.shape[d]), order.map((d) => x._strides[d]), x._offset);
}

// x with `dim` moved last (a view), for the kernels that work along the last dim; a 0-d x is viewed as [1]
function dimLast(x: T, d: number): Operand {
  if (x.ndim === 0) return rawView(x, [1], [1], x._offset);
  if (d === x.ndim - 1) return x;
  const order = [...Array(x.ndim).keys()].filter((i) => i !== d);
  order.push(d);
  return rawView(x, order.map((i) => x.shape[i]), order.map((i) => x._strides[i]), x._offset);
}

// the native reduce kernel: out[kept] = op over dims of x (no autograd)
function reduceRaw(x: T, dims: number[], code: number, outDtype: DType, keepdim: boolean, op: string): T {
  const outShape: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (!dims.includes(d)) outShape.push(x.shape[d]);
  const out = empty_(outShape, outDtype, x.device);
  runKernel(OP.reduce, [out, permutedForReduce(x, dims)], [code, dims.length, DTYPE_CODE[computeDtype(x.dtype)]], op);
  return withKeepdim(out, x.shape, dims, keepdim);
}

// grad of a reduction: g (reduced shape) unsqueezed back at `dims` and expanded to `shape`
function restoreDims(g: T, dims: number[], ndim: number, keepdim: boolean): T {
  if (keepdim || ndim === 0) return g;
  let r = g;
  for (const d of dims) r = Sh.unsqueeze(r, d);
  return r;
}
function expandGrad(g: T, shape: number[], dims: number[], keepdim: boolean): T {
  return Sh.expand(restoreDims(g, dims, shape.length, keepdim), shape);
}

const intResult = (d: DType): DType => (isFloating(d) ? d : 'int64');

// ------------------------------------------------------------------------------------------------------------
// sum, nansum, mean, prod
// ------------------------------------------------------------------------------------------------------------
export function sum(x: T, dim: Dim | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('sum', arguments)) return autocastCall('sum', sum, arguments);
  checkTensor(x, 'sum');
  const dt = optDtype({ dtype }, 'sum');
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  const { dims } = reducedDims(src, dim, 'sum');
  const out = reduceRaw(src, dims, RC.sum, dt ?? intResult(src.dtype), keepdim, 'sum');
  if (!isFloating(out.dtype) || !needsGrad([src])) return out;
  const shape = src.shape.slice();
  // SumBackward0 for sum() / sum(dtype=), SumBackward1 when a dim is given (even an empty list, as PyTorch)
  const named = dim === undefined || dim === null ? 'SumBackward0' : 'SumBackward1';
  return record(named, [src], out, (g) => [expandGrad(g, shape, dims, keepdim)]);
}

export function nansum(x: T, dim: Dim | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  checkTensor(x, 'nansum');
  const dt = optDtype({ dtype }, 'nansum');
  if (dt && isFloating(x.dtype) && !isFloating(dt)) throw new TorchError(`"nansum_cpu" not implemented for '${typeName(dt)}'`);
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  const { dims } = reducedDims(src, dim, 'nansum');
  const out = reduceRaw(src, dims, isFloating(src.dtype) ? RC.nansum : RC.sum, dt ?? intResult(src.dtype), keepdim, 'nansum');
  if (!isFloating(out.dtype)) return out;
  const shape = src.shape.slice();
  return record('NansumBackward0', [src], out, (g) => [E.mul(expandGrad(g, shape, dims, keepdim), E.unaryOp(E.UNARY_DEFS.logical_not, E.unaryOp(E.UNARY_DEFS.isnan, src)))], [src]);
}

export function mean(x: T, dim: Dim | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  checkTensor(x, 'mean');
  const dt = optDtype({ dtype }, 'mean');
  if (!isFloating(dt ?? x.dtype)) {
    throw new TorchError(`mean(): could not infer output dtype. ${dt ? 'Optional' : 'Input'} dtype must be either a floating point or complex dtype. Got: ${typeName(dt ?? x.dtype)}${dt ? '' : intFromNumbersHint(x.dtype)}`);
  }
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  const { dims } = reducedDims(src, dim, 'mean');
  const out = reduceRaw(src, dims, RC.mean, src.dtype, keepdim, 'mean');
  const shape = src.shape.slice();
  const n = dims.reduce((a, d) => a * shape[d], 1);
  return record(dim === undefined || dim === null ? 'MeanBackward0' : 'MeanBackward1', [src], out, (g) => [E.div(expandGrad(g, shape, dims, keepdim), n)]);
}

export function prod(x: T, dim: number | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('prod', arguments)) return autocastCall('prod', prod, arguments);
  checkTensor(x, 'prod');
  if (Array.isArray(dim)) throw new TypeError("prod(): argument 'dim' must be int, not list");
  const dt = optDtype({ dtype }, 'prod');
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  const full = dim === undefined || dim === null;
  const dims = full ? [...Array(src.ndim).keys()] : [checkDim(dim, src.ndim, 'prod')].filter(() => src.ndim > 0);
  const out = reduceRaw(src, dims, RC.prod, dt ?? intResult(src.dtype), keepdim, 'prod');
  if (!isFloating(out.dtype)) return out;
  return record(full ? 'ProdBackward0' : 'ProdBackward1', [src], out, (g) => [prodBackward(g, src, out, dims, keepdim, full)], [src, out]);
}

// ProdBackward (FunctionsManual's prod_backward): g * p / x when the input has no zero; otherwise the product of
// the other elements as exclusive cumulative products from both ends (prod_safe_zeros_backward), which stays
// differentiable, so second-order gradients through zeros are right too.
function prodBackward(g: T, x: T, res: T, dims: number[], keepdim: boolean, full: boolean): T {
  if (x.ndim === 0) return g;
  const gk = restoreDims(g, dims, x.ndim, keepdim);
  const nz = noGradDo(() => sum(E.eq(x, 0))).item() as number;
  if (nz === 0) return E.mul(gk, E.div(restoreDims(res, dims, x.ndim, keepdim), x));
  // the product of everything: with two zeros or more every partial product is 0 (PyTorch returns zeros, whatever
  // NaN or inf the other elements hold)
  if (full && nz > 1) return zeros(x.shape.slice(), { dtype: x.dtype, device: x.device });
  if (dims.length === 1) return E.mul(gk, othersProduct(x, dims[0]));
  const flat = Sh.reshape(x, [-1]);
  return E.mul(gk, Sh.reshape(othersProduct(flat, 0), x.shape.slice()));
}
// prod_{j != i} x_j along d: exclusive cumprod from the left times exclusive cumprod from the right (the padding ones
// are constants, not x * 0 + 1, which is NaN at an infinite x)
const onesOf = (shape: number[], like: T): T => ones(shape, { dtype: like.dtype, device: like.device });
function othersProduct(x: T, d: number): T {
  const n = x.shape[d];
  const ones = onesOf(x.shape.map((s, i) => (i === d ? 1 : s)), x);
  if (n === 1) return onesOf(x.shape.slice(), x);
  const left = cumprod(Sh.cat([ones, Sh.narrow(x, d, 0, n - 1)], d), d);
  const right = Sh.flip(cumprod(Sh.cat([ones, Sh.flip(Sh.narrow(x, d, 1, n - 1), [d])], d), d), [d]);
  return E.mul(left, right);
}

// ------------------------------------------------------------------------------------------------------------
// var, std
// ------------------------------------------------------------------------------------------------------------
function parseVarArgs(op: string, args: unknown[]): { dim: Dim | null | undefined; keepdim: boolean; correction: number } {
  // PyTorch's positional forms: std(unbiased), std(dim, unbiased, keepdim); the rest in the options object
  let pos = args;
  let opts: VarOptions = {};
  if (pos.length && isOptions(pos[pos.length - 1])) { opts = pos[pos.length - 1] as VarOptions; pos = pos.slice(0, -1); }
  checkKeys(op, opts, ['dim', 'keepdim', 'correction', 'unbiased']);
  if (pos.length > 3 || (typeof pos[0] === 'boolean' && pos.length > 1)) throw new TypeError(`${op}() received an invalid combination of arguments`);
  let unbiasedPos: boolean | undefined;
  let dim: Dim | null | undefined;
  let keepdim = opts.keepdim;
  if (typeof pos[0] === 'boolean') unbiasedPos = pos[0];
  else {
    dim = pos[0] as Dim | null | undefined;
    if (pos.length > 1) {
      if (typeof pos[1] !== 'boolean') throw new TypeError(`${op}(): argument 'unbiased' must be bool, not ${describeValue(pos[1])}`);
      unbiasedPos = pos[1];
    }
    if (pos.length > 2) {
      if (typeof pos[2] !== 'boolean') throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${describeValue(pos[2])}`);
      keepdim = pos[2];
    }
  }
  if (dim === undefined && opts.dim !== undefined) dim = opts.dim;
  if (dim !== undefined && dim !== null && typeof dim !== 'number' && !Array.isArray(dim)) throw new TypeError(`${op}(): argument 'dim' must be int or tuple of ints, not ${describeValue(dim)}`);
  if (keepdim !== undefined && typeof keepdim !== 'boolean') throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${describeValue(keepdim)}`);
  if (opts.correction !== undefined && opts.unbiased !== undefined) throw new TorchError(`${op}: cannot specify both correction and unbiased arguments`);
  let correction = 1;
  if (opts.correction !== undefined && opts.correction !== null) {
    if (typeof opts.correction !== 'number' || !Number.isFinite(opts.correction)) throw new TypeError(`${op}(): argument 'correction' must be a number, not ${describeValue(opts.correction)}`);
    correction = opts.correction;
  } else {
    const u = opts.unbiased ?? unbiasedPos;
    if (u !== undefined && typeof u !== 'boolean') throw new TypeError(`${op}(): argument 'unbiased' must be bool, not ${describeValue(u)}`);
    correction = u === false ? 0 : 1;
  }
  return { dim, keepdim: !!keepdim, correction };
}

function varCore(x: T, op: 'var' | 'std', args: unknown[]): T {
  checkTensor(x, op);
  const { dim, keepdim, correction } = parseVarArgs(op, args);
  if (!isFloating(x.dtype)) throw new TorchError('std and var only support floating point and complex dtypes');
  const { dims } = reducedDims(x, dim, op);
  const kept = [...Array(x.ndim).keys()].filter((d) => !dims.includes(d));
  let out = empty_(kept.map((d) => x.shape[d]), x.dtype, x.device);
  runKernel(OP.var, [out, permutedForReduce(x, dims)], [dims.length, correction], op);
  if (op === 'std') runKernel(OP.unary, [out, out], [UNARY.sqrt, DTYPE_CODE[computeDtype(x.dtype)]], op);
  out = withKeepdim(out, x.shape, dims, keepdim);
  const n = dims.reduce((a, d) => a * x.shape[d], 1);
  const den = Math.max(0, n - correction);
  const res = out;
  return record(op === 'var' ? 'VarBackward0' : 'StdBackward0', [x], out, (g) => {
    const gk = restoreDims(g, dims, x.ndim, keepdim);
    const centred = E.sub(x, mean(x, dims, true));
    if (op === 'var') return [E.mul(gk, E.div(E.mulScalar(centred, 2), den))];
    // std_backward: grad / (2 std) is taken as 0 where std == 0 (a constant or expanded slice: every deviation is 0,
    // so the gradient is 0, not 0/0), then var_backward
    const sk = restoreDims(res, dims, x.ndim, keepdim);
    const gs = E.where(E.eq(sk, 0), 0, E.div(gk, E.mulScalar(sk, den)));
    return [E.mul(gs, centred)];
  }, [x, res]);
}

export function var_(x: T, ...args: unknown[]): T { return varCore(x, 'var', args); }
export function std(x: T, ...args: unknown[]): T { return varCore(x, 'std', args); }
export { var_ as var };

// ------------------------------------------------------------------------------------------------------------
// max, min, amax, amin, argmax, argmin
// ------------------------------------------------------------------------------------------------------------
// values and indices of the max/min along one dim (native arg_reduce)
function argReduceRaw(x: T, d: number, isMin: boolean, keepdim: boolean, withValues: boolean): { values: T | null; indices: T } {
  const xl = dimLast(x, d);
  const outShape = xl.shape.slice(0, -1);
  const idx = empty_(outShape.slice(), 'int64', x.device);
  const vals = withValues ? empty_(outShape.slice(), x.dtype, x.device) : null;
  runKernel(OP.arg_reduce, vals ? [idx, vals, xl] : [idx, xl], [isMin ? 1 : 0], isMin ? 'argmin' : 'argmax');
  const kd = (t: T): T => (x.ndim === 0 ? t : withKeepdim(t, x.shape, [d], keepdim));
  return { values: vals ? kd(vals) : null, indices: kd(idx) };
}

function maxMin(x: T, isMin: boolean, args: unknown[]): T | ValuesIndices {
  const op = isMin ? 'min' : 'max';
  checkTensor(x, op);
  if (args.length && args[0] instanceof Tensor) {
    if (args.length > 1) throw new TypeError(`${op}(): too many arguments with a Tensor 'other'`);
    return isMin ? E.minimum(x, args[0]) : E.maximum(x, args[0]);
  }
  const { dim, keepdim } = parseArgs(op, args);
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) throw new TorchError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    const dims = [...Array(x.ndim).keys()];
    const out = reduceRaw(x, dims, isMin ? RC.min : RC.max, x.dtype, false, op);
    if (!isFloating(x.dtype)) return out;
    // MaxBackward1: the gradient is shared evenly by every element equal to the result (NaN-aware)
    return record(isMin ? 'MinBackward1' : 'MaxBackward1', [x], out, (g) => [evenlyDistribute(g, x, out)], [x, out]);
  }
  if (Array.isArray(dim)) throw new TypeError(`${op}(): argument 'dim' must be int, not list`);
  const d = checkDim(dim, x.ndim, op);
  if (x.ndim > 0 && x.shape[d] === 0) throw new TorchError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  const { values, indices } = argReduceRaw(x, d, isMin, keepdim, true);
  let v = values as T;
  if (isFloating(x.dtype)) {
    const shape = x.shape.slice();
    v = record(isMin ? 'MinBackward0' : 'MaxBackward0', [x], v, (g) => [indexSelectBackward(g, d, indices, shape, keepdim)], [indices]);
  }
  return new ValuesIndices(v, indices);
}

function evenlyDistribute(g: T, x: T, out: T): T {
  const nanOut = noGradDo(() => E.unaryOp(E.UNARY_DEFS.isnan, out)).item() as boolean;
  const mask = nanOut ? E.unaryOp(E.UNARY_DEFS.isnan, x) : E.eq(x, out);
  const count = noGradDo(() => sum(mask));
  return E.mul(E.toDtype(mask, g.dtype), E.div(g, count));
}

// gradient of a value picked at `indices` along dim d (max/min with dim): g placed at the index, zeros elsewhere,
// as a one-hot product (differentiable, no scatter needed)
function indexSelectBackward(g: T, d: number, indices: T, shape: number[], keepdim: boolean): T {
  if (shape.length === 0) return g;
  const gk = restoreDims(g, [d], shape.length, keepdim);
  const ik = restoreDims(indices, [d], shape.length, keepdim);
  const n = shape[d];
  const posShape = shape.map((s, i) => (i === d ? n : 1));
  const pos = Sh.reshape(arange(n, { device: g.device }), posShape);
  const hit = E.eq(pos, ik);
  return E.mul(gk, E.toDtype(hit, g.dtype));
}

/** max/min's implementation (their three overloads are ops.schema rows, parsed by lib/ops/args.ts: max(input),
 *  max(input, dim, keepdim) -> ValuesIndices, max(input, other)); these take the same positional forms. */
export interface DimKeepdim { dim: number; keepdim?: boolean }
export function max(x: T): T;
export function max(x: T, other: T): T;
export function max(x: T, dim: number | DimKeepdim, opts?: { keepdim?: boolean } | boolean): ValuesIndices;
export function max(x: T, ...args: unknown[]): T | ValuesIndices { return maxMin(x, false, args); }
export function min(x: T): T;
export function min(x: T, other: T): T;
export function min(x: T, dim: number | DimKeepdim, opts?: { keepdim?: boolean } | boolean): ValuesIndices;
export function min(x: T, ...args: unknown[]): T | ValuesIndices { return maxMin(x, true, args); }

function aminmax(x: T, isMin: boolean, dim: Dim | null, keepdim: boolean): T {
  const op = isMin ? 'amin' : 'amax';
  checkTensor(x, op);
  const { dims } = reducedDims(x, dim, op);
  if (x.numel() === 0) {
    const bad = dims.find((d) => x.shape[d] === 0);
    if (bad !== undefined || x.ndim === 0) throw new TorchError(`${op}(): Expected reduction dim ${bad ?? 0} to have non-zero size.`);
  }
  const out = reduceRaw(x, dims, isMin ? RC.min : RC.max, x.dtype, keepdim, op);
  if (!isFloating(x.dtype)) return out;
  // AmaxBackward0: shared evenly by the elements equal to the result along the reduced dims
  return record(isMin ? 'AminBackward0' : 'AmaxBackward0', [x], out, (g) => {
    const gk = restoreDims(g, dims, x.ndim, keepdim);
    const ok = restoreDims(out, dims, x.ndim, keepdim);
    const mask = E.toDtype(E.eq(x, ok), g.dtype);
    const count = dims.length ? sum(mask, dims, true) : mask;
    return [E.div(E.mul(gk, mask), count)];
  }, [x, out]);
}
export function amax(x: T, dim: Dim | null = null, keepdim = false): T { return aminmax(x, false, dim, keepdim); }
export function amin(x: T, dim: Dim | null = null, keepdim = false): T { return aminmax(x, true, dim, keepdim); }

function argCore(x: T, isMin: boolean, dim: number | null, keepdim: boolean): T {
  const op = isMin ? 'argmin' : 'argmax';
  checkTensor(x, op);
  if (x.dtype === 'bool') throw new TorchError(`"${op}_cpu" not implemented for 'Bool'`);
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) throw new TorchError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const flat = noGradDo(() => Sh.reshape(x, [-1]));
    const { indices } = argReduceRaw(flat, 0, isMin, false, false);
    if (!keepdim) return indices;
    const ks = x.shape.map(() => 1);
    return viewOf(indices, ks, computeContiguousStrides(ks), indices._offset);
  }
  if (Array.isArray(dim)) throw new TypeError(`${op}(): argument 'dim' must be int, not list`);
  const d = checkDim(dim, x.ndim, op);
  if (x.ndim > 0 && x.shape[d] === 0) throw new TorchError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  return argReduceRaw(x, d, isMin, keepdim, false).indices;
}
export function argmax(x: T, dim: number | null = null, keepdim = false): T { return argCore(x, false, dim, keepdim); }
export function argmin(x: T, dim: number | null = null, keepdim = false): T { return argCore(x, true, dim, keepdim); }

// ------------------------------------------------------------------------------------------------------------
// all, any, countNonzero
// ------------------------------------------------------------------------------------------------------------
function allAny(x: T, isAny: boolean, dim: Dim | null, keepdim: boolean): T {
  const op = isAny ? 'any' : 'all';
  checkTensor(x, op);
  const { dims } = reducedDims(x, dim, op);
  // PyTorch keeps uint8 for uint8 input, bool otherwise
  return reduceRaw(x, dims, isAny ? RC.any : RC.all, x.dtype === 'uint8' ? 'uint8' : 'bool', keepdim, op);
}
export function all(x: T, dim: Dim | null = null, keepdim = false): T { return allAny(x, false, dim, keepdim); }
export function any(x: T, dim: Dim | null = null, keepdim = false): T { return allAny(x, true, dim, keepdim); }

export function countNonzero(x: T, dim: Dim | null = null): T {
  checkTensor(x, 'count_nonzero');
  const { dims } = reducedDims(x, dim, 'count_nonzero');
  const nz = noGradDo(() => E.ne(x, 0));
  return reduceRaw(nz, dims, RC.sum, 'int64', false, 'count_nonzero');
}

// ------------------------------------------------------------------------------------------------------------
// logsumexp, norm
// ------------------------------------------------------------------------------------------------------------
export function logsumexp(x: T, dim: Dim | null = null, keepdim = false): T {
  if (acState.on && autocastListed('logsumexp', arguments)) return autocastCall('logsumexp', logsumexp, arguments);
  checkTensor(x, 'logsumexp');
  const src = isFloating(x.dtype) ? x : E.toDtype(x, getDefaultDtype());
  const { dims } = reducedDims(src, dim, 'logsumexp');
  // log(sum(exp(x - m))) + m with m the max (0 where it is infinite, so all -inf slices give -inf, not NaN)
  const out = noGradDo(() => {
    if (src.numel() === 0) {
      const s = reduceRaw(src, dims, RC.sum, src.dtype, keepdim, 'logsumexp');
      return E.log(s);
    }
    const m0 = reduceRaw(src, dims, RC.max, src.dtype, true, 'logsumexp');
    const m = E.where(E.unaryOp(E.UNARY_DEFS.isinf, m0), 0, m0);
    const s = reduceRaw(E.exp(E.sub(src, m)), dims, RC.sum, src.dtype, keepdim, 'logsumexp');
    return E.add(E.log(s), keepdim ? m : reshapeNoGrad(m, s.shape));
  });
  return record('LogsumexpBackward0', [src], out, (g) => {
    const gk = restoreDims(g, dims, src.ndim, keepdim);
    const rk = restoreDims(out, dims, src.ndim, keepdim);
    return [E.mul(gk, E.exp(E.sub(src, rk)))];
  }, [src, out]);
}
function reshapeNoGrad(t: T, shape: number[]): T { return noGradDo(() => Sh.reshape(t, shape)); }

// torch.norm / Tensor.norm (PyTorch 1.13's overloads: p a number, 'fro' or 'nuc'; dim; keepdim; dtype keyword-only):
// the row of lib/ops/ops.schema parses the call; p null is 'fro'
export function norm(x: T, p: number | string | null = 'fro', dim: Dim | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('norm', arguments)) return autocastCall('norm', norm, arguments);
  checkTensor(x, 'norm');
  if (p === null) p = 'fro';
  if (dim !== null && typeof dim !== 'number' && !Array.isArray(dim)) throw new TypeError(`norm(): argument 'dim' must be int or tuple of ints, not ${describeValue(dim)}`);
  if (typeof keepdim !== 'boolean') throw new TypeError(`norm(): argument 'keepdim' must be bool, not ${describeValue(keepdim)}`);
  const dt = optDtype({ dtype }, 'norm');
  if (typeof p === 'string') {
    if (p === 'fro') p = 2;
    else if (p === 'nuc') throw new TorchError('norm: the nuclear norm (p="nuc") is not supported');
    else throw new TorchError(`norm: invalid p ${JSON.stringify(p)}`);
  }
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`norm(): argument 'p' must be a number or 'fro', not ${describeValue(p)}`);
  if (!isFloating(dt ?? x.dtype)) throw new TorchError(`norm(): input dtype should be either floating point or complex. Got ${typeName(dt ?? x.dtype)} instead.`);
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  const { dims } = reducedDims(src, dim, 'norm');
  const pp = p;
  const out = noGradDo(() => {
    if (pp === 2) return E.sqrt(reduceRaw(src, dims, RC.sumsq, src.dtype, keepdim, 'norm'));
    if (pp === 1) return reduceRaw(src, dims, RC.sumabs, src.dtype, keepdim, 'norm');
    if (pp === Infinity || pp === -Infinity) {
      if (src.numel() === 0) return reduceRaw(src, dims, RC.sum, src.dtype, keepdim, 'norm');
      return reduceRaw(E.unaryOp(E.UNARY_DEFS.abs, src), dims, pp > 0 ? RC.max : RC.min, src.dtype, keepdim, 'norm');
    }
    if (pp === 0) return reduceRaw(E.toDtype(E.ne(src, 0), src.dtype), dims, RC.sum, src.dtype, keepdim, 'norm');
    return E.pow(reduceRaw(E.pow(E.unaryOp(E.UNARY_DEFS.abs, src), pp), dims, RC.sum, src.dtype, keepdim, 'norm'), 1 / pp);
  });
  // NormBackward1 (PyTorch 1.13 records it for every torch.norm / Tensor.norm form); FunctionsManual's norm_backward
  return record('NormBackward1', [src], out, (g) => {
    const gk = restoreDims(g, dims, src.ndim, keepdim);
    const nk = restoreDims(out, dims, src.ndim, keepdim);
    const sgn = E.sign(src);
    const absx = E.unaryOp(E.UNARY_DEFS.abs, src);
    const zeroNorm = E.eq(nk, 0);
    if (pp === 0) return [zeros(src.shape.slice(), { dtype: src.dtype, device: src.device })];
    if (pp === 1) return [E.mul(sgn, gk)];
    if (pp === 2) return [E.mul(gk, E.where(zeroNorm, 0, E.div(src, nk)))];
    if (!Number.isFinite(pp)) {
      const mask = E.toDtype(E.binaryOp(E.BINARY_DEFS.logical_or, E.eq(absx, nk), E.unaryOp(E.UNARY_DEFS.isnan, absx)), g.dtype);
      const count = dims.length ? sum(mask, dims, true) : mask;
      return [E.mul(sgn, E.mul(E.div(gk, count), mask))];
    }
    if (pp < 1) {
      const scaled = E.mul(sgn, E.where(E.eq(src, 0), 0, E.pow(absx, pp - 1)));
      return [E.mul(E.mul(scaled, gk), E.pow(nk, 1 - pp))];
    }
    const scaled = pp < 2 ? E.mul(sgn, E.pow(absx, pp - 1)) : E.mul(src, E.pow(absx, pp - 2));
    const scale = E.where(zeroNorm, 0, E.div(gk, E.pow(nk, pp - 1)));
    return [E.mul(scaled, scale)];
  }, [src, out]);
}

// ------------------------------------------------------------------------------------------------------------
// cumsum, cumprod
// ------------------------------------------------------------------------------------------------------------
function scanRaw(x: T, d: number, isProd: boolean, outDtype: DType): T {
  const out = empty_(x.shape.slice(), outDtype, x.device);
  if (x.numel() === 0) return out;
  runKernel(OP.scan, [dimLast(out, d), dimLast(x, d)], [isProd ? 1 : 0], isProd ? 'cumprod' : 'cumsum');
  return out;
}

function scanArgs(x: T, op: string, dim: number, dtype: DTypeName | null): { d: number; src: T; dt: DType | null } {
  checkTensor(x, op);
  const d = checkDim(dim, x.ndim, op);
  const dt = optDtype({ dtype }, op);
  // PyTorch's scan kernels have no bool instantiation (cumsum(x, dtype=bool), or out= a bool tensor)
  if (dt === 'bool' && x.numel() > 0) throw new TorchError(`"${op}_out_cpu" not implemented for 'Bool'`);
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  return { d, src, dt };
}

// reverse cumulative sum along d (the adjoint of cumsum)
function revCumsum(g: T, d: number): T {
  if (g.ndim === 0) return g;
  return Sh.flip(cumsum(Sh.flip(g, [d]), d), [d]);
}

export function cumsum(x: T, dim: number, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('cumsum', arguments)) return autocastCall('cumsum', cumsum, arguments);
  const { d, src, dt } = scanArgs(x, 'cumsum', dim, dtype);
  const out = scanRaw(src, d, false, dt ?? intResult(src.dtype));
  if (!isFloating(out.dtype)) return out;
  return record('CumsumBackward0', [src], out, (g) => [revCumsum(g, d)]);
}

export function cumprod(x: T, dim: number, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('cumprod', arguments)) return autocastCall('cumprod', cumprod, arguments);
  const { d, src, dt } = scanArgs(x, 'cumprod', dim, dtype);
  const out = scanRaw(src, d, true, dt ?? intResult(src.dtype));
  if (!isFloating(out.dtype)) return out;
  return record('CumprodBackward0', [src], out, (g) => [cumprodBackward(g, src, out, d)], [src, out]);
}

// d/dx_i of sum_k g_k y_k with y = cumprod(x): revcumsum(g*y)_i / x_i when x has no zero (the common case);
// with zeros, positions before the first zero of a slice use that formula, the first zero itself gets
// revcumsum(g * cumprod(x with that zero replaced by 1)), and later positions get 0.
function cumprodBackward(g: T, x: T, y: T, d: number): T {
  if (x.ndim === 0 || x.numel() === 0 || x.shape[d] === 1) return g;
  const zero = E.eq(x, 0);
  const hasZero = noGradDo(() => any(zero)).item() as boolean;
  if (!hasZero) return E.div(revCumsum(E.mul(g, y), d), x);
  // building a graph (createGraph): the masked O(n) form below has the right values but not the right
  // derivatives at the zeros, so use PyTorch's O(n^2) form, sum_{k>=i} g_k * prod_{j<=k, j!=i} x_j
  if (gradState.enabled) return cumprodBackwardGraph(g, x, d);
  const cz = noGradDo(() => cumsum(zero, d));
  const before = E.eq(cz, 0);
  const first = E.logicalAnd(zero, E.eq(cz, 1));
  const xs = E.where(before, x, 1);
  const t1 = E.where(before, E.div(revCumsum(E.mul(g, y), d), xs), 0);
  const y1 = cumprod(E.where(first, 1, x), d);
  const t2 = E.where(first, revCumsum(E.mul(g, y1), d), 0);
  return E.add(t1, t2);
}

function cumprodBackwardGraph(g: T, x: T, d: number): T {
  const n = x.shape[d];
  const parts: T[] = [];
  for (let k = 0; k < n; k++) {
    // omitted[k..n-1] = prod_{j<=m, j!=k} x_j for m = k..n-1
    let omitted: T;
    const until = k > 0 ? prod(Sh.narrow(x, d, 0, k), d, true) : null;
    if (k === n - 1) omitted = until as T;
    else {
      const from = cumprod(Sh.narrow(x, d, k + 1, n - k - 1), d);
      const head = until ?? E.add(E.mulScalar(Sh.narrow(x, d, 0, 1), 0), 1);
      omitted = Sh.cat([head, until ? E.mul(until, from) : from], d);
    }
    parts.push(sum(E.mul(Sh.narrow(g, d, k, n - k), omitted), d, true));
  }
  return Sh.cat(parts, d);
}

// ------------------------------------------------------------------------------------------------------------
// sort, argsort, topk
// ------------------------------------------------------------------------------------------------------------
interface SortOptions { descending?: boolean; stable?: boolean; dim?: number }
function sortRaw(x: T, d: number, descending: boolean, k: number): { values: T; indices: T } {
  const shape = x.shape.slice();
  if (shape.length) shape[d] = k;
  const values = empty_(shape.slice(), x.dtype, x.device);
  const indices = empty_(shape.slice(), 'int64', x.device);
  if (numelOf(shape) > 0) runKernel(OP.sort, [dimLast(values, d), dimLast(indices, d), dimLast(x, d)], [descending ? 1 : 0, 1, k], 'sort');
  return { values, indices };
}

// gradient of values taken at `indices` along d (sort, topk): g scattered back into zeros of `shape`, as PyTorch's
// value_selecting_reduction_backward; the indices are distinct along d, so the assigning scatter is exact, and it
// is differentiable w.r.t. g (createGraph)
export function scatterBackward(g: T, d: number, indices: T, shape: number[]): T {
  if (shape.length === 0) return g;
  return scatter(zeros(shape, { dtype: g.dtype, device: g.device }), d, indices, g);
}

function parseSortArgs(x: T, op: string, args: unknown[]): { d: number; descending: boolean; stableGiven: boolean } {
  checkTensor(x, op);
  let a = args;
  let opts: SortOptions = {};
  if (a.length && isOptions(a[a.length - 1])) { opts = a[a.length - 1] as SortOptions; a = a.slice(0, -1); }
  checkKeys(op, opts, ['dim', 'descending', 'stable']);
  const dim = a.length ? a[0] : opts.dim ?? -1;
  let descending = opts.descending;
  if (a.length > 1) descending = a[1] as boolean;
  if (descending !== undefined && typeof descending !== 'boolean') throw new TypeError(`${op}(): argument 'descending' must be bool, not ${describeValue(descending)}`);
  if (opts.stable !== undefined && opts.stable !== null && typeof opts.stable !== 'boolean') throw new TypeError(`${op}(): argument 'stable' must be bool, not ${describeValue(opts.stable)}`);
  return { d: checkDim(dim, x.ndim, op), descending: !!descending, stableGiven: opts.stable !== undefined && opts.stable !== null };
}

export function sort(x: T, ...args: unknown[]): ValuesIndices {
  const { d, descending, stableGiven } = parseSortArgs(x, 'sort', args);
  const n = x.ndim ? x.shape[d] : 1;
  const { values, indices } = sortRaw(x, d, descending, n);
  layLikeInput(x, values, indices);
  let v = values;
  if (isFloating(x.dtype)) {
    const shape = x.shape.slice();
    // sort(stable=...) is PyTorch's sort.stable overload: SortBackward1
    v = record(stableGiven ? 'SortBackward1' : 'SortBackward0', [x], values, (g) => [scatterBackward(g, d, indices, shape)], [indices]);
  }
  return new ValuesIndices(v, indices);
}

export function argsort(x: T, ...args: unknown[]): T {
  const { d, descending } = parseSortArgs(x, 'argsort', args);
  const { indices } = sortRaw(x, d, descending, x.ndim ? x.shape[d] : 1);
  layLikeInput(x, indices);
  return indices;
}
// sort's results are laid out as its input when that is a dense permutation (a transposed input: transposed results,
// as PyTorch's empty_like outputs)
function layLikeInput(x: T, ...outs: T[]): void {
  if (x.ndim < 2 || x.isContiguous()) return;
  const st = preserveStrides(x);
  if (st) for (const o of outs) restrideFresh(o, st, E.copyInto);
}

export function msort(x: T): T { return sort(x, 0).values; }

export function topk(x: T, k: unknown, ...args: unknown[]): ValuesIndices {
  checkTensor(x, 'topk');
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`topk(): argument 'k' must be int, not ${describeValue(k)}`);
  let a = args;
  let opts: { largest?: boolean; sorted?: boolean; dim?: number } = {};
  if (a.length && isOptions(a[a.length - 1])) { opts = a[a.length - 1] as typeof opts; a = a.slice(0, -1); }
  checkKeys('topk', opts, ['dim', 'largest', 'sorted']);
  const dim = a.length ? a[0] : opts.dim ?? -1;
  const largest = a.length > 1 ? a[1] : opts.largest ?? true;
  if (typeof largest !== 'boolean') throw new TypeError(`topk(): argument 'largest' must be bool, not ${describeValue(largest)}`);
  const d = checkDim(dim, x.ndim, 'topk');
  const n = x.ndim ? x.shape[d] : 1;
  if (k < 0 || k > n) throw new TorchError('selected index k out of range');
  if (x.dtype === 'bool') throw new TorchError('"topk_cpu" not implemented for \'Bool\'');
  // always returned sorted (a valid order for sorted=false too)
  const { values, indices } = sortRaw(x, d, largest, k);
  let v = values;
  if (isFloating(x.dtype)) {
    const shape = x.shape.slice();
    v = record('TopkBackward0', [x], values, (g) => [scatterBackward(g, d, indices, shape)], [indices]);
  }
  return new ValuesIndices(v, indices);
}

// ------------------------------------------------------------------------------------------------------------
// unique
// ------------------------------------------------------------------------------------------------------------
interface UniqueOptions { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }

// a tensor from host values read back by toTypedArray (float16/bfloat16 come back as float32: written as
// float32, then cast, which is exact)
function fromHost(vals: ArrayBufferView & { length: number }, dtype: DType, shape: number[], like: T): T {
  const st: DType = dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype;
  const t = empty_(shape, st, like.device);
  if (vals.length) E.writeHost(t, vals);
  return st === dtype ? t : E.toDtype(t, dtype);
}

type HostArray = ArrayBufferView & { length: number; [i: number]: number | bigint };
function newLike(a: HostArray, n: number): HostArray {
  return new (a.constructor as new (n: number) => HostArray)(n);
}

/** Tensor.unique(sorted, returnInverse, returnCounts, dim) positionally (PyTorch's Tensor.unique order) or by name */
export function unique(x: T, ...rest: unknown[]): T | T[] {
  checkTensor(x, 'unique');
  if (rest.length === 1 && rest[0] !== undefined && typeof rest[0] !== 'boolean' && !isOptions(rest[0])) throw new TypeError(`unique(): expected an options object, got ${describeValue(rest[0])}`);
  const opts = posOpts<UniqueOptions>('unique', rest, ['sorted', 'returnInverse', 'returnCounts', 'dim'], []);
  const wantInv = !!opts.returnInverse, wantCounts = !!opts.returnCounts;
  const result = (values: T, inverse: T, counts: T): T | T[] => {
    if (!wantInv && !wantCounts) return values;
    const r = [values];
    if (wantInv) r.push(inverse);
    if (wantCounts) r.push(counts);
    return r;
  };
  const int64 = (a: number[]): BigInt64Array => BigInt64Array.from(a, (v) => BigInt(v));
  if (opts.dim !== undefined && opts.dim !== null) return uniqueDim(x, checkDim(opts.dim, x.ndim, 'unique'), result, int64);
  const n = x.numel();
  const flat = noGradDo(() => Sh.reshape(x, [-1]));
  const { values, indices } = sortRaw(flat, 0, false, n);
  const v = values.toTypedArray() as HostArray;
  const idx = indices.toTypedArray() as BigInt64Array;
  const keep: number[] = [];
  const counts: number[] = [];
  const inverse = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // NaN != NaN: every NaN is its own value (PyTorch 1.13's counts for NaN are inconsistent; see README)
    if (i === 0 || v[i] !== v[i - 1]) { keep.push(i); counts.push(0); }
    counts[counts.length - 1]++;
    inverse[Number(idx[i])] = keep.length - 1;
  }
  const u = newLike(v, keep.length);
  keep.forEach((k, j) => { u[j] = v[k]; });
  const vt = fromHost(u, x.dtype, [keep.length], x);
  return result(vt, fromHost(int64(inverse), 'int64', x.shape.slice(), x), fromHost(int64(counts), 'int64', [counts.length], x));
}

function uniqueDim(x: T, d: number, result: (v: T, i: T, c: T) => T | T[], int64: (a: number[]) => BigInt64Array): T | T[] {
  if (x.ndim === 0) throw new TorchError('unique: a 0-d tensor has no dim to take unique slices along');
  const n = x.shape[d];
  const moved = noGradDo(() => E.contiguous(Sh.movedim(x, d, 0)));
  const m = n ? moved.numel() / n : 0;
  const v = moved.toTypedArray() as HostArray;
  const cmpRows = (a: number, b: number): number => {
    for (let j = 0; j < m; j++) {
      const p = v[a * m + j], q = v[b * m + j];
      if (p < q) return -1;
      if (p > q) return 1;
    }
    return 0;
  };
  const order = [...Array(n).keys()].sort((a, b) => cmpRows(a, b) || a - b);
  const keep: number[] = [];
  const counts: number[] = [];
  const inverse = new Array<number>(n);
  order.forEach((r, i) => {
    if (i === 0 || cmpRows(order[i - 1], r) !== 0) { keep.push(r); counts.push(0); }
    counts[counts.length - 1]++;
    inverse[r] = keep.length - 1;
  });
  const u = newLike(v, keep.length * m);
  keep.forEach((r, j) => { for (let q = 0; q < m; q++) u[j * m + q] = v[r * m + q]; });
  const restShape = moved.shape.slice(1);
  const vals = fromHost(u, x.dtype, [keep.length, ...restShape], x);
  // (laid out as PyTorch's: the slices contiguous along the moved dim, moved back)
  const back = noGradDo(() => Sh.movedim(vals, 0, d));
  return result(back, fromHost(int64(inverse), 'int64', [n], x), fromHost(int64(counts), 'int64', [counts.length], x));
}

// ------------------------------------------------------------------------------------------------------------
// softmax, logSoftmax
// ------------------------------------------------------------------------------------------------------------
// PyTorch's implicit dim for softmax(x) without one (legacy _get_softmax_dim)
const implicitDim = (ndim: number): number => (ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1);

function softmaxCore(x: T, isLog: boolean, dim: number | null, dtype: DTypeName | null): T {
  const op = isLog ? 'log_softmax' : 'softmax';
  checkTensor(x, op);
  const d = checkDim(dim ?? implicitDim(x.ndim), x.ndim, op);
  const dt = optDtype({ dtype }, op);
  const src = dt && dt !== x.dtype ? E.toDtype(x, dt) : x;
  if (src.numel() > 0 && !isFloating(src.dtype)) {
    const kernel = d === src.ndim - 1 || src.ndim === 0 ? `${isLog ? 'log_softmax' : 'softmax'}_lastdim_kernel_impl` : 'softmax_kernel_impl';
    throw new TorchError(`"${kernel}" not implemented for '${typeName(src.dtype)}'`);
  }
  const out = empty_(src.shape.slice(), src.dtype, src.device);
  if (src.numel()) runKernel(OP.softmax, [dimLast(out, d), dimLast(src, d)], [isLog ? 1 : 0], op);
  return record(isLog ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [src], out, (g) => [softmaxBackward(g, out, d, isLog)], [out]);
}

function softmaxBackward(g: T, y: T, d: number, isLog: boolean): T {
  if (!gradState.enabled && g.dtype === y.dtype) {
    // fused native kernel when no graph is being built (g may be any strided/expanded view)
    const gi = empty_(y.shape.slice(), y.dtype, y.device);
    if (y.numel()) runKernel(OP.softmax_backward, [dimLast(gi, d), dimLast(g, d), dimLast(y, d)], [isLog ? 1 : 0], 'softmax_backward');
    return gi;
  }
  const dd = y.ndim ? [d] : [];
  if (isLog) return E.sub(g, E.mul(E.exp(y), dd.length ? sum(g, dd, true) : g));
  const gy = E.mul(g, y);
  return E.mul(y, E.sub(g, dd.length ? sum(gy, dd, true) : gy));
}

export function softmax(x: T, dim: number | null = null, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('softmax', arguments)) return autocastCall('softmax', softmax, arguments);
  return softmaxCore(x, false, dim, dtype);
}
export function logSoftmax(x: T, dim: number | null = null, dtype: DTypeName | null = null): T {
  if (acState.on && autocastListed('log_softmax', arguments)) return autocastCall('log_softmax', logSoftmax, arguments);
  return softmaxCore(x, true, dim, dtype);
}

// ------------------------------------------------------------------------------------------------------------
// Tensor methods
// ------------------------------------------------------------------------------------------------------------
// sum, mean, prod, amax/amin, argmax/argmin, all/any, countNonzero, logsumexp, cumsum/cumprod, softmax/logSoftmax:
// the schema's rows (lib/ops/ops.schema), as are std/var, max/min and sort/topk (overload rows: one name, several
// rows, lib/ops/args.ts parseOverloads), and norm; unique stays here (its result's arity depends on its flags).
declare module '../tensor' {
  interface Tensor {
    unique(opts?: UniqueOptions): Tensor | Tensor[];
    unique(sorted: boolean, returnInverse?: boolean, returnCounts?: boolean, dim?: number | null): Tensor | Tensor[];
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const M = {
  unique,
} as unknown as Record<string, (x: T, ...a: unknown[]) => unknown>;
for (const [name, f] of Object.entries(M)) {
  P[name] = function (this: T, ...a: unknown[]): unknown { return f(this, ...a); };
}
