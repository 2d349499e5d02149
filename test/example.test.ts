// example.test.ts - examples/mnist.js run as a user runs it (node, over the compiled dist/), at a reduced size:
// it must train to well above chance, reload its checkpoint to the same predictions, write its PNG grid and
// metrics, and give the same numbers for the same seed; with --device cuda it trains on the GPU (or, under the CUDA
// emulator, scripts/cuda-emu) to the CPU run's numbers, and without CUDA it says so and exits 2.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'examples', 'mnist.js');
const built = fs.existsSync(path.join(root, 'dist', 'index.js')) && fs.existsSync(path.join(root, 'dist', 'vision', 'index.js'));

interface Metrics { amp: boolean; gradScale: number | null; testAccuracy: number; reloadedAccuracy: number; trainLoss: number[]; testCorrect: number; misclassified: number; confusion: number[][] }

function run(out: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): { stdout: string; metrics: Metrics } {
  const stdout = execFileSync(process.execPath, [script, '--train-size', '800', '--test-size', '300', '--epochs', '1', '--batch-size', '32',
    '--lr', '0.01', '--threads', '1', '--out', out, ...extra], { encoding: 'utf8', timeout: 240000, env });
  return { stdout, metrics: JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) as Metrics };
}

describe('examples/mnist.js', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-example-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('dist/ is built (npm run build:ts) so that the example can run', () => {
    expect(built).toBe(true);
  });

  (built ? test : test.skip)('trains at reduced size, reloads its checkpoint, writes the grid; same seed, same run', () => {
    const a = run(path.join(tmp, 'a'));
    expect(a.stdout).toMatch(/Total params: 206,922/); // torch.summary's table
    expect(a.stdout).toMatch(/confusion matrix/);
    expect(a.stdout).toMatch(/reloaded into a fresh model: same predictions/);
    expect(a.stdout).toMatch(/^test accuracy: \d+\.\d\d% \(\d+\/300\)/m);
    expect(a.metrics.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(a.metrics.reloadedAccuracy).toBe(a.metrics.testAccuracy);
    expect(a.metrics.confusion.flat().reduce((x, y) => x + y, 0)).toBe(300);
    expect(fs.existsSync(path.join(tmp, 'a', 'mnist_cnn.pt'))).toBe(true);
    if (a.metrics.misclassified > 0) {
      const png = fs.readFileSync(path.join(tmp, 'a', 'misclassified.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    const b = run(path.join(tmp, 'b'), ['--quiet']);
    expect(b.metrics.trainLoss).toEqual(a.metrics.trainLoss);
    expect(b.metrics.testCorrect).toBe(a.metrics.testCorrect);
    expect(b.stdout.trim().split('\n')).toHaveLength(1); // --quiet: the result line only
  }, 300000);

  (built ? test : test.skip)('--device cuda: the CPU run\'s numbers on a CUDA device, a clear exit without one', () => {
    if (!torch.cuda.isAvailable()) {
      let err: { status?: number; stderr?: string } = {};
      try { execFileSync(process.execPath, [script, '--device', 'cuda', '--epochs', '1'], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) { err = e as typeof err; }
      expect(err.status).toBe(2);
      expect(String(err.stderr)).toMatch(/--device cuda: CUDA is not available/);
      return;
    }
    const c = run(path.join(tmp, 'cpu'), ['--quiet', '--seed', '3']);
    // TF32 off (NVIDIA's library-wide switch): float32 convolutions default to TF32 on CUDA, as PyTorch's
    // cudnn.allow_tf32, and this compares with the CPU's exact float32
    const g = run(path.join(tmp, 'cuda'), ['--quiet', '--seed', '3', '--device', 'cuda'], { ...process.env, NVIDIA_TF32_OVERRIDE: '0' });
    expect(g.stdout).toMatch(/^test accuracy: \d+\.\d\d% \(\d+\/300\)/m);
    expect(g.metrics.trainLoss.length).toBe(c.metrics.trainLoss.length);
    g.metrics.trainLoss.forEach((l, i) => expect(Math.abs(l - c.metrics.trainLoss[i])).toBeLessThan(2e-3 + 2e-3 * Math.abs(c.metrics.trainLoss[i])));
    expect(Math.abs(g.metrics.testCorrect - c.metrics.testCorrect)).toBeLessThanOrEqual(3); // summation orders differ
    expect(g.metrics.reloadedAccuracy).toBe(g.metrics.testAccuracy);
  }, 300000);

  (built ? test : test.skip)('--amp: trains under autocast (bfloat16 on the CPU; float16 with a GradScaler on CUDA)', () => {
    const f = run(path.join(tmp, 'fp32'), ['--quiet', '--seed', '5']);
    const m = run(path.join(tmp, 'amp'), ['--quiet', '--seed', '5', '--amp']);
    expect(m.metrics.amp).toBe(true);
    expect(m.metrics.gradScale).toBeNull(); // no scaler for bfloat16
    expect(m.metrics.testAccuracy).toBeGreaterThan(0.5);
    expect(m.metrics.reloadedAccuracy).toBe(m.metrics.testAccuracy);
    // bfloat16 rounding changes the run a little, not its course
    expect(Math.abs(m.metrics.trainLoss[0] - f.metrics.trainLoss[0])).toBeLessThan(0.05 * f.metrics.trainLoss[0]);
    if (torch.cuda.isAvailable()) {
      const g = run(path.join(tmp, 'amp-cuda'), ['--quiet', '--seed', '5', '--amp', '--device', 'cuda']);
      expect(g.metrics.testAccuracy).toBeGreaterThan(0.5);
      expect(typeof g.metrics.gradScale).toBe('number');
    }
  }, 300000);

  (built ? test : test.skip)('bad flags exit with a message', () => {
    let err: { status?: number; stderr?: string } = {};
    try { execFileSync(process.execPath, [script, '--epochs', 'zero'], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) { err = e as typeof err; }
    expect(err.status).toBe(2);
    expect(String(err.stderr)).toMatch(/--epochs expects a positive integer/);
  });
});
