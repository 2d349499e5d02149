#!/usr/bin/env node
// install.js - the npm `install` script.
//   (a) CPU addon: skipped when a prebuild in prebuilds/ matches this platform (node-gyp-build's resolution), else
//       `node-gyp rebuild -j max` (a failure fails the install).
//   (b) CUDA addon: unless NODETORCH_CUDA=0, when nvcc is found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin), the
//       cmake-js build of CMakeLists.txt into build-cuda/ (lib/native.ts prefers it). A failure warns and keeps the
//       CPU build, unless NODETORCH_CUDA=1, which makes it fatal.
//   (c) distributed addon: where Gloo (libgloo-dev) is found, native/gloo/ with node-gyp (see buildGloo).
//   --cuda-only runs (b) alone, with failures fatal.
// Environment: NODETORCH_CUDA=0|1, NODETORCH_CUDA_ARCH="80;90" (passed on to CMakeLists.txt).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const cudaOnly = process.argv.includes('--cuda-only');
const cudaEnv = process.env.NODETORCH_CUDA;

function say(msg) { console.log(`nodetorch: ${msg}`); }
function fail(msg) {
  console.error(`nodetorch: ERROR: ${msg}`);
  process.exit(1);
}
function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: env || process.env });
  if (r.error) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `${path.basename(cmd)} ${args.join(' ')} exited with ${r.signal || r.status}`;
  return null;
}
function resolveModule(spec) {
  try { return require.resolve(spec, { paths: [root] }); } catch { return null; }
}
function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch { /* next */ }
  }
  return null;
}

// Outside npm (no npm_config_nodedir), node-gyp and cmake-js would download Node's headers; use this node's own
// headers instead when its installation ships them (distribution packages and the official tarballs do).
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) process.env.npm_config_nodedir = prefix;
}

// ---- (a) the CPU addon
function prebuildPath() {
  const saved = process.env.PREBUILDS_ONLY;
  process.env.PREBUILDS_ONLY = '1';  // only prebuilds/, not a stale build/Release
  try {
    const gypBuild = require(resolveModule('node-gyp-build') || 'node-gyp-build');
    const p = gypBuild.path(root);
    return p && p.split(path.sep).includes('prebuilds') ? p : null;
  } catch {
    return null;
  } finally {
    if (saved === undefined) delete process.env.PREBUILDS_ONLY; else process.env.PREBUILDS_ONLY = saved;
  }
}

function buildCpu() {
  const pre = prebuildPath();
  if (pre) { say(`using prebuild ${path.relative(root, pre)} (no CPU compile)`); return; }
  // npm passes its bundled node-gyp to install scripts; else the local devDependency; else node-gyp on PATH
  const gypJs = process.env.npm_config_node_gyp || resolveModule('node-gyp/bin/node-gyp.js');
  const args = ['rebuild', '-j', 'max'];
  say(`building the CPU addon: node-gyp ${args.join(' ')}`);
  const t0 = Date.now();
  const err = gypJs ? run(process.execPath, [gypJs, ...args]) : run(onPath('node-gyp') || 'node-gyp', args);
  if (err) fail(`the CPU build failed (${err}). It needs python3, make and a C++17 compiler (g++ or clang++).`);
  say(`CPU addon built in ${((Date.now() - t0) / 1000).toFixed(0)} s (build/Release/nodetorch.node)`);
}

// ---- (b) the CUDA addon
function findNvcc() {
  const p = onPath('nvcc');
  if (p) return p;
  for (const dir of [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter(Boolean)) {
    const c = path.join(dir, 'bin', 'nvcc');
    if (fs.existsSync(c)) return c;
  }
  return null;
}

function buildCuda(fatal) {
  if (cudaEnv === '0') { say('NODETORCH_CUDA=0: skipping the CUDA build'); return; }
  const problem = (msg) => {
    if (fatal) fail(msg);
    console.warn(`nodetorch: WARNING: ${msg}; the CPU build stays in place (CUDA tensors will be unavailable).`);
  };
  const nvcc = findNvcc();
  if (!nvcc) {
    if (fatal) fail('nvcc was not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): cannot build the CUDA backend');
    say('nvcc not found: CPU build only (install the CUDA toolkit and run `npm run build:cuda` for CUDA)');
    return;
  }
  const cmakeJs = resolveModule('cmake-js/bin/cmake-js');
  if (!cmakeJs) return problem('cmake-js is not installed (npm install cmake-js), so the CUDA backend was not built');
  if (!onPath('cmake')) return problem('cmake is not on PATH, so the CUDA backend was not built');
  const arch = process.env.NODETORCH_CUDA_ARCH || '80;90';
  say(`building the CUDA addon with ${nvcc} for architectures ${arch}: cmake-js build --out build-cuda`);
  const env = { ...process.env, CUDACXX: process.env.CUDACXX || nvcc, NODETORCH_CUDA: '1', NODETORCH_CUDA_ARCH: arch };
  const t0 = Date.now();
  // configure every time (cheap) so that NODETORCH_CUDA / NODETORCH_CUDA_ARCH changes apply; the build is incremental
  const common = ['--out', 'build-cuda', '--log-level', 'warn'];
  const err = run(process.execPath, [cmakeJs, 'configure', ...common], env) ||
    run(process.execPath, [cmakeJs, 'build', ...common, '--parallel', String(Math.max(1, os.cpus().length))], env);
  const out = path.join(root, 'build-cuda', 'Release', 'nodetorch.node');
  if (err || !fs.existsSync(out)) {
    try { fs.rmSync(out, { force: true }); } catch { /* a stale CUDA binary must not shadow the CPU build */ }
    return problem(`the CUDA build failed (${err || 'no build-cuda/Release/nodetorch.node'})`);
  }
  say(`CUDA addon built in ${((Date.now() - t0) / 1000).toFixed(0)} s (build-cuda/Release/nodetorch.node)`);
}

// ---- (c) the distributed (Gloo) addon: native/gloo/ -> native/gloo/build/Release/nodetorch_gloo.node, where Gloo's
//       headers and library are found; a separate addon so that libgloo stays off the core addon's link line.
//       NODETORCH_GLOO=0 skips it, NODETORCH_GLOO=1 makes its absence or failure fatal.
function buildGloo() {
  const env = process.env.NODETORCH_GLOO;
  if (env === '0') { say('NODETORCH_GLOO=0: skipping the distributed (Gloo) binding'); return; }
  const found = require('./find-gloo.js').find();
  if (!found.found) {
    if (env === '1') fail(found.reason);
    say(`distributed (Gloo) binding not built: ${found.reason}. torch.distributed.isGlooAvailable() will be false.`);
    return;
  }
  const gypJs = process.env.npm_config_node_gyp || resolveModule('node-gyp/bin/node-gyp.js');
  const args = ['rebuild', '-j', 'max', '--directory', path.join('native', 'gloo')];
  const t0 = Date.now();
  const err = gypJs ? run(process.execPath, [gypJs, ...args]) : run(onPath('node-gyp') || 'node-gyp', args);
  if (err) {
    if (env === '1') fail(`the distributed (Gloo) binding failed to build (${err})`);
    console.warn(`nodetorch: WARNING: the distributed (Gloo) binding failed to build (${err}); torch.distributed is unavailable.`);
    return;
  }
  say(`distributed (Gloo) binding built in ${((Date.now() - t0) / 1000).toFixed(0)} s against ${found.libdir}/libgloo.so (native/gloo/build/Release/nodetorch_gloo.node)`);
}

if (!cudaOnly) buildCpu();
if (!cudaOnly) buildGloo();
buildCuda(cudaOnly || cudaEnv === '1');
