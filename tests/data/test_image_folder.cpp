// load_image_folder: layout and order, PNG and JPEG, channels, sizes, and every kind of bad
// folder or file. Images are written by the tests with stb_image_write (Debian's libstb).
#include <stb/stb_image_write.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <xgrad/data/image_folder.hpp>

#include "data/idx_fixtures.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;
using xgrad::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Pixel (y, x, ch) of test image `id`: distinct values so that order and layout show.
std::uint8_t value(int id, std::size_t y, std::size_t x, std::size_t ch) {
  return std::uint8_t((id * 37 + y * 11 + x * 5 + ch * 70) % 256);
}

std::vector<std::uint8_t> pixels(int id, std::size_t h, std::size_t w, std::size_t c) {
  std::vector<std::uint8_t> p(h * w * c);
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x)
      for (std::size_t ch = 0; ch < c; ++ch) p[(y * w + x) * c + ch] = value(id, y, x, ch);
  return p;
}

void write_png(const fs::path& file, const std::vector<std::uint8_t>& p, std::size_t h,
               std::size_t w, std::size_t c) {
  fs::create_directories(file.parent_path());
  REQUIRE(stbi_write_png(file.c_str(), int(w), int(h), int(c), p.data(), int(w * c)) != 0);
}

void write_png(const fs::path& file, int id, std::size_t h, std::size_t w, std::size_t c) {
  write_png(file, pixels(id, h, w, c), h, w, c);
}

void write_jpeg(const fs::path& file, const std::vector<std::uint8_t>& p, std::size_t h,
                std::size_t w, std::size_t c) {
  fs::create_directories(file.parent_path());
  REQUIRE(stbi_write_jpg(file.c_str(), int(w), int(h), int(c), p.data(), 100) != 0);
}

void write_text(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

std::vector<char> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void cut_file(const fs::path& file, std::size_t keep) {
  auto bytes = read_bytes(file);
  REQUIRE(keep < bytes.size());
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(keep));
}

/// Loading `root` throws a runtime_error that names `file` and says `what`.
void require_error(const fs::path& root, const fs::path& file, const std::string& what,
                   const data::ImageFolderOptions& options = data::ImageFolderOptions()) {
  REQUIRE_THROWS_WITH(data::load_image_folder(root.string(), options),
                      Contains(file.string()) && Contains(what));
}

}  // namespace

TEST_CASE("image folder: classes and files sorted by name, NHWC in [0, 1]", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  // Written out of order; hidden files are skipped.
  write_png(root / "zebra" / "b.png", 3, 4, 5, 3);
  write_png(root / "zebra" / "a.PNG", 2, 4, 5, 3);
  write_png(root / "ant" / "only.png", 1, 4, 5, 3);
  write_text(root / "zebra" / ".DS_Store", "not an image");
  write_text(root / ".hidden", "not an image");

  data::ImageFolder set = data::load_image_folder(root.string());
  REQUIRE(set.class_names == std::vector<std::string>{"ant", "zebra"});
  REQUIRE(set.images.shape() == std::vector<std::size_t>{3, 4, 5, 3});
  REQUIRE(set.labels.shape() == std::vector<std::size_t>{3});
  CHECK(set.labels(0) == 0);
  CHECK(set.labels(1) == 1);
  CHECK(set.labels(2) == 1);
  REQUIRE(set.files.size() == 3);
  CHECK(set.files[0] == (root / "ant" / "only.png").string());
  CHECK(set.files[1] == (root / "zebra" / "a.PNG").string());
  CHECK(set.files[2] == (root / "zebra" / "b.png").string());
  const int ids[3] = {1, 2, 3};
  for (std::size_t n = 0; n < 3; ++n)
    for (std::size_t y = 0; y < 4; ++y)
      for (std::size_t x = 0; x < 5; ++x)
        for (std::size_t ch = 0; ch < 3; ++ch)
          REQUIRE(set.images(n, y, x, ch) == float(value(ids[n], y, x, ch)) / 255.0f);

  SECTION("scale(false) keeps 0..255") {
    data::ImageFolder raw =
        data::load_image_folder(root.string(), data::ImageFolderOptions().scale(false));
    CHECK(raw.images(2, 3, 4, 2) == float(value(3, 3, 4, 2)));
  }
}

