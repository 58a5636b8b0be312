#include "xgrad/data/npy.hpp"

#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "data/file_bytes.hpp"

namespace xgrad::data {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  detail::file_error("npy", name, what);
}

std::string shape_str(const std::vector<std::size_t>& s) {
  std::ostringstream o;
  o << "(";
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << (s.size() == 1 ? ",)" : ")");
  return o.str();
}

/// Bytes per element of a supported dtype; 0 for an unsupported one.
std::size_t item_size(const std::string& dtype) {
  if (dtype.size() < 3) return 0;
  const char order = dtype[0], kind = dtype[1];
  const std::string width = dtype.substr(2);
  if (width != "1" && width != "2" && width != "4" && width != "8") return 0;
  const std::size_t n = std::size_t(width[0] - '0');
  if (!(order == '<' || (order == '|' && n == 1))) return 0;
  if (kind == 'f') return n == 4 || n == 8 ? n : 0;
  if (kind == 'i' || kind == 'u') return n;
  if (kind == 'b') return n == 1 ? 1 : 0;
  return 0;
}

/// The value of `key` in the header dict, as raw text up to the next top-level ',' or '}'.
std::string header_value(const std::string& header, const std::string& key,
                         const std::string& name) {
  const std::size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(name, "the header has no '" + key + "' (header: " + header + ")");
  std::size_t p = header.find(':', k);
  if (p == std::string::npos) fail(name, "malformed header: " + header);
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  std::size_t e = p;
  if (e < header.size() && header[e] == '(') {
    e = header.find(')', e);
    if (e == std::string::npos) fail(name, "malformed shape in header: " + header);
    ++e;
  } else if (e < header.size() && (header[e] == '\'' || header[e] == '"')) {
    e = header.find(header[p], e + 1);
    if (e == std::string::npos) fail(name, "malformed header: " + header);
    ++e;
  } else {
    while (e < header.size() && header[e] != ',' && header[e] != '}') ++e;
  }
  return header.substr(p, e - p);
}

std::vector<std::size_t> parse_shape(const std::string& text, const std::string& name) {
  std::vector<std::size_t> shape;
  std::size_t i = 1;  // past '('
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size() || text[i] == ')') break;
    std::size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i) fail(name, "malformed shape " + text);
    shape.push_back(std::stoull(text.substr(i, j - i)));
    i = j;
  }
  return shape;
}

std::uint32_t le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t(u[0]) | std::uint32_t(u[1]) << 8 | std::uint32_t(u[2]) << 16 |
         std::uint32_t(u[3]) << 24;
}
std::uint16_t le16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint16_t(u[0] | u[1] << 8);
}
std::uint64_t le64(const char* p) { return le32(p) | std::uint64_t(le32(p + 4)) << 32; }

template <class Out>
void convert(const std::string& dtype, const char* p, std::size_t n, Out* out) {
  const char kind = dtype[1];
  const std::size_t w = item_size(dtype);
  if constexpr (std::is_same_v<Out, float>) {
    if (kind == 'f' && w == 4) {  // the common case: one copy
      if (n) std::memcpy(out, p, n * sizeof(float));
      return;
    }
  }
  auto each = [&](auto tag) {
    using T = decltype(tag);
    for (std::size_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, p + i * sizeof(T), sizeof(T));
      out[i] = static_cast<Out>(v);
    }
  };
  if (kind == 'f') w == 4 ? each(float()) : each(double());
  else if (kind == 'b') each(std::uint8_t());
  else if (kind == 'i') {
    if (w == 1) each(std::int8_t());
    else if (w == 2) each(std::int16_t());
    else if (w == 4) each(std::int32_t());
    else each(std::int64_t());
  } else {
    if (w == 1) each(std::uint8_t());
    else if (w == 2) each(std::uint16_t());
    else if (w == 4) each(std::uint32_t());
    else each(std::uint64_t());
  }
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, std::string("cannot create: ") + std::strerror(errno));
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) fail(path, "write error");
}

