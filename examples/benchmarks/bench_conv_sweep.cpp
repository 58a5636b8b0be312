// A convolution sweep: conv2d forward + input gradient + filter gradient on the shapes of
// conv_sweep_shapes.txt (batch 1 to 128, 3 to 256 channels, 8x8 to 64x64, kernels 1/3/5,
// strides 1/2, SAME and VALID), timed in xgrad and, when the benchmarks were built with
// oneDNN, with oneDNN's convolution primitives alone (NHWC activations, weights in the
// primitives' own layouts, reordered once outside the timing): the practical limit of this
// CPU. conv_sweep.sh adds PyTorch and prints the comparison table.
//
//   bench_conv_sweep [--threads N] [--reps N] [--warmup N] [--min-ms T] [--only 1,5,9]
//                    [--shapes-file FILE]
//
// xgrad is timed as a user's step runs it: y = conv2d(x, w) with x and w requiring gradients,
// then y.backward(upstream) with a fixed upstream. Each side runs --warmup untimed steps, then
// at least --reps timed ones and at least --min-ms of them (at most 50); the median is reported.
// FLOPs are nominal, 3 x 2 * N*OH*OW * K*K*C*O (padded taps included), the same for every side.
//
// Prints a first line "# peak single-core sgemm 1024^3: P GFLOP/s ..." (peak.hpp), then one
// line per shape:
//   id batch size in out kernel stride padding gflop xgrad_ms onednn_ms xgrad_gflops
//   onednn_gflops xgrad/onednn xgrad_peak_fraction onednn_peak_fraction
// ("-" for oneDNN's columns when it is not built in).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <xgrad/ops/conv.hpp>
#include <xgrad/runtime.hpp>
#include <xgrad/threads.hpp>
#include <xgrad/xgrad.hpp>

#include "peak.hpp"

#ifdef XGRAD_BENCH_ONEDNN
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct ConvShape {
  int id;
  std::size_t batch, size, in, out, kernel, stride;
  bool same;
  // TensorFlow's output size and padding (xgrad/ops/conv.hpp).
  std::size_t out_size() const { return same ? (size + stride - 1) / stride : (size - kernel) / stride + 1; }
  std::size_t pad_before() const { return pad_total() / 2; }
  std::size_t pad_after() const { return pad_total() - pad_total() / 2; }
  std::size_t pad_total() const {
    if (!same) return 0;
    const long total = long(out_size() - 1) * long(stride) + long(kernel) - long(size);
    return std::size_t(std::max(total, 0L));
  }
  double flops() const { return 3 * 2.0 * batch * out_size() * out_size() * kernel * kernel * in * out; }
};

std::vector<ConvShape> read_shapes(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open the shapes file " + path);
  std::vector<ConvShape> shapes;
  std::string line;
  for (int line_no = 1; std::getline(file, line); ++line_no) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    ConvShape s{};
    std::string padding;
    if (!(in >> s.batch >> s.size >> s.in >> s.out >> s.kernel >> s.stride >> padding) ||
        (padding != "SAME" && padding != "VALID") || s.stride == 0 || s.kernel == 0 ||
        (padding == "VALID" && s.kernel > s.size))
      throw std::runtime_error(path + ":" + std::to_string(line_no) +
                               ": expected 'batch size in out kernel stride SAME|VALID', got '" +
                               line + "'");
    s.same = padding == "SAME";
    s.id = int(shapes.size()) + 1;
    shapes.push_back(s);
  }
  return shapes;
}

xt::xarray<float> normal(const xgrad::Shape& shape, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.f, 1.f);
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (auto& v : a) v = dist(rng);
  return a;
}

/// Median ms of `step` after `warmup` untimed runs: at least `reps` timed runs and at least
/// `min_ms` of them, at most 50.
double median_ms(const std::function<void()>& step, int warmup, int reps, double min_ms) {
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> ms;
  double total = 0;
  while (ms.size() < 50 && (int(ms.size()) < reps || total < min_ms)) {
    const auto t0 = Clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    total += ms.back();
  }
  std::sort(ms.begin(), ms.end());
  const std::size_t n = ms.size();
  return n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
}

