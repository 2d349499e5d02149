// functional_nn3d.ts - nn.functional forms nodetorch lacked (ops.schema rows with from=functional_nn3d): conv3d,
// conv_transpose3d, avg_pool3d, adaptive_avg_pool3d, lp_pool3d, ctc_loss, multilabel_margin_loss, and the
// hand-written triplet_margin_with_distance_loss (its distance_function is a JS function: the schema has no callable
// type). The 3-d forms are composites of existing differentiable ops (conv2d / conv_transpose2d over depth slices,
// separable average pools), so their gradients are those ops' (PyTorch 1.13's semantics, defaults and
// messages). ctc_loss runs the log-space alpha/beta recursions on the host in float64 (PyTorch's ctc_loss_cpu
// algorithm) and records one CtcLossBackward0 node whose gradient is PyTorch's: exp(log_probs) - occupancy for each
// time step inside input_lengths (the gradient through a following log_softmax, not the plain derivative
// -occupancy), zero after it and for a zero_infinity sample.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { isFloating } from '../dtype';
import { zeros, tensor as makeTensor } from '../ops/creation';
import { cat, stack } from '../ops/shape';
import { conv2d, convTranspose2d, avgPool2d, adaptiveAvgPool2d, fold } from './convolution';
import { pad, pairwiseDistance } from './functional';
import { posOpts } from '../ops/util';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';

