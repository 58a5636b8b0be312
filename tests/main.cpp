#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support/skip.hpp"
#include "xgrad/cpu.hpp"

/// The suite's own main. A run under XGRAD_ISA=<set> on a CPU without that set has nothing to
/// test; a test whose data is missing marks itself skipped. Both exit with kSkipReturnCode,
/// which ctest reports as skipped (SKIP_RETURN_CODE).
int main(int argc, char* argv[]) {
  const char* want = std::getenv("XGRAD_ISA_REQUIRED");
  if (want && std::strcmp(want, xgrad::simd_isa()) != 0) {
    std::printf("skipped: XGRAD_ISA_REQUIRED=%s, but this CPU's kernels run %s\n", want,
                xgrad::simd_isa());
    return xgrad::test::kSkipReturnCode;
  }
  const int failed = Catch::Session().run(argc, argv);
  if (failed == 0 && xgrad::test::any_test_skipped()) return xgrad::test::kSkipReturnCode;
  return failed;
}
