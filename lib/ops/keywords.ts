// keywords.ts - PyTorch's keyword names for the hand-written ops, those that are not rows of ops.schema (yet). Why each
// stays hand-written:
//   squeeze_, unsqueeze_  change self's geometry, not its elements: the in-place protocol (write, then rewire)
//               cannot say them
//   torch.indexPut_  the function form of an in-place op, which rows do not generate (x.indexPut_ and
//               torch.indexPut are the index_put row's, with the IndexSpec type)
//   to          dispatches on its first argument's kind (dtype, device, tensor), with different option sets per form
//               (PyTorch's positional nonBlocking and copy after each; memoryFormat by name)
//   cuda        a device move whose device argument is an index, a name or a torch.device (device?, nonBlocking?,
//               then { memoryFormat })
//   type        returns the type name (a string) without a dtype, a tensor with one: two result types by arity
//               (dtype?, nonBlocking?; also PyTorch's type names, 'torch.DoubleTensor')
//   size, stride  the class's own accessors (number or number[] by whether dim is given), read on hot paths
//   backward    the autograd engine's entry (lib/autograd), not an op: records nothing and returns nothing
//   einsum      varargs operands (einsum('ij,jk', a, b)) after the equation: no Tensor... type
//   unique, unique_consecutive  return_inverse and return_counts decide whether it returns one, two or three tensors
//               (both in lib/ops/indexing.ts; unique_consecutive's dim too)
//   cpu, float, double, half, bfloat16, long, int, short, char, byte, bool  Python-level conversion methods in PyTorch
//               too (python_variable_methods.cpp, not ATen ops): thin calls of to() (lib/ops/methods.ts)
//   chain_matmul, block_diag, atleast_1d/2d/3d  varargs tensors (PyTorch's *tensors: no Tensor... type);
//               transpose_, t_, swapaxes_, swapdims_  a geometry change, as squeeze_ (both in lib/ops/shape_more.ts)
//   meshgrid, cartesian_prod  varargs tensors too (meshgrid's keyword-only indexing after them; lib/ops/shape.ts).
//               The shape sweep's other ops are rows since this stop (diag, diag_embed, diagflat, trace, kron,
//               combinations, searchsorted, bucketize, histc, bincount, F.pdist), and its duplicates of rows (rot90,
//               dstack ... the new_* factories, empty_strided) are gone: the rows' versions were what ran
// (zero_, detach_ and contiguous({ memoryFormat }) are rows since this stop; so are nn.functional's
// scaled_dot_product_attention and multi_head_attention_forward, with PyTorch's parameter lists.)
// The varargs shapes (reshape, view and its view(dtype) overload, permute, expand, repeat, tile: the schema's int...
// after the input), view_as/reshape_as, split (the method's split_size keyword: the row's other name for
// split_size_or_sections) and index_put (x.indexPut(_), torch.indexPut: the IndexSpec type) are rows; so are the creation ops (tensor, asTensor, frombuffer, zeros ... randnLike, arange, randint,
// normal: their varargs sizes (int...), overloads by value and keyword-only options are the schema's), the matmul
// family, norm and the small Tensor ops (equal, isclose, clone, copy_, fill_, nonzero, bernoulli, ...): ops.schema's
// last sections; and torch.nn.functional's functions (ops.schema's F rows), the attention forms included.
// None of these takes out= in PyTorch 1.13 either (einsum, unique, squeeze_, index_put_ refuse it; checked with
// /usr/bin/python3): out= is the schema rows' (test/keyword_audit.test.ts audits it on every torch.* overload with an
// out form, OUT_GAPS listing those PyTorch's Python functions refuse). Every PyTorch keyword of every op is taken: the
// audit has no exemption left for layout, pin_memory (the creation rows), sparse_grad (gather), implicit (expand),
// non_blocking (to, copy_, type, cuda) or out, nor a positional gap (the deprecated add/sub(input, alpha, other),
// torch.norm's positional out and dtype, to's and unique's flags).
// Each listed op takes its positional parameters also by camelCase name in its options object, as the schema's ops do
// (`torch.sort({ input: x, descending: true })`, `x.topk({ k: 2 })`, `torch.tensor({ data: [1, 2] })`):
// the named ones are moved into place (util.ts's kwLeading: a name also given positionally, or a required one left
// out, is a TypeError naming the op) and the op parses the call as before. test/keyword_audit.test.ts checks every
// name against PyTorch 1.13's signatures.
import { Tensor } from '../tensor';
// the methods this file wraps must exist when it loads, whichever module of lib/ is imported first (shape_more.ts,
// reached from lib/distributed through families.ts, imports this file before lib/index.ts has loaded methods.ts)
import './methods';
import './shape';
import { isOptions, kwLeading } from './util';
import type { DTypeName } from '../dtype';
import type { IndexSpec } from './indexing';
import type { Device } from '../device';
import type { MemoryFormat } from '../memory_format';

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

