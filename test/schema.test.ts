// schema.test.ts - the op schema (lib/ops/ops.schema -> lib/ops/generated.ts): the generated file is what the schema
// gives; every PyTorch keyword is accepted by its camelCase name and gives PyTorch's numbers (test/ref/schema.json,
// from test/ref/gen_schema.py with PyTorch's own keyword calls); the parser's TypeErrors; out= (resize and dtype
// rules); the in-place protocol (version counter, leaf check, cast and broadcast rules, gradient rewiring); and the
// schema's gradient-node and autocast columns against what the ops do.
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as torch from '../lib/index';
import { SCHEMA } from '../lib/ops/generated';
import { autocastPolicy } from '../lib/amp/autocast';
import { expectTensor } from './helpers';

type T = torch.Tensor;
interface Case { shape: number[]; dtype: string; values: unknown }
const REF = require('./ref/schema.json') as { input: number[][]; index: number[][]; cases: Record<string, Case | Case[] | string | number> };
const flat = (v: unknown): (number | boolean)[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number | boolean]);
const ref = (name: string): { dtype: string; shape: number[]; data: (number | boolean)[] } => {
  const c = REF.cases[name] as Case;
  return { dtype: c.dtype, shape: c.shape, data: flat(c.values) };
};
const X = (): T => torch.tensor(REF.input, { dtype: 'float32' });
const I = (): T => torch.tensor(REF.index);
const F = torch.nn.functional;

