// matmul.cu - the matmul kernel on CUDA, t0[b] = alpha * t1[b] @ t2[b] + beta * t0[b], with cpu/gemm.cc's convention:
//   t0 [b,m,n], t1 [b,m,k], t2 [b,k,n], all 3-D with any strides (0 for a broadcast batch);
//   a0 = alpha, a1 = beta (beta == 0: t0 is write-only, never read), a2 = path (0 auto, 1 naive, 2 and 3 tiled),
//   a3 = tf32 (1: float32 may run on TF32 tensor cores; lib/ passes torch.backends.cuda.matmul.allowTf32 for matmuls
//   and torch.backends.cudnn.allowTf32 for convolutions, read at each call).
// cuBLAS when libcublas can be loaded at run time (dlopen, never linked; NODETORCH_CUBLAS=0 turns it off) and the
// operands have BLAS layouts:
//   float64                      cublasDgemmStridedBatched
//   float32                      cublasSgemmStridedBatched (exact float32: the handle is left in CUBLAS_DEFAULT_MATH);
//                                with a3 = 1 cublasGemmStridedBatchedEx(CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32)
//   float16 / bfloat16           cublasGemmStridedBatchedEx(CUDA_R_16F / CUDA_R_16BF, CUBLAS_COMPUTE_32F): tensor
//                                cores, float32 accumulation, float alpha/beta (as PyTorch's at::cuda::blas::gemm)
// else (or when cuBLAS answers CUBLAS_STATUS_NOT_SUPPORTED) our tiled shared-memory GEMM (64x64 tiles, 4x4 outputs
// per thread), which reads and writes 16-bit values and accumulates them in float32 (as the CPU); it never uses TF32.
// Integers: exact wrap-around arithmetic in uint64, one thread per output (as cpu/gemm.cc's run_int).
// The naive kernel (a2 = 1, or NODETORCH_GEMM=naive) is the reference the tests check the others against.
#include <dlfcn.h>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <vector>
#include "common.cuh"
#include "../native/kernels/matmul_check.h"

// Note [FMA]: the CUDA build compiles with --fmad=false (CMakeLists.txt), so that the shared functors give the CPU's
// bits (nvcc would otherwise contract a + b * c into one rounding where the CPU build rounds twice). The GEMM's
// multiply-accumulate is the exception, fused explicitly: the CPU's GEMM micro-kernel fuses it too (FMA instructions).
template <typename A>
__host__ __device__ __forceinline__ A mad_acc(A acc, A x, A y) {
  if constexpr (std::is_same<A, float>::value) return fmaf(x, y, acc);
  else if constexpr (std::is_same<A, double>::value) return fma(x, y, acc);
  else return acc + x * y;
}

