// dataloader.ts - torch.utils.data.DataLoader: batches of a dataset in sampler order, collated.
//   for (const b of loader)        in-memory datasets (getItem returns a value)
//   for await (const b of loader)  async datasets (getItem returns a Promise): `prefetch` batches load ahead
//                                  while the training step runs; with numWorkers > 0 getItem + transforms run in
//                                  worker_threads and batches come back as transferred ArrayBuffers.
//
// Note [Worker threads]
// A worker is a separate JavaScript realm, so it cannot share the main thread's dataset object. It builds its own
// from a spec, `{ module, exportName, args }` (see WorkerDatasetSpec in dataset.ts), given as the `workerDataset`
// option or returned by `dataset.workerSpec()` (the built-in vision datasets and Subset implement it). The main
// thread keeps its dataset for `length` and the sampler; worker w fetches batches w, w + N, w + 2N, ... (round
// robin, as PyTorch), at most `prefetch` of them queued per worker, and batches are yielded in sampler order.
// Worker w seeds torch's generator with baseSeed + w, baseSeed drawn from the loader's generator each epoch, so
// random transforms in workers are reproducible under torch.manualSeed. Workers run torch with one thread.
// A worker's error rejects the batch it was loading: the `for await` throws a TorchError carrying the worker's
// stack. Workers are started for each epoch and terminated when the loop ends, breaks or throws.
import * as path from 'path';
import * as fs from 'fs';
import { TorchError } from '../../errors';
import { Generator, randint, arange } from '../../ops/creation';
import { DatasetLike, WorkerDatasetSpec, asDataset, datasetLength, isIterableDataset, describe, compiledPath } from './dataset';
import { SamplerLike as Sampler, SequentialSampler, RandomSampler, BatchSampler } from './sampler';
import { defaultCollate, defaultConvert, decodeTransfer } from './collate';
import type { Collated } from './collate';
import { Tensor } from '../../tensor';
import { native } from '../../native';

/** T: the dataset's sample type; B: the batch type collateFn makes of T[] (defaultCollate's when it is not given). */
export interface DataLoaderOptions<T = unknown, B = unknown> {
  /** Samples per batch (default 1); `null` turns automatic batching off (each sample is yielded alone). */
  batchSize?: number | null;
  /** A new random order every epoch (torch.randperm from `generator` or torch's default generator). */
  shuffle?: boolean;
  /** Custom index order (exclusive with shuffle). */
  sampler?: Sampler<number>;
  /** Yields whole lists of indices (exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Sampler<number[]>;
  /** Drop the last, incomplete batch. */
  dropLast?: boolean;
  collateFn?: ((samples: T[]) => B) | null;
  generator?: Generator;
  /** Worker threads that run getItem and the transforms (0 = on the main thread). */
  numWorkers?: number;
  /** Batches loaded ahead: in all with numWorkers 0, per worker otherwise (PyTorch's prefetch_factor). Default 2. */
  prefetch?: number;
  prefetchFactor?: number;
  /** How workers rebuild the dataset; defaults to dataset.workerSpec(). */
  workerDataset?: WorkerDatasetSpec;
  /** A module export run in every worker after its dataset is built: `fn(workerId)`. */
  workerInit?: { module: string; exportName?: string };
  /** Milliseconds to wait for one batch from the workers before giving up (0: no limit). */
  timeout?: number;
  /**
   * Copy each batch's CPU tensors (also inside arrays and objects) into pinned host memory after collation, so that
   * `to('cuda', { nonBlocking: true })` of them is asynchronous. Without CUDA: a warning, and ignored (as PyTorch).
   */
  pinMemory?: boolean;
  /** Accepted as PyTorch's and ignored. */
  persistentWorkers?: boolean;
}

// pinned copies of the CPU tensors in a batch (arrays and plain objects searched), as PyTorch's pin_memory()
function pinBatch(v: unknown): unknown {
  if (v instanceof Tensor) return v.device.type === 'cpu' ? v.pinMemory() : v;
  if (Array.isArray(v)) return v.map(pinBatch);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = pinBatch(x);
    return o;
  }
  return v;
}
let warnedPin = false;
function cudaUsable(): boolean {
  try { return native.info().cudaBuilt && (native.cuda('count') as number) > 0; } catch { return false; }
}

const isThenable = (x: unknown): x is PromiseLike<unknown> => x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';

