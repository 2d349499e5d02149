// optim.cu - OP(optim_step) on CUDA: one fused, in-place optimizer update per parameter, one thread per element,
// with cpu/optim.cc's convention and checks. The arithmetic is kernels/optim.h's NT_HD update functions, and the
// hyper-parameter structs are built on the host by the same optim::*_scalars<T>(c.a). sqrt and division are IEEE
// (nvcc's defaults), but nvcc contracts a*b + c into FMAs (--fmad=true) where the x86-64 baseline CPU build does not,
// so results agree with the CPU kernel to a few ulps, not always bit for bit.
//   t0 = param (updated in place), t1 = grad, t2.. = state buffers (all contiguous, the param's dtype and numel)
//   SGD      t2 momentum_buffer (only when momentum != 0)
//   Adam(W)  t2 exp_avg, t3 exp_avg_sq, t4 max_exp_avg_sq (only with amsgrad)
//   RMSprop  t2 square_avg, then grad_avg (centered), then momentum_buffer (momentum > 0)
//   Adagrad  t2 sum
// a0 = algorithm (kernels/optim.h Algo), a1.. the hyper-parameters listed in kernels/optim.h.
#include <string>
#include "../native/kernels/optim.h"
#include "../native/kernels/optim_check.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

template <typename T>
__global__ void sgd_k(int64_t n, T* p, const T* g, T* buf, optim::SgdScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::sgd_update<T>(p[i], g[i], buf ? buf + i : nullptr, s);
}
template <typename T>
__global__ void adam_k(int64_t n, T* p, const T* g, T* m, T* v, T* vmax, optim::AdamScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::adam_update<T>(p[i], g[i], m[i], v[i], vmax ? vmax + i : nullptr, s);
}
template <typename T>
__global__ void rmsprop_k(int64_t n, T* p, const T* g, T* sq, T* ga, T* buf, optim::RmspropScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::rmsprop_update<T>(p[i], g[i], sq[i], ga ? ga + i : nullptr, buf ? buf + i : nullptr, s);
}
template <typename T>
__global__ void adagrad_k(int64_t n, T* p, const T* g, T* sum, optim::AdagradScalars<T> s) {
  NT_KERNEL_LOOP(i, n) optim::adagrad_update<T>(p[i], g[i], sum[i], s);
}

template <typename T>
void step_typed(Call& c, int algo) {
  const optim::StepOperands<T> o = optim::step_operands<T>(c);
  const int64_t n = o.n;
  T* p = o.p;
  const T* g = o.g;
  T *s0 = o.s0, *s1 = o.s1, *s2 = o.s2;
  const double* a = c.a;
  switch (algo) {
    case optim::SGD: {
      const optim::SgdScalars<T> s = optim::sgd_scalars<T>(a);
      launch_1d(sgd_k<T>, n, n, p, g, s.has_momentum ? s0 : nullptr, s);
      break;
    }
    case optim::ADAM:
    case optim::ADAMW: {
      const optim::AdamScalars<T> s = optim::adam_scalars<T>(a, algo == optim::ADAMW);
      launch_1d(adam_k<T>, n, n, p, g, s0, s1, s.amsgrad ? s2 : nullptr, s);
      break;
    }
    case optim::RMSPROP: {
      const optim::RmspropScalars<T> s = optim::rmsprop_scalars<T>(a);
      T* ga = o.rms_grad_avg(s);
      T* buf = o.rms_momentum(s);
      launch_1d(rmsprop_k<T>, n, n, p, g, s0, ga, buf, s);
      break;
    }
    case optim::ADAGRAD: {
      const optim::AdagradScalars<T> s = optim::adagrad_scalars<T>(a);
      launch_1d(adagrad_k<T>, n, n, p, g, s0, s);
      break;
    }
    default: break;
  }
}

void optim_step_kernel(Call& c) {
  set_device(call_device(c));
  int algo;
  const int64_t n = optim::step_args(c, algo);
  if (n == 0) return;
  if (c.t[0].dtype == DType::F32) step_typed<float>(c, algo);
  else step_typed<double>(c, algo);
}

// OP(amp_unscale): GradScaler's inf/NaN check and unscale, one thread per element of each gradient; found_inf stays
// on the device (every thread that sees a non-finite element stores the same 1.0f, so the race is benign).
template <typename T>
__global__ void amp_unscale_k(int64_t n, T* g, float inv, float* found) {
  NT_KERNEL_LOOP(i, n) {
    if (optim::amp_unscale<T>(g[i], inv)) *found = 1.f;
  }
}

void amp_unscale_kernel(Call& c) {
  set_device(call_device(c));
  optim::amp_unscale_args(c);
  const float inv = (float)c.a[0];
  float* found = c.t[0].ptr<float>();
  for (int i = 1; i < c.nt; i++) {
    const TensorArg& t = c.t[i];
    const int64_t n = t.numel();
    if (n == 0) continue;
    switch (t.dtype) {
      case DType::F32: launch_1d(amp_unscale_k<float>, n, n, t.ptr<float>(), inv, found); break;
      case DType::F64: launch_1d(amp_unscale_k<double>, n, n, t.ptr<double>(), inv, found); break;
      case DType::F16: launch_1d(amp_unscale_k<f16>, n, n, t.ptr<f16>(), inv, found); break;
      default: launch_1d(amp_unscale_k<bf16>, n, n, t.ptr<bf16>(), inv, found); break;
    }
  }
}

}  // namespace

REGISTER_KERNEL(optim_step, CUDA, optim_step_kernel);
REGISTER_KERNEL(amp_unscale, CUDA, amp_unscale_kernel);

}  // namespace cu
}  // namespace nt
