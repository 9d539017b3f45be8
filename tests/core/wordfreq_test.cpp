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

// Every text of length 0 .. 7 over the letters a, B and the space.
std::vector<std::string> short_texts() {
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
  return texts;
}

// Every text of length <= 7 over {a, B, ' '} (and a few longer ones), every part
// count 1..8: the parts tile the text and their counts add up to the whole count.
TEST(WordfreqTest, BoundaryAdjustedPartsCountEveryWordOnce) {
  std::vector<std::string> texts = short_texts();
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

// Counts `text` through a BlockCounter, cut at `cuts` (increasing offsets).
Counts count_in_blocks(std::string_view text, const std::vector<std::size_t>& cuts) {
  BlockCounter counter;
  std::size_t at = 0;
  for (const std::size_t cut : cuts) {
    counter.add(text.substr(at, cut - at));
    at = cut;
  }
  counter.add(text.substr(at));
  Counts counts;
  counter.finish(counts);
  return counts;
}

// Cuts every `block` bytes.
std::vector<std::size_t> every(std::size_t block, std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t at = block; at < size; at += block) cuts.push_back(at);
  return cuts;
}

TEST(WordfreqTest, BlockCounterCarriesAWordCutByABlock) {
  EXPECT_EQ(sorted(count_in_blocks("hel", {})), (Table{{"hel", 1}}));
  EXPECT_EQ(sorted(count_in_blocks("Hello world", {3})), (Table{{"hello", 1}, {"world", 1}}));
  // Cut over several blocks, each one all letters.
  EXPECT_EQ(sorted(count_in_blocks("a SUPERCALIFRAGILISTIC b", {4, 5, 9, 14, 20})),
            (Table{{"a", 1}, {"b", 1}, {"supercalifragilistic", 1}}));
  // A block ending exactly at a separator, and one starting at one: no word is cut.
  EXPECT_EQ(sorted(count_in_blocks("ab cd", {2})), (Table{{"ab", 1}, {"cd", 1}}));
  EXPECT_EQ(sorted(count_in_blocks("ab cd", {3})), (Table{{"ab", 1}, {"cd", 1}}));
  EXPECT_EQ(sorted(count_in_blocks("ab, cd", {2, 3, 4})), (Table{{"ab", 1}, {"cd", 1}}));
  // Empty blocks anywhere, a text that ends in a separator, one of separators only.
  EXPECT_EQ(sorted(count_in_blocks("ab cd.", {0, 1, 1, 1, 6})), (Table{{"ab", 1}, {"cd", 1}}));
  EXPECT_TRUE(count_in_blocks(" 42, ", {1, 2, 3}).empty());
  EXPECT_TRUE(count_in_blocks("", {}).empty());
}

TEST(WordfreqTest, BlockCounterStartsOverAfterFinish) {
  BlockCounter counter;
  counter.add("the ca");
  Counts first;
  counter.finish(first);
  EXPECT_EQ(sorted(first), (Table{{"the", 1}, {"ca", 1}}));
  counter.add("t the");
  Counts second;
  counter.finish(second);
  EXPECT_EQ(sorted(second), (Table{{"t", 1}, {"the", 1}}));
}

