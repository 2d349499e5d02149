// grad_scaler.ts - torch.amp.GradScaler (torch/cuda/amp/grad_scaler.py, PyTorch 1.13 / torch/amp/grad_scaler.py 2.x):
// loss scaling for float16 training. scale(loss) multiplies by the current scale; unscale_(optimizer) divides every
// gradient by it and records whether any is inf/NaN; step(optimizer) skips optimizer.step() when one was; update()
// backs the scale off after a skipped step and grows it after growthInterval clean ones.
//
// The inf check and the unscale are one fused native pass over all gradients (OP(amp_unscale), ATen's
// _amp_foreach_non_finite_check_and_unscale_), up to seven gradients per call, writing found_inf on the device;
// step() reads found_inf once (the one device-to-host read of a step) and update() reuses that value. The scale and
// growth tracker live on the host as float32 / int32 values, updated with _amp_update_scale_'s arithmetic; the
// device copy of the scale that scale() multiplies by is refreshed when the scale changes (a write, never a read).
//
// Fused optimizers (Adam/AdamW/SGD with fused: true in every group: optimizer._stepSupportsAmpScaling, as PyTorch's
// `_step_supports_amp_scaling`): step() does not unscale. It runs the inf check alone (the same kernel with
// inv_scale 1, which writes nothing: PyTorch's _check_inf_per_device) unless unscale_() already did, and hands
// found_inf (on the device) and the scale (none after unscale_()) to the optimizer's step, whose kernel divides the
// gradients by the scale and skips the update where found_inf is set (PyTorch 2.x's grad_scale / found_inf of
// _fused_adam_). No host read happens before the step; update() reads found_inf once, as for the other optimizers,
// and the optimizer then undoes its host-side step counts of a skipped step (PyTorch's _foreach_sub_(steps, found_inf)).
import { Tensor, empty_, runKernel, keptByLibrary } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { OP } from '../ops/ids';
import { native } from '../native';
import { noGrad } from '../autograd/mode';
import { fill_, contiguous, copyInto } from '../ops/elementwise';
import { describeValue } from '../dtype';
import type { Optimizer } from '../optim/optimizer';
import { add } from '../ops/elementwise';
import type { Device } from '../device';

export interface GradScalerOptions {
  initScale?: number; growthFactor?: number; backoffFactor?: number; growthInterval?: number; enabled?: boolean;
}
export interface GradScalerStateDict {
  scale?: number; growth_factor?: number; backoff_factor?: number; growth_interval?: number; _growth_tracker?: number;
}
/** What scale() accepts and returns: a tensor, or (nested) arrays of tensors. */
export type Scalable = Tensor | readonly Scalable[];

const enum Stage { READY, UNSCALED, STEPPED }
interface OptState { stage: Stage; foundInf: Map<string, Tensor>; foundValue: number | null }

const MAX_GRADS_PER_CALL = 7; // kMaxTensors (8) less found_inf

/** For tests: tensorOps = true takes the path of a binary without OP(amp_unscale) (tensor ops, no host read). */
export const scalerInternals = { tensorOps: false };

const stepOf = (o: Optimizer, args: unknown[]): unknown => (o as unknown as { step(...a: unknown[]): unknown }).step(...args);

function warn(msg: string): void { process.emitWarning(msg, 'UserWarning'); }

function cudaAvailable(): boolean {
  if (!native.info().cudaBuilt) return false;
  try { return (native.cuda('count') as number) > 0; } catch { return false; }
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`GradScaler(): '${what}' must be a number, not ${describeValue(v)}`);
  return v;
}

export class GradScaler {
  private _device: 'cpu' | 'cuda';
  private _enabled: boolean;
  private _initScale = 2.0 ** 16;
  private _growthFactor = 2.0;
  private _backoffFactor = 0.5;
  private _growthInterval = 2000;
  private _initGrowthTracker = 0;
  // host copies of PyTorch's _scale (float32) and _growth_tracker (int32); null until the first scale() (lazy init)
  private _scale: number | null = null;
  private _growthTracker: number | null = null;
  private _scaleT: Tensor | null = null; // the device tensor scale() multiplies by
  private _scaleTValue = NaN;
  private _perOptimizer = new Map<Optimizer, OptState>();

