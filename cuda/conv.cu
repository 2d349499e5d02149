// conv.cu - im2col / col2im and 2-D max / average pooling (forward and backward) on CUDA, with exactly the tensor/attr
// conventions of cpu/conv.cc (float32 and float64; im2col / col2im also float16 and bfloat16, so that convolutions in
// 16 bits run their GEMM on tensor cores, cuda/matmul.cu; the pooling kernels: lib/ computes 16-bit in float32):
//   im2col              t0 col [C*kh*kw, N*OH*OW] (contiguous) <- t1 x [N,C,H,W] (any strides); a0..a9 kh kw sh sw ph pw dh dw OH OW
//   col2im              t0 x [N,C,H,W] (contiguous; overwritten) = adjoint of im2col(t1 col, contiguous); attrs as im2col
//   max_pool2d          t0 out, t1 int64 indices (h*W + w in the plane) [N,C,OH,OW] (contiguous) <- t2 x (any strides);
//                       a0..a5 kh kw sh sw ph pw, a6 dh, a7 dw; NaN wins; windows clipped (padding is -inf)
//   max_pool2d_backward t0 gx (contiguous; overwritten) <- t1 gout, t2 indices (contiguous): gx[plane][idx] += gout
//   avg_pool2d          t0 out (contiguous) <- t1 x (any strides); a6 count_include_pad, a7 divisor_override; sums in double
//   avg_pool2d_backward t0 gx (contiguous; overwritten) <- t1 gout (any strides); attrs as avg_pool2d
//
// Every kernel gives one thread to one output element and reproduces the CPU's summation order for it, so the
// float32/float64 results are the CPU's bit for bit (col2im sums 16-bit columns in float32, rounding once): im2col / max_pool / avg_pool are per-output loops; col2im sums an input
// element's taps in (i, j) order; avg_pool2d_backward sums the covering windows in (oh, ow) order from 0;
// max_pool2d_backward gathers per input element over the covering windows in the CPU's order (see the kernel), with
// a device-side switch to the CPU's per-plane loop for indices that max_pool2d cannot have produced.
//
// Shared with cpu/conv.cc: the per-element index arithmetic (avg_window / max_takes, NT_HD in native/kernels/conv.h)
// and the attr parsing and buffer checks (native/kernels/conv_check.h).
#include <cmath>
#include <string>
#include "common.cuh"
#include "../native/kernels/conv.h"
#include "../native/kernels/conv_check.h"

