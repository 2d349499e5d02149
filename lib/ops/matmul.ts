// matmul.ts - matrix products: matmul (torch.matmul's 1-D/2-D/batched/broadcast rules), mm, bmm, mv, dot, outer/ger,
// addmm, baddbmm, addmv and einsum. All of them run the one native GEMM (native/cpu/gemm.cc, t0 = alpha*t1@t2 +
// beta*t0 over 2-D/3-D views of any strides), so transposed and broadcast operands are read in place, never copied.
// einsum becomes diagonal/squeeze/permute views, sums and pairwise batched GEMMs (`contract`). Gradients follow
// PyTorch's formulas and are built from these same differentiable ops, so createGraph gives higher-order gradients.
// As in PyTorch the operands' dtypes must agree (only outer promotes, being a broadcast multiply).
import { Tensor, empty_, runKernel, viewOf, sameShape, computeContiguousStrides } from '../tensor';
import { DType, isFloating, describeValue } from '../dtype';
import { OP } from './ids';
import { TorchError, checkKeys } from '../errors';
import { record, needsGrad } from '../autograd/engine';
import { copyInto, fill_, mul, mulScalar, toDtype, promoted, typeName } from './elementwise';
import { broadcastView, isOptions } from './util';
import { acState, autocastListed, autocastCall } from '../amp/autocast';
import { matmulTf32 } from '../precision';

type T = Tensor;
interface Scales { beta?: number; alpha?: number }

// ------------------------------------------------------------------------------------------------------------
// argument checks (everything is validated here: the kernel trusts its operands)
// ------------------------------------------------------------------------------------------------------------
function arg(x: unknown, op: string, what: string): T {
  if (!(x instanceof Tensor)) throw new TorchError(`${op}(): argument '${what}' must be Tensor, not ${describeValue(x)}`);
  x._check();
  return x;
}

// c10's names for dtypes, as PyTorch's messages print them
const CNAME: Record<DType, string> = {
  float32: 'float', float64: 'double', float16: 'c10::Half', bfloat16: 'c10::BFloat16', int64: 'long int', int32: 'int',
  int16: 'short int', int8: 'signed char', uint8: 'unsigned char', bool: 'bool',
};

function sameDtype(a: T, b: T): void {
  if (a.dtype !== b.dtype) throw new TorchError(`expected m1 and m2 to have the same dtype, but got: ${CNAME[a.dtype]} != ${CNAME[b.dtype]}`);
  if (a.dtype === 'bool') throw new TorchError(`"addmm_impl_cpu_" not implemented for 'Bool'`);
}
function selfDtype(inp: T, m: T): void {
  if (inp.dtype !== m.dtype) throw new TorchError(`self and mat2 must have the same dtype, but got ${typeName(inp.dtype)} and ${typeName(m.dtype)}`);
}
const dims = (t: T): string => t.shape.join('x');

