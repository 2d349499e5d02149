#!/usr/bin/env python3
"""gen_creation_schema.py - the reference results of the creation ops' schema rows (test/creation_schema.test.ts):
PyTorch 1.13's result (shape, dtype, and the values where they are deterministic) or error (type and message) for
calls in each form the rows take: varargs and list sizes, the value overloads (arange, randint, normal), the keyword
names, the keyword-only options, out=. Run: /usr/bin/python3 test/ref/gen_creation_schema.py (writes
test/ref/creation_schema.json; byte-identical on a rerun).
(A whole float such as 3.0 reads as an integer in JavaScript: the calls use only fractional floats where it matters.)
A call is [op, args, kwargs]; a tensor argument is {"t": values, "dtype": name}; "out" is {"out": dtype, "shape": [..]}."""
import json, os, torch

DT = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'int32': torch.int32, 'bool': torch.bool}
NAME = {v: k for k, v in DT.items()}

def conv(a):
    if isinstance(a, dict) and 't' in a: return torch.tensor(a['t'], dtype=DT[a['dtype']])
    if isinstance(a, list): return tuple(conv(x) for x in a)
    if isinstance(a, str) and a in DT: return DT[a]
    return a

def kw(k):
    out = {}
    for key, v in k.items():
        if key == 'dtype': out[key] = DT[v]
        elif key == 'out': out[key] = torch.empty(v['shape'], dtype=DT[v['dtype']])
        else: out[key] = conv(v)
    return out

