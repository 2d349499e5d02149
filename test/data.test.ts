// data.test.ts - torch.utils.data: datasets, randomSplit, samplers, defaultCollate (PyTorch's dtypes), DataLoader
// order / seed reproducibility / dropLast / length, async datasets with for await (read-ahead), and worker threads
// (batches transferred back, the same batches as in-process, errors surfacing with the worker's stack).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

const { DataLoader, TensorDataset, Subset, ConcatDataset, randomSplit, Dataset, IterableDataset, defaultCollate,
  RandomSampler, SequentialSampler, BatchSampler, SubsetRandomSampler, WeightedRandomSampler } = torch.utils.data;
type T = torch.Tensor;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const flat = (t: T): number[] => (t.flatten().tolist() as number[]);
const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');

function squares(n: number): InstanceType<typeof TensorDataset> {
  const x = torch.arange(n, { dtype: 'float32' }).reshape(n, 1);
  return new TensorDataset(x, torch.arange(n).mul(torch.arange(n)));
}

describe('datasets', () => {
  test('TensorDataset items, length, errors', () => {
    const ds = squares(5);
    expect(ds.length).toBe(5);
    const [x, y] = ds.getItem(3);
    expect(x.shape).toEqual([1]);
    expect(x.item()).toBe(3);
    expect(y.item()).toBe(9);
    expect(ds.getItem(-1)[1].item()).toBe(16);
    expect(() => ds.getItem(5)).toThrow(torch.TorchError);
    expect(() => ds.getItem(1.5)).toThrow(/integer/);
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow(/Size mismatch/);
    expect(() => new TensorDataset(5 as unknown as T)).toThrow(torch.TorchError);
  });

  test('Subset and ConcatDataset', () => {
    const ds = squares(6);
    const s = new Subset(ds, [5, 0, 2]);
    expect(s.length).toBe(3);
    expect((s.getItem(0) as T[])[1].item()).toBe(25);
    const c = new ConcatDataset<unknown>([s, [100, 200]]);
    expect(c.length).toBe(5);
    expect(c.cumulativeSizes).toEqual([3, 5]);
    expect(c.getItem(4)).toBe(200);
    expect(c.getItem(-2)).toBe(100);
    expect(((c.getItem(2) as unknown as T[])[1]).item()).toBe(4);
    expect(() => c.getItem(-6)).toThrow(/should not exceed/);
    expect(() => new ConcatDataset([])).toThrow(/empty/);
  });

  test('Dataset subclass and concat()', () => {
    class Sq extends Dataset<number> { getItem(i: number): number { return i * i; } get length(): number { return 4; } }
    const d = new Sq().concat(new Sq());
    expect(d.length).toBe(8);
    expect(d.getItem(5)).toBe(1);
  });

  test('randomSplit: integer lengths, fractions, reproducibility, errors', () => {
    const ds = range(10);
    const g = new torch.Generator().manualSeed(42);
    const [a, b] = randomSplit(ds, [7, 3], { generator: g });
    expect(a.length).toBe(7);
    expect(b.length).toBe(3);
    expect([...a.indices, ...b.indices].sort((x, y) => x - y)).toEqual(range(10));
    const [a2] = randomSplit(ds, [7, 3], { generator: new torch.Generator().manualSeed(42) });
    expect(a2.indices).toEqual(a.indices);
    torch.manualSeed(3);
    const s1 = randomSplit(ds, [5, 5])[0].indices;
    torch.manualSeed(3);
    expect(randomSplit(ds, [5, 5])[0].indices).toEqual(s1);
    // fractions: floor(11 * f) then the remainder dealt from the first split on (PyTorch)
    const parts = randomSplit(range(11), [0.5, 0.3, 0.2]);
    expect(parts.map((p) => p.length)).toEqual([6, 3, 2]);
    expect(() => randomSplit(ds, [5, 4])).toThrow(/does not equal/);
    expect(() => randomSplit(ds, [1.2, -0.2])).toThrow(torch.TorchError);
  });
});

