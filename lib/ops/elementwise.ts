// elementwise.ts - every op of API.md's Arithmetic section: type promotion and broadcasting are decided here,
// the arithmetic runs in the native unary/binary/ternary kernels (native/kernels/*.def), and each op's gradient
// formula sits beside it. Copies and casts (clone, contiguous, to) live here too since they are the copy kernel.
import { Tensor, empty_, runKernel, hooks, viewOf, sameShape, numelOf, keptByLibrary, cudaStreamHook } from '../tensor';
import { DType, DTYPE_CODE, resultType, computeDtype, isFloating, promoteTypes, toDType, describeValue } from '../dtype';
import { OP, UNARY, BINARY, TERNARY, UnaryName, BinaryName } from './ids';
import { TorchError, checkKeys, intFromNumbersHint } from '../errors';
import { record, needsGrad, Node, edgeOf } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { broadcastShapes, broadcastView, broadcastOperand, sumToShape, Scalar, TensorOrScalar, isOptions, posOpts } from './util';
import { Device, toDevice } from '../device';
import { acState, autocastListed, autocastCall, acHooks } from '../amp/autocast';
import { inplaceCompute as inplace, inplaceKernel, InplaceGrad, checkViewOfLeafInplace } from '../autograd/inplace';
// memory formats: outputs laid out as TensorIterator lays them out (channels-last in, channels-last out), kernels
// handed their operands in the output's memory order
import { emptyIter, kernelOrder, preserveStrides, emptyStrided_ } from '../memory_format';
export { checkViewOfLeafInplace, inplaceKernel as activationInplace };
export type { InplaceGrad };

// ------------------------------------------------------------------------------------------------------------
// basic kernels: fill, copy, scalar tensors
// ------------------------------------------------------------------------------------------------------------
export function fill_(t: Tensor, v: number | boolean): Tensor {
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  if (t.dtype === 'int64' && Number.isInteger(x) && Math.abs(x) > 2 ** 31) {
    const big = BigInt.asUintN(64, BigInt(x));
    runKernel(OP.fill, [t], [Number(big & 0xffffffffn), 1, Number(big >> 32n)]);
  } else runKernel(OP.fill, [t], [x]);
  return t;
}

// nonBlocking: a copy from pinned host memory to the GPU is queued on the current stream and not waited for (as
// PyTorch's non_blocking=True); from pageable memory, and to the host, copies are synchronous
export function copyInto(dst: Tensor, src: Tensor, nonBlocking = false): void {
  if (!sameShape(dst.shape, src.shape)) src = broadcastView(src, dst.shape, 'copy_');
  if (dst.device !== src.device && !dst.device.equals(src.device)) {
    if (dst.device.type === 'cuda' && src.device.type === 'cpu' && dst.dtype === src.dtype && dst.isContiguous() && src.isContiguous()) {
      // host -> device, same dtype, both contiguous: one copy of the bytes on the current stream (cuda/stream.cu)
      src._check();
      if (numelOf(src.shape) === 0) return;
      const isz = ITEMSIZE[src.dtype];
      if (cudaStreamHook.active) cudaStreamHook.apply();
      native.cudaStreams('copyH2D', dst._st.handle, dst._offset * isz, src._st.handle, src._offset * isz, numelOf(src.shape) * isz, nonBlocking);
      return;
    }
    // cross-device: go through a host copy of src (the only path that crosses devices)
    const c = src.isContiguous() ? src : contiguous(src);
    const host = c.toTypedArray();
    const tmp = empty_(c.shape.slice(), c.dtype === 'float16' || c.dtype === 'bfloat16' ? 'float32' : c.dtype, dst.device);
    writeHost(tmp, host);
    runKernel(OP.copy, [dst, tmp]);
    return;
  }
  runKernel(OP.copy, kernelOrder([dst, src]));
}
hooks.copyInto = copyInto;
hooks.refreshView = refreshView;

import { native } from '../native';
import { ITEMSIZE } from '../dtype';
export function writeHost(t: Tensor, data: ArrayBufferView): void {
  if (data.byteLength === 0) return;
  native.write(t._st.handle, t._offset * ITEMSIZE[t.dtype], data);
}

// a 0-d tensor holding a JS scalar, in dtype dt. Scalars of binary ops (x.mul(2)) come from a small cache so
// that a scalar op costs one kernel call, not three; the cached tensors are internal and never written to.
const scalarCache = new Map<string, Tensor>();
export function scalarTensor(v: Scalar, dt: DType, device: Device): Tensor {
  const key = `${dt}|${device}|${typeof v === 'number' && Object.is(v, -0) ? '-0' : String(v)}`;
  let t = scalarCache.get(key);
  if (t && !t.isDisposed) return t;
  t = fill_(empty_([], dt, device), v);
  keptByLibrary.add(t);
  if (scalarCache.size >= 512) scalarCache.delete(scalarCache.keys().next().value as string);
  scalarCache.set(key, t);
  return t;
}

export function contiguous(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = empty_(t.shape.slice(), t.dtype, t.device);
  copyInto(out, t);
  return record('CloneBackward0', [t], out, (g) => [g]);
}

// clone keeps a channels-last layout (PyTorch's preserve_format; lib/memory_format.ts)
export function clone(t: Tensor): Tensor {
  const out = emptyStrided_(t.shape.slice(), preserveStrides(t), t.dtype, t.device);
  copyInto(out, t);
  return record('CloneBackward0', [t], out, (g) => [g]);
}

export function toDtype(t: Tensor, dt: DType, copy = false): Tensor {
  if (t.dtype === dt && !copy) return t;
  const out = emptyStrided_(t.shape.slice(), preserveStrides(t), dt, t.device);
  copyInto(out, t);
  if (!isFloating(dt)) return out;
  const src = t.dtype;
  return record('ToCopyBackward0', [t], out, (g) => [toDtype(g, src)]);
}
acHooks.cast = (t, dt) => toDtype(t, dt);

export function toDeviceCopy(t: Tensor, dev: Device, nonBlocking = false): Tensor {
  if (t.device.equals(dev)) return t;
  const out = emptyStrided_(t.shape.slice(), preserveStrides(t), t.dtype, dev);
  copyInto(out, t, nonBlocking);
  const srcDev = t.device;
  return record('ToCopyBackward0', [t], out, (g) => [toDeviceCopy(g, srcDev)]);
}

// ------------------------------------------------------------------------------------------------------------
// operand preparation
// ------------------------------------------------------------------------------------------------------------
const isScalar = (x: unknown): x is Scalar => typeof x === 'number' || typeof x === 'boolean';

function checkOperand(x: unknown, op: string, what: string): TensorOrScalar {
  if (x instanceof Tensor) { x._check(); return x; }
  if (isScalar(x)) return x;
  if (typeof x === 'bigint') return Number(x);
  throw new TypeError(`${op}(): argument '${what}' must be Tensor or Number, not ${describeValue(x)}`);
}

export function promoted(xs: TensorOrScalar[]): DType {
  const dims: DType[] = [], zero: DType[] = [], sc: Scalar[] = [];
  for (const x of xs) {
    if (x instanceof Tensor) (x.ndim ? dims : zero).push(x.dtype);
    else sc.push(x);
  }
  return resultType(dims, zero, sc);
}

function deviceOf(xs: TensorOrScalar[]): Device {
  let d: Device | null = null;
  for (const x of xs) if (x instanceof Tensor) {
    // 0-d CPU tensors may mix with CUDA tensors, as in PyTorch
    if (d === null || (d.type === 'cpu' && x.device.type === 'cuda')) d = x.device;
  }
  return d as Device;
}

function asTensor(x: TensorOrScalar, ct: DType, dev: Device): Tensor {
  if (x instanceof Tensor) {
    if (x.ndim === 0 && !x.device.equals(dev)) return toDeviceCopy(x, dev);
    return x;
  }
  return scalarTensor(x, ct, dev);
}

const CAN_CAST_RANK = (d: DType): number => (d === 'bool' ? 0 : isFloating(d) ? 2 : 1);
export function canCast(from: DType, to: DType): boolean { return CAN_CAST_RANK(from) <= CAN_CAST_RANK(to); }

