// sampler.ts - torch.utils.data samplers: which indices a DataLoader reads, in which order. Random ones draw from
// torch's generator (torch.randperm / torch.rand / torch.randint), so orders are reproducible under torch.manualSeed.
import { TorchError } from '../../errors';
import { Tensor } from '../../tensor';
import { Generator, randperm, randint, rand } from '../../ops/creation';
import { describe } from './dataset';

/** torch.utils.data.Sampler: the base class of samplers; a subclass implements `[Symbol.iterator]()` over indices
 *  (or index lists, for a batch sampler) and, for `loader.length`, a `length` getter (PyTorch's __len__). Any object
 *  iterable over indices (with an optional `length`) is accepted where a Sampler is, as in PyTorch. The optional
 *  `dataSource` argument is accepted and ignored (PyTorch 2.x deprecates it). */
/** What a DataLoader takes as sampler / batchSampler: anything iterable over indices; `length` gives `loader.length`. */
export interface SamplerLike<T = number> extends Iterable<T> { readonly length?: number }

export abstract class Sampler<T = number> implements Iterable<T> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  constructor(_dataSource?: unknown) { /* nothing: the subclass keeps what it needs */ }
  abstract [Symbol.iterator](): Iterator<T>;
}

const sizeOf = (src: unknown, op: string): number => {
  const n = typeof src === 'number' ? src : (src as { length?: unknown } | null)?.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TorchError(`${op}: expected a dataset (or a size) with an integer length, got ${describe(src)}`);
  return n;
};

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler<number> {
  readonly n: number;
  constructor(dataSource: { length: number } | number) { this.n = sizeOf(dataSource, 'SequentialSampler'); }
  get length(): number { return this.n; }
  *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < this.n; i++) yield i; }
}

/** A fresh random permutation every epoch (or `numSamples` draws with replacement). */
export class RandomSampler implements Sampler<number> {
  readonly n: number;
  readonly replacement: boolean;
  readonly numSamples: number;
  readonly generator?: Generator;
  constructor(dataSource: { length: number } | number, opts: { replacement?: boolean; numSamples?: number; generator?: Generator } = {}) {
    this.n = sizeOf(dataSource, 'RandomSampler');
    this.replacement = !!opts.replacement;
    if (opts.numSamples !== undefined && (!Number.isInteger(opts.numSamples) || opts.numSamples <= 0)) {
      throw new TorchError(`num_samples should be a positive integer value, but got num_samples=${opts.numSamples}`);
    }
    this.numSamples = opts.numSamples ?? this.n;
    this.generator = opts.generator;
  }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.n;
    if (n === 0) return;
    if (this.replacement) {
      yield* randint(0, n, [this.numSamples], { generator: this.generator }).tolist() as number[];
      return;
    }
    for (let k = 0; k < Math.floor(this.numSamples / n); k++) yield* randperm(n, { generator: this.generator }).tolist() as number[];
    const rest = this.numSamples % n;
    if (rest) yield* (randperm(n, { generator: this.generator }).tolist() as number[]).slice(0, rest);
  }
}

/** The given indices in a random order each epoch. */
export class SubsetRandomSampler implements Sampler<number> {
  readonly indices: number[];
  readonly generator?: Generator;
  constructor(indices: ArrayLike<number> | Tensor, opts: { generator?: Generator } = {}) {
    this.indices = indices instanceof Tensor ? (indices.tolist() as number[]) : Array.from(indices as ArrayLike<number>);
    this.generator = opts.generator;
  }
  get length(): number { return this.indices.length; }
  *[Symbol.iterator](): Iterator<number> {
    if (!this.indices.length) return;
    for (const i of randperm(this.indices.length, { generator: this.generator }).tolist() as number[]) yield this.indices[i];
  }
}

/** Draws indices 0..len(weights)-1 with probability proportional to the weights (torch.multinomial semantics). */
export class WeightedRandomSampler implements Sampler<number> {
  readonly weights: number[];
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator?: Generator;
  constructor(weights: ArrayLike<number> | Tensor, numSamples: number, opts: { replacement?: boolean; generator?: Generator } = {}) {
    this.weights = weights instanceof Tensor ? (weights.tolist() as number[]) : Array.from(weights as ArrayLike<number>);
    if (!Number.isInteger(numSamples) || numSamples <= 0) throw new TorchError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    if (this.weights.some((w) => !(w >= 0) || !Number.isFinite(w))) throw new TorchError('WeightedRandomSampler: weights must be finite and non-negative');
    if (!(this.weights.reduce((a, b) => a + b, 0) > 0)) throw new TorchError('WeightedRandomSampler: invalid multinomial distribution (sum of probabilities <= 0)');
    this.replacement = opts.replacement ?? true;
    if (!this.replacement && numSamples > this.weights.filter((w) => w > 0).length) {
      throw new TorchError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    }
    this.numSamples = numSamples;
    this.generator = opts.generator;
  }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    const w = this.weights;
    const u = rand([this.numSamples], { dtype: 'float64', generator: this.generator }).toTypedArray() as Float64Array;
    if (this.replacement) {
      // inverse CDF by binary search over the cumulative weights
      const cdf = new Float64Array(w.length);
      let s = 0;
      for (let i = 0; i < w.length; i++) cdf[i] = s += w[i];
      for (let k = 0; k < u.length; k++) {
        const x = u[k] * s;
        let lo = 0, hi = w.length - 1;
        while (lo < hi) { const m = (lo + hi) >> 1; if (cdf[m] > x) hi = m; else lo = m + 1; }
        while (w[lo] === 0 && lo < w.length - 1) lo++;
        yield lo;
      }
      return;
    }
    // without replacement: the k largest keys u^(1/w) (Efraimidis-Spirakis), the same law as sequential draws
    const keys = rand([w.length], { dtype: 'float64', generator: this.generator }).toTypedArray() as Float64Array;
    const order = w.map((wi, i) => [wi > 0 ? Math.log(keys[i]) / wi : -Infinity, i]).sort((a, b) => b[0] - a[0]);
    for (let k = 0; k < this.numSamples; k++) yield order[k][1];
  }
}

/** Groups the indices of `sampler` into lists of `batchSize` (the last one shorter unless `dropLast`). */
export class BatchSampler implements Sampler<number[]> {
  readonly sampler: Iterable<number> & { length?: number };
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(sampler: Iterable<number> & { length?: number }, batchSize: number, dropLast = false) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new TorchError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    if (typeof dropLast !== 'boolean') throw new TorchError(`drop_last should be a boolean value, but got drop_last=${String(dropLast)}`);
    if (!sampler || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function') throw new TorchError(`BatchSampler: sampler must be iterable, got ${describe(sampler)}`);
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }
  get length(): number {
    const n = this.sampler.length;
    if (typeof n !== 'number') throw new TorchError('BatchSampler: the sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) { yield batch; batch = []; }
    }
    if (batch.length && !this.dropLast) yield batch;
  }
}
