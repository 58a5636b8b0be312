// idx reader: raw and gzip files, and every kind of broken file.
#include <catch2/catch.hpp>
#include <xgrad/data/idx.hpp>

#include "data/idx_fixtures.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;
using xgrad::test::TempDir;

TEST_CASE("idx: reads raw and gzip image and label files alike", "[data][idx]") {
  TempDir tmp;
  const bool gzip = GENERATE(false, true);
  const std::string images = tmp / (gzip ? "img.gz" : "img");
  const std::string labels = tmp / (gzip ? "lbl.gz" : "lbl");
  auto write = gzip ? test::write_gzip : test::write_raw;
  write(images, test::images_file(7, 3, 4));
  write(labels, test::labels_file(7));

  CHECK(data::is_gzip_file(images) == gzip);
  auto img = data::read_idx_images(images);
  REQUIRE(img.shape() == std::vector<std::size_t>{7, 3, 4});
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t r = 0; r < 3; ++r)
      for (std::size_t c = 0; c < 4; ++c) CHECK(img(i, r, c) == test::pixel(i, r * 4 + c));
  auto lbl = data::read_idx_labels(labels);
  REQUIRE(lbl.shape() == std::vector<std::size_t>{7});
  for (std::size_t i = 0; i < 7; ++i) CHECK(lbl(i) == test::label_of(i));

  auto file = data::read_idx(images, data::kIdxImagesMagic);
  CHECK(file.magic == 2051u);
  CHECK(file.dims == std::vector<std::size_t>{7, 3, 4});
  CHECK(file.data.size() == 7u * 3 * 4);
}

TEST_CASE("idx: gzip is detected by its magic bytes, not by the file name", "[data][idx]") {
  TempDir tmp;
  test::write_raw(tmp / "raw-but-named.gz", test::labels_file(5));
  test::write_gzip(tmp / "gzip-but-named.idx", test::labels_file(5));
  CHECK(data::read_idx_labels(tmp / "raw-but-named.gz").size() == 5);
  CHECK(data::read_idx_labels(tmp / "gzip-but-named.idx").size() == 5);
}

TEST_CASE("idx: a missing file is an error naming it", "[data][idx][errors]") {
  TempDir tmp;
  const std::string path = tmp / "no-such-file.gz";
  REQUIRE_THROWS_AS(data::read_idx_labels(path), std::runtime_error);
  REQUIRE_THROWS_WITH(data::read_idx_labels(path),
                      Contains(path) && Contains("cannot open"));
}

TEST_CASE("idx: a directory is an error naming it, not std::bad_alloc", "[data][idx][errors]") {
  TempDir tmp;
  const std::string dir = tmp.path().string();
  // It used to open fine, report an absurd size and fail to allocate it.
  REQUIRE_THROWS_AS(data::read_idx_labels(dir), std::runtime_error);
  REQUIRE_THROWS_WITH(data::read_idx_labels(dir), Contains(dir) && Contains("is a directory"));
}

