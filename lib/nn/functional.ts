// functional.ts - torch.nn.functional (imported as F): activations over the native functors of
// native/kernels/unary.def, linear/conv/pool (./convolution.ts, native kernels), and normalisation, dropout,
// embedding, padding, attention and the losses as composites of tensor ops (their gradients come from the ops').
// The public torch.nn.functional (./functional_api.ts) parses each call through the schema's F rows
// (lib/ops/ops.schema -> lib/ops/generated_functional.ts: PyTorch's positions, or any parameter by camelCase name in
// the options object); the functions here are the rows' implementations and take every parameter in the row's order,
// defaults filled in (nodetorch's modules call them so), the attention forms included.
import { Tensor, viewOf } from '../tensor';
import { TorchError } from '../errors';
import { DType, DTypeName, isFloating, toDType } from '../dtype';
import { record } from '../autograd/engine';
import { noGrad, gradState } from '../autograd/mode';
import { unaryOp, UNARY_DEFS, copyInto, where, toDtype, binaryOp, BINARY_DEFS, unaryInplace, activationInplace, clampScalarKernel, unaryKernelInto, fused } from '../ops/elementwise';
import { checkTensor, isOptions } from '../ops/util';
import { arange, rand, zeros, ones, full, tensor } from '../ops/creation';
import { cat } from '../ops/shape';

export { linear, conv1d, conv2d, convTranspose2d, unfold, fold, maxPool2d, avgPool2d, adaptiveAvgPool2d } from './convolution';
import { linear as linearF, maxPool2d, avgPool2d, convTranspose2d as convTranspose2dF, adaptiveAvgPool2d as adaptiveAvgPool2dF } from './convolution';
import { acState, autocastListed, autocastCall } from '../amp/autocast';
import { fusedBatchNorm } from './batchnorm';
import * as A from './activation_impl';
export { relu, relu6, hardtanh, leakyRelu, elu, selu, celu, gelu, silu, softplus, softmax, softmin, logSoftmax } from '../ops/generated_functional';
export { maxPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d } from './maxpool';

type T = Tensor;
const xlogyT = (a: T, b: T): T => binaryOp(BINARY_DEFS.xlogy, a, b);
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;
const sizeStr = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

function num(v: unknown, name: string, op: string, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, not ${typeof v}`);
  return v;
}

// ------------------------------------------------------------------------------------------------------------
// activations
// ------------------------------------------------------------------------------------------------------------
type Inplace = { inplace?: boolean };
// relu, relu6, hardtanh, leakyRelu, elu, selu, celu, gelu, silu, softplus, softmax, softmin, logSoftmax: the schema's
// F. rows (lib/ops/ops.schema -> lib/ops/generated_functional.ts; implementations in ./activation_impl.ts)
// threshold(x, threshold, value): x where x > threshold, else value (NaN is kept: it is not <= threshold)
// The functions below (activations, dropout, embedding, norms, distances, pad) are the schema's F rows (ops.schema;
// lib/ops/generated_functional.ts parses the call): each takes its row's parameters in PyTorch's order with the
// defaults filled in; nodetorch's modules call them positionally too.
export function threshold(x: T, thresholdArg: number, value: number, inplace: boolean): T {
  checkTensor(x, 'threshold');
  const th = num(thresholdArg, 'threshold', 'threshold', NaN), v = num(value, 'value', 'threshold', NaN);
  if (inplace) {
    // ThresholdBackward1 (PyTorch's threshold_): the gradient passes where the result is above the threshold
    return activationInplace(x, 'threshold_', (t) => copyInto(t, noGrad(() => where(t.le(th), v, t).to(t.dtype))), { name: 'ThresholdBackward1', uses: 'result', f: (g, y) => g.mul(y.gt(th)) });
  }
  const below = x.le(th);
  const y = noGrad(() => where(below, v, x).to(x.dtype));
  // ThresholdBackward0: threshold_backward(grad, self, threshold) = grad where !(self <= threshold)
  return record('ThresholdBackward0', [x], y, (g) => [g.mul(below.logicalNot())], [x]);
}
// mish = x * tanh(softplus(x)); in place (PyTorch's mish_), MishBackward0 from a kept copy of the input:
// tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2)
export function mish(x: T, inplace: boolean): T {
  const fwd = (t: T): T => t.mul(A.softplus(t, 1, 20).tanh());
  if (!inplace) return fwd(x);
  checkTensor(x, 'mish');
  const grad = (g: T, t: T): T => { const th = A.softplus(t, 1, 20).tanh(); return g.mul(th.add(t.mul(t.sigmoid()).mul(th.mul(th).neg().add(1)))); };
  return activationInplace(x, 'mish_', (t) => copyInto(t, noGrad(() => fwd(t))), { name: 'MishBackward0', uses: 'input', f: grad });
}
export function sigmoid(x: T): T { checkTensor(x, 'sigmoid'); return unaryOp(UNARY_DEFS.sigmoid, x); }
export function tanh(x: T): T { checkTensor(x, 'tanh'); return unaryOp(UNARY_DEFS.tanh, x); }
// logsigmoid(x) = min(x, 0) - log1p(exp(-|x|)) (PyTorch's form: 0 at +inf, -inf at -inf, NaN at NaN); its gradient
// LogSigmoidBackward0 is 1 - sigmoid(x) written with z = exp(-|x|) so it never forms inf/inf
export function logsigmoid(x: T): T {
  checkTensor(x, 'log_sigmoid');
  const z = noGrad(() => x.abs().neg().exp());
  const y = noGrad(() => x.clampMax(0).sub(z.log1p()));
  return record('LogSigmoidBackward0', [x], y, (g) => {
    const q = z.div(z.add(1));
    return [g.mul(where(x.lt(0), q.neg().add(1), q))];
  }, [x]);
}
export function softsign(x: T): T { return x.div(x.abs().add(1)); }
// hardsigmoid = clamp(x + 3, 0, 6) / 6; HardsigmoidBackward0 passes grad / 6 strictly inside (-3, 3) (0 at NaN)
export function hardsigmoid(x: T, inplace: boolean): T {
  const opts: Inplace = { inplace };
  checkTensor(x, 'hardsigmoid');
  const fwd = (t: T): T => t.add(3).clamp(0, 6).div(6);
  const grad = (g: T, t: T): T => g.mul(t.gt(-3).logicalAnd(t.lt(3))).div(6);
  // in place: one copy of the input is kept for the gradient, as PyTorch keeps self.clone()
  if (opts.inplace) return activationInplace(x, 'hardsigmoid_', (t) => copyInto(t, noGrad(() => fwd(t))), { name: 'HardsigmoidBackward0', uses: 'input', f: grad });
  const y = noGrad(() => fwd(x));
  return record('HardsigmoidBackward0', [x], y, (g) => [grad(g, x)], [x]);
}
// hardswish = x * clamp(x + 3, 0, 6) / 6; HardswishBackward0 as PyTorch's vectorised kernel: 0 below -3, grad from 3
// up (and at +inf), grad * (x / 3 + 0.5) in between and at NaN (which gives NaN)
export function hardswish(x: T, inplace: boolean): T {
  const opts: Inplace = { inplace };
  checkTensor(x, 'hardswish');
  const fwd = (t: T): T => t.mul(t.add(3).clamp(0, 6)).div(6);
  const grad = (g: T, t: T): T => where(t.lt(-3), 0, where(t.ge(3), g, g.mul(t.div(3).add(0.5))));
  if (opts.inplace) return activationInplace(x, 'hardswish_', (t) => copyInto(t, noGrad(() => fwd(t))), { name: 'HardswishBackward0', uses: 'input', f: grad });
  const y = noGrad(() => fwd(x));
  return record('HardswishBackward0', [x], y, (g) => [grad(g, x)], [x]);
}
export function tanhshrink(x: T): T { return x.sub(x.tanh()); }
// hardshrink: 0 on [-lambd, lambd], x elsewhere (NaN stays NaN)
export function hardshrink(x: T, lambd = 0.5): T {
  checkTensor(x, 'hardshrink');
  const l = num(lambd, 'lambd', 'hardshrink', 0.5);
  return shrinkGrad('HardshrinkBackward0', x, l, noGrad(() => where(x.ge(-l).logicalAnd(x.le(l)), 0, x)));
}
// the shrinks' backward (PyTorch's vectorised kernel): the gradient passes where x < -lambd or x > lambd, not at NaN
function shrinkGrad(name: string, x: T, l: number, y: T): T {
  return record(name, [x], y, (g) => [g.mul(x.lt(-l).logicalOr(x.gt(l)))], [x]);
}
// softshrink: x - lambd above lambd, x + lambd below -lambd, 0 between; NaN stays NaN (as PyTorch >= 2.6; 1.13 gave
// 0, pytorch#138385). The gradient passes outside [-lambd, lambd].
export function softshrink(x: T, lambd = 0.5): T {
  checkTensor(x, 'softshrink');
  const l = num(lambd, 'lambd', 'softshrink', 0.5);
  if (l < 0) throw new TorchError(`lambda must be greater or equal to 0, but found to be ${l}.`);
  return shrinkGrad('SoftshrinkBackward0', x, l, noGrad(() => where(x.gt(l), x.sub(l), where(x.lt(-l), x.add(l), where(x.isnan(), x, 0)))));
}
// prelu(x, weight): x where x > 0, weight * x elsewhere; weight has 1 or C (= x.shape[1]) elements. The gradient is
// written with selects, not products with a 0/1 mask, so an infinite x gives no NaN in the weight's gradient.
export function prelu(x: T, weight: T): T {
  checkTensor(x, 'prelu'); checkTensor(weight, 'prelu', 'weight');
  const C = x.ndim >= 2 ? x.shape[1] : 1;
  if (weight.numel() !== 1 && weight.numel() !== C) {
    throw new TorchError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${weight.numel()} and channel size = ${C}.`);
  }
  const w = weight.numel() === 1 || x.ndim < 2 ? weight.reshape([]) : weight.reshape([1, C, ...Array(x.ndim - 2).fill(1)]);
  const pos = x.gt(0);
  const y = noGrad(() => where(pos, x, w.mul(x)));
  return record('PreluBackward0', [x, weight], y, (g) => {
    const gx = x.requiresGrad ? where(pos, g, g.mul(w)) : null;
    let gw: T | null = null;
    if (weight.requiresGrad) {
      const per = where(pos, 0, g.mul(x));
      const dims = [...Array(x.ndim).keys()].filter((d) => !(w.ndim > 0 && d === 1));
      gw = (dims.length ? per.sum(dims) : per).reshape(weight.shape);
    }
    return [gx, gw];
  }, [x, weight]);
}
// rrelu: in training, each negative element is scaled by its own slope drawn from U(lower, upper); in evaluation by
// (lower + upper) / 2, i.e. leaky_relu
export function rrelu(x: T, lower0: number, upper0: number, training: boolean, inplace: boolean): T {
  const opts = { lower: lower0, upper: upper0, training, inplace };
  checkTensor(x, 'rrelu');
  const lower = num(opts.lower, 'lower', 'rrelu', 1 / 8), upper = num(opts.upper, 'upper', 'rrelu', 1 / 3);
  if (!opts.training) return A.leakyRelu(x, (lower + upper) / 2, !!opts.inplace);
  const slope = noGrad(() => rand(x.shape, { dtype: x.dtype, device: x.device }).mul(upper - lower).add(lower));
  const m = where(x.gt(0), 1, slope).to(x.dtype);
  return opts.inplace ? x.mul_(m) : x.mul(m);
}
export function glu(x: T, dim = -1): T {
  const [a, b] = x.chunk(2, dim);
  return a.mul(b.sigmoid());
}


