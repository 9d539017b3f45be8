#pragma once
// Small MPI helpers shared by the distributed drivers and the command line.
#include <boost/mpi/communicator.hpp>
#include <string>

namespace pardemo::backends {

// A barrier that waits without burning a core: ranks poll a non-blocking barrier
// and sleep between polls (a short spin first, then backing off to 1 ms). With
// more ranks than cores, a spinning wait would steal the core of the rank being
// waited for and the timings would lie.
void sleepy_barrier(const boost::mpi::communicator& comm);

// Lines every rank up before a timed region: a sleepy barrier (everyone awake),
// then an ordinary barrier (everyone leaves together, within microseconds).
void synchronize(const boost::mpi::communicator& comm);

// CPUs this process may run on (its affinity mask, which mpirun's --bind-to and
// SLURM's --cpus-per-task set): the threads that can truly run in parallel.
int usable_cpus();

// The MPI library's own version string, one line.
std::string mpi_library_version();

}  // namespace pardemo::backends
