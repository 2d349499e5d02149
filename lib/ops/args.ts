// args.ts - the one argument parser of the schema's ops (lib/ops/ops.schema -> lib/ops/generated.ts), and `out=`.
// A call gives PyTorch's parameters positionally, in PyTorch's order, and/or in one trailing options object by their
// camelCase names (any parameter, also those PyTorch takes positionally: `torch.flatten(x, { startDim: 1 })`). An
// unknown name, a name also given positionally, too many positional arguments or a missing required one is a
// TypeError naming the op, as Python's own argument errors. Values are checked by the op itself (its messages are
// PyTorch's); the parser fills in the schema's defaults, so an implementation receives every parameter.
import { Tensor, empty_ } from '../tensor';
import { TorchError } from '../errors';
import { describeValue, isDTypeName } from '../dtype';
import { gradState } from '../autograd/mode';
import { checkResultCast } from '../autograd/inplace';
import { isOptions } from './util';
import { copyInto } from './elementwise';
import { OUT_RULES } from './out_rules';
import { Generator } from './creation';

/** A varargs size (ops.schema's `int...`, the row's first parameter, or at `at`: a method's, after its input, whose
 *  numbers from args[at] on are folded: x.reshape(2, 3) is reshape([x, [2, 3]])): leading numbers become one list, so that
 *  zeros(2, 3, opts) parses as zeros([2, 3], opts); a list, or no number at all, is left as it is (zeros([2, 3]),
 *  zeros({ size: [2, 3] })). A number after a list (zeros([2], 3)) stays a second positional argument: a TypeError. */
export function foldVarargs(args: readonly unknown[], at = 0): readonly unknown[] {
  let n = at;
  while (n < args.length && typeof args[n] === 'number') n++;
  return n === at ? args : [...args.slice(0, at), args.slice(at, n), ...args.slice(n)];
}

/** One parameter of a schema row: its camelCase name, whether it is keyword-only, and its default (absent: required). */
export interface ParamSpec {
  readonly name: string; readonly kw?: true; readonly def?: unknown; readonly t?: 'bool' | 'dtype' | 'ints' | 'size' | 'generator' | ParamKind;
  /** other keyword names of this parameter, each for values of one kind (scatter's value=, tensor_split's indices=);
   *  kwt: the kind the parameter's own name takes by keyword */
  readonly alt?: readonly (readonly [string, AltKind])[]; readonly kwt?: AltKind;
}
/** the value kinds of the schema types `float`, `float?`, `bool?` and `floats` (a number, a number or null, a boolean
 *  or null, a number or an array) */
export type ParamKind = 'float' | 'float?' | 'bool?' | 'floats';
type AltKind = 'num' | 'any' | 'int' | 'ints' | 'intOrInts' | 'tensor';
const ALT_OK: Record<AltKind, [(x: unknown) => boolean, string]> = {
  num: [(x) => typeof x === 'number' || typeof x === 'boolean', 'Number'], any: [() => true, 'Tensor or Number'],
  int: [(x) => typeof x === 'number' && Number.isInteger(x), 'int'], ints: [(x) => Array.isArray(x), 'tuple of ints'],
  intOrInts: [(x) => (typeof x === 'number' && Number.isInteger(x)) || Array.isArray(x), 'int or tuple of ints'],
  tensor: [(x) => x instanceof Tensor, 'Tensor'],
};
/** A schema row as the runtime needs it: the op's PyTorch name (for messages), its parameters, whether it takes out=. */
export interface OpSpec { readonly op: string; readonly params: readonly ParamSpec[]; readonly out?: true; readonly npos?: number }

/** The arguments of one call in the schema's order, defaults filled in; `out` is the out= tensor when given. */
export interface Parsed { readonly v: unknown[]; readonly out: Tensor | null }

