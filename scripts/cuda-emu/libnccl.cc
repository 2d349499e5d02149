// libnccl.cc - the CUDA emulator's stand-in for libnccl.so.2: the C entry points cuda/nccl.cu loads with dlopen
// (ncclGetUniqueId, ncclCommInitRank, the collectives, send/recv and groups, abort/destroy, async errors), so that the
// NCCL backend's own code and DDP on 'cuda' execute on machines without a GPU. The emulated ranks are separate
// processes (one emulated GPU each); they meet in a shared-memory segment named by the unique id:
//   - collectives move through one slot per rank (1 MiB, larger buffers go in chunks): every rank writes its part,
//     a barrier, every rank reads what it needs (reductions in rank order, so every rank gets the same bits), a
//     barrier;
//   - send/recv through one mailbox per ordered pair of ranks (256 KiB chunks); the operations of one
//     ncclGroupStart/End progress together, as NCCL's do, so a ring of sends and receives cannot deadlock.
// Operations run on the stream they are given (the stream's own thread: emu.cc), after what is already there, so
// the caller's events and polling behave as with a GPU. ncclCommAbort ends this rank's waits and marks the segment
// aborted, so the other ranks' pending operations fail too (ncclRemoteError) instead of waiting forever.
// Not a model of NCCL's speed or algorithms: of its results and of its contract with the caller.
// CUEMU_NCCL_DELAY_MS=ms[:minBytes] (read at each call, so a process may set it for some operations only): every
// operation moving at least minBytes (default 0) bytes per rank first waits ms on its stream, as a slow network
// would (an abort ends the wait): the tests use it to see that Work.wait() does not block the host.
#include <cuda_runtime.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include "emu_api.h"

namespace {

enum Result { ncclSuccess = 0, ncclUnhandledCudaError = 1, ncclSystemError = 2, ncclInternalError = 3, ncclInvalidArgument = 4,
              ncclInvalidUsage = 5, ncclRemoteError = 6, ncclInProgress = 7 };
enum DataType { ncclInt8 = 0, ncclUint8 = 1, ncclInt32 = 2, ncclUint32 = 3, ncclInt64 = 4, ncclUint64 = 5, ncclFloat16 = 6,
                ncclFloat32 = 7, ncclFloat64 = 8, ncclBfloat16 = 9 };
enum RedOp { ncclSum = 0, ncclProd = 1, ncclMax = 2, ncclMin = 3, ncclAvg = 4 };
struct UniqueId { char internal[128]; };

constexpr size_t kSlot = 1 << 20;     // per rank, for collectives
constexpr size_t kPSlot = 256 << 10;  // per ordered pair, for send/recv
constexpr size_t kHeader = 4096;

struct Header {
  std::atomic<int> joined;
  std::atomic<int> arrived;
  std::atomic<uint64_t> gen;
  std::atomic<int> aborted;
};
struct Mailbox {
  std::atomic<uint64_t> len;  // bytes waiting in the pair's slot (0: empty)
  char pad[56];
};

struct Comm {
  int rank = 0, nranks = 1;
  char* base = nullptr;
  size_t size = 0;
  std::atomic<bool> abort{false};
  std::atomic<int> async_err{ncclSuccess};
  std::atomic<int> busy{0};
  Header* h() const { return reinterpret_cast<Header*>(base); }
  Mailbox* box(int from, int to) const { return reinterpret_cast<Mailbox*>(base + kHeader) + (size_t)from * nranks + to; }
  size_t boxes_bytes() const { return ((size_t)nranks * nranks * sizeof(Mailbox) + 4095) / 4096 * 4096; }
  char* slot(int r) const { return base + kHeader + boxes_bytes() + (size_t)r * kSlot; }
  char* pslot(int from, int to) const { return base + kHeader + boxes_bytes() + (size_t)nranks * kSlot + ((size_t)from * nranks + to) * kPSlot; }
  bool failed() const { return abort.load() || h()->aborted.load() || async_err.load() != ncclSuccess; }
  void fail(int why) {
    int ok = ncclSuccess;
    async_err.compare_exchange_strong(ok, why);
  }
};

size_t size_of(int dt) {
  switch (dt) {
    case ncclInt8: case ncclUint8: return 1;
    case ncclFloat16: case ncclBfloat16: return 2;
    case ncclInt32: case ncclUint32: case ncclFloat32: return 4;
    case ncclInt64: case ncclUint64: case ncclFloat64: return 8;
    default: return 0;
  }
}

void pause_briefly() { std::this_thread::sleep_for(std::chrono::microseconds(20)); }

// every rank of the communicator gets here; false when the communicator failed or was aborted meanwhile
bool barrier(Comm* c) {
  Header* h = c->h();
  uint64_t g = h->gen.load();
  if (h->arrived.fetch_add(1) + 1 == c->nranks) {
    h->arrived.store(0);
    h->gen.fetch_add(1);
    return !c->failed();
  }
  while (h->gen.load() == g) {
    if (c->abort.load()) return false;
    if (h->aborted.load()) { c->fail(ncclRemoteError); return false; }
    pause_briefly();
  }
  return !c->failed();
}

// float16 / bfloat16 <-> float (round to nearest even)
float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 31, man = h & 1023, bits;
  if (exp == 0) {
    if (man == 0) bits = sign;
    else { int e = -1; do { e++; man <<= 1; } while (!(man & 1024)); bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 1023) << 13); }
  } else if (exp == 31) bits = sign | 0x7f800000u | (man << 13);
  else bits = sign | ((exp + 112) << 23) | (man << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = (int32_t)((x >> 23) & 255) - 127 + 15;
  uint32_t man = x & 0x7fffffu;
  if (((x >> 23) & 255) == 255) return (uint16_t)(sign | 0x7c00u | (man ? 0x200u : 0));
  if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return (uint16_t)sign;
    man |= 0x800000u;
    int shift = 14 - exp;
    uint32_t r = man >> shift, rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1))) r++;
    return (uint16_t)(sign | r);
  }
  uint32_t r = ((uint32_t)exp << 10) | (man >> 13), rem = man & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1))) r++;
  return (uint16_t)(sign | r);
}
float bf16_to_float(uint16_t b) { uint32_t x = (uint32_t)b << 16; float f; std::memcpy(&f, &x, 4); return f; }
uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
  return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

