// device.h - memory hooks per device. CPU is built in; the CUDA backend (cuda/allocator.cu) installs
// its hooks at static-init time when the binary is built with CUDA.
#pragma once
#include <atomic>
#include <cstddef>
#include <string>
#include "tensor.h"

namespace nt {

struct DeviceHooks {
  void* (*alloc)(size_t nbytes, int index) = nullptr;
  void (*free)(void* p, size_t nbytes, int index) = nullptr;
  void (*to_host)(void* dst, const void* src, size_t n, int index) = nullptr;
  void (*from_host)(void* dst, const void* src, size_t n, int index) = nullptr;
  void (*synchronize)(int index) = nullptr;
  int (*device_count)() = nullptr;
  std::string (*diagnose)() = nullptr;
  size_t (*memory_reserved)(int index) = nullptr;
  size_t (*memory_allocated)(int index) = nullptr;  // bytes of live blocks of that device (the caching allocator's)
  void (*empty_cache)() = nullptr;
  void (*memset0)(void* p, size_t n, int index) = nullptr;
  void (*memory_stats)(int index, int64_t* out8) = nullptr;  // allocated, peak, reserved, peak reserved, allocations, retries, ooms, blocks waiting for events
  void (*reset_peak)(int index) = nullptr;
  // streams, events, pinned host memory (cuda/stream.cu). A stream is (device, id): id 0 is the default stream,
  // others come from a per-device pool (as PyTorch's). The current stream is per host thread and device.
  int (*stream_new)(int dev, int priority) = nullptr;
  void (*stream_set)(int dev, int id) = nullptr;  // the current stream of dev on this thread
  bool (*stream_query)(int dev, int id) = nullptr;
  void (*stream_sync)(int dev, int id) = nullptr;
  void (*stream_wait_stream)(int dev, int id, int odev, int oid) = nullptr;  // (dev,id) waits for (odev,oid)'s work so far
  void* (*event_new)(bool timing, bool blocking) = nullptr;
  void (*event_free)(void* e) = nullptr;  // never throws (GC finalizer)
  void (*event_record)(void* e, int dev, int id) = nullptr;
  void (*event_wait)(void* e, int dev, int id) = nullptr;
  bool (*event_query)(void* e) = nullptr;
  void (*event_sync)(void* e) = nullptr;
  double (*event_elapsed)(void* start, void* end) = nullptr;  // ms
  int (*event_device)(void* e) = nullptr;  // -1 until first recorded
  void (*record_stream)(void* p, int dev, int id) = nullptr;  // the caching allocator's recordStream
  void* (*host_alloc)(size_t n) = nullptr;  // pinned host memory (caching host allocator over cudaHostAlloc)
  void (*host_free)(void* p) = nullptr;     // never throws
  // dst (device dev) <- src (host); async: from pinned memory, queued on the current stream, the pinned block kept
  // until the copy has run; otherwise the current stream is synchronised before returning
  void (*copy_h2d)(void* dst, const void* src, size_t n, int dev, bool async) = nullptr;
  void (*host_stats)(int64_t* out3) = nullptr;  // pinned: bytes allocated, bytes cached (reserved), blocks waiting for events
};

DeviceHooks& cuda_hooks();
bool cuda_built();

// live native memory per device type (bytes, storages), updated by alloc/free and finalizers
struct MemCounters {
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> count{0};
};
MemCounters& mem_counters(DeviceType d);

void* cpu_alloc(size_t nbytes);
void cpu_free(void* p, size_t nbytes);  // nbytes as given to cpu_alloc
size_t cpu_block_bytes(size_t nbytes);  // what cpu_alloc(nbytes) really takes (size class / whole pages)
size_t cpu_cached_bytes();  // freed blocks the CPU allocator keeps for reuse (Note [large blocks] in device.cc)
void cpu_empty_cache();      // unmaps / frees them

}  // namespace nt
