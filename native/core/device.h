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
  void (*memory_stats)(int index, int64_t* out7) = nullptr;  // allocated, peak, reserved, peak reserved, allocations, retries, ooms
  void (*reset_peak)(int index) = nullptr;
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
