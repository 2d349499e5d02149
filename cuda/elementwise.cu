// elementwise.cu - fill, the casting strided copy, and the unary/binary/ternary kernels on CUDA, with exactly the
// conventions of cpu/copy.cc and cpu/elementwise.cc (a0 op code, a1 compute dtype, a2.. params; inputs converted to
// the compute dtype first, an output of another dtype computed into a temporary and cast). The per-element
// arithmetic is the shared NT_HD functors of kernels/functors.h, so the CPU tests cover it.
// One grid-stride kernel per (op, compute type); Indexer<N> turns a linear index into per-operand offsets, and after
// dim coalescing a contiguous (or simply strided, or broadcast-scalar) operand set costs one multiply per element.
#include "../native/kernels/functors.h"
#include "../native/kernels/ew_dispatch.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

// ---------------------------------------------------------------- vectorised contiguous paths
// For 16-bit element types (float16, bfloat16, int16) with every operand contiguous and 16-byte aligned, each thread
// moves 8 elements per 16-byte load/store (VecT), computes them one by one with the same functor (float16/bfloat16
// math in float32, as the CPU: results are bit-equal to the scalar path), and a scalar tail finishes the last n % 8.
constexpr int kVec = 8;
template <typename T> constexpr bool vec_type() { return sizeof(T) == 2; }
template <typename T, int V = kVec> inline bool vec_ok(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) % alignof(VecT<T, V>)) == 0;
}
// every operand of the indexer contiguous with unit stride (after coalescing: one dim)
template <int N> inline bool all_unit(const Indexer<N>& ix) {
  if (ix.ndim != 1) return false;
  for (int k = 0; k < N; k++) if (ix.stride[k][0] != 1) return false;
  return true;
}

template <typename D, typename S>
__global__ void copy_vec_k(int64_t n, D* out, const S* in) {
  const int64_t nv = n / kVec;
  NT_KERNEL_LOOP(i, nv) {
    const VecT<S, kVec> x = reinterpret_cast<const VecT<S, kVec>*>(in)[i];
    VecT<D, kVec> y;
#pragma unroll
    for (int j = 0; j < kVec; j++) y.v[j] = cvt<D>(x.v[j]);
    reinterpret_cast<VecT<D, kVec>*>(out)[i] = y;
  }
  NT_KERNEL_LOOP(i, n - nv * kVec) out[nv * kVec + i] = cvt<D>(in[nv * kVec + i]);
}

// ---------------------------------------------------------------- fill / copy
template <typename D>
__global__ void fill_k(Indexer<1> ix, int64_t n, D* out, D v) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[1];
    ix.offsets(i, o);
    out[o[0]] = v;
  }
}

template <typename D, typename S>
__global__ void copy_k(Indexer<2> ix, int64_t n, D* out, const S* in) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    out[o[0]] = cvt<D>(in[o[1]]);
  }
}

template <typename D, typename S>
void copy_typed(const TensorArg& dst, const TensorArg& src) {
  const TensorArg* ts[2] = {&dst, &src};
  Indexer<2> ix;
  int64_t n = make_indexer<2>(ts, ix);
  if (n == 0) return;
  if (std::is_same<D, S>::value && ix.ndim <= 1 && (ix.ndim == 0 || (ix.stride[0][0] == 1 && ix.stride[1][0] == 1))) {
    CUDA_CHECK(cudaMemcpyAsync(dst.data, src.data, (size_t)n * sizeof(D), cudaMemcpyDeviceToDevice, stream()));
    return;
  }
  if constexpr (vec_type<S>() || vec_type<D>()) {
    if (all_unit<2>(ix) && vec_ok<S>(src.data) && vec_ok<D>(dst.data) && n >= kVec) {
      launch_1d(copy_vec_k<D, S>, (n + kVec - 1) / kVec, n, (D*)dst.data, (const S*)src.data);
      return;
    }
  }
  launch_1d(copy_k<D, S>, n, ix, n, (D*)dst.data, (const S*)src.data);
}

