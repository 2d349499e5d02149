// linalg.ts - the declarations of torch.linalg (ops.schema's linalg. rows) and the torch.* / Tensor forms: PyTorch's
// positions, every parameter by its camelCase name, the named-tuple results. (The runtime side: test/linalg.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const L = torch.linalg;
const A = torch.randn([2, 3, 3], { dtype: 'float64' });
const B = torch.randn([2, 3, 2], { dtype: 'float64' });

expectType<T>()(L.det(A));
expectType<T>()(L.inv({ A }));
const sl = L.slogdet(A);
expectType<T>()(sl.sign); expectType<T>()(sl.logabsdet); expectType<T>()(sl[1]);
expectType<T>()(L.solve(A, B, { left: false }));
expectType<T>()(L.cholesky(A, { upper: true }));
const qr = L.qr(A, 'complete');
expectType<T>()(qr.Q); expectType<T>()(qr.R); expectType<T>()(L.qr(A, { mode: 'r' })[1]);
const eh = L.eigh(A, 'U');
expectType<T>()(eh.eigenvalues); expectType<T>()(eh.eigenvectors);
expectType<T>()(L.eigvalsh(A, { UPLO: 'L' }));
const sv = L.svd(A, { fullMatrices: false });
expectType<T>()(sv.U); expectType<T>()(sv.S); expectType<T>()(sv.Vh);
const [U, S, Vh] = L.svd(A, false);
expectType<T>()(U); expectType<T>()(S); expectType<T>()(Vh);
expectType<T>()(L.svdvals(A));
expectType<T>()(L.pinv(A, { atol: 1e-6, rtol: null, hermitian: false }));
expectType<T>()(L.matrixRank(A, { hermitian: true }));
expectType<T>()(L.lstsq(A, B, null, { driver: 'gelsd' }).solution);
expectType<T>()(L.matrixPower(A, -2));
expectType<T>()(L.matrixExp(A));
expectType<T>()(L.cross(A, A, { dim: 1 }));
expectType<T>()(L.multiDot([A.select(0, 0), A.select(0, 1)]));
expectType<T>()(L.diagonal(A, { offset: 1, dim1: 0, dim2: 2 }));
expectType<T>()(L.vecdot(A, A, { dim: 0 }));
expectType<T>()(L.solveTriangular(A, B, { upper: true, left: true, unitriangular: false }));
expectType<T>()(L.vectorNorm(A, 3, [1, 2], true, { dtype: 'float64' }));
expectType<T>()(L.matrixNorm(A, 'nuc', [-2, -1], false));
expectType<T>()(L.norm(A, Infinity, [1, 2]));
expectType<T>()(torch.det(A)); expectType<T>()(A.det()); expectType<T>()(A.logdet()); expectType<T>()(torch.inverse(A));
expectType<T>()(A.pinverse({ rcond: 1e-10 })); expectType<T>()(torch.matrixPower(A, 3)); expectType<T>()(B.choleskySolve(A, { upper: false }));
// @ts-expect-error solve_triangular's upper is required
L.solveTriangular(A, B, { left: false });
// @ts-expect-error qr's mode is one of 'reduced' | 'complete' | 'r'
L.qr(A, 'full');
// @ts-expect-error eigh's UPLO is 'L' or 'U'
L.eigh(A, 'X');
// @ts-expect-error a misspelt keyword
L.svd(A, { full_matrices: false });
