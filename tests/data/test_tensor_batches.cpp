// TensorDataset / TensorBatches: any example shape, int64 class ids or float targets, and the
// same batches as the MNIST Batches for an MNIST dataset.
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>

#include <cmath>

#include <xtensor/xview.hpp>

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

/// Example i: features all i (shape [2, 3, 2]); class i % 300.
data::TensorDataset shaped(std::size_t n, std::size_t classes = 300) {
  xt::xarray<float> x = xt::xarray<float>::from_shape({n, 2, 3, 2});
  xt::xarray<std::int64_t> y = xt::xarray<std::int64_t>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 12; ++k) x.data()[i * 12 + k] = float(i);
    y(i) = std::int64_t(i % classes);
  }
  return data::TensorDataset::classification(x, y, classes, "shaped");
}

data::Dataset mnist_like(std::size_t n) {
  data::Dataset d;
  d.rows = 2;
  d.cols = 3;
  d.images = xt::xarray<float>::from_shape({n, 6});
  d.labels = xt::xarray<std::uint8_t>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 6; ++k) d.images(i, k) = float(i * 6 + k) / 1000.0f;
    d.labels(i) = std::uint8_t((i * 7) % 10);
  }
  return d;
}

}  // namespace

TEST_CASE("TensorBatches: an MNIST dataset gives the same batches as Batches", "[data][tensor_batches]") {
  const data::Dataset m = mnist_like(53);
  const data::TensorDataset t = data::to_tensor_dataset(m);
  REQUIRE(t.size() == 53);
  REQUIRE(t.num_classes == 10);
  for (auto options : {data::BatchOptions(), data::BatchOptions().drop_last(true),
                       data::BatchOptions().endless(true), data::BatchOptions().shard(1, 3)}) {
    data::Batches old(m, 8, 11, options);
    data::TensorBatches now(t, 8, 11, data::BatchOptions(options).one_hot(true));
    data::Batch a;
    data::TensorBatch b;
    for (int step = 0; step < 20; ++step) {
      const bool more = old.next(a);
      REQUIRE(now.next(b) == more);
      if (!more) continue;
      REQUIRE(a.size() == b.size());
      CHECK(a.epoch == b.epoch);
      CHECK(a.index == b.index);
      CHECK(a.step == b.step);
      CHECK(a.global_size == b.global_size);
      CHECK((a.images.value() == b.features.value()));
      CHECK((a.labels.value() == b.one_hot.value()));
      for (std::size_t r = 0; r < a.size(); ++r) CHECK(std::int64_t(a.label_ids(r)) == b.classes(r));
    }
  }
  // The rvalue conversion moves the images instead of copying them.
  data::Dataset moved = mnist_like(53);
  const float* images = moved.images.data();
  data::TensorDataset t2 = data::to_tensor_dataset(std::move(moved));
  CHECK(t2.features.data() == images);
}

TEST_CASE("TensorBatches: keeps the example shape, 300 classes, one-hot on request", "[data][tensor_batches]") {
  auto d = shaped(700);
  data::TensorBatches plain(d, 64, 3);
  data::TensorBatch b;
  REQUIRE(plain.next(b));
  CHECK(b.features.shape() == Shape{64, 2, 3, 2});
  CHECK_FALSE(b.one_hot.defined());
  REQUIRE(b.classes.size() == 64);
  for (std::size_t r = 0; r < 64; ++r) {
    const std::size_t row = b.rows[r];
    CHECK(b.features.value().data()[r * 12 + 11] == float(row));
    CHECK(b.classes(r) == std::int64_t(row % 300));
  }
  data::TensorBatches hot(d, 64, 3, data::BatchOptions().one_hot(true));
  REQUIRE(hot.next(b));
  REQUIRE(b.one_hot.shape() == Shape{64, 300});
  for (std::size_t r = 0; r < 64; ++r) {
    float sum = 0;
    for (std::size_t c = 0; c < 300; ++c) sum += b.one_hot.value()(r, c);
    CHECK(sum == 1.0f);
    CHECK(b.one_hot.value()(r, std::size_t(b.classes(r))) == 1.0f);
  }
}

