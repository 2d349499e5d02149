// errors.ts - TorchError: every misuse of the library throws one, worded as PyTorch words it.
export class TorchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'TorchError';
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

// An options object's keys must be among `allowed`: an unknown one (a misspelling, Python's snake_case) is a
// TypeError naming the op, as Python's "unexpected keyword argument", rather than being ignored.
export function checkKeys(op: string, o: unknown, allowed: readonly string[]): void {
  if (o === null || typeof o !== 'object') return;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`${op}(): unexpected option '${k}' (expected ${allowed.join(', ') || 'none'})`);
  }
}

export function check(cond: unknown, msg: string | (() => string)): asserts cond {
  if (!cond) throw new TorchError(typeof msg === 'function' ? msg() : msg);
}
