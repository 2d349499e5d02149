// conv.ts - Conv1d, Conv2d, ConvTranspose2d (torch/nn/modules/conv.py): weight [out, in/groups, *k] (transposed:
// [in, out/groups, *k]), kaiming-uniform init, padding numbers/tuples/'same'/'valid' and padding_mode.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, pyTuple, optsArg, checkPosInt, tupleOf, PosArgs } from './common';
import { TorchError } from '../../errors';
import { kwLeading } from '../../ops/util';
import { calculateFanInAndFanOut } from '../init';

type T = Tensor;
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface ConvModuleOpts extends FactoryOpts {
  stride?: number | number[]; padding?: number | number[] | 'same' | 'valid'; dilation?: number | number[];
  groups?: number; bias?: boolean; paddingMode?: PaddingMode;
}
export interface ConvTransposeModuleOpts extends FactoryOpts {
  stride?: number | number[]; padding?: number | number[]; outputPadding?: number | number[]; dilation?: number | number[];
  groups?: number; bias?: boolean; paddingMode?: 'zeros';
}

export abstract class ConvNd extends Module {
  declare inChannels: number;
  declare outChannels: number;
  declare kernelSize: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare transposed: boolean;
  declare outputPadding: number[];
  declare groups: number;
  declare paddingMode: PaddingMode;
  declare weight: Parameter;
  declare bias: Parameter | null;
  declare _reversedPaddingRepeatedTwice: number[];

  constructor(n: number, cls: string, inC: number, outC: number, kernelSize: number | number[], o: ConvModuleOpts & { outputPadding?: number | number[] }, transposed: boolean) {
    super();
    this.inChannels = checkPosInt(inC, 'in_channels', cls);
    this.outChannels = checkPosInt(outC, 'out_channels', cls);
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new TorchError('groups must be a positive integer');
    if (inC % groups !== 0) throw new TorchError('in_channels must be divisible by groups');
    if (outC % groups !== 0) throw new TorchError('out_channels must be divisible by groups');
    this.kernelSize = tupleOf(kernelSize, n, 'kernel_size');
    this.stride = tupleOf(o.stride ?? 1, n, 'stride');
    this.dilation = tupleOf(o.dilation ?? 1, n, 'dilation');
    const pad = o.padding ?? 0;
    if (typeof pad === 'string') {
      if (pad !== 'same' && pad !== 'valid') throw new TorchError(`Invalid padding string '${pad}', should be one of ['valid', 'same']`);
      if (pad === 'same' && this.stride.some((s) => s !== 1)) throw new TorchError("padding='same' is not supported for strided convolutions");
      this.padding = pad;
    } else this.padding = tupleOf(pad, n, 'padding');
    this.transposed = transposed;
    this.outputPadding = tupleOf(o.outputPadding ?? 0, n, 'output_padding');
    this.groups = groups;
    const mode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) throw new TorchError(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${mode}'`);
    this.paddingMode = mode;
    // F.pad order: last dim first, (left, right) each
    const rp: number[] = [];
    for (let i = n - 1; i >= 0; i--) {
      if (this.padding === 'valid') rp.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i] * (this.kernelSize[i] - 1);
        const left = Math.floor(total / 2);
        rp.push(left, total - left);
      } else rp.push(this.padding[i], this.padding[i]);
    }
    this._reversedPaddingRepeatedTwice = rp;
    const wshape = transposed ? [inC, outC / groups, ...this.kernelSize] : [outC, inC / groups, ...this.kernelSize];
    this.weight = newParam(wshape, o);
    if (o.bias ?? true) this.bias = newParam([outC], o);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) { const b = 1 / Math.sqrt(fanIn); init.uniform_(this.bias, -b, b); }
    }
  }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
  /** the output padding with which a transposed convolution reaches outputSize (PyTorch's _output_padding: each
   *  size between the smallest output and that plus stride - 1), or the layer's own outputPadding without one */
  _outputPaddingFor(x: T, outputSize: number[] | { outputSize?: number[] } | undefined): number[] {
    const os = Array.isArray(outputSize) ? outputSize : outputSize?.outputSize;
    if (!os) return this.outputPadding;
    const n = this.kernelSize.length, cls = this.constructor.name;
    const sp = os.slice(-n);
    if (sp.length !== n || (os.length !== n && os.length !== n + 2)) throw new TorchError(`${cls}: output_size must have ${n} or ${n + 2} elements (got ${os.length})`);
    const pad = this.padding as number[];
    const mins: number[] = [], maxs: number[] = [];
    for (let i = 0; i < n; i++) {
      mins.push((x.shape[x.ndim - n + i] - 1) * this.stride[i] - 2 * pad[i] + this.dilation[i] * (this.kernelSize[i] - 1) + 1);
      maxs.push(mins[i] + this.stride[i] - 1);
    }
    return sp.map((v, i) => {
      if (v < mins[i] || v > maxs[i]) {
        throw new TorchError(`requested an output size of [${sp.join(', ')}], but valid sizes range from [${mins.join(', ')}] to [${maxs.join(', ')}] (for an input of [${x.shape.slice(-n).join(', ')}])`);
      }
      return v - mins[i];
    });
  }
  protected _padded(x: T): [T, number | number[] | 'same' | 'valid'] {
    if (this.paddingMode === 'zeros') return [x, this.padding];
    return [F.pad(x, this._reversedPaddingRepeatedTwice, this.paddingMode as 'reflect', null), 0];
  }
}