/** `method`: args[0] is the bound self (tensor.op(...)), left out of the messages' names and counts. */
export function parseCall(spec: OpSpec, args: readonly unknown[], method = false): Parsed {
  const { op, params } = spec;
  const m = method ? 1 : 0;
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let opts: Record<string, unknown> | null = null;
  if (n > 0 && isOptions(args[n - 1])) { opts = args[n - 1] as Record<string, unknown>; n--; }
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (typeof a === 'object' && a !== null && !(a instanceof Tensor) && isOptions(a)) throw new TypeError(`${op}(): the options object must be the last argument`);
  }
  let nPos = spec.npos ?? 0;  // (the generated specs give it)
  if (spec.npos === undefined) while (nPos < params.length && !params[nPos].kw) nPos++;
  if (n > nPos) {
    const names = params.slice(m, nPos).map((p) => p.name + ('def' in p ? '?' : ''));
    throw new TypeError(`${op}() takes (${names.join(', ')}) positionally, then an options object; got ${n - m} positional arguments`);
  }
  const v: unknown[] = new Array(params.length);
  for (let i = 0; i < n; i++) v[i] = args[i];
  let out: Tensor | null = null;
  if (opts) {
    for (const key of Object.keys(opts)) {
      const val = opts[key];
      if (key === 'out' && spec.out && !method) {  // out= is the function's (PyTorch's methods take none)
        if (val === undefined || val === null) continue;
        if (!(val instanceof Tensor)) throw new TypeError(`${op}(): argument 'out' must be Tensor, not ${describeValue(val)}`);
        out = val;
        continue;
      }
      const i = params.findIndex((p) => p.name === key || (p.alt !== undefined && p.alt.some((a) => a[0] === key)));
      if (i >= 0 && params[i].alt !== undefined) {
        const kind = key === params[i].name ? params[i].kwt : params[i].alt!.find((a) => a[0] === key)![1];
        if (kind !== undefined && !ALT_OK[kind][0](val)) throw new TypeError(`${op}(): argument '${key}' must be ${ALT_OK[kind][1]}, not ${describeValue(val)}`);
        if (v[i] !== undefined) throw new TypeError(`${op}(): got multiple values for argument '${key}'${key === params[i].name ? '' : ` (it is another name of '${params[i].name}')`}`);
      }
      if (i < 0) {
        const names = params.slice(m).flatMap((p) => [p.name, ...(p.alt ?? []).map((a) => a[0])]).concat(spec.out && !method ? ['out'] : []);
        throw new TypeError(`${op}(): unexpected option '${key}' (expected ${names.join(', ') || 'none'})`);
      }
      if (i < n && v[i] !== undefined) throw new TypeError(`${op}(): got multiple values for argument '${key}'`);
      v[i] = val;
    }
  }
  // the defaults, and the value checks that no implementation makes: flags, dims' types and dtype names (the rest is
  // checked by the op itself, in PyTorch's words)
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (v[i] === undefined) {
      if (!('def' in p)) throw new TypeError(`${op}(): missing required argument '${p.name}' (positionally, or in the options object by that name)`);
      v[i] = p.def;
    }
    if (p.t === undefined) continue;
    const x = v[i];
    if (p.t === 'bool' && typeof x !== 'boolean') throw new TypeError(`${op}(): argument '${p.name}' must be bool, not ${describeValue(x)}`);
    if (p.t === 'ints' && x !== null && typeof x !== 'number' && !Array.isArray(x)) throw new TypeError(`${op}(): argument '${p.name}' must be int or tuple of ints, not ${describeValue(x)}`);
    if (p.t === 'size' && !Array.isArray(x) && !ArrayBuffer.isView(x)) throw new TypeError(`${op}(): argument '${p.name}' must be tuple of ints, not ${describeValue(x)}`);
    if (p.t === 'generator' && x !== null && !(x instanceof Generator)) throw new TypeError(`${op}(): argument '${p.name}' must be torch.Generator, not ${describeValue(x)}`);
    if (p.t === 'float' && typeof x !== 'number') throw new TypeError(`${op}(): argument '${p.name}' must be float, not ${describeValue(x)}`);
    if (p.t === 'float?' && x !== null && typeof x !== 'number') throw new TypeError(`${op}(): argument '${p.name}' must be float or None, not ${describeValue(x)}`);
    if (p.t === 'floats' && x !== null && typeof x !== 'number' && !Array.isArray(x)) throw new TypeError(`${op}(): argument '${p.name}' must be float or tuple of floats, not ${describeValue(x)}`);
    if (p.t === 'bool?' && x !== null && typeof x !== 'boolean') throw new TypeError(`${op}(): argument '${p.name}' must be bool or None, not ${describeValue(x)}`);
    if (p.t === 'dtype' && x !== null && !isDTypeName(x)) throw new TypeError(`${op}(): argument '${p.name}' must be a dtype name (torch.float32, 'float32', ...), not ${describeValue(x)}`);
  }
  return { v, out };
}

/** out=: the result computed as usual, then written into `out` by PyTorch's rules: the result's dtype must be castable
 *  to out's, out must be on the result's device, and an out of another shape is resized (with a warning when it held
 *  elements, as PyTorch's resize_output). With grad mode on, out= refuses arguments that require grad. */
