#include "kernels/broadcast.hpp"

#include "kernels/row_blocks.hpp"

#include <stdexcept>
#include <string>
#include <xtensor/xreducer.hpp>
#include <xtensor/xmath.hpp>

namespace xgrad::kernels {

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    std::size_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw std::invalid_argument(std::string(op) + ": shapes " + to_string(a) + " and " +
                                  to_string(b) + " cannot be broadcast together");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

template <class T>
xt::xarray<T> sum_to_shape(const xt::xarray<T>& g, const Shape& shape) {
  Shape gs = to_shape(g.shape());
  if (gs == shape) return g;
  const std::size_t n = num_elements(shape);
  xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
  if (n == 0) return out;  // nothing to sum into (and g.size() / n below would divide by zero)
  out.fill(T(0));
  T* o = out.data();
  const T* pg = g.data();
  std::size_t inner = 0;
  if (n == 1) {
    T s = 0;
    for (std::size_t i = 0; i < g.size(); ++i) s += pg[i];
    o[0] = s;
  } else if (detail::is_trailing_block(gs, shape, inner) && inner == n) {
    // Bias-like: g is [rows, n] in memory, sum the rows (row_blocks.hpp).
    sum_rows<T>(g.size() / n, n, 1, o, [&](std::size_t e, std::size_t len, T* __restrict acc) {
      const T* __restrict x = pg + e;
      for (std::size_t t = 0; t < len; ++t) acc[t] += x[t];
    });
  } else {
    // General case: reduce leading extra axes and axes where shape has 1.
    const std::size_t lead = gs.size() - shape.size();
    std::vector<std::size_t> axes;
    for (std::size_t i = 0; i < gs.size(); ++i) {
      if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.push_back(i);
    }
    xt::xarray<T> s = xt::sum(g, axes, xt::evaluation_strategy::immediate);
    std::copy(s.begin(), s.end(), o);
  }
  return out;
}

template xt::xarray<float> sum_to_shape(const xt::xarray<float>&, const Shape&);
template xt::xarray<double> sum_to_shape(const xt::xarray<double>&, const Shape&);

}  // namespace xgrad::kernels
