// checkpoint.ts - torch.utils.checkpoint: checkpoint(fn, ...args, { useReentrant, preserveRngState }) and
// checkpointSequential(functions, segments, input). The forward runs under noGrad and its intermediates are freed
// at once (disposed, as torch.tidy does); one graph node holds only the inputs. Its backward restores the RNG state
// the forward saw (so dropout draws the same masks), recomputes fn with grad enabled and backpropagates through
// the recomputation: inputs get their gradients through the node, parameters used inside fn accumulate theirs
// directly (as PyTorch's reentrant variant does).
import { Tensor, enterScope, exitScope, keptByLibrary } from '../tensor';
import { TorchError } from '../errors';
import { record } from '../autograd/engine';
import type { Node } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import * as A from '../autograd/api';
import { defaultGenerator, cudaGeneratorFor } from '../ops/creation';
import { cat } from '../ops/shape';

export interface CheckpointOptions {
  /** PyTorch's use_reentrant. 1.13 defaults to true; 2.x asks for it explicitly. Both run the same recomputation
   *  here; false also finds parameters used inside fn when no input requires grad (the non-reentrant behaviour). */
  useReentrant?: boolean;
  /** restore the CPU and CUDA generator states before recomputing (default true): dropout masks match */
  preserveRngState?: boolean;
}
const OPT_KEYS = ['useReentrant', 'preserveRngState'];
const isOpts = (x: unknown): x is CheckpointOptions =>
  x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype &&
  Object.keys(x as object).length > 0 && Object.keys(x as object).every((k) => OPT_KEYS.includes(k));

type Out = Tensor | Tensor[];

function withGrad<R>(on: boolean, fn: () => R): R {
  const prev = gradState.enabled;
  gradState.enabled = on;
  try { return fn(); } finally { gradState.enabled = prev; }
}

// runs fn under noGrad and disposes the tensors it made but does not return (its intermediates)
function forwardNoGrad(fn: () => unknown): unknown {
  const scope = enterScope();
  let r: unknown;
  try { r = withGrad(false, fn); } finally { exitScope(scope); }
  const outs = new Set<Tensor>(Array.isArray(r) ? (r as unknown[]).filter((t): t is Tensor => t instanceof Tensor) : r instanceof Tensor ? [r] : []);
  for (const t of scope) {
    if (outs.has(t) || keptByLibrary.has(t) || t._isParam || (t.isLeaf && t.requiresGrad)) continue;
    t.dispose();
  }
  return r;
}

function outputsOf(op: string, r: unknown): Tensor[] {
  const list = Array.isArray(r) ? r : [r];
  if (list.length === 0 || !list.every((t) => t instanceof Tensor)) {
    throw new TorchError(`${op}: the function must return a Tensor or an array of Tensors, got ${Array.isArray(r) ? 'an array with non-Tensor items' : typeof r}`);
  }
  const ts = list as Tensor[];
  if (ts.length > 1 && ts.some((t) => t.dtype !== ts[0].dtype || String(t.device) !== String(ts[0].device))) {
    throw new TorchError(`${op}: several outputs must share one dtype and device here, got ${ts.map((t) => `${t.dtype} on ${t.device}`).join(', ')}`);
  }
  return ts;
}
// several outputs travel as one flat tensor (one graph node), handed back as views of it
const pack = (ts: Tensor[]): Tensor => (ts.length === 1 ? ts[0] : cat(ts.map((t) => t.reshape(-1)), 0));

// the leaves a grad-enabled run of fn reaches (parameters used inside it), for useReentrant: false
function leavesOf(outs: Tensor[]): Tensor[] {
  const leaves = new Set<Tensor>();
  const seen = new Set<Node>();
  const stack: Node[] = outs.map((t) => t.gradFn).filter((n): n is Node => !!n);
  for (const t of outs) if (!t.gradFn && t.requiresGrad) leaves.add(t);
  while (stack.length) {
    const n = stack.pop() as Node;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const e of n.next) if (e) { if ('node' in e) stack.push(e.node); else leaves.add(e.leaf); }
  }
  return [...leaves];
}

/** torch.utils.checkpoint.checkpoint(fn, ...args, { useReentrant, preserveRngState }): fn(...args) without keeping
 *  its intermediates; the backward recomputes them. Returns what fn returns (a Tensor or an array of Tensors). */
