#!/usr/bin/env node
// train-step.js - run from a folder where nodetorch was installed from its tarball (scripts/ci/packed-install.sh):
// says which native binary the process mapped, checks that it is the expected prebuild and what
// torch.backends.cuda.isBuilt() says, then trains a small MLP on a synthetic classification task (on the CPU, and on
// the GPU too where one is visible) and checks that the loss fell and the accuracy rose well above chance. Exit 1 on
// any mismatch.
// Usage: node train-step.js EXPECT_BINARY_SUFFIX EXPECT_CUDA_BUILT(0|1) [EXPECT_GLOO(0|1|-)]
'use strict';
const fs = require('fs');
const path = require('path');

const [expectBinary, expectCuda, expectGloo = '-'] = process.argv.slice(2);
const t0 = Date.now();
// the package installed under the current folder (not a checkout this file may sit in)
const entry = require.resolve('nodetorch', { paths: [process.cwd()] });
const torch = require(entry);
const fail = (m) => { console.error(`train-step: FAIL: ${m}`); process.exit(1); };

const installed = path.dirname(require.resolve('nodetorch/package.json', { paths: [process.cwd()] }));
if (!installed.startsWith(path.join(process.cwd(), 'node_modules') + path.sep)) fail(`nodetorch resolved to ${installed}, not under ./node_modules`);
const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n')
  .map((l) => l.slice(l.indexOf('/'))).filter((f) => f.startsWith('/') && f.endsWith('.node')))];
const ours = mapped.filter((f) => f.startsWith(installed + path.sep));
console.log(`train-step: nodetorch at ${installed}; native binaries mapped: ${ours.map((f) => path.relative(installed, f)).join(', ')}`);
if (!ours.length) fail('no nodetorch binary is mapped');
if (!ours.every((f) => f.endsWith(expectBinary))) fail(`expected ${expectBinary} to be the binary loaded`);
for (const d of ['build', 'build-cuda', path.join('native', 'gloo', 'build')]) {
  if (fs.existsSync(path.join(installed, d))) fail(`${d}/ exists in the installed package: something was compiled`);
}
const built = torch.backends.cuda.isBuilt();
console.log(`train-step: torch.backends.cuda.isBuilt() = ${built}, torch.cuda.isAvailable() = ${torch.cuda.isAvailable()}`);
if (built !== (expectCuda === '1')) fail(`torch.backends.cuda.isBuilt() should be ${expectCuda === '1'}`);
if (expectGloo !== '-') {
  const ok = torch.distributed.isGlooAvailable();
  console.log(`train-step: torch.distributed.isGlooAvailable() = ${ok}${ok ? '' : ` (${torch.distributed.glooUnavailableReason()})`}`);
  if (ok !== (expectGloo === '1')) fail(`torch.distributed.isGlooAvailable() should be ${expectGloo === '1'}`);
}

// 3 classes: the class is the index of the largest of the first three of 8 features. On a machine with a GPU the
// same training runs on 'cuda' too and must agree with the CPU run.
function train(device) {
  torch.manualSeed(0);
  const x = torch.randn([512, 8]).to(device);
  const y = x.narrow(1, 0, 3).argmax(1);
  const model = new torch.nn.Sequential(new torch.nn.Linear(8, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 3)).to(device);
  const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-2 });
  const lossOf = () => torch.noGrad(() => torch.nn.functional.crossEntropy(model.call(x), y).item());
  const first = lossOf();
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
  }
  const last = lossOf();
  const acc = torch.noGrad(() => model.call(x).argmax(1).eq(y).float().mean().item());
  console.log(`train-step: ${device}: 60 Adam steps, loss ${first.toFixed(4)} -> ${last.toFixed(4)}, accuracy ` +
    `${(acc * 100).toFixed(1)}% (${Date.now() - t0} ms since the start, load included)`);
  if (!(last < first * 0.5)) fail(`${device}: the loss did not halve`);
  if (!(acc > 0.8)) fail(`${device}: the accuracy stayed under 80%`);
  return last;
}
const cpuLoss = train('cpu');
if (torch.cuda.isAvailable()) {
  const cudaLoss = train('cuda');
  if (!(Math.abs(cudaLoss - cpuLoss) < 1e-3)) fail(`the cuda run ended at loss ${cudaLoss}, the cpu run at ${cpuLoss}`);
}
console.log('train-step: OK');
