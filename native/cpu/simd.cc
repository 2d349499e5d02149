// simd.cc - run-time CPU feature detection (the GEMM and the reductions pick their kernels from this).
// NODETORCH_CPU_ISA=avx512|avx2|generic caps the instruction set the kernels may use below what the CPU has, so
// the AVX2 path can be measured and tested on an AVX-512 machine (and the portable one on either);
// NODETORCH_NO_AVX512 (older spelling) is the same as NODETORCH_CPU_ISA=avx2. An unknown value is ignored.
#include <cstdlib>
#include <cstring>
#include "cpu.h"

namespace nt {

namespace {
// 2 = everything the CPU has, 1 = at most AVX2+FMA, 0 = portable code only
int isa_cap() {
  static int v = [] {
    const char* e = getenv("NODETORCH_CPU_ISA");
    if (e && (!strcmp(e, "generic") || !strcmp(e, "portable") || !strcmp(e, "none"))) return 0;
    if (e && !strcmp(e, "avx2")) return 1;
    if (getenv("NODETORCH_NO_AVX512") != nullptr) return 1;
    return 2;
  }();
  return v;
}
}  // namespace

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = isa_cap() >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
#else
  return false;
#endif
}
bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static bool v = isa_cap() >= 2 && __builtin_cpu_supports("avx512f");
  return v;
#else
  return false;
#endif
}
const char* cpu_simd_name() { return cpu_has_avx512() ? "avx512" : (cpu_has_avx2() ? "avx2" : "generic"); }

}  // namespace nt
