// shape.ts - API.md's Shapes section: views (never copy: reshape-where-possible, view, permute, transpose,
// expand, select, slice, narrow, squeeze, unsqueeze, diagonal, T/mT) built from shape/stride arithmetic in
// TypeScript, and the copying ops (cat, stack, flip, roll, tril/triu, repeat/tile) over the native copy kernel.
import { Tensor, viewOf, empty_, computeContiguousStrides, numelOf, sameShape, normDim, runKernel, hooks } from '../tensor';
import { OP } from './ids';
import { TorchError, checkKeys } from '../errors';
import { record } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { copyInto, contiguous, clone, where, toDtype, promoted, fill_, typeName as typeNameOf } from './elementwise';
import { parseShape, broadcastView, checkTensor, checkInt, splitOpts, isOptions, kwLeading, posOpts } from './util';
import * as R from './reduce';
import * as E from './elementwise';
import * as X from './indexing';
import { arange, tensor as makeTensor } from './creation';
import { promoteTypes, isFloating, toDType, ITEMSIZE, DType } from '../dtype';
import { acState, autocastListed, autocastCall } from '../amp/autocast';
import { emptyStrided_, inferDenseStrides } from '../memory_format';

type T = Tensor;

// ------------------------------------------------------------------------------------------------------------
// views
// ------------------------------------------------------------------------------------------------------------
function inferShape(shape: number[], numel: number, op: string): number[] {
  let neg = -1, prod = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (neg >= 0) throw new TorchError('only one dimension can be inferred');
      neg = i;
    } else prod *= shape[i];
  }
  const out = shape.slice();
  if (neg >= 0) {
    if (prod === 0 || numel % prod !== 0) throw new TorchError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
    out[neg] = numel / prod;
  } else if (prod !== numel) throw new TorchError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
  void op;
  return out;
}

// at::detail::computeStride: strides for viewing (shape, strides) as newShape without copying, or null
function viewStrides(oldShape: number[], oldStrides: number[], newShape: number[]): number[] | null {
  const numel = numelOf(oldShape);
  if (numel === 0) return computeContiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) { chunkBase = oldStrides[d - 1]; tensorNumel = 1; viewNumel = 1; }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

function viewImpl(x: T, shape: number[], name: string, allowCopy: boolean): T {
  x._check();
  const ns = inferShape(shape, x.numel(), name);
  const st = oldShapeStrides(x, ns);
  let out: T;
  if (st) out = viewOf(x, ns, st, x._offset);
  else if (allowCopy) {
    const c = contiguous(x.detach());
    out = viewOf(c, ns, computeContiguousStrides(ns), c._offset);
  } else {
    throw new TorchError('view size is not compatible with input tensor\'s size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.');
  }
  const inShape = x.shape.slice();
  return record(name, [x], out, (g) => [reshape(g, inShape)]);
}
function oldShapeStrides(x: T, ns: number[]): number[] | null {
  if (x.ndim === 0) return computeContiguousStrides(ns);
  return viewStrides(x.shape, x._strides, ns);
}

export function reshape(x: T, ...shape: unknown[]): T {
  checkTensor(x, 'reshape');
  shape = kwLeading('reshape', shape, ['shape'], 1, []);
  return viewImpl(x, parseShape(shape, 'reshape', true), 'ReshapeAliasBackward0', true);
}
export function view(x: T, ...shape: unknown[]): T {
  checkTensor(x, 'view');
  shape = kwLeading('view', shape, ['size'], 1, []);
  if (shape.length === 1 && typeof shape[0] === 'string') return viewAsDtype(x, toDType(shape[0], 'view'));
  return viewImpl(x, parseShape(shape, 'view', true), 'ViewBackward0', false);
}

// view(dtype): reinterpret the bytes (same element size only, as PyTorch requires for non-contiguous views)
function viewAsDtype(x: T, dt: DType): T {
  if (ITEMSIZE[dt] !== ITEMSIZE[x.dtype]) throw new TorchError(`view(dtype): viewing a ${x.dtype} tensor as ${dt} needs equal element sizes in nodetorch`);
  return new Tensor(x._st, x.shape.slice(), x._strides.slice(), x._offset, dt);
}

export function flatten(x: T, startDim = 0, endDim = -1): T {
  checkTensor(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim), e = normDim(endDim, x.ndim);
  if (s > e) throw new TorchError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unflatten(x: T, dim: number, sizes: number[]): T {
  checkTensor(x, 'unflatten');
  const d = normDim(dim, x.ndim);
  const inner = inferShape(parseShape([sizes], 'unflatten', true), x.shape[d], 'unflatten');
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function squeeze(x: T, dim?: number | number[] | null): T {
  checkTensor(x, 'squeeze');
  let dims: number[];
  if (dim === undefined || dim === null) dims = x.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0);
  else dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normDim(d, x.ndim)).filter((d) => x.ndim > 0 && x.shape[d] === 1);
  const shape: number[] = [], st: number[] = [];
  x.shape.forEach((s, i) => { if (!dims.includes(i)) { shape.push(s); st.push(x._strides[i]); } });
  const inShape = x.shape.slice();
  return record(dim === undefined || dim === null ? 'SqueezeBackward0' : 'SqueezeBackward1', [x], viewOf(x, shape, st, x._offset), (g) => [reshape(g, inShape)]);
}
function viewAlias(x: T): T {
  return record('AliasBackward0', [x], viewOf(x, x.shape.slice(), x._strides.slice(), x._offset), (g) => [g]);
}

