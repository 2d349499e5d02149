// index.cc - the indexing kernels (gather, scatter, index_select, index_add, nonzero, put) for every dtype and
// any input strides. lib/ops/indexing.ts builds Python-style t[...] / t[...] = v, take, masked ops and all their
// gradients from these six. Every index value is checked against its bound in a pass before the main loop, so a
// bad index throws a TorchError (PyTorch's words) and nothing is read or written out of bounds, nor half-written.
//
// Conventions (tensors / attrs), index tensors are always int64:
//   gather        t0 out (shape of t2), t1 src, t2 index (same ndim as src);   a0 dim
//   scatter       in place on t0: t1 index, t2 src (same dtype as t0, stride-0 views allowed for a scalar);
//                 a0 dim, a1 mode: 0 assign, 1 add, 2 multiply
//   index_select  t0 out, t1 src, t2 index (0-d or 1-d);  a0 dim;
//                 a1 mode: 0 indices in [0, size), 1 Python-style negative indices allowed,
//                          2 only normalise: t0 (int64, t2's length) <- t2 with negatives wrapped, t1 gives the size;
//                 a2 error wording: -1 "index out of range in self", -2 take/put's flat wording,
//                                   d >= 0 "index V is out of bounds for dimension d with size S"
//   index_add     in place on t0: t0.select(a0, t1[i]) += a1 * t2.select(a0, i);  a2 = 1: negative indices wrap
//   nonzero       one tensor t0: result = number of non-zero elements of t0;
//                 two tensors: t0 int64 [n, ndim] <- the C-order coordinates of t1's non-zero elements
//   put           in place on t0: t0.flatten()[t1] = t2 (a0 = 0) or += t2 (a0 = 1); t2 has t1's shape;
//                 negative indices count from the end (as torch.take / Tensor.put_)
#include <atomic>
#include <mutex>
#include <string>
#include "cpu.h"
#include "../kernels/index.h"
#include "../kernels/index_check.h"

namespace nt {

namespace {

// the argument checks, 0-d handling and error messages are shared with cuda/index.cu (kernels/index_check.h),
// and so is the storage-type arithmetic add_scaled / mul_vals (kernels/index.h, NT_HD)
using namespace idx;

// Checks every value of idx lies in [-size, size) (wrap) or [0, size); throws PyTorch's message for the first bad
// one found. Runs before any write. The loop may be parallel, so it records instead of throwing inside it.
void check_indices(const TensorArg& idx, int64_t size, bool wrap, Wording w, int64_t report_dim) {
  std::atomic<bool> bad{false};
  std::mutex m;
  int64_t bad_value = 0;
  const TensorArg* ts[1] = {&idx};
  strided_loop<1>(ts, [&](char** p, int64_t n, const int64_t* s) {
    if (bad.load(std::memory_order_relaxed)) return;
    for (int64_t k = 0; k < n; k++) {
      int64_t v = *(const int64_t*)(p[0] + k * s[0]);
      if (!index_ok(v, size, wrap)) {
        std::lock_guard<std::mutex> g(m);
        if (!bad.load()) { bad_value = v; bad.store(true); }
        return;
      }
    }
  });
  if (!bad.load()) return;
  throw_bad_index(bad_value, size, w, report_dim);
}

// ---- the gather-style loop shared by gather and index_select -------------------------------------------------
// out, src' and idx' have the iteration shape; src' has stride 0 along `dim` and the loop adds idx * src_dim_bytes.
template <typename T>
void gather_loop(const TensorArg& out, const TensorArg& srcv, const TensorArg& idxv, int64_t src_dim_bytes,
                 int64_t wrap_size) {
  const TensorArg* ts[3] = {&out, &srcv, &idxv};
  strided_loop<3>(ts, [=](char** p, int64_t n, const int64_t* s) {
    if (s[2] == 0) {  // one index for the whole run (index_select along an outer dim): a strided row copy
      int64_t v = *(const int64_t*)p[2];
      if (v < 0) v += wrap_size;
      const char* src = p[1] + v * src_dim_bytes;
      if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T)) { memcpy(p[0], src, n * sizeof(T)); return; }
      for (int64_t k = 0; k < n; k++) *(T*)(p[0] + k * s[0]) = *(const T*)(src + k * s[1]);
      return;
    }
    for (int64_t k = 0; k < n; k++) {
      int64_t v = *(const int64_t*)(p[2] + k * s[2]);
      if (v < 0) v += wrap_size;
      *(T*)(p[0] + k * s[0]) = *(const T*)(p[1] + k * s[1] + v * src_dim_bytes);
    }
  });
}

