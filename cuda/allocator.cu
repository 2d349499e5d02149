// allocator.cu - the CUDA caching allocator and the DeviceHooks that plug the CUDA backend into the binding.
//
// Note [no CUDA at load time]: the hooks are installed by a static initialiser that only stores function pointers;
// the CUDA runtime is first touched when a CUDA tensor is made or torch.cuda.* is asked something. So this binary
// loads and runs CPU code on a machine without a driver or a GPU, and deviceCount() is then 0, not an error.
//
// Allocation (after PyTorch's c10/cuda/CUDACachingAllocator.cpp): requests are rounded up to 512 B. Requests up to 1 MiB come from 2 MiB segments ("small pool"); larger ones from
// segments rounded up to 2 MiB ("large pool"). A free block that is bigger than needed is split, freed blocks merge
// with free neighbours of the same segment, and cached segments are returned to the driver by emptyCache() or when
// cudaMalloc fails (then retried once). reserved = bytes held from cudaMalloc, allocated = bytes in live blocks.
//
// Note [allocator streams]: a segment belongs to the stream that was current when it was made, and its blocks are
// handed out only to requests on that stream, so a block freed right after queuing kernels on stream s is reused only
// by later work on s (ordered after them). A block also used on other streams (tensor.recordStream(t, s2)) is not
// reusable when freed: an event is recorded on each such stream, and the block returns to its pool only once they
// have all completed (checked at each allocation; emptyCache and the out-of-memory path wait for them). allocated
// drops at the free itself, as PyTorch's statistics.
#include <cstdio>
#include <algorithm>
#include <functional>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>
#include "common.cuh"
#include "../native/core/nccl_hooks.h"

#ifndef NT_CUDA_ARCHS
#define NT_CUDA_ARCHS "?"
#endif

namespace nt {
namespace cu {

void throw_cuda_error(cudaError_t e, const char* expr) {
  cudaGetLastError();  // clear a non-sticky error so that later calls are not blamed for this one
  std::string m = std::string("CUDA error: ") + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")";
  if (expr && *expr) m += std::string(" in ") + expr;
  if (e == cudaErrorIllegalAddress || e == cudaErrorLaunchFailure || e == cudaErrorIllegalInstruction ||
      e == cudaErrorMisalignedAddress || e == cudaErrorHardwareStackError || e == cudaErrorInvalidPc ||
      e == cudaErrorAssert || e == cudaErrorLaunchTimeout)
    m += ". This error is sticky: the CUDA context of this process is unusable from now on (restart the process); "
         "kernel errors are reported asynchronously, so the failing kernel may be an earlier one (run with "
         "CUDA_LAUNCH_BLOCKING=1 to find it)";
  if (e == cudaErrorNoKernelImageForDevice || e == cudaErrorUnsupportedPtxVersion)
    m += ". This nodetorch binary was compiled for CUDA architectures " NT_CUDA_ARCHS
         "; rebuild for this GPU with NODETORCH_CUDA_ARCH=<sm> npm run build:cuda";
  throw TorchError(m);
}

// ---------------------------------------------------------------- devices
namespace {

struct DeviceInfo {
  std::once_flag once;
  int count = 0;
  cudaError_t err = cudaSuccess;
  std::vector<int> sms;
};
DeviceInfo& devinfo() {
  static DeviceInfo* d = new DeviceInfo();  // never destroyed (no CUDA work at exit)
  return *d;
}
void probe() {
  DeviceInfo& d = devinfo();
  std::call_once(d.once, [&d] {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
      cudaGetLastError();
      d.err = e;
      d.count = 0;
    } else {
      d.count = n;
    }
    d.sms.assign(d.count, 0);
    for (int i = 0; i < d.count; i++) {
      int v = 0;
      if (cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, i) == cudaSuccess) d.sms[i] = v;
      else cudaGetLastError();
    }
  });
}

std::string unavailable_reason() {
  probe();
  DeviceInfo& d = devinfo();
  if (d.err != cudaSuccess) {
    std::string r = std::string("cudaGetDeviceCount failed: ") + cudaGetErrorString(d.err) + " (" + cudaGetErrorName(d.err) + ")";
    int drv = 0;
    if (cudaDriverGetVersion(&drv) != cudaSuccess) cudaGetLastError();
    if (drv == 0) r = "no NVIDIA driver was found (libcuda.so could not be loaded); " + r;
    return r;
  }
  if (d.count == 0) return "cudaGetDeviceCount found no CUDA device";
  return "";
}

thread_local int tl_current = -1;

}  // namespace