// ------------------------------------------------------------------------------------------------------------
// bilinear, dropout, embedding
// ------------------------------------------------------------------------------------------------------------
// y[n, o] = x1[n, :] @ W[o] @ x2[n, :] + b[o]
export function bilinear(x1: T, x2: T, w: T, b: T | null = null): T {
  if (acState.on && autocastListed('bilinear', arguments)) return autocastCall('bilinear', bilinear, arguments);
  checkTensor(x1, 'bilinear', 'input1'); checkTensor(x2, 'bilinear', 'input2'); checkTensor(w, 'bilinear', 'weight');
  if (w.ndim !== 3) throw new TorchError(`bilinear(): weight must be 3-dimensional, but got ${w.ndim}-D`);
  const [O, I, J] = w.shape;
  if (x1.shape[x1.ndim - 1] !== I) throw new TorchError(`bilinear(): input1 size does not match weight size: got ${x1.shape[x1.ndim - 1]} but expected ${I}`);
  if (x2.shape[x2.ndim - 1] !== J) throw new TorchError(`bilinear(): input2 size does not match weight size: got ${x2.shape[x2.ndim - 1]} but expected ${J}`);
  const lead = x1.shape.slice(0, -1);
  const a = x1.reshape([-1, I]), c = x2.reshape([-1, J]);
  const t = a.matmul(w.permute([1, 0, 2]).reshape([I, O * J])).reshape([-1, O, J]);
  let y = t.mul(c.unsqueeze(1)).sum(-1);
  if (b) y = y.add(b);
  return y.reshape([...lead, O]);
}

type DropoutOpts = { p: number; training: boolean; inplace: boolean };
export function dropout(x: T, p: number, training: boolean, inplace: boolean): T {
  checkTensor(x, 'dropout');
  const opts: DropoutOpts = { p, training, inplace };
  if (p < 0 || p > 1) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0 || x.numel() === 0) return x;
  if (!isFloating(x.dtype)) throw new TorchError(`"bernoulli" not implemented for '${x.dtype}'`);
  // mask from the Philox stream (torch.manualSeed makes it reproducible), scaled by 1/(1-p)
  const u = rand(x.shape.slice(), { dtype: x.dtype, device: x.device });
  const m = p === 1 ? u.mul(0) : toDtype(u.lt(1 - p), x.dtype).mul(1 / (1 - p));
  // in place: x.mul_(mask), as PyTorch's dropout_ (MulBackward0)
  return opts.inplace ? x.mul_(m) : x.mul(m);
}
// whole channels of [N, C, L] (or [C, L]) inputs, as PyTorch's dropout1d
export function dropout1d(x: T, p: number, training: boolean, inplace: boolean): T {
  checkTensor(x, 'dropout1d');
  if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`dropout1d: Expected 2D or 3D input, but received a ${x.ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`);
  const r = dropout2d(x.unsqueeze(-1), p, training, false).squeeze(-1);
  return inplace ? x.copy_(r) : r;
}
export function dropout2d(x: T, p: number, training: boolean, inplace: boolean): T {
  // whole channels: the mask is [N, C, 1, 1]
  checkTensor(x, 'dropout2d');
  if (p < 0 || p > 1) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const shape = x.shape.map((s, i) => (i < x.ndim - 2 ? s : 1));
  const u = rand(shape, { dtype: x.dtype, device: x.device });
  const m = p === 1 ? u.mul(0) : toDtype(u.lt(1 - p), x.dtype).mul(1 / (1 - p));
  const r = x.mul(m);
  return inplace ? x.copy_(r) : r;
}
/** alpha_dropout(input, p=0.5, training=False, inplace=False): PyTorch's defaults (training is off unless given:
 *  nn.AlphaDropout passes its module's) */
export function alphaDropout(x: T, p: number, training: boolean, inplace: boolean): T {
  // PyTorch's _dropout_impl with alpha_dropout: keeps SELU's mean and variance
  checkTensor(x, 'alpha_dropout');
  if (p < 0 || p > 1) throw new TorchError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const alpha = 1.7580993408473766;
  const a = 1 / Math.sqrt((alpha * alpha * p + 1) * (1 - p));
  const keep = toDtype(rand(x.shape.slice(), { dtype: x.dtype, device: x.device }).lt(1 - p), x.dtype);
  const b = keep.sub(1).mul(alpha * a).add(alpha * a * p);
  return inplace ? x.mul_(keep.mul(a)).add_(b) : x.mul(keep.mul(a)).add(b);
}

export interface EmbeddingOpts { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean }

export function embedding(input: T, weight: T, paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean): T {
  const opts: EmbeddingOpts = { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse };
  checkTensor(input, 'embedding', 'indices'); checkTensor(weight, 'embedding', 'weight');
  if (input.dtype !== 'int64' && input.dtype !== 'int32') throw new TorchError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${input.dtype === 'float32' ? 'Float' : input.dtype}Tensor instead (while checking arguments for embedding)`);
  if (weight.ndim !== 2) throw new TorchError("'weight' must be 2-D");
  const [V, D] = weight.shape;
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (pad >= V || pad < -V) throw new TorchError('Padding_idx must be within num_embeddings');
    if (pad < 0) pad += V;
  }
  const flat = input.reshape([-1]);
  // indices stay on their device: indexSelect checks them there ('index out of range in self', as PyTorch); only
  // maxNorm's in-place renormalisation of the referenced rows reads them on the host
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) {
    const idxVals = flat.toTypedArray() as BigInt64Array | Int32Array;
    for (let i = 0; i < idxVals.length; i++) {
      const v = Number(idxVals[i]);
      if (v < 0 || v >= V) throw new TorchError('index out of range in self');
    }
    embeddingRenorm_(weight, idxVals, opts.maxNorm, opts.normType ?? 2);
  }
  const rows = noGrad(() => weight.detach().indexSelect(0, flat));
  const out = rows.reshape([...input.shape, D]);
  const scale = opts.scaleGradByFreq;
  const idx64 = flat.dtype === 'int64' ? flat : toDtype(flat, 'int64');
  return record('EmbeddingBackward0', [weight], out, (g) => {
    let g2 = g.reshape([-1, D]);
    if (pad !== null || scale) {
      // per-position factors on the device: 0 at paddingIdx, 1 / (occurrences of the index) with scaleGradByFreq
      const n = idx64.numel(), fo = { dtype: g.dtype, device: g.device };
      let f = scale ? zeros([V], fo).indexAdd(0, idx64, ones([n], fo)).indexSelect(0, idx64).reciprocal() : ones([n], fo);
      if (pad !== null) f = f.mul(idx64.ne(pad).to(g.dtype));
      g2 = g2.mul(f.unsqueeze(1));
    }
    const z = zeros([V, D], { dtype: g.dtype, device: g.device });
    return [z.scatterAdd(0, idx64.unsqueeze(1).expand([idx64.numel(), D]), g2)];
  });
}

// rows of weight referenced by the indices with norm > maxNorm are rescaled in place (PyTorch's embedding_renorm_)
function embeddingRenorm_(weight: T, vals: BigInt64Array | Int32Array, maxNorm: number, normType: number): void {
  const uniq = [...new Set(Array.from(vals as ArrayLike<number | bigint>, Number))];
  if (!uniq.length) return;
  noGrad(() => {
    const idx = tensor(uniq, { dtype: 'int64', device: weight.device });
    const rows = weight.indexSelect(0, idx);
    const norms = rows.abs().pow(normType).sum(1, { keepdim: true }).pow(1 / normType);
    const scale = where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    const updated = rows.mul(scale);
    weight.indexPut_([idx], updated);
  });
}

export function oneHot(x: T, numClasses = -1): T {
  checkTensor(x, 'one_hot');
  if (x.dtype !== 'int64') throw new TorchError('one_hot is only applicable to index tensor.');
  let n = numClasses;
  const vals = x.toTypedArray() as BigInt64Array;
  let mx = -1, mn = 0;
  for (let i = 0; i < vals.length; i++) { const v = Number(vals[i]); if (v > mx) mx = v; if (v < mn) mn = v; }
  if (mn < 0) throw new TorchError('Class values must be non-negative.');
  if (n === -1 && vals.length === 0) throw new TorchError('Can not infer total number of classes from empty tensor.');
  if (n === -1) n = mx + 1;
  else if (mx >= n) throw new TorchError('Class values must be smaller than num_classes.');
  const cls = arange(n, { device: x.device });
  return toDtype(x.unsqueeze(-1).eq(cls), 'int64');
}

// ------------------------------------------------------------------------------------------------------------
// normalisation
// ------------------------------------------------------------------------------------------------------------
export interface BatchNormOpts { training?: boolean; momentum?: number | null; eps?: number }

// per-channel vector c shaped to broadcast over [N, C, *]
const chan = (c: T, nd: number): T => c.reshape([1, c.numel(), ...Array(Math.max(nd - 2, 0)).fill(1)]);

export function batchNorm(x: T, runningMean: T | null, runningVar: T | null, weight: T | null, bias: T | null, training: boolean, momentum: number | null, eps: number): T {
  if (acState.on && autocastListed('batch_norm', arguments)) return autocastCall('batch_norm', batchNorm, arguments);
  checkTensor(x, 'batch_norm');
  if (x.ndim < 2) throw new TorchError(`batch_norm: expected 2D or higher input (got ${x.ndim}D input)`);
  const C = x.shape[1];
  for (const [t, nm] of [[runningMean, 'running_mean'], [runningVar, 'running_var'], [weight, 'weight'], [bias, 'bias']] as [T | null, string][]) {
    if (t && t.numel() !== C) throw new TorchError(`${nm} should contain ${C} elements not ${t.numel()}`);
  }
  const nd = x.ndim;
  const dims = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2)];
  if (training && x.numel() / C <= 1) throw new TorchError(`Expected more than 1 value per channel when training, got input size ${sizeStr(x.shape)}`);
  if (!training && (!runningMean || !runningVar)) throw new TorchError('running_mean and running_var must be defined in evaluation mode');
  // one native kernel forward and backward where it applies (lib/nn/batchnorm.ts), else the composite below
  const fused = fusedBatchNorm(x, runningMean, runningVar, weight, bias, training, momentum ?? 0.1, eps);
  if (fused) return fused;
  let mean: T, invstd: T;
  if (training) {
    const n = x.numel() / C;
    mean = x.mean(dims);
    const v = x.var(dims, { correction: 0 });
    invstd = v.add(eps).rsqrt();
    if (runningMean || runningVar) {
      const m = momentum ?? 0.1;
      noGrad(() => {
        if (runningMean) runningMean.mul_(1 - m).add_(toDtype(mean.detach(), runningMean.dtype).mul(m));
        if (runningVar) runningVar.mul_(1 - m).add_(toDtype(v.detach(), runningVar.dtype).mul(m * n / (n - 1)));
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new TorchError('running_mean and running_var must be defined in evaluation mode');
    mean = runningMean;
    invstd = runningVar.add(eps).rsqrt();
  }
  // y = x * scale + shift with per-channel scale = w * invstd, shift = b - mean * scale
  let scale = invstd;
  if (weight) scale = scale.mul(weight);
  let shift = mean.mul(scale).neg();
  if (bias) shift = shift.add(bias);
  return x.mul(chan(scale, nd)).add(chan(shift, nd));
}

export function layerNorm(x: T, normalizedShape: number | number[], weight: T | null, bias: T | null, eps: number): T {
  if (acState.on && autocastListed('layer_norm', arguments)) return autocastCall('layer_norm', layerNorm, arguments);
  checkTensor(x, 'layer_norm');
  const ns = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
  const k = ns.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((s, i) => s !== ns[i])) {
    throw new TorchError(`Given normalized_shape=${shp(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${shp(x.shape)}`);
  }
  if (weight && (weight.ndim !== k || weight.shape.some((s, i) => s !== ns[i]))) throw new TorchError(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${shp(weight.shape)} and normalized_shape = ${shp(ns)}`);
  if (bias && (bias.ndim !== k || bias.shape.some((s, i) => s !== ns[i]))) throw new TorchError(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${shp(bias.shape)} and normalized_shape = ${shp(ns)}`);
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mean = x.mean(dims, { keepdim: true });
  const v = x.var(dims, { correction: 0, keepdim: true });
  let y = x.sub(mean).mul(v.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export function groupNorm(x: T, numGroups: number, weight: T | null, bias: T | null, eps: number): T {
  if (acState.on && autocastListed('group_norm', arguments)) return autocastCall('group_norm', groupNorm, arguments);
  checkTensor(x, 'group_norm');
  if (x.ndim < 2) throw new TorchError(`Expected at least 2 dimensions for input tensor but received ${x.ndim}`);
  const [N, C] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups <= 0 || C % numGroups !== 0) {
    throw new TorchError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${shp(x.shape)} and num_groups=${numGroups}`);
  }
  const xr = x.reshape([N, numGroups, -1]);
  const mean = xr.mean(2, { keepdim: true });
  const v = xr.var(2, { correction: 0, keepdim: true });
  let y = xr.sub(mean).mul(v.add(eps).rsqrt()).reshape(x.shape.slice());
  if (weight) y = y.mul(chan(weight, x.ndim));
  if (bias) y = y.add(chan(bias, x.ndim));
  return y;
}

