// reduce.cc - CPU kernels of the reduction family: reduce (sum, prod, max, min, all, any, nansum, mean, and the
// sum|x| / sum x^2 parts of norm), arg_reduce (argmax/argmin), var, softmax/log_softmax and their backward,
// scan (cumsum/cumprod) and sort. The per-element arithmetic (identity/load/combine, NaN and tie rules, Welford
// merging) lives in kernels/reduce.h so a CUDA kernel can share it.
//
// lib/ops/reduce.ts permutes the reduced dims to the end, so every kernel here sees [outer..., reduced...] with
// arbitrary strides. Two loop shapes cover the layouts that matter:
//   - "rows": each output reduces runs along the innermost reduced dim (contiguous runs take a many-lane loop the
//     compiler vectorises, built for SSE2 and for AVX2, picked at run time). Float sums are pairwise: 16/32-lane
//     partial sums over blocks of 4096 elements (long enough that folding the lanes costs little), the block sums
//     combined by a binary-counter tree, so the error grows with log(n) (1e7 float32 ones sum to exactly 1e7).
//   - "columns": when the outputs are contiguous in the input (sum over dim 0 of a row-major matrix), a tile of
//     64 outputs is accumulated row by row, vectorised across outputs; rows are combined pairwise the same way.
// Both split the reduced range across threads when there are too few outputs to keep every thread busy
// (a full sum of 10M elements runs on all threads), and partials are merged in order.
// Napkin math for the full float32 sum: 10M elements = 40 MB read once; at ~10 GB/s per core that is ~4 ms on one
// thread and memory-bound on two; the 16-lane loop issues 4 SSE adds per 16 elements, far below that limit.
// GCC does not vectorise NaN-propagating max/min or exp, so float max/min, argmax/argmin and softmax rows have
// SSE2 paths (x86-64 baseline) beside their portable loops; sort turns values into order-preserving integer keys
// and radix-sorts long rows. Each fast path is checked against the portable one by test/reduce.test.ts.
#include <algorithm>
#include <atomic>
#include <string>
#include <utility>
#include <vector>
#include "../kernels/reduce.h"
#include "../kernels/reduce_check.h"
#include "cpu.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nt {
namespace {

using namespace red;

constexpr int64_t kBlock = 4096;  // elements per leaf partial of the pairwise tree
constexpr int kLanes = 16;        // independent accumulators in the leaf loop
constexpr int kTile = 64;         // outputs per column tile
constexpr int64_t kColRows = 64;  // reduced rows per column partial of the pairwise tree

// parallel_for that never lets an exception escape an OpenMP region (that would terminate the process):
// the first failure is kept and rethrown on the calling thread.
template <typename F>
void pfor(int64_t n, int64_t grain, F f) {
  std::atomic<bool> failed{false};
  std::string msg;
  parallel_for(n, grain, [&](int64_t b, int64_t e) {
    try {
      f(b, e);
    } catch (const std::exception& ex) {
      if (!failed.exchange(true)) msg = ex.what();
    } catch (...) {
      if (!failed.exchange(true)) msg = "unknown error";
    }
  });
  if (failed) throw TorchError(msg);
}

// ---------------------------------------------------------------------------------------------------------------
// SSE2 fast paths (x86-64 baseline). GCC does not vectorise NaN-propagating selects or exp, so the hot float loops
// are written with intrinsics; every one has the portable loop below it as its reference and fallback.
// ---------------------------------------------------------------------------------------------------------------
#if defined(__SSE2__)
#define NT_SIMD 1
// NaN-propagating max/min of a contiguous run (n >= 0): maxps/minps lanes, which ignore a NaN operand, plus an
// unordered-compare mask that remembers any NaN.
template <bool IsMin>
float simd_minmax(const float* p, int64_t n) {
  __m128 a0 = _mm_set1_ps(IsMin ? INFINITY : -INFINITY), a1 = a0, a2 = a0, a3 = a0;
  __m128 nan = _mm_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128 v0 = _mm_loadu_ps(p + i), v1 = _mm_loadu_ps(p + i + 4), v2 = _mm_loadu_ps(p + i + 8), v3 = _mm_loadu_ps(p + i + 12);
    a0 = IsMin ? _mm_min_ps(v0, a0) : _mm_max_ps(v0, a0);
    a1 = IsMin ? _mm_min_ps(v1, a1) : _mm_max_ps(v1, a1);
    a2 = IsMin ? _mm_min_ps(v2, a2) : _mm_max_ps(v2, a2);
    a3 = IsMin ? _mm_min_ps(v3, a3) : _mm_max_ps(v3, a3);
    nan = _mm_or_ps(nan, _mm_or_ps(_mm_cmpunord_ps(v0, v1), _mm_cmpunord_ps(v2, v3)));
  }
  a0 = IsMin ? _mm_min_ps(_mm_min_ps(a0, a1), _mm_min_ps(a2, a3)) : _mm_max_ps(_mm_max_ps(a0, a1), _mm_max_ps(a2, a3));
  float t[4];
  _mm_storeu_ps(t, a0);
  float r = t[0];
  for (int j = 1; j < 4; j++) r = IsMin ? (t[j] < r ? t[j] : r) : (t[j] > r ? t[j] : r);
  bool any_nan = _mm_movemask_ps(nan) != 0;
  for (; i < n; i++) {
    float v = p[i];
    if (v != v) any_nan = true;
    r = IsMin ? (v < r ? v : r) : (v > r ? v : r);
  }
  return any_nan ? NAN : r;
}
template <bool IsMin>
double simd_minmax(const double* p, int64_t n) {
  __m128d a0 = _mm_set1_pd(IsMin ? INFINITY : -INFINITY), a1 = a0, a2 = a0, a3 = a0;
  __m128d nan = _mm_setzero_pd();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128d v0 = _mm_loadu_pd(p + i), v1 = _mm_loadu_pd(p + i + 2), v2 = _mm_loadu_pd(p + i + 4), v3 = _mm_loadu_pd(p + i + 6);
    a0 = IsMin ? _mm_min_pd(v0, a0) : _mm_max_pd(v0, a0);
    a1 = IsMin ? _mm_min_pd(v1, a1) : _mm_max_pd(v1, a1);
    a2 = IsMin ? _mm_min_pd(v2, a2) : _mm_max_pd(v2, a2);
    a3 = IsMin ? _mm_min_pd(v3, a3) : _mm_max_pd(v3, a3);
    nan = _mm_or_pd(nan, _mm_or_pd(_mm_cmpunord_pd(v0, v1), _mm_cmpunord_pd(v2, v3)));
  }
  a0 = IsMin ? _mm_min_pd(_mm_min_pd(a0, a1), _mm_min_pd(a2, a3)) : _mm_max_pd(_mm_max_pd(a0, a1), _mm_max_pd(a2, a3));
  double t[2];
  _mm_storeu_pd(t, a0);
  double r = IsMin ? (t[1] < t[0] ? t[1] : t[0]) : (t[1] > t[0] ? t[1] : t[0]);
  bool any_nan = _mm_movemask_pd(nan) != 0;
  for (; i < n; i++) {
    double v = p[i];
    if (v != v) any_nan = true;
    r = IsMin ? (v < r ? v : r) : (v > r ? v : r);
  }
  return any_nan ? (double)NAN : r;
}
// column tile update for float/double max/min: cur[c] = NaN-blind max/min, nf[c] |= isnan (tw % lanes lanes by SIMD)
template <bool IsMin>
void simd_col_minmax(float* cur, float* nf, const float* p, int tw) {
  int c = 0;
  for (; c + 4 <= tw; c += 4) {
    __m128 v = _mm_loadu_ps(p + c), a = _mm_loadu_ps(cur + c);
    _mm_storeu_ps(cur + c, IsMin ? _mm_min_ps(v, a) : _mm_max_ps(v, a));
    _mm_storeu_ps(nf + c, _mm_or_ps(_mm_loadu_ps(nf + c), _mm_cmpunord_ps(v, v)));
  }
  for (; c < tw; c++) {
    float v = p[c];
    cur[c] = IsMin ? (v < cur[c] ? v : cur[c]) : (v > cur[c] ? v : cur[c]);
    if (v != v) nf[c] = NAN;
  }
}
template <bool IsMin>
void simd_col_minmax(double* cur, double* nf, const double* p, int tw) {
  int c = 0;
  for (; c + 2 <= tw; c += 2) {
    __m128d v = _mm_loadu_pd(p + c), a = _mm_loadu_pd(cur + c);
    _mm_storeu_pd(cur + c, IsMin ? _mm_min_pd(v, a) : _mm_max_pd(v, a));
    _mm_storeu_pd(nf + c, _mm_or_pd(_mm_loadu_pd(nf + c), _mm_cmpunord_pd(v, v)));
  }
  for (; c < tw; c++) {
    double v = p[c];
    cur[c] = IsMin ? (v < cur[c] ? v : cur[c]) : (v > cur[c] ? v : cur[c]);
    if (v != v) nf[c] = NAN;
  }
}
// exp of 4 floats: Cody-Waite reduction to [-ln2/2, ln2/2] and Cephes' degree-6 polynomial (max relative error
// 1.2e-7 over [-87.3, 88.3], checked against std::exp); below -87.3 (and -inf) gives 0, NaN stays NaN.
inline __m128 exp4(__m128 x) {
  const __m128 lo = _mm_set1_ps(-87.3f), hi = _mm_set1_ps(88.3f), magic = _mm_set1_ps(12582912.0f);
  __m128 xc = _mm_min_ps(_mm_max_ps(x, lo), hi);
  __m128 t = _mm_add_ps(_mm_mul_ps(xc, _mm_set1_ps(1.44269504088896341f)), magic);  // round(x / ln2) + 1.5*2^23
  __m128i n = _mm_sub_epi32(_mm_castps_si128(t), _mm_set1_epi32(0x4B400000));
  __m128 fn = _mm_sub_ps(t, magic);
  __m128 r = _mm_sub_ps(xc, _mm_mul_ps(fn, _mm_set1_ps(0.693359375f)));
  r = _mm_sub_ps(r, _mm_mul_ps(fn, _mm_set1_ps(-2.12194440e-4f)));
  __m128 p = _mm_set1_ps(1.9875691500E-4f);
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.3981999507E-3f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(8.3334519073E-3f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(4.1665795894E-2f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.6666665459E-1f));
  p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(5.0000001201E-1f));
  p = _mm_add_ps(_mm_add_ps(_mm_mul_ps(_mm_mul_ps(p, r), r), r), _mm_set1_ps(1.0f));
  __m128 scale = _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(n, _mm_set1_epi32(127)), 23));
  __m128 y = _mm_andnot_ps(_mm_cmplt_ps(x, lo), _mm_mul_ps(p, scale));
  __m128 nan = _mm_cmpunord_ps(x, x);
  return _mm_or_ps(_mm_andnot_ps(nan, y), _mm_and_ps(nan, x));
}
// softmax / log_softmax of one contiguous float row (x and y may not alias)
void simd_softmax_row(const float* x, float* y, int64_t n, bool log) {
  if (n == 0) return;
  float mx = simd_minmax<false>(x, n);
  if (mx != mx || mx == -INFINITY) {  // a NaN row, or all -inf (x - max is NaN): all NaN, as the scalar path
    for (int64_t i = 0; i < n; i++) y[i] = NAN;
    return;
  }
  __m128 m = _mm_set1_ps(mx), s0 = _mm_setzero_ps(), s1 = _mm_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128 e0 = exp4(_mm_sub_ps(_mm_loadu_ps(x + i), m)), e1 = exp4(_mm_sub_ps(_mm_loadu_ps(x + i + 4), m));
    if (!log) { _mm_storeu_ps(y + i, e0); _mm_storeu_ps(y + i + 4, e1); }
    s0 = _mm_add_ps(s0, e0);
    s1 = _mm_add_ps(s1, e1);
  }
  float t[4];
  _mm_storeu_ps(t, _mm_add_ps(s0, s1));
  float sum = (t[0] + t[1]) + (t[2] + t[3]);
  for (; i < n; i++) { float e = std::exp(x[i] - mx); if (!log) y[i] = e; sum += e; }
  if (log) {  // (x - max) - log(sum), in PyTorch's order
    float ls = std::log(sum);
    __m128 lsv = _mm_set1_ps(ls);
    i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_sub_ps(_mm_sub_ps(_mm_loadu_ps(x + i), m), lsv));
    for (; i < n; i++) y[i] = (x[i] - mx) - ls;
  } else {
    __m128 inv = _mm_set1_ps(1.0f / sum);
    i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), inv));
    float iv = 1.0f / sum;
    for (; i < n; i++) y[i] *= iv;
  }
}
#endif

