# gen_sweep_ew.py - a differential sweep of nodetorch's elementwise, comparison, logical, bitwise and reduction ops
# against PyTorch 1.13, replayed by test/sweep_ew.test.ts.
#
# For every op the sweep calls PyTorch over a grid: every dtype nodetorch has (float32, float64, float16, bfloat16,
# int64, int32, int16, int8, uint8, bool), every dtype x dtype pair for the binary ops, tensor-tensor with
# broadcasting ([2, 3] with [3], and [3] with [2, 3]), tensor with a 0-d tensor (both ways), 0-d with 0-d, empty
# tensors ([0] with []), a negative 0-d of another dtype (cast to the tensor's), tensor with a number (int, float,
# bool, NaN: JS numbers), number with tensor (the scalar-self forms, or PyTorch's refusal), the in-place forms
# (PyTorch's "result type Float can't be cast to the desired output type Long", a broadcast larger than self),
# rounding modes and alpha, out= of every dtype (and an empty or wrongly shaped out); the reductions and the order
# family with no dim, each dim, negative dims, a list of dims, keepdim, a 0-d and an empty input and the dtype= option.
# Values include NaN, +-inf, -0.0, each integer dtype's extremes (wrap-around on overflow), negative operands of
# integer division and remainder, division by zero, and values that are negative for unsigned types. (int64's
# -2**63 // -1 is left out: PyTorch 1.13 dies of SIGFPE on it; nodetorch wraps.)
#
# Each case, by category, is [f, k, args, kw, outcome]: the op's name; k: 'm' a method of the first argument, 't' the
# torch function, 'i' the in-place method on a copy of the first argument; the arguments ('@name' for a tensor of the
# shared table `tensors`, '%dtype' for a dtype); keyword options (PyTorch's snake_case names) or 0; PyTorch's
# outcome: {'o': [dtype, shape, values] (several results as a list of those; a Python bool as {'b': v})} or
# {'e': PyTorch's message}, and 'l' where nodetorch deliberately follows a later PyTorch (the reference is then that
# behaviour: see later16, the mode, all/any and logsumexp cases in case()).
# Run: /usr/bin/python3 test/ref/gen_sweep_ew.py   (writes test/ref/sweep_ew.json; deterministic)
import json, math, os, re
import torch

nan, inf = float('nan'), float('inf')
DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']
FLOATS = DTYPES[:4]
INTS = ['int64', 'int32', 'int16', 'int8', 'uint8']
TD = {d: getattr(torch, d) for d in DTYPES}
# the extremes that a JS number holds exactly (int64's max is 2**63-1, which a double does not)
EXT = {'int64': (2 ** 62, -2 ** 63), 'int32': (2 ** 31 - 1, -2 ** 31), 'int16': (32767, -32768), 'int8': (127, -128),
       'uint8': (255, 0)}


def vals(dtype, kind):
    """the values of the shared tensors: A [2, 3] (specials), B [3], C [2, 3] (ordinary values), Z 0-d, N [3] (B's
    row with zeros: division by zero)"""
    if dtype in FLOATS:
        return {'A': [[-0.0, 2.5, -3.0], [nan, inf, -inf]], 'B': [-2.0, 0.0, 1.5], 'C': [[1.5, -2.0, 0.5], [3.0, -0.25, 4.0]],
                'Z': -1.5, 'N': [0.0, -0.0, 2.0], 'D': [[1.5, 1.5, -2.0], [nan, 0.5, 1.5]],
                'M': [[3.0, nan, 1.0, 1.0, nan], [nan, nan, 1.0, 1.0, 2.0], [2.0, nan, nan, -1.0, -1.0]]}[kind]
    if dtype == 'bool':
        return {'A': [[True, False, True], [False, True, False]], 'B': [True, True, False], 'C': [[True, True, True], [False, True, True]],
                'Z': True, 'N': [False, True, False], 'D': [[True, True, False], [False, False, False]],
                'M': [[True, False, True, True, False], [False, False, True, True, True], [True, False, False, True, True]]}[kind]
    hi, lo = EXT[dtype]
    if dtype == 'uint8':
        return {'A': [[249, 5, 0], [255, 128, 3]], 'B': [2, 253, 4], 'C': [[3, 1, 4], [1, 5, 9]], 'Z': 3, 'N': [0, 3, 0],
                'D': [[2, 2, 7], [7, 1, 2]], 'M': [[3, 0, 1, 1, 0], [0, 0, 1, 1, 2], [2, 0, 0, 9, 9]]}[kind]
    return {'A': [[-7, 5, 0], [hi, lo, 3]], 'B': [2, -3, 4], 'C': [[3, -1, 4], [1, -5, 9]], 'Z': 3, 'N': [0, -3, 0],
            'D': [[2, 2, -7], [-7, 1, 2]], 'M': [[3, 0, 1, 1, 0], [0, 0, 1, 1, 2], [2, 0, 0, -1, -1]]}[kind]


