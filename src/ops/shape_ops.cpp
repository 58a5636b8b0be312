#include "xgrad/ops/shape_ops.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <xtensor/xmanipulation.hpp>

#include "xgrad/autograd/function.hpp"

namespace xgrad {

namespace {

std::string to_string_long(const std::vector<long>& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

/// Copy of `v` (contiguous) with a new shape of the same size.
template <class T>
xt::xarray<T> with_shape(const xt::xarray<T>& v, const Shape& shape) {
  xt::xarray<T> out = xt::xarray<T>::from_shape(shape);
  std::copy(v.data(), v.data() + v.size(), out.data());
  return out;
}

/// Plain 2-D transpose of an [r, c] row-major buffer, blocked for cache reuse.
template <class T>
xt::xarray<T> transpose2d(const xt::xarray<T>& v) {
  const std::size_t r = v.shape()[0], c = v.shape()[1];
  xt::xarray<T> out = xt::xarray<T>::from_shape({c, r});
  const T* s = v.data();
  T* d = out.data();
  constexpr std::size_t B = 32;
  for (std::size_t i0 = 0; i0 < r; i0 += B) {
    const std::size_t i1 = std::min(r, i0 + B);
    for (std::size_t j0 = 0; j0 < c; j0 += B) {
      const std::size_t j1 = std::min(c, j0 + B);
      for (std::size_t i = i0; i < i1; ++i) {
        for (std::size_t j = j0; j < j1; ++j) d[j * r + i] = s[i * c + j];
      }
    }
  }
  return out;
}

template <class T>
BasicTensor<T> reshape_to(const char* name, const BasicTensor<T>& x, const Shape& shape) {
  xt::xarray<T> out = with_shape(x.value(), shape);
  Shape in = x.shape();
  return make_op(name, std::move(out), {x}, [in](const auto& g, const auto&, auto& grads) {
    grads.set(0, with_shape(g, in));
  });
}

}  // namespace

template <class T>
BasicTensor<T> reshape(const BasicTensor<T>& x, const std::vector<long>& shape) {
  const Shape xs = x.shape();
  const std::size_t n = x.size();
  Shape out(shape.size());
  int infer = -1;
  std::size_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) {
        throw std::invalid_argument("reshape: more than one -1 in shape " +
                                    to_string_long(shape) + " for x shape " + to_string(xs));
      }
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      throw std::invalid_argument("reshape: negative dimension in shape " + to_string_long(shape) +
                                  " for x shape " + to_string(xs));
    } else {
      out[i] = static_cast<std::size_t>(shape[i]);
      // A wrapped product could match x's size and pass garbage dimensions through.
      if (out[i] != 0 && known > std::numeric_limits<std::size_t>::max() / out[i]) {
        throw std::invalid_argument("reshape: shape " + to_string_long(shape) +
                                    " has too many elements for x shape " + to_string(xs));
      }
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || n % known != 0) {
      throw std::invalid_argument("reshape: cannot reshape x shape " + to_string(xs) +
                                  " into shape " + to_string_long(shape));
    }
    out[infer] = n / known;
  } else if (known != n) {
    throw std::invalid_argument("reshape: cannot reshape x shape " + to_string(xs) +
                                " into shape " + to_string_long(shape));
  }
  return reshape_to("reshape", x, out);
}

template <class T>
BasicTensor<T> flatten(const BasicTensor<T>& x) {
  const Shape xs = x.shape();
  if (xs.empty()) {
    throw std::invalid_argument("flatten: expected at least 1-D input [N, ...], got shape " +
                                to_string(xs));
  }
  std::size_t rest = 1;
  for (std::size_t i = 1; i < xs.size(); ++i) rest *= xs[i];
  return reshape_to("flatten", x, Shape{xs[0], rest});
}

template <class T>
BasicTensor<T> transpose(const BasicTensor<T>& x, const std::vector<std::size_t>& perm) {
  const Shape xs = x.shape();
  const std::size_t nd = xs.size();
  std::vector<std::size_t> p = perm;
  if (p.empty()) {
    p.resize(nd);
    for (std::size_t i = 0; i < nd; ++i) p[i] = nd - 1 - i;
  }
  std::vector<bool> seen(nd, false);
  bool ok = p.size() == nd;
  for (std::size_t i = 0; ok && i < p.size(); ++i) {
    ok = p[i] < nd && !seen[p[i]];
    if (ok) seen[p[i]] = true;
  }
  if (!ok) {
    std::string ps = "[";
    for (std::size_t i = 0; i < perm.size(); ++i) ps += (i ? ", " : "") + std::to_string(perm[i]);
    throw std::invalid_argument("transpose: perm " + ps + "] is not a permutation of the axes of x shape " +
                                to_string(xs));
  }
  std::vector<std::size_t> inv(nd);
  for (std::size_t i = 0; i < nd; ++i) inv[p[i]] = i;
  const auto& xv = x.value();
  xt::xarray<T> out;
  const bool is2d = nd == 2 && p[0] == 1;
  if (is2d) {
    out = transpose2d(xv);
  } else {
    out = xt::transpose(xv, p);
  }
  return make_op("transpose", std::move(out), {x}, [inv, is2d](const auto& g, const auto&, auto& grads) {
    if (is2d) {
      grads.set(0, transpose2d(g));
    } else {
      xt::xarray<T> gx = xt::transpose(g, inv);
      grads.set(0, std::move(gx));
    }
  });
}

#define XGRAD_INSTANTIATE(T)                                                           \
  template BasicTensor<T> reshape(const BasicTensor<T>&, const std::vector<long>&);    \
  template BasicTensor<T> flatten(const BasicTensor<T>&);                              \
  template BasicTensor<T> transpose(const BasicTensor<T>&, const std::vector<std::size_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)

}  // namespace xgrad
