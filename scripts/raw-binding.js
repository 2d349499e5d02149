// raw-binding.js - direct access to a built addon, below lib/, for the CUDA checks (scripts/cuda-check.sh and
// scripts/cuda-check-extra.js): tensors are plain {s, dtype, shape, stride, offset, dev, nb} records over storages,
// kernels are called through the shared meta buffer exactly as lib/tensor.ts calls them, and results are read back
// as numbers for a CUDA-vs-CPU comparison. Nothing here needs a GPU.
// Usage: const R = require('./raw-binding.js')(addonPath, { seed, root });
'use strict';
const fs = require('fs');
const path = require('path');

module.exports = function rawBinding(addonPath, opts = {}) {
  const n = require(addonPath);
  const info = n.info();
  const root = opts.root || path.join(__dirname, '..');
  let failures = 0, checks = 0;
  function check(ok, what) {
    checks++;
    if (!ok) { failures++; console.error(`  FAIL ${what}`); }
  }

  const META = 36, ATTR = 8 * META;
  const meta = new Float64Array(n.metaSize);
  n.setMeta(meta);
  const opId = Object.fromEntries(info.ops.map((o, i) => [o, i]));
  const DT = { F32: 0, F64: 1, F16: 2, BF16: 3, I64: 4, I32: 5, I16: 6, I8: 7, U8: 8, BOOL: 9 };
  const { I64, F16, BF16, BOOL, I32 } = DT;
  const SIZE = [4, 8, 2, 2, 8, 4, 2, 1, 1, 1];
  const ARR = [Float32Array, Float64Array, Uint16Array, Uint16Array, BigInt64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint8Array];
  const contig = (shape) => { const s = []; let k = 1; for (let d = shape.length - 1; d >= 0; d--) { s[d] = k; k *= shape[d]; } return s; };
  const numel = (shape) => shape.reduce((a, b) => a * b, 1);
  // 16-bit floats by truncation: good enough for test inputs (both devices read the same bits)
  function f2h(v) {
    const x = new Uint32Array(new Float32Array([v]).buffer)[0];
    const sign = (x >>> 16) & 0x8000, e = ((x >>> 23) & 0xff) - 112, m = (x >>> 13) & 0x3ff;
    if (Number.isNaN(v)) return 0x7e00;
    if (e <= 0) return sign;
    if (e >= 31) return sign | 0x7c00;
    return sign | (e << 10) | m;
  }
  function h2f(h) {
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e === 0) return s * m * 2 ** -24;
    if (e === 31) return m ? NaN : s * Infinity;
    return s * (1 + m / 1024) * 2 ** (e - 15);
  }
  const b2f = (h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0];
  const f2b = (v) => (new Uint32Array(new Float32Array([v]).buffer)[0] >>> 16) & 0xffff;
  function encode(dtype, values) {
    const A = ARR[dtype];
    if (dtype === I64) return A.from(values, (v) => BigInt(Math.trunc(v)));
    if (dtype === F16) return A.from(values, f2h);
    if (dtype === BF16) return A.from(values, f2b);
    if (dtype === BOOL) return A.from(values, (v) => (v ? 1 : 0));
    if (dtype >= I32) return A.from(values, (v) => Math.trunc(v));
    return A.from(values);
  }
  // a contiguous tensor on device dev (0 cpu, 1 cuda); zero-filled when no values are given
  function tensor(dev, dtype, shape, values) {
    const nb = Math.max(1, numel(shape)) * SIZE[dtype];
    const s = n.alloc(nb, dev, 0, values === undefined);
    if (values !== undefined) n.write(s, 0, encode(dtype, values));
    return { s, dtype, shape, stride: contig(shape), offset: 0, dev, nb };
  }
  // the view's elements in row-major order, as numbers
  function values(t) {
    const raw = new ARR[t.dtype](n.read(t.s, 0, t.nb));
    const all = Array.from(raw, (v) => (t.dtype === I64 ? Number(v) : t.dtype === F16 ? h2f(v) : t.dtype === BF16 ? b2f(v) : v));
    const out = [], idx = new Array(t.shape.length).fill(0), N = numel(t.shape);
    for (let i = 0; i < N; i++) {
      let off = t.offset;
      for (let d = 0; d < t.shape.length; d++) off += idx[d] * t.stride[d];
      out.push(all[off]);
      for (let d = t.shape.length - 1; d >= 0; d--) { if (++idx[d] < t.shape[d]) break; idx[d] = 0; }
    }
    return out;
  }
  function run(op, ts, attrs) {
    ts.forEach((t, i) => {
      const b = i * META;
      meta[b] = t.dtype; meta[b + 1] = t.shape.length; meta[b + 2] = t.offset;
      t.shape.forEach((v, d) => { meta[b + 3 + d] = v; meta[b + 19 + d] = t.stride[d]; });
    });
    meta[ATTR] = attrs.length;
    attrs.forEach((v, i) => { meta[ATTR + 1 + i] = v; });
    return n.run(opId[op], ...ts.map((t) => t.s));
  }
  const view = (t, shape, stride, offset = 0) => ({ ...t, shape, stride, offset });
  // null when a and b agree elementwise within atol + rtol*|b| (NaN matches NaN), else the first difference
  function close(a, b, rtol, atol) {
    if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (x === y) continue;
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return `[${i}] ${x} vs ${y}`;
    }
    return null;
  }
  // a seeded LCG, so both devices (and every run) see the same inputs
  let seed = opts.seed === undefined ? 1 : opts.seed;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const rlist = (k, lo, hi) => Array.from({ length: k }, () => lo + (hi - lo) * rnd());
  const ilist = (k, lo, hi) => Array.from({ length: k }, () => lo + Math.floor((hi - lo) * rnd()));
  const freeAll = (ts) => { const seen = new Set(); for (const t of ts) if (!seen.has(t.s)) { seen.add(t.s); n.free(t.s); } };
  // the functor rows of native/kernels/{unary,binary}.def, in kernel-code order
  const defRows = (file) => fs.readFileSync(path.join(root, 'native/kernels', file), 'utf8')
    .split('\n').map((l) => /^(UNARY|BINARY)\((\w+),\s*(\w+)/.exec(l)).filter(Boolean).map((m) => ({ name: m[2], result: m[3] }));

  return {
    n, info, opId, META, ATTR, meta, SIZE, ARR, ...DT,
    check, failures: () => failures, checks: () => checks,
    contig, numel, f2h, h2f, b2f, f2b, encode, tensor, values, run, view, close,
    rnd, rlist, ilist, freeAll, getSeed: () => seed, setSeed: (v) => { seed = v; }, UN: defRows('unary.def'), BI: defRows('binary.def'),
  };
};
