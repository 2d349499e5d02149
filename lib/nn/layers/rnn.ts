// rnn.ts - RNN, LSTM, GRU (torch/nn/modules/rnn.py): PyTorch's parameter names and order (weight_ih_l{k}, weight_hh_l{k},
// bias_ih_l{k}, bias_hh_l{k}, then the *_reverse set per layer), gate order (LSTM i, f, g, o; GRU r, z, n), init
// U(-1/sqrt(hidden), 1/sqrt(hidden)), inputs [L, N, H_in] (batchFirst: [N, L, H_in]) or unbatched [L, H_in].
// The input projection of a whole sequence is one GEMM per layer and direction; each time step adds h @ W_hh^T.
import { Tensor } from '../../tensor';
import { Module, Parameter } from '../module';
import type { ForwardArgs, ForwardOutput } from '../module';
import * as F from '../functional';
import * as init from '../init';
import { FactoryOpts, newParam, pyFloat, optsArg, checkPosInt, PosArgs } from './common';
import { TorchError } from '../../errors';
import { zeros } from '../../ops/creation';
import { stack, cat } from '../../ops/shape';
import { acState, autocastListed, autocastCall } from '../../amp/autocast';
import { PackedSequence } from '../rnn_utils';

type T = Tensor;
type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
export interface RNNOpts extends FactoryOpts {
  numLayers?: number; bias?: boolean; batchFirst?: boolean; dropout?: number; bidirectional?: boolean;
  nonlinearity?: 'tanh' | 'relu'; projSize?: number;
}
const sz = (s: readonly number[]): string => `(${s.join(', ')})`;

abstract class RNNBase extends Module {
  declare mode: Mode;
  declare inputSize: number;
  declare hiddenSize: number;
  declare numLayers: number;
  declare bias: boolean;
  declare batchFirst: boolean;
  declare dropout: number;
  declare bidirectional: boolean;
  declare projSize: number;
  declare _flatWeightsNames: string[];

