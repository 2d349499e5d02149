// functional_impl.ts - the implementations of the schema's nn.functional rows with `from=functional_impl`
// (lib/ops/ops.schema -> lib/ops/generated_functional.ts, exported as torch.nn.functional): each takes the row's
// parameters in PyTorch's order, parsed and with the defaults filled in (lib/ops/args.ts), and runs the op's code in
// ./functional.ts, ./convolution.ts and ./maxpool.ts (value checks, kernels, gradients and autocast stay there; those
// files' own argument handling is what nodetorch's modules call). Argument structure is never handled here, except
// the losses' deprecated size_average/reduce (legacyReduction: PyTorch's _Reduction.legacy_get_string).
import { Tensor } from '../tensor';
import * as H from './functional';
import * as C from './convolution';
import * as M from './maxpool';
import { activationInplace, copyInto } from '../ops/elementwise';
import { noGrad } from '../autograd/mode';
import * as A from './activation_impl';

type T = Tensor;
type N1 = number | readonly [number];
type N2 = number | readonly [number, number];
type N3 = number | readonly [number, number, number];
type Red = 'none' | 'mean' | 'sum';
// the hand-written code takes mutable arrays; it never writes them
const mut = <V>(v: V): V extends readonly (infer E)[] ? E[] : V => v as V extends readonly (infer E)[] ? E[] : V;
const orU = <V>(v: V | null): V | undefined => (v === null ? undefined : v);

// ---- activations ----
export function threshold(input: T, th: number, value: number, inplace: boolean): T { return H.threshold(input, th, value, inplace); }
// mish = x * tanh(softplus(x)); in place (PyTorch's mish_), MishBackward0 from a kept copy of the input:
// tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2)
export function mish(input: T, inplace: boolean): T {
  if (!inplace) return H.mish(input);
  const fwd = (t: T): T => t.mul(A.softplus(t, 1, 20).tanh());
  const grad = (g: T, t: T): T => { const th = A.softplus(t, 1, 20).tanh(); return g.mul(th.add(t.mul(t.sigmoid()).mul(th.mul(th).neg().add(1)))); };
  return activationInplace(input, 'mish_', (t) => copyInto(t, noGrad(() => fwd(t))), { name: 'MishBackward0', uses: 'input', f: grad });
}
export function sigmoid(input: T): T { return H.sigmoid(input); }
export function tanh(input: T): T { return H.tanh(input); }
export function logsigmoid(input: T): T { return H.logsigmoid(input); }
export function softsign(input: T): T { return H.softsign(input); }
export function hardsigmoid(input: T, inplace: boolean): T { return H.hardsigmoid(input, inplace); }
export function hardswish(input: T, inplace: boolean): T { return H.hardswish(input, inplace); }
export function tanhshrink(input: T): T { return H.tanhshrink(input); }
export function hardshrink(input: T, lambd: number): T { return H.hardshrink(input, lambd); }
export function softshrink(input: T, lambd: number): T { return H.softshrink(input, lambd); }
export function prelu(input: T, weight: T): T { return H.prelu(input, weight); }
export function rrelu(input: T, lower: number, upper: number, training: boolean, inplace: boolean): T { return H.rrelu(input, lower, upper, training, inplace); }
export function glu(input: T, dim: number): T { return H.glu(input, dim); }

// ---- dropout, embedding, linear ----
export function dropout(input: T, p: number, training: boolean, inplace: boolean): T { return H.dropout(input, p, training, inplace); }
export function dropout1d(input: T, p: number, training: boolean, inplace: boolean): T { return H.dropout1d(input, p, training, inplace); }
export function dropout2d(input: T, p: number, training: boolean, inplace: boolean): T { return H.dropout2d(input, p, training, inplace); }
export function alphaDropout(input: T, p: number, training: boolean, inplace: boolean): T { return H.alphaDropout(input, p, training, inplace); }
export function embedding(input: T, weight: T, paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean): T {
  return H.embedding(input, weight, { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse });
}
export function oneHot(input: T, numClasses: number): T { return H.oneHot(input, numClasses); }
export function bilinear(input1: T, input2: T, weight: T, bias: T | null): T { return H.bilinear(input1, input2, weight, bias); }

// ---- normalisation, distances, padding ----
export function batchNorm(input: T, runningMean: T | null, runningVar: T | null, weight: T | null, bias: T | null, training: boolean, momentum: number | null, eps: number): T {
  return H.batchNorm(input, runningMean, runningVar, weight, bias, { training, momentum, eps });
}
export function layerNorm(input: T, normalizedShape: number | number[], weight: T | null, bias: T | null, eps: number): T { return H.layerNorm(input, normalizedShape, weight, bias, { eps }); }
export function groupNorm(input: T, numGroups: number, weight: T | null, bias: T | null, eps: number): T { return H.groupNorm(input, numGroups, weight, bias, { eps }); }
export function instanceNorm(input: T, runningMean: T | null, runningVar: T | null, weight: T | null, bias: T | null, useInputStats: boolean, momentum: number, eps: number): T {
  return H.instanceNorm(input, runningMean, runningVar, weight, bias, { useInputStats, momentum, eps });
}
export function normalize(input: T, p: number, dim: number, eps: number): T { return H.normalize(input, { p, dim, eps }); }
export function cosineSimilarity(x1: T, x2: T, dim: number, eps: number): T { return H.cosineSimilarity(x1, x2, { dim, eps }); }
export function pairwiseDistance(x1: T, x2: T, p: number, eps: number, keepdim: boolean): T { return H.pairwiseDistance(x1, x2, { p, eps, keepdim }); }
export function pad(input: T, pad: number[], mode: H.PadMode, value: number | null): T { return H.pad(input, pad, { mode, value: orU(value) }); }
