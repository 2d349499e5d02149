// distributed/index.ts - torch.distributed: process groups, collectives and point-to-point on Gloo (CPU tensors; CUDA
// tensors are staged through the host) or NCCL (CUDA tensors, in device memory), rendezvous through a
// TCPStore/FileStore. The engines communicate (the nodetorch_gloo addon, native/gloo/; NCCL through the core addon,
// nccl.ts); this file checks arguments, lays tensors out contiguously on the group's device, keeps them alive while
// the engine works, and copies results back.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { native } from '../native';
import { TorchError } from '../errors';
import { Tensor } from '../tensor';
import { DTYPE_CODE, ITEMSIZE, isFloating } from '../dtype';
import { empty, zeros } from '../ops/creation';
import { Device, CPU, toDevice, currentCudaIndex } from '../device';
import { Engine, ncclEngine, ncclNewGroup, ncclStatus } from './nccl';
import { cat } from '../ops/families';
import { setCurrentWorld } from './state';
import { Store, TCPStore, FileStore, PrefixStore, DEFAULT_STORE_TIMEOUT_MS, sleepMs } from './store';

export { Store, TCPStore, FileStore, PrefixStore };
export type { TCPStoreOptions } from './store';

export const DEFAULT_PG_TIMEOUT_MS = 30 * 60 * 1000; // PyTorch's default_pg_timeout (30 minutes)

// ---------------------------------------------------------------- the Gloo addon

interface GlooAddon extends Engine {
  newGroup(o: object): object;
}
let gloo: GlooAddon | null | undefined;
let glooReason = '';
function loadGloo(): GlooAddon | null {
  if (gloo !== undefined) return gloo;
  const root = path.join(__dirname, '..', '..');
  const candidates = process.env.NODETORCH_GLOO_ADDON ? [path.resolve(process.env.NODETORCH_GLOO_ADDON)]
    : [path.join(root, 'native', 'gloo', 'build', 'Release', 'nodetorch_gloo.node'),
      path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'gloo', 'nodetorch_gloo.node')];  // npm run prebuild
  const errs: string[] = [];
  for (const c of candidates) {
    if (!fs.existsSync(c)) { errs.push(`${c}: not built`); continue; }
    try { gloo = require(c) as GlooAddon; return gloo; } catch (e) { errs.push(`${c}: ${(e as Error).message}`); }
  }
  gloo = null;
  glooReason = 'the Gloo backend is not available: nodetorch was installed without Gloo. Install it with ' +
    '`apt-get install libgloo-dev` (Debian/Ubuntu) and reinstall nodetorch (`npm rebuild nodetorch`), which then builds ' +
    'the distributed binding (' + errs.join('; ') + ')';
  return null;
}
function glooOrThrow(op: string): GlooAddon {
  const g = loadGloo();
  if (!g) throw new TorchError(`${op}: ${glooReason}`);
  return g;
}

/** Whether torch.distributed can run here (a store is always built; a backend must load). */
export function isAvailable(): boolean { return isGlooAvailable() || isNcclAvailable(); }
export function isGlooAvailable(): boolean { return loadGloo() !== null; }
/** Why Gloo is not available ('' when it is). */
export function glooUnavailableReason(): string { loadGloo(); return gloo ? '' : glooReason; }
/** Whether the NCCL backend can run: the CUDA build of nodetorch and libnccl.so.2 loadable (Note [NCCL at run time]). */
export function isNcclAvailable(): boolean { return ncclStatus().ok; }
/** Why NCCL is not available ('' when it is): every place searched for libnccl.so.2, or that this build has no CUDA. */
export function ncclUnavailableReason(): string { const s = ncclStatus(); return s.ok ? '' : s.detail; }
function ncclOrThrow(op: string): void {
  const s = ncclStatus();
  if (!s.ok) throw new TorchError(`${op}: the NCCL backend is not available: ${s.detail}`);
}
export function isTorchelasticLaunched(): boolean { return process.env.TORCHELASTIC_RUN_ID !== undefined; }

// ---------------------------------------------------------------- reduce ops

export const ReduceOp = Object.freeze({ SUM: 'sum', AVG: 'avg', PRODUCT: 'product', MIN: 'min', MAX: 'max' } as const);
export type ReduceOpName = (typeof ReduceOp)[keyof typeof ReduceOp];
const OP_CODE: Record<string, number> = { sum: 0, avg: 1, product: 2, min: 3, max: 4 };
function opCode(fn: string, op: unknown): number {
  const k = typeof op === 'string' ? op.toLowerCase() : '';
  if (!(k in OP_CODE)) throw new TorchError(`${fn}: op must be one of ReduceOp.SUM, AVG, PRODUCT, MIN, MAX, got ${String(op)}`);
  return OP_CODE[k];
}

// ---------------------------------------------------------------- process groups

export type Backend = 'gloo' | 'nccl';

export class ProcessGroup {
  /** this process's rank in the group, and the group's size */
  readonly rank: number;
  readonly size: number;
  readonly backend: Backend;
  /** the global ranks of the members, in group-rank order */
  readonly ranks: number[];
  readonly timeout: number;
  readonly name: string;
  /** where the engine works: 'cpu' for Gloo, the communicator's CUDA device for NCCL */
  readonly device: Device;
  _handle: object | null;
  readonly _engine: Engine;
  _keep: unknown = null;
  constructor(handle: object, rank: number, size: number, ranks: number[], timeout: number, name: string, backend: Backend = 'gloo', engine: Engine | null = null, device: Device = CPU) {
    this._handle = handle;
    this.rank = rank;
    this.size = size;
    this.backend = backend;
    this._engine = engine ?? (loadGloo() as GlooAddon);
    this.device = device;
    this.ranks = ranks;
    this.timeout = timeout;
    this.name = name;
  }
  getRank(): number { return this.rank; }
  getSize(): number { return this.size; }
  toString(): string { return `ProcessGroup(${this.backend}, rank ${this.rank} of ${this.size})`; }
}

/** What newGroup returns on a rank that is not a member (PyTorch's GroupMember.NON_GROUP_MEMBER). */
export const NON_GROUP_MEMBER = Object.freeze({ nonGroupMember: true as const });
export type Group = ProcessGroup | typeof NON_GROUP_MEMBER;
export const GroupMember = Object.freeze({
  get WORLD(): ProcessGroup | null { return world ? world.pg : null; },
  NON_GROUP_MEMBER,
});

