// index.ts - torch.save / torch.load (and saveAsync / loadAsync).
//
// save(obj, path): a flat map of tensors (a plain object or Map whose values are all Tensors: a state dict) is
// written as safetensors (safetensors.ts), in key order; anything else (optimizer state dicts, { model, optimizer,
// epoch }, a single tensor, nested containers) in the nodetorch checkpoint format (ntckpt.ts, documented there).
// `{ format: 'safetensors' | 'nodetorch' }` forces one; `{ metadata }` sets safetensors' __metadata__ (strings).
// Writes are atomic: the bytes go to a temporary file in the same directory, are fsync'ed, and the file is renamed
// over `path`, so a crash mid-save never leaves a truncated file under the final name.
//
// load(path, { mapLocation }): the format is told from the content, never the name: the nodetorch magic, a zip
// (PyTorch's torch.save format since 1.6, read by torch_zip.ts through a restricted unpickler that executes nothing
// from the file), or a safetensors header. A state dict comes back as a plain object in its saved key order.
// Corrupt, truncated or foreign files give a TorchError saying what is wrong; file-system failures a TorchError
// whose `cause` is the OS error. `path` may also be a Buffer/Uint8Array holding a file's bytes. Only regular files are
// read (a FIFO, a device or a directory is a TorchError); a path that is neither a string nor a file: URL (a number,
// which fs would take as a file descriptor) is a TypeError.
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { describeValue } from '../dtype';
import { encodeSafetensors, decodeSafetensors, looksLikeSafetensors } from './safetensors';
import { encodeNodetorch, decodeNodetorch, looksLikeNodetorch } from './ntckpt';
import { looksLikeZip } from './zip';
import { decodeTorchZip } from './torch_zip';
import { fsError, isPlainObject, LoadOptions, MapLocation } from './common';
import { pathArg, shown, readRegularFile, readRegularFileAsync, PathLike as FsPathLike } from '../fsutil';

export type { LoadOptions, MapLocation };
export interface SaveOptions { format?: 'auto' | 'safetensors' | 'nodetorch'; metadata?: Record<string, string> | null }

type PathLike = FsPathLike;

// save's path, and load's when it is not the file's bytes: a string, a file: URL or a Buffer naming the file
const checkPath = (p: unknown, op: string): string => shown(pathArg(p, `torch.${op}`));

function saveOpts(o: unknown): SaveOptions {
  if (o === undefined || o === null) return {};
  if (!isPlainObject(o)) throw new TorchError(`torch.save: expected an options object, got ${describeValue(o)}`);
  for (const k of Object.keys(o)) if (k !== 'format' && k !== 'metadata') throw new TorchError(`torch.save: unexpected option '${k}' (expected format, metadata)`);
  const f = (o as SaveOptions).format;
  if (f !== undefined && f !== 'auto' && f !== 'safetensors' && f !== 'nodetorch') throw new TorchError(`torch.save: format must be 'auto', 'safetensors' or 'nodetorch', got ${String(f)}`);
  return o as SaveOptions;
}
function loadOpts(o: unknown): LoadOptions {
  if (o === undefined || o === null) return {};
  if (!isPlainObject(o)) throw new TorchError(`torch.load: expected an options object, got ${describeValue(o)}`);
  for (const k of Object.keys(o)) if (k !== 'mapLocation' && k !== 'weightsOnly') throw new TorchError(`torch.load: unexpected option '${k}' (expected mapLocation, weightsOnly)`);
  return o as LoadOptions;
}

/** [key, tensor] pairs when obj is a flat map of tensors (a state dict), else null. */
function flatTensors(obj: unknown): [string, Tensor][] | null {
  let entries: [unknown, unknown][];
  if (obj instanceof Map) entries = [...obj.entries()];
  else if (isPlainObject(obj)) entries = Object.entries(obj);
  else return null;
  for (const [k, v] of entries) if (typeof k !== 'string' || !(v instanceof Tensor)) return null;
  return entries as [string, Tensor][];
}

function encode(obj: unknown, o: SaveOptions): Uint8Array[] {
  const fmt = o.format ?? 'auto';
  const flat = fmt === 'nodetorch' ? null : flatTensors(obj);
  if (fmt === 'safetensors' && !flat) throw new TorchError('torch.save: the safetensors format holds a flat map of tensors ({ name: Tensor }) only');
  if (flat) return encodeSafetensors(flat, o.metadata);
  if (o.metadata) throw new TorchError('torch.save: metadata is only written to safetensors files (a flat map of tensors)');
  return encodeNodetorch(obj);
}

