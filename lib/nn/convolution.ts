// convolution.ts - the native-kernel parts of torch.nn.functional: linear, conv1d/conv2d/convTranspose2d (im2col /
// col2im + the matmul kernel, one GEMM per call: see native/cpu/conv.cc's layout note), unfold/fold, and 2-D
// max/avg pooling. Each op records one autograd node (PyTorch's name) whose backward runs the same raw kernels;
// when a graph of the backward is being built (createGraph) the backward is written with differentiable ops
// instead, so higher-order gradients work.
import { Tensor, empty_, runKernel, viewOf, computeContiguousStrides, keptByLibrary } from '../tensor';
import { TorchError, intFromNumbersHint } from '../errors';
import { DType, isFloating } from '../dtype';
import { OP } from '../ops/ids';
import { record } from '../autograd/engine';
import { gradState } from '../autograd/mode';
import { copyInto, toDtype, binaryRaw, fill_ } from '../ops/elementwise';
import { checkTensor } from '../ops/util';
import { tensor } from '../ops/creation';
import { acState, autocastListed, autocastCall } from '../amp/autocast';
import { clOutStrides, restrideFresh, emptyStrided_ } from '../memory_format';
import { matmulTf32, convTf32 } from '../precision';
import { native } from '../native';

type T = Tensor;
export type IntOr2 = number | readonly number[];

// ------------------------------------------------------------------------------------------------------------
// argument helpers
// ------------------------------------------------------------------------------------------------------------
export function pairOf(v: unknown, name: string, op: string, n = 2): number[] {
  const arr = Array.isArray(v) ? v : Array(n).fill(v);
  if (arr.length === 1 && n > 1) return pairOf(arr[0], name, op, n);
  if (arr.length !== n) throw new TorchError(`${op}: ${name} must be a number or a list of ${n} numbers, got [${arr.join(', ')}]`);
  for (const x of arr) if (typeof x !== 'number' || !Number.isInteger(x)) throw new TorchError(`${op}(): argument '${name}' must be a tuple of ints, but found element of type ${typeof x}`);
  return arr as number[];
}
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;

// contiguous raw copy (no autograd)
export function contig(t: T): T {
  if (t.isContiguous()) return t;
  const o = empty_(t.shape.slice(), t.dtype, t.device);
  copyInto(o, t);
  return o;
}
// raw copy of t permuted by `perm` (out[i...] = t[perm...]) into a new contiguous tensor
function permuteCopy(t: T, perm: number[]): T {
  const shape = perm.map((p) => t.shape[p]);
  const o = empty_(shape, t.dtype, t.device);
  copyInto(o, kv(t, shape, perm.map((p) => t._strides[p]), t._offset));
  return o;
}
// a contiguous [d0, d1, d2, d3] tensor in memory order `mem` (a permutation of the logical dims), viewed logically
function emptyPermuted(shape: number[], mem: number[], dtype: DType, t: T): [T, T] {
  const mshape = mem.map((d) => shape[d]);
  const buf = empty_(mshape, dtype, t.device);
  const ms = computeContiguousStrides(mshape);
  const st = new Array<number>(shape.length);
  mem.forEach((d, i) => { st[d] = ms[i]; });
  return [buf, kv(buf, shape.slice(), st, 0)];
}

// out[b] = a[b] @ c[b] (+ beta * out[b]) on 3-D views with the native matmul kernel. On CUDA: float16/bfloat16 run on
// tensor cores (float32 accumulation); float32 may take TF32 per `tf32` (read at each call: convolutions follow
// torch.backends.cudnn.allowTf32, linear torch.backends.cuda.matmul.allowTf32, as in PyTorch)
function bmm(out: T, a: T, b: T, beta = 0, tf32 = convTf32): T {
  const tf = out.dtype === 'float32' && out.device.type === 'cuda' && tf32();
  runKernel(OP.matmul, [out, a, b], tf ? [1, beta, 0, 1] : [1, beta], 'matmul');
  return out;
}
// A kernel operand: the fields runKernel / copyInto read (storage, shape, strides, offset, dtype, device), without a
// Tensor object (no finalizer registration, no tidy-scope entry). Only ever handed to runKernel or copyInto.
function kv(t: T, shape: number[], strides: number[], off = t._offset): T {
  t._check();
  return { _st: t._st, shape, _strides: strides, _offset: off, dtype: t.dtype, device: t._st.device, _disposed: false } as unknown as T;
}
const v3 = kv;
// how many image chunks to split the weight-gradient GEMM's long contraction into (then summed): tiny [OC, K]
// results with a huge N*L contraction run several times faster as a batch of shorter GEMMs (measured: [16x9] over
// 50176 columns, 5.1 -> 2.6 ms on one thread); 1 = no split
function splitCount(N: number, L: number, outElems: number, G: number): number {
  if (G !== 1 || outElems > 1024 || N * L < 16384) return 1;
  for (let s = Math.min(16, N); s >= 2; s--) if (N % s === 0) return s;
  return 1;
}

// CPU bfloat16 convolution on the CPU's AMX tiles (cpu/conv_bf16.cc, bfloat16 operands, float32 sums, one rounding,
// as oneDNN) where the CPU has them (torch.config().cpuBf16 === 'amx_bf16'; NODETORCH_NO_AMX turns it off); float32
// temporaries otherwise. Not on AVX512-BF16 alone: there the kernel measured slower than the float32 path
// ([16,64,32,32] -> 64 3x3, 1 thread: forward 18.4 vs 15.2 ms, forward + backward 67.7 vs 45.6 ms; bench/bf16.js;
// NODETORCH_CONV_BF16_AVX512=1 uses it there anyway, to measure it)
let bf16ConvOn: boolean | undefined;
export function cpuBf16Conv(): boolean {
  if (bf16ConvOn === undefined) {
    const info = native.info() as { cpuBf16?: string };
    bf16ConvOn = (info.cpuBf16 === 'amx_bf16' || (info.cpuBf16 === 'avx512_bf16' && process.env.NODETORCH_CONV_BF16_AVX512 === '1')) &&
      native.supports(OP.conv2d_bf16, 0);
  }
  return bf16ConvOn;
}
const bf16Native = (x: T): boolean => !x.isCuda && x.dtype === 'bfloat16' && cpuBf16Conv();