// new nn.Conv2d(3, 10, { kernelSize: 3, padding: 1 }) or new nn.Conv2d({ inChannels, outChannels, kernelSize, ... }):
// PyTorch's keyword names for the leading parameters
type KernelKw = { kernelSize: number | number[] };
type ConvKw = { inChannels: number; outChannels: number } & KernelKw;
type ConvArgs<O> = [number, number, number | number[], O | number | number[], ...unknown[]];
function convArgs<O>(op: string, args: IArguments): ConvArgs<O> {
  const a = kwLeading(op, Array.from(args), ['inChannels', 'outChannels', 'kernelSize'], 3);
  if (a[3] === undefined) a[3] = {};
  return a as ConvArgs<O>;
}

export class Conv1d extends ConvNd {
  constructor(opts: ConvModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvModuleOpts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvModuleOpts>('Conv1d', arguments);
    super(1, 'Conv1d', inChannels, outChannels, kernelSize, optsArg(opts, 'Conv1d', more, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['dtype', 'device']), false);
  }
  override forward(x: T): T {
    const [xp, pad] = this._padded(x);
    return F.conv1d(xp, this.weight, this.bias, this.stride, pad, this.dilation, this.groups);
  }
}

export class Conv2d extends ConvNd {
  constructor(opts: ConvModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvModuleOpts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvModuleOpts>('Conv2d', arguments);
    super(2, 'Conv2d', inChannels, outChannels, kernelSize, optsArg(opts, 'Conv2d', more, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['dtype', 'device']), false);
  }
  override forward(x: T): T {
    const [xp, pad] = this._padded(x);
    return F.conv2d(xp, this.weight, this.bias, this.stride, pad, this.dilation, this.groups);
  }
}

export class ConvTranspose2d extends ConvNd {
  constructor(opts: ConvTransposeModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvTransposeModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvTransposeModuleOpts, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvTransposeModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvTransposeModuleOpts>('ConvTranspose2d', arguments);
    const o = optsArg<ConvTransposeModuleOpts>(opts, 'ConvTranspose2d', more, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'], ['dtype', 'device']);
    if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') throw new TorchError('Only "zeros" padding mode is supported for ConvTranspose2d');
    super(2, 'ConvTranspose2d', inChannels, outChannels, kernelSize, o as ConvModuleOpts, true);
  }
  // outputSize (optional, as PyTorch's forward(input, output_size)) picks the output padding that reaches it
  override forward(x: T, outputSize?: number[] | { outputSize?: number[] }): T {
    const op = this._outputPaddingFor(x, outputSize);
    return F.convTranspose2d(x, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}

/** ConvTranspose1d(inChannels, outChannels, kernelSize, stride = 1, padding = 0, outputPadding = 0, groups = 1, bias =
 *  true, dilation = 1): weight [in, out/groups, k]; forward(input, outputSize?) as PyTorch's */
export class ConvTranspose1d extends ConvNd {
  constructor(opts: ConvTransposeModuleOpts & ConvKw);
  constructor(inChannels: number, outChannels: number, opts: ConvTransposeModuleOpts & KernelKw);
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: PosArgs<ConvTransposeModuleOpts, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode']>);
  constructor(inChannels: number | ConvKw, outChannels?: number, kernelSize?: number | number[] | KernelKw, opts: ConvTransposeModuleOpts | number | number[] = {}, ...more: unknown[]) {
    [inChannels, outChannels, kernelSize, opts, ...more] = convArgs<ConvTransposeModuleOpts>('ConvTranspose1d', arguments);
    const o = optsArg<ConvTransposeModuleOpts>(opts, 'ConvTranspose1d', more, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'], ['dtype', 'device']);
    if (o.paddingMode !== undefined && o.paddingMode !== 'zeros') throw new TorchError('Only "zeros" padding mode is supported for ConvTranspose1d');
    super(1, 'ConvTranspose1d', inChannels, outChannels, kernelSize, o as ConvModuleOpts, true);
  }
  override forward(x: T, outputSize?: number[] | { outputSize?: number[] }): T {
    const op = this._outputPaddingFor(x, outputSize);
    return F.convTranspose1d(x, this.weight, this.bias, this.stride[0], (this.padding as number[])[0], op[0], this.groups, this.dilation[0]);
  }
}