TEST_CASE("idx: a wrong magic number is an error naming the file", "[data][idx][errors]") {
  TempDir tmp;
  const std::string path = tmp / "bad-magic";
  test::write_raw(path, test::idx_bytes(0x00000c03, {1, 2, 2}, {1, 2, 3, 4}));
  REQUIRE_THROWS_WITH(data::read_idx_images(path),
                      Contains(path) && Contains("wrong magic") && Contains("2051"));

  SECTION("labels read as images (swapped paths) say so") {
    const std::string labels = tmp / "labels.gz";
    test::write_gzip(labels, test::labels_file(3));
    REQUIRE_THROWS_WITH(data::read_idx_images(labels),
                        Contains(labels) && Contains("2049") && Contains("swapped"));
  }
  SECTION("a file that is not idx at all") {
    const std::string text = tmp / "notes.txt";
    test::write_raw(text, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
    REQUIRE_THROWS_WITH(data::read_idx_labels(text), Contains(text) && Contains("wrong magic"));
  }
}

TEST_CASE("idx: truncated files are errors naming the file", "[data][idx][errors]") {
  TempDir tmp;
  auto bytes = test::images_file(4, 5, 5);

  SECTION("data cut short, raw and gzip") {
    const bool gzip = GENERATE(false, true);
    const std::string path = tmp / (gzip ? "short.gz" : "short");
    auto cut = bytes;
    cut.resize(cut.size() - 3);
    (gzip ? test::write_gzip : test::write_raw)(path, cut);
    REQUIRE_THROWS_WITH(data::read_idx_images(path),
                        Contains(path) && Contains("truncated") && Contains("100 data bytes") &&
                            Contains("only 97"));
  }
  SECTION("header cut short") {
    const std::string path = tmp / "short-header";
    test::write_raw(path, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 10));
    REQUIRE_THROWS_WITH(data::read_idx_images(path),
                        Contains(path) && Contains("truncated header"));
  }
  SECTION("fewer than four bytes") {
    const std::string path = tmp / "tiny";
    test::write_raw(path, {0, 0});
    REQUIRE_THROWS_WITH(data::read_idx_images(path), Contains(path) && Contains("too short"));
  }
  SECTION("empty file") {
    const std::string path = tmp / "empty";
    test::write_raw(path, {});
    REQUIRE_THROWS_WITH(data::read_idx_labels(path), Contains(path) && Contains("too short"));
  }
  SECTION("gzip stream itself cut short (download interrupted)") {
    const std::string full = tmp / "full.gz";
    test::write_gzip(full, test::images_file(50));
    auto gz = test::read_raw(full);
    const std::string path = tmp / "cut.gz";
    test::write_raw(path, std::vector<std::uint8_t>(gz.begin(), gz.begin() + gz.size() / 2));
    REQUIRE_THROWS_WITH(data::read_idx_images(path), Contains(path) && Contains("truncated"));
  }
  SECTION("corrupt gzip stream") {
    const std::string full = tmp / "full.gz";
    test::write_gzip(full, test::images_file(50));
    auto gz = test::read_raw(full);
    for (std::size_t i = 20; i < gz.size() - 20; i += 7) gz[i] ^= 0x5a;
    const std::string path = tmp / "corrupt.gz";
    test::write_raw(path, gz);
    REQUIRE_THROWS_WITH(data::read_idx_images(path), Contains(path));
  }
}

TEST_CASE("idx: trailing bytes are an error naming the file", "[data][idx][errors]") {
  TempDir tmp;
  const bool gzip = GENERATE(false, true);
  const std::string path = tmp / (gzip ? "long.gz" : "long");
  auto bytes = test::labels_file(6);
  bytes.push_back(0);
  bytes.push_back(0);
  (gzip ? test::write_gzip : test::write_raw)(path, bytes);
  REQUIRE_THROWS_WITH(data::read_idx_labels(path),
                      Contains(path) && Contains("2 trailing bytes") && Contains("expected 14"));
}

TEST_CASE("idx: a .gz that expands far past its declared size stops early, naming the file",
          "[data][idx][errors]") {
  // 14 bytes declared (6 labels), 8 MB of zeros after them: about 8 KB of gzip. Reading stops a
  // chunk (1 MB) past the declared size instead of decompressing everything.
  TempDir tmp;
  const std::string path = tmp / "bomb.gz";
  auto bytes = test::labels_file(6);
  bytes.resize(bytes.size() + (std::size_t(8) << 20), 0);
  test::write_gzip(path, bytes);
  REQUIRE_THROWS_WITH(data::read_idx_labels(path), Contains(path) && Contains("far past the 14") &&
                                                       Contains("stopped reading"));
}

TEST_CASE("idx: a zero dimension is an error naming the file", "[data][idx][errors]") {
  TempDir tmp;
  const std::string path = tmp / "zero-rows";
  test::write_raw(path, test::idx_bytes(2051, {3, 0, 28}, {}));
  REQUIRE_THROWS_WITH(data::read_idx_images(path),
                      Contains(path) && Contains("dimension 1 is zero"));
}

TEST_CASE("idx: parse_idx works on bytes in memory", "[data][idx]") {
  auto f = data::parse_idx(test::labels_file(3), "<memory>", data::kIdxLabelsMagic);
  CHECK(f.path == "<memory>");
  CHECK(f.dims == std::vector<std::size_t>{3});
  CHECK(f.data == test::label_data(3));
}
