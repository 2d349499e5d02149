# bf16_torch.py - PyTorch's side of bench/bf16.js: bfloat16 matmul GFLOP/s (median) at the given sizes and threads,
# or (second argument `conv`) ms of CPU time per call of bf16.js's convolution cases.
import json, os, sys, time
import torch
threads = int(sys.argv[1])
torch.set_num_threads(threads)
if sys.argv[2] == 'conv':
    import torch.nn.functional as F
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from resnet_model_torch import ResNet18
    def time_it(fn, reps):
        for _ in range(2): fn()
        ts = []
        for _ in range(reps):
            t = time.process_time(); fn(); ts.append((time.process_time() - t) * 1e3)
        ts.sort()
        return ts[len(ts) // 2]
    torch.manual_seed(0)
    x, w = torch.randn(16, 64, 32, 32).bfloat16(), (torch.randn(64, 64, 3, 3) * 0.05).bfloat16()
    res = {'conv_fwd': time_it(lambda: F.conv2d(x, w, None, padding=1), 7)}
    xg, wg = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
    def fb():
        F.conv2d(xg, wg, None, padding=1).sum().backward(); xg.grad = None; wg.grad = None
    res['conv_fwd_bwd'] = time_it(fb, 5)
    model = ResNet18().eval()
    img = torch.randn(4, 3, 224, 224)
    def rn():
        with torch.no_grad(), torch.autocast('cpu'):
            model(img)
    res['resnet18'] = time_it(rn, 3)
    print(json.dumps(res))
    sys.exit(0)
sizes = [int(s) for s in sys.argv[2].split(',')]
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
