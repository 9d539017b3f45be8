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

// Karp and Flatt's experimentally determined serial fraction,
// e = (1/S - 1/p) / (1 - 1/p), from a speedup S on p > 1 workers. Near-constant
// e as p grows means a serial part limits the speedup; growing e means overheads
// (communication, imbalance) grow with p. NaN for p <= 1.
double karp_flatt(double speedup, int workers);

// Amdahl's law S(p) = 1 / (f + (1 - f) / p), fitted to measured speedups: the
// serial fraction f by least squares on 1/S - 1/p = f (1 - 1/p), over points
// with p > 1. Clamped to [0, 1]. NaN when no point has p > 1.
double amdahl_fit(const std::vector<int>& workers, const std::vector<double>& speedups);
double amdahl_speedup(double serial_fraction, int workers);

// Gustafson's law for weak scaling, S(p) = p - f (p - 1); f fitted by least
// squares to measured scaled speedups over points with p > 1 (NaN when none).
double gustafson_speedup(double serial_fraction, int workers);
double gustafson_fit(const std::vector<int>& workers, const std::vector<double>& scaled_speedups);

}  // namespace pardemo::report
