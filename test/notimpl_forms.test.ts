// notimpl_forms.test.ts - the PyTorch forms nodetorch used to refuse (the keyword audit's former NOT_IMPLEMENTED
// list), against PyTorch 1.13's values (test/ref/notimpl_forms.json, from test/ref/gen_notimpl_forms.py): a number
// as the input (torch.pow(2, x), the Scalar-self overloads, torch.add(2, 3)), round(decimals=), scatter(value=),
// tensor_split(indices=), narrow with a tensor start, where(condition), conv padding='same'/'valid', the losses' positional weight, and Tensor.to's positional nonBlocking/copy.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';
import { Tensor } from '../lib';
const F = torch.nn.functional;

type V = number | string | boolean | V[];
interface Case { value?: V; dtype?: string; gradFn?: string | null; grad?: V; backwardError?: string; error?: string; message?: string; pieces?: V[] }
const REF: { cases: Record<string, Case> } = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/notimpl_forms.json'), 'utf8'));

const X = (): Tensor => torch.tensor([1.5, -2.0, 0.5, 0.0], { dtype: 'float32', requiresGrad: true });
const XI = (): Tensor => torch.tensor([1, 2, 3]);
const R = (): Tensor => torch.tensor([1.2345, -2.5, 0.125, 2.675, 1234.5, -0.05, 15.0, 25.0, 0.5, 1.5, -0.125, 2.5e-3], { dtype: 'float32' });
const COND = (): Tensor => torch.tensor([true, false, true, false]);
const IDX = (): Tensor => torch.tensor([[0, 1, 2], [2, 0, 1]]);
const A7 = (): Tensor => torch.arange(7, { dtype: 'float32' });
const LX = (): Tensor => torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]], { dtype: 'float32' });
const LT = (): Tensor => torch.tensor([0, 2]);
const W = (): Tensor => torch.tensor([1.0, 2.0, 0.5], { dtype: 'float32' });
const P = (): Tensor => torch.tensor([0.2, 0.7, 0.9], { dtype: 'float32' });
const Y = (): Tensor => torch.tensor([0.0, 1.0, 1.0], { dtype: 'float32' });
const CX1 = (): Tensor => torch.arange(14, { dtype: 'float32' }).reshape([1, 2, 7]).sub(6).div(4);
const CW1 = (): Tensor => torch.arange(12, { dtype: 'float32' }).reshape([3, 2, 2]).sub(5).div(6);
const CX2 = (): Tensor => torch.arange(50, { dtype: 'float32' }).reshape([1, 2, 5, 5]).sub(20).div(9);
const CW2 = (): Tensor => torch.arange(24, { dtype: 'float32' }).reshape([2, 2, 3, 2]).sub(11).div(10);
const n = (v: unknown): never => v as never;  // a form the declarations refuse (PyTorch refuses it too)

