// distributed.test.ts - torch.distributed on Gloo and DistributedDataParallel, with real processes on 127.0.0.1.
// Each world is N node processes running a worker script over the compiled dist/ (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT, GLOO_SOCKET_IFNAME=lo); each rank prints one `RESULT <json>` line that the test checks against values
// worked out here by hand, or against PyTorch 1.13's DDP on Gloo (test/ref/ddp.json, made by test/ref/gen_ddp.py).
// Without the Gloo binding the process tests are skipped loudly; NODETORCH_REQUIRE_GLOO=1 (set by .ci/run) turns that
// skip into a failure.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib';
import { runWorld, expectOk, RankOut, wrap } from './dist_world';

const haveDist = fs.existsSync(path.join(__dirname, '..', 'dist', 'index.js'));
const dist = torch.distributed;
const haveGloo = dist.isGlooAvailable();
const skipReason = !haveDist ? 'dist/ is not built (npm run build:ts)' : !haveGloo ? dist.glooUnavailableReason() : '';
if (skipReason) {
  console.warn(`distributed.test.ts: SKIPPING the multi-process tests: ${skipReason}`);
}
const itP = skipReason ? test.skip : test;

test('the multi-process tests are able to run (required in CI)', () => {
  if (process.env.NODETORCH_REQUIRE_GLOO === '1') expect(skipReason).toBe('');
  // without the requirement, a skip must still say why
  if (skipReason) expect(skipReason.length).toBeGreaterThan(10);
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-dist-'));
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });
const world = (n: number, body: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RankOut[]> => runWorld(tmp, n, body, opts);

// ---------------------------------------------------------------------------------------------------------------
// collectives x dtypes, 2 and 3 ranks

const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'] as const;
const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const N = 5;
/** rank r's input for dtype d: (r+1)*(i+1) (bool: (r+i) even) */
const inputOf = (d: string, r: number): number[] => Array.from({ length: N }, (_, i) => (d === 'bool' ? ((r + i) % 2 === 0 ? 1 : 0) : (r + 1) * (i + 1)));
function reduceExpect(d: string, op: string, ws: number): number[] {
  return Array.from({ length: N }, (_, i) => {
    const vals = Array.from({ length: ws }, (_, r) => inputOf(d, r)[i]);
    let v: number;
    if (d === 'bool') {
      v = op === 'sum' || op === 'max' ? Number(vals.some(Boolean)) : Number(vals.every(Boolean));
    } else if (op === 'sum') v = vals.reduce((a, b) => a + b, 0);
    else if (op === 'product') v = vals.reduce((a, b) => a * b, 1);
    else if (op === 'min') v = Math.min(...vals);
    else if (op === 'max') v = Math.max(...vals);
    else v = vals.reduce((a, b) => a + b, 0) / ws;
    return wrap(d, v);
  });
}

const COLLECTIVES = `
dist.initProcessGroup({ backend: 'gloo' });
const DT = ${JSON.stringify(DTYPES)};
const N = ${N};
const inputOf = ${inputOf.toString().replace(/=>/, '=>')};
const mk = (d, vals) => torch.tensor(vals, { dtype: d });
for (const d of DT) {
  const r = out[d] = {};
  const ops = d === 'bool' ? ['sum', 'max', 'min', 'product'] : ['sum', 'product', 'min', 'max'].concat(${JSON.stringify([...FLOATS])}.includes(d) ? ['avg'] : []);
  for (const op of ops) { const t = mk(d, inputOf(d, rank)); dist.allReduce(t, { op }); r['allReduce_' + op] = arr(t); }
  if (d !== 'bool') r.avgError = errOf(() => dist.allReduce(mk(d, inputOf(d, rank)), { op: dist.ReduceOp.AVG }));
  { const t = mk(d, inputOf(d, rank)); dist.broadcast(t, ws - 1); r.broadcast = arr(t); }
  { const t = mk(d, inputOf(d, rank)); dist.reduce(t, 1, { op: 'sum' }); if (rank === 1) r.reduce = arr(t); }
  { const l = Array.from({ length: ws }, () => torch.zeros([N], { dtype: d })); dist.allGather(l, mk(d, inputOf(d, rank))); r.allGather = l.map(arr); }
  { const o = torch.zeros([ws * N], { dtype: d }); dist.allGatherIntoTensor(o, mk(d, inputOf(d, rank))); r.allGatherIntoTensor = arr(o); }
  { const l = ws > 1 && rank === 0 ? Array.from({ length: ws }, () => torch.zeros([N], { dtype: d })) : null; dist.gather(mk(d, inputOf(d, rank)), l, 0); if (rank === 0) r.gather = l.map(arr); }
  { const t = torch.zeros([N], { dtype: d }); const l = rank === ws - 1 ? Array.from({ length: ws }, (_, j) => mk(d, inputOf(d, j + 1))) : null; dist.scatter(t, l, ws - 1); r.scatter = arr(t); }
  if (d !== 'bool') {
    // reduceScatter: rank r's j-th input is inputOf(d, r) + j; output is the sum over ranks of their rank-th inputs
    const o = torch.zeros([N], { dtype: d }); const l = Array.from({ length: ws }, (_, j) => mk(d, inputOf(d, rank).map((v) => v + j)));
    dist.reduceScatter(o, l); r.reduceScatter = arr(o);
    const o2 = torch.zeros([N], { dtype: d }); dist.reduceScatterTensor(o2, torch.cat(l)); r.reduceScatterTensor = arr(o2);
  }
  { // ring: rank r sends to r+1 and receives from r-1 (from any source for dtype float32)
    const t = mk(d, inputOf(d, rank)); const got = torch.zeros([N], { dtype: d });
    const w = dist.isend(t, (rank + 1) % ws);
    const src = dist.recv(got, d === 'float32' ? null : (rank + ws - 1) % ws); w.wait();
    r.ring = arr(got); r.ringSrc = src;
  }
}
dist.barrier();
done();
dist.destroyProcessGroup();
`;

function checkCollectives(outs: RankOut[], ws: number): void {
  expectOk(outs);
  for (const o of outs) {
    const rank = o.rank;
    for (const d of DTYPES) {
      const r = o.result[d];
      const ops = d === 'bool' ? ['sum', 'max', 'min', 'product'] : ['sum', 'product', 'min', 'max', ...(FLOATS.has(d) ? ['avg'] : [])];
      for (const op of ops) expect([d, op, r['allReduce_' + op]]).toEqual([d, op, reduceExpect(d, op, ws)]);
      if (d !== 'bool' && !FLOATS.has(d)) expect(r.avgError?.message).toMatch(/AVG.*(floating|float)/i);
      if (FLOATS.has(d)) expect(r.avgError).toBeNull();
      expect([d, r.broadcast]).toEqual([d, inputOf(d, ws - 1)]);
      if (rank === 1) expect([d, r.reduce]).toEqual([d, reduceExpect(d, 'sum', ws)]);
      const all = Array.from({ length: ws }, (_, j) => inputOf(d, j));
      expect([d, r.allGather]).toEqual([d, all]);
      expect([d, r.allGatherIntoTensor]).toEqual([d, all.flat()]);
      if (rank === 0) expect([d, r.gather]).toEqual([d, all]);
      expect([d, r.scatter]).toEqual([d, inputOf(d, rank + 1)]);
      if (d !== 'bool') {
        const rs = Array.from({ length: N }, (_, i) => wrap(d, all.reduce((a, v) => a + v[i] + rank, 0)));
        expect([d, r.reduceScatter]).toEqual([d, rs]);
        expect([d, r.reduceScatterTensor]).toEqual([d, rs]);
      }
      expect([d, r.ring, r.ringSrc]).toEqual([d, inputOf(d, (rank + ws - 1) % ws), (rank + ws - 1) % ws]);
    }
  }
}

describe('collectives on Gloo, every dtype, values worked out by hand', () => {
  itP('2 ranks', async () => { checkCollectives(await world(2, COLLECTIVES), 2); }, 120000);
  itP('3 ranks', async () => { checkCollectives(await world(3, COLLECTIVES), 3); }, 120000);
});

// ---------------------------------------------------------------------------------------------------------------

describe('process groups: async work, non-contiguous tensors, objects, subgroups, errors', () => {
  itP('3 ranks', async () => {
    const outs = await world(3, `
dist.initProcessGroup({ backend: 'gloo', initMethod: 'env://' });
out.rank = dist.getRank(); out.ws = dist.getWorldSize(); out.backend = dist.getBackend(); out.init = dist.isInitialized();
(async () => {
  // async work: awaitable, isCompleted after
  const t = torch.full([1000], rank + 1, { dtype: 'float64' });
  const w = dist.allReduce(t, { asyncOp: true });
  out.asyncIsWork = typeof w.then === 'function' && typeof w.wait === 'function';
  await w;
  out.asyncDone = w.isCompleted(); out.asyncSum = arr(t.sum());
  const works = [0, 1, 2].map((k) => { const u = torch.full([3], rank * 10 + k); return [u, dist.allReduce(u, { asyncOp: true })]; });
  for (const [, ww] of works) ww.wait();
  out.multi = works.map(([u]) => arr(u));
  // non-contiguous: a transposed view and a strided slice are reduced in place; the rest of the base is untouched
  const base = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]).add(rank);
  const v = base.t();
  dist.allReduce(v, { op: 'max' });
  out.tview = arr(base);
  const b2 = torch.zeros([10]);
  const strided = b2.reshape([5, 2]).select(1, 0);
  strided.fill_(rank + 1); dist.allReduce(strided);
  out.strided = arr(b2);
  const bc = torch.arange(6, { dtype: 'int64' }).reshape([2, 3]).mul(rank + 1).t(); dist.broadcast(bc, 2); out.bcT = arr(bc.contiguous());
  // objects
  const objs = [null, null, null]; dist.allGatherObject(objs, { rank, s: 'r' + rank, a: [rank, rank * 2] });
  out.objs = objs;
  const lst = rank === 1 ? [{ lr: 0.1 }, 'x', 42] : [null, null, null]; dist.broadcastObjectList(lst, 1); out.bobj = lst;
  // subgroup [0, 2]
  const g = dist.newGroup([0, 2]);
  const gt = torch.tensor([rank + 1.5]);
  const gw = dist.allReduce(gt, { group: g });
  out.sub = arr(gt); out.subRank = dist.getRank(g); out.subWs = dist.getWorldSize(g); out.subRet = gw === undefined ? 'undefined' : typeof gw;
  if (rank !== 1) out.subGlobal = dist.getGlobalRank(g, 1);
  // ranks disagree on the shape: a TorchError on every rank, then the group still works
  out.mismatch = errOf(() => dist.allReduce(torch.ones([rank === 1 ? 5 : 4])));
  out.dtypeMismatch = errOf(() => dist.allReduce(torch.ones([4], { dtype: rank === 2 ? 'float64' : 'float32' })));
  const after = torch.tensor([1]); dist.allReduce(after); out.after = arr(after);
  // bad arguments
  out.badSrc = errOf(() => dist.broadcast(torch.ones([2]), 7));
  out.badOp = errOf(() => dist.allReduce(torch.ones([2]), { op: 'median' }));
  out.badList = errOf(() => dist.allGather([torch.ones([2])], torch.ones([2])));
  out.twice = errOf(() => dist.initProcessGroup({ backend: 'gloo' }));
  dist.barrier();
  done();
  dist.destroyProcessGroup();
  out.after_destroy = dist.isInitialized();
})().catch((e) => { console.error(e); process.exit(3); });
`);
    expectOk(outs);
    for (const { rank, result: r } of outs) {
      expect([r.rank, r.ws, r.backend, r.init]).toEqual([rank, 3, 'gloo', true]);
      expect(r.asyncIsWork).toBe(true);
      expect(r.asyncDone).toBe(true);
      expect(r.asyncSum).toEqual([6000]);
      expect(r.multi).toEqual([0, 1, 2].map((k) => Array(3).fill(30 + 3 * k)));
      expect(r.tview).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
      expect(r.strided).toEqual([6, 0, 6, 0, 6, 0, 6, 0, 6, 0]);
      expect(r.bcT).toEqual([0, 9, 3, 12, 6, 15]); // rank 2's arange(6).reshape(2, 3) * 3, transposed
      expect(r.objs).toEqual([0, 1, 2].map((k) => ({ rank: k, s: 'r' + k, a: [k, 2 * k] })));
      expect(r.bobj).toEqual([{ lr: 0.1 }, 'x', 42]);
      if (rank === 1) {
        expect([r.sub, r.subRank, r.subWs, r.subRet]).toEqual([[2.5], -1, -1, 'undefined']);
      } else {
        expect([r.sub, r.subRank, r.subWs, r.subRet, r.subGlobal]).toEqual([[5], rank === 0 ? 0 : 1, 2, 'undefined', 2]);
      }
      expect(r.mismatch?.name).toBe('TorchError');
      expect(r.mismatch.message).toMatch(/allReduce/);
      expect(r.mismatch.message).toMatch(/\[5\]/);
      expect(r.mismatch.message).toMatch(/\[4\]/);
      expect(r.dtypeMismatch?.name).toBe('TorchError');
      expect(r.dtypeMismatch.message).toMatch(/float64/);
      expect(r.after).toEqual([3]);
      expect(r.badSrc?.message).toMatch(/broadcast/);
      expect(r.badOp?.message).toMatch(/median/);
      expect(r.badList?.message).toMatch(/allGather/);
      expect(r.twice?.message).toMatch(/twice/);
    }
  }, 120000);
});

describe('collectives in flight together (the group\'s Gloo worker threads)', () => {
  // Several multi-segment all-reduces in flight at once (sizes that are no multiple of the SIMD width), a barrier
  // that must not return before them, then values checked element by element; with 1, 2 (default) and 3 threads.
  const BODY = `
dist.initProcessGroup({ backend: 'gloo' });
// one large all-reduce, then a barrier that another worker thread would otherwise finish first
const big = torch.ones([4000000]);
const wb = dist.allReduce(big, { asyncOp: true });
dist.barrier();
out.bigDoneAfterBarrier = wb.isCompleted();
wb.wait();
out.big = [big.min().item(), big.max().item()];
const sizes = [1000003, 5, 777777, 300001, 64];
const mk = (n, k, r) => torch.arange(n, { dtype: 'float32' }).remainder(997).add(r * 1000 + k);
const ts = sizes.map((n, k) => mk(n, k, rank));
const works = ts.map((t) => dist.allReduce(t, { asyncOp: true }));
const ints = torch.arange(100001, { dtype: 'int32' }).mul(rank + 1);
const wi = dist.allReduce(ints, { asyncOp: true, op: 'max' });
dist.barrier();
out.doneAfterBarrier = works.concat([wi]).map((w) => w.isCompleted());
works.forEach((w) => w.wait()); wi.wait();
// sum over ranks r of (i % 997 + 1000 r + k) = ws (i % 997 + k) + 1000 ws (ws - 1) / 2
out.maxErr = ts.map((t, k) => t.sub(torch.arange(sizes[k], { dtype: 'float32' }).remainder(997).add(k).mul(ws).add(500 * ws * (ws - 1))).abs().max().item());
out.intsOk = ints.equal(torch.arange(100001, { dtype: 'int32' }).mul(ws));
// a synchronous collective after async ones, and the group still usable
const s = torch.tensor([rank + 1]); dist.allReduce(s); out.sync = arr(s);
done();
dist.destroyProcessGroup();
`;
  // Note [short slices] (native/gloo/gloo_binding.cc): the group's worker threads and Gloo's I/O thread ask for a
  // 100 us slice where the kernel offers custom slices (Linux 6.12+, shown in /proc/<pid>/task/<tid>/sched).
  itP('the communication threads ask for a short time slice (NODETORCH_GLOO_SLICE_US)', async () => {
    const BODY2 = `
const fs = require('fs');
const slices = () => fs.readdirSync('/proc/self/task').map((t) => { try { const m = /^se\\.slice\\s*:\\s*(\\d+)/m.exec(fs.readFileSync('/proc/self/task/' + t + '/sched', 'utf8')); return m ? Number(m[1]) : null; } catch { return null; } }).filter((v) => v !== null);
out.before = slices();
dist.initProcessGroup({ backend: 'gloo' });
out.after = slices();
done();
dist.destroyProcessGroup();
`;
    const rel = os.release().split('.').map(Number);
    const customSlices = process.platform === 'linux' && (rel[0] > 6 || (rel[0] === 6 && rel[1] >= 12));
    for (const [env, want] of [['100', 100000], ['250', 250000], ['0', 0]] as const) {
      const outs = await world(2, BODY2, { env: { NODETORCH_GLOO_SLICE_US: env } });
      expectOk(outs);
      for (const { result: r } of outs) {
        if (!customSlices) { console.warn(`kernel ${os.release()} has no custom slices: only checking that the group works`); continue; }
        expect(r.before.length).toBeGreaterThan(0); // /proc/self/task/*/sched shows se.slice
        const count = (l: number[], v: number): number => l.filter((x) => x === v).length;
        // two workers and the I/O thread (with 0: nothing changed)
        if (want) expect(count(r.after, want) - count(r.before, want)).toBe(3);
        else expect(r.after.filter((x: number) => !r.before.includes(x))).toEqual([]);
      }
    }
  }, 120000);
  for (const threads of ['1', '2', '3']) {
    itP(`2 ranks, NODETORCH_GLOO_THREADS=${threads}`, async () => {
      const outs = await world(2, BODY, { env: { NODETORCH_GLOO_THREADS: threads } });
      expectOk(outs);
      for (const { result: r } of outs) {
        expect(r.bigDoneAfterBarrier).toBe(true);
        expect(r.big).toEqual([2, 2]);
        expect(r.doneAfterBarrier).toEqual([true, true, true, true, true, true]);
        expect(r.maxErr).toEqual([0, 0, 0, 0, 0]);
        expect(r.intsOk).toBe(true);
        expect(r.sync).toEqual([3]);
      }
    }, 120000);
  }
});

// ---------------------------------------------------------------------------------------------------------------

describe('failures: every surviving rank gets a TorchError in time', () => {
  itP('a peer killed in the middle of a run', async () => {
    const outs = await world(3, `
dist.initProcessGroup({ backend: 'gloo', timeout: 20000 });
const t = torch.ones([4]); dist.allReduce(t); out.first = arr(t);
if (rank === 2) process.kill(process.pid, 'SIGKILL');
const t0 = Date.now();
out.err = errOf(() => { for (let k = 0; k < 50; k++) dist.allReduce(torch.ones([1 << 16])); });
out.ms = Date.now() - t0;
done();
process.exit(0);
`);
    expect(outs[2].signal).toBe('SIGKILL');
    for (const o of outs.slice(0, 2)) {
      expect(o.code).toBe(0);
      expect(o.result.first).toEqual([3, 3, 3, 3]);
      expect(o.result.err?.name).toBe('TorchError');
      expect(o.result.err.message).toMatch(/allReduce/);
      expect(o.result.ms).toBeLessThan(20000);
    }
  }, 120000);

  itP('a rank that never joins the collective: the others time out with a TorchError', async () => {
    const outs = await world(2, `
dist.initProcessGroup({ backend: 'gloo', timeout: 1500 });
dist.barrier();
const t0 = Date.now();
if (rank === 0) out.err = errOf(() => dist.allReduce(torch.ones([8])));
else dist._sleepMs(4000);
out.ms = Date.now() - t0;
done();
process.exit(0);
`);
    expectOk(outs);
    const r = outs[0].result;
    expect(r.err?.name).toBe('TorchError');
    expect(r.err.message).toMatch(/allReduce/);
    expect(r.err.message).toMatch(/time/i);
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect(r.ms).toBeLessThan(6000);
  }, 60000);

  itP('rendezvous with a missing rank times out with a message', async () => {
    const outs = await world(1, `
process.env.WORLD_SIZE = '2';
const t0 = Date.now();
out.err = errOf(() => dist.initProcessGroup({ backend: 'gloo', timeout: 1500 }));
out.ms = Date.now() - t0;
done();
`);
    expectOk(outs);
    expect(outs[0].result.err?.name).toBe('TorchError');
    expect(outs[0].result.ms).toBeLessThan(10000);
  }, 60000);
});

// ---------------------------------------------------------------------------------------------------------------
// the stores, in this process (the TCPStore server runs on native threads, so a blocking client call here is served)

describe('TCPStore, FileStore, PrefixStore', () => {
  test('TCPStore: set/get/add/compareSet/check/wait/deleteKey/numKeys and timeouts', () => {
    const master = new dist.TCPStore('127.0.0.1', 0, { isMaster: true, timeout: 2000 });
    try {
      const port = (master as unknown as { port: number }).port;
      expect(Number.isInteger(port) && port > 0).toBe(true);
      const client = new dist.TCPStore('127.0.0.1', port, { timeout: 500 });
      master.set('a', 'hello');
      expect(client.get('a').toString()).toBe('hello');
      client.set('bin', Buffer.from([0, 255, 7]));
      expect([...master.get('bin')]).toEqual([0, 255, 7]);
      expect(client.add('n', 5)).toBe(5);
      expect(master.add('n', -2)).toBe(3);
      expect(client.get('n').toString()).toBe('3');
      expect(client.compareSet('cs', '', 'v1').toString()).toBe('v1'); // missing key + empty expected: set
      expect(client.compareSet('cs', 'nope', 'v2').toString()).toBe('v1');
      expect(client.compareSet('cs', 'v1', 'v2').toString()).toBe('v2');
      expect(client.check(['a', 'n'])).toBe(true);
      expect(client.check(['a', 'zzz'])).toBe(false);
      client.wait(['a', 'n']);
      const n0 = master.numKeys();
      expect(client.deleteKey('a')).toBe(true);
      expect(client.deleteKey('a')).toBe(false);
      expect(master.numKeys()).toBe(n0 - 1);
      let t0 = Date.now();
      expect(() => client.get('never')).toThrow(torch.TorchError);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
      t0 = Date.now();
      expect(() => client.wait(['never'], 200)).toThrow(/never/);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(() => client.set('k', 5 as unknown as string)).toThrow(TypeError);
      expect(() => client.add('k', 1.5)).toThrow(TypeError);
      const pre = new dist.PrefixStore('job1', client);
      pre.set('x', '1');
      expect(master.get('job1/x').toString()).toBe('1');
      expect(pre.get('x').toString()).toBe('1');
      client.close();
      expect(() => client.get('n')).toThrow(/closed/);
    } finally {
      master.close();
    }
    expect(() => new dist.TCPStore('127.0.0.1', 1, { timeout: 300 })).toThrow(torch.TorchError);
    expect(() => new dist.TCPStore('127.0.0.1', 70000)).toThrow(/port/);
  });

  test('FileStore: two handles on one file; the file goes with the last user', () => {
    const f = path.join(tmp, 'filestore');
    const a = new dist.FileStore(f, 2);
    const b = new dist.FileStore(f, 2);
    a.set('k', 'v');
    expect(b.get('k').toString()).toBe('v');
    expect(a.add('c', 2) + b.add('c', 3)).toBe(2 + 5);
    b.setTimeout(200);
    expect(() => b.get('missing')).toThrow(torch.TorchError);
    expect(a.check(['k', 'c'])).toBe(true);
    a.close(); expect(fs.existsSync(f)).toBe(true);
    b.close(); expect(fs.existsSync(f)).toBe(false);
  });

  test('without a process group', () => {
    expect(dist.isInitialized()).toBe(false);
    expect(() => dist.getRank()).toThrow(/initProcessGroup|process group/i);
    expect(() => dist.allReduce(torch.ones([2]))).toThrow(/process group/i);
    expect(() => dist.initProcessGroup({ backend: 'mpi' })).toThrow(/mpi/);
    expect(() => dist.initProcessGroup({ backnd: 'gloo' } as never)).toThrow(TypeError);
    expect(dist.isNcclAvailable()).toBe(dist.ncclUnavailableReason() === '');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// DistributedDataParallel

const MODELS = `
torch.setDefaultDtype('float64');
const { nn, optim } = torch; const F = nn.functional;
const fill = (shape, salt) => { const n = shape.reduce((a, b) => a * b, 1); const v = []; for (let i = 0; i < n; i++) v.push(0.5 * Math.sin(0.37 * i + salt)); return torch.tensor(v, { dtype: 'float64' }).reshape(shape); };
const init = (m, salt) => torch.noGrad(() => { let k = 0; for (const [, p] of m.namedParameters()) p.copy_(fill(p.shape, salt + k++)); });
const mlp = () => { const m = new nn.Sequential(new nn.Linear(6, 8), new nn.Tanh(), new nn.Linear(8, 3)); init(m, 1.0); return m; };
const cnn = () => { const m = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.BatchNorm2d(3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(12, 2)); init(m, 2.0); return m; };
const dataMlp = (r, step, micro) => [fill([5, 6], 10.0 + 3 * r + 0.5 * step + 0.25 * micro), fill([5, 3], 20.0 + 3 * r + 0.5 * step + 0.25 * micro)];
const dataCnn = (r, step) => [fill([4, 2, 6, 6], 30.0 + 3 * r + 0.5 * step).mul(2), torch.tensor([0, 1, 2, 3].map((i) => (r + step + i) % 2), { dtype: 'int64' })];
const stateOf = (m) => { const o = {}; for (const [k, v] of Object.entries(m.stateDict())) o[k] = arr(v.flatten()); return o; };
`;

describe('DistributedDataParallel', () => {
  itP('equals PyTorch 1.13 DDP on Gloo (MLP with noSync accumulation, BatchNorm CNN): losses and final state', async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'ddp.json'), 'utf8'));
    const outs = await world(2, MODELS + `
dist.initProcessGroup({ backend: 'gloo' });
{
  const ddp = new nn.parallel.DistributedDataParallel(mlp());
  const opt = new optim.SGD(ddp.parameters(), { lr: 0.1, momentum: 0.9 });
  const losses = [];
  for (let step = 0; step < ${4}; step++) {
    opt.zeroGrad();
    if (step === 2) {
      const l0 = ddp.noSync(() => { const [x, y] = dataMlp(rank, step, 0); const l = F.mseLoss(ddp.call(x), y); l.div(2).backward(); return l; });
      const [x, y] = dataMlp(rank, step, 1); const l1 = F.mseLoss(ddp.call(x), y); l1.div(2).backward();
      losses.push([l0.item(), l1.item()]);
    } else {
      const [x, y] = dataMlp(rank, step, 0); const l = F.mseLoss(ddp.call(x), y); l.backward(); losses.push([l.item()]);
    }
    opt.step();
  }
  out.mlp = { losses, state: stateOf(ddp) };
}
{
  const ddp = new nn.parallel.DDP(cnn());
  const opt = new optim.Adam(ddp.parameters(), { lr: 0.01 });
  const losses = [];
  for (let step = 0; step < 4; step++) {
    opt.zeroGrad(); const [x, y] = dataCnn(rank, step); const l = F.crossEntropy(ddp.call(x), y); l.backward(); opt.step(); losses.push(l.item());
  }
  out.cnn = { losses, state: stateOf(ddp) };
}
done();
dist.destroyProcessGroup();
`);
    expectOk(outs);
    let worst = 0;
    const close = (a: number, b: number, what: string): void => {
      const d = Math.abs(a - b); worst = Math.max(worst, d);
      if (!(d <= 1e-10 * Math.max(1, Math.abs(b)))) throw new Error(`${what}: ${a} vs PyTorch ${b}`);
    };
    for (const { rank, result } of outs) {
      for (const m of ['mlp', 'cnn']) {
        const mine = result[m]; const theirs = ref.ranks[rank][m];
        expect(mine.losses.flat().length).toBe(theirs.losses.flat().length);
        mine.losses.flat().forEach((v: number, i: number) => close(v, theirs.losses.flat()[i], `rank ${rank} ${m} loss ${i}`));
        expect(Object.keys(mine.state).sort()).toEqual(Object.keys(theirs.state).sort());
        for (const k of Object.keys(theirs.state)) {
          const a = mine.state[k] as number[]; const b = theirs.state[k] as number[];
          expect([k, a.length]).toEqual([k, b.length]);
          a.forEach((v, i) => close(v, b[i], `rank ${rank} ${m} ${k}[${i}]`));
        }
      }
    }
    expect(worst).toBeLessThan(1e-10);
  }, 120000);

  itP('2 ranks equal one process on the union batch; parameters that differ across ranks are refused', async () => {
    const outs = await world(2, MODELS + `
dist.initProcessGroup({ backend: 'gloo' });
// 7 parameters of 5.3 KB to 0.5 MB: with bucketCapMb 0.25, a first bucket of 1 MB (as PyTorch) and a second one
const deep = () => { const m = new nn.Sequential(new nn.Linear(6, 256), new nn.Tanh(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 256), new nn.Tanh(), new nn.Linear(256, 3)); init(m, 3.0); return m; };
const ddp = new nn.parallel.DistributedDataParallel(deep(), { bucketCapMb: 0.25 });
const single = deep();
const o1 = new optim.SGD(ddp.parameters(), { lr: 0.002, momentum: 0.5 });
const o2 = new optim.SGD(single.parameters(), { lr: 0.002, momentum: 0.5 });
for (let step = 0; step < 5; step++) {
  o1.zeroGrad(); o2.zeroGrad();
  const [x, y] = dataMlp(rank, step, 0); F.mseLoss(ddp.call(x), y).backward(); o1.step();
  const xs = [0, 1].map((r) => dataMlp(r, step, 0));
  F.mseLoss(single.call(torch.cat(xs.map((p) => p[0]))), torch.cat(xs.map((p) => p[1]))).backward(); o2.step();
}
let md = 0; const a = ddp.module.parameters(), b = single.parameters();
a.forEach((p, i) => { md = Math.max(md, p.sub(b[i]).abs().max().item()); });
out.maxDiff = md;
let mx = 0; b.forEach((p) => { mx = Math.max(mx, p.abs().max().item()); }); out.maxAbs = mx;
out.nBuckets = ddp.bucketIndices.length;
out.keys = Object.keys(ddp.stateDict());
// a model whose shapes differ across ranks
const bad = new nn.Sequential(new nn.Linear(6, rank === 0 ? 8 : 9));
out.badModel = errOf(() => new nn.parallel.DistributedDataParallel(bad));
// still in step after the error
const t = torch.ones([2]); dist.allReduce(t); out.after = arr(t);
// parameters broadcast from rank 0 at construction
const m = new nn.Linear(3, 2); torch.noGrad(() => m.weight.fill_(rank + 7));
new nn.parallel.DistributedDataParallel(m); out.bcast = arr(m.weight.flatten());
out.noGrad = errOf(() => new nn.parallel.DistributedDataParallel(new nn.ReLU()));
done();
dist.destroyProcessGroup();
`);
    expectOk(outs);
    for (const { result: r } of outs) {
      expect(r.maxDiff / r.maxAbs).toBeLessThan(1e-12);
      expect(r.nBuckets).toBe(2);
      expect(r.keys).toEqual([0, 2, 4, 6].flatMap((i) => [`module.${i}.weight`, `module.${i}.bias`]));
      expect(r.badModel?.name).toBe('TorchError');
      expect(r.badModel.message).toMatch(/DistributedDataParallel/);
      expect(r.after).toEqual([2, 2]);
      expect(r.bcast).toEqual(Array(6).fill(7));
      expect(r.noGrad?.message).toMatch(/parameter/i);
    }
  }, 120000);
});
