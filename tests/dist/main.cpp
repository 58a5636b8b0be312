// The MPI tests: every rank runs every test case, in the same order (they make collectives).
// A failed REQUIRE on one rank leaves the others waiting: ctest's timeout ends such a run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <xgrad/dist/session.hpp>

int main(int argc, char** argv) {
  xgrad::dist::Session session(argc, argv);
  return Catch::Session().run(argc, argv);
}
