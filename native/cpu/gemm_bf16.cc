// gemm_bf16.cc - bfloat16 matmul on the CPU's own bfloat16 instruction (AVX512-BF16's vdpbf16ps), chosen at run
// time by gemm.cc's matmul kernel for bfloat16 operands.
//
// vdpbf16ps multiplies pairs of bfloat16 values and adds both products to a float32 lane: the products are exact in
// float32 (8-bit x 8-bit significands) and the accumulation is float32 throughout, so the result is PyTorch's CPU
// bfloat16 matmul (float32 accumulation, one rounding to bfloat16 at the end) up to the order of the float32 sums.
// The instruction treats bfloat16 subnormals (|x| < 1.2e-38) as zero and flushes subnormal float32 results; that
// is the only other difference from the float32-temporary path (gemm.cc), which NODETORCH_NO_AVX512BF16=1 forces.
//
// Layout: operands are packed into 32-bit pairs along k (element k in the low half, k+1 in the high half, 0 past the
// end): B into column panels of 32 (two zmm per pair row), A into slivers of MR rows whose pair is broadcast.
// A register tile of MR x 32 float32 accumulators (28 zmm) is kept for a KC block of k; the partial sums live in
// a float32 buffer across KC blocks, and alpha/beta and the single rounding to bfloat16 are applied at the end.
// Threads take row blocks (MC rows) of each KC block; every output element is summed in the same order whatever
// the thread count, so results do not depend on it.
#include <immintrin.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <sys/syscall.h>
#include <unistd.h>
#include "cpu.h"

namespace nt {

bool cpu_has_avx512bf16() {
  // cpu_has_avx512(): also honours NODETORCH_CPU_ISA / NODETORCH_NO_AVX512 (simd.cc)
  static bool v = cpu_has_avx512() && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16") &&
                  getenv("NODETORCH_NO_AVX512BF16") == nullptr;
  return v;
}

namespace {

#define NT_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

constexpr int MR = 14;           // rows of a register tile
constexpr int NR = 32;           // columns of a register tile (two zmm of 16 float32)
constexpr int64_t KC2 = 256;     // pairs of k per block (512 values of k)
constexpr int64_t MC = MR * 8;   // rows a thread takes at a time

struct View {  // a bfloat16 matrix through its strides
  const uint16_t* p;
  int64_t rs, cs;
  uint16_t at(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

// B rows [k0, k0 + 2*kp2) (pairs; rows at or past kend read as 0) x all n columns -> panels [jb][kp][32]
void pack_b(const View& B, int64_t kend, int64_t k0, int64_t kp2, int64_t n, uint32_t* out) {
  int64_t nb = (n + NR - 1) / NR;
  parallel_for(nb, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t jb = b0; jb < b1; jb++) {
      uint32_t* o = out + jb * kp2 * NR;
      int64_t j0 = jb * NR, jn = std::min<int64_t>(NR, n - j0);
      for (int64_t p = 0; p < kp2; p++) {
        int64_t ka = k0 + 2 * p, kb = ka + 1;
        uint32_t* row = o + p * NR;
        if (B.cs == 1 && kb < kend) {  // row-major B: two contiguous rows interleaved (vectorisable)
          const uint16_t* ra = B.p + ka * B.rs + j0;
          const uint16_t* rb = ra + B.rs;
          for (int64_t jj = 0; jj < jn; jj++) row[jj] = (uint32_t)ra[jj] | ((uint32_t)rb[jj] << 16);
        } else if (B.rs == 1 && kb < kend) {  // column-major B: the pair (k, k+1) of a column is one 32-bit word
          const uint16_t* ca = B.p + j0 * B.cs + ka;
          for (int64_t jj = 0; jj < jn; jj++) std::memcpy(row + jj, ca + jj * B.cs, 4);
        } else {
          for (int64_t jj = 0; jj < jn; jj++) {
            uint32_t lo = ka < kend ? B.at(ka, j0 + jj) : 0, hi = kb < kend ? B.at(kb, j0 + jj) : 0;
            row[jj] = lo | (hi << 16);
          }
        }
        for (int64_t jj = jn; jj < NR; jj++) row[jj] = 0;
      }
    }
  });
}

// A rows [i0, i0 + rows) x pairs [k0 ..) -> [kp][MR] (rows past `rows` are 0)
void pack_a(const View& A, int64_t k, int64_t i0, int rows, int64_t k0, int64_t kp2, uint32_t* out) {
  for (int64_t p = 0; p < kp2; p++) {
    int64_t ka = k0 + 2 * p, kb = ka + 1;
    uint32_t* o = out + p * MR;
    for (int r = 0; r < rows; r++) {
      uint32_t lo = ka < k ? A.at(i0 + r, ka) : 0, hi = kb < k ? A.at(i0 + r, kb) : 0;
      o[r] = lo | (hi << 16);
    }
    for (int r = rows; r < MR; r++) o[r] = 0;
  }
}

// c[rows x cols] (row stride ldc) (+)= a-sliver . b-panel over kp2 pairs
NT_BF16 void ukr(int64_t kp2, const uint32_t* a, const uint32_t* b, float* c, int64_t ldc, int rows, int cols, bool first) {
  __m512 acc[MR][2];
  const __mmask16 m0 = cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32 ? (__mmask16)0xFFFF : cols <= 16 ? (__mmask16)0 : (__mmask16)((1u << (cols - 16)) - 1);
#pragma GCC unroll 14
  for (int r = 0; r < MR; r++) {
    if (first || r >= rows) {
      acc[r][0] = _mm512_setzero_ps();
      acc[r][1] = _mm512_setzero_ps();
    } else {
      acc[r][0] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
      acc[r][1] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
    }
  }
  for (int64_t p = 0; p < kp2; p++) {
    __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void*)(b + p * NR));
    __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void*)(b + p * NR + 16));
    const uint32_t* ap = a + p * MR;
