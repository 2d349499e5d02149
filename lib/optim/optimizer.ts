// optimizer.ts - the Optimizer base class (torch/optim/optimizer.py): parameter groups, per-parameter state,
// zeroGrad, addParamGroup, and stateDict()/loadStateDict() in PyTorch's own structure, plus the one helper every
// algorithm's step() uses: a fused native update per parameter (OP(optim_step), native/cpu/optim.cc).
//
// Names: paramGroups are plain objects with camelCase keys (lr, momentum, weightDecay, betas, ...; lr is what
// schedulers write). Per-parameter state (`optimizer.state.get(p)`) and the state dict use PyTorch's snake_case
// names (exp_avg, momentum_buffer, weight_decay, ...) so that checkpoints map one-to-one onto PyTorch's:
//   { state: { 0: { step, exp_avg, exp_avg_sq }, ... }, param_groups: [{ lr, betas, ..., params: [0, 1] }] }
// The step count is kept as a JS number; stateDict() gives it as a 0-d float32 tensor, as PyTorch 1.13+/2.x does.
import { Tensor, keptByLibrary, runKernel, rawView } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { OP } from '../ops/ids';
import { native, meta, META_ATTR_BASE } from '../native';
import { noGrad, enableGrad } from '../autograd/mode';
import { contiguous, toDtype, toDeviceCopy, copyInto, clone } from '../ops/elementwise';
import { sameDenseLayout } from '../memory_format';
import { tensor as makeTensor } from '../ops/creation';
import { describeValue, isFloating, DTYPE_CODE } from '../dtype';
import { CPU } from '../device';

// Algorithm codes of OP(optim_step) (native/kernels/optim.h, enum Algo)
export const ALGO = { SGD: 0, ADAM: 1, ADAMW: 2, RMSPROP: 3, ADAGRAD: 4 } as const;
/** For tests: maxChunksPerLaunch > 0 caps the chunks of one CUDA multi-tensor launch (the kernel's limit is 320), so
 *  that a tensor split across launches is exercised without 21M-element tensors. */
export const optimInternals = { maxChunksPerLaunch: 0 };
const N_ATTRS = 10;

export type ParamGroup = { params: Tensor[]; lr: number; [key: string]: unknown };
export type ParamGroupSpec = { params: Tensor | Iterable<Tensor>; [key: string]: unknown };
export type ParamsArg = Iterable<Tensor> | Iterable<ParamGroupSpec>;
export type OptimizerState = Record<string, unknown>;
export interface OptimizerStateDict {
  state: Record<string | number, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}

export const camelToSnake = (k: string): string => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
export const snakeToCamel = (k: string): string => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && !(x instanceof Map) && !ArrayBuffer.isView(x);

const copyValue = (v: unknown): unknown => (Array.isArray(v) ? v.map(copyValue) : v);

/** Subclass it as in PyTorch: pass defaults to super(), then override _stepGroup(group) (or step() itself). */
export class Optimizer {
  defaults: Record<string, unknown>;
  paramGroups: ParamGroup[] = [];
  state = new Map<Tensor, OptimizerState>();
  /** Steps taken (read by lr schedulers to warn about call order, as PyTorch's _step_count). */
  _stepCount = 0;
  /**
   * Set by GradScaler.step() around the step of an optimizer whose step supports AMP scaling (PyTorch's
   * `grad_scale` / `found_inf` arguments of the fused kernels): found_inf stays on the device, read by the kernel.
   */
  _amp: AmpStep | null = null;
  // fused steps whose found_inf has not been read yet: their per-parameter bookkeeping (step counts, lazily created
  // state) is undone when it turns out to have been a skipped step (_ampResolve)
  private _ampPending: { found: Tensor; undo: (() => void)[] }[] = [];

