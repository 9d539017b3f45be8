#pragma once
// Word frequencies as map-reduce: every worker counts the words of its own byte
// range of the input (core::wordfreq), and the tables are merged. Threads merge
// after join, in memory; ranks merge by a tree reduction of messages, either
// Boost.Serialization archives of the std::unordered_map (the default) or, with
// `flat_merge`, the table laid out as three flat arrays sent with fixed MPI
// datatypes (MPI_CHAR, MPI_UINT64_T): the same data, two costs.
//
// Every rank reads the input itself: a file rank seeks to its byte range and
// reads only that (plus the bytes that decide where its first and last words
// end); with a generated corpus every rank generates only the corpus blocks that
// cover its range. Either way a worker holds one block of its range at a time
// (core::wordfreq::kCountBlock), not the range. Nothing of the text travels
// between ranks.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "core/wordfreq.hpp"

namespace pardemo::backends::wordfreq {

using core::wordfreq::Counts;

struct Result {
  Counts counts;  // the full table
  std::uint64_t words = 0;
  std::uint64_t distinct = 0;
  // The tree reduction as the root saw it (0 for serial and threads): seconds
  // from the end of its own counting to holding the whole table, and the bytes
  // of table every rank sent, summed. Timings, so not among fields().
  double tree_seconds = 0;
  std::uint64_t tree_bytes = 0;
};

class Workload {
 public:
  using Result = wordfreq::Result;

  // Files, treated as one input whose byte ranges are shared out; a word never
  // spans two files. Throws std::invalid_argument with check_file()'s message
  // for the first bad file, or when `files` is empty.
  explicit Workload(std::vector<std::string> files, bool flat_merge = false);
  // generate_corpus(corpus_bytes, seed).
  Workload(std::uint64_t corpus_bytes, std::uint64_t seed, bool flat_merge = false);

  [[nodiscard]] std::string name() const { return "wordfreq"; }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] double operations() const { return static_cast<double>(bytes_); }
  [[nodiscard]] bool flat_merge() const { return flat_merge_; }
  [[nodiscard]] std::vector<core::Field> parameters() const;
  static std::vector<core::Field> fields(const Result& r);

  // Checks every entry of the table against reference_count().
  [[nodiscard]] core::Verification verify(const Result& r) const;

  // Collective over `comm` (every rank calls it, with the same kind and plan).
  // Workers always get one contiguous byte range each (partition(), moved to word
  // boundaries): plan.split and plan.chunk are not used; plan.threads is (>= 1).

  // The words of part `index` of `parts` of the input (its boundary-adjusted byte
  // ranges); `*bytes` gets the number of bytes those ranges hold.
  [[nodiscard]] Counts count_part(std::uint64_t parts, std::uint64_t index, std::uint64_t* bytes = nullptr) const;

  // A separate, straightforward count of the whole input: a char-by-char loop
  // into a std::map, over the text generated or read a piece at a time (the word
  // being spelt goes on from piece to piece). Shares no counting code with the
  // counter.
  [[nodiscard]] std::map<std::string, std::uint64_t> reference_count() const;
  // The thin drivers (see DrivenWorkload in drivers.hpp; call them through backends::run).
  [[nodiscard]] Outcome<Result> run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const;
  [[nodiscard]] Outcome<Result> run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const;

 private:
  std::vector<std::string> files_;
  std::vector<std::uint64_t> sizes_;  // of files_
  std::uint64_t corpus_bytes_ = 0;
  std::uint64_t seed_ = 0;
  std::uint64_t bytes_ = 0;
  bool flat_merge_ = false;
};

}  // namespace pardemo::backends::wordfreq
