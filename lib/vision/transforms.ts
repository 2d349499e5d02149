// transforms.ts - torchvision.transforms as classes over Tensors [..., C, H, W]: run one with `t.call(img)` (or
// `t.forward(img)`); Compose also accepts plain functions. Random transforms draw from torch's generator
// (torch.rand, torch.randint, torch.randperm) as torchvision's do, so they are reproducible under torch.manualSeed.
// Every transform except Lambda can describe itself to a DataLoader worker (workerSpec), so a dataset holding
// transforms can be rebuilt in worker threads.
import * as torch from '../index';
import type { Tensor, DType } from '../index';
import * as F from './functional';
import { checkKeys } from '../errors';
import type { Interpolation, PaddingMode, PixelBuffer } from './functional';

export * as functional from './functional';

const TorchError = torch.TorchError;
/** A transform: a function of one value, or an object with `call(x)` (every Transform). `never` as the parameter
 *  type accepts a transform of any input; Compose checks each one against what the one before it returns. */
export type TransformFn = ((x: never) => unknown) | { call(x: never): unknown };

/** The input type of a transform (what its function or `call` takes). */
export type TransformInput<T> = T extends (x: infer I) => unknown ? I : T extends { call(x: infer I): unknown } ? I : never;
/** The output type of a transform (what its function or `call` returns). */
export type TransformOutput<T> = T extends (x: never) => infer O ? O : T extends { call(x: never): infer O } ? O : never;
/** The transforms of a Compose, each checked against the output of the one before it: where transform i cannot take
 *  what transform i-1 returns, its expected type becomes a transform that does, and tsc reports that element. */
export type ComposeChain<Ts extends readonly unknown[], Prev = unknown, First extends boolean = true> =
  Ts extends readonly [infer H, ...infer R]
    ? [First extends true ? H : [Prev] extends [TransformInput<H>] ? H : H extends (x: never) => unknown ? (x: Prev) => unknown : { call: (x: Prev) => unknown }, ...ComposeChain<R, TransformOutput<H>, false>]
    : Ts;
/** What a Compose of these transforms takes: the first transform's input (unknown when the list is not a tuple). */
export type ComposeInput<Ts extends readonly unknown[]> = Ts extends readonly [infer H, ...unknown[]] ? TransformInput<H> : unknown;
/** What a Compose of these transforms returns: the last transform's output (unknown for an empty list or one that is
 *  not a tuple). */
export type ComposeOutput<Ts extends readonly unknown[]> = Ts extends readonly [...unknown[], infer L] ? TransformOutput<L> : unknown;

/** Runs a transform given as a Transform object, anything with `call(x)`, or a function. */
export function applyTransform(t: TransformFn | null | undefined, x: unknown): unknown {
  if (t === null || t === undefined) return x;
  if (typeof t === 'function') return (t as (x: unknown) => unknown)(x);
  if (typeof (t as { call?: unknown }).call === 'function') return (t as { call(x: unknown): unknown }).call(x);
  throw new TorchError(`expected a transform (a function or an object with call(x)), got ${typeof t}`);
}

const uniform = (a: number, b: number): number => a + (b - a) * (torch.rand(1, { dtype: 'float64' }).item() as number);
const randint = (lo: number, hi: number): number => torch.randint(lo, hi, [1]).item() as number;

// this module's compiled path, for worker threads (they run JavaScript; tests run the TypeScript sources)
function selfModule(): string {
  if (!__filename.endsWith('.ts')) return __filename;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const path = require('path') as typeof import('path');
  return path.join(__dirname, '..', '..', 'dist', 'vision', 'transforms.js');
}