// A heap array (std::vector<bool> has no data(), and these may hold bool).
template <typename T>
struct Buf {
  std::unique_ptr<T[]> p;
  explicit Buf(size_t n) : p(new T[n ? n : 1]) {}
  T& operator[](size_t i) { return p[i]; }
  T* data() { return p.get(); }
};

// natural_compute, NatT / CmpT and the attr decoding and shape checks of every kernel here are shared with
// cuda/reduce.cu (kernels/reduce.h, kernels/reduce_check.h).

// Walks a set of dims (shape, strides in elements) in C order, keeping the element offset.
struct Odo {
  int nd = 0;
  const int64_t* sh = nullptr;
  const int64_t* st = nullptr;
  int64_t idx[kMaxDims];
  int64_t off = 0;
  void init(int n, const int64_t* shape, const int64_t* stride, int64_t flat) {
    nd = n; sh = shape; st = stride; off = 0;
    for (int d = nd - 1; d >= 0; d--) {
      idx[d] = flat % sh[d];
      flat /= sh[d];
      off += idx[d] * st[d];
    }
  }
  void next() {
    for (int d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < sh[d]) return;
      off -= idx[d] * st[d];
      idx[d] = 0;
    }
  }
};

// Coalesced dims of several operands that share a shape: size-1 dims dropped, dims merged where every operand
// steps through them contiguously.
struct Dims {
  int nd = 0;
  int64_t sh[kMaxDims];
  int64_t st[3][kMaxDims];
};
Dims coalesce(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
  Dims r;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 1) continue;
    if (r.nd > 0) {
      bool ok = true;
      for (int k = 0; k < nops; k++) if (r.st[k][r.nd - 1] != strides[k][d] * shape[d]) { ok = false; break; }
      if (ok) {
        r.sh[r.nd - 1] *= shape[d];
        for (int k = 0; k < nops; k++) r.st[k][r.nd - 1] = strides[k][d];
        continue;
      }
    }
    r.sh[r.nd] = shape[d];
    for (int k = 0; k < nops; k++) r.st[k][r.nd] = strides[k][d];
    r.nd++;
  }
  return r;
}

