// functional.ts - torchvision.transforms.functional on Tensors [..., C, H, W]: resize (nearest, bilinear, and the
// antialiased separable kernel of ATen's _upsample_bilinear2d_aa), pad, crop, centerCrop, flips, rotate/affine (the
// inverse-affine grid sampling of torchvision's functional_tensor), colour adjustments (torchvision's tensor
// formulas), normalize and dtype conversion.
//
// The pixel loops run in JavaScript on the host (an image is small; a CUDA tensor is moved to the host and back),
// computing in float64 and rounding where torchvision's float32 arithmetic rounds that decides a pixel (nearest
// indices, uint8 casts), so that results agree with torchvision's to float32 precision. Ops that are plain tensor
// arithmetic (normalize, dtype conversion, flips, crops) use tensor ops, so they keep the device and autograd.
import * as torch from '../index';
import type { Tensor, DType } from '../index';
import type { DeviceName } from '../device';

const TorchError = torch.TorchError;
const fr = Math.fround;
export type Interpolation = 'nearest' | 'bilinear';

// ---------------------------------------------------------------------------------------------------------------
// checks and host buffers
// ---------------------------------------------------------------------------------------------------------------
export function assertImage(img: unknown, op: string): Tensor {
  if (!(img instanceof torch.Tensor)) throw new TorchError(`${op}: img should be a Tensor [..., C, H, W], got ${img === null ? 'null' : typeof img}`);
  if (img.ndim < 2) throw new TorchError(`${op}: Tensor is not a torch image (expected at least 2 dimensions [..., H, W], got shape [${img.shape.join(', ')}])`);
  return img;
}

/** [C, H, W] of an image tensor (C = 1 for a [H, W] tensor), as torchvision's get_dimensions. */
export function getDimensions(img: Tensor): [number, number, number] {
  assertImage(img, 'getDimensions');
  const s = img.shape;
  return [img.ndim === 2 ? 1 : s[s.length - 3], s[s.length - 2], s[s.length - 1]];
}
export const getImageSize = (img: Tensor): [number, number] => { const [, h, w] = getDimensions(img); return [w, h]; };
export const getImageNumChannels = (img: Tensor): number => getDimensions(img)[0];

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
export const maxValue = (d: DType): number => {
  switch (d) {
    case 'uint8': return 255; case 'int8': return 127; case 'int16': return 32767; case 'int32': return 2147483647;
    case 'int64': return 9223372036854775807; case 'bool': return 1; default: return 1;
  }
};

/** The image's values as a C-order Float64Array (host copy). */
export function hostValues(t: Tensor): Float64Array {
  const a = t.toTypedArray();
  if (a instanceof Float64Array) return a;
  const out = new Float64Array(a.length);
  if (a instanceof BigInt64Array) for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  else out.set(a as ArrayLike<number>);
  return out;
}

export const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
};

/**
 * A tensor of `dtype` on `device` from float64 values, casting as torchvision's _cast_squeeze_out does: integer
 * outputs are rounded half-to-even (torch.round) when `round`, else truncated (Tensor.to), then wrap as C casts do.
 */
export function fromValues(v: Float64Array, shape: number[], dtype: DType, device: torch.Device | string, round: boolean): Tensor {
  let t: Tensor;
  if (v.length === 0) t = torch.empty(shape, { dtype });
  else {
    if (dtype === 'float64') t = torch.frombuffer(v);
    else if (isFloat(dtype)) t = torch.frombuffer(Float32Array.from(v));
    else if (dtype === 'uint8' || dtype === 'bool') {
      const u = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) { const x = round ? roundHalfEven(v[i]) : Math.trunc(v[i]); u[i] = dtype === 'bool' ? (x !== 0 ? 1 : 0) : x; }
      t = torch.frombuffer(u, { dtype });
    } else {
      const f = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) f[i] = round ? roundHalfEven(v[i]) : Math.trunc(v[i]);
      t = torch.frombuffer(f);
    }
    t = t.view(shape);
    if (t.dtype !== dtype) t = t.to(dtype);
  }
  const dev = String(device);
  return dev === 'cpu' ? t : t.to(dev as DeviceName);
}

// float32 rounding for computations torchvision does in float32 (identity for float64 images)
const rounder = (dt: DType): ((x: number) => number) => (dt === 'float64' ? (x: number) => x : fr);

// ---------------------------------------------------------------------------------------------------------------
// resize
// ---------------------------------------------------------------------------------------------------------------
interface Taps { start: Int32Array; size: Int32Array; w: Float64Array; k: number }

// output pixel i along a dim reads `size[i]` input pixels from `start[i]`, weights w[i*k ...]
function tapsNearest(inSize: number, outSize: number): Taps {
  const start = new Int32Array(outSize), size = new Int32Array(outSize).fill(1), w = new Float64Array(outSize).fill(1);
  const scale = fr(inSize / outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) start[i] = i;
    else if (outSize === 2 * inSize) start[i] = i >> 1;
    else start[i] = Math.min(Math.floor(fr(i * scale)), inSize - 1);
  }
  return { start, size, w, k: 1 };
}

