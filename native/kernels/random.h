// random.h - the per-element value of the `random` kernel (rand / randn / randint / bernoulli from the Philox stream of
// philox.h) as an NT_HD function, and the host-side attr decoding and randperm ordering, shared by cpu/random.cc and
// cuda/random.cu so the CPU tests cover the CUDA arithmetic.
// random: t0 (contiguous); a0 kind, a1/a2 seed lo/hi 32 bits, a3 offset, a4 a5 params (low/high, mean/std, p)
// randperm: t0 int64 [n]; a1/a2 seed, a3 offset.
//
// Note [same numbers on CPU and CUDA]: on the device the additions and multiplications are spelled as
// __dadd_rn/__dmul_rn/__dsub_rn so that nvcc cannot fuse them into an FMA (the CPU build does not fuse them), which
// keeps uniform, randint and bernoulli draws bit-identical. Normal draws go through the device's log and cos, which
// are within an ulp or two of glibc's in double: float results match, double results may differ in the last bit.
#pragma once
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <type_traits>
#include <vector>
#include "../core/tensor.h"
#include "philox.h"
#include "scalar.h"

namespace nt {
namespace rnd {

NT_HD double add_(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
NT_HD double sub_(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dsub_rn(a, b);
#else
  return a - b;
#endif
}
NT_HD double mul_(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

// element value from its Philox block r (lane: which of a normal block's four draws)
template <typename T> NT_HD T random_value(const Philox4& r, int kind, double q0, double q1, int lane = 0) {
  double v;
  switch (kind) {
    case R_uniform: {
      double u = std::is_same<T, double>::value ? philox_uniform_d(r) : (double)philox_uniform_f(r);
      v = add_(q0, mul_(sub_(q1, q0), u));
      break;
    }
    case R_normal: v = add_(q0, mul_(q1, philox_normal(r, lane))); break;
    case R_randint: {
      uint64_t range = (uint64_t)(int64_t)sub_(q1, q0);
      v = add_(q0, (double)(range ? philox_u64(r) % range : 0));
      break;
    }
    default: v = philox_uniform_d(r) < q0 ? 1.0 : 0.0; break;
  }
  if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
    if (kind == R_randint) {
      uint64_t range = (uint64_t)(int64_t)sub_(q1, q0);
      return (T)((int64_t)q0 + (int64_t)(range ? philox_u64(r) % range : 0));
    }
  }
  return cvt<T>(kind == R_uniform && std::is_same<T, float>::value ? (double)(float)v : v);
}

// Element i of a draw at generator offset `off`: counter off + i (a normal draw: counter off + i/4, lane i%4, four
// normals per block). Every CPU and CUDA element goes through this (the CPU's grouped normal loop computes the same
// values four at a time).
template <typename T> NT_HD T random_at(int64_t i, uint64_t off, uint64_t seed, int kind, double q0, double q1) {
  if (kind == R_normal) return random_value<T>(philox4x32(off + ((uint64_t)i >> 2), seed), kind, q0, q1, (int)(i & 3));
  return random_value<T>(philox4x32(off + (uint64_t)i, seed), kind, q0, q1);
}
template <typename T> NT_HD T normal_value(double z, double q0, double q1) { return cvt<T>(add_(q0, mul_(q1, z))); }

// ---- host side ------------------------------------------------------------------------------------------------
inline uint64_t seed_of(const Call& c) { return ((uint64_t)(uint32_t)c.a[2] << 32) | (uint32_t)c.a[1]; }

struct RandomArgs {
  int kind;
  uint64_t seed, off;
  double q0, q1;
};
// the random kernel's attrs; its output must be contiguous
inline RandomArgs random_args(const Call& c) {
  if (!c.t[0].contiguous()) throw TorchError("random: output must be contiguous");
  RandomArgs a;
  a.kind = (int)c.a[0];
  a.seed = seed_of(c);
  a.off = (uint64_t)c.a[3];
  a.q0 = c.attr(4);
  a.q1 = c.attr(5);
  return a;
}

// randperm's permutation of [0, n): sorted by random 64-bit keys (element i: counter offset + i), ties by index
inline std::vector<int64_t> randperm_order(const Call& c, int64_t n) {
  uint64_t seed = seed_of(c), off = (uint64_t)c.a[3];
  std::vector<uint64_t> keys(n);
  for (int64_t i = 0; i < n; i++) keys[i] = philox_u64(philox4x32(off + (uint64_t)i, seed));
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return keys[a] < keys[b] || (keys[a] == keys[b] && a < b); });
  return idx;
}

}  // namespace rnd
}  // namespace nt