#pragma GCC unroll 14
    for (int r = 0; r < MR; r++) {
      __m512bh av = (__m512bh)_mm512_set1_epi32((int)ap[r]);
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
    }
  }
#pragma GCC unroll 14
  for (int r = 0; r < MR; r++) {
    if (r >= rows) break;
    _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc[r][1]);
  }
}


// ---------------------------------------------------------------- AMX (tdpbf16ps on 16x16 float32 tiles)
// Eight tile registers: C00 C01 C10 C11 (tmm0-3) hold a 32x32 block of float32 sums, A0 A1 (tmm4-5) 16 rows x 16
// pairs of A each, B0 B1 (tmm6-7) 16 pairs x 16 columns of B each, loaded straight from the same column panels as the
// AVX-512 kernel (a panel row of 32 pairs is 128 bytes: columns 0-15 are its first 64 bytes, 16-31 the next).
#define NT_AMX __attribute__((target("amx-tile,amx-bf16,avx512f")))

constexpr int64_t TK = 16;  // pairs per tile step (a 64-byte tile row)

struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {0};
  uint16_t colsb[16] = {0};
  uint8_t rows[16] = {0};
};

// A rows [i0, i0 + 32) (rows past m are 0) x pairs [k0/2, k0/2 + kp2p) (pairs at or past kend are 0) -> [32][kp2p]
void pack_a_rows(const View& A, int64_t m, int64_t kend, int64_t i0, int64_t k0, int64_t kp2p, uint32_t* out) {
  for (int64_t r = 0; r < 32; r++) {
    uint32_t* o = out + r * kp2p;
    if (i0 + r >= m) { std::memset(o, 0, (size_t)kp2p * 4); continue; }
    int64_t p = 0;
    if (A.cs == 1) {  // row-major A: a pair (k, k+1) is the 32-bit word at &A[i][k] (little-endian): a plain copy
      const int64_t full = std::max<int64_t>(0, std::min(kp2p, (kend - k0) / 2));
      std::memcpy(o, A.p + (i0 + r) * A.rs + k0, (size_t)full * 4);
      p = full;
    }
    for (; p < kp2p; p++) {
      int64_t ka = k0 + 2 * p, kb = ka + 1;
      uint32_t lo = ka < kend ? A.at(i0 + r, ka) : 0, hi = kb < kend ? A.at(i0 + r, kb) : 0;
      o[p] = lo | (hi << 16);
    }
  }
}

// ldtilecfg reads 64 bytes, but the intrinsic tells the compiler of an 8-byte read only: the configuration lives in
// static memory (filled once) so that no store to it can be dropped as dead
const TileConfig& tile_config() {
  static const TileConfig cfg = [] {
    TileConfig c;
    for (int t = 0; t < 8; t++) { c.colsb[t] = 64; c.rows[t] = 16; }
    return c;
  }();
  return cfg;
}
NT_AMX void amx_config() { _tile_loadconfig(&tile_config()); }
NT_AMX void amx_release() { _tile_release(); }

