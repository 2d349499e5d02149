// index_more.ts - indexing and sampling ops a PyTorch user reaches for that nodetorch lacked (issue 11's follow-up,
// ops.schema's last section): scatter_reduce (sum/prod/mean/amax/amin, include_self), index_reduce, masked_scatter,
// fill_diagonal_, multinomial, isin, histogram, vander.
// scatter_reduce's forward is computed on the host (the tensors' values read back, the result written to the input's
// device): its reductions have no native kernel here; its backward is PyTorch 1.13's scatter_reduce_backward formulas
// written with nodetorch's differentiable ops. index_reduce is scatter_reduce with the index expanded along dim;
// masked_scatter, fill_diagonal_ and vander are compositions of differentiable ops.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import { inplaceResult } from '../autograd/inplace';
import { isFloating, toDType, promoteTypes } from '../dtype';
import type { DTypeName } from '../dtype';
import * as E from './elementwise';
import * as Sh from './shape';
import * as R from './reduce';
import * as X from './indexing';
import * as C from './creation';
import { checkTensor, checkInt, broadcastShapes } from './util';
import { hostLimit, hostValues, fromHost } from './shape_more';

type T = Tensor;
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;
const flat = (t: T): ArrayLike<number> & Iterable<number> => hostValues(t);
const wrap = (d: number, n: number, op: string): number => {
  const m = Math.max(n, 1);
  if (!Number.isInteger(d) || d < -m || d >= m) throw new TorchError(`${op}: Dimension out of range (expected to be in range of [${-m}, ${m - 1}], but got ${d})`);
  return d < 0 ? d + m : d;
};
const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
};
const fromFlat = (vals: ArrayLike<number>, shape: readonly number[], like: T, dtype: DTypeName = like.dtype): T => fromHost(vals, shape, dtype, like.device);

