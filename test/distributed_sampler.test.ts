// torch.utils.data.DistributedSampler against PyTorch 1.13's index sequences (test/ref/gen_distributed_sampler.py
// writes test/ref/distributed_sampler.json): shuffle on and off, dropLast on and off, datasets that do not divide by
// numReplicas, several epochs; defaults from the process group; DataLoader with and without worker threads.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { TorchError } from '../lib/errors';
import { setCurrentWorld } from '../lib/distributed/state';
import { _pytorchRandperm } from '../lib/utils/data/distributed_sampler';

const { DistributedSampler, DataLoader, TensorDataset } = torch.utils.data;

interface Case { n: number; numReplicas: number; shuffle: boolean; seed: number; dropLast: boolean; epochs: number[]; ranks: { len: number; epochs: number[][] }[] }
interface Ref {
  torch: string;
  cases: Case[];
  large: { n: number; numReplicas: number; rank: number; seed: number; epoch: number; len: number; sha256: string; head: number[]; tail: number[] };
  randperm: { n: number; seed: number; perm: number[] }[];
}
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'distributed_sampler.json'), 'utf8')) as Ref;
const DIST = path.resolve(__dirname, '..', 'dist', 'index.js');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('DistributedSampler matches PyTorch', () => {
  test('the fixture covers what it should', () => {
    expect(REF.cases.length).toBeGreaterThan(150);
    expect(REF.cases.some((c) => c.shuffle && c.dropLast && c.n % c.numReplicas !== 0)).toBe(true);
    expect(REF.cases.some((c) => !c.dropLast && c.n > 0 && c.numReplicas - c.n > c.n)).toBe(true); // padding longer than the data
  });

  test.each(REF.cases.map((c) => [`n=${c.n} numReplicas=${c.numReplicas} shuffle=${c.shuffle} seed=${c.seed} dropLast=${c.dropLast}`, c]))(
    '%s: every rank, every epoch', (_name, c) => {
      const cc = c as Case;
      cc.ranks.forEach((r, rank) => {
        const s = new DistributedSampler(cc.n, { numReplicas: cc.numReplicas, rank, shuffle: cc.shuffle, seed: cc.seed, dropLast: cc.dropLast });
        expect(s.length).toBe(r.len);
        const got = cc.epochs.map((e) => { s.setEpoch(e); return [...s]; });
        expect(got).toEqual(r.epochs);
      });
    });

  test('a large dataset (100003 samples, 7 replicas) gives PyTorch\'s sequence (digest)', () => {
    const L = REF.large;
    const s = new DistributedSampler({ length: L.n }, { numReplicas: L.numReplicas, rank: L.rank, seed: L.seed });
    s.setEpoch(L.epoch);
    const idx = [...s];
    expect(idx.length).toBe(L.len);
    expect(idx.slice(0, 20)).toEqual(L.head);
    expect(idx.slice(-20)).toEqual(L.tail);
    expect(crypto.createHash('sha256').update(idx.join(',')).digest('hex')).toBe(L.sha256);
  });

  test('its permutation is torch.randperm under a manual_seed generator, as PyTorch\'s CPU generator gives it', () => {
    for (const p of REF.randperm) expect(_pytorchRandperm(p.n, p.seed)).toEqual(p.perm);
  });

  test('setEpoch changes the order, the same epoch gives it back, and the ranks split one permutation', () => {
    const n = 40, R = 4;
    const ss = range(R).map((rank) => new DistributedSampler(n, { numReplicas: R, rank }));
    const ep = (e: number): number[][] => ss.map((s) => { s.setEpoch(e); return [...s]; });
    const e0 = ep(0), e1 = ep(1);
    expect(e0).not.toEqual(e1);
    expect(ep(0)).toEqual(e0);
    for (const e of [e0, e1]) expect(e.flat().sort((a, b) => a - b)).toEqual(range(n));
    expect(ss[0].epoch).toBe(0);
  });
});

