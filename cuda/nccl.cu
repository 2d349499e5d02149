// nccl.cu - the NCCL backend of torch.distributed: NCCL loaded at run time, communicators, and collectives on a
// communication stream (the NcclHooks of native/core/nccl_hooks.h, used by native/binding/nccl_napi.cc).
//
// Note [NCCL at run time]. As cuBLAS (matmul.cu), NCCL is never linked: the few C entry points called here are
// declared below and looked up with dlopen/dlsym, so building needs no NCCL and a machine without it still loads
// the addon. Search order: $NODETORCH_NCCL_PATH, then libnccl.so.2 on the loader's path, then the folders where
// pip's nvidia-nccl-cu1x wheels put it (<site-packages>/nvidia/nccl/lib/libnccl.so.2 of the active virtualenv or
// conda prefix, the user's site and the system's dist-packages). A failure names every place searched.
//
// Note [communication stream]. Each communicator has its own non-blocking stream. An operation first makes that
// stream wait for an event recorded on the device's compute stream (all kernels so far, including those that
// produced the input: the current stream, Note [streams] in common.cuh), then runs NCCL there and records a done
// event. As PyTorch's ProcessGroupNCCL, Work.wait() does not block the host: stream_wait() makes the *current* stream
// wait for the done event (cudaStreamWaitEvent), so later kernels on it see the results; query() polls (done when the
// event has completed, failed as soon as the communicator has an error). The caller keeps the operation's tensors
// alive until it is done (PyTorch's recordStream rule, by reference).
//
// Note [NCCL watchdog]. Since nothing needs to wait on the host, a hang must be caught off the JS thread (which may
// itself be blocked in a host synchronisation behind the collective): one watchdog thread per process polls every
// operation in flight; when its communicator reports an asynchronous error (ncclCommGetAsyncError) or the operation
// is still running its group's timeout after it was enqueued, the watchdog records why and aborts the communicator
// (ncclCommAbort). The aborted operation ends, the streams waiting on it go on, and the failure surfaces as a
// TorchError: in query() (Work.isCompleted/exception/await), in every later operation on the communicator, and once
// at the next host synchronisation of the CUDA backend (check_async_error: a copy to the host, synchronize()).
#include <dlfcn.h>
#include <glob.h>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <string>
#include <vector>
#include "common.cuh"
#include "../native/core/nccl_hooks.h"

namespace nt {
namespace cu {
namespace {

// ---- the NCCL C API, declared here (nccl.h: a communicator is an opaque pointer, enums are ints) ----
typedef struct ncclComm* ncclComm_t;
struct ncclUniqueId { char internal[128]; };
enum { ncclSuccess = 0, ncclInProgress = 7 };
enum { ncclInt8 = 0, ncclUint8 = 1, ncclInt32 = 2, ncclUint32 = 3, ncclInt64 = 4, ncclUint64 = 5, ncclFloat16 = 6,
       ncclFloat32 = 7, ncclFloat64 = 8, ncclBfloat16 = 9 };
enum { ncclSum = 0, ncclProd = 1, ncclMax = 2, ncclMin = 3 };

struct Api {
  int (*getVersion)(int*) = nullptr;
  const char* (*getErrorString)(int) = nullptr;
  int (*getUniqueId)(ncclUniqueId*) = nullptr;
  int (*commInitRank)(ncclComm_t*, int, ncclUniqueId, int) = nullptr;
  int (*commGetAsyncError)(ncclComm_t, int*) = nullptr;
  int (*commAbort)(ncclComm_t) = nullptr;
  int (*commDestroy)(ncclComm_t) = nullptr;
  int (*groupStart)() = nullptr;
  int (*groupEnd)() = nullptr;
  int (*allReduce)(const void*, void*, size_t, int, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*reduce)(const void*, void*, size_t, int, int, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*broadcast)(const void*, void*, size_t, int, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*allGather)(const void*, void*, size_t, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*reduceScatter)(const void*, void*, size_t, int, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*send)(const void*, size_t, int, int, ncclComm_t, cudaStream_t) = nullptr;
  int (*recv)(void*, size_t, int, int, ncclComm_t, cudaStream_t) = nullptr;