// ---- scatter_reduce ----------------------------------------------------------------------------------------------------
export type ScatterReduce = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';
function scatterReduceChecks(op: string, self: T, d: number, index: T, src: T): void {
  if (index.dtype !== 'int64') throw new TorchError(`${op}(): Expected dtype int64 for index`);
  if (self.dtype !== src.dtype) throw new TorchError(`${op}(): Expected self.dtype to be equal to src.dtype`);
  if (index.numel() === 0) return;
  if (index.ndim !== self.ndim || src.ndim !== self.ndim) throw new TorchError('Index tensor must have the same number of dimensions as self tensor');
  for (let i = 0; i < index.ndim; i++) {
    if (index.shape[i] > src.shape[i] || (i !== d && index.shape[i] > self.shape[i])) {
      throw new TorchError(`Expected index ${shp(index.shape)} to be smaller than self ${shp(self.shape)} apart from dimension ${d} and to be smaller size than src ${shp(src.shape)}`);
    }
  }
}
/** the forward on the host: self's values reduced with src's at the index positions */
function scatterReduceValues(self: T, d: number, index: T, src: T, reduce: ScatterReduce, includeSelf: boolean): T {
  const out = Float64Array.from(flat(self)), idx = flat(index), sv = flat(src);
  const os = stridesOf(self.shape), ss = stridesOf(src.shape), is = index.shape;
  const count = new Array<number>(out.length).fill(includeSelf ? 1 : 0);
  const touched = new Uint8Array(out.length);
  const coord = new Array<number>(is.length).fill(0);
  for (let k = 0; k < idx.length; k++) {
    let rem = k;
    for (let i = is.length - 1; i >= 0; i--) { coord[i] = rem % is[i]; rem = Math.floor(rem / is[i]); }
    const j = idx[k];
    if (j < 0 || j >= self.shape[d]) throw new TorchError(`index ${j} is out of bounds for dimension ${d} with size ${self.shape[d]}`);
    let o = 0, s = 0;
    for (let i = 0; i < is.length; i++) { o += (i === d ? j : coord[i]) * os[i]; s += coord[i] * ss[i]; }
    const v = sv[s];
    if (!includeSelf && !touched[o]) {
      out[o] = v;
      touched[o] = 1;
      count[o] = 1;
      continue;
    }
    touched[o] = 1;
    if (reduce === 'sum' || reduce === 'mean') out[o] += v;
    else if (reduce === 'prod') out[o] *= v;
    else if (reduce === 'amax') out[o] = Number.isNaN(v) || v > out[o] ? v : out[o];
    else out[o] = Number.isNaN(v) || v < out[o] ? v : out[o];
    if (reduce === 'mean') count[o]++;
  }
  if (reduce === 'mean') {
    const fl = isFloating(self.dtype);
    for (let o = 0; o < out.length; o++) if (touched[o] || includeSelf) out[o] = fl ? out[o] / count[o] : Math.floor(out[o] / count[o]);
  }
  return fromFlat(out, self.shape, self);
}
/** torch.scatterReduce(input, dim, index, src, reduce, { includeSelf }): src's values reduced into input's at index */
export function scatterReduce(input: T, dim: number, index: T, src: T, reduce: ScatterReduce, includeSelf: boolean): T {
  checkTensor(input, 'scatter_reduce');
  checkTensor(index, 'scatter_reduce', 'index');
  checkTensor(src, 'scatter_reduce', 'src');
  if (!['sum', 'prod', 'mean', 'amax', 'amin'].includes(reduce)) throw new TorchError('reduce argument must be either sum, prod, mean, amax or amin.');
  const d = wrap(dim, input.ndim, 'scatter_reduce');
  scatterReduceChecks('scatter', input, d, index, src);
  const result = noGrad(() => scatterReduceValues(input, d, index, src, reduce, includeSelf));
  return record('ScatterReduceBackward0', [input, src], result, (g) => scatterReduceBackward(g, input, d, index, src, reduce, includeSelf, result));
}
export function scatterReduce_(self: T, dim: number, index: T, src: T, reduce: ScatterReduce, includeSelf: boolean): T {
  return inplaceResult(self, 'scatter_reduce_', (s) => scatterReduce(s, dim, index, src, reduce, includeSelf), [index, src]);
}
/** a gradient of index's shape as one of src's shape (zeros where index does not reach) */
function toSrcShape(g: T, src: T): T {
  if (g.shape.every((s, i) => s === src.shape[i])) return g;
  const z = C.zeros(src.shape.slice(), { dtype: g.dtype, device: g.device });
  let v = z;
  g.shape.forEach((s, i) => { v = Sh.narrow(v, i, 0, s); });
  noGrad(() => E.copy_(v, g));
  return z;
}
// PyTorch 1.13's scatter_reduce_backward (aten/src/ATen/native/.../FunctionsManual.cpp), term by term
function scatterReduceBackward(g: T, self: T, d: number, index: T, src: T, reduce: ScatterReduce, includeSelf: boolean, result: T): [T | null, T | null] {
  let gs: T, gsrc: T;
  if (reduce === 'sum') {
    gs = g;
    gsrc = X.gather(g, d, index);
  } else if (reduce === 'mean') {
    let n = includeSelf ? C.onesLike(g) : C.zerosLike(g);
    n = X.scatterAdd(n, d, index, C.onesLike(src));
    n = X.maskedFill(n, E.eq(n, 0), 1);
    gs = E.div(g, n);
    gsrc = E.div(X.gather(g, d, index), X.gather(n, d, index));
  } else if (reduce === 'amax' || reduce === 'amin') {
    const value = X.gather(result, d, index);
    const selfIs = E.toDtype(E.eq(self, result), self.dtype);
    const srcIs = E.toDtype(E.eq(src, value), self.dtype);
    const n = X.scatterAdd(selfIs, d, index, srcIs);
    const dist = E.div(g, n);
    gs = E.mul(selfIs, dist);
    gsrc = E.mul(srcIs, X.gather(dist, d, index));
  } else {
    const maskedSelf = X.maskedFill(self, E.eq(self, 0), 1);
    const maskedSelfResult = scatterReduce(maskedSelf, d, index, src, 'prod', includeSelf);
    gs = E.div(E.mul(g, maskedSelfResult), maskedSelf);
    const srcZero = E.eq(src, 0);
    const numZeros = X.gather(X.scatterAdd(C.zerosLike(self), d, index, E.toDtype(srcZero, self.dtype)), d, index);
    const single = E.logicalAnd(srcZero, E.eq(numZeros, 1));
    const maskedSrc = X.maskedFill(src, single, 1);
    const maskedSrcResult = scatterReduce(self, d, index, maskedSrc, 'prod', includeSelf);
    gsrc = E.where(single, X.gather(E.mul(g, maskedSrcResult), d, index), E.div(X.gather(E.mul(g, result), d, index), X.maskedFill(src, srcZero, 1)));
  }
  if (!includeSelf) gs = X.scatter(gs, d, index, 0);
  return [gs, toSrcShape(gsrc, src)];
}

