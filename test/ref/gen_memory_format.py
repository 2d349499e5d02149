# gen_memory_format.py - references for test/memory_format.test.ts (PyTorch 1.13): the layout (strides,
# is_contiguous(memory_format=...)) and values of results on channels-last and other layouts: layout queries,
# contiguous/clone/to/*_like/empty with memory_format, TensorIterator's output layout for unary/binary/ternary ops
# (mixed formats, broadcasting, scalars, ambiguous N,C,1,1 shapes), conv2d / conv_transpose2d / batch norm / pooling
# outputs and the gradients of channels-last leaves, Module.to(memory_format=...), and a channels-last tensor saved
# by torch.save (test/ref/memory_format_cl.pt).
# Run: /usr/bin/python3 test/ref/gen_memory_format.py > test/ref/memory_format.json
import json, math, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
CL, CL3, CF, PF = torch.channels_last, torch.channels_last_3d, torch.contiguous_format, torch.preserve_format

def fl(t):
    if t.dtype == torch.float32: return [float(repr(np.float32(v))) for v in t.detach().reshape(-1).tolist()]
    if t.dtype.is_floating_point: return [float(v) for v in t.detach().reshape(-1).tolist()]
    return t.detach().reshape(-1).tolist()
def enc(v):
    if isinstance(v, float) and math.isnan(v): return 'nan'
    if isinstance(v, float) and math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v
def ref(t):
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [enc(v) for v in fl(t)]}
def lay(t):
    # the layout facts the tests compare
    r = {'stride': list(t.stride()), 'c': t.is_contiguous(), 'cl': t.is_contiguous(memory_format=CL),
         'cl3': t.is_contiguous(memory_format=CL3)}
    return r
def full(t): return dict(ref(t), **lay(t))

# the named inputs: values (float64) and how each is laid out (the tests build them the same way)
DATA = {}
def data(name, shape, dtype=torch.float64):
    t = torch.randn(shape, dtype=torch.float64)
    DATA[name] = {'shape': list(shape), 'data': fl(t)}
    return t.to(dtype)

def make(name, layout, dtype=torch.float64):
    t = torch.tensor(DATA[name]['data'], dtype=torch.float64).reshape(DATA[name]['shape']).to(dtype)
    return layout_of(t, layout)

def layout_of(t, layout):
    if layout == 'c': return t
    if layout == 'cl': return t.contiguous(memory_format=CL)
    if layout == 'cl3': return t.contiguous(memory_format=CL3)
    if layout == 'clslice': return t.contiguous(memory_format=CL)[:, :, 1:, :]      # channels-last, not dense
    if layout == 'nchw_t': return t.transpose(2, 3).contiguous().transpose(2, 3)   # NCWH memory order
    if layout == 'cslice': return t[:, :, ::2, :]                                  # contiguous order, not dense
    raise ValueError(layout)

data('a', (2, 3, 4, 5)); data('b', (2, 3, 4, 5)); data('bias', (1, 3, 1, 1)); data('c3', (3, 1, 1)); data('hw', (4, 5))
data('n11', (2, 3, 1, 1)); data('n11b', (2, 3, 1, 1)); data('c1', (2, 1, 4, 5)); data('a5', (2, 3, 2, 3, 4))
data('cond', (2, 3, 4, 5)); data('x', (2, 4, 6, 6)); data('w', (5, 4, 3, 3)); data('wb', (5,)); data('wt', (4, 3, 3, 3))
data('g', (2, 5, 6, 6)); data('p', (2, 4, 7, 7))

cases = []
def case(name, fn):
    out = fn()
    outs = out if isinstance(out, (list, tuple)) else [out]
    cases.append({'name': name, 'outs': [full(o) if isinstance(o, torch.Tensor) else o for o in outs]})

# ---- layout queries (and is_contiguous on each layout) ----
for nm, l in [('a', 'c'), ('a', 'cl'), ('a', 'clslice'), ('a', 'nchw_t'), ('a', 'cslice'), ('n11', 'c'), ('n11', 'cl'), ('c1', 'cl'), ('a5', 'cl3')]:
    case(f'layout {nm} {l}', lambda nm=nm, l=l: make(nm, l))