template <typename T> T combine(T a, T b, int op) {
  switch (op) {
    case ncclProd: return (T)(a * b);
    case ncclMax: return b > a ? b : a;
    case ncclMin: return b < a ? b : a;
    default: return (T)(a + b);  // sum (and avg, whose division the caller does)
  }
}
template <typename T> void reduce_into(T* acc, const T* x, size_t n, int op) {
  for (size_t i = 0; i < n; i++) acc[i] = combine(acc[i], x[i], op);
}
template <uint16_t (*Enc)(float), float (*Dec)(uint16_t)>
void reduce_16(uint16_t* acc, const uint16_t* x, size_t n, int op) {
  for (size_t i = 0; i < n; i++) acc[i] = Enc(combine(Dec(acc[i]), Dec(x[i]), op));
}
void reduce_any(void* acc, const void* x, size_t n, int dt, int op) {
  switch (dt) {
    case ncclInt8: reduce_into((int8_t*)acc, (const int8_t*)x, n, op); break;
    case ncclUint8: reduce_into((uint8_t*)acc, (const uint8_t*)x, n, op); break;
    case ncclInt32: reduce_into((int32_t*)acc, (const int32_t*)x, n, op); break;
    case ncclUint32: reduce_into((uint32_t*)acc, (const uint32_t*)x, n, op); break;
    case ncclInt64: reduce_into((int64_t*)acc, (const int64_t*)x, n, op); break;
    case ncclUint64: reduce_into((uint64_t*)acc, (const uint64_t*)x, n, op); break;
    case ncclFloat32: reduce_into((float*)acc, (const float*)x, n, op); break;
    case ncclFloat64: reduce_into((double*)acc, (const double*)x, n, op); break;
    case ncclFloat16: reduce_16<float_to_half, half_to_float>((uint16_t*)acc, (const uint16_t*)x, n, op); break;
    case ncclBfloat16: reduce_16<float_to_bf16, bf16_to_float>((uint16_t*)acc, (const uint16_t*)x, n, op); break;
  }
}

