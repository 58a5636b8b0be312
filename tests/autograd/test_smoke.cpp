#include "support/test_utils.hpp"

using namespace xgrad;

TEST_CASE("smoke: matmul + add backward", "[autograd]") {
  auto a = test::random_tensor({3, 4}, 1);
  auto b = test::random_tensor({4, 2}, 2);
  auto c = test::random_tensor({2}, 3);
  REQUIRE_GRADCHECK([](const std::vector<Tensor64>& in) { return matmul(in[0], in[1]) + in[2]; },
                    (std::vector<Tensor64>{a, b, c}));
}
