// ntckpt.ts - the nodetorch checkpoint format, which torch.save writes for anything that is not a flat map of
// tensors (optimizer state dicts, { model, optimizer, epoch }, a single tensor, lists...):
//
//   offset 0   8 bytes  magic 89 4E 54 4F 52 43 48 0A  ("\x89NTORCH\n": not text, not a safetensors length)
//   offset 8   4 bytes  u32 LE format version (1)
//   offset 12  4 bytes  u32 LE CRC-32 of the data section
//   offset 16  8 bytes  u64 LE header length H
//   offset 24  H bytes  UTF-8 JSON header, padded with spaces to a multiple of 8:
//                       { "format": "nodetorch", "version": 1,
//                         "tensors": [ { "dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48],
//                                        "device": "cpu", "requires_grad": false }, ... ],
//                         "root": <value> }
//   offset 24+H         data: each tensor's elements, C order, little-endian, at its data_offsets (relative to here,
//                       each start a multiple of 8); dtype names as in safetensors (F32 F64 F16 BF16 I64 I32 I16 I8 U8 BOOL)
//
// <value> is JSON with these tagged objects for what JSON lacks (a plain object whose own keys start with '$' is
// wrapped as {"$object": [[key, value], ...]} so that it never reads as a tag):
//   {"$tensor": i}            tensor i of "tensors" (the same Tensor object saved twice is stored once)
//   {"$map": [[k, v], ...]}   a Map (keys of any encodable type)
//   {"$num": "nan" | "inf" | "-inf"},  {"$bigint": "123"},  {"$undefined": true}
// Everything else is plain JSON: null, booleans, finite numbers, strings, arrays, objects (key order kept).
import { Tensor } from '../tensor';
import { ITEMSIZE, DType } from '../dtype';
import { TorchError } from '../errors';
import { ST_DTYPE, DTYPE_OF_ST, tensorBytes, tensorFromBytes, placeStorage, crc32, corrupt, LoadOptions, isPlainObject, setKey, checkRank } from './common';

export const NT_MAGIC = Buffer.from([0x89, 0x4e, 0x54, 0x4f, 0x52, 0x43, 0x48, 0x0a]);
export const NT_VERSION = 1;

export const looksLikeNodetorch = (b: Uint8Array): boolean => b.length >= 8 && NT_MAGIC.equals(Buffer.from(b.buffer, b.byteOffset, 8));

interface TensorInfo { dtype: string; shape: number[]; data_offsets: [number, number]; device: string; requires_grad: boolean }

/** The file's chunks (prefix+header, then data pieces) for `root`. */
export function encodeNodetorch(root: unknown): Uint8Array[] {
  const infos: TensorInfo[] = [];
  const data: Uint8Array[] = [];
  const index = new Map<Tensor, number>();
  let off = 0;
  const path: string[] = [];
  const active = new Set<unknown>();
  const where = (): string => (path.length ? path.join('') : '(the object itself)');
  const enc = (v: unknown): unknown => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (v === undefined) return { $undefined: true };
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' };
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v instanceof Tensor) {
      let i = index.get(v);
      if (i === undefined) {
        v._check();
        const b = tensorBytes(v);
        const pad = (8 - (off % 8)) % 8;
        if (pad) { data.push(new Uint8Array(pad)); off += pad; }
        infos.push({ dtype: ST_DTYPE[v.dtype], shape: v.shape.slice(), data_offsets: [off, off + b.byteLength], device: String(v.device), requires_grad: v.requiresGrad });
        data.push(b);
        off += b.byteLength;
        i = infos.length - 1;
        index.set(v, i);
      }
      return { $tensor: i };
    }
    if (typeof v !== 'object') throw new TorchError(`torch.save: cannot save a ${typeof v} at ${where()}`);
    if (active.has(v)) throw new TorchError(`torch.save: the object refers to itself at ${where()} (circular references cannot be saved)`);
    active.add(v);
    try {
      if (Array.isArray(v)) return v.map((x, i) => { path.push(`[${i}]`); try { return enc(x); } finally { path.pop(); } });
      if (v instanceof Map) {
        return { $map: [...v.entries()].map(([k, x]) => { path.push(`.get(${String(k)})`); try { return [enc(k), enc(x)]; } finally { path.pop(); } }) };
      }
      if (isPlainObject(v)) {
        const keys = Object.keys(v);
        const pairs = keys.map((k) => { path.push(`.${k}`); try { return [k, enc(v[k])] as [string, unknown]; } finally { path.pop(); } });
        if (keys.some((k) => k.startsWith('$'))) return { $object: pairs };
        return Object.fromEntries(pairs);
      }
      const name = (v as object).constructor?.name ?? 'object';
      const hint = typeof (v as { stateDict?: unknown }).stateDict === 'function' ? ` (save its .stateDict() instead)` : '';
      throw new TorchError(`torch.save: cannot save a ${name} at ${where()}${hint}; tensors, numbers, strings, booleans, null, arrays, plain objects and Maps can be saved`);
    } finally { active.delete(v); }
  };
  const rootEnc = enc(root);
  let json = JSON.stringify({ format: 'nodetorch', version: NT_VERSION, tensors: infos, root: rootEnc });
  const raw = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (raw % 8)) % 8);
  const header = Buffer.from(json, 'utf8');
  let crc = 0;
  for (const d of data) crc = crc32(d, crc);
  const pre = Buffer.alloc(24);
  NT_MAGIC.copy(pre, 0);
  pre.writeUInt32LE(NT_VERSION, 8);
  pre.writeUInt32LE(crc >>> 0, 12);
  pre.writeBigUInt64LE(BigInt(header.length), 16);
  return [pre, header, ...data];
}

