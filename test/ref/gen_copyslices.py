# gen_copyslices.py - references for in-place ops on views (CopySlices) in test/autograd.test.ts: gradients of
# fixed inputs through PyTorch 1.13. Run: /usr/bin/python3 test/ref/gen_copyslices.py > test/ref/copyslices.json
import json
import torch

A = torch.tensor([[0.5, -1.0, 2.0, 1.5], [-0.25, 3.0, -2.0, 0.75], [1.0, 0.5, -1.5, 2.5], [-3.0, 1.25, 0.25, -0.5]], dtype=torch.float64)
cases = {}

def run(name, f):
    a = A.clone().requires_grad_(True)
    out = f(a)
    out.backward()
    cases[name] = {'out': out.item(), 'grad': a.grad.tolist()}
    # double backward: the gradient of sum(grad^2), through the same history built with create_graph
    a = A.clone().requires_grad_(True)
    g, = torch.autograd.grad(f(a), a, create_graph=True)
    gg = torch.autograd.grad((g * g).sum(), a, allow_unused=True)[0] if g.requires_grad else None  # None: a constant gradient
    cases[name]['gradgrad'] = (gg if gg is not None else torch.zeros_like(a)).tolist()

def c1(a):
    y = a * 2
    y[0:2].mul_(3)
    return (y * y).sum()
run('narrow_mul_', c1)

def c2(a):
    z = a * 1
    z[1].copy_(torch.tensor([5.0, 6.0, 7.0, 8.0], dtype=torch.float64))
    return (z * a).sum()
run('select_copy_const', c2)

def c3(a):
    b = a * 2
    b[:, 1].add_(1.5)
    b.t()[2].mul_(torch.arange(4, dtype=torch.float64))
    return (b ** 2).sum()
run('two_views_transposed', c3)

def c4(a):
    c = a * 1
    c[1:3][:, 0:2].add_(a[0:2, 0:2] * a[2:4, 2:4])
    return (c.exp()).sum()
run('view_of_view_add_', c4)

def c5(a):
    q = torch.zeros(4, 4, dtype=torch.float64)
    q[1:3].copy_(a[0:2] * 3)
    return (q * q.sin()).sum()
run('copy_into_constant_base', c5)

def c6(a):
    c = a * 1
    c[0:3].masked_fill_(a[0:3] > 1, 0.0)
    c[:, 2].index_fill_(0, torch.tensor([0, 3]), 2.5)
    return (c * c).sum()
run('masked_fill_index_fill_on_views', c6)

def c7(a):
    z = a * 1
    z.copy_(torch.zeros(4, 4, dtype=torch.float64))
    return (z + a).sum()
run('copy_const_whole', c7)

def c8(a):
    h = a * 1
    v = h[0:2]           # a view taken before an overlapping in-place op on another view
    h[1:3].mul_(3)
    return (v * v).sum() + h.sum()
run('stale_overlapping_view', c8)

def c9(a):
    h = a * 1
    v = h[:, 1]          # a view taken before an in-place op on its base
    h.add_(a * a)
    return v.exp().sum()
run('stale_view_after_base_inplace', c9)

# view ops and as_strided, differentiated twice
def v(name, f):
    run(name, f)
v('view_narrow_select_step', lambda a: (a[1:3] ** 3).sum() + (a[:, 2] * a[0]).sum() + (a[::2, 1::2] ** 2).exp().sum())
v('view_diagonal_offset', lambda a: (a.diagonal(1) ** 3).sum() + (a.t().diagonal(-1) * a.diagonal()[1:]).sum())
v('as_strided_overlapping', lambda a: (a.as_strided([3, 3], [1, 1], 2) ** 3).sum())
v('as_strided_of_transposed', lambda a: (a.t().as_strided([2, 3], [1, 4], 1).sin() * a[0, :3]).sum())
# a gradient penalty (WGAN-GP style) through slicing: the gradient's norm, differentiated
def gp(a):
    h = (a * a.sin()).sum(1)
    g, = torch.autograd.grad(h[1:].sum() + 0.5 * h[0], a, create_graph=True)
    return ((g[:, 1:].norm(dim=1) - 1) ** 2).sum()
run('gradient_penalty_through_slices', gp)

print(json.dumps({'input': A.tolist(), 'cases': cases}))
