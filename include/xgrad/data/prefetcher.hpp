#pragma once
/// \file
/// Prepares batches on a background thread while the training step runs.
///
/// \code
///   std::uint64_t k = 0;
///   data::Prefetcher<Batch> loader([&](Batch& b) {          // runs on the loader thread
///     if (k == steps) return false;                        // end of data
///     fill_batch(b, k);                                    // b is a recycled batch: reuse its arrays
///     data::random_crop_flip(b.images, aug.parallel(false), seed, k++);
///     return true;
///   });
///   Batch batch;
///   while (loader.next(batch)) train_step(batch);          // batches in the producer's order
/// \endcode
///
/// - Order: next() returns the batches in the order the producer made them.
/// - Bounded: at most `capacity` finished batches wait in the queue (default 2); the producer
///   then waits, so it runs at most capacity + 1 batches ahead of the consumer.
/// - Recycling: next(out) swaps the ready batch into `out` and hands the batch `out` held back
///   to the producer, which fills it again: after the first capacity + 2 batches no new batch
///   object is made, and a producer that reuses the arrays it is given (xarray resized to the
///   same shape keeps its memory) allocates nothing per step.
/// - Errors: an exception thrown by the producer is rethrown by the next() call that reaches
///   it, after the batches made before it; the loader then stops and later next() calls
///   return false.
/// - Shutdown: destroying the Prefetcher mid-epoch stops the producer at its next batch
///   boundary (a producer call in progress is finished, not interrupted) and joins its thread.
/// - Threads: one consumer thread calls next(); the producer runs on the Prefetcher's own
///   thread and must only touch what the consumer does not touch meanwhile. xgrad's kernels
///   may run on both threads (their jobs take turns on xgrad's pool); to keep the training
///   step's threads free, make producer work serial (AugmentOptions::parallel(false)).
/// - Scheduling (Linux): the loader thread runs under SCHED_BATCH, so that waking it from
///   next() does not preempt the training thread, and on the CPUs the consumer may use other
///   than the one it is on when it calls next() (when there is another), so that its work
///   overlaps the step instead of taking turns with it on one core.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace xgrad::data {

namespace detail {
/// Called first on a Prefetcher's loader thread: on Linux, puts the thread under SCHED_BATCH
/// (same priority, but a wake-up does not preempt the thread running on that core; without
/// it, each next() that wakes the loader on the training thread's core hands that core to
/// the loader for a whole batch, and the training step waits it out). A no-op elsewhere or
/// when refused.
void prefer_throughput_scheduling();
/// Keeps a Prefetcher's loader thread off the CPU its consumer is on (Linux): restricts the
/// loader to the CPUs the constructing thread could use, minus the consumer's current one,
/// so that the kernel does not run the loader on the training thread's core, where its work
/// would delay the step instead of overlapping it. Does nothing with a single CPU, elsewhere
/// than Linux, or when refused.
class LoaderPlacement {
public:
  /// Records the CPUs the calling thread may use (a taskset/affinity limit is respected).
  LoaderPlacement();
  ~LoaderPlacement();
  LoaderPlacement(const LoaderPlacement&) = delete;
  LoaderPlacement& operator=(const LoaderPlacement&) = delete;
  /// Called by the consumer before it wakes `loader`; re-restricts it only when the caller
  /// is on another CPU than last time (a vDSO read otherwise).
  void keep_off_this_cpu(std::thread& loader);

private:
  struct Cpus;
  std::unique_ptr<Cpus> cpus_;
  int excluded_ = -1;
};
}  // namespace detail

/// Runs a producer on its own thread and queues the batches it makes, in order (see the
/// file comment). `B` is the batch type: default-constructible, movable and swappable.
template <class B>
class Prefetcher {
public:
  /// Fills its argument with the next batch and returns true, or returns false at the end of
  /// the data. The argument is a recycled batch (or a default-constructed B at first).
  using Producer = std::function<bool(B&)>;

  /// Starts the loader thread, which begins producing at once. Throws std::invalid_argument
  /// for capacity 0 or an empty producer.
  explicit Prefetcher(Producer producer, std::size_t capacity = 2)
      : producer_(std::move(producer)), capacity_(capacity) {
    if (capacity_ == 0) throw std::invalid_argument("Prefetcher: capacity must be at least 1");
    if (!producer_) throw std::invalid_argument("Prefetcher: empty producer");
    thread_ = std::thread([this] { run(); });
    placement_.keep_off_this_cpu(thread_);
  }

  /// Stops the producer at its next batch boundary and joins the loader thread.
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    space_.notify_all();
    thread_.join();
  }

  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  /// Waits for the next batch and swaps it into `out` (the batch `out` held goes back to the
  /// producer). Returns false once the producer has returned false and every batch before
  /// that was taken. Rethrows the producer's exception where it occurred in the sequence.
  bool next(B& out) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_cv_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
      if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
      return false;
    }
    using std::swap;
    swap(out, ready_.front());
    free_.push_back(std::move(ready_.front()));
    ready_.pop_front();
    lock.unlock();
    placement_.keep_off_this_cpu(thread_);
    space_.notify_one();
    return true;
  }

  /// Finished batches waiting to be taken (at most capacity()). For tests and monitoring.
  std::size_t ready() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ready_.size();
  }
  /// The most finished batches that wait in the queue (the constructor's `capacity`).
  std::size_t capacity() const { return capacity_; }
  /// Batch objects made so far (default-constructed B's the producer was given): stops
  /// growing once recycling covers the pipeline.
  std::size_t batches_allocated() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return allocated_;
  }

private:
  void run() {
    detail::prefer_throughput_scheduling();
    B batch;
    bool have_buffer = false;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!have_buffer) {
          if (!free_.empty()) {
            batch = std::move(free_.back());
            free_.pop_back();
          } else {
            batch = B();
            ++allocated_;
          }
          have_buffer = true;
        }
        if (stop_) break;
      }
      bool more = false;
      try {
        more = producer_(batch);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::current_exception();
        break;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      if (!more) break;
      space_.wait(lock, [this] { return ready_.size() < capacity_ || stop_; });
      if (stop_) break;
      ready_.push_back(std::move(batch));
      have_buffer = false;
      lock.unlock();
      ready_cv_.notify_one();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    ready_cv_.notify_all();
  }

  Producer producer_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_cv_;  // a batch is ready, or the producer finished
  std::condition_variable space_;     // the queue has room, or stop
  std::deque<B> ready_;
  std::vector<B> free_;
  std::exception_ptr error_;
  std::size_t allocated_ = 0;
  bool stop_ = false;
  bool finished_ = false;
  detail::LoaderPlacement placement_;  // used by the consumer only
  std::thread thread_;  // last: starts after every member above is constructed
};

}  // namespace xgrad::data
