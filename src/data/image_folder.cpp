#include "xgrad/data/image_folder.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <stdexcept>

namespace xgrad::data {

namespace fs = std::filesystem;

ImageFolderOptions& ImageFolderOptions::channels(int c) {
  if (c != 1 && c != 3) {
    throw std::invalid_argument("ImageFolderOptions::channels: " + std::to_string(c) +
                                " channels; images load with 1 (grey) or 3 (RGB)");
  }
  channels_ = c;
  return *this;
}

namespace {

void check_size(const char* who, std::size_t height, std::size_t width) {
  // stb works in int; images beyond 2^24 pixels on a side are not what this loader is for.
  constexpr std::size_t kMaxSide = std::size_t(1) << 24;
  if (height == 0 || width == 0 || height > kMaxSide || width > kMaxSide) {
    throw std::invalid_argument(std::string("ImageFolderOptions::") + who + ": size " +
                                std::to_string(height) + "x" + std::to_string(width) +
                                " (height x width) must be positive and at most 2^24 a side");
  }
}

}  // namespace

ImageFolderOptions& ImageFolderOptions::expect_size(std::size_t height, std::size_t width) {
  check_size("expect_size", height, width);
  height_ = height;
  width_ = width;
  resize_ = false;
  return *this;
}

ImageFolderOptions& ImageFolderOptions::resize_to(std::size_t height, std::size_t width) {
  check_size("resize_to", height, width);
  height_ = height;
  width_ = width;
  resize_ = true;
  return *this;
}

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw std::runtime_error("image folder: '" + path.string() + "': " + what);
}

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

enum class Format { Png, Jpeg };

Format format_from_extension(const fs::path& file) {
  const std::string ext = lower(file.extension().string());
  if (ext == ".png") return Format::Png;
  if (ext == ".jpg" || ext == ".jpeg") return Format::Jpeg;
  fail(file, "not an image: only PNG and JPEG files (.png, .jpg, .jpeg) belong in a class folder" +
                 (ext.empty() ? std::string(" (this one has no extension)")
                              : " (this one is '" + file.extension().string() + "')"));
}

/// Directory entries of `dir`, hidden ones left out, sorted by name.
std::vector<fs::directory_entry> sorted_entries(const fs::path& dir) {
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) fail(dir, "cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) fail(dir, "cannot list the folder: " + ec.message());
    if (!hidden(it->path())) entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.path().filename().string() < b.path().filename().string();
  });
  return entries;
}

std::vector<unsigned char> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot be opened for reading");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (in.bad()) fail(file, "read error");
  return bytes;
}

/// The file's signature must match its extension: a renamed text file or a BMP called .png
/// is refused here rather than decoded by whatever stb recognises.
void check_signature(const fs::path& file, Format format, const std::vector<unsigned char>& b) {
  static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.empty()) fail(file, "empty file");
  if (format == Format::Png) {
    if (b.size() < 8 || std::memcmp(b.data(), png, 8) != 0) {
      fail(file, "not a PNG file: it does not start with the PNG signature");
    }
  } else if (b.size() < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF) {
    fail(file, "not a JPEG file: it does not start with the JPEG start-of-image marker FF D8 FF");
  }
}

/// stb decodes a JPEG whose end is missing (it pads the entropy-coded data), so a cut file
/// would load with grey or smeared rows: a complete JPEG ends with the end-of-image marker
/// FF D9, possibly followed by padding some writers append.
void check_jpeg_end(const fs::path& file, const std::vector<unsigned char>& b) {
  std::size_t end = b.size();
  while (end > 0 && (b[end - 1] == 0x00 || b[end - 1] == 0xFF || b[end - 1] == '\n' ||
                     b[end - 1] == '\r')) {
    --end;
  }
  if (end < 2 || b[end - 2] != 0xFF || b[end - 1] != 0xD9) {
    fail(file, "truncated JPEG: no end-of-image marker (FF D9) at the end of the file");
  }
}

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};
using StbPixels = std::unique_ptr<unsigned char, StbFree>;

struct Decoded {
  StbPixels pixels;  // height * width * channels bytes
  std::size_t height = 0, width = 0;
};

