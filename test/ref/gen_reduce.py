# gen_reduce.py - reference values from real PyTorch for test/reduce.test.ts: every reduction, scan, sort and
# softmax of lib/ops/reduce.ts over dims given as numbers and lists, negative dims, keepdim, 0-d and empty inputs,
# non-contiguous inputs (transposed, sliced, expanded, permuted), every dtype, NaN and tie rules, first- and
# second-order gradients with PyTorch's node names, large inputs (the kernels' parallel and pairwise paths, built
# from a formula both sides compute: no data stored), and error cases with PyTorch's message.
# Run: /usr/bin/python3 test/ref/gen_reduce.py   (writes test/ref/reduce.json; seeded, reproducible)
import json, math, os, re
import torch

torch.manual_seed(0)
CASES = []
F32, F64, F16, BF16 = torch.float32, torch.float64, torch.float16, torch.bfloat16


def fix(v):
    if isinstance(v, float):
        if v != v: return 'nan'
        if v == math.inf: return 'inf'
        if v == -math.inf: return '-inf'
    return v


def enc(t):
    t = t.detach()
    if t.dtype in (F16, BF16): d = t.float().reshape(-1).tolist()
    else: d = t.reshape(-1).tolist()
    if t.dtype == F32: d = [float('%.9g' % v) if v == v and abs(v) != math.inf else v for v in d]
    return {'$t': 'tensor', 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [fix(v) for v in d]}


# ---- inputs ------------------------------------------------------------------------------------------------
# spec: {'$t': 'tensor', dtype, shape, data | gen, layout?, rg?}; gen 'ramp' = ((i * 0.37) mod 1) - 0.5 in float64,
# cast to dtype (the test computes the same numbers), 'ones' = all ones.
def ramp(n):
    return (torch.arange(n, dtype=F64) * 0.37).remainder(1) - 0.5


def X(shape, dtype=F32, layout=None, gen=None, data=None, rg=None, kind='randn'):
    n = 1
    for s in shape: n *= s
    if data is not None:
        base = torch.tensor(data, dtype=F64).reshape(shape).to(dtype)
    elif gen == 'ramp':
        base = ramp(n).reshape(shape).to(dtype)
    elif gen == 'ones':
        base = torch.ones(shape, dtype=dtype)
    elif dtype == torch.bool:
        base = torch.rand(shape) > 0.5
    elif not dtype.is_floating_point:
        lo = 0 if dtype == torch.uint8 else -5
        base = torch.randint(lo, 6, shape).to(dtype)
    elif kind == 'ties':
        base = torch.randint(-2, 3, shape).to(dtype)
    elif kind == 'pos':
        base = (torch.rand(shape, dtype=F64) + 0.5).to(dtype)
    else:
        base = torch.randn(shape, dtype=F64).mul(1000).round().div(1000).to(dtype)
    spec = {'$t': 'tensor', 'dtype': str(dtype).replace('torch.', ''), 'shape': list(shape)}
    if gen: spec['gen'] = gen
    else: spec['data'] = enc(base)['data']
    if layout: spec['layout'] = layout
    spec['rg'] = dtype.is_floating_point if rg is None else rg
    return spec, base


def apply_layout(t, layout):
    for op in layout or []:
        if op[0] == 'transpose': t = t.transpose(op[1], op[2])
        elif op[0] == 'slice': t = t[(slice(None),) * op[1] + (slice(op[2], op[3], op[4]),)]
        elif op[0] == 'expand': t = t.expand(*op[1])
        elif op[0] == 'permute': t = t.permute(*op[1])
        else: raise ValueError(op)
    return t


SNAKE = {'logSoftmax': 'log_softmax', 'countNonzero': 'count_nonzero', 'returnInverse': 'return_inverse',
         'returnCounts': 'return_counts'}
snake = lambda k: SNAKE.get(k, k)


