#include "summary.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace examples {

Measures read_measures(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read results file '" + path + "'");
  Measures m;
  std::string line;
  std::getline(in, line);  // header
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const auto comma = line.find(',');
    try {
      if (comma == std::string::npos) throw std::invalid_argument("no comma");
      m[line.substr(0, comma)] = std::stod(line.substr(comma + 1));
    } catch (const std::exception&) {
      throw std::runtime_error("results file '" + path + "', line " + std::to_string(number) +
                               ": expected 'measure,value', got '" + line + "'");
    }
  }
  return m;
}

Spread spread(std::vector<double> v) {
  if (v.empty()) throw std::invalid_argument("spread: no values");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {median, v.front(), v.back()};
}

SeedResults::SeedResults(std::vector<std::uint64_t> seeds, std::vector<Measures> runs)
    : seeds_(std::move(seeds)), runs_(std::move(runs)) {}

bool SeedResults::has(const std::string& measure) const {
  for (const auto& r : runs_) {
    if (r.count(measure)) return true;
  }
  return false;
}

std::vector<double> SeedResults::values(const std::string& measure) const {
  std::vector<double> out;
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    auto it = runs_[i].find(measure);
    if (it == runs_[i].end()) {
      throw std::runtime_error("the run with seed " + std::to_string(seeds_[i]) +
                               " has no measure '" + measure + "'");
    }
    out.push_back(it->second);
  }
  return out;
}

std::string SeedResults::seed_list() const {
  std::string s;
  for (auto seed : seeds_) s += (s.empty() ? "" : ",") + std::to_string(seed);
  return s;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void print_table(const SeedResults& results, const std::vector<Row>& rows,
                 const std::string& source_heading) {
  const std::size_t n = results.seeds().size();
  std::printf("%-62s %8s  %-15s  %s\n", "measure", n > 1 ? "median" : "value",
              n > 1 ? "min-max" : "", source_heading.c_str());
  for (const Row& row : rows) {
    if (!results.has(row.measure)) continue;
    const Spread s = results.of(row.measure);
    const std::string range = n > 1 ? fixed(s.min, row.decimals) + "-" + fixed(s.max, row.decimals) : "";
    std::printf("%-62s %8s  %-15s  %s\n", row.label.c_str(), fixed(s.median, row.decimals).c_str(),
                range.c_str(), row.source.c_str());
  }
}

Conclusion every_seed(const SeedResults& results, const std::string& name,
                      const std::string& statement, const std::string& measure,
                      const std::function<bool(double)>& ok) {
  Conclusion c{name, statement, true, ""};
  const auto values = results.values(measure);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!ok(values[i])) c.holds = false;
    c.evidence += (i ? ", " : "") + std::string("seed ") + std::to_string(results.seeds()[i]) +
                  ": " + fixed(values[i], 4) + (ok(values[i]) ? "" : " (fails)");
  }
  return c;
}

int report_conclusions(const std::vector<Conclusion>& conclusions, bool binding) {
  std::vector<std::string> failed;
  std::printf("\nconclusions, checked over every seed%s:\n",
              binding ? "" : " (not binding: a shorter run than the protocol's; "
                             "--enforce-conclusions makes them binding)");
  for (const auto& c : conclusions) {
    std::printf("  [%s] %s: %s (%s)\n", c.holds ? "holds" : "FAILS", c.name.c_str(),
                c.statement.c_str(), c.evidence.c_str());
    if (!c.holds) failed.push_back(c.name);
  }
  if (failed.empty()) {
    std::printf("verdict: all %zu conclusions hold\n", conclusions.size());
    return 0;
  }
  std::string names;
  for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
  std::printf("verdict: %zu of %zu conclusions FAILED: %s%s\n", failed.size(), conclusions.size(),
              names.c_str(), binding ? "" : " (not binding)");
  if (!binding) return 0;
  std::fflush(stdout);
  std::fprintf(stderr, "conclusion failed: %s\n", names.c_str());
  return kConclusionFailedExit;
}

}  // namespace examples