function unalias(x: Tensor, out: Tensor): Tensor {
  if (x._st !== out._st) return x;
  if (x._offset === out._offset && sameShape(x.shape, out.shape) && x._strides.every((s, i) => s === out._strides[i])) return x;
  if (x.ndim === 0 || numelOf(x.shape) === 0) return x;
  return clone(x);
}

// After an in-place op gave the view `self` a new history (self.gradFn), its base gets one too: PyTorch's
// CopySlices. The base's gradient g splits into the view's region, which flows into self's new node, and the rest,
// which flows into the base's previous history (the region zeroed: those values were overwritten). The base must be
// laid out contiguously (every op output and every created tensor is), so the region is g seen through the view's
// own strides; for any other base the history of the base is left as it was.
// where a view lies in its (contiguous) base: the base, and the view's geometry relative to the base's first element
interface ViewRegion { b: Tensor; shape: number[]; strides: number[]; off: number; bshape: number[] }
function viewRegion(v: Tensor): ViewRegion | null {
  const b = v._base;
  if (!b || b === v || !b.isContiguous() || v._offset < b._offset) return null;
  return { b, shape: v.shape.slice(), strides: v._strides.slice(), off: v._offset - b._offset, bshape: b.shape.slice() };
}

export function rebaseView(self: Tensor): void {
  const fn = self.gradFn;
  const reg = fn === null ? null : viewRegion(self);
  if (!fn || !reg) return;
  const { b, shape, strides, off, bshape } = reg;
  const prev = edgeOf(b);
  const node = new Node('CopySlices', [prev, { node: fn }], (g) => {
    if (gradState.enabled) {  // createGraph: the same split from differentiable ops, so that it can be differentiated again
      const gcd = g.isContiguous() ? g : contiguous(g);
      const gSelfD = clone(hooks.asStrided(gcd, shape, strides, gcd._offset + off));
      if (!prev) return [null, gSelfD];
      const keep = empty_(bshape, g.dtype, g.device);
      fill_(keep, 1);
      fill_(viewOf(keep, shape, strides, off), 0);
      return [mul(gcd, keep), gSelfD];
    }
    const gc = g.isContiguous() && g._offset === 0 && sameShape(g.shape, bshape) ? g : contiguousCopyOf(g, bshape);
    const region = viewOf(gc, shape, strides, off);
    const gSelf = prev ? clone(region) : region;
    let gBase: Tensor | null = null;
    if (prev) {
      gBase = clone(gc);
      const prevGrad = gradState.enabled;
      gradState.enabled = false;
      try { fill_(viewOf(gBase, shape, strides, off), 0); } finally { gradState.enabled = prevGrad; }
    }
    return [gBase, gSelf];
  }, []);
  b._setGradFn(node);
}
// A stale view's new history: AsStridedBackward0 of its base's current one (the view's gradient scattered into a
// zero gradient of the base at the view's region). Only for a contiguous base that takes part in autograd.
function refreshView(v: Tensor): void {
  v._viewVer = v._st.version;
  const reg = viewRegion(v);
  if (!reg || !reg.b.requiresGrad) return;
  const { b, shape, strides, off, bshape } = reg;
  const dt = b.dtype, dev = b.device;
  v._gradFn = new Node('AsStridedBackward0', [edgeOf(b)], (g) => {
    if (gradState.enabled) return [hooks.asStridedScatter(g, bshape, shape, strides, off)];  // createGraph: differentiable
    const gb = empty_(bshape, dt, dev);
    fill_(gb, 0);
    copyInto(viewOf(gb, shape, strides, off), g);
    return [gb];
  }, []);
}
function contiguousCopyOf(g: Tensor, shape: number[]): Tensor {
  const c = empty_(shape, g.dtype, g.device);
  copyInto(c, g);
  return c;
}

// ------------------------------------------------------------------------------------------------------------
// dtypes: PyTorch's refusals and casts (test/sweep_ew.test.ts checks them against PyTorch 1.13)
// ------------------------------------------------------------------------------------------------------------
// (float16 on the CPU: PyTorch 1.13's CPU kernels lack Half for many ops -- exp, sin, cumsum, softmax, median, ...:
// "not implemented for 'Half'"; later PyTorch has them, and nodetorch follows the later one (API.md), in float32.)
// the unary kernels PyTorch has no Bool instantiation of (PyTorch's messages)
const NO_BOOL_UNARY: Record<string, string> = {
  abs: '"abs_cpu" not implemented for \'Bool\'', relu: 'Boolean inputs not supported for relu',
  floor: '"floor_vml_cpu" not implemented for \'Bool\'', ceil: '"ceil_vml_cpu" not implemented for \'Bool\'',
  round: '"round_vml_cpu" not implemented for \'Bool\'', trunc: '"trunc_vml_cpu" not implemented for \'Bool\'',
};
// the binary kernels PyTorch 1.13 has no Bool instantiation of, by the kernel's name
const NO_BOOL_BINARY: Record<string, string> = {
  pow: '"pow" not implemented for \'Bool\'', remainder: '"remainder_cpu" not implemented for \'Bool\'',
  fmod: '"fmod_cpu" not implemented for \'Bool\'', div_floor: '"div_floor_cpu" not implemented for \'Bool\'',
  div_trunc: '"div_trunc_cpu" not implemented for \'Bool\'',
};
// whether casting dtype `from` to the common dtype `to` can change a value the kernel would otherwise read exactly
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  bool: [0, 1], uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63],
};
function lossyCast(from: DType, to: DType): boolean {
  if (from === to) return false;
  if (to === 'float16' || to === 'bfloat16') return true;
  const f = INT_RANGE[from], t = INT_RANGE[to];
  return !!(f && t && to !== 'bool' && (f[0] < t[0] || f[1] > t[1]));
}
// an integer scalar operand as the integer dtype it is cast to (PyTorch casts a wrapped number to the common dtype:
// uint8 tensor < -2 compares with 254); a number for bool is true when nonzero
function castScalar(v: Scalar, dt: DType): Scalar {
  if (typeof v !== 'number' || !Number.isInteger(v) || isFloating(dt)) return v;
  if (dt === 'bool') return v !== 0;
  if (dt === 'int64') return v;
  const bits = dt === 'int32' ? 32 : dt === 'int16' ? 16 : 8;
  const m = 2 ** bits;
  let r = ((v % m) + m) % m;
  if (dt !== 'uint8' && r >= m / 2) r -= m;
  return r;
}

// ------------------------------------------------------------------------------------------------------------
// unary
// ------------------------------------------------------------------------------------------------------------
interface UnaryDef {
  name: UnaryName;
  grad?: string; // PyTorch node name
  float?: boolean; // integer inputs promote to the default float dtype (exp, sin, ...)
  bool?: boolean; // result is bool
  keepInt?: boolean; // integer inputs keep their dtype (neg, abs, ...)
  noBool?: string; // error message for bool input
  formula?: (g: Tensor, x: Tensor, y: Tensor, p: number[]) => Tensor;
  savesOut?: boolean;
  savesIn?: boolean;
}

export function unaryOp(def: UnaryDef, x: Tensor, params: number[] = [], out?: Tensor): Tensor {
  if (acState.on && out === undefined && autocastListed(def.name, arguments)) return autocastCall(def.name, unaryOp, arguments);
  x._check();
  if (def.noBool && x.dtype === 'bool') throw new TorchError(def.noBool);
  if (x.dtype === 'bool' && NO_BOOL_UNARY[def.name]) throw new TorchError(NO_BOOL_UNARY[def.name]);
  let rt: DType = x.dtype;
  if (def.float && !isFloating(x.dtype)) rt = 'float32';
  if (def.name === 'square' && rt === 'bool') rt = 'int64';  // square is pow(x, 2): bools promote to int64
  const ct = computeDtype(rt);
  const resDtype = def.bool ? 'bool' : rt;
  const o = out ?? emptyIter(x.shape.slice(), resDtype, x.device, [x]);
  runKernel(OP.unary, kernelOrder([o, rt !== x.dtype && !def.float ? toDtype(x, rt) : x]), [UNARY[def.name], DTYPE_CODE[ct], ...params]);
  if (out || !def.formula || !isFloating(resDtype) || !gradState.enabled || !x.requiresGrad) return o;
  const f = def.formula;
  return record(def.grad as string, [x], o, (g) => [f(g, x, o, params)], def.savesOut ? [o] : def.savesIn ? [x] : []);
}

