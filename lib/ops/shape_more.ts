// shape_more.ts - the shape, indexing and linear-algebra-lite ops a PyTorch user reaches for that nodetorch lacked
// (issue 11's follow-up): tril/triu_indices, cross, inner, vdot, tensordot, chain_matmul, block_diag, rot90, diff,
// repeat_interleave, take_along_dim, Tensor.unfold, ravel, atleast_Nd, dstack/column_stack/row_stack,
// hsplit/vsplit/dsplit, the *_scatter ops, narrow_copy and the *_copy forms, split_with_sizes, unsafe_chunk/split,
// sum_to_size and the in-place transposes (transpose_, t_, swapaxes_, swapdims_).
// Each is composed of nodetorch's differentiable ops where that gives PyTorch's gradient exactly (the composition's
// nodes are recorded, not PyTorch's node names); the *_scatter ops record their own backward. Views stay views
// (unfold is an as_strided view of the input's storage; ravel a view where reshape is). The rows are ops.schema's
// last section; impls.ts binds them by name. The varargs ones (PyTorch's `*tensors`: chain_matmul, block_diag,
// atleast_1d/2d/3d) have no schema type and are exported from here (families.ts).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import { isFloating, toDType } from '../dtype';
import type { DTypeName } from '../dtype';
import { toDevice } from '../device';
import type { Device, DeviceName } from '../device';
import * as E from './elementwise';
import * as Sh from './shape';
import * as M from './matmul';
import * as X from './indexing';
import * as C from './creation';
import { checkTensor, checkInt, sumToShape, broadcastShapes } from './util';
import { writeOut } from './args';
import { withKeywords } from './keywords';

type T = Tensor;
/** the most elements an op here builds as a JavaScript array on the host (index lists): larger is refused, not attempted */
export const HOST_MAX = 2 ** 27;
export function hostLimit(op: string, n: number): void {
  if (!(n <= HOST_MAX)) throw new TorchError(`${op}: the result would have ${n} elements, more than nodetorch builds on the host (${HOST_MAX})`);
}
/** a tensor's values on the host as numbers (int64's exact below 2^53), read in one transfer */
export function hostValues(t: T): Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array {
  const a = t.toTypedArray() as unknown;
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return Float64Array.from(a as BigInt64Array, Number);
  return a as Float64Array;
}
/** host numbers as a tensor of the dtype, shape and device asked for (through float64: exact for every value an op here makes) */
export function fromHost(vals: ArrayLike<number>, shape: readonly number[], dtype: DTypeName, device: Device): T {
  const f = vals instanceof Float64Array ? vals : Float64Array.from(vals);
  const t = C.tensor(f, { dtype: 'float64', device });
  return Sh.reshape(dtype === 'float64' ? t : E.toDtype(t, toDType(dtype)), shape.slice());
}
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;
const wrap = (d: number, n: number, op: string): number => {
  const m = Math.max(n, 1);
  if (!Number.isInteger(d) || d < -m || d >= m) throw new TorchError(`${op}: Dimension out of range (expected to be in range of [${-m}, ${m - 1}], but got ${d})`);
  return d < 0 ? d + m : d;
};
function sameDtype(a: T, b: T): void {
  if (a.dtype !== b.dtype) throw new TorchError(`expected scalar type ${E.typeName(a.dtype)} but found ${E.typeName(b.dtype)}`);
}

// ---- factories ---------------------------------------------------------------------------------------------------
function triIndices(op: string, lower: boolean, row: number, col: number, offset: number, dtype: DTypeName | null, device: DeviceName | Device | null, requiresGrad: boolean): T {
  for (const [n, v] of [['row', row], ['col', col], ['offset', offset]] as const) checkInt(v, op, n);
  if (row < 0) throw new TorchError(`row must be non-negative, got${row}`);
  if (col < 0) throw new TorchError(`col must be non-negative, got${col}`);
  const dt = toDType(dtype ?? 'int64');
  if (isFloating(dt) || dt === 'bool') throw new TorchError(`"${op}" not implemented for '${E.typeName(dt)}'`);
  if (requiresGrad) throw new TorchError('Only Tensors of floating point and complex dtype can require gradients');
  hostLimit(op, row * col);
  const rs: number[] = [], cs: number[] = [];
  for (let i = 0; i < row; i++) {
    for (let j = 0; j < col; j++) if (lower ? j - i <= offset : j - i >= offset) { rs.push(i); cs.push(j); }
  }
  return fromHost([...rs, ...cs], [2, rs.length], dt, toDevice(device ?? 'cpu'));
}
export function trilIndicesRow(row: number, col: number, offset: number, dtype: DTypeName | null, device: DeviceName | Device | null, requiresGrad: boolean): T {
  return triIndices('tril_indices', true, row, col, offset, dtype, device, requiresGrad);
}
export function triuIndicesRow(row: number, col: number, offset: number, dtype: DTypeName | null, device: DeviceName | Device | null, requiresGrad: boolean): T {
  return triIndices('triu_indices', false, row, col, offset, dtype, device, requiresGrad);
}

