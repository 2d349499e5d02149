// tensor.ts - the Tensor class (thin: a view over a native Storage) and the plumbing every op uses:
// allocation, running a native kernel over views, memory accounting, dispose/tidy, reading values back.
// Methods of the op families are attached by lib/ops/*.ts (declaration merging keeps them typed).
import { native, meta, META_PER_TENSOR, META_ATTR_BASE, MAX_DIMS, StorageHandle, TensorToken } from './native';
import { DType, DTYPE_CODE, ITEMSIZE, typedArrayFor, TypedArray, bf16ToNumber, f16ToNumber, isFloating, getDefaultDtype } from './dtype';
import { Device, CPU } from './device';
import { strided, layout } from './layout';
import { TorchError, checkKeys } from './errors';
import { formatValues } from './print';
import { Node, runBackward, registerPostAccumulateGradHook, registerHook, addRetainHook, setTensorCheck } from './autograd/engine';
import type { GradHook, RemovableHandle } from './autograd/engine';
import { gradState } from './autograd/mode';

// `using` needs Symbol.dispose; Node 20 does not define it everywhere (vm contexts, jest). Node's own polyfill key:
if (!(Symbol as { dispose?: symbol }).dispose) Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') });

/** What `tolist()` returns when the rank is not stated: a number or boolean (0-d), or arrays of them nested one level
 *  per dimension. */
export type NestedList<E extends number | boolean = number | boolean> = E | NestedList<E>[];
/** `tolist<D, E>()`: E nested D levels deep (D = 0..8), or a `NestedList<E>` when D is not a literal. */
export type ListOf<D extends number, E extends number | boolean = number> =
  number extends D ? NestedList<E> : D extends 0 ? E : D extends 1 ? E[] : D extends 2 ? E[][] : D extends 3 ? E[][][] :
  D extends 4 ? E[][][][] : D extends 5 ? E[][][][][] : D extends 6 ? E[][][][][][] : D extends 7 ? E[][][][][][][] :
  D extends 8 ? E[][][][][][][][] : NestedList<E>;

// ---------------------------------------------------------------------------------------------------------------
// Storage: one native allocation, shared by every view of it. `refs` counts the live tensors holding it so that
// dispose() of the last one frees the memory at once; otherwise the native finalizer frees it when collected.
// ---------------------------------------------------------------------------------------------------------------
export class Storage {
  handle: StorageHandle;
  readonly nbytes: number;
  readonly device: Device;
  refs = 0;
  version = 0; // bumped by in-place ops; shared by views, as PyTorch's version counter
  freed = false;
  keepAlive: ArrayBuffer | null = null; // frombuffer: the JS memory this storage points into
  constructor(handle: StorageHandle, nbytes: number, device: Device) {
    this.handle = handle;
    this.nbytes = nbytes;
    this.device = device;
  }
  release(): void {
    if (--this.refs <= 0 && !this.freed) {
      this.freed = true;
      native.free(this.handle);
    }
  }
}

const DEVTYPE = (d: Device): number => (d.type === 'cuda' ? 1 : 0);

// Note [stream scopes] (lib/cuda_stream.ts): once an async torch.cuda.stream scope exists, every native call that
// queues CUDA work first makes the native current streams those of the running asynchronous context.
export const cudaStreamHook: { active: boolean; apply: () => void } = { active: false, apply: () => {} };

