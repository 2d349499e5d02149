// print.ts - tensor printing as PyTorch's torch/_tensor_str.py (1.13): the _Formatter's choice of integer, fixed or
// scientific notation from the nonzero finite values (of the summarised data when numel > threshold), the common
// width, rows wrapped at `linewidth`, summarisation with `edgeitems` per dimension, and the suffixes (device, dtype,
// size of an empty tensor, grad_fn / requires_grad) wrapped as _add_suffixes does. torch.setPrintoptions and
// getPrintoptions as PyTorch's set_printoptions (and 2.x's get_printoptions). Numbers are formatted as Python's
// '{:.Nf}' / '{:.Ne}' do: correctly rounded from the exact binary value, ties to even (JavaScript's toFixed rounds ties
// away from zero: 0.15625.toFixed(4) is '0.1563', Python's '0.1562').
import { TorchError } from './errors';

export interface PrintOptions { precision: number; threshold: number; edgeitems: number; linewidth: number; sciMode: boolean | null }
const DEFAULTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };
export const PRINT_OPTS: PrintOptions = { ...DEFAULTS };

export interface SetPrintOptions {
  precision?: number | null; threshold?: number | null; edgeitems?: number | null; linewidth?: number | null;
  profile?: 'default' | 'short' | 'full' | null; sciMode?: boolean | null;
}
/** torch.setPrintoptions({ precision, threshold, edgeitems, linewidth, profile, sciMode }): as PyTorch 1.13's
 *  set_printoptions (a profile first, then the named options; sciMode is set whatever it is, so leaving it out resets
 *  it to automatic, as PyTorch does) */