// ---- products ----------------------------------------------------------------------------------------------------
/** torch.cross(input, other, dim=None): dim None is the first dimension of size 3 (PyTorch 1.13's default, deprecated in
 *  its documentation in favour of linalg.cross's dim=-1); the operands broadcast, and must agree in dtype */
export function cross(input: T, other: T, dim: number | null): T {
  checkTensor(input, 'cross');
  checkTensor(other, 'cross', 'other');
  let d: number;
  if (dim === null) {
    d = input.shape.indexOf(3);
    if (d < 0) throw new TorchError('no dimension of size 3 in input');
  } else d = dim;
  if (input.ndim !== other.ndim) throw new TorchError('linalg.cross: inputs must have the same number of dimensions.');
  sameDtype(input, other);
  const dd = wrap(d, input.ndim, 'cross');
  if (input.shape[dd] !== 3 || other.shape[dd] !== 3) {
    throw new TorchError(`linalg.cross: inputs dimension ${d} must have length 3. Got ${input.shape[dd]} and ${other.shape[dd]}`);
  }
  const [a, b] = Sh.broadcastTensors(input, other);
  // (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0): the components rotated by index_select, seven ops in all
  const r1 = C.tensor([1, 2, 0], { device: a.device }), r2 = C.tensor([2, 0, 1], { device: a.device });
  const sel = (t: T, r: T): T => X.indexSelect(t, dd, r);
  return E.sub(E.mul(sel(a, r1), sel(b, r2)), E.mul(sel(a, r2), sel(b, r1)));
}

type Dims = number | readonly (number | readonly number[])[] | T;
/** torch.tensordot(a, b, dims=2): dims an int (the last dims of a with the first of b), a pair of lists, or a tensor of either */
export function tensordot(a: T, b: T, dims: Dims): T {
  checkTensor(a, 'tensordot', 'a');
  checkTensor(b, 'tensordot', 'b');
  let da: number[], db: number[];
  let dv: unknown = dims;
  if (dv instanceof Tensor) dv = dv.ndim === 0 ? dv.item() : dv.tolist();
  if (typeof dv === 'number') {
    if (!Number.isInteger(dv)) throw new TypeError(`tensordot(): argument 'dims' must be int or a pair of int lists, not ${dv}`);
    if (dv < 0) throw new TorchError(`tensordot expects dims >= 0, but got dims=${dv}`);
    if (dv > a.ndim || dv > b.ndim) throw new TorchError(`tensordot expects dims < ndim_a or ndim_b, but got dims=${dv}`);
    da = Array.from({ length: dv }, (_, i) => i - dv);
    db = Array.from({ length: dv }, (_, i) => i);
  } else if (Array.isArray(dv) && dv.length === 2) {
    const l = (x: unknown): number[] => (typeof x === 'number' ? [x] : Array.isArray(x) ? x.slice() : (() => { throw new TypeError(`tensordot(): argument 'dims' must be int or a pair of int lists, not ${String(x)}`); })());
    da = l(dv[0]);
    db = l(dv[1]);
  } else throw new TypeError(`tensordot(): argument 'dims' must be int or a pair of int lists, not ${Array.isArray(dv) ? `a list of ${dv.length}` : typeof dv}`);
  if (da.length !== db.length) throw new TorchError('both dimension lists should have same length');
  sameDtype(a, b);
  const wa = da.map((d) => wrap(d, a.ndim, 'tensordot')), wb = db.map((d) => wrap(d, b.ndim, 'tensordot'));
  let n = 1;
  for (let i = 0; i < wa.length; i++) {
    if (a.shape[wa[i]] !== b.shape[wb[i]]) {
      throw new TorchError(`contracted dimensions need to match, but first has size ${a.shape[wa[i]]} in dim ${da[i]} and second has size ${b.shape[wb[i]]} in dim ${db[i]}`);
    }
    n *= a.shape[wa[i]];
  }
  const fa = [...Array(a.ndim).keys()].filter((i) => !wa.includes(i)), fb = [...Array(b.ndim).keys()].filter((i) => !wb.includes(i));
  const sa = fa.map((i) => a.shape[i]), sb = fb.map((i) => b.shape[i]);
  const ma = Sh.reshape(Sh.permute(a, [...fa, ...wa]), [sa.reduce((x, y) => x * y, 1), n]);
  const mb = Sh.reshape(Sh.permute(b, [...wb, ...fb]), [n, sb.reduce((x, y) => x * y, 1)]);
  return Sh.reshape(M.mm(ma, mb), [...sa, ...sb]);
}

