// optim.test.ts - torch.optim against PyTorch (test/ref/gen_optim.py): every optimizer's trajectory (float32 and
// float64, param groups, params without grads, a strided param), state-dict structure and resume (also through
// torch.save/torch.load), lr-scheduler sequences, zeroGrad, tidy and argument errors.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

interface OptimCase {
  name: string; optim: string; options: Record<string, unknown>; dtype: string; groups: Record<string, unknown>[] | null;
  layout: string | null; base0: Ref | null; params: Ref[]; grads: (Ref | null)[][]; expected: Ref[][];
  state_keys: Record<string, string[]>; state_steps: Record<string, number>; group_keys: string[];
}
interface SchedCase {
  name: string; sched: string; args: unknown[]; options: Record<string, unknown>; optimizer: { type: string; options: Record<string, unknown> };
  epochs: number; metrics: number[] | null; closed_form: boolean; resume_at: number | null; lrs: number[]; momentum: (number | null)[];
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/optim.json') as { optim: OptimCase[]; sched: SchedCase[]; adam_state_dict: { state: Record<string, Record<string, unknown>>; param_groups: Record<string, unknown>[]; params: Ref[] } };

type T = torch.Tensor;
type Opt = torch.optim.Optimizer;
const O = torch.optim as unknown as Record<string, new (p: unknown, o?: unknown) => Opt>;
const S = torch.optim.lrScheduler as unknown as Record<string, new (...a: unknown[]) => { step(m?: number): void; getLastLr(): number[]; stateDict(): Record<string, unknown>; loadStateDict(s: Record<string, unknown>): void }>;
const fromRef = (r: Ref): T => torch.tensor(r.data as number[], { dtype: r.dtype as torch.DType }).reshape(r.shape);
const close = (a: number, b: number, rtol = 1e-5, atol = 1e-12): boolean => Math.abs(a - b) <= atol + rtol * Math.abs(b);
const tol = (dt: string): { rtol: number; atol: number } => (dt === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 2e-5, atol: 2e-6 });

function makeParams(c: OptimCase): T[] {
  const ps = c.params.map((r) => fromRef(r).requiresGrad_(true));
  if (c.layout === 'transpose') ps[0] = fromRef(c.base0 as Ref).t().detach().requiresGrad_(true);
  return ps;
}
function makeOptim(c: OptimCase, ps: T[]): Opt {
  if (c.groups) return new O[c.optim](c.groups.map((g) => ({ ...g, params: (g.params as number[]).map((i) => ps[i]) })), c.options);
  return new O[c.optim](ps, c.options);
}
function setGrads(ps: T[], gs: (Ref | null)[]): void {
  ps.forEach((p, i) => { p.grad = gs[i] ? fromRef(gs[i] as Ref) : null; });
}

describe('optimizers vs PyTorch', () => {
  for (const c of REF.optim) {
    test(c.name, () => {
      const ps = makeParams(c);
      if (c.layout === 'transpose') expect(ps[0].isContiguous()).toBe(false);
      const opt = makeOptim(c, ps);
      c.grads.forEach((gs, s) => {
        setGrads(ps, gs);
        opt.step();
        ps.forEach((p, i) => {
          try { expectTensor(p, c.expected[s][i], tol(c.dtype)); } catch (e) { throw new Error(`step ${s + 1}, param ${i}: ${(e as Error).message}`); }
        });
      });
      const sd = opt.stateDict();
      // PyTorch's state keys (1.13 keeps momentum_buffer = None for momentum 0; nodetorch omits it, as PyTorch 2.x)
      if (!(c.optim === 'SGD' && !c.options.momentum)) {
        for (const [k, keys] of Object.entries(c.state_keys)) expect(Object.keys(sd.state[k]).sort()).toEqual(keys);
      }
      for (const [k, step] of Object.entries(c.state_steps)) expect((sd.state[k].step as T).item()).toBe(step);
      const ours = Object.keys(sd.param_groups[0]);
      for (const k of c.group_keys) expect(ours).toContain(k);
    });
  }
});

