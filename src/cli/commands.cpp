#include "cli/commands.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <thread>

#include "backends/drivers.hpp"
#include "backends/race.hpp"
#include "cli/workloads.hpp"
#include "report/host.hpp"
#include "report/plot.hpp"
#include "report/record.hpp"
#include "report/scaling.hpp"
#include "report/summary.hpp"

namespace pardemo::cli {

namespace mpi = boost::mpi;

int list_workloads() {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : catalog()) rows.push_back({e.name, e.sizes});
  std::string out = report::render_table({"workload", "sizes"}, rows) + "\n";
  for (const auto& e : catalog()) out += fmt::format("{}: {}\n", e.name, e.demonstrates);
  out +=
      "\nBackends: serial (one core), threads (shared memory, one process), mpi (ranks that share no\n"
      "memory and combine results by message), hybrid (ranks x threads).\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

namespace {

report::JobInfo job_info(const mpi::communicator& world) {
  report::JobInfo job;
  job.world_size = world.size();
  job.mpi_library = backends::mpi_library_version();
  job.started_utc = report::utc_now_iso8601();
  mpi::gather(world, report::host_name(), job.hosts, 0);
  mpi::gather(world, report::host_address(), job.addresses, 0);
  mpi::gather(world, report::network_namespace(), job.netns, 0);
  mpi::gather(world, backends::usable_cpus(), job.cpus, 0);
  mpi::gather(world, static_cast<int>(std::max(1U, std::thread::hardware_concurrency())), job.host_cpus, 0);
  return job;
}

// Ranks of `world` on this host, for the default threads per rank of hybrid.
int ranks_on_this_host(const mpi::communicator& world) {
  MPI_Comm local = MPI_COMM_NULL;
  MPI_Comm_split_type(static_cast<MPI_Comm>(world), MPI_COMM_TYPE_SHARED, world.rank(), MPI_INFO_NULL, &local);
  int size = 1;
  MPI_Comm_size(local, &size);
  MPI_Comm_free(&local);
  return size;
}

int default_threads(const Options& o, backends::Kind kind, const mpi::communicator& world) {
  if (o.threads) return *o.threads;
  const int cores = backends::usable_cpus();
  if (o.command == "compare") return world.size();
  if (kind == backends::Kind::threads) return cores;
  if (kind == backends::Kind::hybrid) return std::max(1, cores / ranks_on_this_host(world));
  return 1;
}

// Runs one backend `warmup + repeat` times; on the root returns the record with
// the answer verified (the first repeat against the reference, the others to the
// bit against the first).
template <class Result>
struct Measured {
  report::RunRecord rec;
  std::optional<Result> last;        // the last repeat's answer (root)
  std::vector<std::uint32_t> owner;  // and who computed each item
};

template <class W>
Measured<typename W::Result> measure(const W& w, backends::Kind kind, const backends::Plan& plan, const Options& o,
                                     const mpi::communicator& world) {
  Measured<typename W::Result> m;
  report::RunRecord& rec = m.rec;
  rec.command = o.command;
  rec.workload = w.name();
  rec.parameters = w.parameters();
  rec.split = std::string(backends::to_string(plan.split));
  rec.chunk = plan.chunk;
  rec.backend = std::string(backends::to_string(kind));
  rec.warmup = o.warmup;
  rec.operations = w.operations();
  for (int i = 0; i < o.warmup; ++i) (void)backends::run(kind, w, plan, world);
  std::vector<std::vector<core::Field>> results;
  for (int i = 0; i < o.repeat; ++i) {
    auto out = backends::run(kind, w, plan, world);
    rec.ranks = out.ranks;
    rec.threads_per_rank = out.threads_per_rank;
    if (world.rank() == 0) {
      rec.repeats.push_back({out.wall, out.combine, out.workers});
      if constexpr (requires { out.result->halo; })
        if (!out.result->halo.empty()) rec.halo.push_back(out.result->halo);
      if constexpr (requires { out.result->iterations_seconds; })
        rec.iterations_s.push_back(out.result->iterations_seconds);
      results.push_back(W::fields(*out.result));
      if (i == 0) rec.verification = w.verify(*out.result);
      m.last = std::move(out.result);
      m.owner = std::move(out.owner);
    }
  }
  if (world.rank() == 0) {
    rec.result = results.front();
    for (std::size_t i = 1; i < results.size(); ++i) {
      if (!core::identical(results[i], rec.result)) {
        rec.verification.passed = false;
        rec.verification.detail += fmt::format("; repeat {} gave a different answer", i + 1);
      }
    }
  }
  return m;
}

// Threads beyond the CPUs a rank may use take turns on them: concurrent, not
// parallel. Say so, since the speedup column will show it.
std::string binding_warnings(const std::vector<report::RunRecord>& records, const report::JobInfo& job, bool pinned) {
  std::string out;
  for (const auto& r : records) {
    if (r.threads_per_rank <= 1) continue;
    for (int rank = 0; rank < r.ranks && rank < static_cast<int>(job.cpus.size()); ++rank) {
      const int cpus = job.cpus[static_cast<std::size_t>(rank)];
      if (r.threads_per_rank > cpus) {
        const int online = job.host_cpus.at(static_cast<std::size_t>(rank));
        out += fmt::format(
            "Note: the {} run used {} threads on rank {}, which may run on {} CPU{} only: they took turns "
            "(concurrency without parallelism). {}\n",
            r.backend, r.threads_per_rank, rank, cpus, cpus == 1 ? "" : "s",
            pinned          ? std::string("--cpus pinned it: the same threads, concurrent but not parallel.")
            : cpus < online ? fmt::format("The launcher bound the rank; launch with `mpirun --bind-to none` or "
                                          "`--map-by slot:PE={}`.",
                                          r.threads_per_rank)
                            : fmt::format("The host has {} CPU{}.", online, online == 1 ? "" : "s"));
        break;
      }
    }
  }
  return out;
}

template <class W>
int execute_workload(const W& w, const Options& o, const mpi::communicator& world, const report::JobInfo& job,
                     const report::Stopwatch& since_start) {
  std::vector<backends::Kind> kinds;
  if (o.command == "compare") {
    kinds = {backends::Kind::serial, backends::Kind::threads, backends::Kind::mpi};
  } else {
    kinds = {o.backend.value_or(world.size() > 1 ? backends::Kind::mpi : backends::Kind::serial)};
  }
  std::vector<report::RunRecord> records;
  double timed = 0;
  Measured<typename W::Result> last;
  for (const auto kind : kinds) {
    const backends::Plan plan{default_threads(o, kind, world), o.split, o.chunk};
    last = measure(w, kind, plan, o, world);
    records.push_back(last.rec);
    for (const auto& r : records.back().repeats) timed += r.wall;
  }

  int code = kExitOk;
  if (world.rank() == 0) {
    if (o.command == "compare") {
      for (auto& r : records) r.identical_to_serial = core::identical(r.result, records.front().result);
    }
    std::string out = report::describe_job(records.front(), job, o.repeat) + "\n";
    out += report::timing_table(records) + "\n" + report::worker_table(records) + "\n";
    if (const std::string halo = report::halo_table(records); !halo.empty()) out += halo + "\n";
    if (const std::string rates = report::iteration_rates(records); !rates.empty()) out += rates + "\n";
    out += report::verification_lines(records);
    const double total = since_start.seconds();
    out += fmt::format("Time: {:.3f} s in timed runs of {:.3f} s since start ({:.1f}%)\n", timed, total,
                       total > 0 ? 100.0 * timed / total : 0.0);
    out += binding_warnings(records, job, !o.cpus.empty());
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    const bool ok = std::all_of(records.begin(), records.end(), [](const report::RunRecord& r) {
      return r.verification.passed && r.identical_to_serial.value_or(true);
    });
    code = ok ? kExitOk : kExitVerification;
    try {
      // Pictures of the last backend's last repeat: for compare, the MPI decomposition.
      if (last.last) write_images(w, *last.last, last.owner, static_cast<std::uint32_t>(records.back().workers()), o);
      if (!o.json.empty()) {
        for (const auto& r : records) report::append_line(o.json, report::to_json(r, job).dump());
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "pardemo: error: {}\n", e.what());
      code = kExitRuntime;
    }
  }
  mpi::broadcast(world, code, 0);
  return code;
}

}  // namespace

namespace {

// Only the root writes files: it checks each (option, path) given, reports the
// first that cannot be written, and every rank learns the verdict.
bool outputs_writable(std::initializer_list<std::pair<const char*, std::string>> outputs,
                      const mpi::communicator& world) {
  std::string problem;
  if (world.rank() == 0) {
    for (const auto& [option, path] : outputs) {
      if (path.empty()) continue;
      if (const std::string why = report::check_writable(path); !why.empty()) {
        problem = fmt::format("{}: {}", option, why);
        break;
      }
    }
  }
  mpi::broadcast(world, problem, 0);
  if (!problem.empty() && world.rank() == 0) fmt::print(stderr, "pardemo: error: {}\n", problem);
  return problem.empty();
}

// 1, 2, 4, ... below `max`, then `max`.
std::vector<int> worker_counts(int max) {
  std::vector<int> counts;
  for (int w = 1; w < max; w *= 2) counts.push_back(w);
  counts.push_back(max);
  return counts;
}

struct SweepPoint {
  backends::Kind kind;
  int workers;
  int ranks;
  int threads;
};

// What a sweep measures: the serial baseline, then each backend at each count.
// MPI and hybrid points need as many ranks as they use; hybrid points need a
// count divisible by the threads per rank.
std::vector<SweepPoint> sweep_points(const Options& o, int world_size, std::vector<std::string>& notes) {
  const int max = o.max_workers.value_or(world_size);
  const int hybrid_threads = o.threads.value_or(2);
  std::vector<SweepPoint> points{{backends::Kind::serial, 1, 1, 1}};
  for (const auto kind : o.sweep_backends) {
    for (const int w : worker_counts(max)) {
      if (kind == backends::Kind::threads) {
        points.push_back({kind, w, 1, w});
      } else if (kind == backends::Kind::mpi) {
        if (w > world_size) {
          notes.push_back(fmt::format("mpi at {} workers skipped: the job has {} ranks", w, world_size));
          continue;
        }
        points.push_back({kind, w, w, 1});
      } else {
        if (w % hybrid_threads != 0 || w / hybrid_threads > world_size) {
          notes.push_back(fmt::format("hybrid at {} workers skipped: not {} threads x up to {} ranks", w,
                                      hybrid_threads, world_size));
          continue;
        }
        points.push_back({kind, w, w / hybrid_threads, hybrid_threads});
      }
    }
  }
  return points;
}

// Writes `text` to `path` through a temporary file and a rename: whole or not at all.
void write_whole(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {}", path));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
  }
}

std::string machine_of(const std::vector<std::string>& hosts) {
  if (hosts.empty()) return "unknown host";
  if (hosts.size() == 1) return hosts.front();
  return fmt::format("{} and {} more host{}", hosts.front(), hosts.size() - 1, hosts.size() == 2 ? "" : "s");
}

// The summary of `records` on stdout in `shown` format, in --output in o.format,
// and as plots. Returns false (after saying why on stderr) when an output could
// not be written.
bool publish_summary(const std::vector<nlohmann::json>& records, const Options& o, const std::string& shown,
                     const std::string& preface = {}) {
  std::vector<std::string> notes;
  const auto groups = report::scaling::summarize(records, notes);
  const std::string text = report::scaling::render(groups, o.format);
  const bool human = shown == "table" || shown == "md";
  std::string out = preface + (shown == o.format ? text : report::scaling::render(groups, shown));
  if (human)
    for (const auto& n : notes) out += "Note: " + n + "\n";
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
  if (!human)
    for (const auto& n : notes) fmt::print(stderr, "pardemo: note: {}\n", n);
  bool ok = true;
  try {
    if (!o.output.empty()) write_whole(o.output, text);
    if (!o.plot_dir.empty()) {
      std::vector<std::string> hosts;
      for (const auto& g : groups) hosts.insert(hosts.end(), g.hosts.begin(), g.hosts.end());
      std::sort(hosts.begin(), hosts.end());
      hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
      const auto images = report::plot::scaling_plots(groups, o.plot_dir, machine_of(hosts));
      std::string list;
      for (const auto& i : images) list += (list.empty() ? "" : " ") + i;
      fmt::print(human ? stdout : stderr, "Plots: {}\n", list);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "pardemo: error: {}\n", e.what());
    ok = false;
  }
  return ok;
}

template <class W>
report::RunRecord measure_point(const W& w, const SweepPoint& pt, const Options& o, const mpi::communicator& comm) {
  const backends::Plan plan{pt.threads, o.split, o.chunk};
  return measure(w, pt.kind, plan, o, comm).rec;
}

}  // namespace

