#include "xgrad/nn/module.hpp"

#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "check.hpp"
#include "nn/module_calls.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::nn {

namespace detail {
template <class T>
CallObserver<T>*& call_observer() {
  thread_local CallObserver<T>* observer = nullptr;
  return observer;
}
template CallObserver<float>*& call_observer<float>();
template CallObserver<double>*& call_observer<double>();
}  // namespace detail

template <class T>
BasicModule<T>::BasicModule(std::string type_name) : type_name_(std::move(type_name)) {}

template <class T>
BasicModule<T>::BasicModule(BasicModule&& other) noexcept
    : type_name_(std::move(other.type_name_)),
      training_(other.training_),
      parameters_(std::move(other.parameters_)),
      buffers_(std::move(other.buffers_)),
      children_(std::move(other.children_)) {
  // The moved-to module is registered nowhere: its children's names lose the old prefix.
  set_registered_name("");
}

template <class T>
BasicTensor<T> BasicModule<T>::operator()(const Tensor& x) {
  Tensor y = forward(x);
  if (auto* observer = detail::call_observer<T>()) observer->on_call(*this, x, y);
  return y;
}

template <class T>
BasicTensor<T> BasicModule<T>::forward(const Tensor&) {
  throw std::logic_error(label() + ": this module does not define forward()");
}

template <class T>
std::string BasicModule<T>::label() const {
  return registered_name_.empty() ? type_name_ : type_name_ + " '" + registered_name_ + "'";
}

template <class T>
void BasicModule<T>::set_registered_name(const std::string& dotted_name) {
  registered_name_ = dotted_name;
  for (auto& kv : children_) {
    kv.second->set_registered_name(dotted_name.empty() ? kv.first : dotted_name + "." + kv.first);
  }
}

template <class T>
void BasicModule<T>::check_new_name(const std::string& name) const {
  if (name.empty()) {
    check::fail(label(), "a registered name must not be empty");
  }
  if (name.find('.') != std::string::npos) {
    check::fail(label(), "registered name '" + name +
                             "' must not contain '.' (dots separate nested names)");
  }
  auto clash = [&](const auto& list) {
    for (const auto& kv : list) {
      if (kv.first == name) return true;
    }
    return false;
  };
  if (clash(parameters_) || clash(buffers_) || clash(children_)) {
    check::fail(label(), "name '" + name + "' is already registered");
  }
}

template <class T>
BasicTensor<T> BasicModule<T>::register_parameter(const std::string& name, Tensor tensor, bool trainable) {
  check_new_name(name);
  if (!tensor.defined()) {
    check::fail(label(), "parameter '" + name + "' is an undefined tensor");
  }
  if (!tensor.is_leaf()) {
    check::fail(label(), "parameter '" + name + "' must be a leaf tensor (use detach())");
  }
  tensor.set_requires_grad(trainable);
  parameters_.emplace_back(name, std::move(tensor));
  return parameters_.back().second;
}

template <class T>
BasicTensor<T> BasicModule<T>::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name);
  if (!tensor.defined()) {
    check::fail(label(), "buffer '" + name + "' is an undefined tensor");
  }
  if (!tensor.is_leaf()) {
    check::fail(label(), "buffer '" + name + "' must be a leaf tensor (use detach())");
  }
  tensor.set_requires_grad(false);
  buffers_.emplace_back(name, std::move(tensor));
  return buffers_.back().second;
}

template <class T>
void BasicModule<T>::register_child(const std::string& name, std::shared_ptr<BasicModule> module) {
  check_new_name(name);
  if (!module) {
    check::fail(label(), "child module '" + name + "' is null");
  }
  if (module.get() == this) {
    check::fail(label(), "cannot register a module as its own child '" + name + "'");
  }
  module->set_registered_name(registered_name_.empty() ? name : registered_name_ + "." + name);
  children_.emplace_back(name, std::move(module));
}

template <class T>
void BasicModule<T>::collect_parameters(const std::string& prefix, NamedList<Tensor>& out) const {
  for (const auto& kv : parameters_) out.emplace_back(prefix + kv.first, kv.second);
  for (const auto& kv : children_) kv.second->collect_parameters(prefix + kv.first + ".", out);
}

template <class T>
void BasicModule<T>::collect_buffers(const std::string& prefix, NamedList<Tensor>& out) const {
  for (const auto& kv : buffers_) out.emplace_back(prefix + kv.first, kv.second);
  for (const auto& kv : children_) kv.second->collect_buffers(prefix + kv.first + ".", out);
}

template <class T>
NamedList<BasicTensor<T>> BasicModule<T>::named_parameters() const {
  NamedList<Tensor> out;
  collect_parameters("", out);
  return out;
}

template <class T>
std::vector<BasicTensor<T>> BasicModule<T>::parameters() const {
  std::vector<Tensor> out;
  for (auto& kv : named_parameters()) {
    if (kv.second.requires_grad()) out.push_back(kv.second);
  }
  return out;
}

template <class T>
NamedList<BasicTensor<T>> BasicModule<T>::named_buffers() const {
  NamedList<Tensor> out;
  collect_buffers("", out);
  return out;
}

template <class T>
std::vector<BasicTensor<T>> BasicModule<T>::buffers() const {
  std::vector<Tensor> out;
  for (auto& kv : named_buffers()) out.push_back(kv.second);
  return out;
}

