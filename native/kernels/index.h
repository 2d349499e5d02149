// index.h - the per-element storage-type arithmetic of the indexing kernels (scatter add/multiply, index_add,
// put accumulate), as NT_HD functions shared by cpu/index.cc and cuda/index.cu, so CPU tests cover the CUDA
// arithmetic too. f16/bf16 are computed in float (as PyTorch's CPU), bool is logical, integers wrap.
#pragma once
#include <cstdint>
#include <type_traits>
#include "scalar.h"

namespace nt {
namespace idx {

// a + alpha * b in T. On the device the float products and sums are written with the _rn intrinsics, so nvcc cannot
// contract them into an FMA: the device rounds exactly as the host does.
template <typename T> NT_HD T add_scaled(T a, T b, double alpha) {
  if constexpr (is_half16<T>::value) {
#ifdef __CUDA_ARCH__
    return cvt<T>(__fadd_rn(to_f(a), __fmul_rn((float)alpha, to_f(b))));
#else
    return cvt<T>(to_f(a) + (float)alpha * to_f(b));
#endif
  } else if constexpr (std::is_same<T, bool>::value) {
    return a || (b && alpha != 0);
  } else if constexpr (std::is_floating_point<T>::value) {
#ifdef __CUDA_ARCH__
    if constexpr (std::is_same<T, float>::value) return alpha == 1 ? a + b : __fadd_rn(a, __fmul_rn((float)alpha, b));
    else return alpha == 1 ? a + b : __dadd_rn(a, __dmul_rn(alpha, b));
#else
    return alpha == 1 ? a + b : a + (T)alpha * b;
#endif
  } else {
    return (T)(uint64_t)((uint64_t)(int64_t)a + (uint64_t)((int64_t)alpha * (int64_t)b));
  }
}

// a * b in T
template <typename T> NT_HD T mul_vals(T a, T b) {
  if constexpr (is_half16<T>::value) return cvt<T>(to_f(a) * to_f(b));
  else if constexpr (std::is_same<T, bool>::value) return a && b;
  else if constexpr (std::is_floating_point<T>::value) return a * b;
  else return (T)(uint64_t)((uint64_t)(int64_t)a * (uint64_t)(int64_t)b);
}

}  // namespace idx
}  // namespace nt