RANDOM = {'rand', 'randn', 'randint', 'randperm', 'normal', 'rand_like', 'randn_like', 'empty', 'empty_like'}
T = lambda v, d='float32': {'t': v, 'dtype': d}
CASES = [
    ['zeros', [2, 3], {}], ['zeros', [[2, 3]], {}], ['zeros', [], {'size': [2, 3]}], ['zeros', [2], {'dtype': 'int32'}],
    ['zeros', [2, 2], {'out': {'dtype': 'int64', 'shape': [0]}}],
    ['ones', [2, 1], {'dtype': 'float64'}], ['ones', [[3]], {'requires_grad': True}],
    ['empty', [2, 3], {'dtype': 'int32'}], ['empty', [], {'size': [4]}],
    ['full', [[2, 2], 7], {}], ['full', [[2], True], {}], ['full', [[2], 1.5], {'dtype': 'float64'}],
    ['full', [], {'size': [3], 'fill_value': 2.5}], ['full', [[2], T(4.0)], {}], ['full', [3, 1.5], {}],
    ['eye', [3], {}], ['eye', [3, 2], {}], ['eye', [], {'n': 2}], ['eye', [2], {'m': 3, 'dtype': 'int64'}],
    ['arange', [5], {}], ['arange', [1, 5], {}], ['arange', [1, 5, 2], {}], ['arange', [0, 1, 0.25], {}],
    ['arange', [], {'end': 5}], ['arange', [1], {'end': 5}], ['arange', [], {'start': 1, 'end': 6, 'step': 2}],
    ['arange', [5], {'dtype': 'int32'}], ['arange', [0.5, 3.0], {}], ['arange', [5], {'out': {'dtype': 'float32', 'shape': [0]}}],
    ['arange', [0, 5, 0], {}], ['arange', [5, 0, 1], {}],
    ['linspace', [0, 1, 5], {}], ['linspace', [0, 1], {'steps': 3}], ['linspace', [0, 10, 5], {'dtype': 'int64'}],
    ['logspace', [0, 2, 3, 2], {}], ['logspace', [0, 2, 3], {'base': 2}], ['logspace', [0, 2, 3], {}], ['logspace', [], {'start': 0, 'end': 1, 'steps': 2, 'base': 3, 'dtype': 'float64'}],
    ['rand', [2, 3], {}], ['rand', [[2]], {'dtype': 'float64'}], ['rand', [], {'size': [3, 1]}], ['randn', [4], {}], ['randn', [2, 2], {'dtype': 'float64'}],
    ['rand', [2], {'dtype': 'int64'}],
    ['randint', [10, [3]], {}], ['randint', [2, 5, [2, 2]], {}], ['randint', [], {'high': 4, 'size': [5]}], ['randint', [1], {'high': 4, 'size': [5]}],
    ['randint', [], {'low': 1, 'high': 4, 'size': [2]}], ['randint', [3, 10], {}], ['randint', [5, [2]], {'dtype': 'int32'}], ['randint', [5, 2, [2]], {}],
    ['randperm', [5], {}], ['randperm', [4], {'dtype': 'float32'}], ['randperm', [], {'n': 3}],
    ['normal', [T([0.0, 1.0, 2.0]), T([[1.0], [2.0]])], {}], ['normal', [T([0.0, 1.0, 2.0], 'float64'), T([[1.0], [2.0]])], {}],
    ['normal', [T([0.0, 1.0, 2.0]), T([[1.0], [2.0]], 'float64')], {}], ['normal', [0.0, T([1.0, 2.0], 'float64')], {}],
    ['normal', [T([[0.0, 1.0]])], {}], ['normal', [T([0.0, 1.0]), 2.0], {}], ['normal', [], {'mean': T([0.0, 1.0]), 'std': 2.0}],
    ['normal', [0.0, 1.0, [2, 3]], {}], ['normal', [0.0, 1.0], {'size': [2, 3]}], ['normal', [], {'mean': 1.0, 'std': 2.0, 'size': [4], 'dtype': 'float64'}],
    ['normal', [T([1, 2], 'int64'), T([1.0, 1.0])], {}], ['normal', [0.0, T([1, 1], 'int64')], {}],
    ['normal', [T([0.0, 1.0]), -1.0], {}], ['normal', [T([0.0, 1.0]), T([1.0, -1.0])], {}],
    ['normal', [T([0.0, 1.0, 2.0]), T([1.0, 1.0, 1.0, 1.0])], {}], ['normal', [0.0, -1.0, [2]], {}],
    ['zeros_like', [T([1, 2], 'int64')], {}], ['zeros_like', [T([1.0, 2.0])], {'dtype': 'int32'}], ['zeros_like', [], {'input': T([[1.0, 2.0]])}],
    ['ones_like', [T([[1.0], [2.0]])], {'dtype': 'float64'}], ['empty_like', [T([1, 2], 'int32')], {}],
    ['full_like', [T([1.0, 2.0]), 3], {}], ['full_like', [T([1, 2], 'int64')], {'fill_value': 2.7}], ['full_like', [T([1.0, 2.0]), True], {'dtype': 'bool'}],
    ['tensor', [[[1, 2], [3, 4]]], {}], ['tensor', [[1.5, 2.5]], {'dtype': 'float64'}], ['tensor', [], {'data': [True, False]}],
    ['tensor', [[1, 2]], {'dtype': 'float32', 'requires_grad': True}], ['tensor', [T(2.5, 'float64')], {'dtype': 'float32'}],
    ['tensor', [[[1, 2], [3]]], {}], ['as_tensor', [[1, 2], 'float64'], {}], ['as_tensor', [T([1.0, 2.0])], {'dtype': 'int32'}],
    ['as_tensor', [[0.5]], {}],
    ['rand_like', [T([1.0, 2.0], 'float64')], {}], ['randn_like', [T([[1.0, 2.0]])], {}], ['rand_like', [T([1, 2], 'int64')], {}],
]

DATA = {'tensor', 'as_tensor'}  # (their data argument is a nested list, not a size)

def run(op, args, k):
    try:
        a = [conv(x) if not (op in DATA and i == 0) else (conv(x) if isinstance(x, dict) else x) for i, x in enumerate(args)]
        if op in DATA and 'data' in k: k = dict(k); a = [k.pop('data')] + a
        r = getattr(torch, op)(*a, **kw(k))
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e).split('\n')[0]}
    res = {'shape': list(r.shape), 'dtype': NAME[r.dtype], 'requires_grad': r.requires_grad}
    if op not in RANDOM: res['values'] = r.detach().double().tolist() if r.dtype != torch.bool else r.tolist()
    if op == 'randperm': res['sorted'] = sorted(r.double().tolist())
    return res

out = {'torch': torch.__version__.split('+')[0], 'cases': [{'call': c, 'ref': run(*c)} for c in CASES]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'creation_schema.json')
with open(path, 'w') as f: json.dump(out, f, indent=None, separators=(',', ':')); f.write('\n')
print(f'wrote {path}: {len(CASES)} cases')
