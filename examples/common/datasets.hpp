#pragma once
// Finding the data set and applying the thread option, the same way in every example.
#include <xgrad/data/data.hpp>

#include "cli.hpp"

namespace examples {

/// `dir` if given (it must hold the four idx files), else data/mnist (searched upwards from
/// the working folder and $XGRAD_MNIST_DIR), else Fashion-MNIST, saying so plainly on stdout.
xgrad::data::DatasetLocation open_dataset(const std::string& dir);

/// Applies --threads (if given) to the BLAS kernels and prints the thread count in use.
void apply_threads(const CommonOptions& options);

}  // namespace examples