// ---- collectives (run on the stream's thread) ----
// chunk: elements per round when every rank writes `per_rank_parts` parts of `es` bytes each into its slot
size_t chunk_elems(size_t es, size_t per_rank_parts) { return std::max<size_t>(1, kSlot / (es * per_rank_parts)); }

bool run_allreduce(Comm* c, const char* send, char* recv, size_t count, int dt, int op, int root /* -1: all */) {
  size_t es = size_of(dt), step = chunk_elems(es, 1);
  std::vector<char> acc;
  for (size_t off = 0; off < count; off += step) {
    size_t n = std::min(step, count - off), nb = n * es;
    { cuemu::DeviceAccess a; std::memcpy(c->slot(c->rank), send + off * es, nb); }
    if (!barrier(c)) return false;
    if (root < 0 || root == c->rank) {
      acc.assign(c->slot(0), c->slot(0) + nb);
      for (int r = 1; r < c->nranks; r++) reduce_any(acc.data(), c->slot(r), n, dt, op);
      cuemu::DeviceAccess a;
      std::memcpy(recv + off * es, acc.data(), nb);
    }
    if (!barrier(c)) return false;
  }
  return true;
}
bool run_broadcast(Comm* c, const char* send, char* recv, size_t count, int dt, int root) {
  size_t es = size_of(dt), step = chunk_elems(es, 1);
  for (size_t off = 0; off < count; off += step) {
    size_t nb = std::min(step, count - off) * es;
    if (c->rank == root) { cuemu::DeviceAccess a; std::memcpy(c->slot(root), send + off * es, nb); if (recv != send) std::memmove(recv + off * es, send + off * es, nb); }
    if (!barrier(c)) return false;
    if (c->rank != root) { cuemu::DeviceAccess a; std::memcpy(recv + off * es, c->slot(root), nb); }
    if (!barrier(c)) return false;
  }
  return true;
}
bool run_allgather(Comm* c, const char* send, char* recv, size_t count, int dt) {
  size_t es = size_of(dt), step = chunk_elems(es, 1);
  for (size_t off = 0; off < count; off += step) {
    size_t nb = std::min(step, count - off) * es;
    { cuemu::DeviceAccess a; std::memcpy(c->slot(c->rank), send + off * es, nb); }
    if (!barrier(c)) return false;
    {
      cuemu::DeviceAccess a;
      for (int r = 0; r < c->nranks; r++) std::memcpy(recv + ((size_t)r * count + off) * es, c->slot(r), nb);
    }
    if (!barrier(c)) return false;
  }
  return true;
}
bool run_reducescatter(Comm* c, const char* send, char* recv, size_t count, int dt, int op) {
  size_t es = size_of(dt), step = chunk_elems(es, (size_t)c->nranks);
  std::vector<char> acc;
  for (size_t off = 0; off < count; off += step) {
    size_t n = std::min(step, count - off), nb = n * es;
    {
      cuemu::DeviceAccess a;
      for (int j = 0; j < c->nranks; j++) std::memcpy(c->slot(c->rank) + j * nb, send + ((size_t)j * count + off) * es, nb);
    }
    if (!barrier(c)) return false;
    acc.assign(c->slot(0) + c->rank * nb, c->slot(0) + (c->rank + 1) * nb);
    for (int r = 1; r < c->nranks; r++) reduce_any(acc.data(), c->slot(r) + c->rank * nb, n, dt, op);
    { cuemu::DeviceAccess a; std::memcpy(recv + off * es, acc.data(), nb); }
    if (!barrier(c)) return false;
  }
  return true;
}

