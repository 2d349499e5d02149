// selftest.cu - checks the CUDA emulator itself, so that a clean run of the CUDA checks under it means something:
// the thread/block coordinates, __syncthreads with shared memory, every shuffle flavour, dynamic shared memory,
// grid-stride loops, the emulated cuBLAS against a naive GEMM, and the failures a GPU would show (a barrier in
// divergent code, a shuffle naming an ended lane, a bad launch configuration, wrong copy kinds) -- each must be
// reported; streams (launches, copies and memsets queued on a stream's own thread, in order; events, waits, timing;
// the legacy default stream waiting for blocking streams) and pinned host memory (attributes, truly asynchronous
// copies from it, staged copies from pageable memory) --
// reported, and a failed kernel must poison later calls as on a GPU. Plain CUDA: build.js translates it like
// cuda/*.cu and links it into a stand-alone program (check.sh runs it).
#include "../../native/core/dtype.h"  // float16/bfloat16 bits for the cuBLAS Ex checks
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <dlfcn.h>

static int failures = 0, checks = 0;
#define EXPECT(cond, ...)                              \
  do {                                                 \
    checks++;                                          \
    if (!(cond)) {                                     \
      failures++;                                      \
      printf("  FAIL %s:%d: ", __FILE__, __LINE__);    \
      printf(__VA_ARGS__);                             \
      printf("\n");                                    \
    }                                                  \
  } while (0)

// spins for a while, then writes val: work that is still running when the host looks
__global__ void busy_k(int* out, int iters, int val) {
  volatile int acc = 0;
  for (int i = 0; i < iters; i++) acc = acc + 1;
  if (threadIdx.x == 0 && blockIdx.x == 0) out[0] = val + (acc - iters);
}
__global__ void add_k(int* p, int v) {
  if (threadIdx.x == 0 && blockIdx.x == 0) p[0] += v;
}

__global__ void coords_k(int* out) {
  const int tid = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const int bid = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const int nt = blockDim.x * blockDim.y * blockDim.z;
  out[bid * nt + tid] = bid * 1000 + tid;
}

// block sum through shared memory with a tree of barriers
__global__ void block_sum_k(const float* x, float* out, int n) {
  __shared__ float buf[256];
  const int t = threadIdx.x;
  const int i = blockIdx.x * blockDim.x + t;
  buf[t] = i < n ? x[i] : 0.f;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (t < s) buf[t] += buf[t + s];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = buf[0];
}

__global__ void shfl_k(int* out) {
  const int lane = threadIdx.x & 31, w = threadIdx.x / 32;
  int* o = out + w * 32 * 4 + lane * 4;
  o[0] = __shfl_down_sync(0xffffffffu, lane * 10, 3);
  o[1] = __shfl_xor_sync(0xffffffffu, lane * 10, 5);
  o[2] = __shfl_sync(0xffffffffu, lane * 10, 7, 16);
  o[3] = __shfl_up_sync(0xffffffffu, lane * 10, 2, 8);
}

__global__ void warp_reduce_k(const double* x, double* out) {
  double v = x[blockIdx.x * 32 + threadIdx.x];
  for (int d = 16; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);
  if (threadIdx.x == 0) out[blockIdx.x] = v;
}

__global__ void dyn_smem_k(int* out, int n) {
  extern __shared__ __align__(16) unsigned char smem[];
  int* s = reinterpret_cast<int*>(smem);
  for (int i = threadIdx.x; i < n; i += blockDim.x) s[i] = i * i;
  __syncthreads();
  for (int i = threadIdx.x; i < n; i += blockDim.x) out[i] = s[n - 1 - i];
}

__global__ void grid_stride_k(long long* out, long long n) {
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x) out[i] = i;
}

__global__ void stuck_k(int* out) {
  // half the warp waits at the block barrier, the other half at a shuffle that needs the first half: a GPU hangs
  if (threadIdx.x < 16) __syncthreads();
  else out[threadIdx.x] = __shfl_sync(0xffffffffu, (int)threadIdx.x, 0);
}

