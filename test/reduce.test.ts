// reduce.test.ts - the reduction family (lib/ops/reduce.ts, native/cpu/reduce.cc) against values recorded from
// PyTorch by test/ref/gen_reduce.py: results, first- and second-order gradients, grad_fn names and error messages
// over dims/keepdim/0-d/empty/non-contiguous inputs and every dtype; large inputs that take the kernels' parallel
// and pairwise-summation paths (checked against a float64 reference, and PyTorch's own float32 error); plus
// direct checks of call forms other modules rely on.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

type T = torch.Tensor;
interface TSpec extends Ref { $t: 'tensor'; gen?: 'ramp' | 'ones'; layout?: unknown[][]; rg?: boolean }
interface Named { $t: 'named'; values: Ref; indices: Ref }
type Expected = Ref | Named | Expected[] | boolean;
interface Case {
  name: string; op: string; fn: boolean; inputs: TSpec[]; args: unknown[]; opts: Record<string, unknown>;
  expected?: Expected; error?: string; check_message?: boolean; tol?: { rtol?: number; atol?: number }; note?: string;
  index_any?: boolean;
  grad?: { w: Ref[]; grads: (Ref | null)[]; fn: string | null; v?: Ref[]; grads2?: (Ref | null)[] | null };
}
interface Large { name: string; input: TSpec; dims: number[] | null; torch: Ref; ref64: Ref; abs64: Ref }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/reduce.json') as { cases: Case[]; large: Large[] };

const dec = (v: unknown): unknown => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

// the formula inputs of gen_reduce.py: ((i * 0.37) mod 1) - 0.5 in float64, then cast
function ramp(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = ((i * 0.37) % 1) - 0.5;
  return a;
}

function build(s: TSpec, withGrad: boolean): { base: T; view: T } {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const dtype = s.dtype as torch.DType;
  const rg = withGrad && !!s.rg;
  let base: T;
  if (s.gen === 'ramp') base = torch.tensor(ramp(n)).reshape(s.shape).to(dtype);
  else if (s.gen === 'ones') base = torch.ones(s.shape, { dtype });
  else if (n === 0) base = torch.zeros(s.shape, { dtype });
  else base = torch.tensor(nest(s.data.map(dec), s.shape), { dtype: dtype === 'float16' || dtype === 'bfloat16' ? 'float32' : dtype }).to(dtype);
  if (rg) base.requiresGrad_(true);
  let view = base;
  for (const op of s.layout ?? []) {
    if (op[0] === 'transpose') view = view.transpose(op[1] as number, op[2] as number);
    else if (op[0] === 'slice') view = view.slice(op[1] as number, op[2] as number, op[3] as number, op[4] as number);
    else if (op[0] === 'expand') view = view.expand(op[1] as number[]);
    else if (op[0] === 'permute') view = view.permute(op[1] as number[]);
    else throw new Error(`unknown layout ${String(op[0])}`);
  }
  return { base, view };
}

function call(c: Case, withGrad: boolean): { out: unknown; leaves: T[] } {
  const leaves: T[] = [];
  const ts = c.inputs.map((s) => {
    const { base, view } = build(s, withGrad);
    if (base.requiresGrad) leaves.push(base);
    return view;
  });
  const args = c.args.map(dec);
  const rest = Object.keys(c.opts).length ? [...ts.slice(1), ...args, c.opts] : [...ts.slice(1), ...args];
  const f = c.fn ? (torch as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op]
    : (ts[0] as unknown as Record<string, (...a: unknown[]) => unknown>)[c.op].bind(ts[0]);
  if (typeof f !== 'function') throw new Error(`missing ${c.fn ? 'torch.' : 'Tensor.'}${c.op}`);
  const out = c.fn ? f(ts[0], ...rest) : f(...rest);
  return { out, leaves };
}

