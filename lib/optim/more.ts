// more.ts - torch.optim.Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop (torch/optim/*.py of PyTorch 1.13, their
// single-tensor algorithms): the updates written with tensor ops in the parameter's dtype, run under no_grad by
// Optimizer.step(); state per parameter under PyTorch's keys (state dicts load both ways). Where PyTorch keeps a
// scalar in a float32 tensor (NAdam's mu_product, ASGD's eta and mu) it is kept so here too, so the rounding matches.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { zerosLike, onesLike, fullLike, tensor as makeTensor } from '../ops/creation';
import { Optimizer, ParamGroup, ParamsArg, checkOptions, nonNegative, flag, num, optionalFlag } from './optimizer';

type T = Tensor;
function betasOf(name: string, v: unknown): [number, number] {
  const b = v ?? [0.9, 0.999];
  if (!Array.isArray(b) || b.length !== 2) throw new TorchError(`${name}(): betas must be a pair [beta1, beta2], got ${String(b)}`);
  b.forEach((x, i) => {
    const y = num(name, `betas[${i}]`, x);
    if (!(y >= 0 && y < 1)) throw new TorchError(`Invalid beta parameter at index ${i}: ${y}`);
  });
  return [b[0] as number, b[1] as number];
}
/** the gradient as the update reads it: negated for maximize, plus weight decay * p */
function gradOf(p: T, g: ParamGroup): T {
  let grad = p._grad as T;
  if (g.maximize) grad = grad.neg();
  const wd = Number(g.weightDecay ?? 0);
  if (wd !== 0) grad = grad.add(p, { alpha: wd });
  return grad;
}
const step0 = (): T => makeTensor(0, { dtype: 'float32' });
/** state['step'] += 1 (a float32 0-d tensor, as PyTorch 1.13+), returning the new count */
function bump(s: Record<string, unknown>): number {
  const t = s.step;
  if (t instanceof Tensor) { t.add_(1); return Number(t.item()); }
  const n = Number(t ?? 0) + 1;
  s.step = makeTensor(n, { dtype: 'float32' });
  return n;
}
const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------------------------
export interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weightDecay?: number; foreach?: boolean | null; maximize?: boolean; differentiable?: boolean }
/** Adadelta(params, { lr = 1, rho = 0.9, eps = 1e-6, weightDecay = 0, maximize }) */
export class Adadelta extends Optimizer {
  constructor(params: ParamsArg, options: AdadeltaOptions = {}) {
    const o = checkOptions('Adadelta', options, ['lr', 'rho', 'eps', 'weightDecay', 'foreach', 'maximize', 'differentiable']);
    const lr = nonNegative('Adadelta', 'learning rate', o.lr ?? 1.0, 'lr');
    const rho = num('Adadelta', 'rho', o.rho ?? 0.9);
    if (!(rho >= 0 && rho <= 1)) throw new TorchError(`Invalid rho value: ${rho}`);
    const eps = nonNegative('Adadelta', 'epsilon value', o.eps ?? 1e-6, 'eps');
    const weightDecay = nonNegative('Adadelta', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    super(params, { lr, rho, eps, weightDecay, maximize: flag(o.maximize), foreach: optionalFlag('Adadelta', 'foreach', o.foreach), differentiable: flag(o.differentiable) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const rho = Number(g.rho), eps = Number(g.eps);
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: step0(), square_avg: zerosLike(p), acc_delta: zerosLike(p) }));
      bump(s);
      const grad = gradOf(p, g);
      const sq = this._buffer(s, 'square_avg', () => zerosLike(p)), acc = this._buffer(s, 'acc_delta', () => zerosLike(p));
      sq.mul_(rho).add_(grad.mul(grad), { alpha: 1 - rho });
      const std = sq.add(eps).sqrt_();
      const delta = acc.add(eps).sqrt_().div_(std).mul_(grad);
      acc.mul_(rho).add_(delta.mul(delta), { alpha: 1 - rho });
      p.add_(delta, { alpha: -g.lr });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface AdamaxOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; foreach?: boolean | null; maximize?: boolean; differentiable?: boolean }
/** Adamax(params, { lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, maximize }): Adam with the infinity norm */
export class Adamax extends Optimizer {
  constructor(params: ParamsArg, options: AdamaxOptions = {}) {
    const o = checkOptions('Adamax', options, ['lr', 'betas', 'eps', 'weightDecay', 'foreach', 'maximize', 'differentiable']);
    const lr = nonNegative('Adamax', 'learning rate', o.lr ?? 2e-3, 'lr');
    const eps = nonNegative('Adamax', 'epsilon value', o.eps ?? 1e-8, 'eps');
    const betas = betasOf('Adamax', o.betas);
    const weightDecay = nonNegative('Adamax', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    super(params, { lr, betas, eps, weightDecay, foreach: optionalFlag('Adamax', 'foreach', o.foreach), maximize: flag(o.maximize), differentiable: flag(o.differentiable) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const [b1, b2] = g.betas as [number, number], eps = Number(g.eps);
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: step0(), exp_avg: zerosLike(p), exp_inf: zerosLike(p) }));
      const step = bump(s);
      const grad = gradOf(p, g);
      const m = this._buffer(s, 'exp_avg', () => zerosLike(p)), u = this._buffer(s, 'exp_inf', () => zerosLike(p));
      m.mul_(b1).add_(grad, { alpha: 1 - b1 });
      u.copy_(u.mul_(b2).maximum(grad.abs().add_(eps)));
      const clr = g.lr / (1 - b1 ** step);
      p.add_(m.div(u), { alpha: -clr });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface NAdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; momentumDecay?: number; foreach?: boolean | null }
/** NAdam(params, { lr = 2e-3, betas, eps = 1e-8, weightDecay = 0, momentumDecay = 4e-3 }): Adam with Nesterov momentum */
export class NAdam extends Optimizer {
  constructor(params: ParamsArg, options: NAdamOptions = {}) {
    const o = checkOptions('NAdam', options, ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'foreach']);
    const lr = nonNegative('NAdam', 'learning rate', o.lr ?? 2e-3, 'lr');
    const eps = nonNegative('NAdam', 'epsilon value', o.eps ?? 1e-8, 'eps');
    const betas = betasOf('NAdam', o.betas);
    const weightDecay = nonNegative('NAdam', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    const momentumDecay = nonNegative('NAdam', 'momentum_decay value', o.momentumDecay ?? 4e-3, 'momentumDecay');
    super(params, { lr, betas, eps, weightDecay, momentumDecay, foreach: optionalFlag('NAdam', 'foreach', o.foreach) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const [b1, b2] = g.betas as [number, number], eps = Number(g.eps), md = Number(g.momentumDecay);
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: step0(), mu_product: makeTensor(1, { dtype: 'float32' }), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) }));
      const step = bump(s);
      const grad = gradOf(p, g);
      const m = this._buffer(s, 'exp_avg', () => zerosLike(p)), v = this._buffer(s, 'exp_avg_sq', () => zerosLike(p));
      const muT = s.mu_product instanceof Tensor ? s.mu_product : (s.mu_product = makeTensor(Number(s.mu_product ?? 1), { dtype: 'float32' })) as T;
      const bc2 = 1 - b2 ** step;
      const mu = b1 * (1 - 0.5 * 0.96 ** (step * md));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md));
      muT.mul_(mu);
      const mp = Number(muT.item());
      const mpNext = f32(f32(mp * f32(mu)) * f32(muNext));  // float32 tensor arithmetic, as PyTorch's mu_product * mu * mu_next
      m.mul_(b1).add_(grad, { alpha: 1 - b1 });
      v.mul_(b2).add_(grad.mul(grad), { alpha: 1 - b2 });
      const denom = v.div(bc2).sqrt().add_(eps);
      p.add_(grad.div(denom), { alpha: -g.lr * (1 - mu) / (1 - mp) });
      p.add_(m.div(denom), { alpha: -g.lr * muNext / (1 - mpNext) });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface RAdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; foreach?: boolean | null }