const zerosGrad = (g: Tensor): Tensor => mulScalar(g, 0);
export const fused = (name: BinaryName, g: Tensor, s: Tensor, params: number[] = []): Tensor | null =>
  gradState.enabled ? null : binaryRaw(name, g, s, params, g.dtype);

export const UNARY_DEFS: Record<string, UnaryDef> = {
  neg: { name: 'neg', grad: 'NegBackward0', keepInt: true, noBool: 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.', formula: (g) => neg(g) },
  abs: { name: 'abs', grad: 'AbsBackward0', keepInt: true, savesIn: true, formula: (g, x) => mul(g, sign(x)) },
  sign: { name: 'sign', grad: 'SignBackward0', keepInt: true, formula: zerosGrad },
  exp: { name: 'exp', grad: 'ExpBackward0', float: true, savesOut: true, formula: (g, _x, y) => mul(g, y) },
  expm1: { name: 'expm1', grad: 'Expm1Backward0', float: true, savesOut: true, formula: (g, _x, y) => mul(g, add(y, 1)) },
  log: { name: 'log', grad: 'LogBackward0', float: true, savesIn: true, formula: (g, x) => div(g, x) },
  log1p: { name: 'log1p', grad: 'Log1PBackward0', float: true, savesIn: true, formula: (g, x) => div(g, add(x, 1)) },
  log2: { name: 'log2', grad: 'Log2Backward0', float: true, savesIn: true, formula: (g, x) => div(g, mulScalar(x, Math.LN2)) },
  log10: { name: 'log10', grad: 'Log10Backward0', float: true, savesIn: true, formula: (g, x) => div(g, mulScalar(x, Math.LN10)) },
  sqrt: { name: 'sqrt', grad: 'SqrtBackward0', float: true, savesOut: true, formula: (g, _x, y) => div(g, mulScalar(y, 2)) },
  rsqrt: { name: 'rsqrt', grad: 'RsqrtBackward0', float: true, savesOut: true, formula: (g, _x, y) => mul(g, mulScalar(pow(y, 3), -0.5)) },
  square: { name: 'square', grad: 'PowBackward0', keepInt: true, savesIn: true, formula: (g, x) => mul(g, mulScalar(x, 2)) },
  reciprocal: { name: 'reciprocal', grad: 'ReciprocalBackward0', float: true, savesOut: true, formula: (g, _x, y) => mul(g, neg(mul(y, y))) },
  sin: { name: 'sin', grad: 'SinBackward0', float: true, savesIn: true, formula: (g, x) => mul(g, cos(x)) },
  cos: { name: 'cos', grad: 'CosBackward0', float: true, savesIn: true, formula: (g, x) => mul(g, neg(sin(x))) },
  tan: { name: 'tan', grad: 'TanBackward0', float: true, savesOut: true, formula: (g, _x, y) => mul(g, add(mul(y, y), 1)) },
  asin: { name: 'asin', grad: 'AsinBackward0', float: true, savesIn: true, formula: (g, x) => div(g, sqrt(rsub(mul(x, x), 1))) },
  acos: { name: 'acos', grad: 'AcosBackward0', float: true, savesIn: true, formula: (g, x) => neg(div(g, sqrt(rsub(mul(x, x), 1)))) },
  atan: { name: 'atan', grad: 'AtanBackward0', float: true, savesIn: true, formula: (g, x) => div(g, add(mul(x, x), 1)) },
  sinh: { name: 'sinh', grad: 'SinhBackward0', float: true, savesIn: true, formula: (g, x) => mul(g, cosh(x)) },
  cosh: { name: 'cosh', grad: 'CoshBackward0', float: true, savesIn: true, formula: (g, x) => mul(g, sinh(x)) },
  tanh: { name: 'tanh', grad: 'TanhBackward0', float: true, savesOut: true, formula: (g, _x, y) => fused('tanh_backward', g, y) ?? mul(g, rsub(mul(y, y), 1)) },
  sigmoid: { name: 'sigmoid', grad: 'SigmoidBackward0', float: true, savesOut: true, formula: (g, _x, y) => fused('sigmoid_backward', g, y) ?? mul(g, mul(y, rsub(y, 1))) },
  relu: { name: 'relu', grad: 'ReluBackward0', keepInt: true, savesOut: true, formula: (g, _x, y) => fused('relu_backward', g, y) ?? mul(g, unaryOp(UNARY_DEFS.threshold_mask, y, [0])) },
  erf: { name: 'erf', grad: 'ErfBackward0', float: true, savesIn: true, formula: (g, x) => mul(g, mulScalar(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))) },
  floor: { name: 'floor', grad: 'FloorBackward0', keepInt: true, formula: zerosGrad },
  ceil: { name: 'ceil', grad: 'CeilBackward0', keepInt: true, formula: zerosGrad },
  round: { name: 'round', grad: 'RoundBackward0', keepInt: true, formula: zerosGrad },
  trunc: { name: 'trunc', grad: 'TruncBackward0', keepInt: true, formula: zerosGrad },
  bitwise_not: { name: 'bitwise_not', keepInt: true },
  logical_not: { name: 'logical_not', bool: true },
  isnan: { name: 'isnan', bool: true },
  isinf: { name: 'isinf', bool: true },
  isfinite: { name: 'isfinite', bool: true },
  threshold_mask: { name: 'threshold_mask' },
  leaky_relu: { name: 'leaky_relu', grad: 'LeakyReluBackward0', savesIn: true, formula: (g, x, _y, p) => fused('leaky_relu_backward', g, x, p) ?? mul(g, where(gt(x, 0), 1, p[0])) },
  elu: { name: 'elu', grad: 'EluBackward0', float: true, savesIn: true, formula: (g, x, _y, p) => fused('elu_backward', g, x, p) ?? mul(g, where(gt(x, 0), 1, mulScalar(exp(x), p[0]))) },
  gelu: { name: 'gelu', grad: 'GeluBackward0', float: true, savesIn: true, formula: (g, x) => fused('gelu_backward', g, x) ?? mul(g, add(mulScalar(add(erf(mulScalar(x, Math.SQRT1_2)), 1), 0.5), mul(x, mulScalar(exp(mulScalar(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI))))) },
  gelu_tanh: { name: 'gelu_tanh', grad: 'GeluBackward0', float: true, savesIn: true, formula: (g, x) => (fused('gelu_tanh_backward', g, x) ?? geluTanhGradComposite(g, x)) },
  silu: { name: 'silu', grad: 'SiluBackward0', float: true, savesIn: true, formula: (g, x) => fused('silu_backward', g, x) ?? mul(g, mul(sigmoid(x), add(mul(x, rsub(sigmoid(x), 1)), 1))) },
  softplus: { name: 'softplus', grad: 'SoftplusBackward0', float: true, savesIn: true, formula: (g, x, _y, p) => fused('softplus_backward', g, x, p) ?? mul(g, where(gt(mulScalar(x, p[0]), p[1]), 1, sigmoid(mulScalar(x, p[0])))) },
};

function geluTanhGradComposite(g: Tensor, x: Tensor): Tensor {
  const k = Math.sqrt(2 / Math.PI);
  const inner = mulScalar(add(x, mulScalar(pow(x, 3), 0.044715)), k);
  const th = tanh(inner);
  const left = mulScalar(add(th, 1), 0.5);
  const right = mul(mulScalar(x, 0.5), mul(rsub(mul(th, th), 1), mulScalar(add(mulScalar(mul(x, x), 3 * 0.044715), 1), k)));
  return mul(g, add(left, right));
}

export const neg = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.neg, x);
export const sign = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.sign, x);
export const exp = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.exp, x);
export const log = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.log, x);
export const sqrt = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.sqrt, x);
export const sin = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.sin, x);
export const cos = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.cos, x);
export const sinh = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.sinh, x);
export const cosh = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.cosh, x);
export const tanh = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.tanh, x);
export const sigmoid = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.sigmoid, x);
export const erf = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.erf, x);
export const relu = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.relu, x);

