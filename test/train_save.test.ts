// train_save.test.ts - the issue-4 round trip: train a small MLP and a small CNN on generated data to a loss
// threshold, save the state dict, reload it into a fresh model, and get identical outputs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';
const { nn, optim } = torch;
const F = nn.functional;

function roundTrip(make: () => torch.nn.Module, model: torch.nn.Module, x: torch.Tensor): void {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nt-train-')), 'model.pt');
  torch.save(model.stateDict(), f);
  const fresh = make();
  fresh.loadStateDict(torch.load(f));
  model.eval(); fresh.eval();
  const a = torch.noGrad(() => model.call(x) as torch.Tensor);
  const b = torch.noGrad(() => fresh.call(x) as torch.Tensor);
  expect(torch.equal(a, b)).toBe(true);
}

test('MLP trains below a loss threshold, saves and reloads to identical outputs', () => {
  torch.manualSeed(0);
  // two interleaved classes: label = sign of x0 * x1
  const x = torch.randn([256, 2]);
  const y = x.select(1, 0).mul(x.select(1, 1)).gt(0).long();
  const make = (): torch.nn.Module => new nn.Sequential(new nn.Linear(2, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.ReLU(), new nn.Linear(32, 2));
  const model = make();
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  let loss = Infinity;
  for (let i = 0; i < 400; i++) {
    opt.zeroGrad();
    const l = F.crossEntropy(model.call(x) as torch.Tensor, y);
    l.backward();
    opt.step();
    loss = l.item() as number;
  }
  expect(loss).toBeLessThan(0.15);
  roundTrip(make, model, x);
});

test('CNN trains below a loss threshold, saves and reloads to identical outputs', () => {
  torch.manualSeed(1);
  // 8x8 images: class 0 has a bright horizontal bar, class 1 a vertical one, plus noise
  const n = 128;
  const imgs = torch.randn([n, 1, 8, 8]).mul(0.3);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2, pos = 1 + (i % 6);
    labels.push(c);
    const img = imgs.select(0, i).select(0, 0);
    (c === 0 ? img.select(0, pos) : img.select(1, pos)).add_(2);
  }
  const y = torch.tensor(labels);
  const make = (): torch.nn.Module => new nn.Sequential(
    new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 4 * 4, 2));
  const model = make();
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  let loss = Infinity;
  for (let i = 0; i < 60; i++) {
    opt.zeroGrad();
    const l = F.crossEntropy(model.call(imgs) as torch.Tensor, y);
    l.backward();
    opt.step();
    loss = l.item() as number;
  }
  expect(loss).toBeLessThan(0.1);
  roundTrip(make, model, imgs);
});