  std::once_flag once;
  bool ok = false;
  std::string detail;  // the library and its version, or every place searched and why each failed

  void load() {
    std::vector<std::string> cands;
    if (const char* p = getenv("NODETORCH_NCCL_PATH")) if (*p) cands.push_back(p);
    cands.push_back("libnccl.so.2");
    std::vector<std::string> pats;
    for (const char* v : {"VIRTUAL_ENV", "CONDA_PREFIX"})
      if (const char* p = getenv(v)) if (*p) pats.push_back(std::string(p) + "/lib/python3*/site-packages/nvidia/nccl/lib/libnccl.so.2");
    if (const char* h = getenv("HOME")) if (*h) pats.push_back(std::string(h) + "/.local/lib/python3*/site-packages/nvidia/nccl/lib/libnccl.so.2");
    pats.push_back("/usr/local/lib/python3*/dist-packages/nvidia/nccl/lib/libnccl.so.2");
    pats.push_back("/usr/local/lib/python3*/site-packages/nvidia/nccl/lib/libnccl.so.2");
    pats.push_back("/usr/lib/python3/dist-packages/nvidia/nccl/lib/libnccl.so.2");
    std::vector<std::string> searched;
    for (const std::string& pat : pats) {
      glob_t g;
      std::memset(&g, 0, sizeof g);
      if (glob(pat.c_str(), 0, nullptr, &g) == 0) for (size_t i = 0; i < g.gl_pathc; i++) cands.push_back(g.gl_pathv[i]);
      else searched.push_back(pat + ": no such file");
      globfree(&g);
    }
    void* h = nullptr;
    std::string used;
    for (const std::string& c : cands) {
      dlerror();
      h = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (h) { used = c; break; }
      const char* e = dlerror();
      searched.push_back(c + ": " + (e ? e : "cannot be loaded"));
    }
    if (!h) {
      std::string m = "NCCL (libnccl.so.2) could not be loaded. Searched: ";
      for (size_t i = 0; i < searched.size(); i++) m += (i ? "; " : "") + searched[i];
      detail = m + ". Install NCCL (the nvidia-nccl-cu12 pip wheel, or NVIDIA's libnccl2 package) or point NODETORCH_NCCL_PATH at libnccl.so.2.";
      return;
    }
    bool all = true;
    auto sym = [&](auto& f, const char* n) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, n));
      if (!f) { all = false; detail += std::string(detail.empty() ? "" : ", ") + n; }
    };
    sym(getVersion, "ncclGetVersion");
    sym(getErrorString, "ncclGetErrorString");
    sym(getUniqueId, "ncclGetUniqueId");
    sym(commInitRank, "ncclCommInitRank");
    sym(commGetAsyncError, "ncclCommGetAsyncError");
    sym(commAbort, "ncclCommAbort");
    sym(commDestroy, "ncclCommDestroy");
    sym(groupStart, "ncclGroupStart");
    sym(groupEnd, "ncclGroupEnd");
    sym(allReduce, "ncclAllReduce");
    sym(reduce, "ncclReduce");
    sym(broadcast, "ncclBroadcast");
    sym(allGather, "ncclAllGather");
    sym(reduceScatter, "ncclReduceScatter");
    sym(send, "ncclSend");
    sym(recv, "ncclRecv");
    if (!all) { detail = used + " lacks " + detail + " (NCCL 2.10 or later is needed)"; return; }
    int v = 0;
    getVersion(&v);
    detail = used + " (NCCL " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100) + ")";
    ok = true;  // the library stays loaded for the life of the process
  }
};
Api& api() {
  static Api* a = new Api();  // never destroyed (no NCCL teardown at exit)
  std::call_once(a->once, [](Api* x) { x->load(); }, a);
  return *a;
}

