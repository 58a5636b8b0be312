#include <string>
#include <vector>

#include "kernels/conv.hpp"
#include "kernels/parallel.hpp"
#include "support/conv_support.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "support/window_references.hpp"
#include "xgrad/ops/conv.hpp"
#include "xgrad/threads.hpp"

using namespace xgrad;

namespace {

struct Cfg {
  std::size_t kh, kw, sh, sw;
  Padding pad;
};

using test::axis_ref;
using test::conv_ref;

std::string describe(const Cfg& c, std::size_t h, std::size_t w, std::size_t ch) {
  return "k " + std::to_string(c.kh) + "x" + std::to_string(c.kw) + " s " + std::to_string(c.sh) +
         "," + std::to_string(c.sw) + (c.pad == Padding::Same ? " SAME" : " VALID") + " in " +
         std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(ch);
}

}  // namespace

TEST_CASE("conv2d forward matches a direct reference", "[conv]") {
  const std::vector<std::array<std::size_t, 2>> kernels = {{1, 1}, {3, 3}, {5, 3}};
  const std::vector<std::array<std::size_t, 2>> strides = {{1, 1}, {2, 2}, {2, 1}};
  const std::vector<std::array<std::size_t, 2>> sizes = {{7, 7}, {8, 6}, {6, 9}, {5, 5}};
  std::uint64_t seed = 1;
  for (auto k : kernels)
    for (auto s : strides)
      for (auto pad : {Padding::Same, Padding::Valid})
        for (auto hw : sizes)
          for (std::size_t c : {1, 3}) {
            Cfg cfg{k[0], k[1], s[0], s[1], pad};
            INFO(describe(cfg, hw[0], hw[1], c));
            auto x = test::random_array<double>({2, hw[0], hw[1], c}, seed++);
            auto w = test::random_array<double>({k[0], k[1], c, 4}, seed++);
            auto want = conv_ref(x, w, s[0], s[1], pad);
            auto got = conv2d(Tensor64(x), Tensor64(w), s, pad);
            REQUIRE(test::all_close(got.value(), want, 1e-12));
            // float32 goes through sgemm: same result to float precision.
            xt::xarray<float> xf = x, wf = w;
            auto gotf = conv2d(Tensor(xf), Tensor(wf), s, pad);
            REQUIRE(test::all_close(gotf.value(), want, 1e-5));
          }
}

TEST_CASE("conv2d SAME puts the odd extra padding at the bottom/right", "[conv]") {
  // 4x4 input 1..16, 3x3 ones, stride 2: out 2x2, pad_total 1 -> top/left 0, bottom/right 1.
  xt::xarray<double> x = xt::arange<double>(1, 17);
  x.reshape({1, 4, 4, 1});
  xt::xarray<double> w = xt::ones<double>({3, 3, 1, 1});
  auto y = conv2d(Tensor64(x), Tensor64(w), {2, 2}, Padding::Same);
  REQUIRE(y.shape() == Shape{1, 2, 2, 1});
  // [0,0]: rows 0-2 x cols 0-2 = 54 (a symmetric pad would give 1+2+5+6 = 14)
  // [0,1]: rows 0-2 x cols 2-3 = 45; [1,0]: rows 2-3 x cols 0-2 = 72; [1,1]: rows/cols 2-3 = 54
  xt::xarray<double> want = {54, 45, 72, 54};
  want.reshape({1, 2, 2, 1});
  CHECK(test::all_close(y.value(), want, 1e-12));

  // Asymmetric in one axis only: 5x4 input, 3x3, stride 1 vs 2 along width.
  auto x2 = test::random_array<double>({1, 5, 4, 2}, 7);
  auto w2 = test::random_array<double>({3, 3, 2, 1}, 8);
  auto y2 = conv2d(Tensor64(x2), Tensor64(w2), {1, 2}, Padding::Same);
  REQUIRE(y2.shape() == Shape{1, 5, 2, 1});
  CHECK(test::all_close(y2.value(), conv_ref(x2, w2, 1, 2, Padding::Same), 1e-12));
}

