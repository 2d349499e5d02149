"""gen_ddp.py - reference for test/distributed.test.ts: PyTorch DDP on Gloo, 2 ranks, float64.

Run: /usr/bin/python3 test/ref/gen_ddp.py  (writes test/ref/ddp.json)
Two models, each trained by torch.nn.parallel.DistributedDataParallel over a 2-rank Gloo group on 127.0.0.1:
  mlp: Linear(6,8)-Tanh-Linear(8,3), MSE loss, SGD(lr=0.1, momentum=0.9); step 2 accumulates two micro-batches,
       the first under no_sync().
  cnn: Conv2d(2,3,3)-BatchNorm2d(3)-ReLU-MaxPool2d(2)-Flatten-Linear(12,2), cross entropy, Adam(lr=0.01);
       BatchNorm buffers broadcast from rank 0 before each forward (broadcast_buffers=True).
Initial parameters and every rank's data are closed-form (sin of the element index) so that the test rebuilds them.
Recorded: each rank's loss at every step and each rank's final state dict (parameters and buffers).
"""
import json, math, os, sys
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

torch.set_default_dtype(torch.float64)
STEPS = 4

def fill(shape, salt):
    n = 1
    for s in shape: n *= s
    v = [0.5 * math.sin(0.37 * i + salt) for i in range(n)]
    return torch.tensor(v).reshape(shape) if shape else torch.tensor(v[0])

def init(model, salt):
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            p.copy_(fill(list(p.shape), salt + k))

def mlp():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)); init(m, 1.0); return m

def cnn():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 2))
    init(m, 2.0); return m

def data_mlp(rank, step, micro):
    x = fill([5, 6], 10.0 + 3 * rank + 0.5 * step + 0.25 * micro)
    y = fill([5, 3], 20.0 + 3 * rank + 0.5 * step + 0.25 * micro)
    return x, y

def data_cnn(rank, step):
    x = fill([4, 2, 6, 6], 30.0 + 3 * rank + 0.5 * step) * 2
    y = torch.tensor([(rank + step + i) % 2 for i in range(4)])
    return x, y

def worker(rank, port, out):
    os.environ['MASTER_ADDR'] = '127.0.0.1'; os.environ['MASTER_PORT'] = str(port)
    dist.init_process_group('gloo', rank=rank, world_size=2)
    res = {}
    m = mlp(); ddp = nn.parallel.DistributedDataParallel(m)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        if step == 2:
            with ddp.no_sync():
                x, y = data_mlp(rank, step, 0)
                l0 = nn.functional.mse_loss(ddp(x), y); (l0 / 2).backward()
            x, y = data_mlp(rank, step, 1)
            l1 = nn.functional.mse_loss(ddp(x), y); (l1 / 2).backward()
            losses.append([l0.item(), l1.item()])
        else:
            x, y = data_mlp(rank, step, 0)
            l = nn.functional.mse_loss(ddp(x), y); l.backward(); losses.append([l.item()])
        opt.step()
    res['mlp'] = {'losses': losses, 'state': {k: v.flatten().tolist() for k, v in ddp.state_dict().items()}}
    m = cnn(); ddp = nn.parallel.DistributedDataParallel(m)
    opt = torch.optim.Adam(ddp.parameters(), lr=0.01)
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        x, y = data_cnn(rank, step)
        l = nn.functional.cross_entropy(ddp(x), y); l.backward(); opt.step(); losses.append(l.item())
    res['cnn'] = {'losses': losses, 'state': {k: v.flatten().tolist() for k, v in ddp.state_dict().items()}}
    out[rank] = res
    dist.destroy_process_group()

if __name__ == '__main__':
    import socket
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
    mgr = mp.Manager(); out = mgr.dict()
    mp.spawn(worker, args=(port, out), nprocs=2)
    ref = {'torch': torch.__version__, 'steps': STEPS, 'ranks': [out[0], out[1]]}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ddp.json')
    with open(path, 'w') as f: json.dump(ref, f)
    print('wrote', path)
