#include "plot.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace examples {

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

bool render_plot(const std::string& script, const std::vector<std::string>& args) {
  const std::string python = "/usr/bin/python3";
  const std::string path = std::string(XGRAD_PLOT_SCRIPT_DIR) + "/" + script;
  if (!std::filesystem::exists(python)) {
    std::fprintf(stderr, "plot skipped: %s not found (apt-get install python3-matplotlib)\n",
                 python.c_str());
    return false;
  }
  std::string cmd = python + " " + quote(path);
  for (const auto& a : args) cmd += " " + quote(a);
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "plot failed (%d): %s\n", rc, cmd.c_str());
    return false;
  }
  return true;
}

}  // namespace examples