// counted: the storage's handle is also the token of the one tensor the caller makes on it (see Tensor)
export function allocStorage(nbytes: number, device: Device, zero = false, counted = false): Storage {
  if (device.type === 'cuda' && !cudaBuilt()) throw new TorchError('Torch not compiled with CUDA enabled');
  if (cudaStreamHook.active) cudaStreamHook.apply();
  let h: StorageHandle;
  try {
    h = native.alloc(nbytes, DEVTYPE(device), device.index ?? 0, zero, counted);
  } catch (e) {
    // CUDA out of memory: unreachable tensors may still hold device memory until V8 collects them (API.md, Memory).
    // Collect (their finalizers return the blocks to the caching allocator) and try once more before failing.
    if (device.type !== 'cuda' || !/out of memory/i.test(String((e as Error).message)) || !collectGarbage()) throw e;
    h = native.alloc(nbytes, DEVTYPE(device), device.index ?? 0, zero, counted);
  }
  return new Storage(h, nbytes, device);
}
let gcFn: (() => void) | null | undefined;
/** A full garbage collection, if one can be requested (node's --expose-gc, switched on at run time). */
export function collectGarbage(): boolean {
  if (gcFn === undefined) {
    gcFn = null;
    try {
      const g = (globalThis as { gc?: () => void }).gc;
      if (typeof g === 'function') gcFn = g;
      else {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        require('v8').setFlagsFromString('--expose-gc');
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        gcFn = require('vm').runInNewContext('gc') as () => void;
      }
    } catch { gcFn = null; }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}
let cudaBuiltCache: boolean | undefined;
const cudaBuilt = (): boolean => (cudaBuiltCache ??= native.info().cudaBuilt);

// ---------------------------------------------------------------------------------------------------------------
// live tensor accounting and tidy scopes
// ---------------------------------------------------------------------------------------------------------------
// Live tensors are counted natively: each Tensor holds a token whose basic finalizer runs inside GC (see
// native/binding/addon.cc), so the count is exact in a synchronous loop; dispose() releases it at once.
const scopes: Set<Tensor>[] = [];
export const keptByLibrary = new WeakSet<Tensor>();

export function enterScope(): Set<Tensor> { const s = new Set<Tensor>(); scopes.push(s); return s; }
export function exitScope(s: Set<Tensor>): void {
  const i = scopes.lastIndexOf(s);
  if (i >= 0) scopes.splice(i, 1);
}
export function liveCounts(): { tensors: number; byDevice: Map<string, number> } {
  const m = native.memStats();
  const byDevice = new Map<string, number>([['cpu', m[4]]]);
  if (m[5]) byDevice.set('cuda:0', m[5]);
  return { tensors: m[4] + m[5], byDevice };
}

export function computeContiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  // PyTorch's contiguous strides: a size-0 dim counts as 1 ([2, 0] -> [1, 1], as c10's contiguous_strides)
  for (let i = shape.length - 1; i >= 0; i--) { st[i] = s; s *= Math.max(shape[i], 1); }
  return st;
}
export const numelOf = (shape: readonly number[]): number => { let n = 1; for (const s of shape) n *= s; return n; };

// ---------------------------------------------------------------------------------------------------------------
// Tensor
// ---------------------------------------------------------------------------------------------------------------
/** a TypeError for what size()/stride() got beyond `dim` (keyword leftovers or a second positional argument) */
function unexpectedArgs(op: string, extra: unknown): never {
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra) && !(extra instanceof Tensor)) {
    throw new TypeError(`${op}() got an unexpected keyword argument '${Object.keys(extra)[0]}'`);
  }
  throw new TypeError(`${op}() takes at most 1 argument (dim)`);
}

/** Tensor.backward's options (PyTorch's retain_graph, create_graph, inputs) */
export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] }

export class Tensor {
  _st: Storage;
  readonly shape: number[];
  _strides: number[];
  _offset: number;
  readonly dtype: DType;
  _rg = false;
  _grad: Tensor | null = null;
  // this tensor is a gradient the library made, and whether user code has been handed it (Note [freeing a dropped
  // gradient])
  _libGrad = false;
  _gradSeen = false;
  _gradFn: Node | null = null;
  _retains = false;
  _disposed = false;
  _isParam = false;
  _inference = false;
  _tok: TensorToken;
  // the tensor this one is a differentiable view of (the root of a chain of views; null when not a view). An in-place
  // op on a view rewrites the base's history too (CopySlices, lib/ops/elementwise.ts rebaseView)
  _base: Tensor | null = null;
  _viewVer = 0; // the storage version this view's history was made for (a later in-place op elsewhere makes it stale)

  // token: a storage allocated `counted` passes its own handle (one external for both); others get a token here
  constructor(st: Storage, shape: number[], strides: number[], offset: number, dtype: DType, token?: TensorToken) {
    this._st = st;
    this.shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = dtype;
    st.refs++;
    this._inference = gradState.inference;
    this._tok = token ?? native.token(st.device.type === 'cuda' ? 1 : 0);
    if (scopes.length) scopes[scopes.length - 1].add(this);
  }