interface WorldState { pg: ProcessGroup; store: Store; ownStore: boolean; groups: ProcessGroup[]; groupCount: number; globalRank: number; worldSize: number; prefix: string }
let world: WorldState | null = null;

function requireWorld(op: string): WorldState {
  if (!world) throw new TorchError(`${op}: Default process group has not been initialized, please make sure to call init_process_group (torch.distributed.initProcessGroup).`);
  return world;
}

export interface InitOptions {
  backend?: Backend | string;
  initMethod?: string;
  rank?: number;
  worldSize?: number;
  /** milliseconds (default 30 minutes, as PyTorch) */
  timeout?: number;
  store?: Store;
  groupName?: string;
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new TorchError(`initProcessGroup: environment variable ${name}=${v} is not a non-negative integer`);
  return n;
}

/**
 * Initialises the default process group. initMethod 'env://' (default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE),
 * 'tcp://host:port' or 'file:///path'; or pass a `store`. Rank 0 of a TCP rendezvous runs the TCPStore server.
 */
export function initProcessGroup(opts: InitOptions = {}): void {
  const known = ['backend', 'initMethod', 'rank', 'worldSize', 'timeout', 'store', 'groupName'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new TypeError(`initProcessGroup() got an unexpected keyword argument '${k}' (expected one of ${known.join(', ')})`);
  if (world) throw new TorchError('trying to initialize the default process group twice!');
  const backend = String(opts.backend ?? 'gloo').toLowerCase();
  if (backend !== 'gloo' && backend !== 'nccl') throw new TorchError(`initProcessGroup: unknown backend '${opts.backend}' (expected 'gloo' or 'nccl')`);
  if (backend === 'gloo') glooOrThrow('initProcessGroup');
  else ncclOrThrow('initProcessGroup');
  const timeout = opts.timeout ?? DEFAULT_PG_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new TorchError(`initProcessGroup: timeout must be a positive number of milliseconds, got ${String(timeout)}`);
  let rank = opts.rank ?? -1;
  let size = opts.worldSize ?? -1;
  let store: Store;
  let ownStore = false;
  let masterHost = '';
  if (opts.store) {
    if (opts.initMethod) throw new TorchError('initProcessGroup: cannot specify both initMethod and store');
    if (!(opts.store instanceof Store)) throw new TypeError('initProcessGroup: store must be a TCPStore, FileStore or PrefixStore');
    if (rank < 0 || size < 1) throw new TorchError('initProcessGroup: rank and worldSize are required when a store is given');
    store = opts.store;
    if (store.spec.kind === 'tcp') masterHost = store.spec.where;
  } else {
    const method = opts.initMethod ?? 'env://';
    if (method.startsWith('env://')) {
      if (rank < 0) rank = envInt('RANK') ?? -1;
      if (size < 1) size = envInt('WORLD_SIZE') ?? -1;
      const addr = process.env.MASTER_ADDR;
      const port = envInt('MASTER_PORT');
      const missing = [rank < 0 ? 'RANK' : '', size < 1 ? 'WORLD_SIZE' : '', addr ? '' : 'MASTER_ADDR', port === undefined ? 'MASTER_PORT' : ''].filter(Boolean);
      if (missing.length) throw new TorchError(`initProcessGroup (env://): environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} expected, but not set (or pass rank/worldSize)`);
      checkRank(rank, size);
      masterHost = addr as string;
      // under a multi-node nodetorch-run (as torchrun's agents), the launchers host the store: every rank is a client
      const agentStore = process.env.TORCHELASTIC_USE_AGENT_STORE === 'True';
      store = new TCPStore(addr as string, port as number, { worldSize: size, isMaster: rank === 0 && !agentStore, timeout: Math.min(timeout, DEFAULT_STORE_TIMEOUT_MS) });
      ownStore = true;
    } else if (method.startsWith('tcp://')) {
      const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?(\?.*)?$/.exec(method);
      if (!m) throw new TorchError(`initProcessGroup: cannot parse initMethod '${method}' (expected tcp://host:port)`);
      const q = new URLSearchParams(m[3] ? m[3].slice(1) : '');
      if (rank < 0 && q.has('rank')) rank = Number(q.get('rank'));
      if (size < 1 && q.has('world_size')) size = Number(q.get('world_size'));
      if (rank < 0 || size < 1) throw new TorchError('initProcessGroup (tcp://): rank and worldSize are required');
      checkRank(rank, size);
      masterHost = m[1].replace(/^\[|\]$/g, '');
      store = new TCPStore(masterHost, Number(m[2]), { worldSize: size, isMaster: rank === 0, timeout: Math.min(timeout, DEFAULT_STORE_TIMEOUT_MS) });
      ownStore = true;
    } else if (method.startsWith('file://')) {
      const p = method.slice('file://'.length).replace(/\?.*$/, '');
      if (!p) throw new TorchError(`initProcessGroup: initMethod '${method}' names no file`);
      if (rank < 0 || size < 1) throw new TorchError('initProcessGroup (file://): rank and worldSize are required');
      checkRank(rank, size);
      store = new FileStore(p, size);
      ownStore = true;
    } else {
      throw new TorchError(`initProcessGroup: unsupported initMethod '${method}' (expected env://, tcp://host:port or file:///path)`);
    }
  }
  checkRank(rank, size);
  store.timeout = Math.min(timeout, Math.max(store.timeout, 1));
  const prefix = `restart${process.env.TORCHELASTIC_RESTART_COUNT ?? '0'}/`;
  const all = Array.from({ length: size }, (_, i) => i);
  let pg: ProcessGroup;
  try {
    pg = makeGroup(store, prefix + 'default_pg/', rank, size, all, timeout, opts.groupName ?? 'default_pg', masterHost, backend as Backend);
  } catch (e) {
    if (ownStore) (store as TCPStore | FileStore).close();
    throw e;
  }
  world = { pg, store, ownStore, groups: [pg], groupCount: 0, globalRank: rank, worldSize: size, prefix };
  setCurrentWorld({ rank, worldSize: size });
}

function checkRank(rank: number, size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new TorchError(`initProcessGroup: worldSize must be a positive integer, got ${size}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new TorchError(`initProcessGroup: rank must be in [0, ${size - 1}] for worldSize ${size}, got ${rank}`);
}

function makeGroup(store: Store, prefix: string, rank: number, size: number, ranks: number[], timeout: number, name: string, masterHost: string, backend: Backend): ProcessGroup {
  if (backend === 'nccl') {
    // one communicator per group, on the current CUDA device (torch.cuda.setDevice(LOCAL_RANK) first, as in PyTorch)
    const dev = toDevice(`cuda:${currentCudaIndex()}`);
    const scratch = zeros([1], { device: dev });
    const h = ncclNewGroup(new PrefixStore(prefix, store), rank, size, dev.index ?? 0, timeout, ptrOf(scratch));
    const pg = new ProcessGroup(h, rank, size, ranks, timeout, name, 'nccl', ncclEngine, dev);
    pg._keep = scratch;
    return pg;
  }
  const g = glooOrThrow('initProcessGroup');
  const iface = process.env.GLOO_SOCKET_IFNAME ? process.env.GLOO_SOCKET_IFNAME.split(',')[0] : '';
  let h: object;
  try {
    h = g.newGroup({
      storeKind: store.spec.kind, storeWhere: store.spec.where, storePort: store.spec.port, prefix: store.spec.prefix + prefix,
      rank, size, timeoutMs: Math.round(timeout), iface, hostname: masterHost || (iface ? '' : os.hostname()),
    });
  } catch (e) {
    throw new TorchError(`initProcessGroup: Gloo rendezvous of rank ${rank} (of ${size}) failed: ${(e as Error).message}`, { cause: e });
  }
  return new ProcessGroup(h, rank, size, ranks, timeout, name, 'gloo', g, CPU);
}

export function isInitialized(): boolean { return world !== null; }

/** Destroys a group, or every group and the default one (then initProcessGroup may be called again). */
export function destroyProcessGroup(group?: Group | null): void {
  const w = requireWorld('destroyProcessGroup');
  if (group && group !== w.pg) {
    if (!(group instanceof ProcessGroup)) return;
    if (group._handle) group._engine.destroyGroup(group._handle);
    group._handle = null;
    w.groups = w.groups.filter((x) => x !== group);
    return;
  }
  for (const pg of w.groups) { if (pg._handle) pg._engine.destroyGroup(pg._handle); pg._handle = null; }
  if (w.ownStore) (w.store as TCPStore | FileStore).close();
  world = null;
  setCurrentWorld(null);
}

/**
 * A subgroup of the given global ranks (all ranks by default). Every rank must call it, members or not, in the same
 * order; a non-member gets NON_GROUP_MEMBER, with which collectives do nothing (as PyTorch).
 */
export function newGroup(ranks?: number[] | null, opts: { timeout?: number; backend?: Backend | string } = {}): Group {
  const w = requireWorld('newGroup');
  for (const k of Object.keys(opts)) if (!['timeout', 'backend'].includes(k)) throw new TypeError(`newGroup() got an unexpected keyword argument '${k}'`);
  const backend = String(opts.backend ?? w.pg.backend).toLowerCase();
  if (backend !== 'gloo' && backend !== 'nccl') throw new TorchError(`newGroup: unknown backend '${opts.backend}' (expected 'gloo' or 'nccl')`);
  if (backend === 'gloo') glooOrThrow('newGroup'); else ncclOrThrow('newGroup');
  const rs = ranks == null ? Array.from({ length: w.worldSize }, (_, i) => i) : [...ranks].sort((a, b) => a - b);
  for (const r of rs) if (!Number.isInteger(r) || r < 0 || r >= w.worldSize) throw new TorchError(`newGroup: rank ${r} is not in [0, ${w.worldSize - 1}]`);
  if (new Set(rs).size !== rs.length) throw new TorchError(`newGroup: ranks contain duplicates: [${ranks}]`);
  const id = ++w.groupCount;
  const me = rs.indexOf(w.globalRank);
  if (me < 0) return NON_GROUP_MEMBER;
  const timeout = opts.timeout ?? w.pg.timeout;
  const pg = makeGroup(w.store, `${w.prefix}group${id}/`, me, rs.length, rs, timeout, `group${id}`, w.store.spec.kind === 'tcp' ? w.store.spec.where : '', backend as Backend);
  w.groups.push(pg);
  return pg;
}

function groupOf(op: string, group: Group | null | undefined): ProcessGroup | null {
  const w = requireWorld(op);
  if (group === undefined || group === null) return w.pg;
  if (group === NON_GROUP_MEMBER) return null;
  if (!(group instanceof ProcessGroup)) throw new TypeError(`${op}: group must be a ProcessGroup from newGroup()`);
  if (!group._handle) throw new TorchError(`${op}: the process group has been destroyed`);
  return group;
}

export function getRank(group?: Group | null): number {
  const pg = groupOf('getRank', group);
  return pg ? pg.rank : -1;
}
export function getWorldSize(group?: Group | null): number {
  const pg = groupOf('getWorldSize', group);
  return pg ? pg.size : -1;
}
export function getBackend(group?: Group | null): Backend {
  const pg = groupOf('getBackend', group);
  if (!pg) throw new TorchError('getBackend: Invalid process group specified');
  return pg.backend;
}
/** The group rank of a global rank (PyTorch's get_group_rank). */
export function getGroupRank(group: Group, globalRank: number): number {
  const pg = groupOf('getGroupRank', group);
  const i = pg ? pg.ranks.indexOf(globalRank) : -1;
  if (i < 0) throw new TorchError(`getGroupRank: global rank ${globalRank} is not part of the group`);
  return i;
}
export function getGlobalRank(group: Group, groupRank: number): number {
  const pg = groupOf('getGlobalRank', group);
  if (!pg || groupRank < 0 || groupRank >= pg.size) throw new TorchError(`getGlobalRank: group rank ${groupRank} is not part of the group`);
  return pg.ranks[groupRank];
}

// ---------------------------------------------------------------- work

/**
 * An asynchronous operation (`{ asyncOp: true }`). On Gloo (CPU) `wait()` blocks until it is done and throws its
 * error. On NCCL (CUDA), as PyTorch's: `wait()` does not block the host; it makes the *current* CUDA stream wait for
 * the collective (cudaStreamWaitEvent), so later kernels on that stream see its results, and returns (it throws only
 * if the operation has already failed; a later failure, e.g. a timeout, is raised by the next host synchronisation,
 * by `await work` and by every later collective of the group). `isCompleted()` polls; `await work` waits on the host
 * without blocking the event loop. NCCL_BLOCKING_WAIT=1 (or TORCH_NCCL_BLOCKING_WAIT=1) makes `wait()` block the host.
 */
export class Work implements PromiseLike<void> {
  private w: object | null;
  private post: (() => void) | null;
  private err: TorchError | null = null;
  /** the outcome is known (completed or failed) */
  private settled = false;
  /** post (copying results back) has run, or will not */
  private posted = false;
  private readonly op: string;
  private keep: unknown;
  private promise: Promise<void> | null = null;
  private readonly engine: Engine | null;
  /** internal: wait() blocks the host (barrier, as PyTorch's NCCL barrier) */
  _blocking = false;
  constructor(op: string, w: object | null, keep: unknown, post: (() => void) | null, engine: Engine | null = null) {
    this.op = op;
    this.w = w;
    this.engine = engine;
    this.keep = keep;
    this.post = post;
    if (!w) this.finish(null);
  }
  private runPost(): void {
    if (this.posted) return;
    this.posted = true;
    const post = this.post;
    this.post = null;
    if (!post) return;
    try { post(); } catch (e) { this.err = e instanceof TorchError ? e : new TorchError(`${this.op}: ${(e as Error).message}`, { cause: e }); }
  }
  private finish(err: string | null): void {
    if (this.settled) return;
    this.settled = true;
    if (err !== null) {
      this.err = new TorchError(`${this.op}: ${describeFailure(err)}`);
      this.posted = true;
      this.post = null;
    } else this.runPost();
    this.keep = null;
  }
  private poll(): boolean {
    if (this.settled) return true;
    const g = this.engine as Engine;
    const s = g.status(this.w as object);
    if (s === 0) return false;
    this.finish(s === 2 ? g.error(this.w as object) : null);
    return true;
  }
  /**
   * Gloo, or NCCL with NCCL_BLOCKING_WAIT=1: blocks until the operation has completed. NCCL: orders the current
   * stream after it and returns at once. Throws a TorchError if it failed. Returns true.
   */
  wait(): boolean {
    if (!this.settled) {
      const g = this.engine as Engine;
      if (g.streamWait && !this._blocking && !blockingWait()) {
        if (!this.posted) {
          try { g.streamWait(this.w as object); } catch (e) { this.finish((e as Error).message); }
          if (!this.settled) {
            this.runPost();  // the copies back are kernels on the current stream: ordered after the collective
            track(this);     // its tensors stay alive until it has completed
          }
        }
      } else this._hostWait();
    }
    if (this.err) throw this.err;
    return true;
  }
  /** internal: blocks the host until the operation has completed (barrier, the agreement check); throws its error */
  _hostWait(): void {
    if (!this.settled) {
      try { (this.engine as Engine).wait(this.w as object); this.finish(null); } catch (e) { this.finish((e as Error).message); }
    }
    if (this.err) throw this.err;
  }
  /** internal (the in-flight list): polls; true once the outcome is known */
  _poll(): boolean { return this.poll(); }
  isCompleted(): boolean { return this.poll(); }
  isSuccess(): boolean { return this.poll() && this.err === null; }
  exception(): TorchError | null { this.poll(); return this.err; }
  /** the sender of a completed recv/irecv (PyTorch's Work.source_rank) */
  sourceRank(): number { this.wait(); return this.w ? (this.engine as Engine).source(this.w) : -1; }
  then<A = void, B = never>(onOk?: ((v: void) => A | PromiseLike<A>) | null, onErr?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    if (!this.promise) {
      this.promise = new Promise<void>((resolve, reject) => {
        const done = (): void => { try { this._hostWait(); resolve(); } catch (e) { reject(e); } };
        if (this.settled || !(this.engine as Engine).notify(this.w as object, done)) setImmediate(done);
      });
    }
    return this.promise.then(onOk, onErr);
  }
}

const blockingWait = (): boolean => process.env.TORCH_NCCL_BLOCKING_WAIT === '1' || process.env.NCCL_BLOCKING_WAIT === '1';

// NCCL work whose wait() returned before it completed: kept (with its tensors) until it has, polled at each new
// collective and on an unref'd timer (a timer never keeps the process alive)
const inflight = new Set<Work>();
let inflightTimer: NodeJS.Timeout | null = null;
function pruneInflight(): void {
  for (const w of inflight) if (w._poll()) inflight.delete(w);
  if (inflight.size === 0 && inflightTimer) { clearInterval(inflightTimer); inflightTimer = null; }
}
function track(w: Work): void {
  inflight.add(w);
  if (!inflightTimer) {
    inflightTimer = setInterval(pruneInflight, 50);
    inflightTimer.unref();
  }
}

function describeFailure(msg: string): string {
  if (/^timed out/i.test(msg)) return msg;
  if (/timed out|timeout/i.test(msg)) return `timed out (a peer did not take part in time): ${msg}`;
  if (/reset by peer|Connection closed|EOF|Broken pipe|connection refused|closed by peer|Read error|Write error/i.test(msg)) return `a peer process failed or exited (${msg})`;
  return msg;
}

// ---------------------------------------------------------------- argument checks and buffers

export interface CollectiveOptions { group?: Group | null; asyncOp?: boolean }

function checkOpts(op: string, o: object | undefined, extra: string[] = []): void {
  if (o === undefined || o === null) return;
  if (typeof o !== 'object') throw new TypeError(`${op}: options must be an object`);
  const ok = ['group', 'asyncOp', ...extra];
  for (const k of Object.keys(o)) if (!ok.includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (expected one of ${ok.join(', ')})`);
}
function checkTensor(op: string, t: unknown, what = 'tensor'): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  if (t._disposed) throw new TorchError(`${op}: ${what} has been disposed`);
  return t;
}
const desc = (t: Tensor): string => `${t.dtype} [${t.shape.join(', ')}]${t.device.type === 'cpu' ? '' : ' on ' + t.device.toString()}`;

