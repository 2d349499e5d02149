#!/usr/bin/env node
// cuda-check-extra.js - GPU-only checks of the CUDA indexing, conv/pool, optimizer, GradScaler and sort kernels
// (cuda/index.cu, cuda/conv.cu, cuda/optim.cu, cuda/sort.cu): each CUDA kernel against the CPU kernel of the same
// binary on random inputs (strided views, duplicates, NaN, negative indices, both sort paths), plus the bad-index
// errors.
// Without a GPU it says so and exits 0 (the build, link and load are scripts/cuda-check.sh's job).
// Usage: node scripts/cuda-check-extra.js [ADDON]     (ADDON default: $NT_ADDON, else build-cuda/Release/nodetorch.node)
//   e.g. NODETORCH_CUDA_ARCH=90 bash scripts/cuda-check.sh --out /tmp/cuda2 --keep && node scripts/cuda-check-extra.js /tmp/cuda2/Release/nodetorch.node
'use strict';
const path = require('path');
const addonPath = path.resolve(process.argv[2] || process.env.NT_ADDON || path.join(__dirname, '..', 'build-cuda/Release/nodetorch.node'));
// tensors as plain records over storages, kernels called through the meta buffer (shared with cuda-check.sh)
const R = require('./raw-binding.js')(addonPath, { seed: 4242 });
const { n, info, opId, check, tensor, values, run, view, close, rnd, rlist, ilist, freeAll, SIZE, contig, numel } = R;
const { F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL } = R;
if (info.cudaBuilt !== true) { console.error(`cuda-check-extra: FAIL: ${addonPath} was built without CUDA`); process.exit(1); }
const count = n.cuda('count');
// NT_EXTRA_SELFTEST=1: run the "GPU" side on the CPU too (checks this script and its inputs on a machine without a GPU)
const SELFTEST = process.env.NT_EXTRA_SELFTEST === '1';
const GPU = SELFTEST ? 0 : 1;
if (!(count > 0) && !SELFTEST) { console.log('cuda-check-extra: no GPU here: skipped (index, conv/pool, optim_step and sort CUDA kernels not run)'); process.exit(0); }

// both(op, make, attrs, opts): runs make(0) on the CPU and make(1) on the GPU; compares tensors opts.cmp (default [0])
// and the returned results; opts.tol = [rtol, atol]
function both(op, make, attrs, opts = {}) {
  const name = opts.name || op, cmp = opts.cmp || [0], tol = opts.tol || [0, 0];
  const s0 = R.getSeed(), cpu = make(0), s1 = R.getSeed();
  R.setSeed(s0);  // inputs drawn inside make() are the same on both sides
  const gpu = make(GPU);
  R.setSeed(s1);
  let rc, rg, ec = null, eg = null;
  try { rc = run(op, cpu, attrs); } catch (e) { ec = e.message; }
  try { rg = run(op, gpu, attrs); } catch (e) { eg = e.message; }
  if (ec !== null || eg !== null) {
    check(ec === eg, `${name}: errors differ: cpu "${ec}" cuda "${eg}"`);
  } else {
    check(rc === rg, `${name}: results differ: ${rc} vs ${rg}`);
    for (const i of cmp) {
      const r = close(values(gpu[i]), values(cpu[i]), tol[0], tol[1]);
      check(r === null, `${name}: tensor ${i}: cuda vs cpu ${r || ''}`);
    }
  }
  freeAll(cpu); freeAll(gpu);
  return { ec, eg };
}
// Assignment with repeated targets (scatter mode 0, put without accumulate): PyTorch leaves one of the values, undefined
// which, and the CUDA kernels write in parallel: each result element must be the CPU's where at most one source
// position targets it, else one of the source values aimed at it. targets[p] = flat result position of source p.
function assignCheck(op, make, attrs, name, targets, srcIdx) {
  const s0 = R.getSeed(), cpu = make(0), s1 = R.getSeed();
  R.setSeed(s0);
  const gpu = make(GPU);
  R.setSeed(s1);
  run(op, cpu, attrs); run(op, gpu, attrs);
  const rc = values(cpu[0]), rg = values(gpu[0]), sv = values(gpu[srcIdx]);
  const cand = new Map();
  targets.forEach((t, p) => { if (!cand.has(t)) cand.set(t, []); cand.get(t).push(sv[p]); });
  let bad = null;
  for (let t = 0; t < rc.length && bad === null; t++) {
    const c = cand.get(t), same = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b));
    if (!c || c.length === 1) { if (!same(rg[t], rc[t])) bad = `[${t}] ${rg[t]} vs ${rc[t]}`; }
    else if (!c.some((v) => same(v, rg[t]))) bad = `[${t}] ${rg[t]} is none of ${c}`;
  }
  check(bad === null, `${name}: ${bad || ''}`);
  freeAll(cpu); freeAll(gpu);
}
// float sums/products whose order the hardware picks (atomics): [rtol, atol] by dtype (16-bit: each partial sum is
// rounded to the storage type, values up to ~6 here: a few ulps of the partial sums); integers and bools exact
const orderTol = (dt) => (dt === BF16 ? [2e-2, 0.1] : dt === F16 ? [1e-2, 2e-2] : dt === F32 ? [1e-5, 1e-5] : dt === F64 ? [1e-12, 1e-12] : [0, 0]);
function sameError(op, make, attrs, name, pattern) {
  const { ec, eg } = both(op, make, attrs, { name });
  check(ec !== null && eg !== null && (!pattern || pattern.test(eg)), `${name}: expected an error on both (cpu "${ec}", cuda "${eg}")`);
}

