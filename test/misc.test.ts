// misc.test.ts - torch.testing.assertClose / makeTensor, RNG state (getRngState/setRngState, Generator.getState,
// forkRng), against PyTorch 1.13's messages in test/ref/misc.json (test/ref/gen_misc.py).
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

type CloseCase = { name: string; ok: boolean; msg?: string; a?: unknown[]; b?: unknown[]; dtype?: torch.DType; kw?: Record<string, unknown>; kind?: string };
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'misc.json'), 'utf8')) as {
  assertClose: CloseCase[]; anomaly: Record<string, string>; deterministic: { enabled: boolean; warnOnly: boolean };
};
const byName = (n: string): CloseCase => REF.assertClose.find((c) => c.name === n) as CloseCase;
const thrown = (fn: () => void): Error | null => { try { fn(); return null; } catch (e) { return e as Error; } };

describe('torch.testing.assertClose', () => {
  const toT = (x: unknown[], dtype: torch.DType): torch.Tensor =>
    torch.tensor((x as unknown[]).map((v) => (v === null ? NaN : v)) as number[], { dtype });
  for (const c of REF.assertClose.filter((c) => c.dtype)) {
    test(`${c.name} (${c.dtype}) as PyTorch`, () => {
      const kw: torch.testing.AssertCloseOptions = {};
      if (c.kw && 'rtol' in c.kw) { kw.rtol = c.kw.rtol as number; kw.atol = c.kw.atol as number; }
      if (c.kw && 'equal_nan' in c.kw) kw.equalNan = c.kw.equal_nan as boolean;
      const e = thrown(() => torch.testing.assertClose(toT(c.a as unknown[], c.dtype as torch.DType), toT(c.b as unknown[], c.dtype as torch.DType), kw));
      if (c.ok) expect(e).toBeNull();
      else { expect(e).toBeInstanceOf(torch.testing.AssertionError); expect((e as Error).message).toBe(c.msg); }
    });
  }
  test('shape, dtype, stride mismatches and checkDtype: false', () => {
    expect(thrown(() => torch.testing.assertClose(torch.zeros(2, 3), torch.zeros(3, 2)))?.message).toBe(byName('shape').msg);
    expect(thrown(() => torch.testing.assertClose(torch.zeros(2), torch.zeros(2, { dtype: 'float64' })))?.message).toBe(byName('dtype').msg);
    expect(byName('dtype_nocheck').ok).toBe(true);
    torch.testing.assertClose(torch.zeros(2), torch.zeros(2, { dtype: 'float64' }), { checkDtype: false });
    const a = torch.zeros(2, 3).t().contiguous(), b = torch.zeros(2, 3).t();
    torch.testing.assertClose(a, b);
    expect(thrown(() => torch.testing.assertClose(a, b, { checkStride: true }))?.message).toBe(byName('stride').msg);
    if (torch.cuda.isAvailable()) {
      expect(thrown(() => torch.testing.assertClose(torch.zeros(2), torch.zeros(2, { device: 'cuda' })))?.message)
        .toBe("The values for attribute 'device' do not match: cpu != cuda:0.");
      torch.testing.assertClose(torch.zeros(2), torch.zeros(2, { device: 'cuda' }), { checkDevice: false });
    }
  });
  test('numbers, arrays and objects of tensors, custom msg', () => {
    // a JS number with a fractional value is Python's float; integral values are ints (compared exactly)
    expect(thrown(() => torch.testing.assertClose(1.25, 1.75))?.message).toBe(byName('scalar').msg);
    torch.testing.assertClose(1.25, 1.25 + 1e-8);
    expect(thrown(() => torch.testing.assertClose(1, 2))?.message).toBe(byName('scalar_int').msg);
    const f = (v: number): torch.Tensor => torch.tensor([v], { dtype: 'float32' });
    expect(thrown(() => torch.testing.assertClose([f(1), f(2)], [f(1), f(2.5)]))?.message).toBe(byName('list').msg);
    expect(thrown(() => torch.testing.assertClose({ a: f(1), b: f(2) }, { a: f(1), b: f(2.5) }))?.message).toBe(byName('dict').msg);
    expect(thrown(() => torch.testing.assertClose([f(1)], [f(1), f(2)]))?.message).toBe(byName('len').msg);
    expect(thrown(() => torch.testing.assertClose(f(1), f(2), { msg: 'custom message' }))?.message).toBe(byName('msg').msg);
    expect(thrown(() => torch.testing.assertClose(f(1), f(2), { msg: (m) => `ctx: ${m.split('\n')[0]}` }))?.message).toBe('ctx: Tensor-likes are not close!');
    torch.testing.assertClose({ x: [torch.ones(2), 3] }, { x: [torch.ones(2), 3] });
    const t32 = (v: number[] | number): torch.Tensor => torch.tensor(v, { dtype: 'float32' });
    expect(thrown(() => torch.testing.assertClose(t32(1), t32(1.5)))?.message).toBe(byName('zero_dim').msg);
    expect(thrown(() => torch.testing.assertClose(t32([0, 1]), t32([0.5, 0])))?.message).toBe(byName('rel_inf').msg);
    expect(thrown(() => torch.testing.assertClose(t32([Infinity, 1]), t32([1, 1])))?.message).toBe(byName('inf').msg);
    expect(thrown(() => torch.testing.assertClose(t32([1e20, 1]), t32([2e20, 1])))?.message).toBe(byName('big').msg);
    torch.testing.assertClose(t32([Infinity, -Infinity]), t32([Infinity, -Infinity]));
  });
  test('the error is an AssertionError (Node assert), a TorchError for unusable arguments', () => {
    const e = thrown(() => torch.testing.assertClose(torch.ones(1), torch.zeros(1))) as Error & { code?: string };
    expect(e.name).toBe('AssertionError');
    expect(e.code).toBe('ERR_ASSERTION');
    expect(e).toBeInstanceOf(require('assert').AssertionError);
    expect(() => torch.testing.assertClose(torch.ones(1), torch.ones(1), { rtol: 1 })).toThrow(/both 'rtol' and 'atol'.*no atol/);
    expect(() => torch.testing.assertClose(torch.ones(1), 'x')).toThrow(torch.TorchError);
  });
  test('tolerances per dtype: float16 1e-3, bfloat16 1.6e-2, float32 1.3e-6, float64 1e-7 relative', () => {
    const rel = (dtype: torch.DType, r: number): boolean =>
      thrown(() => torch.testing.assertClose(torch.tensor([1000.0], { dtype: 'float64' }).to(dtype), torch.tensor([1000.0 * (1 + r)], { dtype: 'float64' }).to(dtype))) === null;
    expect(rel('float64', 5e-8)).toBe(true); expect(rel('float64', 5e-7)).toBe(false);
    expect(rel('float32', 1e-6)).toBe(true); expect(rel('float32', 1e-5)).toBe(false);
    expect(rel('bfloat16', 0)).toBe(true); expect(rel('bfloat16', 0.05)).toBe(false);
  });
});

