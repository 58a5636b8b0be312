#include "xgrad/ops/slicing.hpp"

#include <algorithm>
#include <memory>
#include <string>

#include "check.hpp"
#include "kernels/box_copy.hpp"
#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

/// `axis` made non-negative; throws naming `op` and x's shape when out of range.
std::size_t checked_axis(const char* op, int axis, const Shape& xs) {
  return check::check_axis(op, axis, {"x", xs});
}

/// x[begin : begin + size] as an op; the building block of slice and split.
template <class T>
BasicTensor<T> box_op(const char* name, const BasicTensor<T>& x, Shape begin, Shape size) {
  const Shape xs = x.shape();
  xt::xarray<T> out = xt::xarray<T>::from_shape(size);
  kernels::copy_box(x.value().data(), xs, begin, out.data(), size, Shape(size.size(), 0), size);
  // The differentiable gradient: g padded with zeros back to x's shape.
  std::vector<std::pair<long, long>> around(xs.size());
  for (std::size_t d = 0; d < xs.size(); ++d) {
    around[d] = {long(begin[d]), long(xs[d] - begin[d] - size[d])};
  }
  return make_op(name, std::move(out), {x},
                 [xs, begin = std::move(begin), size](const auto& g, const auto&, auto& grads) {
                   xt::xarray<T> gx = xt::zeros<T>(xs);
                   kernels::copy_box(g.data(), size, Shape(size.size(), 0), gx.data(), xs, begin,
                                     size);
                   grads.set(0, std::move(gx));
                 },
                 [around = std::move(around)](const auto& g, const auto&, auto& grads) {
                   grads.set(0, pad(g, around));
                 });
}

/// Rows (of `inner` elements) of x [outer, k, inner] at `indices`: [outer, n, inner] into `o`.
template <class T>
void gather_rows(const T* x, const xt::xarray<std::int64_t>& indices, std::size_t outer,
                 std::size_t k, std::size_t inner, T* o) {
  const std::int64_t* idx = indices.data();
  const std::size_t n = indices.size();
  for (std::size_t r = 0; r < outer; ++r) {
    for (std::size_t j = 0; j < n; ++j) {
      const T* src = x + (r * k + std::size_t(idx[j])) * inner;
      std::copy(src, src + inner, o + (r * n + j) * inner);
    }
  }
}

/// The adjoint of gather_rows: g [outer, n, inner] added into zeros of shape xs
/// ([outer, k, inner]) at `indices`; a repeated index collects the sum.
template <class T>
xt::xarray<T> scatter_add_rows(const xt::xarray<T>& g, const xt::xarray<std::int64_t>& indices,
                               const Shape& xs, std::size_t outer, std::size_t k,
                               std::size_t inner) {
  xt::xarray<T> gx = xt::zeros<T>(xs);
  const std::int64_t* idx = indices.data();
  const std::size_t n = indices.size();
  const T* pg = g.data();
  T* o = gx.data();
  for (std::size_t r = 0; r < outer; ++r) {
    for (std::size_t j = 0; j < n; ++j) {
      T* dst = o + (r * k + std::size_t(idx[j])) * inner;
      const T* src = pg + (r * n + j) * inner;
      for (std::size_t i = 0; i < inner; ++i) dst[i] += src[i];
    }
  }
  return gx;
}

/// gather's gradient as an op (TensorFlow's unsorted segment sum): g scattered into zeros of
/// shape xs along `axis` at `indices` and added. Its own gradient is gather at the same
/// indices, so gather's gradient can be differentiated again. Indices were checked by gather.
template <class T>
BasicTensor<T> gather_backprop(const BasicTensor<T>& g,
                               std::shared_ptr<const xt::xarray<std::int64_t>> indices,
                               std::size_t axis, const Shape& xs) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= xs[d];
  for (std::size_t d = axis + 1; d < xs.size(); ++d) inner *= xs[d];
  const std::size_t k = xs[axis];
  return make_op(
      "gather_backprop", scatter_add_rows(g.value(), *indices, xs, outer, k, inner), {g},
      [indices, outer, k, inner](const auto& gg, const auto&, auto& grads) {
        xt::xarray<T> d = xt::xarray<T>::from_shape(grads.input_shape(0));
        gather_rows(gg.data(), *indices, outer, k, inner, d.data());
        grads.set(0, std::move(d));
      },
      [indices, axis](const auto& gg, const auto&, auto& grads) {
        grads.set(0, gather(gg, *indices, int(axis)));
      });
}

}  // namespace