const CASES: Record<string, (x: Tensor) => unknown> = {
  'pow(2, x)': (x) => torch.pow(2, x),
  'pow(0, x)': (x) => torch.pow(0, x),
  'pow(2, xi)': () => torch.pow(2, XI()),
  'pow(2.5, xi)': () => torch.pow(2.5, XI()),
  'pow(2, 3)': () => torch.pow(n(2), n(3)),
  'remainder(2, x)': (x) => torch.remainder(2, x),
  'remainder(2.5, xi)': () => torch.remainder(2.5, XI()),
  'remainder(7, xi)': () => torch.remainder(7, XI()),
  'remainder(2, xi, out)': () => torch.remainder(2, XI(), n({ out: torch.empty([3], { dtype: 'int64' }) })),
  'bitwise_and(3, xi)': () => torch.bitwiseAnd(3, XI()),
  'bitwise_or(true, cond)': () => torch.bitwiseOr(true, COND()),
  'bitwise_xor(5, xi)': () => torch.bitwiseXor(5, XI()),
  'bitwise_and(2.5, xi)': () => torch.bitwiseAnd(2.5, XI()),
  'xlogy(2, x)': (x) => torch.xlogy(2, x),
  'xlogy(3, xi)': () => torch.xlogy(3, XI()),
  'where(cond, 2, x)': (x) => torch.where(COND(), 2, x),
  'where(cond, 2, 3)': () => torch.where(COND(), 2, 3),
  'where(cond, 2.5, 3)': () => torch.where(COND(), 2.5, 3),
  'result_type(2, x)': (x) => torch.resultType(2, x),
  'result_type(2, xi)': () => torch.resultType(2, XI()),
  'result_type(2.5, xi)': () => torch.resultType(2.5, XI()),
  'add(2, 3)': () => torch.add(2, 3),
  'add(2, 3, alpha=2)': () => torch.add(2, 3, { alpha: 2 }),
  'add(2, x)': (x) => torch.add(2, x),
  'sub(2, x, alpha=3)': (x) => torch.sub(2, x, { alpha: 3 }),
  'sub(true, xi)': () => torch.sub(true, XI()),
  'mul(2.5, 2)': () => torch.mul(2.5, 2),
  'mul(2, x)': (x) => torch.mul(2, x),
  'div(2, 3)': () => torch.div(2, 3),
  'div(7, xi, floor)': () => torch.div(7, XI(), { roundingMode: 'floor' }),
  'div(1, x)': (x) => torch.div(1, x),
  'true_divide(2, xi)': () => torch.trueDivide(2, XI()),
  'floor_divide(7, xi)': () => torch.floorDivide(7, XI()),
  'floor_divide(2.5, xi)': () => torch.floorDivide(2.5, XI()),
  'multiply(true, xi)': () => torch.multiply(true, XI()),
  'round(x, 1) grad': (x) => torch.round(x, { decimals: 1 }),
  'round(int64, 1)': () => torch.round(XI(), { decimals: 1 }),
  'round(float16, 1)': () => torch.round(R().half(), { decimals: 1 }),
  'round_(1)': () => R().round_({ decimals: 1 }),
  'scatter(value=1.5)': () => torch.zeros([2, 3]).scatter(1, IDX(), { value: 1.5 }),
  'scatter(value=2, reduce=add)': () => torch.scatter(torch.ones([2, 3]), 1, IDX(), { value: 2.0, reduce: 'add' }),
  'scatter(value=3, reduce=multiply)': () => torch.ones([2, 3]).scatter(1, IDX().narrow(1, 0, 2), { value: 3.0, reduce: 'multiply' }),
  'scatter_(value=-1)': () => torch.zeros([2, 3]).scatter_(1, IDX().narrow(1, 0, 1), { value: -1.0 }),
  'scatter(value=tensor)': () => torch.zeros([2, 3]).scatter(1, IDX(), { value: n(torch.ones([2, 3])) }),
  'tensor_split(3)': () => torch.tensorSplit(A7(), 3),
  'tensor_split(sections=3)': () => torch.tensorSplit(A7(), { sections: 3 }),
  'tensor_split([1, 4])': () => torch.tensorSplit(A7(), [1, 4]),
  'tensor_split(indices=[1, 4])': () => torch.tensorSplit(A7(), { indices: [1, 4] }),
  'tensor_split(indices=[-2, 3])': () => torch.tensorSplit(A7(), { indices: [-2, 3] }),
  'tensor_split(indices=[5, 2, 9])': () => torch.tensorSplit(A7(), { indices: [5, 2, 9] }),
  'tensor_split(indices=[])': () => torch.tensorSplit(A7(), { indices: [] }),
  'tensor_split(tensor([1, 5]))': () => torch.tensorSplit(A7(), torch.tensor([1, 5])),
  'tensor_split(tensor(2))': () => torch.tensorSplit(A7(), torch.tensor(2)),
  'tensor_split(indices=[1], dim=1)': () => torch.arange(12, { dtype: 'float32' }).reshape([3, 4]).tensorSplit({ indices: [1, 3], dim: 1 }),
  'tensor_split(0)': () => torch.tensorSplit(A7(), 0),
  'tensor_split(tensor([1.]))': () => torch.tensorSplit(A7(), torch.tensor([1.0], { dtype: 'float32' })),
  'tensor_split(tensor([[1]]))': () => torch.tensorSplit(A7(), torch.tensor([[1]])),
  'tensor_split(0-d input)': () => torch.tensorSplit(torch.tensor(1.0, { dtype: 'float32' }), 2),
  'narrow(x, 0, tensor(1), 2)': (x) => torch.narrow(x, 0, torch.tensor(1), 2),
  'narrow(x, 0, tensor(-2), 2)': (x) => x.narrow(0, torch.tensor(-2), 2),
  'narrow(x, 0, tensor([1]), 2)': (x) => x.narrow(0, torch.tensor([1]), 2),
  'narrow(x, 0, tensor(1.), 2)': (x) => x.narrow(0, torch.tensor(1.0, { dtype: 'float32' }), 2),
  'where(c)': () => torch.where(torch.tensor([[true, false], [false, true]])),
  'where(condition=c)': () => torch.where({ condition: torch.tensor([[true, false], [false, true]]) }),
  'where(0-d)': () => torch.where(torch.tensor(3.0, { dtype: 'float32' })),
  'where(float)': () => torch.where(torch.tensor([0.0, 2.0, 0.0, 1.0], { dtype: 'float32' })),
  'where(c, ones)': () => torch.where(torch.tensor([[true, false], [false, true]]), n(torch.ones([2, 2]))),
  'F.conv1d(same)': () => F.conv1d(CX1(), CW1(), { padding: 'same' }),
  'F.conv1d(same, dilation=3)': () => F.conv1d(CX1(), CW1(), null, 1, 'same', 3),
  'F.conv1d(valid)': () => F.conv1d(CX1(), CW1(), { padding: 'valid' }),
  'F.conv2d(same)': () => F.conv2d(CX2(), CW2(), torch.tensor([0.5, -1.0], { dtype: 'float32' }), 1, 'same'),
  'F.conv2d(same, dilation=(2, 1))': () => F.conv2d(CX2(), CW2(), { padding: 'same', dilation: [2, 1] }),
  'F.conv2d(same, stride=2)': () => F.conv2d(CX2(), CW2(), { stride: 2, padding: 'same' }),
  'F.conv2d(padding=bad)': () => F.conv2d(CX2(), CW2(), { padding: n('full') }),
  'F.cross_entropy(x, t, w)': () => F.crossEntropy(LX(), LT(), W()),
  'F.cross_entropy(x, t, w, reduction=sum)': () => F.crossEntropy(LX(), LT(), W(), { reduction: 'sum' }),
  'F.nll_loss(x, t, w)': () => F.nllLoss(LX(), LT(), W()),
  'F.binary_cross_entropy(p, y, w)': () => F.binaryCrossEntropy(P(), Y(), W()),
  'F.binary_cross_entropy_with_logits(p, y, w)': () => F.binaryCrossEntropyWithLogits(P(), Y(), W()),
  'F.margin_ranking_loss(p, y, y, 0.5)': () => F.marginRankingLoss(P(), Y(), Y(), 0.5),
  'nn.CrossEntropyLoss(w)': () => new torch.nn.CrossEntropyLoss(W()).call(LX(), LT()),
  'nn.NLLLoss(w)': () => new torch.nn.NLLLoss(W()).call(LX(), LT()),
  'nn.BCELoss(w)': () => new torch.nn.BCELoss(W()).call(P(), Y()),
  'nn.BCEWithLogitsLoss(w)': () => new torch.nn.BCEWithLogitsLoss(W()).call(P(), Y()),
};
for (const d of [2, 1, 3, 0, -1, -2]) {
  for (const dt of ['float32', 'float64', 'bfloat16'] as const) CASES[`round(${dt}, ${d})`] = () => torch.round(R().to(dt), { decimals: d });
}

