// module.ts - nn.Module, nn.Parameter and nn.Buffer: the registry of parameters, buffers and submodules that
// parameters(), stateDict(), loadStateDict(), to(), train()/eval(), hooks and the PyTorch repr are built on.
//
// Note [Discovery of fields]
// PyTorch finds parameters/buffers/submodules in Module.__setattr__, so their order is the order of assignment.
// We do the same with a Proxy returned from Module's constructor: its `set` and `defineProperty` traps see every
// `this.x = ...` (and every TypeScript class field, which ES2022 emits as a defineProperty on `this` right after
// super() returns) and file the value under _parameters / _buffers / _modules, in assignment order. Scanning
// `this` at first use instead would see *declaration* order (a TS field declared `a; b;` is defined, as
// undefined, in that order before the constructor body assigns `b` then `a`), would put integer-like names
// ('0', '1', ...) first whatever their order, and could not tell a re-assigned buffer from a plain tensor
// attribute. There is no `get` trap: registered values are also stored as ordinary own properties, so reads
// (`this.weight`) cost what a read through a trap-less Proxy costs. A class field redeclared *without* an
// initializer in a subclass (defined as undefined) leaves an already registered entry alone.
import { Tensor, keptByLibrary } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { DType, DTypeName, toDType, isFloating } from '../dtype';
import { Device, toDevice } from '../device';
import { noGrad } from '../autograd/mode';
import { empty } from '../ops/creation';
import { BackwardHook, GradTuple, hookOutputNode, warnNonFull } from './backward_hook';

// a hook as stored (typed per module where it is registered: ForwardHook<M>, ForwardPreHook<M>)
type StoredHook = (m: Module, args: unknown[], out?: unknown) => unknown;

// ---------------------------------------------------------------------------------------------------------------
// Parameter and Buffer: tensors sharing the given tensor's storage, marked for the module registry
// ---------------------------------------------------------------------------------------------------------------
export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requiresGrad = true) {
    let d = data;
    if (d === undefined || d === null) d = emptyTensor();
    if (!(d instanceof Tensor)) throw new TypeError(`Parameter(): argument 'data' must be Tensor, not ${typeof d}`);
    d._check();
    super(d._st, d.shape.slice(), d._strides.slice(), d._offset, d.dtype);
    this._isParam = true;
    if (requiresGrad) {
      if (!isFloating(this.dtype)) throw new TorchError('Only Tensors of floating point and complex dtype can require gradients');
      this._rg = true;
    }
  }
  override toString(): string { return 'Parameter containing:\n' + super.toString(); }
}

export class Buffer extends Tensor {
  readonly persistent: boolean;
  constructor(data: Tensor, opts: { persistent?: boolean } = {}) {
    if (!(data instanceof Tensor)) throw new TypeError(`Buffer(): argument 'data' must be Tensor, not ${typeof data}`);
    data._check();
    super(data._st, data.shape.slice(), data._strides.slice(), data._offset, data.dtype);
    this.persistent = opts.persistent ?? true;
    keptByLibrary.add(this);
  }
}

const emptyTensor = (): Tensor => empty([0]);

export const isParameter = (x: unknown): x is Parameter => x instanceof Tensor && (x instanceof Parameter || x._isParam);

// ---------------------------------------------------------------------------------------------------------------
// hooks
// ---------------------------------------------------------------------------------------------------------------
export interface RemovableHandle { id: number; remove(): void }
/** What module M's `forward` (and so its `call`) takes: `ForwardArgs<nn.Linear>` is `[input: Tensor]`. */
export type ForwardArgs<M extends Module> = Parameters<M['forward']>;
/** What module M's `forward` (and so its `call`) returns: `ForwardOutput<nn.LSTM>` is `[Tensor, [Tensor, Tensor]]`. */
export type ForwardOutput<M extends Module> = ReturnType<M['forward']>;
/** `registerForwardPreHook`'s hook: sees the module and the arguments of `call`; returning a tuple of arguments (or
 *  one argument) replaces them, returning nothing (or null) keeps them, as PyTorch's forward pre-hooks. */
export type ForwardPreHook<M extends Module = Module> = (module: M, args: ForwardArgs<M>) => ForwardArgs<M> | ForwardArgs<M>[0] | void | null;
/** `registerForwardHook`'s hook: sees the module, the arguments and the output of `forward`; returning a value replaces
 *  the output, returning nothing (or null) keeps it, as PyTorch's forward hooks. */