/** torch.inner(input, other): a sum product over the last dimensions (a 0-d operand: input * other) */
export function inner(input: T, other: T): T {
  checkTensor(input, 'inner');
  checkTensor(other, 'inner', 'other');
  if (input.ndim === 0 || other.ndim === 0) return E.mul(input, other);
  if (input.shape[input.ndim - 1] !== other.shape[other.ndim - 1]) {
    throw new TorchError(`inner() the last dimension must match on both input tensors but got shapes ${shp(input.shape)} and ${shp(other.shape)}`);
  }
  return tensordot(input, other, [[-1], [-1]]);
}

/** torch.vdot(input, other): the dot product of two 1-D tensors (real dtypes: no conjugation) */
export function vdot(input: T, other: T): T {
  checkTensor(input, 'vdot');
  checkTensor(other, 'vdot', 'other');
  if (input.ndim !== 1 || other.ndim !== 1) throw new TorchError(`1D tensors expected, but got ${input.ndim}D and ${other.ndim}D tensors`);
  if (input.dtype !== other.dtype) throw new TorchError(`dot : expected both vectors to have same dtype, but found ${E.typeName(input.dtype)} and ${E.typeName(other.dtype)}`);
  if (input.shape[0] !== other.shape[0]) {
    throw new TorchError(`inconsistent tensor size, expected tensor [${input.shape[0]}] and src [${other.shape[0]}] to have the same number of elements, but got ${input.shape[0]} and ${other.shape[0]} elements respectively`);
  }
  return M.dot(input, other);
}

let chainWarned = false;
/** the tensors of a varargs call (f(a, b), f([a, b]), and an options object last) */
function varTensors(op: string, args: unknown[]): { ts: T[]; opts: Record<string, unknown> } {
  let opts: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !(last instanceof Tensor) && !Array.isArray(last)) {
    opts = last as Record<string, unknown>;
    args = args.slice(0, -1);
  }
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  ts.forEach((t, i) => { if (!(t instanceof Tensor)) throw new TypeError(`${op}(): expected Tensor as element ${i} in argument 0, but got ${t === null ? 'None' : typeof t}`); });
  return { ts: ts as T[], opts };
}
function takeOut(op: string, opts: Record<string, unknown>, allowed: string[]): T | undefined {
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new TypeError(`${op}(): unexpected option '${k}'`);
  const out = opts.out;
  if (out !== undefined && out !== null && !(out instanceof Tensor)) throw new TypeError(`${op}(): argument 'out' must be Tensor`);
  return out === null ? undefined : out as T | undefined;
}
/** torch.chainMatmul(...matrices, { out }): the product of the 2-D matrices (deprecated in PyTorch: linalg.multi_dot) */
export function chainMatmul(...args: unknown[]): T {
  const { ts, opts } = varTensors('chain_matmul', args);
  const out = takeOut('chain_matmul', opts, ['out']);
  if (!chainWarned) {
    chainWarned = true;
    process.emitWarning('torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple parameters.', 'UserWarning');
  }
  if (ts.length === 0) throw new TorchError('chain_matmul(): Expected one or more matrices');
  ts.forEach((t, i) => { if (t.ndim !== 2) throw new TorchError(`Tensor dimension is ${t.ndim}, expected 2 instead.`); void i; });
  const run = (): T => {
    if (ts.length === 1) return E.clone(ts[0]);
  for (let i = 0; i + 1 < ts.length; i++) {
    if (ts[i].dtype !== ts[0].dtype || ts[i + 1].dtype !== ts[0].dtype) throw new TorchError(`multi_dot(): all tensors must have be the same dtype but tensor 0 is ${ts[0].dtype} and tensor ${ts[i].dtype === ts[0].dtype ? i + 1 : i} ${ts[i].dtype === ts[0].dtype ? ts[i + 1].dtype : ts[i].dtype}`);
    if (ts[i].shape[1] !== ts[i + 1].shape[0]) {
      throw new TorchError(`multi_dot(): tensors ${i} and ${i + 1} with shapes ${shp(ts[i].shape)} and ${shp(ts[i + 1].shape)} cannot be multiplied`);
    }
  }
    let r = ts[0];
    for (let i = 1; i < ts.length; i++) r = M.mm(r, ts[i]);
    return r;
  };
  return out ? writeOut('chain_matmul', out, ts, run) : run();
}