// ------------------------------------------------------------------------------------------------------------
// binary
// ------------------------------------------------------------------------------------------------------------
// raw kernel call with explicit result/compute dtypes (no promotion, no autograd)
export function binaryRaw(name: BinaryName, a: Tensor, b: Tensor, params: number[], rt: DType, out?: Tensor, ct?: DType): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, name);
  const o = out ?? emptyIter(shape, rt, a.device, [a, b]);
  const attrs = params.length === 0 ? [BINARY[name], DTYPE_CODE[ct ?? computeDtype(rt)]]
    : params.length === 1 ? [BINARY[name], DTYPE_CODE[ct ?? computeDtype(rt)], params[0]] : [BINARY[name], DTYPE_CODE[ct ?? computeDtype(rt)], ...params];
  runKernel(OP.binary, kernelOrder([o, broadcastOperand(a, shape), broadcastOperand(b, shape)]), attrs, name);
  return o;
}

type Grad2 = (g: Tensor, a: Tensor, b: Tensor, out: Tensor, p: number[]) => [Tensor | null, Tensor | null];
interface BinaryDef {
  name: BinaryName;
  op: string; // user-facing name for errors
  grad?: string;
  bool?: boolean;
  float?: boolean; // true division: integer inputs give the default float dtype
  intOnly?: boolean;
  tensorOnly?: boolean; // no Scalar overload in PyTorch (logical_and/or/xor): a number is a TypeError
  formula?: Grad2;
  saves?: 'ab' | 'a' | 'b' | 'out' | 'abo';
}

export function binaryOp(def: BinaryDef, a0: unknown, b0: unknown, params: number[] = [], out?: Tensor): Tensor {
  if (out === undefined && a0 instanceof Tensor && b0 instanceof Tensor && a0.dtype === b0.dtype && a0._st.device === b0._st.device) {
    // the common case, two tensors of one dtype on one device: no promotion or device rules to apply
    const rt = a0.dtype;
    if ((!def.float || isFloating(rt)) && (!def.intOnly || !isFloating(rt))) {
      a0._check();
      b0._check();
      if (rt === 'bool' && NO_BOOL_BINARY[def.name]) throw new TorchError(NO_BOOL_BINARY[def.name]);
      const resDtype: DType = def.bool ? 'bool' : rt;
      return withGrad(def, a0, b0, binaryRaw(def.name, a0, b0, params, resDtype, undefined, computeDtype(rt)), params);
    }
  }
  let a = checkOperand(a0, def.op, 'input');
  let b = checkOperand(b0, def.op, 'other');
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new TypeError(`${def.op}(): expected at least one Tensor argument`);
  if (def.tensorOnly) {
    const kind = (x: TensorOrScalar): string => (typeof x === 'boolean' ? 'bool' : Number.isInteger(x) ? 'int' : 'float');
    if (!(a instanceof Tensor)) throw new TypeError(`${def.op}(): argument 'input' (position 0) must be Tensor, not ${kind(a)}`);
    if (!(b instanceof Tensor)) throw new TypeError(`${def.op}(): argument 'other' (position 1) must be Tensor, not ${kind(b)}`);
  }
  let rt = promoted([a, b]);
  if (rt === 'bool' && NO_BOOL_BINARY[def.name]) throw new TorchError(NO_BOOL_BINARY[def.name]);
  let ct = computeDtype(rt);
  if (def.float && !isFloating(rt)) { rt = 'float32'; ct = 'float32'; }
  // a number operand is cast to the common dtype first (uint8 with -2 is uint8 with 254)
  if (!(a instanceof Tensor)) a = castScalar(a, rt);
  if (!(b instanceof Tensor)) b = castScalar(b, rt);
  if (def.intOnly && isFloating(rt)) throw new TorchError(`"${def.op}_cpu" not implemented for '${typeName(rt)}'`);
  const dev = deviceOf([a, b]);
  const resDtype: DType = def.bool ? 'bool' : rt;
  let ta = asTensor(a, ct, dev), tb = asTensor(b, ct, dev);
  // operands are cast to the common dtype first, as PyTorch's TensorIterator does, where the kernel's computation
  // type would keep what the cast loses: 16-bit floats (int64's -2**63 is -inf in float16, 32767 is 32768) and
  // narrower integers (an int64 0-d -3 with a uint8 tensor is 253)
  if (a instanceof Tensor && lossyCast(ta.dtype, rt)) ta = toDtype(ta, rt);
  if (b instanceof Tensor && lossyCast(tb.dtype, rt)) tb = toDtype(tb, rt);
  if (out) {
    if (!canCast(resDtype, out.dtype)) throw new TorchError(`result type ${typeName(resDtype)} can't be cast to the desired output type ${typeName(out.dtype)}`);
    const shape = broadcastShapes(ta.shape, tb.shape, def.op);
    if (!sameShape(shape, out.shape)) throw new TorchError(`output with shape [${out.shape}] doesn't match the broadcast shape [${shape}]`);
    runKernel(OP.binary, kernelOrder([out, broadcastOperand(unalias(ta, out), shape), broadcastOperand(unalias(tb, out), shape)]), [BINARY[def.name], DTYPE_CODE[ct], ...params], def.op);
    return out;
  }
  return withGrad(def, ta, tb, binaryRaw(def.name, ta, tb, params, resDtype, undefined, ct), params);
}

// records the backward node of a binary op when one is needed (checked first: no closure is made otherwise)
function withGrad(def: BinaryDef, ta: Tensor, tb: Tensor, o: Tensor, params: number[]): Tensor {
  if (!def.formula || !gradState.enabled || !(ta.requiresGrad || tb.requiresGrad) || !isFloating(o.dtype)) return o;
  const f = def.formula;
  const saved = def.saves === 'ab' ? [ta, tb] : def.saves === 'a' ? [ta] : def.saves === 'b' ? [tb] : def.saves === 'out' ? [o] : def.saves === 'abo' ? [ta, tb, o] : [];
  return record(def.grad as string, [ta, tb], o, (g) => {
    const [ga, gb] = f(g, ta, tb, o, params);
    return [ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null, gb && tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
  }, saved);
}

export function typeName(d: DType): string {
  const m: Record<DType, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool' };
  return m[d];
}

const gOnly = (g: Tensor, t: Tensor): Tensor => (g.dtype === t.dtype ? g : toDtype(g, t.dtype));

export const BINARY_DEFS: Record<string, BinaryDef> = {
  add: { name: 'add', op: 'add', grad: 'AddBackward0', formula: (g, a, b, _o, p) => [gOnly(g, a), gOnly(p[0] === 1 ? g : mulScalar(g, p[0]), b)] },
  sub: { name: 'sub', op: 'sub', grad: 'SubBackward0', formula: (g, a, b, _o, p) => [gOnly(g, a), gOnly(mulScalar(g, -p[0]), b)] },
  mul: { name: 'mul', op: 'mul', grad: 'MulBackward0', saves: 'ab', formula: (g, a, b) => [a.requiresGrad ? gOnly(mul(g, b), a) : null, b.requiresGrad ? gOnly(mul(g, a), b) : null] },
  div: { name: 'div', op: 'div', grad: 'DivBackward0', float: true, saves: 'ab', formula: (g, a, b) => [a.requiresGrad ? div(g, b) : null, b.requiresGrad ? neg(div(mul(g, a), mul(b, b))) : null] },
  div_trunc: { name: 'div_trunc', op: 'div', grad: 'DivBackward1', formula: (g) => [mulScalar(g, 0), mulScalar(g, 0)] },
  div_floor: { name: 'div_floor', op: 'div', grad: 'DivBackward1', formula: (g) => [mulScalar(g, 0), mulScalar(g, 0)] },
  floor_divide: { name: 'div_floor', op: 'floor_divide' },
  pow: { name: 'pow', op: 'pow', grad: 'PowBackward1', saves: 'abo', formula: (g, a, b, o) => [
    a.requiresGrad ? mul(g, where(eq(b, 0), 0, mul(b, pow(a, sub(b, 1))))) : null,
    b.requiresGrad ? mul(g, where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(o, log(a)))) : null] },
  remainder: { name: 'remainder', op: 'remainder', grad: 'RemainderBackward0', saves: 'ab', formula: (g, a, b) => [g, b.requiresGrad ? mul(neg(g), binaryOp(BINARY_DEFS.div_floor, a, b)) : null] },
  fmod: { name: 'fmod', op: 'fmod', grad: 'FmodBackward0', saves: 'ab', formula: (g, a, b) => [g, b.requiresGrad ? mul(neg(g), binaryOp(BINARY_DEFS.div_trunc, a, b)) : null] },
  atan2: { name: 'atan2', op: 'atan2', grad: 'Atan2Backward0', float: true, saves: 'ab', formula: (g, a, b) => {
    const den = add(mul(a, a), mul(b, b));
    return [mul(g, div(b, den)), mul(g, div(neg(a), den))];
  } },
  maximum: { name: 'maximum', op: 'maximum', grad: 'MaximumBackward0', saves: 'ab', formula: (g, a, b) => minmaxGrad(g, a, b, lt) },
  minimum: { name: 'minimum', op: 'minimum', grad: 'MinimumBackward0', saves: 'ab', formula: (g, a, b) => minmaxGrad(g, a, b, gt) },
  fmax: { name: 'fmax', op: 'fmax', grad: 'FmaxBackward0', saves: 'ab', formula: (g, a, b) => fminmaxGrad(g, a, b, ge) },
  fmin: { name: 'fmin', op: 'fmin', grad: 'FminBackward0', saves: 'ab', formula: (g, a, b) => fminmaxGrad(g, a, b, le) },
  eq: { name: 'eq', op: 'eq', bool: true }, ne: { name: 'ne', op: 'ne', bool: true },
  lt: { name: 'lt', op: 'lt', bool: true }, le: { name: 'le', op: 'le', bool: true },
  gt: { name: 'gt', op: 'gt', bool: true }, ge: { name: 'ge', op: 'ge', bool: true },
  logical_and: { name: 'logical_and', op: 'logical_and', bool: true, tensorOnly: true },
  logical_or: { name: 'logical_or', op: 'logical_or', bool: true, tensorOnly: true },
  logical_xor: { name: 'logical_xor', op: 'logical_xor', bool: true, tensorOnly: true },
  bitwise_and: { name: 'bitwise_and', op: 'bitwise_and', intOnly: true },
  bitwise_or: { name: 'bitwise_or', op: 'bitwise_or', intOnly: true },
  bitwise_xor: { name: 'bitwise_xor', op: 'bitwise_xor', intOnly: true },
  // XlogyBackward0: xlogy(grad, other), 0 where self == 0 and other <= 0 (so log(other) counts at self = 0 too)
  xlogy: { name: 'xlogy', op: 'xlogy', float: true, grad: 'XlogyBackward0', saves: 'ab', formula: (g, a, b) => [where(logicalAnd(eq(a, 0), le(b, 0)), 0, binaryOp(BINARY_DEFS.xlogy, g, b)), mul(g, div(a, b))] },
};

