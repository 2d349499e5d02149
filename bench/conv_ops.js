#!/usr/bin/env node
// conv_ops.js - conv2d float32 per op (forward, input gradient, weight gradient) in single-thread CPU time
// (process.cpuUsage; PyTorch: time.process_time), the figure that survives a loaded machine: both sides at 1 thread,
// alternating rounds, per-op best of --reps within a round, median over rounds. Shapes: bench/conv.js's (issue 14)
// plus ResNet-18's remaining block shapes (128/256/512 channels at 8x8 / 4x4 / 2x2, batch 16).
// Usage: node bench/conv_ops.js [--rounds R] [--reps K] [--only SUBSTR] [--ops fwd,bwd_in,bwd_w] [--no-torch]   (needs `npx tsc` first)
// AVX2 on an AVX-512 host: NODETORCH_CPU_ISA=avx2 (PyTorch capped alike). Before / after: a copy of the earlier build's
// addon through NODETORCH_ADDON=/path/nodetorch.node with --no-torch, alternated with the current one.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, torchIsaEnv, hostIsaLine } = require('./common');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
torch.setNumThreads(1);
const rounds = Number(opt('--rounds') ?? 3), reps = Number(opt('--reps') ?? 5);
const only = opt('--only');
const OPS = (opt('--ops') ?? 'fwd,bwd_in,bwd_w').split(',');
const ALL = require('./conv_shapes');
const SHAPES = ALL.filter(([n]) => !only || n.includes(only));
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function best(fn) {
  fn();
  let b = Infinity;
  for (let i = 0; i < reps; i++) { const t = cpu(); fn(); b = Math.min(b, cpu() - t); }
  return b * 1000;
}
function bench() {
  torch.manualSeed(0);
  const F = torch.nn.functional, res = {};
  for (const [name, xs, OC, k, s, p] of SHAPES) {
    const x = torch.randn(xs), w = torch.randn([OC, xs[1], k, k]), b = torch.randn([OC]);
    const o = { stride: s, padding: p };
    if (OPS.includes('fwd')) res[name + '|fwd'] = best(() => torch.tidy(() => { torch.noGrad(() => F.conv2d(x, w, b, o)); }));
    const xg = x.clone().requiresGrad_(true), wg = w.clone().requiresGrad_(true);
    const yx = F.conv2d(xg, w, b, o), gy = torch.randn(yx.shape);
    if (xs[1] > 1 && OPS.includes('bwd_in')) res[name + '|bwd_in'] = best(() => torch.tidy(() => { torch.autograd.grad([yx], [xg], { gradOutputs: [gy], retainGraph: true }); }));
    const yw = F.conv2d(x, wg, null, o);
    if (OPS.includes('bwd_w')) res[name + '|bwd_w'] = best(() => torch.tidy(() => { torch.autograd.grad([yw], [wg], { gradOutputs: [gy], retainGraph: true }); }));
  }
  return res;
}
function runTorch() {
  try {
    const env = { ...process.env, ...torchIsaEnv(), OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'conv_ops_torch.py'), String(reps), JSON.stringify(SHAPES), OPS.join(',')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t } = alternateRounds(bench, runTorch, rounds, argv.includes('--no-torch'));
console.log(hostIsaLine());
console.log(`conv2d float32 per op, 1 thread, CPU ms (best of ${reps} per round, median of ${rounds} alternating rounds); ratio = PyTorch / nodetorch (>1: nodetorch faster)`);
if (t.error) console.log(`PyTorch: ${t.error}`);
console.log(`${'shape'.padEnd(40)} ${'op'.padEnd(7)} ${'nodetorch'.padStart(9)} ${'PyTorch'.padStart(9)} ${'ratio'.padStart(6)}`);
const sum = {};
for (const key of Object.keys(n)) {
  const [name, op] = key.split('|'), tv = t.error ? NaN : t[key];
  if (name.startsWith('resnet')) { sum[op] = sum[op] || [0, 0]; sum[op][0] += n[key]; sum[op][1] += tv; }
  console.log(`${name.padEnd(40)} ${op.padEnd(7)} ${n[key].toFixed(2).padStart(9)} ${(tv ?? NaN).toFixed(2).padStart(9)} ${(tv / n[key]).toFixed(2).padStart(6)}`);
}
for (const [op, [a, b]] of Object.entries(sum)) console.log(`${'sum of the resnet rows'.padEnd(40)} ${op.padEnd(7)} ${a.toFixed(2).padStart(9)} ${b.toFixed(2).padStart(9)} ${(b / a).toFixed(2).padStart(6)}`);
