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

/** One parameter of a schema row: its camelCase name, whether it is keyword-only, and its default (absent: required). */
export interface ParamSpec { readonly name: string; readonly kw?: true; readonly def?: unknown; readonly t?: 'bool' | 'dtype' | 'ints' | ParamKind }
/** the value kinds of the schema types `float`, `float?`, `bool?` and `floats` (a number, a number or null, a boolean
 *  or null, a number or an array) */
export type ParamKind = 'float' | 'float?' | 'bool?' | 'floats';
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
      const i = params.findIndex((p) => p.name === key);
      if (i < 0) {
        const names = params.slice(m).map((p) => p.name).concat(spec.out && !method ? ['out'] : []);
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
 *  'int': a number). None: a TypeError listing the forms, as PyTorch's "received an invalid combination of arguments". */
export function parseOverloads(overloads: readonly (readonly [OpSpec, readonly string[]])[], args: readonly unknown[], method = false): { k: number; v: unknown[] } {
  const fitsKind = (spec: OpSpec, kind: string, i: number, x: unknown): boolean => kind === '' || (x === null && 'def' in spec.params[i]) ||
    (kind === 'tensor' ? x instanceof Tensor : typeof x === 'number');
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const nPos = n > 0 && isOptions(args[n - 1]) ? n - 1 : n;
  const near: TypeError[] = [];  // the errors of the overloads whose positional arguments fit (a misspelt option, ...)
  for (let k = 0; k < overloads.length; k++) {
    const [spec, kinds] = overloads[k];
    let v: unknown[];
    try { v = parseCall(spec, args, method).v; } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      if (nPos <= (spec.npos ?? spec.params.length) && args.slice(0, nPos).every((x, i) => fitsKind(spec, kinds[i], i, x))) near.push(e);
      continue;
    }
    if (kinds.every((kind, i) => fitsKind(spec, kind, i, v[i]))) return { k, v };
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
