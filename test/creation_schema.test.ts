// creation_schema.test.ts - the creation ops as schema rows (lib/ops/ops.schema's creation section): every form the
// rows take -- varargs and list sizes, the value overloads of arange, randint and normal (chosen by the count and
// kinds of the arguments), PyTorch's keyword names, the keyword-only factory options, out= -- against PyTorch 1.13's
// results (test/ref/creation_schema.json, from test/ref/gen_creation_schema.py: shape, dtype, requires_grad, and the
// values of the deterministic ops), its errors (a RuntimeError is a TorchError with PyTorch's message, a TypeError a
// TypeError), and normal's tensor overloads statistically (the random values need not match PyTorch's).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

type T = torch.Tensor;
interface Ref { shape?: number[]; dtype?: string; requires_grad?: boolean; values?: unknown; sorted?: number[]; error?: string; message?: string }
type Call = [string, unknown[], Record<string, unknown>];
const REF: { torch: string; cases: { call: Call; ref: Ref }[] } = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/creation_schema.json'), 'utf8'));
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const conv = (a: unknown): unknown => {
  if (Array.isArray(a)) return a.map(conv);
  if (a !== null && typeof a === 'object' && 't' in a) { const o = a as { t: number[]; dtype: string }; return torch.tensor(o.t, { dtype: o.dtype as 'float32' }); }
  return a;
};
function invoke([op, args, kw]: Call): { r: T; out: T | null } {
  const opts: Record<string, unknown> = {};
  let out: T | null = null;
  for (const [k, v] of Object.entries(kw)) {
    if (k === 'out') { const o = v as { dtype: string; shape: number[] }; out = torch.empty(o.shape, { dtype: o.dtype as 'float32' }); opts.out = out; }
    else opts[camel(k)] = conv(v);
  }
  const f = (torch as unknown as Record<string, (...a: unknown[]) => T>)[camel(op)];
  // (tensor's and asTensor's data is a nested list, not a tensor spec unless it is one)
  const a = args.map((x, i) => (i === 0 && (op === 'tensor' || op === 'as_tensor') && Array.isArray(x) ? x : conv(x)));
  return { r: Object.keys(opts).length ? f(...a, opts) : f(...a), out };
}
const show = (c: Call): string => JSON.stringify(c);

describe('creation rows against PyTorch 1.13 (test/ref/creation_schema.json)', () => {
  test('the fixture covers every creation row form', () => {
    expect(REF.torch).toMatch(/^1\.13/);
    const ops = new Set(REF.cases.map((c) => c.call[0]));
    for (const op of ['tensor', 'as_tensor', 'empty', 'zeros', 'ones', 'full', 'eye', 'arange', 'linspace', 'logspace', 'rand', 'randn', 'randint', 'randperm', 'normal',
      'empty_like', 'zeros_like', 'ones_like', 'full_like', 'rand_like', 'randn_like']) expect([op, ops.has(op)]).toEqual([op, true]);
  });
  for (const { call, ref } of REF.cases) {
    test(show(call), () => {
      torch.manualSeed(0);
      if (ref.error) {
        let err: unknown = null;
        try { invoke(call); } catch (e) { err = e; }
        expect(err).not.toBeNull();
        if (ref.error === 'TypeError') expect((err as Error).name).toBe('TypeError');
        else {
          expect(err).toBeInstanceOf(torch.TorchError);
          expect((err as Error).message).toContain(ref.message);
        }
        return;
      }
      const { r, out } = invoke(call);
      expect([r.shape, r.dtype, r.requiresGrad]).toEqual([ref.shape, ref.dtype, ref.requires_grad]);
      if (out) expect(r).toBe(out);  // out= returns out, resized
      if (ref.values !== undefined) {
        const got = r.dtype === 'bool' ? r.tolist() : r.to('float64').tolist();
        if (r.dtype === 'float32') {
          const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
          const g = flat(got), w = flat(ref.values);
          expect(g.length).toBe(w.length);
          g.forEach((v, i) => expect(v).toBeCloseTo(w[i], 5));
        } else expect(got).toEqual(ref.values);
      }
      if (ref.sorted) expect((r.to('float64').tolist() as number[]).sort((a, b) => a - b)).toEqual(ref.sorted);
      if (call[0] === 'randint') {
        const lo = call[2].low !== undefined ? (call[2].low as number) : call[1].length === 3 ? (call[1][0] as number) : 0;
        const hi = (call[2].high ?? (call[1].length === 3 ? call[1][1] : call[1][0])) as number;
        expect(r.min().item()).toBeGreaterThanOrEqual(lo);
        expect(r.max().item()).toBeLessThan(hi);
      }
    });
  }
});

