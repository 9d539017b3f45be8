#pragma once
// The sort workload: sample sort of N 64-bit keys (core/sort.hpp) on every
// backend. Unlike the item-based workloads its workers do not compute
// independent pieces: they exchange keys all-to-all, so it brings its own
// drivers (a DrivenWorkload, see drivers.hpp).
//
//   serial   root only: generate all keys, sort, check.
//   threads  root only, T threads: each thread generates and sorts its block
//            and takes its regular samples; after one std::barrier every thread
//            picks the same T-1 splitters and finds its bucket of every
//            thread's block; after another it merges them into its own stretch
//            of the output, releasing the blocks' pages as it consumes them.
//   mpi      every rank: generate its block, sort, regular samples, all_gather
//            of the samples (every rank picks the same P-1 splitters),
//            MPI_Alltoall of the bucket sizes, then the keys in rounds of
//            MPI_Alltoallv (16 MiB out of each rank per round), the pages already
//            sent released after each round; merge the P runs received,
//            releasing their pages as it goes. So a rank holds about one share of
//            keys at a time (2^26 keys on 2 ranks: 288 MiB peak per rank, was
//            528 and 784). Then the checks: each rank checks its keys are in order
//            and sums their checksum; one gather of a 7-word summary per rank
//            (count, checksum, in order, first and last key) lets the root add
//            them up and check every boundary between neighbouring ranks (last
//            key of one <= first key of the next non-empty one).
//   hybrid   as mpi, with T threads inside each rank: the block is sorted as in
//            `threads`, and the P runs received are merged by T threads, each
//            one stretch of the rank's output. MPI is called only by the main
//            thread, between the thread phases.
//
// Nothing large is gathered: for n <= kKeepLimit the root also receives the
// whole output (after the timed region), so verify() can compare it key by key
// with std::sort.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "core/sort.hpp"
#include "core/workload.hpp"

namespace pardemo::backends::sort {

using core::sort::Key;

// Outputs up to this many keys are kept whole on the root and compared with std::sort.
inline constexpr std::uint64_t kKeepLimit = 1ULL << 22;

struct Result {
  std::uint64_t count = 0;
  std::uint64_t checksum = 0;      // sum of splitmix64(key) mod 2^64
  std::uint64_t checksum_xor = 0;  // xor of splitmix64(key)
  bool sorted = false;             // every worker's keys in order, and every boundary between workers
  Key first = 0;                   // first and last key of the output (0 when empty)
  Key last = 0;
  std::vector<Key> keys;  // the whole output, only when n <= kKeepLimit
};

class Workload {
 public:
  using Result = sort::Result;

  // Throws std::invalid_argument with validate()'s message when `p` is unusable.
  explicit Workload(core::sort::Params p);

  [[nodiscard]] std::string name() const { return "sort"; }
  [[nodiscard]] const core::sort::Params& params() const { return p_; }
  [[nodiscard]] double operations() const { return static_cast<double>(p_.n); }
  [[nodiscard]] std::vector<core::Field> parameters() const;
  static std::vector<core::Field> fields(const Result& r);
  // count == n, checksum equal to the generator's (summed independently of any
  // sort), globally sorted, and for n <= kKeepLimit equal to std::sort of the
  // input key by key.
  [[nodiscard]] core::Verification verify(const Result& r) const;

  // Collective over `comm` for every kind. Result and worker times on the root only.
  // The thin drivers (see DrivenWorkload in drivers.hpp; call them through backends::run).
  [[nodiscard]] Outcome<Result> run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const;
  [[nodiscard]] Outcome<Result> run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const;

 private:
  core::sort::Params p_;
};

}  // namespace pardemo::backends::sort
