#!/usr/bin/env node
// mnist_ddp.js - the MNIST job of examples/mnist.js (same CNN, data, optimizer and schedule) trained on several
// processes with DistributedDataParallel: each rank reads its own shard of the training set through a
// DistributedSampler, gradients are averaged across ranks during backward, and rank 0 alone logs, evaluates and
// writes the checkpoint. Run it through the launcher (`npm run example:mnist-ddp` starts 2 processes on this machine):
//
//   npx nodetorch-run --standalone --nproc-per-node 2 [--max-restarts 1] examples/mnist_ddp.js
//        [--device cpu|cuda] [--epochs 6] [--batch-size 64] [--lr 0.01] [--seed 0] [--train-size 8000]
//        [--test-size 2000] [--threads N] [--amp] [--out DIR] [--fail-at-epoch K] [--fresh]
//
// --batch-size is the global batch (each rank takes batch-size / world-size samples per step), so that the run
// matches the single-process example's optimisation. After every epoch rank 0 saves DIR/mnist_ddp_ckpt.pt (model,
// optimizer, scheduler, epoch); a restarted job (the launcher's --max-restarts) resumes from it (--fresh ignores it).
// --fail-at-epoch K makes rank 1 crash once after epoch K (only in the first attempt), to show the restart and resume.
// With --device cuda each rank uses GPU LOCAL_RANK and the NCCL backend; on the CPU, Gloo.

// @ts-check (examples are type-checked under tsc --strict by test/snippets.test.ts: scripts/check-types.js)
'use strict';
const fs = require('fs');
const path = require('path');
const torch = require('../dist/index.js');
const { parseArgs, makeModel, loadSplit, evaluate } = require('./mnist.js');

const { nn, optim } = torch;
const F = nn.functional;
const dist = torch.distributed;
/** @typedef {import('../dist/index.js').DeviceName} DeviceName */

// mnist.js's command line, with this example's defaults and flags
const parseDdpArgs = (/** @type {string[]} */ argv) => parseArgs(argv, {
  defaults: { out: 'mnist-ddp-out', failAtEpoch: 0, fresh: false },
  flags: {
    '--fail-at-epoch': (o, val, num) => { o.failAtEpoch = num('fail-at-epoch', val(), true); },
    '--fresh': (o) => { o.fresh = true; },
  },
  zeroOk: ['fail-at-epoch'],
  refuse: ['--tensorboard', '--quiet'],
  helpFile: __filename,
});

