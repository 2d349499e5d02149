// schema_matmul.ts - the generated declarations of the matmul family, norm and the small Tensor ops migrated onto
// lib/ops/ops.schema (issue 11): every form the runtime parser takes compiles, and nothing else does.
// (The runtime side: test/schema_matmul.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const a = torch.randn([2, 3]);
const b = torch.randn([3, 4]);
const c = torch.zeros([2, 4]);
const v = torch.randn([3]);
const w = torch.randn([2]);
const b1 = torch.randn([2, 2, 3]);
const b2 = torch.randn([2, 3, 4]);
const out = torch.empty([0]);

// ---- matmul family: positionally, by camelCase name, out= on the functions, beta/alpha keyword-only ----
expectType<T>()(torch.mm(a, b));
expectType<T>()(torch.mm(a, b, { out }));
expectType<T>()(torch.mm({ input: a, mat2: b }));
expectType<T>()(a.mm({ mat2: b }));
expectType<T>()(torch.bmm(b1, b2, { out }));
expectType<T>()(b1.bmm({ mat2: b2 }));
expectType<T>()(torch.matmul(a, b, { out }));
expectType<T>()(torch.matmul({ input: a, other: b }));
expectType<T>()(a.matmul(b));
expectType<T>()(torch.dot(v, v, { out }));
expectType<T>()(torch.dot(v, { tensor: v }));
expectType<T>()(v.dot({ tensor: v }));
expectType<T>()(torch.mv(a, v, { out }));
expectType<T>()(a.mv({ vec: v }));
expectType<T>()(torch.addmm(c, a, b, { beta: 0.5, alpha: 2, out }));
expectType<T>()(torch.addmm(c, { mat1: a, mat2: b }));
expectType<T>()(c.addmm(a, b, { alpha: 2 }));
expectType<T>()(c.addmm_(a, b, { beta: 0 }));
expectType<T>()(c.addmm_({ mat1: a, mat2: b }));
expectType<T>()(torch.addmv(w, a, v, { beta: 2 }));
expectType<T>()(w.addmv_(a, { vec: v, alpha: 3 }));
expectType<T>()(torch.baddbmm(torch.zeros([2, 2, 4]), b1, b2, { alpha: 0.5, out }));
expectType<T>()(torch.zeros([2, 2, 4]).baddbmm_(b1, b2));
expectType<T>()(torch.outer(v, w, { out }));
expectType<T>()(torch.ger(v, { vec2: w }));
expectType<T>()(v.outer({ vec2: w }));
expectType<T>()(v.ger(w));

// @ts-expect-error beta is keyword-only (PyTorch's addmm(input, mat1, mat2, *, beta, alpha))
torch.addmm(c, a, b, 0.5);
// @ts-expect-error mm's second parameter is mat2
torch.mm({ input: a, other: b });
// @ts-expect-error dot's second parameter is tensor (PyTorch's name)
v.dot({ other: v });
// @ts-expect-error methods take no out=
a.mm(b, { out });
// @ts-expect-error in-place methods take no out=
c.addmm_(a, b, { out });
// @ts-expect-error mat2 given twice
torch.mm(a, b, { mat2: b });
// @ts-expect-error no gamma
torch.addmm(c, a, b, { gamma: 1 });
// @ts-expect-error beta is a number
torch.addmm(c, a, b, { beta: '1' });
// @ts-expect-error mm takes tensors
torch.mm(a, 2);
// @ts-expect-error outer's second parameter is required
torch.outer(v);

// ---- norm: p a number, 'fro' or 'nuc' (or null), dim, keepdim; dtype keyword-only; out= on the function ----
expectType<T>()(torch.norm(a));
expectType<T>()(torch.norm(a, 'fro', [0, 1]));
expectType<T>()(torch.norm(a, 3, 1, true, { dtype: 'float64', out }));
expectType<T>()(torch.norm(a, { p: null, keepdim: true }));
expectType<T>()(torch.norm({ input: a, p: 'nuc' }));
expectType<T>()(a.norm(2, { dim: 1 }));
expectType<T>()(a.norm({ p: Infinity, dim: 0, keepdim: true, dtype: torch.float64 }));
// @ts-expect-error dtype is keyword-only
torch.norm(a, 2, 1, false, 'float64');
// @ts-expect-error p is a number, 'fro' or 'nuc'
torch.norm(a, 'max');
// @ts-expect-error keepdim is a bool
a.norm(2, 1, 1);
// @ts-expect-error methods take no out=
a.norm({ out });
// @ts-expect-error no ord (that is torch.linalg.norm's)
torch.norm(a, { ord: 2 });

