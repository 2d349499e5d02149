// memory_format.ts - PyTorch's memory formats (torch.contiguous_format, channels_last, channels_last_3d,
// preserve_format) on nodetorch's strided tensors: the stride rules of c10 (is_contiguous(memory_format),
// is_channels_last_strides_2d/3d, suggest_memory_format, is_non_overlapping_and_dense, infer_dense_strides), the
// output layout of TensorIterator (fast setup and reorder_dimensions) for the elementwise kernels, and the Tensor
// API: contiguous / isContiguous / clone / to with { memoryFormat }, and the tensor-creation options.
//
// Scope (README "Memory format"): a freshly allocated output takes PyTorch's strides when those are channels-last
// (4-d) or channels-last-3d (5-d) strides; any other permuted layout PyTorch would propagate (a transposed 2-d input,
// say) still gives a contiguous output here, as before.
import { Tensor, Operand, allocStorage, computeContiguousStrides, empty_, numelOf, rawView } from './tensor';
import { DType, ITEMSIZE, describeValue } from './dtype';
import { Device } from './device';
import { TorchError } from './errors';

export type MemoryFormat = 'contiguousFormat' | 'channelsLast' | 'channelsLast3d' | 'preserveFormat';
/** torch.contiguous_format: row-major (C order) strides */
export const contiguousFormat: MemoryFormat = 'contiguousFormat';
/** torch.channels_last: NHWC memory order of a 4-d [N, C, H, W] tensor */
export const channelsLast: MemoryFormat = 'channelsLast';
/** torch.channels_last_3d: NDHWC memory order of a 5-d [N, C, D, H, W] tensor */
export const channelsLast3d: MemoryFormat = 'channelsLast3d';
/** torch.preserve_format: the layout of the input (the default of clone, *Like and to) */
export const preserveFormat: MemoryFormat = 'preserveFormat';
const FORMATS: readonly string[] = ['contiguousFormat', 'channelsLast', 'channelsLast3d', 'preserveFormat'];

