#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "support/window_references.hpp"
#include "xgrad/ops/pooling.hpp"

using namespace xgrad;

using test::axis_ref;
using test::pool_ref;

TEST_CASE("max_pool2d and avg_pool2d forward match a direct reference", "[pooling]") {
  const std::vector<std::array<std::size_t, 2>> ks = {{1, 1}, {2, 2}, {3, 3}, {3, 2}};
  const std::vector<std::array<std::size_t, 2>> ss = {{1, 1}, {2, 2}, {2, 1}};
  const std::vector<std::array<std::size_t, 2>> sizes = {{7, 7}, {8, 6}, {5, 4}};
  std::uint64_t seed = 1;
  for (auto k : ks)
    for (auto s : ss)
      for (auto p : {Padding::Same, Padding::Valid})
        for (auto hw : sizes)
          for (std::size_t c : {1, 3}) {
            INFO("k " << k[0] << "x" << k[1] << " s " << s[0] << "," << s[1]
                      << (p == Padding::Same ? " SAME" : " VALID") << " in " << hw[0] << "x"
                      << hw[1] << "x" << c);
            auto x = test::random_array<double>({2, hw[0], hw[1], c}, seed++);
            REQUIRE(test::all_close(max_pool2d(Tensor64(x), k, s, p).value(),
                                    pool_ref(x, k, s, p, true), 1e-12));
            REQUIRE(test::all_close(avg_pool2d(Tensor64(x), k, s, p).value(),
                                    pool_ref(x, k, s, p, false), 1e-12));
            xt::xarray<float> xf = x;
            REQUIRE(test::all_close(max_pool2d(Tensor(xf), k, s, p).value(),
                                    pool_ref(x, k, s, p, true), 1e-6));
            REQUIRE(test::all_close(avg_pool2d(Tensor(xf), k, s, p).value(),
                                    pool_ref(x, k, s, p, false), 1e-6));
          }
}

TEST_CASE("pooling SAME: padding at the bottom/right, average over real elements only",
          "[pooling]") {
  // 3x3 input 1..9, 2x2 window, stride 2: out 2x2, pad_total 1 -> bottom/right.
  xt::xarray<double> x = xt::arange<double>(1, 10);
  x.reshape({1, 3, 3, 1});
  xt::xarray<double> avg_want = {3.0, 4.5, 7.5, 9.0};  // (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1
  xt::xarray<double> max_want = {5, 6, 8, 9};
  avg_want.reshape({1, 2, 2, 1});
  max_want.reshape({1, 2, 2, 1});
  CHECK(test::all_close(avg_pool2d(Tensor64(x), {2, 2}, {2, 2}, Padding::Same).value(), avg_want,
                        1e-12));
  CHECK(test::all_close(max_pool2d(Tensor64(x), {2, 2}, {2, 2}, Padding::Same).value(), max_want,
                        1e-12));
  // Padding is not zero for max pooling: all-negative inputs stay negative.
  xt::xarray<double> neg = -x;
  auto m = max_pool2d(Tensor64(neg), {3, 3}, {1, 1}, Padding::Same);
  CHECK(m.value()(0, 0, 0, 0) == -1.0);
  CHECK(m.value()(0, 2, 2, 0) == -5.0);
}

TEST_CASE("pooling gradients pass gradcheck", "[pooling][gradcheck]") {
  struct G {
    Shape x;
    std::array<std::size_t, 2> k, s;
    Padding p;
  };
  const std::vector<G> cases = {
      {{2, 4, 4, 2}, {2, 2}, {2, 2}, Padding::Valid},
      {{1, 5, 5, 2}, {3, 3}, {2, 2}, Padding::Same},  // odd: symmetric pad
      {{1, 6, 5, 1}, {3, 3}, {2, 2}, Padding::Same},  // even height: asymmetric pad
      {{1, 5, 4, 3}, {3, 2}, {1, 1}, Padding::Same},  // overlapping windows
      {{1, 6, 5, 2}, {3, 2}, {2, 1}, Padding::Valid},
  };
  std::uint64_t seed = 200;
  for (const auto& c : cases) {
    INFO("x " << to_string(c.x) << " k " << c.k[0] << "x" << c.k[1] << " s " << c.s[0] << ","
              << c.s[1] << (c.p == Padding::Same ? " SAME" : " VALID"));
    // Distinct values, far apart relative to the finite-difference step: no ties in max.
    auto n = num_elements(c.x);
    xt::xarray<double> v = xt::arange<double>(0, double(n)) * 0.01;
    auto shuffled = test::random_array<double>({n}, seed++);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return shuffled(a) < shuffled(b); });
    xt::xarray<double> xv = xt::xarray<double>::from_shape(c.x);
    for (std::size_t i = 0; i < n; ++i) xv.flat(i) = v(order[i]) - 0.5;
    Tensor64 x(xv, true);
    auto k = c.k, s = c.s;
    auto p = c.p;
    auto fmax = [k, s, p](const std::vector<Tensor64>& in) { return max_pool2d(in[0], k, s, p); };
    auto favg = [k, s, p](const std::vector<Tensor64>& in) { return avg_pool2d(in[0], k, s, p); };
    REQUIRE_GRADCHECK(fmax, (std::vector<Tensor64>{x}));
    REQUIRE_GRADCHECK(favg, (std::vector<Tensor64>{x}));
  }
}

