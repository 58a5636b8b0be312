#pragma once
// Helpers for the data tests: a scratch folder and small idx files written on the fly.
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace xgrad::test {

/// A fresh folder under the system temp dir, removed with everything in it at scope exit.
class TempDir {
public:
  TempDir() {
    static std::atomic<int> counter{0};
    namespace fs = std::filesystem;
    path_ = fs::temp_directory_path() /
            ("xgrad_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

inline void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(std::uint8_t(v >> 24));
  out.push_back(std::uint8_t(v >> 16));
  out.push_back(std::uint8_t(v >> 8));
  out.push_back(std::uint8_t(v));
}

/// The bytes of an idx file: magic, one be32 per dimension, then `data`.
inline std::vector<std::uint8_t> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                           const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> out;
  put_be32(out, magic);
  for (auto d : dims) put_be32(out, d);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline void write_raw(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("test: cannot write " + path);
}

inline void write_gzip(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("test: cannot gzopen " + path);
  if (!bytes.empty() && gzwrite(f, bytes.data(), unsigned(bytes.size())) != int(bytes.size())) {
    gzclose(f);
    throw std::runtime_error("test: gzwrite failed for " + path);
  }
  gzclose(f);
}

inline std::vector<std::uint8_t> read_raw(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

/// Deterministic pixel bytes covering 0 and 255: pixel k of image i.
inline std::uint8_t pixel(std::size_t i, std::size_t k) {
  if (k == 0) return 0;
  if (k == 1) return 255;
  return std::uint8_t((i * 31 + k * 7) % 256);
}

/// A label for example i.
inline std::uint8_t label_of(std::size_t i) { return std::uint8_t((i * 3 + 1) % 10); }

inline std::vector<std::uint8_t> image_data(std::size_t n, std::size_t rows = 28,
                                            std::size_t cols = 28) {
  std::vector<std::uint8_t> v(n * rows * cols);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < rows * cols; ++k) v[i * rows * cols + k] = pixel(i, k);
  return v;
}

inline std::vector<std::uint8_t> label_data(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = label_of(i);
  return v;
}

inline std::vector<std::uint8_t> images_file(std::size_t n, std::size_t rows = 28,
                                             std::size_t cols = 28) {
  return idx_bytes(2051, {std::uint32_t(n), std::uint32_t(rows), std::uint32_t(cols)},
                   image_data(n, rows, cols));
}

inline std::vector<std::uint8_t> labels_file(std::size_t n) {
  return idx_bytes(2049, {std::uint32_t(n)}, label_data(n));
}

/// Writes the four MNIST files (gzip unless `gzip` is false) with `n_train` training and
/// `n_test` test examples into `dir`.
inline void write_mnist_dir(const std::string& dir, std::size_t n_train, std::size_t n_test,
                            bool gzip = true) {
  auto w = [&](const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string p = dir + "/" + name;
    if (gzip) write_gzip(p + ".gz", bytes);
    else write_raw(p, bytes);
  };
  std::filesystem::create_directories(dir);
  w("train-images-idx3-ubyte", images_file(n_train));
  w("train-labels-idx1-ubyte", labels_file(n_train));
  // The test files are offset so that they differ from the training files.
  std::vector<std::uint8_t> test_labels(n_test);
  for (std::size_t i = 0; i < n_test; ++i) test_labels[i] = label_of(i + 1);
  w("t10k-images-idx3-ubyte", images_file(n_test));
  w("t10k-labels-idx1-ubyte", idx_bytes(2049, {std::uint32_t(n_test)}, test_labels));
}

/// Sets (or unsets, when value is null) an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      had_ = true;
      old_ = old;
    }
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_) ::setenv(name_.c_str(), old_.c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace xgrad::test
