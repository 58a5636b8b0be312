#pragma once
// Private: which instruction set the hand-vectorised kernels run with. Each such kernel is
// compiled once per instruction set (src/kernels/simd/, one translation unit per set, each with
// its own -march) and picked through a table by the set chosen here, once per process: the
// widest the CPU and the operating system support, capped by XGRAD_ISA.
namespace xgrad::kernels {

/// Ordered: a cap keeps everything up to it.
enum class Isa { Baseline = 0, Avx2 = 1, Avx512 = 2 };
constexpr int kIsaCount = 3;

/// "baseline" (x86-64: SSE2), "avx2" (AVX2 + FMA), "avx512" (AVX-512 F/BW/DQ/VL).
const char* isa_name(Isa isa);
/// The widest set this CPU runs (cpuid; also checks that the OS saves the wide registers).
Isa cpu_isa();
/// The set in use: cpu_isa(), capped by XGRAD_ISA=baseline|avx2|avx512 (read on first use;
/// another value throws std::invalid_argument naming it).
Isa active_isa();

}  // namespace xgrad::kernels