TEST_CASE("pooling rejects bad arguments with the shapes in the message", "[pooling]") {
  using Catch::Matchers::Contains;
  auto x = Tensor::zeros({1, 4, 4, 2});
  CHECK_THROWS_WITH(max_pool2d(Tensor::zeros({4, 4, 2}), {2, 2}, {2, 2}, Padding::Same),
                    Contains("max_pool2d") && Contains("[4, 4, 2]") && Contains("[2, 2]"));
  CHECK_THROWS_WITH(avg_pool2d(x, {2, 2}, {0, 2}, Padding::Same),
                    Contains("avg_pool2d") && Contains("stride") && Contains("[1, 4, 4, 2]"));
  CHECK_THROWS_WITH(max_pool2d(x, {0, 2}, {1, 1}, Padding::Same),
                    Contains("max_pool2d") && Contains("ksize") && Contains("[0, 2]"));
  CHECK_THROWS_WITH(avg_pool2d(x, {5, 2}, {1, 1}, Padding::Valid),
                    Contains("avg_pool2d") && Contains("VALID") && Contains("[1, 4, 4, 2]") &&
                        Contains("[5, 2]"));
  CHECK_NOTHROW(avg_pool2d(x, {5, 2}, {1, 1}, Padding::Same));
}

namespace {

// Direct reference of the input gradient for upstream g: max sends g to the first maximum of
// its window (row-major; a NaN counts as the maximum), avg spreads g / count over the real
// elements.
xt::xarray<double> pool_grad_ref(const xt::xarray<double>& x, const xt::xarray<double>& g,
                                 std::array<std::size_t, 2> k, std::array<std::size_t, 2> s,
                                 Padding p, bool is_max) {
  const std::size_t N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  std::size_t OH, OW;
  long pt, pl;
  axis_ref(H, k[0], s[0], p, OH, pt);
  axis_ref(W, k[1], s[1], p, OW, pl);
  xt::xarray<double> dx = xt::zeros<double>(x.shape());
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox)
        for (std::size_t c = 0; c < C; ++c) {
          std::vector<std::array<std::size_t, 2>> real;
          for (std::size_t ky = 0; ky < k[0]; ++ky)
            for (std::size_t kx = 0; kx < k[1]; ++kx) {
              long iy = long(oy * s[0] + ky) - pt, ix = long(ox * s[1] + kx) - pl;
              if (iy >= 0 && ix >= 0 && iy < long(H) && ix < long(W))
                real.push_back({std::size_t(iy), std::size_t(ix)});
            }
          const double up = g(n, oy, ox, c);
          if (!is_max) {
            for (auto [y, x_] : real) dx(n, y, x_, c) += up / double(real.size());
            continue;
          }
          auto best = real[0];
          for (auto [y, x_] : real) {
            const double v = x(n, y, x_, c), b = x(n, best[0], best[1], c);
            if (std::isnan(b)) break;
            if (std::isnan(v) || v > b) best = {y, x_};
          }
          dx(n, best[0], best[1], c) += up;
        }
  return dx;
}

}  // namespace

