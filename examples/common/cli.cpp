#include "cli.hpp"

#include <cstdlib>
#include <iostream>

namespace examples {

void add_common_options(cxxopts::Options& options) {
  options.add_options()
      ("steps", "training steps (default: the full protocol)", cxxopts::value<long>()->default_value("0"))
      ("batch", "batch size (default: the protocol's)", cxxopts::value<long>()->default_value("0"))
      ("seed", "random seed (same seed, same numbers)", cxxopts::value<std::uint64_t>()->default_value("1"))
      ("data-dir", "folder with the idx files (default: data/mnist, else data/fashion-mnist)",
       cxxopts::value<std::string>()->default_value(""))
      ("out-dir", "where tables, CSV, checkpoints and plots go", cxxopts::value<std::string>()->default_value("out"))
      ("quick", "a short run (a minute or less) with the same code paths")
      ("no-plots", "skip rendering PNG plots")
      ("threads", "threads for xgrad's kernels (default: XGRAD_NUM_THREADS, else the CPUs this process may use; with --seeds, their share per seed)",
       cxxopts::value<int>()->default_value("0"))
      ("h,help", "show this help");
}

cxxopts::ParseResult parse_or_exit(cxxopts::Options& options, int argc, char** argv) {
  try {
    auto result = options.parse(argc, argv);
    if (result.count("help")) {
      std::cout << options.help() << std::endl;
      std::exit(0);
    }
    return result;
  } catch (const std::exception& e) {
    std::cerr << options.program() << ": " << e.what() << "\n(see --help)" << std::endl;
    std::exit(2);
  }
}

CommonOptions read_common_options(const cxxopts::ParseResult& r) {
  CommonOptions o;
  o.steps = r["steps"].as<long>();
  o.batch = r["batch"].as<long>();
  o.seed = r["seed"].as<std::uint64_t>();
  o.data_dir = r["data-dir"].as<std::string>();
  o.out_dir = r["out-dir"].as<std::string>();
  o.quick = r.count("quick") > 0;
  o.plots = r.count("no-plots") == 0;
  o.threads = r["threads"].as<int>();
  if (o.steps < 0 || o.batch < 0) {
    std::cerr << "--steps and --batch must be positive" << std::endl;
    std::exit(2);
  }
  return o;
}

}  // namespace examples