template <typename D>
void fill_typed(const TensorArg& t, D v) {
  const TensorArg* ts[1] = {&t};
  Indexer<1> ix;
  int64_t n = make_indexer<1>(ts, ix);
  if (n == 0) return;
  launch_1d(fill_k<D>, n, ix, n, (D*)t.data, v);
}

// fill: t0 = a0 (a1 = 1: a0 and a2 are the low/high 32 bits of an exact int64 value)
void fill_kernel(Call& c) {
  set_device(call_device(c));
  const TensorArg& t = c.t[0];
  if (c.attr(1) == 1 && t.dtype == DType::I64) {
    int64_t v = (int64_t)(((uint64_t)(uint32_t)(int64_t)c.a[2] << 32) | (uint64_t)(uint32_t)(int64_t)c.a[0]);
    fill_typed<int64_t>(t, v);
    return;
  }
  double v = c.attr(0);
  NT_DISPATCH_ALL(t.dtype, D, fill_typed<D>(t, cvt<D>(v)));
}

void copy_kernel(Call& c) {
  set_device(call_device(c));
  copy_cast(c.t[0], c.t[1]);
}

// ---------------------------------------------------------------- unary / binary / ternary
// Prepares operands as cpu/elementwise.cc does: inputs in compute type T, output of result type R (temp if needed).
template <typename T, typename R, int NIN, typename Body>
void with_operands(Call& c, Body body) {
  int dev = call_device(c);
  DevTemp tin[NIN];
  const TensorArg* in[NIN];
  for (int k = 0; k < NIN; k++) {
    const TensorArg& t = c.t[1 + k];
    if (t.dtype != dtype_of<T>()) { make_compact_copy(t, dtype_of<T>(), dev, tin[k]); in[k] = &tin[k].t; }
    else in[k] = &t;
  }
  const TensorArg& out = c.t[0];
  if (out.dtype == dtype_of<R>()) {
    body(out, in);
  } else {
    DevTemp tout;
    make_temp(out, dtype_of<R>(), dev, tout);
    body(tout.t, in);
    copy_cast(out, tout.t);
  }
}

template <typename T, typename F>
__global__ void unary_k(Indexer<2> ix, int64_t n, typename F::template R<T>* out, const T* x, double p0, double p1, double p2) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[2];
    ix.offsets(i, o);
    out[o[0]] = F::f(x[o[1]], p0, p1, p2);
  }
}

template <typename T, typename F>
__global__ void binary_k(Indexer<3> ix, int64_t n, typename F::template R<T>* out, const T* a, const T* b, double p0, double p1) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[3];
    ix.offsets(i, o);
    out[o[0]] = F::f(a[o[1]], b[o[2]], p0, p1);
  }
}

template <typename T, typename F>
__global__ void unary_vec_k(int64_t n, typename F::template R<T>* out, const T* x, double p0, double p1, double p2) {
  using R = typename F::template R<T>;
  const int64_t nv = n / kVec;
  NT_KERNEL_LOOP(i, nv) {
    const VecT<T, kVec> a = reinterpret_cast<const VecT<T, kVec>*>(x)[i];
    VecT<R, kVec> y;
#pragma unroll
    for (int j = 0; j < kVec; j++) y.v[j] = F::f(a.v[j], p0, p1, p2);
    reinterpret_cast<VecT<R, kVec>*>(out)[i] = y;
  }
  NT_KERNEL_LOOP(i, n - nv * kVec) out[nv * kVec + i] = F::f(x[nv * kVec + i], p0, p1, p2);
}

