// linalg.test.ts - torch.linalg and the torch.* linear-algebra functions against PyTorch 1.13 (test/ref/linalg.json,
// written by test/ref/gen_linalg.py): values and gradients in float64 and float32, batched, rank-deficient and singular
// inputs, and PyTorch's error messages. The decompositions are compared through quantities that do not depend on the
// sign convention (|U|, U diag(S) Vh, V*V), QR directly (Householder with LAPACK's signs); their gradients also
// against central finite differences of nodetorch's own forward.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { TorchError } from '../lib/errors';

type T = torch.Tensor;
type Nested = number | string | Nested[];
interface Case {
  name: string; dtype: 'float64' | 'float32' | 'int64'; inputs: Record<string, Nested>; shapes: Record<string, number[]>;
  outs?: Nested[]; out_shapes?: number[][]; W?: Nested[]; grads?: Record<string, Nested | null>; error?: string;
}
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/linalg.json'), 'utf8')) as { cases: Case[] };
const L = torch.linalg;

const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
function flat(x: Nested): number[] { return Array.isArray(x) ? x.flatMap(flat) : [num(x)]; }
function mk(x: Nested, shape: number[], dtype: string, grad = false): T {
  const t = torch.tensor(flat(x), { dtype: dtype as 'float64' }).reshape(shape);
  return grad ? t.requiresGrad_(true) : t;
}
function close(t: T, ref: Nested, shape: number[] | undefined, dtype: string, what: string, scale = 1): void {
  if (shape) expect({ what, shape: t.shape }).toEqual({ what, shape });
  const a = Array.from(t.to('float64').contiguous().dataSync() as Float64Array), b = flat(ref);
  expect(a.length).toBe(b.length);
  const tol = (dtype === 'float32' ? 2e-4 : 1e-9) * scale;
  const mag = Math.max(1, ...b.filter(Number.isFinite).map(Math.abs));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) { expect({ what, i, v: a[i] }).toEqual({ what, i, v: NaN }); continue; }
    if (!Number.isFinite(b[i])) { expect({ what, i, v: a[i] }).toEqual({ what, i, v: b[i] }); continue; }
    if (!(Math.abs(a[i] - b[i]) <= tol * mag)) throw new Error(`${what}[${i}]: ${a[i]} vs PyTorch ${b[i]} (tol ${tol * mag})`);
  }
}

