// extra.ts - the torch.nn layers over functional forms nodetorch already had (torch/nn/modules/padding.py,
// instancenorm.py, distance.py, fold.py, activation.py's Softmax2d, channelshuffle.py, pooling.py's
// AdaptiveAvgPool1d, rnn.py's RNNCell/LSTMCell/GRUCell): PyTorch's constructor parameters, positionally or by
// camelCase name in one options object, PyTorch's defaults, reprs and input checks.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as FM from '../functional_more';
import * as init from '../init';
import { FactoryOpts, newParam, newTensor, pyFloat, pyBool, pyTuple, checkPosInt } from './common';
import { posOpts } from '../../ops/util';
import { TorchError } from '../../errors';
import { zeros } from '../../ops/creation';
import { noGrad } from '../../autograd/mode';

type T = Tensor;
type Size = number | readonly number[];

/** the constructor's arguments by name: PyTorch's positions `names` (the first `required` of them required), or one
 *  options object, or some positionally and the rest in an options object; `also`: keyword-only names */
function ctorArgs<O extends object>(cls: string, args: readonly unknown[], names: readonly string[], required: number, also: readonly string[] = []): O {
  const o = posOpts<Record<string, unknown>>(cls, args, names, also);
  for (let i = 0; i < required; i++) {
    if (o[names[i]] === undefined) throw new TypeError(`${cls}(): missing required argument '${names[i]}' (positionally, or in the options object by that name)`);
  }
  return o as O;
}
const reprSize = (v: Size): string => (Array.isArray(v) ? pyTuple(v as number[]) : String(v));
function padTuple(cls: string, p: unknown, n: number): number[] {
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
  if (ok(p)) return Array(2 * n).fill(p);
  if (Array.isArray(p) && p.length === 2 * n && p.every(ok)) return p.slice();
  throw new TorchError(`${cls}: padding must be an integer or a list of ${2 * n} integers, got ${Array.isArray(p) ? `[${p.join(', ')}]` : String(p)}`);
}

// ---- padding (torch/nn/modules/padding.py) ------------------------------------------------------------------------
type PadMode = 'constant' | 'reflect' | 'replicate';
abstract class PadNd extends Module {
  declare padding: number[];
  declare value: number;
  declare _mode: PadMode;
  constructor(cls: string, n: number, mode: PadMode, args: readonly unknown[]) {
    super();
    const names = mode === 'constant' && !cls.startsWith('Zero') ? ['padding', 'value'] : ['padding'];
    const o = ctorArgs<{ padding: Size; value?: number }>(cls, args, names, names.length);
    if (names.length === 2 && typeof o.value !== 'number') throw new TorchError(`${cls}: value must be a number, got ${String(o.value)}`);
    this.padding = padTuple(cls, o.padding, n);
    this.value = o.value ?? 0;
    this._mode = mode;
  }
  override forward(x: T): T { return F.pad(x, this.padding, this._mode, this._mode === 'constant' ? this.value : null); }
  override extraRepr(): string { return pyTuple(this.padding); }
}
abstract class ConstantPadNd extends PadNd {
  override extraRepr(): string { return `padding=${pyTuple(this.padding)}, value=${Number.isInteger(this.value) ? String(this.value) : pyFloat(this.value)}`; }
}
/** ConstantPad1d(padding, value): pads the last dimension with `value`; padding an int or [left, right] */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | [number, number] | { padding: number | [number, number]; value: number }, value?: number) { super('ConstantPad1d', 1, 'constant', [padding, value]); }
}
/** ConstantPad2d(padding, value): an int or [left, right, top, bottom] */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | number[] | { padding: number | number[]; value: number }, value?: number) { super('ConstantPad2d', 2, 'constant', [padding, value]); }
}
/** ConstantPad3d(padding, value): an int or [left, right, top, bottom, front, back] */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: number | number[] | { padding: number | number[]; value: number }, value?: number) { super('ConstantPad3d', 3, 'constant', [padding, value]); }
}
/** ZeroPad1d/2d/3d(padding): constant padding with zeros (ZeroPad1d and ZeroPad3d are PyTorch 2.x's) */
export class ZeroPad1d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ZeroPad1d', 1, 'constant', [padding]); }
}
export class ZeroPad2d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ZeroPad2d', 2, 'constant', [padding]); }
}
export class ZeroPad3d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ZeroPad3d', 3, 'constant', [padding]); }
}
/** ReflectionPad1d/2d/3d(padding): reflection of the input at its border (padding < the dimension's size) */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReflectionPad1d', 1, 'reflect', [padding]); }
}
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReflectionPad2d', 2, 'reflect', [padding]); }
}
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReflectionPad3d', 3, 'reflect', [padding]); }
}
/** ReplicationPad1d/2d/3d(padding): the border value repeated */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReplicationPad1d', 1, 'replicate', [padding]); }
}
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReplicationPad2d', 2, 'replicate', [padding]); }
}
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | number[] | { padding: number | number[] }) { super('ReplicationPad3d', 3, 'replicate', [padding]); }
}

