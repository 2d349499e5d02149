// init.ts - torch.nn.init: in-place initialisers (run without recording gradients), drawing from the Philox stream
// so torch.manualSeed makes them reproducible. Fan and gain rules are torch/nn/init.py's.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { noGrad } from '../autograd/mode';
import { randomFill, Generator } from '../ops/creation';
import { isFloating } from '../dtype';
import { orthonormalQ } from './qr';
import { tensor as makeTensor, randperm, empty } from '../ops/creation';

type T = Tensor;
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' |
  'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';
type GenOpt = { generator?: Generator };

function check(t: T, op: string): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument 'tensor' must be Tensor`);
  t._check();
}

export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linear.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.SQRT2;
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || typeof param === 'boolean') throw new TorchError(`negative_slope ${param} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3 / 4;
  throw new TorchError(`Unsupported nonlinearity ${nonlinearity}`);
}

export function calculateFanInAndFanOut(t: T): [number, number] {
  if (t.ndim < 2) throw new TorchError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i];
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}
function fanOf(t: T, mode: FanMode): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new TorchError(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fi, fo] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fi : fo;
}

const fillRandom = (t: T, kind: number, p0: number, p1: number, gen?: Generator): T => {
  if (!isFloating(t.dtype)) throw new TorchError(`"${kind === 0 ? 'uniform' : 'normal'}_kernel_cpu" not implemented for '${t.dtype}'`);
  if (t.numel()) noGrad(() => randomFill(t, kind, p0, p1, gen));
  return t;
};

type UOpts = GenOpt & { a?: number; b?: number };
type NOpts = GenOpt & { mean?: number; std?: number };
type GainOpts = GenOpt & { gain?: number };
// uniform_(t, a, b) or uniform_(t, { a, b, generator })
export function uniform_(t: T, a: number | UOpts = 0, b = 1, opts: GenOpt = {}): T {
  if (typeof a === 'object') { opts = a; b = a.b ?? 1; a = a.a ?? 0; }
  check(t, 'uniform_');
  if (a > b) throw new TorchError(`uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`);
  return fillRandom(t, 0, a, b, opts.generator);
}
export function normal_(t: T, mean: number | NOpts = 0, std = 1, opts: GenOpt = {}): T {
  if (typeof mean === 'object') { opts = mean; std = mean.std ?? 1; mean = mean.mean ?? 0; }
  check(t, 'normal_');
  if (std < 0) throw new TorchError(`normal expects std >= 0.0, but found std ${std}`);
  return fillRandom(t, 1, mean, std, opts.generator);
}
// normal(mean, std) redrawn until inside [a, b] (for the usual |a|, |b| >= 2 std a couple of passes suffice)
export function truncNormal_(t: T, mean: number | (NOpts & { a?: number; b?: number }) = 0, std = 1, a = -2, b = 2, opts: GenOpt = {}): T {
  if (typeof mean === 'object') { opts = mean; std = mean.std ?? 1; a = mean.a ?? -2; b = mean.b ?? 2; mean = mean.mean ?? 0; }
  check(t, 'trunc_normal_');
  return noGrad(() => {
    fillRandom(t, 1, mean, std, opts.generator);
    for (let pass = 0; pass < 64; pass++) {
      const bad = t.lt(a).logicalOr(t.gt(b));
      if (!(bad.any().item() as boolean)) return t;
      const fresh = fillRandom(t.clone(), 1, mean, std, opts.generator);
      t.copy_(fresh.where(bad, t));
    }
    return t.clamp_(a, b);
  });
}
export function constant_(t: T, val: number): T {
  check(t, 'constant_');
  if (t.numel()) noGrad(() => t.fill_(val));
  return t;
}
export const ones_ = (t: T): T => constant_(t, 1);
export const zeros_ = (t: T): T => constant_(t, 0);
export function eye_(t: T): T {
  check(t, 'eye_');
  if (t.ndim !== 2) throw new TorchError('Only tensors with 2 dimensions are supported');
  noGrad(() => {
    t.zero_();
    const k = Math.min(t.shape[0], t.shape[1]);
    for (let i = 0; i < k; i++) t.select(0, i).select(0, i).fill_(1);
  });
  return t;
}
export function dirac_(t: T, groups = 1): T {
  check(t, 'dirac_');
  const d = t.ndim;
  if (d < 3 || d > 5) throw new TorchError('Only tensors with 3, 4, or 5 dimensions are supported');
  const outPerGroup = t.shape[0] / groups;
  const minDim = Math.min(outPerGroup, t.shape[1]);
  noGrad(() => {
    t.zero_();
    for (let g = 0; g < groups; g++) {
      for (let i = 0; i < minDim; i++) {
        let v = t.select(0, g * outPerGroup + i).select(0, i);
        for (let k = 2; k < d; k++) v = v.select(0, Math.floor(t.shape[k] / 2));
        v.fill_(1);
      }
    }
  });
  return t;
}

