// Replays the checkpoint fuzzer's seed corpus (the seeds and every reproducer the fuzzer found,
// all written at build time by tests/fuzz/make_corpus.cpp into <build>/fuzz-corpus/checkpoint)
// through the fuzz target's own code, so each fix stays fixed.
#include <filesystem>

#include "fuzz/checkpoint_harness.hpp"
#include "support/fuzz_corpus.hpp"
#include "support/test_utils.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

fs::path corpus() { return xgrad::test::corpus_dir("checkpoint"); }

}  // namespace

TEST_CASE("checkpoint corpus: every seed and reproducer loads or is refused cleanly",
          "[io][fuzz]") {
  auto model = xgrad::fuzz::make_checkpoint_model(5);
  int files = 0, loaded = 0;
  for (const auto& e : fs::directory_iterator(corpus())) {
    const auto bytes = xgrad::test::read_corpus_file(e.path());
    INFO(e.path());
    bool ok = false;
    REQUIRE_NOTHROW(ok = xgrad::fuzz::feed_checkpoint(*model, bytes.data(), bytes.size()));
    loaded += ok;
    ++files;
  }
  CHECK(files >= 6);
  CHECK(loaded >= 1);  // the valid seed reaches the copy into the model
}

TEST_CASE("checkpoint corpus: the valid seed loads, the invalid ones say why", "[io][fuzz]") {
  auto model = xgrad::fuzz::make_checkpoint_model(5);
  const auto saved_from = xgrad::fuzz::make_checkpoint_model(1);  // what make_corpus saved
  REQUIRE(xgrad::fuzz::state_bytes(*model) != xgrad::fuzz::state_bytes(*saved_from));
  xgrad::io::load_bytes(*model, xgrad::test::read_corpus_file(corpus() / "valid.safetensors"), "valid");
  CHECK(xgrad::fuzz::state_bytes(*model) == xgrad::fuzz::state_bytes(*saved_from));
  auto refused = [&](const char* name, const char* why) {
    CHECK_THROWS_WITH(xgrad::io::load_bytes(*model, xgrad::test::read_corpus_file(corpus() / name), name),
                      Contains(name) && Contains(why));
  };
  refused("truncated.safetensors", "out of range");
  refused("bad_json.safetensors", "not valid JSON");
  refused("wrong_shapes.safetensors", "has shape [2, 4]");
  refused("i32.safetensors", "dtype I32");
}
