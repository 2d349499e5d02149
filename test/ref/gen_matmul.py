# gen_matmul.py - reference values from real PyTorch for test/matmul.test.ts: matmul/mm/bmm/mv/dot/outer/addmm/
# baddbmm/addmv/einsum over many shapes (sizes like 1, 7, 33, 65, 129, 257 that hit the micro-kernel edges and the
# KC boundary), transposed/strided inputs, broadcast batches, float64 and integers, with the gradients of
# sum(out * w), node names and error messages.
# Inputs come from a 32-bit LCG that test/matmul.test.ts reproduces exactly, so only results are stored.
# Run: /usr/bin/python3 test/ref/gen_matmul.py   (writes test/ref/matmul.json)
import json, math, os, torch

def lcg(seed, n):
    x = (seed * 2654435761 + 12345) & 0xffffffff
    out = []
    for _ in range(n):
        x = (x * 1664525 + 1013904223) & 0xffffffff
        out.append((x >> 8) / 16777216.0 - 0.5)  # exact in float32: 24 bits
    return out

def enc(t):
    d = t.detach().reshape(-1).tolist()
    fix = lambda v: ('nan' if v != v else ('inf' if v == math.inf else ('-inf' if v == -math.inf else float(('%.15g' if t.dtype == torch.float64 else '%.7g') % v)))) if isinstance(v, float) else v
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': [fix(v) for v in d]}

DT = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'int32': torch.int32}
seed_counter = [1]

def inp(shape, dtype='float32', layout=None, rg=True):
    """an input spec: base shape and dtype, LCG seed, optional view ops applied after construction"""
    seed_counter[0] += 1
    return {'shape': list(shape), 'dtype': dtype, 'seed': seed_counter[0], 'layout': layout or [], 'rg': rg and dtype.startswith('float')}

def build(s, grad):
    n = 1
    for v in s['shape']: n *= v
    vals = lcg(s['seed'], n)
    if s['dtype'].startswith('int'): vals = [int(math.floor(v * 20 + 0.5)) for v in vals]  # small integers
    base = torch.tensor(vals, dtype=DT[s['dtype']]).reshape(s['shape'])
    if grad and s['rg']: base.requires_grad_(True)
    v = base
    for op in s['layout']:
        if op[0] == 'transpose': v = v.transpose(op[1], op[2])
        elif op[0] == 'slice': v = v[tuple([slice(None)] * op[1] + [slice(op[2], op[3], op[4])])]
        elif op[0] == 'expand': v = v.expand(*op[1])
        else: raise ValueError(op)
    return base, v

cases = []
def case(name, op, inputs, opts=None, eq=None, tol=None):
    c = {'name': name, 'op': op, 'inputs': inputs, 'opts': opts or {}}
    if eq is not None: c['eq'] = eq
    if tol: c['tol'] = tol
    def call(views):
        args = ([eq] if eq is not None else []) + views
        fn = getattr(torch, op)
        return fn(*args, **opts) if opts else fn(*args)
    try:
        views = [build(s, False)[1] for s in inputs]
        out = call(views)
    except Exception as e:
        c['error'] = str(e).split('\n')[0]
        cases.append(c)
        return
    c['expected'] = enc(out)
    if out.dtype.is_floating_point and any(s['rg'] for s in inputs):
        built = [build(s, True) for s in inputs]
        y = call([b[1] for b in built])
        w = torch.tensor(lcg(999 + len(cases), y.numel()), dtype=y.dtype).reshape(y.shape)
        c['fn'] = y.grad_fn.name() if y.grad_fn else None
        (y * w).sum().backward()
        c['grads'] = [enc(b[0].grad) if (s['rg'] and b[0].grad is not None) else None for s, b in zip(inputs, built)]
    cases.append(c)

T = ['transpose', -1, -2]
# ---- 2-D products, shapes across micro-kernel edges (MR 14/6/4, NR 32/16) and the KC=256 boundary ----
for (m, k, n) in [(1, 1, 1), (1, 7, 1), (7, 33, 65), (33, 65, 7), (65, 129, 33), (13, 5, 31), (15, 17, 33), (29, 3, 47),
                  (6, 16, 16), (14, 32, 32), (28, 40, 64), (129, 20, 33), (9, 257, 17), (257, 9, 7), (5, 300, 24), (3, 1, 70)]:
    case(f'mm_{m}x{k}x{n}', 'mm', [inp([m, k]), inp([k, n])])
for (m, k, n) in [(33, 65, 7), (9, 257, 17)]:
    case(f'mm_aT_{m}x{k}x{n}', 'mm', [inp([k, m], layout=[T]), inp([k, n])])
    case(f'mm_bT_{m}x{k}x{n}', 'mm', [inp([m, k]), inp([n, k], layout=[T])])
    case(f'mm_abT_{m}x{k}x{n}', 'mm', [inp([k, m], layout=[T]), inp([n, k], layout=[T])])
