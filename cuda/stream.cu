// stream.cu - streams, events and pinned host memory of the CUDA backend (torch.cuda.Stream / Event, pinMemory()).
//
// Streams (after PyTorch's c10/cuda/CUDAStream.cpp): a stream is (device, id). Id 0 is the device's legacy default
// stream; torch.cuda.Stream() takes the next of a per-device pool of 32 non-blocking streams per priority (ids 1-32
// low, 33-64 high priority), round robin, made on first use and never destroyed. The *current* stream is per host
// thread and device (each JS thread, main or worker, sets its own from lib/cuda.ts); stream() is what every launch,
// memset and copy of the backend uses (Note [streams] in common.cuh).
//
// Events (PyTorch's CUDAEvent): made lazily on the device of the first stream they are recorded on; an event never
// recorded is complete, waiting on it does nothing, and elapsedTime needs both ends recorded.
//
// Pinned host memory (after PyTorch's CachingHostAllocator): cudaHostAlloc'd blocks rounded up to a power of two and
// cached by size. A non-blocking copy from a pinned block records an event on the copy's stream; a freed block is
// reused only once every such event has completed, so the bytes being copied cannot be overwritten by a new tensor.
#include <map>
#include <mutex>
#include <vector>
#include "common.cuh"
#include "../native/core/nccl_hooks.h"

