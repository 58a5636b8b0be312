#pragma once
/// \file
/// Grad mode, NoGradGuard, anomaly detection, and counters of the recorded graph.
///
/// Ownership follows the outputs: a Tensor owns the op that produced it, an op owns its
/// inputs. Each thread records its ops on its own tape, which keeps only weak references, in
/// creation order, so backward() walks it in reverse without recursion, and a dropped graph
/// frees itself (without recursion too, however long it is).
#include <cstddef>

namespace xgrad {

namespace autograd {

/// Number of recorded ops alive in the process (for memory tests and leak checks).
std::size_t live_node_count();
/// Number of entries on this thread's tape (expired entries are compacted away).
std::size_t tape_size();

///@{
/// Whether ops record on the tape in this thread (NoGradGuard sets it for a scope).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);
///@}

///@{
/// Opt-in check that names the first op whose output is NaN or Inf (off by default).
bool is_anomaly_detection_enabled();
void set_anomaly_detection(bool enabled);
///@}

}  // namespace autograd

/// RAII: disables recording in this thread for its lifetime (nestable). Use it for evaluation
/// and parameter updates. Independent of Module::train()/eval().
class NoGradGuard {
public:
  NoGradGuard() : previous_(autograd::is_grad_enabled()) { autograd::set_grad_enabled(false); }
  ~NoGradGuard() { autograd::set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
  bool previous_;
};

}  // namespace xgrad
