// Every float32 convolution path (oneDNN's primitives, xgrad's direct kernels, im2col + GEMM)
// against each other and a plain loop reference: forward, input gradient and filter gradient on
// SAME and VALID, strides 1 and 2, odd sizes, batch 1, 1x1 and 5x5 kernels, with 1 and 2
// threads; bit-identical reruns; and the primitive cache (a second step creates nothing).
// The SIMD sets are chosen per process (XGRAD_ISA, ONEDNN_MAX_CPU_ISA): tests/CMakeLists.txt
// runs the "[conv_paths]" tests once per set the CPU has.
#include <array>
#include <cstdlib>
#include <string>
#include <vector>

#include "config.hpp"
#include "kernels/conv.hpp"
#include "kernels/simd_isa.hpp"
#include "support/conv_support.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "xgrad/cpu.hpp"
#include "xgrad/ops/conv.hpp"
#include "xgrad/ops/reduction.hpp"
#if defined(XGRAD_WITH_DNNL)
#include "kernels/dnnl_conv.hpp"
#endif

using namespace xgrad;
using kernels::ConvDirect;
using kernels::ConvDnnl;

namespace {

struct Results {
  xt::xarray<float> y, dx, dw;
};

const test::ConvPath kPaths[] = {{"oneDNN", ConvDnnl::Always, ConvDirect::Never},
                       {"direct", ConvDnnl::Never, ConvDirect::Always},
                       {"im2col", ConvDnnl::Never, ConvDirect::Never},
                       {"auto", ConvDnnl::Auto, ConvDirect::Auto}};

Results run_path(const kernels::ConvGeometry& g, const xt::xarray<float>& x,
                 const xt::xarray<float>& w, const xt::xarray<float>& up, const test::ConvPath& path) {
  test::UseConvPath use(path);
  Results r;
  r.y = xt::xarray<float>::from_shape({g.n, g.oh, g.ow, g.o});
  r.dx = xt::xarray<float>::from_shape(x.shape());
  r.dw = xt::xarray<float>::from_shape(w.shape());
  // Garbage first: every path must overwrite its whole output.
  r.y.fill(7.f);
  r.dx.fill(7.f);
  r.dw.fill(7.f);
  kernels::conv2d_forward<float>(g, x.data(), w.data(), r.y.data());
  kernels::conv2d_backward<float>(g, x.data(), w.data(), up.data(), r.dx.data(), r.dw.data());
  return r;
}

/// The definition, in double: y[n, i, j, o] = sum over taps of x[n, i*s + a - pad, ...] w[a, b,
/// c, o], and its two adjoints, by plain loops.
struct Reference {
  xt::xarray<double> y, dx, dw;
};

Reference reference(const kernels::ConvGeometry& g, const xt::xarray<float>& x,
                    const xt::xarray<float>& w, const xt::xarray<float>& up) {
  Reference r;
  r.y = xt::zeros<double>({g.n, g.oh, g.ow, g.o});
  r.dx = xt::zeros<double>({g.n, g.h, g.w, g.c});
  r.dw = xt::zeros<double>({g.kh, g.kw, g.c, g.o});
  for (std::size_t n = 0; n < g.n; ++n)
    for (std::size_t i = 0; i < g.oh; ++i)
      for (std::size_t j = 0; j < g.ow; ++j)
        for (std::size_t a = 0; a < g.kh; ++a)
          for (std::size_t b = 0; b < g.kw; ++b) {
            const long yy = long(i * g.sh + a) - long(g.pad_top);
            const long xx = long(j * g.sw + b) - long(g.pad_left);
            if (yy < 0 || xx < 0 || yy >= long(g.h) || xx >= long(g.w)) continue;
            for (std::size_t c = 0; c < g.c; ++c)
              for (std::size_t o = 0; o < g.o; ++o) {
                const double xv = x(n, yy, xx, c), wv = w(a, b, c, o), gv = up(n, i, j, o);
                r.y(n, i, j, o) += xv * wv;
                r.dx(n, yy, xx, c) += gv * wv;
                r.dw(a, b, c, o) += gv * xv;
              }
          }
  return r;
}

struct Geo {
  std::size_t n, h, w, c, kh, kw, o, s;
  bool same;
};

std::string describe(const Geo& q) {
  return std::to_string(q.n) + "x" + std::to_string(q.h) + "x" + std::to_string(q.w) + "x" +
         std::to_string(q.c) + " k " + std::to_string(q.kh) + "x" + std::to_string(q.kw) +
         " o " + std::to_string(q.o) + " s " + std::to_string(q.s) + (q.same ? " SAME" : " VALID");
}

std::vector<Geo> geometries() {
  return {
      {2, 7, 9, 3, 3, 3, 5, 1, true},    // odd sizes, few channels
      {1, 8, 8, 16, 3, 3, 24, 2, true},  // batch 1, stride 2, even size: asymmetric SAME pad
      {3, 9, 7, 12, 3, 3, 8, 2, false},  // VALID stride 2, odd: a remainder left unread
      {2, 6, 5, 8, 1, 1, 16, 1, true},   // 1x1
      {2, 5, 6, 32, 1, 1, 8, 2, true},   // 1x1 strided
      {1, 11, 10, 4, 5, 5, 6, 1, true},  // 5x5, batch 1
      {3, 12, 9, 9, 5, 5, 7, 2, true},   // 5x5 stride 2 SAME, odd pad
      {2, 10, 10, 40, 5, 5, 3, 1, false},  // 5x5 VALID, many channels
      {4, 6, 6, 33, 3, 3, 40, 1, true},  // above the filter-gradient rule's bound
      {1, 2, 1, 2, 3, 3, 2, 1, true},    // kernel larger than the input
  };
}

/// Every path against the reference and each other, for `threads` threads.
void check_paths(int threads) {
  test::ForceThreads force(threads);
  std::uint64_t seed = 4000;
  for (const Geo& q : geometries()) {
    const auto g = kernels::make_geometry(q.n, q.h, q.w, q.c, q.kh, q.kw, q.o, q.s, q.s, q.same);
    const auto x = test::random_array<float>({q.n, q.h, q.w, q.c}, seed++);
    const auto w = test::random_array<float>({q.kh, q.kw, q.c, q.o}, seed++);
    const auto up = test::random_array<float>({q.n, g.oh, g.ow, q.o}, seed++);
    const Reference ref = reference(g, x, w, up);
    for (const test::ConvPath& path : kPaths) {
      INFO(describe(q) << " path " << path.name << " threads " << threads << " isa "
                       << simd_isa() << " backend " << compute_backend());
#if defined(XGRAD_WITH_DNNL)
      const std::size_t passes = kernels::dnnl_conv_passes_run();
#endif
      const Results r = run_path(g, x, w, up, path);
#if defined(XGRAD_WITH_DNNL)
      // The oneDNN path ran all three passes on oneDNN, not on the fallback.
      if (path.dnnl == ConvDnnl::Always) CHECK(kernels::dnnl_conv_passes_run() == passes + 3);
#endif
      CHECK(test::all_close(r.y, ref.y, 2e-5));
      CHECK(test::all_close(r.dx, ref.dx, 2e-5));
      CHECK(test::all_close(r.dw, ref.dw, 2e-5));
    }
  }
}

}  // namespace

