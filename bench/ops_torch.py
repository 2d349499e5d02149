# ops_torch.py - the PyTorch (CPU) half of bench/ops.js: the same operations on the same sizes with the same
# thread count, printed as one JSON object. Run through `node bench/ops.js`, which sets OMP/OPENBLAS/MKL_NUM_THREADS
# before Python starts (OpenBLAS's pthread build reads only its environment variable, not torch.set_num_threads).
# Usage: /usr/bin/python3 bench/ops_torch.py THREADS QUICK(0|1)
import json, sys, time, re
import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
quick = len(sys.argv) > 2 and sys.argv[2] == '1'
torch.set_num_threads(threads)
torch.manual_seed(0)

def median_time(fn, reps, warmup=2):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2], ts[0]

def per_call_us(fn, n, rounds=7):
    for _ in range(n // 10 + 1): fn()
    ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n): fn()
        ts.append((time.perf_counter() - t) / n * 1e6)
    ts.sort()
    return ts[len(ts) // 2]

def blas_name():
    cfg = torch.__config__.show()
    m = re.search(r'BLAS_INFO=([^,\s]+)', cfg)
    loaded = []
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                for lib in ('openblas', 'libmkl', 'libblis', 'libblas.so', 'libatlas'):
                    if lib in line and lib not in loaded: loaded.append(lib)
    except OSError:
        pass
    so = [l for l in loaded]
    return (m.group(1) if m else '?') + (' (loaded: ' + ', '.join(so) + ')' if so else '')

res = {'version': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_name(), 'matmul': {}}
for n in ([256, 1024] if quick else [256, 1024, 2048]):
    a, b = torch.randn(n, n), torch.randn(n, n)
    reps = {256: 50, 1024: 10, 2048: 5}[n]
    med, best = median_time(lambda: torch.matmul(a, b), reps)
    res['matmul'][str(n)] = {'gflops': 2 * n ** 3 / med / 1e9, 'best': 2 * n ** 3 / best / 1e9}
N = 10_000_000
x, y = torch.randn(N), torch.randn(N)
med, _ = median_time(lambda: torch.add(x, y), 5 if quick else 11)
res['add_gbs'] = 3 * 4 * N / med / 1e9
med, _ = median_time(lambda: x.sum(), 5 if quick else 11)
res['sum_gbs'] = 4 * N / med / 1e9
s4, t4 = torch.randn(4), torch.randn(4)
m4a, m4b = torch.randn(4, 4), torch.randn(4, 4)
iters = 2000 if quick else 20000
res['tiny_us'] = {
    'add [4]+[4]': per_call_us(lambda: torch.add(s4, t4), iters),
    'mul [4]*2.0': per_call_us(lambda: torch.mul(s4, 2.0), iters),
    'matmul 4x4': per_call_us(lambda: torch.matmul(m4a, m4b), iters),
}
print(json.dumps(res))
