# gen_ops_more.py - reference values from PyTorch 1.13 for test/ops_more.test.ts: tensor gradient hooks, the new_*
# factories and dtype predicates, finfo/iinfo, the in-place random fills' errors, the elementwise math ops (values and
# gradients) and the reductions/statistics added by the opsA branch.  Run: /usr/bin/python3 test/ref/gen_ops_more.py
import json, math, os
import torch

torch.set_default_dtype(torch.float32)
OUT = {}

def enc(v):
    if isinstance(v, float):
        if math.isnan(v): return 'nan'
        if math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v

def ref(t):
    t = t.detach()
    dt = str(t.dtype).replace('torch.', '')
    data = t.reshape(-1).tolist()
    return {'dtype': dt, 'shape': list(t.shape), 'data': [enc(x) for x in data]}

# ---- hooks: each scenario's results -----------------------------------------------------------------------------
hooks = {}
x = torch.tensor([1., 2.], requires_grad=True)
y = x * 2
order = []
y.retain_grad()
y.register_hook(lambda g: (order.append(['h1', g.tolist()]), g * 10)[1])
y.register_hook(lambda g: (order.append(['h2', g.tolist()]), None)[1])
x.register_hook(lambda g: (order.append(['xh', g.tolist()]), g + 1)[1])
((y * y).sum() + (x * 3).sum()).backward()
hooks['order'] = {'order': order, 'ygrad': y.grad.tolist(), 'xgrad': x.grad.tolist()}
x = torch.tensor([1., 2.], requires_grad=True)
y = x * 2
y.register_hook(lambda g: g * 10)
y.retain_grad()
(y * y).sum().backward()
hooks['retain_after'] = {'ygrad': y.grad.tolist(), 'xgrad': x.grad.tolist()}
x = torch.tensor([1., 2.], requires_grad=True)
x.register_hook(lambda g: g * 0 + 7)
(x * 1 + x * 2).sum().backward()
hooks['leaf_sum'] = {'xgrad': x.grad.tolist()}
x = torch.tensor([1.], requires_grad=True); y = x * 1; c = []
y.register_hook(lambda g: c.append(g.item()))
(y * 2 + y * 3).sum().backward()
hooks['nonleaf_once'] = {'calls': c}
x = torch.tensor([1., 2.], requires_grad=True); c = []
x.register_hook(lambda g: c.append(g.tolist()))
g = torch.autograd.grad((x * x).sum(), x)
hooks['autograd_grad'] = {'grad': g[0].tolist(), 'calls': c}
x = torch.tensor([1., 2.], requires_grad=True); c = []
h = x.register_hook(lambda g: g * 100)
h.remove()
(x * 3).sum().backward()
hooks['removed'] = {'xgrad': x.grad.tolist()}
OUT['hooks'] = hooks

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ops_more.json'), 'w') as f:
    json.dump(OUT, f, separators=(',', ':'))
