# gen_amp.py - reference values from real PyTorch 1.13 (CPU) for test/amp.test.ts:
#   ops      every autocast-listed op nodetorch has (and unlisted neighbours) called inside torch.autocast('cpu') on
#            float32/bfloat16 inputs: output dtype and values, and the gradients of a weighted sum of the output
#            back to the float32/bfloat16 leaves (the backward runs outside the autocast scope, as the docs advise);
#   cache    whether two casts of the same weight inside one scope share one ToCopyBackward0 node;
#   train    a small conv + linear model trained 5 SGD steps under autocast: losses, step-0 gradients, final params;
#   scaler   torch.cuda.amp.GradScaler's trajectories (scale after each update, skipped steps, params) with injected
#            infs/NaNs. PyTorch 1.13 has no CPU kernels for _amp_foreach_non_finite_check_and_unscale_ and
#            _amp_update_scale_, so the real GradScaler class runs here with those two kernels written out in
#            Python from ATen's CUDA kernels (AmpKernels.cu); everything else (stages, skipping, combining found_inf
#            over optimizers, unscale_ + clipping) is PyTorch's own code.
# Run: /usr/bin/python3 test/ref/gen_amp.py   (writes test/ref/amp.json)
import json, math, os, warnings
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from amp_ref import enc  # the fixtures' tensor encoding (amp_ref.py)

torch.manual_seed(0)
warnings.simplefilter('ignore')




def r(*shape, dtype=torch.float32, grad=True, scale=1.0):
    t = (torch.randn(*shape) * scale).to(dtype)
    return t.requires_grad_(grad) if dtype.is_floating_point else t


# ---- ops ------------------------------------------------------------------------------------------------------
# Each case: op key (test/amp.test.ts has the same call per key), inputs, and the extra non-tensor arguments.
ops = []


def case(name, op, inputs, fn, args=None):
    ins = [x for x in inputs]
    with torch.autocast('cpu'):
        out = fn(*ins)
    if isinstance(out, tuple):
        out = out[0]
    entry = {'name': name, 'op': op, 'args': args or {}, 'inputs': [enc(x) for x in ins],
             'grad': [bool(x.requires_grad) for x in ins], 'out': enc(out), 'grads': None, 'gw': None}
    if out.dtype.is_floating_point and out.requires_grad:
        gw = torch.randn(out.shape)
        (out.float() * gw).sum().backward()
        entry['gw'] = enc(gw)
        entry['grads'] = [enc(x.grad) if x.requires_grad else None for x in ins]
    ops.append(entry)


