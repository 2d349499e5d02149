# gen_sweep_shape.py - a differential sweep of the shape, indexing and creation ops and of nn.functional against
# PyTorch 1.13, over every dtype nodetorch has and the edge shapes (empty, 0-d, one element, non-contiguous inputs).
# For each case it records PyTorch's outcome: the result's dtype, shape, values, stride(), is_contiguous() and
# whether it shares the first input's storage (a view), or PyTorch's error. test/sweep_shape.test.ts replays every
# case in nodetorch and compares.
#
# A case is written once: the JS call (f: 'torch.x' | 'm.x' (a method of the first argument) | 'F.x'; positional
# args, then a trailing options object with camelCase keys); the Python call is derived from it (snake_case names and
# keywords, In -> the tensor, DT -> torch dtype, Sl -> slice, '...' -> Ellipsis), except where `py` is given.
# Run: /usr/bin/python3 test/ref/gen_sweep_shape.py   (writes test/ref/sweep_shape.json; deterministic)
import json, math, os, re
import torch
import torch.nn.functional as F

torch.manual_seed(0)
G = torch.Generator().manual_seed(1234)
ALL = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']
FLOATS = ['float32', 'float64', 'float16', 'bfloat16']
INTS = ['int64', 'int32', 'int16', 'int8', 'uint8']
CASES = []
SEEN = set()


def tdt(name): return getattr(torch, name)


def snake(s):
    return re.sub(r'(?<=[a-z0-9])([A-Z])', lambda m: '_' + m.group(1).lower(), s)


class In:
    """an input tensor: values drawn per dtype; perm: built contiguous in the permuted layout, then permuted back
    (a non-contiguous input); vals: given values"""
    def __init__(self, shape, dtype='float32', perm=None, vals=None, lo=None, hi=None):
        self.dtype = dtype
        shape = list(shape)
        phys = [shape[p] for p in perm] if perm else shape
        n = 1
        for s in phys: n *= s
        if n == 0:  # (PyTorch's own contiguous strides for an empty shape, as torch.zeros gives)
            base = torch.zeros(phys, dtype=tdt(dtype))
        elif vals is not None:
            base = torch.tensor(vals, dtype=tdt(dtype)).reshape(phys)
        elif dtype == 'bool':
            base = torch.randint(0, 2, phys, generator=G).bool()
        elif dtype == 'uint8':
            base = torch.randint(lo if lo is not None else 0, hi if hi is not None else 10, phys, generator=G).to(torch.uint8)
        elif dtype in INTS:
            base = torch.randint(lo if lo is not None else -5, hi if hi is not None else 6, phys, generator=G).to(tdt(dtype))
        else:
            base = (torch.randint(lo if lo is not None else -8, hi if hi is not None else 9, phys, generator=G).double() / 2).to(tdt(dtype))
        self.phys = phys
        self.perm = list(perm) if perm else None
        self.base = base
        self.t = base.permute(*inv(perm)) if perm else base

    def rec(self):
        r = {'d': self.dtype, 's': self.phys, 'v': vals(self.base)}
        if self.perm: r['p'] = inv(self.perm)
        return r


def inv(perm):
    out = [0] * len(perm)
    for i, p in enumerate(perm): out[p] = i
    return out


class DT:
    def __init__(self, name): self.name = name


class Sl:
    def __init__(self, s): self.s = s

    def py(self):
        parts = [int(p) if p.strip() else None for p in self.s.split(':')]
        return slice(*parts)


class Raw:
    """a value passed as is to Python and as `js` to JS"""
    def __init__(self, py, js): self.pyv, self.jsv = py, js


def fix(v):
    if isinstance(v, float):
        if v != v: return 'nan'
        if v == math.inf: return 'inf'
        if v == -math.inf: return '-inf'
    return v


def vals(t):
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16): t = t.float()
    d = t.reshape(-1).tolist()
    if t.dtype == torch.float32: d = [float('%.9g' % v) if v == v and abs(v) != math.inf else v for v in d]
    return [fix(v) for v in d]


def enc(t, ins):
    t = t.detach()
    r = {'d': str(t.dtype).replace('torch.', ''), 's': list(t.shape)}
    n = t.numel()
    if n <= 512: r['v'] = vals(t)
    else:
        r['v'] = vals(t.reshape(-1)[:256]); r['part'] = 256
    r['st'] = list(t.stride())
    r['ct'] = t.is_contiguous()
    if ins and n > 0 and ins[0].numel() > 0:
        r['vw'] = t.storage().data_ptr() == ins[0].storage().data_ptr()
    return r


def enc_out(o, ins):
    if isinstance(o, torch.Tensor): return enc(o, ins)
    if isinstance(o, (tuple, list)): return {'$l': [enc_out(e, ins) for e in o]}
    if isinstance(o, bool): return {'$b': o}
    if isinstance(o, (int, float)): return {'$n': fix(float(o))}
    raise TypeError(type(o))


def to_js(v, ins):
    if isinstance(v, In):
        if v not in ins: ins.append(v)
        return {'$in': ins.index(v)}
    if isinstance(v, DT): return v.name
    if isinstance(v, Sl): return v.s
    if isinstance(v, Raw): return v.jsv
    if isinstance(v, (list, tuple)): return [to_js(e, ins) for e in v]
    if isinstance(v, dict): return {k: to_js(e, ins) for k, e in v.items()}
    if isinstance(v, float): return fix(v)
    return v


def to_py(v, index=False):
    if isinstance(v, (In, _Sub)): return v.t
    if isinstance(v, DT): return tdt(v.name)
    if isinstance(v, Sl): return v.py()
    if isinstance(v, Raw): return v.pyv
    if v == '...' and index: return Ellipsis
    if isinstance(v, list): return [to_py(e, index) for e in v]
    if isinstance(v, tuple): return tuple(to_py(e, index) for e in v)
    if isinstance(v, dict): return {snake(k): to_py(e, index) for k, e in v.items()}
    return v


def pycall(f, args, opts):
    ns, name = f.split('.', 1)
    a = [to_py(x) for x in args]
    kw = to_py(opts) if opts else {}
    if ns == 'm':
        if name == 'index':
            return a[0][tuple(to_py(x, True) for x in args[1:])]
        if name == 'indexPut_':  # t[specs] = value (accumulate: index_put_ with the index tensors)
            specs = tuple(to_py(x, True) for x in args[1])
            if kw.get('accumulate'): return a[0].index_put_(specs, a[2], accumulate=True)
            a[0][specs] = a[2]
            return a[0]
        return getattr(a[0], snake(name))(*a[1:], **kw)
    mod = torch if ns == 'torch' else F
    return getattr(mod, snake(name))(*a, **kw)


class _Sub:
    def __init__(self, t): self.t = t


def sub_ins(v, ins, ts):
    if isinstance(v, In): return _Sub(ts[ins.index(v)])
    if isinstance(v, list): return [sub_ins(e, ins, ts) for e in v]
    if isinstance(v, tuple): return tuple(sub_ins(e, ins, ts) for e in v)
    if isinstance(v, dict): return {k: sub_ins(e, ins, ts) for k, e in v.items()}
    return v


def lowered(o, dt):
    if isinstance(o, torch.Tensor): return o.to(tdt(dt)) if o.dtype == torch.float32 else o
    if isinstance(o, (tuple, list)): return [lowered(e, dt) for e in o]
    return o


def case(cat, f, args, opts=None, py=None, name=None, rnd=None, nv=False, tol=None, note=None, f32=None):
    """rnd=(lo, hi): random values, only the dtype, shape and range are compared; nv: values not compared;
    f32=why: the expected values are computed from float32 copies of the low-precision inputs, rounded back (where a
    later PyTorch computes so and 1.13 rounds its intermediates to the low dtype)"""
    ins = []
    js = {'f': f, 'a': to_js(list(args), ins)}
    if opts is not None: js['o'] = to_js(opts, ins)
    if name is None:
        desc = json.dumps(js['a'], separators=(',', ':'))
        if len(desc) > 90: desc = desc[:90] + '..'
        name = f'{f}{desc}' + (json.dumps(js['o'], separators=(',', ':')) if opts else '')
        for i, x in enumerate(ins):
            name = name.replace('{"$in":%d}' % i, '%s%s%s' % (x.dtype, list(x.t.shape), 'T' if x.perm else ''))
    k = name
    j = 2
    while k in SEEN: k = f'{name} #{j}'; j += 1
    SEEN.add(k)
    c = {'n': k, 'c': cat, 'js': js, 'i': [x.rec() for x in ins]}
    before = [x.t.clone() for x in ins]
    try:
        with torch.no_grad():
            out = py(*[x.t for x in ins]) if py else pycall(f, args, opts)
        c['e'] = enc_out(out, [x.t for x in ins])
        low = [x for x in ins if x.dtype in ('float16', 'bfloat16')]
        if f32 and low:
            with torch.no_grad():
                ts = [x.t.float() if x.dtype in ('float16', 'bfloat16') else x.t for x in ins]
                out2 = py(*ts) if py else pycall(f, sub_ins(args, ins, ts), sub_ins(opts, ins, ts) if opts else opts)
            c['e'] = enc_out(lowered(out2, low[0].dtype), [x.t for x in ins])
            c['later'] = f32
        # in-place ops: the written input too; any other input the call changed (embedding's max_norm renormalises
        # its weight in place): its values after the call
        if f.endswith('_') and ins:
            c['w'] = enc(ins[0].t, None)
        changed = {str(k): vals(x.t) for k, (x, b) in enumerate(zip(ins, before))
                   if not (f.endswith('_') and k == 0) and x.t.shape == b.shape and x.t.numel() and not torch.equal(x.t, b)}
        if changed: c['after'] = changed
    except Exception as e:
        msg = type(e).__name__ + ': ' + str(e).split('\n')[0][:200]
        low = [x for x in ins if x.dtype in ('float16', 'bfloat16')]
        if re.search(r"not implemented for '(Half|BFloat16)'", msg) and low:
            # PyTorch 1.13's CPU lacks this kernel in float16/bfloat16; later PyTorch has it (computing in float32):
            # the expected values are float32's, rounded to the low dtype
            try:
                with torch.no_grad():
                    ts = [x.t.float() if x.dtype in ('float16', 'bfloat16') else x.t for x in ins]
                    out = py(*ts) if py else pycall(f, sub_ins(args, ins, ts), sub_ins(opts, ins, ts) if opts else opts)
                c['e'] = enc_out(lowered(out, low[0].dtype), [x.t for x in ins])
                c['later'] = msg
            except Exception as e2:
                c['err'] = msg
        else:
            c['err'] = msg
    for x, b in zip(ins, before):  # restore (in-place cases write their inputs, or change their geometry)
        x.t = b
    if rnd: c['rnd'] = rnd
    if nv:  # uninitialised memory: no values recorded (the JSON stays deterministic)
        c['nv'] = True
        if 'e' in c and 'v' in c['e']: c['e']['v'] = []
    if tol: c['tol'] = tol
    if note: c['note'] = note
    CASES.append(c)


