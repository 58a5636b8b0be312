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
template <class T, class Draw>
xt::xarray<T> fill(const Shape& shape, Draw&& draw) {
  xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
  for (auto& v : a) v = T(draw());
  return a;
}
void check_std(double std, const char* who) {
  check::check_non_negative(std::string("init::") + who, "std", std);
}
}  // namespace

template <class T>
xt::xarray<T> zeros(const Shape& shape) { return fill<T>(shape, [] { return 0.0; }); }
template <class T>
xt::xarray<T> ones(const Shape& shape) { return fill<T>(shape, [] { return 1.0; }); }

template <class T>
xt::xarray<T> normal(const Shape& shape, double mean, double std, std::mt19937_64& rng) {
  check_std(std, "normal");
  std::normal_distribution<double> dist(mean, std);
  return fill<T>(shape, [&] { return std == 0.0 ? mean : dist(rng); });
}
template <class T>
xt::xarray<T> normal(const Shape& shape, double mean, double std, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return normal<T>(shape, mean, std, rng);
}

template <class T>
xt::xarray<T> truncated_normal(const Shape& shape, double std, std::mt19937_64& rng,
                                   double mean) {
  check_std(std, "truncated_normal");
  std::normal_distribution<double> dist(0.0, 1.0);
  return fill<T>(shape, [&] {
    double z;
    do {
      z = dist(rng);
    } while (std::abs(z) > 2.0);  // NOTE: TF redraws values beyond 2 standard deviations.
    return mean + std * z;
  });
}
template <class T>
xt::xarray<T> truncated_normal(const Shape& shape, double std, std::uint64_t seed,
                                   double mean) {
  std::mt19937_64 rng(seed);
  return truncated_normal<T>(shape, std, rng, mean);
}

template <class T>
xt::xarray<T> glorot_uniform(const Shape& shape, std::mt19937_64& rng) {
  Fans f = compute_fans(shape);
  double limit = std::sqrt(6.0 / std::max(1.0, f.fan_in + f.fan_out));
  std::uniform_real_distribution<double> dist(-limit, limit);
  return fill<T>(shape, [&] { return dist(rng); });
}
template <class T>
xt::xarray<T> glorot_uniform(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return glorot_uniform<T>(shape, rng);
}

template <class T>
xt::xarray<T> he_normal(const Shape& shape, std::mt19937_64& rng) {
  Fans f = compute_fans(shape);
  // NOTE: Keras' VarianceScaling divides by the std of a unit normal truncated at 2.
  double std = std::sqrt(2.0 / std::max(1.0, f.fan_in)) / 0.87962566103423978;
  return truncated_normal<T>(shape, std, rng);
}
template <class T>
xt::xarray<T> he_normal(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return he_normal(shape, rng);
}

#define XGRAD_INIT_INSTANTIATE(T)                                                          \
  template xt::xarray<T> zeros<T>(const Shape&);                                           \
  template xt::xarray<T> ones<T>(const Shape&);                                            \
  template xt::xarray<T> normal<T>(const Shape&, double, double, std::mt19937_64&);        \
  template xt::xarray<T> normal<T>(const Shape&, double, double, std::uint64_t);           \
  template xt::xarray<T> truncated_normal<T>(const Shape&, double, std::mt19937_64&, double); \
  template xt::xarray<T> truncated_normal<T>(const Shape&, double, std::uint64_t, double); \
  template xt::xarray<T> glorot_uniform<T>(const Shape&, std::mt19937_64&);                \
  template xt::xarray<T> glorot_uniform<T>(const Shape&, std::uint64_t);                   \
  template xt::xarray<T> he_normal<T>(const Shape&, std::mt19937_64&);                     \
  template xt::xarray<T> he_normal<T>(const Shape&, std::uint64_t);
XGRAD_INIT_INSTANTIATE(float)
XGRAD_INIT_INSTANTIATE(double)
#undef XGRAD_INIT_INSTANTIATE

}  // namespace init

template <class T>
void set_weights(const BasicTensor<T>& tensor,
                 const xt::xarray<typename BasicTensor<T>::value_type>& values,
                 const std::string& what) {
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

template void set_weights(const Tensor&, const xt::xarray<float>&, const std::string&);
template void set_weights(const Tensor64&, const xt::xarray<double>&, const std::string&);

}  // namespace xgrad::nn
