// random.cu - rand/randn/randint/bernoulli and randperm on CUDA from the same Philox stream as cpu/random.cc
// (kernels/philox.h: element i uses counter offset + i, key = seed), with the same attrs:
// random: t0 (contiguous); a0 kind, a1/a2 seed lo/hi 32 bits, a3 offset, a4 a5 params (low/high, mean/std, p)
// randperm: t0 int64 [n]; a1/a2 seed, a3 offset.
//
// The per-element value (Note [same numbers on CPU and CUDA]), the attr decoding and randperm's ordering are shared
// with cpu/random.cc: native/kernels/random.h.
#include <algorithm>
#include <numeric>
#include <vector>
#include "../native/kernels/philox.h"
#include "../native/kernels/random.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

template <typename T>
__global__ void random_k(T* out, int64_t n, int kind, uint64_t seed, uint64_t off, double q0, double q1) {
  NT_KERNEL_LOOP(i, n) out[i] = rnd::random_at<T>(i, off, seed, kind, q0, q1);
}

template <typename T>
void random_typed(Call& c) {
  const TensorArg& t = c.t[0];
  const rnd::RandomArgs a = rnd::random_args(c);
  int64_t n = t.numel();
  launch_1d(random_k<T>, n, (T*)t.data, n, a.kind, a.seed, a.off, a.q0, a.q1);
}

void random_kernel(Call& c) {
  set_device(call_device(c));
  NT_DISPATCH_ALL(c.t[0].dtype, T, random_typed<T>(c));
}

// Sorting by random 64-bit keys gives a uniform permutation; done on the host exactly as the CPU kernel does
// (the same keys, the same stable tie-break), then copied into the (possibly strided) device output.
void randperm_kernel(Call& c) {
  set_device(call_device(c));
  const TensorArg& t = c.t[0];
  int64_t n = t.numel();
  if (n == 0) return;
  std::vector<int64_t> idx = rnd::randperm_order(c, n);
  int64_t st = t.ndim > 0 ? t.stride[0] : 1;
  if (st == 1 || n == 1) {
    CUDA_CHECK(cudaMemcpyAsync(t.data, idx.data(), (size_t)n * sizeof(int64_t), cudaMemcpyHostToDevice, stream()));
  } else if (st > 1) {
    CUDA_CHECK(cudaMemcpy2DAsync(t.data, (size_t)st * sizeof(int64_t), idx.data(), sizeof(int64_t), sizeof(int64_t), (size_t)n,
                                 cudaMemcpyHostToDevice, stream()));
  } else {  // a negative or zero stride (not made by lib/, but handled): stage and scatter with the copy kernel
    DevTemp tmp;
    tmp.alloc((size_t)n * sizeof(int64_t), call_device(c));
    CUDA_CHECK(cudaMemcpyAsync(tmp.p, idx.data(), (size_t)n * sizeof(int64_t), cudaMemcpyHostToDevice, stream()));
    TensorArg src = t;
    src.data = static_cast<char*>(tmp.p);
    src.storage = nullptr;
    src.ndim = 1;
    src.shape[0] = n;
    src.stride[0] = 1;
    TensorArg dst = t;
    dst.ndim = 1;
    dst.shape[0] = n;
    dst.stride[0] = st;
    copy_cast(dst, src);
  }
  CUDA_CHECK(cudaStreamSynchronize(stream()));  // idx is host memory that goes away when we return
}

}  // namespace

REGISTER_KERNEL(random, CUDA, random_kernel);
REGISTER_KERNEL(randperm, CUDA, randperm_kernel);

}  // namespace cu
}  // namespace nt
