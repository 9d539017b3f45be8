#include "backends/sort.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <boost/mpi/collectives/all_gather.hpp>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/mpi/collectives/reduce.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/serialization/vector.hpp>
#include <exception>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>

#include "backends/thread_team.hpp"
#include "backends/drivers.hpp"
#include "backends/mpi_types.hpp"
#include "backends/mpi_util.hpp"
#include "core/pages.hpp"

namespace pardemo::backends::sort {
namespace {

namespace cs = core::sort;
using Runs = std::vector<std::span<const Key>>;

// Keys without the zero fill of a std::vector: whoever writes them first also
// touches their pages first, so the threads that generate or merge into a
// buffer share that cost instead of the main thread paying it alone. Mapped
// straight from the system (pages::Mapping), so that merges and the exchange
// can move consumed pages under the keys they write (Consumed::recycle).
class KeyBuffer {
 public:
  KeyBuffer() = default;
  explicit KeyBuffer(std::size_t n) : pages_(n * sizeof(Key)), size_(n) {}
  [[nodiscard]] std::span<Key> span() { return {static_cast<Key*>(pages_.data()), size_}; }
  [[nodiscard]] std::span<const Key> span() const { return {static_cast<const Key*>(pages_.data()), size_}; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  core::pages::Mapping pages_;
  std::size_t size_ = 0;
};

// What the checks need of a stretch of the output: its checksum, whether it is
// in order, and its first and last key (to check the boundary with the next).
struct Summary {
  cs::Checksum sum;
  bool in_order = true;
  bool nonempty = false;
  Key first = 0;
  Key last = 0;

  // One fixed-size record per rank, gathered to the root as MPI_UINT64_T.
  static constexpr int kWords = 7;
  [[nodiscard]] std::array<std::uint64_t, kWords> pack() const {
    return {sum.count, sum.sum, sum.xor_of, in_order ? 1U : 0U, nonempty ? 1U : 0U, first, last};
  }
  static Summary unpack(const std::array<std::uint64_t, kWords>& a) {
    return {{a[0], a[1], a[2]}, a[3] != 0, a[4] != 0, a[5], a[6]};
  }
};

Summary summarize(std::span<const Key> keys) {
  Summary s;
  s.sum = cs::checksum(keys);
  s.in_order = std::is_sorted(keys.begin(), keys.end());
  s.nonempty = !keys.empty();
  if (s.nonempty) {
    s.first = keys.front();
    s.last = keys.back();
  }
  return s;
}

// Appends the summary of the stretch that directly follows acc's: in order only
// when both are and the boundary between them is.
void append(Summary& acc, const Summary& next) {
  acc.sum.add(next.sum);
  acc.in_order = acc.in_order && next.in_order;
  if (!next.nonempty) return;
  if (acc.nonempty) {
    acc.in_order = acc.in_order && acc.last <= next.first;
  } else {
    acc.first = next.first;
    acc.nonempty = true;
  }
  acc.last = next.last;
}

// Merges `runs` into `out` (all in KeyBuffers, out not yet written), moving
// the runs' pages under out as it consumes them (Consumed::recycle), and, when
// `summary` is given, sets it to the summary of out, taken chunk by chunk as
// the merge writes them (in cache, not in a second pass).
void merge_checked(std::span<const std::span<const Key>> runs, std::span<Key> out, Summary* summary) {
  if (summary == nullptr) {
    cs::merge_runs(runs, out, cs::Consumed::recycle);
    return;
  }
  Summary all;
  cs::merge_runs(runs, out, cs::Consumed::recycle, [&](std::span<const Key> chunk) { append(all, summarize(chunk)); });
  *summary = all;
}

// Exceptions thrown by the threads of one phase structure: a thread that throws
// still arrives at every barrier (no thread is left waiting), the remaining
// phases are skipped, and the first exception is rethrown after the join.
class Failures {
 public:
  explicit Failures(std::size_t threads) : errors_(threads) {}
  template <class F>
  void guard(std::size_t t, F&& f) {
    if (any_.load()) return;
    try {
      f();
    } catch (...) {
      errors_[t] = std::current_exception();
      any_.store(true);
    }
  }
  void rethrow() const {
    for (const auto& e : errors_)
      if (e) std::rethrow_exception(e);
  }

