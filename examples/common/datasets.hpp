#pragma once
// Finding the data set, applying the thread option and scoring, the same way in every example.
#include <xgrad/data/data.hpp>

#include "cli.hpp"

namespace examples {

/// `dir` if given (it must hold the four idx files), else data/mnist (searched upwards from
/// the working folder and $XGRAD_MNIST_DIR), else Fashion-MNIST, saying so plainly on stdout.
xgrad::data::DatasetLocation open_dataset(const std::string& dir);

/// Share of rows whose largest logit is at the true label.
double accuracy(const xgrad::Tensor& logits, const xt::xarray<std::uint8_t>& labels);

/// Applies --threads (if given) to the BLAS kernels and prints the thread count in use; also
/// tunes the allocator for training (xgrad::tune_allocator_for_training), as every example that
/// calls this trains.
void apply_threads(const CommonOptions& options);

}  // namespace examples
