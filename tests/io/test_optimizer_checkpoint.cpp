// io::save / io::load with an optimizer: a run stopped mid-way and resumed from the file
// continues bit for bit as the uninterrupted run.
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& tag) {
    static int counter = 0;
    path = (fs::temp_directory_path() / ("xgrad_optckpt_" + std::to_string(::getpid()) + "_" +
                                         tag + std::to_string(counter++) + ".safetensors"))
               .string();
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

std::shared_ptr<nn::Sequential> make_model(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto m = std::make_shared<nn::Sequential>();
  m->add(nn::Dense(5, 8, false, rng));
  m->add(nn::BatchNorm(nn::BatchNormOptions(8).decay(0.9f)));
  m->add(nn::ReLU());
  m->add(nn::Dense(8, 3, true, rng));
  return m;
}

using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

/// One training step on batch `step` (data fixed by the step index); returns the loss.
float train_step(nn::Module& model, optim::Optimizer& opt, int step) {
  Tensor x(test::random_array<float>({6, 5}, 1000 + step));
  Tensor y(test::random_array<float>({6, 3}, 2000 + step));
  opt.zero_grad();
  Tensor d = model(x) - y;
  Tensor loss = reduce_mean(mul(d, d));
  loss.backward();
  opt.step();
  return loss.item();
}

void check_resume_is_exact(const MakeOptimizer& make, const std::string& tag) {
  constexpr int kSteps = 16, kStop = 7;
  std::vector<float> straight;
  {
    auto model = make_model(1);
    auto opt = make(model->parameters());
    for (int s = 0; s < kSteps; ++s) straight.push_back(train_step(*model, *opt, s));
  }
  TempFile file(tag);
  std::vector<float> resumed;
  {
    auto model = make_model(1);
    auto opt = make(model->parameters());
    for (int s = 0; s < kStop; ++s) resumed.push_back(train_step(*model, *opt, s));
    io::save(*model, *opt, file.path);
  }
  {
    auto model = make_model(99);  // other weights: everything must come from the file
    auto opt = make(model->parameters());
    io::load(*model, *opt, file.path);
    CHECK(opt->iterations() == kStop);
    for (int s = kStop; s < kSteps; ++s) resumed.push_back(train_step(*model, *opt, s));
  }
  INFO(tag);
  REQUIRE(resumed.size() == straight.size());
  for (int s = 0; s < kSteps; ++s) {
    INFO("step " << s);
    CHECK(resumed[s] == straight[s]);  // bitwise
  }
}

}  // namespace

TEST_CASE("optimizer checkpoint: Adam with a schedule resumes bit for bit", "[io][optim]") {
  check_resume_is_exact(
      [](std::vector<Tensor> ps) {
        auto opt = std::make_unique<optim::Adam>(std::move(ps), 0.01f);
        opt->set_schedule(std::make_shared<optim::CosineDecay>(
            optim::CosineDecayOptions(0.001, 12).warmup_target(0.02).warmup_steps(4)));
        return opt;
      },
      "adam");
}

TEST_CASE("optimizer checkpoint: AdamW, SGD with momentum and RMSprop resume bit for bit",
          "[io][optim]") {
  check_resume_is_exact(
      [](std::vector<Tensor> ps) { return std::make_unique<optim::AdamW>(std::move(ps), 0.01f, 0.05f); },
      "adamw");
  check_resume_is_exact(
      [](std::vector<Tensor> ps) {
        return std::make_unique<optim::SGD>(std::move(ps), 0.05f, 0.9f, 0.01f);
      },
      "sgd");
  check_resume_is_exact(
      [](std::vector<Tensor> ps) {
        return std::make_unique<optim::RMSprop>(
            std::move(ps), optim::RMSpropOptions().lr(0.01f).momentum(0.5f).centered(true));
      },
      "rmsprop");
}

TEST_CASE("optimizer checkpoint: without the optimizer state the resumed run differs",
          "[io][optim]") {
  // Guards the test above: resuming the model alone (fresh Adam moments) changes the losses.
  TempFile file("model_only");
  auto model = make_model(1);
  optim::Adam opt(model->parameters(), 0.01f);
  for (int s = 0; s < 5; ++s) train_step(*model, opt, s);
  io::save(*model, opt, file.path);
  auto other = make_model(1);
  optim::Adam opt_other(other->parameters(), 0.01f);
  io::load(*other, file.path);  // model-only load of a file with optimizer state: allowed
  CHECK(opt_other.iterations() == 0);
  // Step 5's loss comes before its update: equal. Step 6's shows the update's difference.
  CHECK(train_step(*other, opt_other, 5) == train_step(*model, opt, 5));
  CHECK(train_step(*other, opt_other, 6) != train_step(*model, opt, 6));
}

TEST_CASE("optimizer checkpoint: state by name, mismatches refused, nothing changed",
          "[io][optim]") {
  TempFile with_opt("full"), model_only("model");
  auto model = make_model(1);
  optim::Adam adam(model->parameters(), 0.01f);
  for (int s = 0; s < 3; ++s) train_step(*model, adam, s);
  io::save(*model, adam, with_opt.path);
  io::save(*model, model_only.path);

  auto fresh = make_model(5);
  const auto kernel_before = fresh->parameter("0.kernel").value();
  {
    optim::SGD sgd(fresh->parameters(), 0.1f, 0.9f);
    try {
      io::load(*fresh, sgd, with_opt.path);
      FAIL("loading Adam state into SGD did not throw");
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      CHECK(msg.find(with_opt.path) != std::string::npos);
      CHECK(msg.find("Adam's, not SGD's") != std::string::npos);
    }
    CHECK(sgd.iterations() == 0);
  }
  {
    optim::Adam a(fresh->parameters(), 0.01f);
    try {
      io::load(*fresh, a, model_only.path);
      FAIL("loading a model-only file with an optimizer did not throw");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("no optimizer state") != std::string::npos);
    }
  }
  CHECK((fresh->parameter("0.kernel").value() == kernel_before));

  // An optimizer holding a tensor the model does not have cannot be saved by name.
  Tensor stray(xt::xarray<float>{1.0f}, true);
  optim::Adam odd({stray}, 0.01f);
  CHECK_THROWS_AS(io::save(*model, odd, with_opt.path), std::invalid_argument);

  // The counters and the fixed learning rate come back.
  optim::Adam loaded(fresh->parameters(), 0.5f);
  io::load(*fresh, loaded, with_opt.path);
  CHECK(loaded.iterations() == 3);
  CHECK(loaded.lr() == 0.01f);
  CHECK((fresh->parameter("0.kernel").value() == model->parameter("0.kernel").value()));
}
