#pragma once
// Private: the worker threads behind kernels::run_parts (parallel.hpp).
//
// Why not OpenMP: between two parallel regions a training step runs serial work (small ops,
// the optimizer) for tens of microseconds to a millisecond. libgomp's workers go to sleep
// after a short spin and each region then pays a futex wake-up (measured on an SGD step of a
// 784-100-100-10 MLP, batch 60, on 2 threads: 0.31 ms/step with libgomp's defaults, 0.21 ms
// with GOMP_SPINCOUNT=10000000), and that spin length can only be set from the environment
// before the program starts. These workers spin for kSpinMicroseconds after each job, then
// sleep; a worker whose core another process is using spins only briefly, since its spinning
// would cost it the time slices its parts need (SharedCoreDetector in thread_pool.cpp).
//
// A job's parts are claimed, not assigned: the caller and the workers take the next unclaimed
// part from one atomic counter, and the caller, once its own part is done, runs every part no
// worker has started. A worker whose core is busy with another process (descheduled, or
// still waking up) therefore never holds the step; only a part it has started is waited for,
// which is why large kernels cut their work into several parts per thread (parts_for).
// Which thread runs a part does not change what the part computes: results depend only on
// the number of parts.
#include <cstddef>

#include "config.hpp"

namespace xgrad::kernels {

/// A job: fn(context, part, parts).
using PartFunction = void (*)(void* context, int part, int parts);

/// The most parts one job may have.
using config::kMaxParts;

/// Runs fn(context, p, parts) for p = 0 .. parts-1 (1 <= parts <= kMaxParts) on the calling
/// thread and at most threads - 1 of the pool's workers (started on first use, kept for the
/// process; the others sit the job out), and waits for all of them. Any part may run on any of
/// these threads, several parts on the same one.
/// If a part throws (on any thread), the parts nobody has started are skipped, and once the
/// started ones have finished the first exception is rethrown here (the calling thread's own
/// before a worker's); the pool is then ready for the next job.
void run_on_pool(int parts, int threads, PartFunction fn, void* context);

/// True on a pool worker, and on the calling thread while it runs parts.
bool inside_pool_job();

/// For tests: paused workers claim no parts, as if their cores were all taken by other
/// processes; every part then runs on the calling thread.
void set_workers_paused(bool paused);

/// How long an idle worker spins (burning its core) before it sleeps.
using config::kSpinMicroseconds;

}  // namespace xgrad::kernels