namespace nt {
namespace cu {

void dev_record_stream(void* p, cudaStream_t s);  // allocator.cu

namespace {

constexpr int kMaxDev = 64;
constexpr int kPool = 32;

thread_local cudaStream_t tl_stream[kMaxDev];  // the current stream per device (nullptr: the default stream)

struct DevStreams {
  cudaStream_t s[2 * kPool] = {};  // low priority, then high
  unsigned next[2] = {0, 0};
};
struct Streams {
  std::mutex mu;
  DevStreams dev[kMaxDev];
};
Streams& streams() {
  static Streams* s = new Streams();  // never destroyed (streams live as long as the process)
  return *s;
}

void check_dev(int dev) {
  check_device(dev);
  if (dev >= kMaxDev) throw TorchError("CUDA streams: at most " + std::to_string(kMaxDev) + " devices are supported");
}

// the stream behind (dev, id); id must come from stream_new (or be 0)
cudaStream_t stream_of(int dev, int id) {
  if (id == 0) return nullptr;
  check_dev(dev);
  if (id < 0 || id > 2 * kPool) throw TorchError("CUDA streams: invalid stream id " + std::to_string(id));
  Streams& S = streams();
  std::lock_guard<std::mutex> lock(S.mu);
  cudaStream_t s = S.dev[dev].s[id - 1];
  if (!s) throw TorchError("CUDA streams: stream " + std::to_string(id) + " of cuda:" + std::to_string(dev) + " was never created");
  return s;
}

int h_stream_new(int dev, int priority) {
  check_dev(dev);
  set_device(dev);
  Streams& S = streams();
  std::lock_guard<std::mutex> lock(S.mu);
  DevStreams& D = S.dev[dev];
  int hi = priority < 0 ? 1 : 0;
  int slot = (int)(D.next[hi]++ % kPool) + hi * kPool;
  if (!D.s[slot]) {
    int least = 0, greatest = 0;
    if (cudaDeviceGetStreamPriorityRange(&least, &greatest) != cudaSuccess) { cudaGetLastError(); least = greatest = 0; }
    CUDA_CHECK(cudaStreamCreateWithPriority(&D.s[slot], cudaStreamNonBlocking, hi ? greatest : least));
  }
  return slot + 1;
}
void h_stream_set(int dev, int id) {
  if (dev < 0 || dev >= kMaxDev) throw TorchError("CUDA streams: invalid device " + std::to_string(dev));
  tl_stream[dev] = stream_of(dev, id);
}
bool h_stream_query(int dev, int id) {
  cudaStream_t s = stream_of(dev, id);
  set_device(dev);
  cudaError_t e = cudaStreamQuery(s);
  if (e == cudaErrorNotReady) { cudaGetLastError(); return false; }
  CUDA_CHECK(e);
  return true;
}
void h_stream_sync(int dev, int id) {
  cudaStream_t s = stream_of(dev, id);
  set_device(dev);
  CUDA_CHECK(cudaStreamSynchronize(s));
  if (nccl_hooks().check_async_error) nccl_hooks().check_async_error();  // Note [NCCL watchdog] (nccl.cu)
}
void h_stream_wait_stream(int dev, int id, int odev, int oid) {
  cudaStream_t s = stream_of(dev, id), o = stream_of(odev, oid);
  if (s == o && dev == odev) return;
  set_device(odev);
  cudaEvent_t e = nullptr;
  CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  cudaError_t r = cudaEventRecord(e, o);
  if (r == cudaSuccess) {
    set_device(dev);
    r = cudaStreamWaitEvent(s, e, 0);
  }
  cudaEventDestroy(e);  // legal once the wait is queued: the wait keeps what it needs
  CUDA_CHECK(r);
}

struct Event {
  cudaEvent_t e = nullptr;
  int dev = -1;
  bool timing = false, blocking = false;
};
void* h_event_new(bool timing, bool blocking) {
  Event* ev = new Event();
  ev->timing = timing;
  ev->blocking = blocking;
  return ev;
}
void h_event_free(void* p) {
  Event* ev = static_cast<Event*>(p);
  if (!ev) return;
  if (ev->e) { cudaEventDestroy(ev->e); cudaGetLastError(); }
  delete ev;
}
void h_event_record(void* p, int dev, int id) {
  Event* ev = static_cast<Event*>(p);
  cudaStream_t s = stream_of(dev, id);
  if (ev->dev >= 0 && ev->dev != dev)
    throw TorchError("Event device " + std::to_string(ev->dev) + " does not match recording stream's device " + std::to_string(dev) + ".");
  set_device(dev);
  if (!ev->e) {
    unsigned flags = (ev->timing ? cudaEventDefault : cudaEventDisableTiming) | (ev->blocking ? cudaEventBlockingSync : 0);
    CUDA_CHECK(cudaEventCreateWithFlags(&ev->e, flags));
    ev->dev = dev;
  }
  CUDA_CHECK(cudaEventRecord(ev->e, s));
}
void h_event_wait(void* p, int dev, int id) {
  Event* ev = static_cast<Event*>(p);
  cudaStream_t s = stream_of(dev, id);
  if (!ev->e) return;  // never recorded: nothing to wait for (as PyTorch)
  set_device(dev);
  CUDA_CHECK(cudaStreamWaitEvent(s, ev->e, 0));
}
bool h_event_query(void* p) {
  Event* ev = static_cast<Event*>(p);
  if (!ev->e) return true;
  set_device(ev->dev);
  cudaError_t e = cudaEventQuery(ev->e);
  if (e == cudaErrorNotReady) { cudaGetLastError(); return false; }
  CUDA_CHECK(e);
  return true;
}
void h_event_sync(void* p) {
  Event* ev = static_cast<Event*>(p);
  if (!ev->e) return;
  set_device(ev->dev);
  CUDA_CHECK(cudaEventSynchronize(ev->e));
}
double h_event_elapsed(void* a, void* b) {
  Event* s = static_cast<Event*>(a);
  Event* t = static_cast<Event*>(b);
  if (!s->e || !t->e) throw TorchError("Both events must be recorded before calculating elapsed time.");
  set_device(s->dev);
  float ms = 0;
  CUDA_CHECK(cudaEventElapsedTime(&ms, s->e, t->e));
  return ms;
}
int h_event_device(void* p) { return static_cast<Event*>(p)->dev; }

void h_record_stream(void* p, int dev, int id) {
  cudaStream_t s = stream_of(dev, id);
  dev_record_stream(p, s);
}

// ---------------------------------------------------------------- pinned host memory
struct HostBlock {
  char* ptr;
  size_t size;
  bool allocated = true;
  int pending = 0;  // events of non-blocking copies not yet completed
};
struct HostAllocator {
  std::mutex mu;
  std::map<char*, HostBlock*> blocks;          // every block, by address
  std::multimap<size_t, HostBlock*> free_;     // reusable blocks by size
  std::vector<std::pair<cudaEvent_t, HostBlock*>> events;
  size_t allocated = 0, cached = 0;

