// transformer_decoder.ts - TransformerDecoderLayer, TransformerDecoder and Transformer (torch/nn/modules/transformer.py)
// with PyTorch's submodule names (self_attn, multihead_attn, linear1/2, norm1/2/3, dropout1/2/3; layers.N.*, norm;
// encoder.*, decoder.*), so a PyTorch state dict loads as is. Built on MultiheadAttention, TransformerEncoderLayer
// and TransformerEncoder (transformer.ts).
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, optsArg, checkPosInt, PosArgs } from './common';
import { Linear } from './linear';
import { Dropout } from './dropout';
import { LayerNorm } from './normalization';
import { MultiheadAttention, TransformerEncoderLayer, TransformerEncoder } from './transformer';
import { TorchError } from '../../errors';
import { ModuleList } from '../containers';
import { describeValue } from '../../dtype';
import { noGrad } from '../../autograd/mode';
import { kwLeading } from '../../ops/util';
import { full } from '../../ops/creation';
import { Device } from '../../device';

type T = Tensor;
type Activation = 'relu' | 'gelu' | ((x: T) => T) | Module<[T], T>;

export interface TransformerDecoderLayerOpts extends FactoryOpts {
  dimFeedforward?: number; dropout?: number; activation?: Activation; layerNormEps?: number; batchFirst?: boolean; normFirst?: boolean; bias?: boolean;
}
export interface TransformerDecoderLayerCtorOpts extends TransformerDecoderLayerOpts { dModel: number; nhead: number }
export interface TransformerDecoderCallOpts {
  tgtMask?: T | null; memoryMask?: T | null; tgtKeyPaddingMask?: T | null; memoryKeyPaddingMask?: T | null; tgtIsCausal?: boolean; memoryIsCausal?: boolean;
}
const DEC_CALL = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'] as const;
/** TransformerDecoderLayer / TransformerDecoder.forward's arguments, PyTorch's (tgt, memory, tgt_mask=None,
 *  memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None, tgt_is_causal=False,
 *  memory_is_causal=False): positionally, then the rest by name in an options object. */
