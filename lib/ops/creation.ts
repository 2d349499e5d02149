// creation.ts - torch.tensor, frombuffer, zeros/ones/full/empty/eye/arange/linspace, the *Like forms and the
// random functions (Philox streams: native/kernels/philox.h), plus casting and device moves on Tensor.
import { Tensor, empty_, runKernel, Storage, allocStorage, computeContiguousStrides } from '../tensor';
import { DType, DTypeName, ITEMSIZE, toDType, getDefaultDtype, dtypeOfTypedArray, isFloating, describeValue } from '../dtype';
import { Device, CPU, toDevice, currentCudaIndex } from '../device';
import { TorchError, checkKeys } from '../errors';
import { native } from '../native';
import { OP } from './ids';
import { fill_, writeHost, toDtype, toDeviceCopy, typeName } from './elementwise';
import { parseShape, splitOpts, isOptions, checkSize, broadcastShapes } from './util';
import { gradState } from '../autograd/mode';
import { record } from '../autograd/engine';
import { MemoryFormat, toMemoryFormat, stridesFor, likeStrides, emptyStrided_ } from '../memory_format';

export interface CreateOpts { dtype?: DTypeName; device?: string | Device; requiresGrad?: boolean }

function finish(t: Tensor, o: CreateOpts): Tensor {
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}
const devOf = (o: CreateOpts): Device => (o.device === undefined ? CPU : toDevice(o.device));
const dtOf = (o: CreateOpts, dflt: DType): DType => (o.dtype === undefined || o.dtype === null ? dflt : toDType(o.dtype));

// the factory options; `extra`: what else this op takes (generator for the random ones). An unknown option is a
// TypeError, as Python's unexpected keyword argument (a misspelt dtype would otherwise be ignored)
const CREATE_KEYS = ['dtype', 'device', 'requiresGrad'];
function checkCreateOpts(o: unknown, op: string, extra: readonly string[] = []): CreateOpts {
  if (o === undefined) return {};
  if (!isOptions(o)) throw new TypeError(`${op}(): expected an options object, got ${describeValue(o)}`);
  checkKeys(op, o, [...CREATE_KEYS, ...extra]);
  return o as CreateOpts;
}

// ---------------------------------------------------------------------------------------------------------------
// torch.tensor
// ---------------------------------------------------------------------------------------------------------------
type Nested = number | boolean | bigint | Nested[];
/** torch.tensor's and asTensor's data: a number, bool or bigint (a 0-dim tensor), a tensor (copied), a TypedArray
 *  (1-D), or nested lists of numbers, bools and bigints */
export type TensorData = number | boolean | bigint | Tensor | ArrayBufferView | readonly TensorData[];

