// utils.ts - torch.nn.utils: gradient clipping (clipGradNorm_ returns the total norm as a 0-d tensor, as PyTorch)
// and parameters <-> vector.
import { Tensor } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { noGrad } from '../autograd/mode';
import { tensor } from '../ops/creation';
import { cat, stack } from '../ops/shape';
import { Module } from './module';

type T = Tensor;
type Params = T | Iterable<T> | Module;

function listOf(params: Params): T[] {
  if (params instanceof Tensor) return [params];
  if (params instanceof Module) return params.parameters();
  if (params === null || params === undefined || typeof (params as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError('parameters must be a Tensor or an iterable of Tensors');
  }
  const out: T[] = [];
  for (const p of params as Iterable<T>) {
    if (!(p instanceof Tensor)) throw new TypeError('parameters must be a Tensor or an iterable of Tensors');
    out.push(p);
  }
  return out;
}

const normName = (p: number): string => (p === Infinity ? 'inf' : Number.isInteger(p) ? `${p}.0` : String(p));

export function clipGradNorm_(parameters: Params, maxNorm: number, opts: { normType?: number | 'inf'; errorIfNonfinite?: boolean; foreach?: boolean } | number | 'inf' = {}): T {
  if (typeof maxNorm !== 'number') throw new TypeError('clip_grad_norm_(): max_norm must be a number');
  if (typeof opts === 'number' || opts === 'inf') opts = { normType: opts as number | 'inf' };  // PyTorch's positional norm_type
  checkKeys('clip_grad_norm_', opts, ['normType', 'errorIfNonfinite', 'foreach']);
  const p = opts.normType === 'inf' ? Infinity : opts.normType ?? 2;
  const grads = listOf(parameters).map((t) => t._grad).filter((g): g is T => g !== null);
  if (!grads.length) return tensor(0.0, { dtype: 'float32' });
  return noGrad(() => {
    const dev = grads[0].device;
    let total: T;
    if (p === Infinity) {
      const ms = grads.map((g) => g.abs().amax().to(dev));
      total = ms.length === 1 ? ms[0] : stack(ms).amax();
    } else {
      const ns = grads.map((g) => (p === 2 ? g.mul(g).sum().sqrt() : g.abs().pow(p).sum().pow(1 / p)).to(dev));
      const st = ns.length === 1 ? ns[0] : stack(ns);
      total = ns.length === 1 ? st : (p === 2 ? st.mul(st).sum().sqrt() : st.pow(p).sum().pow(1 / p));
    }
    if (opts.errorIfNonfinite && !(total.isfinite().item() as boolean)) {
      throw new TorchError(`The total norm of order ${normName(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
    for (const g of grads) g.mul_(coef.to(g.device).to(g.dtype));
    return total;
  });
}

export function clipGradValue_(parameters: Params, clipValue: number): void {
  if (typeof clipValue !== 'number') throw new TypeError('clip_grad_value_(): clip_value must be a number');
  noGrad(() => {
    for (const t of listOf(parameters)) if (t._grad) t._grad.clamp_(-clipValue, clipValue);
  });
}

export function parametersToVector(parameters: Params): T {
  const ps = listOf(parameters);
  if (!ps.length) throw new TorchError('parameters_to_vector: expected a non-empty list of tensors');
  return cat(ps.map((p) => p.reshape([-1])), 0);
}

export function vectorToParameters(vec: T, parameters: Params): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typeof vec}`);
  const ps = listOf(parameters);
  let pos = 0;
  noGrad(() => {
    for (const p of ps) {
      const n = p.numel();
      p.copy_(vec.narrow(0, pos, n).reshape(p.shape.slice()));
      pos += n;
    }
  });
}

/** clipGradNorm (PyTorch's deprecated clip_grad_norm, without the underscore): the same as clipGradNorm_. */
export const clipGradNorm = clipGradNorm_;

export * as rnn from './rnn_utils';
export { weightNorm, removeWeightNorm, spectralNorm, removeSpectralNorm } from './weight_norms';
export type { SpectralNormOpts } from './weight_norms';
export { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights } from './fusion';
