// The pieces of sample sort, each on its own: generator, local sort, sampling,
// splitters, bucketing, merging, checksum and the parameter check.
#include "core/sort.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

namespace pardemo::core::sort {
namespace {

const Params kSmall{1000, 7, 0};

TEST(SortTest, SplitMix64KnownValues) {
  // The reference implementation's first outputs for state 0 (x += golden gamma, then mix).
  EXPECT_EQ(splitmix64(0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(0x9e3779b97f4a7c15ULL), 0x6e789e6aa1b965f4ULL);
}

TEST(SortTest, GeneratorIsDeterministicAndSeeded) {
  EXPECT_EQ(generate_keys(kSmall, {0, 1000}), generate_keys(kSmall, {0, 1000}));
  EXPECT_NE(generate_keys(kSmall, {0, 1000}), generate_keys(Params{1000, 8, 0}, {0, 1000}));
  EXPECT_EQ(key(kSmall, 5), splitmix64(7 + 5));
}

TEST(SortTest, BlocksAreGeneratedIndependently) {
  const std::vector<Key> whole = generate_keys(kSmall, {0, 1000});
  std::vector<Key> pieced;
  for (std::uint64_t parts : {1U, 3U, 7U}) {
    pieced.clear();
    for (std::uint64_t i = 0; i < parts; ++i) {
      const auto block = generate_keys(kSmall, partition(1000, parts, i));
      pieced.insert(pieced.end(), block.begin(), block.end());
    }
    EXPECT_EQ(pieced, whole) << parts << " parts";
  }
  std::vector<Key> into(10);
  generate_keys(kSmall, {990, 1000}, into);
  EXPECT_TRUE(std::equal(into.begin(), into.end(), whole.begin() + 990));
  EXPECT_THROW(generate_keys(kSmall, {0, 5}, into), std::invalid_argument);
}

TEST(SortTest, DistinctLimitsTheKeys) {
  const Params p{5000, 3, 10};
  const auto keys = generate_keys(p, {0, p.n});
  EXPECT_TRUE(std::all_of(keys.begin(), keys.end(), [](Key k) { return k < 10; }));
  EXPECT_EQ(std::set<Key>(keys.begin(), keys.end()).size(), 10U);
}

TEST(SortTest, LocalSortEqualsStdSort) {
  for (std::uint64_t n : {0U, 1U, 2U, 255U, 256U, 257U, 10000U}) {
    for (std::uint64_t distinct : {0U, 1U, 3U, 1000U}) {
      const Params p{n == 0 ? 1 : n, 11, distinct};
      auto a = generate_keys(p, {0, n});
      auto b = a;
      local_sort(a);
      reference_sort(b);
      EXPECT_EQ(a, b) << "n " << n << " distinct " << distinct;
    }
  }
  // Keys differing only in the top or the bottom byte, and the extremes.
  std::vector<Key> edge;
  for (Key i = 0; i < 300; ++i) edge.push_back((i % 7) << 56 | (i % 5));
  edge.push_back(std::numeric_limits<Key>::max());
  edge.push_back(0);
  auto ref = edge;
  local_sort(edge);
  reference_sort(ref);
  EXPECT_EQ(edge, ref);
}

void expect_local_sort_matches(std::vector<Key> keys, const std::string& what) {
  auto expected = keys;
  reference_sort(expected);
  local_sort(keys);
  EXPECT_EQ(keys, expected) << what;
}

TEST(SortTest, LocalSortShapes) {
  for (std::size_t n : {0U, 1U, 2U, 255U, 256U, 257U, 4096U, 70'000U, 300'000U}) {
    const std::string size = " n " + std::to_string(n);
    auto random = generate_keys(Params{std::max<std::uint64_t>(n, 1), 21, 0}, {0, n});
    expect_local_sort_matches(random, "random" + size);
    auto ascending = random;
    reference_sort(ascending);
    expect_local_sort_matches(ascending, "sorted" + size);
    expect_local_sort_matches({ascending.rbegin(), ascending.rend()}, "reverse" + size);
    expect_local_sort_matches(std::vector<Key>(n, 42), "all equal" + size);
    expect_local_sort_matches(std::vector<Key>(n, std::numeric_limits<Key>::max()), "all max" + size);
    for (std::uint64_t distinct : {2U, 3U, 255U, 256U, 257U, 5000U}) {
      expect_local_sort_matches(generate_keys(Params{std::max<std::uint64_t>(n, 1), 5, distinct}, {0, n}),
                                std::to_string(distinct) + " distinct" + size);
    }
  }
}

TEST(SortTest, LocalSortBucketEdges) {
  // Above the scratch (2^16 keys) the keys go through the in-place MSD pass.
  constexpr std::size_t kN = 200'000;
  const auto random = generate_keys(Params{kN, 3, 0}, {0, kN});
  std::vector<Key> keys(kN);
  // Every key in one top-byte bucket, the rest varying: the MSD pass skips the
  // shared top bits and splits on the ones below.
  for (std::size_t i = 0; i < kN; ++i) keys[i] = Key{0xab} << 56 | (random[i] >> 8);
  expect_local_sort_matches(keys, "one top byte");
  // Nearly everything in one bucket, a few keys in the others.
  for (std::size_t i = 0; i < kN; ++i) keys[i] = i % 1000 == 0 ? random[i] : Key{7} << 60 | (random[i] & 0xff);
  expect_local_sort_matches(keys, "one heavy bucket");
  // Only the top bit and the bottom bit vary; the buckets' edges: 0 and the largest key.
  for (std::size_t i = 0; i < kN; ++i) keys[i] = (random[i] & (Key{1} << 63)) | (random[i] & 1);
  keys[5] = 0;
  keys[6] = std::numeric_limits<Key>::max();
  expect_local_sort_matches(keys, "top and bottom bit");
  // Two heavy values and a sprinkle: buckets much larger than the scratch that hold one value.
  for (std::size_t i = 0; i < kN; ++i) keys[i] = i % 3 == 0 ? random[i] : (i % 3 == 1 ? 1 : Key{1} << 40);
  expect_local_sort_matches(keys, "two heavy values");
  // Keys that fill every bucket of the top digit evenly, each bucket exactly at a power of two.
  for (std::size_t i = 0; i < (std::size_t{1} << 17); ++i) keys[i] = (Key{i % 256} << 56) | (random[i] >> 48);
  expect_local_sort_matches({keys.begin(), keys.begin() + (1 << 17)}, "even buckets");
}

TEST(SortTest, RegularSamplesAreEvenlySpaced) {
  std::vector<Key> sorted(100);
  std::iota(sorted.begin(), sorted.end(), Key{0});
  EXPECT_EQ(regular_samples(sorted, 4), (std::vector<Key>{12, 37, 62, 87}));
  EXPECT_EQ(regular_samples(sorted, 1), (std::vector<Key>{50}));
  EXPECT_TRUE(regular_samples(std::vector<Key>{}, 4).empty());
  EXPECT_EQ(regular_samples(std::vector<Key>{9, 20}, 4), (std::vector<Key>{9, 9, 20, 20}));
}

TEST(SortTest, SplittersComeFromSortedSamples) {
  // Samples in any order; 9 samples, 3 parts: positions 3 and 6 of the sorted samples.
  EXPECT_EQ(choose_splitters({90, 10, 50, 30, 70, 20, 80, 40, 60}, 3), (std::vector<Key>{40, 70}));
  EXPECT_TRUE(choose_splitters({5, 6}, 1).empty());
  EXPECT_EQ(choose_splitters({}, 3), (std::vector<Key>(2, std::numeric_limits<Key>::max())));
  EXPECT_THROW(choose_splitters({1}, 0), std::invalid_argument);
}

TEST(SortTest, BucketBoundsCutAfterEqualKeys) {
  const std::vector<Key> sorted{1, 2, 2, 3, 5, 5, 5, 8};
  EXPECT_EQ(bucket_bounds(sorted, std::vector<Key>{2, 5}), (std::vector<std::size_t>{0, 3, 7, 8}));
  EXPECT_EQ(bucket_bounds(sorted, std::vector<Key>{0, 9}), (std::vector<std::size_t>{0, 0, 8, 8}));
  EXPECT_EQ(bucket_bounds(sorted, std::vector<Key>{}), (std::vector<std::size_t>{0, 8}));
  EXPECT_EQ(bucket_bounds(std::vector<Key>{}, std::vector<Key>{4}), (std::vector<std::size_t>{0, 0, 0}));
}

std::vector<std::vector<Key>> sorted_runs(std::size_t k, std::uint64_t n, std::uint64_t distinct) {
  std::vector<std::vector<Key>> runs;
  for (std::size_t i = 0; i < k; ++i) {
    auto r = generate_keys(Params{n + 1, 100 + i, distinct}, {0, (n * i) % (n + 1)});  // lengths differ, the first 0
    reference_sort(r);
    runs.push_back(std::move(r));
  }
  return runs;
}

// The runs one after another, sorted by std::sort: what merging them must give.
std::vector<Key> sorted_concatenation(const std::vector<std::vector<Key>>& runs) {
  std::vector<Key> all;
  for (const auto& r : runs) all.insert(all.end(), r.begin(), r.end());
  reference_sort(all);
  return all;
}

TEST(SortTest, MergeRunsEqualsSortOfTheConcatenation) {
  for (std::size_t k : {0U, 1U, 2U, 3U, 5U, 8U, 13U}) {
    const auto runs = sorted_runs(k, 200, k % 2 == 0 ? 0 : 17);
    std::vector<std::span<const Key>> spans(runs.begin(), runs.end());
    const std::vector<Key> expected = sorted_concatenation(runs);
    std::vector<Key> out(expected.size());
    merge_runs(spans, out);
    EXPECT_EQ(out, expected) << k << " runs";
    std::vector<Key> wrong(expected.size() + 1);
    EXPECT_THROW(merge_runs(spans, wrong), std::invalid_argument);
  }
}

TEST(SortTest, MergeOfTwoRunsOfEveryShape) {
  // Two runs merged from both ends at once: lengths from empty to longer than
  // the other, odd and even totals, one run wholly below or above the other,
  // and many equal keys, each against std::sort of the concatenation.
  const std::vector<std::size_t> lengths{0, 1, 2, 3, 7, 64, 65, 1000};
  for (const std::size_t na : lengths) {
    for (const std::size_t nb : lengths) {
      for (const std::uint64_t distinct : {0U, 1U, 3U}) {
        auto a = generate_keys(Params{na + 1, 11, distinct}, {0, na});
        auto b = generate_keys(Params{nb + 1, 12, distinct}, {0, nb});
        reference_sort(a);
        reference_sort(b);
        for (const int shape : {0, 1, 2}) {  // interleaved, a below b, a above b
          auto sa = a;
          if (shape == 1 && !b.empty())
            for (auto& k : sa) k = k % (b.front() + 1);
          if (shape == 2 && !b.empty())
            for (auto& k : sa) k = b.back() + k % 5;  // near 2^64 some wrap to small keys: still a valid run
          reference_sort(sa);
          std::vector<Key> expected = sa;
          expected.insert(expected.end(), b.begin(), b.end());
          reference_sort(expected);
          const std::vector<std::span<const Key>> runs{sa, b};
          std::vector<Key> out(expected.size());
          merge_runs(runs, out);
          EXPECT_EQ(out, expected) << na << " and " << nb << " keys, distinct " << distinct << ", shape " << shape;
        }
      }
    }
  }
}

TEST(SortTest, MergeRunsInManyChunks) {
  // Runs longer than a merge chunk, with long stretches of equal keys that
  // cross chunk boundaries, and runs of very different lengths.
  for (std::size_t k : {2U, 3U, 4U, 7U}) {
    for (std::uint64_t distinct : {0U, 1U, 2U, 50U}) {
      std::vector<std::vector<Key>> runs;
      for (std::size_t i = 0; i < k; ++i) {
        const std::uint64_t n = i == 0 ? 3 * kMergeChunk + 17 : (kMergeChunk / 3) * i;
        auto r = generate_keys(Params{n, 40 + i, distinct}, {0, n});
        reference_sort(r);
        runs.push_back(std::move(r));
      }
      std::vector<std::span<const Key>> spans(runs.begin(), runs.end());
      const std::vector<Key> expected = sorted_concatenation(runs);
      std::vector<Key> out(expected.size());
      merge_runs(spans, out);
      EXPECT_EQ(out, expected) << k << " runs, distinct " << distinct;
      EXPECT_EQ(runs[0].front(), expected.front()) << "Consumed::keep leaves the runs as they were";
    }
  }
}

// Whether the page holding `p` is resident (mincore).
bool resident(const void* p) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  unsigned char in = 0;
  // NOLINTNEXTLINE(performance-no-int-to-ptr)
  EXPECT_EQ(mincore(reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(p) & ~(page - 1)), page, &in), 0);
  return (in & 1U) != 0;
}

// Keys in pages of their own (mmap), filled with `value`.
class MappedKeys {
 public:
  explicit MappedKeys(std::size_t n) : bytes_(n * sizeof(Key)) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    keys_ = {static_cast<Key*>(p), n};
  }
  MappedKeys(const MappedKeys&) = delete;
  MappedKeys& operator=(const MappedKeys&) = delete;
  ~MappedKeys() { munmap(keys_.data(), bytes_); }
  [[nodiscard]] std::span<Key> keys() const { return keys_; }

