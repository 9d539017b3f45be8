#pragma once
// The four backends. One signature for all:
//
//   Outcome<Result> run_X(const W& workload, const Plan& plan, const communicator& comm)
//
// serial and threads run on the root rank of `comm` while the other ranks wait
// (asleep, see sleepy_barrier); mpi and hybrid use every rank of `comm`. Every
// worker computes pieces with compute_share(); the pieces are combined in item
// order on the root, so all four give bit-identical answers.
#include <mpi.h>

#include <boost/mpi/collectives/gather.hpp>
#include <boost/mpi/collectives/gatherv.hpp>
#include <boost/mpi/collectives/reduce.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/vector.hpp>
#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "backends/chunk_queue.hpp"
#include "backends/mpi_util.hpp"
#include "backends/mpi_types.hpp"

namespace pardemo::backends {

// Runs body(t, share) for t = 0 .. threads - 1 on `threads` threads of this
// process (t = 0 on the calling thread unless `spare_caller`). Each thread writes
// only its own Share and finish time; they are read after join, so nothing
// mutable is shared while the threads run and no lock is needed. A thread's wait
// grows by the time from its own end to the last thread's end.
template <class P, class Body>
std::vector<Share<P>> run_threads_of_rank(int threads, int rank, bool spare_caller, Body&& body) {
  using Clock = report::Stopwatch::Clock;
  const auto n = static_cast<std::size_t>(threads);
  std::vector<Share<P>> shares(n);
  std::vector<Clock::time_point> finished(n);
  auto work = [&](std::size_t t) {
    body(t, shares[t]);
    finished[t] = Clock::now();
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(n);
    for (std::size_t t = spare_caller ? 0 : 1; t < n; ++t) pool.emplace_back(work, t);
    if (!spare_caller) work(0);
  }  // joins
  const auto last = *std::max_element(finished.begin(), finished.end());
  for (std::size_t t = 0; t < n; ++t) {
    shares[t].times.rank = rank;
    shares[t].times.thread = static_cast<std::int32_t>(t);
    shares[t].times.wait += report::seconds_between(finished[t], last);
    if (finished[t] < last) shares[t].times.mark(report::Span::wait, finished[t], last);
  }
  return shares;
}

// Static splits: worker first + t computes its assigned ranges.
template <core::Workload W>
std::vector<Share<typename W::Partial>> compute_threaded(const W& w, const Plan& plan, std::uint64_t workers,
                                                         std::uint64_t first, int threads, int rank) {
  return run_threads_of_rank<typename W::Partial>(
      threads, rank, false, [&](std::size_t t, auto& share) { share = compute_share(w, plan, workers, first + t); });
}

// Dynamic split: each thread t takes chunk after chunk from next_chunk(t)
// (thread safe) until it returns nullopt. Time spent waiting for a chunk counts
// as wait.
template <core::Workload W, class Next>
std::vector<Share<typename W::Partial>> compute_dynamic(const W& w, const Plan& plan, std::uint64_t first, int threads,
                                                        int rank, bool spare_caller, Next&& next_chunk) {
  return run_threads_of_rank<typename W::Partial>(threads, rank, spare_caller, [&](std::size_t t, auto& share) {
    report::Stopwatch life;
    double busy = 0;
    while (const auto c = next_chunk(t)) {
      const core::Range r = core::chunk_range(w.items(), plan.chunk, *c);
      report::Stopwatch sw;
      share.pieces.push_back({r, w.compute(r), static_cast<std::uint32_t>(first + t)});
      busy += share.times.charge(report::Span::compute, sw);
      share.times.items += r.size();
    }
    share.times.wait = life.seconds() - busy;
  });
}

// Moves the pieces out of the shares, for combine().
template <class P>
std::vector<core::Piece<P>> take_pieces(std::vector<Share<P>>& shares) {
  std::vector<core::Piece<P>> pieces;
  for (auto& s : shares)
    for (auto& p : s.pieces) pieces.push_back(std::move(p));
  return pieces;
}

// Which worker computed each item.
template <class P>
std::vector<std::uint32_t> owners(std::uint64_t items, const std::vector<core::Piece<P>>& pieces) {
  std::vector<std::uint32_t> owner(items, 0);
  for (const auto& p : pieces)
    for (std::uint64_t i = p.range.begin; i < p.range.end && i < items; ++i) owner[i] = p.worker;
  return owner;
}

// The skeleton of every local run: body(out) runs on the root rank of `comm`,
// timed as the run's wall, and fills in the result, the combine time and the
// worker times; the other ranks wait in sleepy_barrier.
template <class Result, class Body>
Outcome<Result> on_root(Kind kind, int threads, const boost::mpi::communicator& comm, Body&& body) {
  Outcome<Result> out;
  out.kind = kind;
  out.threads_per_rank = threads;
  if (comm.rank() == 0) {
    report::Stopwatch wall;
    body(out);
    out.wall = wall.seconds();
  }
  sleepy_barrier(comm);
  return out;
}

// One process, `threads` threads, on the root rank; the other ranks wait.
template <core::Workload W>
Outcome<typename W::Result> run_local(const W& w, const Plan& plan, const boost::mpi::communicator& comm, Kind kind,
                                      int threads) {
  return on_root<typename W::Result>(kind, threads, comm, [&](Outcome<typename W::Result>& out) {
    std::vector<Share<typename W::Partial>> shares;
    if (plan.split == core::Split::dynamic) {
      // The one shared thing: a counter of chunks handed out, an atomic.
      std::atomic<std::uint64_t> next{0};
      const std::uint64_t chunks = core::chunk_count(w.items(), plan.chunk);
      shares = compute_dynamic(w, plan, 0, threads, 0, false, [&](std::size_t) -> std::optional<std::uint64_t> {
        const std::uint64_t c = next.fetch_add(1, std::memory_order_relaxed);
        if (c < chunks) return c;
        return std::nullopt;
      });
    } else {
      shares = compute_threaded(w, plan, static_cast<std::uint64_t>(threads), 0, threads, 0);
    }
    report::Stopwatch combine;
    auto pieces = take_pieces(shares);
    out.owner = owners(w.items(), pieces);
    out.result = core::combine(w, std::move(pieces));
    out.combine = combine.seconds();
    for (const auto& sh : shares) out.workers.push_back(sh.times);
  });
}

// Every rank's pieces, on the root (rank 0) in rank order; an empty list on
// the others. A partial of any type travels serialized (Boost.Serialization).
template <class P>
std::vector<core::Piece<P>> gather_pieces(const boost::mpi::communicator& comm, std::vector<core::Piece<P>> mine) {
  std::vector<std::vector<core::Piece<P>>> gathered;
  boost::mpi::gather(comm, mine, gathered, 0);
  std::vector<core::Piece<P>> all;
  for (auto& g : gathered)
    for (auto& p : g) all.push_back(std::move(p));
  return all;
}

// A flat partial travels as its array, copied once, from the sender's pieces
// straight into the root's: one MPI_Gatherv brings the root a header per piece
// (first item, end, worker, count of numbers); the root makes each piece's
// array that long, and every other rank sends all its arrays in one message
// whose datatype (MPI_Type_create_hindexed at absolute addresses) lists them
// where they lie, received into the root's arrays the same way. The root's own
// pieces stay where they are. For mandelbrot's 1600 x 800 image (5 MB) under
// the dynamic split on 2 ranks of the 2-core AMD EPYC VM, rank 1 spent 5.6 ms
// in the gather when the pieces went serialized and 1.4 ms this way (medians
// of 7 runs). Packing the arrays into one buffer for MPI_Gatherv took about
// 3 ms: the copies and the first touch of fresh pages cost more than the
// message.
template <core::FlatPartial P>
std::vector<core::Piece<P>> gather_pieces(const boost::mpi::communicator& comm, std::vector<core::Piece<P>> mine) {
  using T = typename P::flat_type;
  static_assert(boost::mpi::is_mpi_datatype<T>::value, "a flat partial holds numbers MPI can send as they are");
  constexpr std::size_t kHead = 4;
  constexpr int kTag = 4201;
  const int root = 0;
  const auto count = [](std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::length_error("gather_pieces: more than 2^31 - 1 values in one message");
    return static_cast<int>(n);
  };
  // One datatype for all the arrays of `pieces`, at their absolute addresses.
  const auto arrays = [&](std::vector<core::Piece<P>>& pieces, std::size_t first, std::size_t last) {
    std::vector<int> lengths;
    std::vector<MPI_Aint> at;
    for (std::size_t i = first; i < last; ++i) {
      auto& v = pieces[i].partial.flat();
      if (v.empty()) continue;
      lengths.push_back(count(v.size()));
      at.push_back(0);
      MPI_Get_address(v.data(), &at.back());
    }
    MPI_Datatype type = MPI_DATATYPE_NULL;
    MPI_Type_create_hindexed(count(lengths.size()), lengths.data(), at.data(), boost::mpi::get_mpi_datatype<T>(),
                             &type);
    MPI_Type_commit(&type);
    return type;
  };
  std::vector<std::uint64_t> heads;
  heads.reserve(kHead * std::max<std::size_t>(1, mine.size()));  // never null: Boost.MPI reads *data()
  for (auto& p : mine) heads.insert(heads.end(), {p.range.begin, p.range.end, p.worker, p.partial.flat().size()});
  if (comm.rank() != root) {
    boost::mpi::gather(comm, count(heads.size()), root);
    boost::mpi::gatherv(comm, heads.data(), count(heads.size()), root);
    MPI_Datatype type = arrays(mine, 0, mine.size());
    MPI_Send(MPI_BOTTOM, 1, type, root, kTag, comm);
    MPI_Type_free(&type);
    return {};
  }
  std::vector<int> sizes;
  boost::mpi::gather(comm, count(heads.size()), sizes, root);
  std::vector<int> offsets;
  std::size_t sum = 0;
  for (const int n : sizes) {
    offsets.push_back(count(sum));
    sum += static_cast<std::size_t>(n);
  }
  std::vector<std::uint64_t> all_heads(std::max<std::size_t>(1, sum));
  boost::mpi::gatherv(comm, heads.data(), count(heads.size()), all_heads.data(), sizes, offsets, root);
  // Every other rank's pieces, arrays sized from their headers; then the root's own.
  std::vector<core::Piece<P>> all;
  std::vector<std::size_t> first_of(sizes.size() + 1, 0);
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    first_of[r] = all.size();
    if (static_cast<int>(r) == root) continue;
    for (std::size_t i = 0; i < static_cast<std::size_t>(sizes[r]) / kHead; ++i) {
      const std::uint64_t* h = all_heads.data() + static_cast<std::size_t>(offsets[r]) + kHead * i;
      core::Piece<P>& p = all.emplace_back();
      p.range = core::Range{h[0], h[1]};
      p.worker = static_cast<std::uint32_t>(h[2]);
      p.partial.flat().resize(h[3]);
    }
  }
  first_of[sizes.size()] = all.size();
  std::vector<MPI_Request> requests;
  std::vector<MPI_Datatype> types;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    if (static_cast<int>(r) == root) continue;
    types.push_back(arrays(all, first_of[r], first_of[r + 1]));
    requests.emplace_back();
    MPI_Irecv(MPI_BOTTOM, 1, types.back(), static_cast<int>(r), kTag, comm, &requests.back());
  }
  MPI_Waitall(count(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
  for (MPI_Datatype& t : types) MPI_Type_free(&t);
  for (auto& p : mine) all.push_back(std::move(p));
  return all;
}

// Every rank of `comm`, `threads` threads each. Ranks share no memory: the pieces
// travel to the root as messages (gather_pieces: serialized, or flat arrays),
// and so do the times (a fixed MPI datatype), after the timed region.
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
  const std::uint64_t first = static_cast<std::uint64_t>(comm.rank()) * static_cast<std::uint64_t>(threads);
  std::vector<Share<Partial>> shares;
  double dispatching = 0;  // this rank's main thread asking for and handing out chunks
  if (plan.split == core::Split::dynamic) {
    // The main thread computes too, and between its chunks serves the
    // manager/worker protocol that keeps the rank's queue filled.
    ChunkQueue queue;
    ChunkDispatcher dispatcher(comm, core::chunk_count(w.items(), plan.chunk), static_cast<std::size_t>(threads),
                               queue);
    shares = compute_dynamic(w, plan, first, threads, comm.rank(), false,
                             [&](std::size_t t) { return t == 0 ? dispatcher.next_for_main() : queue.pop(); });
    dispatching = dispatcher.seconds_in_mpi();
    shares.front().times.wait = std::max(0.0, shares.front().times.wait - dispatching);
  } else {
    shares = compute_threaded(w, plan, workers, first, threads, comm.rank());
  }
  using Clock = report::Stopwatch::Clock;
  const auto wait_from = Clock::now();
  sleepy_barrier(comm);
  const auto talk_from = Clock::now();
  const double waited = report::seconds_between(wait_from, talk_from);

  std::vector<core::Piece<Partial>> pieces = gather_pieces(comm, take_pieces(shares));
  const auto talk_to = Clock::now();
  const double talked = report::seconds_between(talk_from, talk_to);

  if (comm.rank() == 0) {
    report::Stopwatch combine;
    out.owner = owners(w.items(), pieces);
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
    s.times.comm = talked + (s.times.thread == 0 ? dispatching : 0.0);
    s.times.mark(report::Span::wait, wait_from, talk_from);
    s.times.mark(report::Span::comm, talk_from, talk_to);
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

// A workload whose parallel structure is more than independent items (an
// all-to-all exchange, a tree reduction, a halo exchange) brings its own thin
// drivers, the counterparts of run_local and run_distributed above, with the
// same conventions: run_local on the root rank with `threads` threads while the
// others wait in sleepy_barrier (on_root does that); run_distributed on every rank with `threads`
// threads each, timed from synchronize() to the answer on the root, the wall
// being the longest any rank spent; per-worker compute / comm / wait; the result
// and the worker times on the root only.
template <class W>
concept DrivenWorkload = requires(const W& w, Kind k, int threads, const boost::mpi::communicator& c,
                                  const typename W::Result& r) {
  typename W::Result;
  { w.name() } -> std::convertible_to<std::string>;
  { w.operations() } -> std::convertible_to<double>;
  { w.run_local(k, threads, c) } -> std::same_as<Outcome<typename W::Result>>;
  { w.run_distributed(k, threads, c) } -> std::same_as<Outcome<typename W::Result>>;
  { w.verify(r) } -> std::same_as<core::Verification>;
  { W::fields(r) } -> std::same_as<std::vector<core::Field>>;
  { w.parameters() } -> std::same_as<std::vector<core::Field>>;
};

template <DrivenWorkload W>
Outcome<typename W::Result> run(Kind kind, const W& w, const Plan& plan, const boost::mpi::communicator& comm) {
  if (plan.threads < 1) throw std::invalid_argument(std::string(w.name()) + ": threads must be at least 1");
  switch (kind) {
    case Kind::serial: return w.run_local(kind, 1, comm);
    case Kind::threads: return w.run_local(kind, plan.threads, comm);
    case Kind::mpi: return w.run_distributed(kind, 1, comm);
    case Kind::hybrid: return w.run_distributed(kind, plan.threads, comm);
  }
  throw std::logic_error("unknown backend");
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