// ---- the keyword forms' declarations ------------------------------------------------------------------------------------
// withKeywords(op, sig, f) is typed `typeof f & KeywordForms<op, sig, typeof f>`: one added overload per prefix of the
// positional parameters (per alternative of sig), each taking the rest as exact option keys (the required ones
// required) merged with f's own options object; an unknown key is a compile error (excess property check). A
// parameter's type is f's own positional type at that place (less its options-object members), or, where f says
// `unknown` (varargs, value overloads), KeywordTypes' entry for the op, else ParamTypes' for the name. The options
// object is f's (its parameters' plain-object members) unless KeywordTypes gives `$opts`; where f's own declaration
// takes `unknown`, KeywordTypes' `$own` replaces it (the run time is f's either way). test/types/keywords_forms.ts
// holds the must/must-not-compile lines, test/keyword_forms.test.ts runs the valid ones.

/** a parameter's usual type by its (camelCase PyTorch) name, where the function itself does not say */
export interface ParamTypes {
  input: Tensor; other: Tensor; target: Tensor; weight: Tensor; bias: Tensor | null; tensor: Tensor; src: Tensor;
  mat1: Tensor; mat2: Tensor; mat: Tensor; vec: Tensor; vec2: Tensor; batch1: Tensor; batch2: Tensor;
  input1: Tensor; input2: Tensor; x1: Tensor; x2: Tensor; values: Tensor;
  runningMean: Tensor | null; runningVar: Tensor | null;
  dim: number; keepdim: boolean; p: number; training: boolean; inplace: boolean;
  rtol: number; atol: number; equalNan: boolean; accumulate: boolean; nonBlocking: boolean;
  size: number | readonly number[]; stride: readonly number[]; storageOffset: number;
  shape: number | readonly number[]; dims: number | readonly number[];
  fillValue: number | boolean; n: number; m: number; start: number; end: number; step: number; steps: number;
  low: number; high: number; mean: number; std: number; data: unknown;
}
/** per op (PyTorch's name): the parameter types that differ from ParamTypes, `$opts` (the options object) and `$own`
 *  (the positional declaration, where the function's own is `(...args: unknown[])`) */
export interface KeywordTypes {
  index_put_: { indices: IndexSpec[] | IndexSpec; values: Tensor | number | boolean; $opts: { accumulate?: boolean } };
}

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;
type SplitOn<S extends string, D extends string> = S extends `${infer H}${D}${infer R}` ? [Trim<H>, ...SplitOn<R, D>] : Trim<S> extends '' ? [] : [Trim<S>];
/** 'name' -> [name, required]; 'name?' and 'name=default' are optional */
type ParamOf<S extends string> = S extends `${infer N}?` ? [N, false] : S extends `${infer N}=${string}` ? [N, false] : [S, true];
type ParamsOf<L extends string[]> = L extends [infer H extends string, ...infer R extends string[]] ? [ParamOf<H>, ...ParamsOf<R>] : [];
/** the alternatives of a sig, each its positional parameters as [name, required] (the keyword-only part after ';' is
 *  the options object's) */
type AltsOf<S extends string> = SplitOn<S, '|'> extends infer A extends string[] ? { [I in keyof A]: ParamsOf<SplitOn<A[I] extends `${infer P};${string}` ? P : A[I], ','>> } : never;

type Fn = (...a: never[]) => unknown;
/** X's plain-object members (an options object), not tensors, arrays, functions or primitives */
type PlainOf<X> = X extends Tensor | readonly unknown[] | Fn | string | number | boolean | bigint | symbol | null | undefined ? never : X extends object ? X : never;
type ArgsOf<F> = F extends (...a: infer A) => unknown ? A : never;
type PlainIn<A extends unknown[]> = { [I in keyof A]-?: PlainOf<A[I]> }[number];
type OwnOpts<F> = PlainIn<ArgsOf<F>>;
type Or<X, D> = [X] extends [never] ? D : X;
type Entry<O> = O extends keyof KeywordTypes ? KeywordTypes[O] : {};
type OptsFor<O, F> = Entry<O> extends { $opts: infer X } ? Or<X, unknown> : Or<OwnOpts<F>, unknown>;
/** parameter N (the I-th) of op O */
type TypeFor<O, F, I extends number, N extends string> =
  N extends keyof Entry<O> ? Entry<O>[N]
  : unknown extends ArgsOf<F>[I] ? (N extends keyof ParamTypes ? ParamTypes[N] : unknown)
  : Exclude<ArgsOf<F>[I], PlainOf<ArgsOf<F>[I]> | undefined>;
type Flat<X> = { [K in keyof X]: X[K] };
/** the options object naming the parameters Ps, the I-th parameter first */
type Named<O, F, Ps extends [string, boolean][], I extends unknown[]> =
  Ps extends [infer H extends [string, boolean], ...infer R extends [string, boolean][]]
    ? (H[1] extends true ? { [K in H[0]]: TypeFor<O, F, I['length'], H[0]> } : { [K in H[0]]?: TypeFor<O, F, I['length'], H[0]> }) & Named<O, F, R, [...I, unknown]>
    : unknown;
