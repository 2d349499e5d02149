// sweep_ew.test.ts - replays test/ref/sweep_ew.json (test/ref/gen_sweep_ew.py: PyTorch 1.13 over every dtype and
// dtype pair, tensor / 0-d / empty / JS-number operands, broadcasting, in-place forms and the reductions) in nodetorch
// and compares each outcome: the result's dtype exactly, its shape, its values (integers and bools exactly, floats
// within the dtype's tolerance, NaN where PyTorch has NaN, the sign of infinities and of zeros), and refusals (where
// PyTorch raises, nodetorch must throw a TorchError or, for an argument of the wrong kind, a TypeError; where PyTorch
// answers, nodetorch must too). One test per category; a failure lists every case that differs.
// SWEEP_EW_REPORT=file writes every difference (of all categories) to file as JSON.
import * as fs from 'fs';
import * as torch from '../lib/index';

type T = torch.Tensor;
interface Ref { dtype: string; shape: number[]; data: (number | boolean | string)[] }
// a result: [dtype, shape, values]; several results: a list of those; a Python bool: { b }
type TRef = [string, number[], (number | boolean | string)[]];
type Out = TRef | { b: boolean } | (TRef | null)[];
// '@name': a tensor of the table, '%dtype': a dtype
type Arg = number | boolean | string | Arg[];
type Raw = [string, 'm' | 't' | 'i', Arg[], Record<string, Arg> | 0, { o?: Out; e?: string; l?: string }];
interface Case { c: string; f: string; k: 'm' | 't' | 'i'; a: Arg[]; kw?: Record<string, Arg>; out?: Out; error?: string; later?: string }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const RAW = require('./ref/sweep_ew.json') as { tensors: Record<string, Ref>; cases: Record<string, Raw[]> };
const REF = {
  tensors: RAW.tensors,
  cases: Object.entries(RAW.cases).flatMap(([c, list]) => list.map(([f, k, a, kw, r]): Case => ({
    c, f, k, a, kw: kw === 0 ? undefined : kw, out: r.o, error: r.e, later: r.l,
  }))),
};

// Where nodetorch deliberately answers otherwise, the generator records nodetorch's documented answer with a `later`
// note (README "Differences from PyTorch"; API.md: where a later PyTorch changed behaviour, follow the later one):
// - "no Half/BFloat16 kernel on PyTorch 1.13's CPU": 1.13 refuses float16 exp/log/sin/.../cumsum/softmax/median/
//   cummax/clamp/lerp/atan2 (and bfloat16 prod, aminmax over a dim) on the CPU; later PyTorch computes them, as
//   nodetorch does (in float32): the reference is PyTorch's float32 result rounded to the 16-bit dtype;
// - "mode: NaN sorts last": 1.13's mode sorts with `<`, which leaves a NaN anywhere; nodetorch counts NaN as one
//   value above +inf (as test/edges_nan.test.ts): the reference is PyTorch's mode with NaN replaced by such a value.
// - "several dims / no dim (later PyTorch)": all/any over a list of dims (PyTorch >= 2.2) and logsumexp without a dim
//   (every dim: later PyTorch's default) work; 1.13 refuses both: the reference is the same reduction done dim by dim.
const LATER = new Set(["no Half kernel on PyTorch 1.13's CPU", "no BFloat16 kernel on PyTorch 1.13's CPU", 'mode: NaN sorts last',
  'several dims / no dim (later PyTorch)']);

const dec = (v: unknown): unknown => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === '-0' ? -0 : v);
const FLOATS = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

const cache = new Map<string, T>();
function tensorOf(name: string): T {
  let t = cache.get(name);
  if (!t) {
    const r = REF.tensors[name];
    const data = r.data.map(dec) as number[];
    t = r.shape.length === 0 ? torch.tensor(data[0], { dtype: r.dtype as torch.DType })
      : r.shape.reduce((a, b) => a * b, 1) === 0 ? torch.zeros(r.shape, { dtype: r.dtype as torch.DType })
        : torch.tensor(data, { dtype: r.dtype as torch.DType }).reshape(r.shape);
    cache.set(name, t);
  }
  return t.clone();  // a fresh copy: in-place forms must not leak into later cases
}
function arg(a: Arg): unknown {
  if (Array.isArray(a)) return a.map(arg);
  if (typeof a === 'string' && a[0] === '@') return tensorOf(a.slice(1));
  if (typeof a === 'string' && a[0] === '%') return a.slice(1);
  return dec(a);
}

function call(c: Case): unknown {
  const args = c.a.map(arg);
  if (c.kw) args.push(Object.fromEntries(Object.entries(c.kw).map(([k, v]) => [camel(k), arg(v)])));
  const name = camel(c.f) + (c.k === 'i' ? '_' : '');
  if (c.k === 't') {
    const fn = (torch as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new Error(`missing torch.${name}`);
    return (fn as (...a: unknown[]) => unknown)(...args);
  }
  const self = args.shift() as T;
  const fn = (self as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`missing Tensor.${name}`);
  return (fn as (...a: unknown[]) => unknown).apply(self, args);
}

function flat(t: T): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => { if (Array.isArray(x)) x.forEach(walk); else out.push(typeof x === 'boolean' ? (x ? 1 : 0) : (x as number)); };
  walk(t.tolist());
  return out;
}
const TOL: Record<string, [number, number]> = { float64: [1e-9, 1e-12], float32: [2e-6, 1e-6], float16: [2e-3, 1e-4], bfloat16: [1.6e-2, 1e-3] };
// tolDtype: the float dtype whose tolerance applies (an out= of float64 holds a float32 computation: float32's)
function sameValue(a: number, e: number, dtype: string, tolDtype = dtype): boolean {
  if (!FLOATS.has(dtype)) return a === e;
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  if (e === 0 && a === 0) return Object.is(a, e);
  const [rtol, atol] = TOL[tolDtype];
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}
const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