describe('torch.testing.makeTensor', () => {
  test('ranges, dtypes, noncontiguous, requiresGrad', () => {
    const f = torch.testing.makeTensor([50, 4], { dtype: 'float32', low: -1, high: 1 });
    expect(f.shape).toEqual([50, 4]);
    expect(f.min().item()).toBeGreaterThanOrEqual(-1); expect(f.max().item()).toBeLessThan(1);
    const i = torch.testing.makeTensor([200], { dtype: 'int64' });
    expect(i.min().item()).toBeGreaterThanOrEqual(-9); expect(i.max().item()).toBeLessThanOrEqual(9);
    const u = torch.testing.makeTensor([200], { dtype: 'uint8' });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    const n = torch.testing.makeTensor([3, 4], { dtype: 'float64', noncontiguous: true });
    expect(n.isContiguous()).toBe(false); expect(n.shape).toEqual([3, 4]); expect(n.stride()).toEqual([8, 2]);
    const g = torch.testing.makeTensor(5, { dtype: 'float32', requiresGrad: true });
    expect(g.requiresGrad).toBe(true); expect(g.isLeaf).toBe(true);
    const z = torch.testing.makeTensor([500], { dtype: 'int32', low: -1, high: 1, excludeZero: true });
    expect(z.eq(0).any().item()).toBe(false);
    expect(() => torch.testing.makeTensor(3, { dtype: 'int64', requiresGrad: true })).toThrow(/requires_grad must be False/);
    expect(() => torch.testing.makeTensor(3, { dtype: 'float32', low: 2, high: 1 })).toThrow(/low must be weakly less than high/);
  });
});