  /** new GradScaler(device = 'cuda', { initScale, growthFactor, backoffFactor, growthInterval, enabled }) */
  constructor(device?: 'cpu' | 'cuda' | Device | GradScalerOptions, opts?: GradScalerOptions) {
    if (device !== undefined && device !== null && typeof device === 'object' && !('type' in device)) { opts = device; device = undefined; }
    const dev = device === undefined || device === null ? 'cuda' : typeof device === 'string' ? device.split(':')[0] : (device as Device).type;
    if (dev !== 'cpu' && dev !== 'cuda') throw new TorchError(`GradScaler: device must be 'cuda' or 'cpu', got ${describeValue(device)}`);
    this._device = dev;
    const o = opts ?? {};
    if (typeof o !== 'object') throw new TypeError(`GradScaler(): options must be an object, not ${describeValue(o)}`);
    checkKeys('GradScaler', o, ['initScale', 'growthFactor', 'backoffFactor', 'growthInterval', 'enabled']);
    const enabled = o.enabled ?? true;
    if (typeof enabled !== 'boolean') throw new TypeError(`GradScaler(): 'enabled' must be a boolean, not ${describeValue(enabled)}`);
    this._enabled = enabled;
    if (this._enabled && dev === 'cuda' && !cudaAvailable()) {
      warn('torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.');
      this._enabled = false;
    }
    if (o.initScale !== undefined) this._initScale = num(o.initScale, 'initScale');
    if (o.growthFactor !== undefined) this._growthFactor = num(o.growthFactor, 'growthFactor');
    if (o.backoffFactor !== undefined) this._backoffFactor = num(o.backoffFactor, 'backoffFactor');
    if (o.growthInterval !== undefined) {
      const gi = num(o.growthInterval, 'growthInterval');
      if (!Number.isInteger(gi)) throw new TypeError(`GradScaler(): 'growthInterval' must be an integer, got ${gi}`);
      this._growthInterval = gi;
    }
    if (this._enabled) {
      if (!(this._growthFactor > 1.0)) throw new TorchError('The growth factor must be > 1.0.');
      if (!(this._backoffFactor < 1.0)) throw new TorchError('The backoff factor must be < 1.0.');
    }
  }

  private _state(opt: Optimizer): OptState {
    let s = this._perOptimizer.get(opt);
    if (!s) { s = { stage: Stage.READY, foundInf: new Map(), foundValue: null }; this._perOptimizer.set(opt, s); }
    return s;
  }

  private _check(funcname: string): number {
    if (this._scale === null) {
      throw new TorchError(`Attempted ${funcname} but _scale is None.  This may indicate your script did not use ` +
        'scaler.scale(loss or outputs) earlier in the iteration.');
    }
    return this._scale;
  }

  private _scaleOn(t: Tensor): Tensor {
    if (t.device.type !== this._device) {
      throw new TorchError(`GradScaler(device='${this._device}').scale(): the outputs are on ${t.device}`);
    }
    if (this._scale === null) { this._scale = Math.fround(this._initScale); this._growthTracker = this._initGrowthTracker; }
    if (this._scaleT === null || !this._scaleT.device.equals(t.device) || this._scaleT.isDisposed) {
      this._scaleT = empty_([1], 'float32', t.device);
      keptByLibrary.add(this._scaleT);
      this._scaleTValue = NaN;
    }
    if (this._scaleTValue !== this._scale) { fill_(this._scaleT, this._scale); this._scaleTValue = this._scale; }
    return this._scaleT;
  }

  /** Multiplies the outputs (a loss, or arrays of tensors) by the scale; returns them unchanged when disabled. */
  scale<S extends Scalable>(outputs: S): S {
    if (!this._enabled) return outputs;
    const apply = (x: Scalable): Scalable => {
      if (x instanceof Tensor) { x._check(); return x.mul(this._scaleOn(x)); }
      if (Array.isArray(x)) return x.map(apply);
      throw new TorchError(`outputs must be a Tensor or an iterable of Tensors, got ${describeValue(x)}`);
    };
    return apply(outputs) as S;
  }

