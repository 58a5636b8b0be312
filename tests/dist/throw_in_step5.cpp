// A data-parallel job in which rank 1 throws in step 5 while rank 0 goes on to its next
// reduction: the job must end (MPI_Abort from the uncaught exception) instead of hanging.
#include <random>
#include <stdexcept>
#include <xgrad/dist/dist.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/sgd.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;

int main(int argc, char** argv) {
  dist::Session session(argc, argv);
  std::mt19937_64 rng(1);
  nn::Sequential model;
  model.add(std::make_shared<nn::Dense>(4, 3, true, rng));
  dist::DataParallel ddp(model, session.world());
  optim::SGD sgd(model.parameters(), 0.1f);
  Tensor x(xt::ones<float>({2, 4}));
  for (int step = 0; step < 1000; ++step) {
    if (step == 5 && session.rank() == 1) throw std::runtime_error("injected failure in step 5");
    sgd.zero_grad();
    reduce_sum(model.forward(x)).backward();
    ddp.wait();
    sgd.step();
  }
  return 0;  // not reached by rank 0: the abort ends it while it waits for rank 1
}
