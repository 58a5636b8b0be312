#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/skip.hpp"

int main(int argc, char** argv) {
  const int failed = Catch::Session().run(argc, argv);
  if (failed == 0 && xgrad::test::any_test_skipped()) return xgrad::test::kSkipReturnCode;
  return failed;
}