template <typename T, typename F>
__global__ void binary_vec_k(int64_t n, typename F::template R<T>* out, const T* a, const T* b, double p0, double p1) {
  using R = typename F::template R<T>;
  const int64_t nv = n / kVec;
  NT_KERNEL_LOOP(i, nv) {
    const VecT<T, kVec> x = reinterpret_cast<const VecT<T, kVec>*>(a)[i];
    const VecT<T, kVec> y = reinterpret_cast<const VecT<T, kVec>*>(b)[i];
    VecT<R, kVec> z;
#pragma unroll
    for (int j = 0; j < kVec; j++) z.v[j] = F::f(x.v[j], y.v[j], p0, p1);
    reinterpret_cast<VecT<R, kVec>*>(out)[i] = z;
  }
  NT_KERNEL_LOOP(i, n - nv * kVec) out[nv * kVec + i] = F::f(a[nv * kVec + i], b[nv * kVec + i], p0, p1);
}

template <typename T>
__global__ void where_k(Indexer<4> ix, int64_t n, T* out, const bool* cond, const T* a, const T* b) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[4];
    ix.offsets(i, o);
    out[o[0]] = cond[o[1]] ? a[o[2]] : b[o[3]];
  }
}

template <typename T>
__global__ void ternary_k(Indexer<4> ix, int64_t n, int code, T* out, const T* x, const T* y, const T* z) {
  NT_KERNEL_LOOP(i, n) {
    int64_t o[4];
    ix.offsets(i, o);
    T a = x[o[1]], b = y[o[2]], w = z[o[3]];
    out[o[0]] = fn::ternary_(code, a, b, w);
  }
}

template <typename T, typename F>
void unary_typed(Call& c) {
  using R = typename F::template R<T>;
  double p0 = c.attr(2), p1 = c.attr(3), p2 = c.attr(4);
  with_operands<T, R, 1>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[2] = {&out, in[0]};
    Indexer<2> ix;
    int64_t n = make_indexer<2>(ts, ix);
    if constexpr (vec_type<T>()) {
      if (n >= kVec && all_unit<2>(ix) && vec_ok<T>(in[0]->data) && vec_ok<R>(out.data)) {
        launch_1d(unary_vec_k<T, F>, (n + kVec - 1) / kVec, n, (R*)out.data, (const T*)in[0]->data, p0, p1, p2);
        return;
      }
    }
    launch_1d(unary_k<T, F>, n, ix, n, (R*)out.data, (const T*)in[0]->data, p0, p1, p2);
  });
}

template <typename T, typename F>
void binary_typed(Call& c) {
  using R = typename F::template R<T>;
  double p0 = c.attr(2), p1 = c.attr(3);
  with_operands<T, R, 2>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[3] = {&out, in[0], in[1]};
    Indexer<3> ix;
    int64_t n = make_indexer<3>(ts, ix);
    if constexpr (vec_type<T>()) {
      if (n >= kVec && all_unit<3>(ix) && vec_ok<T>(in[0]->data) && vec_ok<T>(in[1]->data) && vec_ok<R>(out.data)) {
        launch_1d(binary_vec_k<T, F>, (n + kVec - 1) / kVec, n, (R*)out.data, (const T*)in[0]->data, (const T*)in[1]->data,
                  p0, p1);
        return;
      }
    }
    launch_1d(binary_k<T, F>, n, ix, n, (R*)out.data, (const T*)in[0]->data, (const T*)in[1]->data, p0, p1);
  });
}