def pyval(v):
    if isinstance(v, str) and v in ('float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'bool', 'uint8', 'int8', 'int16'):
        return getattr(torch, v)
    if v == 'inf': return math.inf
    if v == '-inf': return -math.inf
    return v


def encode_out(r):
    if isinstance(r, torch.Tensor): return enc(r)
    if hasattr(r, 'values') and hasattr(r, 'indices'): return {'$t': 'named', 'values': enc(r.values), 'indices': enc(r.indices)}
    if isinstance(r, (tuple, list)): return [encode_out(x) for x in r]
    if isinstance(r, bool): return r
    raise TypeError(type(r))


def float_outs(r):
    if isinstance(r, torch.Tensor): return [r] if r.is_floating_point() else []
    if hasattr(r, 'values') and hasattr(r, 'indices'): return [r.values] if r.values.is_floating_point() else []
    if isinstance(r, (tuple, list)): return [t for x in r for t in float_outs(x)]
    return []


def w_like(t):
    return (torch.randint(-4, 5, t.shape) / 4).to(t.dtype)


def case(name, op, inputs, args=(), opts=None, fn=False, grad=True, double=False, error=None, py=None, tol=None, note=None, index_any=False):
    """op: the TS name (Tensor method, or torch.* function with fn=True); inputs: X(...) specs; args/opts as TS
    passes them (camelCase options; number-or-string scalars); py: optional override of the PyTorch call."""
    opts = opts or {}
    specs = [s for s, _ in inputs]
    c = {'name': name, 'op': op, 'fn': fn, 'inputs': specs, 'args': [fix(a) for a in args], 'opts': opts}
    if tol: c['tol'] = tol
    if note: c['note'] = note
    if index_any: c['index_any'] = True  # topk's order among equal values is unspecified: indices checked by value

    def call(ts):
        if py is not None: return py(*ts)
        pargs = [pyval(a) for a in args]
        popts = {snake(k): pyval(v) for k, v in opts.items()}
        if 'stable' in popts and pargs:  # Python's sort(stable=...) takes dim by keyword only
            popts['dim'] = pargs[0]
            pargs = pargs[1:]
        if fn: return getattr(torch, snake(op))(*ts, *pargs, **popts)
        return getattr(ts[0], snake(op))(*ts[1:], *pargs, **popts)

    bases = [b.clone() for _, b in inputs]
    views = [apply_layout(b, s.get('layout')) for (s, _), b in zip(inputs, bases)]
    if error is not None:
        try:
            call(views)
        except Exception as e:
            c['error'] = str(e).split('\n')[0]
            c['check_message'] = error is True
            CASES.append(c)
            return
        raise RuntimeError(f'{name}: expected an error')
    out = call(views)
    c['expected'] = encode_out(out)
    outs = float_outs(out)
    if grad and outs and any(s.get('rg') for s in specs):
        gb = [b.clone().requires_grad_(bool(s.get('rg'))) for s, b in zip(specs, bases)]
        gv = [apply_layout(b, s.get('layout')) for s, b in zip(specs, gb)]
        gout = call(gv)
        fouts = float_outs(gout)
        ws = [w_like(o) for o in fouts]
        loss = sum((o * w).sum() for o, w in zip(fouts, ws))
        leaves = [b for b in gb if b.requires_grad]
        gs = torch.autograd.grad(loss, leaves, create_graph=double, allow_unused=True)
        c['grad'] = {'w': [enc(w) for w in ws], 'grads': [enc(g) if g is not None else None for g in gs],
                     'fn': fouts[0].grad_fn.name() if fouts[0].grad_fn is not None else None}
        if double:
            vs = [w_like(b) for b in leaves]
            s2 = sum((g * v).sum() for g, v in zip(gs, vs) if g is not None)
            c['grad']['v'] = [enc(v) for v in vs]
            if not s2.requires_grad:  # the gradient is linear in w (sort, topk): no second derivative
                c['grad']['grads2'] = None
            else:
                g2 = torch.autograd.grad(s2, leaves, allow_unused=True)
                c['grad']['grads2'] = [enc(g) if g is not None else None for g in g2]
    CASES.append(c)


NAN, INF = float('nan'), float('inf')
T2 = [['transpose', 0, 1]]
SL = [['slice', 1, 0, 8, 2]]

# ---- sum / nansum / mean / prod ------------------------------------------------------------------------------
case('sum/all', 'sum', [X((3, 4, 5))], fn=True, double=False)
for d in (0, 1, 2, -1, -3):
    case(f'sum/dim{d}', 'sum', [X((3, 4, 5))], [d])
case('sum/dim_keepdim', 'sum', [X((3, 4, 5))], [1], {'keepdim': True})
case('sum/dims_list', 'sum', [X((3, 4, 5))], [[0, 2]])
case('sum/dims_list_neg_keepdim', 'sum', [X((3, 4, 5))], [[-1, 0]], {'keepdim': True})
case('sum/dims_empty_list', 'sum', [X((3, 4))], [[]])
case('sum/keepdim_positional', 'sum', [X((3, 4))], [1, True])
case('sum/0d', 'sum', [X(())])
case('sum/0d_dim', 'sum', [X(())], [0])
case('sum/0d_dim_keepdim', 'sum', [X(())], [-1], {'keepdim': True})
case('sum/empty_all', 'sum', [X((0, 3))])
case('sum/empty_dim0', 'sum', [X((0, 3))], [0])
case('sum/empty_dim1', 'sum', [X((0, 3))], [1])
case('sum/transposed', 'sum', [X((5, 7), layout=T2)], [1])
case('sum/transposed_dim0', 'sum', [X((5, 7), layout=T2)], [0])
case('sum/sliced', 'sum', [X((4, 9), layout=SL)], [1])
case('sum/expanded', 'sum', [X((1, 6), layout=[['expand', [4, 6]]])], [0])
case('sum/expanded_all', 'sum', [X((3, 1), layout=[['expand', [3, 5]]])])
case('sum/permuted', 'sum', [X((3, 4, 5), layout=[['permute', [2, 0, 1]]])], [[0, 2]])
case('sum/columns_tiles', 'sum', [X((30, 150))], [0])  # column path with a partial tile
case('sum/columns_3d', 'sum', [X((4, 20, 70))], [1])
for dt in (F64, F16, BF16):
    case(f'sum/{dt}'.replace('torch.', ''), 'sum', [X((6, 7), dt)], [1])
for dt in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool):
    case(f'sum/{dt}'.replace('torch.', ''), 'sum', [X((4, 5), dt)])
    case(f'sum/{dt}_dim'.replace('torch.', ''), 'sum', [X((4, 5), dt)], [0])
