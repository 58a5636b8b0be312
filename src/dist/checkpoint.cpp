#include "xgrad/dist/checkpoint.hpp"

#include <stdexcept>
#include <vector>

#include "xgrad/io/checkpoint.hpp"

namespace xgrad::dist {

void save_on_rank0(const Communicator& comm, const nn::Module& module, const std::string& path) {
  std::string error;
  if (comm.rank() == 0) {
    try {
      io::save(module, path);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // Rank 0's outcome, to everyone: its error (empty on success).
  int length = int(error.size());
  check(MPI_Bcast(&length, 1, MPI_INT, 0, comm.comm()), "MPI_Bcast");
  std::vector<char> text(error.begin(), error.end());
  text.resize(std::size_t(length));
  check(MPI_Bcast(text.data(), length, MPI_CHAR, 0, comm.comm()), "MPI_Bcast");
  if (length > 0) {
    throw std::runtime_error("save_on_rank0: rank 0 could not save " + path + ": " +
                             std::string(text.begin(), text.end()));
  }
}

}  // namespace xgrad::dist
