// zip.ts - a small zip reader for PyTorch checkpoints: the end-of-central-directory record (and its zip64 form,
// which torch.save uses past 4 GB), the central directory, local headers; entries stored (what torch.save writes)
// or deflated (re-zipped checkpoints), each checked against its CRC-32. Every inconsistency is a TorchError.
import * as zlib from 'zlib';
import { TorchError } from '../errors';
import { crc32, corrupt } from './common';

export interface ZipEntry { name: string; method: number; flags: number; crc: number; csize: number; usize: number; localOffset: number }

const SIG_EOCD = 0x06054b50, SIG_Z64_LOC = 0x07064b50, SIG_Z64_EOCD = 0x06064b50, SIG_CD = 0x02014b50, SIG_LOCAL = 0x04034b50;

export const looksLikeZip = (b: Uint8Array): boolean =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  constructor(private readonly buf: Buffer, private readonly file: string) {
    const b = buf;
    const bad = (what: string): TorchError => corrupt(file, `zip archive: ${what}`);
    const u64 = (off: number): number => {
      if (off + 8 > b.length) throw bad('record runs past the end of the file');
      const v = b.readBigUInt64LE(off);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a zip64 size or offset is too large');
      return Number(v);
    };
    // end of central directory: the last 22..65557 bytes
    let eocd = -1;
    for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
      if (b.readUInt32LE(i) === SIG_EOCD) { eocd = i; break; }
    }
    if (eocd < 0) throw bad('no end-of-central-directory record (the file is truncated or not a zip)');
    let count = b.readUInt16LE(eocd + 10);
    let cdSize = b.readUInt32LE(eocd + 12);
    let cdOffset = b.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || b.readUInt32LE(loc) !== SIG_Z64_LOC) throw bad('zip64 end-of-central-directory locator is missing');
      const z = u64(loc + 8);
      if (z + 56 > b.length || b.readUInt32LE(z) !== SIG_Z64_EOCD) throw bad('zip64 end-of-central-directory record is missing');
      count = u64(z + 32);
      cdSize = u64(z + 40);
      cdOffset = u64(z + 48);
    }
    if (cdOffset + cdSize > b.length) throw bad(`the central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the file (${b.length} bytes)`);
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      if (p + 46 > b.length || b.readUInt32LE(p) !== SIG_CD) throw bad(`central directory entry ${i} is damaged`);
      const flags = b.readUInt16LE(p + 8);
      const method = b.readUInt16LE(p + 10);
      const crc = b.readUInt32LE(p + 16);
      let csize = b.readUInt32LE(p + 20);
      let usize = b.readUInt32LE(p + 24);
      const nlen = b.readUInt16LE(p + 28), elen = b.readUInt16LE(p + 30), clen = b.readUInt16LE(p + 32);
      let localOffset = b.readUInt32LE(p + 42);
      if (p + 46 + nlen + elen + clen > b.length) throw bad(`central directory entry ${i} runs past the end of the file`);
      const name = b.toString('utf8', p + 46, p + 46 + nlen);
      // zip64 extra field: the 0xffffffff fields, in order usize, csize, offset
      let e = p + 46 + nlen;
      const eEnd = e + elen;
      while (e + 4 <= eEnd) {
        const id = b.readUInt16LE(e), sz = b.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (usize === 0xffffffff) { usize = u64(q); q += 8; }
          if (csize === 0xffffffff) { csize = u64(q); q += 8; }
          if (localOffset === 0xffffffff) { localOffset = u64(q); q += 8; }
        }
        e += 4 + sz;
      }
      this.entries.set(name, { name, method, flags, crc, csize, usize, localOffset });
      p += 46 + nlen + elen + clen;
    }
  }

  names(): string[] { return [...this.entries.keys()]; }
  has(name: string): boolean { return this.entries.has(name); }

  /** The entry's bytes (a view into the file for stored entries), CRC-checked. */
  read(name: string): Buffer {
    const en = this.entries.get(name);
    if (!en) throw corrupt(this.file, `zip archive: entry '${name}' is missing`);
    const b = this.buf;
    const lo = en.localOffset;
    if (lo + 30 > b.length || b.readUInt32LE(lo) !== SIG_LOCAL) throw corrupt(this.file, `zip archive: the local header of '${name}' is damaged`);
    const start = lo + 30 + b.readUInt16LE(lo + 26) + b.readUInt16LE(lo + 28);
    if (en.method === 0 && en.usize !== en.csize) throw corrupt(this.file, `zip archive: stored entry '${name}' has sizes ${en.csize} and ${en.usize}`);
    if (start + en.csize > b.length) throw corrupt(this.file, `zip archive: the data of '${name}' (${en.csize} bytes) runs past the end of the file`);
    if (en.flags & 1) throw new TorchError(`torch.load: '${this.file}': zip entry '${name}' is encrypted, which is not supported`);
    const raw = b.subarray(start, start + en.csize);
    let data: Buffer;
    if (en.method === 0) data = raw;
    else if (en.method === 8) {
      // deflate expands at most ~1032:1, so a larger claimed size is a lie; inflating stops at the claimed size
      if (en.usize > en.csize * 1032 + 64) throw corrupt(this.file, `zip archive: entry '${name}' claims ${en.usize} bytes from ${en.csize} compressed bytes, more than deflate can produce`);
      try { data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, en.usize) }); } catch (e) { throw corrupt(this.file, `zip archive: entry '${name}' does not inflate to its ${en.usize} bytes (${(e as Error).message})`); }
    } else throw new TorchError(`torch.load: '${this.file}': zip entry '${name}' uses compression method ${en.method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== en.usize) throw corrupt(this.file, `zip archive: entry '${name}' is ${data.length} bytes, the directory says ${en.usize}`);
    if (crc32(data) !== en.crc) throw corrupt(this.file, `zip archive: CRC-32 mismatch in entry '${name}'`);
    return data;
  }
}