namespace nt {
namespace cu {

namespace {

enum Path { P_AUTO = 0, P_NAIVE = 1, P_TILED = 2, P_DIRECT = 3 };

struct GemmArgs {
  const void* a;
  const void* b;
  void* c;
  int64_t batch, m, n, k;
  int64_t sa[3], sb[3], sc[3];  // element strides (batch, row, col)
};

GemmArgs gemm_args(const TensorArg& tc, const TensorArg& ta, const TensorArg& tb) {
  GemmArgs g;
  g.a = ta.data;
  g.b = tb.data;
  g.c = tc.data;
  g.batch = tc.shape[0];
  g.m = tc.shape[1];
  g.n = tc.shape[2];
  g.k = ta.shape[2];
  for (int d = 0; d < 3; d++) { g.sa[d] = ta.stride[d]; g.sb[d] = tb.stride[d]; g.sc[d] = tc.stride[d]; }
  return g;
}

// ---------------------------------------------------------------- naive reference
// One thread per output; floats accumulate in double (as cpu/gemm.cc's matmul_naive), integers wrap in uint64.
template <typename S>
__global__ void gemm_naive_k(GemmArgs g, double alpha, double beta) {
  const S* A = (const S*)g.a;
  const S* B = (const S*)g.b;
  S* C = (S*)g.c;
  int64_t total = g.batch * g.m * g.n;
  NT_KERNEL_LOOP(idx, total) {
    int64_t j = idx % g.n, t = idx / g.n, i = t % g.m, b = t / g.m;
    const S* a = A + b * g.sa[0] + i * g.sa[1];
    const S* bb = B + b * g.sb[0] + j * g.sb[2];
    S* c = C + b * g.sc[0] + i * g.sc[1] + j * g.sc[2];
    if constexpr (std::is_integral<S>::value) {
      uint64_t acc = 0;
      for (int64_t p = 0; p < g.k; p++) acc += (uint64_t)(int64_t)a[p * g.sa[2]] * (uint64_t)(int64_t)bb[p * g.sb[1]];
      uint64_t al = (uint64_t)(int64_t)alpha, be = (uint64_t)(int64_t)beta;
      uint64_t v = al * acc;
      if (be != 0) v += be * (uint64_t)(int64_t)*c;
      *c = (S)(int64_t)v;
    } else {
      double acc = 0;
      for (int64_t p = 0; p < g.k; p++) acc += cvt<double>(a[p * g.sa[2]]) * cvt<double>(bb[p * g.sb[1]]);
      double r = alpha * acc;
      if (beta != 0) r += beta * cvt<double>(*c);
      *c = cvt<S>(r);
    }
  }
}

// ---------------------------------------------------------------- tiled GEMM
// Block: 16x16 threads computing a 64x64 tile of C, 4x4 per thread (rows ty+16a, columns tx+16b: conflict-free
// shared reads); A and B tiles of depth 16 are staged in shared memory, read through their strides along
// whichever dimension is contiguous (coalesced for row-major and transposed operands alike).
constexpr int BM = 64, BN = 64, BK = 16, TM = 4, TN = 4, GT = 256;

template <typename S, typename Acc>
__global__ void __launch_bounds__(GT) gemm_tiled_k(GemmArgs g, Acc alpha, Acc beta) {
  __shared__ Acc As[BK][BM + 1];
  __shared__ Acc Bs[BK][BN + 1];
  const S* A = (const S*)g.a;
  const S* B = (const S*)g.b;
  S* C = (S*)g.c;
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const bool a_rows = g.sa[2] == 1;  // A's rows are contiguous: stage along k
  const bool b_rows = g.sb[2] == 1;  // B's rows are contiguous: stage along n
  const int64_t mtiles = (g.m + BM - 1) / BM;
  for (int64_t bz = blockIdx.z; bz < g.batch; bz += gridDim.z) {
    const S* Ab = A + bz * g.sa[0];
    const S* Bb = B + bz * g.sb[0];
    S* Cb = C + bz * g.sc[0];
    for (int64_t by = blockIdx.y; by < mtiles; by += gridDim.y) {
      const int64_t i0 = by * BM, j0 = (int64_t)blockIdx.x * BN;
      Acc acc[TM][TN];
#pragma unroll
      for (int a = 0; a < TM; a++)
#pragma unroll
        for (int b = 0; b < TN; b++) acc[a][b] = Acc(0);
      for (int64_t p0 = 0; p0 < g.k; p0 += BK) {
#pragma unroll
        for (int r = 0; r < (BM * BK) / GT; r++) {
          int e = tid + GT * r, i, p;
          if (a_rows) { i = e / BK; p = e % BK; } else { p = e / BM; i = e % BM; }
          int64_t gi = i0 + i, gp = p0 + p;
          As[p][i] = (gi < g.m && gp < g.k) ? cvt<Acc>(Ab[gi * g.sa[1] + gp * g.sa[2]]) : Acc(0);
        }
#pragma unroll
        for (int r = 0; r < (BK * BN) / GT; r++) {
          int e = tid + GT * r, j, p;
          if (b_rows) { p = e / BN; j = e % BN; } else { j = e / BK; p = e % BK; }
          int64_t gj = j0 + j, gp = p0 + p;
          Bs[p][j] = (gj < g.n && gp < g.k) ? cvt<Acc>(Bb[gp * g.sb[1] + gj * g.sb[2]]) : Acc(0);
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; p++) {
          Acc av[TM], bv[TN];
#pragma unroll
          for (int a = 0; a < TM; a++) av[a] = As[p][ty + 16 * a];
#pragma unroll
          for (int b = 0; b < TN; b++) bv[b] = Bs[p][tx + 16 * b];
#pragma unroll
          for (int a = 0; a < TM; a++)
#pragma unroll
            for (int b = 0; b < TN; b++) acc[a][b] = mad_acc(acc[a][b], av[a], bv[b]);
        }
        __syncthreads();
      }
#pragma unroll
      for (int a = 0; a < TM; a++) {
        int64_t gi = i0 + ty + 16 * a;
        if (gi >= g.m) continue;
#pragma unroll
        for (int b = 0; b < TN; b++) {
          int64_t gj = j0 + tx + 16 * b;
          if (gj >= g.n) continue;
          S* c = Cb + gi * g.sc[1] + gj * g.sc[2];
          Acc r = g.k > 0 ? alpha * acc[a][b] : Acc(0);
          if (beta != Acc(0)) r += beta * cvt<Acc>(*c);
          *c = cvt<S>(r);
        }
      }
    }
  }
}

template <typename S, typename Acc>
void run_tiled(const GemmArgs& g, double alpha, double beta) {
  int64_t nt = (g.n + BN - 1) / BN, mt = (g.m + BM - 1) / BM;
  if (nt > INT_MAX) throw TorchError("matmul: n too large for the CUDA kernel");
  dim3 grid((unsigned)nt, (unsigned)std::min<int64_t>(mt, 65535), (unsigned)std::min<int64_t>(g.batch, 65535));
  gemm_tiled_k<S, Acc><<<grid, GT, 0, stream()>>>(g, (Acc)alpha, (Acc)beta);
  check_launch();
}

template <typename S>
void run_naive(const GemmArgs& g, double alpha, double beta) {
  launch_1d(gemm_naive_k<S>, g.batch * g.m * g.n, g, alpha, beta);
}

// ---------------------------------------------------------------- cuBLAS, loaded at run time
// Declared here (no cuBLAS headers or import library needed at build time); the ABI is stable across 11-13.
typedef struct cublasContext* cublasHandle_t;
typedef int cublasStatus_t;
constexpr int CUBLAS_OP_N = 0, CUBLAS_OP_T = 1;
constexpr int CUBLAS_STATUS_NOT_SUPPORTED = 15;
constexpr int CUBLAS_DEFAULT_MATH = 0;
constexpr int CUDA_R_32F = 0, CUDA_R_16F = 2, CUDA_R_16BF = 14;           // cudaDataType_t
constexpr int CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77;  // cublasComputeType_t
constexpr int CUBLAS_GEMM_DEFAULT = -1;                                   // cublasGemmAlgo_t
using CreateFn = cublasStatus_t (*)(cublasHandle_t*);
using SetStreamFn = cublasStatus_t (*)(cublasHandle_t, cudaStream_t);
using SetMathModeFn = cublasStatus_t (*)(cublasHandle_t, int);
using SgemmSBFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const float*, const float*, int, long long,
                                     const float*, int, long long, const float*, float*, int, long long, int);
using DgemmSBFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const double*, const double*, int, long long,
                                     const double*, int, long long, const double*, double*, int, long long, int);
// cublasGemmStridedBatchedEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB,
//                            beta, C, Ctype, ldc, strideC, batchCount, computeType, algo)
using GemmExSBFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const void*, const void*, int, int, long long,
                                      const void*, int, int, long long, const void*, void*, int, int, long long, int, int, int);