 private:
  std::vector<std::exception_ptr> errors_;
  std::atomic<bool> any_{false};
};

std::vector<Key> flatten(const std::vector<std::vector<Key>>& parts) {
  std::vector<Key> all;
  for (const auto& s : parts) all.insert(all.end(), s.begin(), s.end());
  return all;
}

// Merges sorted `runs` into `out` with times.size() threads: every thread picks
// the same T-1 splitters from the regular samples of every run and finds its
// part (binary searches over every run); after a barrier, so that no thread
// still reads a page another moves, each merges its part into its own
// stretch of out, moving the runs' pages under it as it consumes them (the
// runs' memory shrinks as out grows; their contents are lost). Returns the
// summary of out when `check`, and sets each thread's items to the keys of its
// part.
Summary merge_parallel(const Runs& runs, std::span<Key> out, std::vector<report::WorkerTimes>& times, bool check) {
  const std::size_t threads = times.size();
  std::vector<Summary> parts(threads);
  std::barrier sync(static_cast<std::ptrdiff_t>(threads));
  Failures failures(threads);
  on_threads(times, [&](std::size_t t) {
    report::Stopwatch sw;
    cs::Part part;
    failures.guard(t, [&] {
      std::vector<std::vector<Key>> samples;
      for (const auto& r : runs) samples.push_back(cs::regular_samples(r, cs::samples_per_block(threads)));
      part = cs::find_part(runs, cs::choose_splitters(flatten(samples), threads), t);
    });
    times[t].charge(report::Span::compute, sw);
    report::Stopwatch waiting;
    sync.arrive_and_wait();  // every part found: from here on the runs are only read within one's own part
    times[t].charge(report::Span::wait, waiting);
    sw.restart();
    failures.guard(t, [&] {
      const std::span<Key> mine = out.subspan(part.out.begin, part.out.size());
      merge_checked(part.pieces, mine, check ? &parts[t] : nullptr);
      times[t].items = mine.size();
    });
    times[t].charge(report::Span::compute, sw);
  });
  failures.rethrow();
  Summary all;
  for (const auto& s : parts) append(all, s);
  return all;
}

// Generates and sorts the keys of `block` into `out` with times.size() threads:
// each thread generates and sorts its sub-block and takes its regular samples;
// after a barrier every thread picks the same T-1 splitters and finds its
// bucket of every sub-block; after another (see merge_parallel) it merges them
// into its own stretch of out, moving the pages of the sub-blocks under out as
// it goes (the sorted sub-blocks and out together hold about one block of
// memory, not two, and out needs almost no fresh pages). Returns the summary
// of out when `check`; each thread's items are the keys of its part.
Summary sort_block(const cs::Params& p, core::Range block, KeyBuffer& out, std::vector<report::WorkerTimes>& times,
                   bool check) {
  const std::size_t threads = times.size();
  if (threads == 1) {
    report::Stopwatch sw;
    out = KeyBuffer(block.size());
    cs::generate_keys(p, block, out.span());
    cs::local_sort(out.span());
    Summary s;
    if (check) s = summarize(out.span());
    times[0].charge(report::Span::compute, sw);
    times[0].items = out.size();
    return s;
  }
  KeyBuffer unsorted(block.size());
  out = KeyBuffer(block.size());
  Runs runs(threads);
  std::vector<std::vector<Key>> samples(threads);
  std::vector<Summary> parts(threads);
  std::barrier sync(static_cast<std::ptrdiff_t>(threads));
  Failures failures(threads);
  on_threads(times, [&](std::size_t t) {
    report::Stopwatch sw;
    failures.guard(t, [&] {
      const core::Range sub = core::partition(block.size(), threads, t);
      const std::span<Key> mine = unsorted.span().subspan(sub.begin, sub.size());
      cs::generate_keys(p, {block.begin + sub.begin, block.begin + sub.end}, mine);
      cs::local_sort(mine);
      runs[t] = mine;
      samples[t] = cs::regular_samples(mine, cs::samples_per_block(threads));
    });
    times[t].charge(report::Span::compute, sw);
    report::Stopwatch waiting;
    sync.arrive_and_wait();  // every block sorted and sampled
    times[t].charge(report::Span::wait, waiting);
    sw.restart();
    cs::Part part;
    failures.guard(t, [&] { part = cs::find_part(runs, cs::choose_splitters(flatten(samples), threads), t); });
    times[t].charge(report::Span::compute, sw);
    waiting.restart();
    sync.arrive_and_wait();  // every part found
    times[t].charge(report::Span::wait, waiting);
    sw.restart();
    failures.guard(t, [&] {
      const std::span<Key> merged = out.span().subspan(part.out.begin, part.out.size());
      merge_checked(part.pieces, merged, check ? &parts[t] : nullptr);
      times[t].items = merged.size();
    });
    times[t].charge(report::Span::compute, sw);
  });
  failures.rethrow();
  Summary all;
  for (const auto& s : parts) append(all, s);
  return all;
}

Result to_result(const Summary& s) {
  Result r;
  r.count = s.sum.count;
  r.checksum = s.sum.sum;
  r.checksum_xor = s.sum.xor_of;
  r.sorted = s.in_order;
  r.first = s.first;
  r.last = s.last;
  return r;
}

int to_int(std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw std::length_error("sort: more than 2^31 - 1 keys in one message");
  return static_cast<int>(v);
}

// Exclusive prefix sums of `counts`, as ints, and whether every one and the
// total fit an int (MPI's counts and displacements are ints).
bool displacements(const std::vector<std::uint64_t>& counts, std::vector<int>& ints, std::vector<int>& displs) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
  ints.assign(counts.size(), 0);
  displs.assign(counts.size(), 0);
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (at > kMax || counts[i] > kMax) return false;
    displs[i] = static_cast<int>(at);
    ints[i] = static_cast<int>(counts[i]);
    at += counts[i];
  }
  return at <= kMax;
}

// Keys one round of the exchange moves out of each rank, over all destinations
// (16 MiB): the memory a rank holds beyond its one share while the keys travel.
constexpr std::uint64_t kRoundKeys = std::uint64_t{1} << 21;

// The all-to-all exchange of the buckets of `mine` (bucket d, [bounds[d],
// bounds[d + 1]), to rank d) into `received` (from rank s: recv[s] keys at
// rdispls[s]), in rounds of at most kRoundKeys / P keys per pair of ranks, one
// MPI_Alltoallv each. The rank's own bucket, `self`, does not move: it stays in
// `mine` as one of the runs to merge (recv[self] is 0), which spares a copy of
// it and the fresh pages that copy would fill. After each round the pages of
// `mine` already sent move under the stretch of `received` the next round
// fills (pages::Recycler), so as `received` fills `mine` empties: a rank holds
// about one share of keys throughout, not two, and only the first round's
// keys land in fresh pages. Both are KeyBuffers. Collective; every
// rank runs the same number of rounds (from the largest bucket sent anywhere).
// The caller has checked that every position fits an int.
void exchange(std::span<const Key> mine, const std::vector<std::size_t>& bounds, std::size_t self,
              const std::vector<std::uint64_t>& recv, const std::vector<int>& rdispls, std::span<Key> received,
              MPI_Comm comm) {
  const std::size_t ranks = recv.size();
  const std::uint64_t step = std::max<std::uint64_t>(1, kRoundKeys / ranks);
  std::uint64_t largest = 0;
  for (std::size_t d = 0; d < ranks; ++d)
    if (d != self) largest = std::max<std::uint64_t>(largest, bounds[d + 1] - bounds[d]);
  std::uint64_t most = 0;
  MPI_Allreduce(&largest, &most, 1, MPI_UINT64_T, MPI_MAX, comm);
  core::pages::Recycler recycler;
  std::vector<cs::FrontRelease> sent;
  for (std::size_t d = 0; d < ranks; ++d)
    sent.emplace_back(mine.subspan(bounds[d], bounds[d + 1] - bounds[d]), &recycler);
  std::vector<int> scounts(ranks), sdispls(ranks), rcounts(ranks), rat(ranks);
  for (std::uint64_t from = 0; from < most; from += step) {
    for (std::size_t i = 0; i < ranks; ++i) {
      const std::uint64_t out = i == self ? 0 : bounds[i + 1] - bounds[i];
      scounts[i] = static_cast<int>(std::min(step, out - std::min(out, from)));
      sdispls[i] = static_cast<int>(bounds[i] + std::min(out, from));
      rcounts[i] = static_cast<int>(std::min(step, recv[i] - std::min(recv[i], from)));
      rat[i] = rdispls[i] + static_cast<int>(std::min(recv[i], from));
      if (rcounts[i] > 0) recycler.place(received.data() + rat[i], received.data() + rat[i] + rcounts[i]);
    }
    MPI_Alltoallv(mine.data(), scounts.data(), sdispls.data(), MPI_UINT64_T, received.data(), rcounts.data(),
                  rat.data(), MPI_UINT64_T, comm);
    for (std::size_t d = 0; d < ranks; ++d)
      if (d != self) sent[d].consumed(std::min<std::uint64_t>(bounds[d + 1] - bounds[d], from + step));
  }
}

}  // namespace