export function xavierUniform_(t: T, gain: number | GainOpts = 1, opts: GenOpt = {}): T {
  if (typeof gain === 'object') { opts = gain; gain = gain.gain ?? 1; }
  check(t, 'xavier_uniform_');
  const [fi, fo] = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fi + fo));
  return fillRandom(t, 0, -a, a, opts.generator);
}
export function xavierNormal_(t: T, gain: number | GainOpts = 1, opts: GenOpt = {}): T {
  if (typeof gain === 'object') { opts = gain; gain = gain.gain ?? 1; }
  check(t, 'xavier_normal_');
  const [fi, fo] = calculateFanInAndFanOut(t);
  return fillRandom(t, 1, 0, gain * Math.sqrt(2 / (fi + fo)), opts.generator);
}

export interface KaimingOpts extends GenOpt { a?: number; mode?: FanMode; nonlinearity?: Nonlinearity | string }
function kaimingStd(t: T, o: KaimingOpts): number {
  const fan = fanOf(t, o.mode ?? 'fan_in');
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}
// kaimingUniform_(t, { a, mode, nonlinearity }); a number second argument is `a`, as PyTorch's positional form
export function kaimingUniform_(t: T, opts: KaimingOpts | number = {}): T {
  check(t, 'kaiming_uniform_');
  const o = typeof opts === 'number' ? { a: opts } : opts;
  if (t.numel() === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd(t, o);
  return fillRandom(t, 0, -bound, bound, o.generator);
}
export function kaimingNormal_(t: T, opts: KaimingOpts | number = {}): T {
  check(t, 'kaiming_normal_');
  const o = typeof opts === 'number' ? { a: opts } : opts;
  if (t.numel() === 0) return t;
  return fillRandom(t, 1, 0, kaimingStd(t, o), o.generator);
}

/** orthogonal_(t, gain=1, { generator }): a (semi-)orthogonal matrix from the QR of a standard-normal draw, as
 *  PyTorch: t viewed as [rows, numel/rows], transposed while rows < cols, Q's columns times sign(diag(R)), times gain. */
export function orthogonal_(t: T, gain: number | GainOpts = 1, opts: GenOpt = {}): T {
  if (typeof gain === 'object') { opts = gain; gain = gain.gain ?? 1; }
  check(t, 'orthogonal_');
  if (t.ndim < 2) throw new TorchError('Only tensors with 2 or more dimensions are supported');
  if (!isFloating(t.dtype)) throw new TorchError(`"normal_kernel_cpu" not implemented for '${t.dtype}'`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0], cols = t.numel() / rows;
  const g = gain;
  return noGrad(() => {
    const flat = fillRandom(empty([rows, cols], { dtype: 'float64' }), 1, 0, 1, opts.generator);
    const a = (rows < cols ? flat.t().contiguous() : flat).toTypedArray() as Float64Array;
    const [m, n] = rows < cols ? [cols, rows] : [rows, cols];
    const q = makeTensor(orthonormalQ(a, m, n), { dtype: 'float64' }).reshape([m, n]);
    const res = rows < cols ? q.t() : q;
    t.copy_(res.reshape(t.shape.slice()).mul(g));
    return t;
  });
}

/** sparse_(t, sparsity, std=0.01, { generator }): N(0, std) with ceil(sparsity * rows) entries of each column set to
 *  zero (rows chosen by a random permutation), as PyTorch's sparse_ (2-D tensors only). */
export function sparse_(t: T, sparsity: number, std: number | (GenOpt & { std?: number }) = 0.01, opts: GenOpt = {}): T {
  if (typeof std === 'object') { opts = std; std = std.std ?? 0.01; }
  check(t, 'sparse_');
  if (t.ndim !== 2) throw new TorchError('Only tensors with 2 dimensions are supported');
  if (typeof sparsity !== 'number' || sparsity < 0 || sparsity > 1) throw new TorchError(`sparse_(): sparsity must be a number in [0, 1], got ${String(sparsity)}`);
  const [rows, cols] = t.shape;
  const numZeros = Math.ceil(sparsity * rows);
  const s = std;
  return noGrad(() => {
    normal_(t, 0, s, opts);
    for (let c = 0; c < cols; c++) {
      const idx = randperm(rows, { generator: opts.generator }).narrow(0, 0, numZeros);
      if (numZeros) t.select(1, c).indexPut_([idx], 0);
    }
    return t;
  });
}