/** `DataLoader<T, B>`: batches of type B (defaultCollate's `Collated<T>` unless `collateFn` says otherwise), so that a
 *  TensorDataset of two tensors gives `for (const [xb, yb] of loader)` with both typed Tensor. */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: DatasetLike | Iterable<unknown> | AsyncIterable<unknown>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler<number> | null;
  readonly batchSampler: Sampler<number[]> | null;
  readonly numWorkers: number;
  readonly prefetch: number;
  readonly generator?: Generator;
  readonly collateFn: ((samples: T[]) => B) | null;
  readonly timeout: number;
  /** whether batches are pinned (false where pinMemory was asked for without CUDA) */
  readonly pinMemory: boolean;
  private readonly workerDataset?: WorkerDatasetSpec;
  private readonly workerInit?: { module: string; exportName?: string };
  private readonly iterable: boolean;

  constructor(dataset: DatasetLike<T> | readonly T[] | Iterable<T> | AsyncIterable<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TorchError(`DataLoader: options must be an object, got ${describe(opts)}`);
    const known = ['batchSize', 'shuffle', 'sampler', 'batchSampler', 'dropLast', 'collateFn', 'generator', 'numWorkers', 'prefetch', 'prefetchFactor', 'workerDataset', 'workerInit', 'timeout', 'pinMemory', 'persistentWorkers'];
    for (const k of Object.keys(opts)) if (!known.includes(k)) throw new TorchError(`DataLoader: unknown option '${k}' (known: ${known.join(', ')})`);
    this.iterable = isIterableDataset(dataset);
    this.dataset = this.iterable ? (dataset as Iterable<unknown>) : asDataset(dataset, 'DataLoader');
    const bs = opts.batchSize === undefined ? 1 : opts.batchSize;
    if (bs !== null && (!Number.isInteger(bs) || bs <= 0)) throw new TorchError(`batch_size should be a positive integer value, but got batch_size=${String(bs)}`);
    const nw = opts.numWorkers ?? 0;
    if (!Number.isInteger(nw) || nw < 0) throw new TorchError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    const pf = opts.prefetch ?? opts.prefetchFactor ?? 2;
    if (!Number.isInteger(pf) || pf < 1) throw new TorchError(`DataLoader: prefetch must be a positive integer, got ${String(pf)}`);
    if (opts.collateFn !== undefined && opts.collateFn !== null && typeof opts.collateFn !== 'function') throw new TorchError('DataLoader: collateFn must be a function');
    if (opts.generator !== undefined && !(opts.generator instanceof Generator)) throw new TorchError('DataLoader: generator must be a torch.Generator');
    const timeout = opts.timeout ?? 0;
    if (typeof timeout !== 'number' || !(timeout >= 0)) throw new TorchError('timeout option should be non-negative');
    this.numWorkers = nw;
    this.prefetch = pf;
    this.generator = opts.generator;
    this.collateFn = opts.collateFn ?? null;
    this.timeout = timeout;
    this.pinMemory = !!opts.pinMemory;
    if (this.pinMemory && !cudaUsable()) {
      if (!warnedPin) {
        warnedPin = true;
        process.emitWarning("'pinMemory' argument is set as true but no accelerator is found, then device pinned memory won't be used.", 'UserWarning');
      }
      this.pinMemory = false;
    }
    this.workerDataset = opts.workerDataset;
    this.workerInit = opts.workerInit;
    const dropLast = !!opts.dropLast;

    if (this.iterable) {
      if (opts.shuffle) throw new TorchError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${opts.shuffle}`);
      if (opts.sampler) throw new TorchError('DataLoader with IterableDataset: expected unspecified sampler option');
      if (opts.batchSampler) throw new TorchError('DataLoader with IterableDataset: expected unspecified batch_sampler option');
      if (nw > 0) throw new TorchError('DataLoader: numWorkers > 0 is supported for map-style datasets (getItem/length) only');
      this.sampler = null;
      this.batchSampler = null;
      this.batchSize = bs;
      this.dropLast = dropLast;
      return;
    }
    if (opts.sampler && opts.shuffle) throw new TorchError('sampler option is mutually exclusive with shuffle');
    if (opts.batchSampler) {
      if (opts.batchSize !== undefined && opts.batchSize !== 1 || opts.shuffle || opts.sampler || dropLast) {
        throw new TorchError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      if (typeof (opts.batchSampler as Iterable<number[]>)[Symbol.iterator] !== 'function') throw new TorchError('DataLoader: batchSampler must be iterable');
      this.batchSize = null;
      this.dropLast = false;
      this.sampler = null;
      this.batchSampler = opts.batchSampler;
      return;
    }
    if (bs === null && dropLast) throw new TorchError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    const ds = this.dataset as DatasetLike;
    if (opts.sampler && typeof (opts.sampler as Iterable<number>)[Symbol.iterator] !== 'function') throw new TorchError('DataLoader: sampler must be iterable over indices');
    this.sampler = opts.sampler ?? (opts.shuffle ? new RandomSampler(datasetLength(ds, 'DataLoader'), { generator: opts.generator }) : new SequentialSampler(datasetLength(ds, 'DataLoader')));
    this.batchSize = bs;
    this.dropLast = dropLast;
    this.batchSampler = bs === null ? null : new BatchSampler(this.sampler, bs, dropLast);
  }

  /** Number of batches per epoch (len(loader)). */
  get length(): number {
    if (this.batchSampler) return this.batchSampler.length ?? noLength();
    if (this.sampler) return this.sampler.length ?? noLength();
    const n = (this.dataset as { length?: unknown }).length;
    if (typeof n !== 'number') return noLength();
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  // the per-epoch sequence of index lists (a single index when batching is off)
  private indexIter(): Iterator<number[] | number> {
    const src = (this.batchSampler ?? this.sampler) as Iterable<number[] | number>;
    return src[Symbol.iterator]();
  }

  private collate(samples: unknown[]): unknown { return this.collateFn ? this.collateFn(samples as T[]) : defaultCollate(samples); }

  private fetchSync(idx: number[] | number): unknown {
    const ds = this.dataset as DatasetLike;
    if (typeof idx === 'number') {
      const s = ds.getItem(idx);
      if (isThenable(s)) throw asyncDatasetError();
      return this.collateFn ? this.collateFn(s as never) : defaultConvert(s);
    }
    if (!this.collateFn && typeof ds.getBatch === 'function') return ds.getBatch(idx);
    const items = idx.map((i) => ds.getItem(i));
    for (const it of items) if (isThenable(it)) { items.forEach((p) => isThenable(p) && Promise.resolve(p).catch(() => {})); throw asyncDatasetError(); }
    return this.collate(items);
  }

  private async fetchAsync(idx: number[] | number): Promise<unknown> {
    const ds = this.dataset as DatasetLike;
    if (typeof idx === 'number') {
      const s = await ds.getItem(idx);
      return this.collateFn ? this.collateFn(s as never) : defaultConvert(s);
    }
    if (!this.collateFn && typeof ds.getBatch === 'function') return await ds.getBatch(idx);
    return this.collate(await Promise.all(idx.map((i) => ds.getItem(i))));
  }

  *[Symbol.iterator](): Iterator<B> {
    if (!this.pinMemory) { yield* this.iterPlain(); return; }
    for (const b of this.iterPlain()) yield pinBatch(b) as B;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (!this.pinMemory) { yield* this.iterPlainAsync(); return; }
    for await (const b of this.iterPlainAsync()) yield pinBatch(b) as B;
  }

  private *iterPlain(): IterableIterator<B> {
    if (this.numWorkers > 0) throw new TorchError(`DataLoader with numWorkers=${this.numWorkers} loads in worker threads; iterate it with \`for await (const batch of loader)\``);
    if (this.iterable) { yield* this.iterSync(); return; }
    const it = this.indexIter();
    for (let r = it.next(); !r.done; r = it.next()) yield this.fetchSync(r.value) as B;
  }

  private async *iterPlainAsync(): AsyncGenerator<B> {
    if (this.iterable) { yield* this.iterAsync(); return; }
    if (this.numWorkers > 0) { yield* this.iterWorkers(); return; }
    const it = this.indexIter();
    const queue: Promise<unknown>[] = [];
    const fill = (): void => {
      while (queue.length < this.prefetch) {
        const r = it.next();
        if (r.done) break;
        const p = this.fetchAsync(r.value);
        p.catch(() => { /* surfaced when awaited below; this keeps a read-ahead failure from being "unhandled" */ });
        queue.push(p);
      }
    };
    fill();
    while (queue.length) {
      const p = queue.shift() as Promise<unknown>;
      fill();
      yield (await p) as B;
    }
  }

  // ---- iterable-style datasets: group the stream into batches ----
  private *iterSync(): IterableIterator<B> {
    const src = this.dataset as Iterable<unknown>;
    if (typeof src[Symbol.iterator] !== 'function') throw new TorchError('DataLoader: this IterableDataset is async only; iterate with `for await`');
    yield* this.group(src[Symbol.iterator]() as Iterator<unknown>);
  }
  private async *iterAsync(): AsyncGenerator<B> {
    const d = this.dataset as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    if (typeof d[Symbol.asyncIterator] !== 'function') { yield* this.iterSync(); return; }
    const it = (d[Symbol.asyncIterator] as () => AsyncIterator<unknown>)();
    let batch: unknown[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (this.batchSize === null) { yield (this.collateFn ? this.collateFn(r.value as never) : defaultConvert(r.value)) as B; continue; }
      batch.push(r.value);
      if (batch.length === this.batchSize) { yield this.collate(batch) as B; batch = []; }
    }
    if (batch.length && !this.dropLast) yield this.collate(batch) as B;
  }
  private *group(it: Iterator<unknown>): IterableIterator<B> {
    let batch: unknown[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      if (isThenable(r.value)) throw asyncDatasetError();
      if (this.batchSize === null) { yield (this.collateFn ? this.collateFn(r.value as never) : defaultConvert(r.value)) as B; continue; }
      batch.push(r.value);
      if (batch.length === this.batchSize) { yield this.collate(batch) as B; batch = []; }
    }
    if (batch.length && !this.dropLast) yield this.collate(batch) as B;
  }

  // ---- worker threads (Note [Worker threads]) ----
  private workerSpecOrThrow(): WorkerDatasetSpec {
    const ds = this.dataset as DatasetLike;
    let spec = this.workerDataset;
    if (!spec && typeof ds.workerSpec === 'function') spec = ds.workerSpec();
    if (!spec) {
      throw new TorchError(`DataLoader: numWorkers=${this.numWorkers} needs a dataset that worker threads can rebuild: pass ` +
        '{ workerDataset: { module, exportName, args } } (a module path whose export builds the dataset) or give the dataset a ' +
        'workerSpec() method returning that (the built-in vision datasets have one)');
    }
    if (typeof spec.module !== 'string' || !spec.module) throw new TorchError('DataLoader: workerDataset.module must be a module path');
    return spec;
  }

  private async *iterWorkers(): AsyncGenerator<B> {
    const spec = this.workerSpecOrThrow();
    const seed = Number(randint(0, 2 ** 31, [1], { generator: this.generator }).item());
    const pool = new WorkerPool(this.numWorkers, spec, this.workerInit, seed, !this.collateFn, this.timeout);
    try {
      await pool.ready();
      checkAddonAfterWorkers();
      const it = this.indexIter();
      const pending = new Map<number, Promise<unknown>>();
      let sent = 0, next = 0;
      const send = (): void => {
        while (sent - next < this.numWorkers * this.prefetch) {
          const r = it.next();
          if (r.done) break;
          const p = pool.request(sent % this.numWorkers, sent, r.value);
          p.catch(() => { /* surfaced when awaited */ });
          pending.set(sent++, p);
        }
      };
      send();
      while (next < sent) {
        const p = pending.get(next) as Promise<unknown>;
        pending.delete(next);
        next++;
        const raw = await p;
        send();
        const v = decodeTransfer(raw);
        yield (this.collateFn ? (this.batchSize === null ? this.collateFn(v as never) : this.collateFn(v as T[])) : v) as B;
      }
    } finally {
      await pool.close();
    }
  }
}

