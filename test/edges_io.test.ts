// edges_io.test.ts - file edges: torch.load and every reader refuse what is not a regular file (a FIFO, /dev/zero, a
// directory) at once with a TorchError instead of blocking or reading without end; headers claiming too many
// dimensions or more bytes than the file has are refused; every public function that takes a path takes a string, a
// file: URL or a Buffer and refuses a number (which fs would take as a file descriptor) with a TypeError naming it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as zlib from 'zlib';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-edges-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const tmpFile = (ext = '.pt'): string => path.join(tmp, `f${n++}${ext}`);

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  return null;
}
function expectTorchError(fn: () => unknown, re: RegExp): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(torch.TorchError);
  expect((e as Error).message).toMatch(re);
}

// ---- not a regular file ------------------------------------------------------------------------------------------
const haveMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;
describe('only regular files are read', () => {
  let fifo = '';
  let writer: ChildProcess | null = null;
  beforeAll(() => {
    if (!haveMkfifo) return;
    fifo = path.join(tmp, 'pipe.pt');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // a writer that holds the FIFO open for a while: if a reader ever opened it, the read would end (and fail the
    // test) instead of blocking the test run forever
    writer = spawn('sh', ['-c', `exec 3>"${fifo}"; sleep 20`], { stdio: 'ignore' });
  });
  afterAll(() => { if (writer) writer.kill('SIGKILL'); });
  const sources = (): [string, string][] => [
    ...(haveMkfifo ? [['a FIFO', fifo] as [string, string]] : []),
    ...(fs.existsSync('/dev/zero') ? [['/dev/zero', '/dev/zero'] as [string, string]] : []),
    ['a directory', tmp],
  ];
  const kind = (what: string): RegExp => (what === 'a FIFO' ? /FIFO/ : what === '/dev/zero' ? /character device/ : /directory/);

  test('torch.load and torch.loadAsync', async () => {
    for (const [what, p] of sources()) {
      const t0 = Date.now();
      expectTorchError(() => torch.load(p), kind(what));
      expectTorchError(() => torch.load(p), /not a regular file/);
      await expect(torch.loadAsync(p)).rejects.toThrow(torch.TorchError);
      await expect(torch.loadAsync(p)).rejects.toThrow(kind(what));
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
  test('vision readers, readIdx, extractArchive', async () => {
    for (const [what, p] of sources()) {
      expectTorchError(() => vision.datasets.readIdx(p), kind(what));
      expectTorchError(() => vision.io.readImage(p), kind(what));
      expectTorchError(() => vision.io.readFile(p), kind(what));
      await expect(vision.io.readImageAsync(p)).rejects.toThrow(kind(what));
    }
    if (haveMkfifo) {
      const tarFifo = path.join(tmp, 'pipe.tar');
      expect(spawnSync('mkfifo', [tarFifo]).status).toBe(0);
      expectTorchError(() => vision.datasets.utils.extractArchive(tarFifo, path.join(tmp, 'out')), /FIFO/);
    }
  });
  test('a regular file still loads, from a string, a file: URL and (for save) a Buffer path', () => {
    const f = tmpFile();
    torch.save({ w: torch.tensor([1.5, NaN, -Infinity]) }, Buffer.from(f));
    const a = torch.load<Record<string, torch.Tensor>>(f).w, b = torch.load<Record<string, torch.Tensor>>(pathToFileURL(f)).w;
    for (const t of [a, b]) expect(t.tolist()).toEqual([1.5, NaN, -Infinity]);
  });
});

// ---- headers that claim too much ---------------------------------------------------------------------------------
function safetensors(header: object, data: Buffer): Buffer {
  let h = JSON.stringify(header);
  h += ' '.repeat((8 - (h.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, Buffer.from(h), data]);
}
// a nodetorch checkpoint of { t: tensor [1] } with its header rewritten by `edit` (the data and its CRC unchanged)
function nodetorchWith(edit: (h: { tensors: { shape: number[]; data_offsets: number[] }[] }) => void): Buffer {
  const f = tmpFile();
  torch.save({ t: torch.ones([1]), n: 1 }, f, { format: 'nodetorch' });
  const b = fs.readFileSync(f);
  const hl = Number(b.readBigUInt64LE(16));
  const header = JSON.parse(b.toString('utf8', 24, 24 + hl));
  edit(header);
  let hs = JSON.stringify(header);
  hs += ' '.repeat((8 - (hs.length % 8)) % 8);
  const pre = Buffer.from(b.subarray(0, 24));
  pre.writeBigUInt64LE(BigInt(hs.length), 16);
  return Buffer.concat([pre, Buffer.from(hs), b.subarray(24 + hl)]);
}

describe('headers that claim too many dimensions or more bytes than the file has', () => {
  const viaFile = (b: Buffer): (() => unknown) => { const f = tmpFile(); fs.writeFileSync(f, b); return () => torch.load(f); };
  test('more than 64 dimensions (and more than nodetorch supports)', () => {
    for (const nd of [65, 17]) {
      const st = safetensors({ a: { dtype: 'F32', shape: Array(nd).fill(1), data_offsets: [0, 4] } }, Buffer.alloc(4));
      expectTorchError(viaFile(st), new RegExp(`${nd} dimensions`));
      expectTorchError(() => torch.load(st), new RegExp(`${nd} dimensions`));
      const nt = nodetorchWith((h) => { h.tensors[0].shape = Array(nd).fill(1); });
      expectTorchError(viaFile(nt), new RegExp(`${nd} dimensions`));
    }
    // 16 dimensions are fine
    const ok = safetensors({ a: { dtype: 'F32', shape: Array(16).fill(1), data_offsets: [0, 4] } }, Buffer.alloc(4));
    expect((torch.load<Record<string, torch.Tensor>>(ok).a).shape).toEqual(Array(16).fill(1));
  });
  test('sizes larger than the file', () => {
    // a huge tensor whose offsets run past the data
    const big = safetensors({ a: { dtype: 'F32', shape: [1 << 20, 1 << 20], data_offsets: [0, 4 * 2 ** 40] } }, Buffer.alloc(16));
    expectTorchError(viaFile(big), /past the end/);
    // a header length beyond the file
    const hdr = Buffer.alloc(16);
    hdr.writeBigUInt64LE(1n << 40n);
    hdr.write('{"a":', 8);
    expectTorchError(viaFile(hdr), /torch\.load/);
    // nodetorch: data offsets beyond the data, and a shape whose size does not match them
    expectTorchError(viaFile(nodetorchWith((h) => { h.tensors[0].data_offsets = [0, 1 << 30]; })), /outside the data/);
    expectTorchError(viaFile(nodetorchWith((h) => { h.tensors[0].shape = [1 << 25, 1 << 25]; })), /bytes for a float32 tensor/);
    // a zip entry claiming far more bytes than its compressed data can inflate to
    const pyzip = fs.readFileSync(path.join(__dirname, 'fixtures', 'deflated.pt'));
    const e = thrown(() => torch.load(patchZipSizes(pyzip)));
    expect(e).toBeInstanceOf(torch.TorchError);
    expect((e as Error).message).toMatch(/more than deflate can produce|runs past the end/);
  });
});

// raise the uncompressed size of the first deflated entry of a zip's central directory to 2^31
function patchZipSizes(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let p = 0; p + 46 <= out.length; p++) {
    if (out.readUInt32LE(p) === 0x02014b50 && out.readUInt16LE(p + 10) === 8) { out.writeUInt32LE(0x80000000, p + 24); return out; }
  }
  throw new Error('no deflated entry in the fixture');
}

// ---- path arguments ----------------------------------------------------------------------------------------------
describe('path arguments are strings, file: URLs or Buffers', () => {
  const img = torch.zeros([3, 2, 2], { dtype: 'uint8' });
  const calls: [string, (p: never) => unknown][] = [
    ['torch.load', (p) => torch.load(p)],
    ['torch.save', (p) => torch.save({ a: torch.ones([1]) }, p)],
    ['readImage', (p) => vision.io.readImage(p)],
    ['readFile', (p) => vision.io.readFile(p)],
    ['writeFile', (p) => vision.io.writeFile(p, new Uint8Array([1]))],
    ['writePng', (p) => vision.io.writePng(img, p)],
    ['writeJpeg', (p) => vision.io.writeJpeg(img, p)],
    ['saveImage', (p) => vision.utils.saveImage(img.float(), p)],
    ['readIdx', (p) => vision.datasets.readIdx(p)],
    ['MNIST', (p) => new vision.datasets.MNIST({ root: p })],
    ['ImageFolder', (p) => new vision.datasets.ImageFolder(p)],
    ['findClasses', (p) => vision.datasets.findClasses(p)],
    ['extractArchive', (p) => vision.datasets.utils.extractArchive(p)],
    ['FileStore', (p) => new torch.distributed.FileStore(p)],
  ];
  test.each(calls)('%s refuses a number (a file descriptor to fs), an object and an empty path', (name, fn) => {
    for (const bad of [2, 0, {}, '', true]) {
      const e = thrown(() => fn(bad as never));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toContain(`${name}()`);
    }
    expect((thrown(() => fn(2 as never)) as Error).message).toMatch(/file descriptors are not accepted/);
  });
  test('the async forms too', async () => {
    await expect(torch.loadAsync(2 as never)).rejects.toThrow(TypeError);
    await expect(torch.saveAsync({ a: torch.ones([1]) }, 2 as never)).rejects.toThrow(TypeError);
    await expect(vision.io.readImageAsync(1 as never)).rejects.toThrow(/readImageAsync\(\)/);
  });

  test('string, URL and Buffer paths reach the same file', async () => {
    // an IDX file of three uint8 values
    const idx = tmpFile('.idx');
    fs.writeFileSync(idx, Buffer.from([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]));
    for (const p of [idx, pathToFileURL(idx), Buffer.from(idx)]) expect(vision.datasets.readIdx(p).tolist()).toEqual([7, 8, 9]);
    // images written and read back through each form
    const rgb = torch.arange(12, { dtype: 'uint8' }).reshape([3, 2, 2]);
    const png = tmpFile('.png');
    vision.io.writePng(rgb, Buffer.from(png));
    for (const p of [png, pathToFileURL(png), Buffer.from(png)]) {
      expect(vision.io.readImage(p).tolist()).toEqual(rgb.tolist());
      expect((await vision.io.readImageAsync(p)).tolist()).toEqual(rgb.tolist());
    }
    // save through a URL, load through a Buffer *path* is not possible (a Buffer given to load is the file's bytes)
    const f = tmpFile();
    torch.save({ a: torch.tensor([1, 2]) }, pathToFileURL(f));
    expect(torch.load<Record<string, torch.Tensor>>(fs.readFileSync(f)).a.tolist()).toEqual([1, 2]);
    await torch.saveAsync({ b: torch.tensor([3]) }, Buffer.from(f));
    expect((await torch.loadAsync<Record<string, torch.Tensor>>(pathToFileURL(f))).b.tolist()).toEqual([3]);
    // a folder dataset rooted at a URL
    const root = path.join(tmp, 'folder');
    fs.mkdirSync(path.join(root, 'cat'), { recursive: true });
    vision.io.writePng(rgb, path.join(root, 'cat', 'a.png'));
    const ds = new vision.datasets.ImageFolder(pathToFileURL(root));
    expect(ds.length).toBe(1);
    expect(ds.root).toBe(root);
    // a gzipped file extracted from a Buffer path
    const gz = path.join(tmp, 'one.txt.gz');
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.from('hello')));
    vision.datasets.utils.extractArchive(Buffer.from(gz), pathToFileURL(path.join(tmp, 'ex')));
    expect(fs.readFileSync(path.join(tmp, 'ex', 'one.txt'), 'utf8')).toBe('hello');
  });
  test('a URL of another protocol is refused', () => {
    expect(() => torch.load(new URL('http://example.com/x.pt'))).toThrow(/file: URL/);
    expect(() => vision.datasets.readIdx(new URL('https://example.com/x'))).toThrow(TypeError);
  });
});