/** RAdam(params, { lr = 1e-3, betas, eps = 1e-8, weightDecay = 0 }): Adam with the variance rectification */
export class RAdam extends Optimizer {
  constructor(params: ParamsArg, options: RAdamOptions = {}) {
    const o = checkOptions('RAdam', options, ['lr', 'betas', 'eps', 'weightDecay', 'foreach']);
    const lr = nonNegative('RAdam', 'learning rate', o.lr ?? 1e-3, 'lr');
    const eps = nonNegative('RAdam', 'epsilon value', o.eps ?? 1e-8, 'eps');
    const betas = betasOf('RAdam', o.betas);
    const weightDecay = nonNegative('RAdam', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    super(params, { lr, betas, eps, weightDecay, foreach: optionalFlag('RAdam', 'foreach', o.foreach) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const [b1, b2] = g.betas as [number, number], eps = Number(g.eps);
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: step0(), exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) }));
      const step = bump(s);
      const grad = gradOf(p, g);
      const m = this._buffer(s, 'exp_avg', () => zerosLike(p)), v = this._buffer(s, 'exp_avg_sq', () => zerosLike(p));
      const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
      m.mul_(b1).add_(grad, { alpha: 1 - b1 });
      v.mul_(b2).add_(grad.mul(grad), { alpha: 1 - b2 });
      const corrected = m.div(bc1);
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - 2 * step * b2 ** step / bc2;
      if (rhoT > 5) {
        const rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptive = v.sqrt().add_(eps).reciprocal().mul_(Math.sqrt(bc2));
        p.add_(corrected.mul(g.lr).mul(adaptive).mul(rect), { alpha: -1 });
      } else {
        p.add_(corrected.mul(g.lr), { alpha: -1 });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface ASGDOptions { lr?: number; lambd?: number; alpha?: number; t0?: number; weightDecay?: number; foreach?: boolean | null; maximize?: boolean; differentiable?: boolean }
/** ASGD(params, { lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weightDecay = 0, maximize }): averaged SGD
 *  (the average is state 'ax') */
export class ASGD extends Optimizer {
  constructor(params: ParamsArg, options: ASGDOptions = {}) {
    const o = checkOptions('ASGD', options, ['lr', 'lambd', 'alpha', 't0', 'weightDecay', 'foreach', 'maximize', 'differentiable']);
    const lr = nonNegative('ASGD', 'learning rate', o.lr ?? 1e-2, 'lr');
    const weightDecay = nonNegative('ASGD', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    super(params, { lr, lambd: num('ASGD', 'lambd', o.lambd ?? 1e-4), alpha: num('ASGD', 'alpha', o.alpha ?? 0.75), t0: num('ASGD', 't0', o.t0 ?? 1e6),
      weightDecay, foreach: optionalFlag('ASGD', 'foreach', o.foreach), maximize: flag(o.maximize), differentiable: flag(o.differentiable) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const lambd = Number(g.lambd), alpha = Number(g.alpha), t0 = Number(g.t0);
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: step0(), eta: makeTensor(g.lr, { dtype: 'float32' }), mu: makeTensor(1, { dtype: 'float32' }), ax: zerosLike(p) }));
      const step = bump(s);
      const grad = gradOf(p, g);
      const etaT = s.eta as T, muT = s.mu as T, ax = this._buffer(s, 'ax', () => zerosLike(p));
      const eta = Number(etaT.item()), mu = Number(muT.item());
      p.mul_(1 - lambd * eta);
      p.add_(grad, { alpha: -eta });
      if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
      else ax.copy_(p);
      etaT.fill_(g.lr / (1 + lambd * g.lr * step) ** alpha);
      muT.fill_(1 / Math.max(1, step - t0));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
export interface RpropOptions { lr?: number; etas?: [number, number]; stepSizes?: [number, number]; foreach?: boolean | null; maximize?: boolean; differentiable?: boolean }
/** Rprop(params, { lr = 1e-2, etas = [0.5, 1.2], stepSizes = [1e-6, 50], maximize }): resilient backpropagation */
export class Rprop extends Optimizer {
  constructor(params: ParamsArg, options: RpropOptions = {}) {
    const o = checkOptions('Rprop', options, ['lr', 'etas', 'stepSizes', 'foreach', 'maximize', 'differentiable']);
    const lr = nonNegative('Rprop', 'learning rate', o.lr ?? 1e-2, 'lr');
    const etas = (o.etas ?? [0.5, 1.2]) as [number, number];
    if (!Array.isArray(etas) || etas.length !== 2) throw new TorchError(`Rprop(): etas must be a pair [etaminus, etaplus], got ${String(etas)}`);
    if (!(etas[0] > 0 && etas[0] < 1 && etas[1] > 1)) throw new TorchError(`Invalid eta values: ${etas[0]}, ${etas[1]}`);
    const stepSizes = (o.stepSizes ?? [1e-6, 50]) as [number, number];
    if (!Array.isArray(stepSizes) || stepSizes.length !== 2) throw new TorchError(`Rprop(): step_sizes must be a pair [min, max], got ${String(stepSizes)}`);
    super(params, { lr, etas: [etas[0], etas[1]], stepSizes: [stepSizes[0], stepSizes[1]], foreach: optionalFlag('Rprop', 'foreach', o.foreach),
      maximize: flag(o.maximize), differentiable: flag(o.differentiable) });
  }
  protected override _stepGroup(g: ParamGroup): void {
    const [etaminus, etaplus] = g.etas as [number, number], [smin, smax] = g.stepSizes as [number, number];
    for (const p of g.params) {
      if (p._grad === null) continue;
      const s = this._state(p, () => ({ step: 0, prev: zerosLike(p), step_size: fullLike(p._grad as T, g.lr) }));
      s.step = Number(s.step instanceof Tensor ? s.step.item() : s.step ?? 0) + 1;
      let grad = p._grad as T;
      if (g.maximize) grad = grad.neg();
      const prev = this._buffer(s, 'prev', () => zerosLike(p)), size = this._buffer(s, 'step_size', () => fullLike(grad, g.lr));
      const sgn = grad.mul(prev).sign();
      const down = sgn.lt(0);
      const factor = onesLike(size).maskedFill(sgn.gt(0), etaplus).maskedFill(down, etaminus);
      size.mul_(factor).clamp_(smin, smax);
      const g2 = grad.maskedFill(down, 0);
      p.add_(g2.sign().mul(size), { alpha: -1 });
      prev.copy_(g2);
    }
  }
}
