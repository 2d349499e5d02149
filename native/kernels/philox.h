// philox.h - Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the counter-based
// generator PyTorch's CUDA backend uses. Element i of a draw uses counter (offset + i), key = seed, so CPU and
// CUDA kernels produce the same stream and any element can be computed independently.
#pragma once
#include <cmath>
#include <cstdint>
#include "../core/dtype.h"

namespace nt {

struct Philox4 { uint32_t v[4]; };

NT_HD Philox4 philox4x32(uint64_t counter, uint64_t seed) {
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  Philox4 r;
  r.v[0] = c0; r.v[1] = c1; r.v[2] = c2; r.v[3] = c3;
  return r;
}

// uniform in [0, 1) with 24 (float) or 53 (double) random bits
NT_HD float philox_uniform_f(const Philox4& r) { return (float)(r.v[0] >> 8) * (1.0f / 16777216.0f); }
NT_HD double philox_uniform_d(const Philox4& r) {
  uint64_t x = ((uint64_t)r.v[0] << 32 | r.v[1]) >> 11;
  return (double)x * (1.0 / 9007199254740992.0);
}
// Standard normals by Box-Muller: one block gives four, the pairs (v0, v1) and (v2, v3) each giving a cos and a sin
// draw (u1 in (0, 1] so the log is finite). philox_normal(r, k) is draw k (0..3); philox_normal4 computes all four
// with the same expressions (the CPU loop), a quarter of the generator and log work per value.
NT_HD double box_muller_radius(uint32_t a) { return sqrt(-2.0 * log(((double)a + 1.0) * (1.0 / 4294967296.0))); }
NT_HD double box_muller_angle(uint32_t b) { return 6.283185307179586 * ((double)b * (1.0 / 4294967296.0)); }
NT_HD double philox_normal(const Philox4& r, int k) {
  const int p = k & 2;
  const double rad = box_muller_radius(r.v[p]), th = box_muller_angle(r.v[p + 1]);
  return rad * ((k & 1) ? sin(th) : cos(th));
}
inline void philox_normal4(const Philox4& r, double z[4]) {
  for (int p = 0; p < 4; p += 2) {
    const double rad = box_muller_radius(r.v[p]), th = box_muller_angle(r.v[p + 1]);
    z[p] = rad * cos(th);
    z[p + 1] = rad * sin(th);
  }
}
NT_HD uint64_t philox_u64(const Philox4& r) { return (uint64_t)r.v[2] << 32 | r.v[3]; }

enum RandomKind { R_uniform = 0, R_normal = 1, R_randint = 2, R_bernoulli = 3 };

}  // namespace nt