function scalesOf(opts: unknown, op: string, dt: DType): { beta: number; alpha: number } {
  let beta = 1, alpha = 1;
  if (opts !== undefined && opts !== null) {
    if (!isOptions(opts)) throw new TorchError(`${op}(): expected an options object { beta, alpha }, got ${describeValue(opts)}`);
    checkKeys(op, opts, ['beta', 'alpha']);
    const o = opts as Scales;
    for (const k of ['beta', 'alpha'] as const) {
      const v: unknown = o[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new TorchError(`${op}(): argument '${k}' must be Number, not ${describeValue(v)}`);
      const n = Number(v);
      if (!isFloating(dt) && !Number.isInteger(n)) throw new TorchError(`For integral input tensors, argument ${k} must not be a floating point number.`);
      if (k === 'beta') beta = n; else alpha = n;
    }
  }
  return { beta, alpha };
}

// ------------------------------------------------------------------------------------------------------------
// raw helpers (no autograd)
// ------------------------------------------------------------------------------------------------------------
const NO_ATTRS: number[] = [];
// out = alpha * a @ b + beta * out on 2-D/3-D views; beta == 0 never reads out. A float32 product on CUDA may take
// TF32 tensor cores when torch.backends.cuda.matmul.allowTf32 / setFloat32MatmulPrecision say so at this call (attr
// a3; `tf32` false: a sum written as a GEMM, which PyTorch computes exactly)
function gemm(out: T, a: T, b: T, alpha = 1, beta = 0, tf32 = true): void {
  if (tf32 && out.dtype === 'float32' && out.isCuda && matmulTf32()) runKernel(OP.matmul, [out, a, b], [alpha, beta, 0, 1], 'matmul');
  else runKernel(OP.matmul, [out, a, b], alpha === 1 && beta === 0 ? NO_ATTRS : [alpha, beta], 'matmul');
}

function contiguousRaw(t: T): T {
  const o = empty_(t.shape.slice(), t.dtype, t.device);
  copyInto(o, t);
  return o;
}

// t through a dim map: output dim d stands for the t dims groups[d] (all of one size; several = their diagonal,
// none = a new size-1 dim); t dims in no group must have size 1. Permute, diagonal, squeeze and unsqueeze in one.
function mapView(t: T, groups: number[][]): T {
  const shape = groups.map((g) => (g.length ? t.shape[g[0]] : 1));
  const strides = groups.map((g) => g.reduce((s, d) => s + t._strides[d], 0));
  return viewOf(t, shape, strides, t._offset);
}

// t as a 3-D [prod groups[0], prod groups[1], prod groups[2]] (t's size-1 dims may be left out): a view when the dims
// of each group step through memory as one stride, else a contiguous copy in group order
function merge3(t: T, groups: number[][]): T {
  const sizes: number[] = [], strides: number[] = [];
  let ok = true;
  for (const g of groups) {
    let size = 1, last = -1;
    for (const d of g) {
      const s = t.shape[d];
      size *= s;
      if (s === 1) continue;
      if (last >= 0 && t._strides[last] !== t._strides[d] * s) ok = false;
      last = d;
    }
    sizes.push(size);
    strides.push(last >= 0 ? t._strides[last] : 0);
  }
  if (ok) return viewOf(t, sizes, strides, t._offset);
  const order = groups.flat();
  const c = contiguousRaw(viewOf(t, order.map((d) => t.shape[d]), order.map((d) => t._strides[d]), t._offset));
  return viewOf(c, sizes, computeContiguousStrides(sizes), 0);
}

// out[lo] = sum over the labels shared by la and lb but absent from lo of A[la] * B[lb], as one batched GEMM:
// batch = labels in all three, m = A's and lo's, n = B's and lo's, k = the contracted ones. Every label of A is in B or
// lo and every label of B in A or lo; labels are distinct within each list and sized alike wherever they appear.
function contractRaw(A: T, la: number[], B: T, lb: number[], lo: number[]): T {
  const batch = lo.filter((l) => la.includes(l) && lb.includes(l));
  const mL = lo.filter((l) => la.includes(l) && !lb.includes(l));
  const nL = lo.filter((l) => lb.includes(l) && !la.includes(l));
  const kL = la.filter((l) => lb.includes(l) && !lo.includes(l));
  const ia = (l: number): number => la.indexOf(l), ib = (l: number): number => lb.indexOf(l);
  const A3 = merge3(A, [batch.map(ia), mL.map(ia), kL.map(ia)]);
  const B3 = merge3(B, [batch.map(ib), kL.map(ib), nL.map(ib)]);
  const order = [...batch, ...mL, ...nL];
  const shape = order.map((l) => (la.includes(l) ? A.shape[ia(l)] : B.shape[ib(l)]));
  const out = empty_(shape, A.dtype, A.device);
  const P = A3.shape[0], M = A3.shape[1], N = B3.shape[2];
  gemm(viewOf(out, [P, M, N], [M * N, N, 1], 0), A3, B3);
  if (order.every((l, i) => l === lo[i])) return out;
  const st = computeContiguousStrides(shape);
  return viewOf(out, lo.map((l) => shape[order.indexOf(l)]), lo.map((l) => st[order.indexOf(l)]), 0);
}

// ------------------------------------------------------------------------------------------------------------
// differentiable building blocks (each records one node; its backward is built from these same blocks)
// ------------------------------------------------------------------------------------------------------------
// mapView with autograd. A bijective map (permute/squeeze/unsqueeze) sends the gradient back through the inverse
// map; a diagonal scatters it into zeros.
function dimView(t: T, groups: number[][], name: string): T {
  const out = mapView(t, groups);
  if (!t.requiresGrad) return out;
  const where = new Array<number>(t.ndim).fill(-1);
  let bijective = true;
  groups.forEach((g, d) => {
    if (g.filter((x) => t.shape[x] !== 1).length > 1) bijective = false;
    for (const x of g) where[x] = d;
  });
  const shape = t.shape.slice();
  if (bijective) {
    const inv = shape.map((s, j) => (where[j] >= 0 && s !== 1 ? [where[j]] : []));
    return record(name, [t], out, (g) => [dimView(g, inv, name)]);
  }
  return record(name, [t], out, (g) => [scatterView(g, shape, groups)]);
}
function scatterView(g: T, shape: number[], groups: number[][]): T {
  const z = empty_(shape.slice(), g.dtype, g.device, true);
  copyInto(mapView(z, groups), g);
  return record('DiagonalBackwardBackward0', [g], z, (gg) => [dimView(gg, groups, 'DiagonalBackward0')]);
}
const transpose2 = (t: T): T => dimView(t, [[1], [0]], 'TBackward0');
const transposeLast = (t: T): T => dimView(t, [[0], [2], [1]], 'TransposeBackward0');

function reshapeTo(t: T, shape: number[], name = 'ViewBackward0'): T {
  if (sameShape(t.shape, shape)) return t;
  const src = t.isContiguous() ? t : contiguousRaw(t);
  const out = viewOf(src, shape, computeContiguousStrides(shape), src._offset);
  const ts = t.shape.slice();
  return record(name, [t], out, (g) => [reshapeTo(g, ts, name)]);
}

// sum over `ds` (keepdim false), as a GEMM against a broadcast one: [1, kept, summed] @ [1, summed, 1]
function sumDims(t: T, ds: number[]): T {
  if (!ds.length) return t;
  const kept = [...Array(t.ndim).keys()].filter((d) => !ds.includes(d));
  const x3 = merge3(t, [[], kept, ds]);
  const out = empty_(kept.map((d) => t.shape[d]), t.dtype, t.device);
  const one = fill_(empty_([], t.dtype, t.device), 1);
  gemm(viewOf(out, [1, x3.shape[1], 1], [0, 1, 1], 0), x3, viewOf(one, [1, x3.shape[2], 1], [0, 0, 0], 0), 1, 0, false);
  const ts = t.shape.slice();
  const back = ts.map((_, i) => (kept.includes(i) ? [kept.indexOf(i)] : []));
  return record('SumBackward1', [t], out, (g) => [expandTo(dimView(g, back, 'UnsqueezeBackward0'), ts)]);
}

function expandTo(t: T, shape: number[]): T {
  if (sameShape(t.shape, shape)) return t;
  const out = broadcastView(t, shape);
  const ts = t.shape.slice();
  return record('ExpandBackward0', [t], out, (g) => [sumTo(g, ts)]);
}

// the gradient of a broadcast operand: g summed back to `shape`
function sumTo(g: T, shape: number[]): T {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const ds: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) ds.push(i);
  return reshapeTo(sumDims(g, ds), shape);
}

