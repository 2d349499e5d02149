# gen_bn.py - references for test/batchnorm_fused.test.ts (PyTorch 1.13): BatchNorm1d/2d/3d in training and evaluation,
# affine on/off, track_running_stats on/off, momentum 0.1 / 0.3 / None (cumulative average), float32 and float64:
# outputs, gradients of input, weight and bias, running statistics after two training steps; double backward of the
# batch norm; and the in-place activations (values, gradients, node names, version counters).
# Run: /usr/bin/python3 test/ref/gen_bn.py > test/ref/bn.json
import json, math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
def fl(t):
    # float32 values in their shortest round-trip form (read back as float32 they are exact)
    if t.dtype == torch.float32: return [float(repr(np.float32(v))) for v in t.detach().reshape(-1).tolist()]
    return [float(v) for v in t.detach().reshape(-1).tolist()]
def enc(v):
    if isinstance(v, float) and math.isnan(v): return 'nan'
    if isinstance(v, float) and math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v
def ref(t): return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [enc(v) for v in fl(t)]}

CLS = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}
# inputs per shape are float64 (cast to the case's dtype on both sides); each case records only its results
CONFIGS = {torch.float64: ((True, True, 0.1), (False, True, 0.3), (True, False, 0.1), (True, True, None), (False, False, 0.1)),
           torch.float32: ((True, True, 0.1), (False, True, None), (True, False, 0.1))}
SHAPES = {'1d2': (6, 3), '1d3': (4, 3, 5), '2d': (3, 4, 3, 4), '3d': (2, 3, 2, 2, 3)}
inputs = {}
cases = []
for key, shape in SHAPES.items():
    d = 1 if key.startswith('1d') else int(key[0])
    C = shape[1]
    X1 = torch.randn(shape, dtype=torch.float64) * 2 + 0.5
    X2 = torch.randn(shape, dtype=torch.float64) * 1.5 - 1
    G = torch.randn(shape, dtype=torch.float64)
    W = torch.rand(C, dtype=torch.float64) + 0.5
    B = torch.randn(C, dtype=torch.float64)
    inputs[key] = {'x1': ref(X1), 'x2': ref(X2), 'gout': ref(G), 'w': ref(W), 'b': ref(B)}
    for dtype, configs in CONFIGS.items():
        for affine, track, momentum in configs:
            x1, x2, gout = X1.to(dtype), X2.to(dtype), G.to(dtype)
            m = CLS[d](C, affine=affine, track_running_stats=track, momentum=momentum).to(dtype)
            if affine:
                with torch.no_grad(): m.weight.copy_(W.to(dtype)); m.bias.copy_(B.to(dtype))
            m.train()
            m(x1)
            xa = x2.clone().requires_grad_()
            y = m(xa)
            (y * gout).sum().backward()
            train = {'y': ref(y), 'gx': ref(xa.grad)}
            if affine: train.update(gw=ref(m.weight.grad), gb=ref(m.bias.grad))
            if track: train.update(rm=ref(m.running_mean), rv=ref(m.running_var), nbt=int(m.num_batches_tracked))
            m.eval()
            if affine: m.weight.grad = None; m.bias.grad = None
            xb = x1.clone().requires_grad_()
            y = m(xb)
            (y * gout).sum().backward()
            ev = {'y': ref(y), 'gx': ref(xb.grad)}
            if affine: ev.update(gw=ref(m.weight.grad), gb=ref(m.bias.grad))
            cases.append({'key': key, 'dim': d, 'dtype': str(dtype).replace('torch.', ''), 'affine': affine, 'track': track,
                          'momentum': momentum, 'train': train, 'eval': ev})