case('sum/dtype_float64', 'sum', [X((3, 4))], [], {'dtype': 'float64'})
case('sum/dtype_int_to_float', 'sum', [X((3, 4), torch.int32)], [1], {'dtype': 'float32'})
case('sum/dtype_int32', 'sum', [X((3, 4), torch.int32)], [], {'dtype': 'int32'})
case('sum/inf_nan', 'sum', [X((2, 3), data=[1, INF, 2, NAN, 1, 2])], [1], grad=False)
case('nansum/all', 'nansum', [X((2, 3), data=[1, NAN, 2, NAN, 1, 2])])
case('nansum/dim', 'nansum', [X((2, 3), data=[1, NAN, 2, NAN, 1, 2])], [1])
case('nansum/int', 'nansum', [X((2, 3), torch.int32)])
case('mean/all', 'mean', [X((3, 4, 5))], fn=True)
case('mean/dim', 'mean', [X((3, 4, 5))], [2])
case('mean/dims_keepdim', 'mean', [X((3, 4, 5))], [[1, 2]], {'keepdim': True})
case('mean/transposed', 'mean', [X((5, 7), layout=T2)], [0])
case('mean/f16', 'mean', [X((8, 5), F16)], [0])
case('mean/f64', 'mean', [X((8, 5), F64)])
case('mean/empty', 'mean', [X((0,))], grad=False)
case('mean/int_dtype_option', 'mean', [X((3, 4), torch.int64)], [1], {'dtype': 'float64'})
case('mean/int_error', 'mean', [X((3, 4), torch.int64)], error=True)
case('prod/all', 'prod', [X((2, 3), kind='pos')], fn=True, double=True)
case('prod/dim', 'prod', [X((3, 4))], [1], double=True)
case('prod/dim_keepdim', 'prod', [X((3, 4))], [0], {'keepdim': True})
case('prod/one_zero', 'prod', [X((2, 4), data=[1.5, 0, 2, -1, 0.5, 2, 3, 1])], [1], double=True)
case('prod/two_zeros', 'prod', [X((2, 4), data=[1.5, 0, 0, -1, 0, 2, 0, 1])], [1], double=True)
case('prod/all_one_zero', 'prod', [X((2, 3), data=[1.5, 0, 2, -1, 0.5, 2])], double=True)
case('prod/int', 'prod', [X((2, 3), torch.int32)])
case('prod/bool', 'prod', [X((2, 3), torch.bool)], [1])
case('prod/0d', 'prod', [X(())])
case('prod/transposed', 'prod', [X((3, 4), layout=T2)], [1])

