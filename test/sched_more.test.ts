// sched_more.test.ts - LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR,
// SequentialLR and ChainedScheduler: the learning-rate (and momentum) trajectories of PyTorch 1.13 (test/ref/
// gen_sched_more.py), state dicts and the constructors' errors.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

const L = torch.optim.lrScheduler;
type Sched = torch.optim.lrScheduler.LRScheduler;
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/sched_more.json'), 'utf8'));
const LAMBDAS: Record<string, (e: number) => number> = {
  pow95: (e) => 0.95 ** e, inv: (e) => 1.0 / (e + 1), c09: () => 0.9, step3: (e) => 0.5 ** Math.floor(e / 3),
};
type Spec = [string, unknown[], Record<string, unknown>];
const CLASSES = L as unknown as Record<string, new (...a: unknown[]) => Sched>;

function build(o: torch.optim.Optimizer, [name, args, opts]: Spec): Sched {
  const a = args.map((x, i) => {
    if ((name === 'LambdaLR' || name === 'MultiplicativeLR') && i === 0) return Array.isArray(x) ? (x as string[]).map((k) => LAMBDAS[k]) : LAMBDAS[x as string];
    if ((name === 'SequentialLR' || name === 'ChainedScheduler') && i === 0) return (x as Spec[]).map((s) => build(o, s));
    return x;
  });
  const Cls = CLASSES[name];
  return name === 'ChainedScheduler' ? new Cls(...a) : new Cls(o, ...a, opts);
}
function makeOpt(spec: { kind: string; lrs: number[]; opts: Record<string, unknown> }): torch.optim.Optimizer {
  const groups = spec.lrs.map((lr) => ({ params: [new torch.nn.Parameter(torch.zeros([1]))], lr }));
  return spec.kind === 'SGD' ? new torch.optim.SGD(groups, spec.opts) : new torch.optim.Adam(groups, spec.opts);
}
const rec = (o: torch.optim.Optimizer): { lr: number[]; momentum: (number | null)[] } => ({
  lr: o.paramGroups.map((g) => g.lr),
  momentum: o.paramGroups.map((g) => (g.betas ? (g.betas as number[])[0] : (g.momentum as number | undefined) ?? null)),
});

describe('schedulers: trajectories vs PyTorch 1.13', () => {
  for (const c of REF.cases) {
    it(c.name, () => {
      const o = makeOpt(c.optimizer);
      const s = build(o, c.spec);
      const got = [rec(o)];
      for (let i = 0; i < c.steps; i++) {
        o.step();
        if (c.epochs) s.step(c.epochs[i]); else s.step();
        got.push(rec(o));
      }
      got.forEach((g, k) => {
        g.lr.forEach((v, j) => expect(v).toBeCloseTo(c.traj[k].lr[j], 12));
        g.momentum.forEach((v, j) => { if (c.traj[k].momentum[j] !== null) expect(v).toBeCloseTo(c.traj[k].momentum[j], 12); });
      });
      s.getLastLr().forEach((v, j) => expect(v).toBeCloseTo(c.last_lr[j], 12));
    });
  }
});

describe('schedulers: state dicts and errors', () => {
  const sgd = (lr = 0.1, opts: Record<string, unknown> = {}): torch.optim.SGD => new torch.optim.SGD([new torch.nn.Parameter(torch.zeros([1]))], { lr, ...opts });
  it('a state dict resumes the schedule', () => {
    const o1 = sgd(), s1 = new L.CosineAnnealingWarmRestarts(o1, 3, { tMult: 2 });
    for (let i = 0; i < 4; i++) s1.step();
    const o2 = sgd(), s2 = new L.CosineAnnealingWarmRestarts(o2, 3, { tMult: 2 });
    s2.loadStateDict(s1.stateDict());
    o2.loadStateDict(o1.stateDict());
    for (let i = 0; i < 5; i++) { s1.step(); s2.step(); expect(o2.paramGroups[0].lr).toBeCloseTo(o1.paramGroups[0].lr, 14); }
    expect(Object.keys(s1.stateDict())).toEqual(expect.arrayContaining(['T_0', 'T_i', 'T_mult', 'eta_min', 'T_cur', 'base_lrs', 'last_epoch']));
    const lam = new L.LambdaLR(sgd(), (e) => e);
    expect(lam.stateDict().lr_lambdas).toEqual([null]);
    const seq = new L.SequentialLR(o1, [new L.ConstantLR(o1), new L.ExponentialLR(o1, 0.9)], [2]);
    expect((seq.stateDict()._schedulers as unknown[]).length).toBe(2);
  });
  it('refuses bad arguments with PyTorch messages', () => {
    const o = sgd();
    expect(() => new L.LambdaLR(o, [(e: number) => e, (e: number) => e])).toThrow('Expected 1 lr_lambdas, but got 2');
    expect(() => new L.ConstantLR(o, { factor: 2 })).toThrow('Constant multiplicative factor expected to be between 0 and 1.');
    expect(() => new L.CosineAnnealingWarmRestarts(o, 0)).toThrow('Expected positive integer T_0, but got 0');
    expect(() => new L.CosineAnnealingWarmRestarts(o, 2, { tMult: 0.5 })).toThrow('Expected integer T_mult >= 1, but got 0.5');
    expect(() => new L.CosineAnnealingWarmRestarts(o, 2).step(-1)).toThrow('Expected non-negative epoch, but got -1');
    expect(() => new L.CyclicLR(o, 0.01, 0.1, { mode: 'tri' as never })).toThrow('mode is invalid and scale_fn is None');
    expect(() => new L.CyclicLR(new torch.optim.Adagrad([new torch.nn.Parameter(torch.zeros([1]))]), 0.01, 0.1)).toThrow(/cycle_momentum/);
    expect(() => new L.SequentialLR(o, [new L.ConstantLR(o)], [1])).toThrow(/one more than the number of milestone points/);
    expect(() => new L.SequentialLR(o, [new L.ConstantLR(o), new L.ConstantLR(sgd())], [1])).toThrow(/index 1 to be different/);
    expect(() => new L.ChainedScheduler([new L.ConstantLR(o), new L.ConstantLR(sgd())])).toThrow(/index 0 and 1 to be different/);
    expect(() => new L.PolynomialLR(o, { totalItres: 3 } as never)).toThrow(/unexpected option 'totalItres'/);
  });
  it('CyclicLR cycles Adam\'s beta1 (PyTorch 2.x)', () => {
    const o = new torch.optim.Adam([new torch.nn.Parameter(torch.zeros([1]))], { lr: 0.1 });
    const s = new L.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 2 });
    expect((o.paramGroups[0].betas as number[])[0]).toBeCloseTo(0.9, 12);
    o.step(); s.step();
    expect((o.paramGroups[0].betas as number[])[0]).toBeCloseTo(0.85, 12);
    expect(o.paramGroups[0].lr).toBeCloseTo(0.055, 12);
  });
});