export function decodeNodetorch(buf: Buffer, file: string, opts: LoadOptions): unknown {
  if (buf.length < 24) throw corrupt(file, `a nodetorch checkpoint needs at least 24 bytes, it has ${buf.length}`);
  const version = buf.readUInt32LE(8);
  if (version !== NT_VERSION) throw new TorchError(`torch.load: '${file}' is a nodetorch checkpoint of format version ${version}; this nodetorch reads version ${NT_VERSION}`);
  const crc = buf.readUInt32LE(12);
  const h64 = buf.readBigUInt64LE(16);
  if (h64 > BigInt(buf.length - 24)) throw corrupt(file, `the header says it is ${h64} bytes long but only ${buf.length - 24} bytes follow`);
  const h = Number(h64);
  let header: { format?: unknown; tensors?: unknown; root?: unknown };
  try { header = JSON.parse(buf.toString('utf8', 24, 24 + h)); } catch (e) { throw corrupt(file, `the header is not valid JSON (${(e as Error).message})`); }
  if (!isPlainObject(header) || header.format !== 'nodetorch' || !Array.isArray(header.tensors) || !('root' in header)) throw corrupt(file, 'the header is not a nodetorch checkpoint header');
  const dataStart = 24 + h;
  const data = buf.subarray(dataStart);
  if (crc32(data) !== crc) throw corrupt(file, 'CRC-32 mismatch in the tensor data');
  const tensors = (header.tensors as unknown[]).map((info, i) => {
    const what = `tensor ${i}`;
    if (!isPlainObject(info)) throw corrupt(file, `${what}: header entry is not an object`);
    const dt = DTYPE_OF_ST[String(info.dtype)] as DType | undefined;
    if (!dt) throw corrupt(file, `${what}: unknown dtype ${String(info.dtype)}`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) throw corrupt(file, `${what}: invalid shape`);
    checkRank(shape, `torch.load: '${file}': ${what}`);
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((x) => Number.isSafeInteger(x) && x >= 0) || offs[0] > offs[1] || offs[1] > data.length) {
      throw corrupt(file, `${what}: data_offsets ${JSON.stringify(offs)} are outside the data (${data.length} bytes)`);
    }
    const numel = (shape as number[]).reduce((a, s) => a * s, 1);
    if (offs[1] - offs[0] !== numel * ITEMSIZE[dt]) throw corrupt(file, `${what}: ${offs[1] - offs[0]} bytes for a ${dt} tensor of shape [${shape}]`);
    const t = tensorFromBytes(data.subarray(offs[0], offs[1]), dt, shape as number[], `torch.load: '${file}': ${what}`);
    const placed = placeStorage(t, typeof info.device === 'string' ? info.device : 'cpu', opts.mapLocation);
    if (info.requires_grad === true && placed.isFloatingPoint()) placed.requiresGrad_(true);
    return placed;
  });
  const dec = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      const k = keys[0], x = o[k];
      switch (k) {
        case '$tensor':
          if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= tensors.length) throw corrupt(file, `reference to tensor ${String(x)}, but the file has ${tensors.length}`);
          return tensors[x];
        case '$map':
          if (!Array.isArray(x)) throw corrupt(file, '$map is not a list');
          return new Map((x as unknown[]).map((kv) => {
            if (!Array.isArray(kv) || kv.length !== 2) throw corrupt(file, '$map entry is not a [key, value] pair');
            return [dec(kv[0]), dec(kv[1])] as [unknown, unknown];
          }));
        case '$object':
          if (!Array.isArray(x)) throw corrupt(file, '$object is not a list');
          {
            const r: Record<string, unknown> = {};
            for (const kv of x as unknown[]) {
              if (!Array.isArray(kv) || kv.length !== 2 || typeof kv[0] !== 'string') throw corrupt(file, '$object entry is not a [key, value] pair');
              setKey(r, kv[0], dec(kv[1]));
            }
            return r;
          }
        case '$num': return x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (() => { throw corrupt(file, `bad $num ${String(x)}`); })();
        case '$bigint':
          try { return BigInt(String(x)); } catch { throw corrupt(file, `bad $bigint ${String(x)}`); }
        case '$undefined': return undefined;
        default: throw corrupt(file, `unknown tag ${k}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) setKey(out, k, dec(o[k]));
    return out;
  };
  return dec(header.root);
}
