// options.ts - exact option types: the keyword and positional forms the layer constructors, DataLoader and the
// transforms accept at run time compile, and misspelt, duplicated, surplus or foreign arguments do not
// (every @ts-expect-error line below must be a compile error; tsc fails on one that is not).
import * as torch from 'nodetorch';
import { transforms } from 'nodetorch/vision';
import { expectType } from './assert';

const nn = torch.nn;
type T = torch.Tensor;
const x = torch.randn([2, 4]);

// ---- nn layers: PyTorch's positional order, then one options object with the rest
new nn.Linear(4, 2, false);
new nn.Linear(4, 2, { bias: false, dtype: 'float64', device: 'cpu' });
new nn.Linear(4, 2, false, { dtype: 'float64' });
// @ts-expect-error a misspelt option
new nn.Linear(4, 2, { bais: false });
// @ts-expect-error bias given positionally and as an option
new nn.Linear(4, 2, false, { bias: true });
// @ts-expect-error a surplus positional argument
new nn.Linear(4, 2, false, 3);
new nn.Bilinear(2, 3, 4, { bias: false });
// @ts-expect-error Bilinear has no such option
new nn.Bilinear(2, 3, 4, { biass: false });

new nn.Conv2d(3, 8, 3, 1, 1);
new nn.Conv2d(3, 8, 3, 2, 'valid', 1, 1, false, 'reflect');
new nn.Conv2d(3, 8, [3, 3], 1, { padding: 1, bias: false });
// @ts-expect-error stride twice
new nn.Conv2d(3, 8, 3, 1, { stride: 2 });
// @ts-expect-error paddingMode is a literal union
new nn.Conv2d(3, 8, 3, { paddingMode: 'mirror' });
// @ts-expect-error PyTorch's name is kernelSize
new nn.Conv2d({ inChannels: 3, outChannels: 8, kernel: 3 });
new nn.ConvTranspose2d(3, 8, 3, 2, 1, 1);
// @ts-expect-error outputPadding is ConvTranspose2d's, not Conv2d's
new nn.Conv2d(3, 8, 3, { outputPadding: 1 });

new nn.MaxPool2d(2, 2, 0, 1, false, true);
new nn.MaxPool2d(2, null);
new nn.MaxPool2d(2, { stride: 1, ceilMode: true });
// @ts-expect-error countIncludePad is AvgPool2d's
new nn.MaxPool2d(2, { countIncludePad: true });
new nn.AvgPool2d(3, 1, 1, false, true, null);
// @ts-expect-error a misspelt option
new nn.AvgPool2d(3, { strid: 1 });

new nn.BatchNorm2d(16, 1e-3, 0.1, true, false);
new nn.BatchNorm1d(16, { momentum: null, device: 'cpu' });
// @ts-expect-error BatchNorm's option is trackRunningStats
new nn.BatchNorm2d(16, { trackRunningStat: false });
new nn.LayerNorm([4], 1e-6, false);
new nn.GroupNorm(2, 4, { affine: false });
// @ts-expect-error GroupNorm's option is affine, LayerNorm's elementwiseAffine
new nn.GroupNorm(2, 4, { elementwiseAffine: false });
new nn.Embedding(10, 3, null, 1.0, 2, false, false);
new nn.Embedding(10, 3, { paddingIdx: 0 });
// @ts-expect-error a misspelt option
new nn.Embedding(10, 3, { paddingIndex: 0 });

