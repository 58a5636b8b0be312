#include "seeds.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <xgrad/threads.hpp>

#include "csv.hpp"
#include "summary.hpp"

extern char** environ;

namespace examples {

void add_seed_options(cxxopts::Options& options) {
  options.add_options()
      ("seeds", "comma-separated seeds, e.g. 1,2,3: one full independent run per seed, side by "
                "side in separate processes, then the median and min-max over them",
       cxxopts::value<std::string>()->default_value(""))
      ("jobs", "seeds run at once with --seeds (default 0: all of them)",
       cxxopts::value<int>()->default_value("0"));
}

std::vector<std::uint64_t> parse_seed_list(const std::string& list) {
  std::vector<std::uint64_t> seeds;
  std::set<std::uint64_t> seen;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    std::uint64_t seed = 0;
    try {
      seed = std::stoull(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || item[0] == '-') {
      throw std::invalid_argument("--seeds: '" + item + "' in '" + list +
                                  "' is not a seed (use e.g. 1,2,3)");
    }
    if (!seen.insert(seed).second) {
      throw std::invalid_argument("--seeds: seed " + std::to_string(seed) + " appears twice in '" +
                                  list + "'");
    }
    seeds.push_back(seed);
  }
  return seeds;
}

SeedPlan read_seed_plan(const cxxopts::ParseResult& r, std::uint64_t single_seed) {
  SeedPlan plan;
  plan.jobs = r["jobs"].as<int>();
  try {
    plan.seeds = parse_seed_list(r["seeds"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    std::cerr << e.what() << std::endl;
    std::exit(2);
  }
  if (plan.seeds.empty()) plan.seeds.push_back(single_seed);
  if (plan.jobs < 0) {
    std::cerr << "--jobs must be 0 (all seeds at once) or positive" << std::endl;
    std::exit(2);
  }
  return plan;
}

std::string seed_dir(const std::string& out_dir, std::uint64_t seed) {
  return out_dir + "/seed_" + std::to_string(seed);
}

namespace {

/// argv without the options the parent sets per child (both "--name value" and "--name=value").
std::vector<std::string> passthrough_args(int argc, char** argv) {
  const char* dropped[] = {"--seeds", "--jobs", "--seed", "--out-dir"};
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    bool drop = false;
    for (const char* name : dropped) {
      if (a == name) {
        drop = true;
        ++i;  // its value
        break;
      }
      if (a.rfind(std::string(name) + "=", 0) == 0) {
        drop = true;
        break;
      }
    }
    if (!drop) out.push_back(a);
  }
  return out;
}

struct Child {
  std::uint64_t seed;
  std::string dir;
  std::chrono::steady_clock::time_point start;
};

pid_t spawn(const std::vector<std::string>& args, const std::string& dir) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir + "/report.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir + "/log.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> cargs;
  for (const auto& a : args) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  pid_t pid = 0;
  // /proc/self/exe: this very binary, whatever argv[0] or the working folder say.
  const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start a seed's run: ") + std::strerror(rc));
  return pid;
}

}  // namespace

void run_seeds(int argc, char** argv, const SeedPlan& plan, const std::string& out_dir) {
  const std::vector<std::string> common = passthrough_args(argc, argv);
  const std::size_t jobs = plan.jobs > 0 ? std::size_t(plan.jobs) : plan.seeds.size();
  std::printf("%zu seeds (%s), %zu at a time, each in its own process; reports in %s/seed_*/\n",
              plan.seeds.size(), [&] {
                std::string s;
                for (auto seed : plan.seeds) s += (s.empty() ? "" : ",") + std::to_string(seed);
                return s;
              }().c_str(), std::min(jobs, plan.seeds.size()), out_dir.c_str());
  std::fflush(stdout);
  // Seeds running side by side share the cores: unless told otherwise (--threads or
  // XGRAD_NUM_THREADS), each gets its share, so that N processes do not each start a pool as
  // wide as the machine and wait on threads that have no core.
  const bool threads_given = std::getenv("XGRAD_NUM_THREADS") ||
      std::any_of(common.begin(), common.end(), [](const std::string& a) {
        return a == "--threads" || a.rfind("--threads=", 0) == 0;
      });
  if (!threads_given) {
    const std::size_t at_once = std::max<std::size_t>(1, std::min(jobs, plan.seeds.size()));
    const int share = std::max(1, xgrad::num_threads() / int(at_once));
    setenv("XGRAD_NUM_THREADS", std::to_string(share).c_str(), 1);
  }
  std::map<pid_t, Child> running;
  std::vector<std::string> failures;
  std::size_t next = 0;
  while (next < plan.seeds.size() || !running.empty()) {
    while (next < plan.seeds.size() && running.size() < jobs) {
      const std::uint64_t seed = plan.seeds[next++];
      const std::string dir = seed_dir(out_dir, seed);
      ensure_dir(dir);
      std::vector<std::string> args{argv[0]};
      args.insert(args.end(), common.begin(), common.end());
      for (const char* a : {"--seed", "", "--out-dir", "", "--no-plots"}) args.emplace_back(a);
      args[args.size() - 4] = std::to_string(seed);
      args[args.size() - 2] = dir;
      running[spawn(args, dir)] = Child{seed, dir, std::chrono::steady_clock::now()};
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) throw std::runtime_error(std::string("waiting for a seed's run: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Child child = it->second;
    running.erase(it);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - child.start).count();
    // A run whose own single-seed conclusions failed still wrote its results: the conclusions
    // that count are checked over every seed afterwards.
    const bool ok = WIFEXITED(status) &&
                    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == kConclusionFailedExit);
    std::printf("seed %llu: %s in %.1f s (%s/report.txt)\n", (unsigned long long)child.seed,
                ok ? "done" : "FAILED", seconds, child.dir.c_str());
    std::fflush(stdout);
    if (!ok) {
      failures.push_back("seed " + std::to_string(child.seed) + " (" +
                         (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status))) +
                         "; see " + child.dir + "/log.txt)");
    }
  }
  if (!failures.empty()) {
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : ", ") + f;
    throw std::runtime_error("a seed's run failed: " + all);
  }
}

std::vector<std::string> run_plan(int argc, char** argv, const SeedPlan& plan,
                                  const std::string& out_dir,
                                  const std::function<void(std::uint64_t seed)>& run_one) {
  std::vector<std::string> dirs;
  if (plan.several()) {
    ensure_dir(out_dir);
    run_seeds(argc, argv, plan, out_dir);
    for (auto seed : plan.seeds) dirs.push_back(seed_dir(out_dir, seed));
  } else {
    run_one(plan.seeds[0]);
    dirs.push_back(out_dir);
  }
  return dirs;
}

}  // namespace examples