export function writeOut(op: string, out: Tensor, args: readonly unknown[], compute: () => Tensor): Tensor {
  out._check();
  if (gradState.enabled && (out.requiresGrad || args.some((a) => a instanceof Tensor && a.requiresGrad) || args.some((a) => Array.isArray(a) && a.some((t) => t instanceof Tensor && t.requiresGrad)))) {
    throw new TorchError(`${op}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.`);
  }
  OUT_RULES[op]?.(out, args as unknown[]);  // the op's own out= rule (lib/ops/out_rules.ts), if it has one
  const r = compute();
  if (!r.device.equals(out.device)) throw new TorchError(`Expected out tensor to have device ${r.device}, but got ${out.device} instead`);
  checkResultCast(r.dtype, out.dtype, false);
  if (r.shape.length !== out.shape.length || r.shape.some((s, i) => s !== out.shape[i])) {
    if (out.numel() !== 0) {
      process.emitWarning(`${op}(): An output with one or more elements was resized since it had shape [${out.shape.join(', ')}], which does not match the required output shape [${r.shape.join(', ')}]. This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).`, 'UserWarning');
    }
    out._setData(empty_(r.shape.slice(), out.dtype, out.device));
  }
  const prev = gradState.enabled;
  gradState.enabled = false;
  try { copyInto(out, r); } finally { gradState.enabled = prev; }
  out._st.version++;
  return out;
}

/** The overloads of one op (rows of one name in ops.schema), tried in order: the first whose parameters take the
 *  arguments applies -- names and counts as parseCall checks them, then each parameter's kind ('tensor': a Tensor,
 *  'int' and 'number' (a float parameter): a number, 'true'/'false': that flag value, for rows whose results differ by it). None: a TypeError listing the forms, as PyTorch's "received an invalid combination of arguments". */
export function parseOverloads(overloads: readonly (readonly [OpSpec, readonly string[]])[], args: readonly unknown[], method = false): { k: number; v: unknown[]; out: Tensor | null } {
  const fitsKind = (spec: OpSpec, kind: string, i: number, x: unknown): boolean => kind === '' || (x === null && 'def' in spec.params[i]) ||
    (kind === 'tensor' ? x instanceof Tensor : kind === 'true' ? x === true : kind === 'false' ? x === false : typeof x === 'number');
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const nPos = n > 0 && isOptions(args[n - 1]) ? n - 1 : n;
  const near: TypeError[] = [];  // the errors of the overloads whose positional arguments fit (a misspelt option, ...)
  for (let k = 0; k < overloads.length; k++) {
    const [spec, kinds] = overloads[k];
    // (more positional arguments than this form takes: parseCall's TypeError, which would not be near; skipped without
    // building it -- an exception costs ~10 us, arange(1, 7) tries arange(end) first)
    if (spec.npos !== undefined && nPos > spec.npos) continue;
    let v: unknown[], out: Tensor | null;
    try { ({ v, out } = parseCall(spec, args, method)); } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      if (nPos <= (spec.npos ?? spec.params.length) && args.slice(0, nPos).every((x, i) => fitsKind(spec, kinds[i], i, x))) near.push(e);
      continue;
    }
    if (kinds.every((kind, i) => fitsKind(spec, kind, i, v[i]))) return { k, v, out };
  }
  if (near.length === 1) throw near[0];
  // every fitting form refuses the same option (a misspelt name): that is the error
  const key = (e: TypeError): string | null => /unexpected option '([^']*)'/.exec(e.message)?.[1] ?? null;
  if (near.length > 1 && key(near[0]) !== null && near.every((e) => key(e) === key(near[0]))) {
    const names = [...new Set(overloads.flatMap(([spec]) => spec.params.slice(method ? 1 : 0).map((p) => p.name)))];
    throw new TypeError(`${overloads[0][0].op}(): unexpected option '${key(near[0])}' (expected ${names.join(', ')})`);
  }
  const m = method ? 1 : 0;
  const op = overloads[0][0].op;
  const forms = overloads.map(([spec]) => `(${spec.params.slice(m).map((p) => p.name + ('def' in p ? '?' : '')).join(', ')})`);
  const got = args.slice(m).filter((a) => a !== undefined).map((a) => describeValue(a));
  throw new TypeError(`${op}() received an invalid combination of arguments - got (${got.join(', ')}), but expected one of: ${forms.join(' ')} (each positionally, then an options object, or by name)`);
}

/** A schema row's Scalar-self form (scalar_self in ops.schema): a number as the input is taken when the second
 *  parameter is a tensor ('tensor', 'tensor_noout': PyTorch's overload has no out=), or always ('any': PyTorch's
 *  numbers-as-tensors ops, torch.add(2, 3)); otherwise a TypeError as PyTorch's "invalid combination of arguments". */