template <class T>
std::string npy_bytes(const xt::xarray<T>& a, const char* dtype) {
  std::string header = "{'descr': '" + std::string(dtype) + "', 'fortran_order': False, 'shape': " +
                       shape_str(std::vector<std::size_t>(a.shape().begin(), a.shape().end())) +
                       ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(T));
  return out;
}

}  // namespace

std::size_t NpyArray::size() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}
bool NpyArray::is_float() const { return dtype.size() > 1 && dtype[1] == 'f'; }
bool NpyArray::is_integer() const {
  return dtype.size() > 1 && (dtype[1] == 'i' || dtype[1] == 'u' || dtype[1] == 'b');
}

namespace {

/// Checks the header and the data length; fills dtype and shape, returns the data offset.
/// `data` holds the first min(total, end of header) bytes of a file of `total` bytes.
std::size_t parse_header(const char* data, std::size_t total, const std::string& name, NpyArray& a) {
  const std::size_t size = total;  // the header checks below compare with the file's size
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0) {
    fail(name, "not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(data[6]);
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = le16(data + 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) fail(name, "truncated header");
    header_len = le32(data + 8);
    header_start = 12;
  } else {
    fail(name, "unsupported format version " + std::to_string(major));
  }
  if (header_start + header_len > size) {
    fail(name, "truncated header (" + std::to_string(header_len) + " header bytes declared, " +
                   std::to_string(size - header_start) + " present)");
  }
  const std::string header(data + header_start, header_len);
  std::string descr = header_value(header, "descr", name);
  if (descr.size() < 2 || (descr.front() != '\'' && descr.front() != '"')) {
    fail(name, "unsupported dtype " + descr + " (structured arrays are not supported)");
  }
  a.dtype = descr.substr(1, descr.size() - 2);
  if (item_size(a.dtype) == 0) {
    fail(name, "unsupported dtype '" + a.dtype +
                   "' (supported: little-endian bool, int8-64, uint8-64, float32, float64)");
  }
  const std::string fortran = header_value(header, "fortran_order", name);
  if (fortran == "True") fail(name, "Fortran-order arrays are not supported (save with C order)");
  if (fortran != "False") fail(name, "malformed fortran_order '" + fortran + "'");
  const std::string shape = header_value(header, "shape", name);
  if (shape.empty() || shape.front() != '(') fail(name, "malformed shape " + shape);
  a.shape = parse_shape(shape, name);
  const std::size_t need = a.size() * item_size(a.dtype);
  const std::size_t have = size - header_start - header_len;
  if (have < need) {
    fail(name, "truncated: shape " + shape_str(a.shape) + " of " + a.dtype + " needs " +
                   std::to_string(need) + " data bytes, the file has " + std::to_string(have));
  }
  if (have > need) {
    fail(name, std::to_string(have - need) + " trailing bytes after the " + std::to_string(need) +
                   " data bytes of shape " + shape_str(a.shape));
  }
  return header_start + header_len;
}

/// How many leading bytes parse_header needs: the header's end as the first 12 bytes
/// declare it (`prefix` holds min(file size, 12) of them), or 12 when they do not say.
std::size_t header_bytes(const char* prefix, std::size_t n) {
  if (n < 12 || std::memcmp(prefix, "\x93NUMPY", 6) != 0) return n;
  const int major = static_cast<unsigned char>(prefix[6]);
  if (major == 1) return 10 + std::size_t(le16(prefix + 8));
  if (major == 2 || major == 3) return 12 + std::size_t(le32(prefix + 8));
  return n;
}

/// Opens a `.npy` file and parses its header, reading only the header's bytes.
/// Returns the offset of the data, which runs to the end of the file.
std::size_t open_npy(const detail::InputFile& file, const std::string& path, NpyArray& a) {
  char prefix[12];
  const std::size_t n = std::min<std::size_t>(file.size(), sizeof prefix);
  file.read(0, prefix, n);
  const std::size_t end = std::min(file.size(), std::max(n, header_bytes(prefix, n)));
  std::vector<char> head(end);
  if (n > 0) std::memcpy(head.data(), prefix, n);  // an empty file: head.data() may be null
  if (end > n) file.read(n, head.data() + n, end - n);
  return parse_header(head.data(), file.size(), path, a);
}

/// Refuses uint64 values above INT64_MAX (in `count` little-endian elements at `p`).
void check_fits_int64(const char* p, std::size_t count, const std::string& name) {
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t v;
    std::memcpy(&v, p + 8 * i, 8);
    if (v > std::uint64_t(INT64_MAX)) fail(name, "uint64 value " + std::to_string(v) + " does not fit int64");
  }
}

