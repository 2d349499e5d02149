# gen_amp_fused.py - reference trajectories for test/amp_fused.test.ts: PyTorch 1.13's torch.cuda.amp.GradScaler
# driving a fused Adam/AdamW/SGD through its `_step_supports_amp_scaling` branch (scaler.step(opt) calls
# opt.step(grad_scaler=scaler)), on CPU tensors. PyTorch 1.13's _fused_adam_ kernel is CUDA-only, so the step here is
# that kernel's algorithm written with PyTorch's own single-tensor step: found_inf from the scaler's
# _check_inf_per_device (the real method: an inf check with inv_scale 1), the step skipped whole where it is set
# (step counts unchanged: _foreach_add_ then _foreach_sub_(found_inf)), otherwise each gradient divided by the scale
# (grad /= grad_scale, stored back) and PyTorch's single-tensor Adam/AdamW/SGD update. After scaler.unscale_() (for
# clipping) the step gets no scale (PyTorch 2.x's rule: grad_scale None when the stage is UNSCALED).
# The scaler's two CUDA kernels are written out as in gen_amp.py.
# Run: /usr/bin/python3 test/ref/gen_amp_fused.py   (writes test/ref/amp_fused.json)
import json, math, os
import numpy as np
import torch
from torch.cuda.amp.grad_scaler import OptState




from amp_ref import CpuGradScaler, enc  # PyTorch 1.13's GradScaler on CPU tensors (amp_ref.py)


def fused(cls):
    class Fused(cls):
        # the fused kernel's contract with GradScaler (torch/optim/adam.py, PyTorch 1.13)
        _step_supports_amp_scaling = True

        def step(self, closure=None, *, grad_scaler=None):
            if grad_scaler is None:
                return super().step(closure)
            st = grad_scaler._per_optimizer_states[id(self)]
            if st['stage'] is OptState.UNSCALED:
                found = sum(st['found_inf_per_device'].values())
                scale = None
            else:
                found = sum(grad_scaler._check_inf_per_device(self).values())
                scale = grad_scaler._get_scale_async()
            if float(found) != 0.0:
                return None
            if scale is not None:
                with torch.no_grad():
                    for g in self.param_groups:
                        for p in g['params']:
                            if p.grad is not None:
                                p.grad.copy_((p.grad.double() / float(scale)).float())
            return super().step(closure)
    Fused.__name__ = cls.__name__
    return Fused


def case(name, cls, options, scaler_opts, steps, bad, clip=None):
    torch.manual_seed(11)
    ws = [torch.randn(6, requires_grad=True), torch.randn(3, 2, requires_grad=True), torch.randn(4, requires_grad=True)]
    init = [enc(w) for w in ws]
    opt = fused(cls)(ws, foreach=False, **options)
    sc = CpuGradScaler(**scaler_opts)
    xs, scales, trackers, skipped, params, steps_out, grads = [], [], [], [], [], [], []
    for s in range(steps):
        x = [torch.randn(6), torch.randn(3, 2), torch.randn(4)]
        if s in bad:
            i, j, v = bad[s]
            x[i].view(-1)[j] = float(v)
        xs.append([enc(t) for t in x])
        opt.zero_grad(set_to_none=True)
        # parameter 2 has no gradient at step 1 (its step count falls behind)
        loss = (ws[0] * x[0]).sum() + (ws[1] * x[1] * x[1]).sum() + (0 if s == 1 else (ws[2].tanh() * x[2]).sum())
        sc.scale(loss).backward()
        before = [w.detach().clone() for w in ws]
        if clip is not None:
            sc.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(ws, clip)
        sc.step(opt)
        grads.append([None if w.grad is None else enc(w.grad) for w in ws])
        sc.update()
        scales.append(sc.get_scale())
        trackers.append(int(sc._get_growth_tracker()))
        skipped.append(all(torch.equal(b, w.detach()) for b, w in zip(before, ws)))
        params.append([enc(w) for w in ws])
        steps_out.append([None if len(opt.state[w]) == 0 or 'step' not in opt.state[w] else float(opt.state[w]['step']) for w in ws])
    return {'name': name, 'optim': cls.__name__, 'options': {{'weight_decay': 'weightDecay'}.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in options.items()},
            'scaler': {{'init_scale': 'initScale', 'growth_factor': 'growthFactor', 'backoff_factor': 'backoffFactor', 'growth_interval': 'growthInterval'}[k]: v for k, v in scaler_opts.items()},
            'clip': clip, 'init': init, 'xs': xs, 'scales': scales, 'trackers': trackers, 'skipped': skipped, 'params': params,
            'steps': steps_out, 'grads': grads}


INF, NAN = 'inf', 'nan'
O = torch.optim
cases = [
    case('adam', O.Adam, {'lr': 0.01}, {'init_scale': 2.0 ** 12, 'growth_interval': 3}, 12, {0: (0, 1, INF), 4: (1, 2, NAN), 5: (2, 0, '-inf')}),
    case('adam amsgrad wd', O.Adam, {'lr': 0.02, 'amsgrad': True, 'weight_decay': 0.1}, {'init_scale': 2.0 ** 8, 'growth_interval': 2}, 10, {3: (0, 0, INF)}),
    case('adamw odd factors', O.AdamW, {'lr': 0.01, 'weight_decay': 0.05}, {'init_scale': 1000.0, 'growth_factor': 1.7, 'backoff_factor': 0.3, 'growth_interval': 2}, 10, {2: (1, 0, INF), 6: (0, 3, NAN)}),
    case('adamw unscale_ and clip', O.AdamW, {'lr': 0.01}, {'init_scale': 2.0 ** 6, 'growth_interval': 2}, 8, {0: (2, 1, INF), 5: (1, 1, INF)}, clip=0.5),
    case('sgd momentum dampening', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3}, {'init_scale': 2.0 ** 10, 'growth_interval': 2}, 10, {0: (0, 2, INF), 4: (2, 3, NAN)}),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'amp_fused.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
print('wrote', out, len(cases), 'cases')
