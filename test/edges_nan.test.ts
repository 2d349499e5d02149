// edges_nan.test.ts - NaN, ±inf and -0.0 through every op family, against PyTorch 1.13's answers recorded by
// test/ref/gen_edges.py: values (NaN equals NaN; the signs of infinities and of zeros are compared), the indices of
// max/min/sort/pool results, first-order gradients, PyTorch's refusals; arange's length with integer dtypes and
// non-integral steps; std/var gradients where every deviation is zero.
import * as torch from '../lib/index';

type T = torch.Tensor;
interface Ref { dtype: string; shape: number[]; data: (number | boolean | string)[] }
interface InRef extends Ref { rg: boolean }
type Out = Ref | { $n: number | string } | { $b: boolean } | Out[];
interface Case {
  name: string;
  js: { f: string; args?: unknown[]; opts?: Record<string, unknown>; call?: unknown[] };
  inputs: InRef[];
  expected?: Out; error?: string; grads?: (Ref | null)[];
  tol?: { rtol?: number; atol?: number }; grad_tol?: { rtol?: number; atol?: number };
  zsign?: boolean; index_any?: { dim: number; keepdim: boolean }; later?: string; note?: string;
}
interface ArangeCase { args: number[]; dtype: string | null; expected?: Ref; error?: string }
interface StdVarCase { name: string; f: 'std' | 'var'; base: Ref; expand: number[] | null; opts: Record<string, unknown>; expected: Ref; grad: Ref }
interface ModCase { name: string; args: unknown[]; opts: Record<string, unknown> | null; train: boolean; repr: string; input: Ref; expected: Out; grad: Ref; params: Record<string, Ref> }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/edges.json') as { cases: Case[]; arange: ArangeCase[]; stdvar: StdVarCase[]; modules: ModCase[] };

const dec = (v: unknown): unknown => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const decAll = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(decAll);
  if (v && typeof v === 'object' && !(v instanceof torch.Tensor)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, decAll(e)]));
  return dec(v);
};

function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
function build(r: Ref): T {
  const data = r.data.map(dec);
  const n = r.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return torch.zeros(r.shape, { dtype: r.dtype as torch.DType });
  return torch.tensor(nest(data, r.shape) as number[], { dtype: r.dtype as torch.DType });
}
function flat(t: T): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => { if (Array.isArray(x)) x.forEach(walk); else out.push(typeof x === 'boolean' ? (x ? 1 : 0) : (x as number)); };
  walk(t.tolist());
  return out;
}
const FLOATS = ['float32', 'float64', 'float16', 'bfloat16'];

// one value: NaN matches NaN, infinities and (with zsign) zeros must match in sign, the rest within tolerance
function sameValue(a: number, e: number, dtype: string, tol: { rtol?: number; atol?: number } | undefined, zsign: boolean): boolean {
  if (!FLOATS.includes(dtype)) return a === e;
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  if (e === 0 && a === 0) return !zsign || Object.is(a, e);
  const rtol = tol?.rtol ?? (dtype === 'float64' ? 1e-9 : 1e-5);
  const atol = tol?.atol ?? (dtype === 'float64' ? 1e-12 : 1e-6);
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}
function expectRef(t: unknown, e: Ref, where: string, tol?: { rtol?: number; atol?: number }, zsign = true): void {
  if (!(t instanceof torch.Tensor)) throw new Error(`${where}: expected a tensor, got ${String(t)}`);
  expect({ where, shape: t.shape, dtype: t.dtype }).toEqual({ where, shape: e.shape, dtype: e.dtype });
  const got = flat(t);
  const bad: string[] = [];
  e.data.forEach((ev0, i) => {
    const ev = typeof ev0 === 'boolean' ? (ev0 ? 1 : 0) : (dec(ev0) as number);
    if (!sameValue(got[i], ev, e.dtype, tol, zsign)) bad.push(`[${i}] got ${Object.is(got[i], -0) ? '-0' : got[i]}, expected ${Object.is(ev, -0) ? '-0' : ev}`);
  });
  if (bad.length) throw new Error(`${where}: ${bad.length} of ${e.data.length} values differ: ${bad.slice(0, 8).join('; ')}`);
}

