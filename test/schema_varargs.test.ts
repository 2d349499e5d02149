// schema_varargs.test.ts - the schema rows with a varargs size after the input (ops.schema's `int...` following
// `input: Tensor`): reshape, permute, expand, repeat, tile, view_as, reshape_as. Their forms (numbers, a list, by
// name), the parser's TypeErrors, and results against PyTorch 1.13 (test/ref/schema_varargs.json, made by
// test/ref/schema_varargs.py).
import * as torch from '../lib';
import { foldVarargs } from '../lib/ops/args';
import { SCHEMA } from '../lib/ops/generated';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { parseSchema } = require('../scripts/gen-schema.js') as { parseSchema: (text: string) => { varargsAt: number; params: { def?: string }[] }[] };
import * as fs from 'fs';
import * as path from 'path';

type T = torch.Tensor;
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'schema_varargs.json'), 'utf8')) as Record<string, { shape: number[]; data: number[] }>;
const X = (): T => torch.arange(6, { dtype: 'float32' }).reshape([2, 3]);
const same = (a: T, b: T): void => { expect(a.shape).toEqual(b.shape); expect(Array.from(a.contiguous().dataSync() as Float32Array)).toEqual(Array.from(b.contiguous().dataSync() as Float32Array)); };
const ref = (name: string, t: T): void => {
  const r = REF[name];
  expect([name, t.shape]).toEqual([name, r.shape]);
  expect([name, Array.from(t.contiguous().dataSync() as Float32Array)]).toEqual([name, r.data]);
};

describe('foldVarargs', () => {
  test('folds the numbers from `at` on into one list', () => {
    const x = X();
    const a = foldVarargs([x, 2, 3], 1);
    expect(a.length).toBe(2);
    expect(a[0]).toBe(x);
    expect(a[1]).toEqual([2, 3]);
    const b = foldVarargs([x, 2, 3, { implicit: true }], 1);
    expect(b.slice(1)).toEqual([[2, 3], { implicit: true }]);
    const c = [x, [2, 3]];
    expect(foldVarargs(c, 1)).toBe(c);
    expect(foldVarargs([2, 3])).toEqual([[2, 3]]);
    expect(foldVarargs([1, 2, 3], 1)).toEqual([1, [2, 3]]);
  });
});

describe("the generator's int... after the input", () => {
  test('follows a Tensor input, required, keyword-only options after it; function and/or method, no out or inplace', () => {
    const [r] = parseSchema('f(input: Tensor, size: int..., *, implicit: bool = False) -> Tensor | method');
    expect([r.varargsAt, r.params[1].def]).toEqual([1, undefined]);
    expect(parseSchema('f(input: Tensor, size: int...) -> Tensor | function method')[0].varargsAt).toBe(1);
    expect(() => parseSchema('f(n: int, size: int...) -> Tensor | method')).toThrow(/right after a Tensor input/);
    expect(() => parseSchema('f(input: Tensor, size: int...) -> Tensor | function out')).toThrow(/no out, no inplace/);
    expect(() => parseSchema('f(input: Tensor, size: int...) -> Tensor | method inplace')).toThrow(/no out, no inplace/);
    expect(() => parseSchema('f(input: Tensor, size: int..., dim: int) -> Tensor | method')).toThrow(/only keyword-only parameters follow it/);
    expect(() => parseSchema('f(input: Tensor, other: Tensor, size: int...) -> Tensor | method')).toThrow(/comes first/);
  });
});

