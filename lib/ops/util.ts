// util.ts - argument handling shared by the op wrappers: shapes given as varargs or a list, the trailing options
// object, broadcasting, and validation that turns bad JS input into TorchError/TypeError before native code runs.
import { TorchError, checkKeys } from '../errors';
import { Tensor, Operand, viewOf, rawView, sameShape } from '../tensor';
import { describeValue } from '../dtype';
import { Device } from '../device';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

export function isOptions(x: unknown): x is Record<string, unknown> {
  // (an ArrayBuffer -- frombuffer's buffer -- and a torch.device are values, never an options object)
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && !ArrayBuffer.isView(x) &&
    Object.prototype.toString.call(x) !== '[object ArrayBuffer]' && !(x instanceof Device);
}

/** PyTorch's keyword names for leading positional parameters (API.md: any argument PyTorch accepts by keyword may be
 *  given in the options object): where a plain options object stands at a position i < names.length, parameters
 *  i.. are taken from it by their camelCase names, and the arguments are returned as if given positionally (the
 *  object's other keys follow as an options object, when there are any). The first `required` are required; with
 *  `also`, the other keys must be among `also` (a TypeError otherwise, as Python's unexpected keyword argument). */
export function kwLeading(op: string, args: readonly unknown[], names: readonly string[], required = 0, also: readonly string[] | null = null): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const i = args.findIndex((a, k) => k < names.length && k < n && isOptions(a));
  if (i < 0) return args.slice(0, n);
  if (i !== n - 1) throw new TypeError(`${op}(): the options object must be the last argument`);
  const o = args[i] as Record<string, unknown>;
  for (let k = 0; k < i; k++) if (names[k] in o) throw new TypeError(`${op}(): got multiple values for argument '${names[k]}'`);
  const out = args.slice(0, i);
  for (let k = i; k < names.length; k++) {
    if (!(names[k] in o) || o[names[k]] === undefined) {
      if (k < required) throw new TypeError(`${op}(): missing required argument '${names[k]}' (positionally, or in the options object by that name)`);
    }
    out.push(o[names[k]]);
  }
  const rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) if (!names.includes(key)) rest[key] = v;
  if (also) checkKeys(op, rest, also.length ? also : names);
  while (out.length && out[out.length - 1] === undefined) out.pop();
  if (Object.keys(rest).length) {
    while (out.length < names.length) out.push(undefined);
    out.push(rest);
  }
  return out;
}

/** The optional arguments of a function that takes an options object and, as PyTorch does, the same arguments
 *  positionally: `rest` is what followed the required arguments -- nothing, an options object, or values in PyTorch's
 *  order (`names`), optionally followed by an options object for the rest. Anything else (a value where none fits, a
 *  value and the same option twice) is a TypeError naming the op: nothing is ignored silently. With `also`, the options
 *  are checked too: every key must be one of `names` or `also`. */
export function posOpts<O extends object>(op: string, rest: readonly unknown[], names: readonly string[], also: readonly string[] | null = null): O {
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const a = rest[i];
    if (isOptions(a)) {
      if (i !== n - 1) throw new TypeError(`${op}(): the options object must be the last argument`);
      for (const [k, v] of Object.entries(a)) {
        if (k in o) throw new TypeError(`${op}(): got multiple values for argument '${k}'`);
        o[k] = v;
      }
      break;
    }
    if (i >= names.length) {
      throw new TypeError(names.length
        ? `${op}(): takes at most ${names.length} optional positional argument${names.length > 1 ? 's' : ''} (${names.join(', ')}), then an options object; got ${describeArg(a)} at position ${i + 1}`
        : `${op}(): expected an options object, got ${describeArg(a)}`);
    }
    if (a !== undefined) o[names[i]] = a;
  }
  // with `also` (the options that have no positional slot), an unknown option is an error, as Python's unexpected
  // keyword argument
  if (also) checkKeys(op, o, [...names, ...also]);
  return o as O;
}
function describeArg(a: unknown): string {
  if (a === null) return 'null';
  if (a instanceof Tensor) return 'a Tensor';
  if (Array.isArray(a)) return 'an array';
  return typeof a === 'string' ? `the string '${a}'` : `${typeof a} ${String(a)}`;
}

// split (...args) into positional args and a trailing options object
export function splitOpts<T = Record<string, unknown>>(args: unknown[]): [unknown[], T] {
  if (args.length && isOptions(args[args.length - 1])) return [args.slice(0, -1), args[args.length - 1] as T];
  return [args, {} as T];
}

