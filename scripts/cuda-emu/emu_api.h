// emu_api.h - what emu.cc offers the emulator's other parts (libnccl.cc, the stand-in libnccl): device-memory access
// from host code, streams that run their work on a thread of their own, and the symbol table of the stand-in.
#pragma once
#include <cuda_runtime.h>
#include <cstddef>
#include <functional>

namespace cuemu {

// Device memory is readable and writable from this thread for the scope (it holds the emulator's lock: keep it short,
// never across a wait on another process).
struct DeviceAccess {
  DeviceAccess();
  ~DeviceAccess();
  DeviceAccess(const DeviceAccess&) = delete;
  DeviceAccess& operator=(const DeviceAccess&) = delete;
 private:
  bool was_;
};
// whether [p, p + n) lies inside one device allocation
bool is_device(const void* p, size_t n);
// runs fn on stream s's own thread, after the work already submitted there (s == 0: now, on this thread)
void stream_submit(cudaStream_t s, std::function<void()> fn);

// libnccl.cc: the stand-in libnccl's entry point by name (null for names it does not have)
void* nccl_sym(const char* name);

}  // namespace cuemu
