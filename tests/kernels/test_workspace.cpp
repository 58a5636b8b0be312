// The kernels' scratch buffers (kernels/workspace.hpp): a second identical training step takes
// no new memory, the bound holds, buffers come back after an exception and at thread exit,
// release_workspace() spares buffers in use, and results do not depend on what a reused
// buffer held.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernels/conv.hpp"
#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"
#include "kernels/workspace.hpp"
#include "support/conv_support.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "xgrad/runtime.hpp"

using namespace xgrad;
using kernels::ConvDirect;
using kernels::ConvDnnl;
using kernels::WorkspaceLease;
using kernels::WorkspaceSlot;
using kernels::workspace_stats;

namespace {

class RestoreLimit {
public:
  RestoreLimit() : saved_(kernels::workspace_limit_bytes()) {}
  ~RestoreLimit() { kernels::set_workspace_limit_bytes(saved_); }
  RestoreLimit(const RestoreLimit&) = delete;
  RestoreLimit& operator=(const RestoreLimit&) = delete;

private:
  std::size_t saved_;
};

std::vector<test::ConvPath> paths() {
  std::vector<test::ConvPath> p{{"im2col", ConvDnnl::Never, ConvDirect::Never},
                      {"direct", ConvDnnl::Never, ConvDirect::Always}};
  if (kernels::conv_has_dnnl()) p.push_back({"oneDNN", ConvDnnl::Always, ConvDirect::Never});
  return p;
}

/// A convolution's three passes, float32 (float64 runs the same im2col and direct code).
struct ConvStep {
  kernels::ConvGeometry g = kernels::make_geometry(6, 11, 9, 5, 3, 3, 7, 1, 1, true);
  xt::xarray<float> x = test::random_array<float>({6, 11, 9, 5}, 1);
  xt::xarray<float> w = test::random_array<float>({3, 3, 5, 7}, 2);
  xt::xarray<float> up = test::random_array<float>({6, 11, 9, 7}, 3);

  struct Out {
    xt::xarray<float> y, dx, dw;
  };
  Out run() const {
    Out o{xt::xarray<float>::from_shape({g.n, g.oh, g.ow, g.o}), xt::xarray<float>::from_shape(x.shape()),
          xt::xarray<float>::from_shape(w.shape())};
    kernels::conv2d_forward<float>(g, x.data(), w.data(), o.y.data());
    kernels::conv2d_backward<float>(g, x.data(), w.data(), up.data(), o.dx.data(), o.dw.data());
    return o;
  }
};

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool same_bits(const ConvStep::Out& a, const ConvStep::Out& b) {
  return same_bits(a.y, b.y) && same_bits(a.dx, b.dx) && same_bits(a.dw, b.dw);
}

/// Leases every slot of the calling thread at `bytes` and fills it with NaNs.
void fill_with_nans(std::size_t bytes) {
  for (int s = 0; s < int(WorkspaceSlot::Count); ++s) {
    const WorkspaceLease lease(WorkspaceSlot(s), bytes);
    std::memset(lease.data(), 0xff, bytes);
  }
}

}  // namespace

TEST_CASE("a second identical convolution step takes no new workspace memory", "[workspace]") {
  for (const test::ConvPath& path : paths()) {
    for (int threads : {1, 2}) {
      INFO(path.name << ", " << threads << " thread(s)");
      test::UseConvPath use(path);
      test::ForceThreads force(threads);
      const ConvStep step;
      const auto first = step.run();
      const auto after_first = workspace_stats();
      const auto second = step.run();
      const auto after_second = workspace_stats();
      CHECK(after_second.allocations == after_first.allocations);
      CHECK(after_second.bytes_held == after_first.bytes_held);
      CHECK(same_bits(first, second));
    }
  }
}

TEST_CASE("a second split matrix product takes no new workspace memory", "[workspace]") {
  test::ForceThreads force(2);
  // Depth much larger than m and n: split by depth, partial products in the workspace.
  const std::size_t m = 8, n = 12, k = 4096;
  const auto a = test::random_array<float>({m, k}, 4), b = test::random_array<float>({k, n}, 5);
  xt::xarray<float> c1 = xt::zeros<float>({m, n}), c2 = xt::zeros<float>({m, n});
  kernels::gemm<float>(false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c1.data(), n);
  const auto before = workspace_stats();
  kernels::gemm<float>(false, false, m, n, k, 1.f, a.data(), k, b.data(), n, 0.f, c2.data(), n);
  CHECK(workspace_stats().allocations == before.allocations);
  CHECK(same_bits(c1, c2));
}

TEST_CASE("results do not depend on what the workspace held before", "[workspace]") {
  for (const test::ConvPath& path : paths()) {
    for (int threads : {1, 2}) {
      INFO(path.name << ", " << threads << " thread(s)");
      test::UseConvPath use(path);
      test::ForceThreads force(threads);
      const ConvStep step;
      release_workspace();
      const auto fresh = step.run();  // freshly mapped buffers: zeros
      fill_with_nans(1 << 20);
      CHECK(same_bits(step.run(), fresh));
      RestoreLimit restore_limit;
      kernels::set_workspace_limit_bytes(0);  // every buffer freed after its call
      CHECK(same_bits(step.run(), fresh));
    }
  }
}

