#pragma once
// A generated colour-image folder: four classes of shapes (circle, cross, square, triangle) in
// random colours, sizes and places on noisy backgrounds, written as PNG files with
// stb_image_write in the torchvision ImageFolder layout (<root>/<class>/<n>.png).
#include <cstddef>
#include <cstdint>
#include <string>

namespace examples {

/// Writes `per_class` images of `side` x `side` pixels per class under `root` (created;
/// existing files of the same names are overwritten). Same seed, same files.
void write_shape_folder(const std::string& root, std::size_t per_class, std::size_t side,
                        std::uint64_t seed);

}  // namespace examples
