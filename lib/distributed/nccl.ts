// nccl.ts - the NCCL engine of torch.distributed (CUDA tensors): rendezvous of a communicator through the store, and
// the engine interface index.ts drives (submit / p2p / wait / status / notify), over the core addon's `nccl`
// functions (native/binding/nccl_napi.cc -> cuda/nccl.cu). NCCL is loaded at run time (Note [NCCL at run time]);
// nothing here needs Gloo. Operations run on the communicator's stream. As PyTorch's, waiting for one does not block
// the host: streamWait() makes the current stream wait for it (Work.wait); a host wait (barrier, await, the agreement
// check, NCCL_BLOCKING_WAIT=1) polls it. A native watchdog thread aborts the communicator (ncclCommAbort) when an
// operation outlives the group's timeout or NCCL reports an error (Note [NCCL watchdog] in cuda/nccl.cu), so a dead
// or missing peer becomes a TorchError, never a hang.
import { native } from '../native';
import { cudaStreamHook } from '../tensor';
import { TorchError } from '../errors';
import { Store, PrefixStore, sleepMs } from './store';

interface NcclNative {
  available(): { ok: boolean; detail: string };
  uniqueId(): Buffer;
  commInit(id: Buffer, nranks: number, rank: number, device: number, timeoutMs: number): object;
  enqueue(comm: object, op: Record<string, unknown>): object;
  query(work: object): number;
  streamWait(work: object): void;
  checkAsyncError(): void;
  abort(comm: object): void;
  destroy(comm: object): void;
}
// every NCCL call first re-applies the current stream of the running (async) context, as kernel calls do
// (cuda_stream.ts), so that a collective after an await inside torch.cuda.stream(s, fn) is ordered after s
const api = (): NcclNative => {
  if (cudaStreamHook.active) cudaStreamHook.apply();
  return (native as unknown as { nccl: NcclNative }).nccl;
};

/** Whether NCCL can be used here, and the library (or why not: every place searched). */
export function ncclStatus(): { ok: boolean; detail: string } {
  const a = (native as unknown as { nccl?: NcclNative }).nccl;
  if (!a) return { ok: false, detail: 'this nodetorch binary has no NCCL support (it predates it): rebuild it (npm rebuild nodetorch)' };
  try { return a.available(); } catch (e) { return { ok: false, detail: (e as Error).message }; }
}

/** The engine interface of a process group (the Gloo addon's, which this mirrors). */
export interface Engine {
  submit(h: object, o: Record<string, unknown>): object;
  p2p(h: object, o: Record<string, unknown>): object;
  wait(w: object): boolean;
  /** when present: orders the current CUDA stream after the operation without blocking the host (throws if it failed) */
  streamWait?(w: object): void;
  status(w: object): number;
  error(w: object): string;
  source(w: object): number;
  notify(w: object, cb: () => void): boolean;
  destroyGroup(h: object): void;
  /**
   * when present: every rank's fingerprint of a collective call (index.ts's agreement check), exchanged on the host
   * rather than as a collective, so that it does not queue behind the collectives already on the engine's stream
   */
  agree?(h: object, op: string, fp: number[]): number[][];
}

interface GroupH { comm: object; timeoutMs: number; device: number; aborted: boolean; barrierPtr: bigint; rank: number; size: number; store: Store; seq: number; last: WorkH | null }
interface WorkH { g: GroupH; w: object; t0: number; state: number; err: string; peer: number }

const KIND: Record<string, number> = { allreduce: 0, broadcast: 1, reduce: 2, allgather: 3, reducescatter: 4, send: 5, recv: 6, gather: 7, scatter: 8 };

/**
 * Makes this rank's communicator: rank 0 creates NCCL's unique id and puts it in the store, every rank reads it;
 * all ranks then wait (up to the timeout) until every one has arrived, so that NCCL's blocking ncclCommInitRank is
 * only entered when it can complete. `barrierPtr`: a 1-element float32 device buffer for barrier().
 */