function minmaxGrad(g: Tensor, a: Tensor, b: Tensor, loses: (x: Tensor, y: Tensor) => Tensor): [Tensor, Tensor] {
  // PyTorch's where(a == b, grad / 2, grad).masked_fill_(a loses to b, 0), and the mirror for b: a side gets nothing
  // only where it lost, so where a NaN is involved (no comparison holds) both sides get the whole gradient
  const ties = mulScalar(toDtype(eq(a, b), g.dtype), 0.5);
  const wa = sub(toDtype(logicalNotT(loses(a, b)), g.dtype), ties);
  const wb = sub(toDtype(logicalNotT(loses(b, a)), g.dtype), ties);
  return [mul(g, wa), mul(g, wb)];
}
// fmax/fmin (derivatives.yaml): a takes the gradient where it won or tied, or where b is NaN; b where a did not
function fminmaxGrad(g: Tensor, a: Tensor, b: Tensor, wins: (x: Tensor, y: Tensor) => Tensor): [Tensor, Tensor] {
  const aTakes = logicalOr(wins(a, b), isnanT(b));
  const z = mulScalar(g, 0);
  return [where(aTakes, g, z), where(aTakes, z, g)];
}

function alphaOf(opts: unknown): number {
  if (opts === undefined) return 1;
  if (!isOptions(opts)) throw new TypeError(`expected an options object, got ${describeValue(opts)}`);
  checkKeys('add/sub', opts, ['alpha']);
  const a = (opts as { alpha?: unknown }).alpha;
  if (a === undefined) return 1;
  if (typeof a !== 'number' && typeof a !== 'boolean') throw new TypeError(`alpha must be a number, got ${describeValue(a)}`);
  return a as number;
}

function checkSubBool(a: unknown, b: unknown): void {
  const isB = (x: unknown): boolean => (x instanceof Tensor ? x.dtype === 'bool' : typeof x === 'boolean');
  if (isB(a) && isB(b)) throw new TorchError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  if (isB(a) || isB(b)) throw new TorchError('Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
}

function checkAlphaInt(a: unknown, b: unknown, alpha: number | boolean, self?: DType): void {
  const rt = self ?? promoted([checkOperand(a, 'add', 'input'), checkOperand(b, 'add', 'other')]);
  if (typeof alpha === 'boolean') {
    if (rt !== 'bool') throw new TorchError('Boolean alpha only supported for Boolean results.');
    return;
  }
  if (!Number.isInteger(alpha) && !isFloating(rt)) {
    throw new TorchError('For integral input tensors, argument alpha must not be a floating point number.');
  }
}
const alphaNum = (alpha: number | boolean): number => (typeof alpha === 'boolean' ? (alpha ? 1 : 0) : alpha);

export function add(a: unknown, b: unknown, opts?: { alpha?: number }): Tensor {
  const alpha = alphaOf(opts);
  if (alpha !== 1) checkAlphaInt(a, b, alpha);
  return binaryOp(BINARY_DEFS.add, a, b, [alphaNum(alpha)]);
}
export function sub(a: unknown, b: unknown, opts?: { alpha?: number }): Tensor {
  const alpha = alphaOf(opts);
  checkSubBool(a, b);
  if (alpha !== 1) checkAlphaInt(a, b, alpha);
  return binaryOp(BINARY_DEFS.sub, a, b, [alphaNum(alpha)]);
}
export const rsub = (a: Tensor, s: number): Tensor => binaryOp(BINARY_DEFS.sub, s, a, [1]);
export const mul = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.mul, a, b);
export const mulScalar = (a: Tensor, s: number): Tensor => binaryOp(BINARY_DEFS.mul, a, s);

function checkIntDivZero(a: TensorOrScalar, b: TensorOrScalar, op: string): void {
  if (isFloating(promoted([a, b]))) return;
  if (b instanceof Tensor ? any0(b) : Number(b) === 0) throw new TorchError(`ZeroDivisionError (${op} of integers by zero)`);
}
function any0(t: Tensor): boolean {
  const v = t.toTypedArray();
  for (let i = 0; i < v.length; i++) if (Number(v[i]) === 0) return true;
  return false;
}

export function div(a: unknown, b: unknown, opts?: { roundingMode?: string | null } | string | null): Tensor {
  // { roundingMode } or the mode itself ('trunc' | 'floor'); anything else is an error, never true division by default
  if (opts !== undefined && opts !== null && typeof opts !== 'string' && !isOptions(opts)) throw new TypeError(`div(): expected { roundingMode } or a rounding mode, got ${describeValue(opts)}`);
  if (isOptions(opts)) checkKeys('div', opts, ['roundingMode']);
  const mode = typeof opts === 'string' ? opts : opts && isOptions(opts) ? (opts as { roundingMode?: string | null }).roundingMode : undefined;
  if (mode === undefined || mode === null) return binaryOp(BINARY_DEFS.div, a, b);
  const ta = checkOperand(a, 'div', 'input'), tb = checkOperand(b, 'div', 'other');
  if (mode === 'trunc') { checkIntDivZero(ta, tb, 'div'); return binaryOp(BINARY_DEFS.div_trunc, ta, tb); }
  if (mode === 'floor') { checkIntDivZero(ta, tb, 'div'); return binaryOp(BINARY_DEFS.div_floor, ta, tb); }
  throw new TorchError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
}