export function unsqueeze(x: T, dim: number): T {
  checkTensor(x, 'unsqueeze');
  const d = normDim(checkInt(dim, 'unsqueeze', 'dim'), x.ndim + 1);
  const shape = x.shape.slice(), st = x._strides.slice();
  const ns = d < x.ndim ? x.shape[d] * x._strides[d] : 1;
  shape.splice(d, 0, 1);
  st.splice(d, 0, ns);
  return record('UnsqueezeBackward0', [x], viewOf(x, shape, st, x._offset), (g) => [squeeze(g, d)]);
}

export function permute(x: T, ...dims: unknown[]): T {
  checkTensor(x, 'permute');
  dims = kwLeading('permute', dims, ['dims'], 1, []);
  const list = (dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims) as number[];
  if (list.length !== x.ndim) throw new TorchError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${list.length}`);
  const p = list.map((d) => normDim(d, x.ndim, 'permute'));
  if (new Set(p).size !== p.length) throw new TorchError('permute(): duplicate dims are not allowed.');
  const out = viewOf(x, p.map((d) => x.shape[d]), p.map((d) => x._strides[d]), x._offset);
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => { inv[d] = i; });
  return record('PermuteBackward0', [x], out, (g) => [permute(g, inv)]);
}

export function transpose(x: T, d0: number, d1: number): T {
  checkTensor(x, 'transpose');
  if (x.ndim === 0) return viewAlias(x);
  const a = normDim(d0, x.ndim), b = normDim(d1, x.ndim);
  const shape = x.shape.slice(), st = x._strides.slice();
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [st[a], st[b]] = [st[b], st[a]];
  return record('TransposeBackward0', [x], viewOf(x, shape, st, x._offset), (g) => [transpose(g, a, b)]);
}
export function t(x: T): T {
  checkTensor(x, 't');
  if (x.ndim > 2) throw new TorchError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  if (x.ndim < 2) return viewAlias(x);
  return transpose(x, 0, 1);
}
export function adjoint(x: T): T { return transpose(x, -2, -1); }
export function movedim(x: T, src: number | number[], dst: number | number[]): T {
  const s = (Array.isArray(src) ? src : [src]).map((d) => normDim(d, x.ndim));
  const d = (Array.isArray(dst) ? dst : [dst]).map((v) => normDim(v, x.ndim));
  if (s.length !== d.length) throw new TorchError(`movedim: Invalid source or destination dims: source (${fmtShape(s)} dims) should contain the same number of dims as destination (${fmtShape(d)} dims)`);
  if (new Set(s).size !== s.length) throw new TorchError(`movedim: repeated dim in \`source\` (${fmtShape(Array.isArray(src) ? src : [src])})`);
  if (new Set(d).size !== d.length) throw new TorchError(`movedim: repeated dim in \`destination\` (${fmtShape(Array.isArray(dst) ? dst : [dst])})`);
  const order = new Array<number>(x.ndim).fill(-1);
  s.forEach((sv, i) => { order[d[i]] = sv; });
  const rest = [...Array(x.ndim).keys()].filter((i) => !s.includes(i));
  let r = 0;
  for (let i = 0; i < x.ndim; i++) if (order[i] < 0) order[i] = rest[r++];
  return permute(x, order);
}

export function expand(x: T, ...sizes: unknown[]): T {
  checkTensor(x, 'expand');
  sizes = kwLeading('expand', sizes, ['size'], 1, []);
  const req = parseShape(sizes, 'expand', true);
  if (req.length < x.ndim) throw new TorchError(`expand(torch.FloatTensor{[${x.shape.join(', ')}]}, size=[${req.join(', ')}]): the number of sizes provided (${req.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`);
  const off = req.length - x.ndim;
  const shape = req.map((s, i) => {
    if (s === -1) {
      if (i < off) throw new TorchError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return x.shape[i - off];
    }
    return s;
  });
  const out = broadcastView(x, shape);
  const inShape = x.shape.slice();
  const v = out === x ? viewOf(x, x.shape.slice(), x._strides.slice(), x._offset) : out;
  return record('ExpandBackward0', [x], v, (g) => [sumTo(g, inShape)]);
}
export const expandAs = (x: T, other: T): T => expand(x, other.shape.slice());
export const broadcastTo = (x: T, shape: number[]): T => expand(x, shape);

export function broadcastShapesList(...shapes: number[][]): number[] {
  let out: number[] = [];
  for (const s of shapes) {
    const n = Math.max(out.length, s.length);
    const r: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = i < n - out.length ? 1 : out[i - (n - out.length)];
      const b = i < n - s.length ? 1 : s[i - (n - s.length)];
      if (a !== b && a !== 1 && b !== 1) throw new TorchError(`shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is between [${out}] and [${s}].`);
      r.push(a === 1 ? b : a);
    }
    out = r;
  }
  return out;
}
export function broadcastTensors(...ts: T[]): T[] {
  const shape = broadcastShapesList(...ts.map((x) => x.shape));
  return ts.map((x) => expand(x, shape));
}

