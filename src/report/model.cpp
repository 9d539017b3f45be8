#include "report/model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace pardemo::report::model {
namespace {

void require_ranks(int p, const char* what) {
  if (p < 1) throw std::invalid_argument(std::string(what) + ": p must be at least 1, got " + std::to_string(p));
}

double ceil_div(std::uint64_t n, int parts) {
  const auto d = static_cast<std::uint64_t>(parts);
  const std::uint64_t q = (n + d - 1) / d;  // rounded up in integers, then made a double
  return static_cast<double>(q);
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

double items_gather_s(const ItemsGather& g, const Link& link, int p) {
  const double per_rank = g.result_bytes / p;
  constexpr double kHeaderBytes = 32;  // flat: one piece header per rank, before the pieces
  return barrier_s(link, p) + binomial_gather_s(link, p, 4) + (g.flat ? linear_gather_s(link, p, kHeaderBytes) : 0) +
         linear_gather_s(link, p, per_rank);
}

double halo_s(const Halo& h, const Link& link, int p) {
  const Grid g = process_grid(p);
  const double r = h.radius;
  const double block_rows = ceil_div(h.n, g.rows);
  const double block_cols = ceil_div(h.n, g.cols);
  const double vertical = std::min(g.rows - 1, 2);
  const double horizontal = std::min(g.cols - 1, 2);
  const double per_iteration =
      vertical * message_s(link, 8 * r * block_cols) + horizontal * message_s(link, 8 * r * block_rows);
  const double row_sums = message_s(link, 8 * block_rows);
  const double chain = (g.cols - 1) * row_sums;
  const double senders = g.cols > 1 ? g.rows : g.rows - 1;
  return static_cast<double>(h.iterations) * per_iteration + chain + senders * row_sums;
}

double sample_sort_s(const SampleSort& s, const Link& link, int p) {
  const double dp = p;
  const double keys_per_pair = 8.0 * static_cast<double>(s.keys) / (dp * dp);
  return 2 * barrier_s(link, p) + allgather_s(link, p, 4) + allgather_s(link, p, 8 * dp + 16) + alltoall_s(link, p, 8) +
         tree_s(link, p, 4) + alltoall_s(link, p, keys_per_pair) + binomial_gather_s(link, p, 56);
}

double tree_merge_s(const TreeMerge& t, const Link& link, int p) {
  return ceil_log2(p) * (t.messages_per_step * link.alpha_s + t.table_bytes / link.beta_bytes_per_s);
}

}  // namespace

LinkFit fit_latency_bandwidth(std::span<const double> sizes_bytes, std::span<const double> seconds,
                              Weighting weighting) {
  if (sizes_bytes.size() != seconds.size())
    throw std::invalid_argument("fit_latency_bandwidth: " + std::to_string(sizes_bytes.size()) + " sizes but " +
                                std::to_string(seconds.size()) + " times");
  const std::size_t n = sizes_bytes.size();
  std::vector<double> w(n, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double m = sizes_bytes[i];
    const double t = seconds[i];
    if (!std::isfinite(m) || !std::isfinite(t) || m < 0 || t < 0)
      throw std::invalid_argument("fit_latency_bandwidth: point " + std::to_string(i) +
                                  " has a negative or non-finite size or time");
    if (weighting == Weighting::relative) {
      if (t <= 0) throw std::invalid_argument("fit_latency_bandwidth: relative weighting needs positive times");
      w[i] = 1 / (t * t);
    }
  }
  // Weighted means, then centred sums: numerically stable for sizes up to GiB.
  double sw = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sw += w[i];
    mx += w[i] * sizes_bytes[i];
    my += w[i] * seconds[i];
  }
  if (n < 2 || sw <= 0) throw std::invalid_argument("fit_latency_bandwidth: needs at least two points");
  mx /= sw;
  my /= sw;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = sizes_bytes[i] - mx;
    const double dy = seconds[i] - my;
    sxx += w[i] * dx * dx;
    sxy += w[i] * dx * dy;
    syy += w[i] * dy * dy;
  }
  if (!(sxx > 0)) throw std::invalid_argument("fit_latency_bandwidth: needs at least two distinct sizes");
  const double slope = sxy / sxx;
  LinkFit fit;
  fit.alpha_s = my - slope * mx;
  fit.beta_bytes_per_s = slope > 0 ? 1 / slope : std::numeric_limits<double>::infinity();
  double ss_res = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = seconds[i] - (fit.alpha_s + slope * sizes_bytes[i]);
    ss_res += w[i] * r * r;
  }
  fit.r2 = syy > 0 ? 1 - ss_res / syy : (ss_res == 0 ? 1.0 : 0.0);
  return fit;
}