export function pow(a: unknown, b: unknown): Tensor {
  if (acState.on && autocastListed('pow', arguments)) return autocastCall('pow', pow, arguments);
  // tensor ** scalar: PowBackward0 with the exponent as a constant
  if (a instanceof Tensor && typeof b === 'number') {
    a._check();
    if (!isFloating(a.dtype) && b < 0 && Number.isInteger(b)) throw new TorchError('Integers to negative integer powers are not allowed.');
    const rt = promoted([a, b]);
    if (b === 2 && isFloating(rt) && rt === a.dtype) {
      const o = unaryOp({ name: 'square' }, a);
      return record('PowBackward0', [a], o, (g) => [mul(g, mulScalar(a, 2))], [a]);
    }
    const ct = computeDtype(rt);
    const x = a.dtype === rt ? a : toDtype(a, rt);
    const o = emptyIter(a.shape.slice(), rt, a.device, [a]);
    // PyTorch computes x ** 0.5 as sqrt and x ** -0.5 as rsqrt: NaN (not +inf) at -inf, -0 (-inf) at -0
    const code = isFloating(rt) && b === 0.5 ? UNARY.sqrt : isFloating(rt) && b === -0.5 ? UNARY.rsqrt : UNARY.pow_scalar;
    runKernel(OP.unary, kernelOrder([o, x]), [code, DTYPE_CODE[ct], b]);
    if (!isFloating(rt)) return o;
    return record('PowBackward0', [a], o, (g) => [b === 0 ? mulScalar(g, 0) : mul(g, mulScalar(pow(a, b - 1), b))], [a]);
  }
  if (typeof a === 'number' && b instanceof Tensor) {
    // number ** tensor: PyTorch's pow.Scalar, whose node is PowBackward2 (the same formula w.r.t. the exponent)
    return binaryOp(POW_SCALAR_SELF, a, b);
  }
  // a tensor exponent may be negative for integers (PyTorch: 1 / x**|e| in integers, so 0 unless x is 1 or -1)
  return binaryOp(BINARY_DEFS.pow, a, b);
}

const POW_SCALAR_SELF: BinaryDef = { ...BINARY_DEFS.pow, grad: 'PowBackward2' };
export function remainder(a: unknown, b: unknown): Tensor {
  const ta = checkOperand(a, 'remainder', 'input'), tb = checkOperand(b, 'remainder', 'other');
  checkIntDivZero(ta, tb, 'remainder');
  return binaryOp(BINARY_DEFS.remainder, ta, tb);
}
export function fmod(a: unknown, b: unknown): Tensor {
  const ta = checkOperand(a, 'fmod', 'input'), tb = checkOperand(b, 'fmod', 'other');
  checkIntDivZero(ta, tb, 'fmod');
  return binaryOp(BINARY_DEFS.fmod, ta, tb);
}
export function floorDivide(a: unknown, b: unknown): Tensor {
  const ta = checkOperand(a, 'floor_divide', 'input'), tb = checkOperand(b, 'floor_divide', 'other');
  checkIntDivZero(ta, tb, 'floor_divide');
  return binaryOp(BINARY_DEFS.floor_divide, ta, tb);
}
export const eq = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.eq, a, b);
export const ne = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.ne, a, b);
export const lt = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.lt, a, b);
export const le = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.le, a, b);
export const gt = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.gt, a, b);
export const ge = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.ge, a, b);
export const logicalAnd = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.logical_and, a, b);
export const logicalOr = (a: unknown, b: unknown): Tensor => binaryOp(BINARY_DEFS.logical_or, a, b);
export const maximum = (a: unknown, b: unknown): Tensor => { requireTensors(a, b, 'maximum'); return binaryOp(BINARY_DEFS.maximum, a, b); };
export const minimum = (a: unknown, b: unknown): Tensor => { requireTensors(a, b, 'minimum'); return binaryOp(BINARY_DEFS.minimum, a, b); };
// fmax/fmin: as maximum/minimum, but a NaN loses to a number (NaN only where both are NaN)
export const fmax = (a: unknown, b: unknown): Tensor => { requireTensors(a, b, 'fmax'); return binaryOp(BINARY_DEFS.fmax, a, b); };
export const fmin = (a: unknown, b: unknown): Tensor => { requireTensors(a, b, 'fmin'); return binaryOp(BINARY_DEFS.fmin, a, b); };
function requireTensors(a: unknown, b: unknown, op: string): void {
  if (!(a instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, not ${describeValue(a)}`);
  if (!(b instanceof Tensor)) throw new TypeError(`${op}(): argument 'other' must be Tensor, not ${describeValue(b)}`);
}

// ------------------------------------------------------------------------------------------------------------
// ternary: where, lerp, clamp
// ------------------------------------------------------------------------------------------------------------
export function where(cond: unknown, a: unknown, b: unknown): Tensor {
  if (!(cond instanceof Tensor)) throw new TypeError(`where(): argument 'condition' must be Tensor, not ${describeValue(cond)}`);
  cond._check();
  if (cond.dtype !== 'bool' && cond.dtype !== 'uint8') throw new TorchError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${typeName(cond.dtype)}`);
  const x = checkOperand(a, 'where', 'input'), y = checkOperand(b, 'where', 'other');
  const rt = promoted([x, y]);
  const ct = computeDtype(rt);
  const dev = deviceOf([cond, ...[x, y]]);
  const tx = asTensor(x, rt, dev), ty = asTensor(y, rt, dev);
  const shape = broadcastShapes(broadcastShapes(cond.shape, tx.shape, 'where'), ty.shape, 'where');
  const o = emptyIter(shape, rt, dev, [cond, tx, ty]);
  runKernel(OP.ternary, kernelOrder([o, broadcastOperand(cond, shape), broadcastOperand(tx, shape), broadcastOperand(ty, shape)]), [TERNARY.where, DTYPE_CODE[ct]], 'where');
  if (!isFloating(rt)) return o;
  return record('WhereBackward0', [tx, ty], o, (g) => {
    const z = mulScalar(g, 0);
    return [tx.requiresGrad ? sumToShape(where(cond, g, z), tx.shape) : null, ty.requiresGrad ? sumToShape(where(cond, z, g), ty.shape) : null];
  }, [cond]);
}

export function lerp(a: unknown, b: unknown, w: unknown): Tensor {
  const ta = checkOperand(a, 'lerp', 'input'), tb = checkOperand(b, 'lerp', 'end'), tw = checkOperand(w, 'lerp', 'weight');
  if (!(ta instanceof Tensor) || !(tb instanceof Tensor)) throw new TypeError('lerp(): input and end must be Tensors');
  // no promotion: end (and a tensor weight) must have input's dtype, as PyTorch's lerp checks
  if (tb.dtype !== ta.dtype) throw new TorchError(`lerp: expected dtype ${ta.dtype} for \`end\` but got dtype ${tb.dtype}`);
  if (tw instanceof Tensor && tw.dtype !== ta.dtype) throw new TorchError(`lerp: expected dtype ${ta.dtype} for \`weight\` but got dtype ${tw.dtype}`);
  const rt = promoted([ta, tb]);
  if (!isFloating(rt)) throw new TorchError(`"lerp_kernel_${tw instanceof Tensor ? 'tensor' : 'scalar'}" not implemented for '${typeName(rt)}'`);
  const ct = computeDtype(rt);
  const dev = deviceOf([ta, tb]);
  const ww = asTensor(tw, rt, dev);
  const shape = broadcastShapes(broadcastShapes(ta.shape, tb.shape, 'lerp'), ww.shape, 'lerp');
  const o = emptyIter(shape, rt, dev, [ta, tb, ww]);
  runKernel(OP.ternary, kernelOrder([o, broadcastOperand(ta, shape), broadcastOperand(tb, shape), broadcastOperand(ww, shape)]), [TERNARY.lerp, DTYPE_CODE[ct]], 'lerp');
  return record(tw instanceof Tensor ? 'LerpBackward1' : 'LerpBackward0', [ta, tb, ww], o, (g) => [
    ta.requiresGrad ? sumToShape(mul(g, rsub(ww, 1)), ta.shape) : null,
    tb.requiresGrad ? sumToShape(mul(g, ww), tb.shape) : null,
    ww.requiresGrad ? sumToShape(mul(g, sub(tb, ta)), ww.shape) : null,
  ], [ta, tb, ww]);
}

/** clamp; `only`: clamp_min / clamp_max (PyTorch's ClampMin/ClampMax nodes; clamp itself records ClampBackward0 with a
 *  tensor bound, ClampBackward1 with scalar ones, whether one or both are given) */
export function clamp(x0: unknown, min?: unknown, max?: unknown, only?: 'Min' | 'Max'): Tensor {
  const x = x0 instanceof Tensor ? x0 : (() => { throw new TypeError(`clamp(): argument 'input' must be Tensor, not ${describeValue(x0)}`); })();
  x._check();
  let lo = min === undefined ? null : min, hi = max === undefined ? null : max;
  if (lo === null && hi === null) throw new TorchError("torch.clamp: At least one of 'min' or 'max' must not be None");
  const tensorB = lo instanceof Tensor || hi instanceof Tensor;
  const ops: TensorOrScalar[] = [x];
  if (lo !== null) ops.push(checkOperand(lo, 'clamp', 'min'));
  if (hi !== null) ops.push(checkOperand(hi, 'clamp', 'max'));
  const rt = promoted(ops);
  const ct = computeDtype(rt);
  const dev = x.device;
  // clamp with both bounds tensors is PyTorch's clamp_cpu kernel (no bool); one tensor bound is clamp_min /
  // clamp_max.Tensor (the maximum / minimum kernels: every dtype)
  if (tensorB && lo !== null && hi !== null && rt === 'bool') throw new TorchError('"clamp_cpu" not implemented for \'Bool\'');
  // PyTorch's one-bound scalar kernels (clamp_min / clamp_max: max(x, b) / min(x, b)) keep x at a NaN bound
  if (!tensorB && (lo === null || hi === null)) {
    if (typeof lo === 'number' && Number.isNaN(lo)) lo = null;
    if (typeof hi === 'number' && Number.isNaN(hi)) hi = null;
    if (lo === null && hi === null) return toDtype(x, rt, true);
  }
  const tlo = lo === null ? boundTensor(rt, ct, dev, false) : asTensor(castScalar(lo as TensorOrScalar as Scalar, rt) as TensorOrScalar, rt, dev);
  const thi = hi === null ? boundTensor(rt, ct, dev, true) : asTensor(castScalar(hi as TensorOrScalar as Scalar, rt) as TensorOrScalar, rt, dev);
  const shape = broadcastShapes(broadcastShapes(x.shape, tlo.shape, 'clamp'), thi.shape, 'clamp');
  const o = emptyIter(shape, rt, dev, [x, tlo, thi]);
  // PyTorch's scalar-bound and tensor-bound kernels differ on ties (see kernels/functors.h clamp_ / clamp_t_)
  const code = lo instanceof Tensor || hi instanceof Tensor ? TERNARY.clamp_t : TERNARY.clamp;
  runKernel(OP.ternary, kernelOrder([o, broadcastOperand(x, shape), broadcastOperand(tlo, shape), broadcastOperand(thi, shape)]), [code, DTYPE_CODE[ct]], 'clamp');
  if (!isFloating(rt)) return o;
  const tensorBound = lo instanceof Tensor || hi instanceof Tensor;
  const name = only ? `Clamp${only}Backward${tensorBound ? 1 : 0}` : tensorBound ? 'ClampBackward0' : 'ClampBackward1';
  const hasLo = lo !== null, hasHi = hi !== null;
  // clamp_backward / clamp_backward_min_max of PyTorch's derivatives.yaml
  return record(name, [x, hasLo ? tlo : null, hasHi ? thi : null], o, (g) => {
    const z = mulScalar(g, 0);
    let m = logicalAnd(ge(x, tlo), le(x, thi));
    m = logicalAnd(m, logicalNotT(isnanT(x)));
    const gx = sumToShape(where(m, g, z), x.shape);
    let glo: Tensor | null = null, ghi: Tensor | null = null;
    if (hasLo && tlo.requiresGrad) {
      const c = hasHi ? logicalAnd(lt(x, tlo), lt(tlo, thi)) : lt(x, tlo);
      glo = sumToShape(where(c, g, z), tlo.shape);
    }
    if (hasHi && thi.requiresGrad) {
      const c = hasLo ? binaryOp(BINARY_DEFS.logical_or, gt(x, thi), lt(thi, tlo)) : gt(x, thi);
      ghi = sumToShape(where(c, g, z), thi.shape);
    }
    return [gx, glo, ghi];
  }, [x, tlo, thi]);
}
const isnanT = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.isnan, x);
// the bound that a missing clamp bound stands for: +-inf, or the integer dtype's extreme (in the int64 computation)
function boundTensor(rt: DType, ct: DType, dev: Device, upper: boolean): Tensor {
  if (isFloating(rt)) return scalarTensor(upper ? Infinity : -Infinity, ct, dev);
  const key = `clampbound|${rt}|${upper}|${dev}`;
  let t = scalarCache.get(key);
  if (t && !t.isDisposed) return t;
  t = empty_([], ct, dev);
  if (ct === 'int64') runKernel(OP.fill, [t], upper ? [0xffffffff, 1, 0x7fffffff] : [0, 1, 0x80000000]);
  else fill_(t, upper ? 2 ** 31 - 1 : -(2 ** 31));
  keptByLibrary.add(t);
  scalarCache.set(key, t);
  return t;
}
const logicalNotT = (x: Tensor): Tensor => unaryOp(UNARY_DEFS.logical_not, x);

