#pragma once
// Several seeds of one experiment, each a full independent run in its own process.
//
// The program re-runs itself once per seed (same options, --seed S, its own output folder),
// at most `jobs` at a time; each child's stdout and stderr go to files in its folder. Separate
// processes keep the runs independent (no shared thread pool, allocator or BLAS state) and use
// every core without threads inside a run.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <cxxopts.hpp>

namespace examples {

/// Adds --seeds and --jobs.
void add_seed_options(cxxopts::Options& options);

struct SeedPlan {
  std::vector<std::uint64_t> seeds;  ///< from --seeds, else the single --seed
  int jobs = 0;                      ///< seeds run at once (0: all)
  bool several() const { return seeds.size() > 1; }
};

/// "1,2,3" -> {1, 2, 3}; throws std::invalid_argument naming the list on an entry that is not
/// a non-negative integer or a seed given twice.
std::vector<std::uint64_t> parse_seed_list(const std::string& list);

/// Reads --seeds (comma-separated, e.g. "1,2,3"; duplicates refused) and --jobs; exits 2 with
/// a message on bad input.
SeedPlan read_seed_plan(const cxxopts::ParseResult& result, std::uint64_t single_seed);

/// The folder a seed's run writes to, inside the experiment's output folder.
std::string seed_dir(const std::string& out_dir, std::uint64_t seed);

/// Runs argv again for every seed of `plan` as `argv --seed S --out-dir seed_dir(out_dir, S)
/// --no-plots` (dropping the original --seeds, --jobs, --seed and --out-dir), at most
/// plan.jobs at a time, and reports each one's end on stdout. Throws std::runtime_error naming
/// the seed and its log when a run fails.
void run_seeds(int argc, char** argv, const SeedPlan& plan, const std::string& out_dir);

/// With several seeds, run_seeds into out_dir; with one, `run_one(seed)` in this process. Returns the folders holding each seed's results, in plan order.
std::vector<std::string> run_plan(int argc, char** argv, const SeedPlan& plan,
                                  const std::string& out_dir,
                                  const std::function<void(std::uint64_t seed)>& run_one);

}  // namespace examples
