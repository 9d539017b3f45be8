#include "cli/workloads.hpp"

#include <stdexcept>

namespace pardemo::cli {

const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> entries{
      {"ep", "--class S|W|A|B|C (2^25 .. 2^33 random numbers; default S)",
       "embarrassingly parallel work (NAS EP): no communication until the end, so speedup is "
       "limited only by cores; sums bit-identical for any worker count"},
      {"primes", "--size N (1 .. 10^12; default 10^7) or --class S|W|A|B|C (10^6 .. 10^10)",
       "unevenly priced work (segmented sieve): later segments cost more, so --split block leaves "
       "workers idle that --split cyclic keeps busy"},
  };
  return entries;
}

bool is_workload(const std::string& name) {
  for (const auto& e : catalog())
    if (e.name == name) return true;
  return false;
}

std::string workload_names() {
  std::string s;
  for (const auto& e : catalog()) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

std::uint64_t primes_class_size(char c) {
  switch (c) {
    case 'S': return 1'000'000;
    case 'W': return 10'000'000;
    case 'A': return 100'000'000;
    case 'B': return 1'000'000'000;
    case 'C': return 10'000'000'000;
    default: throw std::invalid_argument(std::string("unknown class ") + c);
  }
}

}  // namespace pardemo::cli