struct Comm {
  ncclComm_t c = nullptr;
  int device = 0, nranks = 1, rank = 0;
  int64_t timeout_ms = 1800000;
  cudaStream_t stream = nullptr;
  // 0 alive, 1 aborted (by the watchdog or the caller), 2 destroyed; never deleted: Work objects point at it
  std::atomic<int> state{0};
  std::mutex mu;       // guards error, reported
  std::string error;   // why the watchdog aborted it ('' when it did not)
  bool reported = false;
  std::string why() {
    std::lock_guard<std::mutex> l(mu);
    return error;
  }
};
struct Work {
  Comm* comm;
  cudaEvent_t done = nullptr;
  std::string what;
  std::chrono::steady_clock::time_point t0;
  std::atomic<int> refs{1};
  std::atomic<bool> completed{false};  // the done event was seen complete
};
void work_unref(Work* w) {
  if (w->refs.fetch_sub(1) != 1) return;
  if (w->done) cudaEventDestroy(w->done);
  delete w;
}

// Note [NCCL watchdog]
struct Watchdog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Work*> pending;  // each holds a reference
  std::thread th;
  bool started = false;
  std::atomic<int> npending{0};    // pending.size()
  std::atomic<int> unreported{0};  // communicators aborted by the watchdog whose failure no host sync has reported
  std::vector<Comm*> failed;       // (under mu) those communicators

  void add(Work* w) {
    w->refs.fetch_add(1);
    std::lock_guard<std::mutex> l(mu);
    pending.push_back(w);
    npending = (int)pending.size();
    if (!started) {
      started = true;
      th = std::thread([this] { loop(); });
      th.detach();  // lives as long as the process
    }
  }
  bool has_pending(Comm* c) {
    std::lock_guard<std::mutex> l(mu);
    for (Work* w : pending) if (w->comm == c) return true;
    return false;
  }
  void fail(Comm* c, const std::string& why) {
    int alive = 0;
    if (!c->state.compare_exchange_strong(alive, 1)) return;  // already aborted or destroyed
    {
      std::lock_guard<std::mutex> l(c->mu);
      c->error = why;
    }
    failed.push_back(c);
    unreported.fetch_add(1);
    api().commAbort(c->c);
  }
  // (mu is held while it scans, so that has_pending() and destroy see every operation in flight)
  void loop() {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      cv.wait_for(l, std::chrono::milliseconds(20));
      const auto now = std::chrono::steady_clock::now();
      std::vector<Work*> keep;
      for (Work* w : pending) {
        Comm* c = w->comm;
        bool drop = c->state.load() != 0;
        if (!drop) {
          int r = ncclSuccess;
          if (api().commGetAsyncError(c->c, &r) == ncclSuccess && r != ncclSuccess && r != ncclInProgress) {
            fail(c, "NCCL error in " + w->what + ": " + api().getErrorString(r) + " (ncclResult " + std::to_string(r) + "); the NCCL communicator was aborted (ncclCommAbort)");
            drop = true;
          }
        }
        if (!drop) {
          cudaSetDevice(c->device);
          cudaError_t e = cudaEventQuery(w->done);
          if (e == cudaSuccess) { w->completed = true; drop = true; }
          else if (e != cudaErrorNotReady) { cudaGetLastError(); drop = true; }
        }
        if (!drop) {
          const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w->t0).count();
          if (ms > c->timeout_ms) {
            fail(c, "timed out after " + std::to_string(c->timeout_ms) + " ms in NCCL " + w->what + " (a peer did not take part in time); the NCCL communicator was aborted (ncclCommAbort)");
            drop = true;
          }
        }
        if (drop) work_unref(w);
        else keep.push_back(w);
      }
      pending.swap(keep);
      npending = (int)pending.size();
    }
  }
};
Watchdog& watchdog() {
  static Watchdog* d = new Watchdog();  // never destroyed: its thread runs until the process ends
  return *d;
}