/// conv2d forward + both gradients through xgrad's autograd, as a training step runs them.
std::function<void()> xgrad_step(const ConvShape& s, std::mt19937& rng) {
  const std::size_t o = s.out_size();
  xgrad::Tensor x(normal({s.batch, s.size, s.size, s.in}, rng), true);
  xgrad::Tensor w(normal({s.kernel, s.kernel, s.in, s.out}, rng), true);
  auto upstream = std::make_shared<xt::xarray<float>>(normal({s.batch, o, o, s.out}, rng));
  const auto padding = s.same ? xgrad::Padding::Same : xgrad::Padding::Valid;
  return [x, w, upstream, padding, stride = s.stride]() mutable {
    x.zero_grad();
    w.zero_grad();
    xgrad::Tensor y = xgrad::conv2d(x, w, {stride, stride}, padding);
    y.backward(*upstream);
  };
}

#ifdef XGRAD_BENCH_ONEDNN
/// oneDNN's forward, backward-data and backward-weights convolution primitives on NHWC
/// activations; the weights in each primitive's preferred layout, reordered once here.
std::function<void()> onednn_step(const ConvShape& s, std::mt19937& rng) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  static engine eng(engine::kind::cpu, 0);
  static stream strm(eng);
  const auto N = memory::dim(s.batch), C = memory::dim(s.in), O = memory::dim(s.out),
             H = memory::dim(s.size), K = memory::dim(s.kernel), OH = memory::dim(s.out_size());
  const memory::dims strides{memory::dim(s.stride), memory::dim(s.stride)};
  const memory::dims pad_l{memory::dim(s.pad_before()), memory::dim(s.pad_before())};
  const memory::dims pad_r{memory::dim(s.pad_after()), memory::dim(s.pad_after())};
  const memory::desc src_md({N, C, H, H}, dt::f32, tag::nhwc);
  const memory::desc dst_md({N, O, OH, OH}, dt::f32, tag::nhwc);
  const memory::desc any_weights({O, C, K, K}, dt::f32, tag::any);
  const memory::desc hwio_weights({O, C, K, K}, dt::f32, tag::hwio);

  const convolution_forward::primitive_desc fwd_pd(
      convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, src_md,
                                any_weights, dst_md, strides, pad_l, pad_r),
      eng);
  const convolution_backward_data::primitive_desc data_pd(
      convolution_backward_data::desc(algorithm::convolution_direct, src_md, any_weights, dst_md,
                                      strides, pad_l, pad_r),
      eng, fwd_pd);
  const convolution_backward_weights::primitive_desc weights_pd(
      convolution_backward_weights::desc(algorithm::convolution_direct, src_md, any_weights, dst_md,
                                         strides, pad_l, pad_r),
      eng, fwd_pd);

  auto filled = [&](const memory::desc& md) {
    memory m(md, eng);
    std::normal_distribution<float> dist(0.f, 1.f);
    float* p = static_cast<float*>(m.get_data_handle());
    for (std::size_t i = 0, n = md.get_size() / sizeof(float); i < n; ++i) p[i] = dist(rng);
    return m;
  };
  memory src = filled(src_md), diff_dst = filled(dst_md), user_weights = filled(hwio_weights);
  auto reordered = [&](const memory::desc& md) {
    memory m(md, eng);
    reorder(user_weights, m).execute(strm, user_weights, m);
    return m;
  };
  memory fwd_weights = reordered(fwd_pd.weights_desc());
  memory data_weights = reordered(data_pd.weights_desc());
  strm.wait();
  memory dst(fwd_pd.dst_desc(), eng), diff_src(data_pd.diff_src_desc(), eng),
      diff_weights(weights_pd.diff_weights_desc(), eng);
  convolution_forward fwd(fwd_pd);
  convolution_backward_data data(data_pd);
  convolution_backward_weights weights(weights_pd);
  return [=]() mutable {
    fwd.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, fwd_weights}, {DNNL_ARG_DST, dst}});
    data.execute(strm, {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, data_weights},
                        {DNNL_ARG_DIFF_SRC, diff_src}});
    weights.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diff_dst},
                           {DNNL_ARG_DIFF_WEIGHTS, diff_weights}});
    strm.wait();
  };
}
#endif