template <class T>
BasicTensor<T> BasicModule<T>::parameter(const std::string& dotted_name) const {
  for (auto& kv : named_parameters()) {
    if (kv.first == dotted_name) return kv.second;
  }
  throw std::out_of_range(label() + ": no parameter named '" + dotted_name + "'");
}

template <class T>
BasicTensor<T> BasicModule<T>::buffer(const std::string& dotted_name) const {
  for (auto& kv : named_buffers()) {
    if (kv.first == dotted_name) return kv.second;
  }
  throw std::out_of_range(label() + ": no buffer named '" + dotted_name + "'");
}

template <class T>
void BasicModule<T>::set_trainable(bool trainable) {
  for (auto& kv : named_parameters()) kv.second.set_requires_grad(trainable);
}

template <class T>
void BasicModule<T>::set_trainable(const std::string& dotted_name, bool trainable) {
  parameter(dotted_name).set_requires_grad(trainable);
}

template <class T>
bool BasicModule<T>::is_trainable(const std::string& dotted_name) const {
  return parameter(dotted_name).requires_grad();
}

template <class T>
void BasicModule<T>::train(bool on) {
  training_ = on;
  for (auto& kv : children_) kv.second->train(on);
}

template <class T>
typename BasicModule<T>::ParameterCounts BasicModule<T>::count_parameters() const {
  ParameterCounts counts;
  for (const auto& kv : named_parameters()) {
    (kv.second.requires_grad() ? counts.trainable : counts.non_trainable) += kv.second.size();
  }
  for (const auto& kv : named_buffers()) counts.non_trainable += kv.second.size();
  return counts;
}

namespace {

struct SummaryRow {
  std::string name, type, shape;
  std::size_t params = 0;
};

/// 1234567 -> "1,234,567", as Keras prints counts.
std::string with_commas(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

template <class T>
void walk(BasicModule<T>& m, const std::string& prefix,
          std::vector<std::pair<BasicModule<T>*, bool>>& modes,
          std::vector<std::pair<std::string, BasicModule<T>*>>& rows) {
  modes.emplace_back(&m, m.is_training());
  for (const auto& kv : m.named_children()) {
    const std::string dotted = prefix + kv.first;
    rows.emplace_back(dotted, kv.second.get());
    walk(*kv.second, dotted + ".", modes, rows);
  }
}

/// Records the output shape of every module called through operator().
template <class T>
struct ShapeRecorder : detail::CallObserver<T> {
  std::map<const BasicModule<T>*, Shape> shapes;
  void on_call(BasicModule<T>& m, const BasicTensor<T>&, const BasicTensor<T>& y) override {
    shapes[&m] = y.shape();
  }
};

}  // namespace

template <class T>
void BasicModule<T>::summary(const Shape& input_shape, std::ostream& out) {
  std::vector<std::pair<BasicModule*, bool>> modes;
  std::vector<std::pair<std::string, BasicModule*>> modules;
  walk(*this, "", modes, modules);

  ShapeRecorder<T> recorder;
  const auto& shapes = recorder.shapes;
  {
    // Restores every module's own flag (a user may keep one child in eval on purpose) and
    // stops recording, whatever forward throws.
    struct Restore {
      std::vector<std::pair<BasicModule*, bool>>& modes;
      ~Restore() {
        for (auto& mb : modes) mb.first->training_ = mb.second;
      }
    } restore{modes};
    eval();
    NoGradGuard no_grad;
    detail::ObserveCalls<T> observe(&recorder);
    (*this)(Tensor::zeros(input_shape));
  }

  std::vector<SummaryRow> rows;
  for (const auto& nm : modules) {
    auto counts = nm.second->count_parameters();
    auto it = shapes.find(nm.second);
    rows.push_back({nm.first, nm.second->name(), it == shapes.end() ? "?" : to_string(it->second),
                    counts.total()});
  }
  std::size_t wn = 18, ws = 12;
  for (const auto& r : rows) {
    wn = std::max(wn, r.name.size() + r.type.size() + 3);
    ws = std::max(ws, r.shape.size());
  }
  wn += 2;
  ws += 2;
  const std::size_t width = 1 + wn + ws + 12;
  auto pad = [](std::string s, std::size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  const auto counts = count_parameters();
  auto it = shapes.find(this);
  out << "Model: \"" << name() << "\"  input " << to_string(input_shape) << " -> output "
      << (it == shapes.end() ? "?" : to_string(it->second)) << "\n";
  out << std::string(width, '_') << "\n";
  out << " " << pad("Layer (type)", wn) << pad("Output Shape", ws) << "Param #\n";
  out << std::string(width, '=') << "\n";
  for (const auto& r : rows) {
    out << " " << pad(r.name + " (" + r.type + ")", wn) << pad(r.shape, ws)
        << with_commas(r.params) << "\n";
  }
  out << std::string(width, '=') << "\n";
  out << "Total params: " << with_commas(counts.total()) << "\n";
  out << "Trainable params: " << with_commas(counts.trainable) << "\n";
  out << "Non-trainable params: " << with_commas(counts.non_trainable) << "\n";
  out << std::string(width, '_') << "\n";
}

template <class T>
void BasicModule<T>::summary(const Shape& input_shape) { summary(input_shape, std::cout); }

template <class T>
std::string BasicModule<T>::summary_string(const Shape& input_shape) {
  std::ostringstream os;
  summary(input_shape, os);
  return os.str();
}

template class BasicModule<float>;
template class BasicModule<double>;

}  // namespace xgrad::nn
