// conv_bf16.cc - bfloat16 convolution on the CPU's own bfloat16 instructions (AMX tiles or AVX512-BF16's vdpbf16ps,
// through gemm_bf16.cc's kernels), as oneDNN computes PyTorch's CPU bfloat16 convolution: bfloat16 operands (a
// bfloat16 im2col: copies, no rounding), float32 accumulation, the bias added in float32 and one rounding to
// bfloat16 at the end. Chosen at run time by lib/nn/convolution.ts where cpu_bf16_level() > 0 (the matmul's switches:
// NODETORCH_NO_AVX512BF16, NODETORCH_NO_AMX); elsewhere bfloat16 convolution runs in float32 temporaries.
//
//   conv2d_bf16                 out[n, g] = bf16(W[g] @ col_n[g] + bias)                      (per sample n, group g)
//   conv2d_bf16_backward_input  gx[n] = bf16(col2im(W[g]^T @ gout[n, g]) (+ bias))    col2im summed in float32: the
//                               input gradient of a strided convolution, and the forward of a transposed one (with
//                               its bias); lib/ takes a stride-1 input gradient as conv2d_bf16 of the output gradient
//                               with the flipped, transposed weight (no column sums)
//   conv2d_bf16_backward_weight gw[g] = bf16(sum over n, l of gout[n, g, l] * col_n[g][:, l]) (one GEMM over N*L)
// Geometry a0..a9 as im2col (kernels/conv.h Geom: the forward convolution's), a10 groups. Column matrices per sample
// are [C/G*kh*kw, OH*OW] per group. Samples run in parallel (each thread its own buffers), so each output element is
// summed in the same order whatever the thread count.
#include <algorithm>
#include <cstring>
#include <vector>
#include "cpu.h"
#include "../kernels/conv.h"
#include "../kernels/conv_check.h"

