#!/usr/bin/env node
// ddp.js - DistributedDataParallel on Gloo: 2 ranks x 1 thread against 1 process x 1 thread, beside PyTorch's DDP
// (Gloo) on the same machine, models and batches: an MLP 784-1024-1024-10 and a small CNN (conv 1->16->32, 28x28),
// 64 samples per rank, SGD. Figures per model: the median step time of rank 0, throughput (samples/s over all
// ranks), scaling (2-rank throughput / 1-process throughput), and a step without overlap (backward under noSync,
// then one all-reduce of all gradients concatenated, averaged and copied back, the same ops on both sides) against
// DDP's bucketed all-reduces that start during backward; and the CPU time per step of rank 0 (all its threads).
// A benchmark, not a test: it asserts nothing. Each configuration runs --rounds times (default 3), nodetorch and
// PyTorch alternating; each figure is the median over rounds of the per-round medians.
// Usage: node bench/ddp.js [--model mlp,cnn] [--steps N] [--warmup W] [--rounds R] [--stat median|p25] [--no-torch]
// (needs `npx tsc` and the Gloo binding; --stat p25: each configuration's first-quartile step, which a loaded
// machine inflates less than the median)
'use strict';
const { spawn, execFileSync } = require('child_process');
const path = require('path');
const net = require('net');

const argv = process.argv.slice(2);
const opt = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };

if (argv[0] === '--worker') { worker(); } else { main(); }

function worker() {
  const torch = require('../dist/index.js');
  const { nn, optim } = torch; const dist = torch.distributed; const F = nn.functional;
  const [model, mode, steps, warm] = [opt('--model'), opt('--mode'), Number(opt('--steps', '40')), Number(opt('--warmup', '10'))];
  torch.setNumThreads(1);
  const ws = Number(process.env.WORLD_SIZE || '1');
  if (mode !== 'single') dist.initProcessGroup({ backend: 'gloo' });
  torch.manualSeed(0);
  const net = model === 'mlp'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10))
    : new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(32 * 7 * 7, 10));
  const m = mode === 'single' ? net : new nn.parallel.DistributedDataParallel(net);
  const params = net.parameters();
  const opt_ = new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn([64, 1, 28, 28]); const y = torch.randint(0, 10, [64]);
  const times = []; const cpus = [];
  for (let s = 0; s < steps + warm; s++) {
    if (mode !== 'single') dist.barrier();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    torch.tidy(() => {
      opt_.zeroGrad();
      if (mode === 'nooverlap') {
        m.noSync(() => F.crossEntropy(m.call(x), y).backward());
        // op for op as ddp_torch.py: cat, one all-reduce (sum), divide, copy back. The engine's all-reduce is called
        // directly: the public dist.allReduce first has the ranks compare the call's shape and dtype (one more small
        // all-gather, a round trip PyTorch's all_reduce does not make), which would handicap this baseline.
        const flat = torch.cat(params.map((p) => p.grad.flatten()));
        dist._allReduceFlat(flat).wait();
        flat.div_(ws);
        let o = 0;
        torch.noGrad(() => { for (const p of params) { const n = p.numel(); p.grad.copy_(flat.narrow(0, o, n).view(p.shape)); o += n; } });
      } else {
        F.crossEntropy(m.call(x), y).backward();
      }
      opt_.step();
    });
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    if (s >= warm) { times.push(dt); cpus.push((c.user + c.system) / 1000); }
  }
  times.sort((a, b) => a - b); cpus.sort((a, b) => a - b);
  if (Number(process.env.RANK || '0') === 0) console.log('RESULT ' + JSON.stringify({ ms: times[times.length >> 1], p25: times[times.length >> 2], cpu: cpus[cpus.length >> 1], ws }));
  if (mode !== 'single') dist.destroyProcessGroup();
}

