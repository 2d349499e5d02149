// ops_more.ts - the declarations of opsA's ops (lib/ops/ops.schema's last section, lib/ops/more.ts,
// lib/ops/inplace_functions.ts): the forms that run type-check with exact result types, and misspelt options or
// wrong kinds do not compile. (The runtime side: test/ops_more.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const x = torch.randn([2, 3]);
const v = torch.randn([3]);

// gradient hooks
const h = x.requiresGrad_().mul(2).registerHook((g) => g.mul(2));
expectType<{ id: number; remove(): void }>()(h);
x.registerHook({ hook: () => undefined });
// @ts-expect-error a hook takes the gradient tensor
x.registerHook((g: string) => g);

// factories from self, predicates, dtype info
expectType<T>()(x.newZeros(2, 3));
expectType<T>()(x.newOnes([2], { dtype: 'int32', requiresGrad: false }));
expectType<T>()(x.newFull([2, 2], 7));
expectType<T>()(x.newTensor([1, 2], { dtype: torch.float64 }));
expectType<T>()(x.newEmpty({ size: [4] }));
expectType<T>()(x.typeAs(v));
expectType<boolean>()(torch.isFloatingPoint(x));
expectType<boolean>()(x.isComplex());
expectType<boolean>()(torch.isSigned(x));
expectType<boolean>()(x.isNonzero());
expectType<boolean>()(torch.isSameSize(x, v));
expectType<number>()(torch.finfo('float16').eps);
expectType<number>()(torch.finfo().smallestNormal);
expectType<number>()(torch.iinfo('int32').max);
expectType<bigint>()(torch.iinfo('int64').max);
// @ts-expect-error a dtype typo
torch.finfo('flaot32');
// @ts-expect-error new_zeros takes no fill value
x.newZeros([2], { fillValue: 1 });

// in-place random fills
const g = new torch.Generator().manualSeed(1);
expectType<T>()(x.uniform_(-1, 1, { generator: g }));
expectType<T>()(x.normal_({ mean: 0, std: 2 }));
expectType<T>()(x.random_());
expectType<T>()(x.random_(10));
expectType<T>()(x.random_(2, 10));
expectType<T>()(x.random_({ from: 2, to: null }));
expectType<T>()(x.exponential_(2));
expectType<T>()(x.geometric_(0.5));
expectType<T>()(x.cauchy_({ median: 1 }));
expectType<T>()(x.logNormal_(0, 0.5));
expectType<T>()(x.bernoulli_(0.3));
expectType<T>()(x.bernoulli_(torch.rand([2, 3])));
// @ts-expect-error uniform_'s bounds are from/to
x.uniform_({ low: 0 });

// math
expectType<T>()(torch.addcmul(x, x, x, { value: 0.5 }));
expectType<T>()(x.addcdiv_(x, x.abs().add(1)));
expectType<T>()(torch.addr(x, torch.ones([2]), v, { beta: 0.5, alpha: 2 }));
expectType<T>()(torch.addbmm(x, torch.ones([4, 2, 5]), torch.ones([4, 5, 3])));
expectType<T>()(torch.arccos(x));
expectType<T>()(x.arctanh_());
expectType<T>()(torch.arctan2(x, x, { out: x }));
expectType<T>()(torch.polygamma(1, x));
expectType<T>()(x.polygamma(2));
expectType<T>()(torch.mvlgamma(x.add(3), { p: 2 }));
expectType<T>()(torch.logit(x, { eps: 1e-6 }));
expectType<T>()(torch.logaddexp(x, x));
expectType<T>()(torch.copysign(x, -1));
expectType<T>()(torch.floatPower(x, 2));
expectType<[T, T]>()(torch.frexp(x));
expectType<T>()(torch.rsub(x, 1, { alpha: 2 }));
expectType<T>()(torch.relu_(x));
expectType<T>()(torch.clamp_(x, 0, 1));
expectType<T>()(torch.sigmoid_({ input: x }));
// @ts-expect-error logit's eps is a number
torch.logit(x, { eps: 'small' });

// statistics
expectType<[T, T]>()(torch.stdMean(x, 1));
expectType<[T, T]>()(torch.varMean(x, { dim: 0, correction: 0 }));
expectType<T>()(torch.logcumsumexp(x, 1));
expectType<T>()(torch.quantile(x, 0.5, { dim: 1, interpolation: 'midpoint' }));
expectType<T>()(x.nanquantile(torch.tensor([0.25, 0.75])));
expectType<T>()(torch.cov(x, { correction: 0, aweights: v }));
expectType<T>()(x.corrcoef());
expectType<T>()(torch.cdist(x, x, 1));
expectType<T>()(x.dist(x, 3));
expectType<T>()(x.renorm(2, 0, 1));
// @ts-expect-error not an interpolation mode
torch.quantile(x, 0.5, { interpolation: 'cubic' });
