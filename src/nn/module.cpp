#include "xgrad/nn/module.hpp"

#include <stdexcept>

namespace xgrad::nn {

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

Tensor Module::forward(const Tensor&) {
  throw std::logic_error(label() + ": this module does not define forward()");
}

std::string Module::label() const {
  return registered_name_.empty() ? type_name_ : type_name_ + " '" + registered_name_ + "'";
}

void Module::set_registered_name(const std::string& dotted_name) {
  registered_name_ = dotted_name;
  for (auto& kv : children_) kv.second->set_registered_name(dotted_name + "." + kv.first);
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty()) {
    throw std::invalid_argument(label() + ": a registered name must not be empty");
  }
  if (name.find('.') != std::string::npos) {
    throw std::invalid_argument(label() + ": registered name '" + name +
                                "' must not contain '.' (dots separate nested names)");
  }
  auto clash = [&](const auto& list) {
    for (const auto& kv : list) {
      if (kv.first == name) return true;
    }
    return false;
  };
  if (clash(parameters_) || clash(buffers_) || clash(children_)) {
    throw std::invalid_argument(label() + ": name '" + name + "' is already registered");
  }
}

Tensor& Module::register_parameter(const std::string& name, Tensor tensor, bool trainable) {
  check_new_name(name);
  if (!tensor.defined()) {
    throw std::invalid_argument(label() + ": parameter '" + name + "' is an undefined tensor");
  }
  if (!tensor.is_leaf()) {
    throw std::invalid_argument(label() + ": parameter '" + name +
                                "' must be a leaf tensor (use detach())");
  }
  tensor.set_requires_grad(trainable);
  parameters_.emplace_back(name, std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name);
  if (!tensor.defined()) {
    throw std::invalid_argument(label() + ": buffer '" + name + "' is an undefined tensor");
  }
  if (!tensor.is_leaf()) {
    throw std::invalid_argument(label() + ": buffer '" + name +
                                "' must be a leaf tensor (use detach())");
  }
  tensor.set_requires_grad(false);
  buffers_.emplace_back(name, std::move(tensor));
  return buffers_.back().second;
}

std::shared_ptr<Module> Module::register_module(const std::string& name,
                                                std::shared_ptr<Module> module) {
  check_new_name(name);
  if (!module) {
    throw std::invalid_argument(label() + ": child module '" + name + "' is null");
  }
  children_.emplace_back(name, module);
  module->set_registered_name(registered_name_.empty() ? name : registered_name_ + "." + name);
  return module;
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

}  // namespace xgrad::nn