// the nodetorch form of each case (the same quantities as gen_linalg.py's)
const eighInv = (A: T, UPLO: 'L' | 'U' = 'L'): T[] => {
  const [w, V] = L.eigh(A, UPLO);
  return [w, V.mul(V), V.mul(w.unsqueeze(-2)).matmul(V.mT)];
};
const svdInv = (A: T): T[] => {
  const { U, S, Vh } = L.svd(A, false);
  return [S, U.mul(S.unsqueeze(-2)).matmul(Vh), U.mul(U), Vh.mul(Vh)];
};
const FNS: Record<string, (a: Record<string, T>) => T | T[]> = {
  det: ({ A }) => L.det(A), det_batched: ({ A }) => L.det(A), det_singular: ({ A }) => L.det(A), torch_det: ({ A }) => torch.det(A),
  slogdet: ({ A }) => [...L.slogdet(A)], logdet: ({ A }) => torch.logdet(A), logdet_neg: ({ A }) => torch.logdet(A),
  inv: ({ A }) => L.inv(A), inv_batched: ({ A }) => L.inv(A), torch_inverse: ({ A }) => torch.inverse(A),
  solve: ({ A, B }) => L.solve(A, B), solve_vec: ({ A, B }) => L.solve(A, B), solve_bcast: ({ A, B }) => L.solve(A, B),
  solve_right: ({ A, B }) => L.solve(A, B, { left: false }),
  inv_singular: ({ A }) => L.inv(A), inv_singular_batched: ({ A }) => L.inv(A), solve_singular: ({ A, B }) => L.solve(A, B),
  svd_nan: ({ A }) => L.svdvals(A), inv_nonsquare: ({ A }) => L.inv(A), det_int: ({ A }) => L.det(A), inv_1d: ({ A }) => L.inv(A),
  cholesky: ({ A }) => L.cholesky(A), cholesky_batched_upper: ({ A }) => L.cholesky(A, { upper: true }),
  cholesky_notpd: ({ A }) => L.cholesky(A), cholesky_notpd_batched: ({ A }) => L.cholesky(A),
  solve_triangular_upper: ({ A, B }) => L.solveTriangular(A, B, { upper: true }),
  solve_triangular_lower_right: ({ A, B }) => L.solveTriangular(A, B, { upper: false, left: false }),
  solve_triangular_unit: ({ A, B }) => L.solveTriangular(A, B, { upper: false, unitriangular: true }),
  cholesky_solve: ({ B, Lm }) => torch.choleskySolve(B, Lm), cholesky_solve_upper: ({ B, Lm }) => torch.choleskySolve(B, Lm, true),
  qr_tall: ({ A }) => [...L.qr(A)], qr_square_complete: ({ A }) => [...L.qr(A, 'complete')], qr_wide: ({ A }) => [...L.qr(A)],
  qr_tall_complete: ({ A }) => [...L.qr(A, 'complete')], qr_r: ({ A }) => L.qr(A, 'r').R,
  eigh: ({ X }) => eighInv(X.add(X.mT)), eigh_batched_U: ({ X }) => eighInv(X.add(X.mT), 'U'), eigh_lower_only: ({ A }) => L.eigh(A).eigenvalues,
  eigvalsh: ({ X }) => L.eigvalsh(X.matmul(X.mT)),
  svd_tall: ({ A }) => svdInv(A), svd_wide_batched: ({ A }) => svdInv(A), svd_square: ({ A }) => svdInv(A),
  svd_full: ({ A }) => [L.svd(A).S, L.svd(A).U.abs().sum(-2).mul(0).add(1)], svdvals: ({ A }) => L.svdvals(A), svdvals_rankdef: ({ A }) => L.svdvals(A),
  pinv: ({ A }) => L.pinv(A), pinv_tall_batched: ({ A }) => L.pinv(A), pinv_rankdef: ({ A }) => L.pinv(A),
  pinv_hermitian: ({ A }) => L.pinv(A, { hermitian: true }), torch_pinverse: ({ A }) => torch.pinverse(A),
  matrix_rank: ({ A }) => L.matrixRank(A), matrix_rank_atol: ({ A }) => L.matrixRank(A, { atol: 1, rtol: 0 }),
  matrix_rank_hermitian: ({ A }) => L.matrixRank(A, { hermitian: true }), lstsq: ({ A, B }) => L.lstsq(A, B).solution,
  matrix_power3: ({ A }) => L.matrixPower(A, 3), matrix_power0: ({ A }) => L.matrixPower(A, 0), matrix_power_neg: ({ A }) => torch.matrixPower(A, -2),
  matrix_exp: ({ A }) => L.matrixExp(A), matrix_exp_big: ({ A }) => L.matrixExp(A),
  cross: ({ a, b }) => L.cross(a, b), cross_dim0: ({ a, b }) => L.cross(a, b, { dim: 0 }), multi_dot: ({ a, b, c }) => L.multiDot([a, b, c]),
  trace: ({ A }) => torch.trace(A), trace_method: ({ A }) => A.trace(), trace_3d: ({ A }) => torch.trace(A),
  diagonal: ({ A }) => L.diagonal(A, { offset: 1 }), vecdot: ({ x, y }) => L.vecdot(x, y),
  vector_norm_all_keepdim: ({ A }) => L.vectorNorm(A, 2, null, true), vector_norm_dtype: ({ A }) => L.vectorNorm(A, 2, null, false, { dtype: 'float64' }),
  matrix_norm_dims_keepdim: ({ A }) => L.matrixNorm(A, 1, [0, 2], true), matrix_norm_nuc_dims: ({ A }) => L.matrixNorm(A, 'nuc', [2, 0]),
  norm_default: ({ A }) => L.norm(A), norm_vec_ord: ({ A }) => L.norm(A, 3), norm_mat_ord: ({ A }) => L.norm(A, 'nuc'),
  norm_dim_int: ({ A }) => L.norm(A, 1, 1), vector_norm_int: ({ A }) => L.vectorNorm(A),
};
for (const o of [2, 1, 3, 0.5, Infinity, -Infinity, 0]) FNS[`vector_norm_${o === Infinity ? 'inf' : o === -Infinity ? '-inf' : o}`] = ({ A }) => L.vectorNorm(A, o, [1, 2]);
for (const o of ['fro', 'nuc', 2, -2, 1, -1, Infinity, -Infinity] as const) FNS[`matrix_norm_${o === Infinity ? 'inf' : o === -Infinity ? '-inf' : o}`] = ({ A }) => L.matrixNorm(A, o);

