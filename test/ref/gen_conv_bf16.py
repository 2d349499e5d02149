# gen_conv_bf16.py - reference values for test/conv_bf16.test.ts: PyTorch 1.13's CPU bfloat16 convolution (oneDNN:
# bfloat16 operands, float32 accumulation, one rounding) - conv2d, conv1d and conv_transpose2d forward, and the input,
# weight and bias gradients for a given output gradient, over strides, padding, dilation, groups and bias.
# PyTorch 1.13's bfloat16 conv_transpose2d on the CPU fails ("Given groups=1, weight of size [6, 4, 3, 3], expected
# input[2, 6, 5, 5] to have 4 channels": it checks the weight as a forward convolution's), so its cases hold PyTorch's
# float32 results on the same bfloat16 values (ref: 'float32'), the exact sums that oneDNN rounds once.
# Run: /usr/bin/python3 test/ref/gen_conv_bf16.py   (writes test/ref/conv_bf16.json)
import json, os, torch
import torch.nn.functional as F
torch.manual_seed(3)

def enc(t):
    t = t.detach()
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.float().reshape(-1).tolist()]}

cases = []
def case(name, op, xs, ws, bias, **kw):
    x = torch.randn(xs).bfloat16().requires_grad_(True)
    w = (torch.randn(ws) * 0.5).bfloat16().requires_grad_(True)
    b = torch.randn(ws[1] * kw.get('groups', 1) if op == 'conv_transpose2d' else ws[0]).bfloat16().requires_grad_(True) if bias else None
    fn = {'conv2d': F.conv2d, 'conv1d': F.conv1d, 'conv_transpose2d': F.conv_transpose2d}[op]
    f32 = op == 'conv_transpose2d'
    if f32:
        x, w = x.detach().float().requires_grad_(True), w.detach().float().requires_grad_(True)
        b = b.detach().float().requires_grad_(True) if bias else None
    y = fn(x, w, b, **kw)
    gy = torch.randn(y.shape).bfloat16()
    y.backward(gy.float() if f32 else gy)
    cases.append({'name': name, 'op': op, 'ref': 'float32' if f32 else 'bfloat16', 'opts': {{'output_padding': 'outputPadding'}.get(k, k): v for k, v in kw.items()},
                  'x': enc(x), 'w': enc(w), 'b': enc(b) if bias else None, 'y': enc(y), 'gy': enc(gy),
                  'gx': enc(x.grad), 'gw': enc(w.grad), 'gb': enc(b.grad) if bias else None})

case('3x3 pad 1 bias', 'conv2d', (2, 8, 7, 7), (16, 8, 3, 3), True, padding=1)
case('stride 2 no bias', 'conv2d', (3, 5, 11, 10), (7, 5, 3, 3), False, stride=2)
case('5x5 dilation 2 pad 3', 'conv2d', (1, 4, 13, 12), (6, 4, 5, 5), True, padding=3, dilation=2)
case('groups 2, asymmetric', 'conv2d', (2, 6, 8, 10), (4, 3, 3, 2), True, stride=(1, 2), padding=(1, 0), groups=2)
case('1x1', 'conv2d', (2, 32, 5, 5), (12, 32, 1, 1), True)
case('depthwise 3x3', 'conv2d', (1, 8, 7, 7), (8, 1, 3, 3), False, padding=1, groups=8)
case('conv1d k5', 'conv1d', (2, 6, 20), (10, 6, 5), True, padding=2, stride=2)
case('transpose stride 2 output_padding 1', 'conv_transpose2d', (2, 6, 5, 5), (6, 4, 3, 3), True, stride=2, padding=1, output_padding=1)
case('transpose groups 2', 'conv_transpose2d', (1, 4, 6, 7), (4, 3, 2, 3), False, stride=(2, 1), groups=2)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'conv_bf16.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print('wrote', out, len(cases), 'cases')