int sweep(const Options& o, const mpi::communicator& world, const report::Stopwatch& since_start) {
  std::vector<std::string> notes;
  const std::vector<SweepPoint> points = sweep_points(o, world.size(), notes);
  // Every size the sweep will use must be valid before the first run starts: the
  // same check on every rank, so all reach the same verdict without talking.
  const std::uint64_t max_scale =
      o.mode == "weak"
          ? static_cast<std::uint64_t>(
                std::max_element(points.begin(), points.end(), [](auto& a, auto& b) { return a.workers < b.workers; })
                    ->workers)
          : 1;
  try {
    with_workload(
        o, [](const auto&) {}, max_scale);
  } catch (const std::invalid_argument& e) {
    if (world.rank() == 0) fmt::print(stderr, "pardemo: error: sweep at {} workers: {}\n", max_scale, e.what());
    return kExitUsage;
  }
  if (!outputs_writable({{"--json", o.json}, {"--output", o.output}}, world)) return kExitUsage;

  const report::JobInfo job = job_info(world);
  const bool progress = world.rank() == 0 && ::isatty(STDERR_FILENO) == 1;
  std::vector<nlohmann::json> records;
  std::vector<core::Field> baseline_parameters;
  std::vector<core::Field> baseline_result;
  double timed = 0;
  bool ok = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPoint& pt = points[i];
    const std::uint64_t scale = o.mode == "weak" ? static_cast<std::uint64_t>(pt.workers) : 1;
    if (progress) {
      fmt::print(stderr, "\rsweep: {}/{}: {} at {} worker{}{} ", i + 1, points.size(), backends::to_string(pt.kind),
                 pt.workers, pt.workers == 1 ? "" : "s", scale > 1 ? fmt::format(", {}x the size", scale) : "");
      std::fflush(stderr);
    }
    // The ranks a point uses run it on their own communicator; the rest wait.
    const bool takes_part = world.rank() < pt.ranks;
    const mpi::communicator comm = world.split(takes_part ? 0 : 1);
    if (takes_part) {
      report::RunRecord rec = with_workload(
          o, [&](const auto& w) { return measure_point(w, pt, o, comm); }, scale);
      if (world.rank() == 0) {
        rec.mode = o.mode;
        rec.scale = static_cast<int>(scale);
        if (i == 0) {
          baseline_parameters = rec.parameters;
          baseline_result = rec.result;
        }
        rec.base_parameters = baseline_parameters;
        if (scale == 1) rec.identical_to_serial = core::identical(rec.result, baseline_result);
        ok = ok && rec.verification.passed && rec.identical_to_serial.value_or(true);
        for (const auto& r : rec.repeats) timed += r.wall;
        records.push_back(report::to_json(rec, job));
        if (!o.json.empty()) report::append_line(o.json, records.back().dump());
      }
    }
    backends::sleepy_barrier(world);
  }
  int code = kExitOk;
  if (world.rank() == 0) {
    if (progress) fmt::print(stderr, "\r\033[K");
    std::string preface = fmt::format(
        "pardemo sweep {} --mode {}: {} points, {} timed repeat{} each, {} rank{} on {}\n", o.workload, o.mode,
        points.size(), o.repeat, o.repeat == 1 ? "" : "s", world.size(), world.size() == 1 ? "" : "s", machine_of([&] {
          std::vector<std::string> h = job.hosts;
          std::sort(h.begin(), h.end());
          h.erase(std::unique(h.begin(), h.end()), h.end());
          return h;
        }()));
    for (const auto& n : notes) preface += "Note: " + n + "\n";
    preface += "\n";
    // The terminal gets the table; --output gets --format.
    const bool published = publish_summary(records, o, "table", preface);
    const double total = since_start.seconds();
    fmt::print("Time: {:.3f} s in timed runs of {:.3f} s since start ({:.1f}%)\n", timed, total,
               total > 0 ? 100.0 * timed / total : 0.0);
    if (!ok) fmt::print("A RUN FAILED VERIFICATION: see the verified column.\n");
    std::fflush(stdout);
    code = !published ? kExitRuntime : ok ? kExitOk : kExitVerification;
  }
  mpi::broadcast(world, code, 0);
  return code;
}

