// float32 convolutions on oneDNN's primitives, cached per shape (see dnnl_conv.hpp).
#include "kernels/dnnl_conv.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

#include "config.hpp"
#include "kernels/dnnl_engine.hpp"
#include "kernels/parallel.hpp"
#include "kernels/workspace.hpp"

namespace xgrad::kernels {

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

enum class Direction { Forward, BackwardData, BackwardWeights };

/// Whether the primitives choose their weights layout (format_tag::any, with a cached reorder
/// from and to HWIO each call) rather than read HWIO directly. XGRAD_DNNL_WEIGHTS=plain|any.
bool weights_any() {
  static const bool any = [] {
    const char* s = config::env_dnnl_weights();
    return !(s && std::strcmp(s, "plain") == 0);
  }();
  return any;
}

/// One direction of one convolution: the primitive, its memory descriptors and, when it wants
/// its weights in another layout than HWIO, the reorder between the two.
struct Plan {
  dnnl::primitive primitive;
  memory::desc src, weights, dst;  // dst is diff_dst backward; src is diff_src for data
  memory::desc user_weights;       // HWIO
  bool reorder = false;
  dnnl::reorder weights_reorder;   // HWIO -> weights (forward, data); weights -> HWIO (filter)
  memory::desc scratchpad, reorder_scratchpad;
};

using Key = std::array<std::size_t, 15>;

Key key_of(const ConvGeometry& g, Direction d) {
  return {g.n, g.h, g.w, g.c, g.kh, g.kw, g.o, g.sh, g.sw, g.oh, g.ow, g.pad_top, g.pad_left,
          std::size_t(d), std::size_t(weights_any())};
}

memory::dim dim(std::size_t v) { return memory::dim(v); }

/// The trailing padding oneDNN needs: out = (in - k + pad_l + pad_r) / s + 1 exactly (TF SAME
/// puts the odd extra after; VALID leaves a remainder unread, pad_r 0).
memory::dim pad_after(std::size_t in, std::size_t k, std::size_t s, std::size_t out,
                      std::size_t pad_before) {
  const long long span = (long long)(out - 1) * (long long)s + (long long)k;
  const long long after = span - (long long)in - (long long)pad_before;
  return after > 0 ? after : 0;
}

std::shared_ptr<const Plan> make_plan(const ConvGeometry& g, Direction d) {
  const auto& engine = dnnl_cpu_engine();
  const memory::dims src_dims{dim(g.n), dim(g.c), dim(g.h), dim(g.w)};
  const memory::dims wei_dims{dim(g.o), dim(g.c), dim(g.kh), dim(g.kw)};
  const memory::dims dst_dims{dim(g.n), dim(g.o), dim(g.oh), dim(g.ow)};
  const memory::dims strides{dim(g.sh), dim(g.sw)};
  const memory::dims pad_l{dim(g.pad_top), dim(g.pad_left)};
  const memory::dims pad_r{pad_after(g.h, g.kh, g.sh, g.oh, g.pad_top),
                           pad_after(g.w, g.kw, g.sw, g.ow, g.pad_left)};
  const memory::desc src(src_dims, dt::f32, tag::nhwc);
  const memory::desc dst(dst_dims, dt::f32, tag::nhwc);
  const memory::desc hwio(wei_dims, dt::f32, tag::hwio);
  const memory::desc wei = weights_any() ? memory::desc(wei_dims, dt::f32, tag::any) : hwio;
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;

  auto plan = std::make_shared<Plan>();
  plan->src = src;
  plan->dst = dst;
  plan->user_weights = hwio;
  const dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src, wei, dst,
                                      strides, pad_l, pad_r),
      attr, engine);
  switch (d) {
    case Direction::Forward:
      plan->weights = fwd.weights_desc();
      plan->scratchpad = fwd.scratchpad_desc();
      plan->primitive = dnnl::convolution_forward(fwd);
      break;
    case Direction::BackwardData: {
      const dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(algo, src, wei, dst, strides, pad_l, pad_r), attr,
          engine, fwd);
      plan->weights = pd.weights_desc();
      plan->scratchpad = pd.scratchpad_desc();
      plan->primitive = dnnl::convolution_backward_data(pd);
      break;
    }
    case Direction::BackwardWeights: {
      const dnnl::convolution_backward_weights::primitive_desc pd(
          dnnl::convolution_backward_weights::desc(algo, src, wei, dst, strides, pad_l, pad_r),
          attr, engine, fwd);
      plan->weights = pd.diff_weights_desc();
      plan->scratchpad = pd.scratchpad_desc();
      plan->primitive = dnnl::convolution_backward_weights(pd);
      break;
    }
  }
  dnnl_note_primitive_created();
  plan->reorder = plan->weights != hwio;
  if (plan->reorder) {
    const bool to_user = d == Direction::BackwardWeights;
    const dnnl::reorder::primitive_desc rpd(engine, to_user ? plan->weights : hwio, engine,
                                            to_user ? hwio : plan->weights, attr);
    plan->reorder_scratchpad = rpd.scratchpad_desc();
    plan->weights_reorder = dnnl::reorder(rpd);
    dnnl_note_primitive_created();
  }
  return plan;
}

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    std::size_t h = 0;
    for (std::size_t v : k) h = h * 1000003u ^ v;
    return h;
  }
};

