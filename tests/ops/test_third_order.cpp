// Third derivatives of matmul and conv2d: gradgradcheck applied to x -> d<u, f(x)>/dx (recorded
// by autograd::grad with create_graph, for a fixed u), so the third derivatives are checked
// against central differences of the second; the same, one order up, for the gradient ops of
// pooling, indexing, slicing and sparse_matmul; at each level, the gradient from the ops'
// differentiable backwards against the one from their array backwards. And second derivatives
// in float32 against float64: conv2d's on each kernel path (oneDNN, xgrad's direct and GEMM
// kernels), and pooling's.
#include <array>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>

#include "support/conv_support.hpp"
#include "support/skip.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

using Fn = std::function<Tensor64(const std::vector<Tensor64>&)>;

/// Grad mode on for a scope: gradgradcheck and gradcheck evaluate the function under
/// NoGradGuard (for its output shape and its differences), and autograd::grad needs a graph.
class GradModeOn {
public:
  GradModeOn() : previous_(autograd::is_grad_enabled()) { autograd::set_grad_enabled(true); }
  ~GradModeOn() { autograd::set_grad_enabled(previous_); }
  GradModeOn(const GradModeOn&) = delete;
  GradModeOn& operator=(const GradModeOn&) = delete;

private:
  bool previous_;
};

/// x -> the gradient of <u, f(x)> with respect to every input, flattened and joined, recorded
/// (create_graph) so that gradgradcheck can differentiate it twice more.
Fn first_derivative(Fn f, Tensor64 u) {
  return [f = std::move(f), u = std::move(u)](const std::vector<Tensor64>& in) {
    GradModeOn grad_mode;
    const auto grads = autograd::grad<double>({f(in)}, in, {u},
                                              autograd::GradOptions().create_graph(true));
    std::vector<Tensor64> flat;
    for (const auto& g : grads) flat.push_back(reshape(g, {-1}));
    return concat(flat, 0);
  };
}

/// (x..., u) -> the gradient of <u, f(x...)> with respect to every x, flattened and joined,
/// recorded: with the upstream gradient an input too, the gradient ops that act on it (such as
/// max_pool_take on an upstream gradient of max_pool_backprop) are recorded on an input that
/// requires a gradient, so nesting this twice reaches their own differentiable backwards.
Fn derivative_with_upstream(Fn f) {
  return [f = std::move(f)](const std::vector<Tensor64>& in) {
    GradModeOn grad_mode;
    const std::vector<Tensor64> xs(in.begin(), in.end() - 1);
    const auto grads = autograd::grad<double>({f(xs)}, xs, {in.back()},
                                              autograd::GradOptions().create_graph(true));
    std::vector<Tensor64> flat;
    for (const auto& g : grads) flat.push_back(reshape(g, {-1}));
    return concat(flat, 0);
  };
}

/// The gradient of <v, F(in)> from the ops' differentiable backwards (create_graph) equals the
/// one from their array backwards. gradgradcheck checks the derivatives of the former and
/// gradcheck the latter, but neither compares the two: a differentiable backward off by a
/// factor passes gradgradcheck.
void require_same_gradients(const Fn& F, const std::vector<Tensor64>& in, std::uint64_t seed) {
  GradModeOn grad_mode;
  const Tensor64 y = F(in);
  const Tensor64 v = test::random_tensor(y.shape(), seed, -1.0, 1.0, false);
  const auto plain =
      autograd::grad<double>({y}, in, {v}, autograd::GradOptions().retain_graph(true));
  const auto recorded =
      autograd::grad<double>({y}, in, {v}, autograd::GradOptions().create_graph(true));
  for (std::size_t i = 0; i < in.size(); ++i) {
    INFO("input " << i);
    REQUIRE(test::all_close(recorded[i].value(), plain[i].value(), 1e-12));
  }
}

