// gemm.cc - the matmul kernel, t0[b] = alpha * t1[b] @ t2[b] + beta * t0[b], and its naive reference.
//
// float32/float64 take a cache-blocked GEMM in the BLIS/GotoBLAS manner: B is packed into KC x NC panels that
// stay in L2 and are shared by the threads, A into MR-row slivers that stay in L1, and a register-blocked FMA
// micro-kernel (AVX-512, AVX2 or portable, picked at run time) computes each MR x NR tile of C. Packing reads the
// operands through their strides, so transposed and broadcast inputs cost nothing extra. Tiny products take a
// direct loop (packing would cost more than the arithmetic); integer dtypes take a simple exact loop, and
// float16/bfloat16 are computed in float32 temporaries (accumulating in float, as PyTorch's CPU does).
//
// Convention: t0 [b,m,n], t1 [b,m,k], t2 [b,k,n], 3-D with any strides (0 for a broadcast batch); a 2-D operand
// is a batch of one.
//   a0 = alpha, a1 = beta (beta == 0: t0 is write-only, never read, so NaNs in fresh memory cannot leak),
//   a2 = path (0 auto, 1 naive, 2 blocked, 3 direct), a3 = micro-kernel (0 auto, 1 avx512, 2 avx2, 3 portable).
// a2/a3 let the tests check every path against the naive one on any machine; NODETORCH_GEMM=naive|blocked|direct
// sets the default path (debugging).
#include <immintrin.h>
#include <atomic>
#include <cstdlib>
#include <thread>
#include "cpu.h"

