// keywords_forms.ts - the keyword forms of the hand-written ops (lib/ops/keywords.ts, lib/nn/functional_api.ts):
// every form the runtime takes compiles, with PyTorch's camelCase names; a misspelt or unknown key, a missing required
// one, or a wrong type does not. (The runtime side: test/keyword_audit.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const a = torch.randn([2, 3]);
const b = torch.randn([3, 4]);
const v = torch.randn([3]);
const img = torch.randn([1, 2, 4, 4]);
const labels = torch.tensor([0, 1]);

// creation
expectType<T>()(torch.zeros({ size: [2, 3] }));
expectType<T>()(torch.ones({ size: [2, 3], dtype: 'float64' }));
expectType<T>()(torch.empty({ size: [2], requiresGrad: true }));
expectType<T>()(torch.randn({ size: [2, 3], device: 'cpu' }));
expectType<T>()(torch.full({ size: [2, 2], fillValue: 7 }));
expectType<T>()(torch.full([2, 2], { fillValue: 7, dtype: 'int64' }));
expectType<T>()(torch.eye({ n: 3, m: 2 }));
expectType<T>()(torch.arange({ end: 5 }));
expectType<T>()(torch.arange({ start: 1, end: 5, step: 2, dtype: 'float64' }));
expectType<T>()(torch.randint({ high: 5, size: [3] }));
expectType<T>()(torch.randint({ low: 1, high: 5, size: [3] }));
expectType<T>()(torch.linspace({ start: 0, end: 1, steps: 5 }));
expectType<T>()(torch.zerosLike({ input: a }));
expectType<T>()(torch.fullLike(a, { fillValue: 2 }));
expectType<T>()(torch.tensor({ data: [1, 2, 3] }));
// @ts-expect-error zeros' keyword is size
torch.zeros({ shape: [2, 3] });
// @ts-expect-error a misspelt option
torch.ones({ size: [2, 3], dtyp: 'float64' });
// @ts-expect-error full needs its fillValue
torch.full({ size: [2, 2] });
// @ts-expect-error size is a list of numbers
torch.zeros({ size: ['2'] });

// matmul family
expectType<T>()(torch.mm({ input: a, mat2: b }));
expectType<T>()(torch.mm(a, { mat2: b }));
expectType<T>()(torch.matmul({ input: a, other: b }));
expectType<T>()(torch.mv({ input: a, vec: v }));
expectType<T>()(torch.addmm({ input: torch.zeros([2, 4]), mat1: a, mat2: b, beta: 0.5 }));
expectType<T>()(torch.dot({ input: v, tensor: v }));
expectType<boolean>()(torch.allclose({ input: a, other: a, rtol: 0, equalNan: true }));
// @ts-expect-error mm's second keyword is mat2
torch.mm({ input: a, other: b });
// @ts-expect-error mat2 is required
torch.mm({ input: a });
// @ts-expect-error mat2 is a tensor
torch.mm(a, { mat2: 3 });
// @ts-expect-error addmm takes no gamma
torch.addmm({ input: a, mat1: a, mat2: b, gamma: 1 });

// shapes, norm, index_put
expectType<T>()(torch.permute({ input: a, dims: [1, 0] }));
expectType<T>()(torch.reshape(a, { shape: [3, 2] }));
expectType<T>()(torch.norm({ input: a, p: 'fro', dim: null, keepdim: false }));
expectType<T>()(torch.indexPut({ input: a, indices: [labels], values: torch.ones([2, 3]), accumulate: true }));

// nn.functional: dropout, losses, pooling, norms, activations
expectType<T>()(F.dropout({ input: a, p: 0.2 }));
expectType<T>()(F.dropout(a, { p: 0.2, training: false }));
expectType<T>()(F.dropout2d({ input: img, p: 0.1, inplace: false }));
expectType<T>()(F.mseLoss({ input: a, target: a, reduction: 'sum' }));
expectType<T>()(F.crossEntropy({ input: a, target: labels, labelSmoothing: 0.1 }));
expectType<T>()(F.nllLoss(a, { target: labels }));
expectType<T>()(F.marginRankingLoss({ input1: v, input2: v, target: v, margin: 1 }));
expectType<T>()(F.maxPool2d({ input: img, kernelSize: 2, stride: 1 }));
expectType<T>()(F.avgPool2d({ input: img, kernelSize: [2, 2] }));
expectType<T>()(F.adaptiveAvgPool2d({ input: img, outputSize: 1 }));
expectType<T>()(F.batchNorm({ input: img, runningMean: torch.zeros([2]), runningVar: torch.ones([2]), training: false, eps: 1e-3 }));
expectType<T>()(F.layerNorm({ input: img, normalizedShape: [4, 4] }));
expectType<T>()(F.groupNorm(img, { numGroups: 1, eps: 1e-5 }));
expectType<T>()(F.conv2d({ input: img, weight: torch.randn([3, 2, 3, 3]), padding: 1 }));
expectType<T>()(F.linear({ input: a, weight: torch.randn([4, 3]) }));
expectType<T>()(F.threshold({ input: a, threshold: 0.1, value: 0 }));
expectType<T>()(F.glu({ input: img, dim: 1 }));
expectType<T>()(F.oneHot({ input: labels, numClasses: 3 }));
expectType<T>()(F.pad({ input: a, pad: [1, 1], mode: 'constant', value: 0 }));
// @ts-expect-error dropout's rate is p
F.dropout({ input: a, rate: 0.2 });
// @ts-expect-error p is a number
F.dropout({ input: a, p: '0.2' });
// @ts-expect-error a loss needs its target
F.mseLoss({ input: a });
// @ts-expect-error reduction is 'none' | 'mean' | 'sum'
F.mseLoss({ input: a, target: a, reduction: 'avg' });
// @ts-expect-error max_pool2d's keyword is kernelSize
F.maxPool2d({ input: img, kernel: 2 });
// @ts-expect-error layer_norm needs normalizedShape
F.layerNorm({ input: img, eps: 1e-5 });
// @ts-expect-error a misspelt conv option
F.conv2d({ input: img, weight: torch.randn([3, 2, 3, 3]), paddng: 1 });
// @ts-expect-error groupNorm's keyword is numGroups
F.groupNorm(img, { groups: 1 });