function inferShapeAndKind(data: unknown): { shape: number[]; kind: 'bool' | 'int' | 'float' } {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0]; }
  let kind: 'bool' | 'int' | 'float' = 'bool';
  let count = 0;
  const visit = (x: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'boolean') { /* bool */ }
      // (-0 counts as an integer, as every integral number: JavaScript cannot tell 0.0 from 0, and -4 % 2 is -0)
      else if (typeof x === 'number') { if (!Number.isInteger(x)) kind = 'float'; else if (kind === 'bool') kind = 'int'; }
      else if (typeof x === 'bigint') { if (kind === 'bool') kind = 'int'; }
      else if (x instanceof Tensor) { throw new TorchError('torch.tensor: nested Tensors are not supported; use torch.stack'); }
      else throw new TypeError(`Could not infer dtype of ${describeValue(x)}`);
      count++;
      return;
    }
    if (!Array.isArray(x)) throw new TorchError(`expected sequence of length ${shape[d]} at dim ${d} (got ${describeValue(x)})`);
    if (x.length !== shape[d]) throw new TorchError(`expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
    for (const y of x) visit(y, d + 1);
  };
  visit(data, 0);
  if (count === 0 && shape.length) kind = 'float';
  return { shape, kind };
}

function flatten(data: Nested, out: (number | boolean | bigint)[]): void {
  if (Array.isArray(data)) for (const x of data) flatten(x, out);
  else out.push(data);
}

// host values -> a typed array in dtype dt's storage format (float16/bfloat16 via float32 and the copy kernel)
function fillHost(dt: DType, vals: ArrayLike<number | boolean | bigint>, device: Device, shape: number[]): Tensor {
  const n = vals.length;
  if (dt === 'float16' || dt === 'bfloat16') {
    const f = fillHost('float32', vals, device, shape);
    return toDtype(f, dt);
  }
  const t = empty_(shape, dt, device);
  if (n === 0) return t;
  let arr: ArrayBufferView;
  switch (dt) {
    case 'float32': arr = Float32Array.from(vals as ArrayLike<number>, Number); break;
    case 'float64': arr = Float64Array.from(vals as ArrayLike<number>, Number); break;
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        if (typeof v === 'bigint') a[i] = v;
        else {
          const x = Number(v);
          if (!Number.isFinite(x)) throw new TorchError(`cannot convert ${x} to an integer (int64)`);
          a[i] = BigInt(Math.trunc(x));
        }
      }
      arr = a;
      break;
    }
    case 'int32': arr = Int32Array.from(vals as ArrayLike<number>, (v) => Math.trunc(Number(v))); break;
    case 'int16': arr = Int16Array.from(vals as ArrayLike<number>, (v) => Math.trunc(Number(v))); break;
    case 'int8': arr = Int8Array.from(vals as ArrayLike<number>, (v) => Math.trunc(Number(v))); break;
    case 'uint8': arr = Uint8Array.from(vals as ArrayLike<number>, (v) => Math.trunc(Number(v)) & 255); break;
    case 'bool': arr = Uint8Array.from(vals as ArrayLike<number>, (v) => (v ? 1 : 0)); break;
    default: throw new TorchError(`unsupported dtype ${dt}`);
  }
  writeHost(t, arr);
  return t;
}

// an integer value written into an integer dtype must fit, as PyTorch's checked_convert ("value cannot be converted
// to type uint8 without overflow"); a non-integral one is truncated
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1],
};
function checkIntRange(dt: DType, v: number, name: string): void {
  const r = INT_RANGE[dt];
  if (r && (v < r[0] || v > r[1])) throw new TorchError(`value cannot be converted to type ${name} without overflow`);
}

export function tensor(data: unknown, opts?: CreateOpts): Tensor {
  const o = checkCreateOpts(opts, 'tensor');
  const dev = devOf(o);
  if (data instanceof Tensor) {
    data._check();
    const r = toDeviceCopy(toDtype(data.detach(), dtOf(o, data.dtype), true), dev);
    return finish(r === data ? r.clone() : r, o);
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const td = dtypeOfTypedArray(data);
    if (!td) throw new TorchError(`torch.tensor: unsupported typed array ${data.constructor.name}`);
    const src = fillHostTyped(data, td, dev);
    return finish(toDtype(src, dtOf(o, td)), o);
  }
  if (typeof data !== 'number' && typeof data !== 'boolean' && typeof data !== 'bigint' && !Array.isArray(data)) {
    throw new TypeError(`tensor(): data must be a number, boolean, (nested) array or TypedArray, not ${describeValue(data)}`);
  }
  const { shape, kind } = inferShapeAndKind(data);
  const inferred: DType = kind === 'bool' ? 'bool' : kind === 'int' ? 'int64' : getDefaultDtype();
  const dt = dtOf(o, inferred);
  const flat: (number | boolean | bigint)[] = [];
  flatten(data as Nested, flat);
  if (INT_RANGE[dt]) for (const v of flat) if (typeof v === 'number' && Number.isInteger(v)) checkIntRange(dt, v, dt);
  return finish(fillHost(dt, flat, dev, shape), o);
}

function fillHostTyped(a: ArrayBufferView, dt: DType, dev: Device): Tensor {
  const n = a.byteLength / ITEMSIZE[dt];
  const t = empty_([n], dt, dev);
  if (n) writeHost(t, a);
  return t;
}

// (torch.asTensor is the schema row as_tensor: impls.ts's asTensorRow returns a tensor of the asked dtype and device
// itself, else this tensor())

// frombuffer: a 1-D tensor sharing the TypedArray's (or ArrayBuffer's) memory, like torch.from_numpy
export function frombuffer(buf: ArrayBufferView | ArrayBuffer, opts: { dtype?: DTypeName; count?: number; offset?: number; requiresGrad?: boolean } = {}): Tensor {
  let ab: ArrayBuffer, base: number, len: number, natural: DType | null;
  const tag = (x: unknown): string => Object.prototype.toString.call(x);
  if (tag(buf) === '[object ArrayBuffer]') { ab = buf as ArrayBuffer; base = 0; len = ab.byteLength; natural = null; }
  else if (ArrayBuffer.isView(buf)) {
    if (tag(buf.buffer) !== '[object ArrayBuffer]') throw new TorchError('frombuffer: SharedArrayBuffer-backed arrays are not supported');
    ab = buf.buffer as ArrayBuffer; base = buf.byteOffset; len = buf.byteLength; natural = dtypeOfTypedArray(buf);
  } else throw new TypeError(`frombuffer(): expected a TypedArray or ArrayBuffer, not ${describeValue(buf)}`);
  const dt = opts.dtype !== undefined ? toDType(opts.dtype) : natural;
  if (!dt) throw new TorchError('frombuffer: pass { dtype } to say how to read the bytes');
  const isz = ITEMSIZE[dt];
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > len) throw new TorchError(`offset (${offset} bytes) must be non-negative and no greater than buffer length (${len} bytes) minus 1`);
  const avail = Math.floor((len - offset) / isz);
  const count = opts.count === undefined || opts.count === -1 ? avail : checkSize(opts.count, 'frombuffer');
  if (count > avail) throw new TorchError(`requested buffer length (${count} * ${isz} bytes) after offset (${offset} bytes) must not be greater than actual buffer length (${len} bytes)`);
  if (((base + offset) % isz) !== 0) throw new TorchError(`frombuffer: byte offset ${base + offset} is not a multiple of the element size ${isz}`);
  const st = new Storage(native.wrap(ab, base + offset, count * isz), count * isz, CPU);
  st.keepAlive = ab;
  const t = new Tensor(st, [count], [1], 0, dt);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// filled tensors
// ---------------------------------------------------------------------------------------------------------------
/** A size as varargs or one list, then the options: `zeros(2, 3)`, `zeros([2, 3], { dtype })`, `zeros(2, 3, { dtype })`. */
export type SizeArgs<O> = [...size: number[]] | [...size: number[], opts: O] | [size: readonly number[], opts?: O];
function shapeAndOpts(args: unknown[], op: string, extra: readonly string[] = []): [number[], CreateOpts] {
  const [pos, o] = splitOpts<CreateOpts>(args);
  return [parseShape(pos, op), checkCreateOpts(o, op, extra)];
}

export function empty(...args: SizeArgs<CreateOpts & { memoryFormat?: MemoryFormat }>): Tensor;
export function empty(...args: unknown[]): Tensor {
  const [shape, o] = shapeAndOpts(args, 'empty', ['memoryFormat']) as [number[], CreateOpts & { memoryFormat?: unknown }];
  if (o.memoryFormat !== undefined && o.memoryFormat !== 'contiguousFormat') {
    const fmt = toMemoryFormat(o.memoryFormat, 'empty');
    if (fmt === 'preserveFormat') throw new TorchError('empty(): preserve memory format is unsupported by the empty operator');
    return finish(emptyStrided_(shape, stridesFor(shape, fmt, 'empty'), dtOf(o, getDefaultDtype()), devOf(o)), o);
  }
  return finish(empty_(shape, dtOf(o, getDefaultDtype()), devOf(o)), o);
}
export function zeros(...args: SizeArgs<CreateOpts>): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, o] = shapeAndOpts(args, 'zeros');
  const dev = devOf(o);
  const t = dev.type === 'cpu' ? new Tensor(allocStorage(shape.reduce((a, b) => a * b, 1) * ITEMSIZE[dtOf(o, getDefaultDtype())], dev, true), shape, computeContiguousStrides(shape), 0, dtOf(o, getDefaultDtype())) : fill_(empty_(shape, dtOf(o, getDefaultDtype()), dev), 0);
  return finish(t, o);
}
export function ones(...args: SizeArgs<CreateOpts>): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, o] = shapeAndOpts(args, 'ones');
  return finish(fill_(empty_(shape, dtOf(o, getDefaultDtype()), devOf(o)), 1), o);
}
function scalarDtype(v: unknown): DType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' && Number.isInteger(v)) return 'int64';
  return getDefaultDtype();
}
export function full(size: unknown, value: unknown, opts?: CreateOpts): Tensor {
  const shape = parseShape([size], 'full');
  const o = checkCreateOpts(opts, 'full');
  // a 0-dim tensor fill value is a number of its kind (PyTorch: full([2], torch.tensor(4.)) is float)
  const kind = value instanceof Tensor ? (isFloating(value.dtype) ? getDefaultDtype() : value.dtype === 'bool' ? 'bool' : 'int64') : null;
  if (value instanceof Tensor) value = value.item();
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`full(): argument 'fill_value' must be Number, not ${describeValue(value)}`);
  const dt = dtOf(o, kind ?? scalarDtype(value));
  if (typeof value === 'number' && Number.isInteger(value)) checkIntRange(dt, value, `${dt}_t`);
  return finish(fill_(empty_(shape, dt, devOf(o)), value), o);
}
export function eye(n: unknown, m?: unknown, opts?: CreateOpts): Tensor {
  if (isOptions(m)) { opts = m as CreateOpts; m = undefined; }
  const rows = checkSize(n, 'eye');
  const cols = m === undefined || m === null ? rows : checkSize(m, 'eye');
  const o = checkCreateOpts(opts, 'eye');
  const t = zeros([rows, cols], { dtype: dtOf(o, getDefaultDtype()), device: devOf(o) });
  const k = Math.min(rows, cols);
  if (k > 0) fill_(new Tensor(t._st, [k], [cols + 1], 0, t.dtype), 1);
  return finish(t, o);
}

export function arange(...args: unknown[]): Tensor {
  const [pos, o0] = splitOpts<CreateOpts>(args);
  const o = checkCreateOpts(o0, 'arange');
  let start = 0, end: number, step = 1;
  const nums = pos.map((x, i) => {
    if (x instanceof Tensor) x = x.item();
    if (typeof x !== 'number') throw new TypeError(`arange(): argument ${i} must be a number, not ${describeValue(x)}`);
    return x;
  });
  if (nums.length === 1) end = nums[0];
  else if (nums.length === 2) [start, end] = nums;
  else if (nums.length === 3) [start, end, step] = nums;
  else throw new TypeError('arange() takes 1 to 3 positional arguments');
  if (step === 0) throw new TorchError('step must be nonzero');
  if (![start, end, step].every(Number.isFinite)) throw new TorchError(`unsupported range: ${start} -> ${end}`);
  const allInt = nums.every(Number.isInteger);
  const dt = dtOf(o, allInt ? 'int64' : getDefaultDtype());
  // PyTorch's RangeFactories: for an integer dtype, start, end and step are first cast to int64 (truncated), and
  // the checks and the values use the cast numbers; the length is ceil((end - start) / step) of the cast numbers
  // for int64, of the given numbers for the narrower integer types and the floats. So arange(0, 5, 1.5, int64) is
  // [0, 1, 2, 3, 4] (step 1, 5 elements) while with int32 it is [0, 1, 2, 3] (4 elements).
  if (dt === 'bool') throw new TorchError(`"arange_cpu" not implemented for 'Bool'`);
  const isInt = !isFloating(dt);
  const s0 = isInt ? Math.trunc(start) : start, e0 = isInt ? Math.trunc(end) : end, st0 = isInt ? Math.trunc(step) : step;
  if (st0 === 0) throw new TorchError('step must be nonzero');
  if ((st0 > 0 && e0 < s0) || (st0 < 0 && e0 > s0)) throw new TorchError('upper bound and larger bound inconsistent with step sign');
  const n = Math.max(0, dt === 'int64' ? Math.ceil((e0 - s0) / st0) : Math.ceil((end - start) / step));
  if (n > 2 ** 40) throw new TorchError(`arange: too many elements (${n})`);
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = s0 + i * st0;
  // computed in double, then cast natively (truncating toward zero for integer dtypes, via float32 for the 16-bit
  // floats, as PyTorch's accumulate types do)
  const f64 = fillHostTyped(vals, 'float64', devOf(o));
  const r = dt === 'float64' ? f64 : dt === 'float16' || dt === 'bfloat16' ? toDtype(toDtype(f64, 'float32'), dt) : toDtype(f64, dt);
  return finish(r, o);
}

export function linspace(start: number, end: number, steps: number, opts?: CreateOpts): Tensor {
  const o = checkCreateOpts(opts, 'linspace');
  const n = checkSize(steps, 'linspace');
  const dt = dtOf(o, getDefaultDtype());
  const vals = new Float64Array(n);
  const step = n > 1 ? (end - start) / (n - 1) : 0;
  const half = Math.floor(n / 2);
  if (n === 1) { vals[0] = start; }
  if (n > 1) for (let i = 0; i < n; i++) vals[i] = i < half ? start + step * i : end - step * (n - 1 - i);
  if (!isFloating(dt)) for (let i = 0; i < n; i++) vals[i] = Math.trunc(vals[i]);
  return finish(fillHost(dt, vals, devOf(o), [n]), o);
}
export function logspace(start: number, end: number, steps: number, opts: CreateOpts & { base?: number } = {}): Tensor {
  checkCreateOpts(opts, 'logspace', ['base']);
  const l = linspace(start, end, steps, { dtype: 'float64' });
  const base = opts.base ?? 10;
  const v = Array.from(l.toTypedArray() as Float64Array, (x) => base ** x);
  return finish(fillHost(dtOf(opts, getDefaultDtype()), v, devOf(opts), [v.length]), opts);
}

/** the *Like options: CreateOpts and memoryFormat (default torch.preserveFormat: a channels-last input gives a
 *  channels-last result, lib/memory_format.ts) */
export type LikeOpts = CreateOpts & { memoryFormat?: MemoryFormat };
function likeOpts(t: Tensor, opts: unknown, op: string): CreateOpts {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, not ${describeValue(t)}`);
  t._check();
  const o = checkCreateOpts(opts, op, ['memoryFormat']);
  return { dtype: o.dtype ?? t.dtype, device: o.device ?? t.device, requiresGrad: o.requiresGrad };
}
// the layout of a *Like result: null (contiguous) or the strides of memoryFormat for t
function likeLayout(t: Tensor, opts: unknown, op: string): number[] | null {
  const f = isOptions(opts) ? (opts as { memoryFormat?: unknown }).memoryFormat : undefined;
  return likeStrides(t, f === undefined ? 'preserveFormat' : toMemoryFormat(f, op), op);
}
function makeLike(t: Tensor, opts: unknown, op: string, plain: (o: CreateOpts) => Tensor, fill: (e: Tensor) => Tensor, dt0?: DType): Tensor {
  const o = likeOpts(t, opts, op);
  const st = likeLayout(t, opts, op);
  if (st === null) return plain(o);
  return finish(fill(emptyStrided_(t.shape.slice(), st, dtOf(o, dt0 ?? t.dtype), devOf(o))), o);
}
export const zerosLike = (t: Tensor, opts?: LikeOpts): Tensor => makeLike(t, opts, 'zeros_like', (o) => zeros(t.shape.slice(), o), (e) => fill_(e, 0));
export const onesLike = (t: Tensor, opts?: LikeOpts): Tensor => makeLike(t, opts, 'ones_like', (o) => ones(t.shape.slice(), o), (e) => fill_(e, 1));
export const emptyLike = (t: Tensor, opts?: LikeOpts): Tensor => makeLike(t, opts, 'empty_like', (o) => empty(t.shape.slice(), o), (e) => e);
export const fullLike = (t: Tensor, v: number | boolean, opts?: LikeOpts): Tensor => makeLike(t, opts, 'full_like', (o) => full(t.shape.slice(), v, o), (e) => fill_(e, v));
export const randLike = (t: Tensor, opts?: LikeOpts): Tensor => makeLike(t, opts, 'rand_like', (o) => rand(t.shape.slice(), o), (e) => {
  if (!isFloating(e.dtype)) throw new TorchError(`"check_uniform_bounds" not implemented for '${typeName(e.dtype)}'`);
  return randomFill(e, 0, 0, 1);
});
export const randnLike = (t: Tensor, opts?: LikeOpts): Tensor => makeLike(t, opts, 'randn_like', (o) => randn(t.shape.slice(), o), (e) => {
  if (!isFloating(e.dtype)) throw new TorchError(`"normal_kernel_cpu" not implemented for '${typeName(e.dtype)}'`);
  return randomFill(e, 1, 0, 1);
});

