#!/usr/bin/env node
// ops_more.js - opsA's ops on mid-sized float32 tensors: the special-function kernels (lgamma, digamma, erfinv, i0),
// composed elementwise ops (logaddexp, hypot), the in-place random fills, and the statistics (quantile, cdist,
// logcumsumexp, cov), against PyTorch 1.13 on the same shapes (bench/ops_more_torch.py). Single-thread CPU time per
// call in microseconds (process.cpuUsage / time.process_time), median of --rounds alternating rounds.
//   node bench/ops_more.js [--rounds 5] [--no-torch]                            (npx tsc -p tsconfig.json first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 5);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
torch.manualSeed(0);

const x = torch.rand([256, 256]).mul(5).add(0.1), u = torch.rand([256, 256]).mul(1.8).sub(0.9), y = torch.randn([256, 256]);
const a = torch.randn([128, 16]), b = torch.randn([96, 16]), buf = torch.empty([256, 256]);
const OPS = {
  lgamma: () => torch.lgamma(x), digamma: () => torch.digamma(x), erfinv: () => torch.erfinv(u), i0: () => torch.i0(x),
  logaddexp: () => torch.logaddexp(x, y), hypot: () => torch.hypot(x, y),
  'uniform_': () => buf.uniform_(), 'exponential_': () => buf.exponential_(), 'cauchy_': () => buf.cauchy_(),
  'quantile dim=1': () => torch.quantile(y, 0.3, 1), 'cdist 128x96x16': () => torch.cdist(a, b),
  'logcumsumexp dim=1': () => torch.logcumsumexp(y, 1), 'cov 256x256': () => torch.cov(y),
};
function perCall(fn, reps) {
  for (let i = 0; i < 3; i++) torch.tidy(fn);
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) torch.tidy(fn);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / reps;
}
function bench() {
  const r = {};
  for (const [name, f] of Object.entries(OPS)) r[name] = perCall(f, 20);
  return r;
}
function runTorch() {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'ops_more_torch.py')], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t: pt } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(`opsA ops, single-thread CPU microseconds per call (median of ${rounds} rounds x 20 calls); ${hostLine()}`);
console.log('| op | nodetorch | PyTorch 1.13 |');
console.log('|---|---|---|');
for (const name of Object.keys(OPS)) {
  const p = pt.error ? pt.error : pt[name] !== undefined ? pt[name].toFixed(0) : '-';
  console.log(`| ${name} | ${n[name].toFixed(0)} | ${p} |`);
}