describe('DistributedSampler options and errors', () => {
  afterEach(() => setCurrentWorld(null));

  test('numReplicas and rank default to the default process group', () => {
    setCurrentWorld({ rank: 2, worldSize: 3 });
    const s = new DistributedSampler(10, { shuffle: false });
    expect([s.numReplicas, s.rank, s.length]).toEqual([3, 2, 4]);
    expect([...s]).toEqual([2, 5, 8, 1]); // padded with index 0..1 -> [0..9, 0, 1], every third from 2
    const t = new DistributedSampler(10, { rank: 0, shuffle: false });
    expect([t.numReplicas, t.rank]).toEqual([3, 0]);
  });

  test('no process group and no numReplicas/rank: a TorchError that says what to do', () => {
    expect(() => new DistributedSampler(10)).toThrow(TorchError);
    expect(() => new DistributedSampler(10)).toThrow(/numReplicas and rank not given.*initProcessGroup/);
    expect(() => new DistributedSampler(10, { numReplicas: 2 })).toThrow(/rank not given/);
    expect(() => new DistributedSampler(10, { rank: 0 })).toThrow(/numReplicas not given/);
  });

  test('bad arguments', () => {
    expect(() => new DistributedSampler(10, { numReplicas: 2, rank: 2 })).toThrow(/Invalid rank 2, rank should be in the interval \[0, 1\]/);
    expect(() => new DistributedSampler(10, { numReplicas: 2, rank: -1 })).toThrow(TorchError);
    expect(() => new DistributedSampler(10, { numReplicas: 0, rank: 0 })).toThrow(/numReplicas must be a positive integer/);
    expect(() => new DistributedSampler(10, { numReplicas: 1.5, rank: 0 })).toThrow(TorchError);
    expect(() => new DistributedSampler(10, { numReplicas: 2, rank: 0, seed: 0.5 })).toThrow(/seed must be an integer/);
    expect(() => new DistributedSampler({} as never, { numReplicas: 2, rank: 0 })).toThrow(/integer length/);
    expect(() => new DistributedSampler(10, { numReplicas: 2, rank: 0, drop_last: true } as never)).toThrow(/unexpected option 'drop_last'/);
    const s = new DistributedSampler(10, { numReplicas: 2, rank: 0 });
    expect(() => s.setEpoch(1.5)).toThrow(/epoch must be an integer/);
  });

  test('with a real process group (Gloo, world size 1)', () => {
    if (!torch.distributed.isGlooAvailable()) {
      console.warn(`distributed_sampler.test.ts: SKIPPED the process-group default test: ${torch.distributed.glooUnavailableReason()}`);
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-ds-'));
    try {
      torch.distributed.initProcessGroup({ backend: 'gloo', initMethod: `file://${path.join(dir, 'store')}`, rank: 0, worldSize: 1 });
      const s = new DistributedSampler(7, { seed: 3 });
      expect([s.numReplicas, s.rank, s.length]).toEqual([1, 0, 7]);
      expect([...s]).toEqual(_pytorchRandperm(7, 3));
    } finally {
      if (torch.distributed.isInitialized()) torch.distributed.destroyProcessGroup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => new DistributedSampler(7)).toThrow(/not been initialized/);
  });
});

describe('DistributedSampler with DataLoader', () => {
  test('each rank loads its share in sampler order; the ranks together cover the dataset', () => {
    const n = 23, R = 3;
    const ds = new TensorDataset(torch.arange(n).mul(10), torch.arange(n));
    const seen: number[] = [];
    for (let rank = 0; rank < R; rank++) {
      const sampler = new DistributedSampler(ds, { numReplicas: R, rank, seed: 5 });
      sampler.setEpoch(2);
      const dl = new DataLoader(ds, { batchSize: 3, sampler });
      expect(dl.length).toBe(Math.ceil(8 / 3)); // 8 samples per rank (23 padded to 24)
      const ys: number[] = [];
      for (const [x, y] of dl) {
        expect(x.tolist()).toEqual((y.tolist() as number[]).map((v) => v * 10));
        ys.push(...(y.tolist() as number[]));
      }
      expect(ys).toEqual([...sampler]);
      seen.push(...ys);
    }
    expect(seen.length).toBe(24);
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(range(n));
    // the padded sample is the first of the epoch's permutation
    const perm = _pytorchRandperm(n, 5 + 2);
    expect(seen.filter((v) => v === perm[0]).length).toBe(2);
  });

  test('one DataLoader reused over epochs follows setEpoch', () => {
    const ds = new TensorDataset(torch.arange(12));
    const sampler = new DistributedSampler(ds, { numReplicas: 2, rank: 1, seed: 9 });
    const dl = new DataLoader(ds, { batchSize: 4, sampler });
    const epoch = (e: number): number[] => {
      sampler.setEpoch(e);
      const out: number[] = [];
      for (const [x] of dl) out.push(...(x.tolist() as number[]));
      return out;
    };
    const e0 = epoch(0), e1 = epoch(1);
    expect(e0).toEqual(_pytorchRandperm(12, 9).filter((_, k) => k % 2 === 1));
    expect(e1).toEqual(_pytorchRandperm(12, 10).filter((_, k) => k % 2 === 1));
    expect(e0).not.toEqual(e1);
    expect(epoch(0)).toEqual(e0);
  });

  test('sampler and shuffle are exclusive, as in PyTorch', () => {
    const ds = new TensorDataset(torch.arange(4));
    expect(() => new DataLoader(ds, { sampler: new DistributedSampler(ds, { numReplicas: 2, rank: 0 }), shuffle: true })).toThrow(/mutually exclusive/);
  });

  const haveDist = fs.existsSync(DIST) && fs.existsSync(path.join(path.dirname(DIST), 'utils', 'data', 'worker.js'));
  if (!haveDist) console.warn('distributed_sampler.test.ts: dist/ is not built (npm run build:ts); the worker-thread test is SKIPPED');
  (haveDist ? test : test.skip)('with DataLoader worker threads: the same batches as without workers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-ds-workers-'));
    try {
      const mod = path.join(dir, 'ds.js');
      // torch is required lazily (only the workers need it; see data.test.ts)
      fs.writeFileSync(mod, `
let t = null;
const torch = () => t || (t = require(${JSON.stringify(DIST)}));
class Squares {
  constructor(n) { this.n = n; }
  get length() { return this.n; }
  getItem(i) { return { x: torch().full([2], i * i, { dtype: 'float32' }), y: i, w: torch().utils.data.getWorkerInfo().id }; }
}
exports.Squares = Squares;
`);
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { Squares } = require(mod);
      const n = 31, R = 4, rank = 3;
      const sampler = new DistributedSampler(new Squares(n), { numReplicas: R, rank, seed: 11, dropLast: true });
      const run = async (epoch: number): Promise<{ y: number[]; x: number[]; w: number[] }> => {
        sampler.setEpoch(epoch);
        const dl = new DataLoader(new Squares(n), { batchSize: 2, sampler, numWorkers: 2, workerDataset: { module: mod, exportName: 'Squares', args: [n] } });
        const out = { y: [] as number[], x: [] as number[], w: [] as number[] };
        for await (const b of dl) {
          const bb = b as unknown as { x: { tolist(): number[][] }; y: { tolist(): number[] }; w: { tolist(): number[] } };
          out.y.push(...bb.y.tolist());
          out.x.push(...bb.x.tolist().map((r) => r[0]));
          out.w.push(bb.w.tolist()[0]);
        }
        return out;
      };
      for (const epoch of [0, 1]) {
        const r = await run(epoch);
        sampler.setEpoch(epoch);
        const expected = [...sampler];
        expect(expected.length).toBe(7); // floor(31 / 4)
        expect(r.y).toEqual(expected);
        expect(r.x).toEqual(expected.map((i) => i * i));
        expect(r.w).toEqual([0, 1, 0, 1]); // batches alternate between the two workers
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
