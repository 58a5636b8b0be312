// One table of op cases (minitorch style). Every row is checked the same way:
//   1. the float64 forward against an independent reference (naive loops / literals),
//   2. gradcheck in float64 (error < 1e-6),
//   3. the float32 forward against the float64 one,
//   4. gradgradcheck in float64: the gradient, recorded by autograd::grad with create_graph,
//      equal to backward()'s and differentiated again (error < 1e-6).
// Adding an op is adding a row.
#include <cmath>
#include <array>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xio.hpp>

#include "support/test_utils.hpp"
#include "support/window_references.hpp"

using namespace xgrad;

namespace {

using Arr = xt::xarray<double>;
using Arrs = std::vector<Arr>;

// ---------- independent naive references ----------------------------------------------------

Shape shape_of(const Arr& a) { return to_shape(a.shape()); }

std::vector<std::size_t> unravel(std::size_t flat, const Shape& s) {
  std::vector<std::size_t> idx(s.size());
  for (std::size_t i = s.size(); i-- > 0;) {
    idx[i] = flat % s[i];
    flat /= s[i];
  }
  return idx;
}

// Element of `a` seen through NumPy broadcasting at output index `idx`.
double at_bcast(const Arr& a, const std::vector<std::size_t>& idx) {
  const Shape s = shape_of(a);
  std::size_t off = 0, stride = 1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t ai = s.size() - 1 - i;
    const std::size_t oi = idx.size() - 1 - i;
    const std::size_t k = s[ai] == 1 ? 0 : idx[oi];
    off += k * stride;
    stride *= s[ai];
  }
  return a.data()[off];
}

Shape bcast_shape(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    std::size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    out[out.size() - 1 - i] = std::max(da, db);
  }
  return out;
}

template <class F>
Arr ref_binary(const Arr& a, const Arr& b, F f) {
  Arr out = Arr::from_shape(bcast_shape(shape_of(a), shape_of(b)));
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto idx = unravel(i, shape_of(out));
    out.data()[i] = f(at_bcast(a, idx), at_bcast(b, idx));
  }
  return out;
}

template <class F>
Arr ref_unary(const Arr& a, F f) {
  Arr out = Arr::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) out.data()[i] = f(a.data()[i]);
  return out;
}

// Sum (or mean) over `axes` (empty = all), naive: each element added to its output slot.
Arr ref_reduce(const Arr& a, std::vector<int> axes, bool keepdims, bool mean) {
  const Shape s = shape_of(a);
  std::vector<bool> red(s.size(), axes.empty());
  for (int ax : axes) red[ax < 0 ? ax + int(s.size()) : ax] = true;
  Shape keep, outs;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!red[i]) keep.push_back(s[i]);
    if (!red[i]) outs.push_back(s[i]);
    else if (keepdims) outs.push_back(1);
  }
  Arr out = Arr::from_shape(outs);
  out.fill(0.0);
  std::size_t cnt = 1;
  for (std::size_t i = 0; i < s.size(); ++i) cnt *= red[i] ? s[i] : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto idx = unravel(i, s);
    std::size_t off = 0;
    for (std::size_t d = 0; d < s.size(); ++d) {
      if (!red[d]) off = off * s[d] + idx[d];
    }
    out.data()[off] += a.data()[i] / (mean ? double(cnt) : 1.0);
  }
  return out;
}

// Biased variance: mean of squared deviations, naive two-pass.
Arr ref_variance(const Arr& a, std::vector<int> axes, bool keepdims) {
  Arr m = ref_reduce(a, axes, true, true);
  Arr sq = ref_binary(a, m, [](double x, double mu) { return (x - mu) * (x - mu); });
  return ref_reduce(sq, axes, keepdims, true);
}

// Row-wise over the last axis.
template <class F>
Arr ref_rows(const Arr& a, F f) {
  Arr out = Arr::from_shape(a.shape());
  const std::size_t c = a.shape().back();
  for (std::size_t r = 0; r < a.size() / c; ++r) {
    std::vector<double> row(a.data() + r * c, a.data() + (r + 1) * c);
    std::vector<double> y = f(row);
    std::copy(y.begin(), y.end(), out.data() + r * c);
  }
  return out;
}

std::vector<double> ref_softmax_row(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += std::exp(v);
  std::vector<double> y;
  for (double v : x) y.push_back(std::exp(v) / s);
  return y;
}

std::vector<double> ref_log_softmax_row(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += std::exp(v);
  std::vector<double> y;
  for (double v : x) y.push_back(v - std::log(s));
  return y;
}

Arr ref_softmax_ce(const Arr& z, const Arr& x) {
  const std::size_t c = x.shape().back();
  Shape os = shape_of(x);
  os.pop_back();
  Arr out = Arr::from_shape(os);
  for (std::size_t r = 0; r < x.size() / c; ++r) {
    double s = 0;
    for (std::size_t j = 0; j < c; ++j) s += std::exp(x.data()[r * c + j]);
    double loss = 0;
    for (std::size_t j = 0; j < c; ++j) {
      loss -= z.data()[r * c + j] * std::log(std::exp(x.data()[r * c + j]) / s);
    }
    out.data()[r] = loss;
  }
  return out;
}

Arr ref_matmul(const Arr& a, const Arr& b, bool ta, bool tb) {
  const std::size_t m = ta ? a.shape()[1] : a.shape()[0];
  const std::size_t k = ta ? a.shape()[0] : a.shape()[1];
  const std::size_t n = tb ? b.shape()[0] : b.shape()[1];
  Arr out = Arr::from_shape({m, n});
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) {
        s += (ta ? a(p, i) : a(i, p)) * (tb ? b(j, p) : b(p, j));
      }
      out(i, j) = s;
    }
  }
  return out;
}

Arr ref_transpose(const Arr& a, std::vector<std::size_t> perm) {
  const Shape s = shape_of(a);
  if (perm.empty()) {
    for (std::size_t i = s.size(); i-- > 0;) perm.push_back(i);
  }
  Shape os;
  for (auto p : perm) os.push_back(s[p]);
  Arr out = Arr::from_shape(os);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto oidx = unravel(i, os);
    std::vector<std::size_t> iidx(s.size());
    for (std::size_t d = 0; d < perm.size(); ++d) iidx[perm[d]] = oidx[d];
    std::size_t off = 0;
    for (std::size_t d = 0; d < s.size(); ++d) off = off * s[d] + iidx[d];
    out.data()[i] = a.data()[off];
  }
  return out;
}

