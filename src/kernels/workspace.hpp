#pragma once
// Private: xgrad's scratch memory. Kernels take their large temporary buffers (im2col columns,
// per-part partial sums, oneDNN scratchpads and reordered weights) from here instead of
// allocating them per call. Each thread keeps one buffer per slot, which only grows, so a
// training step after the first takes no memory from the system (and pays no page faults) for
// them, whatever the host process's malloc settings: xgrad never changes those on its own.
//
// Bound: a thread keeps at most workspace_limit_bytes() between calls (XGRAD_WORKSPACE_MB,
// default 256 MiB); a lease that would take it past that is freed when it ends. Buffers come
// from mmap (not malloc, so they leave glibc's heap and its thresholds alone), are freed at
// thread exit, and xgrad::release_workspace() frees every thread's idle ones.
#include <cstddef>

namespace xgrad::kernels {

/// One buffer per slot per thread. Two leases of one slot on one thread at once (which no
/// kernel does) still work: the second gets a buffer of its own, freed when it ends.
enum class WorkspaceSlot : int {
  ConvColumns,     // im2col / col2im blocks (conv.cpp)
  ConvPartials,    // per-part filter gradients (conv.cpp)
  GemmPartials,    // per-part products of a depth split (gemm.cpp)
  DnnlScratchpad,  // oneDNN primitives' scratchpads (dnnl_conv.cpp)
  DnnlWeights,     // weights reordered for oneDNN, or its per-part filter gradients
  DnnlReorder,     // the weights reorder's scratchpad
  Count
};

/// The calling thread's buffer of `slot`, at least `bytes` long, 64-byte aligned (page
/// aligned, in fact), contents unspecified; held until the lease ends (also by an exception).
class WorkspaceLease {
public:
  WorkspaceLease(WorkspaceSlot slot, std::size_t bytes);
  ~WorkspaceLease();
  WorkspaceLease(const WorkspaceLease&) = delete;
  WorkspaceLease& operator=(const WorkspaceLease&) = delete;

  void* data() const { return data_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(data_);
  }

private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;  // of a buffer of its own (nested lease), else 0
  int slot_ = 0;
};

/// Process-wide figures, for tests and benchmarks.
struct WorkspaceStats {
  std::size_t bytes_held = 0;   // by all threads' buffers, now
  std::size_t allocations = 0;  // buffers ever taken from the system
};
WorkspaceStats workspace_stats();

/// What a thread keeps between calls; set_workspace_limit_bytes is for tests.
std::size_t workspace_limit_bytes();
void set_workspace_limit_bytes(std::size_t bytes);

/// Frees every thread's buffers that no lease holds (xgrad::release_workspace()).
void release_workspace();

}  // namespace xgrad::kernels
