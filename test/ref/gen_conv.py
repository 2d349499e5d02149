# gen_conv.py - references for test/conv.test.ts (PyTorch 1.13): F.conv2d forward and its input/weight/bias gradients
# on shapes that exercise each branch of the CPU conv2d kernel (native/cpu/conv.cc): odd sizes, stride 2, padding,
# 7x7 stride-2 stem, 1x1 with and without stride (the 1x1 stride-1 path reads the input as the GEMM operand), groups,
# dilation, rectangular kernels, batch 1 (samples in turn, threads inside) and larger channel counts (blocked GEMM).
# Inputs are float32 values; the references are computed in float64 from those very values (for float32 cases) so
# that the test's tolerance measures nodetorch's rounding only.
# Run: /usr/bin/python3 test/ref/gen_conv.py > test/ref/conv.json
import json
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
def fl(t): return [float(repr(np.float32(v))) for v in t.detach().reshape(-1).tolist()] if t.dtype == torch.float32 else [float(v) for v in t.detach().reshape(-1).tolist()]
def ref(t): return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': fl(t)}

# name, x shape, out channels, kernel (kh, kw), stride, padding, dilation, groups, bias, dtype
CASES = [
    ('3x3 p1 odd sizes', (3, 5, 7, 9), 6, (3, 3), 1, 1, 1, 1, True, torch.float32),
    ('3x3 s2 p1', (2, 4, 9, 8), 5, (3, 3), 2, 1, 1, 1, True, torch.float32),
    ('3x3 no padding no bias', (2, 3, 6, 7), 4, (3, 3), 1, 0, 1, 1, False, torch.float32),
    ('1x1 s1', (3, 8, 5, 6), 7, (1, 1), 1, 0, 1, 1, True, torch.float32),
    ('1x1 s2', (2, 8, 7, 7), 4, (1, 1), 2, 0, 1, 1, False, torch.float32),
    ('1x1 s1 padded', (2, 3, 4, 5), 2, (1, 1), 1, 1, 1, 1, True, torch.float32),
    ('7x7 s2 p3 stem', (2, 3, 13, 11), 4, (7, 7), 2, 3, 1, 1, False, torch.float32),
    ('groups 2 dilation 2 kernel 3x2', (2, 6, 8, 9), 4, (3, 2), 1, (2, 1), 2, 2, True, torch.float32),
    ('depthwise groups 4', (2, 4, 6, 6), 8, (3, 3), 1, 1, 1, 4, True, torch.float32),
    ('1x1 groups 2', (2, 6, 5, 4), 4, (1, 1), 1, 0, 1, 2, True, torch.float32),
    ('batch 1 blocked GEMM', (1, 16, 10, 10), 12, (3, 3), 1, 1, 1, 1, True, torch.float32),
    ('24->20 channels blocked GEMM', (2, 24, 9, 9), 20, (3, 3), 1, 1, 1, 1, True, torch.float32),
    ('float64 3x3 s2 p1', (2, 5, 9, 7), 6, (3, 3), 2, 1, 1, 1, True, torch.float64),
    ('float64 1x1', (2, 12, 5, 5), 10, (1, 1), 1, 0, 1, 1, True, torch.float64),
]
out = []
for name, xs, oc, k, s, p, d, g, has_b, dt in CASES:
    x = torch.randn(xs, dtype=dt)
    w = torch.randn((oc, xs[1] // g) + k, dtype=dt) / (xs[1] // g * k[0] * k[1]) ** 0.5
    b = torch.randn(oc, dtype=dt) if has_b else None
    x64, w64 = x.double().requires_grad_(), w.double().requires_grad_()
    b64 = b.double().requires_grad_() if has_b else None
    y = F.conv2d(x64, w64, b64, stride=s, padding=p, dilation=d, groups=g)
    gout = torch.randn(y.shape, dtype=dt)
    y.backward(gout.double())
    c = {'name': name, 'stride': s, 'padding': p, 'dilation': d, 'groups': g, 'x': ref(x), 'w': ref(w), 'gout': ref(gout),
         'y': ref(y.detach().to(dt)), 'gx': ref(x64.grad.to(dt)), 'gw': ref(w64.grad.to(dt))}
    if has_b: c['b'] = ref(b); c['gb'] = ref(b64.grad.to(dt))
    out.append(c)
print(json.dumps({'torch': torch.__version__, 'cases': out}))
