// libFuzzer target: arbitrary bytes as a safetensors checkpoint for a small model (see
// checkpoint_harness.hpp for the contract).
#include "checkpoint_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One model for the whole run: building it per input would dominate the time.
  static const auto model = xgrad::fuzz::make_checkpoint_model();
  xgrad::fuzz::feed_checkpoint(*model, data, size);
  return 0;
}
