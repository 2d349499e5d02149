// batchnorm.h - the per-channel arithmetic of the fused batch norm (OP(batch_norm), OP(batch_norm_backward)), as
// NT_HD inline functions a CPU kernel (cpu/batchnorm.cc) and a CUDA kernel can share, plus the host-side checks of
// both calls. Statistics are accumulated in double for every input dtype; the per-element work is one
// multiply-add per element with per-channel coefficients derived here in double and rounded to T once, as
// PyTorch's CPU kernels (aten/src/ATen/native/cpu/batch_norm_kernel.cpp) form alpha per channel:
//   forward   y  = (x - mean) * a + bias     a = w * invstd
// (PyTorch folds it into x * a + (bias - mean * a), which cancels catastrophically in float32 when |mean| >> std:
// with mean 1000, std 0.01 its outputs are off by ~0.01; x - mean is exact there, so this form is kept)
//   backward  gx = ((g - sum(g) / M) - (x - mean) * k) * invstd * w    (train, k = dot * invstd^2 / M, in
//                 PyTorch's operation order);  eval: gx = g * (w * invstd)
//             gw = dot * invstd, gb = sum(g)      with dot = sum(g * (x - mean)), M = elements per channel.
#pragma once
#include <cmath>
#include <string>
#include "../core/tensor.h"
#include "scalar.h"

namespace nt {
namespace bn {

// Attribute layout of OP(batch_norm): a0 training, a1 momentum, a2 eps, a3 has weight, a4 has bias,
// a5 has running_mean, a6 has running_var. Tensors: t0 y, t1 save_mean (f64 [C]), t2 save_invstd (f64 [C]),
// t3 x [N, C, *] contiguous, t4 weight, t5 bias, t6 running_mean, t7 running_var (each [C] of x's dtype, contiguous;
// an absent one is passed as x and flagged 0).
// OP(batch_norm_backward): a0 training, a1 eps, a2 has weight, a3 want grad input, a4 want grad weight,
// a5 want grad bias. Tensors: t0 gx, t1 gw, t2 gb (absent ones passed as x), t3 gout, t4 x, t5 save_mean (f64),
// t6 save_invstd (f64; in eval mode the caller passes running_mean / 1/sqrt(running_var + eps) as f64), t7 weight.

// invstd of a biased variance
NT_HD double invstd(double var, double eps) { return 1.0 / std::sqrt(var + eps); }

// running statistics update (momentum form, unbiased variance), as PyTorch's batch_norm_cpu_update_stats
NT_HD double running_mean_update(double rm, double mean, double momentum) { return momentum * mean + (1.0 - momentum) * rm; }
NT_HD double running_var_update(double rv, double var_sum, int64_t m, double momentum) {
  const double unbiased = m > 1 ? var_sum / double(m - 1) : NAN;
  return momentum * unbiased + (1.0 - momentum) * rv;
}

// forward scale of one channel
NT_HD double fwd_scale(double istd, double w) { return w * istd; }

// backward coefficients of one channel (training); sg = sum(g), dot = sum(g * (x - mean)), m = elements per channel
struct BwdCoef { double gmean, k; };
NT_HD BwdCoef bwd_coef(double istd, double sg, double dot, int64_t m) { return BwdCoef{sg / double(m), dot * istd * istd / double(m)}; }

template <typename T>
NT_HD T fwd_elem(T x, T mean, T a, T bias) { return (x - mean) * a + bias; }
template <typename T>
NT_HD T bwd_elem(T g, T x, T mean, T gmean, T k, T istd, T w) { return ((g - gmean) - (x - mean) * k) * istd * w; }

// ---- host-side checks (TypeScript validates; these catch internal misuse without crashing) ----
inline void check_vec(const TensorArg& t, const TensorArg& x, int64_t C, const char* what, bool f64) {
  if (t.numel() != C || !t.contiguous()) throw TorchError(std::string("internal: batch_norm: ") + what + " must be a contiguous [C] tensor");
  if (f64 ? t.dtype != DType::F64 : t.dtype != x.dtype) throw TorchError(std::string("internal: batch_norm: ") + what + " has the wrong dtype");
}
// returns C and sets N and S (elements per (n, c) plane)
inline int64_t geometry(const TensorArg& x, int64_t& N, int64_t& S) {
  if (x.ndim < 2) throw TorchError("internal: batch_norm: expected a [N, C, *] input");
  if (x.dtype != DType::F32 && x.dtype != DType::F64) throw TorchError(std::string("internal: batch_norm: fused kernel takes float32/float64, got ") + dtype_name(x.dtype));
  if (!x.contiguous()) throw TorchError("internal: batch_norm: input must be contiguous");
  N = x.shape[0];
  S = 1;
  for (int i = 2; i < x.ndim; i++) S *= x.shape[i];
  return x.shape[1];
}
inline int64_t forward_args(const Call& c, int64_t& N, int64_t& S) {
  if (c.nt != 8 || c.na < 7) throw TorchError("internal: batch_norm expects 8 tensors and 7 attributes");
  const TensorArg& x = c.t[3];
  const int64_t C = geometry(x, N, S);
  if (c.t[0].dtype != x.dtype || c.t[0].numel() != x.numel() || !c.t[0].contiguous()) throw TorchError("internal: batch_norm: bad output");
  check_vec(c.t[1], x, C, "save_mean", true);
  check_vec(c.t[2], x, C, "save_invstd", true);
  const char* names[4] = {"weight", "bias", "running_mean", "running_var"};
  for (int i = 0; i < 4; i++) if (c.a[3 + i] != 0) check_vec(c.t[4 + i], x, C, names[i], false);
  if (c.a[0] == 0 && (c.a[5] == 0 || c.a[6] == 0)) throw TorchError("running_mean and running_var must be defined in evaluation mode");
  return C;
}
inline int64_t backward_args(const Call& c, int64_t& N, int64_t& S) {
  if (c.nt != 8 || c.na < 6) throw TorchError("internal: batch_norm_backward expects 8 tensors and 6 attributes");
  const TensorArg& x = c.t[4];
  const int64_t C = geometry(x, N, S);
  const TensorArg& g = c.t[3];
  if (g.dtype != x.dtype || g.numel() != x.numel() || !g.contiguous()) throw TorchError("internal: batch_norm_backward: grad output must match the input");
  if (c.a[3] != 0 && (c.t[0].dtype != x.dtype || c.t[0].numel() != x.numel() || !c.t[0].contiguous())) throw TorchError("internal: batch_norm_backward: bad grad input");
  if (c.a[4] != 0) check_vec(c.t[1], x, C, "grad weight", false);
  if (c.a[5] != 0) check_vec(c.t[2], x, C, "grad bias", false);
  check_vec(c.t[5], x, C, "save_mean", true);
  check_vec(c.t[6], x, C, "save_invstd", true);
  if (c.a[2] != 0) check_vec(c.t[7], x, C, "weight", false);
  return C;
}

}  // namespace bn
}  // namespace nt