describe('normal with tensor mean and std (PyTorch normal.Tensor_float / float_Tensor / Tensor_Tensor)', () => {
  const stats = (x: T): [number, number] => [x.mean().item() as number, x.std().item() as number];
  test('Tensor_float: N(mean_i, std) per element', () => {
    torch.manualSeed(1);
    const r = torch.normal(torch.full([40000], 3, { dtype: 'float64' }), 2);
    const [m, s] = stats(r);
    expect(Math.abs(m - 3)).toBeLessThan(0.05);  // standard error 0.01
    expect(Math.abs(s - 2)).toBeLessThan(0.03);  // standard error 0.007: std^2 (4) or sqrt(std) would fail
  });
  test('float_Tensor and Tensor_Tensor broadcast: each column its own std, each row its own mean', () => {
    torch.manualSeed(2);
    const std = torch.tensor([0.5, 1, 3], { dtype: 'float64' });
    const a = torch.normal(-1, std.expand([20000, 3]).contiguous());
    const b = torch.normal(torch.tensor([[0], [10]], { dtype: 'float64' }).expand([2, 20000]).contiguous().view([2, 20000, 1]), std);
    expect(b.shape).toEqual([2, 20000, 3]);
    for (let j = 0; j < 3; j++) {
      const sd = [0.5, 1, 3][j];
      const [ma, sa] = stats(a.select(1, j));
      expect([Math.abs(ma + 1) < 5 * sd / Math.sqrt(20000), Math.abs(sa - sd) < 0.05 * sd]).toEqual([true, true]);
      for (let i = 0; i < 2; i++) {
        const [mb, sb] = stats(b.select(0, i).select(1, j));
        expect([Math.abs(mb - 10 * i) < 5 * sd / Math.sqrt(20000), Math.abs(sb - sd) < 0.05 * sd]).toEqual([true, true]);
      }
    }
  });
  test('generator= makes the draw reproducible; the global stream is not advanced by it', () => {
    const mean = torch.zeros([5]), std = torch.ones([5]);
    const g = new torch.Generator();
    const a = torch.normal(mean, std, { generator: g.manualSeed(5) }).tolist();
    torch.manualSeed(7);
    const before = torch.rand([1]).item();
    torch.manualSeed(7);
    const b = torch.normal(mean, std, { generator: g.manualSeed(5) }).tolist();
    expect(b).toEqual(a);
    expect(torch.rand([1]).item()).toBe(before);
    expect(torch.normal(mean, std, { generator: g.manualSeed(6) }).tolist()).not.toEqual(a);
    expect(() => torch.normal(mean, std, { generator: 5 as never })).toThrow(/argument 'generator' must be torch.Generator/);
  });
  test('the draw is not reparameterized: NormalBackward1/2/3 give mean and std zero gradients (PyTorch)', () => {
    const m = torch.zeros([2], { requiresGrad: true }), s = torch.ones([2], { dtype: 'float64', requiresGrad: true });
    expect([torch.normal(m, 1).gradFn?.name, torch.normal(0, s).gradFn?.name, torch.normal(m, s).gradFn?.name])
      .toEqual(['NormalBackward1', 'NormalBackward2', 'NormalBackward3']);
    torch.normal(m.view([2, 1]), s).sum().backward();
    expect([m.grad?.tolist(), m.grad?.dtype, s.grad?.tolist(), s.grad?.dtype]).toEqual([[0, 0], 'float32', [0, 0], 'float64']);
    expect(torch.normal(torch.zeros([2]), 1).requiresGrad).toBe(false);
    expect(torch.noGrad(() => torch.normal(m, 1)).requiresGrad).toBe(false);
  });
  test('out=', () => {
    const out = torch.empty([0], { dtype: 'float64' });
    const r = torch.normal(torch.zeros([3], { dtype: 'float64' }), torch.ones([2, 1], { dtype: 'float64' }), { out });
    expect(r).toBe(out);
    expect(out.shape).toEqual([2, 3]);
    expect(torch.normal(torch.zeros([2]), 1.0, { out: torch.empty([2], { dtype: 'float64' }) }).dtype).toBe('float64');
  });
});

