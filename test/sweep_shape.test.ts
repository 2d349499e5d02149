// sweep_shape.test.ts - replays test/ref/sweep_shape.json (test/ref/gen_sweep_shape.py: PyTorch 1.13 over the shape,
// indexing and creation ops and nn.functional, every dtype, edge shapes, non-contiguous inputs) in nodetorch and
// compares each outcome: dtype, shape, values, stride(), isContiguous(), whether the result shares the first input's
// storage (a view or a copy), or PyTorch's refusal (a TorchError here; a TypeError where PyTorch's is one).
import * as torch from '../lib/index';

type T = torch.Tensor;
interface InRef { d: string; s: number[]; v: (number | boolean | string)[]; p?: number[] }
interface TRef { d: string; s: number[]; v: (number | boolean | string)[]; part?: number; st: number[]; ct: boolean; vw?: boolean }
type Out = TRef | { $l: Out[] } | { $n: number | string } | { $b: boolean };
interface Case {
  n: string; c: string; js: { f: string; a: unknown[]; o?: Record<string, unknown> }; i: InRef[];
  e?: Out; w?: TRef; after?: Record<string, (number | boolean | string)[]>; err?: string; rnd?: [number, number]; nv?: boolean; tol?: { rtol: number; atol: number }; later?: string; note?: string;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/sweep_shape.json') as { cases: Case[] };

// Where nodetorch deliberately differs from PyTorch 1.13 (README), by case name prefix, with the reason; the case
// then checks what nodetorch does instead (`check`), so it still fails if that changes.
const DELIBERATE: { match: (c: Case) => boolean; why: string; check?: (c: Case, got: unknown) => void; throws?: string }[] = [
  {
    match: (c) => c.n.startsWith('torch.squeeze') && JSON.stringify(c.js.a[1]) === '[0,2]',
    why: 'a list of dims for squeeze is PyTorch 2.0 (1.13 refuses it); nodetorch follows the later PyTorch',
    check: (c, got) => { expect((got as T).shape).toEqual([2]); },
  },
  {
    match: (c) => c.n.startsWith('torch.diag[') && c.js.a[1] === -5,
    why: "PyTorch 1.13 overflows computing an empty diagonal's size (numel: integer multiplication overflow); nodetorch returns it empty, as torch.diagonal",
    check: (c, got) => { expect((got as T).shape).toEqual([0]); },
  },
  {
    match: (c) => c.js.f === 'm.index' && c.i.some((r, k) => k > 0 && r.d === 'int32'),
    why: 'int32 index tensors: PyTorch >= 2.0 takes them (1.13 refuses), as nodetorch',
    check: (c, got) => { expect((got as T).shape).toEqual([2, 4]); },
  },
  {
    match: (c) => c.js.f === 'm.index' && c.js.a.filter((a) => a === '...').length > 1,
    why: 'several ellipses: PyTorch >= 2.0 refuses them (1.13 takes them), as nodetorch',
    throws: 'single ellipsis',
  },
  {
    match: (c) => c.js.f === 'torch.where' && c.i.length === 3 && c.i.every((r) => r.p),
    why: "elementwise results keep their inputs' layout only when it is channels-last (README, Memory format); PyTorch's TensorIterator also keeps a transposed one",
    check: (c, got) => { expect((got as T).isContiguous()).toBe(true); expect((got as T).shape).toEqual((c.e as TRef).s); },
  },
  {
    match: (c) => c.js.f === 'F.pad' && JSON.stringify(c.js.o ?? {}).includes('circular') && c.i[0].s.length === (c.js.a[1] as number[]).length / 2 + 1,
    why: 'circular padding of an unbatched input: PyTorch >= 2.0 takes it (1.13 refuses), as nodetorch',
    check: (c, got) => { expect((got as T).shape).toEqual([2, 5]); },
  },
  {
    match: (c) => c.n === 'tensor([-0.0])',
    why: "an integral JS number is an integer (API.md), -0 included: JavaScript cannot tell 0.0 from 0 and -4 % 2 is -0, so tensor([-0]) is int64 (PyTorch's -0.0 literal is a float)",
    check: (c, got) => { expect((got as T).dtype).toBe('int64'); },
  },
  {
    match: (c) => (c.js.f === 'torch.maskedFill' || c.js.f === 'torch.where') && c.i.some((r) => r.d === 'float32') && (c.js.f === 'torch.where' ? c.i.length === 3 && c.i[0].d === 'float32' : c.i[1].d === 'float32'),
    why: 'a float mask: PyTorch >= 2.0 refuses it (1.13 takes it with a warning), as nodetorch',
    throws: 'bool',
  },
  {
    match: (c) => c.js.f === 'torch.logspace' && JSON.stringify(c.js.o ?? {}).includes('float16'),
    why: 'float16 logspace on the CPU: PyTorch >= 2.1 has the kernel (1.13 refuses), as nodetorch',
    check: (c, got) => { expect((got as T).tolist()).toEqual([1, 10, 100]); },
  },
  {
    match: (c) => (c.js.f === 'F.normalize' || c.js.f === 'F.cosineSimilarity') && c.i[0].d === 'float16' && c.i[0].v.length > 0 && c.i[0].v.slice(0, 3).every((v) => v === 0),
    why: "an all-zero row in float16: 1.13's CPU has no float16 clamp_min (the reference is float32's, 0); in float16 eps=1e-12 is 0 and the row is 0/0 = NaN, as PyTorch's CUDA",
    check: (c, got) => { expect(Number.isNaN(flat(got as T)[0])).toBe(true); },
  },
];

const dec = (v: unknown): unknown => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
function build(r: InRef): T {
  const n = r.s.reduce((a, b) => a * b, 1);
  const dtype = r.d as torch.DType;
  let t = n === 0 ? torch.zeros(r.s, { dtype }) : torch.tensor(nest(r.v.map(dec), r.s) as number[], { dtype });
  if (r.p) t = t.permute(r.p);
  return t;
}
function flat(t: T): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => { if (Array.isArray(x)) x.forEach(walk); else out.push(typeof x === 'boolean' ? (x ? 1 : 0) : (x as number)); };
  walk(t.tolist());
  return out;
}
const FLOATS = ['float32', 'float64', 'float16', 'bfloat16'];
function sameValue(a: number, e: number, dtype: string, tol?: { rtol: number; atol: number }): boolean {
  if (!FLOATS.includes(dtype)) return a === e;
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  const rtol = tol?.rtol ?? (dtype === 'float64' ? 1e-9 : dtype === 'float32' ? 1e-5 : 1e-2);
  const atol = tol?.atol ?? (dtype === 'float64' ? 1e-12 : dtype === 'float32' ? 1e-6 : 1e-3);
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}
const storageOf = (t: T): string => t.dataPtr().split(':')[0];

