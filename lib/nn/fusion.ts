// fusion.ts - torch.nn.utils.fusion: fold an evaluation-mode BatchNorm into the convolution (or linear layer) before
// it: W' = W * gamma / sqrt(var + eps) (per output channel: dim 0, or dim 1 for transposed convolutions),
// b' = (b - mean) * gamma / sqrt(var + eps) + beta. The fused layer is a new module (PyTorch deep-copies the conv).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { noGrad } from '../autograd/mode';
import { Parameter } from './module';
import { zerosLike, onesLike } from '../ops/creation';
import { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from './layers/conv';
import { Linear } from './layers/linear';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d } from './layers/normalization';
import { describeValue } from '../dtype';

type T = Tensor;
type Conv = Conv1d | Conv2d | ConvTranspose1d | ConvTranspose2d;
type BN = BatchNorm1d | BatchNorm2d | BatchNorm3d;

/** fuseConvBnWeights(convW, convB, bnRm, bnRv, bnEps, bnW, bnB, transpose=false) -> [Parameter, Parameter] */
export function fuseConvBnWeights(convW: T, convB: T | null, bnRm: T, bnRv: T, bnEps: number, bnW: T | null, bnB: T | null, transpose = false): [Parameter, Parameter] {
  return noGrad(() => {
    const b = convB ?? zerosLike(bnRm);
    const g = bnW ?? onesLike(bnRm), beta = bnB ?? zerosLike(bnRm);
    const rs = bnRv.add(bnEps).rsqrt();
    const shape = transpose ? [1, -1, ...Array(convW.ndim - 2).fill(1)] : [-1, 1, ...Array(convW.ndim - 2).fill(1)];
    const w = convW.mul(g.mul(rs).reshape(shape)).to(convW.dtype);
    const nb = b.sub(bnRm).mul(rs).mul(g).add(beta).to(b.dtype);
    return [new Parameter(w), new Parameter(nb)];
  });
}

/** fuseLinearBnWeights(linearW, linearB, bnRm, bnRv, bnEps, bnW, bnB) -> [Parameter, Parameter] (PyTorch 2.x) */
export function fuseLinearBnWeights(linearW: T, linearB: T | null, bnRm: T, bnRv: T, bnEps: number, bnW: T, bnB: T): [Parameter, Parameter] {
  return noGrad(() => {
    const b = linearB ?? zerosLike(bnRm);
    const scale = bnW.mul(bnRv.add(bnEps).rsqrt());
    return [new Parameter(linearW.mul(scale.unsqueeze(-1))), new Parameter(b.sub(bnRm).mul(scale).add(bnB))];
  });
}

function bnParts(bn: BN, op: string): [T, T, number, T | null, T | null] {
  const rm = bn.runningMean, rv = bn._buffers.get('running_var') ?? null;
  if (!rm || !rv) throw new TorchError(`${op}: the BatchNorm has no running statistics (track_running_stats=False)`);
  return [rm, rv, bn.eps, bn.weight, bn.bias];
}

/** fuseConvBnEval(conv, bn, transpose=false): a new convolution computing bn(conv(x)) (both must be in eval mode). */
export function fuseConvBnEval<C extends Conv>(conv: C, bn: BN, transpose = false): C {
  if (!(conv instanceof Conv1d || conv instanceof Conv2d || conv instanceof ConvTranspose1d || conv instanceof ConvTranspose2d)) {
    throw new TypeError(`fuse_conv_bn_eval(): conv must be a Conv1d/Conv2d/ConvTranspose1d/ConvTranspose2d, not ${describeValue(conv)}`);
  }
  const bnObj: unknown = bn;
  if (!(bnObj instanceof BatchNorm1d || bnObj instanceof BatchNorm2d || bnObj instanceof BatchNorm3d)) throw new TypeError(`fuse_conv_bn_eval(): bn must be a BatchNorm, not ${describeValue(bn)}`);
  if (conv.training || bn.training) throw new TorchError('Fusion only for eval!');
  const f = { dtype: conv.weight.dtype, device: conv.weight.device };
  const common = { stride: conv.stride, dilation: conv.dilation, groups: conv.groups, bias: true, ...f };
  let fused: Conv;
  const c: unknown = conv;
  if (c instanceof ConvTranspose2d) fused = new ConvTranspose2d(conv.inChannels, conv.outChannels, conv.kernelSize, { ...common, padding: conv.padding as number[], outputPadding: conv.outputPadding });
  else if (c instanceof ConvTranspose1d) fused = new ConvTranspose1d(conv.inChannels, conv.outChannels, conv.kernelSize, { ...common, padding: conv.padding as number[], outputPadding: conv.outputPadding });
  else {
    const Cls = c instanceof Conv2d ? Conv2d : Conv1d;
    fused = new Cls(conv.inChannels, conv.outChannels, conv.kernelSize, { ...common, padding: conv.padding, paddingMode: conv.paddingMode });
  }
  fused.eval();
  const [rm, rv, eps, w, b] = bnParts(bn, 'fuse_conv_bn_eval');
  const [fw, fb] = fuseConvBnWeights(conv.weight, conv.bias, rm, rv, eps, w, b, transpose);
  fused.weight = fw;
  fused.bias = fb;
  return fused as C;
}

/** fuseLinearBnEval(linear, bn) (PyTorch 2.x): a new Linear computing bn(linear(x)) (both in eval mode). */
export function fuseLinearBnEval(linear: Linear, bn: BN): Linear {
  if (!(linear instanceof Linear)) throw new TypeError(`fuse_linear_bn_eval(): linear must be a Linear, not ${describeValue(linear)}`);
  if (linear.training || bn.training) throw new TorchError('Fusion only for eval!');
  const [rm, rv, eps, w, b] = bnParts(bn, 'fuse_linear_bn_eval');
  if (!w || !b) throw new TorchError('fuse_linear_bn_eval: the BatchNorm must be affine');
  const fused = new Linear(linear.inFeatures, linear.outFeatures, { bias: true, dtype: linear.weight.dtype, device: linear.weight.device });
  fused.eval();
  const [fw, fb] = fuseLinearBnWeights(linear.weight, linear.bias, rm, rv, eps, w, b);
  fused.weight = fw;
  fused.bias = fb;
  return fused;
}