export type ForwardHook<M extends Module = Module> = (module: M, args: ForwardArgs<M>, output: ForwardOutput<M>) => ForwardOutput<M> | void | null;
/** `registerFullBackwardHook`'s hook: sees the module, the gradients w.r.t. its positional arguments (gradInput: null for
 *  a non-tensor argument) and w.r.t. its outputs (gradOutput: null for a non-tensor output or one that got no
 *  gradient); returning an array (as long as gradInput) replaces gradInput, returning nothing keeps it. */
export type FullBackwardHook<M extends Module = Module> = (module: M, gradInput: GradTuple, gradOutput: GradTuple) => GradTuple | void | null;
/** `registerFullBackwardPreHook`'s hook (PyTorch 2.0): sees the module and the gradients w.r.t. its outputs before
 *  the module's backward runs; returning an array (as long as gradOutput) replaces them. */
export type FullBackwardPreHook<M extends Module = Module> = (module: M, gradOutput: GradTuple) => GradTuple | void | null;
/** `registerBackwardHook`'s (deprecated) hook: sees the gradients of the autograd node that made the output. */
export type BackwardHookFn<M extends Module = Module> = (module: M, gradInput: GradTuple, gradOutput: GradTuple) => GradTuple | void | null;
export type { GradTuple };
let nextHookId = 0;
function handleFor(map: Map<number, StoredHook>, id: number): RemovableHandle {
  return { id, remove: () => { map.delete(id); } };
}

// ---------------------------------------------------------------------------------------------------------------
// the Proxy handler (Note [Discovery of fields])
// ---------------------------------------------------------------------------------------------------------------
const INTERNAL = new Set(['_self', '_parameters', '_buffers', '_nonPersistent', '_modules', '_forwardHooks', '_forwardPreHooks', 'training',
  '_backwardHooks', '_backwardPreHooks', '_isFullBackwardHook']);

const HANDLER: ProxyHandler<Module> = {
  set(target, prop, value) {
    if (typeof prop === 'string' && !INTERNAL.has(prop)) { target._assign(prop, value); return true; }
    return Reflect.set(target, prop, value);
  },
  defineProperty(target, prop, desc) {
    if (typeof prop === 'string' && !INTERNAL.has(prop) && 'value' in desc) {
      if (desc.value === undefined && target._kindOf(prop) !== null) return true; // redeclared class field
      target._assign(prop, desc.value);
      return true;
    }
    return Reflect.defineProperty(target, prop, desc);
  },
  deleteProperty(target, prop) {
    if (typeof prop === 'string') {
      target._parameters.delete(prop);
      target._buffers.delete(prop);
      target._nonPersistent.delete(prop);
      target._modules.delete(prop);
    }
    return Reflect.deleteProperty(target, prop);
  },
};

function typeNameOf(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v instanceof Tensor) return `torch.${{ float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' }[v.dtype]}Tensor`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

const shapeStr = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

// replace the data of `dst` (a parameter, buffer or grad) by `src`'s, keeping the `dst` object, so that optimizers
// and other holders of the object see the moved/cast values (PyTorch's `param.data = fn(param.data)`).
export function setTensorData(dst: Tensor, src: Tensor): void {
  dst._setData(src);
}

export type StateDict = Record<string, Tensor>;
export interface IncompatibleKeys { missingKeys: string[]; unexpectedKeys: string[] }

// ---------------------------------------------------------------------------------------------------------------
// Module
// ---------------------------------------------------------------------------------------------------------------
/** torch.nn.Module. `In` and `Out` type the base `forward` (and so `call`) for code that holds a module by its
 *  interface: `nn.Module<[Tensor], Tensor>` is any module from one Tensor to a Tensor, plain `nn.Module` takes
 *  anything and returns `unknown`. A subclass needs no type arguments: `call` and the hooks are typed from the
 *  subclass's own `forward` (`class Net extends nn.Module { forward(x: Tensor): Tensor {...} }`: `net.call(x)` is a
 *  Tensor). */