// ---- the small Tensor ops ----
const n = torch.tensor([1, NaN, 3]);
expectType<T>()(torch.sgn(a, { out }));
expectType<T>()(a.sgn_());
expectType<T>()(torch.signbit({ input: a }));
expectType<T>()(a.isposinf());
expectType<T>()(torch.isneginf(a, { out }));
expectType<T>()(a.frac_());
expectType<T>()(torch.isclose(n, n, 1e-3, 0, true));
expectType<T>()(n.isclose(n, { equalNan: true }));
expectType<boolean>()(torch.allclose(n, n, { rtol: 0.1, atol: 0 }));
expectType<boolean>()(n.allclose({ other: n, equalNan: true }));
expectType<boolean>()(torch.equal(a, a));
expectType<boolean>()(a.equal({ other: a }));
expectType<T>()(torch.argwhere({ input: a }));
expectType<T>()(a.argwhere());
// @ts-expect-error equalNan is a bool
torch.isclose(n, n, { equalNan: 1 });
// @ts-expect-error allclose gives a boolean, not a tensor
expectType<T>()(torch.allclose(n, n));
// @ts-expect-error equal takes no options but other (and no out=)
torch.equal(a, a, { out });
// @ts-expect-error sgn takes one tensor
torch.sgn(a, a);
// @ts-expect-error no tol (rtol, atol)
n.isclose(n, { tol: 1 });

// ---- as_strided, as_strided_scatter, aminmax, detach ----
expectType<T>()(torch.asStrided(a, [2, 2], [1, 2], 1));
expectType<T>()(a.asStrided([2], { stride: [1], storageOffset: null }));
expectType<T>()(torch.asStridedScatter(a, v, { size: [2], stride: [3] }));
expectType<T>()(a.asStridedScatter(w, [2], [1]));
expectType<T>()(torch.aminmax(a, { dim: 1, keepdim: true }).min);
expectType<T>()(a.aminmax().max);
expectType<T>()(torch.detach(a));
expectType<T>()(a.detach());
// @ts-expect-error aminmax's dim is keyword-only
torch.aminmax(a, 1);
// @ts-expect-error as_strided's stride is required
a.asStrided([2]);
// @ts-expect-error detach takes no arguments
a.detach(true);

// ---- clone, copy_, fill_, bernoulli ----
expectType<T>()(torch.clone(a, { memoryFormat: torch.channelsLast }));
expectType<T>()(a.clone());
expectType<T>()(a.clone({ memoryFormat: 'preserveFormat' }));
expectType<T>()(a.copy_(b, true));
expectType<T>()(a.copy_({ src: b, nonBlocking: false }));
expectType<T>()(a.fill_(2));
expectType<T>()(a.fill_(torch.tensor(1)));
expectType<T>()(a.fill_({ value: true }));
const g = new torch.Generator();
expectType<T>()(torch.bernoulli(a));
expectType<T>()(torch.bernoulli(a, { generator: g }));
expectType<T>()(torch.bernoulli(a, 0.5, { generator: g }));
expectType<T>()(torch.bernoulli(a, { p: a }));
expectType<T>()(a.bernoulli(0.25));
// @ts-expect-error memoryFormat is keyword-only
torch.clone(a, torch.channelsLast);
// @ts-expect-error not a memory format
a.clone({ memoryFormat: 'rowMajor' });
// @ts-expect-error copy_ is a method only (PyTorch has no torch.copy_)
torch.copy_(a, b);
// @ts-expect-error fill_ takes a number, a bool or a tensor
a.fill_('1');
// @ts-expect-error the generator is keyword-only
torch.bernoulli(a, 0.5, g);

// ---- nonzero (its result type follows asTuple's value) and numel ----
expectType<T>()(torch.nonzero(a));
expectType<T>()(a.nonzero({ asTuple: false }));
expectType<T[]>()(torch.nonzero(a, { asTuple: true }));
expectType<T[]>()(a.nonzero({ asTuple: true }));
declare const flag: boolean;
expectType<T | T[]>()(torch.nonzero(a, { asTuple: flag }));
expectType<T | T[]>()(a.nonzero({ asTuple: flag }));
expectType<number>()(torch.numel(a));
expectType<number>()(torch.numel({ input: a }));
// @ts-expect-error asTuple is keyword-only
torch.nonzero(a, true);
// @ts-expect-error the tuple form is a list of tensors
expectType<T>()(torch.nonzero(a, { asTuple: true }));
// @ts-expect-error numel gives a number
expectType<T>()(torch.numel(a));
