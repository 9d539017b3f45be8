#include "core/ep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>

namespace pardemo::core::ep {

const std::vector<ClassInfo>& classes() {
  static const std::vector<ClassInfo> table{
      {'S', 24, -3.247834652034740e3, -6.958407078382297e3}, {'W', 25, -2.863319731645753e3, -6.320053679109499e3},
      {'A', 28, -4.295875165629892e3, -1.580732573678431e4}, {'B', 30, 4.033815542441498e4, -2.660669192809235e4},
      {'C', 32, 4.764367927995374e4, -8.084072988043731e4},
  };
  return table;
}

std::optional<ClassInfo> find_class(char name) {
  for (const auto& c : classes())
    if (c.name == name) return c;
  return std::nullopt;
}

namespace {
// Numbers are made in blocks that stay in L1, by kLanes independent streams
// (stream l produces numbers l, l + kLanes, ...), so the multiplications do not
// wait on each other.
constexpr int kLanes = 8;
constexpr std::size_t kBlock = 4096;  // numbers per block, a multiple of 2 * kLanes
constexpr double kR46 = 0x1p-46;
}  // namespace

void compute_batch(std::uint64_t k, double& sx_out, double& sy_out, std::array<std::uint64_t, kAnnuli>& q) {
  static const auto powers = [] {
    std::array<std::uint64_t, kLanes + 1> p{};
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = lcg_pow(kMultiplier, i);
    return p;
  }();
  const std::uint64_t step = powers[kLanes];

  std::array<std::uint64_t, kLanes> lane{};
  const std::uint64_t seed = batch_seed(k);
  for (int l = 0; l < kLanes; ++l)
    lane[static_cast<std::size_t>(l)] = lcg_next(powers[static_cast<std::size_t>(l) + 1], seed);

  alignas(64) double x[kBlock];
  double sx = 0.0;
  double sy = 0.0;
  std::array<std::uint64_t, kAnnuli> counts{};
  for (std::uint64_t done = 0; done < 2 * kPairsPerBatch; done += kBlock) {
    for (std::size_t i = 0; i < kBlock; i += kLanes) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        x[i + l] = static_cast<double>(static_cast<std::int64_t>(lane[l])) * kR46;
        lane[l] = lcg_next(step, lane[l]);
      }
    }
    for (std::size_t i = 0; i < kBlock; i += 2) {
      const double x1 = 2.0 * x[i] - 1.0;
      const double x2 = 2.0 * x[i + 1] - 1.0;
      const double t1 = x1 * x1 + x2 * x2;
      if (t1 <= 1.0) {
        const double t2 = std::sqrt(-2.0 * std::log(t1) / t1);
        const double t3 = x1 * t2;
        const double t4 = x2 * t2;
        const auto l = static_cast<std::size_t>(std::max(std::fabs(t3), std::fabs(t4)));
        ++counts[l];
        sx += t3;
        sy += t4;
      }
    }
  }
  sx_out = sx;
  sy_out = sy;
  for (std::size_t i = 0; i < kAnnuli; ++i) q[i] += counts[i];
}

Partial Workload::compute(Range r) const {
  Partial p;
  p.sx.resize(r.size());
  p.sy.resize(r.size());
  for (std::uint64_t k = r.begin; k < r.end; ++k) compute_batch(k, p.sx[k - r.begin], p.sy[k - r.begin], p.q);
  return p;
}

void Workload::merge(Partial& acc, Partial&& next) {
  acc.sx.insert(acc.sx.end(), next.sx.begin(), next.sx.end());
  acc.sy.insert(acc.sy.end(), next.sy.begin(), next.sy.end());
  for (std::size_t i = 0; i < kAnnuli; ++i) acc.q[i] += next.q[i];
}

Result Workload::finish(Partial&& p) const {
  Result r;
  // Batch order, always: the same additions in the same order for any decomposition.
  for (double v : p.sx) r.sx += v;
  for (double v : p.sy) r.sy += v;
  r.q = p.q;
  r.gaussian_pairs = std::accumulate(p.q.begin(), p.q.end(), std::uint64_t{0});
  return r;
}