TENSORS = {}
PY = {}


def T(kind, dtype, shape=None):
    """a named tensor of the shared table: kind A/B/C/Z/N/D, or E (empty [0]), or A0/B0 (0-d of A's/B's first value)"""
    name = '%s:%s' % (kind, dtype)
    if name not in PY:
        if kind == 'E':
            t = torch.zeros([0], dtype=TD[dtype])
        elif kind in ('O', 'P'):
            t = torch.zeros([2, 3] if kind == 'O' else [2], dtype=TD[dtype])
        elif kind == 'W':
            t = torch.tensor(-2.5 if dtype in FLOATS else True if dtype == 'bool' else -3).to(TD[dtype])
        else:
            t = torch.tensor(vals(dtype, kind), dtype=TD[dtype])
        PY[name] = t
        TENSORS[name] = enc(t)
    return {'t': name}


def fix(v):
    if isinstance(v, float):
        if v != v: return 'nan'
        if v == inf: return 'inf'
        if v == -inf: return '-inf'
        if v == 0 and math.copysign(1, v) < 0: return '-0'
    return v


def enc(t):
    t = t.detach()
    d = t.reshape(-1).tolist()
    if t.dtype == torch.float32: d = [float('%.9g' % v) if v == v and abs(v) != inf else v for v in d]
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [fix(v) for v in d]}


def enc_out(o):
    if isinstance(o, torch.Tensor):  # [dtype, shape, values]
        e = enc(o)
        return [e['dtype'], e['shape'], e['data']]
    if isinstance(o, (tuple, list)): return [enc_out(e) for e in o]
    if isinstance(o, bool): return {'b': o}
    raise TypeError(type(o))


def pyarg(a):
    if isinstance(a, dict) and 't' in a: return PY[a['t']].clone()
    return a


CASES = {}
COUNT = {}


def up(v, d16):
    if isinstance(v, torch.Tensor) and v.dtype == d16: return v.float()
    if isinstance(v, torch.dtype) and v == d16: return torch.float32
    return v


def down(o, d16):
    if isinstance(o, torch.Tensor): return o.to(d16) if o.dtype == torch.float32 else o
    if isinstance(o, (tuple, list)): return type(o)(down(e, d16) for e in o) if isinstance(o, list) else tuple(down(e, d16) for e in o)
    return o


def later16(k, f, args, kw, d16):
    pa = [pyarg(a) for a in args]
    pkw = {key: pyarg(v) for key, v in kw.items()}
    pa = [up(v, d16) for v in pa]
    pkw = {key: up(v, d16) for key, v in pkw.items()}
    if k == 'm': out = getattr(pa[0], f)(*pa[1:], **pkw)
    elif k == 'i': out = getattr(pa[0], f + '_')(*pa[1:], **pkw)
    else: out = getattr(torch, f)(*pa, **pkw)
    return enc_out(down(out, d16))


