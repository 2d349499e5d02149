// transformer.ts - MultiheadAttention and TransformerEncoderLayer (torch/nn/modules/activation.py, transformer.py),
// with PyTorch's parameter names: in_proj_weight, in_proj_bias, out_proj.*, self_attn.*, linear1/2, norm1/2.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, optsArg, checkPosInt, PosArgs } from './common';
import { NonDynamicallyQuantizableLinear, Linear } from './linear';
import { Dropout } from './dropout';
import { LayerNorm } from './normalization';
import { TorchError } from '../../errors';
import { ModuleList } from '../containers';
import { describeValue } from '../../dtype';
import { noGrad } from '../../autograd/mode';
import { kwLeading } from '../../ops/util';
import { where } from '../../ops/elementwise';
import { ones } from '../../ops/creation';

type T = Tensor;

export interface MHAOpts extends FactoryOpts {
  dropout?: number; bias?: boolean; addBiasKv?: boolean; addZeroAttn?: boolean; kdim?: number | null; vdim?: number | null; batchFirst?: boolean;
}
export interface MHACallOpts { keyPaddingMask?: T | null; needWeights?: boolean; attnMask?: T | null; averageAttnWeights?: boolean; isCausal?: boolean }
/** MultiheadAttention.forward's arguments, PyTorch's (query, key, value, key_padding_mask=None, need_weights=True,
 *  attn_mask=None, average_attn_weights=True, is_causal=False): positionally, then the rest by name in an options
 *  object (query, key and value too: `mha.call(q, { key: k, value: v, needWeights: false })`). */
