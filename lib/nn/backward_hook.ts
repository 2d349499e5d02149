// backward_hook.ts - nn.Module's full backward hooks: PyTorch's torch.utils.hooks.BackwardHook (1.13, with 2.0's
// backward pre-hooks), and the deprecated register_backward_hook's node hook.
//
// Note [module backward hooks]
// PyTorch runs a module's full backward hooks from two BackwardHookFunction nodes: one identity node over the tensors
// among the module's positional arguments (its forward sees them through it) and one over the tensors among its
// outputs (the caller sees them through it). The output node records the gradients w.r.t. the outputs (grad_output);
// the input node, reached once the module's own backward has run, calls hook(module, grad_input, grad_output) and
// passes on what the hook returns in place of grad_input. Both are one node with many outputs in PyTorch; nodetorch's
// nodes have one output each, so each is built here as a group: one small node per tensor (the tensor's gradFn, named
// BackwardHookFunctionBackward, as PyTorch's) that stashes its incoming gradient and hands a 0-d zero to one gather
// node whose edges are the wrapped tensors' own. The engine runs the gather node after every per-tensor node that
// the backward pass reaches has delivered or been released (dependency counting), so it sees the whole set at once,
// as PyTorch's node does, and returns the gradients its edges receive.
// As in PyTorch: entries for non-tensor arguments/outputs are null; an input tensor that receives no gradient (or
// does not require grad) gets zeros (a custom Function's materialized gradient); an output that receives none gets
// null; a wrapped tensor is a view made inside a custom Function, so modifying it in place is an error.
import { Tensor } from '../tensor';
import { Node, Edge, edgeOf } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { customFunctionViews } from '../autograd/inplace';
import { TorchError } from '../errors';
import { zeros } from '../ops/creation';

/** The gradients a module backward hook sees: one entry per positional argument (or output), null for a non-tensor. */
export type GradTuple = readonly (Tensor | null)[];
type StoredFull = (m: unknown, gradInput: GradTuple, gradOutput: GradTuple) => unknown;
type StoredPre = (m: unknown, gradOutput: GradTuple) => unknown;

const NAME = 'BackwardHookFunctionBackward';

/** The tensors `ts` through one identity group (Note [module backward hooks]); `onGrads` gets the gradients of the
 *  new tensors (null where none arrived) and returns those their inputs receive. */
function identityGroup(ts: Tensor[], onGrads: (gs: (Tensor | null)[]) => (Tensor | null)[]): Tensor[] {
  const stash: (Tensor | null)[] = ts.map(() => null);
  const edges: Edge[] = ts.map((t) => edgeOf(t));
  const gather = new Node(NAME, edges, () => {
    const gs = stash.slice();
    stash.fill(null);
    return onGrads(gs);
  }, []);
  gather.userCode = true;  // the gradients it returns may be the user's (a hook's): the engine copies, never steals them
  const link: Edge[] = [{ node: gather }];
  let dummy: Tensor | null = null;
  return ts.map((t, i) => {
    if (!t.requiresGrad) return t;
    const v = new Tensor(t._st, t.shape.slice(), t._strides.slice(), t._offset, t.dtype);
    v._setGradFn(new Node(NAME, link, (g) => {
      stash[i] = g;  // (the engine sums a node's gradients before running it)
      if (dummy === null) dummy = zeros([], { dtype: 'float32', device: g.device });
      return [dummy];
    }, []));
    customFunctionViews.set(v, `Output ${i} of ${NAME}`);
    return v;
  });
}

/** One module call's backward hooks (PyTorch's BackwardHook object, made per call). */
export class BackwardHook {
  private gradOutputs: GradTuple | null = null;
  private nOutputs = -1;
  private outputIdx: number[] | null = null;
  private nInputs = -1;
  private inputIdx: number[] | null = null;
  constructor(private readonly module: unknown, private readonly hooks: StoredFull[], private readonly preHooks: StoredPre[]) {}