export function instanceNorm(x: T, runningMean: T | null, runningVar: T | null, weight: T | null, bias: T | null, useInput: boolean, momentum: number, eps: number): T {
  const [N, C] = x.shape;
  // per-(n, c) statistics: a batch norm over [1, N*C, ...]; running stats (repeated per sample) as PyTorch's
  const rep = (t: T | null): T | null => (t ? t.repeat([N]) : null);
  const rm = rep(runningMean), rv = rep(runningVar);
  const r = batchNorm(x.reshape([1, N * C, ...x.shape.slice(2)]), rm, rv, null, null, useInput, momentum, eps);
  if (useInput && runningMean && rm) noGrad(() => runningMean.copy_(rm.reshape([N, C]).mean(0)));
  if (useInput && runningVar && rv) noGrad(() => runningVar.copy_(rv.reshape([N, C]).mean(0)));
  let y = r.reshape(x.shape.slice());
  if (weight) y = y.mul(chan(weight, x.ndim));
  if (bias) y = y.add(chan(bias, x.ndim));
  return y;
}

export function normalize(x: T, p: number, dim: number, eps: number): T {
  checkTensor(x, 'normalize');
  const n = x.norm(p, dim, { keepdim: true }).clampMin(eps);
  return x.div(n.expandAs(x));
}

export function cosineSimilarity(x1: T, x2: T, dim: number, eps: number): T {
  if (acState.on && autocastListed('cosine_similarity', arguments)) return autocastCall('cosine_similarity', cosineSimilarity, arguments);
  const w12 = x1.mul(x2).sum(dim);
  const n1 = x1.mul(x1).sum(dim), n2 = x2.mul(x2).sum(dim);
  return w12.div(n1.mul(n2).clampMin(eps * eps).sqrt());
}

export function pairwiseDistance(x1: T, x2: T, p: number, eps: number, keepdim: boolean): T {
  return x1.sub(x2).add(eps).norm(p, -1, { keepdim });
}

const CNAME: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };

/** F.pdist(input, p=2) (ops.schema's F.pdist row): the p-norm distances between every pair of rows i < j of a 2-d
 *  input, in row-major order of the pairs (the upper triangle of the distance matrix) */
export function pdist(x: T, p: number): T {
  checkTensor(x, 'pdist');
  if (x.ndim !== 2) throw new TorchError(`pdist only supports 2D tensors, got: ${x.ndim}D`);
  if (!isFloating(x.dtype)) throw new TorchError('pdist only supports floating-point dtypes');
  if (!(p >= 0)) throw new TorchError('pdist only supports non-negative p values');
  const n = x.shape[0];
  const I: number[] = [], J: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { I.push(i); J.push(j); }
  if (!I.length) return zeros([0], { dtype: x.dtype, device: x.device });
  const idx = (v: number[]): T => tensor(v, { dtype: 'int64', device: x.device });
  return x.indexSelect(0, idx(I)).sub(x.indexSelect(0, idx(J))).norm(p, 1);
}

// ------------------------------------------------------------------------------------------------------------
// padding
// ------------------------------------------------------------------------------------------------------------
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export function pad(x: T, padding: readonly number[], mode: PadMode, value: number | null): T {
  checkTensor(x, 'pad');
  const o = { value: value ?? undefined };
  // reflection_pad / replication_pad are on the CPU autocast float32 list (constant and circular padding are not)
  if (acState.on) {
    const op = mode === 'reflect' ? 'reflection_pad' : mode === 'replicate' ? 'replication_pad' : '';
    if (op && autocastListed(op, arguments)) return autocastCall(op, pad, arguments);
  }
  if (!Array.isArray(padding) || padding.some((v) => !Number.isInteger(v))) throw new TypeError('pad(): argument \'pad\' must be tuple of ints');
  if (padding.length % 2 !== 0) throw new TorchError('Padding length must be divisible by 2');
  const np = padding.length / 2;
  if (np > x.ndim) throw new TorchError('Padding length too large');
  if (mode === 'constant') return constantPad(x, padding, o.value ?? 0);
  if (o.value !== undefined && o.value !== 0) throw new TorchError(`Padding mode "${mode}" doesn't take in value argument.`);
  if (!['reflect', 'replicate', 'circular'].includes(mode)) throw new TorchError(`Unrecognised padding mode ${mode}`);
  // PyTorch's _pad_enum: 1, 2 or 3 padded dims of a (batched or unbatched) 2-3-d, 3-4-d or 4-5-d input
  const nd = x.ndim;
  if (!((np === 1 && (nd === 2 || nd === 3)) || (np === 2 && (nd === 3 || nd === 4)) || (np === 3 && (nd === 4 || nd === 5)))) {
    throw new TorchError(`Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now (got a ${nd}D input and ${padding.length} padding values)`);
  }
  // PyTorch 1.13's reflection and replication kernels are floating-point only (circular padding is a copy)
  if (mode !== 'circular' && !isFloating(x.dtype)) {
    throw new TorchError(`"${mode === 'reflect' ? 'reflection_padNd' : 'replication_padNd_cpu'}" not implemented for '${CNAME[x.dtype]}'`);
  }
  let r = x;
  for (let i = 0; i < np; i++) {
    const d = x.ndim - 1 - i;
    const l = padding[2 * i], rr = padding[2 * i + 1];
    const n = r.shape[d];
    if (mode === 'reflect' && (l >= n || rr >= n)) {
      throw new TorchError(`Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${rr}) at dimension ${d} of input ${shp(x.shape)}`);
    }
    if (mode === 'circular' && (l > n || rr > n)) throw new TorchError('Padding value causes wrapping around more than once.');
    // a negative side crops; the other side still pads (replicate [2, -1] of 4 elements: 5)
    if (l < 0) r = r.narrow(d, -l, r.shape[d] + l);
    if (rr < 0) r = r.narrow(d, 0, r.shape[d] + rr);
    const parts: T[] = [];
    const m = r.shape[d];
    if (l > 0) {
      if (mode === 'reflect') parts.push(r.narrow(d, 1, l).flip([d]));
      else if (mode === 'replicate') parts.push(r.narrow(d, 0, 1).expand(r.shape.map((s, j) => (j === d ? l : s))));
      else parts.push(r.narrow(d, m - l, l));
    }
    parts.push(r);
    if (rr > 0) {
      if (mode === 'reflect') parts.push(r.narrow(d, m - 1 - rr, rr).flip([d]));
      else if (mode === 'replicate') parts.push(r.narrow(d, m - 1, 1).expand(r.shape.map((s, j) => (j === d ? rr : s))));
      else parts.push(r.narrow(d, 0, rr));
    }
    r = parts.length > 1 ? cat(parts, d) : r;
  }
  // always a new contiguous tensor, as PyTorch's padding kernels (a crop alone would be a view of x)
  return r._st === x._st ? r.contiguous()._st === x._st ? r.clone({ memoryFormat: 'contiguousFormat' }) : r.contiguous() : r;
}

