// adagrad.ts - torch.optim.Adagrad (torch/optim/adagrad.py, dense gradients): lrDecay, initialAccumulatorValue,
// weight decay, maximize. As in PyTorch the state (step, sum) is created in the constructor for every parameter.
// foreach (PyTorch's option): one native call for all the parameters of a group (_stepMulti, OP(optim_step_multi)),
// each parameter with the lr decayed by its own step count; bit-equal to the per-parameter loop.
import { Tensor } from '../tensor';
import { fullLike } from '../ops/creation';
import { Optimizer, ParamGroup, ParamsArg, ALGO, MultiItem, checkOptions, nonNegative, flag, optionalFlag } from './optimizer';

export interface AdagradOptions { lr?: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number; foreach?: boolean | null; maximize?: boolean; differentiable?: boolean }
const KEYS = ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'foreach', 'maximize', 'differentiable'] as const;

export class Adagrad extends Optimizer {
  constructor(params: ParamsArg, options: AdagradOptions = {}) {
    const o = checkOptions('Adagrad', options, KEYS);
    const lr = nonNegative('Adagrad', 'learning rate', o.lr ?? 1e-2, 'lr');
    const lrDecay = nonNegative('Adagrad', 'lr_decay value', o.lrDecay ?? 0, 'lrDecay');
    const weightDecay = nonNegative('Adagrad', 'weight_decay value', o.weightDecay ?? 0, 'weightDecay');
    const initialAccumulatorValue = nonNegative('Adagrad', 'initial_accumulator_value value', o.initialAccumulatorValue ?? 0, 'initialAccumulatorValue');
    const eps = nonNegative('Adagrad', 'epsilon value', o.eps ?? 1e-10, 'eps');
    super(params, { lr, lrDecay, eps, weightDecay, initialAccumulatorValue, foreach: optionalFlag('Adagrad', 'foreach', o.foreach), maximize: flag(o.maximize),
      differentiable: flag(o.differentiable) });
  }

  private _init(p: Tensor, g: ParamGroup): Record<string, unknown> {
    return this._state(p, () => ({ step: 0, sum: fullLike(p, Number(g.initialAccumulatorValue ?? 0), { dtype: p.dtype }) }));
  }

  override addParamGroup(spec: Parameters<Optimizer['addParamGroup']>[0]): void {
    super.addParamGroup(spec);
    const g = this.paramGroups[this.paramGroups.length - 1];
    for (const p of g.params) this._init(p, g);
  }

  protected override _stepGroup(g: ParamGroup): void {
    const items: MultiItem[] = [];
    for (const p of g.params) {
      if (p._grad === null) continue;
      const undo = this._ampSnapshot(p);
      const s = this._init(p, g);
      const sum = this._buffer(s, 'sum', () => fullLike(p, Number(g.initialAccumulatorValue ?? 0), { dtype: p.dtype }));
      const step = Number(s.step ?? 0) + 1;
      s.step = step;
      items.push({ p, states: [sum], x0: g.lr / (1 + (step - 1) * Number(g.lrDecay ?? 0)), x1: 0, undo });
    }
    const attrs = [0, Number(g.eps), Number(g.weightDecay ?? 0), g.maximize ? 1 : 0];
    if (this._multi(g)) { this._stepMulti(ALGO.ADAGRAD, items, attrs, [1]); return; }
    for (const it of items) {
      attrs[0] = it.x0;
      this._fused(ALGO.ADAGRAD, it.p, it.states, attrs);
    }
  }
}
