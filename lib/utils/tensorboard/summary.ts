// summary.ts - what each SummaryWriter.add* call records, as torch/utils/tensorboard/summary.py (PyTorch 1.13)
// builds it: scalars, histograms (numpy.histogram over TensorBoard's default exponential bins, trimmed to the
// occupied range), images (PyTorch's own make_grid for batches, PNG-encoded), text and hparams plugin summaries.
import { Tensor } from '../../tensor';
import { TorchError } from '../../errors';
import { frombuffer } from '../../ops/creation';
import {
  SummaryValue, HistogramMsg, ImageMsg, PbValue, HParamInfoMsg, DT_FLOAT, DT_DOUBLE, DT_STRING, DATA_TYPE_FLOAT64,
  DATA_TYPE_STRING, encodeHParamsExperiment, encodeHParamsSessionStart, encodeHParamsSessionEnd,
} from './proto';

const describe = (x: unknown): string => (x === null ? 'null' : x instanceof Tensor ? `Tensor of shape [${x.shape.join(', ')}]` : Array.isArray(x) ? 'Array' : typeof x);

// ---------------------------------------------------------------------------------------------------------------
// scalars
// ---------------------------------------------------------------------------------------------------------------
/** A number, bigint, boolean or one-element tensor as a JS number (Python's float(x)). */
export function scalarValue(op: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
  if (v instanceof Tensor) {
    if (v.numel() !== 1) throw new TorchError(`${op}: Tensor should contain one element (0 dimensions). Was given size: ${v.numel()} and ${v.ndim} dimensions (shape [${v.shape.join(', ')}])`);
    return Number(v.detach().cpu().reshape([]).item());
  }
  throw new TorchError(`${op}: expected a number or a one-element Tensor, got ${describe(v)}`);
}

export function scalarSummary(tag: string, value: number, newStyle = false, doublePrecision = false): SummaryValue {
  if (!newStyle) return { tag, simpleValue: value };
  return {
    tag,
    tensor: doublePrecision ? { dtype: DT_DOUBLE, doubleVal: [value] } : { dtype: DT_FLOAT, floatVal: [value] },
    metadata: { pluginData: { pluginName: 'scalars' } },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// histograms
// ---------------------------------------------------------------------------------------------------------------
let defaultBinsCache: Float64Array | null = null;
/** TensorBoard's default bucket edges: ±1e-12 * 1.1^k up to 1e20, and 0 (SummaryWriter.default_bins). */
export function defaultBins(): Float64Array {
  if (defaultBinsCache) return defaultBinsCache;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  const out = new Float64Array(2 * pos.length + 1);
  for (let i = 0; i < pos.length; i++) { out[pos.length - 1 - i] = -pos[i]; out[pos.length + 1 + i] = pos[i]; }
  defaultBinsCache = out;
  return out;
}

/** Values as float64 (numpy's values.astype(float)), flattened. */
export function toFloat64(op: string, values: unknown): Float64Array {
  if (values instanceof Tensor) {
    const t = values.detach().cpu();
    return (t.dtype === 'float64' ? t.contiguous() : t.to('float64')).toTypedArray() as Float64Array;
  }
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    const a = values as ArrayLike<unknown>;
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'boolean') throw new TorchError(`${op}: values must be a Tensor or a flat array of numbers, got an element of type ${typeof x} at index ${i}`);
      out[i] = Number(x);
    }
    return out;
  }
  throw new TorchError(`${op}: values must be a Tensor or an array of numbers, got ${describe(values)}`);
}

// numpy's pairwise summation of a contiguous float64 array (8 accumulators over blocks of up to 128), so `sum`
// equals values.sum() to the last bit
function pairwiseSum(a: Float64Array, lo: number, n: number): number {
  if (n < 8) { let r = 0; for (let i = 0; i < n; i++) r += a[lo + i]; return r; }
  if (n <= 128) {
    const r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}

// numpy.histogram(values, bins=edges) for increasing edges: [e_i, e_i+1) with the last bin closed; values outside
// the edges are not counted
function countsForEdges(sorted: Float64Array, edges: ArrayLike<number>): Float64Array {
  const lower = (x: number, right: boolean): number => {
    let lo = 0, hi = sorted.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (right ? sorted[m] <= x : sorted[m] < x) lo = m + 1; else hi = m; }
    return lo;
  };
  const nb = edges.length - 1;
  const counts = new Float64Array(nb);
  let prev = lower(edges[0], false);
  for (let i = 0; i < nb; i++) {
    const cur = lower(edges[i + 1], i === nb - 1);
    counts[i] = cur - prev;
    prev = cur;
  }
  return counts;
}

