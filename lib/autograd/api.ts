// api.ts - torch.autograd: backward(), grad(), and custom Functions (static forward/backward with a ctx).
import { Tensor, hooks, defaultBackward, sameShape } from '../tensor';
import { TorchError, checkKeys } from '../errors';
import { runBackward, record, Node } from './engine';
import { gradState } from './mode';
import { onesLike } from '../ops/creation';

hooks.backward = (roots, grads, opts) => defaultBackward(roots, grads, opts, (t) => onesLike(t));

export function backward(tensors: Tensor | Tensor[], gradTensors?: Tensor | (Tensor | null)[] | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
  checkKeys('backward', opts, ['retainGraph', 'createGraph', 'inputs']);
  const roots = Array.isArray(tensors) ? tensors : [tensors];
  const gs = gradTensors == null ? roots.map(() => null) : Array.isArray(gradTensors) ? gradTensors : [gradTensors];
  defaultBackward(roots, gs, opts, (t) => onesLike(t));
}

export interface GradOptions { gradOutputs?: Tensor | (Tensor | null)[] | null; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean }

export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  checkKeys('autograd.grad', opts, ['gradOutputs', 'retainGraph', 'createGraph', 'allowUnused']);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  for (const t of [...outs, ...ins]) if (!(t instanceof Tensor)) throw new TypeError('autograd.grad: outputs and inputs must be Tensors');
  const go = opts.gradOutputs == null ? outs.map(() => null) : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  if (go.length !== outs.length) throw new TorchError(`grad requires one gradient per output: got ${go.length} for ${outs.length} outputs`);
  const gs = outs.map((o, i) => {
    if (!o.requiresGrad) throw new TorchError('element ' + i + ' of tensors does not require grad and does not have a grad_fn');
    const g = go[i];
    if (g) {
      if (!sameShape(g.shape, o.shape)) throw new TorchError(`Mismatch in shape: grad_output[${i}] has a shape of [${g.shape}] and output[${i}] has a shape of [${o.shape}].`);
      return g;
    }
    if (o.numel() !== 1) throw new TorchError('grad can be implicitly created only for scalar outputs');
    return onesLike(o);
  });
  const capture = new Map<Node | Tensor, number>();
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new TorchError(`One of the differentiated Tensors does not require grad`);
    capture.set(t.gradFn ?? t, i);
  });
  const results: (Tensor | null)[] = ins.map(() => null);
  const createGraph = !!opts.createGraph;
  runBackward(outs, gs, { retainGraph: opts.retainGraph ?? createGraph, createGraph, capture, results });
  results.forEach((r, i) => {
    if (r === null && !opts.allowUnused) throw new TorchError(`One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior. (input ${i})`);
  });
  return results;
}

export class FunctionCtx {
  savedTensors: Tensor[] = [];
  needsInputGrad: boolean[] = [];
  private _saved: Tensor[] = [];
  [key: string]: unknown;
  saveForBackward(...ts: Tensor[]): void { this._saved = ts; this.savedTensors = ts; }
  markNonDifferentiable(..._ts: Tensor[]): void { /* outputs are differentiable unless they are non-float */ }
}

// Subclass with static forward(ctx, ...args) and static backward(ctx, ...grads); call with Sub.apply(...args).
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor { throw new TorchError('You must implement the forward function for custom autograd.Function.'); }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Tensor | (Tensor | null)[] | null { throw new TorchError('You must implement the backward function for custom autograd.Function.'); }
  static apply(...args: unknown[]): Tensor {
    const cls = this as unknown as typeof Function;
    const ctx = new FunctionCtx();
    const tensorArgs = args.map((a) => (a instanceof Tensor ? a : null));
    ctx.needsInputGrad = tensorArgs.map((t) => !!(t && t.requiresGrad));
    const prev = gradState.enabled;
    gradState.enabled = false;
    let out: Tensor;
    try { out = cls.forward(ctx, ...args); } finally { gradState.enabled = prev; }
    if (!(out instanceof Tensor)) throw new TorchError(`${cls.name}.forward must return a Tensor`);
    const inputs = tensorArgs;
    const name = `${cls.name}Backward`;
    // a fresh tensor object so that the node is attached to this call's output only
    const res = out.gradFn || out.requiresGrad ? out.detach() : out;
    record(name, inputs, res, (g) => {
      const r = cls.backward(ctx, g);
      const list = Array.isArray(r) ? r : [r];
      return inputs.map((t, i) => (t ? (list[i] ?? null) : null));
    }, ctx.savedTensors);
    if (res.gradFn) res.gradFn.userCode = true; // its backward's results may be the user's tensors: never stolen
    return res;
  }
}
