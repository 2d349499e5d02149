// random.cc - rand/randn/randint/bernoulli and randperm from the Philox stream (kernels/philox.h).
// random: t0 (contiguous) ; a0 kind, a1/a2 seed lo/hi 32 bits, a3 offset, a4 a5 params (low/high, mean/std, p)
// The per-element value, the attr decoding and randperm's ordering are shared with cuda/random.cu (kernels/random.h).
#include "../kernels/random.h"
#include "cpu.h"

namespace nt {

template <typename T>
static void random_typed(Call& c) {
  const TensorArg& t = c.t[0];
  const rnd::RandomArgs a = rnd::random_args(c);
  const int kind = a.kind;
  const uint64_t seed = a.seed, off = a.off;
  const double q0 = a.q0, q1 = a.q1;
  T* out = t.ptr<T>();
  int64_t n = t.numel();
  if (kind == R_normal && !std::is_integral<T>::value) {
    // four normals per Philox block (rnd::random_at): whole blocks at once, chunk edges element by element
    parallel_for(n, 8192, [&](int64_t b, int64_t e) {
      int64_t i = b;
      for (; i < e && (i & 3); i++) out[i] = rnd::random_at<T>(i, off, seed, kind, q0, q1);
      for (; i + 4 <= e; i += 4) {
        double z[4];
        philox_normal4(philox4x32(off + ((uint64_t)i >> 2), seed), z);
        for (int k = 0; k < 4; k++) out[i + k] = rnd::normal_value<T>(z[k], q0, q1);
      }
      for (; i < e; i++) out[i] = rnd::random_at<T>(i, off, seed, kind, q0, q1);
    });
    return;
  }
  parallel_for(n, 8192, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) out[i] = rnd::random_at<T>(i, off, seed, kind, q0, q1);
  });
}

static void random_kernel(Call& c) { NT_DISPATCH_ALL(c.t[0].dtype, T, random_typed<T>(c)); }

// randperm: t0 int64 [n]; a1/a2 seed, a3 offset. Sorting by random 64-bit keys gives a uniform permutation.
static void randperm_kernel(Call& c) {
  const TensorArg& t = c.t[0];
  int64_t n = t.numel();
  std::vector<int64_t> idx = rnd::randperm_order(c, n);
  int64_t* out = t.ptr<int64_t>();
  for (int64_t i = 0; i < n; i++) out[i * t.stride[0]] = idx[i];
}

REGISTER_KERNEL(random, CPU, random_kernel);
REGISTER_KERNEL(randperm, CPU, randperm_kernel);

}  // namespace nt