// ---- index_reduce: scatter_reduce with the 1-D index expanded along dim ------------------------------------------------
function indexReduceIndex(op: string, input: T, d: number, index: T, source: T, reduce: string): T {
  if (!['prod', 'mean', 'amax', 'amin'].includes(reduce)) throw new TorchError(`index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got ${reduce}.`);
  if (index.ndim > 1) throw new TorchError(`${op}(): Index is supposed to be a vector, but got dim: ${index.ndim} with type: ${E.typeName(index.dtype)} and size: ${shp(index.shape)}`);
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new TorchError(`${op}(): Expected dtype int32/int64 for index but got: ${E.typeName(index.dtype)}`);
  const n = index.numel(), m = source.ndim === 0 ? 1 : source.shape[d];
  if (n !== m) throw new TorchError(`${op}(): Number of indices (${n}) should be equal to source.size(dim): (${m}), for dim: ${d}`);
  if (source.ndim !== input.ndim) throw new TorchError(`${op}(): Source/destination tensor must have same slice shapes.`);
  for (let i = 0; i < input.ndim; i++) if (i !== d && input.shape[i] !== source.shape[i]) throw new TorchError(`${op}(): Source/destination tensor must have same slice shapes. Destination slice shape: ${shp(input.shape.filter((_, j) => j !== d))} at dimension ${d} and source slice shape: ${shp(source.shape.filter((_, j) => j !== d))} at dimension 0.`);
  for (const j of flat(index)) if (j < -input.shape[d] || j >= input.shape[d]) throw new TorchError('index out of range in self');
  const shape = source.shape.map((_, i) => (i === d ? n : 1));
  return Sh.expand(Sh.reshape(E.toDtype(index, 'int64'), shape), source.shape.slice());
}
export function indexReduce(input: T, dim: number, index: T, source: T, reduce: string, includeSelf: boolean): T {
  checkTensor(input, 'index_reduce');
  checkTensor(index, 'index_reduce', 'index');
  checkTensor(source, 'index_reduce', 'source');
  const d = wrap(dim, input.ndim, 'index_reduce');
  const idx = indexReduceIndex('index_reduce_', input, d, index, source, reduce);
  return scatterReduce(input, d, idx, source, reduce as ScatterReduce, includeSelf);
}
export function indexReduce_(self: T, dim: number, index: T, source: T, reduce: string, includeSelf: boolean): T {
  return inplaceResult(self, 'index_reduce_', (s) => indexReduce(s, dim, index, source, reduce, includeSelf), [index, source]);
}

