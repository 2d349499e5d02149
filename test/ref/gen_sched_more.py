# gen_sched_more.py - learning-rate trajectories of PyTorch 1.13's LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR,
# CosineAnnealingWarmRestarts, CyclicLR, SequentialLR and ChainedScheduler for test/sched_more.test.ts (the lambdas
# are named; the test defines the same functions). Run: /usr/bin/python3 test/ref/gen_sched_more.py
import json, torch
from torch.optim import lr_scheduler as L

LAMBDAS = {'pow95': lambda e: 0.95 ** e, 'inv': lambda e: 1.0 / (e + 1), 'c09': lambda e: 0.9, 'step3': lambda e: 0.5 ** (e // 3)}
OUT = {'generated_by': 'test/ref/gen_sched_more.py, torch ' + torch.__version__, 'cases': []}


def opt(kind, groups, **kw):
    ps = [[torch.nn.Parameter(torch.zeros(1))] for _ in groups]
    specs = [{'params': p, 'lr': lr} for p, lr in zip(ps, groups)]
    return (torch.optim.SGD if kind == 'SGD' else torch.optim.Adam)(specs, **kw)


def record(o):
    return {'lr': [g['lr'] for g in o.param_groups],
            'momentum': [g['betas'][0] if 'betas' in g else g.get('momentum') for g in o.param_groups]}


def case(name, optspec, make, steps, epochs=None, spec=None):
    o = opt(*optspec[:2], **optspec[2])
    s = make(o)
    traj = [record(o)]
    for i in range(steps):
        o.step()
        if epochs is not None: s.step(epochs[i])
        else: s.step()
        traj.append(record(o))
    OUT['cases'].append({'name': name, 'optimizer': {'kind': optspec[0], 'lrs': optspec[1], 'opts': optspec[2]}, 'spec': spec,
                         'epochs': epochs, 'steps': steps, 'traj': traj, 'last_lr': s.get_last_lr()})


case('lambda_pow95', ('SGD', [0.1], {}), lambda o: L.LambdaLR(o, LAMBDAS['pow95']), 8, spec=['LambdaLR', ['pow95'], {}])
case('lambda_two_groups', ('SGD', [0.1, 0.2], {}), lambda o: L.LambdaLR(o, [LAMBDAS['pow95'], LAMBDAS['inv']]), 6, spec=['LambdaLR', [['pow95', 'inv']], {}])
case('multiplicative', ('SGD', [0.5], {}), lambda o: L.MultiplicativeLR(o, LAMBDAS['c09']), 6, spec=['MultiplicativeLR', ['c09'], {}])
case('constant', ('SGD', [0.05], {}), lambda o: L.ConstantLR(o, factor=0.5, total_iters=4), 8, spec=['ConstantLR', [], {'factor': 0.5, 'totalIters': 4}])
case('constant_default', ('SGD', [0.3], {}), lambda o: L.ConstantLR(o), 7, spec=['ConstantLR', [], {}])
case('polynomial', ('SGD', [0.01], {}), lambda o: L.PolynomialLR(o, total_iters=4, power=2.0), 7, spec=['PolynomialLR', [], {'totalIters': 4, 'power': 2.0}])
case('warm_restarts', ('SGD', [0.1], {}), lambda o: L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.01), 15,
     spec=['CosineAnnealingWarmRestarts', [3], {'tMult': 2, 'etaMin': 0.01}])
case('warm_restarts_mult1', ('SGD', [0.1], {}), lambda o: L.CosineAnnealingWarmRestarts(o, 4), 10, spec=['CosineAnnealingWarmRestarts', [4], {}])
case('warm_restarts_epochs', ('SGD', [0.1], {}), lambda o: L.CosineAnnealingWarmRestarts(o, 2, T_mult=3), 5, epochs=[0.5, 1.2, 3.7, 10.1, 2.0],
     spec=['CosineAnnealingWarmRestarts', [2], {'tMult': 3}])
case('cyclic_triangular2_momentum', ('SGD', [0.1], {'momentum': 0.9}), lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=3, mode='triangular2'), 14,
     spec=['CyclicLR', [0.01, 0.1], {'stepSizeUp': 3, 'mode': 'triangular2'}])
case('cyclic_exp_range', ('SGD', [0.1, 0.1], {}), lambda o: L.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=2, step_size_down=4, mode='exp_range', gamma=0.9, cycle_momentum=False), 12,
     spec=['CyclicLR', [[0.01, 0.02], 0.1], {'stepSizeUp': 2, 'stepSizeDown': 4, 'mode': 'exp_range', 'gamma': 0.9, 'cycleMomentum': False}])
case('cyclic_triangular', ('SGD', [0.1], {'momentum': 0.5}), lambda o: L.CyclicLR(o, 0.001, 0.006, step_size_up=4, base_momentum=0.7, max_momentum=0.95), 10,
     spec=['CyclicLR', [0.001, 0.006], {'stepSizeUp': 4, 'baseMomentum': 0.7, 'maxMomentum': 0.95}])
case('sequential', ('SGD', [0.1], {}), lambda o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)], milestones=[2]), 8,
     spec=['SequentialLR', [[['ConstantLR', [], {'factor': 0.1, 'totalIters': 2}], ['ExponentialLR', [0.9], {}]], [2]], {}])
case('sequential_three', ('SGD', [1.0], {}), lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.25, total_iters=3), L.ConstantLR(o, factor=0.5, total_iters=10), L.StepLR(o, 2, gamma=0.5)], milestones=[3, 5]), 10,
     spec=['SequentialLR', [[['LinearLR', [], {'startFactor': 0.25, 'totalIters': 3}], ['ConstantLR', [], {'factor': 0.5, 'totalIters': 10}], ['StepLR', [2], {'gamma': 0.5}]], [3, 5]], {}])
case('chained', ('SGD', [1.0], {}), lambda o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)]), 6,
     spec=['ChainedScheduler', [[['ConstantLR', [], {'factor': 0.1, 'totalIters': 2}], ['ExponentialLR', [0.9], {}]]], {}])
json.dump(OUT, open(__file__.replace('gen_sched_more.py', 'sched_more.json'), 'w'))
print('wrote', len(OUT['cases']), 'cases')