double randlc(double& x, double a) {
  constexpr double r23 = 0x1p-23;
  constexpr double r46 = r23 * r23;
  constexpr double t23 = 0x1p23;
  constexpr double t46 = t23 * t23;
  double t1 = r23 * a;
  const auto a1 = static_cast<double>(static_cast<std::int64_t>(t1));
  const double a2 = a - t23 * a1;
  t1 = r23 * x;
  const auto x1 = static_cast<double>(static_cast<std::int64_t>(t1));
  const double x2 = x - t23 * x1;
  t1 = a1 * x2 + a2 * x1;
  const auto t2 = static_cast<double>(static_cast<std::int64_t>(r23 * t1));
  const double z = t1 - t23 * t2;
  const double t3 = t23 * z + a2 * x2;
  const auto t4 = static_cast<double>(static_cast<std::int64_t>(r46 * t3));
  x = t3 - t46 * t4;
  return r46 * x;
}

Result reference(std::uint64_t batches) {
  Result r;
  auto x = static_cast<double>(kSeed);
  const auto a = static_cast<double>(kMultiplier);
  for (std::uint64_t i = 0; i < batches * kPairsPerBatch; ++i) {
    const double x1 = 2.0 * randlc(x, a) - 1.0;
    const double x2 = 2.0 * randlc(x, a) - 1.0;
    const double t1 = x1 * x1 + x2 * x2;
    if (t1 <= 1.0) {
      const double t2 = std::sqrt(-2.0 * std::log(t1) / t1);
      const double t3 = x1 * t2;
      const double t4 = x2 * t2;
      ++r.q[static_cast<std::size_t>(std::max(std::fabs(t3), std::fabs(t4)))];
      r.sx += t3;
      r.sy += t4;
    }
  }
  r.gaussian_pairs = std::accumulate(r.q.begin(), r.q.end(), std::uint64_t{0});
  return r;
}

Verification Workload::verify(const Result& r) const {
  if (!is_class_size()) {
    // A sweep verifies every backend at the same size: compute each reference once.
    static std::mutex mutex;
    static std::map<std::uint64_t, Result> computed;
    const std::lock_guard lock(mutex);
    auto it = computed.find(batches_);
    if (it == computed.end()) it = computed.emplace(batches_, reference(batches_)).first;
    const Result& ref = it->second;
    const double ex = std::fabs((r.sx - ref.sx) / ref.sx);
    const double ey = std::fabs((r.sy - ref.sy) / ref.sy);
    Verification v;
    v.passed = ex <= kEpsilon && ey <= kEpsilon && r.q == ref.q;
    v.reference = "NPB's double-precision randlc, drawn serially (no published sums for this size)";
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "sx %.15e vs %.15e (rel. err %.1e), sy %.15e vs %.15e (rel. err %.1e), tolerance %.0e; annulus "
                  "counts %s",
                  r.sx, ref.sx, ex, r.sy, ref.sy, ey, kEpsilon, r.q == ref.q ? "equal" : "DIFFER");
    v.detail = buf;
    return v;
  }
  const double ex = std::fabs((r.sx - cls_.sx) / cls_.sx);
  const double ey = std::fabs((r.sy - cls_.sy) / cls_.sy);
  Verification v;
  v.passed = ex <= kEpsilon && ey <= kEpsilon;
  char buf[256];
  std::snprintf(buf, sizeof buf, "NPB 3.3 published sums for class %c", cls_.name);
  v.reference = buf;
  std::snprintf(buf, sizeof buf, "sx %.15e vs %.15e (rel. err %.1e), sy %.15e vs %.15e (rel. err %.1e), tolerance %.0e",
                r.sx, cls_.sx, ex, r.sy, cls_.sy, ey, kEpsilon);
  v.detail = buf;
  return v;
}

std::vector<Field> Workload::fields(const Result& r) {
  std::vector<Field> f{{"sx", r.sx}, {"sy", r.sy}, {"gaussian_pairs", r.gaussian_pairs}};
  static const std::array<std::string, kAnnuli> names{"q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"};
  for (std::size_t i = 0; i < kAnnuli; ++i) f.push_back({names[i], r.q[i]});
  return f;
}

std::vector<Field> Workload::parameters() const {
  if (!is_class_size())
    return {
        {"class", std::string(1, cls_.name)}, {"batches", items()}, {"random_numbers", 2 * items() * kPairsPerBatch}};
  return {{"class", std::string(1, cls_.name)},
          {"m", static_cast<std::uint64_t>(cls_.m)},
          {"batches", items()},
          {"random_numbers", 2ULL << cls_.m}};
}

}  // namespace pardemo::core::ep