Workload::Workload(core::sort::Params p) : p_(p) {
  if (auto m = core::sort::validate(p_); !m.empty()) throw std::invalid_argument("sort: " + m);
}

std::vector<core::Field> Workload::parameters() const {
  return {{"n", p_.n}, {"seed", p_.seed}, {"distinct", p_.distinct}};
}

std::vector<core::Field> Workload::fields(const Result& r) {
  return {{"count", r.count},
          {"checksum", r.checksum},
          {"checksum_xor", r.checksum_xor},
          {"sorted", std::uint64_t{r.sorted ? 1U : 0U}},
          {"first", r.first},
          {"last", r.last}};
}

core::Verification Workload::verify(const Result& r) const {
  core::Verification v;
  const cs::Checksum expected = cs::input_checksum(p_, {0, p_.n});
  const bool count_ok = r.count == p_.n;
  const bool sum_ok = r.checksum == expected.sum && r.checksum_xor == expected.xor_of;
  v.reference = "checksum of the generated input (summed from the generator)";
  v.detail = "count " + std::to_string(r.count) + " of " + std::to_string(p_.n) + ", checksum " +
             (sum_ok ? "equal" : "differs") + ", " + (r.sorted ? "sorted" : "NOT sorted");
  v.passed = count_ok && sum_ok && r.sorted;
  if (p_.n <= kKeepLimit) {
    v.reference += " and std::sort of the input, key by key";
    std::vector<Key> reference = cs::generate_keys(p_, {0, p_.n});
    cs::reference_sort(reference);
    if (r.keys.size() != reference.size()) {
      v.detail += ", output of " + std::to_string(r.keys.size()) + " keys kept, expected " + std::to_string(p_.n);
      v.passed = false;
    } else {
      const auto diff = std::mismatch(r.keys.begin(), r.keys.end(), reference.begin());
      if (diff.first == r.keys.end()) {
        v.detail += ", equal to std::sort";
      } else {
        v.detail += ", differs from std::sort first at position " + std::to_string(diff.first - r.keys.begin());
        v.passed = false;
      }
    }
  }
  return v;
}