function constantPad(x: T, padding: number[], value: number): T {
  const np = padding.length / 2;
  const outShape = x.shape.slice();
  const srcStart = new Array<number>(x.ndim).fill(0), dstStart = new Array<number>(x.ndim).fill(0), len = x.shape.slice();
  for (let i = 0; i < np; i++) {
    const d = x.ndim - 1 - i;
    const l = padding[2 * i], r = padding[2 * i + 1];
    outShape[d] = x.shape[d] + l + r;
    if (outShape[d] < 0) throw new TorchError(`The input size ${x.shape[d]}, plus negative padding ${l} and ${r} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
    srcStart[d] = Math.max(0, -l);
    dstStart[d] = Math.max(0, l);
    len[d] = Math.max(0, x.shape[d] - Math.max(0, -l) - Math.max(0, -r));
  }
  const out = full(outShape, value, { dtype: x.dtype, device: x.device });
  const sub = (t: T, start: number[]): T => viewOf(t, len.slice(), t._strides.slice(), t._offset + start.reduce((a, s, i) => a + s * t._strides[i], 0));
  if (len.every((v) => v > 0)) copyInto(sub(out, dstStart), sub(x, srcStart));
  const inShape = x.shape.slice();
  return record('ConstantPadNdBackward0', [x], out, (g) => {
    if (gradState.enabled && g.requiresGrad) {  // createGraph: narrows of g, re-padded where x was cropped (differentiable)
      let v = g;
      for (let d = 0; d < inShape.length; d++) if (dstStart[d] !== 0 || len[d] !== g.shape[d]) v = v.narrow(d, dstStart[d], len[d]);
      const back: number[] = [];
      for (let i = 0; i < np; i++) { const d = inShape.length - 1 - i; back.push(srcStart[d], inShape[d] - srcStart[d] - len[d]); }
      return [back.some((b) => b !== 0) ? constantPad(v, back, 0) : v];
    }
    const gx = zeros(inShape, { dtype: g.dtype, device: g.device });
    if (len.every((v) => v > 0)) copyInto(sub(gx, srcStart), sub(g, dstStart));
    return [gx];
  });
}

// ------------------------------------------------------------------------------------------------------------
// pooling extras (1-d forms over the 2-d kernels)
// ------------------------------------------------------------------------------------------------------------
/** a 1-d pool's size: an int or a one-element list (PyTorch's _single) */
function single(v: number | readonly number[] | null | undefined, op: string, name: string): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new TypeError(`${op}(): argument '${name}' must be an int or a one-element list, not a list of ${v.length}`);
    return v[0];
  }
  return v as number;
}
type Size1 = number | readonly [number];
// max_pool1d / avg_pool1d: schema F rows (their parameters in PyTorch's order), the 2-d kernels over [.., 1, L]
export function maxPool1d(x: T, kernelSize0: Size1, stride0: Size1 | null, padding0: Size1, dilation0: Size1, ceilMode: boolean, returnIndices: boolean): T | [T, T] {
  const kernelSize = single(kernelSize0, 'max_pool1d', 'kernel_size') as number;
  const stride = single(stride0, 'max_pool1d', 'stride'), padding = single(padding0, 'max_pool1d', 'padding'), dilation = single(dilation0, 'max_pool1d', 'dilation');
  const r = maxPool2d(x.unsqueeze(-2), [1, kernelSize], [1, stride ?? kernelSize], [0, padding ?? 0], [1, dilation ?? 1], ceilMode, returnIndices);
  return Array.isArray(r) ? [r[0].squeeze(-2), r[1].squeeze(-2)] : r.squeeze(-2);
}
export function avgPool1d(x: T, kernelSize0: Size1, stride0: Size1 | null, padding0: Size1, ceilMode: boolean, countIncludePad: boolean): T {
  const kernelSize = single(kernelSize0, 'avg_pool1d', 'kernel_size') as number;
  const stride = single(stride0, 'avg_pool1d', 'stride'), padding = single(padding0, 'avg_pool1d', 'padding');
  return avgPool2d(x.unsqueeze(-2), [1, kernelSize], [1, stride ?? kernelSize], [0, padding ?? 0], ceilMode, countIncludePad, null).squeeze(-2);
}

// ------------------------------------------------------------------------------------------------------------
// losses
// ------------------------------------------------------------------------------------------------------------
export type Reduction = 'mean' | 'sum' | 'none';
function reduce(t: T, r: Reduction | undefined): T {
  const red = r ?? 'mean';
  if (red === 'mean') return t.mean();
  if (red === 'sum') return t.sum();
  if (red === 'none') return t;
  throw new TorchError(`${String(red)} is not a valid value for reduction`);
}
function checkRed(r: unknown): void {
  if (r !== undefined && r !== 'mean' && r !== 'sum' && r !== 'none' && r !== 'batchmean') throw new TorchError(`${String(r)} is not a valid value for reduction`);
}
/** PyTorch's _Reduction.legacy_get_string: the deprecated size_average/reduce (None: True), when either is given,
 *  decide the reduction (with PyTorch's warning); otherwise `reduction` stands. */
function legacyReduction<R extends string>(sizeAverage: boolean | null, reduce: boolean | null, reduction: R): R | Reduction {
  if (sizeAverage === null && reduce === null) return reduction;
  const sa = sizeAverage ?? true, rd = reduce ?? true;
  const r: Reduction = sa && rd ? 'mean' : rd ? 'sum' : 'none';
  process.emitWarning(`size_average and reduce args will be deprecated, please use reduction='${r}' instead.`, 'UserWarning');
  return r;
}
function pairLoss(a: T, b: T, op: string): void {
  checkTensor(a, op, 'input'); checkTensor(b, op, 'target');
}

// The losses are the schema's F rows (ops.schema; lib/ops/generated_functional.ts parses the call): each takes its
// row's parameters in PyTorch 1.13's order, defaults filled in, the deprecated size_average/reduce included.
export function mseLoss(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('mse_loss', arguments)) return autocastCall('mse_loss', mseLoss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'mse_loss'); checkRed(red);
  const d = input.sub(target);
  return reduce(d.mul(d), red);
}
export function l1Loss(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('l1_loss', arguments)) return autocastCall('l1_loss', l1Loss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'l1_loss'); checkRed(red);
  return reduce(input.sub(target).abs(), red);
}
export function smoothL1Loss(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction, beta: number): T {
  if (acState.on && autocastListed('smooth_l1_loss', arguments)) return autocastCall('smooth_l1_loss', smoothL1Loss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'smooth_l1_loss'); checkRed(red);
  if (beta < 0) throw new TorchError('smooth_l1_loss does not support negative values for beta.');
  if (beta === 0) return l1Loss(input, target, null, null, red);
  // SmoothL1LossBackward0 as PyTorch's: sign(x) beyond +-beta, x / beta inside (and at NaN), x = input - target; a
  // select, so an infinite difference gives +-1 instead of the inf * 0 of differentiating both branches of a where
  const x = noGrad(() => input.sub(target));
  const ad = noGrad(() => x.abs());
  const per = noGrad(() => where(ad.lt(beta), ad.mul(ad).mul(0.5 / beta), ad.sub(0.5 * beta)));
  return reduce(pairGrad('SmoothL1LossBackward0', input, target, per, x,
    where(x.le(-beta), -1, where(x.ge(beta), 1, x.div(beta)))), red);
}
// the elementwise loss `per` of input and target with d per / d input = dIn (and d per / d target = -dIn)
function pairGrad(name: string, input: T, target: T, per: T, x: T, dIn: T): T {
  return record(name, [input, target], per, (g) => {
    const gi = g.mul(dIn);
    return [input.requiresGrad ? sumTo(gi, input.shape) : null, target.requiresGrad ? sumTo(gi.neg(), target.shape) : null];
  }, [x]);
}
function sumTo(g: T, shape: readonly number[]): T {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? g.sum(dims, { keepdim: true }) : g;
  if (lead) r = r.reshape(shape.slice());
  return r;
}
/** huber_loss(input, target, reduction, delta): PyTorch's positions (no deprecated ones) */
export function huberLoss(input: T, target: T, reduction: Reduction, delta: number): T {
  if (acState.on && autocastListed('huber_loss', arguments)) return autocastCall('huber_loss', huberLoss, arguments);
  pairLoss(input, target, 'huber_loss'); checkRed(reduction);
  if (delta <= 0) throw new TorchError('huber_loss does not support non-positive values for delta.');
  // HuberLossBackward0 as PyTorch's: +-delta beyond +-delta, x inside (and at NaN)
  const x = noGrad(() => input.sub(target));
  const ad = noGrad(() => x.abs());
  const per = noGrad(() => where(ad.lt(delta), ad.mul(ad).mul(0.5), ad.sub(0.5 * delta).mul(delta)));
  return reduce(pairGrad('HuberLossBackward0', input, target, per, x,
    where(x.le(-delta), -delta, where(x.ge(delta), delta, x))), reduction);
}

export interface NLLOpts { weight?: T | null; ignoreIndex?: number; reduction?: Reduction }

// what a class-index target must look like, appended to PyTorch's shape messages
function targetHint(input: T, target: T): string {
  const idx = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  return ` (for an input of shape [${input.shape.join(', ')}] the target holds class indices, shape [${idx.join(', ')}] and dtype int64` +
    ` (cross_entropy also takes class probabilities of the input's shape); got a target of shape [${target.shape.join(', ')}])`;
}

// class-index targets: validates shapes/values; returns the class dim
function checkClassTarget(input: T, target: T, op: string): number {
  if (target.dtype !== 'int64') throw new TorchError(`expected scalar type Long but found ${target.dtype === 'float32' ? 'Float' : target.dtype === 'int32' ? 'Int' : target.dtype}`);
  if (input.ndim === 0) throw new TorchError(`${op}: input tensor should be 1D or more, got 0D`);
  if (input.ndim === 1) {
    if (target.ndim !== 0) throw new TorchError(`${op}: 0D or 1D target tensor expected, multi-target not supported${targetHint(input, target)}`);
    return 0;
  }
  if (target.ndim !== input.ndim - 1) {
    if (target.ndim === input.ndim && input.ndim === 2) throw new TorchError(`0D or 1D target tensor expected, multi-target not supported${targetHint(input, target)}`);
    throw new TorchError(`Expected target size ${sizeStr([input.shape[0], ...input.shape.slice(2)])}, got ${sizeStr(target.shape)}${targetHint(input, target)}`);
  }
  if (target.shape[0] !== input.shape[0]) throw new TorchError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).${targetHint(input, target)}`);
  for (let i = 2; i < input.ndim; i++) {
    if (target.shape[i - 1] !== input.shape[i]) throw new TorchError(`Expected target size ${sizeStr([input.shape[0], ...input.shape.slice(2)])}, got ${sizeStr(target.shape)}${targetHint(input, target)}`);
  }
  return 1;
}
function checkTargetValues(target: T, C: number, ignoreIndex: number): void {
  const v = target.toTypedArray() as BigInt64Array;
  for (let i = 0; i < v.length; i++) {
    const t = Number(v[i]);
    if (t !== ignoreIndex && (t < 0 || t >= C)) throw new TorchError(`Target ${t} is out of bounds.`);
  }
}
// the one-hot selection mask of the (non-ignored) targets along the class dim, in dtype dt
function targetMask(target: T, classDim: number, C: number, ignoreIndex: number, dt: DType, nd: number): { sel: T; valid: T } {
  const shape = Array<number>(nd).fill(1);
  shape[classDim] = C;
  const cls = arange(C, { device: target.device }).reshape(shape);
  const tg = classDim === 0 ? target.reshape([1]) : target.unsqueeze(1);
  const valid = target.ne(ignoreIndex);
  const sel = toDtype(tg.eq(cls).logicalAnd(classDim === 0 ? valid.reshape([1]) : valid.unsqueeze(1)), dt);
  return { sel, valid };
}

export function nllLoss(input: T, target: T, weight: T | null, sizeAverage: boolean | null, ignore: number, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('nll_loss', arguments)) return autocastCall('nll_loss', nllLoss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'nll_loss'); checkRed(red);
  const classDim = checkClassTarget(input, target, 'nll_loss');
  const C = input.shape[classDim];
  if (weight && weight.numel() !== C) throw new TorchError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shp(weight.shape)}`);
  checkTargetValues(target, C, ignore);
  // pick each target's log-probability with gather, so a NaN or -inf at another class never reaches the loss (a
  // one-hot product would give NaN * 0); ignored targets pick class 0 and are then replaced by 0 with a select
  const valid = target.ne(ignore);
  const tsafe = where(valid, target, 0);
  const picked = classDim === 0 ? input.gather(0, tsafe.reshape([1])).reshape([]) : input.gather(1, tsafe.unsqueeze(1)).squeeze(1);
  const wt = weight ? where(valid, weight.to(input.dtype).index(tsafe.reshape([-1])).reshape(tsafe.shape), 0) : toDtype(valid, input.dtype);
  const per = where(valid, picked.mul(wt).neg(), 0);
  if (red === 'none') return per;
  if (red === 'sum') return per.sum();
  return per.sum().div(wt.sum());
}

export interface CrossEntropyOpts extends NLLOpts { labelSmoothing?: number }

export function crossEntropy(input: T, target: T, weight: T | null, sizeAverage: boolean | null, ignore: number, rd: boolean | null, reduction: Reduction, ls: number): T {
  if (acState.on && autocastListed('cross_entropy_loss', arguments)) return autocastCall('cross_entropy_loss', crossEntropy, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'cross_entropy'); checkRed(red);
  if (ls < 0 || ls > 1) throw new TorchError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  if (input.ndim === 0) throw new TorchError('cross_entropy: input tensor should be 1D or more, got 0D');
  const C = input.shape[classDim];
  const logp = input.logSoftmax(classDim);
  const wshape = classDim === 0 ? [C] : [1, C, ...Array(input.ndim - 2).fill(1)];
  if (isFloating(target.dtype) && target.ndim === input.ndim) {
    // class probabilities (a float target of the input's shape)
    if (target.shape.some((s, i) => s !== input.shape[i])) {
      throw new TorchError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}). (a float target holds class probabilities of the input's shape [${input.shape.join(', ')}]; got [${target.shape.join(', ')}])`);
    }
    let t = target;
    if (ls > 0) t = t.mul(1 - ls).add(ls / C);
    let prod = logp.mul(t);
    if (weight) prod = prod.mul(weight.reshape(wshape));
    if (red === 'none') return prod.sum(classDim).neg();
    if (red === 'sum') return prod.sum().neg();
    return prod.sum().neg().div(input.numel() / C);
  }
  const nll = nllLoss(logp, target, weight, null, ignore, null, red);
  if (ls === 0) return nll;
  let smooth = weight ? logp.mul(weight.reshape(wshape)).sum(classDim).neg() : logp.sum(classDim).neg();
  const valid = target.ne(ignore);
  smooth = smooth.mul(toDtype(valid, smooth.dtype));
  let ret: T;
  if (red === 'none') ret = smooth;
  else if (red === 'sum') ret = smooth.sum();
  else if (weight) {
    const { sel } = targetMask(target, classDim, C, ignore, input.dtype, input.ndim);
    ret = smooth.sum().div(sel.mul(weight.reshape(wshape)).sum());
  } else ret = smooth.sum().div(toDtype(valid, smooth.dtype).sum());
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}

export function binaryCrossEntropy(input: T, target: T, weight: T | null, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('binary_cross_entropy', arguments)) return autocastCall('binary_cross_entropy', binaryCrossEntropy, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'binary_cross_entropy'); checkRed(red);
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new TorchError(`Using a target size (${sizeStr(target.shape)}) that is different to the input size (${sizeStr(input.shape)}) is deprecated. Please ensure they have the same size.`);
  }
  // PyTorch checks 0 <= x <= 1 per element, so a NaN input is refused too
  const v = noGrad(() => input.ge(0).logicalAnd(input.le(1)).logicalNot().any().item());
  if (v) throw new TorchError('all elements of input should be between 0 and 1');
  // elementwise loss (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100), in PyTorch's order (so 0 * log terms
  // give +0), with PyTorch's gradients: (x - t) / max(x(1-x), 1e-12) for the input, finite at x = 0 or 1, and the
  // unclamped log(1 - x) - log(x) for the target
  const xd = input.detach(), td = target.detach();
  const lx = xd.log().clampMin(-100), l1x = xd.neg().add(1).log().clampMin(-100);
  const val = td.sub(1).mul(l1x).sub(td.mul(lx));
  const per = record('BinaryCrossEntropyBackward0', [input, target], val, (g) => [
    input.requiresGrad ? g.mul(xd.sub(td)).div(xd.mul(xd.neg().add(1)).clampMin(Math.fround(1e-12))) : null,  // PyTorch's EPSILON is a float
    target.requiresGrad ? g.mul(xd.neg().add(1).log().sub(xd.log())) : null,
  ], [input, target]);
  const w = weight ? per.mul(weight) : per;
  return reduce(w, red);
}