export class Module<In extends unknown[] = unknown[], Out = unknown> {
  declare training: boolean;
  declare _self: Module; // the raw target behind the Proxy
  declare _parameters: Map<string, Parameter | null>;
  declare _buffers: Map<string, Tensor | null>;
  declare _nonPersistent: Set<string>;
  declare _modules: Map<string, Module | null>;
  declare _forwardHooks: Map<number, StoredHook>;
  declare _forwardPreHooks: Map<number, StoredHook>;
  declare _backwardHooks: Map<number, StoredHook>;
  declare _backwardPreHooks: Map<number, StoredHook>;
  declare _isFullBackwardHook: boolean | null;

  constructor() {
    const hidden = (k: string, v: unknown): void => { Object.defineProperty(this, k, { value: v, writable: true, enumerable: false, configurable: true }); };
    hidden('_self', this);
    hidden('training', true);
    hidden('_parameters', new Map());
    hidden('_buffers', new Map());
    hidden('_nonPersistent', new Set());
    hidden('_modules', new Map());
    hidden('_forwardHooks', new Map());
    hidden('_forwardPreHooks', new Map());
    hidden('_backwardHooks', new Map());
    hidden('_backwardPreHooks', new Map());
    hidden('_isFullBackwardHook', null);
    return new Proxy(this, HANDLER as ProxyHandler<Module> as ProxyHandler<this>);
  }

