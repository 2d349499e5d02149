#!/usr/bin/env node
// install.js - the npm `install` script (and the build steps that scripts/prebuild.js shares).
//   (0) prebuilt binaries: when prebuilds/<platform>-<arch>/ (made by `npm run prebuild`, shipped in the npm tarball)
//       holds binaries that load on this machine, they are used and nothing is compiled, with or without g++/nvcc:
//         cuda/nodetorch.node       the addon with the CUDA backend (static CUDA runtime: loads without GPU or driver)
//         nodetorch.napi.node       the CPU-only addon (node-gyp-build's name; the fallback, and NODETORCH_CUDA=0)
//         gloo/nodetorch_gloo.node  the distributed binding (links libgloo: loads only where libgloo is installed)
//       Each one is loaded once in a child process to check it. `npm install --build-from-source`
//       (npm_config_build_from_source) or NODETORCH_BUILD_FROM_SOURCE=1 ignores them and builds everything.
//   (a) CPU addon: `node-gyp rebuild -j max` (a failure fails the install), unless (0) covers it.
//   (b) CUDA addon: unless NODETORCH_CUDA=0 or a CUDA prebuild loaded, when nvcc is found (PATH, $CUDA_HOME/bin,
//       /usr/local/cuda/bin), the cmake-js build of CMakeLists.txt into build-cuda/ (lib/native.ts prefers it). It links
//       the CPU objects that (a) compiled (build/Release/obj.target) instead of compiling native/*.cc a second time,
//       when they are all there, fresh (newer than every file their .d lists) and compiled with the flags it needs
//       (else CMake compiles them). A failure warns and keeps the CPU build, unless NODETORCH_CUDA=1 (fatal).
//   (c) distributed addon: where Gloo (libgloo-dev) is found, native/gloo/ with node-gyp (see buildGloo), unless a
//       Gloo prebuild loaded.
//   --cuda-only runs (b) alone, with failures fatal.
// Environment: NODETORCH_CUDA=0|1, NODETORCH_CUDA_ARCH="80;90" (CMake architectures, passed on to CMakeLists.txt),
// NODETORCH_NVCC_THREADS (nvcc --threads, see CMakeLists.txt), NODETORCH_BUILD_FROM_SOURCE=1, NODETORCH_GLOO=0|1.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const cudaEnv = process.env.NODETORCH_CUDA;
const platformDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
// the prebuilt binaries, relative to platformDir (lib/native.ts and lib/distributed loadGloo() use the same names)
const PREBUILT = { cpu: 'nodetorch.napi.node', cuda: path.join('cuda', 'nodetorch.node'), gloo: path.join('gloo', 'nodetorch_gloo.node') };

function say(msg) { console.log(`nodetorch: ${msg}`); }
function warn(msg) { console.warn(`nodetorch: WARNING: ${msg}`); }
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
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(0);
const rel = (p) => path.relative(root, p);

// Outside npm (no npm_config_nodedir), node-gyp and cmake-js would download Node's headers; use this node's own
// headers instead when its installation ships them (distribution packages and the official tarballs do).
if (!process.env.npm_config_nodedir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) process.env.npm_config_nodedir = prefix;
}

function buildFromSourceRequested(argv = process.argv) {
  const v = (s) => s !== undefined && s !== '' && s !== '0' && s !== 'false';
  return argv.includes('--build-from-source') || v(process.env.npm_config_build_from_source) ||
    v(process.env.NODETORCH_BUILD_FROM_SOURCE);
}

// ---- (0) prebuilt binaries
// Load `file` in a child process (a crash or a missing library must not take the install down) and report what it is.
function tryLoad(file, kind) {
  const probe = kind === 'gloo'
    ? 'require(process.argv[1]); console.log("{}")'
    : 'const i = require(process.argv[1]).info(); console.log(JSON.stringify({ cudaBuilt: i.cudaBuilt, simd: i.simd, ops: i.opCount }))';
  const r = spawnSync(process.execPath, ['-e', probe, file], { encoding: 'utf8', timeout: 120000, env: process.env });
  if (r.status === 0) {
    try { return { ok: true, info: JSON.parse(r.stdout.trim().split('\n').pop()) }; } catch { /* below */ }
  }
  const why = (r.error && r.error.message) || (r.stderr || '').split('\n').find((l) => /Error|error/.test(l)) ||
    `exit ${r.signal || r.status}`;
  return { ok: false, error: why.trim() };
}

