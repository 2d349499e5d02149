#!/usr/bin/env node
// ddp_profile.js - where a DDP step's time goes, per phase, on each of 2 ranks (the MLP or CNN of bench/ddp.js, 64
// samples per rank, 1 thread, SGD momentum): forward, backward's compute, DDP's hooks (gradients into the buckets),
// when each bucket's all-reduce is submitted / starts / ends on the group's thread (and that thread's CPU time), how
// long finalize blocks on the last bucket and copies back, and the optimizer step. Wall times swing with the load;
// the CPU figures (this process, all threads; the JS thread's own per phase; the Gloo worker threads') do much
// less, so compare those.
// A diagnostic, not a test. Usage: node bench/ddp_profile.js [--model mlp|cnn] [--steps N] [--ws 2] [--view]
// (--view: DDP with gradientAsBucketView)
'use strict';
const { spawn } = require('child_process');
const net = require('net');

const argv = process.argv.slice(2);
const opt = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };

if (argv[0] === '--worker') worker(); else main();

function worker() {
  const torch = require('../dist/index.js');
  const { nn, optim } = torch; const dist = torch.distributed; const F = nn.functional;
  const model = opt('--model', 'mlp'); const steps = Number(opt('--steps', '30'));
  torch.setNumThreads(1);
  dist.initProcessGroup({ backend: 'gloo' });
  torch.manualSeed(0);
  const net = model === 'mlp'
    ? new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 10))
    : new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(32 * 7 * 7, 10));
  const m = new nn.parallel.DistributedDataParallel(net, { gradientAsBucketView: argv.includes('--view') });
  const opt_ = new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = torch.randn([64, 1, 28, 28]); const y = torch.randint(0, 10, [64]);
  const st = m._ddp; const engine = st.pg._engine;
  const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, CLOCK_MONOTONIC as the engine's timing()
  const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
  const tcpu = () => engine.threadCpu() / 1e6; // this (JS) thread's CPU, ms
  let rec = null;
  // wrap DDP's phases (instance methods; the library is unchanged)
  const markReady = st.markReady.bind(st);
  st.markReady = (i, g) => { const t = now(); const c = tcpu(); markReady(i, g); rec.hooks += now() - t; rec.hooksCpu += tcpu() - c; };
  const finalize = st.finalize.bind(st);
  st.finalize = () => {
    rec.bwdEnd = now();
    const works = st.buckets.map((b) => b.work);
    rec.bwdCpuEnd = tcpu();
    const t = now(); const c = tcpu(); finalize(); rec.finalize = now() - t; rec.finalizeCpu = tcpu() - c;
    rec.buckets = works.map((w) => (w && w.w ? engine.timing(w.w).map((v, k) => (k < 3 ? v / 1e6 : v / 1e6)) : null));
  };
  const arf = dist._allReduceFlat;
  dist._allReduceFlat = (...a) => { const t = now(); try { return arf(...a); } finally { if (rec) rec.submitCost += now() - t; } };
  const Work = dist.Work;
  const wait = Work.prototype.wait;
  Work.prototype.wait = function () { const t = now(); try { return wait.call(this); } finally { if (rec) rec.wait += now() - t; } };
  const rows = [];
  for (let s = 0; s < steps + 3; s++) {
    dist.barrier();
    rec = { hooksCpu: 0, submitCost: 0, hooks: 0, wait: 0, finalize: 0, buckets: [] };
    const c0 = cpu(); const t0 = now(); const j0 = tcpu();
    torch.tidy(() => {
      opt_.zeroGrad();
      const loss = F.crossEntropy(m.call(x), y);
      rec.fwd = now() - t0; rec.fwdCpu = tcpu() - j0;
      const tb = now(); const jb = tcpu();
      rec.bwdStart = tb;
      loss.backward();
      rec.bwd = now() - tb;
      rec.bwdComputeCpu = rec.bwdCpuEnd - jb - rec.hooksCpu;
      const to = now(); const jo = tcpu();
      opt_.step();
      rec.opt = now() - to; rec.optCpu = tcpu() - jo;
    });
    rec.step = now() - t0; rec.cpu = cpu() - c0; rec.jsCpu = tcpu() - j0;
    const bs = rec.bwdStart;
    rec.b = rec.buckets.map((b) => (b ? { submit: b[0] - bs, start: b[1] - bs, end: b[2] - bs, cpu: b[3] } : null));
    rec.compute = rec.bwdEnd - bs - rec.hooks;
    if (s >= 3) rows.push(rec);
    rec = null;
  }
  const med = (f) => { const v = rows.map(f).sort((a, b) => a - b); return v[v.length >> 1]; };
  const r = {
    rank: dist.getRank(), step: med((q) => q.step), cpu: med((q) => q.cpu), fwd: med((q) => q.fwd), bwdCompute: med((q) => q.compute),
    fwdCpu: med((q) => q.fwdCpu), bwdComputeCpu: med((q) => q.bwdComputeCpu), hooksCpu: med((q) => q.hooksCpu), finalizeCpu: med((q) => q.finalizeCpu), optCpu: med((q) => q.optCpu), jsCpu: med((q) => q.jsCpu),
    gloo: med((q) => q.b.reduce((a, b) => a + (b ? b.cpu : 0), 0)),
    hooks: med((q) => q.hooks), submitCost: med((q) => q.submitCost), finalize: med((q) => q.finalize), finalizeWait: med((q) => q.wait), opt: med((q) => q.opt), bwdEnd: med((q) => q.bwdEnd - q.bwdStart),
    buckets: rows[0].b.map((_, k) => ({ elems: st.buckets[k].flat.numel(), submit: med((q) => q.b[k].submit), start: med((q) => q.b[k].start), end: med((q) => q.b[k].end), run: med((q) => q.b[k].end - q.b[k].start), cpu: med((q) => q.b[k].cpu) })),
  };
  console.log('PROFILE ' + JSON.stringify(r));
  dist.destroyProcessGroup();
}

