#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/range.hpp"

namespace pardemo::core {
namespace {

// Every item covered exactly once, by the worker that assigned_ranges names.
void expect_exact_cover(std::uint64_t n, Split split, std::uint64_t chunk, std::uint64_t parts) {
  std::vector<int> owner(n, 0);
  for (std::uint64_t w = 0; w < parts; ++w)
    for (const Range r : assigned_ranges(n, split, chunk, parts, w))
      for (std::uint64_t i = r.begin; i < r.end; ++i) ++owner[i];
  for (std::uint64_t i = 0; i < n; ++i) EXPECT_EQ(owner[i], 1) << "item " << i << " n=" << n << " parts=" << parts;
}

TEST(PartitionTest, ZeroItemsGivesEmptyParts) {
  for (std::uint64_t p = 1; p <= 5; ++p)
    for (std::uint64_t i = 0; i < p; ++i) EXPECT_TRUE(partition(0, p, i).empty());
}

TEST(PartitionTest, OneItemGoesToTheFirstPart) {
  EXPECT_EQ(partition(1, 4, 0), (Range{0, 1}));
  for (std::uint64_t i = 1; i < 4; ++i) EXPECT_TRUE(partition(1, 4, i).empty());
}

TEST(PartitionTest, MoreWorkersThanItems) {
  const std::uint64_t n = 3;
  const std::uint64_t parts = 7;
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < parts; ++i) {
    const Range r = partition(n, parts, i);
    EXPECT_LE(r.size(), 1U);
    EXPECT_EQ(r.size(), i < n ? 1U : 0U);
    total += r.size();
  }
  EXPECT_EQ(total, n);
}

TEST(PartitionTest, RemainderIsSpreadOverTheFirstParts) {
  // 10 items over 4 parts: 3 3 2 2, contiguous.
  EXPECT_EQ(partition(10, 4, 0), (Range{0, 3}));
  EXPECT_EQ(partition(10, 4, 1), (Range{3, 6}));
  EXPECT_EQ(partition(10, 4, 2), (Range{6, 8}));
  EXPECT_EQ(partition(10, 4, 3), (Range{8, 10}));
}

TEST(PartitionTest, SizesDifferByAtMostOneAndTile) {
  for (std::uint64_t n : {0ULL, 1ULL, 2ULL, 7ULL, 100ULL, 4097ULL}) {
    for (std::uint64_t parts = 1; parts <= 9; ++parts) {
      std::uint64_t next = 0;
      std::uint64_t lo = n;
      std::uint64_t hi = 0;
      for (std::uint64_t i = 0; i < parts; ++i) {
        const Range r = partition(n, parts, i);
        EXPECT_EQ(r.begin, next);
        next = r.end;
        lo = std::min(lo, r.size());
        hi = std::max(hi, r.size());
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(hi - lo, 1U);
    }
  }
}

TEST(PartitionTest, BadArgumentsThrow) {
  EXPECT_THROW((void)partition(10, 0, 0), std::invalid_argument);
  EXPECT_THROW((void)partition(10, 3, 3), std::invalid_argument);
  EXPECT_THROW((void)assigned_ranges(10, Split::cyclic, 0, 2, 0), std::invalid_argument);
}

TEST(PartitionTest, ChunksTileTheItems) {
  EXPECT_EQ(chunk_count(10, 3), 4U);
  EXPECT_EQ(chunk_count(9, 3), 3U);
  EXPECT_EQ(chunk_count(0, 3), 0U);
  EXPECT_EQ(chunk_range(10, 3, 3), (Range{9, 10}));
  EXPECT_THROW((void)assigned_ranges(10, Split::dynamic, 1, 2, 0), std::invalid_argument);
}

TEST(PartitionTest, CyclicDealsChunksRoundRobin) {
  const auto r = assigned_ranges(10, Split::cyclic, 2, 3, 1);
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0], (Range{2, 4}));
  EXPECT_EQ(r[1], (Range{8, 10}));
  const auto last = assigned_ranges(11, Split::cyclic, 3, 2, 1);  // chunks 0-2,3-5,6-8,9-10
  ASSERT_EQ(last.size(), 2U);
  EXPECT_EQ(last[1], (Range{9, 11}));
}

TEST(PartitionTest, EverySplitCoversEveryItemOnce) {
  for (std::uint64_t n : {0ULL, 1ULL, 5ULL, 64ULL, 1000ULL})
    for (std::uint64_t parts : {1ULL, 2ULL, 3ULL, 4ULL, 7ULL, 16ULL}) {
      expect_exact_cover(n, Split::block, 1, parts);
      for (std::uint64_t chunk : {1ULL, 3ULL, 64ULL}) expect_exact_cover(n, Split::cyclic, chunk, parts);
    }
}

}  // namespace
}  // namespace pardemo::core
