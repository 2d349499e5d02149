// functional_more.ts - nn.functional forms nodetorch lacked (ops.schema rows with from=functional_more):
// dropout3d, feature_alpha_dropout, embedding_bag, max_unpool1d/2d/3d. Composites of existing differentiable ops, so
// their gradients are those ops' (PyTorch 1.13's semantics, defaults and messages).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { isFloating } from '../dtype';
import { rand, zeros, tensor as makeTensor } from '../ops/creation';
import { toDtype } from '../ops/elementwise';
import { stack } from '../ops/shape';
import { embedding } from './functional';

type T = Tensor;
type Size = number | readonly number[];
const shapeStr = (t: T): string => `[${t.shape.join(', ')}]`;
function checkTensor(x: unknown, op: string, name = 'input'): asserts x is T {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor`);
}
function checkP(p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${p}`);
}
// a mask over the batch and channel dims (the spatial dims 1): PyTorch's _dropout_impl with feature_dropout
function featureMask(x: T, p: number, batched: boolean): T {
  const keepDims = batched ? 2 : 1;
  const shape = x.shape.map((s, i) => (i < keepDims ? s : 1));
  return toDtype(rand(shape, { dtype: x.dtype, device: x.device }).lt(1 - p), x.dtype);
}

/** dropout3d(input, p = 0.5, training = true, inplace = false): whole channels of [N, C, D, H, W] or [C, D, H, W] */
export function dropout3d(x: T, p: number, training: boolean, inplace: boolean): T {
  checkTensor(x, 'dropout3d');
  checkP(p);
  if (x.ndim !== 4 && x.ndim !== 5) {
    throw new TorchError(`dropout3d: Expected 4D or 5D input, but received a ${x.ndim}D input. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).`);
  }
  if (!training || p === 0) return x;
  if (!isFloating(x.dtype)) throw new TorchError(`"bernoulli" not implemented for '${x.dtype}'`);
  const m = p === 1 ? zeros(x.shape.map((s, i) => (i < (x.ndim === 5 ? 2 : 1) ? s : 1)), { dtype: x.dtype, device: x.device })
    : featureMask(x, p, x.ndim === 5).mul(1 / (1 - p));
  return inplace ? x.mul_(m) : x.mul(m);
}

/** feature_alpha_dropout(input, p = 0.5, training = false, inplace = false): alpha dropout of whole channels
 *  (a dropped channel takes SELU's negative saturation value, the rest is rescaled to keep mean and variance) */
export function featureAlphaDropout(x: T, p: number, training: boolean, inplace: boolean): T {
  checkTensor(x, 'feature_alpha_dropout');
  checkP(p);
  if (!training || p === 0) return x;
  if (x.ndim < 2) throw new TorchError(`Feature dropout requires at least 2 dimensions in the input`);
  if (!isFloating(x.dtype)) throw new TorchError(`"bernoulli" not implemented for '${x.dtype}'`);
  const alpha = 1.7580993408473766;
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const keep = featureMask(x, p, true);
  const b = keep.sub(1).mul(alpha * a).add(alpha * a * p);
  return inplace ? x.mul_(keep.mul(a)).add_(b) : x.mul(keep.mul(a)).add(b);
}

/** embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode = 'mean', sparse,
 *  per_sample_weights, include_last_offset, padding_idx): sums, means or maxima of bags of embeddings. A 2-D input is
 *  one bag per row; a 1-D input is split into bags at `offsets`. Entries equal to padding_idx take no part (and are
 *  not counted by 'mean'); an empty bag gives zeros. */
export function embeddingBag(input: T, weight: T, offsets: T | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean,
  mode: 'sum' | 'mean' | 'max', sparse: boolean, perSampleWeights: T | null, includeLastOffset: boolean, paddingIdx: number | null): T {
  checkTensor(input, 'embedding_bag'); checkTensor(weight, 'embedding_bag', 'weight');
  if (sparse) throw new TorchError('embedding_bag: sparse gradients are not supported (nodetorch has no sparse tensors)');
  if (weight.ndim !== 2) throw new TorchError(`weight has to be a 2D Tensor, but got Tensor of dimension ${weight.ndim}`);
  if (input.dtype !== 'int64' && input.dtype !== 'int32') throw new TorchError(`embedding_bag: Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead`);
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new TorchError(`mode has to be one of sum, mean or max`);
  if (perSampleWeights !== null && perSampleWeights !== undefined) {
    checkTensor(perSampleWeights, 'embedding_bag', 'per_sample_weights');
    if (mode !== 'sum') throw new TorchError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on the Pytorch GitHub.`);
    if (perSampleWeights.shape.join() !== input.shape.join()) throw new TorchError(`embedding_bag: If per_sample_weights (${shapeStr(perSampleWeights)}) is not None, then it must have the same shape as the input (${shapeStr(input)})`);
  }
  let flat: T, offs: number[];
  const n = input.numel();
  if (input.ndim === 2) {
    if (offsets !== null && offsets !== undefined) throw new TorchError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type Tensor');
    const [B, L] = input.shape;
    flat = input.reshape([-1]);
    offs = Array.from({ length: B + 1 }, (_, i) => i * L);
  } else if (input.ndim === 1) {
    if (offsets === null || offsets === undefined) throw new TorchError('offsets has to be a 1D Tensor but got None');
    checkTensor(offsets, 'embedding_bag', 'offsets');
    if (offsets.ndim !== 1) throw new TorchError('offsets has to be a 1D Tensor');
    flat = input;
    const o = (offsets.tolist() as number[]).map(Number);
    if (o.length && o[0] !== 0) throw new TorchError(`offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${o[0]}`);
    if (o.some((v, i) => i > 0 && v < o[i - 1])) throw new TorchError('embedding_bag: offsets must be non-decreasing');
    if (o.length && o[o.length - 1] > n) throw new TorchError(`offsets[-1] can not be greater than input's length ${n}, but got offsets[-1] of ${o[o.length - 1]}`);
    offs = includeLastOffset ? o : [...o, n];
    if (includeLastOffset && o.length === 0) throw new TorchError('include_last_offset: number of offset should be at least 1');
  } else throw new TorchError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  const pad = paddingIdx === null || paddingIdx === undefined ? null : paddingIdx < 0 ? paddingIdx + weight.shape[0] : paddingIdx;
  const emb = embedding(flat, weight, null, maxNorm, normType, scaleGradByFreq, false);  // [n, D] (max_norm renormalises weight)
  const idx = (flat.tolist() as number[]).map(Number);
  const psw = perSampleWeights ? perSampleWeights.reshape([-1]) : null;
  const D = weight.shape[1];
  const bags: T[] = [];
  for (let b = 0; b + 1 < offs.length; b++) {
    const members: number[] = [];
    for (let i = offs[b]; i < offs[b + 1]; i++) if (pad === null || idx[i] !== pad) members.push(i);
    if (members.length === 0) { bags.push(zeros([D], { dtype: weight.dtype, device: weight.device })); continue; }
    const sel = makeTensor(members, { dtype: 'int64', device: weight.device });
    let rows = emb.indexSelect(0, sel);
    if (psw) rows = rows.mul(psw.indexSelect(0, sel).unsqueeze(1));
    bags.push(mode === 'sum' ? rows.sum(0) : mode === 'mean' ? rows.mean(0) : rows.amax(0));
  }
  if (bags.length === 0) return zeros([0, D], { dtype: weight.dtype, device: weight.device });
  return stack(bags, 0);
}

