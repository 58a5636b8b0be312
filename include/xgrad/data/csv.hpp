#pragma once
/// \file
/// Loading a numeric CSV table (plain or .csv.gz) into a TensorDataset.
///
/// \code
///   // Header line, class ids in the column named "label", every other column a feature:
///   auto d = data::load_csv("train.csv", data::CsvOptions().target("label"));
///   // No header, regression on the last column:
///   auto r = data::load_csv("y.csv.gz", data::CsvOptions().header(false).target(-1).regression(true));
/// \endcode
///
/// Every field must be a finite number (surrounding spaces and double quotes are allowed).
/// Missing values (an empty field, NA, N/A, NaN, null, None, ?) and anything else that is not
/// a number are refused with a std::runtime_error naming the file, line and column; so is a
/// row whose field count differs from the first row's. Blank lines are skipped. Nothing is
/// returned unless the whole file parsed. Files starting with the gzip magic are gunzipped.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "xgrad/data/tensor_dataset.hpp"

namespace xgrad::data {

/// Options for load_csv, set fluently.
class CsvOptions {
public:
  /// The first line (after skip_lines) names the columns (default true).
  CsvOptions& header(bool v) { header_ = v; return *this; }
  /// Lines to skip at the start of the file, before the header or data (default 0).
  CsvOptions& skip_lines(std::size_t n) { skip_lines_ = n; return *this; }
  /// Field separator (default ',').
  CsvOptions& delimiter(char c) { delimiter_ = c; return *this; }
  /// A target column by its header name; may be called again for more target columns
  /// (regression only). Without any target the dataset has features only.
  CsvOptions& target(const std::string& name) { target_names_.push_back(name); return *this; }
  /// A target column by 0-based index; negative counts from the end (-1: the last column).
  CsvOptions& target(long index) { target_indices_.push_back(index); return *this; }
  /// Targets are float values (default false: one column of integer class ids >= 0).
  CsvOptions& regression(bool v) { regression_ = v; return *this; }
  /// Number of classes (default 0: one more than the largest id in the file).
  CsvOptions& num_classes(std::size_t n) { num_classes_ = n; return *this; }
  ///@{
  /// A column to leave out (an id, a date, ...), by name or index (negative from the end).
  CsvOptions& ignore(const std::string& name) { ignore_names_.push_back(name); return *this; }
  CsvOptions& ignore(long index) { ignore_indices_.push_back(index); return *this; }
  ///@}

  ///@{
  /// The options in use (target and ignored columns as given, by name and by index).
  bool header() const { return header_; }
  std::size_t skip_lines() const { return skip_lines_; }
  char delimiter() const { return delimiter_; }
  const std::vector<std::string>& target_names() const { return target_names_; }
  const std::vector<long>& target_indices() const { return target_indices_; }
  bool regression() const { return regression_; }
  std::size_t num_classes() const { return num_classes_; }
  const std::vector<std::string>& ignore_names() const { return ignore_names_; }
  const std::vector<long>& ignore_indices() const { return ignore_indices_; }
  ///@}

private:
  bool header_ = true;
  std::size_t skip_lines_ = 0;
  char delimiter_ = ',';
  std::vector<std::string> target_names_;
  std::vector<long> target_indices_;
  bool regression_ = false;
  std::size_t num_classes_ = 0;
  std::vector<std::string> ignore_names_;
  std::vector<long> ignore_indices_;
};

/// Loads `path` (.csv or gzip-compressed). Features are [N, feature columns] float32; class
/// ids [N] int64, or regression targets [N] (one column) or [N, k]. Throws std::runtime_error
/// naming the file (and line and column for a bad field).
TensorDataset load_csv(const std::string& path, const CsvOptions& options = CsvOptions());

/// The same on text already in memory; `name` stands for the file in error messages.
TensorDataset parse_csv(std::string_view text, const std::string& name,
                        const CsvOptions& options = CsvOptions());

}  // namespace xgrad::data
