// autocast.ts - torch.autocast: mixed precision as a dispatch rule, not a second set of kernels.
//
// On entry to a listed op (each starts with `if (acState.on && autocastListed('op', arguments)) return autocastCall('op', fn, arguments)`), the
// floating tensor arguments of the autocast device are cast by the op's policy, and the op body then runs with
// autocast suspended, so its sub-ops are not cast again (PyTorch excludes the Autocast dispatch key inside its
// wrappers). The policies and lists are PyTorch 1.13's aten/src/ATen/autocast_mode.cpp:
//   lower    floating args (not float64) -> the autocast dtype (matmul-like ops and convolutions)
//   fp32     floating args (not float64) -> float32 (losses, and on CUDA exp/log/pow/norms/...)
//   fp32opt  CUDA's fp32_set_opt_dtype (softmax, sum, cumsum, ...): runs in float32 unless a dtype was given
//   promote  floating args -> the widest of them (float32 if any is float32, else the autocast dtype)
//   plain    no cast, sub-ops not cast either: ops that are one unlisted kernel in PyTorch but that nodetorch
//            composes from listed ops (bilinear, adaptive pooling, LSTM/GRU on the CPU), so they keep PyTorch's dtype
//   lowerInputs  the tensor arguments to the autocast dtype, sub-ops still autocast: the recurrent layers on CUDA
//            (PyTorch's _cudnn_rnn autocast wrapper), whose weights are reached inside, through linear
//   banned   an error (binary_cross_entropy on CUDA, as PyTorch)
// An op with a row in lib/ops/ops.schema has its category there (the autocast= column, per device type), and
// scripts/gen-autocast.js turns that column into policy.generated.ts; the ops below are the ones the schema has no
// row for (see HAND_WRITTEN).
// Casts are the differentiable `to` (ToCopyBackward0), so gradients come back to every leaf in its own dtype.
// Casts of float32 leaves that require grad (weights) to the lower dtype are cached until the outermost autocast
// scope exits (PyTorch's cached_cast); a cached cast is reused only while its source is unmodified.
import { Tensor } from '../tensor';
import { DType, isFloating, toDType } from '../dtype';
import { TorchError, checkKeys } from '../errors';
import { native } from '../native';
import { gradState } from '../autograd/mode';
import { acState, refreshOn, AutocastDevice, AutocastPolicy } from './state';
import { SCHEMA_AUTOCAST } from './policy.generated';

export { acState } from './state';
export type { AutocastDevice, AutocastPolicy } from './state';

type Policy = AutocastPolicy;

// The hand-written part of the table: ops that have no row in lib/ops/ops.schema, so no autocast= column to be read
// from. They are einsum (lib/ops/matmul.ts), cross_entropy_loss (ATen's name: F.cross_entropy's row is named
// cross_entropy) and the padding modes' kernels (F.pad's row is one op for all modes), the recurrent layers
// (lib/nn/layers/rnn.ts): each is
// written by hand there (index_put's entry moved to its row), and when one moves onto the schema its entry moves to its row (test/amp_schema.test.ts fails
// while an op is in both). PyTorch op name -> policy on each device type; names are ATen's.
const CPU: Record<string, Policy> = {};
const CUDA: Record<string, Policy> = {};
const put = (t: Record<string, Policy>, p: Policy, names: string): void => { for (const n of names.split(/\s+/)) if (n) t[n] = p; };
// CPU (AutocastCPU, PyTorch 1.13). einsum is not listed there but decomposes into bmm, so it ends in the low dtype.
put(CPU, 'lower', 'einsum');
put(CPU, 'fp32', 'cross_entropy_loss reflection_pad replication_pad');
put(CPU, 'plain', 'lstm gru');
// CUDA (AutocastCUDA, PyTorch 1.13)
put(CUDA, 'lower', 'einsum');
put(CUDA, 'fp32', 'cross_entropy_loss');
put(CUDA, 'lowerInputs', 'lstm gru rnn');
const HAND_WRITTEN: Record<AutocastDevice, Readonly<Record<string, Policy>>> = { cpu: CPU, cuda: CUDA };

// what autocastListed reads: the schema's entries, then the hand-written ones (disjoint; the test checks it)
const table = (...parts: Readonly<Record<string, Policy>>[]): Readonly<Record<string, Policy>> => Object.assign(Object.create(null) as Record<string, Policy>, ...parts);
const TABLES: Record<AutocastDevice, Readonly<Record<string, Policy>>> = {
  cpu: table(SCHEMA_AUTOCAST.cpu, CPU),
  cuda: table(SCHEMA_AUTOCAST.cuda, CUDA),
};

