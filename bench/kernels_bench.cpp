// Micro-benchmarks of the core kernels, one call per iteration:
//   EP one batch          2^16 pairs (2^17 random numbers) through the polar method;
//                         items/s counts random numbers, the NPB "operations"
//   EP batch_seed         the fast-exponentiation jump to a batch's first seed
//   primes one segment    kSegment consecutive integers sieved near 10^8 and 10^10;
//                         items/s counts integers
//   pi_by_recursion       the independent reference count pi(10^10)
// No MPI and no threads: these are the single-core rates that the whole-program
// figures (scripts/bench) divide up between workers.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>

#include "core/ep.hpp"
#include "core/primes.hpp"

namespace {

namespace ep = pardemo::core::ep;
namespace primes = pardemo::core::primes;

// One EP batch; the argument is the batch index (where the generator jumps to).
void BM_EpBatch(benchmark::State& state) {
  const auto k = static_cast<std::uint64_t>(state.range(0));
  std::array<std::uint64_t, ep::kAnnuli> q{};
  for (auto _ : state) {
    double sx = 0;
    double sy = 0;
    ep::compute_batch(k, sx, sy, q);
    benchmark::DoNotOptimize(sx);
    benchmark::DoNotOptimize(sy);
  }
  benchmark::DoNotOptimize(q);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * ep::kPairsPerBatch));
  state.SetLabel("items = random numbers (2 per pair)");
}
BENCHMARK(BM_EpBatch)->Arg(0)->Arg(4095)->Unit(benchmark::kMicrosecond);

// The jump to batch k's first seed: a^(2^17) mod 2^46, then its k-th power.
void BM_EpBatchSeed(benchmark::State& state) {
  std::uint64_t k = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(k);  // keep the compiler from folding the constexpr call
    std::uint64_t s = ep::batch_seed(k);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("items = seeds");
}
BENCHMARK(BM_EpBatchSeed)->Arg(1)->Arg(4095)->Arg(65535);

// One sieve segment [lo, lo + kSegment) with lo near `near` (a multiple of kSegment).
void BM_PrimesSegment(benchmark::State& state) {
  const auto near = static_cast<std::uint64_t>(state.range(0));
  const std::uint64_t lo = near / primes::kSegment * primes::kSegment;
  const std::uint64_t hi = lo + primes::kSegment;
  const primes::Workload w(hi);  // sieving primes up to sqrt(hi)
  std::uint64_t found = 0;
  for (auto _ : state) {
    found = w.count_segment(lo, hi);
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(primes::kSegment));
  state.counters["primes_in_segment"] = static_cast<double>(found);
  state.SetLabel("items = integers");
}
BENCHMARK(BM_PrimesSegment)->Arg(100'000'000)->Arg(10'000'000'000)->Unit(benchmark::kMicrosecond);

// The reference count pi(n) by the Legendre-Lucy recursion.
void BM_PiByRecursion(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t pi = 0;
  for (auto _ : state) {
    pi = primes::pi_by_recursion(n);
    benchmark::DoNotOptimize(pi);
  }
  state.counters["pi"] = static_cast<double>(pi);
}
BENCHMARK(BM_PiByRecursion)->Arg(10'000'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