export function toMemoryFormat(v: unknown, op: string): MemoryFormat {
  if (typeof v === 'string' && FORMATS.includes(v)) return v as MemoryFormat;
  throw new TypeError(`${op}(): argument 'memory_format' must be torch.memory_format (torch.contiguousFormat, torch.channelsLast, torch.channelsLast3d or torch.preserveFormat), not ${describeValue(v)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// stride rules (c10/core/MemoryFormat.h, TensorImpl.cpp)
// ---------------------------------------------------------------------------------------------------------------
const CL2D = [1, 3, 2, 0], CL3D = [1, 4, 3, 2, 0];

/** get_channels_last_strides_2d / _3d */
export function channelsLastStrides(shape: readonly number[]): number[] {
  const order = shape.length === 4 ? CL2D : shape.length === 5 ? CL3D : null;
  if (!order) throw new TorchError(`channels_last strides need a rank 4 (channels_last) or rank 5 (channels_last_3d) tensor, got [${shape.join(', ')}]`);
  const st = new Array<number>(shape.length);
  let s = 1;
  for (const d of order) { st[d] = s; s *= shape[d]; }
  return st;
}

/** the strides of an empty tensor of `shape` in memory format `fmt` (not preserve) */
export function stridesFor(shape: readonly number[], fmt: MemoryFormat, op: string): number[] {
  if (fmt === 'channelsLast') {
    if (shape.length !== 4) throw new TorchError(`${op}: required rank 4 tensor to use channels_last format, got a tensor of shape [${shape.join(', ')}]`);
    return channelsLastStrides(shape);
  }
  if (fmt === 'channelsLast3d') {
    if (shape.length !== 5) throw new TorchError(`${op}: required rank 5 tensor to use channels_last_3d format, got a tensor of shape [${shape.join(', ')}]`);
    return channelsLastStrides(shape);
  }
  return computeContiguousStrides(shape);
}

/** is_contiguous(memory_format): size-1 dims may have any stride */
export function isContiguousAs(shape: readonly number[], strides: readonly number[], fmt: MemoryFormat): boolean {
  let order: number[];
  if (fmt === 'contiguousFormat') order = shape.map((_, i) => shape.length - 1 - i);
  else if (fmt === 'channelsLast') { if (shape.length !== 4) return false; order = CL2D; }
  else if (fmt === 'channelsLast3d') { if (shape.length !== 5) return false; order = CL3D; }
  else throw new TorchError('isContiguous(): memory format torch.preserveFormat is not supported (use contiguousFormat, channelsLast or channelsLast3d)');
  if (fmt === 'contiguousFormat' && numelOf(shape) === 0) return true;
  let expected = 1;
  for (const d of order) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** is_channels_last_strides_2d_s4 / _3d_s5: whether the strides order the dims as channels-last (ambiguous cases
 *  default to contiguous, as PyTorch's) */
export function isStridesLikeChannelsLast(shape: readonly number[], strides: readonly number[]): boolean {
  const order = shape.length === 4 ? CL2D : shape.length === 5 ? CL3D : null;
  if (!order) return false;
  if (strides[1] === 0) return false;
  let min = 0;
  for (const d of order) {
    if (shape[d] === 0) return false;
    if (strides[d] < min) return false;
    if (d === 0 && min === strides[1]) return false;
    min = strides[d];
    if (shape[d] > 1) min *= shape[d];
  }
  return true;
}

/** suggest_memory_format(): channelsLast / channelsLast3d when the strides are like it, else contiguousFormat */
export function suggestMemoryFormat(t: { shape: readonly number[]; _strides: readonly number[] }, exactMatch = false): MemoryFormat {
  if (!isStridesLikeChannelsLast(t.shape, t._strides)) return 'contiguousFormat';
  if (exactMatch) {
    const cl = channelsLastStrides(t.shape);
    if (!cl.every((s, i) => s === t._strides[i])) return 'contiguousFormat';
  }
  return t.shape.length === 4 ? 'channelsLast' : 'channelsLast3d';
}

/** is_non_overlapping_and_dense */
export function isNonOverlappingAndDense(shape: readonly number[], strides: readonly number[]): boolean {
  const nd = shape.length;
  if (nd === 1) return shape[0] < 2 || strides[0] === 1;
  const perm = shape.map((_, i) => i);
  perm.sort((a, b) => {
    if (shape[a] < 2) return shape[b] < 2 ? 0 : 1;
    if (shape[b] < 2) return -1;
    return strides[a] - strides[b];
  });
  let req = 1;
  for (const p of perm) {
    if (shape[p] < 2) return true;
    if (strides[p] !== req) return false;
    req *= shape[p];
  }
  return true;
}

/** infer_dense_strides: dense strides in the stride order of the given ones (TensorIterator's sort) */
export function inferDenseStrides(shape: readonly number[], strides: readonly number[]): number[] {
  const nd = shape.length;
  if (nd === 0) return [];
  if (nd === 1) return [1];
  const perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  const swap = (d0: number, d1: number): number => {
    const s0 = strides[d0], s1 = strides[d1];
    if (s0 === 0 || s1 === 0) return 0;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    return shape[d0] > shape[d1] ? 1 : 0;
  };
  for (let i = 1; i < nd; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = swap(perm[d0], perm[d1]);
      if (c > 0) { [perm[d0], perm[d1]] = [perm[d1], perm[d0]]; d1 = d0; } else if (c < 0) break;
    }
  }
  const out = new Array<number>(nd);
  let cur = 1;
  for (const p of perm) { out[p] = cur; if (shape[p] > 1) cur *= shape[p]; }
  return out;
}

const isContig = (shape: readonly number[], strides: readonly number[]): boolean => isContiguousAs(shape, strides, 'contiguousFormat');
// the strides nodetorch adopts for a new output: PyTorch's when they are channels-last(-3d), else null (contiguous)
const accept = (shape: readonly number[], st: number[]): number[] | null =>
  (!isContig(shape, st) && isStridesLikeChannelsLast(shape, st) ? st : null);

/** The strides of empty_like(t, preserve_format) (also clone and to): t's own when they are dense, else dense ones
 *  in t's stride order; null for contiguous. */
export function preserveStrides(t: { shape: readonly number[]; _strides: readonly number[] }): number[] | null {
  const { shape, _strides: st } = t;
  if (shape.includes(0)) return null;
  if (isContig(shape, st)) {
    // contiguous, but a size-1 dim may carry another stride ([1, 3] with strides [1, 1]): kept, as empty_like does
    const c = computeContiguousStrides(shape);
    return st.every((v, i) => v === c[i]) ? null : st.slice();
  }
  // a dense layout (a transposed or permuted tensor) keeps its exact strides, at every rank, as empty_like's
  if (isNonOverlappingAndDense(shape, st)) return st.slice();
  if (shape.length !== 4 && shape.length !== 5) return null;
  return accept(shape, inferDenseStrides(shape, st));
}

/** The strides TensorIterator gives the output of an elementwise op over `ins` (the operands before broadcasting:
 *  tensors, or 0-d scalars), of broadcast shape `shape`; null for contiguous. */
export function iterStrides(shape: readonly number[], ins: readonly Operand[]): number[] | null {
  const nd = shape.length;
  if (nd !== 4 && nd !== 5) return null;
  let allContig = true;
  for (const t of ins) if (t.shape.length > 0 && !isContig(t.shape, t._strides)) { allContig = false; break; }
  if (allContig) return null;
  // fast setup: every operand of the output's shape (no 0-d scalars among them)
  let same = true;
  for (const t of ins) if (t.shape.length !== nd || t.shape.some((s, i) => s !== shape[i])) { same = false; break; }
  if (same) {
    const fmt: MemoryFormat = nd === 4 ? 'channelsLast' : 'channelsLast3d';
    if (ins.every((t) => isContiguousAs(t.shape, t._strides, fmt))) return channelsLastStrides(shape);
    if (ins.every((t) => isNonOverlappingAndDense(t.shape, t._strides))) {
      const s0 = ins[ins.length - 1]._strides;
      if (ins.every((t) => t._strides.every((s, i) => s === s0[i]))) return accept(shape, s0.slice());
    }
  }
  // reorder_dimensions: the operands' strides (0 where broadcast), compared dim by dim in operand order
  const ops: number[][] = ins.map((t) => {
    const off = nd - t.shape.length;
    const st = new Array<number>(nd).fill(0);
    for (let i = 0; i < t.shape.length; i++) st[off + i] = t.shape[i] === 1 && shape[off + i] !== 1 ? 0 : t._strides[i] * ITEMSIZE[t.dtype];
    return st;
  });
  const perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  const swap = (d0: number, d1: number): number => {
    for (const st of ops) {
      const s0 = st[d0], s1 = st[d1];
      if (s0 === 0 || s1 === 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
  };
  for (let i = 1; i < nd; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const c = swap(perm[d0], perm[d1]);
      if (c > 0) { [perm[d0], perm[d1]] = [perm[d1], perm[d0]]; d1 = d0; } else if (c < 0) break;
    }
  }
  if (perm.every((p, j) => p === nd - 1 - j)) return null;
  const out = new Array<number>(nd);
  let cur = 1;
  for (const p of perm) { out[p] = cur; cur *= shape[p]; }
  return accept(shape, out);
}

// ---------------------------------------------------------------------------------------------------------------
// allocation
// ---------------------------------------------------------------------------------------------------------------
/** an uninitialised tensor of `shape` with the given dense strides (null: contiguous) */
export function emptyStrided_(shape: number[], strides: number[] | null, dtype: DType, device: Device, zero = false): Tensor {
  if (strides === null) return empty_(shape, dtype, device, zero);
  const st = allocStorage(numelOf(shape) * ITEMSIZE[dtype], device, zero, true);
  return new Tensor(st, shape, strides, 0, dtype, st.handle as unknown as Tensor['_tok']);
}

/** the strides for a new tensor like `t` in format `fmt` (preserve: PyTorch's empty_like rule); null = contiguous */
export function likeStrides(t: { shape: readonly number[]; _strides: readonly number[] }, fmt: MemoryFormat, op: string): number[] | null {
  if (fmt === 'preserveFormat') return preserveStrides(t);
  if (fmt === 'contiguousFormat') return null;
  return stridesFor(t.shape, fmt, op);
}

/** the output of an elementwise op over `ins`, laid out as TensorIterator lays it out */
export function emptyIter(shape: number[], dtype: DType, device: Device, ins: readonly Operand[]): Tensor {
  return emptyStrided_(shape, iterStrides(shape, ins), dtype, device);
}

/** Operands handed to a kernel in the output's memory order: when the output (ts[0]) is channels-last, every
 *  operand (each of the output's shape) is viewed as [N, H, W, C] (or [N, D, H, W, C]) so that the strided loop's
 *  innermost runs are the contiguous channel runs. The elementwise result does not depend on the order. */
export function kernelOrder(ts: Operand[]): Operand[] {
  const o = ts[0];
  const nd = o.shape.length;
  if ((nd !== 4 && nd !== 5) || o._strides[1] !== 1 || o.shape[1] === 1 || isContig(o.shape, o._strides)) return ts;
  const perm = nd === 4 ? [0, 2, 3, 1] : [0, 2, 3, 4, 1];
  return ts.map((t) => (t.shape.length !== nd ? t : rawView(t, perm.map((p) => t.shape[p]), perm.map((p) => t._strides[p]), t._offset)));
}

/** Gives a fresh op output (no other tensor shares its storage) the layout `strides` in place: its values are copied
 *  into a new storage of that layout, the tensor object (and its autograd history) stays. For kernels that write
 *  contiguous outputs only (conv2d, pooling, batch norm): PyTorch returns these channels-last for channels-last
 *  inputs. */
export function restrideFresh(t: Tensor, strides: number[] | null, copy: (dst: Tensor, src: Tensor) => void): Tensor {
  if (strides === null || strides.every((s, i) => s === t._strides[i])) return t;
  const tmp = new Tensor(allocStorage(t.numel() * ITEMSIZE[t.dtype], t.device), t.shape.slice(), strides, 0, t.dtype);
  copy(tmp, t);
  t._setData(tmp);
  t._base = null;  // no longer a view of what it was computed into
  tmp.dispose();
  return t;
}

/** The layout PyTorch's CPU/CUDA conv2d, pooling and batch norm give their output: channels-last when the input (or
 *  a conv2d weight) suggests it. Returns the output's strides, or null for contiguous. */
export function clOutStrides(outShape: readonly number[], ...ins: (Operand | null | undefined)[]): number[] | null {
  if (outShape.length !== 4) return null;
  for (const t of ins) if (t && t.shape.length === 4 && isStridesLikeChannelsLast(t.shape, t._strides)) return channelsLastStrides(outShape);
  return null;
}

/** Whether p and every one of ts have one dense layout (same shape and strides, non-overlapping and dense, not
 *  contiguous): elementwise kernels that take flat runs (the optimizers' fused steps) can read them in place. */
export function sameDenseLayout(p: Operand, ts: readonly (Operand | null | undefined)[]): boolean {
  if (isContig(p.shape, p._strides) || !isNonOverlappingAndDense(p.shape, p._strides)) return false;
  if (p._strides.some((s) => s < 0)) return false;
  for (const t of ts) {
    if (!t || t.shape.length !== p.shape.length) return false;
    for (let i = 0; i < p.shape.length; i++) if (t.shape[i] !== p.shape[i] || (p.shape[i] !== 1 && t._strides[i] !== p._strides[i])) return false;
  }
  return true;
}
