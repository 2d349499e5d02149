// keywords.ts - the hand-written ops (varargs shapes, nn.functional convolution/pooling/linear) take PyTorch's
// keyword names for their leading parameters in the options object, and refuse misspelt keys at compile time.
// (The runtime side: test/keywords.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const x = torch.randn([1, 2, 4, 4]);
const w = torch.randn([3, 2, 3, 3]);

expectType<T>()(x.reshape({ shape: [2, 16] }));
expectType<T>()(x.view({ size: [2, 16] }));
expectType<T>()(x.permute({ dims: [0, 2, 1, 3] }));
expectType<T>()(torch.randn([1, 3]).expand({ size: [2, 3] }));
expectType<T>()(torch.randn([1, 3]).repeat({ repeats: [2, 2] }));
expectType<T>()(torch.randn([1, 3]).tile({ dims: [2] }));
F.maxPool2d(x, { kernelSize: 2, stride: 1 });
expectType<T>()(F.avgPool2d(x, { kernelSize: 2, ceilMode: true }));
expectType<T>()(F.linear(torch.randn([2, 3]), { weight: torch.randn([4, 3]), bias: null }));
expectType<T>()(F.linear(torch.randn([2, 3]), torch.randn([4, 3]), { bias: torch.zeros([4]) }));
expectType<T>()(F.conv2d(x, { weight: w, padding: 1 }));
expectType<T>()(F.unfold(x, { kernelSize: 2, stride: 2 }));
expectType<T>()(F.fold(torch.randn([1, 8, 9]), { outputSize: [4, 4], kernelSize: 2 }));

// @ts-expect-error a misspelt keyword
x.reshape({ shap: [2, 16] });
// @ts-expect-error permute's keyword is dims
x.permute({ size: [0, 2, 1, 3] });
// @ts-expect-error max-pool takes no 'groups'
F.maxPool2d(x, { kernelSize: 2, groups: 2 });
// @ts-expect-error linear needs its weight
F.linear(torch.randn([2, 3]), { bias: null });

// max/min: three schema rows each (overloads); the dim form gives ValuesIndices by keyword too
const y2 = torch.randn([2, 3]);
expectType<T>()(y2.max({ dim: 0 }).values);
expectType<T>()(torch.min(y2, { dim: 1, keepdim: true }).indices);
expectType<T>()(torch.max({ input: y2, other: y2 }));
expectType<T>()(y2.min({ other: y2 }));
expectType<T>()(torch.max({ input: y2 }));
// where: torch.where(condition, input, other); the method's self is input
const c2 = y2.gt(0);
expectType<T>()(torch.where({ condition: c2, input: y2, other: 0 }));
expectType<T>()(y2.where(c2, { other: 0 }));
expectType<T>()(y2.where({ condition: c2, other: y2 }));

// @ts-expect-error max's keyword is keepdim
y2.max({ dim: 0, keepDim: true });
// @ts-expect-error max with a dim gives values/indices, not a tensor
y2.max({ dim: 0 }).exp();
// @ts-expect-error where's method takes condition, not input (self is the input)
y2.where({ input: y2, other: 0 });

// sorting and order statistics are schema rows: every parameter by name, ValuesIndices where PyTorch gives (values, indices)
expectType<T>()(torch.sort({ input: y2, descending: true }).values);
expectType<T>()(y2.sort({ stable: true, dim: 0 }).indices);
expectType<T>()(y2.argsort({ descending: true }));
expectType<T>()(y2.topk({ k: 2, largest: false }).values);
expectType<T>()(torch.kthvalue(y2, { k: 1, dim: 0, keepdim: true }).indices);
expectType<T>()(torch.median(y2));
expectType<T>()(y2.median({ dim: 1 }).values);
expectType<T>()(torch.cummax(y2, { dim: 1 }).indices);
expectType<T>()(torch.nanToNum(y2, { nan: 0, posinf: 1 }));
expectType<T>()(y2.nanToNum_(0, 1, -1));

// @ts-expect-error topk's k is required
y2.topk({ dim: 0 });
// @ts-expect-error median without a dim is a tensor, with one values/indices
torch.median(y2).values;
// @ts-expect-error a misspelt keyword
y2.sort({ decending: true });

// std/var: three overload rows each (dim/unbiased/keepdim, unbiased alone, dim with keyword-only correction)
expectType<T>()(y2.std({ dim: 0, correction: 0 }));
expectType<T>()(torch.var(y2, 1, false, true));
expectType<T>()(y2.var(false));
expectType<T>()(torch.std({ input: y2, dim: [0, 1], keepdim: true }));
// @ts-expect-error std has no ddof (correction is PyTorch's name)
y2.std({ ddof: 1 });
