#pragma once
// Private: the process-wide settings xgrad makes (xgrad/runtime.hpp says which, and when).

namespace xgrad::kernels {

/// Called by every kernel before it calls OpenBLAS: the first call sets OpenBLAS to one thread
/// (unless the user opted out), later calls only check a flag. Never at load time: loading the
/// library must not change its host process.
void ensure_runtime_configured();

/// Whether the first kernel will (or did) set OpenBLAS's threads.
bool& manage_openblas_threads();

/// glibc's mallopt settings of xgrad::tune_allocator_for_training().
void keep_freed_memory();

}  // namespace xgrad::kernels
