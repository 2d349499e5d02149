// resample.ts - modules over the nn.functional rows added with the schema (torch/nn/modules/pixelshuffle.py,
// upsampling.py, normalization.py's LocalResponseNorm, pooling.py's LPPool1d/2d): PyTorch's constructor parameters,
// positionally or in one options object by camelCase name, and their reprs.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { pyFloat, optsArg, checkPosInt, PosArgs } from './common';

type T = Tensor;
type Size = number | readonly number[];
const reprSize = (v: Size | null | undefined): string => (v === null || v === undefined ? 'None' : Array.isArray(v) ? `(${(v as readonly number[]).join(', ')})` : String(v));
// a required leading parameter, given positionally or by name in an options object
function lead<O>(v: unknown, name: keyof O & string, cls: string, more: readonly unknown[], names: readonly string[]): O {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = optsArg<O>(v, cls, [], [], [name, ...names]);
    if ((o as Record<string, unknown>)[name] === undefined) throw new TypeError(`${cls}(): missing required argument '${name}'`);
    return o;
  }
  return { [name]: v, ...optsArg<object>(more[0] ?? {}, cls, more.slice(1), names) } as O;
}

// PixelShuffle's / PixelUnshuffle's one parameter, positionally or as { [key]: n }: a positive int
function factorArg<K extends string>(v: number | Record<K, number>, key: K, py: string, cls: string): number {
  return checkPosInt(typeof v === 'object' ? v[key] : v, py, cls);
}

