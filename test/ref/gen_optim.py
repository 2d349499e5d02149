# gen_optim.py - reference values from real PyTorch for test/optim.test.ts: optimizer trajectories (every
# algorithm and option, float32 and float64, param groups, params without grads, non-contiguous params), the
# optimizer state-dict structure, and lr-scheduler sequences (chainable step(), closed-form step(epoch), momentum
# cycling, scheduler state-dict resume).  Run: /usr/bin/python3 test/ref/gen_optim.py  (writes test/ref/optim.json)
import json, math, os, torch
torch.manual_seed(0)

def enc(t):
    t = t.detach()
    d = t.reshape(-1).tolist()
    if t.dtype == torch.float32:  # 9 significant digits round-trip a float32 exactly and keep the file small
        d = [float('%.9g' % v) for v in d]
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': d}

CAMEL = {'weight_decay': 'weightDecay', 'lr_decay': 'lrDecay', 'initial_accumulator_value': 'initialAccumulatorValue',
         'T_max': 'tMax', 'eta_min': 'etaMin', 'step_size': 'stepSize', 'start_factor': 'startFactor',
         'end_factor': 'endFactor', 'total_iters': 'totalIters', 'total_steps': 'totalSteps', 'pct_start': 'pctStart',
         'anneal_strategy': 'annealStrategy', 'three_phase': 'threePhase', 'div_factor': 'divFactor',
         'final_div_factor': 'finalDivFactor', 'cycle_momentum': 'cycleMomentum', 'base_momentum': 'baseMomentum',
         'max_momentum': 'maxMomentum', 'threshold_mode': 'thresholdMode', 'min_lr': 'minLr', 'steps_per_epoch': 'stepsPerEpoch'}
camel = lambda d: {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}

optim_cases = []
def optim_case(name, cls, options, dtype=torch.float32, steps=4, groups=None, no_grad=(), layout=None):
    shapes = [(3, 4), (5,), ()]
    params = [torch.randn(s, dtype=dtype) for s in shapes]
    work = [p.clone().requires_grad_(True) for p in params]
    base = None
    if layout == 'transpose':  # a non-contiguous leaf parameter: strides (1, 3) over a (4, 3) storage
        base = torch.randn(4, 3, dtype=dtype)
        params[0] = base.t().contiguous()
        work[0] = base.clone().t().detach().requires_grad_(True)
    if groups is None:
        opt = cls(work, **options)
    else:
        opt = cls([dict(g, params=[work[i] for i in g['params']]) for g in groups], **options)
    grads, expected = [], []
    for s in range(steps):
        gs = []
        for i, p in enumerate(work):
            if (s, i) in no_grad or ('all', i) in no_grad:
                p.grad = None
                gs.append(None)
            else:
                g = torch.randn(p.shape, dtype=dtype)
                p.grad = g.clone()
                gs.append(enc(g))
        opt.step()
        grads.append(gs)
        expected.append([enc(p) for p in work])
    sd = opt.state_dict()
    state_keys = {str(k): sorted(v.keys()) for k, v in sd['state'].items()}
    steps_sd = {str(k): float(v['step']) for k, v in sd['state'].items() if 'step' in v}
    optim_cases.append({'name': name, 'optim': cls.__name__, 'options': camel(options), 'dtype': str(dtype).replace('torch.', ''),
                        'groups': [camel(g) for g in groups] if groups else None, 'layout': layout,
                        'base0': enc(base) if base is not None else None,
                        'params': [enc(p) for p in params], 'grads': grads, 'expected': expected,
                        'state_keys': state_keys, 'state_steps': steps_sd,
                        'group_keys': sorted(k for k in sd['param_groups'][0].keys())})