// ---------------------------------------------------------------------------------------------------------------
// random: a Generator is (seed, offset); each draw of n elements takes counters [offset, offset + n)
// ---------------------------------------------------------------------------------------------------------------
/** bytes in a Generator state tensor (getState/setState): seed and offset, 8 bytes each */
export const RNG_STATE_BYTES = 16;
export class Generator {
  private seed_: bigint;
  offset = 0;
  readonly device: Device;
  constructor(opts: { device?: string | Device } = {}) {
    this.device = opts.device ? toDevice(opts.device) : CPU;
    this.seed_ = 67280421310721n;
  }
  manualSeed(seed: number | bigint): this {
    if (typeof seed === 'number' && !Number.isInteger(seed)) throw new TorchError(`manual_seed expected an integer, got ${seed}`);
    this.seed_ = BigInt.asUintN(64, BigInt(seed));
    this.offset = 0;
    return this;
  }
  seed(): bigint { this.seed_ = BigInt(Math.floor(Math.random() * 2 ** 52)); this.offset = 0; return this.seed_; }
  initialSeed(): bigint { return this.seed_; }
  /** The generator's state as a uint8 tensor of 16 bytes (PyTorch's Generator.get_state gives a ByteTensor): the
   *  64-bit seed then the 64-bit Philox offset, little-endian. This is nodetorch's (seed, offset) counter state,
   *  not PyTorch's Mersenne-Twister layout (5056 bytes on CPU), so states do not travel between the two. */
  getState(): Tensor {
    const b = new Uint8Array(RNG_STATE_BYTES);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, this.seed_, true);
    v.setBigUint64(8, BigInt(this.offset), true);
    return tensor(b, { dtype: 'uint8' });
  }
  /** Restores a state from getState() (also accepts the older { seed, offset } object form). */
  setState(s: Tensor | { seed: string; offset: number }): this {
    if (s instanceof Tensor) {
      if (s.dtype !== 'uint8' || s.numel() !== RNG_STATE_BYTES) {
        throw new TorchError(`set_state: expected a torch.uint8 tensor of ${RNG_STATE_BYTES} elements (from getState()), got ${s.dtype} of shape [${s.shape.join(', ')}]`);
      }
      const b = Uint8Array.from(s.cpu().contiguous().toTypedArray() as Uint8Array);
      const v = new DataView(b.buffer);
      this.seed_ = v.getBigUint64(0, true);
      this.offset = Number(v.getBigUint64(8, true));
      return this;
    }
    if (s === null || typeof s !== 'object' || !('seed' in s) || !('offset' in s)) {
      throw new TorchError(`set_state: expected a torch.uint8 tensor from getState(), got ${describeValue(s)}`);
    }
    this.seed_ = BigInt(s.seed); this.offset = s.offset; return this;
  }
  _take(n: number): [number, number, number] {
    const lo = Number(this.seed_ & 0xffffffffn), hi = Number(this.seed_ >> 32n);
    const off = this.offset;
    // round up so that streams stay aligned to multiples of 4 (as PyTorch's Philox offsets)
    this.offset += Math.ceil(n / 4) * 4;
    return [lo, hi, off];
  }
}
export const defaultGenerator = new Generator();

