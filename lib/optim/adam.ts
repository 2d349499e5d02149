// adam.ts - torch.optim.Adam and AdamW (torch/optim/adam.py, adamw.py): amsgrad, weight decay (L2 for Adam,
// decoupled for AdamW), maximize. State per parameter: step, exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad).
// The bias corrections are computed here from the step count (as PyTorch does in Python) and passed to the kernel.
// foreach / fused (PyTorch 2.x options): one native call for all the parameters of a group (_stepMulti); by default
// (foreach null) on CUDA, the per-parameter loop on the CPU, as PyTorch chooses.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { zerosLike } from '../ops/creation';
import { Optimizer, ParamGroup, ParamsArg, ALGO, MultiItem, checkOptions, nonNegative, flag, num, optionalFlag } from './optimizer';

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean; foreach?: boolean | null; capturable?: boolean; differentiable?: boolean; fused?: boolean | null }
const KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'] as const;

function adamDefaults(name: string, options: AdamOptions, wdDefault: number): Record<string, unknown> {
  const o = checkOptions(name, options, KEYS);
  const lr = nonNegative(name, 'learning rate', o.lr ?? 1e-3, 'lr');
  const eps = nonNegative(name, 'epsilon value', o.eps ?? 1e-8, 'eps');
  const betas = o.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2) throw new TorchError(`${name}(): betas must be a pair [beta1, beta2], got ${String(betas)}`);
  betas.forEach((b, i) => {
    const x = num(name, `betas[${i}]`, b);
    if (!(x >= 0 && x < 1)) throw new TorchError(`Invalid beta parameter at index ${i}: ${x}`);
  });
  const weightDecay = nonNegative(name, 'weight_decay value', o.weightDecay ?? wdDefault, 'weightDecay');
  return { lr, betas: [betas[0], betas[1]], eps, weightDecay, amsgrad: flag(o.amsgrad), maximize: flag(o.maximize),
    foreach: optionalFlag(name, 'foreach', o.foreach), capturable: flag(o.capturable), differentiable: flag(o.differentiable),
    fused: optionalFlag(name, 'fused', o.fused) };
}

abstract class AdamBase extends Optimizer {
  protected abstract readonly algo: number;
  protected override _stepGroup(g: ParamGroup): void {
    const [beta1, beta2] = g.betas as [number, number];
    const items: MultiItem[] = [];
    for (const p of g.params) {
      if (p._grad === null) continue;
      const undo = this._ampSnapshot(p);
      const s = this._state(p, () => ({ step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) }));
      const states: Tensor[] = [this._buffer(s, 'exp_avg', () => zerosLike(p)), this._buffer(s, 'exp_avg_sq', () => zerosLike(p))];
      if (g.amsgrad) states.push(this._buffer(s, 'max_exp_avg_sq', () => zerosLike(p)));
      const step = Number(s.step ?? 0) + 1;
      s.step = step;
      items.push({ p, states, x0: 1 - beta1 ** step, x1: Math.sqrt(1 - beta2 ** step), undo });
    }
    const attrs = [g.lr, beta1, beta2, Number(g.eps), Number(g.weightDecay ?? 0), g.amsgrad ? 1 : 0, g.maximize ? 1 : 0, 0, 0];
    if (this._multi(g)) { this._stepMulti(this.algo, items, attrs, [8, 9]); return; }
    for (const it of items) {
      attrs[7] = it.x0;
      attrs[8] = it.x1;
      this._fused(this.algo, it.p, it.states, attrs);
    }
  }
}

export class Adam extends AdamBase {
  protected readonly algo: number = ALGO.ADAM;
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    super(params, adamDefaults('Adam', options, 0));
    for (const g of this.paramGroups) this._checkFused(g);
  }
}

export class AdamW extends AdamBase {
  protected readonly algo: number = ALGO.ADAMW;
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    super(params, adamDefaults('AdamW', options, 1e-2));
    for (const g of this.paramGroups) this._checkFused(g);
  }
}
