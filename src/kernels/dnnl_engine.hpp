#pragma once
// Private: what every oneDNN kernel shares (built with XGRAD_WITH_DNNL only): the CPU engine,
// a stream per calling thread, the OpenMP team size, and a count of the primitives created (a
// training step creates none after its first). Scratchpads: kernels/workspace.hpp.
#include <cstddef>

#include <oneapi/dnnl/dnnl.hpp>

namespace xgrad::kernels {

/// The process's oneDNN CPU engine (created at first use).
const dnnl::engine& dnnl_cpu_engine();

/// The calling thread's in-order stream on that engine.
dnnl::stream& dnnl_thread_stream();

/// Sets the calling thread's OpenMP team to one thread (omp_set_num_threads is per thread). xgrad
/// runs oneDNN single-threaded inside its own pool's parts (kernels/parallel.hpp), so OpenMP
/// never starts a thread: one pool, never two spinning against each other. Call before creating
/// a primitive (oneDNN fixes its thread split then) and before running one.
void dnnl_set_team();

/// Counts one primitive (or reorder) created; dnnl_primitives_created() (dnnl_conv.hpp) reads it.
void dnnl_note_primitive_created();

}  // namespace xgrad::kernels