function freePort() {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function main() {
  const ws = Number(opt('--ws', '2')); const model = opt('--model', 'mlp'); const steps = opt('--steps', '30');
  const port = await freePort();
  const outs = await Promise.all(Array.from({ length: ws }, (_, r) => new Promise((resolve, reject) => {
    const env = { ...process.env, RANK: String(r), WORLD_SIZE: String(ws), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), GLOO_SOCKET_IFNAME: 'lo', OMP_NUM_THREADS: '1' };
    const p = spawn(process.execPath, [__filename, '--worker', '--model', model, '--steps', steps, ...(argv.includes('--view') ? ['--view'] : [])], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let s = ''; p.stdout.on('data', (d) => { s += d; });
    p.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`rank ${r} exited ${code}`))));
  })));
  console.log(require('./common').hostLine());
  console.log(`DDP step of the ${model} on ${ws} ranks, medians of ${steps} steps (ms; bucket times from the start of backward)`);
  const f = (v) => v.toFixed(2).padStart(6);
  for (const o of outs) {
    const r = JSON.parse(o.split('\n').find((l) => l.startsWith('PROFILE ')).slice(8));
    console.log(`rank ${r.rank}: step ${f(r.step)} (process CPU ${f(r.cpu)}) = forward ${f(r.fwd)} + backward ${f(r.bwdEnd)} [compute ${f(r.bwdCompute)}, hooks ${f(r.hooks)} (submitting ${f(r.submitCost)})] ` +
      `+ finalize ${f(r.finalize)} [blocked ${f(r.finalizeWait)}] + optimizer ${f(r.opt)}`);
    console.log(`  CPU: process ${f(r.cpu)} = JS thread ${f(r.jsCpu)} [forward ${f(r.fwdCpu)}, backward compute ${f(r.bwdComputeCpu)}, hooks ${f(r.hooksCpu)}, finalize ${f(r.finalizeCpu)}, optimizer ${f(r.optCpu)}] ` +
      `+ Gloo worker threads ${f(r.gloo)} + the rest (Gloo's I/O thread, ...) ${f(r.cpu - r.jsCpu - r.gloo)}`);
    r.buckets.forEach((b, k) => console.log(`  bucket ${k} (${(b.elems * 4 / 1e6).toFixed(2)} MB): submitted ${f(b.submit)}, started ${f(b.start)}, ended ${f(b.end)}, all-reduce ${f(b.run)} (Gloo thread CPU ${f(b.cpu)})`));
  }
}