// acc (32 x 32 block at c, row stride ldc floats) (+)= A rows (a: [32][kp2p]) . B panel (b: [kp2p][32])
NT_AMX void amx_block(int64_t kp2p, const uint32_t* a, const uint32_t* b, float* c, int64_t ldc, bool first) {
  const long sc = (long)(ldc * 4), sa = (long)(kp2p * 4), sb = 128;
  if (first) { _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3); }
  else {
    _tile_loadd(0, c, sc); _tile_loadd(1, c + 16, sc);
    _tile_loadd(2, c + 16 * ldc, sc); _tile_loadd(3, c + 16 * ldc + 16, sc);
  }
  for (int64_t p = 0; p < kp2p; p += TK) {
    _tile_loadd(4, a + p, sa);
    _tile_loadd(5, a + 16 * kp2p + p, sa);
    _tile_loadd(6, b + p * 32, sb);
    _tile_loadd(7, b + p * 32 + 16, sb);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, c, sc); _tile_stored(1, c + 16, sc);
  _tile_stored(2, c + 16 * ldc, sc); _tile_stored(3, c + 16 * ldc + 16, sc);
}

// the float32 sums of A @ B into acc [mp x np] (mp, np: m, n rounded up to 32)
void sums_amx(int64_t m, int64_t n, int64_t k, const View& A, const View& B, float* acc, int64_t np,
              std::vector<uint32_t>& bpack) {
  const int64_t kpairs = (k + 1) / 2, nb = np / 32, mb = (m + 31) / 32;
  for (int64_t p0 = 0; p0 < kpairs; p0 += KC2) {
    const int64_t kp2 = std::min(KC2, kpairs - p0), kp2p = (kp2 + TK - 1) / TK * TK;
    const int64_t kend = std::min(k, 2 * (p0 + kp2));
    const bool first = p0 == 0;
    bpack.resize((size_t)(nb * kp2p * 32));
    pack_b(B, kend, 2 * p0, kp2p, n, bpack.data());
    // a thread packs up to kRowBlocks blocks of 32 rows of A (128 KB at most: L2) and sweeps the column panels
    // over them, so each 32 KB panel of B is read from L2/L3 once per 128 rows instead of once per 32
    constexpr int64_t kRowBlocks = 4;
    parallel_for((mb + kRowBlocks - 1) / kRowBlocks, 1, [&](int64_t g0, int64_t g1) {
      std::vector<uint32_t> apack((size_t)(kRowBlocks * 32 * kp2p));
      amx_config();
      for (int64_t g = g0; g < g1; g++) {
        const int64_t qa = g * kRowBlocks, qb = std::min(mb, qa + kRowBlocks);
        for (int64_t q = qa; q < qb; q++) pack_a_rows(A, m, kend, q * 32, 2 * p0, kp2p, apack.data() + (q - qa) * 32 * kp2p);
        for (int64_t jb = 0; jb < nb; jb++)
          for (int64_t q = qa; q < qb; q++)
            amx_block(kp2p, apack.data() + (q - qa) * 32 * kp2p, bpack.data() + jb * kp2p * 32, acc + q * 32 * np + jb * 32, np, first);
      }
      amx_release();
    });
  }
}

// the float32 sums of A @ B into acc [m x n] with the AVX-512 register tile
void sums_avx512(int64_t m, int64_t n, int64_t k, const View& A, const View& B, float* acc, std::vector<uint32_t>& bpack) {
  const int64_t kpairs = (k + 1) / 2, nb = (n + NR - 1) / NR;
  for (int64_t p0 = 0; p0 < kpairs; p0 += KC2) {
    const int64_t kp2 = std::min(KC2, kpairs - p0);
    const bool first = p0 == 0;
    bpack.resize((size_t)(nb * kp2 * NR));
    pack_b(B, k, 2 * p0, kp2, n, bpack.data());
    const int64_t mblocks = (m + MC - 1) / MC;
    parallel_for(mblocks, 1, [&](int64_t q0, int64_t q1) {
      std::vector<uint32_t> apack((size_t)(kp2 * MR));
      for (int64_t q = q0; q < q1; q++) {
        for (int64_t i0 = q * MC; i0 < std::min(m, (q + 1) * MC); i0 += MR) {
          int rows = (int)std::min<int64_t>(MR, m - i0);
          pack_a(A, k, i0, rows, 2 * p0, kp2, apack.data());
          for (int64_t jb = 0; jb < nb; jb++) {
            int cols = (int)std::min<int64_t>(NR, n - jb * NR);
            ukr(kp2, apack.data(), bpack.data() + jb * kp2 * NR, acc + i0 * n + jb * NR, n, rows, cols, first);
          }
        }
      }
    });
  }
}

}  // namespace

