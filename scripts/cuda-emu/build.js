#!/usr/bin/env node
// build.js - builds the nodetorch addon with its CUDA backend running on the CPU under the CUDA emulator
// (scripts/cuda-emu/cuda_runtime.h + emu.cc), so that the CUDA sources are executed, not only compiled, on machines
// without a GPU: cuda-check.sh, cuda-check-extra.js, the conformance runner with --device cuda, the example and
// test/cuda-emu.test.ts run against it (scripts/cuda-emu/check.sh runs them all).
//
// What it does:
//   1. copies cuda/*.cu and cuda/*.cuh into OUT/src/cuda/, rewriting the CUDA-only syntax into C++:
//        k<T><<<grid, block, smem, stream>>>(args)      ->  ::cuemu::launch("k<T>", ::cuemu::Config(grid, block, smem, stream), k<T>, args)
//        __shared__ T name[A][B];  (or T name;)          ->  T (&name)[A][B] = <the block's shared memory>
//        extern __shared__ [__align__(n)] T name[];      ->  T* name = <the launch's dynamic shared memory>
//        dlopen( / dlsym(                                ->  the emulated libcublas (emu.cc)
//      and nothing else (nvcc includes cuda_runtime.h first in every unit; so does g++ here): the kernels, the NT_HD functors and the host code compile as written (with __CUDACC__
//      defined, so that the headers take their nvcc branches);
//   2. compiles them, emu.cc and libnccl.cc (the stand-in libnccl) with g++ (-ffp-contract=off: no FMA contraction, as the sources' __f*_rn assume;
//      -fsanitize=alignment: a misaligned access, which a GPU refuses, stops the process);
//   3. links them with the CPU objects node-gyp built (build/Release/obj.target: run `npm install` or
//      `npx node-gyp rebuild` first) into OUT/Release/nodetorch.node.
//   4. links scripts/cuda-emu/selftest.cu (translated the same way) with emu.o into OUT/selftest, the emulator's own test.
// Usage: node scripts/cuda-emu/build.js [--out DIR] [-j N]        (default DIR: build-emu)
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawn, execFileSync } = require('child_process');

const root = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
let out = path.join(root, 'build-emu');
let jobs = Math.max(1, os.cpus().length);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = path.resolve(args[++i]);
  else if (args[i] === '-j') jobs = Math.max(1, parseInt(args[++i], 10) || 1);
  else { console.error(`cuda-emu build: unknown argument ${args[i]}`); process.exit(2); }
}
const fail = (m) => { console.error(`cuda-emu build: FAIL: ${m}`); process.exit(1); };

// ---------------------------------------------------------------- 1. translation
// index of the bracket matching the one at i (open '(' / '<' scanning forward, or close '>' scanning back)
function matchForward(s, i, open, close) {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"' || c === "'") { j = skipQuoted(s, j); continue; }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j;
  }
  return -1;
}
function skipQuoted(s, j) {
  const q = s[j];
  for (j++; j < s.length && s[j] !== q; j++) if (s[j] === '\\') j++;
  return j;
}
function matchBack(s, i) {  // s[i] === '>': the '<' that opens it
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    if (s[j] === '>') depth++;
    else if (s[j] === '<' && --depth === 0) return j;
  }
  return -1;
}