describe('RNG state', () => {
  test('getRngState / setRngState reproduce rand, randn, randint and dropout draws', () => {
    torch.manualSeed(3);
    torch.rand(5);
    const st = torch.getRngState();
    expect(st.dtype).toBe('uint8'); expect(st.shape).toEqual([16]);
    const draw = (): number[][] => [torch.rand(7).tolist() as number[], torch.randn(3, 2).flatten().tolist() as number[],
      torch.randint(0, 100, [6]).tolist() as number[], torch.nn.functional.dropout(torch.ones(20), { p: 0.5 }).tolist() as number[]];
    const first = draw();
    const second = draw();
    expect(second).not.toEqual(first);
    torch.setRngState(st);
    expect(draw()).toEqual(first);
    expect(() => torch.setRngState(torch.zeros(3))).toThrow(/uint8 tensor of 16 elements/);
  });
  test('Generator.getState / setState; torch.random.forkRng restores after fn (and after a throw)', () => {
    const g = new torch.Generator().manualSeed(11);
    const s = g.getState();
    const a = torch.rand(4, { generator: g }).tolist();
    g.setState(s);
    expect(torch.rand(4, { generator: g }).tolist()).toEqual(a);
    torch.manualSeed(5);
    const before = torch.getRngState().tolist();
    const inside = torch.random.forkRng(() => torch.rand(3).tolist());
    expect(torch.getRngState().tolist()).toEqual(before);
    expect(torch.rand(3).tolist()).toEqual(inside);
    torch.manualSeed(5);
    expect(() => torch.random.forkRng(() => { torch.rand(3); throw new Error('boom'); })).toThrow('boom');
    expect(torch.getRngState().tolist()).toEqual(before);
    expect(torch.random.initialSeed()).toBe(5n);
  });
  test('torch.cuda.getRngState / setRngState', () => {
    torch.cuda.manualSeedAll(9);
    const st = torch.cuda.getRngState(0);
    expect(st.dtype).toBe('uint8');
    const drawn = torch.cuda.isAvailable() ? () => torch.rand(5, { device: 'cuda' }).cpu().tolist() : null;
    const first = drawn ? drawn() : null;
    torch.cuda.setRngState(st, 0);
    expect(torch.cuda.getRngState(0).tolist()).toEqual(st.tolist());
    if (drawn) expect(drawn()).toEqual(first);
  });
});