function resolve(f: string, self: T): (...a: unknown[]) => unknown {
  const [ns, name] = f.split('.');
  const fn = ns === 'torch' ? (torch as unknown as Record<string, unknown>)[name]
    : ns === 'F' ? (torch.nn.functional as unknown as Record<string, unknown>)[name]
      : (self as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`missing ${f}`);
  return ns === 'm' ? (fn as (...a: unknown[]) => unknown).bind(self) : (fn as (...a: unknown[]) => unknown);
}

function run(c: Case, ins: T[]): unknown {
  const fn = resolve(c.js.f, ins[0]);
  const sub = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sub);
    if (v && typeof v === 'object') {
      if ('$in' in (v as object)) return ins[(v as { $in: number }).$in];
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, sub(e)]));
    }
    return dec(v);
  };
  if (c.js.call) {
    const args = sub(c.js.call) as unknown[];
    return c.js.f.startsWith('m.') ? fn(...args.slice(1)) : fn(...args);
  }
  const args = (c.js.args ?? []).map((a) => decAll(a));
  const rest = [...ins.slice(1), ...args];
  if (c.js.opts) rest.push(decAll(c.js.opts));
  return c.js.f.startsWith('m.') ? fn(...rest) : fn(ins[0], ...rest);
}

// outputs as a list of tensors / numbers (values-indices pairs and other tuples are iterable)
function norm(o: unknown): unknown {
  if (o instanceof torch.Tensor || typeof o === 'number' || typeof o === 'boolean') return o;
  if (Array.isArray(o)) return o.map(norm);
  if (o && typeof (o as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(o as Iterable<unknown>).map(norm);
  return o;
}

function compareOut(got: unknown, e: Out, c: Case, where: string): void {
  if (Array.isArray(e)) {
    expect(Array.isArray(got)).toBe(true);
    const g = got as unknown[];
    expect(g.length).toBe(e.length);
    e.forEach((ei, i) => {
      if (c.index_any && i === 1) return;  // checked by checkIndexAny
      compareOut(g[i], ei, c, `${where}[${i}]`);
    });
    return;
  }
  if ('$n' in e) { const v = got instanceof torch.Tensor ? got.item() : got; expect(sameValue(v as number, dec(e.$n) as number, 'float64', c.tol, c.zsign !== false)).toBe(true); return; }
  if ('$b' in e) { expect(got instanceof torch.Tensor ? got.item() : got).toBe(e.$b); return; }
  expectRef(got, e, where, c.tol, c.zsign !== false);
}

// (values, indices) where PyTorch's pick among equal elements is unspecified: each index must point at an element of
// the input equal to its value (NaN at NaN)
function checkIndexAny(c: Case, x: T, out: unknown[]): void {
  const { dim, keepdim } = c.index_any!;
  const vals = out[0] as T, idx = out[1] as T;
  const e = (c.expected as Ref[])[1];
  expect(idx.dtype).toBe('int64');
  expect(idx.shape).toEqual(e.shape);
  const xi = x.ndim === 0 ? x : x;
  const ik = keepdim || x.ndim === 0 ? idx : idx.unsqueeze(dim);
  const picked = xi.gather(dim, ik);
  const pv = flat(keepdim ? picked : picked.squeeze(dim)), vv = flat(vals);
  pv.forEach((p, i) => {
    if (!sameValue(p, vv[i], x.dtype, undefined, false)) throw new Error(`${c.name}: index ${i} points at ${p}, value is ${vv[i]}`);
  });
}

describe('NaN / inf / -0 against PyTorch', () => {
  for (const c of REF.cases) {
    test(c.name, () => {
      const leaves = c.inputs.map((r) => { const t = build(r); if (r.rg) t.requiresGrad_(true); return t; });
      if (c.error) {
        let err: unknown = null;
        try { run(c, leaves); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(torch.TorchError);
        expect((err as Error).message).toContain(c.error);
        return;
      }
      const out = norm(run(c, leaves));
      compareOut(out, c.expected!, c, c.name);
      if (c.index_any) checkIndexAny(c, leaves[0], out as unknown[]);
      if (!c.grads) return;
      const first = (Array.isArray(out) ? out[0] : out) as T;
      expect(first.requiresGrad).toBe(true);
      first.backward(torch.onesLike(first));
      if (c.index_any) {
        // the gradient goes to the indices this call returned (PyTorch's own tie choice may differ), as much of it
        const { dim, keepdim } = c.index_any;
        const idx = (out as T[])[1];
        const ik = keepdim || leaves[0].ndim === 0 ? idx : idx.unsqueeze(dim);
        const want = torch.zerosLike(leaves[0]).scatterAdd(dim, ik, torch.onesLike(ik, { dtype: leaves[0].dtype }));
        expect(flat(leaves[0].grad!)).toEqual(flat(want));
        const total = (c.grads[0] as Ref).data.reduce((a: number, v) => a + (dec(v) as number), 0);
        expect(flat(leaves[0].grad!).reduce((a, b) => a + b, 0)).toBe(total);
        return;
      }
      c.grads.forEach((g, i) => {
        const got = leaves[i].grad;
        if (g === null) { if (got) expect(flat(got).every((v) => v === 0)).toBe(true); return; }
        // the sign of a zero gradient is not compared: it follows the order of each formula's products, not a rule
        expectRef(got, g, `${c.name} grad ${i}`, c.grad_tol ?? c.tol, false);
      });
    });
  }
});

describe('arange with integer dtypes and non-integral steps', () => {
  for (const a of REF.arange) {
    test(`arange(${a.args.join(', ')}${a.dtype ? `, ${a.dtype}` : ''})`, () => {
      const call = (): T => (a.dtype ? torch.arange(...(a.args as [number]), { dtype: a.dtype as torch.DType }) : torch.arange(...(a.args as [number])));
      if (a.error) {
        expect(call).toThrow(torch.TorchError);
        expect(call).toThrow(a.error);
        return;
      }
      expectRef(call(), a.expected!, 'arange');
    });
  }
  test('the issue example', () => {
    expect(torch.arange(0, 5, 1.5, { dtype: 'int64' }).tolist()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('std / var gradients where every deviation is zero', () => {
  for (const s of REF.stdvar) {
    test(s.name, () => {
      const base = build(s.base).requiresGrad_(true);
      const x = s.expand ? base.expand(s.expand) : base;
      const out = (torch[s.f] as (x: T, o: Record<string, unknown>) => T)(x, s.opts);
      expectRef(out, s.expected, `${s.name} value`);
      out.backward(torch.onesLike(out));
      expectRef(base.grad, s.grad, `${s.name} grad`);
    });
  }
});

describe('the nn modules of these ops', () => {
  for (const mc of REF.modules) {
    test(`${mc.repr}`, () => {
      const Ctor = (torch.nn as unknown as Record<string, new (...a: unknown[]) => torch.nn.Module>)[mc.name];
      const m = new Ctor(...(mc.args.map((a) => decAll(a))), ...(mc.opts ? [decAll(mc.opts)] : []));
      m.train(mc.train);
      expect(m.toString()).toBe(mc.repr);
      const x = build(mc.input).requiresGrad_(true);
      const out = norm((m as unknown as { call(x: T): unknown }).call(x));
      const c = { name: mc.name, js: { f: '' }, inputs: [] } as unknown as Case;
      compareOut(out, mc.expected, c, mc.repr);
      const first = (Array.isArray(out) ? out[0] : out) as T;
      first.backward(torch.onesLike(first));
      expectRef(x.grad, mc.grad, `${mc.repr} grad`, undefined, false);
      const params = new Map(m.namedParameters());
      expect([...params.keys()]).toEqual(Object.keys(mc.params));
      for (const [k, g] of Object.entries(mc.params)) expectRef(params.get(k)!.grad, g, `${mc.repr} ${k} grad`, undefined, false);
    });
  }
});
