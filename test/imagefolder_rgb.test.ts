// imagefolder_rgb.test.ts - ImageFolder's default loader converts every image to RGB as torchvision's does
// (PIL's Image.open(f).convert('RGB')): grey, grey + alpha, 1-bit, RGB, RGBA, palette (with and without tRNS) PNGs and
// grey/RGB JPEGs all come as uint8 [3, H, W] with PIL's pixels (test/ref/gen_imagefolder_rgb.py), so a folder mixing
// them batches with the default collate, on the main thread and in DataLoader worker threads; a custom loader given
// as a module spec { module, exportName } works in workers too.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

type Tn = torch.Tensor;
const DIR = path.join(__dirname, 'ref', 'imagefolder_rgb');
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'imagefolder_rgb.json'), 'utf8')) as Record<string, { pilMode: string; shape: number[]; data: number[] }>;
const FILES = Object.keys(REF).sort();
const PNGS = FILES.filter((f) => f.endsWith('.png'));
const JPEGS = FILES.filter((f) => f.endsWith('.jpg'));
const HAVE_SHARP = vision.io.imageBackend().backend === 'sharp';
const DIST = path.join(__dirname, '..', 'dist');
const haveDist = fs.existsSync(path.join(DIST, 'vision', 'datasets.js')) && fs.existsSync(path.join(DIST, 'utils', 'data', 'worker.js'));
if (!haveDist) console.warn('imagefolder_rgb.test.ts: dist/ is not built (npm run build:ts); worker-thread tests are skipped');

const flat = (t: Tn): number[] => Array.from(t.contiguous().toTypedArray() as Uint8Array);
const maxDiff = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