describe('defaultCollate', () => {
  test('dtypes as PyTorch: ints int64, floats float64, bools bool, tensors stacked', () => {
    expect((defaultCollate([1, 2, 3]) as T).dtype).toBe('int64');
    const f = defaultCollate([0.5, 2]) as T;
    expect(f.dtype).toBe('float64');
    expect(f.tolist()).toEqual([0.5, 2]);
    expect((defaultCollate([true, false]) as T).dtype).toBe('bool');
    const st = defaultCollate([torch.zeros(2, 3), torch.ones(2, 3)]) as T;
    expect(st.shape).toEqual([2, 2, 3]);
    expect(st.dtype).toBe('float32');
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    expect((defaultCollate([new Uint8Array([1, 2]), new Uint8Array([3, 4])]) as T).dtype).toBe('uint8');
  });
  test('tuples and objects recursively', () => {
    const out = defaultCollate([{ x: torch.tensor([1.5]), y: [1, 'p'] }, { x: torch.tensor([2.5]), y: [2, 'q'] }]) as { x: T; y: [T, string[]] };
    expect(out.x.shape).toEqual([2, 1]);
    expect(out.y[0].tolist()).toEqual([1, 2]);
    expect(out.y[1]).toEqual(['p', 'q']);
    const m = defaultCollate([new Map([['k', 1]]), new Map([['k', 2]])]) as Map<string, T>;
    expect(m.get('k')?.tolist()).toEqual([1, 2]);
  });
  test('errors', () => {
    expect(() => defaultCollate([])).toThrow(/empty/);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(/equal size/);
    expect(() => defaultCollate([torch.zeros(2), torch.zeros(3)])).toThrow(/stack expects each tensor to be equal size/);
    expect(() => defaultCollate([null])).toThrow(/found null/);
    expect(() => defaultCollate([{ a: 1 }, { b: 2 }])).toThrow(/no key 'a'/);
  });
});

