// anomaly.ts - torch.autograd.detect_anomaly / set_detect_anomaly / torch.is_anomaly_enabled.
// While on, every graph node records the stack of the forward call that made it (Node.trace), and the engine
// (engine.ts) checks each backward function's outputs for NaN, raising PyTorch's "Function 'XBackward0' returned nan
// values in its 0th output." with that stack appended, as PyTorch prints the forward traceback. Off (the default),
// the cost is one boolean test per node created and per node run.
import { TorchError } from '../errors';

export const anomalyState = { enabled: false, checkNan: true };

const WARNING = 'Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.';
let warned = false;

/** the stack of the caller that is creating a graph node, without nodetorch's own frames where it can tell them */
export function forwardTrace(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const user = lines.filter((l) => !/[\\/]lib[\\/](autograd|ops|tensor|nn[\\/]functional)|[\\/]dist[\\/]/.test(l));
  return (user.length ? user : lines).map((l) => l.replace(/^\s+/, '  ')).join('\n');
}

/** the text appended to an error raised in backward while anomaly mode is on */
export function traceNote(nodeName: string, trace: string | undefined): string {
  return trace ? `\n\nError detected in ${nodeName}. Traceback of forward call that caused the error:\n${trace}` : '';
}

/** PyTorch's message for a backward function whose output `i` holds NaN */
export function nanError(nodeName: string, i: number, trace: string | undefined): TorchError {
  return new TorchError(`Function '${nodeName}' returned nan values in its ${i}th output.${traceNote(nodeName, trace)}`);
}

type Guard = { [Symbol.dispose](): void; dispose(): void };

/** torch.autograd.set_detect_anomaly(mode, check_nan=True): turns anomaly mode on or off for the process. */
export function setDetectAnomaly(mode: boolean, opts: { checkNan?: boolean } = {}): Guard {
  const prev = { ...anomalyState };
  anomalyState.enabled = !!mode;
  anomalyState.checkNan = opts.checkNan ?? true;
  const restore = (): void => { anomalyState.enabled = prev.enabled; anomalyState.checkNan = prev.checkNan; };
  return { dispose: restore, [Symbol.dispose]: restore };
}

/** torch.autograd.detect_anomaly(check_nan=True): runs fn (forward and backward) in anomaly mode, restoring the
 *  previous mode after (also after an async fn settles); without fn, a guard for `using`. Warns once, as PyTorch. */
export function detectAnomaly<R>(fn: () => R, opts?: { checkNan?: boolean }): R;
export function detectAnomaly(opts?: { checkNan?: boolean }): Guard;
export function detectAnomaly<R>(a?: (() => R) | { checkNan?: boolean }, b?: { checkNan?: boolean }): R | Guard {
  const fn = typeof a === 'function' ? a : undefined;
  const opts = (typeof a === 'function' ? b : a) ?? {};
  if (!warned) { warned = true; process.emitWarning(WARNING, 'UserWarning'); }
  const guard = setDetectAnomaly(true, opts);
  if (!fn) return guard;
  let r: R;
  try { r = fn(); } catch (e) { guard.dispose(); throw e; }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
    return (r as unknown as Promise<unknown>).then((v) => { guard.dispose(); return v; }, (e) => { guard.dispose(); throw e; }) as unknown as R;
  }
  guard.dispose();
  return r;
}

/** torch.is_anomaly_enabled() */
export function isAnomalyEnabled(): boolean { return anomalyState.enabled; }
/** torch.is_anomaly_check_nan_enabled() (PyTorch 2.x) */
export function isAnomalyCheckNanEnabled(): boolean { return anomalyState.checkNan; }