export function setPrintoptions(opts: SetPrintOptions = {}): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError('setPrintoptions(): expected an options object');
  const known = ['precision', 'threshold', 'edgeitems', 'linewidth', 'profile', 'sciMode'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new TypeError(`setPrintoptions() got an unexpected keyword argument '${k}'`);
  const int = (k: keyof SetPrintOptions, v: unknown, inf = false): number => {
    if (typeof v !== 'number' || Number.isNaN(v) || (!Number.isInteger(v) && !(inf && v === Infinity)) || v < 0) throw new TorchError(`setPrintoptions(): ${k} must be a non-negative integer${inf ? ' or Infinity' : ''}, got ${String(v)}`);
    return v;
  };
  if (opts.profile !== undefined && opts.profile !== null) {
    if (opts.profile === 'default') Object.assign(PRINT_OPTS, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
    else if (opts.profile === 'short') Object.assign(PRINT_OPTS, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
    else if (opts.profile === 'full') Object.assign(PRINT_OPTS, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
    else throw new TorchError(`setPrintoptions(): profile must be 'default', 'short' or 'full', got ${String(opts.profile)}`);
  }
  if (opts.precision !== undefined && opts.precision !== null) PRINT_OPTS.precision = int('precision', opts.precision);
  if (opts.threshold !== undefined && opts.threshold !== null) PRINT_OPTS.threshold = int('threshold', opts.threshold, true);
  if (opts.edgeitems !== undefined && opts.edgeitems !== null) PRINT_OPTS.edgeitems = int('edgeitems', opts.edgeitems);
  if (opts.linewidth !== undefined && opts.linewidth !== null) PRINT_OPTS.linewidth = int('linewidth', opts.linewidth);
  if (opts.sciMode !== undefined && opts.sciMode !== null && typeof opts.sciMode !== 'boolean') throw new TorchError(`setPrintoptions(): sciMode must be a boolean or null, got ${String(opts.sciMode)}`);
  PRINT_OPTS.sciMode = opts.sciMode ?? null;
}
/** torch.getPrintoptions() (PyTorch 2.x): the current options */
export function getPrintoptions(): PrintOptions { return { ...PRINT_OPTS }; }

// ---- Python's float formatting --------------------------------------------------------------------------------------
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// |x| = m * 2^e exactly (x finite)
function exact(x: number): [bigint, number] {
  f64[0] = Math.abs(x);
  const lo = u32[0], hi = u32[1];
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else { m |= 1n << 52n; e = bexp - 1075; }
  return [m, e];
}
// num / den rounded half to even
function roundDiv(num: bigint, den: bigint): bigint {
  const q = num / den, r = num % den;
  const twice = 2n * r;
  if (twice > den || (twice === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}
const pow10 = (k: number): bigint => 10n ** BigInt(k);
function special(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}
/** Python's '{:.pf}'.format(x) */
export function pyFixed(x: number, p: number): string {
  const s = special(x);
  if (s !== null) return s;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const [m, e] = exact(x);
  const n = e >= 0 ? (m << BigInt(e)) * pow10(p) : roundDiv(m * pow10(p), 1n << BigInt(-e));
  const digits = n.toString().padStart(p + 1, '0');
  return sign + (p === 0 ? digits : `${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}`);
}
/** Python's '{:.pe}'.format(x) */
export function pyExp(x: number, p: number): string {
  const s = special(x);
  if (s !== null) return s;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}${p ? `0.${'0'.repeat(p)}` : '0'}e+00`;
  const [m, e] = exact(x);
  const digitsAt = (E: number): bigint => {
    const k = E - p;  // N = round(|x| / 10^k)
    let num = m, den = 1n;
    if (e >= 0) num <<= BigInt(e); else den <<= BigInt(-e);
    if (k >= 0) den *= pow10(k); else num *= pow10(-k);
    return roundDiv(num, den);
  };
  let E = Math.floor(Math.log10(Math.abs(x)));
  let n = digitsAt(E);
  if (n >= pow10(p + 1)) { E += 1; n = digitsAt(E); }
  else if (n < pow10(p)) { E -= 1; n = digitsAt(E); }
  if (n >= pow10(p + 1)) { E += 1; n = digitsAt(E); }
  const d = n.toString();
  const mant = p === 0 ? d : `${d[0]}.${d.slice(1)}`;
  return `${sign}${mant}e${E < 0 ? '-' : '+'}${String(Math.abs(E)).padStart(2, '0')}`;
}

// ---- the formatter and the layout -----------------------------------------------------------------------------------
type V = number | boolean;
interface Formatter { width: number; format(v: V): string }
function makeFormatter(vals: readonly V[], floating: boolean): Formatter {
  const P = PRINT_OPTS.precision;
  let width = 1, intMode = true, sci = false;
  if (!floating) {
    const str = (v: V): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
    for (const v of vals) width = Math.max(width, str(v).length);
    return { width, format: (v) => { const r = str(v); return ' '.repeat(Math.max(0, width - r.length)) + r; } };
  }
  const nz = (vals as number[]).filter((v) => Number.isFinite(v) && v !== 0);
  if (nz.length) {
    let mn = Infinity, mx = 0;
    for (const v of nz) { const a = Math.abs(v); if (a < mn) mn = a; if (a > mx) mx = a; }
    intMode = nz.every((v) => v === Math.ceil(v));
    if (intMode) {
      if (mx / mn > 1000 || mx > 1e8) { sci = true; for (const v of nz) width = Math.max(width, pyExp(v, P).length); }
      else for (const v of nz) width = Math.max(width, pyFixed(v, 0).length + 1);
    } else if (mx / mn > 1000 || mx > 1e8 || mn < 1e-4) {
      sci = true; for (const v of nz) width = Math.max(width, pyExp(v, P).length);
    } else for (const v of nz) width = Math.max(width, pyFixed(v, P).length);
  }
  if (PRINT_OPTS.sciMode !== null) sci = PRINT_OPTS.sciMode;
  return {
    width,
    format: (v) => {
      const x = v as number;
      let r: string;
      if (sci) r = pyExp(x, P);
      else if (intMode) { r = pyFixed(x, 0); if (Number.isFinite(x)) r += '.'; }
      else r = pyFixed(x, P);
      return ' '.repeat(Math.max(0, width - r.length)) + r;
    },
  };
}

/** PyTorch's repr body and suffixes for a tensor's values in C order */
export function formatValues(vals: readonly V[], shape: readonly number[], floating: boolean, suffixes: string[]): string {
  const O = PRINT_OPTS, edge = O.edgeitems;
  const prefix = 'tensor(', indent = prefix.length;
  const n = vals.length;
  let body: string;
  if (n === 0) body = '[]';
  else {
    const summarize = n > O.threshold;
    const strides: number[] = [];
    let acc = 1;
    for (let d = shape.length - 1; d >= 0; d--) { strides[d] = acc; acc *= shape[d]; }
    // the indices shown along a dimension (null: the '...' of a summarised one)
    const shown = (size: number): (number | null)[] => {
      if (summarize && size > 2 * edge) {
        const a: (number | null)[] = [];
        for (let i = 0; i < edge; i++) a.push(i);
        a.push(null);
        for (let i = size - edge; i < size; i++) a.push(i);
        return a;
      }
      return Array.from({ length: size }, (_, i) => i);
    };
    // the formatter sees the summarised data only (get_summarized_data)
    const sample: V[] = [];
    const collect = (d: number, off: number): void => {
      if (d === shape.length) { sample.push(vals[off]); return; }
      for (const i of shown(shape[d])) if (i !== null) collect(d + 1, off + i * strides[d]);
    };
    if (summarize) collect(0, 0);
    const fmt = makeFormatter(summarize ? sample : vals, floating);
    const vec = (off: number, size: number, ind: number): string => {
      const elemLen = fmt.width + 2;
      const perLine = Math.max(1, Math.floor((O.linewidth - ind) / elemLen));
      let data: string[];
      if (summarize && !edge) data = ['...'];
      else data = shown(size).map((i) => (i === null ? ' ...' : fmt.format(vals[off + i * strides[strides.length - 1]])));
      const lines: string[] = [];
      for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
      return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
    };
    const rec = (d: number, off: number, ind: number): string => {
      if (d === shape.length - 1) return vec(off, shape[d], ind);
      const dim = shape.length - d;
      const slices = shown(shape[d]).map((i) => (i === null ? '...' : rec(d + 1, off + i * strides[d], ind + 1)));
      return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(ind + 1)) + ']';
    };
    body = shape.length === 0 ? fmt.format(vals[0]) : rec(0, 0, indent);
  }
  // _add_suffixes: a suffix that would pass linewidth goes on its own line
  let s = prefix + body;
  let last = s.length - s.lastIndexOf('\n') + 1;
  for (const suf of suffixes) {
    if (last + suf.length + 2 > O.linewidth) { s += ',\n' + ' '.repeat(indent) + suf; last = indent + suf.length; }
    else { s += ', ' + suf; last += suf.length + 2; }
  }
  return s + ')';
}