# ---- var / std ---------------------------------------------------------------------------------------------
case('var/all', 'var', [X((4, 5))], fn=True, double=True)
case('var/dim', 'var', [X((4, 5))], [1], double=True)
case('var/dim_keepdim', 'var', [X((4, 5))], [1], {'keepdim': True})
case('var/correction0', 'var', [X((4, 5))], [1], {'correction': 0})
case('var/correction2', 'var', [X((4, 5))], [0], {'correction': 2})
case('var/unbiased_false', 'var', [X((4, 5))], [], {'unbiased': False})
case('var/unbiased_positional', 'var', [X((4, 5))], [False])
case('var/dim_unbiased_keepdim_positional', 'var', [X((4, 5))], [1, False, True])
case('var/dims_list', 'var', [X((3, 4, 5))], [[0, 2]])
case('var/transposed', 'var', [X((6, 5), layout=T2)], [1])
case('var/single', 'var', [X((1, 3))], [0], grad=False)
case('var/offset_precision', 'var', [X((1000,), data=[10000 + ((i * 0.37) % 1) for i in range(1000)])], grad=False)
case('var/f64', 'var', [X((5, 6), F64)], [0])
case('var/f16', 'var', [X((5, 6), F16)], [1])
case('var/int_error', 'var', [X((3,), torch.int64)], error=True)
case('std/all', 'std', [X((4, 5))], fn=True, double=True)
case('std/dim', 'std', [X((4, 5))], [1], double=True)
case('std/unbiased_false_dim', 'std', [X((4, 5))], [0], {'unbiased': False})
case('std/no_dim_unbiased_false', 'std', [X((4, 5))], [], {'unbiased': False})
case('std/correction_keepdim', 'std', [X((3, 4, 5))], [[1, 2]], {'correction': 0, 'keepdim': True})
case('std/sliced', 'std', [X((4, 9), layout=SL)], [1])

