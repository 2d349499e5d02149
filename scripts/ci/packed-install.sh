#!/usr/bin/env bash
# packed-install.sh - proves that the npm tarball installs from its prebuilt binaries without compiling anything:
#   1. `node scripts/prebuild.js` (npm run prebuild): the CPU addon, the Gloo binding where Gloo is found and, where
#      nvcc is found, the CUDA addon, for NODETORCH_CUDA_ARCH (default here "75": sm_75 + PTX, to keep CI short; the
#      release build covers sm_75..sm_90). Incremental: objects a previous build left are reused.
#   2. `npm pack`, and a check that the tarball holds prebuilds/ and no build folders.
#   3. In fresh folders, `npm install <tarball>`:
#      a. with PATH holding node, npm and a few coreutils only: no g++, gcc, cc, c++, make, cmake, ninja, nvcc, python3;
#      b. with PATH also holding g++/gcc/cc/c++/make/cmake/ninja/python3 and nvcc, each a wrapper that logs its call
#         before running the real tool: the log must stay empty;
#      each under NT_PACKED_LIMIT_S seconds (60), with no build/, build-cuda/ or native/gloo/build/ afterwards, the
#      prebuilt CUDA addon being the binary loaded (torch.backends.cuda.isBuilt() true) and a short training step
#      (scripts/ci/train-step.js) passing;
#      c. `--build-from-source` with no compiler on PATH: must try to compile (and so fail, quickly) - the flag works.
# Usage: bash scripts/ci/packed-install.sh [--cuda-out DIR | --no-prebuild]
#   --cuda-out DIR  the CUDA build folder (default build-cuda/prebuild)
#   --no-prebuild   pack the prebuilds/ already there (a release build: `npm run prebuild` first) instead of step 1
# Environment: NODETORCH_CUDA_ARCH, NT_PACKED_LIMIT_S, NT_PACKED_KEEP=1 (keep the temporary folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
limit=${NT_PACKED_LIMIT_S:-60}
cuda_out=build-cuda/prebuild
prebuild=1
case "${1:-}" in
  --cuda-out) cuda_out=$2 ;;
  --no-prebuild) prebuild=0 ;;
  "") ;;
  *) echo "usage: $0 [--cuda-out DIR | --no-prebuild]" >&2; exit 2 ;;