/** The autocast policy of an op on a device type (null: not listed), for tests and introspection. The op is named
 *  as ATen names it (`log_softmax`); an nn.functional form may be named as the schema does (`F.softplus`). */
export function autocastPolicy(op: string, deviceType: AutocastDevice): Policy | null {
  const name = op.startsWith('F.') ? op.slice(2) : op;
  return TABLES[deviceType][name] ?? null;
}

/** Where each listed op's policy comes from: the schema's autocast= column, or the hand-written table here (ops
 *  without a schema row). For the tests. */
export function autocastSources(): Record<AutocastDevice, { schema: string[]; handWritten: string[] }> {
  const of = (d: AutocastDevice): { schema: string[]; handWritten: string[] } => ({ schema: Object.keys(SCHEMA_AUTOCAST[d]), handWritten: Object.keys(HAND_WRITTEN[d]) });
  return { cpu: of('cpu'), cuda: of('cuda') };
}

// The cast itself is lib/ops/elementwise.ts's differentiable toDtype, injected there (no import cycle).
export const acHooks: { cast: ((t: Tensor, dt: DType) => Tensor) | null } = { cast: null };

const eligible = (t: Tensor, dev: AutocastDevice): boolean =>
  t.device.type === dev && isFloating(t.dtype) && t.dtype !== 'float64' && !t.isDisposed;

function castTensor(t: Tensor, dt: DType, dev: AutocastDevice, lower: boolean): Tensor {
  if (!eligible(t, dev) || t.dtype === dt) return t;
  const cast = acHooks.cast as (t: Tensor, dt: DType) => Tensor;
  if (lower && acState.cacheEnabled && t.dtype === 'float32' && t._rg && t.gradFn === null && t._base === null) {
    const e = acState.cache.get(t);
    // reusable unless the weight changed in place, tidy freed the cast, or it was made under noGrad (no gradient
    // edge) and is now wanted for a graph
    if (e && e.st === t._st && e.ver === t._version && !e.out.isDisposed && e.out.dtype === dt && (e.out.gradFn !== null || !gradState.enabled)) return e.out;
    const out = cast(t, dt);
    acState.cache.set(t, { out, st: t._st, ver: t._version });
    return out;
  }
  return cast(t, dt);
}

const isPlain = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;

// Applies f to every tensor among the arguments: top level, in arrays (cat/stack) and in options objects.
function mapTensors(args: ArrayLike<unknown>, f: (t: Tensor) => Tensor): unknown[] {
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tensor) out[i] = f(a);
    else if (Array.isArray(a)) out[i] = a.some((x) => x instanceof Tensor) ? a.map((x) => (x instanceof Tensor ? f(x) : x)) : a;
    else if (isPlain(a) && Object.values(a).some((x) => x instanceof Tensor)) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(a)) o[k] = v instanceof Tensor ? f(v) : v;
      out[i] = o;
    } else out[i] = a;
  }
  return out;
}

function firstTensor(args: ArrayLike<unknown>): Tensor | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tensor) return a;
    if (Array.isArray(a)) for (const x of a) if (x instanceof Tensor) return x;
  }
  return null;
}

// fp32_set_opt_dtype: an explicit dtype argument (positional string or { dtype }) turns the cast off
function hasDtypeArg(args: ArrayLike<unknown>): boolean {
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string' && ['float', 'double', 'half', 'float16', 'float32', 'float64', 'bfloat16'].includes(a.replace(/^torch\./, ''))) return true;
    if (isPlain(a) && a.dtype !== undefined && a.dtype !== null) return true;
  }
  return false;
}

const BANNED = 'torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n' +
  'Many models use a sigmoid layer right before the binary cross entropy layer.\n' +
  'In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n' +
  'or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n' +
  'safe to autocast.';

function policyOf(op: string, args: ArrayLike<unknown>): [Policy, AutocastDevice] | null {
  const t0 = firstTensor(args);
  if (t0 === null) return null;
  const dev: AutocastDevice = t0.device.type === 'cuda' ? 'cuda' : 'cpu';
  if (!acState[dev].enabled) return null;
  const p = TABLES[dev][op];
  return p === undefined ? null : [p, dev];
}

