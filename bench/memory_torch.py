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
