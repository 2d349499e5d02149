// batchnorm.ts - the fused batch norm: one native call forward (OP(batch_norm): statistics, running-stat update and
// normalisation) and one backward (OP(batch_norm_backward): grad input, weight and bias), as PyTorch's
// native_batch_norm / NativeBatchNormBackward0. F.batchNorm takes this path for contiguous [N, C, *] float32/float64
// CPU inputs whose optional tensors are contiguous [C] of the same dtype and device; anything else (CUDA tensors,
// other layouts and dtypes) uses the composite in functional.ts. When backward records a graph (createGraph), the
// gradients are built from differentiable ops instead, so double backward works as with the composite.
import { Tensor, empty_, runKernel } from '../tensor';
import { OP } from '../ops/ids';
import { record } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { contiguous, toDtype, copyInto } from '../ops/elementwise';
import { clOutStrides, restrideFresh } from '../memory_format';

type T = Tensor;

// whether the fused kernel takes these operands
function fusable(x: T, ts: (T | null)[]): boolean {
  if (x.device.type !== 'cpu' || (x.dtype !== 'float32' && x.dtype !== 'float64') || !x.isContiguous() || x.numel() === 0) return false;
  const C = x.shape[1];
  for (const t of ts) {
    if (!t) continue;
    if (t.dtype !== x.dtype || t.device.type !== 'cpu' || t.ndim !== 1 || t.shape[0] !== C || !t.isContiguous()) return false;
  }
  return true;
}

/** The fused batch norm, or null when the operands need the composite. `momentum` is the running-stat factor. */
export function fusedBatchNorm(x: T, rm: T | null, rv: T | null, weight: T | null, bias: T | null, training: boolean, momentum: number, eps: number): T | null {
  // a channels-last input in training: the kernel's NCHW layout at the boundary (a copy in; the output copied back
  // to channels-last, as PyTorch returns it), faster than the composite's strided statistics. In evaluation the
  // composite's two elementwise passes (channels-last in, channels-last out) are cheaper than the two copies.
  const cl = clOutStrides(x.shape, x);
  if (cl && !x.isContiguous() && !training) return null;
  const xk = cl && !x.isContiguous() && x.device.type === 'cpu' ? contigRaw(x) : x;
  if (!fusable(xk, [rm, rv, weight, bias])) return null;
  const C = x.shape[1];
  const y = empty_(x.shape.slice(), x.dtype, x.device);
  const sm = empty_([C], 'float64', x.device), si = empty_([C], 'float64', x.device);
  runKernel(OP.batch_norm, [y, sm, si, xk, weight ?? x, bias ?? x, rm ?? x, rv ?? x],
    [training ? 1 : 0, momentum, eps, weight ? 1 : 0, bias ? 1 : 0, rm ? 1 : 0, rv ? 1 : 0], 'batch_norm');
  // the running statistics were updated in place, as by mul_/add_ (their version counters move)
  if (training) { if (rm) rm._st.version++; if (rv) rv._st.version++; }
  const r = record('NativeBatchNormBackward0', [x, weight, bias], y,
    (g) => batchNormBackward(g, x, weight, bias, sm, si, training, eps, xk), [x, weight]);
  return xk === x ? r : restrideFresh(r, cl, copyInto);
}
function contigRaw(x: T): T {
  const c = empty_(x.shape.slice(), x.dtype, x.device);
  copyInto(c, x);
  return c;
}

// xk: x as the kernel reads it (a contiguous copy of a channels-last x)
function batchNormBackward(g: T, x: T, weight: T | null, bias: T | null, sm: T, si: T, training: boolean, eps: number, xk: T = x): (T | null)[] {
  const wantX = x.requiresGrad, wantW = !!weight && weight.requiresGrad, wantB = !!bias && bias.requiresGrad;
  if (gradState.enabled || g.dtype !== x.dtype || !g.device.equals(x.device)) return compositeBackward(g, x, weight, sm, si, training, eps, wantX, wantW, wantB);
  const gc = g.isContiguous() ? g : contiguous(g);
  const C = x.shape[1];
  const gx = wantX ? empty_(x.shape.slice(), x.dtype, x.device) : null;
  const gw = wantW ? empty_([C], x.dtype, x.device) : null;
  const gb = wantB ? empty_([C], x.dtype, x.device) : null;
  runKernel(OP.batch_norm_backward, [gx ?? x, gw ?? x, gb ?? x, gc, xk, sm, si, weight ?? x],
    [training ? 1 : 0, eps, weight ? 1 : 0, wantX ? 1 : 0, wantW ? 1 : 0, wantB ? 1 : 0], 'batch_norm_backward');
  return [gx, gw, gb];
}

// the same gradients from differentiable ops (a graph is being recorded: createGraph). In training mode the batch
// statistics are recomputed from x so that the gradient of this gradient flows through them.
function compositeBackward(g: T, x: T, weight: T | null, sm: T, si: T, training: boolean, eps: number, wantX: boolean, wantW: boolean, wantB: boolean): (T | null)[] {
  const nd = x.ndim, C = x.shape[1];
  const dims = [0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2)];
  const chan = (c: T): T => c.reshape([1, C, ...Array(nd - 2).fill(1)]);
  let mean: T, invstd: T;
  if (training) {
    mean = x.mean(dims, { keepdim: true });
    invstd = x.var(dims, { correction: 0, keepdim: true }).add(eps).rsqrt();
  } else {
    mean = chan(toDtype(sm, x.dtype));
    invstd = chan(toDtype(si, x.dtype));
  }
  const xhat = x.sub(mean).mul(invstd);
  const gsum = g.sum(dims, { keepdim: true });
  const gdot = g.mul(xhat).sum(dims, { keepdim: true });
  let gx: T | null = null;
  if (wantX) {
    const scale = weight ? invstd.mul(chan(weight)) : invstd;
    if (training) {
      const M = x.numel() / C;
      gx = g.sub(gsum.div(M)).sub(xhat.mul(gdot.div(M))).mul(scale);
    } else {
      gx = g.mul(scale);
    }
  }
  return [gx, wantW ? gdot.reshape([C]) : null, wantB ? gsum.reshape([C]) : null];
}