# ===================================================================================== shape
S = 'shape'
for dt in ALL:
    x = In([2, 3, 4], dt)
    xt = In([2, 3, 4], dt, perm=[2, 0, 1])
    case(S, 'm.reshape', [x, 6, 4])
    case(S, 'm.reshape', [xt, [-1]])
    case(S, 'm.view', [x, [4, -1]])
    case(S, 'm.view', [xt, [-1]])
    case(S, 'torch.flatten', [x, 1])
    case(S, 'torch.flatten', [xt])
    case(S, 'm.unflatten', [x, 2, [2, 2]])
    case(S, 'torch.squeeze', [In([1, 3, 1], dt)])
    case(S, 'torch.unsqueeze', [xt, -1])
    case(S, 'torch.permute', [x, [2, 0, 1]])
    case(S, 'torch.transpose', [x, 0, 2])
    case(S, 'torch.movedim', [x, 0, -1])
    case(S, 'torch.swapaxes', [xt, 0, 1])
    case(S, 'm.expand', [In([3, 1], dt), 2, 3, 4])
    case(S, 'm.repeat', [In([2, 3], dt), 2, 1, 2])
    case(S, 'torch.tile', [In([2, 3], dt), [2]])
    case(S, 'torch.flip', [xt, [0, 2]])
    case(S, 'torch.roll', [x, 1])
    case(S, 'torch.roll', [x, [1, -2], [0, 2]])
    case(S, 'torch.rot90', [In([2, 3], dt)])
    case(S, 'torch.rot90', [In([2, 3, 2], dt), 3, [1, 2]])
    case(S, 'torch.tril', [In([3, 4], dt), -1])
    case(S, 'torch.triu', [In([2, 3, 4], dt), 1])
    case(S, 'torch.narrow', [xt, 2, 1, 2])
    case(S, 'torch.select', [x, 1, -1])
    case(S, 'torch.split', [x, 2, 2])
    case(S, 'torch.chunk', [x, 2, 1])
    case(S, 'torch.tensorSplit', [x, 3, 2])
    case(S, 'torch.unbind', [xt, 1])
    case(S, 'm.clone', [xt])
    case(S, 'm.contiguous', [xt])
    case(S, 'torch.diag', [In([3], dt)])
    case(S, 'torch.diag', [In([3, 4], dt), 1])
    case(S, 'torch.diagonal', [x, 0, 1, 2])
    case(S, 'torch.diagEmbed', [In([2, 3], dt)])
    case(S, 'torch.trace', [In([3, 4], dt)])
    case(S, 'torch.kron', [In([2, 2], dt), In([2, 3], dt)])
    case(S, 'torch.cartesianProd', [In([2], dt), In([3], dt)])
    case(S, 'torch.combinations', [In([4], dt)])
    case(S, 'torch.combinations', [In([3], dt), 2], {'withReplacement': True})
    case(S, 'torch.meshgrid', [In([2], dt), In([3], dt)], {'indexing': 'ij'})
    case(S, 'torch.meshgrid', [In([2], dt), In([3], dt)], {'indexing': 'xy'})
    case(S, 'torch.dstack', [[In([2, 3], dt), In([2, 3], dt)]])
    case(S, 'torch.hstack', [[In([2], dt), In([3], dt)]])
    case(S, 'torch.vstack', [[In([3], dt), In([2, 3], dt)]])

# cat/stack with mixed dtypes: cat promotes
for a in ALL:
    for b in ['float32', 'int64', 'bool', 'float16', 'uint8', 'int8', 'bfloat16', 'float64']:
        if a == b: continue
        case(S, 'torch.cat', [[In([2, 2], a), In([1, 2], b)]])
        if a in ('float32', 'int32', 'bool'):
            case(S, 'torch.stack', [[In([2], a), In([2], b)], 1])
            case(S, 'torch.hstack', [[In([2, 1], a), In([2, 2], b)]])
# edges
for dt in ['float32', 'int64', 'bool']:
    e = In([0, 3], dt)
    s = In([], dt)
    case(S, 'm.reshape', [e, -1, 0])
    case(S, 'm.reshape', [e, -1])
    case(S, 'm.reshape', [s, [1, 1]])
    case(S, 'm.reshape', [s, -1])
    case(S, 'm.view', [e, [3, -1]])
    case(S, 'torch.flatten', [s])
    case(S, 'torch.squeeze', [s])
    case(S, 'torch.unsqueeze', [s, 0])
    case(S, 'torch.cat', [[e, In([2, 3], dt)]])
    case(S, 'torch.cat', [[In([0], dt), In([2, 3], dt)], 1])  # legacy empty 1-D skip
    case(S, 'torch.stack', [[s, s]])
    case(S, 'torch.split', [e, 1, 1])
    case(S, 'torch.chunk', [In([5], dt), 3])
    case(S, 'torch.chunk', [In([6], dt), 4])
    case(S, 'torch.chunk', [e, 2])
    case(S, 'torch.tensorSplit', [In([7], dt), [1, 5]])
    case(S, 'torch.tensorSplit', [In([5], dt), 3])
    case(S, 'torch.tensorSplit', [In([3, 4], dt), [1, 1, 9], 1])
    case(S, 'torch.flip', [s, [0]])
    case(S, 'torch.flip', [e, [0, 1]])
    case(S, 'torch.roll', [e, 1, 0])
    case(S, 'torch.roll', [s, 1])
    case(S, 'torch.tril', [e])
    case(S, 'torch.diag', [In([0], dt)])
    case(S, 'torch.diag', [In([2, 3], dt), -5])
    case(S, 'torch.trace', [e])
    case(S, 'torch.movedim', [In([2, 3, 4], dt), [0, 1], [2, 0]])
    case(S, 'm.expand', [s, [2, 2]])
    case(S, 'm.expand', [In([2, 1], dt), [-1, 3]])
    case(S, 'm.repeat', [s, [2, 3]])
    case(S, 'm.repeat', [In([2], dt), [0, 2]])
    case(S, 'torch.tile', [In([2, 3], dt), [2, 1, 1]])
    case(S, 'torch.narrow', [In([5], dt), 0, -3, 2])
    case(S, 'm.unflatten', [In([6, 2], dt), 0, [-1, 3]])
    case(S, 'torch.diagEmbed', [In([2, 3], dt), 1, 0, 2])
    case(S, 'torch.diagEmbed', [In([3], dt), -1])
    case(S, 'torch.diagonal', [In([3, 4], dt), 5])
    case(S, 'torch.diagonal', [In([3, 4], dt), -1])
    case(S, 'torch.rot90', [In([2, 3], dt), -1])
    case(S, 'torch.rot90', [In([2, 3], dt), 2])
    case(S, 'torch.combinations', [In([0], dt)])
    case(S, 'torch.combinations', [In([2], dt), 3])
    case(S, 'torch.kron', [In([2], dt), In([2, 2], dt)])
    case(S, 'torch.kron', [In([], dt), In([2], dt)])
    case(S, 'torch.meshgrid', [In([2], dt), In([], dt), In([3], dt)], {'indexing': 'ij'})
    case(S, 'torch.dstack', [[In([3], dt), In([3], dt)]])
    case(S, 'torch.dstack', [[In([2, 3, 1], dt), In([2, 3, 2], dt)]])
    case(S, 'torch.vstack', [[In([], dt), In([1], dt)]])
    case(S, 'torch.hstack', [[In([], dt), In([], dt)]])
    # errors
    case(S, 'm.view', [In([2, 3, 4], dt, perm=[2, 0, 1]), [6, 4]])
    case(S, 'm.reshape', [In([2, 3], dt), [4, -1]])
    case(S, 'm.reshape', [In([2, 3], dt), [-1, -1]])
    case(S, 'm.reshape', [e, [-1]])
    case(S, 'm.view', [e, [-1, 0]])
    case(S, 'torch.squeeze', [In([2, 1], dt), 2])
    case(S, 'torch.unsqueeze', [In([2, 1], dt), 3])
    case(S, 'torch.unsqueeze', [In([2, 1], dt), -3])
    case(S, 'torch.unsqueeze', [In([2, 1], dt), -4])
    case(S, 'torch.permute', [In([2, 3], dt), [0, 0]])
    case(S, 'torch.permute', [In([2, 3], dt), [0]])
    case(S, 'torch.transpose', [In([2, 3], dt), 0, 2])
    case(S, 'torch.movedim', [In([2, 3], dt), [0, 1], [1, 1]])
    case(S, 'm.expand', [In([2, 3], dt), [3, 3]])
    case(S, 'm.expand', [In([2, 3], dt), [3]])
    case(S, 'm.expand', [In([2, 3], dt), [-1, -1, 3]])
    case(S, 'm.repeat', [In([2, 3], dt), [2]])
    case(S, 'm.repeat', [In([2], dt), [-1]])
    case(S, 'torch.cat', [[In([2, 3], dt), In([2, 4], dt)]])
    case(S, 'torch.cat', [[In([2, 3], dt), In([2, 3, 1], dt)]])
    case(S, 'torch.cat', [[In([2, 3], dt), In([2, 3], dt)], 2])
    case(S, 'torch.cat', [[]])
    case(S, 'torch.cat', [[s, s]])
    case(S, 'torch.stack', [[In([2], dt), In([3], dt)]])
    case(S, 'torch.stack', [[In([2], dt), In([2], dt)], 2])
    case(S, 'torch.stack', [[]])
    case(S, 'torch.split', [In([4], dt), 0])
    case(S, 'torch.split', [In([4], dt), [1, 2]])
    case(S, 'torch.split', [In([4], dt), [1, 3], 1])
    case(S, 'torch.chunk', [In([4], dt), 0])
    case(S, 'torch.tensorSplit', [In([4], dt), 0])
    case(S, 'torch.tensorSplit', [s, 1])
    case(S, 'torch.flip', [In([2, 3], dt), [0, 0]])
    case(S, 'torch.flip', [In([2, 3], dt), [2]])
    case(S, 'torch.roll', [In([2, 3], dt), [1, 2], [0]])
    case(S, 'torch.roll', [In([2, 3], dt), 1, 2])
    case(S, 'torch.rot90', [In([2, 3], dt), 1, [0, 0]])
    case(S, 'torch.rot90', [In([2], dt)])
    case(S, 'torch.rot90', [In([2, 3], dt), 1, [0]])
    case(S, 'torch.tril', [In([3], dt)])
    case(S, 'torch.narrow', [In([5], dt), 0, 3, 3])
    case(S, 'torch.narrow', [In([5], dt), 0, 6, 0])
    case(S, 'torch.narrow', [In([5], dt), 0, 1, -1])
    case(S, 'torch.narrow', [s, 0, 0, 1])
    case(S, 'torch.select', [In([2, 3], dt), 1, 3])
    case(S, 'torch.select', [In([2, 3], dt), 1, -4])
    case(S, 'torch.select', [s, 0, 0])
    case(S, 'torch.diag', [In([2, 2, 2], dt)])
    case(S, 'torch.diagonal', [In([2, 3], dt), 0, 0, 0])
    case(S, 'torch.diagEmbed', [In([2, 3], dt), 0, 0, 0])
    case(S, 'torch.trace', [In([2, 2, 2], dt)])
    case(S, 'torch.trace', [In([3], dt)])
    case(S, 'torch.combinations', [In([2, 2], dt)])
    case(S, 'torch.cartesianProd', [In([2, 2], dt)])
    case(S, 'torch.meshgrid', [In([2, 2], dt), In([2], dt)], {'indexing': 'ij'})
    case(S, 'torch.meshgrid', [In([2], dt), In([2], 'float64' if dt != 'float64' else 'float32')], {'indexing': 'ij'})
    case(S, 'torch.meshgrid', [In([2], dt)], {'indexing': 'yx'})
    case(S, 'm.unflatten', [In([6], dt), 0, [4, -1]])
    case(S, 'm.unflatten', [In([6], dt), 0, [-1, -1]])
    case(S, 'torch.flatten', [In([2, 3, 4], dt), 2, 1])
    case(S, 'torch.dstack', [[In([2, 3], dt), In([3, 3], dt)]])
    case(S, 'torch.kron', [In([2], dt), In([2], 'float64' if dt != 'float64' else 'int64')])
