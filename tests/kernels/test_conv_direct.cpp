// The direct conv kernels (kernels/conv_direct.hpp) against im2col + GEMM on the same inputs:
// forward, input gradient and filter gradient, over channel counts, strides, paddings, kernel
// shapes, odd sizes, batch sizes and thread counts; and a gradcheck through the direct path.
#include <array>
#include <string>
#include <vector>

#include "kernels/conv.hpp"
#include "support/conv_support.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "xgrad/ops/conv.hpp"

using namespace xgrad;
using kernels::ConvDirect;

namespace {

template <class T>
struct Results {
  xt::xarray<T> y, dx, dw;
};

template <class T>
Results<T> run_kernels(const kernels::ConvGeometry& g, const xt::xarray<T>& x,
                       const xt::xarray<T>& w, const xt::xarray<T>& up, ConvDirect mode) {
  test::RestoreConvTuning restore;
  kernels::conv_tuning().direct = mode;
  Results<T> r;
  r.y = xt::xarray<T>::from_shape({g.n, g.oh, g.ow, g.o});
  r.dx = xt::xarray<T>::from_shape(x.shape());
  r.dw = xt::xarray<T>::from_shape(w.shape());
  // Garbage first: every kernel must overwrite its whole output.
  r.y.fill(T(7));
  r.dx.fill(T(7));
  r.dw.fill(T(7));
  kernels::conv2d_forward<T>(g, x.data(), w.data(), r.y.data());
  kernels::conv2d_backward<T>(g, x.data(), w.data(), up.data(), r.dx.data(), r.dw.data());
  return r;
}

struct Geo {
  std::size_t kh, kw, s, h, w;
  bool same;
};

std::string describe(const Geo& q, std::size_t n, std::size_t c, std::size_t o, int threads) {
  return "k " + std::to_string(q.kh) + "x" + std::to_string(q.kw) + " s " + std::to_string(q.s) +
         (q.same ? " SAME" : " VALID") + " in " + std::to_string(n) + "x" + std::to_string(q.h) +
         "x" + std::to_string(q.w) + "x" + std::to_string(c) + " o " + std::to_string(o) +
         " threads " + std::to_string(threads);
}

/// Both paths on the same random inputs (the caller sets `threads` with ForceThreads: changing
/// the thread count per call restarts the pool, which made the sweep take seconds).
template <class T>
void compare_paths(const Geo& q, std::size_t n, std::size_t c, std::size_t o, int threads,
                   std::uint64_t seed, double tol) {
  INFO(describe(q, n, c, o, threads));
  const auto g = kernels::make_geometry(n, q.h, q.w, c, q.kh, q.kw, o, q.s, q.s, q.same);
  const auto x = test::random_array<T>({n, q.h, q.w, c}, seed);
  const auto w = test::random_array<T>({q.kh, q.kw, c, o}, seed + 1);
  const auto up = test::random_array<T>({n, g.oh, g.ow, o}, seed + 2);
  const auto gemm = run_kernels<T>(g, x, w, up, ConvDirect::Never);
  const auto direct = run_kernels<T>(g, x, w, up, ConvDirect::Always);
  CHECK(test::all_close(direct.y, gemm.y, tol));
  CHECK(test::all_close(direct.dx, gemm.dx, tol));
  CHECK(test::all_close(direct.dw, gemm.dw, tol));
}

std::vector<Geo> geometries() {
  std::vector<Geo> out;
  const std::vector<std::array<std::size_t, 2>> kernels = {{3, 3}, {1, 3}, {5, 5}, {2, 2}};
  const std::vector<std::array<std::size_t, 2>> sizes = {{7, 9}, {28, 28}, {1, 1}};
  for (auto k : kernels)
    for (std::size_t s : {1, 2})
      for (bool same : {true, false})
        for (auto hw : sizes) {
          if (!same && (k[0] > hw[0] || k[1] > hw[1])) continue;  // VALID needs k <= input
          out.push_back({k[0], k[1], s, hw[0], hw[1], same});
        }
  return out;
}

}  // namespace

