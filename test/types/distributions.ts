// distributions.ts - the declarations of torch.distributions and torch.autograd.functional: the forms the runtime
// takes compile, with their result types, and wrong kinds do not. (The runtime side: test/distributions.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const D = torch.distributions;
const loc = torch.zeros([3]);
const scale = torch.ones([3]);

expectType<T>()(new D.Normal(loc, scale).sample([3]));
expectType<T>()(new D.Normal(0, 1).rsample());
expectType<T>()(new D.Normal(loc, scale, { validateArgs: false }).logProb(loc));
expectType<T>()(new D.Normal(loc, scale).entropy());
expectType<T>()(new D.Normal(loc, scale).icdf(torch.rand([3])));
expectType<T>()(new D.Normal(loc, scale).mean);
expectType<T>()(new D.Normal(loc, scale).mode);
expectType<number[]>()(new D.Normal(loc, scale).batchShape);
expectType<boolean>()(new D.Normal(loc, scale).hasRsample);
expectType<T>()(new D.Categorical({ logits: torch.randn([2, 4]) }).sample());
expectType<T>()(new D.Categorical({ probs: torch.rand([4]) }).enumerateSupport(false));
expectType<T>()(new D.Bernoulli({ probs: 0.3 }).probs);
expectType<T>()(new D.Bernoulli(torch.rand([2])).logits);
expectType<T>()(new D.Binomial({ totalCount: 10, probs: torch.rand([2]) }).mean);
expectType<T>()(new D.Multinomial({ totalCount: 5, probs: torch.rand([3]) }).sample([2]));
expectType<T>()(new D.MultivariateNormal(loc, { covarianceMatrix: torch.eye(3) }).covarianceMatrix);
expectType<T>()(new D.Independent(new D.Normal(loc, scale), 1).logProb(loc));
expectType<T>()(new D.TransformedDistribution(new D.Normal(0, 1), [new D.ExpTransform(), new D.AffineTransform(1, 2)]).sample());
expectType<T>()(new D.Dirichlet(torch.ones([3])).rsample([2]));
expectType<T>()(D.kl.klDivergence(new D.Normal(0, 1), new D.Normal(1, 2)));
expectType<T>()(D.klDivergence(new D.Gamma(1, 2), new D.Gamma(2, 2)));
D.kl.registerKl(D.Normal, D.Laplace)((p, q) => p.loc.sub(q.loc));
D.Distribution.setDefaultValidateArgs(true);

const F = torch.autograd.functional;
expectType<T | T[] | T[][]>()(F.jacobian((x) => x.pow(2), loc));
expectType<T | T[][]>()(F.hessian((x) => x.pow(2).sum(), loc));
const [out, g] = F.vjp((x) => x.exp(), loc, scale);
expectType<T | T[]>()(out);
expectType<T | T[]>()(g);
expectType<[T, T | T[]]>()(F.hvp((x) => x.pow(2).sum(), loc, scale));

// @ts-expect-error: sampleShape is an array of sizes
new D.Normal(loc, scale).sample(3);
// @ts-expect-error: MultivariateNormal's matrix goes in the options object
new D.MultivariateNormal(loc, torch.eye(3));
// @ts-expect-error: Categorical takes tensors
new D.Categorical({ probs: [0.5, 0.5] });
// @ts-expect-error: logProb takes a Tensor
new D.Normal(loc, scale).logProb(0.5);
// @ts-expect-error: registerKl's function receives the two distributions, typed by the registered classes
D.kl.registerKl(D.Normal, D.Gamma)((p, q) => p.loc.sub(q.loc));
// @ts-expect-error: hessian's function returns one Tensor
F.hessian((x) => [x, x], loc);
