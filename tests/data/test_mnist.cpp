// MNIST loading on small generated files: scaling, labels, splits, errors, helpers.
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>
#include <xtensor/xview.hpp>

#include <filesystem>

#include "data/idx_fixtures.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;
using xgrad::test::TempDir;

namespace {
constexpr std::size_t kTrain = 30, kTest = 12, kVal = 5;
}

TEST_CASE("load_mnist: pixels scaled to [0, 1], labels kept, split sizes", "[data][mnist]") {
  TempDir tmp;
  const bool gzip = GENERATE(true, false);
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest, gzip);
  const std::string dir = tmp.path().string();

  auto train = data::load_mnist(dir, data::Split::Train, kVal);
  auto val = data::load_mnist(dir, data::Split::Validation, kVal);
  auto test_set = data::load_mnist(dir, data::Split::Test, kVal);

  CHECK(train.size() == kTrain - kVal);
  CHECK(val.size() == kVal);
  CHECK(test_set.size() == kTest);
  CHECK(train.images.shape() == std::vector<std::size_t>{kTrain - kVal, 784});
  CHECK(val.images.shape() == std::vector<std::size_t>{kVal, 784});
  CHECK(test_set.images.shape() == std::vector<std::size_t>{kTest, 784});
  CHECK(train.features() == 784);
  CHECK(train.num_classes == 10);

  CHECK(xt::amin(train.images)() == 0.0f);
  CHECK(xt::amax(train.images)() == 1.0f);
  for (float v : test_set.images) {
    REQUIRE(v >= 0.0f);
    REQUIRE(v <= 1.0f);
  }
  // Exact scaling: byte / 255.
  CHECK(val.images(0, 0) == 0.0f);
  CHECK(val.images(0, 1) == 1.0f);
  CHECK(val.images(2, 100) == Approx(test::pixel(2, 100) / 255.0f));
  CHECK(test_set.labels(0) == test::label_of(1));  // test labels are offset by one
  CHECK_THAT(train.description, Contains("train"));
}

TEST_CASE("load_mnist: validation is the first examples of the training file, train the rest "
          "(TensorFlow read_data_sets)",
          "[data][mnist]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  auto train = data::load_mnist(tmp.path().string(), data::Split::Train, kVal);
  auto val = data::load_mnist(tmp.path().string(), data::Split::Validation, kVal);
  for (std::size_t i = 0; i < kVal; ++i) {
    CHECK(val.labels(i) == test::label_of(i));
    CHECK(val.images(i, 50) == Approx(test::pixel(i, 50) / 255.0f));
  }
  for (std::size_t i = 0; i < kTrain - kVal; ++i) {
    CHECK(train.labels(i) == test::label_of(kVal + i));
    CHECK(train.images(i, 77) == Approx(test::pixel(kVal + i, 77) / 255.0f));
  }
}

TEST_CASE("load_idx_dataset: an explicit range of examples", "[data][mnist]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  auto files = data::mnist_files(tmp.path().string(), data::Split::Train);
  CHECK_THAT(files.images, Contains("train-images-idx3-ubyte.gz"));
  auto ds = data::load_idx_dataset(files.images, files.labels, 10, 4);
  REQUIRE(ds.size() == 4);
  CHECK(ds.labels(0) == test::label_of(10));
  auto rest = data::load_idx_dataset(files.images, files.labels, 25);
  CHECK(rest.size() == 5);
  REQUIRE_THROWS_WITH(data::load_idx_dataset(files.images, files.labels, 28, 4),
                      Contains(files.images) && Contains("28..32"));
}

TEST_CASE("load_mnist: a missing file is an error naming it", "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  std::filesystem::remove(tmp / "t10k-labels-idx1-ubyte.gz");
  REQUIRE_THROWS_WITH(data::load_mnist(tmp.path().string(), data::Split::Test, kVal),
                      Contains(tmp / "t10k-labels-idx1-ubyte.gz") && Contains("cannot open"));
  CHECK_FALSE(data::has_mnist_files(tmp.path().string()));
  // The training split is still loadable.
  CHECK(data::load_mnist(tmp.path().string(), data::Split::Train, kVal).size() == kTrain - kVal);
}