TEST_CASE("TensorBatches: regression targets follow their rows", "[data][tensor_batches]") {
  const std::size_t n = 30;
  xt::xarray<float> x = xt::xarray<float>::from_shape({n, 3});
  xt::xarray<float> y = xt::xarray<float>::from_shape({n, 2});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) x(i, k) = float(i);
    y(i, 0) = float(i) * 10;
    y(i, 1) = -float(i);
  }
  data::TensorBatches batches(data::TensorDataset::regression(x, y), 7, 5);
  std::size_t seen = 0;
  for (auto& b : batches) {
    CHECK(b.classes.dimension() == 0);  // no class ids in a regression batch
    REQUIRE(b.targets.shape() == Shape{b.size(), 2});
    for (std::size_t r = 0; r < b.size(); ++r) {
      CHECK(b.targets.value()(r, 0) == b.features.value()(r, 0) * 10);
      CHECK(b.targets.value()(r, 1) == -b.features.value()(r, 0));
    }
    seen += b.size();
  }
  CHECK(seen == n);
  // [N] targets give [B] batches.
  data::TensorBatches flat(data::TensorDataset::regression(x, xt::xarray<float>(xt::view(y, xt::all(), 0))), 4, 1);
  data::TensorBatch b;
  REQUIRE(flat.next(b));
  CHECK(b.targets.shape() == Shape{4});
}

TEST_CASE("TensorBatches: arrays reused when free, and a transform runs on every batch", "[data][tensor_batches]") {
  auto d = shaped(40);
  data::TensorBatches batches(d, 8, 1, data::BatchOptions().one_hot(true));
  data::TensorBatch b;
  REQUIRE(batches.next(b));
  const float* features = b.features.value().data();
  const float* hot = b.one_hot.value().data();
  REQUIRE(batches.next(b));
  CHECK(b.features.value().data() == features);
  CHECK(b.one_hot.value().data() == hot);
  data::TensorBatch kept = b;
  REQUIRE(batches.next(b));
  CHECK(b.features.value().data() != kept.features.value().data());

  std::vector<std::size_t> steps;
  batches.set_transform([&](data::TensorBatch& t) {
    steps.push_back(t.step);
    t.features.value() *= 2.0f;
  });
  REQUIRE(batches.next(b));
  CHECK(b.features.value().data()[0] == 2.0f * float(b.rows[0]));
  CHECK(steps == std::vector<std::size_t>{3});
}

TEST_CASE("TensorDataset: bad datasets are refused, saying what is wrong", "[data][tensor_batches][errors]") {
  xt::xarray<float> x = xt::zeros<float>({4, 3});
  xt::xarray<std::int64_t> y{0, 1, 2, 3};
  REQUIRE_THROWS_WITH(data::TensorDataset::classification(x, y, 3, "toy"),
                      Contains("toy") && Contains("class id 3 of example 3 is not in [0, 3)"));
  REQUIRE_THROWS_WITH(data::TensorDataset::classification(x, xt::xarray<std::int64_t>{0, 1}),
                      Contains("classes must be [4]") && Contains("[2]"));
  REQUIRE_THROWS_WITH(data::TensorDataset::classification(x, xt::xarray<std::int64_t>{0, -1, 0, 0}),
                      Contains("class id -1"));
  REQUIRE_THROWS_WITH(data::TensorDataset::regression(x, xt::zeros<float>({5})),
                      Contains("targets must be [4, ...]") && Contains("[5]"));
  xt::xarray<float> nan = x;
  nan(2, 1) = std::nanf("");
  REQUIRE_THROWS_WITH(data::TensorDataset::regression(nan, xt::zeros<float>({4})),
                      Contains("example 2 is not finite"));
  auto reg = data::TensorDataset::regression(x, xt::zeros<float>({4}));
  REQUIRE_THROWS_WITH(data::TensorBatches(reg, 2, 1, data::BatchOptions().one_hot(true)),
                      Contains("one_hot") && Contains("class ids"));
  REQUIRE_THROWS_WITH(data::TensorBatches(reg, 0, 1), Contains("batch_size"));
  REQUIRE_THROWS_WITH(data::select_rows(reg, {0, 4}), Contains("row 4") && Contains("4 examples"));
}
