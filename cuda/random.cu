// random.cu - rand/randn/randint/bernoulli and randperm on CUDA from the same Philox stream as cpu/random.cc
// (kernels/philox.h: element i uses counter offset + i, key = seed), with the same attrs:
// random: t0 (contiguous); a0 kind, a1/a2 seed lo/hi 32 bits, a3 offset, a4 a5 params (low/high, mean/std, p)
// randperm: t0 int64 [n]; a1/a2 seed, a3 offset.
//
// Note [same numbers on CPU and CUDA]: the value arithmetic below mirrors cpu/random.cc step by step, with the
// additions and multiplications spelled as __dadd_rn/__dmul_rn so that nvcc cannot fuse them into an FMA (the CPU
// build does not fuse them), which keeps uniform, randint and bernoulli draws bit-identical. Normal draws go through
// the device's log and cos, which are within an ulp or two of glibc's in double: float results match, double results
// may differ in the last bit.
#include <algorithm>
#include <numeric>
#include <vector>
#include "../native/kernels/philox.h"
#include "common.cuh"

namespace nt {
namespace cu {

namespace {

uint64_t seed_of(const Call& c) { return ((uint64_t)(uint32_t)c.a[2] << 32) | (uint32_t)c.a[1]; }

template <typename T>
__global__ void random_k(T* out, int64_t n, int kind, uint64_t seed, uint64_t off, double q0, double q1) {
  NT_KERNEL_LOOP(i, n) {
    Philox4 r = philox4x32(off + (uint64_t)i, seed);
    double v;
    switch (kind) {
      case R_uniform: {
        double u = std::is_same<T, double>::value ? philox_uniform_d(r) : (double)philox_uniform_f(r);
        v = __dadd_rn(q0, __dmul_rn(__dsub_rn(q1, q0), u));
        break;
      }
      case R_normal: v = __dadd_rn(q0, __dmul_rn(q1, philox_normal(r))); break;
      case R_randint: {
        uint64_t range = (uint64_t)(int64_t)__dsub_rn(q1, q0);
        v = __dadd_rn(q0, (double)(range ? philox_u64(r) % range : 0));
        break;
      }
      default: v = philox_uniform_d(r) < q0 ? 1.0 : 0.0; break;
    }
    if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
      if (kind == R_randint) {
        uint64_t range = (uint64_t)(int64_t)__dsub_rn(q1, q0);
        out[i] = (T)((int64_t)q0 + (int64_t)(range ? philox_u64(r) % range : 0));
        continue;
      }
    }
    out[i] = cvt<T>(kind == R_uniform && std::is_same<T, float>::value ? (double)(float)v : v);
  }
}

template <typename T>
void random_typed(Call& c) {
  const TensorArg& t = c.t[0];
  if (!t.contiguous()) throw TorchError("random: output must be contiguous");
  int kind = (int)c.a[0];
  uint64_t seed = seed_of(c), off = (uint64_t)c.a[3];
  double q0 = c.attr(4), q1 = c.attr(5);
  int64_t n = t.numel();
  launch_1d(random_k<T>, n, (T*)t.data, n, kind, seed, off, q0, q1);
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
  uint64_t seed = seed_of(c), off = (uint64_t)c.a[3];
  std::vector<uint64_t> keys(n);
  for (int64_t i = 0; i < n; i++) keys[i] = philox_u64(philox4x32(off + (uint64_t)i, seed));
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b] || (keys[a] == keys[b] && a < b); });
  int64_t st = t.ndim > 0 ? t.stride[0] : 1;
  if (st == 1 || n == 1) {
    CUDA_CHECK(cudaMemcpy(t.data, idx.data(), (size_t)n * sizeof(int64_t), cudaMemcpyHostToDevice));
  } else if (st > 1) {
    CUDA_CHECK(cudaMemcpy2D(t.data, (size_t)st * sizeof(int64_t), idx.data(), sizeof(int64_t), sizeof(int64_t), (size_t)n,
                            cudaMemcpyHostToDevice));
  } else {  // a negative or zero stride (not made by lib/, but handled): stage and scatter with the copy kernel
    DevTemp tmp;
    tmp.alloc((size_t)n * sizeof(int64_t), call_device(c));
    CUDA_CHECK(cudaMemcpy(tmp.p, idx.data(), (size_t)n * sizeof(int64_t), cudaMemcpyHostToDevice));
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
