#pragma once
/// \file
/// Collectives on tensors, float32 and float64. Every rank of the communicator must make the
/// same calls in the same order, with tensors of the same shape (all_gather: the same shape
/// but for axis 0). They act on values only and record nothing on the tape.
///
/// \code
///   dist::broadcast(world, weights, /*root=*/0);        // in place on every rank
///   dist::all_reduce(world, grad, dist::Reduce::Mean);  // in place: the mean over ranks
///   Tensor everyone = dist::all_gather(world, local);   // [sum of every rank's rows, ...]
/// \endcode
///
/// Sums are added in MPI's order; Open MPI gives every rank the same bits for the same
/// inputs (a test checks it for the reductions DataParallel makes).
#include <xtensor/xarray.hpp>

#include "xgrad/dist/session.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::dist {

/// How all_reduce combines the ranks' values.
enum class Reduce {
  Sum,  ///< the element-wise sum over ranks
  Mean  ///< the sum divided by the number of ranks
};

/// The MPI datatype of T (float or double).
template <class T>
MPI_Datatype mpi_type();

/// Overwrites `value` on every rank with root's. Shapes must agree (checked: a mismatch
/// throws std::invalid_argument on every rank naming both shapes). A tensor's value is
/// overwritten in place.
///@{
template <class T>
void broadcast(const Communicator& comm, xt::xarray<T>& value, int root = 0);
template <class T>
void broadcast(const Communicator& comm, const BasicTensor<T>& tensor, int root = 0);
///@}

/// Replaces `value` (or the tensor's value) on every rank by the element-wise sum (or mean)
/// over ranks.
///@{
template <class T>
void all_reduce(const Communicator& comm, xt::xarray<T>& value, Reduce op = Reduce::Sum);
template <class T>
void all_reduce(const Communicator& comm, const BasicTensor<T>& tensor, Reduce op = Reduce::Sum);
///@}

/// Every rank's `value` concatenated along axis 0 in rank order (ranks may contribute
/// different numbers of rows, zero included; the other axes must agree). The tensor form
/// returns a new tensor without gradient.
///@{
template <class T>
xt::xarray<T> all_gather(const Communicator& comm, const xt::xarray<T>& value);
template <class T>
BasicTensor<T> all_gather(const Communicator& comm, const BasicTensor<T>& tensor);
///@}

}  // namespace xgrad::dist
