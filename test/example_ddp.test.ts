// example_ddp.test.ts - examples/mnist_ddp.js as `npm run example:mnist-ddp` runs it: 2 processes through the
// launcher (nodetorch-run), Gloo, DistributedSampler, at a reduced size. Rank 1 crashes once after epoch 1
// (--fail-at-epoch 1): the launcher restarts the group (--max-restarts 1), which resumes from rank 0's checkpoint and
// trains to well above chance; only rank 0 logs. Skipped loudly without the Gloo binding.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as torch from '../lib/index';

const root = path.resolve(__dirname, '..');
const ok = fs.existsSync(path.join(root, 'dist', 'index.js')) && torch.distributed.isGlooAvailable();
if (!ok) console.warn(`example_ddp.test.ts: SKIPPED: ${torch.distributed.glooUnavailableReason() || 'dist/ is not built'}`);

(ok ? test : test.skip)('mnist_ddp.js: 2 ranks through the launcher, a crash, a restart that resumes from the checkpoint', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-ddp-example-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'nodetorch-run.js'), '--standalone', '--nproc-per-node', '2', '--max-restarts', '1',
      path.join(root, 'examples', 'mnist_ddp.js'), '--train-size', '1000', '--test-size', '300', '--epochs', '2', '--out', out, '--fail-at-epoch', '1'],
    { encoding: 'utf8', timeout: 240000, env: { ...process.env, GLOO_SOCKET_IFNAME: 'lo' } });
    const all = r.stdout + r.stderr;
    expect([r.status, all]).toEqual([0, expect.any(String)]);
    expect(all).toMatch(/rank 1: crashing on purpose after epoch 1/);
    expect(all).toMatch(/restarting the local worker group \(restart 1 of 1\)/);
    expect(all).toMatch(/\[rank0\]: resumed from .* after epoch 1 \(restart 1\)/);
    expect(all).toMatch(/\[rank0\]: epoch 2\/2 /);
    expect(all).not.toMatch(/\[rank1\]: epoch/);  // logging on rank 0 only
    const m = /\[rank0\]: test accuracy: ([\d.]+)% \((\d+)\/300\) after 2 epochs, 2 ranks/.exec(all);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(70);
    expect(fs.existsSync(path.join(out, 'mnist_ddp_ckpt.pt'))).toBe(true);
    expect(torch.load(path.join(out, 'mnist_ddp_ckpt.pt')).epoch).toBe(2);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 240000);
