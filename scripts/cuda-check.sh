#!/usr/bin/env bash
# cuda-check.sh - the CI compile-and-link check of the CUDA backend, and its smoke test.
#   1. builds the CUDA addon with cmake-js (NODETORCH_CUDA=1, so a missing nvcc or any compile/link error fails)
#      into a temporary directory (or --out DIR), for NODETORCH_CUDA_ARCH (default "80;90": keep it short);
#   2. loads it with node: it must load on a machine without a GPU or driver, report info().cudaBuilt === true,
#      answer cuda('count') (0 there) and cuda('diagnose') without throwing, and run CPU ops correctly;
#   3. when a GPU is present, runs every CUDA kernel against the CPU kernels of the same binary
#      (fill, copy/cast, unary, binary, ternary, random, randperm, matmul paths, reduce layouts, allocator).
#      NT_CHECK_SELFTEST=1 runs step 3 with the CPU on both sides (checks the script itself on a machine without a GPU).
# Usage: scripts/cuda-check.sh [--out DIR] [--keep] [--no-build]   (--no-build: test DIR/Release/nodetorch.node)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT=""
KEEP=0
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-build) BUILD=0; shift ;;
    *) echo "cuda-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$OUT" ]; then
  [ "$BUILD" = 1 ] || { echo "cuda-check: --no-build needs --out DIR" >&2; exit 2; }
  OUT="$(mktemp -d "${TMPDIR:-/tmp}/nodetorch-cuda.XXXXXX")"
  [ "$KEEP" = 1 ] || trap 'rm -rf "$OUT"' EXIT
fi
OUT="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
export NODETORCH_CUDA=1
export NODETORCH_CUDA_ARCH="${NODETORCH_CUDA_ARCH:-80;90}"
JOBS="$(nproc 2>/dev/null || echo 2)"
# use this node's own headers rather than letting cmake-js download them (no network on CI machines)
if [ -z "${npm_config_nodedir:-}" ]; then
  NODE_PREFIX="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  [ -f "$NODE_PREFIX/include/node/node_api.h" ] && export npm_config_nodedir="$NODE_PREFIX"
fi
t_start=$(date +%s)

if [ "$BUILD" = 1 ]; then
  NVCC="$(command -v nvcc || true)"
  [ -n "$NVCC" ] || NVCC=/usr/local/cuda/bin/nvcc
  [ -x "$NVCC" ] || { echo "cuda-check: FAIL: nvcc not found (PATH or /usr/local/cuda/bin)" >&2; exit 1; }
  export CUDACXX="${CUDACXX:-$NVCC}"
  echo "cuda-check: building with $("$NVCC" --version | tail -n 2 | head -n 1) for architectures $NODETORCH_CUDA_ARCH, $JOBS jobs, into $OUT"
  npx --no-install cmake-js configure --out "$OUT" --log-level warn
  npx --no-install cmake-js build --out "$OUT" --parallel "$JOBS" --log-level warn
  t_built=$(date +%s)
  echo "cuda-check: build took $((t_built - t_start)) s"
else
  t_built=$t_start
fi

ADDON="$OUT/Release/nodetorch.node"
[ -f "$ADDON" ] || { echo "cuda-check: FAIL: $ADDON was not produced" >&2; exit 1; }
echo "cuda-check: $(du -h "$ADDON" | cut -f1) $ADDON"

NT_ADDON="$ADDON" NT_ROOT="$ROOT" node - <<'EOF'
'use strict';
const path = require('path');
// tensors as plain records over storages, kernels called through the meta buffer (shared with cuda-check-extra.js)
const R = require(path.join(process.env.NT_ROOT, 'scripts/raw-binding.js'))(process.env.NT_ADDON, { seed: 12345, root: process.env.NT_ROOT });
const { n, info, opId, check, tensor, values, run, view, close, rlist, UN, BI } = R;
const { F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL } = R;
// NT_CHECK_SELFTEST=1: the "GPU" side runs on the CPU too (checks this script on a machine without a GPU)
const SELFTEST = process.env.NT_CHECK_SELFTEST === '1';
const GPU = SELFTEST ? 0 : 1;

check(info.cudaBuilt === true, 'info().cudaBuilt === true');
const count = n.cuda('count');
check(typeof count === 'number' && count >= 0, `cuda('count') is a number (${count})`);
const diag = n.cuda('diagnose');
check(typeof diag === 'string' && diag.length > 0, "cuda('diagnose') is a message");
console.log(`cuda-check: loaded; simd ${info.simd}, ${info.threads} threads, ${info.ops.length} ops, cuda count ${count}`);
console.log(diag.split('\n').map((l) => '  | ' + l).join('\n'));

