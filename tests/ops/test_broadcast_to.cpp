// broadcast_to and sum_to: the shape errors (the values and gradients are rows of the op table).
#include "support/test_utils.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

TEST_CASE("broadcast_to and sum_to refuse shapes that do not broadcast, naming both", "[ops]") {
  Tensor64 x(xt::xarray<double>::from_shape({2, 3}), true);
  CHECK_THROWS_WITH(broadcast_to(x, {3, 3}), Contains("broadcast_to") && Contains("[2, 3]") && Contains("[3, 3]"));
  CHECK_THROWS_WITH(broadcast_to(x, {3}), Contains("broadcast_to") && Contains("[3]"));
  CHECK_THROWS_WITH(sum_to(x, {4}), Contains("sum_to") && Contains("[2, 3]") && Contains("[4]"));
  CHECK_THROWS_WITH(sum_to(x, {1, 2, 3}), Contains("sum_to") && Contains("[1, 2, 3]"));
  CHECK(sum_to(x, {2, 3}).is_same(x));
}
