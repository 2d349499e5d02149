// safetensors.ts - the safetensors format (https://github.com/huggingface/safetensors#format), which torch.save
// writes for a flat map of tensors: an 8-byte little-endian header length N, N bytes of JSON
// { "__metadata__"?: {str: str}, name: { dtype, shape, data_offsets: [begin, end] }, ... } padded with spaces to a
// multiple of 8, then the tensors' bytes (C order, little-endian) back to back, offsets relative to the data start.
// Keys keep their order. Reading validates everything the spec asks (header size, dtypes, offsets inside the
// buffer, sizes matching dtype x shape) and says what is wrong.
import { Tensor } from '../tensor';
import { ITEMSIZE, DType } from '../dtype';
import { TorchError } from '../errors';
import { ST_DTYPE, DTYPE_OF_ST, tensorBytes, tensorFromBytes, corrupt, placeStorage, LoadOptions, setKey, checkRank } from './common';

const MAX_HEADER = 100_000_000; // the reference implementation's limit
// __metadata__ key under which torch.save records the devices of non-CPU tensors ({ name: 'cuda:0' }, as JSON), so that
// torch.load without mapLocation puts them back where they were saved from, as PyTorch's torch.load does
export const DEVICES_KEY = 'nodetorch.devices';

/** Header and data chunks of a safetensors file for `entries` (in order). */
export function encodeSafetensors(entries: [string, Tensor][], metadata?: Record<string, string> | null): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TorchError(`torch.save: safetensors metadata values must be strings, got ${typeof v} for '${k}'`);
    if (DEVICES_KEY in metadata) throw new TorchError(`torch.save: the safetensors metadata key '${DEVICES_KEY}' is reserved (it records the tensors' devices)`);
  }
  const devices: Record<string, string> = {};
  for (const [k, t] of entries) if (t.device.type !== 'cpu') devices[k] = String(t.device);
  const meta = Object.keys(devices).length ? { ...(metadata ?? {}), [DEVICES_KEY]: JSON.stringify(devices) } : metadata;
  if (meta) header.__metadata__ = meta;
  const chunks: Uint8Array[] = [];
  let off = 0;
  for (const [k, t] of entries) {
    if (k === '__metadata__') throw new TorchError("torch.save: '__metadata__' is reserved in safetensors files and cannot name a tensor");
    const b = tensorBytes(t);
    header[k] = { dtype: ST_DTYPE[t.dtype], shape: t.shape.slice(), data_offsets: [off, off + b.byteLength] };
    chunks.push(b);
    off += b.byteLength;
  }
  let json = JSON.stringify(header);
  let hb = Buffer.from(json, 'utf8');
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) { json += ' '.repeat(pad); hb = Buffer.from(json, 'utf8'); }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length));
  return [len, hb, ...chunks];
}

/** True when `buf` plausibly starts a safetensors file (a sane header length followed by '{'). */
export function looksLikeSafetensors(buf: Uint8Array): boolean {
  if (buf.length < 10) return false;
  const n = Buffer.from(buf.buffer, buf.byteOffset, 8).readBigUInt64LE();
  if (n < 2n || n > BigInt(buf.length - 8)) return false;
  let i = 8;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return buf[i] === 0x7b; // '{'
}

export function decodeSafetensors(buf: Buffer, file: string, opts: LoadOptions): Record<string, Tensor> {
  if (buf.length < 8) throw corrupt(file, `a safetensors file needs at least 8 bytes, it has ${buf.length}`);
  const n64 = buf.readBigUInt64LE(0);
  if (n64 > BigInt(MAX_HEADER)) throw corrupt(file, `safetensors header length ${n64} is larger than the limit of ${MAX_HEADER} bytes`);
  const n = Number(n64);
  if (8 + n > buf.length) throw corrupt(file, `the safetensors header says it is ${n} bytes long but the file has only ${buf.length - 8} bytes after the length`);
  let header: unknown;
  try { header = JSON.parse(buf.toString('utf8', 8, 8 + n)); } catch (e) { throw corrupt(file, `the safetensors header is not valid JSON (${(e as Error).message})`); }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw corrupt(file, 'the safetensors header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const out: Record<string, Tensor> = {};
  const spans: [number, number, string][] = [];
  const saved = savedDevices((header as Record<string, unknown>).__metadata__, file);
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') continue;
    const what = `tensor '${key}'`;
    if (info === null || typeof info !== 'object') throw corrupt(file, `${what}: header entry is not an object`);
    const { dtype, shape, data_offsets: offs } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string') throw corrupt(file, `${what}: missing dtype`);
    const dt = DTYPE_OF_ST[dtype];
    if (!dt) throw new TorchError(`torch.load: '${file}': tensor '${key}' has safetensors dtype ${dtype}, which nodetorch does not support (supported: ${Object.keys(DTYPE_OF_ST).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) throw corrupt(file, `${what}: invalid shape ${JSON.stringify(shape)}`);
    checkRank(shape, `torch.load: '${file}': ${what}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((x) => Number.isSafeInteger(x) && x >= 0) || offs[0] > offs[1]) throw corrupt(file, `${what}: invalid data_offsets ${JSON.stringify(offs)}`);
    const [b, e] = offs as [number, number];
    if (e > dataLen) throw corrupt(file, `${what}: data_offsets [${b}, ${e}] run past the end of the data (${dataLen} bytes)`);
    const numel = (shape as number[]).reduce((a, s) => a * s, 1);
    if (e - b !== numel * ITEMSIZE[dt as DType]) throw corrupt(file, `${what}: ${e - b} bytes of data for a ${dt} tensor of shape [${shape}] (needs ${numel * ITEMSIZE[dt as DType]})`);
    spans.push([b, e, key]);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + b, e - b);
    setKey(out, key, placeStorage(tensorFromBytes(bytes, dt, shape as number[], `torch.load: '${file}': ${what}`), saved[key] ?? 'cpu', opts.mapLocation));
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw corrupt(file, `tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap in the data`);
  }
  return out;
}

// the saved devices recorded under DEVICES_KEY (files written elsewhere have none: everything was saved from the CPU)
function savedDevices(meta: unknown, file: string): Record<string, string> {
  if (meta === null || typeof meta !== 'object' || !(DEVICES_KEY in (meta as object))) return {};
  const raw = (meta as Record<string, unknown>)[DEVICES_KEY];
  let d: unknown;
  try { d = JSON.parse(String(raw)); } catch { d = null; }
  if (d === null || typeof d !== 'object' || Array.isArray(d) || !Object.values(d as object).every((v) => typeof v === 'string' && /^(cpu|cuda(:\d+)?)$/.test(v)))
    throw corrupt(file, `the safetensors metadata '${DEVICES_KEY}' is not a JSON object of device names: ${String(raw).slice(0, 80)}`);
  return d as Record<string, string>;
}

/** The __metadata__ of a safetensors file (or null). */
export function safetensorsMetadata(buf: Buffer): Record<string, string> | null {
  const n = Number(buf.readBigUInt64LE(0));
  const h = JSON.parse(buf.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
  return (h.__metadata__ as Record<string, string>) ?? null;
}
