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

// N operands of one shape, their own element strides; size-1 dims dropped and contiguous runs merged on the host
// (as cpu.h's strided_loop), so a contiguous or simply strided operand set costs one multiply per element.
template <int N>
struct Indexer {
  int ndim;
  int64_t shape[kMaxDims];
  int64_t stride[N][kMaxDims];
  __device__ __forceinline__ void offsets(int64_t i, int64_t (&off)[N]) const {
    if (ndim == 1) {
#pragma unroll
      for (int k = 0; k < N; k++) off[k] = i * stride[k][0];
      return;
    }
#pragma unroll
    for (int k = 0; k < N; k++) off[k] = 0;
    for (int d = ndim - 1; d >= 0; d--) {
      int64_t s = shape[d], q = i / s, r = i - q * s;
      i = q;
#pragma unroll
      for (int k = 0; k < N; k++) off[k] += r * stride[k][d];
    }
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
  if (total == 0) return 0;
  int nd = 0;
  for (int d = 0; d < t0.ndim; d++) {
    if (t0.shape[d] == 1) continue;
    ix.shape[nd] = t0.shape[d];
    for (int k = 0; k < N; k++) ix.stride[k][nd] = ts[k]->stride[d];
    nd++;
  }
  if (nd == 0) { ix.ndim = 0; return 1; }
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
  return total;
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

}  // namespace cu
}  // namespace nt
