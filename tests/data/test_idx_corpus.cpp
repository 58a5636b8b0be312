// Replays the idx fuzzer's seed corpus (the seeds and every reproducer the fuzzer found, all
// written at build time by tests/fuzz/make_corpus.cpp into <build>/fuzz-corpus/idx) through the
// fuzz target's own code, so each fix stays fixed.
#include <filesystem>
#include <fstream>

#include "fuzz/idx_harness.hpp"
#include "support/test_utils.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

#ifndef XGRAD_FUZZ_CORPUS_DIR
#error "XGRAD_FUZZ_CORPUS_DIR (the generated seed corpus) is set by tests/CMakeLists.txt"
#endif

fs::path corpus_dir() { return fs::path(XGRAD_FUZZ_CORPUS_DIR) / "idx"; }

const char* const kHowMade =
    "the seed corpus is written at build time by make_corpus (tests/fuzz/make_corpus.cpp): "
    "build xgrad_tests, or run cmake --build <build dir> --target fuzz_corpus";

void require_corpus() {
  INFO(corpus_dir().string() << " is missing; " << kHowMade);
  REQUIRE(fs::is_directory(corpus_dir()));
}

std::vector<std::uint8_t> read_file(const fs::path& p) {
  INFO(p.string() << " is missing; " << kHowMade);
  REQUIRE(fs::is_regular_file(p));
  std::ifstream in(p, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("idx corpus: every seed and reproducer loads or is refused cleanly", "[data][fuzz]") {
  require_corpus();
  int files = 0;
  for (const auto& e : fs::directory_iterator(corpus_dir())) {
    const auto bytes = read_file(e.path());
    INFO(e.path());
    REQUIRE_NOTHROW(xgrad::fuzz::feed_idx(bytes.data(), bytes.size()));
    ++files;
  }
  CHECK(files >= 10);
}

TEST_CASE("idx corpus: the valid seeds load, the invalid ones say why", "[data][fuzz]") {
  using xgrad::data::parse_idx;
  require_corpus();
  const auto labels = read_file(corpus_dir() / "labels_valid");
  const auto images = read_file(corpus_dir() / "images_valid");
  CHECK(parse_idx(labels, "labels_valid", xgrad::data::kIdxLabelsMagic).dims ==
        std::vector<std::size_t>{5});
  CHECK(parse_idx(images, "images_valid", xgrad::data::kIdxImagesMagic).dims ==
        std::vector<std::size_t>{2, 3, 3});
  CHECK_THROWS_WITH(parse_idx(read_file(corpus_dir() / "images_truncated"), "t",
                              xgrad::data::kIdxImagesMagic),
                    Contains("truncated"));
  CHECK_THROWS_WITH(parse_idx(read_file(corpus_dir() / "wrong_magic"), "w",
                              xgrad::data::kIdxImagesMagic),
                    Contains("wrong magic"));
}
