// cuda_stream.ts - torch.cuda.Stream, torch.cuda.Event and the current stream (PyTorch's semantics).
//
// A Stream is (device, id) over the native per-device pool (cuda/stream.cu): id 0 is the device's default stream,
// `new torch.cuda.Stream()` takes the next pooled non-blocking stream of its priority, as PyTorch's. The *current*
// stream of each device, on which every kernel, memset and copy of the CUDA backend is queued, is set by
// `torch.cuda.stream(s, fn)` for the call (or by the guard it returns, for `using`), or by `torch.cuda.setStream(s)`.
// Note [stream scopes]: a synchronous fn (or a guard) sets the native current stream at once and restores it after;
// an async fn runs in its own asynchronous context (AsyncLocalStorage, as noGrad and autocast), so the stream holds
// across its awaits while code running concurrently keeps its own. The native side has one current stream per host
// thread and device, so once any async scope exists, every kernel call first makes the native current streams those
// of the context running now (cudaStreamHook in tensor.ts: a boolean test per call until then).
import { AsyncLocalStorage } from 'async_hooks';
import { native } from './native';
import { TorchError, checkKeys } from './errors';
import { Device, currentCudaIndex, setCurrentCudaIndex } from './device';
import { cudaStreamHook } from './tensor';

type StreamTable = (Stream | undefined)[]; // per device index: the current stream (undefined: the default stream)

const api = (what: string, ...a: unknown[]): unknown => native.cudaStreams(what, ...a);

let built: boolean | undefined;
let count: number | undefined; // devices do not come and go within a process
function deviceCount(): number {
  if (built === undefined) built = native.info().cudaBuilt;
  if (!built) return 0;
  if (count === undefined) { try { count = native.cuda('count') as number; } catch { count = 0; } }
  return count;
}
function cudaOK(op: string): void {
  if (deviceCount() > 0) return;
  if (!built) throw new TorchError(`${op}: Torch not compiled with CUDA enabled`);
  throw new TorchError(`${op}: CUDA is not available (no CUDA device; torch.cuda.diagnose() says why)`);
}

/** the device index of a device argument (undefined: the current device), checked against the devices present */
export function streamDeviceIndex(op: string, device?: number | string | Device | null): number {
  cudaOK(op);
  let i: number;
  if (device === undefined || device === null) i = currentCudaIndex();
  else if (typeof device === 'number') i = device;
  else {
    const d = device instanceof Device ? device : new Device(device);
    if (d.type !== 'cuda') throw new TorchError(`${op}: Expected a cuda device, but got: ${d.toString()}`);
    i = d.index ?? currentCudaIndex();
  }
  const n = deviceCount();
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new TorchError(`${op}: CUDA error: invalid device ordinal (device ${String(device)}, but ${n} device${n === 1 ? '' : 's'} ${n === 1 ? 'is' : 'are'} available)`);
  }
  return i;
}

// ---------------------------------------------------------------- the current stream
const base: StreamTable = [];
let als: AsyncLocalStorage<StreamTable> | null = null;
const table = (): StreamTable => (als === null ? base : als.getStore() ?? base);
const nativeCur: number[] = []; // the stream id the native side has as current, per device

function setNative(dev: number, id: number): void {
  if ((nativeCur[dev] ?? 0) === id) return;
  api('set', dev, id);
  nativeCur[dev] = id;
}
// makes the native current streams those of the running context (Note [stream scopes])
function applyContext(): void {
  const t = table();
  const n = Math.max(t.length, nativeCur.length);
  for (let d = 0; d < n; d++) setNative(d, t[d]?._id ?? 0);
}
cudaStreamHook.apply = applyContext;

const defaults: Stream[] = [];

export class Stream {
  readonly device: Device;
  /** -1 (high) or 0 (low, the default), as PyTorch's Stream(priority) */
  readonly priority: number;
  /** the stream's index in its device's pool (0: the default stream) */
  readonly _id: number;
  readonly _dev: number;

