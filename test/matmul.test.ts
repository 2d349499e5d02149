// matmul.test.ts - the matmul family against PyTorch (test/ref/gen_matmul.py -> matmul.json: values, gradients, node
// names and error messages over many shapes, layouts and dtypes; second-order gradients), and the native GEMM's
// every path (blocked with each micro-kernel, direct, fold, batch-parallel) against its naive reference on random
// large shapes, plus the kernel's alpha/beta, dtype and threading rules.
import * as torch from '../lib/index';
import { expectTensor, Ref, lcg } from './helpers';
import { runKernel, empty_ } from '../lib/tensor';
import { OP } from '../lib/ops/ids';
import { native } from '../lib/native';

type T = torch.Tensor;
interface Spec { shape: number[]; dtype: string; seed: number; layout: unknown[][]; rg: boolean }
interface Case {
  name: string; op: string; eq?: string; inputs: Spec[]; opts: Record<string, number>;
  expected?: Ref; error?: string; fn?: string | null; grads?: (Ref | null)[];
}
interface Program { name: string; op: string; eq: string | null; inputs: Spec[]; opts: Record<string, number>; first: Ref[]; second: (Ref | null)[] }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/matmul.json') as { cases: Case[]; programs: Program[] };

function nest(flat: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}
function build(s: Spec, grad: boolean): { base: T; view: T } {
  const n = s.shape.reduce((a, b) => a * b, 1);
  let vals = lcg(s.seed, n);
  if (s.dtype.startsWith('int')) vals = vals.map((v) => Math.floor(v * 20 + 0.5));
  const rg = grad && s.rg;
  const dtype = s.dtype as torch.DType;
  const base = n === 0 ? torch.zeros(s.shape, { dtype, requiresGrad: rg }) : torch.tensor(nest(vals, s.shape) as number[], { dtype, requiresGrad: rg });
  let view = base;
  for (const op of s.layout) {
    if (op[0] === 'transpose') view = view.transpose(op[1] as number, op[2] as number);
    else if (op[0] === 'slice') view = view.slice(op[1] as number, op[2] as number, op[3] as number, op[4] as number);
    else if (op[0] === 'expand') view = view.expand(op[1] as number[]);
    else throw new Error(`unknown layout ${String(op[0])}`);
  }
  return { base, view };
}
type Fn = (...a: unknown[]) => T;
function call(op: string, eq: string | null | undefined, views: T[], opts: Record<string, number>): T {
  const f = (torch as unknown as Record<string, Fn>)[op];
  const args: unknown[] = [...(eq != null ? [eq] : []), ...views];
  return Object.keys(opts).length ? f(...args, opts) : f(...args);
}
const tolFor = (dtype: string): { rtol: number; atol: number } => (dtype === 'float64' ? { rtol: 1e-9, atol: 1e-10 } : { rtol: 1e-4, atol: 5e-5 });
// messages we word as current PyTorch does, where 1.13 (the generator) says otherwise
const NEWER_WORDING = /dtype/;