template <typename T>
void ternary_typed(Call& c, int code) {
  int dev = call_device(c);
  if (code == fn::T_where) {
    // t1 is the bool condition; t2, t3 in T
    DevTemp tc, ta, tb;
    const TensorArg* cond = &c.t[1];
    const TensorArg* a = &c.t[2];
    const TensorArg* b = &c.t[3];
    if (cond->dtype != DType::BOOL) { make_compact_copy(*cond, DType::BOOL, dev, tc); cond = &tc.t; }
    if (a->dtype != dtype_of<T>()) { make_compact_copy(*a, dtype_of<T>(), dev, ta); a = &ta.t; }
    if (b->dtype != dtype_of<T>()) { make_compact_copy(*b, dtype_of<T>(), dev, tb); b = &tb.t; }
    auto body = [&](const TensorArg& out) {
      const TensorArg* ts[4] = {&out, cond, a, b};
      Indexer<4> ix;
      int64_t n = make_indexer<4>(ts, ix);
      launch_1d(where_k<T>, n, ix, n, (T*)out.data, (const bool*)cond->data, (const T*)a->data, (const T*)b->data);
    };
    if (c.t[0].dtype == dtype_of<T>()) body(c.t[0]);
    else { DevTemp to; make_temp(c.t[0], dtype_of<T>(), dev, to); body(to.t); copy_cast(c.t[0], to.t); }
    return;
  }
  with_operands<T, T, 3>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[4] = {&out, in[0], in[1], in[2]};
    Indexer<4> ix;
    int64_t n = make_indexer<4>(ts, ix);
    launch_1d(ternary_k<T>, n, ix, n, code, (T*)out.data, (const T*)in[0]->data, (const T*)in[1]->data, (const T*)in[2]->data);
  });
}

// the typed kernels as kernels/ew_dispatch.h's tables take them (op-code decoding shared with the other backend)
template <typename T, typename F> struct UnaryRun { static void run(Call& c) { unary_typed<T, F>(c); } };
template <typename T, typename F> struct BinaryRun { static void run(Call& c) { binary_typed<T, F>(c); } };

void unary_kernel(Call& c) {
  set_device(call_device(c));
  fn::unary_fn<UnaryRun>(c)(c);
}
void binary_kernel(Call& c) {
  set_device(call_device(c));
  fn::binary_fn<BinaryRun>(c)(c);
}
void ternary_kernel(Call& c) {
  set_device(call_device(c));
  int code = fn::ternary_code(c);
  DType ct = (DType)(int)c.attr(1);
  NT_DISPATCH_COMPUTE(ct, T, ternary_typed<T>(c, code));
}

}  // namespace

// ---------------------------------------------------------------- shared helpers (common.cuh)
void copy_cast(const TensorArg& dst, const TensorArg& src) {
  if (dst.ndim != src.ndim) throw TorchError("copy: rank mismatch");
  for (int d = 0; d < dst.ndim; d++) if (dst.shape[d] != src.shape[d]) throw TorchError("copy: shape mismatch");
  NT_DISPATCH_ALL(dst.dtype, D, NT_DISPATCH_ALL(src.dtype, S, copy_typed<D, S>(dst, src)));
}

void make_temp(const TensorArg& like, DType dt, int dev, DevTemp& out) {
  out.t = like;
  out.t.dtype = dt;
  int64_t s = 1;
  for (int d = like.ndim - 1; d >= 0; d--) { out.t.stride[d] = s; s *= like.shape[d]; }
  out.alloc((size_t)std::max<int64_t>(1, s) * itemsize(dt), dev);
  out.t.data = static_cast<char*>(out.p);
  out.t.storage = nullptr;
}

void make_compact_copy(const TensorArg& t, DType dt, int dev, DevTemp& out) {
  TensorArg compact = t;  // shape with broadcast dims collapsed to 1
  for (int d = 0; d < t.ndim; d++) if (t.stride[d] == 0) compact.shape[d] = 1;
  make_temp(compact, dt, dev, out);
  copy_cast(out.t, compact);
  for (int d = 0; d < t.ndim; d++) {
    out.t.shape[d] = t.shape[d];
    if (t.stride[d] == 0) out.t.stride[d] = 0;
  }
}

REGISTER_KERNEL(fill, CUDA, fill_kernel);
REGISTER_KERNEL(copy, CUDA, copy_kernel);
REGISTER_KERNEL(unary, CUDA, unary_kernel);
REGISTER_KERNEL(binary, CUDA, binary_kernel);
REGISTER_KERNEL(ternary, CUDA, ternary_kernel);

}  // namespace cu
}  // namespace nt
