// cpu.h - helpers shared by the CPU kernels: the strided N-operand loop (TensorIterator-lite),
// temporaries, parallel_for (pool.h), and run-time SIMD detection.
#pragma once
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>
#include "../core/device.h"
#include "../core/dispatch.h"
#include "../kernels/scalar.h"
#include "pool.h"

namespace nt {

const char* cpu_simd_name();
bool cpu_has_avx2();
bool cpu_has_avx512();
bool cpu_has_avx512bf16();  // gemm_bf16.cc: AVX512-BF16 usable (NODETORCH_NO_AVX512BF16 unset)
// gemm_bf16.cc: the CPU's bfloat16 dot-product level: 0 none, 1 AVX512-BF16 (vdpbf16ps), 2 AMX-BF16 tiles too
int cpu_bf16_level();
// gemm_bf16.cc: bfloat16 C = alpha * A @ B + beta * C (3-D operands as OP(matmul)) at `level` (0: the best there is);
// false when the CPU lacks it
bool gemm_bf16_dot(const TensorArg& tc, const TensorArg& ta, const TensorArg& tb, double alpha, double beta, int level);

constexpr int64_t kParallelGrain = 32768;  // elements below which a loop stays on one thread


// A contiguous scratch tensor owned by a kernel call.
struct Temp {
  std::unique_ptr<char[]> buf;
  TensorArg t;
};

// N operands of identical shape with their own (byte) strides; after coalescing, calls
// op(char* ptrs[N], int64_t n, const int64_t bytestrides[N]) once per innermost run, in parallel for large sizes.
template <int N, typename Op>
void strided_loop(const TensorArg* const* ts, Op op, int64_t grain = kParallelGrain) {
  int ndim = ts[0]->ndim;
  int64_t shape[kMaxDims];
  int64_t st[N][kMaxDims];
  char* base[N];
  int nd = 0;
  for (int d = 0; d < ndim; d++) {
    if (ts[0]->shape[d] == 1) continue;  // size-1 dims never move a pointer
    shape[nd] = ts[0]->shape[d];
    for (int k = 0; k < N; k++) st[k][nd] = ts[k]->stride[d] * itemsize(ts[k]->dtype);
    nd++;
  }
  for (int k = 0; k < N; k++) base[k] = ts[k]->data;
  int64_t total = 1;
  for (int d = 0; d < nd; d++) total *= shape[d];
  if (total == 0) return;
  for (int d = 0; d < ndim; d++) if (ts[0]->shape[d] == 0) return;
  // coalesce: merge dim d into d+1 when every operand steps through it contiguously
  int w = 0;
  for (int d = 1; d < nd; d++) {
    bool ok = true;
    for (int k = 0; k < N; k++) if (st[k][w] != st[k][d] * shape[d]) { ok = false; break; }
    if (ok) {
      shape[w] *= shape[d];
      for (int k = 0; k < N; k++) st[k][w] = st[k][d];
    } else {
      w++;
      shape[w] = shape[d];
      for (int k = 0; k < N; k++) st[k][w] = st[k][d];
    }
  }
  if (nd > 0) nd = w + 1;
  if (nd == 0) {  // a single element
    char* p[N];
    int64_t s[N];
    for (int k = 0; k < N; k++) { p[k] = base[k]; s[k] = 0; }
    op(p, 1, s);
    return;
  }
  int64_t inner = shape[nd - 1];
  int64_t outer = total / inner;
  int64_t is[N];
  for (int k = 0; k < N; k++) is[k] = st[k][nd - 1];
  auto run_rows = [&](int64_t r0, int64_t r1) {
    char* p[N];
    for (int64_t r = r0; r < r1; r++) {
      int64_t rem = r;
      for (int k = 0; k < N; k++) p[k] = base[k];
      for (int d = nd - 2; d >= 0; d--) {
        int64_t i = rem % shape[d];
        rem /= shape[d];
        for (int k = 0; k < N; k++) p[k] += i * st[k][d];
      }
      op(p, inner, is);
    }
  };
  if (outer == 1 && inner > grain && num_threads() > 1 && !in_parallel()) {
    // one long run: split it
    parallel_for(inner, grain, [&](int64_t b, int64_t e) {
      char* p[N];
      for (int k = 0; k < N; k++) p[k] = base[k] + b * is[k];
      op(p, e - b, is);
    });
  } else {
    int64_t row_grain = std::max<int64_t>(1, grain / inner);
    parallel_for(outer, row_grain, run_rows);
  }
}

// dst <- src with dtype conversion; shapes equal, any strides
void copy_cast(const TensorArg& dst, const TensorArg& src);
// A contiguous temporary of dtype dt holding t's values (broadcast dims with stride 0 stay stride 0, uncopied).
void make_compact_copy(const TensorArg& t, DType dt, Temp& out);
// A contiguous temporary with t's shape and dtype dt (uninitialised).
void make_temp(const TensorArg& like, DType dt, Temp& out);

}  // namespace nt
