# bf16_torch.py - PyTorch's side of bench/bf16.js: bfloat16 matmul GFLOP/s (median) at the given sizes and threads.
import json, sys, time
import torch
threads, sizes = int(sys.argv[1]), [int(s) for s in sys.argv[2].split(',')]
torch.set_num_threads(threads)
torch.manual_seed(0)
res = {}
for n in sizes:
    a, b = torch.randn(n, n).bfloat16(), torch.randn(n, n).bfloat16()
    reps = 30 if n <= 256 else 7 if n <= 1024 else 3
    for _ in range(2): torch.matmul(a, b)
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); torch.matmul(a, b); ts.append(time.perf_counter() - t)
    ts.sort()
    res[str(n)] = 2 * n ** 3 / ts[len(ts) // 2] / 1e9
print(json.dumps(res))
