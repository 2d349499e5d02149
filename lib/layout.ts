// layout.ts - PyTorch's tensor layouts (torch.layout): nodetorch's tensors are all strided (dense), so torch.strided is
// the one layout an op makes; torch.sparseCoo (PyTorch's torch.sparse_coo) exists so that a call naming it gets
// PyTorch's own name in a TorchError rather than a TypeError about an unknown value. The creation ops take
// `{ layout }` (ops.schema's `layout: Layout?` parameters: the generated call checks it with checkLayout and does not
// pass it on), and `pinMemory` (pinResult: the result's pinMemory(), as PyTorch's pin_memory=True).
import { TorchError } from './errors';
import { describeValue } from './dtype';
import type { Tensor } from './tensor';

/** torch.layout: the type of torch.strided and torch.sparseCoo (`String(torch.strided)` is 'torch.strided', as
 *  PyTorch prints it). N is the layout's PyTorch name; only `layout<'strided'>` is taken by nodetorch's ops. */
export class layout<N extends string = string> {
  /** PyTorch's name of the layout ('strided', 'sparse_coo') */
  readonly name: N;
  /** @internal */
  constructor(name: N) { this.name = name; Object.freeze(this); }
  toString(): string { return `torch.${this.name}`; }
  toJSON(): string { return this.toString(); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
/** torch.layout, by its TypeScript-style name */
export type Layout = layout;
/** torch.strided: a dense tensor of sizes and strides, the layout of every nodetorch tensor */
export const strided: layout<'strided'> = new layout('strided');
/** torch.sparse_coo: PyTorch's sparse COO layout; nodetorch has no sparse tensors, and every op refuses it */
export const sparseCoo: layout<'sparse_coo'> = new layout('sparse_coo');

/** What a `layout` option takes: torch.strided (or its name, 'strided' or 'torch.strided'). */
export type StridedLayout = layout<'strided'> | 'strided' | 'torch.strided';

/** The `layout` option of op: null (the default) and strided pass; another layout is a TorchError naming the op and
 *  the layout, anything else a TypeError (PyTorch's "argument 'layout' must be torch.layout"). */
export function checkLayout(op: string, v: unknown): void {
  if (v === null || v === undefined || v === strided || v === 'strided' || v === 'torch.strided') return;
  if (v instanceof layout) {
    throw new TorchError(`${op}(): layout=${v} is not supported: nodetorch tensors are strided (dense) only, no sparse tensors; use torch.strided (the default)`);
  }
  if (typeof v === 'string' && /^(torch\.)?(sparse_coo|sparseCoo|sparse_csr|sparseCsr|sparse_csc|sparse_bsr|sparse_bsc|_mkldnn)$/.test(v)) {
    throw new TorchError(`${op}(): layout '${v}' is not supported: nodetorch tensors are strided (dense) only, no sparse tensors; use torch.strided (the default)`);
  }
  throw new TypeError(`${op}(): argument 'layout' must be torch.layout (torch.strided), not ${describeValue(v)}`);
}

/** The `pinMemory` option of a creation op: the result itself when false or null, else the result's pinMemory()
 *  (PyTorch's pin_memory=True; a CPU-only build refuses it as PyTorch's does, naming the op); the pinned copy keeps
 *  requires_grad. */
export function pinResult<T extends Tensor>(op: string, pin: unknown, r: T): T {
  if (pin === null || pin === undefined || pin === false) return r;
  if (pin !== true) throw new TypeError(`${op}(): argument 'pin_memory' must be bool, not ${describeValue(pin)}`);
  if (r.device.type !== 'cpu') throw new TorchError(`${op}(): pin_memory=True: only CPU tensors can be pinned, but the result is on ${r.device} (pinned memory is host memory)`);
  let p: Tensor;
  try { p = r.pinMemory(); } catch (e) {
    throw new TorchError(`${op}(pinMemory=true): ${(e as Error).message}`);
  }
  if (r.requiresGrad && !p.requiresGrad) p.requiresGrad_(true);
  return p as T;
}
