// inplace.ts - the one in-place protocol (PyTorch's rules for `x.op_()`), used by every in-place op: the schema's
// generated in-place variants (lib/ops/generated.ts), the elementwise and activation kernels that write into self,
// and the indexing ops' in-place twins. Each entry point:
//   - refuses a leaf that requires grad (or a view of one) while grad mode is on, an inference tensor outside
//     inference mode, and a written-to tensor whose elements overlap (an expanded view);
//   - checks PyTorch's result rules: the result must be castable to self's dtype and have self's shape;
//   - bumps self's version counter (so saved tensors read after it are detected as modified);
//   - rewires the gradient: self's history becomes the op's node fed by its previous history, and a view's base gets
//     CopySlices (rebaseView).
// The three entry points differ only in how the new values are produced: from an out-of-place result copied back
// (inplaceCompute, inplaceResult), by a kernel run on self's own storage (inplaceKernel), or by a raw write plus one
// node with a known formula (inplaceRecord).
import { TorchError, intFromNumbersHint } from '../errors';
import { Tensor } from '../tensor';
import { gradState } from './mode';
import { Node, edgeOf, needsGrad, record, BackwardFn } from './engine';
import { isFloating, DType } from '../dtype';
// call-time only (elementwise imports this module): copies, clone and the view rewiring
import * as E from '../ops/elementwise';

/** The checks every in-place op makes before writing into `self`. */
export function checkInplace(self: Tensor, op: string): void {
  self._check();
  checkLeafInplace(self, op);
  checkViewOfLeafInplace(self);
  checkNotOverlapping(self, op);
}

export function checkLeafInplace(t: Tensor, op: string): void {
  if (gradState.enabled && t.requiresGrad && t.isLeaf) {
    throw new TorchError(`a leaf Variable that requires grad is being used in an in-place operation. (${op})`);
  }
  if (t._inference && !gradState.inference && t.requiresGrad) throw new TorchError('Inplace update to inference tensor outside InferenceMode is not allowed.');
}

/** Tensors a custom Function returned as views (a module's backward-hook wrappers, lib/nn/backward_hook.ts), by
 *  PyTorch's name for them ('Output 0 of BackwardHookFunctionBackward'): modifying one in place is refused. */
export const customFunctionViews = new WeakMap<Tensor, string>();

/** In-place on a view of a leaf that requires grad is refused, as PyTorch refuses it; so is in-place on a view a
 *  custom Function made (customFunctionViews). */