// ---- gather --------------------------------------------------------------------------------------------------
void gather_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("gather: internal: expected 3 tensors");
  TensorArg out = as_1d(c.t[0]), src = as_1d(c.t[1]), idx = as_1d(c.t[2]);
  int dim = check_gather(c, out, src, idx);
  if (idx.numel() == 0) return;
  check_indices(idx, src.shape[dim], false, kDimWords, dim);
  TensorArg sv = src;
  for (int d = 0; d < src.ndim; d++) sv.shape[d] = idx.shape[d];
  sv.stride[dim] = 0;
  int64_t sdb = src.stride[dim] * itemsize(src.dtype);
  NT_DISPATCH_ALL(src.dtype, T, gather_loop<T>(out, sv, idx, sdb, 0));
}

// ---- scatter -------------------------------------------------------------------------------------------------
// Parallel over the index positions off `dim` (each owns distinct self elements), serial along `dim`: no races,
// so scatter-add is deterministic.
template <typename T>
void scatter_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, int mode) {
  const int64_t L = idx.shape[dim];
  const int64_t isd = idx.stride[dim] * 8, ssd = src.stride[dim] * (int64_t)sizeof(T),
                dsd = self.stride[dim] * (int64_t)sizeof(T);
  TensorArg selfR = drop_dim(self, dim), idxR = drop_dim(idx, dim), srcR = drop_dim(src, dim);
  for (int d = 0; d < selfR.ndim; d++) selfR.shape[d] = srcR.shape[d] = idxR.shape[d];
  const TensorArg* ts[3] = {&selfR, &idxR, &srcR};
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, L));
  strided_loop<3>(ts, [=](char** p, int64_t n, const int64_t* s) {
    for (int64_t k = 0; k < n; k++) {
      char* dst = p[0] + k * s[0];
      const char* ib = p[1] + k * s[1];
      const char* sb = p[2] + k * s[2];
      for (int64_t j = 0; j < L; j++) {
        int64_t v = *(const int64_t*)(ib + j * isd);
        T* d = (T*)(dst + v * dsd);
        T x = *(const T*)(sb + j * ssd);
        if (mode == 0) *d = x;
        else if (mode == 1) *d = add_scaled<T>(*d, x, 1.0);
        else *d = mul_vals<T>(*d, x);
      }
    }
  }, grain);
}

void scatter_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("scatter: internal: expected 3 tensors");
  TensorArg self = as_1d(c.t[0]), idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  int dim, mode;
  check_scatter(c, self, idx, src, dim, mode);
  if (idx.numel() == 0) return;
  check_indices(idx, self.shape[dim], false, kDimWords, dim);
  NT_DISPATCH_ALL(self.dtype, T, scatter_typed<T>(self, idx, src, dim, mode));
}

// ---- index_select --------------------------------------------------------------------------------------------
void index_select_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("index_select: internal: expected 3 tensors");
  TensorArg out = as_1d(c.t[0]), src = as_1d(c.t[1]), idx = as_1d(c.t[2]);
  const SelectArgs sa = select_args(c, src, idx);
  const int dim = sa.dim, mode = sa.mode;
  const int64_t words = sa.words;
  const Wording w = sa.w;
  const int64_t size = src.shape[dim], n = idx.shape[0];
  if (mode == 2) {  // normalise only
    check_select_normalise_out(out, n);
    if (n == 0) return;
    check_indices(idx, size, true, w, words);
    const TensorArg* ts[2] = {&out, &idx};
    strided_loop<2>(ts, [size](char** p, int64_t m, const int64_t* s) {
      for (int64_t k = 0; k < m; k++) {
        int64_t v = *(const int64_t*)(p[1] + k * s[1]);
        *(int64_t*)(p[0] + k * s[0]) = v < 0 ? v + size : v;
      }
    });
    return;
  }
  check_select_out(out, src, sa, n);
  if (out.numel() == 0) {
    if (n) check_indices(idx, size, mode == 1, w, words);
    return;
  }
  check_indices(idx, size, mode == 1, w, words);
  TensorArg sv = src, iv = out;
  sv.shape[dim] = n;
  sv.stride[dim] = 0;
  iv.dtype = DType::I64;
  iv.data = idx.data;
  for (int d = 0; d < out.ndim; d++) iv.stride[d] = d == dim ? idx.stride[0] : 0;
  int64_t sdb = src.stride[dim] * itemsize(src.dtype);
  NT_DISPATCH_ALL(src.dtype, T, gather_loop<T>(out, sv, iv, sdb, size));
}