// numpy.histogram(values, bins=n): n equal bins over [min, max] (widened by 0.5 each side when min == max),
// edges from numpy.linspace, indices as numpy's fast path computes them
function equalBins(values: Float64Array, n: number, lo: number, hi: number): { counts: Float64Array; edges: Float64Array } {
  let first = lo, last = hi;
  if (first === last) { first -= 0.5; last += 0.5; }
  const edges = new Float64Array(n + 1);
  const step = (last - first) / n;
  for (let i = 0; i <= n; i++) edges[i] = step === 0 ? (i / n) * (last - first) + first : i * step + first;
  if (n >= 1) edges[n] = last;
  const counts = new Float64Array(n);
  const norm = n / (last - first);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    let i = Math.trunc((v - first) * norm);
    if (i === n) i--;
    if (v < edges[i]) i--;
    else if (v >= edges[i + 1] && i !== n - 1) i++;
    counts[i]++;
  }
  return { counts, edges };
}

export type Bins = 'tensorflow' | number | ArrayLike<number> | Tensor;

/** make_histogram: the HistogramProto of `values` (torch.utils.tensorboard.summary.make_histogram). */
export function makeHistogram(op: string, values: Float64Array, bins: Bins, maxBins?: number | null): HistogramMsg {
  if (values.length === 0) throw new TorchError(`${op}: The input has no element.`);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new TorchError(`${op}: values must be finite, got ${v} at index ${i}`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let counts: Float64Array, limits: ArrayLike<number>;
  if (typeof bins === 'number') {
    if (!Number.isInteger(bins) || bins < 1) throw new TorchError(`${op}: \`bins\` must be a positive integer, got ${bins}`);
    ({ counts, edges: limits } = equalBins(values, bins, min, max));
  } else {
    let edges: ArrayLike<number>;
    if (bins === 'tensorflow') edges = defaultBins();
    else if (bins instanceof Tensor) edges = toFloat64(op, bins);
    else if (Array.isArray(bins) || ArrayBuffer.isView(bins)) edges = toFloat64(op, bins);
    else throw new TorchError(`${op}: bins must be 'tensorflow', a number of bins or an increasing array of bin edges, got ${typeof bins === 'string' ? JSON.stringify(bins) : describe(bins)}`);
    if (edges.length < 2) throw new TorchError(`${op}: bins needs at least two edges, got ${edges.length}`);
    for (let i = 1; i < edges.length; i++) if (!(edges[i - 1] <= edges[i])) throw new TorchError(`${op}: \`bins\` must increase monotonically, when an array`);
    const sorted = Float64Array.from(values).sort();
    counts = countsForEdges(sorted, edges);
    limits = edges;
  }
  if (maxBins !== undefined && maxBins !== null) {
    if (!Number.isInteger(maxBins) || maxBins < 1) throw new TorchError(`${op}: maxBins must be a positive integer, got ${maxBins}`);
    if (counts.length > maxBins) {
      const sub = Math.floor(counts.length / maxBins);
      const merged = new Float64Array(Math.ceil(counts.length / sub));
      for (let i = 0; i < counts.length; i++) merged[Math.floor(i / sub)] += counts[i];
      const nl = new Float64Array(merged.length + 1);
      for (let i = 0; i < merged.length; i++) nl[i] = limits[i * sub];
      nl[merged.length] = limits[limits.length - 1];
      counts = merged;
      limits = nl;
    }
  }
  // keep the occupied range, with one empty bucket on the left so that TensorBoard (which stores right limits
  // only) still sees where the first occupied bucket starts
  let first = -1, last = -1;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) { if (first < 0) first = i; last = i; }
  if (first < 0) throw new TorchError(`${op}: every value lies outside the bins, so the histogram is empty`);
  const end = last + 1;
  const outCounts = first > 0 ? Array.from(counts.subarray(first - 1, end)) : [0, ...Array.from(counts.subarray(0, end))];
  const outLimits = Array.from({ length: end + 1 - first }, (_, i) => limits[first + i]);
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += values[i] * values[i];
  return { min, max, num: values.length, sum: pairwiseSum(values, 0, values.length), sumSquares: ss, bucketLimit: outLimits, bucket: outCounts };
}

