#include "xgrad/dist/data_parallel.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "xgrad/autograd/grad_ready.hpp"
#include "xgrad/dist/collectives.hpp"

namespace xgrad::dist {

DataParallel::DataParallel(nn::Module& module, const Communicator& comm, DataParallelOptions options)
    : module_(module), comm_(comm.dup()), params_(module.parameters()) {
  if (options.bucket_bytes() == 0) throw std::invalid_argument("DataParallel: bucket_bytes must be positive");
  if (options.broadcast_at_start()) broadcast_state();
  bucket_of_.resize(params_.size());
  param_ready_.assign(params_.size(), false);
  // Reverse registration order: the last layers' gradients are final first.
  for (std::size_t k = params_.size(); k-- > 0;) {
    const std::size_t bytes = params_[k].size() * sizeof(float);
    if (buckets_.empty() ||
        (!buckets_.back().params.empty() &&
         (buckets_.back().flat.size() * sizeof(float) + bytes > options.bucket_bytes()))) {
      buckets_.emplace_back();
    }
    Bucket& b = buckets_.back();
    b.params.push_back(k);
    b.offsets.push_back(b.flat.size());
    b.flat.resize(b.flat.size() + params_[k].size());
    bucket_of_[k] = buckets_.size() - 1;
  }
  for (std::size_t k = 0; k < params_.size(); ++k) {
    hook_ids_.push_back(autograd::add_grad_ready_hook(params_[k], [this, k] { on_grad_ready(k); }));
  }
}

DataParallel::~DataParallel() {
  for (std::size_t k = 0; k < hook_ids_.size(); ++k) {
    autograd::remove_grad_ready_hook(params_[k], hook_ids_[k]);
  }
  // Reductions still in flight write into our buckets: finish them (all ranks started them).
  for (auto& b : buckets_) {
    if (b.request != MPI_REQUEST_NULL) MPI_Wait(&b.request, MPI_STATUS_IGNORE);
  }
}

void DataParallel::broadcast_state() {
  for (const auto& [name, p] : module_.named_parameters()) broadcast(comm_, p, 0);
  for (const auto& [name, b] : module_.named_buffers()) broadcast(comm_, b, 0);
}

DataParallel::NoSync::NoSync(DataParallel& ddp) : ddp_(ddp) {
  if (ddp.paused_) throw std::logic_error("DataParallel::no_sync: already inside no_sync()");
  if (std::find(ddp.param_ready_.begin(), ddp.param_ready_.end(), true) != ddp.param_ready_.end()) {
    throw std::logic_error("DataParallel::no_sync: a backward() outside no_sync() has begun "
                           "this step's reductions; call wait() first");
  }
  ddp.paused_ = true;
}

DataParallel::NoSync::~NoSync() { ddp_.paused_ = false; }

void DataParallel::on_grad_ready(std::size_t param) {
  if (paused_) return;  // accumulating locally (no_sync)
  if (param_ready_[param]) {
    throw std::logic_error("DataParallel: a second backward() reached a parameter before "
                           "wait(); call wait() after each backward()");
  }
  param_ready_[param] = true;
  Bucket& b = buckets_[bucket_of_[param]];
  ++b.ready;
  start_ready_buckets();
  progress();
}

void DataParallel::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() &&
         buckets_[next_to_start_].ready == buckets_[next_to_start_].params.size()) {
    start(next_to_start_++);
  }
}

void DataParallel::start(std::size_t bi) {
  Bucket& b = buckets_[bi];
  for (std::size_t j = 0; j < b.params.size(); ++j) {
    const Tensor& p = params_[b.params[j]];
    float* dst = b.flat.data() + b.offsets[j];
    if (p.has_grad()) {
      std::memcpy(dst, p.grad().data(), p.size() * sizeof(float));
    } else {
      std::fill(dst, dst + p.size(), 0.0f);
    }
  }
  check(MPI_Iallreduce(MPI_IN_PLACE, b.flat.data(), int(b.flat.size()), MPI_FLOAT, MPI_SUM,
                       comm_.comm(), &b.request),
        "MPI_Iallreduce");
}

// Open MPI advances non-blocking collectives only inside MPI calls: poke them while backward
// runs so that the reduction really proceeds in the meantime.
void DataParallel::progress() {
  for (std::size_t i = 0; i < next_to_start_; ++i) {
    Bucket& b = buckets_[i];
    if (b.request == MPI_REQUEST_NULL) continue;
    int done = 0;
    check(MPI_Test(&b.request, &done, MPI_STATUS_IGNORE), "MPI_Test");
  }
}

void DataParallel::wait() {
  const double t0 = MPI_Wtime();
  while (next_to_start_ < buckets_.size()) start(next_to_start_++);
  const float scale = 1.0f / float(comm_.size());
  for (Bucket& b : buckets_) {
    if (b.request != MPI_REQUEST_NULL) check(MPI_Wait(&b.request, MPI_STATUS_IGNORE), "MPI_Wait");
    for (std::size_t j = 0; j < b.params.size(); ++j) {
      xt::xarray<float>& grad = params_[b.params[j]].mutable_grad();
      const float* src = b.flat.data() + b.offsets[j];
      float* dst = grad.data();
      for (std::size_t i = 0, n = grad.size(); i < n; ++i) dst[i] = src[i] * scale;
    }
    b.ready = 0;
  }
  std::fill(param_ready_.begin(), param_ready_.end(), false);
  next_to_start_ = 0;
  wait_seconds_ += MPI_Wtime() - t0;
}

}  // namespace xgrad::dist
