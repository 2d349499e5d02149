// containers.ts - nn.Sequential, nn.ModuleList and nn.ModuleDict (torch/nn/modules/container.py): modules
// registered under '0', '1', ... (or the given names), so state-dict keys read '0.weight', 'features.3.bias'.
import { Module } from './module';
import { TorchError } from '../errors';
import type { Tensor } from '../tensor';

type Named = Record<string, Module> | Map<string, Module> | [string, Module][];

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

export class Sequential extends Module {
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
  // typed for the common case (a chain of layers from Tensor to Tensor); at run time any value is passed along
  override forward(input: Tensor): Tensor {
    let x = input;
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

export class ModuleList extends Module {
  constructor(modules?: Iterable<Module>) {
    super();
    if (modules) this.extend(modules);
  }
  get length(): number { return this._modules.size; }
  at(i: number): Module {
    const mods = [...this._modules.values()] as Module[];
    return mods[normIndex(i, mods.length, 'ModuleList')];
  }
  get(i: number): Module { return this.at(i); }
  set(i: number, m: Module): void {
    const k = normIndex(i, this._modules.size, 'ModuleList');
    this.addModule(String(k), m);
  }
  slice(start?: number, end?: number): ModuleList { return new ModuleList(([...this._modules.values()] as Module[]).slice(start, end)); }
  append(m: Module): this { this.addModule(String(this._modules.size), m); return this; }
  extend(ms: Iterable<Module>): this {
    if (ms === null || typeof (ms as Iterable<Module>)[Symbol.iterator] !== 'function') throw new TypeError('ModuleList.extend should be called with an iterable');
    for (const m of ms) this.append(m);
    return this;
  }
  insert(index: number, m: Module): void {
    const mods = [...this._modules.values()] as Module[];
    const n = mods.length;
    mods.splice(Math.max(0, Math.min(n, index < 0 ? index + n : index)), 0, m);
    renumber(this, mods);
  }
  pop(i = -1): Module {
    const mods = [...this._modules.values()] as Module[];
    const [m] = mods.splice(normIndex(i, mods.length, 'ModuleList'), 1);
    renumber(this, mods);
    return m;
  }
  [Symbol.iterator](): Iterator<Module> { return ([...this._modules.values()] as Module[])[Symbol.iterator](); }
}

export class ModuleDict extends Module {
  constructor(modules?: Named) {
    super();
    if (modules) this.update(modules);
  }
  get length(): number { return this._modules.size; }
  get(key: string): Module | undefined { return this._modules.get(key) ?? undefined; }
  set(key: string, m: Module): void { this.addModule(key, m); }
  has(key: string): boolean { return this._modules.has(key); }
  contains(key: string): boolean { return this._modules.has(key); }
  pop(key: string): Module {
    const m = this._modules.get(key);
    if (m === undefined) throw new TorchError(`KeyError: '${key}'`);
    this._self._modules.delete(key);
    Reflect.deleteProperty(this._self, key);
    return m as Module;
  }
  delete(key: string): boolean { if (!this._modules.has(key)) return false; this.pop(key); return true; }
  clear(): void { for (const k of [...this._modules.keys()]) this.pop(k); }
  keys(): string[] { return [...this._modules.keys()]; }
  values(): Module[] { return [...this._modules.values()] as Module[]; }
  items(): [string, Module][] { return [...this._modules.entries()] as [string, Module][]; }
  entries(): [string, Module][] { return this.items(); }
  update(modules: Named | ModuleDict): void {
    const ents = modules instanceof ModuleDict ? modules.items() : entriesOf(modules as Named);
    for (const [k, m] of ents) this.addModule(k, m);
  }
  [Symbol.iterator](): Iterator<string> { return this.keys()[Symbol.iterator](); }
}