/// Inputs requiring gradients, drawn from `seed` upwards.
std::vector<Tensor64> inputs(const std::vector<Shape>& shapes, std::uint64_t seed) {
  std::vector<Tensor64> in;
  for (const auto& s : shapes) in.push_back(test::random_tensor(s, seed++));
  return in;
}

}  // namespace

TEST_CASE("third order: matmul, all four transpose-flag combinations", "[ops][third_order]") {
  std::uint64_t seed = 700;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      INFO("ta " << ta << " tb " << tb);
      const Shape sa = ta ? Shape{3, 2} : Shape{2, 3};
      const Shape sb = tb ? Shape{4, 3} : Shape{3, 4};
      const auto in = inputs({sa, sb}, seed);
      seed += 2;
      const Tensor64 u = test::random_tensor({2, 4}, seed++, -1.0, 1.0, false);
      // Bilinear: its third derivatives are zero, and must come out so.
      REQUIRE_GRADGRADCHECK(
          first_derivative([ta, tb](const auto& x) { return matmul(x[0], x[1], ta, tb); }, u), in);
      // Squared: quartic in the inputs, third derivatives not zero.
      const Fn f = [ta, tb](const auto& x) { return square(matmul(x[0], x[1], ta, tb)); };
      REQUIRE_GRADGRADCHECK(first_derivative(f, u), in);
      require_same_gradients(f, in, seed++);
      std::vector<Tensor64> with_u = in;
      with_u.push_back(test::random_tensor({2, 4}, seed++));
      require_same_gradients(derivative_with_upstream(f), with_u, seed++);
    }
  }
}

TEST_CASE("third order: conv2d, SAME and VALID, strides 1 and 2", "[ops][third_order][conv]") {
  std::uint64_t seed = 800;
  for (Padding p : {Padding::Same, Padding::Valid}) {
    for (std::size_t st : {1u, 2u}) {
      INFO((p == Padding::Same ? "SAME" : "VALID") << " stride " << st);
      const std::array<std::size_t, 2> s{st, st};
      const auto in = inputs({{1, 5, 4, 2}, {3, 2, 2, 2}}, seed);
      seed += 2;
      const Tensor64 y = conv2d(in[0], in[1], s, p);
      const Tensor64 u = test::random_tensor(y.shape(), seed++, -1.0, 1.0, false);
      REQUIRE_GRADGRADCHECK(
          first_derivative([s, p](const auto& x) { return conv2d(x[0], x[1], s, p); }, u), in);
      const Fn f = [s, p](const auto& x) { return square(conv2d(x[0], x[1], s, p)); };
      REQUIRE_GRADGRADCHECK(first_derivative(f, u), in);
      require_same_gradients(f, in, seed++);
      std::vector<Tensor64> with_u = in;
      with_u.push_back(test::random_tensor(y.shape(), seed++));
      require_same_gradients(derivative_with_upstream(f), with_u, seed++);
    }
  }
}

namespace {

/// The second derivatives of <u, conv2d(x, w)^2> along (vx, vw) (a Hessian-vector product)
/// with respect to x and w, flattened and joined, in T.
template <class T>
xt::xarray<double> conv_hvp(const std::vector<xt::xarray<double>>& values,
                            std::array<std::size_t, 2> s, Padding p) {
  auto tensor = [](const xt::xarray<double>& v, bool grad) {
    return BasicTensor<T>(xt::xarray<T>(xt::cast<T>(v)), grad);
  };
  const auto x = tensor(values[0], true), w = tensor(values[1], true);
  const auto u = tensor(values[2], false), vx = tensor(values[3], false),
             vw = tensor(values[4], false);
  const auto y = conv2d(x, w, s, p);
  const auto g =
      autograd::grad<T>({y * y}, {x, w}, {u}, autograd::GradOptions().create_graph(true));
  const auto h = autograd::grad<T>({g[0], g[1]}, {x, w}, {vx, vw});
  std::vector<double> joined(h[0].value().begin(), h[0].value().end());
  joined.insert(joined.end(), h[1].value().begin(), h[1].value().end());
  return xt::adapt(joined, {joined.size()});
}

}  // namespace