// float16/bfloat16 run in float32 (casts are differentiable), except on CUDA for the GEMM-based ops (`gemm16`:
// linear, conv, convTranspose), which compute in 16 bits on tensor cores with float32 accumulation, and bfloat16
// convolutions (`conv`) on a CPU with bfloat16 instructions (cpuBf16Conv); returns [compute tensors, result dtype]
function computeIn(ts: (T | null)[], op: string, gemm16 = false, conv = false): [(T | null)[], DType] {
  const x = ts[0] as T;
  const dt = x.dtype;
  for (const t of ts) {
    if (t && t.dtype !== dt) {
      const nm = (d: DType): string => (d === 'float32' ? 'float' : d === 'float64' ? 'double' : d);
      throw new TorchError(`Input type (${nm(dt)}) and ${ts.indexOf(t) === 1 ? 'weight' : 'bias'} type (${nm(t.dtype)}) should be the same${intFromNumbersHint(dt)}`);
    }
  }
  if (!isFloating(dt)) throw new TorchError(`"${op}" not implemented for '${dt}'${intFromNumbersHint(dt)}`);
  if ((dt === 'float16' || dt === 'bfloat16') && !(gemm16 && x.isCuda) && !(conv && bf16Native(x))) return [ts.map((t) => (t ? toDtype(t, 'float32') : null)), dt];
  return [ts, dt];
}
const back = (r: T, dt: DType): T => (r.dtype === dt ? r : toDtype(r, dt));

