// conv_direct_cases.js - shared by test/conv_direct.test.ts (in process, over lib/) and its per-ISA child processes
// (node over dist/, NODETORCH_CPU_ISA=avx2|generic): float32 conv2d forward and input/weight/bias gradients (the direct
// kernels of native/cpu/conv_direct.cc) against the float64 im2col + GEMM path on the same values. Returns, per case,
// the largest error relative to the float64 result's largest magnitude.
'use strict';
// name, [N, C, H, W], OC, [kh, kw], stride, padding, dilation
const CASES = [
  ['3x3 p1 odd sizes', [2, 5, 9, 11], 7, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['3x3 s2 p1 (ResNet downsample)', [3, 8, 10, 9], 20, [3, 3], [2, 2], [1, 1], [1, 1]],
  ['1x1 s1', [2, 16, 5, 6], 33, [1, 1], [1, 1], [0, 0], [1, 1]],
  ['1x1 s2', [2, 16, 7, 8], 40, [1, 1], [2, 2], [0, 0], [1, 1]],
  ['7x7 s2 p3 (stem)', [2, 3, 21, 18], 64, [7, 7], [2, 2], [3, 3], [1, 1]],
  ['3x3 s3 p2 rectangular pad', [1, 4, 13, 14], 9, [3, 3], [3, 2], [2, 0], [1, 1]],
  ['5x3 dilated', [2, 3, 15, 12], 17, [5, 3], [1, 2], [2, 1], [2, 3]],
  ['1 channel in (MNIST conv1)', [4, 1, 12, 12], 16, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['wide K (64ch 3x3)', [2, 64, 6, 6], 48, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['kernel = input, no pad', [3, 6, 4, 5], 10, [4, 5], [1, 1], [0, 0], [1, 1]],
  ['stride > kernel', [2, 5, 11, 11], 6, [2, 2], [3, 3], [1, 0], [1, 1]],
  // few taps (the weight gradient's row-wise kernel): row stride 2, dilated columns, a partial channel tile
  ['2 channels 3x3 s(2,1) dilation (1,2)', [2, 2, 9, 11], 5, [3, 3], [2, 1], [1, 2], [1, 2]],
  // 16 input channels at stride 1: the input gradient with pixels in vector lanes (AVX-512)
  ['16 channels 3x3 p1 dilated', [2, 16, 7, 9], 24, [3, 3], [1, 1], [2, 1], [2, 1]],
  // ResNet-like channel counts: several channel blocks each way
  ['64 -> 128 channels 3x3', [2, 64, 5, 6], 128, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['128 -> 64 channels 1x1 s2', [2, 128, 5, 6], 64, [1, 1], [2, 2], [0, 0], [1, 1]],
  ['64 -> 96 channels 3x3 s2', [2, 64, 6, 7], 96, [3, 3], [2, 2], [1, 1], [1, 1]],
  // weights past the input gradient's panel budget: the sum over output channels in chunks (partial sums between
  // them), ragged channel counts, stride 1 and 2, padding 0 and 1, dilation; 2x2 and 3x3 pixels as ResNet's last layers
  ['200 -> 150 channels 3x3 p1 (chunked input gradient)', [2, 200, 3, 3], 150, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['300 -> 100 channels 3x3 s2 p1 (chunked, phases)', [2, 300, 5, 4], 100, [3, 3], [2, 2], [1, 1], [1, 1]],
  ['260 -> 130 channels 3x3 s2 p0 dilated (chunked)', [1, 260, 9, 8], 130, [3, 3], [2, 2], [0, 0], [2, 1]],
  ['520 -> 600 channels 3x3 p1 2x2 pixels (chunked)', [2, 520, 2, 2], 600, [3, 3], [1, 1], [1, 1], [1, 1]],
  // small images, many of them: pixels regrouped by which taps fall inside the input, each tile runs only those
  ['3x3 p1 on 2x2 pixels x 16 images', [16, 24, 2, 2], 40, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['3x3 p1 on 4x4 pixels, ragged channels', [8, 19, 4, 4], 21, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['3x3 s2 p1 4x4 -> 2x2 pixels', [16, 20, 4, 4], 36, [3, 3], [2, 2], [1, 1], [1, 1]],
  ['3x3 p(2,1) dilation (2,1) on 4x3 pixels', [12, 10, 4, 3], 18, [3, 3], [1, 1], [2, 1], [2, 1]],
  ['200 -> 150 channels 3x3 p1 on 2x2 x 16 (chunked and regrouped)', [16, 200, 2, 2], 150, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['120 -> 130 channels 3x3 p1 on 2x2 x 16 (regrouped)', [16, 120, 2, 2], 130, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['64 -> 260 channels 3x3 s2 p1 4x4 -> 2x2 x 16 (regrouped phases)', [16, 64, 4, 4], 260, [3, 3], [2, 2], [1, 1], [1, 1]],
  ['130 -> 120 channels 3x3 p1 on 4x4 x 8 (regrouped)', [8, 130, 4, 4], 120, [3, 3], [1, 1], [1, 1], [1, 1]],
  // over 1 MB of zero-bordered input: the forward copies it in groups of samples (groups of 2, the last 1; of 1; of 2
  // at 7x7 stride 2); the weight gradient's output gradient in several transpose blocks
  ['16 -> 20 channels 3x3 p1, 11 images of 40x40 (grouped copy)', [11, 16, 40, 40], 20, [3, 3], [1, 1], [1, 1], [1, 1]],
  ['24 -> 9 channels 3x3 s2 p1 dilation 2 (groups of 1)', [5, 24, 47, 45], 9, [3, 3], [2, 2], [1, 1], [2, 2]],
  ['3 -> 64 channels 7x7 s2 p3, 12 images of 80x80 (grouped copy)', [12, 3, 80, 80], 64, [7, 7], [2, 2], [3, 3], [1, 1]],
];

function run(torch) {
  const F = torch.nn.functional;
  torch.manualSeed(7);
  const out = {};
  for (const [name, xs, OC, k, stride, padding, dilation] of CASES) {
    const x64 = torch.randn(xs, { dtype: 'float64' }), w64 = torch.randn([OC, xs[1], ...k], { dtype: 'float64' }), b64 = torch.randn([OC], { dtype: 'float64' });
    const opts = { stride, padding, dilation };
    const grads = (x0, w0, b0) => {
      const x = x0.detach().requiresGrad_(true), w = w0.detach().requiresGrad_(true), b = b0.detach().requiresGrad_(true);
      const y = F.conv2d(x, w, b, opts);
      const gy = torch.linspace(-1, 1, y.numel(), { dtype: x0.dtype }).reshape(y.shape).mul(torch.arange(y.numel(), { dtype: x0.dtype }).remainder(7).sub(3).reshape(y.shape));
      const [gx, gw, gb] = torch.autograd.grad([y], [x, w, b], { gradOutputs: [gy] });
      return [y, gx, gw, gb];
    };
    const ref = grads(x64, w64, b64);
    const got = grads(x64.float(), w64.float(), b64.float());
    out[name] = ref.map((r, i) => {
      const scale = Math.max(1e-30, r.abs().max().item());
      return got[i].double().sub(r).abs().max().item() / scale;
    });
  }
  return out;
}

module.exports = { CASES, run };

if (require.main === module) {
  const torch = require(process.argv[2]);
  torch.setNumThreads(Number(process.argv[3] ?? 2));
  console.log(JSON.stringify({ simd: torch.config().simd, errors: run(torch) }));
}
