#pragma once
// Argument checks for ops, layers and optimizers. Each throws std::invalid_argument with one
// message form, "who: what, got value (name shape [..], ...)", so every refusal names the op or
// layer, the rule that was broken, what it got and the shapes involved:
//
//   fused_batch_norm: eps must be finite and > 0, got 0 (x shape [2, 4])
//   matmul: inner dimensions differ, got a shape [2, 3] and b shape [4, 5]
//
// One rule per kind of parameter (the functions below), so the same parameter is held to the
// same rule everywhere: learning rates, eps, deltas and norms are finite and > 0; decays and
// standard deviations finite and >= 0; momenta, betas, rho and dropout rates in [0, 1).
#include <cstddef>
#include <initializer_list>
#include <string>
#include <vector>

#include "xgrad/shape.hpp"

namespace xgrad::check {

/// A shape and what it is the shape of ("x", "filter", "labels"): "x shape [2, 3]". With
/// is_shape false, a list of sizes that is not a shape (strides, a window): "strides [1, 2]".
struct Named {
  const char* name;
  const Shape& shape;
  bool is_shape = true;
};
using Shapes = std::initializer_list<Named>;

/// "[2, 3]".
std::string format_shape(const Shape& shape);
/// The same for any container of sizes (an xtensor shape, say).
template <class Sizes>
std::string format_shape(const Sizes& sizes) {
  return format_shape(Shape(sizes.begin(), sizes.end()));
}
/// "x shape [2, 3] and mean shape [3]", "input shape [1, 4, 4, 2], ksize [0, 2] and strides
/// [1, 1]".
std::string format_shapes(Shapes shapes);
/// "[4, -1]": a list of sizes that may hold -1 (reshape, slice, split).
std::string format_list(const std::vector<long>& values);
/// A number as a person writes it: 0.001, 1e-09, 1, nan, inf (not std::to_string's 0.000000).
std::string format_value(double value);

/// Throws std::invalid_argument("who: what").
[[noreturn]] void fail(const std::string& who, const std::string& what);
/// Throws "who: what, got name shape [..] and ..." unless ok.
void check_shape(bool ok, const std::string& who, const std::string& what, Shapes shapes);
/// x must have exactly `rank` axes: "who: expected a 4-D x (NHWC), got x shape [2, 3]".
/// `layout` ("NHWC", "[N, F]") may be empty; `also` lists other shapes for the message.
void check_rank(const std::string& who, const Named& x, std::size_t rank,
                const std::string& layout = "", Shapes also = {});
/// x must have at least `rank` axes: "who: expected at least 1-D x, got x shape []".
void check_min_rank(const std::string& who, const Named& x, std::size_t rank, Shapes also = {});
/// `axis` (negative counts from the end) made non-negative; throws "who: axis 2 is out of range
/// for x shape [2, 3]" unless -rank <= axis < rank.
std::size_t check_axis(const std::string& who, int axis, const Named& x);

/// finite and > 0 (learning rates, eps, Huber's delta, max_norm, decay rates).
void check_positive(const std::string& who, const char* name, double value, Shapes context = {});
/// > 0 for a count or size (features, channels, strides, steps).
void check_positive_count(const std::string& who, const char* name, long long value,
                          Shapes context = {});
/// finite and >= 0 (weight decay, standard deviations, schedule rates).
void check_non_negative(const std::string& who, const char* name, double value,
                        Shapes context = {});
/// in [0, 1) (momentum, beta1, beta2, rho, dropout rate).
void check_unit_interval(const std::string& who, const char* name, double value,
                         Shapes context = {});
/// in [0, 1] (the moving-average decay, CosineDecay's alpha).
void check_closed_unit_interval(const std::string& who, const char* name, double value,
                                Shapes context = {});
/// finite (any sign).
void check_finite(const std::string& who, const char* name, double value, Shapes context = {});

}  // namespace xgrad::check
