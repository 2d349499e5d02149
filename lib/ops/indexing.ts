// indexing.ts - API.md's indexing ops: Python's t[...] (`index`) and t[...] = v (`indexPut_`), gather/scatter,
// indexSelect/indexAdd/indexCopy/indexFill, maskedFill/maskedSelect, nonzero/argwhere, take/put, with their
// gradients (PyTorch's node names). Basic indexing (numbers, slices, null, '...') makes views through shape.ts;
// advanced indexing (index tensors, masks) copies through the kernels of native/cpu/index.cc, which check every
// index value, so a bad one throws instead of touching memory it should not.
import { inplaceRecord } from '../autograd/inplace';
import { Tensor, empty_, runKernel, viewOf, numelOf, sameShape, normDim, computeContiguousStrides } from '../tensor';
import { DType, describeValue } from '../dtype';
import { TorchError, checkKeys } from '../errors';
import { OP } from './ids';
import { record, needsGrad, BackwardFn } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { copyInto, rebaseView, checkViewOfLeafInplace, toDtype, toDeviceCopy, where, fill_, scalarTensor, add, mulScalar, typeName, contiguous } from './elementwise';
import { select, slice, unsqueeze, reshape, permute, movedim } from './shape';
import { broadcastShapes, broadcastView, checkTensor, isOptions, sumToShape, posOpts } from './util';
import { tensor as makeTensor, arange } from './creation';
import { acState, autocastListed, autocastCall } from '../amp/autocast';

type T = Tensor;
export type IndexSpec = number | string | null | boolean | Tensor | unknown[];

// ------------------------------------------------------------------------------------------------------------
// small helpers (no autograd unless said)
// ------------------------------------------------------------------------------------------------------------
function nograd<R>(f: () => R): R {
  const prev = gradState.enabled;
  gradState.enabled = false;
  try { return f(); } finally { gradState.enabled = prev; }
}
const zerosOf = (shape: number[], dt: DType, like: T): T => fill_(empty_(shape.slice(), dt, like.device), 0);
function copyOf(t: T): T {
  const o = empty_(t.shape.slice(), t.dtype, t.device);
  if (o.numel()) copyInto(o, t);
  return o;
}
const flat = (t: T): T => (t.ndim === 1 ? t : reshape(t, [-1]));
const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function checkIndexDtype(index: T, op: string, allowInt32 = false): T {
  if (index.dtype === 'int64') return index;
  if (allowInt32 && index.dtype === 'int32') return toDtype(index, 'int64');
  throw new TorchError(allowInt32 ? `${op}(): Expected dtype int32 or int64 for index` : `${op}(): Expected dtype int64 for index`);
}

// Index tensors may live on the CPU for a tensor on another device (as PyTorch allows); they move to it.
function onDeviceOf(idx: T, x: T): T {
  if (idx.device.equals(x.device)) return idx;
  if (idx.device.type !== 'cpu') throw new TorchError(`indices should be either on cpu or on the same device as the indexed tensor (${x.device})`);
  return toDeviceCopy(idx, x.device);
}

// In-place ops go through the one in-place protocol (lib/autograd/inplace.ts): checks, write, version, node.
const inplace = inplaceRecord;
// a source that shares memory with the tensor being written is copied first
const unalias = (src: T, dst: T): T => (src._st === dst._st ? copyOf(src) : src);

