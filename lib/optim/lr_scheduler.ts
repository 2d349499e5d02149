// lr_scheduler.ts - torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR,
// OneCycleLR, ReduceLROnPlateau, LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts,
// CyclicLR, SequentialLR, ChainedScheduler. step() uses PyTorch's chainable get_lr() forms (each lr derived from the group's
// current lr), step(epoch) the closed forms, so sequences match PyTorch's to rounding, including PyTorch's quirks
// (CosineAnnealingLR past tMax, LinearLR's first factor). Schedulers write `optimizer.paramGroups[i].lr` and read the
// groups afresh each time (optimizer.loadStateDict keeps the group objects). State dicts use PyTorch's keys.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { describeValue } from '../dtype';
import { Optimizer, ParamGroup, checkOptions } from './optimizer';

type Key = [js: string, py: string];

export class LRScheduler {
  optimizer: Optimizer;
  baseLrs: number[] = [];
  lastEpoch = -1;
  verbose = false;
  _stepCount = 0;
  _lastLr: number[] = [];
  /** extra fields in the state dict: [property, PyTorch key] */
  protected _keys: Key[] = [];

  constructor(optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) throw new TorchError(`${describeValue(optimizer)} is not an Optimizer`);
    this.optimizer = optimizer;
  }

  /** Called by each subclass constructor once its own fields are set (PyTorch's _LRScheduler.__init__ tail). */
  protected _start(lastEpoch: number, verbose: boolean): void {
    if (!Number.isInteger(lastEpoch)) throw new TorchError(`last_epoch must be an integer, got ${lastEpoch}`);
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (!('initialLr' in g)) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initialLr' in g)) throw new TorchError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => Number(g.initialLr));
    this.lastEpoch = lastEpoch;
    this.verbose = verbose;
    this._stepCount = 0;
    this.step();
  }

  protected get groups(): ParamGroup[] { return this.optimizer.paramGroups; }

  /** The chainable form: new lrs from the groups' current lrs. */
  getLr(): number[] { throw new TorchError(`${this.constructor.name}.getLr() is not implemented`); }
  protected closedFormLr(): number[] | null { return null; }

  step(epoch?: number): void {
    this._stepCount++;
    let values: number[];
    if (epoch === undefined || epoch === null) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      if (typeof epoch !== 'number' || !Number.isFinite(epoch)) throw new TorchError(`step(): epoch must be a number, got ${describeValue(epoch)}`);
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.groups.forEach((g, i) => {
      g.lr = values[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i].toExponential(4)}.`);
    });
    this._lastLr = this.groups.map((g) => g.lr);
  }

  getLastLr(): number[] { return this._lastLr.slice(); }

  /** PyTorch's _initial_step: the step a scheduler makes when it starts (SequentialLR restarts its first one) */
  _initialStep(): void { this._stepCount = 0; this.step(); }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [js, py] of this._keys) out[py] = copy((this as unknown as Record<string, unknown>)[js]);
    out.base_lrs = this.baseLrs.slice();
    out.last_epoch = this.lastEpoch;
    out.verbose = this.verbose;
    out._step_count = this._stepCount;
    out._get_lr_called_within_step = false;
    out._last_lr = this._lastLr.slice();
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TorchError(`loadStateDict(): expected a scheduler state dict, got ${describeValue(sd)}`);
    const self = this as unknown as Record<string, unknown>;
    for (const [js, py] of this._keys) if (py in sd) self[js] = copy(sd[py]);
    if ('base_lrs' in sd) this.baseLrs = (sd.base_lrs as number[]).slice();
    if ('last_epoch' in sd) this.lastEpoch = Number(sd.last_epoch);
    if ('verbose' in sd) this.verbose = !!sd.verbose;
    if ('_step_count' in sd) this._stepCount = Number(sd._step_count);
    if ('_last_lr' in sd) this._lastLr = (sd._last_lr as number[]).slice();
  }
}
/** PyTorch < 2.0 name of the base class. */
export const _LRScheduler = LRScheduler;

const copy = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof Map) return new Map(v);
  if (v && typeof v === 'object' && !(v instanceof Tensor)) return { ...(v as Record<string, unknown>) };
  return v;
};
const int = (name: string, what: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TorchError(`${name}(): ${what} must be an integer, got ${describeValue(v)}`);
  return v;
};
const numOpt = (name: string, what: string, v: unknown): number => {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TorchError(`${name}(): ${what} must be a number, got ${describeValue(v)}`);
  return v;
};

// ---------------------------------------------------------------------------------------------------------------
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, stepSize: number, options: { gamma?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('StepLR', options, ['gamma', 'lastEpoch', 'verbose']);
    this.stepSize = int('StepLR', 'step_size', stepSize);
    if (this.stepSize <= 0) throw new TorchError(`StepLR(): step_size must be positive, got ${stepSize}`);
    this.gamma = numOpt('StepLR', 'gamma', o.gamma ?? 0.1);
    this._keys = [['stepSize', 'step_size'], ['gamma', 'gamma']];
    this._start((o.lastEpoch as number) ?? -1, !!o.verbose);
  }
  override getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export class MultiStepLR extends LRScheduler {
  /** milestone -> how many times it was given (PyTorch's Counter) */
  milestones: Record<string, number>;
  gamma: number;
  constructor(optimizer: Optimizer, milestones: number[], options: { gamma?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('MultiStepLR', options, ['gamma', 'lastEpoch', 'verbose']);
    if (!Array.isArray(milestones)) throw new TorchError(`MultiStepLR(): milestones must be a list of integers, got ${describeValue(milestones)}`);
    this.milestones = {};
    for (const m of milestones) { int('MultiStepLR', 'milestones', m); this.milestones[m] = (this.milestones[m] || 0) + 1; }
    this.gamma = numOpt('MultiStepLR', 'gamma', o.gamma ?? 0.1);
    this._keys = [['milestones', 'milestones'], ['gamma', 'gamma']];
    this._start((o.lastEpoch as number) ?? -1, !!o.verbose);
  }
  override getLr(): number[] {
    const c = this.milestones[this.lastEpoch];
    if (!c) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** c);
  }
  protected override closedFormLr(): number[] {
    let n = 0;
    for (const [m, c] of Object.entries(this.milestones)) if (Number(m) <= this.lastEpoch) n += c;
    return this.baseLrs.map((b) => b * this.gamma ** n);
  }
}

export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, gamma: number, options: { lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('ExponentialLR', options, ['lastEpoch', 'verbose']);
    this.gamma = numOpt('ExponentialLR', 'gamma', gamma);
    this._keys = [['gamma', 'gamma']];
    this._start((o.lastEpoch as number) ?? -1, !!o.verbose);
  }
  override getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] { return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch); }
}

export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, tMax: number, options: { etaMin?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('CosineAnnealingLR', options, ['etaMin', 'lastEpoch', 'verbose']);
    this.tMax = numOpt('CosineAnnealingLR', 'T_max', tMax);
    this.etaMin = numOpt('CosineAnnealingLR', 'eta_min', o.etaMin ?? 0);
    this._keys = [['tMax', 'T_max'], ['etaMin', 'eta_min']];
    this._start((o.lastEpoch as number) ?? -1, !!o.verbose);
  }
  override getLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, m = this.etaMin;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) return this.baseLrs.map((b) => m + (b - m) * (1 + Math.cos(e * Math.PI / T)) / 2);
    if (pyMod(e - 1 - T, 2 * T) === 0) return this.groups.map((g, i) => g.lr + (this.baseLrs[i] - m) * (1 - Math.cos(Math.PI / T)) / 2);
    return this.groups.map((g) => (1 + Math.cos(Math.PI * e / T)) / (1 + Math.cos(Math.PI * (e - 1) / T)) * (g.lr - m) + m);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * (1 + Math.cos(Math.PI * this.lastEpoch / this.tMax)) / 2);
  }
}
const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, options: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('LinearLR', options, ['startFactor', 'endFactor', 'totalIters', 'lastEpoch', 'verbose']);
    this.startFactor = numOpt('LinearLR', 'start_factor', o.startFactor ?? 1 / 3);
    this.endFactor = numOpt('LinearLR', 'end_factor', o.endFactor ?? 1);
    if (this.startFactor > 1 || this.startFactor <= 0) throw new TorchError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (this.endFactor > 1 || this.endFactor < 0) throw new TorchError('Ending multiplicative factor expected to be between 0 and 1.');
    this.totalIters = int('LinearLR', 'total_iters', o.totalIters ?? 5);
    this._keys = [['startFactor', 'start_factor'], ['endFactor', 'end_factor'], ['totalIters', 'total_iters']];
    this._start((o.lastEpoch as number) ?? -1, !!o.verbose);
  }
  override getLr(): number[] {
    const s = this.startFactor, f = this.endFactor, n = this.totalIters, e = this.lastEpoch;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected override closedFormLr(): number[] {
    const s = this.startFactor, f = this.endFactor, n = this.totalIters;
    return this.baseLrs.map((b) => b * (s + (f - s) * Math.min(n, this.lastEpoch) / n));
  }
}

// ---------------------------------------------------------------------------------------------------------------
interface Phase { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }
export interface OneCycleOptions {
  totalSteps?: number; epochs?: number; stepsPerEpoch?: number; pctStart?: number; annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean; baseMomentum?: number | number[]; maxMomentum?: number | number[]; divFactor?: number;
  finalDivFactor?: number; threePhase?: boolean; lastEpoch?: number; verbose?: boolean;
}
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;
  private phases: Phase[];
  constructor(optimizer: Optimizer, maxLr: number | number[], options: OneCycleOptions = {}) {
    super(optimizer);
    const o = checkOptions('OneCycleLR', options, ['totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch', 'verbose']) as OneCycleOptions;
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined) throw new TorchError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    if (o.totalSteps !== undefined && o.totalSteps !== null) {
      if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) throw new TorchError(`Expected positive integer total_steps, but got ${o.totalSteps}`);
      this.totalSteps = o.totalSteps;
    } else {
      if (!Number.isInteger(o.epochs) || (o.epochs as number) <= 0) throw new TorchError(`Expected positive integer epochs, but got ${o.epochs}`);
      if (!Number.isInteger(o.stepsPerEpoch) || (o.stepsPerEpoch as number) <= 0) throw new TorchError(`Expected positive integer steps_per_epoch, but got ${o.stepsPerEpoch}`);
      this.totalSteps = (o.epochs as number) * (o.stepsPerEpoch as number);
    }
    const pct = o.pctStart ?? 0.3;
    if (typeof pct !== 'number' || pct < 0 || pct > 1) throw new TorchError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const n = this.totalSteps;
    this.phases = o.threePhase
      ? [
        { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pct * n - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: n - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
      : [
        { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: n - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new TorchError(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(strategy)}`);
    this.annealStrategy = strategy;
    const lastEpoch = o.lastEpoch ?? -1;
    const groups = this.groups;
    const maxLrs = formatParam('max_lr', groups.length, maxLr);
    const divFactor = o.divFactor ?? 25, finalDivFactor = o.finalDivFactor ?? 1e4;
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = o.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      const d = optimizer.defaults;
      if (!('momentum' in d) && !('betas' in d)) throw new TorchError('optimizer must support momentum with `cycle_momentum` option enabled');
      this.useBeta1 = 'betas' in d;
      const maxM = formatParam('max_momentum', groups.length, o.maxMomentum ?? 0.95);
      const baseM = formatParam('base_momentum', groups.length, o.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    this._keys = [['totalSteps', 'total_steps'], ['phases', '_schedule_phases'], ['annealStrategy', '_anneal_func_type'],
      ['cycleMomentum', 'cycle_momentum'], ['useBeta1', 'use_beta1']];
    this._start(lastEpoch, !!o.verbose);
  }
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }
  override getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) throw new TorchError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    return this.groups.map((g) => {
      let startStep = 0;
      let lr = 0, mom = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (ph.endStep - startStep);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) mom = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        startStep = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [mom, ...(g.betas as number[]).slice(1)];
        else g.momentum = mom;
      }
      return lr;
    });
  }
  override stateDict(): Record<string, unknown> {
    const sd = super.stateDict();
    sd._schedule_phases = this.phases.map((p) => ({ end_step: p.endStep, start_lr: snake(p.startLr), end_lr: snake(p.endLr),
      start_momentum: snake(p.startMomentum), end_momentum: snake(p.endMomentum) }));
    return sd;
  }
  override loadStateDict(sd: Record<string, unknown>): void {
    super.loadStateDict(sd);
    if (Array.isArray(sd._schedule_phases)) {
      this.phases = (sd._schedule_phases as Record<string, unknown>[]).map((p) => ({ endStep: Number(p.end_step ?? p.endStep),
        startLr: camel(String(p.start_lr ?? p.startLr)), endLr: camel(String(p.end_lr ?? p.endLr)),
        startMomentum: camel(String(p.start_momentum ?? p.startMomentum)), endMomentum: camel(String(p.end_momentum ?? p.endMomentum)) }));
    }
  }
}
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const camel = (k: string): string => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
function formatParam(name: string, n: number, v: unknown): number[] {
  if (Array.isArray(v)) {
    if (v.length !== n) throw new TorchError(`expected ${n} values for ${name}, got ${v.length}`);
    return v.map((x) => numOpt('OneCycleLR', name, x));
  }
  const x = numOpt('OneCycleLR', name, v);
  return new Array<number>(n).fill(x);
}

