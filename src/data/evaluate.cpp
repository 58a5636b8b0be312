#include "xgrad/data/evaluate.hpp"

#include <stdexcept>

#include "xgrad/autograd/tape.hpp"

namespace xgrad::data {

std::size_t evaluate(nn::Module& model, TensorBatches& batches,
                     const std::vector<Metric*>& metrics) {
  if (batches.options().endless()) {
    throw std::invalid_argument("evaluate: the batches are endless; evaluation needs one epoch");
  }
  struct RestoreMode {
    nn::Module& m;
    bool was_training;
    ~RestoreMode() { m.train(was_training); }
  } restore{model, model.is_training()};
  model.eval();
  NoGradGuard no_grad;
  for (Metric* m : metrics) m->reset();
  std::size_t seen = 0;
  for (auto& batch : batches) {
    const Tensor out = model(batch.features);
    for (Metric* m : metrics) m->update(out.value(), batch);
    seen += batch.size();
  }
  return seen;
}

}  // namespace xgrad::data
