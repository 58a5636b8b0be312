#pragma once
/// \file
/// Weight initializers (Keras names and formulas) and set_weights.
///
/// Each initializer returns a new array of `shape` (float32 unless asked for another type:
/// `init::glorot_uniform<double>(shape, rng)`), drawing from the given engine
/// (`std::mt19937_64&`, so a script can share one seeded engine) or from a fresh engine
/// seeded with `seed`. Layers that draw their own weights use `default_generator()`, which
/// `manual_seed()` reseeds.
///
/// Fans follow Keras: [in, out] -> (in, out); a conv kernel HWIO [kh, kw, in, out] ->
/// (kh*kw*in, kh*kw*out) (the receptive field is included); a vector [n] -> (n, n).
///
/// The draws are made in double and rounded to the element type, so a float64 layer draws
/// the same engine values as its float32 twin, unrounded.
#include <cstdint>
#include <random>

#include "xgrad/tensor.hpp"

namespace xgrad::nn {

/// The engine layers use when no engine is passed (thread-local, seeded with 0 at start).
std::mt19937_64& default_generator();
/// Reseeds default_generator().
void manual_seed(std::uint64_t seed);

/// A weight's fan-in and fan-out, as Keras' initializers compute them.
struct Fans {
  double fan_in;   ///< inputs per output unit (times the receptive field for conv kernels)
  double fan_out;  ///< outputs per input unit (times the receptive field)
};
/// Keras' _compute_fans.
Fans compute_fans(const Shape& shape);

namespace init {

/// An array of zeros.
template <class T = float>
xt::xarray<T> zeros(const Shape& shape);
/// An array of ones.
template <class T = float>
xt::xarray<T> ones(const Shape& shape);
///@{
/// N(mean, std^2), from `rng` or from a generator seeded with `seed`.
template <class T = float>
xt::xarray<T> normal(const Shape& shape, double mean, double std, std::mt19937_64& rng);
template <class T = float>
xt::xarray<T> normal(const Shape& shape, double mean, double std, std::uint64_t seed);
///@}
///@{
/// N(mean, std^2) with draws farther than 2 std from the mean redrawn
/// (tf.random.truncated_normal). NOTE: the resulting std is about 0.88 * std, as in TF.
template <class T = float>
xt::xarray<T> truncated_normal(const Shape& shape, double std, std::mt19937_64& rng,
                                   double mean = 0.0);
template <class T = float>
xt::xarray<T> truncated_normal(const Shape& shape, double std, std::uint64_t seed,
                                   double mean = 0.0);
///@}
///@{
/// U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) (Keras GlorotUniform).
template <class T = float>
xt::xarray<T> glorot_uniform(const Shape& shape, std::mt19937_64& rng);
template <class T = float>
xt::xarray<T> glorot_uniform(const Shape& shape, std::uint64_t seed);
///@}
///@{
/// Keras HeNormal: truncated normal, std = sqrt(2 / fan_in) / 0.87962566103423978 (so the
/// truncated draws have std sqrt(2 / fan_in)).
template <class T = float>
xt::xarray<T> he_normal(const Shape& shape, std::mt19937_64& rng);
template <class T = float>
xt::xarray<T> he_normal(const Shape& shape, std::uint64_t seed);
///@}

}  // namespace init

/// Copies `values` into `tensor`'s existing array in place (every handle sees the change).
/// Throws std::invalid_argument when the shapes differ, naming both and `what`.
template <class T>
void set_weights(const BasicTensor<T>& tensor,
                 const xt::xarray<typename BasicTensor<T>::value_type>& values,
                 const std::string& what = "tensor");

}  // namespace xgrad::nn