function compare(got: unknown, e: Expected, tol: Case['tol'], where: string): void {
  if (typeof e === 'boolean') { expect(got).toBe(e); return; }
  if (Array.isArray(e)) {
    expect(Array.isArray(got)).toBe(true);
    const g = got as unknown[];
    expect(g.length).toBe(e.length);
    e.forEach((x, i) => compare(g[i], x, tol, `${where}[${i}]`));
    return;
  }
  if ((e as Named).$t === 'named') {
    const n = e as Named;
    const g = got as { values: T; indices: T } & Iterable<T>;
    expect(g.values).toBeInstanceOf(torch.Tensor);
    compare(g.values, n.values, tol, `${where}.values`);
    compare(g.indices, n.indices, tol, `${where}.indices`);
    const [v, i] = g; // iterable as [values, indices]
    expect(v).toBe(g.values);
    expect(i).toBe(g.indices);
    return;
  }
  try { expectTensor(got as T, e as Ref, tol); } catch (err) { throw new Error(`${where}: ${(err as Error).message}`); }
}

// float outputs in the generator's order (named results contribute their values)
function floatOuts(out: unknown, e: Expected): T[] {
  if (Array.isArray(e)) return e.flatMap((x, i) => floatOuts((out as unknown[])[i], x));
  if (typeof e === 'boolean') return [];
  if ((e as Named).$t === 'named') return floatOuts((out as { values: T }).values, (e as Named).values);
  return ['float32', 'float64', 'float16', 'bfloat16'].includes((e as Ref).dtype) ? [out as T] : [];
}