export function ncclNewGroup(store: Store, rank: number, size: number, device: number, timeoutMs: number, barrierPtr: bigint): object {
  const st = ncclStatus();
  if (!st.ok) throw new TorchError(`initProcessGroup: the NCCL backend is not available: ${st.detail}`);
  if (rank === 0) store.set('nccl_unique_id', api().uniqueId());
  const t0 = Date.now();
  const saved = store.timeout;
  store.timeout = Math.max(1, timeoutMs);
  let id: Buffer;
  try {
    id = store.get('nccl_unique_id');
  } catch (e) {
    throw new TorchError(`initProcessGroup: rank ${rank} did not receive NCCL's unique id from rank 0 within ${timeoutMs} ms (${(e as Error).message})`, { cause: e });
  } finally {
    store.timeout = saved;
  }
  store.add('nccl_arrived', 1);
  for (;;) {
    const n = store.add('nccl_arrived', 0);
    if (n >= size) break;
    if (Date.now() - t0 > timeoutMs) throw new TorchError(`initProcessGroup: timed out after ${timeoutMs} ms waiting for the NCCL ranks (${n} of ${size} arrived)`);
    sleepMs(2);
  }
  const comm = api().commInit(id, size, rank, device, Math.round(timeoutMs));
  const agreeStore = new PrefixStore('agree', store);
  agreeStore.timeout = Math.max(1, Math.round(timeoutMs));
  const g: GroupH = { comm, timeoutMs, device, aborted: false, barrierPtr, rank, size, store: agreeStore, seq: 0, last: null };
  return g;
}

// A safety net only: the native watchdog aborts a communicator whose operation outlives the timeout (checked every
// 20 ms); a host wait gives up by itself a little later should that not happen.
const FALLBACK_MS = 5000;
function poll(w: WorkH): number {
  if (w.state !== 0) return w.state;
  if (w.g.aborted) { w.state = 2; w.err = 'the NCCL communicator was aborted after an earlier failure or timeout'; return 2; }
  let s: number;
  try { s = api().query(w.w); } catch (e) { w.state = 2; w.err = (e as Error).message; return 2; }
  if (s === 1) { w.state = 1; return 1; }
  if (Date.now() - w.t0 > w.g.timeoutMs + FALLBACK_MS) {
    try { api().abort(w.g.comm); } catch { /* already gone */ }
    w.g.aborted = true;
    w.state = 2;
    w.err = `timed out after ${w.g.timeoutMs} ms (a peer did not take part in time); the NCCL communicator was aborted (ncclCommAbort)`;
    return 2;
  }
  return 0;
}

// throws w's error; the failure now reported, the next host synchronisation need not report it again (Note [NCCL
// watchdog]: the watchdog's report of an aborted communicator is consumed)
function failed(w: WorkH): never {
  try { api().checkAsyncError(); } catch { /* consumed */ }
  throw new Error(w.err);
}

