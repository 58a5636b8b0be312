#include "xgrad/io/checkpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>

#include "autograd/tensor_impl.hpp"
#include "io/safetensors.hpp"

namespace xgrad::io {

namespace {

// Optimizer state names start with this; model names may not (checked when saving).
const std::string kOptimizerPrefix = "optimizer/";

bool is_optimizer_name(const std::string& name) {
  return name.compare(0, kOptimizerPrefix.size(), kOptimizerPrefix) == 0;
}

template <class T>
nn::NamedList<BasicTensor<T>> all_state(const nn::BasicModule<T>& module) {
  auto named = module.named_parameters();
  auto bufs = module.named_buffers();
  named.insert(named.end(), bufs.begin(), bufs.end());
  return named;
}

const std::string* find_metadata(const detail::SafetensorsFile& file, const std::string& key) {
  for (const auto& kv : file.metadata) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

/// A copy from the file's data into an array of the right size, decided before any copy.
template <class T>
struct Copy {
  xt::xarray<T>* dst;
  Shape shape;  // to allocate an optimizer slot not allocated yet
  const detail::SafetensorsEntry* src;
};

/// A planned load: every copy and counter, or the problems that refuse the file.
template <class T>
struct Plan {
  std::vector<Copy<T>> copies;
  std::vector<xt::xarray<T>*> resets;  // optimizer slots the file does not have
  std::vector<std::pair<std::int64_t*, std::int64_t>> counters;
  bool with_optimizer = false;
  optim::BasicOptimizer<T>* optimizer = nullptr;  // set when its part of the plan is complete
  float lr = 0.0f;
  std::vector<std::string> problems;
};

template <class T>
void check_entry(const detail::SafetensorsEntry& e, const Shape& expected, Plan<T>& plan,
                 xt::xarray<T>* dst) {
  if (e.dtype != "F32" && e.dtype != "F64") {
    plan.problems.push_back("tensor '" + e.name + "' has dtype " + e.dtype +
                            ", expected F32 or F64");
  } else if (e.shape != expected) {
    plan.problems.push_back("tensor '" + e.name + "' has shape " + to_string(e.shape) +
                            ", the model expects " + to_string(expected));
  } else {
    plan.copies.push_back({dst, expected, &e});
  }
}

/// The model part: every parameter and buffer by name. Optimizer entries are left to
/// plan_optimizer (or ignored, for a model-only load of a file that has them).
template <class T>
void plan_model(const nn::BasicModule<T>& module, const detail::SafetensorsFile& file,
                Plan<T>& plan) {
  std::map<std::string, const detail::SafetensorsEntry*> by_name;
  for (const auto& e : file.entries) by_name[e.name] = &e;
  const bool has_optimizer = find_metadata(file, "optimizer") != nullptr;
  std::map<std::string, bool> used;
  for (const auto& kv : all_state(module)) {
    auto it = by_name.find(kv.first);
    if (it == by_name.end()) {
      plan.problems.push_back("missing tensor '" + kv.first + "' " + to_string(kv.second.shape()));
      continue;
    }
    used[kv.first] = true;
    check_entry(*it->second, kv.second.shape(), plan, &kv.second.value());
  }
  for (const auto& e : file.entries) {
    if (used.count(e.name) || (has_optimizer && is_optimizer_name(e.name))) continue;
    plan.problems.push_back("unexpected tensor '" + e.name + "' (not in the model)");
  }
}

/// Parameter i of the optimizer -> its dotted name in the module; throws naming the first
/// parameter the module does not have.
template <class T>
std::vector<std::string> optimizer_param_names(const nn::BasicModule<T>& module,
                                               const optim::BasicOptimizer<T>& optimizer) {
  std::map<const void*, std::string> by_impl;
  for (const auto& kv : module.named_parameters()) {
    by_impl[xgrad::detail::impl_of(kv.second).get()] = kv.first;
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < optimizer.params().size(); ++i) {
    auto it = by_impl.find(xgrad::detail::impl_of(optimizer.params()[i]).get());
    if (it == by_impl.end()) {
      throw std::invalid_argument(
          "xgrad::io: " + optimizer.name() + " parameter " + std::to_string(i) + " (shape " +
          to_string(optimizer.params()[i].shape()) + ") is not a parameter of the " +
          module.name() + ", so its state cannot be saved by name");
    }
    names.push_back(it->second);
  }
  return names;
}

std::string state_name(const std::string& param, const std::string& slot) {
  return kOptimizerPrefix + param + "/" + slot;
}

template <class Counter>
std::string counter_key(const std::vector<std::string>& names, const Counter& c) {
  return c.param == optim::Optimizer::kNoParam ? kOptimizerPrefix + c.name
                                               : state_name(names[c.param], c.name);
}

bool parse_int64(const std::string& s, std::int64_t& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < 0) return false;
  out = v;
  return true;
}

template <class T>
void plan_optimizer(const nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
                    const detail::SafetensorsFile& file, Plan<T>& plan) {
  plan.with_optimizer = true;
  const std::string* kind = find_metadata(file, "optimizer");
  if (!kind) {
    plan.problems.push_back("it has no optimizer state (saved without an optimizer)");
    return;
  }
  if (*kind != optimizer.name()) {
    plan.problems.push_back("its optimizer state is " + *kind + "'s, not " + optimizer.name() + "'s");
    return;
  }
  std::vector<std::string> names;
  try {
    names = optimizer_param_names(module, optimizer);
  } catch (const std::invalid_argument& e) {
    plan.problems.push_back(e.what());
    return;
  }
  std::map<std::string, const detail::SafetensorsEntry*> by_name;
  for (const auto& e : file.entries) {
    if (is_optimizer_name(e.name)) by_name[e.name] = &e;
  }
  for (const auto& s : optimizer.state_arrays()) {
    const std::string name = state_name(names[s.param], s.slot);
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      plan.resets.push_back(s.array);
      continue;
    }
    check_entry(*it->second, optimizer.params()[s.param].shape(), plan, s.array);
    by_name.erase(it);
  }
  for (const auto& kv : by_name) {
    plan.problems.push_back("unexpected optimizer tensor '" + kv.first + "' (no such " +
                            optimizer.name() + " state)");
  }
  for (const auto& c : optimizer.state_counters()) {
    const std::string key = counter_key(names, c);
    const std::string* text = find_metadata(file, key);
    std::int64_t v = 0;
    if (!text) {
      plan.problems.push_back("missing optimizer counter '" + key + "'");
    } else if (!parse_int64(*text, v)) {
      plan.problems.push_back("optimizer counter '" + key + "' is '" + *text +
                              "', not a count");
    } else {
      plan.counters.emplace_back(c.value, v);
    }
  }
  if (const std::string* lr = find_metadata(file, kOptimizerPrefix + "lr")) {
    char* end = nullptr;
    plan.lr = std::strtof(lr->c_str(), &end);
    if (end == lr->c_str() || *end != '\0') {
      plan.problems.push_back("optimizer lr '" + *lr + "' is not a number");
    }
  }
  plan.optimizer = &optimizer;
}

/// Element k of a stored tensor of `Src` (little-endian bytes) as T.
template <class Src>
Src read_element(const unsigned char* src, std::size_t k, bool little_endian) {
  unsigned char b[sizeof(Src)];
  std::memcpy(b, src + sizeof(Src) * k, sizeof(Src));
  if (!little_endian) std::reverse(b, b + sizeof(Src));
  Src v;
  std::memcpy(&v, b, sizeof(Src));
  return v;
}

/// Refuses the file with every problem, or applies the whole plan.
template <class T>
LoadReport apply(const Plan<T>& plan, const nn::BasicModule<T>& module,
                 const detail::SafetensorsFile& file, const std::string& path) {
  if (!plan.problems.empty()) {
    std::string msg = "xgrad::io::load: checkpoint '" + path + "' does not match the " +
                      module.name() + (plan.with_optimizer ? " and optimizer" : "") +
                      ": ";
    for (std::size_t i = 0; i < plan.problems.size(); ++i) msg += (i ? "; " : "") + plan.problems[i];
    msg += ". Nothing was changed.";
    throw std::runtime_error(msg);
  }
  // Optimizer slots not allocated yet: all allocations first, so bad_alloc changes nothing.
  std::vector<std::pair<xt::xarray<T>*, xt::xarray<T>>> allocations;
  for (const auto& c : plan.copies) {
    if (to_shape(c.dst->shape()) != c.shape) {
      allocations.emplace_back(c.dst, xt::xarray<T>::from_shape(c.shape));
    }
  }
  for (auto& a : allocations) *a.first = std::move(a.second);
  const bool le = detail::host_is_little_endian();
  const std::string own = detail::dtype_of<T>();
  LoadReport report;
  report.to_dtype = own;
  for (const auto& step : plan.copies) {
    auto& dst = *step.dst;
    const unsigned char* src = file.bytes.data() + file.data_start + step.src->begin;
    const std::size_t n = dst.size();
    if (step.src->dtype != own) {
      // Another precision: converted element by element (float -> double is exact).
      report.converted.push_back(step.src->name);
      report.from_dtype = step.src->dtype;
      T* d = dst.data();
      if (step.src->dtype == "F32") {
        for (std::size_t k = 0; k < n; ++k) d[k] = T(read_element<float>(src, k, le));
      } else {
        for (std::size_t k = 0; k < n; ++k) d[k] = T(read_element<double>(src, k, le));
      }
      continue;
    }
    if (n == 0) continue;
    std::memcpy(dst.data(), src, sizeof(T) * n);
    if (!le) {
      auto* b = reinterpret_cast<unsigned char*>(dst.data());
      for (std::size_t k = 0; k < n; ++k) std::reverse(b + sizeof(T) * k, b + sizeof(T) * (k + 1));
    }
  }
  for (auto* r : plan.resets) *r = xt::xarray<T>::from_shape({0});
  for (const auto& c : plan.counters) *c.first = c.second;
  if (plan.optimizer && plan.lr > 0.0f) plan.optimizer->restore_lr(plan.lr);
  return report;
}

template <class T>
LoadReport load_file(nn::BasicModule<T>& module, optim::BasicOptimizer<T>* optimizer,
                     const detail::SafetensorsFile& file, const std::string& path) {
  Plan<T> plan;
  plan_model(module, file, plan);
  if (optimizer) plan_optimizer(module, *optimizer, file, plan);
  return apply(plan, module, file, path);
}

template <class T>
std::vector<detail::TensorView> model_views(const nn::BasicModule<T>& module) {
  const auto state = all_state(module);
  std::vector<detail::TensorView> views;
  views.reserve(state.size());
  for (const auto& kv : state) {
    const auto& a = kv.second.value();
    views.push_back({kv.first, to_shape(a.shape()), a.data(), a.size(), detail::dtype_of<T>()});
  }
  return views;
}

}  // namespace

