// core::wordfreq::count against the coreutils pipeline that defines a word:
//   tr -cs A-Za-z '\n' < FILE | tr A-Z a-z | sort | uniq -c
// compared table against table, every entry.
//
// One honest difference: when FILE starts with a non-letter, `tr -cs` turns that
// first run of non-letters into a newline of its own, so the pipeline reports an
// empty "word" once. It is not a word (count() never yields one); the test checks
// that it appears exactly when the file starts with a non-letter, then drops it.
#include "core/wordfreq.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>

namespace pardemo::core::wordfreq {
namespace {

using Table = std::map<std::string, std::uint64_t>;

// The pipeline's table, the empty entry included when there is one.
Table coreutils_count(const std::string& path) {
  const std::string command =
      "LC_ALL=C tr -cs A-Za-z '\\n' < '" + path + "' | LC_ALL=C tr A-Z a-z | LC_ALL=C sort | uniq -c";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
  Table t;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    // "<spaces><count> <word>", the word possibly empty.
    const auto digits = line.find_first_not_of(' ');
    const auto space = line.find(' ', digits);
    const std::uint64_t n = std::stoull(line.substr(digits, space - digits));
    const std::string word = space == std::string::npos ? std::string() : line.substr(space + 1);
    t[word] += n;
  }
  return t;
}

void expect_same_as_coreutils(const std::string& path) {
  const std::string text = read_file(path);
  ASSERT_FALSE(text.empty());
  Table pipeline = coreutils_count(path);
  const bool leads_with_non_letter = !is_letter(text.front());
  const auto empty = pipeline.find("");
  if (leads_with_non_letter) {
    ASSERT_NE(empty, pipeline.end()) << path << " starts with a non-letter: the pipeline should yield an empty line";
    EXPECT_EQ(empty->second, 1U);
    pipeline.erase(empty);
  } else {
    EXPECT_EQ(empty, pipeline.end()) << path;
  }
  const Counts mine = count(text);
  const Table ours(mine.begin(), mine.end());
  EXPECT_EQ(ours.size(), pipeline.size()) << path;
  for (const auto& [word, n] : pipeline) {
    const auto it = ours.find(word);
    ASSERT_NE(it, ours.end()) << path << ": '" << word << "' missing";
    EXPECT_EQ(it->second, n) << path << ": '" << word << "'";
  }
  EXPECT_EQ(ours, pipeline);
}

TEST(WordfreqCoreutilsTest, Gpl3MatchesThePipeline) {
  const std::string gpl = "/usr/share/common-licenses/GPL-3";
  if (!std::filesystem::exists(gpl)) GTEST_SKIP() << gpl << " is not on this machine";
  expect_same_as_coreutils(gpl);
}

TEST(WordfreqCoreutilsTest, GeneratedCorpusAndALeadingNonLetter) {
  const auto dir = std::filesystem::temp_directory_path() / ("wordfreq_coreutils." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string corpus = (dir / "corpus.txt").string();
  std::ofstream(corpus, std::ios::binary) << generate_corpus(200'000, 11);
  expect_same_as_coreutils(corpus);
  const std::string leading = (dir / "leading.txt").string();
  std::ofstream(leading, std::ios::binary) << "  -- 42 Hello, hello WORLD; caf\xc3\xa9 x86\n\n";
  expect_same_as_coreutils(leading);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pardemo::core::wordfreq
