// nccl.test.ts - the NCCL backend of torch.distributed. Everywhere: its loading and error paths (no CUDA build, no
// libnccl: a TorchError naming every place searched). Where NCCL can run (the CUDA emulator's stand-in libnccl in CI:
// scripts/cuda-emu/check.sh runs jest with the emulator binary; a GPU machine with libnccl.so.2), real processes on
// 127.0.0.1: every collective x dtype on CUDA tensors against values worked out by hand, async work, objects,
// point-to-point, argument errors, DistributedDataParallel on 'cuda' against one process on the union batch, and a
// rank that never arrives (the survivor aborts the communicator and throws within the timeout).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib';
import { runWorld, expectOk, RankOut, wrap } from './dist_world';

const dist = torch.distributed;
const haveDist = fs.existsSync(path.join(__dirname, '..', 'dist', 'index.js'));
const cudaBuilt = torch.backends.cuda.isBuilt();
const ncclOk = dist.isNcclAvailable() && torch.cuda.isAvailable();
if (!ncclOk) console.warn(`nccl.test.ts: the multi-process NCCL tests are skipped here: ${dist.ncclUnavailableReason() || 'no CUDA device'} (they run under the CUDA emulator: scripts/cuda-emu/check.sh)`);
const itN = ncclOk && haveDist ? test : test.skip;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-nccl-'));
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });
const world = (n: number, body: string, timeoutMs = 120000): Promise<RankOut[]> => runWorld(tmp, n, body, { timeoutMs });

