// Writes the fuzzers' seed corpus: a few tiny valid and invalid idx files and checkpoints.
// usage: make_corpus CORPUS_DIR   (writes CORPUS_DIR/idx/* and CORPUS_DIR/checkpoint/*)
// The corpus is not committed: the build runs this program (target fuzz_corpus) into
// <build>/fuzz-corpus, again whenever this program changes. The suite replays it
// (tests/data/test_idx_corpus.cpp, tests/io/test_checkpoint_corpus.cpp) and
// tests/fuzz/run_fuzzers.sh seeds the fuzzers from it. A crashing input the fuzzers find
// becomes a seed here, as its bytes (see "Reproducers" below), so the suite replays it.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>

#include "checkpoint_harness.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

void put_be32(Bytes& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(std::uint8_t(v >> s));
}

Bytes idx(std::uint32_t magic, const std::vector<std::uint32_t>& dims, std::size_t payload) {
  Bytes out;
  put_be32(out, magic);
  for (auto d : dims) put_be32(out, d);
  for (std::size_t i = 0; i < payload; ++i) out.push_back(std::uint8_t(i * 37 % 10));
  return out;
}

Bytes gzip(const Bytes& raw) {
  uLongf cap = compressBound(uLong(raw.size())) + 32;
  Bytes out(cap);
  z_stream s{};
  deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  s.next_in = const_cast<Bytes::value_type*>(raw.data());
  s.avail_in = uInt(raw.size());
  s.next_out = out.data();
  s.avail_out = uInt(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

Bytes read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& p, const Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  if (!out.flush()) {  // it runs in the build: a seed it could not write fails the build
    std::fprintf(stderr, "make_corpus: cannot write %s\n", p.c_str());
    std::exit(1);
  }
  std::printf("%s (%zu bytes)\n", p.c_str(), b.size());
}

Bytes safetensors(const std::string& header, std::size_t data_bytes) {
  Bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(std::uint8_t(std::uint64_t(header.size()) >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_bytes, 0);
  return out;
}

Bytes saved(const xgrad::nn::Module& m, const fs::path& scratch) {
  xgrad::io::save(m, scratch.string());
  Bytes b = read(scratch);
  fs::remove(scratch);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path i = root / "idx", c = root / "checkpoint";
  fs::create_directories(i);
  fs::create_directories(c);

  const Bytes labels = idx(2049, {5}, 5);
  const Bytes images = idx(2051, {2, 3, 3}, 18);
  write(i / "labels_valid", labels);
  write(i / "images_valid", images);
  write(i / "labels_valid.gz", gzip(labels));
  write(i / "images_valid.gz", gzip(images));
  write(i / "images_truncated", Bytes(images.begin(), images.end() - 3));
  Bytes trailing = labels;
  trailing.push_back(7);
  write(i / "labels_trailing", trailing);
  write(i / "images_zero_dim", idx(2051, {0, 3, 3}, 0));
  write(i / "wrong_magic", idx(0x0c03, {1, 1, 1}, 1));
  write(i / "header_only", idx(2051, {}, 0));
  const Bytes gz = gzip(images);
  write(i / "gzip_truncated.gz", Bytes(gz.begin(), gz.begin() + long(gz.size() / 2)));

  const fs::path scratch = root / ".scratch.safetensors";
  auto model = xgrad::fuzz::make_checkpoint_model(1);
  const Bytes valid = saved(*model, scratch);
  write(c / "valid.safetensors", valid);
  write(c / "truncated.safetensors", Bytes(valid.begin(), valid.end() - 4));
  Bytes bad_json = valid;
  bad_json[9] = ';';
  write(c / "bad_json.safetensors", bad_json);
  xgrad::nn::Sequential other;  // same names, other shapes
  other.add(xgrad::nn::Dense(2, 4));
  other.add(xgrad::nn::BatchNorm(4));
  other.add(xgrad::nn::Dense(4, 2));
  write(c / "wrong_shapes.safetensors", saved(other, scratch));
  write(c / "empty_header.safetensors", safetensors("{}      ", 0));
  write(c / "i32.safetensors",
        safetensors("{\"0.bias\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[0,12]}}", 12));

  // Reproducers: inputs the fuzzers crashed on (BUILD_DIR/fuzz-artifacts/<target>-crash-*),
  // written byte for byte into the target's folder (idx: i, checkpoint: c). `xxd -i FILE`
  // prints the bytes in this form, e.g.
  //   write(i / "crash_<what_it_broke>", Bytes{0x00, 0x00, 0x08, 0x03, ...});
  return 0;
}
