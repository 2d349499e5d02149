// conv_direct.test.ts - the direct float32 convolution of native/cpu/conv_direct.cc (forward, input and weight
// gradients) against the float64 im2col + GEMM path on the same values, over strides 1-3, padding, dilation, 1x1,
// 7x7, channel counts that do not fill a block, 1 and 2 threads; and the AVX2 and portable micro-kernels in child
// processes (NODETORCH_CPU_ISA, over dist/) so that an AVX-512 machine checks the code an AVX2-only host runs.
// PyTorch agreement itself is test/conv.test.ts's (fixtures from test/ref/gen_conv.py).
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as torch from '../lib/index';

type T = torch.Tensor;

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { CASES, run } = require('./conv_direct_cases.js') as { CASES: unknown[][]; run: (t: unknown) => Record<string, number[]> };
const TOL = 1e-5; // float32 inputs and sums of up to ~600 products, relative to the result's largest magnitude
const PARTS = ['forward', 'input grad', 'weight grad', 'bias grad'];

function check(errors: Record<string, number[]>): void {
  expect(Object.keys(errors).length).toBe(CASES.length);
  for (const [name, errs] of Object.entries(errors)) {
    errs.forEach((e, i) => {
      if (!(e <= TOL)) throw new Error(`${name}: ${PARTS[i]} relative error ${e} > ${TOL}`);
    });
  }
}

describe('direct float32 convolution vs the float64 path', () => {
  const threads0 = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(threads0));
  for (const threads of [1, 2]) {
    test(`every case, ${threads} thread${threads > 1 ? 's' : ''} (${torch.config().simd})`, () => {
      torch.setNumThreads(threads);
      check(run(torch));
    });
  }

  test('inference reuses a Parameter\'s packed weights only while it is unchanged', () => {
    torch.manualSeed(3);
    const x = torch.randn([2, 8, 7, 7]);
    const w = new torch.nn.Parameter(torch.randn([20, 8, 3, 3])), b = torch.randn([20]);
    const F = torch.nn.functional;
    const ref = (): T => F.conv2d(x.double(), w.detach().double(), b.double(), { padding: 1 });
    const run = (): T => torch.noGrad(() => F.conv2d(x, w, b, { padding: 1 }));
    const close = (a: T, r: T) => expect(a.double().sub(r).abs().max().item()).toBeLessThan(1e-4);
    close(torch.tidy(() => run().clone()), ref()); // packed inside a tidy scope: the cache keeps its panels alive
    close(torch.tidy(() => run().clone()), ref()); // the cached panels
    torch.noGrad(() => { w.mul_(-2); }); // in place: the version moves on
    close(run(), ref());
    torch.noGrad(() => { w.narrow(0, 3, 5).fill_(0.5); }); // through a view of the same storage
    close(run(), ref());
    const y = F.conv2d(x, w, b, { padding: 1 }); // recording (training): packs inside the call
    close(y.detach(), ref());
    const view = w.narrow(0, 4, 12); // another tensor over the same storage: its own entry
    close(torch.noGrad(() => F.conv2d(x, view, null, { padding: 1 })), F.conv2d(x.double(), view.detach().double(), null, { padding: 1 }));
  });

  const root = path.join(__dirname, '..');
  const built = fs.existsSync(path.join(root, 'dist', 'index.js'));
  for (const isa of ['avx2', 'generic']) {
    (built ? test : test.skip)(`NODETORCH_CPU_ISA=${isa}: the same cases with that ISA's micro-kernels (child process over dist/)`, () => {
      const out = execFileSync(process.execPath, [path.join(__dirname, 'conv_direct_cases.js'), path.join(root, 'dist', 'index.js'), '2'], {
        env: { ...process.env, NODETORCH_CPU_ISA: isa }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { simd: string; errors: Record<string, number[]> };
      const has = fs.readFileSync('/proc/cpuinfo', 'utf8');
      if (isa === 'generic') expect(r.simd).toBe('generic');
      else if (/\bavx2\b/.test(has)) expect(r.simd).toBe('avx2');
      check(r.errors);
    });
  }
});
