#!/usr/bin/env node
// mnist.js - time per epoch, samples/s and peak RSS of examples/mnist.js's training beside the same training in
// PyTorch (bench/mnist_torch.py): same 8,000 / 2,000 digits (exported here to raw .bin files), same CNN, batch size,
// optimizer and schedule, same thread count. A report, never an assertion.
//   node bench/mnist.js [--epochs 2] [--threads N] [--batch-size 64] [--lr 0.01] [--device cpu|cuda] [--python /usr/bin/python3]
// (--device cuda: both sides train on the GPU; PyTorch's time includes a synchronize at the end of each epoch, and
// nodetorch's epoch ends with the loss read back, which waits for the GPU too)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const torch = require('../dist/index.js');
const vision = require('../dist/vision/index.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const epochs = Number(opt('epochs', 2));
const threads = Number(opt('threads', torch.getNumThreads()));
const batchSize = Number(opt('batch-size', 64));
const lr = Number(opt('lr', 0.01));
const python = opt('python', fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const device = opt('device', 'cpu');

// PyTorch runs as its users get it (libgomp's default wait policy unless OMP_WAIT_POLICY is set); nodetorch has no
// OpenMP (its own pool, native/cpu/pool.cc)
const env = { ...process.env };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nt-bench-mnist-'));
try {
  // the split, as raw bytes: uint8 images [N, 28, 28] and int64 labels [N]
  for (const [name, train] of [['train', true], ['test', false]]) {
    const { data, targets } = vision.datasets.MNISTSample.load({ train });
    fs.writeFileSync(path.join(dir, `${name}_images.bin`), data.toTypedArray());
    fs.writeFileSync(path.join(dir, `${name}_labels.bin`), Buffer.from(targets.toTypedArray().buffer));
  }
  const common = ['--epochs', String(epochs), '--batch-size', String(batchSize), '--lr', String(lr), '--threads', String(threads), '--device', device];
  console.log(require('./common').hostLine());
  console.log(`MNIST CNN on ${device}, ${epochs} epochs of 8,000 digits, batch ${batchSize}, Adam + OneCycleLR, ${threads} thread(s), ${os.cpus().length} cores (${os.cpus()[0].model}), PyTorch's OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY || 'default'}, load average ${os.loadavg()[0].toFixed(1)}`);

  const out = path.join(dir, 'nt');
  execFileSync(process.execPath, [path.join(__dirname, '..', 'examples', 'mnist.js'), ...common, '--out', out, '--quiet'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const nt = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));

  let pt = null;
  try {
    pt = JSON.parse(execFileSync(python, [path.join(__dirname, 'mnist_torch.py'), dir, ...common], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop());
  } catch (e) {
    console.log(`(PyTorch side skipped: ${python} could not run bench/mnist_torch.py: ${e.message.split('\n')[0]})`);
  }

  const fmt = (xs) => xs.map((x) => x.toFixed(2)).join(' / ');
  const rows = [
    ['', 'nodetorch', pt ? `PyTorch ${pt.torch}` : 'PyTorch'],
    ['s per epoch', fmt(nt.secondsPerEpoch), pt ? fmt(pt.secondsPerEpoch) : '-'],
    ['samples/s (last epoch)', nt.samplesPerSec[nt.samplesPerSec.length - 1].toFixed(0), pt ? pt.samplesPerSec[pt.samplesPerSec.length - 1].toFixed(0) : '-'],
    ['test accuracy', `${(100 * nt.testAccuracy).toFixed(2)}%`, pt ? `${(100 * pt.testAccuracy).toFixed(2)}%` : '-'],
    ['peak RSS (MB)', nt.peakRssMB.toFixed(0), pt ? pt.peakRssMB.toFixed(0) : '-'],
  ];
  const w = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k].length)));
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padStart(w[2])}`);
  if (pt) console.log(`nodetorch / PyTorch time per epoch (last): ${(nt.secondsPerEpoch[epochs - 1] / pt.secondsPerEpoch[epochs - 1]).toFixed(2)}x`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
