// random.cc - rand/randn/randint/bernoulli and randperm from the Philox stream (kernels/philox.h).
// random: t0 (contiguous) ; a0 kind, a1/a2 seed lo/hi 32 bits, a3 offset, a4 a5 params (low/high, mean/std, p)
#include <numeric>
#include "../kernels/philox.h"
#include "cpu.h"

namespace nt {

static uint64_t seed_of(const Call& c) { return ((uint64_t)(uint32_t)c.a[2] << 32) | (uint32_t)c.a[1]; }

template <typename T>
static void random_typed(Call& c) {
  const TensorArg& t = c.t[0];
  if (!t.contiguous()) throw TorchError("random: output must be contiguous");
  int kind = (int)c.a[0];
  uint64_t seed = seed_of(c), off = (uint64_t)c.a[3];
  double q0 = c.attr(4), q1 = c.attr(5);
  T* out = t.ptr<T>();
  int64_t n = t.numel();
  parallel_for(n, 8192, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      Philox4 r = philox4x32(off + (uint64_t)i, seed);
      double v;
      switch (kind) {
        case R_uniform: v = q0 + (q1 - q0) * (std::is_same<T, double>::value ? philox_uniform_d(r) : (double)philox_uniform_f(r)); break;
        case R_normal: v = q0 + q1 * philox_normal(r); break;
        case R_randint: {
          uint64_t range = (uint64_t)(int64_t)(q1 - q0);
          v = q0 + (double)(range ? philox_u64(r) % range : 0);
          break;
        }
        default: v = philox_uniform_d(r) < q0 ? 1.0 : 0.0; break;
      }
      if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
        if (kind == R_randint) {
          uint64_t range = (uint64_t)(int64_t)(q1 - q0);
          out[i] = (T)((int64_t)q0 + (int64_t)(range ? philox_u64(r) % range : 0));
          continue;
        }
      }
      out[i] = cvt<T>(kind == R_uniform && std::is_same<T, float>::value ? (double)(float)v : v);
    }
  });
}

static void random_kernel(Call& c) { NT_DISPATCH_ALL(c.t[0].dtype, T, random_typed<T>(c)); }

// randperm: t0 int64 [n]; a1/a2 seed, a3 offset. Sorting by random 64-bit keys gives a uniform permutation.
static void randperm_kernel(Call& c) {
  const TensorArg& t = c.t[0];
  int64_t n = t.numel();
  uint64_t seed = seed_of(c), off = (uint64_t)c.a[3];
  std::vector<uint64_t> keys(n);
  for (int64_t i = 0; i < n; i++) keys[i] = philox_u64(philox4x32(off + (uint64_t)i, seed));
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b] || (keys[a] == keys[b] && a < b); });
  int64_t* out = t.ptr<int64_t>();
  for (int64_t i = 0; i < n; i++) out[i * t.stride[0]] = idx[i];
}

REGISTER_KERNEL(random, CPU, random_kernel);
REGISTER_KERNEL(randperm, CPU, randperm_kernel);

}  // namespace nt