namespace nt {

bool gemm_bf16_sums(int64_t m, int64_t n, int64_t k, const uint16_t* a, int64_t ars, int64_t acs, const uint16_t* b,
                    int64_t brs, int64_t bcs, float* c, int64_t ldc, bool accumulate, int level);  // gemm_bf16.cc

namespace {

using namespace conv;

// the column rows [r0, r1) (r = (ch*kh + i)*kw + j) of one sample x (strides sC, sH, sW) into dst rows of length L
// (row stride ld); zeros outside the image
void im2col_rows(const uint16_t* x, int64_t sC, int64_t sH, int64_t sW, int64_t H, int64_t W, const Geom& g,
                 int64_t r0, int64_t r1, uint16_t* dst, int64_t ld) {
  const int64_t kk = g.kh * g.kw;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t ch = r / kk, i = (r % kk) / g.kw, j = r % g.kw;
    const int64_t offh = i * g.dh - g.ph, offw = j * g.dw - g.pw;
    const int64_t oh0 = first_valid(offh, g.sh, g.oh), oh1 = end_valid(offh, g.sh, H, g.oh);
    const int64_t ow0 = first_valid(offw, g.sw, g.ow), ow1 = std::max(ow0, end_valid(offw, g.sw, W, g.ow));
    uint16_t* out = dst + (r - r0) * ld;
    for (int64_t oh = 0; oh < g.oh; oh++) {
      uint16_t* d = out + oh * g.ow;
      if (oh < oh0 || oh >= oh1 || ow0 >= ow1) { std::fill(d, d + g.ow, (uint16_t)0); continue; }
      const uint16_t* row = x + ch * sC + (oh * g.sh + offh) * sH;
      std::fill(d, d + ow0, (uint16_t)0);
      if (g.sw == 1 && sW == 1) std::memcpy(d + ow0, row + (ow0 + offw), (size_t)(ow1 - ow0) * sizeof(uint16_t));
      else for (int64_t ow = ow0; ow < ow1; ow++) d[ow] = row[(ow * g.sw + offw) * sW];
      std::fill(d + ow1, d + g.ow, (uint16_t)0);
    }
  }
}

// the adjoint: plane[C, H, W] (float32, zeroed by the caller) += the column rows of channels [0, C) (rows of length L)
void col2im_add(const float* col, int64_t C, int64_t H, int64_t W, const Geom& g, float* plane) {
  const int64_t L = g.oh * g.ow;
  for (int64_t ch = 0; ch < C; ch++) {
    float* pl = plane + ch * H * W;
    for (int64_t i = 0; i < g.kh; i++)
      for (int64_t j = 0; j < g.kw; j++) {
        const float* src = col + ((ch * g.kh + i) * g.kw + j) * L;
        const int64_t offh = i * g.dh - g.ph, offw = j * g.dw - g.pw;
        const int64_t oh0 = first_valid(offh, g.sh, g.oh), oh1 = end_valid(offh, g.sh, H, g.oh);
        const int64_t ow0 = first_valid(offw, g.sw, g.ow), ow1 = end_valid(offw, g.sw, W, g.ow);
        for (int64_t oh = oh0; oh < oh1; oh++) {
          float* row = pl + (oh * g.sh + offh) * W + offw;
          const float* s = src + oh * g.ow;
          if (g.sw == 1) for (int64_t ow = ow0; ow < ow1; ow++) row[ow] += s[ow];
          else for (int64_t ow = ow0; ow < ow1; ow++) row[ow * g.sw] += s[ow];
        }
      }
  }
}

inline float bias_at(const TensorArg* b, int64_t i) {
  return b ? bf16_to_float(b->ptr<const uint16_t>()[i * b->stride[0]]) : 0.f;
}

void check_bf16(const TensorArg& t, const char* op) {
  if (t.dtype != DType::BF16) throw TorchError(std::string("internal: ") + op + " expects bfloat16 tensors");
  check_4d(t, op);
}

void gemm_or_throw(bool ok, const char* op) {
  if (!ok) throw TorchError(std::string(op) + ": this CPU has no bfloat16 dot-product instructions (AVX512-BF16 / AMX)");
}

// ---- forward: t0 out [N,OC,OH,OW] (contiguous) <- t1 x [N,C,H,W] (any strides), t2 w [OC,C/G,kh,kw] (contiguous),
// t3 bias [OC] (optional)
void conv2d_bf16_kernel(Call& c) {
  const Geom g = geom_of(c);
  const int64_t G = c.iattr(10, 1);
  if (c.nt < 3) throw TorchError("internal: conv2d_bf16 expects out, x, w[, bias]");
  const TensorArg &out = c.t[0], &x = c.t[1], &w = c.t[2];
  const TensorArg* bias = c.nt > 3 ? &c.t[3] : nullptr;
  check_bf16(out, "conv2d_bf16"); check_bf16(x, "conv2d_bf16"); check_bf16(w, "conv2d_bf16");
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3], OC = w.shape[0];
  if (G <= 0 || C % G || OC % G || w.shape[1] * G != C || w.shape[2] != g.kh || w.shape[3] != g.kw || out.shape[0] != N ||
      out.shape[1] != OC || out.shape[2] != g.oh || out.shape[3] != g.ow || !out.contiguous() || !w.contiguous() ||
      (bias && (bias->dtype != DType::BF16 || bias->ndim != 1 || bias->shape[0] != OC)))
    throw TorchError("internal: conv2d_bf16 operand shapes");
  if (out.numel() == 0) return;
  const int64_t Cg = C / G, OCg = OC / G, K = Cg * g.kh * g.kw, L = g.oh * g.ow;
  const uint16_t* xp = x.ptr<const uint16_t>();
  const uint16_t* wp = w.ptr<const uint16_t>();
  uint16_t* op = out.ptr<uint16_t>();
  // 1x1, stride 1, no padding, rows of unit stride: the sample's channels are the column matrix already
  const bool direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && x.stride[3] == 1 &&
                      x.stride[2] == W && g.oh == H && g.ow == W;
  parallel_for(N, 1, [&](int64_t n0, int64_t n1) {
    std::vector<uint16_t> col(direct ? 0 : (size_t)(C * g.kh * g.kw * L));
    std::vector<float> acc((size_t)(OCg * L));
    for (int64_t n = n0; n < n1; n++) {
      const uint16_t* xn = xp + n * x.stride[0];
      if (!direct) im2col_rows(xn, x.stride[1], x.stride[2], x.stride[3], H, W, g, 0, C * g.kh * g.kw, col.data(), L);
      for (int64_t gi = 0; gi < G; gi++) {
        const uint16_t* B = direct ? xn + gi * Cg * x.stride[1] : col.data() + gi * K * L;
        const int64_t brs = direct ? x.stride[1] : L;
        gemm_or_throw(gemm_bf16_sums(OCg, L, K, wp + gi * OCg * K, K, 1, B, brs, 1, acc.data(), L, false, 0), "conv2d");
        for (int64_t o = 0; o < OCg; o++) {
          const float bv = bias_at(bias, gi * OCg + o);
          uint16_t* dst = op + (n * OC + gi * OCg + o) * L;
          const float* s = acc.data() + o * L;
          for (int64_t l = 0; l < L; l++) dst[l] = float_to_bf16(s[l] + bv);
        }
      }
    }
  });
}