TEST_CASE("load_mnist: image/label count mismatch names both files", "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  test::write_gzip(tmp / "train-labels-idx1-ubyte.gz", test::labels_file(kTrain - 1));
  REQUIRE_THROWS_WITH(
      data::load_mnist(tmp.path().string(), data::Split::Train, kVal),
      Contains(tmp / "train-images-idx3-ubyte.gz") && Contains(tmp / "train-labels-idx1-ubyte.gz") &&
          Contains("30 images") && Contains("29 labels"));
}

TEST_CASE("load_mnist: images that are not 28x28 are an error naming the file",
          "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  test::write_gzip(tmp / "t10k-images-idx3-ubyte.gz", test::images_file(kTest, 28, 27));
  REQUIRE_THROWS_WITH(data::load_mnist(tmp.path().string(), data::Split::Test, kVal),
                      Contains(tmp / "t10k-images-idx3-ubyte.gz") && Contains("28x27") &&
                          Contains("expected 28x28"));
}

TEST_CASE("load_mnist: dimensions that disagree with the file length", "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  // Header says 13 images but only 12 images' bytes follow.
  auto bytes = test::idx_bytes(2051, {13, 28, 28}, test::image_data(12));
  test::write_gzip(tmp / "t10k-images-idx3-ubyte.gz", bytes);
  REQUIRE_THROWS_WITH(data::load_mnist(tmp.path().string(), data::Split::Test, kVal),
                      Contains(tmp / "t10k-images-idx3-ubyte.gz") && Contains("[13, 28, 28]") &&
                          Contains("truncated"));
}

TEST_CASE("load_mnist: a label outside 0..9 is an error naming the file", "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  auto labels = test::label_data(kTest);
  labels[4] = 10;
  test::write_gzip(tmp / "t10k-labels-idx1-ubyte.gz", test::idx_bytes(2049, {kTest}, labels));
  REQUIRE_THROWS_WITH(data::load_mnist(tmp.path().string(), data::Split::Test, kVal),
                      Contains(tmp / "t10k-labels-idx1-ubyte.gz") && Contains("label 10") &&
                          Contains("example 4"));
}

TEST_CASE("load_mnist: a validation size that leaves no training data is an error",
          "[data][mnist][errors]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  REQUIRE_THROWS_WITH(data::load_mnist(tmp.path().string(), data::Split::Train),
                      Contains(tmp / "train-images-idx3-ubyte.gz") && Contains("30") &&
                          Contains("5000"));
  REQUIRE_THROWS_AS(data::load_mnist(tmp.path().string(), data::Split::Validation, 0),
                    std::invalid_argument);
  // The test split does not depend on the validation size.
  CHECK(data::load_mnist(tmp.path().string(), data::Split::Test).size() == kTest);
}

TEST_CASE("one_hot: one 1 per row at the label", "[data][mnist]") {
  xt::xarray<std::uint8_t> labels = {3, 0, 9, 3};
  auto oh = data::one_hot(labels, 10);
  REQUIRE(oh.shape() == std::vector<std::size_t>{4, 10});
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t k = 0; k < 10; ++k) CHECK(oh(i, k) == (k == labels(i) ? 1.0f : 0.0f));
  }
  CHECK(data::one_hot(xt::xarray<std::uint8_t>::from_shape({0}), 10).shape() ==
        std::vector<std::size_t>{0, 10});
  REQUIRE_THROWS_WITH(data::one_hot(labels, 5), Contains("label 9") && Contains("position 2"));
}

