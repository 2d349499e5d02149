// activation.ts - activation modules over torch.nn.functional (torch/nn/modules/activation.py), with their reprs.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import { pyFloat, optsArg, newParam, checkPosInt, FactoryOpts, PosArgs } from './common';
import { noGrad } from '../../autograd/mode';

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
  constructor(...args: PosArgs<Inplace, ['inplace']>);
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
  constructor(...args: PosArgs<{ alpha?: number } & Inplace, ['alpha', 'inplace']>);
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
  constructor(...args: PosArgs<{ approximate?: 'none' | 'tanh' }, ['approximate']>);
  constructor(opts: { approximate?: 'none' | 'tanh' } | 'none' | 'tanh' = {}, ...more: unknown[]) { super(); this.approximate = optsArg<{ approximate?: 'none' | 'tanh' }>(opts, 'GELU', more, ['approximate']).approximate ?? 'none'; }
  override forward(x: T): T { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class SiLU extends Module {
  declare inplace: boolean;
  constructor(...args: PosArgs<Inplace, ['inplace']>);
  constructor(opts: Inplace | boolean = {}, ...more: unknown[]) { super(); this.inplace = !!optsArg<Inplace>(opts, 'SiLU', more, ['inplace']).inplace; }
  override forward(x: T): T { return F.silu(x, { inplace: this.inplace }); }
  override extraRepr(): string { return inplaceStr(this.inplace); }
}
export class Mish extends Module { override forward(x: T): T { return F.mish(x, false); } }
export class Sigmoid extends Module { override forward(x: T): T { return F.sigmoid(x); } }
export class Tanh extends Module { override forward(x: T): T { return F.tanh(x); } }
export class LogSigmoid extends Module { override forward(x: T): T { return F.logsigmoid(x); } }
export class Softsign extends Module { override forward(x: T): T { return F.softsign(x); } }
export class Hardswish extends Module { override forward(x: T): T { return F.hardswish(x, false); } }
export class Hardsigmoid extends Module { override forward(x: T): T { return F.hardsigmoid(x, false); } }
export class Hardtanh extends Module {
  declare minVal: number; declare maxVal: number;
  constructor(...args: PosArgs<{ minVal?: number; maxVal?: number }, ['minVal', 'maxVal']>);
  constructor(opts: { minVal?: number; maxVal?: number } | number = {}, ...more: unknown[]) { super(); const o = optsArg<{ minVal?: number; maxVal?: number }>(opts, 'Hardtanh', more, ['minVal', 'maxVal']); this.minVal = o.minVal ?? -1; this.maxVal = o.maxVal ?? 1; }
  override forward(x: T): T { return F.hardtanh(x, { minVal: this.minVal, maxVal: this.maxVal }); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`; }
}
export class Softplus extends Module {
  declare beta: number;
  declare threshold: number;
  constructor(...args: PosArgs<{ beta?: number; threshold?: number }, ['beta', 'threshold']>);
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

// ---- the rest of PyTorch's activation modules (NaN rules as the functional forms) ----
export class Threshold extends Module {
  declare threshold: number; declare value: number; declare inplace: boolean;
  constructor(threshold: number | { threshold: number; value: number; inplace?: boolean }, value?: number, inplace = false) {
    super();
    const o = typeof threshold === 'object' ? threshold : { threshold, value: value as number, inplace };
    if (typeof o.threshold !== 'number' || typeof o.value !== 'number') throw new TypeError('Threshold: threshold and value must be numbers');
    this.threshold = o.threshold; this.value = o.value; this.inplace = !!o.inplace;
  }
  override forward(x: T): T { return F.threshold(x, this.threshold, this.value, this.inplace); }
  override extraRepr(): string { return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${this.inplace ? ', inplace=True' : ''}`; }
}
export class Hardshrink extends Module {
  declare lambd: number;
  constructor(lambd: number | { lambd?: number } = 0.5) { super(); this.lambd = typeof lambd === 'number' ? lambd : lambd.lambd ?? 0.5; }
  override forward(x: T): T { return F.hardshrink(x, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}
export class Softshrink extends Hardshrink {
  override forward(x: T): T { return F.softshrink(x, this.lambd); }
}
export class Tanhshrink extends Module { override forward(x: T): T { return F.tanhshrink(x); } }
export class CELU extends Module {
  declare alpha: number; declare inplace: boolean;
  constructor(...args: PosArgs<{ alpha?: number } & Inplace, ['alpha', 'inplace']>);
  constructor(opts: { alpha?: number } & Inplace | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ alpha?: number } & Inplace>(opts, 'CELU', more, ['alpha', 'inplace']);
    this.alpha = o.alpha ?? 1.0; this.inplace = !!o.inplace;
  }
  override forward(x: T): T { return F.celu(x, { alpha: this.alpha, inplace: this.inplace }); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`; }
}
/** PReLU(numParameters = 1, init = 0.25): a learnt slope for the negative part, one per channel or shared. */
export class PReLU extends Module {
  declare numParameters: number;
  declare weight: Parameter;
  constructor(...args: PosArgs<{ numParameters?: number; init?: number } & FactoryOpts, ['numParameters', 'init']>);
  constructor(opts: { numParameters?: number; init?: number } & FactoryOpts | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ numParameters?: number; init?: number } & FactoryOpts>(opts, 'PReLU', more, ['numParameters', 'init'], ['dtype', 'device']);
    this.numParameters = checkPosInt(o.numParameters ?? 1, 'num_parameters', 'PReLU');
    this.weight = newParam([this.numParameters], o);
    noGrad(() => this.weight.fill_(o.init ?? 0.25));
  }
  override forward(x: T): T { return F.prelu(x, this.weight); }
  override extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}
/** RReLU(lower = 1/8, upper = 1/3): random slopes in training, their mean in evaluation. */
export class RReLU extends Module {
  declare lower: number; declare upper: number; declare inplace: boolean;
  constructor(...args: PosArgs<{ lower?: number; upper?: number } & Inplace, ['lower', 'upper', 'inplace']>);
  constructor(opts: { lower?: number; upper?: number } & Inplace | number = {}, ...more: unknown[]) {
    super();
    const o = optsArg<{ lower?: number; upper?: number } & Inplace>(opts, 'RReLU', more, ['lower', 'upper', 'inplace']);
    this.lower = o.lower ?? 1 / 8; this.upper = o.upper ?? 1 / 3; this.inplace = !!o.inplace;
  }
  override forward(x: T): T { return F.rrelu(x, this.lower, this.upper, this.training, this.inplace); }
  override extraRepr(): string { return `lower=${this.lower}, upper=${this.upper}${this.inplace ? ', inplace=True' : ''}`; }
}