def case(cat, f, k, args, kw=None):
    kw = kw or {}
    pa = [pyarg(a) for a in args]
    pkw = {key: pyarg(v) for key, v in kw.items()}
    try:
        if k == 'm': out = getattr(pa[0], f)(*pa[1:], **pkw)
        elif k == 'i': out = getattr(pa[0], f + '_')(*pa[1:], **pkw)
        else: out = getattr(torch, f)(*pa, **pkw)
        res = {'out': enc_out(out)}
    except Exception as e:  # PyTorch's refusal: the test expects a TorchError (or TypeError) too
        msg = str(e).split('\n')[0]
        res = {'error': msg[:160]}
        low = re.search(r"not implemented for '(Half|BFloat16)'", msg)
        if low and not (f == 'round' and kw.get('decimals')):
            # PyTorch 1.13's CPU lacks this 16-bit kernel; later PyTorch has it and nodetorch follows the later one
            # (API.md, README): the reference is the float32 computation rounded to the 16-bit dtype
            try:
                res = {'out': later16(k, f, args, kw, torch.float16 if low.group(1) == 'Half' else torch.bfloat16), 'later': "no %s kernel on PyTorch 1.13's CPU" % low.group(1)}
            except Exception:  # refused in float32 too (bitwise ops of floats): a refusal whatever the version
                pass
    if f == 'mode' and 'out' in res and pa[0].is_floating_point() and bool(pa[0].isnan().any()):
        # 1.13's mode sorts with `<`, which leaves a NaN anywhere in its order; nodetorch counts NaN as one value above
        # +inf (README, test/ref/gen_edges.py): the reference is PyTorch's mode with NaN replaced by such a value
        x = pa[0]
        big = torch.finfo(x.dtype).max
        v, i = getattr(torch.where(x.isnan(), torch.full_like(x, big), x), 'mode')(*pa[1:], **pkw)
        res = {'out': enc_out((torch.where(v == big, torch.full_like(v, nan), v), i)), 'later': 'mode: NaN sorts last'}
    if 'error' in res and k == 'm' and not kw and (
            (f in ('all', 'any') and len(args) == 2 and isinstance(args[1], list)) or (f == 'logsumexp' and len(args) == 1)):
        # later PyTorch: all/any over several dims (2.2), logsumexp over every dim when dim is left out
        x = pa[0]
        if f == 'logsumexp':  # (16-bit floats in float32, rounded back: 1.13's CPU has no float16 exp)
            low = x.dtype in (torch.float16, torch.bfloat16)
            out = torch.logsumexp((x.float() if low else x).reshape(-1), 0)
            if low: out = out.to(x.dtype)
        else:
            out = x
            for d in sorted(args[1], reverse=True): out = getattr(out, f)(d)
        res = {'out': enc_out(out), 'later': 'several dims / no dim (later PyTorch)'}
    if f == 'kthvalue' and 'out' in res:  # among equal values PyTorch's quickselect picks any index: not compared
        res['out'][1] = None
    # compact: [f, k, args, kw or 0, outcome] with a tensor of the table as '@name', the outcome {'o': out} or
    # {'e': PyTorch's message (its start)}, 'l': the later-PyTorch note
    o = {'o': res['out']} if 'out' in res else {'e': res['error'][:60]}
    if 'later' in res: o['l'] = res['later']
    args_js = ['@' + a['t'] if isinstance(a, dict) and 't' in a else fix(a) for a in args]
    kw_js = {key: ('@' + v['t'] if isinstance(v, dict) and 't' in v else fix(v)) for key, v in kw.items()}
    CASES.setdefault(cat, []).append([f, k, args_js, kw_js or 0, o])
    COUNT[cat] = COUNT.get(cat, 0) + 1


# ---- unary --------------------------------------------------------------------------------------------------------
UNARY = ['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square', 'reciprocal',
         'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil',
         'round', 'trunc', 'logical_not', 'bitwise_not', 'nan_to_num', 'isnan', 'isinf', 'isfinite', 'sgn', 'signbit',
         'isposinf', 'isneginf', 'frac']
