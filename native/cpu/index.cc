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

namespace nt {

namespace {

// ---- small helpers ------------------------------------------------------------------------------------------

// A 0-d tensor is indexed as if it had one dimension of size 1 (PyTorch does the same for gather/scatter).
TensorArg as_1d(const TensorArg& t) {
  if (t.ndim > 0) return t;
  TensorArg r = t;
  r.ndim = 1;
  r.shape[0] = 1;
  r.stride[0] = 1;
  return r;
}

TensorArg drop_dim(const TensorArg& t, int dim) {
  TensorArg r = t;
  r.ndim = t.ndim - 1;
  for (int d = dim; d < r.ndim; d++) { r.shape[d] = t.shape[d + 1]; r.stride[d] = t.stride[d + 1]; }
  return r;
}

std::string shape_str(const TensorArg& t) {
  std::string s = "[";
  for (int d = 0; d < t.ndim; d++) { if (d) s += ", "; s += std::to_string(t.shape[d]); }
  return s + "]";
}

int check_dim(const Call& c, int i, const TensorArg& t, const char* op) {
  int64_t d = c.iattr(i);
  int nd = t.ndim > 0 ? t.ndim : 1;
  if (d < 0 || d >= nd) throw TorchError(std::string(op) + ": internal: dim " + std::to_string(d) + " out of range");
  return (int)d;
}

void need_i64(const TensorArg& t, const char* op) {
  if (t.dtype != DType::I64) throw TorchError(std::string(op) + "(): Expected dtype int64 for index");
}
void need_same_dtype(const TensorArg& a, const TensorArg& b, const char* op) {
  if (a.dtype != b.dtype) {
    throw TorchError(std::string(op) + "(): Expected self.dtype to be equal to src.dtype (got " + dtype_name(a.dtype) +
                     " and " + dtype_name(b.dtype) + ")");
  }
}

enum Wording { kDimWords, kSelfWords, kFlatWords };

// Checks every value of idx lies in [-size, size) (wrap) or [0, size); throws PyTorch's message for the first bad
// one found. Runs before any write. The loop may be parallel, so it records instead of throwing inside it.
void check_indices(const TensorArg& idx, int64_t size, bool wrap, Wording w, int64_t report_dim) {
  const int64_t lo = wrap ? -size : 0;
  std::atomic<bool> bad{false};
  std::mutex m;
  int64_t bad_value = 0;
  const TensorArg* ts[1] = {&idx};
  strided_loop<1>(ts, [&](char** p, int64_t n, const int64_t* s) {
    if (bad.load(std::memory_order_relaxed)) return;
    for (int64_t k = 0; k < n; k++) {
      int64_t v = *(const int64_t*)(p[0] + k * s[0]);
      if (v < lo || v >= size) {
        std::lock_guard<std::mutex> g(m);
        if (!bad.load()) { bad_value = v; bad.store(true); }
        return;
      }
    }
  });
  if (!bad.load()) return;
  if (w == kSelfWords) throw TorchError("index out of range in self");
  if (w == kFlatWords) {
    throw TorchError("out of range: tried to access index " + std::to_string(bad_value) + " on a tensor of " +
                     std::to_string(size) + " elements.");
  }
  throw TorchError("index " + std::to_string(bad_value) + " is out of bounds for dimension " + std::to_string(report_dim) +
                   " with size " + std::to_string(size));
}

// ---- arithmetic on storage types (f16/bf16 computed in float, as PyTorch's CPU; integers wrap) -----------------
template <typename T> inline T add_scaled(T a, T b, double alpha) {
  if constexpr (is_half16<T>::value) {
    return cvt<T>(to_f(a) + (float)alpha * to_f(b));
  } else if constexpr (std::is_same<T, bool>::value) {
    return a || (b && alpha != 0);
  } else if constexpr (std::is_floating_point<T>::value) {
    return alpha == 1 ? a + b : a + (T)alpha * b;
  } else {
    return (T)(uint64_t)((uint64_t)(int64_t)a + (uint64_t)((int64_t)alpha * (int64_t)b));
  }
}
template <typename T> inline T mul_vals(T a, T b) {
  if constexpr (is_half16<T>::value) return cvt<T>(to_f(a) * to_f(b));
  else if constexpr (std::is_same<T, bool>::value) return a && b;
  else if constexpr (std::is_floating_point<T>::value) return a * b;
  else return (T)(uint64_t)((uint64_t)(int64_t)a * (uint64_t)(int64_t)b);
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
  need_i64(idx, "gather");
  need_same_dtype(out, src, "gather");
  int dim = check_dim(c, 0, src, "gather");
  if (idx.ndim != src.ndim) throw TorchError("Index tensor must have the same number of dimensions as input tensor");
  if (out.ndim != idx.ndim) throw TorchError("gather: internal: output rank differs from index rank");
  for (int d = 0; d < idx.ndim; d++) {
    if (out.shape[d] != idx.shape[d]) throw TorchError("gather: internal: output shape differs from index shape");
    if (d != dim && idx.shape[d] > src.shape[d]) {
      throw TorchError("Size does not match at dimension " + std::to_string(d) + " expected index " + shape_str(idx) +
                       " to be smaller than self " + shape_str(src) + " apart from dimension " + std::to_string(dim));
    }
  }
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
  need_i64(idx, "scatter");
  need_same_dtype(self, src, "scatter");
  int dim = check_dim(c, 0, self, "scatter");
  int mode = (int)c.iattr(1);
  if (mode < 0 || mode > 2) throw TorchError("scatter: internal: bad mode");
  if (idx.ndim != self.ndim) throw TorchError("Index tensor must have the same number of dimensions as self tensor");
  if (src.ndim != idx.ndim) throw TorchError("Index tensor must have the same number of dimensions as src tensor");
  for (int d = 0; d < idx.ndim; d++) {
    if ((d != dim && idx.shape[d] > self.shape[d]) || idx.shape[d] > src.shape[d]) {
      throw TorchError("Expected index " + shape_str(idx) + " to be smaller than self " + shape_str(self) +
                       " apart from dimension " + std::to_string(dim) + " and to be smaller size than src " + shape_str(src));
    }
  }
  if (idx.numel() == 0) return;
  check_indices(idx, self.shape[dim], false, kDimWords, dim);
  NT_DISPATCH_ALL(self.dtype, T, scatter_typed<T>(self, idx, src, dim, mode));
}

// ---- index_select --------------------------------------------------------------------------------------------
void index_select_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("index_select: internal: expected 3 tensors");
  TensorArg out = as_1d(c.t[0]), src = as_1d(c.t[1]), idx = as_1d(c.t[2]);
  if (idx.dtype != DType::I64) throw TorchError("index_select(): Expected dtype int64 for index");
  if (idx.ndim != 1) throw TorchError("index_select(): Index is supposed to be a vector");
  int dim = check_dim(c, 0, src, "index_select");
  int mode = (int)c.iattr(1);
  int64_t words = c.iattr(2, -1);
  Wording w = words == -1 ? kSelfWords : words == -2 ? kFlatWords : kDimWords;
  const int64_t size = src.shape[dim], n = idx.shape[0];
  if (mode == 2) {  // normalise only
    if (out.dtype != DType::I64 || out.ndim != 1 || out.shape[0] != n) throw TorchError("index_select: internal: bad normalise output");
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
  if (mode != 0 && mode != 1) throw TorchError("index_select: internal: bad mode");
  need_same_dtype(out, src, "index_select");
  if (out.ndim != src.ndim) throw TorchError("index_select: internal: output rank differs from input rank");
  for (int d = 0; d < src.ndim; d++) {
    if (out.shape[d] != (d == dim ? n : src.shape[d])) throw TorchError("index_select: internal: bad output shape");
  }
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
  if (idx.dtype != DType::I64) throw TorchError("index_add_(): Expected dtype int64 for index");
  if (idx.ndim != 1) throw TorchError("index_add_(): Index is supposed to be a vector");
  need_same_dtype(self, src, "index_add_");
  int dim = check_dim(c, 0, self, "index_add_");
  double alpha = c.attr(1, 1.0);
  bool wrap = c.iattr(2) == 1;
  if (src.ndim != self.ndim) throw TorchError("index_add_(): Source/destination tensor must have same number of dimensions");
  for (int d = 0; d < self.ndim; d++) {
    if (src.shape[d] != (d == dim ? idx.shape[0] : self.shape[d])) {
      throw TorchError("index_add_(): source " + shape_str(src) + " must have the shape of self " + shape_str(self) +
                       " with dimension " + std::to_string(dim) + " of the index's length " + std::to_string(idx.shape[0]));
    }
  }
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
  if (numel > kParallelGrain && omp_get_max_threads() > 1 && !omp_in_parallel()) {
    nchunks = (int)std::min<int64_t>(omp_get_max_threads(), (numel + kParallelGrain - 1) / kParallelGrain);
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
#pragma omp parallel for num_threads(nchunks) schedule(static, 1)
    for (int ci = 0; ci < nchunks; ci++) count_chunk(ci);
  }
  for (int ci = 0; ci < nchunks; ci++) counts[ci + 1] += counts[ci];
  const int64_t total = counts[nchunks];
  if (!out) { result = (double)total; return; }
  if (out->shape[0] != total) {
    throw TorchError("nonzero: internal: output has " + std::to_string(out->shape[0]) + " rows for " + std::to_string(total) + " non-zero elements");
  }
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
#pragma omp parallel for num_threads(nchunks) schedule(static, 1)
    for (int ci = 0; ci < nchunks; ci++) write_chunk(ci);
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
  if (out.dtype != DType::I64 || out.ndim != 2 || out.shape[1] != in.ndim) {
    throw TorchError("nonzero: internal: output must be int64 [n, " + std::to_string(in.ndim) + "]");
  }
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
  if (idx.dtype != DType::I64) throw TorchError("put_(): Expected a long tensor for index");
  if (self.dtype != src.dtype) throw TorchError("put_(): self and source expected to have the same dtype");
  if (idx.ndim != src.ndim) throw TorchError("put_(): internal: source must have the index's shape");
  for (int d = 0; d < idx.ndim; d++) if (idx.shape[d] != src.shape[d]) throw TorchError("put_(): internal: source must have the index's shape");
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