const t0 = Date.now();
const vals = (dt, k) => dt === BOOL ? ilist(k, 0, 2) : dt >= I64 ? ilist(k, -60, 60).map((v) => (dt === U8 ? Math.abs(v) : v)) : rlist(k, -3, 3);
const ALL = [F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL];

// ---------------------------------------------------------------- gather
for (const dt of ALL) {
  const sv = vals(dt, 6 * 9);
  const i0 = ilist(4 * 7, 0, 6), i1 = ilist(5 * 4, 0, 9);
  both('gather', (d) => [tensor(d, dt, [4, 7]), tensor(d, dt, [6, 9], sv), tensor(d, I64, [4, 7], i0)], [0], { name: `gather dim0 ${dt}` });
  both('gather', (d) => [tensor(d, dt, [5, 4]), view(tensor(d, dt, [9, 6], sv), [6, 9], [1, 6]), tensor(d, I64, [5, 4], i1)], [1], { name: `gather dim1 transposed ${dt}` });
}
sameError('gather', (d) => [tensor(d, F32, [2, 2]), tensor(d, F32, [3, 3], rlist(9, 0, 1)), tensor(d, I64, [2, 2], [0, 1, 3, 0])], [0], 'gather bad index', /out of bounds/);

// ---------------------------------------------------------------- scatter
for (const dt of [F32, F64, F16, I64, I32, I8, BOOL]) {
  const self = vals(dt, 6 * 8), src = vals(dt, 5 * 8), idx = ilist(5 * 8, 0, 6);
  assignCheck('scatter', (d) => [tensor(d, dt, [6, 8], self), tensor(d, I64, [5, 8], idx), tensor(d, dt, [5, 8], src)], [0, 0], `scatter dim0 mode 0 ${dt}`,
    idx.map((v, p) => v * 8 + (p % 8)), 2);
  for (const mode of [1, 2])
    both('scatter', (d) => [tensor(d, dt, [6, 8], self), tensor(d, I64, [5, 8], idx), tensor(d, dt, [5, 8], src)], [0, mode],
      { name: `scatter dim0 mode ${mode} ${dt}`, tol: orderTol(dt) });
  both('scatter', (d) => [view(tensor(d, dt, [8, 6], self), [6, 8], [1, 6]), tensor(d, I64, [6, 3], ilist(18, 0, 8)), tensor(d, dt, [6, 5], vals(dt, 30))], [1, 1],
    { name: `scatter dim1 add transposed self ${dt}`, tol: orderTol(dt) });
}
both('scatter', (d) => [tensor(d, F32, [1000]), tensor(d, I64, [5000], ilist(5000, 0, 1000)), tensor(d, F32, [5000], rlist(5000, -1, 1))], [0, 1],
  { name: 'scatter add 1-D duplicates', tol: orderTol(F32) });
