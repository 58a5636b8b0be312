#pragma once
// A one-line progress bar with ETA on stderr (a line per 10% when stderr is not a terminal).
#include <chrono>
#include <string>

namespace examples {

class ProgressBar {
public:
  ProgressBar(std::string label, long total);
  /// Reports that `done` of `total` steps are finished; `note` is shown after the bar.
  void update(long done, const std::string& note = "");
  /// Ends the line and prints the elapsed time.
  void finish();
  double elapsed_seconds() const;

private:
  std::string label_;
  long total_;
  int last_decile_ = -1;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace examples
