// lazy.ts - LazyLinear, LazyConv1d, LazyConv2d (torch/nn/modules/lazy.py): the input size (in_features / in_channels)
// is taken from the first call; until then the weight is an empty placeholder (a [0]-sized Parameter) and the repr
// shows 0, as PyTorch's. At the first call the weight is made, both parameters are initialised as the eager
// layer's (seeded: the same numbers as `new nn.Linear(in, out)` drawn at that point), and the module becomes the eager
// class (PyTorch's cls_to_become: `m instanceof nn.Linear`, its repr says Linear). Create the optimizer after the first
// call (PyTorch's advice too: the placeholder is not the parameter that training updates).
import { Tensor } from '../../tensor';
import { FactoryOpts, newParam, optsArg, checkPosInt, PosArgs } from './common';
import { Linear } from './linear';
import { Conv1d, Conv2d, ConvModuleOpts } from './conv';
import { TorchError } from '../../errors';
import { describeValue } from '../../dtype';

type T = Tensor;
let constructingLazy = false;  // skips the eager constructors' initialisation (nothing to draw for yet)

export class LazyLinear extends Linear {
  declare _factory: FactoryOpts;
  constructor(outFeatures: number, ...args: PosArgs<{ bias?: boolean } & FactoryOpts, ['bias']>);
  constructor(outFeatures: number, opts: { bias?: boolean } & FactoryOpts | boolean = {}, ...more: unknown[]) {
    const o = optsArg<{ bias?: boolean } & FactoryOpts>(opts, 'LazyLinear', more, ['bias'], ['dtype', 'device']);
    checkPosInt(outFeatures, 'out_features', 'LazyLinear', true);
    constructingLazy = true;
    try { super(0, outFeatures, o); } finally { constructingLazy = false; }
    Object.defineProperty(this, '_factory', { value: { dtype: o.dtype, device: o.device }, enumerable: false, writable: true, configurable: true });
    this.weight = newParam([0], this._factory);
  }
  override resetParameters(): void { if (!constructingLazy && this.inFeatures !== 0) super.resetParameters(); }
  /** true until the first call has fixed in_features (PyTorch's has_uninitialized_params) */
  hasUninitializedParams(): boolean { return this.inFeatures === 0 && Object.getPrototypeOf(this) === LazyLinear.prototype; }
  override forward(x: T): T {
    if (!(x instanceof Tensor)) throw new TypeError(`LazyLinear.forward(): argument 'input' must be Tensor, not ${describeValue(x)}`);
    if (x.ndim < 1) throw new TorchError(`LazyLinear: expected an input with at least 1 dimension, got a 0-d tensor`);
    const inF = x.shape[x.ndim - 1];
    this.inFeatures = inF;
    this.weight = newParam([this.outFeatures, inF], { dtype: this._factory.dtype ?? this.weight.dtype, device: this._factory.device ?? this.weight.device });
    Object.setPrototypeOf(this, Linear.prototype);
    (this as Linear).resetParameters();
    return (this as Linear).forward(x);
  }
}

type LazyConvOpts = ConvModuleOpts;
function lazyConvForward(m: Conv1d | Conv2d, x: T, cls: string, n: number, factory: FactoryOpts, eager: object): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${cls}.forward(): argument 'input' must be Tensor, not ${describeValue(x)}`);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) {
    throw new TorchError(`Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${cls}, but got input of size: torch.Size([${x.shape.join(', ')}])`);
  }
  const inC = x.ndim === n + 2 ? x.shape[1] : x.shape[0];
  if (inC % m.groups !== 0) throw new TorchError(`${cls}: in_channels (${inC}, from the input of shape [${x.shape.join(', ')}]) must be divisible by groups (${m.groups})`);
  m.inChannels = inC;
  m.weight = newParam([m.outChannels, inC / m.groups, ...m.kernelSize], { dtype: factory.dtype ?? m.weight.dtype, device: factory.device ?? m.weight.device });
  Object.setPrototypeOf(m, eager);
  m.resetParameters();
}

export class LazyConv1d extends Conv1d {
  declare _factory: FactoryOpts;
  constructor(outChannels: number, kernelSize: number | number[], ...args: PosArgs<LazyConvOpts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']>);
  constructor(outChannels: number, kernelSize: number | number[], opts: LazyConvOpts | number | number[] = {}, ...more: unknown[]) {
    const o = optsArg<LazyConvOpts>(opts, 'LazyConv1d', more, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['dtype', 'device']);
    constructingLazy = true;
    try { super(o.groups ?? 1, outChannels, kernelSize, o); } finally { constructingLazy = false; }
    Object.defineProperty(this, '_factory', { value: { dtype: o.dtype, device: o.device }, enumerable: false, writable: true, configurable: true });
    this.inChannels = 0;
    this.weight = newParam([0], this._factory);
  }
  override resetParameters(): void { if (!constructingLazy && this.inChannels !== 0) super.resetParameters(); }
  hasUninitializedParams(): boolean { return Object.getPrototypeOf(this) === LazyConv1d.prototype; }
  override forward(x: T): T {
    lazyConvForward(this, x, 'LazyConv1d', 1, this._factory, Conv1d.prototype);
    return (this as Conv1d).forward(x);
  }
}

export class LazyConv2d extends Conv2d {
  declare _factory: FactoryOpts;
  constructor(outChannels: number, kernelSize: number | number[], ...args: PosArgs<LazyConvOpts, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']>);
  constructor(outChannels: number, kernelSize: number | number[], opts: LazyConvOpts | number | number[] = {}, ...more: unknown[]) {
    const o = optsArg<LazyConvOpts>(opts, 'LazyConv2d', more, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], ['dtype', 'device']);
    constructingLazy = true;
    try { super(o.groups ?? 1, outChannels, kernelSize, o); } finally { constructingLazy = false; }
    Object.defineProperty(this, '_factory', { value: { dtype: o.dtype, device: o.device }, enumerable: false, writable: true, configurable: true });
    this.inChannels = 0;
    this.weight = newParam([0], this._factory);
  }
  override resetParameters(): void { if (!constructingLazy && this.inChannels !== 0) super.resetParameters(); }
  hasUninitializedParams(): boolean { return Object.getPrototypeOf(this) === LazyConv2d.prototype; }
  override forward(x: T): T {
    lazyConvForward(this, x, 'LazyConv2d', 2, this._factory, Conv2d.prototype);
    return (this as Conv2d).forward(x);
  }
}
