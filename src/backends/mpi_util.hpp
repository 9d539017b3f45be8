#pragma once
// Small MPI helpers shared by the distributed drivers and the command line.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
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

// The dynamic split's manager/worker protocol, run by the main thread of every
// rank while its compute threads work. Rank 0 owns the chunk counter: it keeps
// its own queue filled and answers the other ranks' requests; every other rank
// asks rank 0 for a chunk whenever its queue holds fewer than `depth`, until
// rank 0 answers that none is left. Every queue is closed at the end. Waits
// sleep between polls (see sleepy_barrier). Returns the seconds spent in MPI.
class ChunkQueue;
double dispatch_chunks(const boost::mpi::communicator& comm, std::uint64_t chunks, std::size_t depth,
                       ChunkQueue& queue);

// The MPI library's own version string, one line.
std::string mpi_library_version();

}  // namespace pardemo::backends
