// archive.ts - torchvision.datasets.utils.extract_archive: .zip (adm-zip), .tar, .tar.gz / .tgz and single-file
// .gz archives. Every entry's destination is checked before anything is written: an entry whose path leaves the
// target folder (zip-slip: '../x', an absolute path) or a tar link makes the whole extraction fail.
import { pathStr, readRegularFile, PathLike } from '../fsutil';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../index';
import { checkKeys } from '../errors';

const TorchError = torch.TorchError;

interface Entry { name: string; dir: boolean; data: () => Buffer }

// the destination of an archive entry under `root`, or a TorchError when it would escape it
function safeTarget(root: string, name: string, archive: string): string {
  const clean = name.replace(/\\/g, '/');
  if (clean.includes('\0')) throw new TorchError(`extractArchive: '${archive}' has an entry with a NUL in its name`);
  if (path.isAbsolute(clean) || /^[a-zA-Z]:/.test(clean)) throw new TorchError(`extractArchive: refusing to extract '${archive}': entry '${name}' has an absolute path`);
  const dest = path.resolve(root, clean);
  const rel = path.relative(root, dest);
  if (rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) {
    throw new TorchError(`extractArchive: refusing to extract '${archive}': entry '${name}' would be written outside ${root} (zip-slip)`);
  }
  return dest;
}

function zipEntries(bytes: Buffer, file: string): Entry[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const AdmZip = require('adm-zip') as typeof import('adm-zip');
  let zip: import('adm-zip');
  try { zip = new AdmZip(bytes); } catch (e) { throw new TorchError(`extractArchive: '${file}' is not a valid zip file: ${(e as Error).message}`, { cause: e }); }
  return zip.getEntries().map((e) => ({
    name: e.entryName, dir: e.isDirectory,
    data: () => { try { return e.getData(); } catch (err) { throw new TorchError(`extractArchive: cannot read entry '${e.entryName}' of '${file}': ${(err as Error).message}`, { cause: err }); } },
  }));
}

// ustar / GNU tar: 512-byte headers; long names from GNU 'L' records and pax 'x' path= records
function tarEntries(buf: Buffer, file: string): Entry[] {
  const out: Entry[] = [];
  let off = 0;
  let longName: string | null = null;
  const str = (o: number, n: number): string => { const s = buf.subarray(o, o + n); const z = s.indexOf(0); return s.subarray(0, z < 0 ? n : z).toString('utf8'); };
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(str(off + 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new TorchError(`extractArchive: '${file}' is corrupt (bad tar header at byte ${off})`);
    const type = String.fromCharCode(h[156] || 48);
    const prefix = str(off + 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${str(off, 100)}` : str(off, 100));
    longName = null;
    const start = off + 512;
    if (start + size > buf.length) throw new TorchError(`extractArchive: '${file}' is truncated (entry '${name}' needs ${size} bytes)`);
    const body = buf.subarray(start, start + size);
    off = start + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = body.toString('utf8').replace(/\0+$/, ''); continue; }
    if (type === 'x') { const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8')); if (m) longName = m[1]; continue; }
    if (type === 'g') continue;
    if (type === '1' || type === '2') throw new TorchError(`extractArchive: refusing to extract '${file}': entry '${name}' is a ${type === '2' ? 'symbolic' : 'hard'} link`);
    if (type === '5') { out.push({ name, dir: true, data: () => Buffer.alloc(0) }); continue; }
    if (type !== '0' && type !== '7' && type !== '\0') continue; // devices, fifos: skipped
    if (name.endsWith('/')) name = name.slice(0, -1);
    out.push({ name, dir: false, data: () => Buffer.from(body) });
  }
  return out;
}

/**
 * Extracts `fromPath` into `toPath` (default: its folder) and returns `toPath`; with `removeFinished` the archive is
 * deleted afterwards. Kinds are told by the name: .zip, .tar, .tar.gz / .tgz, or a single gzipped file (.gz).
 */
export function extractArchive(fromPath0: PathLike, toPath0?: PathLike | null, opts: { removeFinished?: boolean } = {}): string {
  const fromPath = pathStr(fromPath0, 'extractArchive', 'fromPath');
  const toPath = toPath0 === undefined || toPath0 === null ? null : pathStr(toPath0, 'extractArchive', 'toPath');
  checkKeys('extractArchive', opts, ['removeFinished']);
  if (!fs.existsSync(fromPath)) throw new TorchError(`extractArchive: '${fromPath}' does not exist`);
  const to = path.resolve(toPath ?? path.dirname(fromPath));
  const lower = fromPath.toLowerCase();
  let entries: Entry[];
  const readAll = (): Buffer => readRegularFile(fromPath, 'extractArchive', (e) => new TorchError(`extractArchive: cannot read '${fromPath}': ${(e as Error).message}`, { cause: e }));
  const gunzip = (b: Buffer): Buffer => { try { return zlib.gunzipSync(b); } catch (e) { throw new TorchError(`extractArchive: '${fromPath}' is not a valid gzip file: ${(e as Error).message}`, { cause: e }); } };
  if (lower.endsWith('.zip')) entries = zipEntries(readAll(), fromPath);
  else if (lower.endsWith('.tar')) entries = tarEntries(readAll(), fromPath);
  else if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) entries = tarEntries(gunzip(readAll()), fromPath);
  else if (lower.endsWith('.gz')) {
    const data = gunzip(readAll());
    entries = [{ name: path.basename(fromPath).slice(0, -3), dir: false, data: () => data }];
  } else throw new TorchError(`extractArchive: unsupported archive '${fromPath}' (known: .zip, .tar, .tar.gz, .tgz, .gz)`);
  // check every destination first, so that a bad entry leaves nothing half-extracted
  const targets = entries.map((e) => safeTarget(to, e.name, fromPath));
  try {
    fs.mkdirSync(to, { recursive: true });
    entries.forEach((e, i) => {
      if (e.dir) { fs.mkdirSync(targets[i], { recursive: true }); return; }
      fs.mkdirSync(path.dirname(targets[i]), { recursive: true });
      fs.writeFileSync(targets[i], e.data());
    });
  } catch (e) {
    if (e instanceof TorchError) throw e;
    throw new TorchError(`extractArchive: cannot write into '${to}': ${(e as Error).message}`, { cause: e });
  }
  if (opts.removeFinished) fs.rmSync(fromPath);
  return to;
}
