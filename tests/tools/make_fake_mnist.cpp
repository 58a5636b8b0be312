// Writes a small, learnable stand-in for MNIST (gzip idx files, MNIST's names and sizes) so the
// examples can be run by the suite without the real data set.
// usage: make_fake_mnist OUT_DIR [TRAIN_COUNT TEST_COUNT]
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<unsigned char>(v >> s));
}

bool write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb1");
  if (!f) return false;
  bool ok = gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size());
  return gzclose(f) == Z_OK && ok;
}

// Digit k lights a 7x7 block whose position depends on k, plus noise: easy but not trivial.
bool write_split(const std::string& dir, const std::string& prefix, std::uint32_t n,
                 std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> label_dist(0, 9), noise(0, 60);
  std::vector<unsigned char> images, labels;
  put_u32(images, 2051), put_u32(images, n), put_u32(images, 28), put_u32(images, 28);
  put_u32(labels, 2049), put_u32(labels, n);
  for (std::uint32_t i = 0; i < n; ++i) {
    int k = label_dist(rng);
    labels.push_back(static_cast<unsigned char>(k));
    int r0 = 2 + (k / 4) * 8, c0 = 2 + (k % 4) * 6;
    for (int r = 0; r < 28; ++r) {
      for (int c = 0; c < 28; ++c) {
        bool on = r >= r0 && r < r0 + 7 && c >= c0 && c < c0 + 7;
        images.push_back(static_cast<unsigned char>(on ? 255 - noise(rng) : noise(rng) / 4));
      }
    }
  }
  return write_gz(dir + "/" + prefix + "-images-idx3-ubyte.gz", images) &&
         write_gz(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [TRAIN_COUNT TEST_COUNT]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::uint32_t train = argc > 2 ? std::uint32_t(std::atol(argv[2])) : 60000;
  const std::uint32_t test = argc > 3 ? std::uint32_t(std::atol(argv[3])) : 10000;
  std::filesystem::create_directories(dir);
  if (!write_split(dir, "train", train, 1) || !write_split(dir, "t10k", test, 2)) {
    std::fprintf(stderr, "make_fake_mnist: cannot write into %s\n", dir.c_str());
    return 1;
  }
  return 0;
}
