#include "datasets.hpp"

#include <cstdio>
#include <stdexcept>

#include <xgrad/ops/reduction.hpp>
#include <xgrad/runtime.hpp>
#include <xgrad/cpu.hpp>
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

double accuracy(const xgrad::Tensor& logits, const xt::xarray<std::uint8_t>& labels) {
  auto predicted = xgrad::argmax(logits, -1);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted(i) == labels(i);
  return double(correct) / double(labels.size());
}

void apply_threads(const CommonOptions& options) {
  xgrad::tune_allocator_for_training();
  if (options.threads > 0) xgrad::set_num_threads(options.threads);
  std::printf("threads: %d (set with --threads or XGRAD_NUM_THREADS), "
              "simd: %s (cap with XGRAD_ISA), compute: %s\n",
              xgrad::num_threads(), xgrad::simd_isa(), xgrad::compute_backend());
}

}  // namespace examples
