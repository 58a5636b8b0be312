// Exception safety of backward(): whatever throws during the walk (a backward function, a
// gradient of the wrong shape, anomaly detection, bad_alloc), the call has no effect. Leaf
// gradients are untouched, the failed graph can be backpropagated again and gives the clean
// gradients, and a new graph gives exactly the gradients of a run that never failed.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <stdexcept>
#include <vector>

#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

// GCC sees these malloc/free-based replacements inlined into new/delete pairs and warns of a
// mismatch that is not one: both halves are replaced together.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Allocation failure on demand: the n-th operator new on this thread (counting from 0) throws
// std::bad_alloc. Off (-1) everywhere else, so the rest of the suite is unaffected.
namespace {
thread_local long allocations_until_failure = -1;
}  // namespace

// Every non-aligned form is replaced, so whatever allocates through one of them (std::nothrow
// in stable_sort's buffer, arrays) frees through the matching replacement; AddressSanitizer
// reports a mix of its own operator new and this free() as a mismatch.
void* operator new(std::size_t n) {
  if (allocations_until_failure >= 0 && allocations_until_failure-- == 0) throw std::bad_alloc();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept {
  return ::operator new(n, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

enum class Fault { None, Throws, BadAlloc, WrongShape, Inf };

// Where the faulty op fails: on its `fail_on`-th backward call (counting from 0), once.
struct FaultPlan {
  Fault kind = Fault::None;
  int fail_on = -1;
  int calls = 0;
  void arm(Fault k, int on) {
    kind = k;
    fail_on = on;
    calls = 0;
  }
  void disarm() { arm(Fault::None, -1); }
};

// y = 2x, whose backward fails as planned.
Tensor faulty(const Tensor& x, FaultPlan& plan) {
  return make_op("faulty", xt::xarray<float>(x.value() * 2.0f), {x},
                 [&plan](const auto& g, const auto&, auto& grads) {
                   const bool fail = plan.calls++ == plan.fail_on;
                   if (fail && plan.kind == Fault::Throws) throw std::runtime_error("faulty VJP");
                   if (fail && plan.kind == Fault::BadAlloc) throw std::bad_alloc();
                   if (fail && plan.kind == Fault::WrongShape) {
                     grads.set(0, xt::xarray<float>::from_shape({1, 1}));
                   }
                   if (fail && plan.kind == Fault::Inf) {
                     grads.set(0, g * std::numeric_limits<float>::infinity());
                     return;
                   }
                   grads.set(0, g * 2.0f);
                 });
}

class FaultyLayer : public nn::Module {
public:
  explicit FaultyLayer(FaultPlan& plan) : Module("FaultyLayer"), plan_(&plan) {}
  Tensor forward(const Tensor& x) override { return faulty(x, *plan_); }

private:
  FaultPlan* plan_;
};

class AnomalyDetection {
public:
  AnomalyDetection() { autograd::set_anomaly_detection(true); }
  ~AnomalyDetection() { autograd::set_anomaly_detection(false); }
};

using Grads = std::vector<std::vector<unsigned char>>;

// Every parameter's gradient as bytes (empty when it has none): compared bit for bit.
Grads grads_of(const std::vector<Tensor>& params) {
  Grads out;
  for (const auto& p : params) {
    std::vector<unsigned char> bytes;
    if (p.has_grad()) {
      const auto* b = reinterpret_cast<const unsigned char*>(p.grad().data());
      bytes.assign(b, b + p.grad().size() * sizeof(float));
    }
    out.push_back(std::move(bytes));
  }
  return out;
}

void zero_grads(const std::vector<Tensor>& params) {
  for (const auto& p : params) p.zero_grad();
}

// A network under test: its parameters and a function building its loss with the plan.
struct Net {
  std::vector<Tensor> params;
  std::function<Tensor()> loss;
};

// A chain of five faulty ops between tanh layers.
Net chain(FaultPlan& plan) {
  Net net;
  for (int i = 0; i < 5; ++i) net.params.push_back(test::random_tensor<float>({4}, 10 + i));
  Tensor x(test::random_array<float>({3, 4}, 9));
  net.loss = [&plan, x, params = net.params] {
    Tensor h = x;
    for (const auto& w : params) h = faulty(tanh(h * w), plan);
    return reduce_sum(h);
  };
  return net;
}

// Reuse: a feeds two faulty branches and the final product, so gradients meet three times.
Net diamond(FaultPlan& plan) {
  Net net;
  net.params = {test::random_tensor<float>({2, 3}, 20), test::random_tensor<float>({3}, 21)};
  Tensor x(test::random_array<float>({2, 3}, 22));
  net.loss = [&plan, x, w = net.params[0], v = net.params[1]] {
    Tensor a = faulty(x * w, plan);
    Tensor b = faulty(a, plan) + tanh(faulty(a + v, plan));
    return reduce_sum(faulty(b * a, plan) * w);
  };
  return net;
}

// A BN MLP training step, with faulty layers between the others.
Net bn_mlp(FaultPlan& plan) {
  nn::manual_seed(5);
  auto model = std::make_shared<nn::Sequential>();
  model->add(nn::Dense(6, 8, false));
  model->add(FaultyLayer(plan));
  model->add(nn::BatchNorm(8));
  model->add(nn::Sigmoid());
  model->add(FaultyLayer(plan));
  model->add(nn::Dense(8, 3));
  model->add(FaultyLayer(plan));
  Net net;
  net.params = model->parameters();
  Tensor x(test::random_array<float>({5, 6}, 30));
  Tensor labels(xt::xarray<float>{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
  net.loss = [model, x, labels] {
    return reduce_sum(softmax_cross_entropy_with_logits(labels, (*model)(x)));
  };
  return net;
}

// Fails the backward at every position of the net's faulty ops with `kind`, keeping the
// failed loss alive, and checks that nothing of the failure remains.
void check_every_position(Net (*make)(FaultPlan&), Fault kind) {
  FaultPlan plan;
  Net net = make(plan);
  net.loss().backward();
  const Grads clean = grads_of(net.params);
  const int positions = plan.calls;
  REQUIRE(positions >= 3);
  zero_grads(net.params);
  const std::size_t nodes = autograd::live_node_count();
  for (int at = 0; at < positions; ++at) {
    INFO("fault at backward call " << at << " of " << positions);
    plan.arm(kind, at);
    Tensor failed = net.loss();  // kept alive across the failure, as a logged loss would be
    REQUIRE_THROWS(failed.backward());
    plan.disarm();
    // Leaf gradients are untouched: none had a gradient before, none has one now.
    for (const auto& p : net.params) REQUIRE_FALSE(p.has_grad());
    // A new graph, while the failed one is still alive, gets exactly the clean gradients.
    net.loss().backward();
    REQUIRE(grads_of(net.params) == clean);
    zero_grads(net.params);
    // The failed graph is whole: backward on it again runs it all, correctly, once.
    failed.backward();
    REQUIRE(grads_of(net.params) == clean);
    zero_grads(net.params);
    REQUIRE_THROWS_WITH(failed.backward(), Contains("already been freed"));
  }
  REQUIRE(autograd::live_node_count() == nodes);
}

}  // namespace

TEST_CASE("backward faults: a throwing backward function at every position", "[autograd][faults]") {
  SECTION("chain") { check_every_position(chain, Fault::Throws); }
  SECTION("diamond") { check_every_position(diamond, Fault::Throws); }
  SECTION("BN MLP") { check_every_position(bn_mlp, Fault::Throws); }
}

TEST_CASE("backward faults: bad_alloc from a backward function at every position",
          "[autograd][faults]") {
  SECTION("chain") { check_every_position(chain, Fault::BadAlloc); }
  SECTION("diamond") { check_every_position(diamond, Fault::BadAlloc); }
  SECTION("BN MLP") { check_every_position(bn_mlp, Fault::BadAlloc); }
}

TEST_CASE("backward faults: Gradients::set's shape check at every position", "[autograd][faults]") {
  SECTION("chain") { check_every_position(chain, Fault::WrongShape); }
  SECTION("diamond") { check_every_position(diamond, Fault::WrongShape); }
  SECTION("BN MLP") { check_every_position(bn_mlp, Fault::WrongShape); }
}

TEST_CASE("backward faults: anomaly detection finding an Inf at every position",
          "[autograd][faults]") {
  AnomalyDetection on;
  SECTION("chain") { check_every_position(chain, Fault::Inf); }
  SECTION("diamond") { check_every_position(diamond, Fault::Inf); }
  SECTION("BN MLP") { check_every_position(bn_mlp, Fault::Inf); }
}

TEST_CASE("backward faults: bad_alloc at every allocation of a backward", "[autograd][faults]") {
  FaultPlan plan;  // never armed: the failures come from operator new
  Net net = bn_mlp(plan);
  net.loss().backward();
  const Grads clean = grads_of(net.params);
  zero_grads(net.params);
  const std::size_t nodes = autograd::live_node_count();
  int failures = 0;
  for (long at = 0;; ++at) {
    INFO("allocation " << at << " of the backward fails");
    Tensor loss = net.loss();
    allocations_until_failure = at;
    bool threw = false;
    try {
      loss.backward();
    } catch (const std::bad_alloc&) {
      threw = true;
    }
    allocations_until_failure = -1;
    if (!threw) {
      // Past the backward's last allocation: it succeeded, with the clean gradients.
      REQUIRE(grads_of(net.params) == clean);
      break;
    }
    ++failures;
    for (const auto& p : net.params) REQUIRE_FALSE(p.has_grad());
    loss.backward();  // the same graph again, without the failure
    REQUIRE(grads_of(net.params) == clean);
    zero_grads(net.params);
  }
  CHECK(failures > 20);  // the walk, the kernels and the nodes allocate: all were hit
  REQUIRE(autograd::live_node_count() == nodes);
}

TEST_CASE("backward faults: leaf gradients from earlier backward calls are kept unchanged",
          "[autograd][faults]") {
  FaultPlan plan;
  Net net = diamond(plan);
  net.loss().backward();
  const Grads once = grads_of(net.params);
  plan.arm(Fault::Throws, 2);
  REQUIRE_THROWS_WITH(net.loss().backward(), Contains("faulty VJP"));
  REQUIRE(grads_of(net.params) == once);  // accumulated before the failed call: still there
  plan.disarm();
  net.loss().backward();
  const Grads twice = grads_of(net.params);
  zero_grads(net.params);
  net.loss().backward();
  net.loss().backward();
  REQUIRE(grads_of(net.params) == twice);  // as if the failed call never happened
}

TEST_CASE("backward faults: a shape error in layer 3 of a forward leaves nothing behind",
          "[autograd][faults]") {
  nn::manual_seed(3);
  nn::Sequential model;
  model.add(nn::Dense(4, 6));
  model.add(nn::Sigmoid());
  model.add(nn::Dense(5, 2));  // expects 5 features, gets 6
  nn::manual_seed(3);
  nn::Sequential fixed;
  fixed.add(nn::Dense(4, 6));
  fixed.add(nn::Sigmoid());
  fixed.add(nn::Dense(6, 2));
  const Tensor x(test::random_array<float>({3, 4}, 1));
  const auto params = fixed.parameters();
  reduce_sum(fixed(x)).backward();
  const Grads clean = grads_of(params);
  zero_grads(params);

  const std::size_t nodes = autograd::live_node_count();
  REQUIRE_THROWS_WITH(model(x), Contains("[3, 6]") && Contains("[N, 5]"));
  REQUIRE(autograd::live_node_count() == nodes);  // layers 1-2's nodes are gone
  for (const auto& p : model.parameters()) REQUIRE_FALSE(p.has_grad());
  reduce_sum(fixed(x)).backward();
  REQUIRE(grads_of(params) == clean);
  REQUIRE(autograd::live_node_count() == nodes);
}

TEST_CASE("backward faults: reaching a freed graph fails without side effects",
          "[autograd][faults]") {
  Tensor64 w = Tensor64::scalar(2.0, true);
  Tensor64 v = Tensor64::scalar(5.0, true);
  Tensor64 h = w * w;
  (h + 1.0).backward();
  w.zero_grad();
  // v's gradient is computed before the walk reaches the freed h: it must not be committed.
  Tensor64 mixed = h * v;
  Tensor64 scaled = v * 3.0;  // newer than mixed, so its backward runs first
  Tensor64 other = mixed + scaled;
  REQUIRE_THROWS_WITH(other.backward(), Contains("already been freed"));
  REQUIRE_FALSE(v.has_grad());
  REQUIRE_FALSE(w.has_grad());
}