# squeeze with dims (1.13 takes one dim only; a list of dims is PyTorch 2.0's): recorded as 1.13 answers
for d in [0, -1, 1]:
    case(S, 'torch.squeeze', [In([1, 2, 1], 'float32'), d])
case(S, 'torch.squeeze', [In([1, 2, 1], 'float32'), [0, 2]], note='a dims list is PyTorch >= 2.0')
case(S, 'torch.squeeze', [In([], 'float32'), 0])
case(S, 'torch.squeeze', [In([], 'float32'), -1])
case(S, 'torch.unsqueeze', [In([], 'float32'), -1])
# transposed / expanded inputs through reshape, contiguous, clone (layout and strides)
for dt in ['float32', 'int64', 'bool', 'float16']:
    ex = In([3, 1], dt)
    case(S, 'm.reshape', [In([2, 3], dt, perm=[1, 0]), [3, 2]])
    case(S, 'torch.flatten', [In([2, 3, 1], dt, perm=[1, 0, 2]), 0, 1])
    case(S, 'm.clone', [In([2, 3, 4], dt, perm=[1, 2, 0])])
    case(S, 'torch.flatten', [In([4, 1, 3], dt, perm=[2, 1, 0]), 1, 2])
    case(S, 'm.view', [In([4, 3, 2], dt, perm=[0, 2, 1]), [4, 6]])
    case(S, 'm.view', [In([4, 3, 2], dt, perm=[1, 2, 0]), [12, 2]])
    case(S, 'm.view', [In([1, 4, 3], dt, perm=[0, 2, 1]), [4, 3]])
    case(S, 'm.flip', [In([2, 3], dt, perm=[1, 0]), [1]])
    case(S, 'm.roll', [In([2, 3], dt, perm=[1, 0]), [1], [1]])
    case(S, 'm.repeat', [In([2, 3], dt, perm=[1, 0]), [1, 2]])
    case(S, 'torch.cat', [[In([2, 3], dt, perm=[1, 0]), In([2, 3], dt, perm=[1, 0])], 0])
    case(S, 'torch.stack', [[In([2, 3], dt, perm=[1, 0]), In([2, 3], dt)], 0])
    case(S, 'm.tril', [In([3, 3], dt, perm=[1, 0])])
    case(S, 'm.triu', [In([3, 3], dt, perm=[1, 0]), 1])

# more shape ops: column/row stacks, h/v/dsplit, ravel, Tensor.unfold (a view), repeat_interleave, take_along_dim,
# block_diag, diagflat, tril/triu_indices, select/slice/diagonal_scatter, cdist, in-place transposes, fill_diagonal_
for dt in ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'uint8', 'bool']:
    x = In([2, 3, 4], dt)
    xt = In([3, 4], dt, perm=[1, 0])
    case(S, 'torch.columnStack', [[In([3], dt), In([3, 2], dt), In([], dt, vals=1) if False else In([3], dt)]])
    case(S, 'torch.rowStack', [[In([3], dt), In([2, 3], dt)]])
    case(S, 'torch.hsplit', [x, 3])
    case(S, 'torch.hsplit', [In([6], dt), [1, 4]])
    case(S, 'torch.vsplit', [x, [1]])
    case(S, 'torch.dsplit', [x, 2])
    case(S, 'torch.ravel', [xt])
    case(S, 'torch.ravel', [x])
    case(S, 'm.unfold', [x, 2, 2, 1])
    case(S, 'm.unfold', [xt, 0, 2, 2])
    case(S, 'm.unfold', [In([], dt), 0, 1, 1])
    case(S, 'torch.repeatInterleave', [In([3], dt), 2])
    case(S, 'torch.repeatInterleave', [In([2, 3], dt), In([2], 'int64', vals=[1, 2]), 0])
    case(S, 'torch.repeatInterleave', [In([2, 3], dt), 2], {'dim': 1})
    case(S, 'torch.takeAlongDim', [In([3, 4], dt), In([3, 2], 'int64', lo=0, hi=4), 1])
    case(S, 'torch.takeAlongDim', [In([3, 4], dt), In([1, 2], 'int64', lo=0, hi=3)], {'dim': 0})
    case(S, 'torch.takeAlongDim', [In([3, 4], dt), In([5], 'int64', lo=0, hi=12)])
    case(S, 'torch.blockDiag', [In([2, 2], dt), In([3], dt), In([], dt)])
    case(S, 'torch.diagflat', [In([2, 2], dt)])
    case(S, 'torch.diagflat', [In([3], dt), -1])
    case(S, 'torch.selectScatter', [In([2, 3], dt), In([3], dt), 0, 1])
    case(S, 'torch.sliceScatter', [In([4, 3], dt), In([2, 3], dt)], {'start': 1, 'end': 4, 'step': 2})
    case(S, 'torch.sliceScatter', [In([4, 3], dt), In([4, 1], dt), 1, 2])
    case(S, 'torch.diagonalScatter', [In([3, 4], dt), In([3], dt), 1])
    case(S, 'torch.diagonalScatter', [In([3, 4], dt), In([2], dt), -1])
    case(S, 'm.newZeros', [x, [2, 1]])
    case(S, 'm.newOnes', [x, 3], {'dtype': DT('float64')})
    case(S, 'm.newFull', [x, [2], 3])
    case(S, 'm.newEmpty', [x, [0, 2]])
    case(S, 'm.newTensor', [x, [1, 2]])
    case(S, 'm.newTensor', [x, 2.5])
    # errors
    case(S, 'torch.hsplit', [x, 2])
    case(S, 'torch.vsplit', [In([4], dt), 2])
    case(S, 'torch.dsplit', [In([2, 4], dt), 2])
    case(S, 'm.unfold', [x, 2, 5, 1])
    case(S, 'm.unfold', [x, 2, 2, 0])
    case(S, 'torch.repeatInterleave', [In([2, 3], dt), In([3], 'int64', vals=[1, 2, 1]), 0])
    case(S, 'torch.repeatInterleave', [In([3], dt), -1])
    case(S, 'torch.takeAlongDim', [In([3, 4], dt), In([3, 2], 'int32', lo=0, hi=4), 1])
    case(S, 'torch.takeAlongDim', [In([3, 4], dt), In([2], 'int64', lo=0, hi=3), 0])
    case(S, 'torch.blockDiag', [In([2, 2, 2], dt)])
    case(S, 'torch.selectScatter', [In([2, 3], dt), In([2], dt), 0, 1])
    case(S, 'torch.diagonalScatter', [In([3, 4], dt), In([4], dt)])
for dt in ['int64', 'int32', 'bool', 'uint8']:
    case(S, 'torch.repeatInterleave', [In([3], dt, lo=0, hi=3)])
case(S, 'torch.repeatInterleave', [In([3], 'float32'), In([1], 'int64', vals=[2])])
case(S, 'torch.repeatInterleave', [In([0], 'int64')])
for args, opts in [((3, 3), None), ((3, 4, 1), None), ((4, 3, -1), None), ((0, 3), None), ((3, 3), {'dtype': DT('int32')}), ((2, 5, 10), None),
                   ((3, 3, -10), None), ((-1, 3), None), ((3, 3), {'dtype': DT('float32')})]:
    case(S, 'torch.trilIndices', list(args), opts, name=f'tril_indices{args}{json.dumps(to_js(opts, [])) if opts else ""}')
    case(S, 'torch.triuIndices', list(args), opts, name=f'triu_indices{args}{json.dumps(to_js(opts, [])) if opts else ""}')
for dt in FLOATS:
    tol = {'rtol': 1e-2, 'atol': 1e-2} if dt in ('float16', 'bfloat16') else {'rtol': 1e-5, 'atol': 1e-5}
    case(S, 'torch.cdist', [In([3, 2], dt), In([4, 2], dt)], tol=tol)
    case(S, 'torch.cdist', [In([2, 3, 2], dt), In([2, 2, 2], dt)], {'p': 1}, tol=tol)
    case(S, 'torch.cdist', [In([3, 2], dt), In([1, 2], dt)], {'p': float('inf')}, tol=tol)
    case(S, 'torch.cdist', [In([0, 2], dt), In([2, 2], dt)], tol=tol)
case(S, 'torch.cdist', [In([3], 'float32'), In([4, 3], 'float32')])
case(S, 'torch.cdist', [In([3, 2], 'float32'), In([4, 3], 'float32')])
case(S, 'torch.cdist', [In([3, 2], 'int64'), In([4, 2], 'int64')])
# in-place geometry and fill_diagonal_: the written input is compared too
for dt in ['float32', 'int64', 'bool']:
    case(S, 'm.t_', [In([2, 3], dt)])
    case(S, 'm.transpose_', [In([2, 3, 4], dt), 0, 2])
    case(S, 'm.squeeze_', [In([1, 3, 1], dt)])
    case(S, 'm.unsqueeze_', [In([3], dt), 0])
    case(S, 'm.fillDiagonal_', [In([3, 4], dt), 1])
    case(S, 'm.fillDiagonal_', [In([7, 3], dt), 0], {'wrap': True})
    case(S, 'm.fillDiagonal_', [In([7, 3], dt), 0])
    case(S, 'm.fillDiagonal_', [In([2, 2, 2], dt), 1])
    case(S, 'm.fillDiagonal_', [In([2, 3, 2], dt), 1])
    case(S, 'm.fillDiagonal_', [In([3], dt), 1])
    case(S, 'm.t_', [In([2, 3, 4], dt)])

