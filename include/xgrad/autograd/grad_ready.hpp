#pragma once
/// \file
/// Grad-ready hooks: "the gradient of this leaf is final for this backward()".
///
/// Data-parallel training starts reducing a group of gradients while backward() is still
/// running, as soon as nothing left to run can add to them. A hook registered on a leaf fires
/// once per backward walk whose graph reaches the leaf: right after the last node consuming it
/// has run, or at the end of the walk for a leaf that the walk could reach but no gradient did
/// (its gradient is then whatever it was before). Leaves outside the graph get no call.
/// backward() is all or nothing for other leaves; a hooked leaf's gradient is added to it just
/// before its hook fires, so if the walk fails afterwards that leaf keeps it (a data-parallel
/// job ends on such a failure anyway: dist::Session aborts it).
///
/// \code
///   auto id = autograd::add_grad_ready_hook(weight, [&] { start_reducing(weight.grad()); });
///   loss.backward();                      // the hook runs inside, once
///   autograd::remove_grad_ready_hook(weight, id);
/// \endcode
///
/// The hooks live on the leaf: they go when it goes.
///
/// Cost: nothing when no hook is registered; otherwise one pass over the graph before the walk.
#include <cstdint>
#include <functional>

#include "xgrad/tensor.hpp"

namespace xgrad::autograd {

/// Called once a leaf's gradient is final in a backward pass.
using GradReadyHook = std::function<void()>;

/// Registers `hook` on the leaf `leaf` (a tensor with requires_grad and no producing op);
/// returns an id for remove_grad_ready_hook. Throws std::invalid_argument on a non-leaf.
template <class T>
std::uint64_t add_grad_ready_hook(const BasicTensor<T>& leaf, GradReadyHook hook);
/// Removes hook `id` from `leaf`; an unknown id (or an undefined tensor) is ignored.
template <class T>
void remove_grad_ready_hook(const BasicTensor<T>& leaf, std::uint64_t id);

}  // namespace xgrad::autograd
