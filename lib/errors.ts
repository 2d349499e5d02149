// errors.ts - TorchError: every misuse of the library throws one, worded as PyTorch words it.
export class TorchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'TorchError';
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

export function check(cond: unknown, msg: string | (() => string)): asserts cond {
  if (!cond) throw new TorchError(typeof msg === 'function' ? msg() : msg);
}
