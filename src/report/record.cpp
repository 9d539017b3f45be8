#include "report/record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "report/stats.hpp"
#include "report/version.hpp"

namespace pardemo::report {

std::vector<double> RunRecord::walls() const {
  std::vector<double> w;
  for (const auto& r : repeats) w.push_back(r.wall);
  return w;
}

const Repeat& RunRecord::median_repeat() const {
  if (repeats.empty()) throw std::logic_error("run record without repeats");
  return repeats[median_index(walls())];
}

std::string program_version() { return kVersion; }
std::string git_revision() { return kGitRevision; }

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json to_json(const std::vector<core::Field>& fields) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : fields) std::visit([&](const auto& v) { j[f.name] = v; }, f.value);
  return j;
}

namespace {
// `epoch`: the rank's start on its own clock, so every rank's timeline starts near 0.
nlohmann::json to_json(const WorkerTimes& t, double epoch) {
  static constexpr const char* kPhases[] = {"compute", "comm", "wait"};
  nlohmann::json spans = nlohmann::json::array();
  for (std::uint32_t i = 0; i < t.span_count && i < WorkerTimes::kMaxSpans; ++i) {
    const Span& s = t.spans[i];
    spans.push_back({s.start - epoch, s.end - epoch, kPhases[s.phase >= 0 && s.phase <= 2 ? s.phase : 0]});
  }
  return {{"rank", t.rank},   {"thread", t.thread}, {"items", t.items}, {"compute_s", t.compute},
          {"comm_s", t.comm}, {"wait_s", t.wait},   {"spans", spans}};
}

// Each rank's earliest span start: its clock's reading when the run began there.
std::map<int, double> rank_epochs(const std::vector<WorkerTimes>& workers) {
  std::map<int, double> epoch;
  for (const auto& w : workers) {
    if (w.span_count == 0) continue;
    auto [it, fresh] = epoch.emplace(w.rank, w.spans[0].start);
    if (!fresh) it->second = std::min(it->second, w.spans[0].start);
  }
  return epoch;
}
nlohmann::json to_json(const Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"mean", s.avg}};
}
}  // namespace

nlohmann::json to_json(const RunRecord& run, const JobInfo& job) {
  nlohmann::json j;
  j["schema"] = kSchema;
  j["command"] = run.command;
  j["workload"] = run.workload;
  j["parameters"] = to_json(run.parameters);
  j["split"] = run.split;
  j["chunk"] = run.chunk;
  j["backend"] = run.backend;
  j["ranks"] = run.ranks;
  j["threads_per_rank"] = run.threads_per_rank;
  j["workers"] = run.workers();
  j["world_size"] = job.world_size;
  // Serial and threads runs happen on rank 0 alone.
  std::vector<std::string> hosts = job.hosts;
  if (hosts.size() > static_cast<std::size_t>(run.ranks)) hosts.resize(static_cast<std::size_t>(run.ranks));
  j["hosts"] = hosts;
  auto first_ranks = [&](std::vector<std::string> v) {
    if (v.size() > static_cast<std::size_t>(run.ranks)) v.resize(static_cast<std::size_t>(run.ranks));
    return v;
  };
  j["addresses"] = first_ranks(job.addresses);
  j["netns"] = first_ranks(job.netns);
  std::vector<int> cpus = job.cpus;
  if (cpus.size() > static_cast<std::size_t>(run.ranks)) cpus.resize(static_cast<std::size_t>(run.ranks));
  j["cpus_per_rank"] = cpus;
  j["operations"] = run.operations;
  j["warmup"] = run.warmup;
  j["wall_s"] = to_json(spread(run.walls()));
  nlohmann::json reps = nlohmann::json::array();
  for (const auto& r : run.repeats) {
    nlohmann::json workers = nlohmann::json::array();
    const auto epochs = rank_epochs(r.workers);
    for (const auto& w : r.workers) workers.push_back(to_json(w, epochs.count(w.rank) != 0U ? epochs.at(w.rank) : 0.0));
    reps.push_back({{"wall_s", r.wall}, {"combine_s", r.combine}, {"workers", workers}});
    const std::size_t i = reps.size() - 1;
    if (i < run.halo.size() && !run.halo[i].empty()) {
      nlohmann::json halo = nlohmann::json::array();
      for (const auto& h : run.halo[i])
        halo.push_back({{"rank", h.rank},
                        {"blocking_comm_s", h.blocking},
                        {"exposed_comm_s", h.exposed},
                        {"hidden_s", h.hidden()}});
      reps.back()["halo_overlap"] = halo;
    }
    if (i < run.iterations_s.size()) reps.back()["iterations_s"] = run.iterations_s[i];
  }
  j["repeats"] = reps;
  j["result"] = to_json(run.result);
  j["verified"] = run.verification.passed;
  j["reference"] = run.verification.reference;
  j["verification"] = run.verification.detail;
  if (run.identical_to_serial) j["identical_to_serial"] = *run.identical_to_serial;
  if (!run.mode.empty()) {
    j["mode"] = run.mode;
    j["scale"] = run.scale;
    j["base_parameters"] = to_json(run.base_parameters.empty() ? run.parameters : run.base_parameters);
  }
  j["version"] = program_version();
  j["git_revision"] = git_revision();
  j["mpi_library"] = job.mpi_library;
  j["started_utc"] = job.started_utc;
  return j;
}

void append_line(const std::string& path, const std::string& line) {
  const std::string data = line + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  const ssize_t n = ::write(fd, data.data(), data.size());
  const int write_errno = errno;
  if (n != static_cast<ssize_t>(data.size())) {
    // A short write on a regular file means the disk is full: cut the partial
    // record back off so the file holds whole records only.
    if (n > 0) {
      struct stat st {};
      if (::fstat(fd, &st) == 0) (void)::ftruncate(fd, st.st_size - n);
    }
    ::close(fd);
    throw std::runtime_error("cannot write " + path + ": " + (n < 0 ? std::strerror(write_errno) : "short write"));
  }
  if (::close(fd) != 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

std::string check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return "output path is empty";
  std::error_code ec;
  const fs::path p(path);
  if (fs::exists(p, ec)) {
    if (!fs::is_regular_file(p, ec)) return path + " exists and is not a regular file";
    if (::access(path.c_str(), W_OK) != 0) return path + " is not writable: " + std::strerror(errno);
    return {};
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return "directory " + dir.string() + " of " + path + " does not exist";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "directory " + dir.string() + " of " + path + " is not writable: " + std::strerror(errno);
  return {};
}

}  // namespace pardemo::report