// ------------------------------------------------------------------------------------------------------------
// linear: y = x @ w^T + b, one GEMM with the bias pre-filled (beta = 1); node AddmmBackward0 / MmBackward0
// ------------------------------------------------------------------------------------------------------------
// The F functions of this file (linear, conv1d/2d, conv_transpose2d, unfold/fold, max/avg/adaptive pools) are the
// schema's F rows (ops.schema; lib/ops/generated_functional.ts parses the call): each takes its row's parameters in
// PyTorch's order with the defaults filled in; nodetorch's modules call them positionally too.
export function linear(x: T, w: T, b: T | null = null): T {
  if (acState.on && autocastListed('linear', arguments)) return autocastCall('linear', linear, arguments);
  checkTensor(x, 'linear', 'input'); checkTensor(w, 'linear', 'weight');
  if (b !== null && b !== undefined) checkTensor(b, 'linear', 'bias'); else b = null;
  if (w.ndim !== 2) throw new TorchError(`linear(): weight must be 2-D, got ${w.ndim}-D`);
  if (x.ndim === 0) throw new TorchError('both arguments to linear need to be at least 1D, but they are 0D and 2D');
  const [[xc, wc, bc], dt] = computeIn([x, w, b], 'linear', true);
  const K = w.shape[1], O = w.shape[0];
  const xin = xc as T;
  if (xin.shape[xin.ndim - 1] !== K) {
    const rows = xin.ndim === 1 ? 1 : xin.numel() / xin.shape[xin.ndim - 1];
    throw new TorchError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${xin.shape[xin.ndim - 1]} and ${K}x${O})`);
  }
  if (bc && (bc.ndim > 1 || (bc.ndim === 1 && bc.shape[0] !== O && bc.shape[0] !== 1))) {
    throw new TorchError(`The size of tensor a (${O}) must match the size of tensor b (${bc.shape[bc.ndim - 1]}) at non-singleton dimension ${xin.ndim - 1}`);
  }
  const lead = xin.shape.slice(0, -1);
  const x2 = xin.ndim === 2 ? xin : xin.reshape([-1, K]);
  const r = linear2d(x2, wc as T, bc);
  const out = xin.ndim === 2 ? r : r.reshape([...lead, O]);
  return back(out, dt);
}

function linear2d(x: T, w: T, b: T | null): T {
  const M = x.shape[0], K = x.shape[1], O = w.shape[0];
  const out = empty_([M, O], x.dtype, x.device);
  if (b) copyInto(out, kv(b, [M, O], [0, b.ndim ? b._strides[0] * (b.shape[0] === 1 ? 0 : 1) : 0], b._offset));
  if (K === 0) { if (!b) fill_(out, 0); }
  else bmm(v3(out, [1, M, O], [0, O, 1], 0), v3(x, [1, M, K], [0, x._strides[0], x._strides[1]]), v3(w, [1, K, O], [0, w._strides[1], w._strides[0]]), b ? 1 : 0, matmulTf32);
  return record(b ? 'AddmmBackward0' : 'MmBackward0', [x, w, b], out, (g) => {
    if (gradState.enabled) {
      return [x.requiresGrad ? g.matmul(w) : null, w.requiresGrad ? g.t().matmul(x) : null, b && b.requiresGrad ? g.sum(0).reshape(b.shape.slice()) : null];
    }
    let gx: T | null = null, gw: T | null = null, gb: T | null = null;
    if (x.requiresGrad) {
      gx = empty_([M, K], x.dtype, x.device);
      bmm(v3(gx, [1, M, K], [0, K, 1], 0), v3(g, [1, M, O], [0, g._strides[0], g._strides[1]]), v3(w, [1, O, K], [0, w._strides[0], w._strides[1]]), 0, matmulTf32);
    }
    if (w.requiresGrad) {
      gw = empty_([O, K], w.dtype, w.device);
      bmm(v3(gw, [1, O, K], [0, K, 1], 0), v3(g, [1, O, M], [0, g._strides[1], g._strides[0]]), v3(x, [1, M, K], [0, x._strides[0], x._strides[1]]), 0, matmulTf32);
    }
    if (b && b.requiresGrad) {
      const s = g.sum(0);
      gb = b.shape.length === 1 && b.shape[0] === O ? s : s.sum().reshape(b.shape.slice());
    }
    return [gx, gw, gb];
  }, [x, w]);
}

// ------------------------------------------------------------------------------------------------------------
// im2col / col2im (column layout [C*kh*kw, N*OH*OW]) and their differentiable wrappers
// ------------------------------------------------------------------------------------------------------------
interface Geom { kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; oh: number; ow: number }
const attrs = (g: Geom): number[] => [g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];

function im2colRaw(x: T, g: Geom): T {
  const [N, C] = x.shape;
  const col = empty_([C * g.kh * g.kw, N * g.oh * g.ow], x.dtype, x.device);
  if (col.numel()) runKernel(OP.im2col, [col, x], attrs(g), 'im2col');
  return col;
}
function col2imRaw(col: T, g: Geom, shape: number[]): T {
  const x = empty_(shape.slice(), col.dtype, col.device);
  if (x.numel()) {
    if (col.numel()) runKernel(OP.col2im, [x, contig(col)], attrs(g), 'col2im'); else fill_(x, 0);
  }
  return x;
}
function im2colOp(x: T, g: Geom): T {
  const shape = x.shape.slice();
  return record('Im2ColBackward0', [x], im2colRaw(x, g), (gr) => [col2imOp(gr, g, shape)]);
}
function col2imOp(col: T, g: Geom, shape: number[]): T {
  return record('Col2ImBackward0', [col], col2imRaw(col, g, shape), (gr) => [im2colOp(gr, g)]);
}

// ------------------------------------------------------------------------------------------------------------
// conv2d on [N, C, H, W] x [OC, C/G, kh, kw]
// ------------------------------------------------------------------------------------------------------------
export interface ConvOpts { stride?: IntOr2; padding?: IntOr2 | 'same' | 'valid'; dilation?: IntOr2; groups?: number }

function convOutSize(inp: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((inp + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function checkPositive(vals: number[], what: string, op: string, allowZero = false): void {
  for (const v of vals) if (allowZero ? v < 0 : v <= 0) throw new TorchError(`${op}: ${what} should be ${allowZero ? 'non-negative' : 'greater than zero'}, but got ${what}: (${vals.join(', ')})`);
}

// NODETORCH_CONV=gemm: the im2col + GEMM convolution everywhere (the native forward reads it too), for comparison
let directBackwardOn: boolean | undefined;
function directBackward(): boolean {
  if (directBackwardOn === undefined) directBackwardOn = (typeof process !== 'undefined' && process.env?.NODETORCH_CONV) !== 'gemm';
  return directBackwardOn;
}

// The direct conv2d's packed weights (OP.conv2d_pack_weight) per Parameter (a module's weight; other tensors, such as
// per-call dtype conversions, pack inside the call), for inference (no graph recorded, or a weight without grad): reused while the weight's storage, version, offset, shape and strides are unchanged (an
// optimizer step or copy_ bumps the version), dropped with the weight (not by tidy). Training packs inside each call.
interface Packed { st: unknown; version: number; offset: number; layout: string; pk: T }
const packCache = new WeakMap<T, Packed>();
function packedWeight(w: T, wc: T, OC: number, K: number): T {
  const layout = `${w.shape.join(',')}/${w._strides.join(',')}`;
  const e = packCache.get(w);
  if (e && e.st === w._st && e.version === w._version && e.offset === w._offset && e.layout === layout) return e.pk;
  const pk = empty_([Math.ceil(OC / 32) * 32 * K], 'float32', wc.device);
  runKernel(OP.conv2d_pack_weight, [pk, wc], [], 'conv2d');
  keptByLibrary.add(pk); // held by the cache: torch.tidy() must not free it
  packCache.set(w, { st: w._st, version: w._version, offset: w._offset, layout, pk });
  return pk;
}

// The NCHW copy of a module's channels-last weight (model.to({ memoryFormat: torch.channelsLast })), kept while the
// weight is unchanged (as the packed weights above): the kernels read OIHW weights, and copying a large weight on
// every call would cost more than the convolution of a small feature map
interface WCopy { st: unknown; version: number; offset: number; layout: string; c: T }
const wCopyCache = new WeakMap<T, WCopy>();
function contigWeight(w: T): T {
  if (w.isContiguous() || !w._isParam) return contig(w);
  const layout = `${w.shape.join(',')}/${w._strides.join(',')}`;
  const e = wCopyCache.get(w);
  if (e && e.st === w._st && e.version === w._version && e.offset === w._offset && e.layout === layout) return e.c;
  const c = contig(w);
  keptByLibrary.add(c);
  wCopyCache.set(w, { st: w._st, version: w._version, offset: w._offset, layout, c });
  return c;
}

// x4 [N,C,H,W] already batched; returns [N, OC, OH, OW]
function conv2dCore(x: T, w: T, b: T | null, s: number[], p: number[], d: number[], G: number, op: string, oneD = false): T {
  const [N, C, H, W] = x.shape;
  const [OC, Cg, kh, kw] = w.shape;
  if (C !== Cg * G) throw new TorchError(`Given groups=${G}, weight of size ${shp(w.shape)}, expected input${shp(x.shape)} to have ${Cg * G} channels, but got ${C} channels instead`);
  if (OC % G !== 0) throw new TorchError(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size ${shp(w.shape)} instead`);
  if (b && (b.ndim !== 1 || b.shape[0] !== OC)) throw new TorchError(`Given weight of size ${shp(w.shape)}, expected bias to be 1-dimensional with ${OC} elements, but got bias of size ${shp(b.shape)} instead`);
  const OH = convOutSize(H, kh, s[0], p[0], d[0]), OW = convOutSize(W, kw, s[1], p[1], d[1]);
  if (OH <= 0 || OW <= 0) {
    if (oneD) throw new TorchError(`Calculated padded input size per channel: (${W + 2 * p[1]}). Kernel size: (${d[1] * (kw - 1) + 1}). Kernel size can't be greater than actual input size`);
    throw new TorchError(`Calculated padded input size per channel: (${H + 2 * p[0]} x ${W + 2 * p[1]}). Kernel size: (${d[0] * (kh - 1) + 1} x ${d[1] * (kw - 1) + 1}). Kernel size can't be greater than actual input size`);
  }
  const g: Geom = { kh, kw, sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: OH, ow: OW };
  const K = Cg * kh * kw, OCg = OC / G, L = OH * OW, NL = N * L;
  const wc = contigWeight(w);
  // the kernels read x as NCHW: a channels-last x is converted once at the boundary (lib/memory_format.ts); the
  // copy is also what the weight gradient reads
  const xk = x.isContiguous() ? x : contig(x);
  let out: T;
  let keepCol: T | null = null;
  const bf16 = bf16Native(x) && K > 0 && NL > 0;
  if (bf16) {
    out = empty_([N, OC, OH, OW], x.dtype, x.device);
    runKernel(OP.conv2d_bf16, b ? [out, x, wc, contig(b)] : [out, x, wc], [...attrs(g), G], op);
  } else if (!x.isCuda && K > 0 && NL > 0 && (x.dtype === 'float32' || x.dtype === 'float64')) {
    // CPU: the native conv2d kernel (per-sample im2col + GEMM straight into the NCHW output; see cpu/conv.cc); the
    // weight gradient's column matrix is rebuilt in the backward
    out = empty_([N, OC, OH, OW], x.dtype, x.device);
    if (w._isParam && x.dtype === 'float32' && G === 1 && directBackward() && (!gradState.enabled || !w.requiresGrad)) {
      // inference with a module's weight: the direct kernel's packed weight panels, kept while the weight is unchanged
      const pk = packedWeight(w, wc, OC, K);
      runKernel(OP.conv2d, b ? [out, xk, wc, b, pk] : [out, xk, wc, pk], [...attrs(g), G, 1], 'conv2d');
    } else runKernel(OP.conv2d, b ? [out, xk, wc, b] : [out, xk, wc], [...attrs(g), G], 'conv2d');
  } else {
    const col = im2colRaw(xk, g);
    const out3 = empty_([G, OCg, NL], x.dtype, x.device);
    if (b) copyInto(out3, kv(b, [G, OCg, NL], [OCg * b._strides[0], b._strides[0], 0], b._offset));
    if (K > 0 && NL > 0) bmm(out3, v3(wc, [G, OCg, K], [OCg * K, K, 1], 0), v3(col, [G, K, NL], [K * NL, NL, 1], 0), b ? 1 : 0);
    else if (!b) fill_(out3, 0);
    // out3 holds [OC, N, OH, OW]; the result is [N, OC, OH, OW]
    if (N === 1) out = viewOf(out3, [1, OC, OH, OW], computeContiguousStrides([1, OC, OH, OW]), 0);
    else { out = empty_([N, OC, OH, OW], x.dtype, x.device); copyInto(out, kv(out3, [N, OC, OH, OW], [L, NL, OW, 1], 0)); }
    keepCol = w.requiresGrad ? col : null;
  }
  return record('ConvolutionBackward0', [x, w, b], out, (gr) => {
    if (gradState.enabled) {
      // a differentiable backward (create_graph); the bfloat16 native path's through float32 casts (as before it)
      const f32 = (t: T): T => (bf16 ? t.to('float32') : t);
      const b16 = (t: T | null): T | null => (bf16 && t ? t.to('bfloat16') : t);
      const gp3 = f32(gr).permute([1, 0, 2, 3]).reshape([G, OCg, NL]);
      const gx = x.requiresGrad ? b16(col2imOp(f32(w).reshape([G, OCg, K]).transpose(1, 2).matmul(gp3).reshape([G * K, NL]), g, x.shape.slice())) : null;
      const gw = w.requiresGrad ? b16(gp3.matmul(im2colOp(f32(x), g).reshape([G, K, NL]).transpose(1, 2)).reshape(w.shape.slice())) : null;
      const gb = b && b.requiresGrad ? gr.sum([0, 2, 3]) : null;
      return [gx, gw, gb];
    }
    if (bf16 && gr.dtype === 'bfloat16') {
      // CPU bfloat16 (cpu/conv_bf16.cc): both gradients summed in float32 and rounded once
      const gc = contig(gr);
      let gx: T | null = null, gw: T | null = null;
      if (x.requiresGrad) {
        gx = empty_([N, C, H, W], x.dtype, x.device);
        const P = [g.dh * (kh - 1) - g.ph, g.dw * (kw - 1) - g.pw];
        if (g.sh === 1 && g.sw === 1 && P[0] >= 0 && P[1] >= 0) {
          // stride 1: the input gradient is a convolution of the output gradient with the flipped, transposed weight
          // (bfloat16 copies: exact), padded by d*(k-1)-p: the forward kernel, no column matrix to sum
          const wt = contig(wc.reshape([G, OCg, Cg, kh, kw]).transpose(1, 2).flip([3, 4]).reshape([C, OCg, kh, kw]));
          const gt: Geom = { kh, kw, sh: 1, sw: 1, ph: P[0], pw: P[1], dh: g.dh, dw: g.dw, oh: H, ow: W };
          runKernel(OP.conv2d_bf16, [gx, gc, wt], [...attrs(gt), G], op);
        } else runKernel(OP.conv2d_bf16_backward_input, [gx, gc, wc], [...attrs(g), G], op);
      }
      if (w.requiresGrad) {
        gw = empty_(w.shape.slice(), w.dtype, w.device);
        runKernel(OP.conv2d_bf16_backward_weight, [gw, gc, x], [...attrs(g), G], op);
      }
      return [gx, gw, b && b.requiresGrad ? gr.sum([0, 2, 3]) : null];
    }
    if (!x.isCuda && x.dtype === 'float32' && G === 1 && gr.dtype === 'float32' && K > 0 && NL > 0 && directBackward() && (!x.requiresGrad || C >= 16)) {
      // CPU float32: the direct (register-tiled, col2im-free) input and weight gradients of cpu/conv_direct.cc (an input
      // gradient of fewer than 16 channels would fill too few vector lanes: GEMM + col2im below)
      let gx: T | null = null, gw: T | null = null;
      const grk = gr.isContiguous() ? gr : contig(gr);
      if (x.requiresGrad) {
        gx = empty_([N, C, H, W], x.dtype, x.device);
        runKernel(OP.conv2d_backward_input, [gx, grk, wc], attrs(g), op);
      }
      if (w.requiresGrad) {
        gw = empty_(w.shape.slice(), w.dtype, w.device);
        runKernel(OP.conv2d_backward_weight, [gw, grk, xk], attrs(g), op);
      }
      return [gx, gw, b && b.requiresGrad ? gr.sum([0, 2, 3]) : null];
    }
    // gp: the gradient in [OC, N, OH, OW] memory order
    let gp: T;
    if (N === 1) gp = contig(gr);
    else { const [buf, logical] = emptyPermuted([N, OC, OH, OW], [1, 0, 2, 3], gr.dtype, gr); copyInto(logical, gr); gp = buf; }
    const gp3 = v3(gp, [G, OCg, NL], [OCg * NL, NL, 1], 0);
    let gx: T | null = null, gw: T | null = null, gb: T | null = null;
    if (x.requiresGrad) {
      const gcol = empty_([G * K, NL], x.dtype, x.device);
      if (K > 0 && NL > 0) bmm(v3(gcol, [G, K, NL], [K * NL, NL, 1], 0), v3(wc, [G, K, OCg], [OCg * K, 1, K], 0), gp3); else fill_(gcol, 0);
      gx = col2imRaw(gcol, g, [N, C, H, W]);
    }
    if (w.requiresGrad) {
      // gw^T[g] = col[g] @ gp[g]^T written through a transposed view of gw (faster than gp @ col^T, measured)
      gw = empty_(w.shape.slice(), w.dtype, w.device);
      const c = keepCol ?? im2colRaw(xk, g);
      const S = splitCount(N, L, OCg * K, G);
      if (K === 0 || NL === 0) fill_(gw, 0);
      else if (S > 1) {
        const ch = (N / S) * L;
        const part = empty_([S, K, OC], w.dtype, w.device);
        bmm(part, v3(c, [S, K, ch], [ch, NL, 1], 0), v3(gp, [S, ch, OC], [ch, 1, NL], 0));
        copyInto(kv(gw, [K, OC], [1, K], 0), part.sum(0));
      } else bmm(v3(gw, [G, K, OCg], [OCg * K, 1, K], 0), v3(c, [G, K, NL], [K * NL, NL, 1], 0), v3(gp, [G, NL, OCg], [OCg * NL, 1, NL], 0));
    }
    if (b && b.requiresGrad) gb = viewOf(gp, [OC, NL], [NL, 1], 0).sum(1);
    return [gx, gw, gb];
  }, [x, w]);
}

