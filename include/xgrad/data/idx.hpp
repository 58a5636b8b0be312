#pragma once
/// \file
/// Reading idx files (the MNIST / Fashion-MNIST container format), gzip-compressed or raw.
///
/// An idx file is a 4-byte magic (two zero bytes, a type code, the number of dimensions), one
/// big-endian uint32 per dimension, then the elements in row-major order. Only the unsigned
/// byte type (0x08) is supported, which is what MNIST uses: magic 2049 (0x00000801) for the
/// 1-d label files, 2051 (0x00000803) for the 3-d image files.
///
/// Files starting with the gzip magic 1f 8b are decompressed with zlib; anything else is
/// read as-is. Every error is a std::runtime_error whose message names the file and says what
/// is wrong (missing, wrong magic, bad dimensions, truncated, trailing bytes).
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

///@{
/// Magic numbers of the two idx variants MNIST uses: labels (1-d) and images (3-d).
inline constexpr std::uint32_t kIdxLabelsMagic = 2049;  // 0x00000801: ubyte, 1 dimension
inline constexpr std::uint32_t kIdxImagesMagic = 2051;  // 0x00000803: ubyte, 3 dimensions
///@}

/// The decoded contents of an idx file of unsigned bytes.
struct IdxFile {
  /// The file it was read from.
  std::string path;
  /// The magic number (kIdxLabelsMagic or kIdxImagesMagic).
  std::uint32_t magic = 0;
  /// Size of each dimension, all non-zero.
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;  ///< product(dims) bytes, row-major
};

/// The whole content of `path`, gunzipped when it starts with 1f 8b. Throws std::runtime_error
/// naming the file when it cannot be opened or the gzip stream is corrupt or cut short.
std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path);

/// True when the file exists and starts with the gzip magic 1f 8b.
bool is_gzip_file(const std::string& path);

/// Parses an idx file of unsigned bytes, checking the magic against `expected_magic`, every
/// dimension is non-zero and the file length is exactly header + product(dims).
IdxFile read_idx(const std::string& path, std::uint32_t expected_magic);

/// Parses idx bytes already in memory; `path` is only used in error messages.
IdxFile parse_idx(std::vector<std::uint8_t> bytes, const std::string& path,
                  std::uint32_t expected_magic);

/// An idx1 label file as an array of shape [N].
xt::xarray<std::uint8_t> read_idx_labels(const std::string& path);

/// An idx3 image file as an array of shape [N, rows, cols] (raw bytes, not scaled).
xt::xarray<std::uint8_t> read_idx_images(const std::string& path);

}  // namespace xgrad::data