sameError('scatter', (d) => [tensor(d, F32, [3]), tensor(d, I64, [2], [0, -1]), tensor(d, F32, [2], [1, 2])], [0, 0], 'scatter negative index', /out of bounds/);

// ---------------------------------------------------------------- index_select
for (const dt of ALL) {
  const sv = vals(dt, 7 * 5 * 3);
  const ix = ilist(9, 0, 5), ixn = ilist(9, -5, 5);
  both('index_select', (d) => [tensor(d, dt, [7, 9, 3]), tensor(d, dt, [7, 5, 3], sv), tensor(d, I64, [9], ix)], [1, 0, -1], { name: `index_select dim1 ${dt}` });
  both('index_select', (d) => [tensor(d, dt, [9, 5, 3]), view(tensor(d, dt, [3, 5, 7], sv), [7, 5, 3], [1, 7, 35]), view(tensor(d, I64, [18], ixn.flatMap((v) => [v, 0])), [9], [2])],
    [0, 1, -1], { name: `index_select dim0 negatives strided ${dt}` });
}
both('index_select', (d) => [tensor(d, I64, [9]), tensor(d, F32, [5], rlist(5, 0, 1)), tensor(d, I64, [9], ilist(9, -5, 5))], [0, 2, -2], { name: 'index_select normalise' });
sameError('index_select', (d) => [tensor(d, F32, [2]), tensor(d, F32, [5], rlist(5, 0, 1)), tensor(d, I64, [2], [1, 5])], [0, 0, -1], 'index_select bad index (self words)', /index out of range in self/);
sameError('index_select', (d) => [tensor(d, I64, [2]), tensor(d, F32, [5], rlist(5, 0, 1)), tensor(d, I64, [2], [1, -6])], [0, 2, -2], 'index_select bad index (flat words)', /out of range: tried/);
sameError('index_select', (d) => [tensor(d, F32, [2, 3]), tensor(d, F32, [4, 3], rlist(12, 0, 1)), tensor(d, I64, [2], [1, 7])], [0, 0, 0], 'index_select bad index (dim words)', /out of bounds for dimension 0/);

// ---------------------------------------------------------------- index_add
for (const dt of [F32, F64, F16, BF16, I64, I32, U8, BOOL])
  for (const alpha of [1, 2.5]) {
    const self = vals(dt, 6 * 4), src = vals(dt, 10 * 4);
    both('index_add', (d) => [tensor(d, dt, [6, 4], self), tensor(d, I64, [10], ilist(10, 0, 6)), tensor(d, dt, [10, 4], src)], [0, alpha, 0],
      { name: `index_add dim0 alpha ${alpha} ${dt}`, tol: orderTol(dt) });
    both('index_add', (d) => [view(tensor(d, dt, [4, 6], self), [6, 4], [1, 6]), tensor(d, I64, [7], ilist(7, -4, 4)), tensor(d, dt, [6, 7], vals(dt, 42))], [1, alpha, 1],
      { name: `index_add dim1 wrap alpha ${alpha} ${dt}`, tol: orderTol(dt) });
  }
sameError('index_add', (d) => [tensor(d, F32, [3]), tensor(d, I64, [2], [0, -1]), tensor(d, F32, [2], [1, 2])], [0, 1, 0], 'index_add negative without wrap', /out of bounds/);

