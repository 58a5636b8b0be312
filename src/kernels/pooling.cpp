#include "kernels/pooling.hpp"

#include <algorithm>
#include <limits>

#include "config.hpp"
#include "kernels/parallel.hpp"

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

/// Calls f(out_offset, window, image_base_offset) for every output pixel of the output rows
/// [r0, r1), counted over the whole batch (row r is row r % oh of image r / oh).
template <class F>
void for_each_window(const ConvGeometry& g, std::size_t r0, std::size_t r1, F&& f) {
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t base = r / g.oh * g.h * g.w * g.c, oy = r % g.oh;
    for (std::size_t ox = 0; ox < g.ow; ++ox) f((r * g.ow + ox) * g.c, window(g, oy, ox), base);
  }
}

/// For the backward passes, which add into the input: calls f(out_offset, window, ya, yb, base)
/// for every output pixel whose window meets the input rows [r0, r1) (counted over the batch as
/// above), with [ya, yb) the window's rows among them. Each input element gets its additions in
/// the order a serial pass would make them (output pixels in order), whatever the split.
template <class F>
void for_each_window_into_rows(const ConvGeometry& g, std::size_t r0, std::size_t r1, F&& f) {
  for (std::size_t img = r0 / g.h; img * g.h < r1; ++img) {
    const std::size_t lo = std::max(r0, img * g.h) - img * g.h;
    const std::size_t hi = std::min(r1, (img + 1) * g.h) - img * g.h;
    const std::size_t base = img * g.h * g.w * g.c;
    for (std::size_t oy = 0; oy < g.oh; ++oy) {
      const Window rows = window(g, oy, 0);
      const std::size_t ya = std::max(rows.y0, lo), yb = std::min(rows.y1, hi);
      if (ya >= yb) continue;
      for (std::size_t ox = 0; ox < g.ow; ++ox) {
        f(((img * g.oh + oy) * g.ow + ox) * g.c, window(g, oy, ox), ya, yb, base);
      }
    }
  }
}

/// Runs body(r0, r1) over the rows [0, images * rows_per_image) on xgrad's threads, given the
/// job's `work` (elements read or written). Parts are whole images when there are enough of them,
/// else bands of rows (a batch of one image still uses every thread). The body writes only what
/// its rows own, so any split gives the same bits.
template <class Body>
void split_rows(std::size_t images, std::size_t rows_per_image, double work, Body&& body) {
  const std::size_t rows = images * rows_per_image;
  if (rows == 0) return;
  const int parts = parts_for(threads_for(work, config::kPoolWorkPerThread), rows);
  const std::size_t align = images >= std::size_t(parts) ? rows_per_image : 1;
  run_parts(parts, [&](int part, int count) {
    const Range r = split_range(rows, part, count, align);
    if (r.begin < r.end) body(r.begin, r.end);
  });
}

/// Elements a pass reads through its windows (the work that decides the split).
inline double window_reads(const ConvGeometry& g) {
  return double(g.n * g.oh * g.ow * g.c) * double(g.kh * g.kw);
}

/// The backward passes' frame: grad_in [n, h, w, c] zeroed and f(out_offset, window, ya, yb,
/// base) called as for_each_window_into_rows does, split over xgrad's threads in parts that
/// each own (zero and add into) their input rows.
template <class T, class F>
void for_each_window_into_zeroed(const ConvGeometry& g, T* grad_in, F&& f) {
  const std::size_t row = g.w * g.c;
  const double work = window_reads(g) + double(g.n * g.h * row);
  split_rows(g.n, g.h, work, [&](std::size_t r0, std::size_t r1) {
    std::fill(grad_in + r0 * row, grad_in + r1 * row, T(0));
    for_each_window_into_rows(g, r0, r1, f);
  });
}

/// Window position k of the max: best/pos take v, k where v is larger (or the first NaN).
/// Branch-free with unconditional stores, so the compiler vectorises it over the contiguous
/// channels (a branch's skipped stores may not be invented).
template <class T>
inline void take_larger(std::size_t C, const T* __restrict v, PoolPosition<T> k,
                        T* __restrict best, PoolPosition<T>* __restrict pos) {
  for (std::size_t c = 0; c < C; ++c) {
    const T x = v[c], b = best[c];
    // NaN propagates, as in TensorFlow: a NaN beats everything after it.
    const bool take = (x > b) | ((x != x) & (b == b));
    best[c] = take ? x : b;
    pos[c] = take ? k : pos[c];
  }
}

/// d += g where the max came from window position k (and 0 elsewhere): vectorised as
/// take_larger, instead of a scatter through flat indices.
template <class T>
inline void add_where_chosen(std::size_t C, const T* __restrict g,
                             const PoolPosition<T>* __restrict pos, PoolPosition<T> k,
                             T* __restrict d) {
  for (std::size_t c = 0; c < C; ++c) {
    const T chosen = g[c];  // loaded unconditionally: a conditional load keeps the loop scalar
    d[c] += pos[c] == k ? chosen : T(0);
  }
}

/// acc += v. The restrict-qualified pointers let the compiler vectorise over the channels
/// without run-time alias checks (out and in are distinct buffers).
template <class T>
inline void add_into(std::size_t C, const T* __restrict v, T* __restrict acc) {
  for (std::size_t c = 0; c < C; ++c) acc[c] += v[c];
}

/// d += g * s, vectorised as add_into.
template <class T>
inline void add_scaled(std::size_t C, const T* __restrict g, T s, T* __restrict d) {
  for (std::size_t c = 0; c < C; ++c) d[c] += g[c] * s;
}

}  // namespace

