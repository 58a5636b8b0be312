// io::save / io::load: safetensors round trip, atomic writes, refusal of corrupt files.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <xgrad/nn/nn.hpp>

#include "support/skip.hpp"
#include "support/test_utils.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("xgrad_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::shared_ptr<nn::Sequential> make_model(std::uint64_t seed, std::size_t hidden = 3,
                                           bool bias = true) {
  std::mt19937_64 rng(seed);
  auto m = std::make_shared<nn::Sequential>();
  m->add(nn::Dense(4, hidden, bias, rng));
  m->add(nn::BatchNorm(nn::BatchNormOptions(hidden)));
  m->add(nn::ReLU());
  m->add(nn::Dense(hidden, 2, true, rng));
  return m;
}

std::vector<std::vector<unsigned char>> snapshot(const nn::Module& m) {
  std::vector<std::vector<unsigned char>> out;
  auto add = [&](const nn::NamedList<Tensor>& l) {
    for (auto& kv : l) {
      const auto& a = kv.second.value();
      const auto* b = reinterpret_cast<const unsigned char*>(a.data());
      out.emplace_back(b, b + a.size() * sizeof(float));
    }
  };
  add(m.named_parameters());
  add(m.named_buffers());
  return out;
}

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// A hand-made safetensors file: header text (not padded) then `data_bytes` zero bytes.
std::vector<unsigned char> make_file(const std::string& header, std::size_t data_bytes,
                                     std::uint64_t header_len_override = 0) {
  std::vector<unsigned char> b;
  std::uint64_t n = header_len_override ? header_len_override : header.size();
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<unsigned char>(n >> (8 * i)));
  b.insert(b.end(), header.begin(), header.end());
  b.resize(b.size() + data_bytes, 0);
  return b;
}

// Loads `bytes` into a fresh model; requires a runtime_error mentioning the file and
// `needle`, and the model bit-identical afterwards.
void require_refused(const TempDir& dir, const std::vector<unsigned char>& bytes,
                     const std::string& needle, nn::Module* model = nullptr) {
  auto fresh = make_model(99);
  nn::Module& m = model ? *model : *fresh;
  auto before = snapshot(m);
  const std::string path = dir.file("bad.safetensors");
  write_bytes(path, bytes);
  bool threw = false;
  try {
    io::load(m, path);
  } catch (const std::runtime_error& e) {
    threw = true;
    std::string what = e.what();
    INFO(what);
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find(needle) != std::string::npos);
  }
  CHECK(threw);
  CHECK(snapshot(m) == before);
}

// One small model's header, built with xgrad's own writer, for corruption tests.
std::string header_of(const std::vector<unsigned char>& file) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | file[std::size_t(i)];
  return std::string(file.begin() + 8, file.begin() + 8 + long(n));
}

}  // namespace

TEST_CASE("checkpoint: round trip restores parameters and buffers bit for bit", "[io]") {
  TempDir dir;
  auto a = make_model(1);
  // Move the BN statistics away from their initial values and change a weight.
  (*a)(Tensor(test::random_array<float>({6, 4}, 2)));
  (*a)(Tensor(test::random_array<float>({6, 4}, 3)));
  a->set_trainable("0.bias", false);  // frozen parameters are saved too
  const std::string path = dir.file("model.safetensors");
  io::save(*a, path);

  auto b = make_model(2);
  CHECK_FALSE(snapshot(*b) == snapshot(*a));
  Tensor alias = b->buffer("1.moving_mean");
  const float* storage = alias.value().data();
  io::load(*b, path);
  CHECK(snapshot(*b) == snapshot(*a));
  CHECK(alias.value().data() == storage);  // loaded in place
  CHECK((alias.value() == a->buffer("1.moving_mean").value()));

  // Saving again gives the same bytes (deterministic order).
  io::save(*b, dir.file("again.safetensors"));
  CHECK(read_bytes(path) == read_bytes(dir.file("again.safetensors")));
  // No temporary files are left behind.
  std::size_t files = 0;
  for (auto& e : fs::directory_iterator(dir.path)) {
    (void)e;
    ++files;
  }
  CHECK(files == 2);
}

TEST_CASE("checkpoint: the file layout is safetensors", "[io]") {
  TempDir dir;
  auto a = make_model(1);
  io::save(*a, dir.file("m.safetensors"));
  auto bytes = read_bytes(dir.file("m.safetensors"));
  std::string h = header_of(bytes);
  CHECK((8 + h.size()) % 8 == 0);
  CHECK(h.find("\"0.kernel\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}") !=
        std::string::npos);
  CHECK(h.find("\"1.moving_variance\"") != std::string::npos);
}

