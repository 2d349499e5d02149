// loss.ts - loss modules over torch.nn.functional (torch/nn/modules/loss.py). `weight` and `pos_weight` are
// registered as buffers, as in PyTorch, so they move with .to() and appear in the state dict when given.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional_api';
import { optsArg } from './common';
import { TorchError } from '../../errors';

type T = Tensor;
type Red = F.Reduction;
interface LossOpts { reduction?: Red }

function checkReduction(r: unknown, cls: string): Red {
  const red = (r ?? 'mean') as Red;
  if (red !== 'mean' && red !== 'sum' && red !== 'none') throw new TorchError(`${String(r)} is not a valid value for reduction (${cls})`);
  return red;
}

abstract class Loss extends Module {
  declare reduction: Red;
  constructor(opts: LossOpts, cls: string) { super(); this.reduction = checkReduction(optsArg<LossOpts>(opts, cls).reduction, cls); }
}
abstract class WeightedLoss extends Loss {
  constructor(opts: LossOpts & { weight?: T | null }, cls: string) {
    super(opts, cls);
    this.registerBuffer('weight', opts.weight ?? null);
  }
  declare weight: T | null;
}

export class MSELoss extends Loss {
  constructor(opts: LossOpts = {}) { super(opts, 'MSELoss'); }
  override forward(input: T, target: T): T { return F.mseLoss(input, target, { reduction: this.reduction }); }
}
export class L1Loss extends Loss {
  constructor(opts: LossOpts = {}) { super(opts, 'L1Loss'); }
  override forward(input: T, target: T): T { return F.l1Loss(input, target, { reduction: this.reduction }); }
}
export class SmoothL1Loss extends Loss {
  declare beta: number;
  constructor(opts: LossOpts & { beta?: number } = {}) { super(opts, 'SmoothL1Loss'); this.beta = opts.beta ?? 1; }
  override forward(input: T, target: T): T { return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta }); }
}
export class HuberLoss extends Loss {
  declare delta: number;
  constructor(opts: LossOpts & { delta?: number } = {}) { super(opts, 'HuberLoss'); this.delta = opts.delta ?? 1; }
  override forward(input: T, target: T): T { return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta }); }
}
export class NLLLoss extends WeightedLoss {
  declare ignoreIndex: number;
  constructor(opts0: LossOpts & { weight?: T | null; ignoreIndex?: number } | T | null = {}) {
    const opts = optsArg<LossOpts & { weight?: T | null; ignoreIndex?: number }>(opts0 ?? undefined, 'NLLLoss', [], ['weight'], ['ignoreIndex', 'reduction']);
    super(opts, 'NLLLoss');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: T, target: T): T { return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction }); }
}
export class CrossEntropyLoss extends WeightedLoss {
  declare ignoreIndex: number;
  declare labelSmoothing: number;
  constructor(opts0: LossOpts & { weight?: T | null; ignoreIndex?: number; labelSmoothing?: number } | T | null = {}) {
    // the class weights may come first, positionally, as in PyTorch (nn.CrossEntropyLoss(weight))
    const opts = optsArg<LossOpts & { weight?: T | null; ignoreIndex?: number; labelSmoothing?: number }>(opts0 ?? undefined, 'CrossEntropyLoss', [], ['weight'], ['ignoreIndex', 'reduction', 'labelSmoothing']);
    super(opts, 'CrossEntropyLoss');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: T, target: T): T {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}
export class BCELoss extends WeightedLoss {
  constructor(opts: LossOpts & { weight?: T | null } | T | null = {}) { super(optsArg<LossOpts & { weight?: T | null }>(opts ?? undefined, 'BCELoss', [], ['weight'], ['reduction']), 'BCELoss'); }
  override forward(input: T, target: T): T { return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction }); }
}
export class BCEWithLogitsLoss extends Loss {
  constructor(opts0: LossOpts & { weight?: T | null; posWeight?: T | null } | T | null = {}) {
    const opts = optsArg<LossOpts & { weight?: T | null; posWeight?: T | null }>(opts0 ?? undefined, 'BCEWithLogitsLoss', [], ['weight'], ['posWeight', 'reduction']);
    super(opts, 'BCEWithLogitsLoss');
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  declare weight: T | null;
  get posWeight(): T | null { return this._buffers.get('pos_weight') ?? null; }
  override forward(input: T, target: T): T {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}
export class KLDivLoss extends Module {
  declare reduction: Red | 'batchmean';
  declare logTarget: boolean;
  constructor(opts: { reduction?: Red | 'batchmean'; logTarget?: boolean } = {}) {
    super();
    const r = opts.reduction ?? 'mean';
    if (!['mean', 'sum', 'none', 'batchmean'].includes(r)) throw new TorchError(`${r} is not a valid value for reduction`);
    this.reduction = r;
    this.logTarget = !!opts.logTarget;
  }
  override forward(input: T, target: T): T { return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget }); }
}
export class PoissonNLLLoss extends Loss {
  declare logInput: boolean; declare full: boolean; declare eps: number;
  constructor(opts: LossOpts & { logInput?: boolean; full?: boolean; eps?: number } = {}) {
    super(opts, 'PoissonNLLLoss');
    this.logInput = opts.logInput ?? true; this.full = !!opts.full; this.eps = opts.eps ?? 1e-8;
  }
  override forward(input: T, target: T): T { return F.poissonNllLoss(input, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction }); }
}

