// simd.cc - run-time CPU feature detection (the GEMM and the direct convolution pick their micro-kernels from this).
// NODETORCH_CPU_ISA=avx2 (or generic) caps what is used below what the CPU has, so that the AVX2 (or portable) paths
// can be measured and tested on an AVX-512 machine; NODETORCH_NO_AVX512 is the older spelling of =avx2.
#include <cstdlib>
#include <cstring>
#include "cpu.h"

namespace nt {

namespace {
// 2 = no cap, 1 = avx2 at most, 0 = portable only
int isa_cap() {
  static int v = [] {
    const char* e = getenv("NODETORCH_CPU_ISA");
    if (e && (!std::strcmp(e, "generic") || !std::strcmp(e, "portable") || !std::strcmp(e, "none"))) return 0;
    if ((e && !std::strcmp(e, "avx2")) || getenv("NODETORCH_NO_AVX512") != nullptr) return 1;
    return 2;
  }();
  return v;
}
}  // namespace

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && isa_cap() >= 1;
  return v;
#else
  return false;
#endif
}
bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = __builtin_cpu_supports("avx512f") && isa_cap() >= 2;
  return v;
#else
  return false;
#endif
}
const char* cpu_simd_name() { return cpu_has_avx512() ? "avx512" : (cpu_has_avx2() ? "avx2" : "generic"); }

}  // namespace nt