TEST_CASE("second order: conv2d in float32 on every kernel path agrees with float64",
          "[ops][third_order][conv]") {
  using kernels::ConvDirect;
  using kernels::ConvDnnl;
  std::vector<test::ConvPath> paths{{"xgrad's direct kernels", ConvDnnl::Never, ConvDirect::Always},
                          {"xgrad's GEMM kernels", ConvDnnl::Never, ConvDirect::Never}};
#if defined(XGRAD_WITH_DNNL)
  paths.push_back({"oneDNN", ConvDnnl::Always, ConvDirect::Never});
#else
  test::mark_skipped(
      "a build without oneDNN: conv2d's second derivatives ran on xgrad's kernels only");
#endif
  std::uint64_t seed = 900;
  for (Padding p : {Padding::Same, Padding::Valid}) {
    for (std::size_t st : {1u, 2u}) {
      const std::array<std::size_t, 2> s{st, st};
      const Shape xs{2, 7, 6, 9}, ws{3, 3, 9, 10};
      const Shape ys = conv2d(Tensor64::zeros(xs), Tensor64::zeros(ws), s, p).shape();
      std::vector<xt::xarray<double>> values;
      for (const Shape& shape : {xs, ws, ys, xs, ws}) {
        // Whole multiples of 1/8: exact in float32, so both types start from the same values.
        xt::xarray<double> v = test::random_array<double>(shape, seed++);
        values.push_back(xt::round(v * 8.0) / 8.0);
      }
      const xt::xarray<double> want = conv_hvp<double>(values, s, p);
      for (const auto& path : paths) {
        INFO(path.name << ", " << (p == Padding::Same ? "SAME" : "VALID") << " stride " << st);
        test::UseConvPath use(path);
        const xt::xarray<double> got = conv_hvp<float>(values, s, p);
        REQUIRE(test::all_close(got, want, 1e-4));
      }
    }
  }
}