new nn.RNN(4, 8, 2, 'relu', true, true);
new nn.RNN(4, 8, { nonlinearity: 'tanh', batchFirst: true });
new nn.LSTM(4, 8, { numLayers: 2, projSize: 4 });
new nn.GRU(4, 8, 1, true, true, 0.0, true);
// @ts-expect-error LSTM has no nonlinearity
new nn.LSTM(4, 8, { nonlinearity: 'relu' });
// @ts-expect-error GRU has no projSize
new nn.GRU(4, 8, { projSize: 2 });
// @ts-expect-error RNN's nonlinearity is 'tanh' or 'relu'
new nn.RNN(4, 8, { nonlinearity: 'gelu' });
new nn.MultiheadAttention(8, 2, 0.0, true, { batchFirst: true });
// @ts-expect-error a misspelt option
new nn.MultiheadAttention(8, 2, { batchfirst: true });
new nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'gelu', 1e-5, true);
// @ts-expect-error a misspelt option
new nn.TransformerEncoderLayer(8, 2, { dimFeedForward: 16 });

new nn.ELU(0.5, true);
new nn.CELU({ alpha: 2 });
new nn.GELU('tanh');
new nn.GELU({ approximate: 'none' });
// @ts-expect-error GELU's approximate is 'none' or 'tanh'
new nn.GELU('erf');
new nn.Hardtanh(-2, 2);
new nn.Softplus(1, 20);
new nn.ReLU6(true);
new nn.SiLU({ inplace: false });
new nn.PReLU(3, 0.1, { dtype: 'float32' });
new nn.RReLU(0.1, 0.3, false);
// @ts-expect-error ReLU6 takes inplace only
new nn.ReLU6(true, true);
// @ts-expect-error a misspelt option
new nn.SiLU({ inPlace: true });

// ---- DataLoader options
new torch.utils.data.DataLoader([1, 2, 3], { batchSize: 2, shuffle: true, dropLast: true, numWorkers: 0, prefetchFactor: 2 });
new torch.utils.data.DataLoader([1, 2, 3], { pinMemory: true, persistentWorkers: false }); // what the run time accepts
// @ts-expect-error PyTorch's name is dropLast
new torch.utils.data.DataLoader([1, 2, 3], { drop_last: true });
// @ts-expect-error batchSize is a number (or null)
new torch.utils.data.DataLoader([1, 2, 3], { batchSize: '2' });

// ---- transforms options
new transforms.Resize(8, { interpolation: 'bilinear', antialias: true });
new transforms.RandomCrop(4, { padding: 1, padIfNeeded: true });
new transforms.Normalize([0.5], [0.5], { inplace: true });
// @ts-expect-error a misspelt option
new transforms.Normalize([0.5], [0.5], { inPlace: true });
// @ts-expect-error a misspelt option
new transforms.RandomHorizontalFlip({ prob: 0.5 });
// @ts-expect-error a misspelt option
new transforms.Resize(8, { antiAlias: true });

// ---- tolist(): nested arrays, by rank where it is said
const l = x.tolist();
expectType<torch.NestedList>()(l);
expectType<number[][]>()(x.tolist<2>());
expectType<boolean[]>()(x.gt(0).flatten().tolist<1, boolean>());
expectType<number>()(x.sum().tolist<0>());
expectType<torch.NestedList<number>>()(x.tolist<number>());
// @ts-expect-error a NestedList may be a number: narrow it before indexing
l[0];
if (Array.isArray(l)) expectType<torch.NestedList[]>()(l);
// @ts-expect-error the element type is number or boolean
x.tolist<1, string>();

// ---- item() is a number in any context that takes one, also in a union
declare function logScalar(tag: string, value: number | bigint | T, step?: number): void;
logScalar('loss', x.sum().item());
expectType<number>()(Math.max(x.sum().item(), 1));
const flag: boolean = x.gt(0).all().item<boolean>();
export { flag };

// ---- DistributedDataParallel's call() is typed from the module it wraps
class Net extends nn.Module {
  fc = new nn.Linear(4, 2);
  override forward(input: T): T { return this.fc.call(input); }
}
declare const ddp: torch.nn.parallel.DistributedDataParallel<Net>;
expectType<T>()(ddp.call(x));
expectType<Net>()(ddp.module);
// @ts-expect-error Net's forward takes one Tensor
ddp.call(1);