  constructor(mode: Mode, cls: string, inputSize: number, hiddenSize: number, opts: RNNOpts) {
    super();
    const o = optsArg<RNNOpts>(opts, cls);  // positional forms are resolved by the subclasses (their orders differ)
    this.mode = mode;
    this.inputSize = checkPosInt(inputSize, 'input_size', cls, true);
    this.hiddenSize = checkPosInt(hiddenSize, 'hidden_size', cls);
    this.numLayers = checkPosInt(o.numLayers ?? 1, 'num_layers', cls);
    this.bias = o.bias ?? true;
    this.batchFirst = !!o.batchFirst;
    const dropout = o.dropout ?? 0;
    if (typeof dropout !== 'number' || dropout < 0 || dropout > 1) throw new TorchError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    this.dropout = dropout;
    this.bidirectional = !!o.bidirectional;
    const proj = o.projSize ?? 0;
    if (typeof proj !== 'number' || !Number.isInteger(proj) || proj < 0) throw new TorchError('proj_size should be a positive integer or zero to disable projections');
    if (proj > 0 && mode !== 'LSTM') throw new TorchError(`proj_size argument is only supported for LSTM, not RNN or GRU`);
    if (proj >= hiddenSize) throw new TorchError('proj_size has to be smaller than hidden_size');
    this.projSize = proj;
    const realHidden = proj > 0 ? proj : hiddenSize;  // the size of h (c keeps hidden_size)
    const gate = mode === 'LSTM' ? 4 * hiddenSize : mode === 'GRU' ? 3 * hiddenSize : hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    const names: string[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < D; dir++) {
        const inSize = layer === 0 ? inputSize : realHidden * D;
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const ps: [string, number[]][] = [[`weight_ih${sfx}`, [gate, inSize]], [`weight_hh${sfx}`, [gate, realHidden]]];
        if (this.bias) ps.push([`bias_ih${sfx}`, [gate]], [`bias_hh${sfx}`, [gate]]);
        if (proj > 0) ps.push([`weight_hr${sfx}`, [proj, hiddenSize]]);
        for (const [n, s] of ps) { this.registerParameter(n, newParam(s, o)); names.push(n); }
      }
    }
    this._flatWeightsNames = names;
    this.resetParameters();
  }
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }
  get allWeights(): Parameter[][] {
    const D = this.bidirectional ? 2 : 1, per = (this.bias ? 4 : 2) + (this.projSize > 0 ? 1 : 0);
    const ws = this._flatWeightsNames.map((n) => this._parameters.get(n) as Parameter);
    const out: Parameter[][] = [];
    for (let i = 0; i < this.numLayers * D; i++) out.push(ws.slice(i * per, (i + 1) * per));
    return out;
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }

  // x: [L, N, In]; h0/c0: [layers*D, N, H]. Returns [out [L, N, D*H], hn, cn]
  /** layer-direction k's weights from allWeights: [w_ih, w_hh, (b_ih, b_hh), (w_hr)] */
  protected _weightsAt(ws: Parameter[][], k: number): { wih: T; whh: T; bih: T | null; bhh: T | null; whr: T | null } {
    const w = ws[k];
    return { wih: w[0], whh: w[1], bih: this.bias ? w[2] : null, bhh: this.bias ? w[3] : null, whr: this.projSize > 0 ? w[w.length - 1] : null };
  }
  protected run(x: T, h0: T, c0: T | null): [T, T, T | null] {
    const D = this.bidirectional ? 2 : 1;
    const L = x.shape[0];
    const hs: T[] = [], cs: T[] = [];
    // the layer's input as one tensor per step: each step's input projection is its own product, so that the backward
    // pass never materialises a whole-sequence gradient per step (a slice of one [L, N, G] projection would)
    let steps: T[] = x.unbind(0);
    const ws = this.allWeights;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const dirOuts: T[][] = [];
      for (let dir = 0; dir < D; dir++) {
        const { wih, whh, bih, bhh, whr } = this._weightsAt(ws, layer * D + dir);
        const idx = layer * D + dir;
        let h = h0.select(0, idx);
        let c = c0 ? c0.select(0, idx) : null;
        const outs: T[] = new Array(L);
        for (let s = 0; s < L; s++) {
          const t = dir === 0 ? s : L - 1 - s;
          [h, c] = this.cell(F.linear(steps[t], wih, bih), h, c, whh, bhh, whr);
          outs[t] = h;
        }
        dirOuts.push(outs);
        hs.push(h);
        if (c) cs.push(c);
      }
      steps = D === 1 ? dirOuts[0] : dirOuts[0].map((o, t) => cat([o, dirOuts[1][t]], 1));
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) steps = F.dropout(stack(steps, 0), this.dropout, true, false).unbind(0);
    }
    return [stack(steps, 0), stack(hs, 0), cs.length ? stack(cs, 0) : null];
  }

  // one time step: gi = x_t W_ih^T + b_ih (precomputed for the sequence), h, c -> the new h, c
  private cell(gi: T, h: T, c: T | null, whh: T, bhh: T | null, whr: T | null): [T, T | null] {
    const gh = F.linear(h, whh, bhh);
    if (this.mode === 'LSTM') {
      const [ig, fg, gg, og] = gi.add(gh).chunk(4, 1);
      c = fg.sigmoid().mul(c as T).add(ig.sigmoid().mul(gg.tanh()));
      h = og.sigmoid().mul(c.tanh());
      if (whr) h = F.linear(h, whr, null);  // the projection: h is proj_size wide
      return [h, c];
    }
    if (this.mode === 'GRU') {
      const [ir, iz, inn] = gi.chunk(3, 1);
      const [hr, hz, hn] = gh.chunk(3, 1);
      const r = ir.add(hr).sigmoid(), z = iz.add(hz).sigmoid();
      const n = inn.add(r.mul(hn)).tanh();
      return [n.add(z.mul(h.sub(n))), null];
    }
    const pre = gi.add(gh);
    return [this.mode === 'RNN_TANH' ? pre.tanh() : pre.relu(), null];
  }

  // a PackedSequence's rows: data [sum(bs), In] (time-major, bs[t] sequences alive at step t, sorted by decreasing
  // length); h0/c0 [layers*D, B, H] in that sorted order. Each sequence's h_n is its state after its own last step
  // (forward), or after step 0 (reverse: a sequence joins at its own last step, from h0). Returns [data, hn, cn].
  protected runPacked(data: T, bs: number[], h0: T, c0: T | null): [T, T, T | null] {
    const D = this.bidirectional ? 2 : 1;
    const L = bs.length;
    const hs: T[] = [], cs: T[] = [];
    let steps: T[] = L ? data.split(bs, 0) : [];  // step t's rows [bs[t], In] (one product per step, as run())
    const ws = this.allWeights;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const dirOuts: T[][] = [];
      for (let dir = 0; dir < D; dir++) {
        const { wih, whh, bih, bhh, whr } = this._weightsAt(ws, layer * D + dir);
        const idx = layer * D + dir;
        const hInit = h0.select(0, idx), cInit = c0 ? c0.select(0, idx) : null;
        const outs: T[] = new Array(L);
        let h: T, c: T | null;
        if (dir === 0) {
          h = hInit; c = cInit;
          const endsH: T[] = [], endsC: T[] = [];
          for (let t = 0; t < L; t++) {
            const b = bs[t], cur = h.shape[0];
            if (b < cur) {  // sequences b..cur-1 ended at step t-1
              endsH.push(h.narrow(0, b, cur - b)); h = h.narrow(0, 0, b);
              if (c) { endsC.push(c.narrow(0, b, cur - b)); c = c.narrow(0, 0, b); }
            }
            [h, c] = this.cell(F.linear(steps[t], wih, bih), h, c, whh, bhh, whr);
            outs[t] = h;
          }
          hs.push(endsH.length ? cat([h, ...endsH.reverse()], 0) : h);
          if (c) cs.push(endsC.length ? cat([c, ...endsC.reverse()], 0) : c);
        } else {
          const b0 = bs[L - 1];
          h = hInit.narrow(0, 0, b0); c = cInit ? cInit.narrow(0, 0, b0) : null;
          for (let t = L - 1; t >= 0; t--) {
            const b = bs[t], cur = h.shape[0];
            if (b > cur) {  // sequences cur..b-1 start (their last step is t)
              h = cat([h, hInit.narrow(0, cur, b - cur)], 0);
              if (c && cInit) c = cat([c, cInit.narrow(0, cur, b - cur)], 0);
            }
            [h, c] = this.cell(F.linear(steps[t], wih, bih), h, c, whh, bhh, whr);
            outs[t] = h;
          }
          hs.push(h);
          if (c) cs.push(c);
        }
        dirOuts.push(outs);
      }
      steps = D === 1 ? dirOuts[0] : dirOuts[0].map((o, t) => cat([o, dirOuts[1][t]], 1));
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) steps = F.dropout(cat(steps, 0), this.dropout, true, false).split(bs, 0);
    }
    return [cat(steps, 0), stack(hs, 0), cs.length ? stack(cs, 0) : null];
  }

  // RNN/GRU/LSTM.forward on a PackedSequence: hx is permuted into the packed (sorted) order and h_n back, as PyTorch
  protected forwardPacked(input: PackedSequence, hx: T | null | undefined, cx: T | null | undefined, lstm: boolean): [PackedSequence, T, T | null] {
    const cls = this.mode === 'LSTM' ? 'LSTM' : this.mode === 'GRU' ? 'GRU' : 'RNN';
    const data = input.data;
    if (data.ndim !== 2) throw new TorchError(`${cls}: packed input data must be 2-D, got shape [${data.shape.join(', ')}]`);
    if (data.shape[1] !== this.inputSize) throw new TorchError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${data.shape[1]}`);
    const bs = input.batchSizes.tolist() as number[];
    const B = bs.length ? bs[0] : 0;
    const perm = (t: T): T => (input.sortedIndices ? t.indexSelect(1, input.sortedIndices) : t);
    const unperm = (t: T): T => (input.unsortedIndices ? t.indexSelect(1, input.unsortedIndices) : t);
    const h0 = hx === null || hx === undefined ? this.hidden(null, B, false, data, lstm ? 'h_0' : 'hx') : perm(this.hidden(hx, B, false, data, lstm ? 'h_0' : 'hx'));
    const c0 = !lstm ? null : cx === null || cx === undefined ? this.hidden(null, B, false, data, 'c_0') : perm(this.hidden(cx, B, false, data, 'c_0'));
    const [out, hn, cn] = this.runPacked(data, bs, h0, c0);
    return [new PackedSequence(out, input.batchSizes, input.sortedIndices, input.unsortedIndices), unperm(hn), cn ? unperm(cn) : null];
  }

  protected prepare(input: T, cls: string): { x: T; unbatched: boolean } {
    if (!(input instanceof Tensor)) throw new TypeError(`${cls}: input must be a Tensor`);
    if (input.ndim !== 2 && input.ndim !== 3) throw new TorchError(`${cls}: Expected input to be 2D or 3D, got ${input.ndim}D tensor instead`);
    if (input.shape[input.ndim - 1] !== this.inputSize) throw new TorchError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`);
    const unbatched = input.ndim === 2;
    let x = unbatched ? input.unsqueeze(1) : input;
    if (this.batchFirst && !unbatched) x = x.transpose(0, 1);
    return { x, unbatched };
  }
  // what: 'h_0' / 'hx' (h is proj_size wide when projecting) or 'c_0' (always hidden_size)
  protected hidden(h: T | null | undefined, N: number, unbatched: boolean, x: T, what: string): T {
    const D = this.bidirectional ? 2 : 1;
    const expect = [this.numLayers * D, N, what !== 'c_0' && this.projSize > 0 ? this.projSize : this.hiddenSize];
    if (h === null || h === undefined) return zeros(expect, { dtype: x.dtype, device: x.device });
    if (!(h instanceof Tensor)) throw new TypeError(`${what} must be a Tensor`);
    const hh = unbatched ? (h.ndim === 2 ? h.unsqueeze(1) : h) : h;
    if (unbatched && h.ndim !== 2) throw new TorchError(`For unbatched 2-D input, ${what} should also be 2-D but got ${h.ndim}-D tensor`);
    if (!unbatched && h.ndim !== 3) throw new TorchError(`For batched 3-D input, ${what} should also be 3-D but got ${h.ndim}-D tensor`);
    if (hh.shape.some((s, i) => s !== expect[i])) throw new TorchError(`Expected hidden size ${sz(expect)}, got [${(unbatched ? h.shape : hh.shape).join(', ')}]`);
    return hh;
  }
  protected finish(out: T, unbatched: boolean): T {
    if (unbatched) return out.squeeze(1);
    return this.batchFirst ? out.transpose(0, 1) : out;
  }
}

