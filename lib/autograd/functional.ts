// functional.ts - torch.autograd.functional: jacobian, hessian, vjp, jvp (the double-backward trick), hvp, vhp, with
// PyTorch's return structures: a single Tensor input / output gives Tensors, an array (Python's tuple) gives arrays
// (jacobian of tuple outputs w.r.t. tuple inputs: result[i][j] = d outputs[i] / d inputs[j]).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { grad as autogradGrad } from './api';
import { zerosLike } from '../ops/creation';
import { enableGrad } from './mode';
import { stack } from '../ops/generated';

type Inputs = Tensor | Tensor[];
type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function asTuple(x: unknown, argName: string, fnName: string): [boolean, Tensor[]] {
  const isTuple = Array.isArray(x);
  const arr = (isTuple ? x : [x]) as unknown[];
  arr.forEach((el, i) => {
    if (!(el instanceof Tensor)) {
      const kind = el === null ? 'null' : typeof el;
      throw new TypeError(isTuple
        ? `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the value at index ${i} has type ${kind}.`
        : `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the given ${argName} has type ${kind}.`);
    }
  });
  return [isTuple, arr as Tensor[]];
}
// _grad_preprocess: fresh leaves (or views that keep the graph, with createGraph) that require grad
const prep = (ts: Tensor[], createGraph: boolean): Tensor[] =>
  ts.map((t) => (createGraph && t.requiresGrad ? t.viewAs(t) : t.detach().requiresGrad_(true)));
const post = (ts: Tensor[], createGraph: boolean): Tensor[] => (createGraph ? ts : ts.map((t) => t.detach()));
function checkRequiresGrad(ts: Tensor[], what: 'outputs' | 'hessian' | 'jacobian' | 'grad_inputs', strict: boolean): void {
  if (!strict) return;
  ts.forEach((t, i) => {
    if (!t.requiresGrad) {
      if (what === 'outputs') throw new TorchError(`Output ${i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.`);
      throw new TorchError(`The ${what} of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode.`);
    }
  });
}
/** autograd.grad over the outputs that require grad; null where an input is unused or nothing requires grad. */
function autogradOf(outputs: Tensor[], inputs: Tensor[], gradOutputs: (Tensor | null)[], createGraph: boolean, retainGraph = true): (Tensor | null)[] {
  const keep: number[] = [];
  outputs.forEach((o, i) => { if (o.requiresGrad) keep.push(i); });
  if (!keep.length) return inputs.map(() => null);
  return autogradGrad(keep.map((i) => outputs[i]), inputs, {
    gradOutputs: keep.map((i) => gradOutputs[i] ?? null), retainGraph, createGraph, allowUnused: true,
  });
}
const fillZeros = (gs: (Tensor | null)[], refs: Tensor[], strict: boolean, stage: 'back' | 'double_back'): Tensor[] =>
  gs.map((g, i) => {
    if (g !== null) return g;
    if (strict) {
      throw new TorchError(stage === 'back'
        ? `The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`
        : `The gradient with respect to the input is independent of entry ${i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.`);
    }
    return zerosLike(refs[i]);
  });
function validateV(v: Tensor[], other: Tensor[], isOtherTuple: boolean): void {
  if (v.length !== other.length) {
    throw new TorchError(isOtherTuple ? `v is a tuple of invalid length: should be ${other.length} but got ${v.length}.` : 'The given v should contain a single Tensor.');
  }
  v.forEach((e, i) => {
    if (e.shape.length !== other[i].shape.length || !e.shape.every((d, k) => d === other[i].shape[k])) {
      const prefix = isOtherTuple ? `Entry ${i} in ` : '';
      throw new TorchError(`${prefix}v has invalid size: should be [${other[i].shape}] but got [${e.shape}].`);
    }
  });
}
const untuple = <T>(isTuple: boolean, xs: T[]): T | T[] => (isTuple ? xs : xs[0]);

export interface JacobianOptions { createGraph?: boolean; strict?: boolean; vectorize?: boolean; strategy?: 'reverse-mode' | 'forward-mode' }

