#!/usr/bin/env node
// shape_more.js - CPU time per call of some of the ops of ops.schema's last section (lib/ops/shape_more.ts,
// index_more.ts, creation_more.ts) beside PyTorch's, single thread: microseconds of CPU time (process.cpuUsage /
// time.process_time, user + system) per call, medians over alternating rounds (bench/common.js). The shapes are small
// to medium (where the compositions' per-op overhead and scatter_reduce's host forward show).
// Usage: node bench/shape_more.js [--rounds R] [--n N] [--no-torch]   (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const { alternateRounds, hostLine } = require('./common');
const torch = require('../dist/index.js');

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const rounds = arg('--rounds', 5), N = arg('--n', 200), noTorch = process.argv.includes('--no-torch');
torch.setNumThreads(1);
torch.manualSeed(0);
const A = torch.randn([64, 64]), B = torch.randn([64, 64]), P = torch.randn([256, 3]), Q = torch.randn([256, 3]);
const T3 = torch.randn([16, 32, 64]), IDX = torch.randint(0, 64, [64, 64]), M = torch.randn([64, 64]).gt(0);
const S = torch.randn([4096]);
// [nodetorch call, PyTorch expression] (the Python side builds the same shapes: a, b, p, q, t3, idx, m, s)
const CASES = {
  'cross(p, q, dim=1) [256, 3]': [() => torch.cross(P, Q, { dim: 1 }), 'torch.cross(p, q, dim=1)'],
  'tensordot(t3, a, dims=([2], [0]))': [() => torch.tensordot(T3, A, { dims: [[2], [0]] }), 'torch.tensordot(t3, a, dims=([2], [0]))'],
  'diff(t3, dim=2)': [() => torch.diff(T3, { dim: 2 }), 'torch.diff(t3, dim=2)'],
  'repeat_interleave(a, 3, dim=0)': [() => torch.repeatInterleave(A, 3, 0), 'torch.repeat_interleave(a, 3, dim=0)'],
  'take_along_dim(a, idx, 1)': [() => torch.takeAlongDim(A, IDX, 1), 'torch.take_along_dim(a, idx, 1)'],
  'unfold(2, 8, 4) [16, 32, 64]': [() => T3.unfold(2, 8, 4), 't3.unfold(2, 8, 4)'],
  'scatter_reduce(a, 1, idx, b, amax)': [() => torch.scatterReduce(A, 1, IDX, B, 'amax'), "torch.scatter_reduce(a, 1, idx, b, 'amax')"],
  'masked_scatter(a, m, b)': [() => torch.maskedScatter(A, M, B), 'a.masked_scatter(m, b)'],
  'histogram(s, 32)': [() => torch.histogram(S, 32)[0], 'torch.histogram(s, 32)[0]'],
  'hann_window(1024)': [() => torch.hannWindow(1024), 'torch.hann_window(1024)'],
};
function us(f) {
  for (let i = 0; i < 20; i++) torch.tidy(f);
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) torch.tidy(f);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}
function bench() {
  const r = {};
  for (const [k, [f]] of Object.entries(CASES)) r[k] = us(f);
  return r;
}
const PY = `
import time, json, warnings, torch
warnings.simplefilter('ignore')
torch.set_num_threads(1)
torch.manual_seed(0)
a, b, p, q = torch.randn(64, 64), torch.randn(64, 64), torch.randn(256, 3), torch.randn(256, 3)
t3, idx, m, s = torch.randn(16, 32, 64), torch.randint(0, 64, (64, 64)), torch.randn(64, 64) > 0, torch.randn(4096)
N = ${N}
out = {}
for k, e in ${JSON.stringify(Object.fromEntries(Object.entries(CASES).map(([k, v]) => [k, v[1]])))}.items():
    f = eval('lambda: ' + e)
    for _ in range(20): f()
    t0 = time.process_time()
    for _ in range(N): f()
    out[k] = (time.process_time() - t0) / N * 1e6
print(json.dumps(out))
`;
function runTorch() {
  try { return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } })); } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(hostLine());
console.log(`CPU time per call (us), single thread, medians of ${rounds} alternating rounds of ${N} calls`);
console.log('| call | nodetorch | PyTorch 1.13 |');
console.log('|---|---|---|');
for (const k of Object.keys(CASES)) console.log(`| \`${k}\` | ${n[k].toFixed(1)} | ${t.error ? t.error : t[k].toFixed(1)} |`);
