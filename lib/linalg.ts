// linalg.ts - torch.linalg (PyTorch 1.13 semantics, camelCase names) and the torch.* linear-algebra functions built
// on it (det, logdet, inverse, pinverse, matrixPower, choleskySolve). The factorizations run in native/cpu/linalg.cc
// (OP(linalg)): LU with partial pivoting, Cholesky, Householder QR, cyclic-Jacobi eigh, one-sided Jacobi SVD and the
// triangular solve, in double for float32 and float64 inputs (one rounding back to float32), batched over the leading
// dims. Gradients are PyTorch's backward formulas (FunctionsManual.cpp), recorded under PyTorch's node names; the ops
// that PyTorch composes (matrix_norm, pinv's use of svd, cholesky_solve, lstsq's solution, matrix_power, multi_dot,
// cross, vecdot) are composed of differentiable nodetorch ops here too. CUDA tensors are refused (no cuSOLVER).
import { Tensor, empty_, runKernel } from './tensor';
import { DType, DTypeName, isFloating } from './dtype';
import { OP } from './ops/ids';
import { TorchError } from './errors';
import { record } from './autograd/engine';
import { noGrad } from './autograd/mode';
import * as E from './ops/elementwise';
import * as R from './ops/reduce';
import { eye, zeros } from './ops/creation';
import * as Sh from './ops/shape';

type T = Tensor;
const K = { LU: 0, LU_SOLVE: 1, CHOL: 2, QR: 3, EIGH: 4, SVD: 5, TRSM: 6 } as const;
const F64: DType = 'float64';

// ---- checks -------------------------------------------------------------------------------------------------------
function checkInput(A: unknown, op: string, name = 'A'): T {
  if (!(A instanceof Tensor)) throw new TypeError(`linalg.${op}(): argument '${name}' must be Tensor, not ${A === null ? 'None' : typeof A}`);
  if (A.isCuda) throw new TorchError(`linalg.${op}: CUDA tensors are not supported (nodetorch's linalg kernels are CPU only; ${name} is on ${A.device}): compute on the CPU with ${name}.cpu()`);
  if (!isFloating(A.dtype)) throw new TorchError(`linalg.${op}: Expected a floating point or complex tensor as input. Got ${E.typeName(A.dtype)}`);
  if (A.dtype === 'float16' || A.dtype === 'bfloat16') throw new TorchError(`linalg.${op}: Low precision dtypes not supported. Got ${E.typeName(A.dtype)}`);
  return A;
}
function checkMatrix(A: T, op: string, name = 'A'): void {
  if (A.ndim < 2) throw new TorchError(`linalg.${op}: The input tensor ${name} must have at least 2 dimensions.`);
}
function checkSquare(A: T, op: string, name = 'A'): void {
  checkMatrix(A, op, name);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1];
  if (m !== n) throw new TorchError(`linalg.${op}: ${name} must be batches of square matrices, but they are ${m} by ${n} matrices`);
}
function batchMsg(op: string, b: number, batched: boolean, msg: string): string {
  return `linalg.${op}: ${batched ? `(Batch element ${b}): ` : ''}${msg}`;
}

// ---- raw kernels (no autograd): float64 contiguous copies ------------------------------------------------------
function f64(A: T): T { return noGrad(() => E.contiguous(E.toDtype(A.detach(), F64))); }
function back(x: T, dt: DType): T { return dt === F64 ? x : noGrad(() => E.toDtype(x, dt)); }
function kern(code: number, ts: T[], attrs: number[], op: string): void { runKernel(OP.linalg, ts, [code, ...attrs], `linalg.${op}`); }
function batchOf(A: T): number[] { return A.shape.slice(0, A.ndim - 2); }
const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

interface LU { lu: T; piv: T; info: Float64Array }
function luRaw(A: T, op: string): LU {
  const n = A.shape[A.ndim - 1], bs = batchOf(A);
  const lu = f64(A).clone();
  const piv = empty_([...bs, n], F64, A.device);
  const info = empty_(bs.length ? bs : [1], F64, A.device);
  if (prod(bs) > 0 && n > 0) kern(K.LU, [lu, piv, info], [], op);
  else if (prod(bs) > 0) E.fill_(info, 0);
  return { lu, piv, info: prod(bs) > 0 ? (info.dataSync() as Float64Array) : new Float64Array(0) };
}
function luSolveRaw(f: LU, B: T, op: string): T {  // B [..., n, k] float64 contiguous, batch of f.lu
  const X = f64(B).clone();
  if (X.numel() > 0) kern(K.LU_SOLVE, [X, f.lu, f.piv], [], op);
  return X;
}
function singularCheck(f: LU, op: string, batched: boolean): void {
  for (let b = 0; b < f.info.length; b++) {
    if (f.info[b] > 0) {
      if (op === 'solve') throw new TorchError(`torch.linalg.solve: ${batched ? `(Batch element ${b}): ` : ''}The solver failed because the input matrix is singular.`);
      throw new TorchError(batchMsg(op, b, batched, `The diagonal element ${f.info[b]} is zero, the inversion could not be completed because the input matrix is singular.`));
    }
  }
}
function trsmRaw(A: T, B: T, upper: boolean, unit: boolean, op: string): T {  // A [..., n, n], B [..., n, k] same batch
  const X = f64(B).clone();
  if (X.numel() > 0) kern(K.TRSM, [X, f64(A)], [upper ? 1 : 0, unit ? 1 : 0], op);
  return X;
}