type Ret<F> = F extends (...a: never[]) => infer R ? R : never;
/** X less the keys K (each member of a union on its own) */
type Without<X, K extends PropertyKey> = [K] extends [never] ? X : unknown extends X ? unknown : X extends object ? Omit<X, K> : X;
/** the forms of one alternative: the parameters before Ps positional (their names: Given), Ps named; the op's options
 *  object less the names given positionally (a name given twice is refused at run time) */
type AltForms<O, F, Ps extends [string, boolean][], Pre extends unknown[] = [], Given extends string = never> =
  Ps extends [infer H extends [string, boolean], ...infer R extends [string, boolean][]]
    ? ((...args: [...Pre, opts: Flat<Named<O, F, Ps, Pre> & Without<OptsFor<O, F>, Given>>]) => Ret<F>)
      & AltForms<O, F, R, [...Pre, TypeFor<O, F, Pre['length'], H[0]>], Given | H[0]>
    : unknown;
type AllForms<O, F, A> = A extends [infer H extends [string, boolean][], ...infer R] ? AltForms<O, F, H> & AllForms<O, F, R> : unknown;
/** the keyword forms of op O (PyTorch's name), signature S (as withKeywords takes it), of function F */
export type KeywordForms<O extends string, S extends string, F> = AllForms<O, F, AltsOf<S>>;
/** the positional declaration of op O: KeywordTypes' `$own` where the function's own takes `unknown`, else F */
export type OwnForms<O extends string, F> = Entry<O> extends { $own: infer G } ? G : F;

/** f taking its positional parameters (sig, PyTorch's names) also by name: f's type and the keyword forms */
export function withKeywords<O extends string, S extends string, F extends Fn>(op: O, sig: S, f: F): OwnForms<O, F> & KeywordForms<O, S, F> {
  const g = function (this: unknown, ...args: unknown[]): unknown {
    return (f as unknown as (...a: unknown[]) => unknown).apply(this, keywordArgs(op, sig, args));
  };
  Object.defineProperty(g, 'name', { value: f.name });
  return g as unknown as OwnForms<O, F> & KeywordForms<O, S, F>;
}

// ---- Tensor methods (self bound; sig without it) ----------------------------------------------------------------------
// the keyword forms of the methods below (the positional forms are declared with each method's family)
type KwT = Tensor;
declare module '../tensor' {
  interface Tensor {
    cuda(opts: { device?: number | string | Device | null; nonBlocking?: boolean; memoryFormat?: MemoryFormat }): KwT;
    to(opts: { other: KwT }): KwT;
    squeeze_(opts: { dim?: number }): KwT;
    unsqueeze_(opts: { dim: number }): KwT;
    type(opts: { dtype: DTypeName; nonBlocking?: boolean }): KwT;
  }
}
// (required parameters have no '?'; the optional ones end in '?')
const METHODS: Record<string, [string, Sig]> = {
  backward: ['backward', 'gradient?'],
  cuda: ['cuda', 'device?, nonBlocking?; memoryFormat'],
  to: ['to', 'other'],
  size: ['size', 'dim?'],
  stride: ['stride', 'dim?'],
  squeeze_: ['squeeze_', 'dim?'],
  unsqueeze_: ['unsqueeze_', 'dim'],
  type: ['type', 'dtype?, nonBlocking?'],
};

// ---- torch.* functions ---------------------------------------------------------------------------------------------------
export const FUNCTION_SIGS = {
  indexPut_: ['index_put_', 'input, indices, values, accumulate?'],
} as const satisfies Record<string, readonly [string, Sig]>;

const P = Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const [name, [op, sig]] of Object.entries(METHODS)) {
  const f = P[name];
  if (typeof f !== 'function') throw new Error(`keywords.ts: Tensor.${name} is not defined`);
  P[name] = withKeywords(op, sig, f);
}

type FS = typeof FUNCTION_SIGS;
/** the torch.* functions of FUNCTION_SIGS, taking their positional parameters by name (lib/index.ts exports these) */
export function keywordFunctions<M extends { [K in keyof M]: K extends keyof FS ? Fn : never }>(fns: M): { [K in keyof M]: K extends keyof FS ? OwnForms<FS[K][0], M[K]> & KeywordForms<FS[K][0], FS[K][1], M[K]> : never } {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fns)) {
    const s = (FUNCTION_SIGS as Record<string, readonly [string, Sig]>)[name];
    if (!s) throw new Error(`keywords.ts: no signature for torch.${name}`);
    out[name] = withKeywords(s[0], s[1], f as Fn);
  }
  return out as { [K in keyof M]: K extends keyof FS ? OwnForms<FS[K][0], M[K]> & KeywordForms<FS[K][0], FS[K][1], M[K]> : never };
}
