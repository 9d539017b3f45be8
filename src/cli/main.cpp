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

namespace {

// This process's rank as the launcher announces it, readable before MPI starts,
// so that a usage error is reported once (by rank 0) and not once per rank.
int launch_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* v = std::getenv(var)) return std::atoi(v);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pardemo;
  const report::Stopwatch since_start;
  const cli::Parsed parsed = cli::parse(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    if (launch_rank() == 0) {
      if (parsed.exit_code == cli::kExitOk) {
        std::fputs(parsed.message.c_str(), stdout);
      } else {
        fmt::print(stderr, "pardemo: error: {}\n", parsed.message);
      }
    }
    return parsed.exit_code;
  }
  const cli::Options& options = *parsed.options;
  if (options.command == "list") return launch_rank() == 0 ? cli::list_workloads() : cli::kExitOk;

  // Worker threads never call MPI: funneled is all that is needed.
  boost::mpi::environment env(argc, argv, boost::mpi::threading::funneled);
  const boost::mpi::communicator world;
  try {
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
