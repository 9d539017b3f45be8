#pragma once
// Word frequencies: the map step (count the words of a byte range), the reduce
// step (merge two tables), and the byte-range decomposition that makes the map
// step independent of how many workers share the text. No MPI and no threads.
//
// A word is a maximal run of ASCII letters A-Za-z, lower-cased: exactly what
// `tr -cs A-Za-z '\n' | tr A-Z a-z` writes one per line.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/range.hpp"

namespace pardemo::core::wordfreq {

// Lets the counter look a word up by string_view, so a word already in the
// table costs no allocation. The table is still a std::unordered_map of
// std::string to count, and serializes as one.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
struct WordEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
using Counts = std::unordered_map<std::string, std::uint64_t, WordHash, WordEqual>;

inline constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Adds the words of `text` to `counts`.
void count(std::string_view text, Counts& counts);
Counts count(std::string_view text);

class LocalCounter;

// The words of a text handed over in consecutive blocks of any size, from one
// byte up: a word cut by the end of a block is carried into the next, so the
// words counted are exactly count()'s over the blocks joined. Between blocks it
// holds only the cut word, which lets a worker count a range of any length in
// O(block) memory.
class BlockCounter {
 public:
  BlockCounter();
  ~BlockCounter();
  BlockCounter(const BlockCounter&) = delete;
  BlockCounter& operator=(const BlockCounter&) = delete;

  // The next block of the text.
  void add(std::string_view block);
  // The text ends here: counts the word the last block was cut in, adds the
  // words to `counts`, and starts over with an empty text.
  void finish(Counts& counts);

 private:
  std::unique_ptr<LocalCounter> local_;
  std::string carry_;  // the letters of a word cut by the end of the last block
};

// Where a part that nominally starts at byte `pos` of `text` really starts: at
// `pos` when no word straddles it, else just after the end of the word that does.
// Parts [boundary(b_i), boundary(b_{i+1})) tile the text and count every word
// exactly once, in the part where the word starts.
std::uint64_t boundary(std::string_view text, std::uint64_t pos);

// Part `index` of `parts` of `text`: partition()'s byte range, moved to word
// boundaries.
Range part(std::string_view text, std::uint64_t parts, std::uint64_t index);

// Adds every entry of `from` to `into` (moves nodes, no copies of words).
void merge(Counts& into, Counts&& from);

struct Totals {
  std::uint64_t words = 0;     // every occurrence
  std::uint64_t distinct = 0;  // entries of the table
};
Totals totals(const Counts& counts);

// The k most frequent words, by count descending, then word ascending.
std::vector<std::pair<std::string, std::uint64_t>> top(const Counts& counts, std::size_t k);

// An order-independent checksum of the whole table: the sum over entries of
// FNV-1a-64(word) * count, modulo 2^64.
std::uint64_t checksum(const Counts& counts);
std::uint64_t fnv1a(std::string_view s);

// A deterministic English-like text of exactly `bytes` bytes: words drawn with
// Zipf-like frequencies from a fixed vocabulary, some capitalised, separated by
// spaces, punctuation, digits and newlines. It is made of independent blocks of
// kCorpusBlock bytes (each ends in '\n', so no word crosses a block), which is
// what lets a worker generate only its own byte range.
inline constexpr std::uint64_t kCorpusBlock = 1ULL << 16;
// The size of the blocks a worker generates or reads its byte range in: whole
// corpus blocks, enough of them that a block costs little more than count() over
// the same bytes in one piece, few enough to stay a small part of the peak memory.
inline constexpr std::uint64_t kCountBlock = 64 * kCorpusBlock;  // 4 MiB
std::string generate_corpus(std::uint64_t bytes, std::uint64_t seed);
// Bytes [begin, end) of generate_corpus(bytes, seed), end <= bytes.
std::string generate_range(std::uint64_t bytes, std::uint64_t seed, std::uint64_t begin, std::uint64_t end);
// The same bytes appended to `out`, which can then be reused from range to range.
void append_range(std::string& out, std::uint64_t bytes, std::uint64_t seed, std::uint64_t begin, std::uint64_t end);
std::size_t vocabulary_size();

// boundary() over generate_corpus(bytes, seed), generating only the corpus block
// that decides it (no word crosses a block).
std::uint64_t corpus_boundary(std::uint64_t bytes, std::uint64_t seed, std::uint64_t pos);

// Adds the words of generate_corpus(bytes, seed) that start in [b, e) to `counts`:
// bytes [corpus_boundary(b), corpus_boundary(e)), generated and counted `block`
// bytes at a time. Returns that range.
Range count_corpus_part(std::uint64_t bytes, std::uint64_t seed, std::uint64_t b, std::uint64_t e, Counts& counts,
                        std::uint64_t block = kCountBlock);

inline constexpr std::uint64_t kMaxFileBytes = 4ULL << 30;  // 4 GiB
inline constexpr std::uint64_t kBinaryProbe = 64ULL << 10;  // bytes searched for a NUL

// Why `path` cannot be an input, in one line ("GPL-3: no such file"), or nothing
// when it can: missing, a directory, unreadable, empty, binary (a NUL byte in the
// first 64 KiB) or huge (over 4 GiB).
std::optional<std::string> check_file(const std::string& path);

// The bytes [boundary(b), boundary(e)) of the file at `path` (`size` bytes), in
// the sense of boundary() over the whole file, read by seeking: the range itself
// plus the few bytes around b and e that decide where the words end. Throws
// std::runtime_error when the file cannot be read. Returns the range it read.
std::string read_part(const std::string& path, std::uint64_t size, std::uint64_t b, std::uint64_t e,
                      Range* adjusted = nullptr);

// Adds the words of read_part(path, size, b, e) to `counts`, reading and counting
// the range `block` bytes at a time. Throws as read_part() does. Returns the
// range it counted.
Range count_file_part(const std::string& path, std::uint64_t size, std::uint64_t b, std::uint64_t e, Counts& counts,
                      std::uint64_t block = kCountBlock);

// The whole file, for references and tests.
std::string read_file(const std::string& path);

}  // namespace pardemo::core::wordfreq