// ---------------------------------------------------------------- nonzero
for (const dt of [F32, F64, F16, I64, I8, BOOL]) {
  const v = vals(dt, 5 * 6 * 7).map((x, i) => (i % 3 === 0 ? 0 : x));
  if (dt <= BF16) v[4] = NaN;
  const mk = (d) => view(tensor(d, dt, [7, 6, 5], v), [5, 6, 7], [1, 5, 30]);
  const ic = mk(0), ig = mk(GPU);
  const nc = run('nonzero', [ic], []), ng = run('nonzero', [ig], []);
  check(nc === ng, `nonzero count ${dt}: ${ng} vs ${nc}`);
  const oc = tensor(0, I64, [nc, 3]), og = tensor(GPU, I64, [ng, 3]);
  run('nonzero', [oc, ic], []); run('nonzero', [og, ig], []);
  const r = close(values(og), values(oc), 0, 0);
  check(r === null, `nonzero coordinates ${dt}: ${r || ''}`);
  freeAll([ic, oc]); freeAll([ig, og]);
}
{
  const z = (d) => [tensor(d, F32, [0, 3])];
  both('nonzero', z, [], { name: 'nonzero empty', cmp: [] });
}

// ---------------------------------------------------------------- put
for (const dt of [F32, F64, F16, I64, I32, BOOL]) {
  const self = vals(dt, 6 * 5);
  const uniq = Array.from({ length: 30 }, (_, i) => i).sort(() => rnd() - 0.5).slice(0, 12).map((v, i) => (i % 2 ? v - 30 : v));
  both('put', (d) => [tensor(d, dt, [6, 5], self), tensor(d, I64, [3, 4], uniq), tensor(d, dt, [3, 4], vals(dt, 12))], [0], { name: `put unique ${dt}` });
  both('put', (d) => [view(tensor(d, dt, [5, 6], self), [6, 5], [1, 6]), tensor(d, I64, [20], ilist(20, -30, 30)), tensor(d, dt, [20], vals(dt, 20))], [1],
    { name: `put accumulate duplicates strided ${dt}`, tol: orderTol(dt) });
  const pidx = ilist(20, 0, 5);
  assignCheck('put', (d) => [tensor(d, dt, [6, 5], self), tensor(d, I64, [20], pidx), tensor(d, dt, [20], vals(dt, 20))], [0], `put assign duplicates ${dt}`, pidx, 2);
}
sameError('put', (d) => [tensor(d, F32, [4]), tensor(d, I64, [2], [0, 4]), tensor(d, F32, [2], [1, 2])], [0], 'put bad index', /out of range: tried to access index 4 on a tensor of 4 elements/);

// ---------------------------------------------------------------- im2col / col2im
for (const dt of [F32, F64])
  for (const [N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw] of [[2, 3, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1], [1, 2, 11, 10, 3, 2, 2, 3, 2, 1, 2, 1], [3, 1, 5, 5, 5, 5, 1, 1, 0, 0, 1, 1]]) {
    const OH = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1, OW = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
    const g = [kh, kw, sh, sw, ph, pw, dh, dw, OH, OW];
    const x = rlist(N * C * H * W, -1, 1), col = rlist(C * kh * kw * N * OH * OW, -1, 1);
    both('im2col', (d) => [tensor(d, dt, [C * kh * kw, N * OH * OW]), view(tensor(d, dt, [N, H, W, C], x), [N, C, H, W], [H * W * C, 1, W * C, C])], g,
      { name: `im2col ${dt} ${g}` });
    both('col2im', (d) => [tensor(d, dt, [N, C, H, W]), tensor(d, dt, [C * kh * kw, N * OH * OW], col)], g, { name: `col2im ${dt} ${g}` });
  }

