#include "cli/workloads.hpp"

#include <stdexcept>

#include "report/png.hpp"

namespace pardemo::cli {

const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> entries{
      {"ep", "--class S|W|A|B|C (2^25 .. 2^33 random numbers; default S)",
       "embarrassingly parallel work (NAS EP): no communication until the end, so speedup is "
       "limited only by cores; sums bit-identical for any worker count"},
      {"mandelbrot",
       "--class S|W|A|B|C (800x400 .. 12000x6000 pixels; default W), or --width, --height, --max-iter, --window",
       "load imbalance: rows near the set cost far more than rows far from it, so static blocks "
       "leave workers idle, cyclic rows spread the cost, dynamic chunks adapt (--png, --owners-png show it)"},
      {"sort", "--class S|W|A|B|C (2^20 .. 2^28 keys; default A) or --size N (1 .. 2^32)",
       "all-to-all: sample sort of 64-bit keys; every worker sends a bucket to every other, so "
       "communication grows with the workers (raw MPI_Alltoallv between ranks)"},
      {"stencil", "--class S|W|A|B|C (n = 1000 .. 32000; default W) or --size N, --radius R, --iterations I",
       "nearest-neighbour halo exchange (PRK star stencil): ranks on a 2-D grid trade R-wide ghost strips "
       "every iteration; --exchange overlap computes the interior while they travel"},
      {"wordfreq", "FILE... or a generated corpus: --class S|W|A|B|C (4 MiB .. 1 GiB; default W) or --size BYTES",
       "map-reduce with serialized types: each worker counts its byte range, tables merge up a tree "
       "of messages (Boost.Serialization maps, or flat arrays with --flat-merge)"},
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

void write_images(const core::mandelbrot::Workload& w, const core::mandelbrot::Result& result,
                  const std::vector<std::uint32_t>& owner, std::uint32_t workers, const Options& o) {
  const auto& p = w.params();
  if (!o.png.empty())
    report::write_png(o.png, p.width, p.height, report::colour_by_iterations(result.iterations, p.max_iter));
  if (!o.owners_png.empty())
    report::write_png(o.owners_png, p.width, p.height, report::colour_by_owner(owner, p.width, workers));
}

std::uint64_t wordfreq_class_bytes(char c) {
  switch (c) {
    case 'S': return 4ULL << 20;
    case 'W': return 16ULL << 20;
    case 'A': return 64ULL << 20;
    case 'B': return 256ULL << 20;
    case 'C': return 1024ULL << 20;
    default: throw std::invalid_argument(std::string("unknown class ") + c);
  }
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
