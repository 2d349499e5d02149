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

/** Appended where an int64 tensor reaches an op that needs floats: JavaScript numbers such as 1.0 are integers. */
export function intFromNumbersHint(dtype: string): string {
  return dtype === 'int64' ? ". Note: torch.tensor([1.0, 2.0]) is int64, because 1.0 === 1 in JavaScript; pass { dtype: 'float32' } (torch.tensor(data, { dtype: 'float32' })) or call .float()" : '';
}
