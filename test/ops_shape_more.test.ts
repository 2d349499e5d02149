// ops_shape_more.test.ts - the shape, indexing and linear-algebra-lite ops of ops.schema's last section
// (lib/ops/shape_more.ts) against PyTorch 1.13 (test/ref/ops_shape_more.json, from test/ref/gen_ops_shape_more.py):
// each case's result, the gradients of sum(result * weights) with respect to its inputs, whether the result shares its
// first input's storage (a view, as PyTorch's), and the errors' messages.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

type T = torch.Tensor;
interface Case { out: Ref | Ref[]; grads?: (Ref | null)[]; view?: boolean | boolean[] }
const REF = require('./ref/ops_shape_more.json') as { inputs: Record<string, unknown>; cases: Record<string, Case>; errors: Record<string, string> };
const inp = (k: string): T => torch.tensor(REF.inputs[k] as number[], { requiresGrad: true });
const weights = (shape: number[]): T => {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, { dtype: 'float64' }).remainder(5).sub(2).mul(0.5).add(0.25).reshape(shape);
};
const tensors = (r: unknown): T[] => (Array.isArray(r) ? r : [r]) as T[];

/** [name, the call, its inputs' names] as gen_ops_shape_more.py's case() rows */
type Row = [string, (...xs: T[]) => T | T[], string[]];
const I = (): T => torch.tensor([[0, 1, 0], [1, 0, 1]]);
const H = (): T => torch.tensor([0.5, 2.0, -1.0, 3.0, 2.0, 0.25, 1.75, 3.0], { dtype: 'float32' });
const ROWS: Row[] = [
  ['cross_default', (p, q) => torch.cross(p, q), ['P', 'Q']],
  ['cross_dim1', (p, q) => torch.cross(p, q, { dim: 1 }), ['P', 'Q']],
  ['cross_method', (p, q) => p.cross(q, -1), ['P', 'Q']],
  ['cross_bcast', (p, v) => torch.cross(p, v.unsqueeze(0), { dim: 1 }), ['P', 'V']],
  ['inner', (a, b) => torch.inner(a, b), ['A', 'B']],
  ['inner_3d', (t, m) => torch.inner(t, m), ['T3', 'M34']],
  ['inner_scalar', (a, v) => torch.inner(a, v.select(0, 1)), ['A', 'V']],
  ['vdot', (v, u) => torch.vdot(v, u), ['V', 'U']],
  ['tensordot_int', (m, n) => torch.tensordot(m, n, { dims: 1 }), ['M34', 'M45']],
  ['tensordot_lists', (t, a) => torch.tensordot(t, a, { dims: [[0, 1], [0, 1]] }), ['T3', 'A']],
  ['tensordot_0', (v, u) => torch.tensordot(v, u, { dims: 0 }), ['V', 'U']],
  ['tensordot_2', (t, m) => torch.tensordot(t, m, 2), ['T3', 'M34']],
  ['tensordot_tensor', (a, b) => torch.tensordot(a, b, { dims: torch.tensor([[1], [1]]) }), ['A', 'B']],
  ['chain_matmul', (a, m, n) => torch.chainMatmul(a, m, n), ['A', 'M34', 'M45']],
  ['block_diag', (a, v, p) => torch.blockDiag(a, v, p.select(0, 0).select(0, 0)), ['A', 'V', 'P']],
  ['rot90', (a) => torch.rot90(a), ['A']],
  ['rot90_k2', (t) => torch.rot90(t, 2, [1, 2]), ['T3']],
  ['rot90_kneg', (t) => torch.rot90(t, -1, [2, 0]), ['T3']],
  ['rot90_k4', (a) => a.rot90(4), ['A']],
  ['diff', (a) => torch.diff(a), ['A']],
  ['diff_n2_dim0', (t) => torch.diff(t, { n: 2, dim: 1 }), ['T3']],
  ['diff_prepend_append', (a, b) => torch.diff(a, { dim: 0, prepend: b, append: b.slice(0, 0, 1) }), ['A', 'B']],
  ['diff_big_n', (a) => torch.diff(a, 5), ['A']],
  ['repeat_interleave_int', (a) => torch.repeatInterleave(a, 2), ['A']],
  ['repeat_interleave_dim', (a) => a.repeatInterleave(torch.tensor([1, 3]), { dim: 0 }), ['A']],
  ['repeat_interleave_dim1', (a) => torch.repeatInterleave(a, torch.tensor([0, 2, 1]), 1, { outputSize: 3 }), ['A']],
  ['take_along_dim', (a) => torch.takeAlongDim(a, torch.tensor([[2, 0], [1, 1]]), { dim: 1 }), ['A']],
  ['take_along_dim_bcast', (t) => torch.takeAlongDim(t, torch.tensor([[[3], [0], [1]]]), 2), ['T3']],
  ['take_along_dim_flat', (a) => a.takeAlongDim(torch.tensor([5, 0, 2])), ['A']],
  ['unfold', (t) => t.unfold(2, 2, 1), ['T3']],
  ['unfold_step', (t) => t.unfold({ dimension: 1, size: 2, step: 2 }), ['T3']],
  ['unfold_t', (a) => a.t().unfold(0, 2, 1), ['A']],
  ['ravel', (a) => torch.ravel(a), ['A']],
  ['ravel_t', (a) => a.t().ravel(), ['A']],
  ['atleast_3d', (v) => torch.atleast3d(v), ['V']],
  ['atleast_2d_many', (v, a) => torch.atleast2d(v, a, v.select(0, 0)), ['V', 'A']],
  ['dstack', (a, b) => torch.dstack([a, b]), ['A', 'B']],
  ['column_stack', (v, u, p) => torch.columnStack([v, u, p]), ['V', 'U', 'P']],
  ['row_stack', (v, a) => torch.rowStack({ tensors: [v, a] }), ['V', 'A']],
  ['hsplit', (a) => torch.hsplit(a, 3), ['A']],
  ['hsplit_idx', (t) => t.hsplit([1, 2]), ['T3']],
  ['vsplit', (t) => torch.vsplit(t, 2), ['T3']],
  ['dsplit', (t) => torch.dsplit(t, { indices: [3] }), ['T3']],
  ['split_with_sizes', (t) => torch.splitWithSizes(t, [1, 3], 2), ['T3']],
  ['unsafe_chunk', (t) => torch.unsafeChunk(t, 2, 2), ['T3']],
  ['unsafe_split', (t) => t.unsafeSplit(2, 1), ['T3']],
  ['sum_to_size', (t) => t.sumToSize(3, 1), ['T3']],
  ['sum_to_size_list', (t) => t.sumToSize([1, 3, 4]), ['T3']],
  ['select_scatter', (a, v) => torch.selectScatter(a, v, 0, 1), ['A', 'V']],
  ['slice_scatter', (t, a) => torch.sliceScatter(t, a.unsqueeze(-1).expand([2, 3, 2]), { dim: 2, start: 1, step: 2 }), ['T3', 'A']],
  ['diagonal_scatter', (p, v) => torch.diagonalScatter(p, v.slice(0, 0, 2), 1), ['P', 'V']],
  ['diagonal_scatter_dims', (t, a) => t.diagonalScatter(a, 0, 1, 2), ['T3', 'A']],
  ['narrow_copy', (t) => torch.narrowCopy(t.detach(), 2, 1, 2), ['T3']],
  ['view_copy', (t) => torch.viewCopy(t, [4, 6]), ['T3']],
  ['permute_copy', (t) => torch.permuteCopy(t, [2, 0, 1]), ['T3']],
  ['transpose_copy', (t) => torch.transposeCopy(t, 0, 2), ['T3']],
  ['t_copy', (a) => torch.tCopy(a), ['A']],
  ['diagonal_copy', (t) => torch.diagonalCopy(t, 1, 1, 2), ['T3']],
  ['expand_copy', (v) => torch.expandCopy(v, [2, 3]), ['V']],
  ['select_copy', (t) => torch.selectCopy(t, 1, 2), ['T3']],
  ['slice_copy', (t) => torch.sliceCopy(t, 2, 1, null, 2), ['T3']],
  ['squeeze_copy', (a) => torch.squeezeCopy(a.unsqueeze(1), 1), ['A']],
  ['unsqueeze_copy', (a) => torch.unsqueezeCopy(a, 0), ['A']],
  ['unfold_copy', (t) => torch.unfoldCopy(t, 2, 3, 1), ['T3']],
  ['alias_copy', (a) => torch.aliasCopy(a), ['A']],
  ['as_strided_copy', (a) => torch.asStridedCopy(a, [2, 2], [1, 2], 1), ['A']],
  ['split_copy', (t) => torch.splitCopy(t, 3, 2), ['T3']],
  ['split_with_sizes_copy', (t) => torch.splitWithSizesCopy(t, [2, 1], 1), ['T3']],
  ['unbind_copy', (a) => torch.unbindCopy(a, 1), ['A']],
  // ---- group 3
  ...(['sum', 'prod', 'mean', 'amax', 'amin'] as const).flatMap((red) => [true, false].map((inc): Row => [`scatter_reduce_${red}_${inc ? 'True' : 'False'}`,
    (a, b) => torch.scatterReduce(a, 0, I(), b, red, { includeSelf: inc }), ['A', 'B']])),
  ['scatter_reduce_prod_zeros', (a, z) => a.scatterReduce(0, I(), z, 'prod'), ['A', 'Z']],
  ['scatter_reduce_prod_zself', (z, b) => z.scatterReduce(0, I(), b, 'prod', { includeSelf: true }), ['Z', 'B']],
  ['scatter_reduce_amax_tie', (a, t) => torch.scatterReduce(a, 0, I(), t, 'amax'), ['A', 'TIE']],
  ['scatter_reduce_inplace', (a, b) => a.mul(1).scatterReduce_(0, I(), b, 'sum', { includeSelf: false }), ['A', 'B']],
  ...(['prod', 'mean', 'amax', 'amin'] as const).flatMap((red) => [true, false].map((inc): Row => [`index_reduce_${red}_${inc ? 'True' : 'False'}`,
    (p, q) => torch.indexReduce(p, 0, torch.tensor([0, 2, 0]), q, red, { includeSelf: inc }), ['P', 'Q']])),
  ['index_reduce_dim1', (a, b) => a.indexReduce(1, torch.tensor([2, 2, 0]), b, 'mean'), ['A', 'B']],
  ['masked_scatter', (a, s) => torch.maskedScatter(a, torch.tensor([[true, false, true], [false, true, true]]), s), ['A', 'S']],
  ['masked_scatter_bcast', (a, s) => a.maskedScatter({ mask: torch.tensor([true, false, true]), source: s }), ['A', 'S']],
  ['masked_scatter_inplace', (a, s) => a.mul(1).maskedScatter_(torch.tensor([false, true, true]), s), ['A', 'S']],
  ['fill_diagonal', (a) => a.mul(1).fillDiagonal_(5.0), ['A']],
  ['vander', (x) => torch.vander(x), ['X4']],
  ['vander_n_inc', (x) => torch.vander(x, { N: 3, increasing: true }), ['X4']],
];