// ---------------------------------------------------------------- pooling
for (const dt of [F32, F64])
  for (const [N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, extra] of [[2, 3, 8, 9, 2, 2, 2, 2, 0, 0, 1, 1, 0], [1, 2, 10, 7, 3, 3, 2, 1, 1, 1, 2, 1, 0], [2, 2, 7, 7, 3, 2, 2, 2, 1, 1, 1, 1, 1]]) {
    // extra = 1: one more output row/column (ceil_mode-like windows that start in the padding)
    const OH = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1 + extra, OW = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1 + extra;
    const x = rlist(N * C * H * W, -2, 2);
    x[3] = NaN;
    const xv = (d) => view(tensor(d, dt, [N, C, W, H], x), [N, C, H, W], [C * H * W, H * W, 1, H]);
    both('max_pool2d', (d) => [tensor(d, dt, [N, C, OH, OW]), tensor(d, I64, [N, C, OH, OW]), xv(d)], [kh, kw, sh, sw, ph, pw, dh, dw],
      { name: `max_pool2d ${dt} ${[kh, kw, sh, sw, ph, pw, dh, dw]}`, cmp: [0, 1] });
    const ind = ilist(N * C * OH * OW, 0, H * W);
    const go = rlist(N * C * OH * OW, -1, 1);
    both('max_pool2d_backward', (d) => [tensor(d, dt, [N, C, H, W]), tensor(d, dt, [N, C, OH, OW], go), tensor(d, I64, [N, C, OH, OW], ind)], [],
      { name: `max_pool2d_backward ${dt}` });
    // with the forward's geometry (as lib passes it): random indices (the device-side switch to the per-plane loop)
    // and indices that max_pool2d could have produced (a tap of each output's window: the per-input-element gather),
    // gradients of many outputs landing on one input (ties); both exact
    const geom = [kh, kw, sh, sw, ph, pw, dh, dw];
    both('max_pool2d_backward', (d) => [tensor(d, dt, [N, C, H, W]), tensor(d, dt, [N, C, OH, OW], go), tensor(d, I64, [N, C, OH, OW], ind)], geom,
      { name: `max_pool2d_backward ${dt} geometry, arbitrary indices` });
    const tap = [];
    for (let q = 0; q < N * C * OH * OW; q++) {
      const ow = q % OW, oh = Math.floor(q / OW) % OH, taps = [];
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const h = oh * sh - ph + i * dh, w = ow * sw - pw + j * dw;
        if (h >= 0 && h < H && w >= 0 && w < W) taps.push(h * W + w);
      }
      tap.push(taps.length ? taps[q % 3 === 0 ? 0 : Math.floor(rnd() * taps.length)] : 0);
    }
    both('max_pool2d_backward', (d) => [tensor(d, dt, [N, C, H, W]), tensor(d, dt, [N, C, OH, OW], go), tensor(d, I64, [N, C, OH, OW], tap)], geom,
      { name: `max_pool2d_backward ${dt} geometry, window indices` });
    for (const [inc, div] of [[1, 0], [0, 0], [1, 5]]) {
      if (dh !== 1 || dw !== 1) continue;
      const a = [kh, kw, sh, sw, ph, pw, inc, div];
      both('avg_pool2d', (d) => [tensor(d, dt, [N, C, OH, OW]), xv(d)], a, { name: `avg_pool2d ${dt} ${a}` });
      both('avg_pool2d_backward', (d) => [tensor(d, dt, [N, C, H, W]), view(tensor(d, dt, [N, C, OW, OH], go), [N, C, OH, OW], [C * OH * OW, OH * OW, 1, OH])], a,
        { name: `avg_pool2d_backward ${dt} ${a}` });
    }
  }

