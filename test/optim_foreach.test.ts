// optim_foreach.test.ts - the foreach / fused implementations of SGD, Adam, AdamW, RMSprop and Adagrad (one native call per group,
// OP(optim_step_multi)): 10-step trajectories against PyTorch 1.13 (test/ref/gen_optim_foreach.py), bit-equal to the
// per-parameter path; one native call per group; PyTorch's option checks; and, on CUDA (or under the CUDA emulator,
// NODETORCH_ADDON=build-emu/Release/nodetorch.node), the multi-tensor kernel giving the CPU's bits.
import * as torch from '../lib/index';
import { native } from '../lib/native';
import { OP } from '../lib/ops/ids';
import { TorchError } from '../lib/errors';
import { optimInternals } from '../lib/optim/optimizer';
import { Ref, expectTensor } from './helpers';

type T = torch.Tensor;
interface Case { name: string; optim: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad'; options: Record<string, unknown>; dtype: string; params: Ref[]; grads: (Ref | null)[][]; expected: Ref[][] }
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/optim_foreach.json') as { torch: string; steps: number; cases: Case[] };

const fromRef = (r: Ref, device = 'cpu'): T => torch.tensor(r.data as number[], { dtype: r.dtype as torch.DType, device }).reshape(r.shape);
type Impl = { foreach?: boolean | null; fused?: boolean | null };
const IMPLS: [string, Impl][] = [['for-loop', { foreach: false }], ['foreach', { foreach: true }], ['fused', { fused: true }], ['default', {}]];
// RMSprop and Adagrad have no fused option (PyTorch 1.13): for-loop, foreach and the default
const hasFused = (c: Case): boolean => c.optim === 'SGD' || c.optim === 'Adam' || c.optim === 'AdamW';
const implsOf = (c: Case): [string, Impl][] => IMPLS.filter(([n]) => n !== 'fused' || hasFused(c));

function makeOpt(c: Case, params: T[], impl: Impl): torch.optim.Optimizer {
  const o = { ...c.options, ...impl } as Record<string, unknown>;
  if (c.optim === 'SGD') return new torch.optim.SGD(params, o);
  if (c.optim === 'Adam') return new torch.optim.Adam(params, o);
  if (c.optim === 'RMSprop') return new torch.optim.RMSprop(params, o);
  if (c.optim === 'Adagrad') return new torch.optim.Adagrad(params, o);
  return new torch.optim.AdamW(params, o);
}

// the parameters after every step, as plain numbers (exact: float16/bfloat16/float32 values are doubles exactly)
function trajectory(c: Case, impl: Impl, device = 'cpu', check?: (step: number, ps: T[]) => void): number[][][] {
  const ps = c.params.map((r) => fromRef(r, device).requiresGrad_(true));
  const opt = makeOpt(c, ps, impl);
  const out: number[][][] = [];
  for (let s = 0; s < c.grads.length; s++) {
    c.grads[s].forEach((g, i) => { ps[i].grad = g === null ? null : fromRef(g, device); });
    opt.step();
    if (check) check(s, ps);
    out.push(ps.map((p) => (p.reshape([-1]).tolist() as number[])));
  }
  return out;
}

const bitsEqual = (a: number[][][], b: number[][][]): void => {
  expect(a.length).toBe(b.length);
  a.forEach((step, s) => step.forEach((p, i) => p.forEach((v, j) => {
    if (!Object.is(v, b[s][i][j])) throw new Error(`step ${s}, param ${i}, element ${j}: ${v} != ${b[s][i][j]}`);
  })));
};

// float16/bfloat16: the reference emulates PyTorch's fused arithmetic with float32 ops, so allow an ulp or two
const TOL: Record<string, { rtol: number; atol: number } | undefined> = { float16: { rtol: 2e-3, atol: 1e-4 }, bfloat16: { rtol: 1.6e-2, atol: 1e-3 } };

describe('foreach / fused steps on the CPU against PyTorch', () => {
  test('the fixture covers every algorithm, option set and dtype', () => {
    expect(REF.steps).toBe(10);
    expect(new Set(REF.cases.map((c) => c.optim))).toEqual(new Set(['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad']));
    expect(new Set(REF.cases.map((c) => c.dtype))).toEqual(new Set(['float32', 'float64', 'float16', 'bfloat16']));
  });
  for (const c of REF.cases) {
    test(`${c.name} (${c.dtype}): for-loop, foreach${hasFused(c) ? ', fused' : ''} and default follow PyTorch, bit-equal to each other`, () => {
      const runs = implsOf(c).map(([name, impl]) => [name, trajectory(c, impl, 'cpu', (s, ps) => {
        ps.forEach((p, i) => expectTensor(p, c.expected[s][i], TOL[c.dtype]));
      })] as const);
      for (const [, tr] of runs.slice(1)) bitsEqual(tr, runs[0][1]);
    });
  }
  test('per-parameter step counts: a parameter that missed steps gets its own bias corrections', () => {
    const c = REF.cases.find((x) => x.name === 'adam_plain') as Case;
    const ps = c.params.map((r) => fromRef(r).requiresGrad_(true));
    const opt = new torch.optim.Adam(ps, { ...c.options, foreach: true });
    for (let s = 0; s < c.grads.length; s++) {
      c.grads[s].forEach((g, i) => { ps[i].grad = g === null ? null : fromRef(g); });
      opt.step();
    }
    expect(opt.state.get(ps[0])?.step).toBe(10);
    expect(opt.state.get(ps[1])?.step).toBe(7);
    expect(opt.state.get(ps[3])).toBeUndefined();
    ps.forEach((p, i) => expectTensor(p, c.expected[9][i]));
  });
});

describe('many parameters in one call', () => {
  // sizes that span several chunks (16384 elements on the CPU, 65536 on CUDA) and many small tensors
  const sizes = [70000, 1, 3, 16384, 16385, 0, 257, ...Array.from({ length: 60 }, (_, i) => 1 + ((i * 7919) % 3000))];
  function run(opt: (ps: T[]) => torch.optim.Optimizer, dtype: torch.DType, device: string, steps = 3): T[] {
    torch.manualSeed(5);
    const ps = sizes.map((n) => torch.randn([n]).to({ dtype, device }).requiresGrad_(true));
    const o = opt(ps);
    for (let s = 0; s < steps; s++) {
      ps.forEach((p, i) => { p.grad = i % 11 === 5 && s === 1 ? null : torch.randn([p.numel()]).to({ dtype, device }); });
      o.step();
    }
    return ps.map((p) => p.detach().to('cpu'));
  }
  const same = (a: T[], b: T[]): void => a.forEach((t, i) => {
    const x = t.toTypedArray(), y = b[i].toTypedArray();
    expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))).toBe(true);
  });
  for (const dtype of ['float32', 'bfloat16'] as torch.DType[]) {
    test(`AdamW (amsgrad) and SGD (nesterov) over ${sizes.length} parameters, ${dtype}: foreach = for-loop bit for bit`, () => {
      const adam = (foreach: boolean) => (ps: T[]) => new torch.optim.AdamW(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.1, foreach });
      same(run(adam(true), dtype, 'cpu'), run(adam(false), dtype, 'cpu'));
      const sgd = (foreach: boolean) => (ps: T[]) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, foreach });
      same(run(sgd(true), dtype, 'cpu'), run(sgd(false), dtype, 'cpu'));
      const rms = (foreach: boolean) => (ps: T[]) => new torch.optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.01, foreach });
      same(run(rms(true), dtype, 'cpu'), run(rms(false), dtype, 'cpu'));
      const ada = (foreach: boolean) => (ps: T[]) => new torch.optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.1, foreach });
      same(run(ada(true), dtype, 'cpu'), run(ada(false), dtype, 'cpu'));
    });
  }
  test('a non-contiguous parameter, a gradient of another dtype and a float64 parameter in the same group', () => {
    const mk = (): T[] => {
      torch.manualSeed(9);
      return [torch.randn([4, 3]).t().requiresGrad_(true), torch.randn([5], { dtype: 'float64' }).requiresGrad_(true), torch.randn([6]).to('float16').requiresGrad_(true)];
    };
    const go = (foreach: boolean): T[] => {
      const ps = mk();
      const o = new torch.optim.Adam(ps, { lr: 0.05, foreach });
      for (let s = 0; s < 4; s++) {
        torch.manualSeed(100 + s);
        ps[0].grad = torch.randn([3, 4]);
        ps[1].grad = torch.randn([5], { dtype: 'float64' });
        ps[2].grad = torch.randn([6]).to('float16');
        o.step();
      }
      expect(ps[0].isContiguous()).toBe(false);
      return ps;
    };
    const a = go(true), b = go(false);
    a.forEach((t, i) => expect(t.tolist()).toEqual(b[i].tolist()));
  });
});

