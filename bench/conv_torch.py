# conv_torch.py - the PyTorch (CPU) half of bench/conv.js: conv2d forward float32 GFLOP/s on the same shapes with the
# same thread count, printed as one JSON object {shape name: GFLOP/s}. Run through `node bench/conv.js`, which sets
# OMP/OPENBLAS/MKL_NUM_THREADS before Python starts.
# 'backward' as a 5th argument times torch.autograd.grad (input, weight and bias gradients) of a saved forward instead.
# Usage: /usr/bin/python3 bench/conv_torch.py THREADS REPS SHAPES_JSON [forward|backward]
import json, sys, time
import torch
import torch.nn.functional as F

threads, reps, shapes = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
backward = len(sys.argv) > 4 and sys.argv[4] == 'backward'
torch.set_num_threads(threads)
torch.manual_seed(0)

def median_time(fn, n, warmup=2):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]

res = {}
for name, xs, oc, k, s, p in shapes:
    N, C, H, W = xs
    x, w, b = torch.randn(xs), torch.randn(oc, C, k, k), torch.randn(oc)
    OH, OW = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    if backward:
        for v in (x, w, b): v.requires_grad_(True)
        y = F.conv2d(x, w, b, stride=s, padding=p)
        gy = torch.randn(y.shape)
        t = median_time(lambda: torch.autograd.grad([y], [x, w, b], [gy], retain_graph=True), reps)
    else:
        with torch.no_grad():
            t = median_time(lambda: F.conv2d(x, w, b, stride=s, padding=p), reps)
    res[name] = (2 if backward else 1) * 2 * N * oc * OH * OW * C * k * k / t / 1e9
print(json.dumps(res))
