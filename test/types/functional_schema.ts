// functional_schema.ts - the declarations of the nn.functional schema rows (lib/ops/ops.schema's "nn.functional:
// activations, dropout, ..." section -> lib/ops/generated_functional.ts): PyTorch's positions, every parameter by its
// camelCase name, int-or-tuple sizes (int[N]), conv's padding strings, the losses' deprecated size_average/reduce
// positions, and the pools' result that depends on returnIndices. (The runtime side: test/functional_schema.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const x = torch.randn([1, 2, 6, 6]);
const x1 = torch.randn([1, 2, 6]);
const x3 = torch.randn([1, 2, 4, 4, 4]);
const w = torch.randn([3, 2, 3, 3]);
const a = torch.randn([2, 3]);
const labels = torch.tensor([0, 2]);
const flag: boolean = Math.random() > 2;

// max pooling: the result type follows returnIndices, positionally and by keyword
expectType<T>()(F.maxPool2d(x, 2));
expectType<T>()(F.maxPool2d(x, [2, 2], null, 0, 1, false));
expectType<T>()(F.maxPool2d(x, 2, { returnIndices: false }));
expectType<[T, T]>()(F.maxPool2d(x, 2, { returnIndices: true }));
expectType<[T, T]>()(F.maxPool2d(x, 2, 2, 0, 1, false, true));
expectType<[T, T]>()(F.maxPool2d(x, 2, 2, { ceilMode: true, returnIndices: true }));
expectType<[T, T]>()(F.maxPool2d({ input: x, kernelSize: 2, returnIndices: true }));
expectType<T | [T, T]>()(F.maxPool2d(x, 2, { returnIndices: flag }));
expectType<T>()(F.maxPool1d(x1, 2));
expectType<[T, T]>()(F.maxPool1d(x1, 2, 1, 0, 1, false, true));
expectType<[T, T]>()(F.maxPool3d(x3, [2, 2, 2], { returnIndices: true }));
expectType<T>()(F.maxPool3d(x3, 2, { stride: [1, 1, 1] }));
expectType<T>()(F.adaptiveMaxPool2d(x, [3, null]));
expectType<[T, T]>()(F.adaptiveMaxPool2d(x, 3, true));
expectType<[T, T]>()(F.adaptiveMaxPool1d(x1, 3, { returnIndices: true }));
expectType<T>()(F.adaptiveMaxPool3d(x3, [2, 2, 2]));
const [values, indices] = F.maxPool2d(x, 2, { returnIndices: true });
expectType<T>()(values);
expectType<T>()(indices);
// other pools: int or a tuple of the pool's rank
expectType<T>()(F.avgPool2d(x, [2, 3], [1, 1], 0, false, true, null));
expectType<T>()(F.avgPool1d(x1, 2, { countIncludePad: false }));
expectType<T>()(F.adaptiveAvgPool2d(x, [null, 2]));

// convolution: PyTorch's positions, padding 'same' | 'valid'
expectType<T>()(F.conv2d(x, w));
expectType<T>()(F.conv2d(x, w, null, 1, 'same'));
expectType<T>()(F.conv2d(x, w, null, [1, 1], [1, 0], [1, 1], 1));
expectType<T>()(F.conv2d(x, w, { padding: 'valid', dilation: 2 }));
expectType<T>()(F.conv1d(x1, torch.randn([3, 2, 2]), null, 1, 'same'));
expectType<T>()(F.convTranspose2d(x, torch.randn([2, 3, 3, 3]), null, 2, 1, 1));
expectType<T>()(F.unfold(x, [2, 3], 1, 0, 1));
expectType<T>()(F.fold(F.unfold(x, 2), [6, 6], 2));

// losses: the deprecated positions, and reduction's literal names
expectType<T>()(F.mseLoss(a, a, null, null, 'sum'));
expectType<T>()(F.mseLoss(a, a, false));
expectType<T>()(F.crossEntropy(a, labels, null, null, -100, null, 'mean', 0.1));
expectType<T>()(F.nllLoss(a.logSoftmax(1), labels, torch.ones([3])));
expectType<T>()(F.klDiv(a, a, { reduction: 'batchmean', logTarget: true }));
expectType<T>()(F.poissonNllLoss(a, a, false, true, null, 1e-6));
expectType<T>()(F.huberLoss(a, a, 'sum', 0.5));

