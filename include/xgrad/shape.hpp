#pragma once
/// \file
/// Shape type and the helpers every op uses to describe shapes in error messages.
#include <cstddef>
#include <string>
#include <vector>

namespace xgrad {

/// A tensor's dimensions, outermost first (row-major).
using Shape = std::vector<std::size_t>;

/// "[2, 3]": the form every error message uses.
std::string to_string(const Shape& shape);

/// Any container of sizes (an xtensor shape, say) as a Shape.
template <class S>
Shape to_shape(const S& s) {
  return Shape(s.begin(), s.end());
}

/// Product of the dimensions (1 for a scalar).
std::size_t num_elements(const Shape& shape);

}  // namespace xgrad
