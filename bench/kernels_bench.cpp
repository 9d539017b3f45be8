// Micro-benchmarks of the core kernels, one call per iteration:
//   EP one batch          2^16 pairs (2^17 random numbers) through the polar method;
//                         items/s counts random numbers, the NPB "operations"
//   EP batch_seed         the fast-exponentiation jump to a batch's first seed
//   primes one segment    kSegment consecutive integers sieved near 10^8 and 10^10;
//                         items/s counts integers
//   pi_by_recursion       the independent reference count pi(10^10)
//   mandelbrot one row    a row of class W's window, near the real axis (dear) and at
//                         the bottom edge (cheap); items/s counts pixels
//   stencil one sweep     OUT += star stencil (R = 2) of IN over an n x n tile, then
//                         IN += 1; items/s counts points, and MFlop/s is reported as
//                         the Parallel Research Kernels count it, 2 * (4R + 1) + 1 per point
//   sort local_sort       N generated 64-bit keys sorted in place; items/s counts keys
//   wordfreq count        a generated corpus counted into a word table; bytes/s
// No MPI and no threads: these are the single-core rates that the whole-program
// figures (scripts/bench) divide up between workers.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/ep.hpp"
#include "core/mandelbrot.hpp"
#include "core/primes.hpp"
#include "core/sort.hpp"
#include "core/stencil.hpp"
#include "core/wordfreq.hpp"

namespace {

namespace ep = pardemo::core::ep;
namespace primes = pardemo::core::primes;
namespace mandelbrot = pardemo::core::mandelbrot;
namespace stencil = pardemo::core::stencil;
namespace sort = pardemo::core::sort;
namespace wordfreq = pardemo::core::wordfreq;

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

// One image row of class W; the argument is the row: 0 lies on the real axis
// (through the set: dear), height - 1 at the bottom edge (cheap).
void BM_MandelbrotRow(benchmark::State& state) {
  const mandelbrot::Workload w(*mandelbrot::find_class('W'));
  const auto height = w.params().height;
  const auto py = state.range(0) < 0 ? height - 1 : static_cast<std::uint32_t>(state.range(0));
  std::vector<std::uint32_t> row(w.params().width);
  for (auto _ : state) {
    w.compute_row(py, row.data());
    benchmark::DoNotOptimize(row.data());
  }
  std::uint64_t iterations = 0;
  for (const auto v : row) iterations += v;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(row.size()));
  state.counters["iterations_per_pixel"] = static_cast<double>(iterations) / static_cast<double>(row.size());
  state.SetLabel("items = pixels");
}
BENCHMARK(BM_MandelbrotRow)->Arg(0)->Arg(-1)->Unit(benchmark::kMicrosecond);

// One stencil iteration over an n x n tile with R = 2: OUT += stencil(IN), IN += 1,
// as the serial backend does it. The argument is n (the tile's side).
void BM_StencilSweep(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  constexpr int kRadius = 2;
  const stencil::Weights w = stencil::weights(kRadius);
  const stencil::Layout l{n, n, static_cast<std::size_t>(kRadius)};
  std::vector<double> in(l.size(), 0.0);
  std::vector<double> out(l.size(), 0.0);
  const stencil::Tile all{0, n, 0, n};
  stencil::initialize(in, l, all, 0, 0);
  const stencil::Tile inner{kRadius, n - 2 * kRadius, kRadius, n - 2 * kRadius};
  for (auto _ : state) {
    stencil::apply(w, in, out, l, inner);
    stencil::increment(in, l, all);
    benchmark::ClobberMemory();
  }
  const auto points = static_cast<std::int64_t>(inner.rows * inner.cols);
  state.SetItemsProcessed(state.iterations() * points);
  state.counters["MFlop/s"] = benchmark::Counter(static_cast<double>(points) * (2.0 * (4 * kRadius + 1) + 1) * 1e-6,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("items = interior points");
}
BENCHMARK(BM_StencilSweep)->Arg(500)->Arg(2000)->Arg(4000)->Unit(benchmark::kMillisecond);

// local_sort of N generated keys (regenerated, untimed, before every sort).
void BM_LocalSort(benchmark::State& state) {
  sort::Params p{};
  p.n = static_cast<std::uint64_t>(state.range(0));
  const std::vector<sort::Key> keys = sort::generate_keys(p, {0, p.n});
  std::vector<sort::Key> work(keys.size());
  for (auto _ : state) {
    state.PauseTiming();
    work = keys;
    state.ResumeTiming();
    sort::local_sort(work);
    benchmark::DoNotOptimize(work.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("items = keys");
}
BENCHMARK(BM_LocalSort)->Arg(1 << 20)->Arg(1 << 24)->Unit(benchmark::kMillisecond);

// Counting the words of a generated corpus of the argument's size in bytes.
void BM_WordCount(benchmark::State& state) {
  const std::string text = wordfreq::generate_corpus(static_cast<std::uint64_t>(state.range(0)), 1);
  std::size_t distinct = 0;
  for (auto _ : state) {
    const wordfreq::Counts counts = wordfreq::count(text);
    distinct = counts.size();
    benchmark::DoNotOptimize(distinct);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["distinct_words"] = static_cast<double>(distinct);
}
BENCHMARK(BM_WordCount)->Arg(1 << 20)->Arg(1 << 26)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
