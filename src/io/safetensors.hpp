#pragma once
// Private: reading and writing the safetensors container (no Module knowledge here).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/shape.hpp"

namespace xgrad::io::detail {

struct SafetensorsEntry {
  std::string name;
  std::string dtype;
  Shape shape;
  std::uint64_t begin = 0;  // byte offsets into the data section
  std::uint64_t end = 0;
};

struct SafetensorsFile {
  std::vector<SafetensorsEntry> entries;  // in header order
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<unsigned char> bytes;  // the whole file
  std::size_t data_start = 0;        // 8 + header length
};

/// Size in bytes of one element of a safetensors dtype ("F32" -> 4); 0 if unknown.
std::size_t dtype_size(const std::string& dtype);

/// Reads and fully validates a safetensors file. Throws std::runtime_error("<path>: ...").
SafetensorsFile read_safetensors(const std::string& path);
/// The same for the bytes of a file already in memory; `path` only names it in errors.
SafetensorsFile parse_safetensors(std::vector<unsigned char> bytes, const std::string& path);

/// A tensor to write: `size` elements of `dtype` ("F32" or "F64") at `data`.
struct TensorView {
  std::string name;
  Shape shape;
  const void* data;
  std::size_t size;
  const char* dtype;
};

/// The safetensors dtype of float ("F32") and double ("F64").
template <class T>
constexpr const char* dtype_of() {
  return sizeof(T) == 8 ? "F64" : "F32";
}

/// Serialises tensors (in the given order) with `metadata`.
std::vector<unsigned char> encode_safetensors(
    const std::vector<TensorView>& tensors,
    const std::vector<std::pair<std::string, std::string>>& metadata);

/// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename,
/// fsync of the directory). Throws std::runtime_error naming the file.
void write_file_atomic(const std::string& path, const std::vector<unsigned char>& bytes);

/// Host is little-endian.
bool host_is_little_endian();

}  // namespace xgrad::io::detail
