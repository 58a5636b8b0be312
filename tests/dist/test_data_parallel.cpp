// DataParallel: n ranks x B/n examples train the same model as 1 process x B.
#include <catch2/catch.hpp>
#include <xgrad/data/data.hpp>
#include <xgrad/dist/dist.hpp>
#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>
#include <xgrad/optim/optim.hpp>
#include <xgrad/xgrad.hpp>

#include <cstring>
#include <random>

#include "world.hpp"

using namespace xgrad;

namespace {

enum class Norm { Plain, Sync };
enum class Net { Mlp, Conv };

constexpr std::size_t kGlobalBatch = 60, kSteps = 200;

data::Dataset random_dataset(std::size_t n, std::size_t side, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  std::uniform_int_distribution<int> digit(0, 9);
  data::Dataset d;
  d.rows = d.cols = side;
  d.images = xt::xarray<float>::from_shape({n, side * side});
  d.labels = xt::xarray<std::uint8_t>::from_shape({n});
  for (auto& v : d.images) v = pixel(rng);
  for (auto& l : d.labels) l = std::uint8_t(digit(rng));
  return d;
}

std::shared_ptr<nn::Module> batch_norm(std::size_t f, float decay, Norm norm) {
  const auto options = nn::BatchNormOptions(f).decay(decay).eps(1e-3f);
  if (norm == Norm::Sync) return std::make_shared<dist::SyncBatchNorm>(options, world());
  return std::make_shared<nn::BatchNorm>(options);
}

// Experiment 1's BN MLP (784-100-100-10, sigmoid) or a small BN conv net on 8x8 images.
std::shared_ptr<nn::Sequential> make_net(Net net, Norm norm, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto m = std::make_shared<nn::Sequential>();
  if (net == Net::Mlp) {
    for (auto [in, out] : {std::pair<std::size_t, std::size_t>{784, 100}, {100, 100}}) {
      m->add(std::make_shared<nn::Dense>(in, out, false, rng));
      m->add(batch_norm(out, 0.999f, norm));
      m->add(nn::Sigmoid());
    }
    m->add(std::make_shared<nn::Dense>(100, 10, true, rng));
  } else {
    m->add(std::make_shared<nn::Conv2D>(1, 4, 3, 1, Padding::Same, false, rng));
    m->add(batch_norm(4, 0.99f, norm));
    m->add(nn::ReLU());
    m->add(std::make_shared<nn::Conv2D>(4, 8, 3, 2, Padding::Same, false, rng));
    m->add(batch_norm(8, 0.99f, norm));
    m->add(nn::ReLU());
    m->add(nn::Flatten());
    m->add(std::make_shared<nn::Dense>(8 * 4 * 4, 10, true, rng));
  }
  return m;
}

std::vector<float> flat_state(const nn::Module& m, bool with_buffers = true) {
  std::vector<float> out;
  for (const auto& [name, p] : m.named_parameters()) out.insert(out.end(), p.value().begin(), p.value().end());
  if (!with_buffers) return out;
  for (const auto& [name, b] : m.named_buffers()) out.insert(out.end(), b.value().begin(), b.value().end());
  return out;
}

// True when every rank holds exactly rank 0's bits.
bool same_on_every_rank(const std::vector<float>& mine) {
  xt::xarray<float> row = xt::xarray<float>::from_shape({std::size_t(1), mine.size()});
  std::copy(mine.begin(), mine.end(), row.begin());
  const xt::xarray<float> all = dist::all_gather(world(), row);
  for (int r = 1; r < world().size(); ++r) {
    if (std::memcmp(all.data(), all.data() + std::size_t(r) * mine.size(), mine.size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

struct Run {
  std::vector<double> losses;  ///< the global batch's loss at each step
  std::vector<float> state;    ///< parameters then buffers at the end
  bool identical_every_step = true;
};

// One process on the whole batch (distributed false), or this rank's slice with DataParallel.
Run train(Net net, Norm norm, bool distributed) {
  const data::Dataset d = random_dataset(600, net == Net::Mlp ? 28 : 8, 5);
  const auto& w = world();
  // Different local initialisations on purpose: rank 0's must win.
  auto model = make_net(net, norm, distributed ? 100 + std::uint64_t(w.rank()) : 100);
  std::unique_ptr<dist::DataParallel> ddp;
  if (distributed) ddp = std::make_unique<dist::DataParallel>(*model, w);
  std::unique_ptr<optim::Optimizer> opt;
  if (net == Net::Mlp) {
    opt = std::make_unique<optim::SGD>(model->parameters(), 0.01f);
  } else {
    opt = std::make_unique<optim::Adam>(model->parameters(), 0.002f);
  }
  auto options = data::BatchOptions().endless(true).layout(net == Net::Mlp ? data::Layout::Flat
                                                                            : data::Layout::NHWC);
  if (distributed) options.shard(std::size_t(w.rank()), std::size_t(w.size()));
  data::Batches batches(d, kGlobalBatch, 3, options);
  data::Batch batch;
  Run run;
  for (std::size_t step = 0; step < kSteps && batches.next(batch); ++step) {
    opt->zero_grad();
    Tensor logits = model->forward(batch.images);
    Tensor loss;
    double global_loss = 0;
    if (net == Net::Mlp) {
      // The summed loss of Experiment 1: each rank's share of the global sum, times the ranks
      // (DataParallel takes the mean of the ranks' gradients).
      Tensor local = reduce_sum(softmax_cross_entropy_with_logits(batch.labels, logits));
      global_loss = local.item();
      loss = distributed ? local * double(w.size()) : local;
      if (distributed) {
        xt::xarray<double> v{global_loss};
        dist::all_reduce(w, v);
        global_loss = v(0);
      }
    } else {
      // The mean loss of Experiment 2: with equal slices the mean of the ranks' means.
      loss = reduce_mean(sigmoid_cross_entropy_with_logits(batch.labels, logits));
      global_loss = loss.item();
      if (distributed) {
        xt::xarray<double> v{global_loss};
        dist::all_reduce(w, v, dist::Reduce::Mean);
        global_loss = v(0);
      }
    }
    loss.backward();
    if (ddp) ddp->wait();
    opt->step();
    run.losses.push_back(global_loss);
    // Per-rank BN's moving statistics are the rank's own: only SyncBN's are shared.
    if (distributed) {
      run.identical_every_step = run.identical_every_step &&
                                 same_on_every_rank(flat_state(*model, norm == Norm::Sync));
    }
  }
  run.state = flat_state(*model);
  return run;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return worst;
}

double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  return max_rel_diff(std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end()));
}

// Tolerance 1e-5 relative (about 100 float32 epsilons; measured: 1e-6 for the MLP, 1.3e-7 for
// the conv net): the sums over the batch are added in another order (30 + 30 rows instead of
// 60, in the batch statistics and in the weight-gradient products, then MPI's sum over ranks),
// each a few roundings off, compounded over 200 steps. Per-rank BN is off by 1e-3 or more.
void check_equivalence(Net net, double tolerance) {
  const Run single = train(net, Norm::Plain, false);
  const Run synced = train(net, Norm::Sync, true);
  const Run plain = train(net, Norm::Plain, true);
  REQUIRE(single.losses.size() == kSteps);
  CHECK(synced.identical_every_step);
  CHECK(plain.identical_every_step);
  const double loss_sync = max_rel_diff(synced.losses, single.losses);
  const double state_sync = max_rel_diff(synced.state, single.state);
  const double loss_plain = max_rel_diff(plain.losses, single.losses);
  const double state_plain = max_rel_diff(plain.state, single.state);
  if (world().rank() == 0) {
    WARN("ranks " << world().size() << ": SyncBN vs 1 process: loss " << loss_sync << ", state "
                  << state_sync << "; plain BN: loss " << loss_plain << ", state " << state_plain);
  }
  CHECK(loss_sync < tolerance);
  CHECK(state_sync < tolerance);
  // Per-rank statistics are another model: the difference is orders of magnitude larger.
  CHECK(loss_plain > 100 * tolerance);
  CHECK(state_plain > 100 * tolerance);
}

}  // namespace

TEST_CASE("DataParallel + SyncBatchNorm: the BN MLP with SGD trains as one process on the whole batch",
          "[dist][ddp]") {
  check_equivalence(Net::Mlp, 1e-5);
}

TEST_CASE("DataParallel + SyncBatchNorm: a BN conv net with Adam trains as one process on the whole batch",
          "[dist][ddp]") {
  check_equivalence(Net::Conv, 1e-5);
}

TEST_CASE("DataParallel: the broadcast at start overrides different initialisations", "[dist][ddp]") {
  auto model = make_net(Net::Mlp, Norm::Plain, 7 + std::uint64_t(world().rank()));
  model->buffer("1.moving_mean").value().fill(float(world().rank()));
  const bool before = same_on_every_rank(flat_state(*model));
  dist::DataParallel ddp(*model, world());
  CHECK_FALSE(before);
  CHECK(same_on_every_rank(flat_state(*model)));
  CHECK(model->buffer("1.moving_mean").value()(0) == 0.0f);
}

namespace {

// Identity that records how many buckets had started when backward reached it.
class Probe : public nn::Module {
public:
  Probe() : Module("Probe") {}
  Tensor forward(const Tensor& x) override {
    return make_op("probe", xt::xarray<float>(x.value()), {x}, [this](const auto& g, const auto&, auto& grads) {
      started_at_backward = ddp->buckets_started();
      grads.set(0, g);
    });
  }
  dist::DataParallel* ddp = nullptr;
  std::size_t started_at_backward = 0;
};

}  // namespace

TEST_CASE("DataParallel: the first bucket's reduction starts before backward reaches the first layer",
          "[dist][ddp]") {
  std::mt19937_64 rng(1);
  nn::Sequential model;
  model.add(std::make_shared<nn::Dense>(20, 30, true, rng));  // the first layer
  auto probe = model.add(Probe());                             // between it and the rest
  model.add(nn::Sigmoid());
  model.add(std::make_shared<nn::Dense>(30, 30, true, rng));
  model.add(nn::Sigmoid());
  model.add(std::make_shared<nn::Dense>(30, 10, true, rng));
  // About one layer per bucket.
  dist::DataParallel ddp(model, world(),
                         dist::DataParallelOptions().bucket_bytes(30 * 10 * sizeof(float)));
  probe->ddp = &ddp;
  REQUIRE(ddp.bucket_count() >= 3);
  CHECK(ddp.bucket_parameters(0).front() == model.parameters().size() - 1);  // the last layer first
  Tensor x(xt::ones<float>({4, 20}));
  reduce_sum(model.forward(x)).backward();
  // Both of the later layers' buckets are in flight while the first layer is still to run.
  CHECK(probe->started_at_backward >= 2);
  CHECK(probe->started_at_backward < ddp.bucket_count());
  ddp.wait();
  CHECK(ddp.buckets_started() == 0);
}

TEST_CASE("DataParallel: a parameter with no gradient on some ranks does not hang the others",
          "[dist][ddp]") {
  nn::Module m;
  Tensor a = m.register_parameter("a", Tensor(xt::xarray<float>{1.0f, 2.0f}));
  Tensor b = m.register_parameter("b", Tensor(xt::xarray<float>{3.0f}));
  dist::DataParallel ddp(m, world());
  const auto& w = world();
  // Rank 0 never uses b; every rank uses a with weight (rank + 1).
  Tensor loss = reduce_sum(a * double(w.rank() + 1));
  if (w.rank() != 0) loss = loss + reduce_sum(b * 2.0);
  loss.backward();
  ddp.wait();
  const double n = w.size();
  CHECK(a.grad()(0) == Approx((n + 1) / 2));         // mean of 1..n
  CHECK(b.grad()(0) == Approx(2.0 * (n - 1) / n));   // rank 0 contributed zeros
}

TEST_CASE("DataParallel::no_sync: micro-batches accumulate locally, the last backward reduces the sums",
          "[dist][ddp]") {
  nn::Module m;
  Tensor a = m.register_parameter("a", Tensor(xt::xarray<float>{1.0f, 2.0f}));
  dist::DataParallel ddp(m, world());
  const auto& w = world();
  const double n = w.size(), r = w.rank();
  {
    auto local = ddp.no_sync();
    CHECK(ddp.syncing_paused());
    CHECK_THROWS_WITH(ddp.no_sync(), Catch::Contains("already inside no_sync"));
    reduce_sum(a * (r + 1)).backward();  // micro-batch 1: gradient r + 1, this rank's own
    reduce_sum(a * 2.0).backward();      // micro-batch 2: + 2
    CHECK(ddp.buckets_started() == 0);
    CHECK(a.grad()(0) == float(r + 3));  // nothing averaged yet
  }
  CHECK_FALSE(ddp.syncing_paused());
  reduce_sum(a * 10.0).backward();  // the last micro-batch reduces all three
  CHECK(ddp.buckets_started() == ddp.bucket_count());
  // Not between a synchronized backward and its wait():
  CHECK_THROWS_WITH(ddp.no_sync(), Catch::Contains("call wait() first"));
  ddp.wait();
  const double expected = (n + 1) / 2 + 2 + 10;  // mean over ranks of (r + 1) + 2 + 10
  CHECK(a.grad()(0) == Approx(expected));
  CHECK(a.grad()(1) == Approx(expected));
  // And the next step is an ordinary one again.
  a.zero_grad();
  reduce_sum(a * (r + 1)).backward();
  ddp.wait();
  CHECK(a.grad()(0) == Approx((n + 1) / 2));
}

TEST_CASE("dist::save_on_rank0 writes once; every rank loads it", "[dist][checkpoint]") {
  const auto& w = world();
  auto model = make_net(Net::Conv, Norm::Sync, 1);
  dist::DataParallel ddp(*model, w);
  const std::string path = "dist_checkpoint_test.safetensors";
  dist::save_on_rank0(w, *model, path);
  auto other = make_net(Net::Conv, Norm::Plain, 2);  // a plain-BN twin: the same names
  io::load(*other, path);
  CHECK(flat_state(*other) == flat_state(*model));
  w.barrier();
  if (w.rank() == 0) std::remove(path.c_str());
  REQUIRE_THROWS_WITH(dist::save_on_rank0(w, *model, "/nonexistent-dir/x.safetensors"),
                      Catch::Contains("rank 0 could not save /nonexistent-dir/x.safetensors"));
}