export function binaryCrossEntropyWithLogits(input: T, target: T, weight: T | null, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction, posWeight: T | null): T {
  if (acState.on && autocastListed('binary_cross_entropy_with_logits', arguments)) return autocastCall('binary_cross_entropy_with_logits', binaryCrossEntropyWithLogits, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'binary_cross_entropy_with_logits'); checkRed(red);
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new TorchError(`Target size (${sizeStr(target.shape)}) must be the same as input size (${sizeStr(input.shape)})`);
  }
  // (1 - t) x + lw * softplus(-x), lw = 1 + (pos_weight - 1) t; softplus carries the exact gradient
  const sp = A.softplus(input.neg(), 1, 20);
  let loss: T;
  if (posWeight) {
    const lw = posWeight.sub(1).mul(target).add(1);
    loss = target.neg().add(1).mul(input).add(lw.mul(sp));
  } else loss = target.neg().add(1).mul(input).add(sp);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, red);
}

// (as PyTorch 1.13's F.kl_div: with size_average/reduce given, reduction='batchmean' still divides the legacy
// reduction's result by the batch size)
export function klDiv(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction | 'batchmean', logTarget: boolean): T {
  if (acState.on && autocastListed('kl_div', arguments)) return autocastCall('kl_div', klDiv, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'kl_div'); checkRed(red);
  const loss = logTarget ? target.exp().mul(target.sub(input)) : xlogyT(target, target).sub(target.mul(input));
  if (red === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  const r = reduce(loss, red as Reduction);
  return red !== reduction && reduction === 'batchmean' && input.ndim !== 0 ? r.div(input.shape[0]) : r;
}

export function poissonNllLoss(input: T, target: T, logInput: boolean, full: boolean, sizeAverage: boolean | null, eps: number, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('poisson_nll_loss', arguments)) return autocastCall('poisson_nll_loss', poissonNllLoss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    const st = target.mul(target.log()).sub(target).add(target.mul(2 * Math.PI).log().mul(0.5));
    loss = loss.add(where(target.gt(1), st, 0));
  }
  return reduce(loss, red);
}

export function marginRankingLoss(x1: T, x2: T, target: T, margin: number, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  if (acState.on && autocastListed('margin_ranking_loss', arguments)) return autocastCall('margin_ranking_loss', marginRankingLoss, arguments);
  const red = legacyReduction(sizeAverage, rd, reduction);
  checkRed(red);
  return reduce(target.neg().mul(x1.sub(x2)).add(margin).clampMin(0), red);
}