// 'same' padding: total d*(k-1) per dim, the odd extra on the right (PyTorch pads the input for that)
function samePadding(k: number[], d: number[]): { sym: number[]; extra: number[] } {
  const sym: number[] = [], extra: number[] = [];
  for (let i = 0; i < k.length; i++) {
    const total = d[i] * (k[i] - 1);
    sym.push(Math.floor(total / 2));
    extra.push(total - 2 * Math.floor(total / 2));
  }
  return { sym, extra };
}

function padRightRaw(x: T, extra: number[]): T {
  // zero-pad the trailing spatial dims on the right by `extra` (differentiable through narrow)
  if (extra.every((e) => e === 0)) return x;
  const shape = x.shape.slice();
  const nsp = extra.length;
  for (let i = 0; i < nsp; i++) shape[shape.length - nsp + i] += extra[i];
  const z = empty_(shape, x.dtype, x.device);
  fill_(z, 0);
  copyInto(kv(z, x.shape.slice(), z._strides.slice(), 0), x);
  const inShape = x.shape.slice();
  return record('ConstantPadNdBackward0', [x], z, (g) => {
    let r = g;
    for (let i = 0; i < nsp; i++) r = r.narrow(r.ndim - nsp + i, 0, inShape[inShape.length - nsp + i]);
    return [r];
  });
}