// One default generator per CUDA device (PyTorch's torch.cuda.default_generators): random ops on cuda:i draw from
// generator i, torch.cuda.manualSeed seeds the current device's, manualSeedAll and torch.manualSeed every device's.
// Made on first use with PyTorch's default seed; a device first used after a seed-all takes that seed.
const cudaGenerators: Generator[] = [];
let cudaSeedAll: bigint | null = null;
export function cudaGeneratorFor(index: number): Generator {
  if (!Number.isInteger(index) || index < 0) throw new TorchError(`Invalid CUDA device index ${index}`);
  let g = cudaGenerators[index];
  if (!g) {
    g = cudaGenerators[index] = new Generator();
    if (cudaSeedAll !== null) g.manualSeed(cudaSeedAll);
  }
  return g;
}
/** one more than the highest device index whose generator has been made */
export function cudaGeneratorCount(): number { return cudaGenerators.length; }
export function cudaManualSeedAll(seed: number | bigint): void {
  if (typeof seed === 'number' && !Number.isInteger(seed)) throw new TorchError(`manual_seed expected an integer, got ${seed}`);
  cudaSeedAll = BigInt.asUintN(64, BigInt(seed));
  for (const g of cudaGenerators) if (g) g.manualSeed(seed);
}
const cudaGenOf = (dev: Device): Generator => cudaGeneratorFor(dev.index ?? currentCudaIndex());