describe('tensor, asTensor and frombuffer rows', () => {
  test('asTensor returns a tensor of the asked dtype and device itself (PyTorch as_tensor), else a converted copy', () => {
    const x = torch.tensor([1.5, 2.5], { requiresGrad: true });
    expect(torch.asTensor(x)).toBe(x);
    expect(torch.asTensor(x, { dtype: 'float32' })).toBe(x);
    expect(torch.asTensor(x, { dtype: null, device: torch.device('cpu') })).toBe(x);
    expect(torch.asTensor(x, { device: 'cpu' })).toBe(x);
    const y = torch.asTensor(x, { dtype: 'float64' });
    expect([y === x, y.dtype, y.tolist()]).toEqual([false, 'float64', [1.5, 2.5]]);
    expect(() => torch.asTensor([1], 'float32' as never)).toThrow(TypeError);  // (PyTorch 1.13: keyword-only)
  });
  test('frombuffer: the buffer positionally or by name, the rest keyword-only', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const t = torch.frombuffer(a.buffer, { dtype: 'float32', count: 2, offset: 4 });
    expect(t.tolist()).toEqual([2, 3]);
    a[1] = 7;
    expect(t.tolist()).toEqual([7, 3]);  // shares memory
    expect(torch.frombuffer({ buffer: a }).tolist()).toEqual([1, 7, 3, 4]);
    expect(() => torch.frombuffer(a, 'float32' as never)).toThrow(/takes \(buffer\) positionally/);
    expect(() => torch.frombuffer(a.buffer)).toThrow(/pass \{ dtype \}/);
    expect(() => torch.frombuffer(a, { dtype: 'float32', count: 9 })).toThrow(torch.TorchError);
  });
  test('tensor: data positionally or by name; dtype, device, requiresGrad keyword-only', () => {
    expect(torch.tensor({ data: [[1, 2]], dtype: 'float64' }).dtype).toBe('float64');
    expect(() => torch.tensor([1], 'float64' as never)).toThrow(/takes \(data\) positionally/);
    expect(() => torch.tensor([1], { dtyp: 'float64' } as never)).toThrow(/tensor\(\): unexpected option 'dtyp'/);
    expect(() => torch.tensor('1' as never)).toThrow(TypeError);
  });
});