template <class T>
void max_pool_forward(const ConvGeometry& g, const T* in, T* out, PoolPosition<T>* argmax) {
  const std::size_t C = g.c;
  split_rows(g.n, g.oh, window_reads(g), [&](std::size_t r0, std::size_t r1) {
    for_each_window(g, r0, r1, [&](std::size_t o, const Window& w, std::size_t base) {
      T* best = out + o;
      PoolPosition<T>* pos = argmax + o;
      if (w.y0 == w.y1 || w.x0 == w.x1) {  // an empty window (cannot happen with SAME/VALID)
        std::fill(best, best + C, T(0));
        std::fill(pos, pos + C, PoolPosition<T>(-1));
        return;
      }
      PoolPosition<T> k = 0;
      for (std::size_t y = w.y0; y < w.y1; ++y) {
        for (std::size_t x = w.x0; x < w.x1; ++x, ++k) {
          const T* v = in + base + (y * g.w + x) * C;
          if (k == 0) {
            std::copy(v, v + C, best);
            std::fill(pos, pos + C, PoolPosition<T>(0));
          } else {
            take_larger(C, v, k, best, pos);
          }
        }
      }
    });
  });
}

template <class T>
void max_pool_backward(const ConvGeometry& g, const T* grad_out, const PoolPosition<T>* argmax,
                       T* grad_in) {
  const std::size_t C = g.c;
  for_each_window_into_zeroed(g, grad_in, [&](std::size_t o, const Window& w, std::size_t ya,
                                              std::size_t yb, std::size_t base) {
    const std::size_t width = w.x1 - w.x0;
    for (std::size_t y = ya; y < yb; ++y) {
      PoolPosition<T> k = PoolPosition<T>((y - w.y0) * width);
      for (std::size_t x = w.x0; x < w.x1; ++x, ++k) {
        add_where_chosen(C, grad_out + o, argmax + o, k, grad_in + base + (y * g.w + x) * C);
      }
    }
  });
}

template <class T>
void max_pool_argmax_offsets(const ConvGeometry& g, const PoolPosition<T>* argmax,
                             std::int64_t* offsets) {
  const std::size_t C = g.c;
  split_rows(g.n, g.oh, double(g.n * g.oh * g.ow * g.c), [&](std::size_t r0, std::size_t r1) {
    for_each_window(g, r0, r1, [&](std::size_t o, const Window& w, std::size_t base) {
      const std::size_t width = w.x1 - w.x0;
      for (std::size_t c = 0; c < C; ++c) {
        const PoolPosition<T> k = argmax[o + c];
        if (k < 0) {
          offsets[o + c] = -1;
          continue;
        }
        const std::size_t y = w.y0 + std::size_t(k) / width, x = w.x0 + std::size_t(k) % width;
        offsets[o + c] = std::int64_t(base + (y * g.w + x) * C + c);
      }
    });
  });
}

template <class T>
void avg_pool_forward(const ConvGeometry& g, const T* in, T* out) {
  const std::size_t C = g.c;
  split_rows(g.n, g.oh, window_reads(g), [&](std::size_t r0, std::size_t r1) {
    for_each_window(g, r0, r1, [&](std::size_t o, const Window& w, std::size_t base) {
      T* acc = out + o;
      std::fill(acc, acc + C, T(0));
      for (std::size_t y = w.y0; y < w.y1; ++y) {
        for (std::size_t x = w.x0; x < w.x1; ++x) add_into(C, in + base + (y * g.w + x) * C, acc);
      }
      const std::size_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
      const T inv = count ? T(1) / T(count) : T(0);
      for (std::size_t c = 0; c < C; ++c) acc[c] *= inv;
    });
  });
}

template <class T>
void avg_pool_backward(const ConvGeometry& g, const T* grad_out, T* grad_in) {
  const std::size_t C = g.c;
  for_each_window_into_zeroed(g, grad_in, [&](std::size_t o, const Window& w, std::size_t ya,
                                              std::size_t yb, std::size_t base) {
    const std::size_t count = (w.y1 - w.y0) * (w.x1 - w.x0);
    if (count == 0) return;
    const T inv = T(1) / T(count);
    for (std::size_t y = ya; y < yb; ++y) {
      for (std::size_t x = w.x0; x < w.x1; ++x) {
        add_scaled(C, grad_out + o, inv, grad_in + base + (y * g.w + x) * C);
      }
    }
  });
}

template void max_pool_forward<float>(const ConvGeometry&, const float*, float*, std::int32_t*);
template void max_pool_forward<double>(const ConvGeometry&, const double*, double*,
                                       std::int64_t*);
template void max_pool_backward<float>(const ConvGeometry&, const float*, const std::int32_t*,
                                       float*);
template void max_pool_backward<double>(const ConvGeometry&, const double*, const std::int64_t*,
                                        double*);
template void max_pool_argmax_offsets<float>(const ConvGeometry&, const std::int32_t*,
                                             std::int64_t*);
template void max_pool_argmax_offsets<double>(const ConvGeometry&, const std::int64_t*,
                                              std::int64_t*);
template void avg_pool_forward<float>(const ConvGeometry&, const float*, float*);
template void avg_pool_forward<double>(const ConvGeometry&, const double*, double*);
template void avg_pool_backward<float>(const ConvGeometry&, const float*, float*);
template void avg_pool_backward<double>(const ConvGeometry&, const double*, double*);

}  // namespace xgrad::kernels