int report_runs(const Options& o) {
  const auto loaded = report::scaling::load(o.files);
  for (const auto& p : loaded.problems) fmt::print(stderr, "pardemo: warning: {}: {}; skipped\n", p.where, p.what);
  if (loaded.records.empty()) {
    std::string files;
    for (const auto& f : o.files) files += (files.empty() ? "" : ", ") + f;
    fmt::print(stderr, "pardemo: error: no usable records in {}\n", files);
    return kExitUsage;
  }
  if (!publish_summary(loaded.records, o, o.format)) return kExitRuntime;
  const bool verified = std::all_of(loaded.records.begin(), loaded.records.end(), [](const nlohmann::json& r) {
    return r["verified"].get<bool>() && r.value("identical_to_serial", true);
  });
  if (!verified) fmt::print(stderr, "pardemo: a record failed verification (see the verified column)\n");
  return verified ? kExitOk : kExitVerification;
}

std::string pin_to_cpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return {};
  auto list = [](const std::vector<int>& v) {
    std::string s;
    for (int c : v) s += (s.empty() ? "" : ",") + std::to_string(c);
    return s;
  };
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(static_cast<std::size_t>(c), &set);
  // The calling thread only: threads started later inherit it, and the workers
  // are all started later.
  if (::sched_setaffinity(0, sizeof set, &set) != 0)
    return fmt::format("--cpus {}: this process may not run on any of them ({})", list(cpus), std::strerror(errno));
  cpu_set_t kept;
  CPU_ZERO(&kept);
  std::vector<int> dropped;
  if (::sched_getaffinity(0, sizeof kept, &kept) == 0) {
    for (int c : cpus)
      if (!CPU_ISSET(static_cast<std::size_t>(c), &kept)) dropped.push_back(c);
  }
  if (!dropped.empty())
    return fmt::format("--cpus {}: this process may not run on CPU {} (outside its cpuset)", list(cpus), list(dropped));
  return {};
}

