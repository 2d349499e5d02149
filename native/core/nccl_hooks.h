// nccl_hooks.h - what the CUDA backend's NCCL support (cuda/nccl.cu) offers the binding (native/binding/nccl_napi.cc).
// The CPU build leaves every pointer null: the binding then says NCCL needs the CUDA build. NCCL itself is loaded at run
// time with dlopen (Note [NCCL at run time] in cuda/nccl.cu): building needs no NCCL.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace nt {

// one NCCL operation, enqueued on the communicator's stream
struct NcclOp {
  enum Kind { AllReduce = 0, Broadcast, Reduce, AllGather, ReduceScatter, Send, Recv, Gather, Scatter };
  int kind = AllReduce;
  int dtype = 0;        // nodetorch's dtype code (lib/dtype.ts DTYPE_CODE)
  int op = 0;           // 0 sum, 1 avg (summed here; the caller divides), 2 product, 3 min, 4 max
  size_t count = 0;     // elements per rank (AllGather/Gather/Scatter: of one rank's part)
  void* send = nullptr;
  void* recv = nullptr;
  int root = -1;        // Broadcast/Reduce/Gather/Scatter
  int peer = -1;        // Send/Recv
  void* const* parts = nullptr;  // Scatter at the root: one source pointer per rank
};

struct NcclHooks {
  // loads the library if not yet tried; true when usable. *detail: its path and version, or why not (every place searched)
  bool (*load)(std::string* detail) = nullptr;
  void (*unique_id)(char out[128]) = nullptr;
  // a communicator of rank `rank` of `nranks` on CUDA device `device` (blocks until every rank has joined); the
  // watchdog aborts it when one of its operations is still running timeout_ms after it was enqueued
  void* (*comm_init)(const char id[128], int nranks, int rank, int device, int64_t timeout_ms) = nullptr;
  // enqueues op on the communicator's stream, after the work already on the device's compute stream; returns a handle
  void* (*enqueue)(void* comm, const NcclOp& op) = nullptr;
  // 0: running, 1: done, 2: failed (*err says why; the communicator's asynchronous error included)
  int (*query)(void* work, std::string* err) = nullptr;
  // makes the current stream wait for the operation (cudaStreamWaitEvent; the host does not wait); throws when it
  // has already failed
  void (*stream_wait)(void* work) = nullptr;
  // Note [NCCL async errors]: throws a TorchError once for each communicator the watchdog aborted (a timeout or an
  // asynchronous error) since the last call; called after every host synchronisation of the CUDA backend
  void (*check_async_error)() = nullptr;
  void (*release)(void* work) = nullptr;   // after query said done or failed, or to drop it
  void (*abort)(void* comm) = nullptr;     // ncclCommAbort: pending operations end, the communicator is unusable
  void (*destroy)(void* comm) = nullptr;
};

NcclHooks& nccl_hooks();

}  // namespace nt
