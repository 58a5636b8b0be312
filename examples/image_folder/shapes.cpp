#include "shapes.hpp"

#include <stb/stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

namespace examples {

namespace {

const char* const kClasses[] = {"circle", "cross", "square", "triangle"};

/// Is (x, y) inside shape `cls` centred at (cx, cy) with half-size r?
bool inside(int cls, double x, double y, double cx, double cy, double r) {
  const double dx = x - cx, dy = y - cy;
  switch (cls) {
    case 0: return dx * dx + dy * dy <= r * r;
    case 1: return (std::abs(dx) <= r && std::abs(dy) <= r / 3) ||
                   (std::abs(dy) <= r && std::abs(dx) <= r / 3);
    case 2: return std::abs(dx) <= r * 0.8 && std::abs(dy) <= r * 0.8;
    default:  // apex up: rows widen from the top (cy - r) to the base (cy + r)
      return dy >= -r && dy <= r && std::abs(dx) <= (dy + r) / 2;
  }
}

}  // namespace

void write_shape_folder(const std::string& root, std::size_t per_class, std::size_t side,
                        std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int s = int(side);
  std::vector<unsigned char> pixels(side * side * 3);
  for (int cls = 0; cls < 4; ++cls) {
    const std::filesystem::path dir = std::filesystem::path(root) / kClasses[cls];
    std::filesystem::create_directories(dir);
    for (std::size_t n = 0; n < per_class; ++n) {
      // Background: a dark random colour with noise; shape: a brighter random colour.
      double bg[3], fg[3];
      for (int ch = 0; ch < 3; ++ch) {
        bg[ch] = 20 + 80 * unit(rng);
        fg[ch] = 120 + 135 * unit(rng);
      }
      const double r = side * (0.18 + 0.14 * unit(rng));
      const double cx = r + (side - 2 * r) * unit(rng), cy = r + (side - 2 * r) * unit(rng);
      for (int y = 0; y < s; ++y) {
        for (int x = 0; x < s; ++x) {
          const bool in = inside(cls, x + 0.5, y + 0.5, cx, cy, r);
          for (int ch = 0; ch < 3; ++ch) {
            const double v = (in ? fg[ch] : bg[ch]) + 30 * (unit(rng) - 0.5);
            pixels[std::size_t((y * s + x) * 3 + ch)] = (unsigned char)std::clamp(v, 0.0, 255.0);
          }
        }
      }
      char name[32];
      std::snprintf(name, sizeof name, "%05zu.png", n);
      const std::string file = (dir / name).string();
      if (!stbi_write_png(file.c_str(), s, s, 3, pixels.data(), s * 3)) {
        throw std::runtime_error("cannot write '" + file + "'");
      }
    }
  }
}

}  // namespace examples
