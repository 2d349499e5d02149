// batchnorm.cc - OP(batch_norm) and OP(batch_norm_backward): batch norm over a contiguous [N, C, *] float32/float64
// input in one native call each (kernels/batchnorm.h has the conventions and the per-channel arithmetic).
// Training statistics are two-pass (mean, then sum of squared deviations) in double accumulators, as PyTorch's CPU
// batch_norm_cpu_collect_stats; each channel's passes run on one thread so its planes stay in cache between them.
// Row loops keep 8 independent double partial sums so they vectorise (target_clones) without -ffast-math.
// The naive reference is the composite in lib/nn/functional.ts (non-contiguous inputs, CUDA, other dtypes), which
// the tests compare against.
#include <cmath>
#include <vector>
#include "../kernels/batchnorm.h"
#include "cpu.h"

namespace nt {

namespace {

#define NT_CLONES __attribute__((target_clones("avx2", "default")))

template <typename T>
__attribute__((always_inline)) inline double row_sum_body(const T* p, int64_t n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) s[j] += (double)p[i + j];
  double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; i++) r += (double)p[i];
  return r;
}
template <typename T>
__attribute__((always_inline)) inline double row_sqdev_body(const T* p, int64_t n, double m) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) { const double d = (double)p[i + j] - m; s[j] += d * d; }
  double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; i++) { const double d = (double)p[i] - m; r += d * d; }
  return r;
}
// sum(g) and sum(g * (x - m)) of one row
template <typename T>
__attribute__((always_inline)) inline void row_gsums_body(const T* g, const T* x, int64_t n, double m, double* sg, double* dot) {
  double a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) { const double gg = (double)g[i + j]; a[j] += gg; b[j] += gg * ((double)x[i + j] - m); }
  double ra = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
  double rb = ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
  for (; i < n; i++) { const double gg = (double)g[i]; ra += gg; rb += gg * ((double)x[i] - m); }
  *sg += ra;
  *dot += rb;
}
template <typename T>
__attribute__((always_inline)) inline void row_norm_body(const T* x, T* y, int64_t n, T m, T a, T b) {
  for (int64_t i = 0; i < n; i++) y[i] = bn::fwd_elem<T>(x[i], m, a, b);
}
template <typename T>
__attribute__((always_inline)) inline void row_scale_body(const T* x, T* y, int64_t n, T a) {
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * a;
}
template <typename T>
__attribute__((always_inline)) inline void row_bwd_body(const T* g, const T* x, T* gx, int64_t n, T mean, T gmean, T k, T istd, T w) {
  for (int64_t i = 0; i < n; i++) gx[i] = bn::bwd_elem<T>(g[i], x[i], mean, gmean, k, istd, w);
}

NT_CLONES double row_sum(const float* p, int64_t n) { return row_sum_body(p, n); }
NT_CLONES double row_sum(const double* p, int64_t n) { return row_sum_body(p, n); }
NT_CLONES double row_sqdev(const float* p, int64_t n, double m) { return row_sqdev_body(p, n, m); }
NT_CLONES double row_sqdev(const double* p, int64_t n, double m) { return row_sqdev_body(p, n, m); }
NT_CLONES void row_gsums(const float* g, const float* x, int64_t n, double m, double* sg, double* dot) { row_gsums_body(g, x, n, m, sg, dot); }
NT_CLONES void row_gsums(const double* g, const double* x, int64_t n, double m, double* sg, double* dot) { row_gsums_body(g, x, n, m, sg, dot); }
NT_CLONES void row_norm(const float* x, float* y, int64_t n, float m, float a, float b) { row_norm_body(x, y, n, m, a, b); }
NT_CLONES void row_norm(const double* x, double* y, int64_t n, double m, double a, double b) { row_norm_body(x, y, n, m, a, b); }
NT_CLONES void row_scale(const float* x, float* y, int64_t n, float a) { row_scale_body(x, y, n, a); }
NT_CLONES void row_scale(const double* x, double* y, int64_t n, double a) { row_scale_body(x, y, n, a); }
NT_CLONES void row_bwd(const float* g, const float* x, float* gx, int64_t n, float mean, float gm, float k, float is, float w) { row_bwd_body(g, x, gx, n, mean, gm, k, is, w); }
NT_CLONES void row_bwd(const double* g, const double* x, double* gx, int64_t n, double mean, double gm, double k, double is, double w) { row_bwd_body(g, x, gx, n, mean, gm, k, is, w); }
#undef NT_CLONES

// channels per parallel chunk: enough work per chunk to be worth a thread
inline int64_t channel_grain(int64_t per_channel) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(per_channel, 1)); }

