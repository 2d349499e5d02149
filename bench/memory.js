#!/usr/bin/env node
// memory.js - resident memory of a long plain training loop beside PyTorch (issue 14): ResNet-18 (batch 16,
// 3x64x64, cross-entropy, SGD momentum, 2 threads) trained for --steps steps (default 400) WITHOUT tidy/dispose,
// as a PyTorch user writes it; RSS (VmRSS) and nodetorch's live tensor bytes are sampled every few steps, and the
// peak (VmHWM) is read at the end. Then the cost of a short-lived fresh 4 MiB output (relu, clone; transparent huge
// pages made it 2-4x slower): each op once per iteration, freed at once (tidy) and left to the garbage collector.
// Each side runs in a process of its own (fresh RSS); rounds alternate (bench/common.js), figures are medians.
// A benchmark, not a test. Usage: node bench/memory.js [--steps N] [--rounds R] [--threads N] [--no-torch] [--tidy] [--lib DIR]
//   (needs dist/ built: npx tsc -p tsconfig.json; --lib points at another build's dist/ to measure a before/after)
'use strict';
const { alternateRounds, hostLine } = require('./common');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const steps = Number(opt('--steps') || 400);
const threads = Number(opt('--threads') || 2);
const useTidy = argv.includes('--tidy');

const statusMiB = (key) => Number(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

// the child: one side's measurement, printed as one JSON line
function child() {
  const torch = require(path.resolve(opt('--lib') || path.join(__dirname, '../dist'), 'index.js'));
  const F = torch.nn.functional;
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const model = require('./resnet_model')(torch);
  model.train();
  const sgd = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn([16, 3, 64, 64]), y = torch.randint(0, 1000, [16]);
  const paramMiB = model.parameters().reduce((s, p) => s + p.numel() * 4, 0) / 2 ** 20;
  const step = () => { sgd.zeroGrad(); F.crossEntropy(model.call(x), y).backward(); sgd.step(); };
  const rss = [], live = [];
  const t0 = now();
  for (let i = 0; i < steps; i++) {
    if (useTidy) torch.tidy(step); else step();
    if (i % 10 === 9 || i === 0) { rss.push(statusMiB('VmRSS')); live.push(torch.memory().bytes / 2 ** 20); }
  }
  const stepMs = steps ? (now() - t0) / steps : 0;
  if (!rss.length) { rss.push(statusMiB('VmRSS')); live.push(torch.memory().bytes / 2 ** 20); }  // --steps 0: the 4 MiB ops only
  const k = Math.max(1, Math.floor(rss.length / 10));  // the first and last tenth of the samples
  const avg = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const res = {
    paramMiB, stepMs,
    rssStart: avg(rss.slice(0, k)), rssEnd: avg(rss.slice(-k)), rssMax: Math.max(...rss), hwm: statusMiB('VmHWM'),
    liveMin: Math.min(...live), liveMax: Math.max(...live)
  };
  // short-lived fresh 4 MiB outputs
  const a = torch.randn([1024, 1024]);
  const per = (fn, n) => { for (let i = 0; i < 20; i++) fn(); const ts = []; for (let r = 0; r < 7; r++) { const t = now(); for (let i = 0; i < n; i++) fn(); ts.push((now() - t) / n); } ts.sort((p, q) => p - q); return ts[3]; };
  res.reluTidyMs = per(() => torch.tidy(() => { torch.relu(a); }), 200);
  res.cloneTidyMs = per(() => torch.tidy(() => { a.clone(); }), 200);
  res.reluGcMs = per(() => { torch.relu(a); }, 200);
  res.cloneGcMs = per(() => { a.clone(); }, 200);
  console.log(JSON.stringify(res));
}

function runSide(cmd, args, env) {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 3600e3, maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) { return { error: String(e.message || e).split('\n')[0] }; }
}

if (argv.includes('--child')) { child(); return; }
const passArgs = ['--steps', String(steps), '--threads', String(threads), ...(useTidy ? ['--tidy'] : []), ...(opt('--lib') ? ['--lib', opt('--lib')] : [])];
const node = () => runSide(process.execPath, [__filename, '--child', ...passArgs]);
const py = () => runSide('/usr/bin/python3', [path.join(__dirname, 'memory_torch.py'), String(steps), String(threads)],
  { OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY || 'PASSIVE' });
const rounds = Math.max(1, Number(opt('--rounds') || 1));
const { n, t } = alternateRounds(node, py, rounds, argv.includes('--no-torch'));
if (n.error) { console.error(n.error); process.exit(1); }
console.log(hostLine());
console.log(`ResNet-18 training loop, batch 16, 3x64x64, ${steps} steps ${useTidy ? 'inside tidy' : 'without tidy'}, ${threads} thread(s) each, medians of ${rounds} alternating round(s)${t.error ? ` (PyTorch: ${t.error})` : `, PyTorch ${t.version}`}`);
console.log(`${'figure'.padEnd(44)} ${'nodetorch'.padStart(10)} ${'pytorch'.padStart(10)}`);
const row = (name, a, b, d = 0) => console.log(`${name.padEnd(44)} ${a.toFixed(d).padStart(10)} ${typeof b === 'number' ? b.toFixed(d).padStart(10) : '       n/a'}`);
row('RSS after the first steps (MiB)', n.rssStart, t.rssStart);
row(`RSS over the last steps (MiB)`, n.rssEnd, t.rssEnd);
row('RSS max of samples (MiB)', n.rssMax, t.rssMax);
row('peak RSS, VmHWM (MiB)', n.hwm, t.hwm);
console.log(`${'live tensor bytes, min..max (MiB)'.padEnd(44)} ${`${n.liveMin.toFixed(0)}..${n.liveMax.toFixed(0)}`.padStart(10)}`);
row('parameters (MiB)', n.paramMiB, t.paramMiB);
row('train step (ms)', n.stepMs, t.stepMs, 1);
row('relu 4 MiB, fresh output, freed at once (ms)', n.reluTidyMs, t.reluMs, 3);
row('clone 4 MiB, freed at once (ms)', n.cloneTidyMs, t.cloneMs, 3);
row('relu 4 MiB, left to the GC (ms)', n.reluGcMs, t.reluMs, 3);
row('clone 4 MiB, left to the GC (ms)', n.cloneGcMs, t.cloneMs, 3);
