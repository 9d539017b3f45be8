#pragma once
#include <boost/mpi/communicator.hpp>

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

// `pardemo race`, on every rank of `world`: the threaded ways on rank 0 while
// the others wait, then message passing on every rank.
int race(const Options& o, const boost::mpi::communicator& world);

}  // namespace pardemo::cli
