// weight_norms.ts - torch.nn.utils.weight_norm / remove_weight_norm and spectral_norm / remove_spectral_norm (PyTorch
// 1.13's hook forms, torch/nn/utils/weight_norm.py and spectral_norm.py): the parameter `name` is replaced by
// `name_g` and `name_v` (weight norm) or `name_orig` with buffers `name_u`, `name_v` (spectral norm), as PyTorch's
// state-dict keys, and a forward pre-hook recomputes module[name] from them before each call.
import { Tensor } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { noGrad } from '../autograd/mode';
import { Module, Parameter, RemovableHandle } from './module';
import { describeValue } from '../dtype';
import { empty, randomFill, Generator } from '../ops/creation';

type T = Tensor;
interface WNRecord { kind: 'weight_norm'; dim: number; handle: RemovableHandle }
interface SNRecord { kind: 'spectral_norm'; dim: number; nPowerIterations: number; eps: number; handle: RemovableHandle }
const records = new WeakMap<Module, Map<string, WNRecord | SNRecord>>();
function recordsOf(m: Module): Map<string, WNRecord | SNRecord> {
  let r = records.get(m);
  if (!r) { r = new Map(); records.set(m, r); }
  return r;
}
function paramOf(m: Module, name: string, op: string): Parameter {
  const p = m._parameters.get(name);
  if (!p) throw new TorchError(`${op}: module ${m.constructor.name} has no parameter '${name}'`);
  return p;
}
function checkModule(m: unknown, op: string): Module {
  if (!(m instanceof Module)) throw new TypeError(`${op}(): module must be a Module, not ${describeValue(m)}`);
  return m;
}

// PyTorch's norm_except_dim(v, 2, dim): the 2-norm over every dimension but `dim` (shape 1 there), or of the whole
// tensor (a 0-d tensor) for dim -1
function normExceptDim(v: T, dim: number): T {
  if (dim === -1) return v.mul(v).sum().sqrt();
  const others: number[] = [];
  for (let i = 0; i < v.ndim; i++) if (i !== dim) others.push(i);
  if (!others.length) return v.abs();
  return v.mul(v).sum(others, { keepdim: true }).sqrt();
}

function computeWeightNorm(m: Module, name: string, dim: number): T {
  const g = m._parameters.get(`${name}_g`) as T, v = m._parameters.get(`${name}_v`) as T;
  return v.mul(g.div(normExceptDim(v, dim)));
}

/** weightNorm(module, name='weight', dim=0): module[name] = g * v / ||v|| (the norm over every dimension but `dim`;
 *  dim null or -1: the whole tensor), with parameters `${name}_g` and `${name}_v`. Returns the module. */
export function weightNorm<M extends Module>(module: M, name: string | { name?: string; dim?: number | null } = 'weight', dim: number | null = 0): M {
  if (typeof name === 'object' && name !== null) { checkKeys('weight_norm', name, ['name', 'dim']); dim = name.dim === undefined ? 0 : name.dim; name = name.name ?? 'weight'; }
  checkModule(module, 'weight_norm');
  const recs = recordsOf(module);
  const prev = recs.get(name);
  if (prev && prev.kind === 'weight_norm') throw new TorchError(`Cannot register two weight_norm hooks on the same parameter ${name}`);
  let d = dim === null ? -1 : dim;
  const w = paramOf(module, name, 'weight_norm');
  if (typeof d !== 'number' || !Number.isInteger(d) || d < -1 || d >= Math.max(w.ndim, 1)) throw new TorchError(`weight_norm: dim ${String(dim)} is out of range for a ${w.ndim}-D '${name}' [${w.shape.join(', ')}]`);
  if (w.ndim === 0) d = -1;
  const mm = module as unknown as Record<string, unknown>;
  delete mm[name];
  module.registerParameter(`${name}_g`, new Parameter(noGrad(() => normExceptDim(w.detach(), d))));
  module.registerParameter(`${name}_v`, new Parameter(w.detach()));
  mm[name] = computeWeightNorm(module, name, d);
  const nm = name;
  const handle = module.registerForwardPreHook((m) => { (m as unknown as Record<string, unknown>)[nm] = computeWeightNorm(m as Module, nm, d); });
  recs.set(name, { kind: 'weight_norm', dim: d, handle });
  return module;
}

/** removeWeightNorm(module, name='weight'): module[name] becomes a plain parameter again (its current value). */
export function removeWeightNorm<M extends Module>(module: M, name: string = 'weight'): M {
  checkModule(module, 'remove_weight_norm');
  const recs = recordsOf(module);
  const r = recs.get(name);
  if (!r || r.kind !== 'weight_norm') throw new TorchError(`weight_norm of '${name}' not found in ${String(module)}`);
  const w = noGrad(() => computeWeightNorm(module, name, r.dim));
  r.handle.remove();
  recs.delete(name);
  const mm = module as unknown as Record<string, unknown>;
  delete mm[name];
  delete mm[`${name}_g`];
  delete mm[`${name}_v`];
  module.registerParameter(name, new Parameter(w.detach()));
  return module;
}

