// dropout.ts - Dropout / Dropout1d / Dropout2d / Dropout3d / AlphaDropout / FeatureAlphaDropout: active in train(), identity in eval(); the mask is
// drawn from the Philox stream (torch.manualSeed makes it reproducible).
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import * as FM from '../functional_more';
import { pyFloat, pyBool } from './common';
import { TorchError } from '../../errors';

type T = Tensor;
type DropOpts = { p?: number; inplace?: boolean };

abstract class DropoutBase extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(p: number | DropOpts = {}, opts: { inplace?: boolean } = {}) {
    super();
    const o: DropOpts = typeof p === 'number' ? { p, ...opts } : p ?? {};
    const prob = o.p ?? 0.5;
    if (typeof prob !== 'number' || prob < 0 || prob > 1) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${prob}`);
    this.p = prob;
    this.inplace = !!o.inplace;
  }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`; }
}
export class Dropout extends DropoutBase {
  override forward(x: T): T { return F.dropout(x, this.p, this.training, this.inplace); }
}
export class Dropout1d extends DropoutBase {
  override forward(x: T): T { return F.dropout2d(x.unsqueeze(-1), this.p, this.training, false).squeeze(-1); }
}
export class Dropout2d extends DropoutBase {
  override forward(x: T): T { return F.dropout2d(x, this.p, this.training, false); }
}
export class AlphaDropout extends DropoutBase {
  override forward(x: T): T { return F.alphaDropout(x, this.p, this.training, false); }
}
/** Dropout3d(p = 0.5, inplace = false): whole channels of [N, C, D, H, W] or [C, D, H, W] input */
export class Dropout3d extends DropoutBase {
  override forward(x: T): T { return FM.dropout3d(x, this.p, this.training, this.inplace); }
}
/** FeatureAlphaDropout(p = 0.5, inplace = false): alpha dropout of whole channels (for SELU networks) */
export class FeatureAlphaDropout extends DropoutBase {
  override forward(x: T): T { return FM.featureAlphaDropout(x, this.p, this.training, this.inplace); }
}
