// containers.ts - nn.Sequential, nn.ModuleList, nn.ModuleDict, nn.ParameterList and nn.ParameterDict
// (torch/nn/modules/container.py): modules
// registered under '0', '1', ... (or the given names), so state-dict keys read '0.weight', 'features.3.bias'.
import { Module, ForwardArgs, ForwardOutput, Parameter, isParameter } from './module';
import { TorchError } from '../errors';
import { Tensor } from '../tensor';

/** Modules given by name: an object, a Map (PyTorch's OrderedDict) or [name, module] pairs. */
export type NamedModules<M extends Module = Module> = Record<string, M> | Map<string, M> | [string, M][];
type Named = NamedModules;

function entriesOf(x: Named): [string, Module][] {
  if (x instanceof Map) return [...x.entries()];
  if (Array.isArray(x)) return x.map((e) => [e[0], e[1]]);
  return Object.entries(x);
}

function normIndex(i: number, n: number, what: string): number {
  if (!Number.isInteger(i)) throw new TypeError(`${what} indices must be integers, not ${typeof i}`);
  if (i < -n || i >= n) throw new TorchError(`index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

// re-register `mods` under '0'..'n-1' (after insert/pop), removing the old own properties
function renumber(m: Module, mods: Module[]): void {
  const self = m._self;
  for (const k of [...self._modules.keys()]) { self._modules.delete(k); Reflect.deleteProperty(self, k); }
  mods.forEach((c, i) => m.addModule(String(i), c));
}

/** nn.Sequential, typed by its first and last modules: `call` takes what `First`'s forward takes first and returns
 *  what `Last`'s forward returns (`new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU())` is Tensor -> Tensor; ending
 *  in an LSTM it returns the LSTM's tuple). Built from named modules, from a list that is not a tuple, or empty, it
 *  is typed Tensor -> Tensor, the common case, and so is the type `nn.Sequential` written without arguments.
 *  Modules appended later do not change its type. */
export class Sequential<First extends Module = Module<[Tensor], Tensor>, Last extends Module = First>
  extends Module<[input: ForwardArgs<First>[0]], ForwardOutput<Last>> {
  constructor();
  constructor(module: First);
  constructor(...modules: [First, ...Module[], Last]);
  constructor(...modules: Module[]);
  constructor(named: Named);
  constructor(...args: (Module | Named)[]) {
    super();
    if (args.length === 1 && !(args[0] instanceof Module) && args[0] !== null && typeof args[0] === 'object') {
      for (const [k, m] of entriesOf(args[0] as Named)) this.addModule(k, m);
    } else {
      args.forEach((m, i) => {
        if (!(m instanceof Module)) throw new TypeError(`${m === null ? 'NoneType' : typeof m} is not a Module subclass`);
        this.addModule(String(i), m);
      });
    }
  }
  // each module's output is the next one's input, whatever it is (an empty Sequential returns its input)
  override forward(input: ForwardArgs<First>[0]): ForwardOutput<Last>;
  override forward(...args: unknown[]): unknown {
    let x = args[0];
    for (const m of this._modules.values()) if (m) x = m.call(x);
    return x;
  }
  get length(): number { return this._modules.size; }
  at(i: number): Module {
    const mods = [...this._modules.values()] as Module[];
    return mods[normIndex(i, mods.length, 'Sequential')];
  }
  get(i: number): Module { return this.at(i); }
  // seq[a:b]: a new Sequential over the same modules, keeping their names (as PyTorch)
  slice(start?: number, end?: number): Sequential {
    const ents = [...this._modules.entries()].slice(start, end) as [string, Module][];
    return new Sequential(new Map(ents));
  }
  append(m: Module): this { this.addModule(String(this._modules.size), m); return this; }
  extend(ms: Iterable<Module>): this { for (const m of ms) this.append(m); return this; }
  insert(index: number, m: Module): this {
    if (!(m instanceof Module)) throw new TorchError(`module should be of type: ${Module.name}`);
    const mods = [...this._modules.values()] as Module[];
    const n = mods.length;
    if (index < -n || index > n) throw new TorchError(`Index out of range: ${index}`);
    mods.splice(index < 0 ? index + n : index, 0, m);
    renumber(this, mods);
    return this;
  }
  pop(i = -1): Module {
    const mods = [...this._modules.values()] as Module[];
    const k = normIndex(i, mods.length, 'Sequential');
    const [m] = mods.splice(k, 1);
    renumber(this, mods);
    return m;
  }
  [Symbol.iterator](): Iterator<Module> { return ([...this._modules.values()].filter((m) => m) as Module[])[Symbol.iterator](); }
}

/** nn.ModuleList. Typed by the modules it holds: `new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)])` is a
 *  `ModuleList<nn.Linear>`, so `for (const l of list) x = l.call(x)` keeps `x` a Tensor (a list of mixed layers is a
 *  list of their union). */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules?: Iterable<M>) {
    super();
    if (modules) this.extend(modules);
  }
  private _list(): M[] { return [...this._modules.values()] as M[]; }
  get length(): number { return this._modules.size; }
  at(i: number): M {
    const mods = this._list();
    return mods[normIndex(i, mods.length, 'ModuleList')];
  }
  get(i: number): M { return this.at(i); }
  set(i: number, m: M): void {
    const k = normIndex(i, this._modules.size, 'ModuleList');
    this.addModule(String(k), m);
  }
  slice(start?: number, end?: number): ModuleList<M> { return new ModuleList<M>(this._list().slice(start, end)); }
  append(m: M): this { this.addModule(String(this._modules.size), m); return this; }
  extend(ms: Iterable<M>): this {
    if (ms === null || typeof (ms as Iterable<M>)[Symbol.iterator] !== 'function') throw new TypeError('ModuleList.extend should be called with an iterable');
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: M): void {
    const mods = this._list();
    const n = mods.length;
    mods.splice(Math.max(0, Math.min(n, index < 0 ? index + n : index)), 0, m);
    renumber(this, mods);
  }
  pop(i = -1): M {
    const mods = this._list();
    const [m] = mods.splice(normIndex(i, mods.length, 'ModuleList'), 1);
    renumber(this, mods);
    return m;
  }
  [Symbol.iterator](): Iterator<M> { return this._list()[Symbol.iterator](); }
}

/** nn.ModuleDict. Typed by the modules it holds: a ModuleDict of Linear layers gives Linear layers back. */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules?: NamedModules<M>) {
    super();
    if (modules) this.update(modules);
  }
  get length(): number { return this._modules.size; }
  get(key: string): M | undefined { return (this._modules.get(key) ?? undefined) as M | undefined; }
  set(key: string, m: M): void { this.addModule(key, m); }
  has(key: string): boolean { return this._modules.has(key); }
  contains(key: string): boolean { return this._modules.has(key); }
  pop(key: string): M {
    const m = this._modules.get(key);
    if (m === undefined) throw new TorchError(`KeyError: '${key}'`);
    this._self._modules.delete(key);
    Reflect.deleteProperty(this._self, key);
    return m as M;
  }
  delete(key: string): boolean { if (!this._modules.has(key)) return false; this.pop(key); return true; }
  clear(): void { for (const k of [...this._modules.keys()]) this.pop(k); }
  keys(): string[] { return [...this._modules.keys()]; }
  values(): M[] { return [...this._modules.values()] as M[]; }
  items(): [string, M][] { return [...this._modules.entries()] as [string, M][]; }
  entries(): [string, M][] { return this.items(); }
  update(modules: NamedModules<M> | ModuleDict<M>): void {
    const ents = modules instanceof ModuleDict ? modules.items() : entriesOf(modules as Named) as [string, M][];
    for (const [k, m] of ents) this.addModule(k, m);
  }
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
}

// ---- ParameterList / ParameterDict ----------------------------------------------------------------------------------
const TYPENAMES: Record<string, string> = {
  float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', bfloat16: 'BFloat16Tensor', int64: 'LongTensor',
  int32: 'IntTensor', int16: 'ShortTensor', int8: 'CharTensor', uint8: 'ByteTensor', bool: 'BoolTensor',
};
// PyTorch's extra_repr line of one held tensor (ParameterList names its dtype, ParameterDict its torch.typename)
function heldLine(key: string, p: Tensor, typename: boolean): string {
  const cuda = p.device.type === 'cuda';
  const type = typename ? `torch.${cuda ? 'cuda.' : ''}${TYPENAMES[p.dtype]}` : `torch.${p.dtype}`;
  return `  (${key}): ${isParameter(p) ? 'Parameter' : 'Tensor'} containing: [${type} of size ${p.shape.join('x')}${cuda ? ` (GPU ${p.device.index ?? 0})` : ''}]`;
}
// a tensor stored in a parameter container becomes a Parameter (as PyTorch's __setitem__)
function asParam(p: Tensor | Parameter, what: string): Parameter {
  if (!(p instanceof Tensor)) throw new TypeError(`${what}: expected a Tensor or Parameter, got ${p === null ? 'null' : typeof p}`);
  return isParameter(p) ? p as Parameter : new Parameter(p);
}

/** nn.ParameterList: parameters registered under '0', '1', ... (state-dict keys 'list.0', ...); tensors given are
 *  made Parameters. Not callable. */
export class ParameterList extends Module {
  constructor(values?: Iterable<Tensor> | null) {
    super();
    if (values !== undefined && values !== null) this.extend(values);
  }
  private _list(): Parameter[] { return [...this._parameters.values()] as Parameter[]; }
  get length(): number { return this._parameters.size; }
  at(i: number): Parameter { const ps = this._list(); return ps[normIndex(i, ps.length, 'ParameterList')]; }
  get(i: number): Parameter { return this.at(i); }
  set(i: number, p: Tensor): void {
    const ps = this._list();
    ps[normIndex(i, ps.length, 'ParameterList')] = asParam(p, 'ParameterList.set');
    for (const key of [...this._self._parameters.keys()]) { this._self._parameters.delete(key); Reflect.deleteProperty(this._self, key); }
    ps.forEach((q, j) => this.registerParameter(String(j), q));  // keys stay in index order
  }
  append(p: Tensor): this { this.registerParameter(String(this._parameters.size), asParam(p, 'ParameterList.append')); return this; }
  extend(ps: Iterable<Tensor>): this {
    if (ps === null || typeof (ps as Iterable<Tensor>)[Symbol.iterator] !== 'function') throw new TypeError('ParameterList.extend should be called with an iterable, but got ' + typeof ps);
    for (const p of ps) this.append(p);
    return this;
  }
  [Symbol.iterator](): Iterator<Parameter> { return this._list()[Symbol.iterator](); }
  override forward(): never { throw new TorchError('ParameterList should not be called.'); }
  override extraRepr(): string { return this._list().map((p, k) => heldLine(String(k), p, false)).join('\n'); }
}

/** nn.ParameterDict: parameters by name, in insertion order (state-dict keys 'dict.name'). Not callable. */
export class ParameterDict extends Module {
  constructor(parameters?: Record<string, Tensor> | Map<string, Tensor> | [string, Tensor][] | ParameterDict | null) {
    super();
    if (parameters !== undefined && parameters !== null) this.update(parameters);
  }
  get length(): number { return this._parameters.size; }
  get(key: string): Parameter | undefined { return (this._parameters.get(key) ?? undefined) as Parameter | undefined; }
  set(key: string, p: Tensor): void {
    if (typeof key !== 'string') throw new TypeError(`ParameterDict keys must be strings, got ${typeof key}`);
    const q = asParam(p, 'ParameterDict.set');
    if (!this._parameters.has(key)) { this.registerParameter(key, q); return; }
    const ents = this.items().map(([k, v]): [string, Parameter] => [k, k === key ? q : v]);  // a replaced key keeps its place
    for (const [k] of ents) { this._self._parameters.delete(k); Reflect.deleteProperty(this._self, k); }
    for (const [k, v] of ents) this.registerParameter(k, v);
  }
  has(key: string): boolean { return this._parameters.has(key); }
  contains(key: string): boolean { return this.has(key); }
  pop(key: string): Parameter {
    const p = this._parameters.get(key);
    if (p === undefined || p === null) throw new TorchError(`KeyError: '${key}'`);
    this._self._parameters.delete(key); Reflect.deleteProperty(this._self, key);
    return p as Parameter;
  }
  delete(key: string): boolean { if (!this._parameters.has(key)) return false; this.pop(key); return true; }
  clear(): void { for (const k of [...this._parameters.keys()]) this.pop(k); }
  keys(): string[] { return [...this._parameters.keys()]; }
  values(): Parameter[] { return [...this._parameters.values()] as Parameter[]; }
  items(): [string, Parameter][] { return [...this._parameters.entries()] as [string, Parameter][]; }
  entries(): [string, Parameter][] { return this.items(); }
  update(ps: Record<string, Tensor> | Map<string, Tensor> | [string, Tensor][] | ParameterDict): void {
    const ents: [string, Tensor][] = ps instanceof ParameterDict ? ps.items() : ps instanceof Map ? [...ps.entries()]
      : Array.isArray(ps) ? ps.map((e) => {
        if (!Array.isArray(e) || e.length !== 2) throw new TypeError('ParameterDict update sequence element has to be a [key, tensor] pair');
        return [e[0], e[1]] as [string, Tensor];
      }) : Object.entries(ps);
    for (const [k, v] of ents) this.set(k, v);
  }
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
  override forward(): never { throw new TorchError('ParameterDict should not be called.'); }
  override extraRepr(): string { return this.items().map(([k, p]) => heldLine(k, p, true)).join('\n'); }
}