function resolve(f: string, self: unknown): (...a: unknown[]) => unknown {
  const [ns, name] = f.split('.');
  const holder = ns === 'torch' ? torch : ns === 'F' ? torch.nn.functional : self;
  const fn = (holder as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`nodetorch has no ${f}`);
  return (ns === 'm' ? (fn as (...a: unknown[]) => unknown).bind(self) : fn) as (...a: unknown[]) => unknown;
}
function call(c: Case, ins: T[]): unknown {
  const sub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sub);
    if (v && typeof v === 'object') {
      if ('$in' in (v as object)) return ins[(v as { $in: number }).$in];
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, sub(e)]));
    }
    return dec(v);
  };
  const args = sub(c.js.a) as unknown[];
  if (c.js.o) args.push(sub(c.js.o));
  const fn = resolve(c.js.f, args[0]);
  return c.js.f.startsWith('m.') ? fn(...args.slice(1)) : fn(...args);
}
function norm(o: unknown): unknown {
  if (o instanceof torch.Tensor || typeof o === 'number' || typeof o === 'boolean') return o;
  if (Array.isArray(o)) return o.map(norm);
  if (o && typeof (o as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(o as Iterable<unknown>).map(norm);
  return o;
}

function compare(got: unknown, e: Out, c: Case, in0: T | undefined, where: string, bad: string[]): void {
  if ('$l' in e) {
    if (!Array.isArray(got)) { bad.push(`${where}: expected a list of ${e.$l.length}, got ${typeof got}`); return; }
    if (got.length !== e.$l.length) { bad.push(`${where}: expected ${e.$l.length} results, got ${got.length}`); return; }
    e.$l.forEach((ei, i) => compare(got[i], ei, c, in0, `${where}[${i}]`, bad));
    return;
  }
  if ('$n' in e) {
    const v = got instanceof torch.Tensor ? got.item() : got;
    if (typeof v !== 'number' || !sameValue(v, dec(e.$n) as number, 'float64')) bad.push(`${where}: got ${String(v)}, expected ${e.$n}`);
    return;
  }
  if ('$b' in e) { if (got !== e.$b) bad.push(`${where}: got ${String(got)}, expected ${e.$b}`); return; }
  if (!(got instanceof torch.Tensor)) { bad.push(`${where}: expected a tensor, got ${String(got)}`); return; }
  if (got.dtype !== e.d) bad.push(`${where}: dtype ${got.dtype}, expected ${e.d}`);
  if (JSON.stringify(got.shape) !== JSON.stringify(e.s)) { bad.push(`${where}: shape [${got.shape}], expected [${e.s}]`); return; }
  if (JSON.stringify(got.stride()) !== JSON.stringify(e.st)) bad.push(`${where}: stride [${got.stride()}], expected [${e.st}]`);
  if (got.isContiguous() !== e.ct) bad.push(`${where}: isContiguous ${got.isContiguous()}, expected ${e.ct}`);
  if (e.vw !== undefined && in0 && got.numel() > 0) {
    const shares = storageOf(got) === storageOf(in0);
    if (shares !== e.vw) bad.push(`${where}: ${shares ? 'a view of' : 'a copy of'} the input, expected ${e.vw ? 'a view' : 'a copy'}`);
  }
  if (c.nv) return;
  const vals = flat(got);
  if (c.rnd) {
    const [lo, hi] = c.rnd;
    const out = vals.filter((v) => !(v >= lo && v < hi));
    if (out.length) bad.push(`${where}: values outside [${lo}, ${hi}): ${out.slice(0, 5)}`);
    return;
  }
  const diffs: string[] = [];
  e.v.forEach((ev0, i) => {
    const ev = typeof ev0 === 'boolean' ? (ev0 ? 1 : 0) : (dec(ev0) as number);
    if (!sameValue(vals[i], ev, e.d, c.tol)) diffs.push(`[${i}] ${vals[i]} vs ${ev}`);
  });
  if (diffs.length) bad.push(`${where}: ${diffs.length} of ${e.v.length} values differ: ${diffs.slice(0, 6).join('; ')}`);
}

/** one case's differences from PyTorch (empty when it matches) */
export function runCase(c: Case): string[] {
  const ins = c.i.map(build);
  const deliberate = DELIBERATE.find((d) => d.match(c));
  let got: unknown, thrown: unknown = null;
  try { got = norm(call(c, ins)); } catch (e) { thrown = e; }
  if (deliberate) {
    if (deliberate.throws) return thrown instanceof torch.TorchError && String(thrown).includes(deliberate.throws) ? [] : [`(deliberate: ${deliberate.why}) expected a TorchError '${deliberate.throws}', got ${String(thrown ?? got)}`];
    if (thrown) return [`(deliberate: ${deliberate.why}) threw ${String(thrown)}`];
    deliberate.check!(c, got);
    return [];
  }
  if (c.err) {
    if (thrown === null) return [`PyTorch refuses (${c.err}), nodetorch returned a result`];
    const typeErr = c.err.startsWith('TypeError');
    if (!(thrown instanceof torch.TorchError) && !(typeErr && thrown instanceof TypeError)) {
      return [`PyTorch refuses (${c.err}); nodetorch threw a ${(thrown as Error)?.constructor?.name}, not a TorchError: ${String(thrown)}`];
    }
    MESSAGES.push([c.n, c.err, (thrown as Error).message]);
    return [];
  }
  if (thrown) return [`threw ${thrown instanceof torch.TorchError ? 'TorchError' : (thrown as Error)?.constructor?.name}: ${(thrown as Error)?.message ?? String(thrown)}`];
  const bad: string[] = [];
  compare(got, c.e!, c, ins[0], 'result', bad);
  // an in-place op: its input as written (values, shape and strides)
  if (c.w) compare(ins[0], { ...c.w, vw: undefined } as TRef, c, undefined, 'input after', bad);
  // inputs PyTorch's call changed (embedding's max_norm renormalises the weight in place)
  for (const [k, v] of Object.entries(c.after ?? {})) {
    const t = ins[Number(k)];
    const got = flat(t);
    const diff = v.map((e0, i) => [got[i], typeof e0 === 'boolean' ? (e0 ? 1 : 0) : (dec(e0) as number)]).filter(([a, e]) => !sameValue(a, e, t.dtype, c.tol));
    if (diff.length) bad.push(`input ${k} after the call: ${diff.length} values differ from PyTorch's (${diff.slice(0, 4).map(([a, e]) => `${a} vs ${e}`).join('; ')})`);
  }
  return bad;
}

// SWEEP_REPORT=file: every case's differences written there as JSON (for working through them)
// (and the error messages side by side: PyTorch's, nodetorch's)
const REPORT: Record<string, string[]> = {};
const MESSAGES: [string, string, string][] = [];
afterAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (process.env.SWEEP_REPORT) require('fs').writeFileSync(process.env.SWEEP_REPORT, JSON.stringify({ diffs: REPORT, messages: MESSAGES }, null, 1));
});