describe('anomaly mode', () => {
  test('a NaN gradient names the node as PyTorch, with the forward call site', () => {
    expect(torch.isAnomalyEnabled()).toBe(false);
    const x = torch.tensor([-1.0, 4.0], { dtype: 'float32', requiresGrad: true });
    const e = thrown(() => torch.autograd.detectAnomaly(() => {
      expect(torch.isAnomalyEnabled()).toBe(true);
      const y = torch.sqrt(x); // this line is the forward call site in the trace
      y.sum().backward();
    })) as Error;
    expect(e).toBeInstanceOf(torch.TorchError);
    expect(e.message.split('\n')[0]).toBe(REF.anomaly.sqrt);
    expect(e.message).toMatch(/Error detected in SqrtBackward0\. Traceback of forward call that caused the error:\n[^]*misc\.test\.ts/);
    expect(torch.isAnomalyEnabled()).toBe(false);
    const z = torch.tensor([0.0, 1.0], { dtype: 'float32', requiresGrad: true });
    const e2 = thrown(() => torch.autograd.detectAnomaly(() => z.div(z).sum().backward())) as Error;
    expect(e2.message.split('\n')[0]).toBe(REF.anomaly.div);
  });
  test('off: the same backward runs and gives NaN; setDetectAnomaly and checkNan: false', () => {
    const x = torch.tensor([-1.0, 4.0], { dtype: 'float32', requiresGrad: true });
    torch.sqrt(x).sum().backward();
    expect(Number.isNaN((x.grad as torch.Tensor).tolist()[0] as number)).toBe(true);
    torch.autograd.setDetectAnomaly(true);
    try {
      expect(torch.isAnomalyEnabled()).toBe(true);
      const w = torch.tensor([-1.0, 4.0], { dtype: 'float32', requiresGrad: true });
      expect(() => torch.sqrt(w).sum().backward()).toThrow(/SqrtBackward0/);
      torch.autograd.setDetectAnomaly(true, { checkNan: false });
      expect(torch.isAnomalyCheckNanEnabled()).toBe(false);
      const v = torch.tensor([-1.0, 4.0], { dtype: 'float32', requiresGrad: true });
      torch.sqrt(v).sum().backward();
      expect(Number.isNaN((v.grad as torch.Tensor).tolist()[0] as number)).toBe(true);
    } finally { torch.autograd.setDetectAnomaly(false); }
    expect(torch.isAnomalyEnabled()).toBe(false);
    // a finite backward in anomaly mode gives the usual gradients
    const u = torch.tensor([1.0, 4.0], { dtype: 'float32', requiresGrad: true });
    torch.autograd.detectAnomaly(() => torch.sqrt(u).sum().backward());
    torch.testing.assertClose(u.grad, torch.tensor([0.5, 0.25], { dtype: 'float32' }));
  });
});

