// Determinism: the same seed and the same thread count give bit-identical training, loss by
// loss and weight by weight (exact float comparison), for the W1b MLP with batch norm and
// for a small conv net; another seed gives other losses (so the comparison can fail).
#include "support/force_threads.hpp"
#include "support/training_runs.hpp"

using namespace xgrad;
using test::Trace;

TEST_CASE("determinism: W1b MLP, same seed and threads, bit-identical losses", "[determinism]") {
  for (int threads : {1, 2}) {
    INFO(threads << " thread(s)");
    test::ScopedThreads scoped(threads);
    const Trace a = test::train_mlp(7, 40);
    const Trace b = test::train_mlp(7, 40);
    test::require_identical(a, b);
    CHECK(a.losses.back() < a.losses.front());  // it did train
    CHECK(test::train_mlp(8, 40).losses != a.losses);
  }
}

TEST_CASE("determinism: conv net, same seed and threads, bit-identical losses", "[determinism]") {
  for (int threads : {1, 2}) {
    INFO(threads << " thread(s)");
    test::ScopedThreads scoped(threads);
    const Trace a = test::train_conv(3, 6);
    const Trace b = test::train_conv(3, 6);
    test::require_identical(a, b);
    CHECK(test::train_conv(4, 6).losses != a.losses);
  }
}