// ---- instance norm (torch/nn/modules/instancenorm.py) ------------------------------------------------------------
export interface InstanceNormOpts extends FactoryOpts { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean }
const IN_NAMES = ['numFeatures', 'eps', 'momentum', 'affine', 'trackRunningStats'] as const;
abstract class InstanceNormNd extends Module {
  declare numFeatures: number; declare eps: number; declare momentum: number; declare affine: boolean; declare trackRunningStats: boolean;
  declare weight: Parameter | null; declare bias: Parameter | null;
  declare _noBatchDim: number;
  constructor(cls: string, noBatchDim: number, args: readonly unknown[]) {
    super();
    const o = ctorArgs<InstanceNormOpts & { numFeatures: number }>(cls, args, IN_NAMES, 1, ['dtype', 'device']);
    this.numFeatures = checkPosInt(o.numFeatures, 'num_features', cls);
    this.eps = o.eps ?? 1e-5; this.momentum = o.momentum ?? 0.1; this.affine = !!o.affine; this.trackRunningStats = !!o.trackRunningStats;
    this._noBatchDim = noBatchDim;
    if (this.affine) {
      this.weight = newParam([this.numFeatures], o); this.bias = newParam([this.numFeatures], o);
      init.ones_(this.weight); init.zeros_(this.bias);
    } else { this.registerParameter('weight', null); this.registerParameter('bias', null); }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', newTensor([this.numFeatures], o).zero_());
      this.registerBuffer('running_var', newTensor([this.numFeatures], o).fill_(1));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int64', device: o.device }));
    } else {
      this.registerBuffer('running_mean', null); this.registerBuffer('running_var', null); this.registerBuffer('num_batches_tracked', null);
    }
  }
  get runningMean(): T | null { return this._buffers.get('running_mean') ?? null; }
  get runningVar(): T | null { return this._buffers.get('running_var') ?? null; }
  override forward(x: T): T {
    const nb = this._noBatchDim, cls = this.constructor.name;
    if (!(x instanceof Tensor)) throw new TypeError(`${cls}.forward(): expected a Tensor`);
    if (x.ndim !== nb && x.ndim !== nb + 1) throw new TorchError(`${cls}: expected ${nb}D or ${nb + 1}D input (got ${x.ndim}D input)`);
    const fdim = x.ndim - nb;
    if (x.shape[fdim] !== this.numFeatures && this.affine) {
      throw new TorchError(`${cls}: expected input's size at dim=${fdim} to match num_features (${this.numFeatures}), but got: ${x.shape[fdim]}.`);
    }
    const batched = x.ndim === nb + 1 ? x : x.unsqueeze(0);
    const y = F.instanceNorm(batched, this.runningMean, this.runningVar, this.weight, this.bias, this.training || !this.trackRunningStats, this.momentum, this.eps);
    return x.ndim === nb + 1 ? y : y.squeeze(0);
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
type INArgs = [numFeatures: number, eps?: number, momentum?: number, affine?: boolean, trackRunningStats?: boolean, opts?: FactoryOpts]
  | [numFeatures: number, opts?: InstanceNormOpts] | [opts: InstanceNormOpts & { numFeatures: number }];
/** InstanceNorm1d(numFeatures, eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false): [N, C, L] or [C, L] */
export class InstanceNorm1d extends InstanceNormNd { constructor(...args: INArgs) { super('InstanceNorm1d', 2, args); } }
/** InstanceNorm2d: [N, C, H, W] or [C, H, W] */
export class InstanceNorm2d extends InstanceNormNd { constructor(...args: INArgs) { super('InstanceNorm2d', 3, args); } }
/** InstanceNorm3d: [N, C, D, H, W] or [C, D, H, W] */
export class InstanceNorm3d extends InstanceNormNd { constructor(...args: INArgs) { super('InstanceNorm3d', 4, args); } }

// ---- distances (torch/nn/modules/distance.py) --------------------------------------------------------------------
/** CosineSimilarity(dim = 1, eps = 1e-8) */
export class CosineSimilarity extends Module {
  declare dim: number; declare eps: number;
  constructor(...args: [dim?: number, eps?: number] | [dim: number, opts: { eps?: number }] | [opts: { dim?: number; eps?: number }]) {
    super();
    const o = ctorArgs<{ dim?: number; eps?: number }>('CosineSimilarity', args, ['dim', 'eps'], 0);
    this.dim = o.dim ?? 1; this.eps = o.eps ?? 1e-8;
  }
  override forward(x1: T, x2: T): T { return F.cosineSimilarity(x1, x2, this.dim, this.eps); }
}
/** PairwiseDistance(p = 2, eps = 1e-6, keepdim = false) */
export class PairwiseDistance extends Module {
  declare norm: number; declare eps: number; declare keepdim: boolean;
  constructor(...args: [p?: number, eps?: number, keepdim?: boolean] | [p: number, opts: { eps?: number; keepdim?: boolean }] | [opts: { p?: number; eps?: number; keepdim?: boolean }]) {
    super();
    const o = ctorArgs<{ p?: number; eps?: number; keepdim?: boolean }>('PairwiseDistance', args, ['p', 'eps', 'keepdim'], 0);
    this.norm = o.p ?? 2; this.eps = o.eps ?? 1e-6; this.keepdim = !!o.keepdim;
  }
  override forward(x1: T, x2: T): T { return F.pairwiseDistance(x1, x2, this.norm, this.eps, this.keepdim); }
}

// ---- fold / unfold (torch/nn/modules/fold.py) --------------------------------------------------------------------
interface UnfoldOpts { kernelSize: Size; dilation?: Size; padding?: Size; stride?: Size }
/** Unfold(kernelSize, dilation = 1, padding = 0, stride = 1): sliding local blocks, [N, C, H, W] -> [N, C*kh*kw, L] */
export class Unfold extends Module {
  declare kernelSize: Size; declare dilation: Size; declare padding: Size; declare stride: Size;
  constructor(...args: [kernelSize: Size, dilation?: Size, padding?: Size, stride?: Size] | [kernelSize: Size, opts: Omit<UnfoldOpts, 'kernelSize'>] | [opts: UnfoldOpts]) {
    super();
    const o = ctorArgs<UnfoldOpts>('Unfold', args, ['kernelSize', 'dilation', 'padding', 'stride'], 1);
    this.kernelSize = o.kernelSize; this.dilation = o.dilation ?? 1; this.padding = o.padding ?? 0; this.stride = o.stride ?? 1;
  }
  override forward(x: T): T { return F.unfold(x, this.kernelSize as number[], this.dilation as number[], this.padding as number[], this.stride as number[]); }
  override extraRepr(): string {
    return `kernel_size=${reprSize(this.kernelSize)}, dilation=${reprSize(this.dilation)}, padding=${reprSize(this.padding)}, stride=${reprSize(this.stride)}`;
  }
}
interface FoldOpts extends UnfoldOpts { outputSize: Size }
/** Fold(outputSize, kernelSize, dilation = 1, padding = 0, stride = 1): the inverse gathering of Unfold (overlaps summed) */
export class Fold extends Module {
  declare outputSize: Size; declare kernelSize: Size; declare dilation: Size; declare padding: Size; declare stride: Size;
  constructor(...args: [outputSize: Size, kernelSize: Size, dilation?: Size, padding?: Size, stride?: Size] | [outputSize: Size, kernelSize: Size, opts: Omit<FoldOpts, 'kernelSize' | 'outputSize'>]
    | [outputSize: Size, opts: Omit<FoldOpts, 'outputSize'>] | [opts: FoldOpts]) {
    super();
    const o = ctorArgs<FoldOpts>('Fold', args, ['outputSize', 'kernelSize', 'dilation', 'padding', 'stride'], 2);
    this.outputSize = o.outputSize; this.kernelSize = o.kernelSize; this.dilation = o.dilation ?? 1; this.padding = o.padding ?? 0; this.stride = o.stride ?? 1;
  }
  override forward(x: T): T { return F.fold(x, this.outputSize as number[], this.kernelSize as number[], this.dilation as number[], this.padding as number[], this.stride as number[]); }
  override extraRepr(): string {
    return `output_size=${reprSize(this.outputSize)}, kernel_size=${reprSize(this.kernelSize)}, dilation=${reprSize(this.dilation)}, padding=${reprSize(this.padding)}, stride=${reprSize(this.stride)}`;
  }
}

// ---- Softmax2d, ChannelShuffle, AdaptiveAvgPool1d ----------------------------------------------------------------
/** Softmax2d(): softmax over the channels of [N, C, H, W] or [C, H, W] input */
export class Softmax2d extends Module {
  override forward(x: T): T {
    if (!(x instanceof Tensor)) throw new TypeError('Softmax2d.forward(): expected a Tensor');
    if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`Softmax2d: expected input to be 3D or 4D, got ${x.ndim}D instead`);
    return x.softmax(-3);
  }
}
/** channel_shuffle(input, groups): [N, C, *] -> the channels regrouped as [C/g, g] (ShuffleNet) */
export function channelShuffle(x: T, groups: number): T {
  if (!(x instanceof Tensor)) throw new TypeError('channel_shuffle(): argument \'input\' must be a Tensor');
  if (typeof groups !== 'number' || !Number.isInteger(groups) || groups <= 0) throw new TorchError(`Number of groups to divide channels in must be positive. Value of groups:${String(groups)}`);
  if (x.ndim <= 2) throw new TorchError(`channel_shuffle expects input to have at least 3 dimensions, but got input with sizes [${x.shape.join(', ')}]`);
  const [N, C] = x.shape, rest = x.shape.slice(2);
  if (C % groups !== 0) throw new TorchError(`Number of channels must be divisible by groups. Got ${C} channels and ${groups} groups.`);
  return x.reshape([N, groups, C / groups, ...rest]).transpose(1, 2).reshape([N, C, ...rest]);
}
/** ChannelShuffle(groups) */
export class ChannelShuffle extends Module {
  declare groups: number;
  constructor(groups: number | { groups: number }) {
    super();
    this.groups = ctorArgs<{ groups: number }>('ChannelShuffle', [groups], ['groups'], 1).groups;
  }
  override forward(x: T): T { return channelShuffle(x, this.groups); }
  override extraRepr(): string { return `groups=${this.groups}`; }
}
/** AdaptiveAvgPool1d(outputSize): [N, C, L] or [C, L] -> [..., outputSize] */
export class AdaptiveAvgPool1d extends Module {
  declare outputSize: number | [number];
  constructor(outputSize: number | [number] | { outputSize: number | [number] }) {
    super();
    this.outputSize = ctorArgs<{ outputSize: number | [number] }>('AdaptiveAvgPool1d', [outputSize], ['outputSize'], 1).outputSize;
  }
  override forward(x: T): T { return F.adaptiveAvgPool1d(x, this.outputSize); }
  override extraRepr(): string { return `output_size=${reprSize(this.outputSize)}`; }
}

