// data/fetch_mnist.sh and data/fetch_fashion_mnist.sh, run on a scratch copy of data/.
// Only offline paths are exercised (explicit --from sources), so no test touches the network.
#include <catch2/catch.hpp>
#include <xgrad/data/mnist.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/idx_fixtures.hpp"
#include "support/skip.hpp"

namespace fs = std::filesystem;
using namespace xgrad;
using Catch::Matchers::Contains;

namespace {

const fs::path kRepo = XGRAD_SOURCE_DIR;

/// A scratch checkout holding only data/'s scripts and checksum lists.
struct ScratchRepo {
  test::TempDir tmp;
  fs::path repo = tmp.path() / "repo";
  ScratchRepo() {
    fs::create_directories(repo / "data");
    for (const char* f : {"fetch_mnist.sh", "fetch_fashion_mnist.sh", "fetch_common.sh",
                          "SHA256SUMS", "SHA256SUMS.fashion-mnist"}) {
      fs::copy_file(kRepo / "data" / f, repo / "data" / f);
    }
  }
  /// Runs a script with arguments from another folder; returns its exit status and output.
  int run(const std::string& script, const std::string& args, std::string* output) {
    const std::string log = (tmp.path() / "log.txt").string();
    const std::string cmd = "cd / && bash '" + (repo / "data" / script).string() + "' " + args +
                            " >'" + log + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    *output = ss.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

bool have_bash() { return std::system("bash -c true >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("fetch_mnist.sh: copies and verifies from --from, is idempotent, fails plainly",
          "[data][fetch]") {
  const fs::path shared = fs::absolute(kRepo / ".." / "shared" / "data" / "mnist");
  if (!have_bash() || !data::has_mnist_files(shared.string())) {
    return test::skip("bash or ../shared/data/mnist missing: fetch_mnist.sh not tested");
  }
  ScratchRepo s;
  test::ScopedEnv env("XGRAD_MNIST_DIR", nullptr);
  std::string out;
  REQUIRE(s.run("fetch_mnist.sh", "--from '" + shared.string() + "'", &out) == 0);
  INFO(out);
  CHECK_THAT(out, Contains("MNIST is complete"));
  CHECK(data::has_mnist_files((s.repo / "data" / "mnist").string()));
  CHECK(data::load_mnist((s.repo / "data" / "mnist").string(), data::Split::Test).size() == 10000);

  // Second run: nothing to do.
  REQUIRE(s.run("fetch_mnist.sh", "--from '" + shared.string() + "'", &out) == 0);
  CHECK_THAT(out, Contains("already present"));
  CHECK_THAT(out, !Contains("copied"));

  // A damaged file is replaced.
  test::write_raw((s.repo / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz").string(), {1, 2, 3});
  REQUIRE(s.run("fetch_mnist.sh", "--from '" + shared.string() + "'", &out) == 0);
  CHECK_THAT(out, Contains("checksum is wrong") && Contains("t10k-labels-idx1-ubyte.gz: copied"));

  // A source with a bad file: non-zero exit, plain message, the good file is not replaced.
  fs::remove(s.repo / "data" / "mnist" / "t10k-images-idx3-ubyte.gz");
  const fs::path bad = s.tmp.path() / "bad";
  fs::create_directories(bad);
  test::write_raw((bad / "t10k-images-idx3-ubyte.gz").string(), {0x1f, 0x8b, 0});
  CHECK(s.run("fetch_mnist.sh", "--from '" + bad.string() + "'", &out) == 1);
  CHECK_THAT(out, Contains("MNIST is unavailable") && Contains("does not match"));
  CHECK_FALSE(fs::exists(s.repo / "data" / "mnist" / "t10k-images-idx3-ubyte.gz"));

  // A missing source folder.
  CHECK(s.run("fetch_mnist.sh", "--from '" + (s.tmp.path() / "nope").string() + "'", &out) == 1);
  CHECK_THAT(out, Contains("no such folder"));
  // No temporary files left behind.
  for (auto& e : fs::directory_iterator(s.repo / "data" / "mnist")) {
    CHECK(e.path().filename().string().find(".part.") == std::string::npos);
  }
}

TEST_CASE("fetch_fashion_mnist.sh: links or copies Debian's files, verified",
          "[data][fetch]") {
  const std::string debian = "/usr/share/datasets/fashion-mnist";
  if (!have_bash() || !data::has_mnist_files(debian)) {
    return test::skip("bash or Debian's dataset-fashion-mnist missing: fetch_fashion_mnist.sh "
                      "not tested");
  }
  ScratchRepo s;
  test::ScopedEnv env("XGRAD_FASHION_MNIST_DIR", nullptr);
  std::string out;
  REQUIRE(s.run("fetch_mnist.sh", "--fashion", &out) == 0);
  INFO(out);
  const fs::path dest = s.repo / "data" / "fashion-mnist";
  CHECK(fs::is_symlink(dest / "train-images-idx3-ubyte.gz"));
  CHECK(data::load_mnist(dest.string(), data::Split::Test).labels(0) == 9);

  fs::remove(dest / "t10k-labels-idx1-ubyte.gz");
  REQUIRE(s.run("fetch_fashion_mnist.sh", "--copy", &out) == 0);
  CHECK_FALSE(fs::is_symlink(dest / "t10k-labels-idx1-ubyte.gz"));
  CHECK(fs::is_regular_file(dest / "t10k-labels-idx1-ubyte.gz"));

  fs::remove_all(dest);
  CHECK(s.run("fetch_fashion_mnist.sh", "--from /nonexistent-folder", &out) == 1);
  CHECK_THAT(out, Contains("Fashion-MNIST is unavailable") && Contains("dataset-fashion-mnist"));
}