function convNd(x: T, w: T, b: T | null, opts: ConvOpts, nsp: 1 | 2, op: string): T {
  checkTensor(x, op, 'input'); checkTensor(w, op, 'weight');
  if (b !== null && b !== undefined) checkTensor(b, op, 'bias'); else b = null;
  const batchedDims = nsp + 2;
  if (x.ndim !== batchedDims && x.ndim !== batchedDims - 1) {
    throw new TorchError(`Expected ${batchedDims - 1}D (unbatched) or ${batchedDims}D (batched) input to ${op}, but got input of size: ${shp(x.shape)}`);
  }
  if (w.ndim !== batchedDims) throw new TorchError(`weight should have at least three dimensions (${op} expects ${batchedDims}-D weight, got ${shp(w.shape)})`);
  const G = opts.groups ?? 1;
  if (!Number.isInteger(G) || G <= 0) throw new TorchError('non-positive groups is not supported');
  const k = w.shape.slice(2);
  const s = pairOf(opts.stride ?? 1, 'stride', op, nsp);
  const d = pairOf(opts.dilation ?? 1, 'dilation', op, nsp);
  if (s.some((v) => v <= 0)) throw new TorchError('non-positive stride is not supported');
  if (d.some((v) => v <= 0)) throw new TorchError('dilation should be greater than zero');
  if (k.some((v) => v <= 0)) throw new TorchError(nsp === 2 ? `kernel size should be greater than zero, but got kernel_height: ${k[0]} kernel_width: ${k[1]}` : `kernel size should be greater than zero, but got kernel_width: ${k[0]}`);
  let p: number[];
  let extra: number[] = Array(nsp).fill(0);
  const pad = opts.padding ?? 0;
  if (pad === 'valid') p = Array(nsp).fill(0);
  else if (pad === 'same') {
    if (s.some((v) => v !== 1)) throw new TorchError("padding='same' is not supported for strided convolutions");
    const sp = samePadding(k, d);
    p = sp.sym; extra = sp.extra;
  } else if (typeof pad === 'string') throw new TorchError(`Invalid padding string: '${pad}'`);  // (PyTorch's functional form; nn.Conv's own check lists the two)
  else p = pairOf(pad, 'padding', op, nsp);
  checkPositive(p, 'padding', op, true);
  const unbatched = x.ndim === batchedDims - 1;
  const [[xc0, wc0, bc], dt] = computeIn([x, w, b], op, true, true);
  let xc = xc0 as T, wc = wc0 as T;
  if (unbatched) xc = xc.unsqueeze(0);
  xc = padRightRaw(xc, extra);
  let out: T;
  if (nsp === 1) {
    out = conv2dCore(xc.unsqueeze(2), wc.unsqueeze(2), bc, [1, s[0]], [0, p[0]], [1, d[0]], G, op, true).squeeze(2);
  } else {
    out = conv2dCore(xc, wc, bc, s, p, d, G, op);
    // a channels-last input or weight gives a channels-last output, as PyTorch's (the kernels write NCHW: one copy)
    if (!unbatched) restrideFresh(out, clOutStrides(out.shape, x, w), copyInto);
  }
  if (unbatched) out = out.squeeze(0);
  return back(out, dt);
}

// an options object in the bias position (F.conv2d(x, w, { stride })) is the options object (API.md conventions)
// the bias (a Tensor or null) or an options object in its place; then PyTorch's positional arguments (`names`) or an
// options object
// the bias: a Tensor or null (the parser fills in the default; a stray value is PyTorch's TypeError)
function biasArg(op: string, b: unknown): T | null {
  if (b !== undefined && b !== null && !(b instanceof Tensor)) throw new TypeError(`${op}(): argument 'bias' must be a Tensor or null, got ${typeof b}`);
  return (b as T | null | undefined) ?? null;
}
type Pad = IntOr2 | 'same' | 'valid';
export function conv2d(x: T, w: T, b: T | null, stride: IntOr2, padding: Pad, dilation: IntOr2, groups: number): T {
  if (acState.on && autocastListed('conv2d', arguments)) return autocastCall('conv2d', conv2d, arguments);
  return convNd(x, w, biasArg('conv2d', b), { stride, padding, dilation, groups }, 2, 'conv2d');
}
export function conv1d(x: T, w: T, b: T | null, stride: IntOr2, padding: Pad, dilation: IntOr2, groups: number): T {
  if (acState.on && autocastListed('conv1d', arguments)) return autocastCall('conv1d', conv1d, arguments);
  return convNd(x, w, biasArg('conv1d', b), { stride, padding, dilation, groups }, 1, 'conv1d');
}

// ------------------------------------------------------------------------------------------------------------
// convTranspose2d: x [N, Cin, H, W], w [Cin, Cout/G, kh, kw]
// ------------------------------------------------------------------------------------------------------------
export interface ConvTransposeOpts { stride?: IntOr2; padding?: IntOr2; outputPadding?: IntOr2; groups?: number; dilation?: IntOr2 }

