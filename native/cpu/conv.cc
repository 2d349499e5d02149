// conv.cc - the nn kernels: im2col / col2im (convolution and transposed convolution are GEMMs over these, run by
// lib/nn/functional.ts with the matmul kernel) and 2-D max / average pooling, forward and backward.
//
// Layout note: the column matrix is [C*kh*kw, N*OH*OW] (one row per input channel and kernel tap, the batch
// folded into the columns), so a whole convolution is one (grouped: G-batched) GEMM
//   out'[G, OC/G, N*L] = W[G, OC/G, C/G*kh*kw] @ col[G, C/G*kh*kw, N*L]      (L = OH*OW)
// and both backward products are single GEMMs too (gW = gout' @ col^T, gcol = W^T @ gout').
// Every kernel parallelises over independent rows (im2col) or (n, c) planes (col2im, pooling), so no two threads
// write the same element. Float32 and float64 only (lib/ computes float16/bfloat16 in float32).
// Each kernel keeps a naive form of its index arithmetic in the small NT_HD helpers of kernels/conv.h (shared with
// cuda/conv.cu, as are the attr parsing and buffer checks of kernels/conv_check.h); the fast paths only hoist the
// bounds tests out of the inner loop.
#include <cmath>
#include <limits>
#include <vector>
#include <atomic>
#include <cstdlib>
#include <string>
#include "cpu.h"
#include "../kernels/conv.h"
#include "../kernels/conv_check.h"

