// gemm.cc - the matmul kernel, t0[b] = alpha * t1[b] @ t2[b] + beta * t0[b], and its naive reference.
//
// float32/float64 take a cache-blocked GEMM in the BLIS/GotoBLAS manner: B is packed a KC x NC slab at a time into
// NR-column slivers (one slab shared by all the threads, which split its A blocks), A into MR-row slivers, and a
// register-blocked FMA micro-kernel (AVX-512 14x32, AVX2 6x16, or portable; picked at run time) computes each tile
// of C. Packing reads the operands through their strides (transposes are done in registers), so transposed and
// broadcast inputs are never copied. With AVX-512, products with a side <= 16 or k <= 32 whose operands fit L2 (the
// 10-class output layer's forward, input and weight gradients) take register-blocked kernels that read B in place
// (Note [small-side kernels]). Other skinny products (m or n <= 16: batch-1 layers, mv) are memory-bound and read
// B once in its own layout instead (up to 16 rows, in groups of 8); tiny ones take a direct loop. Integer dtypes take a simple exact loop, and
// float16/bfloat16 are computed in float32 temporaries (accumulating in float, as PyTorch's CPU does).
// Threads come from the small pool of our own that every CPU kernel uses (Note [thread pool] in pool.cc).
//
// Convention: t0 [b,m,n], t1 [b,m,k], t2 [b,k,n], 3-D with any strides (0 for a broadcast batch); a 2-D operand
// is a batch of one.
//   a0 = alpha, a1 = beta (beta == 0: t0 is write-only, never read, so NaNs in fresh memory cannot leak),
//   a2 = path (0 auto, 1 naive, 2 blocked, 3 direct, 4 skinny when m or n <= 16, 5 the small-side kernels of
//   Note [small-side kernels] on any size (AVX-512; else blocked)), a3 = micro-kernel (0 auto,
//   1 avx512, 2 avx2, 3 portable, 4 bfloat16 operands on AVX512-BF16's vdpbf16ps, 5 on AMX tiles:
//   gemm_bf16.cc).
// a2/a3 let the tests check every path against the naive one on any machine; NODETORCH_GEMM=naive|blocked|direct
// sets the default path (debugging).
#include <immintrin.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <unistd.h>
#include "../kernels/matmul_check.h"
#include "cpu.h"

namespace nt {

namespace {

#define NT_AVX512 __attribute__((target("avx512f,fma")))
#define NT_AVX2 __attribute__((target("avx2,fma")))

enum Path { P_AUTO = 0, P_NAIVE = 1, P_BLOCKED = 2, P_DIRECT = 3, P_SKINNY = 4, P_SMALL = 5 };
enum Isa { I_AUTO = 0, I_AVX512 = 1, I_AVX2 = 2, I_PORTABLE = 3, I_BF16 = 4, I_AMX = 5 };

// One matrix operand: element pointer and element strides.
template <typename T>
struct Mat {
  T* p;
  int64_t rs, cs;
  T& at(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

// ---------------------------------------------------------------------------------------------------------------
// naive reference: the algorithmic definition, accumulating in double (float types) or wrapping int64 (integers)
// ---------------------------------------------------------------------------------------------------------------
template <typename T, typename Acc>
void matmul_naive(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, double alpha, double beta) {
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      Acc acc = 0;
      for (int64_t p = 0; p < k; p++) acc += (Acc)A.at(i, p) * (Acc)B.at(p, j);
      double r = alpha * (double)acc;
      if (beta != 0) r += beta * (double)C.at(i, j);
      C.at(i, j) = (T)r;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// thread-local, 64-byte aligned scratch for the packed panels (grown on demand, never on the hot path again)
// ---------------------------------------------------------------------------------------------------------------
struct Scratch {
  void* p = nullptr;
  size_t n = 0;
  ~Scratch() { std::free(p); }
  template <typename T> T* get(size_t count) {
    size_t bytes = ((count * sizeof(T)) + 63) & ~(size_t)63;
    if (bytes > n) {
      std::free(p);
      p = std::aligned_alloc(64, bytes);
      if (!p) { n = 0; throw std::bad_alloc(); }
      n = bytes;
    }
    return static_cast<T*>(p);
  }
};
thread_local Scratch tl_apack, tl_bpack, tl_row;

// C tile update shared by every micro-kernel's scalar edge: mode 0 C = t, 1 C += t, 2 C = beta*C + t
template <typename T>
inline void apply_tile(const T* t, int64_t ldt, int mr, int nr, Mat<T> C, int mode, T beta) {
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) {
      T& c = C.at(i, j);
      T v = t[i * ldt + j];
      c = mode == 0 ? v : mode == 1 ? c + v : beta * c + v;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// micro-kernels: C[MR x NR] (row stride ldc, unit column stride) op= A-sliver (kc x MR, packed) * B-sliver
// (kc x NR, packed). The accumulators live in registers for the whole kc loop; one body serves every ISA.
// ---------------------------------------------------------------------------------------------------------------
#define NT_UKR_BODY(REG, W, ZERO, LOAD, SET1, FMA, LOADU, STOREU)                                     \
  REG c[MR][NV];                                                                                    \
  _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)                                             \
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) c[i][j] = ZERO();                          \
  _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {  /* C's tile is read or written at the end */ \
    _mm_prefetch((const char*)(C + i * ldc), _MM_HINT_T0);                                          \
    _mm_prefetch((const char*)(C + i * ldc + W * NV - 1), _MM_HINT_T0);                             \
  }                                                                                                 \
  _Pragma("GCC unroll 4") for (int64_t p = 0; p < kc; p++) {                                        \
    REG b[NV];                                                                                      \
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) b[j] = LOAD(B + W * j);                  \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {                                         \
      REG a = SET1(A[i]);                                                                           \
      _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) c[i][j] = FMA(a, b[j], c[i][j]);         \
    }                                                                                               \
    A += MR;                                                                                        \
    B += W * NV;                                                                                    \
  }                                                                                                 \
  if (mode == 0) {                                                                                  \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)                                           \
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) STOREU(C + i * ldc + W * j, c[i][j]);    \
  } else if (mode == 1) {                                                                           \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)                                           \
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {                                        \
      T* q = C + i * ldc + W * j;                                                                   \
      STOREU(q, LOADU(q) + c[i][j]);                                                                \
    }                                                                                               \
  } else {                                                                                          \
    REG bv = SET1(beta);                                                                            \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)                                           \
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) {                                        \
      T* q = C + i * ldc + W * j;                                                                   \
      STOREU(q, FMA(bv, LOADU(q), c[i][j]));                                                        \
    }                                                                                               \
  }

template <int MR, int NV>
NT_AVX512 void ukr_avx512_f32(int64_t kc, const float* __restrict A, const float* __restrict B, float* C, int64_t ldc, int mode, float beta) {
  using T = float;
  NT_UKR_BODY(__m512, 16, _mm512_setzero_ps, _mm512_load_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_storeu_ps)
}
template <int MR, int NV>
NT_AVX512 void ukr_avx512_f64(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, int mode, double beta) {
  using T = double;
  NT_UKR_BODY(__m512d, 8, _mm512_setzero_pd, _mm512_load_pd, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_storeu_pd)
}
template <int MR, int NV>
NT_AVX2 void ukr_avx2_f32(int64_t kc, const float* __restrict A, const float* __restrict B, float* C, int64_t ldc, int mode, float beta) {
  using T = float;
  NT_UKR_BODY(__m256, 8, _mm256_setzero_ps, _mm256_load_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_storeu_ps)
}
template <int MR, int NV>
NT_AVX2 void ukr_avx2_f64(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, int mode, double beta) {
  using T = double;
  NT_UKR_BODY(__m256d, 4, _mm256_setzero_pd, _mm256_load_pd, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_storeu_pd)
}
#undef NT_UKR_BODY

// portable: plain C++ the compiler vectorises for the baseline ISA
template <typename T, int MR, int NR>
void ukr_portable(int64_t kc, const T* __restrict A, const T* __restrict B, T* C, int64_t ldc, int mode, T beta) {
  T c[MR][NR] = {};
  for (int64_t p = 0; p < kc; p++) {
    for (int i = 0; i < MR; i++) {
      T a = A[i];
      for (int j = 0; j < NR; j++) c[i][j] += a * B[j];
    }
    A += MR;
    B += NR;
  }
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NR; j++) {
      T& o = C[i * ldc + j];
      o = mode == 0 ? c[i][j] : mode == 1 ? o + c[i][j] : beta * o + c[i][j];
    }
}

// ---------------------------------------------------------------------------------------------------------------
// transposing copies for packing: dst[q * ldd + r] = alpha * src[r * lds + q] for r < rows (<= one register's
// lanes), q < len, in 8x8 (float) / 4x4 (double) register transposes; lanes past `rows` are not written.
// ---------------------------------------------------------------------------------------------------------------
NT_AVX2 void tpack_f32(const float* src, int64_t lds, int rows, int64_t len, float* dst, int64_t ldd, float alpha) {
  __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), lanes);
  __m256 al = _mm256_set1_ps(alpha);
  int64_t q = 0;
  for (; q + 8 <= len; q += 8) {
    __m256 r[8];
    // rows are short streams (kc long) far apart: fetch two lines ahead, which the hardware prefetcher would not
    if ((q & 15) == 0)
      for (int i = 0; i < rows; i++) _mm_prefetch((const char*)(src + i * lds + q + 32), _MM_HINT_T0);
    for (int i = 0; i < 8; i++) r[i] = i < rows ? _mm256_loadu_ps(src + i * lds + q) : _mm256_setzero_ps();
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 o[8] = {_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
                   _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
                   _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
                   _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31)};
    for (int i = 0; i < 8; i++) {
      __m256 v = alpha == 1.0f ? o[i] : _mm256_mul_ps(o[i], al);
      if (rows == 8) _mm256_storeu_ps(dst + (q + i) * ldd, v);
      else _mm256_maskstore_ps(dst + (q + i) * ldd, mask, v);
    }
  }
  for (; q < len; q++)
    for (int i = 0; i < rows; i++) dst[q * ldd + i] = alpha * src[i * lds + q];
}
NT_AVX2 void tpack_f64(const double* src, int64_t lds, int rows, int64_t len, double* dst, int64_t ldd, double alpha) {
  __m256i mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(rows), _mm256_setr_epi64x(0, 1, 2, 3));
  __m256d al = _mm256_set1_pd(alpha);
  int64_t q = 0;
  for (; q + 4 <= len; q += 4) {
    __m256d r[4];
    for (int i = 0; i < 4; i++) r[i] = i < rows ? _mm256_loadu_pd(src + i * lds + q) : _mm256_setzero_pd();
    __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    __m256d o[4] = {_mm256_permute2f128_pd(t0, t2, 0x20), _mm256_permute2f128_pd(t1, t3, 0x20),
                    _mm256_permute2f128_pd(t0, t2, 0x31), _mm256_permute2f128_pd(t1, t3, 0x31)};
    for (int i = 0; i < 4; i++) {
      __m256d v = alpha == 1.0 ? o[i] : _mm256_mul_pd(o[i], al);
      if (rows == 4) _mm256_storeu_pd(dst + (q + i) * ldd, v);
      else _mm256_maskstore_pd(dst + (q + i) * ldd, mask, v);
    }
  }
  for (; q < len; q++)
    for (int i = 0; i < rows; i++) dst[q * ldd + i] = alpha * src[i * lds + q];
}
inline void tpack(const float* s, int64_t lds, int rows, int64_t len, float* d, int64_t ldd, float alpha) { tpack_f32(s, lds, rows, len, d, ldd, alpha); }
inline void tpack(const double* s, int64_t lds, int rows, int64_t len, double* d, int64_t ldd, double alpha) { tpack_f64(s, lds, rows, len, d, ldd, alpha); }
template <typename T> constexpr int tpack_lanes() { return 32 / (int)sizeof(T); }