TEST_CASE("image folder: JPEG files decode close to what was written", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  // Flat colours survive JPEG at quality 100 within a few levels.
  std::vector<std::uint8_t> p(8 * 8 * 3);
  for (std::size_t i = 0; i < p.size(); i += 3) {
    p[i] = 200;
    p[i + 1] = 40;
    p[i + 2] = 90;
  }
  write_jpeg(root / "a" / "x.jpg", p, 8, 8, 3);
  write_jpeg(root / "a" / "y.JPEG", p, 8, 8, 3);
  data::ImageFolder set =
      data::load_image_folder(root.string(), data::ImageFolderOptions().scale(false));
  REQUIRE(set.images.shape() == std::vector<std::size_t>{2, 8, 8, 3});
  for (std::size_t n = 0; n < 2; ++n) {
    CHECK(set.images(n, 3, 4, 0) == Approx(200).margin(3));
    CHECK(set.images(n, 3, 4, 1) == Approx(40).margin(3));
    CHECK(set.images(n, 3, 4, 2) == Approx(90).margin(3));
  }
}

TEST_CASE("image folder: channels convert grey to RGB and RGB to grey", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  // One pure red RGB image and one grey image, 2x2.
  write_png(root / "c" / "red.png", std::vector<std::uint8_t>{255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0}, 2, 2, 3);
  write_png(root / "c" / "grey.png", std::vector<std::uint8_t>{10, 20, 30, 40}, 2, 2, 1);
  const auto opts = data::ImageFolderOptions().scale(false);

  data::ImageFolder rgb = data::load_image_folder(root.string(), data::ImageFolderOptions(opts).channels(3));
  REQUIRE(rgb.images.shape() == std::vector<std::size_t>{2, 2, 2, 3});
  // Sorted: grey.png first. Grey is replicated to the three channels.
  for (std::size_t ch = 0; ch < 3; ++ch) CHECK(rgb.images(0, 1, 0, ch) == 30);
  CHECK(rgb.images(1, 0, 0, 0) == 255);
  CHECK(rgb.images(1, 0, 0, 1) == 0);

  data::ImageFolder grey = data::load_image_folder(root.string(), data::ImageFolderOptions(opts).channels(1));
  REQUIRE(grey.images.shape() == std::vector<std::size_t>{2, 2, 2, 1});
  CHECK(grey.images(0, 1, 1, 0) == 40);
  // stb's luma: (77 r + 150 g + 29 b) >> 8.
  CHECK(grey.images(1, 0, 0, 0) == float((77 * 255) >> 8));

  CHECK_THROWS_WITH(data::ImageFolderOptions().channels(2), Contains("2 channels"));
  CHECK_THROWS_WITH(data::ImageFolderOptions().channels(4), Contains("4 channels"));
}

TEST_CASE("image folder: sizes are checked or resized", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  write_png(root / "a" / "1.png", 1, 4, 6, 3);
  std::vector<std::uint8_t> flat(8 * 12 * 3, 77);
  write_png(root / "b" / "2.png", flat, 8, 12, 3);

  SECTION("without a size, the first image's size is the expected one") {
    require_error(root, root / "b" / "2.png", "image is 8x12 (height x width), expected 4x6");
  }
  SECTION("expect_size refuses a mismatch naming the file") {
    require_error(root, root / "a" / "1.png", "image is 4x6 (height x width), expected 8x12",
                  data::ImageFolderOptions().expect_size(8, 12));
  }
  SECTION("resize_to brings every image to one size; an image already that size is unchanged") {
    data::ImageFolder set = data::load_image_folder(
        root.string(), data::ImageFolderOptions().resize_to(4, 6).scale(false));
    REQUIRE(set.images.shape() == std::vector<std::size_t>{2, 4, 6, 3});
    CHECK(set.images(0, 2, 3, 1) == float(value(1, 2, 3, 1)));
    for (std::size_t y = 0; y < 4; ++y)
      for (std::size_t x = 0; x < 6; ++x) CHECK(set.images(1, y, x, 0) == Approx(77).margin(1));
  }
  CHECK_THROWS_WITH(data::ImageFolderOptions().resize_to(0, 4), Contains("0x4"));
  CHECK_THROWS_WITH(data::ImageFolderOptions().expect_size(3, 0), Contains("3x0"));
}

