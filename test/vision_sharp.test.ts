// vision_sharp.test.ts - nodetorch/vision's codecs against PIL (Debian's python3-pil over libjpeg-turbo), with the
// fixtures of test/ref/gen_vision_sharp.py: photo-like JPEGs (4:2:0, 4:2:2, 4:4:4, progressive, grey; quality 75 to
// 95) decode through sharp to PIL's pixels within 1 level (the target; they are in fact equal), PNGs of every colour
// type and bit depth exactly, JPEGs that sharp encodes decode to what PIL's own JPEG of the same pixels decodes to,
// the asynchronous path agrees with the synchronous one, corrupt data gives TorchErrors, and without sharp
// (NODETORCH_NO_SHARP=1, or sharp failing to load) the pure-JS codecs take over, checked in child processes over dist/.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PNG } from 'pngjs';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

const io = vision.io;
const DIR = path.join(__dirname, 'ref', 'vision_sharp');
interface FileRef { file: string; pil?: string; mode: string; width: number; height: number; sha256: string }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/vision_sharp.json') as { files: FileRef[]; encode: { source: string; quality: number; pil: string }[] };
const JPEGS = REF.files.filter((f) => f.file.endsWith('.jpg'));
const PNGS = REF.files.filter((f) => f.file.endsWith('.png'));
const HAVE_SHARP = io.imageBackend().backend === 'sharp';
const withSharp = HAVE_SHARP ? test : test.skip;
const bytes = (name: string): Buffer => fs.readFileSync(path.join(DIR, name));