const scaled = (t: T, s: number): T => (s === 1 ? t : mulScalar(t, s));

// contractRaw with autograd: the gradient of each operand is the contraction of g with the other one
function contract(A: T, la: number[], B: T, lb: number[], lo: number[], name = 'BmmBackward0'): T {
  const out = contractRaw(A, la, B, lb, lo);
  return record(name, [A, B], out, (g) => [
    A.requiresGrad ? contract(g, lo, B, lb, la) : null,
    B.requiresGrad ? contract(A, la, g, lo, lb) : null,
  ], [A, B]);
}

// ------------------------------------------------------------------------------------------------------------
// mm, bmm, mv, dot, outer
// ------------------------------------------------------------------------------------------------------------
function mmCore(x: T, y: T): T {
  if (x.shape[1] !== y.shape[0]) throw new TorchError(`mat1 and mat2 shapes cannot be multiplied (${dims(x)} and ${dims(y)})`);
  sameDtype(x, y);
  const out = empty_([x.shape[0], y.shape[1]], x.dtype, x.device);
  gemm(out, x, y);
  if (!needsGrad([x, y])) return out;
  return record('MmBackward0', [x, y], out, (g) => [
    x.requiresGrad ? mmCore(g, transpose2(y)) : null,
    y.requiresGrad ? mmCore(transpose2(x), g) : null,
  ], [x, y]);
}

