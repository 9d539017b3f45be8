#pragma once
// Ranges of work items and the one decomposition helper every backend uses.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pardemo::core {

// A half-open range [begin, end) of work items (EP batches, sieve segments, ...).
struct Range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  [[nodiscard]] constexpr std::uint64_t size() const { return end - begin; }
  [[nodiscard]] constexpr bool empty() const { return end == begin; }
  friend constexpr bool operator==(const Range&, const Range&) = default;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & begin & end;
    // clang-format on
  }
};

// Block decomposition: part `index` of `parts` over `n` items. The remainder is
// spread over the first parts, so sizes differ by at most one; with more parts
// than items the last parts are empty.
constexpr Range partition(std::uint64_t n, std::uint64_t parts, std::uint64_t index) {
  if (parts == 0 || index >= parts) {
    throw std::invalid_argument("partition: index " + std::to_string(index) + " out of " + std::to_string(parts) +
                                " parts");
  }
  const std::uint64_t base = n / parts;
  const std::uint64_t extra = n % parts;
  const std::uint64_t begin = index * base + (index < extra ? index : extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

// block: one contiguous range per worker. cyclic: chunks dealt round-robin.
// dynamic: chunks taken on demand while the run goes, so a worker that drew cheap
// chunks comes back for more (no static assignment: see the backends).
enum class Split { block, cyclic, dynamic };

// Chunk c of `chunk` items each over n items (the last may be short).
constexpr std::uint64_t chunk_count(std::uint64_t n, std::uint64_t chunk) {
  return n / chunk + (n % chunk != 0 ? 1 : 0);
}
constexpr Range chunk_range(std::uint64_t n, std::uint64_t chunk, std::uint64_t c) {
  const std::uint64_t b = c * chunk;
  return {b, b + chunk < n ? b + chunk : n};
}

// The ranges worker `index` of `parts` computes under a static split. block: one
// contiguous range from partition(). cyclic: chunks of `chunk` items dealt
// round-robin, so cheap and expensive regions of the index space are shared out
// evenly.
inline std::vector<Range> assigned_ranges(std::uint64_t n, Split split, std::uint64_t chunk, std::uint64_t parts,
                                          std::uint64_t index) {
  std::vector<Range> out;
  if (split == Split::block) {
    const Range r = partition(n, parts, index);
    if (!r.empty()) out.push_back(r);
    return out;
  }
  if (split != Split::cyclic) throw std::invalid_argument("assigned_ranges: a dynamic split has no static assignment");
  if (chunk == 0) throw std::invalid_argument("assigned_ranges: chunk must be positive");
  if (parts == 0 || index >= parts) throw std::invalid_argument("assigned_ranges: bad worker index");
  const std::uint64_t chunks = chunk_count(n, chunk);
  for (std::uint64_t c = index; c < chunks; c += parts) out.push_back(chunk_range(n, chunk, c));
  return out;
}

}  // namespace pardemo::core
