#include "io/safetensors.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace xgrad::io::detail {

namespace {

// NOTE: the reference implementation refuses headers above 100 MB; so do we.
constexpr std::uint64_t kMaxHeader = 100ull * 1000 * 1000;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("safetensors file '" + path + "': " + what);
}

std::uint64_t read_u64_le(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void put_u64_le(std::vector<unsigned char>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

std::uint64_t checked_product(const Shape& shape, std::uint64_t elem, bool& overflow) {
  std::uint64_t n = elem;
  overflow = false;
  for (auto d : shape) {
    if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) {
      overflow = true;
      return 0;
    }
    n *= d;
  }
  return n;
}

}  // namespace

bool host_is_little_endian() {
  const std::uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

std::size_t dtype_size(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return 0;
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::vector<unsigned char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, std::string("cannot open for reading: ") + std::strerror(errno));
    // A directory opens fine and reports an absurd size: say what it is instead.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a checkpoint");
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    if (size < 0) fail(path, "cannot determine the file size");
    in.seekg(0, std::ios::beg);
    try {
      bytes.resize(std::size_t(size));
    } catch (const std::bad_alloc&) {
      fail(path, "too large to read into memory (" + std::to_string(size) + " bytes)");
    }
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) {
      fail(path, "read error");
    }
  }
  return parse_safetensors(std::move(bytes), path);
}

SafetensorsFile parse_safetensors(std::vector<unsigned char> bytes, const std::string& path) {
  SafetensorsFile f;
  f.bytes = std::move(bytes);
  const std::uint64_t file_size = f.bytes.size();
  if (file_size < 8) {
    fail(path, "truncated: " + std::to_string(file_size) +
                   " bytes, shorter than the 8-byte header length");
  }
  const std::uint64_t n = read_u64_le(f.bytes.data());
  if (n < 2 || n > kMaxHeader) {
    fail(path, "implausible header length " + std::to_string(n) + " (file is " +
                   std::to_string(file_size) + " bytes)");
  }
  if (n > file_size - 8) {
    fail(path, "truncated or bad header length: header claims " + std::to_string(n) +
                   " bytes but only " + std::to_string(file_size - 8) + " follow");
  }
  f.data_start = std::size_t(8 + n);
  const std::uint64_t data_size = file_size - 8 - n;
  const char* hb = reinterpret_cast<const char*>(f.bytes.data() + 8);
  if (hb[0] != '{') fail(path, "header does not start with '{'");

  // Parse, detecting duplicate top-level keys (nlohmann would keep only one).
  std::set<std::string> seen;
  std::string duplicate;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(
        hb, hb + n,
        [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
          if (ev == nlohmann::json::parse_event_t::key && depth == 1) {
            auto k = parsed.get<std::string>();
            if (!seen.insert(k).second && duplicate.empty()) duplicate = k;
          }
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) fail(path, "header names tensor '" + duplicate + "' twice");
  if (!header.is_object()) fail(path, "header is not a JSON object");

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = it.value();
    if (key == "__metadata__") {
      if (!v.is_object()) fail(path, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(path, "__metadata__ value '" + m.key() + "' is not a string");
        f.metadata.emplace_back(m.key(), m.value().get<std::string>());
      }
      continue;
    }
    const std::string where = "tensor '" + key + "': ";
    if (!v.is_object()) fail(path, where + "entry is not an object");
    for (auto m = v.begin(); m != v.end(); ++m) {
      if (m.key() != "dtype" && m.key() != "shape" && m.key() != "data_offsets") {
        fail(path, where + "unknown field '" + m.key() + "'");
      }
    }
    if (!v.contains("dtype") || !v["dtype"].is_string()) fail(path, where + "missing or non-string dtype");
    if (!v.contains("shape") || !v["shape"].is_array()) fail(path, where + "missing or non-array shape");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2) {
      fail(path, where + "data_offsets must be an array of two integers");
    }
    SafetensorsEntry e;
    e.name = key;
    e.dtype = v["dtype"].get<std::string>();
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) fail(path, where + "shape must hold non-negative integers");
      e.shape.push_back(d.get<std::size_t>());
    }
    for (const auto& d : v["data_offsets"]) {
      if (!d.is_number_unsigned()) fail(path, where + "data_offsets must be non-negative integers");
    }
    e.begin = v["data_offsets"][0].get<std::uint64_t>();
    e.end = v["data_offsets"][1].get<std::uint64_t>();
    const std::size_t es = dtype_size(e.dtype);
    if (es == 0) fail(path, where + "unknown dtype '" + e.dtype + "'");
    if (e.end < e.begin) fail(path, where + "data_offsets end before they begin");
    if (e.end > data_size) {
      fail(path, where + "data_offsets [" + std::to_string(e.begin) + ", " +
                     std::to_string(e.end) + "] out of range: the data section has " +
                     std::to_string(data_size) + " bytes (truncated file?)");
    }
    bool overflow = false;
    const std::uint64_t want = checked_product(e.shape, es, overflow);
    if (overflow || want != e.end - e.begin) {
      fail(path, where + "shape " + to_string(e.shape) + " of " + e.dtype + " needs " +
                     (overflow ? std::string("too many") : std::to_string(want)) +
                     " bytes, data_offsets give " + std::to_string(e.end - e.begin));
    }
    f.entries.push_back(std::move(e));
  }

  // The tensors must tile the data section exactly: no gap, no overlap, no trailing bytes.
  std::vector<const SafetensorsEntry*> order;
  for (const auto& e : f.entries) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t pos = 0;
  for (const auto* e : order) {
    if (e->begin < pos) fail(path, "tensor '" + e->name + "' overlaps the previous tensor's data");
    if (e->begin > pos) {
      fail(path, "gap in the data section before tensor '" + e->name + "' (bytes " +
                     std::to_string(pos) + " to " + std::to_string(e->begin) + ")");
    }
    pos = e->end;
  }
  if (pos != data_size) {
    fail(path, "the tensors cover " + std::to_string(pos) + " bytes but the data section has " +
                   std::to_string(data_size) + " (trailing bytes or wrong header length)");
  }
  return f;
}

