#!/usr/bin/env node
// anomaly_checkpoint.js - what anomaly mode and checkpointing cost (lib/autograd/anomaly.ts, lib/utils/checkpoint.ts):
// single-thread CPU time (process.cpuUsage, user+system) of forward+backward of an MLP (8 Linear(256,256)+Tanh,
// batch 128): plain, in anomaly mode, and with checkpointSequential(4); median of --rounds (default 7) alternating
// rounds of --iters (default 20) steps each; plus the bytes held after the forward (torch.memory()).
// A benchmark, not a test. Usage: node bench/anomaly_checkpoint.js [--rounds R] [--iters N]
//   (needs dist/ built: npx tsc -p tsconfig.json)
'use strict';
const path = require('path');
const torch = require(path.join(__dirname, '..', 'dist'));
const argv = process.argv.slice(2);
const arg = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? Number(argv[i + 1]) : d; };
const rounds = arg('--rounds', 7), iters = arg('--iters', 20);
torch.setNumThreads(1);
torch.manualSeed(0);
const layers = [];
for (let i = 0; i < 8; i++) layers.push(new torch.nn.Linear(256, 256), new torch.nn.Tanh());
const net = new torch.nn.Sequential(...layers);
const x = torch.randn(128, 256).requiresGrad_();
const modes = {
  plain: () => net.call(x),
  anomaly: () => net.call(x),
  checkpoint4: () => torch.utils.checkpoint.checkpointSequential(net, 4, x),
};
const step = (name) => torch.tidy(() => {
  const run = () => { const y = modes[name](); y.sum().backward(); };
  if (name === 'anomaly') torch.autograd.detectAnomaly(run); else run();
  net.zeroGrad(); x.grad = null;
});
const times = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
process.removeAllListeners('warning');
for (let r = 0; r < rounds; r++) {
  for (const name of Object.keys(modes)) {
    step(name);
    const t0 = process.cpuUsage();
    for (let i = 0; i < iters; i++) step(name);
    const d = process.cpuUsage(t0);
    times[name].push((d.user + d.system) / 1000 / iters);
  }
}
const median = (a) => { const s = a.slice().sort((p, q) => p - q); return s[s.length >> 1]; };
for (const name of Object.keys(modes)) {
  const held = torch.tidy(() => { const b = torch.memory().bytes; const y = modes[name](); const h = torch.memory().bytes - b; void y; return h; });
  console.log(`${name.padEnd(12)} ${median(times[name]).toFixed(2).padStart(8)} ms CPU per forward+backward   held after forward: ${(held / 2 ** 20).toFixed(2)} MiB`);
}
