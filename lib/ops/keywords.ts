// keywords.ts - PyTorch's keyword names for the hand-written ops, those that are not rows of ops.schema yet (why, per
// family: varargs shapes (zeros(2, 3), permute(1, 0)), overloads by value (arange(end) / arange(start, end),
// randint(high, size) / randint(low, high, size)), or their own parsers predate the schema and are not migrated yet
// (matmul family, creation, norm)). Each listed op takes its positional parameters also by camelCase name in its options object, as the
// schema's ops do (`torch.sort({ input: x, descending: true })`, `x.topk({ k: 2 })`, `torch.zeros({ size: [2, 3] })`):
// the named ones are moved into place (util.ts's kwLeading: a name also given positionally, or a required one left
// out, is a TypeError naming the op) and the op parses the call as before. test/keyword_audit.test.ts checks every
// name against PyTorch 1.13's signatures.
import { Tensor } from '../tensor';
import { isOptions, kwLeading } from './util';

/** an op's positional parameters in PyTorch's order (`name?`: optional, `name=value`: optional with that default, put
 *  in place of a parameter left out before a named one), then after ';' the keyword-only ones, which stay in the
 *  options object; alternatives (overloads) separated by '|': the first that can take every named key applies
 *  (`max`: 'input | input, dim, keepdim? | input, other') */
type Sig = string;
interface Alt { names: string[]; defs: unknown[]; required: number; kw: string[] }
const parsed = new Map<Sig, Alt[]>();
function alts(sig: Sig): Alt[] {
  let a = parsed.get(sig);
  if (a) return a;
  a = sig.split('|').map((s) => {
    const [pos, kw = ''] = s.split(';');
    const ps = pos.split(',').map((n) => n.trim()).filter(Boolean);
    const names = ps.map((n) => n.replace(/[?=].*$/, ''));
    const defs = ps.map((n) => (n.includes('=') ? JSON.parse(n.slice(n.indexOf('=') + 1)) : undefined));
    return { names, defs, required: ps.filter((n) => !/[?=]/.test(n)).length, kw: kw.split(',').map((n) => n.trim()).filter(Boolean) };
  });
  parsed.set(sig, a);
  return a;
}

/** the arguments of a call with the named positional parameters moved into place */
export function keywordArgs(op: string, sig: Sig, args: readonly unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n === 0 || !isOptions(args[n - 1])) return args as unknown[];
  const at = n - 1;
  const keys = Object.keys(args[at] as object);
  const all = alts(sig);
  const known = keys.filter((k) => all.some((a) => a.names.includes(k) || a.kw.includes(k)));
  const alt = all.find((a) => known.every((k) => a.names.slice(at).includes(k) || a.kw.includes(k)));
  if (!alt || !keys.some((k) => alt.names.slice(at).includes(k))) return args as unknown[];  // the op's own parsing and messages
  const out = kwLeading(op, args, alt.names, alt.required);
  for (let k = at; k < out.length && k < alt.names.length; k++) if (out[k] === undefined && alt.defs[k] !== undefined) out[k] = alt.defs[k];
  return out;
}

/** f taking its positional parameters (sig, PyTorch's names) also by name: the same function type */
export function withKeywords<F extends (...a: never[]) => unknown>(op: string, sig: Sig, f: F): F {
  const g = function (this: unknown, ...args: unknown[]): unknown {
    return (f as unknown as (...a: unknown[]) => unknown).apply(this, keywordArgs(op, sig, args));
  };
  Object.defineProperty(g, 'name', { value: f.name });
  return g as unknown as F;
}

// ---- Tensor methods (self bound; sig without it) ----------------------------------------------------------------------
// (required parameters have no '?'; the optional ones end in '?')
const METHODS: Record<string, [string, Sig]> = {
  allclose: ['allclose', 'other, rtol?, atol?, equalNan?'],
  isclose: ['isclose', 'other, rtol?, atol?, equalNan?'],
  equal: ['equal', 'other'],
  asStrided: ['as_strided', 'size, stride, storageOffset?'],
  addmm: ['addmm', 'mat1, mat2'],
  addmv: ['addmv', 'mat, vec'],
  baddbmm: ['baddbmm', 'batch1, batch2'],
  bmm: ['bmm', 'mat2'],
  mm: ['mm', 'mat2'],
  mv: ['mv', 'vec'],
  dot: ['dot', 'tensor'],
  ger: ['ger', 'vec2'],
  outer: ['outer', 'vec2'],
  matmul: ['matmul', 'other'],
  backward: ['backward', 'gradient?'],
  copy_: ['copy_', 'src, nonBlocking?'],
  fill_: ['fill_', 'value'],
  cuda: ['cuda', 'device?'],
  to: ['to', 'other'],
  view: ['view', 'size | dtype'],
  split: ['split', 'splitSize, dim?'],
  reshapeAs: ['reshape_as', 'other'],
  viewAs: ['view_as', 'other'],
  size: ['size', 'dim?'],
  stride: ['stride', 'dim?'],
  squeeze_: ['squeeze_', 'dim?'],
  unsqueeze_: ['unsqueeze_', 'dim'],
  type: ['type', 'dtype?'],
  indexPut: ['index_put', 'indices, values, accumulate?'],
  indexPut_: ['index_put_', 'indices, values, accumulate?'],
};