TEST_CASE("conv2d output shapes follow TensorFlow", "[conv]") {
  auto x = Tensor64::zeros({1, 28, 28, 1});
  CHECK(conv2d(x, Tensor64::zeros({3, 3, 1, 4}), {1, 1}, Padding::Same).shape() ==
        Shape{1, 28, 28, 4});
  CHECK(conv2d(x, Tensor64::zeros({3, 3, 1, 4}), {2, 2}, Padding::Same).shape() ==
        Shape{1, 14, 14, 4});
  CHECK(conv2d(Tensor64::zeros({1, 7, 7, 1}), Tensor64::zeros({3, 3, 1, 2}), {2, 2},
               Padding::Same).shape() == Shape{1, 4, 4, 2});
  CHECK(conv2d(x, Tensor64::zeros({5, 3, 1, 2}), {2, 1}, Padding::Valid).shape() ==
        Shape{1, 12, 26, 2});
  // SAME with a kernel larger than the input is fine (all but the centre is padding).
  CHECK(conv2d(Tensor64::zeros({2, 1, 1, 3}), Tensor64::zeros({3, 3, 3, 5}), {2, 2},
               Padding::Same).shape() == Shape{2, 1, 1, 5});
  // Empty batch and zero channels: well-defined empty / zero results, gradients included.
  Tensor64 empty = Tensor64::zeros({0, 5, 5, 2}, true);
  Tensor64 wf = Tensor64::ones({3, 3, 2, 4}, true);
  auto ye = conv2d(empty, wf, {1, 1}, Padding::Same);
  CHECK(ye.shape() == Shape{0, 5, 5, 4});
  ye.backward(xt::xarray<double>::from_shape({0, 5, 5, 4}));
  CHECK(empty.grad().size() == 0);
  CHECK(test::all_close(wf.grad(), xt::xarray<double>(xt::zeros<double>({3, 3, 2, 4}))));
  auto y0 = conv2d(Tensor64::ones({1, 3, 3, 0}), Tensor64::ones({3, 3, 0, 2}), {1, 1},
                   Padding::Same);
  CHECK(test::all_close(y0.value(), xt::xarray<double>(xt::zeros<double>({1, 3, 3, 2}))));
}

TEST_CASE("conv2d gradients pass gradcheck", "[conv][gradcheck]") {
  const std::vector<test::ConvCase> cases = {
      {{2, 5, 4, 2}, {3, 3, 2, 3}, {1, 1}, Padding::Same},
      {{1, 6, 6, 2}, {3, 3, 2, 2}, {2, 2}, Padding::Same},   // even: asymmetric pad
      {{1, 7, 5, 1}, {3, 3, 1, 2}, {2, 2}, Padding::Same},   // odd
      {{1, 7, 6, 3}, {5, 3, 3, 2}, {2, 1}, Padding::Valid},
      {{1, 6, 5, 2}, {5, 3, 2, 2}, {2, 1}, Padding::Same},
      {{2, 3, 4, 3}, {1, 1, 3, 2}, {1, 1}, Padding::Same},   // pointwise: no im2col
      {{1, 5, 5, 2}, {1, 1, 2, 3}, {2, 2}, Padding::Valid},  // 1x1 strided
      {{1, 2, 1, 2}, {3, 3, 2, 2}, {1, 1}, Padding::Same},   // kernel larger than input
  };
  test::require_conv_gradchecks(cases, 100);
}

TEST_CASE("conv2d backward with only one input requiring grad", "[conv]") {
  auto xv = test::random_array<double>({2, 6, 5, 3}, 11);
  auto wv = test::random_array<double>({3, 3, 3, 4}, 12);
  auto up = test::random_array<double>({2, 3, 5, 4}, 13);
  Tensor64 x1(xv, true), w1(wv, true);
  conv2d(x1, w1, {2, 1}, Padding::Same).backward(up);
  Tensor64 x2(xv, false), w2(wv, true);
  conv2d(x2, w2, {2, 1}, Padding::Same).backward(up);
  CHECK_FALSE(x2.has_grad());
  CHECK(test::all_close(w2.grad(), w1.grad(), 1e-12));
  Tensor64 x3(xv, true), w3(wv, false);
  conv2d(x3, w3, {2, 1}, Padding::Same).backward(up);
  CHECK_FALSE(w3.has_grad());
  CHECK(test::all_close(x3.grad(), x1.grad(), 1e-12));
}

