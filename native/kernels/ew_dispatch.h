// ew_dispatch.h - the host-side op-code decoding of the unary / binary / ternary kernels, shared by cpu/elementwise.cc
// and cuda/elementwise.cu: a0 op code (unary.def / binary.def / TernaryCode order), a1 compute dtype. Each backend
// passes its typed kernel as Run<T, F>::run (T the compute type, F the functor of functors.h); the tables and the
// error messages live here once. Plain inline host code (no CUDA).
#pragma once
#include <string>
#include "../core/tensor.h"
#include "functors.h"

namespace nt {
namespace fn {

using TypedFn = void (*)(Call&);

template <template <typename, typename> class Run, typename T>
TypedFn unary_table(int code) {
  static const TypedFn table[] = {
#define UNARY(name, result, expr) &Run<T, u_##name>::run,
#include "unary.def"
#undef UNARY
  };
  return (code >= 0 && code < U_COUNT) ? table[code] : nullptr;
}
template <template <typename, typename> class Run, typename T>
TypedFn binary_table(int code) {
  static const TypedFn table[] = {
#define BINARY(name, result, expr) &Run<T, b_##name>::run,
#include "binary.def"
#undef BINARY
  };
  return (code >= 0 && code < B_COUNT) ? table[code] : nullptr;
}

// the typed unary / binary kernel for the call's a0 op code and a1 compute dtype
template <template <typename, typename> class Run>
TypedFn unary_fn(const Call& c) {
  int code = (int)c.attr(0);
  DType ct = (DType)(int)c.attr(1);
  TypedFn f = nullptr;
  NT_DISPATCH_COMPUTE(ct, T, f = unary_table<Run, T>(code));
  if (!f) throw TorchError("internal: bad unary op code");
  return f;
}
template <template <typename, typename> class Run>
TypedFn binary_fn(const Call& c) {
  int code = (int)c.attr(0);
  DType ct = (DType)(int)c.attr(1);
  TypedFn f = nullptr;
  NT_DISPATCH_COMPUTE(ct, T, f = binary_table<Run, T>(code));
  if (!f) throw TorchError("internal: bad binary op code");
  return f;
}

// the ternary kernel's a0 op code, checked
inline int ternary_code(const Call& c) {
  int code = (int)c.attr(0);
  if (code < 0 || code >= T_COUNT) throw TorchError("internal: bad ternary op code");
  return code;
}

}  // namespace fn
}  // namespace nt