case('mm_strided', 'mm', [inp([17, 70], layout=[['slice', 1, 0, 70, 2]]), inp([70, 20], layout=[['slice', 0, 0, 70, 2]])])
case('mm_strided_rows', 'mm', [inp([66, 20], layout=[['slice', 0, 1, 66, 2]]), inp([20, 70], layout=[['slice', 1, 0, 70, 2]])])
case('mm_float64', 'mm', [inp([33, 65], 'float64'), inp([65, 17], 'float64')])
case('mm_float64_T', 'mm', [inp([65, 33], 'float64', [T]), inp([17, 65], 'float64', [T])])
case('mm_int64', 'mm', [inp([7, 5], 'int64'), inp([5, 9], 'int64')])
case('mm_int32', 'mm', [inp([9, 33], 'int32'), inp([33, 4], 'int32')])
case('mm_empty_k', 'mm', [inp([3, 0]), inp([0, 4])])
case('mm_empty_m', 'mm', [inp([0, 3]), inp([3, 4])])
case('mm_err_shape', 'mm', [inp([2, 3]), inp([4, 5])])
case('mm_err_dtype', 'mm', [inp([2, 3]), inp([3, 4], 'float64')])
case('mm_err_ndim', 'mm', [inp([2, 3, 1]), inp([4, 5])])

# ---- matmul's dimension rules ----
case('matmul_1d_1d', 'matmul', [inp([7]), inp([7])])
case('matmul_1d_2d', 'matmul', [inp([7]), inp([7, 5])])
case('matmul_2d_1d', 'matmul', [inp([5, 7]), inp([7])])
case('matmul_2d_2d', 'matmul', [inp([5, 7]), inp([7, 3])])
case('matmul_3d_1d', 'matmul', [inp([3, 5, 7]), inp([7])])
case('matmul_1d_3d', 'matmul', [inp([7]), inp([3, 7, 5])])
case('matmul_3d_2d_fold', 'matmul', [inp([3, 33, 20]), inp([20, 17])])
case('matmul_3d_2dT_fold', 'matmul', [inp([3, 33, 20]), inp([17, 20], layout=[T])])
case('matmul_2d_3d', 'matmul', [inp([5, 7]), inp([3, 7, 4])])
case('matmul_3d_3d', 'matmul', [inp([3, 5, 7]), inp([3, 7, 4])])
case('matmul_bcast_4d_3d', 'matmul', [inp([2, 1, 5, 7]), inp([4, 7, 3])])
case('matmul_bcast_both', 'matmul', [inp([2, 1, 3, 5, 7]), inp([4, 1, 7, 6])])
case('matmul_bcast_1s', 'matmul', [inp([1, 5, 7]), inp([3, 7, 4])])
case('matmul_4d_1d', 'matmul', [inp([2, 3, 5, 7]), inp([7])])
case('matmul_batch_T', 'matmul', [inp([3, 7, 5], layout=[T]), inp([3, 4, 7], layout=[T])])
case('matmul_expand_batch', 'matmul', [inp([1, 5, 7], layout=[['expand', [3, 5, 7]]]), inp([3, 7, 4])])
case('matmul_big_batch', 'matmul', [inp([24, 5, 6]), inp([24, 6, 7])])
case('matmul_float64_bcast', 'matmul', [inp([2, 1, 5, 7], 'float64'), inp([3, 7, 4], 'float64')])
case('matmul_int64_batched', 'matmul', [inp([2, 3, 4], 'int64'), inp([4, 5], 'int64')])
case('matmul_err_0d', 'matmul', [inp([]), inp([3])])
case('matmul_err_1d', 'matmul', [inp([3]), inp([4])])
case('matmul_err_2d_1d', 'matmul', [inp([3, 4]), inp([5])])
case('matmul_err_1d_2d', 'matmul', [inp([3]), inp([4, 5])])
case('matmul_err_batch', 'matmul', [inp([2, 3, 4]), inp([3, 4, 5])])
case('matmul_err_k', 'matmul', [inp([2, 3, 4]), inp([2, 5, 6])])
case('matmul_err_dtype', 'matmul', [inp([2, 3]), inp([3, 4], 'float64')])