describe('the generated surface', () => {
  test('lib/ops/generated.ts is what scripts/gen-schema.js makes of lib/ops/ops.schema', () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'gen-schema.js'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  test('every row with a function variant is a torch.* function; with a method variant, a Tensor method', () => {
    const P = torch.Tensor.prototype as unknown as Record<string, unknown>;
    const ns = torch as unknown as Record<string, unknown>;
    for (const row of SCHEMA) {
      if (row.variants.includes('function')) expect([row.name, typeof ns[row.name]]).toEqual([row.name, 'function']);
      if (row.variants.includes('method')) expect([row.name, typeof P[row.name]]).toEqual([row.name, 'function']);
      if (row.variants.includes('inplace')) expect([row.name + '_', typeof P[row.name + '_']]).toEqual([row.name + '_', 'function']);
      if (row.variants.includes('functional')) expect([row.op, typeof (F as unknown as Record<string, unknown>)[row.name]]).toEqual([row.op, 'function']);
      if (row.variants.includes('linalg')) expect([row.op, typeof (torch.linalg as unknown as Record<string, unknown>)[row.name]]).toEqual([row.op, 'function']);
    }
  });
});

describe('PyTorch keywords by their camelCase names (vs PyTorch 1.13 called with the keywords)', () => {
  const cases: [string, () => T][] = [
    ['flatten_start_dim', () => torch.flatten(X().reshape(1, 2, 3), { startDim: 1 })],
    ['transpose_kw', () => X().transpose({ dim0: 0, dim1: 1 })],
    ['cat_dim', () => torch.cat([X(), X()], { dim: 1 })],
    ['stack_dim', () => torch.stack([X(), X()], { dim: -1 })],
    ['sum_kw', () => torch.sum(X(), { dim: 1, keepdim: true, dtype: 'float64' })],
    ['mean_dims', () => X().mean({ dim: [0, 1] })],
    ['argmin_kw', () => X().argmin({ dim: 0, keepdim: true })],
    ['amax_kw', () => torch.amax(X(), { dim: -1 })],
    ['softmax_kw', () => torch.softmax(X(), { dim: 1 })],
    ['log_softmax_kw', () => torch.logSoftmax(X(), { dim: 0, dtype: torch.float64 })],
    ['cumsum_kw', () => torch.cumsum(X(), { dim: 1 })],
    ['add_alpha', () => torch.add(X(), X(), { alpha: 2 })],
    ['sub_alpha', () => X().sub(1, { alpha: 0.5 })],
    ['div_floor', () => torch.div(X(), 0.75, { roundingMode: 'floor' })],
    ['clamp_kw', () => torch.clamp(X(), { min: 0 })],
    ['clamp_max_kw', () => X().clamp({ max: 1 })],
    ['pow_exponent', () => torch.pow(X(), { exponent: 2 })],
    ['gather_kw', () => torch.gather(X(), { dim: 1, index: I() })],
    ['scatter_reduce', () => torch.scatter(X(), { dim: 1, index: I(), src: torch.ones([2, 3]), reduce: 'add' })],
    ['index_select_kw', () => torch.indexSelect(X(), { dim: 1, index: torch.tensor([2, 0]) })],
    ['index_add_alpha', () => X().indexAdd(0, torch.tensor([1, 0]), torch.ones([2, 3]), { alpha: 3 })],
    ['narrow_kw', () => X().narrow({ dim: 1, start: 1, length: 2 })],
    ['squeeze_dim', () => X().reshape(2, 1, 3).squeeze({ dim: 1 })],
    ['movedim_kw', () => torch.movedim(X().reshape(1, 2, 3), { source: 0, destination: 2 })],
    ['tril_diag', () => torch.tril(X(), { diagonal: -1 })],
    ['roll_kw', () => torch.roll(X(), { shifts: 1, dims: 1 })],
  ];
  test.each(cases)('%s', (name, f) => expectTensor(f(), ref(name)));
  test('split_kw: a list result', () => {
    const parts = torch.split(X(), { splitSizeOrSections: 2, dim: 1 });
    const want = REF.cases.split_kw as Case[];
    expect(parts.length).toBe(want.length);
    parts.forEach((p, i) => expectTensor(p, { dtype: want[i].dtype, shape: want[i].shape, data: flat(want[i].values) }));
  });
  test('keyword forms equal the positional forms, including the nn.functional ones', () => {
    const x = X();
    expect(torch.flatten(x, { startDim: 1 }).tolist()).toEqual(torch.flatten(x, 1).tolist());
    expect(torch.sum(x, 1, { keepdim: true }).tolist()).toEqual(torch.sum(x, { dim: 1, keepdim: true }).tolist());
    expect(x.sum(1, true).tolist()).toEqual(x.sum({ keepdim: true, dim: 1 }).tolist());
    expect(F.softmax(x, { dim: 1 }).tolist()).toEqual(F.softmax(x, 1).tolist());
    expect(F.adaptiveAvgPool2d(x.reshape(1, 1, 2, 3), { outputSize: 1 }).tolist()).toEqual(F.adaptiveAvgPool2d(x.reshape(1, 1, 2, 3), 1).tolist());
    expect(torch.add({ input: x, other: 1 }).tolist()).toEqual(x.add(1).tolist());
  });
});

describe('the parser: TypeErrors that name the op', () => {
  const x = torch.zeros([2, 3]);
  const bad = (f: () => unknown): (() => unknown) => f;
  test('unknown option (a misspelling, a snake_case name)', () => {
    expect(bad(() => torch.flatten(x, { start_dim: 1 } as never))).toThrow(TypeError);
    expect(bad(() => torch.flatten(x, { start_dim: 1 } as never))).toThrow(/flatten\(\): unexpected option 'start_dim' \(expected input, startDim, endDim\)/);
    expect(bad(() => x.sum({ keepDim: true } as never))).toThrow(/sum\(\): unexpected option 'keepDim' \(expected dim, keepdim, dtype\)/);
  });
  test('a name given positionally and in the options object', () => {
    expect(bad(() => torch.flatten(x, 1, { startDim: 1 } as never))).toThrow(/flatten\(\): got multiple values for argument 'startDim'/);
    expect(bad(() => x.transpose(0, { dim0: 1, dim1: 0 } as never))).toThrow(/transpose\(\): got multiple values for argument 'dim0'/);
  });
  test('a missing required argument, too many positional arguments, the options object not last', () => {
    expect(bad(() => x.transpose({ dim0: 0 } as never))).toThrow(/transpose\(\): missing required argument 'dim1'/);
    expect(bad(() => x.transpose(0, 1, 2 as never))).toThrow(/transpose\(\) takes \(dim0, dim1\) positionally, then an options object; got 3/);
    expect(bad(() => torch.cat([x], { dim: 0 } as never, 1 as never))).toThrow(/cat\(\): the options object must be the last argument/);
  });
  test('flags and dtype names are checked by the parser', () => {
    expect(bad(() => x.sum(0, 'yes' as never))).toThrow(/sum\(\): argument 'keepdim' must be bool, not string yes/);
    expect(bad(() => x.sum({ dtype: 'flaot32' } as never))).toThrow(/sum\(\): argument 'dtype' must be a dtype name/);
  });
  test('methods take no out=', () => {
    expect(bad(() => x.add(1, { out: x } as never))).toThrow(/add\(\): unexpected option 'out'/);
  });
});

describe('out= (PyTorch resize_output and dtype rules)', () => {
  test('same shape: written in place, returned', () => {
    const o = torch.empty([2, 3]);
    const r = torch.add(X(), 1, { out: o });
    expect(r).toBe(o);
    expectTensor(o, ref('out_same'));
  });
  test('a zero-element out is resized silently; a float64 out takes a float32 result', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const o = torch.empty([0]);
      torch.mul(X(), X(), { out: o });
      expectTensor(o, ref('out_resized'));
      const o64 = torch.empty([0], { dtype: 'float64' });
      torch.sum(X(), 0, { out: o64 });
      expectTensor(o64, ref('out_sum_float64'));
      const oc = torch.empty([0]);
      torch.cat([X(), X()], { dim: 0, out: oc });
      expectTensor(oc, ref('out_cat'));
      expect(warn).not.toHaveBeenCalled();
      // an out that held elements is resized with PyTorch's warning
      const o2 = torch.zeros([4]);
      torch.add(X(), 1, { out: o2 });
      expect(o2.shape).toEqual([2, 3]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/An output with one or more elements was resized/);
    } finally { warn.mockRestore(); }
  });
  test('a bool result into an int64 out is cast; a float result into an int64 out is an error', () => {
    const o = torch.zeros([2, 3], { dtype: 'int64' });
    torch.lt(X(), 1, { out: o });
    expectTensor(o, ref('out_bool_into_int64'));
    expect(() => torch.add(X(), X(), { out: torch.empty([2, 3], { dtype: 'int64' }) })).toThrow(torch.TorchError);
    expect(() => torch.add(X(), X(), { out: torch.empty([2, 3], { dtype: 'int64' }) })).toThrow(REF.cases.out_float_into_int64 as string);
  });
  test('out= with an argument that requires grad is refused under grad mode; the version counter moves', () => {
    const a = X().requiresGrad_();
    expect(() => torch.mul(a, 2, { out: torch.empty([2, 3]) })).toThrow(/functions with out=\.\.\. arguments don't support automatic differentiation/);
    const o = torch.empty([2, 3]);
    const v = o._version;
    torch.noGrad(() => torch.mul(a, 2, { out: o }));
    expect(o._version).toBe(v + 1);
    expect(o.requiresGrad).toBe(false);
  });
});

