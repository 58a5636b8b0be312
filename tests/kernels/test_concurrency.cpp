// Several user threads using xgrad at once, each with its own models and tapes, all sharing
// xgrad's pool: every loss, gradient and weight is bit-identical to what the same thread
// computes alone at that thread count. One eval-mode model may serve inference to several
// threads at once.
#include <cstring>
#include <thread>
#include <vector>

#include "support/force_threads.hpp"
#include "support/training_runs.hpp"

using namespace xgrad;
using test::Trace;

namespace {

constexpr int kUsers = 4;

// Runs `work(user)` on kUsers threads at once and returns their results in user order.
template <class Work>
auto on_user_threads(Work work) {
  std::vector<decltype(work(0))> results(kUsers);
  std::vector<std::thread> users;
  for (int u = 0; u < kUsers; ++u) users.emplace_back([&, u] { results[std::size_t(u)] = work(u); });
  for (auto& t : users) t.join();
  return results;
}

}  // namespace

TEST_CASE("concurrency: 4 user threads training their own MLP and conv net match solo runs",
          "[concurrency]") {
  for (int threads : {1, 2, 3}) {
    INFO(threads << " pool thread(s)");
    test::ScopedThreads scoped(threads);
    const int mlp_steps = 12, conv_steps = 3;
    std::vector<Trace> solo_mlp, solo_conv;
    for (int u = 0; u < kUsers; ++u) {
      solo_mlp.push_back(test::train_mlp(100 + u, mlp_steps));
      solo_conv.push_back(test::train_conv(200 + u, conv_steps));
    }
    // Different seeds give different runs, so a mixed-up result cannot match by chance.
    REQUIRE(solo_mlp[0].losses != solo_mlp[1].losses);
    const auto together = on_user_threads([&](int u) {
      // Each thread alternates both nets, so MLP and conv kernels overlap across threads.
      std::pair<Trace, Trace> t;
      t.first = test::train_mlp(100 + u, mlp_steps);
      t.second = test::train_conv(200 + u, conv_steps);
      return t;
    });
    for (int u = 0; u < kUsers; ++u) {
      INFO("user thread " << u);
      test::require_identical(together[std::size_t(u)].first, solo_mlp[std::size_t(u)]);
      test::require_identical(together[std::size_t(u)].second, solo_conv[std::size_t(u)]);
    }
  }
}

TEST_CASE("concurrency: 4 threads sharing one eval-mode model get the solo predictions",
          "[concurrency]") {
  for (int threads : {1, 2}) {
    INFO(threads << " pool thread(s)");
    test::ScopedThreads scoped(threads);
    auto model = test::w1b_mlp(5);
    // A few training steps first, so the BN moving statistics are not the initial ones.
    {
      optim::SGD sgd(model->parameters(), 0.01f);
      data::Batches batches(test::synthetic(120, 5), 60, 5);
      data::Batch b;
      while (batches.next(b)) {
        sgd.zero_grad();
        reduce_sum(softmax_cross_entropy_with_logits(b.labels, (*model)(b.images))).backward();
        sgd.step();
      }
    }
    model->eval();
    const std::vector<unsigned char> state = test::state_bytes(*model);
    std::vector<xt::xarray<float>> inputs, solo;
    for (int u = 0; u < kUsers; ++u) {
      inputs.push_back(test::random_array<float>({60, 784}, 300 + u, 0.0, 1.0));
      NoGradGuard no_grad;
      solo.push_back((*model)(Tensor(inputs.back())).value());
    }
    const auto predictions = on_user_threads([&](int u) {
      std::vector<xt::xarray<float>> out;
      for (int rep = 0; rep < 10; ++rep) {
        // Half the threads forget NoGradGuard: recording on their own tapes is harmless.
        if (u % 2 == 0) {
          NoGradGuard no_grad;
          out.push_back((*model)(Tensor(inputs[std::size_t(u)])).value());
        } else {
          out.push_back((*model)(Tensor(inputs[std::size_t(u)])).value());
        }
      }
      return out;
    });
    for (int u = 0; u < kUsers; ++u)
      for (const auto& p : predictions[std::size_t(u)]) {
        INFO("user thread " << u);
        REQUIRE(std::memcmp(p.data(), solo[std::size_t(u)].data(), p.size() * sizeof(float)) == 0);
      }
    REQUIRE(test::state_bytes(*model) == state);  // inference wrote nothing
  }
}

TEST_CASE("concurrency: each thread has its own default generator (seed 0 until reseeded)",
          "[concurrency]") {
  std::mt19937_64 seeded_zero(0), seeded_42(42);
  const auto first = seeded_zero(), first_42 = seeded_42();
  nn::manual_seed(42);  // this thread only
  std::uint64_t fresh = 0, reseeded = 0;
  std::thread other([&] {
    fresh = nn::default_generator()();  // untouched by the main thread's manual_seed
    nn::manual_seed(42);
    reseeded = nn::default_generator()();
  });
  other.join();
  CHECK(fresh == first);
  CHECK(reseeded == first_42);
  CHECK(nn::default_generator()() == first_42);  // the other thread's draw took nothing here
}

TEST_CASE("concurrency: backward through a graph recorded on another thread throws",
          "[concurrency]") {
  Tensor64 w = Tensor64::scalar(3.0, true);
  Tensor64 h;
  std::thread other([&] { h = w * w; });  // recorded on the other thread's tape
  other.join();
  Tensor64 loss = h * 2.0;
  REQUIRE_THROWS_WITH(loss.backward(), Catch::Matchers::Contains("recorded on another thread"));
  REQUIRE_FALSE(w.has_grad());
}