describe('varargs-shape rows', () => {
  test('are rows of the schema (function and/or method, as PyTorch)', () => {
    const v = (op: string): string[] | undefined => SCHEMA.find((r) => r.op === op)?.variants;
    expect(v('reshape')).toEqual(['function', 'method']);
    expect(v('permute')).toEqual(['function', 'method']);
    expect(v('tile')).toEqual(['function', 'method']);
    expect(v('expand')).toEqual(['method']);
    expect(v('repeat')).toEqual(['method']);
    expect(v('view_as')).toEqual(['method']);
    expect(v('reshape_as')).toEqual(['method']);
    expect(SCHEMA.filter((r) => r.op === 'view').map((r) => r.variants)).toEqual([['method'], ['method']]);
  });
  test('results match PyTorch in every form', () => {
    const x = X();
    for (const r of [x.reshape(3, 2), x.reshape([3, 2]), x.reshape({ shape: [3, 2] }), torch.reshape(x, [3, 2]), torch.reshape({ input: x, shape: [3, 2] }), torch.reshape(x, 3, 2)]) ref('reshape_3_2', r);
    ref('reshape_m1', x.reshape(-1));
    ref('reshape_m1', x.reshape({ shape: 6 }));
    for (const r of [x.permute(1, 0), x.permute([1, 0]), x.permute({ dims: [1, 0] }), torch.permute(x, [1, 0]), torch.permute(x, { dims: [-1, 0] })]) ref('permute_1_0', r);
    for (const r of [x.expand(2, 2, 3), x.expand([2, -1, 3]), x.expand({ size: [2, 2, 3] }), x.expand(2, 2, 3, { implicit: true }), x.expand([2, 2, 3], { implicit: false })]) ref('expand_2_2_3', r);
    for (const r of [x.repeat(2, 1, 2), x.repeat([2, 1, 2]), x.repeat({ repeats: [2, 1, 2] })]) ref('repeat_2_1_2', r);
    for (const r of [x.tile(2), x.tile([2]), torch.tile(x, [2]), x.tile({ dims: [2] })]) ref('tile_2', r);
    ref('tile_2_1_2', torch.tile(x, [2, 1, 2]));
    for (const r of [x.view(3, 2), x.view([3, 2]), x.view({ size: [3, 2] }), x.view(-1, 2)]) ref('reshape_3_2', r);
    const o = torch.zeros([3, 2]);
    ref('reshape_3_2', x.viewAs(o));
    ref('reshape_3_2', x.reshapeAs({ other: o }));
    same(x.t().reshapeAs(o), x.t().contiguous().view([3, 2]));
  });
  test("view's dtype overload: the bytes reinterpreted (PyTorch's bit patterns)", () => {
    const f = torch.tensor([1, -2, 0.5], { dtype: 'float32' });
    for (const r of [f.view('int32'), f.view({ dtype: 'int32' })]) {
      expect(r.dtype).toBe('int32');
      expect(Array.from(r.dataSync() as Int32Array)).toEqual(REF.view_int32.data);
    }
    expect(f.view('int32').view('float32').dataSync()).toEqual(f.dataSync());
    expect(() => f.view('int64')).toThrow(/view\(dtype\)/);
    expect(() => f.view('nope' as never)).toThrow(TypeError);
    expect(() => (f.view as unknown as () => T)()).toThrow(/view\(\) received an invalid combination of arguments/);
    expect(() => f.view({ dtype: 'int32', size: [3] } as never)).toThrow(TypeError);
  });
  test("split: the method's split_size keyword is the row's other name for split_size_or_sections", () => {
    const x = X();
    const shapes = (ts: T[]): number[][] => ts.map((t) => t.shape);
    for (const r of [x.split({ splitSize: 2, dim: 1 }), x.split(2, 1), torch.split(x, { splitSizeOrSections: 2, dim: 1 }), torch.split(x, { splitSize: 2, dim: 1 })]) expect(shapes(r)).toEqual([[2, 2], [2, 1]]);
    expect(shapes(x.split({ splitSize: [1, 2], dim: 1 }))).toEqual([[2, 1], [2, 2]]);
    expect(() => x.split({ splitSize: 2, splitSizeOrSections: 2 } as never)).toThrow(/split\(\): got multiple values for argument 'splitSizeOrSections'/);
    expect(() => x.split({ splitSizeOrSections: 2, splitSize: 2 } as never)).toThrow(/split\(\): got multiple values for argument 'splitSize' \(it is another name of 'splitSizeOrSections'\)/);
    expect(() => x.split({ splitSize: 'a' } as never)).toThrow(/split\(\): argument 'splitSize' must be int or tuple of ints, not str/);
    expect(() => x.split({ splitSize: 1.5 } as never)).toThrow(TypeError);
  });
  test('index_put(_): a row with the IndexSpec type (accumulate positionally or by name)', () => {
    const v = (t: T): number[] => Array.from(t.dataSync() as Float32Array);
    expect(SCHEMA.find((r) => r.op === 'index_put')?.variants).toEqual(['function', 'method', 'inplace']);
    const x = X();
    expect(v(x.indexPut([0, '1:3'], 9))).toEqual([0, 9, 9, 3, 4, 5]);
    expect(v(torch.indexPut(x, { indices: [torch.tensor([1]), torch.tensor([2])], values: torch.tensor([7]), accumulate: true }))).toEqual([0, 1, 2, 3, 4, 12]);
    expect(v(x)).toEqual([0, 1, 2, 3, 4, 5]);
    const y = X();
    expect(y.indexPut_(torch.tensor([[true, false, true], [false, false, false]]), 1, true)).toBe(y);
    expect(v(y)).toEqual([1, 1, 3, 3, 4, 5]);
    y.indexPut_({ indices: [1], values: -1 });
    expect(v(y)).toEqual([1, 1, 3, -1, -1, -1]);
    expect(v(torch.indexPut_(y, [0], 0))).toEqual([0, 0, 0, -1, -1, -1]);
    expect(() => x.indexPut([0], 1, { accumulat: true } as never)).toThrow(/index_put\(\): unexpected option 'accumulat'/);
    expect(() => x.indexPut_([0], 1, 'yes' as never)).toThrow(/index_put_\(\): argument 'accumulate' must be bool/);
    expect(() => (x.indexPut as unknown as (i: unknown) => T)([0])).toThrow(/index_put\(\): missing required argument 'values'/);
  });
  test('views share storage and record their gradients', () => {
    const x = X().requiresGrad_();
    const y = x.permute(1, 0);
    expect(x.view(6).gradFn?.name).toBe('ViewBackward0');
    expect(y.gradFn?.name).toBe('PermuteBackward0');
    expect(x.expand(2, 2, 3).gradFn?.name).toBe('ExpandBackward0');
    x.expand(4, 2, 3).sum().backward();
    expect(Array.from(x.grad!.dataSync() as Float32Array)).toEqual([4, 4, 4, 4, 4, 4]);
    const z = X();
    z.view(6).permute(0).mul_(0);
    expect(Array.from(z.dataSync() as Float32Array)).toEqual([0, 0, 0, 0, 0, 0]);
  });
  test('bad calls: TypeErrors naming the op, TorchErrors in PyTorch words', () => {
    const x = X();
    expect(() => (x.reshape as unknown as () => T)()).toThrow(/reshape\(\): missing required argument 'shape'/);
    expect(() => x.reshape({ size: [6] } as never)).toThrow(/reshape\(\): unexpected option 'size'/);
    expect(() => x.reshape('6' as never)).toThrow(/reshape\(\): argument 'shape' must be int or tuple of ints, not str/);
    expect(() => x.expand([4, 2, 3], { implicit: 1 } as never)).toThrow(/expand\(\): argument 'implicit' must be bool/);
    expect(() => x.reshape([3, 2], [1] as never)).toThrow(TypeError);
    expect(() => x.reshape(4, 2)).toThrow(/shape '\[4, 2\]' is invalid for input of size 6/);
    expect(() => x.permute(0, 0)).toThrow(/duplicate dims/);
    expect(() => x.permute(0)).toThrow(/number of dimensions/);
    expect(() => x.expand(3, 3)).toThrow(torch.TorchError);
    expect(() => x.repeat(2)).toThrow(/Number of dimensions of repeat dims can not be smaller/);
    expect(() => x.viewAs([3, 2] as never)).toThrow(/view_as/);
    expect(() => x.t().viewAs(torch.zeros([6]))).toThrow(/view size is not compatible/);
  });
});