// sum of g over broadcast dims back to shape (uses the reduction family's sum)
function sumTo(g: T, shape: number[]): T {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const s = dims.length ? g.sum(dims, { keepdim: true }) : g;
  return reshape(s, shape);
}

export function narrow(x: T, dim: number, start0: number | T, length: number): T {
  checkTensor(x, 'narrow');
  let start = start0 as number;
  if (start0 instanceof Tensor) {  // PyTorch's narrow.Tensor: a 0-d integral tensor
    start0._check();
    if (start0.ndim !== 0 || isFloating(start0.dtype) || start0.dtype === 'bool') throw new TorchError('start must be an 0-dim integral Tensor.');
    start = Number(start0.item());
  }
  if (x.ndim === 0) throw new TorchError('narrow() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.ndim);
  const size = x.shape[d];
  checkInt(start, 'narrow', 'start'); checkInt(length, 'narrow', 'length');
  if (start < -size || start > size) throw new TorchError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) throw new TorchError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return sliceImpl(x, d, s, s + length, 1);  // (PyTorch 1.13's narrow is a slice: SliceBackward0)
}

function sliceImpl(x: T, d: number, start: number, end: number, step: number, name = 'SliceBackward0'): T {
  const len = Math.max(0, Math.ceil((end - start) / step));
  const shape = x.shape.slice(), st = x._strides.slice();
  shape[d] = len;
  st[d] = x._strides[d] * step;
  const out = viewOf(x, shape, st, x._offset + (len > 0 ? start * x._strides[d] : 0));
  const inShape = x.shape.slice();
  return record(name, [x], out, (g) => [viewGrad(g, inShape, (z) => sliceImpl(z, d, start, end, step))]);
}
function zerosFor(g: T, shape: number[]): T { return fill_(empty_(shape, g.dtype, g.device), 0); }
// The gradient of a view op: zeros of the input's shape with g at the view's elements. While a graph is recorded
// (createGraph) it is an as_strided scatter, whose own gradient is the same view of the incoming one, so a view's
// backward can be differentiated again.
function viewGrad(g: T, inShape: number[], view: (z: T) => T): T {
  const z = zerosFor(g, inShape);
  const zv = view(z);
  if (!gradState.enabled || !g.requiresGrad) {
    copyInto(zv, g);
    return z;
  }
  const geo: [number[], number[], number] = [zv.shape.slice(), zv._strides.slice(), zv._offset - z._offset];
  z.dispose();
  return asStridedScatter(g, inShape, ...geo);
}