NO_INPLACE = {'isnan', 'isinf', 'isfinite', 'signbit', 'isposinf', 'isneginf'}
for f in UNARY:
    for d in DTYPES:
        case('unary', f, 'm', [T('A', d)])
        case('unary', f, 't', [T('Z', d)])
        case('unary', f, 't', [T('E', d)])
        if f not in NO_INPLACE: case('unary_inplace', f, 'i', [T('A', d)])
for d in DTYPES:
    case('unary', 'round', 'm', [T('C', d)], {'decimals': 1})
    case('unary', 'nan_to_num', 'm', [T('A', d)], {'nan': 1.5, 'posinf': 7.0, 'neginf': -7.0})
    case('unary', 'nan_to_num', 'm', [T('A', d)], {'nan': 2})

# ---- binary -------------------------------------------------------------------------------------------------------
ARITH = ['add', 'sub', 'mul', 'div', 'pow', 'remainder', 'fmod', 'floor_divide', 'atan2', 'maximum', 'minimum', 'fmax',
         'fmin', 'xlogy']
CMP = ['eq', 'ne', 'lt', 'le', 'gt', 'ge']
LOGIC = ['logical_and', 'logical_or', 'logical_xor']
BITW = ['bitwise_and', 'bitwise_or', 'bitwise_xor']
TENSOR_ONLY = {'atan2', 'maximum', 'minimum', 'fmax', 'fmin'}  # no Scalar other in the schema
NO_BIN_INPLACE = {'maximum', 'minimum', 'fmax', 'fmin'}
SCALAR_SELF = {'add', 'sub', 'mul', 'div', 'pow', 'remainder', 'floor_divide', 'xlogy', 'bitwise_and', 'bitwise_or',
               'bitwise_xor'}
SCALARS = [3, -2, 2.5, True, nan]
for f in ARITH + CMP + LOGIC + BITW:
    cat = 'arith' if f in ARITH else 'compare' if f in CMP else 'logical' if f in LOGIC else 'bitwise'
    for d1 in DTYPES:
        for d2 in DTYPES:
            case(cat, f, 'm', [T('A', d1), T('B', d2)])            # broadcast [2, 3] with [3]
            case(cat, f, 't', [T('B', d1), T('A', d2)])            # [3] with [2, 3]
            case(cat, f, 't', [T('B', d1), T('Z', d2)])            # tensor with 0-d
            case(cat, f, 't', [T('Z', d1), T('B', d2)])            # 0-d with tensor
            case(cat, f, 't', [T('Z', d1), T('Z', d2)])            # 0-d with 0-d
            case(cat, f, 't', [T('E', d1), T('Z', d2)])            # empty with 0-d
            case(cat, f, 't', [T('A', d1), T('W', d2)])            # a negative 0-d (cast to the tensor's dtype)
            if f not in NO_BIN_INPLACE:
                case(cat + '_inplace', f, 'i', [T('A', d1), T('B', d2)])
                case(cat + '_inplace', f, 'i', [T('B', d1), T('Z', d2)])
        if f not in TENSOR_ONLY:
            for s in SCALARS:
                case(cat + '_scalar', f, 'm', [T('A', d1), s])
                if f not in NO_BIN_INPLACE: case(cat + '_inplace', f, 'i', [T('C', d1), s])
                case(cat + '_scalar', f, 't', [s, T('B', d1)])  # a number first: PyTorch's Scalar-self forms, or a refusal
        if f in ('div', 'remainder', 'fmod', 'floor_divide'):  # division by zero
            case(cat, f, 'm', [T('B', d1), T('N', d1)])
            case(cat, f, 'm', [T('B', d1), 0])
