// device.cc - CPU memory and the device hook table.
#include "device.h"
#include <cstdlib>

namespace nt {

DeviceHooks& cuda_hooks() {
  static DeviceHooks h;
  return h;
}
bool cuda_built() { return cuda_hooks().alloc != nullptr; }

MemCounters& mem_counters(DeviceType d) {
  static MemCounters c[2];
  return c[(int)d];
}

void* cpu_alloc(size_t nbytes) {
  size_t n = (nbytes + 63) & ~(size_t)63;
  if (n == 0) n = 64;
  void* p = std::aligned_alloc(64, n);
  if (!p) throw TorchError("DefaultCPUAllocator: can't allocate memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
  return p;
}
void cpu_free(void* p) { std::free(p); }

}  // namespace nt