// Geometry of a reduction over the trailing `nred` dims of `in`.
struct Geom {
  Dims outer, red;
  int64_t O = 1, R = 1;
};
Geom make_geom(const TensorArg& in, int nred) {
  Geom g;
  int nout = in.ndim - nred;
  const int64_t* so[1] = {in.stride};
  const int64_t* sr[1] = {in.stride + nout};
  g.outer = coalesce(nout, in.shape, 1, so);
  g.red = coalesce(nred, in.shape + nout, 1, sr);
  for (int d = 0; d < nout; d++) g.O *= in.shape[d];
  for (int d = nout; d < in.ndim; d++) g.R *= in.shape[d];
  if (g.red.nd == 0) {  // nothing (or only size-1 dims) reduced: one run of length 1
    g.red.nd = 1;
    g.red.sh[0] = 1;
    g.red.st[0][0] = 0;
  }
  return g;
}

// Binary-counter pairwise tree: push partials in order; level k holds the merge of 2^k partials.
template <typename Acc, typename Merge>
struct Cascade {
  Acc lv[64];
  uint64_t cnt = 0;
  void push(Acc v) {
    int k = 0;
    for (uint64_t c = cnt; c & 1; c >>= 1, k++) v = Merge::merge(lv[k], v);
    lv[k] = v;
    cnt++;
  }
  Acc total(Acc identity) const {
    Acc r = identity;
    bool any = false;
    for (int k = 63; k >= 0; k--) {
      if (!((cnt >> k) & 1)) continue;
      r = any ? Merge::merge(r, lv[k]) : lv[k];
      any = true;
    }
    return r;
  }
};

// ---- reducers: identity, leaf (a run of n elements with stride s), merge ----
template <typename Op, typename S>
struct SimpleReducer {
  using T = decltype(Op::identity());
  using Acc = T;
  static Acc identity() { return Op::identity(); }
  static Acc merge(Acc a, Acc b) { return Op::combine(a, b); }
  static Acc leaf(const S* p, int64_t n, int64_t s) {
    if (n < kLanes) {  // short runs (many small outputs): plain loop
      T r = Op::load(p[0]);
      for (int64_t i = 1; i < n; i++) r = Op::combine(r, Op::load(p[i * s]));
      return n ? r : Op::identity();
    }
#ifdef NT_SIMD
    if constexpr (Op::kNanFlag && std::is_same<S, T>::value) {
      if (s == 1) return simd_minmax<Op::kIsMin>(p, n);
    }
#endif
    if constexpr (Op::kNanFlag) return leaf_flagged(p, n, s);
    if (s == 1) {
#if defined(__x86_64__) && !defined(__AVX2__)
      if (cpu_has_avx2()) return leaf_unit_avx2(p, n);
#endif
      return leaf_unit<kLanes>(p, n);
    }
    T acc[kLanes];
    for (int j = 0; j < kLanes; j++) acc[j] = Op::identity();
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; j++) acc[j] = Op::combine(acc[j], Op::load(p[(i + j) * s]));
    for (int j = 0; i < n; i++, j++) acc[j] = Op::combine(acc[j], Op::load(p[i * s]));
    for (int w = kLanes / 2; w > 0; w /= 2)
      for (int j = 0; j < w; j++) acc[j] = Op::combine(acc[j], acc[j + w]);
    return acc[0];
  }
  // a contiguous run with L independent lanes (the compiler vectorises the j loop), lanes folded pairwise
  template <int L>
  __attribute__((always_inline)) static inline Acc leaf_unit(const S* p, int64_t n) {
    T acc[L];
    for (int j = 0; j < L; j++) acc[j] = Op::identity();
    int64_t i = 0;
    for (; i + L <= n; i += L)
      for (int j = 0; j < L; j++) acc[j] = Op::combine(acc[j], Op::load(p[i + j]));
    for (int j = 0; i < n; i++, j++) acc[j] = Op::combine(acc[j], Op::load(p[i]));
    for (int w = L / 2; w > 0; w /= 2)
      for (int j = 0; j < w; j++) acc[j] = Op::combine(acc[j], acc[j + w]);
    return acc[0];
  }
#if defined(__x86_64__) && !defined(__AVX2__)
  // the same loop compiled for AVX2 (picked at run time): four 256-bit accumulators of 32-bit lanes (or of
  // 64-bit lanes for double/int64), enough independent adds to hide the add latency
  __attribute__((target("avx2,fma"))) static Acc leaf_unit_avx2(const S* p, int64_t n) {
    return leaf_unit<(sizeof(T) >= 8 ? 16 : 32)>(p, n);
  }
#endif
  // float max/min: NaN-blind lanes (maxps/minps) plus NaN-flag lanes
  static Acc leaf_flagged(const S* p, int64_t n, int64_t s) {
    T acc[kLanes], nf[kLanes];
    for (int j = 0; j < kLanes; j++) { acc[j] = Op::identity(); nf[j] = T(0); }
    int64_t i = 0;
    if (s == 1) {
      for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; j++) { T v = Op::load(p[i + j]); acc[j] = Op::plain(acc[j], v); nf[j] = nan_flag(nf[j], v); }
    } else {
      for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; j++) { T v = Op::load(p[(i + j) * s]); acc[j] = Op::plain(acc[j], v); nf[j] = nan_flag(nf[j], v); }
    }
    for (int j = 0; i < n; i++, j++) { T v = Op::load(p[i * s]); acc[j] = Op::plain(acc[j], v); nf[j] = nan_flag(nf[j], v); }
    for (int j = 0; j < kLanes; j++) if (isnan_(nf[j])) return nf[j];
    for (int w = kLanes / 2; w > 0; w /= 2)
      for (int j = 0; j < w; j++) acc[j] = Op::plain(acc[j], acc[j + w]);
    return acc[0];
  }
};

// variance partial of a run: two passes in double over at most kBlock elements (they are in cache), so the
// result is as accurate as a global two-pass; runs are merged with Chan's formula.
template <typename S>
struct VarReducer {
  using Acc = VarAcc;
  static Acc identity() { return var_identity(); }
  static Acc merge(Acc a, Acc b) { return welford_merge(a, b); }
  static Acc leaf(const S* p, int64_t n, int64_t s) {
    if (n == 0) return var_identity();
    double sum[4] = {0, 0, 0, 0};
    const double first = cvt<double>(p[0]);
    bool same = true;  // a run of one finite value: mean exactly it, M2 exactly 0 (sum/n may not give it back)
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; j++) { double v = cvt<double>(p[(i + j) * s]); sum[j] += v; same &= v == first; }
    for (int j = 0; i < n; i++, j++) { double v = cvt<double>(p[i * s]); sum[j] += v; same &= v == first; }
    if (same && std::isfinite(first)) return VarAcc{(double)n, first, 0.0};
    double mean = ((sum[0] + sum[1]) + (sum[2] + sum[3])) / (double)n;
    double m2[4] = {0, 0, 0, 0};
    i = 0;
    for (; i + 4 <= n; i += 4)
      for (int j = 0; j < 4; j++) { double d = cvt<double>(p[(i + j) * s]) - mean; m2[j] += d * d; }
    for (int j = 0; i < n; i++, j++) { double d = cvt<double>(p[i * s]) - mean; m2[j] += d * d; }
    return VarAcc{(double)n, mean, (m2[0] + m2[1]) + (m2[2] + m2[3])};
  }
};