type T = Tensor;
type Size = number | readonly number[];
type Red = 'none' | 'mean' | 'sum';
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;
function checkTensor(x: unknown, op: string, name = 'input'): asserts x is T {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}(): argument '${name}' must be Tensor`);
}
function triple(v: Size | null | undefined, name: string, op: string): number[] | null {
  if (v === null || v === undefined) return null;
  const a = typeof v === 'number' ? [v, v, v] : Array.from(v);
  if (a.length === 1) a.push(a[0], a[0]);
  if (a.length !== 3 || a.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw new TorchError(`${op}: ${name} must be an int or a tuple of 3 ints, got ${JSON.stringify(v)}`);
  return a;
}
function checkRed(r: unknown): Red {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new TorchError(`${String(r)} is not a valid value for reduction`);
  return r;
}
function reduce(t: T, r: Red): T { return r === 'mean' ? t.mean() : r === 'sum' ? t.sum() : t; }
function legacyReduction(sizeAverage: boolean | null, rd: boolean | null, reduction: Red): Red {
  if ((sizeAverage === null || sizeAverage === undefined) && (rd === null || rd === undefined)) return reduction;
  const sa = sizeAverage ?? true, r2 = rd ?? true;
  const r: Red = sa && r2 ? 'mean' : r2 ? 'sum' : 'none';
  process.emitWarning(`size_average and reduce args will be deprecated, please use reduction='${r}' instead.`, 'UserWarning');
  return r;
}

// ---- conv3d / conv_transpose3d ------------------------------------------------------------------------------------
// x [N, C, D, H, W] -> the depth slices each depth tap kd meets (stride sD, dilation dD), stacked as extra input
// channels of a batch of 2-d images [N*OD, C*kD, H, W] (the im2col of the depth dimension), one conv2d with
// w.reshape([Co, Cg*kD, kH, kW]); so the 2-d kernels (CPU GEMM, CUDA) do the work and give the gradients.
function batched5(x: T, op: string, what: string): [T, boolean] {
  if (x.ndim !== 4 && x.ndim !== 5) throw new TorchError(`Expected 4D (unbatched) or 5D (batched) input to ${op}, but got input of size: ${shp(x.shape)}`);
  void what;
  return x.ndim === 4 ? [x.unsqueeze(0), true] : [x, false];
}
export function conv3d(x0: T, w: T, b: T | null, stride: Size, padding: Size | 'same' | 'valid', dilation: Size, groups: number): T {
  checkTensor(x0, 'conv3d'); checkTensor(w, 'conv3d', 'weight');
  if (b !== null && b !== undefined) checkTensor(b, 'conv3d', 'bias');
  const [x, unb] = batched5(x0, 'conv3d', 'input');
  if (w.ndim !== 5) throw new TorchError(`Expected 5-dimensional weight for 5-dimensional input ${shp(x.shape)}, but got ${w.ndim}-dimensional weight of size ${shp(w.shape)} instead`);
  if (x.device.type !== w.device.type) throw new TorchError(`conv3d: expected input and weight on the same device, got input on ${String(x.device)} and weight on ${String(w.device)}`);
  if (!Number.isInteger(groups) || groups <= 0) throw new TorchError('non-positive groups is not supported');
  const s = triple(stride, 'stride', 'conv3d') as number[], d = triple(dilation, 'dilation', 'conv3d') as number[];
  if (s.some((v) => v <= 0)) throw new TorchError('non-positive stride is not supported');
  if (d.some((v) => v <= 0)) throw new TorchError('dilation should be greater than zero');
  const [N, C] = x.shape;
  const [Co, Cg, kD, kH, kW] = w.shape;
  if (C !== Cg * groups) throw new TorchError(`Given groups=${groups}, weight of size ${shp(w.shape)}, expected input${shp(x.shape)} to have ${Cg * groups} channels, but got ${C} channels instead`);
  if (Co % groups !== 0) throw new TorchError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${shp(w.shape)} instead`);
  if (b && (b.ndim !== 1 || b.shape[0] !== Co)) throw new TorchError(`Given weight of size ${shp(w.shape)}, expected bias to be 1-dimensional with ${Co} elements, but got bias of size ${shp(b.shape)} instead`);
  let p: number[];
  let xp = x;
  if (typeof padding === 'string') {
    if (padding === 'valid') p = [0, 0, 0];
    else if (padding === 'same') {
      if (s.some((v) => v !== 1)) throw new TorchError("padding='same' is not supported for strided convolutions");
      // PyTorch: symmetric padding, the odd remainder on the far side through an explicit pad
      const k = [kD, kH, kW];
      const tot = k.map((kk, i) => d[i] * (kk - 1));
      p = tot.map((t) => Math.floor(t / 2));
      const extra = tot.map((t) => t % 2);
      if (extra.some((e) => e)) xp = pad(x, [0, extra[2], 0, extra[1], 0, extra[0]], 'constant', 0);
    } else throw new TorchError(`Invalid padding string '${padding}', should be one of ['valid', 'same']`);
  } else {
    p = triple(padding, 'padding', 'conv3d') as number[];
    if (p.some((v) => v < 0)) throw new TorchError('negative padding is not supported');
  }
  const D = xp.shape[2], H = xp.shape[3], W = xp.shape[4];
  const dims = [D + 2 * p[0], H + 2 * p[1], W + 2 * p[2]];
  const ke = [kD, kH, kW].map((kk, i) => d[i] * (kk - 1) + 1);
  if (dims.some((v, i) => v < ke[i])) {
    throw new TorchError(`Calculated padded input size per channel: (${dims.join(' x ')}). Kernel size: (${ke.join(' x ')}). Kernel size can't be greater than actual input size`);
  }
  const OD = Math.floor((dims[0] - ke[0]) / s[0]) + 1;
  if (p[0] > 0) xp = pad(xp, [0, 0, 0, 0, p[0], p[0]], 'constant', 0);
  // the depth taps as extra input channels (per group (c, kd), as w.reshape([Co, Cg*kD, kH, kW])): one conv2d
  const taps: T[] = [];
  for (let kd = 0; kd < kD; kd++) taps.push(xp.slice(2, kd * d[0], kd * d[0] + (OD - 1) * s[0] + 1, s[0]));  // [N, C, OD, H, W]
  const cols = (kD === 1 ? taps[0].unsqueeze(2) : stack(taps, 2)).permute([0, 3, 1, 2, 4, 5]).reshape([N * OD, C * kD, xp.shape[3], xp.shape[4]]);
  const y = conv2d(cols, w.reshape([Co, Cg * kD, kH, kW]), null, [s[1], s[2]], [p[1], p[2]], [d[1], d[2]], groups);  // [N*OD, Co, OH, OW]
  const OH = y.shape[2], OW = y.shape[3];
  let out = y.reshape([N, OD, Co, OH, OW]).permute([0, 2, 1, 3, 4]);
  if (b) out = out.add(b.reshape([1, Co, 1, 1, 1]));
  else out = out.contiguous();
  return unb ? out.squeeze(0) : out;
}

