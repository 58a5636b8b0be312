// The real MNIST (and Fashion-MNIST) files, when this machine has them; skipped otherwise.
//
// MNIST is looked for in $XGRAD_MNIST_DIR, then ../shared/data/mnist next to the checkout
// (XGRAD_SOURCE_DIR, the checkout CMake configured), then the checkout's data/mnist.
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>

#include <cstdlib>
#include <filesystem>

#include "support/skip.hpp"

namespace fs = std::filesystem;
using namespace xgrad;

namespace {

std::string real_mnist_dir() {
  if (const char* env = std::getenv("XGRAD_MNIST_DIR"); env && *env) return env;
  const fs::path repo = XGRAD_SOURCE_DIR;
  for (const fs::path& dir : {repo / ".." / "shared" / "data" / "mnist", repo / "data" / "mnist"}) {
    if (data::has_mnist_files(dir.string())) return dir.lexically_normal().string();
  }
  return "";
}

}  // namespace

TEST_CASE("MNIST (real files): split sizes 55000/5000/10000, first test label 7",
          "[data][mnist][real]") {
  const std::string dir = real_mnist_dir();
  if (dir.empty()) {
    return test::skip("MNIST not found (set XGRAD_MNIST_DIR or provide ../shared/data/mnist)");
  }
  INFO("MNIST from " << dir);
  auto train = data::load_mnist(dir, data::Split::Train);
  auto val = data::load_mnist(dir, data::Split::Validation);
  auto test_set = data::load_mnist(dir, data::Split::Test);
  CHECK(train.size() == 55000);
  CHECK(val.size() == 5000);
  CHECK(test_set.size() == 10000);
  CHECK(train.images.shape() == std::vector<std::size_t>{55000, 784});
  CHECK(test_set.images.shape() == std::vector<std::size_t>{10000, 784});
  CHECK(test_set.labels(0) == 7);
  CHECK(test_set.labels(1) == 2);
  CHECK(val.labels(0) == 5);    // the first training image is a 5
  CHECK(train.labels(0) == 7);  // training example 5000
  CHECK(xt::amin(test_set.images)() == 0.0f);
  CHECK(xt::amax(test_set.images)() == 1.0f);

  // One pass of batches over the test set sees every example once.
  std::size_t seen = 0, sevens = 0;
  for (auto& b : data::Batches(test_set, 1000, 0)) {
    seen += b.size();
    for (std::size_t r = 0; r < b.size(); ++r) sevens += b.label_ids(r) == 7;
  }
  CHECK(seen == 10000);
  CHECK(sevens == 1028);
}

TEST_CASE("Fashion-MNIST (Debian's dataset-fashion-mnist): counts, first test label 9",
          "[data][mnist][real]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!data::has_mnist_files(dir)) {
    return test::skip("Fashion-MNIST not installed (apt install dataset-fashion-mnist)");
  }
  auto train = data::load_mnist(dir, data::Split::Train);
  auto test_set = data::load_mnist(dir, data::Split::Test);
  CHECK(train.size() == 55000);
  CHECK(test_set.size() == 10000);
  CHECK(test_set.labels(0) == 9);  // ankle boot
}
