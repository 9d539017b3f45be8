// wordfreq over arbitrary bytes: the tokenizer against a plain reading of its
// definition (a word is a maximal run of A-Za-z, lower-cased), the split into
// parts at word boundaries (every word counted once, whatever the part count),
// merge, totals, top and checksum, and the file readers (check_file, read_part)
// against the same bytes in memory.
//
// Input: one byte for the part count, then the text.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/range.hpp"
#include "core/wordfreq.hpp"
#include "fuzz_check.hpp"

namespace wf = pardemo::core::wordfreq;

namespace {

std::map<std::string, std::uint64_t> reference(std::string_view text) {
  std::map<std::string, std::uint64_t> counts;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  return counts;
}

std::map<std::string, std::uint64_t> sorted(const wf::Counts& c) { return {c.begin(), c.end()}; }

int memfd() {
  static const int fd = ::memfd_create("fuzz_wordfreq", 0);
  if (fd < 0) std::abort();
  return fd;
}

void write_file(int fd, std::string_view text) {
  if (::ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > (1 << 16)) return -1;
  const std::uint64_t parts = 1 + data[0] % 16;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto expected = reference(text);
  const wf::Counts whole = wf::count(text);
  FUZZ_CHECK(sorted(whole) == expected, "count() differs from the reference (%zu against %zu words)", whole.size(),
             expected.size());

  // Parts tile the text; their counts, merged, are the whole.
  wf::Counts merged;
  std::uint64_t at = 0;
  for (std::uint64_t i = 0; i < parts; ++i) {
    const pardemo::core::Range r = wf::part(text, parts, i);
    FUZZ_CHECK(r.begin == at && r.begin <= r.end && r.end <= text.size(), "part %llu of %llu does not tile",
               static_cast<unsigned long long>(i), static_cast<unsigned long long>(parts));
    at = r.end;
    wf::merge(merged, wf::count(text.substr(r.begin, r.size())));
  }
  FUZZ_CHECK(at == text.size(), "the parts do not cover the text");
  FUZZ_CHECK(sorted(merged) == expected, "the parts' counts differ from the whole (%llu parts)",
             static_cast<unsigned long long>(parts));

  std::uint64_t words = 0;
  std::uint64_t sum = 0;
  for (const auto& [w, c] : expected) {
    words += c;
    sum += wf::fnv1a(w) * c;
  }
  const wf::Totals t = wf::totals(merged);
  FUZZ_CHECK(t.words == words && t.distinct == expected.size(), "totals");
  FUZZ_CHECK(wf::checksum(merged) == sum, "checksum");
  const auto best = wf::top(merged, parts);
  FUZZ_CHECK(best.size() == std::min<std::size_t>(parts, expected.size()), "top size");
  for (std::size_t i = 0; i < best.size(); ++i) {
    FUZZ_CHECK(expected.at(best[i].first) == best[i].second, "top count");
    if (i > 0)
      FUZZ_CHECK(best[i - 1].second > best[i].second ||
                     (best[i - 1].second == best[i].second && best[i - 1].first < best[i].first),
                 "top order");
  }

  // The same bytes as a file: check_file's verdict, and read_part's ranges.
  const int fd = memfd();
  write_file(fd, text);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const auto problem = wf::check_file(path);
  const bool binary = text.substr(0, wf::kBinaryProbe).find('\0') != std::string_view::npos;
  FUZZ_CHECK(problem.has_value() == (text.empty() || binary), "check_file: %s",
             problem ? problem->c_str() : "accepted");
  for (std::uint64_t i = 0; i < parts; ++i) {
    const pardemo::core::Range nominal = pardemo::core::partition(text.size(), parts, i);
    pardemo::core::Range adjusted;
    const std::string got = wf::read_part(path, text.size(), nominal.begin, nominal.end, &adjusted);
    const pardemo::core::Range want = wf::part(text, parts, i);
    FUZZ_CHECK(adjusted == want, "read_part's range differs from part()");
    FUZZ_CHECK(got == text.substr(want.begin, want.size()), "read_part's bytes differ");
  }
  return 0;
}