// ---- CPU ops through this binary
{
  const a = tensor(0, F32, [2, 3], [1, 2, 3, 4, 5, 6]);
  const b = tensor(0, F32, [2, 3], [10, 20, 30, 40, 50, 60]);
  const o = tensor(0, F32, [2, 3]);
  run('binary', [o, a, b], [BI.findIndex((r) => r.name === 'add'), F32, 1]);
  check(close(values(o), [11, 22, 33, 44, 55, 66], 0, 0) === null, 'cpu add');
  run('unary', [o, a], [UN.findIndex((r) => r.name === 'exp'), F32, 0, 0, 0]);
  check(close(values(o), [1, 2, 3, 4, 5, 6].map(Math.exp), 1e-6, 0) === null, 'cpu exp');
  run('fill', [o], [2.5]);
  check(close(values(o), [2.5, 2.5, 2.5, 2.5, 2.5, 2.5], 0, 0) === null, 'cpu fill');
  const m = tensor(0, F32, [1, 2, 2]);
  run('matmul', [m, view(a, [1, 2, 3], [0, 3, 1]), view(b, [1, 3, 2], [0, 1, 3])], [1, 0]);
  check(close(values(m), [140, 320, 320, 770], 0, 0) === null, 'cpu matmul');
  const h = tensor(0, F16, [2, 3]);
  run('copy', [h, a], []);
  check(close(values(h), [1, 2, 3, 4, 5, 6], 0, 0) === null, 'cpu copy f32->f16');
  if (opId.reduce !== undefined) {
    const r = tensor(0, F32, [2]);
    run('reduce', [r, a], [0, 1, F32]);
    check(close(values(r), [6, 15], 0, 0) === null, 'cpu reduce sum');
  }
  if (count === 0) {
    let msg = '';
    try { n.alloc(16, 1, 0, true); } catch (e) { msg = e.message; }
    check(/CUDA/.test(msg), `a CUDA allocation without a GPU throws a clear error (${msg})`);
  }
  console.log(`cuda-check: CPU ops through the CUDA binary: ${R.failures() ? 'FAILED' : 'ok'}`);
}

