// native.ts - the one loader of the addon; nothing else imports the .node file.
// Order: what was compiled here before what was shipped, CUDA before CPU-only (NODETORCH_CUDA=0 skips the CUDA ones):
//   1. build-cuda/Release/nodetorch.node                   the CUDA source build (cmake-js, where nvcc was found)
//   2. build/Release/nodetorch.node                        the CPU source build (node-gyp)
//   3. prebuilds/<platform>-<arch>/cuda/nodetorch.node     the prebuilt CUDA addon (`npm run prebuild`)
//   4. prebuilds/<platform>-<arch>/nodetorch.napi.node     the prebuilt CPU addon, found by node-gyp-build
// Also owns the shared "meta" buffer through which tensor views reach run().
import * as path from 'path';
import * as fs from 'fs';
import { TorchError } from './errors';

export interface StorageHandle { readonly __storage: unique symbol }
export interface TensorToken { readonly __token: unique symbol }
export interface NativeAddon {
  // counted: the storage also serves as the token of the first tensor made on it (Note [tensor tokens], addon.cc)
  alloc(nbytes: number, deviceType: number, deviceIndex: number, zero: boolean, counted?: boolean): StorageHandle;
  wrap(buf: ArrayBuffer, byteOffset: number, byteLength: number): StorageHandle;
  free(h: StorageHandle): void;
  read(h: StorageHandle, byteOffset: number, nbytes: number): ArrayBuffer;
  write(h: StorageHandle, byteOffset: number, data: ArrayBufferView | ArrayBuffer): void;
  setMeta(meta: Float64Array): number;
  run(op: number, ...storages: StorageHandle[]): number;
  // a multi-tensor op (OP(optim_step_multi)): contiguous 1-D views, desc = [dtype, element offset, numel] per tensor,
  // xa = per-item attributes; the op's attributes come from the meta buffer as for run()
  runList(op: number, desc: Float64Array, xa: Float64Array, ...storages: StorageHandle[]): number;
  memStats(emptyCpuCache?: boolean): [number, number, number, number, number, number, number];
  token(deviceType: number): TensorToken;
  tokenSet(t: TensorToken, deviceType: number): void;
  info(): { simd: string; cpuBf16: string; threads: number; cudaBuilt: boolean; opCount: number; ops: string[] };
  setNumThreads(n: number): void;
  supports(op: number, device: number): boolean;
  cuda(what: string, index?: number): unknown;
  // streams, events, recordStream, pinned memory (addon.cc CudaStreams -> cuda/stream.cu)
  cudaStreams(what: string, ...args: unknown[]): unknown;
  metaSize: number;
}

const root = path.join(__dirname, '..');

function load(): NativeAddon {
  const errors: string[] = [];
  // NODETORCH_ADDON: load this binary and nothing else (the CUDA emulator build, scripts/cuda-emu/, or a test build)
  const forced = process.env.NODETORCH_ADDON;
  if (forced) {
    try { return require(path.resolve(forced)) as NativeAddon; } catch (e) {
      throw new TorchError(`nodetorch: NODETORCH_ADDON=${forced} could not be loaded: ${(e as Error).message}`);
    }
  }
  const wantCuda = process.env.NODETORCH_CUDA !== '0';
  const candidates = [
    wantCuda ? path.join(root, 'build-cuda', 'Release', 'nodetorch.node') : '',
    path.join(root, 'build', 'Release', 'nodetorch.node'),
    wantCuda ? path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'cuda', 'nodetorch.node') : '',
  ];
  for (const c of candidates) {
    if (!c || !fs.existsSync(c)) continue;
    try { return require(c) as NativeAddon; } catch (e) { errors.push(`${c}: ${(e as Error).message}`); }
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
    return gypBuild(root);
  } catch (e) { errors.push((e as Error).message); }
  throw new TorchError(
    'nodetorch: the native addon could not be loaded. Build it with `npm install` (needs g++, make, python3) ' +
    'or `npx node-gyp rebuild`.\n' + errors.join('\n'));
}

// Every native failure surfaces as a TorchError (the addon throws plain Errors carrying PyTorch-style messages).
function toTorchError(e: unknown): TorchError {
  if (e instanceof TorchError) return e;
  // the addon's Errors may come from another realm (vm contexts, jest), so read the message structurally
  const msg = e !== null && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e);
  return new TorchError(msg, { cause: e });
}
function wrapErrors(raw: NativeAddon): NativeAddon {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'function') { out[k] = v; continue; }
    const f = v as (...a: unknown[]) => unknown;
    out[k] = function (...a: unknown[]): unknown {
      try { return f.apply(raw, a); } catch (e) { throw toTorchError(e); }
    };
  }
  // the per-op hot path: fixed arities, no rest arrays
  const run = raw.run as (...a: unknown[]) => number;
  out.run = function (op: number, s0: unknown, s1?: unknown, s2?: unknown, s3?: unknown, ...more: unknown[]): number {
    try {
      switch (arguments.length) {
        case 2: return run(op, s0);
        case 3: return run(op, s0, s1);
        case 4: return run(op, s0, s1, s2);
        case 5: return run(op, s0, s1, s2, s3);
        default: return run(op, s0, s1, s2, s3, ...more);
      }
    } catch (e) { throw toTorchError(e); }
  };
  const alloc = raw.alloc, token = raw.token;
  out.alloc = (n: number, d: number, i: number, z: boolean, c = false): StorageHandle => { try { return alloc(n, d, i, z, c); } catch (e) { throw toTorchError(e); } };
  out.token = (d: number): TensorToken => { try { return token(d); } catch (e) { throw toTorchError(e); } };
  return out as unknown as NativeAddon;
}

const rawNative: NativeAddon = load();
export const native: NativeAddon = wrapErrors(rawNative);

export const META_PER_TENSOR = 36;
export const MAX_DIMS = 16;
export const META_ATTR_BASE = 8 * META_PER_TENSOR;
// One meta buffer per thread, shared by every copy of this library loaded in it (lib/ and dist/, two installs):
// the addon keeps one pointer per environment, so a second buffer would silently replace the first.
const META_KEY = Symbol.for('nodetorch.meta');
const g = globalThis as unknown as Record<symbol, Float64Array | undefined>;
export const meta: Float64Array = g[META_KEY] ?? (g[META_KEY] = new Float64Array(native.metaSize));
native.setMeta(meta);
