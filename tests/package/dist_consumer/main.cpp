// A program outside the xgrad tree, built against the installed xgrad::dist and run on
// several ranks: the ranks start from rank 0's weights and end a step with the same mean
// gradient.
#include <cstdio>
#include <random>
#include <xgrad/dist/dist.hpp>
#include <xgrad/xgrad.hpp>

int main(int argc, char** argv) {
  using namespace xgrad;
  dist::Session session(argc, argv);
  const dist::Communicator& world = session.world();
  std::mt19937_64 rng(100 + world.rank());  // a different initialization on every rank
  nn::Dense layer(2, 1, /*use_bias=*/false, rng);
  dist::DataParallel ddp(layer, world);  // rank 0's weights, everywhere
  Tensor w = layer.parameters().at(0);
  xt::xarray<float> rank0_w = w.value();
  dist::broadcast(world, rank0_w, 0);
  // loss = sum(x W) with x = [r + 1, r + 1] on rank r: dL/dW = r + 1, whose mean over n ranks
  // is (n + 1) / 2.
  Tensor x(xt::xarray<float>{{float(world.rank() + 1), float(world.rank() + 1)}});
  reduce_sum(layer.forward(x)).backward();
  ddp.wait();
  const float expected = float(world.size() + 1) / 2.0f;
  const bool same_start = w.value() == rank0_w;
  const bool mean = w.grad()(0, 0) == expected && w.grad()(1, 0) == expected;
  std::printf("rank %d of %d: weights %s rank 0's, mean gradient %g (expected %g)\n",
              world.rank(), world.size(), same_start ? "equal" : "DIFFER FROM", w.grad()(0, 0),
              expected);
  return same_start && mean ? 0 : 1;
}