export function mm(input: T, mat2: T): T {
  if (acState.on && autocastListed('mm', arguments)) return autocastCall('mm', mm, arguments);
  const x = arg(input, 'mm', 'input'), y = arg(mat2, 'mm', 'mat2');
  if (x.ndim !== 2) throw new TorchError('self must be a matrix');
  if (y.ndim !== 2) throw new TorchError('mat2 must be a matrix');
  return mmCore(x, y);
}

function bmmCheck(x: T, y: T): void {
  if (x.ndim !== 3) throw new TorchError('batch1 must be a 3D tensor');
  if (y.ndim !== 3) throw new TorchError('batch2 must be a 3D tensor');
  if (y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[2]) {
    throw new TorchError(`Expected size for first two dimensions of batch2 tensor to be: [${x.shape[0]}, ${x.shape[2]}] but got: [${y.shape[0]}, ${y.shape[1]}].`);
  }
  sameDtype(x, y);
}
function bmmCore(x: T, y: T): T {
  bmmCheck(x, y);
  const out = empty_([x.shape[0], x.shape[1], y.shape[2]], x.dtype, x.device);
  gemm(out, x, y);
  return record('BmmBackward0', [x, y], out, (g) => [
    x.requiresGrad ? bmmCore(g, transposeLast(y)) : null,
    y.requiresGrad ? bmmCore(transposeLast(x), g) : null,
  ], [x, y]);
}
export function bmm(input: T, mat2: T): T {
  if (acState.on && autocastListed('bmm', arguments)) return autocastCall('bmm', bmm, arguments);
  return bmmCore(arg(input, 'bmm', 'input'), arg(mat2, 'bmm', 'mat2'));
}

function mvCheck(x: T, v: T): void {
  if (x.ndim !== 2 || v.ndim !== 1) throw new TorchError(`vector + matrix @ vector expected, got 1, ${x.ndim}, ${v.ndim}`);
  if (x.shape[1] !== v.shape[0]) throw new TorchError(`size mismatch, got ${x.shape[0]}, ${dims(x)},${v.shape[0]}`);
  sameDtype(x, v);
}
const asColumn = (v: T): T => viewOf(v, [v.shape[0], 1], [v._strides[0], 1], v._offset);
function mvCore(x: T, v: T): T {
  mvCheck(x, v);
  const out = empty_([x.shape[0]], x.dtype, x.device);
  gemm(asColumn(out), x, asColumn(v));
  return record('MvBackward0', [x, v], out, (g) => [
    x.requiresGrad ? mmCore(dimView(g, [[0], []], 'UnsqueezeBackward0'), dimView(v, [[], [0]], 'UnsqueezeBackward0')) : null,
    v.requiresGrad ? mvCore(transpose2(x), g) : null,
  ], [x, v]);
}
export function mv(input: T, vec: T): T {
  if (acState.on && autocastListed('mv', arguments)) return autocastCall('mv', mv, arguments);
  return mvCore(arg(input, 'mv', 'input'), arg(vec, 'mv', 'vec'));
}

function dotCore(a: T, b: T): T {
  if (a.ndim !== 1 || b.ndim !== 1) throw new TorchError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0]) {
    throw new TorchError(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  }
  if (a.dtype !== b.dtype) throw new TorchError(`dot : expected both vectors to have same dtype, but found ${typeName(a.dtype)} and ${typeName(b.dtype)}`);
  sameDtype(a, b);
  const out = empty_([], a.dtype, a.device);
  const k = a.shape[0];
  gemm(viewOf(out, [1, 1], [1, 1], 0), viewOf(a, [1, k], [0, a._strides[0]], a._offset), asColumn(b));
  return record('DotBackward0', [a, b], out, (g) => [
    a.requiresGrad ? mul(g, b) : null,
    b.requiresGrad ? mul(g, a) : null,
  ], [a, b]);
}
export function dot(input: T, other: T): T {
  if (acState.on && autocastListed('dot', arguments)) return autocastCall('dot', dot, arguments);
  return dotCore(arg(input, 'dot', 'input'), arg(other, 'dot', 'tensor'));
}

