#!/usr/bin/env node
// nnutil.js - sequences and the full Transformer: an LSTM (2 layers, bidirectional) on a packed batch of unsorted
// lengths (forward + backward, through packPaddedSequence / padPackedSequence), the same LSTM on the padded batch,
// nn.Transformer forward + backward (2 encoder + 2 decoder layers, causal target mask), nn.init.orthogonal_ on a
// 512 x 512 weight, in float32 against PyTorch 1.13 on the same shapes (bench/nnutil_torch.py). Single-thread CPU
// milliseconds per call (process.cpuUsage / time.process_time), median of --rounds alternating rounds.
//   node bench/nnutil.js [--rounds 5] [--calls 5] [--no-torch]       (npm run build:ts first: ../dist)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const torch = require('../dist/index.js');
const { alternateRounds, hostLine } = require('./common');

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const rounds = Number(opt('--rounds') ?? 5);
const calls = Number(opt('--calls') ?? 5);
const noTorch = argv.includes('--no-torch');
torch.setNumThreads(1);
const nn = torch.nn, R = nn.utils.rnn;

// 16 sequences of lengths 8..50 (unsorted), 32 features, hidden 64
const B = 16, Lmax = 50, IN = 32, HID = 64;
const lengths = Array.from({ length: B }, (_, i) => 8 + ((i * 37) % (Lmax - 7)));
lengths[3] = Lmax;
torch.manualSeed(0);
const lstm = new nn.LSTM(IN, HID, { numLayers: 2, bidirectional: true });
const x = torch.randn([Lmax, B, IN]).requiresGrad_(true);
// Transformer: d_model 128, 8 heads, feedforward 512, S=32 source and T=24 target tokens, batch 8
const E = 128;
const tr = new nn.Transformer({ dModel: E, nhead: 8, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512, dropout: 0 });
const src = torch.randn([32, 8, E]).requiresGrad_(true), tgt = torch.randn([24, 8, E]).requiresGrad_(true);
const mask = nn.Transformer.generateSquareSubsequentMask(24);
const w = torch.empty([512, 512]);
const OPS = {
  'LSTM 2 layers bidirectional, packed (16 seqs of 8..50), forward + backward': () => {
    const [out] = lstm.call(R.packPaddedSequence(x, lengths, { enforceSorted: false }));
    R.padPackedSequence(out)[0].sum().backward();
  },
  'the same LSTM on the padded [50, 16, 32] batch, forward + backward': () => { lstm.call(x)[0].sum().backward(); },
  'Transformer (2+2 layers, d_model 128) forward + backward': () => { tr.call(src, tgt, null, mask).sum().backward(); },
  'init.orthogonal_ (512 x 512)': () => { nn.init.orthogonal_(w); },
};
function perCall(fn) {
  torch.tidy(fn);
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
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'nnutil_torch.py'), String(calls), JSON.stringify(lengths)], { env: { ...process.env, OMP_NUM_THREADS: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out);
  } catch (e) { return { error: String(e.message).split('\n')[0] }; }
}
const { n, t: pt } = alternateRounds(bench, runTorch, rounds, noTorch);
console.log(`nnutil, float32, single-thread CPU milliseconds per call (median of ${rounds} rounds x ${calls} calls); ${hostLine()}`);
console.log('| call | nodetorch | PyTorch 1.13 |');
console.log('|---|---|---|');
for (const name of Object.keys(OPS)) {
  const p = pt.error ? pt.error : pt[name] !== undefined ? pt[name].toFixed(2) : '-';
  console.log(`| ${name} | ${n[name].toFixed(2)} | ${p} |`);
}