function inputsOf(c: Case, grad: boolean): Record<string, T> {
  const r: Record<string, T> = {};
  for (const k of Object.keys(c.inputs)) r[k] = mk(c.inputs[k], c.shapes[k], c.dtype, grad && c.dtype !== 'int64');
  return r;
}
const outsOf = (v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const LOOSE: Record<string, number> = { matrix_exp_big: 20, pinv_rankdef: 10, det_singular: 10 };

describe('torch.linalg vs PyTorch 1.13', () => {
  for (const c of REF.cases) {
    const fn = FNS[c.name];
    test(`${c.name} ${c.dtype}${c.error ? ' (error)' : ''}`, () => {
      expect(typeof fn).toBe('function');
      if (c.error) {
        let msg = '';
        try { fn(inputsOf(c, false)); } catch (e) { expect(e).toBeInstanceOf(TorchError); msg = (e as Error).message; }
        expect(msg).toBe(c.error);
        return;
      }
      const ins = inputsOf(c, !!c.grads);
      const outs = outsOf(fn(ins));
      expect(outs.length).toBe(c.outs!.length);
      outs.forEach((o, i) => close(o, c.outs![i], c.out_shapes![i], c.dtype, `${c.name} out ${i}`, LOOSE[c.name] ?? 1));
      if (!c.grads) return;
      let loss: T | null = null;
      outs.forEach((o, i) => { const t = o.mul(mk(c.W![i], c.out_shapes![i], c.dtype)).sum(); loss = loss ? loss.add(t) : t; });
      const names = Object.keys(ins);
      const gs = torch.autograd.grad(loss!, names.map((k) => ins[k]), { allowUnused: true });
      names.forEach((k, i) => {
        const ref = c.grads![k];
        if (ref === null) return;
        close(gs[i] as T, ref, c.shapes[k], c.dtype, `${c.name} grad ${k}`, 10 * (LOOSE[c.name] ?? 1));
      });
    });
  }
});

// central finite differences of nodetorch's own forward (float64) for the decompositions' gradients
describe('decomposition gradients vs finite differences', () => {
  const fd = (name: string, f: (A: T) => T | T[], A0: number[][]): void => {
    test(name, () => {
      const A = torch.tensor(A0, { dtype: 'float64' }).requiresGrad_(true);
      // sum_i sum(out_i * W_i), W_i fixed weights of out_i's shape
      const lossOf = (x: T): T => outsOf(f(x)).map((o, i) => o.mul(torch.arange(o.numel(), { dtype: 'float64' }).add(i).mul(0.7).sin().reshape(o.shape)).sum())
        .reduce((a, b) => a.add(b));
      const [g] = torch.autograd.grad(lossOf(A), [A]);
      const gd = g!.dataSync() as Float64Array;
      const h = 1e-6;
      for (let i = 0; i < A0.length; i++) for (let j = 0; j < A0[0].length; j++) {
        const p = A0.map((r) => r.slice()), m = A0.map((r) => r.slice());
        p[i][j] += h; m[i][j] -= h;
        const num = (lossOf(torch.tensor(p, { dtype: 'float64' })).item() - lossOf(torch.tensor(m, { dtype: 'float64' })).item()) / (2 * h);
        expect(Math.abs(gd[i * A0[0].length + j] - num)).toBeLessThan(1e-5 * Math.max(1, Math.abs(num)));
      }
    });
  };
  const A = [[2, 1, 0.5], [0.3, 3, 1], [0.7, 0.2, 1.5]];
  const S = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]];
  fd('det', (x) => L.det(x).reshape([1, 1]), A);
  fd('inv', (x) => L.inv(x), A);
  fd('cholesky', (x) => L.cholesky(x.add(x.mT).mul(0.5)), S);
  fd('qr Q and R (tall)', (x) => [...L.qr(x)], [[1, 2], [3, 4.5], [0.5, -1]]);
  fd('qr Q and R (wide)', (x) => [...L.qr(x)], [[1, 2, 0.3], [3, 4.5, -2]]);
  fd('slogdet', (x) => L.slogdet(x).logabsdet, A);
  fd('solve', (x) => L.solve(x, x.mT.matmul(x)), A);
  fd('eigvalsh', (x) => L.eigvalsh(x.matmul(x.mT)), A);
  fd('svd (wide, sign-free)', (x) => { const [U, s, Vh] = L.svd(x, false); return [U.mul(U), s, Vh.mul(Vh)]; }, [[1, 2, 0.3], [3, 4.5, -2]]);
  fd('eigh (sign-free)', (x) => { const [w, V] = L.eigh(x.add(x.mT)); return [V.mul(V), w]; }, A);
  fd('svd (sign-free)', (x) => { const [U, s, Vh] = L.svd(x, false); return [U.mul(U), s, Vh.mul(Vh)]; }, A);
  fd('pinv', (x) => L.pinv(x), [[1, 2, 0.5], [3, 4.5, 1]]);
  fd('solve_triangular', (x) => L.solveTriangular(x, x.mT.add(1), { upper: true }), A);
});