Arr with_shape(const Arr& a, const Shape& s) {
  Arr out = Arr::from_shape(s);
  std::copy(a.begin(), a.end(), out.begin());
  return out;
}

Arr ref_batchnorm(const Arr& x, const Arr& m, const Arr& v, const Arr* o, const Arr* s,
                  double eps) {
  Arr out = Arr::from_shape(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto idx = unravel(i, shape_of(x));
    double y = (x.data()[i] - at_bcast(m, idx)) / std::sqrt(at_bcast(v, idx) + eps);
    if (s) y *= at_bcast(*s, idx);
    if (o) y += at_bcast(*o, idx);
    out.data()[i] = y;
  }
  return out;
}

std::size_t flat_index(const std::vector<std::size_t>& idx, const Shape& s) {
  std::size_t off = 0;
  for (std::size_t d = 0; d < s.size(); ++d) off = off * s[d] + idx[d];
  return off;
}

// x[begin + i] for every index i of `size`.
Arr ref_slice(const Arr& x, const Shape& begin, const Shape& size) {
  Arr out = Arr::from_shape(size);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto idx = unravel(i, size);
    for (std::size_t d = 0; d < idx.size(); ++d) idx[d] += begin[d];
    out.data()[i] = x.data()[flat_index(idx, shape_of(x))];
  }
  return out;
}

Arr ref_pad(const Arr& x, const std::vector<std::pair<long, long>>& p, double c) {
  Shape os = shape_of(x);
  for (std::size_t d = 0; d < os.size(); ++d) os[d] += std::size_t(p[d].first + p[d].second);
  Arr out = Arr::from_shape(os);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto idx = unravel(i, os);
    bool inside = true;
    for (std::size_t d = 0; d < idx.size(); ++d) {
      const long k = long(idx[d]) - p[d].first;
      inside = inside && k >= 0 && k < long(x.shape()[d]);
      idx[d] = std::size_t(k);
    }
    out.data()[i] = inside ? x.data()[flat_index(idx, shape_of(x))] : c;
  }
  return out;
}

Arr ref_concat(const Arrs& xs, std::size_t axis) {
  Shape os = shape_of(xs[0]);
  os[axis] = 0;
  for (const auto& x : xs) os[axis] += x.shape()[axis];
  Arr out = Arr::from_shape(os);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto idx = unravel(i, os);
    std::size_t t = 0;
    while (idx[axis] >= xs[t].shape()[axis]) idx[axis] -= xs[t++].shape()[axis];
    out.data()[i] = xs[t].data()[flat_index(idx, shape_of(xs[t]))];
  }
  return out;
}

Arr ref_gather(const Arr& x, const xt::xarray<std::int64_t>& ind, std::size_t axis) {
  const Shape xs = shape_of(x);
  Shape os(xs.begin(), xs.begin() + long(axis));
  for (auto d : ind.shape()) os.push_back(d);
  os.insert(os.end(), xs.begin() + long(axis) + 1, xs.end());
  Arr out = Arr::from_shape(os);
  const std::size_t ni = ind.dimension();
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto oidx = unravel(i, os);
    std::vector<std::size_t> iidx(oidx.begin() + long(axis), oidx.begin() + long(axis + ni));
    std::vector<std::size_t> xidx(oidx.begin(), oidx.begin() + long(axis));
    xidx.push_back(std::size_t(ind.data()[flat_index(iidx, to_shape(ind.shape()))]));
    xidx.insert(xidx.end(), oidx.begin() + long(axis + ni), oidx.end());
    out.data()[i] = x.data()[flat_index(xidx, xs)];
  }
  return out;
}

// max (or min) over `axes` (empty = all), naive.
Arr ref_extreme(const Arr& a, std::vector<int> axes, bool keepdims, bool largest) {
  const Shape s = shape_of(a);
  std::vector<bool> red(s.size(), axes.empty());
  for (int ax : axes) red[ax < 0 ? ax + int(s.size()) : ax] = true;
  Shape outs;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!red[i]) outs.push_back(s[i]);
    else if (keepdims) outs.push_back(1);
  }
  Arr out = Arr::from_shape(outs);
  out.fill(largest ? -INFINITY : INFINITY);
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto idx = unravel(i, s);
    std::size_t off = 0;
    for (std::size_t d = 0; d < s.size(); ++d) {
      if (!red[d]) off = off * s[d] + idx[d];
    }
    const double v = a.data()[i];
    double& o = out.data()[off];
    o = largest ? std::max(o, v) : std::min(o, v);
  }
  return out;
}

// Mean over the last axis of f(pred - true).
template <class F>
Arr ref_last_axis_mean(const Arr& t, const Arr& p, F f) {
  const std::size_t d = t.shape().back();
  Shape os = shape_of(t);
  os.pop_back();
  Arr out = Arr::from_shape(os);
  for (std::size_t r = 0; r < out.size(); ++r) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += f(p.data()[r * d + j] - t.data()[r * d + j]);
    out.data()[r] = s / double(d);
  }
  return out;
}

// ---------- the table ------------------------------------------------------------------------

struct Domain {
  double lo = -2, hi = 2;
  bool away_from_zero = false;  // |x| >= 0.1 (relu kink, division)
};

struct OpCase {
  std::string name;
  std::function<Tensor64(const std::vector<Tensor64>&)> f64;
  std::function<Tensor(const std::vector<Tensor>&)> f32;
  std::vector<Shape> shapes;
  std::vector<Domain> domains;  // one per input, or a single one for all
  std::function<Arr(const Arrs&)> reference;
};

// `f` is a generic lambda, run both in float64 and in float32.
template <class F>
OpCase row(std::string name, F f, std::vector<Shape> shapes, std::vector<Domain> domains,
           std::function<Arr(const Arrs&)> ref) {
  return OpCase{std::move(name),
                [f](const std::vector<Tensor64>& in) { return f(in); },
                [f](const std::vector<Tensor>& in) { return f(in); },
                std::move(shapes),
                std::move(domains),
                std::move(ref)};
}

const Domain any{};
const Domain positive{0.5, 2.0};
const Domain nonzero{-2, 2, true};
const Domain prob{0.0, 1.0};

