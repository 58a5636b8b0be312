#pragma once
// Private: the worker threads behind kernels::run_parts (parallel.hpp).
//
// Why not OpenMP: between two parallel regions a training step runs serial work (small ops,
// the optimizer) for tens of microseconds to a millisecond. libgomp's workers go to sleep
// after a short spin and each region then pays a futex wake-up (measured, W1a on 2 threads:
// 0.31 ms/step with libgomp's defaults, 0.21 ms with GOMP_SPINCOUNT=10000000), and that spin
// length can only be set from the environment before the program starts. These workers spin
// for kSpinMicroseconds after each job, then sleep.
#include <cstddef>

namespace xgrad::kernels {

/// A job: fn(context, part, parts).
using PartFunction = void (*)(void* context, int part, int parts);

/// Runs fn(context, p, parts) for p = 0 .. parts-1, part 0 on the calling thread and the others
/// on pool workers (started on first use, kept for the process), and waits for all of them.
/// fn must not throw.
void run_on_pool(int parts, PartFunction fn, void* context);

/// True on a pool worker, and on the calling thread while it runs its part.
bool inside_pool_job();

/// How long an idle worker spins (burning its core) before it sleeps.
constexpr long kSpinMicroseconds = 2000;

}  // namespace xgrad::kernels
