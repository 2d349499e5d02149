// linear.ts - Identity, Linear, Bilinear, Flatten, Unflatten (torch/nn/modules/linear.py, flatten.py).
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, pyBool, pyTuple, optsArg, checkPosInt, PosArgs } from './common';
import { TorchError } from '../../errors';
import { kwLeading } from '../../ops/util';

type T = Tensor;

export class Identity extends Module {
  constructor(..._args: unknown[]) { super(); }
  override forward(x: T): T { return x; }
}

export class Linear extends Module {
  declare inFeatures: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;
  constructor(opts: { inFeatures: number; outFeatures: number; bias?: boolean } & FactoryOpts);
  constructor(inFeatures: number, outFeatures: number, ...args: PosArgs<{ bias?: boolean } & FactoryOpts, ['bias']>);
  constructor(inFeatures: number | { inFeatures: number; outFeatures: number }, outFeatures?: number, opts: { bias?: boolean } & FactoryOpts | boolean = {}, ...more: unknown[]) {
    super();
    // new nn.Linear({ inFeatures: 4, outFeatures: 2 }) (PyTorch's keyword names)
    [inFeatures, outFeatures, opts = {}, ...more] = kwLeading('Linear', Array.from(arguments), ['inFeatures', 'outFeatures'], 2) as [number, number, { bias?: boolean } & FactoryOpts | boolean, ...unknown[]];
    const o = optsArg<{ bias?: boolean } & FactoryOpts>(opts, 'Linear', more, ['bias'], ['dtype', 'device']);
    this.inFeatures = checkPosInt(inFeatures, 'in_features', 'Linear', true);
    this.outFeatures = checkPosInt(outFeatures, 'out_features', 'Linear', true);
    this.weight = newParam([outFeatures, inFeatures], o);
    if (o.bias ?? true) this.bias = newParam([outFeatures], o);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }
  // kaiming_uniform_(a=sqrt(5)) and a uniform bias in +-1/sqrt(fan_in), as PyTorch
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const fanIn = this.inFeatures;
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }
  override forward(x: T): T { return F.linear(x, this.weight, this.bias); }
  override extraRepr(): string { return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`; }
}

// MultiheadAttention's out_proj in PyTorch (a Linear that quantisation leaves alone); the class name shows in reprs
export class NonDynamicallyQuantizableLinear extends Linear {}

export class Bilinear extends Module {
  declare in1Features: number;
  declare in2Features: number;
  declare outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;
  constructor(in1Features: number, in2Features: number, outFeatures: number, ...args: PosArgs<{ bias?: boolean } & FactoryOpts, ['bias']>);
  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: { bias?: boolean } & FactoryOpts | boolean = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ bias?: boolean } & FactoryOpts>(opts, 'Bilinear', more, ['bias'], ['dtype', 'device']);
    this.in1Features = checkPosInt(in1Features, 'in1_features', 'Bilinear', true);
    this.in2Features = checkPosInt(in2Features, 'in2_features', 'Bilinear', true);
    this.outFeatures = checkPosInt(outFeatures, 'out_features', 'Bilinear', true);
    this.weight = newParam([outFeatures, in1Features, in2Features], o);
    if (o.bias ?? true) this.bias = newParam([outFeatures], o);
    else this.registerParameter('bias', null);
    this.resetParameters();
  }
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }
  override forward(x1: T, x2: T): T { return F.bilinear(x1, x2, this.weight, this.bias); }
  override extraRepr(): string { return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`; }
}

export class Flatten extends Module {
  declare startDim: number;
  declare endDim: number;
  constructor(startDim: number | { startDim?: number; endDim?: number } = 1, endDim = -1) {
    super();
    if (typeof startDim === 'object') { endDim = startDim.endDim ?? -1; startDim = startDim.startDim ?? 1; }
    this.startDim = startDim;
    this.endDim = endDim;
  }
  override forward(x: T): T { return x.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}

export class Unflatten extends Module {
  declare dim: number;
  declare unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: number[]) {
    super();
    if (!Array.isArray(unflattenedSize)) throw new TorchError('unflattened_size must be tuple of ints, but found type ' + typeof unflattenedSize);
    this.dim = dim;
    this.unflattenedSize = unflattenedSize.slice();
  }
  override forward(x: T): T { return x.unflatten(this.dim, this.unflattenedSize); }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`; }
}
