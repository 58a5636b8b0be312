#pragma once
/// \file
/// Scoring a model over batches: eval mode, no graph recording, every metric updated.
///
/// \code
///   data::Accuracy acc;  data::ConfusionMatrix cm(2);
///   data::TensorBatches test_batches(test, 256, 0, data::BatchOptions().shuffle(false));
///   data::evaluate(model, test_batches, {&acc, &cm});
/// \endcode
#include <initializer_list>
#include <vector>

#include "xgrad/data/metrics.hpp"
#include "xgrad/data/tensor_batches.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::data {

/// Resets each metric, runs `model` on one epoch of `batches` (the rest of an epoch broken
/// off, else the next one; not endless; use
/// BatchOptions().shuffle(false) for file order) in eval mode under NoGradGuard, and updates
/// every metric with each batch's output. The model's training flag is restored afterwards,
/// also when a metric or the model throws. Returns the number of examples seen.
std::size_t evaluate(nn::Module& model, TensorBatches& batches,
                     const std::vector<Metric*>& metrics);

}  // namespace xgrad::data