/** torch.autograd.functional.jacobian */
export function jacobian(func: Fn, inputs: Inputs, opts: JacobianOptions = {}): Tensor | Tensor[] | Tensor[][] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  if (opts.strategy && opts.strategy !== 'reverse-mode' && opts.strategy !== 'forward-mode') throw new TorchError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use "reverse-mode".');
  if (opts.strategy === 'forward-mode' && !opts.vectorize) throw new TorchError('torch.autograd.functional.jacobian: `strategy="forward-mode"` is only supported with `vectorize=True`.');
  if (strict && opts.vectorize) throw new TorchError('torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. Please either set `strict=False` or `vectorize=False`.');
  return enableGrad(() => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'jacobian');
    const ins = prep(ins0, createGraph);
    const out = func(...ins);
    const [isOutTuple, outs] = asTuple(out, 'outputs of the user-provided function', 'jacobian');
    checkRequiresGrad(outs, 'outputs', strict);
    const result: Tensor[][] = outs.map((o, i) => {
      const rows: Tensor[][] = ins.map(() => []);
      const flat = o.reshape([-1]);
      const n = flat.numel();
      for (let k = 0; k < n; k++) {
        const go = zerosLike(o).reshape([-1]);
        go.select(0, k).fill_(1);
        const gs = autogradOf([o], ins, [go.view(o.shape.slice())], createGraph);
        gs.forEach((g, j) => {
          if (g === null && strict) throw new TorchError(`Output ${i} of the user-provided function is independent of input ${j}. This is not allowed in strict mode.`);
          rows[j].push(g ?? zerosLike(ins[j]));
        });
      }
      return ins.map((inp, j) => {
        const J = n ? stackRows(rows[j]) : zerosLike(inp).reshape([0, ...inp.shape]);
        const r = J.view([...o.shape, ...inp.shape]);
        return createGraph ? r : r.detach();
      });
    });
    if (!isOutTuple && !isInTuple) return result[0][0];
    if (!isOutTuple) return result[0];
    if (!isInTuple) return result.map((r) => r[0]);
    return result;
  });
}
const stackRows = (rows: Tensor[]): Tensor => stack(rows, 0);

/** torch.autograd.functional.hessian */
export function hessian(func: (...inputs: Tensor[]) => Tensor, inputs: Inputs, opts: JacobianOptions & { outerJacobianStrategy?: 'reverse-mode' | 'forward-mode' } = {}): Tensor | Tensor[][] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  const [isInTuple, ins] = asTuple(inputs, 'inputs', 'hessian');
  const single = (...inp: Tensor[]): Tensor => {
    const out = func(...inp) as unknown;
    const [isOutTuple, outs] = asTuple(out, 'outputs of the user-provided function', 'hessian');
    checkRequiresGrad(outs, 'outputs', strict);
    if (isOutTuple || !(out instanceof Tensor)) throw new TorchError('The function given to hessian should return a single Tensor');
    if (out.numel() !== 1) throw new TorchError('The Tensor returned by the function given to hessian should contain a single element');
    return out.squeeze();
  };
  const jacFunc = (...inp: Tensor[]): Tensor[] => {
    const jac = jacobian(single, inp, { createGraph: true }) as Tensor[];
    checkRequiresGrad(jac, 'jacobian', strict);
    return jac;
  };
  const res = jacobian(jacFunc, ins, { createGraph, strict, vectorize: opts.vectorize, strategy: opts.outerJacobianStrategy }) as Tensor[][];
  return isInTuple ? res : res[0][0];
}

/** torch.autograd.functional.vjp: [outputs, vjp] */
export function vjp(func: Fn, inputs: Inputs, v?: Tensor | Tensor[] | null, opts: { createGraph?: boolean; strict?: boolean } = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  return enableGrad(() => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'vjp');
    const ins = prep(ins0, createGraph);
    const out = func(...ins);
    const [isOutTuple, outs] = asTuple(out, 'outputs of the user-provided function', 'vjp');
    checkRequiresGrad(outs, 'outputs', strict);
    let vs: Tensor[];
    if (v != null) {
      [, vs] = asTuple(v, 'v', 'vjp');
      validateV(vs, outs, isOutTuple);
    } else {
      if (outs.length !== 1 || outs[0].numel() !== 1) throw new TorchError('The vector v can only be None if the user-provided function returns a single Tensor with a single element.');
      vs = [];
    }
    const gs = autogradOf(outs, ins, outs.map((_, i) => vs[i] ?? null), createGraph, createGraph);
    const res = fillZeros(gs, ins, strict, 'back');
    return [untuple(isOutTuple, post(outs, createGraph)), untuple(isInTuple, post(res, createGraph))];
  });
}

