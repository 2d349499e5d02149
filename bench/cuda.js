#!/usr/bin/env node
// cuda.js - GPU throughput beside PyTorch on the same GPU, same sizes (medians over alternating rounds):
//   matmul 4096x4096 @ 4096x4096 in float32 (exact), float32 with TF32, bfloat16 and float16      TFLOP/s
//   add of two 100M-element float32 tensors (3 x 400 MB moved) and sum of one (400 MB read)       GB/s
//   MLP 784-1024-1024-10 (batch 512) and CNN 2x(conv3x3+ReLU+maxpool)+fc (batch 128 on 28x28)
//   training steps (cross-entropy, SGD momentum), in float32 and under autocast to bfloat16        steps/s
// Every timed region ends with torch.cuda.synchronize(). PyTorch's side is bench/cuda_torch.py (its matmul TF32 row
// sets torch.backends.cuda.matmul.allow_tf32, as ours sets torch.backends.cuda.matmul.allowTf32).
// --small: tiny sizes (matmul 64, 4096 elements, batch 8), so that it runs under the CUDA emulator in seconds: a
// check that the benchmark works, not a measurement.
// A benchmark, not a test. Usage: node bench/cuda.js [--small] [--rounds R] [--no-torch] [--json FILE]  (needs dist/;
// PYTHON=path picks the python with torch, default python3)
'use strict';
const { alternateRounds, median } = require('./common');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const torch = require('../dist/index.js');
const { nn, optim } = torch;
const F = nn.functional;

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const small = argv.includes('--small');
const SIZES = small
  ? { mm: 64, mmIters: 2, elems: 4096, ewIters: 2, mlpBatch: 8, mlpHidden: 32, cnnBatch: 4, steps: 2, reps: 3 }
  : { mm: 4096, mmIters: 10, elems: 100_000_000, ewIters: 10, mlpBatch: 512, mlpHidden: 1024, cnnBatch: 128, steps: 20, reps: 5 };
if (!torch.cuda.isAvailable()) {
  console.error(`bench/cuda.js: no CUDA device (${torch.backends.cuda.isBuilt() ? 'the addon has CUDA, but no device is visible' : 'this addon was built without CUDA'})`);
  process.exit(1);
}
const dev = 'cuda';
const now = () => Number(process.hrtime.bigint()) / 1e9;
const sync = () => torch.cuda.synchronize();

// seconds per call of fn: `iters` calls between two synchronizations, the median of `reps` such timings
function timeIt(fn, iters, reps = SIZES.reps, warmup = 1) {
  for (let i = 0; i < warmup; i++) torch.tidy(fn);
  sync();
  const ts = [];
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    for (let i = 0; i < iters; i++) torch.tidy(fn);
    sync();
    ts.push((now() - t0) / iters);
  }
  return median(ts);
}

function matmulTflops(dtype, tf32) {
  const n = SIZES.mm;
  const a = torch.randn([n, n], { device: dev }).to(dtype), b = torch.randn([n, n], { device: dev }).to(dtype);
  const prev = torch.backends.cuda.matmul.allowTf32;
  torch.backends.cuda.matmul.allowTf32 = tf32;
  try {
    const s = timeIt(() => { a.matmul(b); }, SIZES.mmIters);
    return (2 * n * n * n) / s / 1e12;
  } finally {
    torch.backends.cuda.matmul.allowTf32 = prev;
    a.dispose(); b.dispose();
  }
}

function bandwidth() {
  const n = SIZES.elems;
  const a = torch.randn([n], { device: dev }), b = torch.randn([n], { device: dev });
  const add = timeIt(() => { a.add(b); }, SIZES.ewIters);
  const sum = timeIt(() => { a.sum(); }, SIZES.ewIters);
  a.dispose(); b.dispose();
  return { addGBs: (3 * 4 * n) / add / 1e9, sumGBs: (4 * n) / sum / 1e9 };
}