  constructor(opts: { device?: number | string | Device; priority?: number } = {}) {
    checkKeys('torch.cuda.Stream', opts, ['device', 'priority', '_id']);
    const dev = streamDeviceIndex('torch.cuda.Stream', opts.device);
    const p = opts.priority ?? 0;
    if (typeof p !== 'number' || !Number.isInteger(p)) throw new TypeError(`torch.cuda.Stream(): priority must be an integer, got ${String(p)}`);
    const given = (opts as { _id?: number })._id;
    this._dev = dev;
    this.device = new Device('cuda', dev);
    this.priority = p < 0 ? -1 : 0;
    this._id = given !== undefined ? given : (api('new', dev, this.priority) as number);
  }
  /** Blocks until all work queued on this stream has run. */
  synchronize(): void { applyIfActive(); api('sync', this._dev, this._id); }
  /** Whether all work queued on this stream has run. */
  query(): boolean { return api('query', this._dev, this._id) as boolean; }
  /** Work queued on this stream from now on waits for the work queued on `stream` so far. */
  waitStream(stream: Stream): void {
    if (!(stream instanceof Stream)) throw new TypeError(`Stream.waitStream(): expected a torch.cuda.Stream, got ${describe(stream)}`);
    api('waitStream', this._dev, this._id, stream._dev, stream._id);
  }
  /** Work queued on this stream from now on waits for `event`. */
  waitEvent(event: Event): void {
    if (!(event instanceof Event)) throw new TypeError(`Stream.waitEvent(): expected a torch.cuda.Event, got ${describe(event)}`);
    event.wait(this);
  }
  /** Records `event` (a new one by default) on this stream and returns it. */
  recordEvent(event?: Event): Event {
    const e = event ?? new Event();
    if (!(e instanceof Event)) throw new TypeError(`Stream.recordEvent(): expected a torch.cuda.Event, got ${describe(e)}`);
    e.record(this);
    return e;
  }
  equals(o: unknown): boolean { return o instanceof Stream && o._dev === this._dev && o._id === this._id; }
  /** an identifier of the stream (PyTorch's stream_id): unique per device */
  get streamId(): number { return this._id; }
  toString(): string { return `<torch.cuda.Stream device=cuda:${this._dev} stream_id=${this._id}>`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

function describe(x: unknown): string { return x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'object' : typeof x; }
function applyIfActive(): void { if (cudaStreamHook.active) applyContext(); }

/** The default stream of a device (the current device by default). */
export function defaultStream(device?: number | string | Device): Stream {
  const d = streamDeviceIndex('torch.cuda.defaultStream', device);
  return (defaults[d] ??= new Stream({ device: d, _id: 0 } as { device: number }));
}
/** The current stream of a device (the current device by default). */
export function currentStream(device?: number | string | Device): Stream {
  const d = streamDeviceIndex('torch.cuda.currentStream', device);
  return table()[d] ?? defaultStream(d);
}
/** Makes `s` the current stream of its device (in the running asynchronous context, see torch.cuda.stream). */
export function setStream(s: Stream | null): void {
  if (s === null || s === undefined) return;
  if (!(s instanceof Stream)) throw new TypeError(`torch.cuda.setStream(): expected a torch.cuda.Stream, got ${describe(s)}`);
  const t = table();
  t[s._dev] = s._id === 0 ? undefined : s;
  if (s._dev !== currentCudaIndex()) setCurrentCudaIndex(s._dev);
  setNative(s._dev, s._id);
}

type Guard = { [Symbol.dispose](): void; dispose(): void };
const isAsyncFunction = (fn: unknown): boolean => typeof fn === 'function' && (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncFunction';

/**
 * torch.cuda.stream(s, fn): runs fn with `s` as the current stream of its device (and its device as the current
 * device), restoring both after, also after an async fn settles. Without fn: a guard for `using`. s null: no change.
 */
export function stream(s: Stream | null): Guard;
export function stream<R>(s: Stream | null, fn: () => R): R;
export function stream<R>(s: Stream | null, fn?: () => R): R | Guard {
  if (s !== null && s !== undefined && !(s instanceof Stream)) throw new TypeError(`torch.cuda.stream(): expected a torch.cuda.Stream or null, got ${describe(s)}`);
  if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`torch.cuda.stream(): fn must be a function, got ${describe(fn)}`);
  if (!s) {
    if (fn === undefined) { const g = { dispose: (): void => {}, [Symbol.dispose]: (): void => {} }; return g; }
    return fn();
  }
  const prevDev = currentCudaIndex();
  if (fn !== undefined && isAsyncFunction(fn)) {
    const store = table().slice();
    store[s._dev] = s._id === 0 ? undefined : s;
    cudaStreamHook.active = true;
    als ??= new AsyncLocalStorage<StreamTable>();
    if (s._dev !== prevDev) setCurrentCudaIndex(s._dev);
    const p = als.run(store, fn) as unknown as Promise<unknown>;
    applyContext(); // back in the caller's context: its streams again
    return p.finally(() => { if (s._dev !== prevDev) setCurrentCudaIndex(prevDev); applyIfActive(); }) as unknown as R;
  }
  const t = table();
  const prev = t[s._dev];
  t[s._dev] = s._id === 0 ? undefined : s;
  if (s._dev !== prevDev) setCurrentCudaIndex(s._dev);
  setNative(s._dev, s._id);
  const restore = (): void => {
    t[s._dev] = prev;
    if (s._dev !== prevDev) setCurrentCudaIndex(prevDev);
    if (cudaStreamHook.active) applyContext(); else setNative(s._dev, prev?._id ?? 0);
  };
  if (fn === undefined) return { dispose: restore, [Symbol.dispose]: restore };
  let r: R;
  try { r = fn(); } catch (e) { restore(); throw e; }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') return (r as unknown as Promise<unknown>).finally(restore) as unknown as R;
  restore();
  return r;
}

// ---------------------------------------------------------------- events
export interface EventOptions { enableTiming?: boolean; blocking?: boolean; interprocess?: boolean }

export class Event {
  readonly enableTiming: boolean;
  readonly blocking: boolean;
  readonly _h: unknown;
  constructor(opts: EventOptions = {}) {
    checkKeys('torch.cuda.Event', opts, ['enableTiming', 'blocking', 'interprocess']);
    cudaOK('torch.cuda.Event');
    if (opts.interprocess) throw new TorchError('torch.cuda.Event: interprocess events (CUDA IPC) are not supported by nodetorch');
    this.enableTiming = !!opts.enableTiming;
    this.blocking = !!opts.blocking;
    this._h = api('eventNew', this.enableTiming, this.blocking);
  }
  /** Records the event on `stream` (the current stream by default). */
  record(stream?: Stream): void {
    const s = stream ?? currentStream();
    if (!(s instanceof Stream)) throw new TypeError(`Event.record(): expected a torch.cuda.Stream, got ${describe(s)}`);
    api('eventRecord', this._h, s._dev, s._id);
  }
  /** Work queued on `stream` (the current stream by default) from now on waits for this event. */
  wait(stream?: Stream): void {
    const s = stream ?? currentStream();
    if (!(s instanceof Stream)) throw new TypeError(`Event.wait(): expected a torch.cuda.Stream, got ${describe(s)}`);
    api('eventWait', this._h, s._dev, s._id);
  }
  /** Whether the work before the event's record has run (true for an event never recorded). */
  query(): boolean { return api('eventQuery', this._h) as boolean; }
  /** Blocks until the work before the event's record has run. */
  synchronize(): void { api('eventSync', this._h); }
  /** Milliseconds between this event and `end` (both recorded and completed; both made with enableTiming). */
  elapsedTime(end: Event): number {
    if (!(end instanceof Event)) throw new TypeError(`Event.elapsedTime(): expected a torch.cuda.Event, got ${describe(end)}`);
    return api('eventElapsed', this._h, end._h) as number;
  }
  /** the device of the stream it was first recorded on (null before) */
  get device(): Device | null { const d = api('eventDevice', this._h) as number; return d < 0 ? null : new Device('cuda', d); }
  toString(): string { return `<torch.cuda.Event${this.enableTiming ? ' enableTiming' : ''}>`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
