#include "backends/wordfreq.hpp"

#include <boost/mpi/collectives/all_reduce.hpp>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/mpi/collectives/reduce.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/mpi/packed_iarchive.hpp>
#include <boost/mpi/packed_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/vector.hpp>

#include <mpi.h>

#include <chrono>
#include <climits>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "backends/drivers.hpp"
#include "backends/mpi_types.hpp"
#include "backends/mpi_util.hpp"
#include "report/timer.hpp"

namespace pardemo::backends::wordfreq {
namespace cw = core::wordfreq;
namespace {

constexpr int kTagTable = 4201;       // a serialized table
constexpr int kTagFlatHeader = 4202;  // entries, characters
constexpr int kTagFlatChars = 4203;
constexpr int kTagFlatOffsets = 4204;
constexpr int kTagFlatCounts = 4205;

// Merges tables[1..] into tables[0] by a tree of pairwise merges: at step s,
// table i (i a multiple of 2^(s+1)) takes in table i + 2^s.
void merge_tree(std::vector<Counts>& tables) {
  for (std::size_t step = 1; step < tables.size(); step *= 2)
    for (std::size_t i = 0; i + step < tables.size(); i += 2 * step) cw::merge(tables[i], std::move(tables[i + step]));
}

// Waits, asleep (see sleepy_barrier), until a message from `source` with `tag`
// can be received. Returns the seconds waited.
double wait_for(const boost::mpi::communicator& comm, int source, int tag) {
  using us = std::chrono::microseconds;  // not the literal 50us: cppcheck 2.10 cannot parse it
  report::Stopwatch sw;
  const auto spin_until = std::chrono::steady_clock::now() + us(50);
  auto nap = us(20);
  while (!comm.iprobe(source, tag)) {
    if (std::chrono::steady_clock::now() < spin_until) continue;
    std::this_thread::sleep_for(nap);
    nap = std::min<us>(nap * 2, us(1000));
  }
  return sw.seconds();
}

struct TreeTimes {
  double wait = 0;   // waiting for a child's table to arrive
  double comm = 0;   // (de)serializing or packing, and the messages
  double merge = 0;  // adding a received table into this rank's
  std::uint64_t bytes_sent = 0;
};

// One step of the tree, the serialized way: the table travels as a
// Boost.Serialization archive of the std::unordered_map.
void send_serialized(const boost::mpi::communicator& comm, int dest, const Counts& table, TreeTimes& t) {
  report::Stopwatch sw;
  boost::mpi::packed_oarchive archive(comm);
  archive << table;
  comm.send(dest, kTagTable, archive);
  t.comm += sw.seconds();
  t.bytes_sent += archive.size();
}

void receive_serialized(const boost::mpi::communicator& comm, int source, Counts& table, TreeTimes& t) {
  t.wait += wait_for(comm, source, kTagTable);
  report::Stopwatch sw;
  boost::mpi::packed_iarchive archive(comm);
  comm.recv(source, kTagTable, archive);
  Counts theirs;
  archive >> theirs;
  t.comm += sw.seconds();
  report::Stopwatch m;
  cw::merge(table, std::move(theirs));
  t.merge += m.seconds();
}

int as_count(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw std::runtime_error(std::string("wordfreq flat merge: too many ") + what + " for one MPI message (" +
                             std::to_string(n) + ")");
  }
  return static_cast<int>(n);
}

// The flat way: the table as three arrays of fixed-layout elements, no
// serialization library: every word's letters one after the other (MPI_CHAR),
// where each word ends in them (MPI_UINT64_T), and the counts (MPI_UINT64_T).
void send_flat(const boost::mpi::communicator& comm, int dest, const Counts& table, TreeTimes& t) {
  report::Stopwatch sw;
  std::vector<char> chars;
  std::vector<std::uint64_t> ends;
  std::vector<std::uint64_t> counts;
  ends.reserve(table.size());
  counts.reserve(table.size());
  for (const auto& [w, c] : table) {
    chars.insert(chars.end(), w.begin(), w.end());
    ends.push_back(chars.size());
    counts.push_back(c);
  }
  std::uint64_t header[2] = {table.size(), chars.size()};
  const auto c = static_cast<MPI_Comm>(comm);
  MPI_Send(header, 2, MPI_UINT64_T, dest, kTagFlatHeader, c);
  if (!ends.empty()) {
    MPI_Send(chars.data(), as_count(chars.size(), "characters"), MPI_CHAR, dest, kTagFlatChars, c);
    MPI_Send(ends.data(), as_count(ends.size(), "words"), MPI_UINT64_T, dest, kTagFlatOffsets, c);
    MPI_Send(counts.data(), as_count(counts.size(), "words"), MPI_UINT64_T, dest, kTagFlatCounts, c);
  }
  t.comm += sw.seconds();
  t.bytes_sent += sizeof header + chars.size() + 16 * ends.size();
}

// Merges straight from the arrays: no table is built for the received words.
void receive_flat(const boost::mpi::communicator& comm, int source, Counts& table, TreeTimes& t) {
  t.wait += wait_for(comm, source, kTagFlatHeader);
  report::Stopwatch sw;
  const auto c = static_cast<MPI_Comm>(comm);
  MPI_Status status;
  std::uint64_t header[2] = {0, 0};
  MPI_Recv(header, 2, MPI_UINT64_T, source, kTagFlatHeader, c, &status);
  std::vector<char> chars(header[1]);
  std::vector<std::uint64_t> ends(header[0]);
  std::vector<std::uint64_t> counts(header[0]);
  if (!ends.empty()) {
    MPI_Recv(chars.data(), as_count(chars.size(), "characters"), MPI_CHAR, source, kTagFlatChars, c, &status);
    MPI_Recv(ends.data(), as_count(ends.size(), "words"), MPI_UINT64_T, source, kTagFlatOffsets, c, &status);
    MPI_Recv(counts.data(), as_count(counts.size(), "words"), MPI_UINT64_T, source, kTagFlatCounts, c, &status);
  }
  t.comm += sw.seconds();
  report::Stopwatch m;
  table.reserve(table.size() + ends.size());
  std::uint64_t begin = 0;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    const std::string_view w(chars.data() + begin, ends[i] - begin);
    begin = ends[i];
    if (auto it = table.find(w); it != table.end()) {
      it->second += counts[i];
    } else {
      table.emplace(std::string(w), counts[i]);
    }
  }
  t.merge += m.seconds();
}