TEST_CASE("conv2d gives the same results when im2col is processed in blocks", "[conv]") {
  auto xv = test::random_array<float>({3, 9, 8, 3}, 21);
  auto wv = test::random_array<float>({3, 3, 3, 5}, 22);
  auto up = test::random_array<float>({3, 5, 8, 5}, 23);
  auto run = [&](std::size_t block_bytes) {
    test::RestoreConvTuning restore;
    kernels::conv_tuning().block_bytes = block_bytes;
    Tensor x(xv, true), w(wv, true);
    auto y = conv2d(x, w, {2, 1}, Padding::Same);
    y.backward(up);
    return std::vector<xt::xarray<float>>{y.value(), x.grad(), w.grad()};
  };
  auto whole = run(0);
  for (std::size_t bytes : {std::size_t(1), std::size_t(500), std::size_t(4096)}) {
    INFO("block bytes " << bytes);
    auto blocked = run(bytes);
    for (std::size_t i = 0; i < 3; ++i) CHECK(test::all_close(blocked[i], whole[i], 1e-5));
  }
}

TEST_CASE("conv2d rejects bad arguments with both shapes in the message", "[conv]") {
  using Catch::Matchers::Contains;
  auto x = Tensor::zeros({1, 5, 5, 3});
  auto w = Tensor::zeros({3, 3, 3, 2});
  CHECK_THROWS_WITH(conv2d(Tensor::zeros({5, 5, 3}), w, {1, 1}, Padding::Same),
                    Contains("conv2d") && Contains("[5, 5, 3]") && Contains("[3, 3, 3, 2]"));
  CHECK_THROWS_WITH(conv2d(x, Tensor::zeros({3, 3, 3}), {1, 1}, Padding::Same),
                    Contains("conv2d") && Contains("[1, 5, 5, 3]") && Contains("[3, 3, 3]"));
  CHECK_THROWS_WITH(conv2d(x, Tensor::zeros({3, 3, 2, 2}), {1, 1}, Padding::Same),
                    Contains("conv2d") && Contains("channels") && Contains("[1, 5, 5, 3]") &&
                        Contains("[3, 3, 2, 2]"));
  CHECK_THROWS_WITH(conv2d(x, w, {0, 1}, Padding::Same),
                    Contains("conv2d") && Contains("stride") && Contains("[1, 5, 5, 3]") &&
                        Contains("[3, 3, 3, 2]"));
  CHECK_THROWS_WITH(conv2d(x, Tensor::zeros({6, 3, 3, 2}), {1, 1}, Padding::Valid),
                    Contains("conv2d") && Contains("VALID") && Contains("[1, 5, 5, 3]") &&
                        Contains("[6, 3, 3, 2]"));
  CHECK_THROWS_AS(conv2d(x, w, {1, 0}, Padding::Valid), std::invalid_argument);
  CHECK_NOTHROW(conv2d(x, Tensor::zeros({6, 3, 3, 2}), {1, 1}, Padding::Same));
}

