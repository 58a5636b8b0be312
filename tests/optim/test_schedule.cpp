// Learning-rate schedules against hand computations of TF's formulas, and their use by
// every optimizer.
#include <cmath>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("schedule: constant and piecewise constant (TF's boundary rule)", "[optim][schedule]") {
  optim::ConstantSchedule c(0.25);
  CHECK(c(0) == 0.25);
  CHECK(c(1000000) == 0.25);
  // TF: values[0] while step <= 10, values[1] while 10 < step <= 20, values[2] after.
  optim::PiecewiseConstantDecay p({10, 20}, {1.0, 0.5, 0.1});
  CHECK(p(0) == 1.0);
  CHECK(p(10) == 1.0);
  CHECK(p(11) == 0.5);
  CHECK(p(20) == 0.5);
  CHECK(p(21) == 0.1);
  CHECK(p(1000) == 0.1);
  CHECK_THROWS_AS(optim::PiecewiseConstantDecay({10}, {1.0}), std::invalid_argument);
  CHECK_THROWS_AS(optim::PiecewiseConstantDecay({10, 10}, {1.0, 2.0, 3.0}), std::invalid_argument);
  CHECK_THROWS_AS(optim::PiecewiseConstantDecay({10}, {1.0, -2.0}), std::invalid_argument);
  CHECK_THROWS_AS(optim::ConstantSchedule(std::nan("")), std::invalid_argument);
}

TEST_CASE("schedule: exponential decay, smooth and staircase", "[optim][schedule]") {
  optim::ExponentialDecay smooth(0.1, 100, 0.5);
  CHECK(smooth(0) == Approx(0.1));
  CHECK(smooth(50) == Approx(0.1 * std::sqrt(0.5)));  // 0.0707107
  CHECK(smooth(200) == Approx(0.025));
  optim::ExponentialDecay stairs(0.1, 100, 0.5, /*staircase=*/true);
  CHECK(stairs(99) == Approx(0.1));
  CHECK(stairs(100) == Approx(0.05));
  CHECK(stairs(250) == Approx(0.025));
  CHECK_THROWS_AS(optim::ExponentialDecay(0.1, 0, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(optim::ExponentialDecay(0.1, 10, 0.0), std::invalid_argument);
}

TEST_CASE("schedule: cosine decay with and without warm-up", "[optim][schedule]") {
  optim::CosineDecay plain(1.0, 100, 0.1);
  CHECK(plain(0) == Approx(1.0));
  // Halfway: 0.9 * 0.5 * (1 + cos(pi/2)) + 0.1 = 0.55.
  CHECK(plain(50) == Approx(0.55));
  CHECK(plain(100) == Approx(0.1));
  CHECK(plain(500) == Approx(0.1));
  auto o = optim::CosineDecayOptions(0.0, 20).warmup_target(0.01).warmup_steps(10);
  optim::CosineDecay warm(o);
  CHECK(warm(0) == 0.0);
  CHECK(warm(5) == Approx(0.005));
  CHECK(warm(10) == Approx(0.01));
  // 5 steps into a 20-step decay: 0.01 * 0.5 * (1 + cos(pi / 4)) = 0.0085355.
  CHECK(warm(15) == Approx(0.01 * 0.5 * (1 + std::cos(3.14159265358979 / 4))));
  CHECK(warm(30) == Approx(0.0).margin(1e-12));
  CHECK(warm(31) == Approx(0.0).margin(1e-12));
  // No target: warmup_steps ignored, as in TF.
  o.warmup_target(-1.0).initial_learning_rate(1.0);
  CHECK(optim::CosineDecay(o)(0) == Approx(1.0));
  CHECK_THROWS_AS(optim::CosineDecay(1.0, 0), std::invalid_argument);
  CHECK_THROWS_AS(optim::CosineDecay(1.0, 10, 1.5), std::invalid_argument);
}

TEST_CASE("schedule: every optimizer follows it, step count from 0", "[optim][schedule]") {
  auto sched = std::make_shared<optim::PiecewiseConstantDecay>(std::vector<std::int64_t>{0, 1},
                                                               std::vector<double>{0.5, 0.25, 0.125});
  auto run = [&](optim::Optimizer& opt, Tensor& p) {
    opt.set_schedule(sched);
    std::vector<float> lrs;
    for (int s = 0; s < 3; ++s) {
      lrs.push_back(opt.lr());
      opt.zero_grad();
      reduce_sum(p).backward();  // gradient 1
      opt.step();
    }
    CHECK(opt.iterations() == 3);
    CHECK(lrs == std::vector<float>{0.5f, 0.25f, 0.125f});
  };
  {
    Tensor p(xt::xarray<float>{0.0f}, true);
    optim::SGD opt({p}, 1.0f);
    run(opt, p);
    // Gradient 1 each step: p = -(0.5 + 0.25 + 0.125).
    CHECK(p.value()(0) == Approx(-0.875f));
    CHECK_THROWS_AS(opt.set_lr(0.1f), std::logic_error);
    opt.set_schedule(nullptr);
    CHECK(opt.lr() == 0.125f);  // the last scheduled rate
    opt.set_lr(0.1f);
    CHECK(opt.lr() == 0.1f);
  }
  {
    Tensor p(xt::xarray<float>{0.0f}, true);
    optim::Adam opt({p}, 1.0f);
    run(opt, p);
  }
  {
    Tensor p(xt::xarray<float>{0.0f}, true);
    optim::RMSprop opt({p});
    run(opt, p);
  }
  {
    Tensor p(xt::xarray<float>{1.0f}, true);
    optim::AdamW opt({p});
    run(opt, p);
  }
}

TEST_CASE("Optimizer: lr can be read and changed between steps", "[optim]") {
  Tensor p(xt::xarray<float>{0.0f}, true);
  optim::SGD opt({p}, 0.5f);
  reduce_sum(p).backward();
  opt.step();
  CHECK(p.value()(0) == -0.5f);
  CHECK(opt.lr() == 0.5f);
  opt.set_lr(0.25f);
  opt.step();  // the same gradient again
  CHECK(p.value()(0) == -0.75f);
  CHECK_THROWS_AS(opt.set_lr(0.0f), std::invalid_argument);
  CHECK_THROWS_AS(opt.set_lr(std::nanf("")), std::invalid_argument);
}
