#pragma once
// Tests that compare the kernels of every instruction set with the baseline's can only run the
// sets this CPU has. A missing set is reported as a skip (skip.hpp), not passed silently, and
// fails the test when XGRAD_REQUIRE_ISA=<set> says the machine has that set (every narrower
// set included): CI on a machine known to have AVX-512 then cannot lose those comparisons.
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/simd_isa.hpp"
#include "support/skip.hpp"

namespace xgrad::test {

/// Whether XGRAD_REQUIRE_ISA=<set> says this machine must run `isa` (<set> or a wider one).
inline bool isa_required(kernels::Isa isa) {
  const char* v = std::getenv("XGRAD_REQUIRE_ISA");
  if (!v || !*v) return false;
  for (int i = 0; i < kernels::kIsaCount; ++i) {
    if (std::string(v) == kernels::isa_name(kernels::Isa(i))) return int(isa) <= i;
  }
  throw std::invalid_argument(std::string("XGRAD_REQUIRE_ISA=") + v +
                              ": expected baseline, avx2 or avx512");
}

/// True when this CPU runs `isa`. Otherwise the test is marked skipped (it goes on with the
/// other sets), or fails if XGRAD_REQUIRE_ISA requires the set. Use as
/// `if (!test::cpu_has_or_skip(isa)) continue;`.
inline bool cpu_has_or_skip(kernels::Isa isa) {
  if (int(isa) <= int(kernels::cpu_isa())) return true;
  const std::string why = std::string("this CPU has no ") + kernels::isa_name(isa);
  if (isa_required(isa)) {
    FAIL(why << ", but XGRAD_REQUIRE_ISA=" << std::getenv("XGRAD_REQUIRE_ISA") << " requires it");
  }
  mark_skipped(why);
  return false;
}

}  // namespace xgrad::test
