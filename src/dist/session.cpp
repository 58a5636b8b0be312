#include "xgrad/dist/session.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace xgrad::dist {

namespace {

std::string error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
    return "MPI error code " + std::to_string(code);
  }
  return std::string(text, std::size_t(length));
}

int world_rank() {
  int initialized = 0, finalized = 0, rank = -1;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

// An exception nobody caught: name the rank and the error, then take the job down with it.
[[noreturn]] void terminate_job() {
  std::string what = "terminate called without an active exception";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
      what = "unknown exception";
    }
  }
  abort_job(what, 1);
}

}  // namespace

MpiError::MpiError(const std::string& call, int code)
    : std::runtime_error(call + ": " + error_string(code)), code_(code) {}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw MpiError(call, code);
}

struct Communicator::Owned {
  MPI_Comm comm = MPI_COMM_NULL;
  ~Owned() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

Communicator::Communicator(MPI_Comm comm) : Communicator(comm, false) {}

Communicator::Communicator(MPI_Comm comm, bool owned) : comm_(comm) {
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  if (owned) {
    owned_ = std::make_shared<Owned>();  // not from a temporary Owned: its destructor frees
    owned_->comm = comm;
  }
}

Communicator::Communicator(const Communicator& other) = default;
Communicator::~Communicator() = default;

Communicator Communicator::dup() const {
  MPI_Comm copy;
  check(MPI_Comm_dup(comm_, &copy), "MPI_Comm_dup");
  check(MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return Communicator(copy, true);
}

void Communicator::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

void Session::init(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw std::logic_error("dist::Session: MPI is already initialised (one Session per process)");
  int provided = 0;
  // Before any call that could fail: MPI's default handler aborts with a less useful message.
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("dist::Session: MPI_Init_thread failed");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  std::set_terminate(terminate_job);
}

Session::Session(int& argc, char**& argv) : world_((init(&argc, &argv), MPI_COMM_WORLD)) {}

Session::Session() : world_((init(nullptr, nullptr), MPI_COMM_WORLD)) {}

Session::~Session() {
  // Unwinding past the Session means this rank stops here while the others may be waiting
  // for it in a collective: end them all rather than hang in MPI_Finalize.
  if (std::uncaught_exceptions() > 0) {
    abort_job("an exception is unwinding past the MPI session (catch it and call abort_job "
              "with its message to see it here)", 1);
  }
  MPI_Finalize();
}

void abort_job(const std::string& message, int status) {
  std::fprintf(stderr, "rank %d: %s\n", world_rank(), message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);  // MPI_Abort does not return; this only keeps the promise of [[noreturn]]
}

}  // namespace xgrad::dist