/** torch.blockDiag(...tensors): the tensors (0-, 1- or 2-D) on the diagonal of one matrix, zeros elsewhere */
export function blockDiag(...args: unknown[]): T {
  const { ts, opts } = varTensors('block_diag', args);
  takeOut('block_diag', opts, []);
  ts.forEach((t, i) => { if (t.ndim > 2) throw new TorchError(`torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ${i} has ${t.ndim} dimensions`); });
  if (ts.length === 0) return C.zeros([1, 0]);
  const dev = ts[0].device;
  ts.forEach((t, i) => { if (!t.device.equals(dev)) throw new TorchError(`torch.block_diag: input tensors must all be on the same device. Input 0 is on device ${dev} and input ${i} is on device ${t.device}.`); });
  const dt = E.promoted(ts);
  const mats = ts.map((t) => (t.ndim === 2 ? t : Sh.reshape(t, [1, t.numel()])));
  const cols = mats.reduce((s, m) => s + m.shape[1], 0);
  let before = 0;
  const rows = mats.map((m) => {
    const r = m.shape[0], c = m.shape[1];
    const parts: T[] = [];
    if (before > 0) parts.push(C.zeros([r, before], { dtype: dt, device: dev }));
    parts.push(E.toDtype(m, dt));
    if (cols - before - c > 0) parts.push(C.zeros([r, cols - before - c], { dtype: dt, device: dev }));
    before += c;
    return parts.length === 1 ? parts[0] : Sh.cat(parts, 1);
  });
  const r = Sh.cat(rows, 0);
  return r === mats[0] ? E.clone(r) : r;
}