  // ---- metadata ----
  get device(): Device { return this._st.device; }
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  numel(): number { return numelOf(this.shape); }
  nelement(): number { return this.numel(); }
  elementSize(): number { return ITEMSIZE[this.dtype]; }
  size(): number[];
  size(dim: number): number;
  /** keyword form (lib/ops/keywords.ts moves `dim` into place before this body runs) */
  size(opts: { dim: number }): number;
  size(dim?: number | { dim: number }, ...rest: unknown[]): number[] | number {
    if (rest.length > 0 && rest[0] !== undefined) unexpectedArgs('size', rest[0]);
    if (dim === undefined) return this.shape.slice();
    return this.shape[normDim(dim as number, this.ndim, 'size')];
  }
  stride(): number[];
  stride(dim: number): number;
  /** keyword form (lib/ops/keywords.ts moves `dim` into place before this body runs) */
  stride(opts: { dim: number }): number;
  stride(dim?: number | { dim: number }, ...rest: unknown[]): number[] | number {
    if (rest.length > 0 && rest[0] !== undefined) unexpectedArgs('stride', rest[0]);
    this._check();
    if (dim === undefined) return this._strides.slice();
    return this._strides[normDim(dim as number, this.ndim, 'stride')];
  }
  storageOffset(): number { return this._offset; }
  dataPtr(): string { this._check(); return `${storageId(this._st)}:${this._offset * ITEMSIZE[this.dtype]}`; }
  get isCuda(): boolean { return this._st.device.type === 'cuda'; }
  /** torch.strided: every nodetorch tensor is dense (no sparse layouts; lib/layout.ts) */
  get layout(): layout<'strided'> { return strided; }