// ---------------------------------------------------------------- optim_step
{
  const K = 1000;
  const P = rlist(K, -1, 1), G = rlist(K, -1, 1), S0 = rlist(K, 0, 1), S1 = rlist(K, 0, 1), S2 = rlist(K, 0, 1);
  const cases = [
    ['sgd plain', [0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0], 0],
    ['sgd momentum nesterov wd', [0, 0.1, 0.9, 0.1, 0.01, 1, 0, 0, 0, 0], 1],
    ['sgd momentum first maximize', [0, 0.1, 0.9, 0, 0, 0, 1, 1, 0, 0], 1],
    ['adam', [1, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0.19, Math.sqrt(0.002)], 2],
    ['adam wd amsgrad maximize', [1, 1e-3, 0.9, 0.999, 1e-8, 0.01, 1, 1, 0.19, Math.sqrt(0.002)], 3],
    ['adamw', [2, 1e-3, 0.9, 0.999, 1e-8, 0.01, 0, 0, 0.271, Math.sqrt(0.003)], 2],
    ['rmsprop', [3, 1e-2, 0.99, 1e-8, 0, 0, 0, 0, 0, 0], 1],
    ['rmsprop centered momentum wd', [3, 1e-2, 0.99, 1e-8, 0.01, 0.9, 1, 0, 0, 0], 3],
    ['adagrad', [4, 1e-2, 1e-10, 0.01, 0, 0, 0, 0, 0, 0], 1],
  ];
  for (const dt of [F32, F64])
    for (const [name, a, ns] of cases)
      both('optim_step', (d) => [tensor(d, dt, [K], P), tensor(d, dt, [K], G), ...[S0, S1, S2].slice(0, ns).map((s) => tensor(d, dt, [K], s))], a,
        { name: `optim_step ${name} ${dt}`, cmp: Array.from({ length: 1 + ns }, (_, i) => (i === 0 ? 0 : i + 1)), tol: dt === F32 ? [1e-5, 1e-7] : [1e-13, 1e-15] });
}

// ---------------------------------------------------------------- amp_unscale (GradScaler's fused inf check + unscale)
{
  const K = 777;
  const clean = [rlist(K, -3, 3), rlist(13, -3, 3), rlist(K, -1e4, 1e4)];
  const dirty = clean.map((v, j) => v.map((x, i) => (j === 1 && i === 5 ? Infinity : j === 2 && i === 100 ? NaN : x)));
  for (const [vals, what] of [[clean, 'finite'], [dirty, 'inf/nan']])
    for (const inv of [0.0009765625, 1, 1 / 3])
      both('amp_unscale', (d) => [tensor(d, F32, [1], [0]), tensor(d, F32, [K], vals[0]), tensor(d, BF16, [13], vals[1]), tensor(d, F64, [K], vals[2]),
        tensor(d, F16, [K], vals[0])], [inv], { name: `amp_unscale ${what} inv ${inv}`, cmp: [0, 1, 2, 3, 4], tol: [1e-6, 1e-30] });
}

// ---------------------------------------------------------------- sort (shared-memory path n <= 2048, host path above)
for (const dt of ALL)
  for (const len of [1, 37, 256, 2048, 3000])
    for (const desc of [0, 1]) {
      const rows = len > 1000 ? 3 : 5;
      const v = dt <= BF16 ? rlist(rows * len, -4, 4).map((x, i) => (i % 7 === 0 ? Math.round(x) : i % 11 === 0 ? NaN : i % 13 === 0 ? -0 : x)) : vals(dt, rows * len);
      both('sort', (d) => [tensor(d, dt, [rows, len]), tensor(d, I64, [rows, len]), view(tensor(d, dt, [len, rows], v), [rows, len], [1, rows])], [desc, 1],
        { name: `sort ${dt} len ${len} desc ${desc}`, cmp: [0, 1] });
    }
for (const len of [100, 2500])
  both('sort', (d) => [tensor(d, F32, [2, 3, 5]), tensor(d, I64, [2, 3, 5]), tensor(d, F32, [2, 3, len], rlist(6 * len, -1, 1).map((x, i) => (i % 9 ? x : NaN)))], [1, 1, 5],
    { name: `topk 5 of ${len}`, cmp: [0, 1] });
both('sort', (d) => [tensor(d, F64, []), tensor(d, I64, []), tensor(d, F64, [], [3.5])], [0, 1], { name: 'sort 0-d', cmp: [0, 1] });

console.log(`cuda-check-extra: index/conv/optim/sort CUDA kernels vs CPU: ${R.checks()} checks, ${R.failures()} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (R.failures()) process.exit(1);
