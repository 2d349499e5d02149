// creation_more.ts - factories a PyTorch user reaches for that nodetorch lacked (issue 11's follow-up, ops.schema's
// last section): the window functions (hann, hamming, blackman, bartlett, kaiser; periodic or symmetric), the deprecated
// inclusive torch.range, scalar_tensor, empty_strided, asarray and randint_like. The windows are computed in float64 on
// the host and cast to the dtype asked for (PyTorch's formulas, in its order of operations where it matters).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { isFloating, toDType, getDefaultDtype } from '../dtype';
import type { DTypeName } from '../dtype';
import { toDevice } from '../device';
import type { Device, DeviceName } from '../device';
import * as E from './elementwise';
import * as Sh from './shape';
import * as C from './creation';
import { checkInt } from './util';
import { hostLimit, fromHost } from './shape_more';
import type { MemoryFormat } from '../memory_format';

type T = Tensor;
type Dev = DeviceName | Device | null;
const opts = (dtype: DTypeName | null, device: Dev, requiresGrad: boolean): { dtype?: DTypeName; device?: DeviceName | Device; requiresGrad: boolean } =>
  ({ ...(dtype !== null && { dtype }), ...(device !== null && { device }), requiresGrad });

// ---- windows -----------------------------------------------------------------------------------------------------------
function windowOf(op: string, length: number, periodic: boolean, dtype: DTypeName | null, device: Dev, requiresGrad: boolean, f: (n: number, N: number) => number): T {
  checkInt(length, op, 'window_length');
  if (typeof periodic !== 'boolean') throw new TypeError(`${op}(): argument 'periodic' must be bool, not ${typeof periodic}`);
  const dt = toDType(dtype ?? getDefaultDtype());
  if (!isFloating(dt)) throw new TorchError(`${op} expects floating point dtypes, got: ${E.typeName(dt)}`);
  if (length < 0) throw new TorchError(`${op} requires non-negative window_length, got window_length=${length}`);
  hostLimit(op, length);
  const vals = new Float64Array(length);
  if (length === 1) vals[0] = 1;
  else if (length > 1) {
    const N = periodic ? length + 1 : length;
    for (let n = 0; n < length; n++) vals[n] = f(n, N);
  }
  return fromHost(vals, [length], dt, toDevice(device ?? 'cpu')).requiresGrad_(requiresGrad);
}
const cosTerm = (k: number, n: number, N: number): number => Math.cos((2 * Math.PI * k * n) / (N - 1));
export function hannWindow(windowLength: number, periodic: boolean, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  return windowOf('hann_window', windowLength, periodic, dtype, device, requiresGrad, (n, N) => 0.5 - 0.5 * cosTerm(1, n, N));
}
export function hammingWindow(windowLength: number, periodic: boolean, alpha: number, beta: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  return windowOf('hamming_window', windowLength, periodic, dtype, device, requiresGrad, (n, N) => alpha - beta * cosTerm(1, n, N));
}
export function blackmanWindow(windowLength: number, periodic: boolean, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  return windowOf('blackman_window', windowLength, periodic, dtype, device, requiresGrad, (n, N) => 0.42 - 0.5 * cosTerm(1, n, N) + 0.08 * cosTerm(2, n, N));
}
export function bartlettWindow(windowLength: number, periodic: boolean, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  return windowOf('bartlett_window', windowLength, periodic, dtype, device, requiresGrad, (n, N) => 1 - Math.abs((2 * n) / (N - 1) - 1));
}
/** the modified Bessel function of the first kind, order 0 (its power series: converges for every real x) */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}
export function kaiserWindow(windowLength: number, periodic: boolean, beta: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  const i0b = besselI0(beta);
  return windowOf('kaiser_window', windowLength, periodic, dtype, device, requiresGrad, (n, N) => {
    const a = (N - 1) / 2;
    const r = (n - a) / a;
    return besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0b;
  });
}

