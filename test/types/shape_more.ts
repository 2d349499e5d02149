// shape_more.ts - the declarations of the shape, indexing and linear-algebra-lite ops of ops.schema's last section and
// lib/ops/shape_more.ts's varargs functions: the forms the runtime takes compile, with their result types, and
// wrong kinds do not. (The runtime side: test/ops_shape_more.test.ts.)
import * as torch from 'nodetorch';
import { expectType } from './assert';

type T = torch.Tensor;
const a = torch.randn([2, 3]);
const p = torch.randn([3, 3]);
const v = torch.randn([3]);
const out = torch.empty([0]);

// ---- group 1: products and factories ----
expectType<T>()(torch.trilIndices(3, 4, 1));
expectType<T>()(torch.triuIndices(3, 4, { offset: -1, dtype: 'int32' }));
expectType<T>()(torch.cross(p, p));
expectType<T>()(torch.cross(p, p, { dim: 1, out }));
expectType<T>()(p.cross(p, 0));
expectType<T>()(torch.inner(a, a, { out }));
expectType<T>()(a.inner({ other: a }));
expectType<T>()(torch.vdot(v, v));
expectType<T>()(torch.tensordot(a, p, 1));
expectType<T>()(torch.tensordot(a, a, { dims: [[0, 1], [0, 1]] }));
expectType<T>()(torch.tensordot(a, a, [1, 1]));
expectType<T>()(torch.chainMatmul(a, p, p));
expectType<T>()(torch.blockDiag(a, v, p));
expectType<T>()(torch.blockDiag([a, v]));
// @ts-expect-error: dims is an int, a pair of lists, or a tensor
torch.tensordot(a, a, 'all');
// @ts-expect-error: vdot takes two tensors
torch.vdot(v, 2);

// ---- group 2: shapes ----
expectType<T>()(torch.rot90(a, 1, [0, 1]));
expectType<T>()(a.rot90({ k: 3 }));
expectType<T>()(torch.diff(a, { n: 2, dim: 0, prepend: a }));
expectType<T>()(torch.repeatInterleave(a, 2, 1));
expectType<T>()(torch.repeatInterleave(a, torch.tensor([1, 2]), { dim: 0, outputSize: 3 }));
expectType<T>()(torch.repeatInterleave(torch.tensor([1, 2])));
expectType<T>()(torch.tensor([1, 2]).repeatInterleave());
expectType<T>()(torch.takeAlongDim(a, torch.tensor([[0], [1]]), 1));
expectType<T>()(a.unfold(1, 2, 1));
expectType<T>()(torch.ravel(a));
expectType<T>()(torch.atleast3d(v));
expectType<T[]>()(torch.atleast2d(v, a));
expectType<T>()(torch.dstack([a, a]));
expectType<T>()(torch.columnStack([v, v], { out }));
expectType<T>()(torch.rowStack([v, a]));
expectType<T[]>()(torch.hsplit(a, 3));
expectType<T[]>()(a.vsplit([1]));
expectType<T[]>()(torch.dsplit(torch.zeros([1, 1, 4]), { indices: [2] }));
expectType<T[]>()(torch.splitWithSizes(a, [1, 2], 1));
expectType<T[]>()(torch.unsafeChunk(a, 2));
expectType<T[]>()(a.unsafeSplit(1, { dim: 0 }));
expectType<T>()(a.sumToSize(1, 3));
expectType<T>()(a.sumToSize([3]));
expectType<T>()(torch.selectScatter(a, v, 0, 1));
expectType<T>()(torch.sliceScatter(a, a, { dim: 1, start: 0, end: 3 }));
expectType<T>()(a.diagonalScatter(torch.zeros([2])));
expectType<T>()(torch.narrowCopy(a, 1, 0, 2));
expectType<T>()(torch.viewCopy(a, [3, 2]));
expectType<T>()(torch.permuteCopy(a, [1, 0]));
expectType<T[]>()(torch.unbindCopy(a));
expectType<T>()(a.transpose_(0, 1));
expectType<T>()(a.t_());
expectType<T>()(a.swapaxes_(0, 1));
expectType<T>()(a.swapdims_(0, 1));
// @ts-expect-error: Tensor.unfold needs dimension, size and step
a.unfold(1, 2);
// @ts-expect-error: hsplit's sections is an int or a list of indices
torch.hsplit(a, 'half');

// ---- group 3: scatter/index reductions, masked_scatter, fill_diagonal_, multinomial, isin, histogram, vander ----
const idx = torch.tensor([[0, 1, 0], [1, 0, 1]]);
expectType<T>()(torch.scatterReduce(a, 0, idx, a, 'amax', { includeSelf: false }));
expectType<T>()(a.scatterReduce(0, idx, a, 'mean'));
expectType<T>()(a.scatterReduce_(0, idx, a, 'prod'));
expectType<T>()(torch.indexReduce(a, 0, torch.tensor([0, 1]), a, 'amin'));
expectType<T>()(a.indexReduce_(0, torch.tensor([0, 1]), a, 'mean', { includeSelf: true }));
expectType<T>()(torch.maskedScatter(a, torch.tensor([true, false, true]), v));
expectType<T>()(a.maskedScatter_(torch.tensor([true, false, true]), v));
expectType<T>()(a.fillDiagonal_(2, true));
expectType<T>()(torch.multinomial(v.abs(), 2, { generator: new torch.Generator() }));
expectType<T>()(v.abs().multinomial(4, true));
expectType<T>()(torch.isin(a, v));
expectType<T>()(torch.isin(2, v, { invert: true }));
expectType<[T, T]>()(torch.histogram(a, 4, { range: [0, 1], density: true }));
expectType<[T, T]>()(a.histogram(torch.tensor([0.5, 1.5, 2.5])));
expectType<T>()(torch.vander(v, { N: 3, increasing: true }));
// @ts-expect-error: scatterReduce's reduce is one of sum, prod, mean, amax, amin
torch.scatterReduce(a, 0, idx, a, 'max');
// @ts-expect-error: indexReduce has no sum
torch.indexReduce(a, 0, torch.tensor([0, 1]), a, 'sum');

// ---- group 4: windows and factories ----
expectType<T>()(torch.hannWindow(8));
expectType<T>()(torch.hammingWindow(8, false, 0.6, 0.3, { dtype: 'float64' }));
expectType<T>()(torch.blackmanWindow(8, { periodic: false }));
expectType<T>()(torch.bartlettWindow({ windowLength: 4 }));
expectType<T>()(torch.kaiserWindow(8, true, 5, { device: 'cpu' }));
expectType<T>()(torch.range(0, 1, 0.25, { dtype: 'float64', out }));
expectType<T>()(torch.scalarTensor(2.5, { dtype: 'float64' }));
expectType<T>()(torch.emptyStrided([2, 3], [1, 2]));
expectType<T>()(torch.asarray([[1, 2], [3, 4]], { dtype: 'float32', copy: true }));
expectType<T>()(torch.asarray(a));
expectType<T>()(torch.randintLike(a, 5));
expectType<T>()(torch.randintLike(a, 2, 5, { dtype: 'int32' }));
// @ts-expect-error: a window's length is a number
torch.hannWindow('8');
expectType<T>()(torch.viewCopy(a, 'int32'));
