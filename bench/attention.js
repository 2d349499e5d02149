#!/usr/bin/env node
// attention.js - the attention functions and modules: F.multiHeadAttentionForward (self-attention, the packed
// in-projection), F.scaledDotProductAttention (causal), nn.TransformerEncoderLayer forward and forward + backward, in
// float32 against PyTorch 1.13 on the same shapes (bench/attention_torch.py; PyTorch 1.13 has no
// scaled_dot_product_attention: its side times the same formula written out). Single-thread CPU milliseconds per call
// (process.cpuUsage / time.process_time), median of --rounds alternating rounds of nodetorch and PyTorch.
//   node bench/attention.js [--rounds 5] [--calls 20] [--no-torch]       (npm run build:ts first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 5);
const calls = Number(opt('--calls') ?? 20);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
const F = torch.nn.functional;

// L=64 tokens, N=8 sequences, E=128, 8 heads (PyTorch's [L, N, E] layout)
const L = 64, N = 8, E = 128, H = 8;
torch.manualSeed(0);
const q = torch.randn([L, N, E]);
const inW = torch.randn([3 * E, E]).mul(0.05), inB = torch.zeros([3 * E]), outW = torch.randn([E, E]).mul(0.05), outB = torch.zeros([E]);
const qh = torch.randn([N, H, L, E / H]);
const layer = new torch.nn.TransformerEncoderLayer(E, H, 4 * E, 0.0);
const xg = torch.randn([L, N, E]).requiresGrad_(true);
const OPS = {
  'multi_head_attention_forward (self, weights averaged)': () => torch.noGrad(() => F.multiHeadAttentionForward(q, q, q, E, H, inW, inB, null, null, false, 0, outW, outB, false)),
  'scaled_dot_product_attention (causal, [8, 8, 64, 16])': () => torch.noGrad(() => F.scaledDotProductAttention(qh, qh, qh, null, 0, true)),
  'TransformerEncoderLayer forward (no grad)': () => torch.noGrad(() => layer.call(q)),
  'TransformerEncoderLayer forward + backward': () => { layer.call(xg).sum().backward(); },
};
function perCall(fn) {
  for (let i = 0; i < 3; i++) torch.tidy(fn);
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) torch.tidy(fn);
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
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'attention_torch.py'), String(calls)], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t: pt } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(`attention, float32, single-thread CPU milliseconds per call (median of ${rounds} rounds x ${calls} calls); ${hostLine()}`);
console.log('| call | nodetorch | PyTorch 1.13 |');
console.log('|---|---|---|');
for (const name of Object.keys(OPS)) {
  const p = pt.error ? pt.error : pt[name] !== undefined ? pt[name].toFixed(2) : '-';
  console.log(`| ${name} | ${n[name].toFixed(2)} | ${p} |`);
}
