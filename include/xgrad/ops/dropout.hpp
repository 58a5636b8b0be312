#pragma once
/// \file
/// Dropout (tf.nn.dropout) with a seeded, reproducible mask.
#include <cstdint>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Zeroes each element with probability `rate` and scales the kept ones by 1 / (1 - rate), so
/// the expected value is unchanged (inverted dropout, as tf.nn.dropout). The mask is a pure
/// function of (`seed`, element index): the same seed gives the same mask, whatever the thread
/// count; pass a new seed for a new mask. rate 0 returns x itself. rate outside [0, 1) throws.
/// VJP: g times the same scaled mask (zero exactly where the output was dropped).
template <class T>
BasicTensor<T> dropout(const BasicTensor<T>& x, double rate, std::uint64_t seed);

}  // namespace xgrad