// ---- input gradient / transposed convolution: t0 gx [N,C,H,W] (contiguous) <- t1 gout [N,OC,OH,OW] (contiguous),
// t2 w [OC,C/G,kh,kw] (contiguous), t3 bias [C] (optional: a transposed convolution's, added before the rounding)
void conv2d_bf16_backward_input_kernel(Call& c) {
  const Geom g = geom_of(c);
  const int64_t G = c.iattr(10, 1);
  if (c.nt < 3) throw TorchError("internal: conv2d_bf16_backward_input expects gx, gout, w[, bias]");
  const TensorArg &gx = c.t[0], &go = c.t[1], &w = c.t[2];
  const TensorArg* bias = c.nt > 3 ? &c.t[3] : nullptr;
  check_bf16(gx, "conv2d_bf16_backward_input"); check_bf16(go, "conv2d_bf16_backward_input"); check_bf16(w, "conv2d_bf16_backward_input");
  const int64_t N = gx.shape[0], C = gx.shape[1], H = gx.shape[2], W = gx.shape[3], OC = w.shape[0];
  if (G <= 0 || C % G || OC % G || w.shape[1] * G != C || w.shape[2] != g.kh || w.shape[3] != g.kw || go.shape[0] != N ||
      go.shape[1] != OC || go.shape[2] != g.oh || go.shape[3] != g.ow || !gx.contiguous() || !go.contiguous() || !w.contiguous() ||
      (bias && (bias->dtype != DType::BF16 || bias->ndim != 1 || bias->shape[0] != C)))
    throw TorchError("internal: conv2d_bf16_backward_input operand shapes");
  if (gx.numel() == 0) return;
  const int64_t Cg = C / G, OCg = OC / G, K = Cg * g.kh * g.kw, L = g.oh * g.ow, HW = H * W;
  const uint16_t* gp = go.ptr<const uint16_t>();
  const uint16_t* wp = w.ptr<const uint16_t>();
  uint16_t* xp = gx.ptr<uint16_t>();
  parallel_for(N, 1, [&](int64_t n0, int64_t n1) {
    std::vector<float> gcol((size_t)(K * L));
    std::vector<float> plane((size_t)(Cg * HW));
    for (int64_t n = n0; n < n1; n++) {
      for (int64_t gi = 0; gi < G; gi++) {
        // gcol [K, L] = W[g]^T (K x OCg) @ gout[n, g] (OCg x L)
        gemm_or_throw(gemm_bf16_sums(K, L, OCg, wp + gi * OCg * K, 1, K, gp + (n * OC + gi * OCg) * L, L, 1, gcol.data(), L,
                                     false, 0), "conv2d backward");
        std::fill(plane.begin(), plane.end(), 0.f);
        if (K > 0 && L > 0) col2im_add(gcol.data(), Cg, H, W, g, plane.data());
        for (int64_t ch = 0; ch < Cg; ch++) {
          const float bv = bias_at(bias, gi * Cg + ch);
          uint16_t* dst = xp + (n * C + gi * Cg + ch) * HW;
          const float* s = plane.data() + ch * HW;
          for (int64_t q = 0; q < HW; q++) dst[q] = float_to_bf16(s[q] + bv);
        }
      }
    }
  });
}