describe('samplers', () => {
  test('Sequential, Random (seeded), SubsetRandom, Batch, Weighted', () => {
    expect([...new SequentialSampler(4)]).toEqual([0, 1, 2, 3]);
    const r1 = [...new RandomSampler(10, { generator: new torch.Generator().manualSeed(1) })];
    const r2 = [...new RandomSampler(10, { generator: new torch.Generator().manualSeed(1) })];
    expect(r1).toEqual(r2);
    expect([...r1].sort((a, b) => a - b)).toEqual(range(10));
    const rr = [...new RandomSampler(3, { replacement: true, numSamples: 50 })];
    expect(rr.length).toBe(50);
    expect(rr.every((i) => i >= 0 && i < 3)).toBe(true);
    expect([...new RandomSampler(4, { numSamples: 6 })].length).toBe(6);
    expect([...new SubsetRandomSampler([10, 20, 30])].sort()).toEqual([10, 20, 30]);
    const bs = new BatchSampler(new SequentialSampler(7), 3, false);
    expect([...bs]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(bs.length).toBe(3);
    expect(new BatchSampler(new SequentialSampler(7), 3, true).length).toBe(2);
    torch.manualSeed(0);
    const w = [...new WeightedRandomSampler([0, 1, 3], 4000)];
    expect(w.includes(0)).toBe(false);
    const frac2 = w.filter((i) => i === 2).length / w.length;
    expect(frac2).toBeGreaterThan(0.70);
    expect(frac2).toBeLessThan(0.80);
    const nr = [...new WeightedRandomSampler([1, 1, 1, 0], 3, { replacement: false })];
    expect(nr.sort()).toEqual([0, 1, 2]);
    expect(() => new WeightedRandomSampler([1, 0], 2, { replacement: false })).toThrow(/without replacement/);
  });
});

describe('DataLoader (in process)', () => {
  test('order, batch shapes, length, dropLast', () => {
    const ds = squares(10);
    const dl = new DataLoader(ds, { batchSize: 4 });
    expect(dl.length).toBe(3);
    const batches = [...dl] as T[][];
    expect(batches.map((b) => b[0].shape[0])).toEqual([4, 4, 2]);
    expect(flat(batches[2][1])).toEqual([64, 81]);
    expect(batches[0][0].shape).toEqual([4, 1]);
    const dl2 = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dl2.length).toBe(2);
    expect([...dl2].length).toBe(2);
    expect(new DataLoader(ds).length).toBe(10);
  });

  test('shuffle is a permutation, reproducible under manualSeed and a generator, and new every epoch', () => {
    const ds = squares(20);
    const epoch = (dl: InstanceType<typeof DataLoader>): number[] => ([...dl] as T[][]).flatMap((b) => flat(b[0]));
    torch.manualSeed(7);
    const dl = new DataLoader(ds, { batchSize: 6, shuffle: true });
    const e1 = epoch(dl), e2 = epoch(dl);
    expect([...e1].sort((a, b) => a - b)).toEqual(range(20));
    expect(e1).not.toEqual(range(20));
    expect(e2).not.toEqual(e1);
    torch.manualSeed(7);
    expect(epoch(dl)).toEqual(e1);
    const g = (): InstanceType<typeof torch.Generator> => new torch.Generator().manualSeed(5);
    expect(epoch(new DataLoader(ds, { batchSize: 6, shuffle: true, generator: g() }))).toEqual(epoch(new DataLoader(ds, { batchSize: 6, shuffle: true, generator: g() })));
  });

  test('the getBatch fast path gives what getItem + defaultCollate give', () => {
    const ds = squares(9);
    const order = [8, 2, 5, 0];
    const fast = ds.getBatch(order);
    const slow = defaultCollate(order.map((i) => ds.getItem(i))) as T[];
    expect(flat(fast[0])).toEqual(flat(slow[0]));
    expect(fast[1].dtype).toBe(slow[1].dtype);
    expect(fast[0].shape).toEqual(slow[0].shape);
    // a contiguous run is copied, not a view into the dataset
    const run = ds.getBatch([2, 3, 4]);
    run[0].fill_(-1);
    expect(ds.getItem(2)[0].item()).toBe(2);
  });

  test('collateFn, batchSize null, sampler, batchSampler, option errors', () => {
    const ds = squares(5);
    const sums = [...new DataLoader(ds, { batchSize: 2, collateFn: (items: T[][]) => items.length })];
    expect(sums).toEqual([2, 2, 1]);
    const single = [...new DataLoader(range(3), { batchSize: null })];
    expect(single).toEqual([0, 1, 2]);
    const sampled = [...new DataLoader(range(10), { batchSize: 2, sampler: [9, 8, 7] })] as T[];
    expect(sampled.map((b) => b.tolist())).toEqual([[9, 8], [7]]);
    const bsd = new DataLoader(range(10), { batchSampler: [[1, 2, 3], [0]] });
    expect(([...bsd] as T[]).map((b) => b.tolist())).toEqual([[1, 2, 3], [0]]);
    expect(() => new DataLoader(ds, { sampler: [1], shuffle: true })).toThrow(/mutually exclusive/);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/positive integer/);
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(/non-negative/);
    expect(() => new DataLoader(ds, { batchSize: 2, bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => new DataLoader({} as never)).toThrow(/expected a dataset/);
  });

  test('IterableDataset streams batches', () => {
    class Count extends IterableDataset<number> { *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < 5; i++) yield i; } }
    const out = ([...new DataLoader(new Count(), { batchSize: 2 })] as T[]).map((b) => b.tolist());
    expect(out).toEqual([[0, 1], [2, 3], [4]]);
    expect(() => new DataLoader(new Count(), { shuffle: true })).toThrow(/IterableDataset/);
  });
});

// a file-backed style dataset: getItem resolves after a delay
class Slow extends Dataset<[T, number]> {
  active = 0;
  maxActive = 0;
  started = 0;
  done = 0;
  constructor(private n: number, private ms: number, private failAt = -1) { super(); }
  get length(): number { return this.n; }
  async getItem(i: number): Promise<[T, number]> {
    this.active++;
    this.started++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, this.ms));
    this.active--;
    this.done++;
    if (i === this.failAt) throw new Error(`cannot read sample ${i}`);
    return [torch.full([2], i, { dtype: 'float32' }), i];
  }
}