TEST_CASE("checkpoint: save is atomic and reports I/O errors", "[io]") {
  TempDir dir;
  auto a = make_model(1);
  const std::string path = dir.file("m.safetensors");
  io::save(*a, path);
  auto old_bytes = read_bytes(path);
  CHECK_THROWS_AS(io::save(*a, dir.file("no/such/dir/m.safetensors")), std::runtime_error);
  // Replacing an existing checkpoint.
  auto b = make_model(5);
  io::save(*b, path);
  CHECK_FALSE(read_bytes(path) == old_bytes);
  auto c = make_model(7);
  io::load(*c, path);
  CHECK(snapshot(*c) == snapshot(*b));
  CHECK_THROWS_AS(io::load(*c, dir.file("missing.safetensors")), std::runtime_error);
  // A directory used to open fine, report an absurd size and fail with std::bad_alloc.
  const auto before = snapshot(*c);
  CHECK_THROWS_AS(io::load(*c, dir.path.string()), std::runtime_error);
  CHECK_THROWS_WITH(io::load(*c, dir.path.string()),
                    Catch::Matchers::Contains(dir.path.string()) &&
                        Catch::Matchers::Contains("is a directory"));
  CHECK(snapshot(*c) == before);
}

TEST_CASE("checkpoint: corrupt or mismatched files are refused, model unchanged", "[io]") {
  TempDir dir;
  auto a = make_model(1);
  const std::string good_path = dir.file("good.safetensors");
  io::save(*a, good_path);
  const auto good = read_bytes(good_path);
  const std::string h = header_of(good);
  const std::size_t data = good.size() - 8 - h.size();

  SECTION("truncated data") {
    auto b = good;
    b.resize(b.size() - 4);
    require_refused(dir, b, "out of range");
  }
  SECTION("truncated inside the header") {
    auto b = good;
    b.resize(20);
    require_refused(dir, b, "truncated");
  }
  SECTION("shorter than the length field") {
    require_refused(dir, {1, 2, 3}, "truncated");
  }
  SECTION("empty file") { require_refused(dir, {}, "truncated"); }
  SECTION("header length larger than the file") {
    auto b = good;
    b[6] = 0x01;  // about 2^48
    require_refused(dir, b, "header length");
  }
  SECTION("header length too small") {
    require_refused(dir, make_file(h, data, 1), "header length");
  }
  SECTION("bad JSON") {
    std::string bad = h;
    bad[bad.find(':')] = ';';
    require_refused(dir, make_file(bad, data), "not valid JSON");
  }
  SECTION("header is not an object") {
    require_refused(dir, make_file("{\"a\":1}", 0), "not an object");
    require_refused(dir, make_file("[1,2]   ", 0), "'{'");
  }
  SECTION("trailing bytes after the data") {
    auto b = good;
    b.push_back(0);
    require_refused(dir, b, "trailing");
  }
  SECTION("missing tensor") {
    auto no_bias = make_model(1, 3, /*bias=*/false);
    io::save(*no_bias, dir.file("nobias.safetensors"));
    require_refused(dir, read_bytes(dir.file("nobias.safetensors")), "missing tensor '0.bias'");
  }
  SECTION("unexpected tensor") {
    auto no_bias = make_model(1, 3, /*bias=*/false);
    require_refused(dir, good, "unexpected tensor '0.bias'", no_bias.get());
  }
  SECTION("wrong shape") {
    auto wide = make_model(1, 5);
    io::save(*wide, dir.file("wide.safetensors"));
    require_refused(dir, read_bytes(dir.file("wide.safetensors")), "has shape [4, 5]");
  }
  SECTION("wrong dtype") {
    // F32 and F64 load (F64 converted, tests/io/test_checkpoint_precision.cpp); others do not.
    nn::Dense d(1, 1, false);
    require_refused(
        dir, make_file("{\"kernel\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}", 4),
        "dtype I32, expected F32 or F64", &d);
    require_refused(
        dir, make_file("{\"kernel\":{\"dtype\":\"Q7\",\"shape\":[1,1],\"data_offsets\":[0,4]}}", 4),
        "unknown dtype", &d);
  }
  SECTION("offsets out of range, overlapping, with a gap, or not matching the shape") {
    nn::Dense d(2, 1);  // kernel [2,1] (8 bytes), bias [1] (4 bytes)
    auto file = [](const std::string& k, const std::string& b, std::size_t n) {
      return make_file("{\"kernel\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":" + k +
                           "},\"bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":" + b +
                           "}}",
                       n);
    };
    require_refused(dir, file("[0,8]", "[8,12]", 8), "out of range");
    require_refused(dir, file("[0,8]", "[100,104]", 12), "out of range");
    require_refused(dir, file("[0,8]", "[4,8]", 12), "overlaps");
    require_refused(dir, file("[4,12]", "[0,4]", 16), "trailing");
    require_refused(dir, file("[0,8]", "[12,16]", 16), "gap");
    require_refused(dir, file("[0,4]", "[4,8]", 8), "needs 8 bytes");
    require_refused(dir, file("[8,0]", "[8,12]", 12), "end before");
    require_refused(dir, file("[0,-8]", "[8,12]", 12), "data_offsets");
    // Control: the well-formed version loads.
    auto ok = file("[0,8]", "[8,12]", 12);
    write_bytes(dir.file("ok.safetensors"), ok);
    io::load(d, dir.file("ok.safetensors"));
    CHECK(d.kernel().value()(0, 0) == 0.0f);
    CHECK(d.kernel().value()(1, 0) == 0.0f);
  }
  SECTION("schema errors") {
    nn::Dense d(1, 1, false);
    require_refused(dir, make_file("{\"kernel\":{\"dtype\":\"F32\",\"shape\":[1,1]}}", 4),
                    "data_offsets", &d);
    require_refused(
        dir, make_file("{\"kernel\":{\"dtype\":\"F32\",\"shape\":[1,-1],\"data_offsets\":[0,4]}}", 4),
        "shape", &d);
    require_refused(
        dir,
        make_file("{\"kernel\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4],\"x\":1}}", 4),
        "unknown field", &d);
    require_refused(
        dir,
        make_file("{\"kernel\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                  "\"kernel\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}}", 4),
        "twice", &d);
    require_refused(dir, make_file("{\"__metadata__\":{\"a\":1}}", 0), "__metadata__", &d);
  }
}