std::vector<OpCase> op_table() {
  auto plus = [](double x, double y) { return x + y; };
  auto minus = [](double x, double y) { return x - y; };
  auto times = [](double x, double y) { return x * y; };
  auto over = [](double x, double y) { return x / y; };
  constexpr double eps = 1e-3;
  std::vector<OpCase> t;
  // elementwise, with broadcasting
  t.push_back(row("add", [](auto& in) { return add(in[0], in[1]); }, {{2, 3}, {2, 3}}, {any},
                  [=](const Arrs& a) { return ref_binary(a[0], a[1], plus); }));
  t.push_back(row("add [2,3]+[3]", [](auto& in) { return in[0] + in[1]; }, {{2, 3}, {3}}, {any},
                  [=](const Arrs& a) { return ref_binary(a[0], a[1], plus); }));
  t.push_back(row("add [2,1]+[1,3]", [](auto& in) { return in[0] + in[1]; }, {{2, 1}, {1, 3}},
                  {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], plus); }));
  t.push_back(row("sub [3]-[2,3]", [](auto& in) { return sub(in[0], in[1]); }, {{3}, {2, 3}},
                  {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], minus); }));
  t.push_back(row("sub scalar", [](auto& in) { return in[0] - in[1]; }, {{2, 3}, {}}, {any},
                  [=](const Arrs& a) { return ref_binary(a[0], a[1], minus); }));
  t.push_back(row("mul", [](auto& in) { return mul(in[0], in[1]); }, {{2, 3}, {2, 3}}, {any},
                  [=](const Arrs& a) { return ref_binary(a[0], a[1], times); }));
  t.push_back(row("mul [2,1]*[1,3]", [](auto& in) { return in[0] * in[1]; }, {{2, 1}, {1, 3}},
                  {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], times); }));
  t.push_back(row("mul [2,3,4]*[3,1]", [](auto& in) { return in[0] * in[1]; },
                  {{2, 3, 4}, {3, 1}}, {any},
                  [=](const Arrs& a) { return ref_binary(a[0], a[1], times); }));
  t.push_back(row("div", [](auto& in) { return div(in[0], in[1]); }, {{2, 3}, {2, 3}},
                  {any, positive}, [=](const Arrs& a) { return ref_binary(a[0], a[1], over); }));
  t.push_back(row("div [2,3]/[3]", [](auto& in) { return in[0] / in[1]; }, {{2, 3}, {3}},
                  {any, nonzero}, [=](const Arrs& a) { return ref_binary(a[0], a[1], over); }));
  t.push_back(row("neg", [](auto& in) { return -in[0]; }, {{2, 3}}, {any},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return -x; }); }));
  t.push_back(row("exp", [](auto& in) { return exp(in[0]); }, {{2, 3}}, {any}, [](const Arrs& a) {
    return ref_unary(a[0], [](double x) { return std::exp(x); });
  }));
  t.push_back(row("log", [](auto& in) { return log(in[0]); }, {{2, 3}}, {positive},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return std::log(x); }); }));
  t.push_back(row("sqrt", [](auto& in) { return sqrt(in[0]); }, {{2, 3}}, {positive},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return std::sqrt(x); }); }));
  // activations
  t.push_back(row("sigmoid", [](auto& in) { return sigmoid(in[0]); }, {{3, 4}}, {{-6, 6}},
                  [](const Arrs& a) {
                    return ref_unary(a[0], [](double x) { return 1 / (1 + std::exp(-x)); });
                  }));
  t.push_back(row("relu", [](auto& in) { return relu(in[0]); }, {{3, 4}}, {nonzero},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return x > 0 ? x : 0; }); }));
  t.push_back(row("tanh", [](auto& in) { return tanh(in[0]); }, {{3, 4}}, {any}, [](const Arrs& a) {
    return ref_unary(a[0], [](double x) { return (std::exp(2 * x) - 1) / (std::exp(2 * x) + 1); });
  }));
  t.push_back(row("softmax", [](auto& in) { return softmax(in[0]); }, {{3, 5}}, {any},
                  [](const Arrs& a) { return ref_rows(a[0], ref_softmax_row); }));
  t.push_back(row("softmax 3-D", [](auto& in) { return softmax(in[0]); }, {{2, 2, 4}}, {any},
                  [](const Arrs& a) { return ref_rows(a[0], ref_softmax_row); }));
  t.push_back(row("log_softmax", [](auto& in) { return log_softmax(in[0]); }, {{3, 5}}, {any},
                  [](const Arrs& a) { return ref_rows(a[0], ref_log_softmax_row); }));
  // wide rows: exercise both the SIMD body and the scalar tail of the vectorised kernels
  t.push_back(row("sigmoid wide", [](auto& in) { return sigmoid(in[0]); }, {{3, 37}}, {{-30, 30}},
                  [](const Arrs& a) {
                    return ref_unary(a[0], [](double x) { return 1 / (1 + std::exp(-x)); });
                  }));
  t.push_back(row("tanh wide", [](auto& in) { return tanh(in[0]); }, {{3, 37}}, {{-5, 5}},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return std::tanh(x); }); }));
  t.push_back(row("softmax wide", [](auto& in) { return softmax(in[0]); }, {{3, 37}}, {{-5, 5}},
                  [](const Arrs& a) { return ref_rows(a[0], ref_softmax_row); }));
  t.push_back(row("log_softmax wide", [](auto& in) { return log_softmax(in[0]); }, {{3, 37}},
                  {{-5, 5}}, [](const Arrs& a) { return ref_rows(a[0], ref_log_softmax_row); }));
  t.push_back(row("leaky_relu", [](auto& in) { return leaky_relu(in[0]); }, {{3, 4}}, {nonzero},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return x > 0 ? x : 0.2 * x; }); }));
  t.push_back(row("leaky_relu alpha 0.01", [](auto& in) { return leaky_relu(in[0], 0.01); }, {{3, 4}},
                  {nonzero},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return x > 0 ? x : 0.01 * x; }); }));
  t.push_back(row("elu", [](auto& in) { return elu(in[0]); }, {{3, 4}}, {nonzero}, [](const Arrs& a) {
    return ref_unary(a[0], [](double x) { return x > 0 ? x : std::exp(x) - 1; });
  }));
  t.push_back(row("softplus", [](auto& in) { return softplus(in[0]); }, {{3, 37}}, {{-30, 30}},
                  [](const Arrs& a) {
                    return ref_unary(a[0], [](double x) {
                      return x > 0 ? x + std::log(1 + std::exp(-x)) : std::log(1 + std::exp(x));
                    });
                  }));
  t.push_back(row("gelu exact", [](auto& in) { return gelu(in[0]); }, {{3, 4}}, {{-4, 4}},
                  [](const Arrs& a) {
                    // Phi from the complementary error function: a different route than erf.
                    return ref_unary(a[0], [](double x) { return x * 0.5 * std::erfc(-x / std::sqrt(2.0)); });
                  }));
  t.push_back(row("gelu tanh approximation", [](auto& in) { return gelu(in[0], true); }, {{3, 4}},
                  {{-4, 4}}, [](const Arrs& a) {
                    return ref_unary(a[0], [](double x) {
                      const double u = std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x);
                      return x / (1 + std::exp(-2 * u));  // 0.5 (1 + tanh u) = sigmoid(2u)
                    });
                  }));
  // reductions
  for (auto keep : {false, true}) {
    const std::string k = keep ? " keepdims" : "";
    for (std::vector<int> axes : std::vector<std::vector<int>>{{}, {0}, {1}, {-1}, {0, 2}, {1, 2}}) {
      std::string ax = "[";
      for (int a : axes) ax += std::to_string(a) + " ";
      ax += "]";
      t.push_back(row("reduce_sum " + ax + k,
                      [axes, keep](auto& in) { return reduce_sum(in[0], axes, keep); },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_reduce(a[0], axes, keep, false); }));
      t.push_back(row("reduce_mean " + ax + k,
                      [axes, keep](auto& in) { return reduce_mean(in[0], axes, keep); },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_reduce(a[0], axes, keep, true); }));
      t.push_back(row("moments.mean " + ax + k,
                      [axes, keep](auto& in) { return moments(in[0], axes, keep).mean; },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_reduce(a[0], axes, keep, true); }));
      t.push_back(row("moments.variance " + ax + k,
                      [axes, keep](auto& in) { return moments(in[0], axes, keep).variance; },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_variance(a[0], axes, keep); }));
    }
  }
  // size-1 dims and 0-d inputs (the run-merging reduction kernel's edge cases)
  t.push_back(row("reduce_sum [2,1,3,1] axes {1,2}", [](auto& in) { return reduce_sum(in[0], {1, 2}); },
                  {{2, 1, 3, 1}}, {any}, [](const Arrs& a) { return ref_reduce(a[0], {1, 2}, false, false); }));
  t.push_back(row("reduce_sum [2,1,3,1] axes {0,3} keepdims",
                  [](auto& in) { return reduce_sum(in[0], {0, 3}, true); }, {{2, 1, 3, 1}}, {any},
                  [](const Arrs& a) { return ref_reduce(a[0], {0, 3}, true, false); }));
  t.push_back(row("reduce_mean [1,4,1] axis 0", [](auto& in) { return reduce_mean(in[0], {0}); },
                  {{1, 4, 1}}, {any}, [](const Arrs& a) { return ref_reduce(a[0], {0}, false, true); }));
  t.push_back(row("reduce_mean 4-D axes {0,2}", [](auto& in) { return reduce_mean(in[0], {0, 2}); },
                  {{2, 3, 2, 3}}, {any}, [](const Arrs& a) { return ref_reduce(a[0], {0, 2}, false, true); }));
  t.push_back(row("reduce_sum 0-d", [](auto& in) { return reduce_sum(in[0]); }, {{}}, {any},
                  [](const Arrs& a) { return ref_reduce(a[0], {}, false, false); }));
  t.push_back(row("moments.variance [2,1,3] axes {0,1}",
                  [](auto& in) { return moments(in[0], {0, 1}).variance; }, {{2, 1, 3}}, {any},
                  [](const Arrs& a) { return ref_variance(a[0], {0, 1}, false); }));
  t.push_back(row("moments.variance NHWC axes {0,1,2} keepdims",
                  [](auto& in) { return moments(in[0], {0, 1, 2}, true).variance; }, {{2, 3, 2, 4}},
                  {any}, [](const Arrs& a) { return ref_variance(a[0], {0, 1, 2}, true); }));
  t.push_back(row("reduce_sum wide last axis", [](auto& in) { return reduce_sum(in[0], {-1}); },
                  {{3, 37}}, {any}, [](const Arrs& a) { return ref_reduce(a[0], {-1}, false, false); }));
  t.push_back(row("moments.variance wide last axis",
                  [](auto& in) { return moments(in[0], {-1}).variance; }, {{3, 37}}, {any},
                  [](const Arrs& a) { return ref_variance(a[0], {-1}, false); }));
  t.push_back(row("moments both outputs",
                  [](auto& in) {
                    auto m = moments(in[0], {0, 1, 2});
                    return m.mean * m.variance + m.variance;
                  },
                  {{2, 3, 2, 4}}, {any}, [](const Arrs& a) {
                    Arr m = ref_reduce(a[0], {0, 1, 2}, false, true);
                    Arr v = ref_variance(a[0], {0, 1, 2}, false);
                    return ref_binary(ref_binary(m, v, [](double x, double y) { return x * y; }), v,
                                      [](double x, double y) { return x + y; });
                  }));
  // batch normalization
  t.push_back(row("batch_normalization [N,F]",
                  [](auto& in) { return batch_normalization(in[0], in[1], in[2], in[3], in[4], eps); },
                  {{4, 3}, {3}, {3}, {3}, {3}}, {any, any, positive, any, any},
                  [=](const Arrs& a) { return ref_batchnorm(a[0], a[1], a[2], &a[3], &a[4], eps); }));
  t.push_back(row("batch_normalization [N,F] no offset/scale",
                  [](auto& in) {
                    using Tn = std::decay_t<decltype(in[0])>;
                    return batch_normalization(in[0], in[1], in[2], Tn(), Tn(), eps);
                  },
                  {{4, 3}, {3}, {3}}, {any, any, positive},
                  [=](const Arrs& a) { return ref_batchnorm(a[0], a[1], a[2], nullptr, nullptr, eps); }));
  t.push_back(row("batch_normalization NHWC",
                  [](auto& in) { return batch_normalization(in[0], in[1], in[2], in[3], in[4], eps); },
                  {{2, 3, 2, 4}, {4}, {4}, {4}, {4}}, {any, any, positive, any, any},
                  [=](const Arrs& a) { return ref_batchnorm(a[0], a[1], a[2], &a[3], &a[4], eps); }));
  t.push_back(row("batch_normalization NHWC keepdims params, scale only",
                  [](auto& in) {
                    using Tn = std::decay_t<decltype(in[0])>;
                    return batch_normalization(in[0], in[1], in[2], Tn(), in[3], eps);
                  },
                  {{2, 2, 3, 4}, {1, 1, 1, 4}, {1, 1, 1, 4}, {1, 1, 1, 4}}, {any, any, positive, any},
                  [=](const Arrs& a) { return ref_batchnorm(a[0], a[1], a[2], nullptr, &a[3], eps); }));
  t.push_back(row("batch_normalization non-channel params [N,F] with [N,1]",
                  [](auto& in) { return batch_normalization(in[0], in[1], in[2], in[3], in[4], eps); },
                  {{4, 3}, {4, 1}, {4, 1}, {}, {1, 3}}, {any, any, positive, any, any},
                  [=](const Arrs& a) { return ref_batchnorm(a[0], a[1], a[2], &a[3], &a[4], eps); }));
  t.push_back(row("batch_normalization with moments",
                  [](auto& in) {
                    auto m = moments(in[0], {0});
                    return batch_normalization(in[0], m.mean, m.variance, in[1], in[2], eps);
                  },
                  {{5, 3}, {3}, {3}}, {any}, [=](const Arrs& a) {
                    Arr m = ref_reduce(a[0], {0}, false, true);
                    Arr v = ref_variance(a[0], {0}, false);
                    return ref_batchnorm(a[0], m, v, &a[1], &a[2], eps);
                  }));
  // losses
  t.push_back(row("softmax_cross_entropy_with_logits",
                  [](auto& in) { return softmax_cross_entropy_with_logits(in[0], in[1]); },
                  {{3, 4}, {3, 4}}, {prob, any},
                  [](const Arrs& a) { return ref_softmax_ce(a[0], a[1]); }));
  t.push_back(row("softmax_cross_entropy_with_logits 3-D",
                  [](auto& in) { return softmax_cross_entropy_with_logits(in[0], in[1]); },
                  {{2, 2, 3}, {2, 2, 3}}, {prob, any},
                  [](const Arrs& a) { return ref_softmax_ce(a[0], a[1]); }));
  // 7 rows of 10 classes: the exps run over the whole block, across row boundaries.
  t.push_back(row("softmax_cross_entropy_with_logits 10 classes",
                  [](auto& in) { return softmax_cross_entropy_with_logits(in[0], in[1]); },
                  {{7, 10}, {7, 10}}, {prob, {-6, 6}},
                  [](const Arrs& a) { return ref_softmax_ce(a[0], a[1]); }));
  t.push_back(row("sigmoid_cross_entropy_with_logits",
                  [](auto& in) { return sigmoid_cross_entropy_with_logits(in[0], in[1]); },
                  {{3, 4}, {3, 4}}, {prob, {-4, 4}}, [](const Arrs& a) {
                    return ref_binary(a[0], a[1], [](double z, double x) {
                      const double s = 1 / (1 + std::exp(-x));
                      return -z * std::log(s) - (1 - z) * std::log(1 - s);
                    });
                  }));
  t.push_back(row("softmax_cross_entropy_with_logits wide",
                  [](auto& in) { return softmax_cross_entropy_with_logits(in[0], in[1]); },
                  {{3, 37}, {3, 37}}, {prob, {-5, 5}},
                  [](const Arrs& a) { return ref_softmax_ce(a[0], a[1]); }));
  t.push_back(row("sigmoid_cross_entropy_with_logits wide",
                  [](auto& in) { return sigmoid_cross_entropy_with_logits(in[0], in[1]); },
                  {{3, 37}, {3, 37}}, {prob, {-8, 8}}, [](const Arrs& a) {
                    return ref_binary(a[0], a[1], [](double z, double x) {
                      const double s = 1 / (1 + std::exp(-x));
                      return -z * std::log(s) - (1 - z) * std::log(1 - s);
                    });
                  }));
  // shape ops
  t.push_back(row("reshape", [](auto& in) { return reshape(in[0], {3, -1}); }, {{2, 3, 2}}, {any},
                  [](const Arrs& a) { return with_shape(a[0], {3, 4}); }));
  t.push_back(row("flatten", [](auto& in) { return flatten(in[0]); }, {{2, 3, 2, 2}}, {any},
                  [](const Arrs& a) { return with_shape(a[0], {2, 12}); }));
  t.push_back(row("transpose 2-D", [](auto& in) { return transpose(in[0]); }, {{3, 4}}, {any},
                  [](const Arrs& a) { return ref_transpose(a[0], {}); }));
  t.push_back(row("transpose 3-D perm", [](auto& in) { return transpose(in[0], {1, 2, 0}); },
                  {{2, 3, 4}}, {any}, [](const Arrs& a) { return ref_transpose(a[0], {1, 2, 0}); }));
  t.push_back(row("transpose 3-D reverse", [](auto& in) { return transpose(in[0]); },
                  {{2, 3, 4}}, {any}, [](const Arrs& a) { return ref_transpose(a[0], {}); }));
  t.push_back(row("transpose NHWC->NCHW", [](auto& in) { return transpose(in[0], {0, 3, 1, 2}); },
                  {{2, 3, 2, 4}}, {any}, [](const Arrs& a) { return ref_transpose(a[0], {0, 3, 1, 2}); }));
  t.push_back(row("reshape to 1-D", [](auto& in) { return reshape(in[0], {-1}); }, {{2, 3}}, {any},
                  [](const Arrs& a) { return with_shape(a[0], {6}); }));
  t.push_back(row("flatten 2-D", [](auto& in) { return flatten(in[0]); }, {{3, 4}}, {any},
                  [](const Arrs& a) { return with_shape(a[0], {3, 4}); }));
  t.push_back(row("broadcast_to [3,1] -> [2,3,4]", [](auto& in) { return broadcast_to(in[0], {2, 3, 4}); },
                  {{3, 1}}, {any}, [](const Arrs& a) {
                    return ref_binary(a[0], Arr(xt::zeros<double>({2, 3, 4})), [](double x, double) { return x; });
                  }));
  t.push_back(row("sum_to [2,3,4] -> [3,1]", [](auto& in) { return sum_to(in[0], {3, 1}); },
                  {{2, 3, 4}}, {any},
                  [](const Arrs& a) { return with_shape(ref_reduce(a[0], {0, 2}, false, false), {3, 1}); }));
  t.push_back(row("sum_to [2,3] -> [] and [2,3]",
                  [](auto& in) { return sum_to(in[0], {}) + sum_to(in[0], {2, 3}); }, {{2, 3}}, {any},
                  [](const Arrs& a) {
                    return ref_binary(ref_reduce(a[0], {}, false, false), a[0], [](double s, double x) { return s + x; });
                  }));
  // joining, cutting, indexing
  for (int axis : {0, 1, -1}) {
    const std::size_t a = axis < 0 ? 2 : std::size_t(axis);
    Shape s0{2, 3, 2}, s1{2, 3, 2}, s2{2, 3, 2};
    s1[a] = 1;
    s2[a] = 3;
    t.push_back(row("concat 3 tensors axis " + std::to_string(axis),
                    [axis](auto& in) { return concat(in, axis); }, {s0, s1, s2}, {any},
                    [a](const Arrs& x) { return ref_concat(x, a); }));
  }
  t.push_back(row("split [1,-1,2] axis 1, pieces rejoined out of order",
                  [](auto& in) {
                    auto p = split(in[0], {1, -1, 2}, 1);
                    return concat(std::vector<std::decay_t<decltype(in[0])>>{p[2], p[0], p[1]}, 1);
                  },
                  {{2, 6, 2}}, {any}, [](const Arrs& x) {
                    return ref_concat({ref_slice(x[0], {0, 4, 0}, {2, 2, 2}),
                                       ref_slice(x[0], {0, 0, 0}, {2, 1, 2}),
                                       ref_slice(x[0], {0, 1, 0}, {2, 3, 2})}, 1);
                  }));
  t.push_back(row("split one piece used", [](auto& in) { return split(in[0], {2, 2}, 0)[1]; },
                  {{4, 3}}, {any}, [](const Arrs& x) { return ref_slice(x[0], {2, 0}, {2, 3}); }));
  t.push_back(row("slice", [](auto& in) { return slice(in[0], {1, 0, 1}, {2, 2, 3}); },
                  {{3, 4, 5}}, {any},
                  [](const Arrs& x) { return ref_slice(x[0], {1, 0, 1}, {2, 2, 3}); }));
  t.push_back(row("slice size -1", [](auto& in) { return slice(in[0], {1, 2}, {-1, -1}); },
                  {{3, 5}}, {any}, [](const Arrs& x) { return ref_slice(x[0], {1, 2}, {2, 3}); }));
  t.push_back(row("pad", [](auto& in) { return pad(in[0], {{1, 0}, {2, 1}}, 0.5); }, {{2, 3}},
                  {any}, [](const Arrs& x) { return ref_pad(x[0], {{1, 0}, {2, 1}}, 0.5); }));
  t.push_back(row("pad NHWC spatial", [](auto& in) { return pad(in[0], {{0, 0}, {1, 1}, {0, 2}, {0, 0}}); },
                  {{2, 2, 3, 2}}, {any},
                  [](const Arrs& x) { return ref_pad(x[0], {{0, 0}, {1, 1}, {0, 2}, {0, 0}}, 0.0); }));
  {
    const xt::xarray<std::int64_t> rows_idx{2, 0, 2, 1};
    t.push_back(row("gather axis 0 repeated indices",
                    [rows_idx](auto& in) { return gather(in[0], rows_idx); }, {{3, 4}}, {any},
                    [rows_idx](const Arrs& x) { return ref_gather(x[0], rows_idx, 0); }));
    const xt::xarray<std::int64_t> grid{{1, 1, 0}, {3, 2, 1}};
    t.push_back(row("gather axis 1 with 2-D indices",
                    [grid](auto& in) { return gather(in[0], grid, 1); }, {{2, 4, 3}}, {any},
                    [grid](const Arrs& x) { return ref_gather(x[0], grid, 1); }));
    t.push_back(row("gather axis -1", [grid](auto& in) { return gather(in[0], grid, -1); },
                    {{2, 4}}, {any}, [grid](const Arrs& x) { return ref_gather(x[0], grid, 1); }));
  }
  // more elementwise
  auto power = [](double x, double y) { return std::exp(y * std::log(x)); };
  t.push_back(row("pow", [](auto& in) { return pow(in[0], in[1]); }, {{2, 3}, {2, 3}},
                  {positive, any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], power); }));
  t.push_back(row("pow [2,3]^[3]", [](auto& in) { return pow(in[0], in[1]); }, {{2, 3}, {3}},
                  {positive, any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], power); }));
  t.push_back(row("pow [3]^[2,1]", [](auto& in) { return pow(in[0], in[1]); }, {{3}, {2, 1}},
                  {positive, any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], power); }));
  t.push_back(row("square", [](auto& in) { return square(in[0]); }, {{2, 3}}, {any},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return x * x; }); }));
  t.push_back(row("abs", [](auto& in) { return abs(in[0]); }, {{2, 3}}, {nonzero},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return x < 0 ? -x : x; }); }));
  auto bigger = [](double x, double y) { return x > y ? x : y; };
  auto smaller = [](double x, double y) { return x < y ? x : y; };
  t.push_back(row("maximum", [](auto& in) { return maximum(in[0], in[1]); }, {{3, 4}, {3, 4}},
                  {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], bigger); }));
  t.push_back(row("maximum [2,1,3] with [4,1]", [](auto& in) { return maximum(in[0], in[1]); },
                  {{2, 1, 3}, {4, 1}}, {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], bigger); }));
  t.push_back(row("minimum", [](auto& in) { return minimum(in[0], in[1]); }, {{3, 4}, {3, 4}},
                  {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], smaller); }));
  t.push_back(row("minimum [3,4] with scalar", [](auto& in) { return minimum(in[0], in[1]); },
                  {{3, 4}, {}}, {any}, [=](const Arrs& a) { return ref_binary(a[0], a[1], smaller); }));
  t.push_back(row("clip_by_value", [](auto& in) { return clip_by_value(in[0], -0.5, 0.7); },
                  {{4, 5}}, {any}, [](const Arrs& a) {
                    return ref_unary(a[0], [](double x) { return x < -0.5 ? -0.5 : (x > 0.7 ? 0.7 : x); });
                  }));
  {
    xt::xarray<bool> cond = xt::xarray<bool>::from_shape({2, 1});
    cond(0, 0) = true;
    cond(1, 0) = false;
    const xt::xarray<bool> cond3{true, false, true};
    auto pick = [](const xt::xarray<bool>& c, const Arr& x, const Arr& y) {
      Arr cd = xt::cast<double>(c);
      Arr pre = ref_binary(cd, x, [](double k, double v) { return k != 0 ? v : NAN; });
      return ref_binary(pre, y, [](double v, double w) { return std::isnan(v) ? w : v; });
    };
    t.push_back(row("where [2,1] ? [1,3] : []", [cond](auto& in) { return xgrad::where(cond, in[0], in[1]); },
                    {{1, 3}, {}}, {any}, [=](const Arrs& a) { return pick(cond, a[0], a[1]); }));
    t.push_back(row("where [3] ? [2,3] : [2,1]", [cond3](auto& in) { return xgrad::where(cond3, in[0], in[1]); },
                    {{2, 3}, {2, 1}}, {any}, [=](const Arrs& a) { return pick(cond3, a[0], a[1]); }));
  }
  t.push_back(row("log1p", [](auto& in) { return log1p(in[0]); }, {{2, 3}}, {{-0.5, 2}},
                  [](const Arrs& a) { return ref_unary(a[0], [](double x) { return std::log(1 + x); }); }));
  // reduce_max / reduce_min (random values: no ties; ties have their own test)
  for (std::vector<int> axes : std::vector<std::vector<int>>{{}, {0}, {-1}, {0, 2}}) {
    for (bool keep : {false, true}) {
      std::string ax = "[";
      for (int a : axes) ax += std::to_string(a) + " ";
      ax += "]";
      ax += keep ? " keepdims" : "";
      t.push_back(row("reduce_max " + ax, [axes, keep](auto& in) { return reduce_max(in[0], axes, keep); },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_extreme(a[0], axes, keep, true); }));
      t.push_back(row("reduce_min " + ax, [axes, keep](auto& in) { return reduce_min(in[0], axes, keep); },
                      {{2, 3, 4}}, {any},
                      [axes, keep](const Arrs& a) { return ref_extreme(a[0], axes, keep, false); }));
    }
  }
  // regression and sparse losses
  {
    const xt::xarray<std::int64_t> ids{{3, 0}, {1, 3}, {2, 2}};
    t.push_back(row("sparse_softmax_cross_entropy_with_logits",
                    [ids](auto& in) { return sparse_softmax_cross_entropy_with_logits(ids, in[0]); },
                    {{3, 2, 4}}, {{-4, 4}}, [ids](const Arrs& a) {
                      Arr onehot = xt::zeros<double>({3, 2, 4});
                      for (std::size_t r = 0; r < 6; ++r) onehot.data()[r * 4 + std::size_t(ids.data()[r])] = 1;
                      return ref_softmax_ce(onehot, a[0]);
                    }));
  }
  t.push_back(row("mean_squared_error", [](auto& in) { return mean_squared_error(in[0], in[1]); },
                  {{3, 4}, {3, 4}}, {any}, [](const Arrs& a) {
                    return ref_last_axis_mean(a[0], a[1], [](double e) { return e * e; });
                  }));
  t.push_back(row("l2_loss", [](auto& in) { return l2_loss(in[0]); }, {{3, 4}}, {any},
                  [](const Arrs& a) {
                    double s = 0;
                    for (double v : a[0]) s += v * v / 2;
                    return Arr(s);
                  }));
  for (double delta : {1.0, 0.3}) {
    t.push_back(row("huber_loss delta " + std::to_string(delta),
                    [delta](auto& in) { return huber_loss(in[0], in[1], delta); }, {{4, 5}, {4, 5}},
                    {{-2, 2}}, [delta](const Arrs& a) {
                      return ref_last_axis_mean(a[0], a[1], [delta](double e) {
                        // Keras: 0.5 e^2 inside delta, linear outside
                        return std::abs(e) <= delta ? e * e / 2 : delta * std::abs(e) - delta * delta / 2;
                      });
                    }));
  }
  // matmul, all four transpose-flag combinations
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      Shape sa = ta ? Shape{4, 3} : Shape{3, 4};
      Shape sb = tb ? Shape{5, 4} : Shape{4, 5};
      t.push_back(row(std::string("matmul ta=") + (ta ? "1" : "0") + " tb=" + (tb ? "1" : "0"),
                      [ta, tb](auto& in) { return matmul(in[0], in[1], ta, tb); }, {sa, sb}, {any},
                      [ta, tb](const Arrs& a) { return ref_matmul(a[0], a[1], ta, tb); }));
    }
  }
  t.push_back(row("xw_plus_b", [](auto& in) { return xw_plus_b(in[0], in[1], in[2]); },
                  {{3, 4}, {4, 5}, {5}}, {any},
                  [](const Arrs& a) {
                    return ref_binary(ref_matmul(a[0], a[1], false, false), a[2],
                                      [](double x, double y) { return x + y; });
                  }));
  // second derivatives: normalization and dropout
  {
    // fused_batch_norm: batch statistics over every axis but the last.
    auto fused_ref = [=](std::vector<int> axes, bool affine) {
      return [=](const Arrs& a) {
        Arr m = ref_reduce(a[0], axes, false, true);
        Arr v = ref_variance(a[0], axes, false);
        return affine ? ref_batchnorm(a[0], m, v, &a[2], &a[1], eps)
                      : ref_batchnorm(a[0], m, v, nullptr, nullptr, eps);
      };
    };
    t.push_back(row("fused_batch_norm [N,F]",
                    [](auto& in) { return fused_batch_norm(in[0], in[1], in[2], eps).y; },
                    {{5, 3}, {3}, {3}}, {any}, fused_ref({0}, true)));
    t.push_back(row("fused_batch_norm [N,F] no scale/offset",
                    [](auto& in) {
                      using Tn = std::decay_t<decltype(in[0])>;
                      return fused_batch_norm(in[0], Tn(), Tn(), eps).y;
                    },
                    {{5, 3}}, {any}, fused_ref({0}, false)));
    t.push_back(row("fused_batch_norm NHWC",
                    [](auto& in) { return fused_batch_norm(in[0], in[1], in[2], eps).y; },
                    {{2, 3, 2, 4}, {4}, {4}}, {any}, fused_ref({0, 1, 2}, true)));
    // dropout: the mask is a fixed function of (seed, index), so the op is linear in x.
    constexpr double rate = 0.4;
    constexpr std::uint64_t seed = 2024;
    t.push_back(row("dropout rate 0.4 seed 2024", [](auto& in) { return dropout(in[0], rate, seed); },
                    {{4, 6}}, {any}, [=](const Arrs& a) {
                      // The draw of ops/dropout.cpp, transcribed: element i is kept when
                      // u = hash(hash(seed) ^ hash(i)) / 2^64, to 53 bits, is >= rate.
                      auto hash = [](std::uint64_t z) {  // SplitMix64's finaliser
                        z += 0x9E3779B97F4A7C15ull;
                        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
                        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
                        return z ^ (z >> 31);
                      };
                      Arr out = a[0];
                      for (std::size_t i = 0; i < out.size(); ++i) {
                        const double u = double(hash(hash(seed) ^ hash(i)) >> 11) * 0x1.0p-53;
                        out.data()[i] = u >= rate ? out.data()[i] / (1 - rate) : 0.0;
                      }
                      return out;
                    }));
  }
  // second derivatives: convolution, pooling, sparse
  {
    // conv2d over SAME and VALID, strides 1 and 2, with and without a bias added per channel.
    std::size_t variant = 0;
    for (Padding p : {Padding::Same, Padding::Valid}) {
      for (std::size_t st : {1u, 2u}) {
        for (bool bias : {false, true}) {
          const std::array<std::size_t, 2> s{st, st};
          const Shape xs{1 + variant % 2, 5 + variant % 3, 4 + st, 2};
          const Shape ws{3, 2 + variant % 2, 2, 3};
          ++variant;
          std::vector<Shape> shapes{xs, ws};
          if (bias) shapes.push_back({3});
          const std::string name = std::string("conv2d ") +
                                   (p == Padding::Same ? "SAME" : "VALID") + " stride " +
                                   std::to_string(st) + (bias ? " with bias" : "");
          t.push_back(row(name,
                          [s, p, bias](auto& in) {
                            auto y = conv2d(in[0], in[1], s, p);
                            return bias ? y + in[2] : y;
                          },
                          shapes, {any}, [s, p, bias](const Arrs& a) {
                            Arr y = test::conv_ref(a[0], a[1], s[0], s[1], p);
                            auto plus = [](double u, double v) { return u + v; };
                            return bias ? ref_binary(y, a[2], plus) : y;
                          }));
        }
      }
    }
    // Pooling over random inputs (no ties within a window); overlapping windows (stride below
    // the window) send one input's gradient from several outputs.
    struct Pool {
      std::array<std::size_t, 2> k, s;
      Padding p;
      Shape x;
    };
    for (const Pool& c : {Pool{{2, 2}, {2, 2}, Padding::Valid, {2, 4, 6, 2}},
                          Pool{{3, 3}, {2, 2}, Padding::Same, {1, 5, 6, 3}},
                          Pool{{3, 2}, {1, 1}, Padding::Same, {1, 4, 5, 2}},
                          Pool{{2, 3}, {2, 1}, Padding::Valid, {2, 5, 5, 1}}}) {
      const std::string geometry = " k " + std::to_string(c.k[0]) + "x" + std::to_string(c.k[1]) +
                                   " s " + std::to_string(c.s[0]) + "," + std::to_string(c.s[1]) +
                                   (c.p == Padding::Same ? " SAME" : " VALID");
      t.push_back(row("max_pool2d" + geometry,
                      [c](auto& in) { return max_pool2d(in[0], c.k, c.s, c.p); }, {c.x}, {any},
                      [c](const Arrs& a) { return test::pool_ref(a[0], c.k, c.s, c.p, true); }));
      t.push_back(row("avg_pool2d" + geometry,
                      [c](auto& in) { return avg_pool2d(in[0], c.k, c.s, c.p); }, {c.x}, {any},
                      [c](const Arrs& a) { return test::pool_ref(a[0], c.k, c.s, c.p, false); }));
    }
    // sparse_matmul: a constant [4, 5] matrix with an empty row and an empty column.
    const Arr dense{{0.0, 1.5, 0.0, -2.0, 0.0},
                    {0.0, 0.0, 0.0, 0.0, 0.0},
                    {0.7, 0.0, 0.0, 0.3, -1.1},
                    {0.0, -0.4, 0.0, 0.0, 2.2}};
    const SparseRows<double> a64(dense);
    const SparseRows<float> a32{xt::xarray<float>(xt::cast<float>(dense))};
    t.push_back(row("sparse_matmul",
                    [a64, a32](auto& in) {
                      using T = typename std::decay_t<decltype(in[0])>::value_type;
                      if constexpr (std::is_same_v<T, double>) {
                        return sparse_matmul(a64, in[0]);
                      } else {
                        return sparse_matmul(a32, in[0]);
                      }
                    },
                    {{5, 3}}, {any},
                    [dense](const Arrs& a) { return ref_matmul(dense, a[0], false, false); }));
  }
  return t;
}