// ---- masked_scatter ------------------------------------------------------------------------------------------------------
/** torch.maskedScatter(input, mask, source): source's leading elements, in order, where mask (broadcast) is true */
export function maskedScatter(input: T, mask: T, source: T): T {
  checkTensor(input, 'masked_scatter');
  checkTensor(mask, 'masked_scatter', 'mask');
  checkTensor(source, 'masked_scatter', 'source');
  if (input.dtype !== source.dtype) throw new TorchError(`masked_scatter: expected self and source to have same dtypes but got${E.typeName(input.dtype)} and ${E.typeName(source.dtype)}`);
  const shape = broadcastShapes(input.shape, mask.shape, 'masked_scatter');
  const x = Sh.expand(input, shape), m = E.ne(Sh.expand(mask, shape), 0);
  const pos = X.nonzero(Sh.reshape(m, [-1]));
  const k = pos.shape[0];
  if (source.numel() < k) throw new TorchError('Number of elements of source < number of ones in mask');
  const vals = Sh.narrow(Sh.reshape(source, [-1]), 0, 0, k);
  const n = shape.reduce((a, b) => a * b, 1);
  const spread = X.indexCopy(C.zeros([n], { dtype: input.dtype, device: input.device }), 0, Sh.reshape(pos, [-1]), vals);
  return E.where(m, Sh.reshape(spread, shape), x);
}
export function maskedScatter_(self: T, mask: T, source: T): T {
  return inplaceResult(self, 'masked_scatter_', (s) => maskedScatter(s, mask, source), [mask, source]);
}

// ---- fill_diagonal_ --------------------------------------------------------------------------------------------------------
/** x.fillDiagonal_(fillValue, wrap=false): the main diagonal (every dim's index equal) set to fillValue; wrap continues
 *  it below a tall 2-D matrix every width+1 rows, as PyTorch's/NumPy's */
export function fillDiagonalRow(self: T, fillValue: number | boolean, wrapAround: boolean): T {
  checkTensor(self, 'fill_diagonal_');
  if (self.ndim < 2) throw new TorchError('dimensions must larger than 1');
  const h = self.shape[0], w = self.shape[1];
  for (let i = 1; i < self.ndim; i++) if (self.shape[i] !== h && self.ndim > 2) throw new TorchError('all dimensions of input must be of equal length');
  const mask = noGrad(() => {
    const m = C.zeros(self.shape.slice(), { dtype: 'bool', device: self.device });
    const st = m._strides.reduce((a, b) => a + b, 0);
    const size = Math.min(h, w);
    E.fillInplace(Sh.asStrided(m, [size], [st], m._offset), true);
    if (wrapAround && self.ndim === 2 && h > w + 1) {
      const step = w + 1;
      const wrapSize = Math.floor((self.numel() + step - 1) / step) - size;
      if (wrapSize > 0) E.fillInplace(Sh.asStrided(m, [wrapSize], [st], m._offset + m._strides[0] * (w + 1)), true);
    }
    return m;
  });
  const v = E.scalarTensor(fillValue, self.dtype, self.device);
  return inplaceResult(self, 'fill_diagonal_', (s) => E.where(mask, v, s));
}

// ---- multinomial -----------------------------------------------------------------------------------------------------------
/** torch.multinomial(input, numSamples, replacement=false, { generator }): category indices drawn with input's row
 *  weights; without replacement each row's draws are distinct (each draw renormalises over what is left) */