// broadcast the batch dims of A [.., n, n] and B [.., n, k]
function broadcastBatch(A: T, B: T): [T, T] {
  const bs = Sh.broadcastShapesList(batchOf(A), batchOf(B));
  return [A.expand([...bs, ...A.shape.slice(-2)]), B.expand([...bs, ...B.shape.slice(-2)])];
}

// ---- det, slogdet, logdet -------------------------------------------------------------------------------------
function detsOf(f: LU, n: number): { sign: number[]; logabs: number[]; det: number[] } {
  const lu = f.lu.dataSync() as Float64Array, piv = f.piv.dataSync() as Float64Array;
  const B = f.info.length, sign: number[] = [], logabs: number[] = [], det: number[] = [];
  for (let b = 0; b < B; b++) {
    let s = 1, la = 0, d = 1;
    for (let i = 0; i < n; i++) {
      const u = lu[b * n * n + i * n + i];
      if (piv[b * n + i] !== i) { s = -s; d = -d; }
      d *= u;
      if (u < 0) s = -s;
      la += Math.log(Math.abs(u));
      if (u === 0) s = 0;
    }
    if (Number.isNaN(la)) s = NaN;
    sign.push(s); logabs.push(la); det.push(d);
  }
  return { sign, logabs, det };
}
function fromHost(vals: number[], shape: number[], dt: DType, like: T): T {
  const t = empty_(shape, F64, like.device);
  if (vals.length) E.writeHost(t, Float64Array.from(vals));
  return back(t, dt);
}

export function det(A: T): T {
  checkInput(A, 'det'); checkSquare(A, 'det');
  const n = A.shape[A.ndim - 1];
  const { det: d } = detsOf(luRaw(A, 'det'), n);
  const out = fromHost(d, batchOf(A), A.dtype, A);
  // LinalgDetBackward0: the cofactor matrix, from the SVD so that singular inputs get their (finite) gradient:
  // d det / dA = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh
  return record('LinalgDetBackward0', [A], out, (g) => {
    const { U, S, Vh } = svdRaw(A, false, 'det');
    const s = S.dataSync() as Float64Array;
    const B = prod(batchOf(A)), p: number[] = [];
    const du = detsOf(luRaw(U, 'det'), n).det, dv = detsOf(luRaw(Vh, 'det'), n).det;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) {
        let v = du[b] * dv[b];
        for (let j = 0; j < n; j++) if (j !== i) v *= s[b * n + j];
        p.push(v);
      }
    }
    const P = fromHost(p, [...batchOf(A), 1, n], g.dtype, A);
    const cof = E.mul(U.to(g.dtype), P).matmul(Vh.to(g.dtype));
    // PyTorch 1.13 gives an exactly singular matrix (det 0) a zero gradient; so does this
    const nz = E.toDtype(E.ne(out, 0), g.dtype).unsqueeze(-1).unsqueeze(-1);
    return [E.mul(E.mul(g.unsqueeze(-1).unsqueeze(-1), cof), nz)];
  });
}

export interface SlogdetResult extends Array<T> { 0: T; 1: T; sign: T; logabsdet: T }
function pair2<A extends string, B extends string>(a: A, x: T, b: B, y: T): [T, T] & Record<A | B, T> {
  return Object.assign([x, y] as [T, T], { [a]: x, [b]: y }) as [T, T] & Record<A | B, T>;
}
export function slogdet(A: T): Slogdet {
  checkInput(A, 'slogdet'); checkSquare(A, 'slogdet');
  const n = A.shape[A.ndim - 1];
  const { sign, logabs } = detsOf(luRaw(A, 'slogdet'), n);
  const s = fromHost(sign, batchOf(A), A.dtype, A);
  let la = fromHost(logabs, batchOf(A), A.dtype, A);
  // LinalgSlogdetBackward0: d logabsdet / dA = A^-T
  la = record('LinalgSlogdetBackward0', [A], la, (g) => [E.mul(g.unsqueeze(-1).unsqueeze(-1), inv(A.detach()).mT)]);
  return pair2('sign', s, 'logabsdet', la);
}

// torch.logdet: nan for a negative determinant, -inf for a zero one
export function logdet(A: T): T {
  checkInput(A, 'logdet'); checkSquare(A, 'logdet');
  const { sign, logabsdet } = slogdet(A);
  return E.where(E.lt(sign, 0), NaN, logabsdet);
}

// ---- inv, solve -------------------------------------------------------------------------------------------------
export function inv(A: T): T {
  checkInput(A, 'inv'); checkSquare(A, 'inv');
  const n = A.shape[A.ndim - 1];
  const f = luRaw(A, 'inv');
  singularCheck(f, 'inv', A.ndim > 2);
  const I = noGrad(() => E.contiguous(eye(n, { dtype: 'float64' }).expand(A.shape.slice())));
  const out = back(luSolveRaw(f, I, 'inv'), A.dtype);
  // LinalgInvExBackward0: -A^-T g A^-T
  return record('LinalgInvExBackward0', [A], out, (g) => {
    const iT = out.mT;
    return [E.neg(iT.matmul(g).matmul(iT))];
  });
}

function solveCore(A: T, B: T, op: string): T {  // A^-1 B for A [.., n, n], B [.., n, k] (same batch shape)
  const f = luRaw(A, op);
  singularCheck(f, op, A.ndim > 2);
  return luSolveRaw(f, B, op);
}

