#!/usr/bin/env node
// train.js - training-step throughput beside PyTorch CPU on the same shapes, data and thread count (medians):
//   MLP 784-256-10, batch 128 (Linear/ReLU/Linear, cross-entropy, SGD momentum) steps/s;
//   CNN two conv(3x3)+ReLU+maxpool blocks, batch 64 on 28x28, then Linear, steps/s;
//   backward overhead per op on tiny tensors (a chain of 20 elementwise ops on [4] tensors, forward vs forward+backward).
// A benchmark, not a test. Usage: node bench/train.js [--threads N] [--rounds R] [--no-torch]   (needs dist/ built)
'use strict';
const { alternateRounds, hostLine } = require('./common');
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { nn, optim } = torch;
const F = nn.functional;

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
if (opt('--threads')) torch.setNumThreads(Number(opt('--threads')));
const threads = torch.getNumThreads();
const now = () => Number(process.hrtime.bigint()) / 1e9;

function stepsPerSec(step, reps, warmup = 3) {
  for (let i = 0; i < warmup; i++) step();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t = now(); step(); ts.push(now() - t); }
  ts.sort((a, b) => a - b);
  return 1 / ts[ts.length >> 1];
}

function bench() {
  torch.manualSeed(0);
  const mlp = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const xo = torch.randn([128, 784]), yo = torch.randint(0, 10, [128]);
  const o1 = new optim.SGD(mlp.parameters(), { lr: 0.01, momentum: 0.9 });
  const mlpSps = stepsPerSec(() => torch.tidy(() => {
    o1.zeroGrad();
    F.crossEntropy(mlp.call(xo), yo).backward();
    o1.step();
  }), 40);

  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 7 * 7, 10));
  const xc = torch.randn([64, 1, 28, 28]), yc = torch.randint(0, 10, [64]);
  const o2 = new optim.SGD(cnn.parameters(), { lr: 0.01, momentum: 0.9 });
  const cnnSps = stepsPerSec(() => torch.tidy(() => {
    o2.zeroGrad();
    F.crossEntropy(cnn.call(xc), yc).backward();
    o2.step();
  }), 15);

  // backward overhead per op: 20 tiny elementwise ops
  const a = torch.randn([4], { requiresGrad: true });
  const chain = (x) => { let y = x; for (let i = 0; i < 10; i++) y = y.mul(1.01).add(0.1); return y.sum(); };
  const fwd = 1e6 / stepsPerSec(() => torch.tidy(() => { torch.noGrad(() => chain(a)); }), 200, 50) / 21;
  const fb = 1e6 / stepsPerSec(() => torch.tidy(() => { chain(a).backward(); }), 200, 50) / 21;
  return { threads, mlp: mlpSps, cnn: cnnSps, fwdUs: fwd, fwdBwdUs: fb };
}

function runTorch() {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'train_torch.py'), String(threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600000 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message || e).split('\n')[0] }; }
}

// both sides run --rounds times (default 3), alternating, so that a noisy neighbour hits both alike; each figure is
// the median over rounds
const rounds = Math.max(1, Number(opt('--rounds') || 3));
const { n, t } = alternateRounds(bench, runTorch, rounds, argv.includes('--no-torch'));
const row = (name, a, b, unit, higherBetter = true) => {
  const ratio = typeof b === 'number' ? (higherBetter ? a / b : b / a) : null;
  console.log(`${name.padEnd(44)} ${a.toFixed(2).padStart(10)} ${typeof b === 'number' ? b.toFixed(2).padStart(10) : '       n/a'} ${unit.padEnd(8)} ${ratio ? ratio.toFixed(2) + 'x' : ''}`);
};
console.log(hostLine());
console.log(`nodetorch vs PyTorch CPU, ${threads} thread(s) each, medians of ${rounds} alternating rounds, PyTorch's OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY || 'default'}${t.error ? ` (PyTorch unavailable: ${t.error})` : `, PyTorch ${t.version}, BLAS: ${t.blas}`}`);
console.log(`${'benchmark'.padEnd(44)} ${'nodetorch'.padStart(10)} ${'pytorch'.padStart(10)} ${'unit'.padEnd(8)} ratio (>1: nodetorch better)`);
row('MLP 784-256-10 train step, batch 128', n.mlp, t.mlp, 'steps/s');
row('CNN 2x(conv3x3+relu+pool)+fc, batch 64', n.cnn, t.cnn, 'steps/s');
row('tiny op forward (no grad), per op', n.fwdUs, t.fwdUs, 'us', false);
row('tiny op forward+backward, per op', n.fwdBwdUs, t.fwdBwdUs, 'us', false);
row('backward overhead per op (fwd+bwd - fwd)', n.fwdBwdUs - n.fwdUs, typeof t.fwdBwdUs === 'number' ? t.fwdBwdUs - t.fwdUs : undefined, 'us', false);