// steps/s of a training step of `model` on (x, y), in float32 or under autocast to bfloat16
function trainSteps(model, x, y, amp) {
  const o = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const step = () => {
    o.zeroGrad();
    const loss = amp ? torch.autocast('cuda', { dtype: 'bfloat16' }, () => F.crossEntropy(model.call(x), y)) : F.crossEntropy(model.call(x), y);
    loss.backward();
    o.step();
  };
  return 1 / timeIt(step, SIZES.steps, SIZES.reps, 3);
}
function models() {
  torch.manualSeed(0);
  const H = SIZES.mlpHidden;
  const mlp = new nn.Sequential(new nn.Linear(784, H), new nn.ReLU(), new nn.Linear(H, H), new nn.ReLU(), new nn.Linear(H, 10)).to(dev);
  const xm = torch.randn([SIZES.mlpBatch, 784], { device: dev }), ym = torch.randint(0, 10, [SIZES.mlpBatch], { device: dev });
  const cnn = new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(64 * 7 * 7, 10)).to(dev);
  const xc = torch.randn([SIZES.cnnBatch, 1, 28, 28], { device: dev }), yc = torch.randint(0, 10, [SIZES.cnnBatch], { device: dev });
  return {
    mlp: trainSteps(mlp, xm, ym, false), mlpAmp: trainSteps(mlp, xm, ym, true),
    cnn: trainSteps(cnn, xc, yc, false), cnnAmp: trainSteps(cnn, xc, yc, true),
  };
}

function bench() {
  return {
    mmF32: matmulTflops('float32', false), mmTf32: matmulTflops('float32', true),
    mmBf16: matmulTflops('bfloat16', false), mmF16: matmulTflops('float16', false),
    ...bandwidth(), ...models(),
  };
}

function runTorch() {
  try {
    const out = execFileSync(process.env.PYTHON || 'python3', [path.join(__dirname, 'cuda_torch.py'), JSON.stringify(SIZES)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900000 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message || e).split('\n')[0] }; }
}

const rounds = Math.max(1, Number(opt('--rounds') || 3));
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
const { n, t } = alternateRounds(bench, runTorch, rounds, argv.includes('--no-torch'));
const row = (name, key, unit) => {
  const a = n[key], b = t[key];
  const ratio = typeof b === 'number' && b > 0 ? a / b : null;
  console.log(`${name.padEnd(46)} ${fmt(a).padStart(10)} ${typeof b === 'number' ? fmt(b).padStart(10) : '       n/a'} ${unit.padEnd(8)} ${ratio ? ratio.toFixed(2) + 'x' : ''}`);
};
console.log(`device: ${torch.cuda.diagnose().split('\n').find((l) => /device 0|GPU|emulator/i.test(l)) || 'cuda:0'}`);
console.log(`nodetorch vs PyTorch on the same GPU, medians of ${rounds} alternating rounds${small ? ' (--small: tiny sizes, a smoke run, not a measurement)' : ''}${t.error ? ` (PyTorch unavailable: ${t.error})` : `, PyTorch ${t.version} on ${t.device}`}`);
console.log(`${'benchmark'.padEnd(46)} ${'nodetorch'.padStart(10)} ${'pytorch'.padStart(10)} ${'unit'.padEnd(8)} ratio (>1: nodetorch faster)`);
const mm = `${SIZES.mm}x${SIZES.mm}`;
row(`matmul ${mm} float32 (exact)`, 'mmF32', 'TFLOP/s');
row(`matmul ${mm} float32, TF32 allowed`, 'mmTf32', 'TFLOP/s');
row(`matmul ${mm} bfloat16`, 'mmBf16', 'TFLOP/s');
row(`matmul ${mm} float16`, 'mmF16', 'TFLOP/s');
row(`add, ${SIZES.elems} float32 elements`, 'addGBs', 'GB/s');
row(`sum, ${SIZES.elems} float32 elements`, 'sumGBs', 'GB/s');
row(`MLP 784-${SIZES.mlpHidden}-${SIZES.mlpHidden}-10 step, batch ${SIZES.mlpBatch}, float32`, 'mlp', 'steps/s');
row(`MLP step, autocast bfloat16`, 'mlpAmp', 'steps/s');
row(`CNN 2x(conv3x3+relu+pool)+fc, batch ${SIZES.cnnBatch}, float32`, 'cnn', 'steps/s');
row(`CNN step, autocast bfloat16`, 'cnnAmp', 'steps/s');
if (opt('--json')) fs.writeFileSync(opt('--json'), JSON.stringify({ sizes: SIZES, nodetorch: n, pytorch: t }, null, 1));