// conv_transpose3d: conv_transpose2d of every input depth slice, the depth taps as extra output channels, then the
// col2im of the depth dimension (fold): tap kd of input depth id lands at output depth id*sD + kd*dD - pD.
export function convTranspose3d(x0: T, w: T, b: T | null, stride: Size, padding: Size, outputPadding: Size, groups: number, dilation: Size): T {
  checkTensor(x0, 'conv_transpose3d'); checkTensor(w, 'conv_transpose3d', 'weight');
  if (b !== null && b !== undefined) checkTensor(b, 'conv_transpose3d', 'bias');
  const [x, unb] = batched5(x0, 'conv_transpose3d', 'input');
  if (w.ndim !== 5) throw new TorchError(`Expected 5-dimensional weight for 5-dimensional input ${shp(x.shape)}, but got ${w.ndim}-dimensional weight of size ${shp(w.shape)} instead`);
  if (!Number.isInteger(groups) || groups <= 0) throw new TorchError('non-positive groups is not supported');
  const s = triple(stride, 'stride', 'conv_transpose3d') as number[], d = triple(dilation, 'dilation', 'conv_transpose3d') as number[];
  const p = triple(padding, 'padding', 'conv_transpose3d') as number[], op = triple(outputPadding, 'output_padding', 'conv_transpose3d') as number[];
  if (s.some((v) => v <= 0)) throw new TorchError('non-positive stride is not supported');
  if (d.some((v) => v <= 0)) throw new TorchError('dilation should be greater than zero');
  if (p.some((v) => v < 0)) throw new TorchError('negative padding is not supported');
  if (op.some((v, i) => v >= s[i] && v >= d[i])) throw new TorchError('output padding must be smaller than either stride or dilation');
  const [N, C, ID] = x.shape;
  const [Cw, Cog, kD] = w.shape;
  if (Cw !== C) throw new TorchError(`Given transposed=1, weight of size ${shp(w.shape)}, expected input${shp(x.shape)} to have ${Cw} channels, but got ${C} channels instead`);
  if (C % groups !== 0) throw new TorchError(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${shp(w.shape)} instead`);
  const Co = Cog * groups;
  if (b && (b.ndim !== 1 || b.shape[0] !== Co)) throw new TorchError(`Given transposed=1, weight of size ${shp(w.shape)}, expected bias to be 1-dimensional with ${Co} elements, but got bias of size ${shp(b.shape)} instead`);
  const L = (ID - 1) * s[0] + d[0] * (kD - 1) + 1 + op[0];  // the full depth before the padding is cut off
  const OD = L - 2 * p[0];
  if (OD <= 0) throw new TorchError(`Given input size per channel: (${x.shape.slice(2).join(' x ')}). Calculated output size per channel: (${OD} x ...). Output size is too small`);
  const H = x.shape[3], W = x.shape[4];
  const xs = x.permute([0, 2, 1, 3, 4]).reshape([N * ID, C, H, W]);
  let outT: T;
  if (op[0] < s[0]) {
    // one conv_transpose2d with the depth taps as extra output channels ([Cin, kD*Cout/G, kH, kW]: per group (kd, co)),
    // then F.fold over depth (the col2im of a [kD, 1] kernel, stride sD, dilation dD, padding pD) adds each tap's
    // slices at their output depths
    const [, , , kH, kW] = w.shape;
    const w2 = w.permute([0, 2, 1, 3, 4]).reshape([C, kD * Cog, kH, kW]);
    const y = convTranspose2d(xs, w2, null, [s[1], s[2]], [p[1], p[2]], [op[1], op[2]], groups, [d[1], d[2]]);  // [N*ID, G*kD*Cog, OH, OW]
    const OH = y.shape[2], OW = y.shape[3];
    const cols = y.reshape([N, ID, groups, kD, Cog, OH, OW]).permute([0, 2, 4, 5, 6, 3, 1]).reshape([N, Co * OH * OW * kD, ID]);
    const f = fold(cols, [OD, 1], [kD, 1], [d[0], 1], [p[0], 0], [s[0], 1]);  // [N, Co*OH*OW, OD, 1]
    outT = f.reshape([N, Co, OH, OW, OD]).permute([0, 1, 4, 2, 3]);
  } else {
    // (output_padding >= stride, allowed when it is < dilation: fold's block count would not match) per depth tap
    let acc: T | null = null;
    for (let kd = 0; kd < kD; kd++) {
      const y = convTranspose2d(xs, w.select(2, kd), null, [s[1], s[2]], [p[1], p[2]], [op[1], op[2]], groups, [d[1], d[2]]);  // [N*ID, Co, OH, OW]
      const OH = y.shape[2], OW = y.shape[3];
      let yd = y.reshape([N, ID, 1, Co, OH, OW]);
      if (s[0] > 1) yd = cat([yd, zeros([N, ID, s[0] - 1, Co, OH, OW], { dtype: y.dtype, device: y.device })], 2);
      let placed = yd.reshape([N, ID * s[0], Co, OH, OW]).slice(1, 0, (ID - 1) * s[0] + 1);  // input depth id at id*sD
      const before = kd * d[0], after = L - before - ((ID - 1) * s[0] + 1);
      const parts: T[] = [];
      if (before > 0) parts.push(zeros([N, before, Co, OH, OW], { dtype: y.dtype, device: y.device }));
      parts.push(placed);
      if (after > 0) parts.push(zeros([N, after, Co, OH, OW], { dtype: y.dtype, device: y.device }));
      placed = parts.length > 1 ? cat(parts, 1) : placed;
      acc = acc === null ? placed : acc.add(placed);
    }
    outT = (acc as T).slice(1, p[0], p[0] + OD).permute([0, 2, 1, 3, 4]);
  }
  let out = outT;
  if (b) out = out.add(b.reshape([1, Co, 1, 1, 1]));
  else out = out.contiguous();
  return unb ? out.squeeze(0) : out;
}

// ---- avg_pool3d / adaptive_avg_pool3d / lp_pool3d -----------------------------------------------------------------
// a box average is separable: avg_pool2d over (H, W), then over D (as the H of a [.., D, 1] image); ceil_mode,
// count_include_pad and their divisors are per dimension, so the product of the two passes is PyTorch's divisor.
// divisor_override: both passes sum (divisor 1), then the sum is divided by it.
function pool5(x: T, op: string): [T, boolean] {
  if ((x.ndim !== 4 && x.ndim !== 5) || x.shape.slice(x.ndim - 4).some((v, i) => i > 0 && v === 0) || (x.ndim === 5 && x.shape[1] === 0)) {
    throw new TorchError('non-empty 4D or 5D (batch mode) tensor expected for input');
  }
  void op;
  return x.ndim === 4 ? [x.unsqueeze(0), true] : [x, false];
}
export function avgPool3d(x0: T, kernelSize: Size, stride: Size | null, padding: Size, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null): T {
  checkTensor(x0, 'avg_pool3d');
  const [x, unb] = pool5(x0, 'avg_pool3d');
  const k = triple(kernelSize, 'kernel_size', 'avg_pool3d') as number[];
  const s = triple(stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? null : stride, 'stride', 'avg_pool3d') ?? k;
  const p = triple(padding, 'padding', 'avg_pool3d') as number[];
  if (k.some((v) => v <= 0)) throw new TorchError(`kernel size should be greater than zero, but got kT: ${k[0]} kH: ${k[1]} kW: ${k[2]}`);
  if (s.some((v) => v <= 0)) throw new TorchError(`stride should be greater than zero, but got dT: ${s[0]} dH: ${s[1]} dW: ${s[2]}`);
  if (p.some((v, i) => v > k[i] / 2)) throw new TorchError('pad should be smaller than or equal to half of kernel size');
  if (divisorOverride !== null && divisorOverride !== undefined && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) throw new TorchError('divisor must be not zero');
  if (!isFloating(x.dtype)) throw new TorchError(`"avg_pool3d_out_frame" not implemented for '${x.dtype}'`);
  const [N, C, D, H, W] = x.shape;
  const div = divisorOverride ?? null;
  const a = avgPool2d(x.reshape([N * C, D, H, W]), [k[1], k[2]], [s[1], s[2]], [p[1], p[2]], ceilMode, countIncludePad, div === null ? null : 1);
  const OH = a.shape[2], OW = a.shape[3];
  let y = avgPool2d(a.reshape([N * C, 1, D, OH * OW]), [k[0], 1], [s[0], 1], [p[0], 0], ceilMode, countIncludePad, div === null ? null : 1);
  if (div !== null) y = y.div(div);
  const out = y.reshape([N, C, y.shape[2], OH, OW]);
  return unb ? out.squeeze(0) : out;
}
export function adaptiveAvgPool3d(x0: T, outputSize: number | readonly (number | null)[]): T {
  checkTensor(x0, 'adaptive_avg_pool3d');
  if (x0.ndim !== 4 && x0.ndim !== 5) throw new TorchError(`adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got ${shp(x0.shape)}`);
  for (let i = x0.ndim - 4 + 1; i < x0.ndim; i++) if (x0.shape[i] === 0) throw new TorchError(`adaptive_avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shp(x0.shape)} with dimension ${i} being empty`);
  const os = typeof outputSize === 'number' ? [outputSize, outputSize, outputSize] : Array.from(outputSize);
  if (os.length === 1) os.push(os[0], os[0]);
  if (os.length !== 3) throw new TorchError('adaptive_avg_pool3d: internal error: output_size.size() must be 3');
  const [x, unb] = x0.ndim === 4 ? [x0.unsqueeze(0), true] : [x0, false];
  const [N, C, D, H, W] = x.shape;
  const o = os.map((v, i) => (v === null || v === undefined ? [D, H, W][i] : v));
  if (o.some((v) => !Number.isInteger(v) || v < 0)) throw new TorchError(`adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but received {${o.join(', ')}}`);
  const a = adaptiveAvgPool2d(x.reshape([N * C, D, H, W]), [o[1], o[2]]);
  const y = adaptiveAvgPool2d(a.reshape([N * C, 1, D, o[1] * o[2]]), [o[0], o[1] * o[2]]);
  const out = y.reshape([N, C, o[0], o[1], o[2]]);
  return unb ? out.squeeze(0) : out;
}
/** lp_pool3d (PyTorch 2.x): (sum over each window of x^p)^(1/p), as PyTorch's sign(out) * relu(|out|) * (kT*kH*kW)
 *  of the average pool, then ^(1/p) */
export function lpPool3d(x: T, normType: number, kernelSize: Size, stride: Size | null, ceilMode: boolean): T {
  checkTensor(x, 'lp_pool3d');
  const k = triple(kernelSize, 'kernel_size', 'lp_pool3d') as number[];
  const out = avgPool3d(x.pow(normType), k, stride, 0, ceilMode, true, null);
  return out.sign().mul(out.abs().relu()).mul(k[0] * k[1] * k[2]).pow(1 / normType);
}

// ---- ctc_loss -----------------------------------------------------------------------------------------------------

const lse2 = (a: number, b: number): number => {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
};
/** per-sample negative log-likelihoods [N] of lp [T, N, C] (host float64 alpha/beta), recording CtcLossBackward0 */
function ctcForwardBackward(lp: T, rows: number[][], il: number[], blank: number, zeroInfinity: boolean): T {
  const [T_, N, C] = lp.shape;
  const lpa = noGrad(() => lp.detach().to({ dtype: 'float64', device: 'cpu' }).contiguous().toTypedArray()) as Float64Array;
  const nll = new Float64Array(N);
  const grad = new Float64Array(T_ * N * C);
  const at = (t: number, n: number, c: number): number => lpa[(t * N + n) * C + c];
  for (let n = 0; n < N; n++) {
    const r = rows[n], L = r.length, S = 2 * L + 1, Tn = il[n];
    const lab = (s: number): number => (s % 2 === 0 ? blank : r[(s - 1) >> 1]);
    const skipOk = (s: number): boolean => s % 2 === 1 && s >= 3 && r[(s - 1) >> 1] !== r[(s - 3) >> 1];
    if (Tn === 0) {
      nll[n] = L === 0 ? 0 : Infinity;
      if (nll[n] === Infinity && zeroInfinity) nll[n] = 0;
      continue;
    }
    const alpha = new Float64Array(Tn * S).fill(-Infinity), beta = new Float64Array(Tn * S).fill(-Infinity);
    alpha[0] = at(0, n, blank);
    if (S > 1) alpha[1] = at(0, n, lab(1));
    for (let t = 1; t < Tn; t++) {
      for (let s = 0; s < S; s++) {
        let v = alpha[(t - 1) * S + s];
        if (s >= 1) v = lse2(v, alpha[(t - 1) * S + s - 1]);
        if (skipOk(s)) v = lse2(v, alpha[(t - 1) * S + s - 2]);
        alpha[t * S + s] = v === -Infinity ? -Infinity : v + at(t, n, lab(s));
      }
    }
    const ll = S > 1 ? lse2(alpha[(Tn - 1) * S + S - 1], alpha[(Tn - 1) * S + S - 2]) : alpha[(Tn - 1) * S];
    nll[n] = -ll;
    if (nll[n] === Infinity && zeroInfinity) { nll[n] = 0; continue; }
    // beta (with the emission at t, as PyTorch's), then the gradient exp(lp) - exp(log sum_{s: l'(s) = c} alpha beta + nll - lp)
    beta[(Tn - 1) * S + S - 1] = at(Tn - 1, n, lab(S - 1));
    if (S > 1) beta[(Tn - 1) * S + S - 2] = at(Tn - 1, n, lab(S - 2));
    for (let t = Tn - 2; t >= 0; t--) {
      for (let s = 0; s < S; s++) {
        let v = beta[(t + 1) * S + s];
        if (s + 1 < S) v = lse2(v, beta[(t + 1) * S + s + 1]);
        if (s + 2 < S && skipOk(s + 2)) v = lse2(v, beta[(t + 1) * S + s + 2]);
        beta[t * S + s] = v === -Infinity ? -Infinity : v + at(t, n, lab(s));
      }
    }
    const lcab = new Float64Array(C);
    for (let t = 0; t < Tn; t++) {
      lcab.fill(-Infinity);
      for (let s = 0; s < S; s++) { const c = lab(s); lcab[c] = lse2(lcab[c], alpha[t * S + s] + beta[t * S + s]); }
      for (let c = 0; c < C; c++) {
        const l = at(t, n, c);
        grad[(t * N + n) * C + c] = Math.exp(l) - Math.exp(lcab[c] + nll[n] - l);
      }
    }
  }
  const out = makeTensor(nll, { dtype: lp.dtype, device: lp.device });
  return record('CtcLossBackward0', [lp], out, (g) => {
    const gt = makeTensor(grad, { dtype: lp.dtype, device: lp.device }).reshape([T_, N, C]);
    return [gt.mul(g.reshape([1, N, 1]))];
  }, [lp]);
}
function lengths(v: unknown, name: string, n: number): number[] {
  let a: number[];
  if (v instanceof Tensor) {
    if (isFloating(v.dtype) || v.dtype === 'bool') throw new TorchError(`ctc_loss: ${name} must be an integer tensor or a list of ints, got ${v.dtype}`);
    a = (v.ndim === 0 ? [v.item()] : (v.reshape([-1]).tolist() as number[])).map(Number);
  } else if (typeof v === 'number') a = [v];
  else if (Array.isArray(v)) a = v.map(Number);
  else throw new TypeError(`ctc_loss(): argument '${name}' must be a Tensor or a list of ints`);
  if (a.length !== n) throw new TorchError(`${name} must be of size batch_size`);
  return a;
}
/** ctc_loss(log_probs [T, N, C] or [T, C], targets [N, S] padded or 1-D concatenated, input_lengths, target_lengths,
 *  blank = 0, reduction = 'mean', zero_infinity = false): -log p(target | input) by the CTC forward recursion in
 *  log space; 'mean' divides each loss by its target length (at least 1), then averages over the batch */
export function ctcLoss(logProbs: T, targets: T, inputLengths: T | number[], targetLengths: T | number[], blank: number, reduction: Red, zeroInfinity: boolean): T {
  checkTensor(logProbs, 'ctc_loss', 'log_probs'); checkTensor(targets, 'ctc_loss', 'targets');
  const red = checkRed(reduction);
  if (logProbs.ndim !== 2 && logProbs.ndim !== 3) throw new TorchError(`ctc_loss: expected log_probs to be 2-D (unbatched) or 3-D, got ${shp(logProbs.shape)}`);
  if (!isFloating(logProbs.dtype)) throw new TorchError(`"ctc_loss_cpu" not implemented for '${logProbs.dtype}'`);
  const unb = logProbs.ndim === 2;
  const lp = unb ? logProbs.unsqueeze(1) : logProbs;
  const tg = unb ? targets.unsqueeze(0) : targets;
  const [T_, N, C] = lp.shape;
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new TorchError('blank must be in label range');
  if (isFloating(tg.dtype) || tg.dtype === 'bool') throw new TorchError(`ctc_loss: expected targets to be an integer tensor, got ${tg.dtype}`);
  const il = lengths(inputLengths, 'input_lengths', N), tl = lengths(targetLengths, 'target_lengths', N);
  for (const v of il) if (v > T_) throw new TorchError(`Expected input_lengths to have value at most ${T_}, but got value ${v} (while checking arguments for ctc_loss_cpu)`);
  for (const v of il) if (v < 0) throw new TorchError(`ctc_loss: input_lengths must be non-negative, got ${v}`);
  for (const v of tl) if (v < 0) throw new TorchError(`ctc_loss: target_lengths must be non-negative, got ${v}`);
  const flat = (tg.reshape([-1]).tolist() as number[]).map(Number);
  const rows: number[][] = [];
  if (tg.ndim === 1 && !unb) {
    const total = tl.reduce((a, v) => a + v, 0);
    if (flat.length < total) throw new TorchError(`Expected tensor to have size at least ${total} at dimension 0, but got size ${flat.length} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`);
    let o = 0;
    for (const l of tl) { rows.push(flat.slice(o, o + l)); o += l; }
  } else {
    if (tg.ndim !== 2) throw new TorchError(`ctc_loss: expected targets to be 1-D (concatenated) or 2-D (padded), got ${shp(targets.shape)}`);
    const S = tg.shape[1];
    const mx = Math.max(0, ...tl);
    if (S < mx) throw new TorchError(`Expected tensor to have size at least ${mx} at dimension 1, but got size ${S} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)`);
    if (tg.shape[0] !== N) throw new TorchError(`ctc_loss: expected targets of batch size ${N}, got ${shp(targets.shape)}`);
    for (let n = 0; n < N; n++) rows.push(flat.slice(n * S, n * S + tl[n]));
  }
  for (const r of rows) for (const c of r) if (c < 0 || c >= C) throw new TorchError(`ctc_loss: target index ${c} is out of bounds for ${C} classes`);
  const nll = ctcForwardBackward(lp, rows, il, blank, zeroInfinity);  // [N], with PyTorch's gradient node
  const dt = lp.dtype, dev = lp.device;
  let out: T;
  if (red === 'mean') out = nll.div(makeTensor(tl.map((v) => Math.max(v, 1)), { dtype: dt, device: dev })).mean();
  else if (red === 'sum') out = nll.sum();
  else out = unb ? nll.squeeze(0) : nll;
  return out;
}

// ---- multilabel_margin_loss ---------------------------------------------------------------------------------------
/** multilabel_margin_loss(input [C] or [N, C], target (same shape, int64: class indices up to the first -1)):
 *  sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])), divided by C */
export function multilabelMarginLoss(input: T, target: T, sizeAverage: boolean | null, rd: boolean | null, reduction: Red): T {
  const red = checkRed(legacyReduction(sizeAverage, rd, reduction));
  checkTensor(input, 'multilabel_margin_loss'); checkTensor(target, 'multilabel_margin_loss', 'target');
  if (input.ndim > 2 || (input.ndim === 2 && input.shape[1] === 0) || (input.ndim === 1 && input.shape[0] === 0)) {
    throw new TorchError(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${shp(input.shape)}`);
  }
  const C = input.ndim === 0 ? 1 : input.shape[input.ndim - 1];
  const N = input.ndim === 2 ? input.shape[0] : 1;
  const tshape = input.ndim === 2 ? [N, C] : [C];
  if (target.ndim !== Math.max(input.ndim, 1) || target.shape.join() !== tshape.join()) {
    if (input.ndim <= 1) throw new TorchError(`inconsistent size ${shp(target.shape)} for argument #2 'target'`);
    throw new TorchError(`inconsistent size ${shp(target.shape)} for argument #2 'target'`);
  }
  if (target.dtype !== 'int64') throw new TorchError(`expected scalar type Long but found ${target.dtype === 'int32' ? 'Int' : target.dtype}`);
  const tv = (target.reshape([-1]).tolist() as number[]).map(Number);
  const cnt = new Array<number>(N * C).fill(0), isT = new Array<number>(N * C).fill(0);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < C; j++) {
      const c = tv[n * C + j];
      if (c < 0) break;
      if (c >= C) throw new TorchError(`multilabel_margin_loss: target index ${c} is out of bounds for ${C} classes`);
      cnt[n * C + c]++; isT[n * C + c] = 1;
    }
  }
  const x = input.reshape([N, C]);
  const w = makeTensor(cnt, { dtype: x.dtype, device: x.device }).reshape([N, C, 1])
    .mul(makeTensor(isT.map((v) => 1 - v), { dtype: x.dtype, device: x.device }).reshape([N, 1, C]));
  const z = x.unsqueeze(1).sub(x.unsqueeze(2)).add(1).relu();  // [n, j, i] = 1 - x[j] + x[i]
  let l = z.mul(w).sum([1, 2]).div(C);
  if (input.ndim <= 1) l = l.reshape([]);
  return reduce(l, red);
}