// reduce the flat reduced-index range [b, e) starting at `base` (one output's slice)
template <typename Rd, typename S>
typename Rd::Acc reduce_range(const S* base, const Geom& g, int64_t b, int64_t e) {
  using Acc = typename Rd::Acc;
  const Dims& r = g.red;
  int64_t n0 = r.sh[r.nd - 1], s0 = r.st[0][r.nd - 1];
  Cascade<Acc, Rd> tree;
  Acc blk = Rd::identity();
  int64_t blkn = 0;
  Odo od;
  od.init(r.nd - 1, r.sh, r.st[0], b / n0);
  int64_t i0 = b % n0;
  while (b < e) {
    int64_t len = std::min(n0 - i0, e - b);
    const S* p = base + od.off + i0 * s0;
    while (len > 0) {
      int64_t piece = std::min(len, kBlock - blkn);
      Acc part = Rd::leaf(p, piece, s0);
      blk = blkn ? Rd::merge(blk, part) : part;
      blkn += piece;
      p += piece * s0;
      len -= piece;
      b += piece;
      if (blkn == kBlock) { tree.push(blk); blk = Rd::identity(); blkn = 0; }
    }
    i0 = 0;
    od.next();
  }
  if (blkn) tree.push(blk);
  return tree.total(Rd::identity());
}

// "rows" loop: out[o] for every output o, splitting the reduced range when outputs are few
template <typename Rd, typename S>
void run_rows(const S* in, const Geom& g, typename Rd::Acc* out) {
  using Acc = typename Rd::Acc;
  const int64_t O = g.O, R = g.R;
  const Dims& od = g.outer;
  int nth = num_threads();
  int64_t nch = 1;
  if (O < nth && O * R > kParallelGrain && !in_parallel()) {
    // a few chunks per thread, claimed dynamically (pool.h), so one late thread does not hold up the call
    nch = std::min<int64_t>((4 * nth + O - 1) / O, std::max<int64_t>(1, R / (4 * kBlock)));
  }
  if (nch == 1) {
    // one run of at most a block per output (short rows): the leaf alone, no tree
    const bool single = g.red.nd == 1 && R <= kBlock;
    const int64_t s0 = g.red.st[0][0];
    pfor(O, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(R, 1)), [&](int64_t ob, int64_t oe) {
      Odo o;
      o.init(od.nd, od.sh, od.st[0], ob);
      for (int64_t i = ob; i < oe; i++) {
        out[i] = single ? Rd::leaf(in + o.off, R, s0) : reduce_range<Rd, S>(in + o.off, g, 0, R);
        o.next();
      }
    });
    return;
  }
  Buf<Acc> part((size_t)(O * nch));
  pfor(O * nch, 1, [&](int64_t wb, int64_t we) {
    for (int64_t w = wb; w < we; w++) {
      int64_t o = w / nch, k = w % nch;
      Odo oo;
      oo.init(od.nd, od.sh, od.st[0], o);
      // chunk edges on block multiples, so the leaf blocks are the same as in a serial run
      int64_t nb = (R + kBlock - 1) / kBlock;
      int64_t rb = std::min(R, (nb * k / nch) * kBlock), re = std::min(R, (nb * (k + 1) / nch) * kBlock);
      part[w] = reduce_range<Rd, S>(in + oo.off, g, rb, re);
    }
  });
  for (int64_t o = 0; o < O; o++) {
    Acc a = part[o * nch];
    for (int64_t k = 1; k < nch; k++) a = Rd::merge(a, part[o * nch + k]);
    out[o] = a;
  }
}

// "columns" loop: the innermost outer dim is contiguous in the input (stride 1, W outputs); vectorised across it.
template <typename Op, typename S, typename T>
void column_range(const S* base, const Geom& g, int64_t rb, int64_t re, int tw, T* acc, T* levels) {
  const Dims& r = g.red;
  T cur[kTile];
  for (int c = 0; c < tw; c++) cur[c] = Op::identity();
  uint64_t cnt = 0;
  auto push = [&](T* v) {
    int k = 0;
    for (uint64_t c = cnt; c & 1; c >>= 1, k++) {
      T* l = &levels[(size_t)k * kTile];
      for (int j = 0; j < tw; j++) v[j] = Op::combine(l[j], v[j]);
    }
    T* l = &levels[(size_t)k * kTile];
    for (int j = 0; j < tw; j++) l[j] = v[j];
    cnt++;
  };
  Odo od;
  od.init(r.nd, r.sh, r.st[0], rb);
  int64_t rows = 0;
  if constexpr (Op::kNanFlag) {  // float max/min: NaN-blind lanes plus NaN flags (see leaf_flagged)
    T nf[kTile];
    for (int c = 0; c < tw; c++) nf[c] = T(0);
    for (int64_t i = rb; i < re; i++) {
      const S* p = base + od.off;
#ifdef NT_SIMD
      if constexpr (std::is_same<S, T>::value) {
        simd_col_minmax<Op::kIsMin>(cur, nf, p, tw);
        od.next();
        continue;
      }
#endif
      for (int c = 0; c < tw; c++) { T v = Op::load(p[c]); cur[c] = Op::plain(cur[c], v); nf[c] = nan_flag(nf[c], v); }
      od.next();
    }
    for (int c = 0; c < tw; c++) acc[c] = isnan_(nf[c]) ? nf[c] : cur[c];
    (void)levels;
    return;
  }
  for (int64_t i = rb; i < re; i++) {
    const S* p = base + od.off;
    if (tw == kTile) {
      for (int c = 0; c < kTile; c++) cur[c] = Op::combine(cur[c], Op::load(p[c]));
    } else {
      for (int c = 0; c < tw; c++) cur[c] = Op::combine(cur[c], Op::load(p[c]));
    }
    od.next();
    if (Op::kCascade && ++rows == kColRows) {
      push(cur);
      for (int c = 0; c < tw; c++) cur[c] = Op::identity();
      rows = 0;
    }
  }
  if (!Op::kCascade || cnt == 0) {
    for (int c = 0; c < tw; c++) acc[c] = cur[c];
    return;
  }
  if (rows) push(cur);
  bool any = false;
  for (int k = 63; k >= 0; k--) {
    if (!((cnt >> k) & 1)) continue;
    T* l = &levels[(size_t)k * kTile];
    for (int c = 0; c < tw; c++) acc[c] = any ? Op::combine(acc[c], l[c]) : l[c];
    any = true;
  }
}

