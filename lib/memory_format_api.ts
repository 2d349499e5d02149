// memory_format_api.ts - the memory-format forms of the Tensor methods (PyTorch's memory_format= arguments):
// x.contiguous({ memoryFormat }), x.isContiguous({ memoryFormat }), x.clone({ memoryFormat }) (cloneAs; the method is
// a schema row), x.to(..., {
// memoryFormat }), and the leaf-gradient layout. The stride rules live in lib/memory_format.ts.
import { Tensor, layoutHooks, keptByLibrary, computeContiguousStrides } from './tensor';
import { TorchError, checkKeys } from './errors';
import { record } from './autograd/engine';
import { isOptions } from './ops/util';
import { copyInto } from './ops/elementwise';
import './ops/methods';
import {
  MemoryFormat, toMemoryFormat, isContiguousAs, likeStrides, emptyStrided_, suggestMemoryFormat, isNonOverlappingAndDense,
} from './memory_format';

type T = Tensor;
export interface MemoryFormatOpts { memoryFormat?: MemoryFormat }

declare module './tensor' {
  interface Tensor {
    /** to({ memoryFormat }), to(dtype | device, { memoryFormat }): as to(), then laid out in memoryFormat */
    to(opts: { dtype?: string; device?: unknown; copy?: boolean; nonBlocking?: boolean; memoryFormat?: MemoryFormat }): Tensor;
    to(target: unknown, opts: { copy?: boolean; nonBlocking?: boolean; memoryFormat?: MemoryFormat }): Tensor;
    to(target: unknown, second: unknown, opts: { copy?: boolean; nonBlocking?: boolean; memoryFormat?: MemoryFormat }): Tensor;
  }
}

function fmtOf(opts: unknown, op: string): MemoryFormat {
  if (!isOptions(opts)) throw new TypeError(`${op}(): expected an options object { memoryFormat }, got ${typeof opts}`);
  checkKeys(op, opts, ['memoryFormat']);
  return opts.memoryFormat === undefined ? (op === 'contiguous' || op === 'isContiguous' ? 'contiguousFormat' : 'preserveFormat') : toMemoryFormat(opts.memoryFormat, op);
}

/** clone(t, memory_format): a copy laid out in fmt (preserveFormat: PyTorch's empty_like rule); CloneBackward0 */
export function cloneAs(t: T, fmt: MemoryFormat, op = 'clone'): T {
  t._check();
  const out = emptyStrided_(t.shape.slice(), likeStrides(t, fmt, op), t.dtype, t.device);
  copyInto(out, t);
  return record('CloneBackward0', [t], out, (g) => [g]);
}

/** contiguous(t, memory_format) */
export function contiguousAs(t: T, fmt: MemoryFormat): T {
  t._check();
  if (fmt === 'preserveFormat') throw new TorchError('contiguous(): preserve memory format is unsupported by the contiguous operator');
  if (isContiguousAs(t.shape, t._strides, fmt)) return t;
  return cloneAs(t, fmt, 'contiguous');
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
const baseTo = P.to as (this: T, ...a: unknown[]) => T;

// (contiguous({ memoryFormat }) and clone({ memoryFormat }) are rows of lib/ops/ops.schema, through contiguousAs and
// cloneAs)
// to(..., { memoryFormat }): the memoryFormat key is taken out and the rest handled by the plain to(); PyTorch's
// to_will_alias: with no dtype/device change and no copy, this tensor itself when its suggested memory format is
// the one asked for, else a copy laid out so
P.to = function (this: T, ...args: unknown[]): T {
  let fmt: MemoryFormat | undefined;
  const rest = args.map((a) => {
    if (!isOptions(a) || !('memoryFormat' in a)) return a;
    const { memoryFormat, ...others } = a as Record<string, unknown>;
    if (memoryFormat !== undefined) fmt = toMemoryFormat(memoryFormat, 'to');
    return others;
  });
  if (fmt === undefined) return baseTo.apply(this, args);
  this._check();
  // to({ memoryFormat }) alone
  const only = rest.length === 1 && isOptions(rest[0]) && Object.keys(rest[0]).length === 0;
  const r = only ? this : baseTo.apply(this, rest);
  if (fmt === 'preserveFormat') return r;
  if (r === this) return suggestMemoryFormat(this) === fmt ? this : cloneAs(this, fmt, 'to');
  // a fresh copy (dtype or device changed): laid out in fmt
  return isContiguousAs(r.shape, r._strides, fmt) ? r : cloneAs(r, fmt, 'to');
};

layoutHooks.isContiguousAs = (t: T, opts: unknown): boolean => {
  const fmt = fmtOf(opts, 'isContiguous');
  return isContiguousAs(t.shape, t._strides, fmt);
};

// PyTorch's gradient layout contract (AccumulateGrad) for 4-d and 5-d leaves: the first gradient of a dense leaf is
// laid out with the leaf's strides (kept as it comes when it matches them outside size-1 dims, as PyTorch steals
// such a gradient); a leaf that is not dense gets a contiguous gradient. Other ranks: a plain clone, as before.
layoutHooks.gradLike = (g: T, leaf: T): T => {
  if ((leaf.ndim !== 4 && leaf.ndim !== 5) || g.ndim !== leaf.ndim) return g.clone();
  let strides: number[];
  if (!isNonOverlappingAndDense(leaf.shape, leaf._strides)) strides = computeContiguousStrides(g.shape);
  else {
    // (a channels-last leaf: PyTorch's channels-last kernels hand it gradients with exact channels-last strides, size-1
    // dims included, which is what the leaf has)
    const clLeaf = suggestMemoryFormat(leaf, true) !== 'contiguousFormat';
    const obeys = !clLeaf && g.shape.every((s, i) => (s !== 1 ? g._strides[i] === leaf._strides[i] : g._strides[i] !== 0));
    strides = (obeys ? g._strides : leaf._strides).slice();
  }
  const out = emptyStrided_(g.shape.slice(), strides, g.dtype, g.device);
  copyInto(out, g);
  keptByLibrary.add(out);
  return out;
};
