// optim_check.h - host-side argument checks of the fused optimizer step, shared by cpu/optim.cc and cuda/optim.cu.
#pragma once
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

}  // namespace optim
}  // namespace nt
