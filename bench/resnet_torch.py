# resnet_torch.py - the PyTorch side of bench/resnet.js: torchvision's ResNet-18 structure (defined here, so that
# torchvision is not needed), the same shapes, optimizer, parts and thread count; prints one JSON line.
import json, sys, time, torch
import torch.nn as nn, torch.nn.functional as F
threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)

def ms_per(fn, reps, warmup=2):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return 1000 * ts[len(ts) // 2]

class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False); self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False); self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)) if stride != 1 or inp != planes else None
    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.downsample(x) if self.downsample is not None else x
        return self.relu(out)
class ResNet18(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False); self.bn1 = nn.BatchNorm2d(64); self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layer = lambda i, p, s: nn.Sequential(BasicBlock(i, p, s), BasicBlock(p, p, 1))
        self.layer1 = layer(64, 64, 1); self.layer2 = layer(64, 128, 2); self.layer3 = layer(128, 256, 2); self.layer4 = layer(256, 512, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1)); self.fc = nn.Linear(512, num_classes)
    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))

model = ResNet18()
x, y = torch.randn(16, 3, 64, 64), torch.randint(0, 1000, (16,))
model.eval()
def ev():
    with torch.no_grad(): model(x)
eval_ms = ms_per(ev, 7)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
def step():
    opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
train_ms = ms_per(step, 5)
a = torch.randn(16, 64, 32, 32)
bn = nn.BatchNorm2d(64)
bn.eval()
def bn_ev():
    with torch.no_grad(): bn(a)
bn_eval = ms_per(bn_ev, 30)
bn.train()
bn_train = ms_per(bn_ev, 30)
ag = a.clone().requires_grad_()
g_out = torch.randn(16, 64, 32, 32)
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