/// The plans in use, the most recently used first, at most config::kMaxDnnlConvPlans. A plan
/// evicted while a call still runs it stays alive in that call's shared_ptr.
class PlanCache {
public:
  /// The plan for `key`, made by `make` at first use (null is remembered too).
  template <class Make>
  std::shared_ptr<const Plan> get(const Key& key, Make&& make) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    order_.emplace_front(key, make());
    index_.emplace(key, order_.begin());
    if (order_.size() > config::kMaxDnnlConvPlans) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return order_.front().second;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_.size();
  }

private:
  using Entry = std::pair<Key, std::shared_ptr<const Plan>>;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

PlanCache& plan_cache() {
  static PlanCache cache;
  return cache;
}

/// The plan for (geometry, direction), created at first use (single-threaded: the caller has
/// set its OpenMP team to one thread); null if oneDNN has no primitive for it (remembered
/// too). Thread-safe.
std::shared_ptr<const Plan> plan_for(const ConvGeometry& g, Direction d) {
  return plan_cache().get(key_of(g, d), [&]() -> std::shared_ptr<const Plan> {
    try {
      return make_plan(g, d);
    } catch (const dnnl::error&) {
      return nullptr;  // unsupported: xgrad's own kernels run it
    }
  });
}


/// Runs `plan` on one part: activations `src` and `dst`, weights (in the plan's layout) `wei`.
void execute(const Plan& plan, Direction d, const float* src, void* wei, const float* dst) {
  const auto& engine = dnnl_cpu_engine();
  auto& stream = dnnl_thread_stream();
  memory src_m(plan.src, engine, const_cast<float*>(src));
  memory dst_m(plan.dst, engine, const_cast<float*>(dst));
  memory wei_m(plan.weights, engine, wei);
  const WorkspaceLease scratchpad(WorkspaceSlot::DnnlScratchpad, plan.scratchpad.get_size());
  const memory scratch(plan.scratchpad, engine, scratchpad.data());
  const int src_arg = d == Direction::BackwardData ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC;
  const int wei_arg = d == Direction::BackwardWeights ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS;
  const int dst_arg = d == Direction::Forward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST;
  plan.primitive.execute(stream, {{src_arg, src_m}, {wei_arg, wei_m}, {dst_arg, dst_m},
                                  {DNNL_ARG_SCRATCHPAD, scratch}});
  stream.wait();
}

/// Reorders between the user's HWIO weights and the plan's layout (to_user: plan -> HWIO).
void reorder_weights(const Plan& plan, const float* hwio, void* blocked, bool to_user) {
  const auto& engine = dnnl_cpu_engine();
  auto& stream = dnnl_thread_stream();
  memory user_m(plan.user_weights, engine, const_cast<float*>(hwio));
  memory plan_m(plan.weights, engine, blocked);
  const WorkspaceLease scratchpad(WorkspaceSlot::DnnlReorder, plan.reorder_scratchpad.get_size());
  plan.weights_reorder.execute(stream, {{DNNL_ARG_FROM, to_user ? plan_m : user_m},
                                        {DNNL_ARG_TO, to_user ? user_m : plan_m},
                                        {DNNL_ARG_SCRATCHPAD, memory(plan.reorder_scratchpad, engine, scratchpad.data())}});
  stream.wait();
}

std::atomic<std::size_t> g_passes_run{0};

// A thread must get at least this many flops of convolution (~5 us) to be worth waking.
constexpr double kMinFlopsPerThread = 5e5;

