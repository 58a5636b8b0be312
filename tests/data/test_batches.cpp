// Batches: seeded shuffling, epochs, drop_last, endless, layouts, buffer reuse.
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace xgrad;

namespace {

/// A small dataset whose example i has every pixel equal to i / 1000 and label i % 10,
/// so a batch row tells which example it came from.
data::Dataset tiny(std::size_t n, std::size_t rows = 2, std::size_t cols = 3) {
  data::Dataset d;
  d.rows = rows;
  d.cols = cols;
  d.images = xt::xarray<float>::from_shape({n, rows * cols});
  d.labels = xt::xarray<std::uint8_t>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < rows * cols; ++k) d.images(i, k) = float(i) / 1000.0f;
    d.labels(i) = std::uint8_t(i % 10);
  }
  return d;
}

std::size_t example_of(const data::Batch& b, std::size_t r) {
  return std::size_t(b.images.value().data()[r * (b.images.size() / b.size())] * 1000.0f + 0.5f);
}

/// Example ids of every batch of one epoch.
std::vector<std::vector<std::size_t>> epoch_ids(data::Batches& batches) {
  std::vector<std::vector<std::size_t>> out;
  for (auto& b : batches) {
    std::vector<std::size_t> ids;
    for (std::size_t r = 0; r < b.size(); ++r) ids.push_back(example_of(b, r));
    out.push_back(ids);
  }
  return out;
}

}  // namespace

TEST_CASE("Batches: the same seed gives the same batches, another seed others", "[data][batches]") {
  auto d = tiny(50);
  data::Batches a(d, 8, 42), b(d, 8, 42), c(d, 8, 43);
  for (int epoch = 0; epoch < 3; ++epoch) {
    auto ea = epoch_ids(a), eb = epoch_ids(b), ec = epoch_ids(c);
    CHECK(ea == eb);
    CHECK(ea != ec);
  }
}

TEST_CASE("Batches: every epoch covers every example exactly once, in a new order",
          "[data][batches]") {
  auto d = tiny(47);
  data::Batches batches(d, 10, 7);
  CHECK(batches.batches_per_epoch() == 5);
  std::vector<std::size_t> previous;
  for (std::size_t epoch = 0; epoch < 4; ++epoch) {
    std::vector<std::size_t> seen;
    std::size_t count = 0;
    for (auto& b : batches) {
      CHECK(b.epoch == epoch);
      CHECK(b.index == count);
      CHECK(b.size() == (count < 4 ? 10u : 7u));
      for (std::size_t r = 0; r < b.size(); ++r) seen.push_back(example_of(b, r));
      ++count;
    }
    CHECK(count == 5);
    CHECK(batches.epochs_started() == epoch + 1);
    std::vector<std::size_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> all(47);
    for (std::size_t i = 0; i < 47; ++i) all[i] = i;
    CHECK(sorted == all);
    CHECK(seen != all);       // shuffled
    CHECK(seen != previous);  // reshuffled each epoch
    previous = seen;
  }
  CHECK(batches.steps() == 20);
}

TEST_CASE("Batches: labels are one-hot and match images and label_ids", "[data][batches]") {
  auto d = tiny(23);
  d.num_classes = 10;
  for (auto& b : data::Batches(d, 6, 3)) {
    REQUIRE(b.labels.shape() == Shape{b.size(), 10});
    REQUIRE(b.label_ids.shape() == std::vector<std::size_t>{b.size()});
    REQUIRE(b.images.shape() == Shape{b.size(), 6});
    CHECK_FALSE(b.images.requires_grad());
    for (std::size_t r = 0; r < b.size(); ++r) {
      const std::size_t i = example_of(b, r);
      CHECK(b.label_ids(r) == i % 10);
      for (std::size_t k = 0; k < 10; ++k) {
        CHECK(b.labels.value()(r, k) == (k == i % 10 ? 1.0f : 0.0f));
      }
      for (std::size_t k = 0; k < 6; ++k) CHECK(b.images.value()(r, k) == d.images(i, k));
    }
  }
}

TEST_CASE("Batches: drop_last skips the short batch", "[data][batches]") {
  auto d = tiny(47);
  data::Batches batches(d, 10, 1, data::BatchOptions().drop_last(true));
  CHECK(batches.batches_per_epoch() == 4);
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::size_t n = 0;
    for (auto& b : batches) {
      CHECK(b.size() == 10);
      ++n;
    }
    CHECK(n == 4);
  }
  REQUIRE_THROWS_AS(data::Batches(d, 48, 1, data::BatchOptions().drop_last(true)),
                    std::invalid_argument);
  REQUIRE_THROWS_AS(data::Batches(d, 0, 1), std::invalid_argument);
}

TEST_CASE("Batches: endless mode runs across epochs, each epoch complete", "[data][batches]") {
  auto d = tiny(12);
  data::Batches batches(d, 5, 9, data::BatchOptions().endless(true));
  data::Batch b;
  std::map<std::size_t, std::multiset<std::size_t>> per_epoch;
  for (int step = 0; step < 3 * 3; ++step) {  // 3 batches per epoch (5, 5, 2)
    REQUIRE(batches.next(b));
    CHECK(b.step == std::size_t(step));
    for (std::size_t r = 0; r < b.size(); ++r) per_epoch[b.epoch].insert(example_of(b, r));
  }
  REQUIRE(per_epoch.size() == 3);
  for (auto& [epoch, ids] : per_epoch) {
    CHECK(ids.size() == 12);
    CHECK(std::set<std::size_t>(ids.begin(), ids.end()).size() == 12);
  }
  // A range-for over an endless Batches keeps going until break.
  int n = 0;
  for (auto& batch : batches) {
    (void)batch;
    if (++n == 10) break;
  }
  CHECK(n == 10);
}

