#pragma once
// What fuzz_checkpoint does with one input, shared with the suite's corpus test
// (tests/io/test_checkpoint_corpus.cpp) so that every reproducer keeps being replayed.
//
// Contract under test: any byte string either loads into the model or is refused with a
// std::runtime_error, and a refusal leaves the model bit-identical. Any other exception
// escapes (std::terminate: the fuzzer reports a crash); a crash, leak or hang is caught by
// the sanitizers and libFuzzer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>

namespace xgrad::fuzz {

/// The model the checkpoints are loaded into: 0.kernel [2, 3], 0.bias [3], 1.gamma,
/// 1.beta, 1.moving_mean, 1.moving_variance [3], 2.kernel [3, 2], 2.bias [2].
/// tests/fuzz/make_corpus writes its valid seeds from this very model.
inline std::shared_ptr<nn::Sequential> make_checkpoint_model(std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  auto m = std::make_shared<nn::Sequential>();
  m->add(nn::Dense(2, 3, true, rng));
  m->add(nn::BatchNorm(3));
  m->add(nn::Dense(3, 2, true, rng));
  return m;
}

/// Every parameter and buffer value, as bytes.
inline std::vector<unsigned char> state_bytes(const nn::Module& m) {
  std::vector<unsigned char> out;
  auto add = [&](const nn::NamedList<Tensor>& list) {
    for (const auto& kv : list) {
      const auto& a = kv.second.value();
      const auto* b = reinterpret_cast<const unsigned char*>(a.data());
      out.insert(out.end(), b, b + a.size() * sizeof(float));
    }
  };
  add(m.named_parameters());
  add(m.named_buffers());
  return out;
}

/// Loads `data` into `model`. Returns true when it loaded, false on a clean refusal.
inline bool feed_checkpoint(nn::Module& model, const std::uint8_t* data, std::size_t size) {
  const auto before = state_bytes(model);
  try {
    io::load_bytes(model, std::vector<unsigned char>(data, data + size), "fuzz input");
    return true;
  } catch (const std::runtime_error&) {
    if (state_bytes(model) != before) {
      std::fprintf(stderr, "checkpoint: a refused file changed the model\n");
      std::abort();
    }
    return false;
  }
}

}  // namespace xgrad::fuzz