// outer(a, b) = a[:, None] * b: PyTorch's broadcast multiply, so dtypes promote; computed as a k=1 GEMM
export function outer(input: T, vec2: T): T {
  const a0 = arg(input, 'outer', 'input'), b0 = arg(vec2, 'outer', 'vec2');
  if (a0.ndim !== 1) throw new TorchError(`outer: Expected 1-D argument self, but got ${a0.ndim}-D`);
  if (b0.ndim !== 1) throw new TorchError(`outer: Expected 1-D argument vec2, but got ${b0.ndim}-D`);
  const rt = promoted([a0, b0]);
  if (rt === 'bool') return mul(asColumn(a0), b0);
  const a = toDtype(a0, rt), b = toDtype(b0, rt);
  const out = empty_([a.shape[0], b.shape[0]], rt, a.device);
  gemm(out, asColumn(a), viewOf(b, [1, b.shape[0]], [0, b._strides[0]], b._offset));
  return record('MulBackward0', [a, b], out, (g) => [
    a.requiresGrad ? mvCore(g, b) : null,
    b.requiresGrad ? mvCore(transpose2(g), a) : null,
  ], [a, b]);
}
export const ger = outer;

// ------------------------------------------------------------------------------------------------------------
// addmm, baddbmm, addmv: out = beta * input (broadcast) + alpha * product; beta == 0 ignores input (NaNs too)
// ------------------------------------------------------------------------------------------------------------
function withInput(inp: T, shape: number[], beta: number, op: string): T {
  const bv = broadcastView(inp, shape, op);
  const out = empty_(shape, inp.dtype, inp.device);
  if (beta !== 0) copyInto(out, bv);
  return out;
}

export function addmm(input: T, mat1: T, mat2: T, opts?: Scales): T {
  if (acState.on && autocastListed('addmm', arguments)) return autocastCall('addmm', addmm, arguments);
  const inp = arg(input, 'addmm', 'input'), x = arg(mat1, 'addmm', 'mat1'), y = arg(mat2, 'addmm', 'mat2');
  if (x.ndim !== 2) throw new TorchError(`mat1 must be a matrix, got ${x.ndim}-D tensor`);
  if (y.ndim !== 2) throw new TorchError(`mat2 must be a matrix, got ${y.ndim}-D tensor`);
  if (x.shape[1] !== y.shape[0]) throw new TorchError(`mat1 and mat2 shapes cannot be multiplied (${dims(x)} and ${dims(y)})`);
  sameDtype(x, y);
  selfDtype(inp, y);
  const { beta, alpha } = scalesOf(opts, 'addmm', x.dtype);
  const out = withInput(inp, [x.shape[0], y.shape[1]], beta, 'addmm');
  gemm(out, x, y, alpha, beta);
  const is = inp.shape.slice();
  return record('AddmmBackward0', [inp, x, y], out, (g) => [
    inp.requiresGrad ? sumTo(scaled(g, beta), is) : null,
    x.requiresGrad ? scaled(mmCore(g, transpose2(y)), alpha) : null,
    y.requiresGrad ? scaled(mmCore(transpose2(x), g), alpha) : null,
  ], [x, y]);
}

export function baddbmm(input: T, batch1: T, batch2: T, opts?: Scales): T {
  if (acState.on && autocastListed('baddbmm', arguments)) return autocastCall('baddbmm', baddbmm, arguments);
  const inp = arg(input, 'baddbmm', 'input'), x = arg(batch1, 'baddbmm', 'batch1'), y = arg(batch2, 'baddbmm', 'batch2');
  bmmCheck(x, y);
  selfDtype(inp, y);
  const { beta, alpha } = scalesOf(opts, 'baddbmm', x.dtype);
  const out = withInput(inp, [x.shape[0], x.shape[1], y.shape[2]], beta, 'baddbmm');
  gemm(out, x, y, alpha, beta);
  const is = inp.shape.slice();
  return record('BaddbmmBackward0', [inp, x, y], out, (g) => [
    inp.requiresGrad ? sumTo(scaled(g, beta), is) : null,
    x.requiresGrad ? scaled(bmmCore(g, transposeLast(y)), alpha) : null,
    y.requiresGrad ? scaled(bmmCore(transposeLast(x), g), alpha) : null,
  ], [x, y]);
}

