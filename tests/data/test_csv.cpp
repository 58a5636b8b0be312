// load_csv: headers, target columns, .csv.gz, and every kind of bad file named precisely.
#include <catch2/catch.hpp>
#include <xgrad/data/csv.hpp>

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("xgrad_csv_" + name)).string();
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string write_gz(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, text.data(), unsigned(text.size()));
  gzclose(f);
  return path;
}

}  // namespace

TEST_CASE("load_csv: header, class column by name, features in column order", "[data][csv]") {
  const auto path = write("named.csv", "a,label,b\n1.5,1,-2\n 3 ,0,4e1\r\n\n\"5\",2,6\n");
  auto d = data::load_csv(path, data::CsvOptions().target("label"));
  REQUIRE(d.features.shape() == std::vector<std::size_t>{3, 2});
  CHECK(d.features(0, 0) == 1.5f);
  CHECK(d.features(0, 1) == -2.0f);
  CHECK(d.features(1, 0) == 3.0f);
  CHECK(d.features(1, 1) == 40.0f);
  CHECK(d.features(2, 0) == 5.0f);
  CHECK((d.classes == xt::xarray<std::int64_t>{1, 0, 2}));
  CHECK(d.num_classes == 3);
  CHECK(d.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(d.target_names == std::vector<std::string>{"label"});
  CHECK_NOTHROW(d.check());
}

TEST_CASE("load_csv: no header, target by negative index, regression, skip_lines, gzip", "[data][csv]") {
  const std::string text = "569,2,odd first line\n1,2,0.5\n3,4,1.5\n";
  for (const auto& path : {write("plain.csv", text), write_gz("packed.csv.gz", text)}) {
    auto d = data::load_csv(path, data::CsvOptions().header(false).skip_lines(1).target(-1).regression(true));
    REQUIRE(d.features.shape() == std::vector<std::size_t>{2, 2});
    CHECK(d.features(1, 1) == 4.0f);
    REQUIRE(d.targets.shape() == std::vector<std::size_t>{2});
    CHECK(d.targets(1) == 1.5f);
    CHECK_FALSE(d.has_classes());
  }
  // Two regression targets, one ignored column, a semicolon delimiter.
  auto d = data::load_csv(write("multi.csv", "id;x;y1;y2\n7;1;2;3\n8;4;5;6\n"),
                          data::CsvOptions().delimiter(';').ignore("id").target("y1").target("y2").regression(true));
  CHECK(d.features.shape() == std::vector<std::size_t>{2, 1});
  CHECK(d.features(0, 0) == 1.0f);
  CHECK(d.features(1, 0) == 4.0f);
  CHECK((d.targets == xt::xarray<float>{{2, 3}, {5, 6}}));
  // Class ids written as 1.0 are ids; num_classes may be given.
  auto c = data::load_csv(write("float_ids.csv", "x,y\n0,1.0\n1,0.0\n"), data::CsvOptions().target(1).num_classes(4));
  CHECK((c.classes == xt::xarray<std::int64_t>{1, 0}));
  CHECK(c.num_classes == 4);
}

TEST_CASE("load_csv: bad files name the file, line and column", "[data][csv][errors]") {
  auto fails = [](const std::string& name, const std::string& text, const data::CsvOptions& opt,
                  const std::string& what) {
    const auto path = write(name, text);
    REQUIRE_THROWS_WITH(data::load_csv(path, opt), Contains(path) && Contains(what));
  };
  const auto with_y = data::CsvOptions().target("y");
  fails("ragged.csv", "x,z,y\n1,2,0\n3,0\n", with_y, "line 3: has 2 fields, expected 3");
  fails("empty_field.csv", "x,z,y\n1,2,0\n3,,1\n", with_y, "line 3, column 2: missing value (empty field) (column 'z')");
  fails("na.csv", "x,z,y\n1,NA,0\n", with_y, "line 2, column 2: missing value ('NA')");
  fails("nan.csv", "x,z,y\n1,nan,0\n", with_y, "line 2, column 2: missing value ('nan')");
  fails("inf.csv", "x,z,y\n1,inf,0\n", with_y, "line 2, column 2: not a finite number");
  fails("word.csv", "x,z,y\n1,abc,0\n", with_y, "line 2, column 2: not a number: 'abc'");
  fails("junk.csv", "x,z,y\n1,2x,0\n", with_y, "not a number: '2x'");
  fails("frac_id.csv", "x,z,y\n1,2,0.5\n", with_y, "line 2, column 3: class id '0.5' is not an integer");
  fails("neg_id.csv", "x,z,y\n1,2,-1\n", with_y, "class id -1 is negative");
  fails("big_id.csv", "x,z,y\n1,2,5\n", data::CsvOptions().target("y").num_classes(3), "class id 5 is not below num_classes 3");
  fails("no_col.csv", "x,z,y\n1,2,0\n", data::CsvOptions().target("label"), "no target column named 'label'");
  fails("bad_index.csv", "1,2\n", data::CsvOptions().header(false).target(5), "target column index 5 is outside the 2 columns");
  fails("no_rows.csv", "x,y\n", with_y, "no data rows");
  fails("empty.csv", "", with_y, "no header line");
  REQUIRE_THROWS_WITH(data::load_csv(temp_path("does_not_exist.csv")),
                      Contains("does_not_exist.csv") && Contains("cannot open"));
  REQUIRE_THROWS_WITH(data::parse_csv("a,b,c\n1,2,3\n", "t", data::CsvOptions().target(0).target(1)),
                      Contains("regression(true)"));
  // A truncated .csv.gz.
  const auto gz = write_gz("cut.csv.gz", std::string(5000, '1') + ",2\n");
  std::filesystem::resize_file(gz, std::filesystem::file_size(gz) / 2);
  REQUIRE_THROWS_WITH(data::load_csv(gz, data::CsvOptions().header(false)), Contains(gz) && Contains("truncated"));
}