// ---- weight gradient: t0 gw [OC,C/G,kh,kw] (contiguous) <- t1 gout [N,OC,OH,OW] (contiguous), t2 x [N,C,H,W] (any
// strides). gw[g]^T [K, OCg] = col[g] [K, N*L] @ gout[g]^T [N*L, OCg]: one GEMM per group over the whole batch
// (the column matrix and gout in [OC, N*L] order are bfloat16 copies), rounded once.
void conv2d_bf16_backward_weight_kernel(Call& c) {
  const Geom g = geom_of(c);
  const int64_t G = c.iattr(10, 1);
  if (c.nt < 3) throw TorchError("internal: conv2d_bf16_backward_weight expects gw, gout, x");
  const TensorArg &gw = c.t[0], &go = c.t[1], &x = c.t[2];
  check_bf16(gw, "conv2d_bf16_backward_weight"); check_bf16(go, "conv2d_bf16_backward_weight"); check_bf16(x, "conv2d_bf16_backward_weight");
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3], OC = gw.shape[0];
  if (G <= 0 || C % G || OC % G || gw.shape[1] * G != C || gw.shape[2] != g.kh || gw.shape[3] != g.kw || go.shape[0] != N ||
      go.shape[1] != OC || go.shape[2] != g.oh || go.shape[3] != g.ow || !gw.contiguous() || !go.contiguous())
    throw TorchError("internal: conv2d_bf16_backward_weight operand shapes");
  if (gw.numel() == 0) return;
  const int64_t Cg = C / G, OCg = OC / G, kk = g.kh * g.kw, K = Cg * kk, L = g.oh * g.ow, NL = N * L;
  const uint16_t* xp = x.ptr<const uint16_t>();
  const uint16_t* gp = go.ptr<const uint16_t>();
  uint16_t* wp = gw.ptr<uint16_t>();
  std::vector<uint16_t> col((size_t)(C * kk * NL));
  std::vector<uint16_t> gt((size_t)(OC * NL));
  // col rows (ch, i, j) x columns (n, l); gout to [OC, n, l]
  parallel_for(C * kk * N, std::max<int64_t>(1, 16384 / std::max<int64_t>(L, 1)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      const int64_t r = u / N, n = u % N;
      im2col_rows(xp + n * x.stride[0], x.stride[1], x.stride[2], x.stride[3], H, W, g, r, r + 1, col.data() + r * NL + n * L, NL);
    }
  });
  parallel_for(OC * N, std::max<int64_t>(1, 16384 / std::max<int64_t>(L, 1)), [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; u++) {
      const int64_t o = u / N, n = u % N;
      std::memcpy(gt.data() + o * NL + n * L, gp + (n * OC + o) * L, (size_t)L * sizeof(uint16_t));
    }
  });
  std::vector<float> acc((size_t)(K * OCg));
  for (int64_t gi = 0; gi < G; gi++) {
    gemm_or_throw(gemm_bf16_sums(K, OCg, NL, col.data() + gi * K * NL, NL, 1, gt.data() + gi * OCg * NL, 1, NL, acc.data(), OCg,
                                 false, 0), "conv2d backward");
    for (int64_t o = 0; o < OCg; o++)
      for (int64_t q = 0; q < K; q++) wp[(gi * OCg + o) * K + q] = float_to_bf16(acc[(size_t)(q * OCg + o)]);
  }
}

}  // namespace

REGISTER_KERNEL(conv2d_bf16, CPU, conv2d_bf16_kernel);
REGISTER_KERNEL(conv2d_bf16_backward_input, CPU, conv2d_bf16_backward_input_kernel);
REGISTER_KERNEL(conv2d_bf16_backward_weight, CPU, conv2d_bf16_backward_weight_kernel);

}  // namespace nt