std::set<int> parse_ids(const std::string& list) {
  std::set<int> ids;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) ids.insert(std::atoi(item.c_str()));
  return ids;
}

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--threads N] [--reps N] [--warmup N] [--min-ms T] [--only 1,5,9]"
               " [--shapes-file FILE]\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, reps = 3, warmup = 1;
  double min_ms = 200;
  std::string only, shapes_file = XGRAD_CONV_SWEEP_SHAPES;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      usage(argv[0]);
      return 0;
    } else if (!std::strcmp(argv[i], "--threads") && has_value) {
      threads = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--reps") && has_value) {
      reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--warmup") && has_value) {
      warmup = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--min-ms") && has_value) {
      min_ms = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--only") && has_value) {
      only = argv[++i];
    } else if (!std::strcmp(argv[i], "--shapes-file") && has_value) {
      shapes_file = argv[++i];
    } else {
      std::fprintf(stderr, "bench_conv_sweep: unknown or incomplete option '%s'\n", argv[i]);
      return usage(argv[0]);
    }
  }
  if (threads < 1 || reps < 1 || warmup < 0) {
    std::fprintf(stderr, "bench_conv_sweep: --threads and --reps must be >= 1, --warmup >= 0\n");
    return 2;
  }
  std::vector<ConvShape> shapes;
  try {
    shapes = read_shapes(shapes_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_conv_sweep: %s\n", e.what());
    return 2;
  }
  const std::set<int> ids = parse_ids(only);
  xgrad::set_num_threads(threads);
  xgrad::tune_allocator_for_training();
  const bench::SingleCorePeak peak = bench::measure_single_core_peak();
#ifdef XGRAD_BENCH_ONEDNN
  omp_set_num_threads(threads);
#endif
  std::printf("%s\n# %s, %d thread(s), median ms of forward + input gradient + filter gradient\n",
              peak.describe().c_str(), bench::have_onednn() ? "xgrad and oneDNN" : "xgrad", threads);
  std::printf("# %2s %5s %4s %4s %4s %2s %2s %-5s %7s %9s %9s %7s %7s %6s %6s %6s\n", "id", "batch",
              "size", "in", "out", "k", "s", "pad", "GFLOP", "xgrad_ms", "onednn_ms", "xgrad", "onednn",
              "x/dnnl", "x/peak", "d/peak");
  std::mt19937 rng(1234);
  for (const auto& s : shapes) {
    if (!ids.empty() && !ids.count(s.id)) continue;
    const double xgrad_ms = median_ms(xgrad_step(s, rng), warmup, reps, min_ms);
    const double gflop = s.flops() * 1e-9, xgrad_gflops = gflop / xgrad_ms * 1e3;
    char onednn[96] = "- - - - -";
#ifdef XGRAD_BENCH_ONEDNN
    const double onednn_ms = median_ms(onednn_step(s, rng), warmup, reps, min_ms);
    const double onednn_gflops = gflop / onednn_ms * 1e3;
    std::snprintf(onednn, sizeof onednn, "%9.3f %7.1f %7.1f %6.2f %6.2f", onednn_ms, xgrad_gflops,
                  onednn_gflops, xgrad_ms / onednn_ms, xgrad_gflops / peak.best());
    std::snprintf(onednn + std::strlen(onednn), sizeof onednn - std::strlen(onednn), " %6.2f",
                  onednn_gflops / peak.best());
#else
    std::snprintf(onednn, sizeof onednn, "%9s %7.1f %7s %6s %6.2f %6s", "-", xgrad_gflops, "-", "-",
                  xgrad_gflops / peak.best(), "-");
#endif
    std::printf("%4d %5zu %4zu %4zu %4zu %2zu %2zu %-5s %7.3f %9.3f %s\n", s.id, s.batch, s.size, s.in,
                s.out, s.kernel, s.stride, s.same ? "SAME" : "VALID", gflop, xgrad_ms, onednn);
    std::fflush(stdout);
  }
  return 0;
}
