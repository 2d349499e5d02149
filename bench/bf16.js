#!/usr/bin/env node
// bf16.js - CPU bfloat16 matmul: nodetorch's kernels (AMX tiles, AVX512-BF16 vdpbf16ps, and the float32-temporary
// path, each in its own process, picked with NODETORCH_NO_AMX / NODETORCH_NO_AVX512BF16) beside PyTorch's bfloat16
// matmul on the same sizes and thread count, in GFLOP/s; medians over alternating rounds (bench/common.js).
// Usage: node bench/bf16.js [--threads N] [--rounds R] [--no-torch]     (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const threads = Number(opt('--threads') ?? 2);
const SIZES = [256, 1024, 2048];

if (argv.includes('--child')) {
  const torch = require('../dist/index.js');
  torch.setNumThreads(threads);
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const res = {};
  torch.manualSeed(0);
  for (const n of SIZES) {
    const a = torch.randn([n, n]).to('bfloat16'), b = torch.randn([n, n]).to('bfloat16');
    const reps = n <= 256 ? 30 : n <= 1024 ? 7 : 3;
    for (let i = 0; i < 2; i++) torch.tidy(() => { torch.matmul(a, b); });
    const ts = [];
    for (let i = 0; i < reps; i++) { const t = now(); torch.tidy(() => { torch.matmul(a, b); }); ts.push(now() - t); }
    ts.sort((x, y) => x - y);
    res[n] = 2 * n ** 3 / ts[ts.length >> 1] / 1e9;
  }
  process.stdout.write(JSON.stringify({ kernel: require('../dist/native.js').native.info().cpuBf16, ...res }));
  process.exit(0);
}

const child = (env) => JSON.parse(execFileSync(process.execPath, [__filename, '--child', '--threads', String(threads)],
  { env: { ...process.env, ...env }, encoding: 'utf8' }));
const runTorch = () => {
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'bf16_torch.py'), String(threads), SIZES.join(',')], { encoding: 'utf8' }));
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
};
const rounds = Number(opt('--rounds') ?? 3);
const variants = [['auto', {}], ['AVX512-BF16', { NODETORCH_NO_AMX: '1' }], ['float32 temporaries', { NODETORCH_NO_AVX512BF16: '1' }]];
const results = variants.map(([name, env], i) => {
  const r = alternateRounds(() => child(env), runTorch, rounds, i > 0 || argv.includes('--no-torch'));
  return [name, r];
});
console.log(hostLine());
console.log(`bfloat16 matmul, ${threads} threads, GFLOP/s (median of ${rounds} alternating rounds)`);
const torchRes = results[0][1].t;
console.log(['size'.padEnd(8), ...results.map(([name, r]) => `${name} (${r.n.kernel})`.padEnd(30)), 'PyTorch'].join(''));
for (const n of SIZES) {
  console.log([String(n).padEnd(8), ...results.map(([, r]) => r.n[n].toFixed(1).padEnd(30)),
    torchRes.error ? torchRes.error : `${torchRes[n].toFixed(1)}  (nodetorch auto ${(results[0][1].n[n] / torchRes[n]).toFixed(2)}x)`].join(''));
}