const CATS = Array.from(new Set(REF.cases.map((c) => c.c)));
for (const cat of CATS) {
  describe(`sweep: ${cat}`, () => {
    for (const c of REF.cases.filter((k) => k.c === cat)) {
      test(c.n, () => {
        const bad = runCase(c);
        if (bad.length) REPORT[`${c.c}\t${c.n}`] = bad;
        if (bad.length) throw new Error(`${c.n}${c.later ? ` (1.13: ${c.later})` : ''}\n  ${bad.join('\n  ')}`);
      });
    }
  });
}

test('the sweep covers every category and dtype', () => {
  expect(CATS.sort()).toEqual(['creation', 'functional', 'index', 'shape']);
  const dts = new Set(REF.cases.flatMap((c) => c.i.map((r) => r.d)));
  for (const d of ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool']) expect(dts.has(d)).toBe(true);
  expect(REF.cases.length).toBeGreaterThan(2000);
});

// the gradients of the ops the sweep brought (composites of differentiable ops, or with their own backward), by
// finite differences in float64
describe('gradients of the added ops (gradcheck, float64)', () => {
  const r = (...shape: number[]): T => torch.randn(shape, { dtype: 'float64' }).requiresGrad_(true);
  const idx = (v: number[]): T => torch.tensor(v, { dtype: 'int64' });
  const cases: [string, () => [(...xs: T[]) => T | T[], T[]]][] = [
    ['diag (vector)', () => [(a) => torch.diag(a, 1), [r(3)]]],
    ['diag (matrix)', () => [(a) => torch.diag(a, -1), [r(3, 4)]]],
    ['diagEmbed', () => [(a) => torch.diagEmbed(a, 1, 0, 2), [r(2, 3)]]],
    ['diagflat', () => [(a) => torch.diagflat(a), [r(2, 2)]]],
    ['trace', () => [(a) => torch.trace(a), [r(3, 4)]]],
    ['rot90', () => [(a) => torch.rot90(a, 3, [0, 1]), [r(2, 3)]]],
    ['kron', () => [(a, b) => torch.kron(a, b), [r(2, 2), r(2, 3)]]],
    ['meshgrid', () => [(a, b) => torch.meshgrid(a, b, { indexing: 'xy' }), [r(2), r(3)]]],
    ['cartesianProd', () => [(a, b) => torch.cartesianProd(a, b), [r(2), r(3)]]],
    ['combinations', () => [(a) => torch.combinations(a, 2, true), [r(3)]]],
    ['dstack', () => [(a, b) => torch.dstack([a, b]), [r(2, 3), r(2, 3)]]],
    ['columnStack', () => [(a, b) => torch.columnStack([a, b]), [r(3), r(3, 2)]]],
    ['unfold (view)', () => [(a) => a.unfold(1, 2, 1), [r(2, 4)]]],
    ['repeatInterleave', () => [(a) => torch.repeatInterleave(a, idx([1, 3]), 0), [r(2, 3)]]],
    ['takeAlongDim', () => [(a) => torch.takeAlongDim(a, idx([2, 0, 1, 1, 0, 2]).reshape(3, 2), 1), [r(3, 3)]]],
    ['blockDiag', () => [(a, b) => torch.blockDiag(a, b), [r(2, 2), r(3)]]],
    ['selectScatter', () => [(a, b) => torch.selectScatter(a, b, 0, 1), [r(2, 3), r(3)]]],
    ['sliceScatter', () => [(a, b) => torch.sliceScatter(a, b, { start: 1, step: 2 }), [r(4, 3), r(2, 3)]]],
    ['diagonalScatter', () => [(a, b) => torch.diagonalScatter(a, b, 1), [r(3, 4), r(3)]]],
    ['maskedScatter', () => [(a, b) => a.maskedScatter(torch.tensor([[true, false, true], [false, true, false]]), b), [r(2, 3), r(5)]]],
    ['cdist', () => [(a, b) => torch.cdist(a, b), [r(3, 2), r(4, 2)]]],
    ['scatterReduce sum', () => [(a, b) => torch.scatterReduce(a, 1, idx([0, 0, 2, 1, 1, 1]).reshape(2, 3), b, 'sum'), [r(2, 3), r(2, 3)]]],
    ['scatterReduce mean without self', () => [(a, b) => torch.scatterReduce(a, 1, idx([0, 0, 2, 1, 1, 1]).reshape(2, 3), b, 'mean', { includeSelf: false }), [r(2, 3), r(2, 3)]]],
    ['pdist', () => [(a) => torch.nn.functional.pdist(a), [r(4, 3)]]],
    ['bicubic interpolate', () => [(a) => torch.nn.functional.interpolate(a, { size: [4, 5], mode: 'bicubic' }), [r(1, 1, 3, 3)]]],
    ['pad (reflect, one side cropped)', () => [(a) => torch.nn.functional.pad(a, [2, -1], { mode: 'reflect' }), [r(1, 2, 4)]]],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      torch.manualSeed(3);
      const [fn, ins] = make();
      expect(torch.autograd.gradcheck(fn as (...xs: T[]) => T, ins)).toBe(true);
    });
  }
});