export type MHAForwardArgs =
  | [query: T, key: T, value: T, ...rest: PosArgs<MHACallOpts, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal']>]
  | [query: T, key: T, opts: MHACallOpts & { value: T }]
  | [query: T, opts: MHACallOpts & { key: T; value: T }]
  | [opts: MHACallOpts & { query: T; key: T; value: T }];
export interface MHACtorOpts extends MHAOpts { embedDim: number; numHeads: number }

export class MultiheadAttention extends Module {
  declare embedDim: number;
  declare kdim: number;
  declare vdim: number;
  declare _qkvSameEmbedDim: boolean;
  declare numHeads: number;
  declare dropout: number;
  declare batchFirst: boolean;
  declare headDim: number;
  declare addZeroAttn: boolean;
  declare out_proj: NonDynamicallyQuantizableLinear;

  constructor(opts: MHACtorOpts);
  constructor(embedDim: number, opts: MHAOpts & { numHeads: number });
  constructor(embedDim: number, numHeads: number, ...args: PosArgs<MHAOpts, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst']>);
  constructor(embedDim: number | MHACtorOpts, numHeads?: number | MHAOpts, opts: MHAOpts | number = {}, ...more: unknown[]) {
    super();
    // new nn.MultiheadAttention({ embedDim: 8, numHeads: 2 }) (PyTorch's keyword names)
    [embedDim, numHeads, opts = {}, ...more] = kwLeading('MultiheadAttention', Array.from(arguments), ['embedDim', 'numHeads'], 2) as [number, number, MHAOpts | number, ...unknown[]];
    const o = optsArg<MHAOpts>(opts, 'MultiheadAttention', more, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst'], ['dtype', 'device']);
    this.embedDim = checkPosInt(embedDim, 'embed_dim', 'MultiheadAttention');
    this.numHeads = checkPosInt(numHeads, 'num_heads', 'MultiheadAttention');
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.dropout = o.dropout ?? 0;
    this.batchFirst = !!o.batchFirst;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new TorchError('embed_dim must be divisible by num_heads');
    if (!this._qkvSameEmbedDim) {
      this.registerParameter('q_proj_weight', newParam([embedDim, embedDim], o));
      this.registerParameter('k_proj_weight', newParam([embedDim, this.kdim], o));
      this.registerParameter('v_proj_weight', newParam([embedDim, this.vdim], o));
      this.registerParameter('in_proj_weight', null);
    } else {
      this.registerParameter('in_proj_weight', newParam([3 * embedDim, embedDim], o));
      this.registerParameter('q_proj_weight', null);
      this.registerParameter('k_proj_weight', null);
      this.registerParameter('v_proj_weight', null);
    }
    const bias = o.bias ?? true;
    this.registerParameter('in_proj_bias', bias ? newParam([3 * embedDim], o) : null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, dtype: o.dtype, device: o.device });
    if (o.addBiasKv) {
      this.registerParameter('bias_k', newParam([1, 1, embedDim], o));
      this.registerParameter('bias_v', newParam([1, 1, embedDim], o));
    } else {
      this.registerParameter('bias_k', null);
      this.registerParameter('bias_v', null);
    }
    this.addZeroAttn = !!o.addZeroAttn;
    this.resetParameters();
  }
  private p(name: string): Parameter | null { return this._parameters.get(name) ?? null; }
  get inProjWeight(): Parameter | null { return this.p('in_proj_weight'); }
  get inProjBias(): Parameter | null { return this.p('in_proj_bias'); }
  get outProj(): NonDynamicallyQuantizableLinear { return this.out_proj; }
  resetParameters(): void {
    if (this._qkvSameEmbedDim) init.xavierUniform_(this.p('in_proj_weight') as T);
    else for (const n of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) init.xavierUniform_(this.p(n) as T);
    if (this.p('in_proj_bias')) {
      init.constant_(this.p('in_proj_bias') as T, 0);
      if (this.out_proj.bias) init.constant_(this.out_proj.bias, 0);
    }
    if (this.p('bias_k')) init.xavierNormal_(this.p('bias_k') as T);
    if (this.p('bias_v')) init.xavierNormal_(this.p('bias_v') as T);
  }
  // PyTorch 1.13's forward (its fast path is an optimisation with the same values): batch_first inputs are transposed to
  // [L, N, E] (keeping shared inputs shared, so self-attention takes the packed projection's one product), then
  // F.multi_head_attention_forward. is_causal (PyTorch 2.x's hint): with no attn_mask, the causal mask is made here
  // (-inf above the diagonal), so the hint and the mask it stands for give the same values.
  override forward(...args: MHAForwardArgs): [T, T | null] {
    const a = kwLeading('MultiheadAttention.forward', args, ['query', 'key', 'value'], 3);
    const [query, key, value] = a as [T, T, T];
    const o = optsArg<MHACallOpts>(a[3], 'MultiheadAttention.forward', a.slice(4), ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal'], []);
    for (const [t, n] of [[query, 'query'], [key, 'key'], [value, 'value']] as const) {
      if (!(t instanceof Tensor)) throw new TypeError(`MultiheadAttention.forward(): argument '${n}' must be Tensor, not ${describeValue(t)}`);
    }
    let q = query, k = key, v = value;
    if (this.batchFirst && query.ndim === 3) {
      q = query.transpose(0, 1);
      k = key === query ? q : key.transpose(0, 1);
      v = value === key ? k : value === query ? q : value.transpose(0, 1);
    }
    let attnMask = o.attnMask ?? null;
    if (o.isCausal && !attnMask) {
      const L = q.shape[0], S = k.shape[0];
      attnMask = where(ones([L, S], { dtype: 'bool', device: q.device }).triu(1), -Infinity, 0).to(q.dtype);
    }
    const sep = !this._qkvSameEmbedDim;
    const [out, w] = F.multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.p('in_proj_weight'), this.p('in_proj_bias'),
      this.p('bias_k'), this.p('bias_v'), this.addZeroAttn, this.dropout, this.out_proj.weight, this.out_proj.bias, this.training,
      o.keyPaddingMask ?? null, o.needWeights ?? true, attnMask, sep, sep ? this.p('q_proj_weight') : null, sep ? this.p('k_proj_weight') : null,
      sep ? this.p('v_proj_weight') : null, null, null, o.averageAttnWeights ?? true);
    return [this.batchFirst && query.ndim === 3 ? out.transpose(0, 1) : out, w];
  }
}

type Activation = 'relu' | 'gelu' | ((x: T) => T) | Module<[T], T>;
export interface TransformerEncoderLayerOpts extends FactoryOpts {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean; bias?: boolean;
}
export interface TransformerCallOpts { srcMask?: T | null; srcKeyPaddingMask?: T | null; isCausal?: boolean }
/** TransformerEncoderLayer.forward's arguments, PyTorch's (src, src_mask=None, src_key_padding_mask=None, is_causal=False). */
export type TransformerForwardArgs =
  | [src: T, ...rest: PosArgs<TransformerCallOpts, ['srcMask', 'srcKeyPaddingMask', 'isCausal']>]
  | [opts: TransformerCallOpts & { src: T }];
export interface TransformerEncoderLayerCtorOpts extends TransformerEncoderLayerOpts { dModel: number; nhead: number }

export class TransformerEncoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare normFirst: boolean;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare _act: (x: T) => T;

  declare _ctorArgs: [number, number, TransformerEncoderLayerOpts];

  constructor(opts: TransformerEncoderLayerCtorOpts);
  constructor(dModel: number, opts: TransformerEncoderLayerOpts & { nhead: number });
  constructor(dModel: number, nhead: number, ...args: PosArgs<TransformerEncoderLayerOpts, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias']>);
  constructor(dModel: number | TransformerEncoderLayerCtorOpts, nhead?: number | TransformerEncoderLayerOpts, opts: TransformerEncoderLayerOpts | number = {}, ...more: unknown[]) {
    super();
    // new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2 }) (PyTorch's keyword names)
    [dModel, nhead, opts = {}, ...more] = kwLeading('TransformerEncoderLayer', Array.from(arguments), ['dModel', 'nhead'], 2) as [number, number, TransformerEncoderLayerOpts | number, ...unknown[]];
    checkPosInt(dModel, 'd_model', 'TransformerEncoderLayer');
    checkPosInt(nhead, 'nhead', 'TransformerEncoderLayer');
    const o = optsArg<TransformerEncoderLayerOpts>(opts, 'TransformerEncoderLayer', more, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'], ['dtype', 'device']);
    // kept so that TransformerEncoder can make copies of this layer (PyTorch deep-copies it)
    Object.defineProperty(this, '_ctorArgs', { value: [dModel, nhead, { ...o }], enumerable: false, writable: true, configurable: true });
    const f = { dtype: o.dtype, device: o.device };
    const p = o.dropout ?? 0.1, bias = o.bias ?? true;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: !!o.batchFirst, ...f });
    this.linear1 = new Linear(dModel, o.dimFeedforward ?? 2048, { bias, ...f });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(o.dimFeedforward ?? 2048, dModel, { bias, ...f });
    this.normFirst = !!o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps ?? 1e-5, bias, ...f });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps ?? 1e-5, bias, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const act = o.activation ?? 'relu';
    if (act instanceof Module) { this.addModule('activation', act); this._act = (x) => act.call(x); }
    else if (typeof act === 'function') this._act = act;
    else if (act === 'relu') this._act = (x) => F.relu(x);
    else if (act === 'gelu') this._act = (x) => F.gelu(x);
    else throw new TorchError(`activation should be relu/gelu, not ${String(act)}`);
  }
  get selfAttn(): MultiheadAttention { return this.self_attn; }
  override forward(...args: TransformerForwardArgs): T {
    const a = kwLeading('TransformerEncoderLayer.forward', args, ['src'], 1);
    const src = a[0] as T;
    if (!(src instanceof Tensor)) throw new TypeError(`TransformerEncoderLayer.forward(): argument 'src' must be Tensor, not ${describeValue(src)}`);
    const o = optsArg<TransformerCallOpts>(a[1], 'TransformerEncoderLayer.forward', a.slice(2), ['srcMask', 'srcKeyPaddingMask', 'isCausal'], []);
    const sa = (x: T): T => this.dropout1.call(this.self_attn.call(x, x, x, { attnMask: o.srcMask ?? null, keyPaddingMask: o.srcKeyPaddingMask ?? null, needWeights: false, isCausal: o.isCausal })[0]);
    const ff = (x: T): T => this.dropout2.call(this.linear2.call(this.dropout.call(this._act(this.linear1.call(x)))));
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.call(x)));
      x = x.add(ff(this.norm2.call(x)));
    } else {
      x = this.norm1.call(x.add(sa(x)));
      x = this.norm2.call(x.add(ff(x)));
    }
    return x;
  }
}