// ---- index_add -----------------------------------------------------------------------------------------------
// Parallel over the positions off `dim` (a thread owns a set of them for every index), serial over the index:
// duplicates accumulate without races. Within one run the index loop is outer so rows are read contiguously.
template <typename T>
void index_add_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, int dim, double alpha, int64_t size) {
  const int64_t L = idx.shape[0];
  const int64_t ist = idx.stride[0];
  const int64_t* ip = idx.ptr<int64_t>();
  const int64_t dsd = self.stride[dim] * (int64_t)sizeof(T), ssd = src.stride[dim] * (int64_t)sizeof(T);
  TensorArg selfR = drop_dim(self, dim), srcR = drop_dim(src, dim);
  const TensorArg* ts[2] = {&selfR, &srcR};
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, L));
  strided_loop<2>(ts, [=](char** p, int64_t n, const int64_t* s) {
    for (int64_t i = 0; i < L; i++) {
      int64_t v = ip[i * ist];
      if (v < 0) v += size;
      char* d = p[0] + v * dsd;
      const char* x = p[1] + i * ssd;
      for (int64_t k = 0; k < n; k++) {
        T* dp = (T*)(d + k * s[0]);
        *dp = add_scaled<T>(*dp, *(const T*)(x + k * s[1]), alpha);
      }
    }
  }, grain);
}

void index_add_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("index_add: internal: expected 3 tensors");
  TensorArg self = as_1d(c.t[0]), idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  int dim;
  double alpha;
  bool wrap;
  check_index_add(c, self, idx, src, dim, alpha, wrap);
  if (idx.shape[0] == 0) return;
  check_indices(idx, self.shape[dim], wrap, kDimWords, dim);
  if (src.numel() == 0) return;
  NT_DISPATCH_ALL(self.dtype, T, index_add_typed<T>(self, idx, src, dim, alpha, self.shape[dim]));
}

// ---- nonzero -------------------------------------------------------------------------------------------------
// Walks elements [b, e) of t in C order, calling f(ptr, coords) with an incrementally updated coordinate vector.
template <typename F>
void walk(const TensorArg& t, int64_t b, int64_t e, F f) {
  const int nd = t.ndim;
  const int64_t isz = itemsize(t.dtype);
  int64_t coord[kMaxDims];
  int64_t rem = b;
  char* p = t.data;
  for (int d = nd - 1; d >= 0; d--) {
    coord[d] = rem % t.shape[d];
    rem /= t.shape[d];
    p += coord[d] * t.stride[d] * isz;
  }
  for (int64_t i = b; i < e; i++) {
    f(p, coord);
    for (int d = nd - 1; d >= 0; d--) {  // carry
      if (++coord[d] < t.shape[d]) { p += t.stride[d] * isz; break; }
      p -= (t.shape[d] - 1) * t.stride[d] * isz;
      coord[d] = 0;
    }
  }
}