struct Cublas {
  std::once_flag once;
  std::mutex mu;
  bool ok = false;
  CreateFn create = nullptr;
  SetStreamFn set_stream = nullptr;
  SetMathModeFn set_math = nullptr;  // optional
  SgemmSBFn sgemm = nullptr;
  DgemmSBFn dgemm = nullptr;
  GemmExSBFn gemm_ex = nullptr;      // optional: without it float16/bfloat16 take the tiled kernel, TF32 exact float32
  std::vector<cublasHandle_t> handles;  // per device; nullptr: not made yet
  std::vector<bool> failed;

  void load() {
    const char* env = getenv("NODETORCH_CUBLAS");
    if (env && std::string(env) == "0") return;
    const char* names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"};
    void* h = nullptr;
    for (const char* n : names) if ((h = dlopen(n, RTLD_NOW | RTLD_LOCAL))) break;
    if (!h) return;
    create = (CreateFn)dlsym(h, "cublasCreate_v2");
    set_stream = (SetStreamFn)dlsym(h, "cublasSetStream_v2");
    set_math = (SetMathModeFn)dlsym(h, "cublasSetMathMode");
    sgemm = (SgemmSBFn)dlsym(h, "cublasSgemmStridedBatched");
    dgemm = (DgemmSBFn)dlsym(h, "cublasDgemmStridedBatched");
    gemm_ex = (GemmExSBFn)dlsym(h, "cublasGemmStridedBatchedEx");
    ok = create && set_stream && sgemm && dgemm;  // the library stays loaded for the life of the process
  }
  // the handle of device dev (current), or nullptr when cuBLAS is unusable there
  cublasHandle_t handle(int dev) {
    std::call_once(once, [this] { load(); });
    if (!ok) return nullptr;
    std::lock_guard<std::mutex> lock(mu);
    if ((int)handles.size() <= dev) { handles.resize(dev + 1, nullptr); failed.resize(dev + 1, false); }
    if (!handles[dev] && !failed[dev]) {
      cublasHandle_t hd = nullptr;
      // CUBLAS_DEFAULT_MATH: Sgemm stays exact float32 (TF32 only where a call asks for it by its compute type)
      if (create(&hd) == 0 && hd && set_stream(hd, stream()) == 0 && (!set_math || set_math(hd, CUBLAS_DEFAULT_MATH) == 0))
        handles[dev] = hd;
      else failed[dev] = true;
      cudaGetLastError();
    }
    return handles[dev];
  }
};
Cublas& cublas() {
  static Cublas* c = new Cublas();  // never destroyed (no cuBLAS teardown at exit)
  return *c;
}

