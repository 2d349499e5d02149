// testing.ts - torch.testing: assertClose (torch.testing.assert_close) and makeTensor (torch.testing.make_tensor).
// Messages follow PyTorch 1.13's word for word (test/ref/gen_misc.py); values are compared in float64 on the CPU.
import { AssertionError as NodeAssertionError } from 'assert';
import { Tensor } from './tensor';
import { TorchError } from './errors';
import type { DType } from './dtype';
import type { Device } from './device';
import * as C from './ops/creation';
import { noGrad } from './autograd/mode';

/** What assertClose throws: Node's assert.AssertionError (name 'AssertionError', code 'ERR_ASSERTION'), which jest,
 *  mocha and node:test print as a failed assertion; PyTorch raises Python's AssertionError. */
export class AssertionError extends NodeAssertionError {
  constructor(message: string) {
    super({ message });
    this.name = 'AssertionError';
  }
}

export interface AssertCloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
  checkDevice?: boolean;
  checkDtype?: boolean;
  checkLayout?: boolean;
  checkStride?: boolean;
  /** replaces the generated message; a function gets the generated message and returns the one to throw */
  msg?: string | ((generated: string) => string);
}

// PyTorch's default (rtol, atol) per dtype (torch.testing._comparison._DTYPE_PRECISIONS); integers and bool: exact
const PRECISION: Partial<Record<DType, [number, number]>> = {
  float16: [0.001, 1e-5], bfloat16: [0.016, 1e-5], float32: [1.3e-6, 1e-5], float64: [1e-7, 1e-7],
};
const isFloat = (d: DType): boolean => d === 'float16' || d === 'bfloat16' || d === 'float32' || d === 'float64';

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16, 'x.0' for integers */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = x.toExponential().split('e');
    const sign = e[0] === '-' ? '-' : '+';
    const digits = e.replace(/^[+-]/, '');
    return `${m}e${sign}${digits.length < 2 ? '0' + digits : digits}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}
const pyNum = (x: number, integral: boolean): string => (integral && Number.isFinite(x) ? String(x) : pyFloat(x));
const dtypeName = (d: DType): string => `torch.${d}`;
const tupleStr = (a: readonly number[]): string => (a.length === 1 ? `(${a[0]},)` : `(${a.join(', ')})`);

class Mismatch { constructor(readonly message: string) {} }

function tolerances(a: DType, b: DType, o: AssertCloseOptions): [number, number] {
  const hasR = o.rtol !== undefined && o.rtol !== null, hasA = o.atol !== undefined && o.atol !== null;
  if (hasR !== hasA) {
    throw new TorchError(`assertClose: both 'rtol' and 'atol' must be either specified or omitted, but got no ${hasR ? 'atol' : 'rtol'}.`);
  }
  if (hasR) return [o.rtol as number, o.atol as number];
  const pa = PRECISION[a] ?? [0, 0], pb = PRECISION[b] ?? [0, 0];
  return [Math.max(pa[0], pb[0]), Math.max(pa[1], pb[1])];
}

function readF64(t: Tensor): Float64Array {
  const arr = noGrad(() => t.detach().cpu().contiguous().toTypedArray());
  if (arr instanceof BigInt64Array) return Float64Array.from(arr, (v) => Number(v));
  return Float64Array.from(arr as ArrayLike<number>);
}

// the elementwise comparison (torch.isclose with equal_nan) and PyTorch's report of the greatest differences
function compareValues(a: Float64Array, b: Float64Array, shape: readonly number[], rtol: number, atol: number,
  equalNan: boolean, integral: boolean, kind: 'Tensor-likes' | 'Scalars'): string | null {
  const n = a.length;
  let mismatched = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[i];
    let ok: boolean;
    if (x === y) ok = true;
    else if (Number.isNaN(x) || Number.isNaN(y)) ok = equalNan && Number.isNaN(x) && Number.isNaN(y);
    else if (!Number.isFinite(x) || !Number.isFinite(y)) ok = false;
    else ok = Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) mismatched++;
  }
  if (mismatched === 0) return null;
  const exact = !(rtol || atol);
  const ident = exact ? 'equal' : 'close';
  const diffAt = (rel: boolean): [number, number] => {
    let best = -Infinity, at = 0;
    for (let i = 0; i < n; i++) {
      let d = Math.abs(a[i] - b[i]);
      if (a[i] === b[i]) d = 0;
      if (rel) d = d / Math.abs(b[i]);
      if (Number.isNaN(d)) return [NaN, i]; // torch.max propagates NaN
      if (d > best) { best = d; at = i; }
    }
    return [best, at];
  };
  const unravel = (flat: number): number[] => {
    const idx = new Array(shape.length).fill(0);
    for (let k = shape.length - 1; k >= 0; k--) { idx[k] = flat % shape[k]; flat = Math.floor(flat / shape[k]); }
    return idx;
  };
  const [ad, ai] = diffAt(false), [rd, ri] = diffAt(true);
  if (kind === 'Scalars') {
    return `Scalars are not ${ident}!\n\n` +
      `Absolute difference: ${pyNum(ad, integral)}${exact ? '' : ` (up to ${pyFloat(atol)} allowed)`}\n` +
      `Relative difference: ${pyFloat(rd)}${exact ? '' : ` (up to ${pyFloat(rtol)} allowed)`}`;
  }
  const pct = ((100 * mismatched) / n).toFixed(1);
  return `Tensor-likes are not ${ident}!\n\n` +
    `Mismatched elements: ${mismatched} / ${n} (${pct}%)\n` +
    `Greatest absolute difference: ${pyNum(ad, integral)} at index ${tupleStr(unravel(ai))}${exact ? '' : ` (up to ${pyFloat(atol)} allowed)`}\n` +
    `Greatest relative difference: ${pyFloat(rd)} at index ${tupleStr(unravel(ri))}${exact ? '' : ` (up to ${pyFloat(rtol)} allowed)`}`;
}

function attrMismatch(attr: string, a: string, b: string): Mismatch {
  return new Mismatch(`The values for attribute '${attr}' do not match: ${a} != ${b}.`);
}

function compareTensors(a: Tensor, b: Tensor, o: AssertCloseOptions): Mismatch | null {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    return attrMismatch('shape', `torch.Size([${a.shape.join(', ')}])`, `torch.Size([${b.shape.join(', ')}])`);
  }
  if (o.checkDevice !== false && String(a.device) !== String(b.device)) return attrMismatch('device', String(a.device), String(b.device));
  if (o.checkDtype !== false && a.dtype !== b.dtype) return attrMismatch('dtype', dtypeName(a.dtype), dtypeName(b.dtype));
  if (o.checkLayout !== false && String(a.layout) !== String(b.layout)) return attrMismatch('layout', String(a.layout), String(b.layout));
  if (o.checkStride === true) {
    const sa = a.stride(), sb = b.stride();
    if (sa.some((s, i) => s !== sb[i])) return attrMismatch('stride()', tupleStr(sa), tupleStr(sb));
  }
  const [rtol, atol] = tolerances(a.dtype, b.dtype, o);
  const integral = !isFloat(a.dtype) && !isFloat(b.dtype);
  // a 0-d tensor is reported as PyTorch reports it: 'Scalars are not close!', without an index
  const m = compareValues(readF64(a), readF64(b), a.shape, rtol, atol, o.equalNan === true, integral, a.shape.length === 0 ? 'Scalars' : 'Tensor-likes');
  return m === null ? null : new Mismatch(m);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
const typeName = (x: unknown): string =>
  x instanceof Tensor ? 'Tensor' : Array.isArray(x) ? 'Array' : x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;

function compare(a: unknown, b: unknown, o: AssertCloseOptions, path: string): [Mismatch, string] | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [new Mismatch(`The length of the sequences mismatch: ${a.length} != ${b.length}`), path];
    for (let i = 0; i < a.length; i++) { const r = compare(a[i], b[i], o, `${path}[${i}]`); if (r) return r; }
    return null;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    const missA = kb.filter((k) => !(k in a)), missB = ka.filter((k) => !(k in b));
    if (missA.length || missB.length) {
      return [new Mismatch('The keys of the mappings do not match:\n' +
        (missA.length ? `Missing keys in the actual mapping: ${missA.sort().join(', ')}\n` : '') +
        (missB.length ? `Extra keys in the actual mapping: ${missB.sort().join(', ')}` : '')), path];
    }
    for (const k of ka.sort()) { const r = compare(a[k], b[k], o, `${path}['${k}']`); if (r) return r; }
    return null;
  }
  if (a instanceof Tensor && b instanceof Tensor) { const m = compareTensors(a, b, o); return m ? [m, path] : null; }
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) {
    // a JS number with an integral value is an integer scalar (API.md), compared exactly, as Python ints
    const integral = typeof a !== 'number' || typeof b !== 'number' || (Number.isInteger(a) && Number.isInteger(b));
    const [rtol, atol] = integral ? tolerances('int64', 'int64', o) : tolerances('float64', 'float64', o);
    const m = compareValues(Float64Array.of(Number(a)), Float64Array.of(Number(b)), [], rtol, atol, o.equalNan === true, integral, 'Scalars');
    return m === null ? null : [new Mismatch(m), path];
  }
  throw new TorchError(`assertClose: no comparison pair was able to handle inputs of type ${typeName(a)} and ${typeName(b)}${path ? ` (at item ${path})` : ''}.`);
}

/** torch.testing.assert_close: tensors (or numbers, or arrays / plain objects of them) are close elementwise,
 *  |actual - expected| <= atol + rtol * |expected|, with PyTorch's default tolerances per dtype; shapes, devices,
 *  dtypes (and with checkStride, strides) must match. Throws AssertionError with PyTorch's message. */
export function assertClose(actual: unknown, expected: unknown, opts: AssertCloseOptions = {}): void {
  const r = compare(actual, expected, opts, '');
  if (!r) return;
  const [m, path] = r;
  let msg = m.message + (path ? `\n\nThe failure occurred for item ${path}` : '');
  if (typeof opts.msg === 'string') msg = opts.msg;
  else if (typeof opts.msg === 'function') msg = opts.msg(msg);
  throw new AssertionError(msg);
}

export interface MakeTensorOptions {
  dtype: DType;
  device?: string | Device;
  low?: number | null;
  high?: number | null;
  requiresGrad?: boolean;
  noncontiguous?: boolean;
  excludeZero?: boolean;
}
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 53), 2 ** 53],
};
const FLOAT_MAX: Partial<Record<DType, number>> = { float16: 65504, bfloat16: 3.3895313892515355e38, float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };
const TINY: Partial<Record<DType, number>> = { float16: 6.103515625e-5, bfloat16: 1.1754943508222875e-38, float32: 1.1754943508222875e-38, float64: 2.2250738585072014e-308 };

/** torch.testing.make_tensor: values uniform in [low, high) (defaults by dtype: floats -9..9, signed ints -9..10,
 *  uint8 0..10, bool 0..2), optionally non-contiguous (every other element of a twice-as-wide last dimension). */
export function makeTensor(shape: number | readonly number[], opts: MakeTensorOptions): Tensor {
  const size = typeof shape === 'number' ? [shape] : [...shape];
  const { dtype } = opts;
  if (!dtype) throw new TorchError('makeTensor: dtype is required (torch.testing.make_tensor has no default dtype)');
  const device = opts.device ?? 'cpu';
  if (opts.requiresGrad && !isFloat(dtype)) throw new TorchError('make_tensor: requires_grad must be False for integral dtype');
  const lowHigh = (lowest: number, highest: number, dl: number, dh: number, integral: boolean): [number, number] => {
    let low = opts.low ?? dl, high = opts.high ?? dh;
    if (Number.isNaN(low) || Number.isNaN(high)) throw new TorchError('make_tensor: one of low or high was NaN!');
    if (low > high) throw new TorchError('make_tensor: low must be weakly less than high!');
    low = Math.min(Math.max(low, lowest), highest); high = Math.min(Math.max(high, lowest), highest);
    return integral ? [Math.floor(low), Math.ceil(high)] : [low, high];
  };
  let result: Tensor;
  if (dtype === 'bool') result = C.randint(0, 2, size, { dtype, device });
  else if (INT_RANGE[dtype]) {
    const [lo, hi] = INT_RANGE[dtype] as [number, number];
    const [low, high] = lowHigh(lo, hi, dtype === 'uint8' ? 0 : -9, 10, true);
    result = C.randint(low, high, size, { dtype, device });
  } else if (isFloat(dtype)) {
    const mx = FLOAT_MAX[dtype] as number;
    const [low, high] = lowHigh(-mx, mx, -9, 9, false);
    const r = C.rand(size, { dtype, device });
    result = r.mul(high).add(r.neg().add(1).mul(low));
  } else throw new TorchError(`makeTensor: the requested dtype ${dtype} is not supported`);
  if (opts.noncontiguous && result.numel() > 1) {
    const wide = C.empty([...size.slice(0, -1), 2 * size[size.length - 1]], { dtype, device });
    const view = wide.index('...', '::2');
    view.copy_(result);
    result = view;
  }
  if (opts.excludeZero) {
    const repl = isFloat(dtype) ? (TINY[dtype] as number) : 1;
    result.maskedFill_(result.eq(0), dtype === 'bool' ? true : repl);
  }
  if (opts.requiresGrad) result.requiresGrad_(true);
  return result;
}
