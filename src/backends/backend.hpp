#pragma once
// What every backend takes and returns. A backend only splits the items of a
// workload, drives core computations over them and combines the pieces; it knows
// nothing about any particular workload.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/range.hpp"
#include "core/workload.hpp"
#include "report/timer.hpp"

namespace pardemo::backends {

enum class Kind { serial, threads, mpi, hybrid };

std::string_view to_string(Kind k);
std::optional<Kind> parse_kind(std::string_view s);
std::string_view to_string(core::Split s);
std::optional<core::Split> parse_split(std::string_view s);

// How to run: threads per rank (threads and hybrid), and the decomposition.
struct Plan {
  int threads = 1;
  core::Split split = core::Split::block;
  std::uint64_t chunk = 1;  // items per chunk for the cyclic and dynamic splits
};

// The outcome of one run. `result` and `workers` are filled on the root rank only.
template <class Result>
struct Outcome {
  Kind kind = Kind::serial;
  int ranks = 1;
  int threads_per_rank = 1;
  double wall = 0;     // start barrier to answer on the root
  double combine = 0;  // merging the pieces and finishing, on the root
  std::optional<Result> result;
  std::vector<report::WorkerTimes> workers;
  std::vector<std::uint32_t> owner;  // the worker that computed each item (root only)

  [[nodiscard]] int workers_total() const { return ranks * threads_per_rank; }
};

// The work of one worker: its pieces, and its times.
template <class Partial>
struct Share {
  std::vector<core::Piece<Partial>> pieces;
  report::WorkerTimes times;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & pieces & times;
    // clang-format on
  }
};

// Computes worker `index` of `workers`'s ranges of `w`: the one place where
// every backend touches the workload.
template <core::Workload W>
Share<typename W::Partial> compute_share(const W& w, const Plan& plan, std::uint64_t workers, std::uint64_t index) {
  report::Stopwatch sw;
  Share<typename W::Partial> share;
  for (const core::Range r : core::assigned_ranges(w.items(), plan.split, plan.chunk, workers, index)) {
    share.pieces.push_back({r, w.compute(r), static_cast<std::uint32_t>(index)});
    share.times.items += r.size();
  }
  share.times.charge(report::Span::compute, sw);
  return share;
}

}  // namespace pardemo::backends
