#pragma once
// CSV output of every logged value.
#include <fstream>
#include <string>
#include <vector>

namespace examples {

class CsvWriter {
public:
  /// Creates (truncates) `path`, creating its folder, and writes the header row.
  CsvWriter(const std::string& path, const std::vector<std::string>& columns);
  /// Writes one row; numbers are written with full float precision.
  void row(const std::vector<double>& values);
  /// A row whose first cell is text (e.g. the net's name).
  void row(const std::string& label, const std::vector<double>& values);
  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::size_t columns_;
  std::ofstream out_;
};

/// Creates `dir` (and parents); throws std::runtime_error naming it on failure.
void ensure_dir(const std::string& dir);

}  // namespace examples
