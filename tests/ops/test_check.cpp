// src/check.hpp: the one place argument checks build their messages and hold each kind of
// parameter to its rule.
#include <cmath>
#include <functional>
#include <string>

#include "check.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("check: numbers and shapes as a person writes them", "[ops][errors][check]") {
  CHECK(check::format_value(0.0) == "0");
  CHECK(check::format_value(1e-3) == "0.001");
  CHECK(check::format_value(1e-9) == "1e-09");
  CHECK(check::format_value(1.0) == "1");
  CHECK(check::format_value(std::nan("")) == "nan");
  CHECK(check::format_shape({}) == "[]");
  CHECK(check::format_shape({2, 3}) == "[2, 3]");
  CHECK(check::format_list({4, -1}) == "[4, -1]");
  const Shape x{2, 3}, m{3}, k{2, 2};
  CHECK(check::format_shapes({{"x", x}}) == "x shape [2, 3]");
  CHECK(check::format_shapes({{"x", x}, {"mean", m}}) == "x shape [2, 3] and mean shape [3]");
  CHECK(check::format_shapes({{"input", x}, {"ksize", k, false}, {"strides", k, false}}) ==
        "input shape [2, 3], ksize [2, 2] and strides [2, 2]");
}

TEST_CASE("check: one message form, who: what, got ...", "[ops][errors][check]") {
  const Shape x{2, 3}, f{3, 3, 1, 4};
  CHECK(message([&] { check::check_shape(false, "op", "shapes differ", {{"a", x}, {"b", f}}); }) ==
        "op: shapes differ, got a shape [2, 3] and b shape [3, 3, 1, 4]");
  CHECK(message([&] { check::check_shape(true, "op", "never", {{"a", x}}); }) == "no error");
  CHECK(message([&] { check::check_rank("conv2d", {"input", x}, 4, "NHWC", {{"filter", f}}); }) ==
        "conv2d: expected a 4-D input (NHWC), got input shape [2, 3] and filter shape [3, 3, 1, 4]");
  CHECK(message([&] { check::check_rank("op", {"x", x}, 2); }) == "no error");
  CHECK(message([&] { check::check_min_rank("softmax", {"x", Shape{}}, 1); }) ==
        "softmax: expected at least 1-D x, got x shape []");
  CHECK(check::check_axis("op", -1, {"x", x}) == 1);
  CHECK(check::check_axis("op", 0, {"x", x}) == 0);
  CHECK(message([&] { check::check_axis("argmax", 2, {"x", x}); }) ==
        "argmax: axis 2 is out of range for x shape [2, 3]");
  CHECK(message([&] { check::check_axis("argmax", -3, {"x", x}); }) ==
        "argmax: axis -3 is out of range for x shape [2, 3]");
}

TEST_CASE("check: each kind of parameter has one rule", "[ops][errors][check]") {
  const Shape x{4};
  // finite and > 0
  for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    CHECK_THROWS_AS(check::check_positive("op", "eps", bad), std::invalid_argument);
  }
  CHECK_NOTHROW(check::check_positive("op", "eps", 1e-300));
  CHECK(message([&] { check::check_positive("fused_batch_norm", "eps", 0.0, {{"x", x}}); }) ==
        "fused_batch_norm: eps must be finite and > 0, got 0 (x shape [4])");
  // finite and >= 0
  for (double bad : {-1e-9, std::nan(""), HUGE_VAL}) {
    CHECK_THROWS_AS(check::check_non_negative("op", "weight_decay", bad), std::invalid_argument);
  }
  CHECK_NOTHROW(check::check_non_negative("op", "weight_decay", 0.0));
  // [0, 1)
  for (double bad : {-0.1, 1.0, std::nan("")}) {
    CHECK_THROWS_AS(check::check_unit_interval("op", "momentum", bad), std::invalid_argument);
  }
  CHECK_NOTHROW(check::check_unit_interval("op", "momentum", 0.0));
  CHECK(message([] { check::check_unit_interval("Adam", "beta2", 1.0); }) ==
        "Adam: beta2 must be in [0, 1), got 1");
  // [0, 1]
  CHECK_NOTHROW(check::check_closed_unit_interval("op", "decay", 1.0));
  CHECK_THROWS_AS(check::check_closed_unit_interval("op", "decay", 1.5), std::invalid_argument);
  // counts
  CHECK(message([] { check::check_positive_count("Dense", "in_features", 0); }) ==
        "Dense: in_features must be > 0, got 0");
  CHECK_NOTHROW(check::check_positive_count("Dense", "in_features", 1));
  CHECK_THROWS_AS(check::check_finite("op", "alpha", HUGE_VAL), std::invalid_argument);
}
