// cuda_runtime.h - the CUDA emulator's stand-in for the CUDA runtime header (scripts/cuda-emu/, see emu.cc).
//
// scripts/cuda-emu/build.js compiles cuda/*.cu with the host C++ compiler, with this directory first on the include
// path, after rewriting the few spots that are CUDA syntax rather than C++ (`k<<<grid, block, smem, stream>>>(args)`
// launches and `__shared__` declarations; see build.js). Everything else -- the kernels, their index arithmetic, the
// shared NT_HD functors, the caching allocator, the cuBLAS calls -- is the same source that nvcc compiles.
// Kernels run on the CPU under emu.cc's scheduler: every CUDA thread is a fiber, the threads of a block run until
// they finish or wait at a barrier (__syncthreads, or the warp exchange behind __shfl_*_sync), so kernels that share
// data through shared memory and shuffles run as written. Device memory is host memory that the host cannot touch
// between CUDA calls (it is mapped PROT_NONE outside kernels and copies), so a host dereference of a device pointer
// faults here as it would on a real GPU.
//
// Streams and events are emulated (emu.cc: a created stream runs its launches, copies and memsets in order on a thread
// of its own; the default stream is the caller's thread and waits for blocking streams as the legacy default stream);
// so is pinned host memory (cudaHostAlloc). Not emulated (not used by nodetorch): textures, graphs (atomicCAS is: see the end of this file).
#pragma once
#include <cmath>
#include <math.h>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

#define CUDART_VERSION 12000
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};
struct uint3 { unsigned int x, y, z; };

typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaEventDefault 0x00
#define cudaEventDisableTiming 0x02
#define cudaEventBlockingSync 0x01
#define cudaHostAllocDefault 0x00
#define cudaHostAllocPortable 0x01
#define cudaHostAllocMapped 0x02
#define cudaHostAllocWriteCombined 0x04

enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorNoKernelImageForDevice = 209,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorUnsupportedPtxVersion = 222,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorLaunchTimeout = 702,
  cudaErrorHardwareStackError = 714,
  cudaErrorIllegalInstruction = 715,
  cudaErrorMisalignedAddress = 716,
  cudaErrorInvalidPc = 718,
  cudaErrorLaunchFailure = 719,
  cudaErrorAssert = 710,
  cudaErrorUnknown = 999,
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};
enum cudaMemoryType { cudaMemoryTypeUnregistered = 0, cudaMemoryTypeHost = 1, cudaMemoryTypeDevice = 2, cudaMemoryTypeManaged = 3 };
struct cudaPointerAttributes {
  enum cudaMemoryType type;
  int device;
  void* devicePointer;
  void* hostPointer;
};
enum cudaDeviceAttr { cudaDevAttrMaxThreadsPerBlock = 1, cudaDevAttrWarpSize = 10, cudaDevAttrMultiProcessorCount = 16 };

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int warpSize;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  int major;
  int minor;
  int multiProcessorCount;
};

cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaDriverGetVersion(int* v);
cudaError_t cudaRuntimeGetVersion(int* v);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t e);
const char* cudaGetErrorName(cudaError_t e);
cudaError_t cudaMalloc(void** p, size_t n);
template <typename T> inline cudaError_t cudaMalloc(T** p, size_t n) { return cudaMalloc(reinterpret_cast<void**>(p), n); }
cudaError_t cudaFree(void* p);
cudaError_t cudaMemGetInfo(size_t* free_b, size_t* total_b);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind, cudaStream_t s = 0);
cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                         cudaMemcpyKind kind);
cudaError_t cudaMemcpy2DAsync(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                              cudaMemcpyKind kind, cudaStream_t s = 0);
cudaError_t cudaHostAlloc(void** p, size_t n, unsigned int flags);
cudaError_t cudaMallocHost(void** p, size_t n);
cudaError_t cudaFreeHost(void* p);
cudaError_t cudaHostGetFlags(unsigned int* flags, void* p);
cudaError_t cudaPointerGetAttributes(cudaPointerAttributes* attr, const void* p);
cudaError_t cudaMemset(void* p, int value, size_t n);
cudaError_t cudaMemsetAsync(void* p, int value, size_t n, cudaStream_t s = 0);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDeviceReset();
cudaError_t cudaStreamSynchronize(cudaStream_t s);
cudaError_t cudaStreamCreate(cudaStream_t* s);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned int flags);
cudaError_t cudaStreamCreateWithPriority(cudaStream_t* s, unsigned int flags, int priority);
cudaError_t cudaDeviceGetStreamPriorityRange(int* least, int* greatest);
cudaError_t cudaStreamQuery(cudaStream_t s);
cudaError_t cudaStreamDestroy(cudaStream_t s);
cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned int flags = 0);
cudaError_t cudaEventCreate(cudaEvent_t* e);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned int flags);
cudaError_t cudaEventDestroy(cudaEvent_t e);
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = 0);
cudaError_t cudaEventQuery(cudaEvent_t e);
cudaError_t cudaEventSynchronize(cudaEvent_t e);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

