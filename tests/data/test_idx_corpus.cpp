// Replays the idx fuzzer's seed corpus (the seeds and every reproducer the fuzzer found, all
// written at build time by tests/fuzz/make_corpus.cpp into <build>/fuzz-corpus/idx) through the
// fuzz target's own code, so each fix stays fixed.
#include <filesystem>

#include "fuzz/idx_harness.hpp"
#include "support/fuzz_corpus.hpp"
#include "support/test_utils.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

fs::path corpus() { return xgrad::test::corpus_dir("idx"); }

}  // namespace

TEST_CASE("idx corpus: every seed and reproducer loads or is refused cleanly", "[data][fuzz]") {
  int files = 0;
  for (const auto& e : fs::directory_iterator(corpus())) {
    const auto bytes = xgrad::test::read_corpus_file(e.path());
    INFO(e.path());
    REQUIRE_NOTHROW(xgrad::fuzz::feed_idx(bytes.data(), bytes.size()));
    ++files;
  }
  CHECK(files >= 10);
}

TEST_CASE("idx corpus: the valid seeds load, the invalid ones say why", "[data][fuzz]") {
  using xgrad::data::parse_idx;
  const auto labels = xgrad::test::read_corpus_file(corpus() / "labels_valid");
  const auto images = xgrad::test::read_corpus_file(corpus() / "images_valid");
  CHECK(parse_idx(labels, "labels_valid", xgrad::data::kIdxLabelsMagic).dims ==
        std::vector<std::size_t>{5});
  CHECK(parse_idx(images, "images_valid", xgrad::data::kIdxImagesMagic).dims ==
        std::vector<std::size_t>{2, 3, 3});
  CHECK_THROWS_WITH(parse_idx(xgrad::test::read_corpus_file(corpus() / "images_truncated"), "t",
                              xgrad::data::kIdxImagesMagic),
                    Contains("truncated"));
  CHECK_THROWS_WITH(parse_idx(xgrad::test::read_corpus_file(corpus() / "wrong_magic"), "w",
                              xgrad::data::kIdxImagesMagic),
                    Contains("wrong magic"));
}
