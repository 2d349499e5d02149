// common.cuh - what every CUDA kernel file shares: CUDA_CHECK (a CUDA error becomes a TorchError, never exit/abort),
// the current-device switch, the default stream, 1-D launch helpers with a grid-stride loop, device-side strided
// indexing (DevTensor for one operand, Indexer<N> for N operands of one shape with coalesced dims), and device
// temporaries from the caching allocator (cuda/allocator.cu).
//
// Note [streams]: every kernel, memset and copy runs on the *current stream* of its device (stream(): per host thread
// and device, set from JS by torch.cuda.stream(s, fn); the legacy default stream unless set; cuda/stream.cu). Work
// on one stream is ordered, so a block handed back to the caching allocator right after a launch can be reused by
// the next launch on that stream safely; the allocator reuses a block only on the stream it was allocated on, and
// tensor.recordStream(s) makes a free wait for s's work (PyTorch's rule, allocator.cu). A copy to the host is issued
// on the current stream and synchronises it (memcpy_d2h).
#pragma once
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include "../native/core/device.h"
#include "../native/core/dispatch.h"
#include "../native/kernels/scalar.h"

namespace nt {
namespace cu {

// Throws TorchError("CUDA error: <cudaGetErrorString> (<name>) [in <expr>]"); clears the (non-sticky) error state.
[[noreturn]] void throw_cuda_error(cudaError_t e, const char* expr);

#define CUDA_CHECK(expr)                                                     \
  do {                                                                       \
    cudaError_t nt_cuda_err_ = (expr);                                       \
    if (nt_cuda_err_ != cudaSuccess) ::nt::cu::throw_cuda_error(nt_cuda_err_, #expr); \
  } while (0)

// ---- devices (allocator.cu) ----
int device_count();                 // 0 (no throw) when there is no driver or no device
void check_device(int index);       // throws a clear TorchError when CUDA is unusable or index is out of range
void set_device(int index);         // check_device + cudaSetDevice, skipped when already current on this thread
cudaStream_t stream();              // the current stream of the current device on this thread (Note [streams])
int current_device();               // the device set_device made current on this thread (0 before any)
int sm_count(int index);

// ---- memory (allocator.cu): the caching allocator behind the DeviceHooks, also used for kernel temporaries ----
void* dev_alloc(size_t nbytes, int index);
void dev_free(void* p, size_t nbytes, int index);
size_t dev_allocated(int index);
size_t dev_reserved(int index);

// The device of a kernel call: that of its first tensor's storage.
inline int call_device(const Call& c) { return (c.nt > 0 && c.t[0].storage) ? c.t[0].storage->device_index : 0; }

// ---- launches ----
constexpr int kThreads = 256;
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  return (unsigned)std::max<int64_t>(1, std::min<int64_t>(b, 65536));  // the grid-stride loop covers the rest
}
#define NT_KERNEL_LOOP(i, n)                                                        \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);         \
       i += (int64_t)blockDim.x * gridDim.x)

inline void check_launch() { CUDA_CHECK(cudaGetLastError()); }

// copies between host (pageable) memory and the device on the current stream, synchronised: the host buffer may be
// read or go away once they return (Note [streams])
inline void memcpy_d2h(void* dst, const void* src, size_t n) {
  if (!n) return;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
}
inline void memcpy_h2d(void* dst, const void* src, size_t n) {
  if (!n) return;
  CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, stream()));
  CUDA_CHECK(cudaStreamSynchronize(stream()));
}

// launch_1d(kernel, n, args...): grid-stride kernel over n elements on the current stream, launch errors checked.
template <typename... KArgs, typename... Args>
void launch_1d(void (*kernel)(KArgs...), int64_t n, Args&&... args) {
  if (n <= 0) return;
  kernel<<<grid_for(n), kThreads, 0, stream()>>>(std::forward<Args>(args)...);
  check_launch();
}

// ---- strided indexing ----
// One strided operand (a TensorArg on the device): element offset of a row-major linear index.
struct DevTensor {
  char* data;
  int ndim;
  int64_t shape[kMaxDims];
  int64_t stride[kMaxDims];  // elements
  __host__ __device__ __forceinline__ int64_t offset(int64_t linear) const {
    int64_t off = 0;
    for (int d = ndim - 1; d >= 0; d--) {
      int64_t s = shape[d], q = linear / s;
      off += (linear - q * s) * stride[d];
      linear = q;
    }
    return off;
  }
  template <typename T> __host__ __device__ __forceinline__ T* ptr() const { return reinterpret_cast<T*>(data); }
};
inline DevTensor dev_tensor(const TensorArg& t) {
  DevTensor d;
  d.data = t.data;
  d.ndim = t.ndim;
  for (int i = 0; i < kMaxDims; i++) {
    d.shape[i] = i < t.ndim ? t.shape[i] : 1;
    d.stride[i] = i < t.ndim ? t.stride[i] : 0;
  }
  return d;
}

