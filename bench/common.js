// common.js - what the side-by-side benchmarks share: nodetorch and PyTorch each run `rounds` times, alternating, so
// that a noisy neighbour hits both alike; every numeric figure is the median over the rounds (a PyTorch side that
// failed, or was skipped with --no-torch, is reported as { error }).
'use strict';
const median = (v) => { const s = v.slice().sort((a, b) => a - b); return s[s.length >> 1]; };
const mergeRounds = (rs) => Object.fromEntries(Object.keys(rs[0]).map((k) => [k, typeof rs[0][k] === 'number' ? median(rs.map((r) => r[k])) : rs[0][k]]));

/** @returns {{ n: object, t: object }} nodetorch's and PyTorch's figures, medians over the rounds */
function alternateRounds(bench, runTorch, rounds, noTorch) {
  const nr = [], tr = [];
  for (let r = 0; r < Math.max(1, rounds); r++) {
    nr.push(bench());
    if (!noTorch && !(tr.length && tr[0].error)) tr.push(runTorch());
  }
  return { n: mergeRounds(nr), t: noTorch ? { error: 'skipped' } : tr[0].error ? tr[0] : mergeRounds(tr) };
}

/** The host a figure comes from: CPU model and the SIMD/matrix features that decide kernel choice (issue 14). */
function hostLine() {
  let model = require('os').cpus()[0]?.model ?? 'unknown CPU';
  let flags = [];
  try {
    const info = require('fs').readFileSync('/proc/cpuinfo', 'utf8');
    const f = new Set(((/^flags\s*:\s*(.*)$/m.exec(info) || [])[1] || '').split(/\s+/));
    flags = ['avx2', 'fma', 'avx512f', 'avx512_bf16', 'amx_tile', 'amx_bf16'].filter((x) => f.has(x));
  } catch { /* not Linux */ }
  // overrides that change which kernels run: nodetorch's ISA cap (native/cpu/simd.cc) and OpenBLAS's core type
  const env = ['NODETORCH_CPU_ISA', 'NODETORCH_NO_AVX512', 'OPENBLAS_CORETYPE', 'NODETORCH_THP', 'NODETORCH_CPU_CACHE_MB']
    .filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  return `host: ${model}, ${require('os').cpus().length} CPUs, features ${flags.join(' ') || 'none of avx2/avx512/amx'}` +
    `, load ${require('os').loadavg()[0].toFixed(1)}${env.length ? `, ${env.join(' ')}` : ''}`;
}

/** NODETORCH_CPU_ISA=avx2 caps nodetorch's kernels at AVX2 (an AVX2-only host, measured on an AVX-512 one): cap
 * PyTorch alike (oneDNN's DNNL_MAX_CPU_ISA, ATen's ATEN_CPU_CAPABILITY). Extra environment for the PyTorch side. */
function torchIsaEnv() {
  const isa = process.env.NODETORCH_CPU_ISA;
  if (isa === 'avx2') return { DNNL_MAX_CPU_ISA: 'AVX2', ATEN_CPU_CAPABILITY: 'avx2' };
  return {};
}
/** hostLine() plus the ISA cap in force, if any */
function hostIsaLine() {
  const isa = process.env.NODETORCH_CPU_ISA;
  return hostLine() + (isa ? `; both sides capped at ${isa} (NODETORCH_CPU_ISA; PyTorch: DNNL_MAX_CPU_ISA, ATEN_CPU_CAPABILITY)` : '');
}

module.exports = { median, mergeRounds, alternateRounds, hostLine, torchIsaEnv, hostIsaLine };
