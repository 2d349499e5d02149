// functors.h - the per-element arithmetic of every elementwise op, as NT_HD functors built from
// unary.def / binary.def. The CPU loops (cpu/elementwise.cc) and the CUDA kernels (cuda/elementwise.cu)
// instantiate the same structs, so CPU tests cover the CUDA arithmetic too.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include "scalar.h"

#ifdef __CUDACC__
// nvcc: CUDA's device math overloads (global namespace) take float or double only, and <cmath>'s integral
// overloads are host-only, so M_(f) goes through a wrapper that promotes an integral argument to double, as
// std::f does on the host. A new M_(name) needs its row here (nvcc then fails loudly, never silently).
namespace nt { namespace fn { namespace cm {
template <typename T> __host__ __device__ __forceinline__ auto promote_(T x) {
  if constexpr (std::is_integral<T>::value) return (double)x; else return x;
}
#define NT_CM(f) template <typename... A> __host__ __device__ __forceinline__ auto f(A... a) { return ::f(promote_(a)...); }
NT_CM(acos) NT_CM(asin) NT_CM(atan) NT_CM(atan2) NT_CM(ceil) NT_CM(copysign) NT_CM(cos) NT_CM(cosh) NT_CM(erf) NT_CM(fabs)
NT_CM(exp) NT_CM(expm1) NT_CM(floor) NT_CM(fmod) NT_CM(isinf) NT_CM(log) NT_CM(log10) NT_CM(log1p) NT_CM(log2)
NT_CM(nearbyint) NT_CM(pow) NT_CM(sin) NT_CM(sinh) NT_CM(sqrt) NT_CM(tan) NT_CM(tanh) NT_CM(trunc)
#undef NT_CM
}}}  // namespace nt::fn::cm
#define M_(f) ::nt::fn::cm::f
#else
#define M_(f) std::f
#endif

namespace nt {
namespace fn {

template <typename T> NT_HD T sigmoid_(T x) {
  if constexpr (std::is_floating_point<T>::value) return T(1) / (T(1) + M_(exp)(-x));
  else return (T)(1.0 / (1.0 + M_(exp)(-(double)x)));
}
// |x| with abs(-0) = +0 and NaN kept (fabs clears the sign bit: one vectorised and-mask); integers as -x below 0
template <typename T> NT_HD T abs_(T x) {
  if constexpr (std::is_floating_point<T>::value) return M_(fabs)(x);
  else return x < T(0) ? -x : x;
}
template <typename T> NT_HD bool isinf_(T x) {
  if constexpr (std::is_floating_point<T>::value) return M_(isinf)(x);
  else return false;
}
template <typename T> NT_HD T bitnot_(T x) {
  if constexpr (std::is_integral<T>::value) return ~x;
  else return x;
}
template <typename T> NT_HD T bitand_(T a, T b) { if constexpr (std::is_integral<T>::value) return a & b; else return a; }
template <typename T> NT_HD T bitor_(T a, T b) { if constexpr (std::is_integral<T>::value) return a | b; else return a; }
template <typename T> NT_HD T bitxor_(T a, T b) { if constexpr (std::is_integral<T>::value) return a ^ b; else return a; }

// Integer division by zero is undefined behaviour (a SIGFPE on x86); PyTorch raises
// "ZeroDivisionError" for it, which lib/ checks before dispatch. Here it yields 0 rather than trapping.
template <typename T> NT_HD T div_trunc_(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) return M_(trunc)(a / b);
  else { if (b == 0) return 0; if (b == -1) return (T)(0 - (uint64_t)a); return a / b; }
}
template <typename T> NT_HD T div_floor_(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    if (b == T(0)) return a / b;
    T mod = M_(fmod)(a, b);
    T div = (a - mod) / b;
    if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
    T fl;
    if (div != T(0)) { fl = M_(floor)(div); if (div - fl > T(0.5)) fl += T(1); }
    else fl = M_(copysign)(T(0), a / b);
    return fl;
  } else {
    if (b == 0) return 0;
    if (b == -1) return (T)(0 - (uint64_t)a);
    T q = a / b, r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) q -= 1;
    return q;
  }
}
template <typename T> NT_HD T remainder_(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    T r = M_(fmod)(a, b);
    if (r != T(0) && ((r < T(0)) != (b < T(0)))) r += b;
    return r;
  } else {
    if (b == 0 || b == -1) return 0;
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}
template <typename T> NT_HD T fmod_(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) return M_(fmod)(a, b);
  else { if (b == 0 || b == -1) return 0; return a % b; }
}
template <typename T> NT_HD T pow_(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) return M_(pow)(a, b);
  else {  // integer power by squaring (negative exponents: PyTorch errors for ints; lib/ checks)
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    T r = 1, base = a;
    uint64_t e = (uint64_t)b;
    while (e) { if (e & 1) r = (T)((uint64_t)r * (uint64_t)base); base = (T)((uint64_t)base * (uint64_t)base); e >>= 1; }
    return r;
  }
}
template <typename T> NT_HD T gelu_grad_(T x) {
  const T kAlpha = T(0.70710678118654752440), kBeta = T(0.39894228040143267794);  // 1/sqrt2, 1/sqrt(2pi)
  T cdf = T(0.5) * (T(1) + M_(erf)(x * kAlpha));
  T pdf = kBeta * M_(exp)(T(-0.5) * x * x);
  return cdf + x * pdf;
}
template <typename T> NT_HD T gelu_tanh_grad_(T x) {
  const T kBeta = T(0.79788456080286535588), kKappa = T(0.044715);
  T x3 = x * x * x;
  T inner = kBeta * (x + kKappa * x3);
  T th = M_(tanh)(inner);
  T left = T(0.5) * x, right = T(1) + th;
  T left_d = T(0.5) * right;
  T right_d = left * (T(1) - th * th) * kBeta * (T(1) + T(3) * kKappa * x * x);
  return left_d + right_d;
}
template <typename T> NT_HD T silu_grad_(T x) {
  T s = sigmoid_(x);
  return s * (T(1) + x * (T(1) - s));
}

