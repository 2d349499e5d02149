// state.ts - the autocast state read on every listed op's entry (kept import-free so that the autograd engine and
// the op files can read it without an import cycle). lib/amp/autocast.ts owns the logic; see there.
import type { DType } from '../dtype';
import type { Tensor } from '../tensor';

export type AutocastDevice = 'cpu' | 'cuda';
/** An op's autocast category (lib/amp/autocast.ts says what each does). */
export type AutocastPolicy = 'lower' | 'lowerInputs' | 'fp32' | 'fp32opt' | 'promote' | 'plain' | 'banned';

export interface CacheEntry { out: Tensor; st: unknown; ver: number }

export const acState = {
  // true when autocast is enabled for some device type and not suspended: the one check a listed op makes
  on: false,
  cpu: { enabled: false, dtype: 'bfloat16' as DType },
  cuda: { enabled: false, dtype: 'float16' as DType },
  cacheEnabled: true,
  nesting: 0,
  // > 0 inside a listed op's body and during backward: its sub-ops are not cast again (PyTorch excludes the
  // Autocast dispatch key there)
  suspended: 0,
  // lower-precision casts of float32 leaves that require grad (model weights), reused within one outermost scope
  cache: new Map<Tensor, CacheEntry>(),
};

export function refreshOn(): void {
  acState.on = acState.suspended === 0 && (acState.cpu.enabled || acState.cuda.enabled);
}

// Runs fn with autocast suspended (sub-ops of a listed op, backward passes).
export function suspended<R>(fn: () => R): R {
  if (!acState.on && acState.suspended === 0) return fn();
  acState.suspended++;
  acState.on = false;
  try { return fn(); } finally { acState.suspended--; refreshOn(); }
}
