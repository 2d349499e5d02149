// nnutil.ts - nn.utils.rnn (padSequence, PackedSequence, packPaddedSequence, padPackedSequence), RNN / LSTM / GRU
// on a PackedSequence, nn.TransformerDecoderLayer / TransformerDecoder / Transformer, nn.init.orthogonal_ / sparse_,
// nn.utils.weightNorm / spectralNorm: what compiles, and beside it what must not.
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const nn = torch.nn;
const R = torch.nn.utils.rnn;
type PS = torch.nn.utils.rnn.PackedSequence;
const a = torch.randn([3, 4]), b = torch.randn([2, 4]);

// ---- nn.utils.rnn ----
expectType<T>()(R.padSequence([a, b]));
expectType<T>()(R.padSequence([a, b], true, -1));
expectType<T>()(R.padSequence([a, b], { batchFirst: true, paddingValue: 0, paddingSide: 'left' }));
// @ts-expect-error paddingSide is 'left' or 'right'
R.padSequence([a, b], { paddingSide: 'top' });
// @ts-expect-error a misspelt option
R.padSequence([a, b], { batch_first: true });
const packed = R.packPaddedSequence(R.padSequence([a, b]), [3, 2]);
expectType<PS>()(packed);
expectType<PS>()(R.packPaddedSequence(torch.randn([2, 3, 4]), torch.tensor([3, 2]), { batchFirst: true, enforceSorted: false }));
expectType<PS>()(R.packSequence([a, b], false));
expectType<[T, T]>()(R.padPackedSequence(packed, { batchFirst: true, totalLength: 5 }));
expectType<T[]>()(R.unpackSequence(packed));
expectType<T[]>()(R.unpadSequence(R.padSequence([a, b]), [3, 2]));
expectType<T>()(packed.data);
expectType<T | null>()(packed.sortedIndices);
// @ts-expect-error lengths are numbers or a tensor
R.packPaddedSequence(a, ['3']);
// @ts-expect-error padPackedSequence takes a PackedSequence
R.padPackedSequence(a);

// ---- RNNs on packed input return a PackedSequence ----
const lstm = new nn.LSTM(4, 5), gru = new nn.GRU(4, 5);
expectType<[PS, [T, T]]>()(lstm.call(packed));
expectType<[T, [T, T]]>()(lstm.call(torch.randn([3, 2, 4])));
expectType<[PS, T]>()(gru.call(packed, torch.zeros([1, 2, 5])));
expectType<[PS, T]>()(new nn.RNN(4, 5).call(packed));

// ---- transformer decoder ----
const tgt = torch.randn([4, 2, 8]), mem = torch.randn([5, 2, 8]);
const dl = new nn.TransformerDecoderLayer(8, 2, 16, 0.1, 'gelu', 1e-5, false, true);
new nn.TransformerDecoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, batchFirst: true });
new nn.TransformerDecoderLayer(8, { nhead: 2 });
// @ts-expect-error nhead is required
new nn.TransformerDecoderLayer({ dModel: 8 });
expectType<T>()(dl.call(tgt, mem));
expectType<T>()(dl.call(tgt, mem, null, null, null, null));
expectType<T>()(dl.call(tgt, mem, { tgtMask: null, memoryKeyPaddingMask: null, tgtIsCausal: true }));
expectType<T>()(dl.call({ tgt, memory: mem }));
// @ts-expect-error memory is required
dl.call(tgt);
// @ts-expect-error the decoder's mask is tgtMask
dl.call(tgt, mem, { srcMask: null });
const dec = new nn.TransformerDecoder(dl, 2, new nn.LayerNorm(8));
new nn.TransformerDecoder(dl, 2, { norm: null });
new nn.TransformerDecoder({ decoderLayer: dl, numLayers: 2 });
// @ts-expect-error numLayers is required
new nn.TransformerDecoder({ decoderLayer: dl });
expectType<T>()(dec.call(tgt, mem, nn.Transformer.generateSquareSubsequentMask(4)));
const tr = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
new nn.Transformer(8, 2, 1, 1, 16, 0.1, 'relu');
new nn.Transformer();
expectType<T>()(tr.call(mem, tgt));
expectType<T>()(tr.call(mem, tgt, null, nn.Transformer.generateSquareSubsequentMask(4)));
expectType<T>()(tr.call(mem, tgt, { tgtMask: null, srcKeyPaddingMask: null }));
// @ts-expect-error tgt is required
tr.call(mem);
// @ts-expect-error a misspelt option
new nn.Transformer({ dmodel: 8 });

// ---- init and weight reparametrisations ----
expectType<T>()(nn.init.orthogonal_(torch.empty([3, 3]), 1.5));
expectType<T>()(nn.init.orthogonal_(torch.empty([3, 3]), { gain: 2 }));
expectType<T>()(nn.init.sparse_(torch.empty([3, 3]), 0.5, 0.01));
// @ts-expect-error sparsity is required
nn.init.sparse_(torch.empty([3, 3]));
const lin = nn.utils.weightNorm(new nn.Linear(4, 3), 'weight', 0);
expectType<torch.nn.Linear>()(lin);
expectType<torch.nn.Linear>()(nn.utils.removeWeightNorm(lin));
expectType<torch.nn.Conv2d>()(nn.utils.spectralNorm(new nn.Conv2d(2, 3, 3), { nPowerIterations: 2 }));
// @ts-expect-error a misspelt option
nn.utils.spectralNorm(new nn.Linear(4, 3), { nPowerIteration: 2 });

// ---- fusion and lazy modules ----
const conv = new nn.Conv2d(2, 3, 3), bn2 = new nn.BatchNorm2d(3);
expectType<torch.nn.Conv2d>()(nn.utils.fuseConvBnEval(conv, bn2));
expectType<torch.nn.Linear>()(nn.utils.fuseLinearBnEval(new nn.Linear(4, 3), new nn.BatchNorm1d(3)));
// @ts-expect-error the first argument is a convolution
nn.utils.fuseConvBnEval(new nn.Linear(4, 3), bn2);
const lazy = new nn.LazyLinear(3);
new nn.LazyLinear(3, false, { dtype: 'float64' });
expectType<T>()(lazy.call(x4()));
expectType<T>()(new nn.LazyConv2d(4, 3, { padding: 1 }).call(torch.randn([1, 2, 5, 5])));
new nn.LazyConv1d(4, 3, 1, 0, 1, 1, true);
// @ts-expect-error LazyLinear takes no in_features
new nn.LazyLinear(4, 3, true);
function x4(): T { return torch.randn([2, 4]); }
