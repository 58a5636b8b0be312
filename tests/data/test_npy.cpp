// .npy / .npz: hand-written files, files written by numpy itself (skipped without it), files
// we write read back, and the bad ones (truncated, wrong dtype, Fortran order, corrupt zip).
#include <catch2/catch.hpp>
#include <xgrad/data/npy.hpp>

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/skip.hpp"

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("xgrad_npy_" + name)).string();
}

/// A version-1.0 .npy with this header dict and data bytes, as np.save lays it out.
std::string npy(const std::string& dict, const std::string& data) {
  std::string header = dict;
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

std::string write(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

bool have_numpy() { return std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("npy: hand-written files of every supported dtype load and convert", "[data][npy]") {
  const auto f4 = write("f4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                      raw<float>({1, 2, 3, 4, 5, 6.5f})));
  auto a = data::load_npy_float(f4);
  CHECK((a == xt::xarray<float>{{1, 2, 3}, {4, 5, 6.5f}}));
  const auto f8 = write("f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                      raw<double>({0.25, -1, 1e3})));
  CHECK((data::load_npy_float(f8) == xt::xarray<float>{0.25f, -1, 1000}));
  const auto i4 = write("i4.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }",
                                      raw<std::int32_t>({0, 7, -2, 299})));
  CHECK((data::load_npy_int(i4) == xt::xarray<std::int64_t>{0, 7, -2, 299}));
  CHECK((data::load_npy_float(i4) == xt::xarray<float>{0, 7, -2, 299}));
  const auto u1 = write("u1.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
                                      raw<std::uint8_t>({255, 3})));
  CHECK((data::load_npy_int(u1) == xt::xarray<std::int64_t>{255, 3}));
  const auto i8 = write("i8.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }",
                                      raw<std::int64_t>({-5, 1ll << 40})));
  CHECK((data::load_npy_int(i8) == xt::xarray<std::int64_t>{{-5, 1ll << 40}}));
}

TEST_CASE("npy: bad files name the file and what is wrong", "[data][npy][errors]") {
  auto fails = [](const std::string& name, const std::string& bytes, const std::string& what,
                  bool as_int = false) {
    const auto path = write(name, bytes);
    if (as_int) REQUIRE_THROWS_WITH(data::load_npy_int(path), Contains(path) && Contains(what));
    else REQUIRE_THROWS_WITH(data::load_npy_float(path), Contains(path) && Contains(what));
  };
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string good = npy(dict, raw<float>({1, 2, 3, 4, 5, 6}));
  fails("truncated.npy", good.substr(0, good.size() - 3), "truncated: shape (2, 3) of <f4 needs 24 data bytes, the file has 21");
  fails("header_cut.npy", good.substr(0, 30), "truncated header");
  fails("trailing.npy", good + "xx", "2 trailing bytes");
  fails("magic.npy", "PK\x03\x04 not numpy at all", "not a .npy file");
  fails("wrong_dtype.npy", good, "wrong dtype '<f4': integer values", /*as_int=*/true);
  fails("big_endian.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd"),
        "unsupported dtype '>f4'");
  fails("half.npy", npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "abcd"),
        "unsupported dtype '<f2'");
  fails("object.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "abcdefgh"),
        "unsupported dtype '|O'");
  fails("fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                           raw<float>({1, 2, 3, 4, 5, 6})),
        "Fortran-order");
  fails("version.npy", std::string("\x93NUMPY\x09\x00", 8) + good.substr(8), "unsupported format version 9");
  REQUIRE_THROWS_WITH(data::read_npy(temp_path("missing.npy")), Contains("missing.npy") && Contains("cannot open"));
  // The loaders read the header first, then the data straight into the array: the header's
  // declared length, the file's end and the dtype are checked before any data is read.
  fails("empty.npy", "", "not a .npy file");
  fails("v2_header_cut.npy", std::string("\x93NUMPY\x02\x00\x00\x01\x00\x00{'descr'", 20),
        "truncated header (256 header bytes declared, 8 present)");
  fails("truncated_int.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", "12345678"),
        "needs 16 data bytes, the file has 8", /*as_int=*/true);
  fails("u8_overflow.npy", npy("{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }",
                               raw<std::uint64_t>({1, 1ull << 63})),
        "uint64 value 9223372036854775808 does not fit int64", /*as_int=*/true);
  const auto dir = temp_path("a_directory.npy");
  std::filesystem::create_directories(dir);
  REQUIRE_THROWS_WITH(data::load_npy_float(dir), Contains(dir) && Contains("it is a directory"));
}