// transposing pack of `n` source vectors (stride lds, contiguous along q) into dst[q * W + r], r < n <= W, with
// zeros for r >= n
template <typename T, int W>
void tpack_all(const T* src, int64_t lds, int n, int64_t len, T* dst, T alpha) {
  constexpr int L = tpack_lanes<T>();
  if (cpu_has_avx2()) {
    for (int r0 = 0; r0 < W; r0 += L) {
      int rows = std::min(L, std::max(0, n - r0));
      int width = std::min(L, W - r0);
      // rows <= width always (n <= W), and tpack writes only lanes < rows, so a part-width group (the 6 of
      // AVX2's 6-row A slivers, the last 6 of AVX-512's 14) transposes in registers too
      if (rows > 0) tpack(src + r0 * lds, lds, rows, len, dst + r0, W, alpha);
      for (int i = rows; i < width; i++) for (int64_t q = 0; q < len; q++) dst[q * W + r0 + i] = T(0);
    }
    return;
  }
  for (int64_t q0 = 0; q0 < len; q0 += 16) {  // no AVX2: a cache line of each vector per step, writes within L1
    int64_t qe = std::min<int64_t>(16, len - q0);
    for (int r = 0; r < n; r++)
      for (int64_t q = 0; q < qe; q++) dst[(q0 + q) * W + r] = alpha * src[r * lds + q0 + q];
    for (int r = n; r < W; r++)
      for (int64_t q = 0; q < qe; q++) dst[(q0 + q) * W + r] = T(0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// packing (zero-padded to full slivers so the micro-kernel never sees a ragged edge)
// ---------------------------------------------------------------------------------------------------------------
// B[kc x nc] -> slivers of NR columns, each kc rows of NR contiguous values; slivers [s0, s1) only
template <typename T, int NR>
void pack_b(T* __restrict dst, Mat<const T> B, int64_t kc, int64_t nc, int64_t s0, int64_t s1) {
  if (B.cs == 1) {  // row-major B: walk each row once across all full slivers (long contiguous reads)
    int64_t full = std::min(s1, nc / NR);
    if (full > s0) {
      for (int64_t p = 0; p < kc; p++) {
        const T* r = B.p + p * B.rs + s0 * NR;
        T* d = dst + s0 * kc * NR + p * NR;
        for (int64_t s = s0; s < full; s++, r += NR, d += kc * NR) memcpy(d, r, NR * sizeof(T));
      }
      s0 = full;
    }
  }
  for (int64_t s = s0; s < s1; s++) {
    int64_t j0 = s * NR, nr = std::min<int64_t>(NR, nc - j0);
    T* d = dst + s * kc * NR;
    const T* src = B.p + j0 * B.cs;
    if (B.rs == 1 && B.cs != 1) {  // columns contiguous (a transposed B)
      tpack_all<T, NR>(src, B.cs, (int)nr, kc, d, T(1));
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const T* r = src + p * B.rs;
        int64_t j = 0;
        for (; j < nr; j++) d[p * NR + j] = r[j * B.cs];
        for (; j < NR; j++) d[p * NR + j] = T(0);
      }
    }
  }
}

// A[mc x kc] -> slivers of MR rows, each kc columns of MR contiguous values, scaled by alpha
template <typename T, int MR>
void pack_a(T* __restrict dst, Mat<const T> A, int64_t mc, int64_t kc, T alpha) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    int64_t mr = std::min<int64_t>(MR, mc - i0);
    T* d = dst + i0 * kc;
    if (A.rs == 1 && mr == MR) {  // rows contiguous in memory (a transposed A)
      for (int64_t p = 0; p < kc; p++) {
        const T* col = A.p + p * A.cs + i0;
        for (int i = 0; i < MR; i++) d[p * MR + i] = alpha * col[i];
      }
    } else if (A.cs == 1) {  // row-major A
      tpack_all<T, MR>(A.p + i0 * A.rs, A.rs, (int)mr, kc, d, alpha);
    } else {
      for (int64_t i = 0; i < mr; i++) {
        const T* row = A.p + (i0 + i) * A.rs;
        for (int64_t p = 0; p < kc; p++) d[p * MR + i] = alpha * row[p * A.cs];
      }
      for (int64_t i = mr; i < MR; i++)
        for (int64_t p = 0; p < kc; p++) d[p * MR + i] = T(0);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the blocked drivers: run_seq (one thread) and run_par (several) below; the older parallel driver after them
// (NODETORCH_GEMM_SEQ=2 on several threads, =0 always) is kept for comparison. It packs B once per super-panel
// (all of K x up to NSP columns, ~4 MB, L3-resident; two buffers, so threads done with one panel go on to pack the
// next without waiting for the others) by all threads, KC-row blocks of NR-column slivers; then C is cut into blocks of mb x nb slivers that threads claim
// one at a time. Inside a block: pc (KC) > pack A (alpha folded in) > ir (MR sliver, stays in L1) > jr (NR sliver
// of B, streams from L2). Claiming work from a counter, rather than splitting it statically between barriers,
// keeps a thread that the OS descheduled from stalling the others (these machines are shared).
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
using UkrFn = void (*)(int64_t, const T*, const T*, T*, int64_t, int, T);
// one MR x NR tile of C += A sliver x B sliver: straight into C when whole and unit-stride along rows, else through
// the tile buffer and apply_tile (edges, strided C)
template <typename T, int MR, int NR, UkrFn<T> UKR>
inline void micro_tile(int64_t kc, const T* as, const T* bs, int mr, int nr, Mat<T> Ct, int mode, T beta, T* tile) {
  if (mr == MR && nr == NR && Ct.cs == 1) {
    UKR(kc, as, bs, Ct.p, Ct.rs, mode, beta);
  } else {
    UKR(kc, as, bs, tile, NR, 0, T(0));
    apply_tile(tile, NR, mr, nr, Ct, mode, beta);
  }
}

// waits for work another thread claimed; after a short spin it yields, since on a busy machine that thread may be
// waiting for this very core
inline void spin_until(const std::atomic<int64_t>& v, int64_t target) {
  for (int i = 0; v.load(std::memory_order_acquire) < target; i++) {
    if (i < 2048) _mm_pause();
    else std::this_thread::yield();
  }
}

// The per-core L2 size decides how many B slivers one block streams past each A sliver (Note [blocking per CPU]):
// sysconf, else sysfs, else 512 KiB (the smallest of the x86 server parts these kernels target: Zen 2/3).
// NODETORCH_L2_KB overrides it (to try another CPU's blocking on this one).
inline int64_t l2_bytes() {
  static int64_t v = [] {
    if (const char* e = getenv("NODETORCH_L2_KB")) { long k = atol(e); if (k > 0) return (int64_t)k << 10; }
    long s = -1;
#ifdef _SC_LEVEL2_CACHE_SIZE
    s = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    if (s <= 0) {
      if (FILE* f = fopen("/sys/devices/system/cpu/cpu0/cache/index2/size", "r")) {
        long k = 0;
        char unit = 0;
        if (fscanf(f, "%ld%c", &k, &unit) >= 1) s = unit == 'M' ? k << 20 : k << 10;
        fclose(f);
      }
    }
    return s > 0 ? (int64_t)s : (int64_t)512 << 10;
  }();
  return v;
}

template <typename T, int MR, int NR, UkrFn<T> UKR>
struct Blocked {
  static int64_t kc_of() {
    static const int64_t v = [] { const char* e = getenv("NODETORCH_GEMM_KC"); long x = e ? atol(e) : 0; return x > 0 ? (int64_t)x : (int64_t)(sizeof(T) == 4 ? 256 : 192); }();
    return v;
  }
  static constexpr int64_t NSP = (int64_t)(4 << 20) / (int64_t)sizeof(T);  // elements of one packed super-panel
  static constexpr int64_t MB_MAX = 16, NB_MAX = (sizeof(T) == 4 ? 512 : 256) / NR;  // block size in slivers

  // One thread: the BLIS loop order. A KC-row slab of B (up to NC columns, L3) is packed once, and each MC-row
  // block of A (L2) once per slab; B slivers stay in L1 while the A slivers stream past them. A is packed once
  // per NC columns instead of once per 512 (the parallel order below re-packs A for every column block).
  static void run_seq(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta) {
    const int64_t KC = kc_of();
    const int64_t NC = std::max<int64_t>(NR, ((int64_t)(4 << 20) / (KC * (int64_t)sizeof(T))) / NR * NR);  // 4 MiB slabs
    const int64_t MC = MR * std::max<int64_t>(4, std::min<int64_t>(24, l2_bytes() / 4 / (MR * KC * (int64_t)sizeof(T))));
    const int64_t kcmax = std::min(KC, k), ncmax = std::min(NC, n);
    T* bpack = tl_bpack.get<T>((size_t)(kcmax * ((ncmax + NR - 1) / NR) * NR));
    T* apack = tl_apack.get<T>((size_t)(std::min(MC, (m + MR - 1) / MR * MR) * kcmax));
    alignas(64) T tile[MR * NR];
    int bmode = beta == T(0) ? 0 : (beta == T(1) ? 1 : 2);
    for (int64_t jc = 0; jc < n; jc += NC) {
      int64_t nc = std::min(NC, n - jc), nsl = (nc + NR - 1) / NR;
      for (int64_t pc = 0; pc < k; pc += KC) {
        int64_t kc = std::min(KC, k - pc);
        int mode = pc > 0 ? 1 : bmode;
        pack_b<T, NR>(bpack, Mat<const T>{B.p + pc * B.rs + jc * B.cs, B.rs, B.cs}, kc, nc, 0, nsl);
        for (int64_t ic = 0; ic < m; ic += MC) {
          int64_t mc = std::min(MC, m - ic);
          pack_a<T, MR>(apack, Mat<const T>{A.p + ic * A.rs + pc * A.cs, A.rs, A.cs}, mc, kc, alpha);
          for (int64_t s = 0; s < nsl; s++) {
            int64_t j = jc + s * NR;
            int nr = (int)std::min<int64_t>(NR, n - j);
            const T* bs = bpack + s * kc * NR;
            for (int64_t ir = 0; ir < mc; ir += MR) {
              int mr = (int)std::min<int64_t>(MR, mc - ir);
              const T* as = apack + ir * kc;
              Mat<T> Ct{C.p + (ic + ir) * C.rs + j * C.cs, C.rs, C.cs};
              micro_tile<T, MR, NR, UKR>(kc, as, bs, mr, nr, Ct, mode, beta, tile);
            }
          }
        }
      }
    }
  }

  // Several threads, the same loop order: the threads share each KC x NC slab of B (packed cooperatively into one
  // of two buffers: a thread done with slab g packs g+1 while the others finish g), then split the slab's work
  // into items of (A rows x B slivers): whole MC-row blocks where there are enough rows (each thread packs only
  // its own A blocks, and the item count is a multiple of the thread count so that equal shares come out even),
  // else column ranges of the slab. Items are claimed from a counter (a descheduled thread on a shared machine
  // delays only its own item); item x of slab g waits only for item x of slab g-1 (the same C tiles), so there
  // is no barrier between slabs beyond waiting for the slab's packing. Every C tile still sums its KC blocks in
  // order with the same micro-kernel: results are bit-identical to one thread's.
  struct ParScratch {
    std::atomic<int64_t>* p = nullptr;
    size_t n = 0;
    ~ParScratch() { delete[] p; }
    std::atomic<int64_t>* get(size_t count) {
      if (count > n) {
        delete[] p;
        p = nullptr;
        n = 0;
        p = new std::atomic<int64_t>[count];
        n = count;
      }
      for (size_t i = 0; i < count; i++) p[i].store(0, std::memory_order_relaxed);
      return p;
    }
  };
  static void run_par(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
    static thread_local ParScratch tl_ctr;
    const int64_t KC = kc_of();
    const int64_t NC = std::max<int64_t>(NR, ((int64_t)(4 << 20) / (KC * (int64_t)sizeof(T))) / NR * NR);
    const int64_t mc_sl = std::max<int64_t>(4, std::min<int64_t>(24, l2_bytes() / 4 / (MR * KC * (int64_t)sizeof(T))));
    const int64_t msl = (m + MR - 1) / MR, kcmax = std::min(KC, k), ncmax = std::min(NC, n);
    const int64_t nsl_max = (ncmax + NR - 1) / NR;
    // items per slab: nmb row blocks x nnb column ranges
    int64_t nmb = (msl + mc_sl - 1) / mc_sl, nnb = 1;
    if (msl >= 4 * nth || (msl >= nth && msl % nth == 0)) {
      nmb = std::max<int64_t>(nmb, nth);
      nmb = std::min(msl, (nmb + nth - 1) / nth * nth);
    } else {  // few rows: split the columns as well
      while ((nmb * nnb) % nth != 0 && nnb < nsl_max) nnb++;
      if (nmb * nnb < nth) nnb = std::min(nsl_max, (int64_t)nth);
    }
    const int64_t nitems = nmb * nnb, mb_max = (msl + nmb - 1) / nmb;
    const int64_t njc = (n + NC - 1) / NC, npc = (k + KC - 1) / KC, nslab = njc * npc;
    const size_t bsz = (size_t)(kcmax * nsl_max * NR + 16);  // one buffer (64-byte aligned: 16 floats / 8 doubles)
    T* bbuf = tl_bpack.get<T>(2 * bsz);
    // per slab: next pack task, packed tasks, next item, finished items; then per item position: slabs finished
    std::atomic<int64_t>* ctr = tl_ctr.get((size_t)(4 * nslab + nitems));
    std::atomic<int64_t>* idone = ctr + 4 * nslab;
    int bmode = beta == T(0) ? 0 : (beta == T(1) ? 1 : 2);

    auto body = [&](int) {
      T* apack;
      try { apack = tl_apack.get<T>((size_t)(mb_max * MR * kcmax)); } catch (...) { return; }  // the others take its items
      alignas(64) T tile[MR * NR];
      for (int64_t g = 0; g < nslab; g++) {
        std::atomic<int64_t>* c4 = ctr + 4 * g;
        int64_t jc = (g / npc) * NC, pc = (g % npc) * KC;
        int64_t nc = std::min(NC, n - jc), kc = std::min(KC, k - pc), nsl = (nc + NR - 1) / NR;
        int mode = pc > 0 ? 1 : bmode;
        T* bpack = bbuf + (g & 1) * bsz;
        // pack tasks of G slivers (long reads along B's rows or columns), about two per thread
        const int64_t G = std::max<int64_t>(1, std::min<int64_t>(B.cs == 1 ? 64 : 16, (nsl + 2 * nth - 1) / (2 * nth)));
        const int64_t ntask = (nsl + G - 1) / G;
        if (c4[0].load(std::memory_order_relaxed) < ntask) {
          if (g > 1) spin_until(ctr[4 * (g - 2) + 3], nitems);  // buffer g & 1 held slab g-2
          Mat<const T> Bp{B.p + pc * B.rs + jc * B.cs, B.rs, B.cs};
          for (int64_t t; (t = c4[0].fetch_add(1, std::memory_order_relaxed)) < ntask;) {
            pack_b<T, NR>(bpack, Bp, kc, nc, t * G, std::min(nsl, t * G + G));
            c4[1].fetch_add(1, std::memory_order_release);
          }
        }
        spin_until(c4[1], ntask);
        for (int64_t x; (x = c4[2].fetch_add(1, std::memory_order_relaxed)) < nitems;) {
          int64_t bi = x / nnb, bj = x % nnb;
          int64_t i0 = (bi * msl / nmb) * MR, i1 = std::min(m, ((bi + 1) * msl / nmb) * MR);
          int64_t s0 = bj * nsl / nnb, s1 = (bj + 1) * nsl / nnb;
          if (g > 0) spin_until(idone[x], g);  // the same C tiles in slab g-1
          if (i1 > i0 && s1 > s0) {
            pack_a<T, MR>(apack, Mat<const T>{A.p + i0 * A.rs + pc * A.cs, A.rs, A.cs}, i1 - i0, kc, alpha);
            for (int64_t s = s0; s < s1; s++) {
              int64_t j = jc + s * NR;
              int nr = (int)std::min<int64_t>(NR, n - j);
              const T* bs = bpack + s * kc * NR;
              for (int64_t ir = i0; ir < i1; ir += MR) {
                int mr = (int)std::min<int64_t>(MR, i1 - ir);
                const T* as = apack + (ir - i0) * kc;
                Mat<T> Ct{C.p + ir * C.rs + j * C.cs, C.rs, C.cs};
                micro_tile<T, MR, NR, UKR>(kc, as, bs, mr, nr, Ct, mode, beta, tile);
              }
            }
          }
          idone[x].fetch_add(1, std::memory_order_release);
          c4[3].fetch_add(1, std::memory_order_release);
        }
      }
    };
    pool_run(nth, body);
    if (ctr[4 * (nslab - 1) + 3].load() < nitems) throw std::bad_alloc();  // no thread got scratch memory
  }

  static void run(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
    static const int seq_mode = [] { const char* e = getenv("NODETORCH_GEMM_SEQ"); return e ? atoi(e) : 1; }();
    if (nth <= 1 && seq_mode) { run_seq(m, n, k, A, B, C, alpha, beta); return; }
    if (nth > 1 && seq_mode == 1) { run_par(m, n, k, A, B, C, alpha, beta, nth); return; }
    const int64_t KC = kc_of();
    int64_t nsl_all = (n + NR - 1) / NR, msl = (m + MR - 1) / MR;
    int64_t sp_sl = std::max<int64_t>(1, std::min(nsl_all, NSP / (std::max<int64_t>(k, 1) * NR)));  // slivers per super-panel
    int64_t nsp = (nsl_all + sp_sl - 1) / sp_sl;
    // block shape: as large as the caches like, then fewer rows (each column block re-packs its A rows, so
    // splitting columns costs more) until there are a few blocks per thread
    // Note [blocking per CPU]: the nb B slivers of a block (nb * NR * KC elements) stream from L2 past every A
    // sliver, so they are held to half of this CPU's L2: 512 KiB of B on a 2 MiB-L2 Xeon, 256 KiB on a 512 KiB-L2
    // EPYC (where the fixed 512 KiB spilled to L3 and the AVX2 path ran at 0.87-0.93x PyTorch)
    const int64_t nb_cap = std::max<int64_t>(4, std::min<int64_t>(NB_MAX, l2_bytes() / 2 / (NR * KC * (int64_t)sizeof(T))));
    int64_t mb = std::min(msl, MB_MAX), nb = std::min(sp_sl, nb_cap);
    // small blocks (~0.3 ms each) also bound how long the last one keeps the others waiting when a core is shared
    int64_t want = nth > 1 ? std::max<int64_t>(4 * nth, 2 * m * n * std::max<int64_t>(k, 1) / 30000000) : 1;
    auto nblocks = [&] { return ((msl + mb - 1) / mb) * ((sp_sl + nb - 1) / nb); };
    while (nblocks() < want && (mb > 1 || nb > 1)) {
      if (mb > 1) mb = (mb + 1) / 2;
      else nb = (nb + 1) / 2;
    }
    int64_t kcmax = std::min(KC, k);
    T* bpack2 = tl_bpack.get<T>((size_t)(2 * k * sp_sl * NR));
    // per super-panel: next pack sliver, packed count, next block, finished count
    std::vector<std::atomic<int64_t>> ctr((size_t)(4 * nsp));
    for (auto& x : ctr) x.store(0, std::memory_order_relaxed);
    int bmode = beta == T(0) ? 0 : (beta == T(1) ? 1 : 2);

    auto body = [&]() -> bool {
      T* apack;
      try { apack = tl_apack.get<T>((size_t)(mb * MR * kcmax)); } catch (...) { return false; }  // before claiming work
      alignas(64) T tile[MR * NR];
      for (int64_t sp = 0; sp < nsp; sp++) {
        std::atomic<int64_t>* c4 = &ctr[(size_t)(4 * sp)];
        int64_t j_sp = sp * sp_sl * NR, nsp_n = std::min(sp_sl * NR, n - j_sp), nsl = (nsp_n + NR - 1) / NR;
        T* bpack = bpack2 + (sp & 1) * k * sp_sl * NR;  // free once panel sp-2 is done
        if (sp > 1) spin_until(ctr[(size_t)(4 * (sp - 2) + 3)], ((msl + mb - 1) / mb) * ((sp_sl + nb - 1) / nb));
        // pack: one task = a KC-row block of G slivers (long contiguous reads of B's rows or columns);
        // layout [pc block][sliver][kc][NR]
        const int64_t npc = (k + KC - 1) / KC;
        const int64_t G = std::max<int64_t>(1, std::min<int64_t>(B.cs == 1 ? 32 : 8, (nsl * npc + 2 * nth - 1) / (2 * nth) / npc));
        const int64_t ntask = npc * ((nsl + G - 1) / G);
        for (int64_t t; (t = c4[0].fetch_add(1, std::memory_order_relaxed)) < ntask;) {
          int64_t s0 = (t / npc) * G, s1 = std::min(nsl, s0 + G), pc = (t % npc) * KC, kc = std::min(KC, k - pc);
          Mat<const T> Bp{B.p + pc * B.rs + j_sp * B.cs, B.rs, B.cs};
          pack_b<T, NR>(bpack + pc * nsl * NR, Bp, kc, nsp_n, s0, s1);
          c4[1].fetch_add(1, std::memory_order_release);
        }
        spin_until(c4[1], ntask);
        int64_t nbj = (nsl + nb - 1) / nb, nblk = ((msl + mb - 1) / mb) * nbj;
        for (int64_t blk; (blk = c4[2].fetch_add(1, std::memory_order_relaxed)) < nblk;) {
          int64_t bi = blk / nbj, bj = blk % nbj;
          int64_t i0 = bi * mb * MR, i1 = std::min(m, i0 + mb * MR);
          int64_t s0 = bj * nb, s1 = std::min(nsl, s0 + nb);
          for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = std::min(KC, k - pc);
            int mode = pc > 0 ? 1 : bmode;
            pack_a<T, MR>(apack, Mat<const T>{A.p + i0 * A.rs + pc * A.cs, A.rs, A.cs}, i1 - i0, kc, alpha);
            const T* bblock = bpack + pc * nsl * NR;
            for (int64_t ir = i0; ir < i1; ir += MR) {
              int mr = (int)std::min<int64_t>(MR, i1 - ir);
              const T* as = apack + (ir - i0) * kc;
              for (int64_t s = s0; s < s1; s++) {
                int64_t j = j_sp + s * NR;
                int nr = (int)std::min<int64_t>(NR, n - j);
                const T* bs = bblock + s * kc * NR;
                Mat<T> Ct{C.p + ir * C.rs + j * C.cs, C.rs, C.cs};
                micro_tile<T, MR, NR, UKR>(kc, as, bs, mr, nr, Ct, mode, beta, tile);
              }
            }
          }
          c4[3].fetch_add(1, std::memory_order_release);
        }
      }
      return true;
    };
    if (nth <= 1) {
      if (!body()) throw std::bad_alloc();
    } else {
      pool_run(nth, [&](int) { body(); });
      if (ctr[(size_t)(4 * (nsp - 1) + 3)].load() < ((msl + mb - 1) / mb) * ((nsl_all - (nsp - 1) * sp_sl + nb - 1) / nb))
        throw std::bad_alloc();  // no thread could get scratch memory
    }
  }
};

// ---------------------------------------------------------------------------------------------------------------
// skinny products (m <= 8 after orienting, e.g. a batch-1 Linear, mv, GEMV): memory-bound on B, so B is read once
// in its own layout instead of being packed. Rows of B contiguous: acc[m][w] += A[i,p] * B[p, j-chunk] over p, the
// accumulators in L1. Columns of B contiguous: m dot products per column, the column read once. Compiled for each
// ISA and picked at run time (NT_SKINNY_ISA below).
// ---------------------------------------------------------------------------------------------------------------
constexpr int kSkinnyMax = 16;  // up to 16 rows (the 10-class output layer of an MLP and its weight gradient)
constexpr int64_t kSkinnyChunk = 512;  // columns per chunk: m x 512 accumulators fit L1

template <typename T>
__attribute__((always_inline)) inline void skinny_rows_body(int64_t m, int64_t k, const T* A, int64_t ars, int64_t acs,
                                                           const T* B, int64_t brs, T* acc, int64_t w) {
  for (int64_t i = 0; i < m * w; i++) acc[i] = T(0);
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {  // four rows of B per pass: a quarter of the accumulator traffic
    const T *b0 = B + p * brs, *b1 = b0 + brs, *b2 = b1 + brs, *b3 = b2 + brs;
    for (int64_t i = 0; i < m; i++) {
      const T* a = A + i * ars + p * acs;
      T a0 = a[0], a1 = a[acs], a2 = a[2 * acs], a3 = a[3 * acs];
      T* o = acc + i * w;
#pragma omp simd
      for (int64_t j = 0; j < w; j++) o[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
    }
  }
  for (; p < k; p++) {
    const T* b = B + p * brs;
    for (int64_t i = 0; i < m; i++) {
      T a = A[i * ars + p * acs];
      T* o = acc + i * w;
#pragma omp simd
      for (int64_t j = 0; j < w; j++) o[j] += a * b[j];
    }
  }
}

// s[i] = dot(A row i (contiguous), column (contiguous)) for i < M, with vector-extension accumulators
template <typename T, int M>
__attribute__((always_inline)) inline void skinny_dots(int64_t k, const T* A, int64_t lda, const T* col, T* s) {
  constexpr int W = 64 / sizeof(T);
  typedef T V __attribute__((vector_size(64)));
  V acc[M];
  for (int i = 0; i < M; i++) acc[i] = V{};
  int64_t p = 0;
  for (; p + W <= k; p += W) {
    V b;
    memcpy(&b, col + p, sizeof(V));
    for (int i = 0; i < M; i++) {
      V a;
      memcpy(&a, A + i * lda + p, sizeof(V));
      acc[i] += a * b;
    }
  }
  for (int i = 0; i < M; i++) {
    T t = 0;
    for (int l = 0; l < W; l++) t += acc[i][l];
    for (int64_t q = p; q < k; q++) t += A[i * lda + q] * col[q];
    s[i] = t;
  }
}
template <typename T>
__attribute__((always_inline)) inline void skinny_cols_body(int64_t m, int64_t k, const T* A, int64_t lda, const T* B,
                                                           int64_t bcs, int64_t j0, int64_t j1, T* out, int64_t ldo) {
  for (int64_t j = j0; j < j1; j++) {
    T s[kSkinnyMax];
    const T* col = B + j * bcs;
    for (int64_t i0 = 0; i0 < m; i0 += 8) {  // groups of up to 8 rows (the column stays in L1 between them)
      const T* a = A + i0 * lda;
      switch (std::min<int64_t>(8, m - i0)) {
        case 1: skinny_dots<T, 1>(k, a, lda, col, s + i0); break;
        case 2: skinny_dots<T, 2>(k, a, lda, col, s + i0); break;
        case 3: skinny_dots<T, 3>(k, a, lda, col, s + i0); break;
        case 4: skinny_dots<T, 4>(k, a, lda, col, s + i0); break;
        case 5: skinny_dots<T, 5>(k, a, lda, col, s + i0); break;
        case 6: skinny_dots<T, 6>(k, a, lda, col, s + i0); break;
        case 7: skinny_dots<T, 7>(k, a, lda, col, s + i0); break;
        default: skinny_dots<T, 8>(k, a, lda, col, s + i0); break;
      }
    }
    for (int64_t i = 0; i < m; i++) out[i * ldo + (j - j0)] = s[i];
  }
}

// one copy per ISA, chosen through cpu_has_avx512/avx2 (so NODETORCH_CPU_ISA reaches these too, unlike
// target_clones, which the loader resolves from the CPU alone)
#define NT_SKINNY_ISA(NAME, BODY, T, PARAMS, ARGS)                      \
  NT_AVX512 void NAME##_512 PARAMS { BODY<T> ARGS; }                    \
  NT_AVX2 void NAME##_256 PARAMS { BODY<T> ARGS; }                      \
  void NAME##_gen PARAMS { BODY<T> ARGS; }                              \
  void NAME PARAMS {                                                    \
    if (cpu_has_avx512()) NAME##_512 ARGS;                              \
    else if (cpu_has_avx2()) NAME##_256 ARGS;                           \
    else NAME##_gen ARGS;                                               \
  }
NT_SKINNY_ISA(skinny_rows_f32, skinny_rows_body, float,
              (int64_t m, int64_t k, const float* A, int64_t ars, int64_t acs, const float* B, int64_t brs, float* acc, int64_t w),
              (m, k, A, ars, acs, B, brs, acc, w))
NT_SKINNY_ISA(skinny_rows_f64, skinny_rows_body, double,
              (int64_t m, int64_t k, const double* A, int64_t ars, int64_t acs, const double* B, int64_t brs, double* acc, int64_t w),
              (m, k, A, ars, acs, B, brs, acc, w))
NT_SKINNY_ISA(skinny_cols_f32, skinny_cols_body, float,
              (int64_t m, int64_t k, const float* A, int64_t lda, const float* B, int64_t bcs, int64_t j0, int64_t j1, float* out, int64_t ldo),
              (m, k, A, lda, B, bcs, j0, j1, out, ldo))
NT_SKINNY_ISA(skinny_cols_f64, skinny_cols_body, double,
              (int64_t m, int64_t k, const double* A, int64_t lda, const double* B, int64_t bcs, int64_t j0, int64_t j1, double* out, int64_t ldo),
              (m, k, A, lda, B, bcs, j0, j1, out, ldo))
#undef NT_SKINNY_ISA
inline void skinny_rows(int64_t m, int64_t k, const float* A, int64_t ars, int64_t acs, const float* B, int64_t brs, float* acc, int64_t w) { skinny_rows_f32(m, k, A, ars, acs, B, brs, acc, w); }
inline void skinny_rows(int64_t m, int64_t k, const double* A, int64_t ars, int64_t acs, const double* B, int64_t brs, double* acc, int64_t w) { skinny_rows_f64(m, k, A, ars, acs, B, brs, acc, w); }
inline void skinny_cols(int64_t m, int64_t k, const float* A, int64_t lda, const float* B, int64_t bcs, int64_t j0, int64_t j1, float* out, int64_t ldo) { skinny_cols_f32(m, k, A, lda, B, bcs, j0, j1, out, ldo); }
inline void skinny_cols(int64_t m, int64_t k, const double* A, int64_t lda, const double* B, int64_t bcs, int64_t j0, int64_t j1, double* out, int64_t ldo) { skinny_cols_f64(m, k, A, lda, B, bcs, j0, j1, out, ldo); }

// C (m <= 8 rows) = alpha * A @ B + beta * C where B has unit row or column stride; false if it has neither
template <typename T>
bool gemm_skinny(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
  bool rows = B.cs == 1, cols = !rows && B.rs == 1;
  if (!rows && !cols) return false;
  // the dot form's 64-byte generic vectors are lowered for the baseline ISA, not the AVX2 target, and run at ~10
  // GFLOP/s there: below AVX-512 the blocked kernel is several times faster
  if (cols && !cpu_has_avx512()) return false;
  // dot form wants A's rows contiguous: copy them (m x k, small) when they are not
  std::vector<T> acopy;
  const T* Ap = A.p;
  int64_t lda = A.rs;
  if (cols && A.cs != 1) {
    acopy.resize((size_t)(m * k));
    for (int64_t i = 0; i < m; i++)
      for (int64_t p = 0; p < k; p++) acopy[(size_t)(i * k + p)] = A.at(i, p);
    Ap = acopy.data();
    lda = k;
  }
  const int64_t chunk = m > 8 ? kSkinnyChunk / 2 : kSkinnyChunk;  // m x chunk accumulators stay within 32 KiB
  int64_t nchunks = (n + chunk - 1) / chunk;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> finished{0};
  auto work = [&](int) {
    T* acc;
    try { acc = tl_row.get<T>((size_t)(m * chunk)); } catch (...) { return; }  // before claiming work
    for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nchunks;) {
      int64_t j0 = c * chunk, w = std::min(chunk, n - j0);
      if (rows) skinny_rows(m, k, A.p, A.rs, A.cs, B.p + j0, B.rs, acc, w);
      else skinny_cols(m, k, Ap, lda, B.p, B.cs, j0, j0 + w, acc, w);
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < w; j++) {
          T& o = C.at(i, j0 + j);
          o = beta == T(0) ? alpha * acc[i * w + j] : alpha * acc[i * w + j] + beta * o;
        }
      finished.fetch_add(1, std::memory_order_relaxed);
    }
  };
  if (nth > 1 && nchunks > 1) pool_run((int)std::min<int64_t>(nth, nchunks), work);
  else work(0);
  if (finished.load() < nchunks) throw std::bad_alloc();
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Note [small-side kernels] (issue 14): products with a side of <= 16 (the 10-class output layer of an MLP: forward
// x @ W^T, weight gradient dy^T @ x) or a short k (<= 32: its input gradient dy @ W) whose operands fit L2 take
// register-blocked AVX-512 kernels that read B where it lies, with no packing of B and no padded rows:
//  - rows form (B's rows contiguous): C[MR x NV vectors] += (alpha * A packed k x MR) * B rows, B loaded straight
//    from memory (masked at the right edge), the MR x NV accumulators in registers for the whole k, then written
//    once to C. MR follows m (a 10-row product runs 10-row tiles, not 14 with 4 padded), NV fills the registers.
//    Transposed A (A^T's rows contiguous) takes it as C^T = B^T A^T; B with neither layout is first transposed
//    into a row-major scratch (k x n, in L2).
//  - dot form (A's rows and B's columns contiguous, k >= 256: x @ W^T): R x Cc dot products at once (R + Cc loads
//    for R * Cc FMAs per W-wide step of k), masked tail, one horizontal sum each.
// Each element of C is one accumulator summed over p = 0..k-1 in order (the dot form: W lane sums, then their
// sum; one row by one vector in all: four partial sums) whatever the tiling, so the result does not depend on the
// thread count (threads split columns of C, or the dot form's blocks; a thread only from 2^20 multiply-adds).
// float32/float64, AVX-512 only: elsewhere the skinny and blocked paths below take these products. Per call at one
// thread on a Xeon with AVX-512, batch 64, before -> after: x @ W^T 17.9 -> 9.1 us, dy^T @ x 27 -> 8.6-10,
// dy @ W 14.4 -> 10.5-11.2 (PyTorch 1.13 + OpenBLAS: 11.7-13.8, 10.4-12.3, 10.2-12.0).
// ---------------------------------------------------------------------------------------------------------------
template <typename T> struct V5;
template <> struct V5<float> {
  using R = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  NT_AVX512 static inline __attribute__((always_inline)) R zero() { return _mm512_setzero_ps(); }
  NT_AVX512 static inline __attribute__((always_inline)) R loadm(M m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  NT_AVX512 static inline __attribute__((always_inline)) R load(const float* p) { return _mm512_loadu_ps(p); }
  NT_AVX512 static inline __attribute__((always_inline)) R set1(float a) { return _mm512_set1_ps(a); }
  NT_AVX512 static inline __attribute__((always_inline)) R fma(R a, R b, R c) { return _mm512_fmadd_ps(a, b, c); }
  NT_AVX512 static inline __attribute__((always_inline)) R add(R a, R b) { return _mm512_add_ps(a, b); }
  NT_AVX512 static inline __attribute__((always_inline)) void storem(float* p, M m, R v) { _mm512_mask_storeu_ps(p, m, v); }
  NT_AVX512 static inline __attribute__((always_inline)) void store(float* p, R v) { _mm512_storeu_ps(p, v); }
  NT_AVX512 static inline __attribute__((always_inline)) float sum(R v) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_castps512_ps256(_mm512_shuffle_f32x4(v, v, 0xEE)));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }
  static inline M mask(int64_t n) { return n >= W ? (M)0xFFFF : n <= 0 ? (M)0 : (M)((1u << n) - 1); }
};
template <> struct V5<double> {
  using R = __m512d;
  using M = __mmask8;
  static constexpr int W = 8;
  NT_AVX512 static inline __attribute__((always_inline)) R zero() { return _mm512_setzero_pd(); }
  NT_AVX512 static inline __attribute__((always_inline)) R loadm(M m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
  NT_AVX512 static inline __attribute__((always_inline)) R load(const double* p) { return _mm512_loadu_pd(p); }
  NT_AVX512 static inline __attribute__((always_inline)) R set1(double a) { return _mm512_set1_pd(a); }
  NT_AVX512 static inline __attribute__((always_inline)) R fma(R a, R b, R c) { return _mm512_fmadd_pd(a, b, c); }
  NT_AVX512 static inline __attribute__((always_inline)) R add(R a, R b) { return _mm512_add_pd(a, b); }
  NT_AVX512 static inline __attribute__((always_inline)) void storem(double* p, M m, R v) { _mm512_mask_storeu_pd(p, m, v); }
  NT_AVX512 static inline __attribute__((always_inline)) void store(double* p, R v) { _mm512_storeu_pd(p, v); }
  NT_AVX512 static inline __attribute__((always_inline)) double sum(R v) {
    __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_castpd512_pd256(_mm512_shuffle_f64x2(v, v, 0xEE)));
    __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
    return _mm_cvtsd_f64(q);
  }
  static inline M mask(int64_t n) { return n >= W ? (M)0xFF : n <= 0 ? (M)0 : (M)((1u << n) - 1); }
};

// vectors per rows-form tile for MR rows: MR * NV <= 28 accumulators, at least 8 for the FMA latency where n allows
constexpr int rows_nv(int mr) { return mr <= 3 ? 8 : mr == 4 ? 6 : mr == 5 ? 5 : mr <= 7 ? 4 : mr <= 9 ? 3 : 2; }

// columns [j0, j1) of C's MR rows: tiles of NV vectors, the last ones masked; C written by mode (0 =, 1 +=,
// 2 beta * C +) straight when C's rows are contiguous, else through a tile buffer
// ksplit (one row, one vector of columns in all: x @ W for a single sample and a 10-class W): four partial sums
// over p mod 4 instead of one chain of k dependent FMAs
template <typename T, int MR>
NT_AVX512 void rows_block(int64_t k, const T* ap, const T* B, int64_t ldb, int64_t j0, int64_t j1, Mat<T> C, int mode, T beta, bool ksplit) {
  using V = V5<T>;
  constexpr int NV = rows_nv(MR), W = V::W;
  alignas(64) T tile[MR * NV * W];
  if (MR == 1 && ksplit) {
    typename V::M mk = V::mask(j1 - j0);
    typename V::R s0 = V::zero(), s1 = V::zero(), s2 = V::zero(), s3 = V::zero();
    const T* b = B + j0;
    int64_t p = 0;
    for (; p + 4 <= k; p += 4, b += 4 * ldb) {
      s0 = V::fma(V::set1(ap[p]), V::loadm(mk, b), s0);
      s1 = V::fma(V::set1(ap[p + 1]), V::loadm(mk, b + ldb), s1);
      s2 = V::fma(V::set1(ap[p + 2]), V::loadm(mk, b + 2 * ldb), s2);
      s3 = V::fma(V::set1(ap[p + 3]), V::loadm(mk, b + 3 * ldb), s3);
    }
    for (; p < k; p++, b += ldb) s0 = V::fma(V::set1(ap[p]), V::loadm(mk, b), s0);
    typename V::R s = V::add(V::add(s0, s1), V::add(s2, s3));
    V::storem(tile, mk, s);
    apply_tile(tile, W, 1, (int)(j1 - j0), Mat<T>{C.p + j0 * C.cs, C.rs, C.cs}, mode, beta);
    return;
  }
  for (int64_t j = j0; j < j1; j += NV * W) {
    typename V::M mk[NV];
    int nvec = 0;
    for (int v = 0; v < NV; v++) {
      mk[v] = V::mask(j1 - j - v * W);
      if (mk[v]) nvec = v + 1;
    }
    typename V::R c[MR][NV];
    _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)
    _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) c[i][v] = V::zero();
    const T* b = B + j;
    const T* a = ap;
    if (nvec == NV && mk[NV - 1] == V::mask(W)) {  // whole tile: plain loads
      for (int64_t p = 0; p < k; p++, b += ldb, a += MR) {
        typename V::R bv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) bv[v] = V::load(b + v * W);
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {
          typename V::R av = V::set1(a[i]);
          _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) c[i][v] = V::fma(av, bv[v], c[i][v]);
        }
      }
    } else {
      for (int64_t p = 0; p < k; p++, b += ldb, a += MR) {
        typename V::R bv[NV];
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) if (v < nvec) bv[v] = V::loadm(mk[v], b + v * W);
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++) {
          typename V::R av = V::set1(a[i]);
          _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) if (v < nvec) c[i][v] = V::fma(av, bv[v], c[i][v]);
        }
      }
    }
    if (C.cs == 1) {
      typename V::R bb = V::set1(beta);
      T* q = C.p + j;  // one running row pointer (ten of them were kept on the stack, updated per tile)
      if (mode == 0 && nvec == NV && mk[NV - 1] == V::mask(W)) {
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++, q += C.rs)
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) V::store(q + v * W, c[i][v]);
      } else {
        _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++, q += C.rs)
        _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) {
          if (v >= nvec) break;
          typename V::R r = mode == 0 ? c[i][v] : mode == 1 ? V::add(V::loadm(mk[v], q + v * W), c[i][v]) : V::fma(bb, V::loadm(mk[v], q + v * W), c[i][v]);
          V::storem(q + v * W, mk[v], r);
        }
      }
    } else {
      _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)
      _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++) V::storem(tile + i * NV * W + v * W, V::mask(W), c[i][v]);
      apply_tile(tile, NV * W, MR, (int)std::min<int64_t>(NV * W, j1 - j), Mat<T>{C.p + j * C.cs, C.rs, C.cs}, mode, beta);
    }
  }
}

