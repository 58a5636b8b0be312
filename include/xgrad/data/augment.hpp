#pragma once
/// \file
/// Seeded random crop (with zero padding) and horizontal flip of NHWC image batches, in place.
///
/// \code
///   const auto aug = data::AugmentOptions().crop_padding(4).horizontal_flip(true);
///   for (std::uint64_t step = 0; ...; ++step) {
///     xt::xarray<float> images = ...;                      // [B, H, W, C]
///     data::random_crop_flip(images, aug, /*seed=*/7, /*batch_index=*/step);
///   }
/// \endcode
///
/// Per example, as torchvision's RandomCrop(padding=p) then RandomHorizontalFlip(): the image
/// is padded with p zeros on every side, an H x W window at offset (dy, dx), each uniform in
/// [0, 2p], is cut out of the padded image, and with probability 1/2 it is mirrored left to
/// right. So out(y, x) = in(y + dy - p, x' + dx - p), with x' = W - 1 - x when flipped and x
/// otherwise, and 0 where that falls outside the image.
///
/// Determinism: example e of batch b draws (dy, dx, flip) from a hash of (seed, b, e) alone
/// (splitmix64, a counter-based generator, no shared sequential state), so the result is the
/// same bit for bit whatever the thread count, whichever thread handles which example, and
/// whether batches are prepared in order or ahead of time on another thread (data::Prefetcher).
#include <cstddef>
#include <cstdint>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

/// What random_crop_flip does, set fluently: `AugmentOptions().crop_padding(4).horizontal_flip(true)`.
class AugmentOptions {
public:
  /// Zero padding p on each side before the random H x W crop; 0 (the default) means no crop.
  AugmentOptions& crop_padding(std::size_t p) { padding_ = p; return *this; }
  /// Mirror left to right with probability 1/2 (default false).
  AugmentOptions& horizontal_flip(bool v) { flip_ = v; return *this; }
  /// Split the batch over xgrad's threads (set_num_threads; default true). Pass false when
  /// augmenting on a loader thread (data::Prefetcher) while training runs: the training step's
  /// kernels then keep xgrad's threads to themselves. Results do not depend on it.
  AugmentOptions& parallel(bool v) { parallel_ = v; return *this; }

  ///@{
  /// The options in use.
  std::size_t crop_padding() const { return padding_; }
  bool horizontal_flip() const { return flip_; }
  bool parallel() const { return parallel_; }
  ///@}

private:
  std::size_t padding_ = 0;
  bool flip_ = false;
  bool parallel_ = true;
};

/// The random choices for one example.
struct CropFlip {
  ///@{
  /// Crop offset (rows dy, columns dx) in the padded image, each in [0, 2 * padding].
  std::size_t dy = 0, dx = 0;  ///< crop offset in the padded image, each in [0, 2 * padding]
  ///@}
  bool flip = false;           ///< mirrored left to right
};

/// The choices random_crop_flip makes for example `example` of batch `batch_index`: a pure
/// function of its arguments (dy = dx = padding when there is no padding, flip false when
/// flipping is off).
CropFlip crop_flip_draw(const AugmentOptions& options, std::uint64_t seed,
                        std::uint64_t batch_index, std::uint64_t example);

/// Crops and flips image `example` of `images` ([B, H, W, C]) in place by the given choices,
/// with zero padding `padding` (dy and dx must be at most 2 * padding). Throws
/// std::invalid_argument for a shape that is not 4-d, an example out of range or an offset
/// beyond the padding.
void crop_flip_image(xt::xarray<float>& images, std::size_t example, std::size_t padding,
                     const CropFlip& choice);

/// Crops and flips every image of `images` ([B, H, W, C], any H, W, C) in place, example e by
/// crop_flip_draw(options, seed, batch_index, e). Throws std::invalid_argument naming the
/// shape unless `images` has 4 dimensions.
void random_crop_flip(xt::xarray<float>& images, const AugmentOptions& options,
                      std::uint64_t seed, std::uint64_t batch_index);

}  // namespace xgrad::data