Outcome<Result> Workload::run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  return on_root<Result>(kind, threads, comm, [&](Outcome<Result>& out) {
    std::vector<report::WorkerTimes> times = fresh_times(0, threads);
    KeyBuffer keys;
    const Summary s = sort_block(p_, {0, p_.n}, keys, times, true);
    report::Stopwatch combine;
    Result r = to_result(s);
    if (p_.n <= kKeepLimit) r.keys.assign(keys.span().begin(), keys.span().end());
    out.result = std::move(r);
    out.combine = combine.seconds();
    out.workers = std::move(times);
  });
}

Outcome<Result> Workload::run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  Outcome<Result> out;
  out.kind = kind;
  out.ranks = comm.size();
  out.threads_per_rank = threads;
  const auto ranks = static_cast<std::size_t>(comm.size());
  const auto rank = static_cast<std::size_t>(comm.rank());
  MPI_Comm raw = comm;
  std::vector<report::WorkerTimes> times = fresh_times(comm.rank(), threads);

  synchronize(comm);
  report::Stopwatch wall;
  const core::Range block = core::partition(p_.n, ranks, rank);
  KeyBuffer mine;
  sort_block(p_, block, mine, times, false);

  report::Stopwatch waiting;
  sleepy_barrier(comm);  // the slowest sorter, as wait, not as all-to-all time
  double waited = waiting.seconds();

  report::Stopwatch talking;
  KeyBuffer received;
  Runs runs;
  std::uint64_t merged = 0;  // keys this rank ends with
  if (ranks > 1) {
    std::vector<std::vector<Key>> samples;
    boost::mpi::all_gather(comm, cs::regular_samples(mine.span(), cs::samples_per_block(ranks)), samples);
    const std::vector<Key> splitters = cs::choose_splitters(flatten(samples), ranks);
    const std::vector<std::size_t> bounds = cs::bucket_bounds(mine.span(), splitters);
    std::vector<std::uint64_t> send(ranks);
    std::vector<std::uint64_t> recv(ranks);
    for (std::size_t d = 0; d < ranks; ++d) send[d] = bounds[d + 1] - bounds[d];
    MPI_Alltoall(send.data(), 1, MPI_UINT64_T, recv.data(), 1, MPI_UINT64_T, raw);
    const std::uint64_t kept = recv[rank];
    recv[rank] = 0;  // the own bucket stays in `mine`
    std::vector<int> scounts, sdispls, rcounts, rdispls;
    int fits = displacements(send, scounts, sdispls) && displacements(recv, rcounts, rdispls) ? 1 : 0;
    int all_fit = 0;
    MPI_Allreduce(&fits, &all_fit, 1, MPI_INT, MPI_LAND, raw);  // one decision, the same on every rank
    if (all_fit == 0) throw std::length_error("sort: a rank would send or receive 2^31 keys or more; use more ranks");
    std::uint64_t total = 0;
    for (const auto c : recv) total += c;
    received = KeyBuffer(total);
    exchange(mine.span(), bounds, rank, recv, rdispls, received.span(), raw);
    merged = total + kept;
    for (std::size_t s = 0; s < ranks; ++s)
      runs.push_back(s == rank ? std::as_const(mine).span().subspan(bounds[rank], kept)
                               : std::as_const(received).span().subspan(static_cast<std::size_t>(rdispls[s]), recv[s]));
  }
  double talked = talking.seconds();

  KeyBuffer keys;
  Summary local;
  if (ranks > 1) {
    keys = KeyBuffer(merged);
    for (auto& t : times) t.items = 0;
    local = merge_parallel(runs, keys.span(), times, true);
    runs.clear();
    received = KeyBuffer();
    mine = KeyBuffer();
  } else {
    // One rank: the sorted block is the answer; its check on one thread.
    report::Stopwatch sw;
    keys = std::move(mine);
    local = summarize(keys.span());
    times[0].charge(report::Span::compute, sw);
  }

  waiting.restart();
  sleepy_barrier(comm);
  waited += waiting.seconds();

  // One record per rank to the root: counts and checksums add up there, and the
  // order across every boundary between ranks is checked from the first and
  // last keys (ranks with no keys are skipped), all in one gather.
  talking.restart();
  const auto packed = local.pack();
  std::vector<std::array<std::uint64_t, Summary::kWords>> summaries(rank == 0 ? ranks : 0);
  MPI_Gather(packed.data(), Summary::kWords, MPI_UINT64_T, summaries.data(), Summary::kWords, MPI_UINT64_T, 0, raw);
  talked += talking.seconds();
  if (rank == 0) {
    report::Stopwatch combine;
    Summary all;
    for (const auto& s : summaries) append(all, Summary::unpack(s));
    out.result = to_result(all);
    out.combine = combine.seconds();
  }
  const double elapsed = wall.seconds();
  boost::mpi::reduce(comm, elapsed, out.wall, boost::mpi::maximum<double>(), 0);

  // Untimed: the whole output to the root, for small n only, so verify() can
  // compare it key by key.
  if (p_.n <= kKeepLimit) {
    const int count = to_int(keys.size());
    std::vector<int> counts(rank == 0 ? ranks : 0);
    MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, raw);
    std::vector<int> displs(counts.size(), 0);
    for (std::size_t i = 1; i < counts.size(); ++i) displs[i] = displs[i - 1] + counts[i - 1];
    if (rank == 0)
      out.result->keys.resize(static_cast<std::size_t>(displs.back()) + static_cast<std::size_t>(counts.back()));
    MPI_Gatherv(keys.span().data(), count, MPI_UINT64_T, rank == 0 ? out.result->keys.data() : nullptr, counts.data(),
                displs.data(), MPI_UINT64_T, 0, raw);
  }

  for (auto& t : times) {
    t.wait += waited;
    t.comm = talked;
  }
  std::vector<std::vector<report::WorkerTimes>> all_times;
  boost::mpi::gather(comm, times, all_times, 0);
  for (auto& v : all_times) out.workers.insert(out.workers.end(), v.begin(), v.end());
  return out;
}

static_assert(DrivenWorkload<Workload>);

}  // namespace pardemo::backends::sort
