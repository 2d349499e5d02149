// normalization.ts - BatchNorm1d/2d/3d, LayerNorm, GroupNorm (torch/nn/modules/batchnorm.py, normalization.py).
// BatchNorm keeps PyTorch's buffers and key names: running_mean, running_var, num_batches_tracked (int64).
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, newTensor, pyFloat, pyBool, pyTuple, optsArg, checkPosInt, PosArgs } from './common';
import { TorchError } from '../../errors';
import { zeros } from '../../ops/creation';
import { noGrad } from '../../autograd/mode';

type T = Tensor;
export interface BatchNormModuleOpts extends FactoryOpts { eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean }

abstract class BatchNormBase extends Module {
  declare numFeatures: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare trackRunningStats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;

  constructor(numFeatures: number, opts: BatchNormModuleOpts, cls: string) {
    super();
    const o = optsArg<BatchNormModuleOpts>(opts, cls);
    this.numFeatures = checkPosInt(numFeatures, 'num_features', cls);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    if (this.affine) {
      this.weight = newParam([numFeatures], o);
      this.bias = newParam([numFeatures], o);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', newTensor([numFeatures], o));
      this.registerBuffer('running_var', newTensor([numFeatures], o));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int64', device: o.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }
  get runningMean(): T | null { return this._buffers.get('running_mean') ?? null; }
  get runningVar(): T | null { return this._buffers.get('running_var') ?? null; }
  get numBatchesTracked(): T | null { return this._buffers.get('num_batches_tracked') ?? null; }
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      (this.runningMean as T).zero_();
      (this.runningVar as T).fill_(1);
      (this.numBatchesTracked as T).zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) { init.ones_(this.weight as T); init.zeros_(this.bias as T); }
  }
  protected abstract checkInputDim(x: T): void;
  override forward(x: T): T {
    this.checkInputDim(x);
    let factor = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && nbt) {
      noGrad(() => nbt.add_(1));
      factor = this.momentum === null ? 1 / (nbt.item() as number) : this.momentum;
    }
    const rm = this.runningMean, rv = this.runningVar;
    const bnTraining = this.training ? true : rm === null && rv === null;
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(x, useStats ? rm : null, useStats ? rv : null, this.weight, this.bias, bnTraining, factor, this.eps);
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
  // a state dict without num_batches_tracked (older PyTorch) keeps the current count, as PyTorch does for dicts
  // without version metadata
  override _loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const key = prefix + 'num_batches_tracked';
    const nbt = this.numBatchesTracked;
    if (this.trackRunningStats && nbt && !sd.has(key)) sd.set(key, nbt.clone());
    super._loadFromStateDict(sd, prefix, missing, unexpected, errors);
  }
}

export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, ...args: PosArgs<BatchNormModuleOpts, ['eps', 'momentum', 'affine', 'trackRunningStats']>);
  constructor(numFeatures: number, opts: BatchNormModuleOpts | number = {}, ...more: unknown[]) { super(numFeatures, optsArg<BatchNormModuleOpts>(opts, 'BatchNorm1d', more, ['eps', 'momentum', 'affine', 'trackRunningStats'], ['dtype', 'device']), 'BatchNorm1d'); }
  protected checkInputDim(x: T): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, ...args: PosArgs<BatchNormModuleOpts, ['eps', 'momentum', 'affine', 'trackRunningStats']>);
  constructor(numFeatures: number, opts: BatchNormModuleOpts | number = {}, ...more: unknown[]) { super(numFeatures, optsArg<BatchNormModuleOpts>(opts, 'BatchNorm2d', more, ['eps', 'momentum', 'affine', 'trackRunningStats'], ['dtype', 'device']), 'BatchNorm2d'); }
  protected checkInputDim(x: T): void {
    if (x.ndim !== 4) throw new TorchError(`expected 4D input (got ${x.ndim}D input)`);
  }
}

export class BatchNorm3d extends BatchNormBase {
  constructor(numFeatures: number, ...args: PosArgs<BatchNormModuleOpts, ['eps', 'momentum', 'affine', 'trackRunningStats']>);
  constructor(numFeatures: number, opts: BatchNormModuleOpts | number = {}, ...more: unknown[]) { super(numFeatures, optsArg<BatchNormModuleOpts>(opts, 'BatchNorm3d', more, ['eps', 'momentum', 'affine', 'trackRunningStats'], ['dtype', 'device']), 'BatchNorm3d'); }
  protected checkInputDim(x: T): void {
    if (x.ndim !== 5) throw new TorchError(`expected 5D input (got ${x.ndim}D input)`);
  }
}

export class LayerNorm extends Module {
  declare normalizedShape: number[];
  declare eps: number;
  declare elementwiseAffine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(normalizedShape: number | number[], ...args: PosArgs<{ eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOpts, ['eps', 'elementwiseAffine', 'bias']>);
  constructor(normalizedShape: number | number[], opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOpts | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ eps?: number; elementwiseAffine?: boolean; bias?: boolean } & FactoryOpts>(opts, 'LayerNorm', more, ['eps', 'elementwiseAffine', 'bias'], ['dtype', 'device']);
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape.slice() : [normalizedShape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = newParam(this.normalizedShape, o);
      if (o.bias ?? true) this.bias = newParam(this.normalizedShape, o); else this.registerParameter('bias', null);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  override forward(x: T): T { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`; }
}

export class GroupNorm extends Module {
  declare numGroups: number;
  declare numChannels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, ...args: PosArgs<{ eps?: number; affine?: boolean } & FactoryOpts, ['eps', 'affine']>);
  constructor(numGroups: number, numChannels: number, opts: { eps?: number; affine?: boolean } & FactoryOpts | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ eps?: number; affine?: boolean } & FactoryOpts>(opts, 'GroupNorm', more, ['eps', 'affine'], ['dtype', 'device']);
    if (numChannels % numGroups !== 0) throw new TorchError('num_channels must be divisible by num_groups');
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    if (this.affine) {
      this.weight = newParam([numChannels], o);
      this.bias = newParam([numChannels], o);
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  override forward(x: T): T { return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`; }
}