std::vector<unsigned char> encode_safetensors(
    const std::vector<TensorView>& tensors,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& kv : metadata) meta[kv.first] = kv.second;
    header["__metadata__"] = meta;
  }
  std::uint64_t offset = 0;
  for (const auto& t : tensors) {
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    const std::uint64_t es = dtype_size(t.dtype);
    e["dtype"] = t.dtype;
    e["shape"] = t.shape;
    e["data_offsets"] = {offset, offset + es * std::uint64_t(t.size)};
    offset += es * std::uint64_t(t.size);
    header[t.name] = e;
  }
  std::string text = header.dump();
  // NOTE: pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  std::vector<unsigned char> out;
  out.reserve(8 + text.size() + offset);
  put_u64_le(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
  const bool le = host_is_little_endian();
  for (const auto& t : tensors) {
    const std::size_t es = dtype_size(t.dtype);
    const std::size_t start = out.size();
    out.resize(start + es * t.size);
    if (t.size == 0) continue;
    std::memcpy(out.data() + start, t.data, es * t.size);
    if (!le) {
      for (std::size_t k = 0; k < t.size; ++k) {
        std::reverse(&out[start + es * k], &out[start + es * k + es]);
      }
    }
  }
  return out;
}

void write_file_atomic(const std::string& path, const std::vector<unsigned char>& bytes) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) fail(path, "not a file name");
  std::string tmpl = dir + "/." + base + ".tmp.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) fail(path, std::string("cannot create a temporary file in '") + dir + "': " + std::strerror(errno));
  const std::string tmp(buf.data());
  auto abort_with = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what + ": " + std::strerror(err));
  };
  ::fchmod(fd, 0644);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      abort_with("write failed");
    }
    done += std::size_t(w);
  }
  if (::fsync(fd) != 0) abort_with("fsync failed");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, std::string("close failed: ") + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, std::string("rename from the temporary file failed: ") + std::strerror(err));
  }
  // Make the rename itself durable (best effort: some file systems refuse).
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace xgrad::io::detail
