// store.ts - torch.distributed's key-value stores: TCPStore (server on native threads, in the core addon), FileStore
// and PrefixStore. The rendezvous of every process group goes through one of them (the Gloo addon opens its own
// connection to the same store from `spec`, so these classes are also how a group finds its store).
import { pathStr } from '../fsutil';
import { native } from '../native';
import { TorchError } from '../errors';

export const DEFAULT_STORE_TIMEOUT_MS = 300_000; // PyTorch's default store timeout (5 minutes)

/** Where a native consumer (the Gloo addon) can open the same store again. */
export interface StoreSpec { kind: 'tcp' | 'file'; where: string; port: number; prefix: string }

type Handle = object;
interface StoreApi {
  serverStart(host: string, port: number): [object, number];
  serverStop(h: object): void;
  connect(kind: string, where: string, port: number, timeoutMs: number): Handle;
  close(h: Handle): void;
  set(h: Handle, k: string, v: string | Uint8Array): void;
  get(h: Handle, k: string, timeoutMs: number): Buffer;
  add(h: Handle, k: string, d: number): number;
  compareSet(h: Handle, k: string, e: string | Uint8Array, d: string | Uint8Array): Buffer;
  check(h: Handle, keys: string[]): boolean;
  wait(h: Handle, keys: string[], timeoutMs: number): void;
  deleteKey(h: Handle, k: string): boolean;
  numKeys(h: Handle): number;
}
let wrapped: StoreApi | null = null;
/** The native store functions; their failures (timeouts, refused connections, a closed peer) become TorchErrors. */
export const storeApi = (): StoreApi => {
  if (wrapped) return wrapped;
  const raw = (native as unknown as { store: StoreApi }).store;
  const w: Record<string, unknown> = {};
  for (const k of Object.keys(raw) as (keyof StoreApi)[]) {
    const f = raw[k] as (...a: unknown[]) => unknown;
    w[k] = (...a: unknown[]): unknown => {
      try { return f(...a); } catch (e) {
        // (native errors may come from another realm, e.g. under jest: test by name rather than instanceof)
        const err = e as { name?: unknown; message?: unknown };
        if (!err || err.name !== 'Error' || typeof err.message !== 'string') throw e;
        throw new TorchError(err.message, { cause: e });
      }
    };
  }
  return (wrapped = w as unknown as StoreApi);
};

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export const sleepMs = (ms: number): void => { Atomics.wait(sleepCell, 0, 0, ms); };

function checkTimeout(op: string, t: unknown): number {
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw new TorchError(`${op}: timeout must be a positive number of milliseconds, got ${String(t)}`);
  return Math.round(t);
}
function checkKey(op: string, k: unknown): string {
  if (typeof k !== 'string') throw new TypeError(`${op}: key must be a string, got ${k === null ? 'null' : typeof k}`);
  return k;
}
function checkValue(op: string, v: unknown): string | Uint8Array {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  throw new TypeError(`${op}: value must be a string or a Uint8Array/Buffer, got ${v === null ? 'null' : typeof v}`);
}

/** The store interface of torch.distributed (PyTorch's c10d::Store). Timeouts are in milliseconds. */
export abstract class Store {
  /** the default timeout of get/wait, in milliseconds */
  timeout: number = DEFAULT_STORE_TIMEOUT_MS;
  abstract readonly spec: StoreSpec;
  protected abstract h(): Handle;
  protected abstract prefix(): string;
  setTimeout(ms: number): void { this.timeout = checkTimeout('Store.setTimeout', ms); }
  set(key: string, value: string | Uint8Array): void { storeApi().set(this.h(), this.prefix() + checkKey('Store.set', key), checkValue('Store.set', value)); }
  /** Waits up to the store's timeout for the key. */
  get(key: string): Buffer { return storeApi().get(this.h(), this.prefix() + checkKey('Store.get', key), this.timeout); }
  /** Adds to a counter (created at 0) and returns its new value. */
  add(key: string, amount: number): number {
    if (!Number.isInteger(amount)) throw new TypeError(`Store.add: amount must be an integer, got ${String(amount)}`);
    return storeApi().add(this.h(), this.prefix() + checkKey('Store.add', key), amount);
  }
  compareSet(key: string, expected: string | Uint8Array, desired: string | Uint8Array): Buffer {
    return storeApi().compareSet(this.h(), this.prefix() + checkKey('Store.compareSet', key), checkValue('Store.compareSet', expected), checkValue('Store.compareSet', desired));
  }
  /** Waits until every key exists (timeout in ms, default the store's). */
  wait(keys: string[], timeout?: number): void {
    if (!Array.isArray(keys)) throw new TypeError('Store.wait: keys must be an array of strings');
    storeApi().wait(this.h(), keys.map((k) => this.prefix() + checkKey('Store.wait', k)), timeout === undefined ? this.timeout : checkTimeout('Store.wait', timeout));
  }
  check(keys: string[]): boolean {
    if (!Array.isArray(keys)) throw new TypeError('Store.check: keys must be an array of strings');
    return storeApi().check(this.h(), keys.map((k) => this.prefix() + checkKey('Store.check', k)));
  }
  deleteKey(key: string): boolean { return storeApi().deleteKey(this.h(), this.prefix() + checkKey('Store.deleteKey', key)); }
  numKeys(): number { return storeApi().numKeys(this.h()); }
}

