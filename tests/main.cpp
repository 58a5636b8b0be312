#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support/isa_skip.hpp"
#include "support/skip.hpp"
#include "xgrad/cpu.hpp"

/// The suite's own main. A run under XGRAD_ISA=<set> on a CPU without that set has nothing to
/// test (unless XGRAD_REQUIRE_ISA says the machine has it: then it fails); a test whose data is
/// missing marks itself skipped. Both exit with kSkipReturnCode, which ctest reports as skipped
/// (SKIP_RETURN_CODE).
int main(int argc, char* argv[]) {
  const char* want = std::getenv("XGRAD_ISA_REQUIRED");
  if (want && std::strcmp(want, xgrad::simd_isa()) != 0) {
    // XGRAD_REQUIRE_ISA says what the machine has: then a missing set is a failure.
    for (int i = 0; i < xgrad::kernels::kIsaCount; ++i) {
      const auto isa = xgrad::kernels::Isa(i);
      if (std::strcmp(want, xgrad::kernels::isa_name(isa)) == 0 && xgrad::test::isa_required(isa)) {
        std::printf("FAILED: XGRAD_ISA_REQUIRED=%s, but this CPU's kernels run %s (and "
                    "XGRAD_REQUIRE_ISA=%s says the machine has it)\n",
                    want, xgrad::simd_isa(), std::getenv("XGRAD_REQUIRE_ISA"));
        return 1;
      }
    }
    std::printf("skipped: XGRAD_ISA_REQUIRED=%s, but this CPU's kernels run %s\n", want,
                xgrad::simd_isa());
    return xgrad::test::kSkipReturnCode;
  }
  const int failed = Catch::Session().run(argc, argv);
  if (failed == 0 && xgrad::test::any_test_skipped()) return xgrad::test::kSkipReturnCode;
  return failed;
}