namespace {
// Direct nested-loop VJP of conv_ref: dx and dw for upstream gradient g.
void conv_ref_backward(const xt::xarray<double>& x, const xt::xarray<double>& w,
                       const xt::xarray<double>& g, std::size_t sh, std::size_t sw, Padding p,
                       xt::xarray<double>& dx, xt::xarray<double>& dw) {
  const std::size_t N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  const std::size_t KH = w.shape()[0], KW = w.shape()[1], O = w.shape()[3];
  std::size_t OH, OW;
  long pt, pl;
  axis_ref(H, KH, sh, p, OH, pt);
  axis_ref(W, KW, sw, p, OW, pl);
  dx = xt::zeros<double>(x.shape());
  dw = xt::zeros<double>(w.shape());
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t oy = 0; oy < OH; ++oy)
      for (std::size_t ox = 0; ox < OW; ++ox)
        for (std::size_t ky = 0; ky < KH; ++ky)
          for (std::size_t kx = 0; kx < KW; ++kx) {
            long iy = long(oy * sh + ky) - pt, ix = long(ox * sw + kx) - pl;
            if (iy < 0 || ix < 0 || iy >= long(H) || ix >= long(W)) continue;
            for (std::size_t c = 0; c < C; ++c)
              for (std::size_t o = 0; o < O; ++o) {
                const double gv = g(n, oy, ox, o);
                dx(n, std::size_t(iy), std::size_t(ix), c) += gv * w(ky, kx, c, o);
                dw(ky, kx, c, o) += gv * x(n, std::size_t(iy), std::size_t(ix), c);
              }
          }
}
}  // namespace

TEST_CASE("conv2d forward and backward agree with loops for every kernel strategy", "[conv]") {
  // The kernels pick GEMM orientations, block sizes, direct kernels (kernels::ConvTuning) and how
  // to split the batch over threads; every choice, and every vector width of the im2col/col2im runs
  // (channel counts 1..9, 16, 17), must agree. min_work_scale 0 makes even these tiny
  // convolutions split over all threads (3 threads: uneven splits of the 3 images).
  using kernels::ConvDirect;
  struct S {
    std::size_t block;
    int threads;
    bool dw_t;
    ConvDirect direct;
  };
  const std::vector<S> strategies = {
      {0, 1, false, ConvDirect::Never},       {0, 2, true, ConvDirect::Never},
      {1 << 20, 3, true, ConvDirect::Never},  {200, 2, false, ConvDirect::Never},
      {1, 3, true, ConvDirect::Never},        {1 << 20, 1, true, ConvDirect::Never},
      {1 << 20, 1, true, ConvDirect::Always}, {1 << 20, 3, true, ConvDirect::Always},
      {1 << 20, 2, true, ConvDirect::Auto}};
  std::uint64_t seed = 300;
  for (const auto& st : strategies)
    for (std::size_t c : {1, 2, 3, 4, 5, 8, 9, 16, 17})
      for (std::size_t o : {3, 33}) {
        INFO("block " << st.block << " threads " << st.threads << " dw_t " << st.dw_t
                      << " direct " << int(st.direct) << " c " << c << " o " << o);
        test::RestoreConvTuning restore;
        kernels::conv_tuning() = {st.block, st.dw_t, st.direct};
        test::ForceThreads force(st.threads);
        auto x = test::random_array<double>({3, 5, 6, c}, seed++);
        auto w = test::random_array<double>({3, 3, c, o}, seed++);
        const std::array<std::size_t, 2> s{c % 2 ? 1u : 2u, 1};
        auto want = conv_ref(x, w, s[0], s[1], Padding::Same);
        auto up = test::random_array<double>(to_shape(want.shape()), seed++);
        xt::xarray<double> dx, dw;
        conv_ref_backward(x, w, up, s[0], s[1], Padding::Same, dx, dw);
        Tensor64 tx(x, true), tw(w, true);
        auto y = conv2d(tx, tw, s, Padding::Same);
        y.backward(up);
        xt::xarray<float> xf = x, wf = w, upf = up;
        Tensor fx(xf, true), fw(wf, true);
        auto yf = conv2d(fx, fw, s, Padding::Same);
        yf.backward(upf);
        CHECK(test::all_close(y.value(), want, 1e-12));
        CHECK(test::all_close(tx.grad(), dx, 1e-12));
        CHECK(test::all_close(tw.grad(), dw, 1e-12));
        CHECK(test::all_close(yf.value(), want, 1e-4));
        CHECK(test::all_close(fx.grad(), dx, 1e-4));
        CHECK(test::all_close(fw.grad(), dw, 1e-4));
      }
}