template <class T>
BasicTensor<T> concat(const std::vector<BasicTensor<T>>& tensors, int axis) {
  if (tensors.empty()) check::fail("concat", "no tensors given");
  const Shape first = tensors[0].shape();
  const std::size_t a = checked_axis("concat", axis, first);
  Shape os = first;
  os[a] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Shape s = tensors[i].shape();
    bool ok = s.size() == first.size();
    for (std::size_t d = 0; ok && d < s.size(); ++d) ok = d == a || s[d] == first[d];
    if (!ok) {
      check::fail("concat", "tensor " + std::to_string(i) + " shape " + check::format_shape(s) +
                                " does not match tensor 0 shape " + check::format_shape(first) +
                                " outside axis " + std::to_string(axis));
    }
    os[a] += s[a];
  }
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  std::vector<std::size_t> offsets;
  Shape at(os.size(), 0);
  for (const auto& t : tensors) {
    offsets.push_back(at[a]);
    const Shape s = t.shape();
    kernels::copy_box(t.value().data(), s, Shape(s.size(), 0), out.data(), os, at, s);
    at[a] += s[a];
  }
  std::vector<Shape> shapes;
  for (const auto& t : tensors) shapes.push_back(t.shape());
  return make_op("concat", std::move(out), tensors,
                 [a, os, offsets, shapes = std::move(shapes)](
                     const auto& g, const auto&, auto& grads) {
                   for (std::size_t i = 0; i < shapes.size(); ++i) {
                     if (!grads.needs(i)) continue;
                     Shape at(os.size(), 0);
                     at[a] = offsets[i];
                     xt::xarray<T> gi = xt::xarray<T>::from_shape(shapes[i]);
                     kernels::copy_box(g.data(), os, at, gi.data(), shapes[i],
                                       Shape(shapes[i].size(), 0), shapes[i]);
                     grads.set(i, std::move(gi));
                   }
                 },
                 [a, os, offsets](const auto& g, const auto&, auto& grads) {
                   for (std::size_t i = 0; i < grads.size(); ++i) {
                     if (!grads.needs(i)) continue;
                     Shape at(os.size(), 0);
                     at[a] = offsets[i];
                     grads.set(i, box_op("slice", g, at, grads.input_shape(i)));
                   }
                 });
}

template <class T>
std::vector<BasicTensor<T>> split(const BasicTensor<T>& x, const std::vector<long>& sizes,
                                  int axis) {
  const Shape xs = x.shape();
  const std::size_t a = checked_axis("split", axis, xs);
  auto fail = [&](const std::string& why) {
    check::fail("split", "sizes " + check::format_list(sizes) + " " + why + " for x shape " +
                             check::format_shape(xs) + " along axis " + std::to_string(axis));
  };
  if (sizes.empty()) fail("are empty");
  long known = 0;
  int inferred = -1;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1 && inferred < 0) {
      inferred = int(i);
    } else if (sizes[i] < 0) {
      fail("have a negative size (only one -1 is allowed)");
    } else {
      known += sizes[i];
    }
  }
  const long dim = long(xs[a]);
  if (inferred < 0 ? known != dim : known > dim) fail("do not add up to " + std::to_string(dim));
  std::vector<BasicTensor<T>> pieces;
  Shape begin(xs.size(), 0), size = xs;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    size[a] = std::size_t(int(i) == inferred ? dim - known : sizes[i]);
    pieces.push_back(box_op("split", x, begin, size));
    begin[a] += size[a];
  }
  return pieces;
}

template <class T>
BasicTensor<T> slice(const BasicTensor<T>& x, const std::vector<long>& begin,
                     const std::vector<long>& size) {
  const Shape xs = x.shape();
  auto fail = [&](const std::string& why) {
    check::fail("slice", "begin " + check::format_list(begin) + " and size " +
                             check::format_list(size) + " " + why + " for x shape " +
                             check::format_shape(xs));
  };
  if (begin.size() != xs.size() || size.size() != xs.size()) {
    fail("need one entry per dimension");
  }
  Shape b(xs.size()), s(xs.size());
  for (std::size_t d = 0; d < xs.size(); ++d) {
    const long dim = long(xs[d]);
    if (begin[d] < 0 || begin[d] > dim) fail("start outside dimension " + std::to_string(d));
    const long len = size[d] == -1 ? dim - begin[d] : size[d];
    if (len < 0 || begin[d] + len > dim) fail("run past dimension " + std::to_string(d));
    b[d] = std::size_t(begin[d]);
    s[d] = std::size_t(len);
  }
  return box_op("slice", x, std::move(b), std::move(s));
}