// the weight as a matrix [size(dim), -1] with `dim` moved first
function weightMatrix(w: T, dim: number): T {
  let x = w;
  if (dim !== 0) {
    const perm = [dim];
    for (let i = 0; i < w.ndim; i++) if (i !== dim) perm.push(i);
    x = x.permute(perm);
  }
  return x.reshape([x.shape[0], -1]);
}
// F.normalize(x, dim=0, eps): x / max(||x||, eps)
const normalize = (x: T, eps: number): T => x.div(x.mul(x).sum().sqrt().clamp(eps, null));

function computeSpectral(m: Module, name: string, r: SNRecord, powerIteration: boolean): T {
  const w = m._parameters.get(`${name}_orig`) as T;
  let u = m._buffers.get(`${name}_u`) as T, v = m._buffers.get(`${name}_v`) as T;
  const wm = weightMatrix(w, r.dim);
  if (powerIteration) {
    noGrad(() => {
      const wd = wm.detach();
      for (let i = 0; i < r.nPowerIterations; i++) {
        v.copy_(normalize(wd.t().mv(u), r.eps));
        u.copy_(normalize(wd.mv(v), r.eps));
      }
    });
    if (r.nPowerIterations > 0) { u = u.clone(); v = v.clone(); }
  }
  const sigma = u.dot(wm.mv(v));
  return w.div(sigma);
}

export interface SpectralNormOpts { name?: string; nPowerIterations?: number; eps?: number; dim?: number | null; generator?: Generator }
/** spectralNorm(module, name='weight', nPowerIterations=1, eps=1e-12, dim=null): module[name] = W / sigma(W), sigma
 *  estimated by power iteration (one step per training-mode call; eval mode reuses the stored vectors), with the
 *  parameter `${name}_orig` and buffers `${name}_u`, `${name}_v`. dim defaults to 0 (1 for ConvTranspose). */
export function spectralNorm<M extends Module>(module: M, name: string | SpectralNormOpts = 'weight', nPowerIterations = 1, eps = 1e-12, dim: number | null = null, opts: { generator?: Generator } = {}): M {
  if (typeof name === 'object' && name !== null) {
    const o = name;
    checkKeys('spectral_norm', o, ['name', 'nPowerIterations', 'eps', 'dim', 'generator']);
    name = o.name ?? 'weight'; nPowerIterations = o.nPowerIterations ?? 1; eps = o.eps ?? 1e-12; dim = o.dim ?? null; opts = { generator: o.generator };
  }
  checkModule(module, 'spectral_norm');
  const recs = recordsOf(module);
  const prev = recs.get(name);
  if (prev && prev.kind === 'spectral_norm') throw new TorchError(`Cannot register two spectral_norm hooks on the same parameter ${name}`);
  if (!Number.isInteger(nPowerIterations) || nPowerIterations < 0) {
    throw new TorchError(`Expected n_power_iterations to be positive, but got n_power_iterations=${nPowerIterations}`);
  }
  const w = paramOf(module, name, 'spectral_norm');
  const d = dim ?? (/^ConvTranspose[123]d$/.test(module.constructor.name) ? 1 : 0);
  if (w.ndim < 1 || d < 0 || d >= w.ndim) throw new TorchError(`spectral_norm: dim ${d} is out of range for a ${w.ndim}-D '${name}' [${w.shape.join(', ')}]`);
  const [h, wd] = weightMatrix(w.detach(), d).shape;
  const draw = (n: number): T => noGrad(() => {
    const t = empty([n], { dtype: w.dtype, device: w.device });
    if (n) randomFill(t, 1, 0, 1, opts.generator);
    return normalize(t, eps);
  });
  const u = draw(h), v = draw(wd);
  const mm = module as unknown as Record<string, unknown>;
  delete mm[name];
  module.registerParameter(`${name}_orig`, w);
  mm[name] = w.detach();
  module.registerBuffer(`${name}_u`, u);
  module.registerBuffer(`${name}_v`, v);
  const rec: SNRecord = { kind: 'spectral_norm', dim: d, nPowerIterations, eps, handle: null as unknown as RemovableHandle };
  const nm = name;
  rec.handle = module.registerForwardPreHook((m) => { (m as unknown as Record<string, unknown>)[nm] = computeSpectral(m as Module, nm, rec, (m as Module).training); });
  recs.set(name, rec);
  return module;
}

/** removeSpectralNorm(module, name='weight'): module[name] becomes a plain parameter holding W / sigma. */
export function removeSpectralNorm<M extends Module>(module: M, name: string = 'weight'): M {
  checkModule(module, 'remove_spectral_norm');
  const recs = recordsOf(module);
  const r = recs.get(name);
  if (!r || r.kind !== 'spectral_norm') throw new TorchError(`spectral_norm of '${name}' not found in ${String(module)}`);
  const w = noGrad(() => computeSpectral(module, name, r, false));
  r.handle.remove();
  recs.delete(name);
  const mm = module as unknown as Record<string, unknown>;
  for (const k of [name, `${name}_u`, `${name}_v`, `${name}_orig`]) delete mm[k];
  module.registerParameter(name, new Parameter(w.detach()));
  return module;
}
