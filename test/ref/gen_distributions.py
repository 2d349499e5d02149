# gen_distributions.py - reference values for test/distributions.test.ts from PyTorch 1.13 (float64):
# log_prob, entropy, cdf, icdf, mean, variance and the gradients of sum(log_prob) + sum(entropy) w.r.t. each parameter,
# KL divergences with their gradients, argument-validation messages, and torch.autograd.functional results.
# Run: /usr/bin/python3 test/ref/gen_distributions.py  (writes test/ref/distributions.json)
import json, os, math
import torch
import torch.distributions as D
from torch.autograd import functional as AF

torch.set_default_dtype(torch.float64)
T = lambda x: torch.tensor(x, dtype=torch.float64)

def enc(t):
    if t is None: return None
    t = t.detach()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and math.isnan(v): data.append('nan')
        elif isinstance(v, float) and math.isinf(v): data.append('inf' if v > 0 else '-inf')
        else: data.append(v)
    return {'shape': list(t.shape), 'data': data}

def attempt(f):
    try: return f()
    except NotImplementedError: return None

# (name, constructor keyword params, value, icdf probabilities or None)
CASES = [
    ('Normal', {'loc': [0.0, 1.5, -2.0], 'scale': [1.0, 2.0, 0.5]}, [0.5, 0.5, -1.0], [0.1, 0.5, 0.9]),
    ('Bernoulli', {'probs': [0.2, 0.5, 0.9]}, [1.0, 0.0, 1.0], None),
    ('Bernoulli', {'logits': [-1.0, 0.3, 2.0]}, [0.0, 1.0, 1.0], None),
    ('Categorical', {'probs': [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [2, 0], None),
    ('Categorical', {'logits': [[0.1, -1.0, 2.0, 0.5]]}, [3], None),
    ('OneHotCategorical', {'probs': [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]], None),
    ('Uniform', {'low': [0.0, -1.0], 'high': [2.0, 3.0]}, [0.5, 2.5], [0.25, 0.75]),
    ('Exponential', {'rate': [0.5, 2.0]}, [1.0, 0.3], [0.2, 0.7]),
    ('Laplace', {'loc': [0.0, 1.0], 'scale': [1.0, 0.5]}, [0.7, -0.2], [0.3, 0.8]),
    ('Cauchy', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, [0.7, -0.2], [0.3, 0.8]),
    ('Gumbel', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, [0.7, -0.2], [0.3, 0.8]),
    ('HalfNormal', {'scale': [1.0, 2.5]}, [0.7, 1.2], [0.3, 0.8]),
    ('LogNormal', {'loc': [0.0, 0.5], 'scale': [1.0, 0.7]}, [0.7, 2.2], [0.3, 0.8]),
    ('Pareto', {'scale': [1.0, 2.0], 'alpha': [3.0, 0.8]}, [1.5, 4.0], [0.3, 0.8]),
    ('Weibull', {'scale': [1.0, 2.0], 'concentration': [1.5, 0.7]}, [0.5, 3.0], [0.3, 0.8]),
    ('Poisson', {'rate': [0.5, 3.0, 20.0]}, [0.0, 2.0, 25.0], None),
    ('Geometric', {'probs': [0.2, 0.7]}, [3.0, 0.0], None),
    ('Beta', {'concentration1': [2.0, 0.5], 'concentration0': [3.0, 1.5]}, [0.3, 0.8], None),
    ('Gamma', {'concentration': [2.5, 0.7], 'rate': [1.5, 3.0]}, [1.2, 0.1], None),
    ('Chi2', {'df': [3.0, 7.5]}, [2.0, 6.0], None),
    ('Dirichlet', {'concentration': [[1.5, 2.0, 0.7], [3.0, 1.0, 2.0]]}, [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], None),
    ('StudentT', {'df': [3.0, 1.5], 'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, [0.7, -1.0], None),
    ('Binomial', {'total_count': [10.0, 10.0], 'probs': [0.3, 0.8]}, [3.0, 9.0], None),
    ('Multinomial', {'total_count': 6, 'probs': [0.2, 0.3, 0.5]}, [1.0, 2.0, 3.0], None),
    ('NegativeBinomial', {'total_count': [3.0, 7.5], 'probs': [0.3, 0.6]}, [2.0, 11.0], None),
    ('NegativeBinomial', {'total_count': [4.0], 'logits': [0.2]}, [5.0], None),
    ('MixtureSameFamily', {'mix_logits': [[0.1, -0.5, 0.3], [1.0, 0.0, 0.0]], 'loc': [[0.0, 1.0, -2.0], [0.5, 0.5, 3.0]], 'scale': [[1.0, 0.5, 2.0], [0.3, 1.0, 1.5]]}, [0.4, 1.7], 'cdf'),
    ('MultivariateNormal', {'loc': [0.5, -1.0], 'covariance_matrix': [[2.0, 0.5], [0.5, 1.0]]}, [0.3, -0.2], None),
    ('MultivariateNormal', {'loc': [[0.5, -1.0, 0.0], [1.0, 2.0, 3.0]], 'scale_tril': [[1.5, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.4, 1.1]]}, [[0.3, -0.2, 0.1], [1.0, 1.0, 1.0]], None),
    ('MultivariateNormal', {'loc': [0.0, 1.0], 'precision_matrix': [[2.0, -0.3], [-0.3, 0.9]]}, [0.3, -0.2], None),
]

def build(name, params, grad=True):
    kw = {}
    leaves = {}
    if name == 'MixtureSameFamily':
        leaves = {k: T(v).requires_grad_(grad) for k, v in params.items()}
        return D.MixtureSameFamily(D.Categorical(logits=leaves['mix_logits']), D.Normal(leaves['loc'], leaves['scale'])), leaves
    for k, v in params.items():
        if isinstance(v, int) and k == 'total_count' and name == 'Multinomial':
            kw[k] = v; continue
        t = T(v)
        if grad and k != 'total_count': t.requires_grad_(True); leaves[k] = t
        kw[k] = t
    return getattr(D, name)(**kw), leaves

out = {'cases': [], 'kl': [], 'errors': [], 'functional': {}}
for name, params, value, q in CASES:
    d, leaves = build(name, params)
    v = T(value) if name not in ('Categorical',) else torch.tensor(value)
    lp = d.log_prob(v)
    ent = attempt(d.entropy)
    L = lp.sum() + (ent.sum() if ent is not None else 0)
    grads = torch.autograd.grad(L, list(leaves.values()), allow_unused=True)
    case = {'dist': name, 'params': params, 'value': value, 'logProb': enc(lp), 'entropy': enc(ent),
            'mean': enc(attempt(lambda: d.mean)), 'variance': enc(attempt(lambda: d.variance)),
            'batchShape': list(d.batch_shape), 'eventShape': list(d.event_shape),
            'grads': {k: enc(g) for k, g in zip(leaves.keys(), grads)}}
    if q == 'cdf':
        case['cdf'] = enc(d.cdf(v))
    elif q is not None:
        case['cdf'] = enc(d.cdf(v))
        case['icdf'] = enc(d.icdf(T(q)))
        case['q'] = q
    out['cases'].append(case)

KL = [
    ('Normal', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, 'Normal', {'loc': [0.5, -1.0], 'scale': [1.5, 0.7]}),
    ('Bernoulli', {'probs': [0.2, 0.7]}, 'Bernoulli', {'probs': [0.5, 0.4]}),
    ('Categorical', {'probs': [[0.2, 0.3, 0.5]]}, 'Categorical', {'probs': [[0.4, 0.4, 0.2]]}),
    ('OneHotCategorical', {'logits': [[0.1, 1.0, -0.5]]}, 'OneHotCategorical', {'logits': [[0.3, 0.0, 0.2]]}),
    ('Beta', {'concentration1': [2.0, 0.5], 'concentration0': [3.0, 1.5]}, 'Beta', {'concentration1': [1.0, 2.0], 'concentration0': [1.0, 2.5]}),
    ('Gamma', {'concentration': [2.5, 0.7], 'rate': [1.5, 3.0]}, 'Gamma', {'concentration': [1.0, 2.0], 'rate': [1.0, 0.5]}),
    ('Uniform', {'low': [0.0, -1.0], 'high': [1.0, 1.0]}, 'Uniform', {'low': [-1.0, 0.0], 'high': [2.0, 3.0]}),
    ('Exponential', {'rate': [0.5, 2.0]}, 'Exponential', {'rate': [1.0, 1.5]}),
    ('Laplace', {'loc': [0.0, 1.0], 'scale': [1.0, 0.5]}, 'Laplace', {'loc': [0.3, 0.0], 'scale': [2.0, 1.0]}),
    ('Poisson', {'rate': [0.5, 3.0]}, 'Poisson', {'rate': [1.0, 2.0]}),
    ('Geometric', {'probs': [0.2, 0.7]}, 'Geometric', {'probs': [0.4, 0.5]}),
    ('Dirichlet', {'concentration': [[1.5, 2.0, 0.7]]}, 'Dirichlet', {'concentration': [[1.0, 1.0, 1.0]]}),
    ('Gumbel', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, 'Gumbel', {'loc': [0.5, 0.0], 'scale': [1.5, 1.0]}),
    ('HalfNormal', {'scale': [1.0, 2.5]}, 'HalfNormal', {'scale': [2.0, 1.0]}),
    ('LogNormal', {'loc': [0.0, 0.5], 'scale': [1.0, 0.7]}, 'LogNormal', {'loc': [0.3, 0.0], 'scale': [0.5, 1.0]}),
    ('Binomial', {'total_count': [10.0], 'probs': [0.3]}, 'Binomial', {'total_count': [10.0], 'probs': [0.6]}),
    ('Bernoulli', {'probs': [0.2, 0.7]}, 'Poisson', {'rate': [0.5, 2.0]}),
    ('Exponential', {'rate': [0.5, 2.0]}, 'Gamma', {'concentration': [1.5, 0.7], 'rate': [1.0, 3.0]}),
    ('Exponential', {'rate': [0.5, 2.0]}, 'Normal', {'loc': [0.3, -1.0], 'scale': [1.5, 0.7]}),
    ('Gamma', {'concentration': [2.5, 0.7], 'rate': [1.5, 3.0]}, 'Exponential', {'rate': [1.0, 1.5]}),
    ('Laplace', {'loc': [0.0, 1.0], 'scale': [1.0, 0.5]}, 'Normal', {'loc': [0.5, -1.0], 'scale': [1.5, 0.7]}),
    ('Normal', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, 'Gumbel', {'loc': [0.5, 0.0], 'scale': [1.5, 1.0]}),
    ('Uniform', {'low': [0.0, -1.0], 'high': [1.0, 1.0]}, 'Normal', {'loc': [0.5, -1.0], 'scale': [1.5, 0.7]}),
    ('Normal', {'loc': [0.0, 1.0], 'scale': [1.0, 2.0]}, 'Gamma', {'concentration': [1.5, 0.7], 'rate': [1.0, 3.0]}),
    ('Laplace', {'loc': [0.0, 1.0], 'scale': [1.0, 0.5]}, 'Uniform', {'low': [0.0, -1.0], 'high': [1.0, 1.0]}),
    ('MultivariateNormal', {'loc': [0.5, -1.0], 'covariance_matrix': [[2.0, 0.5], [0.5, 1.0]]},
     'MultivariateNormal', {'loc': [0.0, 0.0], 'scale_tril': [[1.0, 0.0], [0.3, 0.8]]}),
]
for pn, pp, qn, qp in KL:
    p, pl = build(pn, pp); q, ql = build(qn, qp)
    kl = D.kl_divergence(p, q)
    leaves = list(pl.values()) + list(ql.values())
    gs = torch.autograd.grad(kl.sum(), leaves, allow_unused=True) if kl.requires_grad else [None] * len(leaves)
    names = ['p.' + k for k in pl] + ['q.' + k for k in ql]
    out['kl'].append({'p': [pn, pp], 'q': [qn, qp], 'kl': enc(kl), 'grads': {n: enc(g) for n, g in zip(names, gs)}})

def err(f):
    try: f(); return None
    except (ValueError, RuntimeError, NotImplementedError) as e: return str(e)
out['errors'] = [
    ['Normal', {'loc': [0.0], 'scale': [-1.0]}, err(lambda: D.Normal(T([0.0]), T([-1.0])))],
    ['Bernoulli', {'probs': [1.5]}, err(lambda: D.Bernoulli(probs=T([1.5])))],
    ['Gamma', {'concentration': [0.0], 'rate': [1.0]}, err(lambda: D.Gamma(T([0.0]), T([1.0])))],
    ['Exponential', {'rate': [-2.0]}, err(lambda: D.Exponential(T([-2.0])))],
]

# torch.autograd.functional
def f1(x): return (x.sin() * x.pow(2)).cumsum(0)
def f2(x, y): return (x * y.sum(), x.exp() + y[:2])
def fs(x, y): return (x.pow(3).sum() * y.sin().sum()) + (x * y[:2]).sum()
x = T([0.3, -1.2]); y = T([0.5, 2.0, -0.7])
F = out['functional']
F['jacobian_single'] = enc(AF.jacobian(f1, x))
F['jacobian_tuple'] = [[enc(J) for J in row] for row in AF.jacobian(f2, (x, y))]
F['jacobian_tuple_in_single_out'] = [enc(J) for J in AF.jacobian(fs, (x, y))]
F['hessian_single'] = enc(AF.hessian(lambda x: (x.pow(3) * x.flip(0)).sum(), x))
F['hessian_tuple'] = [[enc(H) for H in row] for row in AF.hessian(fs, (x, y))]
vo = T([1.0, -2.0])
F['vjp'] = [enc(a) for a in AF.vjp(f1, x, vo)]
vi = T([0.7, 0.1])
F['jvp'] = [enc(a) for a in AF.jvp(f1, x, vi)]
vx = (T([1.0, 0.5]), T([0.2, -0.3, 0.4]))
hv = AF.hvp(fs, (x, y), vx); vh = AF.vhp(fs, (x, y), vx)
F['hvp'] = [enc(hv[0]), [enc(a) for a in hv[1]]]
F['vhp'] = [enc(vh[0]), [enc(a) for a in vh[1]]]

# second derivatives through lgamma/digamma: the Hessian of a Gamma log-likelihood w.r.t. (concentration, rate)
data = T([0.4, 1.3, 2.2])
F['hessian_gamma_loglik'] = [[enc(H) for H in row] for row in AF.hessian(lambda c, r: D.Gamma(c, r).log_prob(data).sum(), (T([1.7]), T([0.9])))]
F['hessian_beta_entropy'] = [[enc(H) for H in row] for row in AF.hessian(lambda a, b: D.Beta(a, b).entropy().sum(), (T([1.7]), T([2.9])))]
# Gamma's reparameterisation gradient dx/dalpha at fixed x (torch._standard_gamma_grad)
ga = T([0.3, 0.3, 1.0, 2.5, 2.5, 9.0, 40.0]); gx = T([0.05, 1.2, 0.7, 0.9, 4.0, 8.5, 44.0])
out['standardGammaGrad'] = {'alpha': ga.tolist(), 'x': gx.tolist(), 'grad': torch._standard_gamma_grad(ga, gx).tolist()}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'distributions.json')
with open(path, 'w') as fh: json.dump(out, fh, separators=(',', ':'))
print('wrote', path, len(out['cases']), 'cases', len(out['kl']), 'KL pairs')