// X [r x c] with element strides (rs, cs) as a column-major BLAS operand: row-major X is X^T column-major (ld rs),
// column-major X is itself (ld cs). Size-1 dims leave their stride free.
struct BlasMat { bool ok = false, rowmajor = false; int64_t ld = 0; };
BlasMat blas_mat(int64_t r, int64_t c, int64_t rs, int64_t cs) {
  BlasMat x;
  if ((c == 1 || cs == 1) && (r == 1 || rs >= std::max<int64_t>(1, c))) {
    x.ok = true; x.rowmajor = true; x.ld = r == 1 ? std::max<int64_t>(1, c) : rs;
  } else if ((r == 1 || rs == 1) && (c == 1 || cs >= std::max<int64_t>(1, r))) {
    x.ok = true; x.rowmajor = false; x.ld = c == 1 ? std::max<int64_t>(1, r) : cs;
  }
  if (x.ld > INT_MAX) x.ok = false;
  return x;
}

// the cudaDataType of a storage type (-1: none of the Ex types)
template <typename S> constexpr int cuda_data_type() {
  return std::is_same<S, float>::value ? CUDA_R_32F : std::is_same<S, f16>::value ? CUDA_R_16F
       : std::is_same<S, bf16>::value ? CUDA_R_16BF : -1;
}

// true when cuBLAS did the product; false (nothing written) when the operands or the library do not suit cuBLAS,
// including CUBLAS_STATUS_NOT_SUPPORTED from an Ex call (the caller then runs the tiled kernel)
template <typename S>
bool try_cublas(const GemmArgs& g, double alpha, double beta, int dev, bool tf32) {
  if (g.m > INT_MAX || g.n > INT_MAX || g.k > INT_MAX || g.batch > INT_MAX || g.k == 0) return false;
  for (int d = 0; d < 3; d++) if (g.sa[d] < 0 || g.sb[d] < 0 || g.sc[d] < 0) return false;
  if (g.batch > 1 && g.sc[0] == 0) return false;
  BlasMat A = blas_mat(g.m, g.k, g.sa[1], g.sa[2]);
  BlasMat B = blas_mat(g.k, g.n, g.sb[1], g.sb[2]);
  BlasMat C = blas_mat(g.m, g.n, g.sc[1], g.sc[2]);
  if (!A.ok || !B.ok || !C.ok) return false;
  constexpr bool half16 = is_half16<S>::value;
  const bool use_ex = half16 || (std::is_same<S, float>::value && tf32);
  cublasHandle_t h = cublas().handle(dev);
  if (!h) return false;
  if (cublas().set_stream(h, stream()) != 0) return false;  // the current stream (Note [streams])
  const bool ex = use_ex && cublas().gemm_ex;  // no Ex entry point: float32 stays exact (Sgemm), 16-bit goes tiled
  if (half16 && !ex) return false;
  const S* a = (const S*)g.a;
  const S* b = (const S*)g.b;
  S* c = (S*)g.c;
  int m = (int)g.m, n = (int)g.n, k = (int)g.k, batch = (int)g.batch;
  auto gemm = [&](int ta, int tb, int M, int N, const S* x, int ldx, long long sx, const S* y, int ldy, long long sy) {
    if constexpr (std::is_same<S, double>::value) {
      double al = alpha, be = beta;
      return cublas().dgemm(h, ta, tb, M, N, k, &al, x, ldx, sx, y, ldy, sy, &be, c, (int)C.ld, g.sc[0], batch);
    } else {
      float al = (float)alpha, be = (float)beta;  // the scale type of CUBLAS_COMPUTE_32F*: float
      if constexpr (std::is_same<S, float>::value) {
        if (!ex) return cublas().sgemm(h, ta, tb, M, N, k, &al, x, ldx, sx, y, ldy, sy, &be, c, (int)C.ld, g.sc[0], batch);
      }
      constexpr int dt = cuda_data_type<S>();
      const int compute = std::is_same<S, float>::value ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
      return cublas().gemm_ex(h, ta, tb, M, N, k, &al, x, dt, ldx, sx, y, dt, ldy, sy, &be, c, dt, (int)C.ld, g.sc[0],
                              batch, compute, CUBLAS_GEMM_DEFAULT);
    }
  };
  cublasStatus_t st;
  if (C.rowmajor) {
    // C^T (n x m, col-major) = B^T (n x k) * A^T (k x m)
    st = gemm(B.rowmajor ? CUBLAS_OP_N : CUBLAS_OP_T, A.rowmajor ? CUBLAS_OP_N : CUBLAS_OP_T, n, m, b, (int)B.ld, g.sb[0], a,
              (int)A.ld, g.sa[0]);
  } else {
    // C (m x n, col-major) = A (m x k) * B (k x n)
    st = gemm(A.rowmajor ? CUBLAS_OP_T : CUBLAS_OP_N, B.rowmajor ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, a, (int)A.ld, g.sa[0], b,
              (int)B.ld, g.sb[0]);
  }
  if (st == CUBLAS_STATUS_NOT_SUPPORTED && ex) { cudaGetLastError(); return false; }  // this library/GPU lacks the combination
  if (st != 0)
    throw TorchError(std::string("CUDA error: cuBLAS ") + (ex ? "cublasGemmStridedBatchedEx" : "gemm") + " failed with status " +
                     std::to_string(st) + " (" + dtype_name(dtype_of<S>()) + ", m=" + std::to_string(g.m) + " n=" +
                     std::to_string(g.n) + " k=" + std::to_string(g.k) + " batch=" + std::to_string(g.batch) + ")");
  check_launch();
  return true;
}