export class RNN extends RNNBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, ...args: PosArgs<Omit<RNNOpts, 'projSize'>, ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional']>);
  constructor(inputSize: number, hiddenSize: number, opts0: RNNOpts | number = {}, ...more: unknown[]) {
    const opts = optsArg<RNNOpts>(opts0, 'RNN', more, ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional'], ['dtype', 'device']);
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new TorchError(`Unknown nonlinearity '${nl}'. Select from 'tanh' or 'relu'.`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', 'RNN', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }
  override forward(input: PackedSequence, hx?: T | null): [PackedSequence, T];
  override forward(input: T, hx?: T | null): [T, T];
  override forward(input: T | PackedSequence, hx?: T | null): [T | PackedSequence, T] {
    if (input instanceof PackedSequence) { const [o, h] = this.forwardPacked(input, hx, null, false); return [o, h]; }
    if (acState.on && autocastListed('rnn', arguments)) return autocastCall('rnn', RNN.prototype.forward, arguments, this);
    const { x, unbatched } = this.prepare(input, 'RNN');
    const h0 = this.hidden(hx, x.shape[1], unbatched, x, 'hx');
    const [out, hn] = this.run(x, h0, null);
    return [this.finish(out, unbatched), unbatched ? hn.squeeze(1) : hn];
  }
}

export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: PosArgs<Omit<RNNOpts, 'nonlinearity' | 'projSize'>, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional']>);
  constructor(inputSize: number, hiddenSize: number, opts: RNNOpts | number = {}, ...more: unknown[]) { super('GRU', 'GRU', inputSize, hiddenSize, optsArg<RNNOpts>(opts, 'GRU', more, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'], ['dtype', 'device'])); }
  override forward(input: PackedSequence, hx?: T | null): [PackedSequence, T];
  override forward(input: T, hx?: T | null): [T, T];
  override forward(input: T | PackedSequence, hx?: T | null): [T | PackedSequence, T] {
    if (input instanceof PackedSequence) { const [o, h] = this.forwardPacked(input, hx, null, false); return [o, h]; }
    // autocast: PyTorch's CPU GRU/LSTM are single unlisted kernels (they keep the input's dtype); on CUDA cuDNN's RNN
    // runs in the autocast dtype (lib/amp/autocast.ts)
    if (acState.on && autocastListed('gru', arguments)) return autocastCall('gru', GRU.prototype.forward, arguments, this);
    const { x, unbatched } = this.prepare(input, 'GRU');
    const h0 = this.hidden(hx, x.shape[1], unbatched, x, 'hx');
    const [out, hn] = this.run(x, h0, null);
    return [this.finish(out, unbatched), unbatched ? hn.squeeze(1) : hn];
  }
}

export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: PosArgs<Omit<RNNOpts, 'nonlinearity'>, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize']>);
  constructor(inputSize: number, hiddenSize: number, opts: RNNOpts | number = {}, ...more: unknown[]) { super('LSTM', 'LSTM', inputSize, hiddenSize, optsArg<RNNOpts>(opts, 'LSTM', more, ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize'], ['dtype', 'device'])); }
  override forward(input: PackedSequence, hx?: [T, T] | null): [PackedSequence, [T, T]];
  override forward(input: T, hx?: [T, T] | null): [T, [T, T]];
  override forward(input: T | PackedSequence, hx?: [T, T] | null): [T | PackedSequence, [T, T]] {
    if (input instanceof PackedSequence) {
      if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new TorchError('LSTM: hx must be a pair [h_0, c_0]');
      const [o, h, c] = this.forwardPacked(input, hx ? hx[0] : null, hx ? hx[1] : null, true);
      return [o, [h, c as T]];
    }
    if (acState.on && autocastListed('lstm', arguments)) return autocastCall('lstm', LSTM.prototype.forward, arguments, this);
    const { x, unbatched } = this.prepare(input, 'LSTM');
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new TorchError('LSTM: hx must be a pair [h_0, c_0]');
    const h0 = this.hidden(hx ? hx[0] : null, x.shape[1], unbatched, x, 'h_0');
    const c0 = this.hidden(hx ? hx[1] : null, x.shape[1], unbatched, x, 'c_0');
    const [out, hn, cn] = this.run(x, h0, c0);
    const sq = (t: T): T => (unbatched ? t.squeeze(1) : t);
    return [this.finish(out, unbatched), [sq(hn), sq(cn as T)]];
  }
}

// call() on a PackedSequence (Module.call is typed from forward's last signature, the Tensor one)
export interface RNN { call(input: PackedSequence, hx?: T | null): [PackedSequence, T]; call(...args: ForwardArgs<this>): ForwardOutput<this> }
export interface GRU { call(input: PackedSequence, hx?: T | null): [PackedSequence, T]; call(...args: ForwardArgs<this>): ForwardOutput<this> }
export interface LSTM { call(input: PackedSequence, hx?: [T, T] | null): [PackedSequence, [T, T]]; call(...args: ForwardArgs<this>): ForwardOutput<this> }
