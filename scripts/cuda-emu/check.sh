#!/usr/bin/env bash
# check.sh - runs the CUDA backend on the CPU under the CUDA emulator and checks it the way a GPU run would:
#   1. builds the emulator addon (scripts/cuda-emu/build.js: cuda/*.cu translated and compiled with g++, linked with
#      node-gyp's CPU objects, so `npm install` must have run) and the emulator's self-test, and runs the self-test;
#   2. scripts/cuda-check.sh and scripts/cuda-check-extra.js: every CUDA kernel against the CPU kernel, twice (threads
#      of a block run first-to-last, then last-first, so a missing __syncthreads shows from either side);
#   3. scripts/cuda-check-lib.js: the public API on 'cuda' against 'cpu' (autograd, nn, optim, save/load, errors);
#   4. the conformance runner with --device cuda (only the four toString cases may fail: PyTorch prints
#      device='cuda:0' for a CUDA tensor, and the recorded answers are CPU tensors' repr);
#   5. the MNIST example with --device cuda at a reduced size: the same accuracy as the CPU run of the same seed;
#   6. the jest suite with the emulator binary (CUDA available: the tests' CUDA branches run).
# What it cannot show: anything about real GPU hardware (timing, memory-model races the serial scheduler hides,
# the device math library's last-bit differences, the real cuBLAS). See the README, "Testing the CUDA backend".
# Usage: bash scripts/cuda-emu/check.sh [--out DIR] [--conformance DIR] [--no-jest]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=build-emu
CONF=../shared/conformance
JEST=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --conformance) CONF="$2"; shift 2 ;;
    --no-jest) JEST=0; shift ;;
    *) echo "cuda-emu check: unknown argument $1" >&2; exit 2 ;;
  esac
done
t0=$(date +%s)
step() { echo; echo "-- cuda-emu: $* [$(( $(date +%s) - t0 ))s]"; }
ADDON="$PWD/$OUT/Release/nodetorch.node"
[ -d dist ] || { echo "cuda-emu check: FAIL: dist/ is missing (npm install, or npx tsc -p tsconfig.json)" >&2; exit 1; }

step "build"
node scripts/cuda-emu/build.js --out "$OUT"
step "emulator self-test"
"$OUT/selftest"

step "CUDA kernels against the CPU kernels"
bash scripts/cuda-check.sh --no-build --out "$OUT"
node scripts/cuda-check-extra.js "$ADDON"

step "the same kernel checks with each block's threads scheduled last-first, and without the emulated cuBLAS"
CUEMU_SCHEDULE=reverse CUEMU_CUBLAS=0 bash scripts/cuda-check.sh --no-build --out "$OUT" | tail -n 2
CUEMU_SCHEDULE=reverse node scripts/cuda-check-extra.js "$ADDON"

# the steps below compare CUDA results with the CPU's exact float32: TF32 off (float32 convolutions default to TF32, as
# PyTorch's cudnn.allow_tf32; NVIDIA_TF32_OVERRIDE=0 is NVIDIA's library-wide switch, which the emulated cuBLAS honours)
step "the public API on cuda against cpu"
NVIDIA_TF32_OVERRIDE=0 NODETORCH_ADDON="$ADDON" node scripts/cuda-check-lib.js

step "conformance --device cuda"
if [ -f "$CONF/run.js" ]; then
  J="$(mktemp)"
  NVIDIA_TF32_OVERRIDE=0 NODETORCH_ADDON="$ADDON" node "$CONF/run.js" . --device cuda --quiet --json "$J" | tail -n 1 || true
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (r.loadError) { console.error("conformance: load error: " + r.loadError); process.exit(1); }
    // a CUDA tensor prints with device=..., as in PyTorch; the recorded reprs are of CPU tensors
    const expected = (x) => x.op === "Tensor.toString" && /device=.cuda:0./.test(x.reason || "");
    const bad = r.results.filter((x) => !x.passed && !expected(x));
    const known = r.results.filter((x) => !x.passed && expected(x)).length;
    console.log(`conformance --device cuda: ${r.passed} passed, ${r.failed} failed (${known} of them toString with device=cuda:0, as PyTorch prints)`);
    for (const x of bad) console.error(`  FAIL ${x.id}: ${x.reason}`);
    process.exit(bad.length || r.passed === 0 ? 1 : 0);
  ' "$J"
  rm -f "$J"
else
  echo "conformance runner not found at $CONF: skipped"
fi

step "the MNIST example with --device cuda (reduced size) against the CPU run"
EX="$(mktemp -d)"
ARGS=(--train-size 800 --test-size 300 --epochs 1 --batch-size 32 --lr 0.01 --threads 1 --seed 7 --quiet)
cpu_line="$(node examples/mnist.js "${ARGS[@]}" --out "$EX/cpu")"
gpu_line="$(NVIDIA_TF32_OVERRIDE=0 NODETORCH_ADDON="$ADDON" node examples/mnist.js --device cuda "${ARGS[@]}" --out "$EX/cuda")"
echo "cpu:  $cpu_line"
echo "cuda: $gpu_line"
rm -rf "$EX"
acc() { sed -n 's/.*test accuracy: \([0-9.]*\)% (\([0-9]*\)\/.*/\2/p' <<<"$1"; }
c="$(acc "$cpu_line")"; g="$(acc "$gpu_line")"
[ -n "$c" ] && [ -n "$g" ] || { echo "cuda-emu check: FAIL: no accuracy line" >&2; exit 1; }
# the emulator computes with the CPU's float arithmetic but its own summation orders: a digit or two may flip
d=$(( c > g ? c - g : g - c ))
[ "$d" -le 3 ] && [ "$g" -ge 180 ] || { echo "cuda-emu check: FAIL: cuda run got $g/300 correct, the CPU run $c/300" >&2; exit 1; }

if [ "$JEST" = 1 ]; then
  step "jest with the emulator binary"
  # (the multi-process distributed tests are CPU-only and already ran in npm test: not again here)
  NODETORCH_ADDON="$ADDON" npx --no-install jest --ci --silent --testPathIgnorePatterns distributed
fi
step "OK"