// Fast division by an invariant divisor (PyTorch's IntDivider): q = (mulhi(n, m) + n) >> s for 0 <= n < 2^31 and
// 1 <= d < 2^31, with m and s chosen on the host. The strided indexers use it when every linear index of the launch
// fits in 31 bits (the usual case), and 64-bit division otherwise, so huge tensors stay correct.
struct FastDiv {
  uint32_t d = 1, m = 1, s = 0;
  FastDiv() = default;
  explicit FastDiv(uint32_t div) : d(div ? div : 1) {  // an empty dim (size 0) is never divided by: any value
    div = d;
    s = 0;
    while (s < 32 && (uint64_t(1) << s) < div) s++;
    m = (uint32_t)(((uint64_t(1) << 32) * ((uint64_t(1) << s) - div)) / div + 1);
  }
  __host__ __device__ __forceinline__ uint32_t div(uint32_t n) const {
#ifdef __CUDA_ARCH__
    const uint32_t t = __umulhi(n, m);
#else
    const uint32_t t = (uint32_t)(((uint64_t)n * m) >> 32);
#endif
    return (uint32_t)(((uint64_t)t + n) >> s);
  }
};
constexpr int64_t kFastDivMax = (int64_t(1) << 31) - 1;

// N operands of one shape, their own element strides; size-1 dims dropped and contiguous runs merged on the host
// (as cpu.h's strided_loop), so a contiguous or simply strided operand set costs one multiply per element. The
// outermost dim needs no division (i < total); the others divide by a precomputed FastDiv when `i32` (total < 2^31).
template <int N>
struct Indexer {
  int ndim;
  bool i32;
  int64_t shape[kMaxDims];
  int64_t stride[N][kMaxDims];
  FastDiv fd[kMaxDims];
  __device__ __forceinline__ void offsets(int64_t i, int64_t (&off)[N]) const {
    if (ndim == 1) {
#pragma unroll
      for (int k = 0; k < N; k++) off[k] = i * stride[k][0];
      return;
    }
#pragma unroll
    for (int k = 0; k < N; k++) off[k] = 0;
    if (i32) {
      uint32_t li = (uint32_t)i;
      for (int d = ndim - 1; d > 0; d--) {
        const uint32_t q = fd[d].div(li), r = li - q * fd[d].d;
        li = q;
#pragma unroll
        for (int k = 0; k < N; k++) off[k] += (int64_t)r * stride[k][d];
      }
#pragma unroll
      for (int k = 0; k < N; k++) off[k] += (int64_t)li * stride[k][0];
      return;
    }
    for (int d = ndim - 1; d > 0; d--) {
      int64_t s = shape[d], q = i / s, r = i - q * s;
      i = q;
#pragma unroll
      for (int k = 0; k < N; k++) off[k] += r * stride[k][d];
    }
#pragma unroll
    for (int k = 0; k < N; k++) off[k] += i * stride[k][0];
  }
  // the fast divisors for the current shape (make_indexer calls it; call again after editing shape/ndim by hand)
  void prepare(int64_t total) {
    i32 = total <= kFastDivMax;
    for (int d = 0; d < kMaxDims; d++) fd[d] = FastDiv(i32 && d < ndim ? (uint32_t)shape[d] : 1u);
  }
};

// Builds the indexer over ts[0]'s shape; returns the element count (0: nothing to do).
template <int N>
int64_t make_indexer(const TensorArg* const* ts, Indexer<N>& ix) {
  const TensorArg& t0 = *ts[0];
  int64_t total = 1;
  for (int d = 0; d < t0.ndim; d++) total *= t0.shape[d];
  ix.ndim = 0;
  for (int d = 0; d < kMaxDims; d++) {
    ix.shape[d] = 1;
    for (int k = 0; k < N; k++) ix.stride[k][d] = 0;
  }
  ix.prepare(1);
  if (total == 0) return 0;
  int nd = 0;
  for (int d = 0; d < t0.ndim; d++) {
    if (t0.shape[d] == 1) continue;
    ix.shape[nd] = t0.shape[d];
    for (int k = 0; k < N; k++) ix.stride[k][nd] = ts[k]->stride[d];
    nd++;
  }
  if (nd == 0) { ix.ndim = 0; ix.prepare(1); return 1; }
  int w = 0;
  for (int d = 1; d < nd; d++) {
    bool ok = true;
    for (int k = 0; k < N; k++) if (ix.stride[k][w] != ix.stride[k][d] * ix.shape[d]) { ok = false; break; }
    if (ok) {
      ix.shape[w] *= ix.shape[d];
      for (int k = 0; k < N; k++) ix.stride[k][w] = ix.stride[k][d];
    } else {
      w++;
      ix.shape[w] = ix.shape[d];
      for (int k = 0; k < N; k++) ix.stride[k][w] = ix.stride[k][d];
    }
  }
  ix.ndim = w + 1;
  for (int d = ix.ndim; d < kMaxDims; d++) {
    ix.shape[d] = 1;
    for (int k = 0; k < N; k++) ix.stride[k][d] = 0;
  }
  ix.prepare(total);
  return total;
}