// A contiguous tensor on the group's device holding t's values that the engine may read and write; `back()` puts
// results into t. NCCL groups take CUDA tensors of their own device only (as PyTorch's).
interface Buf { t: Tensor; ptr: bigint; back(): void }
function checkDevice(op: string, pg: ProcessGroup, t: Tensor): void {
  if (pg.backend !== 'nccl') return;
  if (t.device.type !== 'cuda') throw new TorchError(`${op}: Tensors must be CUDA and dense (the NCCL backend), got ${desc(t)}`);
  if (!t.device.equals(pg.device)) throw new TorchError(`${op}: the tensor is on ${t.device.toString()} but this NCCL process group communicates on ${pg.device.toString()} (torch.cuda.setDevice before initProcessGroup)`);
}
function bufOf(op: string, pg: ProcessGroup, t: Tensor, copyIn = true): Buf {
  checkDevice(op, pg, t);
  const direct = t.device.equals(pg.device) && t.isContiguous();
  const b = direct ? t : copyIn ? t.detach().to(pg.device).contiguous().clone() : empty(t.shape, { dtype: t.dtype, device: pg.device });
  return {
    t: b,
    ptr: ptrOf(b),
    back: () => {
      if (b !== t) { noGradCopy(t, b); } else t._st.version++;
    },
  };
}
function ptrOf(t: Tensor): bigint {
  const base = (native as unknown as { dataPtr(h: unknown): bigint }).dataPtr(t._st.handle);
  return base + BigInt(t._offset * ITEMSIZE[t.dtype]);
}
function noGradCopy(dst: Tensor, src: Tensor): void {
  const d = dst.requiresGrad && !dst.gradFn ? dst.detach() : dst;
  d.copy_(src.to(dst.device));
}