# ---- bmm, mv, dot, outer ----
case('bmm', 'bmm', [inp([4, 9, 7]), inp([4, 7, 5])])
case('bmm_T', 'bmm', [inp([4, 7, 9], layout=[T]), inp([4, 5, 7], layout=[T])])
case('bmm_big', 'bmm', [inp([2, 33, 17]), inp([2, 17, 40])])
case('bmm_err_batch', 'bmm', [inp([3, 3, 4]), inp([2, 4, 6])])
case('bmm_err_k', 'bmm', [inp([2, 3, 4]), inp([2, 5, 6])])
case('bmm_err_ndim', 'bmm', [inp([3, 4]), inp([2, 4, 6])])
case('mv', 'mv', [inp([9, 33]), inp([33])])
case('mv_T', 'mv', [inp([33, 9], layout=[T]), inp([33])])
case('mv_strided', 'mv', [inp([9, 33]), inp([66], layout=[['slice', 0, 0, 66, 2]])])
case('mv_err', 'mv', [inp([3, 4]), inp([5])])
case('dot', 'dot', [inp([65]), inp([65])])
case('dot_strided', 'dot', [inp([10], layout=[['slice', 0, 0, 10, 2]]), inp([5])])
case('dot_float64', 'dot', [inp([300], 'float64'), inp([300], 'float64')])
case('dot_int64', 'dot', [inp([9], 'int64'), inp([9], 'int64')])
case('dot_err_size', 'dot', [inp([3]), inp([4])])
case('dot_err_dtype', 'dot', [inp([3]), inp([3], 'float64')])
case('outer', 'outer', [inp([7]), inp([5])])
case('outer_promote', 'outer', [inp([3]), inp([4], 'float64')])
case('outer_int', 'outer', [inp([3], 'int64'), inp([4], 'int64')])
case('ger', 'ger', [inp([4]), inp([3])])

# ---- addmm, baddbmm, addmv ----
case('addmm', 'addmm', [inp([5, 4]), inp([5, 7]), inp([7, 4])])
case('addmm_bcast_scaled', 'addmm', [inp([4]), inp([5, 7]), inp([7, 4])], {'beta': 0.5, 'alpha': -2.0})
case('addmm_beta0', 'addmm', [inp([5, 4]), inp([5, 7]), inp([7, 4])], {'beta': 0.0})
case('addmm_big_T', 'addmm', [inp([1, 17]), inp([40, 33], layout=[T]), inp([40, 17])], {'beta': 2.0, 'alpha': 0.5})
case('addmm_int', 'addmm', [inp([3, 4], 'int64'), inp([3, 5], 'int64'), inp([5, 4], 'int64')], {'beta': 2, 'alpha': 3})
case('addmm_err_bcast', 'addmm', [inp([3, 3]), inp([3, 4]), inp([4, 2])])
case('baddbmm', 'baddbmm', [inp([3, 5, 4]), inp([3, 5, 7]), inp([3, 7, 4])])
case('baddbmm_bcast_scaled', 'baddbmm', [inp([5, 1]), inp([3, 5, 7]), inp([3, 7, 4])], {'beta': -1.0, 'alpha': 0.25})
case('addmv', 'addmv', [inp([5]), inp([5, 7]), inp([7])], {'beta': 0.5, 'alpha': 2.0})
case('addmv_bcast', 'addmv', [inp([1]), inp([5, 7]), inp([7])])