describe('shape, indexing and linear-algebra-lite ops vs PyTorch 1.13 (values, gradients, views)', () => {
  test('every reference case has a row here', () => {
    const have = new Set([...ROWS.map((r) => r[0]), ...PLAIN.map((r) => r[0]), 'transpose_inplace', 't_inplace', 'empty_strided']);
    expect(Object.keys(REF.cases).filter((k) => !have.has(k))).toEqual([]);
  });
  test.each(ROWS)('%s', (name, f, names) => {
    const c = REF.cases[name];
    const xs = names.map(inp);
    const r = f(...xs);
    const rs = tensors(r);
    if (Array.isArray(c.out)) {
      expect(Array.isArray(r)).toBe(true);
      expect(rs.length).toBe(c.out.length);
      rs.forEach((t, i) => expectTensor(t, (c.out as Ref[])[i]));
    } else {
      expect(Array.isArray(r)).toBe(false);
      expectTensor(rs[0], c.out);
    }
    if (c.view !== undefined) {
      const shares = (t: T): boolean => t !== xs[0] && t._st === xs[0]._st;
      expect(Array.isArray(r) ? rs.map(shares) : shares(rs[0])).toEqual(c.view);
    }
    if (c.grads) {
      const live = rs.filter((t) => t.requiresGrad);
      const loss = live.map((t) => t.mul(weights(t.shape).to(t.dtype)).sum()).reduce((a, b) => a.add(b));
      const gs = torch.autograd.grad(loss, xs, { allowUnused: true });
      c.grads.forEach((g, i) => {
        if (g === null) expect(gs[i] === null || gs[i] === undefined || (gs[i] as T).abs().sum().item() === 0).toBe(true);
        else expectTensor(gs[i] as T, g);
      });
    } else expect(rs.some((t) => t.requiresGrad)).toBe(false);
  });
});