// ---- triplet_margin_with_distance_loss (hand-written: distance_function is a JS function) -------------------------
export interface TripletMarginWithDistanceLossOpts {
  distanceFunction?: ((a: T, b: T) => T) | null; margin?: number; swap?: boolean; reduction?: Red;
}
/** triplet_margin_with_distance_loss(anchor, positive, negative, { distanceFunction, margin = 1, swap = false,
 *  reduction = 'mean' }): max(d(a, p) - d(a, n) + margin, 0); distanceFunction defaults to pairwise_distance */
export function tripletMarginWithDistanceLoss(anchor: T, positive: T, negative: T, opts?: TripletMarginWithDistanceLossOpts): T;
export function tripletMarginWithDistanceLoss(opts: TripletMarginWithDistanceLossOpts & { anchor: T; positive: T; negative: T }): T;
export function tripletMarginWithDistanceLoss(...args: unknown[]): T {
  // anchor, positive, negative positionally or by name; the rest keyword-only (PyTorch's `*`)
  const o = posOpts<TripletMarginWithDistanceLossOpts & { anchor: T; positive: T; negative: T }>('triplet_margin_with_distance_loss', args,
    ['anchor', 'positive', 'negative'], ['distanceFunction', 'margin', 'swap', 'reduction']);
  const { anchor, positive, negative } = o;
  const opts = o;
  checkTensor(anchor, 'triplet_margin_with_distance_loss', 'anchor'); checkTensor(positive, 'triplet_margin_with_distance_loss', 'positive');
  checkTensor(negative, 'triplet_margin_with_distance_loss', 'negative');
  const margin = opts.margin ?? 1, swap = !!opts.swap, red = checkRed(opts.reduction ?? 'mean');
  if (!(margin > 0)) throw new TorchError(`triplet_margin_with_distance_loss: expected margin to be greater than 0, got ${margin} instead`);
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) {
    throw new TorchError(`The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${anchor.ndim}D, positive ${positive.ndim}D, and negative ${negative.ndim}D inputs`);
  }
  const df = opts.distanceFunction ?? ((a: T, b: T) => pairwiseDistance(a, b, 2, 1e-6, false));
  if (typeof df !== 'function') throw new TypeError('triplet_margin_with_distance_loss(): distance_function must be a function');
  const dPos = df(anchor, positive);
  let dNeg = df(anchor, negative);
  if (swap) dNeg = dNeg.minimum(df(positive, negative));
  return reduce(dPos.sub(dNeg).add(margin).clampMin(0), red);
}
