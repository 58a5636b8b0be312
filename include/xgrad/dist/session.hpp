#pragma once
/// \file
/// dist::Session and dist::Communicator: MPI set up once per process, and a group of ranks.
///
/// \code
///   int main(int argc, char** argv) {
///     dist::Session session(argc, argv);          // MPI_Init_thread ... MPI_Finalize
///     const dist::Communicator& world = session.world();
///     if (world.rank() == 0) std::cout << world.size() << " ranks\n";
///   }
/// \endcode
///
/// Errors: MPI calls return their error codes (MPI_ERRORS_RETURN) and become dist::MpiError
/// with MPI's own message. Failure of one rank: an exception that leaves main() (or a Session
/// destroyed while an exception unwinds) prints "rank r: what()" to stderr and calls
/// MPI_Abort, which ends every rank of the job with a non-zero status instead of leaving the
/// others waiting forever in their next collective.
#include <mpi.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace xgrad::dist {

/// An MPI call failed; what() is "<call>: <MPI's error string>".
class MpiError : public std::runtime_error {
public:
  /// `call` is the MPI function's name, `code` what it returned.
  MpiError(const std::string& call, int code);
  /// MPI's error code.
  int code() const { return code_; }

private:
  int code_;
};

/// Throws MpiError naming `call` unless `code` is MPI_SUCCESS.
void check(int code, const char* call);

/// A group of ranks (an MPI communicator). Copies share the communicator; the one that
/// created it with dup() frees it.
class Communicator {
public:
  /// Wraps `comm` without owning it (MPI_COMM_WORLD, MPI_COMM_SELF or the caller's).
  explicit Communicator(MPI_Comm comm);
  ~Communicator();
  /// Shares `other`'s communicator (and its ownership, if it owns one).
  Communicator(const Communicator& other);
  Communicator& operator=(const Communicator& other) = delete;

  /// A new communicator with the same ranks, freed by the returned object: collectives on it
  /// never match collectives on this one (DataParallel reduces on its own).
  Communicator dup() const;

  int rank() const { return rank_; }       ///< this process's rank, from 0
  int size() const { return size_; }       ///< the number of ranks
  MPI_Comm comm() const { return comm_; }  ///< the MPI communicator, for direct MPI calls
  /// Blocks until every rank has called it.
  void barrier() const;

private:
  struct Owned;
  Communicator(MPI_Comm comm, bool owned);
  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::shared_ptr<Owned> owned_;
};

/// Initialises MPI (MPI_THREAD_FUNNELED: only the thread that made the Session calls MPI;
/// xgrad's worker threads never do) and finalises it when destroyed. One per process.
class Session {
public:
  /// Initialises MPI with the program's arguments (MPI_Init_thread may consume some).
  Session(int& argc, char**& argv);
  /// Without command-line arguments (tests, embedding).
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Communicator& world() const { return world_; }  ///< every rank (MPI_COMM_WORLD)
  int rank() const { return world_.rank(); }            ///< world().rank()
  int size() const { return world_.size(); }            ///< world().size()

private:
  void init(int* argc, char*** argv);
  Communicator world_{MPI_COMM_WORLD};
};

/// Prints "rank r: <message>" to stderr and ends the whole job (MPI_Abort with `status`).
[[noreturn]] void abort_job(const std::string& message, int status = 1);

}  // namespace xgrad::dist
