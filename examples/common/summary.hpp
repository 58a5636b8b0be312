#pragma once
// The results of several seeds: each run's measures (a "measure,value" CSV), their median and
// min-max in a table beside the source text's figures, and the source text's conclusions
// checked over every seed, each printed with its verdict.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace examples {

/// Exit status of a run whose results were written but one of whose conclusions failed.
constexpr int kConclusionFailedExit = 3;

/// One seed's measures, by name.
using Measures = std::map<std::string, double>;

/// Reads `path` ("measure,value" rows with a header); throws std::runtime_error naming it.
Measures read_measures(const std::string& path);

struct Spread {
  double median = 0, min = 0, max = 0;
};

/// The median (mean of the middle two for an even count), min and max of `values`.
Spread spread(std::vector<double> values);

class SeedResults {
public:
  SeedResults(std::vector<std::uint64_t> seeds, std::vector<Measures> runs);
  /// Every seed's value of `measure`, in seed order; throws naming a measure a run lacks.
  std::vector<double> values(const std::string& measure) const;
  Spread of(const std::string& measure) const { return spread(values(measure)); }
  bool has(const std::string& measure) const;
  const std::vector<std::uint64_t>& seeds() const { return seeds_; }
  /// "1,2,3".
  std::string seed_list() const;

private:
  std::vector<std::uint64_t> seeds_;
  std::vector<Measures> runs_;
};

/// A table row: a measure, how it reads, the source text's figure ("-" when it has none).
struct Row {
  std::string measure, label, source;
  int decimals = 4;
};

/// Prints `rows` as a table: measure | median | min-max | the source's figure under
/// `source_heading`. Rows whose measure no run has are left out.
void print_table(const SeedResults& results, const std::vector<Row>& rows,
                 const std::string& source_heading);

/// A conclusion of the source text, checked over the seeds.
struct Conclusion {
  std::string name;       ///< short, stable: named again when it fails
  std::string statement;  ///< what must hold, thresholds included
  bool holds = false;
  std::string evidence;   ///< the figures that decided it
};

/// A conclusion that holds when `ok(value)` for every seed's value of `measure`.
Conclusion every_seed(const SeedResults& results, const std::string& name,
                      const std::string& statement, const std::string& measure,
                      const std::function<bool(double)>& ok);

/// Prints each conclusion with its verdict, then a verdict line naming any that failed.
/// Returns kConclusionFailedExit when one failed and `binding`, else 0. The conclusions are
/// about the source's protocol: a shorter run reports them without failing, unless asked to.
int report_conclusions(const std::vector<Conclusion>& conclusions, bool binding);

/// "0.9512" with `decimals` decimals.
std::string fixed(double v, int decimals = 4);

}  // namespace examples
