#pragma once
/// \file
/// Loading a folder of images with one sub-folder per class (torchvision's ImageFolder
/// convention) into an NHWC float array and int64 class ids.
///
/// \code
///   // root/cat/001.png, root/cat/002.jpg, root/dog/a.png, ...
///   data::ImageFolder train = data::load_image_folder(
///       "root", data::ImageFolderOptions().channels(3).resize_to(32, 32));
///   // train.images: [N, 32, 32, 3] in [0, 1]; train.labels: [N] ids into train.class_names
/// \endcode
///
/// Order: classes sorted by folder name (byte order, as std::string compares), class id =
/// position in that order; within a class, files sorted by name. Examples are in that order
/// (class 0's files first): shuffle when batching.
///
/// Files: PNG and JPEG, recognised by their extension (.png, .jpg, .jpeg in any case) and
/// checked by their signature, decoded by stb_image (Debian's libstb). 8- and 16-bit PNGs,
/// grey, grey+alpha, RGB and RGBA; baseline and progressive JPEG. Alpha is dropped; grey is
/// replicated to RGB for channels(3); RGB becomes grey (ITU-R BT.601 luma weights, stb's
/// conversion) for channels(1). Names starting with '.' (.DS_Store, editors' swap files) are
/// skipped everywhere.
///
/// Errors (std::runtime_error naming the file or folder and what is wrong): a missing root,
/// a root without class folders, a file at the root level, a folder inside a class folder, an
/// empty class folder, a file that is not PNG or JPEG (by extension or by content), an image
/// stb cannot decode (truncated, corrupt), and a size that differs from the expected one. The
/// whole folder is checked and decoded before anything is returned: an error leaves nothing
/// half loaded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad::data {

/// Options for load_image_folder, set fluently:
/// `ImageFolderOptions().channels(1).expect_size(28, 28)`.
class ImageFolderOptions {
public:
  /// Channels of the result: 1 (grey) or 3 (RGB, the default). Throws std::invalid_argument
  /// for any other count.
  ImageFolderOptions& channels(int c);
  /// Every image must be height x width; a different one is an error naming the file and both
  /// sizes. Without expect_size or resize_to, every image must have the first image's size.
  ImageFolderOptions& expect_size(std::size_t height, std::size_t width);
  /// Every image is resized to height x width (stb_image_resize, its default filters: Mitchell
  /// when shrinking, Catmull-Rom when enlarging; images already at that size are copied
  /// unchanged).
  ImageFolderOptions& resize_to(std::size_t height, std::size_t width);
  /// Pixel values divided by 255, in [0, 1] (default true); false keeps 0..255.
  ImageFolderOptions& scale(bool v) { scale_ = v; return *this; }

  ///@{
  /// The options in use; height() and width() are 0 when no size was set, resize() is true
  /// after resize_to.
  int channels() const { return channels_; }
  std::size_t height() const { return height_; }
  std::size_t width() const { return width_; }
  bool resize() const { return resize_; }
  bool scale() const { return scale_; }
  ///@}

private:
  int channels_ = 3;
  std::size_t height_ = 0, width_ = 0;  // 0: take the first image's size
  bool resize_ = false;
  bool scale_ = true;
};

/// A loaded image folder.
struct ImageFolder {
  /// [N, H, W, C] float32, NHWC, in [0, 1] (or 0..255 without scale).
  xt::xarray<float> images;
  /// [N] class ids, indices into class_names.
  xt::xarray<std::int64_t> labels;
  /// The class folders' names, sorted; class id i is class_names[i].
  std::vector<std::string> class_names;
  /// [N] the path each example was read from, in the same order.
  std::vector<std::string> files;

  /// Number of examples (N).
  std::size_t size() const { return files.size(); }
};

/// Loads every image under `root/<class>/`. See the file comment for order, formats and
/// errors.
ImageFolder load_image_folder(const std::string& root,
                              const ImageFolderOptions& options = ImageFolderOptions());

}  // namespace xgrad::data