template <class T>
BasicTensor<T> pad(const BasicTensor<T>& x, const std::vector<std::pair<long, long>>& paddings,
                   double constant) {
  const Shape xs = x.shape();
  if (paddings.size() != xs.size()) {
    check::fail("pad", std::to_string(paddings.size()) + " paddings given for x shape " +
                           check::format_shape(xs) + " (one {before, after} per dimension)");
  }
  Shape os = xs, before(xs.size());
  for (std::size_t d = 0; d < xs.size(); ++d) {
    if (paddings[d].first < 0 || paddings[d].second < 0) {
      check::fail("pad", "negative padding {" + std::to_string(paddings[d].first) + ", " +
                             std::to_string(paddings[d].second) + "} for dimension " +
                             std::to_string(d) + " of x shape " + check::format_shape(xs));
    }
    before[d] = std::size_t(paddings[d].first);
    os[d] += before[d] + std::size_t(paddings[d].second);
  }
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  out.fill(T(constant));
  kernels::copy_box(x.value().data(), xs, Shape(xs.size(), 0), out.data(), os, before, xs);
  return make_op("pad", std::move(out), {x},
                 [xs, os, before](const auto& g, const auto&, auto& grads) {
                   xt::xarray<T> gx = xt::xarray<T>::from_shape(xs);
                   kernels::copy_box(g.data(), os, before, gx.data(), xs, Shape(xs.size(), 0), xs);
                   grads.set(0, std::move(gx));
                 },
                 [xs, before](const auto& g, const auto&, auto& grads) {
                   grads.set(0, box_op("slice", g, before, xs));
                 });
}

template <class T>
BasicTensor<T> gather(const BasicTensor<T>& x, const xt::xarray<std::int64_t>& indices,
                      int axis) {
  const Shape xs = x.shape();
  const std::size_t a = checked_axis("gather", axis, xs);
  std::size_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < a; ++d) outer *= xs[d];
  for (std::size_t d = a + 1; d < xs.size(); ++d) inner *= xs[d];
  const std::size_t k = xs[a], n = indices.size();
  const std::int64_t* idx = indices.data();
  for (std::size_t j = 0; j < n; ++j) {
    if (idx[j] < 0 || std::size_t(idx[j]) >= k) {
      check::fail("gather", "index " + std::to_string(idx[j]) + " is out of range [0, " +
                                std::to_string(k) + ") for x shape " + check::format_shape(xs) +
                                " along axis " + std::to_string(axis));
    }
  }
  Shape os(xs.begin(), xs.begin() + long(a));
  for (auto d : indices.shape()) os.push_back(d);
  os.insert(os.end(), xs.begin() + long(a) + 1, xs.end());
  xt::xarray<T> out = xt::xarray<T>::from_shape(os);
  gather_rows(x.value().data(), indices, outer, k, inner, out.data());
  auto kept = std::make_shared<const xt::xarray<std::int64_t>>(indices);
  return make_op("gather", std::move(out), {x},
                 [xs, kept, outer, inner, k](const auto& g, const auto&, auto& grads) {
                   grads.set(0, scatter_add_rows(g, *kept, xs, outer, k, inner));
                 },
                 [xs, kept, a](const auto& g, const auto&, auto& grads) {
                   grads.set(0, gather_backprop(g, kept, a, xs));
                 });
}

#define XGRAD_INSTANTIATE(T)                                                                  \
  template BasicTensor<T> concat(const std::vector<BasicTensor<T>>&, int);                    \
  template std::vector<BasicTensor<T>> split(const BasicTensor<T>&, const std::vector<long>&, \
                                             int);                                            \
  template BasicTensor<T> slice(const BasicTensor<T>&, const std::vector<long>&,              \
                                const std::vector<long>&);                                    \
  template BasicTensor<T> pad(const BasicTensor<T>&,                                          \
                              const std::vector<std::pair<long, long>>&, double);             \
  template BasicTensor<T> gather(const BasicTensor<T>&, const xt::xarray<std::int64_t>&, int);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