export function multinomial(input: T, numSamples: number, replacement: boolean, generator: C.Generator | null): T {
  checkTensor(input, 'multinomial');
  checkInt(numSamples, 'multinomial', 'num_samples');
  if (!isFloating(input.dtype)) throw new TorchError(`multinomial only supports floating-point dtypes for input, got: ${E.typeName(input.dtype)}`);
  if (input.ndim !== 1 && input.ndim !== 2) throw new TorchError('prob_dist must be 1 or 2 dim');
  const k = input.shape[input.ndim - 1], rows = input.ndim === 1 ? 1 : input.shape[0];
  if (numSamples <= 0) throw new TorchError('cannot sample n_sample <= 0 samples');
  if (!replacement && numSamples > k) throw new TorchError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  if (k > 2 ** 24) throw new TorchError('number of categories cannot exceed 2^24');
  hostLimit('multinomial', rows * numSamples);
  const p = Array.from(flat(input));
  for (const v of p) if (!(v >= 0) || !Number.isFinite(v)) throw new TorchError('probability tensor contains either `inf`, `nan` or element < 0');
  const u = flat(C.rand([rows * numSamples], { dtype: 'float64', ...(generator !== null && { generator }) }));
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const w = p.slice(r * k, (r + 1) * k);
    if (!(w.reduce((a, b) => a + b, 0) > 0)) throw new TorchError('invalid multinomial distribution (sum of probabilities <= 0)');
    for (let s = 0; s < numSamples; s++) {
      const total = w.reduce((a, b) => a + b, 0);
      if (!(total > 0)) throw new TorchError('invalid multinomial distribution (with replacement=False, not enough non-negative category to sample)');
      const target = u[r * numSamples + s] * total;
      let acc = 0, pick = -1;
      for (let c = 0; c < k; c++) {
        if (w[c] <= 0) continue;
        acc += w[c];
        pick = c;
        if (target < acc) break;
      }
      out.push(pick);
      if (!replacement) w[pick] = 0;
    }
  }
  return fromHost(out, input.ndim === 1 ? [numSamples] : [rows, numSamples], 'int64', input.device);
}

// ---- isin ----------------------------------------------------------------------------------------------------------------------
/** torch.isin(elements, testElements, { assumeUnique, invert }): whether each element is among testElements (either may be a number) */
export function isin(elements: T | number | boolean, testElements: T | number | boolean, assumeUnique: boolean, invert: boolean): T {
  void assumeUnique;
  if (!(elements instanceof Tensor) && !(testElements instanceof Tensor)) throw new TypeError('isin(): at least one of elements and test_elements must be a Tensor');
  const dev = elements instanceof Tensor ? elements.device : (testElements as T).device;
  const el = elements instanceof Tensor ? elements : E.scalarTensor(elements, typeof elements === 'boolean' ? 'bool' : Number.isInteger(elements) ? 'int64' : 'float32', dev);
  const te = testElements instanceof Tensor ? flat(testElements) : [Number(testElements)];
  const set = new Set(te);
  const r = Array.from(flat(el), (v) => (set.has(v) !== invert ? 1 : 0));
  return fromHost(r, el.shape, 'bool', el.device);
}

// ---- histogram -----------------------------------------------------------------------------------------------------------------
/** torch.histogram(input, bins, { range, weight, density }) -> [hist, binEdges]: bins a count (equal widths over range,
 *  default the input's min..max) or a tensor of increasing edges; the last bin includes its right edge */
