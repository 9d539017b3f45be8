#include "report/stats.hpp"

#include <algorithm>
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

}  // namespace pardemo::report