bf = torch.bfloat16
# lower precision (bfloat16)
case('mm', 'mm', [r(5, 6), r(6, 4)], torch.mm)
case('mm mixed bf16/f32', 'mm', [r(5, 6, dtype=bf), r(6, 4)], torch.mm)
case('mm float64 untouched', 'mm', [r(3, 4, dtype=torch.float64), r(4, 2, dtype=torch.float64)], torch.mm)
case('mm int64 untouched', 'mm', [torch.randint(-3, 4, (3, 4)), torch.randint(-3, 4, (4, 2))], torch.mm)
case('bmm', 'bmm', [r(2, 3, 4), r(2, 4, 5)], torch.bmm)
case('addmm', 'addmm', [r(4), r(3, 6), r(6, 4)], torch.addmm)
case('baddbmm', 'baddbmm', [r(2, 3, 5), r(2, 3, 4), r(2, 4, 5)], torch.baddbmm)
case('matmul 2d', 'matmul', [r(4, 6), r(6, 3)], torch.matmul)
case('matmul 3d@2d', 'matmul', [r(2, 3, 6), r(6, 4)], torch.matmul)
case('matmul 1d@1d', 'matmul', [r(7), r(7)], torch.matmul)
case('linear', 'linear', [r(3, 6), r(4, 6), r(4)], F.linear)
case('linear 3d, bf16 input', 'linear', [r(2, 3, 6, dtype=bf), r(4, 6), r(4)], F.linear)
case('conv2d', 'conv2d', [r(2, 3, 6, 6), r(4, 3, 3, 3), r(4)], lambda x, w, b: F.conv2d(x, w, b, padding=1), {'padding': 1})
case('conv1d', 'conv1d', [r(2, 3, 10), r(4, 3, 3), r(4)], lambda x, w, b: F.conv1d(x, w, b, stride=2), {'stride': 2})
case('einsum', 'einsum', [r(2, 3, 4), r(2, 4, 5)], lambda a, b: torch.einsum('bij,bjk->bik', a, b))
# not on the CPU list: keep float32 (and bfloat16 stays bfloat16)
case('conv_transpose2d (unlisted)', 'conv_transpose2d', [r(1, 2, 4, 4), r(2, 3, 3, 3), r(3)], lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2), {'stride': 2})
case('mv (unlisted)', 'mv', [r(3, 5), r(5)], torch.mv)
case('dot (unlisted)', 'dot', [r(6), r(6)], torch.dot)
case('addmv (unlisted)', 'addmv', [r(3), r(3, 5), r(5)], torch.addmv)
case('bilinear (unlisted)', 'bilinear', [r(3, 4), r(3, 5), r(2, 4, 5), r(2)], F.bilinear)
case('adaptive_avg_pool2d bf16 (unlisted)', 'adaptive_avg_pool2d', [r(1, 2, 6, 6, dtype=bf)], lambda x: F.adaptive_avg_pool2d(x, 3))
# float32 list: bfloat16 inputs come out float32
case('prod', 'prod', [r(6, dtype=bf, scale=0.5)], torch.prod)
case('mse_loss', 'mse_loss', [r(4, 5, dtype=bf), r(4, 5, grad=False)], F.mse_loss)
case('l1_loss', 'l1_loss', [r(4, 5, dtype=bf), r(4, 5, grad=False)], F.l1_loss)
case('smooth_l1_loss', 'smooth_l1_loss', [r(4, 5, dtype=bf), r(4, 5, grad=False)], F.smooth_l1_loss)
case('huber_loss', 'huber_loss', [r(4, 5, dtype=bf), r(4, 5, grad=False)], F.huber_loss)
case('nll_loss', 'nll_loss', [r(4, 5, dtype=bf), torch.tensor([0, 3, 1, 4])], F.nll_loss)
case('cross_entropy', 'cross_entropy', [r(4, 5, dtype=bf), torch.tensor([2, 0, 4, 1])], F.cross_entropy)
case('cross_entropy from f32 linear', 'cross_entropy', [r(4, 5), torch.tensor([2, 0, 4, 1])], F.cross_entropy)
case('binary_cross_entropy', 'binary_cross_entropy', [torch.rand(3, 4).clamp(0.05, 0.95).to(bf).requires_grad_(), torch.rand(3, 4)], F.binary_cross_entropy)
case('binary_cross_entropy_with_logits', 'binary_cross_entropy_with_logits', [r(3, 4, dtype=bf), torch.rand(3, 4)], F.binary_cross_entropy_with_logits)
case('kl_div', 'kl_div', [r(3, 4, dtype=bf), torch.rand(3, 4)], lambda a, b: F.kl_div(a, b, reduction='batchmean'))
case('poisson_nll_loss', 'poisson_nll_loss', [r(3, 4, dtype=bf), torch.rand(3, 4) * 3], F.poisson_nll_loss)
case('margin_ranking_loss', 'margin_ranking_loss', [r(5, dtype=bf), r(5, grad=False), torch.tensor([1., -1., 1., 1., -1.])], F.margin_ranking_loss)
case('pad reflect', 'pad', [r(1, 2, 4, 4, dtype=bf)], lambda x: F.pad(x, (1, 2, 2, 1), mode='reflect'), {'pad': [1, 2, 2, 1], 'mode': 'reflect'})
case('pad replicate', 'pad', [r(1, 2, 4, 4, dtype=bf)], lambda x: F.pad(x, (1, 1, 1, 1), mode='replicate'), {'pad': [1, 1, 1, 1], 'mode': 'replicate'})
case('pad circular (unlisted)', 'pad', [r(1, 2, 4, 4, dtype=bf)], lambda x: F.pad(x, (1, 1, 1, 1), mode='circular'), {'pad': [1, 1, 1, 1], 'mode': 'circular'})
case('pad constant (unlisted)', 'pad', [r(1, 2, 4, 4, dtype=bf)], lambda x: F.pad(x, (1, 1, 1, 1)), {'pad': [1, 1, 1, 1], 'mode': 'constant'})
# promote: the widest floating input
case('cat bf16+f32', 'cat', [r(2, 3, dtype=bf), r(1, 3)], lambda a, b: torch.cat([a, b]))
case('cat bf16+bf16', 'cat', [r(2, 3, dtype=bf), r(1, 3, dtype=bf)], lambda a, b: torch.cat([a, b]))
case('cat bf16+f64', 'cat', [r(2, 3, dtype=bf), r(1, 3, dtype=torch.float64)], lambda a, b: torch.cat([a, b]))
case('stack bf16+f32', 'stack', [r(2, 3, dtype=bf), r(2, 3)], lambda a, b: torch.stack([a, b], 1))
case('index_copy bf16 <- f32', 'index_copy', [r(4, 3, dtype=bf), torch.tensor([2, 0]), r(2, 3)], lambda x, i, s: x.index_copy(0, i, s))
# unlisted ops keep the (promoted) input dtype
case('softmax bf16', 'softmax', [r(3, 5, dtype=bf)], lambda x: torch.softmax(x, 1))
case('log_softmax bf16', 'log_softmax', [r(3, 5, dtype=bf)], lambda x: torch.log_softmax(x, 1))
case('sum bf16', 'sum', [r(3, 5, dtype=bf)], torch.sum)
case('relu bf16', 'relu', [r(3, 5, dtype=bf)], torch.relu)
case('add bf16+f32', 'add', [r(3, 5, dtype=bf), r(3, 5)], torch.add)
case('exp bf16', 'exp', [r(3, 5, dtype=bf)], torch.exp)
case('layer_norm bf16', 'layer_norm', [r(3, 5, dtype=bf)], lambda x: F.layer_norm(x, (5,)))
case('gelu bf16', 'gelu', [r(3, 5, dtype=bf)], F.gelu)
case('max_pool2d bf16', 'max_pool2d', [r(1, 2, 4, 4, dtype=bf)], lambda x: F.max_pool2d(x, 2))


