// pooling.ts - MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool2d (torch/nn/modules/pooling.py); the repr prints the
// sizes as given (an int stays an int), as PyTorch's.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { pyBool, optsArg, PosArgs } from './common';
import { kwLeading } from '../../ops/util';

type T = Tensor;
type Size = number | number[];
const rep = (v: Size | null): string => (v === null ? 'None' : Array.isArray(v) ? (v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`) : String(v));

/** `R`: the type of `returnIndices` as given (`true` when it is `true`), which decides what `call` returns. */
export interface MaxPoolModuleOpts<R extends boolean = boolean> { stride?: Size | null; padding?: Size; dilation?: Size; ceilMode?: boolean; returnIndices?: R }
/** What a max-pooling layer returns: the pooled Tensor, or `[output, indices]` when built with `returnIndices: true`
 *  (both, typed as a union, when that flag is a `boolean` not known at compile time). */
export type MaxPoolOutput<R extends boolean> = R extends true ? [T, T] : T;
export interface AvgPoolModuleOpts { stride?: Size | null; padding?: Size; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

/** nn.MaxPool2d: `call(x)` is a Tensor, or `[output, indices]` for `new nn.MaxPool2d(2, { returnIndices: true })`. */
export class MaxPool2d<R extends boolean = false> extends Module {
  declare kernelSize: Size; declare stride: Size; declare padding: Size; declare dilation: Size;
  declare ceilMode: boolean; declare returnIndices: R;
  constructor(opts: MaxPoolModuleOpts<R> & { kernelSize: Size });
  constructor(kernelSize: Size, ...args: PosArgs<MaxPoolModuleOpts<R>, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode']>);
  constructor(kernelSize: Size | { kernelSize: Size }, opts: MaxPoolModuleOpts | Size | null = {}, ...more: unknown[]) {
    super();
    // new nn.MaxPool2d({ kernelSize: 2 }) (PyTorch's keyword name)
    [kernelSize, opts = {}, ...more] = kwLeading(new.target.name, Array.from(arguments), ['kernelSize'], 1) as [Size, MaxPoolModuleOpts | Size | null, ...unknown[]];
    const o = optsArg<MaxPoolModuleOpts>(opts ?? undefined, 'MaxPool2d', more, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], []);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = !!o.ceilMode;
    this.returnIndices = !!o.returnIndices as R;
  }
  override forward(x: T): MaxPoolOutput<R> {
    return F.maxPool2d(x, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices) as MaxPoolOutput<R>;
  }
  override extraRepr(): string {
    return `kernel_size=${rep(this.kernelSize)}, stride=${rep(this.stride)}, padding=${rep(this.padding)}, dilation=${rep(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export class MaxPool1d<R extends boolean = false> extends MaxPool2d<R> {
  override forward(x: T): MaxPoolOutput<R> {
    return F.maxPool1d(x, this.kernelSize as number, this.stride as number, this.padding as number, this.dilation as number, this.ceilMode, this.returnIndices) as MaxPoolOutput<R>;
  }
}

export class AvgPool2d extends Module {
  declare kernelSize: Size; declare stride: Size; declare padding: Size;
  declare ceilMode: boolean; declare countIncludePad: boolean; declare divisorOverride: number | null;
  constructor(opts: AvgPoolModuleOpts & { kernelSize: Size });
  constructor(kernelSize: Size, ...args: PosArgs<AvgPoolModuleOpts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']>);
  constructor(kernelSize: Size | { kernelSize: Size }, opts: AvgPoolModuleOpts | Size | null = {}, ...more: unknown[]) {
    super();
    // new nn.AvgPool2d({ kernelSize: 2 }) (PyTorch's keyword name)
    [kernelSize, opts = {}, ...more] = kwLeading(new.target.name, Array.from(arguments), ['kernelSize'], 1) as [Size, AvgPoolModuleOpts | Size | null, ...unknown[]];
    const o = optsArg<AvgPoolModuleOpts>(opts ?? undefined, 'AvgPool2d', more, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], []);
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = !!o.ceilMode;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  override forward(x: T): T {
    return F.avgPool2d(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  override extraRepr(): string { return `kernel_size=${rep(this.kernelSize)}, stride=${rep(this.stride)}, padding=${rep(this.padding)}`; }
}

export class AvgPool1d extends AvgPool2d {
  override forward(x: T): T {
    return F.avgPool1d(x, this.kernelSize as number, this.stride as number, this.padding as number, this.ceilMode, this.countIncludePad);
  }
  override extraRepr(): string { return `kernel_size=${rep([this.kernelSize as number])}, stride=${rep([this.stride as number])}, padding=${rep([this.padding as number])}`; }
}

export class AdaptiveAvgPool2d extends Module {
  declare outputSize: number | (number | null)[];
  constructor(outputSize: number | (number | null)[] | { outputSize: number | (number | null)[] }) {
    super();
    [outputSize] = kwLeading('AdaptiveAvgPool2d', Array.from(arguments), ['outputSize'], 1) as [number | (number | null)[]];
    this.outputSize = outputSize;
  }
  override forward(x: T): T { return F.adaptiveAvgPool2d(x, this.outputSize); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${Array.isArray(o) ? `(${o.map((v) => (v === null ? 'None' : String(v))).join(', ')})` : String(o)}`;
  }
}

export class MaxPool3d<R extends boolean = false> extends MaxPool2d<R> {
  override forward(x: T): MaxPoolOutput<R> {
    return F.maxPool3d(x, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices) as MaxPoolOutput<R>;
  }
}

type AdaptiveSize = number | null | (number | null)[];
abstract class AdaptiveMaxPoolNd<R extends boolean = false> extends Module {
  declare outputSize: AdaptiveSize;
  declare returnIndices: R;
  constructor(outputSize: AdaptiveSize | { outputSize: AdaptiveSize; returnIndices?: R }, opts: { returnIndices?: R } | R = {}) {
    super();
    [outputSize, opts = {}] = kwLeading(new.target.name, Array.from(arguments), ['outputSize'], 1) as [AdaptiveSize, { returnIndices?: R } | R];
    this.outputSize = outputSize;
    this.returnIndices = (typeof opts === 'boolean' ? opts : !!optsArg<{ returnIndices?: boolean }>(opts, 'AdaptiveMaxPool').returnIndices) as R;
  }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${Array.isArray(o) ? `(${o.map((v) => (v === null ? 'None' : String(v))).join(', ')})` : o === null ? 'None' : String(o)}`;
  }
}
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  override forward(x: T): MaxPoolOutput<R> { return F.adaptiveMaxPool1d(x, this.outputSize as number, this.returnIndices) as MaxPoolOutput<R>; }
}
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  override forward(x: T): MaxPoolOutput<R> { return F.adaptiveMaxPool2d(x, this.outputSize, this.returnIndices) as MaxPoolOutput<R>; }
}
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  override forward(x: T): MaxPoolOutput<R> { return F.adaptiveMaxPool3d(x, this.outputSize, this.returnIndices) as MaxPoolOutput<R>; }
}
