// common.ts - what the three file formats share: dtype names, raw tensor bytes out and in, CRC-32, the
// mapLocation rule, and the TorchError helpers for corrupt files and file-system failures.
import * as zlib from 'zlib';
import { Tensor, empty_, contiguousCopy } from '../tensor';
import { DType, ITEMSIZE } from '../dtype';
import { Device, CPU, toDevice } from '../device';
import { TorchError } from '../errors';
import { native, MAX_DIMS } from '../native';
import { writeHost, toDeviceCopy } from '../ops/elementwise';
import { cuda } from '../cuda';

// safetensors dtype names (also used by the nodetorch checkpoint format)
export const ST_DTYPE: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8',
  uint8: 'U8', bool: 'BOOL',
};
export const DTYPE_OF_ST: Record<string, DType> = Object.fromEntries(Object.entries(ST_DTYPE).map(([k, v]) => [v, k as DType]));

/** The tensor's elements as raw little-endian bytes in C order (a copy; from any device). */
export function tensorBytes(t: Tensor): Uint8Array {
  t._check();
  const n = t.numel();
  if (n === 0) return new Uint8Array(0);
  const c = t.isContiguous() ? t : contiguousCopy(t);
  const isz = ITEMSIZE[c.dtype];
  return new Uint8Array(native.read(c._st.handle, c._offset * isz, n * isz));
}

/** A file may claim any shape: more dimensions than nodetorch's limit (16; PyTorch's is 64) are refused before anything
 * is allocated. */
export function checkRank(shape: readonly unknown[], what: string): void {
  if (shape.length > MAX_DIMS) throw new TorchError(`${what}: a tensor of ${shape.length} dimensions; nodetorch supports at most ${MAX_DIMS}`);
}

/** A new CPU tensor of `shape` holding `bytes` (little-endian, C order); the length must match exactly. */
export function tensorFromBytes(bytes: Uint8Array, dtype: DType, shape: number[], what: string): Tensor {
  checkRank(shape, what);
  let n = 1;
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new TorchError(`${what}: invalid shape [${shape}]`);
    n *= s;
  }
  const need = n * ITEMSIZE[dtype];
  if (bytes.byteLength !== need) throw new TorchError(`${what}: a ${dtype} tensor of shape [${shape}] needs ${need} bytes, the file has ${bytes.byteLength}`);
  const t = empty_(shape.slice(), dtype, CPU);
  if (need) writeHost(t, bytes);
  return t;
}

/** Reverses the byte order of each element in place (files written on big-endian machines). */
export function swapBytes(b: Uint8Array, itemsize: number): void {
  if (itemsize === 1) return;
  for (let i = 0; i + itemsize <= b.length; i += itemsize) {
    for (let j = 0, k = itemsize - 1; j < k; j++, k--) { const x = b[i + j]; b[i + j] = b[i + k]; b[i + k] = x; }
  }
}

// ---- CRC-32 (zip entries, nodetorch checkpoints): node's zlib.crc32 where present, a table otherwise ---------
let table: Uint32Array | null = null;
function crc32js(b: Uint8Array, crc = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; table[i] = c >>> 0; }
  }
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const zcrc = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
export const crc32 = (b: Uint8Array, crc = 0): number => (zcrc ? zcrc(b, crc) >>> 0 : crc32js(b, crc));

// ---- mapLocation -------------------------------------------------------------------------------------------------
/**
 * torch.load's mapLocation: a device ('cpu', 'cuda', 'cuda:1', a Device), an object mapping saved locations to
 * devices ({ 'cuda:0': 'cpu' }), or a function (tensor, location) => Tensor | device | undefined that is called with
 * each storage as a 1-D CPU tensor and its saved location ('cpu', 'cuda:0'); undefined keeps the default placement.
 * Without mapLocation a tensor goes back to the device it was saved from, as in PyTorch.
 */
export type MapLocation = string | Device | Record<string, string | Device> | ((t: Tensor, location: string) => Tensor | string | Device | null | undefined | void);
export interface LoadOptions { mapLocation?: MapLocation | null; weightsOnly?: boolean }

export function placeStorage(cpuTensor: Tensor, location: string, map: MapLocation | null | undefined): Tensor {
  let target: string | Device | Tensor | null | undefined = location;
  if (map === null || map === undefined) target = location;
  else if (typeof map === 'function') {
    const r = map(cpuTensor, location);
    if (r instanceof Tensor) return r;
    target = r === undefined || r === null ? location : r;
  } else if (typeof map === 'string' || map instanceof Device) target = map;
  else if (typeof map === 'object') target = Object.prototype.hasOwnProperty.call(map, location) ? (map as Record<string, string | Device>)[location] : location;
  else throw new TorchError(`torch.load: mapLocation must be a device, an object of devices or a function, got ${typeof map}`);
  let dev: Device;
  try { dev = toDevice(target); } catch (e) { throw new TorchError(`torch.load: cannot place a storage saved on '${location}' on '${String(target)}': ${(e as Error).message}`); }
  if (dev.type === 'cpu') return cpuTensor;
  if (!cuda.isAvailable()) {
    throw new TorchError("Attempting to deserialize object on a CUDA device but torch.cuda.isAvailable() is False. If you are running on a CPU-only machine, please use torch.load with mapLocation: 'cpu' to map your storages to the CPU.");
  }
  const n = cuda.deviceCount();
  if ((dev.index ?? 0) >= n) throw new TorchError(`Attempting to deserialize object on CUDA device ${dev.index} but torch.cuda.deviceCount() is ${n}. Please use torch.load with mapLocation to map your storages to an existing device.`);
  return toDeviceCopy(cpuTensor, dev);
}

// ---- errors ------------------------------------------------------------------------------------------------------
export function fsError(op: string, file: string, e: unknown): TorchError {
  const err = e as NodeJS.ErrnoException;
  const why = err && err.code ? `${err.code}: ${err.message}` : String(e);
  return new TorchError(`torch.${op}: cannot ${op === 'save' ? 'write' : 'read'} '${file}' (${why})`, { cause: e });
}
export const corrupt = (file: string, what: string): TorchError => new TorchError(`torch.load: '${file}' is corrupt or truncated: ${what}`);

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** obj[k] = v, also for k = '__proto__' (an own property, never the prototype). */
export function setKey(obj: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[k] = v;
}

export { CPU };
