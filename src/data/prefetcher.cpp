#include "xgrad/data/prefetcher.hpp"

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

namespace xgrad::data::detail {

void prefer_throughput_scheduling() {
#ifdef __linux__
  sched_param param{};
  param.sched_priority = 0;
  // Unprivileged and reversible; if refused, the loader simply keeps SCHED_OTHER.
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
#endif
}

#ifdef __linux__
struct LoaderPlacement::Cpus {
  cpu_set_t allowed;
  bool known = false;
};
#else
struct LoaderPlacement::Cpus {};
#endif

LoaderPlacement::LoaderPlacement() : cpus_(std::make_unique<Cpus>()) {
#ifdef __linux__
  CPU_ZERO(&cpus_->allowed);
  cpus_->known = sched_getaffinity(0, sizeof cpus_->allowed, &cpus_->allowed) == 0 &&
                 CPU_COUNT(&cpus_->allowed) > 1;
#endif
}

LoaderPlacement::~LoaderPlacement() = default;

void LoaderPlacement::keep_off_this_cpu(std::thread& loader) {
#ifdef __linux__
  if (!cpus_->known) return;
  const int cpu = sched_getcpu();
  if (cpu < 0 || cpu == excluded_) return;
  excluded_ = cpu;
  cpu_set_t others = cpus_->allowed;
  CPU_CLR(cpu, &others);
  if (CPU_COUNT(&others) == 0) return;  // the consumer is on the only allowed CPU
  (void)pthread_setaffinity_np(loader.native_handle(), sizeof others, &others);
#else
  (void)loader;
#endif
}

}  // namespace xgrad::data::detail
