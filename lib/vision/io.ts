// io.ts - torchvision.io: read/decode PNG and JPEG into uint8 [C, H, W] tensors, encode/write PNG and JPEG.
// Codecs: sharp (libvips with libjpeg-turbo/mozjpeg and libpng) when it loads, which decodes JPEG to PIL's pixels
// exactly; otherwise the pure-JavaScript pngjs and jpeg-js (see sharp.ts, and the README, "Vision").
// Channels as torchvision's ImageReadMode.UNCHANGED: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA; palette PNGs expand to
// RGB (their tRNS transparency is ignored, as torchvision's decoder does). 16-bit PNGs are scaled to 8 bits.
import * as fs from 'fs';
import * as torch from '../index';
import type { Tensor } from '../index';
import { checkKeys } from '../errors';
import * as sh from './sharp';

export type { ImageBackendInfo } from './sharp';
import { pathArg, shown, readRegularFile, readRegularFileAsync, PathLike } from '../fsutil';

const TorchError = torch.TorchError;

export const ImageReadMode = { UNCHANGED: 'UNCHANGED', GRAY: 'GRAY', GRAY_ALPHA: 'GRAY_ALPHA', RGB: 'RGB', RGB_ALPHA: 'RGB_ALPHA' } as const;
export type ImageReadModeT = keyof typeof ImageReadMode;
export interface ReadOpts { mode?: ImageReadModeT }

type Bytes = Uint8Array;

function bytesOf(data: unknown, op: string): Bytes {
  if (data instanceof torch.Tensor) {
    if (data.dtype !== 'uint8' || data.ndim !== 1) throw new TorchError(`${op}: expected a 1-D uint8 tensor of encoded bytes, got ${data.dtype} of shape [${data.shape.join(', ')}]`);
    return data.toTypedArray() as Uint8Array;
  }
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TorchError(`${op}: expected a Buffer, Uint8Array or a 1-D uint8 tensor, got ${data === null ? 'null' : typeof data}`);
}

