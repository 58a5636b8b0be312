#include "xgrad/nn/copy_state.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace xgrad::nn {

namespace {

template <class T>
NamedList<BasicTensor<T>> state_of(const BasicModule<T>& m) {
  auto all = m.named_parameters();
  auto buffers = m.named_buffers();
  all.insert(all.end(), buffers.begin(), buffers.end());
  return all;
}

}  // namespace

template <class From, class To>
void copy_state(const BasicModule<From>& from, BasicModule<To>& to) {
  const auto src = state_of(from);
  const auto dst = state_of(to);
  std::map<std::string, const BasicTensor<From>*> by_name;
  for (const auto& kv : src) by_name[kv.first] = &kv.second;
  // Every problem first, so that a refused copy changes nothing.
  std::vector<std::string> problems;
  std::vector<std::pair<const BasicTensor<From>*, const BasicTensor<To>*>> copies;
  for (const auto& kv : dst) {
    auto it = by_name.find(kv.first);
    if (it == by_name.end()) {
      problems.push_back("'" + kv.first + "' is in the destination only");
      continue;
    }
    if (it->second->shape() != kv.second.shape()) {
      problems.push_back("'" + kv.first + "' has shape " + to_string(it->second->shape()) +
                         " in the source, " + to_string(kv.second.shape()) +
                         " in the destination");
    }
    copies.emplace_back(it->second, &kv.second);
    by_name.erase(it);
  }
  for (const auto& kv : src) {
    if (by_name.count(kv.first)) problems.push_back("'" + kv.first + "' is in the source only");
  }
  if (!problems.empty()) {
    std::string msg = "nn::copy_state: " + from.label() + " and " + to.label() +
                      " do not have the same state: ";
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    throw std::invalid_argument(msg + ". Nothing was copied.");
  }
  for (const auto& c : copies) {
    const auto& a = c.first->value();
    auto& b = c.second->value();
    std::transform(a.begin(), a.end(), b.begin(), [](From v) { return To(v); });
  }
}

template void copy_state(const BasicModule<float>&, BasicModule<float>&);
template void copy_state(const BasicModule<float>&, BasicModule<double>&);
template void copy_state(const BasicModule<double>&, BasicModule<float>&);
template void copy_state(const BasicModule<double>&, BasicModule<double>&);

}  // namespace xgrad::nn