const PLAIN: [string, () => T | T[]][] = [
  ['tril_indices', () => torch.trilIndices(3, 4, 1)],
  ['tril_indices_neg', () => torch.trilIndices(4, 3, -1, { dtype: 'int32' })],
  ['triu_indices', () => torch.triuIndices({ row: 4, col: 3, offset: -1 })],
  ['triu_indices_0', () => torch.triuIndices(3, 3)],
  ['tril_indices_empty', () => torch.trilIndices(0, 3)],
  ['block_diag_promote', () => torch.blockDiag([torch.tensor([[1, 2]]), torch.tensor([0.5], { dtype: 'float64' })])],
  ['block_diag_empty', () => torch.blockDiag()],
  ['diff_bool', () => torch.diff(torch.tensor([true, false, false, true]))],
  ['diff_int', () => torch.diff(torch.tensor([[1, 4, 9], [2, 3, 7]]), { dim: 0 })],
  ['repeat_interleave_one', () => torch.repeatInterleave(torch.tensor([2, 0, 3]))],
  ['repeat_interleave_one32', () => torch.tensor([1, 2], { dtype: 'int32' }).repeatInterleave()],
  ['view_copy_dtype', () => torch.viewCopy(torch.tensor(REF.inputs.A as number[][], { dtype: 'float32' }), 'int32')],
  ['detach_copy', () => torch.detachCopy(torch.tensor(REF.inputs.A as number[][]))],
  ['scatter_reduce_amin_dim1', () => torch.scatterReduce(torch.tensor(REF.inputs.A as number[][]), 1, torch.tensor([[2, 2], [0, 1]]), torch.tensor(REF.inputs.B as number[][]), 'amin')],
  ['scatter_reduce_int_mean', () => torch.scatterReduce(torch.arange(6).reshape(2, 3), 0, I(), torch.arange(6).reshape(2, 3).mul(3), 'mean')],
  ['fill_diagonal_wrap', () => torch.ones([7, 3]).fillDiagonal_(2, true)],
  ['fill_diagonal_nowrap', () => torch.ones([7, 3]).fillDiagonal_({ fillValue: 2 })],
  ['fill_diagonal_3d', () => torch.zeros([3, 3, 3]).fillDiagonal_(1)],
  ['fill_diagonal_wide', () => torch.zeros([3, 5], { dtype: 'int64' }).fillDiagonal_(4)],
  ['isin', () => torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 4, 6]))],
  ['isin_invert', () => torch.isin(torch.tensor([1.5, 2.0, 3.0], { dtype: 'float32' }), torch.tensor([2]), { invert: true })],
  ['isin_scalar', () => torch.isin(torch.tensor([1, 2, 3]), 2)],
  ['isin_scalar_self', () => torch.isin({ elements: 2, testElements: torch.tensor([1, 2, 3]) })],
  ['histogram', () => torch.histogram(H(), 4)],
  ['histogram_range', () => torch.histogram(H(), 3, { range: [0.0, 2.0] })],
  ['histogram_weight_density', () => torch.histogram(H(), 5, { weight: torch.arange(8, { dtype: 'float32' }), density: true })],
  ['histogram_edges', () => torch.histogram(H(), torch.tensor([-1.0, 0.0, 0.5, 2.0, 3.0], { dtype: 'float32' }))],
  ['histogram_same', () => torch.histogram(torch.tensor([2.0, 2.0], { dtype: 'float32' }), 2)],
  ['histogram_f64', () => H().double().histogram(3, { density: true })],
  ['vander_int', () => torch.vander(torch.tensor([1, 2, 3]), 4)],
  ['vander_bool', () => torch.vander(torch.tensor([true, false]))],
  ['vander_0', () => torch.vander(torch.tensor([1, 2], { dtype: 'int32' }), { N: 0 })],

  ...[0, 1, 2, 5, 8].flatMap((L) => [true, false].flatMap((per): [string, () => T][] => {
    const k = `${L}_${per ? 'True' : 'False'}`;
    return [[`hann_${k}`, () => torch.hannWindow(L, per)], [`hamming_${k}`, () => torch.hammingWindow(L, { periodic: per })],
      [`blackman_${k}`, () => torch.blackmanWindow(L, per, { dtype: 'float64' })], [`bartlett_${k}`, () => torch.bartlettWindow({ windowLength: L, periodic: per })],
      [`kaiser_${k}`, () => torch.kaiserWindow(L, per)]];
  })),
  ['hamming_ab', () => torch.hammingWindow(7, false, 0.6, 0.3, { dtype: 'float64' })],
  ['kaiser_beta', () => torch.kaiserWindow(6, true, 3.5, { dtype: 'float64' })],
  ['range', () => torch.range(1, 4)],
  ['range_step', () => torch.range(0, 1, 0.25, { dtype: 'float64' })],
  ['range_neg', () => torch.range(3, -1, -1.5)],
  ['range_int', () => torch.range({ start: 1, end: 7, step: 2, dtype: 'int64' })],
  ['scalar_tensor', () => torch.scalarTensor(3)],
  ['scalar_tensor_bool', () => torch.scalarTensor(true as never)],
  ['scalar_tensor_i32', () => torch.scalarTensor(2.7, { dtype: 'int32' })],
];
describe('results without gradients vs PyTorch 1.13', () => {
  test.each(PLAIN)('%s', (name, f) => {
    const c = REF.cases[name];
    const r = f();
    if (Array.isArray(c.out)) tensors(r).forEach((t, i) => expectTensor(t, (c.out as Ref[])[i]));
    else expectTensor(r as T, c.out);
  });
});