// The tree reduction over the ranks of `comm`: at step s, rank r with
// r % 2^(s+1) == 2^s sends its table to r - 2^s, which merges it. Rank 0 ends
// with every table merged into `table`; the others' tables are spent.
TreeTimes reduce_tree(const boost::mpi::communicator& comm, Counts& table, bool flat) {
  TreeTimes t;
  const int rank = comm.rank();
  const int size = comm.size();
  for (int step = 1; step < size; step *= 2) {
    if (rank % (2 * step) == step) {
      if (flat) {
        send_flat(comm, rank - step, table, t);
      } else {
        send_serialized(comm, rank - step, table, t);
      }
      table.clear();
      break;
    }
    if (rank + step < size) {
      if (flat) {
        receive_flat(comm, rank + step, table, t);
      } else {
        receive_serialized(comm, rank + step, table, t);
      }
    }
  }
  return t;
}

Result make_result(Counts&& counts) {
  Result r;
  const auto tot = cw::totals(counts);
  r.words = tot.words;
  r.distinct = tot.distinct;
  r.counts = std::move(counts);
  return r;
}

// Counts on `threads` threads of this process, thread t being worker first + t
// of `workers`; returns each thread's table and times.
std::vector<Share<Counts>> count_threaded(const Workload& w, std::vector<Counts>& tables, int threads,
                                          std::uint64_t workers, std::uint64_t first, int rank) {
  tables.assign(static_cast<std::size_t>(threads), Counts{});
  return run_threads_of_rank<Counts>(threads, rank, false, [&](std::size_t t, Share<Counts>& share) {
    report::Stopwatch sw;
    tables[t] = w.count_part(workers, first + t, &share.times.items);
    share.times.charge(report::Span::compute, sw);
  });
}

}  // namespace

