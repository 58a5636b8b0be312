#include "kernels/pooling.hpp"

#include <algorithm>
#include <limits>

namespace xgrad::kernels {

namespace {

/// The window of output pixel (oy, ox) clipped to the input: [y0, y1) x [x0, x1).
struct Window {
  std::size_t y0, y1, x0, x1;
};

inline Window window(const ConvGeometry& g, std::size_t oy, std::size_t ox) {
  const std::ptrdiff_t ys = std::ptrdiff_t(oy * g.sh) - std::ptrdiff_t(g.pad_top);
  const std::ptrdiff_t xs = std::ptrdiff_t(ox * g.sw) - std::ptrdiff_t(g.pad_left);
  Window w;
  w.y0 = std::size_t(std::max<std::ptrdiff_t>(ys, 0));
  w.y1 = std::size_t(std::clamp<std::ptrdiff_t>(ys + std::ptrdiff_t(g.kh), 0, std::ptrdiff_t(g.h)));
  w.x0 = std::size_t(std::max<std::ptrdiff_t>(xs, 0));
  w.x1 = std::size_t(std::clamp<std::ptrdiff_t>(xs + std::ptrdiff_t(g.kw), 0, std::ptrdiff_t(g.w)));
  w.y1 = std::max(w.y1, w.y0);
  w.x1 = std::max(w.x1, w.x0);
  return w;
}

/// Calls f(out_offset, window, image_base_offset) for every output pixel.
template <class F>
void for_each_window(const ConvGeometry& g, F&& f) {
  for (std::size_t n = 0; n < g.n; ++n) {
    const std::size_t base = n * g.h * g.w * g.c;
    for (std::size_t oy = 0; oy < g.oh; ++oy) {
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        const std::size_t out_off = ((n * g.oh + oy) * g.ow + ox) * g.c;
        f(out_off, window(g, oy, ox), base);
      }
    }
  }
}

}  // namespace

template <class T>
void max_pool_forward(const ConvGeometry& g, const T* in, T* out, std::int64_t* argmax) {
  const std::size_t C = g.c;
  for_each_window(g, [&](std::size_t o, const Window& w, std::size_t base) {
    T* best = out + o;
    std::int64_t* idx = argmax + o;
    bool first = true;
    for (std::size_t y = w.y0; y < w.y1; ++y) {
      for (std::size_t x = w.x0; x < w.x1; ++x) {
        const std::size_t i0 = base + (y * g.w + x) * C;
        const T* v = in + i0;
        if (first) {
          for (std::size_t c = 0; c < C; ++c) {
            best[c] = v[c];
            idx[c] = std::int64_t(i0 + c);
          }
          first = false;
          continue;
        }
        for (std::size_t c = 0; c < C; ++c) {
          // NaN propagates, as in TensorFlow: a NaN beats everything after it.
          if (v[c] > best[c] || (v[c] != v[c] && best[c] == best[c])) {
            best[c] = v[c];
            idx[c] = std::int64_t(i0 + c);
          }
        }
      }
    }
    if (first) {  // an empty window (cannot happen with SAME/VALID, kept for safety)
      for (std::size_t c = 0; c < C; ++c) {
        best[c] = T(0);
        idx[c] = -1;
      }
    }
  });
}

template <class T>
void max_pool_backward(const ConvGeometry& g, const T* grad_out, const std::int64_t* argmax,
                       T* grad_in) {
  std::fill(grad_in, grad_in + g.n * g.h * g.w * g.c, T(0));
  const std::size_t total = g.n * g.oh * g.ow * g.c;
  for (std::size_t i = 0; i < total; ++i) {
    if (argmax[i] >= 0) grad_in[argmax[i]] += grad_out[i];
  }
}

template <class T>
void avg_pool_forward(const ConvGeometry& g, const T* in, T* out) {
  const std::size_t C = g.c;
  for_each_window(g, [&](std::size_t o, const Window& w, std::size_t base) {
    T* acc = out + o;
    std::fill(acc, acc + C, T(0));
    for (std::size_t y = w.y0; y < w.y1; ++y) {
      for (std::size_t x = w.x0; x < w.x1; ++x) {
        const T* v = in + base + (y * g.w + x) * C;
        for (std::size_t c = 0; c < C; ++c) acc[c] += v[c];
      }
    }
    const std::size_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
    const T inv = count ? T(1) / T(count) : T(0);
    for (std::size_t c = 0; c < C; ++c) acc[c] *= inv;
  });
}

template <class T>
void avg_pool_backward(const ConvGeometry& g, const T* grad_out, T* grad_in) {
  const std::size_t C = g.c;
  std::fill(grad_in, grad_in + g.n * g.h * g.w * g.c, T(0));
  for_each_window(g, [&](std::size_t o, const Window& w, std::size_t base) {
    const std::size_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
    if (count == 0) return;
    const T inv = T(1) / T(count);
    const T* go = grad_out + o;
    for (std::size_t y = w.y0; y < w.y1; ++y) {
      for (std::size_t x = w.x0; x < w.x1; ++x) {
        T* d = grad_in + base + (y * g.w + x) * C;
        for (std::size_t c = 0; c < C; ++c) d[c] += go[c] * inv;
      }
    }
  });
}

template void max_pool_forward<float>(const ConvGeometry&, const float*, float*, std::int64_t*);
template void max_pool_forward<double>(const ConvGeometry&, const double*, double*,
                                       std::int64_t*);
template void max_pool_backward<float>(const ConvGeometry&, const float*, const std::int64_t*,
                                       float*);
template void max_pool_backward<double>(const ConvGeometry&, const double*, const std::int64_t*,
                                        double*);
template void avg_pool_forward<float>(const ConvGeometry&, const float*, float*);
template void avg_pool_forward<double>(const ConvGeometry&, const double*, double*);
template void avg_pool_backward<float>(const ConvGeometry&, const float*, float*);
template void avg_pool_backward<double>(const ConvGeometry&, const double*, double*);

}  // namespace xgrad::kernels