const MAX_NUMEL = 2 ** 50;

export function checkSize(n: unknown, op: string, allowNeg1 = false): number {
  if (typeof n === 'bigint') n = Number(n);
  if (typeof n !== 'number' || !Number.isFinite(n) || !Number.isInteger(n)) {
    throw new TorchError(`${op}: expected a sequence of integers as the size, but got ${describeValue(n)}`);
  }
  if (n < 0 && !(allowNeg1 && n === -1)) throw new TorchError(`${op}: Trying to create tensor with negative dimension ${n}: [${n}]`);
  return n;
}

// shape from (2, 3) or ([2, 3]) or (torch.Size-like array)
export function parseShape(args: unknown[], op: string, allowNeg1 = false): number[] {
  let dims: unknown[];
  if (args.length === 1 && (Array.isArray(args[0]) || ArrayBuffer.isView(args[0]))) dims = Array.from(args[0] as ArrayLike<unknown>);
  else dims = args;
  const shape = dims.map((d) => checkSize(d, op, allowNeg1));
  let n = 1;
  for (const s of shape) n *= Math.max(s, 1);
  if (n > MAX_NUMEL) throw new TorchError(`${op}: size [${shape}] is too large (${n} elements)`);
  if (shape.length > 16) throw new TorchError(`${op}: nodetorch supports at most 16 dimensions, got ${shape.length}`);
  return shape;
}

export function checkTensor(t: unknown, op: string, what = 'input'): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument '${what}' must be Tensor, not ${describeValue(t)}`);
  t._check();
  return t;
}

export function checkInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TorchError(`${op}(): argument '${what}' must be an integer, not ${describeValue(v)}`);
  return v;
}

export function checkNumber(v: unknown, op: string, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw new TorchError(`${op}(): argument '${what}' must be a number, not ${describeValue(v)}`);
  return v;
}

export function broadcastShapes(a: readonly number[], b: readonly number[], op = 'broadcast'): number[] {
  if (sameShape(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new TorchError(`${op}: The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

// a stride-0 view of t with `shape` (t's shape must broadcast to it)
export function broadcastView(t: Tensor, shape: readonly number[], op = 'expand'): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const st = broadcastStrides(t, shape, op);
  return viewOf(t, shape.slice(), st, t._offset);
}
// t broadcast to `shape` only as a kernel's operand (no Tensor made): binary/ternary kernels' inputs
export function broadcastOperand(t: Tensor, shape: readonly number[], op = 'expand'): Operand {
  if (sameShape(t.shape, shape)) return t;
  return rawView(t, shape, broadcastStrides(t, shape, op), t._offset);
}
function broadcastStrides(t: Tensor, shape: readonly number[], op: string): number[] {
  const nd = shape.length, off = nd - t.ndim;
  if (off < 0) throw new TorchError(`${op}: the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`);
  const st = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    if (i < off) { st[i] = 0; continue; }
    const s = t.shape[i - off];
    if (s === shape[i]) st[i] = t._strides[i - off];
    else if (s === 1) st[i] = 0;
    else throw new TorchError(`The expanded size of the tensor (${shape[i]}) must match the existing size (${s}) at non-singleton dimension ${i}.  Target sizes: [${shape.join(', ')}].  Tensor sizes: [${t.shape.join(', ')}]`);
  }
  return st;
}

export function normDims(dims: number | number[] | undefined | null, ndim: number, op: string): number[] {
  if (dims === undefined || dims === null) return [...Array(ndim).keys()];
  const list = Array.isArray(dims) ? dims : [dims];
  const n = Math.max(ndim, 1);
  const out: number[] = [];
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d)) throw new TorchError(`${op}: dim must be an integer, got ${describeValue(d)}`);
    if (d < -n || d >= n) throw new TorchError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${d})`);
    const nd = d < 0 ? d + n : d;
    if (out.includes(nd)) throw new TorchError(`dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  if (ndim === 0) return [];
  return out;
}

// the grad of a broadcast input: sum g over the broadcast dims back to `shape`
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) dims.push(i);
  }
  let r = dims.length ? g.sum(dims, { keepdim: true }) : g;
  if (lead > 0) r = r.reshape(shape.slice());
  else if (!sameShape(r.shape, shape)) r = r.reshape(shape.slice());
  return r;
}