 private:
  std::size_t bytes_;
  std::span<Key> keys_;
};

TEST(SortTest, ReleasePagesKeepsTheSharedEnds) {
  const std::size_t per_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) / sizeof(Key);
  const MappedKeys buffer(8 * per_page);
  const std::span<Key> all = buffer.keys();
  std::fill(all.begin(), all.end(), Key{9});
  // From the middle of page 1 to the middle of page 5: pages 2, 3, 4 go, 1 and 5 stay.
  release_pages(all.subspan(per_page + per_page / 2, 4 * per_page));
  for (std::size_t page = 0; page < 8; ++page) {
    const bool gone = page >= 2 && page <= 4;
    EXPECT_EQ(resident(&all[page * per_page]), !gone) << "page " << page;
    EXPECT_EQ(all[page * per_page + 3], gone ? 0U : 9U) << "page " << page;  // reading it back maps a zero page
  }
  EXPECT_EQ(all[per_page + per_page / 2], 9U);
  release_pages(all.subspan(7 * per_page + 1, per_page - 1));  // less than a whole page: nothing
  EXPECT_EQ(all[8 * per_page - 1], 9U);
  release_pages({});
}

TEST(SortTest, FrontReleaseFollowsTheReader) {
  const std::size_t per_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) / sizeof(Key);
  const std::size_t step = FrontRelease::kStepBytes / sizeof(Key);
  const MappedKeys buffer(4 * step);
  const std::span<Key> all = buffer.keys();
  std::fill(all.begin(), all.end(), Key{5});
  // The run starts half a page in: its first page is shared with the keys before it.
  const std::span<Key> run = all.subspan(per_page / 2, 3 * step);
  FrontRelease front(run);
  front.consumed(step / 2);  // less than a step: nothing yet
  EXPECT_TRUE(resident(&run[per_page]));
  front.consumed(step + 10);
  EXPECT_EQ(all[0], 5U) << "the page shared with the keys before the run stays";
  EXPECT_FALSE(resident(&run[per_page]));
  EXPECT_FALSE(resident(&run[step - per_page]));
  EXPECT_EQ(run[step + 10], 5U) << "the page being read stays";
  front.consumed(3 * step);  // all of it: the rest goes at once, but not the page shared with what follows
  EXPECT_FALSE(resident(&run[2 * step]));
  EXPECT_EQ(all[per_page / 2 + 3 * step], 5U);
  EXPECT_THROW(front.consumed(3 * step + 1), std::invalid_argument);
}