TEST_CASE("as_nhwc / as_flat: [N, 784] <-> [N, 28, 28, 1] keeps row-major pixels",
          "[data][mnist]") {
  xt::xarray<float> flat = xt::xarray<float>::from_shape({3, 784});
  for (std::size_t i = 0; i < flat.size(); ++i) flat.data()[i] = float(i);
  auto nhwc = data::as_nhwc(flat);
  REQUIRE(nhwc.shape() == std::vector<std::size_t>{3, 28, 28, 1});
  CHECK(nhwc(1, 2, 3, 0) == flat(1, 2 * 28 + 3));
  auto back = data::as_flat(nhwc);
  CHECK((back == flat));
  CHECK(data::as_nhwc(flat, 14, 28, 2).shape() == std::vector<std::size_t>{3, 14, 28, 2});
  REQUIRE_THROWS_WITH(data::as_nhwc(flat, 28, 27), Contains("[3, 784]") && Contains("28x27x1"));
}

TEST_CASE("find_dataset_dir: data/mnist up the tree, else Fashion-MNIST, said plainly",
          "[data][mnist]") {
  TempDir tmp;
  test::ScopedEnv no_mnist_env("XGRAD_MNIST_DIR", nullptr);
  test::ScopedEnv no_fashion_env("XGRAD_FASHION_MNIST_DIR", nullptr);
  const std::string root = tmp.path().string();
  std::filesystem::create_directories(tmp / "build/sub");

  SECTION("nothing there and no fallback: the error lists where it looked") {
    REQUIRE_THROWS_WITH(data::find_dataset_dir(tmp / "build/sub", /*allow_fashion=*/false),
                        Contains(tmp / "build/sub/data/mnist") && Contains(tmp / "data/mnist") &&
                            Contains("fetch_mnist.sh"));
  }
  SECTION("Fashion-MNIST when MNIST is missing") {
    test::write_mnist_dir(tmp / "data/fashion-mnist", 3, 2);
    auto loc = data::find_dataset_dir(tmp / "build/sub");
    CHECK(loc.is_fashion);
    CHECK(loc.name == "Fashion-MNIST");
    CHECK(loc.dir == tmp / "data/fashion-mnist");
    CHECK_THAT(loc.message, Contains("MNIST is unavailable") && Contains("Fashion-MNIST") &&
                                Contains(tmp / "data/mnist"));
  }
  SECTION("MNIST found from a sub-folder wins over Fashion-MNIST") {
    test::write_mnist_dir(tmp / "data/fashion-mnist", 3, 2);
    test::write_mnist_dir(tmp / "data/mnist", 3, 2, /*gzip=*/false);
    auto loc = data::find_dataset_dir(tmp / "build/sub");
    CHECK_FALSE(loc.is_fashion);
    CHECK(loc.name == "MNIST");
    CHECK(loc.dir == tmp / "data/mnist");
    CHECK(loc.searched.front() == tmp / "build/sub/data/mnist");
  }
  SECTION("an incomplete data/mnist does not count") {
    test::write_mnist_dir(tmp / "data/mnist", 3, 2);
    std::filesystem::remove(tmp / "data/mnist/train-labels-idx1-ubyte.gz");
    REQUIRE_THROWS(data::find_dataset_dir(root, false));
  }
  SECTION("XGRAD_MNIST_DIR comes first") {
    test::write_mnist_dir(tmp / "elsewhere", 3, 2);
    test::write_mnist_dir(tmp / "data/mnist", 3, 2);
    test::ScopedEnv env("XGRAD_MNIST_DIR", (tmp / "elsewhere").c_str());
    CHECK(data::find_dataset_dir(root).dir == tmp / "elsewhere");
  }
}

TEST_CASE("subset: a copy of a range of examples", "[data][mnist]") {
  TempDir tmp;
  test::write_mnist_dir(tmp.path().string(), kTrain, kTest);
  auto test_set = data::load_mnist(tmp.path().string(), data::Split::Test, kVal);
  auto head = data::subset(test_set, 2, 3);
  REQUIRE(head.size() == 3);
  REQUIRE(head.images.shape() == std::vector<std::size_t>{3, 784});
  CHECK(head.labels(0) == test_set.labels(2));
  CHECK(head.images(2, 400) == test_set.images(4, 400));
  CHECK(data::subset(test_set, kTest, 0).size() == 0);
  REQUIRE_THROWS_AS(data::subset(test_set, 10, 3), std::out_of_range);
}
