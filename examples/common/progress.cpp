#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace examples {

ProgressBar::ProgressBar(std::string label, long total)
    : label_(std::move(label)), total_(total > 0 ? total : 1), tty_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(long done, const std::string& note) {
  const auto now = std::chrono::steady_clock::now();
  const double frac = double(done) / double(total_);
  const double elapsed = elapsed_seconds();
  const double eta = done > 0 ? elapsed * (1 - frac) / frac : 0;
  if (tty_) {
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 30, filled = int(frac * width);
    std::fprintf(stderr, "\r%-14s [%.*s%*s] %5.1f%%  %6.1fs  ETA %5.1fs  %s\033[K", label_.c_str(),
                 filled, "##############################", width - filled, "", 100 * frac,
                 elapsed, eta, note.c_str());
  } else {
    const int decile = int(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %3d%%  %.1fs elapsed, ETA %.1fs  %s\n", label_.c_str(), decile * 10,
                 elapsed, eta, note.c_str());
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (tty_) std::fprintf(stderr, "\n");
  std::fprintf(stderr, "%s: done in %.1fs\n", label_.c_str(), elapsed_seconds());
}

}  // namespace examples