export const ncclEngine: Engine = {
  submit(h: object, o: Record<string, unknown>): object {
    const g = h as GroupH;
    const kind = o.kind as string;
    const op: Record<string, unknown> = { kind: KIND[kind], dtype: o.dtype, op: o.op ?? 0, count: o.n ?? 0, root: o.root ?? -1 };
    switch (kind) {
      case 'allreduce': case 'broadcast': case 'reduce': op.send = o.ptr; op.recv = o.ptr; break;
      case 'allgather': case 'gather': op.send = o.ptr; op.recv = o.out; break;
      case 'scatter': op.recv = o.ptr; op.parts = o.ptrs; break;
      case 'barrier': op.kind = KIND.allreduce; op.dtype = 0; op.count = 1; op.send = g.barrierPtr; op.recv = g.barrierPtr; break;
      default: throw new TorchError(`internal: NCCL has no operation '${kind}'`);
    }
    if (g.aborted) throw new TorchError('the NCCL communicator was aborted after an earlier failure or timeout; destroy the process group and initialize a new one');
    const w: WorkH = { g, w: api().enqueue(g.comm, op), t0: Date.now(), state: 0, err: '', peer: -1 };
    g.last = w;
    return w;
  },
  p2p(h: object, o: Record<string, unknown>): object {
    const g = h as GroupH;
    const peer = o.peer as number;
    if (peer < 0) throw new TorchError('NCCL cannot receive from any source: pass src');
    if (g.aborted) throw new TorchError('the NCCL communicator was aborted after an earlier failure or timeout; destroy the process group and initialize a new one');
    const send = o.kind === 'send';
    const op = { kind: send ? KIND.send : KIND.recv, dtype: 8, op: 0, count: o.nbytes, peer, [send ? 'send' : 'recv']: o.ptr };
    const w: WorkH = { g, w: api().enqueue(g.comm, op), t0: Date.now(), state: 0, err: '', peer };
    g.last = w;
    return w;
  },
  wait(x: object): boolean {
    const w = x as WorkH;
    let spins = 0;
    while (poll(w) === 0) sleepMs(spins++ < 100 ? 0.02 : 0.5);
    if (w.state === 2) failed(w);
    return true;
  },
  streamWait(x: object): void {
    const w = x as WorkH;
    if (poll(w) === 2) failed(w);
    if (w.state === 1) return;
    try { api().streamWait(w.w); } catch (e) { w.state = 2; w.err = (e as Error).message; failed(w); }
  },
  status(x: object): number { return poll(x as WorkH); },
  error(x: object): string { return (x as WorkH).err; },
  source(x: object): number { return (x as WorkH).peer; },
  notify(x: object, cb: () => void): boolean {
    const w = x as WorkH;
    const tick = (): void => { if (poll(w) === 0) setTimeout(tick, 1); else cb(); };
    setImmediate(tick);
    return true;
  },
  // Note [NCCL agreement through the store]: PyTorch's NCCL runs no such check; ours must not make a synchronous
  // collective wait for the ones already queued on the communicator's stream (which a check that is itself a
  // collective would: the stream is in order), so the fingerprints go through the group's store: each rank sets its
  // own key and reads the others' (a host round trip, not a GPU wait). A rank that does not arrive within the timeout
  // is a timeout of the group, as a collective's: the communicator is aborted.
  agree(h: object, op: string, fp: number[]): number[][] {
    const g = h as GroupH;
    // the watchdog may have aborted the communicator since (a failed operation): then no rank should wait here
    if (g.last && poll(g.last) === 2) g.aborted = true;
    if (g.aborted) throw new TorchError(`the NCCL communicator was aborted after an earlier failure or timeout${g.last && g.last.err ? ` (${g.last.err})` : ''}; destroy the process group and initialize a new one`);
    const seq = ++g.seq;
    const st = g.store;
    st.set(`${seq}/${g.rank}`, fp.join(','));
    const rows: number[][] = [];
    for (let r = 0; r < g.size; r++) {
      if (r === g.rank) { rows.push(fp); continue; }
      try {
        rows.push(st.get(`${seq}/${r}`).toString().split(',').map(Number));
      } catch (e) {
        try { api().abort(g.comm); } catch { /* already gone */ }
        g.aborted = true;
        throw new TorchError(`timed out after ${g.timeoutMs} ms waiting for rank ${r} to call ${op} (a peer did not take part in time); the NCCL communicator was aborted (ncclCommAbort)`, { cause: e });
      }
    }
    // every rank has set seq, so every rank has read seq - 1: this rank's key of seq - 1 can go
    if (seq > 1) st.deleteKey(`${seq - 1}/${g.rank}`);
    return rows;
  },
  destroyGroup(h: object): void {
    const g = h as GroupH;
    if (g.aborted) return;
    g.aborted = true;
    api().destroy(g.comm);
  },
};
