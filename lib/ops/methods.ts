// methods.ts - Tensor methods and torch.* functions of the Arithmetic and Casting sections, wired to
// lib/ops/elementwise.ts. (Each op family file does the same for its own ops.)
import { Tensor } from '../tensor';
import { DType, DTypeName, DTYPES, toDType, isFloating, describeValue, isDTypeName } from '../dtype';
import { Device, DeviceName, toDevice, devicesHere } from '../device';
import { TorchError, checkKeys } from '../errors';
import * as E from './elementwise';
import { isOptions, TensorOrScalar } from './util';
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
    float(): T; double(): T; half(): T; bfloat16(): T; long(): T; int(): T; short(): T; char(): T; byte(): T; bool(): T;
    cpu(): T; cuda(index?: number): T;
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
P.type = function (this: T, dt?: string): T | string {
  if (dt === undefined) {
    const m: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };
    return `torch.${this.device.type === 'cuda' ? 'cuda.' : ''}${m[this.dtype]}Tensor`;
  }
  return E.toDtype(this, toDType(dt, 'type'));
};
const CASTS: [string, DType][] = [['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'],
  ['long', 'int64'], ['int', 'int32'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8'], ['bool', 'bool']];
for (const [n, d] of CASTS) P[n] = function (this: T): T { this._check(); return E.toDtype(this, d); };
P.cpu = function (this: T): T { return toImpl.call(this, 'cpu'); };
P.cuda = function (this: T, index?: number): T { return toImpl.call(this, index === undefined ? 'cuda' : `cuda:${index}`); };

