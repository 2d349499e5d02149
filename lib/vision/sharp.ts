// sharp.ts - the optional sharp (libvips + libjpeg-turbo/mozjpeg, libpng) image codec behind nodetorch/vision's io.
// With sharp, JPEG decoding gives PIL's pixels exactly (both are libjpeg-turbo with its defaults: ISLOW IDCT and
// "fancy" triangle chroma upsampling), JPEG encoding writes files that decode to the same pixels as PIL's own, and
// PNG is exact. Without sharp (not installed, its prebuilt binary does not load here, or NODETORCH_NO_SHARP=1), io.ts
// uses its pure-JavaScript codecs (pngjs, jpeg-js).
//
// Note [Synchronous sharp]
// sharp only has an asynchronous API, and io.readImage / decodeImage / encodePng ... are synchronous as torchvision's.
// The synchronous functions hand the work to one helper worker thread (per calling thread, started on first use) and
// block in Atomics.wait until it answers: the request goes over a MessageChannel, the worker runs sharp, posts the
// result (its pixel buffer transferred, not copied), then flips a shared flag and notifies; the caller wakes and takes
// the result with receiveMessageOnPort, which reads a port without the event loop. The blocking is what any
// synchronous decoder does; the worker costs one thread and a fraction of a millisecond per call. The asynchronous
// functions (readImageAsync, decodeImageAsync) call sharp directly, so concurrent calls decode in parallel on libuv's
// threads. Both paths run the same recipe code (RECIPE_SRC), so they cannot disagree.
// sharp's notes for glibc Linux ask that the main thread load sharp before worker threads that use it start (its
// shared libraries must outlive them): loadSharp() is called on the main thread whenever a helper starts there, and
// ImageFolder calls preloadSharp() when it builds a DataLoader worker spec.
import { isMainThread, MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { TorchError } from '../errors';

/** What a sharp call does: encoded bytes -> raw pixels, or raw pixels -> PNG/JPEG bytes. Plain data (crosses threads). */
export interface Recipe {
  input: Uint8Array;
  /** `input` is raw interleaved uint8 pixels of this size */
  raw?: { width: number; height: number; channels: number };
  /**
   * output colour space: 'b-w' keeps one grey band, 'grey16' / 'rgb16' keep 16-bit samples; else sharp's default
   * sRGB (grey replicated to 3 bands, alpha kept)
   */
  colourspace?: 'b-w' | 'grey16' | 'rgb16';
  /** raw output of 16-bit samples (native byte order) */
  depth16?: boolean;
  out: { format: 'raw' } | { format: 'png'; compressionLevel: number } | { format: 'jpeg'; quality: number };
}
export interface RecipeResult { data: Uint8Array; width: number; height: number; channels: number }

// The body of `async (sharp, r) => ...`. Decoding: failOn 'error' aborts on corrupt or truncated data as PIL does, but
// not on libjpeg's warnings (extraneous bytes, ...) which PIL also lets pass; ignoreIcc because PIL and torchvision
// return the stored values and never apply an embedded colour profile; EXIF orientation is not applied (as both).
// Encoding: sharp's JPEG defaults are libjpeg's (4:2:0 chroma, standard quantisation tables scaled by quality, ISLOW
// DCT) as PIL's and torchvision's; optimised Huffman tables only make the file smaller.
const RECIPE_SRC = `
  let p = r.raw ? sharp(r.input, { raw: r.raw }) : sharp(r.input, { failOn: 'error', ignoreIcc: true });
  if (r.colourspace) p = p.toColourspace(r.colourspace);
  if (r.out.format === 'raw') p = p.raw(r.depth16 ? { depth: 'ushort' } : {});
  else if (r.out.format === 'png') p = p.png({ compressionLevel: r.out.compressionLevel });
  else if (r.out.format === 'jpeg') p = p.jpeg({ quality: r.out.quality, chromaSubsampling: '4:2:0' });
  else throw new Error('unknown output format ' + r.out.format);
  const o = await p.toBuffer({ resolveWithObject: true });
  return { data: o.data, width: o.info.width, height: o.info.height, channels: o.info.channels };
`;

type SharpFn = (...args: unknown[]) => unknown;
type Runner = (sharp: SharpFn, r: Recipe) => Promise<{ data: Uint8Array; width: number; height: number; channels: number }>;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const runRecipe = new Function('sharp', 'r', `return (async () => {${RECIPE_SRC}})();`) as Runner;

// ---------------------------------------------------------------------------------------------------------------
// loading
// ---------------------------------------------------------------------------------------------------------------
let state: { sharp: SharpFn | null; path: string | null; version: string | null; reason: string } | null = null;
let forced: 'sharp' | 'js' | null = null;

function tryLoad(): NonNullable<typeof state> {
  if (state) return state;
  if (process.env.NODETORCH_NO_SHARP && process.env.NODETORCH_NO_SHARP !== '0') {
    return (state = { sharp: null, path: null, version: null, reason: 'NODETORCH_NO_SHARP is set' });
  }
  try {
    const p = require.resolve('sharp');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(p) as SharpFn & { versions?: { sharp?: string; vips?: string } };
    if (typeof mod !== 'function') throw new Error('the sharp module does not export a function');
    const v = mod.versions ?? {};
    state = { sharp: mod, path: p, version: `sharp ${v.sharp ?? '?'}, libvips ${v.vips ?? '?'}`, reason: '' };
  } catch (e) {
    // not installed (an optional dependency), or its prebuilt binary does not load on this platform
    const msg = (e as Error).message ?? String(e);
    state = { sharp: null, path: null, version: null, reason: `sharp could not be loaded: ${msg.split('\n')[0]}` };
  }
  return state;
}

/** The loaded sharp module, or null when the pure-JS codecs are in use. */
export function loadSharp(): SharpFn | null {
  if (forced === 'js') return null;
  return tryLoad().sharp;
}

/** Loads sharp on the main thread ahead of worker threads that will use it (see Note [Synchronous sharp]). */
export function preloadSharp(): void { if (isMainThread) loadSharp(); }

export interface ImageBackendInfo {
  /** 'sharp' (libvips) or 'js' (pngjs + jpeg-js) */
  backend: 'sharp' | 'js';
  /** versions of sharp and libvips, when loaded */
  version: string | null;
  /** why the JS codecs are used, when they are */
  reason: string;
}

export function backendInfo(): ImageBackendInfo {
  const s = tryLoad();
  if (forced === 'js') return { backend: 'js', version: s.version, reason: "setImageBackend('js')" };
  sharpSync(); // the answer holds for the synchronous functions too: their helper thread must start
  return s.sharp ? { backend: 'sharp', version: s.version, reason: '' } : { backend: 'js', version: null, reason: s.reason };
}

export function setBackend(b: unknown): void {
  if (b === 'js') { forced = 'js'; return; }
  if (b === 'sharp') {
    const s = tryLoad();
    if (!s.sharp) throw new TorchError(`setImageBackend: sharp is not available (${s.reason})`);
    forced = null;
    return;
  }
  throw new TorchError(`setImageBackend: backend must be 'sharp' or 'js', got ${JSON.stringify(b)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// asynchronous: sharp on this thread
// ---------------------------------------------------------------------------------------------------------------
export async function runAsync(r: Recipe): Promise<RecipeResult> {
  const sharp = loadSharp();
  if (!sharp) throw new TorchError('sharp is not available');
  const o = await runRecipe(sharp, r);
  // tensors are made over this memory without a copy (torch.frombuffer): it must be the result's alone
  const d = o.data;
  const data = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? new Uint8Array(d.buffer, 0, d.byteLength) : new Uint8Array(d);
  return { data, width: o.width, height: o.height, channels: o.channels };
}

// ---------------------------------------------------------------------------------------------------------------
// synchronous: sharp on a helper thread (Note [Synchronous sharp])
// ---------------------------------------------------------------------------------------------------------------
const WORKER_SRC = `
'use strict';
const { workerData } = require('worker_threads');
const { port, flag } = workerData;
let sharp = null, loadError = null;
try { sharp = require(workerData.sharpPath); } catch (e) { loadError = e; }
// the handshake: flag[1] = 1 loaded, 2 failed (the message says why)
if (!sharp) port.postMessage({ ok: false, message: String((loadError && loadError.message) || loadError) });
Atomics.store(flag, 1, sharp ? 1 : 2);
Atomics.notify(flag, 1);
const run = async (sharp, r) => {${RECIPE_SRC}};
port.on('message', async (r) => {
  let msg, transfer = [];
  try {
    if (!sharp) throw loadError;
    const o = await run(sharp, r);
    // hand the pixels over without a copy where the buffer is the result's alone
    let d = o.data;
    if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength) d = new Uint8Array(d);
    msg = { ok: true, data: d, width: o.width, height: o.height, channels: o.channels };
    transfer = [d.buffer];
  } catch (e) {
    msg = { ok: false, message: String((e && e.message) || e) };
  }
  try { port.postMessage(msg, transfer); } catch (e) { port.postMessage({ ...msg, data: new Uint8Array(msg.data) }); }
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

interface Bridge { worker: Worker; port: MessagePort; flag: Int32Array }
let bridge: Bridge | null = null;
/** How long a synchronous call waits for the helper before giving up (ms). */
const SYNC_TIMEOUT_MS = 300_000;
/** How long the helper may take to start and load sharp (ms). */
const START_TIMEOUT_MS = 30_000;

// Starts the helper and waits for it to load sharp. A helper that cannot start or load sharp (it loaded on this
// thread, so this is not expected) turns sharp off for this thread, with a warning: the JS codecs take over.
function startBridge(s: NonNullable<typeof state>): Bridge | null {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(8));
  let worker: Worker | null = null, why = '';
  try {
    worker = new Worker(WORKER_SRC, { eval: true, workerData: { port: port2, flag, sharpPath: s.path }, transferList: [port2], stdout: false, stderr: false });
    worker.unref();
    const t0 = Date.now();
    while (Atomics.load(flag, 1) === 0 && Date.now() - t0 < START_TIMEOUT_MS) Atomics.wait(flag, 1, 0, 100);
    const st = Atomics.load(flag, 1);
    if (st === 0) why = `its helper thread did not start within ${START_TIMEOUT_MS / 1000} s`;
    else if (st === 2) why = `its helper thread could not load it: ${String((receiveMessageOnPort(port1)?.message as { message?: string } | undefined)?.message)}`;
  } catch (e) { why = `its helper thread could not start: ${(e as Error).message}`; }
  if (why) {
    if (worker) void worker.terminate();
    s.sharp = null;
    s.reason = `sharp cannot be used synchronously: ${why}`;
    process.emitWarning(`nodetorch/vision: ${s.reason}; using the pure-JS codecs`);
    return null;
  }
  const w = worker as Worker;
  w.on('error', () => { if (bridge && bridge.worker === w) bridge = null; });
  w.on('exit', () => { if (bridge && bridge.worker === w) bridge = null; });
  return (bridge = { worker: w, port: port1, flag });
}

/** True when the synchronous functions should use sharp (it loads, and its helper thread runs). */
export function sharpSync(): boolean {
  if (!loadSharp()) return false;
  return bridge !== null || startBridge(tryLoad()) !== null;
}

export function runSync(r: Recipe): RecipeResult {
  const b = bridge ?? (sharpSync() ? bridge : null);
  if (!b) throw new TorchError(`sharp is not available (${tryLoad().reason})`);
  const input = new Uint8Array(r.input); // a copy of our own, moved to the helper
  Atomics.store(b.flag, 0, 0);
  b.port.postMessage({ ...r, input }, [input.buffer]);
  const t0 = Date.now();
  while (Atomics.wait(b.flag, 0, 0, 1000) === 'timed-out') {
    if (Date.now() - t0 > SYNC_TIMEOUT_MS) {
      bridge = null;
      void b.worker.terminate();
      throw new TorchError(`sharp's helper thread did not answer within ${SYNC_TIMEOUT_MS / 1000} s`);
    }
  }
  const got = receiveMessageOnPort(b.port);
  if (!got) throw new TorchError("sharp's helper thread answered without a result");
  const m = got.message as { ok: true; data: Uint8Array; width: number; height: number; channels: number } | { ok: false; message: string };
  if (!m.ok) throw new SharpError(m.message);
  return { data: m.data, width: m.width, height: m.height, channels: m.channels };
}

/** sharp's own failure (corrupt data, ...), for io.ts to word as a TorchError of the op that called it. */
export class SharpError extends Error {
  // libvips repeats its log lines (one set per pass over the file): keep each line once
  constructor(message: string) { super([...new Set(message.split('\n').map((l) => l.trim()).filter(Boolean))].join('; ')); }
}

export async function runAsyncWrapped(r: Recipe): Promise<RecipeResult> {
  try { return await runAsync(r); } catch (e) {
    if (e instanceof TorchError) throw e;
    throw new SharpError((e as Error).message ?? String(e));
  }
}

/** For tests: the helper thread's id, or null when none is running on this thread. */
export function helperThreadId(): number | null { return bridge ? bridge.worker.threadId : null; }
