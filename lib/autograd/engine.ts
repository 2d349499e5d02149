// engine.ts - reverse-mode autograd: graph nodes, recording, backward() and autograd.grad().
// Each differentiable op records one Node with a closure computing its input gradients (the formula lives next
// to the op in lib/ops/*); `saved` lists the tensors the closure reads so their version counters are checked.
import { TorchError } from '../errors';
import { gradState } from './mode';
import { anomalyState, forwardTrace, nanError, traceNote } from './anomaly';
import { acState, refreshOn } from '../amp/state';
import type { Tensor } from '../tensor';

export type Edge = { node: Node } | { leaf: Tensor } | null;
export type BackwardFn = (g: Tensor) => (Tensor | null | undefined)[];
/** a tensor gradient hook: fn(grad) may return a replacement gradient (same shape and dtype), or nothing */
export type GradHook = (grad: Tensor) => Tensor | void | undefined | null;
export type GradHookEntry = { id: number; fn: GradHook } | { id: number; retain: Tensor };

export class Node {
  name: string;
  next: Edge[];
  fn: BackwardFn | null;
  saved: [Tensor, number][];
  /** the gradient hooks of the tensor this node made (Tensor.registerHook), in registration order, and the tensor
   *  itself where retainGrad() was called (PyTorch 1.13 runs retain_grad among the hooks, in the order registered:
   *  a hook registered before retainGrad() changes what .grad keeps, one registered after does not) */
  hooks: GradHookEntry[] | null = null;
  /** fn is user code (a custom autograd.Function's backward): the tensors it returns may be referenced elsewhere */
  userCode = false;
  /** anomaly mode (./anomaly.ts): the stack of the forward call that made this node */
  trace: string | undefined;
  constructor(name: string, next: Edge[], fn: BackwardFn, saved: [Tensor, number][]) {
    this.name = name;
    if (anomalyState.enabled) this.trace = forwardTrace();
    this.next = next;
    this.fn = fn;
    this.saved = saved;
  }
  // PyTorch's grad_fn.next_functions, loosely: the nodes this one feeds gradients to
  get nextFunctions(): (Node | string | null)[] {
    return this.next.map((e) => (e === null ? null : 'node' in e ? e.node : 'AccumulateGrad'));
  }
  toString(): string { return `<${this.name}>`; }
}

export function edgeOf(t: Tensor): Edge {
  if (t.gradFn) return { node: t.gradFn };
  if (t.requiresGrad) return { leaf: t };
  return null;
}

export function needsGrad(ts: (Tensor | null | undefined)[]): boolean {
  if (!gradState.enabled) return false;
  for (const t of ts) if (t && t.requiresGrad) return true;
  return false;
}

// Attach a node to `out` when grad mode is on and any input requires grad.
export function record(name: string, inputs: (Tensor | null | undefined)[], out: Tensor, fn: BackwardFn, saved: (Tensor | null | undefined)[] = []): Tensor {
  if (!needsGrad(inputs)) return out;
  const next = inputs.map((t) => (t ? edgeOf(t) : null));
  const sv: [Tensor, number][] = [];
  for (const s of saved) if (s) sv.push([s, s._version]);
  out._setGradFn(new Node(name, next, fn, sv));
  return out;
}

const FREED = 'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
  'Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved ' +
  'tensors after calling backward.';

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  capture?: Map<Node | Tensor, number>; // autograd.grad: where gradients of inputs are returned instead of accumulated
  results?: (Tensor | null)[];
}

function addGrad(a: Tensor | undefined, b: Tensor): Tensor { return a === undefined ? b : a.add(b); }