export type TransformerDecoderForwardArgs =
  | [tgt: T, memory: T, ...rest: PosArgs<TransformerDecoderCallOpts, ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal']>]
  | [tgt: T, opts: TransformerDecoderCallOpts & { memory: T }]
  | [opts: TransformerDecoderCallOpts & { tgt: T; memory: T }];

function activationOf(act: Activation, owner: Module): (x: T) => T {
  if (act instanceof Module) { owner.addModule('activation', act); return (x) => act.call(x); }
  if (typeof act === 'function') return act;
  if (act === 'relu') return (x) => F.relu(x);
  if (act === 'gelu') return (x) => F.gelu(x);
  throw new TorchError(`activation should be relu/gelu, not ${String(act)}`);
}
function tensorArgs(op: string, pairs: [unknown, string][]): void {
  for (const [t, n] of pairs) if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${n}' must be Tensor, not ${describeValue(t)}`);
}

export class TransformerDecoderLayer extends Module {
  declare self_attn: MultiheadAttention;
  declare multihead_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare normFirst: boolean;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;
  declare _act: (x: T) => T;
  declare _ctorArgs: [number, number, TransformerDecoderLayerOpts];

  constructor(opts: TransformerDecoderLayerCtorOpts);
  constructor(dModel: number, opts: TransformerDecoderLayerOpts & { nhead: number });
  constructor(dModel: number, nhead: number, ...args: PosArgs<TransformerDecoderLayerOpts, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias']>);
  constructor(dModel: number | TransformerDecoderLayerCtorOpts, nhead?: number | TransformerDecoderLayerOpts, opts: TransformerDecoderLayerOpts | number = {}, ...more: unknown[]) {
    super();
    [dModel, nhead, opts = {}, ...more] = kwLeading('TransformerDecoderLayer', Array.from(arguments), ['dModel', 'nhead'], 2) as [number, number, TransformerDecoderLayerOpts | number, ...unknown[]];
    checkPosInt(dModel, 'd_model', 'TransformerDecoderLayer');
    checkPosInt(nhead, 'nhead', 'TransformerDecoderLayer');
    const o = optsArg<TransformerDecoderLayerOpts>(opts, 'TransformerDecoderLayer', more, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'], ['dtype', 'device']);
    Object.defineProperty(this, '_ctorArgs', { value: [dModel, nhead, { ...o }], enumerable: false, writable: true, configurable: true });
    const f = { dtype: o.dtype, device: o.device };
    const p = o.dropout ?? 0.1, bias = o.bias ?? true, ff = o.dimFeedforward ?? 2048, eps = o.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: !!o.batchFirst, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: !!o.batchFirst, ...f });
    this.linear1 = new Linear(dModel, ff, { bias, ...f });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias, ...f });
    this.normFirst = !!o.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps, bias, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, bias, ...f });
    this.norm3 = new LayerNorm(dModel, { eps, bias, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this._act = activationOf(o.activation ?? 'relu', this);
  }
  get selfAttn(): MultiheadAttention { return this.self_attn; }
  get multiheadAttn(): MultiheadAttention { return this.multihead_attn; }
  override forward(...args: TransformerDecoderForwardArgs): T {
    const a = kwLeading('TransformerDecoderLayer.forward', args, ['tgt', 'memory'], 2);
    const [tgt, memory] = a as [T, T];
    tensorArgs('TransformerDecoderLayer.forward', [[tgt, 'tgt'], [memory, 'memory']]);
    const o = optsArg<TransformerDecoderCallOpts>(a[2], 'TransformerDecoderLayer.forward', a.slice(3), DEC_CALL, []);
    const sa = (x: T): T => this.dropout1.call(this.self_attn.call(x, x, x, {
      attnMask: o.tgtMask ?? null, keyPaddingMask: o.tgtKeyPaddingMask ?? null, needWeights: false, isCausal: !!o.tgtIsCausal,
    })[0]);
    const mha = (x: T): T => this.dropout2.call(this.multihead_attn.call(x, memory, memory, {
      attnMask: o.memoryMask ?? null, keyPaddingMask: o.memoryKeyPaddingMask ?? null, needWeights: false, isCausal: !!o.memoryIsCausal,
    })[0]);
    const ff = (x: T): T => this.dropout3.call(this.linear2.call(this.dropout.call(this._act(this.linear1.call(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.call(x)));
      x = x.add(mha(this.norm2.call(x)));
      x = x.add(ff(this.norm3.call(x)));
    } else {
      x = this.norm1.call(x.add(sa(x)));
      x = this.norm2.call(x.add(mha(x)));
      x = this.norm3.call(x.add(ff(x)));
    }
    return x;
  }
}

export interface TransformerDecoderOpts { norm?: Module<[T], T> | null }

// numLayers copies of decoderLayer (each starting with its weights, as PyTorch's deepcopy), then an optional norm.
export class TransformerDecoder extends Module {
  declare layers: ModuleList<TransformerDecoderLayer>;
  declare numLayers: number;
  declare norm: Module<[T], T> | null;

  constructor(opts: TransformerDecoderOpts & { decoderLayer: TransformerDecoderLayer; numLayers: number });
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, norm?: Module<[T], T> | null);
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts?: TransformerDecoderOpts);
  constructor(decoderLayer: TransformerDecoderLayer | (TransformerDecoderOpts & { decoderLayer: TransformerDecoderLayer; numLayers: number }), numLayers?: number, opts: TransformerDecoderOpts | Module<[T], T> | null = {}) {
    super();
    // new nn.TransformerDecoder({ decoderLayer, numLayers, norm }) (PyTorch's keyword names)
    if (!(decoderLayer instanceof Module) && typeof decoderLayer === 'object' && decoderLayer !== null && arguments.length === 1) {
      const { decoderLayer: dl, numLayers: nl, ...rest } = decoderLayer;
      [decoderLayer, numLayers, opts] = [dl, nl, rest];
    }
    if (!(decoderLayer instanceof TransformerDecoderLayer)) {
      throw new TorchError(`TransformerDecoder(): decoder_layer must be a TransformerDecoderLayer, not ${describeValue(decoderLayer)}`);
    }
    checkPosInt(numLayers, 'num_layers', 'TransformerDecoder');
    const nLayers = numLayers as number;
    const o: TransformerDecoderOpts = opts instanceof Module || opts === null ? { norm: opts } : optsArg<TransformerDecoderOpts>(opts, 'TransformerDecoder', [], ['norm'], []);
    if (o.norm !== undefined && o.norm !== null && !(o.norm instanceof Module)) throw new TorchError(`TransformerDecoder(): norm must be a Module, not ${describeValue(o.norm)}`);
    const state = decoderLayer.stateDict();
    const copies: TransformerDecoderLayer[] = [];
    for (let i = 0; i < nLayers; i++) {
      const [d, h, lo] = decoderLayer._ctorArgs;
      const l = new TransformerDecoderLayer(d, h, lo);
      noGrad(() => l.loadStateDict(state));
      l.train(decoderLayer.training);
      copies.push(l);
    }
    this.layers = new ModuleList(copies);
    this.numLayers = nLayers;
    this.norm = o.norm ?? null;
  }
  override forward(...args: TransformerDecoderForwardArgs): T {
    const a = kwLeading('TransformerDecoder.forward', args, ['tgt', 'memory'], 2);
    const [tgt, memory] = a as [T, T];
    tensorArgs('TransformerDecoder.forward', [[tgt, 'tgt'], [memory, 'memory']]);
    const o = optsArg<TransformerDecoderCallOpts>(a[2], 'TransformerDecoder.forward', a.slice(3), DEC_CALL, []);
    let x = tgt;
    for (const l of this.layers) x = l.call(x, memory, o);
    if (this.norm) x = this.norm.call(x);
    return x;
  }
}