O = torch.optim
optim_case('sgd_plain', O.SGD, {'lr': 0.1})
optim_case('sgd_momentum_nesterov_wd', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01})
optim_case('sgd_dampening_maximize', O.SGD, {'lr': 0.1, 'momentum': 0.8, 'dampening': 0.3, 'maximize': True})
optim_case('sgd_f64', O.SGD, {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.1}, dtype=torch.float64)
optim_case('sgd_skip_none_grads', O.SGD, {'lr': 0.1, 'momentum': 0.9}, no_grad=[(0, 1), (2, 1), ('all', 2)])
optim_case('sgd_noncontiguous', O.SGD, {'lr': 0.1, 'momentum': 0.9}, layout='transpose')
optim_case('sgd_groups', O.SGD, {'lr': 0.1, 'momentum': 0.9},
           groups=[{'params': [0], 'weight_decay': 0.1}, {'params': [1, 2], 'lr': 0.01, 'nesterov': True}])
optim_case('adam_plain', O.Adam, {'lr': 0.01}, steps=6)
optim_case('adam_amsgrad_wd_maximize', O.Adam, {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.05, 'maximize': True}, steps=6)
optim_case('adam_f64', O.Adam, {'lr': 0.02, 'betas': (0.8, 0.95), 'eps': 1e-6}, dtype=torch.float64, steps=6)
optim_case('adam_skip_none_grads', O.Adam, {'lr': 0.01}, no_grad=[(0, 0), (1, 1)], steps=5)
optim_case('adamw_plain', O.AdamW, {'lr': 0.01}, steps=6)
optim_case('adamw_amsgrad_maximize', O.AdamW, {'lr': 0.01, 'weight_decay': 0.1, 'amsgrad': True, 'maximize': True}, steps=6)
optim_case('adamw_f64', O.AdamW, {'lr': 0.01, 'weight_decay': 0.2}, dtype=torch.float64, steps=6)
optim_case('rmsprop_plain', O.RMSprop, {'lr': 0.01})
optim_case('rmsprop_centered_momentum_wd', O.RMSprop, {'lr': 0.01, 'centered': True, 'momentum': 0.9, 'weight_decay': 0.1})
optim_case('rmsprop_alpha_eps_maximize', O.RMSprop, {'lr': 0.02, 'alpha': 0.8, 'eps': 1e-4, 'maximize': True})
optim_case('rmsprop_f64', O.RMSprop, {'lr': 0.01, 'centered': True, 'momentum': 0.5}, dtype=torch.float64)
optim_case('adagrad_plain', O.Adagrad, {'lr': 0.1})
optim_case('adagrad_all', O.Adagrad, {'lr': 0.1, 'lr_decay': 0.05, 'weight_decay': 0.1, 'initial_accumulator_value': 0.2, 'eps': 1e-6}, steps=5)
optim_case('adagrad_f64_maximize', O.Adagrad, {'lr': 0.1, 'maximize': True}, dtype=torch.float64)

# ---- lr schedulers ------------------------------------------------------------------------------------------------
sched_cases = []
def sched_case(name, cls, args, options, optimizer=('SGD', {'lr': 0.1}), epochs=12, metrics=None, closed_form=False, resume_at=None):
    p = torch.zeros(2, requires_grad=True)
    opt = getattr(O, optimizer[0])([p], **optimizer[1])
    sch = cls(opt, *args, **options)
    lrs, moms = [], []
    for e in range(epochs):
        g = opt.param_groups[0]
        lrs.append(g['lr'])
        moms.append(g['betas'][0] if 'betas' in g else g.get('momentum'))
        opt.zero_grad()
        p.sum().backward()
        opt.step()
        if metrics is not None:
            sch.step(metrics[e])
        elif closed_form:
            sch.step(e + 1)
        else:
            sch.step()
    sched_cases.append({'name': name, 'sched': cls.__name__, 'args': list(args), 'options': camel(options),
                        'optimizer': {'type': optimizer[0], 'options': camel(optimizer[1])}, 'epochs': epochs,
                        'metrics': metrics, 'closed_form': closed_form, 'resume_at': resume_at,
                        'lrs': lrs, 'momentum': moms, 'last_lr': sch.get_last_lr() if hasattr(sch, 'get_last_lr') else None})