function run(op: string, pg: ProcessGroup, spec: Record<string, unknown>, keep: unknown, post: (() => void) | null, asyncOp: boolean | undefined): Work | undefined {
  const g = pg._engine;
  if (pg.size === 1 && ['allreduce', 'broadcast', 'reduce', 'barrier'].includes(spec.kind as string)) {
    // a group of one: the result is the input, in place; no round trip through the engine's thread
    const work = new Work(op, null, null, post, g);
    if (asyncOp) return work;
    work.wait();
    return undefined;
  }
  if (inflight.size) pruneInflight();
  let w: object;
  try { w = g.submit(pg._handle as object, spec); } catch (e) { throw new TorchError(`${op}: ${(e as Error).message}`, { cause: e }); }
  const work = new Work(op, w, keep, post, g);
  // barrier() blocks the host, as PyTorch's NCCL barrier does
  work._blocking = spec.kind === 'barrier';
  if (asyncOp) return work;
  // synchronous: as PyTorch's, ordered on the current stream (NCCL: the host does not wait)
  work.wait();
  return undefined;
}

// Every rank checks that all ranks called the same collective with the same dtype and size (one small all-gather
// first), so a mismatch is the same TorchError on every rank instead of a hang or garbage. `fp` = kind, dtype, op,
// root, numel, then the shape.
const KIND_CODE: Record<string, number> = { allReduce: 1, broadcast: 2, allGather: 3, allGatherIntoTensor: 3, reduceScatter: 4, reduceScatterTensor: 4, reduce: 5, gather: 6, scatter: 7, barrier: 8 };
function checkAgreement(op: string, pg: ProcessGroup, t: Tensor | null, opc: number, root: number): void {
  if (pg.size === 1) return;
  const F = 12;
  const mine = new Array<number>(F).fill(-1);
  mine[0] = KIND_CODE[op] ?? 0;
  mine[1] = t ? DTYPE_CODE[t.dtype] : -1;
  mine[2] = opc;
  mine[3] = root;
  mine[4] = t ? t.numel() : 0;
  mine[5] = t ? t.ndim : 0;
  if (t) t.shape.slice(0, F - 6).forEach((s, i) => { mine[6 + i] = s; });
  const g = pg._engine;
  let rows: number[][];
  if (g.agree) {
    // NCCL: through the store (Note [NCCL agreement through the store] in nccl.ts)
    try { rows = g.agree(pg._handle as object, op, mine); } catch (e) { throw new TorchError(`${op}: ${(e as Error).message}`, { cause: e }); }
  } else {
    const fp = tensorFrom(mine).to(pg.device);
    const all = empty([pg.size * F], { dtype: 'int64', device: pg.device });
    let sub: object;
    try { sub = g.submit(pg._handle as object, { kind: 'allgather', dtype: DTYPE_CODE.int64, n: F, ptr: ptrOf(fp), out: ptrOf(all) }); } catch (e) { throw new TorchError(`${op}: ${(e as Error).message}`, { cause: e }); }
    const w = new Work(op, sub, [fp, all], null, g);
    w._hostWait();
    const v = all.tolist() as number[];
    rows = Array.from({ length: pg.size }, (_, r) => v.slice(r * F, r * F + F));
  }
  const same = rows.every((r) => r[0] === rows[0][0] && r[1] === rows[0][1] && r[2] === rows[0][2] && r[3] === rows[0][3] && r[4] === rows[0][4]);
  if (same) return;
  const kindName = (c: number): string => Object.keys(KIND_CODE).find((k) => KIND_CODE[k] === c) ?? `op ${c}`;
  const dtName = (c: number): string => (Object.keys(DTYPE_CODE) as (keyof typeof DTYPE_CODE)[]).find((k) => DTYPE_CODE[k] === c) ?? '-';
  const show = rows.map((r, i) => `rank ${pg.ranks[i]}: ${kindName(r[0])} ${dtName(r[1])} [${r.slice(6, 6 + Math.min(r[5], F - 6)).join(', ')}]${r[3] >= 0 ? ` root ${r[3]}` : ''}`).join('; ');
  throw new TorchError(`${op}: the ranks disagree (every rank must call the same collective with the same dtype, number of elements, op and root): ${show}`);
}
function tensorFrom(vals: number[]): Tensor {
  const t = empty([vals.length], { dtype: 'int64' });
  native.write(t._st.handle, 0, new BigInt64Array(vals.map((x) => BigInt(x))));
  return t;
}