// ------------------------------------------------------------------------------------------------------------
// raw kernel wrappers (no autograd)
// ------------------------------------------------------------------------------------------------------------
// index_select; mode 0: indices in [0, size), 1: negative indices wrap; words: error wording (see index.cc)
function indexSelectRaw(x: T, d: number, idx: T, mode: number, words: number): T {
  const shape = x.shape.slice();
  if (x.ndim) shape[d] = idx.numel();
  const out = empty_(shape, x.dtype, x.device);
  runKernel(OP.index_select, [out, x, flat(idx)], [d, mode, words], 'index_select');
  return out;
}
// normalised copy (negatives wrapped) of the index values for dim d of x, each checked against x.shape[d]
function normaliseIndex(idx: T, x: T, d: number, reportDim: number): T {
  const n = idx.numel();
  const out = empty_([n], 'int64', x.device);
  if (n) runKernel(OP.index_select, [out, x, flat(idx)], [d, 2, reportDim], 'index');
  return reshape(out, idx.shape.slice());
}
function nonzeroRaw(x: T): T {
  const n = runKernel(OP.nonzero, [x], [], 'nonzero');
  const out = empty_([n, x.ndim], 'int64', x.device);
  if (n > 0 && x.ndim > 0) runKernel(OP.nonzero, [out, x], [], 'nonzero');
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// t.index(...specs): Python's t[...], step 1 - basic indexing (PyTorch's applySlicing, quirks included: a mask
// advances the dimension counter by one however many dims it has; masks are expanded afterwards)
// ------------------------------------------------------------------------------------------------------------
const SLICE_RE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function toIndexTensor(spec: unknown[], x: T): T {
  const vals: unknown[] = [];
  const walk = (a: unknown): void => { if (Array.isArray(a)) a.forEach(walk); else vals.push(a); };
  walk(spec);
  const allBool = vals.length > 0 && vals.every((v) => typeof v === 'boolean');
  if (!allBool && !vals.every((v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint')) {
    throw new TorchError('tensors used as indices must be long, int, byte or bool tensors');
  }
  return makeTensor(spec, { dtype: allBool ? 'bool' : 'int64', device: x.device });
}

interface Basic { view: T; adv: (T | null)[]; changed: boolean }

function outOfBounds(i: number, dim: number, size: number): TorchError {
  return new TorchError(`index ${i} is out of bounds for dimension ${dim} with size ${size}`);
}

function applySlicing(x: T, specs0: unknown[]): Basic {
  const specs = specs0.map((s) => (Array.isArray(s) ? toIndexTensor(s, x) : s));
  let specified = 0;
  for (const s of specs) {
    if (typeof s === 'number' || (typeof s === 'string' && s.trim() !== '...')) specified++;
    else if (s instanceof Tensor) specified += s.dtype === 'bool' || s.dtype === 'uint8' ? s.ndim : 1;
  }
  if (specified > x.ndim) throw new TorchError(`too many indices for tensor of dimension ${x.ndim}`);
  let r = x, dim = 0, ellipsis = false, changed = false;
  const adv: (T | null)[] = [];
  const recordIndex = (t: T): void => {
    while (adv.length < dim) adv.push(null);
    adv[dim] = t;
    dim++;
  };
  const selectInt = (i: number): void => {
    const size = r.shape[dim];
    if (i < -size || i >= size) throw outOfBounds(i, dim, size);
    r = select(r, dim, i);
  };
  const boolIndex = (b: boolean): void => {  // a scalar bool adds a size-1 dim, kept (true) or emptied (false)
    r = unsqueeze(r, dim);
    recordIndex(b ? makeTensor([0], { dtype: 'int64', device: x.device }) : empty_([0], 'int64', x.device));
  };
  for (const s of specs) {
    changed = true;
    if (typeof s === 'number') {
      if (!Number.isInteger(s)) throw new TypeError(`only integers, slices ('a:b'), ellipsis ('...'), null, booleans and integer or boolean tensors are valid indices (got ${s})`);
      selectInt(s);
    } else if (typeof s === 'string') {
      if (s.trim() === '...') {
        // (PyTorch 1.13 takes more than one; later PyTorch, and nodetorch, refuse it)
        if (ellipsis) throw new TorchError("an index can only have a single ellipsis ('...')");
        ellipsis = true;
        dim += x.ndim - specified;
        continue;
      }
      const m = SLICE_RE.exec(s);
      if (!m) throw new TypeError(`invalid index string '${s}': expected a slice like '1:3', ':', '::2' or '...'`);
      const step = m[3] === undefined ? 1 : Number(m[3]);
      if (step === 0) throw new TorchError('slice step cannot be zero');
      if (step < 0) throw new TorchError('step must be greater than zero');
      const start = m[1] === undefined ? 0 : Number(m[1]);
      // PyTorch skips a slice spelled out as the whole dim (start 0, stop == size, step 1) inside a tuple of
      // indices, but not a lone one (t[':3'] is still a SliceBackward0 view); only node names tell the difference
      if (!(specs.length > 1 && start === 0 && m[2] !== undefined && Number(m[2]) === r.shape[dim] && step === 1)) {
        r = slice(r, dim, start, m[2] === undefined ? null : Number(m[2]), step);
      }
      dim++;
    } else if (s === null) {
      r = unsqueeze(r, dim);
      dim++;
    } else if (typeof s === 'boolean') {
      boolIndex(s);
    } else if (s instanceof Tensor) {
      s._check();
      const isMask = s.dtype === 'bool' || s.dtype === 'uint8';
      if (s.dtype !== 'int64' && s.dtype !== 'int32' && !isMask) throw new TorchError('tensors used as indices must be long, int, byte or bool tensors');
      if (s.ndim === 0) {  // 0-d integer tensors index like numbers, 0-d masks like booleans
        const v = s.item<number | boolean>();
        if (isMask) boolIndex(v !== 0 && v !== false);
        else selectInt(v as number);
      } else recordIndex(s);
    } else {
      throw new TypeError(`only integers, slices ('a:b'), ellipsis ('...'), null, booleans and integer or boolean tensors are valid indices (got ${describeValue(s)})`);
    }
  }
  return { view: r, adv, changed };
}

// ------------------------------------------------------------------------------------------------------------
// step 2 - advanced indexing: masks become their nonzero coordinates, index tensors broadcast together, and the
// indexed dims are merged into one so that a single index_select (or index_add / put) does the work
// ------------------------------------------------------------------------------------------------------------
interface Plan {
  vShape: number[];
  dims: number[];       // the dims of v that are indexed, ascending
  idx: T[];             // one int64 index tensor per indexed dim (not yet broadcast)
  B: number[];          // the broadcast index shape
  adjacent: boolean;    // indexed dims are consecutive: the result keeps B in their place, else B goes first
  perm: number[] | null;  // non-adjacent: v's dims reordered, indexed ones first
  mergeDim: number;     // where the merged indexed dim sits in the (permuted) merged shape
  mergedShape: number[];
  pos: T;               // 1-D int64 positions along the merged dim (may be negative when wrap)
  wrap: boolean;
  outShape: number[];   // the shape of v[...]
}

function checkMask(a: T, v: T, p: number): void {
  for (let j = 0; j < a.ndim; j++) {
    if (p + j >= v.ndim) throw new TorchError(`too many indices for tensor of dimension ${v.ndim}`);
    if (a.shape[j] !== v.shape[p + j]) {
      throw new TorchError(`The shape of the mask ${fmt(a.shape)} at index ${j} does not match the shape of the indexed tensor ${fmt(v.shape)} at index ${p + j}`);
    }
  }
}

function planAdvanced(v: T, adv: (T | null)[]): Plan {
  const vs = v.shape.slice();
  const used = adv.filter((a) => a !== null) as T[];
  if (used.length === 1 && (used[0].dtype === 'bool' || used[0].dtype === 'uint8')) {
    // a lone mask (t[mask], t[:, mask]): its dims are consecutive, so the positions along the merged dim are just
    // the nonzero positions of the flattened mask - no coordinates, no normalising
    const a = used[0], p0 = adv.indexOf(a), k = a.ndim;
    checkMask(a, v, p0);
    const pos = reshape(nonzeroRaw(reshape(onDeviceOf(a, v), [-1])), [-1]);
    const dims = Array.from({ length: k }, (_, j) => p0 + j);
    const B = [pos.numel()];
    return {
      vShape: vs, dims, idx: [], B, adjacent: true, perm: null, mergeDim: p0, pos, wrap: false,
      mergedShape: [...vs.slice(0, p0), numelOf(a.shape), ...vs.slice(p0 + k)],
      outShape: [...vs.slice(0, p0), ...B, ...vs.slice(p0 + k)],
    };
  }
  const dims: number[] = [], idx: T[] = [];
  let p = 0;
  for (const a of adv) {
    if (a === null) { p++; continue; }
    if (a.dtype === 'bool' || a.dtype === 'uint8') {
      checkMask(a, v, p);
      const nz = nonzeroRaw(onDeviceOf(a, v));
      for (let j = 0; j < a.ndim; j++) { dims.push(p + j); idx.push(select(nz, 1, j)); }
      p += a.ndim;
    } else {
      if (p >= v.ndim) throw new TorchError(`too many indices for tensor of dimension ${v.ndim}`);
      dims.push(p++);
      idx.push(onDeviceOf(a.dtype === 'int64' ? a : toDtype(a, 'int64'), v));
    }
  }
  let B: number[] = [];
  try {
    for (const t of idx) B = broadcastShapes(B, t.shape);
  } catch {
    throw new TorchError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${idx.map((t) => fmt(t.shape)).join(', ')}`);
  }
  const k = dims.length;
  const adjacent = dims[k - 1] - dims[0] === k - 1;
  const rest = vs.map((_, i) => i).filter((i) => !dims.includes(i));
  const prodP = dims.reduce((a, d) => a * vs[d], 1);
  let pos: T, wrap = false;
  if (k === 1) { pos = flat(idx[0]); wrap = true; } else pos = flat(linearise(v, dims, idx, dims.map((_, j) => dims.slice(j + 1).reduce((a, d) => a * vs[d], 1))));
  if (adjacent) {
    const p0 = dims[0];
    return {
      vShape: vs, dims, idx, B, adjacent, perm: null, mergeDim: p0, pos, wrap,
      mergedShape: [...vs.slice(0, p0), prodP, ...vs.slice(p0 + k)],
      outShape: [...vs.slice(0, p0), ...B, ...vs.slice(p0 + k)],
    };
  }
  const restShape = rest.map((d) => vs[d]);
  return {
    vShape: vs, dims, idx, B, adjacent, perm: [...dims, ...rest], mergeDim: 0, pos, wrap,
    mergedShape: [prodP, ...restShape], outShape: [...B, ...restShape],
  };
}

// sum_j idx_j * mult_j over the broadcast index shape, each idx_j normalised and checked against v.shape[dims[j]]
function linearise(v: T, dims: number[], idx: T[], mult: number[]): T {
  let lin: T | null = null;
  idx.forEach((t, j) => {
    const nj = normaliseIndex(t, v, dims[j], j);
    const term = mult[j] === 1 ? nj : mulScalar(nj, mult[j]);
    lin = lin === null ? term : add(lin, term);
  });
  return lin as unknown as T;
}

function advancedGather(v: T, plan: Plan): T {
  const src = plan.perm ? permute(v, plan.perm) : v;
  const merged = reshape(src, plan.mergedShape);  // a view when the strides allow, else a copy
  const out = indexSelectRaw(merged, plan.mergeDim, plan.pos, plan.wrap ? 1 : 0, 0);
  return reshape(out, plan.outShape);
}

// the gradient of v[...]: g accumulated into zeros at the indexed positions (differentiable, for double backward)
function advancedScatterAdd(g: T, plan: Plan): T {
  const md = plan.mergeDim;
  const selShape = plan.mergedShape.slice();
  selShape[md] = plan.pos.numel();
  const g2 = reshape(g, selShape);
  const r = zerosIndexAdd(plan.mergedShape, md, plan.pos, g2, plan.wrap);
  if (plan.perm) {
    const inv = new Array<number>(plan.perm.length);
    plan.perm.forEach((d, i) => { inv[d] = i; });
    return permute(reshape(r, plan.perm.map((d) => plan.vShape[d])), inv);
  }
  return reshape(r, plan.vShape);
}

// logical (C-order) positions in v of every element of v[...], laid out in the result's shape; for put
function advancedPositions(v: T, plan: Plan): T {
  const vs = plan.vShape, cs = computeContiguousStrides(vs);
  const nB = plan.B.length, R = plan.outShape;
  const k = plan.dims.length;
  // consecutive indexed dims: C-order position = position within the merged dim * stride of the last of them
  let lin = plan.adjacent && !plan.wrap ? mulScalar(reshape(plan.pos, plan.B), cs[plan.dims[k - 1]])
    : linearise(v, plan.dims, plan.idx, plan.dims.map((d) => cs[d]));
  // place B's axes, then add each remaining dim's arange(size) * stride along its own axis of the result
  const bAt = plan.adjacent ? plan.dims[0] : 0;
  lin = reshape(broadcastView(lin, plan.B), R.map((s, i) => (i >= bAt && i < bAt + nB ? s : 1)));
  const rest = vs.map((_, i) => i).filter((i) => !plan.dims.includes(i));
  rest.forEach((d, ri) => {
    const ax = plan.adjacent ? (d < plan.dims[0] ? d : d - k + nB) : nB + ri;
    const shape = R.map((_, i) => (i === ax ? vs[d] : 1));
    lin = add(lin, reshape(mulScalar(arange(vs[d], { device: v.device }), cs[d]), shape));
  });
  return sameShape(lin.shape, R) ? lin : copyOf(broadcastView(lin, R));
}

function aliasOf(x: T): T {
  return record('AliasBackward0', [x], viewOf(x, x.shape.slice(), x._strides.slice(), x._offset), (g) => [g]);
}

// (a Tensor method only: PyTorch has no torch.index)
function index(x: T, ...specs: IndexSpec[]): T {
  checkTensor(x, 'index', 'self');
  const { view, adv, changed } = applySlicing(x, specs);
  if (!adv.length) return changed && view !== x ? view : aliasOf(x);
  const plan = nograd(() => planAdvanced(view, adv));
  const out = nograd(() => advancedGather(view.detach(), plan));
  return record('IndexBackward0', [view], out, (g) => [advancedScatterAdd(g, plan)]);
}

// ------------------------------------------------------------------------------------------------------------
// t.indexPut_(specs, value, { accumulate }): t[...] = value (or +=). Basic-only specs copy into the view;
// advanced ones write through the put kernel at the positions computed above.
// ------------------------------------------------------------------------------------------------------------
function specList(specs: unknown): unknown[] {
  if (Array.isArray(specs)) return specs;
  return [specs];
}

function valueTensor(value: unknown, x: T, op: string): T {
  if (value instanceof Tensor) { value._check(); return value; }
  if (typeof value === 'number' || typeof value === 'boolean') return scalarTensor(value, x.dtype, x.device);
  throw new TypeError(`${op}(): value must be a Tensor or a number, not ${describeValue(value)}`);
}

// PyTorch's setitem drops the value's leading size-1 dims before broadcasting it (slicePrefix1sSize)
function dropLeadingOnes(shape: number[]): number[] {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  return shape.slice(i);
}
// the value's gradient: g at the written positions, summed to the value's shape
const valueGrad = (g: T, list: unknown[], vShape: number[]): T =>
  reshape(sumToShape(index(g, ...(list as IndexSpec[])), dropLeadingOnes(vShape)), vShape);

// writes value into x[specs] (no autograd); returns whether advanced indexing was used
function writeIndexed(x: T, specs: unknown[], v0: T, accumulate: boolean): boolean {
  const v = v0.ndim && v0.shape[0] === 1 ? reshape(v0, dropLeadingOnes(v0.shape)) : v0;
  const { view, adv } = applySlicing(x, specs);
  if (!adv.length) {
    let src = v;
    try { src = broadcastView(v, view.shape); } catch {
      throw new TorchError(`shape mismatch: value tensor of shape ${fmt(v.shape)} cannot be broadcast to indexing result of shape ${fmt(view.shape)}`);
    }
    src = unalias(toDeviceCopy(src, x.device), x);
    if (accumulate) copyInto(view, add(view, src));
    else if (view.numel()) copyInto(view, src);
    return false;
  }
  const plan = planAdvanced(view, adv);
  let src: T;
  try { src = broadcastView(v, plan.outShape); } catch {
    throw new TorchError(`shape mismatch: value tensor of shape ${fmt(v.shape)} cannot be broadcast to indexing result of shape ${fmt(plan.outShape)}`);
  }
  const pos = advancedPositions(view, plan);
  if (pos.numel()) runKernel(OP.put, [view, pos, unalias(toDeviceCopy(src, x.device), x)], [accumulate ? 1 : 0], 'index_put_');
  return true;
}

export function indexPut_(x: T, specs: IndexSpec[] | IndexSpec, value: T | number | boolean, opts: { accumulate?: boolean } | boolean = {}): T {
  checkTensor(x, 'index_put_', 'self');
  const list = specList(specs);
  const accumulate = accumulateOf(opts, 'index_put_');
  let v = valueTensor(value, x, 'index_put_');
  const isTensorValue = value instanceof Tensor;
  const advanced = list.some((s) => Array.isArray(s) || typeof s === 'boolean' || (s instanceof Tensor && (s.ndim > 0 || s.dtype === 'bool' || s.dtype === 'uint8')));
  if (isTensorValue && advanced && v.dtype !== x.dtype) {
    throw new TorchError(`Index put requires the source and destination dtypes match, got ${typeName(x.dtype)} for the destination and ${typeName(v.dtype)} for the source.`);
  }
  if (v.dtype !== x.dtype) v = nograd(() => toDtype(v, x.dtype));
  const vt = isTensorValue ? (value as T) : null;
  const vShape = v.shape.slice();
  const selfNeeds = x.requiresGrad;
  return inplace(x, 'index_put_', [vt], () => { writeIndexed(x, list, v, accumulate); }, advanced ? 'IndexPutBackward0' : 'CopySlices', (g) => [
    !selfNeeds ? null : accumulate ? g : indexPut(g, list as IndexSpec[], 0),
    vt && vt.requiresGrad ? valueGrad(g, list, vShape) : null,
  ]);
}

// out-of-place torch.indexPut(x, specs, value, { accumulate })
export function indexPut(x: T, specs: IndexSpec[] | IndexSpec, value: T | number | boolean, opts: { accumulate?: boolean } | boolean = {}): T {
  if (acState.on && autocastListed('index_put', arguments)) return autocastCall('index_put', indexPut, arguments);
  checkTensor(x, 'index_put', 'self');
  const list = specList(specs);
  const accumulate = accumulateOf(opts, 'index_put');
  let v = valueTensor(value, x, 'index_put');
  if (v.dtype !== x.dtype) v = nograd(() => toDtype(v, x.dtype));
  const vt = value instanceof Tensor ? value : null;
  const vShape = v.shape.slice();
  const out = nograd(() => copyOf(x));
  const advanced = nograd(() => writeIndexed(out, list, v, accumulate));
  return record(advanced ? 'IndexPutBackward0' : 'CopySlices', [x, vt], out, (g) => [
    x.requiresGrad ? (accumulate ? g : indexPut(g, list as IndexSpec[], 0)) : null,
    vt && vt.requiresGrad ? valueGrad(g, list, vShape) : null,
  ]);
}

// ------------------------------------------------------------------------------------------------------------
// gather / scatter / scatterAdd
// ------------------------------------------------------------------------------------------------------------
function gatherChecks(x: T, d: number, index: T, op: string): void {
  if (Math.max(index.ndim, 1) !== Math.max(x.ndim, 1)) throw new TorchError('Index tensor must have the same number of dimensions as input tensor');
  for (let i = 0; i < index.ndim && x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) {
      throw new TorchError(`Size does not match at dimension ${i} expected index ${fmt(index.shape)} to be smaller than self ${fmt(x.shape)} apart from dimension ${d}`);
    }
  }
  void op;
}

export function gather(x: T, dim: number, index: T, sparseGrad = false): T {
  // (sparse_grad=True asks for a sparse gradient, a layout nodetorch does not have; False is PyTorch's default)
  if (sparseGrad !== false) {
    if (sparseGrad === true) throw new TorchError(`gather(): sparse_grad=True is not supported: nodetorch has no sparse tensors, so no sparse gradients (gather's gradient is dense; leave sparseGrad out or pass false)`);
    throw new TypeError(`gather(): argument 'sparse_grad' must be bool, not ${describeValue(sparseGrad)}`);
  }
  checkTensor(x, 'gather');
  checkTensor(index, 'gather', 'index');
  checkIndexDtype(index, 'gather');
  const d = normDim(dim, x.ndim, 'gather');
  gatherChecks(x, d, index, 'gather');
  const out = empty_(index.shape.slice(), x.dtype, x.device);
  if (out.numel()) runKernel(OP.gather, [out, x, index], [d], 'gather');
  const xs = x.shape.slice();
  return record('GatherBackward0', [x], out, (g) => {
    // zeros with g scatter-added (in place: the zeros are ours), differentiable w.r.t. g
    const z = zerosOf(xs, g.dtype, g);
    nograd(() => scatterRaw(z, d, index, g, 1));
    return [record('ScatterAddBackward0', [g], z, (gg) => [gather(gg, d, index)])];
  });
}

function scatterChecks(x: T, d: number, index: T, src: T | null, op: string): void {
  checkIndexDtype(index, op);
  if (src && src.dtype !== x.dtype) throw new TorchError(`${op}(): Expected self.dtype to be equal to src.dtype`);
  if (Math.max(index.ndim, 1) !== Math.max(x.ndim, 1)) throw new TorchError('Index tensor must have the same number of dimensions as self tensor');
  if (src && Math.max(index.ndim, 1) !== Math.max(src.ndim, 1)) throw new TorchError('Index tensor must have the same number of dimensions as src tensor');
  for (let i = 0; i < index.ndim; i++) {
    if ((x.ndim && i !== d && index.shape[i] > x.shape[i]) || (src && src.ndim && index.shape[i] > src.shape[i])) {
      throw new TorchError(`Expected index ${fmt(index.shape)} to be smaller than self ${fmt(x.shape)} apart from dimension ${d}${src ? ` and to be smaller size than src ${fmt(src.shape)}` : ''}`);
    }
  }
}

// the gradient for scatter's src: g gathered at index, zero-padded where src is larger than index (PyTorch errors)
function srcGrad(g: T, d: number, index: T, srcShape: number[]): T {
  const r = gather(g, d, index);
  if (sameShape(r.shape, srcShape)) return r;
  return indexPut(zerosOf(srcShape, g.dtype, g), index.shape.map((s) => `0:${s}`), r);
}

const REDUCE_MODE: Record<string, number> = { add: 1, multiply: 2 };

// scatter kernel into `out` (in place); src is a tensor or a scalar broadcast over index's shape
function scatterRaw(out: T, d: number, index: T, src: T | number | boolean, mode: number): void {
  if (!index.numel()) return;
  const s = src instanceof Tensor ? unalias(src, out) : broadcastView(scalarTensor(src, out.dtype, out.device), index.shape);
  runKernel(OP.scatter, [out, index, s], [d, mode], 'scatter');
}

function parseScatterSrc(src: unknown, op: string): T | number | boolean {
  if (src instanceof Tensor) { src._check(); return src; }
  if (typeof src === 'number' || typeof src === 'boolean') return src;
  throw new TypeError(`${op}(): argument 'src' must be Tensor or Number, not ${describeValue(src)}`);
}
// accumulate as { accumulate } or positionally (PyTorch's index_put_(indices, values, accumulate))
function accumulateOf(opts: unknown, op: string): boolean {
  if (opts === undefined || opts === null) return false;
  if (typeof opts === 'boolean') return opts;
  if (!isOptions(opts)) throw new TypeError(`${op}(): argument 'accumulate' must be bool or { accumulate }, not ${describeValue(opts)}`);
  checkKeys(op, opts, ['accumulate']);
  return !!opts.accumulate;
}
function reduceMode(reduce: string | null, op: string): number {
  if (reduce === null) return 0;
  const m = REDUCE_MODE[String(reduce)];
  if (!m) throw new TorchError(`${op}(): reduce argument must be either add or multiply. Got ${String(reduce)}`);
  return m;
}
const notDifferentiable = (op: string): BackwardFn => () => { throw new TorchError(`derivative for aten::${op} is not implemented`); };

export function scatter(x: T, dim: number, index: T, src: T | number | boolean, reduce: 'add' | 'multiply' | null = null): T {
  checkTensor(x, 'scatter');
  checkTensor(index, 'scatter', 'index');
  const s = parseScatterSrc(src, 'scatter');
  const d = normDim(dim, x.ndim, 'scatter');
  const st = s instanceof Tensor ? s : null;
  scatterChecks(x, d, index, st, 'scatter');
  const mode = reduceMode(reduce, 'scatter');
  const out = nograd(() => copyOf(x));
  nograd(() => scatterRaw(out, d, index, s, mode));
  if (mode) return record('ScatterBackward0', [x, st], out, notDifferentiable('scatter'));
  if (st) return record('ScatterBackward0', [x, st], out, (g) => [scatter(g, d, index, 0), st.requiresGrad ? srcGrad(g, d, index, st.shape.slice()) : null]);
  return record('ScatterBackward1', [x], out, (g) => [scatter(g, d, index, 0)]);
}

export function scatter_(x: T, dim: number, index: T, src: T | number | boolean, reduce: 'add' | 'multiply' | null = null): T {
  checkTensor(x, 'scatter_');
  checkTensor(index, 'scatter_', 'index');
  const s = parseScatterSrc(src, 'scatter_');
  const d = normDim(dim, x.ndim, 'scatter_');
  const st = s instanceof Tensor ? s : null;
  scatterChecks(x, d, index, st, 'scatter_');
  const mode = reduceMode(reduce, 'scatter_');
  const fn: BackwardFn = mode ? notDifferentiable('scatter')
    : st ? (g) => [scatter(g, d, index, 0), st.requiresGrad ? srcGrad(g, d, index, st.shape.slice()) : null] : (g) => [scatter(g, d, index, 0)];
  return inplace(x, 'scatter_', [st], () => scatterRaw(x, d, index, s, mode), st || mode ? 'ScatterBackward0' : 'ScatterBackward1', fn);
}

export function scatterAdd(x: T, dim: number, index: T, src: T): T {
  if (acState.on && autocastListed('scatter_add', arguments)) return autocastCall('scatter_add', scatterAdd, arguments);
  checkTensor(x, 'scatter_add');
  checkTensor(index, 'scatter_add', 'index');
  checkTensor(src, 'scatter_add', 'src');
  const d = normDim(dim, x.ndim, 'scatter_add');
  scatterChecks(x, d, index, src, 'scatter_add');
  const out = nograd(() => copyOf(x));
  nograd(() => scatterRaw(out, d, index, src, 1));
  return record('ScatterAddBackward0', [x, src], out, (g) => [g, src.requiresGrad ? srcGrad(g, d, index, src.shape.slice()) : null]);
}

export function scatterAdd_(x: T, dim: number, index: T, src: T): T {
  checkTensor(x, 'scatter_add_');
  checkTensor(index, 'scatter_add_', 'index');
  checkTensor(src, 'scatter_add_', 'src');
  const d = normDim(dim, x.ndim, 'scatter_add_');
  scatterChecks(x, d, index, src, 'scatter_add_');
  return inplace(x, 'scatter_add_', [src], () => scatterRaw(x, d, index, src, 1), 'ScatterAddBackward0', (g) => [g, src.requiresGrad ? srcGrad(g, d, index, src.shape.slice()) : null]);
}

// ------------------------------------------------------------------------------------------------------------
// indexSelect / indexAdd / indexCopy / indexFill
// ------------------------------------------------------------------------------------------------------------
// index_copy and index_fill take int64 indices only (PyTorch's messages); index_select/index_add take int32 too
function longIndex(index: T, op: string): T {
  checkTensor(index, op, 'index');
  if (index.dtype !== 'int64') {
    if (op.startsWith('index_copy')) throw new TorchError(`index_copy_(): Expected a long tensor for index, but got ${typeName(index.dtype)}`);
    throw new TorchError('index_fill_(): Expected dtype int64 for index.');
  }
  return vectorIndex(index, op);
}
function vectorIndex(index: T, op: string): T {
  checkTensor(index, op, 'index');
  const i = checkIndexDtype(index, op, true);
  if (i.ndim > 1) throw new TorchError(`${op}(): Index is supposed to be a vector`);
  return i;
}

// index_select with autograd; mode 1 (negative indices wrap) is for the library's own use
function indexSelectImpl(x: T, d: number, index: T, mode: number, words: number): T {
  const out = indexSelectRaw(x, d, index, mode, words);
  const xs = x.shape.slice();
  return record('IndexSelectBackward0', [x], out, (g) => [zerosIndexAdd(xs, d, index, g, mode === 1)]);
}

export function indexSelect(x: T, dim: number, index: T): T {
  checkTensor(x, 'index_select');
  const i = vectorIndex(index, 'index_select');
  const d = normDim(dim, x.ndim, 'index_select');
  if (x.ndim === 0 && i.numel() !== 1) throw new TorchError(`index_select(): Index to scalar can have only 1 value, got ${i.numel()} value(s)`);
  return indexSelectImpl(x, d, onDeviceOf(i, x), 0, -1);
}

function indexAddChecks(x: T, d: number, index: T, src: T, op: string): void {
  if (src.dtype !== x.dtype) throw new TorchError(`${op}(): self (${typeName(x.dtype)}) and source (${typeName(src.dtype)}) must have the same scalar type`);
  const n = index.numel();
  const want = x.ndim ? x.shape.map((s, i) => (i === d ? n : s)) : [];
  const okShape = sameShape(src.shape, want) || (x.ndim === 0 && src.numel() === 1 && n === 1) || (x.ndim === 1 && src.ndim === 0 && n === 1);
  if (!okShape) throw new TorchError(`${op}(): source ${fmt(src.shape)} must have the shape of self ${fmt(x.shape)} with dimension ${d} of size ${n} (the index's length)`);
}

// out-of-place index_add with autograd (the gradient of indexSelect/take/masked_select/advanced indexing)
function indexAddImpl(x: T, d: number, index: T, src: T, alpha: number, wrap: boolean): T {
  const out = nograd(() => copyOf(x));
  const s = src.ndim === x.ndim ? src : reshape(src, x.ndim ? x.shape.map((v, i) => (i === d ? index.numel() : v)) : []);
  if (index.numel()) nograd(() => runKernel(OP.index_add, [out, flat(index), unalias(s, out)], [d, alpha, wrap ? 1 : 0], 'index_add'));
  const ss = src.shape.slice();
  return record('IndexAddBackward0', [x, src], out, (g) => [
    g,
    src.requiresGrad ? reshape(alpha === 1 ? indexSelectImpl(g, d, index, wrap ? 1 : 0, -1) : mulScalar(indexSelectImpl(g, d, index, wrap ? 1 : 0, -1), alpha), ss) : null,
  ]);
}

// zeros(shape) with src added along d at index, in place on the fresh zeros (no copy); differentiable w.r.t. src.
// The gradient of every gathering op (index_select, take, masked_select, advanced indexing).
function zerosIndexAdd(shape: number[], d: number, index: T, src: T, wrap: boolean): T {
  const out = zerosOf(shape, src.dtype, src);
  const s = src.ndim === out.ndim ? src : reshape(src, out.ndim ? shape.map((v, i) => (i === d ? index.numel() : v)) : []);
  if (index.numel()) nograd(() => runKernel(OP.index_add, [out, flat(index), s], [d, 1, wrap ? 1 : 0], 'index_add'));
  const ss = src.shape.slice();
  return record('IndexAddBackward0', [src], out, (g) => [reshape(indexSelectImpl(g, d, index, wrap ? 1 : 0, -1), ss)]);
}

function alphaOf(a: unknown, x: T): number {
  if (typeof a !== 'number') throw new TypeError(`index_add(): argument 'alpha' must be Number, not ${describeValue(a)}`);
  if (!Number.isInteger(a) && !x.isFloatingPoint()) throw new TorchError('For integral input tensors, argument alpha must not be a floating point number.');
  return a;
}

export function indexAdd(x: T, dim: number, index: T, source: T, alpha = 1): T {
  checkTensor(x, 'index_add');
  checkTensor(source, 'index_add', 'source');
  const i = onDeviceOf(vectorIndex(index, 'index_add'), x);
  const d = normDim(dim, x.ndim, 'index_add');
  indexAddChecks(x, d, i, source, 'index_add');
  return indexAddImpl(x, d, i, source, alphaOf(alpha, x), false);
}

export function indexAdd_(x: T, dim: number, index: T, source: T, alpha0 = 1): T {
  checkTensor(x, 'index_add_');
  checkTensor(source, 'index_add_', 'source');
  const i = onDeviceOf(vectorIndex(index, 'index_add_'), x);
  const d = normDim(dim, x.ndim, 'index_add_');
  indexAddChecks(x, d, i, source, 'index_add_');
  const alpha = alphaOf(alpha0, x);
  const s = source.ndim === x.ndim ? source : reshape(source.detach(), x.ndim ? x.shape.map((v, k) => (k === d ? i.numel() : v)) : []);
  const ss = source.shape.slice();
  return inplace(x, 'index_add_', [source], () => {
    if (i.numel()) runKernel(OP.index_add, [x, flat(i), unalias(s, x)], [d, alpha, 0], 'index_add_');
  }, 'IndexAddBackward0', (g) => [g, source.requiresGrad ? reshape(mulScalar(indexSelect(g, d, i), alpha), ss) : null]);
}

// index_copy / index_fill are scatters along `dim` with the 1-D index broadcast (stride 0) over the other dims
function expandedIndex(i: T, d: number, shape: number[]): T {
  const ii = flat(i);
  const st = shape.map((_, k) => (k === d ? ii._strides[0] : 0));
  return viewOf(ii, shape, st, ii._offset);
}
function fillValue(value: unknown, op: string): [number | boolean, T | null] {
  if (value instanceof Tensor) {
    value._check();
    if (value.ndim !== 0) throw new TorchError(`${op} only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
    return [value.item(), value];
  }
  if (typeof value === 'number' || typeof value === 'boolean') return [value, null];
  throw new TypeError(`${op}(): argument 'value' must be Number or Tensor, not ${describeValue(value)}`);
}

// index_fill takes indices in [-size, size), a negative one counting from the end (PyTorch's index_fill_ kernel)
function wrapFillIndex(i: T, x: T, d: number): T {
  const size = x.ndim ? x.shape[d] : 1;
  return i.numel() ? nograd(() => where(i.lt(0), add(i, size), i)) : i;
}
export function indexFill(x: T, dim: number, index: T, value: number | boolean | T): T {
  checkTensor(x, 'index_fill');
  const d = normDim(dim, x.ndim, 'index_fill');
  const i = wrapFillIndex(onDeviceOf(longIndex(index, 'index_fill'), x), x, d);
  const [v, vt] = fillValue(value, 'index_fill_');
  const out = nograd(() => copyOf(x));
  const shape = x.ndim ? x.shape.map((s, k) => (k === d ? i.numel() : s)) : [];
  nograd(() => scatterRaw(out, d, expandedIndex(i, d, shape), v, 0));
  return record(vt ? 'IndexFillBackward1' : 'IndexFillBackward0', [x, vt], out, (g) => [
    x.requiresGrad ? indexFill(g, d, i, 0) : null,
    vt && vt.requiresGrad ? sumToShape(indexSelect(g, d, i), []) : null,
  ]);
}
export function indexFill_(x: T, dim: number, index: T, value: number | boolean | T): T {
  checkTensor(x, 'index_fill_');
  const d = normDim(dim, x.ndim, 'index_fill_');
  const i = wrapFillIndex(onDeviceOf(longIndex(index, 'index_fill_'), x), x, d);
  const [v, vt] = fillValue(value, 'index_fill_');
  const shape = x.ndim ? x.shape.map((s, k) => (k === d ? i.numel() : s)) : [];
  return inplace(x, 'index_fill_', [vt], () => scatterRaw(x, d, expandedIndex(i, d, shape), v, 0), vt ? 'IndexFillBackward1' : 'IndexFillBackward0', (g) => [
    indexFill(g, d, i, 0), vt && vt.requiresGrad ? sumToShape(indexSelect(g, d, i), []) : null,
  ]);
}

function indexCopyChecks(x: T, d: number, i: T, src: T, op: string): void {
  if (src.dtype !== x.dtype) throw new TorchError(`${op}(): self and source expected to have the same dtype, but got (self) ${typeName(x.dtype)} and (source) ${typeName(src.dtype)}`);
  const want = x.ndim ? x.shape.map((s, k) => (k === d ? i.numel() : s)) : [];
  if (!sameShape(src.shape, want) && !(src.numel() === 1 && numelOf(want) === 1)) {
    throw new TorchError(`${op}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${fmt(x.shape)} at dimension ${d} and source slice shape: ${fmt(src.shape)} at dimension ${d}.`);
  }
}
export function indexCopy(x: T, dim: number, index: T, source: T): T {
  if (acState.on && autocastListed('index_copy', arguments)) return autocastCall('index_copy', indexCopy, arguments);
  checkTensor(x, 'index_copy');
  checkTensor(source, 'index_copy', 'source');
  const i = onDeviceOf(longIndex(index, 'index_copy'), x);
  const d = normDim(dim, x.ndim, 'index_copy');
  indexCopyChecks(x, d, i, source, 'index_copy');
  const shape = x.ndim ? x.shape.map((s, k) => (k === d ? i.numel() : s)) : [];
  const out = nograd(() => copyOf(x));
  nograd(() => scatterRaw(out, d, expandedIndex(i, d, shape), reshape(source.detach(), shape), 0));
  const ss = source.shape.slice();
  return record('IndexCopyBackward0', [x, source], out, (g) => [
    x.requiresGrad ? indexFill(g, d, i, 0) : null, source.requiresGrad ? reshape(indexSelect(g, d, i), ss) : null,
  ]);
}
export function indexCopy_(x: T, dim: number, index: T, source: T): T {
  checkTensor(x, 'index_copy_');
  checkTensor(source, 'index_copy_', 'source');
  const i = onDeviceOf(longIndex(index, 'index_copy_'), x);
  const d = normDim(dim, x.ndim, 'index_copy_');
  indexCopyChecks(x, d, i, source, 'index_copy_');
  const shape = x.ndim ? x.shape.map((s, k) => (k === d ? i.numel() : s)) : [];
  const ss = source.shape.slice();
  return inplace(x, 'index_copy_', [source], () => scatterRaw(x, d, expandedIndex(i, d, shape), reshape(source.detach(), shape), 0), 'IndexCopyBackward0', (g) => [
    indexFill(g, d, i, 0), source.requiresGrad ? reshape(indexSelect(g, d, i), ss) : null,
  ]);
}

// ------------------------------------------------------------------------------------------------------------
// masked ops
// ------------------------------------------------------------------------------------------------------------
function boolMask(mask: unknown, op: string): T {
  const m = checkTensor(mask, op, 'mask');
  if (m.dtype === 'bool') return m;
  if (m.dtype === 'uint8') return toDtype(m, 'bool');  // deprecated in PyTorch, still accepted
  throw new TorchError(op === 'masked_select' ? 'masked_select: expected BoolTensor for mask' : `${op} only supports boolean masks, but got mask with dtype ${m.dtype}`);
}

export function maskedFill(x: T, mask: T, value: number | boolean | T): T {
  checkTensor(x, 'masked_fill');
  const m = boolMask(mask, 'masked_fill_');
  const [v, vt] = fillValue(value, 'masked_fill_');
  broadcastShapes(x.shape, m.shape, 'masked_fill');
  const fillWith = vt ?? v;
  const out = nograd(() => toDtype(where(m, fillWith, x.detach()), x.dtype));
  const xs = x.shape.slice();
  return record(vt ? 'MaskedFillBackward1' : 'MaskedFillBackward0', [x, vt], out, (g) => [
    x.requiresGrad ? sumToShape(where(m, 0, g), xs) : null,
    vt && vt.requiresGrad ? sumToShape(where(m, g, 0), []) : null,
  ]);
}

export function maskedFill_(x: T, mask: T, value: number | boolean | T): T {
  checkTensor(x, 'masked_fill_');
  const m = boolMask(mask, 'masked_fill_');
  const [v, vt] = fillValue(value, 'masked_fill_');
  broadcastView(m, x.shape, 'masked_fill_');  // the mask must broadcast to self's shape
  const fillWith = vt ?? v;
  return inplace(x, 'masked_fill_', [vt], () => copyInto(x, toDtype(where(m, fillWith, x), x.dtype)), vt ? 'MaskedFillBackward1' : 'MaskedFillBackward0', (g) => [
    where(m, 0, g), vt && vt.requiresGrad ? sumToShape(where(m, g, 0), []) : null,
  ]);
}

export function maskedSelect(x: T, mask: T): T {
  checkTensor(x, 'masked_select');
  const m = boolMask(mask, 'masked_select');
  const S = broadcastShapes(x.shape, m.shape, 'masked_select');
  // linear positions of the true elements: nonzero of the flattened (broadcast) mask
  const pos = nograd(() => reshape(nonzeroRaw(reshape(copyOf(broadcastView(onDeviceOf(m, x), S)), [-1])), [-1]));
  const out = nograd(() => indexSelectRaw(reshape(broadcastView(x.detach(), S), [-1]), 0, pos, 0, -2));
  const xs = x.shape.slice(), n = numelOf(S);
  return record('MaskedSelectBackward0', [x], out, (g) => [
    sumToShape(reshape(zerosIndexAdd([n], 0, pos, g, false), S), xs),
  ]);
}

// ------------------------------------------------------------------------------------------------------------
// nonzero / argwhere / take / put
// ------------------------------------------------------------------------------------------------------------
// nonzero(input, *, asTuple): the two rows of lib/ops/ops.schema (by asTuple's value) call these
export function nonzero(x: T): T {
  checkTensor(x, 'nonzero');
  const raw = nonzeroRaw(x);
  // PyTorch's CPU nonzero writes its [n, ndim] result column by column: strides [1, n]
  const [n, nd] = raw.shape;
  const cols = empty_([nd, n], 'int64', x.device);
  if (n > 0 && nd > 0) copyInto(cols, permute(raw, [1, 0]));
  return new Tensor(cols._st, [n, nd], [1, n], 0, 'int64');
}
/** nonzero(x, { asTuple: true }): one index tensor per dim (a 0-dim input counts as 1-D) */
export function nonzeroTuple(x: T): T[] {
  checkTensor(x, 'nonzero');
  const xx = x.ndim === 0 ? reshape(x.detach(), [1]) : x;
  const nz = nonzero(xx);
  return Array.from({ length: xx.ndim }, (_, j) => select(nz, 1, j));
}
export const argwhere = (x: T): T => nonzero(x);

export function take(x: T, index: T): T {
  checkTensor(x, 'take');
  checkTensor(index, 'take', 'index');
  if (index.dtype !== 'int64') throw new TorchError(`take(): Expected a long tensor for index, but got ${typeName(index.dtype)}`);
  const i = onDeviceOf(index, x);
  const out = nograd(() => reshape(indexSelectRaw(reshape(x.detach(), [-1]), 0, i, 1, -2), i.shape.slice()));
  const xs = x.shape.slice(), n = x.numel();
  return record('TakeBackward0', [x], out, (g) => [reshape(zerosIndexAdd([n], 0, i, reshape(g, [-1]), true), xs)]);
}

function putChecks(x: T, index: T, source: T, op: string): void {
  if (index.dtype !== 'int64') throw new TorchError(`${op}(): Expected a long tensor for index, but got ${typeName(index.dtype)}`);
  if (source.dtype !== x.dtype) throw new TorchError(`${op}(): self and source expected to have the same dtype, but got self.dtype = ${typeName(x.dtype)} and source.dtype = ${typeName(source.dtype)}`);
  if (source.numel() !== index.numel()) throw new TorchError(`${op}(): Expected source and index to have the same number of elements, but got source.numel() = ${source.numel()}, index.numel() = ${index.numel()}`);
}
function putRaw(x: T, index: T, source: T, accumulate: boolean): void {
  if (!index.numel()) return;
  runKernel(OP.put, [x, index, reshape(unalias(source, x), index.shape.slice())], [accumulate ? 1 : 0], 'put_');
}

export function put_(x: T, index: T, source: T, accumulate = false): T {
  checkTensor(x, 'put_');
  checkTensor(index, 'put_', 'index');
  checkTensor(source, 'put_', 'source');
  putChecks(x, index, source, 'put_');
  const acc = accumulate;
  const i = onDeviceOf(index, x);
  const ss = source.shape.slice();
  return inplace(x, 'put_', [source], () => putRaw(x, i, source.detach(), acc), 'PutBackward0', (g) => [
    acc ? g : put(g, i, zerosOf(ss, g.dtype, g)), source.requiresGrad ? reshape(take(g, i), ss) : null,
  ]);
}

export function put(x: T, index: T, source: T, accumulate = false): T {
  checkTensor(x, 'put');
  checkTensor(index, 'put', 'index');
  checkTensor(source, 'put', 'source');
  putChecks(x, index, source, 'put');
  const acc = accumulate;
  const i = onDeviceOf(index, x);
  const out = nograd(() => copyOf(x));
  nograd(() => putRaw(out, i, source.detach(), acc));
  const ss = source.shape.slice();
  return record('PutBackward0', [x, source], out, (g) => [
    x.requiresGrad ? (acc ? g : put(g, i, zerosOf(ss, g.dtype, g))) : null, source.requiresGrad ? reshape(take(g, i), ss) : null,
  ]);
}

// ------------------------------------------------------------------------------------------------------------
// Tensor methods
// ------------------------------------------------------------------------------------------------------------
// gather, scatter(_), scatterAdd(_), indexSelect, indexAdd(_), indexCopy(_), indexFill(_), maskedFill(_),
// maskedSelect, take, put(_) and index_put(_) (the schema's IndexSpec type) are the schema's rows (lib/ops/ops.schema).
// What stays here: index (varargs index specs). argwhere and nonzero are rows (nonzero: two, by asTuple's value).
// ------------------------------------------------------------------------------------------------------------
// searchsorted / bucketize / histc / bincount / uniqueConsecutive / maskedScatter: computed on the host from the
// elements (CPU copies of device tensors), PyTorch's comparisons, dtypes and messages
// ------------------------------------------------------------------------------------------------------------
const TYPE_NAMES: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };
const FLOATING = ['float32', 'float64', 'float16', 'bfloat16'];
function hostNums(t: T): number[] {
  const c = t.device.type === 'cpu' ? t : t.cpu();
  return Array.from(c.contiguous().toTypedArray() as ArrayLike<number | bigint>, Number);
}
const int64Of = (vals: number[], shape: number[], like: T, dt: DType = 'int64'): T => {
  const t = vals.length ? reshape(makeTensor(vals, { dtype: dt }), shape) : zerosOf(shape, dt, like);
  return t.device.equals(like.device) ? t : toDeviceCopy(t, like.device);
};

// PyTorch's cus_lower_bound / cus_upper_bound (the NaN-aware forms: !(mid >= v) and !(mid > v))
function bound(bd: number[], start: number, end: number, v: number, right: boolean, sorter: number[] | null): number {
  const orig = start;
  while (start < end) {
    const mid = start + ((end - start) >> 1);
    const mv = sorter ? bd[sorter[mid] + orig] : bd[mid];
    if (right ? !(mv > v) : !(mv >= v)) start = mid + 1; else end = mid;
  }
  return start - orig;
}

/** torch.searchsorted(sorted_sequence, input, *, out_int32, right, side, sorter): input a tensor or a number (the
 *  schema's two rows); side must agree with right=true, as PyTorch's (right=false with side 'right' is side's) */
export function searchsorted(seq: T, input: T | number, outInt32: boolean, right0: boolean, side0: string | null, sorter0: T | null): T {
  checkTensor(seq, 'searchsorted', 'sorted_sequence');
  const o = { outInt32, right: right0 ? true : undefined, side: side0, sorter: sorter0 };
  const scalar = !(input instanceof Tensor);
  if (scalar && typeof input !== 'number' && typeof input !== 'boolean') throw new TypeError(`searchsorted(): argument 'input' must be Tensor or Number, not ${describeValue(input)}`);
  const x = scalar ? makeTensor(input as number, { device: seq.device }) : checkTensor(input, 'searchsorted');
  if (!scalar && (seq.dtype === 'bool' || x.dtype === 'bool')) throw new TorchError(`"searchsorted_out_cpu" not implemented for 'Bool'`);
  const side = o.side ?? null;
  if (side !== null && side !== 'left' && side !== 'right') throw new TorchError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(side)}`);
  if (side !== null && o.right !== undefined && (side === 'right') !== !!o.right) {
    throw new TorchError(`torch.searchsorted(): side and right can't be set to opposites, got side of ${side} while right was ${o.right ? 'True' : 'False'}`);
  }
  const right = side !== null ? side === 'right' : !!o.right;
  if (seq.ndim === 0) throw new TorchError('torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  if (seq.ndim > 1 && (scalar || seq.ndim !== x.ndim || seq.shape.slice(0, -1).some((s, i) => s !== x.shape[i]))) {
    throw new TorchError(`torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmt(seq.shape)} and input value tensor ${fmt(x.shape)}`);
  }
  let sorter: number[] | null = null;
  if (o.sorter !== undefined && o.sorter !== null) {
    const st = checkTensor(o.sorter, 'searchsorted', 'sorter');
    if (st.dtype !== 'int64') throw new TorchError(`torch.searchsorted(): sorter must be a tensor of long dtype but got dtype ${TYPE_NAMES[st.dtype]}`);
    if (!sameShape(st.shape, seq.shape)) throw new TorchError(`torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor ${fmt(seq.shape)}and got sorter tensor ${fmt(st.shape)}`);
    sorter = hostNums(st);
    const inner = seq.shape[seq.ndim - 1];
    if (sorter.some((v) => v < 0 || v >= inner)) throw new TorchError('torch.searchsorted(): sorter index out of range');
  }
  const bd = hostNums(seq), vals = hostNums(x);
  const inner = seq.shape[seq.ndim - 1];
  const perRow = seq.ndim === 1 ? 0 : (x.ndim ? x.shape[x.ndim - 1] : 1);
  const out = vals.map((v, i) => {
    const row = seq.ndim === 1 ? 0 : Math.floor(i / perRow);
    const start = row * inner;
    return bound(bd, start, start + inner, v, right, sorter);
  });
  return int64Of(out, x.shape.slice(), seq, o.outInt32 ? 'int32' : 'int64');
}

/** torch.bucketize(input, boundaries, *, out_int32, right): searchsorted with 1-d boundaries */
export function bucketize(input: T | number, boundaries: T, outInt32: boolean, right: boolean): T {
  checkTensor(boundaries, 'bucketize', 'boundaries');
  if (boundaries.ndim !== 1) throw new TorchError(`boundaries tensor must be 1 dimension, but got dim(${boundaries.ndim})`);
  return searchsorted(boundaries, input, outInt32, right, null, null);
}

/** torch.histc(input, bins=100, min=0, max=0): equal-width bins over [min, max] (min = max: the data's range);
 *  elements outside are left out, max falls in the last bin */
export function histc(x: T, bins0: number, min: number, max: number): T {
  checkTensor(x, 'histc');
  const o = { bins: bins0, min, max };
  if (!FLOATING.includes(x.dtype)) throw new TorchError(`"histogram_cpu" not implemented for '${TYPE_NAMES[x.dtype]}'`);
  const bins = o.bins ?? 100;
  if (!Number.isInteger(bins) || bins <= 0) throw new TorchError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
  let lo = o.min ?? 0, hi = o.max ?? 0;
  if (lo > hi) throw new TorchError('torch.histc: max must be larger than min');
  const vals = hostNums(x);
  if (lo === hi && vals.length) {
    lo = Infinity; hi = -Infinity;
    for (const v of vals) { if (v < lo || Number.isNaN(v)) lo = Number.isNaN(lo) ? lo : v; if (v > hi || Number.isNaN(v)) hi = Number.isNaN(hi) ? hi : v; }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new TorchError(`torch.histc: range of [${lo}, ${hi}] is not finite`);
  if (lo === hi) { lo -= 1; hi += 1; }
  const f32 = x.dtype !== 'float64';
  const r = f32 ? Math.fround : (v: number): number => v;
  const counts = new Array<number>(bins).fill(0);
  for (const v of vals) {
    if (v < lo || v > hi) continue;
    // PyTorch's (elt - min) * bins / (max - min) in the input's precision; NaN lands in the first bin, as PyTorch's
    let pos = Number.isNaN(v) ? 0 : Math.trunc(r(r(r(v - lo) * bins) / r(hi - lo)));
    if (pos === bins) pos -= 1;
    counts[pos] += 1;
  }
  const out = makeTensor(counts, { dtype: x.dtype });
  return out.device.equals(x.device) ? out : toDeviceCopy(out, x.device);
}

/** torch.bincount(input, weights=None, minlength=0): counts (or summed weights) of each value of a 1-d non-negative
 *  integer tensor; int64 counts, weights' sums in float64 (float32 weights: float32) */
export function bincount(x: T, weights: T | null, minlength0: number): T {
  checkTensor(x, 'bincount');
  const o = { weights, minlength: minlength0 };
  if (FLOATING.includes(x.dtype) || x.dtype === 'bool') throw new TorchError(`"bincount_cpu" not implemented for '${TYPE_NAMES[x.dtype]}'`);
  const minlength = o.minlength ?? 0;
  if (!Number.isInteger(minlength) || minlength < 0) throw new TorchError('minlength should be >= 0');
  const vals = hostNums(x);
  if (x.ndim !== 1 || vals.some((v) => v < 0)) throw new TorchError('bincount only supports 1-d non-negative integral inputs.');
  const w = o.weights ?? null;
  if (w !== null) {
    checkTensor(w, 'bincount', 'weights');
    if (w.ndim !== 1 || w.shape[0] !== x.shape[0]) throw new TorchError('weights should be 1-d and have the same length as input');
  }
  const n = Math.max(minlength, vals.length ? Math.max(...vals) + 1 : 0);
  const out = new Array<number>(n).fill(0);
  const wv = w === null ? null : hostNums(w);
  vals.forEach((v, i) => { out[v] += wv === null ? 1 : wv[i]; });
  const dt: DType = w === null ? 'int64' : w.dtype === 'float32' ? 'float32' : 'float64';
  return int64Of(out, [n], x, dt);
}

// Hand-written, not a row: return_inverse and return_counts decide whether it returns one, two or three tensors (as
// unique; a row's result is one type, and `A if flag else B` takes one flag).
/** torch.unique_consecutive(input, return_inverse=False, return_counts=False, dim=None): each run of equal
 *  consecutive elements (or slices along dim) kept once; [output, inverse?, counts?] when asked for */
export function uniqueConsecutive(x: T, ...rest: unknown[]): T | T[] {
  checkTensor(x, 'unique_consecutive');
  const o = posOpts<{ returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }>('unique_consecutive', rest, ['returnInverse', 'returnCounts', 'dim'], []);
  const dim = o.dim ?? null;
  let out: T, inverse: T, counts: T;
  if (dim === null) {
    const vals = hostNums(x);
    const keep: number[] = [], inv: number[] = [], cnt: number[] = [];
    vals.forEach((v, i) => {
      if (i === 0 || v !== vals[i - 1]) { keep.push(i); cnt.push(0); }
      cnt[cnt.length - 1] += 1;
      inv.push(keep.length - 1);
    });
    out = take(x, int64Of(keep, [keep.length], x));
    inverse = int64Of(inv, x.shape.slice(), x);
    counts = int64Of(cnt, [cnt.length], x);
  } else {
    const d = normDim(dim, x.ndim);
    const n = x.shape[d];
    const moved = permute(x, [d, ...x.shape.map((_, i) => i).filter((i) => i !== d)]);
    const rows = hostNums(moved);
    const inner = n ? rows.length / n : 0;
    const keep: number[] = [], inv: number[] = [], cnt: number[] = [];
    for (let i = 0; i < n; i++) {
      let same = i > 0;
      for (let j = 0; same && j < inner; j++) if (rows[i * inner + j] !== rows[(i - 1) * inner + j]) same = false;
      if (!same) { keep.push(i); cnt.push(0); }
      cnt[cnt.length - 1] += 1;
      inv.push(keep.length - 1);
    }
    out = movedim(contiguous(indexSelect(moved, 0, int64Of(keep, [keep.length], x))), 0, d);
    inverse = int64Of(inv, [n], x);
    counts = int64Of(cnt, [cnt.length], x);
  }
  if (!o.returnInverse && !o.returnCounts) return out;
  const res = [out];
  if (o.returnInverse) res.push(inverse);
  if (o.returnCounts) res.push(counts);
  return res;
}

declare module '../tensor' {
  interface Tensor {
    index(...specs: IndexSpec[]): T;
    uniqueConsecutive(opts?: { returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }): T | T[];
  }
}
const P = Tensor.prototype as unknown as Record<string, unknown>;
type AnyFn = (x: T, ...a: never[]) => unknown;
const METHODS: Record<string, AnyFn> = {
  index, uniqueConsecutive,
} as unknown as Record<string, AnyFn>;
for (const [name, f] of Object.entries(METHODS)) {
  P[name] = function (this: T, ...a: never[]): unknown { return f(this, ...a); };
}