int pin_every_rank(const std::vector<int>& cpus, const mpi::communicator& world) {
  const std::string mine = pin_to_cpus(cpus);
  std::vector<std::string> all;
  mpi::gather(world, mine, all, 0);
  std::string problem;
  if (world.rank() == 0) {
    for (std::size_t r = 0; r < all.size() && problem.empty(); ++r)
      if (!all[r].empty()) problem = world.size() == 1 ? all[r] : fmt::format("rank {}: {}", r, all[r]);
    if (!problem.empty()) fmt::print(stderr, "pardemo: error: {}\n", problem);
  }
  int code = problem.empty() ? kExitOk : kExitUsage;
  mpi::broadcast(world, code, 0);
  return code;
}

int check_same_arguments(const std::vector<std::string>& args, const mpi::communicator& world) {
  std::string mine;
  for (const auto& a : args) mine += a + '\n';
  std::string root = mine;
  mpi::broadcast(world, root, 0);
  std::vector<int> differs;
  mpi::gather(world, static_cast<int>(root != mine), differs, 0);
  std::string problem;
  if (world.rank() == 0) {
    for (std::size_t r = 0; r < differs.size() && problem.empty(); ++r)
      if (differs[r] != 0)
        problem = fmt::format(
            "rank {} was started with other arguments than rank 0; every rank must run the same command", r);
    if (!problem.empty()) fmt::print(stderr, "pardemo: error: {}\n", problem);
  }
  int code = problem.empty() ? kExitOk : kExitUsage;
  mpi::broadcast(world, code, 0);
  return code;
}