/** Whether op, called with args, is listed for autocast on its device now (the guard of every hooked op). */
export function autocastListed(op: string, args: ArrayLike<unknown>): boolean {
  if (reenter === op) { reenter = null; return false; } // a lowerInputs op calling its own body
  return acState.on && policyOf(op, args) !== null;
}
let reenter: string | null = null;

/**
 * The hook of a listed op, called when autocastListed(op, args): casts the arguments by the op's policy on the
 * device of its first tensor argument, then runs fn (the op itself) with autocast suspended.
 */
export function autocastCall<R>(op: string, fn: (...a: never) => R, args: ArrayLike<unknown>, self?: unknown): R {
  const pd = policyOf(op, args);
  if (pd === null) throw new TorchError(`internal: autocastCall(${op}) without an autocast policy`);
  const [policy, d] = pd;
  const low = acState[d].dtype;
  let cargs: unknown[];
  switch (policy) {
    case 'lower': cargs = mapTensors(args, (t) => castTensor(t, low, d, true)); break;
    case 'fp32': cargs = mapTensors(args, (t) => castTensor(t, 'float32', d, false)); break;
    case 'fp32opt': {
      cargs = Array.prototype.slice.call(args);
      if (!hasDtypeArg(args) && args[0] instanceof Tensor && eligible(args[0], d)) cargs[0] = castTensor(args[0], 'float32', d, false);
      break;
    }
    case 'promote': {
      let wide: DType = low;
      mapTensors(args, (t) => { if (eligible(t, d) && t.dtype !== low) wide = 'float32'; return t; });
      cargs = mapTensors(args, (t) => castTensor(t, wide, d, false));
      break;
    }
    case 'lowerInputs': {
      cargs = mapTensors(args, (t) => castTensor(t, low, d, false));
      reenter = op;
      try { return (fn as (...a: unknown[]) => R).apply(self, cargs); } finally { reenter = null; }
    }
    case 'banned': throw new TorchError(BANNED);
    default: cargs = Array.prototype.slice.call(args);
  }
  acState.suspended++;
  acState.on = false;
  try { return (fn as (...a: unknown[]) => R).apply(self, cargs); } finally { acState.suspended--; refreshOn(); }
}

// ------------------------------------------------------------------------------------------------------------
// the public API: torch.autocast(deviceType, [opts], [fn]) and torch.isAutocastEnabled
// ------------------------------------------------------------------------------------------------------------
export interface AutocastOptions { dtype?: DType; enabled?: boolean; cacheEnabled?: boolean }
export type AutocastGuard = { [Symbol.dispose](): void; dispose(): void };

let cudaAvail: boolean | undefined;
function cudaAvailable(): boolean {
  if (cudaAvail === undefined) {
    cudaAvail = false;
    if (native.info().cudaBuilt) { try { cudaAvail = (native.cuda('count') as number) > 0; } catch { cudaAvail = false; } }
  }
  return cudaAvail;
}

function warn(msg: string): void { process.emitWarning(msg, 'UserWarning'); }

function checkDevice(deviceType: unknown, op: string): AutocastDevice {
  if (typeof deviceType !== 'string') throw new TypeError(`${op}(): argument 'device_type' must be str, not ${deviceType === null ? 'null' : typeof deviceType}`);
  if (deviceType !== 'cpu' && deviceType !== 'cuda') throw new TorchError(`User specified autocast device_type must be 'cuda' or 'cpu', but got '${deviceType}'`);
  return deviceType;
}

