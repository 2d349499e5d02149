#!/usr/bin/env node
// linalg.js - torch.linalg's factorizations (native/cpu/linalg.cc) against PyTorch 1.13 (LAPACK through MKL/OpenBLAS)
// on the same shapes (bench/linalg_torch.py): float64 and float32, one matrix and a batch. Single-thread CPU
// milliseconds per call (process.cpuUsage / time.process_time), median of --rounds alternating rounds of nodetorch and
// PyTorch.
//   node bench/linalg.js [--rounds 5] [--calls 10] [--no-torch]       (npm run build:ts first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 5);
const calls = Number(opt('--calls') ?? 10);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
const L = torch.linalg;

torch.manualSeed(0);
const A64 = torch.randn([64, 64], { dtype: 'float64' });
const S64 = A64.matmul(A64.mT).add(torch.eye(64, { dtype: 'float64' }).mul(64));
const Ab = torch.randn([256, 8, 8]);
const Sb = Ab.matmul(Ab.mT).add(torch.eye(8).mul(8));
const B64 = torch.randn([64, 8], { dtype: 'float64' });
const OPS = {
  'det [64, 64] float64': () => L.det(A64),
  'inv [64, 64] float64': () => L.inv(A64),
  'solve [64, 64] x [64, 8] float64': () => L.solve(A64, B64),
  'cholesky [64, 64] float64': () => L.cholesky(S64),
  'qr [64, 64] float64': () => L.qr(A64),
  'eigh [64, 64] float64': () => L.eigh(S64),
  'svd [64, 64] float64': () => L.svd(A64),
  'inv [256, 8, 8] float32': () => L.inv(Ab),
  'eigh [256, 8, 8] float32': () => L.eigh(Sb),
  'svd [256, 8, 8] float32': () => L.svd(Ab),
};
function perCall(fn) {
  for (let i = 0; i < 2; i++) torch.tidy(() => { fn(); });
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) torch.tidy(() => { fn(); });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls / 1000;  // milliseconds
}
function bench() {
  const r = {};
  for (const [name, f] of Object.entries(OPS)) r[name] = perCall(f);
  return r;
}
function runTorch() {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'linalg_torch.py'), String(calls)], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t: pt } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(`torch.linalg, single-thread CPU milliseconds per call (median of ${rounds} rounds x ${calls} calls); ${hostLine()}`);
console.log('| call | nodetorch | PyTorch 1.13 |');
console.log('|---|---|---|');
for (const name of Object.keys(OPS)) {
  const p = pt.error ? pt.error : pt[name] !== undefined ? pt[name].toFixed(2) : '-';
  console.log(`| ${name} | ${n[name].toFixed(2)} | ${p} |`);
}
