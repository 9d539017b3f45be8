#pragma once
// The four backends. One signature for all:
//
//   Outcome<Result> run_X(const W& workload, const Plan& plan, const communicator& comm)
//
// serial and threads run on the root rank of `comm` while the other ranks wait
// (asleep, see sleepy_barrier); mpi and hybrid use every rank of `comm`. Every
// worker computes pieces with compute_share(); the pieces are combined in item
// order on the root, so all four give bit-identical answers.
#include <boost/mpi/collectives/gather.hpp>
#include <boost/mpi/collectives/reduce.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/vector.hpp>
#include <algorithm>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "backends/mpi_util.hpp"
#include "backends/mpi_types.hpp"

namespace pardemo::backends {

// Runs workers first .. first + threads - 1 of `workers` on `threads` threads of
// this process (worker `first` on the calling thread). Each thread writes only
// its own Share and finish time; they are read after join, so nothing mutable is
// shared while the threads run and no lock is needed.
template <core::Workload W>
std::vector<Share<typename W::Partial>> compute_threaded(const W& w, const Plan& plan, std::uint64_t workers,
                                                         std::uint64_t first, int threads, int rank) {
  using Clock = report::Stopwatch::Clock;
  const auto n = static_cast<std::size_t>(threads);
  std::vector<Share<typename W::Partial>> shares(n);
  std::vector<Clock::time_point> finished(n);
  auto work = [&](std::size_t t) {
    shares[t] = compute_share(w, plan, workers, first + t);
    finished[t] = Clock::now();
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(n - 1);
    for (std::size_t t = 1; t < n; ++t) pool.emplace_back(work, t);
    work(0);
  }  // joins
  const auto last = *std::max_element(finished.begin(), finished.end());
  for (std::size_t t = 0; t < n; ++t) {
    shares[t].times.rank = rank;
    shares[t].times.thread = static_cast<std::int32_t>(t);
    shares[t].times.wait = report::seconds_between(finished[t], last);
  }
  return shares;
}

// Moves the pieces out of the shares, for combine().
template <class P>
std::vector<core::Piece<P>> take_pieces(std::vector<Share<P>>& shares) {
  std::vector<core::Piece<P>> pieces;
  for (auto& s : shares)
    for (auto& p : s.pieces) pieces.push_back(std::move(p));
  return pieces;
}

// One process, `threads` threads, on the root rank; the other ranks wait.
template <core::Workload W>
Outcome<typename W::Result> run_local(const W& w, const Plan& plan, const boost::mpi::communicator& comm, Kind kind,
                                      int threads) {
  Outcome<typename W::Result> out;
  out.kind = kind;
  out.threads_per_rank = threads;
  if (comm.rank() == 0) {
    report::Stopwatch wall;
    auto shares = compute_threaded(w, plan, static_cast<std::uint64_t>(threads), 0, threads, 0);
    report::Stopwatch combine;
    out.result = core::combine(w, take_pieces(shares));
    out.combine = combine.seconds();
    out.wall = wall.seconds();
    for (const auto& s : shares) out.workers.push_back(s.times);
  }
  sleepy_barrier(comm);
  return out;
}

// Every rank of `comm`, `threads` threads each. Ranks share no memory: the pieces
// travel to the root as messages (Boost.Serialization), and so do the times
// (a fixed MPI datatype), after the timed region.
template <core::Workload W>
Outcome<typename W::Result> run_distributed(const W& w, const Plan& plan, const boost::mpi::communicator& comm,
                                            Kind kind, int threads) {
  using Partial = typename W::Partial;
  Outcome<typename W::Result> out;
  out.kind = kind;
  out.ranks = comm.size();
  out.threads_per_rank = threads;
  const auto workers = static_cast<std::uint64_t>(comm.size()) * static_cast<std::uint64_t>(threads);

  synchronize(comm);
  report::Stopwatch wall;
  auto shares = compute_threaded(w, plan, workers, static_cast<std::uint64_t>(comm.rank()) * static_cast<std::uint64_t>(threads),
                                 threads, comm.rank());
  report::Stopwatch waiting;
  sleepy_barrier(comm);
  const double waited = waiting.seconds();

  report::Stopwatch talking;
  std::vector<core::Piece<Partial>> mine = take_pieces(shares);
  std::vector<std::vector<core::Piece<Partial>>> gathered;
  boost::mpi::gather(comm, mine, gathered, 0);
  const double talked = talking.seconds();

  if (comm.rank() == 0) {
    report::Stopwatch combine;
    std::vector<core::Piece<Partial>> pieces;
    for (auto& g : gathered)
      for (auto& p : g) pieces.push_back(std::move(p));
    out.result = core::combine(w, std::move(pieces));
    out.combine = combine.seconds();
  }
  // The run's wall time is the longest any rank spent in it (ranks leave the
  // start barrier a little apart): never shorter than any rank's compute.
  const double elapsed = wall.seconds();
  boost::mpi::reduce(comm, elapsed, out.wall, boost::mpi::maximum<double>(), 0);

  std::vector<report::WorkerTimes> times;
  for (auto& s : shares) {
    s.times.wait += waited;
    s.times.comm = talked;
    times.push_back(s.times);
  }
  std::vector<std::vector<report::WorkerTimes>> all_times;
  boost::mpi::gather(comm, times, all_times, 0);
  for (auto& v : all_times) out.workers.insert(out.workers.end(), v.begin(), v.end());
  return out;
}

template <core::Workload W>
Outcome<typename W::Result> run_serial(const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  return run_local(w, plan, comm, Kind::serial, 1);
}

template <core::Workload W>
Outcome<typename W::Result> run_threads(const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  return run_local(w, plan, comm, Kind::threads, plan.threads);
}

template <core::Workload W>
Outcome<typename W::Result> run_mpi(const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  return run_distributed(w, plan, comm, Kind::mpi, 1);
}

template <core::Workload W>
Outcome<typename W::Result> run_hybrid(const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  return run_distributed(w, plan, comm, Kind::hybrid, plan.threads);
}

template <core::Workload W>
Outcome<typename W::Result> run(Kind kind, const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  switch (kind) {
    case Kind::serial: return run_serial(w, plan, comm);
    case Kind::threads: return run_threads(w, plan, comm);
    case Kind::mpi: return run_mpi(w, plan, comm);
    case Kind::hybrid: return run_hybrid(w, plan, comm);
  }
  throw std::logic_error("unknown backend");
}

}  // namespace pardemo::backends