export function checkViewOfLeafInplace(t: Tensor): void {
  const cv = customFunctionViews.get(t);
  if (cv !== undefined && gradState.enabled) {
    throw new TorchError(`${cv} is a view and is being modified inplace. This view was created inside a custom Function (or because an input was returned as-is) and the autograd logic to handle view+inplace would override the custom backward associated with the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix this by cloning the output of the custom Function.`);
  }
  const b = t._base;
  if (b && b !== t && gradState.enabled && b.requiresGrad && b.isLeaf) {
    throw new TorchError('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
}

/** the written-to tensor must not be an expanded view (more than one element at one memory location) */
export function checkNotOverlapping(out: Tensor, op: string): void {
  for (let i = 0; i < out.ndim; i++) {
    if (out._strides[i] === 0 && out.shape[i] > 1) {
      throw new TorchError(`${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.`);
    }
  }
}

/** PyTorch's rule for writing a result of dtype `rt` into a tensor of dtype `dst` (in place or out=): no float
 *  into an integer tensor, no integer into bool. */
export function checkResultCast(rt: DType, dst: DType, hint = true): void {
  const rank = (d: DType): number => (d === 'bool' ? 0 : isFloating(d) ? 2 : 1);
  if (rank(rt) > rank(dst)) {
    throw new TorchError(`result type ${E.typeName(rt)} can't be cast to the desired output type ${E.typeName(dst)}${hint && isFloating(rt) ? intFromNumbersHint(dst) : ''}`);
  }
}

function bump(self: Tensor): void {
  self._st.version++;
  self._viewVer = self._st.version;
}

/** Runs an op in place on `self`: with a graph being recorded, out-of-place (with autograd) on a copy of self and
 *  written back, self taking the result's history; otherwise `direct` writes self's storage. */
export function inplaceCompute(self: Tensor, op: string, compute: (src: Tensor) => Tensor, direct: (out: Tensor) => void, others: readonly unknown[] = []): Tensor {
  checkInplace(self, op);
  const grads = needsGrad([self, ...others.filter((x): x is Tensor => x instanceof Tensor)]);
  if (grads) {
    // the op's saved values must not alias self (it is overwritten below), so the graph computes from a copy
    const r = compute(E.clone(self));
    gradState.enabled = false;
    try { E.copyInto(self, r); } finally { gradState.enabled = true; }
    bump(self);  // this view's history is the one set here, not a stale one
    // a result that depends on no differentiable input (copy_ of a constant) still cuts self's old history off:
    // PyTorch's CopyBackwards, which sends zeros to what self was
    self._setGradFn(r.gradFn ?? new Node('CopyBackwards', [edgeOf(self)], (g) => [E.mulScalar(g, 0)], []));
    E.rebaseView(self);
    return self;
  }
  direct(self);
  self._st.version++;
  return self;
}

/** The generic in-place variant of a schema row: `outOfPlace(self)` is the op's out-of-place result; it must be
 *  castable to self's dtype and have self's shape (a broadcast that would grow self is an error, as in PyTorch). */
export function inplaceResult(self: Tensor, op: string, outOfPlace: (src: Tensor) => Tensor, others: readonly unknown[] = []): Tensor {
  const checked = (r: Tensor): Tensor => {
    checkResultCast(r.dtype, self.dtype);
    if (r.shape.length !== self.shape.length || r.shape.some((s, i) => s !== self.shape[i])) {
      throw new TorchError(`${op}: output with shape [${self.shape.join(', ')}] doesn't match the broadcast shape [${r.shape.join(', ')}]`);
    }
    return r.dtype === self.dtype ? r : E.toDtype(r, self.dtype);
  };
  return inplaceCompute(self, op, (src) => checked(outOfPlace(src)), (out) => {
    const r = checked(outOfPlace(out));
    const prev = gradState.enabled;
    gradState.enabled = false;
    try { E.copyInto(out, r); } finally { gradState.enabled = prev; }
  }, others);
}

/** How an op run truly in place differentiates: its node's name and formula, given the gradient and the value the
 *  formula reads: the op's result (self after the op, saved at its new version, as PyTorch's relu_ saves `result`),
 *  a copy of the input taken before the op (PyTorch saves `self.clone()` for such in-place ops), or nothing. */
export interface InplaceGrad { name: string; uses: 'result' | 'input' | 'none'; f: (g: Tensor, v: Tensor) => Tensor }

/** Runs `kernel` on self's own storage (no new tensor, no copy back); self's history becomes `grad`'s node. */
export function inplaceKernel(self: Tensor, op: string, kernel: (t: Tensor) => void, grad: InplaceGrad | null): Tensor {
  checkInplace(self, op);
  if (grad === null || !isFloating(self.dtype) || !needsGrad([self])) {
    kernel(self);
    self._st.version++;
    return self;
  }
  const prev = edgeOf(self);
  const xin = grad.uses === 'input' ? E.clone(self) : null;  // recorded: a createGraph gradient reaches self's history
  kernel(self);
  bump(self);
  const v = xin ?? self;
  const f = grad.f;
  self._setGradFn(new Node(grad.name, [prev], (g) => [f(g, v)], grad.uses === 'result' ? [[self, self._st.version]] : []));
  E.rebaseView(self);
  return self;
}

/** A raw write into self with autograd off, then one node `name` on self over [self, ...others] (its edge to self's
 *  previous history is taken before the new node replaces it: record() reads the edges first). */
export function inplaceRecord(self: Tensor, op: string, others: (Tensor | null)[], write: () => void, name: string, fn: BackwardFn): Tensor {
  checkInplace(self, op);
  const want = needsGrad([self, ...others]);
  const prev = gradState.enabled;
  gradState.enabled = false;
  try { write(); } finally { gradState.enabled = prev; }
  bump(self);  // (needsGrad above already refreshed a stale history)
  if (want) { record(name, [self, ...others], self, fn); E.rebaseView(self); }
  return self;
}