export function solve(A: T, B: T, left = true): T {
  checkInput(A, 'solve'); checkInput(B, 'solve', 'B'); checkSquare(A, 'solve');
  if (A.dtype !== B.dtype) throw new TorchError(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${E.typeName(A.dtype)} and B of type ${E.typeName(B.dtype)} instead`);
  const n = A.shape[A.ndim - 1];
  // B is a (batch of) vector(s) when it is 1-D, or when its shape is A's without the last dim (PyTorch 1.13's rule)
  const vec = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  let B2 = vec ? B.unsqueeze(left ? -1 : -2) : B;
  if (!left) { const X = solve(A.mT, B2.mT); return vec ? X.mT.squeeze(-2) : X.mT; }
  if (B2.shape[B2.ndim - 2] !== n) {
    throw new TorchError(`linalg.solve: Incompatible shapes of A and B for the equation AX = B (${A.shape.join('x')} and ${B.shape.join('x')})`);
  }
  const [Ab, Bb] = broadcastBatch(A, B2);
  B2 = Bb;
  const X64 = solveCore(Ab, B2, 'solve');
  const Xout = back(X64, A.dtype);
  // LinalgSolveExBackward0: gB = A^-T g, gA = -gB X^T (summed back to the inputs' broadcast shapes)
  const X = record('LinalgSolveExBackward0', [A, B], Xout, (g) => {
    const gB = back(solveCore(Ab.mT, g, 'solve'), g.dtype);
    const gA = E.neg(gB.matmul(Xout.mT));
    return [sumTo(gA, A.shape), sumTo(vec ? gB.squeeze(-1) : gB, B.shape)];
  });
  return vec ? X.squeeze(-1) : X;
}

function sumTo(g: T, shape: number[]): T {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? g.sum(dims, true) : g;
  if (lead) r = r.reshape(shape);
  return r;
}

// ---- cholesky, cholesky_solve, solve_triangular -----------------------------------------------------------------
export function cholesky(A: T, upper = false): T {
  checkInput(A, 'cholesky'); checkSquare(A, 'cholesky');
  const bs = batchOf(A);
  // the lower triangle is read (the upper one for upper=true: its transpose's lower triangle)
  const L = f64(upper ? A.mT : A).clone();
  const info = empty_(bs.length ? bs : [1], F64, A.device);
  if (L.numel() > 0) {
    kern(K.CHOL, [L, info], [], 'cholesky');
    const inf = info.dataSync() as Float64Array;
    for (let b = 0; b < inf.length; b++) {
      if (inf[b] > 0) throw new TorchError(batchMsg('cholesky', b, A.ndim > 2, `The factorization could not be completed because the input is not positive-definite (the leading minor of order ${inf[b]} is not positive-definite).`));
    }
  }
  const Lo = back(L, A.dtype);
  const out = upper ? Lo.mT : Lo;
  // LinalgCholeskyExBackward0 (FunctionsManual cholesky_backward): gA = L^-H Φ(L^H gL) L^-1, Φ = the symmetric part
  // of the lower triangle with the diagonal halved
  return record('LinalgCholeskyExBackward0', [A], out, (g) => {
    const gl = upper ? g.mT : g;
    let gA = Lo.mT.matmul(gl).tril();
    gA = E.mulScalar(E.add(gA, gA.tril(-1).mT), 0.5);
    gA = solveTriangularRaw(Lo.mT, gA, true, true, false);
    gA = solveTriangularRaw(Lo, gA, false, false, false);
    return [gA];
  });
}

function solveTriangularRaw(A: T, B: T, upper: boolean, left: boolean, unit: boolean): T {
  if (!left) return solveTriangularRaw(A.mT, B.mT, !upper, true, unit).mT;
  const [Ab, Bb] = broadcastBatch(A, B);
  return back(trsmRaw(Ab, Bb, upper, unit, 'solve_triangular'), B.dtype);
}

export function solveTriangular(A: T, B: T, upper: boolean, left = true, unit = false): T {
  checkInput(A, 'solve_triangular'); checkInput(B, 'solve_triangular', 'B');
  if (typeof upper !== 'boolean') throw new TypeError(`linalg.solve_triangular() missing required keyword argument 'upper' (bool)`);
  checkSquare(A, 'solve_triangular'); checkMatrix(B, 'solve_triangular', 'B');
  if (A.dtype !== B.dtype) throw new TorchError(`linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type ${E.typeName(A.dtype)} and B of type ${E.typeName(B.dtype)} instead`);
  const n = A.shape[A.ndim - 1];
  if ((left ? B.shape[B.ndim - 2] : B.shape[B.ndim - 1]) !== n) {
    throw new TorchError(`linalg.solve_triangular: Incompatible shapes of A and B for the equation ${left ? 'AX = B' : 'XA = B'} (${A.shape.join('x')} and ${B.shape.join('x')})`);
  }
  // only the triangle is read
  const At = upper ? (unit ? A.triu(1) : A.triu()) : (unit ? A.tril(-1) : A.tril());
  const X = solveTriangularRaw(At.detach(), B.detach(), upper, left, unit);
  // LinalgSolveTriangularBackward0: gB = A^-T g (left) / g A^-T (right); gA = -gB X^T / -X^T gB on the triangle
  return record('LinalgSolveTriangularBackward0', [A, B], X, (g) => {
    const Ad = At.detach();
    const gB = left ? solveTriangularRaw(Ad.mT, g, !upper, true, unit) : solveTriangularRaw(Ad.mT, g, !upper, false, unit);
    let gA = left ? E.neg(gB.matmul(X.mT)) : E.neg(X.mT.matmul(gB));
    gA = upper ? gA.triu(unit ? 1 : 0) : gA.tril(unit ? -1 : 0);
    return [sumTo(gA, A.shape), sumTo(gB, B.shape)];
  });
}

// torch.cholesky_solve(B, L, upper=False): A^-1 B for A = L L^T (or U^T U)
export function choleskySolve(B: T, L: T, upper = false): T {
  checkInput(B, 'cholesky_solve', 'input'); checkInput(L, 'cholesky_solve', 'input2');
  checkSquare(L, 'cholesky_solve', 'input2'); checkMatrix(B, 'cholesky_solve', 'input');
  const Ld = L.detach(), Bd = B.detach();
  const X = noGrad(() => (upper ? solveTriangular(Ld, solveTriangular(Ld.mT, Bd, false), true) : solveTriangular(Ld.mT, solveTriangular(Ld, Bd, false), true)));
  // CholeskySolveBackward0 (PyTorch's cholesky_solve_backward: the factor as a full matrix, A = L L^T or U^T U):
  // gB = cholesky_solve(g, L), C = gB X^T + X gB^T, gL = -C L (lower) / -U C (upper)
  return record('CholeskySolveBackward0', [B, L], X, (g) => {
    const gB = choleskySolve(g, Ld, upper);
    const C0 = gB.matmul(X.mT);
    const C = E.add(C0, C0.mT);
    return [sumTo(gB, B.shape), sumTo(E.neg(upper ? Ld.matmul(C) : C.matmul(Ld)), L.shape)];
  });
}

// ---- qr -----------------------------------------------------------------------------------------------------------
export function qr(A: T, mode: 'reduced' | 'complete' | 'r' = 'reduced'): QR {
  checkInput(A, 'qr'); checkMatrix(A, 'qr');
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') throw new TorchError(`qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], k = Math.min(m, n), bs = batchOf(A);
  const qc = mode === 'complete' ? m : mode === 'r' ? 0 : k;
  const rr = mode === 'complete' ? m : k;
  const Q64 = empty_([...bs, m, qc], F64, A.device), R64 = empty_([...bs, rr, n], F64, A.device);
  if (A.numel() > 0) kern(K.QR, [Q64, R64, f64(A)], [qc], 'qr');
  else noGrad(() => { E.fill_(R64, 0); if (qc) E.fill_(Q64, 0); if (qc && m) E.copyInto(Q64, eye(m, qc, { dtype: 'float64' }).expand(Q64.shape.slice())); });
  const Q = back(Q64, A.dtype), Rr = back(R64, A.dtype);
  if (mode === 'r') {
    const Qe = empty_([0], A.dtype, A.device);
    const Rg = record('LinalgQrBackward0', [A], Rr, () => {
      throw new TorchError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    });
    return pair2('Q', Qe, 'R', Rg);
  }
  // LinalgQrBackward0: one node on [Q | R^T] packed along the last dim, Q and R its views
  if (mode === 'complete' && m > n && A.requiresGrad) {
    const Rg = record('LinalgQrBackward0', [A], Rr, () => { throw new TorchError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols."); });
    const Qg = record('LinalgQrBackward0', [A], Q, () => { throw new TorchError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols."); });
    return pair2('Q', Qg, 'R', Rg);
  }
  const qw = Q.shape[Q.ndim - 1];
  // Q [.., m, qw] and R [.., rr, n] have different shapes: pack them flattened
  const flat = noGrad(() => Sh.cat([Q.reshape([...bs, m * qw]), Rr.reshape([...bs, rr * n])], -1));
  const node = record('LinalgQrBackward0', [A], flat, (g) => {
    const gQ = g.narrow(-1, 0, m * qw).reshape([...bs, m, qw]);
    const gR = g.narrow(-1, m * qw, rr * n).reshape([...bs, rr, n]);
    return [qrBackward(gQ, gR, Q, Rr, m, n)];
  });
  const Qo = node.narrow(-1, 0, m * qw).reshape([...bs, m, qw]);
  const Ro = node.narrow(-1, m * qw, rr * n).reshape([...bs, rr, n]);
  return pair2('Q', Qo, 'R', Ro);
}

// A = QR (m >= n, reduced): gA = (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q; m < n: A = [X | Y], X = Q R1
function qrBackward(gQ: T, gR: T, Q: T, Rm: T, m: number, n: number): T {
  const copyltu = (M: T): T => E.add(M.tril(-1), M.tril().mT);
  if (m >= n) {
    const M = E.sub(Rm.matmul(gR.mT), gQ.mT.matmul(Q));
    const b = E.add(gQ, Q.matmul(copyltu(M)));
    return solveTriangularRaw(Rm.mT, b, false, false, false);  // X R^T = b
  }
  const R1 = Rm.narrow(-1, 0, m), gR1 = gR.narrow(-1, 0, m), gR2 = gR.narrow(-1, m, n - m);
  const Y = Q.matmul(Rm.narrow(-1, m, n - m));
  const gQ2 = E.add(gQ, Y.matmul(gR2.mT));
  const gX = qrBackward(gQ2, gR1, Q, R1, m, m);
  const gY = Q.matmul(gR2);
  return Sh.cat([gX, gY], -1);
}

// ---- eigh, eigvalsh -----------------------------------------------------------------------------------------------
function symmetricFrom(A: T, UPLO: string): T {
  // the lower (UPLO 'L') or upper ('U') triangle, mirrored
  const tri = UPLO === 'U' ? A.triu() : A.tril();
  return E.sub(E.add(tri, tri.mT), E.mul(tri, eye(A.shape[A.ndim - 1], { dtype: A.dtype })));
}
function eighRaw(A: T, UPLO: string, op: string): { L: T; V: T } {
  const n = A.shape[A.ndim - 1], bs = batchOf(A);
  const S = noGrad(() => symmetricFrom(A.detach(), UPLO));
  const L = empty_([...bs, n], F64, A.device), V = empty_([...bs, n, n], F64, A.device);
  if (S.numel() > 0) kern(K.EIGH, [L, V, f64(S)], [], op);
  return { L: back(L, A.dtype), V: back(V, A.dtype) };
}
function checkUPLO(UPLO: unknown, op: string): string {
  if (UPLO !== 'L' && UPLO !== 'U') throw new TorchError(`linalg.${op}: Expected UPLO argument to be 'L' or 'U', but got ${String(UPLO)}`);
  return UPLO;
}
export function eigh(A: T, UPLO: 'L' | 'U' = 'L'): Eigh {
  checkInput(A, 'eigh'); checkSquare(A, 'eigh'); checkUPLO(UPLO, 'eigh');
  const { L, V } = eighRaw(A, UPLO, 'eigh');
  const n = A.shape[A.ndim - 1], bs = batchOf(A);
  const flat = noGrad(() => Sh.cat([L, V.reshape([...bs, n * n])], -1));
  // LinalgEighBackward0 (linalg_eig_backward, hermitian): gA = V (diag(gL) + (V^T gV) / E) V^T, E_ij = L_j - L_i
  const node = record('LinalgEighBackward0', [A], flat, (g) => {
    const gL = g.narrow(-1, 0, n), gV = g.narrow(-1, n, n * n).reshape([...bs, n, n]);
    const Ediff = E.sub(L.unsqueeze(-2), L.unsqueeze(-1));
    const I = eye(n, { dtype: g.dtype });
    const inner = E.div(V.mT.matmul(gV), E.add(Ediff, I));
    const body = E.add(E.mul(inner, E.rsub(I, 1)), E.mul(gL.unsqueeze(-2), I));
    return [V.matmul(body).matmul(V.mT)];
  });
  return pair2('eigenvalues', node.narrow(-1, 0, n), 'eigenvectors', node.narrow(-1, n, n * n).reshape([...bs, n, n]));
}
export function eigvalsh(A: T, UPLO: 'L' | 'U' = 'L'): T {
  checkInput(A, 'eigvalsh'); checkSquare(A, 'eigvalsh'); checkUPLO(UPLO, 'eigvalsh');
  const { L, V } = eighRaw(A, UPLO, 'eigvalsh');
  return record('LinalgEighBackward0', [A], L, (g) => [E.mul(V, g.unsqueeze(-2)).matmul(V.mT)]);
}

// ---- svd, svdvals -------------------------------------------------------------------------------------------------
function svdRaw(A: T, full: boolean, op: string, uv = true): { U: T; S: T; Vh: T } {
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], k = Math.min(m, n), bs = batchOf(A);
  const uc = uv ? (full ? m : k) : 0, vr = uv ? (full ? n : k) : 0;
  const U = empty_([...bs, m, uc], F64, A.device), S = empty_([...bs, k], F64, A.device), Vh = empty_([...bs, vr, n], F64, A.device);
  const A64 = f64(A);
  if (A.numel() > 0) {
    // (svd and svdvals refuse NaN/inf as PyTorch's do; pinv and matrix_rank let them through, as PyTorch's)
    const d = op === 'svd' || op === 'svdvals' ? (A64.dataSync() as Float64Array) : new Float64Array(0);
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new TorchError('linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values.');
    }
    kern(K.SVD, [U, S, Vh, A64], [uv ? 1 : 0], op);
  }
  else noGrad(() => { for (const [t, r, c] of [[U, m, uc], [Vh, vr, n]] as [T, number, number][]) if (t.numel() > 0 || r * c > 0) E.copyInto(t, eye(r, c, { dtype: 'float64' }).expand(t.shape.slice())); });
  return { U: back(U, A.dtype), S: back(S, A.dtype), Vh: back(Vh, A.dtype) };
}
export type SVD = [T, T, T] & { U: T; S: T; Vh: T };
export type QR = [T, T] & { Q: T; R: T };
export type Eigh = [T, T] & { eigenvalues: T; eigenvectors: T };
export type Slogdet = [T, T] & { sign: T; logabsdet: T };
export interface Lstsq { solution: T; residuals: T; rank: T; singularValues: T }
export function svd(A: T, full = true): SVD {
  checkInput(A, 'svd'); checkMatrix(A, 'svd');
  const { U, S, Vh } = svdRaw(A, full, 'svd');
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], k = Math.min(m, n), bs = batchOf(A);
  const uc = U.shape[U.ndim - 1], vr = Vh.shape[Vh.ndim - 2];
  const flat = noGrad(() => Sh.cat([U.reshape([...bs, m * uc]), S, Vh.reshape([...bs, vr * n])], -1));
  const node = record('LinalgSvdBackward0', [A], flat, (g) => {
    const gU = g.narrow(-1, 0, m * uc).reshape([...bs, m, uc]).narrow(-1, 0, k);
    const gS = g.narrow(-1, m * uc, k);
    const gVh = g.narrow(-1, m * uc + k, vr * n).reshape([...bs, vr, n]).narrow(-2, 0, k);
    return [svdBackward(gU, gS, gVh, U.narrow(-1, 0, k), S, Vh.narrow(-2, 0, k), m, n)];
  });
  const Uo = node.narrow(-1, 0, m * uc).reshape([...bs, m, uc]);
  const So = node.narrow(-1, m * uc, k);
  const Vo = node.narrow(-1, m * uc + k, vr * n).reshape([...bs, vr, n]);
  return Object.assign([Uo, So, Vo] as [T, T, T], { U: Uo, S: So, Vh: Vo });
}
function allZero(t: T): boolean { const d = t.dataSync(); for (let i = 0; i < d.length; i++) if (d[i] !== 0) return false; return true; }

// svd_backward (FunctionsManual.cpp, real case); an all-zero gU / gVh is PyTorch's undefined gradient (the output unused)
function svdBackward(gU0: T, gS: T, gVh0: T, U: T, S: T, Vh: T, m: number, n: number): T {
  const hasU = !allZero(gU0), hasV = !allZero(gVh0);
  if (!hasU && !hasV) return E.mul(U, gS.unsqueeze(-2)).matmul(Vh);
  const dt = S.dtype;
  const k = S.shape[S.ndim - 1];
  const I = eye(k, { dtype: dt });
  const V = Vh.mT, gV = gVh0.mT;
  const S2 = E.mul(S, S);
  const Ediff = E.add(E.sub(S2.unsqueeze(-2), S2.unsqueeze(-1)), I);
  const skew = (X: T): T => E.sub(X, X.mT);
  let ret: T;
  const Sr = S.unsqueeze(-2), Sc = S.unsqueeze(-1);
  if (hasU && hasV) ret = E.div(E.add(E.mul(skew(U.mT.matmul(gU0)), Sr), E.mul(Sc, skew(Vh.matmul(gV)))), Ediff);
  else if (hasU) ret = E.mul(E.div(skew(U.mT.matmul(gU0)), Ediff), Sr);
  else ret = E.mul(Sc, E.div(skew(Vh.matmul(gV)), Ediff));
  ret = E.add(E.mul(ret, E.rsub(I, 1)), E.mul(gS.unsqueeze(-2), I));
  if (m > k && hasU) {
    let gA = U.matmul(ret);
    const gUSinv = E.div(gU0, Sr);
    gA = E.add(gA, E.sub(gUSinv, U.matmul(U.mT.matmul(gUSinv))));
    return gA.matmul(Vh);
  }
  if (n > k && hasV) {
    let gA = ret.matmul(Vh);
    const SinvgVh = E.div(gV.mT, Sc);
    gA = E.add(gA, E.sub(SinvgVh, SinvgVh.matmul(V).matmul(Vh)));
    return U.matmul(gA);
  }
  return U.matmul(ret).matmul(Vh);
}
export function svdvals(A: T): T {
  checkInput(A, 'svdvals'); checkMatrix(A, 'svdvals');
  const { U, S, Vh } = svdRaw(A, false, 'svdvals');
  return record('LinalgSvdBackward0', [A], S, (g) => [E.mul(U, g.unsqueeze(-2)).matmul(Vh)]);
}

// ---- pinv, matrix_rank, lstsq -------------------------------------------------------------------------------------
function epsOf(dt: DType): number { return dt === F64 ? 2.220446049250313e-16 : 1.1920928955078125e-7; }
interface TolOpts { atol?: number | null; rtol?: number | null; hermitian?: boolean }
function tolerance(S: T, A: T, o: TolOpts): T {
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1];
  const atol = o.atol ?? null, rtol0 = o.rtol ?? null;
  const rtol = rtol0 === null ? (atol === null || atol === 0 ? epsOf(A.dtype) * Math.max(m, n) : 0) : rtol0;
  const smax = S.shape[S.ndim - 1] ? S.amax(-1, true) : zeros([...S.shape.slice(0, -1), 1], { dtype: S.dtype });
  const rt = E.mul(smax, rtol);
  return atol === null ? rt : E.clamp(rt, atol);
}
export function pinv(A: T, atol: number | null = null, rtol: number | null = null, hermitian = false): T {
  const opts: TolOpts = { atol, rtol, hermitian };
  checkInput(A, 'pinv'); checkMatrix(A, 'pinv');
  const out = noGrad(() => {
    if (opts.hermitian) {
      const { L, V } = eighRaw(A, 'L', 'pinv');
      const tol = tolerance(L.abs(), A, opts);
      const Linv = E.where(E.gt(L.abs(), tol), E.div(1, L), 0);
      return E.mul(V, Linv.unsqueeze(-2)).matmul(V.mT);
    }
    const { U, S, Vh } = svdRaw(A, false, 'pinv');
    const tol = tolerance(S, A, opts);
    const Sinv = E.where(E.gt(S, tol), E.div(1, S), 0);
    return E.mul(Vh.mT, Sinv.unsqueeze(-2)).matmul(U.mT);
  });
  // LinalgPinvBackward0 (pinv_backward): gA = -P^T G P^T + (I - A P) G^T P P^T + P^T P G^T (I - P A), P = pinv(A)
  return record('LinalgPinvBackward0', [A], out, (g) => {
    const Ad = A.detach(), P = out, Pt = out.mT, Gt = g.mT;
    const t1 = E.neg(Pt.matmul(g).matmul(Pt));
    const t2 = E.sub(Gt.matmul(P).matmul(Pt), Ad.matmul(P).matmul(Gt).matmul(P).matmul(Pt));
    const t3 = E.sub(Pt.matmul(P).matmul(Gt), Pt.matmul(P).matmul(Gt).matmul(P).matmul(Ad));
    return [E.add(t1, E.add(t2, t3))];
  });
}
export function matrixRank(A: T, atol: number | null = null, rtol: number | null = null, hermitian = false): T {
  const opts: TolOpts = { atol, rtol, hermitian };
  checkInput(A, 'matrix_rank'); checkMatrix(A, 'matrix_rank');
  return noGrad(() => {
    const S = opts.hermitian ? eighRaw(A, 'L', 'matrix_rank').L.abs() : svdRaw(A, false, 'matrix_rank', false).S;
    return E.gt(S, tolerance(S, A, opts)).sum(-1);
  });
}
// lstsq: the minimum-norm least-squares solution (pinv(A) B); residuals and singular_values empty (as PyTorch's
// default CPU driver 'gelsy'), rank the numerical rank
export function lstsq(A: T, B: T, rcond: number | null = null, driver: string | null = null): Lstsq {
  if (driver !== null && !['gels', 'gelsy', 'gelsd', 'gelss'].includes(driver)) throw new TorchError(`torch.linalg.lstsq: parameter \`driver\` should be one of (gels, gelsy, gelsd, gelss)`);
  checkInput(A, 'lstsq'); checkInput(B, 'lstsq', 'B'); checkMatrix(A, 'lstsq');
  if (A.dtype !== B.dtype) throw new TorchError(`torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype ${E.typeName(A.dtype)} and other's dtype ${E.typeName(B.dtype)}`);
  const vec = B.ndim === A.ndim - 1;
  const B2 = vec ? B.unsqueeze(-1) : B;
  if (B2.shape[B2.ndim - 2] !== A.shape[A.ndim - 2]) throw new TorchError(`torch.linalg.lstsq: input.size(-2) should match other.size(-2)`);
  const P = pinv(A, null, rcond);
  let X = P.matmul(B2);
  if (vec) X = X.squeeze(-1);
  const rank = matrixRank(A, null, rcond);
  return { solution: X, residuals: empty_([0], A.dtype, A.device), rank, singularValues: empty_([0], A.dtype, A.device) };
}