describe('DataLoader (async datasets)', () => {
  test('for await gives the batches in order; for...of explains that it needs for await', async () => {
    const ds = new Slow(7, 2);
    const dl = new DataLoader(ds, { batchSize: 3 });
    const got: number[][] = [];
    for await (const b of dl) got.push(((b as [T, T])[1].tolist() as number[]));
    expect(got).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(() => { for (const b of dl) void b; }).toThrow(/for await/);
  });

  test('reads ahead `prefetch` batches while the step runs', async () => {
    const ds = new Slow(24, 10);
    const dl = new DataLoader(ds, { batchSize: 4, prefetch: 3 });
    const startedAtYield: number[] = [];
    const doneBeforeStepEnd: number[] = [];
    let n = 0;
    for await (const b of dl) {
      void b;
      startedAtYield.push(ds.started);
      await new Promise((r) => setTimeout(r, 30)); // the "training step"
      doneBeforeStepEnd.push(ds.done);
      n++;
    }
    expect(n).toBe(6);
    // when batch 0 is handed out, batches 1..3 (prefetch = 3, 4 samples each) are already being read
    expect(startedAtYield[0]).toBe(16);
    // and they finish during the step: by the end of step 0, batches 0..3 are all loaded
    expect(doneBeforeStepEnd[0]).toBe(16);
    expect(ds.maxActive).toBe(16); // the batch being awaited plus 3 ahead
  });

  test('an error in getItem surfaces in the loop', async () => {
    const dl = new DataLoader(new Slow(8, 1, 5), { batchSize: 2 });
    const seen: number[] = [];
    await expect((async () => { for await (const b of dl) seen.push(((b as [T, T])[1].tolist() as number[])[0]); })()).rejects.toThrow(/cannot read sample 5/);
    expect(seen).toEqual([0, 2]);
  });
});

// worker threads load the compiled library (dist/) and a dataset module written here
const haveDist = fs.existsSync(DIST) && fs.existsSync(path.join(path.dirname(DIST), 'utils', 'data', 'worker.js'));
const describeWorkers = haveDist ? describe : describe.skip;
if (!haveDist) console.warn('data.test.ts: dist/ is not built (npm run build:ts); worker-thread tests are skipped');