namespace nt {

template <typename T>
void gemm_rowmajor(int64_t m, int64_t n, int64_t k, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc, T beta, int nth);  // gemm.cc

void conv2d_direct_f32(const TensorArg& out, const TensorArg& x, const TensorArg& w, const TensorArg* bias, const conv::Geom& g,
                       const float* packed);  // conv_direct.cc
int64_t conv2d_packed_numel(int64_t OC, int64_t K);

namespace {

using namespace conv;

// ---------------------------------------------------------------------------------------------------------------
// im2col: t0 = col [C*kh*kw, N*OH*OW] (contiguous), t1 = x [N, C, H, W] (any strides)
//   a0 kh, a1 kw, a2 sh, a3 sw, a4 ph, a5 pw, a6 dh, a7 dw, a8 OH, a9 OW.
//   col[(c*kh + i)*kw + j, n*L + oh*OW + ow] = x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]  (0 outside x)
// ---------------------------------------------------------------------------------------------------------------
// one row of the column matrix: dst[oh*OW + ow] = plane[(oh*sh - ph + i*dh, ow*sw - pw + j*dw)] (0 outside)
template <typename T>
inline void im2col_row(const T* plane, int64_t sH, int64_t sW, int64_t H, int64_t W, int64_t i, int64_t j, const Geom& g, T* dst) {
  const int64_t offh = i * g.dh - g.ph, offw = j * g.dw - g.pw;
  const int64_t oh0 = first_valid(offh, g.sh, g.oh), oh1 = end_valid(offh, g.sh, H, g.oh);
  const int64_t ow0 = first_valid(offw, g.sw, g.ow), ow1 = std::max(ow0, end_valid(offw, g.sw, W, g.ow));
  for (int64_t oh = 0; oh < g.oh; oh++) {
    T* d = dst + oh * g.ow;
    if (oh < oh0 || oh >= oh1 || ow0 >= ow1) { for (int64_t ow = 0; ow < g.ow; ow++) d[ow] = T(0); continue; }
    const T* row = plane + (oh * g.sh + offh) * sH;
    for (int64_t ow = 0; ow < ow0; ow++) d[ow] = T(0);
    if (g.sw == 1 && sW == 1) {
      std::memcpy(d + ow0, row + (ow0 + offw), (size_t)(ow1 - ow0) * sizeof(T));
    } else {
      for (int64_t ow = ow0; ow < ow1; ow++) d[ow] = row[(ow * g.sw + offw) * sW];
    }
    for (int64_t ow = ow1; ow < g.ow; ow++) d[ow] = T(0);
  }
}

template <typename T>
void im2col_typed(const Call& c, const Geom& g) {
  const TensorArg& col = c.t[0];
  const TensorArg& x = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t sN = x.stride[0], sC = x.stride[1], sH = x.stride[2], sW = x.stride[3];
  const int64_t L = g.oh * g.ow, kk = g.kh * g.kw;
  T* dst0 = col.ptr<T>();
  const T* src0 = x.ptr<const T>();
  const int64_t units = C * kk * N;
  const Geom G = g;
  parallel_for(units, std::max<int64_t>(1, 16384 / std::max<int64_t>(L, 1)), [=](int64_t u0, int64_t u1) {
    const Geom& g = G;
    for (int64_t u = u0; u < u1; u++) {
      const int64_t r = u / N, n = u % N;
      const int64_t ch = r / kk, i = (r % kk) / g.kw, j = r % g.kw;
      im2col_row(src0 + n * sN + ch * sC, sH, sW, H, W, i, j, g, dst0 + r * (N * L) + n * L);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// conv2d (forward): t0 out [N, OC, OH, OW] (contiguous), t1 x [N, C, H, W] (any strides), t2 w [OC, C/G, kh, kw]
//   (contiguous), t3 bias [OC] (optional, any stride); a0..a9 as im2col, a10 groups G.
// One sample at a time: its column matrix [C/G*kh*kw, OH*OW] per group (small enough to stay in L2/L3, unlike the
// whole batch's), then out[n, group rows] = bias + W[g] @ col straight into the NCHW output (no permuting copy).
// 1x1 stride-1 unpadded convolutions over rows of unit stride skip the column matrix: the sample is already B.
// Threads: each sample on one thread (samples claimed from a counter) when there are at least as many samples as
// threads; otherwise the samples in turn, each im2col and GEMM using all threads.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void conv2d_typed(const Call& c, const Geom& g, int64_t G) {
  const TensorArg& out = c.t[0];
  const TensorArg& x = c.t[1];
  const TensorArg& w = c.t[2];
  const bool has_bias = c.nt > 3;
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3], OC = w.shape[0];
  const int64_t sN = x.stride[0], sC = x.stride[1], sH = x.stride[2], sW = x.stride[3];
  const int64_t L = g.oh * g.ow, kk = g.kh * g.kw, Cg = C / G, K = Cg * kk, OCg = OC / G;
  const bool direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && sW == 1 && sH == W &&
                      g.oh == H && g.ow == W;
  T* o0 = out.ptr<T>();
  const T* x0 = x.ptr<const T>();
  const T* w0 = w.ptr<const T>();
  const T* b0 = has_bias ? c.t[3].ptr<const T>() : nullptr;
  const int64_t bs = has_bias ? c.t[3].stride[0] : 0;
  const int maxth = in_parallel() ? 1 : num_threads();
  const Geom G0 = g;
  // one sample: col is scratch of K*L elements (unused when direct); nth threads for im2col rows and the GEMM
  auto sample = [=](int64_t n, T* col, int nth) {
    const Geom& g = G0;
    const T* xs = x0 + n * sN;
    for (int64_t gi = 0; gi < G; gi++) {
      const T* B = xs + gi * Cg * sC;
      int64_t ldb = sC;
      if (!direct) {
        auto rows = [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; r++) {
            const int64_t ch = gi * Cg + r / kk, i = (r % kk) / g.kw, j = r % g.kw;
            im2col_row(xs + ch * sC, sH, sW, H, W, i, j, g, col + r * L);
          }
        };
        if (nth > 1) parallel_for(K, std::max<int64_t>(1, 16384 / std::max<int64_t>(L, 1)), rows); else rows(0, K);
        B = col;
        ldb = L;
      }
      T* C0 = o0 + (n * OC + gi * OCg) * L;
      if (has_bias)
        for (int64_t oc = 0; oc < OCg; oc++) {
          const T v = b0[(gi * OCg + oc) * bs];
          for (int64_t q = 0; q < L; q++) C0[oc * L + q] = v;
        }
      gemm_rowmajor<T>(OCg, L, K, w0 + gi * OCg * K, K, B, ldb, C0, L, has_bias ? T(1) : T(0), nth);
    }
  };
  const size_t scratch = direct ? 1 : (size_t)(K * L);
  if (maxth > 1 && N >= maxth) {
    std::atomic<int64_t> next{0};
    FirstError err;
    pool_run((int)std::min<int64_t>(maxth, N), [&](int) {
      try {
        std::vector<T> col(scratch);
        for (int64_t n; (n = next.fetch_add(1, std::memory_order_relaxed)) < N;) {
          if (err.failed()) continue;
          sample(n, col.data(), 1);
        }
      } catch (...) { err.keep(); }
    });
    err.rethrow();
  } else {
    std::vector<T> col(scratch);
    for (int64_t n = 0; n < N; n++) sample(n, col.data(), maxth);
  }
}

void conv2d_kernel(Call& c) {
  const Geom g = geom_of(c);
  const int64_t G = c.iattr(10, 1);
  // a11 = 1: the last tensor is the weight packed by conv2d_pack_weight (float32, groups 1; conv_direct.cc)
  const float* packed = nullptr;
  if (c.iattr(11, 0) == 1) {
    if (c.nt < 4) throw TorchError("internal: conv2d packed weight missing");
    const TensorArg& pk = c.t[c.nt - 1];
    if (pk.dtype != DType::F32 || !pk.contiguous() || c.nt < 3 ||
        pk.numel() < conv2d_packed_numel(c.t[2].shape[0], c.t[2].numel() / std::max<int64_t>(1, c.t[2].shape[0])))
      throw TorchError("internal: conv2d packed weight");
    packed = pk.ptr<const float>();
    c.nt--;
  }
  if (c.nt < 3) throw TorchError("internal: conv2d expects out, x, w[, bias]");
  const TensorArg &out = c.t[0], &x = c.t[1], &w = c.t[2];
  check_4d(x, "conv2d");
  check_4d(w, "conv2d");
  check_4d(out, "conv2d");
  check_float(x, "conv2d");
  if (out.dtype != x.dtype || w.dtype != x.dtype || (c.nt > 3 && c.t[3].dtype != x.dtype)) throw TorchError("internal: conv2d dtype mismatch");
  if (G <= 0 || x.shape[1] % G || w.shape[0] % G || w.shape[1] * G != x.shape[1] || w.shape[2] != g.kh || w.shape[3] != g.kw ||
      out.shape[0] != x.shape[0] || out.shape[1] != w.shape[0] || out.shape[2] != g.oh || out.shape[3] != g.ow ||
      !out.contiguous() || !w.contiguous() || (c.nt > 3 && (c.t[3].ndim != 1 || c.t[3].shape[0] != w.shape[0])))
    throw TorchError("internal: conv2d operand shapes");
  if (out.numel() == 0) return;
  // float32 groups 1: the register-tiled direct convolution (conv_direct.cc); NODETORCH_CONV=gemm keeps this file's
  // im2col + GEMM path (comparison, debugging)
  static const bool gemm_only = [] { const char* e = getenv("NODETORCH_CONV"); return e && std::string(e) == "gemm"; }();
  if (x.dtype == DType::F32 && G == 1 && !gemm_only) {
    conv2d_direct_f32(out, x, w, c.nt > 3 ? &c.t[3] : nullptr, g, packed);
    return;
  }
  if (packed) throw TorchError("internal: conv2d packed weight on the GEMM path");
  if (x.dtype == DType::F32) conv2d_typed<float>(c, g, G); else conv2d_typed<double>(c, g, G);
}

void im2col_kernel(Call& c) {
  const Geom g = check_im2col(c);
  if (c.t[1].dtype == DType::F32) im2col_typed<float>(c, g); else im2col_typed<double>(c, g);
}

// ---------------------------------------------------------------------------------------------------------------
// col2im: t0 = x [N, C, H, W] (contiguous; overwritten), t1 = col [C*kh*kw, N*OH*OW] (contiguous)
//   attrs as im2col. x[n, c, h, w] = sum of the col entries that im2col would have read from (n, c, h, w):
//   the adjoint of im2col (gradient of the input; the output of a transposed convolution).
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void col2im_typed(const Call& c, const Geom& g) {
  const TensorArg& x = c.t[0];
  const TensorArg& col = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t L = g.oh * g.ow, kk = g.kh * g.kw;
  T* dst0 = x.ptr<T>();
  const T* src0 = col.ptr<const T>();
  const Geom G = g;
  parallel_for(N * C, std::max<int64_t>(1, 16384 / std::max<int64_t>(L * kk, 1)), [=](int64_t p0, int64_t p1) {
    const Geom& g = G;
    for (int64_t p = p0; p < p1; p++) {
      const int64_t n = p / C, ch = p % C;
      T* plane = dst0 + p * H * W;
      for (int64_t q = 0; q < H * W; q++) plane[q] = T(0);
      for (int64_t i = 0; i < g.kh; i++) {
        for (int64_t j = 0; j < g.kw; j++) {
          const int64_t r = (ch * g.kh + i) * g.kw + j;
          const T* src = src0 + r * (N * L) + n * L;
          const int64_t offh = i * g.dh - g.ph, offw = j * g.dw - g.pw;
          const int64_t oh0 = first_valid(offh, g.sh, g.oh), oh1 = end_valid(offh, g.sh, H, g.oh);
          const int64_t ow0 = first_valid(offw, g.sw, g.ow), ow1 = end_valid(offw, g.sw, W, g.ow);
          for (int64_t oh = oh0; oh < oh1; oh++) {
            T* row = plane + (oh * g.sh + offh) * W;
            const T* s = src + oh * g.ow;
            if (g.sw == 1) {
              T* rr = row + offw;
              for (int64_t ow = ow0; ow < ow1; ow++) rr[ow] += s[ow];
            } else {
              for (int64_t ow = ow0; ow < ow1; ow++) row[ow * g.sw + offw] += s[ow];
            }
          }
        }
      }
    }
  });
}

void col2im_kernel(Call& c) {
  const Geom g = check_col2im(c);
  if (c.t[0].dtype == DType::F32) col2im_typed<float>(c, g); else col2im_typed<double>(c, g);
}

// ---------------------------------------------------------------------------------------------------------------
// pooling geometry: a0 kh, a1 kw, a2 sh, a3 sw, a4 ph, a5 pw, then per kernel (below). Output sizes (ceil_mode
// included) are decided in lib/ and arrive as the output tensor's shape.
// ---------------------------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------------------------
// max_pool2d: t0 = out [N, C, OH, OW] (contiguous), t1 = indices int64 [N, C, OH, OW] (contiguous; flat h*W + w
//   within the input plane, as PyTorch's return_indices), t2 = x [N, C, H, W] (any strides).
//   attrs: pooling geometry, a6 dh, a7 dw (dilation). Windows are clipped to the input (padding is -inf).
// ---------------------------------------------------------------------------------------------------------------
// one (n, c) plane; every size is a by-value argument, so the int64 index stores cannot alias them
template <typename T>
void max_pool_plane(const T* plane, int64_t sH, int64_t sW, int64_t H, int64_t W, T* o, int64_t* ix, int64_t OH, int64_t OW,
                    Pool g, int64_t dh, int64_t dw) {
  if (g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && dh == 1 && dw == 1 && sW == 1 &&
      2 * OH <= H && 2 * OW <= W) {
    // the CNN workhorse, MaxPool2d(2) on rows of unit stride: every window is whole, so no clipping; the taps are
    // visited in max_in_window's order (row by row), so ties and NaNs resolve the same way
    for (int64_t oh = 0; oh < OH; oh++) {
      const T* r0 = plane + 2 * oh * sH;
      const T* r1 = r0 + sH;
      const int64_t base0 = 2 * oh * W, base1 = base0 + W;
      for (int64_t ow = 0; ow < OW; ow++) {
        const int64_t w = 2 * ow;
        // branch-free selects: on real data which tap wins is unpredictable
        T best = r0[w];
        int64_t bi = base0 + w;
        T v = r0[w + 1];
        bool t = max_takes(v, best);
        best = t ? v : best;
        bi = t ? base0 + w + 1 : bi;
        v = r1[w];
        t = max_takes(v, best);
        best = t ? v : best;
        bi = t ? base1 + w : bi;
        v = r1[w + 1];
        t = max_takes(v, best);
        best = t ? v : best;
        bi = t ? base1 + w + 1 : bi;
        o[oh * OW + ow] = best;
        ix[oh * OW + ow] = bi;
      }
    }
    return;
  }
  for (int64_t oh = 0; oh < OH; oh++) {
    int64_t h0, h1;
    max_span(oh, g.sh, g.ph, g.kh, dh, H, h0, h1);
    for (int64_t ow = 0; ow < OW; ow++) {
      int64_t w0, w1;
      max_span(ow, g.sw, g.pw, g.kw, dw, W, w0, w1);
      int64_t best_i;
      T best;
      max_in_window(plane, sH, sW, W, h0, h1, dh, w0, w1, dw, best, best_i);
      o[oh * OW + ow] = best;
      ix[oh * OW + ow] = best_i;
    }
  }
}

template <typename T>
void max_pool_typed(const Call& c, const Pool& g, int64_t dh, int64_t dw) {
  const TensorArg& out = c.t[0];
  const TensorArg& idx = c.t[1];
  const TensorArg& x = c.t[2];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t OH = out.shape[2], OW = out.shape[3];
  const int64_t sN = x.stride[0], sC = x.stride[1], sH = x.stride[2], sW = x.stride[3];
  T* o0 = out.ptr<T>();
  int64_t* i0 = idx.ptr<int64_t>();
  const T* x0 = x.ptr<const T>();
  const Pool G = g;
  parallel_for(N * C, std::max<int64_t>(1, 8192 / std::max<int64_t>(OH * OW * g.kh * g.kw, 1)), [=](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++)
      max_pool_plane(x0 + (p / C) * sN + (p % C) * sC, sH, sW, H, W, o0 + p * OH * OW, i0 + p * OH * OW, OH, OW, G, dh, dw);
  });
}

void max_pool2d_kernel(Call& c) {
  int64_t dh, dw;
  const Pool g = check_max_pool2d(c, dh, dw);
  if (c.t[2].dtype == DType::F32) max_pool_typed<float>(c, g, dh, dw); else max_pool_typed<double>(c, g, dh, dw);
}

// ---------------------------------------------------------------------------------------------------------------
// max_pool2d_backward: t0 = gx [N, C, H, W] (contiguous; overwritten), t1 = gout [N, C, OH, OW] (contiguous),
//   t2 = indices int64 [N, C, OH, OW] (contiguous, from max_pool2d). gx[plane][indices] += gout (no attrs).
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void max_pool_backward_typed(const Call& c) {
  const TensorArg& gx = c.t[0];
  const TensorArg& go = c.t[1];
  const TensorArg& idx = c.t[2];
  const int64_t NC = gx.shape[0] * gx.shape[1], HW = gx.shape[2] * gx.shape[3];
  const int64_t OHW = go.shape[2] * go.shape[3];
  T* g0 = gx.ptr<T>();
  const T* o0 = go.ptr<const T>();
  const int64_t* i0 = idx.ptr<const int64_t>();
  parallel_for(NC, std::max<int64_t>(1, 16384 / std::max<int64_t>(HW + OHW, 1)), [=](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) max_pool_bw_plane(g0 + p * HW, o0 + p * OHW, i0 + p * OHW, HW, OHW);
  });
}

void max_pool2d_backward_kernel(Call& c) {
  check_max_pool2d_backward(c);
  if (c.t[0].dtype == DType::F32) max_pool_backward_typed<float>(c); else max_pool_backward_typed<double>(c);
}

// ---------------------------------------------------------------------------------------------------------------
// avg_pool2d: t0 = out [N, C, OH, OW] (contiguous), t1 = x [N, C, H, W] (any strides).
//   attrs: pooling geometry, a6 count_include_pad (0/1), a7 divisor_override (0 = none). Sums in double.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void avg_pool_typed(const Call& c, const Pool& g, bool include_pad, int64_t divisor) {
  const TensorArg& out = c.t[0];
  const TensorArg& x = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t OH = out.shape[2], OW = out.shape[3];
  const int64_t sN = x.stride[0], sC = x.stride[1], sH = x.stride[2], sW = x.stride[3];
  T* o0 = out.ptr<T>();
  const T* x0 = x.ptr<const T>();
  const Pool G = g;
  parallel_for(N * C, std::max<int64_t>(1, 8192 / std::max<int64_t>(OH * OW * g.kh * g.kw, 1)), [=](int64_t p0, int64_t p1) {
    const Pool& g = G;
    for (int64_t p = p0; p < p1; p++) {
      const T* plane = x0 + (p / C) * sN + (p % C) * sC;
      T* o = o0 + p * OH * OW;
      for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
          const AvgWin a = avg_window(g, oh, ow, H, W, include_pad, divisor);
          if (a.h0 >= a.h1 || a.w0 >= a.w1) { o[oh * OW + ow] = T(0); continue; }
          double s = 0;
          for (int64_t h = a.h0; h < a.h1; h++)
            for (int64_t w = a.w0; w < a.w1; w++) s += (double)plane[h * sH + w * sW];
          o[oh * OW + ow] = (T)(s / (double)a.div);
        }
    }
  });
}

