// dispatch.cc - the kernel table.
#include "dispatch.h"

namespace nt {

static const char* kOpNames[] = {
#define OP(name) #name,
#include "../ops.def"
#undef OP
};
static_assert(sizeof(kOpNames) / sizeof(kOpNames[0]) == OP_COUNT, "op name table out of sync with ops.def");

static KernelFn& slot(int op, DeviceType dev) {
  static KernelFn table[OP_COUNT][2] = {};
  return table[op][(int)dev];
}

const char* op_name(int op) { return (op >= 0 && op < OP_COUNT) ? kOpNames[op] : "?"; }

void register_kernel(int op, DeviceType dev, KernelFn fn) { slot(op, dev) = fn; }

bool supports(int op, DeviceType dev) { return op >= 0 && op < OP_COUNT && slot(op, dev) != nullptr; }

KernelFn find_kernel(int op, DeviceType dev) {
  if (op < 0 || op >= OP_COUNT) throw TorchError("unknown native op id " + std::to_string(op));
  KernelFn fn = slot(op, dev);
  if (!fn)
    throw TorchError(std::string("Kernel '") + kOpNames[op] + "' is not available for device " +
                     (dev == DeviceType::CPU ? "cpu" : "cuda") +
                     (dev == DeviceType::CUDA ? " (this binary was built without CUDA or lacks the kernel)" : ""));
  return fn;
}

}  // namespace nt
