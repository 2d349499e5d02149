// rmsprop.ts - torch.optim.RMSprop (torch/optim/rmsprop.py): alpha, eps, centered, momentum, weight decay, maximize.
// State per parameter: step, square_avg, momentum_buffer (momentum > 0), grad_avg (centered).
// foreach (PyTorch's option): one native call for all the parameters of a group (_stepMulti, OP(optim_step_multi)),
// bit-equal to the per-parameter loop; by default (foreach null) on CUDA, the per-parameter loop on the CPU.
import { Tensor } from '../tensor';
import { zerosLike } from '../ops/creation';
import { Optimizer, ParamGroup, ParamsArg, ALGO, MultiItem, checkOptions, nonNegative, flag, optionalFlag } from './optimizer';

export interface RMSpropOptions { lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean; maximize?: boolean; foreach?: boolean | null; differentiable?: boolean }
const KEYS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize', 'foreach', 'differentiable'] as const;

export class RMSprop extends Optimizer {
  constructor(params: ParamsArg, options: RMSpropOptions = {}) {
    const o = checkOptions('RMSprop', options, KEYS);
    const lr = nonNegative('RMSprop', 'learning rate', o.lr ?? 1e-2, 'lr');
    const eps = nonNegative('RMSprop', 'epsilon value', o.eps ?? 1e-8, 'eps');
    const momentum = nonNegative('RMSprop', 'momentum value', o.momentum ?? 0, 'momentum');
    const weightDecay = nonNegative('RMSprop', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    const alpha = nonNegative('RMSprop', 'alpha value', o.alpha ?? 0.99, 'alpha');
    super(params, { lr, momentum, alpha, eps, centered: flag(o.centered), weightDecay, foreach: optionalFlag('RMSprop', 'foreach', o.foreach),
      maximize: flag(o.maximize), differentiable: flag(o.differentiable) });
  }

  protected override _stepGroup(g: ParamGroup): void {
    const momentum = Number(g.momentum ?? 0);
    const centered = !!g.centered;
    const items: MultiItem[] = [];
    for (const p of g.params) {
      if (p._grad === null) continue;
      const undo = this._ampSnapshot(p);
      const s = this._state(p, () => {
        const init: Record<string, unknown> = { step: 0, square_avg: zerosLike(p) };
        if (momentum > 0) init.momentum_buffer = zerosLike(p);
        if (centered) init.grad_avg = zerosLike(p);
        return init;
      });
      const states: Tensor[] = [this._buffer(s, 'square_avg', () => zerosLike(p))];
      if (centered) states.push(this._buffer(s, 'grad_avg', () => zerosLike(p)));
      if (momentum > 0) states.push(this._buffer(s, 'momentum_buffer', () => zerosLike(p)));
      s.step = Number(s.step ?? 0) + 1;
      items.push({ p, states, x0: 0, x1: 0, undo });
    }
    const attrs = [g.lr, Number(g.alpha), Number(g.eps), Number(g.weightDecay ?? 0), momentum, centered ? 1 : 0, g.maximize ? 1 : 0];
    if (this._multi(g)) { this._stepMulti(ALGO.RMSPROP, items, attrs, []); return; }
    for (const it of items) this._fused(ALGO.RMSPROP, it.p, it.states, attrs);
  }
}