  // the fused check-and-unscale of every gradient of the optimizer, grouped by device; returns found_inf per device
  private _unscaleGrads(optimizer: Optimizer, invScale: number, allowFp16 = false): Map<string, Tensor> {
    const perDevice = new Map<string, { dev: Device; grads: Tensor[] }>();
    for (const group of optimizer.paramGroups) {
      for (const p of group.params) {
        const g = p._grad;
        if (g === null) continue;
        g._check();
        if (g.dtype === 'float16' && !allowFp16) throw new TorchError('Attempting to unscale FP16 gradients.');
        const key = String(g.device);
        let e = perDevice.get(key);
        if (!e) { e = { dev: g.device, grads: [] }; perDevice.set(key, e); }
        e.grads.push(g);
      }
    }
    const found = new Map<string, Tensor>();
    noGrad(() => {
      for (const [key, { dev, grads }] of perDevice) {
        const f = empty_([1], 'float32', dev, true);
        keptByLibrary.add(f);
        found.set(key, f);
        const fused = !scalerInternals.tensorOps && native.supports(OP.amp_unscale, dev.type === 'cuda' ? 1 : 0);
        for (let i = 0; i < grads.length; i += MAX_GRADS_PER_CALL) {
          const chunk = grads.slice(i, i + MAX_GRADS_PER_CALL);
          const work = chunk.map((g) => contiguous(g));
          if (fused) runKernel(OP.amp_unscale, [f, ...work], [invScale], '_amp_foreach_non_finite_check_and_unscale_');
          else {
            // a CUDA build without the kernel: the same arithmetic in tensor ops, still without a host read
            for (const w of work) {
              const bad = w.isfinite().logicalNot().any().to('float32').reshape([1]);
              copyInto(f, f.maximum(bad));
              if (invScale !== 1) copyInto(w, w.to(w.dtype === 'float64' ? 'float64' : 'float32').mul(invScale));
            }
          }
          chunk.forEach((g, j) => { if (work[j] !== g) copyInto(g, work[j]); g._st.version++; });
        }
      }
    });
    return found;
  }

  /** Divides the optimizer's gradients by the scale (for clipping before step()); records inf/NaN gradients. */
  unscale_(optimizer: Optimizer): void {
    if (!this._enabled) return;
    const scale = this._check('unscale_');
    const st = this._state(optimizer);
    if (st.stage === Stage.UNSCALED) throw new TorchError('unscale_() has already been called on this optimizer since the last update().');
    if (st.stage === Stage.STEPPED) throw new TorchError('unscale_() is being called after step().');
    const inv = Math.fround(1 / scale); // scale.double().reciprocal().float()
    st.foundInf = this._unscaleGrads(optimizer, inv);
    st.foundValue = null;
    st.stage = Stage.UNSCALED;
  }

  // the recorded found_inf of one optimizer: one device-to-host read per device, once per step
  private _foundValue(st: OptState): number {
    if (st.foundValue === null) {
      let s = 0;
      for (const f of st.foundInf.values()) s += f.item() as number;
      st.foundValue = s;
    }
    return st.foundValue;
  }

  /** Unscales (unless unscale_() was called) and runs optimizer.step(...args) unless a gradient was inf or NaN. */
  step(optimizer: Optimizer, ...args: unknown[]): unknown {
    if (!this._enabled) return stepOf(optimizer, args);
    if (args.some((a) => typeof a === 'function')) throw new TorchError('Closure use is not currently supported if GradScaler is enabled.');
    this._check('step');
    const st = this._state(optimizer);
    if (st.stage === Stage.STEPPED) throw new TorchError('step() has already been called since the last update().');
    if (optimizer._stepSupportsAmpScaling) return this._fusedStep(optimizer, st, args);
    if (st.stage === Stage.READY) this.unscale_(optimizer);
    if (st.foundInf.size === 0) throw new TorchError('No inf checks were recorded for this optimizer.');
    let ret: unknown;
    if (!this._foundValue(st)) ret = stepOf(optimizer, args);
    st.stage = Stage.STEPPED;
    return ret;
  }

  // the step of an optimizer that unscales and skips in its own kernel (see the header): no host read here
  private _fusedStep(optimizer: Optimizer, st: OptState, args: unknown[]): unknown {
    const scale = this._scale as number;
    const unscaled = st.stage === Stage.UNSCALED;
    if (!unscaled) st.foundInf = this._unscaleGrads(optimizer, 1, true); // _check_inf_per_device: the check alone
    if (st.foundInf.size === 0) throw new TorchError('No inf checks were recorded for this optimizer.');
    const fs = [...st.foundInf.values()];
    let found = fs[0];
    if (fs.length > 1) {
      // several devices: combined on the first one, as PyTorch combines them on the scale's device
      found = noGrad(() => fs.slice(1).reduce((acc, f) => add(acc, f.to(fs[0].device)), fs[0]));
      keptByLibrary.add(found);
    }
    optimizer._amp = { foundInf: found, gradScale: unscaled ? null : scale };
    let ret: unknown;
    try { ret = stepOf(optimizer, args); } finally { optimizer._amp = null; }
    st.stage = Stage.STEPPED;
    return ret;
  }