double message_s(const Link& link, double bytes) { return link.alpha_s + bytes / link.beta_bytes_per_s; }

int ceil_log2(int p) {
  require_ranks(p, "ceil_log2");
  int rounds = 0;
  for (long long reach = 1; reach < p; reach *= 2) ++rounds;
  return rounds;
}

double barrier_s(const Link& link, int p) { return ceil_log2(p) * link.alpha_s; }

double tree_s(const Link& link, int p, double bytes) { return ceil_log2(p) * message_s(link, bytes); }

double binomial_gather_s(const Link& link, int p, double bytes_per_rank) {
  return ceil_log2(p) * link.alpha_s + (p - 1) * bytes_per_rank / link.beta_bytes_per_s;
}

double linear_gather_s(const Link& link, int p, double bytes_per_rank) {
  require_ranks(p, "linear_gather_s");
  return (p - 1) * message_s(link, bytes_per_rank);
}

double allgather_s(const Link& link, int p, double bytes_per_rank) {
  return ceil_log2(p) * link.alpha_s + (p - 1) * bytes_per_rank / link.beta_bytes_per_s;
}

double alltoall_s(const Link& link, int p, double bytes_per_pair) {
  require_ranks(p, "alltoall_s");
  return (p - 1) * message_s(link, bytes_per_pair);
}

Grid process_grid(int p) {
  require_ranks(p, "process_grid");
  std::vector<int> factors;  // ascending
  int rest = p;
  for (int f = 2; f * f <= rest; ++f) {
    while (rest % f == 0) {
      factors.push_back(f);
      rest /= f;
    }
  }
  if (rest > 1) factors.push_back(rest);
  int dims[2] = {1, 1};
  std::reverse(factors.begin(), factors.end());  // largest first
  for (const int f : factors) {
    const int smaller = dims[1] < dims[0] ? 1 : 0;  // ties go to the first dimension
    dims[smaller] *= f;
  }
  return {std::max(dims[0], dims[1]), std::min(dims[0], dims[1])};
}

ItemsGather ep_pattern(std::uint64_t batches, int p) {
  require_ranks(p, "ep_pattern");
  return {16.0 * static_cast<double>(batches) + p * (80 + kPieceOverheadBytes)};
}

ItemsGather primes_pattern(int p) {
  require_ranks(p, "primes_pattern");
  return {p * (8 + kPieceOverheadBytes)};
}

ItemsGather mandelbrot_pattern(std::uint64_t width, std::uint64_t height, int p) {
  require_ranks(p, "mandelbrot_pattern");
  return {4.0 * static_cast<double>(width) * static_cast<double>(height), true};
}

std::string_view name(const Pattern& pattern) {
  return std::visit(Overloaded{[](const ItemsGather&) { return std::string_view("items gather"); },
                               [](const Halo&) { return std::string_view("halo exchange"); },
                               [](const SampleSort&) { return std::string_view("sample sort"); },
                               [](const TreeMerge&) { return std::string_view("tree merge"); }},
                    pattern);
}

double communication_s(const Pattern& pattern, const Link& link, int p) {
  require_ranks(p, "communication_s");
  if (p == 1) return 0;
  return std::visit(Overloaded{[&](const ItemsGather& g) { return items_gather_s(g, link, p); },
                               [&](const Halo& h) { return halo_s(h, link, p); },
                               [&](const SampleSort& s) { return sample_sort_s(s, link, p); },
                               [&](const TreeMerge& t) { return tree_merge_s(t, link, p); }},
                    pattern);
}

Prediction predict(const Pattern& pattern, const Params& params, int p) {
  require_ranks(p, "predict");
  if (!(params.t1_s > 0) || !std::isfinite(params.t1_s))
    throw std::invalid_argument("predict: the serial time must be positive and finite");
  Prediction out;
  out.compute_s = params.t1_s / p;
  out.comm_s = communication_s(pattern, params.link, p);
  out.time_s = out.compute_s + out.comm_s;
  out.speedup = p == 1 ? 1.0 : params.t1_s / out.time_s;
  out.efficiency = out.speedup / p;
  return out;
}

double relative_error(double predicted_s, double measured_s) {
  if (!(measured_s > 0)) throw std::invalid_argument("relative_error: the measured time must be positive");
  return (predicted_s - measured_s) / measured_s;
}

}  // namespace pardemo::report::model