function tapsBilinear(inSize: number, outSize: number): Taps {
  // ATen upsample_bilinear2d, align_corners=False: src = max(scale * (i + 0.5) - 0.5, 0)
  const start = new Int32Array(outSize), size = new Int32Array(outSize), w = new Float64Array(outSize * 2);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.max(scale * (i + 0.5) - 0.5, 0);
    const x0 = Math.floor(src);
    const l1 = src - x0;
    start[i] = x0;
    if (x0 < inSize - 1) { size[i] = 2; w[2 * i] = 1 - l1; w[2 * i + 1] = l1; } else { size[i] = 1; w[2 * i] = 1; }
  }
  return { start, size, w, k: 2 };
}

// ATen _upsample_bilinear2d_aa (as PIL's ImagingResample): a triangle filter stretched by the scale when shrinking
function tapsBilinearAA(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? 1.0 * scale : 1.0;
  const invscale = scale >= 1 ? 1 / scale : 1;
  const k = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize), size = new Int32Array(outSize), w = new Float64Array(outSize * k);
  const filter = (x: number): number => { const a = Math.abs(x); return a < 1 ? 1 - a : 0; };
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) { const v = filter((j + xmin - center + 0.5) * invscale); w[i * k + j] = v; total += v; }
    if (total !== 0) for (let j = 0; j < xsize; j++) w[i * k + j] /= total;
    start[i] = xmin;
    size[i] = xsize;
  }
  return { start, size, w, k };
}

// resample planes [P, H, W] along W (axis 1) or H (axis 0), rounding to float32 in between as ATen's buffers do
function resampleW(src: Float64Array, P: number, H: number, W: number, t: Taps, ow: number, r: (x: number) => number): Float64Array {
  const out = new Float64Array(P * H * ow);
  for (let row = 0; row < P * H; row++) {
    const ib = row * W, ob = row * ow;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const st = t.start[x], n = t.size[x], wb = x * t.k;
      for (let j = 0; j < n; j++) s += src[ib + st + j] * t.w[wb + j];
      out[ob + x] = r(s);
    }
  }
  return out;
}
function resampleH(src: Float64Array, P: number, H: number, W: number, t: Taps, oh: number, r: (x: number) => number): Float64Array {
  const out = new Float64Array(P * oh * W);
  for (let p = 0; p < P; p++) {
    const ib = p * H * W, ob = p * oh * W;
    for (let y = 0; y < oh; y++) {
      const st = t.start[y], n = t.size[y], wb = y * t.k;
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += src[ib + (st + j) * W + x] * t.w[wb + j];
        out[ob + y * W + x] = r(s);
      }
    }
  }
  return out;
}

function checkInterp(interp: unknown, op: string, allowed: Interpolation[] = ['nearest', 'bilinear']): Interpolation {
  const v = interp === undefined ? 'bilinear' : interp;
  if (typeof v !== 'string' || !allowed.includes(v as Interpolation)) {
    throw new TorchError(`${op}: interpolation must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(interp)}`);
  }
  return v as Interpolation;
}