TEST_CASE("a thread keeps at most the workspace limit between calls", "[workspace]") {
  RestoreLimit restore;
  release_workspace();
  REQUIRE(workspace_stats().bytes_held == 0);
  kernels::set_workspace_limit_bytes(1 << 20);
  {
    const WorkspaceLease small(WorkspaceSlot::ConvColumns, 256 << 10);
    {
      // Over the limit with `small`: freed when it ends.
      const WorkspaceLease big(WorkspaceSlot::ConvPartials, 2 << 20);
      CHECK(workspace_stats().bytes_held == (256u << 10) + (2u << 20));
    }
    CHECK(workspace_stats().bytes_held == 256u << 10);
  }
  CHECK(workspace_stats().bytes_held == 256u << 10);  // within the limit: kept
  release_workspace();
  CHECK(workspace_stats().bytes_held == 0);
  // With a limit of 0 the kernels keep nothing, on any thread.
  kernels::set_workspace_limit_bytes(0);
  for (const test::ConvPath& path : paths()) {
    INFO(path.name);
    test::UseConvPath use(path);
    test::ForceThreads force(2);
    ConvStep().run();
    CHECK(workspace_stats().bytes_held == 0);
  }
}

TEST_CASE("a buffer grows, is reused, and a nested lease of its slot gets its own",
          "[workspace]") {
  release_workspace();
  const auto start = workspace_stats();
  {
    const WorkspaceLease a(WorkspaceSlot::GemmPartials, 100000);
    REQUIRE(a.data() != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(a.data()) % 64 == 0);
    std::memset(a.data(), 1, 100000);
  }
  const auto grown = workspace_stats();
  CHECK(grown.allocations == start.allocations + 1);
  {
    const WorkspaceLease again(WorkspaceSlot::GemmPartials, 5000);  // smaller: the same buffer
    CHECK(workspace_stats().allocations == grown.allocations);
    const WorkspaceLease nested(WorkspaceSlot::GemmPartials, 5000);
    CHECK(nested.data() != again.data());
    CHECK(workspace_stats().allocations == grown.allocations + 1);
  }
  CHECK(workspace_stats().bytes_held == grown.bytes_held);  // the nested one is freed
  release_workspace();
}

TEST_CASE("an exception inside a kernel's parts leaves the workspace usable", "[workspace]") {
  test::ForceThreads force(2);
  test::RestoreConvTuning restore;
  kernels::conv_tuning().dnnl = ConvDnnl::Never;
  kernels::conv_tuning().direct = ConvDirect::Never;
  const ConvStep step;
  const auto expected = step.run();
  // Every part holds a lease of the slot the convolution uses when the exception comes.
  CHECK_THROWS_AS(kernels::run_parts(4,
                                     [](int part, int) {
                                       const WorkspaceLease lease(WorkspaceSlot::ConvColumns, 1 << 16);
                                       std::memset(lease.data(), 0xff, 1 << 16);
                                       if (part == 1) throw std::runtime_error("part 1 failed");
                                     }),
                  std::runtime_error);
  const auto before = workspace_stats();
  {
    // No lease was left held: the calling thread's buffer is reused, not a nested one taken.
    const WorkspaceLease lease(WorkspaceSlot::ConvColumns, 1 << 16);
    CHECK(workspace_stats().allocations == before.allocations);
  }
  CHECK(same_bits(step.run(), expected));
}

TEST_CASE("a thread's workspace is freed when it exits, and release spares buffers in use",
          "[workspace]") {
  release_workspace();
  const std::size_t held = workspace_stats().bytes_held;
  std::thread([] {
    const WorkspaceLease lease(WorkspaceSlot::DnnlScratchpad, 3 << 20);
    std::memset(lease.data(), 1, 3 << 20);
  }).join();
  CHECK(workspace_stats().bytes_held == held);

  const WorkspaceLease mine(WorkspaceSlot::DnnlWeights, 1 << 20);
  std::memset(mine.data(), 2, 1 << 20);
  std::thread([] { release_workspace(); }).join();  // another thread releases
  CHECK(workspace_stats().bytes_held >= std::size_t(1) << 20);
  const auto* bytes = static_cast<const unsigned char*>(mine.data());
  CHECK((bytes[0] == 2 && bytes[(1 << 20) - 1] == 2));  // still mapped, untouched
}

TEST_CASE("a lease of no slot is refused", "[workspace]") {
  CHECK_THROWS_AS(WorkspaceLease(WorkspaceSlot::Count, 16), std::invalid_argument);
}

// Run by ctest with XGRAD_WORKSPACE_MB=3 and =lots (tests/CMakeLists.txt).
TEST_CASE("XGRAD_WORKSPACE_MB sets the bound, and a bad value is refused", "[.workspace_env]") {
  const char* env = std::getenv("XGRAD_WORKSPACE_MB");
  REQUIRE(env != nullptr);
  if (std::string(env) == "3") {
    CHECK(kernels::workspace_limit_bytes() == std::size_t(3) << 20);
  } else {
    CHECK_THROWS_WITH(kernels::workspace_limit_bytes(),
                      Catch::Contains("XGRAD_WORKSPACE_MB") && Catch::Contains(env));
    // A lease (a kernel's) reports it too, when it starts.
    CHECK_THROWS_AS(WorkspaceLease(WorkspaceSlot::ConvColumns, 64), std::invalid_argument);
  }
}
