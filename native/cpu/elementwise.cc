// elementwise.cc - the unary/binary/ternary kernels over the strided loop. Inputs whose dtype is not the
// compute dtype (chosen by lib/ from PyTorch's promotion rules) are converted first; an output of another dtype
// (float16 results of float32 math, say) is computed into a temporary and cast. Contiguous runs take a tight loop
// the compiler vectorises; broadcast scalars and strided runs take the general one.
#include "../kernels/functors.h"
#include "../kernels/ew_dispatch.h"
#include "cpu.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nt {

namespace {

#if defined(__SSE2__)
// relu of a contiguous run: maxps(0, x) returns its second operand, x, when x is NaN or a zero of either sign, so
// it is exactly the functor's `x < 0 ? 0 : x` (NaN and -0 pass through), one instruction per vector (GCC's
// if-conversion of the functor loads x twice). The functor (kernels/unary.def) stays the reference and the tail.
inline void relu_run(float* o, const float* x, int64_t n) {
  const __m128 z = _mm_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_ps(o + i, _mm_max_ps(z, _mm_loadu_ps(x + i)));
    _mm_storeu_ps(o + i + 4, _mm_max_ps(z, _mm_loadu_ps(x + i + 4)));
  }
  for (; i < n; i++) o[i] = fn::u_relu::f(x[i], 0, 0, 0);
}
inline void relu_run(double* o, const double* x, int64_t n) {
  const __m128d z = _mm_setzero_pd();
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    _mm_storeu_pd(o + i, _mm_max_pd(z, _mm_loadu_pd(x + i)));
    _mm_storeu_pd(o + i + 2, _mm_max_pd(z, _mm_loadu_pd(x + i + 2)));
  }
  for (; i < n; i++) o[i] = fn::u_relu::f(x[i], 0, 0, 0);
}
#endif

// Prepares operands: inputs in compute type T, output of result type R (temp if needed); runs body; writes back.
template <typename T, typename R, int NIN, typename Body>
void with_operands(Call& c, Body body) {
  Temp tin[NIN];
  const TensorArg* in[NIN];
  for (int k = 0; k < NIN; k++) {
    const TensorArg& t = c.t[1 + k];
    if (t.dtype != dtype_of<T>()) { make_compact_copy(t, dtype_of<T>(), tin[k]); in[k] = &tin[k].t; }
    else in[k] = &t;
  }
  const TensorArg& out = c.t[0];
  if (out.dtype == dtype_of<R>()) {
    body(out, in);
  } else {
    Temp tout;
    make_temp(out, dtype_of<R>(), tout);
    body(tout.t, in);
    copy_cast(out, tout.t);
  }
}

template <typename T, typename F>
void unary_typed(Call& c) {
  using R = typename F::template R<T>;
  double p0 = c.attr(2), p1 = c.attr(3), p2 = c.attr(4);
  with_operands<T, R, 1>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[2] = {&out, in[0]};
    strided_loop<2>(ts, [&](char** p, int64_t n, const int64_t* s) {
      if (s[0] == (int64_t)sizeof(R) && s[1] == (int64_t)sizeof(T)) {
        R* o = (R*)p[0];
        const T* x = (const T*)p[1];
#if defined(__SSE2__)
        if constexpr (std::is_same<F, fn::u_relu>::value && std::is_floating_point<T>::value) { relu_run(o, x, n); return; }
#endif
        for (int64_t i = 0; i < n; i++) o[i] = F::f(x[i], p0, p1, p2);
      } else {
        for (int64_t i = 0; i < n; i++) *(R*)(p[0] + i * s[0]) = F::f(*(const T*)(p[1] + i * s[1]), p0, p1, p2);
      }
    });
  });
}

