#include "xgrad/data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "data/file_bytes.hpp"

namespace xgrad::data {
namespace {

/// Where we are in the text, for error messages.
struct Cursor {
  const std::string& name;
  std::size_t line = 0;  // 1-based
};

[[noreturn]] void fail_at(const Cursor& at, std::size_t column, const std::string& what) {
  throw std::runtime_error("CSV file '" + at.name + "', line " + std::to_string(at.line) +
                           (column ? ", column " + std::to_string(column) : std::string()) +
                           ": " + what);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

/// Splits one line at the delimiter (a delimiter inside double quotes does not split).
void split(std::string_view line, char delim, std::vector<std::string_view>& fields) {
  fields.clear();
  if (line.find('"') == std::string_view::npos) {  // the common case: memchr per field
    const char* p = line.data();
    const char* const end = p + line.size();
    for (;;) {
      const void* hit = std::memchr(p, delim, std::size_t(end - p));
      const char* stop = hit ? static_cast<const char*>(hit) : end;
      fields.emplace_back(p, std::size_t(stop - p));
      if (!hit) return;
      p = stop + 1;
    }
  }
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') quoted = !quoted;
    else if (c == delim && !quoted) {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  fields.push_back(line.substr(start));
}

bool is_missing(std::string_view s) {
  static const char* const kMissing[] = {"NA", "N/A", "NaN", "nan", "NAN", "null", "NULL",
                                         "None", "?", "na", "n/a", "-"};
  for (const char* m : kMissing) {
    if (s == m) return true;
  }
  return false;
}

template <class T>
T parse_number(std::string_view raw, const Cursor& at, std::size_t column,
               const std::string& column_name) {
  const std::string_view field = trim(raw);
  std::string_view s = field;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  // The fast path: nothing but from_chars. Only a field that is not a finite number is
  // checked against the missing-value markers, and only then is a message built.
  if (!s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(v)) return v;
  const std::string where = column_name.empty() ? "" : " (column '" + column_name + "')";
  if (field.empty()) fail_at(at, column, "missing value (empty field)" + where);
  if (is_missing(trim(raw))) {
    fail_at(at, column, "missing value ('" + std::string(trim(raw)) + "')" + where);
  }
  if (ec == std::errc::result_out_of_range) {
    fail_at(at, column, "'" + std::string(s) + "' is out of range" + where);
  }
  if (ec != std::errc() || end != s.data() + s.size()) {
    fail_at(at, column, "not a number: '" + std::string(trim(raw)) + "'" + where);
  }
  fail_at(at, column, "not a finite number: '" + std::string(s) + "'" + where);
}

/// 0-based column of `index` (negative from the end) among `count`; throws naming the file.
std::size_t resolve(long index, std::size_t count, const std::string& name, const char* what) {
  const long n = long(count);
  const long i = index < 0 ? n + index : index;
  if (i < 0 || i >= n) {
    throw std::runtime_error("CSV file '" + name + "': " + what + " column index " +
                             std::to_string(index) + " is outside the " + std::to_string(count) +
                             " columns");
  }
  return std::size_t(i);
}

std::size_t by_name(const std::string& wanted, const std::vector<std::string>& header,
                    const std::string& name, const char* what) {
  auto it = std::find(header.begin(), header.end(), wanted);
  if (it == header.end()) {
    std::string known;
    for (const auto& h : header) known += (known.empty() ? "'" : ", '") + h + "'";
    throw std::runtime_error("CSV file '" + name + "': no " + what + " column named '" + wanted +
                             "' (the header has " + known + ")");
  }
  return std::size_t(it - header.begin());
}

}  // namespace

TensorDataset parse_csv(std::string_view text, const std::string& name, const CsvOptions& opt) {
  if (!opt.regression() && opt.target_names().size() + opt.target_indices().size() > 1) {
    throw std::invalid_argument("CSV file '" + name +
                                "': several target columns need regression(true); class ids "
                                "come from one column");
  }
  Cursor at{name};
  std::size_t pos = 0;
  // Next line without its newline; false at the end of the text.
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    ++at.line;
    return true;
  };
  auto blank = [](std::string_view l) {
    return l.find_first_not_of(" \t") == std::string_view::npos;
  };

  std::string_view line;
  for (std::size_t i = 0; i < opt.skip_lines(); ++i) {
    if (!next_line(line)) break;
  }
  std::vector<std::string_view> fields;
  std::vector<std::string> header;
  if (opt.header()) {
    while (next_line(line) && blank(line)) {
    }
    if (at.line == 0 || blank(line)) {
      throw std::runtime_error("CSV file '" + name + "': no header line (the file is empty)");
    }
    split(line, opt.delimiter(), fields);
    for (auto f : fields) header.emplace_back(trim(f));
  }
  // The first data line fixes the column count (the header's, when there is one).
  std::size_t columns = header.size();
  std::vector<char> role;  // per column: 'f' feature, 't' target, 'i' ignored
  std::vector<std::size_t> target_cols;
  std::vector<std::string> column_names;
  auto set_roles = [&](std::size_t count) {
    columns = count;
    column_names = header.empty() ? std::vector<std::string>(count) : header;
    role.assign(count, 'f');
    for (const auto& n : opt.ignore_names()) role[by_name(n, header, name, "ignored")] = 'i';
    for (long i : opt.ignore_indices()) role[resolve(i, count, name, "ignored")] = 'i';
    for (const auto& n : opt.target_names()) target_cols.push_back(by_name(n, header, name, "target"));
    for (long i : opt.target_indices()) target_cols.push_back(resolve(i, count, name, "target"));
    for (std::size_t c : target_cols) role[c] = 't';
  };
  if (!header.empty()) set_roles(header.size());

  std::vector<float> features, targets;
  std::vector<std::int64_t> classes;
  std::size_t rows = 0;
  while (next_line(line)) {
    if (blank(line)) continue;
    split(line, opt.delimiter(), fields);
    if (role.empty()) set_roles(fields.size());
    if (fields.size() != columns) {
      fail_at(at, 0, "has " + std::to_string(fields.size()) + " fields, expected " +
                         std::to_string(columns) + (opt.header() ? " (as the header)" : " (as the first row)"));
    }
    if (rows == 0) {
      const std::size_t per = std::size_t(std::count(role.begin(), role.end(), 'f'));
      // Reserve from the first row's share of the text: one allocation for most files.
      const std::size_t estimate = text.size() / std::max<std::size_t>(line.size() + 1, 1) + 1;
      features.reserve(estimate * per);
    }
    for (std::size_t c = 0; c < columns; ++c) {
      if (role[c] == 'f') features.push_back(parse_number<float>(fields[c], at, c + 1, column_names[c]));
    }
    for (std::size_t c : target_cols) {
      if (opt.regression()) {
        targets.push_back(parse_number<float>(fields[c], at, c + 1, column_names[c]));
      } else {
        std::string_view s = trim(fields[c]);
        std::int64_t id = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
        if (ec != std::errc() || end != s.data() + s.size()) {
          // "1.0" is a class id too; "1.5" is not.
          const double v = parse_number<double>(fields[c], at, c + 1, column_names[c]);
          if (v != std::floor(v) || std::fabs(v) > 9e15) {
            fail_at(at, c + 1, "class id '" + std::string(s) + "' is not an integer");
          }
          id = std::int64_t(v);
        }
        if (id < 0) fail_at(at, c + 1, "class id " + std::to_string(id) + " is negative");
        if (opt.num_classes() && std::uint64_t(id) >= opt.num_classes()) {
          fail_at(at, c + 1, "class id " + std::to_string(id) + " is not below num_classes " +
                                 std::to_string(opt.num_classes()));
        }
        classes.push_back(id);
      }
    }
    ++rows;
  }
  if (rows == 0) throw std::runtime_error("CSV file '" + name + "': no data rows");

  TensorDataset d;
  const std::size_t per = features.size() / rows;
  d.features = xt::xarray<float>::from_shape({rows, per});
  std::copy(features.begin(), features.end(), d.features.begin());
  for (std::size_t c = 0; c < columns; ++c) {
    if (role[c] == 'f') d.feature_names.push_back(column_names[c]);
  }
  for (std::size_t c : target_cols) d.target_names.push_back(column_names[c]);
  d.description = name + " (" + std::to_string(rows) + " rows)";
  if (!target_cols.empty() && opt.regression()) {
    const std::size_t k = target_cols.size();
    d.targets = k == 1 ? xt::xarray<float>::from_shape({rows})
                       : xt::xarray<float>::from_shape({rows, k});
    std::copy(targets.begin(), targets.end(), d.targets.begin());
  } else if (!target_cols.empty()) {
    d.classes = xt::xarray<std::int64_t>::from_shape({rows});
    std::copy(classes.begin(), classes.end(), d.classes.begin());
    std::int64_t top = *std::max_element(classes.begin(), classes.end());
    d.num_classes = opt.num_classes() ? opt.num_classes() : std::size_t(top + 1);
  }
  return d;
}

TensorDataset load_csv(const std::string& path, const CsvOptions& options) {
  const std::vector<char> bytes = detail::read_file("CSV", path, /*gunzip=*/true);
  return parse_csv(std::string_view(bytes.data(), bytes.size()), path, options);
}

}  // namespace xgrad::data
