// order.ts - order statistics and NaN-aware reductions composed from the native sort / reduce / elementwise kernels:
// aminmax, cummax/cummin, kthvalue, median/nanmedian, mode, nanmean. PyTorch's NaN rules:
//   NaN sorts above +inf, so kthvalue counts it as the largest value;
//   median is NaN (at a NaN's index) as soon as its slice holds a NaN; nanmedian ignores NaNs (NaN only when the
//   whole slice is NaN);
//   mode counts the NaNs of a slice as one value;
//   cummax/cummin: a NaN takes over and stays until the next NaN, which takes its index (`x >= running` for cummax,
//   `x <= running` for cummin, so a tie moves the index forward);
//   nanmean = nansum / the number of non-NaN elements.
// The value-selecting ones record PyTorch's node names with the gradient scattered to the selected indices.
import { Tensor, normDim } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { isFloating, describeValue, DType, DTypeName, toDType } from '../dtype';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import * as E from './elementwise';
import * as Sh from './shape';
import * as R from './reduce';
import { arange, full, zeros } from './creation';
import { checkTensor, isOptions } from './util';

type T = Tensor;
type DimKeep = { dim?: number; keepdim?: boolean };

// (dim, keepdim) given positionally or in a trailing options object; dim an int (default dflt)
function dimKeep(op: string, x: T, args: unknown[], dflt: number | null): { d: number | null; keepdim: boolean } {
  let pos = args;
  let opts: DimKeep = {};
  if (pos.length && isOptions(pos[pos.length - 1])) { opts = pos[pos.length - 1] as DimKeep; pos = pos.slice(0, -1); }
  checkKeys(op, opts, ['dim', 'keepdim']);
  if (pos.length > 2) throw new TypeError(`${op}() received too many positional arguments`);
  const dim = pos.length > 0 ? pos[0] : opts.dim ?? dflt;
  const keepdim = pos.length > 1 ? pos[1] : opts.keepdim ?? false;
  if (typeof keepdim !== 'boolean') throw new TypeError(`${op}(): argument 'keepdim' must be bool, not ${describeValue(keepdim)}`);
  if (dim === null || dim === undefined) return { d: null, keepdim };
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${op}(): argument 'dim' must be int, not ${describeValue(dim)}`);
  return { d: normDim(dim, Math.max(x.ndim, 1), op), keepdim };
}

// a 0-d input works as a 1-element 1-d one along dim 0 (PyTorch's rule for these ops)
const as1d = (x: T): T => (x.ndim === 0 ? x.reshape([1]) : x);

// the values of x at `idx` along d (idx has size 1 there); the node scatters the gradient back to those positions
function selectAt(x: T, x1: T, d: number, idx1: T, keepdim: boolean, name: string): { values: T; indices: T } {
  const vals1 = noGrad(() => x1.gather(d, idx1));
  const fin = (t: T): T => (x.ndim === 0 ? t.reshape([]) : keepdim ? t : t.squeeze(d));
  const values = fin(vals1), indices = fin(idx1);
  if (!isFloating(x.dtype)) return { values, indices };
  const shape = x1.shape.slice();
  return {
    values: record(name, [x], values, (g) => {
      const g1 = x.ndim === 0 ? g.reshape([1]) : keepdim ? g : g.unsqueeze(d);
      const gx = R.scatterBackward(g1, d, idx1, shape);
      return [x.ndim === 0 ? gx.reshape([]) : gx];
    }, [idx1]),
    indices,
  };
}

// the number of non-NaN elements along d (keepdim), int64
const countNotNan = (x: T, d: number): T => noGrad(() => E.unaryOp(E.UNARY_DEFS.isnan, x).logicalNot().sum(d, { keepdim: true }));

// ---- kthvalue -------------------------------------------------------------------------------------------------
export function kthvalue(x: T, k: unknown, ...args: unknown[]): R.ValuesIndices {
  checkTensor(x, 'kthvalue');
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`kthvalue(): argument 'k' must be int, not ${describeValue(k)}`);
  const { d, keepdim } = dimKeep('kthvalue', x, args, -1);
  const x1 = as1d(x);
  const n = x1.shape[d as number];
  if (k < 1 || k > n) throw new TorchError(`kthvalue(): selected number k out of range for dimension ${d}`);
  if (x.dtype === 'bool' && x.ndim > 0) throw new TorchError('"kthvalue_cpu" not implemented for \'Bool\'');
  const s = noGrad(() => R.sort(x1, d as number, { stable: true }));
  const idx1 = s.indices.narrow(d as number, k - 1, 1);
  const r = selectAt(x, x1, d as number, idx1, keepdim, 'KthvalueBackward0');
  return new R.ValuesIndices(r.values, r.indices);
}

// ---- median / nanmedian ---------------------------------------------------------------------------------------
function medianCore(x: T, args: unknown[], ignoreNan: boolean): T | R.ValuesIndices {
  const op = ignoreNan ? 'nanmedian' : 'median';
  checkTensor(x, op);
  const { d, keepdim } = dimKeep(op, x, args, null);
  if (x.numel() > 0 && x.dtype === 'bool') throw new TorchError(`"${op}_cpu" not implemented for 'Bool'`);
  if (d === null) {
    // the whole tensor: a value only; its gradient is shared by every element equal to it (NaN: by the NaNs)
    if (x.numel() === 0) {
      // NaN in the input's dtype (an integer NaN is what C++ casts it to: int64/int32's minimum, 0 below; bool true)
      const nanOf: Record<string, number | boolean> = { int64: -(2 ** 63), int32: -(2 ** 31), int16: 0, int8: 0, uint8: 0, bool: true };
      const nanv = full([], isFloating(x.dtype) ? NaN : nanOf[x.dtype], { dtype: x.dtype, device: x.device });
      return isFloating(x.dtype) ? record(ignoreNan ? 'NanmedianBackward0' : 'MedianBackward0', [x], nanv, () => [zeros(x.shape.slice(), { dtype: x.dtype, device: x.device })]) : nanv;
    }
    const flat = x.reshape([-1]);
    const v = (medianCore(noGrad(() => flat.detach()), [0], ignoreNan) as R.ValuesIndices).values;
    if (!isFloating(x.dtype)) return v;
    return record(ignoreNan ? 'NanmedianBackward0' : 'MedianBackward0', [x], v, (g) => {
      const nanOut = noGrad(() => E.unaryOp(E.UNARY_DEFS.isnan, v).item()) as boolean;
      const mask = nanOut ? E.unaryOp(E.UNARY_DEFS.isnan, x) : E.eq(x, v);
      const count = noGrad(() => mask.sum());
      return [E.mul(E.toDtype(mask, g.dtype), E.div(g, count))];
    }, [x, v]);
  }
  const x1 = as1d(x);
  const n = x1.shape[d];
  if (n === 0) throw new TorchError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  const s = noGrad(() => R.sort(x1, d, { stable: true }));
  const pos = noGrad(() => {
    if (!isFloating(x.dtype)) return full(s.indices.narrow(d, 0, 1).shape, (n - 1) >> 1, { dtype: 'int64', device: x.device });
    const cnt = countNotNan(x1, d);
    // NaNs sort last: median takes the first NaN when there is one (position cnt), else the lower middle; nanmedian
    // the lower middle of the cnt numbers (position 0, a NaN, when there are none)
    if (!ignoreNan) return E.where(cnt.lt(n), cnt, (n - 1) >> 1);
    return E.where(cnt.eq(0), 0, E.div(cnt.sub(1), 2, { roundingMode: 'floor' }));
  });
  const idx1 = noGrad(() => s.indices.gather(d, pos));
  const r = selectAt(x, x1, d, idx1, keepdim, ignoreNan ? 'NanmedianBackward1' : 'MedianBackward1');
  return new R.ValuesIndices(r.values, r.indices);
}
export function median(x: T, ...args: unknown[]): T | R.ValuesIndices { return medianCore(x, args, false); }
export function nanmedian(x: T, ...args: unknown[]): T | R.ValuesIndices { return medianCore(x, args, true); }

// ---- mode -----------------------------------------------------------------------------------------------------
export function mode(x: T, ...args: unknown[]): R.ValuesIndices {
  checkTensor(x, 'mode');
  const { d, keepdim } = dimKeep('mode', x, args, -1);
  const x1 = as1d(x);
  const dd = d as number;
  const n = x1.shape[dd];
  if (n === 0) throw new TorchError(`mode(): Expected reduction dim ${dd} to have non-zero size.`);
  const idx1 = noGrad(() => {
    // sorted (stable, NaN last) along the last dim; runs of equal values (the NaNs are one run); the first longest
    // run wins (the smallest value among equally frequent ones), at its last element
    const xl = x1.movedim(dd, -1);
    const s = R.sort(xl, -1, { stable: true });
    const sv = s.values;
    const isn = E.unaryOp(E.UNARY_DEFS.isnan, sv);
    const a = sv.narrow(-1, 1, n - 1), b = sv.narrow(-1, 0, n - 1);
    const same = E.eq(a, b).logicalOr(isn.narrow(-1, 1, n - 1).logicalAnd(isn.narrow(-1, 0, n - 1)));
    const lead = full([...sv.shape.slice(0, -1), 1], true, { dtype: 'bool', device: x.device });
    const start = Sh.cat([lead, same.logicalNot()], -1);
    const end = Sh.cat([same.logicalNot(), lead], -1);
    const j = arange(n, { device: x.device }).expand(sv.shape.slice());
    const startPos = cumExtreme(E.where(start, j, 0), sv.ndim - 1, false).values;
    const freq = E.where(end, j.sub(startPos).add(1), 0);
    const best = R.argmax(freq, -1, true);
    return s.indices.gather(-1, best).movedim(-1, dd);
  });
  const r = selectAt(x, x1, dd, idx1, keepdim, 'ModeBackward0');
  return new R.ValuesIndices(r.values, r.indices);
}

// ---- cummax / cummin ------------------------------------------------------------------------------------------
// running max/min with indices by a log-step (Hillis-Steele) scan: each step merges the summary of the segment
// ending k places earlier (L) into the current one (R): R wins when it is NaN, or when L is not NaN and R >= L
// (cummax) / R <= L (cummin). The merge is associative, so log2(n) elementwise steps give PyTorch's sequential rule.
function cumExtreme(x: T, d: number, isMin: boolean): { values: T; indices: T } {
  const n = x.shape[d];
  const fl = isFloating(x.dtype);
  // the identity: the dtype's own extreme (a full() of a value the dtype cannot hold is refused, as PyTorch's)
  const INT_RANGE: Record<string, [number, number]> = { uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647] };
  const [lo, hi] = INT_RANGE[x.dtype] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  const ident = fl ? (isMin ? Infinity : -Infinity) : isMin ? hi : lo;
  const shapeAt = (m: number): number[] => x.shape.map((s, i) => (i === d ? m : s));
  let v = x;
  let idx = arange(n, { device: x.device }).reshape(x.shape.map((s, i) => (i === d ? n : 1))).expand(x.shape.slice()).contiguous();
  const isnan = (t: T): T => E.unaryOp(E.UNARY_DEFS.isnan, t);
  for (let k = 1; k < n; k *= 2) {
    const lv = Sh.cat([full(shapeAt(k), ident, { dtype: x.dtype, device: x.device }), v.narrow(d, 0, n - k)], d);
    const li = Sh.cat([zeros(shapeAt(k), { dtype: 'int64', device: x.device }), idx.narrow(d, 0, n - k)], d);
    let takeR = isMin ? E.le(v, lv) : E.ge(v, lv);
    if (fl) takeR = isnan(v).logicalOr(isnan(lv).logicalNot().logicalAnd(takeR));
    v = E.where(takeR, v, lv);
    idx = E.where(takeR, idx, li);
  }
  return { values: v, indices: idx };
}
function cumCore(x: T, dim: unknown, isMin: boolean): R.ValuesIndices {
  const op = isMin ? 'cummin' : 'cummax';
  checkTensor(x, op);
  if (isOptions(dim)) { checkKeys(op, dim as object, ['dim']); dim = (dim as { dim?: unknown }).dim; }
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TypeError(`${op}(): argument 'dim' must be int, not ${describeValue(dim)}`);
  const d = normDim(dim, Math.max(x.ndim, 1), op);
  if (x.ndim === 0) return new R.ValuesIndices(x.clone(), zeros([], { dtype: 'int64', device: x.device }));
  if (x.numel() === 0) return new R.ValuesIndices(x.clone(), zeros(x.shape.slice(), { dtype: 'int64', device: x.device }));
  const src: T = x.dtype === 'bool' ? E.toDtype(x, 'uint8') : x;
  const indices = noGrad(() => cumExtreme(src.detach(), d, isMin).indices);
  const values = noGrad(() => x.gather(d, indices));
  if (!isFloating(x.dtype)) return new R.ValuesIndices(values, indices);
  const shape = x.shape.slice();
  // CummaxBackward0: the gradient of each output goes to (is added at) the index it came from
  const v = record(isMin ? 'CumminBackward0' : 'CummaxBackward0', [x], values, (g) => [
    zeros(shape, { dtype: g.dtype, device: g.device }).scatterAdd(d, indices, g)], [indices]);
  return new R.ValuesIndices(v, indices);
}
export function cummax(x: T, dim: unknown): R.ValuesIndices { return cumCore(x, dim, false); }
export function cummin(x: T, dim: unknown): R.ValuesIndices { return cumCore(x, dim, true); }

// ---- aminmax --------------------------------------------------------------------------------------------------
// torch.aminmax(x, { dim, keepdim }) -> { min, max } (also iterable as [min, max])
export class MinMax extends R.TensorPair {
  readonly min: T;
  readonly max: T;
  constructor(min: T, max: T) { super(); this.min = min; this.max = max; }
  protected pair(): [string, T, string, T] { return ['min', this.min, 'max', this.max]; }
}
export function aminmax(x: T, opts: DimKeep = {}): MinMax {
  checkTensor(x, 'aminmax');
  if (!isOptions(opts)) throw new TypeError(`aminmax(): dim and keepdim are keyword arguments: aminmax(x, { dim, keepdim }), got ${describeValue(opts)}`);
  checkKeys('aminmax', opts, ['dim', 'keepdim']);
  if (opts.dim === undefined || opts.dim === null) {
    if (x.numel() === 0) throw new TorchError('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
    const lo = R.amin(x), hi = R.amax(x);
    return opts.keepdim ? new MinMax(lo.reshape(x.shape.map(() => 1)), hi.reshape(x.shape.map(() => 1))) : new MinMax(lo, hi);
  }
  const d = normDim(opts.dim, Math.max(x.ndim, 1), 'aminmax');
  if (x.ndim > 0 && x.shape[d] === 0) throw new TorchError('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
  const kd = !!opts.keepdim;
  return x.ndim === 0 ? new MinMax(x.clone(), x.clone()) : new MinMax(R.amin(x, d, kd), R.amax(x, d, kd));
}

// ---- nanmean --------------------------------------------------------------------------------------------------
export function nanmean(x: T, dim: number | number[] | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  checkTensor(x, 'nanmean');
  if (!isFloating(x.dtype)) throw new TorchError(`nanmean(): expected input to have floating point dtype but got ${E.typeName(x.dtype)}`);
  const src = dtype ? E.toDtype(x, toDType(dtype, 'nanmean')) : x;
  if (!isFloating(src.dtype)) throw new TorchError(`nanmean(): expected input to have floating point dtype but got ${E.typeName(src.dtype)}`);
  const notNan = E.unaryOp(E.UNARY_DEFS.isnan, src).logicalNot();
  return R.nansum(src, dim, keepdim).div(R.sum(notNan, dim, keepdim));
}

// (aminmax's torch.* function and Tensor method are a row of lib/ops/ops.schema)
