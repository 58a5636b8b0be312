#include "xgrad/ops/dropout.hpp"

#include <cmath>
#include <string>

#include "check.hpp"
#include "config.hpp"
#include "kernels/parallel.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

using config::kDropoutGrain;

/// SplitMix64's finaliser: a well-mixed 64-bit hash of (seed, index), so each element's draw
/// is independent of how the work is split over threads.
inline std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// out[i] = in[i] * (kept ? scale : 0), kept when a uniform draw in [0, 1) is >= rate.
template <class T>
void apply_mask(const T* in, T* out, std::size_t n, std::uint64_t seed, double rate, T scale) {
  const std::uint64_t key = mix(seed);
  kernels::parallel_for(n, kDropoutGrain, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const double u = double(mix(key ^ mix(i)) >> 11) * 0x1.0p-53;
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
                 });
}

template BasicTensor<float> dropout(const BasicTensor<float>&, double, std::uint64_t);
template BasicTensor<double> dropout(const BasicTensor<double>&, double, std::uint64_t);

}  // namespace xgrad