template <typename T>
using RowsBlockFn = void (*)(int64_t, const T*, const T*, int64_t, int64_t, int64_t, Mat<T>, int, T, bool);
template <typename T>
RowsBlockFn<T> rows_block_fn(int mr) {
  switch (mr) {
    case 1: return &rows_block<T, 1>;   case 2: return &rows_block<T, 2>;   case 3: return &rows_block<T, 3>;
    case 4: return &rows_block<T, 4>;   case 5: return &rows_block<T, 5>;   case 6: return &rows_block<T, 6>;
    case 7: return &rows_block<T, 7>;   case 8: return &rows_block<T, 8>;   case 9: return &rows_block<T, 9>;
    case 10: return &rows_block<T, 10>; case 11: return &rows_block<T, 11>; case 12: return &rows_block<T, 12>;
    case 13: return &rows_block<T, 13>; default: return &rows_block<T, 14>;
  }
}
template <typename T>
using PackAFn = void (*)(T*, Mat<const T>, int64_t, int64_t, T);
template <typename T>
PackAFn<T> pack_a_fn(int mr) {
  switch (mr) {
    case 1: return &pack_a<T, 1>;   case 2: return &pack_a<T, 2>;   case 3: return &pack_a<T, 3>;
    case 4: return &pack_a<T, 4>;   case 5: return &pack_a<T, 5>;   case 6: return &pack_a<T, 6>;
    case 7: return &pack_a<T, 7>;   case 8: return &pack_a<T, 8>;   case 9: return &pack_a<T, 9>;
    case 10: return &pack_a<T, 10>; case 11: return &pack_a<T, 11>; case 12: return &pack_a<T, 12>;
    case 13: return &pack_a<T, 13>; default: return &pack_a<T, 14>;
  }
}

