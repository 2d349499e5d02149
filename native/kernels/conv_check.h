// conv_check.h - the host-side attr parsing and tensor checks that cpu/conv.cc and cuda/conv.cu share (plain inline
// host code, no CUDA): each check_* makes its kernel's checks in the kernel's order, throws the first failing one's
// TorchError, and returns the decoded attrs. Conventions (tensors / attrs) are listed at the top of cpu/conv.cc.
#pragma once
#include <cstdint>
#include <string>
#include "../core/tensor.h"
#include "conv.h"

namespace nt {
namespace conv {

inline Geom geom_of(const Call& c) {
  Geom g;
  g.kh = c.iattr(0); g.kw = c.iattr(1); g.sh = c.iattr(2); g.sw = c.iattr(3);
  g.ph = c.iattr(4); g.pw = c.iattr(5); g.dh = c.iattr(6); g.dw = c.iattr(7);
  g.oh = c.iattr(8); g.ow = c.iattr(9);
  if (g.kh <= 0 || g.kw <= 0 || g.sh <= 0 || g.sw <= 0 || g.dh <= 0 || g.dw <= 0 || g.ph < 0 || g.pw < 0 || g.oh < 0 || g.ow < 0)
    throw TorchError("internal: bad convolution geometry");
  return g;
}

inline Pool pool_of(const Call& c) {
  Pool p{c.iattr(0), c.iattr(1), c.iattr(2), c.iattr(3), c.iattr(4), c.iattr(5)};
  if (p.kh <= 0 || p.kw <= 0 || p.sh <= 0 || p.sw <= 0 || p.ph < 0 || p.pw < 0) throw TorchError("internal: bad pooling geometry");
  return p;
}

inline void check_float(const TensorArg& t, const char* op) {
  if (t.dtype != DType::F32 && t.dtype != DType::F64) throw TorchError(std::string(op) + ": expected a float32 or float64 tensor");
}
inline void check_4d(const TensorArg& t, const char* op) {
  if (t.ndim != 4) throw TorchError(std::string("internal: ") + op + " expects a 4-D tensor");
}

// im2col / col2im: the geometry; x = t[xi] a 4-D float tensor (half16: float16/bfloat16 too, as cuda/conv.cu), t0
// and t1 of one dtype
inline Geom col_geom(const Call& c, int xi, const char* op, bool half16 = false) {
  const Geom g = geom_of(c);
  check_4d(c.t[xi], op);
  if (!half16 || (c.t[xi].dtype != DType::F16 && c.t[xi].dtype != DType::BF16)) check_float(c.t[xi], op);
  if (c.t[0].dtype != c.t[1].dtype) throw TorchError(std::string("internal: ") + op + " dtype mismatch");
  return g;
}
// whether col has the C*kh*kw x N*OH*OW elements of x's column matrix
inline bool col_size_ok(const TensorArg& col, const TensorArg& x, const Geom& g) {
  const int64_t N = x.shape[0], C = x.shape[1];
  const int64_t L = g.oh * g.ow, kk = g.kh * g.kw;
  return col.numel() == C * kk * N * L;
}

// im2col: t0 col [C*kh*kw, N*OH*OW] (contiguous), t1 x [N, C, H, W]
inline Geom check_im2col(const Call& c, bool half16 = false) {
  const Geom g = col_geom(c, 1, "im2col", half16);
  if (!col_size_ok(c.t[0], c.t[1], g) || !c.t[0].contiguous()) throw TorchError("internal: im2col column buffer has the wrong size");
  return g;
}

// col2im: t0 x [N, C, H, W] (contiguous), t1 col (contiguous)
inline Geom check_col2im(const Call& c, bool half16 = false) {
  const Geom g = col_geom(c, 0, "col2im", half16);
  if (!col_size_ok(c.t[1], c.t[0], g) || !c.t[1].contiguous() || !c.t[0].contiguous())
    throw TorchError("internal: col2im buffers have the wrong size");
  return g;
}

// max_pool2d: t0 out, t1 int64 indices (both contiguous), t2 x; a6 dh, a7 dw (dilation, default 1)
inline Pool check_max_pool2d(const Call& c, int64_t& dh, int64_t& dw) {
  const Pool g = pool_of(c);
  dh = c.iattr(6, 1);
  dw = c.iattr(7, 1);
  if (dh <= 0 || dw <= 0) throw TorchError("internal: bad pooling dilation");
  check_4d(c.t[2], "max_pool2d");
  check_float(c.t[2], "max_pool2d");
  if (c.t[1].dtype != DType::I64 || c.t[0].dtype != c.t[2].dtype || !c.t[0].contiguous() || !c.t[1].contiguous())
    throw TorchError("internal: max_pool2d output buffers");
  return g;
}

// max_pool2d_backward: t0 gx, t1 gout, t2 int64 indices, all contiguous
inline void check_max_pool2d_backward(const Call& c) {
  check_4d(c.t[0], "max_pool2d_backward");
  check_float(c.t[0], "max_pool2d_backward");
  if (c.t[1].dtype != c.t[0].dtype || c.t[2].dtype != DType::I64 || !c.t[0].contiguous() || !c.t[1].contiguous() || !c.t[2].contiguous())
    throw TorchError("internal: max_pool2d_backward buffers");
}

// avg_pool2d: t0 out (contiguous), t1 x; a6 count_include_pad (default 1), a7 divisor_override (0 = none)
inline Pool check_avg_pool2d(const Call& c, bool& include_pad, int64_t& divisor) {
  const Pool g = pool_of(c);
  check_4d(c.t[1], "avg_pool2d");
  check_float(c.t[1], "avg_pool2d");
  if (c.t[0].dtype != c.t[1].dtype || !c.t[0].contiguous()) throw TorchError("internal: avg_pool2d output buffer");
  include_pad = c.iattr(6, 1) != 0;
  divisor = c.iattr(7, 0);
  return g;
}

// avg_pool2d_backward: t0 gx (contiguous), t1 gout; attrs as avg_pool2d
inline Pool check_avg_pool2d_backward(const Call& c, bool& include_pad, int64_t& divisor) {
  const Pool g = pool_of(c);
  check_4d(c.t[0], "avg_pool2d_backward");
  check_float(c.t[0], "avg_pool2d_backward");
  if (c.t[1].dtype != c.t[0].dtype || !c.t[0].contiguous()) throw TorchError("internal: avg_pool2d_backward buffers");
  include_pad = c.iattr(6, 1) != 0;
  divisor = c.iattr(7, 0);
  return g;
}

}  // namespace conv
}  // namespace nt
