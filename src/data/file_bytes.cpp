#include "data/file_bytes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>
#include <stdexcept>

namespace xgrad::data::detail {

void file_error(const std::string& kind, const std::string& path, const std::string& what) {
  throw std::runtime_error(kind + " file '" + path + "': " + what);
}

InputFile::InputFile(const std::string& kind, const std::string& path) : kind_(kind), path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) file_error(kind, path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int e = errno;
    ::close(fd_);
    file_error(kind, path, std::string("cannot read: ") + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    file_error(kind, path, S_ISDIR(st.st_mode) ? "cannot read: it is a directory"
                                               : "cannot read: not a regular file");
  }
  size_ = std::size_t(st.st_size);
  // The loaders read front to back: let the kernel read ahead generously.
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::read(std::size_t offset, void* dst, std::size_t n) const {
  char* out = static_cast<char*>(dst);
  while (n > 0) {
    const ssize_t got = ::pread(fd_, out, n, off_t(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      file_error(kind_, path_, std::string("read error: ") + std::strerror(errno));
    }
    if (got == 0) {
      file_error(kind_, path_, "ends at byte " + std::to_string(offset) + ", " + std::to_string(n) +
                                   " bytes short (did it change while being read?)");
    }
    out += got;
    offset += std::size_t(got);
    n -= std::size_t(got);
  }
}

std::vector<char> read_file(const std::string& kind, const std::string& path, bool gunzip) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) file_error(kind, path, std::string("cannot open: ") + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) file_error(kind, path, "cannot determine its size");
  std::vector<char> bytes;
  try {
    bytes.resize(static_cast<std::size_t>(size));
  } catch (const std::bad_alloc&) {
    file_error(kind, path, "too large to read into memory (" + std::to_string(size) + " bytes)");
  }
  in.seekg(0);
  if (size > 0 && !in.read(bytes.data(), size)) file_error(kind, path, "read error");
  if (gunzip && bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    return inflate(bytes.data(), bytes.size(), 15 + 16, std::size_t(-1), kind, path);
  }
  return bytes;
}

std::vector<char> inflate(const char* data, std::size_t size, int window_bits,
                          std::size_t expected, const std::string& kind,
                          const std::string& path) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) file_error(kind, path, "zlib failed to start");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  const bool known = expected != std::size_t(-1);
  std::vector<char> out(known ? expected + 1 : std::max<std::size_t>(size * 4, 1 << 16));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  std::size_t in_left = size, produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (produced == out.size()) {
      if (known) break;  // more than the declared size: reported below
      out.resize(out.size() * 2);
    }
    const uInt in_chunk = uInt(std::min<std::size_t>(in_left, std::numeric_limits<uInt>::max()));
    const uInt out_chunk =
        uInt(std::min<std::size_t>(out.size() - produced, std::numeric_limits<uInt>::max()));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data + (size - in_left)));
    z.avail_in = in_chunk;
    z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.avail_out = out_chunk;
    rc = ::inflate(&z, Z_NO_FLUSH);
    in_left -= in_chunk - z.avail_in;
    produced += out_chunk - z.avail_out;
    if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR) {
      file_error(kind, path, std::string("corrupt compressed data: ") + (z.msg ? z.msg : "zlib error"));
    }
    if (rc == Z_BUF_ERROR && in_left == 0 && produced < out.size()) {
      file_error(kind, path, "the compressed stream is truncated (ends after " +
                                 std::to_string(produced) + " decompressed bytes)");
    }
  }
  if (known && produced != expected) {
    file_error(kind, path, "decompresses to " + std::string(produced > expected ? "more than " : "") +
                               std::to_string(produced) + " bytes, expected " +
                               std::to_string(expected));
  }
  out.resize(produced);
  return out;
}

}  // namespace xgrad::data::detail
