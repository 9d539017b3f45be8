// pardemo's entry point: parse (no MPI), then start MPI once and run the command.
#include <fmt/format.h>

#include <boost/mpi/environment.hpp>
#include <boost/mpi/communicator.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/watchdog.hpp"

namespace {

// This process's rank as the launcher announces it, readable before MPI starts.
int launch_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* v = std::getenv(var)) return std::atoi(v);
  }
  return 0;
}

bool under_launcher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "SLURM_STEP_ID"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pardemo;
  const report::Stopwatch since_start;
  const cli::Parsed parsed = cli::parse(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    auto report = [&] {
      if (parsed.exit_code == cli::kExitOk) {
        std::fputs(parsed.message.c_str(), stdout);
      } else {
        fmt::print(stderr, "pardemo: error: {}\n", parsed.message);
      }
      std::fflush(nullptr);
    };
    if (!under_launcher()) {
      report();
      return parsed.exit_code;
    }
    // Under a launcher every rank given the same arguments reached the same
    // verdict. Rank 0 reports, and no rank exits before it has: a launcher ends the
    // job at the first non-zero exit, which could otherwise swallow rank 0's message.
    boost::mpi::environment env(argc, argv, boost::mpi::threading::funneled);
    const boost::mpi::communicator world;
    if (const int code = cli::check_same_arguments(std::vector<std::string>(argv + 1, argv + argc), world); code != 0)
      return code;
    if (world.rank() == 0) report();
    world.barrier();
    return parsed.exit_code;
  }
  const cli::Options& options = *parsed.options;
  if (options.command == "list") return launch_rank() == 0 ? cli::list_workloads() : cli::kExitOk;
  // Reading records needs no MPI: one process does it, also under a launcher.
  if (options.command == "report") return launch_rank() == 0 ? cli::report_runs(options) : cli::kExitOk;
  // The overlap demo is one process on one or a few threads: no MPI either.
  if (options.command == "overlap") return launch_rank() == 0 ? cli::overlap(options) : cli::kExitOk;

  // Armed before MPI starts, so even a start-up that hangs is ended.
  const cli::Watchdog watchdog(options.timeout, launch_rank(), cli::kExitTimeout);
  cli::stop_on_signals(launch_rank());

  // Worker threads never call MPI: funneled is all that is needed. The ping-pong
  // starts no threads and asks for single, as osu_latency does: with Open MPI 4.1
  // the thread level alone changes small-message latency.
  boost::mpi::environment env(
      argc, argv, options.command == "pingpong" ? boost::mpi::threading::single : boost::mpi::threading::funneled);
  const boost::mpi::communicator world;
  try {
    if (const int code = cli::check_same_arguments(std::vector<std::string>(argv + 1, argv + argc), world); code != 0)
      return code;
    if (options.command == "pingpong") return cli::pingpong(options, world);
    if (const int code = cli::pin_every_rank(options.cpus, world); code != 0) return code;
    if (options.command == "race") return cli::race(options, world);
    if (options.command == "sweep") return cli::sweep(options, world, since_start);
    if (options.command == "model") return cli::model_scaling(options, world);
    return cli::execute(options, world, since_start);
  } catch (const std::exception& e) {
    // One rank failing alone would leave the others waiting in a collective:
    // end the whole job instead.
    fmt::print(stderr, "pardemo: error on rank {}: {}\n", world.rank(), e.what());
    std::fflush(stderr);
    env.abort(cli::kExitRuntime);
  }
  return cli::kExitRuntime;
}