/// The convolution `g` in parts of whole images on xgrad's threads (kernels/parallel.hpp), each
/// part one single-threaded oneDNN primitive over its images: one pool, xgrad's, and its
/// handling of busy cores; OpenMP's team stays at one thread. The filter gradient's parts
/// each write their own partial sum, added in part order: results repeat for a thread count.
bool run(const ConvGeometry& g, Direction d, const float* src, const float* user_weights,
         const float* dst) {
  const double flops = 2.0 * double(g.rows()) * double(g.cols()) * double(g.o);
  const int parts = parts_for(threads_for(flops, kMinFlopsPerThread), g.n);
  // Parts cover at most two image counts (split_range): one plan each.
  std::shared_ptr<const Plan> plans[2];
  ConvGeometry part_g[2] = {g, g};
  const Range first = split_range(g.n, 0, parts);
  part_g[0].n = first.end - first.begin;
  part_g[1].n = part_g[0].n + 1;
  dnnl_set_team();
  plans[0] = plan_for(part_g[0], d);
  if (!plans[0]) return false;
  const Plan& p0 = *plans[0];
  for (int part = 1; part < parts; ++part) {
    const Range r = split_range(g.n, part, parts);
    if (r.end - r.begin != part_g[0].n && !plans[1]) {
      plans[1] = plan_for(part_g[1], d);
      // The parts share one weights buffer layout.
      if (!plans[1] || plans[1]->weights != p0.weights) return false;
    }
  }
  const std::size_t src_image = g.h * g.w * g.c, dst_image = g.oh * g.ow * g.o;
  const std::size_t wei_bytes = p0.weights.get_size();
  // Forward and input gradient: the weights in the primitive's layout, once, shared by parts.
  // Filter gradient: one partial per part. Both in the calling thread's workspace.
  void* weights = const_cast<float*>(user_weights);
  std::optional<WorkspaceLease> weights_buffer;
  if (d != Direction::BackwardWeights) {
    if (p0.reorder) {
      weights = weights_buffer.emplace(WorkspaceSlot::DnnlWeights, wei_bytes).data();
      reorder_weights(p0, user_weights, weights, false);
    }
  } else {
    weights = weights_buffer.emplace(WorkspaceSlot::DnnlWeights, std::size_t(parts) * wei_bytes).data();
  }
  char* const wei_base = static_cast<char*>(weights);
  run_parts(parts, [&](int part, int count) {
    const Range r = split_range(g.n, part, count);
    const Plan& plan = r.end - r.begin == part_g[0].n ? p0 : *plans[1];
    dnnl_set_team();
    void* w = d == Direction::BackwardWeights ? wei_base + std::size_t(part) * wei_bytes : weights;
    execute(plan, d, src + r.begin * src_image, w, dst + r.begin * dst_image);
  });
  g_passes_run.fetch_add(1, std::memory_order_relaxed);
  if (d != Direction::BackwardWeights) return true;
  // Sum the partials in part order (same layout for both plans: it depends on the channels
  // and kernel only), then into HWIO.
  float* sum = reinterpret_cast<float*>(wei_base);
  const std::size_t count = wei_bytes / sizeof(float);
  for (int part = 1; part < parts; ++part) {
    const float* partial = reinterpret_cast<const float*>(wei_base + std::size_t(part) * wei_bytes);
    for (std::size_t i = 0; i < count; ++i) sum[i] += partial[i];
  }
  if (p0.reorder) {
    reorder_weights(p0, const_cast<float*>(user_weights), sum, true);
  } else {
    std::copy(sum, sum + count, const_cast<float*>(user_weights));
  }
  return true;
}

}  // namespace

std::size_t dnnl_conv_plans_cached() { return plan_cache().size(); }

std::size_t dnnl_conv_passes_run() { return g_passes_run.load(std::memory_order_relaxed); }

bool dnnl_conv_forward(const ConvGeometry& g, const float* in, const float* filter, float* out) {
  return run(g, Direction::Forward, in, filter, out);
}

bool dnnl_conv_backward_data(const ConvGeometry& g, const float* filter, const float* grad_out,
                             float* grad_in) {
  return run(g, Direction::BackwardData, grad_in, filter, grad_out);
}

bool dnnl_conv_backward_weights(const ConvGeometry& g, const float* in, const float* grad_out,
                                float* grad_filter) {
  return run(g, Direction::BackwardWeights, in, grad_filter, grad_out);
}

}  // namespace xgrad::kernels
