#!/usr/bin/env node
// nn3d.js - conv3d (forward; forward+backward), conv_transpose3d, avg_pool3d and ctc_loss (forward+backward) beside
// PyTorch CPU (bench/nn3d_torch.py), both single-threaded, CPU time (process.cpuUsage / time.process_time) per call,
// median of --reps calls; --rounds alternating rounds of nodetorch then PyTorch, the median over rounds reported.
// Usage: node bench/nn3d.js [--rounds R] [--reps K] [--no-torch]        (needs `npx tsc -p tsconfig.json` first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 3), reps = Number(opt('--reps') ?? 5);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
const F = torch.nn.functional;

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function med(fn) {
  fn();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t = cpu(); fn(); ts.push(cpu() - t); }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}
torch.manualSeed(0);
const x = torch.randn([4, 16, 16, 32, 32]), w = torch.randn([32, 16, 3, 3, 3]);
const xg = x.clone().requiresGrad_(), wg = w.clone().requiresGrad_();
const xt = torch.randn([4, 32, 8, 16, 16]), wt = torch.randn([32, 16, 3, 3, 3]);
const lpg = torch.randn([100, 16, 30]).logSoftmax(2).detach().requiresGrad_();
const tg = torch.randint(1, 30, [16, 30]);
const il = torch.full([16], 100, { dtype: 'int64' }), tl = torch.randint(10, 30, [16]);
function ours() {
  return {
    'conv3d fwd [4,16,16,32,32] * [32,16,3,3,3] pad 1': med(() => F.conv3d(x, w, null, 1, 1)),
    'conv3d fwd+bwd': med(() => { const y = F.conv3d(xg, wg, null, 1, 1); torch.autograd.grad([y.sum()], [xg, wg]); }),
    'conv_transpose3d fwd [4,32,8,16,16] stride 2': med(() => F.convTranspose3d(xt, wt, null, 2, 1, 1)),
    'avg_pool3d fwd k3 s2 p1': med(() => F.avgPool3d(x, 3, 2, 1)),
    'ctc_loss fwd+bwd T100 N16 C30 S30': med(() => { const l = F.ctcLoss(lpg, tg, il, tl); torch.autograd.grad([l], [lpg]); }),
  };
}
function theirs() {
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'nn3d_torch.py'), String(reps)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return JSON.parse(out.trim().split('\n').pop());
}
const runs = { nodetorch: [], torch: [] };
for (let r = 0; r < rounds; r++) {
  runs.nodetorch.push(ours());
  if (!noTorch) runs.torch.push(theirs());
}
const median = (a) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; };
console.log(`single thread, CPU seconds per call (median of ${reps} calls, median of ${rounds} alternating rounds)`);
console.log(`${'case'.padEnd(48)} ${'nodetorch'.padStart(10)} ${'PyTorch'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const k of Object.keys(runs.nodetorch[0])) {
  const a = median(runs.nodetorch.map((o) => o[k]));
  const b = noTorch ? NaN : median(runs.torch.map((o) => o[k]));
  console.log(`${k.padEnd(48)} ${a.toFixed(4).padStart(10)} ${noTorch ? '-'.padStart(10) : b.toFixed(4).padStart(10)} ${noTorch ? '' : (a / b).toFixed(2).padStart(6) + 'x'}`);
}