/** The [newH, newW] torchvision computes for `size` (an int matches the shorter edge, keeping the aspect ratio). */
export function computeResizedOutputSize(h: number, w: number, size: number | number[], maxSize?: number): [number, number] {
  const sz = typeof size === 'number' ? [size] : size;
  if (!Array.isArray(sz) || sz.length < 1 || sz.length > 2 || !sz.every((s) => Number.isInteger(s) && s > 0)) {
    throw new TorchError(`resize: size must be a positive integer or a list of 1 or 2 positive integers, got ${JSON.stringify(size)}`);
  }
  if (sz.length === 2) {
    if (maxSize !== undefined && maxSize !== null) throw new TorchError(`maxSize should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1; got ${JSON.stringify(size)}`);
    return [sz[0], sz[1]];
  }
  const [shortSide, longSide] = w <= h ? [w, h] : [h, w];
  let newShort = sz[0], newLong = Math.trunc(sz[0] * longSide / shortSide);
  if (maxSize !== undefined && maxSize !== null) {
    if (maxSize <= sz[0]) throw new TorchError(`maxSize = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${sz[0]}`);
    if (newLong > maxSize) { newShort = Math.trunc(maxSize * newShort / newLong); newLong = maxSize; }
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

export interface ResizeOpts { interpolation?: Interpolation; maxSize?: number; antialias?: boolean }

/** torchvision.transforms.functional.resize on a tensor. `antialias` defaults to true (torchvision >= 0.17). */
export function resize(img: Tensor, size: number | number[], opts: ResizeOpts = {}): Tensor {
  assertImage(img, 'resize');
  const interp = checkInterp(opts.interpolation, 'resize');
  const antialias = opts.antialias ?? true;
  const [, h, w] = getDimensions(img);
  const [oh, ow] = computeResizedOutputSize(h, w, size, opts.maxSize);
  if (oh === h && ow === w) return img; // as torchvision >= 0.14: nothing to do
  if (h === 0 || w === 0) throw new TorchError(`resize: cannot resize an empty image of size ${h}x${w}`);
  const P = img.numel() / (h * w);
  const r = rounder(img.dtype);
  let v = hostValues(img);
  let tw: Taps, th: Taps;
  if (interp === 'nearest') { tw = tapsNearest(w, ow); th = tapsNearest(h, oh); }
  else if (antialias) { tw = tapsBilinearAA(w, ow); th = tapsBilinearAA(h, oh); }
  else { tw = tapsBilinear(w, ow); th = tapsBilinear(h, oh); }
  // width first, then height, skipping a dim whose size does not change (an identity pass in every mode)
  // (ATen's antialiased kernel keeps the intermediate in the image dtype; the plain kernels interpolate in one go)
  const aa = interp === 'bilinear' && antialias;
  if (ow !== w) v = resampleW(v, P, h, w, tw, ow, aa || oh === h ? r : (x: number) => x);
  if (oh !== h) v = resampleH(v, P, h, ow, th, oh, r);
  const shape = img.shape.slice();
  shape[shape.length - 2] = oh;
  shape[shape.length - 1] = ow;
  return fromValues(v, shape, img.dtype, img.device, true);
}

// ---------------------------------------------------------------------------------------------------------------
// pad, crop, flips
// ---------------------------------------------------------------------------------------------------------------
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** [left, top, right, bottom] from an int, [all], [leftRight, topBottom] or [l, t, r, b] (torchvision's order). */
export function parsePadding(padding: number | number[]): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : padding;
  if (!Array.isArray(p) || ![1, 2, 4].includes(p.length) || !p.every((x) => Number.isInteger(x))) {
    throw new TorchError(`Padding must be an int or a 1, 2, or 4 element tuple of ints, not ${JSON.stringify(padding)}`);
  }
  if (p.length === 1) return [p[0], p[0], p[0], p[0]];
  if (p.length === 2) return [p[0], p[1], p[0], p[1]];
  return [p[0], p[1], p[2], p[3]];
}

function mapIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (n === 1) return 0;
  if (mode === 'reflect') {
    const period = 2 * (n - 1);
    let k = ((i % period) + period) % period;
    if (k >= n) k = period - k;
    return k;
  }
  const period = 2 * n; // symmetric: the edge pixel repeats
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

/** torchvision.transforms.functional.pad: fill (a number, or one per channel) is used in 'constant' mode. */
export function pad(img: Tensor, padding: number | number[], opts: { fill?: number | number[]; paddingMode?: PaddingMode } = {}): Tensor {
  assertImage(img, 'pad');
  const [l, t, rr, b] = parsePadding(padding);
  const mode = opts.paddingMode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) throw new TorchError('Padding mode should be either constant, edge, reflect or symmetric');
  const [c, h, w] = getDimensions(img);
  if (mode === 'reflect' && (Math.max(l, rr) >= w || Math.max(t, b) >= h)) {
    throw new TorchError(`pad: 'reflect' padding (${l}, ${t}, ${rr}, ${b}) must be less than the image size in that dimension (${h}x${w})`);
  }
  const oh = h + t + b, ow = w + l + rr;
  if (oh < 0 || ow < 0) throw new TorchError(`pad: negative padding (${l}, ${t}, ${rr}, ${b}) crops more than the image (${h}x${w})`);
  const fillArr = opts.fill === undefined ? [0] : Array.isArray(opts.fill) ? opts.fill : [opts.fill];
  if (!fillArr.every((f) => typeof f === 'number' && Number.isFinite(f))) throw new TorchError(`pad: fill must be a number or a list of numbers, got ${JSON.stringify(opts.fill)}`);
  if (fillArr.length !== 1 && fillArr.length !== c) throw new TorchError(`pad: fill has ${fillArr.length} values but the image has ${c} channels`);
  const v = hostValues(img);
  const P = img.numel() / (h * w);
  const out = new Float64Array(P * oh * ow);
  const cols = Int32Array.from({ length: ow }, (_, x) => mapIndex(x - l, w, mode));
  for (let p = 0; p < P; p++) {
    const fill = fillArr.length === 1 ? fillArr[0] : fillArr[p % c];
    for (let y = 0; y < oh; y++) {
      const sy = mapIndex(y - t, h, mode);
      const ob = (p * oh + y) * ow;
      for (let x = 0; x < ow; x++) {
        const sx = cols[x];
        out[ob + x] = sy < 0 || sx < 0 ? fill : v[(p * h + sy) * w + sx];
      }
    }
  }
  const shape = img.shape.slice();
  shape[shape.length - 2] = oh;
  shape[shape.length - 1] = ow;
  return fromValues(out, shape, img.dtype, img.device, false);
}

/** img[..., top:top+height, left:left+width]; a view when inside the image, zero-padded where it is not. */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  assertImage(img, 'crop');
  for (const [n, v] of [['top', top], ['left', left], ['height', height], ['width', width]] as [string, number][]) {
    if (!Number.isInteger(v)) throw new TorchError(`crop: ${n} must be an integer, got ${v}`);
  }
  if (height < 0 || width < 0) throw new TorchError(`crop: height and width must be non-negative, got ${height}x${width}`);
  const [, h, w] = getDimensions(img);
  const right = left + width, bottom = top + height;
  if (left < 0 || top < 0 || right > w || bottom > h) {
    const pl = Math.max(-left, 0), pt = Math.max(-top, 0), pr = Math.max(right - w, 0), pb = Math.max(bottom - h, 0);
    const y0 = Math.min(Math.max(top, 0), h), x0 = Math.min(Math.max(left, 0), w);
    const inner = img.narrow(-2, y0, Math.max(Math.min(bottom, h) - y0, 0)).narrow(-1, x0, Math.max(Math.min(right, w) - x0, 0));
    return pad(inner, [pl, pt, pr, pb], { fill: 0 });
  }
  return img.narrow(-2, top, height).narrow(-1, left, width);
}

