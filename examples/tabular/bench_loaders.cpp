// Loading speed: CSV parse and .npy load in MB/s, next to a plain memcpy of the same bytes.
// Writes a numeric CSV (N rows x 31 columns, random floats printed with %.6g) and a float32
// .npy to a temporary folder, then times each loader (best of --repeats).
// usage: bench_loaders [ROWS (default 200000)] [REPEATS (default 5)]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <xgrad/data/csv.hpp>
#include <xgrad/data/npy.hpp>

using namespace xgrad;
using Clock = std::chrono::steady_clock;

namespace {

template <class F>
double best_seconds(int repeats, F&& f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t rows = argc > 1 ? std::stoul(argv[1]) : 200000;
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
  const std::size_t cols = 30;
  const auto dir = std::filesystem::temp_directory_path() / "xgrad_bench_loaders";
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / "table.csv").string(), npy = (dir / "table.npy").string();

  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 100.0f);
  xt::xarray<float> x = xt::xarray<float>::from_shape({rows, cols});
  {
    std::ofstream out(csv);
    for (std::size_t c = 0; c < cols; ++c) out << "f" << c << ",";
    out << "label\n";
    char buf[32];
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) {
        x(r, c) = normal(rng);
        std::snprintf(buf, sizeof buf, "%.6g,", double(x(r, c)));
        out << buf;
      }
      out << (r % 2) << "\n";
    }
  }
  data::save_npy(npy, x);
  const double csv_mb = double(std::filesystem::file_size(csv)) / 1e6;
  const double npy_mb = double(std::filesystem::file_size(npy)) / 1e6;

  std::size_t sink = 0;
  const double t_csv = best_seconds(repeats, [&] {
    sink += data::load_csv(csv, data::CsvOptions().target("label")).size();
  });
  const double t_npy = best_seconds(repeats, [&] { sink += data::load_npy_float(npy).size(); });
  std::vector<char> src(std::size_t(npy_mb * 1e6)), dst(src.size());
  std::memset(src.data(), 1, src.size());
  const double t_copy = best_seconds(repeats, [&] {
    std::memcpy(dst.data(), src.data(), src.size());
    sink += std::size_t(dst[dst.size() / 2]);
  });
  std::printf("CSV  %7.1f MB  %8.1f ms  %7.1f MB/s  (%zu rows x %zu columns)\n", csv_mb, t_csv * 1e3,
              csv_mb / t_csv, rows, cols + 1);
  std::printf(".npy %7.1f MB  %8.1f ms  %7.1f MB/s\n", npy_mb, t_npy * 1e3, npy_mb / t_npy);
  std::printf("memcpy %5.1f MB  %8.1f ms  %7.1f MB/s  (best of %d; checksum %zu)\n", npy_mb,
              t_copy * 1e3, npy_mb / t_copy, repeats, sink % 10);
  std::filesystem::remove_all(dir);
  return 0;
}