describe('NCCL: availability and loading errors', () => {
  test('isNcclAvailable() agrees with its reason; a missing backend is a TorchError naming why', () => {
    const reason = dist.ncclUnavailableReason();
    expect(dist.isNcclAvailable()).toBe(reason === '');
    if (!dist.isNcclAvailable()) {
      if (!cudaBuilt) expect(reason).toMatch(/CUDA build/);
      else expect(reason).toMatch(/libnccl\.so\.2/);
      let err: Error | null = null;
      try { dist.initProcessGroup({ backend: 'nccl', rank: 0, worldSize: 1, initMethod: 'tcp://127.0.0.1:1' }); } catch (e) { err = e as Error; }
      expect(err).toBeInstanceOf(torch.TorchError);
      expect(err?.message).toMatch(/NCCL/);
      expect(dist.isInitialized()).toBe(false);
    }
  });

  (cudaBuilt && haveDist ? test : test.skip)('a library that cannot be found: every place searched is named', () => {
    const r = spawnSync(process.execPath, ['-e', `
      const d = require(${JSON.stringify(path.join(__dirname, '..', 'dist'))}).distributed;
      console.log(JSON.stringify({ ok: d.isNcclAvailable(), reason: d.ncclUnavailableReason() }));`], {
      encoding: 'utf8', env: { ...process.env, NODETORCH_NCCL_PATH: '/nonexistent/dir/libnccl.so.2', CUEMU_NCCL: '0', VIRTUAL_ENV: '/nonexistent/venv' },
    });
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(o.ok).toBe(false);
    expect(o.reason).toMatch(/\/nonexistent\/dir\/libnccl\.so\.2/);
    expect(o.reason).toMatch(/libnccl\.so\.2: /);
    expect(o.reason).toMatch(/\/nonexistent\/venv\/lib\/python3\*\/site-packages\/nvidia\/nccl\/lib/);
    expect(o.reason).toMatch(/NODETORCH_NCCL_PATH/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const;
const FLOATS = ['float32', 'float64', 'float16', 'bfloat16'];
const N = 6;
const inputOf = (d: string, r: number): number[] => Array.from({ length: N }, (_, i) => (d === 'bool' ? ((r + i) % 2 === 0 ? 1 : 0) : (r + 1) * (i + 1)));
function expected(d: string, op: string, ws: number): number[] {
  return Array.from({ length: N }, (_, i) => {
    const v = Array.from({ length: ws }, (_, r) => inputOf(d, r)[i]);
    if (d === 'bool') return op === 'sum' || op === 'max' ? Number(v.some(Boolean)) : Number(v.every(Boolean));
    if (op === 'sum') return wrap(d, v.reduce((a, b) => a + b, 0));
    if (op === 'avg') return wrap(d, v.reduce((a, b) => a + b, 0) / ws);
    if (op === 'product') return wrap(d, v.reduce((a, b) => a * b, 1));
    return op === 'min' ? Math.min(...v) : Math.max(...v);
  });
}

const COLLECTIVES = `
torch.cuda.setDevice(0);
dist.initProcessGroup({ backend: 'nccl' });
out.backend = dist.getBackend();
const DT = ${JSON.stringify(DTYPES)};
const N = ${N};
const inputOf = ${inputOf.toString()};
const mk = (d, vals) => torch.tensor(vals, { dtype: d, device: 'cuda' });
for (const d of DT) {
  const r = out[d] = {};
  const ops = ['sum', 'product', 'min', 'max'].concat(${JSON.stringify(FLOATS)}.includes(d) ? ['avg'] : []);
  for (const op of ops) { const t = mk(d, inputOf(d, rank)); dist.allReduce(t, { op }); r['allReduce_' + op] = arr(t); r.device = t.device.toString(); }
  { const t = mk(d, inputOf(d, rank)); dist.broadcast(t, ws - 1); r.broadcast = arr(t); }
  { const t = mk(d, inputOf(d, rank)); dist.reduce(t, 0, { op: 'max' }); if (rank === 0) r.reduce = arr(t); }
  { const l = Array.from({ length: ws }, () => torch.zeros([N], { dtype: d, device: 'cuda' })); dist.allGather(l, mk(d, inputOf(d, rank))); r.allGather = l.map(arr); }
  { const l = rank === 0 ? Array.from({ length: ws }, () => torch.zeros([N], { dtype: d, device: 'cuda' })) : null; dist.gather(mk(d, inputOf(d, rank)), l, 0); if (rank === 0) r.gather = l.map(arr); }
  { const t = torch.zeros([N], { dtype: d, device: 'cuda' }); dist.scatter(t, rank === 1 ? Array.from({ length: ws }, (_, j) => mk(d, inputOf(d, j))) : null, 1); r.scatter = arr(t); }
  if (d !== 'bool') { const o = torch.zeros([N], { dtype: d, device: 'cuda' }); dist.reduceScatterTensor(o, torch.cat(Array.from({ length: ws }, (_, j) => mk(d, inputOf(d, rank).map((v) => v + j))))); r.reduceScatter = arr(o); }
  { // ring in rank order (NCCL sends need their receiver: even ranks send first)
    const t = mk(d, inputOf(d, rank)); const got = torch.zeros([N], { dtype: d, device: 'cuda' });
    if (rank % 2 === 0) { dist.send(t, (rank + 1) % ws); dist.recv(got, (rank + ws - 1) % ws); } else { dist.recv(got, (rank + ws - 1) % ws); dist.send(t, (rank + 1) % ws); }
    r.ring = arr(got);
  }
}
out.int16 = errOf(() => dist.allReduce(torch.ones([2], { dtype: 'int16', device: 'cuda' })));
out.cpu = errOf(() => dist.allReduce(torch.ones([2])));
out.anySource = errOf(() => dist.recv(torch.ones([2], { device: 'cuda' })));
// non-contiguous CUDA tensors, large ones (chunked in the stand-in), async, objects, barrier
const base = torch.arange(12, { dtype: 'float32', device: 'cuda' }).reshape([3, 4]).add(rank);
dist.allReduce(base.t(), { op: 'min' }); out.tview = arr(base);
(async () => {
  const big = torch.full([700001], rank + 1, { dtype: 'float64', device: 'cuda' });
  const w = dist.allReduce(big, { asyncOp: true });
  await w;
  out.asyncDone = w.isCompleted(); out.big = [big.min().item(), big.max().item()];
  const objs = Array(ws).fill(null); dist.allGatherObject(objs, { rank, tag: 'r' + rank }); out.objs = objs;
  const lst = rank === 0 ? [1, { a: 'x' }] : [null, null]; dist.broadcastObjectList(lst, 0); out.bobj = lst;
  dist.barrier();
  out.mismatch = errOf(() => dist.allReduce(torch.ones([rank === 0 ? 3 : 4], { device: 'cuda' })));
  const after = torch.ones([1], { device: 'cuda' }); dist.allReduce(after); out.after = arr(after);
  done();
  dist.destroyProcessGroup();
})().catch((e) => { console.error(e); process.exit(3); });
`;

function checkCollectives(outs: RankOut[], ws: number): void {
  expectOk(outs);
  for (const { rank, result: res } of outs) {
    expect(res.backend).toBe('nccl');
    for (const d of DTYPES) {
      const r = res[d];
      expect(r.device).toBe('cuda:0');
      const ops = ['sum', 'product', 'min', 'max', ...(FLOATS.includes(d) ? ['avg'] : [])];
      for (const op of ops) expect([d, op, r['allReduce_' + op]]).toEqual([d, op, expected(d, op, ws)]);
      expect([d, r.broadcast]).toEqual([d, inputOf(d, ws - 1)]);
      if (rank === 0) expect([d, r.reduce]).toEqual([d, expected(d, 'max', ws)]);
      const all = Array.from({ length: ws }, (_, j) => inputOf(d, j));
      expect([d, r.allGather]).toEqual([d, all]);
      if (rank === 0) expect([d, r.gather]).toEqual([d, all]);
      expect([d, r.scatter]).toEqual([d, inputOf(d, rank)]);
      if (d !== 'bool') expect([d, r.reduceScatter]).toEqual([d, Array.from({ length: N }, (_, i) => wrap(d, all.reduce((a, v) => a + v[i] + rank, 0)))]);
      expect([d, r.ring]).toEqual([d, inputOf(d, (rank + ws - 1) % ws)]);
    }
    expect(res.int16?.message).toMatch(/int16/);
    expect(res.cpu?.message).toMatch(/CUDA/);
    expect(res.anySource?.message).toMatch(/any source/);
    expect(res.tview).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(res.asyncDone).toBe(true);
    expect(res.big).toEqual([ws * (ws + 1) / 2, ws * (ws + 1) / 2]);
    expect(res.objs).toEqual(Array.from({ length: ws }, (_, k) => ({ rank: k, tag: 'r' + k })));
    expect(res.bobj).toEqual([1, { a: 'x' }]);
    expect(res.mismatch?.name).toBe('TorchError');
    expect(res.after).toEqual([ws]);
  }
}

describe('NCCL backend on CUDA tensors', () => {
  itN('collectives x dtypes, 2 ranks', async () => { checkCollectives(await world(2, COLLECTIVES), 2); }, 180000);
  itN('collectives x dtypes, 3 ranks', async () => { checkCollectives(await world(3, COLLECTIVES), 3); }, 180000);

  itN('DistributedDataParallel on cuda equals one process on the union batch', async () => {
    const outs = await world(2, `
torch.cuda.setDevice(0);
dist.initProcessGroup({ backend: 'nccl' });
const { nn, optim } = torch; const F = nn.functional;
const fill = (shape, salt) => { const n = shape.reduce((a, b) => a * b, 1); const v = []; for (let i = 0; i < n; i++) v.push(0.5 * Math.sin(0.37 * i + salt)); return torch.tensor(v, { dtype: 'float64' }).reshape(shape); };
const mk = () => { const m = new nn.Sequential(new nn.Linear(6, 16), new nn.Tanh(), new nn.Linear(16, 3)); torch.noGrad(() => { let k = 0; for (const [, p] of m.namedParameters()) p.copy_(fill(p.shape, k++)); }); return m.to({ dtype: 'float64' }); };
const data = (r, s) => [fill([5, 6], 10 + 3 * r + s).to('cuda'), fill([5, 3], 20 + 3 * r + s).to('cuda')];
const ddp = new nn.parallel.DistributedDataParallel(mk().to('cuda'));
const single = mk().to('cuda');
const o1 = new optim.SGD(ddp.parameters(), { lr: 0.05, momentum: 0.9 });
const o2 = new optim.SGD(single.parameters(), { lr: 0.05, momentum: 0.9 });
for (let s = 0; s < 4; s++) {
  o1.zeroGrad(); o2.zeroGrad();
  const [x, y] = data(rank, s); F.mseLoss(ddp.call(x), y).backward(); o1.step();
  const b = [0, 1].map((r) => data(r, s));
  F.mseLoss(single.call(torch.cat(b.map((p) => p[0]))), torch.cat(b.map((p) => p[1]))).backward(); o2.step();
}
let md = 0; ddp.module.parameters().forEach((p, i) => { md = Math.max(md, p.sub(single.parameters()[i]).abs().max().item()); });
out.maxDiff = md; out.device = ddp.module.parameters()[0].device.toString();
out.cpuModel = errOf(() => new nn.parallel.DistributedDataParallel(new nn.Linear(2, 2)));
done();
dist.destroyProcessGroup();
`);
    expectOk(outs);
    for (const { result: r } of outs) {
      expect(r.device).toBe('cuda:0');
      expect(r.maxDiff).toBeLessThan(1e-12);
      expect(r.cpuModel?.message).toMatch(/NCCL process group communicates on cuda:0/);
    }
  }, 180000);

  itN('a rank that never arrives: the survivor aborts the communicator and throws within the timeout', async () => {
    const outs = await world(2, `
torch.cuda.setDevice(0);
dist.initProcessGroup({ backend: 'nccl', timeout: 1500 });
const t = torch.ones([4], { device: 'cuda' }); dist.allReduce(t); out.first = arr(t);
const t0 = Date.now();
if (rank === 0) {
  out.err = errOf(() => dist.allReduce(torch.ones([4], { device: 'cuda' })));
  out.ms = Date.now() - t0;
  out.next = errOf(() => dist.allReduce(torch.ones([4], { device: 'cuda' })));
} else {
  dist._sleepMs(3000);
}
done();
process.exit(0);
`);
    expectOk(outs);
    const r = outs[0].result;
    expect(r.first).toEqual([2, 2, 2, 2]);
    expect(r.err?.name).toBe('TorchError');
    expect(r.err.message).toMatch(/allReduce/);
    expect(r.err.message).toMatch(/timed out/);
    expect(r.err.message).toMatch(/ncclCommAbort/);
    expect(r.ms).toBeGreaterThanOrEqual(1400);
    expect(r.ms).toBeLessThan(6000);
    expect(r.next?.message).toMatch(/aborted/);
  }, 60000);

  // Note [NCCL watchdog] (cuda/nccl.cu): Work.wait() orders the current stream after the collective and returns; the
  // stand-in libnccl's CUEMU_NCCL_DELAY_MS=ms:minBytes makes collectives of at least minBytes wait ms on their stream.
  // (The emulator's legacy default stream runs on the host thread, so the ranks work on a created stream here.)
  const DELAY = 4000;
  itN('wait() does not block the host: later kernels on the current stream see the results (async and synchronous collectives), 2 ranks on cuda:0/cuda:1', async () => {
    const outs = await runWorld(tmp, 2, `
torch.cuda.setDevice(rank);
dist.initProcessGroup({ backend: 'nccl' });
const dev = 'cuda:' + rank;
process.env.CUEMU_NCCL_DELAY_MS = '${DELAY}:1024';  // 1000 floats: delayed; the ranks' agreement check (96 bytes): not
const s = new torch.cuda.Stream();
torch.cuda.stream(s, () => {
  const t = torch.full([1000], rank + 1, { dtype: 'float32', device: dev });
  let t0 = Date.now();
  const w = dist.allReduce(t, { asyncOp: true });
  w.wait();
  out.waitMs = Date.now() - t0;
  const u = t.mul(2);                       // enqueued on s behind the collective
  out.doneAfterKernel = w.isCompleted();
  out.u = [u.min().item(), u.max().item()]; // the host waits here
  out.totalMs = Date.now() - t0;
  out.doneAtEnd = w.isCompleted();
  out.device = t.device.toString();

  // synchronous collectives: ordered on the current stream too; their copies back (AVG's division, a non-contiguous
  // tensor's staging buffer) are kernels after the wait
  const v = torch.full([1000], 10 * (rank + 1), { dtype: 'float32', device: dev });
  const m = torch.arange(2000, { dtype: 'float32', device: dev }).reshape([40, 50]).add(rank).t();  // non-contiguous
  t0 = Date.now();
  dist.allReduce(v, { op: dist.ReduceOp.AVG });
  dist.allReduce(m, { op: dist.ReduceOp.MAX });
  out.syncMs = Date.now() - t0;
  const v2 = v.add(1);
  out.v2 = [v2.min().item(), v2.max().item()];
  out.m = [m.min().item(), m.max().item()];
  out.syncTotalMs = Date.now() - t0;

  // NCCL_BLOCKING_WAIT=1: wait() blocks the host until the collective is done (PyTorch's switch)
  process.env.NCCL_BLOCKING_WAIT = '1';
  const b = torch.full([1000], rank + 1, { dtype: 'float32', device: dev });
  const wb = dist.allReduce(b, { asyncOp: true });
  t0 = Date.now();
  wb.wait();
  out.blockingMs = Date.now() - t0;
  out.blockingDone = wb.isCompleted();
  delete process.env.NCCL_BLOCKING_WAIT;
});
done();
dist.destroyProcessGroup();
`, { timeoutMs: 120000, env: { CUEMU_DEVICES: '2' } });
    expectOk(outs);
    for (const { rank, result: r } of outs) {
      expect(r.device).toBe(`cuda:${rank}`);
      expect(r.waitMs).toBeLessThan(DELAY / 2);      // blocking would take the whole delay
      expect(r.doneAfterKernel).toBe(false);         // the kernel after wait() was enqueued before the collective ended
      expect(r.u).toEqual([6, 6]);                   // and saw its result: 2 * (1 + 2)
      expect(r.totalMs).toBeGreaterThanOrEqual(DELAY * 0.8);
      expect(r.doneAtEnd).toBe(true);
      expect(r.syncMs).toBeLessThan(DELAY / 2);      // two delayed synchronous collectives returned at once
      expect(r.v2).toEqual([16, 16]);                // (10 + 20) / 2 + 1
      expect(r.m).toEqual([1, 2000]);                // max over the ranks of arange + rank
      expect(r.syncTotalMs).toBeGreaterThanOrEqual(DELAY * 0.8);
      expect(r.blockingMs).toBeGreaterThanOrEqual(DELAY * 0.8);
      expect(r.blockingDone).toBe(true);
    }
  }, 180000);

  itN('a collective that hangs after wait() returned: the watchdog aborts it in time; the next host sync, the Work, await and later collectives raise TorchErrors', async () => {
    const outs = await runWorld(tmp, 2, `
torch.cuda.setDevice(rank);
// rank 0 gives up after 2 s; rank 1's collective stalls 20 s on its stream (a stuck peer), until rank 0's abort ends it
dist.initProcessGroup({ backend: 'nccl', timeout: rank === 0 ? 2000 : 30000 });
const dev = 'cuda:' + rank;
if (rank === 1) process.env.CUEMU_NCCL_DELAY_MS = '20000:1024';
const s = new torch.cuda.Stream();
torch.cuda.stream(s, () => {
  const t = torch.ones([1000], { device: dev });
  const t0 = Date.now();
  const w = dist.allReduce(t, { asyncOp: true });
  w.wait();
  out.waitMs = Date.now() - t0;
  if (rank === 0) {
    dist._sleepMs(3500);                     // the JS thread blocked, no host sync: the watchdog runs anyway
    out.completed = w.isCompleted();
    out.workErr = errOf(() => { throw w.exception(); });
  }
  out.syncErr = errOf(() => t.sum().item()); // the next host synchronisation reports the abort
  out.syncMs = Date.now() - t0;
  out.reportedOnce = errOf(() => t.sum().item());
  out.next = errOf(() => dist.allReduce(torch.ones([4], { device: dev })));
  w.then(() => { out.awaited = 'resolved'; }, (e) => { out.awaited = e.name + ': ' + e.message; }).then(() => { done(); process.exit(0); });
});
`, { timeoutMs: 120000, env: { CUEMU_DEVICES: '2' } });
    expectOk(outs);
    const [r0, r1] = outs.map((o) => o.result);
    for (const r of [r0, r1]) {
      expect(r.waitMs).toBeLessThan(1500);
      expect(r.syncErr?.name).toBe('TorchError');
      expect(r.syncErr.message).toMatch(/NCCL/);
      expect(r.syncErr.message).toMatch(/ncclCommAbort/);
      expect(r.reportedOnce).toBeNull();
      expect(r.next?.name).toBe('TorchError');
      expect(r.next.message).toMatch(/aborted/);
      expect(r.awaited).toMatch(/^TorchError: allReduce: /);
    }
    expect(r0.completed).toBe(true);
    expect(r0.workErr?.name).toBe('TorchError');
    expect(r0.workErr.message).toMatch(/allReduce: timed out after 2000 ms in NCCL allReduce .*ncclCommAbort/);
    expect(r0.syncErr.message).toMatch(/timed out after 2000 ms/);
    expect(r1.syncErr.message).toMatch(/remote process exited or there was a network error/);
    expect(r1.syncMs).toBeLessThan(15000);           // ended by rank 0's abort, not by its own 20 s
  }, 120000);
});