TEST_CASE("checkpoint: load_bytes loads from memory with the same checks", "[io]") {
  TempDir dir;
  auto a = make_model(1);
  io::save(*a, dir.file("m.safetensors"));
  auto bytes = read_bytes(dir.file("m.safetensors"));
  auto b = make_model(2);
  io::load_bytes(*b, bytes, "in-memory checkpoint");
  CHECK(snapshot(*b) == snapshot(*a));
  auto c = make_model(3);
  const auto before = snapshot(*c);
  bytes.pop_back();
  CHECK_THROWS_WITH(io::load_bytes(*c, bytes, "in-memory checkpoint"),
                    Catch::Matchers::Contains("'in-memory checkpoint'") &&
                        Catch::Matchers::Contains("out of range"));
  CHECK(snapshot(*c) == before);
}

TEST_CASE("checkpoint: readable by NumPy (tests/io/check_checkpoint.py)", "[io][python]") {
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
    return test::skip("/usr/bin/python3 with numpy is not available");
  }
  TempDir dir;
  nn::Sequential m;
  auto d = m.add(nn::Dense(2, 3));
  auto bn = m.add(nn::BatchNorm(nn::BatchNormOptions(3)));
  nn::set_weights(d->kernel(), {{0.5f, -1.25f, 2.0f}, {3.0f, 0.0f, -0.75f}});
  nn::set_weights(d->bias(), {0.125f, -8.0f, 1e-3f});
  nn::set_weights(bn->moving_mean(), {1.5f, 2.5f, -3.5f});
  nn::set_weights(bn->moving_variance(), {0.25f, 4.0f, 1.0f});
  nn::set_weights(bn->gamma(), {1.0f, 2.0f, 3.0f});
  const std::string path = dir.file("m.safetensors");
  io::save(m, path);
  const std::string expected = dir.file("expected.json");
  {
    std::ofstream out(expected);
    out << std::setprecision(9)
        << "{\"0.kernel\": {\"shape\": [2, 3], \"values\": [0.5, -1.25, 2.0, 3.0, 0.0, -0.75]},"
        << " \"0.bias\": {\"shape\": [3], \"values\": [0.125, -8.0, " << 1e-3f << "]},"
        << " \"1.gamma\": {\"shape\": [3], \"values\": [1, 2, 3]},"
        << " \"1.beta\": {\"shape\": [3], \"values\": [0, 0, 0]},"
        << " \"1.moving_mean\": {\"shape\": [3], \"values\": [1.5, 2.5, -3.5]},"
        << " \"1.moving_variance\": {\"shape\": [3], \"values\": [0.25, 4.0, 1.0]}}";
  }
  const std::string script = (fs::path(XGRAD_SOURCE_DIR) / "tests" / "io" / "check_checkpoint.py").string();
  REQUIRE(fs::exists(script));
  const std::string cmd = "/usr/bin/python3 '" + script + "' '" + path + "' '" + expected + "'";
  int rc = std::system(cmd.c_str());
  INFO(cmd);
  CHECK(rc == 0);
  // And the script does catch a wrong value.
  nn::set_weights(bn->moving_variance(), {0.25f, 4.0f, 2.0f});
  io::save(m, path);
  CHECK(std::system((cmd + " 2> /dev/null").c_str()) != 0);
}