describe('torch.utils.checkpoint', () => {
  const { checkpoint, checkpointSequential } = torch.utils.checkpoint;
  const makeNet = (): torch.nn.Sequential => {
    torch.manualSeed(0);
    return new torch.nn.Sequential(new torch.nn.Linear(16, 32), new torch.nn.Tanh(), new torch.nn.Dropout(0.3),
      new torch.nn.Linear(32, 32), new torch.nn.Tanh(), new torch.nn.Linear(32, 4));
  };
  const grads = (m: torch.nn.Module): torch.Tensor[] => m.parameters().map((p) => (p.grad as torch.Tensor).clone());

  test('gradients (inputs and parameters) equal the non-checkpointed ones, dropout included', () => {
    const x0 = torch.randn(8, 16, { generator: new torch.Generator().manualSeed(1) });
    const run = (ck: boolean): [torch.Tensor, torch.Tensor, torch.Tensor[]] => {
      const net = makeNet();
      const x = x0.clone().requiresGrad_();
      torch.manualSeed(42);
      const y = ck ? checkpoint((t: torch.Tensor) => net.call(t), x, { useReentrant: true }) : net.call(x);
      torch.rand(3); // draws between forward and backward must not change the recomputation's dropout masks
      y.pow(2).sum().backward();
      return [y.detach(), x.grad as torch.Tensor, grads(net)];
    };
    const [y0, gx0, gp0] = run(false);
    const [y1, gx1, gp1] = run(true);
    torch.testing.assertClose(y1, y0);
    torch.testing.assertClose(gx1, gx0);
    torch.testing.assertClose(gp1, gp0);
    // without preserving the RNG state the recomputed dropout masks differ, and so do the gradients
    const net = makeNet();
    const x = x0.clone().requiresGrad_();
    torch.manualSeed(42);
    checkpoint((t: torch.Tensor) => net.call(t), x, { preserveRngState: false }).pow(2).sum().backward();
    expect(thrown(() => torch.testing.assertClose(x.grad, gx0))).not.toBeNull();
  });
  test('several inputs and outputs; useReentrant: false finds the parameters when no input requires grad', () => {
    const a = torch.randn(3, 4, { requiresGrad: true }), b = torch.randn(3, 4, { requiresGrad: true });
    const f = (p: torch.Tensor, q: torch.Tensor, k: number): torch.Tensor[] => [p.mul(q).sin(), p.add(q).exp().mul(k)];
    const [u, v] = checkpoint(f, a, b, 2) as torch.Tensor[];
    u.sum().add(v.sum()).backward();
    const a2 = a.detach().clone().requiresGrad_(), b2 = b.detach().clone().requiresGrad_();
    const [u2, v2] = f(a2, b2, 2);
    u2.sum().add(v2.sum()).backward();
    torch.testing.assertClose(a.grad, a2.grad); torch.testing.assertClose(b.grad, b2.grad);
    const lin = new torch.nn.Linear(4, 2);
    const xin = torch.randn(5, 4);
    checkpoint((t: torch.Tensor) => lin.call(t).tanh(), xin, { useReentrant: false }).sum().backward();
    const g1 = (lin.weight.grad as torch.Tensor).clone();
    lin.zeroGrad();
    lin.call(xin).tanh().sum().backward();
    torch.testing.assertClose(g1, lin.weight.grad);
  });
  test('checkpointSequential matches and holds less memory after the forward', () => {
    const depth = 8;
    const mk = (): torch.nn.Sequential => {
      torch.manualSeed(3);
      const layers: torch.nn.Module[] = [];
      for (let i = 0; i < depth; i++) layers.push(new torch.nn.Linear(256, 256), new torch.nn.Tanh());
      return new torch.nn.Sequential(...layers);
    };
    const x0 = torch.randn(512, 256, { generator: new torch.Generator().manualSeed(2) });
    const measure = (ck: boolean): [number, torch.Tensor, torch.Tensor[]] => {
      const net = mk();
      const x = x0.clone().requiresGrad_();
      const before = torch.memory().bytes;
      const y = ck ? checkpointSequential(net, 4, x) : net.call(x);
      const held = torch.memory().bytes - before;
      y.sum().backward();
      return [held, x.grad as torch.Tensor, grads(net)];
    };
    const [m0, gx0, gp0] = measure(false);
    const [m1, gx1, gp1] = measure(true);
    torch.testing.assertClose(gx1, gx0); torch.testing.assertClose(gp1, gp0);
    const act = 512 * 256 * 4; // one activation
    expect(m0).toBeGreaterThanOrEqual(2 * depth * act); // linear outputs and tanh outputs kept for backward
    expect(m1).toBeLessThan(m0 / 2);
    if (process.env.CK_LOG) console.log(`held after forward: plain ${m0} B, checkpointSequential(4) ${m1} B`);
    expect(() => checkpointSequential(mk(), 0, x0)).toThrow(/segments must be a positive integer/);
  });
});