int device_count() {
  probe();
  return devinfo().count;
}

void check_device(int index) {
  int n = device_count();
  if (n == 0) throw TorchError("CUDA is not available: " + unavailable_reason() + " (torch.cuda.diagnose() says more)");
  if (index < 0 || index >= n)
    throw TorchError("CUDA error: invalid device ordinal (device cuda:" + std::to_string(index) + " requested, " +
                     std::to_string(n) + " device" + (n == 1 ? "" : "s") + " present)");
}

void set_device(int index) {
  if (index == tl_current) return;
  check_device(index);
  CUDA_CHECK(cudaSetDevice(index));
  tl_current = index;
}

int current_device() { return tl_current < 0 ? 0 : tl_current; }

int sm_count(int index) {
  probe();
  DeviceInfo& d = devinfo();
  return (index >= 0 && index < d.count && d.sms[index] > 0) ? d.sms[index] : 80;
}

// ---------------------------------------------------------------- caching allocator
namespace {

constexpr size_t kRound = 512;
constexpr size_t kSmallSize = (size_t)1 << 20;     // requests up to this come from the small pool
constexpr size_t kSmallSegment = (size_t)2 << 20;  // small pool segment size
constexpr size_t kLargeRound = (size_t)2 << 20;    // large segments are multiples of this

struct Block {
  char* ptr;
  size_t size;
  int dev;
  bool small;
  cudaStream_t stream = nullptr;  // the stream its segment was made for (Note [allocator streams])
  bool allocated = false;         // handed out, or freed but waiting for events of other streams
  int pending = 0;                // events not yet completed since the free
  std::vector<cudaStream_t> uses;  // other streams it was used on (recordStream)
  Block* prev = nullptr;  // neighbours within the same cudaMalloc segment
  Block* next = nullptr;
};
struct BySize {
  bool operator()(const Block* a, const Block* b) const {
    if (a->stream != b->stream) return std::less<cudaStream_t>()(a->stream, b->stream);
    return a->size != b->size ? a->size < b->size : a->ptr < b->ptr;
  }
};
struct Pools {
  std::set<Block*, BySize> small, large;  // free blocks
  size_t reserved = 0, allocated = 0, peak = 0, peak_reserved = 0;
  int64_t allocations = 0, retries = 0, ooms = 0;  // PyTorch's allocation.all.allocated, num_alloc_retries, num_ooms
  int64_t pending = 0;  // blocks freed but waiting for events of other streams
};

struct Allocator {
  std::mutex mu;
  std::vector<Pools> pools;
  std::unordered_map<void*, Block*> live;
  std::vector<std::pair<cudaEvent_t, Block*>> events;  // recorded at frees of blocks used on other streams

  // returns the block to its pool, merged with free neighbours; caller holds mu
  void free_block(Block* b) {
    Pools& P = pools[b->dev];
    auto& pool = b->small ? P.small : P.large;
    b->allocated = false;
    b->uses.clear();
    if (b->prev && !b->prev->allocated) {  // merge into the previous block
      Block* a = b->prev;
      pool.erase(a);
      a->size += b->size;
      a->next = b->next;
      if (b->next) b->next->prev = a;
      delete b;
      b = a;
    }
    if (b->next && !b->next->allocated) {  // absorb the next block
      Block* n = b->next;
      pool.erase(n);
      b->size += n->size;
      b->next = n->next;
      if (n->next) n->next->prev = b;
      delete n;
    }
    pool.insert(b);
  }

  // blocks whose events have all completed go back to their pools (wait: synchronise on them first); caller holds mu
  void process_events(bool wait) {
    size_t w = 0;
    for (size_t i = 0; i < events.size(); i++) {
      cudaEvent_t e = events[i].first;
      Block* b = events[i].second;
      cudaError_t st = wait ? cudaEventSynchronize(e) : cudaEventQuery(e);
      if (st == cudaErrorNotReady) { cudaGetLastError(); events[w++] = events[i]; continue; }
      if (st != cudaSuccess) cudaGetLastError();  // a failed context: nothing will run any more
      cudaEventDestroy(e);
      if (--b->pending == 0) {
        pools[b->dev].pending--;
        free_block(b);
      }
    }
    events.resize(w);
  }