# ===================================================================================== indexing
X = 'index'
for dt in ALL:
    x = In([3, 4, 2], dt)
    xt = In([3, 4, 2], dt, perm=[2, 1, 0])
    case(X, 'm.index', [x, 1])
    case(X, 'm.index', [x, -1, Sl('1:3')])
    case(X, 'm.index', [xt, Sl('::2'), None, 0])
    case(X, 'm.index', [x, '...', 1])
    case(X, 'm.index', [x, None, '...', None])
    case(X, 'm.index', [x, In([2], vals=[2, -1], dtype='int64')])
    case(X, 'm.index', [x, Sl(':'), In([2, 2], vals=[0, 3, -1, 1], dtype='int64')])
    case(X, 'm.index', [x, In([3], 'bool', vals=[True, False, True])])
    case(X, 'm.index', [x, In([3, 4], 'bool')])
    case(X, 'm.index', [x, In([2], vals=[0, 2], dtype='int64'), Sl(':'), In([2], vals=[1, 0], dtype='int64')])
    case(X, 'm.index', [x, In([2], vals=[0, 2], dtype='int64'), In([1], vals=[3], dtype='int64')])
    case(X, 'm.index', [xt, 0, In([2], vals=[1, 3], dtype='int64')])
    case(X, 'torch.indexSelect', [x, 1, In([3], vals=[3, 0, 0], dtype='int64')])
    case(X, 'torch.indexSelect', [xt, 0, In([2], vals=[2, 1], dtype='int32')])
    case(X, 'torch.gather', [x, 1, In([3, 2, 2], 'int64', lo=0, hi=4)])
    case(X, 'torch.scatter', [x, 1, In([3, 2, 2], 'int64', lo=0, hi=4), In([3, 2, 2], dt)])
    case(X, 'torch.scatter', [x, 0, In([1, 2, 2], 'int64', lo=0, hi=3), 1])
    case(X, 'torch.scatterAdd', [x, 1, In([3, 3, 2], 'int64', lo=0, hi=4), In([3, 3, 2], dt)])
    case(X, 'torch.scatter', [x, 1, In([3, 3, 2], 'int64', lo=0, hi=4), In([3, 3, 2], dt)], {'reduce': 'add'})
    case(X, 'torch.scatter', [x, 1, In([3, 3, 2], 'int64', lo=0, hi=4), In([3, 3, 2], dt)], {'reduce': 'multiply'})
    case(X, 'torch.indexAdd', [x, 1, In([3], vals=[0, 2, 0], dtype='int64'), In([3, 3, 2], dt)])
    case(X, 'torch.indexAdd', [x, 0, In([2], vals=[1, 1], dtype='int64'), In([2, 4, 2], dt)], {'alpha': 2})
    case(X, 'torch.indexCopy', [x, 2, In([2], vals=[1, 0], dtype='int64'), In([3, 4, 2], dt)])
    case(X, 'torch.indexFill', [x, 1, In([2], vals=[1, 3], dtype='int64'), 1])
    case(X, 'torch.maskedFill', [x, In([4, 1], 'bool'), 2])
    case(X, 'torch.maskedFill', [x, In([3, 4, 2], 'bool'), In([], dt)])
    case(X, 'torch.maskedSelect', [xt, In([4, 2], 'bool')])
    case(X, 'm.maskedScatter', [x, In([3, 4, 2], 'bool'), In([24], dt)])
    case(X, 'torch.take', [xt, In([3], vals=[0, -1, 5], dtype='int64')])
    case(X, 'm.put', [x, In([2], vals=[1, -2], dtype='int64'), In([2], dt)])
    case(X, 'm.put', [x, In([3], vals=[1, 1, 0], dtype='int64'), In([3], dt)], {'accumulate': True})
    case(X, 'torch.where', [In([3, 1, 2], 'bool'), x, In([4, 2], dt)])
    case(X, 'torch.nonzero', [xt])
    case(X, 'torch.nonzero', [x], {'asTuple': True})
    case(X, 'torch.argwhere', [x])
    case(X, 'torch.take', [In([], dt), In([2], vals=[0, 0], dtype='int64')])
# where with mixed dtypes and scalars (promotion)
for a in ALL:
    for b in ['float32', 'int64', 'bool', 'float16', 'int8', 'float64']:
        case(X, 'torch.where', [In([3], 'bool', vals=[True, False, True]), In([3], a), In([3], b)])
    case(X, 'torch.where', [In([3], 'bool', vals=[True, False, True]), In([3], a), 2.5])
    case(X, 'torch.where', [In([3], 'bool', vals=[True, False, True]), In([3], a), 2])
    case(X, 'torch.where', [In([3], 'bool', vals=[True, False, True]), In([3], a), True])
    case(X, 'torch.where', [In([3], a)])
# sort / argsort / topk with ties and NaN
for dt in ALL:
    x = In([2, 6], dt, vals=None)
    case(X, 'torch.sort', [In([7], dt, lo=0, hi=3)], {'stable': True})
    case(X, 'torch.sort', [In([2, 6], dt, lo=0, hi=3)], {'dim': 0, 'descending': True, 'stable': True})
    case(X, 'torch.argsort', [In([7], dt, lo=0, hi=3)], {'stable': True})
    case(X, 'torch.argsort', [In([7], dt, lo=0, hi=3)], {'descending': True, 'stable': True})
    if dt != 'bool':
        case(X, 'torch.topk', [In([8], dt, vals=[3, 1, 4, 1, 5, 9, 2, 6]), 3])
        case(X, 'torch.topk', [In([2, 5], dt, vals=[3, 1, 4, 1, 5, 9, 2, 6, 5, 3]), 2, 1], {'largest': False})
    case(X, 'torch.unique', [In([8], dt, lo=0, hi=4)])
    case(X, 'torch.unique', [In([8], dt, lo=0, hi=4)], {'returnInverse': True, 'returnCounts': True})
    case(X, 'torch.unique', [In([3, 2], dt, lo=0, hi=2)], {'dim': 0})
    case(X, 'torch.uniqueConsecutive', [In([8], dt, lo=0, hi=2)])
    case(X, 'torch.uniqueConsecutive', [In([8], dt, lo=0, hi=2)], {'returnInverse': True, 'returnCounts': True})
    case(X, 'torch.uniqueConsecutive', [In([4, 2], dt, lo=0, hi=2)], {'dim': 0})
    case(X, 'torch.searchsorted', [In([5], dt, vals=[0, 1, 1, 3, 5]), In([4], dt, vals=[1, 0, 5, 2])])
    case(X, 'torch.searchsorted', [In([5], dt, vals=[0, 1, 1, 3, 5]), In([2, 2], dt, vals=[1, 0, 5, 2])], {'right': True})
    case(X, 'torch.searchsorted', [In([2, 3], dt, vals=[0, 1, 3, 1, 1, 2]), In([2, 2], dt, vals=[1, 0, 1, 2])], {'outInt32': True})
    case(X, 'torch.searchsorted', [In([4], dt, vals=[3, 0, 1, 2]), In([2], dt, vals=[1, 2])], {'sorter': In([4], 'int64', vals=[1, 2, 3, 0])})
    case(X, 'torch.searchsorted', [In([4], dt, vals=[0, 1, 1, 3]), In([3], dt, vals=[1, 0, 1])], {'side': 'right'})
    case(X, 'torch.bucketize', [In([2, 2], dt, vals=[1, 0, 5, 2]), In([4], dt, vals=[0, 1, 3, 5])])
    case(X, 'torch.bucketize', [In([3], dt, vals=[1, 0, 3]), In([4], dt, vals=[0, 1, 3, 5])], {'right': True, 'outInt32': True})
    case(X, 'torch.histc', [In([10], dt)], {'bins': 4})
    case(X, 'torch.histc', [In([10], dt)], {'bins': 3, 'min': 0, 'max': 3})
    case(X, 'torch.bincount', [In([6], dt, lo=0, hi=4)])
    case(X, 'torch.bincount', [In([6], dt, lo=0, hi=4)], {'minlength': 6})
    case(X, 'torch.bincount', [In([6], 'int64', lo=0, hi=4)], {'weights': In([6], dt)})
    case(X, 'torch.searchsorted', [In([4], dt, vals=[0, 1, 1, 3]), 1])
    case(X, 'torch.searchsorted', [In([2, 3], dt, vals=[3, 0, 1, 2, 1, 0]), In([2, 2], dt, vals=[1, 2, 0, 2])],
         {'sorter': In([2, 3], 'int64', vals=[1, 2, 0, 2, 1, 0]), 'right': True})
# scatter_reduce
for dt in ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'uint8']:
    for red in ['sum', 'prod', 'mean', 'amax', 'amin']:
        for inc in [True, False]:
            case(X, 'torch.scatterReduce', [In([3, 4], dt), 1, In([3, 3], 'int64', lo=0, hi=4), In([3, 3], dt), red], {'includeSelf': inc})
    case(X, 'torch.scatterReduce', [In([5], dt), 0, In([4], 'int64', vals=[0, 0, 4, 4]), In([4], dt), 'mean'])
case(X, 'torch.scatterReduce', [In([3], 'float32'), 0, In([2], 'int64', vals=[0, 3]), In([2], 'float32'), 'sum'])
case(X, 'torch.scatterReduce', [In([3], 'float32'), 0, In([2], 'int64', vals=[0, 1]), In([2], 'float32'), 'max'])
case(X, 'torch.scatterReduce', [In([3], 'float32'), 0, In([2], 'int64', vals=[0, 1]), In([2], 'float64'), 'sum'])
case(X, 'torch.scatterReduce', [In([3], 'float32'), 0, In([2], 'int32', vals=[0, 1]), In([2], 'float32'), 'sum'])
for dt in FLOATS:
    nan = float('nan')
    v = [3, nan, 1, 1, nan, -2, 5]
    case(X, 'torch.sort', [In([7], dt, vals=v)], {'stable': True})
    case(X, 'torch.sort', [In([7], dt, vals=v)], {'descending': True, 'stable': True})
    case(X, 'torch.argsort', [In([7], dt, vals=v)], {'stable': True})
    case(X, 'torch.topk', [In([7], dt, vals=v), 3])
    case(X, 'torch.topk', [In([7], dt, vals=v), 3], {'largest': False})
    case(X, 'torch.unique', [In([7], dt, vals=[1, 0, 1, 2, 0, 2, -1])], {'sorted': True, 'returnCounts': True})
    case(X, 'torch.searchsorted', [In([5], dt, vals=[0, 1, 2, nan, nan]), In([3], dt, vals=[nan, 1.5, -1])])
    case(X, 'torch.histc', [In([5], dt, vals=[0, 1, 2, 3, 9])], {'bins': 3, 'min': 0, 'max': 3})
    case(X, 'torch.histc', [In([4], dt, vals=[1, 1, 1, 1])], {'bins': 4})
    case(X, 'torch.histc', [In([4], dt, vals=[1, nan, 2, 0.5])], {'bins': 2, 'min': 0, 'max': 3})
    case(X, 'torch.histc', [In([4], dt, vals=[1, nan, 2, 0.5])], {'bins': 2})
    case(X, 'torch.histc', [In([0], dt)], {'bins': 2})
