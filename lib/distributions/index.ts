// torch.distributions (PyTorch 1.13's classes and semantics; see README "torch.distributions").
export { Distribution, broadcastAll } from './distribution';
export type { DistributionOptions } from './distribution';
export {
  Normal, Bernoulli, Categorical, OneHotCategorical, Uniform, Exponential, Laplace, Cauchy, Gumbel, HalfNormal, Poisson, NegativeBinomial, MixtureSameFamily,
  Geometric, Dirichlet, Gamma, Chi2, Beta, StudentT, Binomial, Multinomial, MultivariateNormal, Independent,
} from './dists';
export { TransformedDistribution, LogNormal, Pareto, Weibull } from './transforms';
export * as transforms from './transforms';
export { Transform, ExpTransform, AffineTransform, SigmoidTransform, TanhTransform, AbsTransform, ComposeTransform, PowerTransform } from './transforms';
export * as constraints from './constraints';
export { Constraint } from './constraints';
export * as kl from './kl';
export { klDivergence, registerKl } from './kl';
