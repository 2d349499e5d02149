// utils.ts - torchvision.utils.make_grid and save_image: tile a batch [B, C, H, W] into one image, optionally
// normalised to [0, 1], and write it as a PNG (or a JPEG when the path ends in .jpg/.jpeg).
import { pathStr, PathLike } from '../fsutil';
import * as torch from '../index';
import type { Tensor } from '../index';
import * as io from './io';
import { checkKeys } from '../errors';

const TorchError = torch.TorchError;

export interface MakeGridOpts {
  nrow?: number;
  padding?: number;
  normalize?: boolean;
  valueRange?: [number, number] | null;
  scaleEach?: boolean;
  padValue?: number;
}

function minMax(t: Tensor): [number, number] {
  const a = t.toTypedArray() as ArrayLike<number>;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { const v = Number(a[i]); if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/** torchvision.utils.make_grid: images laid out `nrow` per row with `padding` pixels of `padValue` between them. */
export function makeGrid(tensor: Tensor | Tensor[], opts: MakeGridOpts = {}): Tensor {
  checkKeys('makeGrid', opts, ['nrow', 'padding', 'normalize', 'valueRange', 'scaleEach', 'padValue']);
  const nrow = opts.nrow ?? 8, padding = opts.padding ?? 2, padValue = opts.padValue ?? 0;
  if (!Number.isInteger(nrow) || nrow < 1) throw new TorchError(`makeGrid: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new TorchError(`makeGrid: padding must be a non-negative integer, got ${padding}`);
  let t: Tensor;
  if (Array.isArray(tensor)) {
    if (!tensor.length || !tensor.every((x) => x instanceof torch.Tensor)) throw new TorchError('makeGrid: expected a Tensor or a non-empty list of Tensors');
    t = torch.stack(tensor, 0);
  } else if (tensor instanceof torch.Tensor) t = tensor;
  else throw new TorchError(`tensor or list of tensors expected, got ${tensor === null ? 'null' : typeof tensor}`);
  if (t.ndim === 2) t = t.unsqueeze(0);
  if (t.ndim === 3) {
    if (t.shape[0] === 1) t = torch.cat([t, t, t], 0);
    t = t.unsqueeze(0);
  }
  if (t.ndim !== 4) throw new TorchError(`makeGrid: expected a [B, C, H, W] tensor (or [C, H, W], [H, W], or a list of images), got shape [${t.shape.join(', ')}]`);
  if (t.shape[1] === 1) t = torch.cat([t, t, t], 1);
  if (opts.normalize) {
    t = t.isFloatingPoint() ? t.clone() : t.to('float32');
    const vr = opts.valueRange;
    if (vr !== undefined && vr !== null && (!Array.isArray(vr) || vr.length !== 2)) throw new TorchError('valueRange has to be a tuple (min, max) if specified. min and max are numbers');
    const normIp = (img: Tensor, low: number, high: number): void => {
      img.clamp_(low, high);
      img.sub_(low).div_(Math.max(high - low, 1e-5));
    };
    const normRange = (x: Tensor): void => { const [lo, hi] = vr ?? minMax(x); normIp(x, lo, hi); };
    if (opts.scaleEach) for (let k = 0; k < t.shape[0]; k++) normRange(t.select(0, k));
    else normRange(t);
  }
  if (t.shape[0] === 1) return t.squeeze(0);
  const nmaps = t.shape[0];
  const xmaps = Math.min(nrow, nmaps);
  const ymaps = Math.ceil(nmaps / xmaps);
  const height = t.shape[2] + padding, width = t.shape[3] + padding;
  const grid = torch.full([t.shape[1], height * ymaps + padding, width * xmaps + padding], padValue, { dtype: t.dtype, device: t.device });
  let k = 0;
  for (let y = 0; y < ymaps; y++) {
    for (let x = 0; x < xmaps; x++) {
      if (k >= nmaps) break;
      grid.narrow(1, y * height + padding, height - padding).narrow(2, x * width + padding, width - padding).copy_(t.select(0, k));
      k++;
    }
  }
  return grid;
}

/**
 * torchvision.utils.save_image: makeGrid, then pixels = clamp(x * 255 + 0.5, 0, 255) as uint8 (a uint8 input is
 * written as it is). PNG unless the path ends in .jpg / .jpeg.
 */
export function saveImage(tensor: Tensor | Tensor[], path0: PathLike, opts: MakeGridOpts & { format?: 'png' | 'jpeg' } = {}): void {
  const path = pathStr(path0, 'saveImage');
  checkKeys('saveImage', opts, ['nrow', 'padding', 'normalize', 'valueRange', 'scaleEach', 'padValue', 'format']);
  const { format, ...gridOpts } = opts;
  const grid = makeGrid(tensor, gridOpts);
  const u8 = grid.dtype === 'uint8' ? grid : grid.mul(255).add(0.5).clamp(0, 255).to('cpu').to('uint8');
  const fmt = format ?? (/\.jpe?g$/i.test(path) ? 'jpeg' : 'png');
  if (fmt === 'jpeg') io.writeJpeg(u8.shape[0] === 1 || u8.shape[0] === 3 ? u8 : u8.narrow(0, 0, 3), path);
  else io.writePng(u8, path);
}
