// dataset.ts - torch.utils.data datasets: Dataset (getItem/length), IterableDataset, TensorDataset, Subset,
// ConcatDataset and randomSplit, with PyTorch's semantics (index checks, negative indices, split arithmetic).
import { Tensor } from '../../tensor';
import { TorchError, checkKeys } from '../../errors';
import { Generator, randperm, tensor } from '../../ops/creation';
import { stack } from '../../ops/shape';

/** A map-style dataset: anything with `getItem(i)` (sync, or returning a Promise) and a `length`. */
export interface DatasetLike<T = unknown> {
  getItem(index: number): T | Promise<T>;
  readonly length: number;
  /** Optional batched fetch (PyTorch's `__getitems__`): returns the already-collated batch for `indices`. */
  getBatch?(indices: number[]): unknown;
  /** Optional: how a DataLoader worker thread rebuilds this dataset (see dataloader.ts, "Worker threads"). */
  workerSpec?(): WorkerDatasetSpec;
}

/**
 * How a worker thread constructs its own copy of a dataset: `require(module)[exportName]` is then
 * - a class with a static `fromSpec(...args)`: that is called (it may return a Promise);
 * - a class: constructed with `new Cls(...args)`;
 * - a function: called as a factory `fn(...args)` (it may return a Promise);
 * - an object with `getItem`: used as it is.
 * `args` must be structured-cloneable (numbers, strings, plain objects, arrays, typed arrays).
 */
export interface WorkerDatasetSpec { module: string; exportName?: string; args?: unknown[] }

/** Base class for map-style datasets; subclasses implement `getItem(i)` and the `length` getter. */
export abstract class Dataset<T = unknown> implements DatasetLike<T> {
  abstract getItem(index: number): T | Promise<T>;
  abstract get length(): number;
  /** `dataset + other` in PyTorch. */
  concat(other: DatasetLike<T>): ConcatDataset<T> { return new ConcatDataset<T>([this, other]); }
}

/**
 * Base class for iterable-style datasets: subclasses implement `[Symbol.iterator]()` or `[Symbol.asyncIterator]()`
 * yielding samples of type T (not declared here, so that a subclass needs no `override`).
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export abstract class IterableDataset<T = unknown> {
  readonly isIterableDataset = true;
}

export function isIterableDataset(d: unknown): boolean {
  if (d instanceof IterableDataset) return true;
  if (d === null || typeof d !== 'object') return false;
  const o = d as Record<string | symbol, unknown>;
  return typeof o.getItem !== 'function' && !Array.isArray(d) &&
    (typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function');
}

/** Checks that `d` is map-style (getItem + length) or a plain array (wrapped), returns it as a DatasetLike. */
export function asDataset<T>(d: unknown, op: string): DatasetLike<T> {
  if (Array.isArray(d)) return new ArrayDataset(d as T[]);
  if (d === null || typeof d !== 'object' || typeof (d as DatasetLike).getItem !== 'function') {
    throw new TorchError(`${op}: expected a dataset (an object with getItem(i) and length, or an array), got ${describe(d)}`);
  }
  return d as DatasetLike<T>;
}

export function datasetLength(d: DatasetLike, op: string): number {
  const n = d.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TorchError(`${op}: dataset.length must be a non-negative integer, got ${describe(n)}`);
  return n;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (x instanceof Tensor) return `Tensor of shape [${x.shape.join(', ')}]`;
  if (Array.isArray(x)) return `array of length ${x.length}`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return `${typeof x} ${String(x)}`;
}

// index i in [-n, n) -> [0, n), as Python sequence indexing
export function checkIndex(i: unknown, n: number, what = 'index'): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TorchError(`${what} must be an integer, got ${describe(i)}`);
  if (i < -n || i >= n) throw new TorchError(`${what} ${i} is out of range for a dataset of length ${n}`);
  return i < 0 ? i + n : i;
}

class ArrayDataset<T> extends Dataset<T> {
  constructor(private readonly items: T[]) { super(); }
  getItem(i: number): T { return this.items[checkIndex(i, this.items.length)]; }
  get length(): number { return this.items.length; }
}

// rows `indices` of t along dim 0 as a new tensor: one indexSelect kernel when the indexing family provides it
export function gatherRows(t: Tensor, indices: number[]): Tensor {
  const n = indices.length;
  let run = n > 0;
  for (let k = 1; k < n && run; k++) if (indices[k] !== indices[0] + k) run = false;
  if (run) return t.narrow(0, indices[0], n).clone();
  const isel = (t as unknown as { indexSelect?: (d: number, i: Tensor) => Tensor }).indexSelect;
  if (typeof isel === 'function') return isel.call(t, 0, tensor(indices));
  return stack(indices.map((i) => t.select(0, i)), 0);
}