S = torch.optim.lr_scheduler
sched_case('step_lr', S.StepLR, [4], {'gamma': 0.3})
sched_case('step_lr_closed_form', S.StepLR, [3], {'gamma': 0.5}, closed_form=True)
sched_case('multi_step_repeated', S.MultiStepLR, [[2, 4, 4, 7]], {'gamma': 0.5})
sched_case('multi_step_closed_form', S.MultiStepLR, [[2, 4, 4, 7]], {'gamma': 0.5}, closed_form=True)
sched_case('exponential', S.ExponentialLR, [0.8], {})
sched_case('cosine_past_tmax', S.CosineAnnealingLR, [4], {'eta_min': 0.001}, epochs=14)
sched_case('cosine_closed_form', S.CosineAnnealingLR, [4], {'eta_min': 0.001}, epochs=10, closed_form=True)
sched_case('linear_end_factor', S.LinearLR, [], {'start_factor': 0.5, 'end_factor': 0.1, 'total_iters': 6}, epochs=9)
sched_case('linear_default', S.LinearLR, [], {}, epochs=8)
sched_case('linear_closed_form', S.LinearLR, [], {'start_factor': 0.2, 'total_iters': 4}, epochs=7, closed_form=True)
sched_case('one_cycle_sgd', S.OneCycleLR, [0.5], {'total_steps': 12}, optimizer=('SGD', {'lr': 0.1, 'momentum': 0.9}), epochs=12)
sched_case('one_cycle_adam_linear_3phase', S.OneCycleLR, [0.02],
           {'epochs': 3, 'steps_per_epoch': 5, 'anneal_strategy': 'linear', 'three_phase': True, 'pct_start': 0.25,
            'div_factor': 10.0, 'final_div_factor': 100.0}, optimizer=('Adam', {'lr': 0.001}), epochs=15)
sched_case('one_cycle_no_momentum', S.OneCycleLR, [1.0], {'total_steps': 8, 'cycle_momentum': False, 'pct_start': 0.5},
           optimizer=('SGD', {'lr': 0.1}), epochs=8)
sched_case('plateau_min_rel', S.ReduceLROnPlateau, [], {'patience': 2, 'factor': 0.5, 'cooldown': 1},
           epochs=14, metrics=[1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9])
sched_case('plateau_max_abs_minlr', S.ReduceLROnPlateau, [], {'mode': 'max', 'threshold_mode': 'abs', 'threshold': 0.05,
           'patience': 0, 'factor': 0.3, 'min_lr': 0.005}, epochs=10, metrics=[0.1, 0.12, 0.2, 0.22, 0.24, 0.3, 0.3, 0.31, 0.32, 0.4])
sched_case('step_lr_resume', S.StepLR, [3], {'gamma': 0.5}, epochs=10, resume_at=5)
sched_case('cosine_resume', S.CosineAnnealingLR, [6], {}, epochs=10, resume_at=4)

# ---- an Adam state dict as PyTorch structures it ------------------------------------------------------------------
a = torch.nn.Parameter(torch.randn(2, 2)); b = torch.nn.Parameter(torch.randn(3))
adam = O.Adam([{'params': [a]}, {'params': [b], 'lr': 0.5}], lr=0.01, amsgrad=True)
for _ in range(2):
    a.grad = torch.randn(2, 2); b.grad = torch.randn(3); adam.step()
sd = adam.state_dict()
adam_sd = {'state': {str(k): {kk: (enc(vv) if torch.is_tensor(vv) else vv) for kk, vv in v.items()} for k, v in sd['state'].items()},
           'param_groups': [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in sd['param_groups']],
           'params': [enc(a), enc(b)]}

out = {'generated_by': 'test/ref/gen_optim.py', 'torch': torch.__version__, 'optim': optim_cases, 'sched': sched_cases, 'adam_state_dict': adam_sd}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'optim.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print('wrote', path, os.path.getsize(path), 'bytes,', len(optim_cases), 'optimizer cases,', len(sched_cases), 'scheduler cases')
