// sampling.ts - samplers with no nodetorch kernel: Marsaglia-Tsang Gamma, Poisson and Binomial by inversion, all
// drawing their uniforms and normals from nodetorch's generator (torch.manualSeed makes them reproducible), and the
// implicit reparameterisation gradient of a Gamma sample w.r.t. its concentration:
//   dx/da = -(dP(a, x)/da) / p(x; a),  P the regularised lower incomplete gamma function, p the Gamma(a, 1) density.
import { Tensor } from '../tensor';
import * as torch from '../index';
import { lgammaScalar } from './special';
import { Function, FunctionCtx } from '../autograd/api';

class Stream {
  private buf: Float64Array = new Float64Array(0) as Float64Array; private pos = 0;
  constructor(private kind: 'rand' | 'randn', private chunk: number) {}
  next(): number {
    if (this.pos >= this.buf.length) {
      const t = this.kind === 'rand' ? torch.rand([this.chunk], { dtype: 'float64' }) : torch.randn([this.chunk], { dtype: 'float64' });
      this.buf = t.toTypedArray() as Float64Array; this.pos = 0;
    }
    return this.buf[this.pos++];
  }
}

function gammaOne(a: number, U: Stream, N: Stream): number {
  if (!(a > 0)) return NaN;
  if (a < 1) {
    // boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
    const g = gammaOne(a + 1, U, N);
    let u = U.next(); while (u === 0) u = U.next();
    return g * Math.exp(Math.log(u) / a);
  }
  const d = a - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do { x = N.next(); v = 1 + c * x; } while (v <= 0);
    v = v * v * v;
    const u = U.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** torch._standard_gamma: Gamma(alpha, 1) samples of alpha's shape (no gradient). */
export function standardGamma(alpha: Tensor): Tensor {
  const a = alpha.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const U = new Stream('rand', Math.max(64, a.length * 2)), N = new Stream('randn', Math.max(64, a.length * 2));
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = gammaOne(a[i], U, N);
  return torch.tensor(out).view(alpha.shape.slice()).to(alpha.dtype).to(alpha.device);
}

export function poissonSample(rate: Tensor): Tensor {
  const r = rate.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const U = new Stream('rand', Math.max(64, r.length));
  const out = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) {
    const lam = r[i];
    if (!(lam > 0)) { out[i] = lam === 0 ? 0 : NaN; continue; }
    const u = U.next();
    let k = 0, logp = -lam, cdf = Math.exp(logp);
    const cap = lam + 40 * Math.sqrt(lam) + 100;
    while (cdf < u && k < cap) { k++; logp += Math.log(lam) - Math.log(k); cdf += Math.exp(logp); }
    out[i] = k;
  }
  return torch.tensor(out).view(rate.shape.slice()).to(rate.dtype).to(rate.device);
}

export function binomialSample(count: Tensor, probs: Tensor): Tensor {
  const n = count.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const p = probs.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const U = new Stream('rand', Math.max(64, n.length));
  const out = new Float64Array(n.length);
  for (let i = 0; i < n.length; i++) {
    const N = n[i], pr = p[i];
    if (pr <= 0 || N === 0) { out[i] = 0; continue; }
    if (pr >= 1) { out[i] = N; continue; }
    const u = U.next();
    // inversion on the smaller tail probability keeps the first term away from underflow
    const flip = pr > 0.5, q = flip ? 1 - pr : pr;
    let k = 0, logp = N * Math.log1p(-q), cdf = Math.exp(logp);
    const ratio = Math.log(q) - Math.log1p(-q);
    while (cdf < u && k < N) { logp += Math.log(N - k) - Math.log(k + 1) + ratio; k++; cdf += Math.exp(logp); }
    out[i] = flip ? N - k : k;
  }
  return torch.tensor(out).view(count.shape.slice()).to(probs.dtype).to(probs.device);
}

/** Regularised lower incomplete gamma P(a, x) (series below a + 1, continued fraction above). */
export function gammaincScalar(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  const lnPre = a * Math.log(x) - x - lgammaScalar(a);
  if (x < a + 1) {
    let sum = 1 / a, term = 1 / a;
    for (let n = 1; n < 10000; n++) { term *= x / (a + n); sum += term; if (Math.abs(term) < Math.abs(sum) * 1e-16) break; }
    return sum * Math.exp(lnPre);
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a); b += 2;
    d = an * d + b; if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c; if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d; const del = d * c; h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return 1 - Math.exp(lnPre) * h;
}

/** dx/da for x ~ Gamma(a, 1) at fixed P(a, x) (PyTorch's _standard_gamma_grad, here by a central difference of P). */
export function standardGammaGrad(alpha: Tensor, x: Tensor): Tensor {
  const a = alpha.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const xs = x.detach().to('cpu').to('float64').contiguous().toTypedArray() as Float64Array;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i], xi = xs[i];
    const h = 1e-5 * Math.max(1, ai);
    const dPda = (gammaincScalar(ai + h, xi) - gammaincScalar(ai - h, xi)) / (2 * h);
    const pdf = Math.exp((ai - 1) * Math.log(xi) - xi - lgammaScalar(ai));
    out[i] = pdf > 0 ? -dPda / pdf : 0;
  }
  return torch.tensor(out).view(alpha.shape.slice()).to(alpha.dtype).to(alpha.device);
}

class StandardGamma extends Function {
  static override forward(ctx: FunctionCtx, alpha: Tensor): Tensor {
    const x = standardGamma(alpha);
    ctx.saveForBackward(alpha, x);
    return x;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [alpha, x] = ctx.savedTensors;
    return g.mul(standardGammaGrad(alpha, x));
  }
}
/** Reparameterised Gamma(alpha, 1) samples. */
export const rsampleStandardGamma = (alpha: Tensor): Tensor => StandardGamma.apply(alpha);