# recurrent layers: nn.RNN (composite of linear -> bfloat16) and LSTM/GRU (one unlisted kernel -> float32)
rnn_cases = []
for cls in (nn.RNN, nn.LSTM, nn.GRU):
    m = cls(4, 3)
    x = torch.randn(5, 2, 4)
    with torch.autocast('cpu'):
        o = m(x)[0]
    rnn_cases.append({'cls': cls.__name__, 'state': {k: enc(v) for k, v in m.state_dict().items()}, 'x': enc(x), 'out': enc(o)})

# ---- the weight cache -------------------------------------------------------------------------------------------
w = torch.randn(4, 4, requires_grad=True)
x = torch.randn(4, 4)
cache = {}
with torch.autocast('cpu'):
    y1 = torch.mm(w, x)
    y2 = torch.mm(w, x)
    cache['same_scope_shared'] = y1.grad_fn.next_functions[0][0] is y2.grad_fn.next_functions[0][0]
with torch.autocast('cpu', cache_enabled=False):
    y1 = torch.mm(w, x)
    y2 = torch.mm(w, x)
    cache['cache_disabled_shared'] = y1.grad_fn.next_functions[0][0] is y2.grad_fn.next_functions[0][0]
with torch.autocast('cpu'):
    y1 = torch.mm(w, x)
with torch.autocast('cpu'):
    y2 = torch.mm(w, x)
cache['two_scopes_shared'] = y1.grad_fn.next_functions[0][0] is y2.grad_fn.next_functions[0][0]
with torch.autocast('cpu'):
    y1 = torch.mm(x, x.t())  # not a leaf requiring grad: never cached
    cache['mm_input_no_grad_fn'] = y1.grad_fn is None

# ---- training under autocast ------------------------------------------------------------------------------------
torch.manual_seed(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))


net = Net()
init_state = {k: enc(v) for k, v in net.state_dict().items()}
xs = [torch.randn(8, 1, 8, 8) for _ in range(5)]
ys = [torch.randint(0, 10, (8,)) for _ in range(5)]
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
losses, logits_dtypes, grads0 = [], [], None
for s in range(5):
    opt.zero_grad()
    with torch.autocast('cpu'):
        out = net(xs[s])
        loss = F.cross_entropy(out, ys[s])
    logits_dtypes.append(str(out.dtype).replace('torch.', ''))
    losses.append(enc(loss))
    loss.backward()
    if s == 0:
        grads0 = {k: enc(p.grad) for k, p in net.named_parameters()}
    opt.step()
