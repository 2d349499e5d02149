// dtype.ts - the ten dtypes, their native codes (native/core/dtype.h), typed-array classes and
// PyTorch's type promotion (c10/core/ScalarType.h promoteTypes, at::native::result_type).
import { TorchError } from './errors';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** What a dtype argument accepts: a DType, PyTorch's short names, or either with 'torch.' before it ('torch.float32'). */
export type DTypeAlias = 'float' | 'double' | 'half' | 'long' | 'int' | 'short';
export type DTypeName = DType | DTypeAlias | `torch.${DType | DTypeAlias}`;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
export const DTYPE_CODE: Record<DType, number> = {
  float32: 0, float64: 1, float16: 2, bfloat16: 3, int64: 4, int32: 5, int16: 6, int8: 7, uint8: 8, bool: 9,
};
export const ITEMSIZE: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};
const ALIASES: Record<string, DType> = {
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16',
  float32: 'float32', float64: 'float64', float16: 'float16', bfloat16: 'bfloat16', int64: 'int64', int32: 'int32',
  int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

export function isDTypeName(d: unknown): d is DTypeName {
  return typeof d === 'string' && Object.prototype.hasOwnProperty.call(ALIASES, d.startsWith('torch.') ? d.slice(6) : d);
}

export function toDType(d: unknown, what = 'dtype'): DType {
  if (typeof d === 'string') {
    const k = d.startsWith('torch.') ? d.slice(6) : d;
    const r = ALIASES[k];
    if (r) return r;
  }
  throw new TorchError(`${what}: expected a dtype (one of ${DTYPES.join(', ')}), got ${describeValue(d)}`);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor ? (v as object).constructor.name : 'object';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

export const isFloating = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
export const isIntegral = (d: DType, includeBool = false): boolean => (d === 'bool' ? includeBool : !isFloating(d));

let defaultDtype: DType = 'float32';
export function getDefaultDtype(): DType { return defaultDtype; }
export function setDefaultDtype(d: DType): void {
  const t = toDType(d);
  if (!isFloating(t)) throw new TorchError('only floating-point types are supported as the default type');
  defaultDtype = t;
}

const FLOAT_RANK: Record<string, number> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };
const INT_SIZE: Record<string, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8 };

export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const fa = isFloating(a), fb = isFloating(b);
  if (fa && fb) {
    if (FLOAT_RANK[a] === 1 && FLOAT_RANK[b] === 1) return 'float32';
    return FLOAT_RANK[a] >= FLOAT_RANK[b] ? a : b;
  }
  if (fa) return a;
  if (fb) return b;
  if (a === 'uint8' || b === 'uint8') {
    const other = a === 'uint8' ? b : a;
    return other === 'int8' ? 'int16' : other;
  }
  return INT_SIZE[a] >= INT_SIZE[b] ? a : b;
}

const category = (d: DType | null): number => (d === null ? -1 : d === 'bool' ? 0 : isFloating(d) ? 2 : 1);

// at::native::result_type over tensors (ndim > 0 or 0-d) and JS scalars
export function resultType(dims: DType[], zeroDims: DType[], scalars: (number | boolean)[]): DType {
  const fold = (ds: DType[]): DType | null => (ds.length ? ds.reduce(promoteTypes) : null);
  const dimR = fold(dims), zeroR = fold(zeroDims);
  const wr: DType[] = scalars.map((s) => (typeof s === 'boolean' ? 'bool' : Number.isInteger(s) ? 'int64' : defaultDtype));
  const wrapR = fold(wr);
  const combine = (higher: DType | null, lower: DType | null): DType | null => {
    if (higher !== null && isFloating(higher)) return higher;
    if (higher === 'bool' || (lower !== null && isFloating(lower))) {
      if (higher === null) return lower;
      if (lower === null) return higher;
      return promoteTypes(higher, lower);
    }
    if (higher !== null) return higher;
    return lower;
  };
  void category;
  const r = combine(dimR, combine(zeroR, wrapR));
  return r === null ? defaultDtype : r;
}

// dtype in which elementwise math is done natively: float32/float64/int64 (see native/kernels/scalar.h)
export function computeDtype(d: DType): DType {
  if (d === 'float64') return 'float64';
  if (isFloating(d)) return 'float32';
  return 'int64';
}

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

export function typedArrayFor(d: DType, buf: ArrayBuffer, byteOffset = 0, length?: number): TypedArray {
  switch (d) {
    case 'float32': return new Float32Array(buf, byteOffset, length);
    case 'float64': return new Float64Array(buf, byteOffset, length);
    case 'int64': return new BigInt64Array(buf, byteOffset, length);
    case 'int32': return new Int32Array(buf, byteOffset, length);
    case 'int16': return new Int16Array(buf, byteOffset, length);
    case 'int8': return new Int8Array(buf, byteOffset, length);
    case 'uint8': case 'bool': return new Uint8Array(buf, byteOffset, length);
    case 'float16': case 'bfloat16': return new Uint16Array(buf, byteOffset, length);
  }
}

const TYPED_DTYPE: Record<string, DType> = {
  Float32Array: 'float32', Float64Array: 'float64', BigInt64Array: 'int64', Int32Array: 'int32', Int16Array: 'int16',
  Int8Array: 'int8', Uint8Array: 'uint8', Uint8ClampedArray: 'uint8',
};
// by the array's tag rather than instanceof, so arrays from another realm (vm contexts, jest) work too
export function dtypeOfTypedArray(a: ArrayBufferView): DType | null {
  return TYPED_DTYPE[Object.prototype.toString.call(a).slice(8, -1)] ?? null;
}

// 16-bit float conversions on the JS side (reading float16/bfloat16 back)
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bf16ToNumber(h: number): number { u32[0] = h << 16; return f32[0]; }
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