  Pools& pools_of(int dev) {
    if ((int)pools.size() <= dev) pools.resize(dev + 1);
    return pools[dev];
  }

  // frees every cached segment of `dev` (-1: all) that has no live block; caller holds mu
  void release_cached(int dev) {
    for (int d = 0; d < (int)pools.size(); d++) {
      if (dev >= 0 && d != dev) continue;
      Pools& P = pools[d];
      for (auto* set : {&P.small, &P.large}) {
        for (auto it = set->begin(); it != set->end();) {
          Block* b = *it;
          if (!b->prev && !b->next && !b->allocated) {
            int cur = -1;
            cudaGetDevice(&cur);
            if (cur != d) cudaSetDevice(d);
            cudaError_t e = cudaFree(b->ptr);
            if (cur != d && cur >= 0) cudaSetDevice(cur);
            if (e != cudaSuccess) { cudaGetLastError(); ++it; continue; }
            P.reserved -= b->size;
            it = set->erase(it);
            delete b;
          } else {
            ++it;
          }
        }
      }
    }
  }

  void* alloc(size_t nbytes, int dev) {
    set_device(dev);
    cudaStream_t st = stream();
    size_t size = std::max<size_t>(kRound, (nbytes + kRound - 1) / kRound * kRound);
    bool small = size <= kSmallSize;
    std::lock_guard<std::mutex> lock(mu);
    Pools& P = pools_of(dev);
    if (!events.empty()) process_events(false);
    auto& pool = small ? P.small : P.large;
    Block key{nullptr, size, dev, small};
    key.stream = st;
    auto it = pool.lower_bound(&key);
    Block* b = nullptr;
    if (it != pool.end() && (*it)->stream == st) {
      b = *it;
      pool.erase(it);
    } else {
      size_t seg = small ? kSmallSegment : (size + kLargeRound - 1) / kLargeRound * kLargeRound;
      void* p = nullptr;
      cudaError_t e = cudaMalloc(&p, seg);
      if (e == cudaErrorMemoryAllocation) {
        cudaGetLastError();
        process_events(true);
        release_cached(dev);
        P.retries++;
        e = cudaMalloc(&p, seg);
      }
      if (e != cudaSuccess) {
        cudaGetLastError();
        if (e != cudaErrorMemoryAllocation) throw_cuda_error(e, "cudaMalloc");
        P.ooms++;
        size_t freeb = 0, total = 0;
        cudaMemGetInfo(&freeb, &total);
        cudaGetLastError();
        auto gib = [](size_t b) { char s[32]; snprintf(s, sizeof s, "%.2f GiB", b / 1073741824.0); return std::string(s); };
        auto mib = [](size_t b) { char s[32]; snprintf(s, sizeof s, "%.2f MiB", b / 1048576.0); return std::string(s); };
        throw TorchError("CUDA out of memory. Tried to allocate " + mib(nbytes) + ". GPU " + std::to_string(dev) +
                         " has a total capacity of " + gib(total) + " of which " + mib(freeb) + " is free. Of the allocated memory " +
                         mib(P.allocated) + " is allocated by nodetorch, and " + mib(P.reserved - P.allocated) +
                         " is reserved by nodetorch but unallocated.");
      }
      P.reserved += seg;
      P.peak_reserved = std::max(P.peak_reserved, P.reserved);
      b = new Block{static_cast<char*>(p), seg, dev, small};
      b->stream = st;
    }
    // split off the tail when it is worth keeping as a block of its own
    size_t rest = b->size - size;
    if (rest >= (small ? kRound : kSmallSize + 1)) {
      Block* r = new Block{b->ptr + size, rest, dev, small};
      r->stream = st;
      r->prev = b;
      r->next = b->next;
      if (b->next) b->next->prev = r;
      b->next = r;
      b->size = size;
      pool.insert(r);
    }
    b->allocated = true;
    live[b->ptr] = b;
    P.allocated += b->size;
    P.peak = std::max(P.peak, P.allocated);
    P.allocations++;
    return b->ptr;
  }

