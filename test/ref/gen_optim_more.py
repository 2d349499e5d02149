# gen_optim_more.py - parameter trajectories of PyTorch 1.13's Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop for
# test/optim_more.test.ts: each step sets recorded gradients (seeded random, some near zero and sign-flipping) on two
# parameters, steps, and records the parameters and the state. Run: /usr/bin/python3 test/ref/gen_optim_more.py
import json, torch

OUT = {'generated_by': 'test/ref/gen_optim_more.py, torch ' + torch.__version__, 'cases': []}


def enc(t):
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist()}


def case(name, cls, opts, steps=6, dtype=torch.float32, py_opts=None):
    torch.manual_seed(len(OUT['cases']))
    p1 = torch.nn.Parameter(torch.randn(3, 4, dtype=dtype))
    p2 = torch.nn.Parameter(torch.randn(4, dtype=dtype))
    init = [enc(p1), enc(p2)]
    o = getattr(torch.optim, cls)([p1, p2], **(py_opts or opts))
    grads, traj = [], []
    for k in range(steps):
        g1 = torch.randn(3, 4, dtype=dtype) * (0.1 if k % 2 else 1.0)
        g2 = torch.randn(4, dtype=dtype)
        if k == 3: g2[0] = 0.0
        p1.grad, p2.grad = g1.clone(), g2.clone()
        o.step()
        grads.append([enc(g1), enc(g2)])
        traj.append([enc(p1), enc(p2)])
    state = {str(i): {k: (enc(v) if isinstance(v, torch.Tensor) else v) for k, v in o.state[p].items()} for i, p in enumerate([p1, p2])}
    OUT['cases'].append({'name': name, 'cls': cls, 'opts': opts, 'init': init, 'grads': grads, 'traj': traj, 'state': state})


case('adadelta', 'Adadelta', {})
case('adadelta_wd_max', 'Adadelta', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-5, 'weightDecay': 0.1, 'maximize': True}, py_opts={'lr': 0.5, 'rho': 0.8, 'eps': 1e-5, 'weight_decay': 0.1, 'maximize': True})
case('adamax', 'Adamax', {})
case('adamax_wd_f64', 'Adamax', {'lr': 0.01, 'betas': [0.8, 0.9], 'weightDecay': 0.05}, dtype=torch.float64, py_opts={'lr': 0.01, 'betas': (0.8, 0.9), 'weight_decay': 0.05})
case('nadam', 'NAdam', {}, steps=8)
case('nadam_md', 'NAdam', {'lr': 0.01, 'momentumDecay': 0.01, 'weightDecay': 0.01}, py_opts={'lr': 0.01, 'momentum_decay': 0.01, 'weight_decay': 0.01})
case('radam', 'RAdam', {}, steps=8)
case('radam_b2', 'RAdam', {'lr': 0.01, 'betas': [0.9, 0.9], 'weightDecay': 0.1}, steps=8, py_opts={'lr': 0.01, 'betas': (0.9, 0.9), 'weight_decay': 0.1})
case('asgd', 'ASGD', {})
case('asgd_t0', 'ASGD', {'lr': 0.05, 'lambd': 0.01, 'alpha': 0.5, 't0': 2, 'weightDecay': 0.1}, steps=7, py_opts={'lr': 0.05, 'lambd': 0.01, 'alpha': 0.5, 't0': 2, 'weight_decay': 0.1})
case('rprop', 'Rprop', {}, steps=8)
case('rprop_opts_f64', 'Rprop', {'lr': 0.1, 'etas': [0.3, 1.5], 'stepSizes': [0.01, 0.2], 'maximize': True}, steps=8, dtype=torch.float64,
     py_opts={'lr': 0.1, 'etas': (0.3, 1.5), 'step_sizes': (0.01, 0.2), 'maximize': True})
json.dump(OUT, open(__file__.replace('gen_optim_more.py', 'optim_more.json'), 'w'))
print('wrote', len(OUT['cases']), 'cases')
