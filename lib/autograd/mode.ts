// mode.ts - grad mode: noGrad / enableGrad / inferenceMode, as functions and as `using` guards.
// An async function given to them (`torch.noGrad(async () => { ... })`) runs in its own asynchronous context
// (AsyncLocalStorage): the mode holds across its awaits and ends with it, while code running concurrently keeps its
// own mode. The context is made only for async functions, so synchronous calls cost nothing extra.
import { AsyncLocalStorage } from 'async_hooks';

interface ModeState { enabled: boolean; inference: boolean }
const base: ModeState = { enabled: true, inference: false };
let als: AsyncLocalStorage<ModeState> | null = null;
const current = (): ModeState => (als === null ? base : als.getStore() ?? base);

// read on every op: the state of the async context running now (the process-wide one outside any async noGrad)
export const gradState = {
  get enabled(): boolean { return current().enabled; },
  set enabled(v: boolean) { current().enabled = v; },
  get inference(): boolean { return current().inference; },
  set inference(v: boolean) { current().inference = v; },
};

export function isGradEnabled(): boolean { return gradState.enabled; }
export function isInferenceModeEnabled(): boolean { return gradState.inference; }

type Guard = { [Symbol.dispose](): void; dispose(): void };

const isAsyncFunction = (fn: unknown): boolean => typeof fn === 'function' && (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncFunction';

function withMode<R>(enabled: boolean, inference: boolean | null, fn?: () => R): R | Guard {
  if (fn !== undefined && isAsyncFunction(fn)) {
    const cur = current();
    const store: ModeState = { enabled, inference: inference ?? cur.inference };
    return (als ??= new AsyncLocalStorage<ModeState>()).run(store, fn);
  }
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
    // a plain function that returned a promise: the mode holds until the promise settles (write it `async` to have it
    // scoped to its own asynchronous context instead)
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