function main() {
  let o;
  try { o = parseDdpArgs(process.argv.slice(2)); } catch (e) { console.error(`mnist_ddp.js: ${e instanceof Error ? e.message : e}`); process.exit(2); }
  if (o.threads) torch.setNumThreads(o.threads);
  if (process.env.RANK === undefined) {
    console.error('mnist_ddp.js: start it through the launcher: npx nodetorch-run --standalone --nproc-per-node 2 examples/mnist_ddp.js');
    process.exit(2);
  }
  const localRank = Number(process.env.LOCAL_RANK ?? 0);
  /** @type {DeviceName} */
  let device = 'cpu';
  if (o.device.startsWith('cuda')) {
    if (!torch.cuda.isAvailable()) { console.error('mnist_ddp.js: --device cuda: CUDA is not available'); process.exit(2); }
    torch.cuda.setDevice(localRank % torch.cuda.deviceCount());
    device = `cuda:${torch.cuda.currentDevice()}`;
  }
  dist.initProcessGroup({ backend: device === 'cpu' ? 'gloo' : 'nccl' });
  const rank = dist.getRank(), ws = dist.getWorldSize();
  const restart = Number(process.env.TORCHELASTIC_RESTART_COUNT ?? 0);
  const log = (/** @type {unknown[]} */ ...a) => { if (rank === 0) console.log(...a); };
  if (o.batchSize % ws !== 0) throw new Error(`--batch-size ${o.batchSize} must be a multiple of the world size ${ws}`);
  const perRank = o.batchSize / ws;
  fs.mkdirSync(o.out, { recursive: true });
  const ckptPath = path.join(o.out, 'mnist_ddp_ckpt.pt');

  torch.manualSeed(o.seed);  // the same initial weights on every rank (DDP also broadcasts rank 0's at construction)
  const train = loadSplit(true, o.trainSize);
  const test = loadSplit(false, o.testSize);
  const net = makeModel().to(device);
  const sampler = new torch.utils.data.DistributedSampler(train.ds, { shuffle: true, seed: o.seed });
  const loader = new torch.utils.data.DataLoader(train.ds, { batchSize: perRank, sampler });
  const opt = new optim.Adam(net.parameters(), { lr: o.lr });
  const sched = new optim.lrScheduler.OneCycleLR(opt, o.lr, { epochs: o.epochs, stepsPerEpoch: loader.length });
  const scaler = o.amp && device !== 'cpu' ? new torch.amp.GradScaler('cuda') : null;  // float16 on CUDA needs loss scaling
  let start = 1;
  if (!o.fresh && fs.existsSync(ckptPath)) {
    // what torch.save wrote below (torch.load is `unknown` until told)
    const ck = /** @type {{ model: Parameters<typeof net.loadStateDict>[0], optimizer: Parameters<typeof opt.loadStateDict>[0], scheduler: Parameters<typeof sched.loadStateDict>[0], epoch: number }} */ (torch.load(ckptPath, { mapLocation: device }));
    net.loadStateDict(ck.model);
    opt.loadStateDict(ck.optimizer);
    sched.loadStateDict(ck.scheduler);
    start = ck.epoch + 1;
    log(`resumed from ${ckptPath} after epoch ${ck.epoch} (restart ${restart})`);
  }
  const model = new nn.parallel.DistributedDataParallel(net);
  log(`nodetorch DDP: ${ws} ranks (${dist.getBackend()}) | ${torch.getNumThreads()} threads each | device ${device}${o.amp ? ' (amp)' : ''} | global batch ${o.batchSize} (${perRank} per rank) | ${loader.length} steps per epoch`);

  const t0 = Date.now();
  for (let e = start; e <= o.epochs; e++) {
    sampler.setEpoch(e);
    model.train();
    const te = Date.now();
    let lossSum = 0, correct = 0, seen = 0;
    for (const [xb, yb] of loader) {
      const [l, c] = torch.tidy(() => {
        const x = xb.to(device), y = yb.to(device);
        const fwd = () => { const out = model.call(x); return /** @type {const} */ ([out, F.crossEntropy(out, y)]); };
        const [logits, loss] = o.amp ? torch.autocast(device === 'cpu' ? 'cpu' : 'cuda', fwd) : fwd();
        opt.zeroGrad();
        if (scaler) { scaler.scale(loss).backward(); scaler.step(opt); scaler.update(); } else { loss.backward(); opt.step(); }
        sched.step();
        return /** @type {const} */ ([loss.item(), logits.argmax(1).eq(y).sum().item()]);
      });
      lossSum += l * xb.shape[0]; correct += c; seen += xb.shape[0];
    }
    // the epoch's figures over every rank's shard
    const tot = torch.tensor([lossSum, correct, seen], { dtype: 'float64', device });
    dist.allReduce(tot);
    const [L, C, S] = /** @type {number[]} */ (tot.cpu().tolist());
    if (rank === 0) {
      const ev = evaluate(net, new torch.utils.data.DataLoader(test.ds, { batchSize: 500 }), device, o.amp);
      const secs = (Date.now() - te) / 1000;
      console.log(`epoch ${e}/${o.epochs}  loss ${(L / S).toFixed(4)}  train acc ${(100 * C / S).toFixed(2)}%  test acc ${(100 * ev.acc).toFixed(2)}%  ${secs.toFixed(1)}s  ${(S / secs).toFixed(0)} samples/s`);
      torch.save({ model: net.stateDict(), optimizer: opt.stateDict(), scheduler: sched.stateDict(), epoch: e }, ckptPath + '.tmp');
      fs.renameSync(ckptPath + '.tmp', ckptPath);  // a crash never leaves half a checkpoint
    }
    dist.barrier();  // the checkpoint is complete before anyone goes on (or fails)
    if (o.failAtEpoch === e && restart === 0 && rank === 1) {
      console.error(`rank 1: crashing on purpose after epoch ${e} (--fail-at-epoch): the launcher restarts the job, which resumes from the checkpoint`);
      process.exit(17);
    }
  }
  if (rank === 0) {
    const final = evaluate(net, new torch.utils.data.DataLoader(test.ds, { batchSize: 500 }), device, o.amp);
    console.log(`test accuracy: ${(100 * final.acc).toFixed(2)}% (${final.correct}/${final.total}) after ${o.epochs} epoch${o.epochs > 1 ? 's' : ''}, ${ws} ranks, training ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  dist.destroyProcessGroup();
}

main();
