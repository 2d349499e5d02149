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

# ---- new_* / predicates / finfo / iinfo ------------------------------------------------------------------------------
fac = {}
x = torch.tensor([1.5, 2.5], dtype=torch.float64)
fac['new_zeros'] = ref(x.new_zeros(2, 3))
fac['new_ones_dtype'] = ref(x.new_ones([2], dtype=torch.int32))
fac['new_full'] = ref(x.new_full([2, 2], 7))
fac['new_tensor'] = ref(x.new_tensor([1, 2]))
fac['new_tensor_int_self'] = ref(torch.tensor([1, 2]).new_tensor([1.5, 2.5]))
fac['new_empty_shape'] = list(x.new_empty(4, 1).shape)
fac['type_as'] = ref(torch.tensor([1.7, -2.2]).type_as(torch.tensor([1])))
fac['is'] = {d: [torch.is_floating_point(torch.zeros(1, dtype=getattr(torch, d))), torch.is_complex(torch.zeros(1, dtype=getattr(torch, d))),
                 torch.zeros(1, dtype=getattr(torch, d)).is_signed()]
             for d in ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']}
fac['is_nonzero'] = [torch.tensor([0.]).is_nonzero(), torch.tensor([[3]]).is_nonzero(), torch.tensor(True).is_nonzero()]
fac['is_same_size'] = [torch.zeros(2, 3).is_same_size(torch.ones(2, 3)), torch.zeros(2, 3).is_same_size(torch.ones(3, 2))]
fi = {}
for d in ['float32', 'float64', 'float16', 'bfloat16']:
    f = torch.finfo(getattr(torch, d))
    fi[d] = {'bits': f.bits, 'eps': f.eps, 'max': f.max, 'min': f.min, 'tiny': f.tiny, 'smallest_normal': f.smallest_normal, 'resolution': f.resolution}
ii = {}
for d in ['int64', 'int32', 'int16', 'int8', 'uint8']:
    f = torch.iinfo(getattr(torch, d))
    ii[d] = {'bits': f.bits, 'max': str(f.max), 'min': str(f.min)}
fac['finfo'] = fi
fac['iinfo'] = ii
OUT['factories'] = fac

# ---- elementwise math: values and first-order gradients (float64), each op on its own input --------------------
def lin(lo, hi, n=7, dtype=torch.float64):
    return torch.linspace(lo, hi, n, dtype=dtype)

math_cases = []
def case(name, fn, inputs, grad=True, kw=None, tol=None):
    ins = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    out = fn(*ins)
    c = {'name': name, 'inputs': [ref(t) for t in inputs], 'out': ref(out) if isinstance(out, torch.Tensor) else [ref(o) for o in out]}
    if kw is not None: c['kw'] = kw
    if tol is not None: c['tol'] = tol
    if grad and isinstance(out, torch.Tensor) and out.requires_grad:
        w = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
        gs = torch.autograd.grad((out * w).sum(), [t for t in ins if t.requires_grad], allow_unused=True)
        c['w'] = ref(w)
        c['grads'] = [ref(g) if g is not None else None for g in gs]
        c['grad_fn'] = type(out.grad_fn).__name__
    math_cases.append(c)

pos = lin(0.3, 4.5)
unit = lin(-0.9, 0.9)
case('asinh', torch.asinh, [lin(-3, 3)])
case('acosh', torch.acosh, [lin(1.2, 5)])
case('atanh', torch.atanh, [unit])
case('arcsinh', torch.arcsinh, [lin(-3, 3)])
case('arccos', torch.arccos, [unit])
case('arcsin', torch.arcsin, [unit])
case('arctan', torch.arctan, [lin(-3, 3)])
case('arctan2', torch.arctan2, [lin(-3, 3), lin(2, -1)])
case('erfc', torch.erfc, [lin(-3, 3)])
case('erfinv', torch.erfinv, [torch.tensor([-0.999, -0.9, -0.3, 0., 0.2, 0.75, 0.99999], dtype=torch.float64)])
case('lgamma', torch.lgamma, [torch.tensor([-2.5, -0.5, 0.1, 0.5, 1., 3.3, 12.7, 150.], dtype=torch.float64)])
case('digamma', torch.digamma, [torch.tensor([-2.5, -0.5, 0.1, 0.5, 1., 3.3, 12.7, 150.], dtype=torch.float64)])
case('polygamma1', lambda x: torch.polygamma(1, x), [torch.tensor([-1.5, 0.1, 0.5, 1., 3.3, 12.7], dtype=torch.float64)])
case('polygamma2', lambda x: torch.polygamma(2, x), [torch.tensor([-1.5, 0.1, 0.5, 1., 3.3, 12.7], dtype=torch.float64)])
case('polygamma3', lambda x: torch.polygamma(3, x), [torch.tensor([0.1, 0.5, 1., 3.3, 12.7], dtype=torch.float64)], grad=False)
case('mvlgamma', lambda x: torch.mvlgamma(x, 3), [lin(1.2, 6)])
case('i0', torch.i0, [torch.tensor([-40., -3., -0.5, 0., 0.5, 2., 10., 31., 100.], dtype=torch.float64)])
case('sinc', torch.sinc, [torch.tensor([-2.5, -1., -0.3, 0., 0.3, 1., 2.5], dtype=torch.float64)])
case('logit', torch.logit, [lin(0.05, 0.95)])
case('logit_eps', lambda x: torch.logit(x, eps=0.2), [lin(0.05, 0.95)], kw={'eps': 0.2})
case('exp2', torch.exp2, [lin(-3, 3)])
case('hypot', torch.hypot, [lin(-3, 3), lin(2, -1)])
case('logaddexp', torch.logaddexp, [torch.tensor([-1000., -2., 0., 3., 1000., 7.], dtype=torch.float64), torch.tensor([-1000., 1., 0., -5., 999., 7.], dtype=torch.float64)])
case('logaddexp2', torch.logaddexp2, [torch.tensor([-1000., -2., 0., 3., 1000.], dtype=torch.float64), torch.tensor([-1000., 1., 0., -5., 999.], dtype=torch.float64)])
case('logaddexp_inf', torch.logaddexp, [torch.tensor([float('-inf'), float('inf'), float('-inf'), float('inf'), 2.], dtype=torch.float64), torch.tensor([float('-inf'), 1., 3., float('inf'), float('-inf')], dtype=torch.float64)], grad=False)
case('logaddexp2_inf', torch.logaddexp2, [torch.tensor([float('-inf'), float('inf'), float('-inf'), float('inf'), 2.], dtype=torch.float64), torch.tensor([float('-inf'), 1., 3., float('inf'), float('-inf')], dtype=torch.float64)], grad=False)
case('copysign', torch.copysign, [lin(-3, 3), torch.tensor([1., -1., -0., 0., 2., -3., float('nan')], dtype=torch.float64)])
case('nextafter', torch.nextafter, [torch.tensor([0., 1., -1., 1e300], dtype=torch.float64), torch.tensor([1., 2., -2., float('inf')], dtype=torch.float64)], grad=False)
case('nextafter32', torch.nextafter, [torch.tensor([0., 1., -1.]), torch.tensor([1., 2., -2.])], grad=False)
case('ldexp', torch.ldexp, [lin(-3, 3), torch.tensor([0, 1, -2, 3, 10, -10, 4])])
case('heaviside', torch.heaviside, [torch.tensor([-1.5, 0., 2.], dtype=torch.float64), torch.tensor([0.5, 0.25, 0.75], dtype=torch.float64)], grad=False)
case('gcd', torch.gcd, [torch.tensor([12, -18, 0, 7, 0]), torch.tensor([8, 12, 5, 0, 0])], grad=False)
case('lcm', torch.lcm, [torch.tensor([4, -6, 0, 7, 3]), torch.tensor([6, 4, 5, -3, 3])], grad=False)
case('float_power', torch.float_power, [torch.tensor([1.5, 2., 0.5]), torch.tensor([2., -1., 3.])])
case('float_power_int', lambda x: torch.float_power(x, 2), [torch.tensor([1, 2, 3])], grad=False)
case('frexp', torch.frexp, [torch.tensor([0., 1., -3., 0.75, 1024., 1e-40, 1e300, -7.5e-5], dtype=torch.float64)], grad=False)
case('frexp32', torch.frexp, [torch.tensor([0., 1., -3., 0.75, 1024., 1e-40, float('inf'), float('nan')])], grad=False)
case('deg2rad', torch.deg2rad, [lin(-180, 360)])
case('rad2deg', torch.rad2deg, [lin(-3, 3)])
case('deg2rad_int', torch.deg2rad, [torch.tensor([90, 180])], grad=False)
case('fix', torch.fix, [lin(-3.5, 3.5)])
case('rsub', lambda a, b: torch.rsub(a, b, alpha=2), [lin(-3, 3), lin(2, -1)])
case('addcmul', lambda a, b, c: torch.addcmul(a, b, c, value=0.5), [lin(-3, 3), lin(2, -1), lin(0.5, 1)])
case('addcdiv', lambda a, b, c: torch.addcdiv(a, b, c, value=-2), [lin(-3, 3), lin(2, -1), lin(0.5, 1)])
case('addr', lambda a, b, c: torch.addr(a, b, c, beta=0.5, alpha=2), [lin(-3, 3, 12).reshape(3, 4), lin(2, -1, 3), lin(0.5, 1, 4)])
case('addr_beta0', lambda a, b, c: torch.addr(a, b, c, beta=0), [torch.tensor([[float('nan'), 1.], [2., 3.]], dtype=torch.float64), lin(2, -1, 2), lin(0.5, 1, 2)])
case('addbmm', lambda a, b, c: torch.addbmm(a, b, c, beta=2, alpha=0.5), [lin(-3, 3, 6).reshape(2, 3), lin(2, -1, 16).reshape(2, 2, 4), lin(0.5, 1, 24).reshape(2, 4, 3)])
case('float32_special', lambda x: torch.stack([torch.lgamma(x), torch.digamma(x), torch.erfinv(x / 5), torch.i0(x), torch.erfc(x)]), [torch.tensor([0.5, 1.5, 2.5, 3.5])], grad=False)
OUT['math'] = math_cases

errs = {}
def err(name, fn):
    try:
        fn(); errs[name] = None
    except Exception as e:
        errs[name] = str(e)
err('hypot_int', lambda: torch.hypot(torch.tensor([1]), torch.tensor([2])))
err('gcd_float', lambda: torch.gcd(torch.tensor([1.]), torch.tensor([2.])))
err('heaviside_dtypes', lambda: torch.heaviside(torch.tensor([1.]), torch.tensor([1])))
err('addcdiv_int', lambda: torch.addcdiv(torch.tensor([1]), torch.tensor([1]), torch.tensor([1])))
err('float_power_', lambda: torch.ones(2).float_power_(2))
err('nonzero_many', lambda: torch.tensor([1, 2]).is_nonzero())
err('nonzero_none', lambda: torch.tensor([]).is_nonzero())
err('positive_bool', lambda: torch.positive(torch.tensor([True])))
err('iinfo_bool', lambda: torch.iinfo(torch.bool))
err('uniform_int', lambda: torch.zeros(2, dtype=torch.int64).uniform_())
err('uniform_range', lambda: torch.zeros(2).uniform_(2, 1))
err('normal_std', lambda: torch.zeros(2).normal_(0, -1))
err('exponential_lambda', lambda: torch.zeros(2).exponential_(0))
err('random_range', lambda: torch.zeros(2).random_(5, 5))
err('bernoulli_p', lambda: torch.zeros(2).bernoulli_(1.5))
err('polygamma_neg', lambda: torch.polygamma(-1, torch.ones(2)))
err('mvlgamma_domain', lambda: torch.mvlgamma(torch.tensor([0.5]), 2))
OUT['errors'] = errs
# random in-place ops' grad_fn names
x = torch.ones(3, requires_grad=True)
OUT['random_nodes'] = {n: type(getattr(x * 1, n)(*a).grad_fn).__name__ for n, a in
                       [('uniform_', ()), ('normal_', ()), ('exponential_', ()), ('cauchy_', ()), ('log_normal_', ()), ('geometric_', (0.5,)),
                        ('bernoulli_', (0.5,)), ('random_', ()), ('random_', (5,))]}

# ---- reductions / statistics: values and gradients (float64) ------------------------------------------------------
stat_cases = []
def scase(name, fn, inputs, grad=True):
    ins = [t.clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    out = fn(*ins)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    c = {'name': name, 'inputs': [ref(t) for t in inputs], 'outs': [ref(o) for o in outs]}
    if grad:
        loss = sum((o * torch.linspace(0.5, 1.5, o.numel(), dtype=o.dtype).reshape(o.shape)).sum() for o in outs)
        gs = torch.autograd.grad(loss, [t for t in ins if t.requires_grad], allow_unused=True)
        c['grads'] = [ref(g) if g is not None else None for g in gs]
    stat_cases.append(c)

g = torch.Generator().manual_seed(0)
A = torch.randn(3, 5, generator=g, dtype=torch.float64)
B = torch.randn(4, 5, generator=g, dtype=torch.float64)
Bat1 = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
Bat2 = torch.randn(2, 5, 4, generator=g, dtype=torch.float64)
An = A.clone(); An[0, 1] = float('nan'); An[2, :] = float('nan')
scase('std_mean', lambda x: torch.std_mean(x, 1), [A])
scase('std_mean_all', lambda x: torch.std_mean(x, False), [A])
scase('std_mean_corr', lambda x: torch.std_mean(x, [0, 1], correction=0, keepdim=True), [A])
scase('var_mean', lambda x: torch.var_mean(x, 0, True, True), [A])
scase('var_mean_all', lambda x: torch.var_mean(x), [A])
scase('logcumsumexp', lambda x: torch.logcumsumexp(x, 1), [A * 300])
scase('logcumsumexp_long', lambda x: torch.logcumsumexp(x, 0), [torch.randn(37, 2, generator=g, dtype=torch.float64) * 50])
scase('logcumsumexp0', lambda x: torch.logcumsumexp(x, 0), [torch.tensor([[-1000., 1.], [0., float('-inf')], [2., 3.]], dtype=torch.float64)])
for interp in ['linear', 'lower', 'higher', 'midpoint', 'nearest']:
    scase('quantile_' + interp, lambda x: torch.quantile(x, torch.tensor([0., 0.25, 0.5, 0.9, 1.], dtype=torch.float64), dim=1, keepdim=True, interpolation=interp), [A])
scase('quantile_all', lambda x: torch.quantile(x, 0.3), [A])
scase('quantile_all_keep', lambda x: torch.quantile(x, 0.3, keepdim=True), [A])
scase('quantile_nan', lambda x: torch.quantile(x, 0.5, dim=1), [An], grad=False)
scase('nanquantile', lambda x: torch.nanquantile(x, torch.tensor([0.2, 0.5], dtype=torch.float64), dim=1), [An], grad=False)
scase('nanquantile_dim0', lambda x: torch.nanquantile(x, 0.75, dim=0), [An], grad=False)
scase('cov', lambda x: torch.cov(x), [A])
scase('cov_corr0', lambda x: torch.cov(x, correction=0), [A])
scase('cov_1d', lambda x: torch.cov(x), [A[0]])
scase('cov_fw', lambda x: torch.cov(x, fweights=torch.tensor([1, 2, 0, 3, 1])), [A])
scase('cov_aw', lambda x: torch.cov(x, aweights=torch.tensor([0.5, 1., 2., 0.25, 1.], dtype=torch.float64)), [A])
scase('cov_both', lambda x: torch.cov(x, correction=2, fweights=torch.tensor([1, 2, 1, 3, 1]), aweights=torch.tensor([0.5, 1., 2., 0.25, 1.], dtype=torch.float64)), [A])
scase('corrcoef', torch.corrcoef, [A])
scase('cdist', lambda a, b: torch.cdist(a, b), [A, B])
scase('cdist_p1', lambda a, b: torch.cdist(a, b, p=1), [A, B])
scase('cdist_p3', lambda a, b: torch.cdist(a, b, p=3), [A, B])
scase('cdist_inf', lambda a, b: torch.cdist(a, b, p=float('inf')), [A, B])
scase('cdist_batch', lambda a, b: torch.cdist(a, b), [Bat1, Bat2])
Big1 = torch.randn(30, 6, generator=g, dtype=torch.float64)
Big2 = torch.randn(7, 6, generator=g, dtype=torch.float64)
scase('cdist_mm', lambda a, b: torch.cdist(a, b), [Big1, Big2])
scase('cdist_mm_forced', lambda a, b: torch.cdist(a, b, compute_mode='use_mm_for_euclid_dist'), [A, B])
scase('cdist_no_mm', lambda a, b: torch.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist'), [Big1, Big2])
scase('dist', lambda a, b: torch.dist(a, b), [A, B[:1]])
scase('dist_p3', lambda a, b: torch.dist(a, b, 3), [A, B[:1]])
scase('renorm', lambda x: torch.renorm(x, 2, 0, 1.5), [A])
scase('renorm_p1_dim1', lambda x: torch.renorm(x, 1, 1, 1.0), [A])
OUT['stats'] = stat_cases
serrs = {}
def serr(name, fn):
    try:
        fn(); serrs[name] = None
    except Exception as e:
        serrs[name] = str(e)
serr('quantile_q', lambda: torch.quantile(A, 1.5))
serr('quantile_int', lambda: torch.quantile(torch.tensor([1, 2]), 0.5))
serr('quantile_empty', lambda: torch.quantile(torch.tensor([], dtype=torch.float64), 0.5))
serr('quantile_interp', lambda: torch.quantile(A, 0.5, interpolation='foo'))
serr('quantile_qdtype', lambda: torch.quantile(A, torch.tensor([0.5])))
serr('cov_3d', lambda: torch.cov(torch.ones(2, 2, 2)))
serr('cov_fw_float', lambda: torch.cov(A, fweights=torch.ones(5)))
serr('cov_fw_neg', lambda: torch.cov(A, fweights=torch.tensor([1, -1, 1, 1, 1])))
serr('cov_aw_int', lambda: torch.cov(A, aweights=torch.ones(5, dtype=torch.int64)))
serr('cov_fw_numel', lambda: torch.cov(A, fweights=torch.ones(4, dtype=torch.int64)))
serr('cdist_cols', lambda: torch.cdist(A, torch.ones(2, 4, dtype=torch.float64)))
serr('cdist_1d', lambda: torch.cdist(A[0], B))
serr('cdist_int', lambda: torch.cdist(torch.ones(2, 2, dtype=torch.int64), B))
serr('cdist_p', lambda: torch.cdist(A, B, p=-1))
OUT['stat_errors'] = serrs

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ops_more.json'), 'w') as f:
    json.dump(OUT, f, separators=(',', ':'))
