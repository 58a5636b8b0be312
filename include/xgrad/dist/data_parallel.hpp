#pragma once
/// \file
/// dist::DataParallel: one model copy per rank, gradients averaged over ranks during backward.
///
/// \code
///   auto model = make_model(rng);                      // any seed: rank 0's values win
///   dist::DataParallel ddp(*model, world);             // broadcasts parameters and buffers
///   optim::SGD sgd(model->parameters(), 0.01f);
///   data::Batches batches(train, 64, seed, data::BatchOptions().shard(world.rank(), world.size()));
///   for (...) {
///     sgd.zero_grad();
///     loss(model->forward(batch.images)).backward();   // buckets reduce while this runs
///     ddp.wait();                                      // every gradient is now the mean
///     sgd.step();                                      // identical on every rank
///   }
/// \endcode
///
/// Buckets: the trainable parameters, in reverse registration order (about the order backward
/// finishes them), are packed into flat buckets of about `bucket_bytes` (a parameter is never
/// split). A grad-ready hook (autograd/grad_ready.hpp) marks each parameter final; when all of
/// a bucket's are, its gradients are copied into the bucket and an MPI_Iallreduce starts
/// while backward goes on. Buckets start strictly in order (the same order on every rank, as
/// MPI requires), so a bucket that is complete early waits for the ones before it.
///
/// wait() starts what has not started (a parameter without a gradient in this step, on this
/// rank, contributes zeros, so a rank never waits for a reduction the others skip), waits for
/// all, and writes gradient = sum over ranks / ranks into every parameter (one that had no
/// gradient gets one). The loss each rank differentiates should be its share of the global
/// loss: the mean over its examples when every rank has as many (with a mean loss, unequal
/// slices weigh each rank equally, not each example).
///
/// One backward per wait(): a second backward pass before wait() is refused. To accumulate
/// gradients over several micro-batches, run all but the last backward inside no_sync() (as
/// PyTorch's DDP.no_sync): those only add to the local gradients, and the last one, outside
/// it, reduces the sums.
///
/// \code
///   {
///     auto local = ddp.no_sync();
///     loss(model->forward(micro_batch[0])).backward();  // local gradients only
///   }
///   loss(model->forward(micro_batch[1])).backward();    // reduces both micro-batches' sums
///   ddp.wait();
/// \endcode
/// Communication runs on a duplicate of the communicator, so the caller's collectives (SyncBatchNorm's among them) never match DataParallel's.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "xgrad/dist/session.hpp"
#include "xgrad/nn/module.hpp"
#include "xgrad/options.hpp"

namespace xgrad::dist {

/// How DataParallel buckets and starts; set fluently: `DataParallelOptions().bucket_bytes(1 << 20)`.
struct DataParallelOptions {
  /// Target bucket size in bytes (PyTorch DDP's default bucket_cap_mb is 25). Must be > 0.
  XGRAD_OPTION(std::size_t, bucket_bytes) = std::size_t(25) << 20;
  /// Broadcast parameters and buffers from rank 0 when constructed. Default true.
  XGRAD_OPTION(bool, broadcast_at_start) = true;
};

/// Data-parallel training of one module over the ranks of a communicator (see the file's
/// description).
class DataParallel {
public:
  /// Attaches to `module`'s trainable parameters (bucketed in reverse registration order) and,
  /// by default, broadcasts rank 0's parameters and buffers. `module` must outlive this object.
  DataParallel(nn::Module& module, const Communicator& comm, DataParallelOptions options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  /// Copies rank 0's parameters and buffers to every rank.
  void broadcast_state();
  /// Completes this step's reductions: afterwards every parameter's gradient is the mean over
  /// ranks, bitwise the same on every rank.
  void wait();

  /// While the returned guard lives, backward passes reduce nothing: the gradients accumulate
  /// on each rank. Refused (std::logic_error) while a step's reductions have begun (a
  /// backward outside no_sync() without its wait()), or when already inside no_sync().
  class NoSync {
  public:
    /// Pauses `ddp`'s reductions until destroyed.
    explicit NoSync(DataParallel& ddp);
    ~NoSync();
    NoSync(const NoSync&) = delete;
    NoSync& operator=(const NoSync&) = delete;

  private:
    DataParallel& ddp_;
  };
  /// A guard that pauses reductions while it lives (see NoSync).
  [[nodiscard]] NoSync no_sync() { return NoSync(*this); }
  /// True inside no_sync().
  bool syncing_paused() const { return paused_; }

  /// The number of gradient buckets.
  std::size_t bucket_count() const { return buckets_.size(); }
  /// Indices into module.parameters() of bucket b's parameters.
  const std::vector<std::size_t>& bucket_parameters(std::size_t b) const { return buckets_.at(b).params; }
  /// Buckets whose reduction has started in the current step (0 right after wait()).
  std::size_t buckets_started() const { return next_to_start_; }
  /// Seconds spent in wait() since construction: reduction time backward did not hide.
  double wait_seconds() const { return wait_seconds_; }
  /// The communicator given to the constructor (reductions run on a duplicate of it).
  const Communicator& communicator() const { return comm_; }

private:
  struct Bucket {
    std::vector<std::size_t> params;
    std::vector<std::size_t> offsets;
    std::vector<float> flat;
    std::size_t ready = 0;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  void on_grad_ready(std::size_t param);
  void start_ready_buckets();
  void start(std::size_t b);
  void progress();

  nn::Module& module_;
  Communicator comm_;
  std::vector<Tensor> params_;
  std::vector<std::size_t> bucket_of_;
  std::vector<bool> param_ready_;
  std::vector<Bucket> buckets_;
  std::vector<std::uint64_t> hook_ids_;
  std::size_t next_to_start_ = 0;
  double wait_seconds_ = 0;
  bool paused_ = false;
};

}  // namespace xgrad::dist