int default_path() {
  static int p = [] {
    const char* e = getenv("NODETORCH_GEMM");
    if (!e) return (int)P_AUTO;
    std::string s(e);
    return s == "naive" ? (int)P_NAIVE : (s == "blocked" || s == "tiled" || s == "direct") ? (int)P_TILED : (int)P_AUTO;
  }();
  return p;
}

template <typename S, typename Acc>
void run_float(const GemmArgs& g, double alpha, double beta, int path, int dev, bool tf32) {
  if (path == P_AUTO) path = default_path();
  if (path == P_NAIVE) return run_naive<S>(g, alpha, beta);
  if (path == P_AUTO && try_cublas<S>(g, alpha, beta, dev, tf32)) return;
  run_tiled<S, Acc>(g, alpha, beta);
}

void matmul_kernel(Call& c) {
  if (!matmul_operands(c)) return;
  const TensorArg &tc = c.t[0], &ta = c.t[1], &tb = c.t[2];
  int dev = call_device(c);
  set_device(dev);
  double alpha = c.attr(0, 1), beta = c.attr(1, 0);
  int path = (int)c.iattr(2, 0);
  const bool tf32 = c.iattr(3, 0) != 0;
  GemmArgs g = gemm_args(tc, ta, tb);
  switch (tc.dtype) {
    case DType::F32: run_float<float, float>(g, alpha, beta, path, dev, tf32); break;
    case DType::F64: run_float<double, double>(g, alpha, beta, path, dev, tf32); break;
    case DType::F16: run_float<f16, float>(g, alpha, beta, path, dev, tf32); break;
    case DType::BF16: run_float<bf16, float>(g, alpha, beta, path, dev, tf32); break;
    case DType::I64: run_naive<int64_t>(g, alpha, beta); break;
    case DType::I32: run_naive<int32_t>(g, alpha, beta); break;
    case DType::I16: run_naive<int16_t>(g, alpha, beta); break;
    case DType::I8: run_naive<int8_t>(g, alpha, beta); break;
    case DType::U8: run_naive<uint8_t>(g, alpha, beta); break;
    default: throw TorchError(std::string("\"addmm_cuda\" not implemented for '") + dtype_name(tc.dtype) + "'");
  }
}

}  // namespace

REGISTER_KERNEL(matmul, CUDA, matmul_kernel);

}  // namespace cu
}  // namespace nt