/// A `.npy` file as an array of `Out`: read straight into the array when the file's dtype
/// is `native` (one read, no conversion), else read and converted element by element.
template <class Out>
xt::xarray<Out> load_npy_as(const std::string& path, const char* native) {
  detail::InputFile file("npy", path);
  NpyArray header;
  const std::size_t at = open_npy(file, path, header);
  if constexpr (std::is_same_v<Out, std::int64_t>) {
    if (!header.is_integer()) {
      fail(path, "wrong dtype '" + header.dtype + "': integer values (class ids) were expected");
    }
  }
  xt::xarray<Out> out = xt::xarray<Out>::from_shape(header.shape);
  const std::size_t bytes = file.size() - at;  // = elements * item size (parse_header checked)
  if (header.dtype == native) {
    file.read(at, out.data(), bytes);
    return out;
  }
  std::unique_ptr<char[]> raw(new char[bytes]);  // not zero-filled: read() fills every byte
  file.read(at, raw.get(), bytes);
  if (header.dtype == "<u8") check_fits_int64(raw.get(), header.size(), path);
  convert(header.dtype, raw.get(), header.size(), out.data());
  return out;
}

}  // namespace

NpyArray parse_npy(const char* data, std::size_t size, const std::string& name) {
  NpyArray a;
  const std::size_t at = parse_header(data, size, name, a);
  a.bytes.assign(data + at, data + size);
  return a;
}

