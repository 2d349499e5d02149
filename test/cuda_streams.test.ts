// cuda_streams.test.ts - torch.cuda.Stream / Event / stream(s, fn), the caching allocator's stream rule
// (recordStream), pinned host memory and non-blocking copies, DataLoader({ pinMemory }). Everything CUDA runs under the
// CUDA emulator (scripts/cuda-emu/check.sh runs jest with its binary: NODETORCH_ADDON=build-emu/Release/nodetorch.node),
// where a created stream really runs its kernels on a thread of its own, so ordering mistakes show as wrong values.
// Without CUDA the CUDA tests are skipped (said loudly) and the CPU-only behaviour is checked instead.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib';
import { native } from '../lib/native';
import { Tensor } from '../lib/tensor';
import * as os from 'os';
import { runWorld, expectOk } from './dist_world';

const cudaOk = torch.cuda.isAvailable();
if (!cudaOk) console.warn('cuda_streams.test.ts: no CUDA device here: the CUDA stream/event/pinned-memory tests are SKIPPED (they run under the CUDA emulator: scripts/cuda-emu/check.sh, or NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node npx jest test/cuda_streams.test.ts)');
const itCuda = cudaOk ? test : test.skip;
const itCpuOnly = cudaOk ? test.skip : test;

const ptr = (t: Tensor): bigint => (native as unknown as { dataPtr(h: unknown): bigint }).dataPtr(t._st.handle);
const vals = (t: Tensor): number[] => Array.from(t.toTypedArray() as Float32Array);
// kernels that keep a stream busy for a while under the emulator (tens of milliseconds)
function busy(big: Tensor): Tensor {
  let r = big;
  for (let i = 0; i < 3; i++) r = r.mul(1.0001).add(0.5);
  return r;
}