describe('the in-place transposes (transpose_, swapaxes_, swapdims_, t_): self changes shape, gradients flow', () => {
  test('transpose_ then swapaxes_ on a non-leaf (values and gradient vs PyTorch)', () => {
    const x = inp('T3');
    const y = x.mul(2);
    expect(y.transpose_(0, 2)).toBe(y);
    y.swapaxes_({ axis0: 0, axis1: 1 });
    expectTensor(y, REF.cases.transpose_inplace.out as Ref);
    const [g] = torch.autograd.grad(y.mul(weights(y.shape).to(y.dtype)).sum(), [x]);
    expectTensor(g as T, REF.cases.transpose_inplace.grads![0] as Ref);
  });
  test('t_ and swapdims_', () => {
    const m = inp('A').mul(1);
    m.t_();
    expectTensor(m, REF.cases.t_inplace.out as Ref);
    const z = torch.zeros([2, 3, 4]);
    z.swapdims_(0, 2);
    expect(z.shape).toEqual([4, 3, 2]);
  });
  test('a leaf that requires grad refuses them', () => {
    expect(() => torch.ones([2, 3], { requiresGrad: true }).t_()).toThrow(REF.errors.t__leaf);
  });
});

describe('errors: a TorchError with PyTorch 1.13\'s message', () => {
  const E: [string, () => unknown][] = [
    ['cross_nodim', () => torch.cross(torch.ones([2, 4]), torch.ones([2, 4]))],
    ['cross_len', () => torch.cross(torch.ones([2, 4]), torch.ones([2, 4]), { dim: 1 })],
    ['cross_ndim', () => torch.cross(torch.ones([3]), torch.ones([1, 3]))],
    ['cross_dtype', () => torch.cross(torch.ones([3]), torch.ones([3], { dtype: 'float64' }))],
    ['inner_last', () => torch.inner(torch.ones([2, 3]), torch.ones([4]))],
    ['vdot_1d', () => torch.vdot(torch.ones([3, 1]), torch.ones([3]))],
    ['vdot_dtype', () => torch.vdot(torch.ones([3]), torch.ones([3], { dtype: 'float64' }))],
    ['vdot_size', () => torch.vdot(torch.ones([3]), torch.ones([4]))],
    ['tensordot_neg', () => torch.tensordot(torch.ones([3, 4]), torch.ones([4, 5]), { dims: -1 })],
    ['tensordot_mismatch', () => torch.tensordot(torch.ones([3, 4]), torch.ones([5, 5]), { dims: 1 })],
    ['tensordot_lens', () => torch.tensordot(torch.ones([3, 4]), torch.ones([5, 4]), { dims: [[1], [1, 0]] })],
    ['chain_matmul_none', () => torch.chainMatmul()],
    ['chain_matmul_shapes', () => torch.chainMatmul(torch.ones([2, 3]), torch.ones([2, 4]))],
    ['block_diag_3d', () => torch.blockDiag(torch.ones([2, 2, 2]))],
    ['tril_indices_row', () => torch.trilIndices(-1, 4)],
    ['tril_indices_dtype', () => torch.trilIndices(3, 4, { dtype: 'float32' })],
    ['rot90_dims', () => torch.rot90(torch.ones([2, 3]), 1, [0])],
    ['rot90_same', () => torch.rot90(torch.ones([2, 3]), 1, [0, 0])],
    ['rot90_1d', () => torch.rot90(torch.ones([3]), 1)],
    ['rot90_range', () => torch.rot90(torch.ones([2, 3, 4]), 1, [0, 3])],
    ['diff_0d', () => torch.diff(torch.tensor(1.0))],
    ['diff_prepend', () => torch.diff(torch.ones([2, 3]), { prepend: torch.tensor(1.0) })],
    ['ri_2d', () => torch.repeatInterleave(torch.tensor([[1, 2]]))],
    ['ri_float', () => torch.repeatInterleave(torch.tensor([1.0, 2.5]))],
    ['ri_neg', () => torch.repeatInterleave(torch.tensor([1, -2]))],
    ['ri_size', () => torch.repeatInterleave(torch.ones([2, 3]), torch.tensor([1, 2]), { dim: 1 })],
    ['ri_neg_int', () => torch.repeatInterleave(torch.ones([2, 3]), -1)],
    ['tad_dtype', () => torch.takeAlongDim(torch.ones([2, 3]), torch.tensor([[0]], { dtype: 'int32' }), 1)],
    ['tad_ndim', () => torch.takeAlongDim(torch.ones([2, 3]), torch.tensor([0]), 1)],
    ['unfold_size', () => torch.ones([2, 3]).unfold(1, 4, 1)],
    ['unfold_step', () => torch.ones([2, 3]).unfold(1, 2, 0)],
    ['hsplit_0d', () => torch.hsplit(torch.tensor(1.0), 1)],
    ['hsplit_div', () => torch.hsplit(torch.ones([2, 3]), 2)],
    ['vsplit_zero', () => torch.vsplit(torch.ones([2, 3]), 0)],
    ['dsplit_dims', () => torch.dsplit(torch.ones([2, 3]), 1)],
    ['dstack_empty', () => torch.dstack([])],
    ['column_stack_empty', () => torch.columnStack([])],
    ['sws_sum', () => torch.splitWithSizes(torch.ones([2, 3]), [1, 3], 1)],
    ['sum_to_size', () => torch.ones([2, 3]).sumToSize(3, 3)],
    ['select_scatter_shape', () => torch.selectScatter(torch.ones([2, 3]), torch.ones([2]), 0, 0)],
    ['slice_scatter_shape', () => torch.sliceScatter(torch.ones([2, 3]), torch.ones([2]), 1, 0, 2, 1)],
    ['diagonal_scatter_shape', () => torch.diagonalScatter(torch.ones([2, 3]), torch.ones([3]))],
    ['sr_reduce', () => torch.scatterReduce(torch.ones([2, 3]), 0, I(), torch.ones([2, 3]), 'max' as never)],
    ['sr_index_dtype', () => torch.scatterReduce(torch.ones([2, 3]), 0, I().int(), torch.ones([2, 3]), 'sum')],
    ['sr_src_dtype', () => torch.scatterReduce(torch.ones([2, 3]), 0, I(), torch.ones([2, 3], { dtype: 'float64' }), 'sum')],
    ['sr_bounds', () => torch.scatterReduce(torch.ones([2, 3]), 0, torch.tensor([[2, 0, 0]]), torch.ones([2, 3]), 'sum')],
    ['sr_ndim', () => torch.scatterReduce(torch.ones([2, 3]), 0, torch.tensor([0, 0]), torch.ones([2, 3]), 'sum')],
    ['sr_size', () => torch.scatterReduce(torch.ones([2, 3]), 0, torch.tensor([[0, 0, 0, 0]]), torch.ones([2, 3]), 'sum')],
    ['ir_reduce', () => torch.indexReduce(torch.ones([2, 3]), 0, torch.tensor([0, 0]), torch.ones([2, 3]), 'sum' as never)],
    ['ir_count', () => torch.indexReduce(torch.ones([2, 3]), 0, torch.tensor([0, 0, 1]), torch.ones([2, 3]), 'prod')],
    ['ir_vector', () => torch.indexReduce(torch.ones([2, 3]), 0, torch.tensor([[0, 0]]), torch.ones([2, 3]), 'prod')],
    ['ir_range', () => torch.indexReduce(torch.ones([2, 3]), 0, torch.tensor([0, 2]), torch.ones([2, 3]), 'prod')],
    ['ms_count', () => torch.ones([2, 3]).maskedScatter(torch.tensor([true, false, true]), torch.tensor([9.0, 8.5]))],
    ['ms_dtype', () => torch.ones([2, 3]).maskedScatter(torch.tensor([true, false, true]), torch.tensor([9, 8, 7, 6]))],
    ['fd_1d', () => torch.ones([3]).fillDiagonal_(2)],
    ['fd_unequal', () => torch.ones([3, 3, 2]).fillDiagonal_(2)],
    ['mn_norepl', () => torch.multinomial(torch.tensor([1.0, 2.5]), 3)],
    ['mn_neg', () => torch.multinomial(torch.tensor([1.0, -2.5]), 1)],
    ['mn_zero', () => torch.multinomial(torch.tensor([0.0, 0.0], { dtype: 'float32' }), 1)],
    ['mn_int', () => torch.multinomial(torch.tensor([1, 2]), 1)],
    ['mn_3d', () => torch.multinomial(torch.ones([2, 2, 2]), 1)],
    ['mn_n0', () => torch.multinomial(torch.tensor([1.0, 2.5]), 0)],
    ['mn_nan', () => torch.multinomial(torch.tensor([1.0, NaN]), 1)],
    ['hist_int', () => torch.histogram(torch.tensor([1, 2]), 2)],
    ['hist_edges_dtype', () => torch.histogram(torch.tensor([1.5, 2.0], { dtype: 'float32' }), torch.tensor([0.0, 1.0, 2.0], { dtype: 'float64' }))],
    ['hist_range', () => torch.histogram(torch.tensor([1.5, 2.0], { dtype: 'float32' }), 2, { range: [3.0, 1.0] })],
    ['hist_bins', () => torch.histogram(torch.tensor([1.5, 2.0], { dtype: 'float32' }), -1)],
    ['hist_weight', () => torch.histogram(torch.tensor([1.5, 2.0], { dtype: 'float32' }), 2, { weight: torch.ones([3]) })],
    ['vander_2d', () => torch.vander(torch.tensor([[1.5]]))],
    ['vander_neg', () => torch.vander(torch.tensor([1.5, 2.0]), { N: -1 })],
    ['hann_neg', () => torch.hannWindow(-1)],
    ['kaiser_neg', () => torch.kaiserWindow(-1)],
    ['range_step0', () => torch.range(1, 4, 0)],
    ['range_sign', () => torch.range(1, 0)],
    ['es_dims', () => torch.emptyStrided([2, 3], [1])],
    ['es_neg', () => torch.emptyStrided([2, -3], [1, 2])],
    ['asarray_alias', () => torch.asarray(torch.ones([2]), { dtype: 'float64', copy: false })],
    ['randint_like_order', () => torch.randintLike(torch.zeros([2]), 5, 3)],
  ];
  test('every reference error has a row here', () => {
    const have = new Set([...E.map((e) => e[0]), 't__leaf']);
    expect(Object.keys(REF.errors).filter((k) => !have.has(k))).toEqual([]);
  });
  test.each(E)('%s', (name, f) => {
    let err: unknown;
    try { f(); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(torch.TorchError);
    expect((err as Error).message).toBe(REF.errors[name]);
  });
});

describe('out= and the deprecation of chain_matmul', () => {
  test('cross, inner, vdot, tensordot, diff, takeAlongDim, dstack write out=', () => {
    const p = torch.tensor(REF.inputs.P as number[][]), q = torch.tensor(REF.inputs.Q as number[][]);
    const out = torch.empty([0]);
    expect(torch.cross(p, q, { out })).toBe(out);
    expectTensor(out, REF.cases.cross_default.out as Ref);
    const o2 = torch.empty([0]);
    torch.tensordot(torch.tensor(REF.inputs.M34 as number[][]), torch.tensor(REF.inputs.M45 as number[][]), 1, { out: o2 });
    expectTensor(o2, REF.cases.tensordot_int.out as Ref);
    const o3 = torch.empty([0]);
    torch.diff(torch.tensor(REF.inputs.A as number[][]), { out: o3 });
    expectTensor(o3, REF.cases.diff.out as Ref);
    const o4 = torch.empty([0]);
    torch.chainMatmul(torch.tensor(REF.inputs.A as number[][]), torch.tensor(REF.inputs.M34 as number[][]), torch.tensor(REF.inputs.M45 as number[][]), { out: o4 });
    expectTensor(o4, REF.cases.chain_matmul.out as Ref);
  });
  test('a view result writes through to its input (unfold, ravel, hsplit)', () => {
    const x = torch.zeros([2, 4]);
    x.unfold(1, 2, 2).fill_(3);
    x.ravel().select(0, 0).fill_(7);
    torch.hsplit(x, 2)[1].select(0, 1).fill_(5);
    expect(x.tolist()).toEqual([[7, 3, 3, 3], [3, 3, 5, 5]]);
  });
});

describe('multinomial: seeded determinism and the distribution', () => {
  test('the same generator seed gives the same draws; without replacement the draws of a row are distinct', () => {
    const p = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.4, 0.0, 0.4, 0.2]], { dtype: 'float32' });
    const a = torch.multinomial(p, 3, { generator: new torch.Generator().manualSeed(7) });
    const b = p.multinomial(3, false, { generator: new torch.Generator().manualSeed(7) });
    expect(a.tolist()).toEqual(b.tolist());
    expect(a.dtype).toBe('int64');
    expect(a.shape).toEqual([2, 3]);
    for (const row of a.tolist() as number[][]) expect(new Set(row).size).toBe(3);
    expect((a.tolist() as number[][])[1]).not.toContain(1);  // a zero-weight category is never drawn
    torch.manualSeed(3);
    const c = torch.multinomial(torch.tensor([1.0, 1.0, 1.0], { dtype: 'float32' }), 2, true);
    torch.manualSeed(3);
    expect(torch.multinomial(torch.tensor([1.0, 1.0, 1.0], { dtype: 'float32' }), 2, true).tolist()).toEqual(c.tolist());
  });
  test('with replacement, frequencies follow the weights (20000 draws, 5 standard deviations)', () => {
    const w = [1, 2, 3, 4];
    const n = 20000;
    const r = torch.multinomial(torch.tensor(w, { dtype: 'float64' }), n, true, { generator: new torch.Generator().manualSeed(11) }).tolist() as number[];
    const counts = [0, 0, 0, 0];
    for (const k of r) counts[k]++;
    counts.forEach((c, k) => {
      const p = w[k] / 10;
      expect(Math.abs(c - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    });
  });
  test('without replacement, the first draw follows the weights and later draws renormalise (PyTorch\'s sampling)', () => {
    const n = 4000;
    const p = torch.tensor([0.7, 0.2, 0.1], { dtype: 'float64' }).unsqueeze(0).expand([n, 3]).contiguous();
    const r = torch.multinomial(p, 2, false, { generator: new torch.Generator().manualSeed(5) }).tolist() as number[][];
    const first = [0, 0, 0], second0 = [0, 0, 0];
    for (const [a, b] of r) { first[a]++; if (a === 0) second0[b]++; }
    [0.7, 0.2, 0.1].forEach((q, k) => expect(Math.abs(first[k] - n * q)).toBeLessThan(5 * Math.sqrt(n * q * (1 - q))));
    // after category 0: 1 with probability 2/3, 2 with 1/3
    const m = first[0];
    expect(Math.abs(second0[1] - (m * 2) / 3)).toBeLessThan(5 * Math.sqrt((m * 2) / 9));
  });
});

