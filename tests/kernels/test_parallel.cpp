// xgrad's threads: how work is split, and that split GEMMs give the single-threaded answer.
#include <vector>

#include "kernels/parallel.hpp"
#include "support/force_threads.hpp"
#include "support/test_utils.hpp"
#include "xgrad/ops/linalg.hpp"
#include "xgrad/threads.hpp"

using namespace xgrad;

namespace {


xt::xarray<double> reference_matmul(const xt::xarray<double>& a, const xt::xarray<double>& b,
                                    bool ta, bool tb) {
  const std::size_t m = ta ? a.shape()[1] : a.shape()[0], k = ta ? a.shape()[0] : a.shape()[1];
  const std::size_t n = tb ? b.shape()[0] : b.shape()[1];
  xt::xarray<double> c = xt::zeros<double>({m, n});
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t p = 0; p < k; ++p) c(i, j) += (ta ? a(p, i) : a(i, p)) * (tb ? b(j, p) : b(p, j));
  return c;
}

}  // namespace

TEST_CASE("split_range covers 0..n once, in order, on aligned boundaries", "[parallel]") {
  for (std::size_t n : {0u, 1u, 7u, 16u, 100u, 1001u})
    for (int parts : {1, 2, 3, 8})
      for (std::size_t align : {1u, 8u, 16u}) {
        std::size_t next = 0;
        for (int p = 0; p < parts; ++p) {
          const auto r = kernels::split_range(n, p, parts, align);
          CHECK(r.begin == next);
          CHECK(r.end >= r.begin);
          if (r.end != n) CHECK(r.end % align == 0);
          next = r.end;
        }
        CHECK(next == n);
      }
}

TEST_CASE("kernels nested in a parallel region run on the calling thread", "[parallel]") {
  test::ForceThreads force(2);
  CHECK(kernels::threads_for(1e12, 1) == 2);
  std::vector<int> inner(2, -1);
  kernels::run_parts(2, [&](int part, int) { inner[std::size_t(part)] = kernels::threads_for(1e12, 1); });
  CHECK(inner == std::vector<int>{1, 1});
  CHECK_FALSE(kernels::in_parallel());
}

TEST_CASE("matmul split over 1, 2 and 3 threads matches the reference, every transpose",
          "[parallel]") {
  std::uint64_t seed = 40;
  // Tall (rows split), wide (columns split) and deep (depth split, partial products summed)
  // products, sizes not multiples of the split; the gradients' products are split other ways.
  for (auto [m, n, k] : {std::array<std::size_t, 3>{37, 5, 11}, {5, 53, 9}, {64, 64, 3}, {6, 9, 70}})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (int threads : {1, 2, 3}) {
          INFO("m " << m << " n " << n << " k " << k << " ta " << ta << " tb " << tb << " threads " << threads);
          test::ForceThreads force(threads);
          auto a = test::random_array<double>(ta ? Shape{k, m} : Shape{m, k}, seed++);
          auto b = test::random_array<double>(tb ? Shape{n, k} : Shape{k, n}, seed++);
          Tensor64 ta64(a, true), tb64(b, true);
          auto c = matmul(ta64, tb64, ta, tb);
          CHECK(test::all_close(c.value(), reference_matmul(a, b, ta, tb), 1e-12));
          auto up = test::random_array<double>({m, n}, seed++);
          c.backward(up);
          // dA = up B^T (or its transpose), dB = A^T up (or its transpose).
          xt::xarray<double> da = reference_matmul(up, b, false, !tb);
          xt::xarray<double> db = reference_matmul(a, up, !ta, false);
          if (ta) da = xt::transpose(da);
          if (tb) db = xt::transpose(db);
          CHECK(test::all_close(ta64.grad(), da, 1e-12));
          CHECK(test::all_close(tb64.grad(), db, 1e-12));
        }
}

TEST_CASE("a split matmul repeats bit for bit with the same thread count", "[parallel]") {
  test::ForceThreads force(2);
  xt::xarray<float> a = test::random_array<float>({61, 97}, 1), b = test::random_array<float>({97, 45}, 2);
  Tensor x(a), y(b);
  const xt::xarray<float> first = matmul(x, y).value();
  for (int i = 0; i < 5; ++i) CHECK(bool(matmul(x, y).value() == first));
}
