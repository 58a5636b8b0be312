#pragma once
// The fuzzers' seed corpus, written at build time by tests/fuzz/make_corpus.cpp into
// <build>/fuzz-corpus/<target> (XGRAD_FUZZ_CORPUS_DIR, set by tests/CMakeLists.txt); the corpus
// tests replay it.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef XGRAD_FUZZ_CORPUS_DIR
#error "XGRAD_FUZZ_CORPUS_DIR (the generated seed corpus) is set by tests/CMakeLists.txt"
#endif

namespace xgrad::test {

inline const char* const kHowCorpusIsMade =
    "the seed corpus is written at build time by make_corpus (tests/fuzz/make_corpus.cpp): "
    "build xgrad_tests, or run cmake --build <build dir> --target fuzz_corpus";

/// The corpus folder of one fuzz target ("idx" or "checkpoint"); fails the test, saying how the
/// corpus is made, when it is missing.
inline std::filesystem::path corpus_dir(const std::string& target) {
  const auto dir = std::filesystem::path(XGRAD_FUZZ_CORPUS_DIR) / target;
  INFO(dir.string() << " is missing; " << kHowCorpusIsMade);
  REQUIRE(std::filesystem::is_directory(dir));
  return dir;
}

/// A corpus file's bytes; fails the test when it is missing.
inline std::vector<std::uint8_t> read_corpus_file(const std::filesystem::path& p) {
  INFO(p.string() << " is missing; " << kHowCorpusIsMade);
  REQUIRE(std::filesystem::is_regular_file(p));
  std::ifstream in(p, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace xgrad::test