  void free(void* p) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = live.find(p);
    if (it == live.end()) return;  // not ours (never throws: this runs inside GC finalizers)
    Block* b = it->second;
    live.erase(it);
    Pools& P = pools[b->dev];
    P.allocated -= b->size;
    if (!b->uses.empty()) {  // Note [allocator streams]: back to the pool once the other streams' work has run
      int cur = -1;
      if (cudaGetDevice(&cur) != cudaSuccess) cudaGetLastError();
      if (cur != b->dev) cudaSetDevice(b->dev);
      for (cudaStream_t s : b->uses) {
        cudaEvent_t e = nullptr;
        if (cudaEventCreateWithFlags(&e, cudaEventDisableTiming) == cudaSuccess && cudaEventRecord(e, s) == cudaSuccess) {
          events.emplace_back(e, b);
          b->pending++;
        } else {  // no event: wait for that stream here instead
          cudaGetLastError();
          if (e) cudaEventDestroy(e);
          cudaStreamSynchronize(s);
          cudaGetLastError();
        }
      }
      if (cur >= 0 && cur != b->dev) cudaSetDevice(cur);
      b->uses.clear();
      if (b->pending > 0) { P.pending++; return; }
    }
    free_block(b);
  }

  // tensor.recordStream(s): the block's memory is in use on stream s too (Note [allocator streams])
  void record_stream(void* p, cudaStream_t s) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = live.find(p);
    if (it == live.end()) return;  // not a block start (a pinned or foreign pointer): nothing to track
    Block* b = it->second;
    if (s == b->stream) return;
    if (std::find(b->uses.begin(), b->uses.end(), s) == b->uses.end()) b->uses.push_back(s);
  }
};

Allocator& allocator() {
  static Allocator* a = new Allocator();  // never destroyed: no cudaFree while the process exits
  return *a;
}

}  // namespace

void* dev_alloc(size_t nbytes, int index) { return allocator().alloc(nbytes, index); }
void dev_free(void* p, size_t, int) { if (p) allocator().free(p); }
void dev_record_stream(void* p, cudaStream_t s) { if (p) allocator().record_stream(p, s); }
// whether a device pointer is the start of a live block (tests of tensor.recordStream use it through dataPtr)
int64_t dev_pending(int index) {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  return index >= 0 && index < (int)A.pools.size() ? A.pools[index].pending : 0;
}
size_t dev_allocated(int index) {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  return index >= 0 && index < (int)A.pools.size() ? A.pools[index].allocated : 0;
}
// torch.cuda.memoryStats: allocated (current, peak), reserved (current, peak), allocations, retries, ooms
void dev_stats(int index, int64_t* out) {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  for (int i = 0; i < 8; i++) out[i] = 0;
  if (index < 0 || index >= (int)A.pools.size()) return;
  const Pools& P = A.pools[index];
  out[0] = (int64_t)P.allocated; out[1] = (int64_t)P.peak; out[2] = (int64_t)P.reserved; out[3] = (int64_t)P.peak_reserved;
  out[4] = P.allocations; out[5] = P.retries; out[6] = P.ooms; out[7] = P.pending;
}
// torch.cuda.resetPeakMemoryStats: the peaks start again from the current values
void dev_reset_peak(int index) {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  if (index < 0 || index >= (int)A.pools.size()) return;
  Pools& P = A.pools[index];
  P.peak = P.allocated;
  P.peak_reserved = P.reserved;
}
size_t dev_reserved(int index) {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  return index >= 0 && index < (int)A.pools.size() ? A.pools[index].reserved : 0;
}

