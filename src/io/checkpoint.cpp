#include "xgrad/io/checkpoint.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "io/safetensors.hpp"

namespace xgrad::io {

namespace {

nn::NamedList<Tensor> all_state(const nn::Module& module) {
  auto named = module.named_parameters();
  auto bufs = module.named_buffers();
  named.insert(named.end(), bufs.begin(), bufs.end());
  return named;
}

/// Matches a parsed file against the model and copies it in: every problem is collected
/// before anything changes, so a refused file leaves the model bit-identical.
void apply(nn::Module& module, const detail::SafetensorsFile& file, const std::string& path) {
  const auto state = all_state(module);
  std::map<std::string, const detail::SafetensorsEntry*> by_name;
  for (const auto& e : file.entries) by_name[e.name] = &e;
  std::vector<std::string> problems;
  std::vector<std::pair<Tensor, const detail::SafetensorsEntry*>> plan;
  std::map<std::string, bool> used;
  for (const auto& kv : state) {
    auto it = by_name.find(kv.first);
    if (it == by_name.end()) {
      problems.push_back("missing tensor '" + kv.first + "' " + to_string(kv.second.shape()));
      continue;
    }
    used[kv.first] = true;
    const auto& e = *it->second;
    if (e.dtype != "F32") {
      problems.push_back("tensor '" + e.name + "' has dtype " + e.dtype + ", expected F32");
      continue;
    }
    if (e.shape != kv.second.shape()) {
      problems.push_back("tensor '" + e.name + "' has shape " + to_string(e.shape) +
                         ", the model expects " + to_string(kv.second.shape()));
      continue;
    }
    plan.emplace_back(kv.second, &e);
  }
  for (const auto& e : file.entries) {
    if (!used.count(e.name)) {
      problems.push_back("unexpected tensor '" + e.name + "' (not in the model)");
    }
  }
  if (!problems.empty()) {
    std::string msg = "xgrad::io::load: checkpoint '" + path + "' does not match the " +
                      module.name() + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    msg += ". The model was not changed.";
    throw std::runtime_error(msg);
  }

  // Copy. Nothing below can fail: shapes match, so no reallocation.
  const bool le = detail::host_is_little_endian();
  for (auto& step : plan) {
    auto& dst = step.first.value();
    const unsigned char* src = file.bytes.data() + file.data_start + step.second->begin;
    const std::size_t n = dst.size();
    if (n == 0) continue;
    std::memcpy(dst.data(), src, 4 * n);
    if (!le) {
      auto* b = reinterpret_cast<unsigned char*>(dst.data());
      for (std::size_t k = 0; k < n; ++k) std::reverse(b + 4 * k, b + 4 * k + 4);
    }
  }
}

}  // namespace

void save(const nn::Module& module, const std::string& path) {
  const auto state = all_state(module);
  std::vector<detail::F32View> views;
  views.reserve(state.size());
  for (const auto& kv : state) {
    const auto& a = kv.second.value();
    views.push_back({kv.first, to_shape(a.shape()), a.data(), a.size()});
  }
  detail::write_file_atomic(
      path, detail::encode_safetensors(views, {{"format", "np"}, {"producer", "xgrad"}}));
}

void load(nn::Module& module, const std::string& path) {
  apply(module, detail::read_safetensors(path), path);
}

void load_bytes(nn::Module& module, std::vector<unsigned char> bytes, const std::string& name) {
  apply(module, detail::parse_safetensors(std::move(bytes), name), name);
}

}  // namespace xgrad::io
