# resnet_torch.py - the PyTorch side of bench/resnet.js: torchvision's ResNet-18 structure (defined here, so that
# torchvision is not needed), the same shapes, optimizer, parts and thread count; prints one JSON line.
import json, sys, time, torch
import torch.nn as nn, torch.nn.functional as F
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
clock = time.process_time if 'cpu' in sys.argv[2:] else time.perf_counter  # bench/resnet.js --cpu
channels_last = 'channels_last' in sys.argv[2:]  # model and inputs in torch.channels_last
fmt = (lambda t: t.contiguous(memory_format=torch.channels_last)) if channels_last else (lambda t: t)
torch.set_num_threads(threads)
torch.manual_seed(0)

def ms_per(fn, reps, warmup=2):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(reps):
        t = clock(); fn(); ts.append(clock() - t)
    ts.sort()
    return 1000 * ts[len(ts) // 2]

from resnet_model_torch import ResNet18  # same directory as this script

model = ResNet18()
if channels_last: model.to(memory_format=torch.channels_last)
x, y = fmt(torch.randn(16, 3, 64, 64)), torch.randint(0, 1000, (16,))
model.eval()
def ev():
    with torch.no_grad(): model(x)
eval_ms = ms_per(ev, 7)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
def step():
    opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
train_ms = ms_per(step, 5)
a = fmt(torch.randn(16, 64, 32, 32))
bn = nn.BatchNorm2d(64)
bn.eval()
def bn_ev():
    with torch.no_grad(): bn(a)
bn_eval = ms_per(bn_ev, 30)
bn.train()
bn_train = ms_per(bn_ev, 30)
ag = a.clone().requires_grad_()
g_out = fmt(torch.randn(16, 64, 32, 32))
bn_train_bwd = ms_per(lambda: bn(ag).backward(g_out), 20)
relu = nn.ReLU(inplace=True)
b = a.clone()
def r_ev():
    with torch.no_grad(): relu(b)
relu_eval = ms_per(r_ev, 30)
w = a.clone().requires_grad_()
relu_grad = ms_per(lambda: relu(w.mul(1)), 30) - ms_per(lambda: w.mul(1), 30)
print(json.dumps({'version': torch.__version__, 'threads': threads, 'evalMs': eval_ms, 'trainMs': train_ms, 'bnEval': bn_eval,
                  'bnTrain': bn_train, 'bnTrainBwd': bn_train_bwd, 'reluEval': relu_eval, 'reluGrad': relu_grad}))
