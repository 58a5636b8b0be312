// Times the comparison workloads (see workloads.hpp) step by step, like bench_torch.py does in
// PyTorch, and prints one line per workload:
//   name threads median_ms p10_ms p90_ms peak_rss_mb gflops peak_fraction faults_per_step sys_ms_per_step
// after a first line "# peak single-core sgemm 1024^3: P GFLOP/s ..." (peak.hpp): the
// machine's single-core peak measured in the same run; peak_fraction = gflops / P (above 1 on
// several threads is possible). faults_per_step and sys_ms_per_step are the process's page
// faults and system CPU time (getrusage) over the timed steps, divided by their number: what
// memory the steps take from and give back to the system.
// Warm-up steps first (buffers, allocator, BLAS pool), then `reps` individually timed steps;
// the spread is the 10th..90th percentile. Peak RSS is the whole process's (getrusage), so
// run one workload per process to read a workload's own peak (compare_with_pytorch.sh does).
//
//   bench_workloads [--workloads W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP] [--threads N] [--reps N]
//                   [--warmup N] [--default-allocator]
// --reps is the number of timed steps (default by workload: 2000 for W1a/W1b, 10 for the
// CIFAR nets, 30 for the rest); a quick run of the CIFAR nets: --reps 3 --warmup 1.
// --default-allocator leaves glibc's malloc settings (no xgrad::tune_allocator_for_training),
// to measure what the tuning gains.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <xgrad/runtime.hpp>
#include <xgrad/threads.hpp>

#include "peak.hpp"
#include "workloads.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const std::size_t i = std::size_t(pos);
  const double frac = pos - double(i);
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

/// The process's page faults (minor + major) and system CPU time in ms so far.
struct SystemUse {
  double faults = 0, sys_ms = 0;
  static SystemUse now() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return {double(usage.ru_minflt + usage.ru_majflt),
            double(usage.ru_stime.tv_sec) * 1e3 + double(usage.ru_stime.tv_usec) * 1e-3};
  }
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

long default_reps(const std::string& name) {
  if (name.rfind("W1", 0) == 0) return 2000;
  return name == "R20" || name == "VGG" ? 10 : 30;
}

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--workloads W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP] [--threads N] [--reps N] [--no-peak]"
               " [--warmup N] [--default-allocator]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string workloads = "W1a,W1b,W2a,W2b,E1,R20,VGG,WMLP";
  int threads = 1;
  long reps = 0, warmup = -1;
  bool measure_peak = true;
  bool tune_allocator = true;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      usage(argv[0]);
      return 0;
    } else if (!std::strcmp(argv[i], "--workloads") && has_value) {
      workloads = argv[++i];
    } else if (!std::strcmp(argv[i], "--threads") && has_value) {
      threads = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--reps") && has_value) {
      reps = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--warmup") && has_value) {
      warmup = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-peak")) {
      measure_peak = false;  // valgrind: 8 products of 1024^3 would take most of an hour
    } else if (!std::strcmp(argv[i], "--default-allocator")) {
      tune_allocator = false;
    } else {
      std::fprintf(stderr, "bench_workloads: unknown or incomplete option '%s'\n", argv[i]);
      return usage(argv[0]);
    }
  }
  if (threads < 1) {
    std::fprintf(stderr, "bench_workloads: --threads must be >= 1\n");
    return 2;
  }
  xgrad::set_num_threads(threads);
  if (tune_allocator) xgrad::tune_allocator_for_training();
  const bench::SingleCorePeak peak =
      measure_peak ? bench::measure_single_core_peak() : bench::SingleCorePeak{};
  std::printf("%s\n# name threads median_ms p10_ms p90_ms peak_rss_mb gflops peak_fraction"
              " faults_per_step sys_ms_per_step\n",
              peak.describe().c_str());
  for (const auto& name : split(workloads)) {
    bench::Workload w;
    try {
      w = bench::make_workload(name);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_workloads: %s\n", e.what());
      return 2;
    }
    const long n = reps > 0 ? reps : default_reps(name);
    for (long i = 0, m = warmup >= 0 ? warmup : std::max(3L, n / 10); i < m; ++i) w.step();
    std::vector<double> ms(std::size_t(n), 0.0);
    const SystemUse before = SystemUse::now();
    for (auto& t : ms) {
      const auto t0 = Clock::now();
      w.step();
      t = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    }
    const SystemUse after = SystemUse::now();
    const double median = percentile(ms, 0.5), gflops = w.flops / (median * 1e6);
    std::printf("%s %d %.4f %.4f %.4f %.1f %.1f %.3f %.1f %.3f\n", name.c_str(), threads, median,
                percentile(ms, 0.1), percentile(ms, 0.9), peak_rss_mb(), gflops, gflops / peak.best(),
                (after.faults - before.faults) / double(n), (after.sys_ms - before.sys_ms) / double(n));
    std::fflush(stdout);
  }
  return 0;
}