// ---------------------------------------------------------------------------------------------------------------
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max'; factor?: number; patience?: number; threshold?: number; thresholdMode?: 'rel' | 'abs';
  cooldown?: number; minLr?: number | number[]; eps?: number; verbose?: boolean;
}
export class ReduceLROnPlateau {
  optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: 'min' | 'max';
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  _lastLr: number[];
  private static readonly KEYS: Key[] = [['factor', 'factor'], ['minLrs', 'min_lrs'], ['patience', 'patience'], ['verbose', 'verbose'],
    ['cooldown', 'cooldown'], ['cooldownCounter', 'cooldown_counter'], ['mode', 'mode'], ['threshold', 'threshold'],
    ['thresholdMode', 'threshold_mode'], ['best', 'best'], ['numBadEpochs', 'num_bad_epochs'], ['modeWorse', 'mode_worse'],
    ['eps', 'eps'], ['lastEpoch', 'last_epoch'], ['_lastLr', '_last_lr']];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) throw new TorchError(`${describeValue(optimizer)} is not an Optimizer`);
    const o = checkOptions('ReduceLROnPlateau', options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'verbose']) as ReduceLROnPlateauOptions;
    this.factor = numOpt('ReduceLROnPlateau', 'factor', o.factor ?? 0.1);
    if (this.factor >= 1.0) throw new TorchError('Factor should be < 1.0.');
    this.optimizer = optimizer;
    const n = optimizer.paramGroups.length;
    if (Array.isArray(o.minLr)) {
      if (o.minLr.length !== n) throw new TorchError(`expected ${n} min_lrs, got ${o.minLr.length}`);
      this.minLrs = o.minLr.slice();
    } else this.minLrs = new Array<number>(n).fill(numOpt('ReduceLROnPlateau', 'min_lr', o.minLr ?? 0));
    this.patience = int('ReduceLROnPlateau', 'patience', o.patience ?? 10);
    this.verbose = !!o.verbose;
    this.cooldown = int('ReduceLROnPlateau', 'cooldown', o.cooldown ?? 0);
    this.mode = o.mode ?? 'min';
    this.threshold = numOpt('ReduceLROnPlateau', 'threshold', o.threshold ?? 1e-4);
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.eps = numOpt('ReduceLROnPlateau', 'eps', o.eps ?? 1e-8);
    this.initIsBetter();
    this.reset();
    this._lastLr = optimizer.paramGroups.map((g) => g.lr);
  }
  private initIsBetter(): void {
    if (this.mode !== 'min' && this.mode !== 'max') throw new TorchError(`mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new TorchError(`threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.modeWorse = this.mode === 'min' ? Infinity : -Infinity;
  }
  private reset(): void { this.best = this.modeWorse; this.cooldownCounter = 0; this.numBadEpochs = 0; }
  get inCooldown(): boolean { return this.cooldownCounter > 0; }
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? Number(metrics.item()) : Number(metrics);
    if (typeof metrics !== 'number' && !(metrics instanceof Tensor)) throw new TorchError(`ReduceLROnPlateau.step(): metrics must be a number or a 1-element tensor, got ${describeValue(metrics)}`);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) { this.best = current; this.numBadEpochs = 0; }
    else this.numBadEpochs++;
    if (this.inCooldown) { this.cooldownCounter--; this.numBadEpochs = 0; }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(this.lastEpoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  private reduceLr(epoch: number): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = Number(g.lr);
      const nw = Math.max(old * this.factor, this.minLrs[i]);
      if (old - nw > this.eps) {
        g.lr = nw;
        if (this.verbose) console.log(`Epoch ${String(epoch).padStart(5, '0')}: reducing learning rate of group ${i} to ${nw.toExponential(4)}.`);
      }
    });
  }
  getLastLr(): number[] { return this._lastLr.slice(); }
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [js, py] of ReduceLROnPlateau.KEYS) out[py] = copy((this as unknown as Record<string, unknown>)[js]);
    return out;
  }
  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TorchError(`loadStateDict(): expected a scheduler state dict, got ${describeValue(sd)}`);
    const self = this as unknown as Record<string, unknown>;
    for (const [js, py] of ReduceLROnPlateau.KEYS) if (py in sd) self[js] = copy(sd[py]);
    this.initIsBetter();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, SequentialLR,
