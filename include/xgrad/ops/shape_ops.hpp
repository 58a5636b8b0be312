#pragma once
/// \file
/// Shape ops (tf.reshape, tf.keras.layers.Flatten, tf.transpose).
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// New shape with the same number of elements; one dimension may be -1 (inferred).
/// VJP: g reshaped back.
template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<long>& shape);
/// [N, d1, d2, ...] -> [N, d1 * d2 * ...].  VJP: g reshaped back.
template <class T> BasicTensor<T> flatten(const BasicTensor<T>& x);
/// Permutes axes; an empty `perm` reverses them (tf.transpose's default).
/// VJP: g transposed by the inverse permutation.
template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x, const std::vector<std::size_t>& perm = {});

}  // namespace xgrad