type NanToNumOpts = { nan?: number | null; posinf?: number | null; neginf?: number | null };
/** nan_to_num(input, nan, posinf, neginf): positionally as PyTorch, or in the options object */
export function nanToNum(x: Tensor, opts?: NanToNumOpts): Tensor;
export function nanToNum(x: Tensor, nan: number | null, posinf?: number | null, neginf?: number | null): Tensor;
export function nanToNum(x: Tensor, ...rest: unknown[]): Tensor {
  const opts = posOpts<NanToNumOpts>('nan_to_num', rest, ['nan', 'posinf', 'neginf'], []);
  x._check();
  if (!isFloating(x.dtype)) return clone(x);
  const maxOf: Record<string, number> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE, float16: 65504, bfloat16: 3.3895313892515355e38 };
  const p = [opts.nan ?? 0, opts.posinf ?? maxOf[x.dtype], opts.neginf ?? -maxOf[x.dtype]];
  const o = emptyIter(x.shape.slice(), x.dtype, x.device, [x]);
  runKernel(OP.unary, kernelOrder([o, x]), [UNARY.nan_to_num, DTYPE_CODE[computeDtype(x.dtype)], ...p]);
  return record('NanToNumBackward0', [x], o, (g) => [mul(g, unaryOp(UNARY_DEFS.isfinite, x))], [x]);
}

// ---- NaN / inf / sign predicates and small elementwise extras ----
const isFloatTensor = (x: Tensor): boolean => isFloating(x.dtype);
// sgn: sign for real tensors (complex tensors are not supported)
export function sgn(x: Tensor): Tensor { return unaryOp(UNARY_DEFS.sign, x); }
// signbit: true for negative numbers and -0 (a NaN read from a JS number is positive)
export function signbit(x: Tensor): Tensor {
  x._check();
  if (!isFloatTensor(x)) return lt(x, 0);
  return where(eq(x, 0), lt(unaryOp(UNARY_DEFS.reciprocal, x), 0), lt(x, 0));
}
export function isposinf(x: Tensor): Tensor { x._check(); return isFloatTensor(x) ? eq(x, Infinity) : zeros_(x); }
export function isneginf(x: Tensor): Tensor { x._check(); return isFloatTensor(x) ? eq(x, -Infinity) : zeros_(x); }
const zeros_ = (x: Tensor): Tensor => lt(x, x);
// frac(x) = x - trunc(x) (NaN at +-inf); FracBackward0 passes the gradient unchanged
export function frac(x: Tensor): Tensor {
  x._check();
  if (!isFloatTensor(x)) throw new TorchError(`"frac_cpu" not implemented for '${typeName(x.dtype)}'`);
  const y = gradState.enabled ? (() => { gradState.enabled = false; try { return sub(x, unaryOp(UNARY_DEFS.trunc, x)); } finally { gradState.enabled = true; } })() : sub(x, unaryOp(UNARY_DEFS.trunc, x));
  return record('FracBackward0', [x], y, (g) => [g]);
}

