# gen_conv_bwd_input.py - references for test/conv_bwd_input.test.ts (PyTorch 1.13): conv2d's input gradient on the
# shapes that pick each path of the direct float32 input gradient (native/cpu/conv_direct.cc backward_input): samples
# in groups with gout bordered per group (16 channels, 7x7 and 10x10; the sum over 40 output channels in 2 chunks), gout read in place (1x1 stride 2), short tiles
# of one class of pixels with listed taps (2x2 / 4x4 / 6x6 images, ragged channel counts 17 / 19 / 24), stride-2 phases
# on small images, the unpadded layer's 2-pixel border (AVX2's listed tiles on larger images), dilation, 5x5 stride 2,
# and the 1- and 3-channel input gradients (im2col + GEMM). The weight and gout are multiples of 1/16 and 1/8 in
# [-1/2, 1/2] and [-1, 1] (stored as integers times 16, 8 and 128 for gx; every product and sum exact in float32, so the references, computed in float64,
# are what a correct float32 kernel gives in any order of summation); x's values do not enter (the test takes its shape).
# Run: /usr/bin/python3 test/ref/gen_conv_bwd_input.py > test/ref/conv_bwd_input.json
import json
import torch
import torch.nn.functional as F

torch.manual_seed(14)
def ints(t, scale):  # t * scale as integers (exact: t is a multiple of 1 / scale)
    v = (t.detach().double() * scale).reshape(-1)
    assert torch.equal(v, v.round())
    return {'shape': list(t.shape), 'scale': scale, 'data': [int(a) for a in v.long().tolist()]}

# name, x shape, out channels, kernel, stride, padding, dilation
CASES = [
    ('16 -> 40 channels 3x3 p1 on 7x7 x 4 (grouped, short tiles, output channels in 2 chunks)', (4, 16, 7, 7), 40, (3, 3), 1, 1, 1),
    ('16 channels 3x3 p1 on 10x10 x 3 (grouped)', (3, 16, 10, 10), 8, (3, 3), 1, 1, 1),
    ('17 -> 24 3x3 p1 on 4x4 x 8 (listed taps, ragged block)', (8, 17, 4, 4), 24, (3, 3), 1, 1, 1),
    ('24 -> 32 3x3 p1 on 2x2 x 6 (every class its own tiles)', (6, 24, 2, 2), 32, (3, 3), 1, 1, 1),
    ('17 -> 32 3x3 s2 p1 on 8x8 x 8 (phases, listed taps)', (8, 17, 8, 8), 32, (3, 3), 2, 1, 1),
    ('18 -> 24 3x3 p0 on 10x10 x 2 (2-pixel border)', (2, 18, 10, 10), 24, (3, 3), 1, 0, 1),
    ('17 -> 24 3x3 p2 dilation 2 on 6x6 x 2', (2, 17, 6, 6), 24, (3, 3), 1, 2, 2),
    ('16 -> 24 5x5 s2 p2 on 7x7 x 8 (odd phases, listed taps)', (8, 16, 7, 7), 24, (5, 5), 2, 2, 1),
    ('16 -> 20 1x1 s2 (gout read in place)', (2, 16, 6, 6), 20, (1, 1), 2, 0, 1),
    ('20 -> 16 1x1 p1 (gout rows offset, read in place)', (2, 20, 5, 5), 16, (1, 1), 1, 1, 1),
    ('1 channel 3x3 p1', (3, 1, 6, 6), 8, (3, 3), 1, 1, 1),
    ('3 channels 3x3 s2 p0', (2, 3, 7, 7), 8, (3, 3), 2, 0, 1),
]
out = []
for name, xs, oc, k, s, p, d in CASES:
    x = torch.randn(xs)
    w = torch.randint(-8, 9, (oc, xs[1]) + k).float() / 16
    x64 = x.double().requires_grad_()
    y = F.conv2d(x64, w.double(), None, stride=s, padding=p, dilation=d)
    gout = torch.randint(-8, 9, y.shape).float() / 8
    y.backward(gout.double())
    # (the input gradient does not depend on x's values: the test takes x's shape only)
    out.append({'name': name, 'stride': s, 'padding': p, 'dilation': d, 'xshape': list(xs), 'w': ints(w, 16), 'gout': ints(gout, 8),
                'gx': ints(x64.grad, 128)})
print(json.dumps({'torch': torch.__version__, 'cases': out}, separators=(',', ':')))