TEST_CASE("conv paths: oneDNN, direct and im2col agree with the plain loops, 1 thread",
          "[conv][conv_paths]") {
  check_paths(1);
}

TEST_CASE("conv paths: oneDNN, direct and im2col agree with the plain loops, 2 threads",
          "[conv][conv_paths]") {
  check_paths(2);
}

TEST_CASE("conv paths: a rerun with the same thread count is bit-identical", "[conv][conv_paths]") {
  // Batch 6 in up to 4 parts of unequal size (two primitives), and the filter gradient summed
  // over parts.
  const auto g = kernels::make_geometry(6, 9, 9, 12, 3, 3, 16, 1, 1, true);
  const auto x = test::random_array<float>({g.n, g.h, g.w, g.c}, 11);
  const auto w = test::random_array<float>({3, 3, g.c, g.o}, 12);
  const auto up = test::random_array<float>({g.n, g.oh, g.ow, g.o}, 13);
  for (int threads : {1, 2}) {
    test::ForceThreads force(threads);
    for (const test::ConvPath& path : kPaths) {
      INFO("path " << path.name << " threads " << threads);
      const Results a = run_path(g, x, w, up, path);
      const Results b = run_path(g, x, w, up, path);
      CHECK(a.y == b.y);
      CHECK(a.dx == b.dx);
      CHECK(a.dw == b.dw);
    }
  }
}

TEST_CASE("conv paths: the SIMD sets in use are the ones asked for", "[conv][conv_paths]") {
  // The ctest entries per set (tests/CMakeLists.txt) cap XGRAD_ISA; a set this CPU lacks runs
  // capped to what it has, and says so here.
  const char* asked = std::getenv("XGRAD_ISA");
  if (asked && std::string(asked) != simd_isa()) {
    WARN("skipped: this CPU has no " << asked << "; the conv paths ran with " << simd_isa());
  }
  INFO("compute backend " << compute_backend());
  CHECK(std::string(compute_backend()).find("OpenBLAS") != std::string::npos);
  CHECK(kernels::conv_has_dnnl() == (std::string(compute_backend()).find("oneDNN") == 0));
}