# ---- max / min / amax / amin / argmax / argmin ---------------------------------------------------------------------
case('max/all', 'max', [X((3, 4))], fn=True)
case('max/all_ties', 'max', [X((3, 4), kind='ties')], double=False)
case('max/dim', 'max', [X((3, 4))], [1])
case('max/dim_keepdim', 'max', [X((3, 4))], [0], {'keepdim': True})
case('max/dim_neg_fn', 'max', [X((3, 4, 2))], [-2], fn=True)
case('max/dim_ties', 'max', [X((4, 6), kind='ties')], [1])
case('max/dim_nan', 'max', [X((2, 4), data=[1, NAN, 3, NAN, 2, 1, 5, 0])], [1], grad=False)
case('max/all_nan', 'max', [X((2, 3), data=[1, NAN, 3, 2, 1, 5])], grad=False)
case('max/int', 'max', [X((3, 4), torch.int32)], [1])
case('max/int64_all', 'max', [X((3, 4), torch.int64)])
case('max/bool', 'max', [X((3, 4), torch.bool)])
case('max/uint8_dim', 'max', [X((3, 4), torch.uint8)], [0])
case('max/f16', 'max', [X((3, 5), F16)], [1])
case('max/0d_dim', 'max', [X(())], [0])
case('max/transposed', 'max', [X((4, 5), layout=T2)], [1])
case('max/columns', 'max', [X((7, 40))], [0])
case('max/empty_rows', 'max', [X((0, 3))], [1])
case('max/empty_error', 'max', [X((0,))], error=True)
case('max/empty_dim_error', 'max', [X((0, 3))], [0], error=True)
case('max/binary', 'max', [X((3, 4)), X((3, 4))], fn=True)
case('min/all', 'min', [X((3, 4))])
case('min/dim', 'min', [X((3, 4))], [1], fn=True)
case('min/dim_ties', 'min', [X((4, 6), kind='ties')], [0])
case('min/nan', 'min', [X((2, 3), data=[1, NAN, 3, 2, 1, 5])], [1], grad=False)
case('min/binary', 'min', [X((3, 4)), X((4,))], fn=True)
case('amax/dim', 'amax', [X((3, 4, 5))], [1], fn=True)
case('amax/dims', 'amax', [X((3, 4, 5))], [[0, 2]])
case('amax/all', 'amax', [X((3, 4))])
case('amax/ties', 'amax', [X((4, 6), kind='ties')], [1], double=False)
case('amax/nan', 'amax', [X((2, 3), data=[1, NAN, 3, 2, 1, 5])], [1], grad=False)
case('amax/int', 'amax', [X((3, 4), torch.int16)], [0])
case('amax/columns', 'amax', [X((9, 70))], [0])
case('amin/dim_keepdim', 'amin', [X((3, 4))], [1], {'keepdim': True})
case('amin/ties_all', 'amin', [X((3, 4), kind='ties')])
case('amin/empty_error', 'amin', [X((0, 3))], [0], error=True)
case('argmax/all', 'argmax', [X((3, 4))], fn=True)
case('argmax/dim', 'argmax', [X((3, 4))], [1])
case('argmax/keepdim', 'argmax', [X((3, 4))], [0], {'keepdim': True})
case('argmax/keepdim_no_dim', 'argmax', [X((3, 4))], [], {'keepdim': True})
case('argmax/ties_first', 'argmax', [X((5, 6), kind='ties')], [1])
case('argmax/ties_first_columns', 'argmax', [X((5, 20), kind='ties')], [0])
case('argmax/nan', 'argmax', [X((2, 4), data=[1, NAN, 3, NAN, 2, 1, 5, 0])], [1])
case('argmax/nan_columns', 'argmax', [X((3, 9), data=[1, NAN, 3, 4, 5, 6, 7, 8, 9, NAN, 2, 1, 5, 0, 1, 1, 1, 1, 0, 0, 9, NAN, 0, 0, 0, 0, 0])], [0])
case('argmax/int', 'argmax', [X((3, 4), torch.int64)], [1])
case('argmax/bool_error', 'argmax', [X((3, 4), torch.bool)], [1], error=True)
case('argmax/0d', 'argmax', [X(())])
case('argmax/empty_error', 'argmax', [X((0, 2))], error=True)
case('argmin/dim', 'argmin', [X((3, 4))], [0], fn=True)
case('argmin/all', 'argmin', [X((5,))])
case('argmin/ties_first', 'argmin', [X((5, 6), kind='ties')], [1])
case('argmin/nan', 'argmin', [X((2, 4), data=[1, NAN, 3, NAN, 2, 1, 5, 0])], [1])
case('argmin/transposed', 'argmin', [X((4, 5), layout=T2)], [1])

# ---- all / any / countNonzero --------------------------------------------------------------------------------------
case('all/bool', 'all', [X((3, 4), torch.bool)], fn=True)
case('all/dim', 'all', [X((3, 4), torch.bool)], [1])
case('all/true', 'all', [X((3,), data=[1, 1, 1], dtype=torch.bool)])
case('all/float_truthy', 'all', [X((4,), data=[0.5, NAN, -1, 2])])
case('all/float_zero', 'all', [X((2, 2), data=[0.5, 0, -1, 2])], [1])
case('all/uint8', 'all', [X((2, 3), torch.uint8)], [1])
case('all/int', 'all', [X((2, 3), torch.int64)])
case('all/empty', 'all', [X((0,), torch.bool)])
case('any/bool', 'any', [X((3, 4), torch.bool)], fn=True)
case('any/dim_keepdim', 'any', [X((3, 4), torch.bool)], [0], {'keepdim': True})
case('any/float', 'any', [X((2, 2), data=[0, 0, 0, 0.1])], [1])
case('any/uint8', 'any', [X((2, 3), torch.uint8)])
case('any/empty', 'any', [X((0, 2), torch.bool)], [0])
case('countNonzero/all', 'countNonzero', [X((3, 4), kind='ties')], fn=True)
case('countNonzero/dim', 'countNonzero', [X((3, 4), torch.int32)], [1])