# index edges and errors
for dt in ['float32', 'int64', 'bool']:
    x = In([3, 4], dt)
    case(X, 'm.index', [x, 3])
    case(X, 'm.index', [x, -4])
    case(X, 'm.index', [x, Sl('5:')])
    case(X, 'm.index', [x, Sl('-10:2')])
    case(X, 'm.index', [x, Sl('2:1')])
    case(X, 'm.index', [x, 0, 0, 0])
    case(X, 'm.index', [x, '...', '...'])
    case(X, 'm.index', [x, In([2], vals=[0, 3], dtype='int64')])
    case(X, 'm.index', [x, In([2], vals=[0, -4], dtype='int64')])
    case(X, 'm.index', [x, In([0], 'int64')])
    case(X, 'm.index', [x, In([2], 'bool')])
    case(X, 'm.index', [x, In([3], vals=[0, 1, 0], dtype='uint8')], note='uint8 masks are deprecated in PyTorch')
    case(X, 'm.index', [x, In([2], vals=[0, 1], dtype='int32')])
    case(X, 'm.index', [x, In([2], vals=[0.0, 1.0], dtype='float32')])
    case(X, 'm.index', [In([], dt), None])
    case(X, 'm.index', [In([], dt), '...'])
    case(X, 'm.index', [In([], dt), In([], 'bool', vals=True)])
    case(X, 'm.index', [In([], dt), In([], 'bool', vals=False)])
    case(X, 'torch.indexSelect', [x, 0, In([1], vals=[3], dtype='int64')])
    case(X, 'torch.indexSelect', [x, 0, In([1], vals=[-1], dtype='int64')])
    case(X, 'torch.indexSelect', [x, 0, In([1], vals=[1.0], dtype='float32')])
    case(X, 'torch.indexSelect', [x, 0, In([2, 1], vals=[1, 0], dtype='int64')])
    case(X, 'torch.indexSelect', [In([], dt), 0, In([1], vals=[0], dtype='int64')])
    case(X, 'torch.indexSelect', [x, 1, In([0], 'int64')])
    case(X, 'torch.gather', [x, 1, In([3, 2], vals=[0, 4, 1, 1, 2, 2], dtype='int64')])
    case(X, 'torch.gather', [x, 1, In([3, 2], vals=[0, 1, 1, 1, 2, 2], dtype='int32')])
    case(X, 'torch.gather', [x, 1, In([4, 2], 'int64', lo=0, hi=3)])
    case(X, 'torch.gather', [x, 1, In([3], 'int64', lo=0, hi=3)])
    case(X, 'torch.gather', [x, 0, In([0, 4], 'int64')])
    case(X, 'torch.gather', [In([], dt), 0, In([], 'int64', vals=0)])
    case(X, 'torch.scatter', [x, 1, In([3, 2], vals=[0, 4, 1, 1, 2, 2], dtype='int64'), 0])
    case(X, 'torch.scatter', [x, 1, In([3, 2], 'int64', lo=0, hi=4), In([2, 2], dt)])
    case(X, 'torch.scatter', [x, 1, In([3, 2], 'int64', lo=0, hi=4), In([3, 2], 'float64' if dt != 'float64' else 'float32')])
    case(X, 'torch.scatterAdd', [x, 1, In([3, 2], vals=[0, -1, 1, 1, 2, 2], dtype='int64'), In([3, 2], dt)])
    case(X, 'torch.indexAdd', [x, 0, In([1], vals=[5], dtype='int64'), In([1, 4], dt)])
    case(X, 'torch.indexAdd', [x, 0, In([2], vals=[0, 1], dtype='int64'), In([1, 4], dt)])
    case(X, 'torch.indexAdd', [x, 0, In([1], vals=[0], dtype='int64'), In([1, 4], 'float64' if dt != 'float64' else 'int64')])
    case(X, 'torch.indexCopy', [x, 0, In([1], vals=[-1], dtype='int64'), In([1, 4], dt)])
    case(X, 'torch.indexFill', [x, 0, In([1], vals=[3], dtype='int64'), 0])
    case(X, 'torch.indexFill', [x, 1, In([1], vals=[-1], dtype='int64'), 0])
    case(X, 'torch.indexFill', [x, 1, In([1], vals=[1], dtype='int64'), In([1], dt)])
    case(X, 'torch.maskedFill', [x, In([3, 4], 'uint8', lo=0, hi=2), 1])
    case(X, 'torch.maskedFill', [x, In([2, 4], 'bool'), 1])
    case(X, 'torch.maskedFill', [x, In([3, 4], 'bool'), In([1], dt)])
    case(X, 'torch.maskedFill', [x, In([3, 4], 'bool'), 2.5])
    case(X, 'torch.maskedSelect', [x, In([3, 1], vals=[1, 0, 1], dtype='uint8')])
    case(X, 'torch.maskedSelect', [x, In([5], 'bool')])
    case(X, 'm.maskedScatter', [x, In([3, 4], 'bool'), In([2], dt)])
    case(X, 'm.maskedScatter', [x, In([4], 'bool'), In([12], dt)])
    case(X, 'torch.take', [x, In([1], vals=[12], dtype='int64')])
    case(X, 'torch.take', [x, In([1], vals=[-13], dtype='int64')])
    case(X, 'torch.take', [x, In([1], vals=[1], dtype='int32')])
    case(X, 'm.put', [x, In([1], vals=[12], dtype='int64'), In([1], dt)])
    case(X, 'm.put', [x, In([2], vals=[1, 2], dtype='int64'), In([1], dt)])
    case(X, 'torch.nonzero', [In([], dt)])
    case(X, 'torch.nonzero', [In([0, 2], dt)])
    case(X, 'torch.where', [In([2], 'uint8', lo=0, hi=2), x, x])
    case(X, 'torch.where', [In([3, 1], 'bool'), x, In([2], dt)])
    case(X, 'torch.searchsorted', [In([2, 3], dt), In([3, 2], dt)])
    case(X, 'torch.searchsorted', [In([3], dt), In([2], dt)], {'side': 'left', 'right': True})
    case(X, 'torch.bincount', [In([3], vals=[0, -1, 2], dtype='int64')])
    case(X, 'torch.bincount', [In([2, 2], 'int64', lo=0, hi=2)])
    case(X, 'torch.bincount', [In([0], 'int64')])
    case(X, 'torch.bincount', [In([0], 'int64')], {'minlength': 3})
    case(X, 'torch.histc', [In([4], dt)], {'bins': 0})
    case(X, 'torch.histc', [In([4], dt)], {'bins': 2, 'min': 3, 'max': 1})
    case(X, 'torch.sort', [In([], dt)])
    case(X, 'torch.sort', [In([0, 3], dt), 1])
    case(X, 'torch.topk', [x, 5])
    case(X, 'torch.topk', [x, 0])
    case(X, 'torch.unique', [In([0], dt)], {'returnCounts': True})
    case(X, 'torch.unique', [In([], dt)])
    case(X, 'torch.uniqueConsecutive', [In([0], dt)])
    case(X, 'torch.uniqueConsecutive', [In([3, 2], dt, lo=0, hi=2)], {'dim': 1, 'returnCounts': True})

# more indexing forms: non-adjacent advanced indices (their dims go first), broadcast index tensors, negative steps
# (refused), index tensors on non-contiguous inputs, expanded inputs, indexPut_ (t[...] = v) and its broadcasting
for dt in ['float32', 'int64', 'bool', 'float16']:
    x = In([2, 3, 4], dt)
    xe = In([3, 1], dt)
    case(X, 'm.index', [x, In([2], 'int64', vals=[1, 0]), Sl(':'), In([2], 'int64', vals=[3, 2])])
    case(X, 'm.index', [x, Sl(':'), In([2, 1], 'int64', vals=[0, 2]), In([3], 'int64', vals=[1, 2, 3])])
    case(X, 'm.index', [x, In([], 'int64', vals=1), Sl('1:'), In([2], 'int64', vals=[0, 1])])
    case(X, 'm.index', [x, None, In([2], 'int64', vals=[1, 0]), None])
    case(X, 'm.index', [x, '...', In([2], 'int64', vals=[1, 0])])
    case(X, 'm.index', [x, Sl('::-1')])
    case(X, 'm.index', [x, True])
    case(X, 'm.index', [x, False])
    case(X, 'm.index', [x, In([2, 3], 'bool'), In([1], 'int64', vals=[2])])
    case(X, 'm.index', [In([2, 3, 4], dt, perm=[2, 1, 0]), In([2], 'int64', vals=[1, 0]), In([2], 'int64', vals=[2, 2])])
    case(X, 'm.index', [In([3, 4], dt, perm=[1, 0]), Sl('::2'), Sl('1:3')])
    case(X, 'm.index', [In([3, 4], dt, perm=[1, 0]), In([3, 4], 'bool')])
    case(X, 'm.indexPut_', [In([3, 4], dt), [In([2], 'int64', vals=[0, 2])], In([4], dt)])
    case(X, 'm.indexPut_', [In([3, 4], dt), [In([3, 4], 'bool')], In([], dt)])
    case(X, 'm.indexPut_', [In([3, 4], dt), [In([2], 'int64', vals=[0, 0]), In([2], 'int64', vals=[1, 1])], In([2], dt)], {'accumulate': True} if dt != 'bool' else None)
    case(X, 'm.indexPut_', [In([3, 4], dt), [Sl('1:'), In([2], 'int64', vals=[3, 0])], In([2, 1], dt)])
    case(X, 'm.indexPut_', [In([3, 4], dt), [1], 5])
    case(X, 'm.indexPut_', [In([3, 4], dt), [In([2], 'int64', vals=[0, 4])], In([4], dt)])
    case(X, 'm.indexPut_', [In([3, 4], dt), [In([2], 'int64', vals=[0, 1])], In([3], dt)])
    case(X, 'torch.indexSelect', [In([3, 4], dt, perm=[1, 0]), 1, In([2], 'int64', vals=[2, 0])])
    case(X, 'torch.gather', [In([3, 4], dt, perm=[1, 0]), 0, In([2, 4], 'int64', lo=0, hi=3)])
    case(X, 'torch.gather', [In([3, 4], dt), 1, In([2, 3], 'int64', lo=0, hi=4, perm=[1, 0])])
    case(X, 'torch.scatter', [In([3, 4], dt, perm=[1, 0]), 1, In([3, 2], 'int64', vals=[0, 1, 2, 3, 1, 0]), 1])
    case(X, 'torch.maskedFill', [In([3, 4], dt, perm=[1, 0]), In([4], 'bool'), 0])
    case(X, 'torch.maskedSelect', [In([3, 1], dt), In([3, 4], 'bool')])
    case(X, 'torch.take', [In([3, 4], dt, perm=[1, 0]), In([2, 2], 'int64', vals=[0, 5, 11, -1])])
    case(X, 'torch.where', [In([3, 4], 'bool', perm=[1, 0]), In([3, 4], dt, perm=[1, 0]), In([3, 4], dt, perm=[1, 0])])
    case(X, 'torch.where', [In([2], 'bool', vals=[True, False]), 1, 0.5])
    case(X, 'torch.where', [In([2], 'bool', vals=[True, False]), 1, 0])
    case(X, 'torch.where', [In([2], 'bool', vals=[True, False]), True, False])
    case(X, 'm.reshape', [In([3, 1], dt), [3]])
for dt in ['float32', 'int64', 'bool', 'bfloat16']:
    case(S, 'torch.tril', [In([3, 4], dt), 10])
    case(S, 'torch.triu', [In([3, 4], dt), -10])
    case(S, 'torch.tril', [In([2, 0, 3], dt)])
    case(S, 'torch.triu', [In([2, 3, 3], dt, perm=[0, 2, 1]), 1])
    case(S, 'torch.flip', [In([2, 3, 4], dt), [-1, 0]])
    case(S, 'torch.flip', [In([2, 3], dt), []])
    case(X, 'torch.scatter', [In([3, 4], dt), 1, In([3, 2], 'int64', vals=[0, 1, 2, 3, 1, 1]), 2], {'reduce': 'add'})
    case(X, 'torch.scatter', [In([3, 4], dt), 1, In([3, 2], 'int64', vals=[0, 1, 2, 3, 1, 1]), 2], {'reduce': 'multiply'})
    case(X, 'torch.scatter', [In([3, 4], dt), 1, In([3, 2], 'int64', vals=[0, 1, 2, 3, 1, 1]), In([3, 2], dt)], {'reduce': 'bogus'})
    case(X, 'torch.sort', [In([2, 3], dt)], {'dim': 0})
    case(X, 'torch.argsort', [In([2, 3], dt, perm=[1, 0]), 1], {'descending': True})
    case(X, 'torch.topk', [In([2, 3], dt), 2, 0], {'sorted': True})
    case(X, 'torch.unique', [In([6], dt, lo=0, hi=3)], {'sorted': True, 'returnInverse': True})
    case(X, 'torch.unique', [In([3, 2], dt, lo=0, hi=2)], {'dim': 1, 'returnInverse': True, 'returnCounts': True})

# the method forms of the added ops
for dt in ['float32', 'int64']:
    case(S, 'm.diag', [In([3], dt), 1])
    case(S, 'm.diagEmbed', [In([2, 3], dt)])
    case(S, 'm.trace', [In([3, 3], dt)])
    case(S, 'm.rot90', [In([2, 3], dt), 1, [1, 0]])
    case(S, 'm.kron', [In([2], dt), In([2], dt)])
    case(S, 'm.repeatInterleave', [In([2, 2], dt), 2], {'dim': 0})
    case(S, 'm.takeAlongDim', [In([2, 3], dt), In([2, 1], 'int64', vals=[2, 0]), 1])
    case(S, 'm.ravel', [In([2, 3], dt, perm=[1, 0])])
    case(S, 'm.hsplit', [In([2, 4], dt), 2])
    case(S, 'm.diagflat', [In([2], dt)])
    case(X, 'm.bincount', [In([5], 'int64', lo=0, hi=3)])
    case(X, 'm.uniqueConsecutive', [In([6], dt, lo=0, hi=2)], {'returnCounts': True})
    case(X, 'm.scatterReduce', [In([3], dt), 0, In([2], 'int64', vals=[0, 0]), In([2], dt), 'amax'])
    if dt == 'float32':
        case(X, 'm.histc', [In([6], dt), 3])

