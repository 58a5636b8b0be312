#pragma once
// The world communicator for the MPI tests (the Session lives in main).
#include <xgrad/dist/session.hpp>

inline const xgrad::dist::Communicator& world() {
  static const xgrad::dist::Communicator w(MPI_COMM_WORLD);
  return w;
}