TEST_CASE("pooling on many channels (the vectorised channel loops) matches the references",
          "[pooling]") {
  struct Case {
    std::array<std::size_t, 2> k, s;
    Padding p;
  };
  const std::vector<Case> cases = {{{2, 2}, {2, 2}, Padding::Valid},
                                   {{3, 3}, {1, 1}, Padding::Same},   // overlapping windows
                                   {{3, 2}, {2, 1}, Padding::Same}};  // asymmetric padding
  std::uint64_t seed = 400;
  for (const auto& cs : cases)
    for (std::size_t c : {8, 19, 64}) {  // whole vectors, vectors + tail, many vectors
      INFO("k " << cs.k[0] << "x" << cs.k[1] << " s " << cs.s[0] << "," << cs.s[1]
                << (cs.p == Padding::Same ? " SAME" : " VALID") << " channels " << c);
      // Values on a 1/64 grid: ties in the max windows, exact in float.
      xt::xarray<double> x = xt::round(test::random_array<double>({2, 7, 6, c}, seed++) * 4) / 64;
      for (bool is_max : {true, false}) {
        Tensor xf(xt::xarray<float>(x), true);
        Tensor64 xd(x, true);
        Tensor yf = is_max ? max_pool2d(xf, cs.k, cs.s, cs.p) : avg_pool2d(xf, cs.k, cs.s, cs.p);
        Tensor64 yd = is_max ? max_pool2d(xd, cs.k, cs.s, cs.p) : avg_pool2d(xd, cs.k, cs.s, cs.p);
        const auto want = pool_ref(x, cs.k, cs.s, cs.p, is_max);
        REQUIRE(test::all_close(yf.value(), want, 1e-6));
        REQUIRE(test::all_close(yd.value(), want, 1e-12));
        xt::xarray<double> g = test::random_array<double>(Shape(want.shape().begin(), want.shape().end()), seed++);
        yf.backward(xt::xarray<float>(g));
        yd.backward(g);
        const auto grad_want = pool_grad_ref(x, g, cs.k, cs.s, cs.p, is_max);
        CHECK(test::all_close(xf.grad(), grad_want, 1e-5));
        CHECK(test::all_close(xd.grad(), grad_want, 1e-12));
      }
    }
}

TEST_CASE("max_pool2d gradient goes to the first maximum of the window, or to its NaN",
          "[pooling]") {
  // One 2x2 window, 9 channels (a vector of 8 floats and a tail): channel c holds
  // [[a, b], [d, e]] below; the upstream gradient is c + 1.
  const std::vector<std::array<double, 4>> channels = {
      {1, 2, 3, 4},    // max last
      {4, 3, 2, 1},    // max first
      {1, 5, 5, 0},    // tie: the first in row-major order (b)
      {7, 7, 7, 7},    // all equal: a
      {-3, -1, -2, -4},  // negative: b
      {0, NAN, 9, 1},  // NaN: output NaN, gradient to the NaN
      {2, 1, 9, NAN},  // NaN last still wins
      {-1, -1, 0, 0},  // tie between d and e: d
      {3, 9, 9, 9},    // the tail channel: b
  };
  const std::size_t C = channels.size();
  xt::xarray<double> x = xt::zeros<double>({std::size_t(1), std::size_t(2), std::size_t(2), C});
  xt::xarray<double> g = xt::zeros<double>({std::size_t(1), std::size_t(1), std::size_t(1), C});
  for (std::size_t c = 0; c < C; ++c) {
    for (std::size_t i = 0; i < 4; ++i) x(0, i / 2, i % 2, c) = channels[c][i];
    g(0, 0, 0, c) = double(c + 1);
  }
  // Hand-computed winners (position in the window, row-major) and maxima.
  const std::vector<std::size_t> winner = {3, 0, 1, 0, 1, 1, 3, 2, 1};
  const std::vector<double> maximum = {4, 4, 5, 7, -1, NAN, NAN, 0, 9};
  auto check = [&](const auto& y, const auto& dx) {
    for (std::size_t c = 0; c < C; ++c) {
      INFO("channel " << c);
      if (std::isnan(maximum[c]))
        CHECK(std::isnan(double(y(0, 0, 0, c))));
      else
        CHECK(double(y(0, 0, 0, c)) == maximum[c]);
      for (std::size_t i = 0; i < 4; ++i)
        CHECK(double(dx(0, i / 2, i % 2, c)) == (i == winner[c] ? double(c + 1) : 0.0));
    }
  };
  Tensor xf(xt::xarray<float>(x), true);
  Tensor yf = max_pool2d(xf, {2, 2}, {2, 2}, Padding::Valid);
  yf.backward(xt::xarray<float>(g));
  check(yf.value(), xf.grad());
  Tensor64 xd(x, true);
  Tensor64 yd = max_pool2d(xd, {2, 2}, {2, 2}, Padding::Valid);
  yd.backward(g);
  check(yd.value(), xd.grad());
}