// the row blocks of an m-row product: one block up to 14 rows, else blocks of 8 (24 accumulators) and the rest
inline bool rows_single(int64_t m) { return m <= 14; }
inline int rows_mr(int64_t m, int64_t i0) { return rows_single(m) ? (int)m : (int)std::min<int64_t>(8, m - i0); }

// rows form on C = alpha * A @ B + beta * C with B.cs == 1; threads split C's columns (in whole vectors)
template <typename T>
void small_rows(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
  const T* ap;
  // (k == 1: any split of the rows reads a column of A)
  if (alpha == T(1) && ((m == 1 && A.cs == 1) || (A.rs == 1 && ((rows_single(m) && A.cs == m) || k == 1)))) {
    ap = A.p;  // A is already in the packed layout (a row, or dy^T of a [b, m] gradient)
  } else {
    T* pk = tl_apack.get<T>((size_t)(m * k + 16));
    for (int64_t i0 = 0; i0 < m;) {
      int mr = rows_mr(m, i0);
      pack_a_fn<T>(mr)(pk + i0 * k, Mat<const T>{A.p + i0 * A.rs, A.rs, A.cs}, mr, k, alpha);
      i0 += mr;
    }
    ap = pk;
  }
  int mode = beta == T(0) ? 0 : beta == T(1) ? 1 : 2;
  constexpr int W = V5<T>::W;
  int64_t nvec = (n + W - 1) / W;
  const bool ksplit = m == 1 && n <= W;  // a property of the product, not of a thread's columns
  // several row blocks: strips of S columns, all row blocks per strip, so that the strip of B (k x S) stays in L1
  // while C streams past (S = 192: whole 48-column tiles of the 8-row blocks)
  const int64_t S = rows_single(m) ? n : 192;
  auto cols = [&](int64_t j0, int64_t j1) {
    for (int64_t js = j0; js < j1; js += S) {
      int64_t je = std::min(j1, js + S);
      for (int64_t i0 = 0; i0 < m;) {
        int mr = rows_mr(m, i0);
        rows_block_fn<T>(mr)(k, ap + i0 * k, B.p, B.rs, js, je, Mat<T>{C.p + i0 * C.rs, C.rs, C.cs}, mode, beta, ksplit);
        i0 += mr;
      }
    }
  };
  if (nth > 1 && nvec >= 2 * nth) {  // column ranges claimed from a counter (pool.cc: a worker may never start)
    int64_t nch = std::min<int64_t>(nvec, 4 * nth);
    std::atomic<int64_t> next{0};
    pool_run(nth, [&](int) {
      for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nch;)
        cols(nvec * c / nch * W, std::min(n, nvec * (c + 1) / nch * W));
    });
  } else {
    cols(0, n);
  }
}