TEST_CASE("third and fourth order: gradient ops of pooling, indexing, slicing, sparse_matmul",
          "[ops][third_order]") {
  // Each op's gradient is itself an op (max_pool_backprop, avg_pool_backprop, gather_backprop,
  // pad for slice, ...); differentiating x -> d<u, y^3>/dx twice more runs those ops'
  // differentiable backwards (and the array backwards of their gradients).
  struct Case {
    std::string name;
    Fn f;
    std::vector<Shape> shapes;
  };
  const xt::xarray<std::int64_t> idx{{2, 0}, {2, 3}};
  const SparseRows<double> a(xt::xarray<double>{{0.0, 1.5, 0.0}, {-0.5, 0.0, 2.0}});
  auto cube = [](const Tensor64& y) { return y * square(y); };
  const std::vector<Case> cases{
      {"max_pool2d 3x3 stride 2 SAME",
       [&](const auto& x) { return cube(max_pool2d(x[0], {3, 3}, {2, 2}, Padding::Same)); },
       {{1, 5, 4, 2}}},
      {"max_pool2d 2x2 stride 1 VALID (overlapping windows)",
       [&](const auto& x) { return cube(max_pool2d(x[0], {2, 2}, {1, 1}, Padding::Valid)); },
       {{2, 3, 4, 1}}},
      {"avg_pool2d 2x3 stride 1 SAME",
       [&](const auto& x) { return cube(avg_pool2d(x[0], {2, 3}, {1, 1}, Padding::Same)); },
       {{1, 4, 4, 2}}},
      {"gather axis 1, repeated indices",
       [&](const auto& x) { return cube(gather(x[0], idx, 1)); }, {{2, 4, 2}}},
      {"sparse_matmul", [&](const auto& x) { return cube(sparse_matmul(a, x[0])); }, {{3, 2}}},
      {"slice", [&](const auto& x) { return cube(slice(x[0], {1, 0}, {2, -1})); }, {{3, 3}}},
      {"pad", [&](const auto& x) { return cube(pad(x[0], {{1, 0}, {0, 2}}, 0.5)); }, {{2, 2}}},
      {"concat and split",
       [&](const auto& x) {
         const auto parts = split(concat(x, 1), {1, 3}, 1);
         return cube(parts[1]) + parts[0];
       },
       {{2, 2}, {2, 2}}},
      {"transpose and reshape",
       [&](const auto& x) { return cube(reshape(transpose(x[0], {2, 0, 1}), {4, -1})); },
       {{2, 3, 2}}},
  };
  std::uint64_t seed = 1000;
  for (const auto& c : cases) {
    INFO(c.name);
    const auto in = inputs(c.shapes, seed);
    seed += c.shapes.size();
    const Shape ys = c.f(in).shape();
    const Tensor64 u = test::random_tensor(ys, seed++, -1.0, 1.0, false);
    REQUIRE_GRADGRADCHECK(first_derivative(c.f, u), in);
    // Fourth order, the upstream gradients among the inputs: the gradients' gradient ops
    // (max_pool_take, gather, ...) are differentiated with create_graph here.
    std::size_t n = 0;
    for (const auto& x : in) n += x.size();
    std::vector<Tensor64> all = in;
    all.push_back(test::random_tensor(ys, seed++));
    all.push_back(test::random_tensor({n}, seed++));
    REQUIRE_GRADGRADCHECK(derivative_with_upstream(derivative_with_upstream(c.f)), all);
    // The differentiable backwards at each of these levels against the array backwards.
    require_same_gradients(c.f, in, seed++);
    const std::vector<Tensor64> first_level(all.begin(), all.end() - 1);
    require_same_gradients(derivative_with_upstream(c.f), first_level, seed++);
    require_same_gradients(derivative_with_upstream(derivative_with_upstream(c.f)), all, seed++);
  }
}

namespace {

/// The second derivatives of <u, pool(x)^3> along v, in T (pool: max_pool2d or avg_pool2d,
/// 3x3 windows, stride 2, SAME).
template <class T>
xt::xarray<double> pool_hvp(bool is_max, const std::vector<xt::xarray<double>>& values) {
  auto tensor = [](const xt::xarray<double>& v, bool grad) {
    return BasicTensor<T>(xt::xarray<T>(xt::cast<T>(v)), grad);
  };
  const auto x = tensor(values[0], true), u = tensor(values[1], false),
             v = tensor(values[2], false);
  const auto y = is_max ? max_pool2d(x, {3, 3}, {2, 2}, Padding::Same)
                        : avg_pool2d(x, {3, 3}, {2, 2}, Padding::Same);
  const auto g =
      autograd::grad<T>({y * square(y)}, {x}, {u}, autograd::GradOptions().create_graph(true));
  return xt::cast<double>(autograd::grad<T>({g[0]}, {x}, {v})[0].value());
}

}  // namespace

TEST_CASE("second order: pooling in float32 agrees with float64", "[ops][third_order][pooling]") {
  // float32 keeps max pooling's positions in 32-bit integers, float64 in 64-bit ones.
  const Shape xs{2, 7, 6, 3}, ys{2, 4, 3, 3};
  std::uint64_t seed = 950;
  std::vector<xt::xarray<double>> values;
  for (const Shape& shape : {xs, ys, xs}) {
    // Values float32 holds exactly, so both types start from the same ones.
    values.push_back(xt::cast<double>(xt::xarray<float>(
        xt::cast<float>(test::random_array<double>(shape, seed++)))));
  }
  for (bool is_max : {true, false}) {
    INFO((is_max ? "max_pool2d" : "avg_pool2d"));
    REQUIRE(test::all_close(pool_hvp<float>(is_max, values), pool_hvp<double>(is_max, values),
                            1e-4));
  }
}