template <typename T, typename F>
void binary_typed(Call& c) {
  using R = typename F::template R<T>;
  double p0 = c.attr(2), p1 = c.attr(3);
  with_operands<T, R, 2>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[3] = {&out, in[0], in[1]};
    strided_loop<3>(ts, [&](char** p, int64_t n, const int64_t* s) {
      R* o = (R*)p[0];
      const T* a = (const T*)p[1];
      const T* b = (const T*)p[2];
      if (s[0] == (int64_t)sizeof(R) && s[1] == (int64_t)sizeof(T) && s[2] == (int64_t)sizeof(T)) {
        for (int64_t i = 0; i < n; i++) o[i] = F::f(a[i], b[i], p0, p1);
      } else if (s[0] == (int64_t)sizeof(R) && s[1] == (int64_t)sizeof(T) && s[2] == 0) {
        T bv = *b;
        for (int64_t i = 0; i < n; i++) o[i] = F::f(a[i], bv, p0, p1);
      } else if (s[0] == (int64_t)sizeof(R) && s[1] == 0 && s[2] == (int64_t)sizeof(T)) {
        T av = *a;
        for (int64_t i = 0; i < n; i++) o[i] = F::f(av, b[i], p0, p1);
      } else {
        for (int64_t i = 0; i < n; i++)
          *(R*)(p[0] + i * s[0]) = F::f(*(const T*)(p[1] + i * s[1]), *(const T*)(p[2] + i * s[2]), p0, p1);
      }
    });
  });
}

template <typename T>
void ternary_typed(Call& c, int code) {
  if (code == fn::T_where) {
    // t1 is the bool condition; t2, t3 in T
    Temp tc;
    const TensorArg* cond = &c.t[1];
    if (cond->dtype != DType::BOOL) { make_compact_copy(*cond, DType::BOOL, tc); cond = &tc.t; }
    Temp ta, tb;
    const TensorArg* a = &c.t[2];
    const TensorArg* b = &c.t[3];
    if (a->dtype != dtype_of<T>()) { make_compact_copy(*a, dtype_of<T>(), ta); a = &ta.t; }
    if (b->dtype != dtype_of<T>()) { make_compact_copy(*b, dtype_of<T>(), tb); b = &tb.t; }
    auto body = [&](const TensorArg& out) {
      const TensorArg* ts[4] = {&out, cond, a, b};
      strided_loop<4>(ts, [](char** p, int64_t n, const int64_t* s) {
        for (int64_t i = 0; i < n; i++)
          *(T*)(p[0] + i * s[0]) = *(const bool*)(p[1] + i * s[1]) ? *(const T*)(p[2] + i * s[2]) : *(const T*)(p[3] + i * s[3]);
      });
    };
    if (c.t[0].dtype == dtype_of<T>()) body(c.t[0]);
    else { Temp to; make_temp(c.t[0], dtype_of<T>(), to); body(to.t); copy_cast(c.t[0], to.t); }
    return;
  }
  with_operands<T, T, 3>(c, [&](const TensorArg& out, const TensorArg* const* in) {
    const TensorArg* ts[4] = {&out, in[0], in[1], in[2]};
    strided_loop<4>(ts, [code](char** p, int64_t n, const int64_t* s) {
      for (int64_t i = 0; i < n; i++) {
        T x = *(const T*)(p[1] + i * s[1]), y = *(const T*)(p[2] + i * s[2]), z = *(const T*)(p[3] + i * s[3]);
        *(T*)(p[0] + i * s[0]) = fn::ternary_(code, x, y, z);
      }
    });
  });
}

// the typed kernels as kernels/ew_dispatch.h's tables take them (op-code decoding shared with the other backend)
template <typename T, typename F> struct UnaryRun { static void run(Call& c) { unary_typed<T, F>(c); } };
template <typename T, typename F> struct BinaryRun { static void run(Call& c) { binary_typed<T, F>(c); } };

void unary_kernel(Call& c) {
  fn::unary_fn<UnaryRun>(c)(c);
}
void binary_kernel(Call& c) {
  fn::binary_fn<BinaryRun>(c)(c);
}
void ternary_kernel(Call& c) {
  int code = fn::ternary_code(c);
  DType ct = (DType)(int)c.attr(1);
  NT_DISPATCH_COMPUTE(ct, T, ternary_typed<T>(c, code));
}

}  // namespace

REGISTER_KERNEL(unary, CPU, unary_kernel);
REGISTER_KERNEL(binary, CPU, binary_kernel);
REGISTER_KERNEL(ternary, CPU, ternary_kernel);

}  // namespace nt