// ---------------------------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------------------------
// paths: a string, a file: URL or a Buffer (never a file descriptor); only regular files are read
export function readFile(path: PathLike): Tensor {
  const buf = readBytes(path, 'readFile');
  return torch.frombuffer(new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
}
function readBytes(path: unknown, op: string): Buffer {
  const p = pathArg(path, op);
  return readRegularFile(p, op, (e) => new TorchError(`${op}: cannot read '${shown(p)}': ${(e as Error).message}`, { cause: e }));
}
function writeBytes(path: unknown, b: Uint8Array, op: string): void {
  const p = pathArg(path, op);
  try { fs.writeFileSync(p, b); } catch (e) { throw new TorchError(`${op}: cannot write '${shown(p)}': ${(e as Error).message}`, { cause: e }); }
}
export function writeFile(path: PathLike, data: Tensor | Uint8Array): void {
  pathArg(path, 'writeFile');
  writeBytes(path, bytesOf(data, 'writeFile'), 'writeFile');
}

// ---------------------------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------------------------
// HWC pixels with `c` channels -> uint8 [outC, H, W] under `mode` (grey from colour by 0.2989 R + 0.587 G + 0.114 B)
function toCHW(src: Uint8Array, srcStride: number, h: number, w: number, c: 1 | 2 | 3 | 4, mode: ImageReadModeT, op: string, alphaAt = c === 2 ? 1 : 3): Tensor {
  const hasColor = c >= 3, hasAlpha = c === 2 || c === 4;
  let outC: number;
  switch (mode) {
    case 'UNCHANGED': outC = c; break;
    case 'GRAY': outC = 1; break;
    case 'GRAY_ALPHA': outC = 2; break;
    case 'RGB': outC = 3; break;
    case 'RGB_ALPHA': outC = 4; break;
    default: throw new TorchError(`${op}: mode must be one of ${Object.keys(ImageReadMode).join(', ')}, got ${JSON.stringify(mode)}`);
  }
  const hw = h * w;
  const out = new Uint8Array(outC * hw);
  for (let i = 0; i < hw; i++) {
    const b = i * srcStride;
    const r = src[b], g = hasColor ? src[b + 1] : r, bl = hasColor ? src[b + 2] : r;
    const a = hasAlpha ? src[b + alphaAt] : 255;
    if (outC <= 2) {
      out[i] = hasColor ? Math.min(255, Math.round(0.2989 * r + 0.587 * g + 0.114 * bl)) : r;
      if (outC === 2) out[hw + i] = a;
    } else {
      out[i] = r; out[hw + i] = g; out[2 * hw + i] = bl;
      if (outC === 4) out[3 * hw + i] = a;
    }
  }
  return torch.frombuffer(out).view(outC, h, w);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const isPng = (b: Bytes): boolean => b.length >= 8 && PNG_MAGIC.every((v, i) => b[i] === v);
const isJpeg = (b: Bytes): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

export function decodePng(data: Tensor | Uint8Array, opts: ReadOpts = {}): Tensor {
  checkKeys('decodePng', opts, ['mode']);
  const b = bytesOf(data, 'decodePng');
  if (!isPng(b)) throw new TorchError('decodePng: the data is not a PNG image (bad signature)');
  if (sh.sharpSync()) return viaSharpSync(b, 'png', opts.mode ?? 'UNCHANGED', 'decodePng');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PNG } = require('pngjs') as typeof import('pngjs');
  let png: { width: number; height: number; data: Buffer; colorType?: number };
  try { png = PNG.sync.read(Buffer.from(b.buffer, b.byteOffset, b.byteLength)) as unknown as typeof png; } catch (e) {
    throw new TorchError(`decodePng: corrupt or unsupported PNG: ${(e as Error).message}`, { cause: e });
  }
  const ct = png.colorType ?? 6;
  // colour type bits: 1 palette, 2 colour, 4 alpha; pngjs always hands back RGBA
  const c = (ct === 3 ? 3 : ((ct & 2) ? 3 : 1) + ((ct & 4) ? 1 : 0)) as 1 | 2 | 3 | 4;
  // pick the channels out of RGBA: grey = R; grey+alpha = R, A
  const { width: w, height: h } = png;
  const rgba = png.data;
  let src: Uint8Array = rgba, stride = 4;
  if (c === 2) { src = new Uint8Array(2 * w * h); for (let i = 0; i < w * h; i++) { src[2 * i] = rgba[4 * i]; src[2 * i + 1] = rgba[4 * i + 3]; } stride = 2; }
  return toCHW(src, stride, h, w, c, opts.mode ?? 'UNCHANGED', 'decodePng');
}

// number of colour components in the JPEG's frame header (1 grey, 3 YCbCr/RGB, 4 CMYK)
function jpegComponents(b: Bytes): number {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return 3;
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; }
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return i + 9 < b.length ? b[i + 9] : 3;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) { i += 2; continue; }
    if (m === 0xda || m === 0xd9) return 3;
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return 3;
}

// ---------------------------------------------------------------------------------------------------------------
// decoding through sharp
// ---------------------------------------------------------------------------------------------------------------
// The channels torchvision returns for a file (UNCHANGED), from its header: for PNG the IHDR colour type (palette ->
// RGB, tRNS ignored), for JPEG the frame's component count (grey, or RGB for YCbCr/RGB/CMYK).
function pngHeader(b: Bytes): { c: 1 | 2 | 3 | 4; depth: number } {
  // signature (8), IHDR length (4), 'IHDR', width (4), height (4), bit depth, colour type
  if (b.length < 26 || b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) {
    throw new TorchError('decodePng: corrupt or unsupported PNG: the IHDR chunk is missing');
  }
  const ct = b[25];
  const c = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, 1 | 2 | 3 | 4>)[ct];
  if (!c) throw new TorchError(`decodePng: corrupt or unsupported PNG: colour type ${ct}`);
  return { c, depth: b[24] };
}

