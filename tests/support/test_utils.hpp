#pragma once
// Shared test helpers: seeded random tensors and the REQUIRE_GRADCHECK matcher.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <xgrad/xgrad.hpp>

namespace xgrad::test {

/// Uniform values in [lo, hi), reproducible from `seed`.
template <class T = double>
xt::xarray<T> random_array(const Shape& shape, std::uint64_t seed, double lo = -1.0,
                           double hi = 1.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
  for (auto& v : a) v = T(dist(rng));
  return a;
}

template <class T = double>
BasicTensor<T> random_tensor(const Shape& shape, std::uint64_t seed, double lo = -1.0,
                             double hi = 1.0, bool requires_grad = true) {
  return BasicTensor<T>(random_array<T>(shape, seed, lo, hi), requires_grad);
}

/// True when every element of a and b agrees to `tol` (absolute + relative).
template <class A, class B>
bool all_close(const A& a, const B& b, double tol = 1e-6) {
  if (a.shape().size() != b.shape().size()) return false;
  for (std::size_t i = 0; i < a.shape().size(); ++i) {
    if (a.shape()[i] != b.shape()[i]) return false;
  }
  auto ib = b.begin();
  for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
    double x = double(*ia), y = double(*ib);
    if (!(std::abs(x - y) <= tol * (1 + std::abs(y)))) return false;
  }
  return true;
}

}  // namespace xgrad::test

#define REQUIRE_GRADCHECK(f, inputs)                                 \
  do {                                                               \
    auto xgrad_gc_result_ = ::xgrad::gradcheck((f), (inputs));       \
    INFO(xgrad_gc_result_.message);                                  \
    REQUIRE(xgrad_gc_result_.ok);                                    \
  } while (0)

/// gradgradcheck (second derivatives) as a Catch2 requirement, reporting the worst element.
#define REQUIRE_GRADGRADCHECK(f, inputs)                                 \
  do {                                                                   \
    auto xgrad_ggc_result_ = ::xgrad::gradgradcheck((f), (inputs));      \
    INFO(xgrad_ggc_result_.message);                                     \
    REQUIRE(xgrad_ggc_result_.ok);                                       \
  } while (0)