# int32 index tensors where 1.13 takes or refuses them
for dt in ['float32', 'int64']:
    i32 = lambda v: In([len(v)], 'int32', vals=v)
    case(X, 'torch.scatter', [In([3, 4], dt), 1, In([3, 1], 'int32', vals=[0, 1, 2]), 1])
    case(X, 'torch.scatterAdd', [In([3, 4], dt), 1, In([3, 1], 'int32', vals=[0, 1, 2]), In([3, 1], dt)])
    case(X, 'torch.indexAdd', [In([3, 4], dt), 0, i32([0, 2]), In([2, 4], dt)])
    case(X, 'torch.indexCopy', [In([3, 4], dt), 0, i32([0, 2]), In([2, 4], dt)])
    case(X, 'torch.indexFill', [In([3, 4], dt), 1, i32([0, 2]), 7])
    case(X, 'm.put', [In([3, 4], dt), i32([0, 2]), In([2], dt)])
    case(X, 'torch.indexSelect', [In([3, 4], dt), 0, In([2], 'int16', vals=[0, 2])])
    case(X, 'm.index', [In([3, 4], dt), In([2], 'int64', vals=[0, 2]), In([2], 'int64', vals=[-1, -4])])
    case(X, 'm.index', [In([3, 4], dt), In([2], 'int64', vals=[0, 2]), In([3], 'int64', vals=[1, 1, 1])])
    case(X, 'torch.maskedFill', [In([3, 4], dt), In([3, 4], 'float32', lo=0, hi=2), 1])
    case(X, 'torch.where', [In([3], 'float32', lo=0, hi=2), In([3], dt), In([3], dt)])

# views of expanded and non-contiguous inputs
for dt in ['float32', 'int64']:
    e = In([1, 3], dt)
    case(S, 'm.view', [In([4, 6], dt, perm=[1, 0]), [6, 2, 2]])
    case(S, 'm.view', [In([4, 6], dt, perm=[1, 0]), [3, 2, 4]])
    case(S, 'm.view', [In([2, 3, 4], dt, perm=[0, 2, 1]), [2, 12]])
    case(S, 'm.reshape', [In([2, 3, 4], dt, perm=[0, 2, 1]), [2, 4, 3]])
    case(S, 'm.flatten', [In([2, 3, 4], dt, perm=[0, 2, 1]), 1])
    case(S, 'm.flatten', [In([2, 3, 4], dt, perm=[1, 2, 0]), 0, 1])
    case(S, 'torch.squeeze', [In([2, 0, 1], dt)])
    case(S, 'torch.squeeze', [In([2, 0, 1], dt), 1])
    case(S, 'm.unflatten', [In([2, 6], dt), -1, [3, 2]])
    case(S, 'torch.flatten', [In([], dt), 0, -1])
    case(S, 'torch.transpose', [In([], dt), 0, -1])
    case(S, 'torch.permute', [In([], dt), []])
    case(S, 'm.expand', [In([1, 3], dt, perm=[1, 0]) if False else In([3, 1], dt), [2, 3, 4]])
    case(S, 'm.t', [In([3], dt)])
    case(S, 'm.t', [In([2, 3, 1], dt)])
    case(S, 'torch.unbind', [In([0, 2], dt), 1])
    case(S, 'torch.stack', [[In([2, 3], dt, perm=[1, 0]), In([2, 3], dt, perm=[1, 0])], 2])
    case(S, 'torch.cat', [[In([2, 2], dt), In([2, 2], 'float64')], -1])
    case(S, 'torch.narrow', [In([3, 4], dt), -1, In([], 'int64', vals=1), 2])
    case(S, 'torch.split', [In([5, 2], dt), [2, 3]])
    case(S, 'torch.split', [In([5, 2], dt), 2])
    case(S, 'torch.roll', [In([3, 4], dt, perm=[1, 0]), [5, -6], [0, 1]])
    case(S, 'torch.roll', [In([3, 4], dt), -1])
    case(S, 'torch.diagonal', [In([2, 3, 4], dt), 1, -1, 0])
    case(S, 'm.contiguous', [In([2, 3], dt)])
    case(S, 'm.clone', [In([3, 4], dt, perm=[1, 0])], {'memoryFormat': Raw(torch.contiguous_format, 'contiguousFormat')})
    case(S, 'm.clone', [In([1, 3], dt, perm=[1, 0])])
    case('creation', 'torch.zerosLike', [In([1, 3], dt, perm=[1, 0])])
    case(S, 'm.clone', [In([2, 1, 3], dt, perm=[1, 0, 2])])

# ===================================================================================== creation
C = 'creation'
for data, opts in [([1, 2, 3], None), ([1.5, 2], None), ([True, False], None), ([1, 2.5], None), ([True, 2], None),
                   ([[1, 2], [3, 4]], None), ([], None), ([[], []], None), (3, None), (2.5, None), (True, None),
                   ([1, 2], {'dtype': DT('float16')}), ([1.7, -1.7], {'dtype': DT('int32')}), ([1, 0, 2], {'dtype': DT('bool')}),
                   ([300, -1], {'dtype': DT('uint8')}), ([[1, 2], [3]], None), ([1, [2]], None), ([0.1, 1e40], {'dtype': DT('float32')}),
                   ([1e20], {'dtype': DT('bfloat16')}), ([65504, 70000], {'dtype': DT('float16')}), ([[True], [False]], {'dtype': DT('float64')}),
                   ([-0.0], None), ([[[1]]], {'dtype': DT('int8')}), ([float('nan'), float('inf')], None), ([1, float('nan')], {'dtype': DT('int64')})]:
    case(C, 'torch.tensor', [data] + ([] if opts is None else []), opts, name=f'tensor({json.dumps(to_js(data, []))}{", " + json.dumps(to_js(opts, [])) if opts else ""})')
for args, opts in [((5,), None), ((1, 4), None), ((0, 5, 2), None), ((0, 1, 0.25), None), ((0.5, 3), None), ((0, 5, 1.5), {'dtype': DT('int64')}),
                   ((-3, 3, 2), {'dtype': DT('int8')}), ((5, 0, -1), None), ((5, 0, -1.5), None), ((0, 1, 0.1), None), ((0, 1, 0.1), {'dtype': DT('float64')}),
                   ((1, 2.5, 0.5), {'dtype': DT('float16')}), ((0, 10, 3), {'dtype': DT('bfloat16')}), ((0, 3), {'dtype': DT('bool')}),
                   ((0, 3), {'dtype': DT('uint8')}), ((3, 1), None), ((0, 5, 0), None), ((0, 5, -1), None), ((0,), None), ((2, 2), None),
                   ((10,), {'dtype': DT('float32')}), ((-2.5, 2.5), None), ((0, 300), {'dtype': DT('int16')}), ((1, 0.5, -0.125), None)]:
    case(C, 'torch.arange', list(args), opts, name=f'arange{args}{json.dumps(to_js(opts, [])) if opts else ""}')
for args, opts in [((0, 1, 5), None), ((0, 10, 5), {'dtype': DT('int64')}), ((0, 1, 1), None), ((0, 1, 0), None), ((1, 0, 4), None),
                   ((-1, 1, 5), {'dtype': DT('float64')}), ((0, 10, 4), {'dtype': DT('int32')}), ((0, 1, 3), {'dtype': DT('float16')}),
                   ((0, 1, 3), {'dtype': DT('bfloat16')}), ((0, 1, -1), None), ((10, 0, 4), {'dtype': DT('uint8')}), ((0, 7, 4), {'dtype': DT('int8')})]:
    case(C, 'torch.linspace', list(args), opts, name=f'linspace{args}{json.dumps(to_js(opts, [])) if opts else ""}')
for args, opts in [((0, 2, 3), None), ((0, 2, 3), {'base': 2}), ((0, 3, 4), {'dtype': DT('int64')}), ((0, 1, 1), None), ((-1, 1, 3), {'dtype': DT('float64')}),
                   ((0, 2, 3), {'dtype': DT('float16')}), ((1, 0, 2), {'base': 0.5})]:
    case(C, 'torch.logspace', list(args), opts, name=f'logspace{args}{json.dumps(to_js(opts, [])) if opts else ""}')
for size, val, opts in [([2, 2], 1, None), ([2], 1.5, None), ([2], True, None), ([2, 1], 7, {'dtype': DT('float16')}), ([3], 2.7, {'dtype': DT('int32')}),
                        ([2], False, {'dtype': DT('float32')}), ([0, 2], 3, None), ([], 4, None), ([2], 300, {'dtype': DT('uint8')}),
                        ([2], -1, {'dtype': DT('bool')}), ([2], float('inf'), None), ([2], float('nan'), {'dtype': DT('bfloat16')})]:
    case(C, 'torch.full', [size, val], opts)
for args, opts in [((3,), None), ((2, 3), None), ((3, 2), {'dtype': DT('int64')}), ((0,), None), ((2, 0), None), ((2,), {'dtype': DT('bool')}),
                   ((2,), {'dtype': DT('float16')}), ((-1,), None), ((2, -1), None)]:
    case(C, 'torch.eye', list(args), opts, name=f'eye{args}{json.dumps(to_js(opts, [])) if opts else ""}')
for dt in ALL:
    case(C, 'torch.zeros', [2, 3], {'dtype': DT(dt)})
    case(C, 'torch.ones', [[2]], {'dtype': DT(dt)})
    case(C, 'torch.empty', [[0, 2]], {'dtype': DT(dt)})
    case(C, 'torch.empty', [2, 2], {'dtype': DT(dt)}, nv=True)
    x = In([2, 3], dt)
    xt = In([2, 3], dt, perm=[1, 0])
    case(C, 'torch.zerosLike', [x])
    case(C, 'torch.onesLike', [xt])
    case(C, 'torch.fullLike', [x, 2])
    case(C, 'torch.fullLike', [x, 2.5])
    case(C, 'torch.fullLike', [xt, True])
    case(C, 'torch.emptyLike', [xt], nv=True)
    for to in ['float64', 'int8', 'bool', 'bfloat16']:
        case(C, 'torch.zerosLike', [x], {'dtype': DT(to)})
        case(C, 'torch.onesLike', [xt], {'dtype': DT(to)})
        case(C, 'torch.fullLike', [x, 3], {'dtype': DT(to)})
    if dt not in ('bool',):
        lo, hi = (0, 5) if dt != 'int8' else (-3, 4)
        case(C, 'torch.randint', [lo, hi, [50]], {'dtype': DT(dt)}, rnd=[lo, hi])
case(C, 'torch.randint', [5, [3, 3]], rnd=[0, 5])
case(C, 'torch.randint', [-3, 0, [40]], rnd=[-3, 0])
case(C, 'torch.randint', [0, 1, [4]], rnd=[0, 1])
case(C, 'torch.randint', [3, 3, [4]])
case(C, 'torch.randint', [0, 256, [64]], {'dtype': DT('uint8')}, rnd=[0, 256])
case(C, 'torch.randint', [0, 257, [4]], {'dtype': DT('uint8')})
case(C, 'torch.randint', [-129, 0, [4]], {'dtype': DT('int8')})
case(C, 'torch.randint', [0, 2, [8]], {'dtype': DT('bool')}, rnd=[0, 2])
case(C, 'torch.randint', [0, 2, [0]])
case(C, 'torch.zeros', [-1])
case(C, 'torch.ones', [[2, -2]])
case(C, 'torch.zeros', [[]])
case(C, 'torch.full', [[2], 1.5], {'dtype': DT('int64')})

