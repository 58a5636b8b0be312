#pragma once
/// \file
/// Synchronized batch normalization: the statistics of the global batch, over every rank.
///
/// `sync_batch_norm` is `fused_batch_norm` (feature axis last: [N, F], NHWC) with the mean and
/// biased variance of the examples of all ranks together. Each rank sends its count, its
/// per-feature sums and its per-feature sums of squared deviations from its own mean (one
/// all-gather of 1 + 2F values); every rank combines them in rank order (Chan et al.'s
/// pairwise formula: stable, exact for unequal counts), so all ranks get the same bits. A rank
/// with no examples (x of shape [0, F]) still takes part and gets an empty output.
///
/// Backward: the input gradient needs the global sums of g and g (x - mean) per feature (a
/// second all-gather of 2F values); the scale and offset gradients are this rank's own share
/// (sum over its examples), so that DataParallel's mean over ranks is the gradient of the
/// mean of the ranks' losses, as for every other parameter.
///
/// Both are fused_batch_norm with a statistics source (BatchNormStatistics) that combines the
/// ranks' sums. SyncBatchNorm is nn::BatchNorm (same options, parameter and buffer names, so
/// checkpoints move between the two; the TF moving-average convention) with that source in
/// training mode. In eval mode it uses the moving statistics and communicates nothing. Every
/// rank must run the layer's training forward and backward the same number of times, in the
/// same order.
#include "xgrad/dist/session.hpp"
#include "xgrad/nn/batch_norm.hpp"
#include "xgrad/ops/normalization.hpp"

namespace xgrad::dist {

/// Training-mode batch normalization over the global batch of `comm`'s ranks (see above).
/// scale and offset are [F] or undefined; mean and variance are the global statistics.
template <class T>
FusedBatchNorm<T> sync_batch_norm(const Communicator& comm, const BasicTensor<T>& x,
                                  const BasicTensor<T>& scale, const BasicTensor<T>& offset,
                                  double eps);

/// nn::BatchNorm with the statistics of every rank's batch in training mode (see above).
class SyncBatchNorm : public nn::BatchNorm {
public:
  /// The feature axis must be the last (options.axis() -1).
  SyncBatchNorm(const nn::BatchNormOptions& options, const Communicator& comm);
};

}  // namespace xgrad::dist