function convTranspose2dCore(x: T, w: T, b: T | null, s: number[], p: number[], op_: number[], d: number[], G: number): T {
  const [N, Cin, H, W] = x.shape;
  const [Cw, Coutg, kh, kw] = w.shape;
  if (Cw !== Cin) throw new TorchError(`Given transposed=1, weight of size ${shp(w.shape)}, expected input${shp(x.shape)} to have ${Cw} channels, but got ${Cin} channels instead`);
  if (Cin % G !== 0) throw new TorchError(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size ${shp(w.shape)} instead`);
  const Cout = Coutg * G, Cing = Cin / G;
  if (b && (b.ndim !== 1 || b.shape[0] !== Cout)) throw new TorchError(`Given transposed=1, weight of size ${shp(w.shape)}, expected bias to be 1-dimensional with ${Cout} elements, but got bias of size ${shp(b.shape)} instead`);
  for (let i = 0; i < 2; i++) {
    if (op_[i] >= s[i] && op_[i] >= d[i]) {
      throw new TorchError(`output padding must be smaller than either stride or dilation, but got output_padding_height: ${op_[0]} output_padding_width: ${op_[1]} stride_height: ${s[0]} stride_width: ${s[1]} dilation_height: ${d[0]} dilation_width: ${d[1]}`);
    }
  }
  const OH = (H - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op_[0] + 1;
  const OW = (W - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op_[1] + 1;
  if (OH <= 0 || OW <= 0) throw new TorchError(`Given input size per channel: (${H} x ${W}). Calculated output size per channel: (${OH} x ${OW}). Output size is too small`);
  // the transposed conv is the adjoint of conv2d(out -> x): its im2col geometry maps (OH, OW) images to (H, W) columns
  const g: Geom = { kh, kw, sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: H, ow: W };
  const KK = Coutg * kh * kw, HW = H * W, NHW = N * HW;
  const wc = contig(w);
  if (bf16Native(x) && KK > 0 && NHW > 0 && Cing > 0) return convTranspose2dBf16(x, wc, w, b, g, [N, Cout, OH, OW], G);
  const xp = N === 1 ? contig(x) : permuteCopy(x, [1, 0, 2, 3]); // [Cin, N, H, W]
  const xp3 = v3(xp, [G, Cing, NHW], [Cing * NHW, NHW, 1], 0);
  const col = empty_([G * KK, NHW], x.dtype, x.device);
  if (Cing > 0 && NHW > 0) bmm(v3(col, [G, KK, NHW], [KK * NHW, NHW, 1], 0), v3(wc, [G, KK, Cing], [Cing * KK, 1, KK], 0), xp3); else fill_(col, 0);
  const out = col2imRaw(col, g, [N, Cout, OH, OW]);
  if (b) binaryRaw('add', out, viewOf(b, [1, Cout, 1, 1], [0, b._strides[0], 0, 0], b._offset), [1], out.dtype, out);
  return record('ConvolutionBackward0', [x, w, b], out, (gr) => {
    if (gradState.enabled) {
      const gx = x.requiresGrad ? conv2d(gr, w, null, s, p, d, G) : null;
      const gw = w.requiresGrad ? x.permute([1, 0, 2, 3]).reshape([G, Cing, NHW]).matmul(im2colOp(gr, g).reshape([G, KK, NHW]).transpose(1, 2)).reshape(w.shape.slice()) : null;
      const gb = b && b.requiresGrad ? gr.sum([0, 2, 3]) : null;
      return [gx, gw, gb];
    }
    const gcol = im2colRaw(gr, g); // [Cout*kk, N*H*W]
    const gcol3 = v3(gcol, [G, KK, NHW], [KK * NHW, NHW, 1], 0);
    let gx: T | null = null, gw: T | null = null, gb: T | null = null;
    if (x.requiresGrad) {
      const gxp = empty_([Cin, N, H, W], x.dtype, x.device);
      if (KK > 0) bmm(v3(gxp, [G, Cing, NHW], [Cing * NHW, NHW, 1], 0), v3(wc, [G, Cing, KK], [Cing * KK, KK, 1], 0), gcol3); else fill_(gxp, 0);
      gx = N === 1 ? viewOf(gxp, [1, Cin, H, W], computeContiguousStrides([1, Cin, H, W]), 0) : permuteCopy(gxp, [1, 0, 2, 3]);
    }
    if (w.requiresGrad) {
      gw = empty_(w.shape.slice(), w.dtype, w.device);
      // gw^T[g] = gcol[g] @ xp[g]^T through a transposed view of gw (as conv2d's weight gradient)
      if (NHW > 0) bmm(v3(gw, [G, KK, Cing], [Cing * KK, 1, KK], 0), gcol3, v3(xp, [G, NHW, Cing], [Cing * NHW, 1, NHW], 0)); else fill_(gw, 0);
    }
    if (b && b.requiresGrad) gb = gr.sum([0, 2, 3]);
    return [gx, gw, gb];
  }, [x, w]);
}

// CPU bfloat16 transposed convolution (cpu/conv_bf16.cc): the forward is conv2d's input gradient (columns summed in
// float32, the bias added, one rounding); its input gradient a conv2d forward, its weight gradient conv2d's with the
// roles of input and output gradient exchanged
function convTranspose2dBf16(x: T, wc: T, w: T, b: T | null, g: Geom, outShape: number[], G: number): T {
  const op = 'conv_transpose2d';
  const xc = contig(x);
  const out = empty_(outShape, x.dtype, x.device);
  runKernel(OP.conv2d_bf16_backward_input, b ? [out, xc, wc, contig(b)] : [out, xc, wc], [...attrs(g), G], op);
  return record('ConvolutionBackward0', [x, w, b], out, (gr) => {
    if (gradState.enabled || gr.dtype !== 'bfloat16') {
      // a differentiable backward (create_graph): convTranspose2dCore's, the weight gradient through float32 casts
      const [N, Cin, H, W] = x.shape, Cing = Cin / G, KK = (outShape[1] / G) * g.kh * g.kw, NHW = N * H * W;
      const gx = x.requiresGrad ? conv2d(gr, w, null, [g.sh, g.sw], [g.ph, g.pw], [g.dh, g.dw], G) : null;
      const gw = w.requiresGrad ? x.to('float32').permute([1, 0, 2, 3]).reshape([G, Cing, NHW]).matmul(im2colOp(gr.to('float32'), g).reshape([G, KK, NHW]).transpose(1, 2)).reshape(w.shape.slice()).to(w.dtype) : null;
      return [gx, gw, b && b.requiresGrad ? gr.sum([0, 2, 3]) : null];
    }
    const gc = contig(gr);
    let gx: T | null = null, gw: T | null = null;
    if (x.requiresGrad) {
      gx = empty_(x.shape.slice(), x.dtype, x.device);
      runKernel(OP.conv2d_bf16, [gx, gc, wc], [...attrs(g), G], op);
    }
    if (w.requiresGrad) {
      gw = empty_(w.shape.slice(), w.dtype, w.device);
      runKernel(OP.conv2d_bf16_backward_weight, [gw, xc, gc], [...attrs(g), G], op);
    }
    return [gx, gw, b && b.requiresGrad ? gr.sum([0, 2, 3]) : null];
  }, [x, w]);
}

export function convTranspose2d(x: T, w: T, b0: T | null, stride: IntOr2, padding: IntOr2, outputPadding: IntOr2, groups: number, dilation: IntOr2): T {
  if (acState.on && autocastListed('conv_transpose2d', arguments)) return autocastCall('conv_transpose2d', convTranspose2d, arguments);
  const op = 'conv_transpose2d';
  const opts: ConvTransposeOpts = { stride, padding, outputPadding, groups, dilation };
  const b = biasArg(op, b0);
  checkTensor(x, op, 'input'); checkTensor(w, op, 'weight');
  if (b !== null) checkTensor(b, op, 'bias');
  if (x.ndim !== 4 && x.ndim !== 3) throw new TorchError(`Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: ${shp(x.shape)}`);
  if (w.ndim !== 4) throw new TorchError(`conv_transpose2d: expected a 4-D weight, got ${shp(w.shape)}`);
  const G = opts.groups ?? 1;
  if (!Number.isInteger(G) || G <= 0) throw new TorchError('non-positive groups is not supported');
  const s = pairOf(opts.stride ?? 1, 'stride', op), p = pairOf(opts.padding ?? 0, 'padding', op);
  const o = pairOf(opts.outputPadding ?? 0, 'output_padding', op), d = pairOf(opts.dilation ?? 1, 'dilation', op);
  checkPositive(s, 'stride', op); checkPositive(d, 'dilation', op); checkPositive(p, 'padding', op, true); checkPositive(o, 'output_padding', op, true);
  const [[xc0, wc, bc], dt] = computeIn([x, w, b], op, true, true);
  const unb = x.ndim === 3;
  let xc = xc0 as T;
  if (unb) xc = xc.unsqueeze(0);
  let out = convTranspose2dCore(xc, wc as T, bc, s, p, o, d, G);
  if (unb) out = out.squeeze(0);
  return back(out, dt);
}

// ------------------------------------------------------------------------------------------------------------
// unfold / fold (torch.nn.functional.unfold/fold: [N, C*kh*kw, L] <-> [N, C, H, W])
// ------------------------------------------------------------------------------------------------------------
export interface UnfoldOpts { dilation?: IntOr2; padding?: IntOr2; stride?: IntOr2 }
export function unfold(x: T, kernelSize: IntOr2, dilation: IntOr2, padding: IntOr2, stride: IntOr2): T {
  const opts: UnfoldOpts = { dilation, padding, stride };
  checkTensor(x, 'unfold');
  if (x.ndim !== 4 && x.ndim !== 3) throw new TorchError(`Input Error: Only 3D or 4D input Tensors are supported (got ${x.ndim}D)`);
  const [[xc0], dt] = computeIn([x], 'im2col');
  let xc = xc0 as T;
  const unb = xc.ndim === 3;
  if (unb) xc = xc.unsqueeze(0);
  const k = pairOf(kernelSize, 'kernel_size', 'unfold'), d = pairOf(opts.dilation ?? 1, 'dilation', 'unfold');
  const p = pairOf(opts.padding ?? 0, 'padding', 'unfold'), s = pairOf(opts.stride ?? 1, 'stride', 'unfold');
  const [N, C, H, W] = xc.shape;
  const OH = convOutSize(H, k[0], s[0], p[0], d[0]), OW = convOutSize(W, k[1], s[1], p[1], d[1]);
  if (OH <= 0 || OW <= 0) throw new TorchError(`Given input with spatial size (${H}, ${W}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), calculated shape of the array of sliding blocks as (${OH}, ${OW}), but its components must be at least one.`);
  const g: Geom = { kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: OH, ow: OW };
  const col = im2colOp(xc, g); // [C*kk, N*L]
  // (one image: a plain reshape, so that the size-1 batch dim has PyTorch's stride too)
  let out = N === 1 ? col.reshape([1, C * k[0] * k[1], OH * OW]) : col.reshape([C * k[0] * k[1], N, OH * OW]).permute([1, 0, 2]).contiguous();
  if (unb) out = out.squeeze(0);
  return back(out, dt);
}
export function fold(x: T, outputSize: IntOr2, kernelSize: IntOr2, dilation: IntOr2, padding: IntOr2, stride: IntOr2): T {
  const opts: UnfoldOpts = { dilation, padding, stride };
  checkTensor(x, 'fold');
  if (x.ndim !== 3 && x.ndim !== 2) throw new TorchError(`Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${x.ndim}D)`);
  const [[xc0], dt] = computeIn([x], 'col2im');
  let xc = xc0 as T;
  const unb = xc.ndim === 2;
  if (unb) xc = xc.unsqueeze(0);
  const os = pairOf(outputSize, 'output_size', 'fold'), k = pairOf(kernelSize, 'kernel_size', 'fold');
  const d = pairOf(opts.dilation ?? 1, 'dilation', 'fold'), p = pairOf(opts.padding ?? 0, 'padding', 'fold'), s = pairOf(opts.stride ?? 1, 'stride', 'fold');
  const [N, CK, L] = xc.shape;
  const kk = k[0] * k[1];
  if (CK % kk !== 0) throw new TorchError(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=(${k[0]}, ${k[1]})`);
  const OH = convOutSize(os[0], k[0], s[0], p[0], d[0]), OW = convOutSize(os[1], k[1], s[1], p[1], d[1]);
  if (OH * OW !== L) throw new TorchError(`Given output_size=(${os[0]}, ${os[1]}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), stride=(${s[0]}, ${s[1]}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${OH} * ${OW} = ${OH * OW}, but got input.size(2)=${L}.`);
  const g: Geom = { kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: OH, ow: OW };
  const col = xc.permute([1, 0, 2]).reshape([CK, N * L]);
  let out = col2imOp(col, g, [N, CK / kk, os[0], os[1]]);
  if (unb) out = out.squeeze(0);
  return back(out, dt);
}