export function checkpoint<R extends Out>(userFn: (...args: never[]) => R, ...argsAndOpts: unknown[]): R {
  // (never[]: any function's parameters accept it, so fn may declare its own argument types)
  const fn = userFn as unknown as (...args: unknown[]) => R;
  if (typeof fn !== 'function') throw new TorchError(`checkpoint: expected a function first, got ${typeof fn}`);
  const last = argsAndOpts[argsAndOpts.length - 1];
  const opts: CheckpointOptions = isOpts(last) ? last : {};
  const args = isOpts(last) ? argsAndOpts.slice(0, -1) : argsAndOpts;
  const preserve = opts.preserveRngState !== false;
  const tensorArgs = args.map((a) => (a instanceof Tensor ? a : null));
  const cudaDevs = [...new Set(tensorArgs.filter((t): t is Tensor => !!t && t.device.type === 'cuda').map((t) => t.device.index ?? 0))];
  const cpuState = preserve ? defaultGenerator.getState() : null;
  const cudaStates = preserve ? cudaDevs.map((d) => [d, cudaGeneratorFor(d).getState()] as const) : [];

  if (!gradState.enabled) return fn(...args); // nothing to recompute for

  let extraLeaves: Tensor[] = [];
  const anyInputGrad = tensorArgs.some((t) => t && t.requiresGrad);
  if (!anyInputGrad && opts.useReentrant === false) {
    // find the parameters fn uses with one grad-enabled run (its graph is dropped right after), then rewind the RNG
    const scope = enterScope();
    try {
      const probe = outputsOf('checkpoint', fn(...args));
      extraLeaves = leavesOf(probe);
    } finally { exitScope(scope); }
    for (const t of scope) if (!keptByLibrary.has(t) && !t._isParam && !(t.isLeaf && t.requiresGrad)) t.dispose();
    if (cpuState) defaultGenerator.setState(cpuState);
    for (const [d, st] of cudaStates) cudaGeneratorFor(d).setState(st);
  }
  const r = forwardNoGrad(() => fn(...args));
  const outs = outputsOf('checkpoint', r);
  if (!anyInputGrad && extraLeaves.length === 0) {
    if (opts.useReentrant !== false) process.emitWarning('None of the inputs have requires_grad=True. Gradients will be None', 'UserWarning');
    return r as R;
  }
  const packed = withGrad(false, () => pack(outs));
  const inputs: (Tensor | null)[] = [...tensorArgs, ...extraLeaves];
  const res = packed.detach();
  record('CheckpointFunctionBackward', inputs, res, (g) => {
    const recompute = (): Tensor[] => {
      const detached = args.map((a) => (a instanceof Tensor ? (a.isFloatingPoint() ? a.detach().requiresGrad_(a.requiresGrad) : a.detach()) : a));
      const outs2 = withGrad(true, () => {
        const o = outputsOf('checkpoint', fn(...detached));
        return [pack(o)];
      });
      const dt = detached.map((a) => (a instanceof Tensor ? a : null));
      if (outs2[0].requiresGrad) A.backward(outs2[0], g);
      return dt.map((t, i) => (t && tensorArgs[i] && tensorArgs[i]?.requiresGrad ? t.grad : null)) as Tensor[];
    };
    let grads: Tensor[];
    if (preserve) {
      const curCpu = defaultGenerator.getState();
      const curCuda = cudaDevs.map((d) => [d, cudaGeneratorFor(d).getState()] as const);
      defaultGenerator.setState(cpuState as Tensor);
      for (const [d, st] of cudaStates) cudaGeneratorFor(d).setState(st);
      try { grads = recompute(); } finally {
        defaultGenerator.setState(curCpu);
        for (const [d, st] of curCuda) cudaGeneratorFor(d).setState(st);
      }
    } else grads = recompute();
    return [...grads, ...extraLeaves.map(() => null)];
  });
  if (res.gradFn) res.gradFn.userCode = true;
  if (outs.length === 1) return res as R;
  const views: Tensor[] = [];
  let off = 0;
  for (const o of outs) { const n = o.numel(); views.push(res.narrow(0, off, n).view(o.shape as number[])); off += n; }
  return views as R;
}

type Stage = ((x: Tensor) => Tensor) | { call(x: Tensor): Tensor };
const runStage = (f: Stage, x: Tensor): Tensor => (typeof f === 'function' ? f(x) : f.call(x));

/** torch.utils.checkpoint.checkpoint_sequential(functions, segments, input): runs the stages (an array of functions
 *  or modules, or an nn.Sequential) in `segments` chunks, each chunk but the last checkpointed. */
export function checkpointSequential(functions: Stage[] | { children(): unknown[] }, segments: number, input: Tensor, opts: CheckpointOptions = {}): Tensor {
  const stages: Stage[] = Array.isArray(functions) ? functions : (functions.children() as Stage[]);
  if (!Number.isInteger(segments) || segments < 1) throw new TorchError(`checkpoint_sequential: segments must be a positive integer, got ${segments}`);
  if (!(input instanceof Tensor)) throw new TorchError('checkpoint_sequential: input must be a Tensor');
  const size = Math.floor(stages.length / segments);
  if (size < 1) throw new TorchError(`checkpoint_sequential: ${segments} segments for ${stages.length} functions`);
  const runRange = (start: number, end: number) => (x: Tensor): Tensor => { for (let j = start; j <= end; j++) x = runStage(stages[j], x); return x; };
  let end = -1;
  let x = input;
  for (let start = 0; start < size * (segments - 1); start += size) {
    end = start + size - 1;
    x = checkpoint(runRange(start, end), x, { preserveRngState: opts.preserveRngState ?? true, ...(opts.useReentrant !== undefined ? { useReentrant: opts.useReentrant } : {}) });
  }
  return runRange(end + 1, stages.length - 1)(x);
}