// enter: what __enter__ of torch.autocast does; returns the exit function
function enter(dev: AutocastDevice, opts: AutocastOptions): () => void {
  checkKeys('autocast', opts, ['dtype', 'enabled', 'cacheEnabled']);
  const st = acState[dev];
  let enabled = opts.enabled === undefined ? true : opts.enabled;
  if (typeof enabled !== 'boolean') throw new TypeError(`autocast(): 'enabled' must be a boolean, not ${typeof enabled}`);
  const cacheEnabled = opts.cacheEnabled === undefined ? acState.cacheEnabled : opts.cacheEnabled;
  if (typeof cacheEnabled !== 'boolean') throw new TypeError(`autocast(): 'cacheEnabled' must be a boolean, not ${typeof cacheEnabled}`);
  let dtype: DType = st.dtype;
  if (opts.dtype !== undefined && opts.dtype !== null) dtype = toDType(opts.dtype, 'autocast(): dtype');
  if (dev === 'cpu' && enabled && dtype !== 'bfloat16') {
    warn('In CPU autocast, but the target dtype is not supported. Disabling autocast.\nCPU Autocast only supports dtype of torch.bfloat16 currently.');
    enabled = false;
    dtype = st.dtype;
  }
  if (dev === 'cuda') {
    if (enabled && !cudaAvailable()) {
      warn("User provided device_type of 'cuda', but CUDA is not available. Disabling");
      enabled = false;
    }
    if (enabled && dtype !== 'float16' && dtype !== 'bfloat16') {
      throw new TorchError(`In CUDA autocast, the target dtype must be float16 or bfloat16, got ${dtype}`);
    }
  }
  const prev = { enabled: st.enabled, dtype: st.dtype, cache: acState.cacheEnabled };
  st.enabled = enabled;
  st.dtype = dtype;
  acState.cacheEnabled = cacheEnabled;
  acState.nesting++;
  refreshOn();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--acState.nesting <= 0) { acState.nesting = 0; acState.cache.clear(); }
    st.enabled = prev.enabled;
    st.dtype = prev.dtype;
    acState.cacheEnabled = prev.cache;
    refreshOn();
  };
}

function scoped<R>(exit: () => void, fn: () => R): R {
  let r: R;
  try { r = fn(); } catch (e) { exit(); throw e; }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
    // an async fn: the mode holds until its promise settles (as tidy and noGrad)
    return (r as unknown as Promise<unknown>).finally(exit) as unknown as R;
  }
  exit();
  return r;
}

function autocastImpl(deviceType: unknown, a: unknown, b: unknown, op: string): unknown {
  const dev = checkDevice(deviceType, op);
  const fn = typeof a === 'function' ? a : b;
  const opts = typeof a === 'function' || a === undefined || a === null ? {} : a;
  if (typeof opts !== 'object') throw new TypeError(`${op}(): options must be an object, not ${typeof opts}`);
  if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`${op}(): fn must be a function`);
  if (typeof a === 'function' && b !== undefined) throw new TypeError(`${op}(): unexpected argument after fn`);
  const exit = enter(dev, opts as AutocastOptions);
  if (fn === undefined) { const g: AutocastGuard = { dispose: exit, [Symbol.dispose]: exit }; return g; }
  return scoped(exit, fn as () => unknown);
}

/**
 * torch.autocast(deviceType, fn), torch.autocast(deviceType, { dtype, enabled, cacheEnabled }, fn): runs fn (sync or
 * async) with autocast on for that device type; without fn, returns a guard for `using` (or call dispose()).
 */
export function autocast(deviceType: AutocastDevice, opts?: AutocastOptions): AutocastGuard;
export function autocast<R>(deviceType: AutocastDevice, fn: () => R): R;
export function autocast<R>(deviceType: AutocastDevice, opts: AutocastOptions, fn: () => R): R;
export function autocast(deviceType: AutocastDevice, a?: unknown, b?: unknown): unknown { return autocastImpl(deviceType, a, b, 'autocast'); }

/** torch.cuda.amp.autocast / torch.cpu.amp.autocast: autocast with the device type fixed. */
export interface DeviceAutocast {
  (opts?: AutocastOptions): AutocastGuard;
  <R>(fn: () => R): R;
  <R>(opts: AutocastOptions, fn: () => R): R;
}
export function deviceAutocast(dev: AutocastDevice): DeviceAutocast {
  return ((a?: unknown, b?: unknown): unknown => autocastImpl(dev, a, b, `${dev}.amp.autocast`)) as DeviceAutocast;
}

/** torch.isAutocastEnabled(deviceType = 'cuda'), as PyTorch's is_autocast_enabled (CUDA without an argument). */
export function isAutocastEnabled(deviceType: AutocastDevice = 'cuda'): boolean {
  return acState[checkDevice(deviceType, 'isAutocastEnabled')].enabled;
}
/** torch.getAutocastDtype(deviceType): the dtype autocast casts to on that device type. */
export function getAutocastDtype(deviceType: AutocastDevice): DType {
  return acState[checkDevice(deviceType, 'getAutocastDtype')].dtype;
}
/** torch.clearAutocastCache(): drops the cached weight casts (PyTorch's clear_autocast_cache). */
export function clearAutocastCache(): void { acState.cache.clear(); }
