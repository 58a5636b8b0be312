#pragma once
// Private: which instruction set the hand-vectorised kernels run with. Each kernel family is
// compiled once per instruction set (isa_dispatch.hpp) and picked by the set chosen here, once
// per process: the widest the CPU and the operating system support, capped by XGRAD_ISA.
namespace xgrad::kernels {

/// Ordered: a cap keeps everything up to it.
enum class Isa { Baseline = 0, Avx2 = 1, Avx512 = 2 };
constexpr int kIsaCount = 3;

/// Whether this build has kernels for `isa`: src/CMakeLists.txt (XGRAD_ISAS) compiles every
/// family for each set of the target's architecture, on x86-64 all three.
constexpr bool isa_built(Isa isa) {
#if defined(__x86_64__)
  return isa == Isa::Baseline || isa == Isa::Avx2 || isa == Isa::Avx512;
#else
  return isa == Isa::Baseline;
#endif
}

/// The namespace each set's kernels are compiled into (XGRAD_SIMD_NS), and its set.
namespace baseline { constexpr Isa kIsa = Isa::Baseline; }
namespace avx2 { constexpr Isa kIsa = Isa::Avx2; }
namespace avx512 { constexpr Isa kIsa = Isa::Avx512; }

/// "baseline" (x86-64: SSE2), "avx2" (AVX2 + FMA), "avx512" (AVX-512 F/BW/DQ/VL).
const char* isa_name(Isa isa);
/// The widest set this CPU runs and this build has kernels for (cpuid; also checks that the
/// OS saves the wide registers).
Isa cpu_isa();
/// The set in use: cpu_isa(), capped by XGRAD_ISA=baseline|avx2|avx512 (read on first use;
/// another value throws std::invalid_argument naming it).
Isa active_isa();

}  // namespace xgrad::kernels