Arr draw(const Shape& s, const Domain& d, std::uint64_t seed) {
  Arr a = test::random_array<double>(s, seed, d.lo, d.hi);
  if (d.away_from_zero) {
    for (auto& v : a) v = v >= 0 ? 0.1 + v : v - 0.1;
  }
  return a;
}

}  // namespace

TEST_CASE("op table: forward vs reference, gradcheck, float32 vs float64, gradgradcheck",
          "[ops][table]") {
  const auto table = op_table();
  std::uint64_t seed = 100;
  for (const auto& c : table) {
    DYNAMIC_SECTION(c.name) {
      INFO("op case: " << c.name);
      Arrs arrays;
      std::vector<Tensor64> in64;
      std::vector<Tensor> in32;
      for (std::size_t i = 0; i < c.shapes.size(); ++i) {
        const Domain& d = c.domains.size() == 1 ? c.domains[0] : c.domains.at(i);
        arrays.push_back(draw(c.shapes[i], d, seed++));
        in64.emplace_back(arrays.back(), true);
        in32.emplace_back(xt::xarray<float>(xt::cast<float>(arrays.back())), true);
      }
      // 1. forward against the independent reference
      Tensor64 y = c.f64(in64);
      Arr want = c.reference(arrays);
      INFO("got " << y.value() << "\nwant " << want);
      REQUIRE(test::all_close(y.value(), want, 1e-10));
      // 2. gradients
      REQUIRE_GRADCHECK(c.f64, in64);
      // 3. float32 forward agrees with float64
      Tensor y32 = c.f32(in32);
      REQUIRE(test::all_close(y32.value(), y.value(), 1e-4));
      // 4. second derivatives
      REQUIRE_GRADGRADCHECK(c.f64, in64);
    }
  }
}