// topk among equal values: PyTorch's index order is unspecified, so check the values, and that the indices are
// distinct and point at those values (2-D inputs)
function checkTopkByValue(c: Case, out: { values: T; indices: T }): void {
  const e = c.expected as Named;
  expectTensor(out.values, e.values);
  const x = build(c.inputs[0], false).view;
  const d = ((c.args[1] as number) ?? -1) < 0 ? x.ndim + ((c.args[1] as number) ?? -1) : (c.args[1] as number);
  const xs = x.tolist() as number[][], vs = out.values.tolist() as number[][], is = out.indices.tolist() as number[][];
  for (let a = 0; a < vs.length; a++) {
    const seen = new Set<string>();
    for (let b = 0; b < vs[a].length; b++) {
      const idx = is[a][b];
      const key = d === 1 ? `${a},${idx}` : `${idx},${b}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(d === 1 ? xs[a][idx] : xs[idx][b]).toBe(vs[a][b]);
    }
  }
}

const mk = (r: Ref): T => build({ ...r, $t: 'tensor' } as TSpec, false).base;

// gradients are compared a little looser than values (float32 chains of several ops)
const gradTol = (dtype: string): { rtol: number; atol: number } | undefined =>
  dtype === 'float32' ? { rtol: 1e-4, atol: 1e-5 } : dtype === 'float64' ? { rtol: 1e-6, atol: 1e-8 } : undefined;

describe('reductions vs PyTorch', () => {
  for (const c of REF.cases) {
    test(c.name, () => {
      if (c.error !== undefined) {
        let msg = '';
        expect(() => { try { call(c, false); } catch (e) { msg = (e as Error).message; throw e; } }).toThrow();
        // mean of int64: PyTorch's text, then a note on JS numbers being integers (issue 11)
        if (c.check_message) expect(c.name === 'mean/int_error' ? msg.slice(0, c.error.length) : msg).toBe(c.error);
        return;
      }
      const { out } = call(c, false);
      if (c.index_any) checkTopkByValue(c, out as { values: T; indices: T });
      else compare(out, c.expected as Expected, c.tol, 'result');
      if (!c.grad) return;
      const double = !!c.grad.v;
      const { out: gout, leaves } = call(c, true);
      const outs = floatOuts(gout, c.expected as Expected);
      if (c.grad.fn) expect(outs[0].gradFn?.name).toBe(c.grad.fn);
      let loss: T | null = null;
      outs.forEach((o, i) => { const s = o.mul(mk(c.grad!.w[i])).sum(); loss = loss ? loss.add(s) : s; });
      const gs = torch.autograd.grad(loss as unknown as T, leaves, { createGraph: double, allowUnused: true });
      c.grad.grads.forEach((e, i) => {
        if (e === null) { expect(gs[i] === null || gs[i]!.abs().max().item() === 0).toBe(true); return; }
        compare(gs[i], e, gradTol(e.dtype), `grad ${i}`);
      });
      if (!double || !c.grad.grads2) return;
      let s2: T | null = null;
      gs.forEach((g, i) => { if (g) { const t = g.mul(mk(c.grad!.v![i])).sum(); s2 = s2 ? s2.add(t) : t; } });
      const g2 = torch.autograd.grad(s2 as unknown as T, leaves, { allowUnused: true });
      c.grad.grads2.forEach((e, i) => {
        if (e === null) { expect(g2[i] === null || g2[i]!.abs().max().item() === 0).toBe(true); return; }
        compare(g2[i], e, gradTol(e.dtype), `second-order grad ${i}`);
      });
    });
  }
});

describe('large inputs (parallel and pairwise paths)', () => {
  for (const c of REF.large) {
    test(c.name, () => {
      const { view } = build(c.input, false);
      const got = (c.dims ? view.sum(c.dims) : view.sum()).double().toTypedArray() as Float64Array;
      const ref = mk(c.ref64).toTypedArray() as Float64Array;
      const abs = mk(c.abs64).toTypedArray() as Float64Array;
      const pt = mk(c.torch).double().toTypedArray() as Float64Array;
      expect(got.length).toBe(ref.length);
      const eps = c.input.dtype === 'float64' ? 2.2e-16 : c.input.dtype === 'float16' ? 4.9e-4 : 6e-8;
      for (let i = 0; i < ref.length; i++) {
        // pairwise summation: error <= ~log2(n) * eps * sum|x|; also no worse than 4x PyTorch's own error
        const err = Math.abs(got[i] - ref[i]);
        const bound = Math.max(32 * eps * abs[i], 4 * Math.abs(pt[i] - ref[i]));
        if (c.input.dtype === 'float16') expect(Math.abs(got[i] - pt[i])).toBeLessThanOrEqual(Math.abs(pt[i]) * 2e-3 + 0.5);
        else if (err > bound) throw new Error(`${c.name}[${i}]: |${got[i]} - ${ref[i]}| = ${err} > ${bound}`);
      }
    });
  }

  test('1e7 float32 ones sum to exactly 1e7 (full, and over a dim)', () => {
    expect(torch.ones([10000000]).sum().item()).toBe(10000000);
    expect(torch.ones([2, 5000000]).sum(1).tolist()).toEqual([5000000, 5000000]);
    expect(torch.ones([5000000, 2]).sum(0).tolist()).toEqual([5000000, 5000000]);
    expect(torch.ones([10000000]).mean().item()).toBe(1);
  });

  test('float16 sums accumulate in float32', () => {
    // 4096 halves of 1: a float16 accumulator would stop at 2048
    expect(torch.ones([4096], { dtype: 'float16' }).sum().item()).toBe(4096);
  });

  test('large max/argmax/var/softmax/sort/cumsum agree with plain-JS references', () => {
    const n = 300001;
    const r = ramp(n);
    const x = torch.tensor(r);
    let mx = -Infinity, ai = 0, mean = 0;
    for (let i = 0; i < n; i++) { if (r[i] > mx) { mx = r[i]; ai = i; } mean += r[i]; }
    mean /= n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (r[i] - mean) ** 2;
    expect(x.max().item()).toBe(mx);
    expect(x.argmax().item()).toBe(ai);
    expect(x.var().item()).toBeCloseTo(m2 / (n - 1), 12);
    const s = x.sort().values.toTypedArray() as Float64Array;
    const js = Float64Array.from(r).sort();
    expect(s).toEqual(js);
    const cs = x.cumsum(0).toTypedArray() as Float64Array;
    let acc = 0;
    for (let i = 0; i < n; i += 9999) { acc = 0; for (let j = 0; j <= i; j++) acc += r[j]; expect(cs[i]).toBeCloseTo(acc, 8); }
    const sm = x.reshape([1, -1]).softmax(1).sum().item() as number;
    expect(sm).toBeCloseTo(1, 10);
    // NaN anywhere in a large slice propagates through max/amax, is argmax's answer, and sorts last
    const r2 = Float64Array.from(r);
    r2[123456] = NaN;
    const y = torch.tensor(r2);
    expect(Number.isNaN(y.max().item() as number)).toBe(true);
    expect(Number.isNaN(y.reshape([1, -1]).amax(1).item() as number)).toBe(true);
    expect(y.argmax().item()).toBe(123456);
    expect(y.argmin().item()).toBe(123456);
    expect(Number.isNaN(y.sort().values.select(0, -1).item() as number)).toBe(true);
  });

  test('long-row sorts (radix path) match a JS stable sort, with ties, NaN, -0 and every dtype', () => {
    const n = 5000;
    const base: number[] = [];
    for (let i = 0; i < n; i++) base.push(Math.floor((((i * 0.37) % 1) - 0.5) * 40) / 4);
    base[17] = NaN; base[4000] = NaN; base[99] = -0; base[100] = 0; base[101] = Infinity; base[102] = -Infinity;
    // NaN largest; -0 == +0; ties by index (PyTorch's stable sort)
    const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);
    const jsOrder = (vals: number[], desc: boolean): number[] => [...vals.keys()].sort((a, b) => {
      const x = rank(vals[a]), y = rank(vals[b]);
      const nx = Number.isNaN(vals[a]), ny = Number.isNaN(vals[b]);
      if (nx !== ny) return desc ? (nx ? -1 : 1) : (nx ? 1 : -1);
      if (x !== y) return desc ? y - x : x - y;
      return a - b;
    });
    for (const dtype of ['float32', 'float64', 'float16', 'bfloat16'] as torch.DType[]) {
      for (const desc of [false, true]) {
        const x = torch.tensor(base, { dtype: 'float64' }).to(dtype);
        const vals = (x.toTypedArray() as Float32Array | Float64Array);
        const want = jsOrder(Array.from(vals), desc);
        const { values, indices } = x.sort(0, { descending: desc, stable: true });
        expect(Array.from(indices.toTypedArray() as BigInt64Array, Number)).toEqual(want);
        const got = values.toTypedArray();
        want.forEach((w, j) => { if (!Number.isNaN(vals[w])) expect(got[j]).toBe(vals[w]); else expect(Number.isNaN(got[j] as number)).toBe(true); });
      }
    }
    const ints = base.map((v) => (Number.isNaN(v) || !Number.isFinite(v) ? 3 : Math.round(v)));
    for (const dtype of ['int64', 'int32', 'int16', 'int8', 'uint8', 'bool'] as torch.DType[]) {
      for (const desc of [false, true]) {
        const x = torch.tensor(ints).to(dtype);
        const vals = Array.from(x.toTypedArray() as ArrayLike<number | bigint>, Number);
        const want = jsOrder(vals, desc);
        expect(Array.from(x.argsort({ descending: desc, stable: true }).toTypedArray() as BigInt64Array, Number)).toEqual(want);
      }
    }
    // many rows in parallel, and rows along a non-last dim
    const m = torch.tensor(ramp(64 * 300)).reshape([64, 300]).mul(7).round();
    const byRow = m.sort(1).indices;
    const viaT = m.t().contiguous().sort(0).indices.t();
    expect(byRow.equal(viaT)).toBe(true);
  });

  test('column and row layouts agree with each other on wide inputs', () => {
    const x = torch.tensor(ramp(512 * 300)).reshape([512, 300]).float();
    const a = x.sum(0), b = x.t().contiguous().sum(1);
    expect(a.allclose(b, { rtol: 1e-6, atol: 1e-5 })).toBe(true);
    expect(x.amax(0).equal(x.t().contiguous().amax(1))).toBe(true);
    expect(x.argmin(0).equal(x.t().contiguous().argmin(1))).toBe(true);
    expect(x.prod(0).allclose(x.t().contiguous().prod(1))).toBe(true);
  });
});

describe('call forms and semantics', () => {
  test('forms used by other modules: sum(dims, {keepdim}), sum(dims), all()', () => {
    const x = torch.randn([2, 3, 4]);
    expect(x.sum([0, 2], { keepdim: true }).shape).toEqual([1, 3, 1]);
    expect(x.sum([1]).shape).toEqual([2, 4]);
    expect(x.gt(-100).all().item()).toBe(true);
  });

  test('(values, indices) results are objects, iterable and indexable', () => {
    const x = torch.tensor([[1, 5, 2], [7, 0, 7]], { dtype: 'float32' });
    const r = x.max(1);
    expect(r.values.tolist()).toEqual([5, 7]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    const [v, i] = r;
    expect(v).toBe(r.values);
    expect(i).toBe(r.indices);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    const [sv, si] = torch.sort(x, 1, { descending: true });
    expect(sv.tolist()).toEqual([[5, 2, 1], [7, 7, 0]]);
    expect(si.tolist()).toEqual([[1, 2, 0], [0, 2, 1]]);
    const t = x.topk(1);
    expect(t.values.tolist()).toEqual([[5], [7]]);
  });

  test('dtype rules', () => {
    expect(torch.tensor([1, 2, 3], { dtype: 'int32' }).sum().dtype).toBe('int64');
    expect(torch.tensor([true, true]).sum().item()).toBe(2);
    expect(torch.tensor([1, 2], { dtype: 'int8' }).cumsum(0).dtype).toBe('int64');
    expect(torch.tensor([1, 2], { dtype: 'int16' }).max().dtype).toBe('int16');
    expect(torch.tensor([1, 2], { dtype: 'uint8' }).all().dtype).toBe('uint8');
    expect(torch.tensor([1, 2], { dtype: 'float16' }).sum().dtype).toBe('float16');
    expect(torch.tensor([1, 2]).sum({ dtype: 'float64' }).dtype).toBe('float64');
    expect(() => torch.tensor([1, 2]).mean()).toThrow(/mean\(\): could not infer output dtype/);
  });

  test('int64 sums and max are exact beyond 2^53', () => {
    const big = torch.tensor([2 ** 52, 2 ** 52, 1, 1]);
    expect(big.sum().item()).toBe(2 ** 53 + 2);
    const m = torch.full([3], 2 ** 60, { dtype: 'int64' });
    expect(m.max().toTypedArray()[0]).toBe(2n ** 60n);
  });

  test('errors name the op and the range', () => {
    const x = torch.randn([2, 3]);
    expect(() => x.sum(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.sum(1.5 as unknown as number)).toThrow(torch.TorchError);
    expect(() => x.sum('a' as unknown as number)).toThrow();
    expect(() => x.max(0, 1 as unknown as boolean)).toThrow(/keepdim/);
    expect(() => x.topk(-1)).toThrow('selected index k out of range');
    expect(() => x.topk(1.5)).toThrow();
    expect(() => x.cumsum(undefined as unknown as number)).toThrow(/dim/);
    expect(() => x.std({ correction: 'x' as unknown as number })).toThrow();
    expect(() => torch.zeros([0]).amax()).toThrow(/amax\(\): Expected reduction dim 0 to have non-zero size/);
    expect(() => x.norm('nuc')).toThrow(torch.TorchError);
  });

  test('higher-order gradients through softmax with the fused kernel off', () => {
    const x = torch.randn([3, 5], { dtype: 'float64', requiresGrad: true });
    const y = x.softmax(1);
    const [g] = torch.autograd.grad(y.mul(torch.arange(5, { dtype: 'float64' })).sum(), [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    // the same gradient without createGraph (fused native backward)
    const [g0] = torch.autograd.grad(x.softmax(1).mul(torch.arange(5, { dtype: 'float64' })).sum(), [x]);
    expect(g!.detach().allclose(g0!, { rtol: 1e-12, atol: 1e-14 })).toBe(true);
  });

  test('grad of sum over an expanded view and of keepdim reductions has the input shape', () => {
    const x = torch.randn([3, 1], { requiresGrad: true });
    x.expand([3, 4]).sum(1, { keepdim: true }).sum().backward();
    expect(x.grad!.tolist()).toEqual([[4], [4], [4]]);
    const z = torch.randn([2, 3, 4], { requiresGrad: true });
    z.amax([0, 2], { keepdim: true }).sum().backward();
    expect(z.grad!.shape).toEqual([2, 3, 4]);
    expect(z.grad!.sum().item()).toBeCloseTo(3, 5);
  });
});

describe('positional dtype for softmax/logSoftmax/cumsum/cumprod; split/chunk/unbind take { dim }', () => {
  const x = torch.randn([3, 5]);
  test('(dim, dtype) positionally equals the options form; anything more is a TypeError', () => {
    expect(x.cumsum(1, 'float64').dtype).toBe('float64');
    expect(x.softmax(1, 'float64').dtype).toBe('float64');
    expect(torch.logSoftmax(x, 1, 'float64').sub(torch.logSoftmax(x, 1, { dtype: 'float64' })).abs().max().item()).toBe(0);
    expect(() => x.cumsum(1, true as never)).toThrow(/cumsum\(\): argument 'dtype' must be a dtype name/);
    expect(() => x.softmax(1, 'float64', 2 as never)).toThrow(/softmax\(\) takes \(dim\?, dtype\?\) positionally/);
  });
  test('{ dim } options', () => {
    expect(x.split(2, { dim: 1 }).map((t) => t.shape)).toEqual([[3, 2], [3, 2], [3, 1]]);
    expect(x.chunk(2, { dim: 1 })[0].shape).toEqual([3, 3]);
    expect(torch.unbind(x, { dim: 1 }).length).toBe(5);
    expect(() => x.split(2, { axis: 1 } as never)).toThrow(/unexpected option 'axis'/);
  });
});

// cuda/sort.cu kept its int32 indices right after the keys in shared memory: misaligned for 1- and 2-byte keys of an
// odd sorted length (a GPU's cudaErrorMisalignedAddress). The CUDA emulator is built with -fsanitize=alignment, so
// this runs the path that used to fail; on a GPU it is the real thing.
(torch.cuda.isAvailable() ? test : test.skip)('sort/argsort/topk/unique of 1- and 2-byte tensors on CUDA equal the CPU', () => {
  for (const dt of ['uint8', 'int8', 'int16', 'float16', 'bfloat16', 'bool'] as const) {
    for (const n of [1, 2, 3, 5, 9]) {
      const vals = Array.from({ length: n }, (_, i) => ((n - i) % 2) + (i % 3));
      const x = torch.tensor(vals, { dtype: dt });
      const g = x.to('cuda');
      const a = g.sort({ descending: true }), b = x.sort({ descending: true });
      expect([dt, n, a.values.cpu().tolist()]).toEqual([dt, n, b.values.tolist()]);
      expect([dt, n, g.argsort().cpu().tolist()]).toEqual([dt, n, x.argsort().tolist()]);
      if (dt !== 'bool') expect([dt, n, g.topk(1).values.cpu().tolist()]).toEqual([dt, n, x.topk(1).values.tolist()]);  // (no bool topk, as PyTorch)
      expect([dt, n, g.unique().cpu().tolist()]).toEqual([dt, n, x.unique().tolist()]);
    }
  }
});
