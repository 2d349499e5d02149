// mode.ts - grad mode: noGrad / enableGrad / inferenceMode, as functions and as `using` guards.
export const gradState = { enabled: true, inference: false };

export function isGradEnabled(): boolean { return gradState.enabled; }
export function isInferenceModeEnabled(): boolean { return gradState.inference; }

type Guard = { [Symbol.dispose](): void; dispose(): void };

function withMode<R>(enabled: boolean, inference: boolean | null, fn?: () => R): R | Guard {
  const prev = { enabled: gradState.enabled, inference: gradState.inference };
  gradState.enabled = enabled;
  if (inference !== null) gradState.inference = inference;
  const restore = (): void => { gradState.enabled = prev.enabled; gradState.inference = prev.inference; };
  if (fn === undefined) {
    const g = { dispose: restore, [Symbol.dispose]: restore };
    return g;
  }
  let r: R;
  try {
    r = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
    // async fn: the mode holds until the promise settles (not across unrelated concurrent work)
    return (r as unknown as Promise<unknown>).finally(restore) as unknown as R;
  }
  restore();
  return r;
}

export function noGrad(): Guard;
export function noGrad<R>(fn: () => R): R;
export function noGrad<R>(fn?: () => R): R | Guard { return withMode(false, null, fn); }
export function enableGrad(): Guard;
export function enableGrad<R>(fn: () => R): R;
export function enableGrad<R>(fn?: () => R): R | Guard { return withMode(true, null, fn); }
export function inferenceMode(): Guard;
export function inferenceMode<R>(fn: () => R): R;
export function inferenceMode<R>(fn?: () => R): R | Guard {
  return withMode(false, true, fn);
}
export function setGradEnabled(mode: boolean): void { gradState.enabled = !!mode; }
