#pragma once
// Tests that need what a machine may lack (the real MNIST files, Debian's Fashion-MNIST,
// python3 with numpy) say so instead of passing silently: the test binary then exits with
// kSkipReturnCode, which ctest reports as "Skipped". In CI (CI=true) everything they need is
// installed, so there a missing requirement fails the test.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace xgrad::test {

/// The test binary's exit code when every test passed but some skipped (ctest SKIP_RETURN_CODE).
constexpr int kSkipReturnCode = 77;

inline bool& any_test_skipped() {
  static bool skipped = false;
  return skipped;
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

/// Marks the current test skipped for `why`, whatever the environment: for what even CI
/// machines may lack (an instruction set, isa_skip.hpp). The test still runs to its end.
inline void mark_skipped(const std::string& why) {
  WARN("SKIPPED: " << why);
  any_test_skipped() = true;
}

/// Marks the current test skipped for `why` (or fails it under CI=true). Use as
/// `return test::skip("...");`.
inline void skip(const std::string& why) {
  if (running_in_ci()) FAIL("required in CI (CI=true): " << why);
  mark_skipped(why);
}

}  // namespace xgrad::test