for d1 in DTYPES:
    for d2 in DTYPES:
        for rm in ('trunc', 'floor'):
            case('arith', 'div', 'm', [T('A', d1), T('B', d2)], {'rounding_mode': rm})
            case('arith_inplace', 'div', 'i', [T('A', d1), T('B', d2)], {'rounding_mode': rm})
        case('arith', 'isclose', 't', [T('A', d1), T('D', d2)])
    for rm in ('trunc', 'floor'):
        case('arith', 'div', 'm', [T('B', d1), T('N', d1)], {'rounding_mode': rm})
        case('arith_scalar', 'div', 'm', [T('A', d1), 2.5], {'rounding_mode': rm})
        case('arith_scalar', 'div', 'm', [T('A', d1), -2], {'rounding_mode': rm})
    for f in ('add', 'sub'):
        for alpha in (2, 2.5, True):
            case('arith', f, 'm', [T('A', d1), T('B', d1)], {'alpha': alpha})
            case('arith_inplace', f, 'i', [T('A', d1), T('B', d1)], {'alpha': alpha})
    case('arith', 'isclose', 't', [T('A', d1), T('D', d1)], {'equal_nan': True})
    case('arith', 'equal', 't', [T('A', d1), T('A', d1)])
    case('arith', 'allclose', 't', [T('C', d1), T('C', d1)])

# max(a, b) / min(a, b): the binary overloads of the reductions
for f in ('max', 'min'):
    for d1 in DTYPES:
        for d2 in DTYPES:
            case('arith', f, 't', [T('A', d1), T('B', d2)])
            case('arith', f, 'm', [T('B', d1), T('Z', d2)])

# ---- out= ----------------------------------------------------------------------------------------------------------
OUT_DTYPES = ['float32', 'float64', 'int64', 'int32', 'uint8', 'bool', 'float16']
OUT_UNARY = [f for f in UNARY if f not in ('nan_to_num', 'isnan', 'isinf', 'isfinite')]
for f in OUT_UNARY:
    for d1 in ('float32', 'int64', 'uint8', 'bool'):
        for od in OUT_DTYPES:
            case('out', f, 't', [T('A', d1)], {'out': T('O', od)})
for f in ARITH + CMP + LOGIC + BITW:
    for d1 in ('float32', 'int64', 'int32', 'bool', 'uint8'):
        for od in OUT_DTYPES:
            case('out', f, 't', [T('A', d1), T('B', d1)], {'out': T('O', od)})
        case('out', f, 't', [T('A', d1), T('B', d1)], {'out': T('E', 'float32' if f not in CMP + LOGIC else 'bool')})
    case('out', f, 't', [T('A', 'float32'), T('B', 'float32')], {'out': T('P', 'float32')})  # resized (a warning)
for d1 in ('float32', 'int64', 'bool'):
    for od in OUT_DTYPES:
        case('out', 'clamp', 't', [T('A', d1), -1, 2], {'out': T('O', od)})
        case('out', 'lerp', 't', [T('A', d1), T('B', d1), 0.5], {'out': T('O', od)})
for f in ('sum', 'nansum', 'mean', 'nanmean', 'prod', 'amax', 'amin', 'argmax', 'argmin', 'all', 'any', 'logsumexp', 'norm'):
    for d1 in ('float32', 'int64', 'bool', 'float64'):
        for od in OUT_DTYPES:
            if f == 'norm': case('out', f, 't', [T('C', d1), 2, 1], {'out': T('P', od)})
            else: case('out', f, 't', [T('C', d1), 1], {'out': T('P', od)})
for f in ('cumsum', 'cumprod'):
    for d1 in ('float32', 'int64', 'bool'):
        for od in OUT_DTYPES:
            case('out', f, 't', [T('C', d1), 1], {'out': T('O', od)})
for d1 in DTYPES:  # in-place into a tensor smaller than the broadcast shape
    case('arith_inplace', 'add', 'i', [T('B', d1), T('A', d1)])
    case('arith_inplace', 'mul', 'i', [T('Z', d1), T('B', d1)])

