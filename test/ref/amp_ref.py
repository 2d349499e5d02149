# amp_ref.py - PyTorch 1.13's GradScaler kernels written in Python, so that its own GradScaler (torch/cuda/amp/
# grad_scaler.py) runs on the CPU: 1.13 has them for CUDA only. Imported by gen_amp.py and gen_amp_fused.py, which
# generate the GradScaler fixtures; importing installs them as torch._amp_foreach_non_finite_check_and_unscale_ and
# torch._amp_update_scale_, and CpuGradScaler is PyTorch's own GradScaler class made to run on CPU tensors.
import math
import numpy as np
import torch


def foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    # AmpKernels.cu: found_inf = 1 if any element is not finite (checked before scaling); g *= inv_scale in float
    for g in grads:
        if not bool(torch.isfinite(g).all()):
            found_inf.fill_(1.0)
        if float(inv_scale) != 1.0:
            g.copy_((g.float() * inv_scale).to(g.dtype))


def update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    # AmpKernels.cu amp_update_scale_cuda_kernel: float scale times a double factor, rounded to float
    if float(found_inf) != 0.0:
        scale.fill_(float(np.float32(float(scale) * backoff_factor)))
        growth_tracker.fill_(0)
    else:
        successful = int(growth_tracker) + 1
        if successful == growth_interval:
            new_scale = float(np.float32(float(scale) * growth_factor))
            if math.isfinite(new_scale):
                scale.fill_(new_scale)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


torch._amp_foreach_non_finite_check_and_unscale_ = foreach_non_finite_check_and_unscale_
torch._amp_update_scale_ = update_scale_


def _replicator_init(self, master_tensor):  # _MultiDeviceReplicator.__init__ without its is_cuda assert
    self.master = master_tensor
    self._per_device_tensors = {}


torch.cuda.amp.grad_scaler._MultiDeviceReplicator.__init__ = _replicator_init


class CpuGradScaler(torch.cuda.amp.GradScaler):
    # PyTorch 1.13's class on CPU tensors: only the constructor's CUDA check and the is_cuda asserts differ
    def __init__(self, **kw):
        avail = torch.cuda.is_available
        torch.cuda.is_available = lambda: True
        try:
            super().__init__(**kw)
        finally:
            torch.cuda.is_available = avail

    def scale(self, outputs):
        if self._scale is None:
            self._lazy_init_scale_growth_tracker(outputs.device)
        return outputs * self._scale


def enc(t):  # a tensor as the fixtures store it (float32 values to 9 significant digits; nan/inf as strings)
    t = t.detach()
    d = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        d = [v if not math.isfinite(v) else float('%.9g' % v) for v in d]
    d = ['nan' if isinstance(v, float) and math.isnan(v) else 'inf' if v == math.inf else '-inf' if v == -math.inf else v for v in d]
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': d}
