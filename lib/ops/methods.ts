// methods.ts - Tensor methods and torch.* functions of the Arithmetic and Casting sections, wired to
// lib/ops/elementwise.ts. (Each op family file does the same for its own ops.)
import { Tensor } from '../tensor';
import { DType, DTypeName, DTYPES, toDType, isFloating, describeValue, isDTypeName } from '../dtype';
import { Device, DeviceName, toDevice, devicesHere } from '../device';
import { TorchError, checkKeys } from '../errors';
import * as E from './elementwise';
import { isOptions, TensorOrScalar } from './util';
import type { MemoryFormat } from '../memory_format';
import { UNARY_DEFS as U, BINARY_DEFS as B } from './elementwise';

type T = Tensor;
type S = TensorOrScalar;
declare module '../tensor' {
  interface Tensor {
    // the elementwise ops are the schema's (lib/ops/ops.schema -> generated.ts), as are equal/isclose/allclose and
    // sgn/signbit/isposinf/isneginf/frac
    to(target: DTypeName | DeviceName | Device | T | { dtype?: DTypeName; device?: string | Device; copy?: boolean; nonBlocking?: boolean }, second?: DTypeName | DeviceName | Device | { copy?: boolean; nonBlocking?: boolean }, opts?: { copy?: boolean; nonBlocking?: boolean }): T;
    /** PyTorch's positional flags: to(dtype | other, nonBlocking, copy?) */
    to(target: DTypeName | T, nonBlocking: boolean, copy?: boolean, opts?: { copy?: boolean; nonBlocking?: boolean }): T;
    /** PyTorch's positional flags: to(device, dtype | null, nonBlocking?, copy?) */
    to(device: DeviceName | Device, dtype: DTypeName | null, nonBlocking?: boolean, copy?: boolean, opts?: { copy?: boolean; nonBlocking?: boolean }): T;
    to(device: DeviceName | Device, nonBlocking: boolean, copy?: boolean, opts?: { copy?: boolean; nonBlocking?: boolean }): T;
    type(): string;
    type(dtype: DTypeName): T;
    /** PyTorch's type(dtype=None, non_blocking=False): nonBlocking is accepted (a copy on the CPU completes before
     *  returning); without a dtype, the type name */
    type(dtype: DTypeName, nonBlocking: boolean): T;
    type(dtype: null | undefined, nonBlocking?: boolean): string;
    type(opts: { nonBlocking?: boolean }): string;
    float(): T; double(): T; half(): T; bfloat16(): T; long(): T; int(): T; short(): T; char(): T; byte(): T; bool(): T;
    cpu(): T;
    /** PyTorch's cuda(device=None, non_blocking=False, *, memory_format=preserve_format): to('cuda[:device]') */
    cuda(device?: number | DeviceName | Device | null, nonBlocking?: boolean, opts?: { nonBlocking?: boolean; memoryFormat?: MemoryFormat }): T;
    cuda(device: number | DeviceName | Device | null, opts: { nonBlocking?: boolean; memoryFormat?: MemoryFormat }): T;
    cuda(opts: { device?: number | DeviceName | Device | null; nonBlocking?: boolean; memoryFormat?: MemoryFormat }): T;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
// (detach, detach_, clone, contiguous, copy_, fill_ and zero_ are rows of lib/ops/ops.schema)

// to(device | dtype | tensor | { dtype, device, copy, nonBlocking }), also PyTorch's to(device, dtype) and a trailing
// { copy, nonBlocking } (nonBlocking: a copy from pinned memory to CUDA is asynchronous on the current stream, as
// PyTorch's; other copies are synchronous)
function toImpl(this: T, target: unknown, ...rest: unknown[]): T {
  this._check();
  let dt: DType | undefined, dev: Device | undefined, copy = false, nonBlocking = false;
  const take = (v: unknown, where: string): void => {
    if (v instanceof Tensor) { dt = v.dtype; dev = v.device; }
    else if (v instanceof Device) dev = v;
    else if (typeof v === 'string') {
      if (/^(cpu|cuda)(:\d+)?$/.test(v)) dev = toDevice(v);
      else if (isDTypeName(v)) dt = toDType(v, 'to');
      else throw new TorchError(`to(): '${v}' is neither a device nor a dtype; ${devicesHere()}; dtypes: ${DTYPES.join(', ')}`);
    } else if (isOptions(v)) {
      checkKeys('to', v, ['dtype', 'device', 'copy', 'nonBlocking']);
      const o = v as { dtype?: string; device?: string | Device; copy?: boolean; nonBlocking?: boolean };
      if (o.nonBlocking) nonBlocking = true;
      if (o.dtype !== undefined) dt = toDType(o.dtype, 'to');
      if (o.device !== undefined) dev = toDevice(o.device);
      if (o.copy) copy = true;
    } else throw new TypeError(`to() received an invalid combination of arguments: ${where} ${describeValue(v)}`);
  };
  if (target !== null && target !== undefined) take(target, 'argument 1');  // (to(None, dtype, ...): no device)
  // then PyTorch's positional forms: to(device, dtype?, nonBlocking?, copy?), to(dtype, nonBlocking?, copy?),
  // to(other, nonBlocking?, copy?), each with a trailing options object
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  const last = n > 0 && isOptions(rest[n - 1]) ? rest[n - 1] : undefined;
  const pos = rest.slice(0, last === undefined ? n : n - 1);
  let i = 0;
  const isDevice = (v: unknown): boolean => v instanceof Device || (typeof v === 'string' && /^(cpu|cuda)(:\d+)?$/.test(v));
  if ((target === null || target === undefined || isDevice(target)) && i < pos.length && (pos[i] === null || pos[i] === undefined || (typeof pos[i] === 'string' && !isDevice(pos[i])))) {
    if (pos[i] !== null && pos[i] !== undefined) take(pos[i], 'argument 2');
    i++;
  } else if (i < pos.length && isDevice(pos[i]) && typeof target === 'string' && isDTypeName(target)) {
    take(pos[i], 'argument 2');  // (nodetorch also takes to(dtype, device))
    i++;
  }
  const flags = pos.slice(i);
  if (flags.length > 2) throw new TypeError('to() received too many arguments: to(device?, dtype?, nonBlocking?, copy?, { copy, nonBlocking }?)');
  flags.forEach((f, k) => {
    if (typeof f !== 'boolean') throw new TypeError(`to() received an invalid combination of arguments: argument ${i + k + 2} ${describeValue(f)} (expected ${k === 0 ? 'nonBlocking' : 'copy'}: bool)`);
  });
  if (flags[0] === true) nonBlocking = true;
  if (flags[1] === true) copy = true;
  if (last !== undefined) {
    const o = last as { copy?: unknown; nonBlocking?: unknown };
    if ((flags.length >= 1 && o.nonBlocking !== undefined) || (flags.length >= 2 && o.copy !== undefined)) {
      throw new TypeError(`to(): got multiple values for argument '${flags.length >= 2 && o.copy !== undefined ? 'copy' : 'nonBlocking'}'`);
    }
    take(last, `argument ${pos.length + 2}`);
  }
  let r: T = this;
  if (dev && !dev.equals(r.device)) r = E.toDeviceCopy(r, dev, nonBlocking);
  if (dt && dt !== r.dtype) r = E.toDtype(r, dt);
  if (copy && r === this) r = E.clone(this);
  return r;
}
P.to = toImpl;
// type(dtype?, nonBlocking?) (keywords.ts gives both their names): nonBlocking is checked and has no effect here (the
// cast is on the tensor's own device); PyTorch's type names ('torch.DoubleTensor', 'torch.cuda.FloatTensor') too
const TYPE_NAMES: Record<string, DType> = { Float: 'float32', Double: 'float64', Half: 'float16', BFloat16: 'bfloat16', Long: 'int64', Int: 'int32', Short: 'int16', Char: 'int8', Byte: 'uint8', Bool: 'bool' };
P.type = function (this: T, dt?: string | null, ...rest: unknown[]): T | string {
  if (isOptions(dt)) checkKeys('type', dt, ['dtype', 'nonBlocking']);  // (known names are moved into place by keywords.ts)
  let n = rest.length;
  while (n > 0 && rest[n - 1] === undefined) n--;
  if (n > 0 && isOptions(rest[n - 1])) {
    const o = rest[--n] as Record<string, unknown>;
    checkKeys('type', o, ['nonBlocking']);
    if (n > 0 && o.nonBlocking !== undefined) throw new TypeError(`type(): got multiple values for argument 'nonBlocking'`);
    if (o.nonBlocking !== undefined) rest = [o.nonBlocking];
    n = rest.length;
  }
  if (n > 1) throw new TypeError(`type() takes (dtype?, nonBlocking?) positionally, then an options object; got ${n + 1} positional arguments`);
  if (n === 1 && typeof rest[0] !== 'boolean') throw new TypeError(`type(): argument 'nonBlocking' must be bool, not ${describeValue(rest[0])}`);
  const tn = typeof dt === 'string' ? /^torch\.(cuda\.)?(\w+)Tensor$/.exec(dt) : null;
  if (tn && TYPE_NAMES[tn[2]]) {
    const r = toImpl.call(this, tn[1] ? (this.device.type === 'cuda' ? this.device : 'cuda') : 'cpu', { nonBlocking: rest[0] === true });
    return E.toDtype(r, TYPE_NAMES[tn[2]]);
  }
  if (dt === undefined || dt === null) {
    const m: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };
    return `torch.${this.device.type === 'cuda' ? 'cuda.' : ''}${m[this.dtype]}Tensor`;
  }
  return E.toDtype(this, toDType(dt, 'type'));
};
const CASTS: [string, DType][] = [['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'],
  ['long', 'int64'], ['int', 'int32'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8'], ['bool', 'bool']];
for (const [n, d] of CASTS) P[n] = function (this: T): T { this._check(); return E.toDtype(this, d); };
P.cpu = function (this: T): T { return toImpl.call(this, 'cpu'); };
// cuda(device?, nonBlocking?, { nonBlocking, memoryFormat }) (keywords.ts gives device and nonBlocking their names)
P.cuda = function (this: T, ...args: unknown[]): T {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let o: Record<string, unknown> = {};
  if (n > 0 && isOptions(args[n - 1])) { o = args[--n] as Record<string, unknown>; checkKeys('cuda', o, ['device', 'nonBlocking', 'memoryFormat']); }
  if (n > 2) throw new TypeError(`cuda() takes (device?, nonBlocking?) positionally, then an options object; got ${n} positional arguments`);
  const given = (k: number): boolean => n > k && args[k] !== undefined;
  if (given(0) && o.device !== undefined) throw new TypeError(`cuda(): got multiple values for argument 'device'`);
  if (given(1) && o.nonBlocking !== undefined) throw new TypeError(`cuda(): got multiple values for argument 'nonBlocking'`);
  const d = given(0) ? args[0] : o.device;
  const nb = given(1) ? args[1] : o.nonBlocking ?? false;
  if (typeof nb !== 'boolean') throw new TypeError(`cuda(): argument 'nonBlocking' must be bool, not ${describeValue(nb)}`);
  let dev: unknown = d === undefined || d === null ? 'cuda' : typeof d === 'number' ? `cuda:${d}` : d;
  dev = toDevice(dev as string);
  if ((dev as Device).type !== 'cuda') throw new TorchError(`cuda(): Invalid device, must be cuda device (got ${String(dev)})`);
  const opts: Record<string, unknown> = { nonBlocking: nb };
  if (o.memoryFormat !== undefined) opts.memoryFormat = o.memoryFormat;
  return (P.to as (this: T, ...a: unknown[]) => T).call(this, dev, opts);
};