TEST(SortTest, MergeHandsOverEachChunkOnceInOrder) {
  // Three runs with many equal keys, over several chunks: the chunks handed to
  // the callback tile the output front to back, each already merged.
  constexpr std::size_t kN = 5 * kMergeChunk + 17;
  auto keys = generate_keys(Params{kN, 5, 5000}, {0, kN});
  const std::size_t a = kN / 3;
  const std::size_t b = 2 * kN / 3 + 1;
  std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(a));
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(a), keys.begin() + static_cast<std::ptrdiff_t>(b));
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(b), keys.end());
  const std::span<const Key> all(keys);
  const std::vector<std::span<const Key>> runs{all.first(a), all.subspan(a, b - a), all.subspan(b)};
  std::vector<Key> out(kN);
  std::size_t next = 0;
  std::size_t chunks = 0;
  std::vector<Key> seen;
  merge_runs(runs, out, Consumed::keep, [&](std::span<const Key> chunk) {
    EXPECT_EQ(chunk.data(), out.data() + next);
    EXPECT_LE(chunk.size(), kMergeChunk);
    EXPECT_FALSE(chunk.empty());
    next += chunk.size();
    ++chunks;
    seen.insert(seen.end(), chunk.begin(), chunk.end());  // the chunk as it was when handed over
  });
  auto expected = keys;
  reference_sort(expected);
  EXPECT_EQ(next, kN);
  EXPECT_GE(chunks, kN / kMergeChunk);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(out, expected);
}