describe('without CUDA', () => {
  itCpuOnly('pinMemory() is a TorchError, isPinned() false, DataLoader pinMemory warns and is ignored', () => {
    const t = torch.randn([4]);
    expect(t.isPinned()).toBe(false);
    expect(() => t.pinMemory()).toThrow(torch.TorchError);
    expect(() => t.pinMemory()).toThrow(/accelerator|CUDA/);
    expect(() => new torch.cuda.Stream()).toThrow(torch.TorchError);
    expect(() => new torch.cuda.Event()).toThrow(torch.TorchError);
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const dl = new torch.utils.data.DataLoader([torch.tensor([1, 2]), torch.tensor([3, 4])], { batchSize: 2, pinMemory: true });
      expect(dl.pinMemory).toBe(false);
      const b = [...dl][0] as Tensor;
      expect(b.isPinned()).toBe(false);
      expect(b.tolist()).toEqual([[1, 2], [3, 4]]);
      expect(spy.mock.calls.some((c) => /pinMemory.*no accelerator/.test(String(c[0])))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('streams and events', () => {
  itCuda('current and default streams; stream(s, fn) scopes the current stream and restores it', () => {
    const d = torch.cuda.defaultStream();
    expect(torch.cuda.currentStream().equals(d)).toBe(true);
    expect(d.streamId).toBe(0);
    const s = new torch.cuda.Stream();
    const hi = new torch.cuda.Stream({ priority: -1 });
    expect(s.equals(d)).toBe(false);
    expect(hi.priority).toBe(-1);
    expect(s.device.toString()).toBe('cuda:0');
    const inner = torch.cuda.stream(s, () => torch.cuda.currentStream());
    expect(inner.equals(s)).toBe(true);
    expect(torch.cuda.currentStream().equals(d)).toBe(true);
    expect(() => torch.cuda.stream(s, () => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.cuda.currentStream().equals(d)).toBe(true);
    const g = torch.cuda.stream(s);
    expect(torch.cuda.currentStream().equals(s)).toBe(true);
    g.dispose();
    expect(torch.cuda.currentStream().equals(d)).toBe(true);
    expect(torch.cuda.stream(null, () => 7)).toBe(7);
  });

  itCuda('work on a side stream ordered with waitStream gives the right values', () => {
    const host = torch.arange(0, 200000, 1, { dtype: 'float32' });
    const x = host.cuda();
    const s = new torch.cuda.Stream();
    s.waitStream(torch.cuda.currentStream());
    const y = torch.cuda.stream(s, () => busy(x).mul(2).sub(x));
    torch.cuda.currentStream().waitStream(s);
    const want = busy(host).mul(2).sub(host);
    expect(torch.allclose(y.cpu(), want)).toBe(true);
    // host reads inside the scope synchronise that stream
    const z = torch.cuda.stream(s, () => { const r = x.add(1); return vals(r.sum().reshape([1])); });
    expect(z[0]).toBeCloseTo(vals(host.add(1).sum().reshape([1]))[0], -1);
    s.synchronize();
    expect(s.query()).toBe(true);
    torch.cuda.synchronize();
  });

  itCuda('events: record / wait order two streams; elapsedTime > 0; query and synchronize', () => {
    const host = torch.randn([300000]);
    const x = host.cuda();
    const s1 = new torch.cuda.Stream(), s2 = new torch.cuda.Stream();
    const start = new torch.cuda.Event({ enableTiming: true }), end = new torch.cuda.Event({ enableTiming: true });
    s1.waitStream(torch.cuda.currentStream());
    start.record(s1);
    const a = torch.cuda.stream(s1, () => busy(x));
    end.record(s1);
    const e = s1.recordEvent();
    s2.waitEvent(e);
    const b = torch.cuda.stream(s2, () => a.mul(3));
    const done = new torch.cuda.Event();
    done.record(s2);
    done.synchronize();
    expect(done.query()).toBe(true);
    expect(torch.allclose(b.cpu(), busy(host).mul(3))).toBe(true);
    end.synchronize();
    const ms = start.elapsedTime(end);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(600000);
    expect(new torch.cuda.Event().query()).toBe(true); // never recorded: complete, as PyTorch
    expect(e.device?.toString()).toBe('cuda:0');
  });

  itCuda('an async scope keeps its stream across awaits while the caller keeps its own', async () => {
    const s = new torch.cuda.Stream();
    const x = torch.ones([1000], { device: 'cuda' });
    let seenInside = false;
    const p = torch.cuda.stream(s, async () => {
      await new Promise((r) => setTimeout(r, 5));
      seenInside = torch.cuda.currentStream().equals(s);
      const r = x.mul(4);
      return vals(r.sum().reshape([1]))[0]; // a host read on s synchronises s
    });
    expect(torch.cuda.currentStream().equals(torch.cuda.defaultStream())).toBe(true);
    const mine = vals(x.mul(2).sum().reshape([1]))[0];
    expect(await p).toBe(4000);
    expect(mine).toBe(2000);
    expect(seenInside).toBe(true);
    expect(torch.cuda.currentStream().equals(torch.cuda.defaultStream())).toBe(true);
  });

  itCuda('bad input is a TorchError (or TypeError for a wrong type)', () => {
    const a = new torch.cuda.Event(), b = new torch.cuda.Event();
    expect(() => a.elapsedTime(b)).toThrow(/Both events must be recorded before calculating elapsed time/);
    a.record();
    b.record();
    b.synchronize();
    // PyTorch: RuntimeError: CUDA error: invalid resource handle (events made without enable_timing)
    expect(() => a.elapsedTime(b)).toThrow(torch.TorchError);
    expect(() => a.elapsedTime(b)).toThrow(/invalid resource handle/);
    expect(() => new torch.cuda.Stream({ device: 7 })).toThrow(torch.TorchError);
    expect(() => new torch.cuda.Stream({ device: 'cpu' })).toThrow(/Expected a cuda device/);
    expect(() => new torch.cuda.Event({ interprocess: true })).toThrow(torch.TorchError);
    expect(() => torch.cuda.stream({} as never, () => 1)).toThrow(TypeError);
    expect(() => torch.randn([2]).recordStream(torch.cuda.currentStream())).toThrow(torch.TorchError);
    expect(() => torch.ones([2], { device: 'cuda' }).pinMemory()).toThrow(/only dense CPU tensors can be pinned/);
  });

  const dist = path.join(__dirname, '..', 'dist', 'index.js');
  (cudaOk && process.env.NODETORCH_ADDON && fs.existsSync(dist) ? test : test.skip)('a stream of another device: TorchError (two emulated devices)', () => {
    const r = spawnSync(process.execPath, ['-e', `
      const torch = require(${JSON.stringify(dist)});
      const out = {};
      const t = torch.ones([4], { device: 'cuda:0' });
      const s1 = new torch.cuda.Stream({ device: 1 });
      try { t.recordStream(s1); out.record = 'no error'; } catch (e) { out.record = e.name + ': ' + e.message; }
      const ev = new torch.cuda.Event();
      ev.record(torch.cuda.currentStream(0));
      try { ev.record(s1); out.event = 'no error'; } catch (e) { out.event = e.name + ': ' + e.message; }
      // cross-device ordering is allowed: cuda:1's stream waits for cuda:0's
      s1.waitStream(torch.cuda.currentStream(0));
      out.dev = String(s1.device);
      console.log(JSON.stringify(out));`], { encoding: 'utf8', env: { ...process.env, CUEMU_DEVICES: '2' } });
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(o.record).toMatch(/^TorchError: recordStream: the stream is on cuda:1 but the tensor is on cuda:0/);
    expect(o.event).toBe("TorchError: Event device 0 does not match recording stream's device 1.");
    expect(o.dev).toBe('cuda:1');
  });
});

describe('caching allocator across streams', () => {
  itCuda('a freed block is reused on its own stream only', () => {
    const s1 = new torch.cuda.Stream();
    const a = torch.cuda.stream(s1, () => torch.empty([2048], { device: 'cuda' }));
    const pa = ptr(a);
    a.dispose();
    const b = torch.cuda.stream(s1, () => torch.empty([2048], { device: 'cuda' }));
    expect(ptr(b)).toBe(pa); // same stream: the block comes back
    b.dispose();
    const c = torch.empty([2048], { device: 'cuda' }); // the default stream: another segment
    expect(ptr(c)).not.toBe(pa);
    c.dispose();
  });

  itCuda('recordStream: a block used on another stream returns only after that stream\'s work', () => {
    const s2 = new torch.cuda.Stream();
    const big = torch.randn([600000], { device: 'cuda' });
    const t = torch.ones([2048], { device: 'cuda' });
    const p = ptr(t);
    s2.waitStream(torch.cuda.currentStream());
    const r = torch.cuda.stream(s2, () => { const u = busy(big); return u.sum().add(t.sum()); });
    t.recordStream(s2);
    t.dispose();
    const waiting = torch.cuda.memoryStats()['nodetorch.blocks_waiting_for_streams'];
    const n = torch.empty([2048], { device: 'cuda' });
    const stillBusy = !s2.query(); // checked after the allocation: then the event was not complete at it
    if (stillBusy) {
      expect(ptr(n)).not.toBe(p);
      expect(waiting).toBeGreaterThanOrEqual(1);
    } else {
      console.warn('cuda_streams.test.ts: the side stream finished before the allocation; the pointer check was not meaningful this run');
    }
    s2.synchronize();
    torch.empty([16], { device: 'cuda' }); // an allocation processes the completed events
    expect(torch.cuda.memoryStats()['nodetorch.blocks_waiting_for_streams']).toBe(0);
    torch.cuda.currentStream().waitStream(s2);
    expect(vals(r.reshape([1]))[0]).toBeCloseTo(vals(busy(big).sum().add(2048).reshape([1]))[0], -2);
    // memory statistics still add up: nothing of ours is live beyond what we hold
    expect(torch.cuda.memoryAllocated()).toBeGreaterThan(0);
  });
});

describe('pinned memory and non-blocking copies', () => {
  itCuda('pinMemory round trip', () => {
    const t = torch.randn([3, 5]);
    const p = t.pinMemory();
    expect(p.isPinned()).toBe(true);
    expect(t.isPinned()).toBe(false);
    expect(p.pinMemory()).toBe(p);
    expect(p.device.type).toBe('cpu');
    expect(p.tolist()).toEqual(t.tolist());
    const nc = t.t().pinMemory(); // a non-contiguous view: pinned contiguous copy
    expect(nc.tolist()).toEqual(t.t().tolist());
    expect(p.cuda().cpu().tolist()).toEqual(t.tolist());
    const h = torch.tensor([1.5, -2, 3], { dtype: 'float16' }).pinMemory();
    expect(h.to('cuda', { nonBlocking: true }).cpu().tolist()).toEqual([1.5, -2, 3]);
    const st = torch.cuda.memoryStats();
    expect(st['nodetorch.pinned_bytes.reserved']).toBeGreaterThanOrEqual(st['nodetorch.pinned_bytes.allocated']);
    expect(st['nodetorch.pinned_bytes.allocated']).toBeGreaterThan(0);
  });

  itCuda('to("cuda", { nonBlocking }) from pinned memory, then used on the same stream, gives the data', () => {
    const s = new torch.cuda.Stream();
    const host = torch.arange(0, 100000, 1, { dtype: 'float32' });
    const pinned = host.pinMemory();
    const got = torch.cuda.stream(s, () => {
      const d = pinned.to('cuda', { nonBlocking: true });
      return vals(d.mul(2).add(d));
    });
    expect(got).toEqual(vals(host.mul(3)));
    // from pageable memory and to the CPU: synchronous, also with nonBlocking
    const d2 = host.to('cuda', { nonBlocking: true });
    expect(vals(d2.to('cpu', { nonBlocking: true }))).toEqual(vals(host));
  });

  itCuda('a pinned block is not reused while a non-blocking copy from it may still run', () => {
    const s = new torch.cuda.Stream();
    const big = torch.randn([600000], { device: 'cuda' });
    const host = torch.arange(0, 4096, 1, { dtype: 'float32' });
    const src = host.pinMemory();
    const p = ptr(src);
    s.waitStream(torch.cuda.currentStream());
    const d = torch.cuda.stream(s, () => { busy(big); return src.to('cuda', { nonBlocking: true }); });
    src.dispose();
    const other = torch.zeros([4096]).pinMemory(); // same size class: would take the block if it were free
    const stillBusy = !s.query();
    if (stillBusy) expect(ptr(other)).not.toBe(p);
    else console.warn('cuda_streams.test.ts: the stream finished before the pinned allocation; the pointer check was not meaningful this run');
    s.synchronize();
    expect(torch.cuda.stream(s, () => vals(d.clone()))).toEqual(vals(host)); // the copy read the original bytes (read on s)
    expect(other.isPinned()).toBe(true);
  });

  itCuda('DataLoader({ pinMemory: true }) pins every CPU tensor of a batch, nested ones too', async () => {
    const data = Array.from({ length: 6 }, (_, i) => ({ x: torch.full([2], i), y: i, pair: [torch.tensor(i * 10), torch.tensor(-i)] }));
    const dl = new torch.utils.data.DataLoader(data, { batchSize: 3, pinMemory: true });
    expect(dl.pinMemory).toBe(true);
    const batches = [...dl] as unknown as { x: Tensor; y: Tensor; pair: Tensor[] }[];
    expect(batches.length).toBe(2);
    for (const b of batches) {
      expect(b.x.isPinned()).toBe(true);
      expect(b.y.isPinned()).toBe(true);
      expect(b.pair.every((t) => t.isPinned())).toBe(true);
    }
    expect(batches[1].x.tolist()).toEqual([[3, 3], [4, 4], [5, 5]]);
    expect(batches[0].pair[0].tolist()).toEqual([0, 10, 20]);
    for await (const b of dl as AsyncIterable<{ x: Tensor }>) expect(b.x.isPinned()).toBe(true);
    const plain = [...new torch.utils.data.DataLoader(data, { batchSize: 3 })] as unknown as { x: Tensor }[];
    expect(plain[0].x.isPinned()).toBe(false);
  });
});

describe('NCCL after a side stream', () => {
  const dist = path.join(__dirname, '..', 'dist', 'index.js');
  const ok = cudaOk && fs.existsSync(dist) && torch.distributed.isNcclAvailable();
  (ok ? test : test.skip)('a collective issued inside stream(s, ...) waits for s\'s kernels (2 ranks)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-streams-'));
    try {
      const outs = await runWorld(tmp, 2, `
        torch.cuda.setDevice(0);
        dist.initProcessGroup({ backend: 'nccl' });
        const s = new torch.cuda.Stream();
        const big = torch.full([400000], rank + 1, { device: 'cuda' });
        s.waitStream(torch.cuda.currentStream());
        out.r = torch.cuda.stream(s, () => {
          let x = big;
          for (let i = 0; i < 3; i++) x = x.mul(2).add(1);  // queued on s, still running when the collective is issued
          dist.allReduce(x);
          return [x.min().item(), x.max().item()];           // read on s
        });
        dist.destroyProcessGroup();
        done();`);
      expectOk(outs);
      // rank r: ((r+1)*2+1)*2+1)*2+1 = 8r+15; summed over ranks 0 and 1: 15 + 23
      for (const o of outs) expect(o.result.r).toEqual([38, 38]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
