#pragma once
// Scaling summaries from JSON records: any set of runs (one sweep, separate
// mpirun calls, SLURM array tasks, cluster runs) grouped by workload, mode and
// size, with the serial baseline found among them.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/stats.hpp"
#include "report/timer.hpp"

namespace pardemo::report::scaling {

// A line that could not be used, and why: "FILE:LINE: why".
struct Problem {
  std::string where;
  std::string what;
};

struct Loaded {
  std::vector<nlohmann::json> records;
  std::vector<std::string> origins;  // "FILE:LINE" of each record
  std::vector<Problem> problems;
};

// Reads JSON-lines files. Lines that are truncated, malformed, of an unknown
// schema or missing a field become problems; the rest are kept.
Loaded load(const std::vector<std::string>& files);

// Empty when `record` is a usable pardemo.run/1 record, otherwise why not.
std::string check_record(const nlohmann::json& record);

// One backend at one worker count, pooled over every record and repeat.
struct Point {
  std::string backend;  // serial, threads, mpi or hybrid; "/cyclic" or "/dynamic" when so split
  int workers = 1;
  int ranks = 1;
  int threads_per_rank = 1;
  int records = 0;
  Spread wall;                       // over every repeat of every record
  std::optional<double> speedup;     // strong: T_serial / T; weak: the scaled speedup p T_serial(1) / T(p)
  std::optional<double> efficiency;  // strong: speedup / p; weak: T_serial(1) / T(p)
  std::optional<double> karp_flatt;  // strong, p > 1
  double imbalance = 1;              // max / mean compute over workers (median repeat)
  double comm_share = 0;             // communicate / (compute + communicate + wait), summed over workers
  double wait_share = 0;
  bool verified = true;
  std::vector<WorkerTimes> worker_times;  // of the median repeat of the first record
};

struct Fit {
  std::string backend;
  double serial_fraction = 0;  // Amdahl (strong) or Gustafson (weak)
  std::size_t points = 0;
};

struct Group {
  std::string workload;
  std::string mode;                // strong or weak
  std::string size;                // the parameters, "k=v k=v" (weak: at one worker)
  std::vector<Point> points;       // serial first, then by backend and workers
  std::optional<double> baseline;  // median serial wall (weak: at one worker)
  std::string baseline_from;       // "serial" or "BACKEND at 1 worker"; empty when missing
  std::vector<Fit> fits;
  std::vector<std::string> hosts;
  std::string date;  // earliest started_utc
  std::size_t record_count = 0;
};

// Groups and summarises usable records (see check_record). Notes say what is
// missing (no serial baseline) or surprising (one workload at several sizes).
std::vector<Group> summarize(const std::vector<nlohmann::json>& records, std::vector<std::string>& notes);

// The groups as an aligned text table, Markdown, CSV or JSON lines.
std::string render(const std::vector<Group>& groups, const std::string& format);

}  // namespace pardemo::report::scaling