function rootOf(op: string, pg: ProcessGroup, globalRank: unknown, what: string): number {
  if (!Number.isInteger(globalRank)) throw new TypeError(`${op}: ${what} must be an integer rank, got ${String(globalRank)}`);
  const i = pg.ranks.indexOf(globalRank as number);
  if (i < 0) throw new TorchError(`${op}: ${what} rank ${String(globalRank)} is not part of the group (ranks ${pg.ranks.join(', ')})`);
  return i;
}

// ---------------------------------------------------------------- collectives

/** Reduces `tensor` across the group in place (default ReduceOp.SUM). */
export function allReduce(tensor: Tensor, opts: CollectiveOptions & { op?: ReduceOpName | string } = {}): Work | undefined {
  const op = 'allReduce';
  checkOpts(op, opts, ['op']);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const opc = opCode(op, opts.op ?? 'sum');
  if (opc === 1 && !isFloating(tensor.dtype)) throw new TorchError(`${op}: ReduceOp.AVG needs a floating-point tensor, got ${tensor.dtype}`);
  checkAgreement(op, pg, tensor, opc, -1);
  const b = bufOf(op, pg, tensor);
  return run(op, pg, { kind: 'allreduce', dtype: DTYPE_CODE[tensor.dtype], op: opc, n: tensor.numel(), ptr: b.ptr }, [tensor, b.t], () => {
    if (opc === 1) b.t.detach().div_(pg.size);
    b.back();
  }, opts.asyncOp);
}