// ---- matrix functions ---------------------------------------------------------------------------------------------
export function matrixPower(A: T, n: number): T {
  if (!(A instanceof Tensor)) throw new TypeError(`matrix_power(): argument 'input' must be Tensor`);
  if (!Number.isInteger(n)) throw new TypeError(`matrix_power(): argument 'n' must be int, not ${typeof n}`);
  checkSquare(A, 'matrix_power');
  if (n === 0) return eye(A.shape[A.ndim - 1], { dtype: A.dtype, device: A.device }).expand(A.shape.slice()).clone();
  let base = A;
  if (n < 0) { base = inv(A); n = -n; }
  let result: T | null = null;
  while (n > 0) {
    if (n & 1) result = result === null ? base : result.matmul(base);
    n >>= 1;
    if (n) base = base.matmul(base);
  }
  return result === A ? A.clone() : (result as T);
}

// matrix_exp: scaling and squaring with a degree-18 Taylor polynomial in Horner form (differentiable through matmul)
export function matrixExp(A: T): T {
  checkInput(A, 'matrix_exp'); checkSquare(A, 'matrix_exp');
  const n = A.shape[A.ndim - 1];
  if (A.numel() === 0) return A.clone();
  const norm1 = noGrad(() => A.abs().sum(-2).amax(-1));
  const nmax = Math.max(0, ...Array.from(norm1.dataSync() as ArrayLike<number>, Number));
  const s = nmax > 0.5 ? Math.ceil(Math.log2(nmax / 0.5)) : 0;
  const X = s ? E.mulScalar(A, Math.pow(2, -s)) : A;
  const I = eye(n, { dtype: A.dtype }).expand(A.shape.slice());
  let P = E.add(I, E.mulScalar(X, 1 / 18));
  for (let k = 17; k >= 1; k--) P = E.add(I, E.mulScalar(X.matmul(P), 1 / k));
  for (let i = 0; i < s; i++) P = P.matmul(P);
  return P;
}

