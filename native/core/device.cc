// device.cc - CPU memory and the device hook table.
#include "device.h"
#include <cstdlib>
#include <unistd.h>

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

// More than the machine's physical memory can never succeed; with overcommit, malloc might "succeed" and the
// first touch would get the process killed, so refuse it up front with PyTorch's message.
static size_t physical_memory() {
  static size_t v = [] {
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    return pages > 0 && psz > 0 ? (size_t)pages * (size_t)psz : (size_t)1 << 40;
  }();
  return v;
}

void* cpu_alloc(size_t nbytes) {
  if (nbytes > physical_memory())
    throw TorchError("DefaultCPUAllocator: not enough memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
  size_t n = (nbytes + 63) & ~(size_t)63;
  if (n == 0) n = 64;
  void* p = std::aligned_alloc(64, n);
  if (!p) throw TorchError("DefaultCPUAllocator: can't allocate memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
  return p;
}
void cpu_free(void* p) { std::free(p); }

}  // namespace nt
