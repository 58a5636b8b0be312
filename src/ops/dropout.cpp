#include "xgrad/ops/dropout.hpp"

#include <cmath>
#include <string>

#include <xtensor/xbuilder.hpp>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
#include "splitmix.hpp"
#include "xgrad/autograd/function.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad {

namespace {

using config::kDropoutGrain;

/// out[i] = in[i] * (kept ? scale : 0), kept when a uniform draw in [0, 1) is >= rate.
template <class T>
void apply_mask(const T* in, T* out, std::size_t n, std::uint64_t seed, double rate, T scale) {
  const std::uint64_t key = splitmix64(seed);
  kernels::parallel_for(n, kDropoutGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const double u = double(splitmix64(key ^ splitmix64(i)) >> 11) * 0x1.0p-53;
      out[i] = u >= rate ? in[i] * scale : T(0);
    }
  });
}

}  // namespace

template <class T>
BasicTensor<T> dropout(const BasicTensor<T>& x, double rate, std::uint64_t seed) {
  check::check_unit_interval("dropout", "rate", rate, {{"x", x.shape()}});
  if (rate == 0.0) return x;
  const auto& xv = x.value();
  const T scale = T(1) / (T(1) - T(rate));
  xt::xarray<T> out = xt::xarray<T>::from_shape(xv.shape());
  apply_mask(xv.data(), out.data(), xv.size(), seed, rate, scale);
  // The backward redraws the mask from the seed instead of keeping it in memory.
  return make_op("dropout", std::move(out), {x},
                 [seed, rate, scale](const auto&, const auto&, auto& grads) {
                   xt::xarray<T> gx = grads.take_upstream();
                   apply_mask(gx.data(), gx.data(), gx.size(), seed, rate, scale);
                   grads.set(0, std::move(gx));
                 },
                 [seed, rate, scale](const auto& g, const auto&, auto& grads) {
                   // The same scaled mask, a constant: dropout is linear in x.
                   xt::xarray<T> mask = xt::ones<T>(grads.input_shape(0));
                   apply_mask(mask.data(), mask.data(), mask.size(), seed, rate, scale);
                   grads.set(0, g * BasicTensor<T>(std::move(mask)));
                 });
}

template BasicTensor<float> dropout(const BasicTensor<float>&, double, std::uint64_t);
template BasicTensor<double> dropout(const BasicTensor<double>&, double, std::uint64_t);

}  // namespace xgrad
