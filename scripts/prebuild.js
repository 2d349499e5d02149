#!/usr/bin/env node
// prebuild.js - `npm run prebuild`: the prebuilt binaries that `npm pack` ships and scripts/install.js uses instead of
// compiling, in prebuilds/<platform>-<arch>/:
//   nodetorch.napi.node       the CPU addon (node-gyp; node-gyp-build's file name, Node-API: any Node >= 18)
//   cuda/nodetorch.node       the addon with the CUDA backend (cmake-js; static CUDA runtime, libcuda/libcublas
//                             opened at run time: it loads and runs CPU tensors on machines without GPU or driver)
//   gloo/nodetorch_gloo.node  the distributed binding, where Gloo is found here (links libgloo.so.0: it loads only
//                             where libgloo is installed; lib/distributed says why otherwise)
//   prebuilds.json            what was built: architectures, nvcc, node, commit, sizes
// The builds are incremental (node-gyp build, cmake-js into --cuda-out), and the CUDA build links the CPU objects
// node-gyp compiled, so native/*.cc is compiled once. Every binary is stripped, then loaded in a child process.
// Usage: node scripts/prebuild.js [--clean] [--cuda-out DIR] [--no-cuda] [--no-gloo]
//   --clean         node-gyp rebuild (not build), and an empty CUDA build folder
//   --cuda-out DIR  the CUDA build folder (default build-cuda/prebuild, so a development build-cuda/ for other
//                   architectures is left alone)
// Environment: NODETORCH_CUDA_ARCH (CMake form, e.g. "75" = sm_75 + PTX; default, the release set: every real
//   architecture nvcc lists from sm_75 (Turing) to sm_90 (Hopper), with PTX for the newest so that later GPUs JIT it);
//   NODETORCH_CUDA=0: no CUDA prebuild (else nvcc is required); NODETORCH_GLOO=0|1 as for the install.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const b = require('./install.js');

const args = process.argv.slice(2);
const opt = { clean: false, cudaOut: path.join('build-cuda', 'prebuild'), cuda: process.env.NODETORCH_CUDA !== '0', gloo: true };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--clean') opt.clean = true;
  else if (args[i] === '--cuda-out') opt.cudaOut = args[++i];
  else if (args[i] === '--no-cuda') opt.cuda = false;
  else if (args[i] === '--no-gloo') opt.gloo = false;
  else b.fail(`prebuild: unknown argument ${args[i]}`);
}

// "75-real;80-real;...;90": SASS for each architecture nvcc knows in [75, 90], plus PTX of the newest
function releaseArchs(nvcc) {
  const r = spawnSync(nvcc, ['--list-gpu-code'], { encoding: 'utf8' });
  let sms = (r.stdout || '').split(/\s+/).map((s) => /^sm_(\d+)$/.exec(s)).filter(Boolean).map((m) => Number(m[1]))
    .filter((n) => n >= 75 && n <= 90);
  if (!sms.length) sms = [75, 80, 86, 89, 90];  // nvcc older than --list-gpu-code
  sms = [...new Set(sms)].sort((a, c) => a - c);
  const top = sms.pop();
  return [...sms.map((n) => `${n}-real`), String(top)].join(';');
}

