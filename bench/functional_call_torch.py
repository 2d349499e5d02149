# functional_call_torch.py - PyTorch's side of bench/functional_call.js: single-thread CPU microseconds per call of
# torch.nn.functional on the same small shapes (time.process_time).  Usage: python3 functional_call_torch.py CALLS
import json, sys, time
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
calls = int(sys.argv[1])
x = torch.randn(1, 2, 4, 4); w = torch.randn(2, 2, 3, 3); b = torch.randn(2)
a = torch.randn(4, 4); t = torch.randn(4, 4)
OPS = {
    'dropout_eval': lambda: F.dropout(a, 0.5, False),
    'max_pool2d': lambda: F.max_pool2d(x, 2),
    'conv2d': lambda: F.conv2d(x, w, b, 1, 1),
    'mse_loss': lambda: F.mse_loss(a, t),
    'layer_norm': lambda: F.layer_norm(a, [4]),
}
out = {}
with torch.no_grad():
    for name, f in OPS.items():
        for _ in range(200): f()
        c0 = time.process_time()
        for _ in range(calls): f()
        out[name] = (time.process_time() - c0) / calls * 1e6
print(json.dumps(out))