[[noreturn]] void nccl_fail(const std::string& what, int r) {
  throw TorchError("NCCL error in " + what + ": " + api().getErrorString(r) + " (ncclResult " + std::to_string(r) + ")");
}
#define NCCL_CHECK(what, expr) do { int nt_r_ = (expr); if (nt_r_ != ncclSuccess && nt_r_ != ncclInProgress) nccl_fail(what, nt_r_); } while (0)

bool h_load(std::string* detail) {
  Api& a = api();
  if (detail) *detail = a.detail;
  return a.ok;
}
void h_unique_id(char out[128]) {
  ncclUniqueId id;
  NCCL_CHECK("ncclGetUniqueId", api().getUniqueId(&id));
  std::memcpy(out, id.internal, 128);
}
void* h_comm_init(const char idb[128], int nranks, int rank, int device, int64_t timeout_ms) {
  set_device(device);
  ncclUniqueId id;
  std::memcpy(id.internal, idb, 128);
  auto* c = new Comm();
  c->device = device;
  c->nranks = nranks;
  c->rank = rank;
  c->timeout_ms = timeout_ms > 0 ? timeout_ms : c->timeout_ms;
  int r = api().commInitRank(&c->c, nranks, id, rank);
  if (r != ncclSuccess) { delete c; nccl_fail("ncclCommInitRank (rank " + std::to_string(rank) + " of " + std::to_string(nranks) + " on cuda:" + std::to_string(device) + ")", r); }
  cudaError_t e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking);
  if (e != cudaSuccess) { api().commDestroy(c->c); delete c; CUDA_CHECK(e); }
  return c;
}

// nodetorch dtype code (lib/dtype.ts) -> NCCL type; -1: NCCL has none (int16)
int nccl_type(int code) {
  switch (code) {
    case 0: return ncclFloat32;
    case 1: return ncclFloat64;
    case 2: return ncclFloat16;
    case 3: return ncclBfloat16;
    case 4: return ncclInt64;
    case 5: return ncclInt32;
    case 7: return ncclInt8;
    case 8: case 9: return ncclUint8;  // bool as uint8 (its sum/product become max/min below, as PyTorch's)
    default: return -1;
  }
}
int nccl_op(int op, bool is_bool) {
  switch (op) {
    case 2: return is_bool ? ncclMin : ncclProd;
    case 3: return ncclMin;
    case 4: return ncclMax;
    default: return is_bool ? ncclMax : ncclSum;  // sum, and avg (the caller divides the sum)
  }
}
size_t item_size(int code) {
  static const size_t s[] = {4, 8, 2, 2, 8, 4, 2, 1, 1, 1};
  return code >= 0 && code < 10 ? s[code] : 0;
}

