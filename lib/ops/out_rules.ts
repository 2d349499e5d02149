// out_rules.ts - PyTorch's per-op rules for out= (found by test/sweep_ew.test.ts against PyTorch 1.13), applied by
// args.ts writeOut before the op runs: an out dtype the op refuses is refused with PyTorch's message, and where
// PyTorch computes in out's dtype the arguments are rewritten so that the op does too. Ops without a rule follow
// writeOut's general one (the result's dtype must be castable to out's; the result is cast).
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { DType, isFloating, resultType } from '../dtype';

const TYPE_NAME: Record<DType, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short',
  int8: 'Char', uint8: 'Byte', bool: 'Bool',
};
type Rule = (out: Tensor, v: unknown[]) => void;
const input = (v: unknown[]): Tensor | null => (v[0] instanceof Tensor ? v[0] : null);

// the dtype-keeping unary ops and clamp: out must have the result's dtype exactly ("Found dtype Double but expected
// Float"); square and clamp's result is the promoted one (square of bools is int64)
function sameAsResult(result: (x: Tensor, v: unknown[]) => DType): Rule {
  return (out, v) => {
    const x = input(v);
    if (!x) return;
    const want = result(x, v);
    if (out.dtype !== want) throw new TorchError(`Found dtype ${TYPE_NAME[out.dtype]} but expected ${TYPE_NAME[want]}`);
  };
}
const keep = sameAsResult((x) => x.dtype);
// predicates: a bool out only
const boolOnly = (op: string): Rule => (out) => {
  if (out.dtype !== 'bool') throw new TorchError(`${op} does not support non-boolean outputs.`);
};
// reductions with a dtype= parameter at index i: out's dtype is the dtype (sum(x, out=int64) sums x cast to int64)
const dtypeFromOut = (i: number): Rule => (out, v) => { if (v[i] === null || v[i] === undefined) v[i] = out.dtype; };

export const OUT_RULES: Record<string, Rule> = {
  neg: keep, abs: keep, sign: keep, sgn: keep, floor: keep, ceil: keep, round: keep, trunc: keep, frac: keep, bitwise_not: keep,
  square: sameAsResult((x) => (x.dtype === 'bool' ? 'int64' : x.dtype)),
  clamp: sameAsResult((x, v) => {
    const dims: DType[] = [], zero: DType[] = [], sc: (number | boolean)[] = [];
    for (const e of [x, v[1], v[2]]) {
      if (e instanceof Tensor) (e.ndim ? dims : zero).push(e.dtype);
      else if (typeof e === 'number' || typeof e === 'boolean') sc.push(e);
    }
    return resultType(dims, zero, sc);
  }),
  signbit: boolOnly('signbit'), isposinf: boolOnly('isposinf'), isneginf: boolOnly('isneginf'),
  relu: () => { throw new TypeError("relu(): unexpected option 'out' (PyTorch's torch.relu takes no out=)"); },
  sum: dtypeFromOut(3), nansum: dtypeFromOut(3), prod: dtypeFromOut(3), cumsum: dtypeFromOut(2), cumprod: dtypeFromOut(2),
  amax: (out, v) => {
    const x = input(v);
    if (x && out.dtype !== x.dtype) throw new TorchError(`Expected the dtype for input and out to match, but got ${TYPE_NAME[x.dtype]} for input's dtype and ${TYPE_NAME[out.dtype]} for out's dtype.`);
  },
  argmax: (out) => {
    if (out.dtype !== 'int64') throw new TorchError(`Expected out tensor to have dtype long int, but got ${out.dtype} instead`);
  },
  // all/any write bool or uint8; into uint8 the input is cast to uint8 first (PyTorch 1.13: all(0.5, out=uint8) is 0)
  all: (out, v) => {
    if (out.dtype !== 'bool' && out.dtype !== 'uint8') throw new TorchError(`all only supports bool tensor for result, got: ${TYPE_NAME[out.dtype]}`);
    const x = input(v);
    if (x && out.dtype === 'uint8' && x.dtype !== 'uint8') v[0] = x.to('uint8');
  },
  logsumexp: (out) => {
    if (!isFloating(out.dtype)) throw new TorchError(`logsumexp(): Expected floating point type for result tensor, but got: ${TYPE_NAME[out.dtype]}`);
  },
};
OUT_RULES.amin = OUT_RULES.amax;
OUT_RULES.argmin = OUT_RULES.argmax;
OUT_RULES.any = (out, v) => {
  if (out.dtype !== 'bool' && out.dtype !== 'uint8') throw new TorchError(`any only supports bool tensor for result, got: ${TYPE_NAME[out.dtype]}`);
  const x = input(v);
  if (x && out.dtype === 'uint8' && x.dtype !== 'uint8') v[0] = x.to('uint8');
};