template <typename T>
void forward_typed(Call& c, int64_t N, int64_t C, int64_t S) {
  const bool training = c.a[0] != 0;
  const double momentum = c.a[1], eps = c.a[2];
  const bool hw = c.a[3] != 0, hb = c.a[4] != 0, hrm = c.a[5] != 0, hrv = c.a[6] != 0;
  T* y = c.t[0].ptr<T>();
  double* smean = c.t[1].ptr<double>();
  double* sistd = c.t[2].ptr<double>();
  const T* x = c.t[3].ptr<T>();
  const T* w = hw ? c.t[4].ptr<T>() : nullptr;
  const T* b = hb ? c.t[5].ptr<T>() : nullptr;
  T* rm = hrm ? c.t[6].ptr<T>() : nullptr;
  T* rv = hrv ? c.t[7].ptr<T>() : nullptr;
  const int64_t M = N * S, CS = C * S;
  auto scale = [&](int64_t ch, double istd) { return (T)bn::fwd_scale(istd, w ? (double)w[ch] : 1.0); };
  auto shift = [&](int64_t ch) { return b ? b[ch] : T(0); };
  if (training) {
    parallel_for(C, channel_grain(M), [&](int64_t c0, int64_t c1) {
      for (int64_t ch = c0; ch < c1; ch++) {
        double s = 0;
        for (int64_t n = 0; n < N; n++) s += row_sum(x + n * CS + ch * S, S);
        const double mean = s / double(M);
        double v = 0;
        for (int64_t n = 0; n < N; n++) v += row_sqdev(x + n * CS + ch * S, S, mean);
        const double istd = bn::invstd(v / double(M), eps);
        smean[ch] = mean;
        sistd[ch] = istd;
        if (rm) rm[ch] = (T)bn::running_mean_update((double)rm[ch], mean, momentum);
        if (rv) rv[ch] = (T)bn::running_var_update((double)rv[ch], v, M, momentum);
        const T tm = (T)mean, a = scale(ch, istd), sh = shift(ch);
        for (int64_t n = 0; n < N; n++) row_norm(x + n * CS + ch * S, y + n * CS + ch * S, S, tm, a, sh);
      }
    });
    return;
  }
  // evaluation: running statistics; one multiply-add per element over the (n, c) planes
  std::vector<T> ka(C);
  for (int64_t ch = 0; ch < C; ch++) {
    smean[ch] = (double)rm[ch];
    sistd[ch] = bn::invstd((double)rv[ch], eps);
    ka[ch] = scale(ch, sistd[ch]);
  }
  parallel_for(N * C, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(S, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t ch = p % C;
      row_norm(x + p * S, y + p * S, S, rm[ch], ka[ch], shift(ch));
    }
  });
}

template <typename T>
void backward_typed(Call& c, int64_t N, int64_t C, int64_t S) {
  const bool training = c.a[0] != 0, hw = c.a[2] != 0;
  const bool wgx = c.a[3] != 0, wgw = c.a[4] != 0, wgb = c.a[5] != 0;
  T* gx = wgx ? c.t[0].ptr<T>() : nullptr;
  T* gw = wgw ? c.t[1].ptr<T>() : nullptr;
  T* gb = wgb ? c.t[2].ptr<T>() : nullptr;
  const T* g = c.t[3].ptr<T>();
  const T* x = c.t[4].ptr<T>();
  const double* smean = c.t[5].ptr<double>();
  const double* sistd = c.t[6].ptr<double>();
  const T* w = hw ? c.t[7].ptr<T>() : nullptr;
  const int64_t M = N * S, CS = C * S;
  const bool need_sums = wgw || wgb || (wgx && training);
  parallel_for(C, channel_grain(M), [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ch++) {
      const double mean = smean[ch], istd = sistd[ch];
      double sg = 0, dot = 0;
      if (need_sums)
        for (int64_t n = 0; n < N; n++) row_gsums(g + n * CS + ch * S, x + n * CS + ch * S, S, mean, &sg, &dot);
      if (gw) gw[ch] = (T)(dot * istd);
      if (gb) gb[ch] = (T)sg;
      if (!gx) continue;
      const double wd = w ? (double)w[ch] : 1.0;
      if (!training) {  // gx = g * w * invstd: no (x - mean) term, so an infinite x does not turn it into NaN
        const T A = (T)(wd * istd);
        for (int64_t n = 0; n < N; n++) row_scale(g + n * CS + ch * S, gx + n * CS + ch * S, S, A);
        continue;
      }
      const bn::BwdCoef k = bn::bwd_coef(istd, sg, dot, M);
      const T tm = (T)mean, gm = (T)k.gmean, kk = (T)k.k, is = (T)istd, tw = (T)wd;
      for (int64_t n = 0; n < N; n++) row_bwd(g + n * CS + ch * S, x + n * CS + ch * S, gx + n * CS + ch * S, S, tm, gm, kk, is, tw);
    }
  });
}

void batch_norm_kernel(Call& c) {
  int64_t N, S;
  const int64_t C = bn::forward_args(c, N, S);
  if (C == 0) return;
  if (c.t[3].dtype == DType::F32) forward_typed<float>(c, N, C, S);
  else forward_typed<double>(c, N, C, S);
}

void batch_norm_backward_kernel(Call& c) {
  int64_t N, S;
  const int64_t C = bn::backward_args(c, N, S);
  if (C == 0) return;
  if (c.t[4].dtype == DType::F32) backward_typed<float>(c, N, C, S);
  else backward_typed<double>(c, N, C, S);
}

}  // namespace

REGISTER_KERNEL(batch_norm, CPU, batch_norm_kernel);
REGISTER_KERNEL(batch_norm_backward, CPU, batch_norm_backward_kernel);

}  // namespace nt