// norms, activations, dropout, the rest
expectType<T>()(F.batchNorm(x, null, null, null, null, true, 0.1, 1e-5));
expectType<T>()(F.layerNorm(a, 3, null, null, 1e-5));
expectType<T>()(F.instanceNorm(x, { useInputStats: true }));
expectType<T>()(F.mish(a, true));
expectType<T>()(F.rrelu(a, 0.1, 0.3, true));
expectType<T>()(F.dropout(a, 0.2, true, false));
expectType<T>()(F.embedding(labels, a.t(), null, 1.0));
expectType<T>()(F.pad(a, [1, 1], 'reflect'));
expectType<T>()(F.pairwiseDistance(a, a, 1, 1e-6, true));

// functions added as rows
expectType<T>()(F.pixelShuffle(torch.randn([1, 8, 2, 2]), 2));
expectType<T>()(F.pixelUnshuffle({ input: x, downscaleFactor: 2 }));
expectType<T>()(F.lpPool2d(x, 2, [3, 2], null, true));
expectType<T>()(F.lpPool1d(x1, 3, 2, { stride: 1 }));
expectType<T>()(F.localResponseNorm(x, 3, 1e-4, 0.75, 1));
expectType<T>()(F.convTranspose1d(x1, torch.randn([2, 3, 3]), null, 2, 1, 1, 1, 1));

expectType<T>()(F.interpolate(x, [12, 12], null, 'bilinear', false));
expectType<T>()(F.interpolate(x, { scaleFactor: 2, mode: 'nearest-exact' }));
expectType<T>()(F.interpolate(x, null, [1.5, 2]));

expectType<T>()(F.gumbelSoftmax(a, 0.5, true));
expectType<T>()(F.gumbelSoftmax({ logits: a, hard: true, dim: 0 }));

expectType<T>()(F.tripletMarginLoss(a, a, a, 1, 2, 1e-6, true));
expectType<T>()(F.gaussianNllLoss(a, a, { var: a, full: true }));
expectType<T>()(F.gaussianNllLoss(a, a, a, false, 1e-6, 'sum'));
expectType<T>()(F.multiMarginLoss(a, labels, 2, 0.5, null, null, null, 'none'));
expectType<T>()(F.cosineEmbeddingLoss(a, a, labels, { margin: 0.5 }));
expectType<T>()(F.adaptiveAvgPool1d(x1, 3));

// ---- must not compile -----------------------------------------------------------------------------------------------
// @ts-expect-error with returnIndices: true the result is a pair, not a Tensor
const t1: T = F.maxPool2d(x, 2, { returnIndices: true });
// @ts-expect-error without returnIndices the result is a Tensor, not a pair
const p1: [T, T] = F.maxPool2d(x, 2);
// @ts-expect-error a pair as max_pool3d's kernel size: it takes an int or three
F.maxPool3d(x3, [2, 2]);
// @ts-expect-error three sizes for a 2-d pool
F.avgPool2d(x, [2, 2, 2]);
// @ts-expect-error returnIndices is a bool
F.maxPool2d(x, 2, { returnIndices: 1 });
// @ts-expect-error conv padding strings are 'same' or 'valid'
F.conv2d(x, w, null, 1, 'full');
// @ts-expect-error reduction is 'none' | 'mean' | 'sum'
F.mseLoss(a, a, null, null, 'avg');
// @ts-expect-error 'batchmean' is kl_div's only
F.mseLoss(a, a, { reduction: 'batchmean' });
// @ts-expect-error size_average is a bool (or null)
F.l1Loss(a, a, 'mean');
// @ts-expect-error huber_loss has no size_average position
F.huberLoss(a, a, null, null, 'mean');
// @ts-expect-error an unknown option
F.conv2d(x, w, { paddingMode: 'zeros' });
// @ts-expect-error too many positional arguments
F.glu(a, 1, 2);
// @ts-expect-error lp_pool2d's norm_type is required
F.lpPool2d(x, { kernelSize: 2 });
// @ts-expect-error pixel_shuffle's factor is upscaleFactor
F.pixelShuffle(x, { factor: 2 });
// @ts-expect-error interpolate's modes are PyTorch's
F.interpolate(x, 2, null, 'cubic');
// @ts-expect-error gaussian_nll_loss has no size_average position
F.gaussianNllLoss(a, a, a, false, 1e-6, null, 'sum');
void t1; void p1;