export function checkScalarSelf(spec: OpSpec, v: readonly unknown[], kind: 'tensor' | 'tensor_noout' | 'any', out: Tensor | null = null): void {
  const a = v[0];
  if (a instanceof Tensor || kind === 'any') return;
  const isNum = typeof a === 'number' || typeof a === 'boolean';
  if (isNum && v[1] instanceof Tensor && !(kind === 'tensor_noout' && out !== null)) return;
  if (!isNum) return;  // (not a number either: the op's own message names the argument)
  const [p0, p1] = spec.params;
  const got = v.slice(0, 2).map((x) => describeValue(x)).concat(out ? ['out=Tensor'] : []);
  throw new TypeError(`${spec.op}() received an invalid combination of arguments - got (${got.join(', ')}), but expected one of: ` +
    `(Tensor ${p0.name}, Tensor|Number ${p1.name}${spec.out ? ', *, Tensor out' : ''}) (Number ${p0.name}, Tensor ${p1.name}${spec.out && kind === 'tensor' ? ', *, Tensor out' : ''})`);
}

/** A schema row's alone= form: the call's only argument, given positionally or as the only option named `name`
 *  (undefined when the call has more). */
export function aloneArg(args: readonly unknown[], name: string): unknown {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n !== 1) return undefined;
  const a = args[0];
  if (isOptions(a)) {
    const keys = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    return keys.length === 1 && keys[0] === name ? (a as Record<string, unknown>)[name] : undefined;
  }
  return a;
}

/** An alpha_first row's call (ops.schema: add, sub): PyTorch's deprecated add(input, alpha, other) form -- three
 *  positional arguments, a tensor, a Number and a tensor or Number (or two, with other by name: add(x, 2, { other: y
 *  })) -- is moved to the current add(input, other, { alpha }), with PyTorch's deprecation warning (once per op). Any
 *  other call is returned as it is. (For a method, args[0] is self.) */
export function alphaFirst(op: string, args: readonly unknown[]): readonly unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const opts = n > 0 && isOptions(args[n - 1]) ? args[n - 1] as Record<string, unknown> : null;
  const nPos = opts ? n - 1 : n;
  const isNum = (x: unknown): boolean => typeof x === 'number' || typeof x === 'boolean';
  if (!(args[0] instanceof Tensor) || !isNum(args[1])) return args;
  let other: unknown, rest: Record<string, unknown>;
  if (nPos === 3 && (args[2] instanceof Tensor || isNum(args[2]))) { other = args[2]; rest = opts ?? {}; }
  else if (nPos === 2 && opts && opts.other !== undefined) { other = opts.other; rest = { ...opts }; delete rest.other; }
  else return args;
  if (rest.alpha !== undefined) throw new TypeError(`${op}() got multiple values for argument 'alpha' (the deprecated ${op}(input, alpha, other) form gives it positionally)`);
  if (!deprecationWarned.has(op)) {
    deprecationWarned.add(op);
    process.emitWarning(`This overload of ${op} is deprecated: ${op}(input, alpha: Number, other); use ${op}(input, other, { alpha }) (PyTorch's deprecated overload)`, 'UserWarning');
  }
  return [args[0], other, { ...rest, alpha: args[1] }];
}
const deprecationWarned = new Set<string>();

/** An out_at=N row's function call (ops.schema: torch.norm, F.normalize, Python functions whose out= is their N-th
 *  positional parameter, torch.norm(input, p, dim, keepdim, out, dtype)): a positional argument at N is moved into
 *  the options object as out (null: none), the ones after it move up a place. Fewer arguments: returned as they are. */
export function positionalOut(op: string, args: readonly unknown[], at: number): readonly unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const opts = n > 0 && isOptions(args[n - 1]) ? args[n - 1] as Record<string, unknown> : null;
  const nPos = opts ? n - 1 : n;
  if (nPos <= at) return args;
  const out = args[at];
  if (out !== null && !(out instanceof Tensor)) throw new TypeError(`${op}(): argument 'out' (position ${at + 1}) must be Tensor or null, not ${describeValue(out)}`);
  if (out !== null && opts && opts.out !== undefined && opts.out !== null) throw new TypeError(`${op}() got multiple values for argument 'out'`);
  const rest = [...args.slice(0, at), ...args.slice(at + 1, nPos)];
  if (out === null) return opts ? [...rest, opts] : rest;
  return [...rest, { ...(opts ?? {}), out }];
}