// Hooks run after a leaf's .grad has received its whole gradient of one backward pass (PyTorch's
// register_post_accumulate_grad_hook); DDP starts a bucket's all-reduce from them while backward goes on.
type PostHook = (t: Tensor) => void;
const postHooks = new WeakMap<Tensor, Map<number, PostHook>>();
let nextHookId = 1;
export function registerPostAccumulateGradHook(t: Tensor, hook: PostHook): { id: number; remove(): void } {
  if (typeof hook !== 'function') throw new TypeError('register_post_accumulate_grad_hook(): hook must be a function');
  if (!t.requiresGrad || t.gradFn) throw new TorchError('post accumulate grad hooks cannot be registered on non-leaf tensors');
  let m = postHooks.get(t);
  if (!m) { m = new Map(); postHooks.set(t, m); }
  const id = nextHookId++;
  m.set(id, hook);
  const mm = m;
  return { id, remove: () => { mm.delete(id); } };
}

// Tensor.registerHook (PyTorch's Tensor.register_hook): on a non-leaf the hook is kept by the tensor's node and runs on
// the gradient of the tensor before the node's backward function uses it; on a leaf it runs on the leaf's whole
// gradient of the pass (summed over its uses) before that is accumulated into .grad. A hook may return a replacement
// (a tensor of the same shape and dtype, checked as PyTorch checks it) that the later hooks, the node's backward (or
// .grad) receive. autograd.grad() returns the gradients before its inputs' hooks run (PyTorch 1.13's captured
// gradients do not go through tensor hooks).
const leafHooks = new WeakMap<Tensor, GradHookEntry[]>();
export interface RemovableHandle { id: number; remove(): void }
export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  t._check();
  if (typeof hook !== 'function') throw new TypeError(`register_hook(): hook must be a function, not ${hook === null ? 'null' : typeof hook}`);
  if (!t.requiresGrad) throw new TorchError("cannot register a hook on a tensor that doesn't require gradient");
  const id = nextHookId++;
  let list: GradHookEntry[];
  const node = t.gradFn;
  if (node) list = (node.hooks ||= []);
  else {
    let l = leafHooks.get(t);
    if (!l) { l = []; leafHooks.set(t, l); }
    list = l;
  }
  list.push({ id, fn: hook });
  return { id, remove: () => { const i = list.findIndex((e) => e.id === id); if (i >= 0) list.splice(i, 1); } };
}
/** retainGrad's entry among the node's hooks (in registration order) */
export function addRetainHook(node: Node, t: Tensor): void { (node.hooks ||= []).push({ id: nextHookId++, retain: t }); }

function runGradHooks(list: GradHookEntry[], g: Tensor, createGraph: boolean): Tensor {
  for (const e of [...list]) {
    if ('retain' in e) { e.retain._accumulateGrad(g, createGraph); continue; }
    const r = e.fn(g);
    if (r === undefined || r === null) continue;
    const name = e.fn.name || '<anonymous>';
    if (!isTensor(r)) throw new TypeError(`expected Variable, but hook '${name}' returned '${typeof r}'`);
    if (r.shape.length !== g.shape.length || r.shape.some((d, i) => d !== g.shape[i])) {
      throw new TorchError(`hook '${name}' has changed the size of value: [${g.shape.join(', ')}] -> [${r.shape.join(', ')}]`);
    }
    if (r.dtype !== g.dtype) throw new TorchError(`hook '${name}' has changed the type of value (was ${g.dtype} got ${r.dtype})`);
    if (!r.device.equals(g.device)) throw new TorchError(`hook '${name}' has changed the device of value (was ${g.device} got ${r.device})`);
    g = r;
  }
  return g;
}
let isTensor: (x: unknown) => x is Tensor = (x): x is Tensor => typeof x === 'object' && x !== null && 'dtype' in x && 'shape' in x;
/** lib/tensor.ts installs the exact class check (an import cycle otherwise) */
export function setTensorCheck(f: (x: unknown) => x is Tensor): void { isTensor = f; }

// Callbacks queued while a backward pass runs, run once it has finished (PyTorch's
// Variable._execution_engine.queue_callback): DDP waits for its last buckets there.
const callbackStack: (() => void)[][] = [];
export function queueCallback(fn: () => void): void {
  if (!callbackStack.length) throw new TorchError('queue_callback: no backward pass is running (call it from a hook during backward)');
  callbackStack[callbackStack.length - 1].push(fn);
}

