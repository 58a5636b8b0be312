#include "xgrad/data/augment.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/parallel.hpp"
#include "splitmix.hpp"
#include "xgrad/shape.hpp"

namespace xgrad::data {

namespace {

/// Uniform in [0, n) from 64 random bits (multiply-high; the bias, n / 2^64, is negligible for
/// crop offsets).
std::uint64_t below(std::uint64_t bits, std::uint64_t n) {
  return std::uint64_t((static_cast<unsigned __int128>(bits) * n) >> 64);
}

}  // namespace

CropFlip crop_flip_draw(const AugmentOptions& options, std::uint64_t seed,
                        std::uint64_t batch_index, std::uint64_t example) {
  // One key per (seed, batch, example), chained through the mix so that nearby triples are
  // unrelated; three draws from consecutive counters under that key.
  const std::uint64_t key = splitmix64(splitmix64(splitmix64(seed) ^ batch_index) ^ example);
  const std::uint64_t span = 2 * std::uint64_t(options.crop_padding()) + 1;
  CropFlip d;
  d.dy = std::size_t(below(splitmix64(key + 1), span));
  d.dx = std::size_t(below(splitmix64(key + 2), span));
  d.flip = options.horizontal_flip() && (splitmix64(key + 3) >> 63) != 0;
  return d;
}

namespace {

/// One image [H, W, C] through its crop and flip, using `scratch` (H * W * C floats).
void crop_flip_one(float* image, std::size_t h, std::size_t w, std::size_t c, std::size_t pad,
                   const CropFlip& d, std::vector<float>& scratch) {
  const std::size_t row = w * c;
  std::copy(image, image + h * row, scratch.begin());
  // Source (sy, sx) = (y + dy - pad, x + dx - pad): signed offsets.
  const std::ptrdiff_t oy = std::ptrdiff_t(d.dy) - std::ptrdiff_t(pad);
  const std::ptrdiff_t ox = std::ptrdiff_t(d.dx) - std::ptrdiff_t(pad);
  const std::ptrdiff_t H = std::ptrdiff_t(h), W = std::ptrdiff_t(w);
  for (std::ptrdiff_t y = 0; y < H; ++y) {
    float* out = image + std::size_t(y) * row;
    const std::ptrdiff_t sy = y + oy;
    if (sy < 0 || sy >= H) {
      std::fill(out, out + row, 0.0f);
      continue;
    }
    const float* in = scratch.data() + std::size_t(sy) * row;
    // Output columns whose source column sx = x + ox lies in [0, W).
    const std::ptrdiff_t x0 = std::clamp<std::ptrdiff_t>(-ox, 0, W);
    const std::ptrdiff_t x1 = std::clamp<std::ptrdiff_t>(W - ox, 0, W);
    if (!d.flip) {
      std::fill(out, out + x0 * std::ptrdiff_t(c), 0.0f);
      std::copy(in + (x0 + ox) * std::ptrdiff_t(c), in + (x1 + ox) * std::ptrdiff_t(c),
                out + x0 * std::ptrdiff_t(c));
      std::fill(out + x1 * std::ptrdiff_t(c), out + row, 0.0f);
    } else {
      // Flipped: output column x shows cropped column W - 1 - x.
      for (std::ptrdiff_t x = 0; x < W; ++x) {
        const std::ptrdiff_t cx = W - 1 - x;
        float* o = out + std::size_t(x) * c;
        if (cx < x0 || cx >= x1) {
          std::fill(o, o + c, 0.0f);
        } else {
          const float* i = in + std::size_t(cx + ox) * c;
          std::copy(i, i + c, o);
        }
      }
    }
  }
}

void check_nhwc(const char* op, const xt::xarray<float>& images) {
  if (images.dimension() != 4) {
    throw std::invalid_argument(std::string(op) + ": images must be NHWC [B, H, W, C], got " +
                                to_string(to_shape(images.shape())));
  }
}

}  // namespace

void crop_flip_image(xt::xarray<float>& images, std::size_t example, std::size_t padding,
                     const CropFlip& choice) {
  check_nhwc("crop_flip_image", images);
  if (example >= images.shape(0)) {
    throw std::invalid_argument("crop_flip_image: example " + std::to_string(example) +
                                " of a batch of " + std::to_string(images.shape(0)));
  }
  if (choice.dy > 2 * padding || choice.dx > 2 * padding) {
    throw std::invalid_argument("crop_flip_image: offset (" + std::to_string(choice.dy) + ", " +
                                std::to_string(choice.dx) + ") beyond twice the padding " +
                                std::to_string(padding));
  }
  const std::size_t h = images.shape(1), w = images.shape(2), c = images.shape(3);
  std::vector<float> scratch(h * w * c);
  crop_flip_one(images.data() + example * h * w * c, h, w, c, padding, choice, scratch);
}

void random_crop_flip(xt::xarray<float>& images, const AugmentOptions& options,
                      std::uint64_t seed, std::uint64_t batch_index) {
  check_nhwc("random_crop_flip", images);
  const std::size_t n = images.shape(0), h = images.shape(1), w = images.shape(2),
                    c = images.shape(3);
  const std::size_t pad = options.crop_padding();
  if ((pad == 0 && !options.horizontal_flip()) || n * h * w * c == 0) return;
  const std::size_t per_image = h * w * c;
  float* base = images.data();
  auto run = [&](std::size_t begin, std::size_t end) {
    std::vector<float> scratch(per_image);
    for (std::size_t e = begin; e < end; ++e) {
      crop_flip_one(base + e * per_image, h, w, c, pad,
                    crop_flip_draw(options, seed, batch_index, e), scratch);
    }
  };
  if (options.parallel()) {
    // Each image is about per_image float copies: worth a thread from ~16k floats on.
    const std::size_t grain = std::max<std::size_t>(1, (std::size_t(1) << 14) / per_image);
    kernels::parallel_for(n, grain, run);
  } else {
    run(0, n);
  }
}

}  // namespace xgrad::data