// ------------------------------------------------------------------------------------------------------------
// pixel shuffle, power-average pooling, local response norm, conv_transpose1d (composites of the ops above; their
// gradients come from the ops')
// ------------------------------------------------------------------------------------------------------------
// pixel_shuffle: [*, C*r*r, H, W] -> [*, C, H*r, W*r] (PyTorch's reshape/permute; pixel_unshuffle is its inverse)
export function pixelShuffle(x: T, r: number): T {
  checkTensor(x, 'pixel_shuffle');
  if (x.ndim < 3) throw new TorchError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`);
  if (!Number.isInteger(r) || r <= 0) throw new TorchError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
  const lead = x.shape.slice(0, -3), [C, H, W] = x.shape.slice(-3);
  if (C % (r * r) !== 0) throw new TorchError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
  const n = lead.length, oc = C / (r * r);
  const y = x.reshape([...lead, oc, r, r, H, W]);
  const perm = [...lead.keys(), n, n + 3, n + 1, n + 4, n + 2];
  return y.permute(perm).reshape([...lead, oc, H * r, W * r]);
}
export function pixelUnshuffle(x: T, r: number): T {
  checkTensor(x, 'pixel_unshuffle');
  if (x.ndim < 3) throw new TorchError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`);
  if (!Number.isInteger(r) || r <= 0) throw new TorchError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  const lead = x.shape.slice(0, -3), [C, H, W] = x.shape.slice(-3);
  if (H % r !== 0) throw new TorchError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new TorchError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  const n = lead.length;
  const y = x.reshape([...lead, C, H / r, r, W / r, r]);
  const perm = [...lead.keys(), n, n + 2, n + 4, n + 1, n + 3];
  return y.permute(perm).reshape([...lead, C * r * r, H / r, W / r]);
}
// lp_pool: (sum over the window of x^p)^(1/p), as PyTorch's: the average pool of x^p times the window size, with
// sign(out) * relu(|out|) before the root
function lpRoot(out: T, kk: number, p: number): T { return out.sign().mul(out.abs().relu()).mul(kk).pow(1 / p); }
export function lpPool1d(x: T, normType: number, kernelSize: Size1, stride: Size1 | null, ceilMode: boolean): T {
  checkTensor(x, 'lp_pool1d');
  const k = single(kernelSize, 'lp_pool1d', 'kernel_size') as number;
  return lpRoot(avgPool1d(x.pow(normType), k, stride, 0, ceilMode, true), k, normType);
}
export function lpPool2d(x: T, normType: number, kernelSize: number | readonly number[], stride: number | readonly number[] | null, ceilMode: boolean): T {
  checkTensor(x, 'lp_pool2d');
  const k = Array.isArray(kernelSize) ? kernelSize as readonly number[] : [kernelSize as number, kernelSize as number];
  return lpRoot(avgPool2d(x.pow(normType), kernelSize, stride, 0, ceilMode, true, null), k.reduce((a, b) => a * b, 1), normType);
}
// local_response_norm: x / (k + alpha * mean over a window of `size` channels of x^2)^beta, the window zero-padded
// size // 2 before and (size - 1) // 2 after each channel (PyTorch's avg_pool over the channel dim)
export function localResponseNorm(x: T, size: number, alpha: number, beta: number, k: number): T {
  checkTensor(x, 'local_response_norm');
  if (x.ndim < 3) throw new TorchError(`Expected 3D or higher dimensionality input (got ${x.ndim} dimensions)`);
  if (x.numel() === 0) return x;
  const [N, C] = x.shape;
  const sq = x.mul(x).reshape([N, 1, C, -1]);
  const padded = pad(sq, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)], 'constant', null);
  const div = avgPool2d(padded, [size, 1], 1, 0, false, true, null).reshape(x.shape.slice());
  return x.div(div.mul(alpha).add(k).pow(beta));
}
// conv_transpose1d: conv_transpose2d over [N, C, 1, L] with a [Cin, Cout/G, 1, k] weight
export function convTranspose1d(x: T, w: T, b: T | null, stride: Size1, padding: Size1, outputPadding: Size1, groups: number, dilation: Size1): T {
  checkTensor(x, 'conv_transpose1d', 'input'); checkTensor(w, 'conv_transpose1d', 'weight');
  if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: [${x.shape.join(', ')}]`);
  if (w.ndim !== 3) throw new TorchError(`conv_transpose1d: expected a 3-D weight, got [${w.shape.join(', ')}]`);
  const one = (v: Size1, name: string): number => single(v, 'conv_transpose1d', name) as number;
  const y = convTranspose2dF(x.unsqueeze(-2), w.unsqueeze(-2), b, [1, one(stride, 'stride')], [0, one(padding, 'padding')],
    [0, one(outputPadding, 'output_padding')], groups, [1, one(dilation, 'dilation')]);
  return y.squeeze(-2);
}

// ------------------------------------------------------------------------------------------------------------
// interpolate: nearest / nearest-exact / (bi|tri)linear as separable index_select gathers per spatial dim (their
// gradients are index_select's), area as adaptive average pooling; PyTorch's index arithmetic
// (UpSample.h: area_pixel_compute_scale / area_pixel_compute_source_index / nearest_idx, float for the nearest modes)
// ------------------------------------------------------------------------------------------------------------
type InterpMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area' | 'nearest-exact';
const LINEAR_DIMS: Partial<Record<InterpMode, number>> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };
export function interpolate(x: T, size: number | readonly number[] | null, scaleFactor: number | readonly number[] | null, mode: InterpMode,
  alignCorners: boolean | null, recomputeScaleFactor: boolean | null, antialias: boolean): T {
  checkTensor(x, 'interpolate');
  const nsp = x.ndim - 2;
  if (nsp < 1 || nsp > 3) throw new TorchError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
  const interpolating = LINEAR_DIMS[mode] !== undefined;
  if (!interpolating && alignCorners !== null) throw new TorchError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  if (interpolating && LINEAR_DIMS[mode] !== nsp) {
    throw new TorchError(`Got ${x.ndim}D input, but ${mode} mode needs ${(LINEAR_DIMS[mode] as number) + 2}D input`);
  }
  // integer inputs: PyTorch 1.13's CPU kernels take uint8 for nearest(-exact) only
  if (!isFloating(x.dtype) && !(x.dtype === 'uint8' && (mode === 'nearest' || mode === 'nearest-exact'))) {
    const kern = mode === 'area' ? 'adaptive_avg_pool2d' : mode === 'bicubic' ? 'compute_indices_weights_cubic' : interpolating ? 'compute_indices_weights_linear' : 'compute_indices_weights_nearest';
    throw new TorchError(`"${kern}" not implemented for '${CNAME[x.dtype]}'`);
  }
  if (antialias) throw new TorchError('interpolate(): antialias=True is not implemented in nodetorch');
  if (size !== null && scaleFactor !== null) throw new TorchError('only one of size or scale_factor should be defined');
  if (size === null && scaleFactor === null) throw new TorchError('either size or scale_factor should be defined');
  if (recomputeScaleFactor && size !== null) throw new TorchError('recompute_scale_factor is not meaningful with an explicit size.');
  const inSp = x.shape.slice(2);
  let outSp: number[];
  let scales: (number | null)[] = Array(nsp).fill(null);
  if (size !== null) {
    const s = Array.isArray(size) ? (size as readonly number[]).slice() : Array(nsp).fill(size);
    if (s.length !== nsp) throw new TorchError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${inSp.join(', ')}] and output size of [${s.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    outSp = s;
  } else {
    const f = Array.isArray(scaleFactor) ? (scaleFactor as readonly number[]).slice() : Array(nsp).fill(scaleFactor);
    if (f.length !== nsp) throw new TorchError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${inSp.join(', ')}] and scale_factor of shape [${f.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
    outSp = inSp.map((n, i) => Math.floor(n * f[i]));
    if (!recomputeScaleFactor) scales = f;
  }
  if (outSp.some((o) => !Number.isInteger(o) || o <= 0)) throw new TorchError(`Input and output sizes should be greater than 0, but got input (${inSp.join(', ')}) and output (${outSp.join(', ')})`);
  if (mode === 'area') {
    // adaptive average pooling to the output size (1-d and 3-d through the 2-d pool)
    if (nsp === 2) return adaptiveAvgPool2dF(x, outSp);
    if (nsp === 1) return adaptiveAvgPool2dF(x.unsqueeze(-2), [1, outSp[0]]).squeeze(-2);
    const [N, C, D, H, W] = x.shape;
    const hw = adaptiveAvgPool2dF(x.reshape([N, C * D, H, W]), [outSp[1], outSp[2]]).reshape([N, C, D, outSp[1] * outSp[2]]);
    return adaptiveAvgPool2dF(hw, [outSp[0], outSp[1] * outSp[2]]).reshape([N, C, ...outSp]);
  }
  // float16/bfloat16 interpolate in float32 and round once at the end (PyTorch >= 2.1's opmath; 1.13 rounded its
  // weights to the low dtype)
  const low = interpolating && (x.dtype === 'float16' || x.dtype === 'bfloat16');
  let y = low ? toDtype(x, 'float32') : x;
  for (let i = 0; i < nsp; i++) {
    const d = 2 + i, n = inSp[i], o = outSp[i];
    if (mode === 'bicubic') {
      // upsample_bicubic2d: the source index unclamped (cubic), 4 taps at floor(src) - 1 .. + 2 clamped to the input,
      // Keys' cubic convolution weights with A = -0.75
      const scale = alignCorners ? (o > 1 ? (n - 1) / (o - 1) : 0) : (scales[i] !== null ? 1 / (scales[i] as number) : n / o);
      const A = -0.75;
      const cc1 = (v: number): number => ((A + 2) * v - (A + 3)) * v * v + 1;
      const cc2 = (v: number): number => ((A * v - 5 * A) * v + 8 * A) * v - 4 * A;
      const idx: number[][] = [[], [], [], []], w: number[][] = [[], [], [], []];
      for (let j = 0; j < o; j++) {
        const src = alignCorners ? scale * j : scale * (j + 0.5) - 0.5;
        const f = Math.floor(src), t = src - f;
        const ws = [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)];
        for (let k = 0; k < 4; k++) { idx[k].push(Math.min(Math.max(f - 1 + k, 0), n - 1)); w[k].push(ws[k]); }
      }
      const shape = Array<number>(x.ndim).fill(1); shape[d] = o;
      let acc: T | null = null;
      for (let k = 0; k < 4; k++) {
        const term = y.indexSelect(d, tensor(idx[k], { device: y.device })).mul(tensor(w[k], { dtype: y.dtype, device: y.device }).reshape(shape));
        acc = acc === null ? term : acc.add(term);
      }
      y = acc as T;
    } else if (interpolating) {
      // area_pixel_compute_scale and the source index (clamped at 0 when not align_corners), in double
      const scale = alignCorners ? (o > 1 ? (n - 1) / (o - 1) : 0) : (scales[i] !== null ? 1 / (scales[i] as number) : n / o);
      const i0: number[] = [], i1: number[] = [], l1: number[] = [];
      for (let j = 0; j < o; j++) {
        const src = alignCorners ? scale * j : Math.max(scale * (j + 0.5) - 0.5, 0);
        const a = Math.min(Math.floor(src), n - 1);
        i0.push(a); i1.push(a < n - 1 ? a + 1 : a); l1.push(src - a);
      }
      const shape = Array<number>(x.ndim).fill(1); shape[d] = o;
      const lam = tensor(l1, { dtype: y.dtype, device: y.device }).reshape(shape);
      const lo = y.indexSelect(d, tensor(i0, { device: y.device })), hi = y.indexSelect(d, tensor(i1, { device: y.device }));
      y = lo.add(hi.sub(lo).mul(lam));
    } else {
      // nearest: floor(j * scale), nearest-exact: floor((j + 0.5) * scale), in float as PyTorch's kernel
      // (with a scale factor the index follows it even where the output size equals or doubles the input's, as
      // PyTorch 1.13's NCHW kernels; its channels-last kernel, which a 1-channel 4-d input takes, shortcuts those)
      const scale = Math.fround(scales[i] !== null ? 1 / (scales[i] as number) : n / o);
      const idx: number[] = [];
      for (let j = 0; j < o; j++) {
        const src = mode === 'nearest' ? Math.fround(j * scale) : Math.fround((j + 0.5) * scale);
        idx.push(Math.min(Math.floor(src), n - 1));
      }
      y = y.indexSelect(d, tensor(idx, { device: y.device }));
    }
  }
  return low ? toDtype(y, x.dtype) : y;
}

// gumbel_softmax: softmax((logits + g) / tau) with Gumbel(0, 1) noise g = -log(E), E ~ Exp(1) = -log(1 - U) (the global
// generator: torch.manualSeed makes it reproducible); hard: the one-hot of its argmax in the forward, the soft sample's
// gradient (y_hard - y_soft.detach() + y_soft, as PyTorch). eps is PyTorch's deprecated no-op.
export function gumbelSoftmax(logits: T, tau: number, hard: boolean, eps: number, dim: number): T {
  checkTensor(logits, 'gumbel_softmax', 'logits');
  if (eps !== 1e-10) process.emitWarning('`eps` parameter is deprecated and has no effect.', 'UserWarning');
  const g = noGrad(() => rand(logits.shape.slice(), { dtype: logits.dtype, device: logits.device }).neg().log1p().neg().log().neg());
  const ySoft = logits.add(g).div(tau).softmax(dim);
  if (!hard) return ySoft;
  const index = ySoft.argmax(dim, true);
  const yHard = noGrad(() => zeros(logits.shape.slice(), { dtype: logits.dtype, device: logits.device }).scatter(dim, index, 1));
  return yHard.sub(ySoft.detach()).add(ySoft);
}

// ------------------------------------------------------------------------------------------------------------
// more losses (PyTorch 1.13's formulas, composites of tensor ops) and adaptive_avg_pool1d
// ------------------------------------------------------------------------------------------------------------
// soft_margin_loss: log(1 + exp(-y x))
export function softMarginLoss(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'soft_margin_loss'); checkRed(red);
  return reduce(target.neg().mul(input).exp().log1p(), red);
}
// hinge_embedding_loss: x where y != -1, plus max(0, margin - x) where y != 1
export function hingeEmbeddingLoss(input: T, target: T, margin: number, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'hinge_embedding_loss'); checkRed(red);
  const marginClamp = input.neg().add(margin).clampMin(0);
  return reduce(where(target.ne(1), marginClamp, 0).add(where(target.ne(-1), input, 0)), red);
}
// cosine_embedding_loss: 1 - cos where y == 1, max(0, cos - margin) where y == -1 (cos over dim 1, or 0 for 1-d inputs)
export function cosineEmbeddingLoss(input1: T, input2: T, target: T, margin: number, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  checkTensor(input1, 'cosine_embedding_loss', 'input1'); checkTensor(input2, 'cosine_embedding_loss', 'input2'); checkTensor(target, 'cosine_embedding_loss', 'target'); checkRed(red);
  const td = target.ndim;
  if (td > 1) throw new TorchError(`0D or 1D target tensor expected, multi-target not supported`);
  if (input1.ndim !== td + 1 || input2.ndim !== td + 1) throw new TorchError(`${td + 1}D inputs expected for a ${td}D target, but got inputs of shape [${input1.shape.join(', ')}] and [${input2.shape.join(', ')}]`);
  const EPS = 1e-12;
  const prod = input1.mul(input2).sum(td);
  const m1 = input1.mul(input1).sum(td).add(EPS), m2 = input2.mul(input2).sum(td).add(EPS);
  const cos = prod.div(m1.mul(m2).sqrt());
  const pos = cos.neg().add(1), neg = cos.sub(margin).clampMin(0);
  return reduce(where(target.eq(1), pos, 0).add(where(target.eq(-1), neg, 0)), red);
}
// triplet_margin_loss: max(0, margin + d(a, p) - d(a, n)), d = pairwise_distance (swap: d(a, n) = min(d(a, n), d(p, n)))
export function tripletMarginLoss(anchor: T, positive: T, negative: T, margin: number, p: number, eps: number, swap: boolean,
  sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  checkTensor(anchor, 'triplet_margin_loss', 'anchor'); checkTensor(positive, 'triplet_margin_loss', 'positive'); checkTensor(negative, 'triplet_margin_loss', 'negative'); checkRed(red);
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) {
    throw new TorchError(`The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`);
  }
  const dPos = pairwiseDistance(anchor, positive, p, eps, false);
  let dNeg = pairwiseDistance(anchor, negative, p, eps, false);
  if (swap) dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps, false));
  return reduce(dPos.sub(dNeg).add(margin).clampMin(0), red);
}
// multilabel_soft_margin_loss: the mean over classes of -(y logsigmoid(x) + (1 - y) logsigmoid(-x)) (times weight)
export function multilabelSoftMarginLoss(input: T, target: T, weight: T | null, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'multilabel_soft_margin_loss'); checkRed(red);
  let loss = target.mul(logsigmoid(input)).add(target.neg().add(1).mul(logsigmoid(input.neg()))).neg();
  if (weight) loss = loss.mul(weight);
  const cd = input.ndim - 1;
  return reduce(loss.sum(cd).div(input.shape[cd]), red);
}
// multi_margin_loss: per sample, the sum over j != y of max(0, margin - x[y] + x[j])^p (times weight[y]) / C
export function multiMarginLoss(input: T, target: T, p: number, margin: number, weight: T | null, sizeAverage: boolean | null, rd: boolean | null, reduction: Reduction): T {
  const red = legacyReduction(sizeAverage, rd, reduction);
  pairLoss(input, target, 'multi_margin_loss'); checkRed(red);
  if (p !== 1 && p !== 2) throw new TorchError('only p == 1 and p == 2 supported');
  if (input.ndim > 2) throw new TorchError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: [${input.shape.join(', ')}]`);
  const x = input.ndim === 2 ? input : input.reshape([1, -1]);
  const y = target.reshape([-1]);
  const [N, C] = x.shape;
  if (y.shape[0] !== N) throw new TorchError(`inconsistent target size, expected ${N} but got [${target.shape.join(', ')}]`);
  checkTargetValues(y, C, -1e18);
  const xy = x.gather(1, y.unsqueeze(1));
  let z = x.sub(xy).add(margin).clampMin(0);
  if (p === 2) z = z.mul(z);
  if (weight) z = z.mul(weight.index(y).unsqueeze(1));
  const notY = y.unsqueeze(1).ne(arange(C, { device: x.device }).unsqueeze(0));
  let per = where(notY, z, 0).sum(1).div(C);
  if (input.ndim < 2) per = per.reshape([]);
  return reduce(per, red);
}
// gaussian_nll_loss: 0.5 (log(var) + (input - target)^2 / var) (+ 0.5 log(2 pi) when full), var clamped at eps
// without that clamp's gradient (PyTorch clamps a clone under no_grad)
export function gaussianNllLoss(input: T, target: T, v: T, full: boolean, eps: number, reduction: Reduction): T {
  pairLoss(input, target, 'gaussian_nll_loss'); checkTensor(v, 'gaussian_nll_loss', 'var');
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
  if (!same(v.shape, input.shape)) {
    if (same(input.shape.slice(0, -1), v.shape)) v = v.unsqueeze(-1);
    else if (!(same(input.shape.slice(0, -1), v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1)) throw new TorchError('var is of incorrect size');
  }
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') throw new TorchError(`${String(reduction)} is not valid`);
  if (noGrad(() => v.lt(0).any().item())) throw new TorchError('var has negative entry/entries');
  const vc = v.add(noGrad(() => v.clampMin(eps).sub(v)));
  let loss = vc.log().add(input.sub(target).pow(2).div(vc)).mul(0.5);
  if (full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
  return reduce(loss, reduction);
}
// adaptive_avg_pool1d: the 2-d adaptive pool over [N, C, 1, L]
export function adaptiveAvgPool1d(x: T, outputSize: Size1): T {
  checkTensor(x, 'adaptive_avg_pool1d');
  if (x.ndim !== 2 && x.ndim !== 3) throw new TorchError(`adaptive_avg_pool1d() argument 'input' should have 2 or 3 dimensions, but got input of size [${x.shape.join(', ')}]`);
  const o = single(outputSize, 'adaptive_avg_pool1d', 'output_size') as number;
  return adaptiveAvgPool2dF(x.unsqueeze(-2), [1, o]).squeeze(-2);
}

// ------------------------------------------------------------------------------------------------------------
// attention
// ------------------------------------------------------------------------------------------------------------
// The schema's two attention rows (ops.schema's attention section; lib/ops/generated_functional.ts parses the call).
// Python's str of a tuple / torch.Size in PyTorch's messages
const pyTup = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
function optTensor(v: unknown, name: string, op: string): T | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor or None, not ${typeof v}`);
  return v;
}
function reqTensor(v: unknown, name: string, op: string): T {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${v === null ? 'None' : typeof v}`);
  return v;
}
function boolArg(v: unknown, name: string, op: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${op}(): argument '${name}' must be bool, not ${v === null ? 'None' : typeof v}`);
  return v;
}

// scaled_dot_product_attention (PyTorch 2.x; its math path): softmax(q k^T * scale + bias) v over the last two dims,
// batch dims broadcast. bias: -inf above the diagonal for is_causal (L x S, top-left aligned), -inf where a bool
// attn_mask is False, or a float attn_mask itself. dropout_p > 0 drops weights (scaled by 1/(1-p)) whatever the mode.
export function scaledDotProductAttention(query: T, key: T, value: T, attnMask: T | null, dropoutP: number, isCausal: boolean, scale: number | null): T {
  const op = 'scaled_dot_product_attention';
  reqTensor(query, 'query', op); reqTensor(key, 'key', op); reqTensor(value, 'value', op);
  attnMask = optTensor(attnMask, 'attn_mask', op);
  dropoutP = num(dropoutP, 'dropout_p', op, 0);
  isCausal = boolArg(isCausal, 'is_causal', op);
  if (scale !== null && scale !== undefined && typeof scale !== 'number') throw new TypeError(`${op}(): argument 'scale' must be float or None, not ${typeof scale}`);
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) {
    throw new TorchError(`${op}: expected query, key and value to have at least 2 dimensions, got query ${sizeStr(query.shape)}, key ${sizeStr(key.shape)}, value ${sizeStr(value.shape)}`);
  }
  if (query.dtype !== key.dtype || query.dtype !== value.dtype) {
    throw new TorchError(`Expected query, key, and value to have the same dtype, but got query.dtype: ${query.dtype} key.dtype: ${key.dtype} and value.dtype: ${value.dtype} instead.`);
  }
  if (!isFloating(query.dtype)) throw new TorchError(`${op}: expected a floating-point query, key and value, got ${query.dtype}`);
  const E = query.shape[query.ndim - 1], L = query.shape[query.ndim - 2], S = key.shape[key.ndim - 2];
  if (key.shape[key.ndim - 1] !== E) throw new TorchError(`${op}: the query's and key's last dimensions differ: query ${sizeStr(query.shape)}, key ${sizeStr(key.shape)}`);
  if (value.shape[value.ndim - 2] !== S) throw new TorchError(`${op}: key and value have different sequence lengths: key ${sizeStr(key.shape)}, value ${sizeStr(value.shape)}`);
  if (isCausal && attnMask) throw new TorchError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  const sc = scale ?? 1 / Math.sqrt(E);
  // (the scale applied to the smaller operand: the query [.., L, E] when E <= S, else the product [.., L, S])
  let att = E <= S ? query.mul(sc).matmul(key.transpose(-2, -1)) : query.matmul(key.transpose(-2, -1)).mul(sc);
  if (isCausal) {
    const keep = ones([L, S], { dtype: 'bool', device: query.device }).tril();
    att = att.add(toDtype(where(keep, 0, -Infinity), att.dtype));
  }
  if (attnMask) {
    if (attnMask.dtype === 'bool') att = att.add(toDtype(where(attnMask, 0, -Infinity), att.dtype));
    else if (attnMask.dtype === query.dtype || attnMask.dtype === 'float32') att = att.add(toDtype(attnMask, att.dtype));
    else throw new TorchError(`Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${attnMask.dtype} and query.dtype: ${query.dtype} instead.`);
  }
  let p = att.softmax(-1);
  if (dropoutP > 0) p = dropout(p, dropoutP, true, false);
  return p.matmul(value);
}

// torch.nn.functional.multi_head_attention_forward, PyTorch 1.13's (torch/nn/functional.py), branch for branch:
// query [L, N, E] / key, value [S, N, E*] (batch second), or unbatched [L, E] / [S, E*]; in-projection packed
// (in_proj_weight [3E, E], one product for self-attention) or separate (use_separate_proj_weight: q/k/v_proj_weight);
// bias_k/bias_v appended to the keys and values, add_zero_attn a zero key and value; static_k/static_v [N*H, S, E/H]
// replace the projected keys/values; attn_mask 2-D [L, S] or 3-D [N*H, L, S], bool (True = masked out) or float
// (added); key_padding_mask [N, S], bool or float; dropout on the weights in training. Returns (output [L, N, E],
// weights [N, L, S] averaged over heads, [N, H, L, S] not averaged, or null without need_weights).
export function multiHeadAttentionForward(query: T, key: T, value: T, embedDimToCheck: number, numHeads: number,
  inProjWeight: T | null, inProjBias: T | null, biasK: T | null, biasV: T | null, addZeroAttn: boolean, dropoutP: number,
  outProjWeight: T, outProjBias: T | null, training: boolean, keyPaddingMask: T | null, needWeights: boolean, attnMask: T | null,
  useSeparateProjWeight: boolean, qProjWeight: T | null, kProjWeight: T | null, vProjWeight: T | null, staticK: T | null,
  staticV: T | null, averageAttnWeights: boolean): [T, T | null] {
  const op = 'multi_head_attention_forward';
  reqTensor(query, 'query', op); reqTensor(key, 'key', op); reqTensor(value, 'value', op);
  reqTensor(outProjWeight, 'out_proj_weight', op);
  inProjWeight = optTensor(inProjWeight, 'in_proj_weight', op); inProjBias = optTensor(inProjBias, 'in_proj_bias', op);
  biasK = optTensor(biasK, 'bias_k', op); biasV = optTensor(biasV, 'bias_v', op); outProjBias = optTensor(outProjBias, 'out_proj_bias', op);
  keyPaddingMask = optTensor(keyPaddingMask, 'key_padding_mask', op); attnMask = optTensor(attnMask, 'attn_mask', op);
  qProjWeight = optTensor(qProjWeight, 'q_proj_weight', op); kProjWeight = optTensor(kProjWeight, 'k_proj_weight', op);
  vProjWeight = optTensor(vProjWeight, 'v_proj_weight', op);
  staticK = optTensor(staticK, 'static_k', op); staticV = optTensor(staticV, 'static_v', op);
  for (const [v, n] of [[addZeroAttn, 'add_zero_attn'], [training, 'training'], [needWeights, 'need_weights'], [useSeparateProjWeight, 'use_separate_proj_weight'], [averageAttnWeights, 'average_attn_weights']] as const) boolArg(v, n, op);
  if (typeof embedDimToCheck !== 'number' || !Number.isInteger(embedDimToCheck)) throw new TypeError(`${op}(): argument 'embed_dim_to_check' must be int, not ${typeof embedDimToCheck}`);
  if (typeof numHeads !== 'number' || !Number.isInteger(numHeads) || numHeads <= 0) throw new TypeError(`${op}(): argument 'num_heads' must be a positive int, got ${String(numHeads)}`);
  dropoutP = num(dropoutP, 'dropout_p', op, 0);

  // _mha_shape_check
  let batched: boolean;
  if (query.ndim === 3) {
    batched = true;
    if (key.ndim !== 3 || value.ndim !== 3) throw new TorchError(`For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (keyPaddingMask && keyPaddingMask.ndim !== 2) throw new TorchError(`For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${keyPaddingMask.ndim}-D tensor instead`);
    if (attnMask && attnMask.ndim !== 2 && attnMask.ndim !== 3) throw new TorchError(`For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
  } else if (query.ndim === 2) {
    batched = false;
    if (key.ndim !== 2 || value.ndim !== 2) throw new TorchError(`For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (keyPaddingMask && keyPaddingMask.ndim !== 1) throw new TorchError(`For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${keyPaddingMask.ndim}-D tensor instead`);
    if (attnMask) {
      if (attnMask.ndim !== 2 && attnMask.ndim !== 3) throw new TorchError(`For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
      const want = [numHeads, query.shape[0], key.shape[0]];
      if (attnMask.ndim === 3 && !sameShape(attnMask.shape, want)) throw new TorchError(`Expected \`attn_mask\` shape to be ${pyTup(want)} but got ${sizeStr(attnMask.shape)}`);
    }
  } else throw new TorchError(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  if (!batched) {
    // (the identities of shared inputs are kept: self-attention takes the packed projection's one product)
    const q1 = query.unsqueeze(1);
    const k1 = key === query ? q1 : key.unsqueeze(1);
    const v1 = value === key ? k1 : value === query ? q1 : value.unsqueeze(1);
    query = q1; key = k1; value = v1;
    if (keyPaddingMask) keyPaddingMask = keyPaddingMask.unsqueeze(0);
  }
  const [L, N, E] = query.shape;
  let S = key.shape[0];
  if (keyPaddingMask && keyPaddingMask.dtype !== 'bool' && !isFloating(keyPaddingMask.dtype)) throw new TorchError('only bool and floating types of key_padding_mask are supported');
  if (E !== embedDimToCheck) throw new TorchError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${E}`);
  const hd = Math.floor(E / numHeads);
  if (hd * numHeads !== E) throw new TorchError(`embed_dim ${E} not divisible by num_heads ${numHeads}`);
  if (useSeparateProjWeight) {
    if (!sameShape(key.shape.slice(0, 2), value.shape.slice(0, 2))) throw new TorchError(`key's sequence and batch dims ${sizeStr(key.shape.slice(0, 2))} do not match value's ${sizeStr(value.shape.slice(0, 2))}`);
  } else if (!sameShape(key.shape, value.shape)) throw new TorchError(`key shape ${sizeStr(key.shape)} does not match value shape ${sizeStr(value.shape)}`);

  // in-projection
  let q: T, k: T, v: T;
  if (!useSeparateProjWeight) {
    if (!inProjWeight) throw new TorchError('use_separate_proj_weight is False but in_proj_weight is None');
    const w = inProjWeight, b = inProjBias;
    if (key === value) {
      if (query === key) [q, k, v] = linearF(query, w, b).chunk(3, -1);  // self-attention
      else {
        const [wq, wkv] = w.split([E, 2 * E]);
        const [bq, bkv] = b ? b.split([E, 2 * E]) : [null, null];
        q = linearF(query, wq, bq);
        [k, v] = linearF(key, wkv, bkv).chunk(2, -1);
      }
    } else {
      const [wq, wk, wv] = w.chunk(3);
      const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
      q = linearF(query, wq, bq); k = linearF(key, wk, bk); v = linearF(value, wv, bv);
    }
  } else {
    if (!qProjWeight) throw new TorchError('use_separate_proj_weight is True but q_proj_weight is None');
    if (!kProjWeight) throw new TorchError('use_separate_proj_weight is True but k_proj_weight is None');
    if (!vProjWeight) throw new TorchError('use_separate_proj_weight is True but v_proj_weight is None');
    const [bq, bk, bv] = inProjBias ? inProjBias.chunk(3) : [null, null, null];
    const Eq = query.shape[2], Ek = key.shape[2], Ev = value.shape[2];
    if (!sameShape(qProjWeight.shape, [Eq, Eq])) throw new TorchError(`expecting query weights shape of ${pyTup([Eq, Eq])}, but got ${sizeStr(qProjWeight.shape)}`);
    if (!sameShape(kProjWeight.shape, [Eq, Ek])) throw new TorchError(`expecting key weights shape of ${pyTup([Eq, Ek])}, but got ${sizeStr(kProjWeight.shape)}`);
    if (!sameShape(vProjWeight.shape, [Eq, Ev])) throw new TorchError(`expecting value weights shape of ${pyTup([Eq, Ev])}, but got ${sizeStr(vProjWeight.shape)}`);
    for (const [bb, n] of [[bq, 'query'], [bk, 'key'], [bv, 'value']] as const) {
      if (bb && !sameShape(bb.shape, [Eq])) throw new TorchError(`expecting ${n} bias shape of ${pyTup([Eq])}, but got ${sizeStr(bb.shape)}`);
    }
    q = linearF(query, qProjWeight, bq); k = linearF(key, kProjWeight, bk); v = linearF(value, vProjWeight, bv);
  }

  // attention mask: [1, L, S] or [N*H, L, S]
  if (attnMask) {
    if (attnMask.dtype === 'uint8') {
      process.emitWarning('Byte tensor for attn_mask in nn.MultiheadAttention is deprecated. Use bool tensor instead.', 'UserWarning');
      attnMask = attnMask.to('bool');
    } else if (!isFloating(attnMask.dtype) && attnMask.dtype !== 'bool') {
      throw new TorchError(`Only float, byte, and bool types are supported for attn_mask, not torch.${attnMask.dtype}`);
    }
    if (attnMask.ndim === 2) {
      if (!sameShape(attnMask.shape, [L, S])) throw new TorchError(`The shape of the 2D attn_mask is ${sizeStr(attnMask.shape)}, but should be ${pyTup([L, S])}.`);
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.ndim === 3) {
      if (!sameShape(attnMask.shape, [N * numHeads, L, S])) throw new TorchError(`The shape of the 3D attn_mask is ${sizeStr(attnMask.shape)}, but should be ${pyTup([N * numHeads, L, S])}.`);
    } else throw new TorchError(`attn_mask's dimension ${attnMask.ndim} is not supported`);
  }
  const pad1 = (m: T): T => pad(m, [0, 1], 'constant', null);
  // bias_k / bias_v along the sequence
  if (biasK && biasV) {
    if (staticK) throw new TorchError('bias cannot be added to static key.');
    if (staticV) throw new TorchError('bias cannot be added to static value.');
    k = cat([k, biasK.repeat([1, N, 1])]);
    v = cat([v, biasV.repeat([1, N, 1])]);
    if (attnMask) attnMask = pad1(attnMask);
    if (keyPaddingMask) keyPaddingMask = pad1(keyPaddingMask);
  } else if (biasK || biasV) throw new TorchError(`${op}: bias_k and bias_v are given together or not at all (got ${biasK ? 'bias_k' : 'bias_v'} alone)`);

  // heads: [len, N, E] -> [N*H, len, hd]
  q = q.reshape([L, N * numHeads, hd]).transpose(0, 1);
  if (!staticK) k = k.reshape([k.shape[0], N * numHeads, hd]).transpose(0, 1);
  else {
    if (staticK.shape[0] !== N * numHeads) throw new TorchError(`expecting static_k.size(0) of ${N * numHeads}, but got ${staticK.shape[0]}`);
    if (staticK.shape[2] !== hd) throw new TorchError(`expecting static_k.size(2) of ${hd}, but got ${staticK.shape[2]}`);
    k = staticK;
  }
  if (!staticV) v = v.reshape([v.shape[0], N * numHeads, hd]).transpose(0, 1);
  else {
    if (staticV.shape[0] !== N * numHeads) throw new TorchError(`expecting static_v.size(0) of ${N * numHeads}, but got ${staticV.shape[0]}`);
    if (staticV.shape[2] !== hd) throw new TorchError(`expecting static_v.size(2) of ${hd}, but got ${staticV.shape[2]}`);
    v = staticV;
  }
  if (addZeroAttn) {
    k = cat([k, zeros([N * numHeads, 1, hd], { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros([N * numHeads, 1, hd], { dtype: v.dtype, device: v.device })], 1);
    if (attnMask) attnMask = pad1(attnMask);
    if (keyPaddingMask) keyPaddingMask = pad1(keyPaddingMask);
  }
  S = k.shape[1];

  // key padding merged into the attention mask
  if (keyPaddingMask) {
    if (!sameShape(keyPaddingMask.shape, [N, S])) throw new TorchError(`expecting key_padding_mask shape of ${pyTup([N, S])}, but got ${sizeStr(keyPaddingMask.shape)}`);
    const kpm = keyPaddingMask.reshape([N, 1, 1, S]).expand([-1, numHeads, -1, -1]).reshape([N * numHeads, 1, S]);
    if (!attnMask) attnMask = kpm;
    else if (attnMask.dtype === 'bool') attnMask = attnMask.logicalOr(kpm);
    else {
      if (kpm.dtype !== 'bool') throw new TorchError(`masked_fill_ only supports boolean masks, but got mask with dtype ${kpm.dtype} (a float key_padding_mask with a float attn_mask)`);
      attnMask = attnMask.maskedFill(kpm, -Infinity);
    }
  }
  if (attnMask && attnMask.dtype === 'bool') attnMask = toDtype(where(attnMask, -Infinity, 0), q.dtype);
  if (!training) dropoutP = 0;

  // attention and the out-projection
  const qs = q.div(Math.sqrt(hd));
  let w = qs.matmul(k.transpose(-2, -1));  // [N*H, L, S]
  if (attnMask) w = w.add(attnMask.dtype === w.dtype ? attnMask : toDtype(attnMask, w.dtype));  // (baddbmm: in q's dtype)
  w = w.softmax(-1);
  if (dropoutP > 0) w = dropout(w, dropoutP, true, false);
  let out = w.matmul(v);  // [N*H, L, hd]
  out = out.transpose(0, 1).reshape([L * N, E]);
  out = linearF(out, outProjWeight, outProjBias);
  out = out.reshape([L, N, out.shape[1]]);
  if (!batched) out = out.squeeze(1);
  if (!needWeights) return [out, null];
  let weights = w.reshape([N, numHeads, L, S]);
  if (averageAttnWeights) weights = weights.sum(1).div(numHeads);
  if (!batched) weights = weights.squeeze(0);
  return [out, weights];
}