NpyArray read_npy(const std::string& path) {
  detail::InputFile file("npy", path);
  NpyArray a;
  const std::size_t at = open_npy(file, path, a);
  a.bytes.resize(file.size() - at);
  file.read(at, a.bytes.data(), a.bytes.size());
  return a;
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  const std::vector<char> z = detail::read_file("npz", path, false);
  auto bad = [&](const std::string& what) { detail::file_error("npz", path, what); };
  // The end-of-central-directory record: the last "PK\5\6" within 64 KiB + 22 of the end.
  if (z.size() < 22) bad("not a zip archive (too short)");
  std::size_t eocd = std::string::npos;
  for (std::size_t i = z.size() - 22 + 1; i-- > 0 && z.size() - i <= 65536 + 22;) {
    if (le32(z.data() + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) bad("not a zip archive (no end-of-central-directory record; truncated?)");
  std::uint64_t entries = le16(z.data() + eocd + 10);
  std::uint64_t dir = le32(z.data() + eocd + 16);
  if (dir == 0xffffffffu || entries == 0xffff) {
    // Zip64: the locator sits just before the record and points at the zip64 record.
    if (eocd < 20 || le32(z.data() + eocd - 20) != 0x07064b50) bad("zip64 locator missing");
    const std::uint64_t rec = le64(z.data() + eocd - 20 + 8);
    if (rec + 56 > z.size() || le32(z.data() + rec) != 0x06064b50) bad("zip64 record missing");
    entries = le64(z.data() + rec + 32);
    dir = le64(z.data() + rec + 48);
  }
  std::map<std::string, NpyArray> out;
  std::size_t p = dir;
  for (std::uint64_t e = 0; e < entries; ++e) {
    if (p + 46 > z.size() || le32(z.data() + p) != 0x02014b50) bad("corrupt central directory");
    const std::uint16_t method = le16(z.data() + p + 10);
    std::uint64_t csize = le32(z.data() + p + 20), usize = le32(z.data() + p + 24);
    const std::uint16_t name_len = le16(z.data() + p + 28), extra_len = le16(z.data() + p + 30),
                        comment_len = le16(z.data() + p + 32);
    std::uint64_t local = le32(z.data() + p + 42);
    if (p + 46 + name_len + extra_len > z.size()) bad("corrupt central directory");
    const std::string entry(z.data() + p + 46, name_len);
    // Zip64 extra field: the 64-bit values of the fields set to 0xffffffff, in order.
    for (std::size_t x = p + 46 + name_len; x + 4 <= p + 46 + name_len + extra_len;) {
      const std::uint16_t id = le16(z.data() + x), len = le16(z.data() + x + 2);
      if (id == 0x0001) {
        std::size_t q = x + 4;
        if (usize == 0xffffffffu) { usize = le64(z.data() + q); q += 8; }
        if (csize == 0xffffffffu) { csize = le64(z.data() + q); q += 8; }
        if (local == 0xffffffffu) { local = le64(z.data() + q); }
      }
      x += 4 + len;
    }
    const std::string where = path + ": " + entry;
    if (local + 30 > z.size() || le32(z.data() + local) != 0x04034b50) {
      detail::file_error("npz", where, "corrupt local header");
    }
    const std::uint64_t data_at = local + 30 + le16(z.data() + local + 26) + le16(z.data() + local + 28);
    if (data_at + csize > z.size()) {
      detail::file_error("npz", where, "truncated entry (" + std::to_string(csize) +
                                           " bytes declared, " +
                                           std::to_string(z.size() - std::min<std::uint64_t>(data_at, z.size())) +
                                           " present)");
    }
    std::vector<char> raw;
    if (method == 0) {
      if (csize != usize) detail::file_error("npz", where, "stored entry with mismatched sizes");
      raw.assign(z.data() + data_at, z.data() + data_at + csize);
    } else if (method == 8) {
      raw = detail::inflate(z.data() + data_at, csize, -15, usize, "npz", where);
    } else {
      detail::file_error("npz", where, "compression method " + std::to_string(method) +
                                           " is not supported (stored or deflate only)");
    }
    if (crc32(0L, reinterpret_cast<const Bytef*>(raw.data()), uInt(raw.size())) !=
        le32(z.data() + p + 16)) {
      detail::file_error("npz", where, "CRC mismatch (corrupt entry)");
    }
    std::string key = entry;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    out[key] = parse_npy(raw.data(), raw.size(), where);
    p += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

xt::xarray<float> to_float(const NpyArray& a, const std::string& name) {
  xt::xarray<float> out = xt::xarray<float>::from_shape(a.shape);
  (void)name;
  convert(a.dtype, a.bytes.data(), a.size(), out.data());
  return out;
}

xt::xarray<std::int64_t> to_int64(const NpyArray& a, const std::string& name) {
  if (!a.is_integer()) {
    fail(name, "wrong dtype '" + a.dtype + "': integer values (class ids) were expected");
  }
  if (a.dtype == "<u8") check_fits_int64(a.bytes.data(), a.size(), name);
  xt::xarray<std::int64_t> out = xt::xarray<std::int64_t>::from_shape(a.shape);
  convert(a.dtype, a.bytes.data(), a.size(), out.data());
  return out;
}

xt::xarray<float> load_npy_float(const std::string& path) { return load_npy_as<float>(path, "<f4"); }
xt::xarray<std::int64_t> load_npy_int(const std::string& path) {
  return load_npy_as<std::int64_t>(path, "<i8");
}

TensorDataset load_npz_dataset(const std::string& path, const std::string& features_key,
                               const std::string& targets_key) {
  auto arrays = read_npz(path);
  auto entry = [&](const std::string& key) -> const NpyArray& {
    auto it = arrays.find(key);
    if (it == arrays.end()) {
      std::string known;
      for (const auto& [k, v] : arrays) known += (known.empty() ? "'" : ", '") + k + "'";
      detail::file_error("npz", path, "no array named '" + key + "' (it holds " + known + ")");
    }
    return it->second;
  };
  const NpyArray& x = entry(features_key);
  TensorDataset d;
  d.description = path;
  d.features = to_float(x, path + ": " + features_key);
  if (d.features.dimension() == 0) detail::file_error("npz", path, "'" + features_key + "' is a scalar, not [N, ...]");
  if (!targets_key.empty()) {
    const NpyArray& y = entry(targets_key);
    if (y.shape.empty() || y.shape[0] != x.shape[0]) {
      detail::file_error("npz", path, "'" + targets_key + "' has shape " + shape_str(y.shape) +
                                          ", '" + features_key + "' " + shape_str(x.shape) +
                                          ": the first axes differ");
    }
    if (y.is_integer()) {
      d = TensorDataset::classification(std::move(d.features), to_int64(y, path + ": " + targets_key),
                                        0, path);
    } else {
      d = TensorDataset::regression(std::move(d.features), to_float(y, path + ": " + targets_key), path);
    }
  }
  return d;
}

void save_npy(const std::string& path, const xt::xarray<float>& a) {
  write_file(path, npy_bytes(a, "<f4"));
}
void save_npy(const std::string& path, const xt::xarray<std::int64_t>& a) {
  write_file(path, npy_bytes(a, "<i8"));
}

void save_npz(const std::string& path, const TensorDataset& data) {
  std::vector<std::pair<std::string, std::string>> entries{{"x.npy", npy_bytes(data.features, "<f4")}};
  if (data.has_classes()) entries.emplace_back("y.npy", npy_bytes(data.classes, "<i8"));
  if (data.has_targets()) entries.emplace_back("y.npy", npy_bytes(data.targets, "<f4"));
  std::string out, dir;
  auto put16 = [](std::string& s, std::uint32_t v) { s += char(v & 0xff); s += char(v >> 8 & 0xff); };
  auto put32 = [&](std::string& s, std::uint32_t v) { put16(s, v & 0xffff); put16(s, v >> 16); };
  for (const auto& [name, bytes] : entries) {
    if (bytes.size() >= 0xffffffffu || out.size() >= 0xffffffffu) {
      fail(path, "arrays over 4 GiB need zip64, which save_npz does not write");
    }
    const std::uint32_t crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), uInt(bytes.size()));
    const std::uint32_t offset = std::uint32_t(out.size());
    // Local header: stored (method 0), sizes known up front.
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, 0);
    put16(out, 0); put16(out, 0x21);  // time, date (1980-01-01)
    put32(out, crc); put32(out, std::uint32_t(bytes.size())); put32(out, std::uint32_t(bytes.size()));
    put16(out, std::uint32_t(name.size())); put16(out, 0);
    out += name;
    out += bytes;
    put32(dir, 0x02014b50); put16(dir, 20); put16(dir, 20); put16(dir, 0); put16(dir, 0);
    put16(dir, 0); put16(dir, 0x21);
    put32(dir, crc); put32(dir, std::uint32_t(bytes.size())); put32(dir, std::uint32_t(bytes.size()));
    put16(dir, std::uint32_t(name.size())); put16(dir, 0); put16(dir, 0); put16(dir, 0);
    put16(dir, 0); put32(dir, 0); put32(dir, offset);
    dir += name;
  }
  const std::uint32_t dir_at = std::uint32_t(out.size());
  out += dir;
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
  put16(out, std::uint32_t(entries.size())); put16(out, std::uint32_t(entries.size()));
  put32(out, std::uint32_t(dir.size())); put32(out, dir_at); put16(out, 0);
  write_file(path, out);
}

}  // namespace xgrad::data
