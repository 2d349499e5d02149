// maxpool.ts - max pooling beyond the native 2-d kernel: maxPool3d (the 2-d kernel over each depth slice, then a
// scan along the depth windows) and adaptiveMaxPool1d/2d/3d (one scan per spatial axis over PyTorch's adaptive
// windows [floor(o*I/O), ceil((o+1)*I/O)); an evenly dividing 2-d size is the native max pool).
// PyTorch's rule inside a window, in row-major scan order: an element replaces the running one when it is larger or
// NaN, so ties keep the first, NaNs the last, and a window of -inf keeps its first element. Applying it axis by axis
// (innermost first) gives the same pick as the 2-d/3-d scan: the first maximum in row-major order, the last NaN.
// Indices are flat over the pooled dims (d*H*W + h*W + w), as PyTorch's; the gradient goes to the picked elements.
import { Tensor } from '../tensor';
import { TorchError } from '../errors';
import { isFloating } from '../dtype';
import { record } from '../autograd/engine';
import { noGrad } from '../autograd/mode';
import { where } from '../ops/elementwise';
import { checkTensor } from '../ops/util';
import { arange, zeros } from '../ops/creation';
import { cat } from '../ops/shape';
import { maxPool2d } from './convolution';

type T = Tensor;
const shp = (s: readonly number[]): string => `[${s.join(', ')}]`;

// reduce `axis` of (val, pos) over each window (a list of positions in scan order)
function scanAxis(val: T, pos: T, axis: number, windows: number[][]): { val: T; pos: T } {
  const vs: T[] = [], ps: T[] = [];
  for (const w of windows) {
    let bv = val.narrow(axis, w[0], 1), bp = pos.narrow(axis, w[0], 1);
    for (let j = 1; j < w.length; j++) {
      const v = val.narrow(axis, w[j], 1), p = pos.narrow(axis, w[j], 1);
      const upd = v.gt(bv).logicalOr(v.isnan());
      bv = where(upd, v, bv);
      bp = where(upd, p, bp);
    }
    vs.push(bv); ps.push(bp);
  }
  return { val: cat(vs, axis), pos: cat(ps, axis) };
}

// the picked elements of x2 [B, S] at flat positions pos [B, ...out] with the max pool's backward node
function pick(x2: T, pos: T, outShape: number[], name: string): T {
  const B = x2.shape[0];
  const flat = pos.reshape([B, -1]);
  const y = noGrad(() => x2.gather(1, flat)).reshape(outShape);
  if (!isFloating(x2.dtype)) return y;
  const inShape = x2.shape.slice();
  return record(name, [x2], y, (g) => [zeros(inShape, { dtype: g.dtype, device: g.device }).scatterAdd(1, flat, g.reshape([B, -1]))], [flat]);
}

const adaptiveWindows = (n: number, o: number): number[][] =>
  Array.from({ length: o }, (_, i) => {
    const a = Math.floor((i * n) / o), b = Math.ceil(((i + 1) * n) / o);
    return Array.from({ length: b - a }, (_, j) => a + j);
  });

