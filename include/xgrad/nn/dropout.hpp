#pragma once
/// \file
/// nn::Dropout: tf.keras.layers.Dropout over xgrad::dropout.
#include <cstdint>
#include <optional>

#include "xgrad/nn/module.hpp"
#include "xgrad/options.hpp"

namespace xgrad::nn {

/// Dropout's options: `DropoutOptions(0.5).seed(7)`.
struct DropoutOptions {
  /// The rate has no default.
  explicit DropoutOptions(float rate) : rate_(rate) {}
  /// Probability of zeroing an element. Must be in [0, 1).
  XGRAD_OPTION(float, rate);
  /// Seeds the masks; unset (the default): drawn from default_generator() when the layer is
  /// built.
  XGRAD_OPTION(std::optional<std::uint64_t>, seed);
};

/// Training mode: each element is zeroed with probability `rate` and the kept ones are
/// scaled by 1 / (1 - rate) (inverted dropout, tf.nn.dropout). Every call draws a new mask;
/// the masks follow from the seed and the number of training calls so far, so the same seed
/// gives the same sequence of masks. Eval mode: the identity (the input tensor itself).
/// rate 0 is the identity in both modes. nn::Dropout (float32) or nn::Dropout64 (float64).
/// set_calls() before each call repeats a mask (nn::gradcheck_module does so).
template <class T>
class BasicDropout : public BasicModule<T> {
public:
  /// Throws std::invalid_argument unless 0 <= rate < 1.
  explicit BasicDropout(const DropoutOptions& options);
  /// Shorthand for Dropout(DropoutOptions(rate)): the seed drawn from default_generator().
  explicit BasicDropout(float rate) : BasicDropout(DropoutOptions(rate)) {}
  /// Shorthand for Dropout(DropoutOptions(rate).seed(seed)).
  BasicDropout(float rate, std::uint64_t seed) : BasicDropout(DropoutOptions(rate).seed(seed)) {}

  BasicTensor<T> forward(const BasicTensor<T>& x) override;

  /// The probability of zeroing an element.
  float rate() const { return rate_; }
  /// The seed in use (the drawn one when the options had none).
  std::uint64_t seed() const { return seed_; }
  /// Training calls so far (the next mask is the calls()-th). set_calls(n) replays the masks
  /// from the n-th on, e.g. after restoring a checkpoint.
  ///@{
  std::uint64_t calls() const { return calls_; }
  void set_calls(std::uint64_t calls) { calls_ = calls; }
  ///@}

private:
  float rate_;
  std::uint64_t seed_;
  std::uint64_t calls_ = 0;
};

using Dropout = BasicDropout<float>;     ///< float32 Dropout
using Dropout64 = BasicDropout<double>;  ///< float64 Dropout
extern template class BasicDropout<float>;
extern template class BasicDropout<double>;

}  // namespace xgrad::nn
