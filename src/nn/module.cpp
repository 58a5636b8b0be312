#include "xgrad/nn/module.hpp"

#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "check.hpp"
#include "xgrad/autograd/tape.hpp"

namespace xgrad::nn {

namespace {
// While summary() runs its forward pass on this thread: the output shape of every module
// called through operator(). Null otherwise, so operator() costs one load.
thread_local std::map<const Module*, Shape>* output_shapes = nullptr;
}  // namespace

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

Module::Module(Module&& other) noexcept
    : type_name_(std::move(other.type_name_)),
      training_(other.training_),
      parameters_(std::move(other.parameters_)),
      buffers_(std::move(other.buffers_)),
      children_(std::move(other.children_)) {
  // The moved-to module is registered nowhere: its children's names lose the old prefix.
  set_registered_name("");
}

Tensor Module::operator()(const Tensor& x) {
  Tensor y = forward(x);
  if (output_shapes) (*output_shapes)[this] = y.shape();
  return y;
}

Tensor Module::forward(const Tensor&) {
  throw std::logic_error(label() + ": this module does not define forward()");
}

std::string Module::label() const {
  return registered_name_.empty() ? type_name_ : type_name_ + " '" + registered_name_ + "'";
}

void Module::set_registered_name(const std::string& dotted_name) {
  registered_name_ = dotted_name;
  for (auto& kv : children_) {
    kv.second->set_registered_name(dotted_name.empty() ? kv.first : dotted_name + "." + kv.first);
  }
}

void Module::check_new_name(const std::string& name) const {
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

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool trainable) {
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

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
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

void Module::register_child(const std::string& name, std::shared_ptr<Module> module) {
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

void Module::collect_parameters(const std::string& prefix, NamedList<Tensor>& out) const {
  for (const auto& kv : parameters_) out.emplace_back(prefix + kv.first, kv.second);
  for (const auto& kv : children_) kv.second->collect_parameters(prefix + kv.first + ".", out);
}

void Module::collect_buffers(const std::string& prefix, NamedList<Tensor>& out) const {
  for (const auto& kv : buffers_) out.emplace_back(prefix + kv.first, kv.second);
  for (const auto& kv : children_) kv.second->collect_buffers(prefix + kv.first + ".", out);
}

NamedList<Tensor> Module::named_parameters() const {
  NamedList<Tensor> out;
  collect_parameters("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& kv : named_parameters()) {
    if (kv.second.requires_grad()) out.push_back(kv.second);
  }
  return out;
}

NamedList<Tensor> Module::named_buffers() const {
  NamedList<Tensor> out;
  collect_buffers("", out);
  return out;
}

std::vector<Tensor> Module::buffers() const {
  std::vector<Tensor> out;
  for (auto& kv : named_buffers()) out.push_back(kv.second);
  return out;
}

Tensor Module::parameter(const std::string& dotted_name) const {
  for (auto& kv : named_parameters()) {
    if (kv.first == dotted_name) return kv.second;
  }
  throw std::out_of_range(label() + ": no parameter named '" + dotted_name + "'");
}

Tensor Module::buffer(const std::string& dotted_name) const {
  for (auto& kv : named_buffers()) {
    if (kv.first == dotted_name) return kv.second;
  }
  throw std::out_of_range(label() + ": no buffer named '" + dotted_name + "'");
}

void Module::set_trainable(bool trainable) {
  for (auto& kv : named_parameters()) kv.second.set_requires_grad(trainable);
}

void Module::set_trainable(const std::string& dotted_name, bool trainable) {
  parameter(dotted_name).set_requires_grad(trainable);
}

bool Module::is_trainable(const std::string& dotted_name) const {
  return parameter(dotted_name).requires_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& kv : children_) kv.second->train(on);
}

Module::ParameterCounts Module::count_parameters() const {
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

void walk(Module& m, const std::string& prefix, std::vector<std::pair<Module*, bool>>& modes,
          std::vector<std::pair<std::string, Module*>>& rows) {
  modes.emplace_back(&m, m.is_training());
  for (const auto& kv : m.named_children()) {
    const std::string dotted = prefix + kv.first;
    rows.emplace_back(dotted, kv.second.get());
    walk(*kv.second, dotted + ".", modes, rows);
  }
}

}  // namespace

void Module::summary(const Shape& input_shape, std::ostream& out) {
  std::vector<std::pair<Module*, bool>> modes;
  std::vector<std::pair<std::string, Module*>> modules;
  walk(*this, "", modes, modules);

  std::map<const Module*, Shape> shapes;
  {
    // Restores every module's own flag (a user may keep one child in eval on purpose) and
    // stops recording, whatever forward throws.
    struct Restore {
      std::vector<std::pair<Module*, bool>>& modes;
      ~Restore() {
        output_shapes = nullptr;
        for (auto& mb : modes) mb.first->training_ = mb.second;
      }
    } restore{modes};
    eval();
    NoGradGuard no_grad;
    output_shapes = &shapes;
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

void Module::summary(const Shape& input_shape) { summary(input_shape, std::cout); }

std::string Module::summary_string(const Shape& input_shape) {
  std::ostringstream os;
  summary(input_shape, os);
  return os.str();
}

}  // namespace xgrad::nn