function translate(src, file) {
  let s = src;
  let launches = 0, shared = 0;
  // launches
  for (let at = s.indexOf('<<<'); at >= 0; at = s.indexOf('<<<', at)) {
    let e = at;
    while (e > 0 && /\s/.test(s[e - 1])) e--;
    let b = e;
    if (s[b - 1] === '>') {
      b = matchBack(s, b - 1);
      if (b < 0) fail(`${file}: unbalanced template arguments before <<< at offset ${at}`);
    }
    while (b > 0 && /[A-Za-z0-9_:]/.test(s[b - 1])) b--;
    const callee = s.slice(b, e).trim();
    if (!callee) fail(`${file}: no kernel name before <<< at offset ${at}`);
    const cfgEnd = s.indexOf('>>>', at);
    if (cfgEnd < 0) fail(`${file}: <<< without >>> at offset ${at}`);
    const cfg = s.slice(at + 3, cfgEnd);
    let p = cfgEnd + 3;
    while (/\s/.test(s[p])) p++;
    if (s[p] !== '(') fail(`${file}: no argument list after >>> for ${callee}`);
    const q = matchForward(s, p, '(', ')');
    if (q < 0) fail(`${file}: unbalanced argument list for ${callee}`);
    const kargs = s.slice(p + 1, q).trim();
    const rep = `::cuemu::launch(${JSON.stringify(callee.replace(/\s+/g, ' '))}, ::cuemu::Config(${cfg}), ${callee}` +
                (kargs ? `, ${kargs})` : ')');
    s = s.slice(0, b) + rep + s.slice(q + 1);
    at = b + rep.length;
    launches++;
  }
  // dynamic shared memory
  s = s.replace(/extern\s+__shared__\s+(?:__align__\(\s*\d+\s*\)\s+)?([^;\[\]]+?)\s+(\w+)\s*\[\s*\]\s*;/g, (m, type, name) => {
    shared++;
    return `${type}* ${name} = reinterpret_cast<${type}*>(::cuemu::smem_dynamic());`;
  });
  // static shared memory (keyed by line, so that every thread of a block gets the same array)
  s = s.replace(/__shared__\s+(?:__align__\(\s*\d+\s*\)\s+)?([^;\[\]]+?)\s+(\w+)((?:\s*\[[^\]]+\])+)\s*;/g, (m, type, name, dims, off) => {
    shared++;
    const line = s.slice(0, off).split('\n').length;
    return `${type} (&${name})${dims} = *reinterpret_cast<${type}(*)${dims}>(::cuemu::smem_static(${line}, sizeof(${type}${dims}), alignof(${type})));`;
  });
  s = s.replace(/__shared__\s+(?:__align__\(\s*\d+\s*\)\s+)?([^;\[\]=]+?)\s+(\w+)\s*;/g, (m, type, name, off) => {
    shared++;
    const line = s.slice(0, off).split('\n').length;
    return `${type}& ${name} = *reinterpret_cast<${type}*>(::cuemu::smem_static(${line}, sizeof(${type}), alignof(${type})));`;
  });
  if (/__shared__/.test(s)) fail(`${file}: a __shared__ declaration this translator does not handle`);
  s = s.replace(/\bdlopen\s*\(/g, '::cuemu::emu_dlopen(').replace(/\bdlsym\s*\(/g, '::cuemu::emu_dlsym(');
  return { text: `// generated by scripts/cuda-emu/build.js from ${file}: do not edit\n#line 1 "${file}"\n${s}`, launches, shared };
}

const srcDir = path.join(out, 'src', 'cuda');
fs.mkdirSync(srcDir, { recursive: true });
fs.mkdirSync(path.join(out, 'obj'), { recursive: true });
fs.mkdirSync(path.join(out, 'Release'), { recursive: true });
const cudaFiles = fs.readdirSync(path.join(root, 'cuda')).filter((f) => /\.(cu|cuh)$/.test(f)).sort();
const units = [];
let nl = 0, ns = 0;
function emit(rel, dstDir) {
  const { text, launches, shared } = translate(fs.readFileSync(path.join(root, rel), 'utf8'), rel);
  nl += launches;
  ns += shared;
  const f = path.basename(rel);
  const dst = path.join(dstDir, f.endsWith('.cu') ? f.replace(/\.cu$/, '.cc') : f);
  if (!fs.existsSync(dst) || fs.readFileSync(dst, 'utf8') !== text) fs.writeFileSync(dst, text);
  return dst;
}
for (const f of cudaFiles) {
  const dst = emit(`cuda/${f}`, srcDir);
  if (f.endsWith('.cu')) units.push(dst);
}
units.push(path.join(__dirname, 'emu.cc'));
units.push(path.join(__dirname, 'libnccl.cc'));  // the stand-in libnccl (dlopen("libnccl.so.2") finds it)
// the emulator's own test program (scripts/cuda-emu/selftest.cu), linked with emu.o only
fs.mkdirSync(path.join(out, 'src', 'selftest'), { recursive: true });
const selftest = emit('scripts/cuda-emu/selftest.cu', path.join(out, 'src', 'selftest'));
units.push(selftest);
console.log(`cuda-emu build: ${cudaFiles.length} CUDA files translated (${nl} launches, ${ns} shared arrays) into ${srcDir}`);

// ---------------------------------------------------------------- 2. compile
const napiInc = require(path.join(root, 'node_modules', 'node-addon-api')).include_dir.replace(/^"|"$/g, '');
const nodeInc = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node']
  .find((d) => fs.existsSync(path.join(d, 'node_api.h')));
if (!nodeInc) fail("node's headers (node_api.h) were not found next to this node");
const cxx = process.env.CXX || 'g++';
// -fsanitize=alignment: a misaligned load or store (x86 forgives it, a GPU raises cudaErrorMisalignedAddress) stops
// the process with UBSan's message naming the source line, so that this class of bug fails in CI
const sanitize = ['-fsanitize=alignment', '-fno-sanitize-recover=alignment'];
const flags = [...sanitize, '-std=c++17', '-O2', '-fPIC', '-pthread', '-fexceptions', '-fno-math-errno', '-ffp-contract=off',
  '-D__CUDACC__', '-include', 'cuda_runtime.h', '-DNT_CUDA_ARCHS="emulated"', '-DNAPI_EXPERIMENTAL', '-DNAPI_CPP_EXCEPTIONS',
  '-DNODE_ADDON_API_DISABLE_DEPRECATED', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION',
  `-I${__dirname}`, `-iquote${path.join(root, 'cuda')}`, `-I${path.resolve(root, napiInc)}`, `-I${nodeInc}`];
const headers = [path.join(__dirname, 'cuda_runtime.h'), path.join(__dirname, 'emu_api.h')].concat(
  cudaFiles.filter((f) => f.endsWith('.cuh')).map((f) => path.join(srcDir, f)),
  fs.readdirSync(path.join(root, 'native', 'kernels')).map((f) => path.join(root, 'native', 'kernels', f)),
  fs.readdirSync(path.join(root, 'native', 'core')).filter((f) => f.endsWith('.h')).map((f) => path.join(root, 'native', 'core', f)));
const newestHeader = Math.max(...headers.map((h) => fs.statSync(h).mtimeMs), fs.statSync(__filename).mtimeMs);

function objOf(u) { return path.join(out, 'obj', path.basename(u).replace(/\.cc$/, '.o')); }
const todo = units.filter((u) => {
  const o = objOf(u);
  return !fs.existsSync(o) || fs.statSync(o).mtimeMs < Math.max(fs.statSync(u).mtimeMs, newestHeader);
});

function compile(u) {
  return new Promise((resolve, reject) => {
    const p = spawn(cxx, [...flags, '-c', u, '-o', objOf(u)], { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cxx} failed on ${u} (${code})`))));
  });
}

async function main() {
  const t0 = Date.now();
  const queue = todo.slice();
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length) await compile(queue.shift());
  });
  await Promise.all(workers);
  console.log(`cuda-emu build: compiled ${todo.length} of ${units.length} units in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // ---------------------------------------------------------------- 3. link with node-gyp's CPU objects
  const gypObj = path.join(root, 'build', 'Release', 'obj.target', 'nodetorch');
  const native = execFileSync(process.execPath, [path.join(root, 'scripts', 'sources.js')], { cwd: root }).toString().trim().split('\n');
  const cpuObjs = native.map((src) => {
    const o = path.join(gypObj, src.replace(/\.cc$/, '.o'));
    if (!fs.existsSync(o)) fail(`${o} is missing: build the CPU addon first (npm install, or npx node-gyp rebuild)`);
    if (fs.statSync(o).mtimeMs < fs.statSync(path.join(root, src)).mtimeMs) fail(`${o} is older than ${src}: rebuild the CPU addon (npx node-gyp build)`);
    return o;
  });
  const addon = path.join(out, 'Release', 'nodetorch.node');
  const emuObjs = units.filter((u) => u !== selftest).map(objOf);
  execFileSync(cxx, ['-shared', '-pthread', ...sanitize, '-o', addon, ...cpuObjs, ...emuObjs, '-ldl'], { stdio: 'inherit' });
  execFileSync(cxx, ['-pthread', ...sanitize, '-o', path.join(out, 'selftest'), objOf(selftest), objOf(path.join(__dirname, 'emu.cc')), objOf(path.join(__dirname, 'libnccl.cc')), '-ldl'], { stdio: 'inherit' });
  console.log(`cuda-emu build: ${addon} and ${path.join(out, 'selftest')}`);
}
main().catch((e) => fail(e.message));