/** PixelShuffle(upscaleFactor): [*, C*r*r, H, W] -> [*, C, H*r, W*r] */
export class PixelShuffle extends Module {
  declare upscaleFactor: number;
  constructor(upscaleFactor: number | { upscaleFactor: number }) {
    super();
    this.upscaleFactor = factorArg(upscaleFactor, 'upscaleFactor', 'upscale_factor', 'PixelShuffle');
  }
  override forward(x: T): T { return F.pixelShuffle(x, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}
/** PixelUnshuffle(downscaleFactor): the inverse of PixelShuffle */
export class PixelUnshuffle extends Module {
  declare downscaleFactor: number;
  constructor(downscaleFactor: number | { downscaleFactor: number }) {
    super();
    this.downscaleFactor = factorArg(downscaleFactor, 'downscaleFactor', 'downscale_factor', 'PixelUnshuffle');
  }
  override forward(x: T): T { return F.pixelUnshuffle(x, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}

type InterpMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area' | 'nearest-exact';
interface UpsampleOpts { size?: Size | null; scaleFactor?: Size | null; mode?: InterpMode; alignCorners?: boolean | null; recomputeScaleFactor?: boolean | null }
/** Upsample(size, scaleFactor, mode = 'nearest', alignCorners, recomputeScaleFactor): F.interpolate as a module */
export class Upsample extends Module {
  declare size: Size | null; declare scaleFactor: Size | null; declare mode: InterpMode; declare alignCorners: boolean | null;
  declare recomputeScaleFactor: boolean | null;
  constructor(...args: PosArgs<UpsampleOpts, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']>);
  constructor(opts?: UpsampleOpts | Size | null, ...more: unknown[]) {
    super();
    const o = optsArg<UpsampleOpts>(opts, this.constructor.name, more, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
    this.size = o.size ?? null; this.scaleFactor = o.scaleFactor ?? null; this.mode = o.mode ?? 'nearest';
    this.alignCorners = o.alignCorners ?? null; this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }
  override forward(x: T): T { return F.interpolate(x, this.size, this.scaleFactor, this.mode, this.alignCorners, this.recomputeScaleFactor, false); }
  override extraRepr(): string {
    const sf = this.scaleFactor === null ? null : Array.isArray(this.scaleFactor) ? `(${(this.scaleFactor as readonly number[]).map(pyFloat).join(', ')})` : pyFloat(this.scaleFactor as number);
    return `${sf !== null ? `scale_factor=${sf}` : `size=${reprSize(this.size)}`}, mode=${this.mode}`;
  }
}
/** UpsamplingNearest2d(size, scaleFactor): Upsample with mode 'nearest' */
export class UpsamplingNearest2d extends Upsample {
  constructor(size: Size | null | { size?: Size | null; scaleFactor?: Size | null } = null, scaleFactor: Size | null = null) {
    const o = typeof size === 'object' && size !== null && !Array.isArray(size) ? size as { size?: Size | null; scaleFactor?: Size | null } : { size: size as Size | null, scaleFactor };
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'nearest' });
  }
}
/** UpsamplingBilinear2d(size, scaleFactor): Upsample with mode 'bilinear' and alignCorners true */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size: Size | null | { size?: Size | null; scaleFactor?: Size | null } = null, scaleFactor: Size | null = null) {
    const o = typeof size === 'object' && size !== null && !Array.isArray(size) ? size as { size?: Size | null; scaleFactor?: Size | null } : { size: size as Size | null, scaleFactor };
    super({ size: o.size ?? null, scaleFactor: o.scaleFactor ?? null, mode: 'bilinear', alignCorners: true });
  }
}

interface LRNOpts { size: number; alpha?: number; beta?: number; k?: number }
/** LocalResponseNorm(size, alpha = 1e-4, beta = 0.75, k = 1) */
export class LocalResponseNorm extends Module {
  declare size: number; declare alpha: number; declare beta: number; declare k: number;
  constructor(size: number | LRNOpts, ...more: PosArgs<Omit<LRNOpts, 'size'>, ['alpha', 'beta', 'k']>) {
    super();
    const o = lead<LRNOpts>(size, 'size', 'LocalResponseNorm', more, ['alpha', 'beta', 'k']);
    this.size = checkPosInt(o.size, 'size', 'LocalResponseNorm'); this.alpha = o.alpha ?? 1e-4; this.beta = o.beta ?? 0.75; this.k = o.k ?? 1;
  }
  override forward(x: T): T { return F.localResponseNorm(x, this.size, this.alpha, this.beta, this.k); }
  override extraRepr(): string { return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`; }
}

interface LPOpts { normType: number; kernelSize: Size; stride?: Size | null; ceilMode?: boolean }
export class LPPoolNd extends Module {
  declare normType: number; declare kernelSize: Size; declare stride: Size | null; declare ceilMode: boolean;
  constructor(cls: string, normType: number | LPOpts, more: readonly unknown[]) {
    super();
    const o = typeof normType === 'object' ? lead<LPOpts>(normType, 'normType', cls, [], ['kernelSize', 'stride', 'ceilMode'])
      : { normType, kernelSize: more[0] as Size, ...optsArg<Partial<LPOpts>>(more[1] ?? {}, cls, more.slice(2), ['stride', 'ceilMode']) };
    if (o.kernelSize === undefined) throw new TypeError(`${cls}(): missing required argument 'kernelSize'`);
    this.normType = o.normType; this.kernelSize = o.kernelSize; this.stride = o.stride ?? null; this.ceilMode = !!o.ceilMode;
  }
  override extraRepr(): string { return `norm_type=${this.normType}, kernel_size=${reprSize(this.kernelSize)}, stride=${reprSize(this.stride)}, ceil_mode=${this.ceilMode ? 'True' : 'False'}`; }
}
/** LPPool1d(normType, kernelSize, stride = kernelSize, ceilMode = false) */
export class LPPool1d extends LPPoolNd {
  constructor(normType: number | LPOpts, kernelSize?: Size, ...more: PosArgs<{ stride?: Size | null; ceilMode?: boolean }, ['stride', 'ceilMode']>) { super('LPPool1d', normType, [kernelSize, ...more]); }
  override forward(x: T): T { return F.lpPool1d(x, this.normType, this.kernelSize as number, this.stride as number | null, this.ceilMode); }
}
/** LPPool2d(normType, kernelSize, stride = kernelSize, ceilMode = false) */
export class LPPool2d extends LPPoolNd {
  constructor(normType: number | LPOpts, kernelSize?: Size, ...more: PosArgs<{ stride?: Size | null; ceilMode?: boolean }, ['stride', 'ceilMode']>) { super('LPPool2d', normType, [kernelSize, ...more]); }
  override forward(x: T): T { return F.lpPool2d(x, this.normType, this.kernelSize, this.stride, this.ceilMode); }
}