  constructor(params: ParamsArg, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TorchError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params.dtype} tensor`);
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TorchError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describeValue(params)}`);
    }
    if (params instanceof Set) throw new TorchError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new TorchError('optimizer got an empty parameter list');
    const groups: ParamGroupSpec[] = isPlainObject(list[0]) ? (list as ParamGroupSpec[]) : [{ params: list as Tensor[] }];
    for (const g of groups) this.addParamGroup(g);
  }

  /** The class name, as PyTorch prints it. */
  get name(): string { return this.constructor.name; }

  addParamGroup(spec: ParamGroupSpec): void {
    if (!isPlainObject(spec)) throw new TorchError(`param group must be a dict, got ${describeValue(spec)}`);
    const raw = spec.params;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw instanceof Set) throw new TorchError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    else if (raw && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') params = Array.from(raw as Iterable<unknown>);
    else throw new TorchError(`param group 'params' must be a Tensor or a list of Tensors, got ${describeValue(raw)}`);
    params.forEach((p) => {
      if (!(p instanceof Tensor)) throw new TorchError(`optimizer can only optimize Tensors, but one of the params is ${describeValue(p)}`);
      p._check();
      if (!p.isLeaf && !p.retainsGrad) throw new TorchError("can't optimize a non-leaf Tensor");
    });
    const group: ParamGroup = { params: params as Tensor[], lr: 0 };
    delete (group as Record<string, unknown>).lr;
    for (const [k, v] of Object.entries(spec)) if (k !== 'params') group[snakeToCamel(k)] = copyValue(v);
    for (const [k, v] of Object.entries(this.defaults)) {
      if (!(k in group)) {
        if (v === undefined) throw new TorchError(`parameter group didn't specify a value of required optimization parameter ${camelToSnake(k)}`);
        group[k] = copyValue(v);
      }
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of group.params) if (seen.has(p)) throw new TorchError('some parameters appear in more than one parameter group');
    this.paramGroups.push(group);
  }

  zeroGrad(opts: { setToNone?: boolean } | boolean = {}): void {
    // PyTorch's zero_grad(set_to_none) positionally, or { setToNone }
    if (typeof opts !== 'boolean') checkKeys('zeroGrad', opts, ['setToNone']);
    const setToNone = typeof opts === 'boolean' ? opts : opts.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const gr = p._grad;
        if (gr === null) continue;
        if (setToNone) { p._setGrad(null); continue; }
        if (gr.gradFn) gr.detach_(); else gr.requiresGrad_(false);
        noGrad(() => gr.zero_());
      }
    }
  }

  /** One optimisation step over every parameter that has a gradient; `closure` re-evaluates the loss (run with grad enabled). */
  step(closure?: () => unknown): unknown {
    this._ampResolve();
    let loss: unknown;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw new TorchError(`step(): closure must be a function, got ${describeValue(closure)}`);
      loss = enableGrad(closure);
    }
    noGrad(() => { for (const g of this.paramGroups) this._stepGroup(g); });
    this._stepCount++;
    return loss;
  }

  /**
   * PyTorch's `_step_supports_amp_scaling`: GradScaler.step() then hands the scale and found_inf to step() instead
   * of unscaling the gradients and reading found_inf itself. True when every group is fused (the fused kernels
   * unscale and skip on the device).
   */
  get _stepSupportsAmpScaling(): boolean { return this.paramGroups.length > 0 && this.paramGroups.every((g) => g.fused === true); }

  /**
   * Settles fused steps taken under GradScaler: for each whose found_inf was set, the per-parameter bookkeeping done
   * on the host (step counts, state created by that step) is undone, as PyTorch's `_foreach_sub_(state_steps,
   * found_inf)`, so that a skipped step leaves the state as the unfused path would. GradScaler.update() passes (a getter of)
   * the value it reads anyway; otherwise (the next step(), stateDict()) found_inf is read here.
   */
  _ampResolve(found?: () => number): void {
    if (this._ampPending.length === 0) return;
    const pending = this._ampPending;
    this._ampPending = [];
    for (const e of pending) {
      const v = found !== undefined ? found() : (e.found.item() as number);
      if (v !== 0) for (let i = e.undo.length - 1; i >= 0; i--) e.undo[i]();
    }
  }

  /** For a fused step under GradScaler: a function that restores p's state to what it is now (see _ampResolve). */
  protected _ampSnapshot(p: Tensor): (() => void) | undefined {
    if (this._amp === null) return undefined;
    const s = this.state.get(p);
    if (s === undefined) return () => { this.state.delete(p); };
    const keys = new Set(Object.keys(s));
    const step = s.step;
    return () => {
      for (const k of Object.keys(s)) if (!keys.has(k)) delete s[k];
      if (step !== undefined) s.step = step;
      if (Object.keys(s).length === 0) this.state.delete(p);
    };
  }

  /** One group's update; the algorithms override it (a custom optimizer may override step() instead). */
  protected _stepGroup(group: ParamGroup): void {
    void group;
    throw new TorchError(`${this.name}.step() is not implemented: override _stepGroup(group) or step()`);
  }

  /** State of p, created with init() on first use; every tensor in it is marked as library-kept (tidy leaves it). */
  protected _state(p: Tensor, init: () => OptimizerState): OptimizerState {
    let s = this.state.get(p);
    if (s === undefined || Object.keys(s).length === 0) {
      s = init();
      for (const v of Object.values(s)) if (v instanceof Tensor) keptByLibrary.add(v);
      this.state.set(p, s);
    }
    return s;
  }
  protected _buffer(s: OptimizerState, key: string, make: () => Tensor): Tensor {
    let t = s[key];
    if (!(t instanceof Tensor)) { t = make(); keptByLibrary.add(t as Tensor); s[key] = t; }
    return t as Tensor;
  }

  /**
   * Runs the fused update for one parameter: tensors [p, p.grad, ...states], attrs [algo, ...hyper-parameters].
   * The kernel wants contiguous float32/float64 operands of one dtype on one device; anything else (a strided param,
   * float16/bfloat16, a device without the kernel) goes through working copies that are written back.
   */
  protected _fused(algo: number, p: Tensor, states: Tensor[], attrs: number[]): void {
    const grad = p._grad as Tensor;
    grad._check();
    if (grad.numel() !== p.numel()) throw new TorchError(`${this.name}.step(): gradient has ${grad.numel()} elements but the parameter has ${p.numel()} (shapes [${grad.shape}] and [${p.shape}])`);
    if (!grad.device.equals(p.device)) throw new TorchError(`Expected all tensors to be on the same device, but found at least two devices, ${p.device} and ${grad.device}! (gradient of a parameter, in ${this.name}.step())`);
    if (!isFloating(p.dtype)) throw new TorchError(`${this.name}.step(): parameters must be floating point, got ${p.dtype}`);
    const a = new Array<number>(N_ATTRS).fill(0);
    a[0] = algo;
    for (let i = 0; i < attrs.length; i++) a[i + 1] = attrs[i];
    const work = p.dtype === 'float32' || p.dtype === 'float64' ? p.dtype : 'float32';
    const dev = p.device.type === 'cuda' && !native.supports(OP.optim_step, 1) ? CPU : p.device;
    // a dense non-contiguous layout shared by all operands (channels-last parameters, their gradients and state
    // buffers) is one flat run as it is: no working copies (lib/memory_format.ts)
    const flat = sameDenseLayout(p, [grad, ...states]);
    const prep = (t: Tensor): Tensor => {
      let w = t;
      if (!w.device.equals(dev)) w = toDeviceCopy(w, dev);
      if (w.dtype !== work) w = toDtype(w, work);
      return flat && w === t ? w : contiguous(w);
    };
    const pw = prep(p);
    const gw = prep(grad);
    const sw = states.map(prep);
    const ops = [pw, gw, ...sw];
    runKernel(OP.optim_step, flat ? ops.map((t) => rawView(t, [t.numel()], [1], t._offset)) : ops, a, `${this.name}.step`);
    if (pw !== p) copyInto(p, pw);
    p._st.version++;
    states.forEach((s, i) => { if (sw[i] !== s) copyInto(s, sw[i]); s._st.version++; });
  }

  /**
   * The step of a group's parameters in one native call per device (OP(optim_step_multi), PyTorch's foreach and
   * fused implementations): items are [param, states, x0, x1] with the per-parameter values of the step (SGD: first
   * step of the momentum buffer; Adam: bias_correction1, sqrt(bias_correction2)), attrs the group's hyper-parameters
   * as for _fused. Operands that are not contiguous, not of the parameter's dtype or not on its device go through
   * working copies that are written back, as in _fused. The kernel computes each element as the per-parameter path
   * does (float16/bfloat16 in float32), so both give the same bits.
   */
  protected _stepMulti(algo: number, items: MultiItem[], attrs: number[], slots: readonly number[]): void {
    if (items.length === 0) return;
    const byDevice = new Map<string, MultiItem[]>();
    const dev0 = items[0].p.device;
    for (const it of items) {
      const p = it.p;
      const grad = p._grad as Tensor;
      grad._check();
      if (grad.numel() !== p.numel()) throw new TorchError(`${this.name}.step(): gradient has ${grad.numel()} elements but the parameter has ${p.numel()} (shapes [${grad.shape}] and [${p.shape}])`);
      if (!grad.device.equals(p.device)) throw new TorchError(`Expected all tensors to be on the same device, but found at least two devices, ${p.device} and ${grad.device}! (gradient of a parameter, in ${this.name}.step())`);
      if (!isFloating(p.dtype)) throw new TorchError(`${this.name}.step(): parameters must be floating point, got ${p.dtype}`);
      const key = p.device.equals(dev0) ? '' : p.device.toString();
      const list = byDevice.get(key);
      if (list) list.push(it); else byDevice.set(key, [it]);
    }
    const amp = this._amp;
    const a = new Array<number>(N_ATTRS + 3).fill(0);
    a[0] = algo;
    for (let i = 0; i < attrs.length; i++) a[i + 1] = attrs[i];
    a[N_ATTRS] = optimInternals.maxChunksPerLaunch;
    if (amp !== null) {
      // GradScaler: found_inf is the list's last tensor (a11), the gradients are divided by a12 (0: already unscaled)
      a[N_ATTRS + 1] = 1;
      a[N_ATTRS + 2] = amp.gradScale ?? 0;
      const undo: (() => void)[] = [];
      for (const it of items) if (it.undo) undo.push(it.undo);
      this._ampPending.push({ found: amp.foundInf, undo });
    }
    for (const list of byDevice.values()) {
      const dev = list[0].p.device;
      if (!native.supports(OP.optim_step_multi, dev.type === 'cuda' ? 1 : 0)) {
        // a binary without the multi-tensor kernel on this device: the per-parameter steps (under GradScaler with a
        // host read of found_inf, which the kernel would have read on the device)
        if (amp !== null) {
          if (amp.foundInf.item() !== 0) continue;
          if (amp.gradScale !== null) for (const it of list) { const g = it.p._grad as Tensor; copyInto(g, g.div(amp.gradScale)); }
        }
        for (const it of list) {
          const pa = attrs.slice();
          slots.forEach((slot, j) => { pa[slot - 1] = j === 0 ? it.x0 : it.x1; });
          this._fused(algo, it.p, it.states, pa);
        }
        continue;
      }
      const ops: Tensor[] = [];
      const back: [Tensor, Tensor][] = [];
      const xa = new Float64Array(2 * list.length);
      list.forEach((it, i) => {
        const p = it.p;
        const flat = sameDenseLayout(p, [p._grad as Tensor, ...it.states]);  // as in _fused
        const prep = (t: Tensor): Tensor => {  // a param or state: written back when it is a working copy
          let w = t;
          if (!w.device.equals(dev)) w = toDeviceCopy(w, dev);
          if (w.dtype !== p.dtype) w = toDtype(w, p.dtype);
          if (!(flat && w === t)) w = contiguous(w);
          if (w !== t) back.push([t, w]);
          return w;
        };
        ops.push(prep(p));
        const g = p._grad as Tensor;  // on p's device (checked above); written only when GradScaler's scale is applied
        const gw = flat && g.dtype === p.dtype ? g : contiguous(g.dtype === p.dtype ? g : toDtype(g, p.dtype));
        if (gw !== g && amp !== null && amp.gradScale !== null) back.push([g, gw]);
        ops.push(gw);
        for (const st of it.states) ops.push(prep(st));
        xa[2 * i] = it.x0;
        xa[2 * i + 1] = it.x1;
      });
      if (amp !== null) {
        let f = amp.foundInf;
        if (!f.device.equals(dev)) f = toDeviceCopy(f, dev);
        ops.push(f);
      }
      const desc = new Float64Array(3 * ops.length);
      const handles = ops.map((t, i) => {
        t._check();
        desc[3 * i] = DTYPE_CODE[t.dtype];
        desc[3 * i + 1] = t._offset;
        desc[3 * i + 2] = t.numel();
        return t._st.handle;
      });
      meta[META_ATTR_BASE] = a.length;
      for (let i = 0; i < a.length; i++) meta[META_ATTR_BASE + 1 + i] = a[i];
      native.runList(OP.optim_step_multi, desc, xa, ...handles);
      for (const [t, w] of back) copyInto(t, w);
      for (const it of list) {
        it.p._st.version++;
        for (const st of it.states) st._st.version++;
        if (amp !== null && amp.gradScale !== null) (it.p._grad as Tensor)._st.version++;
      }
    }
  }

  /**
   * Whether a group steps through _stepMulti: PyTorch's rules (torch/optim/optimizer.py _default_to_fused_or_foreach):
   * fused or foreach when asked; by default (foreach null) foreach when every parameter with a gradient is a CUDA
   * tensor and the group is not differentiable, the per-parameter loop otherwise.
   */
  protected _multi(g: ParamGroup): boolean {
    if (g.fused === true) { this._checkFused(g); return true; }
    if (g.foreach === true) {
      if (g.differentiable === true) throw new TorchError(`${this.name}: _foreach ops don't support autograd (foreach: true with differentiable: true)`);
      return true;
    }
    if (g.foreach === false || g.differentiable === true) return false;
    let any = false;
    for (const p of g.params) {
      if (p._grad === null) continue;
      if (p.device.type !== 'cuda') return false;
      any = true;
    }
    return any;
  }

  /** PyTorch's checks of fused=True (torch/optim/adam.py, sgd.py; the fused kernels' devices as in PyTorch 2.4+: cpu, cuda). */
  protected _checkFused(g: Record<string, unknown>): void {
    if (g.fused !== true) return;
    if (g.differentiable === true) throw new TorchError('`fused` does not support `differentiable`');
    if (g.foreach === true) throw new TorchError('`fused` and `foreach` cannot be `True` together.');
    const params = (g.params ?? []) as Tensor[];
    for (const p of params) {
      if (!isFloating(p.dtype) || (p.device.type !== 'cpu' && p.device.type !== 'cuda')) {
        throw new TorchError(`\`fused=True\` requires all the params to be floating point Tensors of supported devices: ['cpu', 'cuda'] (${this.name}: got a ${p.dtype} tensor on ${p.device})`);
      }
    }
  }

  // ---- state dict ----------------------------------------------------------------------------------------------
  /** PyTorch's structure and key names; tensors are the optimizer's own (not copies), as in PyTorch. */
  stateDict(): OptimizerStateDict {
    this._ampResolve();
    const index = new Map<Tensor, number>();
    let next = 0;
    const param_groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[camelToSnake(k)] = copyValue(v);
      packed.params = g.params.map((p) => {
        let i = index.get(p);
        if (i === undefined) { i = next++; index.set(p, i); }
        return i;
      });
      return packed;
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) {
        out[k] = k === 'step' && typeof v === 'number' ? makeTensor(v, { dtype: 'float32' }) : v;
      }
      state[i] = out;
    }
    return { state, param_groups };
  }

  loadStateDict(sd: OptimizerStateDict | Map<string, unknown>): void {
    const get = (k: string): unknown => (sd instanceof Map ? sd.get(k) : (sd as unknown as Record<string, unknown>)?.[k]);
    if (!(isPlainObject(sd) || sd instanceof Map)) throw new TorchError(`loadStateDict(): expected an optimizer state dict ({ state, param_groups }), got ${describeValue(sd)}`);
    const savedGroups = get('param_groups');
    const savedState = get('state');
    if (!Array.isArray(savedGroups)) throw new TorchError("loadStateDict(): the state dict has no 'param_groups' list");
    if (savedState !== undefined && !isPlainObject(savedState) && !(savedState instanceof Map)) throw new TorchError("loadStateDict(): the state dict's 'state' must be an object");
    if (savedGroups.length !== this.paramGroups.length) throw new TorchError('loaded state dict has a different number of parameter groups');
    const groupsIn = savedGroups.map((g, i) => {
      const e = g instanceof Map ? Object.fromEntries(g) : g;
      if (!isPlainObject(e) || !Array.isArray(e.params)) throw new TorchError(`loadStateDict(): param_groups[${i}] has no 'params' list`);
      return e as Record<string, unknown> & { params: unknown[] };
    });
    groupsIn.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) throw new TorchError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    });
    const idMap = new Map<string, Tensor>();
    groupsIn.forEach((g, i) => g.params.forEach((id, j) => idMap.set(String(id), this.paramGroups[i].params[j])));
    const entries: [string, unknown][] = savedState === undefined ? [] : savedState instanceof Map ? [...savedState.entries()].map(([k, v]) => [String(k), v]) : Object.entries(savedState);
    const state = new Map<Tensor, OptimizerState>();
    noGrad(() => {
      for (const [k, v] of entries) {
        const p = idMap.get(k);
        if (p === undefined) continue;
        const src = v instanceof Map ? Object.fromEntries(v) : v;
        if (!isPlainObject(src)) throw new TorchError(`loadStateDict(): state[${k}] must be an object`);
        const s: OptimizerState = {};
        for (const [key, val] of Object.entries(src)) {
          if (val instanceof Tensor) {
            val._check();
            if (key === 'step') { s[key] = Number(val.item()); continue; }
            let t = clone(val.detach());
            if (isFloating(t.dtype) && t.dtype !== p.dtype) t = toDtype(t, p.dtype);
            if (!t.device.equals(p.device)) t = toDeviceCopy(t, p.device);
            keptByLibrary.add(t);
            s[key] = t;
          } else s[key] = copyValue(val);
        }
        state.set(p, s);
      }
    });
    // hyper-parameters come from the state dict (PyTorch replaces each group dict, keeping its params); the group
    // objects themselves stay, so references held elsewhere (schedulers) keep working
    this.paramGroups.forEach((g, i) => {
      const rec = g as Record<string, unknown>;
      for (const k of Object.keys(rec)) if (k !== 'params') delete rec[k];
      for (const [k, v] of Object.entries(groupsIn[i])) if (k !== 'params') rec[snakeToCamel(k)] = copyValue(v);
      for (const [k, v] of Object.entries(this.defaults)) if (!(k in rec) && v !== undefined) rec[k] = copyValue(v);
    });
    this.state = state;
  }

  toString(): string {
    let s = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}`;
      for (const k of Object.keys(g).filter((x) => x !== 'params').sort()) s += `\n    ${camelToSnake(k)}: ${fmt(g[k])}`;
    });
    return s + '\n)';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(fmt).join(', ')})`;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** One parameter of a multi-tensor step: its state tensors and its two per-parameter values (see _stepMulti);
 *  undo (under GradScaler, from _ampSnapshot) restores its state if the step turns out to have been skipped. */
