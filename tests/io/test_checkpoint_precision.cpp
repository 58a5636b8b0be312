// Checkpoints keep the precision they were saved in and load into either, converting and
// saying so: float32 -> float64 twin -> float32 is bit-exact, optimizer state included.
#include <cstdio>
#include <fstream>
#include <unistd.h>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;

namespace {

template <class T>
std::shared_ptr<nn::BasicSequential<T>> mlp(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto net = std::make_shared<nn::BasicSequential<T>>();
  net->add(nn::BasicDense<T>(4, 3, false, rng));
  net->add(nn::BasicBatchNorm<T>(3));
  net->add(nn::BasicSigmoid<T>());
  net->add(nn::BasicDense<T>(3, 2, true, rng));
  return net;
}

std::string temp_path(const char* name) {
  return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/xgrad_" +
         std::to_string(::getpid()) + "_" + name;
}

/// The "dtype" of tensor `name` in a safetensors file's header.
std::string stored_dtype(const std::string& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n * 256 + len[i];
  std::string header(n, ' ');
  in.read(&header[0], std::streamsize(n));
  const auto at = header.find("\"" + name + "\"");
  if (at == std::string::npos) return "";
  const auto d = header.find("\"dtype\":\"", at);
  return header.substr(d + 9, 3);
}

}  // namespace

TEST_CASE("checkpoint: float32 -> float64 twin -> float32, bit-exact, with a report of the "
          "conversions",
          "[io][checkpoint][precision]") {
  auto net32 = mlp<float>(1);
  (*net32)(test::random_tensor<float>({5, 4}, 2, -1, 1, false));  // moving statistics move
  const std::string f32 = temp_path("f32.safetensors"), f64 = temp_path("f64.safetensors");
  io::save(*net32, f32);
  CHECK(stored_dtype(f32, "0.kernel") == "F32");

  auto net64 = mlp<double>(3);
  io::LoadReport in = io::load(*net64, f32);
  CHECK(in.any_converted());
  CHECK(in.from_dtype == "F32");
  CHECK(in.to_dtype == "F64");
  CHECK(in.converted.size() == net64->named_parameters().size() + net64->named_buffers().size());
  CHECK(in.message().find("from F32 to F64: 0.kernel, 1.gamma") != std::string::npos);
  for (const auto& kv : net32->named_parameters()) {
    CHECK((xt::xarray<double>(kv.second.value()) == net64->parameter(kv.first).value()));
  }

  io::save(*net64, f64);
  CHECK(stored_dtype(f64, "1.moving_variance") == "F64");
  auto back = mlp<float>(4);
  io::LoadReport out = io::load(*back, f64);
  CHECK(out.from_dtype == "F64");
  CHECK(out.to_dtype == "F32");
  for (const auto& kv : net32->named_parameters()) {
    CHECK((back->parameter(kv.first).value() == kv.second.value()));
  }
  for (const auto& kv : net32->named_buffers()) {
    CHECK((back->buffer(kv.first).value() == kv.second.value()));
  }

  // Same precision: nothing converted, nothing said.
  auto again = mlp<float>(5);
  io::LoadReport same = io::load(*again, f32);
  CHECK_FALSE(same.any_converted());
  CHECK(same.message().empty());
  std::remove(f32.c_str());
  std::remove(f64.c_str());
}

TEST_CASE("checkpoint: an optimizer's state loads across precisions too",
          "[io][checkpoint][precision]") {
  auto net32 = mlp<float>(6);
  optim::Adam adam32(net32->parameters(), 0.01f);
  for (int step = 0; step < 3; ++step) {
    adam32.zero_grad();
    reduce_sum(square((*net32)(test::random_tensor<float>({5, 4}, 7 + step, -1, 1, false))))
        .backward();
    adam32.step();
  }
  const std::string path = temp_path("adam.safetensors");
  io::save(*net32, adam32, path);

  auto net64 = mlp<double>(8);
  optim::Adam64 adam64(net64->parameters(), 0.5f);
  io::LoadReport r = io::load(*net64, adam64, path);
  CHECK(r.from_dtype == "F32");
  CHECK(std::find(r.converted.begin(), r.converted.end(), "optimizer/0.kernel/m") !=
        r.converted.end());
  CHECK(adam64.iterations() == 3);
  CHECK(adam64.lr() == adam32.lr());
  auto s32 = adam32.state_arrays();
  auto s64 = adam64.state_arrays();
  REQUIRE(s32.size() == s64.size());
  for (std::size_t i = 0; i < s32.size(); ++i) {
    CHECK((xt::xarray<double>(*s32[i].array) == *s64[i].array));
  }
  std::remove(path.c_str());
}
