// activation_impl.ts - the implementations of the schema's nn.functional rows (lib/ops/ops.schema, `F.` rows ->
// lib/ops/generated_functional.ts, re-exported by ./functional.ts): each takes the row's parameters parsed, with the
// defaults filled in. The in-place forms (inplace: true) run the kernel on x's own storage through the in-place
// protocol (activationInplace = lib/autograd/inplace.ts's inplaceKernel) with the node PyTorch records.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { DTypeName, toDType } from '../dtype';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import { unaryOp, UNARY_DEFS, copyInto, where, toDtype, binaryOp, BINARY_DEFS, unaryInplace, activationInplace, clampScalarKernel, unaryKernelInto, fused } from '../ops/elementwise';
import { checkTensor } from '../ops/util';
import { acState, autocastListed, autocastCall } from '../amp/autocast';

type T = Tensor;
function num(v: unknown, name: string, op: string): number {
  if (typeof v !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, not ${typeof v}`);
  return v;
}

export function relu(x: T, inplace: boolean): T { checkTensor(x, 'relu'); return inplace ? unaryInplace(x, UNARY_DEFS.relu) : unaryOp(UNARY_DEFS.relu, x); }
export function relu6(x: T, inplace: boolean): T { return hardtanh(x, 0, 6, inplace); }
export function hardtanh(x: T, minVal: number, maxVal: number, inplace: boolean): T {
  checkTensor(x, 'hardtanh');
  const lo = num(minVal, 'min_val', 'hardtanh'), hi = num(maxVal, 'max_val', 'hardtanh');
  if (inplace && x.dtype !== 'bool') {
    // in place from the result: strictly inside (min, max) after the op is strictly inside before it
    return activationInplace(x, 'hardtanh_', (t) => clampScalarKernel(t, lo, hi), { name: 'HardtanhBackward0', uses: 'result', f: (g, y) => g.mul(y.gt(lo).logicalAnd(y.lt(hi))) });
  }
  const y = noGrad(() => x.clamp(lo, hi));
  // HardtanhBackward0 (PyTorch's vectorised hardtanh_backward): the gradient passes strictly inside (min, max), so
  // it is 0 at the bounds and at NaN (clamp's own gradient passes at the bounds)
  const r = record('HardtanhBackward0', [x], y, (g) => [g.mul(x.gt(lo).logicalAnd(x.lt(hi)))], [x]);
  return inplace ? x.copy_(r) : r;
}
export function leakyRelu(x: T, negativeSlope: number, inplace: boolean): T {
  checkTensor(x, 'leaky_relu');
  const slope = num(negativeSlope, 'negative_slope', 'leaky_relu');
  if (inplace) {
    // LeakyReluBackward1: from the result, whose sign is the input's for a slope >= 0 (PyTorch refuses a negative one)
    return activationInplace(x, 'leaky_relu_', (t) => unaryKernelInto(t, UNARY_DEFS.leaky_relu, [slope]), { name: 'LeakyReluBackward1', uses: 'result', f: (g, y) => {
      if (slope < 0) throw new TorchError('In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope');
      return fused('leaky_relu_backward', g, y, [slope]) ?? g.mul(where(y.gt(0), 1, slope).to(g.dtype));
    } });
  }
  return unaryOp(UNARY_DEFS.leaky_relu, x, [slope]);
}
export function elu(x: T, alpha0: number, inplace: boolean): T {
  checkTensor(x, 'elu');
  const alpha = num(alpha0, 'alpha', 'elu');
  if (inplace) {
    // EluBackward1: from the result, alpha * exp(x) = y + alpha where y <= 0 (PyTorch refuses a negative alpha)
    return activationInplace(x, 'elu_', (t) => unaryKernelInto(t, UNARY_DEFS.elu, [alpha]), { name: 'EluBackward1', uses: 'result', f: (g, y) => {
      if (alpha < 0) throw new TorchError('In-place elu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead.');
      return g.mul(where(y.gt(0), 1, y.add(alpha)).to(g.dtype));
    } });
  }
  return unaryOp(UNARY_DEFS.elu, x, [alpha]);
}
export function selu(x: T, inplace: boolean): T {
  const alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  if (inplace) {
    // EluBackward1 (selu_): dy/dx = scale where y > 0, else y + scale * alpha
    return activationInplace(x, 'selu_', (t) => { unaryKernelInto(t, UNARY_DEFS.elu, [alpha]); binaryOp(BINARY_DEFS.mul, t, scale, [], t); },
      { name: 'EluBackward1', uses: 'result', f: (g, y) => g.mul(where(y.gt(0), scale, y.add(scale * alpha)).to(g.dtype)) });
  }
  return elu(x, alpha, false).mul(scale);
}
export function celu(x: T, alpha: number, inplace: boolean): T {
  const a = num(alpha, 'alpha', 'celu');
  if (inplace) {
    // CeluBackward1 (celu_): dy/dx = 1 where y > 0, else exp(x / alpha) = y / alpha + 1
    return activationInplace(x, 'celu_', (t) => copyInto(t, noGrad(() => elu(t.div(a), 1, false).mul(a).to(t.dtype))),
      { name: 'CeluBackward1', uses: 'result', f: (g, y) => g.mul(where(y.gt(0), 1, y.div(a).add(1)).to(g.dtype)) });
  }
  return elu(x.div(a), 1, false).mul(a);
}
export function gelu(x: T, approximate: 'none' | 'tanh'): T {
  checkTensor(x, 'gelu');
  if (approximate !== 'none' && approximate !== 'tanh') throw new TorchError(`approximate argument must be either none or tanh.`);
  return unaryOp(approximate === 'tanh' ? UNARY_DEFS.gelu_tanh : UNARY_DEFS.gelu, x);
}
export function silu(x: T, inplace: boolean): T { checkTensor(x, 'silu'); return inplace ? unaryInplace(x, UNARY_DEFS.silu) : unaryOp(UNARY_DEFS.silu, x); }
export function softplus(x: T, beta: number, threshold: number): T {
  if (acState.on && autocastListed('softplus', arguments)) return autocastCall('softplus', softplus, arguments);
  checkTensor(x, 'softplus');
  return unaryOp(UNARY_DEFS.softplus, x, [num(beta, 'beta', 'softplus'), num(threshold, 'threshold', 'softplus')]);
}

// PyTorch's implicit softmax dim (deprecated there): 0 for 0-, 1- and 3-D inputs, else 1
function softmaxDim(x: T, dim: number | null): number {
  if (dim === null) return x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1;
  return dim;
}
function withDtype(x: T, dtype: DTypeName | null): T { return dtype ? toDtype(x, toDType(dtype)) : x; }
export function softmax(x: T, dim: number | null, dtype: DTypeName | null): T { checkTensor(x, 'softmax'); return withDtype(x, dtype).softmax(softmaxDim(x, dim)); }
export function softmin(x: T, dim: number | null, dtype: DTypeName | null): T { checkTensor(x, 'softmin'); return withDtype(x, dtype).neg().softmax(softmaxDim(x, dim)); }
export function logSoftmax(x: T, dim: number | null, dtype: DTypeName | null): T { checkTensor(x, 'log_softmax'); return withDtype(x, dtype).logSoftmax(softmaxDim(x, dim)); }