TEST_CASE("Batches: shuffle(false) keeps file order", "[data][batches]") {
  auto d = tiny(11);
  data::Batches batches(d, 4, 0, data::BatchOptions().shuffle(false));
  auto e = epoch_ids(batches);
  REQUIRE(e.size() == 3);
  CHECK(e[0] == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(e[2] == std::vector<std::size_t>{8, 9, 10});
}

TEST_CASE("Batches: NHWC layout", "[data][batches]") {
  auto d = tiny(9, 4, 5);
  data::Batches batches(d, 4, 2, data::BatchOptions().layout(data::Layout::NHWC));
  data::Batch b;
  REQUIRE(batches.next(b));
  REQUIRE(b.images.shape() == Shape{4, 4, 5, 1});
  const std::size_t i = std::size_t(b.images.value()(1, 0, 0, 0) * 1000.0f + 0.5f);
  CHECK(b.images.value()(1, 3, 4, 0) == d.images(i, 19));
}

TEST_CASE("Batches: arrays are reused when free, never overwritten when still held",
          "[data][batches]") {
  auto d = tiny(40);
  data::Batches batches(d, 10, 5);
  data::Batch b;
  REQUIRE(batches.next(b));
  const float* first_buffer = b.images.value().data();
  REQUIRE(batches.next(b));
  CHECK(b.images.value().data() == first_buffer);  // nothing else held it: reused

  data::Batch kept = b;  // shares the tensors
  const xt::xarray<float> kept_images = kept.images.value();
  const xt::xarray<float> kept_labels = kept.labels.value();
  REQUIRE(batches.next(b));
  CHECK(b.images.value().data() != kept.images.value().data());
  CHECK((kept.images.value() == kept_images));  // the kept batch is intact
  CHECK((kept.labels.value() == kept_labels));

  // A tensor handed to the graph (e.g. detach() sharing the value) is not overwritten either.
  Tensor alias = b.images.detach();
  const xt::xarray<float> alias_value = alias.value();
  REQUIRE(batches.next(b));
  CHECK((alias.value() == alias_value));
}

TEST_CASE("Batches: owns a dataset passed as an rvalue", "[data][batches]") {
  std::size_t n = 0;
  for (auto& b : data::Batches(tiny(25), 10, 1)) n += b.size();
  CHECK(n == 25);
}

TEST_CASE("Batches: the shuffle is pinned (platform-independent)", "[data][batches]") {
  std::mt19937_64 rng(1);
  std::vector<std::size_t> v(10);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  data::shuffle_indices(v, rng);
  // Our own Fisher-Yates over std::mt19937_64 (fully specified by the standard), not
  // std::shuffle: this order must be the same with libstdc++, libc++ and MSVC.
  CHECK(v == std::vector<std::size_t>{1, 7, 3, 9, 4, 0, 5, 2, 6, 8});
  std::mt19937_64 r2(3);
  for (int i = 0; i < 1000; ++i) REQUIRE(data::uniform_below(r2, 7) < 7);
  REQUIRE_THROWS(data::uniform_below(r2, 0));
}

TEST_CASE("Batches: bad arguments are refused, saying which and why", "[data][batches][errors]") {
  using Catch::Matchers::Contains;
  auto d = tiny(47);
  REQUIRE_THROWS_WITH(data::Batches(d, 0, 1), Contains("Batches") && Contains("batch_size"));
  REQUIRE_THROWS_WITH(data::Batches(d, 48, 1, data::BatchOptions().drop_last(true)),
                      Contains("batch_size 48") && Contains("dataset size 47"));
  REQUIRE_THROWS_WITH(data::Batches(tiny(0), 4, 1), Contains("Batches") && Contains("empty"));
  auto bad = tiny(5);
  bad.images = xt::zeros<float>({5, 7});  // 7 values per example, the dataset says 2 x 3
  REQUIRE_THROWS_WITH(data::Batches(bad, 4, 1), Contains("5 examples of 6 values"));
}

TEST_CASE("Batches: shard gives each rank its slice of the single-process batches", "[data][batches]") {
  const data::Dataset d = tiny(23);
  const std::size_t batch = 10, ranks = 4;  // batches of 10, 10, 3: slices 3,3,2,2 and 1,1,1,0
  data::Batches whole(d, batch, 7);
  const auto expected = epoch_ids(whole);
  std::vector<std::vector<std::vector<std::size_t>>> per_rank;
  for (std::size_t r = 0; r < ranks; ++r) {
    data::Batches part(d, batch, 7, data::BatchOptions().shard(r, ranks));
    std::vector<std::vector<std::size_t>> batches;
    data::Batch b;
    while (part.next(b)) {
      CHECK(b.global_size == std::min<std::size_t>(batch, 23 - b.index * batch));
      std::vector<std::size_t> ids;
      for (std::size_t i = 0; i < b.size(); ++i) ids.push_back(example_of(b, i));
      batches.push_back(ids);
    }
    per_rank.push_back(batches);
  }
  REQUIRE(per_rank[0].size() == expected.size());
  const std::vector<std::vector<std::size_t>> sizes{{3, 3, 2, 2}, {3, 3, 2, 2}, {1, 1, 1, 0}};
  for (std::size_t k = 0; k < expected.size(); ++k) {
    std::vector<std::size_t> joined;
    for (std::size_t r = 0; r < ranks; ++r) {
      CHECK(per_rank[r][k].size() == sizes[k][r]);
      joined.insert(joined.end(), per_rank[r][k].begin(), per_rank[r][k].end());
    }
    CHECK(joined == expected[k]);
  }
  REQUIRE_THROWS_WITH(data::BatchOptions().shard(4, 4), Catch::Contains("rank 4 is not below"));
}