// ---- vectorised access: V elements of T moved by one (up to 16-byte) load or store; the pointer must be aligned
template <typename T, int V>
struct alignas(sizeof(T) * V) VecT {
  T v[V];
};

// ---- atomics ----
// atomic_apply(p, f): *p = f(*p) atomically for any 1/2/4/8-byte element type (a compare-and-swap loop on the
// aligned 32- or 64-bit word that holds it), so the shared NT_HD arithmetic (add_scaled, mul_vals, ...) runs unchanged
// where outputs collide. The order in which colliding threads apply f is unspecified on a GPU (float sums then differ
// from the CPU's serial order in the last bits); the emulator runs threads in order and gives the serial result.
template <typename T, typename F>
__device__ __forceinline__ void atomic_apply(T* p, F f) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8, "atomic_apply: element size");
  if constexpr (sizeof(T) == 8) {
    unsigned long long* a = reinterpret_cast<unsigned long long*>(p);
    unsigned long long old = *a, assumed;
    do {
      assumed = old;
      T v;
      memcpy(&v, &assumed, 8);
      const T nv = f(v);
      unsigned long long nb;
      memcpy(&nb, &nv, 8);
      old = atomicCAS(a, assumed, nb);
    } while (old != assumed);
  } else if constexpr (sizeof(T) == 4) {
    unsigned int* a = reinterpret_cast<unsigned int*>(p);
    unsigned int old = *a, assumed;
    do {
      assumed = old;
      T v;
      memcpy(&v, &assumed, 4);
      const T nv = f(v);
      unsigned int nb;
      memcpy(&nb, &nv, 4);
      old = atomicCAS(a, assumed, nb);
    } while (old != assumed);
  } else {
    const uintptr_t addr = reinterpret_cast<uintptr_t>(p);
    unsigned int* a = reinterpret_cast<unsigned int*>(addr & ~(uintptr_t)3);
    const unsigned shift = (unsigned)(addr & 3) * 8;
    const unsigned int mask = (sizeof(T) == 1 ? 0xffu : 0xffffu) << shift;
    unsigned int old = *a, assumed;
    do {
      assumed = old;
      const unsigned int bits = (assumed & mask) >> shift;
      T v;
      memcpy(&v, &bits, sizeof(T));  // little-endian: the low bytes
      const T nv = f(v);
      unsigned int nb = 0;
      memcpy(&nb, &nv, sizeof(T));
      old = atomicCAS(a, assumed, (assumed & ~mask) | ((nb << shift) & mask));
    } while (old != assumed);
  }
}
// the smallest value written wins (first-bad-position flags)
__device__ __forceinline__ void atomic_min_u64(unsigned long long* p, unsigned long long v) {
  atomic_apply(p, [v](unsigned long long o) { return v < o ? v : o; });
}

// ---- device temporaries ----
// A contiguous scratch tensor in device memory, returned to the caching allocator when it goes out of scope
// (safe right after queuing kernels on the current stream: Note [streams]).
struct DevTemp {
  void* p = nullptr;
  size_t nbytes = 0;
  int dev = 0;
  TensorArg t;
  DevTemp() = default;
  DevTemp(const DevTemp&) = delete;
  DevTemp& operator=(const DevTemp&) = delete;
  ~DevTemp() { if (p) dev_free(p, nbytes, dev); }
  void* alloc(size_t n, int index) {
    dev = index;
    nbytes = std::max<size_t>(n, 1);
    p = dev_alloc(nbytes, index);
    return p;
  }
};


// elementwise.cu: device dst <- src with dtype conversion (shapes equal, any strides);
// a contiguous device temporary shaped like `like` (uninitialised); and a compact converted copy of t
// (broadcast dims, stride 0, stay stride 0 and are not copied), as cpu.h's make_temp/make_compact_copy.
void copy_cast(const TensorArg& dst, const TensorArg& src);
void make_temp(const TensorArg& like, DType dt, int dev, DevTemp& out);
void make_compact_copy(const TensorArg& t, DType dt, int dev, DevTemp& out);

// reduce.cu: in-place inclusive cumulative sum of n contiguous int64 on the device (the parallel scan of cumsum;
// nonzero's compaction offsets).
void scan_i64_inplace(int64_t* data, int64_t n, int dev);

}  // namespace cu
}  // namespace nt
