// distribution.ts - torch.distributions.Distribution: batchShape/eventShape, sample/rsample, logProb, entropy,
// mean/mode/variance/stddev, cdf/icdf, expand, and argument validation (on by default, as PyTorch's __debug__).
import { Tensor } from '../tensor';
import * as torch from '../index';
import { TorchError } from '../errors';
import { Constraint } from './constraints';

export type Shape = readonly number[];
export type Param = Tensor | number;

export function broadcastShapes(...shapes: Shape[]): number[] {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - n + i] ?? 1;
      if (s.length - n + i < 0) continue;
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new TorchError(`Shape mismatch: objects cannot be broadcast to a single shape: [${shapes.map((x) => `[${x}]`).join(', ')}]`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** PyTorch's broadcast_all: numbers become tensors of the tensors' dtype (or the default), all expanded to one shape. */
export function broadcastAll(...vals: Param[]): Tensor[] {
  const ts = vals.filter((v): v is Tensor => v instanceof Tensor);
  for (const v of vals) if (!(v instanceof Tensor) && typeof v !== 'number') throw new TypeError('Input arguments must all be instances of number or torch.Tensor.');
  const dtype = ts.find((t) => t.dtype === 'float64' || t.dtype === 'float32')?.dtype ?? (ts.length ? ts[0].dtype : torch.getDefaultDtype());
  const fdtype = dtype === 'float64' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' ? dtype : torch.getDefaultDtype();
  const device = ts.length ? ts[0].device : undefined;
  const tens = vals.map((v) => (v instanceof Tensor ? (v.dtype === 'bool' || v.dtype.startsWith('int') || v.dtype === 'uint8' ? v.to(fdtype) : v) : torch.tensor(v, { dtype: fdtype, device })));
  const shape = broadcastShapes(...tens.map((t) => t.shape));
  return tens.map((t) => (sameShape(t.shape, shape) ? t : t.expand(shape)));
}
export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
export const sumRightmost = (t: Tensor, n: number): Tensor => (n <= 0 ? t : t.reshape([...t.shape.slice(0, t.ndim - n), -1]).sum(-1));
export const finfo = (dtype: string): { eps: number; tiny: number; max: number; min: number } =>
  dtype === 'float64' ? { eps: 2.220446049250313e-16, tiny: 2.2250738585072014e-308, max: 1.7976931348623157e308, min: -1.7976931348623157e308 }
    : { eps: 1.1920928955078125e-07, tiny: 1.1754943508222875e-38, max: 3.4028234663852886e38, min: -3.4028234663852886e38 };
const shapeStr = (s: Shape): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

export interface DistributionOptions { validateArgs?: boolean }

export abstract class Distribution {
  static _defaultValidateArgs = true;
  /** Distribution.set_default_validate_args */
  static setDefaultValidateArgs(value: boolean): void {
    if (value !== true && value !== false) throw new TorchError('setDefaultValidateArgs expects a boolean');
    Distribution._defaultValidateArgs = value;
  }
  get hasRsample(): boolean { return false; }
  get hasEnumerateSupport(): boolean { return false; }
  get argConstraints(): Record<string, Constraint> { return {}; }
  get support(): Constraint { throw new TorchError(`${this.constructor.name}.support is not implemented`); }

  batchShape: number[] = [];
  eventShape: number[] = [];
  protected _validateArgs = Distribution._defaultValidateArgs;
  /** Distribution.__init__: called by each subclass once its parameters are set (validates them). */
  protected init(batchShape: Shape = [], eventShape: Shape = [], validateArgs?: boolean): void {
    this.batchShape = batchShape.slice();
    this.eventShape = eventShape.slice();
    this._validateArgs = validateArgs ?? Distribution._defaultValidateArgs;
    if (this._validateArgs) {
      for (const [param, constraint] of Object.entries(this.argConstraints)) {
        if (constraint.constructor.name === '_Dependent') continue;
        if (!(param in this) || (this as Record<string, unknown>)[`_${param}Given`] === false) continue;
        const value = (this as unknown as Record<string, Tensor>)[param];
        if (!(value instanceof Tensor)) continue;
        const valid = constraint.check(value);
        if (!valid.all().item()) {
          throw new TorchError(`Expected parameter ${param} (Tensor of shape ${shapeStr(value.shape)}) of distribution ${this.repr()} to satisfy the constraint ${constraint}, but found invalid values:\n${value}`);
        }
      }
    }
  }
  protected paramNames(): string[] { return Object.keys(this.argConstraints).filter((k) => (this as Record<string, unknown>)[`_${k}Given`] !== false); }
  repr(): string {
    const parts = this.paramNames().map((p) => {
      const v = (this as unknown as Record<string, Tensor>)[p];
      return `${p}: ${v instanceof Tensor ? (v.numel() === 1 ? v.toString() : `torch.Size([${v.shape.join(', ')}])`) : String(v)}`;
    });
    return `${this.constructor.name}(${parts.join(', ')})`;
  }
  toString(): string { return this.repr(); }

  expand(_batchShape: Shape): Distribution { throw new TorchError(`${this.constructor.name}.expand is not implemented`); }
  get mean(): Tensor { throw new TorchError(`${this.constructor.name}.mean is not implemented`); }
  get mode(): Tensor { throw new TorchError(`${this.constructor.name} does not implement mode`); }
  get variance(): Tensor { throw new TorchError(`${this.constructor.name}.variance is not implemented`); }
  get stddev(): Tensor { return this.variance.sqrt(); }
  sample(sampleShape: Shape = []): Tensor { return torch.noGrad(() => this.rsample(sampleShape)); }
  rsample(_sampleShape: Shape = []): Tensor { throw new TorchError(`${this.constructor.name} does not implement rsample (it is not reparameterizable)`); }
  sampleN(n: number): Tensor { return this.sample([n]); }
  logProb(_value: Tensor): Tensor { throw new TorchError(`${this.constructor.name}.log_prob is not implemented`); }
  cdf(_value: Tensor): Tensor { throw new TorchError(`${this.constructor.name}.cdf is not implemented`); }
  icdf(_value: Tensor): Tensor { throw new TorchError(`${this.constructor.name}.icdf is not implemented`); }
  entropy(): Tensor { throw new TorchError(`${this.constructor.name}.entropy is not implemented`); }
  enumerateSupport(_expand = true): Tensor { throw new TorchError(`${this.constructor.name}.enumerate_support is not implemented`); }
  perplexity(): Tensor { return this.entropy().exp(); }

  extendedShape(sampleShape: Shape = []): number[] {
    if (!Array.isArray(sampleShape)) throw new TypeError('sampleShape must be an array of integers');
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }
  /** _validate_sample: value is a Tensor, broadcastable with batchShape + eventShape, and inside the support. */
  protected validateSample(value: Tensor): void {
    if (!(value instanceof Tensor)) throw new TorchError('The value argument to log_prob must be a Tensor');
    const eventDimStart = value.ndim - this.eventShape.length;
    if (!sameShape(value.shape.slice(eventDimStart), this.eventShape)) {
      throw new TorchError(`The right-most size of value must match event_shape: [${value.shape}] vs [${this.eventShape}].`);
    }
    const actual = value.shape.slice(0, value.ndim - this.eventShape.length);
    const expected = this.batchShape;
    for (let i = 1; i <= Math.min(actual.length, expected.length); i++) {
      const a = actual[actual.length - i], e = expected[expected.length - i];
      if (a !== 1 && e !== 1 && a !== e) throw new TorchError(`Value is not broadcastable with batch_shape+event_shape: [${value.shape}] vs [${[...this.batchShape, ...this.eventShape]}].`);
    }
    const support = this.support;
    const valid = support.check(value);
    if (!valid.all().item()) {
      throw new TorchError(`Expected value argument (Tensor of shape ${shapeStr(value.shape)}) to be within the support (${support}) of the distribution ${this.repr()}, but found invalid values:\n${value}`);
    }
  }
  protected maybeValidate(value: Tensor): void { if (this._validateArgs) this.validateSample(value); }
}