const pyRound = roundHalfEven; // Python's round(): half to even

/** torchvision's center_crop: pads with 0 when the crop is larger than the image. */
export function centerCrop(img: Tensor, outputSize: number | number[]): Tensor {
  assertImage(img, 'centerCrop');
  const [ch, cw] = sizePair(outputSize, 'centerCrop');
  let [, h, w] = getDimensions(img);
  if (cw > w || ch > h) {
    const ltrb = [cw > w ? Math.floor((cw - w) / 2) : 0, ch > h ? Math.floor((ch - h) / 2) : 0,
      cw > w ? Math.floor((cw - w + 1) / 2) : 0, ch > h ? Math.floor((ch - h + 1) / 2) : 0];
    img = pad(img, ltrb, { fill: 0 });
    [, h, w] = getDimensions(img);
    if (cw === w && ch === h) return img;
  }
  return crop(img, pyRound((h - ch) / 2), pyRound((w - cw) / 2), ch, cw);
}

export function sizePair(size: number | number[], op: string): [number, number] {
  const s = typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 1 ? [size[0], size[0]] : size;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new TorchError(`${op}: size must be a non-negative integer or a pair [h, w] of them, got ${JSON.stringify(size)}`);
  }
  return [s[0], s[1]];
}

export const hflip = (img: Tensor): Tensor => assertImage(img, 'hflip').flip(-1);
export const vflip = (img: Tensor): Tensor => assertImage(img, 'vflip').flip(-2);