/** Encodes constructor arguments for a worker: nested transforms become nested specs; functions cannot travel. */
export function specArg(x: unknown, where: string): unknown {
  if (x instanceof Transform) return { __workerSpec: x.workerSpec() };
  if (typeof x === 'function') throw new TorchError(`${where}: a function (Lambda or a plain function transform) cannot be sent to DataLoader worker threads; build the dataset in a module and pass { workerDataset: { module, exportName, args } }`);
  if (Array.isArray(x)) return x.map((v) => specArg(v, where));
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && Object.getPrototypeOf(Object.getPrototypeOf(x) ?? Object.prototype) === null) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, specArg(v, where)]));
  }
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x)) throw new TorchError(`${where}: a ${(x as object).constructor?.name ?? 'object'} argument cannot be sent to DataLoader worker threads`);
  return x;
}

/** Base class: `call(img)` runs `forward(img)`; subclasses record their constructor arguments in `args`. */
export abstract class Transform {
  protected args: unknown[] = [];
  abstract forward(x: unknown): unknown;
  /** runs forward (typed as it) */
  call(x: Parameters<this['forward']>[0]): ReturnType<this['forward']>;
  call(x: unknown): unknown { return this.forward(x); }
  workerSpec(): { module: string; exportName: string; args: unknown[] } {
    const name = this.constructor.name;
    return { module: selfModule(), exportName: name, args: this.args.map((a) => specArg(a, name)) };
  }
  protected reprArgs(): string { return ''; }
  toString(): string { return `${this.constructor.name}(${this.reprArgs()})`; }
}

const checkImg = (x: unknown, op: string): Tensor => F.assertImage(x, op);

/** `new Compose([a, b, c])` runs a, then b, then c. Typed through its transforms: `call(x)` takes what the first one
 *  takes and returns what the last one returns, and a transform that cannot take what the one before it returns is a
 *  compile error. */
export class Compose<Ts extends readonly TransformFn[] = TransformFn[]> extends Transform {
  readonly transforms: Ts;
  constructor(transforms: [...Ts] & ComposeChain<Ts>);
  constructor(transforms: TransformFn[]) {
    super();
    if (!Array.isArray(transforms)) throw new TorchError('Compose: expected a list of transforms');
    transforms.forEach((t, i) => {
      if (typeof t !== 'function' && (t === null || typeof t !== 'object' || typeof (t as { call?: unknown }).call !== 'function')) throw new TorchError(`Compose: transform ${i} is not a function or an object with call(x)`);
    });
    this.transforms = transforms as unknown as Ts;
    this.args = [transforms];
  }
  forward(x: ComposeInput<Ts>): ComposeOutput<Ts>;
  forward(x: unknown): unknown { for (const t of this.transforms) x = applyTransform(t, x); return x; }
  override toString(): string { return `Compose(\n${this.transforms.map((t) => `    ${typeof t === 'function' ? `<function ${t.name || 'anonymous'}>` : String(t)}`).join('\n')}\n)`; }
}

/** A user function as a transform, typed as that function: `new transforms.Lambda((t: Tensor) => t.mul(2))` takes and
 *  returns a Tensor. A parameter left unannotated is a Tensor (what transforms take), so `new Lambda((t) => t.flip(-1))`
 *  type-checks as it would in a Compose of tensor transforms. */
export class Lambda<I = Tensor, O = unknown> extends Transform {
  constructor(readonly lambd: (x: I) => O) {
    super();
    if (typeof lambd !== 'function') throw new TorchError(`Argument lambd should be callable, got ${typeof lambd}`);
    this.args = [lambd];
  }
  forward(x: I): O { return this.lambd(x); }
}

/** uint8 (Tensor [..., C, H, W] or HWC pixel buffer) -> float32 in [0, 1]. */
export class ToTensor extends Transform {
  forward(pic: unknown): Tensor { return F.toTensor(pic as Tensor | PixelBuffer); }
}
/** HWC pixel buffer -> uint8 [C, H, W] without scaling (a Tensor passes through). */
export class PILToTensor extends Transform {
  forward(pic: unknown): Tensor { return F.pilToTensor(pic as Tensor | PixelBuffer); }
}
export class ToDtype extends Transform {
  readonly scale: boolean;
  constructor(readonly dtype: DType, opts: { scale?: boolean } = {}) {
    super();
    checkKeys('ToDtype', opts, ['scale']);
    this.scale = !!opts.scale;
    this.args = [dtype, opts];
  }
  forward(x: unknown): Tensor { return F.toDtype(checkImg(x, 'ToDtype'), this.dtype, { scale: this.scale }); }
  protected override reprArgs(): string { return `dtype=torch.${this.dtype}, scale=${this.scale ? 'True' : 'False'}`; }
}
export class ConvertImageDtype extends Transform {
  constructor(readonly dtype: DType = 'float32') { super(); this.args = [dtype]; }
  forward(x: unknown): Tensor { return F.convertImageDtype(checkImg(x, 'ConvertImageDtype'), this.dtype); }
}

