#pragma once
// Statistics over repeats and over workers.
#include <cstddef>
#include <vector>

#include "report/timer.hpp"

namespace pardemo::report {

struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
  double avg = 0;
};

// Median (mean of the two middle values for an even count), min, max, mean.
// An empty input gives all zeros.
Spread spread(std::vector<double> values);

// Index of the median element (the lower middle for an even count).
std::size_t median_index(const std::vector<double>& values);

struct WorkerSummary {
  Spread compute;
  Spread comm;
  Spread wait;
  double imbalance = 1;  // max / avg compute; 1 is perfect balance
};

WorkerSummary summarize(const std::vector<WorkerTimes>& workers);

}  // namespace pardemo::report