// ---- recurrent cells (torch/nn/modules/rnn.py: RNNCellBase) --------------------------------------------------------
interface CellOpts extends FactoryOpts { bias?: boolean }
abstract class RNNCellBase extends Module {
  declare inputSize: number; declare hiddenSize: number; declare bias: boolean;
  declare weight_ih: Parameter; declare weight_hh: Parameter; declare bias_ih: Parameter | null; declare bias_hh: Parameter | null;
  constructor(cls: string, o: CellOpts & { inputSize: number; hiddenSize: number }, gates: number) {
    super();
    this.inputSize = checkPosInt(o.inputSize, 'input_size', cls, true);
    this.hiddenSize = checkPosInt(o.hiddenSize, 'hidden_size', cls);
    this.bias = o.bias ?? true;
    this.weight_ih = newParam([gates * this.hiddenSize, this.inputSize], o);
    this.weight_hh = newParam([gates * this.hiddenSize, this.hiddenSize], o);
    if (this.bias) { this.bias_ih = newParam([gates * this.hiddenSize], o); this.bias_hh = newParam([gates * this.hiddenSize], o); }
    else { this.registerParameter('bias_ih', null); this.registerParameter('bias_hh', null); }
    this.resetParameters();
  }
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ', bias=False';
    const nl = (this as unknown as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
  /** the input as a batch ([N, inputSize]) and whether it was one sample ([inputSize]) */
  protected _batch(x: T, cls: string): [T, boolean] {
    if (!(x instanceof Tensor)) throw new TypeError(`${cls}.forward(): argument 'input' must be a Tensor`);
    if (x.ndim !== 1 && x.ndim !== 2) throw new TorchError(`${cls}: Expected input to be 1D or 2D, got ${x.ndim}D instead`);
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new TorchError(`${cls}: input has inconsistent input_size: got ${x.shape[x.ndim - 1]} expected ${this.inputSize}`);
    }
    return x.ndim === 1 ? [x.unsqueeze(0), true] : [x, false];
  }
  protected _hidden(h: T | null | undefined, x: T, unbatched: boolean, cls: string, what = 'hx'): T {
    if (h === null || h === undefined) return zeros([x.shape[0], this.hiddenSize], { dtype: x.dtype, device: x.device });
    if (!(h instanceof Tensor)) throw new TypeError(`${cls}.forward(): argument '${what}' must be a Tensor`);
    const hb = unbatched ? (h.ndim === 1 ? h.unsqueeze(0) : null) : (h.ndim === 2 ? h : null);
    if (!hb) throw new TorchError(`${cls}: Expected ${what} to be ${unbatched ? '1D' : '2D'}, got ${h.ndim}D instead`);
    if (hb.shape[0] !== x.shape[0]) throw new TorchError(`${cls}: Input batch size ${x.shape[0]} doesn't match hidden${what === 'hx' ? '0' : '1'} batch size ${hb.shape[0]}`);
    if (hb.shape[1] !== this.hiddenSize) throw new TorchError(`${cls}: hidden${what === 'hx' ? '0' : '1'} has inconsistent hidden_size: got ${hb.shape[1]}, expected ${this.hiddenSize}`);
    return hb;
  }
  protected _gates(x: T, h: T): [T, T] {
    return [F.linear(x, this.weight_ih, this.bias_ih), F.linear(h, this.weight_hh, this.bias_hh)];
  }
}
type CellArgs<O> = [inputSize: number, hiddenSize: number, bias?: boolean, opts?: FactoryOpts] | [inputSize: number, hiddenSize: number, opts?: O]
  | [opts: O & { inputSize: number; hiddenSize: number }];
