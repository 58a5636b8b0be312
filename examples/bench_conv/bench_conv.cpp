// conv2d forward + backward (input and filter gradients) on the shapes of the 19-layer conv net
// of Experiment 2 (examples/README.md): batch 64, input 28x28x1, layer i = 1..19 has 4*i output channels,
// 3x3 kernels, stride 2 when i % 3 == 0 else 1, SAME padding.
//
//   bench_conv [--reps N] [--warmup N] [--batch N] [--threads N] [--csv FILE]
//
// Each rep runs every layer's forward then its backward (both gradients), timed separately;
// the reported time is the median over reps. FLOPs count the nominal multiply-adds
// (2 * N*OH*OW * 9*Cin * Cout per GEMM, padded taps included) for the forward pass and for each
// of the two backward GEMMs: 3x the forward total. bench_conv_torch.py does the same in PyTorch.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <xgrad/ops/conv.hpp>
#include <xgrad/xgrad.hpp>

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

xt::xarray<float> random_array(const xgrad::Shape& shape, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.f, 1.f);
  xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
  for (auto& v : a) v = dist(rng);
  return a;
}

struct Layer {
  std::size_t h, w, cin, cout, stride, oh, ow;
  double flops_fwd() const { return 2.0 * oh * ow * cout * 9.0 * cin; }  // per image
};

}  // namespace

int main(int argc, char** argv) {
  int reps = 20, warmup = 3, threads = 0;
  std::size_t batch = 64;
  std::string csv;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(next());
    else if (!std::strcmp(argv[i], "--warmup")) warmup = std::atoi(next());
    else if (!std::strcmp(argv[i], "--batch")) batch = std::size_t(std::atol(next()));
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--csv")) csv = next();
    else {
      std::fprintf(stderr,
                   "usage: %s [--reps N] [--warmup N] [--batch N] [--threads N] [--csv FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  if (threads > 0) xgrad::set_num_threads(threads);
  xgrad::tune_allocator_for_training();

  std::vector<Layer> layers;
  std::size_t h = 28, w = 28, c = 1;
  for (std::size_t i = 1; i <= 19; ++i) {
    Layer l;
    l.h = h;
    l.w = w;
    l.cin = c;
    l.cout = 4 * i;
    l.stride = i % 3 == 0 ? 2 : 1;
    l.oh = (h + l.stride - 1) / l.stride;
    l.ow = (w + l.stride - 1) / l.stride;
    layers.push_back(l);
    h = l.oh;
    w = l.ow;
    c = l.cout;
  }

  std::mt19937 rng(1234);
  std::vector<xgrad::Tensor> xs, ws;
  std::vector<xt::xarray<float>> ups;
  for (const auto& l : layers) {
    xs.emplace_back(random_array({batch, l.h, l.w, l.cin}, rng), true);
    ws.emplace_back(random_array({3, 3, l.cin, l.cout}, rng), true);
    ups.push_back(random_array({batch, l.oh, l.ow, l.cout}, rng));
  }

  const std::size_t L = layers.size();
  std::vector<std::vector<double>> fwd(L), bwd(L);
  std::vector<double> tot;
  for (int r = 0; r < warmup + reps; ++r) {
    double sum = 0;
    for (std::size_t i = 0; i < L; ++i) {
      const std::size_t s = layers[i].stride;
      xs[i].zero_grad();
      ws[i].zero_grad();
      auto t0 = Clock::now();
      xgrad::Tensor y = xgrad::conv2d(xs[i], ws[i], {s, s}, xgrad::Padding::Same);
      const double f = ms_since(t0);
      t0 = Clock::now();
      y.backward(ups[i]);
      const double b = ms_since(t0);
      if (r >= warmup) {
        fwd[i].push_back(f);
        bwd[i].push_back(b);
      }
      sum += f + b;
    }
    if (r >= warmup) tot.push_back(sum);
  }

  std::printf("xgrad conv2d, batch %zu, threads %d, median of %d reps (%d warm-up)\n",
              batch, xgrad::num_threads(), reps, warmup);
  std::printf("%5s %-22s %6s %9s %9s %9s %9s\n", "layer", "in -> out", "stride", "fwd ms",
              "bwd ms", "total ms", "GFLOP/s");
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "layer,fwd_ms,bwd_ms,total_ms,gflop\n";
  }
  double flops_all = 0, sum_median = 0;
  for (std::size_t i = 0; i < L; ++i) {
    const auto& l = layers[i];
    const double f = median(fwd[i]), b = median(bwd[i]);
    std::vector<double> t(fwd[i].size());
    for (std::size_t k = 0; k < t.size(); ++k) t[k] = fwd[i][k] + bwd[i][k];
    const double total = median(t);
    const double flops = 3.0 * l.flops_fwd() * double(batch);
    flops_all += flops;
    sum_median += total;
    char shape[64];
    std::snprintf(shape, sizeof shape, "%zux%zux%zu -> %zux%zux%zu", l.h, l.w, l.cin, l.oh, l.ow,
                  l.cout);
    std::printf("%5zu %-22s %6zu %9.3f %9.3f %9.3f %9.2f\n", i + 1, shape, l.stride, f, b, total,
                flops / (total * 1e6));
    if (out) out << i + 1 << "," << f << "," << b << "," << total << "," << flops / 1e9 << "\n";
  }
  const double total = median(tot);
  std::printf("total (median of per-rep sums) %.3f ms, %.3f GFLOP, %.2f GFLOP/s\n", total,
              flops_all / 1e9, flops_all / (total * 1e6));
  if (out) out << "total,,," << total << "," << flops_all / 1e9 << "\n";
  return 0;
}
