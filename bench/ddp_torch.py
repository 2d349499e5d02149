"""ddp_torch.py - the PyTorch side of bench/ddp.js (one rank; RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the
environment): the same models, batch, optimizer and timing as ddp.js's worker; prints `RESULT {"ms": median}` on
rank 0."""
import argparse, json, os, time
import torch, torch.nn as nn, torch.nn.functional as F, torch.distributed as dist

ap = argparse.ArgumentParser()
ap.add_argument('--model'); ap.add_argument('--mode'); ap.add_argument('--steps', type=int, default=40); ap.add_argument('--warmup', type=int, default=10)
a = ap.parse_args()
torch.set_num_threads(1)
ws = int(os.environ.get('WORLD_SIZE', '1'))
if a.mode != 'single': dist.init_process_group('gloo')
torch.manual_seed(0)
if a.model == 'mlp':
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
else:
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
m = net if a.mode == 'single' else nn.parallel.DistributedDataParallel(net)
params = list(net.parameters())
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(64, 1, 28, 28); y = torch.randint(0, 10, (64,))
times = []; cpus = []
for s in range(a.steps + a.warmup):
    if a.mode != 'single': dist.barrier()
    c0 = time.process_time()
    t0 = time.perf_counter()
    opt.zero_grad()
    if a.mode == 'nooverlap':
        with m.no_sync(): F.cross_entropy(m(x), y).backward()
        flat = torch.cat([p.grad.flatten() for p in params])
        dist.all_reduce(flat); flat /= ws   # Gloo in 1.13 has no AVG
        o = 0
        with torch.no_grad():
            for p in params:
                n = p.numel(); p.grad.copy_(flat[o:o + n].view_as(p)); o += n
    else:
        F.cross_entropy(m(x), y).backward()
    opt.step()
    dt = (time.perf_counter() - t0) * 1000
    c = (time.process_time() - c0) * 1000
    if s >= a.warmup: times.append(dt); cpus.append(c)
times.sort(); cpus.sort()
if int(os.environ.get('RANK', '0')) == 0: print('RESULT ' + json.dumps({'ms': times[len(times) // 2], 'p25': times[len(times) // 4], 'cpu': cpus[len(cpus) // 2], 'ws': ws}))
if a.mode != 'single': dist.destroy_process_group()
