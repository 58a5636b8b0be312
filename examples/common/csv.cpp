#include "csv.hpp"

#include <filesystem>
#include <stdexcept>

namespace examples {

void ensure_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create folder '" + dir + "': " + ec.message());
}

CsvWriter::CsvWriter(const std::string& path, const std::vector<std::string>& columns)
    : path_(path), columns_(columns.size()) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) ensure_dir(parent.string());
  out_.open(path);
  if (!out_) throw std::runtime_error("cannot write '" + path + "'");
  for (std::size_t i = 0; i < columns.size(); ++i) out_ << (i ? "," : "") << columns[i];
  out_ << "\n";
  out_.precision(9);
}

void CsvWriter::row(const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) out_ << (i ? "," : "") << values[i];
  out_ << "\n";
  out_.flush();
}

void CsvWriter::row(const std::string& label, const std::vector<double>& values) {
  out_ << label;
  for (double v : values) out_ << "," << v;
  out_ << "\n";
  out_.flush();
}

}  // namespace examples
