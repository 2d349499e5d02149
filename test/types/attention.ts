// attention.ts - the declarations of nn.functional's attention rows (ops.schema's attention section) and of
// nn.MultiheadAttention / nn.TransformerEncoderLayer / nn.TransformerEncoder's constructors and forward arguments:
// PyTorch's positions, every parameter by its camelCase name, exact option names. (The runtime side:
// test/attention.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const F = torch.nn.functional;
const nn = torch.nn;
const q = torch.randn([3, 2, 8]);
const W = torch.randn([24, 8]), B = torch.randn([24]), OW = torch.randn([8, 8]);
const mask = torch.zeros([3, 3]);
const kpm = torch.zeros([2, 3], { dtype: 'bool' });

// ---- F.multiHeadAttentionForward: PyTorch 1.13's 24 parameters, the result (output, weights or null) ----
expectType<[T, T | null]>()(F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW, null));
expectType<[T, T | null]>()(F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0.1, OW, null, false, kpm, true, mask, false, null, null, null, null, null, false));
expectType<[T, T | null]>()(F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW, null, { attnMask: mask, keyPaddingMask: kpm, averageAttnWeights: false }));
expectType<[T, T | null]>()(F.multiHeadAttentionForward(q, q, q, { embedDimToCheck: 8, numHeads: 2, inProjWeight: null, inProjBias: null, biasK: null, biasV: null,
  addZeroAttn: true, dropoutP: 0, outProjWeight: OW, outProjBias: null, useSeparateProjWeight: true, qProjWeight: OW, kProjWeight: OW, vProjWeight: OW }));
expectType<[T, T | null]>()(F.multiHeadAttentionForward({ query: q, key: q, value: q, embedDimToCheck: 8, numHeads: 2, inProjWeight: W, inProjBias: B, biasK: null,
  biasV: null, addZeroAttn: false, dropoutP: 0, outProjWeight: OW, outProjBias: null, staticK: null, staticV: null, training: false, needWeights: false }));
// @ts-expect-error embed_dim_to_check is PyTorch's fourth parameter (numHeads is not)
F.multiHeadAttentionForward(q, q, q, 2, W, B, OW, null);
// @ts-expect-error a required parameter (out_proj_bias, None allowed) left out
F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW);
// @ts-expect-error a misspelt keyword
F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW, null, { needWeight: false });
// @ts-expect-error isCausal is not multi_head_attention_forward's (PyTorch 1.13)
F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW, null, { isCausal: true });
// @ts-expect-error the weights may be null
F.multiHeadAttentionForward(q, q, q, 8, 2, W, B, null, null, false, 0, OW, null)[1].sum();

// ---- F.scaledDotProductAttention: PyTorch 2.x's (query, key, value, attn_mask, dropout_p, is_causal, *, scale) ----
expectType<T>()(F.scaledDotProductAttention(q, q, q));
expectType<T>()(F.scaledDotProductAttention(q, q, q, mask, 0.1, false, { scale: 0.5 }));
expectType<T>()(F.scaledDotProductAttention(q, q, q, null, 0, true));
expectType<T>()(F.scaledDotProductAttention(q, q, q, { isCausal: true, scale: null }));
expectType<T>()(F.scaledDotProductAttention({ query: q, key: q, value: q, attnMask: kpm }));
// @ts-expect-error scale is keyword-only
F.scaledDotProductAttention(q, q, q, null, 0, false, 0.5);
// @ts-expect-error training is not a parameter of scaled_dot_product_attention
F.scaledDotProductAttention(q, q, q, { training: false });
// @ts-expect-error value is required
F.scaledDotProductAttention(q, q);

// ---- nn.MultiheadAttention ----
const mha = new nn.MultiheadAttention(8, 2);
new nn.MultiheadAttention(8, 2, 0.1, true, false, false, 5, 3, true, { dtype: 'float64' });
new nn.MultiheadAttention({ embedDim: 8, numHeads: 2, kdim: 5, batchFirst: true });
new nn.MultiheadAttention(8, { numHeads: 2, dropout: 0.1 });
// @ts-expect-error numHeads is required
new nn.MultiheadAttention({ embedDim: 8 });
// @ts-expect-error a misspelt option
new nn.MultiheadAttention(8, 2, { batchFrist: true });
expectType<[T, T | null]>()(mha.call(q, q, q));
expectType<[T, T | null]>()(mha.call(q, q, q, kpm, false, mask, true, false));
expectType<[T, T | null]>()(mha.call(q, q, q, { keyPaddingMask: kpm, attnMask: mask, averageAttnWeights: false }));
expectType<[T, T | null]>()(mha.call(q, { key: q, value: q, needWeights: false }));
expectType<[T, T | null]>()(mha.call({ query: q, key: q, value: q, isCausal: true }));
// @ts-expect-error key and value are required
mha.call(q);
// @ts-expect-error a misspelt option
mha.call(q, q, q, { keyPadingMask: kpm });
// @ts-expect-error needWeights is a boolean
mha.call(q, q, q, kpm, mask);

// ---- nn.TransformerEncoderLayer / nn.TransformerEncoder ----
const tel = new nn.TransformerEncoderLayer(8, 2);
new nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'gelu', 1e-6, true, true);
new nn.TransformerEncoderLayer(8, 2, 16, 0.1, (x: T) => F.gelu(x), 1e-6, { batchFirst: true });
new nn.TransformerEncoderLayer({ dModel: 8, nhead: 2, dimFeedforward: 16, activation: 'relu', normFirst: true });
new nn.TransformerEncoderLayer(8, { nhead: 2 });
// @ts-expect-error nhead is required
new nn.TransformerEncoderLayer({ dModel: 8 });
// @ts-expect-error an activation is 'relu', 'gelu', a function or a module
new nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'tanh');
expectType<T>()(tel.call(q));
expectType<T>()(tel.call(q, mask, kpm));
expectType<T>()(tel.call(q, mask, kpm, true));
expectType<T>()(tel.call(q, { srcKeyPaddingMask: kpm }));
expectType<T>()(tel.call({ src: q, srcMask: mask }));
// @ts-expect-error TransformerEncoderLayer's mask is srcMask
tel.call(q, { mask });
const enc = new nn.TransformerEncoder(tel, 2, new nn.LayerNorm(8));
new nn.TransformerEncoder(tel, 2, { norm: new nn.LayerNorm(8), enableNestedTensor: false });
new nn.TransformerEncoder(tel, 2, null, false, true);
expectType<T>()(enc.call(q, mask, kpm));
expectType<T>()(enc.call(q, { mask, srcKeyPaddingMask: kpm }));
expectType<T>()(enc.call({ src: q }));
// @ts-expect-error TransformerEncoder's mask is mask
enc.call(q, { srcMask: mask });
