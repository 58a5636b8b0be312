#pragma once
// What fuzz_idx does with one input, shared with the suite's corpus test
// (tests/data/test_idx_corpus.cpp) so that every reproducer keeps being replayed.
//
// Contract under test: any byte string either loads as an idx file or is refused with a
// std::runtime_error. Any other exception escapes (std::terminate: the fuzzer reports a
// crash); a crash, leak or hang is caught by the sanitizers and libFuzzer.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <xgrad/data/idx.hpp>

namespace xgrad::fuzz {

/// Aborts (a finding) when a loaded file breaks the loader's own promises.
inline void check_loaded(const data::IdxFile& idx, std::uint32_t magic) {
  std::uint64_t count = 1;
  for (auto d : idx.dims) count *= d;
  if (idx.dims.size() != (magic & 0xffu) || idx.data.size() != count) {
    std::fprintf(stderr, "idx: loaded %zu dimensions and %zu bytes, inconsistent with magic %u\n",
                 idx.dims.size(), idx.data.size(), magic);
    std::abort();
  }
}

/// Parses `bytes` as a label file and as an image file, in memory; gzip input also goes
/// through the file reader (the gzip path exists only for files).
inline void feed_idx(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  for (std::uint32_t magic : {data::kIdxLabelsMagic, data::kIdxImagesMagic}) {
    try {
      check_loaded(data::parse_idx(bytes, "fuzz input", magic), magic);
    } catch (const std::runtime_error&) {
      // A clean refusal.
    }
  }
  if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) return;
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/xgrad_fuzz_idx_" +
                           std::to_string(::getpid()) + ".gz";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    const bool ok = std::fwrite(data, 1, size, f) == size;
    std::fclose(f);
    if (ok) {
      try {
        (void)data::read_idx_images(path);
      } catch (const std::runtime_error&) {
      }
      try {
        (void)data::read_idx_labels(path);
      } catch (const std::runtime_error&) {
      }
    }
    std::remove(path.c_str());
  }
}

}  // namespace xgrad::fuzz
