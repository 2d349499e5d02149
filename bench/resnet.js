#!/usr/bin/env node
// resnet.js - torchvision's ResNet-18 (built here from nn layers, same structure and parameter names as
// torchvision.models.resnet18) beside PyTorch CPU: batch 16, 3x64x64, the same thread count (default 2) on both sides;
// eval forward and one training step (cross-entropy, SGD momentum), medians; plus the parts this work targets:
// BatchNorm2d eval/train forward (+backward) on [16,64,32,32] and nn.ReLU({ inplace: true }) on the same shape.
// A benchmark, not a test. Usage: node bench/resnet.js [--threads N] [--rounds R] [--cpu] [--no-torch] [--lib DIR] [--channels-last]
//   (--channels-last: model.to({ memoryFormat: torch.channelsLast }) and channels-last inputs on both sides, as
//   PyTorch's model.to(memory_format=torch.channels_last); the parts too)
//   (needs dist/ built: npx tsc -p tsconfig.json; --lib points at another build's dist/ to time a before/after)
'use strict';
const { alternateRounds, torchIsaEnv, hostIsaLine } = require('./common');
const { execFileSync } = require('child_process');
const path = require('path');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const torch = require(path.resolve(opt('--lib') || path.join(__dirname, '../dist'), 'index.js'));
const { nn, optim } = torch;
const F = nn.functional;
// --cpu: process CPU time (user + system) instead of wall clock, both sides, at 1 thread unless --threads says
// otherwise: the figure that survives a loaded shared machine (a busy neighbour barely changes it)
const cpuClock = argv.includes('--cpu');
torch.setNumThreads(Number(opt('--threads') || (cpuClock ? 1 : 2)));
const threads = torch.getNumThreads();
const channelsLast = argv.includes('--channels-last');
const fmt = (t) => (channelsLast ? t.contiguous({ memoryFormat: torch.channelsLast }) : t);
const now = cpuClock ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; } : () => Number(process.hrtime.bigint()) / 1e9;

function msPer(fn, reps, warmup = 2) {
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t = now(); fn(); ts.push(now() - t); }
  ts.sort((a, b) => a - b);
  return 1000 * ts[ts.length >> 1];
}

// torchvision's ResNet-18 (models.resnet18), shared with bench/memory.js
const makeResNet18 = require('./resnet_model');

function bench() {
  torch.manualSeed(0);
  const model = makeResNet18(torch);
  if (channelsLast) model.to({ memoryFormat: torch.channelsLast });
  const x = fmt(torch.randn([16, 3, 64, 64])), y = torch.randint(0, 1000, [16]);
  model.eval();
  const evalMs = msPer(() => torch.tidy(() => { torch.noGrad(() => model.call(x)); }), 7);
  model.train();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const trainMs = msPer(() => torch.tidy(() => { opt.zeroGrad(); F.crossEntropy(model.call(x), y).backward(); opt.step(); }), 5);
  // the parts
  const a = fmt(torch.randn([16, 64, 32, 32]));
  const bn = new nn.BatchNorm2d(64);
  bn.eval();
  const bnEval = msPer(() => torch.tidy(() => { torch.noGrad(() => bn.call(a)); }), 30);
  bn.train();
  const bnTrain = msPer(() => torch.tidy(() => { torch.noGrad(() => bn.call(a)); }), 30);
  const ag = a.clone().requiresGrad_();
  const gOut = fmt(torch.randn([16, 64, 32, 32]));
  const bnTrainBwd = msPer(() => torch.tidy(() => { bn.call(ag).backward(gOut); }), 20);
  const relu = new nn.ReLU({ inplace: true });
  const b = a.clone();
  const reluEval = msPer(() => torch.tidy(() => { torch.noGrad(() => relu.call(b)); }), 30);
  const w = a.clone().requiresGrad_();
  const reluGrad = msPer(() => torch.tidy(() => { relu.call(w.mul(1)); }), 30);
  const mulOnly = msPer(() => torch.tidy(() => { w.mul(1); }), 30);
  return { threads, evalMs, trainMs, bnEval, bnTrain, bnTrainBwd, reluEval, reluGrad: reluGrad - mulOnly };
}

function runTorch() {
  try {
    // PyTorch runs with its own default OpenMP wait policy (workers spin a while before sleeping): the fair figure on
    // a quiet machine. On a shared, loaded machine spinning makes its timings several times slower than its best;
    // set OMP_WAIT_POLICY=PASSIVE there (it is passed on), and say so beside the figures
    const env = { ...process.env, ...torchIsaEnv(), ...(process.env.OMP_WAIT_POLICY ? { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY } : {}) };
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'resnet_torch.py'), String(threads), ...(cpuClock ? ['cpu'] : []), ...(channelsLast ? ['channels_last'] : [])], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600000 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message || e).split('\n')[0] }; }
}

// both sides run --rounds times (default 3), alternating, so that a noisy neighbour hits both alike; medians over rounds
const rounds = Math.max(1, Number(opt('--rounds') || 3));
const { n, t } = alternateRounds(bench, runTorch, rounds, argv.includes('--no-torch'));
const row = (name, a, b) => {
  const ratio = typeof b === 'number' ? b / a : null;
  console.log(`${name.padEnd(52)} ${a.toFixed(2).padStart(9)} ${typeof b === 'number' ? b.toFixed(2).padStart(9) : '      n/a'}   ${ratio ? ratio.toFixed(2) + 'x' : ''}`);
};
console.log(hostIsaLine());
console.log(`ResNet-18 nodetorch vs PyTorch CPU${channelsLast ? ', channels-last (model and inputs)' : ''}, ${cpuClock ? 'process CPU time, ' : ''}${threads} thread(s) each, medians of ${rounds} alternating rounds, PyTorch's OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY || 'unset (its default)'}${t.error ? ` (PyTorch unavailable: ${t.error})` : `, PyTorch ${t.version}`}`);
console.log(`${'benchmark (ms, lower is better)'.padEnd(52)} ${'nodetorch'.padStart(9)} ${'pytorch'.padStart(9)}   speed (>1: nodetorch faster)`);
row('ResNet-18 eval forward, batch 16, 3x64x64', n.evalMs, t.evalMs);
row('ResNet-18 train step (CE + SGD momentum)', n.trainMs, t.trainMs);
row('BatchNorm2d eval forward [16,64,32,32]', n.bnEval, t.bnEval);
row('BatchNorm2d train forward [16,64,32,32]', n.bnTrain, t.bnTrain);
row('BatchNorm2d train forward+backward [16,64,32,32]', n.bnTrainBwd, t.bnTrainBwd);
row('ReLU(inplace) no grad [16,64,32,32]', n.reluEval, t.reluEval);
row('ReLU(inplace) with grad, recording [16,64,32,32]', n.reluGrad, t.reluGrad);
