// functional_api.ts - torch.nn.functional as exported (lib/nn/index.ts): lib/nn/functional.ts's functions, with
// PyTorch's keyword names for the positional parameters of the hand-written ones (the schema's F rows take them
// already: lib/ops/generated_functional.ts). `F.dropout({ input: x, p: 0.2 })`, `F.glu(x, { dim: 0 })`,
// `F.bilinear({ input1, input2, weight })`: the named parameters are moved into place (lib/ops/keywords.ts) and the
// function parses the call as before. test/keyword_audit.test.ts checks every name against PyTorch 1.13's signatures.
// Each export is declared `typeof F.x & KeywordForms<op, sig, typeof F.x>` (lib/ops/keywords.ts): the keyword forms
// with exact option keys, types taken from F.x's own parameters.
// (Why these are not schema rows yet: int-or-tuple kernel sizes, results that depend on returnIndices, the losses'
// deprecated size_average/reduce positions, and per-function option objects that predate the schema.)
import * as F from './functional';
import { withKeywords } from '../ops/keywords';

export * from './functional';

// (the parameters each function already takes in its own options object are not listed: only the leading ones)
const kw = withKeywords;
export const threshold = kw('threshold', 'input, threshold, value, inplace?', F.threshold);
export const mish = kw('mish', 'input', F.mish);
export const sigmoid = kw('sigmoid', 'input', F.sigmoid);
export const tanh = kw('tanh', 'input', F.tanh);
export const logsigmoid = kw('logsigmoid', 'input', F.logsigmoid);
export const softsign = kw('softsign', 'input', F.softsign);
export const hardsigmoid = kw('hardsigmoid', 'input', F.hardsigmoid);
export const hardswish = kw('hardswish', 'input', F.hardswish);
export const tanhshrink = kw('tanhshrink', 'input', F.tanhshrink);
export const hardshrink = kw('hardshrink', 'input, lambd?', F.hardshrink);
export const softshrink = kw('softshrink', 'input, lambd?', F.softshrink);
export const prelu = kw('prelu', 'input, weight', F.prelu);
export const rrelu = kw('rrelu', 'input', F.rrelu);
export const glu = kw('glu', 'input, dim?', F.glu);
export const bilinear = kw('bilinear', 'input1, input2, weight, bias?', F.bilinear);
export const dropout = kw('dropout', 'input, p=0.5, training=true, inplace=false', F.dropout);
export const dropout1d = kw('dropout1d', 'input, p=0.5, training=true, inplace=false', F.dropout1d);
export const dropout2d = kw('dropout2d', 'input, p=0.5, training=true, inplace=false', F.dropout2d);
export const alphaDropout = kw('alpha_dropout', 'input, p=0.5, training=false, inplace=false', F.alphaDropout);
export const embedding = kw('embedding', 'input, weight', F.embedding);
export const oneHot = kw('one_hot', 'input, numClasses?', F.oneHot);
export const batchNorm = kw('batch_norm', 'input, runningMean, runningVar, weight?, bias?', F.batchNorm);
export const layerNorm = kw('layer_norm', 'input, normalizedShape, weight?, bias?', F.layerNorm);
export const groupNorm = kw('group_norm', 'input, numGroups, weight?, bias?', F.groupNorm);
export const instanceNorm = kw('instance_norm', 'input, runningMean?, runningVar?, weight?, bias?', F.instanceNorm);
export const normalize = kw('normalize', 'input', F.normalize);
export const cosineSimilarity = kw('cosine_similarity', 'x1, x2', F.cosineSimilarity);
export const pairwiseDistance = kw('pairwise_distance', 'x1, x2', F.pairwiseDistance);
export const pad = kw('pad', 'input, pad', F.pad);
export const mseLoss = kw('mse_loss', 'input, target', F.mseLoss);
export const l1Loss = kw('l1_loss', 'input, target', F.l1Loss);
export const smoothL1Loss = kw('smooth_l1_loss', 'input, target', F.smoothL1Loss);
export const huberLoss = kw('huber_loss', 'input, target', F.huberLoss);
export const nllLoss = kw('nll_loss', 'input, target', F.nllLoss);
export const crossEntropy = kw('cross_entropy', 'input, target', F.crossEntropy);
export const binaryCrossEntropy = kw('binary_cross_entropy', 'input, target', F.binaryCrossEntropy);
export const binaryCrossEntropyWithLogits = kw('binary_cross_entropy_with_logits', 'input, target', F.binaryCrossEntropyWithLogits);
export const klDiv = kw('kl_div', 'input, target', F.klDiv);
export const poissonNllLoss = kw('poisson_nll_loss', 'input, target', F.poissonNllLoss);
export const marginRankingLoss = kw('margin_ranking_loss', 'input1, input2, target', F.marginRankingLoss);
export const conv1d = kw('conv1d', 'input, weight, bias?', F.conv1d);
export const conv2d = kw('conv2d', 'input, weight, bias?', F.conv2d);
export const convTranspose2d = kw('conv_transpose2d', 'input, weight, bias?', F.convTranspose2d);
export const adaptiveAvgPool2d = kw('adaptive_avg_pool2d', 'input, outputSize', F.adaptiveAvgPool2d);
export const adaptiveMaxPool1d = kw('adaptive_max_pool1d', 'input, outputSize, returnIndices?', F.adaptiveMaxPool1d);
export const adaptiveMaxPool2d = kw('adaptive_max_pool2d', 'input, outputSize, returnIndices?', F.adaptiveMaxPool2d);
export const adaptiveMaxPool3d = kw('adaptive_max_pool3d', 'input, outputSize, returnIndices?', F.adaptiveMaxPool3d);
export const avgPool1d = kw('avg_pool1d', 'input, kernelSize', F.avgPool1d);
export const maxPool1d = kw('max_pool1d', 'input, kernelSize', F.maxPool1d);
export const maxPool3d = kw('max_pool3d', 'input, kernelSize', F.maxPool3d);
export const linear = kw('linear', 'input, weight, bias?', F.linear);
export const avgPool2d = kw('avg_pool2d', 'input, kernelSize', F.avgPool2d);
export const maxPool2d = kw('max_pool2d', 'input, kernelSize', F.maxPool2d);
export const fold = kw('fold', 'input, outputSize, kernelSize', F.fold);
export const unfold = kw('unfold', 'input, kernelSize', F.unfold);