std::string LoadReport::message() const {
  if (converted.empty()) return "";
  std::string s = "converted " + std::to_string(converted.size()) + " tensor" +
                  (converted.size() == 1 ? "" : "s") + " from " + from_dtype + " to " + to_dtype +
                  ":";
  for (std::size_t i = 0; i < converted.size(); ++i) s += (i ? ", " : " ") + converted[i];
  return s;
}

template <class T>
void save(const nn::BasicModule<T>& module, const std::string& path) {
  detail::write_file_atomic(
      path, detail::encode_safetensors(model_views(module), {{"format", "np"}, {"producer", "xgrad"}}));
}

template <class T>
void save(const nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
          const std::string& path) {
  auto views = model_views(module);
  for (const auto& v : views) {
    if (is_optimizer_name(v.name)) {
      throw std::invalid_argument("xgrad::io::save: the " + module.name() + "'s tensor '" + v.name +
                                  "' starts with 'optimizer/', the optimizer state's prefix");
    }
  }
  const auto names = optimizer_param_names(module, optimizer);
  for (const auto& s : optimizer.state_arrays()) {
    if (s.array->size() == 0) continue;  // never allocated: loads back as zeros
    views.push_back({state_name(names[s.param], s.slot), to_shape(s.array->shape()),
                     s.array->data(), s.array->size(), detail::dtype_of<T>()});
  }
  std::vector<std::pair<std::string, std::string>> meta = {
      {"format", "np"}, {"producer", "xgrad"}, {"optimizer", optimizer.name()}};
  for (const auto& c : optimizer.state_counters()) {
    meta.emplace_back(counter_key(names, c), std::to_string(*c.value));
  }
  char lr[32];
  std::snprintf(lr, sizeof lr, "%.9g", double(optimizer.lr()));  // 9 digits round-trip a float
  meta.emplace_back(kOptimizerPrefix + "lr", lr);
  detail::write_file_atomic(path, detail::encode_safetensors(views, meta));
}

