// sparse.ts - Embedding (torch/nn/modules/sparse.py): weight ~ N(0, 1), the padding_idx row zeroed and kept out of
// the gradient; maxNorm renormalises looked-up rows in place.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, pyFloat, optsArg, checkPosInt, PosArgs } from './common';
import { TorchError } from '../../errors';
import { noGrad } from '../../autograd/mode';

type T = Tensor;
export interface EmbeddingModuleOpts extends FactoryOpts {
  paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean; _weight?: T | null; _freeze?: boolean;
}

export class Embedding extends Module {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare paddingIdx: number | null;
  declare maxNorm: number | null;
  declare normType: number;
  declare scaleGradByFreq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, ...args: PosArgs<EmbeddingModuleOpts, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']>);
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingModuleOpts | number | null = {}, ...more: unknown[]) {
    super();
    const o = optsArg<EmbeddingModuleOpts>(opts ?? undefined, 'Embedding', more, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], ['dtype', 'device', '_weight', '_freeze']);
    this.numEmbeddings = checkPosInt(numEmbeddings, 'num_embeddings', 'Embedding', true);
    this.embeddingDim = checkPosInt(embeddingDim, 'embedding_dim', 'Embedding', true);
    let pad = o.paddingIdx ?? null;
    if (pad !== null) {
      if (pad > 0 && pad >= numEmbeddings) throw new TorchError('Padding_idx must be within num_embeddings');
      if (pad < 0) {
        if (pad < -numEmbeddings) throw new TorchError('Padding_idx must be within num_embeddings');
        pad += numEmbeddings;
      }
    }
    this.paddingIdx = pad;
    this.maxNorm = o.maxNorm ?? null;
    this.normType = o.normType ?? 2;
    this.scaleGradByFreq = !!o.scaleGradByFreq;
    this.sparse = !!o.sparse;
    if (o._weight) {
      if (o._weight.ndim !== 2 || o._weight.shape[0] !== numEmbeddings || o._weight.shape[1] !== embeddingDim) throw new TorchError('Shape of weight does not match num_embeddings and embedding_dim');
      this.weight = new Parameter(o._weight, !o._freeze);
    } else {
      this.weight = newParam([numEmbeddings, embeddingDim], o);
      this.resetParameters();
    }
  }
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) { const i = this.paddingIdx; noGrad(() => { this.weight.select(0, i).fill_(0); }); }
  }
  static fromPretrained(embeddings: T, opts: { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new TorchError('Embeddings parameter is expected to be 2-dimensional');
    const { freeze, ...rest } = opts;
    return new Embedding(embeddings.shape[0], embeddings.shape[1], { ...rest, _weight: embeddings, _freeze: freeze ?? true });
  }
  override forward(x: T): T {
    return F.embedding(x, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse);
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ', scale_grad_by_freq=True';
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}