  // ---- pinned memory and streams (lib/cuda_stream.ts, cuda/stream.cu) ----
  /** Whether this is a CPU tensor in pinned (page-locked) host memory. */
  isPinned(): boolean {
    this._check();
    return this._st.device.type === 'cpu' && (native.cudaStreams('isPinned', this._st.handle) as boolean);
  }
  /**
   * A copy of this CPU tensor in pinned host memory (this tensor itself if it is pinned already), from which
   * `to('cuda', { nonBlocking: true })` is an asynchronous copy on the current stream.
   */
  pinMemory(): Tensor {
    this._check();
    if (this._st.device.type !== 'cpu') throw new TorchError(`cannot pin '${(this as unknown as { type(): string }).type()}' only dense CPU tensors can be pinned`);
    if (this.isPinned()) return this;
    const c = this.isContiguous() ? this : contiguousCopy(this);
    const isz = ITEMSIZE[c.dtype];
    const h = native.cudaStreams('pin', c._st.handle, c._offset * isz, c.numel() * isz) as StorageHandle;
    const st = new Storage(h, c.numel() * isz, this._st.device);
    return new Tensor(st, this.shape.slice(), computeContiguousStrides(this.shape), 0, this.dtype);
  }
  /**
   * Marks this CUDA tensor's memory as used by work queued on `stream`: when it is freed, the caching allocator
   * reuses the block only after that work has run (PyTorch's record_stream).
   */
  recordStream(stream: { _dev: number; _id: number; device: Device }): void {
    this._check();
    if (this._st.device.type !== 'cuda') throw new TorchError(`recordStream: expected a CUDA tensor, but got a tensor on ${this.device} (record_stream is only meaningful for CUDA tensors)`);
    if (!stream || typeof stream._id !== 'number') throw new TypeError('recordStream(): expected a torch.cuda.Stream');
    const dev = this._st.device.index ?? 0;
    if (stream._dev !== dev) throw new TorchError(`recordStream: the stream is on cuda:${stream._dev} but the tensor is on cuda:${dev}; a tensor can only be recorded on a stream of its own device`);
    native.cudaStreams('recordStream', this._st.handle, stream._dev, stream._id);
  }
  get _version(): number { return this._st.version; }
  /** is_contiguous(): C order; `{ memoryFormat: torch.channelsLast }` (or channelsLast3d): NHWC (NDHWC) order
   *  (lib/memory_format.ts). Size-1 dims may have any stride. */
  isContiguous(opts?: { memoryFormat?: import('./memory_format').MemoryFormat }): boolean {
    if (opts !== undefined && layoutHooks.isContiguousAs) return layoutHooks.isContiguousAs(this, opts);
    if (this.shape.includes(0)) return true;  // an empty tensor is contiguous whatever its strides (c10)
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this._strides[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }
  isFloatingPoint(): boolean { return isFloating(this.dtype); }

  // ---- autograd state ----
  get requiresGrad(): boolean { return this._rg || this.gradFn !== null; }
  set requiresGrad(v: boolean) { this.requiresGrad_(v); }
  requiresGrad_(v = true): this {
    if (this.gradFn !== null && !v) throw new TorchError("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
    if (v && !isFloating(this.dtype)) throw new TorchError('only Tensors of floating point dtype can require gradients');
    if (v && this._inference) throw new TorchError('Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.');
    this._rg = v;
    return this;
  }
  get isLeaf(): boolean { return this.gradFn === null; }
  // Note [freeing a dropped gradient]: PyTorch frees a parameter's gradient as soon as `zero_grad()` (set_to_none)
  // or an assignment drops its last reference. JavaScript cannot count references, so a gradient the library made
  // (_accumulateGrad, DDP) that no user code has ever been handed (this getter marks it _gradSeen; the library's own
  // readers use _grad) is freed at once when it is dropped: nobody else can hold it. One that user code has read is
  // left to the garbage collector, as any tensor. Without this every step's gradients (7.4 MB for a 784-1024-1024-10
  // MLP) stayed mapped until V8 collected them, and their external-memory pressure forced a full mark-compact every
  // ~9 steps (about 2 ms CPU per step of that MLP).
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) g._gradSeen = true;
    return g;
  }
  set grad(g: Tensor | null) {
    if (g !== null && !(g instanceof Tensor)) throw new TorchError('assigned grad expected to be a Tensor or None');
    if (g !== null && !sameShape(g.shape, this.shape)) throw new TorchError(`assigned grad has data of a different size: [${g.shape}] vs [${this.shape}]`);
    this._setGrad(g);
  }
  /** replaces .grad, freeing the old gradient when only the library ever held it (Note [freeing a dropped gradient]) */
  _setGrad(g: Tensor | null): void {
    const old = this._grad;
    this._grad = g;
    if (old !== null && old !== g && old._libGrad && !old._gradSeen) old.dispose();
  }
  /** PyTorch's register_post_accumulate_grad_hook: hook(this) runs once this leaf's .grad holds the whole gradient of
   *  a backward pass (before backward returns). */
  registerPostAccumulateGradHook(hook: (t: Tensor) => void): { id: number; remove(): void } { return registerPostAccumulateGradHook(this, hook); }
  retainGrad(): void {
    if (!this.requiresGrad) throw new TorchError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn === null || this._retains) return;
    this._retains = true;
    addRetainHook(this.gradFn, this);
  }
  /** PyTorch's register_hook: hook(grad) runs on this tensor's gradient during backward and may return a replacement
   *  (same shape, dtype and device); returns a handle whose remove() unregisters it (lib/autograd/engine.ts) */
  registerHook(hook: GradHook): RemovableHandle;
  registerHook(opts: { hook: GradHook }): RemovableHandle;
  registerHook(hook: GradHook | { hook: GradHook }): RemovableHandle {
    if (hook !== null && typeof hook === 'object') {
      checkKeys('register_hook', hook, ['hook']);
      return registerHook(this, hook.hook);
    }
    return registerHook(this, hook);
  }
  get retainsGrad(): boolean { return this._retains; }
  _setGradFn(n: Node): void { this._gradFn = n; }
  // A view whose base (or another view of it) was modified in place after this view's history was recorded gets a
  // fresh history, a view of the base's current one (PyTorch regenerates a view's grad_fn the same way).
  get gradFn(): Node | null {
    if (this._base !== null && this._viewVer !== this._st.version) hooks.refreshView(this);
    return this._gradFn;
  }
  set gradFn(n: Node | null) { this._gradFn = n; }
  // PyTorch's `t.data = src`: this object takes over src's storage and view (Module.to() moves parameters so)
  _setData(src: Tensor): void {
    if (src === this) return;
    src._check();
    const old = this._st;
    src._st.refs++;
    this._st = src._st;
    (this as { shape: number[] }).shape = src.shape.slice();
    this._strides = src._strides.slice();
    this._offset = src._offset;
    (this as { dtype: DType }).dtype = src.dtype;
    if ((this._tok as unknown) === (old.handle as unknown)) {
      // the old storage was this tensor's token: it may now be collected before this tensor, so take a token of
      // our own and release the old one
      native.tokenSet(this._tok, -1);
      this._tok = native.token(src._st.device.type === 'cuda' ? 1 : 0);
    } else if (src._st.device.type !== old.device.type) native.tokenSet(this._tok, src._st.device.type === 'cuda' ? 1 : 0);
    old.release();
  }
  /** owned: the engine made g and holds the only reference to it (Note [stealing a leaf's first gradient] in
   *  lib/autograd/engine.ts); it becomes .grad itself when no other live tensor shares its storage and it has the
   *  leaf's dense layout, saving a copy */
  _accumulateGrad(g: Tensor, createGraph: boolean, owned = false): void {
    let gg = g;
    if (gg.dtype !== this.dtype) gg = gg.to(this.dtype);
    if (this._grad === null && owned && !createGraph && gg === g && !g.requiresGrad && g._st.refs === 1 && g._base === null &&
        g._offset === 0 && g._st.nbytes === g.numel() * g.elementSize() && g._st.device.equals(this.device) &&
        g.shape.length === this.shape.length && g.shape.every((d, i) => d === this.shape[i] && g._strides[i] === this._strides[i]) &&
        g.isContiguous()) {
      this._grad = g;
      g._libGrad = true;
      keptByLibrary.add(g);
    } else if (this._grad === null) {
      // a fresh tensor (not aliasing the incoming gradient) so that later in-place accumulation is safe
      this._grad = createGraph ? gg : layoutHooks.gradLike ? layoutHooks.gradLike(gg.requiresGrad ? gg.detach() : gg, this) : (gg.requiresGrad ? gg.detach() : gg).clone();
      if (!createGraph) this._grad._libGrad = true;
      keptByLibrary.add(this._grad);
    } else if (createGraph || this._grad.requiresGrad) {
      this._grad = this._grad.add(gg);
      keptByLibrary.add(this._grad);
    } else {
      const was = gradState.enabled;
      gradState.enabled = false;
      try { this._grad.add_(gg); } finally { gradState.enabled = was; }
    }
  }
  backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
  /** every parameter by name: `loss.backward({ gradient: g, retainGraph: true })` (lib/ops/keywords.ts moves
   *  `gradient` into place before this body runs) */
  backward(opts: BackwardOptions & { gradient?: Tensor | null }): void;
  backward(gradient?: Tensor | (BackwardOptions & { gradient?: Tensor | null }) | null, opts?: BackwardOptions): void {
    let g: Tensor | null | undefined = null;
    if (gradient instanceof Tensor || gradient === null || gradient === undefined) g = gradient as Tensor | null;
    else { opts = gradient; g = null; }
    checkKeys('backward', opts, ['retainGraph', 'createGraph', 'inputs']);
    backwardImpl([this], g ? [g] : [null], opts || {});
  }

  // ---- lifetime ----
  _check(): void {
    if (this._disposed) throw new TorchError('Tensor has been disposed: it was freed by dispose(), `using` or torch.tidy() and cannot be used');
    if (this._st.freed) throw new TorchError('Tensor storage has been freed (another tensor sharing it was disposed)');
  }
  get isDisposed(): boolean { return this._disposed; }
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    native.tokenSet(this._tok, -1);
    this._st.release();
    this.gradFn = null;
    if (this._grad && !this._isParam) { /* grad is its own tensor; left to GC or its own dispose */ }
  }
  [Symbol.dispose](): void { this.dispose(); }

  // ---- reading back ----
  toTypedArray(): TypedArray | Float32Array | Uint8Array {
    this._check();
    const c = this.isContiguous() ? this : contiguousCopy(this);
    const n = c.numel();
    const isz = ITEMSIZE[c.dtype];
    if (cudaStreamHook.active) cudaStreamHook.apply();
    // (an empty tensor is contiguous whatever its offset: nothing to read)
    const ab = n === 0 ? new ArrayBuffer(0) : native.read(c._st.handle, c._offset * isz, n * isz);
    const raw = typedArrayFor(c.dtype, ab, 0, n);
    if (c.dtype === 'float16' || c.dtype === 'bfloat16') {
      const out = new Float32Array(n);
      const conv = c.dtype === 'float16' ? f16ToNumber : bf16ToNumber;
      for (let i = 0; i < n; i++) out[i] = conv((raw as Uint16Array)[i]);
      return out;
    }
    return raw;
  }
  async data(): Promise<TypedArray | Float32Array | Uint8Array> {
    if (this.device.type === 'cuda') await new Promise((r) => setImmediate(r));
    return this.toTypedArray();
  }
  dataSync(): TypedArray | Float32Array | Uint8Array { return this.toTypedArray(); }
  /** There is no NumPy here: throws, pointing at toTypedArray() / tolist() / data(). */
  numpy(): never {
    throw new TorchError('Tensor.numpy(): there is no NumPy in JavaScript; use t.toTypedArray() (a new flat TypedArray in C order, what .cpu().numpy() holds; t.shape gives its shape), t.tolist() for nested arrays, or await t.data()');
  }
  _values(): (number | boolean)[] {
    const a = this.toTypedArray();
    const out = new Array<number | boolean>(a.length);
    if (this.dtype === 'bool') for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0;
    else if (this.dtype === 'int64') for (let i = 0; i < a.length; i++) out[i] = Number((a as BigInt64Array)[i]);
    else for (let i = 0; i < a.length; i++) out[i] = a[i] as number;
    return out;
  }
  /** The value of a one-element tensor: a number (a boolean for a bool tensor: write `t.item<boolean>()` there). Typed
   *  `number` by default so that `total += loss.item()` compiles (JavaScript arithmetic reads `true` as 1, as Python). */
  // (not a bare `R extends number | boolean`: from a context such as `number | Tensor`, TypeScript would infer R as
  // that constraint, number | boolean; `symbol` in the constraint marks this fallback, which then reads as number)
  item<R extends number | boolean | symbol = number>(): [symbol] extends [R] ? number : R {
    const n = this.numel();
    if (n !== 1) throw new TorchError(`a Tensor with ${n} elements cannot be converted to Scalar`);
    return this._values()[0] as [symbol] extends [R] ? number : R;
  }
  /** The values as nested arrays, one level per dimension (a number or boolean for a 0-d tensor). The rank and the
   *  element type are not in the Tensor's type: say them where known, `t.tolist<2>()` is `number[][]`,
   *  `mask.tolist<1, boolean>()` is `boolean[]`; without them the result is a `NestedList`. */
  tolist(): NestedList;
  tolist<D extends number, E extends number | boolean = number>(): ListOf<D, E>;
  tolist(): NestedList {
    const v = this._values();
    const shape = this.shape;
    if (shape.length === 0) return v[0];
    let pos = 0;
    const build = (d: number): NestedList[] => {
      const out: NestedList[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? v[pos++] : build(d + 1));
      return out;
    };
    return build(0);
  }
  toString(): string { return formatTensor(this); }
  // JavaScript interop (API.md, Reading tensors back): Number(t) / +t of a one-element tensor is its value (Python's
  // float(t)), `${t}` its text; `a + b`, `a == 1` (hint 'default') and arithmetic on a larger tensor are TypeErrors
  // naming the method to use, never a silent string or NaN
  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | string {
    if (hint === 'string') return this.toString();
    if (hint === 'number') {
      const n = this.numel();
      if (n !== 1) throw new TypeError(`only one element tensors can be converted to a number, this one has ${n} (shape [${this.shape.join(', ')}]); JavaScript's arithmetic operators do not apply to tensors: use a.add(b), a.sub(b), a.mul(b), a.div(b) (torch.add, torch.mul, ...)`);
      return Number(this.item<number | boolean>());
    }
    throw new TypeError("a Tensor cannot be an operand of JavaScript's + or == operators: use a.add(b) (torch.add) to add, a.eq(b) or torch.equal(a, b) to compare, String(t) or `${t}` for its text");
  }
  // for (const row of t): the sub-tensors along the first dimension, as Python's `for row in t`
  *[Symbol.iterator](): IterableIterator<Tensor> {
    this._check();
    if (this.shape.length === 0) throw new TypeError('iteration over a 0-d tensor');
    for (let i = 0; i < this.shape[0]; i++) yield this.select(0, i);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this._disposed ? 'tensor(<disposed>)' : this.toString(); }
  get [Symbol.toStringTag](): string { return 'Tensor'; }
  toJSON(): NestedList { return this.tolist(); }
}
setTensorCheck((x: unknown): x is Tensor => x instanceof Tensor);