describe('one native call per group', () => {
  let runSpy: jest.SpyInstance, listSpy: jest.SpyInstance;
  beforeEach(() => { runSpy = jest.spyOn(native, 'run'); listSpy = jest.spyOn(native, 'runList'); });
  afterEach(() => { runSpy.mockRestore(); listSpy.mockRestore(); });
  const stepCalls = (): number => runSpy.mock.calls.filter((c) => c[0] === OP.optim_step).length;
  const multiCalls = (): number => listSpy.mock.calls.filter((c) => c[0] === OP.optim_step_multi).length;

  function params(n: number): T[] {
    const ps = Array.from({ length: n }, (_, i) => torch.randn([i + 2]).requiresGrad_(true));
    ps.push(torch.randn([3], { dtype: 'float64' }).requiresGrad_(true));  // another dtype: still the same call
    ps.push(torch.randn([2]).requiresGrad_(true));                         // no gradient: skipped
    return ps;
  }
  const grads = (ps: T[]): void => ps.forEach((p, i) => { p.grad = i === ps.length - 1 ? null : torch.onesLike(p); });

  for (const [name, make] of [
    ['SGD', (ps: T[], o: Impl) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9, ...o })],
    ['Adam', (ps: T[], o: Impl) => new torch.optim.Adam(ps, { lr: 0.1, amsgrad: true, ...o })],
    ['AdamW', (ps: T[], o: Impl) => new torch.optim.AdamW(ps, { lr: 0.1, ...o })],
    ['RMSprop', (ps: T[], o: Impl) => new torch.optim.RMSprop(ps, { lr: 0.1, centered: true, momentum: 0.5, ...o })],
    ['Adagrad', (ps: T[], o: Impl) => new torch.optim.Adagrad(ps, { lr: 0.1, ...o })],
  ] as const) {
    test(`${name}: foreach (and fused) take one call per step; the for-loop one per parameter; the CPU default is the for-loop`, () => {
      for (const impl of name === 'RMSprop' || name === 'Adagrad' ? [{ foreach: true }] : [{ foreach: true }, { fused: true }]) {
        const ps = params(20);
        const opt = make(ps, impl);
        grads(ps);
        runSpy.mockClear(); listSpy.mockClear();
        opt.step();
        opt.step();
        expect(multiCalls()).toBe(2);
        expect(stepCalls()).toBe(0);
      }
      for (const impl of [{ foreach: false }, {}]) {
        const ps = params(20);
        const opt = make(ps, impl);
        grads(ps);
        runSpy.mockClear(); listSpy.mockClear();
        opt.step();
        expect(multiCalls()).toBe(0);
        expect(stepCalls()).toBe(21);
      }
    });
  }
  test('two groups: two calls', () => {
    const a = params(3), b = params(4);
    const opt = new torch.optim.Adam([{ params: a }, { params: b, lr: 0.5 }], { foreach: true });
    grads(a); grads(b);
    listSpy.mockClear();
    opt.step();
    expect(multiCalls()).toBe(2);
    expect(listSpy.mock.calls.map((c) => c.length - 3)).toEqual([4 * 4, 5 * 4]);
  });
});