describe('matmul family vs PyTorch', () => {
  REF.cases.forEach((c, idx) => {
    test(c.name, () => {
      const views = c.inputs.map((s) => build(s, false).view);
      if (c.error !== undefined) {
        let err: unknown = null;
        try { call(c.op, c.eq, views, c.opts); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(torch.TorchError);
        if (!NEWER_WORDING.test(c.name)) expect((err as Error).message).toBe(c.error);
        return;
      }
      const out = call(c.op, c.eq, views, c.opts);
      const ref = c.expected as Ref;
      expectTensor(out, ref, tolFor(ref.dtype));
      if (!c.grads) return;
      const built = c.inputs.map((s) => build(s, true));
      const y = call(c.op, c.eq, built.map((b) => b.view), c.opts);
      if (c.op !== 'einsum' && c.fn) expect(y.gradFn?.name).toBe(c.fn);
      const w = y.numel() ? torch.tensor(nest(lcg(999 + idx, y.numel()), y.shape) as number[], { dtype: y.dtype }) : torch.zeros(y.shape);
      y.mul(w).sum().backward();
      c.grads.forEach((g, i) => {
        if (g === null) { expect(built[i].base.grad).toBeNull(); return; }
        expectTensor(built[i].base.grad as T, g, tolFor(g.dtype));
      });
    });
  });
});

describe('second-order gradients vs PyTorch', () => {
  REF.programs.forEach((p, idx) => {
    test(p.name, () => {
      const xs = p.inputs.map((s) => build(s, true).base);
      const y = call(p.op, p.eq, xs, p.opts);
      const w = torch.tensor(nest(lcg(5000 + idx, y.numel()), y.shape) as number[], { dtype: y.dtype });
      const gs = torch.autograd.grad(y.mul(w).sum(), xs, { createGraph: true }) as T[];
      gs.forEach((g, i) => expectTensor(g, p.first[i], tolFor('float32')));
      gs.map((g) => g.mul(g).sum()).reduce((a, b) => a.add(b)).backward();
      p.second.forEach((r, i) => {
        const g = xs[i].grad;
        if (r === null) { if (g) expect(g.abs().max().item()).toBe(0); return; }
        expectTensor(g as T, r, tolFor('float32'));
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// the kernel's paths against its naive reference: attrs [alpha, beta, path (1 naive, 2 blocked, 3 direct, 4 skinny,
// 5 small-side kernels (AVX-512; elsewhere blocked), 0 auto), micro-kernel (1 avx512, 2 avx2, 3 portable)]
// ---------------------------------------------------------------------------------------------------------------
function gemmRaw(out: T, a: T, b: T, attrs: number[]): T { runKernel(OP.matmul, [out, a, b], attrs); return out; }
function rand(shape: number[], dtype: torch.DType, seed: number): T {
  const n = shape.reduce((x, y) => x * y, 1);
  const flat = dtype === 'float64' ? new Float64Array(lcg(seed, n)) : new Float32Array(lcg(seed, n));
  return torch.tensor(flat).reshape(shape);
}
function maxRelErr(x: T, y: T): number {
  const a = x.toTypedArray() as Float32Array, b = y.toTypedArray() as Float32Array;
  let scale = 1e-30, err = 0;
  for (let i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(b[i])); err = Math.max(err, Math.abs(a[i] - b[i])); }
  return a.length ? err / scale : 0;
}
const ISAS = ['avx512', 'avx2', 'portable'];

describe('native GEMM paths vs naive', () => {
  const simd = native.info().simd;
  test(`machine SIMD: ${simd}`, () => { expect(['avx512', 'avx2', 'generic']).toContain(simd); });
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 300, 1], [3, 300, 2], [14, 32, 32], [15, 33, 17], [6, 16, 15],
    [97, 129, 65], [129, 257, 300], [200, 40, 513], [2, 1000, 2], [1000, 3, 7], [300, 600, 70], [20, 4096, 600],
    [8, 700, 1500], [1300, 33, 5], [5, 17, 3], [10, 64, 300], [64, 300, 10], [16, 90, 1100], [1100, 40, 13],
    // rows a multiple of 8 take the 8-row tile on AVX-512 (Note [tile shape per product]), ragged columns too
    [64, 600, 1000], [24, 70, 100], [56, 260, 49],
    // the 10-class output layer (Note [small-side kernels], path 5): forward, input and weight gradients at batch
    // 1, 16 and 64, ragged vectors, a short k, a k with a masked tail, one row, one column
    [64, 1000, 10], [64, 10, 1000], [10, 64, 1000], [1, 1000, 10], [1, 10, 1000], [10, 1, 1000], [16, 10, 1000],
    [10, 16, 999], [16, 999, 10], [17, 300, 9], [33, 257, 15], [3, 31, 130], [200, 7, 77], [1, 777, 1], [9, 260, 1]];
  for (const dtype of ['float32', 'float64'] as torch.DType[]) {
    for (const [m, k, n] of shapes) {
      if (dtype === 'float64' && k > 1000) continue;
      test(`${dtype} ${m}x${k}x${n}, all layouts, paths and micro-kernels`, () => {
        const seed = m * 7 + k * 13 + n;
        const layouts: [string, T, T][] = [
          ['NN', rand([m, k], dtype, seed), rand([k, n], dtype, seed + 1)],
          ['TN', rand([k, m], dtype, seed + 2).t(), rand([k, n], dtype, seed + 3)],
          ['NT', rand([m, k], dtype, seed + 4), rand([n, k], dtype, seed + 5).t()],
          ['TT', rand([k, m], dtype, seed + 6).t(), rand([n, k], dtype, seed + 7).t()],
        ];
        const tol = dtype === 'float64' ? 1e-12 : 2e-5 * Math.sqrt(k);
        for (const [name, a, b] of layouts) {
          const ref = gemmRaw(empty_([m, n], dtype), a, b, [1, 0, 1, 0]);
          for (const [path, isa] of [[0, 0], [3, 0], [4, 0], [5, 0], [2, 1], [2, 2], [2, 3]]) {
            const out = gemmRaw(torch.full([m, n], NaN, { dtype }), a, b, [1, 0, path, isa]);
            const e = maxRelErr(out, ref);
            if (!(e <= tol)) throw new Error(`${name} path ${path} ${ISAS[isa - 1] ?? 'auto'}: max rel err ${e}`);
          }
        }
      });
    }
  }

  test('alpha and beta on every path; beta 0 never reads the output', () => {
    const a = rand([37, 45], 'float32', 1), b = rand([45, 29], 'float32', 2), c0 = rand([37, 29], 'float32', 3);
    const ab = gemmRaw(empty_([37, 29], 'float32'), a, b, [1, 0, 1, 0]);
    for (const [path, isa] of [[1, 0], [2, 1], [2, 2], [2, 3], [3, 0]]) {
      for (const [alpha, beta] of [[1, 0], [2.5, 0], [1, 1], [-0.5, 0.75], [0.5, 1]]) {
        const out = beta === 0 ? torch.full([37, 29], NaN) : c0.clone();
        gemmRaw(out, a, b, [alpha, beta, path, isa]);
        const want = ab.mul(alpha).add(c0.mul(beta));
        expect(maxRelErr(out, want)).toBeLessThan(1e-5);
      }
    }
  });

  // Note [small-side kernels]: rows form (B read in place, A packed or read in place), its transposed use, B^T
  // copied for the dot form, B transposed into a scratch; C row-major or transposed (the tile buffer)
  test('small-side kernels: alpha and beta, every layout, C transposed, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as torch.DType[]) {
      for (const [m, k, n] of [[10, 64, 300], [64, 10, 300], [64, 300, 10], [1, 300, 10], [1, 10, 300], [15, 33, 70], [70, 20, 9]]) {
        const seed = m + 3 * k + 5 * n;
        const layouts: [string, T, T][] = [
          ['NN', rand([m, k], dtype, seed), rand([k, n], dtype, seed + 1)],
          ['TN', rand([k, m], dtype, seed + 2).t(), rand([k, n], dtype, seed + 3)],
          ['NT', rand([m, k], dtype, seed + 4), rand([n, k], dtype, seed + 5).t()],
          ['TT', rand([k, m], dtype, seed + 6).t(), rand([n, k], dtype, seed + 7).t()],
        ];
        const c0 = rand([m, n], dtype, seed + 8);
        const tol = dtype === 'float64' ? 1e-12 : 1e-5;
        for (const [name, a, b] of layouts) {
          const ab = gemmRaw(empty_([m, n], dtype), a, b, [1, 0, 1, 0]);
          for (const path of [0, 5]) {
            for (const [alpha, beta] of [[1, 0], [2.5, 0], [1, 1], [-0.5, 0.75]]) {
              const want = ab.mul(alpha).add(c0.mul(beta));
              const rowMajor = beta === 0 ? torch.full([m, n], NaN, { dtype }) : c0.clone();
              const colMajor = (beta === 0 ? torch.full([n, m], NaN, { dtype }) : c0.t().contiguous()).t();
              for (const [cName, out] of [['C', rowMajor], ['C^T', colMajor]] as [string, T][]) {
                gemmRaw(out, a, b, [alpha, beta, path, 0]);
                const e = maxRelErr(out.contiguous(), want);
                if (!(e <= tol)) throw new Error(`${dtype} ${m}x${k}x${n} ${name} ${cName} path ${path} alpha ${alpha} beta ${beta}: max rel err ${e}`);
              }
            }
          }
        }
      }
    }
  });

  test('k = 0 gives beta * C (zeros when beta is 0, even over NaN)', () => {
    const a = torch.zeros([3, 0]), b = torch.zeros([0, 4]);
    expect(gemmRaw(torch.full([3, 4], NaN), a, b, [1, 0]).tolist()).toEqual(torch.zeros([3, 4]).tolist());
    expect(gemmRaw(torch.full([3, 4], 2, { dtype: 'float32' }), a, b, [1, 0.5]).tolist()).toEqual(torch.ones([3, 4]).tolist());
    expect(torch.mm(a, b).tolist()).toEqual(torch.zeros([3, 4]).tolist());
  });

  test('batches: broadcast B folds into one product, broadcast A, many small products in parallel', () => {
    const A = rand([6, 33, 20], 'float32', 4), B2 = rand([20, 17], 'float32', 5);
    const Bb = B2.unsqueeze(0).expand([6, 20, 17]);
    const ref = torch.stack(A.unbind(0).map((x) => gemmRaw(empty_([33, 17], 'float32'), x, B2, [1, 0, 1, 0])));
    expect(maxRelErr(gemmRaw(empty_([6, 33, 17], 'float32'), A, Bb, [1, 0]), ref)).toBeLessThan(1e-5);
    const A2 = A.select(0, 0).unsqueeze(0).expand([6, 33, 20]);
    const B3 = rand([6, 20, 17], 'float32', 6);
    const ref2 = torch.stack(B3.unbind(0).map((y) => gemmRaw(empty_([33, 17], 'float32'), A.select(0, 0), y, [1, 0, 1, 0])));
    expect(maxRelErr(gemmRaw(empty_([6, 33, 17], 'float32'), A2, B3, [1, 0]), ref2)).toBeLessThan(1e-5);
    const X = rand([64, 12, 10], 'float32', 7), Y = rand([64, 10, 9], 'float32', 8);
    const fast = torch.bmm(X, Y), slow = gemmRaw(empty_([64, 12, 9], 'float32'), X, Y, [1, 0, 1, 0]);
    expect(maxRelErr(fast, slow)).toBeLessThan(1e-5);
  });

  test('large products through the public API agree with the naive kernel', () => {
    for (const [m, k, n] of [[256, 256, 256], [513, 129, 1031], [64, 784, 128]]) {
      const a = torch.randn([m, k]), b = torch.randn([n, k]).t();
      const ref = gemmRaw(empty_([m, n], 'float32'), a, b, [1, 0, 1, 0]);
      expect(maxRelErr(torch.matmul(a, b), ref)).toBeLessThan(2e-5 * Math.sqrt(k));
    }
    const a = torch.randn([3, 2, 100, 70], { dtype: 'float64' }), b = torch.randn([2, 70, 90], { dtype: 'float64' });
    const y = torch.matmul(a, b);
    const ref = torch.stack(a.unbind(0).map((ai) => torch.stack(ai.unbind(0).map((x, j) => gemmRaw(empty_([100, 90], 'float64'), x, b.select(0, j), [1, 0, 1, 0])))));
    expect(maxRelErr(y, ref)).toBeLessThan(1e-12);
  });
});

describe('dtypes and rules', () => {
  test('integer products wrap in their type, as PyTorch (int8 100*3 -> 44)', () => {
    const a = torch.full([2, 3], 100, { dtype: 'int8' }), b = torch.ones([3, 2], { dtype: 'int8' });
    expect(torch.matmul(a, b).tolist()).toEqual([[44, 44], [44, 44]]);
    const u = torch.full([2, 3], 100, { dtype: 'uint8' });
    expect(torch.matmul(u, torch.ones([3, 2], { dtype: 'uint8' })).tolist()).toEqual([[44, 44], [44, 44]]);
    const big = torch.tensor([[2 ** 31]], { dtype: 'int64' });
    expect(torch.mm(big, big).tolist()).toEqual([[2 ** 62]]);
  });

  test('int16, int32 and uint8 match float64 math on small values', () => {
    for (const dtype of ['int16', 'int32', 'uint8', 'int8'] as torch.DType[]) {
      const a = torch.randint(0, 5, [9, 11], { dtype }), b = torch.randint(0, 5, [11, 7], { dtype });
      const want = torch.mm(a.double(), b.double());
      expect(torch.mm(a, b).double().tolist()).toEqual(want.tolist());
    }
  });

  test('float16 and bfloat16 are computed in float32 and rounded once', () => {
    for (const dtype of ['float16', 'bfloat16'] as torch.DType[]) {
      const a = torch.randn([17, 40]).to(dtype), b = torch.randn([40, 9]).to(dtype);
      const y = torch.matmul(a, b);
      expect(y.dtype).toBe(dtype);
      const want = torch.matmul(a.float(), b.float()).to(dtype);
      expect(y.float().sub(want.float()).abs().max().item()).toBe(0);
    }
  });

  test('no dtype promotion, bool rejected, errors are TorchErrors and never crash', () => {
    expect(() => torch.matmul(torch.ones([2, 3]), torch.ones([3, 2], { dtype: 'float64' }))).toThrow('expected m1 and m2 to have the same dtype, but got: float != double');
    expect(() => torch.mm(torch.ones([2, 2], { dtype: 'bool' }), torch.ones([2, 2], { dtype: 'bool' }))).toThrow(torch.TorchError);
    expect(() => torch.matmul(torch.ones([2, 3]), 3 as unknown as T)).toThrow(torch.TorchError);
    expect(() => torch.einsum('ij,jk->ik', torch.ones([2, 3]))).toThrow(torch.TorchError);
    expect(() => torch.einsum('i$', torch.ones([2]))).toThrow(torch.TorchError);
    expect(() => torch.einsum('ij,jk->ik', torch.ones([2, 3]), torch.ones([3, 2], { dtype: 'float64' }))).toThrow(torch.TorchError);
    expect(() => torch.addmm(torch.ones([2, 2], { dtype: 'int64' }), torch.ones([2, 2], { dtype: 'int64' }), torch.ones([2, 2], { dtype: 'int64' }), { beta: 0.5 })).toThrow(torch.TorchError);
    const d = torch.ones([2, 2]);
    d.dispose();
    expect(() => torch.mm(d, torch.ones([2, 2]))).toThrow(torch.TorchError);
  });

  test('einsum accepts a list of operands and returns views where PyTorch does', () => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
    const t = torch.einsum('ij->ji', [x]);
    expect(t.shape).toEqual([4, 3]);
    expect(t.dataPtr().split(':')[0]).toBe(x.dataPtr().split(':')[0]);
    expect(torch.einsum('ii->i', torch.eye(3)).tolist()).toEqual([1, 1, 1]);
  });

  test('Tensor methods', () => {
    const a = torch.ones([2, 3]), b = torch.ones([3, 4]), v = torch.ones([3]);
    expect(a.matmul(b).shape).toEqual([2, 4]);
    expect(a.mm(b).shape).toEqual([2, 4]);
    expect(a.unsqueeze(0).bmm(b.unsqueeze(0)).shape).toEqual([1, 2, 4]);
    expect(a.mv(v).tolist()).toEqual([3, 3]);
    expect(v.dot(v).item()).toBe(3);
    expect(v.outer(torch.ones([2])).shape).toEqual([3, 2]);
    expect(v.ger(torch.ones([2])).shape).toEqual([3, 2]);
    expect(torch.zeros([2, 4]).addmm(a, b, { beta: 1, alpha: 2 }).tolist()).toEqual([[6, 6, 6, 6], [6, 6, 6, 6]]);
    expect(torch.zeros([1, 2, 4]).baddbmm(a.unsqueeze(0), b.unsqueeze(0)).shape).toEqual([1, 2, 4]);
    expect(torch.ones([2]).addmv(a, v, { beta: 0 }).tolist()).toEqual([3, 3]);
  });

  test('no tensors leak from a training-style loop', () => {
    const w = torch.randn([32, 16], { requiresGrad: true });
    const before = torch.memory().tensors;
    for (let i = 0; i < 20; i++) {
      torch.tidy(() => {
        const x = torch.randn([8, 4, 32]);
        const y = torch.einsum('bsi,io->bso', x, w).relu();
        torch.matmul(y, y.transpose(1, 2)).sum().backward();
      });
    }
    w.grad?.zero_();
    expect(torch.memory().tensors).toBeLessThanOrEqual(before + 1);  // + w.grad
  });
});
