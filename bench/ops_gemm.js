#!/usr/bin/env node
// ops_gemm.js - float32 GEMM beside PyTorch CPU (OpenBLAS) by CPU time: square products 256..2048 and the products of
// bench/ddp.js's MLP step (784-1024-1024-10, batch 64: the Linear forwards with their bias, and the backward's
// dx = dy @ W and dW = dy^T @ x), on --threads threads (default 1). Each side times a product in short chunks of
// calls and keeps the fastest chunk's CPU time per call (process.cpuUsage / time.process_time), so that other
// processes on a shared machine slow neither side much; the sides alternate --rounds times (default 3) and each
// figure is the median over rounds. GFLOP/s = 2*m*n*k / CPU seconds (at 1 thread, CPU time is the wall time of an
// idle machine). A benchmark, not a test: it asserts nothing.
// NODETORCH_CPU_ISA=avx2 caps nodetorch at AVX2 and sets OPENBLAS_CORETYPE=Haswell for PyTorch (unless set), so
// both sides run their AVX2 kernels (an AVX2-only host, measured on an AVX-512 one).
// --only skinny: the 10-class output layer's three products (forward x @ W^T, input gradient dy @ W, weight gradient
// dy^T @ x, with 1024 features) at batch 1, 16, 64 and 256, each in the three layouts nn, nt and tn (issue 14).
// Usage: node bench/ops_gemm.js [--threads N] [--rounds R] [--quick] [--no-torch] [--only squares|mlp|skinny]
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { hostLine, median } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const threads = Number(opt('--threads') || 1);
const rounds = Math.max(1, Number(opt('--rounds') || 3));
const quick = argv.includes('--quick');
const only = opt('--only');

// [label, m, k, n, kind]: 'nn' A @ B; 'nt' A @ B^T (B stored [n, k]); 'tn' A^T @ B (A stored [k, m]);
// 'linear' F.linear(x [m,k], W [n,k], bias [n]) = x @ W^T + bias
const SQUARES = (quick ? [256, 1024] : [256, 512, 1024, 2048]).map((s) => [`${s}x${s}x${s}`, s, s, s, 'nn']);
const MLP = [
  ['fwd1 linear 64x784 -> 1024', 64, 784, 1024, 'linear'],
  ['fwd2 linear 64x1024 -> 1024', 64, 1024, 1024, 'linear'],
  ['fwd3 linear 64x1024 -> 10', 64, 1024, 10, 'linear'],
  ['dx3 = dy @ W3 (64x10 @ 10x1024)', 64, 10, 1024, 'nn'],
  ['dW3 = dy^T @ h2 (10x64 @ 64x1024)', 10, 64, 1024, 'tn'],
  ['dx2 = dy @ W2 (64x1024 @ 1024x1024)', 64, 1024, 1024, 'nn'],
  ['dW2 = dy^T @ h1 (1024x64 @ 64x1024)', 1024, 64, 1024, 'tn'],
  ['dW1 = dy^T @ x (1024x64 @ 64x784)', 1024, 64, 784, 'tn'],
];
// the 10-class head: forward [b,1024] x [1024,10], input gradient [b,10] x [10,1024], weight gradient [10,b] x [b,1024]
const SKINNY = [];
for (const b of quick ? [1, 64] : [1, 16, 64, 256])
  for (const [what, m, k, n] of [['fwd', b, 1024, 10], ['dx', b, 10, 1024], ['dW', 10, b, 1024]])
    for (const kind of ['nn', 'nt', 'tn']) SKINNY.push([`10-class ${what} b=${b} ${kind} (${m}x${k} @ ${k}x${n})`, m, k, n, kind]);
const SHAPES = only === 'squares' ? SQUARES : only === 'mlp' ? MLP : only === 'skinny' ? SKINNY : [...SQUARES, ...MLP, ...SKINNY];

function benchNodetorch() {
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const out = {};
  for (const [label, m, k, n, kind] of SHAPES) {
    const a = kind === 'tn' ? torch.randn([k, m]).t() : torch.randn([m, k]);
    const b = kind === 'nt' || kind === 'linear' ? torch.randn([n, k]) : torch.randn([k, n]);
    const bias = torch.randn([n]);
    const fn = kind === 'linear' ? () => torch.nn.functional.linear(a, b, bias) : kind === 'nt' ? () => torch.matmul(a, b.t()) : () => torch.matmul(a, b);
    const flop = 2 * m * n * k;
    const per = Math.max(1, Math.min(4000, Math.round(1.5e8 / flop))), chunks = quick ? 10 : 30;
    for (let i = 0; i < 2 * per; i++) torch.tidy(() => { fn(); });
    let best = Infinity;
    for (let c = 0; c < chunks; c++) {
      const t = cpu();
      for (let i = 0; i < per; i++) torch.tidy(() => { fn(); });
      best = Math.min(best, (cpu() - t) / per);
    }
    out[label] = flop / best / 1e9;
  }
  return out;
}

function benchTorch() {
  const py = '/usr/bin/python3';
  try { execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' }); } catch { return null; }
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  if (process.env.NODETORCH_CPU_ISA === 'avx2' && !env.OPENBLAS_CORETYPE) env.OPENBLAS_CORETYPE = 'Haswell';
  const o = execFileSync(py, [path.join(__dirname, 'ops_gemm_torch.py'), String(threads), quick ? '1' : '0', JSON.stringify(SHAPES)], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(o.trim().split('\n').pop());
}

const nt = [], pt = [];
for (let r = 0; r < rounds; r++) {
  nt.push(benchNodetorch());
  if (!argv.includes('--no-torch')) { const t = benchTorch(); if (t) pt.push(t); }
}
const coretype = process.env.OPENBLAS_CORETYPE || (process.env.NODETORCH_CPU_ISA === 'avx2' ? 'Haswell' : 'auto');
console.log(hostLine());
console.log(`nodetorch ${torch.config().simd}${process.env.NODETORCH_CPU_ISA ? ` (NODETORCH_CPU_ISA=${process.env.NODETORCH_CPU_ISA})` : ''} beside ` +
  (pt.length ? `PyTorch ${pt[0].version} (${pt[0].blas}, OPENBLAS_CORETYPE ${coretype})` : 'no PyTorch') +
  `, ${threads} thread(s); GFLOP/s by CPU time, fastest chunk per round, median of ${rounds} alternating round(s); ratio > 1: nodetorch faster\n`);
const rows = [['product (float32)', 'nodetorch', 'PyTorch', 'ratio', 'µs/call nodetorch', 'PyTorch']];
let tn = 0, tp = 0;
for (const [label, m, k, n] of SHAPES) {
  const a = median(nt.map((r) => r[label])), b = pt.length ? median(pt.map((r) => r.gflops[label])) : null;
  const us = (g) => (2 * m * n * k / g / 1e3).toFixed(g > 0 && 2 * m * n * k / g / 1e3 < 100 ? 1 : 0);
  rows.push([label, a.toFixed(1), b ? b.toFixed(1) : '-', b ? (a / b).toFixed(2) + 'x' : '', us(a), b ? us(b) : '-']);
  if (MLP.some((s) => s[0] === label)) { tn += 2 * m * n * k / a / 1e6; if (b) tp += 2 * m * n * k / b / 1e6; }
}
if (tn) rows.push(['MLP step products, ms in all', tn.toFixed(3), tp ? tp.toFixed(3) : '-', tp ? (tp / tn).toFixed(2) + 'x' : '', '', '']);
const w = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  '));
