#pragma once
/// \file
/// Shape ops (tf.reshape, tf.keras.layers.Flatten, tf.transpose, tf.broadcast_to) and the
/// sum back to a broadcast input's shape (PyTorch's sum_to_size).
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

/// x broadcast to `shape` (NumPy rules: x's shape aligned on the right, each dimension equal
/// or 1).  VJP: sum_to(g, x's shape).
template <class T>
BasicTensor<T> broadcast_to(const BasicTensor<T>& x, const Shape& shape);
/// Sums x down to `shape`, a shape x broadcasts from (the gradient of a broadcast); x itself
/// when the shapes are equal.  VJP: broadcast_to(g, x's shape).
template <class T>
BasicTensor<T> sum_to(const BasicTensor<T>& x, const Shape& shape);

}  // namespace xgrad