TEST_CASE("direct conv kernels match im2col + GEMM", "[conv][conv_direct]") {
  const std::vector<std::size_t> cs = {1, 2, 3, 4, 8, 12}, os = {1, 4, 5, 8, 12, 17};
  for (int threads : {1, 2, 3}) {
    test::ForceThreads force(threads);
    std::uint64_t seed = 1000;
    std::size_t combo = 0;
    for (const Geo& q : geometries())
      for (std::size_t c : cs)
        for (std::size_t o : os) {
          ++combo;
          // Each combination runs with one thread count, a sixth of them split (a parallel call
          // costs milliseconds on a busy 2-core host); 28x28 only every other channel pair.
          const int want = combo % 12 == 0 ? 2 : combo % 12 == 6 ? 3 : 1;
          if (want != threads) continue;
          if (q.h == 28 && combo % 2 != 0) continue;
          const std::size_t n = combo % 2 ? 3 : 1;
          compare_paths<double>(q, n, c, o, threads, seed + 3 * combo, 1e-12);
          compare_paths<float>(q, n, c, o, threads, seed + 3 * combo, 1e-4);
        }
  }
}

TEST_CASE("direct conv kernels: batch and thread splits give the same result",
          "[conv][conv_direct]") {
  // Whole images per thread: 1..3 threads over 1, 2, 3 and 5 images.
  const Geo q{3, 3, 1, 28, 28, true}, q2{3, 3, 2, 28, 28, true};
  for (int threads : {1, 2, 3}) {
    test::ForceThreads force(threads);
    for (std::size_t n : {1, 2, 3, 5}) compare_paths<float>(q, n, 4, 8, threads, 77 + n, 1e-4);
    compare_paths<double>(q2, 5, 8, 12, threads, 91, 1e-12);
  }
}

TEST_CASE("conv2d gradients pass gradcheck through the direct kernels",
          "[conv][conv_direct][gradcheck]") {
  const std::vector<test::ConvCase> cases = {
      {{2, 5, 7, 1}, {3, 3, 1, 4}, {1, 1}, Padding::Same},
      {{1, 6, 6, 3}, {3, 3, 3, 5}, {2, 2}, Padding::Same},   // even: asymmetric pad
      {{1, 7, 5, 2}, {2, 2, 2, 3}, {1, 1}, Padding::Same},   // even kernel
      {{1, 7, 6, 2}, {5, 3, 2, 2}, {2, 1}, Padding::Valid},  // unequal strides
      {{2, 3, 4, 3}, {1, 1, 3, 2}, {2, 2}, Padding::Same},   // 1x1 strided: empty phases
      {{1, 2, 1, 2}, {3, 3, 2, 2}, {1, 1}, Padding::Same},   // kernel larger than input
  };
  test::RestoreConvTuning restore;
  kernels::conv_tuning().direct = ConvDirect::Always;
  test::require_conv_gradchecks(cases, 500);
}

TEST_CASE("direct conv: unequal strides agree with im2col + GEMM", "[conv][conv_direct]") {
  // make_geometry with sh != sw, directly (the main sweep uses equal strides).
  std::uint64_t seed = 900;
  for (auto k : std::vector<std::array<std::size_t, 2>>{{3, 3}, {2, 2}, {5, 3}})
    for (auto st : std::vector<std::array<std::size_t, 2>>{{2, 1}, {1, 2}, {3, 2}})
      for (bool same : {true, false}) {
        INFO("k " << k[0] << "x" << k[1] << " s " << st[0] << "," << st[1] << (same ? " SAME" : " VALID"));
        const std::size_t n = 2, h = 9, w = 8, c = 3, o = 5;
        const auto g = kernels::make_geometry(n, h, w, c, k[0], k[1], o, st[0], st[1], same);
        const auto x = test::random_array<double>({n, h, w, c}, seed++);
        const auto wt = test::random_array<double>({k[0], k[1], c, o}, seed++);
        const auto up = test::random_array<double>({n, g.oh, g.ow, o}, seed++);
        const auto gemm = run_kernels<double>(g, x, wt, up, ConvDirect::Never);
        const auto direct = run_kernels<double>(g, x, wt, up, ConvDirect::Always);
        CHECK(test::all_close(direct.y, gemm.y, 1e-12));
        CHECK(test::all_close(direct.dx, gemm.dx, 1e-12));
        CHECK(test::all_close(direct.dw, gemm.dw, 1e-12));
      }
}