void avg_pool2d_kernel(Call& c) {
  bool inc;
  int64_t div;
  const Pool g = check_avg_pool2d(c, inc, div);
  if (c.t[1].dtype == DType::F32) avg_pool_typed<float>(c, g, inc, div); else avg_pool_typed<double>(c, g, inc, div);
}

// ---------------------------------------------------------------------------------------------------------------
// avg_pool2d_backward: t0 = gx [N, C, H, W] (contiguous; overwritten), t1 = gout [N, C, OH, OW] (any strides).
//   attrs as avg_pool2d. gx[h, w] += gout[oh, ow] / divisor over each window that covers (h, w).
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void avg_pool_backward_typed(const Call& c, const Pool& g, bool include_pad, int64_t divisor) {
  const TensorArg& gx = c.t[0];
  const TensorArg& go = c.t[1];
  const int64_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3];
  const int64_t NC = gx.shape[0] * C, OH = go.shape[2], OW = go.shape[3];
  const int64_t sN = go.stride[0], sC = go.stride[1], sH = go.stride[2], sW = go.stride[3];
  T* g0 = gx.ptr<T>();
  const T* o0 = go.ptr<const T>();
  const Pool G = g;
  parallel_for(NC, std::max<int64_t>(1, 8192 / std::max<int64_t>(OH * OW * g.kh * g.kw, 1)), [=](int64_t p0, int64_t p1) {
    const Pool& g = G;
    for (int64_t p = p0; p < p1; p++) {
      T* plane = g0 + p * H * W;
      for (int64_t q = 0; q < H * W; q++) plane[q] = T(0);
      const T* o = o0 + (p / C) * sN + (p % C) * sC;
      for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
          const AvgWin a = avg_window(g, oh, ow, H, W, include_pad, divisor);
          if (a.h0 >= a.h1 || a.w0 >= a.w1) continue;
          const T v = (T)((double)o[oh * sH + ow * sW] / (double)a.div);
          for (int64_t h = a.h0; h < a.h1; h++)
            for (int64_t w = a.w0; w < a.w1; w++) plane[h * W + w] += v;
        }
    }
  });
}

void avg_pool2d_backward_kernel(Call& c) {
  bool inc;
  int64_t div;
  const Pool g = check_avg_pool2d_backward(c, inc, div);
  if (c.t[0].dtype == DType::F32) avg_pool_backward_typed<float>(c, g, inc, div); else avg_pool_backward_typed<double>(c, g, inc, div);
}

}  // namespace

REGISTER_KERNEL(conv2d, CPU, conv2d_kernel);
REGISTER_KERNEL(im2col, CPU, im2col_kernel);
REGISTER_KERNEL(col2im, CPU, col2im_kernel);
REGISTER_KERNEL(max_pool2d, CPU, max_pool2d_kernel);
REGISTER_KERNEL(max_pool2d_backward, CPU, max_pool2d_backward_kernel);
REGISTER_KERNEL(avg_pool2d, CPU, avg_pool2d_kernel);
REGISTER_KERNEL(avg_pool2d_backward, CPU, avg_pool2d_backward_kernel);

}  // namespace nt
