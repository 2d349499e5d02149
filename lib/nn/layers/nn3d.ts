// nn3d.ts - Conv3d, ConvTranspose3d, AvgPool3d, AdaptiveAvgPool3d, LPPool3d (PyTorch 2.x), CTCLoss,
// MultiLabelMarginLoss, TripletMarginWithDistanceLoss, NLLLoss2d (deprecated alias) and Container (deprecated)
// (torch/nn/modules/conv.py, pooling.py, loss.py, container.py): PyTorch's constructor parameters, positionally or by
// camelCase name in one options object, PyTorch's defaults and reprs; forward through lib/nn/functional_nn3d.ts.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as N3 from '../functional_nn3d';
import { optsArg, PosArgs } from './common';
import { TorchError } from '../../errors';
import { kwLeading } from '../../ops/util';
import { ConvNd, ConvModuleOpts, ConvTransposeModuleOpts } from './conv';
import { AvgPool2d, AdaptiveAvgPool2d } from './pooling';
import { LPPoolNd } from './resample';
import { NLLLoss } from './loss';
import { PairwiseDistance } from './extra';

type T = Tensor;
type Size = number | number[];
type Red = 'none' | 'mean' | 'sum';
type KernelKw = { kernelSize: number | number[] };
type ConvKw = { inChannels: number; outChannels: number } & KernelKw;
type ConvArgs<O> = [number, number, number | number[], O | number | number[], ...unknown[]];
function convArgs<O>(op: string, args: IArguments): ConvArgs<O> {
  const a = kwLeading(op, Array.from(args), ['inChannels', 'outChannels', 'kernelSize'], 3);
  if (a[3] === undefined) a[3] = {};
  return a as ConvArgs<O>;
}
function checkReduction(r: unknown, cls: string): Red {
  const red = (r ?? 'mean') as Red;
  if (red !== 'mean' && red !== 'sum' && red !== 'none') throw new TorchError(`${String(r)} is not a valid value for reduction (${cls})`);
  return red;
}

/** Conv3d(inChannels, outChannels, kernelSize, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1,
 *  bias = true, paddingMode = 'zeros'): weight [out, in/groups, kD, kH, kW] */
export class Conv3d extends ConvNd {
  constructor(opts: ConvModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvModuleOpts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvModuleOpts>('Conv3d', arguments);
    super(3, 'Conv3d', inChannels, outChannels, kernelSize, optsArg(opts, 'Conv3d', more, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['dtype', 'device']), false);
  }
  override forward(x: T): T {
    const [xp, pad] = this._padded(x);
    return N3.conv3d(xp, this.weight, this.bias, this.stride, pad, this.dilation, this.groups);
  }
}

/** ConvTranspose3d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, outputPadding = 0, groups = 1, bias =
 *  true, dilation = 1): weight [in, out/groups, kD, kH, kW]; forward(input, outputSize?) as PyTorch's */
