// Pages moved from data nobody reads any more to data about to be written, and
// the sort's merge that recycles its runs' pages under its output.
#include "core/pages.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <span>
#include <vector>

#include "core/sort.hpp"

namespace pardemo::core::pages {
namespace {

using Word = std::uint64_t;

std::size_t words_per_page() { return page_size() / sizeof(Word); }

std::span<Word> words(const Mapping& m) { return {static_cast<Word*>(m.data()), m.bytes() / sizeof(Word)}; }

// 1 when the page holding `p` is resident, 0 when mapped but not resident,
// -1 when nothing is mapped there (mincore fails with ENOMEM).
int state(const void* p) {
  unsigned char in = 0;
  const auto page = reinterpret_cast<std::uintptr_t>(p) & ~(page_size() - 1);
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the page holding p
  if (mincore(reinterpret_cast<void*>(page), page_size(), &in) != 0) return errno == ENOMEM ? -1 : -2;
  return (in & 1U) != 0 ? 1 : 0;
}

TEST(PagesTest, MappingIsWholePagesUntouched) {
  const Mapping m(3 * page_size() + 1);
  EXPECT_EQ(m.bytes(), 4 * page_size());
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data()) % page_size(), 0U);
  EXPECT_EQ(state(m.data()), 0) << "mapped, not yet resident";
  Mapping moved(page_size());
  moved = Mapping(2 * page_size());
  EXPECT_EQ(moved.bytes(), 2 * page_size());
  const Mapping none;
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(none.bytes(), 0U);
}

TEST(PagesTest, DonatedPagesMoveUnderUnwrittenData) {
  const std::size_t w = words_per_page();
  const Mapping from(8 * page_size());
  const Mapping to(8 * page_size());
  const std::span<Word> a = words(from);
  const std::span<Word> b = words(to);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = 100 + i / w;  // every word says its page

  Recycler r;
  // From the middle of page 1 to the middle of page 5: pages 2, 3, 4 are given.
  r.donate(&a[w + w / 2], &a[5 * w + w / 2]);
  EXPECT_EQ(r.kept_bytes(), 3 * page_size());
  // Under b from the middle of page 1 to inside page 7: whole pages 2 .. 6 are
  // open, and the three kept pages fill 2, 3, 4.
  std::byte* end = r.place(&b[w + 1], &b[7 * w + 3]);
  EXPECT_EQ(end, reinterpret_cast<std::byte*>(&b[5 * w]));
  EXPECT_EQ(r.kept_bytes(), 0U);
  EXPECT_EQ(r.placed_bytes(), 3 * page_size());
  for (std::size_t page = 2; page <= 4; ++page) {
    EXPECT_EQ(state(&b[page * w]), 1) << "page " << page;
    EXPECT_EQ(b[page * w], 100 + page) << "the page moved with its contents, not a fresh zero page";
    EXPECT_EQ(b[page * w + w - 1], 100 + page);
    EXPECT_EQ(state(&a[page * w]), -1) << "gone from where it was";
  }
  EXPECT_EQ(state(&b[w]), 0) << "the page shared with the range's start is left alone";
  EXPECT_EQ(state(&b[5 * w]), 0) << "nothing kept for it";
  EXPECT_EQ(a[w + w / 2], 101U) << "the pages at the donation's ends stay";
  EXPECT_EQ(a[5 * w], 105U);

  // Nothing kept: nothing moves, and place() says so.
  EXPECT_EQ(r.place(&b[5 * w], &b[8 * w]), reinterpret_cast<std::byte*>(&b[5 * w]));
  // Less than a whole page on either side: nothing donated, nothing placed.
  r.donate(&a[6 * w + 1], &a[7 * w]);
  EXPECT_EQ(r.kept_bytes(), 0U);
  r.donate(&a[6 * w], &a[7 * w]);
  EXPECT_EQ(r.kept_bytes(), page_size());
  EXPECT_EQ(r.place(&b[5 * w + 1], &b[6 * w + 5]), reinterpret_cast<std::byte*>(&b[6 * w]));
  EXPECT_EQ(r.kept_bytes(), page_size());
  EXPECT_EQ(state(&b[5 * w]), 0);
}

TEST(PagesTest, KeepsAtMostItsLimitAndGivesTheOldestBack) {
  const std::size_t extra = 4 * page_size();
  const Mapping m(Recycler::kKeepBytes + extra);
  const std::span<Word> a = words(m);
  std::fill(a.begin(), a.end(), Word{7});
  Recycler r;
  r.donate(a.data(), a.data() + a.size());
  EXPECT_EQ(r.kept_bytes(), Recycler::kKeepBytes);
  EXPECT_EQ(state(a.data()), 0) << "given back: still mapped, no longer resident";
  EXPECT_EQ(state(&a[extra / sizeof(Word) - 1]), 0);
  EXPECT_EQ(state(&a[extra / sizeof(Word)]), 1) << "the newest are kept";
  EXPECT_EQ(state(&a[a.size() - 1]), 1);
}

TEST(PagesTest, RecyclingMergeWritesItsOutputIntoTheRunsPages) {
  namespace cs = core::sort;
  // Three sorted runs in one mapping, merged into another: the output equals
  // std::sort's, and almost none of its pages is a fresh one.
  constexpr std::size_t kN = 96 * cs::kMergeChunk + 11;
  const Mapping in(kN * sizeof(Word));
  const Mapping out(kN * sizeof(Word));
  const std::span<Word> keys = words(in).first(kN);
  const auto input = cs::generate_keys(cs::Params{kN, 3, 0}, {0, kN});
  std::copy(input.begin(), input.end(), keys.begin());
  const std::size_t a = kN / 5;
  const std::size_t b = kN / 2 + 7;
  std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(a));
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(a), keys.begin() + static_cast<std::ptrdiff_t>(b));
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(b), keys.end());
  const std::span<const Word> all(keys);
  const std::vector<std::span<const Word>> runs{all.first(a), all.subspan(a, b - a), all.subspan(b)};
  auto expected = input;
  cs::reference_sort(expected);

  const std::span<Word> merged = words(out).first(kN);
  cs::merge_runs(runs, merged, cs::Consumed::recycle);
  EXPECT_TRUE(std::equal(merged.begin(), merged.end(), expected.begin(), expected.end()));
  // Every page gone from the runs lies under the output now: count them.
  std::size_t moved = 0;
  const std::size_t pages = in.bytes() / page_size();
  for (std::size_t p = 0; p < pages; ++p)
    if (state(&keys[p * words_per_page()]) == -1) ++moved;
  EXPECT_GT(moved, 3 * pages / 4) << moved << " of " << pages << " pages moved under the output";
  EXPECT_EQ(state(&keys[kN / 3]), -1) << "a page of the runs now lies under the output";
  EXPECT_EQ(state(&keys[3 * kN / 4]), -1);
}

}  // namespace
}  // namespace pardemo::core::pages
