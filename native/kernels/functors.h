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
NT_CM(asinh) NT_CM(acosh) NT_CM(atanh) NT_CM(erfc) NT_CM(lgamma) NT_CM(hypot) NT_CM(nextafter)
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

// ---- special functions (opsA): computed in double for every floating type, one definition for CPU and CUDA ----
// as a double of x (integral and half types alike), and back
template <typename T> NT_HD double d_(T x) { return (double)x; }
// erfinv: an initial rational approximation in w = -log((1-x)(1+x)), then Newton steps on erf(y) = x
NT_HD double erfinv_d(double x) {
  if (x != x || x < -1.0 || x > 1.0) return 0.0 / 0.0 + (x - x);
  if (x == 1.0) return 1.0 / 0.0;
  if (x == -1.0) return -1.0 / 0.0;
  double w = -M_(log)((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = M_(sqrt)(w) - 3.0;
    p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double y = p * x;
  for (int i = 0; i < 3; i++) {
    double e = M_(erf)(y) - x, d = 1.1283791670955126 * M_(exp)(-y * y);
    if (d == 0.0) break;
    y -= e / d;
  }
  return y;
}
// digamma: reflection below 0, the recurrence psi(x) = psi(x+1) - 1/x up to x >= 6, then the asymptotic series;
// psi(0) = -inf and a negative integer gives NaN (PyTorch 1.13)
NT_HD double digamma_d(double x) {
  const double PI = 3.14159265358979323846;
  if (x != x) return x;
  if (x == 0.0) return M_(copysign)(1.0 / 0.0, -x);
  if (x < 0.0) {
    if (x == M_(trunc)(x)) return 0.0 / 0.0 + (x - x);
    return digamma_d(1.0 - x) - PI / M_(tan)(PI * x);
  }
  double r = 0.0;
  while (x < 6.0) { r -= 1.0 / x; x += 1.0; }
  double f = 1.0 / (x * x);
  double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 + f * (691.0 / 32760 + f * (-1.0 / 12)))))));
  return r + M_(log)(x) - 0.5 / x + t;
}
// the Hurwitz zeta function zeta(s, q) = sum_k (k + q)^-s (s > 1, q > 0), by Euler-Maclaurin summation
NT_HD double zeta_d(double s, double q) {
  if (s == 1.0) return 1.0 / 0.0;
  if (s < 1.0 || q != q || s != s) return 0.0 / 0.0;
  if (q <= 0.0) {
    if (q == M_(trunc)(q)) return 1.0 / 0.0;
    if (s != M_(trunc)(s)) return 0.0 / 0.0;  // q^-s undefined (Cephes' domain error); integer s sums on
  }
  const int N = q < 0.0 ? 12 + (int)(-q) : 12;
  double sum = 0.0;
  for (int k = 0; k < N; k++) sum += M_(pow)(q + k, -s);
  double a = q + N;
  sum += M_(pow)(a, 1.0 - s) / (s - 1.0) + 0.5 * M_(pow)(a, -s);
  // B2j / (2j)!
  const double B[10] = {1.0 / 12, -1.0 / 720, 1.0 / 30240, -1.0 / 1209600, 1.0 / 47900160, -691.0 / 1307674368000.0,
                        1.0 / 74724249600.0, -3617.0 / 10670622842880000.0, 43867.0 / 5109094217170944000.0,
                        -174611.0 / 802857662698291200000.0};
  double fac = s, pw = M_(pow)(a, -s - 1.0);
  for (int j = 0; j < 10; j++) {
    double term = B[j] * fac * pw;
    sum += term;
    if (M_(fabs)(term) < 1e-17 * M_(fabs)(sum)) break;
    fac *= (s + 2 * j + 1) * (s + 2 * j + 2);
    pw /= a * a;
  }
  return sum;
}
// polygamma(n, x): digamma for n = 0, else (-1)^(n+1) n! zeta(n+1, x)
NT_HD double polygamma_d(double x, double n) {
  if (n == 0.0) return digamma_d(x);
  double f = 1.0;
  for (int k = 2; k <= (int)n; k++) f *= k;
  return ((int)n % 2 ? 1.0 : -1.0) * f * zeta_d(n + 1.0, x);
}
// i0: the modified Bessel function of the first kind, order 0: its power series sum ((x/2)^k / k!)^2 (terms all
// positive, no cancellation), and the asymptotic series e^x / sqrt(2 pi x) (1 + 1/(8x) + 9/(2 (8x)^2) + ...) above 30
NT_HD double i0_d(double x) {
  x = M_(fabs)(x);
  if (x != x) return x;
  if (x > 30.0) {
    double s = 1.0, t = 1.0;
    for (int k = 1; k < 30; k++) {
      double nt = t * (2.0 * k - 1) * (2.0 * k - 1) / (8.0 * k * x);
      if (M_(fabs)(nt) > M_(fabs)(t)) break;
      t = nt;
      s += t;
      if (t < 1e-17 * s) break;
    }
    if (x > 700.0) { double h = M_(exp)(0.5 * x); return h * (h * s / M_(sqrt)(2.0 * 3.14159265358979323846 * x)); }
    return M_(exp)(x) * s / M_(sqrt)(2.0 * 3.14159265358979323846 * x);
  }
  double q = 0.25 * x * x, t = 1.0, s = 1.0;
  for (int k = 1; k < 500; k++) {
    t *= q / ((double)k * k);
    s += t;
    if (t < 1e-17 * s) break;
  }
  return s;
}
// i1 (i0's derivative): sum (x/2)^(2k+1) / (k! (k+1)!), odd; the asymptotic series above 30
NT_HD double i1_d(double x) {
  double ax = M_(fabs)(x);
  if (x != x) return x;
  double r;
  if (ax > 30.0) {
    double s = 1.0, t = 1.0;
    for (int k = 1; k < 30; k++) {
      double nt = -t * (4.0 - (2.0 * k - 1) * (2.0 * k - 1)) / (8.0 * k * ax);
      if (M_(fabs)(nt) > M_(fabs)(t)) break;
      t = nt;
      s += t;
      if (M_(fabs)(t) < 1e-17 * M_(fabs)(s)) break;
    }
    double h = M_(exp)(0.5 * ax);
    r = h * (h * s / M_(sqrt)(2.0 * 3.14159265358979323846 * ax));
  } else {
    double q = 0.25 * ax * ax, t = 0.5 * ax, s = t;
    for (int k = 1; k < 500; k++) {
      t *= q / ((double)k * (k + 1));
      s += t;
      if (t < 1e-17 * s) break;
    }
    r = s;
  }
  return x < 0 ? -r : r;
}
template <typename T> NT_HD T gcd_(T a, T b) {
  if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
    a = a < 0 ? -a : a;
    b = b < 0 ? -b : b;
    while (b != 0) { T t = a % b; a = b; b = t; }
    return a;
  } else return a;
}
template <typename T> NT_HD T lcm_(T a, T b) {
  if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
    T g = gcd_(a, b);
    if (g == 0) return 0;
    T r = (a / g) * b;
    return r < 0 ? -r : r;
  } else return a;
}
template <typename T> NT_HD T nextafter_(T a, T b) {
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) return M_(nextafter)(a, b);
  else return (T)M_(nextafter)((double)a, (double)b);
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
