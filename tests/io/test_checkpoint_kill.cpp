// Killing the process in the middle of io::save leaves the previous checkpoint intact and
// loadable: a child process saves a large checkpoint over an existing one in a loop and is
// SIGKILLed, either the moment its temporary file appears (so mid-write, deterministically)
// or after a varying delay (anywhere, the rename included). After every kill the target must
// be byte-identical to one complete checkpoint and load into a fresh model.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <xgrad/io/checkpoint.hpp>
#include <xgrad/nn/nn.hpp>

#include "support/test_utils.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {

// 2048 x 2048 floats: a 16 MB file, so writing and fsyncing it takes a while.
std::shared_ptr<nn::Dense> big_model(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return std::make_shared<nn::Dense>(2048, 2048, true, rng);
}

std::vector<char> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

// The hidden temporary files io::save creates next to `target` (".<name>.tmp.XXXXXX").
std::vector<fs::path> temp_files(const fs::path& target) {
  std::vector<fs::path> out;
  const std::string prefix = "." + target.filename().string() + ".tmp.";
  for (const auto& e : fs::directory_iterator(target.parent_path())) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  return out;
}

}  // namespace

TEST_CASE("checkpoint: a save killed at any moment leaves the old file intact", "[io][kill]") {
  const fs::path dir = fs::temp_directory_path() /
                       ("xgrad_kill_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const fs::path target = dir / "model.safetensors";

  auto old_model = big_model(1);
  io::save(*old_model, target.string());
  const auto old_bytes = read_all(target);
  // The child alternates between two new models, so each completed save changes the file.
  auto new_a = big_model(2), new_b = big_model(3);
  io::save(*new_a, (dir / "a.safetensors").string());
  io::save(*new_b, (dir / "b.safetensors").string());
  const auto a_bytes = read_all(dir / "a.safetensors");
  const auto b_bytes = read_all(dir / "b.safetensors");

  int mid_write_kills = 0, completed_saves_seen = 0;
  const int rounds = 8;
  for (int round = 0; round < rounds; ++round) {
    const std::size_t stray_before = temp_files(target).size();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      // Child: save forever (until killed). Never return into the test framework.
      try {
        for (unsigned i = 0;; ++i) io::save(i % 2 ? *new_b : *new_a, target.string());
      } catch (...) {
        ::_exit(3);
      }
    }
    if (round % 2 == 0) {
      // Kill as soon as a new temporary file exists: the write is under way.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (temp_files(target).size() <= stray_before &&
             std::chrono::steady_clock::now() < deadline) {
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(15 * round));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));  // it was still saving, not failed
    REQUIRE(WTERMSIG(status) == SIGKILL);

    if (temp_files(target).size() > stray_before) ++mid_write_kills;
    const auto now = read_all(target);
    const bool is_old = now == old_bytes, is_a = now == a_bytes, is_b = now == b_bytes;
    INFO("round " << round << ": target has " << now.size() << " bytes");
    REQUIRE((is_old || is_a || is_b));
    completed_saves_seen += !is_old;
    auto fresh = big_model(9);
    REQUIRE_NOTHROW(io::load(*fresh, target.string()));
    CHECK((fresh->kernel().value() ==
           (is_old ? old_model : is_a ? new_a : new_b)->kernel().value()));
  }
  // The test is only worth something if kills really landed inside a write.
  INFO("kills inside a write: " << mid_write_kills << ", rounds that found a completed new "
       "save: " << completed_saves_seen);
  CHECK(mid_write_kills >= rounds / 2);

  // What a kill leaves behind: hidden ".model.safetensors.tmp.XXXXXX" files, never read by
  // load (the target name is never partial) and removable at any time.
  const auto stray = temp_files(target);
  CHECK(int(stray.size()) == mid_write_kills);
  for (const auto& p : stray) CHECK(fs::file_size(p) <= old_bytes.size());
  io::save(*old_model, target.string());  // a later save is unaffected by them
  const bool saved_again = read_all(target) == old_bytes;  // a bool: Catch would print 16 MB
  CHECK(saved_again);
}