namespace nt {

namespace {

#define NT_AVX512 __attribute__((target("avx512f,fma")))
#define NT_AVX2 __attribute__((target("avx2,fma")))

enum Path { P_AUTO = 0, P_NAIVE = 1, P_BLOCKED = 2, P_DIRECT = 3 };
enum Isa { I_AUTO = 0, I_AVX512 = 1, I_AVX2 = 2, I_PORTABLE = 3 };

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
#define NT_UKR_BODY(REG, W, ZERO, LOAD, SET1, FMA, LOADU, STOREU, MUL)                                \
  REG c[MR][NV];                                                                                    \
  _Pragma("GCC unroll 16") for (int i = 0; i < MR; i++)                                             \
  _Pragma("GCC unroll 4") for (int j = 0; j < NV; j++) c[i][j] = ZERO();                          \
  for (int64_t p = 0; p < kc; p++) {                                                                \
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
  NT_UKR_BODY(__m512, 16, _mm512_setzero_ps, _mm512_load_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_storeu_ps, _)
}
template <int MR, int NV>
NT_AVX512 void ukr_avx512_f64(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, int mode, double beta) {
  using T = double;
  NT_UKR_BODY(__m512d, 8, _mm512_setzero_pd, _mm512_load_pd, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_storeu_pd, _)
}
template <int MR, int NV>
NT_AVX2 void ukr_avx2_f32(int64_t kc, const float* __restrict A, const float* __restrict B, float* C, int64_t ldc, int mode, float beta) {
  using T = float;
  NT_UKR_BODY(__m256, 8, _mm256_setzero_ps, _mm256_load_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_storeu_ps, _)
}
template <int MR, int NV>
NT_AVX2 void ukr_avx2_f64(int64_t kc, const double* __restrict A, const double* __restrict B, double* C, int64_t ldc, int mode, double beta) {
  using T = double;
  NT_UKR_BODY(__m256d, 4, _mm256_setzero_pd, _mm256_load_pd, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_storeu_pd, _)
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
// packing (zero-padded to full slivers so the micro-kernel never sees a ragged edge)
// ---------------------------------------------------------------------------------------------------------------
// B[kc x nc] -> slivers of NR columns, each kc rows of NR contiguous values; slivers [s0, s1) only
template <typename T, int NR>
void pack_b(T* __restrict dst, Mat<const T> B, int64_t kc, int64_t nc, int64_t s0, int64_t s1) {
  for (int64_t s = s0; s < s1; s++) {
    int64_t j0 = s * NR, nr = std::min<int64_t>(NR, nc - j0);
    T* d = dst + s * kc * NR;
    const T* src = B.p + j0 * B.cs;
    if (nr == NR && B.cs == 1) {
      for (int64_t p = 0; p < kc; p++) {
        const T* r = src + p * B.rs;
        for (int j = 0; j < NR; j++) d[p * NR + j] = r[j];
      }
    } else if (B.rs == 1) {  // columns contiguous (a transposed B): read along k, write strided by NR
      for (int64_t j = 0; j < nr; j++) {
        const T* col = src + j * B.cs;
        for (int64_t p = 0; p < kc; p++) d[p * NR + j] = col[p];
      }
      for (int64_t j = nr; j < NR; j++)
        for (int64_t p = 0; p < kc; p++) d[p * NR + j] = T(0);
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
    } else {
      for (int64_t i = 0; i < mr; i++) {
        const T* row = A.p + (i0 + i) * A.rs;
        if (A.cs == 1) for (int64_t p = 0; p < kc; p++) d[p * MR + i] = alpha * row[p];
        else for (int64_t p = 0; p < kc; p++) d[p * MR + i] = alpha * row[p * A.cs];
      }
      for (int64_t i = mr; i < MR; i++)
        for (int64_t p = 0; p < kc; p++) d[p * MR + i] = T(0);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the blocked driver. B is packed once per super-panel (all of K x up to NSP columns, ~8 MB, L3-resident) by all
// threads, KC-row blocks of NR-column slivers; then C is cut into blocks of mb x nb slivers that threads claim
// one at a time. Inside a block: pc (KC) > pack A (alpha folded in) > ir (MR sliver, stays in L1) > jr (NR sliver
// of B, streams from L2). Claiming work from a counter, rather than splitting it statically between barriers,
// keeps a thread that the OS descheduled from stalling the others (these machines are shared).
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
using UkrFn = void (*)(int64_t, const T*, const T*, T*, int64_t, int, T);

inline void spin_until(const std::atomic<int64_t>& v, int64_t target) {
  for (int i = 0; v.load(std::memory_order_acquire) < target; i++) {
    if (i < 4096) _mm_pause();
    else std::this_thread::yield();
  }
}

template <typename T, int MR, int NR, UkrFn<T> UKR>
struct Blocked {
  static constexpr int64_t KC = sizeof(T) == 4 ? 256 : 192;
  static constexpr int64_t NSP = (int64_t)(8 << 20) / (int64_t)sizeof(T);  // elements of one packed super-panel
  static constexpr int64_t MB_MAX = 16, NB_MAX = (sizeof(T) == 4 ? 512 : 256) / NR;  // block size in slivers

  static void run(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
    int64_t nsl_all = (n + NR - 1) / NR, msl = (m + MR - 1) / MR;
    int64_t sp_sl = std::max<int64_t>(1, std::min(nsl_all, NSP / (std::max<int64_t>(k, 1) * NR)));  // slivers per super-panel
    int64_t nsp = (nsl_all + sp_sl - 1) / sp_sl;
    // block shape: as large as the caches like, then smaller until there are a few blocks per thread
    int64_t mb = std::min(msl, MB_MAX), nb = std::min(sp_sl, NB_MAX);
    int64_t want = nth > 1 ? 3 * nth : 1;
    auto nblocks = [&] { return ((msl + mb - 1) / mb) * ((sp_sl + nb - 1) / nb); };
    while (nblocks() < want && (mb > 1 || nb > 1)) {
      if (mb * MR >= nb * NR && mb > 1) mb = (mb + 1) / 2;
      else if (nb > 1) nb = (nb + 1) / 2;
      else mb = (mb + 1) / 2;
    }
    int64_t kcmax = std::min(KC, k);
    T* bpack = tl_bpack.get<T>((size_t)(k * sp_sl * NR));
    // per super-panel: next pack sliver, packed count, next block, finished count
    std::vector<std::atomic<int64_t>> ctr((size_t)(4 * nsp));
    for (auto& x : ctr) x.store(0, std::memory_order_relaxed);
    int bmode = beta == T(0) ? 0 : (beta == T(1) ? 1 : 2);

    auto body = [&](int T_) {
      T* apack = tl_apack.get<T>((size_t)(mb * MR * kcmax));
      alignas(64) T tile[MR * NR];
      for (int64_t sp = 0; sp < nsp; sp++) {
        std::atomic<int64_t>* c4 = &ctr[(size_t)(4 * sp)];
        int64_t j_sp = sp * sp_sl * NR, nsp_n = std::min(sp_sl * NR, n - j_sp), nsl = (nsp_n + NR - 1) / NR;
        if (sp > 0 && T_ > 1) spin_until(ctr[(size_t)(4 * (sp - 1) + 3)], ((msl + mb - 1) / mb) * ((sp_sl + nb - 1) / nb));
        // pack: one task = one NR-column sliver over all of K; layout [pc block][sliver][kc][NR]
        for (int64_t s; (s = c4[0].fetch_add(1, std::memory_order_relaxed)) < nsl;) {
          for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = std::min(KC, k - pc);
            Mat<const T> Bp{B.p + pc * B.rs + j_sp * B.cs, B.rs, B.cs};
            pack_b<T, NR>(bpack + pc * nsl * NR, Bp, kc, nsp_n, s, s + 1);
          }
          c4[1].fetch_add(1, std::memory_order_release);
        }
        if (T_ > 1) spin_until(c4[1], nsl);
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
                if (mr == MR && nr == NR && C.cs == 1) {
                  UKR(kc, as, bs, Ct.p, C.rs, mode, beta);
                } else {
                  UKR(kc, as, bs, tile, NR, 0, T(0));
                  apply_tile(tile, NR, mr, nr, Ct, mode, beta);
                }
              }
            }
          }
          c4[3].fetch_add(1, std::memory_order_release);
        }
      }
    };
    if (nth <= 1) {
      body(1);
    } else {
#pragma omp parallel num_threads(nth)
      body(omp_get_num_threads());
    }
  }
};

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
template <> GemmFn<float> pick_blocked<float>(int isa) {
  if (isa == I_AUTO) isa = cpu_has_avx512() ? I_AVX512 : cpu_has_avx2() ? I_AVX2 : I_PORTABLE;
  if (isa == I_AVX512 && cpu_has_avx512()) return &Blocked<float, 14, 32, &ukr_avx512_f32<14, 2>>::run;
  if ((isa == I_AVX512 || isa == I_AVX2) && cpu_has_avx2()) return &Blocked<float, 6, 16, &ukr_avx2_f32<6, 2>>::run;
  return &Blocked<float, 4, 16, &ukr_portable<float, 4, 16>>::run;
}
template <> GemmFn<double> pick_blocked<double>(int isa) {
  if (isa == I_AUTO) isa = cpu_has_avx512() ? I_AVX512 : cpu_has_avx2() ? I_AVX2 : I_PORTABLE;
  if (isa == I_AVX512 && cpu_has_avx512()) return &Blocked<double, 14, 16, &ukr_avx512_f64<14, 2>>::run;
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
  bool direct = path == P_DIRECT || (path == P_AUTO && mm * n * k < kDirectMax);
  GemmFn<T> blocked = direct ? nullptr : pick_blocked<T>(isa);
  auto one = [&](int64_t b, int nth) {
    Mat<const T> A = nb == 1 ? A0 : mat_of<T>(ta, b), B = mat_of<T>(tb, b);
    Mat<T> C = nb == 1 ? C0 : mat_of_out<T>(tc, b);
    if (direct) gemm_direct<T>(mm, n, k, A, B, C, al, be);
    else blocked(mm, n, k, A, B, C, al, be, nth);
  };
  int maxth = omp_in_parallel() ? 1 : omp_get_max_threads();
  int64_t work = mm * n * k;
  if (nb > 1 && maxth > 1 && work < 64 * kWorkPerThread && nb * work >= 2 * kWorkPerThread) {
    // many small products: one per thread, each sequential
    int nth = (int)std::min<int64_t>(maxth, nb);
#pragma omp parallel for num_threads(nth) schedule(static)
    for (int64_t b = 0; b < nb; b++) one(b, 1);
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
  if (c.nt != 3) throw TorchError("matmul: internal: expected 3 tensors");
  for (int i = 0; i < 3; i++) {  // a 2-D operand is a batch of one
    TensorArg& t = c.t[i];
    if (t.ndim == 2) {
      t.shape[2] = t.shape[1]; t.stride[2] = t.stride[1];
      t.shape[1] = t.shape[0]; t.stride[1] = t.stride[0];
      t.shape[0] = 1; t.stride[0] = 0;
      t.ndim = 3;
    }
    if (t.ndim != 3) throw TorchError("matmul: internal: operands must be 2-D or 3-D");
  }
  const TensorArg &tc = c.t[0], &ta = c.t[1], &tb = c.t[2];
  int64_t batch = tc.shape[0], m = tc.shape[1], n = tc.shape[2], k = ta.shape[2];
  if (ta.shape[0] != batch || tb.shape[0] != batch || ta.shape[1] != m || tb.shape[1] != k || tb.shape[2] != n)
    throw TorchError("matmul: internal: operand shapes disagree");
  if (ta.dtype != tb.dtype || tc.dtype != ta.dtype) throw TorchError("matmul: internal: operand dtypes disagree");
  if (batch == 0 || m == 0 || n == 0) return;
  double alpha = c.attr(0, 1), beta = c.attr(1, 0);
  int path = (int)c.iattr(2, 0), isa = (int)c.iattr(3, 0);
  switch (tc.dtype) {
    case DType::F32: run_float<float>(tc, ta, tb, alpha, beta, path, isa); break;
    case DType::F64: run_float<double>(tc, ta, tb, alpha, beta, path, isa); break;
    case DType::F16:
    case DType::BF16: {
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

REGISTER_KERNEL(matmul, CPU, matmul_kernel);

}  // namespace nt
