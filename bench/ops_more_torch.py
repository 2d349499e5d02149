# ops_more_torch.py - PyTorch's side of bench/ops_more.js: single-thread CPU microseconds per call on the same shapes
# (time.process_time, 20 calls after 3 warm-up calls).  Usage: python3 ops_more_torch.py
import json, time
import torch
torch.set_num_threads(1)
torch.manual_seed(0)
x = torch.rand(256, 256) * 5 + 0.1; u = torch.rand(256, 256) * 1.8 - 0.9; y = torch.randn(256, 256)
a = torch.randn(128, 16); b = torch.randn(96, 16); buf = torch.empty(256, 256)
OPS = {
    'lgamma': lambda: torch.lgamma(x), 'digamma': lambda: torch.digamma(x), 'erfinv': lambda: torch.erfinv(u), 'i0': lambda: torch.i0(x),
    'logaddexp': lambda: torch.logaddexp(x, y), 'hypot': lambda: torch.hypot(x, y),
    'uniform_': lambda: buf.uniform_(), 'exponential_': lambda: buf.exponential_(), 'cauchy_': lambda: buf.cauchy_(),
    'quantile dim=1': lambda: torch.quantile(y, 0.3, 1), 'cdist 128x96x16': lambda: torch.cdist(a, b),
    'logcumsumexp dim=1': lambda: torch.logcumsumexp(y, 1), 'cov 256x256': lambda: torch.cov(y),
}
out = {}
with torch.no_grad():
    for name, f in OPS.items():
        for _ in range(3): f()
        c0 = time.process_time()
        for _ in range(20): f()
        out[name] = (time.process_time() - c0) / 20 * 1e6
print(json.dumps(out))
