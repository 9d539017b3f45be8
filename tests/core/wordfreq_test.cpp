// Word counting: tokenisation, the boundary-adjusted split (every word counted
// once for any number of parts), merging, top-K order, the generated corpus and
// the checks on input files.
#include "core/wordfreq.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

namespace pardemo::core::wordfreq {
namespace {

std::map<std::string, std::uint64_t> sorted(const Counts& c) { return {c.begin(), c.end()}; }

using Table = std::map<std::string, std::uint64_t>;

TEST(WordfreqTest, WordsAreLowerCasedRunsOfAsciiLetters) {
  EXPECT_EQ(sorted(count("The cat, the CAT; tHe x86-64 don't caf\xc3\xa9 a_b\n")),
            (Table{{"the", 3}, {"cat", 2}, {"x", 1}, {"don", 1}, {"t", 1}, {"caf", 1}, {"a", 1}, {"b", 1}}));
  EXPECT_TRUE(count("").empty());
  EXPECT_TRUE(count(" 123 ,.;\n\t").empty());
  EXPECT_EQ(sorted(count("word")), (Table{{"word", 1}}));
  EXPECT_EQ(sorted(count("[\\]^_`{@")), Table{});  // the bytes just outside A-Z and a-z
  EXPECT_EQ(sorted(count("AZaz")), (Table{{"azaz", 1}}));
  std::string with_nul("ab\0cd", 5);
  EXPECT_EQ(sorted(count(with_nul)), (Table{{"ab", 1}, {"cd", 1}}));
}

TEST(WordfreqTest, CountAddsToAnExistingTable) {
  Counts c = count("a b");
  count("b c", c);
  EXPECT_EQ(sorted(c), (Table{{"a", 1}, {"b", 2}, {"c", 1}}));
}

TEST(WordfreqTest, BoundaryMovesPastTheStraddlingWord) {
  const std::string_view t = "ab cd  ef";
  EXPECT_EQ(boundary(t, 0), 0U);
  EXPECT_EQ(boundary(t, 1), 2U);  // inside "ab"
  EXPECT_EQ(boundary(t, 2), 2U);  // just after "ab": nothing straddles
  EXPECT_EQ(boundary(t, 3), 3U);  // "cd" starts here: the part owns it
  EXPECT_EQ(boundary(t, 4), 5U);
  EXPECT_EQ(boundary(t, 8), 9U);
  EXPECT_EQ(boundary(t, 9), 9U);
  EXPECT_EQ(boundary(t, 20), 9U);
}

// Every text of length <= 7 over {a, B, ' '} (and a few longer ones), every part
// count 1..8: the parts tile the text and their counts add up to the whole count.
TEST(WordfreqTest, BoundaryAdjustedPartsCountEveryWordOnce) {
  std::vector<std::string> texts;
  const char alphabet[] = {'a', 'B', ' '};
  for (std::size_t len = 0; len <= 7; ++len) {
    std::size_t combos = 1;
    for (std::size_t i = 0; i < len; ++i) combos *= 3;
    for (std::size_t k = 0; k < combos; ++k) {
      std::string s;
      for (std::size_t i = 0, x = k; i < len; ++i, x /= 3) s.push_back(alphabet[x % 3]);
      texts.push_back(s);
    }
  }
  texts.emplace_back("the quick brown fox, jumps over: the lazy dog!\nThe END");
  texts.emplace_back("supercalifragilistic");
  texts.push_back(generate_corpus(3000, 7));
  for (const auto& text : texts) {
    const auto whole = sorted(count(text));
    for (std::uint64_t parts = 1; parts <= 8; ++parts) {
      Counts merged;
      std::uint64_t next = 0;
      for (std::uint64_t i = 0; i < parts; ++i) {
        const Range r = part(text, parts, i);
        ASSERT_EQ(r.begin, next) << "'" << text << "' parts " << parts << " part " << i;
        ASSERT_LE(r.begin, r.end);
        next = r.end;
        merge(merged, count(std::string_view(text).substr(r.begin, r.size())));
      }
      ASSERT_EQ(next, text.size()) << "'" << text << "' parts " << parts;
      ASSERT_EQ(sorted(merged), whole) << "'" << text << "' parts " << parts;
    }
  }
}

TEST(WordfreqTest, MergeAddsCountsWhicheverTableIsLarger) {
  Counts a = count("x y y z");
  Counts b = count("y w");
  merge(a, std::move(b));
  EXPECT_EQ(sorted(a), (Table{{"w", 1}, {"x", 1}, {"y", 3}, {"z", 1}}));
  Counts small = count("y");
  Counts big = count("a b c d y");
  merge(small, std::move(big));
  EXPECT_EQ(sorted(small), (Table{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"y", 2}}));
  Counts empty;
  merge(empty, count("q"));
  EXPECT_EQ(sorted(empty), (Table{{"q", 1}}));
}

TEST(WordfreqTest, TotalsAndChecksum) {
  const Counts c = count("a b b c c c");
  EXPECT_EQ(totals(c).words, 6U);
  EXPECT_EQ(totals(c).distinct, 3U);
  EXPECT_EQ(fnv1a(""), 14695981039346656037ULL);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cULL);  // the published FNV-1a-64 test vector
  EXPECT_EQ(checksum(c), fnv1a("a") + 2 * fnv1a("b") + 3 * fnv1a("c"));
  // Order-independent: the same table built in another order.
  EXPECT_EQ(checksum(count("c c b c b a")), checksum(c));
}