# ---- logsumexp / norm ---------------------------------------------------------------------------------------------
case('logsumexp/dim', 'logsumexp', [X((3, 4))], [1], fn=True, double=True)
case('logsumexp/keepdim', 'logsumexp', [X((3, 4, 2))], [0], {'keepdim': True})
case('logsumexp/dims', 'logsumexp', [X((3, 4, 2))], [[0, 2]])
case('logsumexp/large', 'logsumexp', [X((2, 3), data=[1000, 1001, 999, -1000, -1001, -999])], [1])
case('logsumexp/neg_inf_row', 'logsumexp', [X((2, 3), data=[-INF, -INF, -INF, 1, 2, 3])], [1], grad=False)
case('logsumexp/int', 'logsumexp', [X((2, 3), torch.int64)], [1])
case('logsumexp/empty', 'logsumexp', [X((0, 2))], [0])
for p in (2, 1, 3, 0.5, 0, INF, -INF):
    pn = str(p).replace('.', '_')
    case(f'norm/p{pn}', 'norm', [X((3, 4))], [p], double=p not in (0, 1, INF, -INF))
    case(f'norm/p{pn}_dim', 'norm', [X((3, 4))], [p, 1])
case('norm/default', 'norm', [X((3, 4))], double=True)
case('norm/fro', 'norm', [X((3, 4))], ['fro'])
case('norm/fn_keepdim', 'norm', [X((3, 4))], [2, 0], {'keepdim': True}, fn=True)
case('norm/dims', 'norm', [X((3, 4, 2))], [2, [0, 2]])
case('norm/zero_vector', 'norm', [X((2, 3), data=[0, 0, 0, 1, 2, 2])], [2, 1])
case('norm/inf_ties', 'norm', [X((2, 3), data=[1, -3, 3, 1, 2, 2])], [INF, 1])
case('norm/transposed', 'norm', [X((4, 5), layout=T2)], [2, 1])
case('norm/f64', 'norm', [X((4, 5), F64)], [1.5])
case('norm/int_error', 'norm', [X((3,), torch.int64)], error=True)

# ---- cumsum / cumprod -------------------------------------------------------------------------------------------
case('cumsum/dim1', 'cumsum', [X((3, 4))], [1], fn=True)
case('cumsum/dim0', 'cumsum', [X((3, 4))], [0])
case('cumsum/neg', 'cumsum', [X((2, 3, 4))], [-2])
case('cumsum/transposed', 'cumsum', [X((4, 5), layout=T2)], [1])
case('cumsum/int', 'cumsum', [X((3, 4), torch.int32)], [1])
case('cumsum/bool', 'cumsum', [X((3, 4), torch.bool)], [0])
case('cumsum/dtype', 'cumsum', [X((3, 4), torch.int32)], [1], {'dtype': 'float64'})
case('cumsum/f16', 'cumsum', [X((3, 4), F16)], [1], grad=False, py=lambda x: x.float().cumsum(1).half(), note='PyTorch 1.13 CPU has no float16 cumsum; later versions do (reference: float32 cumsum cast to float16)')
case('cumsum/0d', 'cumsum', [X(())], [0])
case('cumsum/empty', 'cumsum', [X((0, 3))], [0])
case('cumprod/dim1', 'cumprod', [X((3, 4))], [1], fn=True, double=True)
case('cumprod/dim0', 'cumprod', [X((3, 4))], [0])
case('cumprod/zeros', 'cumprod', [X((3, 5), data=[1.5, 0, 2, -1, 3, 0.5, 2, 0, 0, 2, 1, -2, 0.5, 2, 0])], [1], double=True)
case('cumprod/zero_first', 'cumprod', [X((5,), data=[0, 2, 3, 0.5, 4])], [0], double=True)
case('cumprod/int', 'cumprod', [X((3, 4), torch.int8)], [1])
case('cumprod/transposed', 'cumprod', [X((4, 5), layout=T2)], [0])

