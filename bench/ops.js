#!/usr/bin/env node
// ops.js - nodetorch beside PyTorch CPU on the same operations, sizes and thread count (medians of several runs):
// matmul 256/1024/2048 float32 in GFLOP/s, add of 10M float32 in GB/s (3 arrays x 4 bytes x n), sum of 10M in GB/s,
// and the per-call cost of tiny ops in microseconds. A benchmark, not a test: it asserts nothing.
// Both sides run --rounds times (default 3), alternating, so that a noisy neighbour hits both alike; each figure is
// the median over rounds of the per-round medians.
// Usage: node bench/ops.js [--threads N] [--rounds R] [--quick] [--no-torch]      (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const os = require('os');
const torch = require('../dist/index.js');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const quick = argv.includes('--quick');
if (opt('--threads')) torch.setNumThreads(Number(opt('--threads')));
const threads = torch.getNumThreads();

const now = () => Number(process.hrtime.bigint()) / 1e9;
function medianTime(fn, reps, warmup = 2) {
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  for (let i = 0; i < reps; i++) { const t = now(); fn(); ts.push(now() - t); }
  ts.sort((a, b) => a - b);
  return [ts[ts.length >> 1], ts[0]];
}
function perCallUs(fn, n, rounds = 7) {
  for (let i = 0; i < n / 10 + 1; i++) fn();
  const ts = [];
  for (let r = 0; r < rounds; r++) {
    const t = now();
    for (let i = 0; i < n; i++) fn();
    ts.push((now() - t) / n * 1e6);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

function benchNodetorch() {
  const res = { threads, simd: torch.config().simd, matmul: {} };
  torch.manualSeed(0);
  for (const n of quick ? [256, 1024] : [256, 1024, 2048]) {
    const a = torch.randn([n, n]), b = torch.randn([n, n]);
    const reps = { 256: 50, 1024: 10, 2048: 5 }[n];
    const [med, best] = medianTime(() => torch.tidy(() => { torch.matmul(a, b); }), reps);
    res.matmul[n] = { gflops: 2 * n ** 3 / med / 1e9, best: 2 * n ** 3 / best / 1e9 };
  }
  const N = 10_000_000;
  const x = torch.randn([N]), y = torch.randn([N]);
  res.add_gbs = 3 * 4 * N / medianTime(() => torch.tidy(() => { torch.add(x, y); }), quick ? 5 : 11)[0] / 1e9;
  res.sum_gbs = typeof x.sum === 'function' ? 4 * N / medianTime(() => torch.tidy(() => { x.sum(); }), quick ? 5 : 11)[0] / 1e9 : null;
  const s4 = torch.randn([4]), t4 = torch.randn([4]), m4a = torch.randn([4, 4]), m4b = torch.randn([4, 4]);
  const iters = quick ? 2000 : 20000;
  res.tiny_us = {
    'add [4]+[4]': perCallUs(() => torch.add(s4, t4), iters),
    'mul [4]*2.0': perCallUs(() => torch.mul(s4, 2.0), iters),
    'matmul 4x4': perCallUs(() => torch.matmul(m4a, m4b), iters),
  };
  return res;
}

function benchTorch() {
  const py = '/usr/bin/python3';
  try {
    execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return { skipped: `PyTorch not importable by ${py}` };
  }
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const out = execFileSync(py, [path.join(__dirname, 'ops_torch.py'), String(threads), quick ? '1' : '0'], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

// median over rounds of every number in a list of same-shaped results
function mergeRounds(rs) {
  const first = rs[0];
  if (typeof first === 'number') { const v = rs.slice().sort((a, b) => a - b); return v[v.length >> 1]; }
  if (first === null || typeof first !== 'object') return first;
  const out = Array.isArray(first) ? [] : {};
  for (const k of Object.keys(first)) out[k] = mergeRounds(rs.map((r) => r[k]));
  return out;
}
const rounds = Math.max(1, Number(opt('--rounds') || (quick ? 1 : 3)));
const load0 = os.loadavg()[0];
const ntRounds = [], ptRounds = [];
for (let r = 0; r < rounds; r++) {
  ntRounds.push(benchNodetorch());
  ptRounds.push(argv.includes('--no-torch') ? { skipped: '--no-torch' } : benchTorch());
  if (ptRounds[0].skipped) break;
}
for (let r = ntRounds.length; r < rounds; r++) ntRounds.push(benchNodetorch());
const nt = mergeRounds(ntRounds);
const pt = ptRounds[0].skipped ? ptRounds[0] : mergeRounds(ptRounds);
const f = (v, d = 1) => (v === null || v === undefined ? '-' : v.toFixed(d));
const ratio = (a, b, higherIsBetter) => (a == null || b == null ? '' : `${(higherIsBetter ? a / b : b / a).toFixed(2)}x`);
const rows = [];
for (const n of Object.keys(nt.matmul)) {
  const p = pt.matmul && pt.matmul[n];
  rows.push([`matmul ${n}x${n} f32 GFLOP/s (best)`, `${f(nt.matmul[n].gflops)} (${f(nt.matmul[n].best)})`, p ? `${f(p.gflops)} (${f(p.best)})` : '-', p ? ratio(nt.matmul[n].gflops, p.gflops, true) : '']);
}
rows.push(['add 10M f32 GB/s', f(nt.add_gbs), f(pt.add_gbs), ratio(nt.add_gbs, pt.add_gbs, true)]);
rows.push(['sum 10M f32 GB/s', nt.sum_gbs === null ? 'n/a (no sum)' : f(nt.sum_gbs), f(pt.sum_gbs), ratio(nt.sum_gbs, pt.sum_gbs, true)]);
for (const k of Object.keys(nt.tiny_us)) rows.push([`${k} us/call`, f(nt.tiny_us[k], 2), f(pt.tiny_us && pt.tiny_us[k], 2), ratio(nt.tiny_us[k], pt.tiny_us && pt.tiny_us[k], false)]);

console.log(require('./common').hostLine());
console.log(`nodetorch: ${nt.threads} thread(s), SIMD ${nt.simd}`);
if (pt.skipped) console.log(`PyTorch: skipped (${pt.skipped})`);
else console.log(`PyTorch ${pt.version}: torch.set_num_threads(${threads}) (reports ${pt.threads}), OMP/OPENBLAS/MKL_NUM_THREADS=${threads}, OMP_WAIT_POLICY ${process.env.OMP_WAIT_POLICY || 'default'}, BLAS ${pt.blas}`);
console.log(`medians of several runs, ${rounds} alternating round(s); ratio = nodetorch relative to PyTorch (>1 is faster); ${os.cpus().length} CPUs, load average ${load0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)} (others' work skews both columns)\n`);
const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length), ['', 'nodetorch', 'PyTorch', 'ratio'][i].length));
const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
console.log(line(['', 'nodetorch', 'PyTorch', 'ratio']));
for (const r of rows) console.log(line(r));
