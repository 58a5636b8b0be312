// Module::summary and count_parameters: totals checked against hand counts of the two
// experiment nets, built here as the examples build them.
#include <sstream>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

/// Experiment 1: 784-100-100-10 with BN after the two hidden Dense layers (no bias there).
std::shared_ptr<nn::Sequential> experiment1_net() {
  auto m = std::make_shared<nn::Sequential>();
  auto bn = nn::BatchNormOptions(100).decay(0.999f).eps(1e-3f);
  m->add(nn::Dense(784, 100, false));
  m->add(nn::BatchNorm(bn));
  m->add(nn::Sigmoid());
  m->add(nn::Dense(100, 100, false));
  m->add(nn::BatchNorm(bn));
  m->add(nn::Sigmoid());
  m->add(nn::Dense(100, 10));
  return m;
}

/// Experiment 2 (BN from the layers module): 19 3x3 SAME convs with 4i channels, stride 2
/// when i % 3 == 0, each without bias + BN + ReLU; flatten; Dense 100 (no bias) + BN + ReLU;
/// Dense 10.
class Experiment2Net : public nn::Module {
public:
  Experiment2Net() : nn::Module("ConvNet") {
    body_ = register_module("body", std::make_shared<nn::Sequential>());
    std::size_t channels = 1, size = 28;
    for (std::size_t i = 1; i <= 19; ++i) {
      const std::size_t stride = i % 3 == 0 ? 2 : 1, out = 4 * i;
      body_->add(std::make_shared<nn::Conv2D>(channels, out, 3, stride, Padding::Same, false));
      body_->add(std::make_shared<nn::BatchNorm>(out));
      body_->add(std::make_shared<nn::ReLU>());
      channels = out;
      size = (size + stride - 1) / stride;
    }
    body_->add(std::make_shared<nn::Flatten>());
    body_->add(std::make_shared<nn::Dense>(channels * size * size, 100, false));
    body_->add(std::make_shared<nn::BatchNorm>(100));
    body_->add(std::make_shared<nn::ReLU>());
    body_->add(std::make_shared<nn::Dense>(100, 10));
  }
  Tensor forward(const Tensor& x) override { return (*body_)(x); }

private:
  std::shared_ptr<nn::Sequential> body_;
};

bool has_line(const std::string& text, const std::string& a, const std::string& b,
              const std::string& c) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto pa = line.find(a);
    if (pa == std::string::npos) continue;
    auto pb = line.find(b, pa + a.size());
    if (pb == std::string::npos) continue;
    if (line.find(c, pb + b.size()) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("summary: Experiment 1 net, totals by hand", "[nn][summary]") {
  auto net = experiment1_net();
  // Dense 784x100 = 78,400; BN 100: gamma + beta trainable (200), moving mean + variance
  // non-trainable (200), 400 in all; Dense 100x100 = 10,000; BN 400; Dense 100x10 + 10 = 1,010.
  // Trainable 78,400 + 200 + 10,000 + 200 + 1,010 = 89,810; non-trainable 400; total 90,210.
  auto counts = net->count_parameters();
  CHECK(counts.trainable == 89810);
  CHECK(counts.non_trainable == 400);
  CHECK(counts.total() == 90210);

  const std::string text = net->summary_string({32, 784});
  INFO(text);
  CHECK(text.find("Total params: 90,210") != std::string::npos);
  CHECK(text.find("Trainable params: 89,810") != std::string::npos);
  CHECK(text.find("Non-trainable params: 400") != std::string::npos);
  CHECK(has_line(text, "0 (Dense)", "[32, 100]", "78,400"));
  CHECK(has_line(text, "1 (BatchNorm)", "[32, 100]", "400"));
  CHECK(has_line(text, "2 (Sigmoid)", "[32, 100]", "0"));
  CHECK(has_line(text, "6 (Dense)", "[32, 10]", "1,010"));
}

TEST_CASE("summary: Experiment 2 net, totals by hand", "[nn][summary]") {
  Experiment2Net net;
  // Conv kernels 3*3*in*out, in_1 = 1, in_i = 4(i-1), out_i = 4i:
  //   9 * (1*4 + sum_{i=2..19} 16 i (i-1)) = 9 * (4 + 16 * (2470 - 190)) = 328,356.
  // BN channels: sum 4i = 760, so 1,520 trainable and 1,520 non-trainable.
  // Spatial 28 -> 14 -> 7 -> 4 -> 2 -> 1 -> 1 (six stride-2 layers): flatten gives 76.
  // Dense 76x100 = 7,600; BN 100: 200 + 200; Dense 100x10 + 10 = 1,010.
  // Trainable 328,356 + 1,520 + 7,600 + 200 + 1,010 = 338,686; non-trainable 1,720.
  auto counts = net.count_parameters();
  CHECK(counts.trainable == 338686);
  CHECK(counts.non_trainable == 1720);
  CHECK(counts.total() == 340406);

  const std::string text = net.summary_string({2, 28, 28, 1});
  INFO(text);
  CHECK(text.find("Total params: 340,406") != std::string::npos);
  CHECK(text.find("Trainable params: 338,686") != std::string::npos);
  CHECK(text.find("Non-trainable params: 1,720") != std::string::npos);
  CHECK(has_line(text, "body (Sequential)", "[2, 10]", "340,406"));
  CHECK(has_line(text, "body.0 (Conv2D)", "[2, 28, 28, 4]", "36"));
  CHECK(has_line(text, "body.6 (Conv2D)", "[2, 14, 14, 12]", "864"));  // 3*3*8*12, stride 2
  CHECK(has_line(text, "body.57 (Flatten)", "[2, 76]", "0"));
  CHECK(text.find("-> output [2, 10]") != std::string::npos);
}

TEST_CASE("summary: frozen parameters count as non-trainable, modes and state are restored",
          "[nn][summary]") {
  auto net = experiment1_net();
  net->set_trainable("6.bias", false);
  CHECK(net->count_parameters().trainable == 89800);
  CHECK(net->count_parameters().non_trainable == 410);
  net->at(4)->eval();  // one child kept in eval on purpose
  const auto before = net->buffer("1.moving_mean").value();
  const std::string text = net->summary_string({4, 784});
  CHECK(text.find("Non-trainable params: 410") != std::string::npos);
  CHECK(net->is_training());
  CHECK(net->at(1)->is_training());
  CHECK_FALSE(net->at(4)->is_training());
  CHECK((net->buffer("1.moving_mean").value() == before));  // ran in eval mode
  CHECK(autograd::is_grad_enabled());
}

TEST_CASE("summary: a forward error propagates and leaves the modes restored", "[nn][summary]") {
  auto net = experiment1_net();
  CHECK_THROWS_AS(net->summary_string({4, 783}), std::invalid_argument);
  CHECK(net->is_training());
  CHECK(net->at(1)->is_training());
  // A later summary records normally (the recorder was cleared).
  CHECK(net->summary_string({1, 784}).find("[1, 10]") != std::string::npos);
}

TEST_CASE("summary: children called through forward() show '?'", "[nn][summary]") {
  struct Direct : nn::Module {
    std::shared_ptr<nn::Dense> d;
    Direct() : nn::Module("Direct") { d = register_module("d", std::make_shared<nn::Dense>(3, 2)); }
    Tensor forward(const Tensor& x) override { return d->forward(x); }
  } m;
  const std::string text = m.summary_string({1, 3});
  CHECK(has_line(text, "d (Dense)", "?", "8"));
  CHECK(text.find("-> output [1, 2]") != std::string::npos);
}
