// activation.ts - activation modules over torch.nn.functional (torch/nn/modules/activation.py), with their reprs.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { pyFloat, optsArg } from './common';

type T = Tensor;
type Inplace = { inplace?: boolean };
const inplaceStr = (b: boolean): string => (b ? 'inplace=True' : '');

export class ReLU extends Module {
  declare inplace: boolean;
  constructor(opts: Inplace | boolean = {}) { super(); this.inplace = typeof opts === 'boolean' ? opts : !!optsArg<Inplace>(opts, 'ReLU').inplace; }
  override forward(x: T): T { return F.relu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceStr(this.inplace); }
}
export class ReLU6 extends Module {
  declare inplace: boolean;
  constructor(opts: Inplace | boolean = {}, ...more: unknown[]) { super(); this.inplace = !!optsArg<Inplace>(opts, 'ReLU6', more, ['inplace']).inplace; }
  override forward(x: T): T { return F.relu6(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceStr(this.inplace); }
}
export class LeakyReLU extends Module {
  declare negativeSlope: number;
  declare inplace: boolean;
  constructor(opts: { negativeSlope?: number } & Inplace | number = {}) {
    super();
    const o = typeof opts === 'number' ? { negativeSlope: opts } : optsArg<{ negativeSlope?: number } & Inplace>(opts, 'LeakyReLU');
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = !!o.inplace;
  }
  override forward(x: T): T { return F.leakyRelu(x, { negativeSlope: this.negativeSlope, inplace: this.inplace }); }
  override extraRepr(): string { return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`; }
}
export class ELU extends Module {
  declare alpha: number;
  declare inplace: boolean;
  constructor(opts: { alpha?: number } & Inplace | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ alpha?: number } & Inplace>(opts, 'ELU', more, ['alpha', 'inplace']);
    this.alpha = o.alpha ?? 1.0;
    this.inplace = !!o.inplace;
  }
  override forward(x: T): T { return F.elu(x, { alpha: this.alpha, inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}
export class SELU extends Module {
  override forward(x: T): T { return F.selu(x); }
}
export class GELU extends Module {
  declare approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } | 'none' | 'tanh' = {}, ...more: unknown[]) { super(); this.approximate = optsArg<{ approximate?: 'none' | 'tanh' }>(opts, 'GELU', more, ['approximate']).approximate ?? 'none'; }
  override forward(x: T): T { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class SiLU extends Module {
  declare inplace: boolean;
  constructor(opts: Inplace | boolean = {}, ...more: unknown[]) { super(); this.inplace = !!optsArg<Inplace>(opts, 'SiLU', more, ['inplace']).inplace; }
  override forward(x: T): T { return F.silu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceStr(this.inplace); }
}
export class Mish extends Module { override forward(x: T): T { return F.mish(x); } }
export class Sigmoid extends Module { override forward(x: T): T { return F.sigmoid(x); } }
export class Tanh extends Module { override forward(x: T): T { return F.tanh(x); } }
export class LogSigmoid extends Module { override forward(x: T): T { return F.logsigmoid(x); } }
export class Softsign extends Module { override forward(x: T): T { return F.softsign(x); } }
export class Hardswish extends Module { override forward(x: T): T { return F.hardswish(x); } }
export class Hardsigmoid extends Module { override forward(x: T): T { return F.hardsigmoid(x); } }
export class Hardtanh extends Module {
  declare minVal: number; declare maxVal: number;
  constructor(opts: { minVal?: number; maxVal?: number } | number = {}, ...more: unknown[]) { super(); const o = optsArg<{ minVal?: number; maxVal?: number }>(opts, 'Hardtanh', more, ['minVal', 'maxVal']); this.minVal = o.minVal ?? -1; this.maxVal = o.maxVal ?? 1; }
  override forward(x: T): T { return F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal }); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`; }
}
export class Softplus extends Module {
  declare beta: number;
  declare threshold: number;
  constructor(opts: { beta?: number; threshold?: number } | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ beta?: number; threshold?: number }>(opts, 'Softplus', more, ['beta', 'threshold']);
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  override forward(x: T): T { return F.softplus(x, { beta: this.beta, threshold: this.threshold }); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}
export class Softmax extends Module {
  declare dim: number | null;
  constructor(dim: number | null | { dim?: number | null } = null) { super(); this.dim = typeof dim === 'object' && dim !== null ? dim.dim ?? null : dim; }
  override forward(x: T): T { return F.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim === null ? 'None' : this.dim}`; }
}
export class Softmin extends Softmax {
  override forward(x: T): T { return F.softmin(x, this.dim); }
}
export class LogSoftmax extends Module {
  declare dim: number | null;
  constructor(dim: number | null | { dim?: number | null } = null) { super(); this.dim = typeof dim === 'object' && dim !== null ? dim.dim ?? null : dim; }
  override forward(x: T): T { return F.logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim === null ? 'None' : this.dim}`; }
}
export class GLU extends Module {
  declare dim: number;
  constructor(dim = -1) { super(); this.dim = dim; }
  override forward(x: T): T { return F.glu(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