describeWorkers('DataLoader (worker threads)', () => {
  let dir: string;
  let mod: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-workers-'));
    mod = path.join(dir, 'ds.js');
    fs.writeFileSync(mod, `
// torch is required lazily: the main thread only uses this class for its length (two copies of the library,
// lib/ under ts-jest and dist/, must not both run kernels in one thread: they would each install their own meta buffer)
let torchMod = null;
const torch = () => torchMod || (torchMod = require(${JSON.stringify(DIST)}));
class Noisy {
  constructor(n, failAt = -1) { this.n = n; this.failAt = failAt; }
  get length() { return this.n; }
  getItem(i) {
    if (i === this.failAt) throw new RangeError('bad sample ' + i);
    const info = torch().utils.data.getWorkerInfo();
    // a random "augmentation": reproducible because each worker seeds torch from the loader's generator
    return { x: torch().full([3, 2], i, { dtype: 'float32' }).add(torch().rand(3, 2).mul(0.001)), y: i, w: info ? info.id : -1 };
  }
}
exports.Noisy = Noisy;
exports.makeNoisy = async (n) => new Noisy(n);
`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Leaving a loop early terminates busy workers while they are inside the addon; an error the addon raises then
  // cannot be thrown into the dying thread, and must be dropped rather than abort the process (it did, about one
  // run in four, before the addon was built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS)
  test('breaking out of loops over worker loaders, again and again, never aborts the process', () => {
    const script = `
      const torch = require(${JSON.stringify(DIST)});
      const vision = require(${JSON.stringify(path.join(path.dirname(DIST), 'vision', 'index.js'))});
      (async () => {
        for (let k = 0; k < 12; k++) {
          const ds = new vision.datasets.MNISTSample({ train: false, transform: new vision.transforms.ToDtype('float32', { scale: true }) });
          for await (const b of new torch.utils.data.DataLoader(ds, { batchSize: 50, numWorkers: 2 })) { void b; break; }
        }
        console.log('ok');
      })();`;
    for (let run = 0; run < 3; run++) {
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
      expect({ status: r.status, signal: r.signal, out: r.stdout.trim(), err: r.stderr.slice(-300) }).toEqual({ status: 0, signal: null, out: 'ok', err: '' });
    }
  }, 300000);

  const collect = async (dl: InstanceType<typeof DataLoader>): Promise<{ x: number[]; y: number[]; w: number[] }[]> => {
    const out: { x: number[]; y: number[]; w: number[] }[] = [];
    for await (const b of dl) {
      const bb = b as { x: T; y: T; w: T };
      out.push({ x: flat(bb.x), y: flat(bb.y), w: flat(bb.w) });
    }
    return out;
  };

  test('batches arrive in sampler order from round-robin workers, reproducibly', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Noisy } = require(mod);
    const ds = new Noisy(22);
    const mk = (): InstanceType<typeof DataLoader> => new DataLoader(ds, { batchSize: 4, shuffle: true, numWorkers: 2, workerDataset: { module: mod, exportName: 'Noisy', args: [22] } });
    torch.manualSeed(11);
    const a = await collect(mk());
    torch.manualSeed(11);
    const b = await collect(mk());
    expect(a).toEqual(b);
    expect(a.length).toBe(6);
    const ys = a.flatMap((r) => r.y);
    expect([...ys].sort((p, q) => p - q)).toEqual(range(22));
    // batch k comes from worker k % 2
    expect(a.map((r) => r.w[0])).toEqual([0, 1, 0, 1, 0, 1]);
    // values are the samples' own (plus the tiny noise)
    a.forEach((r) => r.y.forEach((y, k) => expect(Math.abs(r.x[k * 6] - y)).toBeLessThan(0.01)));
  });

  test('a factory export, batchSize null, custom collateFn on the main thread', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Noisy } = require(mod);
    const dl = new DataLoader(new Noisy(5), { batchSize: 2, numWorkers: 1, collateFn: (items: { y: number }[]) => items.map((s) => s.y), workerDataset: { module: mod, exportName: 'makeNoisy', args: [5] } });
    const got: unknown[] = [];
    for await (const b of dl) got.push(b);
    expect(got).toEqual([[0, 1], [2, 3], [4]]);
    const dl1 = new DataLoader(new Noisy(3), { batchSize: null, numWorkers: 2, workerDataset: { module: mod, exportName: 'Noisy', args: [3] } });
    const ys: number[] = [];
    for await (const s of dl1) ys.push((s as { y: number }).y);
    expect(ys).toEqual([0, 1, 2]);
  });

  test('an error inside a worker makes the for await throw, with the worker stack', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Noisy } = require(mod);
    const dl = new DataLoader(new Noisy(12), { batchSize: 3, numWorkers: 2, workerDataset: { module: mod, exportName: 'Noisy', args: [12, 7] } });
    let err: Error | null = null;
    let batches = 0;
    try { for await (const b of dl) { void b; batches++; } } catch (e) { err = e as Error; }
    expect(err).toBeInstanceOf(torch.TorchError);
    expect(err?.message).toMatch(/worker 0 raised RangeError while loading batch 2/);
    expect(err?.message).toMatch(/bad sample 7/);
    expect(err?.message).toMatch(/ds\.js:\d+/); // the worker's stack frame
    expect(batches).toBe(2);
  });

  test('a built-in vision dataset with transforms rebuilds itself in the workers (workerSpec)', async () => {
    const V = vision.transforms;
    const ds = new vision.datasets.MNISTSample({ train: false, transform: new V.Compose([new V.ToDtype('float32', { scale: true }), new V.Normalize([0.1307], [0.3081])]) });
    const sub = new Subset(ds, range(40));
    const inProc = [...new DataLoader(sub, { batchSize: 16 })] as T[][];
    const viaWorkers: T[][] = [];
    for await (const b of new DataLoader(sub, { batchSize: 16, numWorkers: 2 })) viaWorkers.push(b as T[]);
    expect(viaWorkers.length).toBe(3);
    viaWorkers.forEach((b, k) => {
      expect(b[0].shape).toEqual(inProc[k][0].shape);
      expect(b[0].allclose(inProc[k][0])).toBe(true);
      expect(b[1].tolist()).toEqual(inProc[k][1].tolist());
    });
    const withLambda = new vision.datasets.MNISTSample({ train: false, transform: new vision.transforms.Lambda((x: T) => x) });
    await expect((async () => { for await (const b of new DataLoader(withLambda, { numWorkers: 1 })) void b; })()).rejects.toThrow(/cannot be sent to DataLoader worker threads/);
  });

  test('clear errors: no worker spec, a spec that does not load, for...of', async () => {
    const ds = squares(4);
    const dl = new DataLoader(ds, { numWorkers: 2 });
    expect(() => { for (const b of dl) void b; }).toThrow(/for await/);
    await expect((async () => { for await (const b of dl) void b; })()).rejects.toThrow(/workerDataset/);
    const bad = new DataLoader(ds, { numWorkers: 1, workerDataset: { module: path.join(dir, 'missing.js') } });
    await expect((async () => { for await (const b of bad) void b; })()).rejects.toThrow(/could not build its dataset[\s\S]*Cannot find module/);
  });
});