// dot form: C(x, y) = alpha * dot(X_x, Y_y) (+ beta C) over x < nx (R at a time), y < ny (Cc at a time), the
// vectors contiguous (strides ldx, ldy); C(x, y) at C.p + x * cx + y * cy. A ragged block repeats its last vector.
template <typename T, int R, int Cc>
NT_AVX512 void dot_blocks(int64_t k, const T* X, int64_t ldx, int64_t nx, int64_t x0, int64_t x1, const T* Y, int64_t ldy,
                          int64_t ny, T* Cp, int64_t cx, int64_t cy, T alpha, T beta) {
  using V = V5<T>;
  constexpr int W = V::W;
  const int64_t kf = k / W * W;
  const typename V::M tail = V::mask(k - kf);
  for (int64_t xb = x0; xb < x1; xb += R) {
    for (int64_t yb = 0; yb < ny; yb += Cc) {
      const T* xs[R];
      const T* ys[Cc];
      for (int r = 0; r < R; r++) xs[r] = X + std::min(xb + r, nx - 1) * ldx;
      for (int c = 0; c < Cc; c++) ys[c] = Y + std::min(yb + c, ny - 1) * ldy;
      typename V::R acc[R][Cc];
      _Pragma("GCC unroll 8") for (int r = 0; r < R; r++)
      _Pragma("GCC unroll 8") for (int c = 0; c < Cc; c++) acc[r][c] = V::zero();
      for (int64_t p = 0; p < kf; p += W) {
        typename V::R yv[Cc];
        _Pragma("GCC unroll 8") for (int c = 0; c < Cc; c++) yv[c] = V::load(ys[c] + p);
        _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {
          typename V::R xv = V::load(xs[r] + p);
          _Pragma("GCC unroll 8") for (int c = 0; c < Cc; c++) acc[r][c] = V::fma(xv, yv[c], acc[r][c]);
        }
      }
      if (tail) {
        typename V::R yv[Cc];
        _Pragma("GCC unroll 8") for (int c = 0; c < Cc; c++) yv[c] = V::loadm(tail, ys[c] + kf);
        _Pragma("GCC unroll 8") for (int r = 0; r < R; r++) {
          typename V::R xv = V::loadm(tail, xs[r] + kf);
          _Pragma("GCC unroll 8") for (int c = 0; c < Cc; c++) acc[r][c] = V::fma(xv, yv[c], acc[r][c]);
        }
      }
      int rn = (int)std::min<int64_t>(R, x1 - xb), cn = (int)std::min<int64_t>(Cc, ny - yb);
      for (int r = 0; r < rn; r++)
        for (int c = 0; c < cn; c++) {
          T& o = Cp[(xb + r) * cx + (yb + c) * cy];
          T s = alpha * V::sum(acc[r][c]);
          o = beta == T(0) ? s : s + beta * o;
        }
    }
  }
}

