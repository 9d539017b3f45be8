#include "report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pardemo::report {

Spread spread(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  s.avg = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  return s;
}

std::size_t median_index(const std::vector<double>& values) {
  if (values.empty()) return 0;
  std::vector<std::size_t> idx(values.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  return idx[(values.size() - 1) / 2];
}

WorkerSummary summarize(const std::vector<WorkerTimes>& workers) {
  std::vector<double> compute;
  std::vector<double> comm;
  std::vector<double> wait;
  for (const auto& w : workers) {
    compute.push_back(w.compute);
    comm.push_back(w.comm);
    wait.push_back(w.wait);
  }
  WorkerSummary s{spread(compute), spread(comm), spread(wait), 1.0};
  if (s.compute.avg > 0) s.imbalance = s.compute.max / s.compute.avg;
  return s;
}

double karp_flatt(double speedup, int workers) {
  if (workers <= 1 || speedup <= 0) return std::numeric_limits<double>::quiet_NaN();
  const double p = workers;
  return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}

double amdahl_speedup(double serial_fraction, int workers) {
  return 1.0 / (serial_fraction + (1.0 - serial_fraction) / workers);
}

double amdahl_fit(const std::vector<int>& workers, const std::vector<double>& speedups) {
  // Minimise sum (y - f x)^2 with x = 1 - 1/p, y = 1/S - 1/p: f = sum xy / sum xx.
  double xy = 0;
  double xx = 0;
  for (std::size_t i = 0; i < workers.size() && i < speedups.size(); ++i) {
    if (workers[i] <= 1 || speedups[i] <= 0) continue;
    const double p = workers[i];
    const double x = 1.0 - 1.0 / p;
    xy += x * (1.0 / speedups[i] - 1.0 / p);
    xx += x * x;
  }
  if (xx == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(xy / xx, 0.0, 1.0);
}

double gustafson_speedup(double serial_fraction, int workers) { return workers - serial_fraction * (workers - 1); }

double gustafson_fit(const std::vector<int>& workers, const std::vector<double>& scaled_speedups) {
  // p - S = f (p - 1): f = sum (p - 1)(p - S) / sum (p - 1)^2.
  double xy = 0;
  double xx = 0;
  for (std::size_t i = 0; i < workers.size() && i < scaled_speedups.size(); ++i) {
    if (workers[i] <= 1) continue;
    const double x = workers[i] - 1.0;
    xy += x * (workers[i] - scaled_speedups[i]);
    xx += x * x;
  }
  if (xx == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(xy / xx, 0.0, 1.0);
}

}  // namespace pardemo::report
