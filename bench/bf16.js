#!/usr/bin/env node
// bf16.js - CPU bfloat16 matmul and convolution: nodetorch's kernels (AMX tiles, AVX512-BF16 vdpbf16ps, and the
// float32-temporary path, each in its own process, picked with NODETORCH_NO_AMX / NODETORCH_NO_AVX512BF16) beside
// PyTorch's bfloat16 (oneDNN) on the same sizes and thread count; medians over alternating rounds (bench/common.js).
//   matmul: GFLOP/s (wall clock) at --threads (default 2) threads.
//   conv:   ms of CPU time (process.cpuUsage / time.process_time: user + system, all threads) per call, at
//           --conv-threads (default 1) threads: a conv2d [16,64,32,32] -> 64 3x3 pad 1 in bfloat16, forward and
//           forward + backward, and ResNet-18 inference (eval, batch 4, 224x224) under torch.autocast('cpu').
// Usage: node bench/bf16.js [--threads N] [--conv-threads N] [--rounds R] [--no-torch] [--only matmul|conv]
//        (needs `npx tsc` first: it loads ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const threads = Number(opt('--threads') ?? 2);
const convThreads = Number(opt('--conv-threads') ?? 1);
const only = opt('--only');
const SIZES = [256, 1024, 2048];

if (argv.includes('--child') && opt('--section') === 'conv') {
  // CPU time per call, median over reps
  const torch = require('../dist/index.js');
  torch.setNumThreads(convThreads);
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
  const timeIt = (fn, reps) => {
    for (let i = 0; i < 2; i++) torch.tidy(fn);
    const ts = [];
    for (let i = 0; i < reps; i++) { const t = cpu(); torch.tidy(fn); ts.push(cpu() - t); }
    ts.sort((a, b) => a - b);
    return ts[ts.length >> 1];
  };
  torch.manualSeed(0);
  const F = torch.nn.functional;
  const x = torch.randn([16, 64, 32, 32]).to('bfloat16'), w = torch.randn([64, 64, 3, 3]).mul(0.05).to('bfloat16');
  const res = { kernel: require('../dist/native.js').native.info().cpuBf16 };
  res.conv_fwd = timeIt(() => { F.conv2d(x, w, null, { padding: 1 }); }, 7);
  const xg = x.clone().requiresGrad_(true), wg = w.clone().requiresGrad_(true);
  res.conv_fwd_bwd = timeIt(() => { F.conv2d(xg, wg, null, { padding: 1 }).sum().backward(); xg.grad = null; wg.grad = null; }, 5);
  const model = require('./resnet_model.js')(torch);
  model.eval();
  const img = torch.randn([4, 3, 224, 224]);
  res.resnet18 = timeIt(() => { torch.noGrad(() => torch.autocast('cpu', () => model.call(img))); }, 3);
  process.stdout.write(JSON.stringify(res));
  process.exit(0);
}

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

const child = (env, section = 'matmul') => JSON.parse(execFileSync(process.execPath, [__filename, '--child', '--section', section,
  '--threads', String(threads), '--conv-threads', String(convThreads)], { env: { ...process.env, ...env }, encoding: 'utf8' }));
const runTorch = () => {
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'bf16_torch.py'), String(threads), SIZES.join(',')], { encoding: 'utf8' }));
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
};
const runTorchConv = () => {
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', [path.join(__dirname, 'bf16_torch.py'), String(convThreads), 'conv'], { encoding: 'utf8' }));
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
};
const rounds = Number(opt('--rounds') ?? 3);
const variants = [['auto', {}], ['AVX512-BF16', { NODETORCH_NO_AMX: '1', NODETORCH_CONV_BF16_AVX512: '1' }], ['float32 temporaries', { NODETORCH_NO_AVX512BF16: '1' }]];
console.log(hostLine());
if (only !== 'matmul') {
  const conv = variants.map(([name, env], i) => [name, alternateRounds(() => child(env, 'conv'), runTorchConv, rounds, i > 0 || argv.includes('--no-torch'))]);
  const tc = conv[0][1].t;
  console.log(`bfloat16 convolution, ${convThreads} thread(s), ms of CPU time per call (median of ${rounds} alternating rounds)`);
  console.log(['case'.padEnd(34), ...conv.map(([name, r]) => `${name} (${r.n.kernel})`.padEnd(30)), 'PyTorch 1.13'].join(''));
  for (const [key, label] of [['conv_fwd', 'conv [16,64,32,32]->64 3x3 fwd'], ['conv_fwd_bwd', '  forward + backward'], ['resnet18', 'ResNet-18 eval autocast, batch 4']]) {
    console.log([label.padEnd(34), ...conv.map(([, r]) => r.n[key].toFixed(1).padEnd(30)),
      tc.error ? tc.error : `${tc[key].toFixed(1)}  (nodetorch auto ${(tc[key] / conv[0][1].n[key]).toFixed(2)}x PyTorch's speed)`].join(''));
  }
}
if (only === 'conv') process.exit(0);
const results = variants.map(([name, env], i) => {
  const r = alternateRounds(() => child(env), runTorch, rounds, i > 0 || argv.includes('--no-torch'));
  return [name, r];
});
console.log(`bfloat16 matmul, ${threads} threads, GFLOP/s (median of ${rounds} alternating rounds)`);
const torchRes = results[0][1].t;
console.log(['size'.padEnd(8), ...results.map(([name, r]) => `${name} (${r.n.kernel})`.padEnd(30)), 'PyTorch'].join(''));
for (const n of SIZES) {
  console.log([String(n).padEnd(8), ...results.map(([, r]) => r.n[n].toFixed(1).padEnd(30)),
    torchRes.error ? torchRes.error : `${torchRes[n].toFixed(1)}  (nodetorch auto ${(results[0][1].n[n] / torchRes[n]).toFixed(2)}x)`].join(''));
}