void* h_enqueue(void* comm, const NcclOp& op) {
  Comm* c = static_cast<Comm*>(comm);
  static const char* names[] = {"allReduce", "broadcast", "reduce", "allGather", "reduceScatter", "send", "recv", "gather", "scatter"};
  std::string what = op.kind >= 0 && op.kind <= 8 ? names[op.kind] : "?";
  if (c->state.load() != 0) {
    const std::string why = c->why();
    throw TorchError("NCCL " + what + ": the communicator was aborted after an earlier failure" + (why.empty() ? "" : " (" + why + ")") + "; destroy the process group and create a new one");
  }
  int dt = nccl_type(op.dtype);
  if (dt < 0) throw TorchError("NCCL " + what + ": Input tensor data type is not supported for NCCL process group: int16");
  const bool is_bool = op.dtype == 9;
  const int rop = nccl_op(op.op, is_bool);
  const size_t bytes = op.count * item_size(op.dtype);
  Api& a = api();
  set_device(c->device);
  // Note [communication stream]: after the compute stream's work so far
  cudaEvent_t ready;
  CUDA_CHECK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
  cudaEventRecord(ready, stream());
  cudaStreamWaitEvent(c->stream, ready, 0);
  cudaEventDestroy(ready);
  cudaStream_t s = c->stream;
  ncclComm_t nc = c->c;
  switch (op.kind) {
    case NcclOp::AllReduce: NCCL_CHECK(what, a.allReduce(op.send, op.recv, op.count, dt, rop, nc, s)); break;
    case NcclOp::Broadcast: NCCL_CHECK(what, a.broadcast(op.send, op.recv, op.count, dt, op.root, nc, s)); break;
    case NcclOp::Reduce: NCCL_CHECK(what, a.reduce(op.send, op.recv, op.count, dt, rop, op.root, nc, s)); break;
    case NcclOp::AllGather: NCCL_CHECK(what, a.allGather(op.send, op.recv, op.count, dt, nc, s)); break;
    case NcclOp::ReduceScatter: NCCL_CHECK(what, a.reduceScatter(op.send, op.recv, op.count, dt, rop, nc, s)); break;
    case NcclOp::Send: NCCL_CHECK(what, a.send(op.send, op.count, dt, op.peer, nc, s)); break;
    case NcclOp::Recv: NCCL_CHECK(what, a.recv(op.recv, op.count, dt, op.peer, nc, s)); break;
    case NcclOp::Gather:  // NCCL has no gather: the root receives from every rank in one group (as PyTorch's)
      NCCL_CHECK(what, a.groupStart());
      if (c->rank == op.root) {
        for (int r = 0; r < c->nranks; r++) {
          char* dst = static_cast<char*>(op.recv) + (size_t)r * bytes;
          if (r == c->rank) { if (bytes) CUDA_CHECK(cudaMemcpyAsync(dst, op.send, bytes, cudaMemcpyDeviceToDevice, s)); }
          else NCCL_CHECK(what, a.recv(dst, op.count, dt, r, nc, s));
        }
      } else {
        NCCL_CHECK(what, a.send(op.send, op.count, dt, op.root, nc, s));
      }
      NCCL_CHECK(what, a.groupEnd());
      break;
    case NcclOp::Scatter:
      NCCL_CHECK(what, a.groupStart());
      if (c->rank == op.root) {
        for (int r = 0; r < c->nranks; r++) {
          if (r == c->rank) { if (bytes) CUDA_CHECK(cudaMemcpyAsync(op.recv, op.parts[r], bytes, cudaMemcpyDeviceToDevice, s)); }
          else NCCL_CHECK(what, a.send(op.parts[r], op.count, dt, r, nc, s));
        }
      } else {
        NCCL_CHECK(what, a.recv(op.recv, op.count, dt, op.root, nc, s));
      }
      NCCL_CHECK(what, a.groupEnd());
      break;
    default: throw TorchError("internal: unknown NCCL operation " + std::to_string(op.kind));
  }
  auto* w = new Work();
  w->comm = c;
  w->what = what;
  w->t0 = std::chrono::steady_clock::now();
  cudaError_t e = cudaEventCreateWithFlags(&w->done, cudaEventDisableTiming);
  if (e == cudaSuccess) e = cudaEventRecord(w->done, s);
  if (e != cudaSuccess) { work_unref(w); CUDA_CHECK(e); }
  watchdog().add(w);
  return w;
}

