#include "xgrad/data/idx.hpp"


#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <stdexcept>

#include "check.hpp"

namespace xgrad::data {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("idx file '" + path + "': " + what);
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string describe_magic(std::uint32_t magic) {
  if (magic == kIdxLabelsMagic) return "idx1 ubyte, a label file";
  if (magic == kIdxImagesMagic) return "idx3 ubyte, an image file";
  return "idx ubyte";
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

std::vector<std::uint8_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::streamoff size = in.tellg();
  if (size < 0) fail(path, "cannot determine its size");
  std::vector<std::uint8_t> bytes;
  try {
    bytes.resize(static_cast<std::size_t>(size));
  } catch (const std::bad_alloc&) {
    fail(path, "too large to read into memory (" + std::to_string(size) + " bytes)");
  }
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
    fail(path, "read error");
  }
  return bytes;
}

constexpr std::uint64_t kUnknownSize = std::numeric_limits<std::uint64_t>::max();

/// Header plus data bytes an idx file declares, from its first bytes; kUnknownSize while the
/// header is incomplete (or when its dimensions overflow).
std::uint64_t declared_size(const std::vector<std::uint8_t>& head) {
  if (head.size() < 4) return kUnknownSize;
  const std::size_t header = 4 + 4 * std::size_t(head[3]);
  if (head.size() < header) return kUnknownSize;
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < head[3]; ++d) {
    const std::uint64_t n = read_be32(head.data() + 4 + 4 * d);
    if (n != 0 && count > (kUnknownSize - header) / n) return kUnknownSize;
    count *= n;
  }
  return header + count;
}

std::vector<std::uint8_t> read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail(path, std::string("cannot open with zlib: ") + std::strerror(errno));
  struct Closer {
    gzFile f;
    ~Closer() { gzclose(f); }
  } closer{f};
  gzbuffer(f, 1u << 18);
  std::vector<std::uint8_t> out;
  constexpr unsigned kChunk = 1u << 20;
  // The idx header says how many bytes the file holds: decompress at most a chunk past that,
  // so that a small corrupt or hostile .gz cannot expand into gigabytes. (Up to a chunk more is
  // read so that parse_idx can report a few trailing bytes exactly.)
  std::uint64_t declared = kUnknownSize;
  for (;;) {
    if (declared == kUnknownSize) declared = declared_size(out);
    if (declared != kUnknownSize && out.size() > declared + kChunk) {
      fail(path, "decompresses to more than " + std::to_string(out.size()) + " bytes, far past the " +
                     std::to_string(declared) + " its header declares; stopped reading");
    }
    std::size_t old = out.size();
    try {
      out.resize(old + kChunk);
    } catch (const std::bad_alloc&) {
      fail(path, "too large to decompress into memory (over " + std::to_string(old) + " bytes)");
    }
    int n = gzread(f, out.data() + old, kChunk);
    if (n < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      fail(path, std::string("corrupt gzip data: ") + (msg ? msg : "unknown zlib error"));
    }
    out.resize(old + static_cast<std::size_t>(n));
    if (n == 0) break;
  }
  int errnum = Z_OK;
  const char* msg = gzerror(f, &errnum);
  if (errnum == Z_BUF_ERROR) {
    fail(path, "the gzip stream is truncated (unexpected end of file after " +
                   std::to_string(out.size()) + " decompressed bytes)");
  }
  if (errnum != Z_OK && errnum != Z_STREAM_END) {
    fail(path, std::string("corrupt gzip data: ") + (msg ? msg : "unknown zlib error"));
  }
  out.shrink_to_fit();
  return out;
}

}  // namespace

bool is_gzip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  if (!in.read(reinterpret_cast<char*>(magic), 2)) return false;
  return magic[0] == 0x1f && magic[1] == 0x8b;
}

std::vector<std::uint8_t> read_maybe_gzipped(const std::string& path) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) fail(path, std::string("cannot open: ") + std::strerror(errno));
  }
  // A directory opens fine and reports an absurd size: say what it is instead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not an idx file");
  return is_gzip_file(path) ? read_gzip(path) : read_raw(path);
}

IdxFile parse_idx(std::vector<std::uint8_t> bytes, const std::string& path,
                  std::uint32_t expected_magic) {
  const std::size_t size = bytes.size();
  if (size < 4) {
    fail(path, "too short for an idx header (" + std::to_string(size) + " bytes)");
  }
  const std::uint32_t magic = read_be32(bytes.data());
  if (magic != expected_magic) {
    std::string msg = "wrong magic number " + std::to_string(magic) + " (" + hex32(magic) +
                      "); expected " + std::to_string(expected_magic) + " (" +
                      hex32(expected_magic) + ", " + describe_magic(expected_magic) + ")";
    if (magic == kIdxLabelsMagic || magic == kIdxImagesMagic) {
      msg += std::string("; this is ") +
             (magic == kIdxLabelsMagic ? "a label file" : "an image file") +
             " - are the image and label paths swapped?";
    }
    fail(path, msg);
  }
  const std::size_t ndims = magic & 0xffu;
  const std::size_t header = 4 + 4 * ndims;
  if (size < header) {
    fail(path, "truncated header: " + std::to_string(ndims) + " dimensions need " +
                   std::to_string(header) + " bytes, the file has " + std::to_string(size));
  }
  IdxFile idx;
  idx.path = path;
  idx.magic = magic;
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < ndims; ++d) {
    std::uint32_t n = read_be32(bytes.data() + 4 + 4 * d);
    idx.dims.push_back(n);
  }
  for (std::size_t d = 0; d < ndims; ++d) {
    if (idx.dims[d] == 0) {
      fail(path, "dimension " + std::to_string(d) + " is zero (dimensions " +
                     check::format_shape(idx.dims) + ")");
    }
    if (count > std::numeric_limits<std::uint64_t>::max() / idx.dims[d]) {
      fail(path, "dimensions " + check::format_shape(idx.dims) + " are too large");
    }
    count *= idx.dims[d];
  }
  const std::uint64_t payload = size - header;
  if (payload < count) {
    fail(path, "truncated: the header declares dimensions " + check::format_shape(idx.dims) + ", i.e. " +
                   std::to_string(count) + " data bytes, but only " + std::to_string(payload) +
                   " follow the " + std::to_string(header) + "-byte header");
  }
  if (payload > count) {
    fail(path, std::to_string(payload - count) + " trailing bytes after the " +
                   std::to_string(count) + " data bytes declared by dimensions " +
                   check::format_shape(idx.dims) + " (file length " + std::to_string(size) +
                   ", expected " + std::to_string(header + count) + ")");
  }
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  idx.data = std::move(bytes);
  return idx;
}

IdxFile read_idx(const std::string& path, std::uint32_t expected_magic) {
  return parse_idx(read_maybe_gzipped(path), path, expected_magic);
}

namespace {
xt::xarray<std::uint8_t> to_array(const IdxFile& idx) {
  xt::xarray<std::uint8_t> a = xt::xarray<std::uint8_t>::from_shape(idx.dims);
  if (!idx.data.empty()) std::memcpy(a.data(), idx.data.data(), idx.data.size());
  return a;
}
}  // namespace

xt::xarray<std::uint8_t> read_idx_labels(const std::string& path) {
  return to_array(read_idx(path, kIdxLabelsMagic));
}

xt::xarray<std::uint8_t> read_idx_images(const std::string& path) {
  return to_array(read_idx(path, kIdxImagesMagic));
}

}  // namespace xgrad::data
