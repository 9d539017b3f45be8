#pragma once
// Counting the primes <= N with a segmented sieve of Eratosthenes over odd numbers.
// Items are segments of kSegment consecutive integers. Segments high up the number
// line are sieved by more primes (every odd p with p*p below the segment's end), so
// a naive block split gives the first worker the cheapest share: a cyclic split
// evens that out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/workload.hpp"

namespace pardemo::core::primes {

inline constexpr std::uint64_t kSegment = 1ULL << 19;         // integers per segment (256 KiB of odd flags)
inline constexpr std::uint64_t kMaxN = 1'000'000'000'000ULL;  // 10^12

// pi(10^k) for k = 0..12 (OEIS A006880).
std::optional<std::uint64_t> published_pi(std::uint64_t n);

// pi(n) by the Legendre-type recursion S(v, p) = S(v, p-1) - [S(v/p, p-1) - S(p-1, p-1)]
// over the values floor(n/i) ("Lucy's algorithm"), O(n^(3/4)): an independent
// reference that shares no code with the sieve.
std::uint64_t pi_by_recursion(std::uint64_t n);

// Integer square root: the largest r with r*r <= n.
std::uint64_t isqrt(std::uint64_t n);

struct Partial {
  std::uint64_t count = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & count;
    // clang-format on
  }
};

struct Result {
  std::uint64_t count = 0;
};

class Workload {
 public:
  using Partial = primes::Partial;
  using Result = primes::Result;

  explicit Workload(std::uint64_t n);

  [[nodiscard]] std::string name() const { return "primes"; }
  [[nodiscard]] std::uint64_t n() const { return n_; }
  [[nodiscard]] std::uint64_t items() const { return n_ / kSegment + 1; }  // segments covering 0..n
  [[nodiscard]] double operations() const { return static_cast<double>(n_); }
  [[nodiscard]] Partial compute(Range r) const;
  static void merge(Partial& acc, Partial&& next) { acc.count += next.count; }
  [[nodiscard]] Result finish(Partial&& p) const { return {p.count}; }
  [[nodiscard]] Verification verify(const Result& r) const;
  static std::vector<Field> fields(const Result& r) { return {{"primes", r.count}}; }
  [[nodiscard]] std::vector<Field> parameters() const;

  // The count of primes in [lo, hi), lo <= hi <= n + 1.
  [[nodiscard]] std::uint64_t count_segment(std::uint64_t lo, std::uint64_t hi) const;

 private:
  std::uint64_t n_;
  std::vector<std::uint32_t> sieving_primes_;  // odd primes <= sqrt(n)
};

}  // namespace pardemo::core::primes