export class Normalize extends Transform {
  constructor(readonly mean: number[], readonly std: number[], readonly opts: { inplace?: boolean } = {}) {
    super();
    checkKeys('Normalize', opts, ['inplace']);
    this.args = [mean, std, opts];
  }
  forward(x: unknown): Tensor { return F.normalize(checkImg(x, 'Normalize'), this.mean, this.std, this.opts); }
  protected override reprArgs(): string { return `mean=[${this.mean}], std=[${this.std}]`; }
}

export class Resize extends Transform {
  readonly interpolation: Interpolation;
  readonly antialias: boolean;
  readonly maxSize?: number;
  constructor(readonly size: number | number[], opts: F.ResizeOpts = {}) {
    super();
    checkKeys('Resize', opts, ['interpolation', 'maxSize', 'antialias']);
    F.computeResizedOutputSize(8, 8, size); // validates size (maxSize is checked against the image when it runs)
    this.interpolation = opts.interpolation ?? 'bilinear';
    if (!['nearest', 'bilinear'].includes(this.interpolation)) throw new TorchError(`Resize: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(opts.interpolation)}`);
    this.antialias = opts.antialias ?? true;
    this.maxSize = opts.maxSize;
    this.args = [size, opts];
  }
  forward(x: unknown): Tensor { return F.resize(checkImg(x, 'Resize'), this.size, { interpolation: this.interpolation, antialias: this.antialias, maxSize: this.maxSize }); }
  protected override reprArgs(): string { return `size=${JSON.stringify(this.size)}, interpolation=${this.interpolation}, antialias=${this.antialias}`; }
}

export class CenterCrop extends Transform {
  readonly size: [number, number];
  constructor(size: number | number[]) { super(); this.size = F.sizePair(size, 'CenterCrop'); this.args = [size]; }
  forward(x: unknown): Tensor { return F.centerCrop(checkImg(x, 'CenterCrop'), this.size); }
  protected override reprArgs(): string { return `size=(${this.size.join(', ')})`; }
}

export class Pad extends Transform {
  constructor(readonly padding: number | number[], readonly opts: { fill?: number | number[]; paddingMode?: PaddingMode } = {}) {
    super();
    checkKeys('Pad', opts, ['fill', 'paddingMode']);
    F.parsePadding(padding);
    this.args = [padding, opts];
  }
  forward(x: unknown): Tensor { return F.pad(checkImg(x, 'Pad'), this.padding, this.opts); }
}

