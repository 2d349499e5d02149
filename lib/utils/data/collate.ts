// collate.ts - defaultCollate / defaultConvert (torch.utils.data's default_collate / default_convert), and the
// encoding that carries batches out of worker threads as transferable ArrayBuffers (moved, never copied).
import { Tensor } from '../../tensor';
import { TorchError } from '../../errors';
import { DType } from '../../dtype';
import { tensor, frombuffer, empty } from '../../ops/creation';
import { stack } from '../../ops/shape';
import { describe } from './dataset';

// realm-independent checks: objects that arrive from a worker (or live in a jest/vm context) have another realm's
// Object.prototype and Map, so `=== Object.prototype` and `instanceof Map` would miss them
const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const p = Object.getPrototypeOf(x);
  return p === null || Object.getPrototypeOf(p) === null;
};
const isMap = (x: unknown): x is Map<unknown, unknown> => Object.prototype.toString.call(x) === '[object Map]';
const isTypedArray = (x: unknown): x is ArrayBufferView => ArrayBuffer.isView(x) && !(x instanceof DataView);

const COLLATE_ERR = 'defaultCollate: batch must contain tensors, typed arrays, numbers, booleans, strings, plain objects, Maps or arrays; found ';

/**
 * The type defaultCollate makes of samples of type T: tensors, numbers, booleans, bigints and typed arrays become one
 * Tensor; strings a string[]; tuples, arrays, Maps and plain objects are collated element by element.
 */
export type Collated<T> =
  unknown extends T ? unknown :
  T extends Tensor | number | boolean | bigint | ArrayBufferView ? Tensor :
  T extends string ? string[] :
  T extends Map<infer K, infer V> ? Map<K, Collated<V>> :
  T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> } :
  T extends object ? { [K in keyof T]: Collated<T[K]> } :
  unknown;

/**
 * Merges a list of samples into a batch, as PyTorch's default_collate: Tensors are stacked along a new first
 * dimension; numbers become a 1-D tensor (int64 when every value is integral, else float64, as Python ints and
 * floats do); booleans a bool tensor; bigints int64; typed arrays are made tensors and stacked; strings stay a list;
 * arrays (tuples) are collated position by position and plain objects / Maps key by key, recursively.
 */
export function defaultCollate(batch: unknown[]): unknown {
  if (!Array.isArray(batch)) throw new TorchError(`defaultCollate: expected an array of samples, got ${describe(batch)}`);
  if (!batch.length) throw new TorchError('defaultCollate: cannot collate an empty batch');
  const elem = batch[0];
  if (elem instanceof Tensor) {
    batch.forEach((b, i) => { if (!(b instanceof Tensor)) throw new TorchError(`defaultCollate: sample ${i} is ${describe(b)} but sample 0 is a Tensor`); });
    return stack(batch as Tensor[], 0);
  }
  if (typeof elem === 'number') {
    if (!batch.every((b) => typeof b === 'number' || typeof b === 'boolean')) throw new TorchError(COLLATE_ERR + 'a mix of numbers and ' + describe(batch.find((b) => typeof b !== 'number')));
    const allInt = batch.every((b) => typeof b !== 'number' || Number.isInteger(b));
    return tensor(batch.map(Number), { dtype: allInt ? 'int64' : 'float64' });
  }
  if (typeof elem === 'boolean') {
    if (batch.every((b) => typeof b === 'boolean')) return tensor(batch as boolean[]);
    return defaultCollate(batch.map((b) => (typeof b === 'boolean' ? Number(b) : b)));
  }
  if (typeof elem === 'bigint') return tensor(batch as bigint[], { dtype: 'int64' });
  if (typeof elem === 'string') return batch;
  if (isTypedArray(elem)) return stack(batch.map((b) => { if (!isTypedArray(b)) throw new TorchError(COLLATE_ERR + describe(b)); return tensor(b); }), 0);
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n)) throw new TorchError('each element in list of batch should be of equal size');
    return Array.from({ length: n }, (_, k) => defaultCollate(batch.map((b) => (b as unknown[])[k])));
  }
  if (isMap(elem)) {
    const out = new Map<unknown, unknown>();
    for (const k of elem.keys()) out.set(k, defaultCollate(batch.map((b) => (b as Map<unknown, unknown>).get(k))));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(elem)) {
      out[k] = defaultCollate(batch.map((b, i) => {
        if (!isPlainObject(b) || !(k in b)) throw new TorchError(`defaultCollate: sample ${i} has no key '${k}' (sample 0 has it)`);
        return b[k];
      }));
    }
    return out;
  }
  throw new TorchError(COLLATE_ERR + describe(elem));
}

/** default_convert: typed arrays become tensors, containers are walked; used when automatic batching is off. */
export function defaultConvert(x: unknown): unknown {
  if (x instanceof Tensor) return x;
  if (isTypedArray(x)) return tensor(x);
  if (Array.isArray(x)) return x.map(defaultConvert);
  if (isMap(x)) return new Map([...x].map(([k, v]) => [k, defaultConvert(v)]));
  if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, defaultConvert(v)]));
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// worker transfer: a Tensor travels as its bytes in an ArrayBuffer put in the postMessage transfer list, and is
// rebuilt on the other side with frombuffer (shares that memory), so the batch crosses threads without a copy.
// ---------------------------------------------------------------------------------------------------------------
interface EncodedTensor { __ntTensor: 1; dtype: DType; shape: number[]; data: ArrayBuffer; viaFloat32: boolean }

export function encodeForTransfer(x: unknown, transfer: ArrayBuffer[], depth = 0): unknown {
  if (depth > 32) throw new TorchError('DataLoader worker: sample nests too deeply (more than 32 levels) to send back');
  if (x instanceof Tensor) {
    x._check();
    const arr = x.toTypedArray();
    let buf = arr.buffer as ArrayBuffer;
    if (arr.byteOffset !== 0 || arr.byteLength !== buf.byteLength) buf = buf.slice(arr.byteOffset, arr.byteOffset + arr.byteLength);
    if (buf.byteLength) transfer.push(buf);
    const e: EncodedTensor = { __ntTensor: 1, dtype: x.dtype, shape: x.shape.slice(), data: buf, viaFloat32: x.dtype === 'float16' || x.dtype === 'bfloat16' };
    return e;
  }
  if (Array.isArray(x)) return x.map((v) => encodeForTransfer(v, transfer, depth + 1));
  if (isMap(x)) return new Map([...x].map(([k, v]) => [k, encodeForTransfer(v, transfer, depth + 1)]));
  if (isPlainObject(x)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = encodeForTransfer(v, transfer, depth + 1);
    return out;
  }
  if (typeof x === 'function' || typeof x === 'symbol') throw new TorchError(`DataLoader worker: a sample contains a ${typeof x}, which cannot be sent between threads`);
  return x;
}

export function decodeTransfer(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decodeTransfer);
  if (isMap(x)) return new Map([...x].map(([k, v]) => [k, decodeTransfer(v)]));
  if (isPlainObject(x)) {
    if (x.__ntTensor === 1) {
      const e = x as unknown as EncodedTensor;
      const n = e.shape.reduce((a, b) => a * b, 1);
      if (n === 0) return empty(e.shape, { dtype: e.dtype });
      if (e.viaFloat32) return frombuffer(new Float32Array(e.data)).view(e.shape).to(e.dtype);
      return frombuffer(e.data, { dtype: e.dtype }).view(e.shape);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = decodeTransfer(v);
    return out;
  }
  return x;
}