template <typename Op, typename S, typename T>
void run_columns(const S* in, const Geom& g, T* out) {
  const Dims& od = g.outer;
  const int64_t O = g.O, R = g.R;
  const int64_t W = od.sh[od.nd - 1];
  const int64_t orows = O / W;
  const int64_t tiles = (W + kTile - 1) / kTile;
  const int64_t tasks = orows * tiles;
  int nth = num_threads();
  int64_t nch = 1;
  if (tasks < nth && O * R > kParallelGrain && !in_parallel())
    nch = std::min<int64_t>((4 * nth + tasks - 1) / tasks, std::max<int64_t>(1, R / (4 * kColRows)));
  Buf<T> part(nch > 1 ? (size_t)(tasks * nch * kTile) : 0);
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, R * kTile));
  pfor(tasks * nch, nch > 1 ? 1 : grain, [&](int64_t wb, int64_t we) {
    Buf<T> levels((size_t)64 * kTile);
    for (int64_t w = wb; w < we; w++) {
      int64_t task = w / nch, k = w % nch;
      int64_t orow = task / tiles, c0 = (task % tiles) * kTile;
      int tw = (int)std::min<int64_t>(kTile, W - c0);
      Odo oo;
      oo.init(od.nd - 1, od.sh, od.st[0], orow);
      const S* base = in + oo.off + c0;
      int64_t rb = R * k / nch, re = R * (k + 1) / nch;
      T* dst = nch > 1 ? &part[(size_t)w * kTile] : out + orow * W + c0;
      column_range<Op, S, T>(base, g, rb, re, tw, dst, levels.data());
    }
  });
  if (nch == 1) return;
  for (int64_t task = 0; task < tasks; task++) {
    int64_t orow = task / tiles, c0 = (task % tiles) * kTile;
    int tw = (int)std::min<int64_t>(kTile, W - c0);
    T* dst = out + orow * W + c0;
    for (int c = 0; c < tw; c++) {
      T a = part[(size_t)(task * nch) * kTile + c];
      for (int64_t k = 1; k < nch; k++) a = Op::combine(a, part[(size_t)(task * nch + k) * kTile + c]);
      dst[c] = a;
    }
  }
}

// a TensorArg over a contiguous buffer with t's shape
TensorArg contiguous_like(const TensorArg& t, DType dt, void* data) {
  TensorArg r = t;
  r.dtype = dt;
  r.data = (char*)data;
  r.storage = nullptr;
  int64_t s = 1;
  for (int d = t.ndim - 1; d >= 0; d--) { r.stride[d] = s; s *= t.shape[d]; }
  return r;
}

// Output staging: results of type T land straight in t0 when it is contiguous of that dtype, else in a buffer
// that is cast into t0 afterwards.
template <typename T>
struct OutBuf {
  const TensorArg& t0;
  std::unique_ptr<T[]> buf;
  T* p;
  explicit OutBuf(const TensorArg& t, int64_t n) : t0(t) {
    if (t.dtype == dtype_of<T>() && t.contiguous()) p = t.ptr<T>();
    else { buf.reset(new T[(size_t)std::max<int64_t>(n, 1)]); p = buf.get(); }
  }
  void finish() { if (buf) copy_cast(t0, contiguous_like(t0, dtype_of<T>(), buf.get())); }
};

template <typename Op, typename S>
void reduce_with(const TensorArg& out, const TensorArg& in, int nred, bool mean) {
  using T = decltype(Op::identity());
  Geom g = make_geom(in, nred);
  if (g.O == 0) return;
  OutBuf<T> ob(out, g.O);
  const S* base = in.ptr<S>();
  if (g.R == 0) {
    for (int64_t i = 0; i < g.O; i++) ob.p[i] = Op::identity();
  } else if (g.outer.nd > 0 && g.outer.st[0][g.outer.nd - 1] == 1 && g.outer.sh[g.outer.nd - 1] >= 8 &&
             g.red.st[0][g.red.nd - 1] != 1) {
    run_columns<Op, S, T>(base, g, ob.p);
  } else {
    run_rows<SimpleReducer<Op, S>, S>(base, g, ob.p);
  }
  if (mean) {
    if constexpr (std::is_floating_point<T>::value) {
      T n = (T)g.R;
      for (int64_t i = 0; i < g.O; i++) ob.p[i] = ob.p[i] / n;
    }
  }
  ob.finish();
}

template <typename S>
void reduce_typed(const TensorArg& out, const TensorArg& in, int code, int nred) {
  using T = typename NatT<S>::type;
  constexpr bool fl = std::is_floating_point<T>::value;
  // nansum/|x|/x^2 sums are float-only in lib; integers take the plain sum (nansum of ints is sum) to keep the
  // number of instantiations down
  if (!fl && (code == R_NANSUM || code == R_SUMABS || code == R_SUMSQ || code == R_MEAN)) {
    if (code != R_NANSUM) throw TorchError("reduce: internal: op needs a floating input");
    code = R_SUM;
  }
  switch (code) {
    case R_SUM: reduce_with<SumOp<T>, S>(out, in, nred, false); break;
    case R_MEAN: if constexpr (fl) reduce_with<SumOp<T>, S>(out, in, nred, true); break;
    case R_NANSUM: if constexpr (fl) reduce_with<NansumOp<T>, S>(out, in, nred, false); break;
    case R_SUMABS: if constexpr (fl) reduce_with<SumAbsOp<T>, S>(out, in, nred, false); break;
    case R_SUMSQ: if constexpr (fl) reduce_with<SumSqOp<T>, S>(out, in, nred, false); break;
    case R_PROD: reduce_with<ProdOp<T>, S>(out, in, nred, false); break;
    case R_MAX: reduce_with<MaxOp<typename CmpT<S>::type>, S>(out, in, nred, false); break;
    case R_MIN: reduce_with<MinOp<typename CmpT<S>::type>, S>(out, in, nred, false); break;
    case R_ALL: reduce_with<AllOp<int64_t>, S>(out, in, nred, false); break;
    case R_ANY: reduce_with<AnyOp<int64_t>, S>(out, in, nred, false); break;
    default: throw TorchError("reduce: internal: bad op code");
  }
}

// reduce: t0 = reduction of t1 over its trailing a1 dims. t0's shape is t1's leading (ndim - a1) dims, any
// strides and dtype (the result is cast into it). a0 = ReduceCode (kernels/reduce.h); a2 = compute dtype code
// (float32 for float16/bfloat16/float32, float64, int64 for integers and bool): an input of another dtype is
// first converted to it (sum(x, dtype=...) with a wider dtype). all/any ignore a2 (they test x != 0 as stored).
// max/min compare in the input's own type (so int64 max is exact) and propagate NaN. Empty slices give the
// identity (sum 0, prod 1, all true, any false; mean 0/0 = NaN); lib rejects max/min of empty slices first.
void reduce_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("reduce: internal: expected 2 tensors");
  const ReduceArgs a = reduce_args(c);
  const TensorArg& out = c.t[0];
  const TensorArg* in = &c.t[1];
  Temp tmp;
  if (a.convert) { make_compact_copy(*in, a.ct, tmp); in = &tmp.t; }
  NT_DISPATCH_ALL(in->dtype, S, reduce_typed<S>(out, *in, a.code, a.nred));
}

