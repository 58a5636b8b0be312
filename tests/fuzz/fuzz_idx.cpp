// libFuzzer target: arbitrary bytes as an idx file (see idx_harness.hpp for the contract).
#include "idx_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xgrad::fuzz::feed_idx(data, size);
  return 0;
}