template <class T>
LoadReport load(nn::BasicModule<T>& module, const std::string& path) {
  return load_file<T>(module, nullptr, detail::read_safetensors(path), path);
}

template <class T>
LoadReport load_bytes(nn::BasicModule<T>& module, std::vector<unsigned char> bytes,
                      const std::string& name) {
  return load_file<T>(module, nullptr, detail::parse_safetensors(std::move(bytes), name), name);
}

template <class T>
LoadReport load(nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
                const std::string& path) {
  return load_file(module, &optimizer, detail::read_safetensors(path), path);
}

template <class T>
LoadReport load_bytes(nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
                      std::vector<unsigned char> bytes, const std::string& name) {
  return load_file(module, &optimizer, detail::parse_safetensors(std::move(bytes), name), name);
}

#define XGRAD_CHECKPOINT_INSTANTIATE(T)                                                         \
  template void save(const nn::BasicModule<T>&, const std::string&);                            \
  template LoadReport load(nn::BasicModule<T>&, const std::string&);                            \
  template LoadReport load_bytes(nn::BasicModule<T>&, std::vector<unsigned char>,               \
                                 const std::string&);                                           \
  template void save(const nn::BasicModule<T>&, optim::BasicOptimizer<T>&, const std::string&); \
  template LoadReport load(nn::BasicModule<T>&, optim::BasicOptimizer<T>&, const std::string&); \
  template LoadReport load_bytes(nn::BasicModule<T>&, optim::BasicOptimizer<T>&,                \
                                 std::vector<unsigned char>, const std::string&);
XGRAD_CHECKPOINT_INSTANTIATE(float)
XGRAD_CHECKPOINT_INSTANTIATE(double)
#undef XGRAD_CHECKPOINT_INSTANTIATE

}  // namespace xgrad::io