describe('factories: empty_strided, asarray, randint_like, range', () => {
  test('emptyStrided has the strides asked for (vs PyTorch), over a storage just large enough', () => {
    const c = REF.cases.empty_strided as unknown as { shape: number[]; stride: number[] };
    const e = torch.emptyStrided(c.shape, c.stride, { dtype: 'float64' });
    expect([e.shape, e.stride(), e.dtype]).toEqual([c.shape, c.stride, 'float64']);
    e.fill_(2);
    expect(e.sum().item()).toBe(12);
  });
  test('asarray: the tensor itself where no copy is needed; copy: true copies; other data as torch.tensor', () => {
    const x = torch.ones([2]);
    expect(torch.asarray(x)).toBe(x);
    expect(torch.asarray(x, { dtype: 'float32', copy: false })).toBe(x);
    const c = torch.asarray(x, { copy: true });
    expect(c).not.toBe(x);
    c.fill_(3);
    expect(x.tolist()).toEqual([1, 1]);
    const d = torch.asarray(x, { dtype: 'float64' });
    expect([d.dtype, d.tolist()]).toEqual(['float64', [1, 1]]);
    expect(torch.asarray([[1, 2.5]]).tolist()).toEqual([[1, 2.5]]);
    expect(torch.asarray([1, 2], { requiresGrad: true, dtype: 'float32' }).requiresGrad).toBe(true);
  });
  test("randintLike: the input's shape and dtype (unless dtype says), values in [low, high), seeded", () => {
    const x = torch.zeros([200], { dtype: 'float64' });
    torch.manualSeed(4);
    const a = torch.randintLike(x, 5);
    torch.manualSeed(4);
    expect(torch.randintLike(x, 5).tolist()).toEqual(a.tolist());
    expect([a.shape, a.dtype]).toEqual([[200], 'float64']);
    const v = a.tolist() as number[];
    expect(v.every((k) => Number.isInteger(k) && k >= 0 && k < 5)).toBe(true);
    expect(new Set(v).size).toBe(5);
    const b = torch.randintLike(x, -3, -1, { dtype: 'int32' }).tolist() as number[];
    expect(b.every((k) => k === -3 || k === -2)).toBe(true);
    expect(torch.randintLike(x, { low: 2, high: 3 }).tolist()).toEqual(Array(200).fill(2));
  });
  test('range warns once (deprecated) and takes out=', () => {
    const out = torch.empty([0], { dtype: 'float64' });
    expect(torch.range(0, 1, 0.5, { out })).toBe(out);
    expect(out.tolist()).toEqual([0, 0.5, 1]);
  });
});

