#pragma once
// Conv test helpers shared by the conv, workspace and second-order tests: scope guards for the
// process-wide conv kernel knobs (and a path to run on), and the float64 gradcheck of conv2d
// over a list of geometries.
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/conv.hpp"
#include "support/test_utils.hpp"
#include "xgrad/ops/conv.hpp"

namespace xgrad::test {

/// Restores kernels::conv_tuning() on scope exit, also when a REQUIRE throws; change it freely
/// inside the scope.
class RestoreConvTuning {
public:
  RestoreConvTuning() : saved_(kernels::conv_tuning()) {}
  ~RestoreConvTuning() { kernels::conv_tuning() = saved_; }
  RestoreConvTuning(const RestoreConvTuning&) = delete;
  RestoreConvTuning& operator=(const RestoreConvTuning&) = delete;

private:
  kernels::ConvTuning saved_;
};

/// One way of running a float32 convolution: who runs its passes.
struct ConvPath {
  const char* name;
  kernels::ConvDnnl dnnl;
  kernels::ConvDirect direct;
};

/// Runs the scope's convolutions on `path`, restoring the previous tuning on exit.
class UseConvPath {
public:
  explicit UseConvPath(const ConvPath& path) {
    kernels::conv_tuning().dnnl = path.dnnl;
    kernels::conv_tuning().direct = path.direct;
  }

private:
  RestoreConvTuning restore_;
};

/// One conv2d geometry: input and filter shapes, strides, padding.
struct ConvCase {
  Shape x, w;
  std::array<std::size_t, 2> s;
  Padding p;
};

/// conv2d's input and filter gradients pass gradcheck for every case (random float64 inputs
/// seeded from `seed` upwards), with whatever conv_tuning() is in force.
inline void require_conv_gradchecks(const std::vector<ConvCase>& cases, std::uint64_t seed) {
  for (const auto& c : cases) {
    INFO("x " << to_string(c.x) << " w " << to_string(c.w) << " s " << c.s[0] << "," << c.s[1]
              << (c.p == Padding::Same ? " SAME" : " VALID"));
    auto x = random_tensor(c.x, seed++);
    auto w = random_tensor(c.w, seed++);
    auto s = c.s;
    auto p = c.p;
    auto f = [s, p](const std::vector<Tensor64>& in) { return conv2d(in[0], in[1], s, p); };
    REQUIRE_GRADCHECK(f, (std::vector<Tensor64>{x, w}));
  }
}

}  // namespace xgrad::test
