#pragma once
// The catalogue of workloads: what `list` prints, how a name and a size become a
// core workload, and the one place that dispatches on the workload's type.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "core/ep.hpp"
#include "core/mandelbrot.hpp"
#include "backends/sort.hpp"
#include "backends/stencil.hpp"
#include "backends/wordfreq.hpp"
#include "core/primes.hpp"

namespace pardemo::cli {

struct CatalogEntry {
  std::string name;
  std::string sizes;
  std::string demonstrates;
};

const std::vector<CatalogEntry>& catalog();
bool is_workload(const std::string& name);
std::string workload_names();

// primes classes: S..C are N = 10^6 .. 10^10.
std::uint64_t primes_class_size(char c);
inline constexpr std::uint64_t kPrimesDefaultSize = 10'000'000;
// wordfreq classes: generated corpora of S..C = 4, 16, 64, 256, 1024 MiB.
std::uint64_t wordfreq_class_bytes(char c);
inline constexpr std::uint64_t kWordfreqSeed = 20261128;

// Calls f(workload) with the core workload the options name, `scale` times its
// size (weak scaling: ep's batches, primes' N, mandelbrot's rows, sort's keys,
// the corpus's bytes; stencil's side by sqrt(scale), so its points grow by scale).
template <class F>
decltype(auto) with_workload(const Options& o, F&& f, std::uint64_t scale = 1) {
  if (o.workload == "ep") {
    const core::ep::ClassInfo cls = *core::ep::find_class(o.size_class.value_or('S'));
    if (scale == 1) return f(core::ep::Workload(cls));
    return f(core::ep::Workload(cls, scale << (cls.m - core::ep::kBatchLog2)));
  }
  if (o.workload == "mandelbrot") {
    core::mandelbrot::Params p = *o.image;
    p.height = static_cast<std::uint32_t>(p.height * scale);
    return f(core::mandelbrot::Workload(p));
  }
  if (o.workload == "stencil") {
    core::stencil::Params p = *o.grid;
    if (scale > 1)
      p.n = static_cast<std::uint64_t>(std::llround(static_cast<double>(p.n) * std::sqrt(static_cast<double>(scale))));
    return f(backends::stencil::Workload(
        p, o.overlap ? backends::stencil::Exchange::overlap : backends::stencil::Exchange::blocking));
  }
  if (o.workload == "wordfreq") {
    if (!o.inputs.empty()) return f(backends::wordfreq::Workload(o.inputs, o.flat_merge));
    std::uint64_t bytes = wordfreq_class_bytes(o.size_class.value_or('W'));
    if (o.size) bytes = *o.size;
    return f(backends::wordfreq::Workload(bytes * scale, kWordfreqSeed, o.flat_merge));
  }
  if (o.workload == "sort") {
    core::sort::Params p = *core::sort::find_class(o.size_class.value_or(core::sort::kDefaultClass));
    if (o.size) p.n = *o.size;
    p.n *= scale;
    return f(backends::sort::Workload(p));
  }
  std::uint64_t n = kPrimesDefaultSize;
  if (o.size) n = *o.size;
  if (o.size_class) n = primes_class_size(*o.size_class);
  return f(core::primes::Workload(n * scale));
}

// Files a workload writes besides the JSON records: none, except for mandelbrot.
template <class W, class R>
void write_images(const W& /*workload*/, const R& /*result*/, const std::vector<std::uint32_t>& /*owner*/,
                  std::uint32_t /*workers*/, const Options& /*options*/) {}
void write_images(const core::mandelbrot::Workload& w, const core::mandelbrot::Result& result,
                  const std::vector<std::uint32_t>& owner, std::uint32_t workers, const Options& o);

}  // namespace pardemo::cli