describe('option checks', () => {
  const p = (): T => torch.randn([3]).requiresGrad_(true);
  test.each([
    ['Adam', () => new torch.optim.Adam([p()], { fused: true, foreach: true }), /`fused` and `foreach` cannot be `True` together/],
    ['AdamW', () => new torch.optim.AdamW([p()], { fused: true, differentiable: true }), /`fused` does not support `differentiable`/],
    ['SGD', () => new torch.optim.SGD([p()], { fused: true, foreach: true }), /`fused` and `foreach` cannot be `True` together/],
    ['Adam int param', () => new torch.optim.Adam([torch.tensor([1, 2, 3])], { fused: true }), /`fused=True` requires all the params to be floating point Tensors of supported devices: \['cpu', 'cuda'\].*int64/],
    ['SGD int param', () => new torch.optim.SGD([torch.tensor([1, 2, 3])], { fused: true }), /floating point Tensors of supported devices/],
    ['Adam foreach', () => new torch.optim.Adam([p()], { foreach: 'yes' as unknown as boolean }), /Adam\(\): option 'foreach' must be a boolean or null, got/],
    ['SGD fused', () => new torch.optim.SGD([p()], { fused: 1 as unknown as boolean }), /SGD\(\): option 'fused' must be a boolean or null/],
    ['Adam foreach differentiable', () => { const q = p(); q.grad = torch.ones([3]); new torch.optim.Adam([q], { foreach: true, differentiable: true }).step(); }, /Adam: _foreach ops don't support autograd/],
  ])('%s', (_n, f, msg) => {
    expect(f).toThrow(TorchError);
    expect(f).toThrow(msg);
  });
  test('a param group added later is checked at step time', () => {
    const opt = new torch.optim.Adam([p()], { fused: true });
    const q = torch.tensor([1, 2]);
    opt.addParamGroup({ params: [q] });
    expect(() => opt.step()).toThrow(/`fused=True` requires all the params to be floating point/);
  });
  test('a disposed gradient or state is a TorchError, not a native crash', () => {
    const a = p(), b = p();
    const opt = new torch.optim.Adam([a, b], { lr: 0.1, foreach: true });
    a.grad = torch.ones([3]);
    b.grad = torch.ones([3]);
    opt.step();
    (opt.state.get(b)?.exp_avg as T).dispose();
    expect(() => opt.step()).toThrow(TorchError);
    (b.grad as T).dispose();
    expect(() => opt.step()).toThrow(TorchError);
  });
  test('foreach / fused appear in the param groups and the state dict, as PyTorch', () => {
    const opt = new torch.optim.AdamW([p()], { fused: true });
    expect(opt.paramGroups[0].fused).toBe(true);
    expect(opt.paramGroups[0].foreach).toBe(null);
    expect(opt.stateDict().param_groups[0].fused).toBe(true);
  });
});

// CUDA (a GPU, or the CUDA emulator): the multi-tensor kernel against the CPU's bits
const hasCuda = torch.cuda.isAvailable();
if (!hasCuda) {
  // eslint-disable-next-line no-console
  console.warn('optim_foreach.test.ts: SKIPPED the CUDA multi-tensor kernel tests: no CUDA device (run under the CUDA emulator: NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node)');
}
const cudaTest = hasCuda ? test : test.skip;
describe('foreach / fused on CUDA', () => {
  for (const c of REF.cases) {
    cudaTest(`${c.name} (${c.dtype}): foreach, fused and the default (foreach) give the CPU for-loop's bits`, () => {
      const cpu = trajectory(c, { foreach: false }, 'cpu');
      for (const impl of hasFused(c) ? [{ foreach: true }, { fused: true }, {}] : [{ foreach: true }, {}]) bitsEqual(trajectory(c, impl, 'cuda'), cpu);
    });
  }
  cudaTest('tensors split across launches (2 chunks per launch) and full tensor tables give the CPU\'s bits', () => {
    optimInternals.maxChunksPerLaunch = 2;
    try {
      const sizes = [200000, 65536, 1, 130000, 65537, ...Array.from({ length: 40 }, (_, i) => 3 + i * 101), 70000];
      for (const [dtype, make] of [
        ['float32', (ps: T[]) => new torch.optim.Adam(ps, { lr: 0.01, amsgrad: true, foreach: true })],
        ['float16', (ps: T[]) => new torch.optim.SGD(ps, { lr: 0.1, momentum: 0.9, foreach: true })],
        ['bfloat16', (ps: T[]) => new torch.optim.AdamW(ps, { lr: 0.01, foreach: true })],
        ['float32', (ps: T[]) => new torch.optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.9, foreach: true })],
        ['bfloat16', (ps: T[]) => new torch.optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.1, foreach: true })],
      ] as [torch.DType, (ps: T[]) => torch.optim.Optimizer][]) {
        torch.manualSeed(8);
        const init = sizes.map((n) => torch.randn([n]).to(dtype));
        const grad = sizes.map((n) => torch.randn([n]).to(dtype));
        const gc = init.map((t) => t.to('cuda').requiresGrad_(true)), pc = init.map((t) => t.clone().requiresGrad_(true));
        const oc = make(gc), op = new (oc.constructor as new (ps: T[], o: object) => torch.optim.Optimizer)(pc, { ...oc.defaults, foreach: false });
        for (let s = 0; s < 2; s++) {
          gc.forEach((p, i) => { p.grad = grad[i].to('cuda'); });
          pc.forEach((p, i) => { p.grad = grad[i]; });
          oc.step();
          op.step();
        }
        gc.forEach((p, i) => {
          const x = p.to('cpu').toTypedArray(), y = pc[i].toTypedArray();
          expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))).toBe(true);
        });
      }
    } finally { optimInternals.maxChunksPerLaunch = 0; }
  });
  cudaTest('one call per step on CUDA by default, several launches inside it for many large tensors', () => {
    const listSpy = jest.spyOn(native, 'runList');
    try {
      const sizes = [70000, 140000, ...Array.from({ length: 45 }, (_, i) => 1 + i * 37), 3];
      for (const dtype of ['float32', 'float16', 'bfloat16', 'float64'] as torch.DType[]) {
        const mk = (device: string): T[] => { torch.manualSeed(3); return sizes.map((n) => torch.randn([n]).to({ dtype, device }).requiresGrad_(true)); };
        const gc = mk('cuda'), pc = mk('cpu');
        const oc = new torch.optim.Adam(gc, { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
        const op = new torch.optim.Adam(pc, { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
        listSpy.mockClear();
        for (let s = 0; s < 2; s++) {
          torch.manualSeed(50 + s);
          const gs = sizes.map((n) => torch.randn([n]).to(dtype));
          gc.forEach((p, i) => { p.grad = gs[i].to('cuda'); });
          pc.forEach((p, i) => { p.grad = gs[i]; });
          oc.step();
          op.step();
        }
        expect(listSpy.mock.calls.filter((x) => x[0] === OP.optim_step_multi).length).toBe(2);
        gc.forEach((p, i) => expect(p.to('cpu').tolist()).toEqual(pc[i].tolist()));
      }
    } finally { listSpy.mockRestore(); }
  });
});