template <typename T>
void nonzero_typed(const TensorArg& in, const TensorArg* out, double& result) {
  const int64_t numel = in.numel();
  int nchunks = 1;
  if (numel > kParallelGrain && num_threads() > 1 && !in_parallel()) {
    nchunks = (int)std::min<int64_t>(num_threads(), (numel + kParallelGrain - 1) / kParallelGrain);
  }
  const int64_t chunk = (numel + nchunks - 1) / std::max(1, nchunks);
  std::vector<int64_t> counts(nchunks + 1, 0);
  auto count_chunk = [&](int ci) {
    int64_t b = ci * chunk, e = std::min(numel, b + chunk), n = 0;
    if (b < e) walk(in, b, e, [&](const char* p, const int64_t*) { n += cvt<bool>(*(const T*)p) ? 1 : 0; });
    counts[ci + 1] = n;
  };
  if (nchunks == 1) count_chunk(0);
  else {
    parallel_tasks(nchunks, nchunks, [&](int64_t ci) { count_chunk((int)ci); });
  }
  for (int ci = 0; ci < nchunks; ci++) counts[ci + 1] += counts[ci];
  const int64_t total = counts[nchunks];
  if (!out) { result = (double)total; return; }
  check_nonzero_rows(*out, total);
  const int nd = in.ndim;
  const int64_t rs = out->stride[0], cs = out->ndim > 1 ? out->stride[1] : 0;
  int64_t* op = out->ptr<int64_t>();
  auto write_chunk = [&](int ci) {
    int64_t b = ci * chunk, e = std::min(numel, b + chunk), row = counts[ci];
    if (b < e) walk(in, b, e, [&](const char* p, const int64_t* coord) {
      if (!cvt<bool>(*(const T*)p)) return;
      int64_t* r = op + row * rs;
      for (int d = 0; d < nd; d++) r[d * cs] = coord[d];
      row++;
    });
  };
  if (nchunks == 1) write_chunk(0);
  else {
    parallel_tasks(nchunks, nchunks, [&](int64_t ci) { write_chunk((int)ci); });
  }
  result = (double)total;
}

void nonzero_kernel(Call& c) {
  if (c.nt == 1) {
    NT_DISPATCH_ALL(c.t[0].dtype, T, nonzero_typed<T>(c.t[0], nullptr, c.result));
    return;
  }
  if (c.nt != 2) throw TorchError("nonzero: internal: expected 1 or 2 tensors");
  const TensorArg& out = c.t[0];
  const TensorArg& in = c.t[1];
  check_nonzero_out(out, in);
  NT_DISPATCH_ALL(in.dtype, T, nonzero_typed<T>(in, &out, c.result));
}

// ---- put -----------------------------------------------------------------------------------------------------
template <typename T>
void put_typed(const TensorArg& self, const TensorArg& idx, const TensorArg& src, bool accumulate) {
  const int64_t numel = self.numel();
  const bool contig = self.contiguous();
  const int nd = self.ndim;
  int64_t shape[kMaxDims], stride[kMaxDims];
  for (int d = 0; d < nd; d++) { shape[d] = self.shape[d]; stride[d] = self.stride[d]; }
  char* base = self.data;
  const TensorArg* ts[2] = {&idx, &src};
  auto offset_of = [=](int64_t lin) -> int64_t {  // logical C-order position -> element offset in self's strides
    if (lin < 0) lin += numel;
    if (contig) return lin;
    int64_t off = 0;
    for (int d = nd - 1; d >= 0; d--) { off += (lin % shape[d]) * stride[d]; lin /= shape[d]; }
    return off;
  };
  auto body = [=](char** p, int64_t n, const int64_t* s) {
    for (int64_t k = 0; k < n; k++) {
      int64_t lin = *(const int64_t*)(p[0] + k * s[0]);
      T* d = (T*)base + offset_of(lin);
      T x = *(const T*)(p[1] + k * s[1]);
      *d = accumulate ? add_scaled<T>(*d, x, 1.0) : x;
    }
  };
  // accumulation with duplicate indices would race: keep it on one thread (as PyTorch's CPU index_put_)
  strided_loop<2>(ts, body, accumulate ? INT64_MAX : kParallelGrain);
}

void put_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("put: internal: expected 3 tensors");
  const TensorArg& self = c.t[0];
  TensorArg idx = as_1d(c.t[1]), src = as_1d(c.t[2]);
  check_put(self, idx, src);
  if (idx.numel() == 0) return;
  const int64_t numel = self.numel();
  check_indices(idx, numel, true, kFlatWords, 0);
  NT_DISPATCH_ALL(self.dtype, T, put_typed<T>(self, idx, src, c.iattr(0) == 1));
}

}  // namespace

REGISTER_KERNEL(gather, CPU, gather_kernel);
REGISTER_KERNEL(scatter, CPU, scatter_kernel);
REGISTER_KERNEL(index_select, CPU, index_select_kernel);
REGISTER_KERNEL(index_add, CPU, index_add_kernel);
REGISTER_KERNEL(nonzero, CPU, nonzero_kernel);
REGISTER_KERNEL(put, CPU, put_kernel);

}  // namespace nt
