// Third derivatives: a differentiable backward is itself written with ops that have one, so
// the gradient, recorded by autograd::grad with create_graph, passes gradgradcheck in turn.
// Ops whose differentiable backward reshapes (the reductions without keepdims, the fused
// losses, fused_batch_norm) go as deep as reshape does.
#include <functional>
#include <string>
#include <vector>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

struct Case {
  std::string name;
  std::function<Tensor64(const std::vector<Tensor64>&)> f;
  std::vector<Shape> shapes;
  double lo, hi;
};

// x -> d<u, f(x)>/dx (the first input's gradient) for a fixed upstream u, as a function whose
// gradient and second derivatives gradgradcheck then checks.
std::function<Tensor64(const std::vector<Tensor64>&)> gradient_of(
    std::function<Tensor64(const std::vector<Tensor64>&)> f, Tensor64 u) {
  return [f, u](const std::vector<Tensor64>& in) {
    // gradgradcheck first evaluates the function under NoGradGuard (for its output shape).
    struct Recording {
      bool previous = autograd::is_grad_enabled();
      Recording() { autograd::set_grad_enabled(true); }
      ~Recording() { autograd::set_grad_enabled(previous); }
    } recording;
    return autograd::grad<double>({f(in)}, {in[0]}, {u}, autograd::GradOptions().create_graph(true))[0];
  };
}

}  // namespace

TEST_CASE("third derivatives: activations, keepdims reductions, batch_normalization",
          "[ops][gradgrad]") {
  const double eps = 1e-3;
  const std::vector<Case> cases{
      {"sigmoid", [](auto& in) { return sigmoid(in[0]); }, {{2, 3}}, -4, 4},
      {"tanh", [](auto& in) { return tanh(in[0]); }, {{2, 3}}, -2, 2},
      {"softplus", [](auto& in) { return softplus(in[0]); }, {{2, 3}}, -4, 4},
      {"elu", [](auto& in) { return elu(in[0]); }, {{2, 3}}, 0.1, 2},
      {"elu negative", [](auto& in) { return elu(in[0]); }, {{2, 3}}, -2, -0.1},
      {"gelu exact", [](auto& in) { return gelu(in[0]); }, {{2, 3}}, -3, 3},
      {"gelu tanh approximation", [](auto& in) { return gelu(in[0], true); }, {{2, 3}}, -3, 3},
      {"softmax", [](auto& in) { return softmax(in[0]); }, {{2, 4}}, -2, 2},
      {"log_softmax", [](auto& in) { return log_softmax(in[0]); }, {{2, 4}}, -2, 2},
      {"sigmoid_cross_entropy_with_logits",
       [](auto& in) { return sigmoid_cross_entropy_with_logits(in[1], in[0]); }, {{2, 3}, {2, 3}}, -2, 2},
      {"l2_loss", [](auto& in) { return l2_loss(in[0] * in[0]); }, {{2, 3}}, -2, 2},
      {"moments.variance keepdims", [](auto& in) { return moments(in[0], {0}, true).variance; },
       {{3, 2}}, -2, 2},
      {"reduce_mean keepdims", [](auto& in) { return reduce_mean(in[0] * in[0], {1}, true); },
       {{2, 3}}, -2, 2},
      {"batch_normalization",
       [eps](auto& in) { return batch_normalization(in[0], in[1], in[2], in[3], in[4], eps); },
       {{3, 2}, {2}, {2}, {2}, {2}}, 0.5, 2},
  };
  std::uint64_t seed = 700;
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      std::vector<Tensor64> in;
      for (const auto& s : c.shapes) in.push_back(test::random_tensor<double>(s, seed++, c.lo, c.hi));
      const Shape out_shape = c.f(in).shape();
      const Tensor64 u(test::random_array<double>(out_shape, seed++));
      REQUIRE_GRADGRADCHECK(gradient_of(c.f, u), in);
    }
  }
}
