# ops_gemm_torch.py - the PyTorch half of bench/ops_gemm.js: the same products timed the same way (fastest chunk of
# calls by CPU time, time.process_time), printed as one JSON object. Run through `node bench/ops_gemm.js`, which sets
# OMP/OPENBLAS_NUM_THREADS (and OPENBLAS_CORETYPE=Haswell under NODETORCH_CPU_ISA=avx2) before Python starts.
# Usage: /usr/bin/python3 bench/ops_gemm_torch.py THREADS QUICK(0|1) SHAPES_JSON
import json, re, sys, time
import torch
import torch.nn.functional as F

threads, quick, shapes = int(sys.argv[1]), sys.argv[2] == '1', json.loads(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
cfg = torch.__config__.show()
m_ = re.search(r'BLAS_INFO=([^,\s]+)', cfg)
out = {'version': torch.__version__, 'blas': m_.group(1) if m_ else '?', 'gflops': {}}
for label, m, k, n, kind in shapes:
    a = torch.randn(k, m).t() if kind == 'tn' else torch.randn(m, k)
    b = torch.randn(n, k) if kind in ('nt', 'linear') else torch.randn(k, n)
    bias = torch.randn(n)
    if kind == 'linear': fn = lambda: F.linear(a, b, bias)
    elif kind == 'nt': fn = lambda: torch.matmul(a, b.t())
    else: fn = lambda: torch.matmul(a, b)
    flop = 2 * m * n * k
    per, chunks = max(1, min(4000, round(1.5e8 / flop))), 10 if quick else 30
    for _ in range(2 * per): fn()
    best = float('inf')
    for _ in range(chunks):
        t = time.process_time()
        for _ in range(per): fn()
        best = min(best, (time.process_time() - t) / per)
    out['gflops'][label] = flop / best / 1e9
print(json.dumps(out))