export function histogram(input: T, bins: number | T, range: number | readonly number[] | null, weight: T | null, density: boolean): [T, T] {
  checkTensor(input, 'histogram');
  if (!isFloating(input.dtype)) throw new TorchError(`"histogramdd" not implemented for '${E.typeName(input.dtype)}'`);
  if (weight !== null) {
    checkTensor(weight, 'histogram', 'weight');
    if (weight.shape.length !== input.shape.length || weight.shape.some((s, i) => s !== input.shape[i])) {
      throw new TorchError(`torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape ${shp([input.numel(), 1])} and weight with shape ${shp(weight.shape)}`);
    }
  }
  const xs = flat(input);
  let edges: number[];
  if (bins instanceof Tensor) {
    if (bins.dtype !== input.dtype) throw new TorchError(`torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input with dtype ${input.dtype === 'float32' ? 'float' : input.dtype === 'float64' ? 'double' : input.dtype} and bins for dimension 0 with dtype ${bins.dtype === 'float32' ? 'float' : bins.dtype === 'float64' ? 'double' : bins.dtype}`);
    if (bins.ndim !== 1) throw new TorchError(`torch.histogramdd: bins tensor should have one dimension, but got ${bins.ndim} dimensions in the bins tensor for dimension 0`);
    if (bins.numel() < 1) throw new TorchError('torch.histogramdd: bins tensor should have at least 1 element, but got 0 elements in the bins tensor for dimension 0');
    edges = Array.from(flat(bins));
  } else {
    checkInt(bins, 'histogram', 'bins');
    if (bins <= 0) throw new TorchError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
    hostLimit('histogram', bins + 1);
    let lo: number, hi: number;
    if (range !== null) {
      const rg = typeof range === 'number' ? [range] : range;
      if (rg.length !== 2) throw new TorchError(`torch.histogramdd: for 1 dimensions, range should have 2 elements, but got ${rg.length}`);
      [lo, hi] = rg;
    } else if (xs.length) {
      lo = Infinity; hi = -Infinity;
      for (const v of xs) { if (v < lo) lo = v; if (v > hi) hi = v; }
    } else { lo = 0; hi = 1; }
    if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new TorchError(`torch.histogramdd: dimension 0's range [${lo}, ${hi}] is not finite`);
    if (lo > hi) throw new TorchError(`torch.histogramdd: min should not exceed max, but got min ${lo} max ${hi} for dimension 0`);
    if (lo === hi) { lo -= 0.5; hi += 0.5; }
    // (PyTorch computes the edges with linspace in the input's dtype)
    edges = Array.from(flat(C.linspace(lo, hi, bins + 1, { dtype: input.dtype })));
  }
  const nb = edges.length - 1;
  const hist = new Array<number>(Math.max(nb, 0)).fill(0);
  const ws = weight ? flat(weight) : null;
  const lo = edges[0], hi = edges[nb];
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (!(v >= lo && v <= hi) || nb <= 0) continue;
    // PyTorch's linear guess, corrected against the actual edges
    let pos = bins instanceof Tensor ? upperBound(edges, v) - 1 : Math.floor(((v - lo) * nb) / (hi - lo));
    if (pos >= nb) pos = nb - 1;
    if (!(bins instanceof Tensor)) {
      if (pos > 0 && edges[pos] > v) pos--;
      else if (pos < nb - 1 && edges[pos + 1] <= v) pos++;
    }
    if (pos >= nb) pos = nb - 1;
    hist[pos] += ws ? ws[i] : 1;
  }
  let h = hist;
  if (density) {
    const total = hist.reduce((a, b) => a + b, 0);
    h = hist.map((c, i) => c / (total * (edges[i + 1] - edges[i])));
  }
  const dt = input.dtype;
  return [fromHost(h, [h.length], dt, input.device), fromHost(edges, [edges.length], dt, input.device)];
}
function upperBound(a: number[], v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= v) lo = m + 1; else hi = m; }
  return lo;
}

// ---- vander ------------------------------------------------------------------------------------------------------------------
/** torch.vander(x, N=None, increasing=false): the Vandermonde matrix, columns x^(N-1) .. x^0 (increasing: x^0 .. x^(N-1)) */
export function vander(x: T, N: number | null, increasing: boolean): T {
  checkTensor(x, 'vander', 'x');
  if (x.ndim !== 1) throw new TorchError('x must be a one-dimensional tensor.');
  const n = N ?? x.shape[0];
  checkInt(n, 'vander', 'N');
  if (n < 0) throw new TorchError('N must be non-negative.');
  const dt = promoteTypes(x.dtype === 'bool' ? 'int64' : x.dtype, toDType('int64'));
  const rows = x.shape[0];
  const one = C.ones([rows, Math.min(n, 1)], { dtype: dt, device: x.device });
  let r = one;
  if (n > 1) {
    const xc = E.toDtype(Sh.unsqueeze(x, 1), dt);
    r = Sh.cat([one, R.cumprod(Sh.expand(xc, [rows, n - 1]), 1)], 1);
  }
  return increasing ? r : Sh.flip(r, [1]);
}