/** A PNG read by pngjs directly (not through io), as HWC pixels of its own channel count. */
function refPixels(name: string): { data: Uint8Array; c: number; h: number; w: number } {
  const png = PNG.sync.read(bytes(name)) as unknown as { width: number; height: number; data: Buffer; colorType: number };
  const c = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[png.colorType];
  const pick = c === 1 ? [0] : c === 2 ? [0, 3] : c === 3 ? [0, 1, 2] : [0, 1, 2, 3];
  const n = png.width * png.height, data = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) data[i * c + k] = png.data[4 * i + pick[k]];
  return { data, c, h: png.height, w: png.width };
}
const hwc = (t: torch.Tensor): Uint8Array => t.permute(1, 2, 0).contiguous().toTypedArray() as Uint8Array;
const sha = (a: Uint8Array): string => crypto.createHash('sha256').update(a).digest('hex');
function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number; differ: number } {
  expect(a.length).toBe(b.length);
  let max = 0, sum = 0, differ = 0;
  for (let i = 0; i < a.length; i++) { const d = Math.abs(a[i] - b[i]); if (d > max) max = d; sum += d; if (d) differ++; }
  return { max, mean: sum / a.length, differ: differ / a.length };
}
function using<T>(backend: 'sharp' | 'js', fn: () => T): T {
  io.setImageBackend(backend);
  try { return fn(); } finally { io.setImageBackend(HAVE_SHARP ? 'sharp' : 'js'); }
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-vision-sharp-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

describe('JPEG decoding against PIL', () => {
  test('the fixtures are there: 8 JPEGs with PIL\'s pixels, 11 PNGs, 3 encodings', () => {
    expect(JPEGS.length).toBe(8);
    expect(PNGS.length).toBe(11);
    expect(REF.encode.length).toBe(3);
  });

  withSharp.each(JPEGS.map((f) => [f.file, f] as const))('%s: sharp gives PIL\'s pixels (within 1 level)', (name, f) => {
    const t = io.decodeJpeg(bytes(f.file));
    const ref = refPixels(f.pil as string);
    expect(t.dtype).toBe('uint8');
    expect(t.shape).toEqual([ref.c, f.height, f.width]);
    const d = diff(hwc(t), ref.data);
    expect(d.max).toBeLessThanOrEqual(1);
    expect(d.mean).toBeLessThan(0.01);
    // and the recorded hash of PIL's output, which the reference PNG itself must match
    expect(sha(ref.data)).toBe(f.sha256);
  });

  // what the fallback gives: jpeg-js's IDCT rounds differently (a level or so), and it replicates subsampled chroma
  // where libjpeg interpolates it ("fancy upsampling"), which costs up to tens of levels at colour edges
  test.each(JPEGS.map((f) => [f.file, f] as const))('%s: the JS codec, for comparison', (name, f) => {
    const t = using('js', () => io.decodeJpeg(bytes(f.file)));
    const ref = refPixels(f.pil as string);
    expect(t.shape).toEqual([ref.c, f.height, f.width]);
    const d = diff(hwc(t), ref.data);
    if (/grey|444/.test(name)) { expect(d.max).toBeLessThanOrEqual(3); expect(d.mean).toBeLessThan(1); } else {
      expect(d.max).toBeGreaterThan(1); // the gap sharp closes
      expect(d.mean).toBeLessThan(5);
    }
  });

  withSharp('read modes on a colour JPEG: GRAY from the RGB pixels, RGB_ALPHA with an opaque alpha', () => {
    const b = bytes('q75_420.jpg');
    const rgb = io.decodeJpeg(b);
    expect(io.decodeJpeg(b, { mode: 'RGB' }).equal(rgb)).toBe(true);
    const rgba = io.decodeJpeg(b, { mode: 'RGB_ALPHA' });
    expect(rgba.narrow(0, 0, 3).equal(rgb)).toBe(true);
    expect(rgba.select(0, 3).eq(255).all().item()).toBe(true);
    const g = io.decodeJpeg(b, { mode: 'GRAY' }).flatten().tolist() as number[];
    const [r, gg, bl] = [0, 1, 2].map((k) => rgb.select(0, k).flatten().tolist() as number[]);
    g.forEach((v, i) => expect(v).toBe(Math.min(255, Math.round(0.2989 * r[i] + 0.587 * gg[i] + 0.114 * bl[i]))));
    expect(io.decodeJpeg(bytes('q75_grey.jpg'), { mode: 'RGB' }).shape).toEqual([3, 67, 89]);
  });
});

describe('PNG decoding is exact', () => {
  for (const backend of ['sharp', 'js'] as const) {
    const t = backend === 'sharp' ? withSharp : test;
    t.each(PNGS.map((f) => [f.file, f] as const))(`%s (${backend})`, (name, f) => {
      const img = using(backend, () => io.decodePng(bytes(f.file)));
      expect(img.shape[1]).toBe(f.height);
      expect(img.shape[2]).toBe(f.width);
      expect(sha(hwc(img))).toBe(f.sha256);
    });
  }

  withSharp('every read mode agrees with the JS codec on every PNG', () => {
    for (const f of PNGS) {
      for (const mode of ['UNCHANGED', 'GRAY', 'GRAY_ALPHA', 'RGB', 'RGB_ALPHA'] as const) {
        const a = io.decodePng(bytes(f.file), { mode });
        const b = using('js', () => io.decodePng(bytes(f.file), { mode }));
        expect([f.file, mode, a.shape]).toEqual([f.file, mode, b.shape]);
        expect(a.equal(b)).toBe(true);
      }
    }
  });
});

describe('asynchronous decoding', () => {
  test('decodeImageAsync and readImageAsync, many at once, give the synchronous results', async () => {
    const all = [...JPEGS, ...PNGS, ...JPEGS];
    const got = await Promise.all(all.map((f, i) => (i % 2 ? io.decodeImageAsync(bytes(f.file)) : io.readImageAsync(path.join(DIR, f.file)))));
    all.forEach((f, i) => expect([f.file, got[i].equal(io.decodeImage(bytes(f.file)))]).toEqual([f.file, true]));
    // a 1-D uint8 tensor of the file's bytes, as torchvision's read_file gives
    const fromTensor = await io.decodeImageAsync(io.readFile(path.join(DIR, 'q85_422.jpg')));
    expect(fromTensor.equal(io.decodeImage(bytes('q85_422.jpg')))).toBe(true);
    await expect(io.decodeImageAsync(bytes('rgb.png'), { mode: 'constructor' as never })).rejects.toThrow(/mode must be one of/);
    const g = await io.decodeImageAsync(bytes('rgba.png'), { mode: 'GRAY_ALPHA' });
    expect(g.equal(io.decodeImage(bytes('rgba.png'), { mode: 'GRAY_ALPHA' }))).toBe(true);
  });
});

describe('encoding', () => {
  withSharp.each(REF.encode.map((e) => [`${e.source} at quality ${e.quality}`, e] as const))('JPEG of %s decodes to what PIL\'s JPEG of it decodes to', (name, e) => {
    const src = refPixels(e.source);
    const img = torch.frombuffer(src.data.slice()).view(src.h, src.w, src.c).permute(2, 0, 1).contiguous();
    const jpg = io.encodeJpeg(img, { quality: e.quality });
    const back = io.decodeJpeg(jpg);
    expect(back.shape).toEqual([src.c, src.h, src.w]);
    const d = diff(hwc(back), refPixels(e.pil).data);
    expect(d.max).toBeLessThanOrEqual(1);
    // a baseline JPEG with one component per channel; colour at 4:2:0 (sampling factors 2x2, 1x1, 1x1) as PIL
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect(jpg[sof + 9]).toBe(src.c);
    if (src.c === 3) expect([jpg[sof + 11], jpg[sof + 14], jpg[sof + 17]]).toEqual([0x22, 0x11, 0x11]);
  });

  test('PNG round trips for 1 to 4 channels, read back by pngjs, with the right colour type', () => {
    const rgba = io.decodePng(bytes('rgba.png'));
    for (const backend of HAVE_SHARP ? ['sharp', 'js'] as const : ['js'] as const) {
      for (const c of [1, 2, 3, 4]) {
        const img = c === 2 ? torch.stack([rgba.select(0, 1), rgba.select(0, 3)]) : rgba.narrow(0, 0, c).contiguous();
        const png = using(backend, () => io.encodePng(img, { compressionLevel: 9 }));
        expect([backend, c, png[25]]).toEqual([backend, c, { 1: 0, 2: 4, 3: 2, 4: 6 }[c]]);
        const p = path.join(tmp, `rt${c}.png`);
        fs.writeFileSync(p, png);
        const back = refPixels(path.relative(DIR, p));
        expect(sha(back.data)).toBe(sha(hwc(img)));
      }
    }
  });

  withSharp('writeJpeg and saveImage(.jpg) write through sharp: grey stays one channel', () => {
    const g = io.decodePng(bytes('grey.png'));
    const p = path.join(tmp, 'g.jpg');
    io.writeJpeg(g, p, { quality: 90 });
    expect(io.readImage(p).shape).toEqual([1, 29, 37]);
    // saveImage's pixels are round(x * 255): the uint8 image itself, written by writeJpeg (quality 75)
    const q = path.join(tmp, 'grid.jpg');
    const rgb = io.decodePng(bytes('rgb.png'));
    vision.utils.saveImage(rgb.float().div(255), q);
    expect(fs.readFileSync(q).equals(io.encodeJpeg(rgb))).toBe(true);
    expect(io.readImage(q).shape).toEqual([3, 29, 37]);
  });
});

describe('errors', () => {
  const jpg = bytes('q95_444.jpg');
  const corrupt: [string, Buffer, RegExp][] = [
    ['a truncated JPEG', jpg.subarray(0, Math.floor(jpg.length * 0.6)), /decodeJpeg: corrupt or unsupported JPEG/],
    ['a JPEG signature and nothing else', Buffer.from([0xff, 0xd8, 0xff, 0, 0, 0]), /decodeJpeg: corrupt or unsupported JPEG/],
    ['a JPEG header then garbage', Buffer.concat([jpg.subarray(0, 300), Buffer.alloc(500, 0x5a)]), /decodeJpeg: corrupt or unsupported JPEG/],
    ['a truncated PNG', bytes('rgb.png').subarray(0, 400), /decodePng: corrupt or unsupported PNG/],
    ['a PNG without IHDR', Buffer.concat([bytes('rgb.png').subarray(0, 8), Buffer.from('0000000dJUNK', 'latin1'), Buffer.alloc(20)]), /decodePng: corrupt or unsupported PNG/],
  ];
  for (const backend of ['sharp', 'js'] as const) {
    const t = backend === 'sharp' ? withSharp : test;
    t.each(corrupt)(`%s gives a TorchError (${backend})`, (name, data, re) => {
      using(backend, () => {
        let err: unknown;
        try { io.decodeImage(data); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(torch.TorchError);
        expect(String((err as Error).message)).toMatch(re);
      });
    });
  }

  withSharp('asynchronous decoding rejects with the same TorchErrors, and the next decode still works', async () => {
    for (const [, data, re] of corrupt) {
      await expect(io.decodeImageAsync(data)).rejects.toThrow(torch.TorchError);
      await expect(io.decodeImageAsync(data)).rejects.toThrow(re);
    }
    const p = path.join(tmp, 'bad.jpg');
    fs.writeFileSync(p, corrupt[0][1]);
    expect(() => io.readImage(p)).toThrow(/readImage\('.*bad\.jpg'\): decodeJpeg: corrupt/);
    await expect(io.readImageAsync(p)).rejects.toThrow(/readImageAsync\('.*bad\.jpg'\): decodeJpeg: corrupt/);
    expect(sha(hwc(io.decodeJpeg(jpg)))).toBe(JPEGS.find((f) => f.file === 'q95_444.jpg')?.sha256);
  });

  test('bad backend names and modes', () => {
    expect(() => io.setImageBackend('libjpeg' as never)).toThrow(torch.TorchError);
    expect(() => io.decodeJpeg(jpg, { mode: 'RGBX' as never })).toThrow(/mode must be one of UNCHANGED/);
    expect(io.imageBackend().backend).toBe(HAVE_SHARP ? 'sharp' : 'js');
  });
});

describe('without sharp', () => {
  const root = path.join(__dirname, '..');
  const DIST = path.join(root, 'dist', 'vision', 'index.js');
  const run = (script: string, env: Record<string, string>, extra: string[] = []): { status: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [...extra, '-e', script], { encoding: 'utf8', timeout: 120000, cwd: root, env: { ...process.env, ...env } });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr.slice(-500) };
  };
  // decodes every fixture, prints the backend and the pixels' hashes
  const script = `
    const crypto = require('crypto'), fs = require('fs'), path = require('path');
    const vision = require(${JSON.stringify(DIST)});
    const info = vision.io.imageBackend();
    const hashes = {};
    for (const f of ${JSON.stringify([...JPEGS, ...PNGS].map((f) => f.file))}) {
      const t = vision.io.readImage(path.join(${JSON.stringify(DIR)}, f));
      hashes[f] = crypto.createHash('sha256').update(t.permute(1, 2, 0).contiguous().toTypedArray()).digest('hex');
    }
    let setSharp = 'ok';
    try { vision.io.setImageBackend('sharp'); } catch (e) { setSharp = e.constructor.name + ': ' + e.message; }
    const loaded = Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]sharp[\\\\/]/.test(k));
    console.log(JSON.stringify({ info, hashes, setSharp, loaded }));`;
  const jsHashes = (): Record<string, string> => using('js', () => Object.fromEntries([...JPEGS, ...PNGS].map((f) => [f.file, sha(hwc(io.readImage(path.join(DIR, f.file))))])));

  test('dist/ is built (npm run build:ts) so that child processes can load nodetorch/vision', () => {
    expect(fs.existsSync(DIST)).toBe(true);
  });

  test('NODETORCH_NO_SHARP=1: the JS codecs, sharp never loaded', () => {
    const r = run(script, { NODETORCH_NO_SHARP: '1' });
    expect({ status: r.status, err: r.err }).toEqual({ status: 0, err: '' });
    const o = JSON.parse(r.out);
    expect(o.info).toEqual({ backend: 'js', version: null, reason: 'NODETORCH_NO_SHARP is set' });
    expect(o.loaded).toBe(false);
    expect(o.setSharp).toMatch(/^TorchError: setImageBackend: sharp is not available \(NODETORCH_NO_SHARP is set\)/);
    expect(o.hashes).toEqual(jsHashes());
  });

  test('sharp failing to load (no prebuilt binary for the platform): the JS codecs', () => {
    // a preload that makes require('sharp') throw as it does where @img/sharp-<platform> is missing
    const pre = path.join(tmp, 'no-sharp.js');
    fs.writeFileSync(pre, `
      const Module = require('module');
      const orig = Module._load;
      Module._load = function (req, parent, isMain) {
        if (req === 'sharp' || /[\\\\/]node_modules[\\\\/]sharp[\\\\/]/.test(req)) throw new Error('Could not load the "sharp" module using the linux-x64 runtime (simulated)');
        return orig.apply(this, arguments);
      };`);
    const r = run(script, { NODETORCH_NO_SHARP: '' }, ['-r', pre]);
    expect({ status: r.status, err: r.err }).toEqual({ status: 0, err: '' });
    const o = JSON.parse(r.out);
    expect(o.info.backend).toBe('js');
    expect(o.info.reason).toMatch(/^sharp could not be loaded: Could not load the "sharp" module .*\(simulated\)/);
    expect(o.setSharp).toMatch(/^TorchError: setImageBackend: sharp is not available/);
    expect(o.hashes).toEqual(jsHashes());
  });

  (HAVE_SHARP ? test : test.skip)('sharp loads but its helper thread cannot: one warning, then the JS codecs', () => {
    const pre = path.join(tmp, 'no-sharp-in-workers.js');
    fs.writeFileSync(pre, `
      const Module = require('module');
      const { isMainThread } = require('worker_threads');
      const orig = Module._load;
      Module._load = function (req) {
        if (!isMainThread && /[\\/]node_modules[\\/]sharp[\\/]/.test(req)) throw new Error('no sharp in this thread (simulated)');
        return orig.apply(this, arguments);
      };`);
    const r = run(script, { NODETORCH_NO_SHARP: '' }, ['-r', pre]);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/Warning: nodetorch\/vision: sharp cannot be used synchronously: its helper thread could not load it: no sharp in this thread \(simulated\); using the pure-JS codecs/);
    expect(r.err.match(/Warning/g)?.length).toBe(1);
    const o = JSON.parse(r.out);
    expect(o.info.backend).toBe('js');
    expect(o.hashes).toEqual(jsHashes());
  });

  (HAVE_SHARP ? test : test.skip)('with sharp, the same script gives PIL\'s pixels (the hashes recorded by gen_vision_sharp.py)', () => {
    const r = run(script, { NODETORCH_NO_SHARP: '' });
    expect({ status: r.status, err: r.err }).toEqual({ status: 0, err: '' });
    const o = JSON.parse(r.out);
    expect(o.info.backend).toBe('sharp');
    expect(o.loaded).toBe(true);
    expect(o.hashes).toEqual(Object.fromEntries([...JPEGS, ...PNGS].map((f) => [f.file, f.sha256])));
  });
});