# ===================================================================================== nn.functional
N = 'functional'
for dt in FLOATS:
    tol = {'rtol': 1e-2, 'atol': 1e-2} if dt in ('float16', 'bfloat16') else None
    x3 = In([2, 3, 5], dt)
    x4 = In([1, 2, 3, 4], dt)
    x5 = In([1, 1, 2, 3, 3], dt)
    case(N, 'F.pad', [x3, [1, 2]], tol=tol)
    case(N, 'F.pad', [x3, [1, 2, 0, 1]], {'value': 2.5}, tol=tol)
    case(N, 'F.pad', [x3, [-1, 1]], tol=tol)
    case(N, 'F.pad', [x3, [2, 1]], {'mode': 'reflect'}, tol=tol)
    case(N, 'F.pad', [x3, [2, 3]], {'mode': 'replicate'}, tol=tol)
    case(N, 'F.pad', [x3, [2, 3]], {'mode': 'circular'}, tol=tol)
    case(N, 'F.pad', [x4, [1, 1, 2, 0]], {'mode': 'reflect'}, tol=tol)
    case(N, 'F.pad', [x4, [1, 1, 2, 0]], {'mode': 'replicate'}, tol=tol)
    case(N, 'F.pad', [x4, [1, 2, 1, 0]], {'mode': 'circular'}, tol=tol)
    case(N, 'F.pad', [x5, [1, 1, 1, 1, 1, 0]], {'mode': 'replicate'}, tol=tol)
    case(N, 'F.pad', [x5, [1, 1, 1, 1, 1, 0]], {'mode': 'reflect'}, tol=tol)
    case(N, 'F.pad', [x5, [1, 1, 1, 1, 1, 1]], {'mode': 'circular'}, tol=tol)
    case(N, 'F.pad', [In([3, 5], dt), [1, 1]], {'mode': 'reflect'}, tol=tol)
    case(N, 'F.pad', [x3, [5, 0]], {'mode': 'reflect'}, tol=tol)
    case(N, 'F.pad', [x3, [6, 0]], {'mode': 'circular'}, tol=tol)
    BF = 'PyTorch 1.13 rounds the interpolation weights to bfloat16; PyTorch >= 2.1 computes them in float32, as nodetorch'
    for mode, extra in [('nearest', {}), ('linear', {}), ('linear', {'alignCorners': True})]:
        case(N, 'F.interpolate', [x3], dict({'size': 7, 'mode': mode}, **extra), tol=tol, f32=BF)
        case(N, 'F.interpolate', [x3], dict({'scaleFactor': 1.5, 'mode': mode}, **extra), tol=tol, f32=BF)
        case(N, 'F.interpolate', [x3], dict({'scaleFactor': 0.5, 'mode': mode}, **extra), tol=tol, f32=BF)
    case(N, 'F.interpolate', [x3], {'size': 7, 'mode': 'nearest-exact'}, tol=tol)
    for mode, extra in [('nearest', {}), ('bilinear', {}), ('bilinear', {'alignCorners': True}), ('bicubic', {}), ('bicubic', {'alignCorners': True}),
                        ('area', {}), ('nearest-exact', {})]:
        # (bicubic: PyTorch sums the 4x4 taps in another order, in float32)
        t2 = tol or ({'rtol': 1e-4, 'atol': 1e-5} if mode == 'bicubic' else None)
        case(N, 'F.interpolate', [x4], dict({'size': [5, 6], 'mode': mode}, **extra), tol=t2, f32=BF)
        case(N, 'F.interpolate', [x4], dict({'scaleFactor': [2, 0.5], 'mode': mode}, **extra), tol=t2, f32=BF)
    case(N, 'F.interpolate', [x4], {'scaleFactor': 1.7, 'mode': 'bilinear', 'recomputeScaleFactor': True}, tol=tol, f32=BF)
    case(N, 'F.interpolate', [x4], {'scaleFactor': 1.7, 'mode': 'bilinear'}, tol=tol, f32=BF)
    case(N, 'F.interpolate', [x4], {'scaleFactor': 1.7, 'mode': 'bicubic'}, tol=tol or {'rtol': 1e-4, 'atol': 1e-5}, f32=BF)
    case(N, 'F.interpolate', [x4], {'scaleFactor': 1.7, 'mode': 'nearest'}, tol=tol)
    case(N, 'F.interpolate', [x5], {'size': [3, 4, 2], 'mode': 'trilinear'}, tol=tol)
    case(N, 'F.interpolate', [x5], {'scaleFactor': 2, 'mode': 'nearest'}, tol=tol)
    case(N, 'F.interpolate', [In([0, 2, 3, 4], dt)], {'size': [5, 6], 'mode': 'bilinear'}, tol=tol)
    case(N, 'F.normalize', [In([3, 4], dt)], tol=tol)
    case(N, 'F.normalize', [In([3, 4], dt)], {'p': 1, 'dim': 0}, tol=tol)
    case(N, 'F.normalize', [In([2, 3], dt, vals=[0, 0, 0, 1, 2, 2])], tol=tol)
    case(N, 'F.normalize', [In([0, 4], dt)], tol=tol)
    case(N, 'F.cosineSimilarity', [In([3, 4], dt), In([3, 4], dt)], tol=tol)
    case(N, 'F.cosineSimilarity', [In([3, 4], dt), In([1, 4], dt)], {'dim': 1, 'eps': 1e-3}, tol=tol)
    case(N, 'F.cosineSimilarity', [In([2, 3], dt, vals=[0, 0, 0, 1, 2, 2]), In([2, 3], dt)], tol=tol)
    case(N, 'F.pairwiseDistance', [In([3, 4], dt), In([3, 4], dt)], tol=tol)
    case(N, 'F.pairwiseDistance', [In([3, 4], dt), In([4], dt)], {'p': 1, 'keepdim': True}, tol=tol)
    case(N, 'F.pairwiseDistance', [In([4], dt), In([4], dt)], tol=tol)
    case(N, 'F.pdist', [In([4, 3], dt)], tol=tol)
    case(N, 'F.pdist', [In([4, 3], dt), 1], tol=tol)
    case(N, 'F.pdist', [In([1, 3], dt)], tol=tol)
    for red in ['mean', 'sum', 'none']:
        case(N, 'F.mseLoss', [In([3, 2], dt), In([3, 2], dt)], {'reduction': red}, tol=tol)
        case(N, 'F.mseLoss', [In([0, 2], dt), In([0, 2], dt)], {'reduction': red}, tol=tol)
        case(N, 'F.l1Loss', [In([0], dt), In([0], dt)], {'reduction': red}, tol=tol)
        case(N, 'F.smoothL1Loss', [In([3], dt), In([3], dt)], {'reduction': red, 'beta': 0.5}, tol=tol)
        case(N, 'F.huberLoss', [In([0], dt), In([0], dt)], {'reduction': red}, tol=tol)
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, -100])], {'reduction': red}, tol=tol)
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[1, 1, 3])], {'reduction': red, 'ignoreIndex': 1}, tol=tol)
        case(N, 'F.crossEntropy', [In([2, 4], dt), In([2], 'int64', vals=[-100, -100])], {'reduction': red}, tol=tol)
        case(N, 'F.crossEntropy', [In([0, 4], dt), In([0], 'int64')], {'reduction': red}, tol=tol)
        case(N, 'F.crossEntropy', [In([2, 3, 2], dt), In([2, 2], 'int64', vals=[0, 2, 1, 5])], {'reduction': red, 'ignoreIndex': 5}, tol=tol)
        case(N, 'F.nllLoss', [In([3, 4], dt), In([3], 'int64', vals=[0, 3, 2])], {'reduction': red, 'ignoreIndex': 3}, tol=tol)
        case(N, 'F.nllLoss', [In([0, 4], dt), In([0], 'int64')], {'reduction': red}, tol=tol)
        case(N, 'F.binaryCrossEntropy', [In([0], dt), In([0], dt)], {'reduction': red}, tol=tol)
        case(N, 'F.binaryCrossEntropyWithLogits', [In([3], dt), In([3], dt, lo=0, hi=3)], {'reduction': red}, tol=tol)
        case(N, 'F.klDiv', [In([0, 2], dt), In([0, 2], dt)], {'reduction': red}, tol=tol)
    case(N, 'F.klDiv', [In([2, 2], dt), In([2, 2], dt)], {'reduction': 'batchmean'}, tol=tol)
    case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3])], {'labelSmoothing': 0.2, 'ignoreIndex': 2}, tol=tol)
    case(N, 'F.crossEntropy', [In([3, 4], dt), In([3, 4], dt, lo=0, hi=3)], tol=tol)
    case(N, 'F.crossEntropy', [In([4], dt), In([], 'int64', vals=2)], tol=tol)
    case(N, 'F.softmax', [In([2, 3], dt), 1], {'dtype': DT('float64')}, tol=tol)
    case(N, 'F.softmax', [In([2, 3], dt), 0], {'dtype': DT('float32')}, tol=tol)
    case(N, 'F.logSoftmax', [In([2, 3], dt), -1], {'dtype': DT('float64')}, tol=tol)
    case(N, 'F.softmax', [In([0, 3], dt), 1], tol=tol)
    case(N, 'F.softmax', [In([], dt), 0], tol=tol)
    case(N, 'F.logSoftmax', [In([2, 0], dt), 1], tol=tol)
    case(N, 'F.dropout', [In([2, 3], dt)], {'p': 0}, tol=tol)
    case(N, 'F.dropout', [In([2, 3], dt)], {'p': 1}, tol=tol)
    case(N, 'F.dropout', [In([2, 3], dt)], {'p': 0.5, 'training': False}, tol=tol)
    case(N, 'F.dropout', [In([0, 3], dt)], {'p': 0.5}, tol=tol)
    case(N, 'F.dropout', [In([2], dt)], {'p': 1.5})
    case(N, 'F.unfold', [x4, [2, 2]], tol=tol)
    case(N, 'F.unfold', [x4, 2], {'stride': 2, 'padding': 1, 'dilation': 1}, tol=tol)
    case(N, 'F.unfold', [In([2, 3, 4], dt), [2, 3]], {'dilation': [1, 2]}, tol=tol)
    case(N, 'F.fold', [In([1, 8, 6], dt), [3, 4], [2, 2]], tol=tol)
    case(N, 'F.fold', [In([8, 4], dt), [4, 4], 2], {'stride': 2}, tol=tol)
    case(N, 'F.fold', [In([1, 8, 5], dt), [3, 4], [2, 2]])
    case(N, 'F.embedding', [In([2, 2], 'int64', vals=[0, 2, 3, 0]), In([4, 3], dt)], tol=tol)
    case(N, 'F.embedding', [In([3], 'int64', vals=[1, 2, 1]), In([4, 3], dt)], {'paddingIdx': 1}, tol=tol)
    case(N, 'F.embedding', [In([3], 'int64', vals=[1, 2, 1]), In([4, 3], dt)], {'maxNorm': 1.0}, tol=tol)
    case(N, 'F.embedding', [In([0], 'int64'), In([4, 3], dt)], tol=tol)
    case(N, 'F.embedding', [In([2], 'int64', vals=[4, 0]), In([4, 3], dt)])
    case(N, 'F.embedding', [In([2], 'int32', vals=[1, 0]), In([4, 3], dt)], tol=tol)