export function slice(x: T, dim = 0, start?: number | null, end?: number | null, step = 1): T {
  checkTensor(x, 'slice');
  if (x.ndim === 0) throw new TorchError('slice() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.ndim);
  const size = x.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new TorchError('slice step must be positive');
  let s = start === undefined || start === null ? 0 : start;
  let e = end === undefined || end === null ? size : end;
  if (!Number.isInteger(s) || !Number.isInteger(e)) throw new TorchError('slice indices must be integers');
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = Math.min(Math.max(s, 0), size);
  e = Math.min(Math.max(e, s), size);
  return sliceImpl(x, d, s, e, step);
}

export function select(x: T, dim: number, index: number): T {
  checkTensor(x, 'select');
  if (x.ndim === 0) throw new TorchError('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.ndim);
  checkInt(index, 'select', 'index');
  const size = x.shape[d];
  if (index < -size || index >= size) throw new TorchError(`select(): index ${index} out of range for tensor of size [${x.shape.join(', ')}] at dimension ${d}`);
  const i = index < 0 ? index + size : index;
  const shape = x.shape.slice(), st = x._strides.slice();
  shape.splice(d, 1); st.splice(d, 1);
  const out = viewOf(x, shape, st, x._offset + i * x._strides[d]);
  const inShape = x.shape.slice();
  return record('SelectBackward0', [x], out, (g) => [viewGrad(g, inShape, (z) => select(z, d, i))]);
}

export function diagonal(x: T, offset = 0, dim1 = 0, dim2 = 1): T {
  checkTensor(x, 'diagonal');
  const a = normDim(dim1, x.ndim), b = normDim(dim2, x.ndim);
  if (a === b) throw new TorchError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  let off = x._offset;
  let len: number;
  if (offset >= 0) { len = Math.max(0, Math.min(x.shape[a], x.shape[b] - offset)); off += offset * x._strides[b]; }
  else { len = Math.max(0, Math.min(x.shape[a] + offset, x.shape[b])); off -= offset * x._strides[a]; }
  if (len === 0) off = x._offset;
  const shape: number[] = [], st: number[] = [];
  x.shape.forEach((s, i) => { if (i !== a && i !== b) { shape.push(s); st.push(x._strides[i]); } });
  shape.push(len); st.push(x._strides[a] + x._strides[b]);
  const out = viewOf(x, shape, st, off);
  const inShape = x.shape.slice();
  return record('DiagonalBackward0', [x], out, (g) => [viewGrad(g, inShape, (z) => diagonal(z, offset, a, b))]);
}

export function asStrided(x: T, size: number[], stride: number[], storageOffset?: number): T {
  checkTensor(x, 'as_strided');
  const shape = parseShape([size], 'as_strided');
  if (stride.length !== shape.length) throw new TorchError(`mismatch in length of strides and shape`);
  const off = storageOffset ?? x._offset;
  let hi = off;
  for (let i = 0; i < shape.length; i++) {
    if (!Number.isInteger(stride[i]) || stride[i] < 0) throw new TorchError('as_strided: Negative strides are not supported at the moment');
    if (shape[i] > 0) hi += (shape[i] - 1) * stride[i];
  }
  if (numelOf(shape) > 0 && (hi + 1) * x.elementSize() > x._st.nbytes) throw new TorchError(`setStorage: sizes [${shape}], strides [${stride}], storage offset ${off} requiring a storage size of ${(hi + 1) * x.elementSize()} are out of bounds for storage of size ${x._st.nbytes}`);
  const out = viewOf(x, shape, stride.slice(), off);
  if (!x.requiresGrad) return out;
  const xs = x.shape.slice(), xst = x._strides.slice(), xo = x._offset, st = stride.slice();
  // AsStridedBackward0: g scattered (added) at the output's places in x's storage, then read back through x's own
  // geometry; both steps are differentiable ops, so double backward works. (x itself overlapping, e.g. expanded, gets
  // the summed gradient at each element, where PyTorch divides it by the element's multiplicity.)
  return record('AsStridedBackward0', [x], out, (g) => {
    if (x.isContiguous()) return [asStridedScatter(g, xs, shape, st, off - xo)];
    const last = (o: number, sh: readonly number[], sd: readonly number[]): number => sh.reduce((a, n, i) => a + (n > 0 ? (n - 1) * sd[i] : 0), o);
    const lo = Math.min(xo, off), hi = Math.max(last(xo, xs, xst), last(off, shape, st));
    const gs = asStridedScatter(g, [hi - lo + 1], shape, st, off - lo);
    return [asStrided(gs, xs, xst, xo - lo)];
  });
}

hooks.asStrided = asStrided;
hooks.asStridedScatter = (g, b, size, stride, off) => asStridedScatter(g, b, size, stride, off);

// true unless the geometry provably maps every index to its own element (dims sorted by stride, each stride at least
// the extent of the smaller ones): then a scatter can copy instead of add
function mayOverlap(shape: readonly number[], strides: readonly number[]): boolean {
  const dims = shape.map((n, i) => [n, strides[i]]).filter(([n]) => n > 1).sort((a, b) => a[1] - b[1]);
  let extent = 1;
  for (const [n, s] of dims) {
    if (s < extent) return true;
    extent = s * (n - 1) + extent;
  }
  return false;
}

/** zeros of `baseShape` (contiguous) with g added at the elements the geometry (size, stride, offset, relative to the
 *  first element) names -- as_strided's adjoint. Differentiable: its gradient is as_strided of the incoming one. */
export function asStridedScatter(g: T, baseShape: number[], size: number[], stride: number[], off: number): T {
  const out = empty_(baseShape, g.dtype, g.device, true);
  if (numelOf(size) > 0) {
    if (!mayOverlap(size, stride)) {
      copyInto(viewOf(out, size, stride, off), g);
    } else {  // overlapping places: accumulate through put_(accumulate) with each element's flat position
      const n = numelOf(size), pos = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let r = i, p = off;
        for (let d = size.length - 1; d >= 0; d--) { p += (r % size[d]) * stride[d]; r = Math.floor(r / size[d]); }
        pos[i] = p;
      }
      const index = makeTensor(Array.from(pos), { dtype: 'int64', device: g.device });
      runKernel(OP.put, [out, index, contiguous(g).reshape([n])], [1], 'as_strided_backward');
    }
  }
  const bs = baseShape.slice();
  return record('AsStridedScatterBackward', [g], out, (gg) => {
    const c = gg.isContiguous() && sameShape(gg.shape, bs) ? gg : contiguous(gg);
    return [asStrided(c, size, stride, c._offset + off)];
  });
}

// ------------------------------------------------------------------------------------------------------------
// copying ops
// ------------------------------------------------------------------------------------------------------------
function tensorList(ts: unknown, op: string): T[] {
  if (!Array.isArray(ts)) throw new TypeError(`${op}(): argument 'tensors' must be a list of Tensors, not ${typeof ts}`);
  if (!ts.length) throw new TorchError(`${op}(): expected a non-empty list of Tensors`);
  return ts.map((x, i) => checkTensor(x, op, `tensors[${i}]`));
}

export function cat(tensors: readonly T[], dim = 0): T {
  if (acState.on && autocastListed('cat', arguments)) return autocastCall('cat', cat, arguments);
  const ts = tensorList(tensors, 'cat');
  // PyTorch skips legacy 1-D empty tensors
  const parts = ts.filter((x) => !(x.ndim === 1 && x.shape[0] === 0));
  if (!parts.length) return clone(ts[0]);
  const ref = parts[0];
  if (ref.ndim === 0) throw new TorchError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normDim(dim, ref.ndim);
  let dt = parts[0].dtype;
  for (const p of parts) dt = promoteTypes(dt, p.dtype);
  let total = 0;
  parts.forEach((p, i) => {
    if (p.ndim !== ref.ndim) throw new TorchError(`Tensors must have same number of dimensions: got ${ref.ndim} and ${p.ndim}`);
    for (let k = 0; k < ref.ndim; k++) {
      if (k !== d && p.shape[k] !== ref.shape[k]) throw new TorchError(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${p.shape[k]} for tensor number ${i} in the list.`);
    }
    if (!p.device.equals(ref.device)) throw new TorchError(`Expected all tensors to be on the same device, but found at least two devices, ${ref.device} and ${p.device}!`);
    total += p.shape[d];
  });
  const shape = ref.shape.slice();
  shape[d] = total;
  const out = empty_(shape, dt, ref.device);
  let pos = 0;
  const offsets: number[] = [];
  for (const p of parts) {
    offsets.push(pos);
    if (p.shape[d]) copyInto(sliceView(out, d, pos, pos + p.shape[d]), p);
    pos += p.shape[d];
  }
  if (!isFloating(dt)) return out;
  return record('CatBackward0', parts, out, (g) => parts.map((p, i) => narrow(g, d, offsets[i], p.shape[d])));
}
export const concat = cat;
export const concatenate = cat;

function sliceView(x: T, d: number, s: number, e: number): T {
  const shape = x.shape.slice();
  shape[d] = e - s;
  return viewOf(x, shape, x._strides.slice(), x._offset + s * x._strides[d]);
}

export function stack(tensors: readonly T[], dim = 0): T {
  if (acState.on && autocastListed('stack', arguments)) return autocastCall('stack', stack, arguments);
  const ts = tensorList(tensors, 'stack');
  ts.forEach((x, i) => {
    if (!sameShape(x.shape, ts[0].shape)) throw new TorchError(`stack expects each tensor to be equal size, but got [${ts[0].shape.join(', ')}] at entry 0 and [${x.shape.join(', ')}] at entry ${i}`);
  });
  const d = normDim(dim, ts[0].ndim + 1);
  return cat(ts.map((x) => unsqueeze(x, d)), d);
}
// the views hstack and vstack concatenate (0-d -> [1] / [1, 1], 1-d [n] -> [1, n]); torch.atleast_1d/2d/3d (varargs,
// shape_more.ts) and dstack (a schema row) are shape_more.ts's
const atleast1d = (x: T): T => (x.ndim === 0 ? reshape(x, [1]) : x);
const atleast2d = (x: T): T => (x.ndim === 0 ? reshape(x, [1, 1]) : x.ndim === 1 ? unsqueeze(x, 0) : x);
export function hstack(ts: readonly T[]): T {
  const xs = tensorList(ts, 'hstack').map(atleast1d);
  return cat(xs, xs[0].ndim === 1 ? 0 : 1);
}
export const vstack = (ts: readonly T[]): T => cat(tensorList(ts, 'vstack').map(atleast2d), 0);


export function split(x: T, sizeOrSections: number | number[], dim = 0): T[] {
  checkTensor(x, 'split');
  const d = normDim(dim, x.ndim);
  const size = x.shape[d];
  let sizes: number[];
  if (Array.isArray(sizeOrSections)) {
    sizes = sizeOrSections.map((s) => checkInt(s, 'split', 'split_sizes'));
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== size || sizes.some((s) => s < 0)) throw new TorchError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`);
  } else {
    const s = checkInt(sizeOrSections, 'split', 'split_size');
    if (s <= 0 && !(s === 0 && size === 0)) throw new TorchError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    sizes = [];
    for (let p = 0; p < size; p += s) sizes.push(Math.min(s, size - p));
    if (!sizes.length) sizes = [0];
  }
  const out: T[] = [];
  let pos = 0;
  for (const s of sizes) { out.push(narrow(x, d, pos, s)); pos += s; }
  return out;
}

export function chunk(x: T, chunks: number, dim = 0): T[] {
  checkTensor(x, 'chunk');
  checkInt(chunks, 'chunk', 'chunks');
  if (chunks <= 0) throw new TorchError('chunk expects `chunks` to be greater than 0, got: ' + chunks);
  const d = normDim(dim, x.ndim);
  // an empty dim gives `chunks` empty pieces (PyTorch's chunk over a size-0 dim)
  if (x.shape[d] === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
  const each = Math.ceil(x.shape[d] / chunks);
  return split(x, Math.max(each, 1), d);
}
/** torch.tensor_split: `sections` pieces (an int, or a 0-d int64 tensor), or pieces cut at `indices` (a list, or a 1-d
 *  int64 tensor): each piece is x[prev:index] along dim, Python-slice style (a negative index counts from the end, an
 *  index before the previous one gives an empty piece). */
export function tensorSplit(x: T, sections: number | readonly number[] | T, dim = 0): T[] {
  checkTensor(x, 'tensor_split');
  if (x.ndim === 0) throw new TorchError(`tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims`);
  if (sections instanceof Tensor) {
    if (sections.device.type !== 'cpu') throw new TorchError(`tensor_split expected tensor_indices_or_sections to be on cpu, but it's on ${sections.device}`);
    if (sections.dtype !== 'int64') throw new TorchError(`tensor_split expected tensor_indices_or_sections to have dtype of long, but got ${typeNameOf(sections.dtype)}`);
    if (sections.ndim > 1) throw new TorchError(`tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with ${sections.ndim} dims`);
    const v = Array.from(sections.toTypedArray() as BigInt64Array | Int32Array, Number);
    return tensorSplit(x, sections.ndim === 0 ? v[0] : v, dim);
  }
  const d = normDim(dim, x.ndim);
  const n = x.shape[d];
  if (Array.isArray(sections)) {
    const idx = (sections as readonly number[]).map((i) => checkInt(i, 'tensor_split', 'indices'));
    const wrap = (i: number): number => (i < 0 ? Math.max(i + n, 0) : Math.min(i, n));
    const out: T[] = [];
    let start = 0;
    for (const i of [...idx, n]) {
      const a = wrap(start), b = Math.max(wrap(i), a);
      out.push(narrow(x, d, a, b - a));
      start = i;
    }
    return out;
  }
  checkInt(sections, 'tensor_split', 'sections');
  if ((sections as number) <= 0) throw new TorchError(`number of sections must be larger than 0, got ${sections as number}`);
  const ns = sections as number;
  const base = Math.floor(n / ns), extra = n % ns;
  const sizes = Array.from({ length: ns }, (_, i) => base + (i < extra ? 1 : 0));
  return split(x, sizes, d);
}

export function unbind(x: T, dim = 0): T[] {
  checkTensor(x, 'unbind');
  const d = normDim(dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

export function flip(x: T, dims: number | number[]): T {
  checkTensor(x, 'flip');
  const ds = (Array.isArray(dims) ? dims : [dims]).map((d) => normDim(d, x.ndim));
  if (new Set(ds).size !== ds.length) throw new TorchError('dims has duplicates');
  // a negative-stride view read by the copy kernel
  const st = x._strides.slice();
  let off = x._offset;
  for (const d of ds) { if (x.shape[d] > 0) off += (x.shape[d] - 1) * st[d]; st[d] = -st[d]; }
  // laid out as TensorIterator lays out its output: in the input's stride order (a transposed input, a transposed result)
  const out = x.isContiguous() ? empty_(x.shape.slice(), x.dtype, x.device) : emptyStrided_(x.shape.slice(), inferDenseStrides(x.shape, x._strides), x.dtype, x.device);
  if (x.numel()) copyInto(out, new Tensor(x._st, x.shape.slice(), st, off, x.dtype));
  return record('FlipBackward0', [x], out, (g) => [flip(g, ds)]);
}
export const fliplr = (x: T): T => flip(x, [1]);
export const flipud = (x: T): T => flip(x, [0]);

export function roll(x: T, shifts: number | number[], dims?: number | number[] | null): T {
  checkTensor(x, 'roll');
  const sh = Array.isArray(shifts) ? shifts : [shifts];
  if (dims === undefined || dims === null) {
    if (sh.length !== 1) throw new TorchError('roll: shifts and dims must align when dims is not given');
    return reshape(roll(flatten(x), sh[0], 0), x.shape.slice());
  }
  const ds = Array.isArray(dims) ? dims : [dims];
  if (ds.length !== sh.length) throw new TorchError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  let r: T = x;
  ds.forEach((dd, i) => {
    const d = normDim(dd, x.ndim);
    const n = x.shape[d];
    if (n === 0) return;
    const s = ((sh[i] % n) + n) % n;
    if (s === 0) return;
    r = cat([narrow(r, d, n - s, s), narrow(r, d, 0, n - s)], d);
  });
  return r === x ? clone(x) : r;
}

function triMask(x: T, diagonal: number, upper: boolean): T {
  const n = x.shape[x.ndim - 2], m = x.shape[x.ndim - 1];
  const rows = reshape(arange(n, { device: x.device }), [n, 1]);
  const cols = reshape(arange(m, { device: x.device }), [1, m]);
  const diff = cols.sub(rows);
  return upper ? diff.ge(diagonal) : diff.le(diagonal);
}
export function tril(x: T, diagonal = 0): T {
  checkTensor(x, 'tril');
  if (x.ndim < 2) throw new TorchError('tril: input tensor must have at least 2 dimensions');
  const mask = triMask(x, diagonal, false);
  return maskKeep(x, mask, 'TrilBackward0', (g) => tril(g, diagonal));
}
export function triu(x: T, diagonal = 0): T {
  checkTensor(x, 'triu');
  if (x.ndim < 2) throw new TorchError('triu: input tensor must have at least 2 dimensions');
  const mask = triMask(x, diagonal, true);
  return maskKeep(x, mask, 'TriuBackward0', (g) => triu(g, diagonal));
}
function maskKeep(x: T, mask: T, name: string, back: (g: T) => T): T {
  const zero = x.dtype === 'bool' ? false : 0;
  const detached = x.detach();
  const out = toDtype(where(mask, detached, zero), x.dtype);
  return record(name, [x], out === detached ? clone(out) : out, (g) => [back(g)]);
}

export function repeat(x: T, ...reps: unknown[]): T {
  checkTensor(x, 'repeat');
  reps = kwLeading('repeat', reps, ['repeats'], 1, []);
  const r = parseShape(reps, 'repeat');
  if (r.length < x.ndim) throw new TorchError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  const lead = r.length - x.ndim;
  const xs = [...Array(lead).fill(1), ...x.shape];
  // view x as [1, s0, 1, s1, ...] expanded to [r0, s0, r1, s1, ...], then copy and merge
  const expShape: number[] = [], expStrides: number[] = [];
  const xx = reshape(x.detach(), xs);
  for (let i = 0; i < r.length; i++) {
    expShape.push(r[i], xs[i]);
    expStrides.push(0, xx._strides[i]);
  }
  const ev = new Tensor(xx._st, expShape, expStrides, xx._offset, x.dtype);
  const buf = empty_(expShape, x.dtype, x.device);
  if (buf.numel()) copyInto(buf, ev);
  const outShape = r.map((v, i) => v * xs[i]);
  const out = viewOf(buf, outShape, computeContiguousStrides(outShape), 0);
  const inShape = x.shape.slice();
  return record('RepeatBackward0', [x], out, (g) => {
    const gs: number[] = [];
    for (let i = 0; i < r.length; i++) gs.push(r[i], xs[i]);
    const g2 = reshape(g, gs);
    const dims = r.map((_, i) => 2 * i);
    return [reshape(g2.sum(dims), inShape)];
  });
}
export function tile(x: T, ...reps: unknown[]): T {
  checkTensor(x, 'tile');
  reps = kwLeading('tile', reps, ['dims'], 1, []);
  const r = parseShape(reps, 'tile');
  const full = r.length < x.ndim ? [...Array(x.ndim - r.length).fill(1), ...r] : r;
  return repeat(x, full);
}

export function contiguousCheck(x: T): boolean { return x.isContiguous(); }

// ------------------------------------------------------------------------------------------------------------
// diag, diagEmbed, diagflat, kron, combinations (trace is lib/linalg.ts's): composites of the views and kernels above with PyTorch's checks
// and messages; they are ops.schema rows (these functions take the rows' parameters as they are, bound in impls.ts).
// meshgrid and cartesianProd stay hand-written: varargs tensors (PyTorch's *tensors: no Tensor... type in a row, as
// chain_matmul and block_diag), meshgrid's keyword-only indexing after them.
// ------------------------------------------------------------------------------------------------------------
const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** torch.diag_embed(input, offset=0, dim1=-2, dim2=-1): input's last dim on the diagonal of dims (dim1, dim2) of a
 *  new zero tensor with one more dim */
export function diagEmbed(x: T, offset: number, dim1: number, dim2: number): T {
  checkTensor(x, 'diag_embed');
  const nd = x.ndim + 1;
  const a = normDim(dim1, nd), b = normDim(dim2, nd);
  if (a === b) throw new TorchError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const n = x.ndim === 0 ? 1 : x.shape[x.ndim - 1];
  const m = n + Math.abs(offset);
  const batch = x.ndim === 0 ? [] : x.shape.slice(0, -1);
  const shape: number[] = [];
  let bi = 0;
  for (let i = 0; i < nd; i++) shape.push(i === a || i === b ? m : batch[bi++]);
  const out = fill_(empty_(shape, x.dtype, x.device), 0);
  if (x.numel()) copyInto(diagonal(out, offset, a, b), x.ndim === 0 ? reshape(x, [1]) : x);
  return record('DiagEmbedBackward0', [x], out, (g) => [diagonal(g, offset, a, b)]);
}

/** torch.diag(input, diagonal=0): a vector on the diagonal of a new matrix, or a matrix's diagonal (a copy) */
export function diag(x: T, k: number): T {
  checkTensor(x, 'diag');
  if (x.ndim === 1) return diagEmbed(x, k, 0, 1);
  if (x.ndim === 2) return contiguous(diagonal(x, k, 0, 1));
  throw new TorchError('matrix or a vector expected');
}


/** torch.kron(input, other): the Kronecker product (the operands' dims aligned at the right; promotes) */
export function kron(a: T, b: T): T {
  checkTensor(a, 'kron');
  checkTensor(b, 'kron', 'other');
  const nd = Math.max(a.ndim, b.ndim);
  const as = [...Array(nd - a.ndim).fill(1), ...a.shape], bs = [...Array(nd - b.ndim).fill(1), ...b.shape];
  const ai: number[] = [], bi: number[] = [];
  for (let i = 0; i < nd; i++) { ai.push(as[i], 1); bi.push(1, bs[i]); }
  const prod = E.mul(reshape(a, ai), reshape(b, bi));
  return reshape(prod, as.map((s, i) => s * bs[i]));
}

function tensorArgs(op: string, args: unknown[]): { ts: T[]; opts: Record<string, unknown> } {
  let list = args;
  let opts: Record<string, unknown> = {};
  if (list.length && isOptions(list[list.length - 1])) { opts = list[list.length - 1] as Record<string, unknown>; list = list.slice(0, -1); }
  if (list.length === 1 && Array.isArray(list[0])) list = list[0] as unknown[];
  return { ts: list.map((t, i) => checkTensor(t, op, `tensors[${i}]`)), opts };
}

/** torch.meshgrid(...tensors, { indexing }) (or a list): 0-d or 1-d tensors of one dtype and device, expanded views;
 *  indexing 'ij' (the default) or 'xy' (the first two dims swapped) */
export function meshgrid(...args: unknown[]): T[] {
  const { ts, opts } = tensorArgs('meshgrid', args);
  checkKeys('meshgrid', opts, ['indexing']);
  const indexing = opts.indexing ?? 'ij';
  if (!ts.length) throw new TorchError('meshgrid expects a non-empty TensorList');
  for (const t of ts) {
    if (t.ndim > 1) throw new TorchError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${t.toString()}`);
  }
  for (const t of ts.slice(1)) {
    if (t.dtype !== ts[0].dtype) throw new TorchError('meshgrid expects all tensors to have the same dtype');
    if (!t.device.equals(ts[0].device)) throw new TorchError('meshgrid expects all tensors to have the same device');
  }
  if (indexing !== 'ij' && indexing !== 'xy') throw new TorchError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  const swap = indexing === 'xy' && ts.length >= 2;
  const order = swap ? [ts[1], ts[0], ...ts.slice(2)] : ts;
  const shape = order.map((t) => t.numel());
  const grids = order.map((t, i) => {
    const vs = shape.map((_, j) => (j === i ? shape[i] : 1));
    return expand(reshape(t, vs), shape);
  });
  if (swap) [grids[0], grids[1]] = [grids[1], grids[0]];
  return grids;
}

function vector1d(t: T, op: string): void {
  void op;
  if (t.ndim !== 1) throw new TorchError(`Expect a 1D vector, but got shape ${fmtShape(t.shape)}`);
}

/** torch.diagflat(input, offset=0): the flattened input on a diagonal of a new matrix */
export function diagflat(x: T, offset: number): T {
  checkTensor(x, 'diagflat');
  return diagEmbed(reshape(x, [-1]), offset, 0, 1);
}

/** torch.cartesian_prod(...tensors): the rows of every combination of the 1-d inputs' elements (one input: itself) */
export function cartesianProd(...args: unknown[]): T {
  const { ts, opts } = tensorArgs('cartesian_prod', args);
  checkKeys('cartesian_prod', opts, []);
  for (const t of ts) vector1d(t, 'cartesian_prod');
  if (ts.length === 1) return ts[0];
  const grids = meshgrid(ts, { indexing: 'ij' });
  return stack(grids.map((g) => reshape(g, [-1])), 1);
}

/** torch.combinations(input, r=2, with_replacement=False): the r-element combinations of a 1-d input's elements,
 *  in lexicographic order of their positions */
export function combinations(x: T, r: number, rep: boolean): T {
  checkTensor(x, 'combinations');
  vector1d(x, 'combinations');
  if (!Number.isInteger(r) || r < 0) throw new TorchError(`Expect a non-negative number, but got ${r}`);
  if (r === 0) return fill_(empty_([0], x.dtype, x.device), 0);
  const n = x.shape[0];
  const cols: number[][] = Array.from({ length: r }, () => []);
  const idx: number[] = [];
  const walk = (start: number): void => {
    if (idx.length === r) { idx.forEach((v, j) => cols[j].push(v)); return; }
    for (let i = start; i < n; i++) { idx.push(i); walk(rep ? i : i + 1); idx.pop(); }
  };
  walk(0);
  const m = cols[0].length;
  if (m === 0) return fill_(empty_([0, r], x.dtype, x.device), 0);
  const parts = cols.map((c) => X.indexSelect(x, 0, makeTensor(c, { dtype: 'int64', device: x.device })));
  return stack(parts, 1);
}

// ------------------------------------------------------------------------------------------------------------
// Tensor methods
// ------------------------------------------------------------------------------------------------------------
// The shape ops are the schema's rows (lib/ops/ops.schema; the varargs shapes reshape, permute, expand, repeat, tile
// by its `int...` after the input, and view's size/dtype overloads; this file's functions are their implementations).
// What stays here: the properties (T, mT, H, mH), and
// squeeze_/unsqueeze_, which change self's geometry rather than write its elements (not the in-place protocol's
// write-then-rewire).
declare module '../tensor' {
  interface Tensor {
    squeeze_(dim?: number): T; unsqueeze_(dim: number): T;
    readonly T: T; readonly mT: T; readonly H: T; readonly mH: T;
  }
}
const P = Tensor.prototype as unknown as Record<string, unknown>;
Object.defineProperty(Tensor.prototype, 'T', { get(this: T) { return permute(this, [...Array(this.ndim).keys()].reverse()); } });
Object.defineProperty(Tensor.prototype, 'H', { get(this: T) { return permute(this, [...Array(this.ndim).keys()].reverse()); } });
Object.defineProperty(Tensor.prototype, 'mT', { get(this: T) {
  if (this.ndim < 2) throw new TorchError(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
  return transpose(this, -2, -1);
} });
Object.defineProperty(Tensor.prototype, 'mH', { get(this: T) { return (this as T).mT; } });
P.squeeze_ = function (this: T, d?: number): T { const r = squeeze(this, d); (this as { shape: number[] }).shape.splice(0, this.ndim, ...r.shape); this._strides = r._strides; return this; };
P.unsqueeze_ = function (this: T, d: number): T { const r = unsqueeze(this, d); (this as { shape: number[] }).shape.splice(0, this.ndim, ...r.shape); this._strides = r._strides; return this; };

void splitOpts; void promoted;