export class ConvTranspose3d extends ConvNd {
  constructor(opts: ConvTransposeModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvTransposeModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvTransposeModuleOpts, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvTransposeModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvTransposeModuleOpts>('ConvTranspose3d', arguments);
    const o = optsArg<ConvTransposeModuleOpts>(opts, 'ConvTranspose3d', more, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'], ['dtype', 'device']);
    if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') throw new TorchError('Only "zeros" padding mode is supported for ConvTranspose3d');
    super(3, 'ConvTranspose3d', inChannels, outChannels, kernelSize, o as ConvModuleOpts, true);
  }
  override forward(x: T, outputSize?: number[] | { outputSize?: number[] }): T {
    const op = this._outputPaddingFor(x, outputSize);
    return N3.convTranspose3d(x, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}

/** AvgPool3d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null) */
export class AvgPool3d extends AvgPool2d {
  override forward(x: T): T {
    return N3.avgPool3d(x, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
}
/** AdaptiveAvgPool3d(outputSize): an int, or [d, h, w] with null keeping that input size */
export class AdaptiveAvgPool3d extends AdaptiveAvgPool2d {
  override forward(x: T): T { return N3.adaptiveAvgPool3d(x, this.outputSize); }
}
/** LPPool3d(normType, kernelSize, stride = kernelSize, ceilMode = false) (PyTorch 2.x) */
export class LPPool3d extends LPPoolNd {
  constructor(normType: number | { normType: number; kernelSize: Size; stride?: Size | null; ceilMode?: boolean }, kernelSize?: Size,
    ...more: PosArgs<{ stride?: Size | null; ceilMode?: boolean }, ['stride', 'ceilMode']>) { super('LPPool3d', normType, [kernelSize, ...more]); }
  override forward(x: T): T { return N3.lpPool3d(x, this.normType, this.kernelSize, this.stride, this.ceilMode); }
}

// ---- losses ------------------------------------------------------------------------------------------------------
export interface CTCLossOpts { blank?: number; reduction?: Red; zeroInfinity?: boolean }
/** CTCLoss(blank = 0, reduction = 'mean', zeroInfinity = false); call(logProbs, targets, inputLengths, targetLengths) */
export class CTCLoss extends Module {
  declare blank: number; declare reduction: Red; declare zeroInfinity: boolean;
  constructor(opts?: CTCLossOpts);
  constructor(blank: number, ...args: PosArgs<CTCLossOpts, ['reduction', 'zeroInfinity']>);
  constructor(blank: number | CTCLossOpts = {}, opts: CTCLossOpts | Red = {}, ...more: unknown[]) {
    super();
    const o = typeof blank === 'number' ? { blank, ...optsArg<CTCLossOpts>(opts, 'CTCLoss', more, ['reduction', 'zeroInfinity'], []) }
      : optsArg<CTCLossOpts>(blank, 'CTCLoss', [], [], ['blank', 'reduction', 'zeroInfinity']);
    this.blank = o.blank ?? 0;
    this.reduction = checkReduction(o.reduction, 'CTCLoss');
    this.zeroInfinity = !!o.zeroInfinity;
  }
  override forward(logProbs: T, targets: T, inputLengths: T, targetLengths: T): T {
    return N3.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.blank, this.reduction, this.zeroInfinity);
  }
}
/** MultiLabelMarginLoss(reduction = 'mean'): call(input, target) */
export class MultiLabelMarginLoss extends Module {
  declare reduction: Red;
  constructor(opts: { reduction?: Red } = {}) { super(); this.reduction = checkReduction(optsArg<{ reduction?: Red }>(opts, 'MultiLabelMarginLoss').reduction, 'MultiLabelMarginLoss'); }
  override forward(input: T, target: T): T { return N3.multilabelMarginLoss(input, target, null, null, this.reduction); }
}
/** TripletMarginWithDistanceLoss({ distanceFunction = PairwiseDistance(), margin = 1, swap = false, reduction = 'mean' })
 *  (all keyword-only, as PyTorch's); distanceFunction a JS function or a Module (registered as a submodule) */
export class TripletMarginWithDistanceLoss extends Module {
  declare distance_function: Module | ((a: T, b: T) => T);
  declare margin: number; declare swap: boolean; declare reduction: Red;
  constructor(opts: { distanceFunction?: Module | ((a: T, b: T) => T) | null; margin?: number; swap?: boolean; reduction?: Red } = {}) {
    super();
    const o = optsArg<{ distanceFunction?: Module | ((a: T, b: T) => T) | null; margin?: number; swap?: boolean; reduction?: Red }>(opts, 'TripletMarginWithDistanceLoss', [], [], ['distanceFunction', 'margin', 'swap', 'reduction']);
    this.margin = o.margin ?? 1;
    if (!(this.margin > 0)) throw new TorchError(`TripletMarginWithDistanceLoss: expected margin to be greater than 0, got ${this.margin} instead`);
    this.swap = !!o.swap;
    this.reduction = checkReduction(o.reduction, 'TripletMarginWithDistanceLoss');
    this.distance_function = o.distanceFunction ?? new PairwiseDistance();
  }
  get distanceFunction(): Module | ((a: T, b: T) => T) { return this.distance_function; }
  override forward(anchor: T, positive: T, negative: T): T {
    const df = this.distance_function;
    const fn = df instanceof Module ? (a: T, b: T): T => df.call(a, b) as T : df;
    return N3.tripletMarginWithDistanceLoss(anchor, positive, negative, { distanceFunction: fn, margin: this.margin, swap: this.swap, reduction: this.reduction });
  }
}
/** NLLLoss2d: PyTorch's deprecated alias of NLLLoss (the same arguments and results) */
export class NLLLoss2d extends NLLLoss {}

/** Container(modules by name): PyTorch 1.13's deprecated nn.Container, a Module registering each keyword module */
export class Container extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    process.emitWarning("nn.Container is deprecated. All of it's functionality is now implemented in nn.Module. Subclass that instead.", 'UserWarning');
    for (const [k, m] of Object.entries(modules)) this.addModule(k, m);
  }
}