describe('torch.useDeterministicAlgorithms', () => {
  afterEach(() => torch.useDeterministicAlgorithms(false));
  const nondet = /^(.+) does not have a deterministic implementation, but you set 'torch\.use_deterministic_algorithms\(True\)'\. You can turn off determinism just for this operation, or you can use the 'warn_only=True' option/;
  test('flags, as PyTorch', () => {
    expect(torch.areDeterministicAlgorithmsEnabled()).toBe(false);
    torch.useDeterministicAlgorithms(true);
    expect(torch.areDeterministicAlgorithmsEnabled()).toBe(REF.deterministic.enabled);
    expect(torch.isDeterministicAlgorithmsWarnOnlyEnabled()).toBe(REF.deterministic.warnOnly);
    torch.useDeterministicAlgorithms(true, { warnOnly: true });
    expect(torch.isDeterministicAlgorithmsWarnOnlyEnabled()).toBe(true);
  });
  test('CPU kernels run in deterministic mode and repeat bit for bit across thread counts', () => {
    torch.useDeterministicAlgorithms(true);
    const g = new torch.Generator().manualSeed(7);
    const src = torch.randn(4000, 64, { generator: g });
    const idx = torch.randint(0, 5, [4000], { generator: g });
    const threads = torch.getNumThreads();
    const runAll = (): number[][] => {
      const a = torch.zeros(5, 64).indexAdd(0, idx, src);
      const b = torch.zeros(5, 64).scatterAdd(0, idx.view(-1, 1).expand(4000, 64).contiguous(), src);
      const w = torch.randn(5, 64, { generator: new torch.Generator().manualSeed(1), requiresGrad: true });
      torch.nn.functional.embedding(idx, w).mul(src).sum().backward();
      const c = torch.zeros(5 * 64).put_(idx.mul(64).add(torch.arange(4000).remainder(64)), src.select(1, 0), { accumulate: true });
      return [a, b, w.grad as torch.Tensor, c].map((t) => Array.from(t.toTypedArray() as Float32Array));
    };
    const ref = runAll();
    try {
      for (const n of [1, 2, 3]) { torch.setNumThreads(n); expect(runAll()).toEqual(ref); }
    } finally { torch.setNumThreads(threads); }
  });
  const cuda = torch.cuda.isAvailable() ? test : test.skip;
  cuda('CUDA float atomics raise (index_add, scatter_add, gather/index_select/embedding backward, put_ accumulate); ints pass', () => {
    const dev = 'cuda';
    const x = torch.zeros(5, 3, { device: dev });
    const src = torch.ones(4, 3, { device: dev });
    const idx = torch.tensor([0, 1, 1, 4], { device: dev });
    // before: all run
    x.clone().indexAdd(0, idx, src);
    torch.useDeterministicAlgorithms(true);
    const msg = (fn: () => unknown): string => { const e = thrown(() => { fn(); }); expect(e).toBeInstanceOf(torch.TorchError); return (e as Error).message; };
    expect(msg(() => x.clone().indexAdd(0, idx, src))).toMatch(nondet);
    expect(msg(() => x.clone().indexAdd(0, idx, src)).startsWith('index_add_cuda_ does not')).toBe(true);
    expect(msg(() => x.clone().scatterAdd(0, idx.view(-1, 1).expand(4, 3).contiguous(), src))).toMatch(/^scatter_add_cuda_kernel does not/);
    const w = torch.randn(5, 3, { device: dev, requiresGrad: true });
    const emb = torch.nn.functional.embedding(idx, w).sum();
    expect(msg(() => emb.backward())).toMatch(nondet);
    const sel = w.indexSelect(0, idx).sum();
    expect(msg(() => sel.backward())).toMatch(nondet);
    const gat = w.gather(0, idx.view(-1, 1).expand(4, 3).contiguous()).sum();
    expect(msg(() => gat.backward())).toMatch(/^scatter_add_cuda_kernel does not/);
    expect(msg(() => torch.zeros(6, { device: dev }).put_(torch.tensor([1, 1], { device: dev }), torch.ones(2, { device: dev }), { accumulate: true }))).toMatch(/^put_ does not/);
    // integer atomics are exact; assignments and plain gathers are deterministic
    torch.zeros(5, 3, { device: dev, dtype: 'int64' }).indexAdd(0, idx, torch.ones(4, 3, { device: dev, dtype: 'int64' }));
    torch.zeros(6, { device: dev }).put_(torch.tensor([1, 2], { device: dev }), torch.ones(2, { device: dev }));
    w.detach().indexSelect(0, idx);
    // warnOnly: a warning with PyTorch's warn_only text, and the result
    torch.useDeterministicAlgorithms(true, { warnOnly: true });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const r = x.clone().indexAdd(0, idx, src);
      expect(r.cpu().sum().item()).toBe(12);
      const w0 = (warn.mock.calls.find((c) => String(c[0]).startsWith('index_add_cuda_')) ?? [''])[0];
      expect(String(w0)).toMatch(/does not have a deterministic implementation, but you set 'torch\.use_deterministic_algorithms\(True, warn_only=True\)'/);
    } finally { warn.mockRestore(); }
  });
});