Workload::Workload(std::vector<std::string> files, bool flat_merge)
    : files_(std::move(files)), flat_merge_(flat_merge) {
  if (files_.empty()) throw std::invalid_argument("wordfreq: no input files");
  for (const auto& f : files_) {
    if (const auto why = cw::check_file(f)) throw std::invalid_argument(*why);
    sizes_.push_back(std::filesystem::file_size(f));
    bytes_ += sizes_.back();
  }
}

Workload::Workload(std::uint64_t corpus_bytes, std::uint64_t seed, bool flat_merge)
    : corpus_bytes_(corpus_bytes), seed_(seed), bytes_(corpus_bytes), flat_merge_(flat_merge) {}

std::vector<core::Field> Workload::parameters() const {
  std::vector<core::Field> p;
  if (files_.empty()) {
    p.push_back({"corpus_bytes", corpus_bytes_});
    p.push_back({"seed", seed_});
  } else {
    std::string names;
    for (const auto& f : files_) names += (names.empty() ? "" : ",") + f;
    p.push_back({"files", names});
  }
  p.push_back({"bytes", bytes_});
  p.push_back({"merge", std::string(flat_merge_ ? "flat" : "serialized")});
  return p;
}

std::vector<core::Field> Workload::fields(const Result& r) {
  std::vector<core::Field> f{{"words", r.words}, {"distinct", r.distinct}, {"checksum", cw::checksum(r.counts)}};
  const auto best = cw::top(r.counts, 10);
  for (std::size_t i = 0; i < 10; ++i) {
    f.push_back({"top" + std::to_string(i + 1),
                 i < best.size() ? best[i].first + "=" + std::to_string(best[i].second) : std::string()});
  }
  return f;
}

Counts Workload::count_part(std::uint64_t parts, std::uint64_t index, std::uint64_t* bytes) const {
  const core::Range r = core::partition(bytes_, parts, index);
  Counts counts;
  std::uint64_t held = 0;
  if (files_.empty()) {
    if (!r.empty()) held = cw::count_corpus_part(bytes_, seed_, r.begin, r.end, counts).size();
  } else {
    std::uint64_t offset = 0;
    for (std::size_t f = 0; f < files_.size(); ++f) {
      const std::uint64_t size = sizes_[f];
      const std::uint64_t b = std::clamp(r.begin, offset, offset + size) - offset;
      const std::uint64_t e = std::clamp(r.end, offset, offset + size) - offset;
      offset += size;
      if (b == e) continue;
      held += cw::count_file_part(files_[f], size, b, e, counts).size();
    }
  }
  if (bytes != nullptr) *bytes = held;
  return counts;
}

std::map<std::string, std::uint64_t> Workload::reference_count() const {
  // Pieces of a size the counter never uses, so that its blocks and these cut
  // the text in different places.
  constexpr std::uint64_t kPiece = 1'000'003;
  std::map<std::string, std::uint64_t> table;
  std::string word;  // goes on from one piece into the next
  const auto add = [&table, &word](std::string_view piece) {
    for (const char c : piece) {
      if (c >= 'a' && c <= 'z') {
        word += c;
      } else if (c >= 'A' && c <= 'Z') {
        word += static_cast<char>(c - 'A' + 'a');
      } else if (!word.empty()) {
        ++table[word];
        word.clear();
      }
    }
  };
  const auto end_of_input = [&table, &word] {
    if (!word.empty()) ++table[word];
    word.clear();
  };
  if (files_.empty()) {
    for (std::uint64_t at = 0; at < corpus_bytes_; at += kPiece) {
      add(cw::generate_range(corpus_bytes_, seed_, at, std::min(corpus_bytes_, at + kPiece)));
    }
    end_of_input();
  } else {
    std::vector<char> piece(kPiece);
    for (std::size_t f = 0; f < files_.size(); ++f) {
      std::ifstream in(files_[f], std::ios::binary);
      if (!in) throw std::runtime_error(files_[f] + ": cannot be opened for reading");
      std::uint64_t read = 0;
      while (in) {
        in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        add(std::string_view(piece.data(), n));
        read += n;
      }
      if (in.bad() || read != sizes_[f]) {
        throw std::runtime_error(files_[f] + ": read " + std::to_string(read) + " of its " + std::to_string(sizes_[f]) +
                                 " bytes");
      }
      end_of_input();  // a word never spans two files
    }
  }
  return table;
}

