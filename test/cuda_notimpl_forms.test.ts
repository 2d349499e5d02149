// cuda_notimpl_forms.test.ts - round(decimals=), the Scalar-self forms and module backward hooks on a CUDA device
// give the CPU's results (run under the CUDA emulator: NODETORCH_ADDON=build-emu/Release/nodetorch.node; skipped
// without a CUDA build).
import * as torch from '../lib';
import { nn } from '../lib';

const cuda = torch.cuda.isAvailable();
const near = (a: number, b: number): void => { if (Number.isNaN(b)) expect(a).toBeNaN(); else expect(a).toBeCloseTo(b, 5); };
const maybe = cuda ? test : test.skip;

describe('CUDA: the forms of test/notimpl_forms.test.ts and backward hooks agree with the CPU', () => {
  maybe('round(decimals=) in float32/float64/bfloat16 (float16: CUDA only, in the math type)', () => {
    const v = [1.2345, -2.5, 0.125, 2.675, 1234.5, -0.05, 15.0, 25.0, 0.5, 1.5, -0.125, 2.5e-3];
    for (const dt of ['float32', 'float64'] as const) {
      for (const d of [2, 1, -1]) {
        const c = torch.tensor(v, { dtype: dt });
        expect(torch.round(c.cuda(), { decimals: d }).cpu().tolist()).toEqual(torch.round(c, { decimals: d }).tolist());
      }
    }
    const h = torch.round(torch.tensor(v, { dtype: 'float16', device: 'cuda' }), { decimals: 1 });
    expect(h.dtype).toBe('float16');
    // float16 in float32 math: the float32 result rounded once to float16
    const ref = torch.round(torch.tensor(v, { dtype: 'float16' }).float(), { decimals: 1 }).half();
    expect(h.cpu().tolist()).toEqual(ref.tolist());
    expect(() => torch.round(torch.tensor([1, 2], { device: 'cuda' }), { decimals: 1 })).toThrow(/"round_cuda" not implemented for 'Long'/);
  });
  maybe('pow(2, x), xlogy(2, x), add(2, x) and their gradients', () => {
    const xc = torch.tensor([1.5, -2, 0.5, 0], { dtype: 'float32', device: 'cuda', requiresGrad: true });
    const x = torch.tensor([1.5, -2, 0.5, 0], { dtype: 'float32', requiresGrad: true });
    for (const f of [(t: torch.Tensor) => torch.pow(2, t), (t: torch.Tensor) => torch.xlogy(2, t).nanToNum(), (t: torch.Tensor) => torch.sub(2, t, { alpha: 3 })]) {
      xc.grad = null; x.grad = null;
      const yc = f(xc), y = f(x);
      expect(yc.gradFn?.name).toBe(y.gradFn?.name);
      yc.sum().backward(); y.sum().backward();
      const a = yc.cpu().tolist() as number[], b = y.tolist() as number[];
      a.forEach((e, i) => near(e, b[i]));
      (xc.grad!.cpu().tolist() as number[]).forEach((e, i) => near(e, (x.grad!.tolist() as number[])[i]));
    }
  });
  maybe('registerFullBackwardHook on a CUDA Linear: gradInput and gradOutput as on the CPU', () => {
    const seen: string[] = [];
    const run = (dev: 'cpu' | 'cuda'): number[][] => {
      torch.manualSeed(0);
      const m = new nn.Linear(3, 2).to(dev);
      m.registerFullBackwardHook((_m, gi, go) => { seen.push(dev); return [(gi[0] as torch.Tensor).mul(2)]; void go; });
      const x = torch.tensor([[1, -2, 0.5], [0.25, 1.5, -1]], { dtype: 'float32', device: dev, requiresGrad: true });
      m.call(x).sum().backward();
      return x.grad!.cpu().tolist() as number[][];
    };
    const c = run('cuda'), p = run('cpu');
    expect(seen).toEqual(['cuda', 'cpu']);
    c.flat().forEach((e, i) => near(e, p.flat()[i]));
  });
});
