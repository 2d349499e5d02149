# memory_torch.py - the PyTorch side of bench/memory.js: the same ResNet-18 training loop (defined as in
# bench/resnet_torch.py), RSS sampled every 10 steps, VmHWM at the end, and relu/clone of a 4 MiB tensor; one JSON line.
# Usage: /usr/bin/python3 bench/memory_torch.py STEPS THREADS
import json, re, sys, time, torch
import torch.nn as nn, torch.nn.functional as F
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 400
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)

def status_mib(key):
    with open('/proc/self/status') as f:
        return int(re.search(r'^%s:\s*(\d+) kB' % key, f.read(), re.M).group(1)) / 1024

from resnet_model_torch import ResNet18  # same directory as this script

model = ResNet18()
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x, y = torch.randn(16, 3, 64, 64), torch.randint(0, 1000, (16,))
rss = []
t0 = time.perf_counter()
for i in range(steps):
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()
    if i % 10 == 9 or i == 0: rss.append(status_mib('VmRSS'))
step_ms = (time.perf_counter() - t0) / steps * 1000 if steps else 0
if not rss: rss.append(status_mib('VmRSS'))
k = max(1, len(rss) // 10)
res = dict(version=torch.__version__, paramMiB=sum(p.numel() * 4 for p in model.parameters()) / 2**20, stepMs=step_ms,
           rssStart=sum(rss[:k]) / k, rssEnd=sum(rss[-k:]) / k, rssMax=max(rss), hwm=status_mib('VmHWM'))

a = torch.randn(1024, 1024)
def per(fn, n):
    for _ in range(20): fn()
    ts = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(n): fn()
        ts.append((time.perf_counter() - t) / n * 1000)
    ts.sort()
    return ts[3]
res['reluMs'] = per(lambda: torch.relu(a), 200)
res['cloneMs'] = per(lambda: a.clone(), 200)
print(json.dumps(res))