int race(const Options& o, const mpi::communicator& world) {
  namespace r = backends::race;
  const int threads = o.threads.value_or(2);
  std::vector<r::Outcome> ways;
  if (world.rank() == 0) {
    ways.push_back(r::unsynchronized(threads, o.increments));
    ways.push_back(r::with_mutex(threads, o.increments));
    ways.push_back(r::with_atomic(threads, o.increments));
    ways.push_back(r::with_partials(threads, o.increments));
  }
  backends::sleepy_barrier(world);
  const r::Outcome messages = r::with_messages(world, o.increments);
  int code = kExitOk;
  if (world.rank() == 0) {
    ways.push_back(messages);
    std::vector<std::vector<std::string>> rows;
    bool safe_exact = true;
    for (std::size_t i = 0; i < ways.size(); ++i) {
      const auto& w = ways[i];
      const std::uint64_t lost = w.expected - w.observed;
      if (i > 0 && lost != 0) safe_exact = false;
      rows.push_back(
          {w.way, i + 1 == ways.size() ? fmt::format("{} ranks", world.size()) : fmt::format("{} threads", threads),
           fmt::format("{}", w.expected), fmt::format("{}", w.observed), fmt::format("{}", lost),
           fmt::format("{:.2f}",
                       w.expected > 0 ? 100.0 * static_cast<double>(lost) / static_cast<double>(w.expected) : 0.0),
           fmt::format("{:.4f}", w.seconds)});
    }
    std::string out =
        fmt::format("pardemo race: each worker adds 1 to a count {} times, five ways; {} CPU{} usable here\n\n",
                    o.increments, backends::usable_cpus(), backends::usable_cpus() == 1 ? "" : "s");
    out += report::render_table({"way", "workers", "expected", "observed", "lost", "lost %", "seconds"}, rows);
    const std::uint64_t lost = ways.front().expected - ways.front().observed;
    out += "\n";
    out += lost > 0 ? fmt::format(
                          "The unsynchronized count lost {} updates: two threads read the same value and both "
                          "wrote it back plus one.\n",
                          lost)
                    : "The unsynchronized count lost nothing this time: a race is a possibility, not a certainty "
                      "(more increments, or more CPUs, make it likelier).\n";
    out += safe_exact
               ? "The mutex, the atomic, the per-thread partials and the messages were exact, as they always are.\n"
               : "A SAFE WAY LOST UPDATES: this is a bug.\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    code = safe_exact ? kExitOk : kExitVerification;
  }
  mpi::broadcast(world, code, 0);
  return code;
}

int execute(const Options& o, const mpi::communicator& world, const report::Stopwatch& since_start) {
  if (!outputs_writable({{"--json", o.json}, {"--png", o.png}, {"--owners-png", o.owners_png}}, world))
    return kExitUsage;
  const report::JobInfo job = job_info(world);
  return with_workload(o, [&](const auto& w) { return execute_workload(w, o, world, job, since_start); });
}

}  // namespace pardemo::cli
