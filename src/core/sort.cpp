#include "core/sort.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

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

// The LSD radix sort of a bucket: digits of at most 11 bits (2048 counters, a
// 16 KiB table that stays in L1), as few passes as cover the bits that vary.
constexpr int kMaxLsdBits = 11;
// An in-place MSD pass: 2^4 buckets, so 16 bucket fronts take the
// permutation's writes. One 8-bit pass took 0.10 to 0.22 s for 2^25 random
// keys on the 2-core VM, depending on the keys (on where 256 fronts fell in the
// cache); two 4-bit passes took 0.14 s for every set of keys tried.
constexpr int kMaxMsdBits = 4;
constexpr std::size_t kSmallSort = 256;  // std::sort below this many keys
// local_sort's scratch: m / 2^6 keys (4 times the mean bucket of two 4-bit MSD
// passes, so nearly every bucket of random keys fits), at least 2^16 keys.
constexpr int kScratchShift = 6;
constexpr std::size_t kMinScratch = std::size_t{1} << 16;

// Sorts keys that differ only in their low `bits` bits (the higher bits are the
// same in every key), through `scratch` (scratch.size() >= keys.size()). One
// pass counts every digit; then one stable scatter per digit that varies.
void lsd_sort(std::span<Key> keys, std::span<Key> scratch, int bits) {
  const std::size_t m = keys.size();
  const int passes = (bits + kMaxLsdBits - 1) / kMaxLsdBits;
  if (passes == 0) return;
  const int width = (bits + passes - 1) / passes;
  const std::size_t radix = std::size_t{1} << width;
  const Key mask = radix - 1;
  std::array<std::array<std::size_t, std::size_t{1} << kMaxLsdBits>, (64 + kMaxLsdBits - 1) / kMaxLsdBits> counts{};
  for (const Key k : keys)
    for (int d = 0; d < passes; ++d) ++counts[static_cast<std::size_t>(d)][(k >> (d * width)) & mask];
  std::span<Key> from = keys;
  std::span<Key> to = scratch.first(m);
  for (int d = 0; d < passes; ++d) {
    auto& c = counts[static_cast<std::size_t>(d)];
    const auto used = std::span(c).first(radix);
    if (std::find(used.begin(), used.end(), m) != used.end()) continue;  // one digit value: nothing moves
    std::size_t at = 0;
    for (auto& n : used) at += std::exchange(n, at);  // counts become the first position of each digit
    const int shift = d * width;
    for (const Key k : from) to[c[(k >> shift) & mask]++] = k;
    std::swap(from, to);
  }
  if (from.data() != keys.data()) std::copy(from.begin(), from.end(), keys.begin());
}