# ---- ternary ------------------------------------------------------------------------------------------------------
for d1 in DTYPES:
    case('ternary', 'clamp', 'm', [T('A', d1)], {'min': -1, 'max': 2})
    case('ternary', 'clamp', 'm', [T('A', d1)], {'min': 0.5})
    case('ternary', 'clamp', 'm', [T('A', d1)], {'max': nan})
    case('ternary', 'clamp', 'm', [T('A', d1)], {'min': 3, 'max': 1})
    case('ternary', 'clamp', 'm', [T('A', d1)])
    case('ternary_inplace', 'clamp', 'i', [T('A', d1)], {'min': 0.5})
    case('ternary_inplace', 'clamp', 'i', [T('A', d1)], {'min': -1, 'max': 2})
    case('ternary', 'clamp_min', 'm', [T('A', d1), 1])
    case('ternary', 'clamp_max', 'm', [T('A', d1), 2.5])
    for d2 in DTYPES:
        case('ternary', 'clamp', 'm', [T('A', d1)], {'min': T('B', d2)})
        case('ternary', 'clamp', 'm', [T('A', d1), T('B', d2), T('Z', d2)])
        case('ternary_inplace', 'clamp', 'i', [T('A', d1), T('B', d2)])
        case('ternary', 'clamp_min', 'm', [T('A', d1), T('B', d2)])
        case('ternary', 'clamp_max', 'm', [T('A', d1), T('Z', d2)])
        case('ternary', 'where', 't', [T('D', 'bool'), T('A', d1), T('B', d2)])
        case('ternary', 'where', 't', [T('B', 'bool'), T('Z', d1), T('A', d2)])
        case('ternary', 'where', 't', [T('D', d1), T('A', d2), T('B', d2)])   # a non-bool condition
        case('ternary', 'lerp', 't', [T('A', d1), T('B', d2), 0.5])
        case('ternary', 'lerp', 't', [T('C', d1), T('B', d1), T('Z', d2)])
    for s in (3, 2.5, True, nan):
        case('ternary', 'where', 't', [T('D', 'bool'), T('A', d1), s])
        case('ternary', 'where', 't', [T('D', 'bool'), s, T('A', d1)])
    case('ternary', 'where', 't', [T('D', 'bool'), 2, 2.5])
    case('ternary_inplace', 'lerp', 'i', [T('C', d1), T('B', d1), 0.25])

# ---- reductions ---------------------------------------------------------------------------------------------------
RED_DIM = ['sum', 'nansum', 'mean', 'nanmean', 'amax', 'amin', 'all', 'any', 'logsumexp', 'count_nonzero', 'std', 'var',
           'norm', 'prod', 'argmax', 'argmin']
SINGLE_DIM = {'prod', 'argmax', 'argmin'}
NO_KEEPDIM = {'count_nonzero'}
for f in RED_DIM:
    for d in DTYPES:
        for src in ('A', 'C'):
            if f == 'logsumexp' and src == 'A':
                case('reduce', f, 'm', [T(src, d), 1])
            else:
                case('reduce', f, 'm', [T(src, d)])
            case('reduce', f, 'm', [T(src, d), 1])
            case('reduce', f, 'm', [T(src, d), 0] + ([] if f in NO_KEEPDIM else [True]))
            if f not in SINGLE_DIM: case('reduce', f, 'm', [T(src, d), [0, 1]])
        case('reduce', f, 't', [T('Z', d)] + ([0] if f == 'logsumexp' else []))
        case('reduce', f, 't', [T('Z', d), 0])
        case('reduce', f, 't', [T('E', d)] + ([0] if f == 'logsumexp' else []))
        case('reduce', f, 't', [T('E', d), 0])
for f in ('sum', 'nansum', 'mean', 'nanmean', 'prod'):
    for d in DTYPES:
        for d2 in ('float64', 'float32', 'int64', 'int32', 'bfloat16'):
            case('reduce', f, 'm', [T('C', d)], {'dtype': TD[d2]})