const strip = b.onPath('strip');
function install(from, rel) {
  const to = path.join(b.platformDir, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  if (strip) {
    const err = b.run(strip, ['--strip-unneeded', to]);
    if (err) b.fail(`prebuild: ${err}`);
  } else {
    b.warn('strip is not on PATH: the prebuilt binaries keep their symbols');
  }
  return { file: rel.split(path.sep).join('/'), bytes: fs.statSync(to).size };
}
function needed(file) {  // the shared libraries a binary names (readelf, where binutils are)
  const r = spawnSync('readelf', ['-d', file], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return [...r.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

const t0 = Date.now();
const times = {};
fs.mkdirSync(b.platformDir, { recursive: true });
for (const k of Object.keys(b.PREBUILT)) fs.rmSync(path.join(b.platformDir, b.PREBUILT[k]), { force: true });
fs.rmSync(path.join(b.platformDir, 'prebuilds.json'), { force: true });
const pkg = JSON.parse(fs.readFileSync(path.join(b.root, 'package.json'), 'utf8'));
const meta = { name: pkg.name, version: pkg.version, napi: true, node: process.version, built: new Date().toISOString() };
const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: b.root, encoding: 'utf8' });
if (git.status === 0) meta.commit = git.stdout.trim();

// CPU
let t = Date.now();
const cpu = b.buildCpu({ rebuild: opt.clean });
meta.cpu = install(cpu, b.PREBUILT.cpu);
const cpuLoad = b.tryLoad(path.join(b.platformDir, b.PREBUILT.cpu), 'core');
if (!cpuLoad.ok) b.fail(`prebuild: the CPU prebuild does not load: ${cpuLoad.error}`);
times.cpu = (Date.now() - t) / 1000;

// Gloo
if (opt.gloo) {
  t = Date.now();
  const gloo = b.buildGloo({ rebuild: opt.clean });
  if (gloo) {
    meta.gloo = install(gloo, b.PREBUILT.gloo);
    meta.gloo.needs = (needed(path.join(b.platformDir, b.PREBUILT.gloo)) || []).filter((l) => /gloo/.test(l));
    const r = b.tryLoad(path.join(b.platformDir, b.PREBUILT.gloo), 'gloo');
    if (!r.ok) b.fail(`prebuild: the Gloo prebuild does not load: ${r.error}`);
  }
  times.gloo = (Date.now() - t) / 1000;
}

// CUDA
if (opt.cuda) {
  t = Date.now();
  const nvcc = b.findNvcc();
  if (!nvcc) b.fail('prebuild: nvcc was not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin); NODETORCH_CUDA=0 prebuilds without CUDA');
  const arch = process.env.NODETORCH_CUDA_ARCH || releaseArchs(nvcc);
  if (opt.clean) fs.rmSync(path.join(b.root, opt.cudaOut), { recursive: true, force: true });
  const built = b.buildCuda({ fatal: true, out: opt.cudaOut, arch });
  meta.cuda = install(built, b.PREBUILT.cuda);
  meta.cuda.architectures = arch;
  const v = spawnSync(nvcc, ['--version'], { encoding: 'utf8' });
  meta.cuda.nvcc = ((v.stdout || '').match(/release [^\n]*/) || ['?'])[0];
  const libs = needed(path.join(b.platformDir, b.PREBUILT.cuda));
  if (libs) {
    const dynamic = libs.filter((l) => /^lib(cudart|cublas|cuda)\b/.test(l));
    if (dynamic.length) b.fail(`prebuild: the CUDA prebuild links ${dynamic.join(', ')} dynamically; the runtime must be static`);
    meta.cuda.needs = libs;
  }
  const r = b.tryLoad(path.join(b.platformDir, b.PREBUILT.cuda), 'core');
  if (!r.ok || !r.info.cudaBuilt) b.fail(`prebuild: the CUDA prebuild does not load or lacks CUDA: ${r.ok ? JSON.stringify(r.info) : r.error}`);
  times.cuda = (Date.now() - t) / 1000;
}

fs.writeFileSync(path.join(b.platformDir, 'prebuilds.json'), JSON.stringify(meta, null, 2) + '\n');
b.say(`prebuilds in ${path.relative(b.root, b.platformDir)}/ in ${((Date.now() - t0) / 1000).toFixed(0)} s:`);
for (const k of ['cpu', 'cuda', 'gloo']) {
  if (!meta[k]) continue;
  const extra = k === 'cuda' ? ` (${meta.cuda.architectures}, ${meta.cuda.nvcc})` : k === 'gloo' ? ` (needs ${meta.gloo.needs.join(', ') || 'libgloo'})` : '';
  b.say(`  ${meta[k].file.padEnd(26)} ${mb(meta[k].bytes).padStart(9)}  built in ${times[k].toFixed(0)} s${extra}`);
}
