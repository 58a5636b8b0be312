// Prints xgrad's thread count and checks it against the expected one:
//   process_default_threads EXPECTED
// The tests run it under taskset and with the thread variables set or unset.
#include <cstdio>
#include <cstdlib>

#include <xgrad/threads.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s EXPECTED_THREADS\n", argv[0]);
    return 2;
  }
  const int expected = std::atoi(argv[1]);
  const int threads = xgrad::num_threads();
  std::printf("xgrad::num_threads() = %d, expected %d\n", threads, expected);
  return threads == expected && expected >= 1 ? 0 : 1;
}
