# gen_cuda_gemm.py - reference values from real PyTorch 1.13 (CPU) for test/cuda_gemm.test.ts:
#   precision  torch.set_float32_matmul_precision / torch.backends.cuda.matmul.allow_tf32 / torch.backends.cudnn.allow_tf32:
#              a sequence of settings and what PyTorch reads back after each (the two matmul switches are one state)
#   cases      float16/bfloat16 mm, bmm, matmul (broadcast), addmm (alpha, beta), baddbmm, linear, conv2d (stride,
#              padding, groups), conv1d and conv_transpose2d forward and backward. The inputs are drawn in float32 and rounded to the 16-bit dtype;
#              the reference is PyTorch's float32 result on those rounded inputs (what a GEMM that accumulates in
#              float32 gives before its one rounding to 16 bits: PyTorch 1.13's CPU has no float16 matmul/conv), with
#              the gradients of sum(out * g) for a given g
# Run: /usr/bin/python3 test/ref/gen_cuda_gemm.py   (writes test/ref/cuda_gemm.json)
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(12)


def enc(t):
    t = t.detach().float()
    return {'dtype': 'float32', 'shape': list(t.shape), 'data': [float('%.9g' % v) for v in t.reshape(-1).tolist()]}


# ---- precision switches -------------------------------------------------------------------------------------
steps = [('precision', 'high'), ('precision', 'highest'), ('precision', 'medium'), ('allowTf32', True),
         ('allowTf32', False), ('precision', 'medium'), ('allowTf32', False), ('allowTf32', True),
         ('cudnn', False), ('cudnn', True), ('precision', 'highest')]
precision = [{'set': None, 'value': None, 'precision': torch.get_float32_matmul_precision(),
              'allowTf32': torch.backends.cuda.matmul.allow_tf32, 'cudnn': torch.backends.cudnn.allow_tf32}]
for what, v in steps:
    if what == 'precision':
        torch.set_float32_matmul_precision(v)
    elif what == 'allowTf32':
        torch.backends.cuda.matmul.allow_tf32 = v
    else:
        torch.backends.cudnn.allow_tf32 = v
    precision.append({'set': what, 'value': v, 'precision': torch.get_float32_matmul_precision(),
                      'allowTf32': torch.backends.cuda.matmul.allow_tf32, 'cudnn': torch.backends.cudnn.allow_tf32})

# ---- 16-bit GEMM cases ------------------------------------------------------------------------------------------
CASES = [
    # name, op, input shapes, options
    ('mm', 'mm', [[13, 37], [37, 11]], {}),
    ('mm_t', 'mm_t', [[37, 13], [11, 37]], {}),  # a^T @ b^T: transposed operands read in place
    ('bmm', 'bmm', [[3, 9, 20], [3, 20, 7]], {}),
    ('matmul_bcast', 'matmul', [[2, 1, 6, 10], [3, 10, 5]], {}),
    ('addmm', 'addmm', [[8], [6, 17], [17, 8]], {'alpha': 0.5, 'beta': 2.0}),
    ('baddbmm', 'baddbmm', [[2, 5, 4], [2, 5, 9], [2, 9, 4]], {'alpha': 1.5, 'beta': 0.5}),
    ('linear', 'linear', [[4, 3, 24], [10, 24], [10]], {}),
    ('conv2d', 'conv2d', [[2, 3, 7, 6], [5, 3, 3, 3], [5]], {'stride': 1, 'padding': 1, 'groups': 1}),
    ('conv2d_strided_groups', 'conv2d', [[2, 4, 8, 8], [6, 2, 3, 2], [6]], {'stride': 2, 'padding': 1, 'groups': 2}),
    ('conv1d', 'conv1d', [[3, 4, 11], [6, 4, 3], [6]], {'stride': 2, 'padding': 1, 'groups': 1}),
    ('conv_transpose2d', 'conv_transpose2d', [[2, 4, 5, 4], [4, 3, 3, 3], [3]], {'stride': 2, 'padding': 1, 'groups': 1}),
]


def call(op, xs, o):
    if op == 'mm':
        return torch.mm(*xs)
    if op == 'mm_t':
        return torch.mm(xs[0].t(), xs[1].t())
    if op == 'bmm':
        return torch.bmm(*xs)
    if op == 'matmul':
        return torch.matmul(*xs)
    if op == 'addmm':
        return torch.addmm(*xs, alpha=o['alpha'], beta=o['beta'])
    if op == 'baddbmm':
        return torch.baddbmm(*xs, alpha=o['alpha'], beta=o['beta'])
    if op == 'linear':
        return F.linear(*xs)
    if op == 'conv2d':
        return F.conv2d(*xs, stride=o['stride'], padding=o['padding'], groups=o['groups'])
    if op == 'conv1d':
        return F.conv1d(*xs, stride=o['stride'], padding=o['padding'], groups=o['groups'])
    if op == 'conv_transpose2d':
        return F.conv_transpose2d(*xs, stride=o['stride'], padding=o['padding'], groups=o['groups'])
    raise ValueError(op)


cases = []
for dtype in (torch.float16, torch.bfloat16):
    for name, op, shapes, o in CASES:
        xs = [torch.randn(*s).to(dtype).float().requires_grad_(True) for s in shapes]
        out = call(op, xs, o)
        g = torch.randn(*out.shape).to(dtype).float()
        (out * g).sum().backward()
        cases.append({'name': name, 'op': op, 'dtype': str(dtype).replace('torch.', ''), 'opts': o,
                      'inputs': [enc(x) for x in xs], 'out': enc(out), 'g': enc(g), 'grads': [enc(x.grad) for x in xs]})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'cuda_gemm.json')
with open(path, 'w') as f:
    json.dump({'precision': precision, 'cases': cases}, f, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes')