// nodetorch's tuple results (values/indices, min/max) as lists
function asList(o: unknown): unknown {
  if (o instanceof torch.Tensor || typeof o !== 'object' || o === null) return o;
  const r = o as Record<string, unknown>;
  if ('values' in r && 'indices' in r) return [r.values, r.indices];
  if ('min' in r && 'max' in r) return [r.min, r.max];
  if (Array.isArray(o)) return o;
  return o;
}

const isT = (e: Out): e is TRef => Array.isArray(e) && typeof e[0] === 'string';
const LOOSER = ['bfloat16', 'float16', 'float32', 'float64'];
function compare(got: unknown, e: Out, inputs: string[] = []): string | null {
  if (!isT(e) && Array.isArray(e)) {
    const g = asList(got);
    if (!Array.isArray(g) || g.length !== e.length) return `expected ${e.length} results, got ${String(got)}`;
    for (let i = 0; i < e.length; i++) {
      if (e[i] === null) continue;  // not compared (kthvalue's index among equal values: PyTorch's pick is arbitrary)
      const d = compare(g[i], e[i], inputs);
      if (d) return `[${i}] ${d}`;
    }
    return null;
  }
  if (!isT(e)) {
    const v = got instanceof torch.Tensor ? got.item() : got;
    return v === e.b ? null : `expected ${e.b}, got ${String(v)}`;
  }
  const [dtype, shape, data] = e;
  if (!(got instanceof torch.Tensor)) return `expected a tensor, got ${typeof got}`;
  if (got.dtype !== dtype) return `dtype ${got.dtype}, expected ${dtype}`;
  if (JSON.stringify(got.shape) !== JSON.stringify(shape)) return `shape [${got.shape}], expected [${shape}]`;
  const vals = flat(got);
  const bad: string[] = [];
  const tolDtype = LOOSER.find((d) => d === dtype || inputs.includes(d)) ?? dtype;
  data.forEach((ev0, i) => {
    const ev = typeof ev0 === 'boolean' ? (ev0 ? 1 : 0) : (dec(ev0) as number);
    if (!sameValue(vals[i], ev, dtype, tolDtype)) bad.push(`[${i}] ${show(vals[i])} vs ${show(ev)}`);
  });
  return bad.length ? `values (got vs expected) ${bad.slice(0, 6).join(', ')}` : null;
}

function describeCase(c: Case): string {
  const a = c.a.map((x) => (typeof x === 'string' && x[0] === '@' ? x.slice(1) : JSON.stringify(x))).join(', ');
  const form = c.k === 't' ? `torch.${c.f}(${a})` : c.k === 'i' ? `${a.split(', ')[0]}.${c.f}_(${a.split(', ').slice(1).join(', ')})`
    : `${a.split(', ')[0]}.${c.f}(${a.split(', ').slice(1).join(', ')})`;
  return c.kw ? `${form} ${JSON.stringify(c.kw)}` : form;
}

function check(c: Case): string | null {
  let got: unknown, err: unknown = null;
  try { got = call(c); } catch (e) { err = e; }
  if (c.error !== undefined) {
    if (err === null) return `PyTorch refuses (${c.error}); nodetorch answers ${got instanceof torch.Tensor ? `a ${got.dtype} tensor` : String(got)}`;
    if (!(err instanceof torch.TorchError) && !(err instanceof TypeError)) return `threw ${(err as Error).constructor.name}: ${(err as Error).message}`;
    return null;
  }
  if (err !== null) return `PyTorch answers; nodetorch throws ${(err as Error).message.split('\n')[0].slice(0, 200)}`;
  // out= into a wider float dtype holds a computation in the inputs' dtype: their tolerance
  // (integer inputs: the default float dtype's)
  const inputs = c.c === 'out' ? c.a.filter((x): x is string => typeof x === 'string' && x[0] === '@')
    .map((x) => REF.tensors[x.slice(1)].dtype).map((d) => (FLOATS.has(d) ? d : 'float32')) : [];
  return compare(got, c.out!, inputs);
}

const byCat = new Map<string, Case[]>();
for (const c of REF.cases) {
  if (!byCat.has(c.c)) byCat.set(c.c, []);
  byCat.get(c.c)!.push(c);
}
const report: Record<string, string[]> = {};
afterAll(() => {
  if (process.env.SWEEP_EW_REPORT) fs.writeFileSync(process.env.SWEEP_EW_REPORT, JSON.stringify(report, null, 1));
});

describe('elementwise and reduction sweep against PyTorch 1.13', () => {
  test('the sweep covers the grid', () => {
    expect(REF.cases.length).toBeGreaterThan(20000);
    for (const cat of ['unary', 'arith', 'compare', 'logical', 'bitwise', 'ternary', 'reduce']) expect(byCat.get(cat)?.length ?? 0).toBeGreaterThan(100);
    // the documented differences only, and few of them
    const later = REF.cases.filter((c) => c.later !== undefined);
    for (const c of later) expect(LATER.has(c.later!)).toBe(true);
    expect(later.length).toBeLessThan(REF.cases.length / 50);
  });
  for (const [cat, cases] of byCat) {
    test(`${cat}: ${cases.length} cases`, () => {
      const diffs: string[] = [];
      for (const c of cases) {
        const d = check(c);
        if (d) diffs.push(`${describeCase(c)}: ${d}`);
      }
      report[cat] = diffs;
      expect(diffs).toEqual([]);
    });
  }
});
