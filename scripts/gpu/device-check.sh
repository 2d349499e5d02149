#!/usr/bin/env bash
# device-check.sh - runs on the lent GPU machine (after scripts/gpu/prepare.sh here, carrying .gpu/): unpacks node and
# the bundle, then runs every CUDA check that needs no jest, each with its own time limit, and keeps going after a
# failure so that one run reports everything. Logs go to $OUT (the device tool brings them back), else .gpu/out.
#   1. nvidia-smi and torch.cuda.diagnose()        4. scripts/cuda-check-lib.js (the public API on cuda vs cpu)
#   2. scripts/cuda-check.sh --no-build             5. the conformance runner with --device cuda
#   3. scripts/cuda-check-extra.js                  6. the MNIST example with --device cuda (full size) and bench/mnist.js
#                                                   7. bench/cuda.js beside PyTorch on the same GPU (matmul float32/TF32/
#                                                      bfloat16/float16, add/sum bandwidth, MLP/CNN steps; JSON in $LOG)
# Usage: bash scripts/gpu/device-check.sh [--quick]   (--quick: steps 1-3 only, to check the route)
set -u
cd "$(dirname "$0")/../.."
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
LOG="${OUT:-$PWD/.gpu/out}"
mkdir -p "$LOG" /tmp/nt-node
xz -dc .gpu/node.xz > /tmp/nt-node/node && chmod +x /tmp/nt-node/node
export PATH="/tmp/nt-node:$PATH"
tar -xJf .gpu/bundle.tar.xz -C .
export NODETORCH_ADDON="$PWD/build-gpu/Release/nodetorch.node"
status=0
step() {  # step NAME SECONDS CMD...: runs CMD with a limit, log in $LOG/NAME.log, tail on stdout
  local name="$1" limit="$2"; shift 2
  local t0=$(date +%s)
  timeout "$limit" "$@" > "$LOG/$name.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || status=1
  echo "== $name: rc $rc, $(( $(date +%s) - t0 )) s"
  tail -n 6 "$LOG/$name.log" | sed 's/^/   /'
}
echo "node $(node --version); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi: not found')"
step diagnose 60 node -e "const t=require('.');console.log(t.cuda.diagnose());process.exit(t.cuda.isAvailable()?0:1)"
step cuda-check 300 bash scripts/cuda-check.sh --no-build --out build-gpu
step cuda-check-extra 120 node scripts/cuda-check-extra.js "$NODETORCH_ADDON"
if [ "$QUICK" = 0 ]; then
  # these two compare with the CPU's exact float32: TF32 off (NVIDIA's library-wide switch; float32 convolutions
  # default to TF32, as PyTorch's cudnn.allow_tf32)
  step cuda-check-lib 180 env NVIDIA_TF32_OVERRIDE=0 node scripts/cuda-check-lib.js
  if [ -f conformance/run.js ]; then
    step conformance 180 env NVIDIA_TF32_OVERRIDE=0 node conformance/run.js . --device cuda --json "$LOG/conformance.json"
  fi
  step example-mnist 300 node examples/mnist.js --device cuda --out "$LOG/mnist"
  step bench-mnist 300 node bench/mnist.js --device cuda --epochs 2
  step bench-cuda 420 node bench/cuda.js --rounds 3 --json "$LOG/bench-cuda.json"
fi
exit $status