// ---------------------------------------------------------------------------------------------------------------
// var
// ---------------------------------------------------------------------------------------------------------------
template <typename S>
void var_typed(Call& c, const TensorArg& in, int nred, double correction) {
  const TensorArg& out = c.t[0];
  Geom g = make_geom(in, nred);
  if (g.O == 0) return;
  std::vector<VarAcc> acc((size_t)g.O);
  if (g.R > 0) run_rows<VarReducer<S>, S>(in.ptr<S>(), g, acc.data());
  else for (auto& a : acc) a = var_identity();
  std::vector<double> v((size_t)g.O);
  for (int64_t i = 0; i < g.O; i++) v[i] = var_finish(acc[i], correction);
  copy_cast(out, contiguous_like(out, DType::F64, v.data()));
  if (c.nt == 3) {  // the mean as well (var_mean / std_mean)
    for (int64_t i = 0; i < g.O; i++) v[i] = g.R > 0 ? acc[i].mean : NAN;
    copy_cast(c.t[1], contiguous_like(c.t[1], DType::F64, v.data()));
  }
}

// var: t0 = variance of t(last) over its trailing a0 dims with correction a1 (divisor max(0, N - a1)); with
// three tensors t1 receives the mean too. Floating inputs only (lib checks); accumulated in double, per 4096-element
// run two-pass and the runs merged with Chan's formula; t0/t1 may have any float dtype and strides.
void var_kernel(Call& c) {
  if (c.nt != 2 && c.nt != 3) throw TorchError("var: internal: expected 2 or 3 tensors");
  const TensorArg& in = c.t[c.nt - 1];
  int nred;
  double correction;
  var_args(c, nred, correction);
  switch (in.dtype) {
    case DType::F32: var_typed<float>(c, in, nred, correction); break;
    case DType::F64: var_typed<double>(c, in, nred, correction); break;
    case DType::F16: var_typed<f16>(c, in, nred, correction); break;
    case DType::BF16: var_typed<bf16>(c, in, nred, correction); break;
    default: break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// arg_reduce
// ---------------------------------------------------------------------------------------------------------------
template <typename S>
void arg_typed(Call& c, bool is_min) {
  using C = typename CmpT<S>::type;
  const TensorArg& in = c.t[c.nt - 1];
  const bool with_values = c.nt == 3;
  int nd = in.ndim;
  int64_t n = in.shape[nd - 1], sn = in.stride[nd - 1];
  Geom g = make_geom(in, 1);
  if (g.O == 0) return;
  Buf<int64_t> idx((size_t)g.O);
  Buf<S> val(with_values ? (size_t)g.O : 0);
  const S* base = in.ptr<S>();
  const Dims& od = g.outer;
  auto better = [is_min](C x, C cur) { return is_min ? arg_better_min(x, cur) : arg_better_max(x, cur); };
  bool columns = od.nd > 0 && od.st[0][od.nd - 1] == 1 && od.sh[od.nd - 1] >= 8 && sn != 1;
  if (columns) {
    // outputs contiguous in the input: walk the reduced dim row by row for a tile of outputs
    const int64_t W = od.sh[od.nd - 1], orows = g.O / W, tiles = (W + kTile - 1) / kTile;
    pfor(orows * tiles, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n * kTile)), [&](int64_t tb, int64_t te) {
      for (int64_t task = tb; task < te; task++) {
        int64_t orow = task / tiles, c0 = (task % tiles) * kTile;
        int tw = (int)std::min<int64_t>(kTile, W - c0);
        Odo oo;
        oo.init(od.nd - 1, od.sh, od.st[0], orow);
        const S* p = base + oo.off + c0;
        C best[kTile];
        int64_t bi[kTile];
        for (int j = 0; j < tw; j++) { best[j] = cvt<C>(p[j]); bi[j] = 0; }
        for (int64_t i = 1; i < n; i++) {
          const S* q = p + i * sn;
          for (int j = 0; j < tw; j++) {
            C x = cvt<C>(q[j]);
            if (better(x, best[j])) { best[j] = x; bi[j] = i; }
          }
        }
        for (int j = 0; j < tw; j++) {
          int64_t o = orow * W + c0 + j;
          idx[o] = bi[j];
          if (with_values) val[o] = p[bi[j] * sn + j];
        }
      }
    });
  } else {
    pfor(g.O, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1)), [&](int64_t ob, int64_t oe) {
      Odo oo;
      oo.init(od.nd, od.sh, od.st[0], ob);
      for (int64_t o = ob; o < oe; o++) {
        const S* p = base + oo.off;
        C best = cvt<C>(p[0]);
        int64_t bi = 0;
#ifdef NT_SIMD
        if constexpr (std::is_same<S, float>::value || std::is_same<S, double>::value) {
          if (sn == 1 && n >= 64) {
            // two passes: the vectorised max/min, then the first index holding it (or the first NaN)
            S m = is_min ? simd_minmax<true>(p, n) : simd_minmax<false>(p, n);
            int64_t i = 0;
            if (m != m) { while (i < n && p[i] == p[i]) i++; }
            else { while (i < n && p[i] != m) i++; }
            idx[o] = i < n ? i : 0;
            if (with_values) val[o] = p[idx[o]];
            oo.next();
            continue;
          }
        }
#endif
        for (int64_t i = 1; i < n; i++) {
          C x = cvt<C>(p[i * sn]);
          if (better(x, best)) { best = x; bi = i; }
        }
        idx[o] = bi;
        if (with_values) val[o] = p[bi * sn];
        oo.next();
      }
    });
  }
  copy_cast(c.t[0], contiguous_like(c.t[0], DType::I64, idx.data()));
  if (with_values) copy_cast(c.t[1], contiguous_like(c.t[1], dtype_of<S>(), val.data()));
}

// arg_reduce: t0 (int64) = index of the max (a0 = 0) or min (a0 = 1) of t(last) along its last dim; with three
// tensors t1 receives the values too (max/min with dim). t0/t1 have the input's leading dims, any strides; t1 has
// the input's dtype. First occurrence wins ties; the first NaN wins over everything. The last dim must be non-empty
// (lib raises PyTorch's error first).
void arg_reduce_kernel(Call& c) {
  if (c.nt != 2 && c.nt != 3) throw TorchError("arg_reduce: internal: expected 2 or 3 tensors");
  const TensorArg& in = c.t[c.nt - 1];
  check_arg_reduce_shapes(c);
  if (arg_reduce_empty(c)) return;
  bool is_min = c.attr(0) != 0;
  NT_DISPATCH_ALL(in.dtype, S, arg_typed<S>(c, is_min));
}

