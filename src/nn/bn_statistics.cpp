#include "xgrad/nn/bn_statistics.hpp"

#include <string>
#include <utility>

#include "check.hpp"

#include "xgrad/autograd/tape.hpp"
#include "xgrad/nn/batch_norm.hpp"

namespace xgrad::nn {

namespace {

void collect(Module& m, std::vector<Module*>& all, std::vector<BatchNorm*>& norms) {
  all.push_back(&m);
  if (auto* bn = dynamic_cast<BatchNorm*>(&m)) norms.push_back(bn);
  for (auto& [name, child] : m.named_children()) collect(*child, all, norms);
}

/// Puts every module's training flag back; parents first, since train() recurses.
class ModeRestorer {
public:
  explicit ModeRestorer(const std::vector<Module*>& modules) {
    for (Module* m : modules) saved_.emplace_back(m, m->is_training());
  }
  ~ModeRestorer() {
    for (auto& [m, training] : saved_) m->train(training);
  }

private:
  std::vector<std::pair<Module*, bool>> saved_;
};

}  // namespace

std::size_t update_batch_norm_statistics(Module& model, const std::function<bool(Module&)>& next) {
  std::vector<Module*> modules;
  std::vector<BatchNorm*> norms;
  collect(model, modules, norms);
  if (norms.empty()) {
    check::fail("update_batch_norm_statistics", model.label() + " has no BatchNorm layer");
  }
  for (BatchNorm* bn : norms) {
    if (bn->options().decay() == 1.0f) {
      check::fail("update_batch_norm_statistics",
                  bn->label() + " has decay 1, so a training pass leaves no batch statistic in its "
                                "buffers");
    }
  }
  // Kept to undo a pass that throws halfway.
  std::vector<std::pair<xt::xarray<float>, xt::xarray<float>>> before;
  for (BatchNorm* bn : norms) before.emplace_back(bn->moving_mean().value(), bn->moving_variance().value());
  std::vector<std::pair<std::vector<double>, std::vector<double>>> sums;
  for (BatchNorm* bn : norms) {
    const std::size_t f = bn->options().features();
    sums.emplace_back(std::vector<double>(f, 0.0), std::vector<double>(f, 0.0));
  }

  ModeRestorer restore_modes(modules);
  model.train(true);
  NoGradGuard no_grad;
  std::size_t used = 0;
  try {
    for (;;) {
      // With zero buffers, the layer's update moving = moving * decay + batch * (1 - decay)
      // leaves batch * (1 - decay): this batch's statistics, read back below.
      for (BatchNorm* bn : norms) {
        bn->moving_mean().value().fill(0.0f);
        bn->moving_variance().value().fill(0.0f);
      }
      if (!next(model)) break;
      ++used;
      for (std::size_t k = 0; k < norms.size(); ++k) {
        const double share = double(1.0f - norms[k]->options().decay());
        const float* mean = norms[k]->moving_mean().value().data();
        const float* variance = norms[k]->moving_variance().value().data();
        for (std::size_t i = 0; i < sums[k].first.size(); ++i) {
          sums[k].first[i] += double(mean[i]) / share;
          sums[k].second[i] += double(variance[i]) / share;
        }
      }
    }
  } catch (...) {
    for (std::size_t k = 0; k < norms.size(); ++k) {
      norms[k]->moving_mean().value() = before[k].first;
      norms[k]->moving_variance().value() = before[k].second;
    }
    throw;
  }
  for (std::size_t k = 0; k < norms.size(); ++k) {
    if (used == 0) {
      norms[k]->moving_mean().value() = before[k].first;
      norms[k]->moving_variance().value() = before[k].second;
      continue;
    }
    float* mean = norms[k]->moving_mean().value().data();
    float* variance = norms[k]->moving_variance().value().data();
    for (std::size_t i = 0; i < sums[k].first.size(); ++i) {
      mean[i] = float(sums[k].first[i] / double(used));
      variance[i] = float(sums[k].second[i] / double(used));
    }
  }
  if (used == 0) {
    check::fail("update_batch_norm_statistics",
                "no batch to estimate the statistics of " + model.label() + " from");
  }
  return used;
}

std::size_t update_batch_norm_statistics(Module& model, data::Batches& batches,
                                         std::size_t max_batches) {
  if (max_batches == 0 && batches.options().endless()) {
    check::fail("update_batch_norm_statistics", "an endless batch stream needs max_batches > 0");
  }
  std::size_t seen = 0;
  data::Batch batch;
  return update_batch_norm_statistics(model, [&](Module& m) {
    if (max_batches > 0 && seen == max_batches) return false;
    if (!batches.next(batch)) return false;
    ++seen;
    m(batch.images);
    return true;
  });
}

std::size_t update_batch_norm_statistics(Module& model, const std::vector<Tensor>& inputs) {
  std::size_t i = 0;
  return update_batch_norm_statistics(model, [&](Module& m) {
    if (i == inputs.size()) return false;
    m(inputs[i++]);
    return true;
  });
}

}  // namespace xgrad::nn
