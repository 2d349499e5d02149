#!/usr/bin/env node
// functional_call.js - the per-call cost of torch.nn.functional's schema rows (the one argument parser,
// lib/ops/args.ts) on tensors small enough that the call, not the kernel, is what is timed: each op called through
// the public F (positional and options forms, parsed) and through its implementation (lib/nn/functional.ts,
// convolution.ts: what nodetorch's modules call, no parsing), against PyTorch's F on the same shapes
// (bench/functional_call_torch.py). Single-thread CPU time per call (process.cpuUsage / time.process_time), median
// of --rounds alternating rounds of nodetorch and PyTorch.
//   node bench/functional_call.js [--rounds 5] [--calls 20000] [--no-torch]       (npm run build:ts first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const impl = { ...require('../dist/nn/functional.js'), ...require('../dist/nn/convolution.js') };
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 5);
const calls = Number(opt('--calls') ?? 20000);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
const F = torch.nn.functional;

const x = torch.randn([1, 2, 4, 4]), w = torch.randn([2, 2, 3, 3]), b = torch.randn([2]);
const a = torch.randn([4, 4]), t = torch.randn([4, 4]);
// name -> [public positional, public options form, implementation]
const OPS = {
  dropout_eval: [() => F.dropout(a, 0.5, false), () => F.dropout(a, { p: 0.5, training: false }), () => impl.dropout(a, 0.5, false, false)],
  max_pool2d: [() => F.maxPool2d(x, 2), () => F.maxPool2d(x, { kernelSize: 2 }), () => impl.maxPool2d(x, 2, null, 0, 1, false, false)],
  conv2d: [() => F.conv2d(x, w, b, 1, 1), () => F.conv2d(x, w, b, { padding: 1 }), () => impl.conv2d(x, w, b, 1, 1, 1, 1)],
  mse_loss: [() => F.mseLoss(a, t), () => F.mseLoss(a, t, { reduction: 'sum' }), () => impl.mseLoss(a, t, null, null, 'mean')],
  layer_norm: [() => F.layerNorm(a, [4]), () => F.layerNorm(a, [4], { eps: 1e-5 }), () => impl.layerNorm(a, [4], null, null, 1e-5)],
};
function perCall(fn) {
  for (let i = 0; i < 200; i++) torch.tidy(fn);
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) torch.tidy(fn);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;  // microseconds
}
function bench() {
  const r = {};
  for (const [name, [pos, opts, im]] of Object.entries(OPS)) {
    r[`${name} positional`] = perCall(pos); r[`${name} options`] = perCall(opts); r[`${name} impl`] = perCall(im);
  }
  return r;
}
function runTorch() {
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'functional_call_torch.py'), String(calls)], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t: pt } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(`F call cost, single-thread CPU microseconds per call (median of ${rounds} rounds x ${calls} calls); ${hostLine()}`);
console.log('| op | nodetorch F positional | F options | implementation (modules) | PyTorch F |');
console.log('|---|---|---|---|---|');
for (const name of Object.keys(OPS)) {
  const p = pt.error ? pt.error : pt[name] !== undefined ? pt[name].toFixed(2) : '-';
  console.log(`| ${name} | ${n[`${name} positional`].toFixed(2)} | ${n[`${name} options`].toFixed(2)} | ${n[`${name} impl`].toFixed(2)} | ${p} |`);
}