TEST_CASE("image folder: bad files are refused naming the file", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  write_png(root / "a" / "1.png", 1, 4, 4, 3);
  write_png(root / "b" / "2.png", 2, 4, 4, 3);

  SECTION("a non-image file in a class folder") {
    write_text(root / "b" / "notes.txt", "hello");
    require_error(root, root / "b" / "notes.txt", "not an image");
  }
  SECTION("a file without an extension") {
    write_text(root / "a" / "README", "hello");
    require_error(root, root / "a" / "README", "no extension");
  }
  SECTION("a text file named .png") {
    write_text(root / "b" / "fake.png", "this is not a PNG");
    require_error(root, root / "b" / "fake.png", "PNG signature");
  }
  SECTION("a PNG named .jpg") {
    write_png(root / "b" / "3.jpg", 3, 4, 4, 3);
    require_error(root, root / "b" / "3.jpg", "JPEG start-of-image");
  }
  SECTION("an empty image file") {
    write_text(root / "b" / "empty.png", "");
    require_error(root, root / "b" / "empty.png", "empty file");
  }
  SECTION("a truncated PNG") {
    const fs::path file = root / "b" / "cut.png";
    write_png(file, 5, 4, 4, 3);
    cut_file(file, read_bytes(file).size() / 2);
    require_error(root, file, "cannot decode the PNG");
  }
  SECTION("a truncated JPEG") {
    const fs::path file = root / "b" / "cut.jpg";
    std::vector<std::uint8_t> p = pixels(6, 16, 16, 3);
    write_jpeg(file, p, 16, 16, 3);
    cut_file(file, read_bytes(file).size() - 40);
    require_error(root, file, "truncated JPEG");
  }
  SECTION("a JPEG cut inside its header") {
    const fs::path file = root / "b" / "head.jpg";
    write_jpeg(file, pixels(6, 16, 16, 3), 16, 16, 3);
    cut_file(file, 20);
    require_error(root, file, "JPEG");
  }
}

TEST_CASE("image folder: bad layouts are refused naming the folder", "[data][image_folder]") {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  SECTION("missing root") { require_error(root, root, "no such folder"); }
  SECTION("root is a file") {
    write_text(root, "x");
    require_error(root, root, "not a folder");
  }
  SECTION("no class folders") {
    fs::create_directories(root);
    require_error(root, root, "no class folders");
  }
  SECTION("an empty class folder") {
    write_png(root / "a" / "1.png", 1, 4, 4, 3);
    fs::create_directories(root / "b");
    write_text(root / "b" / ".keep", "");
    require_error(root, root / "b", "empty class folder");
  }
  SECTION("a file at the top level") {
    write_png(root / "a" / "1.png", 1, 4, 4, 3);
    write_png(root / "stray.png", 1, 4, 4, 3);
    require_error(root, root / "stray.png", "top of the image folder");
  }
  SECTION("a folder inside a class folder") {
    write_png(root / "a" / "1.png", 1, 4, 4, 3);
    write_png(root / "a" / "sub" / "2.png", 1, 4, 4, 3);
    require_error(root, root / "a" / "sub", "folder inside a class folder");
  }
}