export function resizedCrop(img: Tensor, top: number, left: number, height: number, width: number, size: number | number[], opts: ResizeOpts = {}): Tensor {
  return resize(crop(img, top, left, height, width), size, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// rotate / affine: inverse affine matrix -> sampling grid -> grid_sample(zeros padding, align_corners=False)
// ---------------------------------------------------------------------------------------------------------------
/** torchvision's _get_inverse_affine_matrix (the matrix mapping output pixels back into the input). */
export function getInverseAffineMatrix(center: [number, number], angle: number, translate: [number, number], scale: number, shear: [number, number]): number[] {
  const rad = (d: number): number => (d * Math.PI) / 180;
  const rot = rad(angle), sx = rad(shear[0]), sy = rad(shear[1]);
  const [cx, cy] = center, [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((x) => x / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

// torchvision's _compute_affine_output_size (for expand=true), PIL's rounding rule included
function affineOutputSize(m: number[], w: number, h: number): [number, number] {
  const pts = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const xs = pts.map(([x, y]) => fr(fr(fr(m[0]) * fr(x)) + fr(fr(m[1]) * fr(y))) + fr(m[2]));
  const ys = pts.map(([x, y]) => fr(fr(fr(m[3]) * fr(x)) + fr(fr(m[4]) * fr(y))) + fr(m[5]));
  const tol = 1e-4;
  const cmaxx = Math.ceil(Math.trunc(fr(fr(Math.max(...xs) + w * 0.5) / tol)) * tol);
  const cminx = Math.floor(Math.trunc(fr(fr(Math.min(...xs) + w * 0.5) / tol)) * tol);
  const cmaxy = Math.ceil(Math.trunc(fr(fr(Math.max(...ys) + h * 0.5) / tol)) * tol);
  const cminy = Math.floor(Math.trunc(fr(fr(Math.min(...ys) + h * 0.5) / tol)) * tol);
  return [Math.trunc(cmaxx - cminx), Math.trunc(cmaxy - cminy)];
}

function gridTransform(img: Tensor, m: number[], ow: number, oh: number, mode: Interpolation, fill: number[] | null): Tensor {
  const [c, h, w] = getDimensions(img);
  const v = hostValues(img);
  const P = img.numel() / (h * w);
  // theta in the compute dtype (float32 unless the image is float64), rescaled as _gen_affine_grid does
  const r = rounder(img.dtype);
  const a = [r(r(m[0]) / r(0.5 * w)), r(r(m[1]) / r(0.5 * w)), r(r(m[2]) / r(0.5 * w))];
  const bb = [r(r(m[3]) / r(0.5 * h)), r(r(m[4]) / r(0.5 * h)), r(r(m[5]) / r(0.5 * h))];
  const n = oh * ow;
  const ix = new Float64Array(n), iy = new Float64Array(n);
  for (let y = 0; y < oh; y++) {
    const by = -oh * 0.5 + 0.5 + y;
    for (let x = 0; x < ow; x++) {
      const bx = -ow * 0.5 + 0.5 + x;
      const gx = r(r(r(bx * a[0]) + r(by * a[1])) + a[2]);
      const gy = r(r(r(bx * bb[0]) + r(by * bb[1])) + bb[2]);
      // grid_sample unnormalize, align_corners=False: ((g + 1) * size - 1) / 2
      ix[y * ow + x] = r(r(r(r(gx + 1) * w) - 1) / 2);
      iy[y * ow + x] = r(r(r(r(gy + 1) * h) - 1) / 2);
    }
  }
  const out = new Float64Array(P * n);
  const mask = fill ? new Float64Array(n) : null;
  for (let k = 0; k < n; k++) {
    const X = ix[k], Y = iy[k];
    if (mode === 'nearest') {
      const xi = roundHalfEven(X), yi = roundHalfEven(Y);
      const inside = xi >= 0 && xi < w && yi >= 0 && yi < h;
      if (mask) mask[k] = inside ? 1 : 0;
      for (let p = 0; p < P; p++) out[p * n + k] = inside ? v[(p * h + yi) * w + xi] : 0;
    } else {
      const x0 = Math.floor(X), y0 = Math.floor(Y), x1 = x0 + 1, y1 = y0 + 1;
      const wnw = r(r(x1 - X) * r(y1 - Y)), wne = r(r(X - x0) * r(y1 - Y)), wsw = r(r(x1 - X) * r(Y - y0)), wse = r(r(X - x0) * r(Y - y0));
      const inX0 = x0 >= 0 && x0 < w, inX1 = x1 >= 0 && x1 < w, inY0 = y0 >= 0 && y0 < h, inY1 = y1 >= 0 && y1 < h;
      if (mask) mask[k] = r((inX0 && inY0 ? wnw : 0) + (inX1 && inY0 ? wne : 0) + (inX0 && inY1 ? wsw : 0) + (inX1 && inY1 ? wse : 0));
      for (let p = 0; p < P; p++) {
        const base = p * h * w;
        let s = 0;
        if (inY0 && inX0) s += v[base + y0 * w + x0] * wnw;
        if (inY0 && inX1) s += v[base + y0 * w + x1] * wne;
        if (inY1 && inX0) s += v[base + y1 * w + x0] * wsw;
        if (inY1 && inX1) s += v[base + y1 * w + x1] * wse;
        out[p * n + k] = r(s);
      }
    }
  }
  if (fill && mask) {
    if (fill.length !== 1 && fill.length !== c) throw new TorchError(`The number of elements in 'fill' does not match the number of channels of the image (${fill.length} != ${c})`);
    for (let p = 0; p < P; p++) {
      const f = fill.length === 1 ? fill[0] : fill[p % c];
      for (let k = 0; k < n; k++) {
        const mk = mask[k];
        if (mode === 'nearest') { if (mk < 0.5) out[p * n + k] = f; }
        else out[p * n + k] = r(r(out[p * n + k] * mk) + r(r(1 - mk) * f));
      }
    }
  }
  const shape = img.shape.slice();
  shape[shape.length - 2] = oh;
  shape[shape.length - 1] = ow;
  return fromValues(out, shape, img.dtype, img.device, true);
}

function parseFill(fill: unknown, op: string): number[] | null {
  if (fill === undefined || fill === null) return null;
  const f = typeof fill === 'number' ? [fill] : fill;
  if (!Array.isArray(f) || !f.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new TorchError(`${op}: fill must be a number or a list of numbers, got ${JSON.stringify(fill)}`);
  return f as number[];
}

export interface RotateOpts { interpolation?: Interpolation; expand?: boolean; center?: [number, number] | null; fill?: number | number[] | null }

/** torchvision.transforms.functional.rotate on a tensor: counter-clockwise by `angle` degrees (nearest by default). */
export function rotate(img: Tensor, angle: number, opts: RotateOpts = {}): Tensor {
  assertImage(img, 'rotate');
  if (typeof angle !== 'number' || !Number.isFinite(angle)) throw new TorchError(`rotate: angle must be a finite number, got ${String(angle)}`);
  const interp = checkInterp(opts.interpolation ?? 'nearest', 'rotate');
  const [, h, w] = getDimensions(img);
  let centerF: [number, number] = [0, 0];
  if (opts.center) {
    if (!Array.isArray(opts.center) || opts.center.length !== 2) throw new TorchError('rotate: center must be a pair [x, y]');
    centerF = [opts.center[0] - w * 0.5, opts.center[1] - h * 0.5];
  }
  const m = getInverseAffineMatrix(centerF, -angle, [0, 0], 1, [0, 0]);
  const [ow, oh] = opts.expand ? affineOutputSize(m, w, h) : [w, h];
  return gridTransform(img, m, ow, oh, interp, parseFill(opts.fill, 'rotate'));
}

export interface AffineOpts { interpolation?: Interpolation; fill?: number | number[] | null; center?: [number, number] | null }

/** torchvision.transforms.functional.affine on a tensor (angle and shear in degrees, translate in pixels). */
export function affine(img: Tensor, angle: number, translate: [number, number], scale: number, shear: number | [number, number], opts: AffineOpts = {}): Tensor {
  assertImage(img, 'affine');
  if (!(scale > 0)) throw new TorchError('Argument scale should be positive');
  if (!Array.isArray(translate) || translate.length !== 2) throw new TorchError('Argument translate should be a sequence of length 2');
  const sh: [number, number] = typeof shear === 'number' ? [shear, 0] : [shear[0], shear[1] ?? 0];
  const interp = checkInterp(opts.interpolation ?? 'nearest', 'affine');
  const [, h, w] = getDimensions(img);
  let centerF: [number, number] = [0, 0];
  if (opts.center) centerF = [opts.center[0] - w * 0.5, opts.center[1] - h * 0.5];
  const m = getInverseAffineMatrix(centerF, angle, [translate[0], translate[1]], scale, sh);
  return gridTransform(img, m, w, h, interp, parseFill(opts.fill, 'affine'));
}

// ---------------------------------------------------------------------------------------------------------------
// colour (torchvision functional_tensor formulas; float32 arithmetic reproduced with Math.fround)
// ---------------------------------------------------------------------------------------------------------------
function assertChannels(img: Tensor, allowed: number[], op: string): number {
  const c = getDimensions(img)[0];
  if (!allowed.includes(c)) throw new TorchError(`${op}: Input image tensor permitted channel values are [${allowed.join(', ')}], but found ${c}`);
  return c;
}
// compute dtype: the image's own float dtype, float32 for integer images
const computeRound = (d: DType): ((x: number) => number) => (d === 'float64' ? (x: number) => x : fr);

function grayPlane(v: Float64Array, base: number, hw: number, out: Float64Array, ob: number, dt: DType): void {
  const r = computeRound(dt);
  const c0 = r(0.2989), c1 = r(0.587), c2 = r(0.114);
  const toInt = !isFloat(dt);
  for (let i = 0; i < hw; i++) {
    const g = r(r(r(c0 * v[base + i]) + r(c1 * v[base + hw + i])) + r(c2 * v[base + 2 * hw + i]));
    out[ob + i] = toInt ? Math.trunc(g) : g;
  }
}

/** torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B (truncated for integer images). */
export function rgbToGrayscale(img: Tensor, numOutputChannels = 1): Tensor {
  assertImage(img, 'rgbToGrayscale');
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new TorchError('num_output_channels should be either 1 or 3');
  const c = assertChannels(img, [1, 3], 'rgbToGrayscale');
  const [, h, w] = getDimensions(img);
  if (c === 1) return numOutputChannels === 3 ? img.expand(...img.shape.slice(0, -3), 3, h, w).contiguous() : img.clone();
  const v = hostValues(img);
  const hw = h * w, N = img.numel() / (3 * hw);
  const out = new Float64Array(N * numOutputChannels * hw);
  for (let n = 0; n < N; n++) {
    grayPlane(v, n * 3 * hw, hw, out, n * numOutputChannels * hw, img.dtype);
    for (let k = 1; k < numOutputChannels; k++) out.copyWithin((n * numOutputChannels + k) * hw, n * numOutputChannels * hw, (n * numOutputChannels + 1) * hw);
  }
  const shape = img.shape.slice();
  shape[shape.length - 3] = numOutputChannels;
  return fromValues(out, shape, img.dtype, img.device, false);
}

// _blend(img1, img2, ratio) = (ratio * img1 + (1 - ratio) * img2).clamp(0, bound).to(img1.dtype), img2 by plane
function blend(v: Float64Array, other: (p: number, i: number) => number, P: number, hw: number, ratio: number, dt: DType): Float64Array {
  const r = computeRound(dt);
  const bound = isFloat(dt) ? 1 : maxValue(dt);
  const ra = r(ratio), rb = r(1 - ratio);
  const out = new Float64Array(P * hw);
  const toInt = !isFloat(dt);
  for (let p = 0; p < P; p++) {
    for (let i = 0; i < hw; i++) {
      const x = r(r(ra * v[p * hw + i]) + r(rb * other(p, i)));
      const cl = Math.min(Math.max(x, 0), bound);
      out[p * hw + i] = toInt ? Math.trunc(cl) : cl;
    }
  }
  return out;
}

function checkFactor(f: unknown, name: string): number {
  if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) throw new TorchError(`${name} (${String(f)}) is not non-negative.`);
  return f;
}

export function adjustBrightness(img: Tensor, brightnessFactor: number): Tensor {
  assertImage(img, 'adjustBrightness');
  checkFactor(brightnessFactor, 'brightness_factor');
  assertChannels(img, [1, 3], 'adjustBrightness');
  const [, h, w] = getDimensions(img);
  const hw = h * w;
  const out = blend(hostValues(img), () => 0, img.numel() / hw, hw, brightnessFactor, img.dtype);
  return fromValues(out, img.shape.slice(), img.dtype, img.device, false);
}

export function adjustContrast(img: Tensor, contrastFactor: number): Tensor {
  assertImage(img, 'adjustContrast');
  checkFactor(contrastFactor, 'contrast_factor');
  const c = assertChannels(img, [3, 1], 'adjustContrast');
  const [, h, w] = getDimensions(img);
  const hw = h * w, N = img.numel() / (c * hw);
  const v = hostValues(img);
  const r = computeRound(img.dtype);
  // mean of the grayscale image (of the image itself for one channel), per image, over (C, H, W)
  const means = new Float64Array(N);
  const g = new Float64Array(hw);
  for (let n = 0; n < N; n++) {
    let s = 0;
    if (c === 3) { grayPlane(v, n * 3 * hw, hw, g, 0, img.dtype); for (let i = 0; i < hw; i++) s += g[i]; means[n] = r(s / hw); }
    else { for (let i = 0; i < hw; i++) s += v[n * hw + i]; means[n] = r(s / hw); }
  }
  const out = blend(v, (p) => means[Math.floor(p / c)], N * c, hw, contrastFactor, img.dtype);
  return fromValues(out, img.shape.slice(), img.dtype, img.device, false);
}

export function adjustSaturation(img: Tensor, saturationFactor: number): Tensor {
  assertImage(img, 'adjustSaturation');
  checkFactor(saturationFactor, 'saturation_factor');
  const c = assertChannels(img, [1, 3], 'adjustSaturation');
  if (c === 1) return img; // as torchvision (with a warning there): saturation of a grey image is a no-op
  const [, h, w] = getDimensions(img);
  const hw = h * w, N = img.numel() / (3 * hw);
  const v = hostValues(img);
  const gray = new Float64Array(N * hw);
  for (let n = 0; n < N; n++) grayPlane(v, n * 3 * hw, hw, gray, n * hw, img.dtype);
  const out = blend(v, (p, i) => gray[Math.floor(p / 3) * hw + i], N * 3, hw, saturationFactor, img.dtype);
  return fromValues(out, img.shape.slice(), img.dtype, img.device, false);
}

export function adjustHue(img: Tensor, hueFactor: number): Tensor {
  assertImage(img, 'adjustHue');
  if (typeof hueFactor !== 'number' || !(hueFactor >= -0.5 && hueFactor <= 0.5)) throw new TorchError(`hue_factor (${String(hueFactor)}) is not in [-0.5, 0.5].`);
  const c = assertChannels(img, [1, 3], 'adjustHue');
  if (c === 1) return img;
  const dt = img.dtype;
  const r = computeRound(dt);
  const [, h, w] = getDimensions(img);
  const hw = h * w, N = img.numel() / (3 * hw);
  const v = hostValues(img);
  const isU8 = dt === 'uint8';
  if (!isFloat(dt) && !isU8) throw new TorchError(`adjustHue: unsupported dtype ${dt} (expected a float or uint8 image)`);
  const out = new Float64Array(v.length);
  for (let n = 0; n < N; n++) {
    const b0 = n * 3 * hw;
    for (let i = 0; i < hw; i++) {
      let R = v[b0 + i], G = v[b0 + hw + i], B = v[b0 + 2 * hw + i];
      if (isU8) { R = fr(R / 255); G = fr(G / 255); B = fr(B / 255); }
      // _rgb2hsv
      const maxc = Math.max(R, G, B), minc = Math.min(R, G, B);
      const eqc = maxc === minc;
      const cr = r(maxc - minc);
      const s = r(cr / (eqc ? 1 : maxc));
      const crd = eqc ? 1 : cr;
      const rc = r(r(maxc - R) / crd), gc = r(r(maxc - G) / crd), bc = r(r(maxc - B) / crd);
      const hr = maxc === R ? r(bc - gc) : 0;
      const hg = maxc === G && maxc !== R ? r(r(2 + rc) - bc) : 0;
      const hb = maxc !== G && maxc !== R ? r(r(4 + gc) - rc) : 0;
      let hh = r(r(hr + hg) + hb);
      const t6 = r(r(hh / 6) + 1);
      hh = r(t6 % 1); // torch.fmod
      // (h + hue_factor) % 1.0 (Python remainder: the sign of the divisor)
      const hs = r(hh + hueFactor);
      let hn = r(hs - Math.floor(hs));
      if (hn >= 1) hn = 0;
      // _hsv2rgb
      const vv = maxc;
      const h6 = r(hn * 6);
      const ii = Math.floor(h6);
      const f = r(h6 - ii);
      const p = Math.min(Math.max(r(vv * r(1 - s)), 0), 1);
      const q = Math.min(Math.max(r(vv * r(1 - r(s * f))), 0), 1);
      const t = Math.min(Math.max(r(vv * r(1 - r(s * r(1 - f)))), 0), 1);
      const sel = ((ii % 6) + 6) % 6;
      const rgb = [[vv, t, p], [q, vv, p], [p, vv, t], [p, q, vv], [t, p, vv], [vv, p, q]][sel];
      for (let k = 0; k < 3; k++) out[b0 + k * hw + i] = isU8 ? Math.trunc(r(rgb[k] * 255)) : rgb[k];
    }
  }
  return fromValues(out, img.shape.slice(), dt, img.device, false);
}

// ---------------------------------------------------------------------------------------------------------------
// tensor-op transforms
// ---------------------------------------------------------------------------------------------------------------
/** (x - mean[c]) / std[c] per channel, as torchvision's normalize (float images only). */
export function normalize(t: Tensor, mean: number | number[], std: number | number[], opts: { inplace?: boolean } = {}): Tensor {
  assertImage(t, 'normalize');
  if (!isFloat(t.dtype)) throw new TorchError(`Input tensor should be a float tensor. Got ${t.dtype}.`);
  if (t.ndim < 3) throw new TorchError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${t.shape.join(', ')}]`);
  const m = typeof mean === 'number' ? [mean] : mean, s = typeof std === 'number' ? [std] : std;
  if (!Array.isArray(m) || !Array.isArray(s) || !m.every(Number.isFinite) || !s.every(Number.isFinite)) throw new TorchError('normalize: mean and std must be numbers or lists of numbers');
  const c = t.shape[t.ndim - 3];
  for (const [n, a] of [['mean', m], ['std', s]] as [string, number[]][]) {
    if (a.length !== 1 && a.length !== c) throw new TorchError(`normalize: ${n} has ${a.length} values but the image has ${c} channels`);
  }
  const mt = torch.tensor(m, { dtype: t.dtype, device: t.device }).view(-1, 1, 1);
  const st = torch.tensor(s, { dtype: t.dtype, device: t.device }).view(-1, 1, 1);
  if ((st.eq(0).toTypedArray() as Uint8Array).some((x) => x !== 0)) throw new TorchError(`std evaluated to zero after conversion to ${t.dtype}, leading to division by zero.`);
  if (opts.inplace) return t.sub_(mt).div_(st);
  return t.sub(mt).div(st);
}

/** torchvision's convert_image_dtype: rescales between integer ranges [0, max] and float [0, 1]. */
export function convertImageDtype(image: Tensor, dtype: DType = 'float32'): Tensor {
  assertImage(image, 'convertImageDtype');
  const src = image.dtype;
  if (src === dtype) return image;
  if (isFloat(src)) {
    if (isFloat(dtype)) return image.to(dtype);
    if ((src === 'float32' && (dtype === 'int32' || dtype === 'int64')) || (src === 'float64' && dtype === 'int64')) {
      throw new TorchError(`The cast from ${src} to ${dtype} cannot be performed safely.`);
    }
    // float -> int: x * (max + 1 - eps), truncated
    const eps = 1e-3;
    return image.mul(maxValue(dtype) + 1 - eps).to(dtype);
  }
  const inMax = maxValue(src);
  if (isFloat(dtype)) return image.to(dtype).div(inMax);
  const outMax = maxValue(dtype);
  if (src === 'bool' || dtype === 'bool') return image.to(dtype);
  // int -> int: by the ratio of the ranges (torchvision uses bit shifts; equal for these power-of-two ranges)
  if (inMax > outMax) {
    const factor = Math.floor((inMax + 1) / (outMax + 1));
    return image.div(factor, { roundingMode: 'floor' }).to(dtype);
  }
  const factor = Math.floor((outMax + 1) / (inMax + 1));
  return image.to(dtype).mul(factor);
}

/** to_dtype: a cast, rescaling the value range as convertImageDtype when `scale`. */
export function toDtype(image: Tensor, dtype: DType, opts: { scale?: boolean } = {}): Tensor {
  if (!(image instanceof torch.Tensor)) throw new TorchError('toDtype: expected a Tensor');
  return opts.scale ? convertImageDtype(image, dtype) : image.to(dtype);
}

/** A decoded picture in HWC layout, as pngjs, jpeg-js or an ImageData give one. */
export interface PixelBuffer { data: ArrayLike<number> & { length: number }; width: number; height: number; channels?: number }

const isPixelBuffer = (x: unknown): x is PixelBuffer => x !== null && typeof x === 'object' && !(x instanceof torch.Tensor) &&
  typeof (x as PixelBuffer).width === 'number' && typeof (x as PixelBuffer).height === 'number' && ArrayBuffer.isView((x as PixelBuffer).data);

/** pil_to_tensor: a PixelBuffer (HWC) -> uint8 [C, H, W]; a Tensor is returned as it is. */
export function pilToTensor(pic: Tensor | PixelBuffer): Tensor {
  if (pic instanceof torch.Tensor) return pic;
  if (!isPixelBuffer(pic)) throw new TorchError('pilToTensor: expected a Tensor or a pixel buffer { data, width, height, channels? } (HWC)');
  const { width: w, height: h } = pic;
  const c = pic.channels ?? pic.data.length / (w * h);
  if (!Number.isInteger(c) || c < 1 || c > 4 || c * w * h !== pic.data.length) {
    throw new TorchError(`pilToTensor: ${pic.data.length} values do not make a ${h}x${w} image with ${pic.channels ?? '1-4'} channels`);
  }
  const out = new Uint8Array(c * h * w);
  const d = pic.data;
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[k * h * w + i] = d[i * c + k];
  return torch.frombuffer(out).view(c, h, w);
}

/** to_tensor: uint8 images (a Tensor [..., C, H, W] or an HWC pixel buffer) -> float32 in [0, 1]; floats unchanged. */
export function toTensor(pic: Tensor | PixelBuffer): Tensor {
  const t = pilToTensor(pic);
  if (t.dtype === 'uint8') return t.to('float32').div(255);
  return t;
}