// ---------------------------------------------------------------- hooks
namespace {

// host reads and writes run on the current stream and synchronise it (Note [streams]): the JS buffer is read or
// may go away once they return
void h_to_host(void* dst, const void* src, size_t n, int index) {
  set_device(index);
  memcpy_d2h(dst, src, n);
  if (nccl_hooks().check_async_error) nccl_hooks().check_async_error();  // Note [NCCL watchdog] (nccl.cu)
}
void h_from_host(void* dst, const void* src, size_t n, int index) {
  set_device(index);
  memcpy_h2d(dst, src, n);
}
void h_synchronize(int index) {
  if (device_count() == 0) return;  // nothing can be pending
  set_device(index);
  CUDA_CHECK(cudaDeviceSynchronize());
  if (nccl_hooks().check_async_error) nccl_hooks().check_async_error();  // Note [NCCL watchdog] (nccl.cu)
}
void h_memset0(void* p, size_t n, int index) {
  set_device(index);
  CUDA_CHECK(cudaMemsetAsync(p, 0, n, stream()));
}
size_t h_reserved(int index) { return dev_reserved(index); }
size_t h_allocated(int index) { return dev_allocated(index); }
void h_empty_cache() {
  Allocator& A = allocator();
  std::lock_guard<std::mutex> lock(A.mu);
  if (A.pools.empty()) return;
  for (int d = 0; d < (int)A.pools.size(); d++) {
    int cur = -1;
    if (cudaGetDevice(&cur) == cudaSuccess && cur != d) cudaSetDevice(d);
    cudaDeviceSynchronize();  // cudaFree synchronises anyway; errors surface on the next checked call
    cudaGetLastError();
    if (cur >= 0 && cur != d) cudaSetDevice(cur);
  }
  A.process_events(true);
  A.release_cached(-1);
}

std::string version_str(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

// lowest compiled architecture (e.g. "80;90" or "80-real,90" -> 80); with PTX for it any newer GPU can JIT
int min_arch() {
  const char* s = NT_CUDA_ARCHS;
  int best = 0;
  while (*s) {
    if (*s >= '0' && *s <= '9') {
      int v = 0;
      while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
      if (v > 0 && (best == 0 || v < best)) best = v;
      while (*s && *s != ',' && *s != ';') s++;
    } else {
      s++;
    }
  }
  return best;
}

std::string h_diagnose() {
  std::string r = "nodetorch CUDA backend: built with CUDA runtime " + version_str(CUDART_VERSION) +
                  " (static cudart) for architectures " NT_CUDA_ARCHS ".\n";
  int drv = 0, rt = 0;
  cudaError_t ed = cudaDriverGetVersion(&drv);
  if (ed != cudaSuccess) cudaGetLastError();
  cudaRuntimeGetVersion(&rt);
  cudaGetLastError();
  if (drv == 0) r += "NVIDIA driver: not found (cudaDriverGetVersion reports no driver: libcuda.so is not loadable).\n";
  else r += "NVIDIA driver: supports CUDA " + version_str(drv) + "; runtime: CUDA " + version_str(rt) + ".\n";
  if (drv != 0 && drv < CUDART_VERSION)
    r += "The driver is older than this binary's CUDA runtime (" + version_str(CUDART_VERSION) +
         "): update the NVIDIA driver, or rebuild nodetorch with an older CUDA toolkit.\n";
  int n = device_count();
  std::string why = unavailable_reason();
  if (n == 0) {
    r += "CUDA is not usable: " + why + ".";
    return r;
  }
  r += "Devices: " + std::to_string(n) + "\n";
  int lo = min_arch();
  for (int i = 0; i < n; i++) {
    cudaDeviceProp p;
    cudaError_t e = cudaGetDeviceProperties(&p, i);
    if (e != cudaSuccess) {
      cudaGetLastError();
      r += "  cuda:" + std::to_string(i) + ": cudaGetDeviceProperties failed: " + cudaGetErrorString(e) + "\n";
      continue;
    }
    char line[512];
    snprintf(line, sizeof line, "  cuda:%d: %s, compute capability %d.%d, %.1f GiB, %d SMs\n", i, p.name, p.major, p.minor,
             p.totalGlobalMem / 1073741824.0, p.multiProcessorCount);
    r += line;
    int cc = p.major * 10 + p.minor;
    if (lo > 0 && cc < lo)
      r += "    this GPU (sm_" + std::to_string(cc) + ") is older than the oldest architecture compiled in (sm_" +
           std::to_string(lo) + "): kernels will fail; rebuild with NODETORCH_CUDA_ARCH=" + std::to_string(cc) +
           " npm run build:cuda\n";
  }
  r += "CUDA is usable.";
  return r;
}

void* h_alloc(size_t n, int index) { return dev_alloc(n, index); }
void h_free(void* p, size_t n, int index) { dev_free(p, n, index); }

struct InstallHooks {
  InstallHooks() {  // Note [no CUDA at load time]: pointers only
    DeviceHooks& h = cuda_hooks();
    h.alloc = h_alloc;
    h.free = h_free;
    h.to_host = h_to_host;
    h.from_host = h_from_host;
    h.synchronize = h_synchronize;
    h.device_count = device_count;
    h.diagnose = h_diagnose;
    h.memory_reserved = h_reserved;
    h.memory_allocated = h_allocated;
    h.memory_stats = dev_stats;
    h.reset_peak = dev_reset_peak;
    h.empty_cache = h_empty_cache;
    h.memset0 = h_memset0;
  }
};
InstallHooks install_hooks;

}  // namespace

}  // namespace cu
}  // namespace nt