// Sorts keys that differ only in their low `bits` bits. A range that fits the
// scratch goes to lsd_sort; a larger one is permuted in place into buckets by
// its top varying kMaxMsdBits bits (count, then swaps that put each key into
// its bucket's next free slot, as in American flag sort), and each bucket is
// sorted the same way. Equal top bits (few distinct keys) are skipped by
// looking at the bits that actually vary, so a bucket holding nearly every key
// costs one more pass, never a wrong or endless recursion.
void msd_sort(std::span<Key> keys, std::span<Key> scratch, int bits) {
  const std::size_t m = keys.size();
  if (m < kSmallSort) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  if (m <= scratch.size()) {
    lsd_sort(keys, scratch, bits);
    return;
  }
  // One pass counts the keys by their top digit and finds the bits that vary;
  // if fewer vary than `bits` (keys from a narrow range), it counts again by
  // the top digit of the bits that do.
  int width = 0;
  int shift = 0;
  Key mask = 0;
  const auto digit = [&](Key k) -> std::size_t { return (k >> shift) & mask; };
  const auto digits_of = [&](int varying) {
    width = std::min(varying, kMaxMsdBits);
    shift = varying - width;
    mask = (Key{1} << width) - 1;
  };
  std::array<std::size_t, (std::size_t{1} << kMaxMsdBits) + 1> ends{};
  digits_of(bits);
  Key any = 0;
  Key all = ~Key{0};
  for (const Key k : keys) {
    ++ends[digit(k) + 1];
    any |= k;
    all &= k;
  }
  const int varying = static_cast<int>(std::bit_width(any ^ all));  // the bits above are the same in every key
  if (varying == 0) return;                                         // all equal
  if (varying < bits) {
    digits_of(varying);
    ends.fill(0);
    for (const Key k : keys) ++ends[digit(k) + 1];
  }
  const std::size_t radix = std::size_t{1} << width;
  for (std::size_t b = 0; b < radix; ++b) ends[b + 1] += ends[b];  // bucket b is [ends[b], ends[b + 1])
  // The permutation, in sweeps: each sweep walks the unfilled stretch of every
  // unfinished bucket and swaps each key there into the next free slot of its
  // own bucket. The key that comes back is left for the next sweep, so one
  // swap does not wait for the last: the processor overlaps their cache
  // misses. A bucket is finished when its next free slot reaches its end; when
  // only one is left, it is finished too. A cycle-leader loop (take the
  // displaced key, swap it on, until one lands at home) took 0.30 to 0.62 s
  // for an 8-bit pass over 2^25 random keys on the 2-core VM; sweeps took 0.08
  // to 0.21 s.
  std::array<std::size_t, std::size_t{1} << kMaxMsdBits> next{};
  std::copy_n(ends.begin(), radix, next.begin());
  std::array<std::size_t, std::size_t{1} << kMaxMsdBits> open{};
  std::size_t unfinished = 0;
  for (std::size_t b = 0; b < radix; ++b)
    if (ends[b] != ends[b + 1]) open[unfinished++] = b;
  Key* const base = keys.data();
  while (unfinished > 1) {
    std::size_t still = 0;
    for (std::size_t i = 0; i < unfinished; ++i) {
      const std::size_t b = open[i];
      Key* const end = base + ends[b + 1];
      for (Key* at = base + next[b]; at != end; ++at) std::swap(*at, base[next[digit(*at)]++]);
      if (next[b] != ends[b + 1]) open[still++] = b;
    }
    unfinished = still;
  }
  for (std::size_t b = 0; b < radix; ++b) msd_sort(keys.subspan(ends[b], ends[b + 1] - ends[b]), scratch, shift);
}

}  // namespace

