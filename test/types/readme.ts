// readme.ts - the README's TypeScript snippets, as written there, type-checked under --strict.
import * as torch from 'nodetorch';
import { transforms } from 'nodetorch/vision';
import { expectType } from './assert';

export function tour(): void {
  const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
  console.log(x.matmul(x.T).toString());        // tensor([[ 5., 11.], [11., 25.]])
  const w = torch.randn([2, 1], { requiresGrad: true });
  const loss = x.matmul(w).pow(2).mean();
  loss.backward();                               // w.grad now holds d(loss)/dw
  console.log(w.grad!.shape, loss.gradFn!.name); // [2, 1] 'MeanBackward0'

  torch.manualSeed(0);                           // reproducible rand/randn/randint/randperm and nn init
  const y = torch.tidy(() => x.exp().sum(1));    // every temporary made inside is freed at once
  using tmp = torch.ones(1000, 1000);            // freed at the end of the scope (Symbol.dispose)
  console.log(torch.memory());                   // { tensors, bytes, devices: { cpu: { tensors, bytes } } }
  expectType<torch.Tensor>()(y);
  expectType<torch.Tensor>()(tmp);
}

export function trainingLoop(): void {
  const data = new torch.utils.data.TensorDataset(torch.randn([512, 784]), torch.randint(0, 10, [512]));
  const loader = new torch.utils.data.DataLoader(data, { batchSize: 64, shuffle: true });
  const model = new torch.nn.Sequential(new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 10));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
  for (const [xb, yb] of loader) {
    opt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.call(xb), yb);
    loss.backward();
    opt.step();
    expectType<torch.Tensor>()(xb);
    expectType<torch.Tensor>()(yb);
  }
}

// README, "TypeScript"
export function typedLoop(): number {
  const X = torch.randn([256, 4]);
  const y = torch.randint(0, 3, [256]);
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(X, y), { batchSize: 32, shuffle: true });
  const model = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 3));
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  let total = 0;
  for (const [xb, yb] of loader) {           // xb, yb: Tensor
    opt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.call(xb), yb);   // model.call(x): Tensor
    loss.backward();
    opt.step();
    total += loss.item();                    // item(): number
  }
  const state = torch.load('model.pt');      // unknown: narrow it before use
  expectType<unknown>()(state);
  const sd = torch.load<Map<string, torch.Tensor>>('model.pt');
  expectType<Map<string, torch.Tensor>>()(sd);
  const flip = new transforms.RandomHorizontalFlip(0.5);
  expectType<transforms.RandomHorizontalFlip>()(flip);
  return total;
}

export async function distributedSampler(trainSet: torch.utils.data.TensorDataset<[torch.Tensor, torch.Tensor]>, epochs: number): Promise<void> {
  const sampler = new torch.utils.data.DistributedSampler(trainSet, { shuffle: true, seed: 0 });
  const loader = new torch.utils.data.DataLoader(trainSet, { batchSize: 64, sampler });
  for (let epoch = 0; epoch < epochs; epoch++) {
    sampler.setEpoch(epoch);
    for (const [x, y] of loader) { expectType<torch.Tensor>()(x); expectType<torch.Tensor>()(y); }
  }
}
