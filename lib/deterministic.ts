// deterministic.ts - torch.use_deterministic_algorithms / are_deterministic_algorithms_enabled /
// is_deterministic_algorithms_warn_only_enabled.
// nodetorch's CPU kernels are deterministic: each output element of index_add / scatter_add / put(accumulate) is
// summed by one thread in index order, reductions split work at fixed boundaries, and matmul/conv use fixed blockings
// (test/misc.test.ts repeats such ops under several thread counts and compares bits). The CUDA kernels that are not are
// the float atomics of cuda/index.cu: scatter with reduce add/multiply (scatter_add_, scatter_reduce, and gather's
// backward), index_add (also the backward of index_select, take, embedding, masked_select and advanced indexing),
// and put/index_put_ with accumulate (also as_strided's backward). With the mode on, those raise PyTorch's
// "... does not have a deterministic implementation" error (or warn, with warnOnly) when they run on a CUDA tensor of
// a floating dtype; integer atomics commute exactly and are allowed.
import { determinismHook, Operand } from './tensor';
import { TorchError } from './errors';
import { OP } from './ops/ids';
import { isFloating } from './dtype';

const state = { enabled: false, warnOnly: false };
const warnedOps = new Set<string>();

const THROW_TAIL = " does not have a deterministic implementation, but you set 'torch.use_deterministic_algorithms(True)'. You can turn off " +
  "determinism just for this operation, or you can use the 'warn_only=True' option, if that's acceptable for your application. " +
  'You can also file an issue at https://github.com/pytorch/pytorch/issues to help us prioritize adding deterministic support for this operation.';
const WARN_TAIL = " does not have a deterministic implementation, but you set 'torch.use_deterministic_algorithms(True, warn_only=True)'. " +
  'You can file an issue at https://github.com/pytorch/pytorch/issues to help us prioritize adding deterministic support for this operation.';

/** PyTorch's alertNotDeterministic: throws, or warns (once per op) with warnOnly */
export function alertNotDeterministic(caller: string): void {
  if (!state.enabled) return;
  if (state.warnOnly) {
    if (!warnedOps.has(caller)) { warnedOps.add(caller); process.emitWarning(caller + WARN_TAIL, 'UserWarning'); }
    return;
  }
  throw new TorchError(caller + THROW_TAIL);
}

// which kernel launch is non-deterministic, and the name PyTorch's alert gives it
function nondeterministicName(op: number, ts: readonly Operand[], attrs: readonly number[], opName: string): string | null {
  const dst = ts[0];
  if (dst._st.device.type !== 'cuda' || !isFloating(dst.dtype)) return null;
  if (op === OP.index_add) return 'index_add_cuda_';
  if (op === OP.scatter) {
    const mode = attrs[1];
    if (mode === 1) return 'scatter_add_cuda_kernel';
    if (mode === 2) return 'scatter_reduce_cuda_kernel';
    return null;
  }
  if (op === OP.put && attrs[0] === 1) return opName === 'put_' ? 'put_' : `${opName || 'index_put_'} with accumulate=True`;
  return null;
}

function check(op: number, ts: readonly Operand[], attrs: readonly number[], opName: string): void {
  const name = nondeterministicName(op, ts, attrs, opName);
  if (name !== null) alertNotDeterministic(name);
}

/** torch.use_deterministic_algorithms(mode, { warnOnly }): with mode on, the operations whose CUDA kernels are
 *  non-deterministic throw (or warn, with warnOnly). */
export function useDeterministicAlgorithms(mode: boolean, opts: { warnOnly?: boolean } = {}): void {
  if (typeof mode !== 'boolean') throw new TypeError(`use_deterministic_algorithms expects a bool, but got ${typeof mode}`);
  state.enabled = mode;
  state.warnOnly = !!opts.warnOnly;
  determinismHook.check = mode ? check : null;
}
export function areDeterministicAlgorithmsEnabled(): boolean { return state.enabled; }
export function isDeterministicAlgorithmsWarnOnlyEnabled(): boolean { return state.warnOnly; }
