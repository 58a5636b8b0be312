#pragma once
/// \file
/// nn::copy_state: one model's parameters and buffers into a twin, by dotted name, across
/// precisions (a float32 model into its float64 twin to check its gradients, and back).
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Copies the value of every parameter (frozen included) and buffer of `from` into the tensor
/// of the same dotted name in `to`, in place (handles held elsewhere see the new values),
/// converting the element type: float -> double is exact, double -> float rounds to nearest,
/// so float32 -> float64 -> float32 gives back the same bits. Trainable flags, training mode
/// and gradients are left as they are.
///
/// Both models must have the same names with the same shapes: otherwise it throws
/// std::invalid_argument listing every name missing from `to`, every name `to` has that
/// `from` lacks and every shape mismatch, and `to` is left unchanged.
template <class From, class To>
void copy_state(const BasicModule<From>& from, BasicModule<To>& to);

}  // namespace xgrad::nn
