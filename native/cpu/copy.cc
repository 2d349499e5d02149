// copy.cc - fill and the casting strided copy (contiguous(), to(dtype), copy_, cat, assignment into views).
#include "cpu.h"

namespace nt {

template <typename D, typename S>
static void copy_typed(const TensorArg& dst, const TensorArg& src) {
  const TensorArg* ts[2] = {&dst, &src};
  strided_loop<2>(ts, [](char** p, int64_t n, const int64_t* s) {
    if (s[0] == (int64_t)sizeof(D) && s[1] == (int64_t)sizeof(S)) {
      D* d = (D*)p[0];
      const S* x = (const S*)p[1];
      if constexpr (std::is_same<D, S>::value) memcpy(d, x, n * sizeof(D));
      else for (int64_t i = 0; i < n; i++) d[i] = cvt<D>(x[i]);
    } else if (s[1] == 0) {
      D v = cvt<D>(*(const S*)p[1]);
      for (int64_t i = 0; i < n; i++) *(D*)(p[0] + i * s[0]) = v;
    } else {
      for (int64_t i = 0; i < n; i++) *(D*)(p[0] + i * s[0]) = cvt<D>(*(const S*)(p[1] + i * s[1]));
    }
  });
}

#include "nhwc_copy.inc"  // copy_transposed: NCHW <-> channels-last and other batched 2-D transposes, tiled

void copy_cast(const TensorArg& dst, const TensorArg& src) {
  if (dst.ndim != src.ndim) throw TorchError("copy: rank mismatch");
  for (int d = 0; d < dst.ndim; d++) if (dst.shape[d] != src.shape[d]) throw TorchError("copy: shape mismatch");
  if (copy_transposed(dst, src)) return;
  NT_DISPATCH_ALL(dst.dtype, D, NT_DISPATCH_ALL(src.dtype, S, copy_typed<D, S>(dst, src)));
}

void make_temp(const TensorArg& like, DType dt, Temp& out) {
  out.t = like;
  out.t.dtype = dt;
  int64_t s = 1;
  for (int d = like.ndim - 1; d >= 0; d--) { out.t.stride[d] = s; s *= like.shape[d]; }
  out.buf.reset(new char[std::max<int64_t>(1, s) * itemsize(dt)]);
  out.t.data = out.buf.get();
  out.t.storage = nullptr;
}

void make_compact_copy(const TensorArg& t, DType dt, Temp& out) {
  TensorArg compact = t;  // shape with broadcast dims collapsed to 1
  for (int d = 0; d < t.ndim; d++) if (t.stride[d] == 0) compact.shape[d] = 1;
  make_temp(compact, dt, out);
  copy_cast(out.t, compact);
  for (int d = 0; d < t.ndim; d++) {
    out.t.shape[d] = t.shape[d];
    if (t.stride[d] == 0) out.t.stride[d] = 0;
  }
}

template <typename D>
static void fill_typed(const TensorArg& dst, double v) {
  D x = cvt<D>(v);
  const TensorArg* ts[1] = {&dst};
  strided_loop<1>(ts, [x](char** p, int64_t n, const int64_t* s) {
    if (s[0] == (int64_t)sizeof(D)) { D* d = (D*)p[0]; for (int64_t i = 0; i < n; i++) d[i] = x; }
    else for (int64_t i = 0; i < n; i++) *(D*)(p[0] + i * s[0]) = x;
  });
}

// fill: t0 = a0 (a1 = 1: a0 and a2 are the low/high 32 bits of an exact int64 value)
static void fill_kernel(Call& c) {
  const TensorArg& t = c.t[0];
  if (c.attr(1) == 1 && (t.dtype == DType::I64)) {
    int64_t v = (int64_t)(((uint64_t)(uint32_t)(int64_t)c.a[2] << 32) | (uint64_t)(uint32_t)(int64_t)c.a[0]);
    const TensorArg* ts[1] = {&t};
    strided_loop<1>(ts, [v](char** p, int64_t n, const int64_t* s) {
      for (int64_t i = 0; i < n; i++) *(int64_t*)(p[0] + i * s[0]) = v;
    });
    return;
  }
  NT_DISPATCH_ALL(t.dtype, D, fill_typed<D>(t, c.attr(0)));
}

static void copy_kernel(Call& c) { copy_cast(c.t[0], c.t[1]); }

REGISTER_KERNEL(fill, CPU, fill_kernel);
REGISTER_KERNEL(copy, CPU, copy_kernel);

}  // namespace nt