# ---- sort / argsort / topk / unique -------------------------------------------------------------------------------
case('sort/default', 'sort', [X((3, 5))], fn=True)
case('sort/dim0', 'sort', [X((3, 5))], [0])
case('sort/descending', 'sort', [X((3, 5))], [1], {'descending': True})
case('sort/descending_positional', 'sort', [X((3, 5))], [1, True])
case('sort/ties_stable', 'sort', [X((4, 9), kind='ties')], [1], {'stable': True})
case('sort/ties_stable_desc', 'sort', [X((4, 9), kind='ties')], [1], {'stable': True, 'descending': True})
case('sort/nan', 'sort', [X((2, 4), data=[1, NAN, -INF, 3, NAN, INF, 0, NAN])], [1], {'stable': True}, grad=False)
case('sort/nan_desc', 'sort', [X((2, 4), data=[1, NAN, -INF, 3, NAN, INF, 0, NAN])], [1], {'descending': True, 'stable': True}, grad=False)
case('sort/int', 'sort', [X((3, 6), torch.int64)], [], {'stable': True})
case('sort/bool', 'sort', [X((2, 6), torch.bool)], [], {'stable': True})
case('sort/f16', 'sort', [X((2, 6), F16)], [])
case('sort/transposed', 'sort', [X((4, 5), layout=T2)], [1])
case('sort/0d', 'sort', [X(())])
case('sort/3d_dim1', 'sort', [X((2, 5, 3))], [1], double=True)
case('argsort/dim', 'argsort', [X((3, 5))], [1], fn=True)
case('argsort/descending', 'argsort', [X((6,))], [], {'descending': True})
case('argsort/stable_ties', 'argsort', [X((3, 7), kind='ties')], [], {'stable': True})
case('topk/default', 'topk', [X((3, 6))], [2], fn=True)
case('topk/dim0', 'topk', [X((5, 3))], [3, 0])
case('topk/smallest', 'topk', [X((3, 6))], [2, 1], {'largest': False})
case('topk/k_all', 'topk', [X((2, 4))], [4], double=True)
case('topk/k0', 'topk', [X((2, 4))], [0], grad=False)
case('topk/nan', 'topk', [X((5,), data=[1, NAN, 3, 2, 0])], [2], grad=False)
case('topk/int', 'topk', [X((3, 6), torch.int32)], [3], index_any=True)
case('topk/ties', 'topk', [X((3, 6), kind='ties')], [3, 1], index_any=True, grad=False)
case('topk/k_error', 'topk', [X((3, 4))], [5], error=True)
case('unique/int', 'unique', [X((6,), torch.int64, data=[3, 1, 3, 2, 1, 5])], fn=True, grad=False)
case('unique/inverse_counts', 'unique', [X((6,), torch.int64, data=[3, 1, 3, 2, 1, 5])], [], {'returnInverse': True, 'returnCounts': True}, fn=True, grad=False)
case('unique/inverse_2d', 'unique', [X((2, 3), torch.int64, data=[3, 1, 3, 2, 1, 5])], [], {'returnInverse': True}, grad=False)
case('unique/counts_only', 'unique', [X((7,), data=[0.5, -1, 0.5, 2, 2, 2, 3])], [], {'returnCounts': True}, grad=False)
case('unique/float', 'unique', [X((4,))], grad=False)
case('unique/bool', 'unique', [X((5,), torch.bool)], grad=False)
case('unique/f16', 'unique', [X((5,), F16, data=[1, 0.5, 1, 0.25, 0.5])], grad=False, py=lambda x: x.float().unique().half(), note='PyTorch 1.13 CPU has no float16 unique; later versions do')
case('unique/dim0', 'unique', [X((4, 2), torch.int64, data=[1, 2, 0, 5, 1, 2, 0, 4])], [], {'dim': 0, 'returnInverse': True, 'returnCounts': True}, fn=True, grad=False)
case('unique/dim1', 'unique', [X((2, 4), torch.int64, data=[1, 2, 1, 0, 3, 4, 3, 0])], [], {'dim': 1}, grad=False)
case('unique/empty', 'unique', [X((0,))], grad=False)