# ---- contiguous / clone / to / *_like / empty ----
for l in ['c', 'cl', 'clslice', 'nchw_t']:
    case(f'contiguous(cl) of {l}', lambda l=l: make('a', l).contiguous(memory_format=CL))
    case(f'contiguous() of {l}', lambda l=l: make('a', l).contiguous())
    case(f'clone() of {l}', lambda l=l: make('a', l).clone())
    case(f'clone(cf) of {l}', lambda l=l: make('a', l).clone(memory_format=CF))
    case(f'clone(cl) of {l}', lambda l=l: make('a', l).clone(memory_format=CL))
    case(f'to(float32) of {l}', lambda l=l: make('a', l).to(torch.float32))
    case(f'to(cl) of {l}', lambda l=l: make('a', l).to(memory_format=CL))
    case(f'to(float32, cl) of {l}', lambda l=l: make('a', l).to(torch.float32, memory_format=CL))
    case(f'to(cf) of {l}', lambda l=l: make('a', l).to(memory_format=CF))
    case(f'zeros_like of {l}', lambda l=l: torch.zeros_like(make('a', l)))
    case(f'ones_like(cl) of {l}', lambda l=l: torch.ones_like(make('a', l), memory_format=CL))
    case(f'full_like(cf) of {l}', lambda l=l: torch.full_like(make('a', l), 2.5, memory_format=CF))
    case(f'empty_like of {l}', lambda l=l: torch.empty_like(make('a', l)).zero_())
same = lambda t, f: f(t) is t
case('aliases', lambda: [same(make('a', 'nchw_t'), lambda t: t.to(memory_format=CF)), same(make('a', 'cl'), lambda t: t.to(memory_format=CL)),
                         same(make('a', 'c'), lambda t: t.to(memory_format=CL)), same(make('a', 'cl'), lambda t: t.to(memory_format=CF)),
                         same(make('a', 'cl'), lambda t: t.contiguous(memory_format=CL)), same(make('a', 'c'), lambda t: t.to(memory_format=PF)),
                         same(make('n11', 'c'), lambda t: t.contiguous(memory_format=CL)), same(make('a', 'cl'), lambda t: t.to(torch.float64, memory_format=CL))])
case('empty(cl)', lambda: torch.empty((2, 3, 4, 5), memory_format=CL).zero_())
case('empty(cl3)', lambda: torch.empty((2, 3, 2, 3, 4), memory_format=CL3).zero_())
case('contiguous(cl3) 5d', lambda: make('a5', 'c').contiguous(memory_format=CL3))
case('n11 contiguous(cl)', lambda: make('n11', 'c').contiguous(memory_format=CL))
case('c1 contiguous(cl)', lambda: make('c1', 'c').contiguous(memory_format=CL))

# ---- TensorIterator: elementwise outputs ----
EW = {
    'relu': lambda A, B: torch.relu(A),
    'neg': lambda A, B: -A,
    'sigmoid': lambda A, B: torch.sigmoid(A),
    'mul2': lambda A, B: A * 2,
    'add': lambda A, B: A + B,
    'sub': lambda A, B: A - B,
    'mul': lambda A, B: A * B,
    'maximum': lambda A, B: torch.maximum(A, B),
    'gt': lambda A, B: A > B,
    'clamp': lambda A, B: torch.clamp(A, -0.5, 0.5),
    'pow2': lambda A, B: A ** 3,
}
for op in EW:
    for la, lb in [('cl', 'c'), ('c', 'cl'), ('cl', 'cl'), ('clslice', 'clslice'), ('nchw_t', 'cl'), ('cl', 'nchw_t')]:
        if op in ('relu', 'neg', 'sigmoid', 'mul2', 'clamp', 'pow2') and lb != 'c': continue
        case(f'{op} a:{la} b:{lb}', lambda op=op, la=la, lb=lb: EW[op](make('a', la), make('b', lb)[:, :, :make('a', la).shape[2], :]))
# broadcasting and scalars
BC = [('a', 'cl', 'bias', 'c'), ('bias', 'c', 'a', 'cl'), ('a', 'cl', 'c3', 'c'), ('a', 'cl', 'hw', 'c'), ('hw', 'c', 'a', 'cl'),
      ('n11', 'cl', 'n11b', 'c'), ('n11', 'c', 'n11b', 'cl'), ('n11', 'cl', 'a', 'c'), ('c1', 'cl', 'a', 'c'), ('a', 'c', 'c1', 'cl'),
      ('a5', 'cl3', 'a5', 'c')]
for na, la, nb, lb in BC:
    case(f'add {na}:{la} {nb}:{lb}', lambda na=na, la=la, nb=nb, lb=lb: make(na, la) + make(nb, lb))