function prebuildInfo(dir) {
  try { return JSON.parse(fs.readFileSync(path.join(dir, 'prebuilds.json'), 'utf8')); } catch { return {}; }
}

// Which prebuilds to use: { cpu, cuda, gloo } booleans, or null when this package ships none for this platform.
function usePrebuilds(dir = platformDir) {
  const has = (k) => fs.existsSync(path.join(dir, PREBUILT[k]));
  if (!has('cpu') && !has('cuda')) return null;
  const meta = prebuildInfo(dir);
  const t0 = Date.now();
  const use = { cpu: false, cuda: false, gloo: false };
  if (has('cuda') && cudaEnv !== '0') {
    const r = tryLoad(path.join(dir, PREBUILT.cuda), 'core');
    if (r.ok && r.info.cudaBuilt) {
      use.cuda = true;
      const archs = meta.cuda && meta.cuda.architectures ? ` for ${meta.cuda.architectures}` : '';
      say(`using the prebuilt CUDA addon ${rel(path.join(dir, PREBUILT.cuda))}${archs} (CPU and CUDA tensors; no compile)`);
    } else {
      warn(`the prebuilt CUDA addon does not load here (${r.ok ? 'built without CUDA' : r.error})`);
    }
  }
  if (has('cpu')) {
    const r = tryLoad(path.join(dir, PREBUILT.cpu), 'core');
    if (r.ok) {
      use.cpu = true;
      if (!use.cuda) say(`using the prebuilt CPU addon ${rel(path.join(dir, PREBUILT.cpu))} (no compile)`);
    } else {
      warn(`the prebuilt CPU addon does not load here (${r.error})`);
    }
  }
  if (has('gloo') && process.env.NODETORCH_GLOO !== '0') {
    const r = tryLoad(path.join(dir, PREBUILT.gloo), 'gloo');
    if (r.ok) { use.gloo = true; say(`using the prebuilt distributed (Gloo) binding ${rel(path.join(dir, PREBUILT.gloo))}`); }
    else say(`the prebuilt distributed (Gloo) binding does not load here (${r.error})`);
  }
  say(`prebuilt binaries checked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return use;
}

// ---- (a) the CPU addon
function nodeGyp(args) {
  // npm passes its bundled node-gyp to install scripts; else the local devDependency; else node-gyp on PATH
  const gypJs = process.env.npm_config_node_gyp || resolveModule('node-gyp/bin/node-gyp.js');
  return gypJs ? run(process.execPath, [gypJs, ...args]) : run(onPath('node-gyp') || 'node-gyp', args);
}

// rebuild: a clean `node-gyp rebuild` (the install), else an incremental `node-gyp build` where already configured
function buildCpu({ rebuild = true } = {}) {
  const configured = fs.existsSync(path.join(root, 'build', 'Makefile')) && fs.existsSync(path.join(root, 'build', 'config.gypi'));
  const args = [rebuild || !configured ? 'rebuild' : 'build', '-j', 'max'];
  say(`building the CPU addon: node-gyp ${args.join(' ')}`);
  const t0 = Date.now();
  const err = nodeGyp(args);
  if (err) fail(`the CPU build failed (${err}). It needs python3, make and a C++17 compiler (g++ or clang++).`);
  say(`CPU addon built in ${secs(t0)} s (build/Release/nodetorch.node)`);
  return path.join(root, 'build', 'Release', 'nodetorch.node');
}

// node-gyp's objects of scripts/sources.js, when the CUDA build may link them: { objects } or { reason }.
// Each must exist, be newer than every file its .d lists (the source and the project headers it includes) and have
// been compiled with the flags CMakeLists.txt gives its own C++ compile (position independent, -O3, C++17, ...).
const NEEDED_FLAGS = ['-fPIC', '-O3', '-std=c++17', '-fexceptions', '-fno-math-errno', '-fopenmp-simd',
  '-DNAPI_CPP_EXCEPTIONS', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DNAPI_EXPERIMENTAL'];
function cpuObjects(base = root, sources = null) {
  const rel = (p) => path.relative(base, p);
  const build = path.join(base, 'build');
  const objdir = path.join(build, 'Release', 'obj.target', 'nodetorch');
  const depdir = path.join(build, 'Release', '.deps', 'Release', 'obj.target', 'nodetorch');
  if (!sources) {
    sources = spawnSync(process.execPath, [path.join(__dirname, 'sources.js')], { cwd: base, encoding: 'utf8' })
      .stdout.trim().split('\n').filter(Boolean);
  }
  if (!sources.length) return { reason: 'scripts/sources.js listed no sources' };
  const objects = [];
  for (const src of sources) {
    const objRel = src.replace(/\.cc$/, '.o');
    const obj = path.join(objdir, objRel);
    const dep = path.join(depdir, objRel + '.d');
    if (!fs.existsSync(obj)) return { reason: `${rel(obj)} is missing` };
    if (!fs.existsSync(dep)) return { reason: `${rel(dep)} is missing` };
    const text = fs.readFileSync(dep, 'utf8');
    const cmd = text.split('\n')[0];
    const missing = NEEDED_FLAGS.filter((f) => !cmd.split(/\s+/).some((w) => w.replace(/^'|'$/g, '') === f));
    if (missing.length) return { reason: `${rel(obj)} was compiled without ${missing.join(' ')}` };
    // "Release/obj.target/nodetorch/x.o: ../x.cc ../y.h \" ...: the prerequisites, relative to build/
    const joined = text.replace(/\\\n/g, ' ');
    const line = joined.split('\n').find((l) => l.startsWith(`Release/obj.target/nodetorch/${objRel}:`));
    if (!line) return { reason: `${rel(dep)} lists no prerequisites` };
    const objTime = fs.statSync(obj).mtimeMs;
    for (const d of line.slice(line.indexOf(':') + 1).trim().split(/\s+/).filter(Boolean)) {
      const f = path.resolve(build, d);
      let t;
      try { t = fs.statSync(f).mtimeMs; } catch { return { reason: `${rel(obj)} depends on ${rel(f)}, which is gone` }; }
      if (t > objTime) return { reason: `${rel(obj)} is older than ${rel(f)}` };
    }
    objects.push(obj);
  }
  return { objdir, objects };
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

// Builds CMakeLists.txt with the CUDA backend into `out` (relative to root); returns the .node path, or null after a
// warning (fatal: exits instead).
function buildCuda({ fatal, out = 'build-cuda', arch = process.env.NODETORCH_CUDA_ARCH || '80;90', reuseCpu = true } = {}) {
  if (cudaEnv === '0' && !fatal) { say('NODETORCH_CUDA=0: skipping the CUDA build'); return null; }
  const problem = (msg) => {
    if (fatal) fail(msg);
    warn(`${msg}; the CPU build stays in place (CUDA tensors will be unavailable).`);
    return null;
  };
  const nvcc = findNvcc();
  if (!nvcc) {
    if (fatal) fail('nvcc was not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): cannot build the CUDA backend');
    say('nvcc not found: CPU build only (install the CUDA toolkit and run `npm run build:cuda` for CUDA)');
    return null;
  }
  const cmakeJs = resolveModule('cmake-js/bin/cmake-js');
  if (!cmakeJs) return problem('cmake-js is not installed (npm install cmake-js), so the CUDA backend was not built');
  if (!onPath('cmake')) return problem('cmake is not on PATH, so the CUDA backend was not built');
  const env = { ...process.env, CUDACXX: process.env.CUDACXX || nvcc, NODETORCH_CUDA: '1', NODETORCH_CUDA_ARCH: arch };
  delete env.NODETORCH_CPU_OBJDIR;
  const cpu = reuseCpu ? cpuObjects() : { reason: 'not asked to' };
  if (cpu.objects) env.NODETORCH_CPU_OBJDIR = cpu.objdir;
  say(`building the CUDA addon with ${nvcc} for architectures ${arch} into ${out}/ ` +
      (cpu.objects ? `(linking the ${cpu.objects.length} CPU objects node-gyp compiled)` : `(compiling the CPU sources too: ${cpu.reason})`));
  const t0 = Date.now();
  // configure every time (cheap) so that NODETORCH_CUDA / NODETORCH_CUDA_ARCH / NODETORCH_CPU_OBJDIR changes apply;
  // the build is incremental. Ninja where cmake-js finds it, else make; either runs one job per core.
  const common = ['--out', out, '--log-level', 'warn'];
  const err = run(process.execPath, [cmakeJs, 'configure', ...common], env) ||
    run(process.execPath, [cmakeJs, 'build', ...common, '--parallel', String(Math.max(1, os.cpus().length))], env);
  const node = path.join(root, out, 'Release', 'nodetorch.node');
  if (err || !fs.existsSync(node)) {
    try { fs.rmSync(node, { force: true }); } catch { /* a stale CUDA binary must not shadow the CPU build */ }
    return problem(`the CUDA build failed (${err || `no ${out}/Release/nodetorch.node`})`);
  }
  say(`CUDA addon built in ${secs(t0)} s (${out}/Release/nodetorch.node)`);
  return node;
}

// ---- (c) the distributed (Gloo) addon: native/gloo/ -> native/gloo/build/Release/nodetorch_gloo.node, where Gloo's
//       headers and library are found; a separate addon so that libgloo stays off the core addon's link line.
//       NODETORCH_GLOO=0 skips it, NODETORCH_GLOO=1 makes its absence or failure fatal. Returns the .node or null.
function buildGloo({ rebuild = true } = {}) {
  const env = process.env.NODETORCH_GLOO;
  if (env === '0') { say('NODETORCH_GLOO=0: skipping the distributed (Gloo) binding'); return null; }
  const found = require('./find-gloo.js').find();
  if (!found.found) {
    if (env === '1') fail(found.reason);
    say(`distributed (Gloo) binding not built: ${found.reason}. torch.distributed.isGlooAvailable() will be false.`);
    return null;
  }
  const dir = path.join('native', 'gloo');
  const configured = fs.existsSync(path.join(root, dir, 'build', 'Makefile'));
  const args = [rebuild || !configured ? 'rebuild' : 'build', '-j', 'max', '--directory', dir];
  const t0 = Date.now();
  const err = nodeGyp(args);
  if (err) {
    if (env === '1') fail(`the distributed (Gloo) binding failed to build (${err})`);
    warn(`the distributed (Gloo) binding failed to build (${err}); torch.distributed is unavailable.`);
    return null;
  }
  say(`distributed (Gloo) binding built in ${secs(t0)} s against ${found.libdir}/libgloo.so (native/gloo/build/Release/nodetorch_gloo.node)`);
  return path.join(root, dir, 'build', 'Release', 'nodetorch_gloo.node');
}

function main() {
  const t0 = Date.now();
  if (process.argv.includes('--cuda-only')) { buildCuda({ fatal: true }); return; }
  const fromSource = buildFromSourceRequested();
  if (fromSource) say('building from source (--build-from-source / NODETORCH_BUILD_FROM_SOURCE): prebuilt binaries ignored');
  const pre = fromSource ? null : usePrebuilds();
  if (!pre || !(pre.cpu || pre.cuda)) buildCpu();
  if (!pre || !pre.gloo) buildGloo();
  if (!pre || !pre.cuda) buildCuda({ fatal: cudaEnv === '1' });
  say(`install step done in ${secs(t0)} s`);
}

module.exports = { root, platformDir, PREBUILT, say, warn, fail, run, onPath, tryLoad, findNvcc, cpuObjects, buildCpu, buildCuda, buildGloo, buildFromSourceRequested, usePrebuilds };
if (require.main === module) main();
