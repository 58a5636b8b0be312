#pragma once
// Renders PNG plots from the CSV files with matplotlib (Debian's python3-matplotlib), through
// the scripts in examples/plots/.
#include <string>
#include <vector>

namespace examples {

/// Runs `examples/plots/<script>` with `args` under /usr/bin/python3. Returns false (and says
/// why on stderr) when Python or matplotlib is missing or the script fails; never throws.
bool render_plot(const std::string& script, const std::vector<std::string>& args);

}  // namespace examples
