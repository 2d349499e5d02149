# cuda_torch.py - PyTorch's side of bench/cuda.js: the same sizes (a JSON argument from cuda.js), models and timing
# (torch.cuda.synchronize() ends every timed region; the median of `reps` timings of `iters` calls). Prints one JSON
# line of figures. Usage: python3 bench/cuda_torch.py '{"mm": 4096, ...}' [device]   (device: cuda, or cpu to check it)
import json, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

S = json.loads(sys.argv[1])
dev = sys.argv[2] if len(sys.argv) > 2 else 'cuda'
if dev == 'cuda' and not torch.cuda.is_available():
    print(json.dumps({'error': 'torch.cuda.is_available() is False'}))
    sys.exit(0)
sync = torch.cuda.synchronize if dev == 'cuda' else (lambda: None)


def time_it(fn, iters, reps=S['reps'], warmup=1):
    for _ in range(warmup):
        fn()
    sync()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        sync()
        ts.append((time.perf_counter() - t0) / iters)
    return statistics.median_low(ts)


def matmul_tflops(dtype, tf32):
    n = S['mm']
    if dev == 'cpu' and dtype == torch.float16:
        return None  # PyTorch 1.13 has no CPU float16 matmul (the cpu device only checks this script)
    a = torch.randn(n, n, device=dev).to(dtype)
    b = torch.randn(n, n, device=dev).to(dtype)
    prev = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    try:
        s = time_it(lambda: a @ b, S['mmIters'])
    finally:
        torch.backends.cuda.matmul.allow_tf32 = prev
    return 2 * n ** 3 / s / 1e12


def bandwidth():
    n = S['elems']
    a = torch.randn(n, device=dev)
    b = torch.randn(n, device=dev)
    add = time_it(lambda: a + b, S['ewIters'])
    sm = time_it(lambda: a.sum(), S['ewIters'])
    return {'addGBs': 3 * 4 * n / add / 1e9, 'sumGBs': 4 * n / sm / 1e9}


def train_steps(model, x, y, amp):
    o = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        o.zero_grad()
        if amp:
            with torch.autocast(dev, dtype=torch.bfloat16):
                loss = F.cross_entropy(model(x), y)
        else:
            loss = F.cross_entropy(model(x), y)
        loss.backward()
        o.step()
    return 1 / time_it(step, S['steps'], S['reps'], 3)


def models():
    torch.manual_seed(0)
    H = S['mlpHidden']
    mlp = nn.Sequential(nn.Linear(784, H), nn.ReLU(), nn.Linear(H, H), nn.ReLU(), nn.Linear(H, 10)).to(dev)
    xm = torch.randn(S['mlpBatch'], 784, device=dev)
    ym = torch.randint(0, 10, (S['mlpBatch'],), device=dev)
    cnn = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 10)).to(dev)
    xc = torch.randn(S['cnnBatch'], 1, 28, 28, device=dev)
    yc = torch.randint(0, 10, (S['cnnBatch'],), device=dev)
    return {'mlp': train_steps(mlp, xm, ym, False), 'mlpAmp': train_steps(mlp, xm, ym, True),
            'cnn': train_steps(cnn, xc, yc, False), 'cnnAmp': train_steps(cnn, xc, yc, True)}


r = {'mmF32': matmul_tflops(torch.float32, False), 'mmTf32': matmul_tflops(torch.float32, True),
     'mmBf16': matmul_tflops(torch.bfloat16, False), 'mmF16': matmul_tflops(torch.float16, False)}
r.update(bandwidth())
r.update(models())
r['version'] = torch.__version__
r['device'] = torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu'
print(json.dumps(r))
