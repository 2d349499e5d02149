// reduce_check.h - the host-side attr decoding and shape checks of the reduction family (reduce, var, arg_reduce,
// softmax, softmax_backward, scan) that cpu/reduce.cc and cuda/reduce.cu share. Plain inline host code (no CUDA);
// each function makes its kernel's checks in the kernel's order and throws the first failing one's TorchError.
// The tensor/attr conventions are listed above each kernel in cpu/reduce.cc.
#pragma once
#include <cstdint>
#include <string>
#include "../core/tensor.h"
#include "reduce.h"

namespace nt {
namespace red {

// "natural" compute dtype of a storage dtype: float32 for the 16/32-bit floats, float64, int64 for ints/bool
inline DType natural_compute(DType d) {
  if (d == DType::F64) return DType::F64;
  if (is_float(d)) return DType::F32;
  return DType::I64;
}

// out has in's leading (ndim - nred) dims
inline void check_reduce_shapes(const TensorArg& out, const TensorArg& in, int nred, const char* op) {
  if (nred < 0 || nred > in.ndim || out.ndim != in.ndim - nred) throw TorchError(std::string(op) + ": internal: bad reduced-dim count");
  for (int d = 0; d < out.ndim; d++)
    if (out.shape[d] != in.shape[d]) throw TorchError(std::string(op) + ": internal: output shape mismatch");
}

inline void check_same_shape(const TensorArg& a, const TensorArg& b, const char* op) {
  if (a.ndim != b.ndim) throw TorchError(std::string(op) + ": internal: rank mismatch");
  for (int d = 0; d < a.ndim; d++) if (a.shape[d] != b.shape[d]) throw TorchError(std::string(op) + ": internal: shape mismatch");
}

// reduce: a0 op code, a1 reduced-dim count, a2 compute dtype. convert: the input must first be converted to ct.
struct ReduceArgs {
  int code;
  int nred;
  bool convert;
  DType ct;
};
inline ReduceArgs reduce_args(const Call& c) {
  ReduceArgs a;
  a.code = (int)c.attr(0);
  a.nred = (int)c.attr(1);
  const TensorArg& in = c.t[1];
  check_reduce_shapes(c.t[0], in, a.nred, "reduce");
  a.convert = false;
  a.ct = in.dtype;
  bool boolish = a.code == R_ALL || a.code == R_ANY || a.code == R_MAX || a.code == R_MIN;
  if (!boolish && c.na > 2) {
    DType ct = (DType)(int)c.attr(2);
    if ((int)ct < 0 || (int)ct >= kNumDTypes) throw TorchError("reduce: internal: bad compute dtype");
    if (natural_compute(in.dtype) != ct) { a.convert = true; a.ct = ct; }
  }
  return a;
}

// var: a0 reduced-dim count, a1 correction; t(last) is the input, t0 (and t1 with three tensors) the outputs
inline void var_args(const Call& c, int& nred, double& correction) {
  const TensorArg& in = c.t[c.nt - 1];
  nred = (int)c.attr(0);
  correction = c.attr(1, 1.0);
  check_reduce_shapes(c.t[0], in, nred, "var");
  if (c.nt == 3) check_reduce_shapes(c.t[1], in, nred, "var");
  if (!is_float(in.dtype)) throw TorchError("std and var only support floating point and complex dtypes");
}

// arg_reduce: the input t(last) has a dim; t0 (and t1 with three tensors) have its leading dims
inline void check_arg_reduce_shapes(const Call& c) {
  const TensorArg& in = c.t[c.nt - 1];
  if (in.ndim < 1) throw TorchError("arg_reduce: internal: input must have a dim");
  check_reduce_shapes(c.t[0], in, 1, "arg_reduce");
  if (c.nt == 3) check_reduce_shapes(c.t[1], in, 1, "arg_reduce");
}
// the reduced dim must be non-empty; true: nothing to do (an empty input and output)
inline bool arg_reduce_empty(const Call& c) {
  const TensorArg& in = c.t[c.nt - 1];
  if (in.shape[in.ndim - 1] == 0) {
    if (in.numel() == 0 && c.t[0].numel() == 0) return true;
    throw TorchError("argmax(): Expected reduction dim to have non-zero size.");
  }
  return false;
}

// softmax: t0 and t1 of one shape and dtype; returns log (a0 != 0)
inline bool softmax_args(const Call& c) {
  check_same_shape(c.t[0], c.t[1], "softmax");
  if (c.t[0].dtype != c.t[1].dtype) throw TorchError("softmax: internal: dtype mismatch");
  return c.attr(0) != 0;
}
// softmax_backward: t0, t1, t2 of one shape and dtype; returns log (a0 != 0)
inline bool softmax_backward_args(const Call& c) {
  check_same_shape(c.t[0], c.t[1], "softmax_backward");
  check_same_shape(c.t[0], c.t[2], "softmax_backward");
  DType dt = c.t[0].dtype;
  if (c.t[1].dtype != dt || c.t[2].dtype != dt) throw TorchError("softmax_backward: internal: dtype mismatch");
  return c.attr(0) != 0;
}

// scan: t0 of t1's shape; prod (a0 != 0); the natural output dtype (t1's for floats, int64 otherwise)
inline bool scan_args(const Call& c, DType& natural_out) {
  check_same_shape(c.t[0], c.t[1], "scan");
  bool prod = c.attr(0) != 0;
  natural_out = is_float(c.t[1].dtype) ? c.t[1].dtype : DType::I64;
  return prod;
}

// sort: t0 values, t1 int64 indices, t2 input; a0 descending, a2 = k (topk) -> checks, returns the row length k
struct SortArgs {
  int64_t n, k;
  bool descending;
};
inline SortArgs sort_args(const Call& c) {
  if (c.nt != 3) throw TorchError("sort: internal: expected 3 tensors");
  const TensorArg& in = c.t[2];
  SortArgs a;
  a.n = in.ndim ? in.shape[in.ndim - 1] : 1;
  a.k = c.na > 2 ? (int64_t)c.attr(2) : a.n;
  if (a.k < 0 || a.k > a.n) throw TorchError("sort: internal: k out of range");
  for (int i = 0; i < 2; i++) {
    const TensorArg& t = c.t[i];
    if (t.ndim != in.ndim) throw TorchError("sort: internal: rank mismatch");
    for (int d = 0; d < in.ndim; d++)
      if (t.shape[d] != (d == in.ndim - 1 ? a.k : in.shape[d])) throw TorchError("sort: internal: shape mismatch");
  }
  if (c.t[0].dtype != in.dtype || c.t[1].dtype != DType::I64) throw TorchError("sort: internal: dtype mismatch");
  a.descending = c.attr(0) != 0;
  return a;
}

}  // namespace red
}  // namespace nt

// softmax / softmax_backward: run __VA_ARGS__ with S the storage type of float dtype dt, else op's "not implemented"
#define NT_DISPATCH_SOFTMAX(dt, op, S, ...)                                                          \
  switch (dt) {                                                                                      \
    case ::nt::DType::F32: { using S = float; __VA_ARGS__; break; }                                  \
    case ::nt::DType::F64: { using S = double; __VA_ARGS__; break; }                                 \
    case ::nt::DType::F16: { using S = ::nt::f16; __VA_ARGS__; break; }                              \
    case ::nt::DType::BF16: { using S = ::nt::bf16; __VA_ARGS__; break; }                            \
    default: throw ::nt::TorchError(std::string(op ": not implemented for ") + ::nt::dtype_name(dt)); \
  }