export function addmv(input: T, mat: T, vec: T, opts?: Scales): T {
  if (acState.on && autocastListed('addmv', arguments)) return autocastCall('addmv', addmv, arguments);
  const inp = arg(input, 'addmv', 'input'), x = arg(mat, 'addmv', 'mat'), v = arg(vec, 'addmv', 'vec');
  mvCheck(x, v);
  selfDtype(inp, x);
  const { beta, alpha } = scalesOf(opts, 'addmv', x.dtype);
  const out = withInput(inp, [x.shape[0]], beta, 'addmv');
  gemm(asColumn(out), x, asColumn(v), alpha, beta);
  const is = inp.shape.slice();
  return record('AddmvBackward0', [inp, x, v], out, (g) => [
    inp.requiresGrad ? sumTo(scaled(g, beta), is) : null,
    x.requiresGrad ? scaled(mmCore(dimView(g, [[0], []], 'UnsqueezeBackward0'), dimView(v, [[], [0]], 'UnsqueezeBackward0')), alpha) : null,
    v.requiresGrad ? scaled(mvCore(transpose2(x), g), alpha) : null,
  ], [x, v]);
}

// ------------------------------------------------------------------------------------------------------------
// matmul
// ------------------------------------------------------------------------------------------------------------
function broadcastBatch(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)];
    const y = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (x !== y && x !== 1 && y !== 1) throw new TorchError(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

// the batched forms: a 1-D operand is a row (a) or column (b) matrix that is dropped from the result; batch dims
// broadcast. One contraction, which also folds a batch against a shared matrix into a single taller GEMM.
function matmulNd(a: T, b: T): T {
  const da = a.ndim, db = b.ndim;
  const as = da === 1 ? [1, a.shape[0]] : a.shape.slice();
  const bs = db === 1 ? [b.shape[0], 1] : b.shape.slice();
  const m = as[as.length - 2], k = as[as.length - 1], kb = bs[bs.length - 2], n = bs[bs.length - 1];
  const ba = as.slice(0, -2), bb = bs.slice(0, -2);
  if (k !== kb) {
    const rows = ba.reduce((p, s) => p * s, 1) * m;
    if (db === 1) throw new TorchError(`size mismatch, got ${rows}, ${rows}x${k},${kb}`);
    if (db === 2) throw new TorchError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${k} and ${kb}x${n})`);
    const nbat = broadcastBatch(ba, bb).reduce((p, s) => p * s, 1);
    throw new TorchError(`Expected size for first two dimensions of batch2 tensor to be: [${nbat}, ${k}] but got: [${nbat}, ${kb}].`);
  }
  sameDtype(a, b);
  const batch = broadcastBatch(ba, bb);
  const nb = batch.length;
  const bl = [...Array(nb).keys()], M = nb, K = nb + 1, N = nb + 2;
  const a1 = da === 1 ? viewOf(a, as, [0, a._strides[0]], a._offset) : a;
  const b1 = db === 1 ? viewOf(b, bs, [b._strides[0], 0], b._offset) : b;
  const out = contractRaw(broadcastView(a1, [...batch, m, k]), [...bl, M, K], broadcastView(b1, [...batch, k, n]), [...bl, K, N], [...bl, M, N]);
  const shape = [...batch, ...(da === 1 ? [] : [m]), ...(db === 1 ? [] : [n])];
  const res = viewOf(out, shape, computeContiguousStrides(shape), 0);
  // a broadcast batch dim of an operand (size 1 against a larger batch, or missing) is summed out of its gradient
  const keptLabels = (own: number[]): number[] => {
    const off = nb - own.length;
    return own.map((s, i) => (s === batch[off + i] ? off + i : -1)).filter((l) => l >= 0);
  };
  const name = da === 1 && db === 2 ? 'SqueezeBackward3' : da === 2 ? 'CloneBackward0' : 'UnsafeViewBackward0';  // PyTorch's
  return record(name, [a, b], res, (g) => {
    let gi = 0;
    const groups: number[][] = bl.map(() => [gi++]);
    groups.push(da === 1 ? [] : [gi++], db === 1 ? [] : [gi++]);
    const g3 = dimView(g, groups, 'UnsqueezeBackward0');
    let ga: T | null = null, gb: T | null = null;
    if (a.requiresGrad) {
      const bx = expandTo(db === 1 ? dimView(b, [[0], []], 'UnsqueezeBackward0') : b, [...batch, k, n]);
      ga = reshapeTo(contract(g3, [...bl, M, N], bx, [...bl, K, N], [...keptLabels(ba), M, K]), a.shape.slice());
    }
    if (b.requiresGrad) {
      const ax = expandTo(da === 1 ? dimView(a, [[], [0]], 'UnsqueezeBackward0') : a, [...batch, m, k]);
      gb = reshapeTo(contract(ax, [...bl, M, K], g3, [...bl, M, N], [...keptLabels(bb), K, N]), b.shape.slice());
    }
    return [ga, gb];
  }, [a, b]);
}

export function matmul(input: T, other: T): T {
  if (acState.on && autocastListed('matmul', arguments)) return autocastCall('matmul', matmul, arguments);
  const a = arg(input, 'matmul', 'input'), b = arg(other, 'matmul', 'other');
  const da = a.ndim, db = b.ndim;
  if (da === 0 || db === 0) throw new TorchError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  if (da === 2 && db === 2) return mmCore(a, b);
  if (da === 1 && db === 1) return dotCore(a, b);
  if (da === 2 && db === 1) return mvCore(a, b);
  return matmulNd(a, b);
}

// ------------------------------------------------------------------------------------------------------------
// einsum
// ------------------------------------------------------------------------------------------------------------
// labels: 'A'-'Z' -> 0..25, 'a'-'z' -> 26..51 (PyTorch's order for the implicit output), ellipsis dims 52 + i
const ELL = 52;
const labelName = (l: number): string => (l < 26 ? String.fromCharCode(65 + l) : l < ELL ? String.fromCharCode(71 + l) : '...');

interface Term { labels: number[]; ell: number }
function parseTerm(s: string, at: number, what: string): Term {
  const labels: number[] = [];
  let ell = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === '.') {
      if (s.slice(i, i + 3) !== '...' || ell >= 0) throw new TorchError(`einsum(): found '.' for ${what} that is not part of any ellipsis`);
      ell = labels.length;
      i += 2;
    } else if (c >= 65 && c <= 90) labels.push(c - 65);
    else if (c >= 97 && c <= 122) labels.push(c - 97 + 26);
    else throw new TorchError(`einsum(): invalid subscript given at index ${at + i} in the equation string, subscripts must be in [a-zA-Z]`);
  }
  return { labels, ell };
}

export function einsum(equation: string, ...operands: (T | T[])[]): T {
  if (acState.on && autocastListed('einsum', arguments)) return autocastCall('einsum', einsum, arguments);
  if (typeof equation !== 'string') throw new TorchError(`einsum(): argument 'equation' must be str, not ${describeValue(equation)}`);
  const list: unknown[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands;
  const ops = list.map((x, i) => arg(x, 'einsum', `operands[${i}]`));
  if (!ops.length) throw new TorchError('einsum(): must provide at least one operand');
  const eq = equation.replace(/\s/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const pieces = lhs.split(',');
  if (pieces.length > ops.length) throw new TorchError('einsum(): fewer operands were provided than specified in the equation');
  if (pieces.length < ops.length) throw new TorchError('einsum(): more operands were provided than specified in the equation');
  for (const t of ops) {
    if (t.dtype !== ops[0].dtype) throw new TorchError(`expected scalar type ${typeName(ops[0].dtype)} but found ${typeName(t.dtype)}`);
  }
  if (ops[0].dtype === 'bool') throw new TorchError(`"addmm_impl_cpu_" not implemented for 'Bool'`);
  let at = 0;
  const terms = pieces.map((p, i) => { const r = parseTerm(p, at, `operand ${i}`); at += p.length + 1; return r; });

  // expand ellipses: E = the most dims any ellipsis covers; an operand's ellipsis takes the last of them
  let E = 0;
  const nEll = terms.map((tm, i) => {
    const extra = ops[i].ndim - tm.labels.length;
    if (tm.ell < 0 && extra !== 0) {
      throw new TorchError(`einsum(): the number of subscripts in the equation (${tm.labels.length}) does not match the number of dimensions (${ops[i].ndim}) for operand ${i} and no ellipsis was given`);
    }
    if (extra < 0) throw new TorchError(`einsum(): the number of subscripts in the equation (${tm.labels.length}) is more than the number of dimensions (${ops[i].ndim}) for operand ${i}`);
    E = Math.max(E, extra);
    return extra;
  });
  const full = terms.map((tm, i) => tm.ell < 0 ? tm.labels
    : [...tm.labels.slice(0, tm.ell), ...Array.from({ length: nEll[i] }, (_, j) => ELL + E - nEll[i] + j), ...tm.labels.slice(tm.ell)]);

  // label sizes: size-1 dims broadcast; a repeated label within one operand must have equal sizes
  const size = new Map<number, number>();
  full.forEach((ls, i) => ls.forEach((l, d) => {
    const s = ops[i].shape[d], first = ls.indexOf(l);
    if (first !== d && ops[i].shape[first] !== s) {
      throw new TorchError(`einsum(): subscript ${labelName(l)} is repeated for operand ${i} but the sizes don't match, ${s} != ${ops[i].shape[first]}`);
    }
    const prev = size.get(l);
    if (prev === undefined || prev === 1) size.set(l, s);
    else if (s !== 1 && s !== prev) {
      if (l >= ELL) throw new TorchError(`einsum(): dimension ${l - ELL} covered by ellipsis in operand ${i} has size ${s} which does not broadcast with previously seen ellipsis with size ${prev} for the respective dimension`);
      throw new TorchError(`einsum(): subscript ${labelName(l)} has size ${s} for operand ${i} which does not broadcast with previously seen size ${prev}`);
    }
  }));

  // output labels: explicit, or the ellipsis dims then the labels seen exactly once, in label order
  let out: number[];
  if (arrow >= 0) {
    const rt = parseTerm(eq.slice(arrow + 2), arrow + 2, 'the output');
    out = rt.ell < 0 ? rt.labels : [...rt.labels.slice(0, rt.ell), ...Array.from({ length: E }, (_, j) => ELL + j), ...rt.labels.slice(rt.ell)];
    out.forEach((l, i) => {
      if (l < ELL && !size.has(l)) throw new TorchError(`einsum(): output subscript ${labelName(l)} does not appear in the equation for any input operand`);
      if (out.indexOf(l) !== i) throw new TorchError(`einsum(): output subscript ${labelName(l)} appears more than once in the output`);
    });
  } else {
    const count = new Map<number, number>();
    for (const tm of terms) for (const l of tm.labels) count.set(l, (count.get(l) || 0) + 1);
    const once = [...count.keys()].filter((l) => count.get(l) === 1).sort((x, y) => x - y);
    out = [...Array.from({ length: E }, (_, j) => ELL + j), ...once];
  }
  const outSet = new Set(out);

  // per operand: take diagonals of repeated labels and drop size-1 dims that broadcast against a larger size
  const xs: T[] = [], ls: number[][] = [];
  ops.forEach((t, i) => {
    const uniq: number[] = [], groups: number[][] = [];
    full[i].forEach((l, d) => {
      const u = uniq.indexOf(l);
      if (u >= 0) groups[u].push(d);
      else { uniq.push(l); groups.push([d]); }
    });
    const keep = uniq.map((l, u) => !(t.shape[groups[u][0]] === 1 && (size.get(l) as number) > 1));
    const kl = uniq.filter((_, u) => keep[u]), kg = groups.filter((_, u) => keep[u]);
    const identity = kg.length === t.ndim && kg.every((g, d) => g.length === 1 && g[0] === d);
    xs.push(identity ? t : dimView(t, kg, kg.some((g) => g.length > 1) ? 'DiagonalBackward0' : 'SqueezeBackward0'));
    ls.push(kl);
  });

  // sum labels that no other operand and not the output need, then contract left to right
  const neededBy = (skip: number, from: number): Set<number> => {
    const s = new Set(outSet);
    for (let j = from; j < ls.length; j++) if (j !== skip) for (const l of ls[j]) s.add(l);
    return s;
  };
  for (let i = 0; i < xs.length; i++) {
    const need = neededBy(i, 0);
    const drop = ls[i].map((l, d) => (need.has(l) ? -1 : d)).filter((d) => d >= 0);
    if (drop.length) {
      xs[i] = sumDims(xs[i], drop);
      ls[i] = ls[i].filter((l) => need.has(l));
    }
  }
  let cur = xs[0], lc = ls[0];
  for (let i = 1; i < xs.length; i++) {
    const later = neededBy(-1, i + 1);
    const lp = [...lc.filter((l) => later.has(l)), ...ls[i].filter((l) => !lc.includes(l) && later.has(l))];
    cur = contract(cur, lc, xs[i], ls[i], lp);
    lc = lp;
  }
  if (lc.length === out.length && lc.every((l, i) => l === out[i])) return cur;
  return dimView(cur, out.map((l) => [lc.indexOf(l)]), 'PermuteBackward0');
}

// (the Tensor methods, torch.* functions, out= and the in-place addmm_/addmv_/baddbmm_ of mm, bmm, matmul, dot, mv,
// outer/ger, addmm, addmv and baddbmm are generated from their rows in lib/ops/ops.schema)