  private static pack(idx: number[], vals: readonly (Tensor | null)[], n: number): (Tensor | null)[] {
    const r: (Tensor | null)[] = new Array(n).fill(null);
    idx.forEach((k, j) => { r[k] = vals[j] ?? null; });
    return r;
  }

  /** wraps the tensors among `args` (when one requires grad and grad mode is on); null: nothing wrapped */
  private apply(args: unknown[], onGrads: (gs: (Tensor | null)[]) => (Tensor | null)[]): { res: unknown[]; idx: number[] | null } {
    const idx: number[] = [];
    const ts: Tensor[] = [];
    args.forEach((a, i) => { if (a instanceof Tensor) { idx.push(i); ts.push(a); } });
    if (!gradState.enabled || !ts.some((t) => t.requiresGrad)) return { res: args, idx: null };
    const wrapped = identityGroup(ts, onGrads);
    const res = args.slice();
    idx.forEach((k, j) => { res[k] = wrapped[j]; });
    return { res, idx };
  }

  setupInputHook(args: unknown[]): unknown[] {
    let ts: Tensor[] = [];
    const { res, idx } = this.apply(args, (gs) => {
      // the input tensors' gradients, zeros where none arrived (PyTorch materializes a custom Function's gradients)
      const gin = gs.map((g, j) => g ?? zeros(ts[j].shape, { dtype: ts[j].dtype, device: ts[j].device }));
      if (this.gradOutputs === null) return gin;  // reached without passing through the outputs (double backward)
      let r: GradTuple = BackwardHook.pack(this.inputIdx as number[], gin, this.nInputs);
      for (const h of this.hooks) {
        const out = h(this.module, r, this.gradOutputs);
        if (out === undefined || out === null) continue;
        if (!Array.isArray(out)) throw new TypeError(`object of type '${typeof out}' has no len(): a full backward hook returns an array of gradients (one per positional argument), or nothing`);
        if (out.length !== r.length) throw new TorchError(`Backward hook returned an invalid number of grad_input, got ${out.length}, but expected ${r.length}`);
        r = out as GradTuple;
      }
      this.gradOutputs = null;
      return (this.inputIdx as number[]).map((k, j) => checkGrad(r[k] ?? null, ts[j], j));
    });
    ts = idx === null ? [] : idx.map((k) => args[k] as Tensor);
    this.nInputs = args.length;
    this.inputIdx = idx;
    return res;
  }

  setupOutputHook(result: unknown): unknown {
    const isTuple = Array.isArray(result);
    const args = isTuple ? (result as unknown[]) : [result];
    let ts: Tensor[] = [];
    const { res, idx } = this.apply(args, (gs) => {
      let go: GradTuple = BackwardHook.pack(this.outputIdx as number[], gs, this.nOutputs);
      for (const h of this.preHooks) {
        const out = h(this.module, go);
        if (out === undefined || out === null) continue;
        if (!Array.isArray(out)) throw new TypeError(`object of type '${typeof out}' has no len(): a full backward pre-hook returns an array of gradients (one per output), or nothing`);
        if (out.length !== go.length) throw new TorchError(`Backward pre hook returned an invalid number of grad_output, got ${out.length}, but expected ${go.length}`);
        go = out as GradTuple;
      }
      this.gradOutputs = go;
      if (this.inputIdx === null) {
        // no input requires grad: the hooks run here, with null for every grad_input
        const gin: GradTuple = new Array(this.nInputs).fill(null);
        for (const h of this.hooks) {
          const r = h(this.module, gin, go);
          if (r !== undefined && r !== null && !(Array.isArray(r) && r.every((e) => e === null || e === undefined))) {
            throw new TorchError('Backward hook for Modules where no input requires gradient should always return None or None for all gradients.');
          }
        }
        this.gradOutputs = null;
      }
      return (this.outputIdx as number[]).map((k, j) => (go[k] === null || go[k] === undefined ? null : checkGrad(go[k] as Tensor, ts[j], j)));
    });
    ts = idx === null ? [] : idx.map((k) => args[k] as Tensor);
    this.nOutputs = args.length;
    this.outputIdx = idx;
    return isTuple ? res : res[0];
  }
}