// ---------------------------------------------------------------------------------------------------------------
// images
// ---------------------------------------------------------------------------------------------------------------
/**
 * An image tensor laid out as `dataformats` -> HWC uint8 pixels, as summary.image does: HW and one-channel
 * images become RGB, batches (N...) are tiled 8 per row by PyTorch's own make_grid (no padding, RGB only),
 * non-uint8 values are scaled by 255 in float32 and truncated (values outside [0, 255] are clamped).
 */
export function imageHWC(op: string, img: unknown, dataformats: string): { hwc: Uint8Array; h: number; w: number; c: number } {
  if (!(img instanceof Tensor)) throw new TorchError(`${op}: expected an image Tensor, got ${describe(img)}`);
  if (typeof dataformats !== 'string') throw new TorchError(`${op}: dataformats must be a string such as 'CHW', got ${typeof dataformats}`);
  const fmt = dataformats.toUpperCase();
  if (new Set(fmt).size !== fmt.length) throw new TorchError(`${op}: You can not use the same dimension shordhand twice. input_format: ${dataformats}`);
  if (img.ndim !== fmt.length) throw new TorchError(`${op}: size of input tensor and input format are different. tensor shape: [${img.shape.join(', ')}], input_format: ${dataformats}`);
  const canon = fmt.length === 4 ? 'NCHW' : fmt.length === 3 ? 'HWC' : fmt.length === 2 ? 'HW' : '';
  if (!canon || [...fmt].some((ch) => !canon.includes(ch))) throw new TorchError(`${op}: dataformats must be a permutation of NCHW, CHW/HWC or HW, got '${dataformats}' for a ${img.ndim}-D tensor`);
  const t = img.detach().cpu().permute(...[...canon].map((ch) => fmt.indexOf(ch))).contiguous();
  if (t.numel() === 0) throw new TorchError(`${op}: cannot log an empty image of shape [${img.shape.join(', ')}]`);
  let px: Uint8Array;
  if (t.dtype === 'uint8') px = t.toTypedArray() as Uint8Array;
  else {
    const f = (t.dtype === 'float32' ? t : t.to('float32')).toTypedArray() as Float32Array;
    px = new Uint8Array(f.length);
    for (let i = 0; i < f.length; i++) {
      const v = Math.fround(f[i] * 255);
      px[i] = v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
    }
  }
  const s = t.shape;
  if (canon === 'HW') {
    const [h, w] = s, hwc = new Uint8Array(h * w * 3);
    for (let i = 0; i < h * w; i++) hwc[3 * i] = hwc[3 * i + 1] = hwc[3 * i + 2] = px[i];
    return { hwc, h, w, c: 3 };
  }
  if (canon === 'HWC') {
    const [h, w, c] = s;
    if (c === 1) {
      const hwc = new Uint8Array(h * w * 3);
      for (let i = 0; i < h * w; i++) hwc[3 * i] = hwc[3 * i + 1] = hwc[3 * i + 2] = px[i];
      return { hwc, h, w, c: 3 };
    }
    if (c < 1 || c > 4) throw new TorchError(`${op}: an image needs 1, 2, 3 or 4 channels, got ${c} (shape [${img.shape.join(', ')}], dataformats '${dataformats}')`);
    return { hwc: px, h, w, c };
  }
  // NCHW batch -> one canvas, ncols = min(N, 8), tiles without padding
  const [n, c, h, w] = s;
  if (c !== 1 && c !== 3) throw new TorchError(`${op}: a batch of images needs 1 or 3 channels, got ${c} (shape [${img.shape.join(', ')}], dataformats '${dataformats}')`);
  const ncols = Math.min(n, 8), nrows = Math.ceil(n / ncols);
  const H = h * nrows, W = w * ncols;
  const hwc = new Uint8Array(H * W * 3);
  for (let k = 0; k < n; k++) {
    const y0 = Math.floor(k / ncols) * h, x0 = (k % ncols) * w;
    for (let ch = 0; ch < 3; ch++) {
      const src = (k * c + (c === 1 ? 0 : ch)) * h * w;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) hwc[((y0 + y) * W + x0 + x) * 3 + ch] = px[src + y * w + x];
    }
  }
  return { hwc, h: H, w: W, c: 3 };
}