// Loading the addon in a worker must leave the main thread's kernels alone (each thread needs its own view of the
// meta buffer that carries tensor views to run(); see the README's notes on worker threads). A build where that
// does not hold shows up at once here, as a wrong small result, instead of as silently wrong training data.
function checkAddonAfterWorkers(): void {
  let ok = false;
  try { ok = (arange(5).mul(3).tolist() as number[]).join(',') === '0,3,6,9,12'; } catch { ok = false; }
  if (!ok) throw new TorchError('DataLoader: this build of the native addon is not safe to load in worker threads (kernels on the main thread gave wrong results after the workers started); use numWorkers: 0, or rebuild the addon with per-thread meta buffers');
}

function noLength(): never { throw new TorchError('DataLoader: the length of this loader is unknown (its dataset or sampler has no length)'); }
function asyncDatasetError(): TorchError {
  return new TorchError('DataLoader: dataset.getItem returned a Promise (an async dataset); iterate it with `for await (const batch of loader)`');
}

// ---------------------------------------------------------------------------------------------------------------
// the worker pool of one epoch
// ---------------------------------------------------------------------------------------------------------------
interface Pending { resolve: (v: unknown) => void; reject: (e: unknown) => void; batch: number; indices: number[] | number; timer?: NodeJS.Timeout }

