#pragma once
// Command-line options every example program shares (--help, --steps, --quick, ...).
#include <cstdint>
#include <string>

#include <cxxopts.hpp>

namespace examples {

struct CommonOptions {
  long steps = 0;             ///< training steps (0: the program's full protocol)
  long batch = 0;             ///< batch size (0: the protocol's)
  std::uint64_t seed = 1;
  std::string data_dir;       ///< MNIST idx files; empty: data/mnist, else Fashion-MNIST
  std::string out_dir = "out";
  bool quick = false;         ///< a run of a minute or less
  bool plots = true;
  int threads = 0;            ///< xgrad threads (0: XGRAD_NUM_THREADS, else the CPUs in the affinity mask)
};

/// Adds the shared options to `options`.
void add_common_options(cxxopts::Options& options);
/// Parses argv; prints help and exits 0 on --help, prints the error and exits 2 on bad input.
cxxopts::ParseResult parse_or_exit(cxxopts::Options& options, int argc, char** argv);
CommonOptions read_common_options(const cxxopts::ParseResult& result);

}  // namespace examples
