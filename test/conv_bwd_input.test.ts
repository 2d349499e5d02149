// conv_bwd_input.test.ts - conv2d's float32 input gradient on the CPU against PyTorch 1.13 (fixtures from
// test/ref/gen_conv_bwd_input.py), on shapes that pick each path of native/cpu/conv_direct.cc's backward_input:
// samples in groups with gout bordered per group, gout read in place, short tiles of one class of pixels with listed
// taps (small images, ragged channel blocks), stride-2 and 5x5 phases, the unpadded layer's 2-pixel border, dilation;
// and the 1- and 3-channel input gradients (im2col + GEMM). 1 and 2 threads in process (this CPU's kernels), and the
// AVX2 and portable micro-kernels in child processes (NODETORCH_CPU_ISA, over dist/). Values are exact in float32.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as torch from '../lib/index';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { REF, run } = require('./conv_bwd_input_cases.js') as { REF: { cases: { name: string }[] }; run: (t: unknown) => Record<string, number[]> };

function check(errors: Record<string, number[]>): void {
  expect(Object.keys(errors).sort()).toEqual(REF.cases.map((c) => c.name).sort());
  for (const [name, [err, n]] of Object.entries(errors)) {
    if (!(n > 0)) throw new Error(`${name}: gradient has the wrong number of elements`);
    if (!(err === 0)) throw new Error(`${name}: input gradient differs from PyTorch's by up to ${err} (exact sums expected)`);
  }
}

describe('conv2d input gradient vs PyTorch', () => {
  const threads0 = torch.getNumThreads();
  afterAll(() => torch.setNumThreads(threads0));
  for (const threads of [1, 2]) {
    test(`every case, ${threads} thread${threads > 1 ? 's' : ''} (${torch.config().simd})`, () => {
      torch.setNumThreads(threads);
      check(run(torch));
    });
  }

  test('a wrong value is seen (the check is not vacuous)', () => {
    const errs = run(torch);
    const name = Object.keys(errs)[0];
    expect(() => check({ ...errs, [name]: [0.0078125, errs[name][1]] })).toThrow(/differs from PyTorch's/);
  });

  const root = path.join(__dirname, '..');
  const built = fs.existsSync(path.join(root, 'dist', 'index.js'));
  for (const isa of ['avx2', 'generic']) {
    (built ? test : test.skip)(`NODETORCH_CPU_ISA=${isa}: the same cases with that ISA's micro-kernels (child process over dist/)`, () => {
      for (const threads of ['1', '2']) {
        const out = execFileSync(process.execPath, [path.join(__dirname, 'conv_bwd_input_cases.js'), path.join(root, 'dist', 'index.js'), threads], {
          env: { ...process.env, NODETORCH_CPU_ISA: isa }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
        });
        const r = JSON.parse(out.trim().split('\n').pop()!) as { simd: string; errors: Record<string, number[]> };
        const has = fs.readFileSync('/proc/cpuinfo', 'utf8');
        if (isa === 'generic') expect(r.simd).toBe('generic');
        else if (/\bavx2\b/.test(has)) expect(r.simd).toBe('avx2');
        check(r.errors);
      }
    });
  }
});