describe('sizes built on the host are bounded', () => {
  test('an index list, window or range beyond 2^27 elements is refused with a TorchError, not attempted', () => {
    expect(() => torch.trilIndices(2 ** 20, 2 ** 20)).toThrow(/more than nodetorch builds on the host/);
    expect(() => torch.hannWindow(2 ** 40)).toThrow(torch.TorchError);
    expect(() => torch.range(0, 1e12)).toThrow(torch.TorchError);
    expect(() => torch.multinomial(torch.ones([2], { dtype: 'float32' }), 2 ** 30, true)).toThrow(torch.TorchError);
    expect(() => torch.histogram(torch.ones([2], { dtype: 'float32' }), 2 ** 30)).toThrow(torch.TorchError);
  });
});

// On CUDA (a GPU, or the CUDA emulator of scripts/cuda-emu: NODETORCH_ADDON=build-emu/...): the same calls with the
// tensors on the device give the CPU's values and gradients, and their results stay on the device.
(torch.cuda.isAvailable() ? describe : describe.skip)('on CUDA: the same values and gradients as on the CPU', () => {
  type DevCase = [string, (d: string, ...xs: T[]) => T | T[], string[]];
  const idx = (d: string, v: number[] | number[][]): T => torch.tensor(v, { device: d });
  const CASES: DevCase[] = [
    ['cross', (d, p, q) => torch.cross(p, q, { dim: 1 }), ['P', 'Q']],
    ['tensordot', (d, t, m) => torch.tensordot(t, m, 2), ['T3', 'M34']],
    ['inner', (d, a, b) => torch.inner(a, b), ['A', 'B']],
    ['block_diag', (d, a, v) => torch.blockDiag(a, v), ['A', 'V']],
    ['rot90', (d, t) => torch.rot90(t, 1, [1, 2]), ['T3']],
    ['diff', (d, a, b) => torch.diff(a, { dim: 0, prepend: b }), ['A', 'B']],
    ['repeat_interleave', (d, a) => torch.repeatInterleave(a, idx(d, [1, 3]), 0), ['A']],
    ['take_along_dim', (d, a) => torch.takeAlongDim(a, idx(d, [[2, 0], [1, 1]]), 1), ['A']],
    ['unfold', (d, t) => t.unfold(2, 2, 1), ['T3']],
    ['hsplit', (d, t) => torch.hsplit(t, [1]), ['T3']],
    ['slice_scatter', (d, t, a) => torch.sliceScatter(t, a.unsqueeze(-1).expand([2, 3, 2]), { dim: 2, start: 1, step: 2 }), ['T3', 'A']],
    ['scatter_reduce', (d, a, b) => torch.scatterReduce(a, 0, idx(d, [[0, 1, 0], [1, 0, 1]]), b, 'amax', { includeSelf: false }), ['A', 'B']],
    ['scatter_reduce_prod', (d, a, z) => torch.scatterReduce(a, 0, idx(d, [[0, 1, 0], [1, 0, 1]]), z, 'prod'), ['A', 'Z']],
    ['index_reduce', (d, p, q) => torch.indexReduce(p, 0, idx(d, [0, 2, 0]), q, 'mean'), ['P', 'Q']],
    ['masked_scatter', (d, a, s) => torch.maskedScatter(a, idx(d, [true, false, true]), s), ['A', 'S']],
    ['vander', (d, x) => torch.vander(x, { N: 3 }), ['X4']],
    ['histogram', (d, s) => torch.histogram(s.detach(), 4), ['S']],
    ['isin', (d, a, b) => torch.isin(a.detach().round(), b.detach().round()), ['A', 'B']],
  ];
  test.each(CASES)('%s', (name, f, names) => {
    const run = (d: string): { out: unknown; grads: unknown[] } => {
      const xs = names.map((k) => torch.tensor(REF.inputs[k] as number[], { device: d }).requiresGrad_(true));
      const rs = tensors(f(d, ...xs));
      rs.forEach((t) => expect(t.device.type).toBe(d));
      const live = rs.filter((t) => t.requiresGrad);
      const grads = live.length ? torch.autograd.grad(live.map((t) => t.mul(weights(t.shape).to(t.dtype).to(d)).sum()).reduce((x, y) => x.add(y)), xs, { allowUnused: true })
        .map((g) => (g ? (g as T).cpu().tolist() : null)) : [];
      return { out: rs.map((t) => t.cpu().tolist()), grads };
    };
    const cpu = run('cpu'), cuda = run('cuda');
    const close = (a: unknown, b: unknown): void => {
      if (Array.isArray(a)) { expect(Array.isArray(b)).toBe(true); (a as unknown[]).forEach((x, i) => close(x, (b as unknown[])[i])); return; }
      if (typeof a === 'number') expect(Math.abs(a - (b as number))).toBeLessThan(1e-5 + 1e-5 * Math.abs(a));
      else expect(b).toEqual(a);
    };
    close(cpu.out, cuda.out);
    close(cpu.grads, cuda.grads);
  });
  test('windows, range, trilIndices, multinomial and randintLike are created on the device asked for', () => {
    expect(torch.hannWindow(5, { device: 'cuda' }).cpu().tolist()).toEqual(torch.hannWindow(5).tolist());
    expect(torch.range(0, 1, 0.5, { device: 'cuda' }).device.type).toBe('cuda');
    expect(torch.trilIndices(3, 3, { device: 'cuda' }).cpu().tolist()).toEqual(torch.trilIndices(3, 3).tolist());
    expect(torch.multinomial(torch.ones([4], { device: 'cuda' }), 2).device.type).toBe('cuda');
    expect(torch.randintLike(torch.zeros([3], { device: 'cuda' }), 4).device.type).toBe('cuda');
  });
});