export interface TCPStoreOptions { worldSize?: number; isMaster?: boolean; timeout?: number; waitForWorkers?: boolean }

/**
 * PyTorch's TCPStore: `new TCPStore(hostName, port, worldSize?, isMaster?, timeout?, waitForWorkers?)` or
 * `new TCPStore(hostName, port, { worldSize, isMaster, timeout, waitForWorkers })`. The master runs the server (port 0:
 * any free port, read back from `.port`) on native threads; with `worldSize` and `waitForWorkers` it waits until that
 * many stores (itself included) have connected.
 */
export class TCPStore extends Store {
  readonly host: string;
  readonly port: number;
  readonly spec: StoreSpec;
  private handle: Handle | null;
  private server: object | null = null;
  constructor(hostName: string, port: number, worldSize?: number | TCPStoreOptions | null, isMaster?: boolean, timeout?: number, waitForWorkers?: boolean) {
    super();
    let o: TCPStoreOptions = {};
    if (worldSize !== null && typeof worldSize === 'object') o = worldSize;
    else o = { worldSize: worldSize ?? undefined, isMaster, timeout, waitForWorkers };
    for (const k of Object.keys(o)) if (!['worldSize', 'isMaster', 'timeout', 'waitForWorkers'].includes(k)) throw new TypeError(`TCPStore: unexpected option '${k}'`);
    if (typeof hostName !== 'string' || !hostName) throw new TypeError('TCPStore: hostName must be a non-empty string');
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TorchError(`TCPStore: port must be an integer in [0, 65535], got ${String(port)}`);
    if (o.worldSize !== undefined && (!Number.isInteger(o.worldSize) || o.worldSize < 1)) throw new TorchError(`TCPStore: worldSize must be a positive integer, got ${String(o.worldSize)}`);
    if (o.timeout !== undefined) this.timeout = checkTimeout('TCPStore', o.timeout);
    let p = port;
    if (o.isMaster) {
      const [srv, bound] = storeApi().serverStart('', port);
      this.server = srv;
      p = bound;
    } else if (port === 0) {
      throw new TorchError('TCPStore: a client needs the server\'s port (port 0 is only for the master)');
    }
    this.host = hostName;
    this.port = p;
    this.spec = { kind: 'tcp', where: hostName, port: p, prefix: '' };
    this.handle = storeApi().connect('tcp', o.isMaster ? '127.0.0.1' : hostName, p, this.timeout);
    if (o.worldSize !== undefined && o.waitForWorkers !== false) {
      storeApi().add(this.handle, '/nodetorch/tcpstore/workers', 1);
      if (o.isMaster) {
        const deadline = Date.now() + this.timeout;
        while (storeApi().add(this.handle, '/nodetorch/tcpstore/workers', 0) < o.worldSize) {
          if (Date.now() > deadline) {
            const n = storeApi().add(this.handle, '/nodetorch/tcpstore/workers', 0);
            throw new TorchError(`TCPStore: timed out after ${this.timeout} ms waiting for ${o.worldSize} workers to connect (${n} did)`);
          }
          sleepMs(5);
        }
      }
    }
  }
  protected h(): Handle {
    if (!this.handle) throw new TorchError('TCPStore: the store has been closed');
    return this.handle;
  }
  protected prefix(): string { return ''; }
  /** Closes the connection, and stops the server if this store runs it. */
  close(): void {
    if (this.handle) storeApi().close(this.handle);
    this.handle = null;
    if (this.server) storeApi().serverStop(this.server);
    this.server = null;
  }
}

/** PyTorch's FileStore: a store in one file shared by all ranks (removed when the last user closes it). */
export class FileStore extends Store {
  readonly path: string;
  readonly spec: StoreSpec;
  private handle: Handle | null;
  constructor(fileName0: string | URL | Buffer, worldSize?: number) {
    super();
    const fileName = pathStr(fileName0, 'FileStore', 'fileName');
    if (worldSize !== undefined && worldSize !== -1 && (!Number.isInteger(worldSize) || worldSize < 1)) throw new TorchError(`FileStore: worldSize must be a positive integer, got ${String(worldSize)}`);
    this.path = fileName;
    this.spec = { kind: 'file', where: fileName, port: 0, prefix: '' };
    this.handle = storeApi().connect('file', fileName, 0, this.timeout);
  }
  protected h(): Handle {
    if (!this.handle) throw new TorchError('FileStore: the store has been closed');
    return this.handle;
  }
  protected prefix(): string { return ''; }
  close(): void { if (this.handle) storeApi().close(this.handle); this.handle = null; }
}

/** PyTorch's PrefixStore: every key of `store` behind `prefix + '/'`. */
export class PrefixStore extends Store {
  readonly base: Store;
  readonly pre: string;
  readonly spec: StoreSpec;
  constructor(prefix: string, store: Store) {
    super();
    if (typeof prefix !== 'string') throw new TypeError('PrefixStore: prefix must be a string');
    if (!(store instanceof Store)) throw new TypeError('PrefixStore: store must be a TCPStore, FileStore or PrefixStore');
    this.base = store;
    this.pre = prefix + '/';
    this.timeout = store.timeout;
    this.spec = { ...store.spec, prefix: store.spec.prefix + this.pre };
  }
  protected h(): Handle { return (this.base as unknown as { h(): Handle }).h(); }
  protected prefix(): string { return (this.base as unknown as { prefix(): string }).prefix() + this.pre; }
}
