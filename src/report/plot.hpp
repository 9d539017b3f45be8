#pragma once
// Pictures of scaling summaries, drawn by gnuplot (PNG through cairo, and SVG).
// Each picture's data and gnuplot script are kept beside it, so it can be
// restyled by hand; images are written under a temporary name and renamed, so a
// failed plot never leaves half an image.
#include <string>
#include <vector>

#include "report/scaling.hpp"

namespace pardemo::report::plot {

// For each group: NAME-speedup, NAME-efficiency, NAME-workers (compute /
// communicate / wait of every worker at each backend's largest worker count) and
// NAME-timeline (when each of those workers computed, talked and waited),
// as .png and .svg in `dir` (created if missing). NAME is the workload, mode and
// size. `machine` goes in the titles. Returns the images written. Throws
// std::runtime_error when gnuplot is missing or fails.
std::vector<std::string> scaling_plots(const std::vector<scaling::Group>& groups, const std::string& dir,
                                       const std::string& machine);

// Runs gnuplot on `script`; throws std::runtime_error naming the problem.
void run_gnuplot(const std::string& script);

// Lower-case letters, digits, '-' and '.', nothing else; at most 60 characters.
std::string file_stem(const std::string& text);

}  // namespace pardemo::report::plot
