// Grad-ready hooks: each fires once per backward, after the last node consuming its leaf ran.
#include <catch2/catch.hpp>
#include <string>
#include <vector>
#include <xgrad/autograd/grad_ready.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

namespace {

// Identity whose backward gives its second input no gradient (and records that it ran).
Tensor64 pass_first(const Tensor64& a, const Tensor64& b, std::vector<std::string>* log) {
  return make_op("pass_first", xt::xarray<double>(a.value()), {a, b},
                 [log](const auto& g, const auto&, auto& grads) {
                   if (log) log->push_back("pass_first");
                   grads.set(0, g);
                 });
}

}  // namespace

TEST_CASE("grad-ready hooks: a leaf used early fires after one used late", "[autograd][grad_ready]") {
  Tensor64 x(xt::xarray<double>{1.0, 2.0});
  Tensor64 w1(xt::xarray<double>{3.0, 4.0}, true), w2(xt::xarray<double>{5.0, 6.0}, true);
  Tensor64 unused(xt::xarray<double>{7.0}, true);
  std::vector<std::string> log;
  bool w1_had_grad_when_w2_fired = true;
  auto id1 = autograd::add_grad_ready_hook(w1, [&] { log.push_back("w1"); });
  auto id2 = autograd::add_grad_ready_hook(w2, [&] {
    log.push_back("w2");
    w1_had_grad_when_w2_fired = w1.has_grad();
  });
  auto id3 = autograd::add_grad_ready_hook(unused, [&] { log.push_back("unused"); });
  // w1 is consumed twice (both uses must have run before it is final), w2 once, late.
  reduce_sum(mul(mul(mul(x, w1), w1), w2)).backward();
  CHECK(log == std::vector<std::string>{"w2", "w1"});
  CHECK_FALSE(w1_had_grad_when_w2_fired);
  CHECK(w1.grad()(1) == Approx(2.0 * 2.0 * 4.0 * 6.0));

  log.clear();
  autograd::remove_grad_ready_hook(w2, id2);
  reduce_sum(mul(x, w2)).backward();  // w1 not in this graph; w2's hook removed
  CHECK(log.empty());
  autograd::remove_grad_ready_hook(w1, id1);
  autograd::remove_grad_ready_hook(unused, id3);
  autograd::remove_grad_ready_hook(unused, id3);  // unknown ids are ignored
  autograd::remove_grad_ready_hook(w1, id2);      // so is another leaf's id
}

TEST_CASE("grad-ready hooks: a reachable leaf that gets no gradient fires at the end of the walk",
          "[autograd][grad_ready]") {
  Tensor64 a(xt::xarray<double>{1.0}, true), b(xt::xarray<double>{2.0}, true);
  std::vector<std::string> log;
  auto ia = autograd::add_grad_ready_hook(a, [&] { log.push_back("a"); });
  auto ib = autograd::add_grad_ready_hook(b, [&] { log.push_back("b"); });
  pass_first(a, mul(b, b), &log).backward();
  CHECK(log == std::vector<std::string>{"pass_first", "a", "b"});
  CHECK_FALSE(b.has_grad());
  autograd::remove_grad_ready_hook(a, ia);
  autograd::remove_grad_ready_hook(b, ib);
}

TEST_CASE("grad-ready hooks: only leaves that require a gradient take one", "[autograd][grad_ready]") {
  Tensor64 c(xt::xarray<double>{1.0});
  Tensor64 l(xt::xarray<double>{1.0}, true);
  REQUIRE_THROWS_WITH(autograd::add_grad_ready_hook(c, [] {}),
                      Catch::Contains("leaf that requires a gradient"));
  REQUIRE_THROWS_WITH(autograd::add_grad_ready_hook(mul(l, l), [] {}),
                      Catch::Contains("leaf that requires a gradient"));
}

TEST_CASE("grad-ready hooks live on the leaf: they go with it, and fire while the graph holds it",
          "[autograd][grad_ready]") {
  Tensor64 x(xt::xarray<double>{1.0, 2.0});
  int fired = 0;
  Tensor64 loss;
  {
    Tensor64 w(xt::xarray<double>{3.0, 4.0}, true);
    autograd::add_grad_ready_hook(w, [&] { ++fired; });
    // The only handle on w goes; the graph keeps w, and the hook must still fire, after the
    // walk has released every node (a reachable leaf whose consumer got no gradient).
    loss = pass_first(reduce_sum(x), reduce_sum(mul(x, w)), nullptr);
  }
  loss.backward();
  CHECK(fired == 1);
  loss = Tensor64();  // w is freed now, with its hook: a later leaf never sees it
  Tensor64 v(xt::xarray<double>{3.0, 4.0}, true);
  reduce_sum(mul(x, v)).backward();
  CHECK(fired == 1);
}