# ---- softmax / logSoftmax ----------------------------------------------------------------------------------------
case('softmax/dim1', 'softmax', [X((3, 4))], [1], double=True)
case('softmax/dim0_fn', 'softmax', [X((3, 4))], [0], fn=True, double=True)
case('softmax/neg', 'softmax', [X((2, 3, 4))], [-2])
case('softmax/transposed', 'softmax', [X((4, 5), layout=T2)], [1])
case('softmax/large', 'softmax', [X((2, 3), data=[1000, 1001, 999, -1000, -1001, -999])], [1])
case('softmax/neg_inf', 'softmax', [X((2, 3), data=[-INF, 0, 1, -INF, -INF, -INF])], [1], grad=False)
case('softmax/dtype', 'softmax', [X((3, 4))], [1], {'dtype': 'float64'})
case('softmax/f16', 'softmax', [X((3, 4), F16)], [1], grad=False, py=lambda x: x.float().softmax(1).half(), note='PyTorch 1.13 CPU has no float16 softmax; later versions do')
case('softmax/bf16', 'softmax', [X((3, 4), BF16)], [1])
case('softmax/0d', 'softmax', [X(())], [0])
case('softmax/int_error', 'softmax', [X((3,), torch.int64)], [0], error=True)
case('logSoftmax/dim', 'logSoftmax', [X((3, 4))], [-1], double=True)
case('logSoftmax/fn', 'logSoftmax', [X((2, 3, 4))], [1], fn=True, double=True)
case('logSoftmax/large', 'logSoftmax', [X((2, 3), data=[1000, 1001, 999, -1000, -1001, -999])], [1])
case('logSoftmax/dtype', 'logSoftmax', [X((3, 4), torch.int64, rg=False)], [1], {'dtype': 'float32'})
case('logSoftmax/bf16', 'logSoftmax', [X((3, 4), BF16)], [0])

# ---- errors with PyTorch's wording --------------------------------------------------------------------------------
case('error/dim_out_of_range', 'sum', [X((3, 4))], [2], error=True)
case('error/dim_out_of_range_neg', 'mean', [X((3, 4))], [-3], error=True)
case('error/dup_dims', 'sum', [X((3, 4))], [[1, 1]], error=True)
case('error/softmax_dim', 'softmax', [X((3, 4))], [2], error=True)
case('error/std_int', 'std', [X((3,), torch.int32)], error=True)

# ---- large inputs: parallel and pairwise paths (formula inputs, compared with a float64 reference) ---------------
LARGE = []
def large(name, shape, dims, dtype=F32, layout=None):
    spec, base = X(shape, dtype, gen='ramp', layout=layout, rg=False)
    v = apply_layout(base, layout)
    got = v.sum(dims) if dims is not None else v.sum()
    ref = v.double().sum(dims) if dims is not None else v.double().sum()
    absum = v.double().abs().sum(dims) if dims is not None else v.double().abs().sum()
    LARGE.append({'name': name, 'input': spec, 'dims': dims, 'torch': enc(got), 'ref64': enc(ref), 'abs64': enc(absum)})
large('full_1e6', (1000000,), None)
large('full_3d', (64, 100, 300), None)
large('rows_long', (3, 400000), [1])
large('cols_long', (400000, 3), [0])
large('cols_wide', (2000, 600), [0])
large('middle', (20, 3000, 40), [1])
large('transposed', (700, 900), [1], layout=T2)
large('f16_full', (100000,), None, F16)
large('f64_rows', (8, 200000), [1], F64)

json.dump({'generated_by': 'test/ref/gen_reduce.py', 'torch': torch.__version__, 'cases': CASES, 'large': LARGE},
          open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reduce.json'), 'w'), separators=(',', ':'))
print(len(CASES), 'cases,', len(LARGE), 'large')
