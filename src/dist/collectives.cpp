#include "xgrad/dist/collectives.hpp"

#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgrad::dist {

namespace {

int as_count(std::size_t n, const char* op) {
  if (n > std::size_t(INT_MAX)) {
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(n) +
                                " elements is more than one MPI call can carry (INT_MAX)");
  }
  return int(n);
}

// The shape as root sees it, on every rank: a mismatch would otherwise corrupt memory.
void check_same_shape(const Communicator& comm, const Shape& mine, int root, const char* op) {
  std::vector<std::uint64_t> s(mine.begin(), mine.end());
  std::uint64_t rank = s.size();
  check(MPI_Bcast(&rank, 1, MPI_UINT64_T, root, comm.comm()), "MPI_Bcast");
  std::vector<std::uint64_t> theirs(rank);
  if (comm.rank() == root) theirs = s;
  check(MPI_Bcast(theirs.data(), int(rank), MPI_UINT64_T, root, comm.comm()), "MPI_Bcast");
  int ok = theirs == s ? 1 : 0, all_ok = 0;
  check(MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm.comm()), "MPI_Allreduce");
  if (!all_ok) {
    throw std::invalid_argument(std::string(op) + ": rank " + std::to_string(comm.rank()) +
                                " has shape " + to_string(mine) + ", rank " +
                                std::to_string(root) + " has shape " +
                                to_string(Shape(theirs.begin(), theirs.end())) +
                                " (or another rank differs)");
  }
}

}  // namespace

template <>
MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }

template <class T>
void broadcast(const Communicator& comm, xt::xarray<T>& value, int root) {
  check_same_shape(comm, to_shape(value.shape()), root, "dist::broadcast");
  check(MPI_Bcast(value.data(), as_count(value.size(), "dist::broadcast"), mpi_type<T>(), root,
                  comm.comm()),
        "MPI_Bcast");
}

template <class T>
void broadcast(const Communicator& comm, const BasicTensor<T>& tensor, int root) {
  broadcast(comm, tensor.value(), root);
}

template <class T>
void all_reduce(const Communicator& comm, xt::xarray<T>& value, Reduce op) {
  check_same_shape(comm, to_shape(value.shape()), 0, "dist::all_reduce");
  check(MPI_Allreduce(MPI_IN_PLACE, value.data(), as_count(value.size(), "dist::all_reduce"),
                      mpi_type<T>(), MPI_SUM, comm.comm()),
        "MPI_Allreduce");
  if (op == Reduce::Mean) value /= T(comm.size());
}

template <class T>
void all_reduce(const Communicator& comm, const BasicTensor<T>& tensor, Reduce op) {
  all_reduce(comm, tensor.value(), op);
}

template <class T>
xt::xarray<T> all_gather(const Communicator& comm, const xt::xarray<T>& value) {
  const Shape shape = to_shape(value.shape());
  if (shape.empty()) throw std::invalid_argument("dist::all_gather: a 0-d tensor has no axis 0");
  Shape row(shape.begin() + 1, shape.end());
  check_same_shape(comm, row, 0, "dist::all_gather (the axes after 0)");
  const int n = comm.size();
  const std::size_t row_size = num_elements(row);
  std::uint64_t mine = shape[0];
  std::vector<std::uint64_t> rows(std::size_t(n), 0);
  check(MPI_Allgather(&mine, 1, MPI_UINT64_T, rows.data(), 1, MPI_UINT64_T, comm.comm()),
        "MPI_Allgather");
  std::vector<int> counts(static_cast<std::size_t>(n)), offsets(static_cast<std::size_t>(n));
  std::size_t total = 0;
  for (int r = 0; r < n; ++r) {
    offsets[std::size_t(r)] = as_count(total * row_size, "dist::all_gather");
    counts[std::size_t(r)] = as_count(rows[std::size_t(r)] * row_size, "dist::all_gather");
    total += rows[std::size_t(r)];
  }
  Shape out_shape = shape;
  out_shape[0] = total;
  xt::xarray<T> out = xt::xarray<T>::from_shape(out_shape);
  check(MPI_Allgatherv(value.data(), as_count(value.size(), "dist::all_gather"), mpi_type<T>(),
                       out.data(), counts.data(), offsets.data(), mpi_type<T>(), comm.comm()),
        "MPI_Allgatherv");
  return out;
}

template <class T>
BasicTensor<T> all_gather(const Communicator& comm, const BasicTensor<T>& tensor) {
  return BasicTensor<T>(all_gather(comm, tensor.value()));
}

#define XGRAD_DIST_INSTANTIATE(T)                                                      \
  template void broadcast(const Communicator&, xt::xarray<T>&, int);                   \
  template void broadcast(const Communicator&, const BasicTensor<T>&, int);            \
  template void all_reduce(const Communicator&, xt::xarray<T>&, Reduce);               \
  template void all_reduce(const Communicator&, const BasicTensor<T>&, Reduce);        \
  template xt::xarray<T> all_gather(const Communicator&, const xt::xarray<T>&);        \
  template BasicTensor<T> all_gather(const Communicator&, const BasicTensor<T>&);
XGRAD_DIST_INSTANTIATE(float)
XGRAD_DIST_INSTANTIATE(double)
#undef XGRAD_DIST_INSTANTIATE

}  // namespace xgrad::dist
