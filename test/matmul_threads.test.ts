// matmul_threads.test.ts - the blocked GEMM's several-thread driver (native/cpu/gemm.cc run_par: B slabs shared by
// the threads, A blocks or column ranges split between them) gives the one-thread result bit for bit: every C tile
// sums its K blocks in the same order with the same micro-kernel, whichever thread computes it. Shapes cover
// several K slabs, several N slabs, ragged edges, transposed operands, beta, float64 and each micro-kernel; the
// one-thread result is itself checked against the naive reference loop. (The float64 cases sum float32-exact
// values, so they cannot see a summation order; they check that every tile is written once, from a NaN-filled C.)
import * as torch from '../lib/index';
import { lcg } from './helpers';
import { runKernel, empty_ } from '../lib/tensor';
import { OP } from '../lib/ops/ids';

type T = torch.Tensor;
const ISAS = [1, 2, 3]; // avx512, avx2, portable (each falls back to the next where the CPU lacks it)

function gemmRaw(out: T, a: T, b: T, attrs: number[]): T { runKernel(OP.matmul, [out, a, b], attrs); return out; }
function rand(shape: number[], dtype: 'float32' | 'float64', seed: number): T {
  const n = shape.reduce((x, y) => x * y, 1);
  const flat = dtype === 'float64' ? new Float64Array(lcg(seed, n)) : new Float32Array(lcg(seed, n));
  return torch.tensor(flat).reshape(shape);
}
function sameBits(x: T, y: T): number {  // index of the first differing element, -1 when none
  const a = x.contiguous().toTypedArray(), b = y.contiguous().toTypedArray();
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return Math.floor(i / w);
  return -1;
}

// a product's operands in layout lay ('nn', 'nt': B transposed, 'tn': A transposed), a C for beta, the naive kernel's
// one-thread result (alpha 1.5) and the tolerance against it
function operands(dtype: 'float32' | 'float64', m: number, k: number, n: number, lay: string): { a: T; b: T; c0: T; naive: T; tol: number } {
  const a = lay === 'tn' ? rand([k, m], dtype, m + k).t() : rand([m, k], dtype, m + k);
  const b = lay === 'nt' ? rand([n, k], dtype, n + 7).t() : rand([k, n], dtype, n + 7);
  const c0 = rand([m, n], dtype, 99);
  torch.setNumThreads(1);
  const naive = gemmRaw(empty_([m, n], dtype), a, b, [1.5, 0, 1, 0]);
  return { a, b, c0, naive, tol: dtype === 'float32' ? 1e-4 : 1e-12 };
}

describe('blocked matmul on several threads', () => {
  const threads0 = torch.getNumThreads();
  afterEach(() => torch.setNumThreads(threads0));

  // [m, k, n, layout]: 'nn', 'nt' (B transposed), 'tn' (A transposed)
  const SHAPES: [number, number, number, string][] = [
    [300, 700, 260, 'nn'],   // three K slabs, M split into blocks
    [64, 300, 1100, 'nt'],   // few rows: column ranges split
    [45, 520, 300, 'tn'],    // rows fewer than 4 slivers per thread on AVX-512, transposed A
    [129, 40, 5000, 'nn'],   // N over one slab (float32 NC = 4096 at KC 256)
    [517, 257, 97, 'nt'],    // ragged everywhere
    [64, 784, 1000, 'nt'],   // a batch-64 Linear: the 8-row tile (Note [tile shape per product]), ragged columns
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [m, k, n, lay] of SHAPES) {
      test(`${dtype} ${m}x${k}x${n} ${lay}: 1, 2 and 3 threads agree bit for bit, beta 0 and 0.5`, () => {
        const { a, b, c0, naive, tol } = operands(dtype, m, k, n, lay);
        for (const isa of ISAS) {
          torch.setNumThreads(1);
          const one = gemmRaw(torch.full([m, n], NaN, { dtype }), a, b, [1.5, 0, 2, isa]);
          const oneBeta = gemmRaw(c0.clone(), a, b, [1.5, 0.5, 2, isa]);
          const err = one.sub(naive).abs().max().item() / naive.abs().max().item();
          expect(err).toBeLessThan(tol);
          for (const th of [2, 3]) {
            torch.setNumThreads(th);
            const many = gemmRaw(torch.full([m, n], NaN, { dtype }), a, b, [1.5, 0, 2, isa]);
            const manyBeta = gemmRaw(c0.clone(), a, b, [1.5, 0.5, 2, isa]);
            expect(`isa ${isa} threads ${th}: ${sameBits(many, one)}`).toBe(`isa ${isa} threads ${th}: -1`);
            expect(`isa ${isa} threads ${th} beta: ${sameBits(manyBeta, oneBeta)}`).toBe(`isa ${isa} threads ${th} beta: -1`);
          }
        }
      });
    }
  }
});

// Note [small-side kernels]: threads split the columns (or the dot form's blocks) of C, and each element is one
// accumulator over k in order whatever the split, so 2 and 3 threads give the one-thread result bit for bit. Path 5
// forks from m*n*k >= 2^19 (3 threads from 3 * 2^18, as the blocked path), the auto path from 2^21 (2^20 a thread)
describe('small-side matmul kernels on several threads', () => {
  const threads0 = torch.getNumThreads();
  afterEach(() => torch.setNumThreads(threads0));
  const SHAPES: [number, number, number, string][] = [
    [10, 80, 1024, 'tn'],    // the weight gradient dy^T @ x of a 10-class layer (A read in place)
    [10, 80, 1000, 'nt'],    // ... with x stored transposed: B transposed into a scratch
    [80, 10, 1024, 'nn'],    // its input gradient dy @ W (k = 10), 8-row blocks
    [80, 1024, 10, 'nt'],    // its forward x @ W^T: the dot form
    [80, 1000, 10, 'nn'],    // ... with W^T stored: B^T copied, dot form
    [256, 10, 1000, 'tn'],   // transposed A: C^T = B^T A^T
    [1, 400, 2000, 'nn'],    // one row, many columns
    [13, 80, 777, 'nn'],     // ragged: 13-row tile, masked last vector
    [10, 256, 1000, 'tn'],   // batch 256: two threads on the auto path too
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [m, k, n, lay] of SHAPES) {
      test(`${dtype} ${m}x${k}x${n} ${lay}: auto and small paths, 1, 2 and 3 threads agree bit for bit, beta 0 and 0.5`, () => {
        const { a, b, c0, naive, tol } = operands(dtype, m, k, n, lay);
        for (const path of [0, 5]) {
          torch.setNumThreads(1);
          const one = gemmRaw(torch.full([m, n], NaN, { dtype }), a, b, [1.5, 0, path, 0]);
          const oneBeta = gemmRaw(c0.clone(), a, b, [1.5, 0.5, path, 0]);
          const err = one.sub(naive).abs().max().item() / naive.abs().max().item();
          expect(err).toBeLessThan(tol);
          for (const th of [2, 3]) {
            torch.setNumThreads(th);
            const many = gemmRaw(torch.full([m, n], NaN, { dtype }), a, b, [1.5, 0, path, 0]);
            const manyBeta = gemmRaw(c0.clone(), a, b, [1.5, 0.5, path, 0]);
            expect(`path ${path} threads ${th}: ${sameBits(many, one)}`).toBe(`path ${path} threads ${th}: -1`);
            expect(`path ${path} threads ${th} beta: ${sameBits(manyBeta, oneBeta)}`).toBe(`path ${path} threads ${th} beta: -1`);
          }
        }
      });
    }
  }
});