// ChainedScheduler (torch/optim/lr_scheduler.py of PyTorch 1.13; CyclicLR cycles Adam's beta1 as PyTorch 2.x does)
type LrLambda = (epoch: number) => number;
function lambdas(name: string, optimizer: Optimizer, f: LrLambda | LrLambda[]): LrLambda[] {
  const n = optimizer instanceof Optimizer ? optimizer.paramGroups.length : 0;
  const fs = Array.isArray(f) ? f.slice() : new Array<LrLambda>(n).fill(f);
  if (Array.isArray(f) && f.length !== n) throw new TorchError(`Expected ${n} lr_lambdas, but got ${f.length}`);
  for (const g of fs) if (typeof g !== 'function') throw new TorchError(`${name}(): lr_lambda must be a function or a list of functions, got ${describeValue(g)}`);
  return fs;
}
const lastEpochOpt = (o: Record<string, unknown>): number => (o.lastEpoch as number | undefined) ?? -1;

/** LambdaLR(optimizer, lrLambda): lr = initial lr * lrLambda(epoch) (one function, or one per group) */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], options: { lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('LambdaLR', options, ['lastEpoch', 'verbose']);
    this.lrLambdas = lambdas('LambdaLR', optimizer, lrLambda);
    this._start(lastEpochOpt(o), !!o.verbose);
  }
  override getLr(): number[] { return this.baseLrs.map((b, i) => b * this.lrLambdas[i](this.lastEpoch)); }
  /** the functions are not saved (PyTorch saves plain functions as None) */
  override stateDict(): Record<string, unknown> { const sd = super.stateDict(); sd.lr_lambdas = this.lrLambdas.map(() => null); return sd; }
}
/** MultiplicativeLR(optimizer, lrLambda): lr = previous lr * lrLambda(epoch) from the first step on */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], options: { lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('MultiplicativeLR', options, ['lastEpoch', 'verbose']);
    this.lrLambdas = lambdas('MultiplicativeLR', optimizer, lrLambda);
    this._start(lastEpochOpt(o), !!o.verbose);
  }
  override getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
  override stateDict(): Record<string, unknown> { const sd = super.stateDict(); sd.lr_lambdas = this.lrLambdas.map(() => null); return sd; }
}
/** ConstantLR(optimizer, { factor = 1/3, totalIters = 5 }): lr * factor until totalIters, then lr */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, options: { factor?: number; totalIters?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('ConstantLR', options, ['factor', 'totalIters', 'lastEpoch', 'verbose']);
    this.factor = numOpt('ConstantLR', 'factor', o.factor ?? 1 / 3);
    if (this.factor > 1 || this.factor < 0) throw new TorchError('Constant multiplicative factor expected to be between 0 and 1.');
    this.totalIters = int('ConstantLR', 'total_iters', o.totalIters ?? 5);
    this._keys = [['factor', 'factor'], ['totalIters', 'total_iters']];
    this._start(lastEpochOpt(o), !!o.verbose);
  }
  override getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (this.factor + (this.lastEpoch >= this.totalIters ? 1 : 0) * (1 - this.factor)));
  }
}
/** PolynomialLR(optimizer, { totalIters = 5, power = 1 }): lr * (1 - epoch / totalIters) ** power */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: Optimizer, options: { totalIters?: number; power?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('PolynomialLR', options, ['totalIters', 'power', 'lastEpoch', 'verbose']);
    this.totalIters = int('PolynomialLR', 'total_iters', o.totalIters ?? 5);
    this.power = numOpt('PolynomialLR', 'power', o.power ?? 1.0);
    this._keys = [['totalIters', 'total_iters'], ['power', 'power']];
    this._start(lastEpochOpt(o), !!o.verbose);
  }
  override getLr(): number[] {
    const e = this.lastEpoch, n = this.totalIters;
    if (e === 0 || e > n) return this.groups.map((g) => g.lr);
    const decay = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** this.power;
    return this.groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }
}
/** CosineAnnealingWarmRestarts(optimizer, t0, { tMult = 1, etaMin = 0 }): SGDR; step(epoch) takes fractional epochs */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;
  constructor(optimizer: Optimizer, t0: number, options: { tMult?: number; TMult?: number; etaMin?: number; lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('CosineAnnealingWarmRestarts', options, ['tMult', 'TMult', 'etaMin', 'lastEpoch', 'verbose']);
    if (typeof t0 !== 'number' || !Number.isInteger(t0) || t0 <= 0) throw new TorchError(`Expected positive integer T_0, but got ${String(t0)}`);
    const tMult = o.tMult ?? o.TMult ?? 1;
    if (typeof tMult !== 'number' || !Number.isInteger(tMult) || tMult < 1) throw new TorchError(`Expected integer T_mult >= 1, but got ${String(tMult)}`);
    this.t0 = t0; this.tI = t0; this.tMult = tMult;
    this.etaMin = numOpt('CosineAnnealingWarmRestarts', 'eta_min', o.etaMin ?? 0);
    this.tCur = lastEpochOpt(o);
    this._keys = [['t0', 'T_0'], ['tI', 'T_i'], ['tMult', 'T_mult'], ['etaMin', 'eta_min'], ['tCur', 'T_cur']];
    this._start(lastEpochOpt(o), !!o.verbose);
  }
  override getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * (1 + Math.cos(Math.PI * this.tCur / this.tI)) / 2);
  }
  override step(epoch?: number): void {
    let e = epoch;
    if ((e === undefined || e === null) && this.lastEpoch < 0) e = 0;
    if (e === undefined || e === null) {
      e = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) { this.tCur = this.tCur - this.tI; this.tI = this.tI * this.tMult; }
    } else {
      if (typeof e !== 'number' || !Number.isFinite(e)) throw new TorchError(`step(): epoch must be a number, got ${describeValue(e)}`);
      if (e < 0) throw new TorchError(`Expected non-negative epoch, but got ${e}`);
      if (e >= this.t0) {
        if (this.tMult === 1) this.tCur = e % this.t0;
        else {
          const n = Math.trunc(Math.log(e / this.t0 * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = e - this.t0 * (this.tMult ** n - 1) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else { this.tI = this.t0; this.tCur = e; }
    }
    this.lastEpoch = Math.floor(e);
    const values = this.getLr();
    this.groups.forEach((g, i) => {
      g.lr = values[i];
      if (this.verbose) console.log(`Adjusting learning rate of group ${i} to ${values[i].toExponential(4)}.`);
    });
    this._lastLr = this.groups.map((g) => g.lr);
  }
}

export interface CyclicLROptions {
  stepSizeUp?: number; stepSizeDown?: number | null; mode?: 'triangular' | 'triangular2' | 'exp_range'; gamma?: number;
  scaleFn?: ((x: number) => number) | null; scaleMode?: 'cycle' | 'iterations'; cycleMomentum?: boolean;
  baseMomentum?: number | number[]; maxMomentum?: number | number[]; lastEpoch?: number; verbose?: boolean;
}
/** CyclicLR(optimizer, baseLr, maxLr, { stepSizeUp = 2000, stepSizeDown, mode = 'triangular', gamma, scaleFn,
 *  scaleMode, cycleMomentum = true, baseMomentum = 0.8, maxMomentum = 0.9 }): step() after every batch */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private scaleFnCustom: ((x: number) => number) | null;
  constructor(optimizer: Optimizer, baseLr: number | number[], maxLr: number | number[], options: CyclicLROptions = {}) {
    super(optimizer);
    const o = checkOptions('CyclicLR', options, ['stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode', 'cycleMomentum',
      'baseMomentum', 'maxMomentum', 'lastEpoch', 'verbose']) as CyclicLROptions;
    const lastEpoch = o.lastEpoch ?? -1;
    const n = optimizer.paramGroups.length;
    const fmt = (name: string, v: unknown): number[] => {
      if (Array.isArray(v)) {
        if (v.length !== n) throw new TorchError(`expected ${n} values for ${name}, got ${v.length}`);
        return v.map((x) => numOpt('CyclicLR', name, x));
      }
      return new Array<number>(n).fill(numOpt('CyclicLR', name, v));
    };
    const baseLrs = fmt('base_lr', baseLr);
    if (lastEpoch === -1) optimizer.paramGroups.forEach((g, i) => { g.lr = baseLrs[i]; });
    this.maxLrs = fmt('max_lr', maxLr);
    const up = numOpt('CyclicLR', 'step_size_up', o.stepSizeUp ?? 2000);
    const down = o.stepSizeDown === undefined || o.stepSizeDown === null ? up : numOpt('CyclicLR', 'step_size_down', o.stepSizeDown);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = o.mode ?? 'triangular';
    this.scaleFnCustom = o.scaleFn ?? null;
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode) && this.scaleFnCustom === null) throw new TorchError('mode is invalid and scale_fn is None');
    if (this.scaleFnCustom !== null && typeof this.scaleFnCustom !== 'function') throw new TorchError(`CyclicLR(): scale_fn must be a function, got ${describeValue(this.scaleFnCustom)}`);
    this.mode = mode;
    this.gamma = numOpt('CyclicLR', 'gamma', o.gamma ?? 1.0);
    this.scaleMode = this.scaleFnCustom ? (o.scaleMode ?? 'cycle') : mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = o.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      const d = optimizer.defaults;
      if (!('momentum' in d) && !('betas' in d)) throw new TorchError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      this.useBeta1 = 'betas' in d;
      const baseM = fmt('base_momentum', o.baseMomentum ?? 0.8);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [baseM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = baseM[i];
        });
      }
      this.baseMomentums = optimizer.paramGroups.map((g) => (this.useBeta1 ? (g.betas as number[])[0] : Number(g.momentum)));
      this.maxMomentums = fmt('max_momentum', o.maxMomentum ?? 0.9);
    }
    this._keys = [['maxLrs', 'max_lrs'], ['totalSize', 'total_size'], ['stepRatio', 'step_ratio'], ['mode', 'mode'], ['gamma', 'gamma'],
      ['scaleMode', 'scale_mode'], ['cycleMomentum', 'cycle_momentum'], ['useBeta1', 'use_beta1'], ['baseMomentums', 'base_momentums'],
      ['maxMomentums', 'max_momentums']];
    this._start(lastEpoch, !!o.verbose);
    this.baseLrs = baseLrs;
  }
  scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1.0;
  }
  override getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scale = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === 'cycle' ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * scale * this.scaleFn(at));
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        const m = this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * scale * this.scaleFn(at);
        if (this.useBeta1) g.betas = [m, ...(g.betas as number[]).slice(1)];
        else g.momentum = m;
      });
    }
    return lrs;
  }
}