interface RNNCellOpts extends CellOpts { nonlinearity?: 'tanh' | 'relu' }
/** RNNCell(inputSize, hiddenSize, bias = true, nonlinearity = 'tanh'): h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh) */
export class RNNCell extends RNNCellBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(...args: [inputSize: number, hiddenSize: number, bias?: boolean, nonlinearity?: 'tanh' | 'relu', opts?: FactoryOpts] | CellArgs<RNNCellOpts>) {
    const o = ctorArgs<RNNCellOpts & { inputSize: number; hiddenSize: number }>('RNNCell', args, ['inputSize', 'hiddenSize', 'bias', 'nonlinearity'], 2, ['dtype', 'device']);
    const nl = o.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new TorchError(`Unknown nonlinearity: ${String(nl)}`);
    super('RNNCell', o, 1);
    this.nonlinearity = nl;
  }
  override forward(input: T, hx: T | null = null): T {
    const [x, unb] = this._batch(input, 'RNNCell');
    const h = this._hidden(hx, x, unb, 'RNNCell');
    const [gi, gh] = this._gates(x, h);
    const pre = gi.add(gh);
    const out = this.nonlinearity === 'tanh' ? pre.tanh() : pre.relu();
    return unb ? out.squeeze(0) : out;
  }
}
/** LSTMCell(inputSize, hiddenSize, bias = true): returns [h', c'] (gates i, f, g, o) */
export class LSTMCell extends RNNCellBase {
  constructor(...args: CellArgs<CellOpts>) {
    super('LSTMCell', ctorArgs<CellOpts & { inputSize: number; hiddenSize: number }>('LSTMCell', args, ['inputSize', 'hiddenSize', 'bias'], 2, ['dtype', 'device']), 4);
  }
  override forward(input: T, hx: [T, T] | null = null): [T, T] {
    const [x, unb] = this._batch(input, 'LSTMCell');
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTMCell.forward(): hx must be a pair [h, c] of Tensors or null');
    const h = this._hidden(hx ? hx[0] : null, x, unb, 'LSTMCell');
    const c = this._hidden(hx ? hx[1] : null, x, unb, 'LSTMCell', 'cx');
    const [gi, gh] = this._gates(x, h);
    const [i, f, g, o] = gi.add(gh).chunk(4, 1);
    const c2 = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    const h2 = o.sigmoid().mul(c2.tanh());
    return unb ? [h2.squeeze(0), c2.squeeze(0)] : [h2, c2];
  }
}
/** GRUCell(inputSize, hiddenSize, bias = true): gates r, z, n; h' = (1 - z) * n + z * h */
export class GRUCell extends RNNCellBase {
  constructor(...args: CellArgs<CellOpts>) {
    super('GRUCell', ctorArgs<CellOpts & { inputSize: number; hiddenSize: number }>('GRUCell', args, ['inputSize', 'hiddenSize', 'bias'], 2, ['dtype', 'device']), 3);
  }
  override forward(input: T, hx: T | null = null): T {
    const [x, unb] = this._batch(input, 'GRUCell');
    const h = this._hidden(hx, x, unb, 'GRUCell');
    const [gi, gh] = this._gates(x, h);
    const [ir, iz, inn] = gi.chunk(3, 1), [hr, hz, hn] = gh.chunk(3, 1);
    const r = ir.add(hr).sigmoid(), z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    const out = n.add(z.mul(h.sub(n)));  // (1 - z) * n + z * h
    return unb ? out.squeeze(0) : out;
  }
}