describe('gradcheck (float64 finite differences): first and second order', () => {
  const d = (v: unknown): T => torch.tensor(v as number[], { dtype: 'float64', requiresGrad: true });
  const A64 = (): T => d(REF.inputs.A), B64 = (): T => d(REF.inputs.B), P64 = (): T => d(REF.inputs.P), Q64 = (): T => d(REF.inputs.Q);
  const T364 = (): T => d(REF.inputs.T3), M64 = (): T => d(REF.inputs.M34), V64 = (): T => d(REF.inputs.V), S64 = (): T => d(REF.inputs.S);
  const idx = torch.tensor([[0, 1, 0], [1, 0, 1]]);
  const CASES: [string, (...xs: T[]) => T | T[], () => T[]][] = [
    ['cross', (p, q) => torch.cross(p, q, { dim: 1 }), () => [P64(), Q64()]],
    ['tensordot', (t, m) => torch.tensordot(t, m, 2), () => [T364(), M64()]],
    ['inner', (a, b) => torch.inner(a, b), () => [A64(), B64()]],
    ['chain_matmul', (a, p, q) => torch.chainMatmul(a, p, q), () => [A64(), P64(), Q64()]],
    ['block_diag', (a, v) => torch.blockDiag(a, v), () => [A64(), V64()]],
    ['diff', (a, b) => torch.diff(a, { n: 2, dim: 1, append: b }), () => [A64(), B64()]],
    ['repeat_interleave', (a) => torch.repeatInterleave(a, torch.tensor([2, 0, 1]), 1), () => [A64()]],
    ['take_along_dim', (t) => torch.takeAlongDim(t, torch.tensor([[[3], [0], [1]]]), 2), () => [T364()]],
    ['unfold', (t) => t.transpose(0, 2).unfold(1, 2, 1), () => [T364()]],
    ['select_scatter', (a, v) => torch.selectScatter(a, v, 0, 1), () => [A64(), V64()]],
    ['slice_scatter', (a, b) => torch.sliceScatter(a, b.narrow(1, 0, 2), 1, 1), () => [A64(), B64()]],
    ['diagonal_scatter', (p, v) => torch.diagonalScatter(p, v, 0), () => [P64(), V64()]],
    ['scatter_reduce_sum', (a, b) => torch.scatterReduce(a, 0, idx, b, 'sum', { includeSelf: false }), () => [A64(), B64()]],
    ['scatter_reduce_mean', (a, b) => torch.scatterReduce(a, 0, idx, b, 'mean'), () => [A64(), B64()]],
    ['scatter_reduce_amax', (a, b) => torch.scatterReduce(a, 0, idx, b, 'amax'), () => [A64(), B64()]],
    ['scatter_reduce_prod', (a, b) => torch.scatterReduce(a, 0, idx, b, 'prod'), () => [A64(), B64()]],
    ['index_reduce', (p, q) => torch.indexReduce(p, 0, torch.tensor([0, 2, 0]), q, 'mean', { includeSelf: false }), () => [P64(), Q64()]],
    ['masked_scatter', (a, s) => torch.maskedScatter(a, torch.tensor([true, false, true]), s), () => [A64(), S64()]],
    ['vander', (v) => torch.vander(v, { N: 4 }), () => [V64()]],
  ];
  test.each(CASES)('%s', (name, f, inputs) => {
    expect(torch.autograd.gradcheck(f, inputs())).toBe(true);
    // second order: the gradient of sum(f * w) as a function of the inputs (createGraph), checked the same way
    // (enableGrad: gradcheck evaluates the function under noGrad for its finite differences)
    const g1 = (...xs: T[]): T[] => torch.enableGrad(() => {
      const rs = tensors(f(...xs));
      const loss = rs.map((t) => t.mul(weights(t.shape)).sum()).reduce((a, b) => a.add(b));
      return torch.autograd.grad(loss, xs, { createGraph: true, allowUnused: true }).map((g, i) => g ?? torch.zerosLike(xs[i]));
    });
    if (g1(...inputs()).some((g) => g.requiresGrad)) expect(torch.autograd.gradcheck(g1, inputs())).toBe(true);
  });
});
