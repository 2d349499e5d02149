// device.cc - CPU memory and the device hook table.
#include "device.h"
#include "nccl_hooks.h"
#include <algorithm>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>
#include <cstdlib>
#include <mutex>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include <unistd.h>

namespace nt {

DeviceHooks& cuda_hooks() {
  static DeviceHooks h;
  return h;
}
bool cuda_built() { return cuda_hooks().alloc != nullptr; }
NcclHooks& nccl_hooks() {
  static NcclHooks h;
  return h;
}

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

// Small blocks (<= 32 KiB, the tensors of tiny ops and of per-step scalars) come from per-size-class free lists
// (powers of two from 64 B), so a loop of small ops reuses a handful of blocks instead of going through
// aligned_alloc/free each time (glibc's memalign path skips its thread cache and fragments the small bins).
// At most ~1 MiB is kept per class; a block above 32 KiB goes straight to aligned_alloc.
namespace {
constexpr int kMinShift = 6, kMaxShift = 15;
constexpr int kClasses = kMaxShift - kMinShift + 1;
struct FreeBlock { FreeBlock* next; };
struct SizeClass {
  FreeBlock* head = nullptr;
  size_t count = 0;
};
struct SmallCache {
  std::mutex mu;
  SizeClass cls[kClasses];
};
SmallCache& small_cache() {
  static SmallCache* c = new SmallCache();  // never destroyed: finalizers may run after static destructors
  return *c;
}
inline int class_of(size_t n) {  // n >= 1; -1 when too big for the cache
  if (n > ((size_t)1 << kMaxShift)) return -1;
  int k = kMinShift;
  while (((size_t)1 << k) < n) k++;
  return k - kMinShift;
}
inline size_t class_cap(int c) { return std::max<size_t>(16, ((size_t)1 << 20) >> (c + kMinShift)); }

// Note [large blocks]: a block above 32 KiB is mapped directly (mmap), and when it is freed it goes to a bounded
// cache keyed by its rounded size (the shapes of a training loop repeat, so the next step finds its blocks there
// with no page faults); past the cache's cap (NODETORCH_CPU_CACHE_MB, default 128 MiB) the least recently freed
// blocks are unmapped, so resident memory follows live bytes + the cap. glibc's malloc, used before, raised its
// mmap threshold to each freed size (up to 32 MiB) and then carved such blocks from its heap, which it can seldom
// give back: a ResNet-18 loop grew from 476 to 696 MiB resident with 175-239 MiB live.
// Transparent huge pages (madvise) only where they pay: a fresh huge-page fault may compact memory and zeroes 2 MiB
// at once, which made a short-lived fresh 4 MiB output 2-4x slower than 4 KiB pages (relu of 4 MiB 0.5-4.0 ms vs
// 0.2). So a block gets MADV_HUGEPAGE only when it is large (>= NODETORCH_THP_MIN_MB, default 32 MiB, where
// ~16x fewer faults and TLB misses win) or when its size has already been freed several times (a size that recurs,
// whose blocks then live on in the cache). NODETORCH_THP=0 turns huge pages off.
constexpr size_t kPage = 4096, kHuge = (size_t)2 << 20, kHugeMin = (size_t)4 << 20;
struct LargeCache {
  std::mutex mu;
  struct Blk { void* p; size_t n; };
  std::list<Blk> lru;  // front = most recently freed
  std::unordered_map<size_t, std::vector<std::list<Blk>::iterator>> by_size;
  std::unordered_map<size_t, uint32_t> frees;  // times a block of this rounded size was freed (THP heuristic)
  size_t cached = 0;
  size_t cap = [] {
    const char* e = getenv("NODETORCH_CPU_CACHE_MB");
    return e ? (size_t)std::max(0.0, atof(e)) << 20 : (size_t)128 << 20;
  }();
  bool thp = !(getenv("NODETORCH_THP") && std::string(getenv("NODETORCH_THP")) == "0");
  size_t thp_min = [] {
    const char* e = getenv("NODETORCH_THP_MIN_MB");
    return e ? (size_t)std::max(0.0, atof(e)) << 20 : (size_t)32 << 20;
  }();
};
LargeCache& large_cache() {
  static LargeCache* c = new LargeCache();  // never destroyed, as the small cache
  return *c;
}
// the mapped length of a large block: whole pages; whole 2 MiB pages from 4 MiB (so THP can back all of it)
inline size_t large_len(size_t nbytes) {
  return nbytes >= kHugeMin ? (nbytes + kHuge - 1) & ~(kHuge - 1) : (nbytes + kPage - 1) & ~(kPage - 1);
}
void* map_large(size_t n, bool huge) {
#ifdef __linux__
  if (!huge) {
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  // 2 MiB-aligned: map a little more and trim both ends
  void* raw = mmap(nullptr, n + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  uintptr_t a = (uintptr_t)raw, b = (a + kHuge - 1) & ~(uintptr_t)(kHuge - 1);
  if (b > a) munmap(raw, b - a);
  if (b + n < a + n + kHuge) munmap((void*)(b + n), a + n + kHuge - (b + n));
  madvise((void*)b, n, MADV_HUGEPAGE);
  return (void*)b;
#else
  (void)huge;
  return std::aligned_alloc(kPage, n);
#endif
}
void unmap_large(void* p, size_t n) {
#ifdef __linux__
  munmap(p, n);
#else
  (void)n;
  std::free(p);
#endif
}
}  // namespace

void* cpu_alloc(size_t nbytes) {
  if (nbytes > physical_memory())
    throw TorchError("DefaultCPUAllocator: not enough memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
  int c = class_of(nbytes ? nbytes : 1);
  if (c >= 0) {
    SmallCache& sc = small_cache();
    {
      std::lock_guard<std::mutex> lk(sc.mu);
      SizeClass& k = sc.cls[c];
      if (k.head) {
        FreeBlock* b = k.head;
        k.head = b->next;
        k.count--;
        return b;
      }
    }
    void* p = std::aligned_alloc(64, (size_t)1 << (c + kMinShift));
    if (!p) throw TorchError("DefaultCPUAllocator: can't allocate memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
    return p;
  }
  size_t n = large_len(nbytes);
  LargeCache& lc = large_cache();
  bool huge = false;
  {
    std::lock_guard<std::mutex> lk(lc.mu);
    auto it = lc.by_size.find(n);
    if (it != lc.by_size.end() && !it->second.empty()) {
      auto li = it->second.back();
      it->second.pop_back();
      void* p = li->p;
      lc.lru.erase(li);
      lc.cached -= n;
      return p;
    }
    if (lc.thp && n >= kHugeMin) {
      auto f = lc.frees.find(n);
      huge = n >= lc.thp_min || (f != lc.frees.end() && f->second >= 2);
    }
  }
  void* p = map_large(n, huge);
  if (!p) {
    cpu_empty_cache();  // give back what is cached and try once more
    p = map_large(n, huge);
  }
  if (!p) throw TorchError("DefaultCPUAllocator: can't allocate memory: you tried to allocate " + std::to_string(nbytes) + " bytes.");
  return p;
}
void cpu_free(void* p, size_t nbytes) {
  if (!p) return;
  int c = class_of(nbytes ? nbytes : 1);
  if (c >= 0) {
    SmallCache& sc = small_cache();
    std::lock_guard<std::mutex> lk(sc.mu);
    SizeClass& k = sc.cls[c];
    if (k.count < class_cap(c)) {
      FreeBlock* b = static_cast<FreeBlock*>(p);
      b->next = k.head;
      k.head = b;
      k.count++;
      return;
    }
    std::free(p);
    return;
  }
  size_t n = large_len(nbytes);
  LargeCache& lc = large_cache();
  std::vector<LargeCache::Blk> out;  // unmapped outside the lock
  {
    std::lock_guard<std::mutex> lk(lc.mu);
    if (n >= kHugeMin) {
      uint32_t& f = lc.frees[n];
      if (f < 1000000) f++;
    }
    if (n <= lc.cap) {
      lc.lru.push_front({p, n});
      lc.by_size[n].push_back(lc.lru.begin());
      lc.cached += n;
    } else {
      out.push_back({p, n});
    }
    while (lc.cached > lc.cap) {
      LargeCache::Blk b = lc.lru.back();
      auto& v = lc.by_size[b.n];
      auto last = std::prev(lc.lru.end());
      v.erase(std::find(v.begin(), v.end(), last));
      lc.lru.pop_back();
      lc.cached -= b.n;
      out.push_back(b);
    }
  }
  for (auto& b : out) unmap_large(b.p, b.n);
}

size_t cpu_block_bytes(size_t nbytes) {
  int c = class_of(nbytes ? nbytes : 1);
  return c >= 0 ? (size_t)1 << (c + kMinShift) : large_len(nbytes);
}

size_t cpu_cached_bytes() {
  size_t n = 0;
  {
    SmallCache& sc = small_cache();
    std::lock_guard<std::mutex> lk(sc.mu);
    for (int c = 0; c < kClasses; c++) n += sc.cls[c].count << (c + kMinShift);
  }
  LargeCache& lc = large_cache();
  std::lock_guard<std::mutex> lk(lc.mu);
  return n + lc.cached;
}

void cpu_empty_cache() {
  std::vector<LargeCache::Blk> out;
  {
    LargeCache& lc = large_cache();
    std::lock_guard<std::mutex> lk(lc.mu);
    out.assign(lc.lru.begin(), lc.lru.end());
    lc.lru.clear();
    lc.by_size.clear();
    lc.cached = 0;
  }
  for (auto& b : out) unmap_large(b.p, b.n);
  std::vector<void*> small;
  {
    SmallCache& sc = small_cache();
    std::lock_guard<std::mutex> lk(sc.mu);
    for (int c = 0; c < kClasses; c++) {
      for (FreeBlock* b = sc.cls[c].head; b;) { FreeBlock* nx = b->next; small.push_back(b); b = nx; }
      sc.cls[c].head = nullptr;
      sc.cls[c].count = 0;
    }
  }
  for (void* p : small) std::free(p);
}

}  // namespace nt
