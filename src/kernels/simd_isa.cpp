#include "kernels/simd_isa.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "config.hpp"
#include "xgrad/cpu.hpp"

namespace xgrad::kernels {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    case Isa::Baseline: break;
  }
  return "baseline";
}

Isa cpu_isa() {
#if defined(__x86_64__) && defined(__GNUC__)
  // GCC's cpuid checks include XGETBV: a set counts only if the OS saves its registers.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return Isa::Avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Baseline;
}

namespace {

Isa isa_from_env() {
  const Isa cpu = cpu_isa();
  const char* s = config::env_isa_cap();
  if (!s) return cpu;
  for (Isa cap : {Isa::Baseline, Isa::Avx2, Isa::Avx512}) {
    if (std::string(s) == isa_name(cap)) return std::min(cap, cpu);
  }
  throw std::invalid_argument(std::string("XGRAD_ISA='") + s +
                              "': expected baseline, avx2 or avx512");
}

}  // namespace

Isa active_isa() {
  static const Isa isa = isa_from_env();
  return isa;
}

}  // namespace xgrad::kernels

namespace xgrad {

const char* simd_isa() { return kernels::isa_name(kernels::active_isa()); }

}  // namespace xgrad