function tuple(v: Size | null | undefined, n: number, name: string, op: string): number[] | null {
  if (v === null || v === undefined) return null;
  const a = typeof v === 'number' ? Array(n).fill(v) : Array.from(v);
  if (a.length !== n || a.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw new TorchError(`${op}: ${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
  return a;
}
/** max_unpool{n}d: the inverse of max pooling with return_indices: zeros everywhere except at the recorded maxima */
function maxUnpool(n: number, op: string, x: T, indices: T, kernelSize: Size, stride: Size | null, padding: Size, outputSize: readonly number[] | null): T {
  checkTensor(x, op); checkTensor(indices, op, 'indices');
  if (indices.dtype !== 'int64') throw new TorchError(`${op}: elements in indices should be type int64 but got: ${indices.dtype}`);
  if (x.shape.join() !== indices.shape.join()) throw new TorchError(`Expected shape of indices to be same as that of the input tensor (${shapeStr(x)}) but got indices tensor with shape: ${shapeStr(indices)}`);
  if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new TorchError(`${op}: Expected ${n + 1}D or ${n + 2}D input, but got ${x.ndim}D input of shape ${shapeStr(x)}`);
  const k = tuple(kernelSize, n, 'kernel_size', op) as number[];
  const s = tuple(stride, n, 'stride', op) ?? k;
  const p = tuple(padding, n, 'padding', op) as number[];
  const spatial = x.shape.slice(-n);
  const def = spatial.map((h, i) => (h - 1) * s[i] - 2 * p[i] + k[i]);
  let out = def;
  if (outputSize !== null && outputSize !== undefined) {
    const os = Array.from(outputSize).slice(-n);
    if (os.length !== n) throw new TorchError(`output_size should be a sequence containing ${n} or ${n + 2} elements, but it has a length of '${outputSize.length}'`);
    os.forEach((v, i) => {
      const lo = def[i] - s[i], hi = def[i] + s[i];
      if (!(lo < v && v < hi)) throw new TorchError(`invalid output_size "[${os.join(', ')}]" (dim ${i} must be between ${lo} and ${hi})`);
    });
    out = os;
  }
  const lead = x.shape.slice(0, x.ndim - n);
  const plane = out.reduce((a, b) => a * b, 1);
  const xf = x.reshape([...lead, -1]), idf = indices.reshape([...lead, -1]);
  if (idf.numel() > 0) {
    const mx = Number(idf.max().item()), mn = Number(idf.min().item());
    if (mn < 0 || mx >= plane) throw new TorchError(`Found an invalid max index: ${mn < 0 ? mn : mx} (output volumes are of size ${out.join('x')}`);
  }
  const base = zeros([...lead, plane], { dtype: x.dtype, device: x.device });
  return base.scatter(-1, idf, xf).reshape([...lead, ...out]);
}
export function maxUnpool1d(x: T, indices: T, kernelSize: Size, stride: Size | null, padding: Size, outputSize: readonly number[] | null): T {
  return maxUnpool(1, 'max_unpool1d', x, indices, kernelSize, stride, padding, outputSize);
}
export function maxUnpool2d(x: T, indices: T, kernelSize: Size, stride: Size | null, padding: Size, outputSize: readonly number[] | null): T {
  return maxUnpool(2, 'max_unpool2d', x, indices, kernelSize, stride, padding, outputSize);
}
export function maxUnpool3d(x: T, indices: T, kernelSize: Size, stride: Size | null, padding: Size, outputSize: readonly number[] | null): T {
  return maxUnpool(3, 'max_unpool3d', x, indices, kernelSize, stride, padding, outputSize);
}