template <typename T>
void small_dot(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
  // the larger side in blocks of R, the smaller (<= 16) in ceil(s / ceil(s / 6)) <= 6
  bool xa = m >= n;
  int64_t nx = xa ? m : n, ny = xa ? n : m;
  const T* X = xa ? A.p : B.p;
  const T* Y = xa ? B.p : A.p;
  int64_t ldx = xa ? A.rs : B.cs, ldy = xa ? B.cs : A.rs;
  int64_t cx = xa ? C.rs : C.cs, cy = xa ? C.cs : C.rs;
  int64_t cc = (ny + (ny + 5) / 6 - 1) / ((ny + 5) / 6);
  using F = void (*)(int64_t, const T*, int64_t, int64_t, int64_t, int64_t, const T*, int64_t, int64_t, T*, int64_t, int64_t, T, T);
  F f = cc <= 1 ? (F)&dot_blocks<T, 8, 1> : cc == 2 ? (F)&dot_blocks<T, 8, 2> : cc == 3 ? (F)&dot_blocks<T, 6, 3>
      : cc == 4 ? (F)&dot_blocks<T, 6, 4> : cc == 5 ? (F)&dot_blocks<T, 5, 5> : (F)&dot_blocks<T, 4, 6>;
  // (5 x 5 for the 10-class forward: 25 accumulators, 10 loads per 25 FMAs; 4 x 5 ran ~20% slower)
  int R = cc <= 2 ? 8 : cc <= 4 ? 6 : cc == 5 ? 5 : 4;
  int64_t nxb = (nx + R - 1) / R;
  if (nth > 1 && nxb >= 2 * nth) {  // blocks claimed from a counter
    int64_t nch = std::min<int64_t>(nxb, 4 * nth);
    std::atomic<int64_t> next{0};
    pool_run(nth, [&](int) {
      for (int64_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nch;)
        f(k, X, ldx, nx, nxb * c / nch * R, std::min(nx, nxb * (c + 1) / nch * R), Y, ldy, ny, C.p, cx, cy, alpha, beta);
    });
  } else {
    f(k, X, ldx, nx, 0, nx, Y, ldy, ny, C.p, cx, cy, alpha, beta);
  }
}

