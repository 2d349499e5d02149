// sweep_rows.test.ts - the shape sweep's ops as ops.schema rows (issue 11): the generated entry points are what
// torch.* and the Tensor methods resolve to; each takes its keywords by camelCase name and equals its positional form;
// out= where PyTorch 1.13's Python takes it, refused (a TypeError, as PyTorch's) where it does not. Values against
// PyTorch are test/sweep_shape.test.ts's; every keyword against PyTorch's signatures is test/keyword_audit.test.ts's.
import * as torch from '../lib/index';

type T = torch.Tensor;
const A = (): T => torch.tensor([[0.5, -1.25, 2.0], [1.5, -0.25, 3.0]], { dtype: 'float32' });
const S = (): T => torch.tensor([-1, 0, 1, 2], { dtype: 'float32' });
const same = (a: T, b: T): void => {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(a.tolist()).toEqual(b.tolist());
};
const TF = torch as unknown as Record<string, (...a: unknown[]) => T>;

describe("the sweep's ops are schema rows", () => {
  test('torch.* and the methods are the generated entry points (the parser refuses unknown options)', () => {
    for (const name of ['diag', 'diagEmbed', 'diagflat', 'trace', 'kron', 'combinations', 'searchsorted', 'bucketize', 'histc', 'bincount']) {
      expect(() => TF[name](A(), { notAnOption: 1 })).toThrow(new RegExp(`unexpected option 'notAnOption'`));
    }
    for (const name of ['diag', 'diagEmbed', 'diagflat', 'trace', 'kron', 'histc', 'bincount']) {
      const m = (A() as unknown as Record<string, (...a: unknown[]) => T>)[name];
      expect(() => m.call(A(), { notAnOption: 1 })).toThrow(/unexpected option 'notAnOption'/);
    }
    expect(() => torch.nn.functional.pdist(A(), { q: 1 } as never)).toThrow(/pdist\(\): unexpected option 'q'/);
  });

  test('keywords by camelCase name equal the positional forms', () => {
    same(torch.diag(A(), { diagonal: 1 }), torch.diag(A(), 1));
    same(A().diagEmbed({ offset: 1, dim1: 0, dim2: 2 }), torch.diagEmbed(A(), 1, 0, 2));
    same(torch.diagflat({ input: A(), offset: -1 }), torch.diagflat(A(), -1));
    same(torch.combinations(torch.tensor([1, 2, 3]), { r: 3, withReplacement: true }), torch.combinations(torch.tensor([1, 2, 3]), 3, true));
    same(torch.histc(A(), { bins: 4, min: -2, max: 3 }), torch.histc(A(), 4, -2, 3));
    same(torch.tensor([0, 2, 2, 1]).bincount({ minlength: 5 }), torch.bincount(torch.tensor([0, 2, 2, 1]), null, 5));
    same(torch.nn.functional.pdist(A(), { p: 1 }), torch.nn.functional.pdist(A(), 1));
    same(torch.searchsorted(S(), A(), { side: 'right' }), torch.searchsorted(S(), A(), { right: true }));
  });

  test("searchsorted / bucketize take a number or a boolean (PyTorch's Scalar overload) and refuse anything else", () => {
    same(torch.searchsorted(S(), true as unknown as number), torch.searchsorted(S(), 1));
    same(torch.bucketize(true as unknown as number, S()), torch.bucketize(1, S()));
    expect(torch.searchsorted(S(), 0.5, { outInt32: true }).dtype).toBe('int32');
    expect(() => torch.searchsorted(S(), 'a' as unknown as number)).toThrow(TypeError);
  });

  test("out=: written where PyTorch's Python takes it, a TypeError where it refuses it", () => {
    const outs: [string, () => T, (o: T) => T][] = [
      ['diag', () => torch.diag(A(), 1), (o) => torch.diag(A(), 1, { out: o })],
      ['kron', () => torch.kron(A(), S()), (o) => torch.kron(A(), S(), { out: o })],
      ['histc', () => torch.histc(A(), 4), (o) => torch.histc(A(), 4, { out: o })],
      ['searchsorted', () => torch.searchsorted(S(), A()), (o) => torch.searchsorted(S(), A(), { out: o })],
      ['bucketize', () => torch.bucketize(A(), S()), (o) => torch.bucketize(A(), S(), { out: o })],
    ];
    for (const [, plain, withOut] of outs) {
      const want = plain();
      const o = torch.empty([0], { dtype: want.dtype });
      expect(withOut(o)).toBe(o);
      same(o, want);
    }
    const o = torch.empty([0], { dtype: 'int64' });
    expect(() => (torch.searchsorted as (...a: unknown[]) => T)(S(), 0.5, { out: o })).toThrow(TypeError);
    expect(() => (torch.bucketize as (...a: unknown[]) => T)(0.5, S(), { out: o })).toThrow(TypeError);
    for (const name of ['diagEmbed', 'trace', 'bincount']) {
      const x = name === 'bincount' ? torch.tensor([0, 1]) : A();
      expect(() => TF[name](x, { out: torch.empty([0], { dtype: x.dtype }) })).toThrow(TypeError);
    }
  });
});