export function imageSummary(op: string, tag: string, img: unknown, dataformats: string): SummaryValue {
  const { hwc, h, w, c } = imageHWC(op, img, dataformats);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { encodePng } = require('../../vision/io') as typeof import('../../vision/io');
  const chw = frombuffer(hwc).view(h, w, c).permute(2, 0, 1);
  const image: ImageMsg = { height: h, width: w, colorspace: c, encodedImageString: encodePng(chw) };
  return { tag, image };
}

// ---------------------------------------------------------------------------------------------------------------
// text and hparams
// ---------------------------------------------------------------------------------------------------------------
const utf8 = new TextEncoder();

export function textSummary(tag: string, text: string): SummaryValue {
  return {
    tag: `${tag}/text_summary`,
    // TextPluginData(version=0) serialises to no bytes
    metadata: { pluginData: { pluginName: 'text', content: new Uint8Array(0) } },
    tensor: { dtype: DT_STRING, shape: [1], stringVal: [utf8.encode(text)] },
  };
}

export type HParamValue = number | string | boolean | bigint | Tensor | null | undefined;

const entriesOf = (x: unknown): [string, unknown][] => (x instanceof Map ? [...x.entries()].map(([k, v]) => [String(k), v]) : Object.entries(x as object));

/** The three hparams plugin summaries: experiment, session start (the values), session end (success). */
export function hparamsSummaries(op: string, hparamDict: unknown, metricDict: unknown, domainDiscrete?: unknown): {
  experiment: SummaryValue; sessionStart: SummaryValue; sessionEnd: SummaryValue;
} {
  const isDict = (x: unknown): boolean => x instanceof Map || (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype);
  if (!isDict(hparamDict) || !isDict(metricDict)) throw new TorchError(`${op}: hparam_dict and metric_dict should be dictionary (plain objects or Maps), got ${describe(hparamDict)} and ${describe(metricDict)}`);
  const hp = entriesOf(hparamDict);
  const domain = new Map<string, unknown>();
  if (domainDiscrete !== undefined && domainDiscrete !== null) {
    if (!isDict(domainDiscrete)) throw new TorchError(`${op}: parameter: hparam_domain_discrete should be a dictionary, nothing logged.`);
    const hpMap = new Map(hp);
    for (const [k, v] of entriesOf(domainDiscrete)) {
      const cur = hpMap.get(k);
      // PyTorch compares Python types: bool and int values differ, int and float too; JS has one number type
      if (!hpMap.has(k) || !Array.isArray(v) || !v.every((d) => typeof d === typeof cur))
        throw new TorchError(`${op}: parameter: hparam_domain_discrete[${k}] should be a list of same type as hparam_dict[${k}].`);
      domain.set(k, v);
    }
  }
  const values: [string, PbValue][] = [];
  const infos: HParamInfoMsg[] = [];
  for (const [k, v0] of hp) {
    const v = v0 as HParamValue;
    if (v === null || v === undefined) continue;
    // booleans count as numbers, as in PyTorch (Python's bool is an int, tested first)
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      values.push([k, { number: Number(v) }]);
      const d = domain.get(k) as (number | boolean)[] | undefined;
      infos.push({ name: k, type: DATA_TYPE_FLOAT64, domainDiscrete: d?.map((x) => ({ number: Number(x) })) });
    } else if (typeof v === 'string') {
      values.push([k, { string: v }]);
      const d = domain.get(k) as string[] | undefined;
      infos.push({ name: k, type: DATA_TYPE_STRING, domainDiscrete: d?.map((x) => ({ string: x })) });
    } else if (v instanceof Tensor) {
      if (v.numel() < 1) throw new TorchError(`${op}: hparam '${k}' is an empty Tensor`);
      values.push([k, { number: Number(v.detach().cpu().flatten().select(0, 0).item()) }]);
      infos.push({ name: k, type: DATA_TYPE_FLOAT64 });
    } else {
      throw new TorchError(`${op}: value should be one of int, float, str, bool, or torch.Tensor; hparam '${k}' is ${describe(v)}`);
    }
  }
  const metricTags = entriesOf(metricDict).map(([k]) => k);
  const md = (content: Uint8Array) => ({ pluginData: { pluginName: 'hparams', content } });
  return {
    experiment: { tag: '_hparams_/experiment', metadata: md(encodeHParamsExperiment(infos, metricTags)) },
    sessionStart: { tag: '_hparams_/session_start_info', metadata: md(encodeHParamsSessionStart(values)) },
    sessionEnd: { tag: '_hparams_/session_end_info', metadata: md(encodeHParamsSessionEnd()) },
  };
}
