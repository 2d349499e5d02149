// datasets_more.ts - torch.utils.data.ChainDataset (iterable datasets one after the other) and StackDataset
// (PyTorch 2.x: several map-style datasets of one length read side by side, as an array or an object per sample).
import { TorchError } from '../../errors';
import { Dataset, DatasetLike, IterableDataset, asDataset, datasetLength, isIterableDataset, describe } from './dataset';

type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

/** torch.utils.data.ChainDataset: the samples of each iterable dataset in turn, without copying. Synchronous
 *  iteration (`for ... of`) needs every member to be synchronously iterable; `for await` takes either kind. */
export class ChainDataset<T = unknown> extends IterableDataset<T> implements Iterable<T>, AsyncIterable<T> {
  readonly datasets: AnyIterable<T>[];
  constructor(datasets: Iterable<AnyIterable<T>>) {
    super();
    if (datasets === null || typeof datasets !== 'object' || typeof (datasets as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TorchError(`ChainDataset: expected an iterable of IterableDatasets, got ${describe(datasets)}`);
    }
    this.datasets = [...datasets];
    this.datasets.forEach((d, i) => {
      if (!isIterableDataset(d)) throw new TorchError(`ChainDataset only supports IterableDataset (dataset ${i} is ${describe(d)})`);
    });
  }
  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) {
      if (typeof (d as Iterable<T>)[Symbol.iterator] !== 'function') throw new TorchError('ChainDataset: a member is async only; iterate with `for await`');
      yield* d as Iterable<T>;
    }
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const d of this.datasets) {
      if (typeof (d as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') yield* d as AsyncIterable<T>;
      else yield* d as Iterable<T>;
    }
  }
  /** PyTorch's __len__: the sum of the members' lengths (every member must have one) */
  get length(): number {
    let n = 0;
    for (const d of this.datasets) {
      const l = (d as { length?: unknown }).length;
      if (typeof l !== 'number') throw new TorchError(`ChainDataset: length needs every dataset to have one, got ${describe(d)}`);
      n += l;
    }
    return n;
  }
}

/** torch.utils.data.StackDataset (PyTorch 2.x): `new StackDataset(a, b)` gives `[a.getItem(i), b.getItem(i)]`,
 *  `new StackDataset({ image: a, label: b })` gives `{ image, label }` (PyTorch's keyword form). All must have one length. */
export class StackDataset<T = unknown> extends Dataset<T> {
  readonly datasets: DatasetLike[] | Record<string, DatasetLike>;
  private readonly n: number;
  constructor(...datasets: (DatasetLike | unknown[])[] | [Record<string, DatasetLike | unknown[]>]) {
    super();
    const first = datasets[0] as unknown;
    const keyed = datasets.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first) &&
      typeof (first as DatasetLike).getItem !== 'function' && Object.getPrototypeOf(first) === Object.prototype;
    let lens: number[];
    if (keyed) {
      const rec: Record<string, DatasetLike> = {};
      for (const [k, v] of Object.entries(first as Record<string, unknown>)) rec[k] = asDataset(v, 'StackDataset');
      this.datasets = rec;
      lens = Object.values(rec).map((d) => datasetLength(d, 'StackDataset'));
    } else {
      this.datasets = (datasets as unknown[]).map((d) => asDataset(d, 'StackDataset'));
      lens = this.datasets.map((d) => datasetLength(d, 'StackDataset'));
    }
    if (lens.length === 0) throw new TorchError('At least one dataset should be passed');
    if (lens.some((l) => l !== lens[0])) throw new TorchError(`Size mismatch between datasets (lengths ${lens.join(', ')})`);
    this.n = lens[0];
  }
  get length(): number { return this.n; }
  getItem(index: number): T | Promise<T> {
    if (Array.isArray(this.datasets)) {
      const items = this.datasets.map((d) => d.getItem(index));
      return (items.some((x) => x instanceof Promise) ? Promise.all(items) : items) as unknown as T | Promise<T>;
    }
    const keys = Object.keys(this.datasets);
    const vals = keys.map((k) => (this.datasets as Record<string, DatasetLike>)[k].getItem(index));
    const build = (vs: unknown[]): T => Object.fromEntries(keys.map((k, i) => [k, vs[i]])) as T;
    return vals.some((x) => x instanceof Promise) ? Promise.all(vals).then(build) : build(vals);
  }
}