// ---- point to point ----
struct P2P {
  Comm* c;
  bool send;
  int peer;
  char* buf;
  size_t bytes, done = 0;
  bool finished() const { return done >= bytes; }
  bool progress() {  // true when it moved data
    if (finished()) return false;
    Mailbox* mb = send ? c->box(c->rank, peer) : c->box(peer, c->rank);
    if (send) {
      if (mb->len.load(std::memory_order_acquire) != 0) return false;
      size_t n = std::min(kPSlot, bytes - done);
      { cuemu::DeviceAccess a; std::memcpy(c->pslot(c->rank, peer), buf + done, n); }
      mb->len.store(n, std::memory_order_release);
      done += n;
    } else {
      size_t n = mb->len.load(std::memory_order_acquire);
      if (n == 0) return false;
      { cuemu::DeviceAccess a; std::memcpy(buf + done, c->pslot(peer, c->rank), n); }
      mb->len.store(0, std::memory_order_release);
      done += n;
    }
    return true;
  }
};
bool run_p2p(std::vector<P2P>& ops) {
  for (;;) {
    bool all = true, moved = false;
    for (P2P& p : ops) { moved |= p.progress(); all &= p.finished(); }
    if (all) return true;
    Comm* c = ops[0].c;
    if (c->abort.load()) return false;
    if (c->h()->aborted.load()) { c->fail(ncclRemoteError); return false; }
    if (!moved) pause_briefly();
  }
}

// ---- groups: what is called between ncclGroupStart and ncclGroupEnd runs as one unit ----
struct Pending {
  Comm* c;
  cudaStream_t s;
  std::function<bool()> coll;  // a collective, or empty for a p2p
  P2P p2p;
  long delay_ms = 0;           // CUEMU_NCCL_DELAY_MS
};
long delay_for(size_t bytes) {
  const char* v = getenv("CUEMU_NCCL_DELAY_MS");
  if (!v || !*v) return 0;
  char* end = nullptr;
  long ms = strtol(v, &end, 10);
  size_t min_bytes = (end && *end == ':') ? (size_t)strtoull(end + 1, nullptr, 10) : 0;
  return ms > 0 && bytes >= min_bytes ? ms : 0;
}
// the delay, cut short by an abort (false then)
bool delay(Comm* c, long ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (c->abort.load()) return false;
    if (c->h()->aborted.load()) { c->fail(ncclRemoteError); return false; }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}
thread_local int t_group = 0;
thread_local std::vector<Pending> t_pending;

void submit(std::vector<Pending> batch) {
  if (batch.empty()) return;
  Comm* c = batch[0].c;
  cudaStream_t s = batch[0].s;
  c->busy.fetch_add(1);
  cuemu::stream_submit(s, [c, batch]() mutable {
    bool ok = !c->failed();
    std::vector<P2P> p2ps;
    for (Pending& p : batch) {
      if (ok && p.delay_ms > 0) ok = delay(c, p.delay_ms);
      if (!ok) break;
      if (p.coll) ok = p.coll();
      else p2ps.push_back(p.p2p);
    }
    if (ok && !p2ps.empty()) ok = run_p2p(p2ps);
    if (!ok) c->fail(c->h()->aborted.load() && !c->abort.load() ? ncclRemoteError : ncclSystemError);
    c->busy.fetch_sub(1);
  });
}
int enqueue(Comm* c, cudaStream_t s, std::function<bool()> coll, const P2P* p, size_t bytes) {
  if (!c) return ncclInvalidArgument;
  if (c->abort.load()) return ncclInvalidUsage;
  Pending pd{c, s, std::move(coll), p ? *p : P2P{c, false, 0, nullptr, 0}, delay_for(bytes)};
  if (t_group > 0) { t_pending.push_back(std::move(pd)); return ncclSuccess; }
  submit({std::move(pd)});
  return ncclSuccess;
}
bool ptr_ok(const void* p, size_t n) { return n == 0 || (p && cuemu::is_device(p, n)); }

