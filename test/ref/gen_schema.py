# gen_schema.py - references for test/schema.test.ts: the schema's ops called with PyTorch's keyword arguments (the
# TypeScript side calls them with the camelCase options), out= (resize and dtype rules), and in-place variants.
# Run: /usr/bin/python3 test/ref/gen_schema.py > test/ref/schema.json
import json
import warnings
import torch

X = torch.tensor([[0.5, -1.0, 2.0], [1.5, -0.25, 3.0]], dtype=torch.float32)
I = torch.tensor([[2, 0, 1], [0, 2, 2]])
cases = {}

def put(name, t):
    if isinstance(t, (list, tuple)):
        cases[name] = [{'shape': list(u.shape), 'dtype': str(u.dtype).replace('torch.', ''), 'values': u.tolist()} for u in t]
    else:
        cases[name] = {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'values': t.tolist()}

x = X.clone()
put('flatten_start_dim', torch.flatten(x.reshape(1, 2, 3), start_dim=1))
put('transpose_kw', x.transpose(dim0=0, dim1=1))
put('cat_dim', torch.cat([x, x], dim=1))
put('stack_dim', torch.stack([x, x], dim=-1))
put('sum_kw', torch.sum(x, dim=1, keepdim=True, dtype=torch.float64))
put('mean_dims', x.mean(dim=[0, 1]))
put('argmin_kw', x.argmin(dim=0, keepdim=True))
put('amax_kw', torch.amax(x, dim=-1))
put('softmax_kw', torch.softmax(x, dim=1))
put('log_softmax_kw', torch.log_softmax(x, dim=0, dtype=torch.float64))
put('cumsum_kw', torch.cumsum(x, dim=1))
put('add_alpha', torch.add(x, x, alpha=2))
put('sub_alpha', x.sub(1, alpha=0.5))
put('div_floor', torch.div(x, 0.75, rounding_mode='floor'))
put('clamp_kw', torch.clamp(x, min=0.0))
put('clamp_max_kw', x.clamp(max=1.0))
put('pow_exponent', torch.pow(x, exponent=2))
put('gather_kw', torch.gather(x, dim=1, index=I))
put('scatter_reduce', torch.scatter(x, dim=1, index=I, src=torch.ones(2, 3), reduce='add'))
put('index_select_kw', torch.index_select(x, dim=1, index=torch.tensor([2, 0])))
put('index_add_alpha', x.index_add(0, torch.tensor([1, 0]), torch.ones(2, 3), alpha=3))
put('narrow_kw', x.narrow(dim=1, start=1, length=2))
put('split_kw', torch.split(x, split_size_or_sections=2, dim=1))
put('squeeze_dim', x.reshape(2, 1, 3).squeeze(dim=1))
put('movedim_kw', torch.movedim(x.reshape(1, 2, 3), source=0, destination=2))
put('tril_diag', torch.tril(x, diagonal=-1))
put('roll_kw', torch.roll(x, shifts=1, dims=1))
# out=: same shape; a zero-element out is resized silently; a float result into an int64 out is an error
o = torch.empty(2, 3)
torch.add(x, 1, out=o)
put('out_same', o)
o = torch.empty(0)
torch.mul(x, x, out=o)
put('out_resized', o)
o = torch.empty(0, dtype=torch.float64)
torch.sum(x, dim=0, out=o)
put('out_sum_float64', o)
o = torch.empty(0)
torch.cat([x, x], dim=0, out=o)
put('out_cat', o)
o = torch.zeros(2, 3, dtype=torch.int64)
torch.lt(x, 1, out=o)
put('out_bool_into_int64', o)
try:
    torch.add(x, x, out=torch.empty(2, 3, dtype=torch.int64))
    cases['out_float_into_int64'] = 'ok'
except RuntimeError as e:
    cases['out_float_into_int64'] = str(e)
# in place: values, the version counter, the cast rule, the broadcast rule
y = x.clone()
v0 = y._version
y.add_(torch.ones(3), alpha=2)
put('add_inplace', y)
cases['add_inplace_version_delta'] = y._version - v0
y = x.clone()
y.tril_(diagonal=0)
put('tril_inplace', y)
y = x.clone()
y.cumsum_(dim=1)
put('cumsum_inplace', y)
y = x.clone()
y.scatter_(1, I, 0.5, reduce='multiply')
put('scatter_inplace_value', y)
try:
    torch.zeros(2, 3, dtype=torch.int64).lerp_(x, 0.5)
    cases['lerp_inplace_int'] = 'ok'
except RuntimeError as e:
    cases['lerp_inplace_int'] = str(e)
try:
    torch.zeros(3).add_(torch.ones(2, 3))
    cases['add_inplace_grow'] = 'ok'
except RuntimeError as e:
    cases['add_inplace_grow'] = str(e)
# the in-place variant's gradient: d/dx sum((x * 1).clamp_(min=0) * w)
w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
a = X.clone().requires_grad_(True)
b = a * 1
b.clamp_(min=0)
(b * w).sum().backward()
put('clamp_inplace_grad', a.grad)
cases['clamp_inplace_grad_fn'] = type(b.grad_fn).__name__
a = X.clone().requires_grad_(True)
b = a * 1
b.tril_(diagonal=-1)
(b * w).sum().backward()
put('tril_inplace_grad', a.grad)
print(json.dumps({'input': X.tolist(), 'index': I.tolist(), 'cases': cases}, indent=1))
