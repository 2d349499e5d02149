// common.ts - helpers shared by the layer modules: Python-style repr of option values (PyTorch's extra_repr
// prints Python literals: True, 1e-05, (3, 3), None) and parameter allocation honouring { dtype, device }.
import { posOpts } from '../../ops/util';
import { Tensor } from '../../tensor';
import { DType, DTypeName, toDType, getDefaultDtype } from '../../dtype';
import { Device, toDevice, CPU } from '../../device';
import { empty } from '../../ops/creation';
import { Parameter } from '../module';
import { TorchError } from '../../errors';

export interface FactoryOpts { dtype?: DTypeName; device?: string | Device }

/**
 * The arguments, after the required ones, of a layer whose keyword arguments `O` PyTorch also takes positionally in
 * the order `K` (what optsArg reads at run time): the first few positionally (`undefined` skips one), then
 * optionally one options object with the others. A key given both ways, an unknown key or a surplus argument is a
 * compile error here (and a TypeError at run time). `new nn.BatchNorm2d(16, 1e-3, 0.1, { device })`.
 */
export type PosArgs<O, K extends readonly PropertyKey[]> =
  K extends readonly [infer H, ...infer R extends readonly PropertyKey[]]
    ? H extends keyof O ? [opts?: O] | [arg: O[H] | undefined, ...PosArgs<Omit<O, H>, R>] : never
    : [keyof O] extends [never] ? [] : [opts?: O];  // (no options left: `{}` would take any value)

export function newParam(shape: number[], f: FactoryOpts): Parameter {
  const dtype = f.dtype === undefined ? getDefaultDtype() : toDType(f.dtype);
  const device = f.device === undefined ? CPU : toDevice(f.device);
  return new Parameter(empty(shape, { dtype, device }));
}
export function newTensor(shape: number[], f: FactoryOpts, dtype?: DType): Tensor {
  return empty(shape, { dtype: dtype ?? (f.dtype === undefined ? getDefaultDtype() : toDType(f.dtype)), device: f.device === undefined ? CPU : toDevice(f.device) });
}

// Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16 (two-digit exponent)
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const e = Math.floor(Math.log10(Math.abs(x)));
  if (e < -4 || e >= 16) {
    const [m, ex] = x.toExponential().split('e');
    const n = Number(ex);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
export const pyTuple = (xs: readonly (number | string)[]): string => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`);
export const pyNum = (x: number): string => String(x); // integers (and values PyTorch keeps as given)

export function tupleOf(v: number | number[], n: number, name: string): number[] {
  const arr = Array.isArray(v) ? v.slice() : Array(n).fill(v);
  if (arr.length !== n || arr.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw new TorchError(`${name} must be an integer or a list of ${n} integers, got ${JSON.stringify(v)}`);
  }
  return arr as number[];
}

// a trailing options object, or {} (layers accept both `new X(a, b)` and `new X(a, b, { ... })`); with `names`, also
// PyTorch's positional arguments in that order (`new nn.Conv2d(3, 16, 3, 1, 1)`), optionally followed by options
// `also`: the options without a positional slot; given, every key must be one of names/also (else a TypeError)
export function optsArg<O>(o: unknown, cls: string, more: readonly unknown[] = [], names: readonly string[] = [], also: readonly string[] | null = null): O {
  if (names.length || also) return posOpts<O & object>(cls, [o, ...more], names, also);
  if (o === undefined || o === null) return {} as O;
  if (typeof o !== 'object' || Array.isArray(o) || o instanceof Tensor) throw new TypeError(`${cls}: expected an options object, got ${Array.isArray(o) ? 'an array' : typeof o}`);
  return o as O;
}
export function checkPosInt(v: unknown, name: string, cls: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    throw new TorchError(`${cls}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
  }
  return v;
}