// ---- EmbeddingBag, MaxUnpool1d/2d/3d (torch/nn/modules/sparse.py, pooling.py) --------------------------------------
export interface EmbeddingBagOpts extends FactoryOpts {
  maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; mode?: 'sum' | 'mean' | 'max'; sparse?: boolean;
  _weight?: T | null; includeLastOffset?: boolean; paddingIdx?: number | null;
}
const EB_NAMES = ['numEmbeddings', 'embeddingDim', 'maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'sparse', '_weight', 'includeLastOffset', 'paddingIdx'] as const;
/** EmbeddingBag(numEmbeddings, embeddingDim, maxNorm, normType = 2, scaleGradByFreq, mode = 'mean', sparse, _weight,
 *  includeLastOffset, paddingIdx): call(input, offsets?, perSampleWeights?) sums, averages or takes the max of bags */
export class EmbeddingBag extends Module {
  declare numEmbeddings: number; declare embeddingDim: number; declare maxNorm: number | null; declare normType: number;
  declare scaleGradByFreq: boolean; declare mode: 'sum' | 'mean' | 'max'; declare sparse: boolean; declare includeLastOffset: boolean;
  declare paddingIdx: number | null; declare weight: Parameter;
  constructor(...args: [numEmbeddings: number, embeddingDim: number, opts?: EmbeddingBagOpts] | [opts: EmbeddingBagOpts & { numEmbeddings: number; embeddingDim: number }]
    | [numEmbeddings: number, embeddingDim: number, maxNorm: number | null, normType?: number, scaleGradByFreq?: boolean, mode?: 'sum' | 'mean' | 'max', opts?: EmbeddingBagOpts]) {
    super();
    const o = ctorArgs<EmbeddingBagOpts & { numEmbeddings: number; embeddingDim: number }>('EmbeddingBag', args, EB_NAMES, 2, ['dtype', 'device']);
    this.numEmbeddings = checkPosInt(o.numEmbeddings, 'num_embeddings', 'EmbeddingBag', true);
    this.embeddingDim = checkPosInt(o.embeddingDim, 'embedding_dim', 'EmbeddingBag', true);
    let pad = o.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= this.numEmbeddings || pad < -this.numEmbeddings) throw new TorchError('padding_idx must be within num_embeddings');
      if (pad < 0) pad += this.numEmbeddings;
    }
    const mode = o.mode ?? 'mean';
    if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new TorchError(`mode has to be one of sum, mean or max`);
    this.maxNorm = o.maxNorm ?? null; this.normType = o.normType ?? 2; this.scaleGradByFreq = !!o.scaleGradByFreq; this.mode = mode;
    this.sparse = !!o.sparse; this.includeLastOffset = !!o.includeLastOffset; this.paddingIdx = pad;
    if (o._weight) {
      if (o._weight.ndim !== 2 || o._weight.shape[0] !== this.numEmbeddings || o._weight.shape[1] !== this.embeddingDim) throw new TorchError('Shape of weight does not match num_embeddings and embedding_dim');
      this.weight = new Parameter(o._weight);
    } else {
      this.weight = newParam([this.numEmbeddings, this.embeddingDim], o);
      this.resetParameters();
    }
  }
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) { const i = this.paddingIdx; noGrad(() => { this.weight.select(0, i).fill_(0); }); }
  }
  override forward(input: T, offsets: T | null = null, perSampleWeights: T | null = null): T {
    return FM.embeddingBag(input, this.weight, offsets, this.maxNorm, this.normType, this.scaleGradByFreq, this.mode, this.sparse,
      perSampleWeights, this.includeLastOffset, this.paddingIdx);
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}

