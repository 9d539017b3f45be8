#include "core/primes.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace pardemo::core::primes {

std::optional<std::uint64_t> published_pi(std::uint64_t n) {
  static constexpr std::uint64_t table[] = {0,      4,       25,       168,       1229,       9592,       78498,
                                            664579, 5761455, 50847534, 455052511, 4118054813, 37607912018};
  std::uint64_t p = 1;
  for (std::uint64_t v : table) {
    if (p == n) return v;
    p *= 10;
  }
  return std::nullopt;
}

std::uint64_t isqrt(std::uint64_t n) {
  auto r = static_cast<std::uint64_t>(__builtin_sqrtl(static_cast<long double>(n)));
  // Correct the floating-point estimate without overflowing: r*r <= n <=> r <= n/r.
  while (r > 0 && r > n / r) --r;
  while (r + 1 <= n / (r + 1)) ++r;
  return r;
}

std::uint64_t pi_by_recursion(std::uint64_t n) {
  if (n < 2) return 0;
  const std::uint64_t r = isqrt(n);
  // small[v] = S(v) for v <= r; large[i] = S(n / i) for i <= r.
  std::vector<std::uint64_t> small(r + 1);
  std::vector<std::uint64_t> large(r + 1);
  for (std::uint64_t v = 1; v <= r; ++v) small[v] = v - 1;
  for (std::uint64_t i = 1; i <= r; ++i) large[i] = n / i - 1;
  for (std::uint64_t p = 2; p <= r; ++p) {
    if (small[p] == small[p - 1]) continue;  // p is not prime
    const std::uint64_t sp = small[p - 1];
    const std::uint64_t p2 = p * p;
    const std::uint64_t imax = std::min(r, n / p2);
    for (std::uint64_t i = 1; i <= imax; ++i) {
      const std::uint64_t d = i * p;
      const std::uint64_t sv = d <= r ? large[d] : small[n / d];
      large[i] -= sv - sp;
    }
    for (std::uint64_t v = r; v >= p2; --v) small[v] -= small[v / p] - sp;
  }
  return large[1];
}

Workload::Workload(std::uint64_t n) : n_(n) {
  if (n > kMaxN) throw std::invalid_argument("primes: N must be at most 10^12");
  const std::uint64_t r = isqrt(n);
  std::vector<char> composite(r + 1, 0);
  for (std::uint64_t i = 3; i <= r; i += 2) {
    if (composite[i]) continue;
    sieving_primes_.push_back(static_cast<std::uint32_t>(i));
    for (std::uint64_t j = i * i; j <= r; j += 2 * i) composite[j] = 1;
  }
}

std::uint64_t Workload::count_segment(std::uint64_t lo, std::uint64_t hi) const {
  std::uint64_t count = (lo <= 2 && 2 < hi) ? 1 : 0;
  // Odd numbers o in [first, hi), with 1 excluded; flag index (o - first) / 2.
  std::uint64_t first = std::max<std::uint64_t>(lo | 1, 3);
  if (first >= hi) return count;
  const std::uint64_t odds = (hi - first + 1) / 2;
  thread_local std::vector<unsigned char> flags;
  flags.assign(odds, 1);
  for (const std::uint32_t p32 : sieving_primes_) {
    const std::uint64_t p = p32;
    const std::uint64_t p2 = p * p;
    if (p2 >= hi) break;
    // The first odd multiple of p that is >= max(first, p^2).
    std::uint64_t start = std::max(p2, (first + p - 1) / p * p);
    if ((start & 1) == 0) start += p;
    unsigned char* f = flags.data();
    for (std::uint64_t j = (start - first) / 2; j < odds; j += p) f[j] = 0;
  }
  std::uint64_t c = 0;
  for (std::uint64_t j = 0; j < odds; ++j) c += flags[j];
  return count + c;
}

Partial Workload::compute(Range r) const {
  Partial p;
  for (std::uint64_t s = r.begin; s < r.end; ++s) {
    const std::uint64_t lo = s * kSegment;
    const std::uint64_t hi = std::min(lo + kSegment, n_ + 1);
    p.count += count_segment(lo, hi);
  }
  return p;
}

Verification Workload::verify(const Result& r) const {
  Verification v;
  std::uint64_t expected = 0;
  if (auto published = published_pi(n_)) {
    expected = *published;
    v.reference = "published pi(10^k) (OEIS A006880)";
  } else {
    expected = pi_by_recursion(n_);
    v.reference = "pi(N) by the Legendre-Lucy recursion (independent of the sieve)";
  }
  v.passed = r.count == expected;
  v.detail = "pi(" + std::to_string(n_) + ") = " + std::to_string(r.count) + ", expected " + std::to_string(expected);
  return v;
}

std::vector<Field> Workload::parameters() const {
  return {{"n", n_}, {"segments", items()}, {"segment_size", kSegment}};
}

}  // namespace pardemo::core::primes
