# mnist_torch.py - the PyTorch side of bench/mnist.js: the example's CNN, optimizer (Adam + OneCycleLR), batch
# size and data (the same 8,000 / 2,000 MNISTSample split, exported by bench/mnist.js as raw .bin files), timed per
# epoch with the same thread count. Prints one JSON line: seconds per epoch, samples/s, accuracy, peak RSS.
# Run by bench/mnist.js; by hand: python3 bench/mnist_torch.py DIR --epochs 6 --batch-size 64 --lr 0.01 --threads 2 [--device cuda]
import argparse, json, os, resource, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('dir')
p.add_argument('--epochs', type=int, default=6)
p.add_argument('--batch-size', type=int, default=64)
p.add_argument('--lr', type=float, default=0.01)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--device', default='cpu')
a = p.parse_args()
dev = torch.device(a.device)
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

def split(name):
    x = np.fromfile(os.path.join(a.dir, f'{name}_images.bin'), dtype=np.uint8).reshape(-1, 1, 28, 28)
    y = np.fromfile(os.path.join(a.dir, f'{name}_labels.bin'), dtype=np.int64)
    x = (torch.from_numpy(x.copy()).float() / 255 - 0.1307) / 0.3081
    return torch.utils.data.TensorDataset(x, torch.from_numpy(y.copy()))

train, test = split('train'), split('test')
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)).to(dev)
loader = torch.utils.data.DataLoader(train, batch_size=a.batch_size, shuffle=True, generator=torch.Generator().manual_seed(a.seed))
test_loader = torch.utils.data.DataLoader(test, batch_size=500)
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, epochs=a.epochs, steps_per_epoch=len(loader))

secs, rates = [], []
for epoch in range(a.epochs):
    model.train()
    t0 = time.perf_counter()
    seen = 0
    for xb, yb in loader:
        xb, yb = xb.to(dev), yb.to(dev)
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        seen += xb.shape[0]
    if dev.type == 'cuda':
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    secs.append(dt)
    rates.append(seen / dt)

model.eval()
correct = total = 0
with torch.inference_mode():
    for xb, yb in test_loader:
        correct += (model(xb.to(dev)).argmax(1).cpu() == yb).sum().item()
        total += yb.shape[0]
print(json.dumps({'torch': torch.__version__, 'device': str(dev), 'threads': torch.get_num_threads(), 'secondsPerEpoch': secs, 'samplesPerSec': rates,
                  'testAccuracy': correct / total, 'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