// ---- the losses added as nn.functional schema rows (PyTorch's constructor options; weight as a buffer) ----
export class SoftMarginLoss extends Loss {
  constructor(opts: LossOpts = {}) { super(opts, 'SoftMarginLoss'); }
  override forward(input: T, target: T): T { return F.softMarginLoss(input, target, { reduction: this.reduction }); }
}
export class HingeEmbeddingLoss extends Loss {
  declare margin: number;
  constructor(opts: LossOpts & { margin?: number } = {}) { super(opts, 'HingeEmbeddingLoss'); this.margin = opts.margin ?? 1; }
  override forward(input: T, target: T): T { return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction }); }
}
export class CosineEmbeddingLoss extends Loss {
  declare margin: number;
  constructor(opts: LossOpts & { margin?: number } = {}) { super(opts, 'CosineEmbeddingLoss'); this.margin = opts.margin ?? 0; }
  override forward(input1: T, input2: T, target: T): T { return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction }); }
}
/** MarginRankingLoss(margin = 0, reduction = 'mean'): max(0, -target * (input1 - input2) + margin) */
export class MarginRankingLoss extends Loss {
  declare margin: number;
  constructor(margin: number | (LossOpts & { margin?: number }) = {}, opts: LossOpts = {}) {
    const o = typeof margin === 'number' ? { ...optsArg<LossOpts>(opts, 'MarginRankingLoss'), margin } : optsArg<LossOpts & { margin?: number }>(margin, 'MarginRankingLoss');
    super(o, 'MarginRankingLoss');
    this.margin = o.margin ?? 0;
  }
  override forward(input1: T, input2: T, target: T): T { return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction }); }
}
export class TripletMarginLoss extends Loss {
  declare margin: number; declare p: number; declare eps: number; declare swap: boolean;
  constructor(opts: LossOpts & { margin?: number; p?: number; eps?: number; swap?: boolean } = {}) {
    super(opts, 'TripletMarginLoss');
    this.margin = opts.margin ?? 1; this.p = opts.p ?? 2; this.eps = opts.eps ?? 1e-6; this.swap = !!opts.swap;
  }
  override forward(anchor: T, positive: T, negative: T): T {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(opts: LossOpts & { weight?: T | null } = {}) { super(opts, 'MultiLabelSoftMarginLoss'); }
  override forward(input: T, target: T): T { return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction }); }
}
export class MultiMarginLoss extends WeightedLoss {
  declare p: number; declare margin: number;
  constructor(opts: LossOpts & { p?: number; margin?: number; weight?: T | null } = {}) {
    super(opts, 'MultiMarginLoss');
    this.p = opts.p ?? 1; this.margin = opts.margin ?? 1;
    if (this.p !== 1 && this.p !== 2) throw new TorchError('only p == 1 and p == 2 supported');
  }
  override forward(input: T, target: T): T { return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction }); }
}
export class GaussianNLLLoss extends Loss {
  declare full: boolean; declare eps: number;
  constructor(opts: LossOpts & { full?: boolean; eps?: number } = {}) { super(opts, 'GaussianNLLLoss'); this.full = !!opts.full; this.eps = opts.eps ?? 1e-6; }
  override forward(input: T, target: T, variance: T): T { return F.gaussianNllLoss(input, target, { var: variance, full: this.full, eps: this.eps, reduction: this.reduction }); }
}