function tempName(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`);
}

function fsyncDirSync(dir: string): void {
  try { const fd = fs.openSync(dir, 'r'); try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); } } catch { /* best effort (not possible on every platform) */ }
}

/** torch.save(obj, path, { format, metadata }): synchronous and atomic. */
export function save(obj: unknown, file: PathLike, opts?: SaveOptions): void {
  const f = checkPath(file, 'save');
  const chunks = encode(obj, saveOpts(opts));
  const tmp = tempName(f);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
    for (const c of chunks) {
      let off = 0;
      while (off < c.byteLength) off += fs.writeSync(fd, c, off, c.byteLength - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, f);
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    throw fsError('save', f, e);
  }
  fsyncDirSync(path.dirname(path.resolve(f)));
}

/** torch.saveAsync(obj, path, opts): as save(), with the file writes on fs.promises. */
export async function saveAsync(obj: unknown, file: PathLike, opts?: SaveOptions): Promise<void> {
  const f = checkPath(file, 'save');
  const chunks = encode(obj, saveOpts(opts));
  const tmp = tempName(f);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(tmp, 'wx', 0o666);
    for (const c of chunks) {
      let off = 0;
      while (off < c.byteLength) off += (await fh.write(c, off, c.byteLength - off)).bytesWritten;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.promises.rename(tmp, f);
  } catch (e) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw fsError('save', f, e);
  }
  try {
    const dh = await fs.promises.open(path.dirname(path.resolve(f)), 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  } catch { /* best effort */ }
}

/** Decodes a file's bytes; `name` is used in messages. */
export function loadBuffer(buf: Buffer, name: string, opts: LoadOptions = {}): unknown {
  try {
    if (looksLikeNodetorch(buf)) return decodeNodetorch(buf, name, opts);
    if (looksLikeZip(buf)) return decodeTorchZip(buf, name, opts);
    if (looksLikeSafetensors(buf)) return decodeSafetensors(buf, name, opts);
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw new TorchError(`torch.load: '${name}' could not be read: ${(e as Error).message}`, { cause: e });
  }
  if (buf.length === 0) throw new TorchError(`torch.load: '${name}' is empty (0 bytes)`);
  // pre-1.6 torch.save: a bare pickle starting with the magic number 0x1950a86a20f9469cfc6c as a LONG1
  if (buf.length >= 14 && buf[0] === 0x80 && buf[2] === 0x8a && buf[3] === 0x0a && buf.readUInt32LE(4) === 0x469cfc6c) {
    throw new TorchError(`torch.load: '${name}' is in PyTorch's legacy (pre-1.6) format, which nodetorch does not read; ` +
      're-save it in PyTorch with torch.save(obj, path) (the zip format) or as safetensors');
  }
  const head = [...buf.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new TorchError(`torch.load: '${name}' is not a file nodetorch can read (expected a safetensors file, a nodetorch checkpoint or a PyTorch zip checkpoint; it starts with bytes ${head})`);
}

// load's source: the bytes of a file (a Buffer or Uint8Array, like PyTorch's file-like objects), or a path (string or
// file: URL); only a regular file is read (a FIFO or /dev/zero would never end)
/** torch.load(path, { mapLocation }): synchronous. */
export function load<T = unknown>(file: string | URL | Uint8Array, opts?: LoadOptions): T {
  const o = loadOpts(opts);
  if (file instanceof Uint8Array) return loadBuffer(Buffer.from(file.buffer, file.byteOffset, file.byteLength), '<buffer>', o) as T;
  const f = checkPath(file, 'load');
  return loadBuffer(readRegularFile(f, 'torch.load', (e) => fsError('load', f, e)), f, o) as T;
}

/** torch.loadAsync(path, opts): as load(), reading the file with fs.promises. */
export async function loadAsync<T = unknown>(file: string | URL | Uint8Array, opts?: LoadOptions): Promise<T> {
  const o = loadOpts(opts);
  if (file instanceof Uint8Array) return loadBuffer(Buffer.from(file.buffer, file.byteOffset, file.byteLength), '<buffer>', o) as T;
  const f = checkPath(file, 'load');
  return loadBuffer(await readRegularFileAsync(f, 'torch.load', (e) => fsError('load', f, e)), f, o) as T;
}