describe('torch.linalg: shapes and properties', () => {
  test('svd full_matrices: orthogonal U and Vh of full size, rank-deficient too', () => {
    for (const A of [torch.randn([5, 3], { dtype: 'float64' }), torch.tensor([[1, 2, 3], [2, 4, 6]], { dtype: 'float64' }), torch.zeros([3, 4], { dtype: 'float64' })]) {
      const { U, S, Vh } = L.svd(A);
      const [m, n] = A.shape;
      expect(U.shape).toEqual([m, m]); expect(Vh.shape).toEqual([n, n]); expect(S.shape).toEqual([Math.min(m, n)]);
      expect(U.mT.matmul(U).sub(torch.eye(m, { dtype: 'float64' })).abs().max().item()).toBeLessThan(1e-12);
      expect(Vh.matmul(Vh.mT).sub(torch.eye(n, { dtype: 'float64' })).abs().max().item()).toBeLessThan(1e-12);
      const k = Math.min(m, n);
      const rec = U.narrow(1, 0, k).mul(S.unsqueeze(0)).matmul(Vh.narrow(0, 0, k));
      expect(rec.sub(A).abs().max().item()).toBeLessThan(1e-12);
    }
  });
  test('eigh: A V = V diag(w), orthonormal V', () => {
    const X = torch.randn([3, 6, 6], { dtype: 'float64' }), A = X.add(X.mT);
    const { eigenvalues: w, eigenvectors: V } = L.eigh(A);
    expect(A.matmul(V).sub(V.mul(w.unsqueeze(-2))).abs().max().item()).toBeLessThan(1e-12);
    expect(V.mT.matmul(V).sub(torch.eye(6, { dtype: 'float64' })).abs().max().item()).toBeLessThan(1e-12);
  });
  test("trace's gradient on a tall matrix is the main diagonal's pattern", () => {
    const x = torch.randn([4, 2], { dtype: 'float64' }).requiresGrad_(true);
    x.trace().backward();
    expect(x.grad!.tolist()).toEqual([[1, 0], [0, 1], [0, 0], [0, 0]]);
  });
  test('half and bfloat16 are refused as PyTorch does', () => {
    expect(() => L.inv(torch.eye(2).to('bfloat16'))).toThrow(/^linalg\.inv: Low precision dtypes not supported\. Got BFloat16$/);
    expect(() => L.svd(torch.eye(2).to('float16'))).toThrow(/^linalg\.svd: Low precision dtypes not supported\. Got Half$/);
  });
  test('trace of an integer matrix is int64, as PyTorch', () => {
    const t = torch.trace(torch.tensor([[1, 2], [3, 4]], { dtype: 'int32' }));
    expect(t.dtype).toBe('int64');
    expect(t.item()).toBe(5);
  });
  test('vecdot is the sum of products over dim', () => {
    const x = torch.randn([2, 3]), y = torch.randn([2, 3]);
    expect(L.vecdot(x, y).sub(x.mul(y).sum(-1)).abs().max().item()).toBe(0);
    expect(L.vecdot(x, y, { dim: 0 }).shape).toEqual([3]);
  });
  test('empty batches and 0x0 matrices', () => {
    expect(L.det(torch.zeros([0, 3, 3])).shape).toEqual([0]);
    expect(L.det(torch.zeros([0, 0])).item()).toBe(1);
    expect(L.inv(torch.zeros([2, 0, 0])).shape).toEqual([2, 0, 0]);
  });
  test('CUDA tensors are refused by name', () => {
    const fake = Object.create(torch.zeros([2, 2])) as T;
    Object.defineProperty(fake, 'isCuda', { get: () => true });
    expect(() => L.inv(fake)).toThrow(/linalg\.inv: CUDA tensors are not supported/);
  });
  // with a CUDA build (or the CUDA emulator's: NODETORCH_ADDON=build-emu/...) a real CUDA tensor
  (torch.cuda.isAvailable() ? test : test.skip)('CUDA tensors are refused by every factorization', () => {
    const A = torch.eye(3).cuda();
    for (const [name, f] of [['inv', () => L.inv(A)], ['svd', () => L.svd(A)], ['det', () => torch.det(A)], ['solve', () => L.solve(A, A)],
      ['cholesky', () => L.cholesky(A)], ['qr', () => L.qr(A)], ['eigh', () => L.eigh(A)]] as [string, () => unknown][]) {
      expect(f).toThrow(new RegExp(`^linalg\\.${name}: CUDA tensors are not supported .*A is on cuda:0`));
    }
  });
  test('solve_triangular requires upper', () => {
    expect(() => (L.solveTriangular as (a: T, b: T, o: object) => T)(torch.eye(2), torch.eye(2), {})).toThrow(/linalg\.solve_triangular\(\): missing required argument 'upper'/);
  });
});