export interface TransformerOpts extends FactoryOpts {
  dModel?: number; nhead?: number; numEncoderLayers?: number; numDecoderLayers?: number; dimFeedforward?: number; dropout?: number;
  activation?: Activation; customEncoder?: Module | null; customDecoder?: Module | null; layerNormEps?: number; batchFirst?: boolean;
  normFirst?: boolean; bias?: boolean;
}
const TF_POS = ['dModel', 'nhead', 'numEncoderLayers', 'numDecoderLayers', 'dimFeedforward', 'dropout', 'activation', 'customEncoder',
  'customDecoder', 'layerNormEps', 'batchFirst', 'normFirst'] as const;
export interface TransformerFwdOpts {
  srcMask?: T | null; tgtMask?: T | null; memoryMask?: T | null; srcKeyPaddingMask?: T | null; tgtKeyPaddingMask?: T | null;
  memoryKeyPaddingMask?: T | null; srcIsCausal?: boolean; tgtIsCausal?: boolean; memoryIsCausal?: boolean;
}
const TF_CALL = ['srcMask', 'tgtMask', 'memoryMask', 'srcKeyPaddingMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'srcIsCausal', 'tgtIsCausal', 'memoryIsCausal'] as const;
/** Transformer.forward's arguments, PyTorch's (src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
 *  src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None,
 *  tgt_is_causal=None, memory_is_causal=False). */
export type TransformerModelForwardArgs =
  | [src: T, tgt: T, ...rest: PosArgs<TransformerFwdOpts, ['srcMask', 'tgtMask', 'memoryMask', 'srcKeyPaddingMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'srcIsCausal', 'tgtIsCausal', 'memoryIsCausal']>]
  | [src: T, opts: TransformerFwdOpts & { tgt: T }]
  | [opts: TransformerFwdOpts & { src: T; tgt: T }];

/** nn.Transformer: an encoder (numEncoderLayers TransformerEncoderLayers and a final LayerNorm) and a decoder (likewise),
 *  every parameter of more than one dimension re-initialised with xavierUniform_, as PyTorch's _reset_parameters. */
export class Transformer extends Module {
  declare encoder: Module;
  declare decoder: Module;
  declare dModel: number;
  declare nhead: number;
  declare batchFirst: boolean;

  constructor(...args: PosArgs<TransformerOpts, ['dModel', 'nhead', 'numEncoderLayers', 'numDecoderLayers', 'dimFeedforward', 'dropout', 'activation', 'customEncoder', 'customDecoder', 'layerNormEps', 'batchFirst', 'normFirst']>);
  constructor(...args: unknown[]) {
    super();
    const o = optsArg<TransformerOpts>(args[0], 'Transformer', args.slice(1), TF_POS, ['dtype', 'device', 'bias']);
    const dModel = checkPosInt(o.dModel ?? 512, 'd_model', 'Transformer');
    const nhead = checkPosInt(o.nhead ?? 8, 'nhead', 'Transformer');
    const f = { dtype: o.dtype, device: o.device };
    const eps = o.layerNormEps ?? 1e-5, bias = o.bias ?? true;
    const layerOpts = { dimFeedforward: o.dimFeedforward ?? 2048, dropout: o.dropout ?? 0.1, activation: o.activation ?? 'relu', layerNormEps: eps,
      batchFirst: !!o.batchFirst, normFirst: !!o.normFirst, bias, ...f };
    if (o.customEncoder !== undefined && o.customEncoder !== null) {
      if (!(o.customEncoder instanceof Module)) throw new TorchError(`Transformer(): custom_encoder must be a Module, not ${describeValue(o.customEncoder)}`);
      this.encoder = o.customEncoder;
    } else {
      const layer = new TransformerEncoderLayer(dModel, nhead, layerOpts);
      this.encoder = new TransformerEncoder(layer, checkPosInt(o.numEncoderLayers ?? 6, 'num_encoder_layers', 'Transformer'), new LayerNorm(dModel, { eps, bias, ...f }));
    }
    if (o.customDecoder !== undefined && o.customDecoder !== null) {
      if (!(o.customDecoder instanceof Module)) throw new TorchError(`Transformer(): custom_decoder must be a Module, not ${describeValue(o.customDecoder)}`);
      this.decoder = o.customDecoder;
    } else {
      const layer = new TransformerDecoderLayer(dModel, nhead, layerOpts);
      this.decoder = new TransformerDecoder(layer, checkPosInt(o.numDecoderLayers ?? 6, 'num_decoder_layers', 'Transformer'), new LayerNorm(dModel, { eps, bias, ...f }));
    }
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = !!o.batchFirst;
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }
  override forward(...args: TransformerModelForwardArgs): T {
    const a = kwLeading('Transformer.forward', args, ['src', 'tgt'], 2);
    const [src, tgt] = a as [T, T];
    tensorArgs('Transformer.forward', [[src, 'src'], [tgt, 'tgt']]);
    const o = optsArg<TransformerFwdOpts>(a[2], 'Transformer.forward', a.slice(3), TF_CALL, []);
    const batched = src.ndim === 3;
    if (batched && src.shape[this.batchFirst ? 0 : 1] !== tgt.shape[this.batchFirst ? 0 : 1]) {
      throw new TorchError('the batch number of src and tgt must be equal');
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new TorchError('the feature number of src and tgt must be equal to d_model');
    }
    const memory = this.encoder.call(src, { mask: o.srcMask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null, isCausal: o.srcIsCausal ?? undefined }) as T;
    return this.decoder.call(tgt, memory, {
      tgtMask: o.tgtMask ?? null, memoryMask: o.memoryMask ?? null, tgtKeyPaddingMask: o.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask ?? null, tgtIsCausal: !!o.tgtIsCausal, memoryIsCausal: !!o.memoryIsCausal,
    }) as T;
  }
  /** Transformer.generate_square_subsequent_mask(sz): a float [sz, sz] mask, -inf above the diagonal and 0 elsewhere. */
  static generateSquareSubsequentMask(sz: number, opts: FactoryOpts = {}): T {
    if (typeof sz !== 'number' || !Number.isInteger(sz) || sz < 0) throw new TorchError(`generate_square_subsequent_mask(): sz must be a non-negative integer, got ${describeValue(sz)}`);
    return full([sz, sz], -Infinity, { ...(opts.dtype ? { dtype: opts.dtype } : {}), device: (opts.device ?? 'cpu') as string | Device }).triu(1);
  }
}
