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

/// A file opened for reading at given offsets, straight into the caller's memory (no stream
/// buffer, no intermediate copy): what a loader uses to read an array into its own buffer.
class InputFile {
public:
  /// Opens `path`; "<kind> file '<path>': cannot open: <reason>" if it cannot.
  InputFile(const std::string& kind, const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// The file's size when it was opened.
  std::size_t size() const { return size_; }
  /// Reads exactly `n` bytes at `offset` into `dst`; a read error or a file that ends early
  /// (it shrank since it was opened) throws, naming the file.
  void read(std::size_t offset, void* dst, std::size_t n) const;

private:
  std::string kind_, path_;
  int fd_ = -1;
  std::size_t size_ = 0;
};

/// Inflates `size` bytes: `window_bits` 15 + 16 for gzip, -15 for raw deflate (zip entries).
/// `expected` (when not -1) is the exact output size; more or less is an error.
std::vector<char> inflate(const char* data, std::size_t size, int window_bits,
                          std::size_t expected, const std::string& kind, const std::string& path);

}  // namespace xgrad::data::detail