  /** After the step: a new scale (a number or a one-element float32 tensor), or PyTorch's growth/backoff rule. */
  update(newScale?: number | Tensor | null): void {
    if (!this._enabled) return;
    const scale = this._check('update');
    if (newScale !== undefined && newScale !== null) {
      if (typeof newScale === 'number') this._scale = Math.fround(newScale);
      else {
        const reason = 'new_scale should be a float or a 1-element torch.cuda.FloatTensor with requires_grad=False.';
        if (!(newScale instanceof Tensor) || newScale.dtype !== 'float32' || newScale.numel() !== 1 || newScale.requiresGrad) throw new TorchError(reason);
        this._scale = newScale.item() as number;
      }
    } else {
      const states = [...this._perOptimizer.values()].filter((s) => s.foundInf.size > 0);
      if (states.length === 0) throw new TorchError('No inf checks were recorded prior to update.');
      let found = 0;
      for (const s of states) found += this._foundValue(s);
      // _amp_update_scale_: float32 scale, int32 growth tracker
      if (found) {
        this._scale = Math.fround(scale * this._backoffFactor);
        this._growthTracker = 0;
      } else {
        const successful = (this._growthTracker as number) + 1;
        if (successful === this._growthInterval) {
          const grown = Math.fround(scale * this._growthFactor);
          if (Number.isFinite(grown)) this._scale = grown;
          this._growthTracker = 0;
        } else this._growthTracker = successful;
      }
    }
    // fused steps settle their host-side step counts with the value read (see the header)
    for (const [opt, st] of this._perOptimizer) if (st.foundInf.size > 0) opt._ampResolve(() => this._foundValue(st));
    // found_inf has been read: free it now rather than at the next collection
    for (const st of this._perOptimizer.values()) for (const f of st.foundInf.values()) f.dispose();
    this._perOptimizer = new Map();
  }

  /** The current scale (initScale before the first scale(); 1.0 when disabled). */
  getScale(): number { return this._enabled ? (this._scale === null ? this._initScale : this._scale) : 1.0; }
  getGrowthFactor(): number { return this._growthFactor; }
  setGrowthFactor(v: number): void { this._growthFactor = num(v, 'growthFactor'); }
  getBackoffFactor(): number { return this._backoffFactor; }
  setBackoffFactor(v: number): void { this._backoffFactor = num(v, 'backoffFactor'); }
  getGrowthInterval(): number { return this._growthInterval; }
  setGrowthInterval(v: number): void { this._growthInterval = num(v, 'growthInterval'); }
  /** Clean steps since the last growth or backoff (PyTorch's _get_growth_tracker). */
  getGrowthTracker(): number { return this._growthTracker === null ? this._initGrowthTracker : this._growthTracker; }
  isEnabled(): boolean { return this._enabled; }

  /** PyTorch's state dict: { scale, growth_factor, backoff_factor, growth_interval, _growth_tracker } ({} when disabled). */
  stateDict(): GradScalerStateDict {
    if (!this._enabled) return {};
    return { scale: this.getScale(), growth_factor: this._growthFactor, backoff_factor: this._backoffFactor,
      growth_interval: this._growthInterval, _growth_tracker: this.getGrowthTracker() };
  }
  loadStateDict(sd: GradScalerStateDict): void {
    if (!this._enabled) return;
    if (sd === null || typeof sd !== 'object') throw new TypeError(`loadStateDict(): expected an object, got ${describeValue(sd)}`);
    checkKeys('GradScaler.loadStateDict', sd, ['scale', 'growth_factor', 'backoff_factor', 'growth_interval', '_growth_tracker']);
    if (Object.keys(sd).length === 0) throw new TorchError('The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.');
    const need = (k: keyof GradScalerStateDict): number => {
      const v = sd[k];
      if (typeof v !== 'number') throw new TorchError(`GradScaler.loadStateDict(): missing or non-numeric '${k}'`);
      return v;
    };
    const scale = need('scale'), gf = need('growth_factor'), bf = need('backoff_factor'), gi = need('growth_interval'), gt = need('_growth_tracker');
    this._initScale = scale;
    if (this._scale !== null) this._scale = Math.fround(scale);
    this._growthFactor = gf;
    this._backoffFactor = bf;
    this._growthInterval = gi;
    this._initGrowthTracker = gt;
    if (this._growthTracker !== null) this._growthTracker = gt;
  }
}
