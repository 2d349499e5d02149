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

type T = Tensor;

export interface MHAOpts extends FactoryOpts {
  dropout?: number; bias?: boolean; addBiasKv?: boolean; addZeroAttn?: boolean; kdim?: number | null; vdim?: number | null; batchFirst?: boolean;
}
export interface MHACallOpts { keyPaddingMask?: T | null; needWeights?: boolean; attnMask?: T | null; averageAttnWeights?: boolean; isCausal?: boolean }

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

  constructor(embedDim: number, numHeads: number, ...args: PosArgs<MHAOpts, ['dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst']>);
  constructor(embedDim: number, numHeads: number, opts: MHAOpts | number = {}, ...more: unknown[]) {
    super();
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
  override forward(query: T, key: T, value: T, opts: MHACallOpts = {}): [T, T | null] {
    const o = optsArg<MHACallOpts>(opts, 'MultiheadAttention.forward', [], [], ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights', 'isCausal']);
    let q = query, k = key, v = value;
    if (this.batchFirst && query.ndim === 3) {
      // keep the identity of shared inputs (self-attention takes the packed projection)
      q = query.transpose(0, 1);
      k = key === query ? q : key.transpose(0, 1);
      v = value === key ? k : value === query ? q : value.transpose(0, 1);
    }
    const [out, w] = F.multiHeadAttentionForward(q, k, v, this.numHeads, this.p('in_proj_weight'), this.p('in_proj_bias'), this.out_proj.weight, this.out_proj.bias, {
      keyPaddingMask: o.keyPaddingMask, needWeights: o.needWeights ?? true, attnMask: o.attnMask, averageAttnWeights: o.averageAttnWeights ?? true,
      isCausal: o.isCausal, dropoutP: this.dropout, training: this.training,
      qProjWeight: this.p('q_proj_weight'), kProjWeight: this.p('k_proj_weight'), vProjWeight: this.p('v_proj_weight'),
      biasK: this.p('bias_k'), biasV: this.p('bias_v'), addZeroAttn: this.addZeroAttn,
    });
    return [this.batchFirst && query.ndim === 3 ? out.transpose(0, 1) : out, w];
  }
}

type Activation = 'relu' | 'gelu' | ((x: T) => T) | Module<[T], T>;
export interface TransformerEncoderLayerOpts extends FactoryOpts {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean; bias?: boolean;
}
export interface TransformerCallOpts { srcMask?: T | null; srcKeyPaddingMask?: T | null; isCausal?: boolean }

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

  constructor(dModel: number, nhead: number, ...args: PosArgs<TransformerEncoderLayerOpts, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias']>);
  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOpts | number = {}, ...more: unknown[]) {
    super();
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
  override forward(src: T, opts: TransformerCallOpts = {}): T {
    const o = optsArg<TransformerCallOpts>(opts, 'TransformerEncoderLayer.forward', [], [], ['srcMask', 'srcKeyPaddingMask', 'isCausal']);
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

// A stack of numLayers copies of encoderLayer (each starts with the given layer's weights, as PyTorch's deepcopy),
// then an optional norm. State-dict keys: layers.0.self_attn.in_proj_weight, ..., norm.weight, as PyTorch's.
export class TransformerEncoder extends Module {
  declare layers: ModuleList<TransformerEncoderLayer>;
  declare numLayers: number;
  declare norm: Module<[T], T> | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: TransformerEncoderOpts = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) {
      throw new TorchError(`TransformerEncoder(): encoder_layer must be a TransformerEncoderLayer, not ${describeValue(encoderLayer)}`);
    }
    checkPosInt(numLayers, 'num_layers', 'TransformerEncoder');
    const o = optsArg<TransformerEncoderOpts>(opts, 'TransformerEncoder', [], [], ['norm', 'enableNestedTensor', 'maskCheck']);
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
  override forward(src: T, opts: TransformerEncoderCallOpts = {}): T {
    const o = optsArg<TransformerEncoderCallOpts>(opts, 'TransformerEncoder.forward', [], [], ['mask', 'srcKeyPaddingMask', 'isCausal']);
    let x = src;
    for (const l of this.layers) {
      x = l.call(x, { srcMask: o.mask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null, isCausal: o.isCausal });
    }
    if (this.norm) x = this.norm.call(x);
    return x;
  }
}