void local_sort(std::span<Key> keys) {
  const std::size_t m = keys.size();
  if (m < kSmallSort) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  const std::size_t scratch_size = std::min(m, std::max(kMinScratch, m >> kScratchShift));
  const auto scratch = std::make_unique_for_overwrite<Key[]>(scratch_size);  // no zero fill: every pass overwrites
  msd_sort(keys, {scratch.get(), scratch_size}, 64);
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

void release_pages(std::span<const Key> keys) { pages::give_back(keys.data(), keys.data() + keys.size()); }

void FrontRelease::consumed(std::size_t count) {
  if (count > run_.size()) throw std::invalid_argument("sort::FrontRelease: consumed more than the run");
  if ((count - released_) * sizeof(Key) < kStepBytes && !(count == run_.size() && count > released_)) return;
  const std::span<const Key> done = run_.subspan(released_, count - released_);
  if (into_ != nullptr) {
    into_->donate(done.data(), done.data() + done.size());
  } else {
    release_pages(done);
  }
  // The next release starts at the page holding key `count` (its part before
  // `count` is consumed too), but never before the run: that page may hold
  // another run's keys.
  const std::uintptr_t page = pages::page_size();
  const auto base = reinterpret_cast<std::uintptr_t>(run_.data());
  const auto floor = reinterpret_cast<std::uintptr_t>(run_.data() + count) & ~(page - 1);
  released_ = std::max(released_, floor <= base ? std::size_t{0} : (floor - base) / sizeof(Key));
}

namespace {

// The merge of two sorted runs into out, without a data-dependent branch: the
// choice is a conditional move, where std::merge mispredicts about every other
// comparison on random keys. It runs from both ends at once: the smaller half
// of the output from the fronts, the larger half from the backs, two
// independent chains of loads and compares in one loop (merging 2 x 2^15
// keys, cache-resident, on the 2-core VM: 1.6 ns a key against 2.5 from the
// fronts alone; std::merge 3.2). Ties take a's key first, as std::merge does:
// from the front a's key on a tie, from the back b's.
void merge_two(std::span<const Key> a, std::span<const Key> b, Key* out) {
  const std::size_t total = a.size() + b.size();
  const std::size_t front = total / 2;  // keys the fronts give; the backs give the rest
  const Key* const a0 = a.data();
  const Key* const b0 = b.data();
  const Key* const ea = a0 + a.size();
  const Key* const eb = b0 + b.size();
  const Key* pa = a0;  // the fronts: next keys to take
  const Key* pb = b0;
  const Key* qa = ea;  // the backs: one past the next keys to take
  const Key* qb = eb;
  Key* low = out;
  Key* high = out + total;
  // One step at each end, when neither run is used up at that end.
  const auto from_front = [&] {
    const Key x = *pa;
    const Key y = *pb;
    const bool take_b = y < x;
    *low++ = take_b ? y : x;
    pa += static_cast<std::ptrdiff_t>(!take_b);
    pb += static_cast<std::ptrdiff_t>(take_b);
  };
  const auto from_back = [&] {
    const Key u = qa[-1];
    const Key w = qb[-1];
    const bool take_a = w < u;
    *--high = take_a ? u : w;
    qa -= static_cast<std::ptrdiff_t>(take_a);
    qb -= static_cast<std::ptrdiff_t>(!take_a);
  };
  // While fewer keys than either run holds have been taken from either end,
  // neither run can be used up at that end: no bounds checks.
  const std::size_t both = std::min({front, a.size(), b.size()});
  for (std::size_t i = 0; i < both; ++i) {
    from_front();
    from_back();
  }
  Key* const middle = out + front;
  while (low != middle && pa != ea && pb != eb) from_front();
  while (low != middle && pa != ea) *low++ = *pa++;
  while (low != middle) *low++ = *pb++;
  while (high != middle && qa != a0 && qb != b0) from_back();
  while (high != middle && qa != a0) *--high = *--qa;
  while (high != middle) *--high = *--qb;
}

// Merges `runs` into `out` (out.size() == their total) by pairwise merge_two
// rounds, ping-ponging between `out` and `scratch` (as large as out when there
// are more than 2 runs); the number of rounds decides where the first round
// writes, so the last lands in out.
void merge_pairwise(std::span<const std::span<const Key>> runs, std::span<Key> out, std::span<Key> scratch) {
  std::vector<std::span<const Key>> current;
  for (const auto& r : runs)
    if (!r.empty()) current.push_back(r);
  if (current.empty()) return;
  if (current.size() == 1) {
    std::copy(current[0].begin(), current[0].end(), out.begin());
    return;
  }
  std::size_t rounds = 0;
  for (std::size_t k = current.size(); k > 1; k = (k + 1) / 2) ++rounds;
  std::span<Key> dst = rounds % 2 == 1 ? out : scratch.first(out.size());
  std::span<Key> other = rounds % 2 == 1 ? scratch.first(rounds > 1 ? out.size() : 0) : out;
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
      merge_two(a, b, dst.data() + at);
      merged.emplace_back(dst.subspan(at, a.size() + b.size()));
      at += a.size() + b.size();
    }
    current = std::move(merged);
    std::swap(dst, other);
  }
}

}  // namespace

