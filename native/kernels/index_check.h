// index_check.h - the host-side argument handling that cpu/index.cc and cuda/index.cu share: the 0-d-as-1-d view,
// dropping a dim, dtype / rank / shape checks of each indexing kernel and PyTorch's out-of-range messages. Plain
// inline host code (no CUDA), so the CPU tests exercise exactly the checks the CUDA kernels make.
// Each check_* function makes its kernel's checks in the kernel's order and throws the first failing one's TorchError.
#pragma once
#include <cstdint>
#include <string>
#include "../core/tensor.h"

namespace nt {
namespace idx {

// A 0-d tensor is indexed as if it had one dimension of size 1 (PyTorch does the same for gather/scatter).
inline TensorArg as_1d(const TensorArg& t) {
  if (t.ndim > 0) return t;
  TensorArg r = t;
  r.ndim = 1;
  r.shape[0] = 1;
  r.stride[0] = 1;
  return r;
}

inline TensorArg drop_dim(const TensorArg& t, int dim) {
  TensorArg r = t;
  r.ndim = t.ndim - 1;
  for (int d = dim; d < r.ndim; d++) { r.shape[d] = t.shape[d + 1]; r.stride[d] = t.stride[d + 1]; }
  return r;
}

inline std::string shape_str(const TensorArg& t) {
  std::string s = "[";
  for (int d = 0; d < t.ndim; d++) { if (d) s += ", "; s += std::to_string(t.shape[d]); }
  return s + "]";
}

inline int check_dim(const Call& c, int i, const TensorArg& t, const char* op) {
  int64_t d = c.iattr(i);
  int nd = t.ndim > 0 ? t.ndim : 1;
  if (d < 0 || d >= nd) throw TorchError(std::string(op) + ": internal: dim " + std::to_string(d) + " out of range");
  return (int)d;
}

inline void need_i64(const TensorArg& t, const char* op) {
  if (t.dtype != DType::I64) throw TorchError(std::string(op) + "(): Expected dtype int64 for index");
}
inline void need_same_dtype(const TensorArg& a, const TensorArg& b, const char* op) {
  if (a.dtype != b.dtype) {
    throw TorchError(std::string(op) + "(): Expected self.dtype to be equal to src.dtype (got " + dtype_name(a.dtype) +
                     " and " + dtype_name(b.dtype) + ")");
  }
}

// ---- index bounds -------------------------------------------------------------------------------------------
enum Wording { kDimWords, kSelfWords, kFlatWords };

// whether index value v is valid for a dim of `size` ([-size, size) with wrap, else [0, size))
inline bool index_ok(int64_t v, int64_t size, bool wrap) { return v >= (wrap ? -size : 0) && v < size; }

// PyTorch's message for the bad index value v
[[noreturn]] inline void throw_bad_index(int64_t v, int64_t size, Wording w, int64_t report_dim) {
  if (w == kSelfWords) throw TorchError("index out of range in self");
  if (w == kFlatWords) {
    throw TorchError("out of range: tried to access index " + std::to_string(v) + " on a tensor of " +
                     std::to_string(size) + " elements.");
  }
  throw TorchError("index " + std::to_string(v) + " is out of bounds for dimension " + std::to_string(report_dim) +
                   " with size " + std::to_string(size));
}

// ---- per-kernel argument checks (tensors already through as_1d) ---------------------------------------------
// gather: returns dim
inline int check_gather(const Call& c, const TensorArg& out, const TensorArg& src, const TensorArg& idx) {
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
  return dim;
}

// scatter: sets dim and mode (0 assign, 1 add, 2 multiply)
inline void check_scatter(const Call& c, const TensorArg& self, const TensorArg& idx, const TensorArg& src, int& dim, int& mode) {
  need_i64(idx, "scatter");
  need_same_dtype(self, src, "scatter");
  dim = check_dim(c, 0, self, "scatter");
  mode = (int)c.iattr(1);
  if (mode < 0 || mode > 2) throw TorchError("scatter: internal: bad mode");
  if (idx.ndim != self.ndim) throw TorchError("Index tensor must have the same number of dimensions as self tensor");
  if (src.ndim != idx.ndim) throw TorchError("Index tensor must have the same number of dimensions as src tensor");
  for (int d = 0; d < idx.ndim; d++) {
    if ((d != dim && idx.shape[d] > self.shape[d]) || idx.shape[d] > src.shape[d]) {
      throw TorchError("Expected index " + shape_str(idx) + " to be smaller than self " + shape_str(self) +
                       " apart from dimension " + std::to_string(dim) + " and to be smaller size than src " + shape_str(src));
    }
  }
}

// index_select: the attrs (a0 dim, a1 mode, a2 error wording) and the index checks
struct SelectArgs {
  int dim;
  int mode;
  int64_t words;
  Wording w;
};
inline SelectArgs select_args(const Call& c, const TensorArg& src, const TensorArg& idx) {
  if (idx.dtype != DType::I64) throw TorchError("index_select(): Expected dtype int64 for index");
  if (idx.ndim != 1) throw TorchError("index_select(): Index is supposed to be a vector");
  SelectArgs a;
  a.dim = check_dim(c, 0, src, "index_select");
  a.mode = (int)c.iattr(1);
  a.words = c.iattr(2, -1);
  a.w = a.words == -1 ? kSelfWords : a.words == -2 ? kFlatWords : kDimWords;
  return a;
}
// mode 2 (normalise only): the int64 output of the index's length n
inline void check_select_normalise_out(const TensorArg& out, int64_t n) {
  if (out.dtype != DType::I64 || out.ndim != 1 || out.shape[0] != n) throw TorchError("index_select: internal: bad normalise output");
}
// modes 0 / 1: the output is src with dim resized to n
inline void check_select_out(const TensorArg& out, const TensorArg& src, const SelectArgs& a, int64_t n) {
  if (a.mode != 0 && a.mode != 1) throw TorchError("index_select: internal: bad mode");
  need_same_dtype(out, src, "index_select");
  if (out.ndim != src.ndim) throw TorchError("index_select: internal: output rank differs from input rank");
  for (int d = 0; d < src.ndim; d++) {
    if (out.shape[d] != (d == a.dim ? n : src.shape[d])) throw TorchError("index_select: internal: bad output shape");
  }
}

// index_add: sets dim, alpha (a1) and wrap (a2 == 1)
inline void check_index_add(const Call& c, const TensorArg& self, const TensorArg& idx, const TensorArg& src, int& dim,
                            double& alpha, bool& wrap) {
  if (idx.dtype != DType::I64) throw TorchError("index_add_(): Expected dtype int64 for index");
  if (idx.ndim != 1) throw TorchError("index_add_(): Index is supposed to be a vector");
  need_same_dtype(self, src, "index_add_");
  dim = check_dim(c, 0, self, "index_add_");
  alpha = c.attr(1, 1.0);
  wrap = c.iattr(2) == 1;
  if (src.ndim != self.ndim) throw TorchError("index_add_(): Source/destination tensor must have same number of dimensions");
  for (int d = 0; d < self.ndim; d++) {
    if (src.shape[d] != (d == dim ? idx.shape[0] : self.shape[d])) {
      throw TorchError("index_add_(): source " + shape_str(src) + " must have the shape of self " + shape_str(self) +
                       " with dimension " + std::to_string(dim) + " of the index's length " + std::to_string(idx.shape[0]));
    }
  }
}

// nonzero (two tensors): out is int64 [n, in.ndim]; and out's row count against the number found
inline void check_nonzero_out(const TensorArg& out, const TensorArg& in) {
  if (out.dtype != DType::I64 || out.ndim != 2 || out.shape[1] != in.ndim) {
    throw TorchError("nonzero: internal: output must be int64 [n, " + std::to_string(in.ndim) + "]");
  }
}
inline void check_nonzero_rows(const TensorArg& out, int64_t total) {
  if (out.shape[0] != total) {
    throw TorchError("nonzero: internal: output has " + std::to_string(out.shape[0]) + " rows for " + std::to_string(total) +
                     " non-zero elements");
  }
}

// put: index int64, source of self's dtype and the index's shape
inline void check_put(const TensorArg& self, const TensorArg& idx, const TensorArg& src) {
  if (idx.dtype != DType::I64) throw TorchError("put_(): Expected a long tensor for index");
  if (self.dtype != src.dtype) throw TorchError("put_(): self and source expected to have the same dtype");
  if (idx.ndim != src.ndim) throw TorchError("put_(): internal: source must have the index's shape");
  for (int d = 0; d < idx.ndim; d++) if (idx.shape[d] != src.shape[d]) throw TorchError("put_(): internal: source must have the index's shape");
}

}  // namespace idx
}  // namespace nt