let storageIds = new WeakMap<Storage, number>();
let nextStorageId = 1;
function storageId(s: Storage): number {
  let id = storageIds.get(s);
  if (id === undefined) { id = nextStorageId++; storageIds.set(s, id); }
  return id;
}
export function _resetStorageIds(): void { storageIds = new WeakMap(); }

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function normDim(dim: number, ndim: number, op = 'dim'): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new TorchError(`${op}: dim must be an integer, got ${String(dim)}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) throw new TorchError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  return dim < 0 ? dim + n : dim;
}

// ---------------------------------------------------------------------------------------------------------------
// creating tensors and running kernels
// ---------------------------------------------------------------------------------------------------------------
export function empty_(shape: number[], dtype: DType, device: Device = CPU, zero = false): Tensor {
  const n = numelOf(shape);
  const st = allocStorage(n * ITEMSIZE[dtype], device, zero, true);
  return new Tensor(st, shape, computeContiguousStrides(shape), 0, dtype, st.handle as unknown as TensorToken);
}

export function viewOf(base: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  base._check();
  const v = new Tensor(base._st, shape, strides, offset, base.dtype);
  v._base = base._base ?? base;
  v._viewVer = base._st.version;
  return v;
}

// What a kernel call needs of a tensor. A Tensor is one; rawView() makes a bare one for views that only exist to
// hand a kernel a permuted/broadcast layout (no Tensor object, no token, nothing for the GC to finalize).
export interface Operand {
  readonly _st: Storage;
  readonly shape: readonly number[];
  readonly _strides: readonly number[];
  readonly _offset: number;
  readonly dtype: DType;
  readonly _disposed: boolean;
}
export function rawView(base: Operand, shape: readonly number[], strides: readonly number[], offset: number): Operand {
  return { _st: base._st, shape, _strides: strides, _offset: offset, dtype: base.dtype, _disposed: base._disposed };
}
function checkAlive(t: Operand): void {
  if (t._disposed) throw new TorchError('Tensor has been disposed: it was freed by dispose(), `using` or torch.tidy() and cannot be used');
  if (t._st.freed) throw new TorchError('Tensor storage has been freed (another tensor sharing it was disposed)');
}

function writeMeta(i: number, t: Operand): void {
  const b = i * META_PER_TENSOR;
  const nd = t.shape.length;
  if (nd > MAX_DIMS) throw new TorchError(`nodetorch supports at most ${MAX_DIMS} dimensions, got ${nd}`);
  meta[b] = DTYPE_CODE[t.dtype];
  meta[b + 1] = nd;
  meta[b + 2] = t._offset;
  for (let d = 0; d < nd; d++) { meta[b + 3 + d] = t.shape[d]; meta[b + 3 + MAX_DIMS + d] = t._strides[d]; }
}

// run(op, tensors, attrs): one native kernel call. Tensors must share a device (checked here, named in the error).
// set by lib/deterministic.ts while torch.useDeterministicAlgorithms(true) is on (null otherwise: one test per kernel)
export const determinismHook: { check: ((op: number, ts: readonly Operand[], attrs: readonly number[], opName: string) => void) | null } = { check: null };

export function runKernel(op: number, ts: readonly Operand[], attrs: readonly number[] = [], opName = ''): number {
  if (determinismHook.check !== null) determinismHook.check(op, ts, attrs, opName);
  const dev = ts[0]._st.device;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t._disposed || t._st.freed) checkAlive(t);
    if (i > 0 && t._st.device !== dev && !t._st.device.equals(dev)) {
      throw new TorchError(`Expected all tensors to be on the same device, but found at least two devices, ${dev} and ${t._st.device}!${opName ? ` (in ${opName})` : ''}`);
    }
    writeMeta(i, t);
  }
  meta[META_ATTR_BASE] = attrs.length;
  for (let i = 0; i < attrs.length; i++) meta[META_ATTR_BASE + 1 + i] = attrs[i];
  if (cudaStreamHook.active) cudaStreamHook.apply();
  switch (ts.length) {
    case 1: return native.run(op, ts[0]._st.handle);
    case 2: return native.run(op, ts[0]._st.handle, ts[1]._st.handle);
    case 3: return native.run(op, ts[0]._st.handle, ts[1]._st.handle, ts[2]._st.handle);
    case 4: return native.run(op, ts[0]._st.handle, ts[1]._st.handle, ts[2]._st.handle, ts[3]._st.handle);
    default: return native.run(op, ...ts.map((t) => t._st.handle));
  }
}

// set by lib/memory_format_api.ts: isContiguous({ memoryFormat }), and the first gradient of a leaf laid out as the
// leaf (PyTorch's gradient layout contract: a copy with the leaf's strides when those are dense)
export const layoutHooks: {
  isContiguousAs: ((t: Tensor, opts: unknown) => boolean) | null;
  gradLike: ((g: Tensor, leaf: Tensor) => Tensor) | null;
} = { isContiguousAs: null, gradLike: null };

// set by lib/ops/elementwise.ts (copy kernel wrapper) to avoid an import cycle
export const hooks: {
  copyInto: (dst: Tensor, src: Tensor) => void;
  backward: (roots: Tensor[], grads: (Tensor | null)[], opts: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] }) => void;
  refreshView: (view: Tensor) => void;
  // ops/shape.ts's differentiable as_strided and its adjoint (for the view-history nodes of ops/elementwise.ts)
  asStrided: (x: Tensor, size: number[], stride: number[], storageOffset: number) => Tensor;
  asStridedScatter: (g: Tensor, baseShape: number[], size: number[], stride: number[], off: number) => Tensor;
} = {
  copyInto: () => { throw new TorchError('internal: copy not registered'); },
  backward: () => { throw new TorchError('internal: backward not registered'); },
  refreshView: (v) => { v._viewVer = v._st.version; },
  asStrided: () => { throw new TorchError('internal: as_strided not registered'); },
  asStridedScatter: () => { throw new TorchError('internal: as_strided_scatter not registered'); },
};

export function contiguousCopy(t: Tensor): Tensor {
  const out = empty_(t.shape.slice(), t.dtype, t.device);
  hooks.copyInto(out, t);
  return out;
}

function backwardImpl(roots: Tensor[], grads: (Tensor | null)[], opts: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] }): void {
  hooks.backward(roots, grads, opts);
}

export function defaultBackward(roots: Tensor[], grads: (Tensor | null)[], opts: { retainGraph?: boolean; createGraph?: boolean }, onesLike: (t: Tensor) => Tensor): void {
  const gs: Tensor[] = roots.map((r, i) => {
    r._check();
    if (!r.requiresGrad) throw new TorchError('element 0 of tensors does not require grad and does not have a grad_fn');
    const g = grads[i];
    if (g) {
      if (!sameShape(g.shape, r.shape)) throw new TorchError(`Mismatch in shape: grad_output[0] has a shape of [${g.shape}] and output[0] has a shape of [${r.shape}].`);
      return g;
    }
    if (r.numel() !== 1) throw new TorchError('grad can be implicitly created only for scalar outputs');
    return onesLike(r);
  });
  const createGraph = !!opts.createGraph;
  runBackward(roots, gs, { retainGraph: opts.retainGraph ?? createGraph, createGraph });
}

// ---------------------------------------------------------------------------------------------------------------
// PyTorch-style printing: lib/print.ts (torch/_tensor_str.py's formatter, line wrapping, summarisation, suffixes)
// ---------------------------------------------------------------------------------------------------------------
function formatTensor(t: Tensor): string {
  if (t._disposed) return 'tensor(<disposed>)';
  const vals = t._values();
  const suffixes: string[] = [];
  if (t.device.type === 'cuda') suffixes.push(`device='${t.device}'`);
  const def = getDefaultDtype();
  if (vals.length === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.shape.length === 1 ? ',' : ''})`);
    if (t.dtype !== def) suffixes.push(`dtype=torch.${t.dtype}`);
  } else if (!(t.dtype === def || t.dtype === 'int64' || t.dtype === 'bool')) suffixes.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return formatValues(vals, t.shape, isFloating(t.dtype), suffixes);
}
