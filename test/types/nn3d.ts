// nn3d.ts - the declarations of the 3-d convolution and pooling forms, ctc_loss, multilabel_margin_loss and
// triplet_margin_with_distance_loss (lib/nn/functional_nn3d.ts) and their modules (lib/nn/layers/nn3d.ts).
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const { nn } = torch;
const x = torch.randn([1, 2, 4, 4, 4]);
const w = torch.randn([3, 2, 2, 2, 2]);

expectType<T>()(F.conv3d(x, w));
expectType<T>()(F.conv3d(x, w, null, 1, 'same'));
expectType<T>()(F.conv3d(x, w, null, [1, 2, 1], [0, 1, 0], 1, 1));
expectType<T>()(F.conv3d(x, w, { padding: 'valid', groups: 1 }));
expectType<T>()(F.convTranspose3d(x, torch.randn([2, 3, 2, 2, 2]), null, 2, 0, 1));
expectType<T>()(F.avgPool3d(x, 2, { ceilMode: true, divisorOverride: 3 }));
expectType<T>()(F.adaptiveAvgPool3d(x, [2, null, 3]));
expectType<T>()(F.lpPool3d(x, 2, [2, 2, 2]));
const lp = torch.randn([6, 2, 4]).logSoftmax(2);
expectType<T>()(F.ctcLoss(lp, torch.tensor([[1, 2], [3, 3]]), torch.tensor([6, 5]), torch.tensor([2, 2]), { reduction: 'sum', zeroInfinity: true }));
expectType<T>()(F.multilabelMarginLoss(torch.randn([2, 3]), torch.tensor([[0, -1, 1], [2, 1, -1]]), { reduction: 'none' }));
const a = torch.randn([4, 3]);
expectType<T>()(F.tripletMarginWithDistanceLoss(a, a, a, { distanceFunction: (u: T, v: T) => u.sub(v).abs().sum(-1), margin: 0.5 }));
expectType<T>()(F.tripletMarginWithDistanceLoss({ anchor: a, positive: a, negative: a, swap: true }));
// @ts-expect-error: distanceFunction is a function of two tensors
F.tripletMarginWithDistanceLoss(a, a, a, { distanceFunction: 2 });
// @ts-expect-error: ctc_loss's reduction is 'none' | 'mean' | 'sum'
F.ctcLoss(lp, torch.tensor([[1, 2]]), torch.tensor([6]), torch.tensor([2]), { reduction: 'batchmean' });

expectType<T>()(new nn.Conv3d(2, 3, 3, { padding: 'same', paddingMode: 'reflect' }).call(x));
expectType<T>()(new nn.Conv3d({ inChannels: 2, outChannels: 3, kernelSize: [1, 2, 3] }).call(x));
expectType<T>()(new nn.ConvTranspose3d(2, 3, 2, { stride: 2 }).call(x, [8, 8, 8]));
expectType<T>()(new nn.AvgPool3d(2, { countIncludePad: false }).call(x));
expectType<T>()(new nn.AdaptiveAvgPool3d([1, null, 2]).call(x));
expectType<T>()(new nn.LPPool3d(2, 2).call(x));
expectType<T>()(new nn.CTCLoss({ blank: 0, zeroInfinity: true }).call(lp, torch.tensor([[1, 2], [3, 3]]), torch.tensor([6, 5]), torch.tensor([2, 2])));
expectType<T>()(new nn.MultiLabelMarginLoss().call(torch.randn([2, 3]), torch.tensor([[0, -1, 1], [2, 1, -1]])));
expectType<T>()(new nn.TripletMarginWithDistanceLoss({ distanceFunction: new nn.PairwiseDistance(1) }).call(a, a, a));
expectType<T>()(new nn.NLLLoss2d({ ignoreIndex: 0 }).call(torch.randn([2, 3, 4, 4]), torch.zeros([2, 4, 4], { dtype: 'int64' })));
expectType<T>()(new nn.Identity(3, { anything: true }).call(x));
// @ts-expect-error: Conv3d's padding mode is one of PyTorch's
new nn.Conv3d(2, 3, 3, { paddingMode: 'mirror' });