export function manualSeed(seed: number | bigint): Generator {
  defaultGenerator.manualSeed(seed);
  cudaManualSeedAll(seed);
  return defaultGenerator;
}
export function seed(): bigint { return defaultGenerator.seed(); }
export function initialSeed(): bigint { return defaultGenerator.initialSeed(); }

export type RandOpts = CreateOpts & { generator?: Generator };
function genFor(o: RandOpts, dev: Device): Generator {
  if (o.generator) return o.generator;
  return dev.type === 'cuda' ? cudaGenOf(dev) : defaultGenerator;
}
export function randomFill(t: Tensor, kind: number, p0: number, p1: number, gen?: Generator): Tensor {
  const g = gen ?? (t.device.type === 'cuda' ? cudaGenOf(t.device) : defaultGenerator);
  const [lo, hi, off] = g._take(t.numel());
  const dst = t.isContiguous() ? t : empty_(t.shape.slice(), t.dtype, t.device);
  runKernel(OP.random, [dst], [kind, lo, hi, off, p0, p1]);
  if (dst !== t) runKernel(OP.copy, [t, dst]);
  t._st.version++;
  return t;
}

export function rand(...args: SizeArgs<RandOpts>): Tensor;
export function rand(...args: unknown[]): Tensor {
  const [shape, o] = shapeAndOpts(args, 'rand', ['generator']) as [number[], RandOpts];
  const dt = dtOf(o, getDefaultDtype());
  if (!isFloating(dt)) throw new TorchError(`"check_uniform_bounds" not implemented for '${typeName(dt)}'`);
  const dev = devOf(o);
  return finish(randomFill(empty_(shape, dt, dev), 0, 0, 1, genFor(o, dev)), o);
}
export function randn(...args: SizeArgs<RandOpts>): Tensor;
export function randn(...args: unknown[]): Tensor {
  const [shape, o] = shapeAndOpts(args, 'randn', ['generator']) as [number[], RandOpts];
  const dt = dtOf(o, getDefaultDtype());
  if (!isFloating(dt)) throw new TorchError(`"normal_kernel_cpu" not implemented for '${typeName(dt)}'`);
  const dev = devOf(o);
  return finish(randomFill(empty_(shape, dt, dev), 1, 0, 1, genFor(o, dev)), o);
}
export function randint(...args: unknown[]): Tensor {
  const [pos, o0] = splitOpts<RandOpts>(args);
  let low = 0, high: number, size: unknown;
  if (pos.length === 2) [high, size] = pos as [number, unknown];
  else if (pos.length === 3) [low, high, size] = pos as [number, number, unknown];
  else throw new TypeError('randint(): expected (high, size) or (low, high, size)');
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TorchError('randint(): low and high must be integers');
  if (high <= low) throw new TorchError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const shape = parseShape([size], 'randint');
  const o = checkCreateOpts(o0, 'randint', ['generator']) as RandOpts;
  const dev = devOf(o);
  const dt = dtOf(o, 'int64');
  // random_'s bounds checks for the integer dtypes (C's type names, as PyTorch's messages)
  const r = INT_RANGE[dt];
  if (r && dt !== 'int64') {
    const cname = { uint8: 'unsigned char', int8: 'signed char', int16: 'short', int32: 'int' }[dt as 'uint8'];
    if (low < r[0] || low > r[1]) throw new TorchError(`from is out of bounds for ${cname}`);
    if (high - 1 < r[0] || high - 1 > r[1]) throw new TorchError(`to - 1 is out of bounds for ${cname}`);
  }
  return finish(randomFill(empty_(shape, dt, dev), 2, low, high, genFor(o, dev)), o);
}
export function randperm(n: unknown, opts?: RandOpts): Tensor {
  const count = checkSize(n, 'randperm');
  const o = checkCreateOpts(opts, 'randperm', ['generator']) as RandOpts;
  const dev = devOf(o);
  const g = genFor(o, dev);
  const [lo, hi, off] = g._take(count);
  const t = empty_([count], 'int64', CPU);
  runKernel(OP.randperm, [t], [0, lo, hi, off]);
  const r = dtOf(o, 'int64') === 'int64' ? t : toDtype(t, dtOf(o, 'int64'));
  return finish(toDeviceCopy(r, dev), o);
}
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  const u = rand(p.shape.slice(), { dtype: p.dtype, device: p.device, generator: opts.generator });
  return u.lt(p).to(p.dtype);
}
export function normal(mean: number, std: number, size: readonly number[], opts: RandOpts = {}): Tensor {
  if (!(std >= 0)) throw new TorchError(`normal expects std >= 0.0, but found std ${std}`);
  const dev = devOf(opts);
  return finish(randomFill(empty_(parseShape([size as number[]], 'normal'), dtOf(opts, getDefaultDtype()), dev), 1, mean, std, genFor(opts, dev)), opts);
}