namespace nt {
namespace cu {

namespace {

using namespace conv;

struct Str4 {  // element strides of a 4-D operand
  int64_t n, c, h, w;
};
Str4 str4(const TensorArg& t) { return Str4{t.stride[0], t.stride[1], t.stride[2], t.stride[3]}; }

// ---------------------------------------------------------------- im2col
template <typename T>
__global__ void im2col_k(int64_t total, T* col, const T* x, Str4 s, int64_t N, int64_t H, int64_t W, Geom g) {
  const int64_t L = g.oh * g.ow, kk = g.kh * g.kw, NL = N * L;
  NT_KERNEL_LOOP(e, total) {
    const int64_t r = e / NL, rest = e - r * NL;
    const int64_t n = rest / L, l = rest - n * L;
    const int64_t oh = l / g.ow, ow = l - oh * g.ow;
    const int64_t ch = r / kk, i = (r % kk) / g.kw, j = r % g.kw;
    const int64_t h = oh * g.sh - g.ph + i * g.dh, w = ow * g.sw - g.pw + j * g.dw;
    col[e] = (h >= 0 && h < H && w >= 0 && w < W) ? x[n * s.n + ch * s.c + h * s.h + w * s.w] : cvt<T>(0.0f);
  }
}

void im2col_kernel(Call& c) {
  set_device(call_device(c));
  const Geom g = check_im2col(c, true);
  const TensorArg& col = c.t[0];
  const TensorArg& x = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t total = C * (g.kh * g.kw) * N * (g.oh * g.ow);
  switch (x.dtype) {
    case DType::F32: launch_1d(im2col_k<float>, total, total, (float*)col.data, (const float*)x.data, str4(x), N, H, W, g); break;
    case DType::F64: launch_1d(im2col_k<double>, total, total, (double*)col.data, (const double*)x.data, str4(x), N, H, W, g); break;
    case DType::F16: launch_1d(im2col_k<f16>, total, total, (f16*)col.data, (const f16*)x.data, str4(x), N, H, W, g); break;
    default: launch_1d(im2col_k<bf16>, total, total, (bf16*)col.data, (const bf16*)x.data, str4(x), N, H, W, g); break;
  }
}

// ---------------------------------------------------------------- col2im
// x[n, ch, h, w] = sum over taps (i, j) (in that order) of col[(ch*kh + i)*kw + j, n*L + oh*OW + ow] where
// oh*sh - ph + i*dh == h and ow*sw - pw + j*dw == w, 0 <= oh < OH, 0 <= ow < OW.
template <typename T>
__global__ void col2im_k(int64_t total, T* x, const T* col, int64_t N, int64_t C, int64_t H, int64_t W, Geom g) {
  using Acc = typename std::conditional<is_half16<T>::value, float, T>::type;
  const int64_t L = g.oh * g.ow, NL = N * L;
  NT_KERNEL_LOOP(e, total) {
    const int64_t w = e % W, t1 = e / W, h = t1 % H, t2 = t1 / H, ch = t2 % C, n = t2 / C;
    Acc acc = Acc(0);
    for (int64_t i = 0; i < g.kh; i++) {
      const int64_t ah = h + g.ph - i * g.dh;  // = oh * sh
      if (ah < 0 || ah % g.sh) continue;
      const int64_t oh = ah / g.sh;
      if (oh >= g.oh) continue;
      for (int64_t j = 0; j < g.kw; j++) {
        const int64_t aw = w + g.pw - j * g.dw;
        if (aw < 0 || aw % g.sw) continue;
        const int64_t ow = aw / g.sw;
        if (ow >= g.ow) continue;
        const int64_t r = (ch * g.kh + i) * g.kw + j;
        acc += cvt<Acc>(col[r * NL + n * L + oh * g.ow + ow]);
      }
    }
    x[e] = cvt<T>(acc);
  }
}

void col2im_kernel(Call& c) {
  set_device(call_device(c));
  const Geom g = check_col2im(c, true);
  const TensorArg& x = c.t[0];
  const TensorArg& col = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t total = N * C * H * W;
  switch (x.dtype) {
    case DType::F32: launch_1d(col2im_k<float>, total, total, (float*)x.data, (const float*)col.data, N, C, H, W, g); break;
    case DType::F64: launch_1d(col2im_k<double>, total, total, (double*)x.data, (const double*)col.data, N, C, H, W, g); break;
    case DType::F16: launch_1d(col2im_k<f16>, total, total, (f16*)x.data, (const f16*)col.data, N, C, H, W, g); break;
    default: launch_1d(col2im_k<bf16>, total, total, (bf16*)x.data, (const bf16*)col.data, N, C, H, W, g); break;
  }
}

// ---------------------------------------------------------------- pooling
template <typename T>
__global__ void max_pool_k(int64_t total, T* out, int64_t* ind, const T* x, Str4 s, int64_t C, int64_t H, int64_t W,
                           int64_t OH, int64_t OW, Pool g, int64_t dh, int64_t dw) {
  NT_KERNEL_LOOP(e, total) {
    const int64_t ow = e % OW, t1 = e / OW, oh = t1 % OH, p = t1 / OH;
    const T* plane = x + (p / C) * s.n + (p % C) * s.c;
    int64_t h0, h1, w0, w1;
    max_span(oh, g.sh, g.ph, g.kh, dh, H, h0, h1);
    max_span(ow, g.sw, g.pw, g.kw, dw, W, w0, w1);
    int64_t best_i;
    T best;
    max_in_window(plane, s.h, s.w, W, h0, h1, dh, w0, w1, dw, best, best_i);
    out[e] = best;
    ind[e] = best_i;
  }
}

void max_pool2d_kernel(Call& c) {
  set_device(call_device(c));
  int64_t dh, dw;
  const Pool g = check_max_pool2d(c, dh, dw);
  const TensorArg& out = c.t[0];
  const TensorArg& x = c.t[2];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t OH = out.shape[2], OW = out.shape[3];
  const int64_t total = N * C * OH * OW;
  if (x.dtype == DType::F32)
    launch_1d(max_pool_k<float>, total, total, (float*)out.data, (int64_t*)c.t[1].data, (const float*)x.data, str4(x), C, H, W, OH, OW, g, dh, dw);
  else
    launch_1d(max_pool_k<double>, total, total, (double*)out.data, (int64_t*)c.t[1].data, (const double*)x.data, str4(x), C, H, W, OH, OW, g, dh, dw);
}

// max_pool2d_backward. With the forward's geometry (a0..a7 = kh, kw, sh, sw, ph, pw, dh, dw, as lib passes them):
// a check kernel flags (in device memory, never read by the host) any index that is in the plane but not a tap of
// its output's window; unflagged, one thread per input element sums gout over the outputs whose windows cover it,
// in the CPU's (oh, ow) order from 0 -- the CPU's bits. Flagged (indices not from max_pool2d), the CPU's per-plane
// serial loop runs instead, so any index values (duplicates, out-of-plane ones skipped) give the CPU's result.
// Without the geometry (callers other than lib): the CPU's per-plane loop.
template <typename T>
__global__ void max_pool_bw_check_k(int64_t total, const int64_t* ind, int64_t W, int64_t HW, int64_t OH, int64_t OW, Pool g,
                                    int64_t dh, int64_t dw, int* bad) {
  NT_KERNEL_LOOP(e, total) {
    const int64_t k = ind[e];
    if (k < 0 || k >= HW) continue;  // skipped by both ways
    const int64_t ow = e % OW, oh = (e / OW) % OH;
    const int64_t th = k / W + g.ph - oh * g.sh, tw = k % W + g.pw - ow * g.sw;
    if (th < 0 || tw < 0 || th % dh || tw % dw || th / dh >= g.kh || tw / dw >= g.kw) *bad = 1;
  }
}

template <typename T>
__global__ void max_pool_bw_gather_k(int64_t total, T* gx, const T* go, const int64_t* ind, int64_t H, int64_t W, int64_t OH,
                                     int64_t OW, Pool g, int64_t dh, int64_t dw, const int* bad) {
  if (*bad) return;
  NT_KERNEL_LOOP(e, total) {
    const int64_t w = e % W, t1 = e / W, h = t1 % H, p = t1 / H;
    const int64_t* ip = ind + p * OH * OW;
    const T* gp = go + p * OH * OW;
    const int64_t k = h * W + w;
    T acc = T(0);
    for (int64_t i = g.kh - 1; i >= 0; i--) {  // oh ascending
      const int64_t a = h + g.ph - i * dh;
      if (a < 0 || a % g.sh) continue;
      const int64_t oh = a / g.sh;
      if (oh >= OH) continue;
      for (int64_t j = g.kw - 1; j >= 0; j--) {  // ow ascending
        const int64_t b = w + g.pw - j * dw;
        if (b < 0 || b % g.sw) continue;
        const int64_t ow = b / g.sw;
        if (ow >= OW) continue;
        if (ip[oh * OW + ow] == k) acc += gp[oh * OW + ow];
      }
    }
    gx[e] = acc;
  }
}

// the CPU's loop, one thread per (n, c) plane: the fallback for indices not produced by max_pool2d
template <typename T>
__global__ void max_pool_bw_k(int64_t NC, T* gx, const T* go, const int64_t* ind, int64_t HW, int64_t OHW, const int* bad) {
  if (!*bad) return;
  NT_KERNEL_LOOP(p, NC) max_pool_bw_plane(gx + p * HW, go + p * OHW, ind + p * OHW, HW, OHW);
}

template <typename T>
void max_pool_bw_typed(const Call& c, T* gx, const T* go, const int64_t* ind, int64_t NC, int64_t H, int64_t W, int64_t OH,
                       int64_t OW) {
  const int64_t HW = H * W, OHW = OH * OW;
  DevTemp flag;
  int* bad = (int*)flag.alloc(sizeof(int), call_device(c));
  if (c.na < 8) {  // no geometry: the CPU's loop
    CUDA_CHECK(cudaMemsetAsync(bad, 0xff, sizeof(int), stream()));
    launch_1d(max_pool_bw_k<T>, NC, NC, gx, go, ind, HW, OHW, (const int*)bad);
    return;
  }
  const Pool g = pool_of(c);
  const int64_t dh = c.iattr(6, 1), dw = c.iattr(7, 1);
  if (dh <= 0 || dw <= 0) throw TorchError("internal: bad pooling dilation");
  CUDA_CHECK(cudaMemsetAsync(bad, 0, sizeof(int), stream()));
  launch_1d(max_pool_bw_check_k<T>, NC * OHW, NC * OHW, ind, W, HW, OH, OW, g, dh, dw, bad);
  launch_1d(max_pool_bw_gather_k<T>, NC * HW, NC * HW, gx, go, ind, H, W, OH, OW, g, dh, dw, (const int*)bad);
  launch_1d(max_pool_bw_k<T>, NC, NC, gx, go, ind, HW, OHW, (const int*)bad);
}

void max_pool2d_backward_kernel(Call& c) {
  set_device(call_device(c));
  check_max_pool2d_backward(c);
  const TensorArg& gx = c.t[0];
  const TensorArg& go = c.t[1];
  const int64_t NC = gx.shape[0] * gx.shape[1], H = gx.shape[2], W = gx.shape[3];
  const int64_t OH = go.shape[2], OW = go.shape[3];
  if (gx.dtype == DType::F32)
    max_pool_bw_typed<float>(c, (float*)gx.data, (const float*)go.data, (const int64_t*)c.t[2].data, NC, H, W, OH, OW);
  else
    max_pool_bw_typed<double>(c, (double*)gx.data, (const double*)go.data, (const int64_t*)c.t[2].data, NC, H, W, OH, OW);
}

template <typename T>
__global__ void avg_pool_k(int64_t total, T* out, const T* x, Str4 s, int64_t C, int64_t H, int64_t W, int64_t OH, int64_t OW,
                           Pool g, bool include_pad, int64_t divisor) {
  NT_KERNEL_LOOP(e, total) {
    const int64_t ow = e % OW, t1 = e / OW, oh = t1 % OH, p = t1 / OH;
    const T* plane = x + (p / C) * s.n + (p % C) * s.c;
    const AvgWin a = avg_window(g, oh, ow, H, W, include_pad, divisor);
    if (a.h0 >= a.h1 || a.w0 >= a.w1) { out[e] = T(0); continue; }
    double sum = 0;
    for (int64_t h = a.h0; h < a.h1; h++)
      for (int64_t w = a.w0; w < a.w1; w++) sum += (double)plane[h * s.h + w * s.w];
    out[e] = (T)(sum / (double)a.div);
  }
}

void avg_pool2d_kernel(Call& c) {
  set_device(call_device(c));
  bool inc;
  int64_t div;
  const Pool g = check_avg_pool2d(c, inc, div);
  const TensorArg& out = c.t[0];
  const TensorArg& x = c.t[1];
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t OH = out.shape[2], OW = out.shape[3];
  const int64_t total = N * C * OH * OW;
  if (x.dtype == DType::F32)
    launch_1d(avg_pool_k<float>, total, total, (float*)out.data, (const float*)x.data, str4(x), C, H, W, OH, OW, g, inc, div);
  else
    launch_1d(avg_pool_k<double>, total, total, (double*)out.data, (const double*)x.data, str4(x), C, H, W, OH, OW, g, inc, div);
}

// gx[h, w] = 0 + the (T-rounded) gout / divisor of every window covering (h, w), in (oh, ow) order (the CPU's order)
template <typename T>
__global__ void avg_pool_bw_k(int64_t total, T* gx, const T* go, Str4 s, int64_t C, int64_t H, int64_t W, int64_t OH,
                              int64_t OW, Pool g, bool include_pad, int64_t divisor) {
  NT_KERNEL_LOOP(e, total) {
    const int64_t w = e % W, t1 = e / W, h = t1 % H, p = t1 / H;
    const T* o = go + (p / C) * s.n + (p % C) * s.c;
    // a superset of the covering windows: oh*sh - ph <= h < oh*sh - ph + kh (tested exactly below)
    const int64_t oh0 = max((int64_t)0, (h + g.ph - g.kh) / g.sh), oh1 = min(OH - 1, (h + g.ph) / g.sh);
    const int64_t ow0 = max((int64_t)0, (w + g.pw - g.kw) / g.sw), ow1 = min(OW - 1, (w + g.pw) / g.sw);
    T acc = T(0);
    for (int64_t oh = oh0; oh <= oh1; oh++)
      for (int64_t ow = ow0; ow <= ow1; ow++) {
        const AvgWin a = avg_window(g, oh, ow, H, W, include_pad, divisor);
        if (a.h0 >= a.h1 || a.w0 >= a.w1) continue;
        if (h < a.h0 || h >= a.h1 || w < a.w0 || w >= a.w1) continue;
        acc += (T)((double)o[oh * s.h + ow * s.w] / (double)a.div);
      }
    gx[e] = acc;
  }
}

void avg_pool2d_backward_kernel(Call& c) {
  set_device(call_device(c));
  bool inc;
  int64_t div;
  const Pool g = check_avg_pool2d_backward(c, inc, div);
  const TensorArg& gx = c.t[0];
  const TensorArg& go = c.t[1];
  const int64_t C = gx.shape[1], H = gx.shape[2], W = gx.shape[3];
  const int64_t OH = go.shape[2], OW = go.shape[3];
  const int64_t total = gx.shape[0] * C * H * W;
  if (gx.dtype == DType::F32)
    launch_1d(avg_pool_bw_k<float>, total, total, (float*)gx.data, (const float*)go.data, str4(go), C, H, W, OH, OW, g, inc, div);
  else
    launch_1d(avg_pool_bw_k<double>, total, total, (double*)gx.data, (const double*)go.data, str4(go), C, H, W, OH, OW, g, inc, div);
}

}  // namespace

REGISTER_KERNEL(im2col, CUDA, im2col_kernel);
REGISTER_KERNEL(col2im, CUDA, col2im_kernel);
REGISTER_KERNEL(max_pool2d, CUDA, max_pool2d_kernel);
REGISTER_KERNEL(max_pool2d_backward, CUDA, max_pool2d_backward_kernel);
REGISTER_KERNEL(avg_pool2d, CUDA, avg_pool2d_kernel);
REGISTER_KERNEL(avg_pool2d_backward, CUDA, avg_pool2d_backward_kernel);

}  // namespace cu
}  // namespace nt
