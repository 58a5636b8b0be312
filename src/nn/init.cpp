#include "xgrad/nn/init.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "check.hpp"

namespace xgrad::nn {

std::mt19937_64& default_generator() {
  thread_local std::mt19937_64 engine(0);
  return engine;
}

void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

Fans compute_fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  if (shape.size() == 2) return {double(shape[0]), double(shape[1])};
  double receptive = 1.0;
  for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

namespace init {

namespace {
template <class Draw>
xt::xarray<float> fill(const Shape& shape, Draw&& draw) {
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (auto& v : a) v = float(draw());
  return a;
}
void check_std(double std, const char* who) {
  check::check_non_negative(std::string("init::") + who, "std", std);
}
}  // namespace

xt::xarray<float> zeros(const Shape& shape) { return fill(shape, [] { return 0.0; }); }
xt::xarray<float> ones(const Shape& shape) { return fill(shape, [] { return 1.0; }); }

xt::xarray<float> normal(const Shape& shape, double mean, double std, std::mt19937_64& rng) {
  check_std(std, "normal");
  std::normal_distribution<double> dist(mean, std);
  return fill(shape, [&] { return std == 0.0 ? mean : dist(rng); });
}
xt::xarray<float> normal(const Shape& shape, double mean, double std, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return normal(shape, mean, std, rng);
}

xt::xarray<float> truncated_normal(const Shape& shape, double std, std::mt19937_64& rng,
                                   double mean) {
  check_std(std, "truncated_normal");
  std::normal_distribution<double> dist(0.0, 1.0);
  return fill(shape, [&] {
    double z;
    do {
      z = dist(rng);
    } while (std::abs(z) > 2.0);  // NOTE: TF redraws values beyond 2 standard deviations.
    return mean + std * z;
  });
}
xt::xarray<float> truncated_normal(const Shape& shape, double std, std::uint64_t seed,
                                   double mean) {
  std::mt19937_64 rng(seed);
  return truncated_normal(shape, std, rng, mean);
}

xt::xarray<float> glorot_uniform(const Shape& shape, std::mt19937_64& rng) {
  Fans f = compute_fans(shape);
  double limit = std::sqrt(6.0 / std::max(1.0, f.fan_in + f.fan_out));
  std::uniform_real_distribution<double> dist(-limit, limit);
  return fill(shape, [&] { return dist(rng); });
}
xt::xarray<float> glorot_uniform(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return glorot_uniform(shape, rng);
}

xt::xarray<float> he_normal(const Shape& shape, std::mt19937_64& rng) {
  Fans f = compute_fans(shape);
  // NOTE: Keras' VarianceScaling divides by the std of a unit normal truncated at 2.
  double std = std::sqrt(2.0 / std::max(1.0, f.fan_in)) / 0.87962566103423978;
  return truncated_normal(shape, std, rng);
}
xt::xarray<float> he_normal(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return he_normal(shape, rng);
}

}  // namespace init

void set_weights(const Tensor& tensor, const xt::xarray<float>& values, const std::string& what) {
  if (!tensor.defined()) {
    check::fail("set_weights", what + " is an undefined tensor");
  }
  Shape have = tensor.shape();
  Shape got = to_shape(values.shape());
  check::check_shape(have == got, "set_weights", what + " and the new values must have the same shape",
                     {{what.c_str(), have}, {"values", got}});
  auto& dst = tensor.value();
  std::copy(values.begin(), values.end(), dst.begin());
}

}  // namespace xgrad::nn