TEST(SortTest, MergeReleasingItsRunsGivesTheSameOutput) {
  // Two sorted halves of one buffer, merged into another: the halves' pages go as they are consumed.
  constexpr std::size_t kN = 6 * kMergeChunk + 5;
  const MappedKeys buffer(kN);
  const std::span<Key> keys = buffer.keys();
  const auto input = generate_keys(Params{kN, 77, 1000}, {0, kN});
  std::copy(input.begin(), input.end(), keys.begin());
  const std::size_t half = kN / 2 + 3;
  std::sort(keys.begin(), keys.begin() + half);
  std::sort(keys.begin() + half, keys.end());
  auto expected = input;
  reference_sort(expected);
  const std::vector<std::span<const Key>> runs{keys.first(half), keys.subspan(half)};
  std::vector<Key> out(kN);
  merge_runs(runs, out, Consumed::release);
  EXPECT_EQ(out, expected);
  EXPECT_FALSE(resident(&keys[kN / 4]));
  EXPECT_FALSE(resident(&keys[3 * kN / 4]));

  // Parts of a merge, each releasing only its own stretches.
  std::copy(input.begin(), input.end(), keys.begin());
  std::sort(keys.begin(), keys.begin() + half);
  std::sort(keys.begin() + half, keys.end());
  std::vector<Key> samples;
  for (const auto& r : runs) {
    const auto s = regular_samples(r, samples_per_block(3));  // parts of about a third each
    samples.insert(samples.end(), s.begin(), s.end());
  }
  const auto splitters = choose_splitters(samples, 3);
  std::fill(out.begin(), out.end(), 0);
  std::vector<Part> parts;
  for (std::size_t part = 0; part < 3; ++part) parts.push_back(find_part(runs, splitters, part));
  std::uint64_t next = 0;
  for (const auto& part : parts) {  // as workers do: every part found before any is merged and released
    EXPECT_EQ(part.out.begin, next);
    next = part.out.end;
    merge_runs(part.pieces, std::span(out).subspan(part.out.begin, part.out.size()), Consumed::release);
  }
  EXPECT_EQ(next, kN);
  EXPECT_EQ(out, expected);
  EXPECT_FALSE(resident(&keys[kN / 4]));  // inside a part's stretch, away from the runs' and parts' ends
  EXPECT_FALSE(resident(&keys[3 * kN / 4]));
  EXPECT_THROW(find_part(runs, splitters, 3), std::invalid_argument);
}

