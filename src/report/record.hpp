#pragma once
// One run of one backend, as the report layer sees it (no workload types here),
// and its JSON record.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "report/timer.hpp"

namespace pardemo::report {

inline constexpr const char* kSchema = "pardemo.run/1";

// One rank's halo exchange in a stencil run with the overlapping exchange, next
// to the same grid's blocking exchange run right after it on the same ranks.
// blocking: the rank's main thread's time in the blocking exchanges (post, wait).
// exposed: its time in the overlapping exchanges that the inner points did not
// cover (posting, and waiting for the halo once they were done).
struct HaloTimes {
  int rank = 0;
  double blocking = 0;
  double exposed = 0;
  // What the overlap hid: blocking - exposed, and 0 when the overlap exposed more.
  [[nodiscard]] double hidden() const { return blocking > exposed ? blocking - exposed : 0.0; }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & rank & blocking & exposed;
    // clang-format on
  }
};

struct Repeat {
  double wall = 0;
  double combine = 0;
  std::vector<WorkerTimes> workers;
};

struct RunRecord {
  std::string command;  // run or compare
  std::string workload;
  std::vector<core::Field> parameters;
  std::string split;
  std::uint64_t chunk = 1;
  std::string backend;
  int ranks = 1;
  int threads_per_rank = 1;
  int warmup = 0;
  double operations = 0;  // the workload's operation count, for rates
  std::vector<Repeat> repeats;
  std::vector<core::Field> result;
  core::Verification verification;
  std::optional<bool> identical_to_serial;   // compare only
  std::string mode;                          // sweep: "strong" or "weak" (empty for run and compare)
  int scale = 1;                             // weak sweep: the problem is `scale` times the base size
  std::vector<core::Field> base_parameters;  // weak sweep: the size at one worker
  // stencil --exchange overlap on ranks: for each repeat (as `repeats`), one per rank.
  std::vector<std::vector<HaloTimes>> halo;
  // stencil: for each repeat, the seconds of the iterations alone (PRK's timed
  // region: no set-up, no norm), the longest over the ranks.
  std::vector<double> iterations_s;

  [[nodiscard]] int workers() const { return ranks * threads_per_rank; }
  [[nodiscard]] std::vector<double> walls() const;
  [[nodiscard]] const Repeat& median_repeat() const;
};

// Facts about where a job ran, gathered once per job.
struct JobInfo {
  std::vector<std::string> hosts;      // host of each rank
  std::vector<std::string> addresses;  // each rank's first non-loopback IPv4 address ("" when none)
  std::vector<std::string> netns;      // each rank's network namespace: its name under /run/netns, else net:[inode]
  std::vector<int> cpus;               // CPUs each rank may run on (its affinity mask)
  std::vector<int> host_cpus;          // CPUs online on each rank's host
  std::string mpi_library;
  int world_size = 1;
  std::string started_utc;  // ISO 8601
};

std::string program_version();
std::string git_revision();
std::string utc_now_iso8601();

nlohmann::json to_json(const std::vector<core::Field>& fields);
nlohmann::json to_json(const RunRecord& run, const JobInfo& job);

// Appends `line` and a newline to `path` in one write(2) on an O_APPEND
// descriptor: a record is written whole or not at all. Throws std::runtime_error.
void append_line(const std::string& path, const std::string& line);

// Empty when `path` can be appended to (it is, or can be created as, a regular
// file in an existing writable directory); otherwise why not, in one line.
std::string check_writable(const std::string& path);

}  // namespace pardemo::report
