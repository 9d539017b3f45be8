#include "core/sort.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <stdexcept>

namespace pardemo::core::sort {

std::string validate(const Params& p) {
  if (p.n == 0) return "n must be at least 1 (got 0)";
  if (p.n > kMaxKeys)
    return "n must be at most 2^32 = " + std::to_string(kMaxKeys) + " (got " + std::to_string(p.n) + ")";
  return {};
}

const std::vector<ClassInfo>& classes() {
  static const std::vector<ClassInfo> table = {
      {'S', {1ULL << 20, kDefaultSeed, 0}}, {'W', {1ULL << 22, kDefaultSeed, 0}}, {'A', {1ULL << 24, kDefaultSeed, 0}},
      {'B', {1ULL << 26, kDefaultSeed, 0}}, {'C', {1ULL << 28, kDefaultSeed, 0}},
  };
  return table;
}

std::optional<Params> find_class(char name) {
  for (const auto& c : classes())
    if (c.name == name) return c.params;
  return std::nullopt;
}

void generate_keys(const Params& p, Range r, std::span<Key> out) {
  if (out.size() != r.size()) throw std::invalid_argument("sort::generate_keys: output size differs from the range");
  for (std::uint64_t i = 0; i < r.size(); ++i) out[i] = key(p, r.begin + i);
}

std::vector<Key> generate_keys(const Params& p, Range r) {
  std::vector<Key> out(r.size());
  generate_keys(p, r, out);
  return out;
}

namespace {

constexpr int kDigitBits = 11;  // 6 passes; 8 bits (8 passes) measured ~10% slower
constexpr std::size_t kRadix = std::size_t{1} << kDigitBits;
constexpr int kDigits = (64 + kDigitBits - 1) / kDigitBits;
constexpr std::size_t kRadixThreshold = 256;

constexpr std::size_t digit(Key k, int d) { return (k >> (d * kDigitBits)) & (kRadix - 1); }

}  // namespace

void local_sort(std::span<Key> keys) {
  const std::size_t m = keys.size();
  if (m < kRadixThreshold) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  // One pass counts every digit; then one stable scatter per digit that varies.
  std::vector<std::array<std::size_t, kRadix>> counts(kDigits);
  for (auto& c : counts) c.fill(0);
  for (const Key k : keys)
    for (int d = 0; d < kDigits; ++d) ++counts[static_cast<std::size_t>(d)][digit(k, d)];
  const auto scratch = std::make_unique_for_overwrite<Key[]>(m);  // no zero fill: every pass overwrites
  std::span<Key> from = keys;
  std::span<Key> to(scratch.get(), m);
  for (int d = 0; d < kDigits; ++d) {
    auto& c = counts[static_cast<std::size_t>(d)];
    if (std::find(c.begin(), c.end(), m) != c.end()) continue;  // one digit value: nothing moves
    std::array<std::size_t, kRadix> next{};
    std::size_t at = 0;
    for (std::size_t b = 0; b < kRadix; ++b) {
      next[b] = at;
      at += c[b];
    }
    for (const Key k : from) to[next[digit(k, d)]++] = k;
    std::swap(from, to);
  }
  if (from.data() != keys.data()) std::copy(from.begin(), from.end(), keys.begin());
}

void reference_sort(std::span<Key> keys) { std::sort(keys.begin(), keys.end()); }

std::vector<Key> regular_samples(std::span<const Key> sorted, std::size_t count) {
  std::vector<Key> out;
  if (sorted.empty()) return out;
  out.reserve(count);
  const std::uint64_t m = sorted.size();
  for (std::uint64_t j = 0; j < count; ++j) out.push_back(sorted[(2 * j + 1) * m / (2 * count)]);
  return out;
}

std::vector<Key> choose_splitters(std::vector<Key> samples, std::size_t parts) {
  if (parts == 0) throw std::invalid_argument("sort::choose_splitters: parts must be positive");
  // NOLINTNEXTLINE(modernize-return-braced-init-list): {n, v} would be a vector of the two values n and v
  if (samples.empty()) return std::vector<Key>(parts - 1, std::numeric_limits<Key>::max());
  std::sort(samples.begin(), samples.end());
  std::vector<Key> out;
  out.reserve(parts - 1);
  const std::uint64_t s = samples.size();
  for (std::uint64_t j = 1; j < parts; ++j) out.push_back(samples[j * s / parts]);
  return out;
}

std::vector<std::size_t> bucket_bounds(std::span<const Key> sorted, std::span<const Key> splitters) {
  std::vector<std::size_t> bounds;
  bounds.reserve(splitters.size() + 2);
  bounds.push_back(0);
  auto from = sorted.begin();
  for (const Key s : splitters) {
    from = std::upper_bound(from, sorted.end(), s);  // splitters ascend: search on from the last cut
    bounds.push_back(static_cast<std::size_t>(from - sorted.begin()));
  }
  bounds.push_back(sorted.size());
  return bounds;
}

void merge_runs(std::span<const std::span<const Key>> runs, std::span<Key> out) {
  std::size_t total = 0;
  for (const auto& r : runs) total += r.size();
  if (total != out.size()) throw std::invalid_argument("sort::merge_runs: output size differs from the runs' total");
  std::vector<std::span<const Key>> live;
  for (const auto& r : runs)
    if (!r.empty()) live.push_back(r);
  if (live.empty()) return;
  if (live.size() == 1) {
    std::copy(live[0].begin(), live[0].end(), out.begin());
    return;
  }
  // Pairwise rounds, ping-ponging between `out` and one scratch buffer; the
  // number of rounds decides where the first round writes, so the last lands in out.
  std::size_t rounds = 0;
  for (std::size_t k = live.size(); k > 1; k = (k + 1) / 2) ++rounds;
  const auto scratch_keys = std::make_unique_for_overwrite<Key[]>(rounds > 1 ? total : 0);
  const std::span<Key> scratch(scratch_keys.get(), rounds > 1 ? total : 0);
  std::span<Key> dst = rounds % 2 == 1 ? out : scratch;
  std::span<Key> other = rounds % 2 == 1 ? scratch : out;
  std::vector<std::span<const Key>> current = std::move(live);
  while (current.size() > 1) {
    std::vector<std::span<const Key>> merged;
    std::size_t at = 0;
    for (std::size_t i = 0; i < current.size(); i += 2) {
      const auto& a = current[i];
      if (i + 1 == current.size()) {
        std::copy(a.begin(), a.end(), dst.begin() + static_cast<std::ptrdiff_t>(at));
        merged.emplace_back(dst.subspan(at, a.size()));
        at += a.size();
        continue;
      }
      const auto& b = current[i + 1];
      std::merge(a.begin(), a.end(), b.begin(), b.end(), dst.begin() + static_cast<std::ptrdiff_t>(at));
      merged.emplace_back(dst.subspan(at, a.size() + b.size()));
      at += a.size() + b.size();
    }
    current = std::move(merged);
    std::swap(dst, other);
  }
}

Range merge_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part,
                 std::span<Key> out) {
  if (part > splitters.size()) throw std::invalid_argument("sort::merge_part: part out of range");
  std::vector<std::span<const Key>> pieces;
  pieces.reserve(runs.size());
  std::size_t begin = 0;
  std::size_t size = 0;
  for (const auto& run : runs) {
    const auto lo = part == 0 ? run.begin() : std::upper_bound(run.begin(), run.end(), splitters[part - 1]);
    const auto hi = part == splitters.size() ? run.end() : std::upper_bound(lo, run.end(), splitters[part]);
    begin += static_cast<std::size_t>(lo - run.begin());  // every key before lo is before this part
    pieces.emplace_back(lo, hi);
    size += static_cast<std::size_t>(hi - lo);
  }
  merge_runs(pieces, out.subspan(begin, size));
  return {begin, begin + size};
}

Checksum checksum(std::span<const Key> keys) {
  Checksum c;
  for (const Key k : keys) c.add(k);
  return c;
}

Checksum input_checksum(const Params& p, Range r) {
  Checksum c;
  for (std::uint64_t i = r.begin; i < r.end; ++i) c.add(key(p, i));
  return c;
}

}  // namespace pardemo::core::sort