// ---- the entry points (handed out by name through nccl_sym, as dlsym would) ----
int ncclGetVersion(int* v) { if (!v) return ncclInvalidArgument; *v = 21805; return ncclSuccess; }
const char* ncclGetErrorString(int r) {
  switch (r) {
    case ncclSuccess: return "no error";
    case ncclUnhandledCudaError: return "unhandled cuda error";
    case ncclSystemError: return "unhandled system error (the communicator was aborted)";
    case ncclInternalError: return "internal error";
    case ncclInvalidArgument: return "invalid argument";
    case ncclInvalidUsage: return "invalid usage";
    case ncclRemoteError: return "remote process exited or there was a network error";
    case ncclInProgress: return "NCCL operation in progress";
    default: return "unknown result code";
  }
}
int ncclGetUniqueId(UniqueId* id) {
  if (!id) return ncclInvalidArgument;
  std::memset(id, 0, sizeof *id);
  unsigned char rnd[16] = {0};
  FILE* f = fopen("/dev/urandom", "rb");
  if (!f || fread(rnd, 1, sizeof rnd, f) != sizeof rnd) { if (f) fclose(f); return ncclSystemError; }
  fclose(f);
  std::string s = "cuemu-nccl-";
  char hx[3];
  for (unsigned char b : rnd) { snprintf(hx, sizeof hx, "%02x", b); s += hx; }
  std::memcpy(id->internal, s.data(), s.size());
  return ncclSuccess;
}
int ncclCommInitRank(Comm** out, int nranks, UniqueId id, int rank) {
  if (!out || nranks < 1 || rank < 0 || rank >= nranks) return ncclInvalidArgument;
  char name[129];
  std::memcpy(name, id.internal, 128);
  name[128] = 0;
  if (std::strncmp(name, "cuemu-nccl-", 11) != 0) return ncclInvalidArgument;
  std::string path = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm/" : "/tmp/") + name;
  auto c = std::make_unique<Comm>();
  c->rank = rank;
  c->nranks = nranks;
  c->size = kHeader + c->boxes_bytes() + (size_t)nranks * kSlot + (size_t)nranks * nranks * kPSlot;
  int fd = open(path.c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0) return ncclSystemError;
  if (ftruncate(fd, (off_t)c->size) != 0) { close(fd); return ncclSystemError; }
  void* m = mmap(nullptr, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (m == MAP_FAILED) return ncclSystemError;
  c->base = (char*)m;
  // every rank opens the segment, then rank 0 removes its name (the mappings stay)
  c->h()->joined.fetch_add(1);
  long waited_ms = 0, limit_ms = getenv("CUEMU_NCCL_INIT_TIMEOUT_MS") ? atol(getenv("CUEMU_NCCL_INIT_TIMEOUT_MS")) : 300000;
  while (c->h()->joined.load() < nranks) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (++waited_ms > limit_ms) { munmap(m, c->size); return ncclSystemError; }
  }
  if (!barrier(c.get())) { munmap(m, c->size); return ncclSystemError; }
  if (rank == 0) unlink(path.c_str());
  *out = c.release();
  return ncclSuccess;
}
int ncclCommGetAsyncError(Comm* c, int* r) {
  if (!c || !r) return ncclInvalidArgument;
  if (c->async_err.load() == ncclSuccess && c->h()->aborted.load() && !c->abort.load() && c->busy.load() > 0) c->fail(ncclRemoteError);
  *r = c->async_err.load();
  return ncclSuccess;
}
int ncclCommAbort(Comm* c) {
  if (!c) return ncclInvalidArgument;
  c->abort.store(true);
  c->h()->aborted.store(1);
  c->fail(ncclSystemError);
  while (c->busy.load() > 0) pause_briefly();  // this rank's pending operations end at their next wait
  return ncclSuccess;  // the segment stays mapped (another thread may still hold the Comm); a small leak per abort
}
int ncclCommDestroy(Comm* c) {
  if (!c) return ncclInvalidArgument;
  while (c->busy.load() > 0) pause_briefly();  // as NCCL's destroy, after the pending operations
  munmap(c->base, c->size);
  delete c;
  return ncclSuccess;
}
int ncclCommCount(const Comm* c, int* n) { if (!c || !n) return ncclInvalidArgument; *n = c->nranks; return ncclSuccess; }
int ncclCommUserRank(const Comm* c, int* r) { if (!c || !r) return ncclInvalidArgument; *r = c->rank; return ncclSuccess; }
int ncclGroupStart() { t_group++; return ncclSuccess; }
int ncclGroupEnd() {
  if (t_group == 0) return ncclInvalidUsage;
  if (--t_group > 0) return ncclSuccess;
  std::vector<Pending> all;
  all.swap(t_pending);
  // one unit per communicator and stream, in call order
  while (!all.empty()) {
    std::vector<Pending> unit, rest;
    for (Pending& p : all) (unit.empty() || (p.c == unit[0].c && p.s == unit[0].s) ? unit : rest).push_back(std::move(p));
    submit(std::move(unit));
    all.swap(rest);
  }
  return ncclSuccess;
}
int ncclAllReduce(const void* send, void* recv, size_t count, int dt, int op, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || op < 0 || op > ncclAvg || !ptr_ok(send, count * es) || !ptr_ok(recv, count * es)) return ncclInvalidArgument;
  return enqueue(c, s, [=] { return run_allreduce(c, (const char*)send, (char*)recv, count, dt, op, -1); }, nullptr, count * es);
}
int ncclReduce(const void* send, void* recv, size_t count, int dt, int op, int root, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || root < 0 || root >= c->nranks || !ptr_ok(send, count * es) || (c->rank == root && !ptr_ok(recv, count * es))) return ncclInvalidArgument;
  return enqueue(c, s, [=] { return run_allreduce(c, (const char*)send, (char*)recv, count, dt, op, root); }, nullptr, count * es);
}
int ncclBroadcast(const void* send, void* recv, size_t count, int dt, int root, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || root < 0 || root >= c->nranks || !ptr_ok(recv, count * es) || (c->rank == root && !ptr_ok(send, count * es))) return ncclInvalidArgument;
  return enqueue(c, s, [=] { return run_broadcast(c, (const char*)send, (char*)recv, count, dt, root); }, nullptr, count * es);
}
int ncclAllGather(const void* send, void* recv, size_t count, int dt, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || !ptr_ok(send, count * es) || !ptr_ok(recv, count * es * c->nranks)) return ncclInvalidArgument;
  return enqueue(c, s, [=] { return run_allgather(c, (const char*)send, (char*)recv, count, dt); }, nullptr, count * es);
}
int ncclReduceScatter(const void* send, void* recv, size_t count, int dt, int op, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || !ptr_ok(send, count * es * c->nranks) || !ptr_ok(recv, count * es)) return ncclInvalidArgument;
  return enqueue(c, s, [=] { return run_reducescatter(c, (const char*)send, (char*)recv, count, dt, op); }, nullptr, count * es);
}
int ncclSend(const void* buf, size_t count, int dt, int peer, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || peer < 0 || peer >= c->nranks || peer == c->rank || !ptr_ok(buf, count * es)) return ncclInvalidArgument;
  P2P p{c, true, peer, (char*)buf, count * es};
  return enqueue(c, s, nullptr, &p, count * es);
}
int ncclRecv(void* buf, size_t count, int dt, int peer, Comm* c, cudaStream_t s) {
  size_t es = size_of(dt);
  if (!es || !c || peer < 0 || peer >= c->nranks || peer == c->rank || !ptr_ok(buf, count * es)) return ncclInvalidArgument;
  P2P p{c, false, peer, (char*)buf, count * es};
  return enqueue(c, s, nullptr, &p, count * es);
}

}  // namespace

