# train_torch.py - the PyTorch side of bench/train.js: same models, shapes, optimizer and thread count.
import json, sys, time, torch
import torch.nn as nn, torch.nn.functional as F
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)

def steps_per_sec(step, reps, warmup=3):
    for _ in range(warmup): step()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
    ts.sort()
    return 1 / ts[len(ts) // 2]

mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
xo, yo = torch.randn(128, 784), torch.randint(0, 10, (128,))
o1 = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
def s1():
    o1.zero_grad(); F.cross_entropy(mlp(xo), yo).backward(); o1.step()
cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
xc, yc = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
o2 = torch.optim.SGD(cnn.parameters(), lr=0.01, momentum=0.9)
def s2():
    o2.zero_grad(); F.cross_entropy(cnn(xc), yc).backward(); o2.step()
a = torch.randn(4, requires_grad=True)
def chain(x):
    y = x
    for _ in range(10): y = y.mul(1.01).add(0.1)
    return y.sum()
def fwd():
    with torch.no_grad(): chain(a)
def fb():
    chain(a).backward()
import os
blas = os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')  # Debian's torch links libblas.so.3 (alternatives)
print(json.dumps({'version': torch.__version__, 'blas': blas, 'mlp': steps_per_sec(s1, 40), 'cnn': steps_per_sec(s2, 15),
                  'fwdUs': 1e6 / steps_per_sec(fwd, 200, 50) / 21, 'fwdBwdUs': 1e6 / steps_per_sec(fb, 200, 50) / 21}))
