# gen_optim_foreach.py - reference trajectories from real PyTorch (1.13) for test/optim_foreach.test.ts: 10 steps of
# SGD, Adam, AdamW, RMSprop and Adagrad with each option set, float32/float64 (PyTorch's own for-loop step, foreach=False), and
# float16/bfloat16 parameters with PyTorch's fused-kernel arithmetic (opmath: each step computed in float32, params
# and states stored back in the low dtype), emulated here by PyTorch's float32 step on float32 copies rounded back to
# the low dtype after every step. Parameter 1 has no gradient at steps 0, 1 and 4 (so the parameters' step counts
# differ) and parameter 3 never has one (skipped).
# Run: /usr/bin/python3 test/ref/gen_optim_foreach.py   (writes test/ref/optim_foreach.json)
import json, os, torch
torch.manual_seed(12)

def enc(t):
    t = t.detach()
    d = t.reshape(-1).tolist()
    if t.dtype == torch.float32:  # 9 significant digits round-trip a float32
        d = [float('%.9g' % v) for v in d]
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': d}

CAMEL = {'weight_decay': 'weightDecay', 'lr_decay': 'lrDecay', 'initial_accumulator_value': 'initialAccumulatorValue'}
camel = lambda d: {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}
SHAPES = [(2, 4), (5,), (), (2, 3)]
STEPS = 10
NO_GRAD = lambda s, i: i == 3 or (i == 1 and s in (0, 1, 4))

cases = []
def case(name, cls, options, dtype=torch.float32):
    lowp = dtype in (torch.float16, torch.bfloat16)
    params = [torch.randn(s).to(dtype) for s in SHAPES]
    comp = torch.float32 if lowp else dtype
    work = [p.to(comp).clone().requires_grad_(True) for p in params]
    opt = cls(work, foreach=False, **options)
    grads, expected = [], []
    for s in range(STEPS):
        gs = []
        for i, p in enumerate(work):
            if NO_GRAD(s, i):
                p.grad = None
                gs.append(None)
            else:
                g = torch.randn(p.shape).to(dtype)
                p.grad = g.to(comp)
                gs.append(enc(g))
        opt.step()
        if lowp:  # stored in the low dtype between steps
            with torch.no_grad():
                for p in work:
                    p.copy_(p.to(dtype).to(comp))
                    for k, v in opt.state[p].items():
                        if k != 'step':
                            v.copy_(v.to(dtype).to(comp))
        grads.append(gs)
        expected.append([enc(p.to(dtype)) for p in work])
    cases.append({'name': name, 'optim': cls.__name__, 'options': camel(options), 'dtype': str(dtype).replace('torch.', ''),
                  'params': [enc(p) for p in params], 'grads': grads, 'expected': expected})

O = torch.optim
case('sgd_plain', O.SGD, {'lr': 0.1})
case('sgd_momentum', O.SGD, {'lr': 0.1, 'momentum': 0.9})
case('sgd_dampening_wd', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.2, 'weight_decay': 0.01})
case('sgd_nesterov_wd_maximize', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01, 'maximize': True})
case('sgd_f64', O.SGD, {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.1}, dtype=torch.float64)
case('sgd_f16_nesterov', O.SGD, {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}, dtype=torch.float16)
case('sgd_bf16_wd', O.SGD, {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.01}, dtype=torch.bfloat16)
case('adam_plain', O.Adam, {'lr': 0.01})
case('adam_amsgrad_wd', O.Adam, {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.05})
case('adam_maximize_betas', O.Adam, {'lr': 0.02, 'betas': (0.8, 0.95), 'eps': 1e-6, 'maximize': True})
case('adam_f64_amsgrad_wd', O.Adam, {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.1}, dtype=torch.float64)
case('adam_f16_amsgrad_wd', O.Adam, {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.05}, dtype=torch.float16)
case('adam_bf16', O.Adam, {'lr': 0.01}, dtype=torch.bfloat16)
case('adamw_plain', O.AdamW, {'lr': 0.01})
case('adamw_amsgrad_maximize', O.AdamW, {'lr': 0.01, 'weight_decay': 0.1, 'amsgrad': True, 'maximize': True})
case('adamw_f64', O.AdamW, {'lr': 0.01, 'weight_decay': 0.2}, dtype=torch.float64)
case('adamw_bf16_wd', O.AdamW, {'lr': 0.01, 'weight_decay': 0.1}, dtype=torch.bfloat16)
case('adamw_f16_amsgrad', O.AdamW, {'lr': 0.01, 'amsgrad': True}, dtype=torch.float16)
case('rmsprop_plain', O.RMSprop, {'lr': 0.01})
case('rmsprop_centered_momentum_wd', O.RMSprop, {'lr': 0.01, 'alpha': 0.9, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.05})
case('rmsprop_momentum_maximize', O.RMSprop, {'lr': 0.02, 'momentum': 0.9, 'eps': 1e-6, 'maximize': True})
case('rmsprop_centered_f64', O.RMSprop, {'lr': 0.01, 'centered': True, 'weight_decay': 0.1}, dtype=torch.float64)
case('rmsprop_bf16_centered_momentum', O.RMSprop, {'lr': 0.01, 'centered': True, 'momentum': 0.9}, dtype=torch.bfloat16)
case('rmsprop_f16_momentum', O.RMSprop, {'lr': 0.01, 'momentum': 0.5}, dtype=torch.float16)
case('adagrad_plain', O.Adagrad, {'lr': 0.1})
case('adagrad_lr_decay_wd_init', O.Adagrad, {'lr': 0.1, 'lr_decay': 0.05, 'weight_decay': 0.1, 'initial_accumulator_value': 0.5})
case('adagrad_maximize_eps', O.Adagrad, {'lr': 0.05, 'eps': 1e-6, 'lr_decay': 0.01, 'maximize': True})
case('adagrad_f64_lr_decay', O.Adagrad, {'lr': 0.1, 'lr_decay': 0.1, 'weight_decay': 0.05}, dtype=torch.float64)
case('adagrad_bf16_lr_decay', O.Adagrad, {'lr': 0.1, 'lr_decay': 0.1}, dtype=torch.bfloat16)
case('adagrad_f16_init', O.Adagrad, {'lr': 0.1, 'initial_accumulator_value': 0.1}, dtype=torch.float16)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'optim_foreach.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'steps': STEPS, 'cases': cases}, f, separators=(',', ':'))
print('wrote', out, len(cases), 'cases')
