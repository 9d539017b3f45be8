// parse_count and parse_cpu_list, the parsers behind --size, --threads, --chunk,
// --repeat and the rest, and --cpus: whatever the text, either the value an
// independent reading of the documented syntax gives, or std::invalid_argument
// (a usage error) naming the option; never anything else.
//
// Input: one selector byte, then the text. The selector picks the function and
// its bounds, including bounds no caller uses today (up to 2^64 - 1).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "fuzz_check.hpp"

namespace {

using u128 = unsigned __int128;

// The documented syntax: digits, or <digits>e<one or two digits>; the value
// computed in 128 bits, saturated: a value past 2^64 is past every bound.
std::optional<u128> reference_count(const std::string& s) {
  const auto digits = [](const std::string& t) {
    if (t.empty()) return false;
    for (char c : t)
      if (c < '0' || c > '9') return false;
    return true;
  };
  const std::size_t e = s.find_first_of("eE");
  const std::string mantissa = s.substr(0, e);
  const std::string exponent = e == std::string::npos ? "0" : s.substr(e + 1);
  if (!digits(mantissa) || !digits(exponent) || exponent.size() > 2) return std::nullopt;
  const u128 cap = u128{1} << 70;
  u128 v = 0;
  for (char c : mantissa) v = std::min<u128>(cap, v * 10 + static_cast<unsigned>(c - '0'));
  for (int i = std::stoi(exponent); i > 0; --i) v = std::min<u128>(cap, v * 10);
  return v;
}

std::optional<std::uint64_t> reference_in(const std::string& s, std::uint64_t min, std::uint64_t max) {
  const auto v = reference_count(s);
  if (!v || *v < min || *v > max) return std::nullopt;
  return static_cast<std::uint64_t>(*v);
}

void check_count(const std::string& text, std::uint64_t min, std::uint64_t max) {
  const auto expected = reference_in(text, min, max);
  try {
    const std::uint64_t got = pardemo::cli::parse_count("--opt", text, min, max);
    FUZZ_CHECK(expected && got == *expected, "parse_count('%s', %llu, %llu) = %llu, expected %s", text.c_str(),
               static_cast<unsigned long long>(min), static_cast<unsigned long long>(max),
               static_cast<unsigned long long>(got), expected ? std::to_string(*expected).c_str() : "a usage error");
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(!expected, "parse_count('%s', %llu, %llu) refused (%s), expected %llu", text.c_str(),
               static_cast<unsigned long long>(min), static_cast<unsigned long long>(max), e.what(),
               static_cast<unsigned long long>(expected.value_or(0)));
    FUZZ_CHECK(std::string(e.what()).starts_with("--opt '"), "the message does not name the option: %s", e.what());
  }
}

void check_cpus(const std::string& text, int limit) {
  // Parts between commas: N or LO-HI (split at the first '-'), each below `limit`.
  std::optional<std::set<int>> expected{std::set<int>{}};
  std::size_t pos = 0;
  while (expected) {
    const std::size_t end = text.find(',', pos);
    const std::string part = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    const std::size_t dash = part.find('-');
    const auto lo = reference_in(part.substr(0, dash), 0, static_cast<std::uint64_t>(limit - 1));
    const auto hi =
        dash == std::string::npos ? lo : reference_in(part.substr(dash + 1), 0, static_cast<std::uint64_t>(limit - 1));
    if (!lo || !hi || *hi < *lo) {
      expected.reset();
      break;
    }
    for (std::uint64_t c = *lo; c <= *hi; ++c) expected->insert(static_cast<int>(c));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  try {
    const std::vector<int> got = pardemo::cli::parse_cpu_list(text, limit);
    FUZZ_CHECK(expected, "parse_cpu_list('%s', %d) accepted, expected a usage error", text.c_str(), limit);
    FUZZ_CHECK(std::vector<int>(expected->begin(), expected->end()) == got, "parse_cpu_list('%s', %d): wrong CPUs",
               text.c_str(), limit);
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(!expected, "parse_cpu_list('%s', %d) refused: %s", text.c_str(), limit, e.what());
    FUZZ_CHECK(std::string(e.what()).starts_with("--cpus '"), "the message does not name --cpus: %s", e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 256) return -1;
  const std::uint8_t sel = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  static constexpr std::uint64_t kMax[] = {1,
                                           100,
                                           1000,
                                           1024,
                                           1ULL << 20,
                                           1ULL << 30,
                                           1ULL << 32,
                                           1ULL << 34,
                                           10'000'000'000ULL,
                                           1'000'000'000'000ULL,
                                           1ULL << 40,
                                           1ULL << 63,
                                           18'446'744'073'709'551'610ULL,
                                           ~0ULL / 10,
                                           ~0ULL / 10 + 1,
                                           ~0ULL};
  static constexpr std::uint64_t kMin[] = {0, 1, 7, 100};
  if ((sel & 0x80) != 0) {
    check_cpus(text, 1 + (sel & 0x7F) * 8);  // 1 to 1017 CPUs
  } else {
    const std::uint64_t max = kMax[sel & 0x0F];
    const std::uint64_t min = std::min(kMin[(sel >> 4) & 0x03], max);
    check_count(text, min, max);
  }
  return 0;
}