/** Copies `tensor` of rank `src` (a global rank) into `tensor` of every other rank. */
export function broadcast(tensor: Tensor, src: number, opts: CollectiveOptions = {}): Work | undefined {
  const op = 'broadcast';
  checkOpts(op, opts);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const root = rootOf(op, pg, src, 'src');
  checkAgreement(op, pg, tensor, 0, root);
  const b = bufOf(op, pg, tensor, pg.rank === root);
  return run(op, pg, { kind: 'broadcast', dtype: DTYPE_CODE[tensor.dtype], root, n: tensor.numel(), ptr: b.ptr }, [tensor, b.t], () => { if (pg.rank !== root) b.back(); }, opts.asyncOp);
}

/** Reduces onto rank `dst` only (the other ranks' tensors are left unchanged). */
export function reduce(tensor: Tensor, dst: number, opts: CollectiveOptions & { op?: ReduceOpName | string } = {}): Work | undefined {
  const op = 'reduce';
  checkOpts(op, opts, ['op']);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const root = rootOf(op, pg, dst, 'dst');
  const opc = opCode(op, opts.op ?? 'sum');
  if (opc === 1 && !isFloating(tensor.dtype)) throw new TorchError(`${op}: ReduceOp.AVG needs a floating-point tensor, got ${tensor.dtype}`);
  checkAgreement(op, pg, tensor, opc, root);
  // Gloo uses the non-root buffers as scratch space: those ranks reduce a copy
  checkDevice(op, pg, tensor);
  const b = pg.rank === root ? bufOf(op, pg, tensor) : { t: tensor.detach().to(pg.device).contiguous().clone(), ptr: 0n, back: () => undefined };
  if (pg.rank !== root) b.ptr = ptrOf(b.t);
  return run(op, pg, { kind: 'reduce', dtype: DTYPE_CODE[tensor.dtype], op: opc, root, n: tensor.numel(), ptr: b.ptr }, [tensor, b.t], () => {
    if (pg.rank === root) { if (opc === 1) b.t.detach().div_(pg.size); b.back(); }
  }, opts.asyncOp);
}

function checkList(op: string, list: unknown, n: number, like: Tensor, what: string): Tensor[] {
  if (!Array.isArray(list)) throw new TypeError(`${op}: ${what} must be an array of tensors`);
  if (list.length !== n) throw new TorchError(`${op}: ${what} must have ${n} tensors (one per rank of the group), got ${list.length}`);
  list.forEach((t, i) => {
    checkTensor(op, t, `${what}[${i}]`);
    if (t.dtype !== like.dtype || t.numel() !== like.numel()) throw new TorchError(`${op}: ${what}[${i}] is ${desc(t)}, but the input is ${desc(like)} (same dtype and number of elements expected)`);
  });
  return list as Tensor[];
}

/** Gathers `tensor` of every rank into `tensorList` (one tensor per rank, in group-rank order). */
export function allGather(tensorList: Tensor[], tensor: Tensor, opts: CollectiveOptions = {}): Work | undefined {
  const op = 'allGather';
  checkOpts(op, opts);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const outs = checkList(op, tensorList, pg.size, tensor, 'tensorList');
  checkAgreement(op, pg, tensor, 0, -1);
  const inp = bufOf(op, pg, tensor);
  const n = tensor.numel();
  const out = empty([pg.size * n], { dtype: tensor.dtype, device: pg.device });
  return run(op, pg, { kind: 'allgather', dtype: DTYPE_CODE[tensor.dtype], n, ptr: inp.ptr, out: ptrOf(out) }, [tensor, inp.t, out, outs], () => {
    outs.forEach((t, i) => noGradCopy(t, out.narrow(0, i * n, n).view(t.shape)));
  }, opts.asyncOp);
}

/** Gathers into one tensor: `output` has size * tensor.numel() elements (e.g. [size * n0, ...] or [size, ...]). */
export function allGatherIntoTensor(output: Tensor, tensor: Tensor, opts: CollectiveOptions = {}): Work | undefined {
  const op = 'allGatherIntoTensor';
  checkOpts(op, opts);
  checkTensor(op, output, 'output');
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  if (output.dtype !== tensor.dtype || output.numel() !== pg.size * tensor.numel()) {
    throw new TorchError(`${op}: output tensor size must be equal to world_size times input tensor size (output ${desc(output)}, input ${desc(tensor)}, world size ${pg.size})`);
  }
  checkAgreement(op, pg, tensor, 0, -1);
  const inp = bufOf(op, pg, tensor);
  const out = bufOf(op, pg, output, false);
  return run(op, pg, { kind: 'allgather', dtype: DTYPE_CODE[tensor.dtype], n: tensor.numel(), ptr: inp.ptr, out: out.ptr }, [tensor, output, inp.t, out.t], () => out.back(), opts.asyncOp);
}

