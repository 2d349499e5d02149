// conv_bwd_input_cases.js - shared by test/conv_bwd_input.test.ts (in process, over lib/) and its per-ISA child
// processes (node over dist/, NODETORCH_CPU_ISA=avx2|generic): conv2d's float32 input gradient (autograd.grad with
// respect to x only, as a network's hidden layers take it) against PyTorch 1.13's, recorded by
// test/ref/gen_conv_bwd_input.py. The weight and gout are small multiples of powers of two, so every product and sum
// is exact in float32: the result must equal the reference, whatever the kernel's order of summation. Returns, per case,
// the largest absolute difference and the number of elements compared.
'use strict';
const REF = require('./ref/conv_bwd_input.json');

function run(torch) {
  const F = torch.nn.functional;
  const mk = (r) => torch.tensor(r.data, { dtype: 'float32' }).reshape(r.shape).div(r.scale);
  const out = {};
  for (const c of REF.cases) {
    const x = torch.zeros(c.xshape).requiresGrad_(true), w = mk(c.w), gout = mk(c.gout), ref = mk(c.gx);
    const y = F.conv2d(x, w, null, { stride: c.stride, padding: c.padding, dilation: c.dilation });
    const [gx] = torch.autograd.grad([y], [x], { gradOutputs: [gout] });
    out[c.name] = [gx.sub(ref).abs().max().item(), gx.numel() === ref.numel() ? gx.numel() : -1];
  }
  return out;
}

module.exports = { REF, run };

if (require.main === module) {
  const torch = require(process.argv[2]);
  torch.setNumThreads(Number(process.argv[3] ?? 2));
  console.log(JSON.stringify({ simd: torch.config().simd, errors: run(torch) }));
}
