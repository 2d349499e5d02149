#!/usr/bin/env node
// conv.js - float32 conv2d forward (and, with --backward, forward+backward) GFLOP/s beside PyTorch CPU on the shapes of
// issue 14: the issue's two 32x32 layers, the MNIST example's two convolutions (batch 64), and ResNet-18's (batch 16,
// 3x64x64 input: the 7x7 stride-2 stem, a 3x3 64-channel 16x16 layer, the 3x3 stride-2 and 1x1 stride-2 downsampling
// layers). 2 * N * OC * OH * OW * C/G * kh * kw flops per forward; --backward times the input and the weight
// gradients (torch.autograd.grad of a saved forward: 2x the forward's flops; the bias gradient rides along). Both sides run --rounds times (default 3),
// alternating (bench/common.js); each figure is the median over rounds of per-round medians.
// Usage: node bench/conv.js [--backward] [--threads N] [--rounds R] [--reps K] [--no-torch]        (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, torchIsaEnv, hostIsaLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
torch.setNumThreads(Number(opt('--threads') ?? 2));
const threads = torch.getNumThreads();
const rounds = Number(opt('--rounds') ?? 3);
const reps = Number(opt('--reps') ?? 9);
const noTorch = argv.includes('--no-torch');
const backward = argv.includes('--backward');

const SHAPES = require('./conv_shapes');  // the shapes of bench/conv_ops.js too
const flops = ([, [N, C, H, W], OC, k, s, p]) => {
  const OH = Math.floor((H + 2 * p - k) / s) + 1, OW = Math.floor((W + 2 * p - k) / s) + 1;
  return 2 * N * OC * OH * OW * C * k * k;
};

const now = () => Number(process.hrtime.bigint()) / 1e9;
function medianTime(fn, n, warmup = 2) {
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  for (let i = 0; i < n; i++) { const t = now(); fn(); ts.push(now() - t); }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

function bench() {
  torch.manualSeed(0);
  const res = {};
  for (const sh of SHAPES) {
    const [name, xs, OC, k, s, p] = sh;
    const x = torch.randn(xs), w = torch.randn([OC, xs[1], k, k]), b = torch.randn([OC]);
    let t;
    if (backward) {
      x.requiresGrad_(true); w.requiresGrad_(true); b.requiresGrad_(true);
      const y = torch.nn.functional.conv2d(x, w, b, { stride: s, padding: p });
      const gy = torch.randn(y.shape);
      t = medianTime(() => torch.tidy(() => { torch.autograd.grad([y], [x, w, b], { gradOutputs: [gy], retainGraph: true }); }), reps);
    } else t = medianTime(() => torch.tidy(() => { torch.nn.functional.conv2d(x, w, b, { stride: s, padding: p }); }), reps);
    res[name] = (backward ? 2 : 1) * flops(sh) / t / 1e9;
  }
  return res;
}

function runTorch() {
  try {
    const env = { ...process.env, ...torchIsaEnv(), ...(process.env.OMP_WAIT_POLICY ? { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY } : {}), OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'conv_torch.py'), String(threads), String(reps), JSON.stringify(SHAPES), backward ? 'backward' : 'forward'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}

const { n, t } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(hostIsaLine());
console.log(`conv2d ${backward ? 'backward (input + weight gradients)' : 'forward'} float32, ${threads} threads, GFLOP/s (median of ${rounds} alternating rounds x ${reps} reps), PyTorch's OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY || 'unset (its default)'}`);
if (t.error) console.log(`PyTorch: ${t.error}`);
console.log(`${'shape'.padEnd(42)} ${'nodetorch'.padStart(10)} ${'PyTorch'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const [name] of SHAPES) {
  const tv = t.error ? NaN : t[name];
  console.log(`${name.padEnd(42)} ${n[name].toFixed(1).padStart(10)} ${(tv ?? NaN).toFixed(1).padStart(10)} ${(n[name] / tv).toFixed(2).padStart(7)}`);
}