export function multiDot(tensors: readonly T[]): T {
  if (!Array.isArray(tensors) || tensors.length < 2) throw new TorchError(`multi_dot(): expected at least 2 tensors but got ${Array.isArray(tensors) ? tensors.length : 0}`);
  const ts = tensors.slice();
  const first1 = ts[0].ndim === 1, last1 = ts[ts.length - 1].ndim === 1;
  if (first1) ts[0] = ts[0].unsqueeze(0);
  if (last1) ts[ts.length - 1] = ts[ts.length - 1].unsqueeze(-1);
  for (let i = 0; i < ts.length; i++) {
    if (ts[i].ndim !== 2) throw new TorchError(`multi_dot(): tensor ${i} must be 2D but got ${tensors[i].ndim}D`);
    if (i && ts[i - 1].shape[1] !== ts[i].shape[0]) throw new TorchError(`multi_dot(): tensors ${i - 1} and ${i} with shapes [${ts[i - 1].shape.join(', ')}] and [${ts[i].shape.join(', ')}] cannot be multiplied`);
  }
  let r = ts[0];
  for (let i = 1; i < ts.length; i++) r = r.matmul(ts[i]);
  if (first1) r = r.squeeze(0);
  if (last1) r = r.squeeze(-1);
  return r;
}

export function cross(input: T, other: T, dim = -1): T {
  if (!(input instanceof Tensor) || !(other instanceof Tensor)) throw new TypeError('linalg.cross(): arguments must be Tensors');
  if (input.ndim !== other.ndim) throw new TorchError(`linalg.cross: inputs must have the same number of dimensions.`);
  const d = dim < 0 ? dim + input.ndim : dim;
  if (input.shape[d] !== 3 || other.shape[d] !== 3) throw new TorchError(`linalg.cross: inputs dimension ${dim} must have length 3. Got ${input.shape[d]} and ${other.shape[d]}`);
  const a = (i: number): T => input.narrow(d, i, 1), b = (i: number): T => other.narrow(d, i, 1);
  return Sh.cat([
    E.sub(E.mul(a(1), b(2)), E.mul(a(2), b(1))),
    E.sub(E.mul(a(2), b(0)), E.mul(a(0), b(2))),
    E.sub(E.mul(a(0), b(1)), E.mul(a(1), b(0))),
  ], d);
}
export function diagonal(A: T, offset = 0, dim1 = -2, dim2 = -1): T { return A.diagonal(offset, dim1, dim2); }
export function vecdot(x: T, y: T, dim = -1): T { return E.mul(x, y).sum(dim); }