let tmp: string;
let root: string; // root/png/<all PNGs>, root/jpg/<all JPEGs>
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-imgfolder-'));
  root = path.join(tmp, 'mixed');
  for (const [cls, files] of [['png', PNGS], ['jpg', JPEGS]] as const) {
    fs.mkdirSync(path.join(root, cls), { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(DIR, f), path.join(root, cls, f));
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// the order ImageFolder lists them in: classes sorted (jpg, png), files sorted within each
const ORDER = () => [...JPEGS, ...PNGS];

test('the fixtures cover every PIL mode an ImageFolder meets', () => {
  expect(Object.fromEntries(FILES.map((f) => [f, REF[f].pilMode]))).toEqual({
    'bilevel.png': '1', 'grey.jpg': 'L', 'grey.png': 'L', 'grey_alpha.png': 'LA', 'palette.png': 'P', 'palette_trns.png': 'P',
    'rgb.jpg': 'RGB', 'rgb.png': 'RGB', 'rgba.png': 'RGBA',
  });
  // the fixtures themselves keep their channels (so the conversion is what is tested)
  const ch = Object.fromEntries(FILES.map((f) => [f, vision.io.readImage(path.join(DIR, f)).shape[0]]));
  expect(ch).toEqual({ 'bilevel.png': 1, 'grey.jpg': 1, 'grey.png': 1, 'grey_alpha.png': 2, 'palette.png': 3, 'palette_trns.png': 3, 'rgb.jpg': 3, 'rgb.png': 3, 'rgba.png': 4 });
  // RGBA and LA hold fully transparent pixels with colour under them: compositing would change them
  const a = vision.io.readImage(path.join(DIR, 'rgba.png'));
  expect(flat(a.select(0, 3)).slice(0, 3)).toEqual([0, 0, 0]);
  expect(flat(a.select(0, 0)).slice(0, 3).some((v) => v > 0)).toBe(true);
});

describe('defaultLoader = PIL convert(\'RGB\')', () => {
  test.each(PNGS)('%s: PIL\'s pixels exactly', (f) => {
    const t = vision.datasets.defaultLoader(path.join(DIR, f));
    expect(t.dtype).toBe('uint8');
    expect(t.shape).toEqual(REF[f].shape);
    expect(flat(t)).toEqual(REF[f].data);
  });
  (HAVE_SHARP ? test.each(JPEGS) : test.skip.each(JPEGS))('%s: PIL\'s pixels exactly (sharp)', (f) => {
    const t = vision.datasets.defaultLoader(path.join(DIR, f));
    expect(t.shape).toEqual(REF[f].shape);
    expect(flat(t)).toEqual(REF[f].data);
  });
  test('defaultLoaderAsync gives the same tensors', async () => {
    for (const f of FILES) {
      const t = await vision.datasets.defaultLoaderAsync(path.join(DIR, f));
      expect({ f, px: flat(t), shape: t.shape }).toEqual({ f, px: flat(vision.datasets.defaultLoader(path.join(DIR, f))), shape: [3, 5, 7] });
    }
  });
  test('with the JS codecs: PNGs exactly, JPEGs as 3 channels (grey repeated) close to PIL', () => {
    vision.io.setImageBackend('js');
    try {
      for (const f of PNGS) expect({ f, px: flat(vision.datasets.defaultLoader(path.join(DIR, f))) }).toEqual({ f, px: REF[f].data });
      const g = vision.datasets.defaultLoader(path.join(DIR, 'grey.jpg'));
      expect(g.shape).toEqual([3, 5, 7]);
      expect(flat(g.select(0, 1))).toEqual(flat(g.select(0, 0)));
      expect(flat(g.select(0, 2))).toEqual(flat(g.select(0, 0)));
      expect(maxDiff(flat(g), REF['grey.jpg'].data)).toBeLessThanOrEqual(1);
      const c = vision.datasets.defaultLoader(path.join(DIR, 'rgb.jpg'));
      expect(c.shape).toEqual([3, 5, 7]);
      // jpeg-js upsamples chroma differently (README, "Image codecs"): close, not equal
      expect(maxDiff(flat(c), REF['rgb.jpg'].data)).toBeLessThanOrEqual(64);
    } finally {
      if (HAVE_SHARP) vision.io.setImageBackend('sharp');
    }
  });
});

describe('ImageFolder over a folder mixing grey, grey + alpha, palette, RGB and RGBA images', () => {
  const check = (x: Tn, y: Tn, order: string[]): void => {
    expect(x.dtype).toBe('uint8');
    expect(x.shape).toEqual([order.length, 3, 5, 7]);
    for (let k = 0; k < order.length; k++) {
      const f = order[k];
      const got = flat(x.select(0, k));
      if (HAVE_SHARP || f.endsWith('.png')) expect({ f, got }).toEqual({ f, got: REF[f].data });
      else expect(maxDiff(got, REF[f].data)).toBeLessThanOrEqual(64);
    }
    expect(y.tolist()).toEqual(order.map((f) => (f.endsWith('.jpg') ? 0 : 1)));
  };

  test('items are [3, H, W]; the default collate batches them (main thread)', () => {
    const ds = new vision.datasets.ImageFolder(root);
    expect(ds.classes).toEqual(['jpg', 'png']);
    expect(ds.samples.map(([p]) => path.basename(p))).toEqual(ORDER());
    const batches = [...new torch.utils.data.DataLoader(ds, { batchSize: 4 })] as [Tn, Tn][];
    expect(batches.map((b) => b[0].shape[0])).toEqual([4, 4, 1]);
    check(torch.cat(batches.map((b) => b[0])), torch.cat(batches.map((b) => b[1])), ORDER());
  });

  test('loader: defaultLoaderAsync, for await', async () => {
    const ds = new vision.datasets.ImageFolder(root, { loader: vision.datasets.defaultLoaderAsync });
    const xs: Tn[] = [], ys: Tn[] = [];
    for await (const [x, y] of new torch.utils.data.DataLoader(ds, { batchSize: 5 }) as AsyncIterable<[Tn, Tn]>) { xs.push(x); ys.push(y); }
    check(torch.cat(xs), torch.cat(ys), ORDER());
  });

  test('loader: io.readImage keeps each file\'s own channels (so the default collate refuses the mix)', () => {
    const ds = new vision.datasets.ImageFolder(root, { loader: vision.io.readImage });
    expect(ds.samples.map((_, i) => ((ds.getItem(i) as [Tn, number])[0]).shape[0])).toEqual(ORDER().map((f) => vision.io.readImage(path.join(DIR, f)).shape[0]));
    expect(() => [...new torch.utils.data.DataLoader(ds, { batchSize: 9 })]).toThrow();
  });
});

describe('loader as a module spec { module, exportName }', () => {
  let mod: string;
  beforeAll(() => {
    // no torch here: the main thread (lib/ under ts-jest) must not load a second copy of the library (dist/)
    mod = path.join(tmp, 'loaders.js');
    fs.writeFileSync(mod, `
const fs = require('fs'), path = require('path');
exports.sizeOf = (p) => ({ file: path.basename(p), bytes: fs.statSync(p).size });
exports.notAFunction = 42;
module.exports.default = (p) => path.basename(p);
`);
  });

  test('on the main thread: the named export, or the default one', () => {
    const ds = new vision.datasets.ImageFolder(root, { loader: { module: mod, exportName: 'sizeOf' } });
    const items = ds.samples.map((_, i) => ds.getItem(i) as [{ file: string; bytes: number }, number]);
    expect(items.map(([s]) => s)).toEqual(ORDER().map((f) => ({ file: f, bytes: fs.statSync(path.join(DIR, f)).size })));
    const batch = [...new torch.utils.data.DataLoader(ds, { batchSize: 9 })][0] as [{ file: string[]; bytes: Tn }, Tn];
    expect(batch[0].file).toEqual(ORDER());
    expect(batch[0].bytes.dtype).toBe('int64');
    const byDefault = new vision.datasets.ImageFolder(root, { loader: { module: mod } });
    expect((byDefault.getItem(0) as [string, number])[0]).toBe(ORDER()[0]);
    // DatasetFolder takes the same spec
    const df = new vision.datasets.DatasetFolder(root, { loader: { module: mod, exportName: 'sizeOf' }, extensions: ['.PNG', '.jpg'] });
    expect(df.samples.map(([p]) => path.basename(p))).toEqual(ORDER());
    expect(df.workerSpec()).toMatchObject({ exportName: 'DatasetFolder', args: [root, { loader: { module: mod, exportName: 'sizeOf' }, extensions: ['.PNG', '.jpg'] }] });
  });

  test('bad specs are TorchErrors naming the dataset', () => {
    const IF = vision.datasets.ImageFolder;
    expect(() => new IF(root, { loader: { module: path.join(tmp, 'absent.js') } })).toThrow(torch.TorchError);
    expect(() => new IF(root, { loader: { module: path.join(tmp, 'absent.js') } })).toThrow(/ImageFolder: cannot load the loader module/);
    expect(() => new IF(root, { loader: { module: mod, exportName: 'notAFunction' } })).toThrow(/ImageFolder: export 'notAFunction' of .* is not a function \(got number\)/);
    expect(() => new IF(root, { loader: { module: mod, exportName: 'missing' } })).toThrow(/is not a function \(got undefined\)/);
    expect(() => new IF(root, { loader: 7 as never })).toThrow(/ImageFolder: loader must be a function or a module spec/);
    expect(() => new IF(root, { loader: { module: mod, export: 'sizeOf' } as never })).toThrow(/unexpected option 'export'/);
    // a plain function loader works here, but cannot travel to workers
    const fnDs = new IF(root, { loader: (p: string) => path.basename(p) });
    expect((fnDs.getItem(0) as [string, number])[0]).toBe(ORDER()[0]);
    expect(() => fnDs.workerSpec()).toThrow(/a loader function cannot be sent to DataLoader worker threads; give it as a module spec/);
  });
});

// Workers load dist/: the script runs in a fresh node process on dist/ only (one copy of the library per thread).
(haveDist ? describe : describe.skip)('DataLoader worker threads (numWorkers: 2)', () => {
  test('default loader and a module-spec loader give the main thread\'s batches', () => {
    const loaderMod = path.join(tmp, 'worker_loader.js');
    fs.writeFileSync(loaderMod, `
const path = require('path');
const torch = require(${JSON.stringify(path.join(DIST, 'index.js'))});
const vision = require(${JSON.stringify(path.join(DIST, 'vision', 'index.js'))});
exports.load = (p) => {
  const info = torch.utils.data.getWorkerInfo();
  return { img: vision.datasets.defaultLoader(p).flip([2]), file: path.basename(p), worker: info ? info.id : -1 };
};
`);
    const script = `
      const torch = require(${JSON.stringify(path.join(DIST, 'index.js'))});
      const vision = require(${JSON.stringify(path.join(DIST, 'vision', 'index.js'))});
      const root = ${JSON.stringify(root)};
      const px = (t) => Array.from(t.contiguous().toTypedArray());
      (async () => {
        const out = {};
        for (const nw of [0, 2]) {
          const ds = new vision.datasets.ImageFolder(root);
          const b = [];
          for await (const [x, y] of new torch.utils.data.DataLoader(ds, { batchSize: 2, numWorkers: nw })) b.push({ shape: x.shape, px: px(x), y: y.tolist() });
          const ds2 = new vision.datasets.ImageFolder(root, { loader: { module: ${JSON.stringify(loaderMod)}, exportName: 'load' } });
          const c = [];
          for await (const [s, y] of new torch.utils.data.DataLoader(ds2, { batchSize: 3, numWorkers: nw })) c.push({ shape: s.img.shape, px: px(s.img), file: s.file, worker: s.worker.tolist(), y: y.tolist() });
          out[nw] = { b, c };
        }
        console.log(JSON.stringify(out));
      })().catch((e) => { console.error(e && e.stack || e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
    expect({ status: r.status, signal: r.signal, err: r.stderr.slice(-800) }).toEqual({ status: 0, signal: null, err: '' });
    const o = JSON.parse(r.stdout.trim()) as Record<string, { b: { shape: number[]; px: number[]; y: number[] }[]; c: { shape: number[]; px: number[]; file: string[]; worker: number[]; y: number[] }[] }>;
    const order = ORDER();
    // the default loader: batches [2, 3, 5, 7] (the last [1, 3, 5, 7]) of PIL's pixels, the same with and without workers
    expect(o[2].b).toEqual(o[0].b);
    expect(o[2].b.map((x) => x.shape)).toEqual([[2, 3, 5, 7], [2, 3, 5, 7], [2, 3, 5, 7], [2, 3, 5, 7], [1, 3, 5, 7]]);
    const all = o[2].b.flatMap((x) => x.px);
    order.forEach((f, k) => {
      const got = all.slice(k * 105, (k + 1) * 105);
      if (HAVE_SHARP || f.endsWith('.png')) expect({ f, got }).toEqual({ f, got: REF[f].data });
    });
    expect(o[2].b.flatMap((x) => x.y)).toEqual(order.map((f) => (f.endsWith('.jpg') ? 0 : 1)));
    // the module-spec loader ran in both workers (ids 0 and 1) and in the main thread without them (-1)
    expect(o[2].c.map((x) => x.file)).toEqual(o[0].c.map((x) => x.file));
    expect(o[2].c.flatMap((x) => x.file)).toEqual(order);
    expect(o[2].c.map((x) => x.px)).toEqual(o[0].c.map((x) => x.px));
    expect(new Set(o[2].c.flatMap((x) => x.worker))).toEqual(new Set([0, 1]));
    expect(new Set(o[0].c.flatMap((x) => x.worker))).toEqual(new Set([-1]));
    expect(o[2].c.map((x) => x.shape)).toEqual([[3, 3, 5, 7], [3, 3, 5, 7], [3, 3, 5, 7]]);
    // and it returned the flipped RGB image
    const flipped = o[2].c.flatMap((x) => x.px);
    const f0 = order[order.length - 1]; // a PNG: exact with either codec
    const ref0 = REF[f0].data, k0 = order.length - 1;
    const want: number[] = [];
    for (let ch = 0; ch < 3; ch++) for (let y = 0; y < 5; y++) for (let x = 0; x < 7; x++) want.push(ref0[ch * 35 + y * 7 + (6 - x)]);
    expect(flipped.slice(k0 * 105, (k0 + 1) * 105)).toEqual(want);
  });
});