constexpr int64_t kSmallK = 32;         // k up to which any m and n take the small-side kernels
constexpr int64_t kSmallDotK = 256;     // k from which the dot form beats transposing B
constexpr int64_t kSmallWorkPerThread = 1 << 20;  // m*n*k per thread in the small-side kernels
constexpr int64_t kSmallL2 = 1 << 20;   // bytes of B (and of A in the dot form) the small-side kernels keep in L2

// true when C = alpha * A @ B + beta * C was computed by a small-side kernel (Note [small-side kernels]); `force`
// (path 5) takes every float product with AVX-512, whatever its size
template <typename T>
bool gemm_small(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth, bool force) {
  if (!cpu_has_avx512() || m <= 0 || n <= 0 || k <= 0) return false;
  if (!force && !(std::min(m, n) <= kSkinnyMax || k <= kSmallK)) return false;
  // a dimension of 1 has any stride: call it unit where that opens a contiguous layout
  if (m == 1) A.rs = A.cs == 1 ? k : A.rs;
  if (k == 1) { if (A.rs != 1) A.cs = 1; if (B.cs != 1) B.rs = 1; }
  if (n == 1) B.cs = 1;
  if (m == 1 && A.cs != 1) A.rs = 1;
  if (!force && (k * n * (int64_t)sizeof(T) > kSmallL2 || m * k * (int64_t)sizeof(T) > kSmallL2)) return false;
  // a second thread from 2^20 multiply-adds each (~4 us at one thread's speed; below, the fork and the other
  // core's start cost more than they save: batch-64 10-class products stay on one thread, batch 256 takes two)
  if (!force) nth = (int)std::max<int64_t>(1, std::min<int64_t>(nth, m * n * k / kSmallWorkPerThread));
  if (A.cs == 1 && B.rs == 1 && k >= kSmallDotK) {
    small_dot<T>(m, n, k, A, B, C, alpha, beta, nth);
    return true;
  }
  constexpr int W = V5<T>::W, L = tpack_lanes<T>();
  if (A.cs == 1 && B.cs == 1 && n < W && m >= W && k >= kSmallDotK) {  // x @ W^T with W^T stored: B^T (n x k) copied
    T* bt = tl_bpack.get<T>((size_t)(k * n + 16));
    for (int64_t p0 = 0; p0 < k; p0 += L) tpack(B.p + p0 * B.rs, B.rs, (int)std::min<int64_t>(L, k - p0), n, bt + p0, k, T(1));
    small_dot<T>(m, n, k, A, Mat<const T>{bt, 1, k}, C, alpha, beta, nth);
    return true;
  }
  if (B.cs == 1 && (A.rs != 1 || m <= n) && (force || n >= 8)) {
    small_rows<T>(m, n, k, A, B, C, alpha, beta, nth);
    return true;
  }
  if (A.rs == 1 && (force || m >= 8)) {  // C^T = B^T A^T, A^T's rows contiguous
    small_rows<T>(n, m, k, Mat<const T>{B.p, B.cs, B.rs}, Mat<const T>{A.p, A.cs, A.rs}, Mat<T>{C.p, C.cs, C.rs}, alpha, beta, nth);
    return true;
  }
  if (!force && n < 8) return false;
  // B in neither layout: transpose it into a row-major scratch first (columns contiguous: 8 at a time in registers)
  // (rows padded by a vector off a multiple of 4 KiB: the transposing writes walk down ld-apart rows, which at
  // 1024 floats apart all fell in one L1 set)
  const int64_t ld = (n + W - 1) / W * W + W;
  T* bt = tl_bpack.get<T>((size_t)(k * ld + 16));
  if (B.rs == 1) {
    for (int64_t j0 = 0; j0 < n; j0 += L) tpack(B.p + j0 * B.cs, B.cs, (int)std::min<int64_t>(L, n - j0), k, bt + j0, ld, T(1));
  } else {
    for (int64_t p = 0; p < k; p++)
      for (int64_t j = 0; j < n; j++) bt[p * ld + j] = B.at(p, j);
  }
  small_rows<T>(m, n, k, A, Mat<const T>{bt, ld, 1}, C, alpha, beta, nth);
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// direct path for tiny products: one row of C accumulated at a time (i-p-j order, unit-stride inner loop when B's
// rows are contiguous), in the type itself as BLAS does
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
void gemm_direct(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta) {
  T* acc = tl_row.get<T>((size_t)n);
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = 0; j < n; j++) acc[j] = T(0);
    for (int64_t p = 0; p < k; p++) {
      T a = A.at(i, p);
      const T* b = B.p + p * B.rs;
      if (B.cs == 1) for (int64_t j = 0; j < n; j++) acc[j] += a * b[j];
      else for (int64_t j = 0; j < n; j++) acc[j] += a * b[j * B.cs];
    }
    T* c = C.p + i * C.rs;
    if (beta == T(0)) for (int64_t j = 0; j < n; j++) c[j * C.cs] = alpha * acc[j];
    else for (int64_t j = 0; j < n; j++) c[j * C.cs] = alpha * acc[j] + beta * c[j * C.cs];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// micro-kernel choice per ISA (widths fill the register file: 28 of 32 zmm, 12 of 16 ymm as accumulators)
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
using GemmFn = void (*)(int64_t, int64_t, int64_t, Mat<const T>, Mat<const T>, Mat<T>, T, T, int);

template <typename T> GemmFn<T> pick_blocked(int isa);
// Note [tile shape per product]: the 14-row tile computes 70 rows where m = 64 (a batch of 64: 9% of the FMAs
// wasted on padding, the forward and input-gradient products of every Linear at that batch); an 8 x 3-vector
// tile (24 accumulators) has no padding there. Per product the shape with fewer padded multiply-adds runs (ties:
// the 14-row one, whose larger tile reads less per FMA).
template <typename T, int MR1, int NR1, GemmFn<T> F1, int MR2, int NR2, GemmFn<T> F2>
void by_padding(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
  auto padded = [&](int64_t mr, int64_t nr) { return ((m + mr - 1) / mr * mr) * ((n + nr - 1) / nr * nr); };
  if (padded(MR2, NR2) < padded(MR1, NR1)) F2(m, n, k, A, B, C, alpha, beta, nth);
  else F1(m, n, k, A, B, C, alpha, beta, nth);
}

template <> GemmFn<float> pick_blocked<float>(int isa) {
  if (isa == I_AUTO) isa = cpu_has_avx512() ? I_AVX512 : cpu_has_avx2() ? I_AVX2 : I_PORTABLE;
  if (isa == I_AVX512 && cpu_has_avx512())
    return &by_padding<float, 14, 32, &Blocked<float, 14, 32, &ukr_avx512_f32<14, 2>>::run, 8, 48, &Blocked<float, 8, 48, &ukr_avx512_f32<8, 3>>::run>;
  if ((isa == I_AVX512 || isa == I_AVX2) && cpu_has_avx2()) return &Blocked<float, 6, 16, &ukr_avx2_f32<6, 2>>::run;
  return &Blocked<float, 4, 16, &ukr_portable<float, 4, 16>>::run;
}
template <> GemmFn<double> pick_blocked<double>(int isa) {
  if (isa == I_AUTO) isa = cpu_has_avx512() ? I_AVX512 : cpu_has_avx2() ? I_AVX2 : I_PORTABLE;
  if (isa == I_AVX512 && cpu_has_avx512())
    return &by_padding<double, 14, 16, &Blocked<double, 14, 16, &ukr_avx512_f64<14, 2>>::run, 8, 24, &Blocked<double, 8, 24, &ukr_avx512_f64<8, 3>>::run>;
  if ((isa == I_AVX512 || isa == I_AVX2) && cpu_has_avx2()) return &Blocked<double, 6, 8, &ukr_avx2_f64<6, 2>>::run;
  return &Blocked<double, 4, 8, &ukr_portable<double, 4, 8>>::run;
}

int default_path() {
  static int p = [] {
    const char* e = getenv("NODETORCH_GEMM");
    if (!e) return (int)P_AUTO;
    std::string s(e);
    return s == "naive" ? (int)P_NAIVE : s == "blocked" ? (int)P_BLOCKED : s == "direct" ? (int)P_DIRECT : (int)P_AUTO;
  }();
  return p;
}

constexpr int64_t kDirectMax = 32768;  // m*n*k below which packing costs more than it saves
constexpr int64_t kWorkPerThread = 1 << 18;  // m*n*k per extra thread (~0.5 MFLOP: well above fork/join cost)

template <typename T>
Mat<const T> mat_of(const TensorArg& t, int64_t b) {
  return Mat<const T>{t.ptr<const T>() + b * t.stride[0], t.stride[1], t.stride[2]};
}
template <typename T>
Mat<T> mat_of_out(const TensorArg& t, int64_t b) {
  return Mat<T>{t.ptr<T>() + b * t.stride[0], t.stride[1], t.stride[2]};
}

template <typename T>
void scale_out(int64_t m, int64_t n, Mat<T> C, T beta) {  // k == 0: C = beta * C (never read when beta == 0)
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) C.at(i, j) = beta == T(0) ? T(0) : beta * C.at(i, j);
}