#define SAME_T T
#define BOOL_T bool
#define UNARY(name, result, expr)                                                     \
  struct u_##name {                                                                   \
    template <typename T> using R = result##_T;                                       \
    template <typename T> NT_HD static R<T> f(T x, double p0, double p1, double p2) { \
      (void)p0; (void)p1; (void)p2;                                                   \
      return (R<T>)(expr);                                                            \
    }                                                                                 \
  };
#include "unary.def"
#undef UNARY
#define BINARY(name, result, expr)                                                   \
  struct b_##name {                                                                  \
    template <typename T> using R = result##_T;                                      \
    template <typename T> NT_HD static R<T> f(T a, T b, double p0, double p1) {      \
      (void)p0; (void)p1;                                                            \
      return (R<T>)(expr);                                                           \
    }                                                                                \
  };
#include "binary.def"
#undef BINARY

enum UnaryCode {
#define UNARY(name, result, expr) U_##name,
#include "unary.def"
#undef UNARY
  U_COUNT
};
enum BinaryCode {
#define BINARY(name, result, expr) B_##name,
#include "binary.def"
#undef BINARY
  B_COUNT
};

// ternary: where(c, a, b), lerp(a, b, w), clamp(x, lo, hi) (NaN propagates, as PyTorch)
// T_clamp is clamp with scalar bounds, T_clamp_t with tensor bounds: PyTorch's two kernels differ on ties (a scalar
// bound keeps x when x equals it, so clamp(-0., 0, 1) is -0; a tensor bound is taken, as maximum/minimum do).
enum TernaryCode { T_where = 0, T_lerp = 1, T_clamp = 2, T_addcmul = 3, T_clamp_t = 4, T_COUNT };
template <typename T> NT_HD T lerp_(T a, T b, T w) {
  return (w < T(0.5) && w > T(-0.5)) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}
// min(max(x, lo), hi) with NaN from any of the three (a NaN bound gives NaN everywhere, as PyTorch)
template <typename T> NT_HD T clamp_(T x, T lo, T hi) {
  if (lo != lo) return lo;
  if (hi != hi) return hi;
  if (x != x) return x;
  T r = x < lo ? lo : x;
  return r > hi ? hi : r;
}
template <typename T> NT_HD T clamp_t_(T x, T lo, T hi) {
  if (x != x) return x;
  T r = x > lo ? x : lo;  // NaN lo -> lo
  if (r != r) return r;
  return r < hi ? r : hi;  // NaN hi -> hi
}
// one element of the lerp / clamp / addcmul ternary kernel (where is a plain select, done by the loops)
template <typename T> NT_HD T ternary_(int code, T x, T y, T z) {
  if (code == T_lerp) return lerp_(x, y, z);
  if (code == T_clamp) return clamp_(x, y, z);
  if (code == T_clamp_t) return clamp_t_(x, y, z);
  return x + y * z;  // addcmul with value folded into z by lib/
}

}  // namespace fn
}  // namespace nt
