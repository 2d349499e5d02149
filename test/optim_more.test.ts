// optim_more.test.ts - Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop against PyTorch 1.13's parameter trajectories
// (test/ref/gen_optim_more.py: recorded gradients each step, float32 and float64), their state under PyTorch's keys,
// state-dict round trips and the constructors' errors.
import * as fs from 'fs';
import * as path from 'path';
import * as torch from '../lib';

type Enc = { dtype: string; shape: number[]; data: number[] };
const REF = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref/optim_more.json'), 'utf8'));
const mk = (e: Enc): torch.Tensor => torch.tensor(e.data, { dtype: e.dtype as 'float32' }).reshape(e.shape);
const CLASSES = torch.optim as unknown as Record<string, new (p: unknown, o: unknown) => torch.optim.Optimizer>;
function close(t: torch.Tensor, e: Enc, tol: number): void {
  expect(t.shape).toEqual(e.shape);
  const got = Array.from(t.toTypedArray() as Float32Array);
  got.forEach((v, i) => expect(Math.abs(v - e.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(e.data[i]))));
}

describe('optimizers vs PyTorch 1.13', () => {
  for (const c of REF.cases) {
    it(c.name, () => {
      const ps = (c.init as Enc[]).map((e) => new torch.nn.Parameter(mk(e)));
      const opt = new CLASSES[c.cls](ps, c.opts);
      const tol = c.init[0].dtype === 'float64' ? 1e-12 : 2e-6;
      (c.grads as Enc[][]).forEach((gs, k) => {
        ps.forEach((p, i) => { p.grad = mk(gs[i]); });
        opt.step();
        ps.forEach((p, i) => close(p, c.traj[k][i], tol));
      });
      const sd = opt.stateDict();
      for (const [i, st] of Object.entries(c.state as Record<string, Record<string, Enc | number>>)) {
        for (const [k, v] of Object.entries(st)) {
          const got = sd.state[Number(i)][k];
          if (typeof v === 'number') expect(Number(got instanceof torch.Tensor ? got.item() : got)).toBeCloseTo(v, 10);
          else close(got as torch.Tensor, v, tol);
        }
      }
    });
  }
});

describe('optimizers: state dicts and errors', () => {
  const param = (): torch.nn.Parameter => new torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0], { dtype: 'float32' }));
  it('a state dict resumes the trajectory', () => {
    for (const name of ['Adadelta', 'Adamax', 'NAdam', 'RAdam', 'ASGD', 'Rprop']) {
      const a = param(), b = param();
      const oa = new CLASSES[name]([a], {}), grads = [[0.5, -1, 2], [0.1, 0.3, -0.2], [-0.4, 0.2, 0.1], [0.3, -0.3, 0.05]];
      a.grad = torch.tensor(grads[0], { dtype: 'float32' }); oa.step();
      a.grad = torch.tensor(grads[1], { dtype: 'float32' }); oa.step();
      torch.noGrad(() => b.copy_(a));
      const ob = new CLASSES[name]([b], {});
      ob.loadStateDict(oa.stateDict());
      for (const g of grads.slice(2)) {
        a.grad = torch.tensor(g, { dtype: 'float32' }); b.grad = torch.tensor(g, { dtype: 'float32' });
        oa.step(); ob.step();
        expect(Array.from(b.toTypedArray() as Float32Array)).toEqual(Array.from(a.toTypedArray() as Float32Array));
      }
    }
  });
  it('refuses bad hyper-parameters with PyTorch messages', () => {
    expect(() => new torch.optim.Adadelta([param()], { rho: 1.5 })).toThrow('Invalid rho value: 1.5');
    expect(() => new torch.optim.Adamax([param()], { betas: [1.0, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new torch.optim.NAdam([param()], { momentumDecay: -1 })).toThrow('Invalid momentum_decay value: -1');
    expect(() => new torch.optim.RAdam([param()], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new torch.optim.ASGD([param()], { weightDecay: -0.1 })).toThrow('Invalid weight_decay value: -0.1');
    expect(() => new torch.optim.Rprop([param()], { etas: [1.5, 1.2] })).toThrow('Invalid eta values: 1.5, 1.2');
    expect(() => new torch.optim.Rprop([param()], { eta: [0.5, 1.2] } as never)).toThrow(/unexpected option 'eta'/);
  });
  it('train a small regression', () => {
    torch.manualSeed(0);
    const x = torch.randn([64, 3]), y = x.matmul(torch.tensor([[1.0], [-2.0], [0.5]])).add(0.3);
    for (const name of ['Adadelta', 'Adamax', 'NAdam', 'RAdam', 'ASGD', 'Rprop']) {
      const m = new torch.nn.Linear(3, 1);
      const opt = new CLASSES[name](m.parameters(), { lr: name === 'Adadelta' ? 1 : name === 'ASGD' ? 0.05 : 0.02 });
      const loss = (): torch.Tensor => torch.nn.functional.mseLoss(m.call(x), y);
      const first = loss().item();
      for (let i = 0; i < 150; i++) { opt.zeroGrad(); const l = loss(); l.backward(); opt.step(); }
      expect(loss().item()).toBeLessThan(first * 0.5);
    }
  });
});