interface UnpoolOpts { kernelSize: Size; stride?: Size | null; padding?: Size }
abstract class MaxUnpoolNd extends Module {
  declare kernelSize: number[]; declare stride: number[]; declare padding: number[];
  declare _n: number;
  constructor(cls: string, n: number, args: readonly unknown[]) {
    super();
    const o = ctorArgs<UnpoolOpts>(cls, args, ['kernelSize', 'stride', 'padding'], 1);
    const tup = (v: Size, name: string): number[] => {
      const a = typeof v === 'number' ? Array(n).fill(v) : Array.from(v);
      if (a.length !== n || a.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw new TorchError(`${cls}: ${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
      return a;
    };
    this._n = n;
    this.kernelSize = tup(o.kernelSize, 'kernel_size');
    this.stride = tup(o.stride ?? o.kernelSize, 'stride');
    this.padding = tup(o.padding ?? 0, 'padding');
  }
  override forward(x: T, indices: T, outputSize: readonly number[] | null | { outputSize?: readonly number[] | null } = null): T {
    const f = this._n === 1 ? FM.maxUnpool1d : this._n === 2 ? FM.maxUnpool2d : FM.maxUnpool3d;
    const os = outputSize !== null && !Array.isArray(outputSize) ? (outputSize as { outputSize?: readonly number[] | null }).outputSize ?? null : outputSize as readonly number[] | null;
    return f(x, indices, this.kernelSize, this.stride, this.padding, os);
  }
  override extraRepr(): string { return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`; }
}
type UnpoolArgs = [kernelSize: Size, stride?: Size | null, padding?: Size] | [kernelSize: Size, opts: { stride?: Size | null; padding?: Size }] | [opts: UnpoolOpts];
/** MaxUnpool1d(kernelSize, stride = kernelSize, padding = 0): call(input, indices, outputSize?) */
export class MaxUnpool1d extends MaxUnpoolNd { constructor(...args: UnpoolArgs) { super('MaxUnpool1d', 1, args); } }
/** MaxUnpool2d(kernelSize, stride = kernelSize, padding = 0): the inverse of MaxPool2d with returnIndices */
export class MaxUnpool2d extends MaxUnpoolNd { constructor(...args: UnpoolArgs) { super('MaxUnpool2d', 2, args); } }
/** MaxUnpool3d(kernelSize, stride = kernelSize, padding = 0) */
export class MaxUnpool3d extends MaxUnpoolNd { constructor(...args: UnpoolArgs) { super('MaxUnpool3d', 3, args); } }