function freePort() {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function launch(cmd, args, n) {
  const port = await freePort();
  const outs = await Promise.all(Array.from({ length: n }, (_, r) => new Promise((resolve, reject) => {
    const env = { ...process.env, RANK: String(r), WORLD_SIZE: String(n), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), GLOO_SOCKET_IFNAME: 'lo', OMP_NUM_THREADS: '1' };
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let s = ''; p.stdout.on('data', (d) => { s += d; });
    p.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`${cmd} ${args.join(' ')} rank ${r} exited ${code}`))));
  })));
  const line = outs[0].split('\n').find((l) => l.startsWith('RESULT '));
  return JSON.parse(line.slice(7));
}

async function main() {
  const steps = opt('--steps', '40'); const warm = opt('--warmup', '10'); const rounds = Number(opt('--rounds', '3'));
  const models = opt('--model', 'mlp,cnn').split(',');
  const stat = opt('--stat', 'median') === 'p25' ? 'p25' : 'ms';
  const py = '/usr/bin/python3';
  let torchOk = !argv.includes('--no-torch');
  if (torchOk) { try { execFileSync(py, ['-c', 'import torch, torch.distributed as d; assert d.is_gloo_available()'], { stdio: 'ignore' }); } catch { torchOk = false; } }
  console.log(require('./common').hostLine());
  console.log(`DDP on Gloo, 1 thread per process, 64 samples per rank, ${stat === 'ms' ? 'median' : 'first quartile'} step of ${steps} (after ${warm} warm-up steps on both sides: V8 compiles the step's JavaScript in its first steps), median of ${rounds} rounds`);
  console.log('wall: step time of rank 0 (samples/s over all ranks); CPU: CPU time of rank 0 per step, all its threads (swings much less with the load)');
  const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
  for (const model of models) {
    const cfgs = [['single', 1], ['ddp', 2], ['nooverlap', 2]];
    const res = {};
    for (let r = 0; r < rounds; r++) {
      for (const [mode, n] of cfgs) {
        (res['nt ' + mode] ||= []).push(await launch(process.execPath, [__filename, '--worker', '--model', model, '--mode', mode, '--steps', steps, '--warmup', warm], n));
        if (torchOk) (res['pt ' + mode] ||= []).push(await launch(py, [path.join(__dirname, 'ddp_torch.py'), '--model', model, '--mode', mode, '--steps', steps, '--warmup', warm], n));
      }
    }
    console.log(`\n${model === 'mlp' ? 'MLP 784-1024-1024-10' : 'CNN conv(1,16,3)-pool-conv(16,32,3)-pool-linear'}`);
    console.log('                              nodetorch                 PyTorch 1.13');
    console.log('                          wall              CPU     wall              CPU');
    const row = (label, key, n) => {
      const pick = (side, f) => (res[side + ' ' + key] ? med(res[side + ' ' + key].map((x) => x[f])) : NaN);
      const a = pick('nt', stat); const b = torchOk ? pick('pt', stat) : NaN;
      const f = (ms, c) => Number.isNaN(ms) ? '      -                       ' : `${ms.toFixed(2).padStart(7)} ms ${(64 * n / ms * 1000).toFixed(0).padStart(6)}/s ${c.toFixed(2).padStart(7)} ms`;
      console.log(`${label.padEnd(26)}${f(a, pick('nt', 'cpu'))}   ${f(b, torchOk ? pick('pt', 'cpu') : NaN)}`);
      return [a, b];
    };
    const s = row('1 process', 'single', 1);
    const d = row('2 ranks, DDP (overlap)', 'ddp', 2);
    const o = row('2 ranks, no overlap', 'nooverlap', 2);
    const sc = (i) => (2 * s[i] / d[i]);
    console.log(`scaling (2-rank / 1-process throughput): nodetorch ${sc(0).toFixed(2)}x, PyTorch ${torchOk ? sc(1).toFixed(2) + 'x' : '-'}`);
    console.log(`overlap saves: nodetorch ${(o[0] - d[0]).toFixed(2)} ms/step, PyTorch ${torchOk ? (o[1] - d[1]).toFixed(2) + ' ms/step' : '-'}`);
    if (torchOk) console.log(`DDP throughput nodetorch / PyTorch: ${(d[1] / d[0]).toFixed(2)}x`);
  }
}