export interface MultiItem { p: Tensor; states: Tensor[]; x0: number; x1: number; undo?: () => void }
/** What GradScaler.step() hands to a fused step: found_inf (float32 [1], on the device) and the scale to divide the
 *  gradients by (null when unscale_() has already divided them). */
export interface AmpStep { foundInf: Tensor; gradScale: number | null }

// ---- validation shared by the algorithms -------------------------------------------------------------------------
export function checkOptions(name: string, opts: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (!isPlainObject(opts)) throw new TorchError(`${name}(): expected an options object, got ${describeValue(opts)}`);
  const out: Record<string, unknown> = {};
  for (const [k0, v] of Object.entries(opts)) {
    const k = snakeToCamel(k0);
    if (!allowed.includes(k)) throw new TorchError(`${name}(): unexpected option '${k0}' (expected one of ${allowed.join(', ')})`);
    out[k] = v;
  }
  return out;
}
export function num(name: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TorchError(`${name}(): option '${key}' must be a number, got ${describeValue(v)}`);
  return v;
}
export function nonNegative(name: string, what: string, v: unknown, key = what): number {
  const x = num(name, key, v);
  if (!(x >= 0)) throw new TorchError(`Invalid ${what}: ${x}`);
  return x;
}
export const flag = (v: unknown): boolean => !!v;
/** foreach / fused: true, false, or null/undefined (PyTorch's None: the default implementation). */
export function optionalFlag(name: string, key: string, v: unknown): boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw new TorchError(`${name}(): option '${key}' must be a boolean or null, got ${describeValue(v)}`);
  return v;
}