#if defined(XGRAD_WITH_DNNL)

TEST_CASE("conv paths: oneDNN's primitives are cached, a second step creates none",
          "[conv][conv_paths][conv_dnnl]") {
  test::RestoreConvTuning restore;
  kernels::conv_tuning().dnnl = ConvDnnl::Always;
  // A shape no other test uses, so its first step creates primitives.
  const auto g = kernels::make_geometry(5, 13, 11, 10, 3, 3, 14, 1, 1, true);
  const auto x = test::random_array<float>({g.n, g.h, g.w, g.c}, 21);
  const auto w = test::random_array<float>({3, 3, g.c, g.o}, 22);
  const auto up = test::random_array<float>({g.n, g.oh, g.ow, g.o}, 23);
  const test::ConvPath dnnl{"oneDNN", ConvDnnl::Always, ConvDirect::Never};
  for (int threads : {1, 2}) {
    test::ForceThreads force(threads);
    const std::size_t before = kernels::dnnl_primitives_created();
    run_path(g, x, w, up, dnnl);
    const std::size_t first = kernels::dnnl_primitives_created();
    if (threads == 1) CHECK(first > before);  // forward, both gradients (and reorders)
    run_path(g, x, w, up, dnnl);
    run_path(g, x, w, up, dnnl);
    CHECK(kernels::dnnl_primitives_created() == first);
  }
}

TEST_CASE("conv paths: the plan cache keeps at most its bound, evicting the least recently used",
          "[conv][conv_dnnl]") {
  // A program whose shapes keep changing: more shapes than the bound, then the first again
  // (evicted, so made anew) still right.
  test::RestoreConvTuning restore;
  kernels::conv_tuning().dnnl = ConvDnnl::Always;
  test::ForceThreads force(1);
  auto forward = [](std::size_t h) {
    const auto g = kernels::make_geometry(1, h, 3, 2, 1, 1, 3, 1, 1, true);
    const auto x = test::random_array<float>({g.n, g.h, g.w, g.c}, 41);
    const auto w = test::random_array<float>({1, 1, g.c, g.o}, 42);
    xt::xarray<float> y = xt::zeros<float>({g.n, g.oh, g.ow, g.o});
    REQUIRE(kernels::dnnl_conv_forward(g, x.data(), w.data(), y.data()));
    const xt::xarray<float> up = xt::zeros<float>(y.shape());
    CHECK(test::all_close(xt::xarray<double>(xt::cast<double>(y)), reference(g, x, w, up).y, 1e-6));
  };
  const std::size_t bound = config::kMaxDnnlConvPlans;
  for (std::size_t h = 1; h <= bound + 20; ++h) forward(1000 + h);
  CHECK(kernels::dnnl_conv_plans_cached() == bound);
  const std::size_t before = kernels::dnnl_primitives_created();
  forward(1001);  // evicted long ago
  CHECK(kernels::dnnl_primitives_created() > before);
  CHECK(kernels::dnnl_conv_plans_cached() == bound);
}

TEST_CASE("conv2d through oneDNN: gradients pass gradcheck of the float32 op against float64",
          "[conv][conv_dnnl]") {
  // float64 never reaches oneDNN; the float32 op's gradients, through oneDNN, against the
  // float64 op's on the same values.
  test::RestoreConvTuning restore;
  kernels::conv_tuning().dnnl = ConvDnnl::Always;
  const auto xa = test::random_array<float>({2, 7, 6, 9}, 31);
  const auto wa = test::random_array<float>({3, 3, 9, 10}, 32);
  Tensor x32(xa, true), w32(wa, true);
  Tensor64 x(xt::xarray<double>(xt::cast<double>(xa)), true);
  Tensor64 w(xt::xarray<double>(xt::cast<double>(wa)), true);
  reduce_sum(conv2d(x32, w32, {2, 2}, Padding::Same)).backward();
  reduce_sum(conv2d(x, w, {2, 2}, Padding::Same)).backward();
  CHECK(test::all_close(x32.grad(), x.grad(), 1e-5));
  CHECK(test::all_close(w32.grad(), w.grad(), 1e-5));
}

#else

TEST_CASE("conv paths: a build without oneDNN runs every convolution on xgrad's kernels",
          "[conv][conv_paths]") {
  CHECK_FALSE(kernels::conv_has_dnnl());
  CHECK(std::string(compute_backend()) == "OpenBLAS");
}

#endif
