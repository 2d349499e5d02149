// simd.cc - run-time CPU feature detection (the GEMM picks its micro-kernel from this).
#include "cpu.h"

namespace nt {

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
#else
  return false;
#endif
}
bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = __builtin_cpu_supports("avx512f") && getenv("NODETORCH_NO_AVX512") == nullptr;
  return v;
#else
  return false;
#endif
}
const char* cpu_simd_name() { return cpu_has_avx512() ? "avx512" : (cpu_has_avx2() ? "avx2" : "generic"); }

}  // namespace nt