case('add scalar tensor', lambda: make('a', 'cl') + torch.tensor(1.5, dtype=torch.float64))
case('where cond:cl', lambda: torch.where(make('cond', 'cl') > 0, make('a', 'c'), make('b', 'c')))
case('where a:cl', lambda: torch.where(make('cond', 'c') > 0, make('a', 'cl'), make('b', 'c')))
case('lerp end:cl', lambda: torch.lerp(make('a', 'c'), make('b', 'cl'), 0.25))
case('relu 5d cl3', lambda: torch.relu(make('a5', 'cl3')))

# ---- nn ops (float32) and gradients of channels-last leaves ----
def conv(lx, lw, bias=True, **kw):
    def f():
        x = make('x', lx, torch.float32).detach().requires_grad_()
        w = make('w', lw, torch.float32).detach().requires_grad_()
        b = make('wb', 'c', torch.float32).detach().requires_grad_() if bias else None
        y = F.conv2d(x, w, b, **kw)
        (y * make('g', 'c', torch.float32)[:, :, :y.shape[2], :y.shape[3]]).sum().backward()
        return [y, x.grad, w.grad] + ([b.grad] if bias else [])
    return f
for lx, lw in [('cl', 'c'), ('c', 'cl'), ('cl', 'cl'), ('c', 'c'), ('clslice', 'c')]:
    case(f'conv2d x:{lx} w:{lw}', conv(lx, lw, padding=1))
case('conv2d x:cl stride 2 no bias', conv('cl', 'c', bias=False, stride=2))
def convt(lx):
    def f():
        x = make('x', lx, torch.float32).detach().requires_grad_()
        w = make('wt', 'c', torch.float32).detach().requires_grad_()
        y = F.conv_transpose2d(x, w, stride=2, padding=1)
        (y * y).sum().backward()
        return [y, x.grad, w.grad]
    return f
case('conv_transpose2d x:cl', convt('cl'))
def bn(lx, train):
    def f():
        m = nn.BatchNorm2d(4)
        with torch.no_grad(): m.weight.copy_(torch.linspace(0.5, 1.5, 4)); m.bias.copy_(torch.linspace(-1, 1, 4))
        m.train(train)
        x = make('x', lx, torch.float32).detach().requires_grad_()
        y = m(x)
        (y * make('x', 'c', torch.float32)).sum().backward()
        return [y, x.grad, m.weight.grad, m.running_mean, m.running_var]
    return f
for lx in ['cl', 'c']:
    for train in [True, False]:
        case(f'batch_norm2d x:{lx} train:{train}', bn(lx, train))
def pool(kind, lx):
    def f():
        x = make('p', lx, torch.float32).detach().requires_grad_()
        if kind == 'max':
            y, i = F.max_pool2d(x, 3, 2, 1, return_indices=True)
            (y * y).sum().backward()
            return [y, i, x.grad]
        if kind == 'avg': y = F.avg_pool2d(x, 2)
        if kind == 'aap1': y = F.adaptive_avg_pool2d(x, 1)
        if kind == 'aap3': y = F.adaptive_avg_pool2d(x, 3)
        if kind == 'aap7': y = F.adaptive_avg_pool2d(x, (7, 1))
        if kind == 'relu': y = nn.ReLU()(x)
        (y * y).sum().backward()
        return [y, x.grad]
    return f
for kind in ['max', 'avg', 'aap1', 'aap3', 'aap7', 'relu']:
    for lx in ['cl', 'c']:
        case(f'pool {kind} x:{lx}', pool(kind, lx))

# ---- Module.to(memory_format=channels_last) ----
def net():
    torch.manual_seed(1)
    m = nn.Sequential(nn.Conv2d(4, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 3, 1),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))
    sd = {k: ref(v) for k, v in m.state_dict().items()}
    m.to(memory_format=CL)
    x = make('x', 'c', torch.float32).contiguous(memory_format=CL)
    y = m(x)
    y.sum().backward()
    outs = [y]
    for k, p in m.named_parameters(): outs += [p, p.grad]
    return outs, sd
outs, SD = net()
cases.append({'name': 'module.to(cl)', 'outs': [full(o) for o in outs], 'state': SD})

# ---- a channels-last tensor saved by torch.save ----
here = os.path.dirname(os.path.abspath(__file__))
saved = make('a', 'cl', torch.float32)
torch.save({'x': saved}, os.path.join(here, 'memory_format_cl.pt'))
cases.append({'name': 'saved', 'outs': [full(saved)]})

print(json.dumps({'data': DATA, 'cases': cases}))
