#include "check.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace xgrad::check {

std::string format_shape(const Shape& shape) { return to_string(shape); }

namespace {

std::string join(const Named* const* items, std::size_t count) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) s += i + 1 == count ? " and " : ", ";
    s += std::string(items[i]->name) + (items[i]->is_shape ? " shape " : " ") +
         format_shape(items[i]->shape);
  }
  return s;
}

/// x first, then the others.
std::string join(const Named& x, Shapes also) {
  std::vector<const Named*> items{&x};
  for (const Named& n : also) items.push_back(&n);
  return join(items.data(), items.size());
}

}  // namespace

std::string format_shapes(Shapes shapes) {
  std::vector<const Named*> items;
  for (const Named& n : shapes) items.push_back(&n);
  return join(items.data(), items.size());
}

std::string format_list(const std::vector<long>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::string format_value(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

void fail(const std::string& who, const std::string& what) {
  throw std::invalid_argument(who + ": " + what);
}

namespace {

/// "who: name must be <rule>, got value (x shape [..])".
[[noreturn]] void fail_value(const std::string& who, const char* name, const char* rule,
                             const std::string& value, Shapes context) {
  std::string what = std::string(name) + " must be " + rule + ", got " + value;
  if (context.size()) what += " (" + format_shapes(context) + ")";
  fail(who, what);
}

}  // namespace

void check_shape(bool ok, const std::string& who, const std::string& what, Shapes shapes) {
  if (!ok) fail(who, what + ", got " + format_shapes(shapes));
}

void check_rank(const std::string& who, const Named& x, std::size_t rank,
                const std::string& layout, Shapes also) {
  if (x.shape.size() == rank) return;
  std::string what = "expected a " + std::to_string(rank) + "-D " + x.name;
  if (!layout.empty()) what += " (" + layout + ")";
  fail(who, what + ", got " + join(x, also));
}

void check_min_rank(const std::string& who, const Named& x, std::size_t rank, Shapes also) {
  if (x.shape.size() >= rank) return;
  fail(who, "expected at least " + std::to_string(rank) + "-D " + x.name + ", got " +
                join(x, also));
}

std::size_t check_axis(const std::string& who, int axis, const Named& x) {
  const int nd = static_cast<int>(x.shape.size());
  const int a = axis < 0 ? axis + nd : axis;
  if (a < 0 || a >= nd) {
    fail(who, "axis " + std::to_string(axis) + " is out of range for " + x.name + " shape " +
                  format_shape(x.shape));
  }
  return static_cast<std::size_t>(a);
}

void check_positive(const std::string& who, const char* name, double value, Shapes context) {
  // Written so that NaN fails too.
  if (!(value > 0.0 && std::isfinite(value))) {
    fail_value(who, name, "finite and > 0", format_value(value), context);
  }
}

void check_positive_count(const std::string& who, const char* name, long long value,
                          Shapes context) {
  if (value <= 0) fail_value(who, name, "> 0", std::to_string(value), context);
}

void check_non_negative(const std::string& who, const char* name, double value,
                        Shapes context) {
  if (!(value >= 0.0 && std::isfinite(value))) {
    fail_value(who, name, "finite and >= 0", format_value(value), context);
  }
}

void check_unit_interval(const std::string& who, const char* name, double value,
                         Shapes context) {
  if (!(value >= 0.0 && value < 1.0)) fail_value(who, name, "in [0, 1)", format_value(value), context);
}

void check_closed_unit_interval(const std::string& who, const char* name, double value,
                                Shapes context) {
  if (!(value >= 0.0 && value <= 1.0)) {
    fail_value(who, name, "in [0, 1]", format_value(value), context);
  }
}

void check_finite(const std::string& who, const char* name, double value, Shapes context) {
  if (!std::isfinite(value)) fail_value(who, name, "finite", format_value(value), context);
}

}  // namespace xgrad::check