esac
work=$(mktemp -d /tmp/nodetorch-packed.XXXXXX)
[ "${NT_PACKED_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
say() { echo "packed-install: $*"; }
die() { echo "packed-install: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

have_nvcc=0
if command -v nvcc >/dev/null 2>&1 || [ -x "${CUDA_HOME:-/nonexistent}/bin/nvcc" ] || [ -x /usr/local/cuda/bin/nvcc ]; then have_nvcc=1; fi
nvcc_bin=$(command -v nvcc || true)
[ -n "$nvcc_bin" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc_bin=/usr/local/cuda/bin/nvcc; } || true

# ---- 1. prebuild
t=$(now)
if [ $prebuild = 0 ]; then
  say "using the prebuilds already in prebuilds/: $(node -e 'const m = require("./prebuilds/" + process.platform + "-" + process.arch + "/prebuilds.json"); console.log(m.built, m.cuda ? m.cuda.architectures : "no CUDA")')"
elif [ $have_nvcc = 1 ]; then
  NODETORCH_CUDA_ARCH="${NODETORCH_CUDA_ARCH:-75}" node scripts/prebuild.js --cuda-out "$cuda_out"
else
  say "nvcc not found: prebuilding without CUDA"
  NODETORCH_CUDA=0 node scripts/prebuild.js
fi
say "prebuild: $(elapsed "$t") s"
plat="$(node -p 'process.platform + "-" + process.arch')"
[ -f "prebuilds/$plat/nodetorch.napi.node" ] || die "no prebuilds/$plat/nodetorch.napi.node"
[ $have_nvcc = 0 ] || [ -f "prebuilds/$plat/cuda/nodetorch.node" ] || die "no prebuilds/$plat/cuda/nodetorch.node"
expect_gloo=0; [ -f "prebuilds/$plat/gloo/nodetorch_gloo.node" ] && expect_gloo=1

# ---- 2. pack
t=$(now)
npm pack --pack-destination "$work" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; die "npm pack failed"; }
tarball=$(ls "$work"/*.tgz)
tar tzf "$tarball" > "$work/contents.txt"
for f in "prebuilds/$plat/nodetorch.napi.node" dist/index.js scripts/install.js; do
  grep -qx "package/$f" "$work/contents.txt" || die "the tarball lacks $f"
done
[ $have_nvcc = 0 ] || grep -qx "package/prebuilds/$plat/cuda/nodetorch.node" "$work/contents.txt" || die "the tarball lacks the CUDA prebuild"
if grep -E '^package/(build|build-cuda|native/gloo/build)/' "$work/contents.txt" | head -3 | grep -q .; then die "the tarball holds build folders"; fi
say "npm pack: $(basename "$tarball"), $(du -m "$tarball" | cut -f1) MB, $(wc -l < "$work/contents.txt") files, $(elapsed "$t") s"

# ---- 3. install
# a PATH with node, npm and the few tools npm and install.js use, and no compiler
nocc="$work/bin-nocc"; mkdir -p "$nocc"
for tool in node npm npx sh bash env cat ls mkdir rm cp mv ln chmod dirname basename uname readlink tar gzip grep sed; do
  p=$(command -v "$tool" || true); [ -n "$p" ] && ln -s "$p" "$nocc/$tool"
done
for tool in g++ gcc cc c++ make cmake ninja nvcc python3 clang clang++; do
  PATH="$nocc" command -v "$tool" >/dev/null 2>&1 && die "$tool is on the compiler-free PATH"
done
# wrappers that log every call, then run the real tool
cc="$work/bin-cc"; mkdir -p "$cc"; calls="$work/compiler-calls.log"; : > "$calls"
for tool in g++ gcc cc c++ make cmake ninja python3 nvcc; do
  real=$(command -v "$tool" || true)
  [ "$tool" = nvcc ] && real=$nvcc_bin
  [ -n "$real" ] || continue
  printf '#!/bin/sh\necho "%s $*" >> "%s"\nexec "%s" "$@"\n' "$tool" "$calls" "$real" > "$cc/$tool"
  chmod +x "$cc/$tool"
done

# npm_* variables (when run under npm) and CUDA locations must not reach the installs
clean_env=(env)
for v in $(env | grep -oE '^(npm_[A-Za-z0-9_]*|CUDA_HOME|CUDA_PATH|CUDACXX|NODETORCH_CUDA|NODETORCH_BUILD_FROM_SOURCE|NODETORCH_CUDA_ARCH)=' | tr -d =); do
  clean_env+=(-u "$v")
done

install_case() {  # name PATH [VAR=value...] [npm args...]
  local name=$1 path=$2; shift 2
  local vars=()
  while [ $# -gt 0 ] && [[ $1 == *=* ]]; do vars+=("$1"); shift; done
  local dir="$work/$name"
  mkdir -p "$dir"
  printf '{ "name": "packed-%s", "version": "1.0.0", "private": true }\n' "$name" > "$dir/package.json"
  local t0; t0=$(now)
  (cd "$dir" && "${clean_env[@]}" "${vars[@]}" PATH="$path" npm install --no-audit --no-fund --foreground-scripts "$tarball" "$@" > install.log 2>&1)
  local rc=$?
  echo "$(elapsed "$t0")" > "$dir/seconds"
  return $rc
}

check_case() {  # name PATH label
  local name=$1 path=$2 label=$3 dir="$work/$1"
  local secs; secs=$(cat "$dir/seconds")
  grep '^nodetorch:' "$dir/install.log" | sed 's/^/    /'
  if grep -qE 'nodetorch: building|CXX\(target\)|SOLINK_MODULE|Building CUDA|Building CXX' "$dir/install.log"; then die "$label: the install compiled"; fi
  if [ $have_nvcc = 1 ]; then
    grep -q 'using the prebuilt CUDA addon' "$dir/install.log" || die "$label: the CUDA prebuild was not used"
  else
    grep -q 'using the prebuilt CPU addon' "$dir/install.log" || die "$label: the CPU prebuild was not used"
  fi
  awk -v s="$secs" -v l="$limit" 'BEGIN { exit !(s < l) }' || die "$label: npm install took $secs s (limit $limit s)"
  local expect="nodetorch.napi.node"; [ $have_nvcc = 1 ] && expect="cuda/nodetorch.node"
  # run from the install folder: from inside this repository, require('nodetorch') would find the repository itself
  cp "$root/scripts/ci/train-step.js" "$dir/"
  (cd "$dir" && "${clean_env[@]}" PATH="$path" node train-step.js "$expect" "$have_nvcc" "$expect_gloo") \
    || die "$label: the training step failed"
  say "$label: npm install in $secs s, no compilation, training step OK"
}

t=$(now)
install_case nocc "$nocc" || { cat "$work/nocc/install.log"; die "npm install without compilers failed"; }
check_case nocc "$nocc" "no compiler on PATH"

install_case withcc "$cc:$nocc" || { cat "$work/withcc/install.log"; die "npm install with compilers and nvcc on PATH failed"; }
[ ! -s "$calls" ] || { cat "$calls"; die "compilers were called during the install with nvcc on PATH"; }
[ $have_nvcc = 0 ] || PATH="$cc:$nocc" command -v nvcc >/dev/null || die "nvcc was not on the PATH of the second install"
check_case withcc "$cc:$nocc" "g++, make and nvcc on PATH (wrapped: no call logged)"

# --build-from-source and NODETORCH_BUILD_FROM_SOURCE=1 must bypass the prebuilds: with no compiler on PATH they
# start node-gyp, which fails (and so does the install)
for how in --build-from-source NODETORCH_BUILD_FROM_SOURCE=1; do
  name=fromsource$([ "$how" = --build-from-source ] && echo 1 || echo 2)
  if install_case "$name" "$nocc" "$how"; then die "$how without a compiler succeeded: the prebuilds were not bypassed"; fi
  grep -q 'building the CPU addon' "$work/$name/install.log" || { cat "$work/$name/install.log"; die "$how did not start the source build"; }
  say "$how: bypassed the prebuilds and started node-gyp (which fails here, with no compiler, as it must) in $(cat "$work/$name/seconds") s"
done
say "OK ($(elapsed "$t") s for the installs)"