// ---- torch.* functions ---------------------------------------------------------------------------------------------------
export const FUNCTION_SIGS: Record<string, [string, Sig]> = {
  aminmax: ['aminmax', 'input'],
  tensor: ['tensor', 'data'],
  asTensor: ['as_tensor', 'data'],
  frombuffer: ['frombuffer', 'buffer'],
  arange: ['arange', 'end | start, end, step?'],
  argwhere: ['argwhere', 'input'],
  asStrided: ['as_strided', 'input, size, stride, storageOffset?'],
  asStridedScatter: ['as_strided_scatter', 'input, src, size, stride, storageOffset?'],
  addmm: ['addmm', 'input, mat1, mat2'],
  addmv: ['addmv', 'input, mat, vec'],
  baddbmm: ['baddbmm', 'input, batch1, batch2'],
  bmm: ['bmm', 'input, mat2'],
  mm: ['mm', 'input, mat2'],
  mv: ['mv', 'input, vec'],
  dot: ['dot', 'input, tensor'],
  ger: ['ger', 'input, vec2'],
  outer: ['outer', 'input, vec2'],
  matmul: ['matmul', 'input, other'],
  bernoulli: ['bernoulli', 'input, p?'],
  clone: ['clone', 'input'],
  detach: ['detach', 'input'],
  frac: ['frac', 'input'],
  sgn: ['sgn', 'input'],
  signbit: ['signbit', 'input'],
  isposinf: ['isposinf', 'input'],
  isneginf: ['isneginf', 'input'],
  nonzero: ['nonzero', 'input'],
  numel: ['numel', 'input'],
  empty: ['empty', 'size'],
  zeros: ['zeros', 'size'],
  ones: ['ones', 'size'],
  rand: ['rand', 'size'],
  randn: ['randn', 'size'],
  emptyLike: ['empty_like', 'input'],
  zerosLike: ['zeros_like', 'input'],
  onesLike: ['ones_like', 'input'],
  randLike: ['rand_like', 'input'],
  randnLike: ['randn_like', 'input'],
  full: ['full', 'size, fillValue'],
  fullLike: ['full_like', 'input, fillValue'],
  equal: ['equal', 'input, other'],
  allclose: ['allclose', 'input, other, rtol?, atol?, equalNan?'],
  isclose: ['isclose', 'input, other, rtol?, atol?, equalNan?'],
  eye: ['eye', 'n, m?'],
  linspace: ['linspace', 'start, end, steps'],
  logspace: ['logspace', 'start, end, steps'],
  norm: ['norm', 'input, p=null, dim=null, keepdim=false'],
  permute: ['permute', 'input, dims'],
  reshape: ['reshape', 'input, shape'],
  tile: ['tile', 'input, dims'],
  randint: ['randint', 'high, size | low, high, size'],
  randperm: ['randperm', 'n'],
  normal: ['normal', 'mean, std?, size?'],
  indexPut: ['index_put', 'input, indices, values, accumulate?'],
  indexPut_: ['index_put_', 'input, indices, values, accumulate?'],
};

const P = Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const [name, [op, sig]] of Object.entries(METHODS)) {
  const f = P[name];
  if (typeof f !== 'function') throw new Error(`keywords.ts: Tensor.${name} is not defined`);
  P[name] = withKeywords(op, sig, f);
}

/** the torch.* functions of FUNCTION_SIGS, taking their positional parameters by name (lib/index.ts exports these) */
export function keywordFunctions<M extends Record<string, unknown>>(fns: M): M {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fns)) {
    const s = FUNCTION_SIGS[name];
    if (!s) throw new Error(`keywords.ts: no signature for torch.${name}`);
    out[name] = withKeywords(s[0], s[1], f as (...a: never[]) => unknown);
  }
  return out as M;
}
