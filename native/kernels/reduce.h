// reduce.h - the per-element arithmetic of the reductions, scans, softmax and sort, as small NT_HD functions
// and op structs. cpu/reduce.cc builds its loops from these; a CUDA kernel (block/warp reduction) reuses the
// same identity/load/combine steps, so the NaN and tie rules are decided in one place.
//
// PyTorch's rules kept here:
//   max/min propagate NaN (any NaN in the slice gives NaN);
//   argmax/argmin return the first occurrence among ties, and the first NaN when there is one (NaN is both
//   the max and the min);
//   sort orders NaN as larger than +inf (last ascending, first descending);
//   var/std merge partial results with Chan's formula (exact for any split, so parallel and serial agree).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include "scalar.h"

#ifdef __CUDACC__
#define RM_(f) ::f
#else
#define RM_(f) std::f
#endif

namespace nt {
namespace red {

// natural compute type of a storage type: float for the 16/32-bit floats, double, int64 for integers and bool
template <typename S> struct NatT { using type = int64_t; };
template <> struct NatT<float> { using type = float; };
template <> struct NatT<f16> { using type = float; };
template <> struct NatT<bf16> { using type = float; };
template <> struct NatT<double> { using type = double; };

// value type used for comparisons and exp: float for 16-bit floats, else the type itself
template <typename S> struct CmpT { using type = S; };
template <> struct CmpT<f16> { using type = float; };
template <> struct CmpT<bf16> { using type = float; };

// op codes of the `reduce` kernel (a0); lib/ops/reduce.ts mirrors this list
enum ReduceCode {
  R_SUM = 0,
  R_PROD = 1,
  R_MAX = 2,
  R_MIN = 3,
  R_ALL = 4,     // result 1 when every element is nonzero (NaN counts as nonzero)
  R_ANY = 5,
  R_NANSUM = 6,  // NaN treated as 0
  R_MEAN = 7,    // sum, then divided by the number of reduced elements
  R_SUMABS = 8,  // sum |x|   (norm p=1)
  R_SUMSQ = 9,   // sum x*x   (norm p=2 before the sqrt)
  R_COUNT
};

template <typename T> NT_HD bool isnan_(T x) {
  if constexpr (std::is_floating_point<T>::value) return x != x;
  else return false;
}

// NaN-propagating max/min: the result is NaN as soon as either side is.
template <typename T> NT_HD T max_nan(T a, T b) { return (a > b || isnan_(a)) ? a : b; }
template <typename T> NT_HD T min_nan(T a, T b) { return (a < b || isnan_(a)) ? a : b; }

template <typename T> NT_HD T lowest_() {
  if constexpr (std::is_floating_point<T>::value) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <typename T> NT_HD T highest_() {
  if constexpr (std::is_floating_point<T>::value) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// Each op: T the accumulator type; identity(); load(x) maps a stored element (any storage type S) to T;
// combine(a, b) is associative (summation order is chosen by the loops, pairwise for accuracy).
// kNanFlag ops (float max/min) may instead be computed as plain(a, x) = the NaN-blind max/min, which
// vectorises to maxps/minps, plus a separate "saw a NaN" lane (nan_flag); the result is NaN when the flag is.
template <typename T> NT_HD T nan_flag(T flag, T x) { return isnan_(x) ? x : flag; }

template <typename T> struct SumOp {
  static constexpr bool kCascade = true;  // benefits from pairwise summation
  static constexpr bool kNanFlag = false;
  NT_HD static T identity() { return T(0); }
  template <typename S> NT_HD static T load(S x) { return cvt<T>(x); }
  NT_HD static T combine(T a, T b) { return a + b; }
};
template <typename T> struct NansumOp : SumOp<T> {
  template <typename S> NT_HD static T load(S x) { T v = cvt<T>(x); return isnan_(v) ? T(0) : v; }
};
template <typename T> struct SumAbsOp : SumOp<T> {
  template <typename S> NT_HD static T load(S x) { T v = cvt<T>(x); return v < T(0) ? -v : v; }
};
template <typename T> struct SumSqOp : SumOp<T> {
  template <typename S> NT_HD static T load(S x) { T v = cvt<T>(x); return v * v; }
};
template <typename T> struct ProdOp {
  static constexpr bool kCascade = false;
  static constexpr bool kNanFlag = false;
  NT_HD static T identity() { return T(1); }
  template <typename S> NT_HD static T load(S x) { return cvt<T>(x); }
  NT_HD static T combine(T a, T b) { return a * b; }
};
template <typename T> struct MaxOp {
  static constexpr bool kCascade = false;
  static constexpr bool kNanFlag = std::is_floating_point<T>::value;
  static constexpr bool kIsMin = false;
  NT_HD static T identity() { return lowest_<T>(); }
  template <typename S> NT_HD static T load(S x) { return cvt<T>(x); }
  NT_HD static T combine(T a, T b) { return max_nan(a, b); }
  NT_HD static T plain(T a, T x) { return x > a ? x : a; }
};
template <typename T> struct MinOp {
  static constexpr bool kCascade = false;
  static constexpr bool kNanFlag = std::is_floating_point<T>::value;
  static constexpr bool kIsMin = true;
  NT_HD static T identity() { return highest_<T>(); }
  template <typename S> NT_HD static T load(S x) { return cvt<T>(x); }
  NT_HD static T combine(T a, T b) { return min_nan(a, b); }
  NT_HD static T plain(T a, T x) { return x < a ? x : a; }
};
// all/any: truthiness of the stored value (x != 0; NaN is true), accumulated as 0/1 in T
template <typename T> struct AllOp {
  static constexpr bool kCascade = false;
  static constexpr bool kNanFlag = false;
  NT_HD static T identity() { return T(1); }
  template <typename S> NT_HD static T load(S x) { return cvt<bool>(x) ? T(1) : T(0); }
  NT_HD static T combine(T a, T b) { return a & b; }
};
template <typename T> struct AnyOp {
  static constexpr bool kCascade = false;
  static constexpr bool kNanFlag = false;
  NT_HD static T identity() { return T(0); }
  template <typename S> NT_HD static T load(S x) { return cvt<bool>(x) ? T(1) : T(0); }
  NT_HD static T combine(T a, T b) { return a | b; }
};

// ---- argmax / argmin: does candidate x (at a later index) replace the current best? ----
template <typename T> NT_HD bool arg_better_max(T x, T cur) { return !isnan_(cur) && (x > cur || isnan_(x)); }
template <typename T> NT_HD bool arg_better_min(T x, T cur) { return !isnan_(cur) && (x < cur || isnan_(x)); }

// ---- variance: (count, mean, M2) partials; Welford update per element, Chan merge of partials ----
struct VarAcc {
  double n;
  double mean;
  double m2;
};
NT_HD VarAcc var_identity() { return VarAcc{0.0, 0.0, 0.0}; }
NT_HD VarAcc welford_update(VarAcc a, double x) {
  a.n += 1.0;
  double d = x - a.mean;
  a.mean += d / a.n;
  a.m2 += d * (x - a.mean);
  return a;
}
NT_HD VarAcc welford_merge(VarAcc a, VarAcc b) {
  if (a.n == 0) return b;
  if (b.n == 0) return a;
  double n = a.n + b.n;
  double d = b.mean - a.mean;
  VarAcc r;
  r.n = n;
  r.mean = a.mean + d * (b.n / n);
  r.m2 = a.m2 + b.m2 + d * d * (a.n * b.n / n);
  return r;
}
// PyTorch divides by max(0, N - correction): 0/0 gives NaN, x/0 gives inf
NT_HD double var_finish(VarAcc a, double correction) {
  double den = a.n - correction;
  if (den < 0) den = 0;
  return a.m2 / den;
}

// ---- sort: a strict weak order with NaN above +inf; ties broken by index so any sort is stable ----
template <typename T> NT_HD bool sort_before(T a, int64_t ia, T b, int64_t ib, bool descending) {
  bool an = isnan_(a), bn = isnan_(b);
  if (an || bn) {
    if (an && bn) return ia < ib;
    return descending ? an : bn;  // NaN is the largest
  }
  if (a == b) return ia < ib;
  return descending ? a > b : a < b;
}

// ---- scans ----
template <typename T> NT_HD T scan_combine(T acc, T x, bool prod) { return prod ? acc * x : acc + x; }

// ---- softmax rows: out = exp(x - max) / sum, or log_softmax = x - max - log(sum) ----
template <typename T> NT_HD T softmax_out(T x, T mx, T sum_or_logsum, bool log) {
  return log ? (x - mx) - sum_or_logsum : RM_(exp)(x - mx) / sum_or_logsum;
}
// grad input of softmax (y = output): y * (g - sum(g*y)); of log_softmax: g - exp(y) * sum(g)
template <typename T> NT_HD T softmax_grad(T g, T y, T s, bool log) {
  return log ? g - RM_(exp)(y) * s : y * (g - s);
}

}  // namespace red
}  // namespace nt
