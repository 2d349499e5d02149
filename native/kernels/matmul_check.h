// matmul_check.h - the host-side operand checks that cpu/gemm.cc and cuda/matmul.cu share (plain inline host code):
// a 2-D operand is a batch of one (lib/ passes 2-D operands straight through for mm/addmm/linear), then the shapes
// must be c [b,m,n] = a [b,m,k] @ b [b,k,n] of one dtype. Returns false when there is nothing to compute.
#pragma once
#include <string>
#include "../core/tensor.h"

namespace nt {

inline bool matmul_operands(Call& c) {
  if (c.nt != 3) throw TorchError("matmul: internal: expected 3 tensors");
  for (int i = 0; i < 3; i++) {
    TensorArg& t = c.t[i];
    if (t.ndim == 2) {
      t.shape[2] = t.shape[1]; t.stride[2] = t.stride[1];
      t.shape[1] = t.shape[0]; t.stride[1] = t.stride[0];
      t.shape[0] = 1; t.stride[0] = 0;
      t.ndim = 3;
    }
    if (t.ndim != 3) throw TorchError("matmul: internal: operands must be 2-D or 3-D");
  }
  const TensorArg &tc = c.t[0], &ta = c.t[1], &tb = c.t[2];
  const int64_t batch = tc.shape[0], m = tc.shape[1], n = tc.shape[2], k = ta.shape[2];
  if (ta.shape[0] != batch || tb.shape[0] != batch || ta.shape[1] != m || tb.shape[1] != k || tb.shape[2] != n)
    throw TorchError("matmul: internal: operand shapes disagree");
  if (ta.dtype != tb.dtype || tc.dtype != ta.dtype) throw TorchError("matmul: internal: operand dtypes disagree");
  return batch != 0 && m != 0 && n != 0;
}

}  // namespace nt