for d in DTYPES:
    for p in (1, 2, inf, -inf, 0, 3, 'fro'):
        case('reduce', 'norm', 'm', [T('C', d), p])
        case('reduce', 'norm', 'm', [T('A', d), p, 1])
    case('reduce', 'std', 'm', [T('C', d), 1], {'unbiased': False})
    case('reduce', 'var', 'm', [T('C', d), 1], {'correction': 0})
    case('reduce', 'var', 'm', [T('C', d), 1], {'correction': 2})
    case('reduce', 'std', 'm', [T('Z', d)])
    case('reduce', 'mode', 'm', [T('M', d)])
    case('reduce', 'mode', 'm', [T('M', d), 0])
    case('reduce', 'median', 'm', [T('M', d), 1])
    case('reduce', 'nanmedian', 'm', [T('M', d), 1])
    for f in ('max', 'min', 'median', 'nanmedian', 'mode', 'aminmax'):
        for src in ('A', 'C', 'D'):
            case('reduce', f, 'm', [T(src, d)])
            if f == 'aminmax': case('reduce', f, 'm', [T(src, d)], {'dim': 1})
            else: case('reduce', f, 'm', [T(src, d), 1])
            case('reduce', f, 'm', [T(src, d), 0, True] if f != 'aminmax' else [T(src, d)], {} if f != 'aminmax' else {'dim': 0, 'keepdim': True})
        case('reduce', f, 't', [T('Z', d)])
        case('reduce', f, 't', [T('E', d)])
        if f != 'aminmax': case('reduce', f, 't', [T('E', d), 0])
    for f in ('cumsum', 'cumprod', 'cummax', 'cummin', 'softmax', 'log_softmax'):
        for src in ('A', 'C'):
            case('reduce', f, 'm', [T(src, d), 0])
            case('reduce', f, 'm', [T(src, d), 1])
        case('reduce', f, 't', [T('Z', d), 0])
        case('reduce', f, 't', [T('E', d), 0])
    for d2 in ('float64', 'int64', 'float16'):
        for f in ('cumsum', 'cumprod', 'softmax', 'log_softmax'):
            case('reduce', f, 'm', [T('C', d), 1], {'dtype': TD[d2]})
    for f in ('cumsum', 'cumprod'):
        case('reduce_inplace', f, 'i', [T('C', d), 1])
    # the order family and negative dims
    for src in ('A', 'C', 'D'):
        case('reduce', 'sort', 'm', [T(src, d)])
        case('reduce', 'sort', 'm', [T(src, d), 0, True])
        case('reduce', 'argsort', 'm', [T(src, d), -1, True])
        case('reduce', 'msort', 't', [T(src, d)])
        case('reduce', 'topk', 'm', [T(src, d), 2])
        case('reduce', 'topk', 'm', [T(src, d), 1, 0, False])
        case('reduce', 'kthvalue', 'm', [T(src, d), 2])
        case('reduce', 'sum', 'm', [T(src, d), -1, True])
        case('reduce', 'amax', 'm', [T(src, d), [-1, -2]])
        case('reduce', 'argmin', 'm', [T(src, d), -2])
        case('reduce', 'cumsum', 'm', [T(src, d), -1])
    case('reduce', 'sort', 't', [T('Z', d)])
    case('reduce', 'sort', 't', [T('E', d)])
    case('reduce', 'topk', 't', [T('E', d), 0])
    case('reduce', 'kthvalue', 't', [T('Z', d), 1])

# the dtypes as the JS side names them
def jsfix(o):
    if isinstance(o, torch.dtype): return '%' + str(o).replace('torch.', '')
    if isinstance(o, list): return [jsfix(e) for e in o]
    if isinstance(o, dict): return {k: jsfix(v) for k, v in o.items()}
    return o


out = {'tensors': TENSORS, 'cases': {cat: jsfix(cs) for cat, cs in CASES.items()}}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sweep_ew.json')
with open(path, 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
print('%d cases, %d bytes' % (sum(COUNT.values()), os.path.getsize(path)), COUNT)
