// indexing.test.ts - t.index(...) / t.indexPut_(...), gather/scatter, index_*, masked_*, nonzero, take/put against
// values recorded from PyTorch by test/ref/gen_indexing.py (results, gradients, node names, error messages), plus
// large inputs that take the kernels' parallel paths checked against plain-JS references, and aliasing rules.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

type T = torch.Tensor;
interface TSpec extends Ref { $t: 'tensor'; layout?: unknown[][]; rg?: boolean }
interface Case {
  name: string; kind: 'index' | 'index_put' | 'call';
  self: TSpec; specs?: unknown[]; value?: TSpec | number | boolean; accumulate?: boolean;
  method?: string; args?: unknown[]; opts?: Record<string, unknown>;
  expected?: Ref | Ref[]; error?: string;
  grad?: { w: Ref; grads: (Ref | null)[]; fn?: string | null };
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/indexing.json') as { cases: Case[] };

const isSpec = (v: unknown): v is TSpec => typeof v === 'object' && v !== null && (v as TSpec).$t === 'tensor';
const dec = (v: number | boolean | string): number | boolean => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | boolean));

function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
// the base tensor (the one gradients are read from) and the view the call sees, as the generator builds them
function build(s: TSpec, withGrad: boolean): { base: T; view: T } {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const rg = withGrad && !!s.rg;
  const base = n === 0 ? torch.zeros(s.shape, { dtype: s.dtype as torch.DType, requiresGrad: rg })
    : torch.tensor(nest(s.data.map(dec), s.shape), { dtype: s.dtype as torch.DType, requiresGrad: rg });
  let view = base;
  for (const op of s.layout ?? []) {
    if (op[0] === 'transpose') view = view.transpose(op[1] as number, op[2] as number);
    else if (op[0] === 'slice') view = view.slice(op[1] as number, op[2] as number, op[3] as number, op[4] as number);
    else if (op[0] === 'expand') view = view.expand(op[1] as number[]);
    else throw new Error(`unknown layout ${String(op[0])}`);
  }
  return { base, view };
}
const decodeArg = (a: unknown, leaves: T[], withGrad: boolean): unknown => {
  if (typeof a === 'object' && a !== null && (a as { $t?: string }).$t === 'num') return dec((a as { v: string }).v);
  if (!isSpec(a)) return a;
  const { base, view } = build(a, withGrad);
  if (base.requiresGrad) leaves.push(base);
  return view;
};

// PyTorch 1.13 wordings that newer PyTorch (and nodetorch) phrase differently
const MESSAGE_DIFFERS: Record<string, string> = {
  'index/float_index': 'tensors used as indices must be long, int, byte or bool tensors',
  'gather/oob': '', 'index_select/oob': '', 'index_add/oob': '',
};

function run(c: Case, withGrad: boolean): { out: T | T[]; leaves: T[] } {
  const leaves: T[] = [];
  const { base, view } = build(c.self, withGrad);
  if (base.requiresGrad) leaves.push(base);
  if (c.kind === 'index') {
    const specs = (c.specs ?? []).map((s) => decodeArg(s, [], false)) as torch.IndexSpec[];
    return { out: view.index(...specs), leaves };
  }
  if (c.kind === 'index_put') {
    const specs = (c.specs ?? []).map((s) => decodeArg(s, [], false)) as torch.IndexSpec[];
    const value = decodeArg(c.value, leaves, withGrad) as T | number;
    const y = view.clone();
    const r = y.indexPut_(specs, value, c.accumulate ? { accumulate: true } : {});
    expect(r).toBe(y);
    return { out: y, leaves };
  }
  const args = (c.args ?? []).map((a) => decodeArg(a, leaves, withGrad));
  const inplace = (c.method as string).endsWith('_');
  const target = inplace ? view.clone() : view;
  const f = (target as unknown as Record<string, (...a: unknown[]) => T | T[]>)[c.method as string];
  expect(typeof f).toBe('function');
  const opts = c.opts && Object.keys(c.opts).length ? [c.opts] : [];
  const out = f.apply(target, [...args, ...opts]);
  if (inplace) expect(out).toBe(target);
  return { out, leaves };
}