function workerScript(): string {
  const candidates = [path.join(__dirname, 'worker.js'), compiledPath(path.join(__dirname, 'worker.ts'))];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new TorchError(`DataLoader: numWorkers > 0 needs the compiled worker script (looked for ${candidates.join(' and ')}); build it with \`npm run build:ts\``);
}

function fmtIndices(idx: number[] | number): string {
  if (typeof idx === 'number') return String(idx);
  return `[${idx.slice(0, 8).join(', ')}${idx.length > 8 ? `, ... (${idx.length} in all)` : ''}]`;
}

class WorkerPool {
  private workers: import('worker_threads').Worker[] = [];
  private pending: Map<number, Pending>[] = [];
  private readyP: Promise<void>;
  private closed = false;
  private dead: (TorchError | null)[] = [];

  constructor(n: number, spec: WorkerDatasetSpec, init: { module: string; exportName?: string } | undefined, seed: number, collate: boolean, private timeout: number) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Worker } = require('worker_threads') as typeof import('worker_threads');
    const script = workerScript();
    const readies: Promise<void>[] = [];
    for (let id = 0; id < n; id++) {
      const w = new Worker(script, { workerData: { spec, init, id, numWorkers: n, seed: seed + id, collate } });
      this.workers.push(w);
      this.pending.push(new Map());
      this.dead.push(null);
      readies.push(new Promise<void>((resolve, reject) => {
        let started = false;
        w.on('message', (m: { type: string; [k: string]: unknown }) => {
          if (m.type === 'ready') { started = true; resolve(); return; }
          if (m.type === 'init-error') {
            const e = new TorchError(`DataLoader worker ${id} could not build its dataset from ${JSON.stringify({ module: spec.module, exportName: spec.exportName })}:\n${String(m.stack)}`);
            this.fail(id, e);
            reject(e);
            return;
          }
          const p = this.pending[id].get(m.batch as number);
          if (!p) return;
          this.pending[id].delete(m.batch as number);
          if (p.timer) clearTimeout(p.timer);
          if (m.type === 'batch') p.resolve(m.payload);
          else p.reject(new TorchError(`DataLoader worker ${id} raised ${String(m.name)} while loading batch ${p.batch} (dataset indices ${fmtIndices(p.indices)}):\n${String(m.stack)}`));
        });
        w.on('error', (err: Error) => {
          const e = new TorchError(`DataLoader worker ${id} crashed: ${err && err.stack ? err.stack : String(err)}`, { cause: err });
          this.fail(id, e);
          if (!started) reject(e);
        });
        w.on('exit', (code: number) => {
          if (this.closed) return;
          const e = new TorchError(`DataLoader worker ${id} exited unexpectedly (exit code ${code})`);
          this.fail(id, e);
          if (!started) reject(e);
        });
      }));
    }
    this.readyP = Promise.all(readies).then(() => undefined);
    this.readyP.catch(() => { /* surfaced by ready() */ });
  }

  ready(): Promise<void> { return this.readyP; }

  private fail(id: number, e: TorchError): void {
    if (!this.dead[id]) this.dead[id] = e;
    for (const p of this.pending[id].values()) { if (p.timer) clearTimeout(p.timer); p.reject(e); }
    this.pending[id].clear();
  }

  request(id: number, batch: number, indices: number[] | number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.dead[id]) { reject(this.dead[id]); return; }
      const p: Pending = { resolve, reject, batch, indices };
      if (this.timeout > 0) {
        p.timer = setTimeout(() => {
          this.pending[id].delete(batch);
          reject(new TorchError(`DataLoader timed out after ${this.timeout} ms waiting for batch ${batch} from worker ${id}`));
        }, this.timeout);
        p.timer.unref();
      }
      this.pending[id].set(batch, p);
      this.workers[id].postMessage({ type: 'fetch', batch, indices });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const m of this.pending) for (const p of m.values()) if (p.timer) clearTimeout(p.timer);
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => 0)));
  }
}