function tripleOf(v: unknown, name: string, op: string): number[] {
  const a = Array.isArray(v) ? v : [v, v, v];
  if (a.length === 1) return [a[0], a[0], a[0]] as number[];
  if (a.length !== 3 || !a.every((e) => typeof e === 'number' && Number.isInteger(e))) throw new TypeError(`${op}(): argument '${name}' must be an int or a tuple of three ints, not ${JSON.stringify(v)}`);
  return a as number[];
}
// at::native::pooling_output_shape
function poolOut(inp: number, k: number, pad: number, s: number, d: number, ceil: boolean): number {
  let o = Math.floor((inp + 2 * pad - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= inp + pad) o--;
  return o;
}

export interface MaxPool3dOpts { stride?: number | number[] | null; padding?: number | number[]; dilation?: number | number[]; ceilMode?: boolean; returnIndices?: boolean }

// max_pool3d and the adaptive max pools are the schema's F rows (ops.schema; lib/ops/generated_functional.ts parses
// the call): each takes its row's parameters in PyTorch's order, defaults filled in.
export function maxPool3d(x: T, kernelSize: number | readonly number[], stride: number | readonly number[] | null, padding: number | readonly number[], dilation: number | readonly number[], ceilMode: boolean, returnIndices: boolean): T | [T, T] {
  const opts = { stride, padding, dilation, ceilMode, returnIndices };
  checkTensor(x, 'max_pool3d');
  if (x.ndim !== 4 && x.ndim !== 5) throw new TorchError(`non-empty 4D or 5D (batch mode) tensor expected for input, but got: ${shp(x.shape)}`);
  const k = tripleOf(kernelSize, 'kernel_size', 'max_pool3d');
  const s = opts.stride === undefined || opts.stride === null || (Array.isArray(opts.stride) && opts.stride.length === 0) ? k.slice() : tripleOf(opts.stride, 'stride', 'max_pool3d');
  const p = tripleOf(opts.padding ?? 0, 'padding', 'max_pool3d'), d = tripleOf(opts.dilation ?? 1, 'dilation', 'max_pool3d');
  if (k.some((v) => v <= 0)) throw new TorchError(`kernel_size must be greater than zero, but got kT: ${k[0]} kH: ${k[1]} kW: ${k[2]}`);
  if (s.some((v) => v <= 0)) throw new TorchError(`stride should be greater than zero, but got dT: ${s[0]} dH: ${s[1]} dW: ${s[2]}`);
  if (d.some((v) => v <= 0)) throw new TorchError(`dilation should be greater than zero, but got dilationT: ${d[0]} dilationH: ${d[1]} dilationW: ${d[2]}`);
  for (let i = 0; i < 3; i++) {
    if (p[i] < 0 || p[i] > Math.floor(k[i] / 2)) throw new TorchError(`pad should be smaller than or equal to half of kernel size, but got kT: ${k[0]} kH: ${k[1]} kW: ${k[2]} padT: ${p[0]} padW: ${p[2]} padH: ${p[1]}`);
  }
  const unb = x.ndim === 4;
  const x5 = unb ? x.unsqueeze(0) : x;
  const [N, C, D, H, W] = x5.shape;
  const ceil = !!opts.ceilMode;
  const OD = poolOut(D, k[0], p[0], s[0], d[0], ceil);
  if (OD <= 0 || poolOut(H, k[1], p[1], s[1], d[1], ceil) <= 0 || poolOut(W, k[2], p[2], s[2], d[2], ceil) <= 0) {
    throw new TorchError(`Given input size: (${C}x${D}x${H}x${W}). Calculated output size is too small`);
  }
  const xr = x5.reshape([N * C, D, H, W]);
  // the 2-d kernel over (h, w) of every depth slice, then the depth windows
  const pos = noGrad(() => {
    const [v2, i2] = maxPool2d(xr, [k[1], k[2]], [s[1], s[2]], [p[1], p[2]], [d[1], d[2]], ceil, true) as [T, T];
    const p2 = i2.add(arange(D, { device: x.device }).mul(H * W).reshape([1, D, 1, 1]));
    const windows: number[][] = [];
    for (let o = 0; o < OD; o++) {
      const w: number[] = [];
      for (let j = 0; j < k[0]; j++) { const z = o * s[0] - p[0] + j * d[0]; if (z >= 0 && z < D) w.push(z); }
      windows.push(w);
    }
    return scanAxis(v2, p2, 1, windows).pos;
  });
  const [, , OH, OW] = pos.shape;
  let out = pick(xr.reshape([N * C, D * H * W]), pos, [N, C, OD, OH, OW], 'MaxPool3DWithIndicesBackward0');
  let idx = pos.reshape([N, C, OD, OH, OW]);
  if (unb) { out = out.squeeze(0); idx = idx.squeeze(0); }
  return opts.returnIndices ? [out, idx] : out;
}

type OutSize = number | null | readonly (number | null)[];
function adaptiveMax(x: T, nd: number, outputSize: OutSize, returnIndices: boolean, op: string, name: string): T | [T, T] {
  checkTensor(x, op);
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) throw new TorchError(`${op}(): Expected ${nd + 1}D or ${nd + 2}D tensor, but got ${shp(x.shape)}`);
  const sp = x.shape.slice(-nd);
  const os0 = Array.isArray(outputSize) ? outputSize : Array(nd).fill(outputSize);
  if (os0.length !== nd) throw new TorchError(`${op}(): internal error: output_size.size() must be ${nd}`);
  const os = os0.map((o, i) => (o === null || o === undefined ? sp[i] : o));
  if (!os.every((o) => Number.isInteger(o) && o >= 0)) throw new TorchError(`${op}(): elements of output_size must be greater than or equal to 0 but received ${shp(os)}`);
  for (let i = x.ndim - nd; i < x.ndim; i++) if (x.shape[i] === 0) throw new TorchError(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${shp(x.shape)} with dimension ${i} being empty`);
  if (!isFloating(x.dtype)) throw new TorchError(`"${op}" not implemented for '${x.dtype}'`);
  const lead = x.shape.slice(0, -nd);
  if (nd === 2 && os.every((o, i) => o > 0 && sp[i] % o === 0)) {
    // evenly dividing windows are a plain max pool (native kernel, same pick rule)
    return maxPool2d(x, [sp[0] / os[0], sp[1] / os[1]], null, 0, 1, false, returnIndices);
  }
  const B = lead.reduce((a, b) => a * b, 1);
  const S = sp.reduce((a, b) => a * b, 1);
  const xb = x.reshape([B, ...sp]);
  const pos = noGrad(() => {
    let val = xb;
    let p = arange(S, { device: x.device }).reshape([1, ...sp]).expand([B, ...sp]);
    for (let a = nd - 1; a >= 0; a--) ({ val, pos: p } = scanAxis(val, p, a + 1, adaptiveWindows(sp[a], os[a])));
    return p;
  });
  const out = pick(xb.reshape([B, S]), pos, [...lead, ...os], name);
  const idx = pos.reshape([...lead, ...os]);
  return returnIndices ? [out, idx] : out;
}
export function adaptiveMaxPool1d(x: T, outputSize: OutSize, returnIndices: boolean): T | [T, T] {
  return adaptiveMax(x, 1, outputSize, returnIndices, 'adaptive_max_pool1d', 'AdaptiveMaxPool2DBackward0');
}
export function adaptiveMaxPool2d(x: T, outputSize: OutSize, returnIndices: boolean): T | [T, T] {
  return adaptiveMax(x, 2, outputSize, returnIndices, 'adaptive_max_pool2d', 'AdaptiveMaxPool2DBackward0');
}
export function adaptiveMaxPool3d(x: T, outputSize: OutSize, returnIndices: boolean): T | [T, T] {
  return adaptiveMax(x, 3, outputSize, returnIndices, 'adaptive_max_pool3d', 'AdaptiveMaxPool3DBackward0');
}