describe('indexing vs PyTorch (test/ref/indexing.json)', () => {
  for (const c of REF.cases) {
    test(c.name, () => {
      if (c.error !== undefined) {
        let err: unknown = null;
        try { run(c, false); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(Error);
        expect(err).toBeInstanceOf(torch.TorchError);
        const want = c.name in MESSAGE_DIFFERS ? MESSAGE_DIFFERS[c.name] : c.error;
        // (under jest a native Error comes from another realm and lib/native.ts then prefixes 'Error: ')
        if (want) expect((err as Error).message.replace(/^Error: /, '')).toBe(want);
        return;
      }
      const { out } = run(c, false);
      if (Array.isArray(c.expected)) {
        expect(Array.isArray(out)).toBe(true);
        (c.expected as Ref[]).forEach((e, i) => expectTensor((out as T[])[i], e));
      } else expectTensor(out as T, c.expected as Ref);
      if (!c.grad) return;
      const r = run(c, true);
      const o = r.out as T;
      if (c.grad.fn) expect(o.gradFn?.name).toBe(c.grad.fn);
      o.mul(build(c.grad.w as TSpec, false).base).sum().backward();
      const want = c.grad.grads;
      let k = 0;
      for (const g of want) {
        const leaf = r.leaves[k++];
        if (g === null) { expect(leaf === undefined || leaf.grad === null).toBe(true); continue; }
        expect(leaf.grad).not.toBeNull();
        expectTensor(leaf.grad as T, g);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// views vs copies, node names, in-place rules
// ---------------------------------------------------------------------------------------------------------------
describe('views, copies and autograd', () => {
  test('basic indexing returns views that alias the base; advanced indexing copies', () => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape(3, 4);
    const v = x.index(1, '1:3');
    v.fill_(-1);
    expect(x.tolist()).toEqual([[0, 1, 2, 3], [4, -1, -1, 7], [8, 9, 10, 11]]);
    const a = x.index([0, 2]);
    a.fill_(100);
    expect(x.index(0).tolist()).toEqual([0, 1, 2, 3]);
    expect(x.index('...').dataPtr()).toBe(x.dataPtr());
    expect(x.index(null, '...').shape).toEqual([1, 3, 4]);
  });

  test('node names follow PyTorch', () => {
    const x = torch.randn(3, 4, { requiresGrad: true });
    expect(x.index(0).gradFn?.name).toBe('SelectBackward0');
    expect(x.index('1:').gradFn?.name).toBe('SliceBackward0');
    expect(x.index(null).gradFn?.name).toBe('UnsqueezeBackward0');
    expect(x.index('...').gradFn?.name).toBe('AliasBackward0');
    expect(x.index([0, 0]).gradFn?.name).toBe('IndexBackward0');
    expect(x.index(':', torch.tensor([1])).gradFn?.name).toBe('IndexBackward0');
    const i = torch.tensor([[0, 1], [2, 3], [1, 1]]);
    expect(x.gather(1, i).gradFn?.name).toBe('GatherBackward0');
    expect(x.scatter(1, i, torch.ones(3, 2)).gradFn?.name).toBe('ScatterBackward0');
    expect(x.scatter(1, i, 2.5).gradFn?.name).toBe('ScatterBackward1');
    expect(x.scatterAdd(1, i, torch.ones(3, 2)).gradFn?.name).toBe('ScatterAddBackward0');
    expect(x.indexSelect(0, torch.tensor([2])).gradFn?.name).toBe('IndexSelectBackward0');
    expect(x.maskedFill(x.gt(0), 0).gradFn?.name).toBe('MaskedFillBackward0');
    expect(x.maskedSelect(x.gt(0)).gradFn?.name).toBe('MaskedSelectBackward0');
    expect(x.take(torch.tensor([3])).gradFn?.name).toBe('TakeBackward0');
    const y = x.clone();
    y.indexPut_([torch.tensor([0, 0])], torch.ones(4), { accumulate: true });
    expect(y.gradFn?.name).toBe('IndexPutBackward0');
    const z = x.clone();
    z.indexPut_([0], 1);
    expect(z.gradFn?.name).toBe('CopySlices');
  });

  test('in-place writes into a leaf that requires grad are refused', () => {
    const x = torch.zeros(3, { requiresGrad: true });
    expect(() => x.indexPut_([[0]], 1)).toThrow(torch.TorchError);
    expect(() => x.scatter_(0, torch.tensor([0]), 1)).toThrow(/leaf Variable/);
    expect(() => x.maskedFill_(torch.tensor([true, false, false]), 1)).toThrow(/leaf Variable/);
    torch.noGrad(() => x.indexPut_([[0]], 1));
    expect(x.tolist()).toEqual([1, 0, 0]);
  });

  test('saved tensors modified in place are detected', () => {
    const x = torch.randn(3, { requiresGrad: true });
    const y = x.exp();
    y.indexPut_([[1]], 0);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  test('gradient through indexPut_ reaches both self and value', () => {
    const x = torch.randn(4, 3, { requiresGrad: true, dtype: 'float64' });
    const v = torch.randn(3, { requiresGrad: true, dtype: 'float64' });
    const y = x.mul(2);
    y.indexPut_([torch.tensor([1, 3])], v);
    y.sum().backward();
    expect(x.grad?.tolist()).toEqual([[2, 2, 2], [0, 0, 0], [2, 2, 2], [0, 0, 0]]);
    expect(v.grad?.tolist()).toEqual([2, 2, 2]);
  });

  test('masked_select of a non-contiguous input: gradient in C order (PyTorch 1.13 gets this one wrong)', () => {
    const b = torch.arange(12, { dtype: 'float32' }).reshape(4, 3).requiresGrad_();
    const m = torch.tensor([[true, false, false, true], [false, false, true, false], [true, true, false, false]]);
    const y = b.t().maskedSelect(m);
    expect(y.tolist()).toEqual([0, 9, 7, 2, 5]);
    y.mul(torch.tensor([1, 2, 3, 4, 5], { dtype: 'float32' })).sum().backward();
    expect(b.grad?.tolist()).toEqual([[1, 0, 4], [0, 0, 5], [0, 3, 0], [2, 0, 0]]);
  });

  test('second-order gradient through advanced indexing', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const y = x.index([[0, 0, 2]]).pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true }) as T[];
    expect(g.tolist()).toEqual([6, 0, 27]);
    g.sum().backward();
    expect(x.grad?.tolist()).toEqual([12, 0, 18]);
  });

  test('nodetorch follows newer PyTorch: int32 index tensors work, float masks are refused', () => {
    const x = torch.arange(6).reshape(2, 3);
    expect(x.index(torch.tensor([1], { dtype: 'int32' })).tolist()).toEqual([[3, 4, 5]]);
    expect(() => x.maskedFill(torch.ones(2, 3), 1)).toThrow(/only supports boolean masks/);
    expect(() => x.index('...', '...')).toThrow(/single ellipsis/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// bounds: a bad index never reads or writes outside, and leaves the target untouched
// ---------------------------------------------------------------------------------------------------------------
describe('bounds checks', () => {
  test('a bad index anywhere leaves the target unchanged', () => {
    const x = torch.zeros(4, 5);
    const idx = torch.tensor([[0, 1], [2, 3], [4, 5], [1, 1]]);
    expect(() => x.scatter_(1, idx, 1)).toThrow('index 5 is out of bounds for dimension 1 with size 5');
    expect(() => x.scatterAdd_(1, idx, torch.ones(4, 2))).toThrow(torch.TorchError);
    expect(() => x.indexAdd_(0, torch.tensor([0, 4]), torch.ones(2, 5))).toThrow(torch.TorchError);
    expect(() => x.put_(torch.tensor([0, 20]), torch.ones(2))).toThrow('out of range: tried to access index 20 on a tensor of 20 elements.');
    expect(() => x.indexPut_([[0, 1], [1, 9]], 1)).toThrow('index 9 is out of bounds for dimension 1 with size 5');
    expect(() => x.indexPut_([[0, -5]], 1)).toThrow('index -5 is out of bounds for dimension 0 with size 4');
    expect(x.sum().item()).toBe(0);
    expect(() => x.gather(0, torch.tensor([[-1]]))).toThrow('index -1 is out of bounds for dimension 0 with size 4');
    expect(() => x.index(torch.tensor([2 ** 40]))).toThrow(torch.TorchError);
    expect(() => x.index(4)).toThrow('index 4 is out of bounds for dimension 0 with size 4');
    expect(() => torch.zeros(0, 3).index([0])).toThrow('index 0 is out of bounds for dimension 0 with size 0');
  });

  test('index tensors of the wrong dtype or rank are refused before native code', () => {
    const x = torch.zeros(3, 4);
    expect(() => x.gather(1, torch.tensor([[0]], { dtype: 'int32' }))).toThrow('gather(): Expected dtype int64 for index');
    expect(() => x.gather(1, torch.tensor([0]))).toThrow('Index tensor must have the same number of dimensions as input tensor');
    expect(() => x.index(torch.tensor([true, false, true, false]))).toThrow('The shape of the mask [4] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0');
    expect(() => x.index(torch.tensor([0.5]))).toThrow(/must be long, int, byte or bool/);
    expect(() => x.index({} as never)).toThrow(TypeError);
    expect(() => x.index(0.5)).toThrow(TypeError);
    expect(() => x.index('1:2:3:4')).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// large inputs: the parallel paths of the kernels against plain-JS references
// ---------------------------------------------------------------------------------------------------------------
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe('large inputs (parallel kernels) match plain-JS references', () => {
  test('scatterAdd with many duplicates is exact and deterministic', () => {
    const R = 4, C = 64, L = 50000, rnd = lcg(1);
    const idx = Array.from({ length: R }, () => Array.from({ length: L }, () => Math.floor(rnd() * C)));
    const src = Array.from({ length: R }, () => Array.from({ length: L }, () => Math.floor(rnd() * 5) - 2));
    const want = Array.from({ length: R }, () => new Array<number>(C).fill(0));
    for (let r = 0; r < R; r++) for (let j = 0; j < L; j++) want[r][idx[r][j]] += src[r][j];
    const out = torch.zeros(R, C, { dtype: 'float64' }).scatterAdd(1, torch.tensor(idx), torch.tensor(src, { dtype: 'float64' }));
    expect(out.tolist()).toEqual(want);
    const out2 = torch.zeros(R, C, { dtype: 'int64' }).scatterAdd(1, torch.tensor(idx), torch.tensor(src));
    expect(out2.tolist()).toEqual(want);
  });

  test('indexAdd with duplicate rows (embedding-gradient shape)', () => {
    const N = 20000, V = 37, D = 48, rnd = lcg(2);
    const idx = Array.from({ length: N }, () => Math.floor(rnd() * V));
    const src = torch.ones(N, D, { dtype: 'float64' });
    const out = torch.zeros(V, D, { dtype: 'float64' }).indexAdd(0, torch.tensor(idx), src, { alpha: 2 });
    const counts = new Array<number>(V).fill(0);
    for (const i of idx) counts[i] += 2;
    const got = out.tolist() as number[][];
    for (let v = 0; v < V; v++) expect(got[v]).toEqual(new Array<number>(D).fill(counts[v]));
  });

  test('gather, indexSelect, take and nonzero on large strided inputs', () => {
    const rnd = lcg(3);
    const rows = 300, cols = 500;
    const data = Array.from({ length: rows * cols }, () => Math.floor(rnd() * 7) - 3);
    const base = torch.tensor(data).reshape(cols, rows);
    const x = base.t();  // [rows, cols], column-major strides
    const at = (r: number, c: number): number => data[c * rows + r];
    const gi = Array.from({ length: rows }, () => Array.from({ length: 200 }, () => Math.floor(rnd() * cols)));
    const g = x.gather(1, torch.tensor(gi)).tolist() as number[][];
    for (let r = 0; r < rows; r += 37) for (let j = 0; j < 200; j += 13) expect(g[r][j]).toBe(at(r, gi[r][j]));
    const si = Array.from({ length: 1000 }, () => Math.floor(rnd() * rows));
    const s = x.indexSelect(0, torch.tensor(si)).tolist() as number[][];
    for (let k = 0; k < 1000; k += 71) for (let c = 0; c < cols; c += 29) expect(s[k][c]).toBe(at(si[k], c));
    const ti = Array.from({ length: 5000 }, () => Math.floor(rnd() * rows * cols) - (rows * cols) / 2);
    const tk = x.take(torch.tensor(ti)).tolist() as number[];
    ti.forEach((i, k) => { const l = i < 0 ? i + rows * cols : i; expect(tk[k]).toBe(at(Math.floor(l / cols), l % cols)); });
    const nz = x.nonzero();
    const want: number[][] = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (at(r, c) !== 0) want.push([r, c]);
    expect(nz.shape).toEqual([want.length, 2]);
    expect(nz.tolist()).toEqual(want);
    const mask = x.gt(1);
    expect(x.maskedSelect(mask).tolist()).toEqual(want.map(([r, c]) => at(r, c)).filter((v) => v > 1));
  });

  test('indexPut_ with accumulate and many duplicates', () => {
    const rnd = lcg(4), n = 40000;
    const i0 = Array.from({ length: n }, () => Math.floor(rnd() * 8));
    const i1 = Array.from({ length: n }, () => Math.floor(rnd() * 8));
    const x = torch.zeros(8, 8, { dtype: 'int64' });
    x.indexPut_([torch.tensor(i0), torch.tensor(i1)], torch.tensor(1), { accumulate: true });
    const want = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let k = 0; k < n; k++) want[i0[k]][i1[k]]++;
    expect(x.tolist()).toEqual(want);
  });
});
