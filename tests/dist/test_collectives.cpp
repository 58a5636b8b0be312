// Collectives on tensors against values every rank can compute itself.
#include <catch2/catch.hpp>
#include <xgrad/dist/collectives.hpp>

#include "world.hpp"

using namespace xgrad;

TEMPLATE_TEST_CASE("dist collectives: broadcast, all_reduce sum and mean, all_gather", "[dist]",
                   float, double) {
  using T = TestType;
  const auto& w = world();
  const int r = w.rank(), n = w.size();
  BasicTensor<T> b(xt::xarray<T>{T(r), T(10 * r + 1)});
  dist::broadcast(w, b, n - 1);
  const bool root_value = b.value() == xt::xarray<T>{T(n - 1), T(10 * (n - 1) + 1)};
  CHECK(root_value);

  BasicTensor<T> s(xt::xarray<T>{{T(r), T(1)}, {T(2 * r), T(-r)}});
  dist::all_reduce(w, s, dist::Reduce::Sum);
  const T tri = T(n * (n - 1) / 2);  // 0 + 1 + ... + (n - 1)
  const bool summed = s.value() == xt::xarray<T>{{tri, T(n)}, {2 * tri, -tri}};
  CHECK(summed);
  BasicTensor<T> m(xt::xarray<T>{T(r)});
  dist::all_reduce(w, m, dist::Reduce::Mean);
  CHECK(m.value()(0) == Approx(double(tri) / n));

  // Rank r contributes r rows of [r, r]: rank 0 none.
  xt::xarray<T> mine = xt::xarray<T>::from_shape({std::size_t(r), std::size_t(2)});
  mine.fill(T(r));
  const xt::xarray<T> all = dist::all_gather(w, mine);
  REQUIRE(all.shape(0) == std::size_t(tri));
  std::size_t row = 0;
  for (int k = 0; k < n; ++k) {
    for (int i = 0; i < k; ++i, ++row) CHECK(all(row, 1) == T(k));
  }
}

TEST_CASE("dist collectives: shape mismatches and MPI errors throw with a message", "[dist]") {
  const auto& w = world();
  xt::xarray<float> v = xt::zeros<float>({std::size_t(w.rank() == 0 ? 2 : 3)});
  REQUIRE_THROWS_WITH(dist::broadcast(w, v, 0), Catch::Contains("dist::broadcast") &&
                                                    Catch::Contains("[2]"));
  REQUIRE_THROWS_WITH(dist::all_reduce(w, v), Catch::Contains("dist::all_reduce"));
  // An invalid root: MPI's own error string, not an abort.
  int x = 0;
  REQUIRE_THROWS_WITH(dist::check(MPI_Bcast(&x, 1, MPI_INT, w.size() + 5, w.comm()), "MPI_Bcast"),
                      Catch::StartsWith("MPI_Bcast: ") && Catch::Contains("root"));
}