export interface RandomCropOpts { padding?: number | number[] | null; padIfNeeded?: boolean; fill?: number | number[]; paddingMode?: PaddingMode }
export class RandomCrop extends Transform {
  readonly size: [number, number];
  constructor(size: number | number[], readonly opts: RandomCropOpts = {}) {
    super();
    checkKeys('RandomCrop', opts, ['padding', 'padIfNeeded', 'fill', 'paddingMode']);
    this.size = F.sizePair(size, 'RandomCrop');
    if (opts.padding !== undefined && opts.padding !== null) F.parsePadding(opts.padding);
    this.args = [size, opts];
  }
  /** torchvision's RandomCrop.get_params: [top, left, h, w] with torch.randint. */
  static getParams(img: Tensor, outputSize: [number, number]): [number, number, number, number] {
    const [, h, w] = F.getDimensions(img);
    const [th, tw] = outputSize;
    if (h < th || w < tw) throw new TorchError(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randint(0, h - th + 1);
    const j = randint(0, w - tw + 1);
    return [i, j, th, tw];
  }
  forward(x: unknown): Tensor {
    let img = checkImg(x, 'RandomCrop');
    const o = this.opts;
    const padOpts = { fill: o.fill ?? 0, paddingMode: o.paddingMode ?? 'constant' };
    if (o.padding !== undefined && o.padding !== null) img = F.pad(img, o.padding, padOpts);
    const [, h, w] = F.getDimensions(img);
    if (o.padIfNeeded && w < this.size[1]) img = F.pad(img, [this.size[1] - w, 0], padOpts);
    if (o.padIfNeeded && h < this.size[0]) img = F.pad(img, [0, this.size[0] - h], padOpts);
    const [i, j, hh, ww] = RandomCrop.getParams(img, this.size);
    return F.crop(img, i, j, hh, ww);
  }
  protected override reprArgs(): string { return `size=(${this.size.join(', ')}), padding=${JSON.stringify(this.opts.padding ?? null)}`; }
}

export interface RandomResizedCropOpts { scale?: [number, number]; ratio?: [number, number]; interpolation?: Interpolation; antialias?: boolean }
export class RandomResizedCrop extends Transform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  constructor(size: number | number[], readonly opts: RandomResizedCropOpts = {}) {
    super();
    checkKeys('RandomResizedCrop', opts, ['scale', 'ratio', 'interpolation', 'antialias']);
    this.size = F.sizePair(size, 'RandomResizedCrop');
    this.scale = opts.scale ?? [0.08, 1.0];
    this.ratio = opts.ratio ?? [3 / 4, 4 / 3];
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) throw new TorchError('RandomResizedCrop: scale and ratio should be of kind (min, max)');
    this.args = [size, opts];
  }
  /** torchvision's RandomResizedCrop.get_params (10 tries, then the central crop fallback). */
  static getParams(img: Tensor, scale: [number, number], ratio: [number, number]): [number, number, number, number] {
    const [, height, width] = F.getDimensions(img);
    const area = height * width;
    const logRatio = [Math.fround(Math.log(ratio[0])), Math.fround(Math.log(ratio[1]))];
    for (let t = 0; t < 10; t++) {
      const targetArea = area * uniform(scale[0], scale[1]);
      const aspect = Math.exp(uniform(logRatio[0], logRatio[1]));
      const w = F.roundHalfEven(Math.sqrt(targetArea * aspect));
      const h = F.roundHalfEven(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randint(0, height - h + 1);
        const j = randint(0, width - w + 1);
        return [i, j, h, w];
      }
    }
    const inRatio = width / height;
    let w: number, h: number;
    if (inRatio < Math.min(...ratio)) { w = width; h = F.roundHalfEven(w / Math.min(...ratio)); }
    else if (inRatio > Math.max(...ratio)) { h = height; w = F.roundHalfEven(h * Math.max(...ratio)); }
    else { w = width; h = height; }
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }
  forward(x: unknown): Tensor {
    const img = checkImg(x, 'RandomResizedCrop');
    const [i, j, h, w] = RandomResizedCrop.getParams(img, this.scale, this.ratio);
    return F.resizedCrop(img, i, j, h, w, this.size, { interpolation: this.opts.interpolation ?? 'bilinear', antialias: this.opts.antialias ?? true });
  }
  protected override reprArgs(): string { return `size=(${this.size.join(', ')}), scale=(${this.scale.join(', ')}), ratio=(${this.ratio.map((r) => r.toFixed(4)).join(', ')})`; }
}