template <typename T>
void run_float(const TensorArg& tc, const TensorArg& ta, const TensorArg& tb, double alpha, double beta, int path, int isa) {
  int64_t batch = tc.shape[0], m = tc.shape[1], n = tc.shape[2], k = ta.shape[2];
  if (path == P_AUTO) path = default_path();
  if (path == P_NAIVE) {
    for (int64_t b = 0; b < batch; b++)
      matmul_naive<T, double>(m, n, k, mat_of<T>(ta, b), mat_of<T>(tb, b), mat_of_out<T>(tc, b), alpha, beta);
    return;
  }
  // a batch of A rows against one shared B is one taller product: [b*m, k] @ [k, n]
  int64_t mm = m, nb = batch;
  Mat<const T> A0 = mat_of<T>(ta, 0);
  Mat<T> C0 = mat_of_out<T>(tc, 0);
  if (batch > 1 && tb.stride[0] == 0) {
    int64_t ars = m > 1 ? ta.stride[1] : ta.stride[0], crs = m > 1 ? tc.stride[1] : tc.stride[0];
    if (ta.stride[0] == m * ars && tc.stride[0] == m * crs) {
      mm = batch * m;
      nb = 1;
      A0.rs = ars;
      C0.rs = crs;
    }
  }
  T al = (T)alpha, be = (T)beta;
  if (k == 0) {
    for (int64_t b = 0; b < nb; b++) scale_out<T>(mm, n, nb == 1 ? C0 : mat_of_out<T>(tc, b), be);
    return;
  }
  // the direct loop for tiny products, except those the small-side kernels take (Note [small-side kernels])
  bool small_ok = path == P_AUTO && cpu_has_avx512() && (std::min(mm, n) <= kSkinnyMax || k <= kSmallK);
  bool direct = path == P_DIRECT || (path == P_AUTO && mm * n * k < kDirectMax && !small_ok);
  GemmFn<T> blocked = direct ? nullptr : pick_blocked<T>(isa);
  // skinny: few rows (or, transposed, few columns) against a B read once in its own layout
  bool skinny = !direct && (path == P_AUTO || path == P_SKINNY) && std::min(mm, n) <= kSkinnyMax;
  // a side <= 16 or k <= 32 with AVX-512: Note [small-side kernels] (path 5 forces them on any size)
  bool small = !direct && (path == P_AUTO || path == P_SMALL);
  auto one = [&](int64_t b, int nth) {
    Mat<const T> A = nb == 1 ? A0 : mat_of<T>(ta, b), B = mat_of<T>(tb, b);
    Mat<T> C = nb == 1 ? C0 : mat_of_out<T>(tc, b);
    if (direct) { gemm_direct<T>(mm, n, k, A, B, C, al, be); return; }
    if (small && gemm_small<T>(mm, n, k, A, B, C, al, be, nth, path == P_SMALL)) return;
    if (small_ok && mm * n * k < kDirectMax) { gemm_direct<T>(mm, n, k, A, B, C, al, be); return; }
    if (skinny) {
      if (mm <= n ? gemm_skinny<T>(mm, n, k, A, B, C, al, be, nth)
                  : gemm_skinny<T>(n, mm, k, Mat<const T>{B.p, B.cs, B.rs}, Mat<const T>{A.p, A.cs, A.rs}, Mat<T>{C.p, C.cs, C.rs}, al, be, nth))
        return;
    }
    blocked(mm, n, k, A, B, C, al, be, nth);
  };
  int maxth = in_parallel() ? 1 : num_threads();
  int64_t work = mm * n * k;
  if (nb > 1 && maxth > 1 && work < 64 * kWorkPerThread && nb * work >= 2 * kWorkPerThread) {
    // many small products: one per thread, each sequential
    std::atomic<int64_t> next{0};
    pool_run((int)std::min<int64_t>(maxth, nb), [&](int) {
      for (int64_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) < nb;) one(b, 1);
    });
    return;
  }
  int nth = (int)std::max<int64_t>(1, std::min<int64_t>(maxth, work / kWorkPerThread));
  for (int64_t b = 0; b < nb; b++) one(b, nth);
}

// integers: exact wrap-around arithmetic (products mod 2^64, then truncated to the type, as PyTorch's loops give)
template <typename T>
void run_int(const TensorArg& tc, const TensorArg& ta, const TensorArg& tb, double alpha, double beta) {
  int64_t batch = tc.shape[0], m = tc.shape[1], n = tc.shape[2], k = ta.shape[2];
  uint64_t al = (uint64_t)(int64_t)alpha, be = (uint64_t)(int64_t)beta;
  parallel_for(batch * m, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n * k)), [&](int64_t r0, int64_t r1) {
    std::vector<uint64_t> acc((size_t)n);
    for (int64_t r = r0; r < r1; r++) {
      int64_t b = r / m, i = r % m;
      Mat<const T> A = mat_of<T>(ta, b), B = mat_of<T>(tb, b);
      Mat<T> C = mat_of_out<T>(tc, b);
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t p = 0; p < k; p++) {
        uint64_t a = (uint64_t)(int64_t)A.at(i, p);
        for (int64_t j = 0; j < n; j++) acc[j] += a * (uint64_t)(int64_t)B.at(p, j);
      }
      for (int64_t j = 0; j < n; j++) {
        uint64_t v = al * acc[j];
        if (be != 0) v += be * (uint64_t)(int64_t)C.at(i, j);
        C.at(i, j) = (T)(int64_t)v;
      }
    }
  });
}

void matmul_kernel(Call& c) {
  if (!matmul_operands(c)) return;
  const TensorArg &tc = c.t[0], &ta = c.t[1], &tb = c.t[2];
  double alpha = c.attr(0, 1), beta = c.attr(1, 0);
  int path = (int)c.iattr(2, 0), isa = (int)c.iattr(3, 0);
  switch (tc.dtype) {
    case DType::F32: run_float<float>(tc, ta, tb, alpha, beta, path, isa); break;
    case DType::F64: run_float<double>(tc, ta, tb, alpha, beta, path, isa); break;
    case DType::BF16:
      // the CPU's bfloat16 dot products (gemm_bf16.cc) where it has them: a3 = 4 (AVX512-BF16) or 5 (AMX) asks for
      // one (tests), the auto choice takes the best above the direct loop's size; NODETORCH_NO_AMX=1 stops at
      // AVX512-BF16, NODETORCH_NO_AVX512BF16=1 keeps the float32 path
      if ((path == P_AUTO ? default_path() : path) != P_NAIVE &&
          (isa == I_BF16 || isa == I_AMX || (isa == I_AUTO && tc.shape[1] * tc.shape[2] * ta.shape[2] >= kDirectMax)) &&
          gemm_bf16_dot(tc, ta, tb, alpha, beta, isa == I_BF16 ? 1 : isa == I_AMX ? 2 : 0))
        break;
      if (isa == I_BF16 || isa == I_AMX) isa = I_AUTO;
      // fall through
    case DType::F16: {
      Temp a32, b32, c32;
      make_compact_copy(ta, DType::F32, a32);
      make_compact_copy(tb, DType::F32, b32);
      make_temp(tc, DType::F32, c32);
      if (beta != 0) copy_cast(c32.t, tc);
      run_float<float>(c32.t, a32.t, b32.t, alpha, beta, path, isa);
      copy_cast(tc, c32.t);
      break;
    }
    case DType::I64: run_int<int64_t>(tc, ta, tb, alpha, beta); break;
    case DType::I32: run_int<int32_t>(tc, ta, tb, alpha, beta); break;
    case DType::I16: run_int<int16_t>(tc, ta, tb, alpha, beta); break;
    case DType::I8: run_int<int8_t>(tc, ta, tb, alpha, beta); break;
    case DType::U8: run_int<uint8_t>(tc, ta, tb, alpha, beta); break;
    default: throw TorchError(std::string("\"addmm_impl_cpu_\" not implemented for '") + dtype_name(tc.dtype) + "'");
  }
}

}  // namespace

// conv.cc's per-sample products (its conv2d kernel): C[m x n] = A[m x k] @ B[k x n] + beta * C, every operand
// row-major with the given row strides, on up to nth threads (1 inside a pool job); the same path choice as
// matmul's auto path (direct for tiny, skinny for m or n <= 8, else blocked with the best micro-kernel).
template <typename T>
void gemm_rowmajor(int64_t m, int64_t n, int64_t k, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc, T beta, int nth) {
  Mat<const T> a{A, lda, 1}, b{B, ldb, 1};
  Mat<T> c{C, ldc, 1};
  if (k == 0) { scale_out<T>(m, n, c, beta); return; }
  if (m * n * k < kDirectMax) { gemm_direct<T>(m, n, k, a, b, c, T(1), beta); return; }
  if (std::min(m, n) <= kSkinnyMax &&
      (m <= n ? gemm_skinny<T>(m, n, k, a, b, c, T(1), beta, nth)
              : gemm_skinny<T>(n, m, k, Mat<const T>{B, 1, ldb}, Mat<const T>{A, 1, lda}, Mat<T>{C, 1, ldc}, T(1), beta, nth)))
    return;
  pick_blocked<T>(I_AUTO)(m, n, k, a, b, c, T(1), beta, nth);
}
template void gemm_rowmajor<float>(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, float, int);
template void gemm_rowmajor<double>(int64_t, int64_t, int64_t, const double*, int64_t, const double*, int64_t, double*, int64_t, double, int);

REGISTER_KERNEL(matmul, CPU, matmul_kernel);

}  // namespace nt