Decoded decode(const fs::path& file, Format format, int channels) {
  const std::vector<unsigned char> bytes = read_file(file);
  check_signature(file, format, bytes);
  if (format == Format::Jpeg) check_jpeg_end(file, bytes);
  if (bytes.size() > std::size_t(std::numeric_limits<int>::max())) fail(file, "larger than 2 GiB");
  int w = 0, h = 0, in_channels = 0;
  StbPixels pixels(stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &in_channels,
                                         channels));
  if (!pixels) {
    const char* reason = stbi_failure_reason();
    fail(file, std::string("cannot decode the ") + (format == Format::Png ? "PNG" : "JPEG") +
                   " (corrupt or truncated): stb_image says '" + (reason ? reason : "?") + "'");
  }
  return {std::move(pixels), std::size_t(h), std::size_t(w)};
}

std::string size_text(std::size_t h, std::size_t w) {
  return std::to_string(h) + "x" + std::to_string(w);
}

struct ClassFiles {
  std::string name;
  std::vector<fs::path> files;
};

/// The folder's layout, checked before any image is decoded.
std::vector<ClassFiles> list_classes(const fs::path& root) {
  std::error_code ec;
  if (!fs::exists(root, ec)) fail(root, "no such folder");
  if (!fs::is_directory(root, ec)) fail(root, "not a folder (an image folder holds one sub-folder per class)");
  std::vector<ClassFiles> classes;
  for (const auto& entry : sorted_entries(root)) {
    if (!entry.is_directory(ec)) {
      fail(entry.path(), "a file at the top of the image folder; images belong in one "
                         "sub-folder per class (root/<class>/<image>)");
    }
    ClassFiles c{entry.path().filename().string(), {}};
    for (const auto& f : sorted_entries(entry.path())) {
      if (f.is_directory(ec)) {
        fail(f.path(), "a folder inside a class folder; images belong directly in their "
                       "class folder (root/<class>/<image>)");
      }
      format_from_extension(f.path());
      c.files.push_back(f.path());
    }
    if (c.files.empty()) fail(entry.path(), "empty class folder: it holds no images");
    classes.push_back(std::move(c));
  }
  if (classes.empty()) fail(root, "no class folders (an image folder holds one sub-folder per class)");
  return classes;
}

}  // namespace

ImageFolder load_image_folder(const std::string& root, const ImageFolderOptions& options) {
  const std::vector<ClassFiles> classes = list_classes(root);
  const int channels = options.channels();
  const std::size_t c = std::size_t(channels);

  ImageFolder out;
  std::size_t n = 0;
  for (const auto& cls : classes) {
    out.class_names.push_back(cls.name);
    n += cls.files.size();
  }
  std::size_t height = options.height(), width = options.width();
  const bool size_given = height != 0;
  std::vector<unsigned char> resized;
  std::size_t index = 0;
  out.labels = xt::xarray<std::int64_t>::from_shape({n});
  out.files.reserve(n);
  // value / 255 correctly rounded (not value * (1 / 255), which is off by an ulp for some).
  float table[256];
  for (int v = 0; v < 256; ++v) table[v] = options.scale() ? float(v) / 255.0f : float(v);
  for (std::size_t k = 0; k < classes.size(); ++k) {
    for (const fs::path& file : classes[k].files) {
      Decoded d = decode(file, format_from_extension(file), channels);
      if (index == 0) {
        if (!size_given) {
          height = d.height;
          width = d.width;
        }
        out.images = xt::xarray<float>::from_shape({n, height, width, c});
      }
      const unsigned char* src = d.pixels.get();
      if (d.height != height || d.width != width) {
        if (!options.resize()) {
          fail(file, "image is " + size_text(d.height, d.width) + " (height x width), expected " +
                         size_text(height, width) +
                         (size_given ? " (ImageFolderOptions::expect_size)"
                                     : " (the first image's size; ImageFolderOptions::resize_to "
                                       "resizes them all to one size)"));
        }
        resized.resize(height * width * c);
        if (!stbir_resize_uint8(src, int(d.width), int(d.height), 0, resized.data(), int(width),
                                int(height), 0, channels)) {
          fail(file, "stb_image_resize could not resize it to " + size_text(height, width));
        }
        src = resized.data();
      }
      float* dst = out.images.data() + index * height * width * c;
      for (std::size_t i = 0, e = height * width * c; i < e; ++i) dst[i] = table[src[i]];
      out.labels(index) = std::int64_t(k);
      out.files.push_back(file.string());
      ++index;
    }
  }
  return out;
}

}  // namespace xgrad::data