/** Reduces the i-th tensor of every rank's `inputList` and leaves the result on rank i's `output`. */
export function reduceScatter(output: Tensor, inputList: Tensor[], opts: CollectiveOptions & { op?: ReduceOpName | string } = {}): Work | undefined {
  const op = 'reduceScatter';
  checkOpts(op, opts, ['op']);
  checkTensor(op, output, 'output');
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const ins = checkList(op, inputList, pg.size, output, 'inputList');
  ins.forEach((t) => checkDevice(op, pg, t));
  checkDevice(op, pg, output);
  const flat = cat(ins.map((t) => t.detach().to(pg.device).reshape([-1])));
  return reduceScatterFlat(op, pg, output, flat, opts);
}

/** Reduces `input` (size * output.numel() elements) across ranks; rank i keeps chunk i in `output`. */
export function reduceScatterTensor(output: Tensor, input: Tensor, opts: CollectiveOptions & { op?: ReduceOpName | string } = {}): Work | undefined {
  const op = 'reduceScatterTensor';
  checkOpts(op, opts, ['op']);
  checkTensor(op, output, 'output');
  checkTensor(op, input, 'input');
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  if (output.dtype !== input.dtype || input.numel() !== pg.size * output.numel()) {
    throw new TorchError(`${op}: input tensor must be the same size as output size times world size (input ${desc(input)}, output ${desc(output)}, world size ${pg.size})`);
  }
  checkDevice(op, pg, input);
  checkDevice(op, pg, output);
  return reduceScatterFlat(op, pg, output, input.detach().to(pg.device).contiguous().reshape([-1]).clone(), opts);
}

// Gloo has no reduce-scatter for arbitrary types: all-reduce the whole buffer, keep this rank's chunk
function reduceScatterFlat(op: string, pg: ProcessGroup, output: Tensor, flat: Tensor, opts: CollectiveOptions & { op?: string }): Work | undefined {
  const opc = opCode(op, opts.op ?? 'sum');
  if (opc === 1 && !isFloating(output.dtype)) throw new TorchError(`${op}: ReduceOp.AVG needs a floating-point tensor, got ${output.dtype}`);
  checkAgreement(op, pg, flat, opc, -1);
  const n = output.numel();
  return run(op, pg, { kind: 'allreduce', dtype: DTYPE_CODE[flat.dtype], op: opc, n: flat.numel(), ptr: ptrOf(flat) }, [output, flat], () => {
    const mine = flat.narrow(0, pg.rank * n, n);
    if (opc === 1) mine.div_(pg.size);
    noGradCopy(output, mine.view(output.shape));
  }, opts.asyncOp);
}

/** Gathers every rank's `tensor` into `gatherList` on rank `dst` (other ranks pass no list). */
export function gather(tensor: Tensor, gatherList: Tensor[] | null | undefined, dst = 0, opts: CollectiveOptions = {}): Work | undefined {
  const op = 'gather';
  checkOpts(op, opts);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const root = rootOf(op, pg, dst, 'dst');
  let outs: Tensor[] = [];
  if (pg.rank === root) outs = checkList(op, gatherList, pg.size, tensor, 'gatherList');
  else if (gatherList && gatherList.length) throw new TorchError(`${op}: Argument \`gather_list\` must NOT be specified on non-destination ranks.`);
  checkAgreement(op, pg, tensor, 0, root);
  const inp = bufOf(op, pg, tensor);
  const n = tensor.numel();
  const out = pg.rank === root ? empty([pg.size * n], { dtype: tensor.dtype, device: pg.device }) : null;
  return run(op, pg, { kind: 'gather', dtype: DTYPE_CODE[tensor.dtype], root, n, ptr: inp.ptr, ...(out ? { out: ptrOf(out) } : {}) }, [tensor, inp.t, out, outs], () => {
    if (out) outs.forEach((t, i) => noGradCopy(t, out.narrow(0, i * n, n).view(t.shape)));
  }, opts.asyncOp);
}

/** Rank `src` sends scatterList[i] to rank i, which receives it into `tensor`. */
export function scatter(tensor: Tensor, scatterList: Tensor[] | null | undefined, src = 0, opts: CollectiveOptions = {}): Work | undefined {
  const op = 'scatter';
  checkOpts(op, opts);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  const root = rootOf(op, pg, src, 'src');
  let ins: Buf[] = [];
  if (pg.rank === root) ins = checkList(op, scatterList, pg.size, tensor, 'scatterList').map((t) => bufOf(op, pg, t));
  else if (scatterList && scatterList.length) throw new TorchError(`${op}: Argument \`scatter_list\` must NOT be specified on non-source ranks.`);
  checkAgreement(op, pg, tensor, 0, root);
  const out = bufOf(op, pg, tensor, false);
  return run(op, pg, { kind: 'scatter', dtype: DTYPE_CODE[tensor.dtype], root, n: tensor.numel(), ptr: out.ptr, ...(ins.length ? { ptrs: ins.map((b) => b.ptr) } : {}) },
    [tensor, out.t, ins.map((b) => b.t), scatterList], () => out.back(), opts.asyncOp);
}

/** Blocks until every rank of the group has reached it. */
export function barrier(opts: CollectiveOptions = {}): Work | undefined {
  const op = 'barrier';
  checkOpts(op, opts);
  const pg = groupOf(op, opts.group);
  if (!pg) return undefined;
  return run(op, pg, { kind: 'barrier', dtype: 0 }, null, null, opts.asyncOp);
}

// ---------------------------------------------------------------- point to point