describe('the in-place protocol (lib/autograd/inplace.ts)', () => {
  test('values and the version counter (PyTorch: +1 per in-place op)', () => {
    const y = X();
    const v0 = y._version;
    expect(y.add_(torch.ones([3]), { alpha: 2 })).toBe(y);
    expectTensor(y, ref('add_inplace'));
    expect(y._version - v0).toBe(REF.cases.add_inplace_version_delta);
    const z = X();
    z.tril_({ diagonal: 0 });
    expectTensor(z, ref('tril_inplace'));
    const c = X();
    c.cumsum_({ dim: 1 });
    expectTensor(c, ref('cumsum_inplace'));
    const s = X();
    s.scatter_(1, I(), 0.5, { reduce: 'multiply' });
    expectTensor(s, ref('scatter_inplace_value'));
  });
  test("PyTorch's rules: no leaf that requires grad, no float result into an integer tensor, no growing broadcast", () => {
    const leaf = X().requiresGrad_();
    expect(() => leaf.tril_()).toThrow(/a leaf Variable that requires grad is being used in an in-place operation\. \(tril_\)/);
    expect(() => leaf.narrow(1, 0, 2).cumsum_(0)).toThrow(/a view of a leaf Variable that requires grad/);
    expect(() => torch.zeros([2, 3], { dtype: 'int64' }).lerp_(X(), 0.5)).toThrow(torch.TorchError);
    expect(() => torch.zeros([2, 3], { dtype: 'int64' }).xlogy_(X())).toThrow(/result type Float can't be cast to the desired output type Long/);
    expect(() => torch.zeros([3]).add_(torch.ones([2, 3]))).toThrow(REF.cases.add_inplace_grow as string);
    expect(() => torch.zeros([3]).clampMin_(torch.ones([2, 3]))).toThrow(/output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
    expect(() => torch.zeros([1]).expand(3).tril_()).toThrow(torch.TorchError);
  });
  test('gradient rewiring: self takes the op\'s node, fed by its previous history (vs PyTorch)', () => {
    const w = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
    const a = X().requiresGrad_();
    const b = a.mul(1);
    b.clamp_({ min: 0 });
    expect(b.gradFn?.name).toBe(REF.cases.clamp_inplace_grad_fn);
    b.mul(w).sum().backward();
    expectTensor(a.grad as T, ref('clamp_inplace_grad'));
    const a2 = X().requiresGrad_();
    const b2 = a2.mul(1);
    b2.tril_({ diagonal: -1 });
    b2.mul(w).sum().backward();
    expectTensor(a2.grad as T, ref('tril_inplace_grad'));
  });
});

describe("the schema's columns", () => {
  test('grad=: the node each differentiable row records (float64 inputs that require grad)', () => {
    const args: Record<string, (x: T) => unknown[]> = {
      add: (x) => [x, x], sub: (x) => [x, x], mul: (x) => [x, x], div: (x) => [x, x], pow: (x) => [x, 2.5],
      remainder: (x) => [x, x], fmod: (x) => [x, x], atan2: (x) => [x, x], maximum: (x) => [x, x], minimum: (x) => [x, x],
      fmax: (x) => [x, x], fmin: (x) => [x, x], xlogy: (x) => [x, x], clamp: (x) => [x, -0.5, 0.5], clamp_min: (x) => [x, 0],
      clamp_max: (x) => [x, 0], lerp: (x) => [x, x, 0.5], cumsum: (x) => [x, 0], cumprod: (x) => [x, 0], softmax: (x) => [x, 0],
      log_softmax: (x) => [x, 0], unsqueeze: (x) => [x, 0], transpose: (x) => [x, 0, 1], swapaxes: (x) => [x, 0, 1],
      movedim: (x) => [x, 0, 1], select: (x) => [x, 0, 0], cat: (x) => [[x, x]], stack: (x) => [[x, x]], hstack: (x) => [[x, x]],
      vstack: (x) => [[x, x]], flip: (x) => [x, 0], gather: (x) => [x, 0, torch.zeros([1, 2], { dtype: 'int64' })],
      scatter: (x) => [x, 0, torch.zeros([1, 2], { dtype: 'int64' }), x.narrow(0, 0, 1)],
      scatter_add: (x) => [x, 0, torch.zeros([1, 2], { dtype: 'int64' }), x.narrow(0, 0, 1)],
      index_select: (x) => [x, 0, torch.tensor([1])], index_add: (x) => [x, 0, torch.tensor([1]), x.narrow(0, 0, 1)],
      index_copy: (x) => [x, 0, torch.tensor([1]), x.narrow(0, 0, 1)], index_fill: (x) => [x, 0, torch.tensor([1]), 2],
      masked_fill: (x) => [x, torch.tensor([[true, false], [false, true]]), 2], masked_select: (x) => [x, torch.tensor([[true, false], [false, true]])],
      narrow: (x) => [x, 0, torch.tensor(1), 1], take: (x) => [x, torch.tensor([0, 3])], put: (x) => [x, torch.tensor([0]), x.flatten().narrow(0, 0, 1)],
      mm: (x) => [x, x], bmm: (x) => [x.unsqueeze(0), x.unsqueeze(0)], dot: (x) => [x.select(0, 0), x.select(0, 1)],
      mv: (x) => [x, x.select(0, 0)], addmm: (x) => [x, x, x], addmv: (x) => [x.select(0, 0), x, x.select(0, 1)],
      baddbmm: (x) => [x, x.unsqueeze(0), x.unsqueeze(0)], outer: (x) => [x.select(0, 0), x.select(0, 1)],
      as_strided: (x) => [x, [2], [1]], permute: (x) => [x, [1, 0]],
      select_scatter: (x) => [x, x.select(0, 0), 0, 1], slice_scatter: (x) => [x, x.narrow(0, 0, 1), 0, 1], diagonal_scatter: (x) => [x, x.diagonal()],
      scatter_reduce: (x) => [x, 0, torch.zeros([1, 2], { dtype: 'int64' }), x.narrow(0, 0, 1), 'amax'],
      arctan2: (x) => [x, x], hypot: (x) => [x, x], copysign: (x) => [x, x], polygamma: (x) => [1, x],
    };
    const checked: string[] = [];
    for (const row of SCHEMA) {
      if (!row.grad || !row.variants.includes('function')) continue;
      const x = torch.tensor([[0.25, 1.5], [2.0, 0.75]], { dtype: 'float64', requiresGrad: true });
      const make = args[row.op] ?? ((t: T) => [t]);
      const f = (torch as unknown as Record<string, (...a: unknown[]) => T>)[row.name];
      const out = f(...make(x));
      expect([row.op, out.gradFn?.name]).toEqual([row.op, row.grad]);
      checked.push(row.op);
    }
    expect(checked.length).toBeGreaterThan(60);
    // the nn.functional rows
    for (const row of SCHEMA) {
      if (!row.grad || !row.variants.includes('functional')) continue;
      const x = torch.tensor([[0.25, -1.5], [2.0, -0.75]], { dtype: 'float64', requiresGrad: true });
      const out = (F as unknown as Record<string, (a: T) => T>)[row.name](x);
      expect([row.op, out.gradFn?.name]).toEqual([row.op, row.grad]);
    }
  });
  test('autocast=: the category amp/autocast.ts applies (fp32 and fp32opt on CUDA, promote on both devices)', () => {
    for (const row of SCHEMA) {
      if (!row.autocast) continue;
      const got = { cpu: autocastPolicy(row.op, 'cpu'), cuda: autocastPolicy(row.op, 'cuda') };
      if (row.autocast.includes(':')) {
        const want = Object.fromEntries(row.autocast.split(',').map((kv) => kv.split(':')));
        expect([row.op, got]).toEqual([row.op, { cpu: want.cpu ?? null, cuda: want.cuda ?? null }]);
      } else {
        // listed on at least one device, and under this category wherever it is listed
        expect([row.op, got.cpu ?? got.cuda]).toEqual([row.op, row.autocast]);
        for (const p of [got.cpu, got.cuda]) if (p !== null) expect([row.op, p]).toEqual([row.op, row.autocast]);
      }
    }
  });
});
