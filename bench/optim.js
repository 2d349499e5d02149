#!/usr/bin/env node
// optim.js - the per-step time of Adam over 200 parameters of mixed sizes (about 3.3M elements: a few large
// weights, many small biases and norms, as in a real model) and over 200 small ones (1024 elements each, where the
// per-call cost dominates), nodetorch's foreach (one native call per group,
// OP(optim_step_multi)) beside its for-loop (one call per parameter), and PyTorch's foreach and for-loop on the same
// device and thread count. Medians (and best) in milliseconds: on a shared machine the best is the steadier figure. A benchmark, not a test: it asserts nothing.
// Usage: node bench/optim.js [--threads N] [--reps R] [--device cpu|cuda] [--no-torch]   (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const os = require('os');
const torch = require('../dist/index.js');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
if (opt('--threads')) torch.setNumThreads(Number(opt('--threads')));
const threads = torch.getNumThreads();
const reps = Number(opt('--reps') || 21);
const device = opt('--device') || 'cpu';

// 200 parameters: 20 of 131072 (weights), 60 of 4096..16383, 120 of 16..1039 (biases, norms)
const mixed = [];
for (let i = 0; i < 20; i++) mixed.push(131072);
for (let i = 0; i < 60; i++) mixed.push(4096 + ((i * 2654435761) % 12288));
for (let i = 0; i < 120; i++) mixed.push(16 + ((i * 40503) % 1024));
const small = Array.from({ length: 200 }, () => 1024);

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sync = () => { if (device === 'cuda') torch.cuda.synchronize(); };
function stepMs(sizes, foreach) {
  torch.manualSeed(0);
  const ps = sizes.map((n) => torch.randn([n], { device }).requiresGrad_(true));
  for (const p of ps) p.grad = torch.randn([p.numel()], { device });
  const o = new torch.optim.Adam(ps, { lr: 1e-3, foreach });
  for (let i = 0; i < 3; i++) o.step();
  sync();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t = now(); o.step(); sync(); ts.push(now() - t); }
  ts.sort((a, b) => a - b);
  return [ts[ts.length >> 1], ts[0]];
}
function torchMs(sizes) {
  if (argv.includes('--no-torch')) return { skipped: '--no-torch' };
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'optim_torch.py'), String(threads), String(reps), device, sizes.join(',')], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { skipped: `PyTorch run failed: ${String(e.message).split('\n')[0]}` }; }
}

const f = (v) => (v == null ? '-' : `${v[0].toFixed(2)} (${v[1].toFixed(2)})`);
console.log(require('./common').hostLine());
let header = false;
for (const [name, sizes] of [['200 mixed', mixed], ['200 x 1024', small]]) {
  const total = sizes.reduce((a, b) => a + b, 0);
  const nt = { foreach_ms: stepMs(sizes, true), loop_ms: stepMs(sizes, false) };
  const pt = torchMs(sizes);
  if (!header) {
    console.log(`Adam step, float32 on ${device}; nodetorch ${threads} thread(s)` + (pt.skipped ? `; PyTorch skipped (${pt.skipped})` : `; PyTorch ${pt.version}, ${pt.threads} thread(s)`) +
      `; medians of ${reps} steps, load ${os.loadavg()[0].toFixed(2)}\n`);
    console.log(`${'parameters'.padEnd(28)}${'nodetorch foreach'.padStart(20)}${'for-loop'.padStart(20)}${'PyTorch foreach'.padStart(20)}${'for-loop'.padStart(20)}   ms per step: median (best)`);
    header = true;
  }
  console.log(`${`${name} (${total} el.)`.padEnd(28)}${f(nt.foreach_ms).padStart(20)}${f(nt.loop_ms).padStart(20)}${f(pt.foreach_ms).padStart(20)}${f(pt.loop_ms).padStart(20)}`);
}