describe('ImageFolder over DataLoader worker threads', () => {
  (HAVE_SHARP ? test : test.skip)('workers decode through their own helper threads, and the process exits cleanly', () => {
    const root = path.join(tmp, 'folder');
    // 1 or 3 channels, for Grayscale(3)
    const pngs = PNGS.filter((f) => !/16|alpha|rgba/.test(f.file));
    for (const [cls, files] of [['jpg', JPEGS], ['png', pngs]] as const) {
      fs.mkdirSync(path.join(root, cls), { recursive: true });
      for (const f of files) fs.copyFileSync(path.join(DIR, f.file), path.join(root, cls, f.file));
    }
    const dist = path.join(__dirname, '..', 'dist');
    const script = `
      const torch = require(${JSON.stringify(path.join(dist, 'index.js'))});
      const vision = require(${JSON.stringify(path.join(dist, 'vision', 'index.js'))});
      const T = vision.transforms;
      const ds = new vision.datasets.ImageFolder(${JSON.stringify(root)}, { transform: new T.Compose([new T.Grayscale(3), new T.Resize([16, 16])]) });
      (async () => {
        const sums = [];
        for await (const [x, y] of new torch.utils.data.DataLoader(ds, { batchSize: 3, numWorkers: 2 })) sums.push(...x.float().sum([1, 2, 3]).tolist());
        const ref = [];
        for (let i = 0; i < ds.length; i++) ref.push(ds.getItem(i)[0].float().sum().item());
        console.log(JSON.stringify({ n: sums.length, same: JSON.stringify(sums) === JSON.stringify(ref) }));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
    expect({ status: r.status, signal: r.signal, err: r.stderr.slice(-500) }).toEqual({ status: 0, signal: null, err: '' });
    expect(JSON.parse(r.stdout.trim())).toEqual({ n: JPEGS.length + pngs.length, same: true });
  });
});