// Grey images are asked for as one band ('b-w'); sharp's raw output of a grey image with alpha keeps only the grey
// band, so grey + alpha comes as sRGB + alpha (grey replicated exactly) and R and A are picked out. 16-bit PNGs come
// as 16-bit samples, scaled here to round(v * 255 / 65535) as pngjs does (libvips' own 16-to-8 conversion differs).
function sharpDecodeRecipe(b: Bytes, kind: 'png' | 'jpeg'): { recipe: sh.Recipe; c: 1 | 2 | 3 | 4 } {
  if (kind === 'jpeg') {
    const c = jpegComponents(b) === 1 ? 1 : 3;
    return { recipe: { input: b, colourspace: c === 1 ? 'b-w' : undefined, out: { format: 'raw' } }, c };
  }
  const { c, depth } = pngHeader(b);
  if (depth === 16) return { recipe: { input: b, colourspace: c <= 2 ? 'grey16' : 'rgb16', depth16: true, out: { format: 'raw' } }, c };
  return { recipe: { input: b, colourspace: c === 1 ? 'b-w' : undefined, out: { format: 'raw' } }, c };
}

const MODE_CHANNELS: Record<string, number> = { GRAY: 1, GRAY_ALPHA: 2, RGB: 3, RGB_ALPHA: 4 };

function fromSharp(r: sh.RecipeResult, c: 1 | 2 | 3 | 4, mode: ImageReadModeT, op: string, depth16 = false): Tensor {
  const { width: w, height: h, channels: k } = r;
  if (r.data.length !== w * h * k * (depth16 ? 2 : 1) || (c === 4 && k !== 4) || (c === 3 && k < 3)) {
    throw new TorchError(`${op}: sharp returned ${k} channels of ${w}x${h} (${r.data.length} bytes) for a ${c}-channel image`);
  }
  if (depth16) {
    const u16 = new Uint16Array(r.data.buffer, r.data.byteOffset, r.data.length / 2);
    const u8 = new Uint8Array(u16.length);
    for (let i = 0; i < u16.length; i++) u8[i] = ((2 * u16[i] + 257) / 514) | 0; // round(v / 257), never a tie
    r = { ...r, data: u8 };
  }
  if (k === c && (mode === 'UNCHANGED' || MODE_CHANNELS[mode] === c)) {
    // the common case: the HWC pixels as they are, made CHW by one native copy
    const t = torch.frombuffer(r.data).view(h, w, c);
    return c === 1 ? t.view(1, h, w) : t.permute(2, 0, 1).contiguous();
  }
  return toCHW(r.data, k, h, w, c, mode, op, c === 2 ? k - 1 : 3);
}

function sharpFailure(e: unknown, kind: 'png' | 'jpeg', op: string): never {
  if (e instanceof sh.SharpError) throw new TorchError(`${op}: corrupt or unsupported ${kind === 'png' ? 'PNG' : 'JPEG'}: ${e.message}`, { cause: e });
  throw e;
}

function viaSharpSync(b: Bytes, kind: 'png' | 'jpeg', mode: ImageReadModeT, op: string): Tensor {
  checkMode(mode, op);
  const { recipe, c } = sharpDecodeRecipe(b, kind);
  let r: sh.RecipeResult;
  try { r = sh.runSync(recipe); } catch (e) { sharpFailure(e, kind, op); }
  return fromSharp(r, c, mode, op, recipe.depth16);
}

async function viaSharpAsync(b: Bytes, kind: 'png' | 'jpeg', mode: ImageReadModeT, op: string): Promise<Tensor> {
  checkMode(mode, op);
  const { recipe, c } = sharpDecodeRecipe(b, kind);
  let r: sh.RecipeResult;
  try { r = await sh.runAsyncWrapped(recipe); } catch (e) { sharpFailure(e, kind, op); }
  return fromSharp(r, c, mode, op, recipe.depth16);
}

function checkMode(mode: unknown, op: string): void {
  if (typeof mode !== 'string' || !Object.prototype.hasOwnProperty.call(ImageReadMode, mode)) throw new TorchError(`${op}: mode must be one of ${Object.keys(ImageReadMode).join(', ')}, got ${JSON.stringify(mode)}`);
}