// ---- every CUDA kernel against the CPU kernel of the same binary (only with a GPU)
function both(op, make, attrs, tol = [0, 0], name = op) {
  const s0 = R.getSeed(), cpu = make(0), s1 = R.getSeed();
  R.setSeed(s0);  // inputs drawn inside make() must be the same on both sides
  const gpu = make(GPU);
  R.setSeed(s1);
  run(op, cpu, attrs);
  run(op, gpu, attrs);
  const r = close(values(gpu[0]), values(cpu[0]), tol[0], tol[1]);
  check(r === null, `${name}: cuda vs cpu ${r || ''}`);
  for (const ts of [cpu, gpu]) for (const t of ts) if (t.own !== false) n.free(t.s);
}
if (count > 0 || SELFTEST) {
  const t0 = Date.now();
  const dts = [F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL];
  // fill and copy/cast through strided and broadcast views
  for (const dt of dts) both('fill', (d) => [view(tensor(d, dt, [5, 6]), [3, 6], [6, 1], 6)], [dt === BOOL ? 1 : 7.75], [0, 0], `fill ${dt}`);
  both('fill', (d) => [tensor(d, I64, [4])], [0x12345678, 1, 0x1234], [0, 0], 'fill exact int64');
  const src = rlist(4 * 6, -50, 50);
  for (const dd of dts) for (const sd of [F32, F64, I64, F16, BOOL]) {
    both('copy', (d) => {
      const s = tensor(d, sd, [4, 6], src);
      return [tensor(d, dd, [6, 4]), view(s, [6, 4], [1, 6])];
    }, [], [0, 0], `copy ${sd}->${dd} (transposed)`);
  }
  both('copy', (d) => [tensor(d, F32, [3, 5]), view(tensor(d, F64, [5], rlist(5, -1, 1)), [3, 5], [0, 1])], [], [0, 0], 'copy broadcast');
  both('copy', (d) => [tensor(d, F32, [1000003]), tensor(d, F32, [1000003], rlist(1000003, -1, 1))], [], [0, 0], 'copy large');
  // unary: every row, float32 and float64 (and int64 for the integer-safe rows)
  const intUnary = new Set(['neg', 'abs', 'sign', 'square', 'relu', 'bitwise_not', 'logical_not', 'isnan', 'isinf', 'isfinite']);
  const ux = rlist(7 * 9, 0.05, 0.95);
  UN.forEach((row, code) => {
    for (const ct of [F32, F64, I64]) {
      if (ct === I64 && !intUnary.has(row.name)) continue;
      const od = row.result === 'BOOL' ? BOOL : ct;
      const xs = ct === I64 ? ux.map((v) => Math.round(v * 40 - 20)) : ux;
      both('unary', (d) => [tensor(d, od, [9, 7]), view(tensor(d, ct, [7, 9], xs), [9, 7], [1, 9])], [code, ct, 1.5, 20, -3],
        ct === F32 ? [2e-6, 1e-6] : ct === F64 ? [1e-14, 1e-14] : [0, 0], `unary ${row.name} ${ct}`);
    }
  });
  both('unary', (d) => [tensor(d, F16, [64]), tensor(d, BF16, [64], rlist(64, -2, 2))], [UN.findIndex((r) => r.name === 'tanh'), F32, 0, 0, 0],
    [2e-3, 1e-3], 'unary tanh bf16 in, f16 out (converted operands)');
  // binary: every row, a transposed, b broadcast along dim 0
  const intBinary = new Set(['add', 'sub', 'mul', 'div_trunc', 'div_floor', 'remainder', 'fmod', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le',
    'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'pow']);
  const ba = rlist(5 * 8, 0.5, 2), bb = rlist(8, 0.5, 2);
  BI.forEach((row, code) => {
    for (const ct of [F32, F64, I64]) {
      if (ct === I64 && !intBinary.has(row.name)) continue;
      const od = row.result === 'BOOL' ? BOOL : ct;
      const A = ct === I64 ? ba.map((v) => Math.round(v * 10 - 12)) : ba, B = ct === I64 ? bb.map((v) => Math.round(v * 3)) : bb;
      both('binary', (d) => [tensor(d, od, [5, 8]), view(tensor(d, ct, [8, 5], A), [5, 8], [1, 5]), view(tensor(d, ct, [8], B), [5, 8], [0, 1])],
        [code, ct, 0.75, 20], ct === F32 ? [2e-6, 1e-6] : ct === F64 ? [1e-14, 1e-14] : [0, 0], `binary ${row.name} ${ct}`);
    }
  });
  // ternary: where, lerp, clamp, addcmul
  const cx = rlist(24, -2, 2), cy = rlist(24, -1, 0), cz = rlist(24, 0, 1);
  both('ternary', (d) => [tensor(d, F32, [4, 6]), tensor(d, BOOL, [4, 6], cx.map((v) => v > 0)), tensor(d, F32, [4, 6], cy), view(tensor(d, F64, [6], cz.slice(0, 6)), [4, 6], [0, 1])],
    [0, F32], [0, 0], 'where');
  for (const code of [1, 2, 3])
    both('ternary', (d) => [tensor(d, F32, [4, 6]), tensor(d, F32, [4, 6], cx), tensor(d, F32, [4, 6], cy), tensor(d, F32, [4, 6], cz)], [code, F32],
      [1e-6, 1e-6], `ternary ${code}`);
  // random: the same Philox stream on both devices
  const rs = [0xdeadbeef, 0x1234, 777];
  for (const [kind, dt, p] of [[0, F32, [0, 1]], [0, F64, [-2, 3]], [1, F32, [0, 1]], [1, F64, [1, 2]], [2, I64, [-5, 100]], [2, F32, [0, 10]], [3, F32, [0.3, 0]], [0, F16, [0, 1]]])
    both('random', (d) => [tensor(d, dt, [1000])], [kind, ...rs, ...p], dt === F64 && kind === 1 ? [1e-15, 1e-15] : [0, 0], `random kind ${kind} dtype ${dt}`);
  both('randperm', (d) => [tensor(d, I64, [1000])], [0, ...rs], [0, 0], 'randperm');
  both('randperm', (d) => [view(tensor(d, I64, [2000]), [1000], [2])], [0, ...rs], [0, 0], 'randperm strided');
  // matmul: transposed A, broadcast B over the batch, beta != 0, every path
  const [bt, M, K, N] = [3, 37, 29, 41];
  const ma = rlist(bt * M * K, -1, 1), mb = rlist(K * N, -1, 1), mc = rlist(bt * M * N, -1, 1);
  for (const dt of [F32, F64, F16, BF16, I64, I32])
    for (const p of dt === F32 || dt === F64 ? [0, 1, 2] : [0]) {
      const isInt = dt === I64 || dt === I32;
      const A = isInt ? ma.map((v) => Math.round(v * 9)) : ma, B = isInt ? mb.map((v) => Math.round(v * 9)) : mb, C = isInt ? mc.map((v) => Math.round(v * 9)) : mc;
      both('matmul', (d) => [tensor(d, dt, [bt, M, N], C), view(tensor(d, dt, [bt, K, M], A), [bt, M, K], [K * M, 1, M]), view(tensor(d, dt, [K, N], B), [bt, K, N], [0, N, 1])],
        [isInt ? 2 : 1.5, isInt ? 3 : 0.5, p], dt === F64 ? [1e-12, 1e-12] : dt === F32 ? [1e-5, 1e-5] : isInt ? [0, 0] : [2e-2, 2e-2], `matmul dtype ${dt} path ${p}`);
    }
  both('matmul', (d) => [tensor(d, F32, [1, 300, 200]), tensor(d, F32, [1, 300, 500], rlist(150000, -1, 1)), tensor(d, F32, [1, 500, 200], rlist(100000, -1, 1))],
    [1, 0], [1e-4, 1e-4], 'matmul 300x500x200');
  // reduce: rows, columns, chunked full reductions, permuted input, converted input
  if (opId.reduce !== undefined) {
    const rx = rlist(64 * 300, -1, 1);
    for (let code = 0; code < 10; code++) {
      const tol = code === 1 ? [1e-4, 1e-30] : [2e-5, 1e-5];
      both('reduce', (d) => [tensor(d, F32, [64]), tensor(d, F32, [64, 300], rx)], [code, 1, F32], tol, `reduce ${code} rows`);
      both('reduce', (d) => [tensor(d, F32, [300]), view(tensor(d, F32, [64, 300], rx), [300, 64], [1, 300])], [code, 1, F32], tol, `reduce ${code} columns`);
      both('reduce', (d) => [tensor(d, F64, []), tensor(d, F32, [64, 300], rx)], [code, 2, F32], code === 1 ? [1e-3, 1e-30] : [1e-4, 1e-5], `reduce ${code} full`);
    }
    const big = rlist(3000000, 0, 1);
    both('reduce', (d) => [tensor(d, F32, []), tensor(d, F32, [3000000], big)], [0, 1, F32], [1e-5, 0], 'reduce sum 3M');
    both('reduce', (d) => [tensor(d, F32, [3]), view(tensor(d, F32, [1000000, 3], big), [3, 1000000], [1, 3])], [7, 1, F32], [1e-5, 0], 'reduce mean columns 1M');
    both('reduce', (d) => [tensor(d, F64, [2]), view(tensor(d, F16, [2, 1500, 1000], big.map((v) => v * 4)), [2, 1500, 1000], [1500000, 1000, 1])], [0, 2, F64], [1e-9, 0], 'reduce sum f16 as f64');
    both('reduce', (d) => [tensor(d, I64, [4]), tensor(d, I32, [4, 5000], rlist(20000, -100, 100).map(Math.round))], [0, 1, I64], [0, 0], 'reduce sum int');
    both('reduce', (d) => [tensor(d, BOOL, [4]), tensor(d, F32, [4, 0])], [4, 1], [0, 0], 'reduce all of empty');
  }
  // allocator
  if (!SELFTEST) {
  const before = n.cuda('reserved', 0);
  const held = Array.from({ length: 20 }, (_, i) => n.alloc(1000 * (i + 1) ** 2, 1, 0, true));
  check(n.cuda('reserved', 0) >= before, 'reserved grows');
  held.forEach((s) => n.free(s));
  n.cuda('sync', 0);
  n.cuda('emptyCache');
  let bad = '';
  try { n.alloc(16, 1, count + 3, true); } catch (e) { bad = e.message; }
  check(/invalid device ordinal/.test(bad), `a bad device index throws (${bad})`);
  }
  console.log(`cuda-check: CUDA kernels vs CPU${SELFTEST ? ' (self-test: CPU vs CPU)' : ''}: ${R.checks()} checks, ${R.failures()} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} else {
  console.log('cuda-check: no GPU here: CUDA kernels not run (compile, link and load checked)');
}
if (R.failures()) { console.error(`cuda-check: ${R.failures()} of ${R.checks()} checks FAILED`); process.exit(1); }
console.log(`cuda-check: ${R.checks()} checks passed`);
EOF
t_end=$(date +%s)
echo "cuda-check: OK (build $((t_built - t_start)) s, load and tests $((t_end - t_built)) s, total $((t_end - t_start)) s)"