export function runBackward(roots: Tensor[], grads: Tensor[], opts: RunOptions): void {
  // gather the graph reachable from the roots and count dependencies (of nodes, and of leaves: a leaf's gradient is
  // final once every edge into it has delivered, so it can be accumulated and its hooks run before backward ends)
  const deps = new Map<Node, number>();
  const leafDeps = new Map<Tensor, number>();
  const stack: Node[] = [];
  for (const r of roots) if (r.gradFn && !deps.has(r.gradFn)) { deps.set(r.gradFn, 0); stack.push(r.gradFn); }
  const seen = new Set<Node>(stack);
  while (stack.length) {
    const n = stack.pop() as Node;
    for (const e of n.next) {
      if (!e) continue;
      if ('node' in e) {
        deps.set(e.node, (deps.get(e.node) || 0) + 1);
        if (!seen.has(e.node)) { seen.add(e.node); stack.push(e.node); }
      } else {
        leafDeps.set(e.leaf, (leafDeps.get(e.leaf) || 0) + 1);
      }
    }
  }
  const pending = new Map<Node, Tensor>();
  const leafGrads = new Map<Tensor, Tensor>();
  // Note [stealing a leaf's first gradient]: as PyTorch's AccumulateGrad (which steals the incoming gradient when
  // nothing else holds it), a leaf whose .grad is unset may take the gradient the engine computed for it instead of a
  // copy, when the engine owns that tensor: it came out of a library backward function (not a custom Function's user
  // code), is not the gradient that function received (pass-through nodes such as add's hand the same tensor to
  // several edges, and hooks or retainGrad may hold it), is returned only once in this pass (not handed to two
  // edges), or it is the sum made here of several contributions; the user's `gradient` argument never is. The leaf
  // then checks that no other live tensor shares its storage (no view or expand of it exists) and that its layout is
  // the leaf's own (Tensor._accumulateGrad).
  const owned = new Set<Tensor>();
  const returned = new Map<Tensor, number>();
  const sumGrad = (a: Tensor | undefined, b: Tensor): Tensor => {
    if (a === undefined) return b;
    const s = a.add(b);
    if (!opts.createGraph) owned.add(s);
    return s;
  };
  const prevEnabled = gradState.enabled;
  const callbacks: (() => void)[] = [];
  callbackStack.push(callbacks);
  const finalizeLeaf = (leaf: Tensor): void => {
    const g = leafGrads.get(leaf);
    if (g === undefined) return;
    leafGrads.delete(leaf);
    if (opts.capture) {
      if (opts.capture.has(leaf)) (opts.results as (Tensor | null)[])[opts.capture.get(leaf) as number] = g;
      return;
    }
    const during = gradState.enabled;
    gradState.enabled = prevEnabled;
    try {
      const lh = leafHooks.get(leaf);
      let gg = g;
      if (lh && lh.length) {
        gradState.enabled = opts.createGraph;
        gg = runGradHooks(lh, g, opts.createGraph);
        gradState.enabled = prevEnabled;
      }
      leaf._accumulateGrad(gg, opts.createGraph, gg === g && owned.has(g) && (returned.get(g) ?? 0) <= 1);
      const hs = postHooks.get(leaf);
      if (hs && hs.size) for (const h of [...hs.values()]) h(leaf);
    } finally {
      gradState.enabled = during;
    }
  };
  const leafDone = (leaf: Tensor): void => {
    const d = (leafDeps.get(leaf) as number) - 1;
    leafDeps.set(leaf, d);
    if (d === 0) finalizeLeaf(leaf);
  };
  gradState.enabled = opts.createGraph;
  // gradients are computed in the dtypes the forward recorded: autocast does not apply inside backward
  acState.suspended++;
  acState.on = false;
  try {
    roots.forEach((r, i) => {
      if (r.gradFn) pending.set(r.gradFn, addGrad(pending.get(r.gradFn), grads[i]));
      else if (r.requiresGrad) leafGrads.set(r, addGrad(leafGrads.get(r), grads[i]));
    });
    for (const leaf of [...leafGrads.keys()]) if (!leafDeps.get(leaf)) finalizeLeaf(leaf);
    const ready: Node[] = [];
    for (const r of roots) if (r.gradFn && deps.get(r.gradFn) === 0 && !ready.includes(r.gradFn)) ready.push(r.gradFn);
    while (ready.length) {
      const node = ready.pop() as Node;
      let g = pending.get(node) as Tensor;
      pending.delete(node);
      if (opts.capture && opts.capture.has(node)) (opts.results as (Tensor | null)[])[opts.capture.get(node) as number] = g;
      if (node.hooks && node.hooks.length) g = runGradHooks(node.hooks, g, opts.createGraph);
      if (!node.fn) throw new TorchError(FREED);
      for (const [t, v] of node.saved) {
        if (t._version !== v) {
          throw new TorchError('one of the variables needed for gradient computation has been modified by an inplace ' +
            `operation: [${t.dtype} [${t.shape.join(', ')}]], which is output 0 of ${t.gradFn ? t.gradFn.name : 'a leaf'}, ` +
            `is at version ${t._version}; expected version ${v} instead.`);
        }
      }
      let gin: (Tensor | null | undefined)[];
      if (anomalyState.enabled) {
        try { gin = node.fn(g); } catch (e) {
          if (e instanceof Error && node.trace && !e.message.includes('Traceback of forward call')) e.message += traceNote(node.name, node.trace);
          throw e;
        }
        if (anomalyState.checkNan) {
          gin.forEach((gi, i) => {
            if (gi && node.next[i] && (gi.dtype === 'float32' || gi.dtype === 'float64' || gi.dtype === 'float16' || gi.dtype === 'bfloat16') && gi.isnan().any().item()) {
              throw nanError(node.name, i, node.trace);
            }
          });
        }
      } else gin = node.fn(g);
      const saved = node.saved;
      if (!opts.retainGraph) { node.fn = null; node.saved = []; }
      for (const gi of gin) if (gi) returned.set(gi, (returned.get(gi) ?? 0) + 1);
      node.next.forEach((e, i) => {
        const gi = gin[i];
        if (!e) return;
        if ('node' in e) {
          if (gi) pending.set(e.node, addGrad(pending.get(e.node), gi));
          const d = (deps.get(e.node) as number) - 1;
          deps.set(e.node, d);
          if (d === 0) {
            if (pending.has(e.node)) ready.push(e.node);
            else releaseSubgraph(e.node, deps, ready, pending, opts, leafDone);
          }
        } else {
          if (gi) {
            if (gi !== g && !node.userCode && !opts.createGraph && !saved.some((sv) => sv[0] === gi)) owned.add(gi);
            leafGrads.set(e.leaf, sumGrad(leafGrads.get(e.leaf), gi));
          }
          leafDone(e.leaf);
        }
      });
    }
    // leaves fed only through nodes that were never run (cannot normally happen) still get what they received
    for (const leaf of [...leafGrads.keys()]) finalizeLeaf(leaf);
  } finally {
    gradState.enabled = prevEnabled;
    acState.suspended--;
    refreshOn();
    callbackStack.pop();
  }
  for (const cb of callbacks) cb();
}

// A node that receives no gradient at all: its inputs get none either, but the walk must still reach them.
function releaseSubgraph(node: Node, deps: Map<Node, number>, ready: Node[], pending: Map<Node, Tensor>, opts: RunOptions, leafDone: (t: Tensor) => void): void {
  if (!opts.retainGraph) { node.fn = null; node.saved = []; }
  for (const e of node.next) {
    if (e && 'node' in e) {
      const d = (deps.get(e.node) as number) - 1;
      deps.set(e.node, d);
      if (d === 0) {
        if (pending.has(e.node)) ready.push(e.node);
        else releaseSubgraph(e.node, deps, ready, pending, opts, leafDone);
      }
    } else if (e) {
      leafDone(e.leaf);
    }
  }
}