describe('optimizer state dict', () => {
  const byName = (n: string): OptimCase => REF.optim.find((c) => c.name === n) as OptimCase;
  for (const name of ['adam_amsgrad_wd_maximize', 'rmsprop_centered_momentum_wd', 'sgd_groups', 'adagrad_all', 'adamw_f64']) {
    for (const via of ['memory', 'file']) {
      test(`${name}: resume from stateDict (${via})`, () => {
        const c = byName(name);
        const ps = makeParams(c);
        let opt = makeOptim(c, ps);
        const half = Math.floor(c.grads.length / 2);
        for (let s = 0; s < c.grads.length; s++) {
          if (s === half) {
            let sd = opt.stateDict();
            if (via === 'file') {
              const f = path.join(os.tmpdir(), `nt-optim-${process.pid}-${name}.ckpt`);
              torch.save({ optimizer: sd, epoch: s }, f);
              const back = torch.load(f) as { optimizer: typeof sd; epoch: number };
              fs.unlinkSync(f);
              expect(back.epoch).toBe(s);
              sd = back.optimizer;
            }
            opt = makeOptim(c, ps);
            opt.loadStateDict(sd);
          }
          setGrads(ps, c.grads[s]);
          opt.step();
          ps.forEach((p, i) => expectTensor(p, c.expected[s][i], tol(c.dtype)));
        }
      });
    }
  }

  test('structure matches PyTorch (snake_case keys, indices, step as a 0-d float32 tensor)', () => {
    const ref = REF.adam_state_dict;
    const a = fromRef(ref.params[0]).requiresGrad_(true), b = fromRef(ref.params[1]).requiresGrad_(true);
    const adam = new torch.optim.Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.01, amsgrad: true });
    for (let i = 0; i < 2; i++) { a.grad = torch.randn(2, 2); b.grad = torch.randn(3); adam.step(); }
    const sd = adam.stateDict();
    expect(Object.keys(sd.state)).toEqual(Object.keys(ref.state));
    for (const k of Object.keys(ref.state)) {
      expect(Object.keys(sd.state[k]).sort()).toEqual(Object.keys(ref.state[k]).sort());
      const st = sd.state[k].step as T;
      expect(st.dtype).toBe('float32');
      expect(st.shape).toEqual([]);
      expect(st.item()).toBe(2);
    }
    expect(sd.param_groups.map((g) => g.params)).toEqual(ref.param_groups.map((g) => g.params));
    for (const [i, g] of ref.param_groups.entries()) {
      for (const k of ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize']) expect(sd.param_groups[i][k]).toEqual(g[k]);
    }
  });

  test('loads a PyTorch-structured state dict (plain objects, snake_case) and keeps group objects', () => {
    const ref = REF.adam_state_dict;
    const a = fromRef(ref.params[0]).requiresGrad_(true), b = fromRef(ref.params[1]).requiresGrad_(true);
    const adam = new torch.optim.Adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    const g1 = adam.paramGroups[1];
    const conv = (v: unknown): unknown => (v && typeof v === 'object' && 'dtype' in (v as object) ? fromRef(v as Ref) : v);
    const sd = {
      state: Object.fromEntries(Object.entries(ref.state).map(([k, s]) => [k, Object.fromEntries(Object.entries(s).map(([kk, vv]) => [kk, conv(vv)]))])),
      param_groups: ref.param_groups,
    };
    adam.loadStateDict(sd as never);
    expect(adam.paramGroups[1]).toBe(g1);
    expect(g1.lr).toBe(0.5);
    expect(g1.amsgrad).toBe(true);
    expect(g1.weightDecay).toBe(0);
    expect(adam.state.get(b)?.step).toBe(2);
    expect((adam.state.get(b)?.max_exp_avg_sq as T).shape).toEqual([3]);
  });

  test('loadStateDict errors as PyTorch', () => {
    const p = torch.zeros(3, { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    expect(() => opt.loadStateDict({ state: {}, param_groups: [] })).toThrow(/different number of parameter groups/);
    expect(() => opt.loadStateDict({ state: {}, param_groups: [{ lr: 1, params: [0, 1] }] })).toThrow(/doesn't match the size/);
    expect(() => opt.loadStateDict(null as never)).toThrow(torch.TorchError);
  });
});

describe('lr schedulers vs PyTorch', () => {
  for (const c of REF.sched) {
    test(c.name, () => {
      const p = torch.zeros([2], { requiresGrad: true });
      const opt = new O[c.optimizer.type]([p], c.optimizer.options);
      const make = (): InstanceType<(typeof S)[string]> => (c.sched === 'ReduceLROnPlateau' ? new S[c.sched](opt, c.options) : new S[c.sched](opt, ...c.args, c.options));
      let sch = make();
      const lrs: number[] = [], moms: (number | null)[] = [];
      for (let e = 0; e < c.epochs; e++) {
        if (c.resume_at === e) {
          const sd = JSON.parse(JSON.stringify(sch.stateDict()));
          sch = make();
          sch.loadStateDict(sd);
        }
        const g = opt.paramGroups[0];
        lrs.push(g.lr);
        moms.push(g.betas ? (g.betas as number[])[0] : ((g.momentum as number | undefined) ?? null));
        p.grad = torch.ones([2]);
        opt.step();
        if (c.metrics) sch.step(c.metrics[e]);
        else if (c.closed_form) sch.step(e + 1);
        else sch.step();
      }
      lrs.forEach((lr, e) => { if (!close(lr, c.lrs[e])) throw new Error(`epoch ${e}: lr ${lr}, PyTorch ${c.lrs[e]}`); });
      moms.forEach((m, e) => {
        const want = c.momentum[e];
        if (want === null) expect(m === null || m === 0).toBe(true);
        else if (!close(m as number, want)) throw new Error(`epoch ${e}: momentum ${m}, PyTorch ${want}`);
      });
      expect(sch.getLastLr()[0]).toBe(opt.paramGroups[0].lr);
    });
  }

  test('base lrs come from initialLr; resuming without it is an error', () => {
    const p = torch.zeros([2], { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    expect(() => new torch.optim.lrScheduler.StepLR(opt, 2, { lastEpoch: 3 })).toThrow(/initial_lr/);
    const s = new torch.optim.lrScheduler.StepLR(opt, 2);
    expect(opt.paramGroups[0].initialLr).toBe(0.1);
    expect(s.stateDict()).toMatchObject({ step_size: 2, gamma: 0.1, base_lrs: [0.1], last_epoch: 0, _step_count: 1 });
    expect(() => new torch.optim.lrScheduler.ReduceLROnPlateau(opt, { factor: 1.5 })).toThrow(/Factor should be < 1.0/);
    expect(() => new torch.optim.lrScheduler.StepLR({} as never, 2)).toThrow(/is not an Optimizer/);
  });

  test('OneCycleLR refuses to step past totalSteps', () => {
    const p = torch.zeros([2], { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const s = new torch.optim.lrScheduler.OneCycleLR(opt, 1.0, { totalSteps: 3 });
    s.step(); s.step(); s.step();
    expect(() => s.step()).toThrow(/Tried to step 5 times. The specified number of total steps is 3/);
  });
});

describe('Optimizer behaviour', () => {
  test('zeroGrad sets grads to null by default, zeros them with setToNone: false', () => {
    const p = torch.ones([3], { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    p.grad = torch.ones([3]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    p.grad = torch.ones([3]);
    const g = p.grad;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(p.grad!.toTypedArray() as Float32Array)).toEqual([0, 0, 0]);
  });

  test('a real training loop decreases the loss (backward + step, under tidy)', () => {
    torch.manualSeed(0);
    const w = torch.randn([4], { requiresGrad: true });
    const x = torch.randn([32, 4]);
    const y = x.mul(torch.tensor([1.5, -2.0, 0.5, 3.0])).sum(1);
    const opt = new torch.optim.Adam([w], { lr: 0.1 });
    const pred = (): T => x.mul(w).sum(1);
    const lossAt = (): number => torch.tidy(() => Number(pred().sub(y).square().mean().item()));
    const first = lossAt();
    for (let i = 0; i < 100; i++) {
      torch.tidy(() => {
        opt.zeroGrad();
        pred().sub(y).square().mean().backward();
        opt.step();
      });
    }
    expect(lossAt()).toBeLessThan(first * 1e-3);
    const st = opt.state.get(w)!;
    expect((st.exp_avg as T).isDisposed).toBe(false);
  });

  test('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
    const w = torch.tensor([2], { dtype: 'float32', requiresGrad: true });
    const opt = new torch.optim.SGD([w], { lr: 0.25 });
    const loss = torch.noGrad(() => opt.step(() => { opt.zeroGrad(); const l = w.square().sum(); l.backward(); return l; })) as T;
    expect(loss.item()).toBe(4);
    expect(w.item()).toBe(1); // 2 - 0.25 * 4
  });

  test('float16 and bfloat16 parameters step through float32 working copies', () => {
    for (const dt of ['float16', 'bfloat16'] as const) {
      const p = torch.tensor([1.0, -2.0, 0.5], { dtype: dt }).requiresGrad_(true);
      const ref = torch.tensor([1.0, -2.0, 0.5]).requiresGrad_(true);
      const o1 = new torch.optim.Adam([p], { lr: 0.1 }), o2 = new torch.optim.Adam([ref], { lr: 0.1 });
      for (let i = 0; i < 3; i++) {
        p.grad = torch.tensor([0.5, -1.0, 2.0], { dtype: dt }); ref.grad = torch.tensor([0.5, -1.0, 2.0]);
        o1.step(); o2.step();
      }
      expect(p.dtype).toBe(dt);
      expect((o1.state.get(p)!.exp_avg as T).dtype).toBe(dt);
      const a = p.toTypedArray() as Float32Array, b = ref.toTypedArray() as Float32Array;
      for (let i = 0; i < 3; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(2e-2);
    }
  });

  test('argument errors', () => {
    const p = torch.zeros([2], { requiresGrad: true });
    expect(() => new torch.optim.SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    expect(() => new torch.optim.SGD(p as never, { lr: 0.1 })).toThrow(/iterable of Tensors/);
    expect(() => new torch.optim.SGD([p], { lr: -1 })).toThrow(/Invalid learning rate: -1/);
    expect(() => new torch.optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum and zero dampening/);
    expect(() => new torch.optim.Adam([p], { betas: [1.0, 0.9] })).toThrow(/Invalid beta parameter at index 0/);
    expect(() => new torch.optim.SGD([p.mul(2)], { lr: 0.1 })).toThrow(/can't optimize a non-leaf Tensor/);
    expect(() => new torch.optim.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 })).toThrow(/more than one parameter group/);
    expect(() => new torch.optim.SGD([p], { lr: 0.1, momentun: 0.9 } as never)).toThrow(/unexpected option 'momentun'/);
    expect(() => new torch.optim.SGD([1, 2] as never, { lr: 0.1 })).toThrow(/can only optimize Tensors/);
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    p.grad = torch.zeros([3]).narrow(0, 0, 2);
    expect(() => opt.step()).not.toThrow();
  });

  test('addParamGroup fills defaults; toString is PyTorch-like', () => {
    const a = torch.zeros([2], { requiresGrad: true }), b = torch.zeros([2], { requiresGrad: true });
    const opt = new torch.optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false });
    expect(String(opt)).toContain('Parameter Group 1\n    dampening: 0\n    differentiable: False');
  });
});