/** SequentialLR(optimizer, schedulers, milestones): schedulers[i] drives the lr from milestones[i - 1] on */
export class SequentialLR extends LRScheduler {
  _schedulers: LRScheduler[];
  _milestones: number[];
  constructor(optimizer: Optimizer, schedulers: LRScheduler[], milestones: number[], options: { lastEpoch?: number; verbose?: boolean } = {}) {
    super(optimizer);
    const o = checkOptions('SequentialLR', options, ['lastEpoch', 'verbose']);
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof LRScheduler))) {
      throw new TorchError(`SequentialLR(): schedulers must be a non-empty list of LR schedulers, got ${describeValue(schedulers)}`);
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new TorchError(`Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new TorchError(`Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : describeValue(milestones)}`);
    }
    milestones.forEach((m) => int('SequentialLR', 'milestones', m));
    this._schedulers = schedulers.slice();
    this._milestones = milestones.slice();
    this.lastEpoch = lastEpochOpt(o) + 1;
    this.verbose = !!o.verbose;
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of this._schedulers) s.lastEpoch -= 1;
    this._schedulers[0]._initialStep();
    this._lastLr = this._schedulers[0].getLastLr();
  }
  override step(): void {
    this.lastEpoch += 1;
    let idx = 0;
    while (idx < this._milestones.length && this._milestones[idx] <= this.lastEpoch) idx++;  // bisect_right
    const s = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this._lastLr = s.getLastLr();
  }
  override stateDict(): Record<string, unknown> {
    return { _milestones: this._milestones.slice(), last_epoch: this.lastEpoch, _last_lr: this._lastLr.slice(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TorchError(`loadStateDict(): expected a scheduler state dict, got ${describeValue(sd)}`);
    if (Array.isArray(sd._milestones)) this._milestones = (sd._milestones as number[]).slice();
    if ('last_epoch' in sd) this.lastEpoch = Number(sd.last_epoch);
    if (Array.isArray(sd._last_lr)) this._lastLr = (sd._last_lr as number[]).slice();
    if (Array.isArray(sd._schedulers)) (sd._schedulers as Record<string, unknown>[]).forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
}
/** ChainedScheduler(schedulers): one step() steps every scheduler in turn (their factors multiply) */
export class ChainedScheduler extends LRScheduler {
  _schedulers: LRScheduler[];
  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0 || schedulers.some((s) => !(s instanceof LRScheduler))) {
      throw new TorchError(`ChainedScheduler(): schedulers must be a non-empty list of LR schedulers, got ${describeValue(schedulers)}`);
    }
    super(schedulers[0].optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0].optimizer) throw new TorchError(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this._schedulers = schedulers.slice();
    this._lastLr = this.groups.map((g) => g.lr);
  }
  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.groups.map((g) => g.lr);
  }
  override stateDict(): Record<string, unknown> {
    return { _last_lr: this._lastLr.slice(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TorchError(`loadStateDict(): expected a scheduler state dict, got ${describeValue(sd)}`);
    if (Array.isArray(sd._last_lr)) this._lastLr = (sd._last_lr as number[]).slice();
    if (Array.isArray(sd._schedulers)) (sd._schedulers as Record<string, unknown>[]).forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
}
