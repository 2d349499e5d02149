// gemm.cc - the matmul kernel, t0[b] = alpha * t1[b] @ t2[b] + beta * t0[b], and its naive reference.
//
// float32/float64 take a cache-blocked GEMM in the BLIS/GotoBLAS manner: B is packed into KC x NC panels that
// stay in L2 and are shared by the threads, A into MR-row slivers that stay in L1, and a register-blocked FMA
// micro-kernel (AVX-512, AVX2 or portable, picked at run time) computes each MR x NR tile of C. Packing reads the
// operands through their strides, so transposed and broadcast inputs cost nothing extra. Tiny products take a
// direct loop (packing would cost more than the arithmetic); integer dtypes take a simple exact loop, and
// float16/bfloat16 are computed in float32 temporaries (accumulating in float, as PyTorch's CPU does).
//
// Convention: t0 [b,m,n], t1 [b,m,k], t2 [b,k,n], all 3-D with any strides (0 for a broadcast batch).
//   a0 = alpha, a1 = beta (beta == 0: t0 is write-only, never read, so NaNs in fresh memory cannot leak),
//   a2 = path (0 auto, 1 naive, 2 blocked, 3 direct), a3 = micro-kernel (0 auto, 1 avx512, 2 avx2, 3 portable).
// a2/a3 let the tests check every path against the naive one on any machine; NODETORCH_GEMM=naive|blocked|direct
// sets the default path (debugging).
#include <immintrin.h>
#include <cstdlib>
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
// the blocked driver: loops jc (NC) > pc (KC, B packed by all threads, barrier) > ic (MC, A packed per thread) >
// ir (MR sliver, stays in L1) > jr (NR sliver, streams from the L2-resident B panel).
// Threads split the MR x NR tile grid of each panel, rows first (no A is packed twice), columns when m is short.
// ---------------------------------------------------------------------------------------------------------------
template <typename T>
using UkrFn = void (*)(int64_t, const T*, const T*, T*, int64_t, int, T);

template <typename T, int MR, int NR, UkrFn<T> UKR>
struct Blocked {
#ifndef NT_KC
#define NT_KC 256
#define NT_NC 2048
#endif
  static constexpr int64_t KC = sizeof(T) == 4 ? NT_KC : 192;
  static constexpr int64_t NC = ((sizeof(T) == 4 ? NT_NC : 1024) / NR) * NR;  // KC*NC*sizeof(T) ~ 2 MB f32 / 1.5 MB f64
  static constexpr int64_t MC = 8 * MR;

  static void run(int64_t m, int64_t n, int64_t k, Mat<const T> A, Mat<const T> B, Mat<T> C, T alpha, T beta, int nth) {
    int64_t kcmax = std::min(KC, k);
    int64_t ncmax = std::min(NC, (n + NR - 1) / NR * NR);
    T* bpack = tl_bpack.get<T>((size_t)(kcmax * ncmax));
    auto body = [&](int t, int T_) {
      T* apack = tl_apack.get<T>((size_t)(MC * kcmax));
      alignas(64) T tile[MR * NR];
      for (int64_t jc = 0; jc < n; jc += NC) {
        int64_t nc = std::min(NC, n - jc);
        int64_t nsl = (nc + NR - 1) / NR, msl = (m + MR - 1) / MR;
        // thread grid tm x tn over (row slivers, column slivers): least work per thread, rows preferred
        int tm = T_, tn = 1;
        {
          int64_t best = -1;
          for (int a = T_; a >= 1; a--) {
            if (T_ % a) continue;
            int b = T_ / a;
            int64_t w = ((msl + a - 1) / a) * ((nsl + b - 1) / b);
            if (best < 0 || w < best) { best = w; tm = a; tn = b; }
          }
        }
        int ti = t / tn, tj = t % tn;
        int64_t r0 = msl * ti / tm * MR, r1 = std::min(m, msl * (ti + 1) / tm * MR);
        int64_t c0 = nsl * tj / tn, c1 = nsl * (tj + 1) / tn;
        for (int64_t pc = 0; pc < k; pc += KC) {
          int64_t kc = std::min(KC, k - pc);
          Mat<const T> Bp{B.p + pc * B.rs + jc * B.cs, B.rs, B.cs};
          pack_b<T, NR>(bpack, Bp, kc, nc, nsl * t / T_, nsl * (t + 1) / T_);
          if (T_ > 1) {
#pragma omp barrier
          }
          int mode = pc > 0 ? 1 : (beta == T(0) ? 0 : (beta == T(1) ? 1 : 2));
          for (int64_t ic = r0; ic < r1; ic += MC) {
            int64_t mc = std::min(MC, r1 - ic);
            pack_a<T, MR>(apack, Mat<const T>{A.p + ic * A.rs + pc * A.cs, A.rs, A.cs}, mc, kc, alpha);
            for (int64_t ir = 0; ir < mc; ir += MR) {
              int mr = (int)std::min<int64_t>(MR, mc - ir);
              const T* as = apack + ir * kc;
              for (int64_t s = c0; s < c1; s++) {
                int64_t j0 = s * NR;
                int nr = (int)std::min<int64_t>(NR, nc - j0);
                const T* bs = bpack + s * kc * NR;
                Mat<T> Ct{C.p + (ic + ir) * C.rs + (jc + j0) * C.cs, C.rs, C.cs};
                if (mr == MR && nr == NR && C.cs == 1) {
                  UKR(kc, as, bs, Ct.p, C.rs, mode, beta);
                } else {
                  UKR(kc, as, bs, tile, NR, 0, T(0));
                  apply_tile(tile, NR, mr, nr, Ct, mode, beta);
                }
              }
            }
          }
          if (T_ > 1) {
#pragma omp barrier
          }
        }
      }
    };
    if (nth <= 1) {
      body(0, 1);
    } else {
#pragma omp parallel num_threads(nth)
      body(omp_get_thread_num(), omp_get_num_threads());
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
  const TensorArg &tc = c.t[0], &ta = c.t[1], &tb = c.t[2];
  if (tc.ndim != 3 || ta.ndim != 3 || tb.ndim != 3) throw TorchError("matmul: internal: operands must be 3-D");
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
