// fsutil.ts - the path arguments and file reads shared by every public function that takes a file or directory
// (torch.save/load, vision io, datasets, extractArchive, FileStore).
// A path is a non-empty string, a file: URL or a Buffer (bytes of the name), as fs takes them; anything else is a
// TypeError naming the function. A number in particular is refused: fs would take it as an open file descriptor, so
// readIdx(2) would read stderr and block.
// Files are read only when they are regular files: a FIFO would block the read (or the open) forever, and a device such
// as /dev/zero has no end, so reading it "whole" exhausts memory. The size read is the size fstat reports.
import * as fs from 'fs';
import { fileURLToPath } from 'url';
import { TorchError } from './errors';
import { describeValue } from './dtype';

export type PathLike = string | URL | Buffer;

/** The path argument `p` of `fn` as fs takes it (string or Buffer); a TypeError for anything else. */
export function pathArg(p: unknown, fn: string, name = 'path'): string | Buffer {
  if (typeof p === 'string') {
    if (p.length === 0) throw new TypeError(`${fn}(): argument '${name}' must be a non-empty path`);
    if (p.includes('\0')) throw new TypeError(`${fn}(): argument '${name}' must not contain a NUL character`);
    return p;
  }
  if (p instanceof URL) {
    if (p.protocol !== 'file:') throw new TypeError(`${fn}(): argument '${name}' must be a file: URL, got a ${p.protocol} URL`);
    return fileURLToPath(p);
  }
  if (Buffer.isBuffer(p)) {
    if (p.length === 0) throw new TypeError(`${fn}(): argument '${name}' must be a non-empty path`);
    if (p.includes(0)) throw new TypeError(`${fn}(): argument '${name}' must not contain a NUL byte`);
    return p;
  }
  throw new TypeError(`${fn}(): argument '${name}' must be a path (string, URL or Buffer), not ${describeValue(p)}` +
    (typeof p === 'number' ? ' (file descriptors are not accepted)' : ''));
}

/** As pathArg, as a string (a Buffer is read as UTF-8): for paths that are joined with others. */
export function pathStr(p: unknown, fn: string, name = 'path'): string {
  const r = pathArg(p, fn, name);
  return typeof r === 'string' ? r : r.toString('utf8');
}

/** The path for messages. */
export const shown = (p: string | Buffer): string => (typeof p === 'string' ? p : p.toString('utf8'));

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
const notRegular = (fn: string, p: string | Buffer, st: fs.Stats): TorchError =>
  new TorchError(`${fn}: '${shown(p)}' is ${kindOf(st)}, not a regular file; only regular files are read`);
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);  // a FIFO swapped in after the stat does not block the open

/**
 * The whole content of the regular file `p`. Not a regular file: a TorchError. `fail(e)` makes the error thrown for
 * a file-system failure (it gets the OS error).
 */
export function readRegularFile(p: string | Buffer, fn: string, fail: (e: unknown) => Error): Buffer {
  let fd: number;
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) throw notRegular(fn, p, st);
    fd = fs.openSync(p, OPEN_FLAGS);
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw fail(e);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(fn, p, st);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;  // the file shrank meanwhile: what is there
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw fail(e);
  } finally {
    fs.closeSync(fd);
  }
}

/** readRegularFile with fs.promises. */
export async function readRegularFileAsync(p: string | Buffer, fn: string, fail: (e: unknown) => Error): Promise<Buffer> {
  let fh: fs.promises.FileHandle;
  try {
    const st = await fs.promises.stat(p);
    if (!st.isFile()) throw notRegular(fn, p, st);
    fh = await fs.promises.open(p, OPEN_FLAGS);
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw fail(e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegular(fn, p, st);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw fail(e);
  } finally {
    await fh.close();
  }
}