namespace {

/// Everything the pooling kernels compute for one input, in T: the output, the input gradient
/// for upstream u (the array backward: max_pool_backward / avg_pool_backward), and the
/// second-order gradient along v of <u, pool(x)^3>, whose differentiable backward runs
/// max_pool_argmax_offsets and the scatter/take of max_pool_backprop (or avg pooling's
/// adjoint pair).
template <class T>
std::vector<xt::xarray<T>> pool_results(bool is_max, const xt::xarray<double>& xv,
                                        std::array<std::size_t, 2> k,
                                        std::array<std::size_t, 2> s, Padding p,
                                        std::uint64_t seed) {
  auto pool = [&](const BasicTensor<T>& x) {
    return is_max ? max_pool2d(x, k, s, p) : avg_pool2d(x, k, s, p);
  };
  BasicTensor<T> x(xt::xarray<T>(xt::cast<T>(xv)), true);
  const auto y = pool(x);
  const xt::xarray<T> u = xt::cast<T>(test::random_array<double>(to_shape(y.shape()), seed));
  const xt::xarray<T> v = xt::cast<T>(test::random_array<double>(to_shape(xv.shape()), seed + 1));
  y.backward(u);
  BasicTensor<T> x2(x.value(), true);
  const auto y2 = pool(x2);
  const auto g = autograd::grad<T>({y2 * square(y2)}, {x2}, {BasicTensor<T>(u)},
                                   autograd::GradOptions().create_graph(true));
  const auto gg = autograd::grad<T>({g[0]}, {x2}, {BasicTensor<T>(v)});
  return {y.value(), x.grad(), g[0].value(), gg[0].value()};
}

template <class T>
void check_threads_agree() {
  struct Case {
    std::array<std::size_t, 2> k, s;
    Padding p;
  };
  const std::vector<Case> cases = {{{2, 2}, {2, 2}, Padding::Valid},
                                   {{2, 2}, {2, 2}, Padding::Same},
                                   {{3, 3}, {1, 1}, Padding::Same},  // overlapping windows
                                   {{3, 3}, {2, 2}, Padding::Same},  // overlapping, strided
                                   {{3, 2}, {1, 1}, Padding::Valid}};
  std::uint64_t seed = 700;
  for (const auto& cs : cases)
    for (std::size_t n : {1, 5})         // one image (split by rows), more images than threads
      for (std::size_t c : {3, 17})      // less than a vector, vectors + a tail
        for (bool is_max : {true, false}) {
          INFO((is_max ? "max" : "avg") << " k " << cs.k[0] << "x" << cs.k[1] << " s "
                                        << cs.s[0] << (cs.p == Padding::Same ? " SAME" : " VALID")
                                        << " n " << n << " c " << c);
          const auto x = test::random_array<double>({n, 7, 5, c}, seed);
          std::vector<xt::xarray<T>> serial, parallel;
          {
            test::ForceThreads one(1);
            serial = pool_results<T>(is_max, x, cs.k, cs.s, cs.p, seed + 1);
          }
          for (int threads : {2, 3}) {  // 3: parts of uneven sizes
            INFO(threads << " threads");
            test::ForceThreads force(threads);
            parallel = pool_results<T>(is_max, x, cs.k, cs.s, cs.p, seed + 1);
            REQUIRE(parallel.size() == serial.size());
            for (std::size_t i = 0; i < serial.size(); ++i) {
              INFO("result " << i << " (output, input gradient, gradient, second order)");
              CHECK((parallel[i] == serial[i]));
            }
          }
          seed += 2;
        }
}

}  // namespace

TEST_CASE("pooling gives the same bits on 1, 2 and 3 threads, forward and backward",
          "[pooling][threads]") {
  // ForceThreads splits even these small inputs: by images (5 images) or by rows (1 image).
  check_threads_agree<float>();
  check_threads_agree<double>();
}
