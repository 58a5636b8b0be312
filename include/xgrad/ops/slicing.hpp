#pragma once
/// \file
/// Joining, cutting and indexing (tf.concat, tf.split, tf.slice, tf.pad, tf.gather).
///
/// Axes may be negative (counted from the end). Bad axes, sizes or indices throw
/// std::invalid_argument naming the op and the shapes involved.
#include <cstdint>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Joins tensors along `axis`; all other dimensions must agree.  VJP: g cut back into pieces.
template <class T>
BasicTensor<T> concat(const std::vector<BasicTensor<T>>& tensors, int axis);

/// Cuts x along `axis` into pieces of the given sizes (one size may be -1: the rest), which
/// must add up to the dimension, as tf.split(x, num_or_size_splits=sizes). Each piece is a
/// slice of x.  VJP: each piece's g put back in its place.
template <class T>
std::vector<BasicTensor<T>> split(const BasicTensor<T>& x, const std::vector<long>& sizes,
                                  int axis = 0);

/// The box of x starting at `begin` with extent `size` per dimension; a size of -1 means
/// "to the end of that dimension", as tf.slice.  VJP: g placed in a zero tensor of x's shape.
template <class T>
BasicTensor<T> slice(const BasicTensor<T>& x, const std::vector<long>& begin,
                     const std::vector<long>& size);

/// Pads each dimension i with paddings[i].first values before and .second after, all equal to
/// `constant` (tf.pad, mode CONSTANT).  VJP: the middle of g.
template <class T>
BasicTensor<T> pad(const BasicTensor<T>& x, const std::vector<std::pair<long, long>>& paddings,
                   double constant = 0.0);

/// Picks slices of x along `axis` at `indices` (any shape): the output shape is
/// x.shape[:axis] + indices.shape + x.shape[axis+1:], as tf.gather (an embedding lookup for
/// axis 0). Indices must be in [0, x.shape[axis]).  VJP: g scattered back and added, so a
/// repeated index collects the sum of its gradients.
template <class T>
BasicTensor<T> gather(const BasicTensor<T>& x, const xt::xarray<std::int64_t>& indices,
                      int axis = 0);

}  // namespace xgrad