# double backward (float64): gradient of sum(g^2), g = d sum(y^3 * gout) / dx with create_graph
x = torch.randn(3, 2, 4, 5, dtype=torch.float64)
gout = torch.randn(3, 2, 4, 5, dtype=torch.float64)
w = torch.rand(2, dtype=torch.float64) + 0.5
b = torch.randn(2, dtype=torch.float64)
rm = torch.randn(2, dtype=torch.float64); rv = torch.rand(2, dtype=torch.float64) + 0.5
gg = {}
for training in (True, False):
    xa = x.clone().requires_grad_(); wa = w.clone().requires_grad_(); ba = b.clone().requires_grad_()
    y = F.batch_norm(xa, rm.clone(), rv.clone(), wa, ba, training=training)
    gx, gw = torch.autograd.grad((y.pow(3) * gout).sum(), [xa, wa], create_graph=True)
    s = (gx * gx).sum() + (gw * gw).sum()
    hx, hw, hb = torch.autograd.grad(s, [xa, wa, ba], allow_unused=True)
    gg['train' if training else 'eval'] = {'gx': ref(gx), 'gw': ref(gw), 'hx': ref(hx), 'hw': ref(hw), 'hb': ref(hb) if hb is not None else None}
double = {'x': ref(x), 'gout': ref(gout), 'w': ref(w), 'b': ref(b), 'rm': ref(rm), 'rv': ref(rv), 'cases': gg}

# in-place activations: y = x * 1.5 (a non-leaf), act_(y), loss = sum(y * gout)
xin = torch.randn(4, 5, dtype=torch.float64) * 3
xin[0, 0] = 0.0; xin[0, 1] = 6.0; xin[0, 2] = -1.0; xin[0, 3] = 1.0
gin = torch.randn(4, 5, dtype=torch.float64)
ACTS = {
    'relu': lambda y: F.relu(y, inplace=True), 'relu_': lambda y: torch.relu_(y),
    'leakyRelu': lambda y: F.leaky_relu(y, 0.2, inplace=True), 'elu': lambda y: F.elu(y, 0.7, inplace=True),
    'hardtanh': lambda y: F.hardtanh(y, -2.0, 3.0, inplace=True), 'relu6': lambda y: F.relu6(y, inplace=True),
    'silu': lambda y: F.silu(y, inplace=True), 'hardswish': lambda y: F.hardswish(y, inplace=True),
    'hardsigmoid': lambda y: F.hardsigmoid(y, inplace=True), 'selu': lambda y: F.selu(y, inplace=True),
    'celu': lambda y: F.celu(y, 0.8, inplace=True), 'threshold': lambda y: F.threshold(y, 0.5, -2.0, inplace=True),
    'dropoutEval': lambda y: F.dropout(y, 0.5, training=False, inplace=True),
}
acts = {}
for k, f in ACTS.items():
    for dt in (torch.float32, torch.float64):
        xa = xin.to(dt).clone().requires_grad_()
        y = xa * 1.5
        v0 = y._version
        r = f(y)
        same = r is y
        bumped = y._version - v0
        name = type(y.grad_fn).__name__
        (y * gin.to(dt)).sum().backward()
        acts[k + '_' + str(dt).replace('torch.', '')] = {'y': ref(y), 'gx': ref(xa.grad), 'same': same, 'bump': bumped, 'name': name}
# errors: leaf requiring grad; a tensor saved by another node modified in place; a view of a leaf
errs = {}
def err(f):
    try: f(); return None
    except RuntimeError as e: return str(e).split('\n')[0]
errs['leaf'] = err(lambda: F.relu(torch.randn(3, requires_grad=True), inplace=True))
def saved():
    xa = torch.randn(3, requires_grad=True); y = xa * 2; p = y * y; F.relu(y, inplace=True); p.sum().backward()
errs['saved'] = err(saved)
def sig():
    xa = torch.randn(3, requires_grad=True); y = xa.sigmoid(); F.relu(y, inplace=True); y.sum().backward()
errs['sigmoidOut'] = err(sig)
def view_leaf():
    xa = torch.randn(3, 4, requires_grad=True); F.relu(xa[0], inplace=True)
errs['viewOfLeaf'] = err(view_leaf)
# relu_ on a view of a non-leaf: the base's gradient (CopySlices)
xa = xin.clone().requires_grad_(); base = xa * 1.0; F.relu(base[1:3], inplace=True); (base * gin).sum().backward()
view = {'base': ref(base), 'gx': ref(xa.grad)}
print(json.dumps({'inputs': inputs, 'cases': cases, 'double': double, 'acts': {'x': ref(xin), 'gout': ref(gin), 'cases': acts}, 'errors': errs, 'view': view}))