const checkP = (p: unknown, op: string): number => {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new TorchError(`${op}: p should be a probability in [0, 1], got ${String(p)}`);
  return p;
};
// a single optional parameter given positionally or by PyTorch's keyword name: RandomHorizontalFlip(0.5) or ({ p: 0.5 })
function kwOne<V>(v: unknown, name: string, op: string, def: V): V {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v as V;
  checkKeys(op, v, [name]);
  return ((v as Record<string, unknown>)[name] ?? def) as V;
}
export class RandomHorizontalFlip extends Transform {
  readonly p: number;
  constructor(p: number | { p?: number } = 0.5) { super(); this.p = checkP(kwOne(p, 'p', 'RandomHorizontalFlip', 0.5), 'RandomHorizontalFlip'); this.args = [this.p]; }
  forward(x: unknown): Tensor {
    const img = checkImg(x, 'RandomHorizontalFlip');
    return (torch.rand(1).item() as number) < this.p ? F.hflip(img) : img;
  }
  protected override reprArgs(): string { return `p=${this.p}`; }
}
export class RandomVerticalFlip extends Transform {
  readonly p: number;
  constructor(p: number | { p?: number } = 0.5) { super(); this.p = checkP(kwOne(p, 'p', 'RandomVerticalFlip', 0.5), 'RandomVerticalFlip'); this.args = [this.p]; }
  forward(x: unknown): Tensor {
    const img = checkImg(x, 'RandomVerticalFlip');
    return (torch.rand(1).item() as number) < this.p ? F.vflip(img) : img;
  }
  protected override reprArgs(): string { return `p=${this.p}`; }
}

export interface RandomRotationOpts { interpolation?: Interpolation; expand?: boolean; center?: [number, number] | null; fill?: number | number[] }
export class RandomRotation extends Transform {
  readonly degrees: [number, number];
  constructor(degrees: number | [number, number], readonly opts: RandomRotationOpts = {}) {
    super();
    checkKeys('RandomRotation', opts, ['interpolation', 'expand', 'center', 'fill']);
    if (typeof degrees === 'number') {
      if (degrees < 0) throw new TorchError('If degrees is a single number, it must be positive.');
      this.degrees = [-degrees, degrees];
    } else if (Array.isArray(degrees) && degrees.length === 2) this.degrees = [degrees[0], degrees[1]];
    else throw new TorchError('degrees should be a single number or a sequence of length 2.');
    this.args = [degrees, opts];
  }
  static getParams(degrees: [number, number]): number { return uniform(degrees[0], degrees[1]); }
  forward(x: unknown): Tensor {
    const img = checkImg(x, 'RandomRotation');
    const c = F.getImageNumChannels(img);
    const f = this.opts.fill ?? 0;
    // as torchvision: a scalar fill becomes one value per channel, which turns on the fill mask
    const fill = typeof f === 'number' ? new Array<number>(c).fill(f) : f;
    const angle = RandomRotation.getParams(this.degrees);
    return F.rotate(img, angle, { interpolation: this.opts.interpolation ?? 'nearest', expand: this.opts.expand, center: this.opts.center, fill });
  }
  protected override reprArgs(): string { return `degrees=[${this.degrees.join(', ')}], interpolation=${this.opts.interpolation ?? 'nearest'}, expand=${!!this.opts.expand}`; }
}

type Range = number | [number, number];
function jitterRange(v: Range | undefined, name: string, center: number, bound: [number, number], clipFirstOnZero: boolean): [number, number] | null {
  if (v === undefined || v === null) return null;
  let r: [number, number];
  if (typeof v === 'number') {
    if (v < 0) throw new TorchError(`If ${name} is a single number, it must be non negative.`);
    r = [center - v, center + v];
    if (clipFirstOnZero) r[0] = Math.max(r[0], 0);
  } else if (Array.isArray(v) && v.length === 2) {
    r = [v[0], v[1]];
  } else throw new TorchError(`${name} should be a single number or a list/tuple with length 2.`);
  if (!(bound[0] <= r[0] && r[0] <= r[1] && r[1] <= bound[1])) throw new TorchError(`${name} values should be between [${bound.join(', ')}], but got [${r.join(', ')}].`);
  if (r[0] === r[1] && r[0] === center) return null;
  return r;
}