export interface TransformerEncoderOpts { norm?: Module<[T], T> | null; enableNestedTensor?: boolean; maskCheck?: boolean }
export interface TransformerEncoderCallOpts { mask?: T | null; srcKeyPaddingMask?: T | null; isCausal?: boolean }
/** TransformerEncoder.forward's arguments, PyTorch's (src, mask=None, src_key_padding_mask=None, is_causal=None). */
export type TransformerEncoderForwardArgs =
  | [src: T, ...rest: PosArgs<TransformerEncoderCallOpts, ['mask', 'srcKeyPaddingMask', 'isCausal']>]
  | [opts: TransformerEncoderCallOpts & { src: T }];

// A stack of numLayers copies of encoderLayer (each starts with the given layer's weights, as PyTorch's deepcopy),
// then an optional norm. State-dict keys: layers.0.self_attn.in_proj_weight, ..., norm.weight, as PyTorch's.
export class TransformerEncoder extends Module {
  declare layers: ModuleList<TransformerEncoderLayer>;
  declare numLayers: number;
  declare norm: Module<[T], T> | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, ...args: PosArgs<TransformerEncoderOpts, ['norm', 'enableNestedTensor', 'maskCheck']>);
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: TransformerEncoderOpts | Module<[T], T> | null = {}, ...more: unknown[]) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) {
      throw new TorchError(`TransformerEncoder(): encoder_layer must be a TransformerEncoderLayer, not ${describeValue(encoderLayer)}`);
    }
    checkPosInt(numLayers, 'num_layers', 'TransformerEncoder');
    // PyTorch's (encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True): a Module (or null)
    // third is the positional norm, not an options object
    let o: TransformerEncoderOpts;
    if (opts instanceof Module || opts === null) {
      o = optsArg<TransformerEncoderOpts>(more[0], 'TransformerEncoder', more.slice(1), ['enableNestedTensor', 'maskCheck'], ['norm']);
      if ('norm' in o) throw new TypeError("TransformerEncoder(): got multiple values for argument 'norm'");
      o = { ...o, norm: opts };
    } else o = optsArg<TransformerEncoderOpts>(opts, 'TransformerEncoder', more, ['norm', 'enableNestedTensor', 'maskCheck'], []);
    const state = encoderLayer.stateDict();
    const copies: TransformerEncoderLayer[] = [];
    for (let i = 0; i < numLayers; i++) {
      const [d, h, lo] = encoderLayer._ctorArgs;
      const l = new TransformerEncoderLayer(d, h, lo);
      noGrad(() => l.loadStateDict(state));
      l.train(encoderLayer.training);
      copies.push(l);
    }
    this.layers = new ModuleList(copies);
    this.numLayers = numLayers;
    if (o.norm !== undefined && o.norm !== null && !(o.norm instanceof Module)) throw new TorchError(`TransformerEncoder(): norm must be a Module, not ${describeValue(o.norm)}`);
    this.norm = o.norm ?? null;
  }
  override forward(...args: TransformerEncoderForwardArgs): T {
    const a = kwLeading('TransformerEncoder.forward', args, ['src'], 1);
    const src = a[0] as T;
    if (!(src instanceof Tensor)) throw new TypeError(`TransformerEncoder.forward(): argument 'src' must be Tensor, not ${describeValue(src)}`);
    const o = optsArg<TransformerEncoderCallOpts>(a[1], 'TransformerEncoder.forward', a.slice(2), ['mask', 'srcKeyPaddingMask', 'isCausal'], []);
    let x = src;
    for (const l of this.layers) {
      x = l.call(x, { srcMask: o.mask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null, isCausal: o.isCausal });
    }
    if (this.norm) x = this.norm.call(x);
    return x;
  }
}
