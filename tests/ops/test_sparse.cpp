// sparse_matmul and SparseRows: values by hand, against the dense product for every width the
// kernel treats differently, gradcheck in float64, every instruction set against the baseline,
// threads, and the errors.
#include <stdexcept>

#include "kernels/sparse_table.hpp"
#include "support/force_threads.hpp"
#include "support/isa_skip.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

/// A [rows, cols] array with about `density` of its entries non-zero, and an all-zero row 1.
xt::xarray<double> sparse_array(std::size_t rows, std::size_t cols, double density,
                                std::uint64_t seed) {
  xt::xarray<double> a = test::random_array<double>({rows, cols}, seed);
  const xt::xarray<double> keep = test::random_array<double>({rows, cols}, seed + 1, 0.0, 1.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (keep.data()[i] >= density || (rows > 1 && i / cols == 1)) a.data()[i] = 0.0;
  }
  return a;
}

}  // namespace

TEST_CASE("SparseRows keeps the non-zero entries row by row", "[ops][sparse]") {
  const xt::xarray<double> dense{{0.0, 2.0, 0.0}, {0.0, 0.0, 0.0}, {-1.0, 0.0, 3.0}};
  const SparseRows<double> a(dense);
  CHECK(a.rows() == 3);
  CHECK(a.cols() == 3);
  CHECK(a.nonzeros() == 3);
  CHECK(a.row_offsets() == std::vector<std::size_t>{0, 1, 1, 3});
  CHECK(a.columns() == std::vector<std::uint32_t>{1, 0, 2});
  CHECK(a.values() == std::vector<double>{2.0, -1.0, 3.0});
  CHECK(bool(a.to_dense() == dense));
}

TEST_CASE("sparse_matmul: values by hand", "[ops][sparse]") {
  const SparseRows<double> a(xt::xarray<double>{{0.0, 2.0, 0.0}, {0.0, 0.0, 0.0}, {-1.0, 0.0, 3.0}});
  const Tensor64 b(xt::xarray<double>{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  // Row 0: 2 * [3, 4]; row 1: nothing stored; row 2: -1 * [1, 2] + 3 * [5, 6].
  CHECK(bool(sparse_matmul(a, b).value() == xt::xarray<double>{{6.0, 8.0}, {0.0, 0.0}, {14.0, 16.0}}));
}

TEST_CASE("sparse_matmul equals the dense product for every output width", "[ops][sparse]") {
  // Widths below one vector (scalar sums), a partial last vector (the overlapping tail), and
  // several blocks of four vectors, in float32 and float64.
  for (std::size_t n : {1u, 3u, 4u, 8u, 11u, 16u, 35u, 100u, 129u}) {
    INFO("n = " << n);
    const xt::xarray<double> dense = sparse_array(9, 31, 0.3, n);
    const xt::xarray<double> bv = test::random_array<double>({31, n}, 100 + n);
    const xt::xarray<double> want = matmul(Tensor64(dense), Tensor64(bv)).value();
    CHECK(test::all_close(sparse_matmul(SparseRows<double>(dense), Tensor64(bv)).value(), want, 1e-13));
    const xt::xarray<float> got32 =
        sparse_matmul(SparseRows<float>(xt::xarray<float>(dense)), Tensor(xt::xarray<float>(bv))).value();
    CHECK(test::all_close(got32, want, 1e-5));
  }
}

TEST_CASE("sparse_matmul: gradcheck in float64 (b's gradient is a^T g)", "[ops][sparse][gradcheck]") {
  const SparseRows<double> a(sparse_array(7, 12, 0.4, 3));
  for (std::size_t n : {3u, 13u}) {
    auto f = [&](const std::vector<Tensor64>& in) { return reduce_sum(square(sparse_matmul(a, in[0]))); };
    REQUIRE_GRADCHECK(f, (std::vector<Tensor64>{test::random_tensor({12, n}, 5 + n)}));
  }
}

TEST_CASE("sparse_matmul: empty shapes and an all-zero matrix", "[ops][sparse]") {
  const Tensor64 b = test::random_tensor({4, 5}, 2);
  const Tensor64 zero_rows = sparse_matmul(SparseRows<double>(xt::zeros<double>({0, 4})), b);
  CHECK(zero_rows.shape() == Shape{0, 5});
  const Tensor64 all_zero = sparse_matmul(SparseRows<double>(xt::zeros<double>({3, 4})), b);
  CHECK(bool(all_zero.value() == xt::zeros<double>({3, 5})));
  reduce_sum(all_zero).backward();
  CHECK(bool(b.grad() == xt::zeros<double>({4, 5})));
  const Tensor64 no_cols = sparse_matmul(SparseRows<double>(xt::zeros<double>({3, 4})),
                                         Tensor64(xt::xarray<double>::from_shape({4, 0})));
  CHECK(no_cols.shape() == Shape{3, 0});
}

TEST_CASE("sparse_matmul: every instruction set agrees with the baseline",
          "[ops][sparse][simd][every_isa]") {
  const xt::xarray<float> dense = xt::xarray<float>(sparse_array(6, 40, 0.3, 9));
  const SparseRows<float> a(dense);
  for (std::size_t n : {5u, 21u, 100u}) {
    const xt::xarray<float> b = test::random_array<float>({40, n}, n);
    auto run = [&](kernels::Isa isa) {
      xt::xarray<float> out = xt::xarray<float>::from_shape({a.rows(), n});
      kernels::for_isa<kernels::SparseTable<float>>(isa).csr_times_dense(
          a.row_offsets().data(), a.columns().data(), a.values().data(), 0, a.rows(), b.data(), n,
          out.data());
      return out;
    };
    const xt::xarray<float> base = run(kernels::Isa::Baseline);
    for (kernels::Isa isa : {kernels::Isa::Avx2, kernels::Isa::Avx512}) {
      if (!test::cpu_has_or_skip(isa)) continue;
      CHECK(test::all_close(run(isa), base, 1e-5));
    }
  }
}

TEST_CASE("sparse_matmul: the same values on 1 and 2 threads", "[ops][sparse][parallel]") {
  const SparseRows<float> a(xt::xarray<float>(sparse_array(50, 30, 0.2, 4)));
  const Tensor b(test::random_array<float>({30, 20}, 8));
  const xt::xarray<float> one = sparse_matmul(a, b).value();
  test::ForceThreads two(2);
  CHECK(bool(sparse_matmul(a, b).value() == one));  // rows are independent: bit for bit
}

TEST_CASE("sparse_matmul and SparseRows: errors name the op and the shapes", "[ops][sparse][errors]") {
  const SparseRows<double> a(xt::zeros<double>({3, 4}));
  CHECK_THROWS_WITH(sparse_matmul(a, test::random_tensor({5, 2}, 1)),
                    Contains("sparse_matmul") && Contains("[3, 4]") && Contains("[5, 2]"));
  CHECK_THROWS_WITH(sparse_matmul(a, test::random_tensor({4}, 1)),
                    Contains("sparse_matmul") && Contains("[4]"));
  CHECK_THROWS_WITH(SparseRows<double>(xt::zeros<double>({2, 2, 2})),
                    Contains("SparseRows") && Contains("[2, 2, 2]"));
}