__global__ void early_exit_shfl_k(int* out) {
  if (threadIdx.x == 5) return;
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, (int)threadIdx.x, 1);
}

// exited threads do not hold up __syncthreads (as on a GPU)
__global__ void exit_then_sync_k(int* out) {
  __shared__ int v;
  if (threadIdx.x >= 8) return;
  if (threadIdx.x == 0) v = 42;
  __syncthreads();
  out[threadIdx.x] = v;
}

typedef int (*SgemmSB)(void*, int, int, int, int, int, const float*, const float*, int, long long, const float*, int,
                       long long, const float*, float*, int, long long, int);
typedef int (*Create)(void**);
typedef int (*GemmEx)(void*, int, int, int, int, int, const void*, const void*, int, int, const void*, int, int,
                      const void*, void*, int, int, int, int);
typedef int (*SetMathMode)(void*, int);
typedef int (*GetMathMode)(void*, int*);

int main() {
  setvbuf(stdout, nullptr, _IONBF, 0);  // interleave with the emulator's messages on stderr
  // coordinates over a 3-D grid of 3-D blocks
  {
    dim3 grid(3, 2, 2), block(4, 2, 3);
    const int n = 12 * 24;
    int* d;
    cudaMalloc(&d, n * sizeof(int));
    coords_k<<<grid, block, 0, 0>>>(d);
    EXPECT(cudaGetLastError() == cudaSuccess, "coords launch");
    std::vector<int> h(n);
    cudaMemcpy(h.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost);
    bool ok = true;
    for (int b = 0; b < 12; b++) for (int t = 0; t < 24; t++) ok = ok && h[b * 24 + t] == b * 1000 + t;
    EXPECT(ok, "threadIdx/blockIdx/blockDim/gridDim");
    cudaFree(d);
  }
  // shared memory + barriers
  {
    const int n = 1000, blocks = (n + 255) / 256;
    std::vector<float> x(n);
    for (int i = 0; i < n; i++) x[i] = (float)(i % 7) - 3.f;
    float *dx, *dout;
    cudaMalloc(&dx, n * sizeof(float));
    cudaMalloc(&dout, blocks * sizeof(float));
    cudaMemcpy(dx, x.data(), n * sizeof(float), cudaMemcpyHostToDevice);
    block_sum_k<<<blocks, 256, 0, 0>>>(dx, dout, n);
    std::vector<float> out(blocks);
    cudaMemcpy(out.data(), dout, blocks * sizeof(float), cudaMemcpyDeviceToHost);
    for (int b = 0; b < blocks; b++) {
      float ref = 0;
      for (int i = b * 256; i < std::min(n, b * 256 + 256); i++) ref += x[i];
      EXPECT(out[b] == ref, "block sum %d: %g vs %g", b, out[b], ref);
    }
    cudaFree(dx);
    cudaFree(dout);
  }
  // shuffles
  {
    int* d;
    cudaMalloc(&d, 64 * 4 * sizeof(int));
    shfl_k<<<1, 64, 0, 0>>>(d);
    std::vector<int> h(64 * 4);
    cudaMemcpy(h.data(), d, h.size() * sizeof(int), cudaMemcpyDeviceToHost);
    for (int t = 0; t < 64; t++) {
      const int lane = t % 32;
      EXPECT(h[t * 4 + 0] == (lane + 3 < 32 ? lane + 3 : lane) * 10, "shfl_down lane %d: %d", lane, h[t * 4]);
      EXPECT(h[t * 4 + 1] == (lane ^ 5) * 10, "shfl_xor lane %d: %d", lane, h[t * 4 + 1]);
      EXPECT(h[t * 4 + 2] == ((lane & ~15) + 7) * 10, "shfl width 16 lane %d: %d", lane, h[t * 4 + 2]);
      EXPECT(h[t * 4 + 3] == ((lane % 8) >= 2 ? lane - 2 : lane) * 10, "shfl_up width 8 lane %d: %d", lane, h[t * 4 + 3]);
    }
    cudaFree(d);
    double *dx, *dy;
    std::vector<double> x(96);
    for (int i = 0; i < 96; i++) x[i] = i * 0.5;
    cudaMalloc(&dx, 96 * sizeof(double));
    cudaMalloc(&dy, 3 * sizeof(double));
    cudaMemcpy(dx, x.data(), 96 * sizeof(double), cudaMemcpyHostToDevice);
    warp_reduce_k<<<3, 32, 0, 0>>>(dx, dy);
    double y[3];
    cudaMemcpy(y, dy, sizeof y, cudaMemcpyDeviceToHost);
    for (int b = 0; b < 3; b++) {
      double ref = 0;
      for (int i = 0; i < 32; i++) ref += x[b * 32 + i];
      EXPECT(y[b] == ref, "warp reduce %d: %g vs %g", b, y[b], ref);
    }
    cudaFree(dx);
    cudaFree(dy);
  }
  // dynamic shared memory, grid-stride loop, exited threads at a barrier
  {
    const int n = 3000;
    int* d;
    cudaMalloc(&d, n * sizeof(int));
    dyn_smem_k<<<1, 128, n * sizeof(int), 0>>>(d, n);
    std::vector<int> h(n);
    cudaMemcpy(h.data(), d, n * sizeof(int), cudaMemcpyDeviceToHost);
    bool ok = true;
    for (int i = 0; i < n; i++) ok = ok && h[i] == (n - 1 - i) * (n - 1 - i);
    EXPECT(ok, "dynamic shared memory");
    exit_then_sync_k<<<1, 64, 0, 0>>>(d);
    cudaMemcpy(h.data(), d, 8 * sizeof(int), cudaMemcpyDeviceToHost);
    ok = true;
    for (int i = 0; i < 8; i++) ok = ok && h[i] == 42;
    EXPECT(ok && cudaGetLastError() == cudaSuccess, "__syncthreads after some threads exited");
    cudaFree(d);
    long long* g;
    const long long m = 100003;
    cudaMalloc(&g, m * sizeof(long long));
    grid_stride_k<<<7, 64, 0, 0>>>(g, m);
    std::vector<long long> hg(m);
    cudaMemcpy(hg.data(), g, m * sizeof(long long), cudaMemcpyDeviceToHost);
    ok = true;
    for (long long i = 0; i < m; i++) ok = ok && hg[i] == i;
    EXPECT(ok, "grid-stride loop");
    cudaFree(g);
  }
  // emulated cuBLAS against a naive column-major GEMM, transposes and batch strides
  {
    void* lib = dlopen("libcublas.so.12", RTLD_NOW);
    EXPECT(lib != nullptr, "the emulated libcublas loads");
    Create create = (Create)dlsym(lib, "cublasCreate_v2");
    SgemmSB sgemm = (SgemmSB)dlsym(lib, "cublasSgemmStridedBatched");
    void* h = nullptr;
    EXPECT(create && create(&h) == 0, "cublasCreate");
    const int m = 5, n = 4, k = 3, batch = 2;
    std::vector<float> A(batch * k * m), B(batch * n * k), C(batch * m * n, 7.f);
    for (size_t i = 0; i < A.size(); i++) A[i] = (float)((i * 7) % 11) - 5;
    for (size_t i = 0; i < B.size(); i++) B[i] = (float)((i * 5) % 9) - 4;
    float *dA, *dB, *dC;
    cudaMalloc(&dA, A.size() * 4);
    cudaMalloc(&dB, B.size() * 4);
    cudaMalloc(&dC, C.size() * 4);
    cudaMemcpy(dA, A.data(), A.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(dB, B.data(), B.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(dC, C.data(), C.size() * 4, cudaMemcpyHostToDevice);
    const float al = 2.f, be = 0.5f;
    // C = 2 * A^T(op T, A stored k x m) * B (op N, k x n) + 0.5 C
    EXPECT(sgemm(h, 1, 0, m, n, k, &al, dA, k, k * m, dB, k, n * k, &be, dC, m, m * n, batch) == 0, "sgemm status");
    std::vector<float> out(C.size());
    cudaMemcpy(out.data(), dC, out.size() * 4, cudaMemcpyDeviceToHost);
    bool ok = true;
    for (int b = 0; b < batch; b++)
      for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
          float acc = 0;
          for (int p = 0; p < k; p++) acc += A[b * k * m + p + i * k] * B[b * n * k + p + j * k];
          ok = ok && std::fabs(out[b * m * n + i + j * m] - (al * acc + be * 7.f)) < 1e-4f;
        }
    EXPECT(ok, "sgemm values");
    EXPECT(sgemm(h, 0, 0, m, n, k, &al, dA, 2, k * m, dB, k, n * k, &be, dC, m, m * n, batch) == 7, "lda < m is CUBLAS_STATUS_INVALID_VALUE");
    EXPECT(sgemm(h, 0, 0, m, n, k, &al, dA, m, k * m, dB, k, n * k, &be, dC, m, m * n, batch + 1) != 0, "a batch past the end of C is refused");
    cudaFree(dA);
    cudaFree(dB);
    cudaFree(dC);

    // cublasGemmEx: float16 / bfloat16 in, float accumulation; TF32 compute and math mode; unsupported combinations
    GemmEx gemm_ex = (GemmEx)dlsym(lib, "cublasGemmEx");
    SetMathMode set_math = (SetMathMode)dlsym(lib, "cublasSetMathMode");
    GetMathMode get_math = (GetMathMode)dlsym(lib, "cublasGetMathMode");
    EXPECT(gemm_ex && set_math && get_math && dlsym(lib, "cublasGemmStridedBatchedEx"), "the Ex and math-mode entry points");
    // C (1 x 1) = a (1 x 3) . b (3 x 1): 2048 + 1 + 1 = 2050 in float (each 1 is lost if the sum is rounded to
    // float16 as it goes, whose spacing at 2048 is 2), exactly 2050 in float16 and 2048 in bfloat16 (spacing 16)
    const float one = 1.f, zero = 0.f;
    uint16_t h3[3] = {nt::float_to_half(2048.f), nt::float_to_half(1.f), nt::float_to_half(1.f)};
    uint16_t hb[3] = {nt::float_to_half(1.f), nt::float_to_half(1.f), nt::float_to_half(1.f)};
    uint16_t b3[3] = {nt::float_to_bf16(2048.f), nt::float_to_bf16(1.f), nt::float_to_bf16(1.f)};
    uint16_t bb[3] = {nt::float_to_bf16(1.f), nt::float_to_bf16(1.f), nt::float_to_bf16(1.f)};
    void *ha, *hbv, *ba, *bbv, *c16, *c32;
    cudaMalloc(&ha, 6); cudaMalloc(&hbv, 6); cudaMalloc(&ba, 6); cudaMalloc(&bbv, 6); cudaMalloc(&c16, 2); cudaMalloc(&c32, 4);
    cudaMemcpy(ha, h3, 6, cudaMemcpyHostToDevice); cudaMemcpy(hbv, hb, 6, cudaMemcpyHostToDevice);
    cudaMemcpy(ba, b3, 6, cudaMemcpyHostToDevice); cudaMemcpy(bbv, bb, 6, cudaMemcpyHostToDevice);
    uint16_t r16 = 0;
    float r32 = 0;
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ha, 2, 1, hbv, 2, 3, &zero, c16, 2, 1, 68, -1) == 0, "GemmEx float16 status");
    cudaMemcpy(&r16, c16, 2, cudaMemcpyDeviceToHost);
    EXPECT(nt::half_to_float(r16) == 2050.f, "GemmEx float16 accumulates in float");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ba, 14, 1, bbv, 14, 3, &zero, c32, 0, 1, 68, -1) == 0, "GemmEx bfloat16 -> float32 status");
    cudaMemcpy(&r32, c32, 4, cudaMemcpyDeviceToHost);
    EXPECT(r32 == 2050.f, "GemmEx bfloat16 in, float32 out, float accumulation");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ba, 14, 1, bbv, 14, 3, &zero, c16, 14, 1, 68, -1) == 0, "GemmEx bfloat16 status");
    cudaMemcpy(&r16, c16, 2, cudaMemcpyDeviceToHost);
    EXPECT(nt::bf16_to_float(r16) == 2048.f, "GemmEx bfloat16 rounds the float sum once");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ha, 2, 1, bbv, 14, 3, &zero, c16, 2, 1, 68, -1) == 15, "float16 x bfloat16 is CUBLAS_STATUS_NOT_SUPPORTED");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ha, 2, 1, hbv, 2, 3, &zero, c16, 2, 1, 77, -1) == 15, "float16 with COMPUTE_32F_FAST_TF32 is NOT_SUPPORTED");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 3, &one, ha, 2, 1, hbv, 2, 3, &zero, c16, 2, 1, 64, -1) == 15, "COMPUTE_16F is NOT_SUPPORTED here");
    // TF32: x = 1 + 2^-20 keeps its low bits in float32 and loses them in TF32 (10 mantissa bits)
    const float x = 1.f + 0x1p-20f;
    float *fx, *fo;
    cudaMalloc(&fx, 4); cudaMalloc(&fo, 4);
    cudaMemcpy(fx, &x, 4, cudaMemcpyHostToDevice);
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 1, &one, fx, 0, 1, fx, 0, 1, &zero, fo, 0, 1, 68, -1) == 0, "GemmEx float32 status");
    cudaMemcpy(&r32, fo, 4, cudaMemcpyDeviceToHost);
    EXPECT(r32 == x * x, "COMPUTE_32F is exact float32 in the default math mode");
    EXPECT(gemm_ex(h, 0, 0, 1, 1, 1, &one, fx, 0, 1, fx, 0, 1, &zero, fo, 0, 1, 77, -1) == 0, "GemmEx TF32 status");
    cudaMemcpy(&r32, fo, 4, cudaMemcpyDeviceToHost);
    EXPECT(r32 == 1.f, "COMPUTE_32F_FAST_TF32 rounds the operands to TF32");
    int mode = -1;
    EXPECT(set_math(h, 99) == 7 && get_math(h, &mode) == 0 && mode == 0, "a bad math mode is INVALID_VALUE and changes nothing");
    EXPECT(set_math(h, 3) == 0 && get_math(h, &mode) == 0 && mode == 3, "CUBLAS_TF32_TENSOR_OP_MATH");
    EXPECT(sgemm(h, 0, 0, 1, 1, 1, &one, fx, 1, 1, fx, 1, 1, &zero, fo, 1, 1, 1) == 0, "sgemm under TF32 math");
    cudaMemcpy(&r32, fo, 4, cudaMemcpyDeviceToHost);
    EXPECT(r32 == 1.f, "Sgemm under CUBLAS_TF32_TENSOR_OP_MATH uses TF32");
    EXPECT(set_math(h, 0) == 0, "back to CUBLAS_DEFAULT_MATH");
    cudaFree(ha); cudaFree(hbv); cudaFree(ba); cudaFree(bbv); cudaFree(c16); cudaFree(c32); cudaFree(fx); cudaFree(fo);
  }
  // copies must name the right kind; configuration errors are launch errors (not sticky)
  {
    int* d;
    int host[4] = {1, 2, 3, 4};
    cudaMalloc(&d, sizeof host);
    EXPECT(cudaMemcpy(host, d, sizeof host, cudaMemcpyHostToDevice) == cudaErrorInvalidValue, "H2D with a host destination");
    EXPECT(cudaMemcpy(d, host, sizeof host + 4096, cudaMemcpyHostToDevice) == cudaErrorInvalidValue, "H2D past the allocation");
    cudaGetLastError();
    coords_k<<<1, 2048, 0, 0>>>(d);
    EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "2048 threads per block is an invalid configuration");
    EXPECT(cudaGetLastError() == cudaSuccess, "configuration errors are not sticky");
    EXPECT(cudaMemcpy(d, host, sizeof host, cudaMemcpyHostToDevice) == cudaSuccess, "a later copy works");
    cudaFree(d);
  }
  // streams: launches run on the stream's thread, in order, after the call has returned
  {
    const int kBusy = 400000;  // per thread of a 64-thread block: tens of milliseconds under the emulator
    int* d;
    cudaMalloc(&d, 4 * sizeof(int));
    cudaMemset(d, 0, 4 * sizeof(int));
    cudaStream_t s, s2, blk;
    EXPECT(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess, "cudaStreamCreateWithFlags");
    EXPECT(cudaStreamCreateWithPriority(&s2, cudaStreamNonBlocking, -1) == cudaSuccess, "cudaStreamCreateWithPriority");
    EXPECT(cudaStreamCreate(&blk) == cudaSuccess, "cudaStreamCreate");
    int lo = 1, hi = 1;
    EXPECT(cudaDeviceGetStreamPriorityRange(&lo, &hi) == cudaSuccess && hi <= lo, "priority range");
    busy_k<<<1, 64, 0, s>>>(d, kBusy, 5);
    add_k<<<1, 1, 0, s>>>(d, 1);
    EXPECT(cudaStreamQuery(s) == cudaErrorNotReady, "a stream with a running kernel is not ready");
    EXPECT(cudaGetLastError() == cudaSuccess, "cudaErrorNotReady is not an error");
    EXPECT(cudaStreamSynchronize(s) == cudaSuccess && cudaStreamQuery(s) == cudaSuccess, "synchronised, then ready");
    int h[4] = {0, 0, 0, 0};
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    EXPECT(h[0] == 6, "stream launches ran in order (got %d, expected 6)", h[0]);
    // an event recorded on s; s2 waits for it before its own kernel
    cudaEvent_t e0, e1, nt;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    cudaEventCreateWithFlags(&nt, cudaEventDisableTiming);
    EXPECT(cudaEventRecord(e0, s) == cudaSuccess, "cudaEventRecord");
    busy_k<<<1, 64, 0, s>>>(d + 1, kBusy, 10);
    EXPECT(cudaEventRecord(e1, s) == cudaSuccess, "cudaEventRecord");
    cudaEventRecord(nt, s);
    float ms = -1;
    EXPECT(cudaEventQuery(e1) == cudaErrorNotReady, "an event behind a running kernel is not ready");
    EXPECT(cudaEventElapsedTime(&ms, e0, e1) == cudaErrorNotReady, "elapsed time of an event not yet complete: not ready");
    cudaGetLastError();
    cudaStreamWaitEvent(s2, e1, 0);
    add_k<<<1, 1, 0, s2>>>(d + 1, 3);
    EXPECT(cudaStreamSynchronize(s2) == cudaSuccess, "cudaStreamSynchronize");
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    EXPECT(h[1] == 13, "s2 waited for the event on s (got %d, expected 13)", h[1]);
    EXPECT(cudaEventSynchronize(e1) == cudaSuccess && cudaEventElapsedTime(&ms, e0, e1) == cudaSuccess && ms > 0,
           "elapsed time across a kernel is positive (%g ms)", ms);
    EXPECT(cudaEventElapsedTime(&ms, e0, nt) == cudaErrorInvalidResourceHandle, "elapsed time with a non-timing event");
    cudaGetLastError();
    // the legacy default stream waits for a blocking stream, not for a non-blocking one's later work
    busy_k<<<1, 64, 0, blk>>>(d + 2, kBusy, 20);
    add_k<<<1, 1, 0, 0>>>(d + 2, 1);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    EXPECT(h[2] == 21, "default-stream work ran after the blocking stream's kernel (got %d, expected 21)", h[2]);
    // memset on a stream, after the stream's kernel
    busy_k<<<1, 64, 0, s>>>(d + 3, kBusy / 4, 7);
    EXPECT(cudaMemsetAsync(d + 3, 0, sizeof(int), s) == cudaSuccess, "cudaMemsetAsync on a stream");
    cudaStreamSynchronize(s);
    cudaMemcpy(h, d, sizeof h, cudaMemcpyDeviceToHost);
    EXPECT(h[3] == 0, "the memset ran after the kernel (got %d)", h[3]);
    // pinned host memory: attributes; an async copy from it reads it when it runs, one from pageable memory at the call
    int* pin = nullptr;
    EXPECT(cudaHostAlloc((void**)&pin, 4 * sizeof(int), cudaHostAllocDefault) == cudaSuccess && pin, "cudaHostAlloc");
    unsigned flags = 99;
    EXPECT(cudaHostGetFlags(&flags, pin + 1) == cudaSuccess && flags == cudaHostAllocDefault, "cudaHostGetFlags");
    cudaPointerAttributes at;
    EXPECT(cudaPointerGetAttributes(&at, pin) == cudaSuccess && at.type == cudaMemoryTypeHost, "pinned: cudaMemoryTypeHost");
    EXPECT(cudaPointerGetAttributes(&at, d) == cudaSuccess && at.type == cudaMemoryTypeDevice && at.device == 0, "device pointer");
    EXPECT(cudaPointerGetAttributes(&at, h) == cudaSuccess && at.type == cudaMemoryTypeUnregistered, "pageable pointer");
    EXPECT(cudaHostGetFlags(&flags, h) == cudaErrorInvalidValue, "cudaHostGetFlags of pageable memory");
    cudaGetLastError();
    pin[0] = 1;
    busy_k<<<1, 64, 0, s>>>(d + 3, kBusy, 0);
    cudaMemcpyAsync(d, pin, sizeof(int), cudaMemcpyHostToDevice, s);
    pin[0] = 2;  // the copy has not run yet: a GPU reads pinned memory when the copy runs
    int pageable = 1;
    cudaMemcpyAsync(d + 1, &pageable, sizeof(int), cudaMemcpyHostToDevice, s);
    pageable = 2;  // staged at the call
    EXPECT(cudaStreamQuery(s) == cudaErrorNotReady, "the copies are queued behind the kernel");
    cudaMemcpyAsync(h, d, 2 * sizeof(int), cudaMemcpyDeviceToHost, s);  // to pageable memory: waits
    EXPECT(h[0] == 2 && h[1] == 1, "async copy from pinned memory ran later (%d, expected 2), pageable was staged (%d, expected 1)", h[0], h[1]);
    EXPECT(cudaFreeHost(pin) == cudaSuccess, "cudaFreeHost");
    EXPECT(cudaFreeHost(h) == cudaErrorInvalidValue, "cudaFreeHost of memory cudaHostAlloc did not return");
    cudaGetLastError();
    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    cudaEventDestroy(nt);
    EXPECT(cudaDeviceSynchronize() == cudaSuccess, "cudaDeviceSynchronize waits for every stream");
    cudaStreamDestroy(s);
    cudaStreamDestroy(s2);
    cudaStreamDestroy(blk);
    cudaFree(d);
  }
  // kernels a GPU would hang on or fault in: reported, and the context is poisoned until cudaDeviceReset
  printf("cuda-emu selftest: two launches that must fail follow (their messages are expected)\n");
  {
    int* d;
    cudaMalloc(&d, 64 * sizeof(int));
    early_exit_shfl_k<<<1, 32, 0, 0>>>(d);
    EXPECT(cudaDeviceSynchronize() == cudaErrorLaunchFailure, "a shuffle naming an exited lane fails the launch");
    EXPECT(cudaMemcpy(d, d, 4, cudaMemcpyDeviceToDevice) == cudaErrorLaunchFailure, "the failure is sticky");
    coords_k<<<1, 32, 0, 0>>>(d);
    EXPECT(cudaGetLastError() == cudaErrorLaunchFailure, "launches after a failure fail");
    EXPECT(cudaDeviceReset() == cudaSuccess, "cudaDeviceReset");
    cudaMalloc(&d, 64 * sizeof(int));
    stuck_k<<<1, 32, 0, 0>>>(d);
    EXPECT(cudaGetLastError() == cudaErrorLaunchFailure, "a block stuck between a barrier and a shuffle fails the launch");
    EXPECT(cudaDeviceReset() == cudaSuccess && cudaMalloc(&d, 4) == cudaSuccess && cudaFree(d) == cudaSuccess, "usable after reset");
  }
  printf("cuda-emu selftest: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