# ---- einsum ----
for name, eq, shapes in [
    ('matmul', 'ij,jk->ik', [[3, 4], [4, 5]]),
    ('diag', 'ii->i', [[4, 4]]),
    ('trace', 'ii', [[4, 4]]),
    ('transpose', 'ij->ji', [[3, 4]]),
    ('sum_all', 'ij->', [[3, 4]]),
    ('sum_rows', 'ij->i', [[3, 4]]),
    ('outer', 'i,j->ij', [[3], [4]]),
    ('inner', 'i,i->', [[5], [5]]),
    ('mv', 'ij,j->i', [[3, 4], [4]]),
    ('bmm', 'bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]),
    ('ellipsis', '...ij,...jk->...ik', [[2, 3, 4], [2, 4, 5]]),
    ('ellipsis_bcast', '...ij,...jk->...ik', [[2, 1, 3, 4], [5, 4, 2]]),
    ('ellipsis_sum', '...i,...i->...', [[2, 3, 4], [3, 4]]),
    ('ellipsis_mid', 'a...b,b...->a...', [[2, 3, 4], [4, 3]]),
    ('rowwise_dot', 'ij,ij->i', [[3, 4], [3, 4]]),
    ('attention', 'bhqd,bhkd->bhqk', [[2, 2, 3, 4], [2, 2, 5, 4]]),
    ('implicit', 'ij,jk', [[2, 3], [3, 2]]),
    ('implicit_order', 'ba,ca', [[3, 4], [2, 4]]),
    ('upper', 'Ab,bC->AC', [[2, 3], [3, 4]]),
    ('three', 'abc,cd,de->abe', [[2, 3, 4], [4, 5], [5, 2]]),
    ('three_elementwise', 'i,i,i->i', [[6], [6], [6]]),
    ('chain_shared', 'ij,jk,ki->', [[3, 4], [4, 5], [5, 3]]),
    ('diag_sum', 'iij->j', [[3, 3, 4]]),
    ('diag_keep', 'ijj->ij', [[2, 3, 3]]),
    ('bilinear', 'bn,anm,bm->ba', [[2, 3], [4, 3, 5], [2, 5]]),
    ('sum_then_contract', 'ij,kl->il', [[2, 3], [4, 5]]),
    ('bcast_label', 'ij,ij->ij', [[1, 4], [3, 4]]),
    ('contract_many', 'abcd,cdbe->ae', [[2, 3, 4, 5], [4, 5, 3, 2]]),
    ('spaces', ' ij , jk -> ik ', [[3, 4], [4, 2]]),
]:
    case(f'einsum_{name}', 'einsum', [inp(s) for s in shapes], eq=eq)
case('einsum_T_inputs', 'einsum', [inp([4, 3], layout=[T]), inp([5, 4], layout=[T])], eq='ij,jk->ik')
case('einsum_float64', 'einsum', [inp([3, 4], 'float64'), inp([4, 5], 'float64')], eq='ij,jk->ki')
case('einsum_int64', 'einsum', [inp([3, 4], 'int64'), inp([4, 5], 'int64')], eq='ij,jk->ik')
case('einsum_big', 'einsum', [inp([2, 33, 17]), inp([2, 17, 20])], eq='bij,bjk->bki')
for name, eq, shapes in [
    ('err_size', 'ij,jk->ik', [[3, 4], [5, 2]]),
    ('err_diag', 'ii->i', [[3, 4]]),
    ('err_few', 'ij,jk->ik', [[3, 4]]),
    ('err_out_unknown', 'ij->k', [[3, 4]]),
    ('err_out_twice', 'ij->ii', [[3, 4]]),
    ('err_ndim', 'ijk->i', [[3, 4]]),
]:
    case(f'einsum_{name}', 'einsum', [inp(s) for s in shapes], eq=eq)

# ---- second-order gradients (createGraph through each backward formula): y = sum(f(x...) * w),
# g = autograd.grad(y, xs, create_graph=True), then sum(g_i ** 2).backward() ----
programs = []
def prog(name, op, inputs, opts=None, eq=None):
    built = [build(s, True)[0] for s in inputs]
    args = ([eq] if eq is not None else []) + built
    y = getattr(torch, op)(*args, **(opts or {}))
    w = torch.tensor(lcg(5000 + len(programs), y.numel()), dtype=y.dtype).reshape(y.shape)
    gs = torch.autograd.grad((y * w).sum(), built, create_graph=True)
    sum((g * g).sum() for g in gs).backward()
    programs.append({'name': name, 'op': op, 'inputs': inputs, 'opts': opts or {}, 'eq': eq,
                     'first': [enc(g) for g in gs], 'second': [enc(b.grad) if b.grad is not None else None for b in built]})
prog('mm', 'mm', [inp([3, 4]), inp([4, 5])])
prog('matmul_bcast', 'matmul', [inp([2, 1, 3, 4]), inp([5, 4, 2])])
prog('matmul_1d_3d', 'matmul', [inp([4]), inp([2, 4, 3])])
prog('bmm', 'bmm', [inp([2, 3, 4]), inp([2, 4, 5])])
prog('mv', 'mv', [inp([3, 4]), inp([4])])
prog('dot', 'dot', [inp([5]), inp([5])])
prog('outer', 'outer', [inp([3]), inp([4])])
prog('addmm', 'addmm', [inp([4]), inp([3, 5]), inp([5, 4])], {'beta': 0.5, 'alpha': 2.0})
prog('baddbmm', 'baddbmm', [inp([3, 4]), inp([2, 3, 5]), inp([2, 5, 4])], {'beta': -1.0, 'alpha': 0.5})
prog('einsum_matmul', 'einsum', [inp([3, 4]), inp([4, 5])], eq='ij,jk->ik')
prog('einsum_diag', 'einsum', [inp([4, 4]), inp([4])], eq='ii,i->i')
prog('einsum_three', 'einsum', [inp([2, 3]), inp([3, 4]), inp([4, 2])], eq='ab,bc,cd->ad')
prog('einsum_sum', 'einsum', [inp([3, 4]), inp([5])], eq='ij,k->j')

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'matmul.json')
with open(path, 'w') as f:
    json.dump({'generated_by': f'torch {torch.__version__}', 'cases': cases, 'programs': programs}, f, separators=(',', ':'))
print(f'{len(cases)} cases -> {path} ({os.path.getsize(path)} bytes)')
