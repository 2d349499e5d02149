// api.ts - the declarations agree with the runtime on the forms of API.md's TypeScript section (type-level
// assertions; the runtime side of each form is exercised by the jest tests).
import * as torch from 'nodetorch';
import { transforms, datasets } from 'nodetorch/vision';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const x = torch.randn([3, 4]);

// options forms of dims
expectType<T>()(torch.cat([x, x], { dim: 1 }));
expectType<T>()(torch.cat([x, x], 1));
expectType<T>()(torch.stack([x, x], { dim: -1 }));
expectType<T>()(F.softmax(x, { dim: 1 }));
expectType<T>()(F.softmax(x, 1, { dtype: 'float64' }));
expectType<T>()(F.logSoftmax(x, { dim: 1, dtype: torch.float64 }));
expectType<T>()(x.argmin({ dim: 0, keepdim: true }));
expectType<T>()(x.argmax());

// max / min: a Tensor without dim, ValuesIndices with one
expectType<T>()(x.min({ dim: 0 }).values);
expectType<T>()(torch.max(x, 0).indices);
expectType<T>()(torch.max(x));
expectType<T>()(torch.min(x, x));
expectType<T>()(x.max(1, { keepdim: true }).values);
const [vals, idx] = x.min(0);
expectType<T>()(vals);
expectType<T>()(idx);

// reading back and casting
let total = 0;
total += x.sum().item();
expectType<number>()(x.sum().item());
expectType<boolean>()(x.gt(0).all().item<boolean>());
expectType<T>()(x.type(torch.float16));
expectType<string>()(x.type());
expectType<torch.DType>()(torch.float16);

// modules: call() is typed from forward
const lin = new torch.nn.Linear(4, 2);
expectType<T>()(lin.call(x));
expectType<T>()(new torch.nn.Sequential(lin, new torch.nn.ReLU()).call(x));
expectType<T>()(new torch.nn.Conv2d(3, 8, 3).call(torch.randn([1, 3, 8, 8])));
class TwoHeads extends torch.nn.Module {
  a = new torch.nn.Linear(4, 2);
  b = new torch.nn.Linear(4, 3);
  override forward(input: T): { left: T; right: T } { return { left: this.a.call(input), right: this.b.call(input) }; }
}
const heads = new TwoHeads().call(x);
expectType<{ left: T; right: T }>()(heads);

// serialization
expectType<unknown>()(torch.load('x.pt'));
expectType<Promise<unknown>>()(torch.loadAsync('x.pt'));

// data: batch types follow the dataset and the collate function
const ds = new torch.utils.data.TensorDataset(x, torch.arange(3));
expectType<torch.utils.data.TensorDataset<[T, T]>>()(ds);
for (const batch of new torch.utils.data.DataLoader(ds, { batchSize: 2 })) expectType<[T, T]>()(batch);
const counts = new torch.utils.data.DataLoader(ds, { batchSize: 2, collateFn: (items) => items.length });
for (const n of counts) expectType<number>()(n);
class Pairs extends torch.utils.data.Dataset<{ image: T; label: number; name: string }> {
  get length(): number { return 4; }
  getItem(i: number): { image: T; label: number; name: string } { return { image: torch.zeros(2), label: i, name: `n${i}` }; }
}
for (const b of new torch.utils.data.DataLoader(new Pairs(), { batchSize: 2 })) expectType<{ image: T; label: T; name: string[] }>()(b);
export async function asyncBatches(): Promise<void> {
  for await (const [xb, yb] of new torch.utils.data.DataLoader(ds, { batchSize: 2 })) { expectType<T>()(xb); expectType<T>()(yb); }
}
const arr = new torch.utils.data.DataLoader([1.5, 2.5, 3.5], { batchSize: 2 });
for (const b of arr) expectType<T>()(b);
expectType<torch.utils.data.Collated<[T, number, string]>>()([x, x, ['a']] as [T, T, string[]]);

// vision
expectType<T>()(new transforms.ToTensor().forward(x));
expectType<typeof datasets.MNIST>()(datasets.MNIST);

// dtype constants are DType
const dt: torch.DType = 'bfloat16';
expectType<T>()(x.to(dt));

// keyword-style arguments with PyTorch's names
expectType<T>()(new torch.nn.Linear({ inFeatures: 4, outFeatures: 2 }).call(x));
expectType<T>()(new torch.nn.Conv2d(3, 10, { kernelSize: 3, padding: 1 }).call(torch.randn([1, 3, 8, 8])));
expectType<T>()(new torch.nn.Conv2d({ inChannels: 3, outChannels: 10, kernelSize: 3 }).weight);
new torch.nn.MaxPool2d({ kernelSize: 2 });
new transforms.RandomHorizontalFlip({ p: 0.5 });
expectType<T>()(torch.flatten(x, { startDim: 1 }));
expectType<T>()(x.flatten({ startDim: 1 }));
expectType<T>()(x.transpose({ dim0: 0, dim1: 1 }));
expectType<T>()(F.adaptiveAvgPool2d(torch.randn([1, 1, 4, 4]), { outputSize: 1 }));
// JavaScript interop: rows of a tensor
for (const row of x) expectType<T>()(row);

// learning-rate schedules added with PyTorch's arguments
{
  const p = new torch.nn.Parameter(torch.zeros([1]));
  const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const L = torch.optim.lrScheduler;
  const seq = new L.SequentialLR(opt, [new L.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new L.CosineAnnealingLR(opt, 95)], [5]);
  seq.step();
  expectType<number[]>()(new L.LambdaLR(opt, (e) => 0.95 ** e).getLastLr());
  new L.CyclicLR(opt, 0.01, 0.1, { stepSizeUp: 4, mode: 'triangular2' });
  new L.CosineAnnealingWarmRestarts(opt, 10, { tMult: 2, etaMin: 1e-5 }).step(2.5);
  new L.ChainedScheduler([new L.ConstantLR(opt, { factor: 0.5 }), new L.ExponentialLR(opt, 0.9)]);
  // @ts-expect-error CyclicLR's modes are triangular, triangular2, exp_range
  new L.CyclicLR(opt, 0.01, 0.1, { mode: 'sawtooth' });
  // @ts-expect-error a misspelt option
  new L.PolynomialLR(opt, { totalItres: 3 });
}
{
  const p = new torch.nn.Parameter(torch.zeros([1]));
  new torch.optim.NAdam([p], { lr: 1e-3, momentumDecay: 4e-3 }).step();
  new torch.optim.Rprop([p], { etas: [0.5, 1.2], stepSizes: [1e-6, 50] });
  new torch.optim.ASGD([p], { t0: 100 });
  // @ts-expect-error RAdam has no momentum option
  new torch.optim.RAdam([p], { momentum: 0.9 });
}
torch.setPrintoptions({ precision: 2, sciMode: false, profile: 'short' });
expectType<number>()(torch.getPrintoptions().linewidth);
// @ts-expect-error profiles are default, short, full
torch.setPrintoptions({ profile: 'long' });