// ---- norms --------------------------------------------------------------------------------------------------------
type Ord = number | 'fro' | 'nuc';
export function vectorNorm(x: T, ord = 2, dim: number | number[] | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  const opts = { dtype };
  if (!(x instanceof Tensor)) throw new TypeError(`linalg.vector_norm(): argument 'input' must be Tensor`);
  if (typeof ord !== 'number') throw new TypeError(`linalg.vector_norm(): argument 'ord' must be Number, not ${typeof ord}`);
  if (!isFloating(x.dtype) && !opts.dtype) throw new TorchError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${E.typeName(x.dtype)}`);
  const xs = dim === null ? x.reshape([-1]) : x;
  const r = R.norm(xs, ord, dim === null ? null : dim, keepdim && dim !== null, opts.dtype ?? null);
  if (dim === null && keepdim) return r.reshape(x.shape.map(() => 1));
  return r;
}
export function matrixNorm(A: T, ord: Ord = 'fro', dim: number[] = [-2, -1], keepdim = false, dtype: DTypeName | null = null): T {
  const opts = { dtype };
  if (!Array.isArray(dim) || dim.length !== 2) throw new TorchError(`linalg.matrix_norm: dim must be a 2-tuple. Got ${String(dim)}`);
  checkInput(opts.dtype ? A.to(opts.dtype) : A, 'matrix_norm'); checkMatrix(A, 'matrix_norm');
  const x = opts.dtype ? A.to(opts.dtype) : A;
  const nd = x.ndim, d0 = dim[0] < 0 ? dim[0] + nd : dim[0], d1 = dim[1] < 0 ? dim[1] + nd : dim[1];
  if (d0 === d1) throw new TorchError(`linalg.matrix_norm: dims must be different. Got (${dim[0]}, ${dim[1]})`);
  if (ord === 'fro') return vectorNorm(x, 2, [d0, d1], keepdim);
  if (typeof ord === 'string' && ord !== 'nuc') throw new TorchError(`linalg.matrix_norm: Order ${ord} not supported.`);
  const restore = (r: T): T => {
    if (!keepdim) return r;
    for (const d of [d0, d1].sort((a, b) => a - b)) r = r.unsqueeze(d);
    return r;
  };
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    const S = svdvals(x.movedim([d0, d1], [-2, -1]));
    return restore(ord === 'nuc' ? S.sum(-1) : ord === 2 ? S.amax(-1) : S.amin(-1));
  }
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    const [sd, rd] = ord === 1 || ord === -1 ? [d0, d1] : [d1, d0];
    const s = x.abs().sum(sd, true);
    const r = ord > 0 ? s.amax(rd, true) : s.amin(rd, true);
    return keepdim ? r : r.squeeze([d0, d1]);
  }
  throw new TorchError(`linalg.matrix_norm: Order ${String(ord)} not supported.`);
}
export function norm(A: T, ord: Ord | null = null, dim: number | number[] | null = null, keepdim = false, dtype: DTypeName | null = null): T {
  if (!(A instanceof Tensor)) throw new TypeError(`linalg.norm(): argument 'input' must be Tensor`);
  if (dim !== null && !Array.isArray(dim)) dim = [dim];
  if (ord === null) {
    return vectorNorm(A, 2, dim, keepdim, dtype);
  }
  if (dim === null) {
    if (A.ndim === 1) dim = [0];
    else if (A.ndim === 2) dim = [0, 1];
    else throw new TorchError(`linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ${A.ndim}D.`);
  }
  if (dim.length === 2) return matrixNorm(A, ord, [dim[0], dim[1]], keepdim, dtype);
  if (typeof ord === 'string') throw new TorchError(`linalg.vector_norm: ord must be a number, got ${ord}`);
  return vectorNorm(A, ord, dim, keepdim, dtype);
}

// torch.* forms
export const inverse = inv;
export const pinverse = (A: T, rcond = 1e-15): T => pinv(A, null, rcond);

// torch.trace / Tensor.trace: the sum of a matrix's main diagonal (integers sum to int64, as sum); TraceBackward0: the
// diagonal's pattern (PyTorch 1.13's also marks element (n-1, 0) of a matrix with more rows than columns: not copied)
export function trace(x: T): T {
  if (!(x instanceof Tensor)) throw new TypeError(`trace(): argument 'input' must be Tensor`);
  if (x.ndim !== 2) throw new TorchError(`trace: expected a matrix, but got tensor with dim ${x.ndim}`);
  if (x.dtype === 'bool') throw new TorchError(`"trace" not implemented for 'Bool'`);
  const [n, m] = x.shape;
  const out = noGrad(() => x.diagonal(0, 0, 1).sum());
  return record('TraceBackward0', [x], out, (g) => [E.mul(eye(n, m, { dtype: x.dtype, device: x.device }), g)]);
}
