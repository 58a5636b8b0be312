// Loading xgrad changes nothing in its host process: glibc's malloc settings and OpenBLAS's
// thread count are as before until the first kernel. The first kernel sets OpenBLAS to one
// thread (unless opted out); only tune_allocator_for_training() changes the allocator, also
// once the kernels' workspace (kernels/workspace.hpp) has grown.
//
//   process_load_side_effects default|env-opt-out|api-opt-out
// Run with OPENBLAS_NUM_THREADS=2 (ctest sets it). Exit 77: skipped (said why).
#include <malloc.h>
#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <xgrad/ops/linalg.hpp>
#include <xgrad/runtime.hpp>
#include <xgrad/tensor.hpp>

extern "C" int openblas_get_num_threads();

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

std::vector<void*> kept;  // never freed before the end: a freed mmapped block would raise
                          // glibc's dynamic mmap threshold and change the next answer

// Whether a fresh 1 MiB block comes from mmap (glibc's default for blocks above 128 KiB).
bool mib_block_is_mmapped() {
  const auto before = mallinfo2().hblks;
  void* p = std::malloc(1 << 20);
  kept.push_back(p);
  return mallinfo2().hblks == before + 1;
}

void run_a_kernel() {
  xgrad::Tensor a(xt::xarray<float>{{1.0f, 2.0f}, {3.0f, 4.0f}});
  xgrad::Tensor b(xt::xarray<float>{{1.0f, 0.0f}, {1.0f, 1.0f}});
  const xgrad::Tensor c = xgrad::matmul(a, b);
  check(c.value()(1, 0) == 7.0f, "the kernel computed [[1,2],[3,4]] [[1,0],[1,1]] = [[3,2],[7,4]]");
}

// Products split by depth over 2 threads keep their partial sums in xgrad's workspace: 1 MiB,
// then 2.25 MiB, which replaces it. Were the workspace malloc's, freeing the first block would
// raise glibc's dynamic mmap threshold above 1 MiB. The arrays are kept for the same reason.
std::vector<xgrad::Tensor> kept_tensors;
void grow_the_workspace() {
  for (std::size_t mn : {512, 768}) {
    const xgrad::Tensor a(xt::xarray<float>(xt::ones<float>({mn, std::size_t(2048)})));
    const xgrad::Tensor b(xt::xarray<float>(xt::ones<float>({std::size_t(2048), mn})));
    const xgrad::Tensor c = xgrad::matmul(a, b);
    kept_tensors.insert(kept_tensors.end(), {a, b, c});
    check(c.value()(mn - 1, mn - 1) == 2048.0f, "a " + std::to_string(mn) + "x2048x" +
                                                    std::to_string(mn) + " product of ones is 2048");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "default" && mode != "env-opt-out" && mode != "api-opt-out") {
    std::fprintf(stderr, "usage: %s default|env-opt-out|api-opt-out\n", argv[0]);
    return 2;
  }
#if defined(__SANITIZE_ADDRESS__)
  std::printf("SKIPPED: AddressSanitizer replaces malloc, so glibc's mallinfo2 says nothing\n");
  return 77;
#endif
  const char* env = std::getenv("OPENBLAS_NUM_THREADS");
  if (!env || std::strcmp(env, "2") != 0) {
    std::fprintf(stderr, "%s: run with OPENBLAS_NUM_THREADS=2\n", argv[0]);
    return 2;
  }
  check(mib_block_is_mmapped(), "xgrad is loaded, a 1 MiB malloc still goes to mmap (glibc default)");
  // OpenBLAS caps its threads at the CPUs the process may use: with one, its thread count
  // could not tell whether xgrad set it to 1.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2) {
    std::printf("SKIPPED: fewer than 2 CPUs, so OpenBLAS's thread count cannot show a change\n");
    return 77;
  }
  const int blas_threads = openblas_get_num_threads();
  check(blas_threads == 2, "xgrad is loaded, OpenBLAS has " + std::to_string(blas_threads) +
                               " thread(s), the 2 OPENBLAS_NUM_THREADS asks for");

  if (mode == "api-opt-out") xgrad::set_manage_openblas_threads(false);
  const bool manage = mode == "default";
  check(xgrad::manages_openblas_threads() == manage,
        std::string("manages_openblas_threads() is ") + (manage ? "true" : "false"));
  run_a_kernel();
  const int after = openblas_get_num_threads();
  check(after == (manage ? 1 : 2), "after the first kernel OpenBLAS has " + std::to_string(after) +
                                       " thread(s), expected " + (manage ? "1" : "2 (opted out)"));
  check(mib_block_is_mmapped(), "after the first kernel a 1 MiB malloc still goes to mmap");
  grow_the_workspace();
  check(mib_block_is_mmapped(), "after the workspace grew past 1 MiB a 1 MiB malloc still goes to mmap");

  xgrad::tune_allocator_for_training();
  check(!mib_block_is_mmapped(),
        "after tune_allocator_for_training() a 1 MiB malloc comes from the heap");
  for (void* p : kept) std::free(p);
  kept_tensors.clear();
  return failures == 0 ? 0 : 1;
}
