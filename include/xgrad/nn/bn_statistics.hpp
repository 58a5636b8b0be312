#pragma once
/// \file
/// nn::update_batch_norm_statistics: population statistics estimated after training.
///
/// BatchNorm's moving averages are a stand-in for the statistics of the trained net: they mix
/// batches seen with older weights, weighted by `decay`. This recomputes every nn::BatchNorm's
/// "moving_mean" and "moving_variance" as the plain average, over a pass of training batches
/// run through the final weights, of each batch's mean and variance (PyTorch's
/// torch.optim.swa_utils.update_bn does the same with momentum None: every batch weighs the
/// same, whatever its size).
///
/// The variance averaged is the *biased* batch variance (divide by n), because that is what
/// nn::BatchNorm normalises with and what its moving_variance averages (tf.nn.moments; see
/// batch_norm.hpp). PyTorch's BatchNorm stores the unbiased one, so update_bn averages that;
/// here an unbiased average would not be the quantity the layer's moving average estimates.
///
/// The pass runs in training mode under NoGradGuard: no graph is recorded, no parameter
/// changes, and only the BatchNorm buffers are rewritten. Modules other than nn::BatchNorm
/// (e.g. a hand-written normalisation) are left alone. The model's training flags are restored
/// afterwards, also when a forward pass throws (then the buffers are restored too).
///
/// With dist::SyncBatchNorm (a BatchNorm whose training pass gathers the statistics of every
/// rank's share of the batch) each rank passes its shard of the same global batches, and every
/// rank gets the global batches' average; since each pass communicates, every rank must pass
/// the same number of batches.
#include <cstddef>
#include <functional>
#include <vector>

#include "xgrad/data/batches.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Runs model(batch.images) for up to `max_batches` batches of `batches` (0: until the epoch
/// ends; an endless stream then needs a limit) and sets every BatchNorm's moving statistics
/// to the average of the batch statistics. Returns the number of batches used.
/// Throws std::invalid_argument when there are no batches, the model has no BatchNorm, an
/// endless stream is given no limit, or a BatchNorm has decay 1 (it keeps no batch statistic).
std::size_t update_batch_norm_statistics(Module& model, data::Batches& batches,
                                         std::size_t max_batches);

/// The same over given inputs (each one batch, passed to model(input) as it is).
std::size_t update_batch_norm_statistics(Module& model, const std::vector<Tensor>& inputs);

/// The same with a caller-supplied pass: `next(model)` runs one batch through the model (its
/// own way, e.g. reshaping first) and returns false when there is no batch left.
std::size_t update_batch_norm_statistics(Module& model, const std::function<bool(Module&)>& next);

}  // namespace xgrad::nn