// on a CUDA device (a GPU, or the CUDA emulator: NODETORCH_ADDON=build-emu/...), the sweep's shape and indexing cases
// whose results are tensors: the same dtype, shape and values as PyTorch's CPU answers (layouts are not compared)
const CUDA = torch.cuda.isAvailable();
(CUDA ? describe : describe.skip)('sweep on CUDA: shape and indexing values', () => {
  const pick = REF.cases.filter((c) => (c.c === 'shape' || c.c === 'index') && c.e && !c.rnd && !c.nv && !c.w && !c.after &&
    !DELIBERATE.some((d) => d.match(c)) && c.i.every((r) => r.d === 'float32' || r.d === 'int64' || r.d === 'bool'));
  for (const c of pick) {
    test(c.n, () => {
      const ins = c.i.map((r) => build(r).to('cuda'));
      const got = norm(call(c, ins));
      const toCpu = (o: unknown): unknown => (o instanceof torch.Tensor ? o.cpu() : Array.isArray(o) ? o.map(toCpu) : o);
      const strip = (e: Out): Out => ('$l' in e ? { $l: e.$l.map(strip) } : 'd' in e ? ({ ...e, st: (e as TRef).st, vw: undefined }) : e);
      const bad: string[] = [];
      const gotCpu = toCpu(got);
      // (values, dtypes and shapes; the layout checks read the CPU copies, so only those are skipped)
      const relax = (g: unknown, e: Out): void => {
        if ('$l' in e) { (e.$l).forEach((ei, i) => relax((g as unknown[])[i], ei)); return; }
        if ('d' in e && g instanceof torch.Tensor) { (e as TRef).st = g.stride(); (e as TRef).ct = g.isContiguous(); }
      };
      const e = JSON.parse(JSON.stringify(strip(c.e!))) as Out;
      relax(gotCpu, e);
      compare(gotCpu, e, c, undefined, 'cuda result', bad);
      if (bad.length) throw new Error(`${c.n}\n  ${bad.join('\n  ')}`);
    });
  }
});