const dec = (v: V): V => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Array.isArray(v) ? v.map(dec) : v);
function close(got: unknown, want: V, where: string): void {
  if (Array.isArray(want)) {
    expect([where, Array.isArray(got) ? (got as unknown[]).length : got]).toEqual([where, want.length]);
    want.forEach((w, i) => close((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  const w = dec(want);
  if (typeof w === 'number' && Number.isNaN(w)) { expect([where, Number.isNaN(got as number)]).toEqual([where, true]); return; }
  if (typeof w !== 'number' || !Number.isFinite(w)) { expect([where, got]).toEqual([where, w]); return; }
  if (typeof got !== 'number' || Math.abs(got - w) > 1e-6 * Math.max(1, Math.abs(w))) throw new Error(`${where}: got ${String(got)}, expected ${w}`);
  if (w === 0) expect([where, Object.is(got, -0)]).toEqual([where, Object.is(w, -0)]);  // (the sign of a zero)
}

describe('PyTorch forms nodetorch used to refuse: values from PyTorch 1.13', () => {
  test('every reference case has a nodetorch call (and the other way round)', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(REF.cases).sort());
  });
  for (const [name, ref] of Object.entries(REF.cases)) {
    test(name, () => {
      const x = X();
      if (ref.error) {
        let err: unknown = null;
        try { CASES[name](x); } catch (e) { err = e; }
        expect(err).not.toBeNull();
        if (ref.error === 'TypeError') {
          // Python's argument errors are TypeErrors naming the op (their wording is Python's parser's)
          expect(err).toBeInstanceOf(TypeError);
          expect((err as Error).message).toMatch(new RegExp(`^${name.replace(/[(.].*$/, '').replace(/^F\./, '')}\\(\\)`));
        } else {
          expect(err).toBeInstanceOf(torch.TorchError);
          expect((err as Error).message.split('\n')[0]).toBe(ref.message);
        }
        return;
      }
      const r = CASES[name](x);
      if (ref.pieces) {
        expect(Array.isArray(r)).toBe(true);
        close((r as Tensor[]).map((t) => t.tolist()), ref.pieces as V, name);
        return;
      }
      if (ref.value === undefined) { expect(r).toBe(ref.dtype); return; }  // result_type: a dtype
      const t = r as Tensor;
      expect([t.dtype, t.gradFn ? t.gradFn.name : null]).toEqual([ref.dtype, ref.gradFn]);
      close(t.dtype === 'bool' ? t.tolist() : t.tolist(), ref.value, name);
      if (ref.grad !== undefined) {
        t.sum().backward();
        close(x.grad?.tolist(), ref.grad, `${name}: x.grad`);
      }
      if (ref.backwardError !== undefined) {
        expect(() => t.sum().backward()).toThrow(torch.TorchError);
        expect(() => t.sum().backward()).toThrow(ref.backwardError);
      }
    });
  }
});

describe('Tensor.to: PyTorch\'s positional nonBlocking and copy', () => {
  test('to(dtype, nonBlocking, copy), to(device, dtype, nonBlocking, copy), to(other, nonBlocking, copy)', () => {
    const z = torch.tensor([1.5, 2], { dtype: 'float32' });
    expect(z.to('float32') === z).toBe(true);
    expect(z.to('float32', false, false) === z).toBe(true);
    const c = z.to('float32', false, true);
    expect(c === z).toBe(false);
    expect(c.tolist()).toEqual([1.5, 2]);
    c.add_(1);
    expect(z.tolist()).toEqual([1.5, 2]);  // a copy: its own storage
    expect(z.to('cpu', null, false, true) === z).toBe(false);
    expect(z.to('cpu', null, false, false) === z).toBe(true);
    expect(z.to(z, false, true) === z).toBe(false);
    const d = z.to('cpu', 'float64', false, true);
    expect([d.dtype, d.tolist()]).toEqual(['float64', [1.5, 2]]);
    expect(z.to(null as never, 'float64' as never).dtype).toBe('float64');  // PyTorch's to(None, dtype)
    expect(() => z.to('cpu', 'float64', 1 as never)).toThrow(TypeError);
    expect(() => z.to('float32', false, true, { copy: false })).toThrow(/got multiple values for argument 'copy'/);
    expect(() => z.to('float32', false, true, false as never)).toThrow(/too many arguments/);
  });
});