// Tensor methods (self is the input)
expectType<T[]>()(a.split({ splitSize: 1 }));
expectType<T[]>()(a.split({ splitSize: [1, 1], dim: 0 }));
expectType<T>()(a.mm({ mat2: b }));
expectType<T>()(a.matmul({ other: b }));
expectType<T>()(torch.zeros([2, 4]).addmm({ mat1: a, mat2: b, alpha: 2 }));
expectType<T>()(torch.zeros([2, 4]).addmm(a, { mat2: b, beta: 0 }));
expectType<T>()(v.dot({ tensor: v }));
expectType<boolean>()(a.allclose({ other: a, atol: 1e-6 }));
expectType<T>()(a.asStrided({ size: [3], stride: [1], storageOffset: 0 }));
expectType<T>()(a.asStrided([3], { stride: [1] }));
expectType<T>()(a.clone().fill_({ value: 1 }));
expectType<T>()(a.clone().copy_({ src: a }));
expectType<T>()(a.viewAs({ other: a }));
expectType<T>()(a.clone().unsqueeze_({ dim: 0 }));
expectType<T>()(a.clone().indexPut_({ indices: [labels], values: 0 }));

// @ts-expect-error Tensor.split's keyword is splitSize (self is the tensor)
a.split({ splitSizeOrSection: 1 });
// @ts-expect-error splitSize is required
a.split({ dim: 0 });
// @ts-expect-error mm's keyword is mat2
a.mm({ other: b });
// @ts-expect-error the method takes no input (self is the input)
a.mm({ input: a, mat2: b });
// @ts-expect-error addmm takes no gamma
torch.zeros([2, 4]).addmm({ mat1: a, mat2: b, gamma: 1 });
// @ts-expect-error unsqueeze_ needs its dim
a.clone().unsqueeze_({});
// @ts-expect-error fill_'s keyword is value
a.clone().fill_({ val: 1 });
// a parameter given positionally is not named again (the run time refuses it)
// @ts-expect-error p is the second positional parameter here
F.dropout(a, 0.2, { training: false, p: 0.3 });
// @ts-expect-error weight given twice
F.conv2d(img, torch.randn([3, 2, 3, 3]), { weight: torch.randn([3, 2, 3, 3]) });

// the positional forms of the varargs / value-overloaded ops (their functions take `unknown`: KeywordTypes' $own)
expectType<T>()(torch.reshape(a, 3, 2));
expectType<T>()(torch.reshape(a, [3, 2]));
expectType<T>()(torch.permute(a, 1, 0));
expectType<T>()(torch.tile(a, [2]));
expectType<T>()(torch.arange(5));
expectType<T>()(torch.arange(1, 5, { dtype: 'float64' }));
expectType<T>()(torch.arange(1, 5, 2));
expectType<T>()(torch.randint(0, 10, [4]));
expectType<T>()(torch.randint(10, [4], { dtype: 'int32' }));
expectType<T>()(torch.eye(3, { dtype: 'float64' }));
expectType<T>()(torch.full([2], 1.5));
expectType<T>()(torch.randperm(4));
expectType<T>()(torch.norm(a, 2, 1, true));
// @ts-expect-error arange has no stop (PyTorch's name is end)
torch.arange({ start: 0, stop: 5 });
// @ts-expect-error arange takes numbers
torch.arange('5');
// @ts-expect-error reshape's keyword is shape
torch.reshape(a, { size: [3, 2] });
// @ts-expect-error a shape is numbers
torch.permute(a, ['1', '0']);
// @ts-expect-error randint needs a size
torch.randint(10);
// @ts-expect-error eye's second size is m
torch.eye({ n: 3, cols: 2 });
// @ts-expect-error norm's p is a number, 'fro' or 'nuc'
torch.norm(a, 'inf');

// Tensor.size / stride / backward: keyword overloads declared on the class itself (lib/tensor.ts)
expectType<number>()(a.size({ dim: 0 }));
expectType<number>()(a.stride({ dim: -1 }));
expectType<number[]>()(a.size());
// @ts-expect-error size's keyword is dim
a.size({ axis: 0 });
const leaf = torch.randn([3], { requiresGrad: true });
leaf.mul(2).backward({ gradient: torch.ones([3]), retainGraph: true });
leaf.mul(2).sum().backward({ retainGraph: true });
leaf.mul(2).backward(torch.ones([3]), { createGraph: false });
// @ts-expect-error a misspelt backward option
leaf.sum().backward({ retainGraf: true });
