# linalg_torch.py - PyTorch's side of bench/linalg.js: single-thread CPU milliseconds per call on the same shapes
# (time.process_time).  Usage: python3 linalg_torch.py CALLS
import json, sys, time
import torch
torch.set_num_threads(1)
calls = int(sys.argv[1])
L = torch.linalg
torch.manual_seed(0)
A64 = torch.randn(64, 64, dtype=torch.float64)
S64 = A64 @ A64.mT + 64 * torch.eye(64, dtype=torch.float64)
Ab = torch.randn(256, 8, 8)
Sb = Ab @ Ab.mT + 8 * torch.eye(8)
B64 = torch.randn(64, 8, dtype=torch.float64)
OPS = {
    'det [64, 64] float64': lambda: L.det(A64),
    'inv [64, 64] float64': lambda: L.inv(A64),
    'solve [64, 64] x [64, 8] float64': lambda: L.solve(A64, B64),
    'cholesky [64, 64] float64': lambda: L.cholesky(S64),
    'qr [64, 64] float64': lambda: L.qr(A64),
    'eigh [64, 64] float64': lambda: L.eigh(S64),
    'svd [64, 64] float64': lambda: L.svd(A64),
    'inv [256, 8, 8] float32': lambda: L.inv(Ab),
    'eigh [256, 8, 8] float32': lambda: L.eigh(Sb),
    'svd [256, 8, 8] float32': lambda: L.svd(Ab),
}
out = {}
for name, f in OPS.items():
    for _ in range(2):
        f()
    c0 = time.process_time()
    for _ in range(calls):
        f()
    out[name] = (time.process_time() - c0) / calls * 1e3
print(json.dumps(out))