// ---------------------------------------------------------------------------------------------------------------
// row helpers shared by softmax, scan and sort: iterate the rows (all dims but the last) of up to 3 operands
// ---------------------------------------------------------------------------------------------------------------
struct Rows {
  Dims d;           // coalesced outer dims, strides of each operand
  int64_t n = 0;    // row length
  int64_t ls[3];    // last-dim stride of each operand
  int64_t count = 1;
};
Rows make_rows(const TensorArg* const* ts, int nops) {
  Rows r;
  const TensorArg& a = *ts[0];
  int nd = a.ndim;
  r.n = nd ? a.shape[nd - 1] : 1;
  const int64_t* st[3];
  for (int k = 0; k < nops; k++) { st[k] = ts[k]->stride; r.ls[k] = nd ? ts[k]->stride[nd - 1] : 0; }
  r.d = coalesce(nd ? nd - 1 : 0, a.shape, nops, st);
  for (int i = 0; i + 1 < nd; i++) r.count *= a.shape[i];
  return r;
}
// run f(row pointers..., ) over rows in parallel; f(const char* const* p) gets each operand's row start
template <int N, typename F>
void for_rows(const TensorArg* const* ts, const Rows& r, int64_t work_per_row, F f) {
  if (r.count == 0 || r.n == 0) return;
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, work_per_row));
  pfor(r.count, grain, [&](int64_t b, int64_t e) {
    Odo o[N];
    for (int k = 0; k < N; k++) o[k].init(r.d.nd, r.d.sh, r.d.st[k], b);
    char* p[N];
    for (int64_t i = b; i < e; i++) {
      for (int k = 0; k < N; k++) {
        p[k] = ts[k]->data + o[k].off * itemsize(ts[k]->dtype);
        o[k].next();
      }
      f(p);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// softmax
// ---------------------------------------------------------------------------------------------------------------
template <typename S>
void softmax_typed(const TensorArg& out, const TensorArg& in, bool log) {
  using C = typename NatT<S>::type;  // float or double
  const TensorArg* ts[2] = {&out, &in};
  Rows r = make_rows(ts, 2);
  const int64_t n = r.n, so = r.ls[0], si = r.ls[1];
  for_rows<2>(ts, r, n * 4, [&](char** p) {
    S* y = (S*)p[0];
    const S* x = (const S*)p[1];
#ifdef NT_SIMD
    if constexpr (std::is_same<S, float>::value) {
      if (so == 1 && si == 1) { simd_softmax_row(x, y, n, log); return; }
    }
#endif
    C mx = lowest_<C>();
    for (int64_t i = 0; i < n; i++) mx = max_nan(mx, cvt<C>(x[i * si]));
    C sum = 0;
    // a row of -inf: max is -inf and x - max is NaN, as in PyTorch
    if (!log && std::is_same<S, C>::value) {  // store exp once, then scale
      for (int64_t i = 0; i < n; i++) { C e = RM_(exp)(cvt<C>(x[i * si]) - mx); y[i * so] = cvt<S>(e); sum += e; }
      C inv = C(1) / sum;
      for (int64_t i = 0; i < n; i++) y[i * so] = cvt<S>(cvt<C>(y[i * so]) * inv);
      return;
    }
    for (int64_t i = 0; i < n; i++) sum += RM_(exp)(cvt<C>(x[i * si]) - mx);
    if (log) {
      C ls = RM_(log)(sum);
      for (int64_t i = 0; i < n; i++) y[i * so] = cvt<S>(softmax_out(cvt<C>(x[i * si]), mx, ls, true));
    } else {
      C inv = C(1) / sum;
      for (int64_t i = 0; i < n; i++) y[i * so] = cvt<S>(RM_(exp)(cvt<C>(x[i * si]) - mx) * inv);
    }
  });
}

// softmax: t0 = softmax (a0 = 0) or log_softmax (a0 = 1) of t1 along its last dim, max-subtracted for stability;
// computed in float (float16/bfloat16/float32) or double. t0 has t1's shape and dtype, any strides. Float only.
void softmax_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("softmax: internal: expected 2 tensors");
  bool log = softmax_args(c);
  NT_DISPATCH_SOFTMAX(c.t[1].dtype, "softmax", S, softmax_typed<S>(c.t[0], c.t[1], log));
}

template <typename S>
void softmax_backward_typed(const TensorArg& gi, const TensorArg& go, const TensorArg& y, bool log) {
  using C = typename NatT<S>::type;
  const TensorArg* ts[3] = {&gi, &go, &y};
  Rows r = make_rows(ts, 3);
  const int64_t n = r.n, s0 = r.ls[0], s1 = r.ls[1], s2 = r.ls[2];
  for_rows<3>(ts, r, n * 3, [&](char** p) {
    S* o = (S*)p[0];
    const S* g = (const S*)p[1];
    const S* yy = (const S*)p[2];
    C s = 0;
    if (log) for (int64_t i = 0; i < n; i++) s += cvt<C>(g[i * s1]);
    else for (int64_t i = 0; i < n; i++) s += cvt<C>(g[i * s1]) * cvt<C>(yy[i * s2]);
    for (int64_t i = 0; i < n; i++) o[i * s0] = cvt<S>(softmax_grad(cvt<C>(g[i * s1]), cvt<C>(yy[i * s2]), s, log));
  });
}

// softmax_backward: t0 = grad input from grad output t1 and the forward's output t2 (a0 = 1 for log_softmax),
// along the last dim; all three share shape and float dtype.
void softmax_backward_kernel(Call& c) {
  if (c.nt != 3) throw TorchError("softmax_backward: internal: expected 3 tensors");
  bool log = softmax_backward_args(c);
  DType dt = c.t[0].dtype;
  NT_DISPATCH_SOFTMAX(dt, "softmax_backward", S, softmax_backward_typed<S>(c.t[0], c.t[1], c.t[2], log));
}

// ---------------------------------------------------------------------------------------------------------------
// scan
// ---------------------------------------------------------------------------------------------------------------
template <typename S>
void scan_typed(const TensorArg& out, const TensorArg& in, bool prod) {
  // accumulate in double for floats (PyTorch's CPU acc_type), int64 for integers; stored as O
  using A = typename std::conditional<std::is_floating_point<typename NatT<S>::type>::value, double, int64_t>::type;
  using O = typename std::conditional<std::is_same<A, double>::value, S, int64_t>::type;
  const TensorArg* ts[2] = {&out, &in};
  Rows r = make_rows(ts, 2);
  const int64_t n = r.n, so = r.ls[0], si = r.ls[1];
  for_rows<2>(ts, r, n, [&](char** p) {
    O* y = (O*)p[0];
    const S* x = (const S*)p[1];
    A acc = prod ? A(1) : A(0);
    for (int64_t i = 0; i < n; i++) {
      acc = scan_combine(acc, cvt<A>(x[i * si]), prod);
      y[i * so] = cvt<O>(acc);
    }
  });
}

// scan: t0 = cumsum (a0 = 0) or cumprod (a0 = 1) of t1 along its last dim. t0 has t1's shape, any strides; its
// dtype is t1's for floats and int64 for integers/bool (otherwise the result is computed in that dtype and cast).
void scan_kernel(Call& c) {
  if (c.nt != 2) throw TorchError("scan: internal: expected 2 tensors");
  DType natural_out;
  bool prod = scan_args(c, natural_out);
  const TensorArg& in = c.t[1];
  if (c.t[0].dtype == natural_out) {
    NT_DISPATCH_ALL(in.dtype, S, scan_typed<S>(c.t[0], in, prod));
  } else {
    Temp t;
    make_temp(c.t[0], natural_out, t);
    NT_DISPATCH_ALL(in.dtype, S, scan_typed<S>(t.t, in, prod));
    copy_cast(c.t[0], t.t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// sort
// ---------------------------------------------------------------------------------------------------------------
// Sort keys: an unsigned integer whose order is PyTorch's order (NaN above +inf, -0 equal to +0), so a row sorts
// as integers: an LSD radix sort (stable: equal keys keep index order) for long rows, the comparator sort below
// (the reference) for short ones and for partial sorts (topk).
template <typename S> struct SortKey {  // integers: flip the sign bit
  using K = typename std::conditional<(sizeof(S) > 4), uint64_t, uint32_t>::type;
  static K of(S v) {
    if constexpr (std::is_same<S, bool>::value || std::is_unsigned<S>::value) return (K)v;
    else return (K)(typename std::make_signed<K>::type)v ^ ((K)1 << (sizeof(K) * 8 - 1));
  }
};
inline uint32_t float_key(float v) {
  if (v != v) return 0xFFFFFFFFu;
  if (v == 0) v = 0;  // -0 == +0
  uint32_t b;
  memcpy(&b, &v, 4);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
template <> struct SortKey<float> { using K = uint32_t; static K of(float v) { return float_key(v); } };
template <> struct SortKey<f16> { using K = uint32_t; static K of(f16 v) { return float_key(to_f(v)); } };
template <> struct SortKey<bf16> { using K = uint32_t; static K of(bf16 v) { return float_key(to_f(v)); } };
template <> struct SortKey<double> {
  using K = uint64_t;
  static K of(double v) {
    if (v != v) return ~(uint64_t)0;
    if (v == 0) v = 0;
    uint64_t b;
    memcpy(&b, &v, 8);
    return (b >> 63) ? ~b : (b | ((uint64_t)1 << 63));
  }
};

template <typename S>
void sort_typed(Call& c, bool descending, int64_t k) {
  using C = typename CmpT<S>::type;
  using K = typename SortKey<S>::K;
  const TensorArg& vals = c.t[0];
  const TensorArg& ids = c.t[1];
  const TensorArg& in = c.t[2];
  // rows of the outputs (last dim k) and of the input (last dim n) share the leading dims
  TensorArg in_k = in;
  if (in.ndim) in_k.shape[in.ndim - 1] = k;
  const TensorArg* tk[3] = {&vals, &ids, &in_k};
  Rows r = make_rows(tk, 3);
  const int64_t n = in.ndim ? in.shape[in.ndim - 1] : 1;
  const int64_t sv = r.ls[0], si = r.ls[1], sx = in.ndim ? in.stride[in.ndim - 1] : 0;
  if (r.count == 0 || k == 0) return;
  // rows this long take the radix sort (index fits 32 bits); shorter rows and partial sorts the comparator sort
  const bool radix = k == n && n >= 64 && n < ((int64_t)1 << 32);
  auto cmp = [descending](const std::pair<C, int64_t>& a, const std::pair<C, int64_t>& b) {
    return sort_before(a.first, a.second, b.first, b.second, descending);
  };
  pfor(r.count, std::max<int64_t>(1, kParallelGrain / (16 * n)), [&](int64_t b, int64_t e) {
    // scratch, one set per thread chunk
    std::vector<std::pair<C, int64_t>> buf(radix ? 0 : (size_t)n);
    std::vector<K> keys(radix ? (size_t)n * 2 : 0);
    std::vector<uint32_t> order(radix ? (size_t)n * 2 : 0);
    Odo o[3];
    for (int q = 0; q < 3; q++) o[q].init(r.d.nd, r.d.sh, r.d.st[q], b);
    for (int64_t row = b; row < e; row++) {
      S* v = vals.ptr<S>() + o[0].off;
      int64_t* ix = ids.ptr<int64_t>() + o[1].off;
      const S* x = in.ptr<S>() + o[2].off;
      for (int q = 0; q < 3; q++) o[q].next();
      if (radix) {
        K* k1 = keys.data();
        uint32_t* i1 = order.data();
        // descending: complemented keys; equal keys still keep index order (PyTorch's stable descending sort)
        const K flip = descending ? ~(K)0 : (K)0;
        for (int64_t i = 0; i < n; i++) { k1[i] = SortKey<S>::of(x[i * sx]) ^ flip; i1[i] = (uint32_t)i; }
        // stable LSD radix sort by key, 8 bits per pass, ping-ponging between the two halves of the scratch;
        // passes where every key has the same digit are skipped (short-range ints, rows of similar floats)
        K* k2 = k1 + n;
        uint32_t* i2 = i1 + n;
        int passes = 0;
        for (int shift = 0; shift < (int)sizeof(K) * 8; shift += 8) {
          int64_t cnt[257] = {0};
          K* ks = passes & 1 ? k2 : k1;
          uint32_t* is = passes & 1 ? i2 : i1;
          K* kd = passes & 1 ? k1 : k2;
          uint32_t* id = passes & 1 ? i1 : i2;
          for (int64_t i = 0; i < n; i++) cnt[((ks[i] >> shift) & 0xFF) + 1]++;
          bool trivial = false;
          for (int d = 1; d <= 256; d++) if (cnt[d] == n) { trivial = true; break; }
          if (trivial) continue;
          for (int d = 0; d < 256; d++) cnt[d + 1] += cnt[d];
          for (int64_t i = 0; i < n; i++) {
            int64_t pos = cnt[(ks[i] >> shift) & 0xFF]++;
            kd[pos] = ks[i];
            id[pos] = is[i];
          }
          passes++;
        }
        const uint32_t* sorted = passes & 1 ? i2 : i1;
        for (int64_t j = 0; j < n; j++) {
          v[j * sv] = x[(int64_t)sorted[j] * sx];
          ix[j * si] = sorted[j];
        }
        continue;
      }
      for (int64_t i = 0; i < n; i++) buf[i] = {cvt<C>(x[i * sx]), i};
      // a total order (ties broken by index), so these give the stable order PyTorch's stable sort gives
      if (k < n) std::partial_sort(buf.begin(), buf.begin() + k, buf.end(), cmp);
      else std::sort(buf.begin(), buf.end(), cmp);
      for (int64_t j = 0; j < k; j++) {
        v[j * sv] = x[buf[j].second * sx];
        ix[j * si] = buf[j].second;
      }
    }
  });
}

// sort: t0 values (t2's dtype) and t1 int64 indices of t2 sorted along its last dim; a0 = descending,
// a1 = stable (the order is always the stable one: ties keep their input order), a2 = k (optional): only the
// first k of each sorted row are written (topk), t0/t1 then have last dim k. NaN sorts above +inf, as PyTorch.
void sort_kernel(Call& c) {
  const red::SortArgs sa = red::sort_args(c);
  const TensorArg& in = c.t[2];
  const bool descending = sa.descending;
  const int64_t k = sa.k;
  NT_DISPATCH_ALL(in.dtype, S, sort_typed<S>(c, descending, k));
}

}  // namespace

REGISTER_KERNEL(reduce, CPU, reduce_kernel);
REGISTER_KERNEL(arg_reduce, CPU, arg_reduce_kernel);
REGISTER_KERNEL(var, CPU, var_kernel);
REGISTER_KERNEL(softmax, CPU, softmax_kernel);
REGISTER_KERNEL(softmax_backward, CPU, softmax_backward_kernel);
REGISTER_KERNEL(scan, CPU, scan_kernel);
REGISTER_KERNEL(sort, CPU, sort_kernel);

}  // namespace nt
