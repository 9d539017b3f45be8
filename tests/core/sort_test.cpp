// The pieces of sample sort, each on its own: generator, local sort, sampling,
// splitters, bucketing, merging, checksum and the parameter check.
#include "core/sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <set>

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

TEST(SortTest, MergeRunsEqualsSortOfTheConcatenation) {
  for (std::size_t k : {0U, 1U, 2U, 3U, 5U, 8U, 13U}) {
    const auto runs = sorted_runs(k, 200, k % 2 == 0 ? 0 : 17);
    std::vector<std::span<const Key>> spans(runs.begin(), runs.end());
    std::vector<Key> expected;
    for (const auto& r : runs) expected.insert(expected.end(), r.begin(), r.end());
    reference_sort(expected);
    std::vector<Key> out(expected.size());
    merge_runs(spans, out);
    EXPECT_EQ(out, expected) << k << " runs";
    std::vector<Key> wrong(expected.size() + 1);
    EXPECT_THROW(merge_runs(spans, wrong), std::invalid_argument);
  }
}

TEST(SortTest, MergePartsTileTheOutput) {
  const auto runs = sorted_runs(5, 300, 40);
  std::vector<std::span<const Key>> spans(runs.begin(), runs.end());
  std::vector<Key> expected;
  for (const auto& r : runs) expected.insert(expected.end(), r.begin(), r.end());
  reference_sort(expected);
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
