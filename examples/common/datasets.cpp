#include "datasets.hpp"

#include <cstdio>
#include <stdexcept>

#include <xgrad/threads.hpp>

namespace examples {

xgrad::data::DatasetLocation open_dataset(const std::string& dir) {
  if (!dir.empty()) {
    if (!xgrad::data::has_mnist_files(dir)) {
      throw std::runtime_error("--data-dir '" + dir +
                               "' does not hold the four idx files (train/t10k images and "
                               "labels, .gz or raw)");
    }
    xgrad::data::DatasetLocation loc;
    loc.dir = dir;
    loc.name = "the idx files in " + dir;
    loc.message = "data: " + dir;
    std::printf("%s\n", loc.message.c_str());
    return loc;
  }
  auto loc = xgrad::data::find_dataset_dir(".");
  std::printf("%s\n", loc.message.c_str());
  return loc;
}

void apply_threads(const CommonOptions& options) {
  if (options.threads > 0) xgrad::set_num_threads(options.threads);
  std::printf("threads: %d (OpenBLAS; set with --threads or XGRAD_NUM_THREADS)\n",
              xgrad::num_threads());
}

}  // namespace examples
