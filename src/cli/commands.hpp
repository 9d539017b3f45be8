#pragma once
#include <boost/mpi/communicator.hpp>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "report/timer.hpp"

namespace pardemo::cli {

// `pardemo list`, on one process.
int list_workloads();

// `pardemo run` and `pardemo compare`, on every rank of `world`. Returns the
// exit code, the same on every rank.
int execute(const Options& o, const boost::mpi::communicator& world, const report::Stopwatch& since_start);

// `pardemo sweep`, on every rank of `world`: a scaling curve in one job.
int sweep(const Options& o, const boost::mpi::communicator& world, const report::Stopwatch& since_start);

// `pardemo report`, on one process, no MPI: merges JSON records into a summary.
int report_runs(const Options& o);

// Every rank must have been given the same arguments (an MPMD launch or a shell
// expanding a variable differently per host could break that): exit code 2 on
// every rank, rank 0 naming the first rank that differs, when they were not.
int check_same_arguments(const std::vector<std::string>& args, const boost::mpi::communicator& world);

// --cpus: pins this process's later threads to `cpus` (sched_setaffinity) and
// checks that the kernel kept every one (it silently drops CPUs outside the
// cgroup's cpuset, and refuses when none is left). Empty when it did (or `cpus`
// is empty); otherwise why not, in one line naming the CPUs not allowed.
std::string pin_to_cpus(const std::vector<int>& cpus);

// pin_to_cpus on every rank of `world`, collectively: exit code 2 on every rank,
// rank 0 naming the first rank that could not, when one could not; else 0.
int pin_every_rank(const std::vector<int>& cpus, const boost::mpi::communicator& world);

// `pardemo overlap`, on one process, no MPI: waiting tasks sequential and on an
// event loop, computing tasks sequential, on the event loop and on N threads.
int overlap(const Options& o);

// `pardemo pingpong`: latency and bandwidth between ranks 0 and 1, three ways.
int pingpong(const Options& o, const boost::mpi::communicator& world);

// `pardemo model`: the strong-scaling prediction beside the measured points.
int model_scaling(const Options& o, const boost::mpi::communicator& world);

// `pardemo race`, on every rank of `world`: the threaded ways on rank 0 while
// the others wait, then message passing on every rank.
int race(const Options& o, const boost::mpi::communicator& world);

}  // namespace pardemo::cli