// ---- range (deprecated, inclusive), scalar_tensor, empty_strided, asarray, randint_like ----------------------------------
let rangeWarned = false;
/** torch.range(start, end, step=1): start..end inclusive, the default float dtype (deprecated: torch.arange) */
export function rangeRow(start: number, end: number, step: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  if (!rangeWarned) {
    rangeWarned = true;
    process.emitWarning("torch.range is deprecated and will be removed in a future release because its behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).", 'UserWarning');
  }
  for (const [n, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof v !== 'number') throw new TypeError(`range(): argument '${n}' must be Number, not ${typeof v}`);
  }
  const dt = toDType(dtype ?? getDefaultDtype());
  let [a, b, s] = [start, end, step];
  if (!isFloating(dt)) [a, b, s] = [Math.trunc(a), Math.trunc(b), Math.trunc(s)];
  if (s === 0) throw new TorchError('step must be nonzero');
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new TorchError(`unsupported range: ${a} -> ${b}`);
  if ((s > 0 && b < a) || (s < 0 && b > a)) throw new TorchError('upper bound and lower bound inconsistent with step sign');
  const size = Math.floor((b - a) / s) + 1;
  hostLimit('range', size);
  const vals = new Float64Array(size);
  for (let i = 0; i < size; i++) vals[i] = a + i * s;
  return fromHost(vals, [size], dt, toDevice(device ?? 'cpu')).requiresGrad_(requiresGrad);
}
/** torch.scalarTensor(s): a 0-d tensor of the default float dtype (whatever the number's kind), unless dtype says */
export function scalarTensorRow(s: number | boolean, dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  if (typeof s !== 'number' && typeof s !== 'boolean') throw new TypeError(`scalar_tensor(): argument 's' must be Number, not ${s === null ? 'None' : typeof s}`);
  const dt = toDType(dtype ?? getDefaultDtype());
  return E.scalarTensor(s, dt, toDevice(device ?? 'cpu')).requiresGrad_(requiresGrad);
}
/** torch.emptyStrided(size, stride): an uninitialised tensor with those strides (over a storage just large enough) */
export function emptyStridedRow(size: readonly number[], stride: readonly number[], dtype: DTypeName | null, device: Dev, requiresGrad: boolean): T {
  if (size.length !== stride.length) throw new TorchError(`dimensionality of sizes (${size.length}) must match dimensionality of strides (${stride.length})`);
  size.forEach((s) => { if (s < 0) throw new TorchError(`Trying to create tensor with negative dimension ${s}: [${size.join(', ')}]`); });
  stride.forEach((s) => { if (!Number.isInteger(s) || s < 0) throw new TorchError(`as_strided: Negative strides are not supported at the moment, got strides: [${stride.join(', ')}]`); });
  const n = size.some((s) => s === 0) ? 0 : 1 + size.reduce((acc, s, i) => acc + (s - 1) * stride[i], 0);
  const base = C.empty([n], opts(dtype, device, false));
  const r = Sh.asStrided(base, size.slice(), stride.slice(), 0);
  return requiresGrad ? r.requiresGrad_(true) : r;
}
/** torch.asarray(obj, { dtype, device, copy, requiresGrad }): a tensor as it is (no copy) where dtype and device allow,
 *  copy=true a copy, copy=false an error where a copy would be needed; other data as torch.tensor */
export function asarrayRow(obj: C.TensorData, dtype: DTypeName | null, device: Dev, copy: boolean | null, requiresGrad: boolean): T {
  if (obj instanceof Tensor) {
    const dt = dtype === null ? obj.dtype : toDType(dtype);
    const dev = device === null ? obj.device : toDevice(device);
    const same = dt === obj.dtype && dev.equals(obj.device);
    if (copy === false && dt !== obj.dtype) throw new TorchError(`can't alias tensor with dtype '${E.typeName(obj.dtype)}' into dtype '${E.typeName(dt)}'.`);
    if (copy === false && !dev.equals(obj.device)) throw new TorchError(`can't alias tensor from device '${obj.device}' to '${dev}'.`);
    let r = same ? obj : obj.to({ dtype: dt, device: dev });
    if (copy === true && r === obj) r = E.clone(obj);
    return requiresGrad ? r.requiresGrad_(true) : r;
  }
  if (copy === false && !ArrayBuffer.isView(obj)) throw new TorchError("can't alias arbitrary sequence into a tensor.");
  return C.tensor(obj, opts(dtype, device, requiresGrad));
}
function randintLikeCore(input: T, low: number, high: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean, memoryFormat: MemoryFormat | null): T {
  if (!(input instanceof Tensor)) throw new TypeError(`randint_like(): argument 'input' must be Tensor, not ${typeof input}`);
  checkInt(low, 'randint_like', 'low');
  checkInt(high, 'randint_like', 'high');
  if (low >= high) throw new TorchError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const dt = toDType(dtype ?? input.dtype);
  void memoryFormat;
  const r = C.randint(low, high, input.shape.slice(), { dtype: 'int64', ...(device !== null ? { device } : { device: input.device }) });
  return (dt === 'int64' ? r : r.to(dt)).requiresGrad_(requiresGrad);
}
export function randintLikeHigh(input: T, high: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean, memoryFormat: MemoryFormat | null): T {
  return randintLikeCore(input, 0, high, dtype, device, requiresGrad, memoryFormat);
}
export function randintLikeRange(input: T, low: number, high: number, dtype: DTypeName | null, device: Dev, requiresGrad: boolean, memoryFormat: MemoryFormat | null): T {
  return randintLikeCore(input, low, high, dtype, device, requiresGrad, memoryFormat);
}