export interface P2POptions { group?: Group | null; tag?: number }
function p2p(op: string, kind: 'send' | 'recv', tensor: Tensor, peer: number | undefined, opts: P2POptions = {}): Work {
  if (opts !== null && typeof opts === 'object') for (const k of Object.keys(opts)) if (!['group', 'tag'].includes(k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}' (expected group, tag)`);
  checkTensor(op, tensor);
  const pg = groupOf(op, opts.group);
  if (!pg) return new Work(op, null, null, null);
  let gp = -1;
  if (peer !== undefined && peer !== null) {
    gp = rootOf(op, pg, peer, kind === 'send' ? 'dst' : 'src');
    if (gp === pg.rank) throw new TorchError(`${op}: Invalid ${kind === 'send' ? 'destination' : 'source'} rank: should not use rank ${peer}, the rank of this process`);
  } else if (kind === 'send') throw new TorchError(`${op}: dst is required`);
  const tag = opts.tag ?? 0;
  if (!Number.isInteger(tag) || tag < 0) throw new TorchError(`${op}: tag must be a non-negative integer, got ${String(tag)}`);
  const b = bufOf(op, pg, tensor, kind === 'send');
  const g = pg._engine;
  let w: object;
  try { w = g.p2p(pg._handle as object, { kind, ptr: b.ptr, nbytes: tensor.numel() * ITEMSIZE[tensor.dtype], peer: gp, tag }); } catch (e) { throw new TorchError(`${op}: ${(e as Error).message}`, { cause: e }); }
  return new Work(op, w, [tensor, b.t], kind === 'recv' ? () => b.back() : null, g);
}
export function send(tensor: Tensor, dst: number, opts: P2POptions = {}): void { p2p('send', 'send', tensor, dst, opts).wait(); }
/** Receives into `tensor` from `src` (any rank when omitted); returns the sender's rank. */
export function recv(tensor: Tensor, src?: number | null, opts: P2POptions = {}): number {
  const w = p2p('recv', 'recv', tensor, src ?? undefined, opts);
  w.wait();
  const pg = groupOf('recv', opts.group);
  const s = w.sourceRank();
  return pg && s >= 0 ? pg.ranks[s] : s;
}
export function isend(tensor: Tensor, dst: number, opts: P2POptions = {}): Work { return p2p('isend', 'send', tensor, dst, opts); }
export function irecv(tensor: Tensor, src?: number | null, opts: P2POptions = {}): Work { return p2p('irecv', 'recv', tensor, src ?? undefined, opts); }

// ---------------------------------------------------------------- objects

// Objects travel as V8's structured serialization (PyTorch pickles them): plain data, arrays, Maps, Sets, typed
// arrays, Dates; functions and class instances other than these cannot be sent.
function serialize(op: string, obj: unknown): Uint8Array {
  try { return new Uint8Array(v8.serialize(obj)); } catch (e) { throw new TorchError(`${op}: the object cannot be serialized (${(e as Error).message})`); }
}
function bytesTensor(b: Uint8Array, n: number): Tensor {
  const t = empty([Math.max(n, 1)], { dtype: 'uint8' });
  if (b.length) native.write(t._st.handle, 0, b);
  return t;
}
function readBytes(t: Tensor, off: number, n: number): Buffer {
  return Buffer.from(native.read(t._st.handle, t._offset + off, n));
}

/** Fills `objectList` (length = group size) with every rank's `obj`. */
export function allGatherObject(objectList: unknown[], obj: unknown, opts: { group?: Group | null } = {}): void {
  const op = 'allGatherObject';
  checkOpts(op, opts);
  if (!Array.isArray(objectList)) throw new TypeError(`${op}: objectList must be an array`);
  const pg = groupOf(op, opts.group);
  if (!pg) return;
  if (objectList.length !== pg.size) throw new TorchError(`${op}: objectList must have ${pg.size} entries (one per rank), got ${objectList.length}`);
  const mine = serialize(op, obj);
  const dev = pg.device;
  const sizes = empty([pg.size], { dtype: 'int64', device: dev });
  allGatherIntoTensor(sizes, tensorFrom([mine.length]).to(dev), { group: pg });
  const ls = sizes.tolist() as number[];
  const max = Math.max(1, ...ls);
  const all = empty([pg.size * max], { dtype: 'uint8', device: dev });
  allGatherIntoTensor(all, bytesTensor(mine, max).narrow(0, 0, max).to(dev), { group: pg });
  const host = all.to('cpu');
  for (let r = 0; r < pg.size; r++) objectList[r] = v8.deserialize(readBytes(host, r * max, ls[r]));
}

/** Replaces the entries of `objectList` on every rank with those of rank `src`. */
export function broadcastObjectList(objectList: unknown[], src = 0, opts: { group?: Group | null } = {}): void {
  const op = 'broadcastObjectList';
  checkOpts(op, opts);
  if (!Array.isArray(objectList)) throw new TypeError(`${op}: objectList must be an array`);
  const pg = groupOf(op, opts.group);
  if (!pg) return;
  const root = rootOf(op, pg, src, 'src');
  const n = objectList.length;
  const parts = pg.rank === root ? objectList.map((o) => serialize(op, o)) : [];
  const dev = pg.device;
  const sizes = pg.rank === root ? tensorFrom(parts.map((p) => p.length)).to(dev) : empty([n], { dtype: 'int64', device: dev });
  if (n === 0) return;
  broadcast(sizes, src, { group: pg });
  const ls = sizes.tolist() as number[];
  const total = ls.reduce((a, b) => a + b, 0);
  const joined = new Uint8Array(total);
  if (pg.rank === root) { let o = 0; for (const p of parts) { joined.set(p, o); o += p.length; } }
  const bytes = bytesTensor(joined, total).to(dev);
  broadcast(bytes, src, { group: pg });
  const host = bytes.to('cpu');
  let o = 0;
  for (let i = 0; i < n; i++) { objectList[i] = v8.deserialize(readBytes(host, o, ls[i])); o += ls[i]; }
}

export { sleepMs as _sleepMs };

/** internal (DDP): an all-reduce (SUM) of a contiguous CPU tensor in place, without the agreement check. */
export function _allReduceFlat(flat: Tensor, group?: Group | null): Work {
  const pg = groupOf('allReduce', group);
  if (!pg) return new Work('allReduce', null, null, null, null);
  return run('allReduce', pg, { kind: 'allreduce', dtype: DTYPE_CODE[flat.dtype], op: 0, n: flat.numel(), ptr: ptrOf(flat) }, [flat], () => { flat._st.version++; }, true) as Work;
}
/** internal (DDP): the ProcessGroup a group argument stands for (null for a non-member). */
export function _groupOf(op: string, group?: Group | null): ProcessGroup | null { return groupOf(op, group); }
