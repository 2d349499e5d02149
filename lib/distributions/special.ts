// special.ts - the special functions torch.distributions uses: on tensors the native kernels (torch.lgamma, digamma,
// polygamma(1, .), erfinv, whose gradients go to any order); the float64 scalar forms (lgamma, digamma, trigamma, erf,
// erfinv of one number) serve the samplers (sampling.ts) and the closed forms computed on the host.
import { Tensor } from '../tensor';
import * as torch from '../index';
import { softplus as nnSoftplus } from '../nn/activation_impl';

function mapTensor(x: Tensor, f: (v: number) => number): Tensor {
  const src = x.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  const dt = x.dtype === 'float64' || x.dtype === 'float32' || x.dtype === 'float16' || x.dtype === 'bfloat16' ? x.dtype : torch.getDefaultDtype();
  return torch.tensor(out).view(x.shape.slice()).to(dt).to(x.device);
}

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function lgammaScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaScalar(1 - x);
  if (x > 1e7) return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export function digammaScalar(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x === 0) return -Infinity * Math.sign(1 / x) || -Infinity; // PyTorch: digamma(0) = -inf
  if (x < 0) {
    if (Number.isInteger(x)) return NaN;
    return digammaScalar(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let r = 0;
  while (x < 6) { r -= 1 / x; x += 1; }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
}

export function trigammaScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) { const s = Math.PI / Math.sin(Math.PI * x); return -trigammaScalar(1 - x) + s * s; }
  let r = 0;
  while (x < 6) { r += 1 / (x * x); x += 1; }
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (1 / x) * f * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30))));
}

export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const c = term / (2 * n + 1);
      sum += c;
      if (Math.abs(c) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc continued fraction (Lentz)
  const z = ax;
  let f = z, C = z, D = 0;
  const tiny = 1e-300;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    D = z + an * D; if (D === 0) D = tiny; D = 1 / D;
    C = z + an / C; if (C === 0) C = tiny;
    const delta = C * D; f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

export function erfinvScalar(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  // Giles' single-precision approximation, then Newton steps on erf
  let w = -Math.log((1 - y) * (1 + y)), p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  let x = p * y;
  for (let i = 0; i < 3; i++) {
    const err = erfScalar(x) - y;
    x -= err / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  }
  return x;
}

const floatOf = (x: Tensor): Tensor => (x.dtype === 'float32' || x.dtype === 'float64' ? x : x.to(torch.getDefaultDtype()));
// the tensor forms are the native kernels (torch.lgamma, digamma, polygamma, erfinv: CPU and CUDA functors, gradients
// to any order); the scalar forms above serve the samplers
export const lgamma = (x: Tensor): Tensor => floatOf(x).lgamma();
export const digamma = (x: Tensor): Tensor => floatOf(x).digamma();
export const trigamma = (x: Tensor): Tensor => torch.polygamma(1, floatOf(x));
export const erfinv = (x: Tensor): Tensor => floatOf(x).erfinv();
/** F.softplus (beta 1, threshold 20): smooth at 0, where its gradient is 1/2 as PyTorch's. */
export const softplus = (x: Tensor): Tensor => nnSoftplus(x, 1, 20);
export { mapTensor };