export function decodeJpeg(data: Tensor | Uint8Array, opts: ReadOpts = {}): Tensor {
  checkKeys('decodeJpeg', opts, ['mode']);
  const b = bytesOf(data, 'decodeJpeg');
  if (!isJpeg(b)) throw new TorchError('decodeJpeg: the data is not a JPEG image (bad signature)');
  if (sh.sharpSync()) return viaSharpSync(b, 'jpeg', opts.mode ?? 'UNCHANGED', 'decodeJpeg');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jpeg = require('jpeg-js') as typeof import('jpeg-js');
  let img: { width: number; height: number; data: Uint8Array };
  try { img = jpeg.decode(b, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 200, maxMemoryUsageInMB: 1024 }); } catch (e) {
    throw new TorchError(`decodeJpeg: corrupt or unsupported JPEG: ${(e as Error).message}`, { cause: e });
  }
  const c = jpegComponents(b) === 1 ? 1 : 3;
  if (c === 1) {
    const g = new Uint8Array(img.width * img.height);
    for (let i = 0; i < g.length; i++) g[i] = img.data[3 * i];
    return toCHW(g, 1, img.height, img.width, 1, opts.mode ?? 'UNCHANGED', 'decodeJpeg');
  }
  return toCHW(img.data, 3, img.height, img.width, 3, opts.mode ?? 'UNCHANGED', 'decodeJpeg');
}