int h_query(void* work, std::string* err) {
  Work* w = static_cast<Work*>(work);
  Comm* c = w->comm;
  if (w->completed.load()) return 1;
  const int st = c->state.load();
  if (st == 1) {
    const std::string why = c->why();
    *err = why.empty() ? "NCCL " + w->what + ": the communicator was aborted (a timeout or an error on this rank)"
                       : why.rfind("timed out", 0) == 0 && why.find(" in NCCL " + w->what + " ") != std::string::npos ? why
                       : "NCCL " + w->what + ": the communicator was aborted after a failure: " + why;
    return 2;
  }
  if (st == 2) { *err = "NCCL " + w->what + ": the process group was destroyed before the operation completed"; return 2; }
  int r = ncclSuccess;
  if (api().commGetAsyncError(c->c, &r) == ncclSuccess && r != ncclSuccess && r != ncclInProgress) {
    *err = "NCCL error in " + w->what + ": " + api().getErrorString(r) + " (ncclResult " + std::to_string(r) + ")";
    return 2;
  }
  set_device(c->device);
  cudaError_t e = cudaEventQuery(w->done);
  if (e == cudaSuccess) { w->completed = true; return 1; }
  if (e == cudaErrorNotReady) return 0;
  cudaGetLastError();
  *err = "NCCL " + w->what + ": CUDA error " + cudaGetErrorString(e);
  return 2;
}
void h_stream_wait(void* work) {
  Work* w = static_cast<Work*>(work);
  std::string err;
  const int s = h_query(work, &err);
  if (s == 2) throw TorchError(err);
  if (s == 1) return;  // done: nothing to order after
  set_device(w->comm->device);
  CUDA_CHECK(cudaStreamWaitEvent(stream(), w->done, 0));
}
void h_check_async_error() {
  Watchdog& d = watchdog();
  if (d.unreported.load(std::memory_order_relaxed) == 0 && d.npending.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard<std::mutex> l(d.mu);
  // a failure that ended an operation the host was just waiting behind may not have had its watchdog tick yet
  for (Work* w : d.pending) {
    Comm* c = w->comm;
    int r = ncclSuccess;
    if (c->state.load() == 0 && api().commGetAsyncError(c->c, &r) == ncclSuccess && r != ncclSuccess && r != ncclInProgress)
      d.fail(c, "NCCL error in " + w->what + ": " + api().getErrorString(r) + " (ncclResult " + std::to_string(r) + "); the NCCL communicator was aborted (ncclCommAbort)");
  }
  for (Comm* c : d.failed) {
    std::lock_guard<std::mutex> cl(c->mu);
    if (c->error.empty() || c->reported) continue;
    c->reported = true;
    d.unreported.fetch_sub(1);
    throw TorchError("an earlier NCCL collective failed after it was enqueued: " + c->error +
                     ". Results of collectives on that process group are invalid; destroy it and create a new one");
  }
}
void h_release(void* work) { work_unref(static_cast<Work*>(work)); }
void h_abort(void* comm) {
  Comm* c = static_cast<Comm*>(comm);
  int alive = 0;
  if (!c->state.compare_exchange_strong(alive, 1)) return;
  api().commAbort(c->c);  // the Comm itself stays: pending Work objects still point at it
}
void h_destroy(void* comm) {
  Comm* c = static_cast<Comm*>(comm);
  // after the operations in flight (the watchdog ends them within the timeout if a peer is missing)
  while (c->state.load() == 0 && watchdog().has_pending(c)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int alive = 0;
  if (!c->state.compare_exchange_strong(alive, 2)) return;
  set_device(c->device);
  api().commDestroy(c->c);
  cudaStreamDestroy(c->stream);
}

struct InstallNccl {
  InstallNccl() {  // Note [no CUDA at load time]: pointers only; NCCL is loaded on first use
    NcclHooks& h = nccl_hooks();
    h.load = h_load;
    h.unique_id = h_unique_id;
    h.comm_init = h_comm_init;
    h.enqueue = h_enqueue;
    h.query = h_query;
    h.stream_wait = h_stream_wait;
    h.check_async_error = h_check_async_error;
    h.release = h_release;
    h.abort = h_abort;
    h.destroy = h_destroy;
  }
};
InstallNccl install_nccl;

}  // namespace
}  // namespace cu
}  // namespace nt