/** allclose/isclose(input, other, rtol, atol, equalNan): the rows of lib/ops/ops.schema parse the call */
export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): boolean {
  return isclose(a, b, rtol, atol, equalNan).all().item() as boolean;
}
export function isclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8, equalNan = false): Tensor {
  if (!(a instanceof Tensor)) throw new TypeError(`isclose(): argument 'input' must be Tensor, not ${describeValue(a)}`);
  if (!(b instanceof Tensor)) throw new TypeError(`isclose(): argument 'other' must be Tensor, not ${describeValue(b)}`);
  for (const [k, v] of [['rtol', rtol], ['atol', atol]] as const) if (typeof v !== 'number') throw new TypeError(`isclose(): argument '${k}' must be float, not ${describeValue(v)}`);
  a._check(); b._check();
  if (a.dtype !== b.dtype) throw new TorchError(`isclose: ${typeName(a.dtype)} did not match ${typeName(b.dtype)}`);
  const rt = promoted([a, b]);
  const fa = toDtype(a, isFloating(rt) ? rt : 'float64'), fb = toDtype(b, isFloating(rt) ? rt : 'float64');
  // PyTorch's: equal, or a finite error within atol + |rtol * other| (so inf vs -inf is not close, inf - inf is NaN)
  const err = unaryOp(UNARY_DEFS.abs, sub(fa, fb));
  let close = logicalAnd(unaryOp(UNARY_DEFS.isfinite, err), le(err, add(mulScalar(unaryOp(UNARY_DEFS.abs, fb), rtol), atol)));
  close = binaryOp(BINARY_DEFS.logical_or, close, eq(fa, fb));
  if (equalNan) close = binaryOp(BINARY_DEFS.logical_or, close, logicalAnd(isnanT(fa), isnanT(fb)));
  return close;
}
export function equal(a: Tensor, b: Tensor): boolean {
  a._check(); b._check();
  if (!sameShape(a.shape, b.shape)) return false;
  return eq(a, b).all().item() as boolean;
}

// ------------------------------------------------------------------------------------------------------------
// in-place forms
// ------------------------------------------------------------------------------------------------------------
export function binaryInplace(self: Tensor, def: BinaryDef, other: unknown, params: number[] = []): Tensor {
  const o = checkOperand(other, def.op + '_', 'other');
  self._check();
  if (def.tensorOnly && !(o instanceof Tensor)) {
    throw new TypeError(`${def.op}_(): argument 'other' (position 1) must be Tensor, not ${typeof o === 'boolean' ? 'bool' : Number.isInteger(o) ? 'int' : 'float'}`);
  }
  if (def.name === 'sub') checkSubBool(self, o);
  if (def.name === 'add' || def.name === 'sub') {
    const alpha = params[0] as number | boolean;
    if (alpha !== 1 && alpha !== undefined) checkAlphaInt(self, o, alpha, promoted([self, o]));
    if (typeof alpha === 'boolean') params = [alphaNum(alpha)];
  }
  if (def.name === 'pow' && typeof o === 'number' && !isFloating(self.dtype) && o < 0 && Number.isInteger(o)) throw new TorchError('Integers to negative integer powers are not allowed.');
  if (def.name === 'remainder' || def.name === 'fmod' || def.name === 'div_floor' || def.name === 'div_trunc') checkIntDivZero(self, o, def.op);
  const rt = def.bool ? 'bool' : (def.float && !isFloating(promoted([self, o])) ? 'float32' : promoted([self, o]));
  if (!canCast(rt, self.dtype)) throw new TorchError(`result type ${typeName(rt)} can't be cast to the desired output type ${typeName(self.dtype)}${isFloating(rt) ? intFromNumbersHint(self.dtype) : ''}`);
  if (o instanceof Tensor) broadcastShapes(self.shape, o.shape, def.op + '_') && (() => {
    const bs = broadcastShapes(self.shape, o.shape, def.op + '_');
    if (!sameShape(bs, self.shape)) throw new TorchError(`output with shape [${self.shape.join(', ')}] doesn't match the broadcast shape [${bs.join(', ')}]`);
  })();
  return inplace(self, def.op + '_', (src) => toDtype(binaryOp(def, src, o, params), self.dtype), (out) => { binaryOp(def, self, o, params, out); }, [o]);
}

export function unaryInplace(self: Tensor, def: UnaryDef, params: number[] = []): Tensor {
  self._check();
  if (def.noBool && self.dtype === 'bool') throw new TorchError(def.noBool);
  if (self.dtype === 'bool' && NO_BOOL_UNARY[def.name]) throw new TorchError(NO_BOOL_UNARY[def.name]);
  if (def.name === 'square' && self.dtype === 'bool') throw new TorchError('result type Long can\'t be cast to the desired output type Bool');
  if (def.float && !isFloating(self.dtype)) throw new TorchError(`result type Float can't be cast to the desired output type ${typeName(self.dtype)}${intFromNumbersHint(self.dtype)}`);
  const kernel = (out: Tensor): void => { runKernel(OP.unary, kernelOrder([out, out]), [UNARY[def.name], DTYPE_CODE[computeDtype(self.dtype)], ...params], def.name + '_'); };
  if (def.bool) return inplace(self, def.name + '_', (src) => unaryOp(def, src, params), kernel);
  const f = def.formula;
  const grad: InplaceGrad | null = f && def.grad ? {
    name: def.grad,
    uses: def.savesIn ? 'input' : def.savesOut ? 'result' : 'none',
    f: (g, v) => f(g, v, v, params),
  } : null;
  return inplaceKernel(self, def.name + '_', kernel, grad);
}

/** a unary kernel written into t itself (the activations' in-place forms) */
export function unaryKernelInto(t: Tensor, def: UnaryDef, params: number[] = []): void {
  runKernel(OP.unary, kernelOrder([t, t]), [UNARY[def.name], DTYPE_CODE[computeDtype(t.dtype)], ...params], def.name + '_');
}

/** clamp(self, lo, hi) written into self (hardtanh_, relu6_) */
export function clampScalarKernel(t: Tensor, lo: number, hi: number): void {
  const ct = computeDtype(t.dtype);
  runKernel(OP.ternary, kernelOrder([t, t, broadcastOperand(scalarTensor(lo, ct, t.device), t.shape), broadcastOperand(scalarTensor(hi, ct, t.device), t.shape)]), [TERNARY.clamp, DTYPE_CODE[ct]], 'clamp_');
}

export function copy_(self: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) throw new TypeError(`copy_(): argument 'src' must be Tensor, not ${describeValue(src)}`);
  src._check();
  broadcastShapes(self.shape, src.shape, 'copy_');
  return inplace(self, 'copy_', () => {
    const b = broadcastView(src, self.shape);
    const r = toDtype(toDeviceCopy(b, self.device), self.dtype, true);
    return r;
  }, (out) => copyInto(out, unalias(src, out)), [src]);
}

export function fillInplace(self: Tensor, v: unknown): Tensor {
  self._check();
  if (v instanceof Tensor) {
    if (v.ndim !== 0) throw new TorchError(`fill_ only supports 0-dimension value tensor but got tensor with ${v.ndim} dimensions.`);
    v = v.item();
  }
  if (typeof v !== 'number' && typeof v !== 'boolean') throw new TypeError(`fill_(): argument 'value' must be Number, not ${describeValue(v)}`);
  const val = v;
  return inplace(self, 'fill_', (src) => add(mulScalar(src, 0), val as number), (out) => { fill_(out, val); });
}

export function clampInplace(self: Tensor, min?: unknown, max?: unknown): Tensor {
  self._check();
  const ops: TensorOrScalar[] = [self];
  for (const v of [min, max]) if (v !== undefined && v !== null) ops.push(checkOperand(v, 'clamp_', 'min'));
  const rt = promoted(ops);
  if (!canCast(rt, self.dtype)) throw new TorchError(`result type ${typeName(rt)} can't be cast to the desired output type ${typeName(self.dtype)}`);
  return inplace(self, 'clamp_', (src) => clamp(src, min, max), (out) => {
    const r = clamp(out, min, max);
    const was = gradState.enabled;  // clamp_ under no_grad must leave grad mode off
    gradState.enabled = false;
    try { copyInto(out, r); } finally { gradState.enabled = was; }
  });
}

export function whereInplaceMaskedFill(self: Tensor, mask: Tensor, value: unknown): Tensor {
  return inplace(self, 'masked_fill_', (src) => toDtype(where(mask, value, src), self.dtype), (out) => {
    const r = where(mask, value, out);
    copyInto(out, toDtype(r, out.dtype));
  }, value instanceof Tensor ? [value] : []);
}

export { toDevice, promoteTypes, toDType, viewOf };
