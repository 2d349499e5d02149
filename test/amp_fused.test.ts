// amp_fused.test.ts - GradScaler with fused optimizers (PyTorch's `_step_supports_amp_scaling`): scaler.step(opt)
// hands the scale and found_inf to the fused Adam/AdamW/SGD step, whose kernel divides the gradients by the scale and
// skips the update where found_inf is set, with no unscale pass and no host read before the step. Trajectories
// (scale, growth tracker, skipped steps with injected infs, parameters, unscaled gradients, step counts) against
// PyTorch 1.13's GradScaler driving the fused kernel's algorithm (test/ref/gen_amp_fused.py), bit-equal to the
// unfused path where the scale is a power of two; on CUDA (or under the CUDA emulator,
// NODETORCH_ADDON=build-emu/Release/nodetorch.node) the device kernel gives the same trajectories.
import * as torch from '../lib/index';
import { native } from '../lib/native';
import { OP } from '../lib/ops/ids';
import { expectTensor, Ref } from './helpers';

type T = torch.Tensor;
interface Case {
  name: string; optim: 'Adam' | 'AdamW' | 'SGD'; options: Record<string, unknown>; scaler: Record<string, number>; clip: number | null;
  init: Ref[]; xs: Ref[][]; scales: number[]; trackers: number[]; skipped: boolean[]; params: Ref[][]; steps: (number | null)[][];
  grads: (Ref | null)[][];
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/amp_fused.json') as { torch: string; cases: Case[] };

const dec = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const fromRef = (r: Ref, device = 'cpu'): T => torch.tensor(r.data.map(dec), { dtype: r.dtype as torch.DType, device }).reshape(r.shape);
const TOL = { rtol: 2e-6, atol: 1e-7 };

function makeOpt(c: Case, ws: T[], fused: boolean): torch.optim.Optimizer {
  const o = { ...c.options, ...(fused ? { fused: true } : { foreach: false }) };
  if (c.optim === 'SGD') return new torch.optim.SGD(ws, o);
  if (c.optim === 'Adam') return new torch.optim.Adam(ws, o);
  return new torch.optim.AdamW(ws, o);
}

interface Run { params: number[][][]; scales: number[]; skipped: boolean[] }
// one case's training loop (the generator's), checking each step against PyTorch when `check` is set
function run(c: Case, fused: boolean, device: string, check: boolean): Run {
  const ws = c.init.map((r) => fromRef(r, device).requiresGrad_(true));
  const opt = makeOpt(c, ws, fused);
  expect(opt._stepSupportsAmpScaling).toBe(fused);
  const sc = new torch.amp.GradScaler(device as 'cpu' | 'cuda', c.scaler);
  const out: Run = { params: [], scales: [], skipped: [] };
  c.xs.forEach((xr, s) => {
    const x = xr.map((r) => fromRef(r, device));
    opt.zeroGrad();
    let loss = ws[0].mul(x[0]).sum().add(ws[1].mul(x[1]).mul(x[1]).sum());
    if (s !== 1) loss = loss.add(ws[2].tanh().mul(x[2]).sum());
    sc.scale(loss).backward();
    const before = ws.map((w) => w.detach().clone());
    if (c.clip !== null) {
      sc.unscale_(opt);
      torch.nn.utils.clipGradNorm_(ws, c.clip);
    }
    sc.step(opt);
    if (check) {
      c.grads[s].forEach((g, i) => {
        // the gradients the step leaves: unscaled by the kernel (stored back), or scaled still where it was skipped
        if (g === null) expect(ws[i].grad).toBeNull();
        else if (!c.skipped[s]) expectTensor((ws[i].grad as T).cpu(), g, TOL);
      });
    }
    sc.update();
    const skipped = before.every((b, i) => torch.equal(b, ws[i].detach()));
    out.scales.push(sc.getScale());
    out.skipped.push(skipped);
    out.params.push(ws.map((w) => w.detach().cpu().reshape([-1]).tolist() as number[]));
    if (check) {
      expect(sc.getScale()).toBe(c.scales[s]);
      expect(sc.getGrowthTracker()).toBe(c.trackers[s]);
      expect(skipped).toBe(c.skipped[s]);
      ws.forEach((w, i) => expectTensor(w.detach().cpu(), c.params[s][i], TOL));
      // step counts: a skipped step leaves them (and lazily created state) as they were
      ws.forEach((w, i) => {
        const st = opt.state.get(w);
        const step = st === undefined || st.step === undefined ? null : Number(st.step);
        expect(step).toBe(c.steps[s][i]);
      });
    }
  });
  return out;
}

const bitsEqual = (a: number[][][], b: number[][][]): void => a.forEach((step, s) => step.forEach((p, i) => p.forEach((v, j) => {
  if (!Object.is(v, b[s][i][j])) throw new Error(`step ${s}, param ${i}, element ${j}: ${v} != ${b[s][i][j]}`);
})));
const powerOfTwo = (c: Case): boolean => c.scales.every((v) => Number.isInteger(Math.log2(v))) && Number.isInteger(Math.log2(c.scaler.initScale));

describe('GradScaler + fused optimizers on the CPU against PyTorch 1.13', () => {
  test('the fixture has skipped steps, unscale_ before the step, and Adam, AdamW and SGD', () => {
    expect(new Set(REF.cases.map((c) => c.optim))).toEqual(new Set(['Adam', 'AdamW', 'SGD']));
    expect(REF.cases.every((c) => c.skipped.some((x) => x))).toBe(true);
    expect(REF.cases.some((c) => c.clip !== null)).toBe(true);
  });
  for (const c of REF.cases) {
    test(`${c.name}: scale, tracker, skipped steps, parameters, gradients and step counts as PyTorch; the unfused path ${powerOfTwo(c) ? 'bit for bit' : 'within rounding'}`, () => {
      const f = run(c, true, 'cpu', true);
      const u = run(c, false, 'cpu', true);
      expect(f.scales).toEqual(u.scales);
      expect(f.skipped).toEqual(u.skipped);
      // the fused kernel divides by the scale (PyTorch's grad /= grad_scale), unscale_ multiplies by its float
      // reciprocal: the same bits when the scale is a power of two
      if (powerOfTwo(c)) bitsEqual(f.params, u.params);
    });
  }
});

describe('the fused step under GradScaler: one check pass, no unscale pass, no host read before the step', () => {
  function setup(fused: boolean): { ws: T[]; opt: torch.optim.Optimizer; sc: torch.amp.GradScaler } {
    torch.manualSeed(4);
    const ws = [torch.randn([5]).requiresGrad_(true), torch.randn([2, 3]).requiresGrad_(true)];
    const opt = new torch.optim.AdamW(ws, { lr: 0.01, fused });
    const sc = new torch.amp.GradScaler('cpu', { initScale: 1024 });
    return { ws, opt, sc };
  }
  test('scaler.step: amp_unscale with inv_scale 1 (check only), one optim_step_multi call carrying found_inf, no item()', () => {
    const { ws, opt, sc } = setup(true);
    sc.scale(ws[0].sum().add(ws[1].pow(2).sum())).backward();
    const scaled = ws.map((w) => (w.grad as T).clone());
    const runSpy = jest.spyOn(native, 'run'), listSpy = jest.spyOn(native, 'runList');
    const itemSpy = jest.spyOn(torch.Tensor.prototype, 'item');
    try {
      sc.step(opt);
      const unscaleCalls = runSpy.mock.calls.filter((x) => x[0] === OP.amp_unscale);
      expect(unscaleCalls.length).toBe(1);
      expect(runSpy.mock.calls.filter((x) => x[0] === OP.optim_step).length).toBe(0);
      const multi = listSpy.mock.calls.filter((x) => x[0] === OP.optim_step_multi);
      expect(multi.length).toBe(1);
      expect(multi[0].length - 3).toBe(2 * 4 + 1); // [param, grad, exp_avg, exp_avg_sq] x 2, then found_inf
      expect(itemSpy).not.toHaveBeenCalled();
      // the kernel stored the unscaled gradients back
      ws.forEach((w, i) => expect((w.grad as T).tolist()).toEqual(scaled[i].div(1024).tolist()));
      sc.update();
      expect(itemSpy).toHaveBeenCalledTimes(1); // update(): the one read of found_inf
    } finally { runSpy.mockRestore(); listSpy.mockRestore(); itemSpy.mockRestore(); }
  });
  test('an inf gradient: nothing written (parameters, states, gradients), the step count and new state undone at update()', () => {
    const { ws, opt, sc } = setup(true);
    sc.scale(ws[0].sum().add(ws[1].pow(2).sum())).backward();
    sc.step(opt);
    sc.update();
    const p0 = ws.map((w) => w.detach().clone());
    const m0 = (opt.state.get(ws[0])?.exp_avg as T).clone();
    opt.zeroGrad();
    sc.scale(ws[0].sum().add(ws[1].pow(2).sum())).backward();
    (ws[1].grad as T).view([-1]).select(0, 4).fill_(Infinity);
    const g1 = (ws[0].grad as T).clone();
    sc.step(opt);
    expect(opt.state.get(ws[0])?.step).toBe(2); // provisional until found_inf is read
    sc.update();
    expect(sc.getScale()).toBe(512);
    expect(opt.state.get(ws[0])?.step).toBe(1);
    expect(opt.state.get(ws[1])?.step).toBe(1);
    ws.forEach((w, i) => expect(torch.equal(w.detach(), p0[i])).toBe(true));
    expect(torch.equal(opt.state.get(ws[0])?.exp_avg as T, m0)).toBe(true);
    expect(torch.equal(ws[0].grad as T, g1)).toBe(true);
    // a fresh parameter group whose first step is skipped has no state afterwards (as the unfused path)
    const q = torch.randn([3]).requiresGrad_(true);
    opt.addParamGroup({ params: [q] });
    opt.zeroGrad();
    sc.scale(q.mul(Infinity).sum().add(ws[0].sum())).backward();
    sc.step(opt);
    sc.update();
    expect(opt.state.get(q)).toBeUndefined();
    expect(opt.state.get(ws[0])?.step).toBe(1);
  });
  test('without update(): the next step settles the previous one (reads found_inf then)', () => {
    const { ws, opt, sc } = setup(true);
    sc.scale(ws[0].sum().mul(Infinity)).backward();
    sc.step(opt);
    ws.forEach((w) => { w.grad = torch.onesLike(w); });
    opt.step(); // plain step, no scaler
    expect(opt.state.get(ws[0])?.step).toBe(1);
  });
  test('optimizers that are not fused in every group take the unscale-then-step path', () => {
    const { ws, sc } = setup(false);
    const opt = new torch.optim.Adam([{ params: [ws[0]], fused: true }, { params: [ws[1]] }], { lr: 0.1 });
    expect(opt._stepSupportsAmpScaling).toBe(false);
    sc.scale(ws[0].sum().add(ws[1].sum())).backward();
    const listSpy = jest.spyOn(native, 'runList');
    try {
      sc.step(opt);
      expect(listSpy.mock.calls.filter((x) => x[0] === OP.optim_step_multi).length).toBe(1); // the fused group
    } finally { listSpy.mockRestore(); }
    sc.update();
    expect(opt.state.get(ws[0])?.step).toBe(1);
    expect(opt.state.get(ws[1])?.step).toBe(1);
  });
  test('bfloat16 and float16 parameters: fused under GradScaler equals the unfused path (bfloat16); float16 gradients are taken (unscale_ refuses them)', () => {
    const go = (dtype: torch.DType, fused: boolean): T[] => {
      torch.manualSeed(21);
      const ws = [torch.randn([40]).to(dtype).requiresGrad_(true), torch.randn([7, 3]).to(dtype).requiresGrad_(true)];
      const opt = new torch.optim.Adam(ws, { lr: 0.01, fused });
      const sc = new torch.amp.GradScaler('cpu', { initScale: 256, growthInterval: 2 });
      for (let s = 0; s < 6; s++) {
        opt.zeroGrad();
        torch.manualSeed(100 + s);
        const x = [torch.randn([40]).to(dtype), torch.randn([7, 3]).to(dtype)];
        if (s === 3) x[1].view([-1]).select(0, 2).fill_(NaN);
        sc.scale(ws[0].mul(x[0]).sum().add(ws[1].mul(x[1]).sum()).to('float32')).backward();
        sc.step(opt);
        sc.update();
      }
      expect(sc.getScale()).toBe(512); // 256, grown after steps 0-1, backed off at the NaN of step 3, grown after 4-5
      return ws.map((w) => w.detach());
    };
    const a = go('bfloat16', true), b = go('bfloat16', false);
    a.forEach((t, i) => expect(t.tolist()).toEqual(b[i].tolist()));
    const h = go('float16', true); // unscale_ refuses float16 gradients; the fused kernel takes them
    h.forEach((t, i) => {
      expect(t.isfinite().all().item()).toBe(true);
      // float16 and bfloat16 runs of the same steps agree to bfloat16 precision
      expect(t.to('float32').sub(a[i].to('float32')).abs().max().item() as number).toBeLessThan(0.05);
    });
  });
});

const hasCuda = torch.cuda.isAvailable();
if (!hasCuda) {
  // eslint-disable-next-line no-console
  console.warn('amp_fused.test.ts: SKIPPED the CUDA fused-step tests: no CUDA device (run under the CUDA emulator: NODETORCH_ADDON=$PWD/build-emu/Release/nodetorch.node)');
}
const cudaTest = hasCuda ? test : test.skip;
describe('GradScaler + fused optimizers on CUDA', () => {
  for (const c of REF.cases) {
    cudaTest(`${c.name}: the device kernel follows PyTorch and gives the CPU's bits`, () => {
      const d = run(c, true, 'cuda', true);
      const h = run(c, true, 'cpu', false);
      expect(d.scales).toEqual(h.scales);
      bitsEqual(d.params, h.params);
    });
  }
});