train = {'init': init_state, 'xs': [enc(x) for x in xs], 'ys': [enc(y) for y in ys], 'losses': losses,
         'logits_dtypes': logits_dtypes, 'grads0': grads0, 'final': {k: enc(v) for k, v in net.state_dict().items()}}

# ---- GradScaler -------------------------------------------------------------------------------------------------
from amp_ref import CpuGradScaler, enc  # PyTorch 1.13's GradScaler on CPU tensors (amp_ref.py)


def scaler_case(name, opts, steps, bad, clip=None, two_opts=False, lr=0.01):
    torch.manual_seed(7)
    w1 = torch.randn(6, requires_grad=True)
    w2 = torch.randn(3, requires_grad=True)
    init = [enc(w1), enc(w2)]
    if two_opts:
        o1, o2 = torch.optim.SGD([w1], lr=lr), torch.optim.SGD([w2], lr=lr, momentum=0.5)
        optims = [o1, o2]
    else:
        optims = [torch.optim.SGD([w1, w2], lr=lr, momentum=0.9)]
    sc = CpuGradScaler(**opts)
    xs, scales, trackers, skipped, params, grads_after = [], [], [], [], [], []
    for s in range(steps):
        x1, x2 = torch.randn(6), torch.randn(3)
        if s in bad:
            (x1 if bad[s][0] == 1 else x2)[bad[s][1]] = float(bad[s][2])
        xs.append([enc(x1), enc(x2)])
        for o in optims:
            o.zero_grad()
        loss = (w1 * x1).sum() + (w2 * x2 * x2).sum()
        sc.scale(loss).backward()
        before = [w1.detach().clone(), w2.detach().clone()]
        if clip is not None:
            for o in optims:
                sc.unscale_(o)
            torch.nn.utils.clip_grad_norm_([w1, w2], clip)
        grads_after.append(None if clip is None else [enc(w1.grad), enc(w2.grad)])
        for o in optims:
            sc.step(o)
        sc.update()
        scales.append(sc.get_scale())
        trackers.append(int(sc._get_growth_tracker()))
        skipped.append(bool(torch.equal(before[0], w1.detach()) and torch.equal(before[1], w2.detach())))
        params.append([enc(w1), enc(w2)])
    return {'name': name, 'opts': opts, 'lr': lr, 'clip': clip, 'two_opts': two_opts, 'init': init, 'xs': xs,
            'scales': scales, 'trackers': trackers, 'skipped': skipped, 'params': params, 'grads_after_unscale': grads_after,
            'state_dict': sc.state_dict()}


INF, NAN = 'inf', 'nan'
scaler = [
    scaler_case('defaults-like, interval 3', {'init_scale': 2.0 ** 10, 'growth_interval': 3}, 14,
                {3: (1, 2, INF), 4: (2, 0, NAN), 9: (1, 5, '-inf')}),
    scaler_case('odd factors', {'init_scale': 1000.0, 'growth_factor': 1.7, 'backoff_factor': 0.3, 'growth_interval': 2}, 12,
                {2: (1, 0, INF), 7: (2, 1, NAN), 8: (1, 3, INF)}),
    scaler_case('growth overflow keeps the scale', {'init_scale': 2.0 ** 126, 'growth_interval': 1}, 4, {}),
    scaler_case('unscale_ and clip_grad_norm_', {'init_scale': 2.0 ** 8, 'growth_interval': 2}, 8,
                {5: (2, 2, INF)}, clip=0.5),
    scaler_case('two optimizers', {'init_scale': 2.0 ** 5, 'growth_interval': 2}, 8, {3: (2, 1, NAN)}, two_opts=True),
]
for c in scaler:
    c['opts'] = {{'init_scale': 'initScale', 'growth_factor': 'growthFactor', 'backoff_factor': 'backoffFactor',
                  'growth_interval': 'growthInterval'}[k]: v for k, v in c['opts'].items()}

out = {'torch': torch.__version__, 'ops': ops, 'rnn': rnn_cases, 'cache': cache, 'train': train, 'scaler': scaler}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'amp.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes;', len(ops), 'op cases')