// ---- shape ---------------------------------------------------------------------------------------------------------
/** torch.rot90(input, k=1, dims=[0, 1]): rotated by 90 degrees k times, from the first dim towards the second */
export function rot90(input: T, k: number, dims: number[]): T {
  checkTensor(input, 'rot90');
  checkInt(k, 'rot90', 'k');
  const n = input.ndim;
  if (dims.length !== 2) throw new TorchError(`expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (n < 2) throw new TorchError(`expected total dims >= 2, but got total dims = ${n}`);
  const [d0, d1] = dims;
  if (d0 === d1 || Math.abs(d0 - d1) === n) throw new TorchError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
  if (!(d0 < n && d0 >= -n)) throw new TorchError(`Rotation dim0 out of range, dim0 = ${d0}`);
  if (!(d1 < n && d1 >= -n)) throw new TorchError(`Rotation dim1 out of range, dim1 = ${d1}`);
  const kk = (4 + (k % 4)) % 4;
  if (kk === 1) return Sh.transpose(Sh.flip(input, [d1]), d0, d1);
  if (kk === 2) return Sh.flip(input, [d0, d1]);
  if (kk === 3) return Sh.transpose(Sh.flip(input, [d0]), d0, d1);
  return E.clone(input);
}

/** torch.diff(input, n=1, dim=-1, prepend=None, append=None): the n-th forward difference along dim (bool: xor) */
export function diff(input: T, n: number, dim: number, prepend: T | null, append: T | null): T {
  checkTensor(input, 'diff');
  checkInt(n, 'diff', 'n');
  if (input.ndim < 1) throw new TorchError('diff expects input to be at least one-dimensional');
  for (const p of [prepend, append]) {
    if (p !== null && (!(p instanceof Tensor) || p.ndim !== input.ndim)) throw new TorchError('diff expects prepend or append to be the same dimension as input');
  }
  const d = wrap(dim, input.ndim, 'diff');
  let x = prepend || append ? Sh.cat([...(prepend ? [prepend] : []), input, ...(append ? [append] : [])], d) : input;
  for (let i = 0; i < n && x.shape[d] > 0; i++) {
    const len = x.shape[d] - 1;
    const hi = Sh.narrow(x, d, 1, len), lo = Sh.narrow(x, d, 0, len);
    x = x.dtype === 'bool' ? E.ne(hi, lo) : E.sub(hi, lo);
  }
  if (n > 0 && x.shape[d] === 0 && x === input) x = Sh.narrow(input, d, 0, 0);
  return x === input ? E.clone(input) : x;
}

/** repeat_interleave's index: 0..len-1, each repeated by repeats (a 1-D int32/int64 tensor); PyTorch's one-argument form */
export function repeatInterleaveIndex(repeats: T, outputSize: number | null): T {
  checkTensor(repeats, 'repeat_interleave', 'repeats');
  if (repeats.ndim !== 1) throw new TorchError('repeat_interleave only accept 1D vector as repeat');
  if (repeats.dtype !== 'int64' && repeats.dtype !== 'int32') throw new TorchError(`"repeat_interleave_cpu" not implemented for '${E.typeName(repeats.dtype)}'`);
  const rs = hostValues(repeats);
  let total = 0;
  for (const r of rs) { if (r < 0) throw new TorchError('repeats can not be negative'); total += r; }
  hostLimit('repeat_interleave', total);
  if (outputSize !== null && outputSize !== total) throw new TorchError('allocated size does not match required size');
  const idx = new Float64Array(total);
  let k = 0;
  rs.forEach((r, i) => { idx.fill(i, k, k + r); k += r; });
  return fromHost(idx, [total], repeats.dtype, repeats.device);
}
/** torch.repeatInterleave(input, repeats, dim=None, { outputSize }): each element (slice along dim) repeated; an index_select */
export function repeatInterleave(input: T, repeats: number | T, dim: number | null, outputSize: number | null): T {
  checkTensor(input, 'repeat_interleave');
  let x = input, d: number;
  if (dim === null) { x = Sh.flatten(input); d = 0; } else d = wrap(dim, input.ndim, 'repeat_interleave');
  const len = x.ndim === 0 ? 1 : x.shape[d];
  let reps: T;
  if (typeof repeats === 'number') {
    checkInt(repeats, 'repeat_interleave', 'repeats');
    if (repeats < 0) throw new TorchError('repeats can not be negative');
    reps = C.full([len], repeats, { dtype: 'int64' });
  } else {
    checkTensor(repeats, 'repeat_interleave', 'repeats');
    if (repeats.ndim === 0 || (repeats.ndim === 1 && repeats.shape[0] === 1)) reps = Sh.expand(Sh.reshape(repeats, [1]), [len]);
    else if (repeats.ndim === 1 && repeats.shape[0] !== len) throw new TorchError('repeats must have the same size as input along dim');
    else reps = repeats;
  }
  const idx = repeatInterleaveIndex(reps, outputSize);
  return X.indexSelect(x.ndim === 0 ? Sh.reshape(x, [1]) : x, d, E.toDtype(idx, 'int64'));
}

/** torch.takeAlongDim(input, indices, dim=None): gather along dim with input and indices broadcast (dim None: flattened) */
export function takeAlongDim(input: T, indices: T, dim: number | null): T {
  checkTensor(input, 'take_along_dim');
  checkTensor(indices, 'take_along_dim', 'indices');
  if (indices.dtype !== 'int64') throw new TorchError(`torch.take_along_dim(): dtype of indices should be Long but got ${E.typeName(indices.dtype)}`);
  if (dim === null) return X.gather(Sh.reshape(input, [-1]), 0, Sh.reshape(indices, [-1]));
  if (input.ndim !== indices.ndim) {
    throw new TorchError(`torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${input.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`);
  }
  const d = wrap(dim, input.ndim, 'take_along_dim');
  const s = input.shape.slice();
  s[d] = indices.shape[d];
  const bshape = broadcastShapes(s, indices.shape, 'take_along_dim');
  const ib = Sh.expand(indices, bshape);
  const xs = bshape.slice();
  xs[d] = input.shape[d];
  return X.gather(Sh.expand(input, xs), d, ib);
}

/** Tensor.unfold(dimension, size, step): a view with every slice of size `size` (step apart) along dimension, as a new last dim */
export function unfold(input: T, dimension: number, size: number, step: number): T {
  checkTensor(input, 'unfold');
  checkInt(dimension, 'unfold', 'dimension'); checkInt(size, 'unfold', 'size'); checkInt(step, 'unfold', 'step');
  const d = wrap(dimension, input.ndim, 'unfold');
  const max = input.ndim === 0 ? 1 : input.shape[d];
  if (size > max) throw new TorchError(`maximum size for tensor at dimension ${d} is ${max} but size is ${size}`);
  if (size < 0) throw new TorchError(`size is ${size} but must be >= 0`);
  if (step <= 0) throw new TorchError(`step is ${step} but must be > 0`);
  if (input.ndim === 0) return Sh.asStrided(input, [size], [1], input._offset);
  const sizes = input.shape.slice(), strides = input._strides.slice();
  sizes[d] = Math.floor((input.shape[d] - size) / step) + 1;
  strides[d] = step * input._strides[d];
  sizes.push(size);
  strides.push(input._strides[d]);
  return Sh.asStrided(input, sizes, strides, input._offset);
}

/** torch.ravel(input): flattened, a view where reshape gives one */
export function ravel(input: T): T { checkTensor(input, 'ravel'); return Sh.reshape(input, [-1]); }

function atleast(op: string, f: (t: T) => T, args: unknown[]): T | T[] {
  const one = args.length === 1 && args[0] instanceof Tensor;
  const { ts, opts } = varTensors(op, args);
  takeOut(op, opts, []);
  const r = ts.map(f);
  return one ? r[0] : r;
}
const at1 = (t: T): T => (t.ndim === 0 ? Sh.reshape(t, [1]) : t);
const at2 = (t: T): T => (t.ndim === 0 ? Sh.reshape(t, [1, 1]) : t.ndim === 1 ? Sh.unsqueeze(t, 0) : t);
const at3 = (t: T): T => (t.ndim === 0 ? Sh.reshape(t, [1, 1, 1]) : t.ndim === 1 ? Sh.unsqueeze(Sh.unsqueeze(t, 0), -1) : t.ndim === 2 ? Sh.unsqueeze(t, -1) : t);
/** torch.atleast1d(t) / atleast1d(a, b, ...) / atleast1d([a, b]): each with at least one dimension (a view); one tensor gives a tensor, more a list */
export function atleast1d(t: T): T;
export function atleast1d(...tensors: (T | readonly T[])[]): T[];
export function atleast1d(...args: unknown[]): T | T[] { return atleast('atleast_1d', at1, args); }
/** torch.atleast2d: as atleast1d, at least two dimensions (a 1-D tensor becomes a row) */
export function atleast2d(t: T): T;
export function atleast2d(...tensors: (T | readonly T[])[]): T[];
export function atleast2d(...args: unknown[]): T | T[] { return atleast('atleast_2d', at2, args); }
/** torch.atleast3d: as atleast1d, at least three dimensions (1-D [n] -> [1, n, 1], 2-D [m, n] -> [m, n, 1]) */
export function atleast3d(t: T): T;
export function atleast3d(...tensors: (T | readonly T[])[]): T[];
export function atleast3d(...args: unknown[]): T | T[] { return atleast('atleast_3d', at3, args); }

function nonEmpty(op: string, tensors: readonly T[]): void {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}(): argument 'tensors' must be tuple of Tensors`);
  if (tensors.length === 0) throw new TorchError(`${op} expects a non-empty TensorList`);
  tensors.forEach((t, i) => checkTensor(t, op, `tensors[${i}]`));
}
export function dstack(tensors: readonly T[]): T { nonEmpty('dstack', tensors); return Sh.cat(tensors.map(at3), 2); }
export function columnStack(tensors: readonly T[]): T {
  nonEmpty('column_stack', tensors);
  return Sh.hstack(tensors.map((t) => (t.ndim <= 1 ? Sh.reshape(t, [t.numel(), 1]) : t)));
}
export function rowStack(tensors: readonly T[]): T { nonEmpty('row_stack', tensors); return Sh.vstack(tensors); }

function dirSplit(op: string, need: number, dimOf: (x: T) => number, input: T, sections: number | number[]): T[] {
  checkTensor(input, op);
  if (input.ndim < need) {
    throw new TorchError(`torch.${op} requires a tensor with at least ${need} dimension${op === 'hsplit' ? '' : ''}, but got a tensor with ${input.ndim} dimensions!`);
  }
  const d = dimOf(input);
  if (typeof sections === 'number') {
    checkInt(sections, op, 'sections');
    if (sections === 0 || input.shape[d] % sections !== 0) {
      throw new TorchError(`torch.${op} attempted to split along dimension ${d}, but the size of the dimension ${input.shape[d]} is not divisible by the split_size ${sections}!`);
    }
  }
  return Sh.tensorSplit(input, sections, d);
}
export function hsplit(input: T, sections: number | number[]): T[] { return dirSplit('hsplit', 1, (x) => (x.ndim === 1 ? 0 : 1), input, sections); }
export function vsplit(input: T, sections: number | number[]): T[] { return dirSplit('vsplit', 2, () => 0, input, sections); }
export function dsplit(input: T, sections: number | number[]): T[] { return dirSplit('dsplit', 3, () => 2, input, sections); }

export function splitWithSizes(input: T, splitSizes: number[], dim: number): T[] {
  checkTensor(input, 'split_with_sizes');
  const d = wrap(dim, input.ndim, 'split_with_sizes');
  const total = splitSizes.reduce((a, b) => a + b, 0);
  if (total !== input.shape[d] || splitSizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TorchError(`split_with_sizes expects split_sizes to sum exactly to ${input.shape[d]} (input tensor's size at dimension ${dim}), but got split_sizes=${shp(splitSizes)}`);
  }
  return Sh.split(input, splitSizes, d);
}
export function unsafeChunk(input: T, chunks: number, dim: number): T[] { return Sh.chunk(input, chunks, dim); }
export function unsafeSplit(input: T, splitSize: number, dim: number): T[] { return Sh.split(input, splitSize, dim); }

/** Tensor.sumToSize(...size): summed down to size (a shape the tensor expands from) */
export function sumToSizeRow(input: T, size: number | readonly number[]): T {
  checkTensor(input, 'sum_to_size');
  const s = typeof size === 'number' ? [size] : size.slice();
  const n = input.ndim, m = s.length;
  const ok = m <= n && s.every((v, i) => v === input.shape[n - m + i] || v === 1);
  if (!ok) throw new TorchError(`size {${shp(s)}} is not expandable to size {${shp(input.shape)}}.`);
  const r = sumToShape(input, s);
  return r;
}

// ---- the *_scatter ops: input with src written into one of its views -------------------------------------------------
function scatterInto(name: string, input: T, src: T, view: (t: T) => T, again: (g: T, s: T) => T): T {
  checkTensor(input, name);
  checkTensor(src, name, 'src');
  const probe = view(input.detach());
  if (probe.shape.length !== src.shape.length || probe.shape.some((s, i) => s !== src.shape[i])) {
    throw new TorchError(`expected src to have a size equal to the slice of self. src size = ${shp(src.shape)}, slice size = ${shp(probe.shape)}`);
  }
  const out = noGrad(() => {
    const o = E.clone(input);
    E.copy_(view(o), src);
    return o;
  });
  const bw = `${name.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}Backward0`;
  return record(bw, [input, src], out, (g) => [again(g, C.zerosLike(src)), E.contiguous(view(g))]);
}
export function selectScatter(input: T, src: T, dim: number, index: number): T {
  return scatterInto('select_scatter', input, src, (t) => Sh.select(t, dim, index), (g, s) => selectScatter(g, s, dim, index));
}
export function sliceScatter(input: T, src: T, dim: number, start: number | null, end: number | null, step: number): T {
  return scatterInto('slice_scatter', input, src, (t) => Sh.slice(t, dim, start, end, step), (g, s) => sliceScatter(g, s, dim, start, end, step));
}
export function diagonalScatter(input: T, src: T, offset: number, dim1: number, dim2: number): T {
  return scatterInto('diagonal_scatter', input, src, (t) => Sh.diagonal(t, offset, dim1, dim2), (g, s) => diagonalScatter(g, s, offset, dim1, dim2));
}

// ---- copies of views: narrow_copy and PyTorch 1.13's *_copy functions (the view's values in new memory) --------------
const copyOf = (v: T): T => E.clone(v);
export function narrowCopy(input: T, dim: number, start: number, length: number): T { return copyOf(Sh.narrow(input, dim, start, length)); }
export function viewCopyRow(input: T, size: number | readonly number[]): T { return copyOf(Sh.view(input, typeof size === 'number' ? [size] : size.slice())); }
export function viewCopyDtype(input: T, dtype: DTypeName): T { return copyOf(Sh.view(input, dtype)); }
export function permuteCopy(input: T, dims: number[]): T { return copyOf(Sh.permute(input, dims)); }
export function transposeCopy(input: T, dim0: number, dim1: number): T { return copyOf(Sh.transpose(input, dim0, dim1)); }
export function tCopy(input: T): T { return copyOf(Sh.t(input)); }
export function diagonalCopy(input: T, offset: number, dim1: number, dim2: number): T { return copyOf(Sh.diagonal(input, offset, dim1, dim2)); }
export function expandCopy(input: T, size: number[], implicit: boolean): T { void implicit; return copyOf(Sh.expand(input, size)); }
export function selectCopy(input: T, dim: number, index: number): T { return copyOf(Sh.select(input, dim, index)); }
export function sliceCopy(input: T, dim: number, start: number | null, end: number | null, step: number): T { return copyOf(Sh.slice(input, dim, start, end, step)); }
export function squeezeCopy(input: T, dim: number | number[] | null): T { return copyOf(Sh.squeeze(input, dim)); }
export function unsqueezeCopy(input: T, dim: number): T { return copyOf(Sh.unsqueeze(input, dim)); }
export function unfoldCopy(input: T, dimension: number, size: number, step: number): T { return copyOf(unfold(input, dimension, size, step)); }
export function aliasCopy(input: T): T { checkTensor(input, 'alias_copy'); return E.clone(input); }
export function detachCopy(input: T): T { checkTensor(input, 'detach_copy'); return E.clone(input.detach()); }
export function asStridedCopy(input: T, size: number[], stride: number[], storageOffset: number | null): T {
  return copyOf(Sh.asStrided(input, size, stride, storageOffset ?? undefined));
}
export function splitCopy(input: T, splitSize: number, dim: number): T[] { return Sh.split(input, splitSize, dim).map(copyOf); }
export function splitWithSizesCopy(input: T, splitSizes: number[], dim: number): T[] { return splitWithSizes(input, splitSizes, dim).map(copyOf); }
export function unbindCopy(input: T, dim: number): T[] { return Sh.unbind(input, dim).map(copyOf); }

// ---- in-place transposes: they change self's geometry, not its elements (as squeeze_/unsqueeze_: not the in-place
// protocol's); a leaf that requires grad refuses them, as PyTorch's; otherwise self takes the view's gradient node ----
function geometryInplace(self: T, r: T): T {
  if (self.requiresGrad && self.gradFn === null) throw new TorchError('a leaf Variable that requires grad is being used in an in-place operation.');
  (self as { shape: number[] }).shape.splice(0, self.ndim, ...r.shape);
  self._strides = r._strides.slice();
  if (r.gradFn) self._setGradFn(r.gradFn);
  return self;
}
declare module '../tensor' {
  interface Tensor {
    /** x.transpose_(dim0, dim1): x itself becomes its transpose (a geometry change, no copy) */
    transpose_(dim0: number, dim1: number): Tensor;
    /** x.swapaxes_(axis0, axis1): transpose_ */
    swapaxes_(axis0: number, axis1: number): Tensor;
    /** x.swapdims_(dim0, dim1): transpose_ */
    swapdims_(dim0: number, dim1: number): Tensor;
    /** x.t_(): x itself becomes x.t() */
    t_(): Tensor;
  }
}
const P = Tensor.prototype as unknown as Record<string, unknown>;
// (PyTorch's keyword names, as keywords.ts's methods: x.transpose_({ dim0: 0, dim1: 1 }))
P.transpose_ = withKeywords('transpose_', 'dim0, dim1', function (this: T, dim0: number, dim1: number): T { return geometryInplace(this, Sh.transpose(this, dim0, dim1)); });
P.swapaxes_ = withKeywords('swapaxes_', 'axis0, axis1', function (this: T, axis0: number, axis1: number): T { return geometryInplace(this, Sh.transpose(this, axis0, axis1)); });
P.swapdims_ = withKeywords('swapdims_', 'dim0, dim1', function (this: T, dim0: number, dim1: number): T { return geometryInplace(this, Sh.transpose(this, dim0, dim1)); });
P.t_ = function (this: T): T { return geometryInplace(this, Sh.t(this)); };