TEST(WordfreqTest, TopIsByCountThenWord) {
  const Counts c = count("b a c b a d e e e zz zz zz");
  const auto t = top(c, 4);
  ASSERT_EQ(t.size(), 4U);
  EXPECT_EQ(t[0], (std::pair<std::string, std::uint64_t>{"e", 3}));
  EXPECT_EQ(t[1], (std::pair<std::string, std::uint64_t>{"zz", 3}));
  EXPECT_EQ(t[2], (std::pair<std::string, std::uint64_t>{"a", 2}));
  EXPECT_EQ(t[3], (std::pair<std::string, std::uint64_t>{"b", 2}));
  EXPECT_EQ(top(c, 100).size(), 6U);
  EXPECT_TRUE(top(Counts{}, 10).empty());
}

TEST(WordfreqTest, CorpusIsDeterministicAndRangesAgree) {
  const std::uint64_t n = 3 * kCorpusBlock + 1234;
  const std::string a = generate_corpus(n, 42);
  EXPECT_EQ(a.size(), n);
  EXPECT_EQ(a, generate_corpus(n, 42));
  EXPECT_NE(a, generate_corpus(n, 43));
  for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, 0}, {0, 1}, {5, 100}, {kCorpusBlock - 3, kCorpusBlock + 3}, {1000, n}, {2 * kCorpusBlock, n}}) {
    EXPECT_EQ(generate_range(n, 42, b, e), a.substr(b, e - b)) << b << ".." << e;
  }
  EXPECT_THROW(generate_range(n, 42, 0, n + 1), std::invalid_argument);
  // No word crosses a block: every block ends in a newline.
  for (std::uint64_t b = kCorpusBlock - 1; b < n; b += kCorpusBlock) EXPECT_EQ(a[b], '\n');
  // English-like: a few hundred distinct words, "the" the most frequent.
  const Counts c = count(a);
  EXPECT_GT(c.size(), 100U);
  // The vocabulary, plus "s" from "'s" and the prefixes of words cut at block ends.
  EXPECT_LE(c.size(), vocabulary_size() + 1 + n / kCorpusBlock + 1);
  EXPECT_EQ(top(c, 1)[0].first, "the");
  EXPECT_EQ(a.find('\0'), std::string::npos);
}

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("wordfreq_test." + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name, const std::string& contents) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << contents;
    return p.string();
  }
  [[nodiscard]] std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(WordfreqTest, FileChecksSayWhatIsWrongInOneLine) {
  const TempDir dir;
  const std::string good = dir.file("good.txt", "Hello, world\n");
  EXPECT_EQ(check_file(good), std::nullopt);

  const std::string missing = dir.path("missing.txt");
  EXPECT_EQ(check_file(missing), missing + ": no such file");
  const std::string empty = dir.file("empty.txt", "");
  EXPECT_EQ(check_file(empty), empty + ": is empty");
  const std::string binary = dir.file("binary.bin", std::string("ab\0cd", 5));
  EXPECT_EQ(check_file(binary), binary + ": looks binary (a NUL byte at offset 2)");
  const std::string sub = dir.path("sub");
  std::filesystem::create_directory(sub);
  EXPECT_EQ(check_file(sub), sub + ": is a directory, not a file");
  // A NUL after the first 64 KiB is not looked for.
  const std::string late_nul = dir.file("late.txt", std::string(kBinaryProbe, 'a') + std::string(1, '\0'));
  EXPECT_EQ(check_file(late_nul), std::nullopt);
  for (const auto& p : {missing, empty, binary, sub}) {
    EXPECT_EQ(check_file(p)->find('\n'), std::string::npos);
  }
}

TEST(WordfreqTest, ReadPartReadsTheAdjustedRangeOnly) {
  const TempDir dir;
  const std::string text = generate_corpus(5000, 3) + "tail";
  const std::string path = dir.file("corpus.txt", text);
  EXPECT_EQ(read_file(path), text);
  for (std::uint64_t parts = 1; parts <= 8; ++parts) {
    for (std::uint64_t i = 0; i < parts; ++i) {
      const Range nominal = partition(text.size(), parts, i);
      Range got;
      const std::string s = read_part(path, text.size(), nominal.begin, nominal.end, &got);
      const Range want = part(text, parts, i);
      EXPECT_EQ(got, want);
      EXPECT_EQ(s, text.substr(want.begin, want.size()));
    }
  }
  // A word longer than read_part's look-ahead buffer.
  const std::string longword = std::string(1000, 'q') + " end";
  const std::string lw = dir.file("long.txt", longword);
  Range got;
  EXPECT_EQ(read_part(lw, longword.size(), 0, 10, &got), std::string(1000, 'q'));
  EXPECT_EQ(read_part(lw, longword.size(), 10, longword.size(), &got), " end");
  EXPECT_THROW(read_part(dir.path("missing"), 10, 0, 10), std::runtime_error);
}

}  // namespace
}  // namespace pardemo::core::wordfreq