TEST(SortTest, MergePartsTileTheOutput) {
  const auto runs = sorted_runs(5, 300, 40);
  std::vector<std::span<const Key>> spans(runs.begin(), runs.end());
  const std::vector<Key> expected = sorted_concatenation(runs);
  std::vector<Key> samples;
  for (const auto& r : spans) {
    const auto s = regular_samples(r, 4);
    samples.insert(samples.end(), s.begin(), s.end());
  }
  const auto splitters = choose_splitters(samples, 4);
  std::vector<Key> out(expected.size());
  std::uint64_t next = 0;
  for (std::size_t part = 0; part < 4; ++part) {
    const Range r = merge_part(spans, splitters, part, out);
    EXPECT_EQ(r.begin, next);
    next = r.end;
  }
  EXPECT_EQ(next, expected.size());
  EXPECT_EQ(out, expected);
  EXPECT_THROW(merge_part(spans, splitters, 4, out), std::invalid_argument);
}

TEST(SortTest, ChecksumIgnoresOrderAndSeesChanges) {
  auto keys = generate_keys(kSmall, {0, kSmall.n});
  const Checksum c = checksum(keys);
  EXPECT_EQ(c.count, kSmall.n);
  EXPECT_EQ(c, input_checksum(kSmall, {0, kSmall.n}));
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(1));
  EXPECT_EQ(checksum(keys), c);
  local_sort(keys);
  EXPECT_EQ(checksum(keys), c);
  Checksum halves = input_checksum(kSmall, {0, 400});
  halves.add(input_checksum(kSmall, {400, kSmall.n}));
  EXPECT_EQ(halves, c);
  keys[17] += 1;
  EXPECT_NE(checksum(keys), c);
  keys[17] = keys[18];  // a duplicate in place of a key
  EXPECT_NE(checksum(keys), c);
}

TEST(SortTest, ValidateNamesTheBadValue) {
  EXPECT_EQ(validate(Params{1, 0, 0}), "");
  EXPECT_EQ(validate(Params{kMaxKeys, 0, 0}), "");
  EXPECT_EQ(validate(Params{0, 1, 0}), "n must be at least 1 (got 0)");
  EXPECT_EQ(validate(Params{kMaxKeys + 1, 1, 0}), "n must be at most 2^32 = 4294967296 (got 4294967297)");
}

TEST(SortTest, Classes) {
  ASSERT_EQ(classes().size(), 5U);
  EXPECT_EQ(find_class('S')->n, 1ULL << 20);
  EXPECT_EQ(find_class('W')->n, 1ULL << 22);
  EXPECT_EQ(find_class('A')->n, 1ULL << 24);
  EXPECT_EQ(find_class('B')->n, 1ULL << 26);
  EXPECT_EQ(find_class('C')->n, 1ULL << 28);
  EXPECT_FALSE(find_class('Z').has_value());
  EXPECT_TRUE(find_class(kDefaultClass).has_value());
}

}  // namespace
}  // namespace pardemo::core::sort