// ------------------------------------------------------------------------------------------------------------
// pooling
// ------------------------------------------------------------------------------------------------------------
// at::native::pooling_output_shape
function poolOut(inp: number, k: number, pad: number, s: number, d: number, ceil: boolean): number {
  let o = Math.floor((inp + 2 * pad - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= inp + pad) o--;
  return o;
}

export interface MaxPoolOpts { stride?: IntOr2 | null; padding?: IntOr2; dilation?: IntOr2; ceilMode?: boolean; returnIndices?: boolean }
export interface AvgPoolOpts { stride?: IntOr2 | null; padding?: IntOr2; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }

function poolPrep(x: T, kernel: IntOr2, stride: IntOr2 | null | undefined, padding: IntOr2 | undefined, dilation: IntOr2 | undefined, ceil: boolean, op: string): { x4: T; unb: boolean; k: number[]; s: number[]; p: number[]; d: number[]; OH: number; OW: number } {
  checkTensor(x, op, 'input');
  if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: ${shp(x.shape)}`);
  const k = pairOf(kernel, 'kernel_size', op);
  const s = stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0) ? k.slice() : pairOf(stride, 'stride', op);
  const p = pairOf(padding ?? 0, 'padding', op), d = pairOf(dilation ?? 1, 'dilation', op);
  if (k.some((v) => v <= 0)) throw new TorchError(`${op}: kernel_size must be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (s.some((v) => v <= 0)) throw new TorchError(`${op}: stride must be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d.some((v) => v <= 0)) throw new TorchError(`${op}: dilation must be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  for (let i = 0; i < 2; i++) {
    if (p[i] < 0 || p[i] > Math.floor((d[i] * (k[i] - 1) + 1) / 2)) throw new TorchError(`pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel_size=${k[i]} and dilation=${d[i]}`);
  }
  const unb = x.ndim === 3;
  const x4 = unb ? x.unsqueeze(0) : x;
  const [, C, H, W] = x4.shape;
  const OH = poolOut(H, k[0], p[0], s[0], d[0], ceil), OW = poolOut(W, k[1], p[1], s[1], d[1], ceil);
  if (OH <= 0 || OW <= 0) throw new TorchError(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${OH}x${OW}). Output size is too small`);
  return { x4, unb, k, s, p, d, OH, OW };
}

function maxPool2dCore(x: T, k: number[], s: number[], p: number[], d: number[], OH: number, OW: number): [T, T] {
  const [N, C] = x.shape;
  const out = empty_([N, C, OH, OW], x.dtype, x.device);
  const idx = empty_([N, C, OH, OW], 'int64', x.device);
  if (out.numel()) runKernel(OP.max_pool2d, [out, idx, x], [k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]], 'max_pool2d');
  const inShape = x.shape.slice();
  record('MaxPool2DWithIndicesBackward0', [x], out, (g) => [maxPoolBackward(g, idx, inShape, [k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]])]);
  return [out, idx];
}
// geom: the forward's [kh, kw, sh, sw, ph, pw, dh, dw] (lets the CUDA kernel gather per input element; the CPU ignores it)
function maxPoolBackward(g: T, idx: T, inShape: number[], geom: number[] = []): T {
  const gx = empty_(inShape.slice(), g.dtype, g.device);
  if (gx.numel()) runKernel(OP.max_pool2d_backward, [gx, contig(g), idx], geom, 'max_pool2d_backward');
  const [N, C, H, W] = inShape, OH = idx.shape[2], OW = idx.shape[3];
  // its gradient: gather the incoming gradient at the argmax positions
  return record('MaxPool2DWithIndicesBackwardBackward0', [g], gx, (gg) => [gg.reshape([N, C, H * W]).gather(2, idx.reshape([N, C, OH * OW])).reshape([N, C, OH, OW])]);
}

export function maxPool2d(x: T, kernelSize: IntOr2, stride: IntOr2 | null, padding: IntOr2, dilation: IntOr2, ceilMode: boolean, returnIndices: boolean): T | [T, T] {
  const { x4, unb, k, s, p, d, OH, OW } = poolPrep(x, kernelSize, stride, padding, dilation, ceilMode, 'max_pool2d');
  if (!isFloating(x.dtype)) throw new TorchError(`"max_pool2d" not implemented for '${x.dtype}'`);
  const [[xc], dt] = computeIn([x4], 'max_pool2d');
  let [out, idx] = maxPool2dCore(xc as T, k, s, p, d, OH, OW);
  // channels-last in, channels-last out (values and indices), as PyTorch's
  // (the indices the backward reads stay contiguous: the returned ones are a channels-last copy)
  const cl = clOutStrides(out.shape, x);
  restrideFresh(out, cl, copyInto);
  if (cl && returnIndices) { const i2 = emptyStrided_(idx.shape.slice(), cl, 'int64', idx.device); copyInto(i2, idx); idx = i2; }
  out = back(out, dt);
  if (unb) { out = out.squeeze(0); idx = idx.squeeze(0); }
  return returnIndices ? [out, idx] : out;
}

function avgAttrs(k: number[], s: number[], p: number[], inc: boolean, div: number): number[] { return [k[0], k[1], s[0], s[1], p[0], p[1], inc ? 1 : 0, div]; }
function avgPoolForward(x: T, a: number[], OH: number, OW: number): T {
  const [N, C, H, W] = x.shape;
  const out = empty_([N, C, OH, OW], x.dtype, x.device);
  if (out.numel()) runKernel(OP.avg_pool2d, [out, x], a, 'avg_pool2d');
  return record('AvgPool2DBackward0', [x], out, (g) => [avgPoolBackward(g, a, [N, C, H, W])]);
}
function avgPoolBackward(g: T, a: number[], inShape: number[]): T {
  const gx = empty_(inShape.slice(), g.dtype, g.device);
  if (gx.numel()) runKernel(OP.avg_pool2d_backward, [gx, g], a, 'avg_pool2d_backward');
  const OH = g.shape[2], OW = g.shape[3];
  return record('AvgPool2DBackwardBackward0', [g], gx, (gg) => [avgPoolForward(contig(gg), a, OH, OW)]);
}

export function avgPool2d(x: T, kernelSize: IntOr2, stride: IntOr2 | null, padding: IntOr2, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null): T {
  const { x4, unb, k, s, p, OH, OW } = poolPrep(x, kernelSize, stride, padding, 1, ceilMode, 'avg_pool2d');
  const div = divisorOverride ?? 0;
  if (div !== 0 && (!Number.isInteger(div) || div < 0)) throw new TorchError('divisor must be not zero');
  if (!isFloating(x.dtype)) throw new TorchError(`"avg_pool2d" not implemented for '${x.dtype}'`);
  const [[xc], dt] = computeIn([x4], 'avg_pool2d');
  let out = avgPoolForward(xc as T, avgAttrs(k, s, p, countIncludePad, div), OH, OW);
  restrideFresh(out, clOutStrides(out.shape, x), copyInto);
  out = back(out, dt);
  return unb ? out.squeeze(0) : out;
}

// adaptive average pooling: windows [floor(i*H/OH), ceil((i+1)*H/OH)); an evenly dividing size is a plain average
// pool, anything else is P_h @ x @ P_w^T with the averaging matrices (differentiable through matmul)
export function adaptiveAvgPool2d(x: T, outputSize: number | readonly (number | null)[]): T {
  if (acState.on && autocastListed('adaptive_avg_pool2d', arguments)) return autocastCall('adaptive_avg_pool2d', adaptiveAvgPool2d, arguments);
  checkTensor(x, 'adaptive_avg_pool2d');
  if (x.ndim !== 3 && x.ndim !== 4) throw new TorchError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${shp(x.shape)}`);
  const H = x.shape[x.ndim - 2], W = x.shape[x.ndim - 1];
  const os = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
  if (os.length !== 2) throw new TorchError('adaptive_avg_pool2d: output_size must be 2');
  const OH = os[0] === null || os[0] === undefined ? H : os[0], OW = os[1] === null || os[1] === undefined ? W : os[1];
  if (!Number.isInteger(OH) || !Number.isInteger(OW) || OH < 0 || OW < 0) throw new TorchError(`adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${OH}, ${OW}}`);
  for (let i = 0; i < x.ndim - 2; i++) if (x.shape[i + (x.ndim === 4 ? 1 : 0)] === 0 && i > 0) throw new TorchError('adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions');
  if (OH > 0 && OW > 0 && H % OH === 0 && W % OW === 0) return avgPool2d(x, [H / OH, W / OW], null, 0, false, true, null);
  const mat = (n: number, o: number): number[][] => {
    const m: number[][] = [];
    for (let i = 0; i < o; i++) {
      const a = Math.floor((i * n) / o), b = Math.ceil(((i + 1) * n) / o);
      const row = new Array<number>(n).fill(0);
      for (let j = a; j < b; j++) row[j] = 1 / (b - a);
      m.push(row);
    }
    return m;
  };
  const ph = tensor(mat(H, OH), { dtype: x.dtype, device: x.device });
  const pw = tensor(mat(W, OW), { dtype: x.dtype, device: x.device });
  const r = ph.matmul(x).matmul(pw.t());
  return restrideFresh(r, clOutStrides(r.shape, x), copyInto);
}
