// optim_check.h - host-side argument checks of the fused optimizer step, shared by cpu/optim.cc and cuda/optim.cu.
#pragma once
#include <cmath>
#include <string>
#include "../core/tensor.h"
#include "optim.h"

namespace nt {
namespace optim {

// Validates an optim_step call (a0 algorithm, 10 attrs; t0 param, t1 grad, then the algorithm's state tensors, all
// contiguous, same dtype float32/float64 and numel). Returns the element count; sets the algorithm code.
inline int64_t step_args(const Call& c, int& algo) {
  algo = (int)c.attr(0, -1);
  if (c.na < 10) throw TorchError("internal: optim_step expects 10 attributes");
  int ns = state_count(algo, c.a);
  if (ns < 0) throw TorchError("internal: optim_step: unknown algorithm code " + std::to_string(algo));
  if (c.nt != 2 + ns)
    throw TorchError("internal: optim_step: expected " + std::to_string(2 + ns) + " tensors, got " + std::to_string(c.nt));
  const TensorArg& p = c.t[0];
  if (p.dtype != DType::F32 && p.dtype != DType::F64)
    throw TorchError(std::string("optim_step: parameters must be float32 or float64 here, got ") + dtype_name(p.dtype));
  const int64_t n = p.numel();
  for (int i = 0; i < c.nt; i++) {
    const TensorArg& t = c.t[i];
    if (t.dtype != p.dtype) throw TorchError("internal: optim_step: tensor " + std::to_string(i) + " has another dtype");
    if (t.numel() != n) throw TorchError("internal: optim_step: tensor " + std::to_string(i) + " has another numel");
    if (!t.contiguous()) throw TorchError("internal: optim_step: tensor " + std::to_string(i) + " is not contiguous");
  }
  return n;
}

// The operands of a checked optim_step call: param, grad and up to three state tensors (null when absent);
// for RMSprop, which of them are grad_avg (centered) and the momentum buffer.
template <typename T>
struct StepOperands {
  int64_t n;
  T* p;
  const T* g;
  T *s0, *s1, *s2;
  T* rms_grad_avg(const RmspropScalars<T>& s) const { return s.centered ? s1 : nullptr; }
  T* rms_momentum(const RmspropScalars<T>& s) const { return s.has_momentum ? (s.centered ? s2 : s1) : nullptr; }
};
template <typename T>
inline StepOperands<T> step_operands(Call& c) {
  return StepOperands<T>{c.t[0].numel(), c.t[0].ptr<T>(), c.t[1].ptr<T>(), c.nt > 2 ? c.t[2].ptr<T>() : nullptr,
                         c.nt > 3 ? c.t[3].ptr<T>() : nullptr, c.nt > 4 ? c.t[4].ptr<T>() : nullptr};
}

// Validates an optim_step_multi call: a0 algorithm, the 10 attributes of optim_step (and an optional a10: the most
// chunks per CUDA launch, for tests; 0 = the kernel's own limit; a11, a12: GradScaler's found_inf and grad_scale,
// optim.h); the list
// holds, per parameter, k = 2 + state_count tensors (param, grad, states in optim_step's order), each parameter's of
// one dtype (float32, float64, float16 or bfloat16) and numel; xa two values per parameter (optim.h param_attrs).
// Returns the parameter count; sets the algorithm code and k.
inline int multi_args(const Call& c, int& algo, int& k) {
  algo = (int)c.attr(0, -1);
  if (c.na < 10) throw TorchError("internal: optim_step_multi expects 10 attributes");
  if (algo != SGD && algo != ADAM && algo != ADAMW && algo != RMSPROP && algo != ADAGRAD)
    throw TorchError("internal: optim_step_multi: unsupported algorithm code " + std::to_string(algo));
  if (c.nt != 0) throw TorchError("internal: optim_step_multi takes a tensor list only");
  k = 2 + state_count(algo, c.a);
  const bool amp = multi_has_found_inf(c.a, c.na);
  const int nparam_t = c.nlist - (amp ? 1 : 0);
  if (nparam_t < 0 || nparam_t % k != 0) throw TorchError("internal: optim_step_multi: " + std::to_string(c.nlist) + " tensors is not a multiple of " + std::to_string(k));
  const int np = nparam_t / k;
  if (amp) {
    const TensorArg& f = c.list[c.nlist - 1];
    if (f.dtype != DType::F32 || f.numel() != 1) throw TorchError("optim_step_multi: found_inf must be a one-element float32 tensor");
  }
  const double scale = multi_grad_scale(c.a, c.na);
  if (!(scale >= 0) || std::isinf(scale)) throw TorchError("optim_step_multi: grad_scale must be a finite positive number");
  if (c.nxa != 2 * np) throw TorchError("internal: optim_step_multi: expected 2 attributes per parameter");
  for (int i = 0; i < np; i++) {
    const TensorArg& p = c.list[i * k];
    if (p.dtype != DType::F32 && p.dtype != DType::F64 && p.dtype != DType::F16 && p.dtype != DType::BF16)
      throw TorchError(std::string("optim_step_multi: parameters must be floating point, got ") + dtype_name(p.dtype));
    for (int j = 1; j < k; j++) {
      const TensorArg& t = c.list[i * k + j];
      if (t.dtype != p.dtype) throw TorchError("internal: optim_step_multi: parameter " + std::to_string(i) + ": operand " + std::to_string(j) + " has another dtype");
      if (t.numel() != p.numel()) throw TorchError("internal: optim_step_multi: parameter " + std::to_string(i) + ": operand " + std::to_string(j) + " has another numel");
      if (!t.contiguous()) throw TorchError("internal: optim_step_multi: operand is not contiguous");
    }
  }
  return np;
}

// Validates an amp_unscale call: t0 found_inf (float32, one element), t1.. gradients (float16/bfloat16/float32/
// float64, contiguous), a0 = inv_scale. The gradients may be on the device of found_inf only.
inline void amp_unscale_args(const Call& c) {
  if (c.nt < 1 || c.na < 1) throw TorchError("internal: amp_unscale expects found_inf, gradients and inv_scale");
  const TensorArg& f = c.t[0];
  if (f.dtype != DType::F32 || f.numel() != 1) throw TorchError("found_inf must be a one-element float32 tensor");
  for (int i = 1; i < c.nt; i++) {
    const TensorArg& g = c.t[i];
    if (g.dtype != DType::F32 && g.dtype != DType::F64 && g.dtype != DType::F16 && g.dtype != DType::BF16)
      throw TorchError(std::string("_amp_foreach_non_finite_check_and_unscale_: gradients must be floating point, got ") + dtype_name(g.dtype));
    if (!g.contiguous()) throw TorchError("internal: amp_unscale: gradient " + std::to_string(i) + " is not contiguous");
  }
}

}  // namespace optim
}  // namespace nt
