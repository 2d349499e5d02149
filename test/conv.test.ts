// conv.test.ts - F.conv2d on the CPU (the native conv2d kernel of native/cpu/conv.cc) against PyTorch 1.13 values
// recorded by test/ref/gen_conv.py: forward and input/weight/bias gradients for odd sizes, stride 2, padding, the 7x7
// stride-2 stem, 1x1 with and without stride, groups, dilation, rectangular kernels, batch 1 and larger channel counts;
// each on contiguous input, on a channels-last (non-contiguous) view of it, and with 1 thread and with 2.
import * as torch from '../lib/index';
import { expectTensor, Ref } from './helpers';

const F = torch.nn.functional;
type T = torch.Tensor;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line @typescript-eslint/no-var-requires
const REF = require('./ref/conv.json') as Any;

const mk = (r: Ref): T => torch.tensor(r.data as number[], { dtype: r.dtype as torch.DType }).reshape(r.shape);
const tol = (dt: string) => (dt === 'float64' ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-4, atol: 1e-4 });

describe('conv2d vs PyTorch', () => {
  const threads0 = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(threads0));
  for (const c of REF.cases as Any[]) {
    for (const layout of ['contiguous', 'channels-last view']) {
      for (const threads of [1, 2]) {
        test(`${c.name} (${c.x.dtype}, ${layout}, ${threads} thread${threads > 1 ? 's' : ''})`, () => {
          torch.setNumThreads(threads);
          let x0 = mk(c.x);
          if (layout !== 'contiguous') x0 = x0.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]);
          const x = x0.detach().requiresGrad_(true), w = mk(c.w).requiresGrad_(true);
          const b = c.b ? mk(c.b).requiresGrad_(true) : null;
          const y = F.conv2d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
          expect(y.gradFn!.name).toBe('ConvolutionBackward0');
          const t = tol(c.x.dtype);
          expectTensor(y, c.y, t);
          y.backward(mk(c.gout));
          expectTensor(x.grad!, c.gx, t);
          expectTensor(w.grad!, c.gw, t);
          if (b) expectTensor(b.grad!, c.gb, t);
        });
      }
    }
  }

  test('forward without grad agrees with the unfold + matmul definition (3x3 s2 p1 and 1x1, batch 5)', () => {
    torch.manualSeed(3);
    for (const [k, s, p] of [[3, 2, 1], [1, 1, 0]]) {
      const x = torch.randn([5, 7, 9, 10]), w = torch.randn([11, 7, k, k]), b = torch.randn([11]);
      const y = torch.noGrad(() => F.conv2d(x, w, b, { stride: s, padding: p }));
      const OH = y.shape[2], OW = y.shape[3];
      const cols = F.unfold(x, k, { stride: s, padding: p }); // [N, C*k*k, L]
      const ref = w.reshape([11, -1]).matmul(cols).add(b.reshape([1, 11, 1])).reshape([5, 11, OH, OW]);
      expect(y.sub(ref).abs().max().item()).toBeLessThan(1e-4);
    }
  });

  test('bad input is a TorchError naming the shapes', () => {
    expect(() => F.conv2d(torch.randn([2, 3, 5, 5]), torch.randn([4, 2, 3, 3]))).toThrow(/expected input\[2, 3, 5, 5\] to have 2 channels/);
    expect(() => F.conv2d(torch.randn([1, 2, 2, 2]), torch.randn([4, 2, 3, 3]))).toThrow(/Kernel size can't be greater than actual input size/);
  });
});