/** torch.autograd.functional.jvp: [outputs, jvp], by the double-backward trick */
export function jvp(func: Fn, inputs: Inputs, v?: Tensor | Tensor[] | null, opts: { createGraph?: boolean; strict?: boolean } = {}): [Tensor | Tensor[], Tensor | Tensor[]] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  return enableGrad(() => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'jvp');
    const ins = prep(ins0, createGraph);
    let vs: Tensor[];
    if (v != null) {
      [, vs] = asTuple(v, 'v', 'jvp');
      validateV(vs, ins, isInTuple);
    } else {
      if (ins.length !== 1 || ins[0].numel() !== 1) throw new TorchError('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
      vs = [];
    }
    const out = func(...ins);
    const [isOutTuple, outs] = asTuple(out, 'outputs of the user-provided function', 'jvp');
    checkRequiresGrad(outs, 'outputs', strict);
    // grad_outputs that require grad: the vjp is linear in them, and differentiating it w.r.t. them gives the jvp
    const gradOuts = outs.map((o) => zerosLike(o).requiresGrad_(true));
    const gradInputs = autogradOf(outs, ins, gradOuts, true);
    const gi = fillZeros(gradInputs, ins, strict, 'back');
    let res: Tensor[];
    if (createGraph) {
      const g2 = autogradOf(gi, gradOuts, ins.map((_, i) => vs[i] ?? null), createGraph);
      res = fillZeros(g2, outs, strict, 'double_back');
    } else {
      const g2 = autogradOf(gi, gradOuts, ins.map((_, i) => vs[i] ?? null), false);
      res = fillZeros(g2, outs, strict, 'double_back');
    }
    return [untuple(isOutTuple, post(outs, createGraph)), untuple(isOutTuple, post(res, createGraph))];
  });
}

function singleScalarOutput(out: unknown, fnName: string, strict: boolean): Tensor {
  const [isOutTuple, outs] = asTuple(out, 'outputs of the user-provided function', fnName);
  checkRequiresGrad(outs, 'outputs', strict);
  if (isOutTuple || !(out instanceof Tensor)) throw new TorchError(`The function given to ${fnName} should return a single Tensor`);
  if (out.numel() !== 1) throw new TorchError(`The Tensor returned by the function given to ${fnName} should contain a single element`);
  return out;
}

/** torch.autograd.functional.vhp: [output, v^T H] */
export function vhp(func: (...inputs: Tensor[]) => Tensor, inputs: Inputs, v?: Tensor | Tensor[] | null, opts: { createGraph?: boolean; strict?: boolean } = {}): [Tensor, Tensor | Tensor[]] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  return enableGrad(() => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'vhp');
    const ins = prep(ins0, createGraph);
    let vs: Tensor[] = [];
    if (v != null) { [, vs] = asTuple(v, 'v', 'vhp'); validateV(vs, ins, isInTuple); }
    else if (ins.length !== 1 || ins[0].numel() !== 1) throw new TorchError('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    const out = singleScalarOutput(func(...ins), 'vhp', strict);
    const jac = autogradOf([out], ins, [null], true);
    checkRequiresGrad(jac.map((g, i) => g ?? zerosLike(ins[i])), 'jacobian', strict);
    const jacs = jac.map((g, i) => g ?? zerosLike(ins[i]));
    const g2 = autogradOf(jacs, ins, ins.map((_, i) => vs[i] ?? null), createGraph);
    const res = fillZeros(g2, ins, strict, 'double_back');
    return [post([out], createGraph)[0], untuple(isInTuple, post(res, createGraph))];
  });
}

/** torch.autograd.functional.hvp: [output, H v], by the double-backward trick */
export function hvp(func: (...inputs: Tensor[]) => Tensor, inputs: Inputs, v?: Tensor | Tensor[] | null, opts: { createGraph?: boolean; strict?: boolean } = {}): [Tensor, Tensor | Tensor[]] {
  const createGraph = !!opts.createGraph, strict = !!opts.strict;
  return enableGrad(() => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'hvp');
    const ins = prep(ins0, createGraph);
    let vs: Tensor[] = [];
    if (v != null) { [, vs] = asTuple(v, 'v', 'hvp'); validateV(vs, ins, isInTuple); }
    else if (ins.length !== 1 || ins[0].numel() !== 1) throw new TorchError('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    const out = singleScalarOutput(func(...ins), 'hvp', strict);
    const jac = autogradOf([out], ins, [null], true).map((g, i) => g ?? zerosLike(ins[i]));
    checkRequiresGrad(jac, 'jacobian', strict);
    const gradJac = ins.map((t) => zerosLike(t).requiresGrad_(true));
    const doubleBack = fillZeros(autogradOf(jac, ins, gradJac, true), ins, strict, 'back');
    const g2 = autogradOf(doubleBack, gradJac, ins.map((_, i) => vs[i] ?? null), createGraph);
    const res = fillZeros(g2, ins, strict, 'double_back');
    return [post([out], createGraph)[0], untuple(isInTuple, post(res, createGraph))];
  });
}
