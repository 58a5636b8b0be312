#pragma once
// Private: per-feature work on rows of f values (a bias add, a bias gradient, batch-norm
// statistics) when f is small. A loop over f = 4..76 features per row is too short to
// vectorise; these helpers walk the rows as flat blocks of period(f) values, a multiple of both
// f and 16, with per-feature parameters repeated to that length. Element t of a block (blocks
// start on row boundaries) belongs to feature t % f.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "config.hpp"
#include "kernels/parallel.hpp"

namespace xgrad::kernels {

using config::kMinRowElementsPerThread;

/// Rows of 64 or more values vectorise as they are: f. Shorter rows: lcm(f, 16), times the
/// smallest factor that makes it at least 64 values.
inline std::size_t period(std::size_t f) {
  if (f >= 64) return f;
  const std::size_t lcm = f / std::gcd(f, std::size_t(16)) * 16;
  return lcm * ((64 + lcm - 1) / lcm);
}

/// v[0, f) repeated to period(f) values.
template <class T>
std::vector<T> repeat_to_period(const T* v, std::size_t f) {
  std::vector<T> out(period(f));
  for (std::size_t r = 0; r < out.size(); r += f) std::copy(v, v + f, out.begin() + std::ptrdiff_t(r));
  return out;
}

/// Calls block(offset, length) over the flat elements of rows [r0, r1), in blocks of at most
/// period(f) values starting on row boundaries.
template <class Block>
void for_each_block(std::size_t r0, std::size_t r1, std::size_t f, Block&& block) {
  const std::size_t len = period(f), end = r1 * f;
  for (std::size_t e = r0 * f; e < end; e += len) block(e, std::min(len, end - e));
}

/// block(offset, length) over all rows, split over xgrad's threads by rows.
template <class Block>
void parallel_blocks(std::size_t rows, std::size_t f, Block&& block) {
  parallel_for(rows, std::size_t(kMinRowElementsPerThread) / std::max<std::size_t>(f, 1) + 1,
               [&](std::size_t r0, std::size_t r1) { for_each_block(r0, r1, f, block); });
}

/// Per-feature sums of `width` quantities: body(offset, length, acc) adds a block's values into
/// acc[0, P), acc[P, 2P), ... (P = period(f), slot t for feature t % f). Each thread sums a
/// contiguous range of rows; the slots are then folded into out[0, width * f) in thread order,
/// so results repeat for a given thread count.
template <class T, class Body>
void sum_rows(std::size_t rows, std::size_t f, std::size_t width, T* out, Body&& body) {
  const std::size_t len = period(f);
  const int parts = threads_for(double(rows * f), kMinRowElementsPerThread);
  std::vector<T> partials(std::size_t(parts) * width * len, T(0));
  run_parts(parts, [&](int part, int count) {
    const Range r = split_range(rows, part, count);
    T* acc = partials.data() + std::size_t(part) * width * len;
    for_each_block(r.begin, r.end, f, [&](std::size_t e, std::size_t n) { body(e, n, acc); });
  });
  std::fill(out, out + width * f, T(0));
  for (int p = 0; p < parts; ++p) {
    for (std::size_t w = 0; w < width; ++w) {
      const T* acc = partials.data() + (std::size_t(p) * width + w) * len;
      for (std::size_t r = 0; r < len; r += f) {
        for (std::size_t c = 0; c < f; ++c) out[w * f + c] += acc[r + c];
      }
    }
  }
}

}  // namespace xgrad::kernels
