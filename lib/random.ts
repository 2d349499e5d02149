// random.ts - torch.random / torch.get_rng_state / set_rng_state / torch.random.fork_rng: saving and restoring the
// default generators' states. A state is a uint8 tensor (PyTorch's ByteTensor) holding nodetorch's (seed, offset)
// Philox counter state (Generator.getState), not PyTorch's Mersenne-Twister bytes.
import type { Tensor } from './tensor';
import { TorchError } from './errors';
import { defaultGenerator, cudaGeneratorFor, cudaGeneratorCount, manualSeed, seed, initialSeed } from './ops/creation';

/** torch.get_rng_state: the CPU default generator's state, a uint8 tensor. */
export function getRngState(): Tensor { return defaultGenerator.getState(); }
/** torch.set_rng_state: restores the CPU default generator from getRngState(); the draws that follow repeat. */
export function setRngState(state: Tensor): void {
  if (state === null || typeof state !== 'object') throw new TorchError(`set_rng_state: expected a torch.uint8 tensor, got ${String(state)}`);
  defaultGenerator.setState(state);
}

export interface ForkRngOptions {
  /** CUDA device indices whose generators are saved and restored too (default: every device used so far) */
  devices?: number[];
  /** false: run fn without forking (torch.random.fork_rng(enabled=False)) */
  enabled?: boolean;
}

/** torch.random.fork_rng as a function scope: runs fn, then restores the CPU generator's state and the CUDA devices'
 *  (also when fn throws, and after an async fn settles). Returns fn's result. */
export function forkRng<R>(fn: () => R, opts: ForkRngOptions = {}): R {
  if (typeof fn !== 'function') throw new TorchError('forkRng(fn, { devices, enabled }): fn must be a function');
  if (opts.enabled === false) return fn();
  const devices = opts.devices ?? Array.from({ length: cudaGeneratorCount() }, (_, i) => i);
  const cpu = defaultGenerator.getState();
  const cuda = devices.map((d) => [d, cudaGeneratorFor(d).getState()] as const);
  const restore = (): void => {
    defaultGenerator.setState(cpu);
    for (const [d, st] of cuda) cudaGeneratorFor(d).setState(st);
  };
  let r: R;
  try { r = fn(); } catch (e) { restore(); throw e; }
  if (r && typeof (r as unknown as Promise<unknown>).then === 'function') {
    return (r as unknown as Promise<unknown>).then((v) => { restore(); return v; }, (e) => { restore(); throw e; }) as unknown as R;
  }
  restore();
  return r;
}

/** torch.random: the generator functions under their PyTorch module. */
export const random = { manualSeed, seed, initialSeed, getRngState, setRngState, forkRng, defaultGenerator };