void merge_runs(std::span<const std::span<const Key>> runs, std::span<Key> out, Consumed consumed,
                const std::function<void(std::span<const Key>)>& merged) {
  std::size_t total = 0;
  for (const auto& r : runs) total += r.size();
  if (total != out.size()) throw std::invalid_argument("sort::merge_runs: output size differs from the runs' total");
  std::vector<std::span<const Key>> rest(runs.begin(), runs.end());  // what is left of each run
  pages::Recycler recycler;
  std::vector<FrontRelease> fronts;
  if (consumed != Consumed::keep)
    for (const auto& r : runs) fronts.emplace_back(r, consumed == Consumed::recycle ? &recycler : nullptr);
  // Recycling: pages are placed under out from here on (place() skips a page
  // only partly inside out, which may hold whatever lies before it).
  auto* placed = reinterpret_cast<std::byte*>(out.data());
  const std::size_t k = runs.size();
  const auto scratch_keys = std::make_unique_for_overwrite<Key[]>(k > 2 ? kMergeChunk : 0);
  const std::span<Key> scratch(scratch_keys.get(), k > 2 ? kMergeChunk : 0);
  std::vector<std::span<const Key>> pieces(k);
  const std::size_t window = std::max<std::size_t>(1, kMergeChunk / std::max<std::size_t>(k, 1));
  std::size_t at = 0;
  while (at < total) {
    // The chunk: every key below v, where v is the smallest of the runs' keys
    // at position `window` (or their last key), and then keys equal to v up to
    // kMergeChunk in all. Each run has at most `window` keys below v, and the
    // run that gave v has at least one key <= v, so a chunk is never empty.
    Key v = std::numeric_limits<Key>::max();
    for (const auto& r : rest)
      if (!r.empty()) v = std::min(v, r[std::min(window, r.size()) - 1]);
    std::size_t size = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const auto below = std::lower_bound(rest[i].begin(), rest[i].end(), v);
      pieces[i] = rest[i].first(static_cast<std::size_t>(below - rest[i].begin()));
      size += pieces[i].size();
    }
    for (std::size_t i = 0; i < k && size < kMergeChunk; ++i) {
      const auto from = rest[i].begin() + static_cast<std::ptrdiff_t>(pieces[i].size());
      const auto equal = static_cast<std::size_t>(std::upper_bound(from, rest[i].end(), v) - from);
      const std::size_t take = std::min(equal, kMergeChunk - size);
      pieces[i] = rest[i].first(pieces[i].size() + take);
      size += take;
    }
    if (consumed == Consumed::recycle && recycler.kept_bytes() > 0) {
      // Under the output ahead, as far as the kept pages reach (never under a
      // page already written: the chunk before may have ended inside one).
      auto* const written = reinterpret_cast<std::byte*>(out.data() + at);
      placed = recycler.place(std::max(placed, written), out.data() + out.size());
    }
    merge_pairwise(pieces, out.subspan(at, size), scratch);
    if (merged) merged(out.subspan(at, size));
    at += size;
    for (std::size_t i = 0; i < k; ++i) {
      rest[i] = rest[i].subspan(pieces[i].size());
      if (!fronts.empty()) fronts[i].consumed(runs[i].size() - rest[i].size());
    }
  }
}

Part find_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part) {
  if (part > splitters.size()) throw std::invalid_argument("sort::find_part: part out of range");
  Part found;
  found.pieces.reserve(runs.size());
  std::size_t begin = 0;
  std::size_t size = 0;
  for (const auto& run : runs) {
    const auto lo = part == 0 ? run.begin() : std::upper_bound(run.begin(), run.end(), splitters[part - 1]);
    const auto hi = part == splitters.size() ? run.end() : std::upper_bound(lo, run.end(), splitters[part]);
    begin += static_cast<std::size_t>(lo - run.begin());  // every key before lo is before this part
    found.pieces.emplace_back(lo, hi);
    size += static_cast<std::size_t>(hi - lo);
  }
  found.out = {begin, begin + size};
  return found;
}

Range merge_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part,
                 std::span<Key> out) {
  const Part found = find_part(runs, splitters, part);
  merge_runs(found.pieces, out.subspan(found.out.begin, found.out.size()));
  return found.out;
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