describe('torch.utils.data: Sampler, ChainDataset, StackDataset', () => {
  const D = torch.utils.data;
  class Evens extends D.Sampler<number> {
    constructor(private n: number) { super(); }
    get length(): number { return Math.ceil(this.n / 2); }
    *[Symbol.iterator](): Iterator<number> { for (let i = 0; i < this.n; i += 2) yield i; }
  }
  class Range extends D.IterableDataset<number> {
    constructor(private a: number, private b: number) { super(); }
    get length(): number { return this.b - this.a; }
    *[Symbol.iterator](): Iterator<number> { for (let i = this.a; i < this.b; i++) yield i; }
  }
  test('a Sampler subclass drives a DataLoader (order and length)', () => {
    const ds = new D.TensorDataset(torch.arange(10).mul(10));
    const s = new Evens(10);
    expect(s).toBeInstanceOf(D.Sampler);
    const loader = new D.DataLoader(ds, { sampler: s, batchSize: 2 });
    expect(loader.length).toBe(3);
    const got = [...loader].map((b) => (b as torch.Tensor[])[0].tolist());
    expect(got).toEqual([[0, 20], [40, 60], [80]]);
  });
  test('ChainDataset chains iterable datasets (sync and async), length sums', async () => {
    const c = new D.ChainDataset([new Range(0, 3), new Range(10, 12)]);
    expect([...c]).toEqual([0, 1, 2, 10, 11]);
    expect(c.length).toBe(5);
    const got: number[] = [];
    for await (const v of c) got.push(v);
    expect(got).toEqual([0, 1, 2, 10, 11]);
    const loader = new D.DataLoader(c, { batchSize: 2 });
    expect([...loader].map((b) => (b as torch.Tensor).tolist())).toEqual([[0, 1], [2, 10], [11]]);
    expect(() => new D.ChainDataset([new D.TensorDataset(torch.ones(2)) as unknown as Range])).toThrow(/ChainDataset only supports IterableDataset/);
  });
  test('StackDataset: arrays for positional datasets, objects for the keyed form; size mismatch', () => {
    const a = new D.TensorDataset(torch.arange(4)), b = [10, 11, 12, 13];
    const s = new D.StackDataset(a, b);
    expect(s.length).toBe(4);
    const it = s.getItem(2) as [torch.Tensor[], number];
    expect(it[0][0].item()).toBe(2); expect(it[1]).toBe(12);
    const k = new D.StackDataset({ x: a, y: b });
    const kv = k.getItem(1) as { x: torch.Tensor[]; y: number };
    expect(kv.x[0].item()).toBe(1); expect(kv.y).toBe(11);
    const batch = [...new D.DataLoader(k, { batchSize: 4 })][0] as unknown as { x: torch.Tensor[]; y: torch.Tensor };
    expect(batch.y.tolist()).toEqual([10, 11, 12, 13]);
    expect(() => new D.StackDataset(a, [1, 2])).toThrow(/Size mismatch between datasets/);
  });
  test('randomSplit with fractions (PyTorch 2.x)', () => {
    const parts = D.randomSplit(Array.from({ length: 10 }, (_, i) => i), [0.5, 0.3, 0.2], { generator: new torch.Generator().manualSeed(0) });
    expect(parts.map((p) => p.length)).toEqual([5, 3, 2]);
    expect(parts.flatMap((p) => p.indices).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