/** torch.normal with a tensor mean and/or std (PyTorch's normal.Tensor_float, .float_Tensor, .Tensor_Tensor): one draw
 *  per element of the broadcast shape of mean and std, in the dtype and on the device of mean (else std), computed as
 *  PyTorch's normal_out: a standard normal draw, times std, plus mean, in place in the result's dtype. As PyTorch's,
 *  the draw is not reparameterized: the result records NormalBackward1/2/3 (tensor mean / tensor std / both), which
 *  gives mean and std zero gradients. */
export function normalTensor(mean: Tensor | number, std: Tensor | number, gen: Generator | null): Tensor {
  const base = mean instanceof Tensor ? mean : (std as Tensor);
  base._check();
  if (typeof std === 'number' && !(std >= 0)) throw new TorchError(`normal expects std >= 0.0, but found std ${std}`);
  if (mean instanceof Tensor && std instanceof Tensor) std._check();
  const shape = mean instanceof Tensor && std instanceof Tensor ? broadcastShapes(mean.shape, std.shape, 'normal') : base.shape.slice();
  if (!isFloating(base.dtype)) throw new TorchError(`"normal_kernel_${base.device.type}" not implemented for '${typeName(base.dtype)}'`);
  const prev = gradState.enabled;
  gradState.enabled = false;
  let r: Tensor;
  try {
    if (std instanceof Tensor && std.numel() > 0 && std.lt(0).any().item()) throw new TorchError('normal expects all elements of std >= 0.0');
    r = randomFill(empty_(shape, base.dtype, base.device), 1, 0, 1, gen ?? undefined);
    r.mul_(std);
    r.add_(mean);
  } finally { gradState.enabled = prev; }
  const m = mean instanceof Tensor ? mean : null, sd = std instanceof Tensor ? std : null;
  const zero = (t: Tensor | null): Tensor | null => (t === null ? null : empty_(t.shape.slice(), t.dtype, t.device).fill_(0));
  return record(m && sd ? 'NormalBackward3' : m ? 'NormalBackward1' : 'NormalBackward2', [m, sd], r, () => [zero(m), zero(sd)]);
}

