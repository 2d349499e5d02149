// tensor.h - what a kernel sees: Storage (refcounted by the JS wrapper that owns it, device-tagged)
// and TensorArg (a strided view over it: data pointer already offset, dtype, shape, strides in elements).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include "dtype.h"

namespace nt {

constexpr int kMaxDims = 16;
constexpr int kMaxTensors = 8;
constexpr int kMaxAttrs = 64;

enum class DeviceType : int32_t { CPU = 0, CUDA = 1 };

// Live-tensor accounting (native/binding/addon.cc, Note [tensor tokens]): one per JS Tensor.
struct TensorCount {
  int dev = 0;        // 0 cpu, 1 cuda: which device's count it is in
  bool live = false;  // counted (a finalizer or dispose() uncounts it once)
};

struct Storage {
  TensorCount tok;  // first member: a storage external doubles as its first tensor's token
  void* data = nullptr;
  size_t nbytes = 0;
  DeviceType device = DeviceType::CPU;
  int device_index = 0;
  bool owned = true;  // false: memory belongs to a JS ArrayBuffer (frombuffer)
  bool pinned = false;  // CPU storage in pinned (page-locked) host memory from cuda_hooks().host_alloc
};

struct TensorArg {
  char* data = nullptr;  // base + storage_offset * itemsize
  Storage* storage = nullptr;
  DType dtype = DType::F32;
  int ndim = 0;
  int64_t shape[kMaxDims] = {0};
  int64_t stride[kMaxDims] = {0};

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
  }
  bool contiguous() const {
    for (int i = 0; i < ndim; i++) if (shape[i] == 0) return true;  // an empty tensor (PyTorch's strides for it vary)
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != s) return false;
      s *= shape[i];
    }
    return true;
  }
  template <typename T> T* ptr() const { return reinterpret_cast<T*>(data); }
};

// One kernel invocation: tensors (outputs first, by each op's convention) and numeric attributes.
struct Call {
  TensorArg t[kMaxTensors];
  int nt = 0;
  double a[kMaxAttrs];
  int na = 0;
  double result = 0;  // a scalar result some kernels return (counts, sizes)
  // A tensor list (the binding's runList: the multi-tensor ops, e.g. OP(optim_step_multi)): nlist contiguous 1-D
  // views and nxa per-item attributes; empty for run().
  TensorArg* list = nullptr;
  int nlist = 0;
  const double* xa = nullptr;
  int nxa = 0;
  double attr(int i, double dflt = 0) const { return i < na ? a[i] : dflt; }
  int64_t iattr(int i, int64_t dflt = 0) const { return i < na ? (int64_t)a[i] : dflt; }
};

// Thrown by kernels on bad input that slipped past TypeScript validation; the binding turns it into a TorchError.
struct TorchError : std::runtime_error {
  explicit TorchError(const std::string& m) : std::runtime_error(m) {}
};

}  // namespace nt