/** Samples are rows of the given tensors (same size along dim 0); `getItem(i)` is `[t0[i], t1[i], ...]`. */
export class TensorDataset<Ts extends Tensor[] = Tensor[]> extends Dataset<Ts> {
  readonly tensors: Ts;
  constructor(...tensors: Ts) {
    super();
    if (!tensors.length) throw new TorchError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TorchError(`TensorDataset: argument ${i} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw new TorchError(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    if (!tensors.every((t) => t.shape[0] === n)) {
      throw new TorchError(`Size mismatch between tensors: sizes along dim 0 are [${tensors.map((t) => t.shape[0]).join(', ')}]`);
    }
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0].shape[0]; }
  getItem(i: number): Ts {
    const k = checkIndex(i, this.length);
    return this.tensors.map((t) => t.select(0, k)) as Ts;
  }
  /** The collated batch for `indices` at once (what defaultCollate would make of the items, in one copy per tensor). */
  getBatch(indices: number[]): Ts {
    const n = this.length;
    const idx = indices.map((i) => checkIndex(i, n));
    return this.tensors.map((t) => gatherRows(t, idx)) as Ts;
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T = unknown> extends Dataset<T> {
  readonly dataset: DatasetLike<T>;
  readonly indices: number[];
  constructor(dataset: DatasetLike<T> | T[], indices: ArrayLike<number> | Tensor) {
    super();
    this.dataset = asDataset<T>(dataset, 'Subset');
    const idx = indices instanceof Tensor ? (indices.tolist() as number[]) : Array.from(indices as ArrayLike<number>);
    if (idx.some((i) => typeof i !== 'number' || !Number.isInteger(i))) throw new TorchError('Subset: indices must be integers');
    this.indices = idx;
  }
  get length(): number { return this.indices.length; }
  getItem(i: number): T | Promise<T> { return this.dataset.getItem(this.indices[checkIndex(i, this.indices.length)]); }
  // present only when the wrapped dataset has getBatch (a prototype getter below; `declare` emits no field)
  declare getBatch?: (indices: number[]) => unknown;
  workerSpec(): WorkerDatasetSpec {
    const inner = this.dataset.workerSpec?.();
    if (!inner) throw new TorchError('Subset: the wrapped dataset has no workerSpec(), so worker threads cannot rebuild it');
    return { module: selfModule(), exportName: 'Subset', args: [{ __workerSpec: inner }, this.indices] };
  }
}
// Subset.getBatch exists only when the wrapped dataset has one (the DataLoader tests for the method)
Object.defineProperty(Subset.prototype, 'getBatch', {
  configurable: true,
  get(this: Subset) {
    return typeof this.dataset.getBatch === 'function' ? (indices: number[]): unknown => {
      const n = this.indices.length;
      return (this.dataset.getBatch as (i: number[]) => unknown).call(this.dataset, indices.map((i) => this.indices[checkIndex(i, n)]));
    } : undefined;
  },
});

/** Several datasets one after the other. */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: DatasetLike<T>[];
  readonly cumulativeSizes: number[];
  constructor(datasets: (DatasetLike<T> | T[])[]) {
    super();
    if (!Array.isArray(datasets) || !datasets.length) throw new TorchError('datasets should not be an empty iterable');
    this.datasets = datasets.map((d) => {
      if (isIterableDataset(d)) throw new TorchError('ConcatDataset does not support IterableDataset');
      return asDataset<T>(d, 'ConcatDataset');
    });
    let s = 0;
    this.cumulativeSizes = this.datasets.map((d) => (s += datasetLength(d, 'ConcatDataset')));
  }
  get length(): number { return this.cumulativeSizes[this.cumulativeSizes.length - 1]; }
  getItem(i: number): T | Promise<T> {
    const n = this.length;
    if (typeof i === 'number' && i < 0 && -i > n) throw new TorchError('absolute value of index should not exceed dataset length');
    const k = checkIndex(i, n);
    // bisect_right(cumulativeSizes, k)
    let lo = 0, hi = this.cumulativeSizes.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.cumulativeSizes[mid] <= k) lo = mid + 1; else hi = mid; }
    const local = lo === 0 ? k : k - this.cumulativeSizes[lo - 1];
    return this.datasets[lo].getItem(local);
  }
}

/**
 * Splits `dataset` into non-overlapping random Subsets of the given lengths: integers summing to its length, or
 * fractions summing to 1 (each gets floor(n * f), the remainder is dealt out one by one from the first split on),
 * exactly as torch.utils.data.random_split. The permutation is `torch.randperm(n, { generator })`, so the split
 * is reproducible under `torch.manualSeed` or a seeded `torch.Generator`.
 */
export function randomSplit<T>(dataset: DatasetLike<T> | T[], lengths: number[], opts: { generator?: Generator } = {}): Subset<T>[] {
  checkKeys('randomSplit', opts, ['generator']);
  const ds = asDataset<T>(dataset, 'randomSplit');
  const n = datasetLength(ds, 'randomSplit');
  if (!Array.isArray(lengths) || !lengths.length || lengths.some((l) => typeof l !== 'number' || !Number.isFinite(l))) {
    throw new TorchError(`randomSplit: lengths must be a non-empty array of numbers, got ${describe(lengths)}`);
  }
  let lens = lengths.slice();
  const total = lens.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    lens = lens.map((f, i) => {
      if (f < 0 || f > 1) throw new TorchError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const rem = n - lens.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rem; i++) lens[i % lens.length] += 1;
  }
  if (lens.some((l) => !Number.isInteger(l) || l < 0)) throw new TorchError(`randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`);
  if (lens.reduce((a, b) => a + b, 0) !== n) throw new TorchError(`Sum of input lengths (${lens.reduce((a, b) => a + b, 0)}) does not equal the length of the input dataset (${n})!`);
  const perm = randperm(n, { generator: opts.generator }).tolist() as number[];
  const out: Subset<T>[] = [];
  let off = 0;
  for (const l of lens) { out.push(new Subset<T>(ds, perm.slice(off, off + l))); off += l; }
  return out;
}

// the compiled path of this module (workers require JavaScript; under ts-jest __filename is the .ts source)
export function selfModule(): string { return compiledPath(__filename); }

/** Maps lib/<x>.ts to dist/<x>.js when running from TypeScript sources (tests), else returns the path itself. */
export function compiledPath(file: string): string {
  if (!file.endsWith('.ts')) return file;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const path = require('path') as typeof import('path');
  const libRoot = path.resolve(__dirname, '..', '..');
  const rel = path.relative(libRoot, file).replace(/\.ts$/, '.js');
  return path.join(libRoot, '..', 'dist', rel);
}