core::Verification Workload::verify(const Result& r) const {
  core::Verification v;
  v.reference = "a separate serial count of the whole input (char-by-char loop into a std::map)";
  const auto ref = reference_count();
  std::uint64_t words = 0;
  for (const auto& [w, c] : ref) {
    words += c;
    const auto it = r.counts.find(std::string_view(w));
    const std::uint64_t got = it == r.counts.end() ? 0 : it->second;
    if (got != c) {
      v.detail = "'" + w + "': " + std::to_string(got) + " counted, " + std::to_string(c) + " in the reference";
      return v;
    }
  }
  if (r.counts.size() != ref.size()) {
    v.detail = std::to_string(r.counts.size()) + " distinct words counted, " + std::to_string(ref.size()) +
               " in the reference";
    return v;
  }
  if (r.words != words || r.distinct != ref.size()) {
    v.detail = "totals " + std::to_string(r.words) + " words, " + std::to_string(r.distinct) +
               " distinct disagree with the table's " + std::to_string(words) + ", " + std::to_string(ref.size());
    return v;
  }
  v.passed = true;
  v.detail = "all " + std::to_string(ref.size()) + " distinct words equal (" + std::to_string(words) + " words)";
  return v;
}

Outcome<Result> Workload::run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  return on_root<Result>(kind, threads, comm, [&](Outcome<Result>& out) {
    std::vector<Counts> tables;
    auto shares = count_threaded(*this, tables, threads, static_cast<std::uint64_t>(threads), 0, 0);
    report::Stopwatch combine;
    merge_tree(tables);
    out.result = make_result(std::move(tables[0]));
    out.combine = combine.seconds();
    for (auto& sh : shares) out.workers.push_back(sh.times);
  });
}

Outcome<Result> Workload::run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  Outcome<Result> out;
  out.kind = kind;
  out.ranks = comm.size();
  out.threads_per_rank = threads;
  const auto workers = static_cast<std::uint64_t>(comm.size()) * static_cast<std::uint64_t>(threads);
  const auto first = static_cast<std::uint64_t>(comm.rank()) * static_cast<std::uint64_t>(threads);

  synchronize(comm);
  report::Stopwatch wall;
  std::vector<Counts> tables;
  auto shares = count_threaded(*this, tables, threads, workers, first, comm.rank());
  report::Stopwatch merging;
  merge_tree(tables);  // this rank's threads, in memory
  const double local_merge = merging.seconds();
  report::Stopwatch in_tree;
  const TreeTimes tree = reduce_tree(comm, tables[0], flat_merge_);
  const double tree_seconds = in_tree.seconds();
  const double elapsed = wall.seconds();
  // The run's wall time is the longest any rank spent in it; a rank that sent
  // its table early waits out the rest.
  double longest = 0;
  boost::mpi::all_reduce(comm, elapsed, longest, boost::mpi::maximum<double>());
  std::uint64_t sent = 0;
  boost::mpi::reduce(comm, tree.bytes_sent, sent, std::plus<>(), 0);

  if (comm.rank() == 0) {
    out.result = make_result(std::move(tables[0]));
    out.result->tree_seconds = tree_seconds;
    out.result->tree_bytes = sent;
    out.combine = local_merge + tree_seconds;
    out.wall = longest;
  }
  // The main thread (t = 0) merges while the rank's other threads idle; the
  // tree's messages and waits are the whole rank's.
  std::vector<report::WorkerTimes> times;
  for (std::size_t t = 0; t < shares.size(); ++t) {
    auto& w = shares[t].times;
    const double merged = local_merge + tree.merge;
    if (t == 0) {
      w.compute += merged;
    } else {
      w.wait += merged;
    }
    w.comm = tree.comm;
    w.wait += tree.wait + (longest - elapsed);
    times.push_back(w);
  }
  std::vector<std::vector<report::WorkerTimes>> all_times;
  boost::mpi::gather(comm, times, all_times, 0);
  for (auto& v : all_times) out.workers.insert(out.workers.end(), v.begin(), v.end());
  return out;
}

}  // namespace pardemo::backends::wordfreq