namespace cuemu {
void* nccl_sym(const char* name) {
  struct E { const char* n; void* f; };
  static const E table[] = {
    {"ncclGetVersion", (void*)&ncclGetVersion}, {"ncclGetErrorString", (void*)&ncclGetErrorString},
    {"ncclGetUniqueId", (void*)&ncclGetUniqueId}, {"ncclCommInitRank", (void*)&ncclCommInitRank},
    {"ncclCommGetAsyncError", (void*)&ncclCommGetAsyncError}, {"ncclCommAbort", (void*)&ncclCommAbort},
    {"ncclCommDestroy", (void*)&ncclCommDestroy}, {"ncclCommCount", (void*)&ncclCommCount},
    {"ncclCommUserRank", (void*)&ncclCommUserRank}, {"ncclGroupStart", (void*)&ncclGroupStart},
    {"ncclGroupEnd", (void*)&ncclGroupEnd}, {"ncclAllReduce", (void*)&ncclAllReduce}, {"ncclReduce", (void*)&ncclReduce},
    {"ncclBroadcast", (void*)&ncclBroadcast}, {"ncclAllGather", (void*)&ncclAllGather},
    {"ncclReduceScatter", (void*)&ncclReduceScatter}, {"ncclSend", (void*)&ncclSend}, {"ncclRecv", (void*)&ncclRecv},
  };
  for (const E& e : table) if (std::strcmp(e.n, name) == 0) return e.f;
  return nullptr;
}
}  // namespace cuemu