/** PNG or JPEG bytes -> uint8 [C, H, W], told apart by their signatures. */
export function decodeImage(data: Tensor | Uint8Array, opts: ReadOpts = {}): Tensor {
  checkKeys('decodeImage', opts, ['mode']);
  const b = bytesOf(data, 'decodeImage');
  if (isPng(b)) return decodePng(b, opts);
  if (isJpeg(b)) return decodeJpeg(b, opts);
  const head = Array.from(b.slice(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  throw new TorchError(`decodeImage: unsupported image format (only PNG and JPEG are decoded; the data starts with ${head || 'nothing'})`);
}

/** torchvision.io.read_image: a PNG or JPEG file -> uint8 [C, H, W]. */
export function readImage(path: PathLike, opts: ReadOpts = {}): Tensor {
  const buf = readBytes(path, 'readImage');
  try { return decodeImage(buf, opts); } catch (e) {
    if (e instanceof TorchError) throw new TorchError(`readImage('${shown(pathArg(path, 'readImage'))}'): ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * decodeImage without blocking: with sharp the decoding runs on libuv's threads, so several calls decode in parallel
 * (the JS codecs decode on this thread).
 */
export async function decodeImageAsync(data: Tensor | Uint8Array, opts: ReadOpts = {}): Promise<Tensor> {
  checkKeys('decodeImageAsync', opts, ['mode']);
  const b = bytesOf(data, 'decodeImageAsync');
  if (sh.loadSharp() && (isPng(b) || isJpeg(b))) {
    const kind = isPng(b) ? 'png' : 'jpeg';
    return viaSharpAsync(b, kind, opts.mode ?? 'UNCHANGED', kind === 'png' ? 'decodePng' : 'decodeJpeg');
  }
  return decodeImage(b, opts);
}

/** readImage with a non-blocking file read and decode (for datasets read by `for await` DataLoaders). */
export async function readImageAsync(path: PathLike, opts: ReadOpts = {}): Promise<Tensor> {
  const p = pathArg(path, 'readImageAsync');
  const buf = await readRegularFileAsync(p, 'readImageAsync', (e) => new TorchError(`readImageAsync: cannot read '${shown(p)}': ${(e as Error).message}`, { cause: e }));
  try { return await decodeImageAsync(buf, opts); } catch (e) {
    if (e instanceof TorchError) throw new TorchError(`readImageAsync('${shown(p)}'): ${e.message}`, { cause: e });
    throw e;
  }
}

/** Which codec decodes and encodes: 'sharp' (libvips; JPEG pixels as PIL's) or 'js' (pngjs + jpeg-js), and why. */
export function imageBackend(): sh.ImageBackendInfo { return sh.backendInfo(); }

/** Chooses the codec for this thread: 'js' always works; 'sharp' throws a TorchError when sharp cannot load. */
export function setImageBackend(backend: 'sharp' | 'js'): void { sh.setBackend(backend); }

// ---------------------------------------------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------------------------------------------
function imageBytes(t: unknown, op: string, allowed: number[]): { hwc: Uint8Array; c: number; h: number; w: number } {
  if (!(t instanceof torch.Tensor)) throw new TorchError(`${op}: expected a uint8 Tensor [C, H, W], got ${t === null ? 'null' : typeof t}`);
  if (t.dtype !== 'uint8') throw new TorchError(`${op}: expected a uint8 tensor, got ${t.dtype} (for a float image in [0, 1] use utils.saveImage, or convert with img.mul(255).round().clamp(0, 255).to('uint8'))`);
  const img = t.ndim === 2 ? t.unsqueeze(0) : t;
  if (img.ndim !== 3) throw new TorchError(`${op}: expected a [C, H, W] (or [H, W]) tensor, got shape [${t.shape.join(', ')}]`);
  const [c, h, w] = img.shape;
  if (!allowed.includes(c)) throw new TorchError(`${op}: the number of channels should be ${allowed.join(', ')}, got: ${c}`);
  if (h === 0 || w === 0) throw new TorchError(`${op}: cannot encode an empty ${h}x${w} image`);
  const hwc = img.cpu().permute(1, 2, 0).contiguous().toTypedArray() as Uint8Array;
  return { hwc, c, h, w };
}

function encodeViaSharp(recipe: sh.Recipe, op: string): Buffer {
  let r: sh.RecipeResult;
  try { r = sh.runSync(recipe); } catch (e) {
    if (e instanceof sh.SharpError) throw new TorchError(`${op}: sharp failed: ${e.message}`, { cause: e });
    throw e;
  }
  return Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
}

/** uint8 [C, H, W] (C = 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA) -> PNG bytes. */
export function encodePng(t: Tensor, opts: { compressionLevel?: number } = {}): Buffer {
  checkKeys('encodePng', opts, ['compressionLevel']);
  const { hwc, c, h, w } = imageBytes(t, 'encodePng', [1, 2, 3, 4]);
  const level = opts.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new TorchError(`encodePng: compressionLevel must be an integer in [0, 9], got ${level}`);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { PNG } = require('pngjs') as typeof import('pngjs');
  if (sh.sharpSync()) return encodeViaSharp({ input: hwc, raw: { width: w, height: h, channels: c }, colourspace: c <= 2 ? 'b-w' : undefined, out: { format: 'png', compressionLevel: level } }, 'encodePng');
  const colorType = ({ 1: 0, 2: 4, 3: 2, 4: 6 } as Record<number, number>)[c];
  const png = { width: w, height: h, data: Buffer.from(hwc.buffer, hwc.byteOffset, hwc.byteLength) } as unknown as import('pngjs').PNG;
  return PNG.sync.write(png, { colorType: colorType as 0 | 2 | 4 | 6, inputColorType: colorType as 0 | 2 | 4 | 6, inputHasAlpha: c === 2 || c === 4, deflateLevel: level } as import('pngjs').PNGOptions);
}

export function writePng(t: Tensor, path: PathLike, opts: { compressionLevel?: number } = {}): void {
  pathArg(path, 'writePng');
  writeBytes(path, encodePng(t, opts), 'writePng');
}

/** uint8 [C, H, W] (C = 1 or 3) -> JPEG bytes (baseline, 4:2:0 chroma, quality 1..100, default 75 as torchvision). */
export function encodeJpeg(t: Tensor, opts: { quality?: number } = {}): Buffer {
  checkKeys('encodeJpeg', opts, ['quality']);
  const q = opts.quality ?? 75;
  if (!Number.isInteger(q) || q < 1 || q > 100) throw new TorchError(`Image quality should be a positive number between 1 and 100, got ${q}`);
  const { hwc, c, h, w } = imageBytes(t, 'encodeJpeg', [1, 3]);
  // sharp writes a grey image as a one-component JPEG (as torchvision), jpeg-js as three equal channels
  if (sh.sharpSync()) return encodeViaSharp({ input: hwc, raw: { width: w, height: h, channels: c }, colourspace: c === 1 ? 'b-w' : undefined, out: { format: 'jpeg', quality: q } }, 'encodeJpeg');
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = hwc[i * c + (c === 1 ? 0 : k)];
    rgba[4 * i + 3] = 255;
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const jpeg = require('jpeg-js') as typeof import('jpeg-js');
  return jpeg.encode({ data: rgba, width: w, height: h }, q).data as Buffer;
}

export function writeJpeg(t: Tensor, path: PathLike, opts: { quality?: number } = {}): void {
  pathArg(path, 'writeJpeg');
  writeBytes(path, encodeJpeg(t, opts), 'writeJpeg');
}