int cpu_bf16_level() {
  static int v = [] {
    if (!cpu_has_avx512bf16()) return 0;
    if (__builtin_cpu_supports("amx-tile") && __builtin_cpu_supports("amx-bf16") && getenv("NODETORCH_NO_AMX") == nullptr &&
        syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0)
      return 2;
    return 1;
  }();
  return v;
}

bool gemm_bf16_dot(const TensorArg& tc, const TensorArg& ta, const TensorArg& tb, double alpha, double beta, int level) {
  if (level == 0) level = cpu_bf16_level();
  if (level < 1 || level > cpu_bf16_level()) return false;
  const int64_t batch = tc.shape[0], m = tc.shape[1], n = tc.shape[2], k = ta.shape[2];
  const float al = (float)alpha, be = (float)beta;
  const int64_t ld = level == 2 ? (n + 31) / 32 * 32 : n, rows = level == 2 ? (m + 31) / 32 * 32 : m;
  std::vector<float> acc;
  std::vector<uint32_t> bpack;
  for (int64_t b = 0; b < batch; b++) {
    View A{ta.ptr<const uint16_t>() + b * ta.stride[0], ta.stride[1], ta.stride[2]};
    View B{tb.ptr<const uint16_t>() + b * tb.stride[0], tb.stride[1], tb.stride[2]};
    uint16_t* C = tc.ptr<uint16_t>() + b * tc.stride[0];
    const int64_t crs = tc.stride[1], ccs = tc.stride[2];
    if (k > 0) {
      acc.resize((size_t)(rows * ld));
      if (level == 2) sums_amx(m, n, k, A, B, acc.data(), ld, bpack);
      else sums_avx512(m, n, k, A, B, acc.data(), bpack);
    }
    // alpha, beta and the one rounding to bfloat16 (beta == 0: C is never read)
    parallel_for(m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++)
        for (int64_t j = 0; j < n; j++) {
          uint16_t* o = C + i * crs + j * ccs;
          float v = k > 0 ? al * acc[(size_t)(i * ld + j)] : 0.f;
          if (be != 0.f) v += be * bf16_to_float(*o);
          *o = float_to_bf16(v);
        }
    });
  }
  return true;
}

// The float32 sums of A [m x k] @ B [k x n] (bfloat16 through strides) into C (row stride ldc), written or added
// (accumulate): the GEMM of the bfloat16 convolution (conv_bf16.cc), which adds the bias and rounds to bfloat16 itself,
// or sums the columns of a transposed convolution in float32 before its one rounding. Same kernels and summation order
// as gemm_bf16_dot; false when the level is not available.
bool gemm_bf16_sums(int64_t m, int64_t n, int64_t k, const uint16_t* a, int64_t ars, int64_t acs, const uint16_t* b,
                    int64_t brs, int64_t bcs, float* c, int64_t ldc, bool accumulate, int level) {
  if (level == 0) level = cpu_bf16_level();
  if (level < 1 || level > cpu_bf16_level()) return false;
  if (m <= 0 || n <= 0) return true;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; i++) std::fill(c + i * ldc, c + i * ldc + n, 0.f);
    return true;
  }
  const View A{a, ars, acs}, B{b, brs, bcs};
  const int64_t ld = level == 2 ? (n + 31) / 32 * 32 : n, rows = level == 2 ? (m + 31) / 32 * 32 : m;
  thread_local std::vector<float> acc;
  thread_local std::vector<uint32_t> bpack;
  acc.resize((size_t)(rows * ld));
  if (level == 2) sums_amx(m, n, k, A, B, acc.data(), ld, bpack);
  else sums_avx512(m, n, k, A, B, acc.data(), bpack);
  for (int64_t i = 0; i < m; i++) {
    const float* s = acc.data() + i * ld;
    float* o = c + i * ldc;
    if (accumulate) for (int64_t j = 0; j < n; j++) o[j] += s[j];
    else std::memcpy(o, s, (size_t)n * sizeof(float));
  }
  return true;
}

}  // namespace nt