  void process_events() {
    size_t w = 0;
    for (size_t i = 0; i < events.size(); i++) {
      cudaError_t st = cudaEventQuery(events[i].first);
      if (st == cudaErrorNotReady) { cudaGetLastError(); events[w++] = events[i]; continue; }
      if (st != cudaSuccess) cudaGetLastError();
      cudaEventDestroy(events[i].first);
      HostBlock* b = events[i].second;
      if (--b->pending == 0 && !b->allocated) free_.emplace(b->size, b);
    }
    events.resize(w);
  }
  HostBlock* containing(const void* p) {
    auto it = blocks.upper_bound((char*)p);
    if (it == blocks.begin()) return nullptr;
    --it;
    HostBlock* b = it->second;
    return (const char*)p < b->ptr + b->size ? b : nullptr;
  }
};
HostAllocator& host() {
  static HostAllocator* h = new HostAllocator();  // never destroyed
  return *h;
}

void* h_host_alloc(size_t n) {
  check_device(current_device());
  size_t size = 512;
  while (size < n) size <<= 1;
  HostAllocator& H = host();
  std::lock_guard<std::mutex> lock(H.mu);
  if (!H.events.empty()) H.process_events();
  auto it = H.free_.lower_bound(size);
  if (it != H.free_.end() && it->first == size) {
    HostBlock* b = it->second;
    H.free_.erase(it);
    b->allocated = true;
    H.allocated += b->size;
    return b->ptr;
  }
  void* p = nullptr;
  cudaError_t e = cudaHostAlloc(&p, size, cudaHostAllocDefault);
  if (e != cudaSuccess) {
    cudaGetLastError();
    throw TorchError("pinMemory: cudaHostAlloc of " + std::to_string(size) + " bytes failed: " + cudaGetErrorString(e));
  }
  HostBlock* b = new HostBlock{static_cast<char*>(p), size};
  H.blocks[b->ptr] = b;
  H.allocated += size;
  H.cached += size;
  return p;
}
void h_host_free(void* p) {
  if (!p) return;
  HostAllocator& H = host();
  std::lock_guard<std::mutex> lock(H.mu);
  auto it = H.blocks.find((char*)p);
  if (it == H.blocks.end() || !it->second->allocated) return;
  HostBlock* b = it->second;
  b->allocated = false;
  H.allocated -= b->size;
  if (b->pending == 0) H.free_.emplace(b->size, b);  // otherwise process_events returns it
}
void h_host_stats(int64_t* out) {
  HostAllocator& H = host();
  std::lock_guard<std::mutex> lock(H.mu);
  int64_t waiting = 0;
  for (auto& kv : H.blocks) if (!kv.second->allocated && kv.second->pending > 0) waiting++;
  out[0] = (int64_t)H.allocated;
  out[1] = (int64_t)H.cached;
  out[2] = waiting;
}

void h_copy_h2d(void* dst, const void* src, size_t n, int dev, bool async) {
  set_device(dev);
  if (!n) return;
  cudaStream_t s = stream();
  HostAllocator& H = host();
  HostBlock* b = nullptr;
  if (async) {
    std::lock_guard<std::mutex> lock(H.mu);
    b = H.containing(src);
  }
  CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, s));
  if (!b) {  // pageable memory (or a blocking copy): synchronous, as PyTorch's copy from pageable memory
    CUDA_CHECK(cudaStreamSynchronize(s));
    return;
  }
  cudaEvent_t e = nullptr;
  CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  cudaError_t r = cudaEventRecord(e, s);
  if (r != cudaSuccess) { cudaEventDestroy(e); CUDA_CHECK(r); }
  std::lock_guard<std::mutex> lock(H.mu);
  b->pending++;
  H.events.emplace_back(e, b);
}

struct InstallStreamHooks {
  InstallStreamHooks() {  // Note [no CUDA at load time] (allocator.cu): pointers only
    DeviceHooks& h = cuda_hooks();
    h.stream_new = h_stream_new;
    h.stream_set = h_stream_set;
    h.stream_query = h_stream_query;
    h.stream_sync = h_stream_sync;
    h.stream_wait_stream = h_stream_wait_stream;
    h.event_new = h_event_new;
    h.event_free = h_event_free;
    h.event_record = h_event_record;
    h.event_wait = h_event_wait;
    h.event_query = h_event_query;
    h.event_sync = h_event_sync;
    h.event_elapsed = h_event_elapsed;
    h.event_device = h_event_device;
    h.record_stream = h_record_stream;
    h.host_alloc = h_host_alloc;
    h.host_free = h_host_free;
    h.copy_h2d = h_copy_h2d;
    h.host_stats = h_host_stats;
  }
};
InstallStreamHooks install_stream_hooks;

}  // namespace

cudaStream_t stream() {
  int d = current_device();
  return d < kMaxDev ? tl_stream[d] : nullptr;
}

}  // namespace cu
}  // namespace nt
