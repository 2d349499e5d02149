// conv.h - the per-element index arithmetic of im2col / col2im and 2-D pooling, as NT_HD functions and plain structs
// shared by cpu/conv.cc and cuda/conv.cu, so CPU tests cover the CUDA arithmetic too. The host-side attr parsing and
// buffer checks are in conv_check.h.
#pragma once
#include <cstdint>
#include <limits>
#include "../core/dtype.h"

namespace nt {
namespace conv {

struct Geom {  // the 10 attrs shared by im2col / col2im
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

struct Pool {  // pooling geometry: a0 kh, a1 kw, a2 sh, a3 sw, a4 ph, a5 pw
  int64_t kh, kw, sh, sw, ph, pw;
};

NT_HD int64_t min_i64(int64_t a, int64_t b) { return b < a ? b : a; }  // std::min's choice
NT_HD int64_t max_i64(int64_t a, int64_t b) { return a < b ? b : a; }  // std::max's choice

// first output position o with 0 <= o*s + off (off = k*d - p): ceil(-off / s) clamped to [0, n]
NT_HD int64_t first_valid(int64_t off, int64_t s, int64_t n) {
  if (off >= 0) return 0;
  int64_t o = (-off + s - 1) / s;
  return o < n ? o : n;
}
// one past the last output position o with o*s + off < size
NT_HD int64_t end_valid(int64_t off, int64_t s, int64_t size, int64_t n) {
  int64_t lim = size - off;  // need o*s < lim
  if (lim <= 0) return 0;
  int64_t o = (lim + s - 1) / s;
  return o < n ? o : n;
}

// PyTorch's max-pool comparison: NaN wins (and propagates); v != v is isnan(v) (no fast-math anywhere)
template <typename T> NT_HD bool max_takes(T v, T best) { return v > best || v != v; }

// the dilated max-pool window of output position o along one dim: lo, lo + d, ... < hi, clipped to [0, size)
// (padding is -inf, so clipped taps never win)
NT_HD void max_span(int64_t o, int64_t s, int64_t p, int64_t k, int64_t d, int64_t size, int64_t& lo, int64_t& hi) {
  lo = o * s - p;
  hi = min_i64(lo + (k - 1) * d + 1, size);
  while (lo < 0) lo += d;
}

// the max (NaN wins, first of equals) of plane[h*sH + w*sW] over the window and its flat index h*W + w
// (the window start when the window is empty)
template <typename T>
NT_HD void max_in_window(const T* plane, int64_t sH, int64_t sW, int64_t W, int64_t h0, int64_t h1, int64_t dh, int64_t w0,
                         int64_t w1, int64_t dw, T& best, int64_t& best_i) {
  best_i = h0 * W + w0;
  best = -std::numeric_limits<T>::infinity();
  for (int64_t h = h0; h < h1; h += dh)
    for (int64_t w = w0; w < w1; w += dw) {
      const T v = plane[h * sH + w * sW];
      if (max_takes(v, best)) { best = v; best_i = h * W + w; }
    }
}

// max_pool2d_backward of one (n, c) plane: zero it, then plane[ix[q]] += o[q] for q in order (out-of-plane skipped)
template <typename T> NT_HD void max_pool_bw_plane(T* plane, const T* o, const int64_t* ix, int64_t HW, int64_t OHW) {
  for (int64_t q = 0; q < HW; q++) plane[q] = T(0);
  for (int64_t q = 0; q < OHW; q++) {
    const int64_t k = ix[q];
    if (k >= 0 && k < HW) plane[k] += o[q];
  }
}

// average-pool window of output (oh, ow): clipped bounds and the divisor (PyTorch's AvgPoolKernel.cpp rules)
struct AvgWin {
  int64_t h0, h1, w0, w1, div;
};
NT_HD AvgWin avg_window(const Pool& g, int64_t oh, int64_t ow, int64_t H, int64_t W, bool include_pad, int64_t divisor) {
  int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
  int64_t h1 = min_i64(h0 + g.kh, H + g.ph), w1 = min_i64(w0 + g.kw, W + g.pw);
  const int64_t pool_size = (h1 - h0) * (w1 - w0);
  h0 = max_i64(h0, 0); w0 = max_i64(w0, 0);
  h1 = min_i64(h1, H); w1 = min_i64(w1, W);
  int64_t div = divisor > 0 ? divisor : include_pad ? pool_size : (h1 - h0) * (w1 - w0);
  return AvgWin{h0, h1, w0, w1, div};
}

}  // namespace conv
}  // namespace nt
