#!/usr/bin/env node
// creation_rows.js - the per-call cost of the creation ops' schema path (lib/ops/generated.ts: the one parser, the
// overload choice, impls.ts) beside a direct call of creation.ts's function and PyTorch's own call, for tiny results
// where argument handling is the whole cost: microseconds of CPU time (process.cpuUsage / time.process_time, user +
// system) per call, medians over alternating rounds (bench/common.js).
// Usage: node bench/creation_rows.js [--rounds R] [--n N] [--no-torch]   (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const { alternateRounds, hostLine } = require('./common');
const torch = require('../dist/index.js');
const C = require('../dist/ops/creation.js');

const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? Number(process.argv[i + 1]) : d; };
const rounds = arg('--rounds', 5), N = arg('--n', 50000), noTorch = process.argv.includes('--no-torch');
const g = new torch.Generator();
const CASES = {
  'zeros([2, 3])': [() => torch.zeros([2, 3]), () => C.zeros([2, 3]), 'torch.zeros((2, 3))'],
  'zeros(2, 3, { dtype })': [() => torch.zeros(2, 3, { dtype: 'float64' }), () => C.zeros(2, 3, { dtype: 'float64' }), 'torch.zeros(2, 3, dtype=torch.float64)'],
  'arange(1, 7)': [() => torch.arange(1, 7), () => C.arange(1, 7), 'torch.arange(1, 7)'],
  'randint(0, 10, [6])': [() => torch.randint(0, 10, [6]), () => C.randint(0, 10, [6]), 'torch.randint(0, 10, (6,))'],
  'rand(6, { generator })': [() => torch.rand(6, { generator: g }), () => C.rand(6, { generator: g }), 'torch.rand(6, generator=g)'],
  'zerosLike(x)': [() => torch.zerosLike(X), () => C.zerosLike(X), 'torch.zeros_like(x)'],
};
const X = torch.ones([2, 3]);
function us(f) {
  for (let i = 0; i < 1000; i++) f().dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) f().dispose();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / N;
}
function bench() {
  const r = {};
  for (const [k, [row, direct]] of Object.entries(CASES)) { r[`${k} row`] = us(row); r[`${k} direct`] = us(direct); }
  return r;
}
const PY = `
import time, json, torch
torch.set_num_threads(1)
g = torch.Generator(); x = torch.ones(2, 3)
N = ${N}
out = {}
for k, s in ${JSON.stringify(Object.fromEntries(Object.entries(CASES).map(([k, v]) => [k, v[2]])))}.items():
    f = eval('lambda: ' + s)
    for _ in range(1000): f()
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
console.log(`CPU time per call (us), medians of ${rounds} alternating rounds of ${N} calls`);
console.log('| call | nodetorch (schema row) | creation.ts direct | PyTorch |');
console.log('|---|---|---|---|');
for (const k of Object.keys(CASES)) console.log(`| \`${k}\` | ${n[`${k} row`].toFixed(2)} | ${n[`${k} direct`].toFixed(2)} | ${t.error ? t.error : t[k].toFixed(2)} |`);
