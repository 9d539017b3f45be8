#include "cli/commands.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <unistd.h>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <algorithm>
#include <cstdio>
#include <thread>

#include "backends/drivers.hpp"
#include "backends/race.hpp"
#include "cli/workloads.hpp"
#include "report/host.hpp"
#include "report/record.hpp"
#include "report/summary.hpp"

namespace pardemo::cli {

namespace mpi = boost::mpi;

int list_workloads() {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : catalog()) rows.push_back({e.name, e.sizes});
  std::string out = report::render_table({"workload", "sizes"}, rows) + "\n";
  for (const auto& e : catalog()) out += fmt::format("{}: {}\n", e.name, e.demonstrates);
  out += "\nBackends: serial (one core), threads (shared memory, one process), mpi (ranks that share no\n"
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
std::string binding_warnings(const std::vector<report::RunRecord>& records, const report::JobInfo& job) {
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
            cpus < online ? fmt::format("The launcher bound the rank; launch with `mpirun --bind-to none` or "
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
    out += report::verification_lines(records);
    const double total = since_start.seconds();
    out += fmt::format("Time: {:.3f} s in timed runs of {:.3f} s since start ({:.1f}%)\n", timed, total,
                       total > 0 ? 100.0 * timed / total : 0.0);
    out += binding_warnings(records, job);
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
      rows.push_back({w.way, i + 1 == ways.size() ? fmt::format("{} ranks", world.size()) : fmt::format("{} threads", threads),
                      fmt::format("{}", w.expected), fmt::format("{}", w.observed), fmt::format("{}", lost),
                      fmt::format("{:.2f}", w.expected > 0 ? 100.0 * static_cast<double>(lost) / static_cast<double>(w.expected) : 0.0),
                      fmt::format("{:.4f}", w.seconds)});
    }
    std::string out = fmt::format("pardemo race: each worker adds 1 to a count {} times, five ways; {} CPU{} usable here\n\n",
                                  o.increments, backends::usable_cpus(), backends::usable_cpus() == 1 ? "" : "s");
    out += report::render_table({"way", "workers", "expected", "observed", "lost", "lost %", "seconds"}, rows);
    const std::uint64_t lost = ways.front().expected - ways.front().observed;
    out += "\n";
    out += lost > 0 ? fmt::format("The unsynchronized count lost {} updates: two threads read the same value and both "
                                  "wrote it back plus one.\n",
                                  lost)
                    : "The unsynchronized count lost nothing this time: a race is a possibility, not a certainty "
                      "(more increments, or more CPUs, make it likelier).\n";
    out += safe_exact ? "The mutex, the atomic, the per-thread partials and the messages were exact, as they always are.\n"
                      : "A SAFE WAY LOST UPDATES: this is a bug.\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    code = safe_exact ? kExitOk : kExitVerification;
  }
  mpi::broadcast(world, code, 0);
  return code;
}

int execute(const Options& o, const mpi::communicator& world, const report::Stopwatch& since_start) {
  // Only the root writes files: it checks the path, and every rank learns the verdict.
  std::string problem;
  if (world.rank() == 0) {
    for (const auto& [option, path] : {std::pair{"--json", o.json}, {"--png", o.png}, {"--owners-png", o.owners_png}}) {
      if (path.empty()) continue;
      if (const std::string why = report::check_writable(path); !why.empty()) {
        problem = fmt::format("{}: {}", option, why);
        break;
      }
    }
  }
  mpi::broadcast(world, problem, 0);
  if (!problem.empty()) {
    if (world.rank() == 0) fmt::print(stderr, "pardemo: error: {}\n", problem);
    return kExitUsage;
  }
  const report::JobInfo job = job_info(world);
  return with_workload(o, [&](const auto& w) { return execute_workload(w, o, world, job, since_start); });
}

}  // namespace pardemo::cli