  // ---- registry (called by the Proxy traps and the register* methods; `this` is the raw target there) ----
  _kindOf(name: string): 'param' | 'buffer' | 'module' | null {
    if (this._parameters.has(name)) return 'param';
    if (this._buffers.has(name)) return 'buffer';
    if (this._modules.has(name)) return 'module';
    return null;
  }
  private _define(name: string, v: unknown): void {
    Reflect.defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true });
  }
  private _forget(name: string): void {
    this._parameters.delete(name); this._buffers.delete(name); this._nonPersistent.delete(name); this._modules.delete(name);
  }
  _assign(name: string, value: unknown): void {
    if (isParameter(value)) {
      if (value.gradFn) throw new TorchError(`Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`);
      this._buffers.delete(name); this._nonPersistent.delete(name); this._modules.delete(name);
      this._parameters.set(name, value);
    } else if (value instanceof Module) {
      this._parameters.delete(name); this._buffers.delete(name); this._nonPersistent.delete(name);
      this._modules.set(name, value);
    } else if (value instanceof Buffer) {
      this._parameters.delete(name); this._modules.delete(name);
      this._buffers.set(name, value);
      if (value.persistent) this._nonPersistent.delete(name); else this._nonPersistent.add(name);
      keptByLibrary.add(value);
    } else if (this._parameters.has(name)) {
      if (value !== null) throw new TypeError(`cannot assign '${typeNameOf(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
      this._parameters.set(name, null);
    } else if (this._modules.has(name)) {
      if (value !== null) throw new TypeError(`cannot assign '${typeNameOf(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
      this._modules.set(name, null);
    } else if (this._buffers.has(name)) {
      if (value !== null && !(value instanceof Tensor)) throw new TypeError(`cannot assign '${typeNameOf(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
      this._buffers.set(name, value as Tensor | null);
      if (value) keptByLibrary.add(value as Tensor);
    }
    this._define(name, value);
  }
  private _checkNewName(name: unknown, kind: string, map: Map<string, unknown>): string {
    if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${typeof name}`);
    if (name.includes('.')) throw new TorchError(`${kind} name can't contain "."`);
    if (name === '') throw new TorchError(`${kind} name can't be empty string ""`);
    const existing = Object.prototype.hasOwnProperty.call(this, name) ? (this as unknown as Record<string, unknown>)[name] !== undefined : name in this;
    if (existing && !map.has(name)) throw new TorchError(`attribute '${name}' already exists`);
    return name;
  }

  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    this._checkNewName(name, 'buffer', this._buffers);
    if (tensor !== null && !(tensor instanceof Tensor)) throw new TypeError(`cannot assign '${typeNameOf(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    const self = raw(this);
    self._parameters.delete(name); self._modules.delete(name);
    self._buffers.set(name, tensor);
    if (opts.persistent === false) self._nonPersistent.add(name); else self._nonPersistent.delete(name);
    if (tensor) keptByLibrary.add(tensor);
    self._define(name, tensor);
  }
  registerParameter(name: string, param: Parameter | null): void {
    this._checkNewName(name, 'parameter', this._parameters);
    const self = raw(this);
    if (param === null) {
      self._forget(name);
      self._parameters.set(name, null);
      self._define(name, null);
      return;
    }
    if (!isParameter(param)) throw new TypeError(`cannot assign '${typeNameOf(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    self._assign(name, param);
  }
  addModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeNameOf(module)} is not a Module subclass`);
    this._checkNewName(name, 'module', this._modules);
    const self = raw(this);
    self._forget(name);
    self._modules.set(name, module);
    self._define(name, module);
  }
  registerModule(name: string, module: Module | null): void { this.addModule(name, module); }

  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    for (const item of target.split('.')) {
      const c = m._modules.get(item);
      if (!c) throw new TorchError(`${m._getName()} has no attribute \`${item}\``);
      m = c;
    }
    return m;
  }
  getParameter(target: string): Parameter {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const p = mod._parameters.get(target.slice(i + 1));
    if (!p) throw new TorchError(`${mod._getName()} has no parameter \`${target.slice(i + 1)}\``);
    return p;
  }
  getBuffer(target: string): Tensor {
    const i = target.lastIndexOf('.');
    const mod = this.getSubmodule(i < 0 ? '' : target.slice(0, i));
    const b = mod._buffers.get(target.slice(i + 1));
    if (!b) throw new TorchError(`${mod._getName()} has no buffer \`${target.slice(i + 1)}\``);
    return b;
  }

  // ---- forward and hooks ----
  forward(..._args: In): Out {
    throw new TorchError(`Module [${this._getName()}] is missing the required "forward" function`);
  }
  /** Runs forward (and the hooks): typed from this module's own `forward`, so `new nn.Linear(4, 2).call(x)` is a Tensor. */
  call(...args: ForwardArgs<this>): ForwardOutput<this>;
  call(...args: unknown[]): unknown {
    if (this._forwardPreHooks.size) {
      for (const h of [...this._forwardPreHooks.values()]) {
        const r = h(this, args);
        if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
      }
    }
    // full backward hooks (Note [module backward hooks] in ./backward_hook.ts): the forward sees its tensor
    // arguments through one identity node, the caller the outputs through another
    let bw: BackwardHook | null = null;
    if (this._backwardHooks.size || this._backwardPreHooks.size) {
      const full = this._isFullBackwardHook === true ? [...this._backwardHooks.values()] : [];
      if (full.length || this._backwardPreHooks.size) {
        type C = ConstructorParameters<typeof BackwardHook>;
        bw = new BackwardHook(this, full as unknown as C[1], [...this._backwardPreHooks.values()] as unknown as C[2]);
        args = bw.setupInputHook(args);
      }
    }
    let out = (this.forward as (...a: unknown[]) => unknown).apply(this, args);
    if (this._forwardHooks.size) {
      for (const h of [...this._forwardHooks.values()]) {
        const r = h(this, args, out);
        if (r !== undefined && r !== null) out = r;
      }
    }
    if (bw) out = bw.setupOutputHook(out);
    if (this._isFullBackwardHook === false && this._backwardHooks.size) {
      // the deprecated hooks: on the node that made the (first) output tensor
      let v: unknown = out;
      for (let d = 0; d < 8 && v !== undefined && v !== null && !(v instanceof Tensor); d++) {
        v = Array.isArray(v) ? v[0] : typeof v === 'object' ? Object.values(v as object).find((x) => x instanceof Tensor) : undefined;
      }
      const node = v instanceof Tensor ? v.gradFn : null;
      if (node) {
        for (const h of this._backwardHooks.values()) hookOutputNode(node, this, h as unknown as Parameters<typeof hookOutputNode>[2]);
        warnNonFull(args, out, node);
      }
    }
    return out;
  }
  /** PyTorch's register_full_backward_hook: `hook(module, gradInput, gradOutput)` runs once per backward pass with the
   *  gradients w.r.t. the module's positional arguments and its outputs; an array it returns replaces gradInput. The
   *  forward sees its tensor arguments (and the caller the outputs) as views: modifying them in place is an error. */
  registerFullBackwardHook(hook: FullBackwardHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError('registerFullBackwardHook(): hook must be a function');
    checkKeys('registerFullBackwardHook', opts, ['prepend']);
    if (this._isFullBackwardHook === false) throw new TorchError('Cannot use both regular backward hooks and full backward hooks on a single Module. Please use only one of them.');
    raw(this)._isFullBackwardHook = true;
    return addHook(this._backwardHooks, hook as unknown as StoredHook, !!opts.prepend);
  }
  /** PyTorch 2.0's register_full_backward_pre_hook: `hook(module, gradOutput)` runs when the gradients w.r.t. the
   *  module's outputs are known, before its backward; an array it returns replaces gradOutput. */
  registerFullBackwardPreHook(hook: FullBackwardPreHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError('registerFullBackwardPreHook(): hook must be a function');
    checkKeys('registerFullBackwardPreHook', opts, ['prepend']);
    return addHook(this._backwardPreHooks, hook as unknown as StoredHook, !!opts.prepend);
  }
  /** Deprecated (PyTorch's register_backward_hook): `hook(module, gradInput, gradOutput)` on the autograd node that made
   *  the module's output: gradInput is what that node returns for its inputs. Prefer registerFullBackwardHook. */
  registerBackwardHook(hook: BackwardHookFn<this>): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError('registerBackwardHook(): hook must be a function');
    if (this._isFullBackwardHook === true) throw new TorchError('Cannot use both regular backward hooks and full backward hooks on a single Module. Please use only one of them.');
    raw(this)._isFullBackwardHook = false;
    return addHook(this._backwardHooks, hook as unknown as StoredHook, false);
  }
  /** A hook run before each `forward` (`hook(module, args)`; typed with this module's forward arguments). */
  registerForwardPreHook(hook: ForwardPreHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError('registerForwardPreHook(): hook must be a function');
    checkKeys('registerForwardPreHook', opts, ['prepend']);
    return addHook(this._forwardPreHooks, hook as unknown as StoredHook, !!opts.prepend);
  }
  /** A hook run after each `forward` (`hook(module, args, output)`; typed with this module's forward). */
  registerForwardHook(hook: ForwardHook<this>, opts: { prepend?: boolean } = {}): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError('registerForwardHook(): hook must be a function');
    checkKeys('registerForwardHook', opts, ['prepend']);
    return addHook(this._forwardHooks, hook as unknown as StoredHook, !!opts.prepend);
  }

  // ---- traversal ----
  namedModules(opts: { prefix?: string; removeDuplicate?: boolean } = {}): [string, Module][] {
    checkKeys('namedModules', opts, ['prefix', 'removeDuplicate']);
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    const dedup = opts.removeDuplicate ?? true;
    const walk = (m: Module, prefix: string): void => {
      if (dedup) { if (memo.has(m)) return; memo.add(m); }
      out.push([prefix, m]);
      for (const [name, c] of m._modules) if (c) walk(c, prefix ? `${prefix}.${name}` : name);
    };
    walk(this, opts.prefix ?? '');
    return out;
  }
  modules(): Module[] { return this.namedModules().map((e) => e[1]); }
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    for (const [name, c] of this._modules) if (c && !memo.has(c)) { memo.add(c); out.push([name, c]); }
    return out;
  }
  children(): Module[] { return this.namedChildren().map((e) => e[1]); }

  private _namedMembers<T>(get: (m: Module) => Iterable<[string, T | null]>, opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean }): [string, T][] {
    const dedup = opts.removeDuplicate ?? true;
    const mods: [string, Module][] = opts.recurse === false ? [[opts.prefix ?? '', this]] : this.namedModules({ prefix: opts.prefix ?? '', removeDuplicate: dedup });
    const memo = new Set<T>();
    const out: [string, T][] = [];
    for (const [pre, m] of mods) {
      for (const [k, v] of get(m)) {
        if (v === null || v === undefined) continue;
        if (dedup) { if (memo.has(v)) continue; memo.add(v); }
        out.push([pre ? `${pre}.${k}` : k, v]);
      }
    }
    return out;
  }
  namedParameters(opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } | boolean = {}): [string, Parameter][] {
    const o = typeof opts === 'boolean' ? { recurse: opts } : opts;
    checkKeys('namedParameters', o, ['prefix', 'recurse', 'removeDuplicate']);
    return this._namedMembers((m) => m._parameters, o);
  }
  parameters(opts: { recurse?: boolean } | boolean = {}): Parameter[] { return this.namedParameters(opts).map((e) => e[1]); }
  namedBuffers(opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } | boolean = {}): [string, Tensor][] {
    const o = typeof opts === 'boolean' ? { recurse: opts } : opts;
    checkKeys('namedBuffers', o, ['prefix', 'recurse', 'removeDuplicate']);
    return this._namedMembers((m) => m._buffers, o);
  }
  buffers(opts: { recurse?: boolean } | boolean = {}): Tensor[] { return this.namedBuffers(opts).map((e) => e[1]); }

  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and grads ----
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError('training mode is expected to be boolean');
    raw(this).training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }
  eval(): this { return this.train(false); }
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  zeroGrad(opts: { setToNone?: boolean } | boolean = {}): void {
    if (typeof opts !== 'boolean') checkKeys('zeroGrad', opts, ['setToNone']);
    const setToNone = typeof opts === 'boolean' ? opts : opts.setToNone ?? true;
    for (const p of this.parameters()) {
      const g = p._grad;
      if (!g) continue;
      if (setToNone) { p._setGrad(null); continue; }
      if (g.gradFn) g.detach_(); else g.requiresGrad_(false);
      noGrad(() => g.zero_());
    }
  }

  // ---- moving and casting: the data of each parameter/buffer/grad is replaced, the objects stay ----
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const c of this.children()) c._apply(fn);
    noGrad(() => {
      for (const p of this._parameters.values()) {
        if (!p) continue;
        setTensorData(p, fn(p));
        const g = p._grad;
        if (g) setTensorData(g, fn(g));
      }
      for (const b of this._buffers.values()) if (b) setTensorData(b, fn(b));
    });
    return this;
  }
  to(...args: unknown[]): this {
    let dev: Device | undefined, dt: DType | undefined, mf: unknown;
    const take = (x: unknown): void => {
      if (x === undefined || x === null) return;
      if (x instanceof Device) dev = toDevice(x);
      else if (x instanceof Tensor) { dev = x.device; dt = x.dtype; }
      else if (typeof x === 'string') {
        if (/^(cpu|cuda)(:\d+)?$/.test(x)) dev = toDevice(x);
        else dt = toDType(x, 'to');
      } else if (typeof x === 'object') {
        checkKeys('Module.to', x, ['device', 'dtype', 'nonBlocking', 'memoryFormat']);
        const o = x as { device?: unknown; dtype?: unknown; memoryFormat?: unknown };
        // memoryFormat (torch.channelsLast, ...): 4-d and 5-d parameters and buffers are laid out so (PyTorch's)
        if (o.memoryFormat !== undefined) mf = o.memoryFormat;
        if (o.device !== undefined) dev = toDevice(o.device);
        if (o.dtype !== undefined) dt = toDType(o.dtype, 'to');
      } else throw new TypeError(`to() received an invalid combination of arguments: ${String(x)}`);
    };
    for (const a of args) take(a);
    if (dt !== undefined && !isFloating(dt)) throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dt}`);
    return this._apply((t) => {
      let r = t;
      if (dev && !r.device.equals(dev)) r = r.to(dev);
      if (dt && isFloating(r.dtype) && r.dtype !== dt) r = r.to(dt);
      if (mf !== undefined && (r.ndim === 4 || r.ndim === 5)) r = (r.to as (o: unknown) => Tensor)({ memoryFormat: mf });
      return r;
    });
  }
  cuda(index?: number): this { return this.to(index === undefined ? 'cuda' : `cuda:${index}`); }
  cpu(): this { return this.to('cpu'); }
  type(dtype: DTypeName): this { const d = toDType(dtype); return this._apply((t) => (t.dtype === d ? t : t.to(d))); }
  private _castFloat(d: DType): this { return this._apply((t) => (isFloating(t.dtype) && t.dtype !== d ? t.to(d) : t)); }
  float(): this { return this._castFloat('float32'); }
  double(): this { return this._castFloat('float64'); }
  half(): this { return this._castFloat('float16'); }
  bfloat16(): this { return this._castFloat('bfloat16'); }

  // ---- state dict ----
  stateDict(opts: { prefix?: string; keepVars?: boolean; destination?: StateDict } = {}): StateDict {
    checkKeys('stateDict', opts, ['prefix', 'keepVars', 'destination']);
    const dest: StateDict = opts.destination ?? {};
    const keep = !!opts.keepVars;
    const walk = (m: Module, prefix: string): void => {
      m._saveToStateDict(dest, prefix, keep);
      for (const [name, c] of m._modules) if (c) walk(c, `${prefix}${name}.`);
    };
    walk(this, opts.prefix ?? '');
    return dest;
  }
  // own parameters then own persistent buffers, as torch.nn.Module._save_to_state_dict
  _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    for (const [k, p] of this._parameters) if (p) dest[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b] of this._buffers) if (b && !this._nonPersistent.has(k)) dest[prefix + k] = keepVars ? b : b.detach();
  }

  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: { strict?: boolean } | boolean = {}): IncompatibleKeys {
    if (stateDict === null || typeof stateDict !== 'object') throw new TypeError(`Expected state_dict to be dict-like, got ${typeNameOf(stateDict)}.`);
    // PyTorch's load_state_dict(state_dict, strict) positionally, or { strict }
    if (typeof opts !== 'boolean') checkKeys('loadStateDict', opts, ['strict']);
    const strict = typeof opts === 'boolean' ? opts : opts.strict ?? true;
    const sd: Map<string, unknown> = stateDict instanceof Map ? new Map(stateDict) : new Map(Object.entries(stateDict));
    const missing: string[] = [], unexpected: string[] = [], errors: string[] = [];
    const walk = (m: Module, prefix: string): void => {
      m._loadFromStateDict(sd, prefix, missing, unexpected, errors);
      for (const [name, c] of m._modules) if (c) walk(c, `${prefix}${name}.`);
    };
    walk(this, '');
    if (strict) {
      if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
      if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) throw new TorchError(`Error(s) in loading state_dict for ${this._getName()}:\n\t${errors.join('\n\t')}`);
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }
  // torch.nn.Module._load_from_state_dict: copies in place under noGrad; subclasses may fix up `sd` first
  _loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const local: [string, Tensor][] = [];
    for (const [k, p] of this._parameters) if (p) local.push([k, p]);
    for (const [k, b] of this._buffers) if (b && !this._nonPersistent.has(k)) local.push([k, b]);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!sd.has(key)) { missing.push(key); continue; }
      let input = sd.get(key);
      if (!(input instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeNameOf(input)}`);
        continue;
      }
      if (param.ndim === 0 && input.ndim === 1 && input.shape[0] === 1) input = input.reshape([]); // BC, as PyTorch
      const inp = input as Tensor;
      if (inp.shape.length !== param.shape.length || inp.shape.some((s, i) => s !== param.shape[i])) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${shapeStr(inp.shape)} from checkpoint, the shape in current model is ${shapeStr(param.shape)}.`);
        continue;
      }
      try {
        noGrad(() => { param.copy_(inp); });
      } catch (e) {
        errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${shapeStr(param.shape)} and whose dimensions in the checkpoint are ${shapeStr(inp.shape)}, an exception occurred : ${(e as Error).message}.`);
      }
    }
    const localNames = new Set(local.map((e) => e[0]));
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0];
      if (!this._modules.has(inputName) && !localNames.has(inputName)) unexpected.push(key);
    }
  }

  // ---- repr ----
  _getName(): string { return this.constructor.name; }
  extraRepr(): string { return ''; }
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, m] of this._modules) childLines.push(`(${key}): ${addIndent(m ? m.toString() : 'None', 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = this._getName() + '(';
    if (lines.length) {
      if (extraLines.length === 1 && !childLines.length) s += extraLines[0];
      else s += '\n  ' + lines.join('\n  ') + '\n';
    }
    return s + ')';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const first = lines.shift() as string;
  return first + '\n' + lines.map((l) => ' '.repeat(n) + l).join('\n');
}

function addHook(map: Map<number, StoredHook>, hook: StoredHook, prepend: boolean): RemovableHandle {
  const id = nextHookId++;
  if (prepend) {
    const rest = [...map.entries()];
    map.clear();
    map.set(id, hook);
    for (const [k, v] of rest) map.set(k, v);
  } else map.set(id, hook);
  return handleFor(map, id);
}

// the object behind the Proxy: the register* methods write to it directly rather than through the traps
function raw(m: Module): Module { return m._self; }
