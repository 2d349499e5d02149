// sgd.ts - torch.optim.SGD: momentum, dampening, Nesterov, weight decay, maximize (torch/optim/sgd.py).
// State per parameter: momentum_buffer (only when momentum != 0, as PyTorch 2.x). One fused native call per param,
// or with foreach / fused (PyTorch 2.x options) one native call for all the parameters of a group (_stepMulti).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { zerosLike } from '../ops/creation';
import { Optimizer, ParamGroup, ParamsArg, ALGO, MultiItem, checkOptions, nonNegative, flag, optionalFlag } from './optimizer';

export interface SGDOptions { lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean; foreach?: boolean | null; differentiable?: boolean; fused?: boolean | null }
const KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'foreach', 'differentiable', 'fused'] as const;

export class SGD extends Optimizer {
  constructor(params: ParamsArg, options: SGDOptions = {}) {
    const o = checkOptions('SGD', options, KEYS);
    // lr: required in PyTorch 1.13, 1e-3 by default since 2.2 (the later behaviour)
    const lr = nonNegative('SGD', 'learning rate', o.lr ?? 1e-3, 'lr');
    const momentum = nonNegative('SGD', 'momentum value', o.momentum ?? 0, 'momentum');
    const weightDecay = nonNegative('SGD', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    const dampening = Number(o.dampening ?? 0);
    const nesterov = flag(o.nesterov);
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new TorchError('Nesterov momentum requires a momentum and zero dampening');
    const foreach = optionalFlag('SGD', 'foreach', o.foreach);
    const fused = optionalFlag('SGD', 'fused', o.fused);
    super(params, { lr, momentum, dampening, weightDecay, nesterov, maximize: flag(o.maximize), foreach, differentiable: flag(o.differentiable), fused });
    for (const g of this.paramGroups) this._checkFused(g);
  }

  protected override _stepGroup(g: ParamGroup): void {
    const momentum = Number(g.momentum ?? 0);
    const items: MultiItem[] = [];
    for (const p of g.params) {
      if (p._grad === null) continue;
      const undo = this._ampSnapshot(p);
      const states: Tensor[] = [];
      let first = 0;
      if (momentum !== 0) {
        const s = this._state(p, () => ({}));
        if (!(s.momentum_buffer instanceof Tensor)) first = 1;
        states.push(this._buffer(s, 'momentum_buffer', () => zerosLike(p)));
      }
      items.push({ p, states, x0: first, x1: 0, undo });
    }
    const attrs = [g.lr, momentum, Number(g.dampening ?? 0), Number(g.weightDecay ?? 0), g.nesterov ? 1 : 0, g.maximize ? 1 : 0, 0];
    if (this._multi(g)) { this._stepMulti(ALGO.SGD, items, attrs, [7]); return; }
    for (const it of items) {
      attrs[6] = it.x0;
      this._fused(ALGO.SGD, it.p, it.states, attrs);
    }
  }
}