describe('the rows\' argument forms', () => {
  test('varargs, a list, or size= (PyTorch: zeros(2, 3), zeros((2, 3)), zeros(size=(2, 3)))', () => {
    for (const t of [torch.ones(2, 3), torch.ones([2, 3]), torch.ones({ size: [2, 3] }), torch.ones(2, 3, { dtype: 'float64' })]) expect(t.shape).toEqual([2, 3]);
    expect(torch.zeros().shape).toEqual([]);  // (nodetorch has always given a 0-dim tensor; PyTorch's zeros() is a TypeError)
    expect(() => torch.zeros([2], 3 as never)).toThrow(TypeError);
    expect(() => torch.zeros(2, [3] as never)).toThrow(TypeError);
    expect(() => torch.zeros([2], { size: [3] } as never)).toThrow(/got multiple values for argument 'size'/);
    expect(() => torch.rand(2, { generator: {} as never })).toThrow(/argument 'generator' must be torch.Generator/);
    expect(() => torch.zeros(2, { requiresGrad: 1 as never })).toThrow(/argument 'requiresGrad' must be bool/);
  });
  test('out= takes its dtype and device from out when the call names none (PyTorch factories)', () => {
    const o = torch.empty([0], { dtype: 'int64' });
    expect(torch.ones(2, 2, { out: o }).dtype).toBe('int64');
    expect(o.tolist()).toEqual([[1, 1], [1, 1]]);
    expect(torch.arange(0, 1, 0.5, { out: torch.empty([0], { dtype: 'float64' }) }).tolist()).toEqual([0, 0.5]);
    expect(() => torch.zeros(2, { dtype: 'float32', out: torch.empty([2], { dtype: 'int64' }) })).toThrow(/result type Float can't be cast to the desired output type Long/);
    expect(() => torch.randint(5, [2], { out: 3 as never })).toThrow(/argument 'out' must be Tensor/);
  });
  test('arange and randint pick their overload by the count of arguments, as PyTorch\'s', () => {
    expect(torch.arange(3).tolist()).toEqual([0, 1, 2]);
    expect(torch.arange(torch.tensor(3)).tolist()).toEqual([0, 1, 2]);
    expect(torch.arange(1, { end: 3 }).tolist()).toEqual([1, 2]);
    expect(() => torch.arange()).toThrow(/arange\(\) received an invalid combination of arguments/);
    expect(() => torch.arange(1, 2, 3, 4 as never)).toThrow(TypeError);
    expect(() => torch.randint(5)).toThrow(TypeError);
    expect(() => torch.randint({ low: 1, size: [2] } as never)).toThrow(TypeError);
  });
});

describe('the generator\'s creation features (scripts/gen-schema.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { parseSchema } = require('../scripts/gen-schema.js') as { parseSchema: (s: string) => { varargs: boolean; params: { name: string; def?: string; ts: string }[] }[] };
  test('int... is a varargs size: first, then keyword-only parameters only, functions only; left out it is []', () => {
    const [r] = parseSchema('zeros(size: int..., *, dtype: DType? = None) -> Tensor | function out | dtype=factory');
    expect([r.varargs, r.params[0].def, r.params[0].ts]).toEqual([true, '[]', 'number | readonly number[]']);
    expect(() => parseSchema('f(n: int, size: int...) -> Tensor | function')).toThrow(/an int\.\.\. parameter comes first/);
    expect(() => parseSchema('f(size: int..., n: int) -> Tensor | function')).toThrow(/only keyword-only parameters follow it/);
    expect(() => parseSchema('f(size: int...) -> Tensor | function method')).toThrow(/function \(and out\) only/);
  });
  test('the factory types', () => {
    const [r] = parseSchema('f(data: Data, buffer: Buffer, size: Size, *, device: Device? = None, generator: Generator? = None, memory_format: MemoryFormat? = None) -> Tensor | function');
    expect(r.params.map((p) => p.ts)).toEqual(['TensorData', 'ArrayBufferView | ArrayBuffer', 'readonly number[]', 'DeviceName | Device | null', 'Generator | null', 'MemoryFormat | null']);
  });
});

// on a CUDA device (a GPU, or the CUDA emulator: NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node)
const cudaTest = torch.cuda.isAvailable() ? test : test.skip;
describe('the creation rows on a CUDA device', () => {
  cudaTest('device= places the result; out= on cuda gives its device; the tensor forms of normal stay on their device', () => {
    for (const t of [torch.zeros(2, 3, { device: 'cuda' }), torch.ones([2, 3], { device: torch.device('cuda:0') }), torch.full([2, 3], 7, { device: 'cuda' }),
      torch.randn(2, 3, { device: 'cuda' }), torch.zerosLike(torch.ones([2, 3]), { device: 'cuda' })]) {
      expect([t.device.type, t.shape]).toEqual(['cuda', [2, 3]]);
    }
    expect(torch.arange(1, 4, { device: 'cuda' }).cpu().tolist()).toEqual([1, 2, 3]);
    expect(torch.eye(2, { device: 'cuda', dtype: 'float64' }).cpu().tolist()).toEqual([[1, 0], [0, 1]]);
    expect(torch.tensor([[1, 2]], { device: 'cuda' }).device.type).toBe('cuda');
    const out = torch.empty([0], { device: 'cuda' });
    expect(torch.arange(4, { out }).device.type).toBe('cuda');
    expect(out.cpu().tolist()).toEqual([0, 1, 2, 3]);
    const x = torch.randn(4, { device: 'cuda' });
    expect(torch.asTensor(x, { device: 'cuda' })).toBe(x);
    expect(torch.asTensor(x, { device: 'cpu' }).device.type).toBe('cpu');
    torch.manualSeed(3);
    const r = torch.normal(torch.full([20000], 2, { device: 'cuda', dtype: 'float32' }), torch.full([20000], 0.5, { device: 'cuda' }));
    expect(r.device.type).toBe('cuda');
    expect(Math.abs((r.mean().item() as number) - 2)).toBeLessThan(0.02);
    expect(Math.abs((r.std().item() as number) - 0.5)).toBeLessThan(0.02);
    const ri = torch.randint(2, 5, [1000], { device: 'cuda' });
    expect([ri.min().item(), ri.max().item()]).toEqual([2, 4]);
  });
});