// the engine's check of a gradient a hook handed back (PyTorch's validate_outputs)
function checkGrad(g: Tensor | null, like: Tensor, i: number): Tensor | null {
  if (g === null) return null;
  if (!(g instanceof Tensor)) throw new TypeError(`a backward hook's gradient must be a Tensor or null, not ${typeof g}`);
  if (g.shape.length !== like.shape.length || g.shape.some((s, k) => s !== like.shape[k])) {
    throw new TorchError(`Function ${NAME} returned an invalid gradient at index ${i} - got [${g.shape.join(', ')}] but expected shape compatible with [${like.shape.join(', ')}]`);
  }
  return g;
}

/** register_backward_hook's (deprecated) hook: a hook on the node that made the module's output; it sees the
 *  gradients that node returns for its inputs and the one it received, and may replace the former. */
export function hookOutputNode(node: Node, module: unknown, hook: StoredFull): void {
  const f = node.fn;
  if (!f) return;
  node.userCode = true;  // (as identityGroup's gather node)
  node.fn = (g) => {
    const gi = f(g).map((x) => x ?? null);
    const r = hook(module, gi, [g]);
    if (r === undefined || r === null) return gi;
    if (!Array.isArray(r)) throw new TypeError(`object of type '${typeof r}' has no len(): a backward hook returns an array of gradients, or nothing`);
    if (r.length !== gi.length) throw new TorchError(`hook 'hook' has returned an incorrect number of values (got ${r.length}, but expected ${gi.length})`);
    return r as (Tensor | null)[];
  };
}

const WARN_END = 'Please use register_full_backward_hook to get the documented behavior.';
/** PyTorch's Module._maybe_warn_non_full_backward_hook: the cases where the deprecated hook misses gradients. */
export function warnNonFull(inputs: unknown[], result: unknown, node: Node): void {
  const warn = (m: string): void => { process.emitWarning(m, 'UserWarning'); };
  const res = result instanceof Tensor ? [result] : result;
  if (!(Array.isArray(res) && res.every((r) => r instanceof Tensor))) {
    warn('Using non-full backward hooks on a Module that does not return a single Tensor or a tuple of Tensors is deprecated and will be removed in future versions. This hook will be missing some of the grad_output. ' + WARN_END);
    return;
  }
  if (!inputs.every((i) => i instanceof Tensor)) {
    warn('Using non-full backward hooks on a Module that does not take as input a single Tensor or a tuple of Tensors is deprecated and will be removed in future versions. This hook will be missing some of the grad_input. ' + WARN_END);
    return;
  }
  const outFns = new Set((res as Tensor[]).map((r) => r.gradFn).filter((n): n is Node => n !== null));
  if (outFns.size === 0 || (outFns.size === 1 && !outFns.has(node))) {
    warn('Using a non-full backward hook when outputs are nested in python data structure is deprecated and will be removed in future versions. This hook will be missing some grad_output.');
  } else if (outFns.size > 1) {
    warn('Using a non-full backward hook when outputs are generated by different autograd Nodes is deprecated and will be removed in future versions. This hook will be missing some grad_output. ' + WARN_END);
  } else {
    const inFns = new Set((inputs as Tensor[]).map((i) => i.gradFn).filter((n): n is Node => n !== null));
    // next_functions: the nodes, and the leaves' AccumulateGrad (never an input's grad_fn), and None
    const next = new Set<unknown>(node.next.map((e) => (e === null ? null : 'node' in e ? e.node : e)));
    const same = inFns.size === next.size && [...inFns].every((n) => next.has(n));
    if (!same) {
      warn('Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated and will be removed in future versions. This hook will be missing some grad_input. ' + WARN_END);
    }
  }
}
