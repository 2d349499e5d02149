// dispatch.h - kernel[op][device]. Kernels register themselves with REGISTER_KERNEL at static-init time;
// a missing kernel fails loudly by name (never a silent fallback).
#pragma once
#include "tensor.h"

namespace nt {

enum OpId : int {
#define OP(name) OP_##name,
#include "../ops.def"
#undef OP
  OP_COUNT
};

using KernelFn = void (*)(Call&);

const char* op_name(int op);
void register_kernel(int op, DeviceType dev, KernelFn fn);
KernelFn find_kernel(int op, DeviceType dev);  // throws TorchError when missing
bool supports(int op, DeviceType dev);

struct KernelRegistrar {
  KernelRegistrar(int op, DeviceType dev, KernelFn fn) { register_kernel(op, dev, fn); }
};

#define NT_CAT2(a, b) a##b
#define NT_CAT(a, b) NT_CAT2(a, b)
#define REGISTER_KERNEL(op, dev, fn) \
  static ::nt::KernelRegistrar NT_CAT(nt_reg_, __COUNTER__)(::nt::OP_##op, ::nt::DeviceType::dev, fn)

}  // namespace nt