TEST_CASE("npy/npz: what we save reads back, and a corrupt .npz is named", "[data][npy]") {
  xt::xarray<float> x{{1.5f, -2}, {3, 4}, {5, 6}};
  xt::xarray<std::int64_t> y{2, 0, 1};
  const auto xp = temp_path("saved_x.npy"), yp = temp_path("saved_y.npy");
  data::save_npy(xp, x);
  data::save_npy(yp, y);
  CHECK((data::load_npy_float(xp) == x));
  CHECK((data::load_npy_int(yp) == y));

  const auto zp = temp_path("saved.npz");
  data::save_npz(zp, data::TensorDataset::classification(x, y));
  auto d = data::load_npz_dataset(zp);
  CHECK((d.features == x));
  CHECK((d.classes == y));
  CHECK(d.num_classes == 3);
  REQUIRE_THROWS_WITH(data::load_npz_dataset(zp, "x", "labels"),
                      Contains(zp) && Contains("no array named 'labels'") && Contains("'x', 'y'"));

  std::string bytes;
  {
    std::ifstream in(zp, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto cut = write("cut.npz", bytes.substr(0, bytes.size() - 30));
  REQUIRE_THROWS_WITH(data::read_npz(cut), Contains(cut) && Contains("end-of-central-directory"));
  std::string flipped = bytes;
  flipped[100] ^= 0x55;  // inside x.npy's data: the CRC no longer matches
  const auto bad = write("flipped.npz", flipped);
  REQUIRE_THROWS_WITH(data::read_npz(bad), Contains(bad) && Contains("x.npy") && Contains("CRC mismatch"));
}

TEST_CASE("npy/npz: files written by numpy load, and ours load in numpy", "[data][npy][python]") {
  if (!have_numpy()) return test::skip("/usr/bin/python3 with numpy is not available");
  const auto dir = temp_path("py");
  std::filesystem::create_directories(dir);
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "x = np.arange(24, dtype=np.float64).reshape(4, 3, 2) / 4\n"
      "y = np.array([0, 2, 1, 2], dtype=np.int64)\n"
      "np.save(d + '/x64.npy', x)\n"
      "np.save(d + '/x32.npy', x.astype(np.float32))\n"
      "np.save(d + '/y16.npy', y.astype(np.int16))\n"
      "np.save(d + '/xf.npy', np.asfortranarray(x[:, :, 0]))\n"
      "np.save(d + '/xbe.npy', x.astype('>f4'))\n"
      "np.savez(d + '/plain.npz', x=x.astype(np.float32), y=y)\n"
      "np.savez_compressed(d + '/packed.npz', x=x, y=y.astype(np.uint8))\n"
      "np.savez(d + '/reg.npz', x=x, y=x[:, 0, 0])\n";
  const auto script_path = dir + "/make.py";
  std::ofstream(script_path) << script;
  REQUIRE(std::system(("/usr/bin/python3 '" + script_path + "' '" + dir + "'").c_str()) == 0);

  xt::xarray<float> expected = xt::xarray<float>::from_shape({4, 3, 2});
  for (std::size_t i = 0; i < 24; ++i) expected.data()[i] = float(i) / 4;
  CHECK((data::load_npy_float(dir + "/x64.npy") == expected));
  CHECK((data::load_npy_float(dir + "/x32.npy") == expected));
  CHECK((data::load_npy_int(dir + "/y16.npy") == xt::xarray<std::int64_t>{0, 2, 1, 2}));
  REQUIRE_THROWS_WITH(data::load_npy_float(dir + "/xf.npy"), Contains("xf.npy") && Contains("Fortran"));
  REQUIRE_THROWS_WITH(data::load_npy_float(dir + "/xbe.npy"), Contains("xbe.npy") && Contains("'>f4'"));
  for (const char* name : {"/plain.npz", "/packed.npz"}) {
    auto d = data::load_npz_dataset(dir + name);
    CHECK((d.features == expected));
    CHECK((d.classes == xt::xarray<std::int64_t>{0, 2, 1, 2}));
    CHECK(d.num_classes == 3);
  }
  auto r = data::load_npz_dataset(dir + "/reg.npz");
  CHECK((r.targets == xt::xarray<float>{0, 1.5f, 3, 4.5f}));

  // Ours, read by numpy.
  const auto ours = dir + "/ours.npz";
  data::save_npz(ours, data::TensorDataset::classification(expected, xt::xarray<std::int64_t>{0, 2, 1, 2}));
  data::save_npy(dir + "/ours_x.npy", expected);
  const std::string check =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "z = np.load(d + '/ours.npz')\n"
      "x = np.arange(24, dtype=np.float32).reshape(4, 3, 2) / 4\n"
      "assert z['x'].dtype == np.float32 and (z['x'] == x).all()\n"
      "assert z['y'].dtype == np.int64 and list(z['y']) == [0, 2, 1, 2]\n"
      "assert (np.load(d + '/ours_x.npy') == x).all()\n";
  std::ofstream(dir + "/check.py") << check;
  CHECK(std::system(("/usr/bin/python3 '" + dir + "/check.py' '" + dir + "'").c_str()) == 0);
}