export interface ColorJitterOpts { brightness?: Range; contrast?: Range; saturation?: Range; hue?: Range }
/** Random brightness, contrast, saturation and hue, applied in a random order (torch.randperm(4)), as torchvision. */
export class ColorJitter extends Transform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  readonly hue: [number, number] | null;
  constructor(brightness: Range | ColorJitterOpts = 0, contrast: Range = 0, saturation: Range = 0, hue: Range = 0) {
    super();
    if (brightness !== null && typeof brightness === 'object' && !Array.isArray(brightness)) {
      checkKeys('ColorJitter', brightness, ['brightness', 'contrast', 'saturation', 'hue']);
      const o = brightness as ColorJitterOpts;
      brightness = o.brightness ?? 0; contrast = o.contrast ?? 0; saturation = o.saturation ?? 0; hue = o.hue ?? 0;
    }
    this.brightness = jitterRange(brightness as Range, 'brightness', 1, [0, Infinity], true);
    this.contrast = jitterRange(contrast, 'contrast', 1, [0, Infinity], true);
    this.saturation = jitterRange(saturation, 'saturation', 1, [0, Infinity], true);
    this.hue = jitterRange(hue, 'hue', 0, [-0.5, 0.5], false);
    this.args = [brightness, contrast, saturation, hue];
  }
  /** [order, brightness, contrast, saturation, hue] as torchvision's ColorJitter.get_params. */
  static getParams(b: [number, number] | null, c: [number, number] | null, s: [number, number] | null, h: [number, number] | null): [number[], number | null, number | null, number | null, number | null] {
    const order = torch.randperm(4).tolist() as number[];
    const draw = (r: [number, number] | null): number | null => (r === null ? null : Math.fround(uniform(r[0], r[1])));
    const bf = draw(b), cf = draw(c), sf = draw(s), hf = draw(h);
    return [order, bf, cf, sf, hf];
  }
  forward(x: unknown): Tensor {
    let img = checkImg(x, 'ColorJitter');
    const [order, bf, cf, sf, hf] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue);
    for (const k of order) {
      if (k === 0 && bf !== null) img = F.adjustBrightness(img, bf);
      else if (k === 1 && cf !== null) img = F.adjustContrast(img, cf);
      else if (k === 2 && sf !== null) img = F.adjustSaturation(img, sf);
      else if (k === 3 && hf !== null) img = F.adjustHue(img, hf);
    }
    return img;
  }
  protected override reprArgs(): string {
    const f = (r: [number, number] | null): string => (r ? `(${r.join(', ')})` : 'None');
    return `brightness=${f(this.brightness)}, contrast=${f(this.contrast)}, saturation=${f(this.saturation)}, hue=${f(this.hue)}`;
  }
}

export class Grayscale extends Transform {
  readonly numOutputChannels: number;
  constructor(numOutputChannels: number | { numOutputChannels?: number } = 1) { super(); this.numOutputChannels = kwOne(numOutputChannels, 'numOutputChannels', 'Grayscale', 1); this.args = [this.numOutputChannels]; }
  forward(x: unknown): Tensor { return F.rgbToGrayscale(checkImg(x, 'Grayscale'), this.numOutputChannels); }
}
export class RandomGrayscale extends Transform {
  readonly p: number;
  constructor(p: number | { p?: number } = 0.1) { super(); this.p = checkP(kwOne(p, 'p', 'RandomGrayscale', 0.1), 'RandomGrayscale'); this.args = [this.p]; }
  forward(x: unknown): Tensor {
    const img = checkImg(x, 'RandomGrayscale');
    const c = F.getImageNumChannels(img);
    return (torch.rand(1).item() as number) < this.p ? F.rgbToGrayscale(img, c) : img;
  }
}
/** Applies the list of transforms with probability p. */
export class RandomApply extends Transform {
  constructor(readonly transforms: TransformFn[], readonly p = 0.5) { super(); checkP(p, 'RandomApply'); this.args = [transforms, p]; }
  forward(x: unknown): unknown {
    if (this.p < (torch.rand(1).item() as number)) return x;
    for (const t of this.transforms) x = applyTransform(t, x);
    return x;
  }
}
