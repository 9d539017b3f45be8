#pragma once
// NAS Parallel Benchmarks EP ("embarrassingly parallel"), as NPB 3.3 defines it:
// 2^(M+1) uniform numbers from the randlc generator (x <- 5^13 x mod 2^46, seed
// 271828183), consumed in batches of 2^16 pairs; Marsaglia's polar method turns
// each accepted pair into two Gaussian deviates, whose sums sx, sy and the counts
// of max(|X|,|Y|) in ten square annuli are the answer.
//
// The generator is exact integer arithmetic, so it is computed with 64-bit
// integers (same numbers as NPB's double-precision emulation, fewer operations).
// Every batch's first seed is found by fast exponentiation, so a worker jumps
// straight to its first batch. Sums are kept per batch and added in batch order
// afterwards, so they are bit-identical for every decomposition.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/workload.hpp"

namespace pardemo::core::ep {

inline constexpr std::uint64_t kMultiplier = 1220703125ULL;  // 5^13
inline constexpr std::uint64_t kSeed = 271828183ULL;
inline constexpr int kBatchLog2 = 16;  // NPB's MK: 2^16 pairs per batch
inline constexpr std::uint64_t kPairsPerBatch = 1ULL << kBatchLog2;
inline constexpr int kAnnuli = 10;  // NPB's NQ
inline constexpr double kEpsilon = 1.0e-8;

// x' = a x mod 2^46.
constexpr std::uint64_t lcg_next(std::uint64_t a, std::uint64_t x) { return (a * x) & ((1ULL << 46) - 1); }
// a^n mod 2^46.
constexpr std::uint64_t lcg_pow(std::uint64_t a, std::uint64_t n) {
  std::uint64_t r = 1;
  while (n != 0) {
    if ((n & 1) != 0) r = lcg_next(a, r);
    a = lcg_next(a, a);
    n >>= 1;
  }
  return r;
}
// The seed before the first number of batch k: seed * a^(2^17 k) mod 2^46.
constexpr std::uint64_t batch_seed(std::uint64_t k) {
  return lcg_next(lcg_pow(lcg_pow(kMultiplier, 2 * kPairsPerBatch), k), kSeed);
}

struct ClassInfo {
  char name;
  int m;      // 2^m pairs in all
  double sx;  // NPB 3.3 published verification values
  double sy;
};
// Classes S, W, A, B, C with NPB 3.3's verification sums.
const std::vector<ClassInfo>& classes();
std::optional<ClassInfo> find_class(char name);

struct Partial {
  std::vector<double> sx;  // one sum per batch, in batch order
  std::vector<double> sy;
  std::array<std::uint64_t, kAnnuli> q{};

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & sx & sy & q;
    // clang-format on
  }
};

struct Result {
  double sx = 0;
  double sy = 0;
  std::array<std::uint64_t, kAnnuli> q{};
  std::uint64_t gaussian_pairs = 0;
};

// Computes one batch: its sums and adds its annulus counts to q.
void compute_batch(std::uint64_t k, double& sx, double& sy, std::array<std::uint64_t, kAnnuli>& q);

// NPB 3.3's randlc: x <- a x mod 2^46 in double precision (two 23-bit halves, no
// 64-bit integers), returning x / 2^46. The second implementation of the generator.
double randlc(double& x, double a);

// The answer for the first `batches` batches by NPB's own method, written
// independently of the kernel above: the double-precision randlc of NPB 3.3
// (two 23-bit halves, no 64-bit integers), numbers drawn one after another from
// the seed, sums in drawing order. The reference for sizes NPB publishes no
// values for (weak scaling multiplies the batches).
Result reference(std::uint64_t batches);

class Workload {
 public:
  using Partial = ep::Partial;
  using Result = ep::Result;

  explicit Workload(const ClassInfo& cls) : cls_(cls), batches_(1ULL << (cls.m - kBatchLog2)) {}
  // `batches` batches of 2^16 pairs (a multiple of the class, for weak scaling):
  // verified against reference() unless it is the class's own size.
  Workload(const ClassInfo& cls, std::uint64_t batches) : cls_(cls), batches_(batches) {}

  [[nodiscard]] std::string name() const { return "ep"; }
  [[nodiscard]] const ClassInfo& info() const { return cls_; }
  // One item per batch: 2^(M-16) batches for the class.
  [[nodiscard]] std::uint64_t items() const { return batches_; }
  [[nodiscard]] bool is_class_size() const { return batches_ == 1ULL << (cls_.m - kBatchLog2); }
  // Operations as NPB counts them: two random numbers per pair.
  [[nodiscard]] double operations() const { return 2.0 * static_cast<double>(batches_ * kPairsPerBatch); }
  [[nodiscard]] Partial compute(Range r) const;
  static void merge(Partial& acc, Partial&& next);
  [[nodiscard]] Result finish(Partial&& p) const;
  [[nodiscard]] Verification verify(const Result& r) const;
  static std::vector<Field> fields(const Result& r);
  [[nodiscard]] std::vector<Field> parameters() const;

 private:
  ClassInfo cls_;
  std::uint64_t batches_;
};

}  // namespace pardemo::core::ep