// ---- device side: the current thread's coordinates (switched by the scheduler) and the block-level builtins
extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;
constexpr int warpSize = 32;

namespace cuemu {

// a kernel's arguments, evaluated once on the host, and the kernel: what every emulated thread of a launch runs
struct KernelBody {
  virtual void run() = 0;
  virtual ~KernelBody() = default;
};
template <typename F, typename Tuple>
struct KernelBodyT final : KernelBody {
  F f;
  Tuple args;
  KernelBodyT(F fn, Tuple&& a) : f(fn), args(std::move(a)) {}
  void run() override { std::apply(f, args); }
};

// the launch configuration as written between <<< and >>>
struct Config {
  dim3 grid, block;
  size_t smem;
  cudaStream_t stream;
  Config(dim3 g, dim3 b, size_t s = 0, cudaStream_t st = 0) : grid(g), block(b), smem(s), stream(st) {}
};

void launch_body(const char* name, const Config& cfg, KernelBody& body);
// a launch on a created stream: runs later on that stream's thread, which then deletes body
void launch_async(const char* name, const Config& cfg, KernelBody* body);

// `kernel<<<cfg>>>(args...)`, as rewritten by build.js: the arguments are converted to the kernel's parameter types
// once (as CUDA copies them into the parameter buffer), then every thread of the grid runs the kernel on them.
template <typename... P, typename... A>
void launch(const char* name, const Config& cfg, void (*kernel)(P...), A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "kernel launch: wrong number of arguments");
  using Tuple = std::tuple<typename std::decay<P>::type...>;
  using Body = KernelBodyT<void (*)(P...), Tuple>;
  if (cfg.stream == 0) {
    Body body(kernel, Tuple(std::forward<A>(args)...));
    launch_body(name, cfg, body);
  } else {
    launch_async(name, cfg, new Body(kernel, Tuple(std::forward<A>(args)...)));
  }
}

// shared memory of the running block: static __shared__ declarations (keyed by the declaration's line) and the
// dynamic `extern __shared__` array (the launch's smem bytes)
void* smem_static(int key, size_t bytes, size_t align);
void* smem_dynamic();

void sync_block();
uint64_t shfl(uint64_t bits, unsigned mask, int mode, int arg, int width);  // mode 0: down, 1: xor, 2: idx, 3: up

template <typename T>
inline T shfl_t(T v, unsigned mask, int mode, int arg, int width) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "__shfl_*_sync: 1-8 byte values only");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = shfl(bits, mask, mode, arg, width);
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}

// the emulated cuBLAS (emu.cc), reached through matmul.cu's dlopen/dlsym (build.js renames those two calls)
void* emu_dlopen(const char* name, int flags);
void* emu_dlsym(void* handle, const char* sym);

}  // namespace cuemu

inline void __syncthreads() { cuemu::sync_block(); }
template <typename T> inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return cuemu::shfl_t(v, mask, 0, (int)delta, width);
}
template <typename T> inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
  return cuemu::shfl_t(v, mask, 1, lane_mask, width);
}
template <typename T> inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
  return cuemu::shfl_t(v, mask, 2, src, width);
}
template <typename T> inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return cuemu::shfl_t(v, mask, 3, (int)delta, width);
}
// CUDA's global min/max overloads (math_functions.hpp)
#define CUEMU_MINMAX(T)                                       \
  inline T min(T a, T b) { return b < a ? b : a; }           \
  inline T max(T a, T b) { return a < b ? b : a; }
CUEMU_MINMAX(int) CUEMU_MINMAX(unsigned int) CUEMU_MINMAX(long) CUEMU_MINMAX(unsigned long)
CUEMU_MINMAX(long long) CUEMU_MINMAX(unsigned long long)
#undef CUEMU_MINMAX
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
// round-to-nearest arithmetic without contraction (the emulator is compiled with -ffp-contract=off)
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dsub_rn(double a, double b) { return a - b; }
// Atomics: launches are serialised and a block's threads are fibers that switch only at barriers, so a plain
// read-modify-write is atomic here (cuda/common.cuh's atomic_apply builds every other atomic on atomicCAS).
inline unsigned int atomicCAS(unsigned int* p, unsigned int compare, unsigned int val) {
  unsigned int old = *p;
  if (old == compare) *p = val;
  return old;
}
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long compare, unsigned long long val) {
  unsigned long long old = *p;
  if (old == compare) *p = val;
  return old;
}
inline int atomicCAS(int* p, int compare, int val) {
  int old = *p;
  if (old == compare) *p = val;
  return old;
}
inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int)(((unsigned long long)a * b) >> 32); }