# more nn.functional edges: weighted / smoothed / probability-target cross entropy, every target ignored, log_target,
# beta=0, interpolation to and from size 1, align_corners with one output, overlapping fold, eps and p variants
for dt in ['float32', 'float64']:
    w = In([4], dt, lo=1, hi=5)
    for red in ['mean', 'sum', 'none']:
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3]), w], {'reduction': red})
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3])], {'weight': w, 'ignoreIndex': 2, 'reduction': red})
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3])], {'weight': w, 'labelSmoothing': 0.1, 'reduction': red})
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3, 4], dt, lo=0, hi=3)], {'labelSmoothing': 0.2, 'reduction': red})
        case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[1, 1, 1])], {'ignoreIndex': 1, 'reduction': red})
        case(N, 'F.nllLoss', [In([3, 4], dt), In([3], 'int64', vals=[1, 1, 1])], {'ignoreIndex': 1, 'reduction': red})
        case(N, 'F.nllLoss', [In([3, 4], dt), In([3], 'int64', vals=[1, 0, 3])], {'weight': w, 'reduction': red})
        case(N, 'F.nllLoss', [In([2, 4, 3], dt), In([2, 3], 'int64', vals=[1, 0, 3, 2, 2, -100])], {'reduction': red})
        case(N, 'F.binaryCrossEntropy', [In([3], dt, vals=[0.25, 0.5, 1.0]), In([3], dt, vals=[0, 1, 1])], {'weight': In([3], dt, lo=1, hi=3), 'reduction': red})
        case(N, 'F.binaryCrossEntropy', [In([2], dt, vals=[0.0, 1.0]), In([2], dt, vals=[1, 0])], {'reduction': red})
        case(N, 'F.binaryCrossEntropyWithLogits', [In([3], dt), In([3], dt, lo=0, hi=2)], {'posWeight': In([3], dt, lo=1, hi=3), 'reduction': red})
        case(N, 'F.klDiv', [In([2, 3], dt), In([2, 3], dt)], {'logTarget': True, 'reduction': red})
        case(N, 'F.smoothL1Loss', [In([4], dt), In([4], dt)], {'beta': 0.0, 'reduction': red})
        case(N, 'F.huberLoss', [In([4], dt), In([4], dt)], {'delta': 0.5, 'reduction': red})
        case(N, 'F.l1Loss', [In([2, 3], dt), In([3], dt)], {'reduction': red})
    case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3])], {'labelSmoothing': 1.5})
    case(N, 'F.crossEntropy', [In([3, 4], dt), In([3], 'int64', vals=[0, 2, 3])], {'reduction': 'bogus'})
    case(N, 'F.binaryCrossEntropy', [In([2], dt, vals=[1.5, 0.5]), In([2], dt, vals=[1, 0])])
    case(N, 'F.interpolate', [In([1, 1, 1], dt)], {'size': 4, 'mode': 'linear'})
    case(N, 'F.interpolate', [In([1, 1, 4], dt)], {'size': 1, 'mode': 'linear', 'alignCorners': True})
    case(N, 'F.interpolate', [In([1, 1, 4], dt)], {'size': 1, 'mode': 'linear'})
    case(N, 'F.interpolate', [In([1, 1, 3, 3], dt)], {'size': [1, 5], 'mode': 'bicubic', 'alignCorners': True})
    case(N, 'F.interpolate', [In([1, 1, 5], dt)], {'scaleFactor': 0.3, 'mode': 'nearest'})
    case(N, 'F.interpolate', [In([1, 1, 5, 3], dt)], {'size': [2, 2], 'mode': 'area'})
    case(N, 'F.interpolate', [In([1, 1, 5], dt)], {'size': 3, 'mode': 'area'})
    case(N, 'F.interpolate', [In([1, 1, 5], dt)], {'scaleFactor': 1.3, 'mode': 'nearest-exact'})
    case(N, 'F.fold', [In([1, 4, 4], dt), [3, 3], 2], {'stride': 1})
    case(N, 'F.fold', [In([1, 4, 9], dt), [4, 4], 2], {'padding': 1, 'stride': 1})
    case(N, 'F.unfold', [In([1, 1, 5, 5], dt), 3], {'padding': 1, 'stride': 2, 'dilation': 2})
    case(N, 'F.normalize', [In([3, 4], dt)], {'p': float('inf'), 'dim': -1})
    case(N, 'F.normalize', [In([3, 4], dt)], {'eps': 10.0})
    case(N, 'F.normalize', [In([4], dt)], {'dim': 0})
    case(N, 'F.cosineSimilarity', [In([4], dt), In([4], dt)], {'dim': 0})
    case(N, 'F.cosineSimilarity', [In([2, 1, 4], dt), In([3, 4], dt)], {'dim': -1})
    case(N, 'F.pairwiseDistance', [In([3, 4], dt), In([3, 4], dt)], {'p': float('inf')})
    case(N, 'F.pairwiseDistance', [In([3, 4], dt), In([3, 4], dt)], {'p': 0})
    case(N, 'F.pairwiseDistance', [In([3, 4], dt), In([3, 4], dt)], {'eps': 0.5})
    case(N, 'F.oneHot', [In([3], 'int64', vals=[0, 1, 2]), 0])
    case(N, 'F.pad', [In([1, 2, 4], dt), [-1, -2]], {'mode': 'reflect'})
    case(N, 'F.pad', [In([1, 2, 4], dt), [2, -1]], {'mode': 'replicate'})
    case(N, 'F.pad', [In([1, 2, 4], dt), [0, 0, 1, 1]], {'mode': 'constant', 'value': -1.5})
    case(N, 'F.pad', [In([2, 3], dt), [1, 1, 1, 1]], {'mode': 'reflect'})
    case(N, 'F.pad', [In([2, 3], dt), [1, 1]], {'mode': 'circular'})
    case(N, 'F.embedding', [In([2, 2], 'int64', vals=[0, 1, 1, 3]), In([4, 3], dt)], {'maxNorm': 2.0, 'normType': 1.0})
    case(N, 'F.embedding', [In([2], 'int64', vals=[-1, 0]), In([4, 3], dt)])
    case(N, 'F.embedding', [In([2], 'int64', vals=[0, 1]), In([4, 3], dt)], {'paddingIdx': -1})
    case(N, 'F.embedding', [In([2], 'int64', vals=[0, 1]), In([4, 3], dt)], {'paddingIdx': 4})
    case(N, 'F.softmax', [In([2, 3], dt, perm=[1, 0]), 0])
    case(N, 'F.logSoftmax', [In([2, 3], dt, perm=[1, 0]), 1])
    case(N, 'F.softmax', [In([2, 3], dt), 2])
    case(N, 'F.dropout', [In([2, 3], dt)], {'p': 1.0, 'training': True})
    case(N, 'F.dropout', [In([2, 3], dt)], {'p': -0.1})

for dt in ['int64', 'int32', 'bool', 'uint8']:
    case(N, 'F.pad', [In([1, 2, 3], dt), [1, 1]])
    case(N, 'F.pad', [In([1, 2, 3], dt), [1, 1]], {'mode': 'replicate'})
    case(N, 'F.pad', [In([1, 2, 3], dt), [1, 1]], {'mode': 'reflect'})
    case(N, 'F.pad', [In([1, 2, 3], dt), [1, 1]], {'mode': 'circular'})
    case(N, 'F.interpolate', [In([1, 2, 3], dt)], {'size': 5})
    case(N, 'F.softmax', [In([3], dt), 0])
    case(N, 'F.softmax', [In([3], dt), 0], {'dtype': DT('float32')})
    case(N, 'F.logSoftmax', [In([3], dt), 0], {'dtype': DT('float64')})
    case(N, 'F.normalize', [In([2, 3], dt)])
    case(N, 'F.dropout', [In([3], dt)], {'p': 0.0})
    case(N, 'F.embedding', [In([2], dt, lo=0, hi=2), In([2, 2], 'float32')])
    case(N, 'F.mseLoss', [In([3], dt), In([3], dt)])
    case(N, 'F.oneHot', [In([4], dt, lo=0, hi=3)])
for args, opts in [(([0, 2, 1],), None), (([0, 2, 1], 5), None), (([0, 2, 1], -1), None), (([[1], [0]],), {'numClasses': 3}),
                   (([],), {'numClasses': 2}), (([],), None), (([0, 3],), {'numClasses': 3}), (([-1, 0],), None), ((2,), None)]:
    case(N, 'F.oneHot', [In([len(args[0])] if isinstance(args[0], list) and args[0] and isinstance(args[0][0], list) is False else (
        [len(args[0]), 1] if isinstance(args[0], list) and args[0] and isinstance(args[0][0], list) else ([0] if args[0] == [] else [])),
        'int64', vals=args[0])] + list(args[1:]), opts)
# pad/interpolate/loss errors
case(N, 'F.pad', [In([2, 3], 'float32'), [1]])
case(N, 'F.pad', [In([2, 3], 'float32'), [1, 1, 1, 1, 1, 1]])
case(N, 'F.pad', [In([1, 2, 3], 'float32'), [3, 3]], {'mode': 'reflect'})
case(N, 'F.pad', [In([1, 2, 3], 'float32'), [4, 0]], {'mode': 'circular'})
case(N, 'F.pad', [In([3], 'float32'), [1, 1]], {'mode': 'replicate'})
case(N, 'F.pad', [In([2, 3], 'float32'), [-2, -2]])
case(N, 'F.pad', [In([2, 3], 'float32'), [1, 1]], {'mode': 'bogus'})
case(N, 'F.interpolate', [In([1, 2, 3], 'float32')], {'size': 5, 'scaleFactor': 2})
case(N, 'F.interpolate', [In([1, 2, 3], 'float32')])
case(N, 'F.interpolate', [In([1, 2, 3], 'float32')], {'size': 5, 'mode': 'bilinear'})
case(N, 'F.interpolate', [In([1, 2, 3], 'float32')], {'size': 5, 'alignCorners': True})
case(N, 'F.interpolate', [In([1, 2, 3, 3], 'float32')], {'size': [2, 2, 2]})
case(N, 'F.crossEntropy', [In([3, 4], 'float32'), In([3], 'int64', vals=[0, 4, 1])])
case(N, 'F.crossEntropy', [In([3, 4], 'float32'), In([2], 'int64', vals=[0, 1])])
case(N, 'F.nllLoss', [In([3, 4], 'float32'), In([3], 'int32', vals=[0, 1, 1])])
case(N, 'F.mseLoss', [In([3], 'float32'), In([2, 3], 'float32')])
case(N, 'F.embedding', [In([2], 'float32', vals=[1, 0]), In([2, 2], 'float32')])
case(N, 'F.softmax', [In([2], 'float32'), 1])
case(N, 'F.unfold', [In([2, 3], 'float32'), 2])
case(N, 'F.cosineSimilarity', [In([3, 4], 'float32'), In([2, 4], 'float32')])

out = {'generator': 'test/ref/gen_sweep_shape.py', 'torch': torch.__version__, 'cases': CASES}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sweep_shape.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'), allow_nan=False)
cats = {}
for c in CASES:
    k = c['c'] + (' err' if 'err' in c else '')
    cats[k] = cats.get(k, 0) + 1
print(len(CASES), 'cases', cats, os.path.getsize(path), 'bytes')