// Every text of length <= 7 over {a, B, ' '}, cut into blocks of every size, and
// at every single place and every pair of places: the same count as in one piece.
TEST(WordfreqTest, BlockCounterCountsAsTheWholeText) {
  std::vector<std::string> texts = short_texts();
  for (const auto& text : texts) {
    const auto whole = sorted(count(text));
    for (std::size_t block = 1; block <= text.size(); ++block) {
      ASSERT_EQ(sorted(count_in_blocks(text, every(block, text.size()))), whole) << "'" << text << "' " << block;
    }
    for (std::size_t i = 0; i <= text.size(); ++i) {
      for (std::size_t j = i; j <= text.size(); ++j) {
        ASSERT_EQ(sorted(count_in_blocks(text, {i, j})), whole) << "'" << text << "' cut at " << i << ", " << j;
      }
    }
  }
  const std::string corpus = generate_corpus(20'000, 5);
  const auto whole = sorted(count(corpus));
  for (const std::size_t block : std::vector<std::size_t>{1, 2, 3, 7, 64, 1000, 4096}) {
    EXPECT_EQ(sorted(count_in_blocks(corpus, every(block, corpus.size()))), whole) << block;
  }
}

// Byte ranges that start and end anywhere (mid-word, at a separator, at a corpus
// block's end), counted in blocks of many sizes: the words of the same
// boundary-adjusted range of the whole corpus, counted in one piece.
TEST(WordfreqTest, CorpusPartsCountedInBlocksMatchTheWholeRange) {
  const std::uint64_t n = 2 * kCorpusBlock + 777;
  const std::string text = generate_corpus(n, 17);
  std::vector<std::uint64_t> mid_word;  // starts of words' second letters
  for (std::uint64_t i = 1; i < n && mid_word.size() < 3; ++i)
    if (is_letter(text[i - 1]) && is_letter(text[i]) && (i == 1 || !is_letter(text[i - 2]))) mid_word.push_back(i);
  ASSERT_EQ(mid_word.size(), 3U);
  const std::uint64_t separator = text.find(' ', 100);
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges{{0, n},
                                                                    {0, 0},
                                                                    {mid_word[0], mid_word[2]},
                                                                    {mid_word[1], n},
                                                                    {separator, separator + 1},
                                                                    {separator + 1, kCorpusBlock},
                                                                    {kCorpusBlock - 1, kCorpusBlock + 1},
                                                                    {kCorpusBlock, 2 * kCorpusBlock + 5},
                                                                    {n - 1, n},
                                                                    {n, n}};
  for (const auto& [b, e] : ranges) {
    const Range want{boundary(text, b), std::max(boundary(text, b), boundary(text, e))};
    const auto expected = sorted(count(std::string_view(text).substr(want.begin, want.size())));
    for (const std::uint64_t block :
         {std::uint64_t{1000}, std::uint64_t{4093}, kCorpusBlock - 1, kCorpusBlock, kCorpusBlock + 1, kCountBlock}) {
      Counts got;
      EXPECT_EQ(count_corpus_part(n, 17, b, e, got, block), want) << b << ".." << e << " in blocks of " << block;
      EXPECT_EQ(sorted(got), expected) << b << ".." << e << " in blocks of " << block;
    }
  }
  // Blocks of one byte (each generates a whole corpus block: a small corpus).
  const std::string small = generate_corpus(500, 3);
  for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 500}, {3, 250}, {250, 499}}) {
    Counts got;
    const Range r = count_corpus_part(500, 3, b, e, got, 1);
    EXPECT_EQ(r, (Range{boundary(small, b), boundary(small, e)}));
    EXPECT_EQ(sorted(got), sorted(count(std::string_view(small).substr(r.begin, r.size()))));
  }
  Counts none;
  EXPECT_THROW(count_corpus_part(500, 3, 0, 500, none, 0), std::invalid_argument);
}

TEST(WordfreqTest, CorpusPartsTileTheCorpus) {
  const std::uint64_t n = 3 * kCorpusBlock + 99;
  const auto whole = sorted(count(generate_corpus(n, 8)));
  for (std::uint64_t parts = 1; parts <= 7; ++parts) {
    Counts merged;
    std::uint64_t next = 0;
    for (std::uint64_t i = 0; i < parts; ++i) {
      const Range nominal = partition(n, parts, i);
      const Range r = count_corpus_part(n, 8, nominal.begin, nominal.end, merged, 5000);
      ASSERT_EQ(r.begin, next) << parts << " parts, part " << i;
      next = r.end;
    }
    EXPECT_EQ(next, n);
    EXPECT_EQ(sorted(merged), whole) << parts << " parts";
  }
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

// count_file_part() against count() over read_part()'s bytes: ranges that start
// and end mid-word and at separators, blocks of one byte up, a word longer than
// a block and longer than the look-ahead that finds the boundaries.
TEST(WordfreqTest, FilePartsCountedInBlocksMatchTheWholeRange) {
  const TempDir dir;
  const std::string text =
      "Lorem ipsum, dolor sit amet " + std::string(1000, 'q') + " tail-end " + generate_corpus(3000, 4) + "LastWord";
  const std::string path = dir.file("text.txt", text);
  const std::uint64_t n = text.size();
  for (const auto& [b, e] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, n}, {2, 9}, {5, 6}, {11, 12}, {27, 29}, {30, 1100}, {500, 600}, {1040, n - 3}, {n - 3, n}, {n, n}}) {
    Range want;
    const std::string bytes = read_part(path, n, b, e, &want);
    const auto expected = sorted(count(bytes));
    for (const std::uint64_t block : std::vector<std::uint64_t>{1, 2, 3, 16, 255, 256, 4096, 1 << 20}) {
      Counts got;
      EXPECT_EQ(count_file_part(path, n, b, e, got, block), want) << b << ".." << e << " in blocks of " << block;
      EXPECT_EQ(sorted(got), expected) << b << ".." << e << " in blocks of " << block;
    }
  }
  Counts none;
  EXPECT_THROW(count_file_part(dir.path("missing"), 10, 0, 10, none), std::runtime_error);
  EXPECT_THROW(count_file_part(path, n, 0, n, none, 0), std::invalid_argument);
  // A file shorter than its stated size cannot be read to the end.
  EXPECT_THROW(count_file_part(path, n + 100, 0, n + 100, none), std::runtime_error);
}

}  // namespace
}  // namespace pardemo::core::wordfreq
