# gen_conv_wgrad.py - references for test/conv_wgrad.test.ts (PyTorch 1.13): the weight gradient (and sampled forward
# values) of float32 convolutions large enough that native/cpu/conv_direct.cc's weight gradient transposes the output
# gradient in several pixel blocks (block edges inside a sample), with tap counts that end in a short tap tile, ragged
# channel counts, 1 and 3 input channels, stride 2, padding 0/1/3 and dilation. The inputs are not stored: both sides
# build them from a formula (x[i] = float32(sin(0.731 i + 0.3)), w alike with cos, gout with sin), so the fixture
# holds only the results. Also the forward's grouped zero-bordered copies (sampled forward values). References in float64 from the float32 values, stored to 9 significant digits.
# Run: /usr/bin/python3 test/ref/gen_conv_wgrad.py > test/ref/conv_wgrad.json
import json
import numpy as np
import torch
import torch.nn.functional as F

def vals(n, f, a, b):  # float32(f(a * i + b)), i < n, computed in float64
    i = np.arange(n, dtype=np.float64)
    return torch.from_numpy(f(a * i + b).astype(np.float32))

# name, x shape, out channels, kernel, stride, padding, dilation (kept in step with CASES in conv_wgrad.test.ts)
CASES = [
    ('8 -> 20 channels 3x3 p1, 3 images of 26x27', (3, 8, 26, 27), 20, (3, 3), 1, 1, 1),
    ('stem-like 3 -> 24 7x7 s2 p3', (2, 3, 70, 66), 24, (7, 7), 2, 3, 1),
    ('13 -> 37 channels 3x3 p0 dilation 2', (2, 13, 33, 35), 37, (3, 3), 1, 0, 2),
    ('1 -> 16 channels 3x3 s2 p1', (6, 1, 60, 60), 16, (3, 3), 2, 1, 1),
    ('MNIST conv2 at batch 12: 16 -> 32 3x3 p1', (12, 16, 14, 14), 32, (3, 3), 1, 1, 1),
    ('3 -> 5 channels 3x3 p1 (few taps, row-wise)', (4, 3, 30, 29), 5, (3, 3), 1, 1, 1),
    # the forward's zero-bordered copy in groups of samples (over 1 MB of copy): 6 groups, the last short; groups of 1
    ('grouped forward copy: 11 images 16 -> 20 3x3 p1', (11, 16, 40, 40), 20, (3, 3), 1, 1, 1),
    ('grouped forward copy: 5 images 24 -> 9 3x3 s2 p1 dilation 2', (5, 24, 47, 45), 9, (3, 3), 2, 1, 2),
]
out = []
for name, xs, oc, k, s, p, d in CASES:
    x = vals(int(np.prod(xs)), np.sin, 0.731, 0.3).reshape(xs)
    fan = xs[1] * k[0] * k[1]
    w = (vals(oc * fan, np.cos, 0.419, 0.2) / np.float32(fan ** 0.5)).reshape((oc, xs[1]) + k)
    w64 = w.double().requires_grad_()
    y = F.conv2d(x.double(), w64, None, stride=s, padding=p, dilation=d)
    gout = vals(y.numel(), np.sin, 0.173, 1.1).reshape(y.shape)
    y.backward(gout.double())
    yf = y.detach().reshape(-1)
    idx = np.linspace(0, yf.numel() - 1, 97).round().astype(np.int64).tolist()
    out.append({'name': name, 'x': list(xs), 'oc': oc, 'k': list(k), 'stride': s, 'padding': p, 'dilation': d,
                'gw': [float('%.9g' % v) for v in w64.grad.reshape(-1).tolist()],
                'y_at': idx, 'y': [float('%.9g' % yf[i]) for i in idx]})
print(json.dumps({'torch': torch.__version__, 'cases': out}))
