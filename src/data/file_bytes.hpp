#pragma once
// Whole-file reads and zlib inflation for the loaders; every error names the file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xgrad::data::detail {

/// Throws std::runtime_error("<kind> file '<path>': <what>").
[[noreturn]] void file_error(const std::string& kind, const std::string& path,
                             const std::string& what);

/// The file's bytes; gunzipped when `gunzip` is set and it starts with 1f 8b.
std::vector<char> read_file(const std::string& kind, const std::string& path, bool gunzip);

/// Inflates `size` bytes: `window_bits` 15 + 16 for gzip, -15 for raw deflate (zip entries).
/// `expected` (when not -1) is the exact output size; more or less is an error.
std::vector<char> inflate(const char* data, std::size_t size, int window_bits,
                          std::size_t expected, const std::string& kind, const std::string& path);

}  // namespace xgrad::data::detail
